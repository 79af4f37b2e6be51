/* indicators.h: 指标 (docs/indicators.md). An indicator definition
 * (engine/defs.h, docs/definitions.md) is evaluated per case into a fact
 * (unit, period, in numerator, in denominator) kept in indicator_facts;
 * indicator_values holds the sums per indicator x unit x period, period
 * being a month "YYYY-MM" and, beside the months, the quarter "YYYYQn" and
 * the year "YYYY" (the roll-ups of its months: a province-level year view
 * reads one row per unit instead of twelve; readers filter on the length of
 * period: 7 months, 6 quarters, 4 years) and, beside
 * the units' months, each county's months (unit_id = -CCCCCC, the first six
 * digits of the units' region codes: ind_county_key; a province-level trend
 * reads 100 counties' rows instead of 2,000 units'; readers of units take
 * unit_id > 0), and is kept by deltas in the same write job that changes a case or one of its clocks,
 * so reading an indicator never scans cases. ind_recompute rebuilds both
 * from the record (or only compares them with it). Both evaluate a case
 * with the same code (engine/ind_eval.h); engine/indicators.c reads one
 * case for it, engine/ind_recompute.c every case of a procedure in one
 * scan.
 *
 * Only procedure measures are evaluated; catalog measures are validated but
 * not computed (indicators over catalogs, like 持证率, are computed by their
 * module: engine/officers.c). */
#ifndef FZ_INDICATORS_H
#define FZ_INDICATORS_H

#include <stdint.h>
#include <stdio.h>

#include "engine/defs.h"

typedef struct store_conn store_conn;
typedef struct store store;

/* The definitions write jobs evaluate against (compiled here once); set at
 * start-up (serve, CLI) before any write job runs; NULL (the default) turns
 * maintenance off. When they cannot be compiled (out of memory), every
 * maintenance fails, so no write goes through without its indicators. */
void ind_set_defs(const defs *d);

/* ind_set_defs(d), then the records column of every procedure brought in
 * line with its definition (reccol_sync), then, when the indicator
 * definitions, the procedures
 * they read or the way facts are kept differ from those the stored values
 * were computed with (meta key indicator_defs: an SM3 of them), recomputes every fact and value in
 * one write job, so values never mix two definitions. Call it before the
 * first write job of every command that maintains indicators (serve,
 * import, calendar import, demo). *recomputed: the number of facts rebuilt,
 * or -1 when nothing had changed. */
int ind_attach(store *s, const defs *d, int64_t *recomputed);
/* The check and recompute of ind_attach inside a write job (after the
 * job's schema sync, as `fazhi import` does). */
int ind_sync(store_conn *w, const defs *d, int64_t *recomputed);

/* Re-evaluates every indicator over the case's procedure for case id of
 * procedure kind and applies the difference to indicator_values. Runs inside
 * the write job that changed the case. */
int ind_on_case(store_conn *w, const char *kind, int64_t id);
/* The same for a clock's subject ("case:<kind>", "<id>"); other subjects
 * are ignored. */
int ind_on_subject(store_conn *w, const char *subject_kind, const char *subject_id);

enum {
    IND_RECOMPUTE_CHECK = 1,  /* compare only */
    IND_RECOMPUTE_RECORDS = 2 /* re-derive every case's records column first */
};

/* Recomputes every fact and value from the record. Rule full_record reads
 * each case's 全过程记录 column (records_missing, engine/reccol.h), first
 * brought in line with the definitions (reccol_sync; with
 * IND_RECOMPUTE_RECORDS re-derived for every case from its events and
 * attachments); *nrecords: the column rows written.
 * IND_RECOMPUTE_CHECK: compare only and print each difference to out
 * (*ndiff counts them all): the facts are evaluated with the records derived
 * from the events and attachments, not the column, and every case whose
 * column differs from them is a difference too (*nrecords counts those), so
 * a fault of the column's maintenance is found. Otherwise make the stored
 * facts and values the recomputed ones, writing only the rows that differ
 * (*ndiff: how many rows differed before). Reads on w, and with readers
 * (not NULL) also on a second thread and read connection of readers
 * (store_reader) for half of each large procedure's cases: only for a job
 * that has written nothing before (a reader sees the last commit), as
 * `fazhi indicators recompute` does (the readers are left out when the
 * column had to be written). */
int ind_recompute(store_conn *w, store *readers, const defs *d, int flags, FILE *out, int64_t *nfacts,
                  int64_t *ndiff, int64_t *nrecords);

/* The keys of the year ("2026") and quarter ("2026Q4") roll-ups a month
 * ("2026-11") adds to (a malformed month: quarter "…Q0", read by nobody). */
void ind_rollup_keys(const char *month, char year[5], char quarter[7]);

/* The key of the county roll-up a unit with this region code adds to:
 * -(its first six digits), 0 when they are not a county's code. */
int64_t ind_county_key(const char *region_code);
/* The county key of a unit (0 when it is gone). */
int ind_unit_county(store_conn *w, int64_t unit, int64_t *key);

/* Moves unit's monthly values from the roll-up of county key `from` to that
 * of `to` (either 0: none), after the unit changed region or was deleted;
 * in the write job that changed it. */
int ind_unit_moved(store_conn *w, int64_t unit, int64_t from, int64_t to);

/* The procedure an indicator's drill-down lists cases of (the denominator's,
 * else the numerator's); NULL when it has none. */
const char *ind_kind(const def *ind);

#endif
