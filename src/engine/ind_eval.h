/* ind_eval.h: indicator definitions compiled per procedure kind, and the
 * one evaluation of a case's fact from what was read of the case
 * (engine-internal: engine/indicators.c keeps the facts up to date case by
 * case, engine/ind_recompute.c recomputes them all; docs/indicators.md).
 *
 * A case's fact for an indicator:
 *   period   the month "2026-11" of the date of the denominator (else
 *            numerator) measure: a date field of the procedure or
 *            "created"; no date yet: no fact (the case is counted nowhere).
 *            Values are kept by month whatever the definition's "period"
 *            (its default reporting period): a year, quarter or custom range
 *            of months is a sum of at most a few dozen rows.
 *   in_num   the case satisfies the numerator measure
 *   in_den   the case satisfies the denominator measure
 * A measure is satisfied when every one of its conditions holds: the
 * procedure is the case's, state in "state", each "where" (field in / eq /
 * not_in), the named "clock" exists (with its state in "clock_state" when
 * given), for "event", a step of that action was taken, for "rule":
 * "hearing_right", the proposal falls under 第六十三条 (engine/checks.h),
 * for "full_record", no step taken and not withdrawn lacks one of its
 * "records" among the case's attachment categories (engine/records.h, the
 * computation of the case detail's missing_records), as the case's
 * records_missing column keeps it (engine/reccol.h): 0;
 * and, when it has "any", at least one of those alternatives' conditions.
 *
 * The definitions are compiled once per procedure kind (kplan: the union of
 * the case columns, clocks and event actions its indicators read, the SQL
 * that reads a case's row, and each indicator's conditions with their
 * values as text). A case is evaluated from a case_view (its row, the state
 * of each clock the conditions name, which of their actions were taken and
 * when it was last informed) by ind_eval_fact, which reads nothing from the
 * store: the two paths differ only in how they fill the view (and
 * `recompute --check` puts into it the records derived from the events and
 * attachments instead of the column). */
#ifndef FZ_IND_EVAL_H
#define FZ_IND_EVAL_H

#include <stdint.h>
#include <time.h>

#include "engine/checks.h"
#include "engine/defs.h"

typedef struct store_stmt store_stmt;

/* ---- the definitions, compiled per procedure kind ---- */

/* A few strings (names, values of a condition), looked up by strcmp. */
typedef struct ind_strset {
    char **v;
    int n;
} ind_strset;

typedef struct iwhere {
    int col;      /* kplan column, -1: none (reads as "") */
    char *eq;     /* NULL: no "eq" */
    int has_in, has_not_in;
    ind_strset in, not_in;
} iwhere;

/* A measure's own conditions, or one of its "any" alternatives. */
typedef struct icond {
    int has_state;
    ind_strset states;
    iwhere *where;
    int nwhere;
    int clock;             /* kplan clock, -1: none */
    int has_clock_state;
    uint64_t clock_states; /* bit i: kplan cstates[i] */
    int rule;              /* "rule": RULE_NONE, RULE_HEARING (hearing_right), RULE_FULL_RECORD */
    int event;             /* kplan event, -1: none */
} icond;

typedef struct imeasure {
    int on; /* the measure is over this kind (else it never holds here) */
    icond self;
    int has_any;
    icond *any;
    int nany;
} imeasure;

typedef struct iplan {
    const def *ind;
    int date_col; /* kplan column of the date field, -1: "created" */
    imeasure num, den;
} iplan;

enum { RULE_NONE = 0, RULE_HEARING = 1, RULE_FULL_RECORD = 2 };

/* The first columns of every kind's row. */
enum { COL_STATE = 0, COL_UNIT = 1, COL_CREATED = 2 };

/* Rule hearing_right reads these (engine/checks.h checks_hearing_fields). */
enum { R_FINE, R_CONFISCATION, R_LICENSE, R_BUSINESS, R_OTHER, R_PARTY_KIND, R_N };

/* Every indicator reading one procedure kind. */
typedef struct kplan {
    const char *kind;
    char skind[80];            /* "case:<kind>" */
    ind_strset cols;           /* field names; the row's SQL reads id, then these */
    ind_strset clocks;         /* clock names the conditions read (at most 255) */
    ind_strset cstates;        /* the clock states any clock_state lists (at most 64) */
    ind_strset events;         /* "case.<action>" the conditions read */
    unsigned char *ev_informs; /* per event: 告知 or 调整拟处罚 (hearing_right's as-of) */
    int rule;                  /* some condition is rule hearing_right */
    int records;               /* some condition is rule full_record: the row's SQL reads
                                  records_missing last, at rec_idx */
    int rec_idx;
    int rule_col[R_N];
    iplan *inds;
    int nind;
    char *sel_one;   /* the row of one case: id = ?1 */
    char *sel_chunk; /* rows with ?1 < id <= ?2 in id order, at most ?3 */
    char *ev_one;    /* (action, at) of one case's events with one of the actions */
} kplan;

typedef struct ind_plans {
    kplan *k;
    int n;
} ind_plans;

enum { CS_NONE = -1, CS_OTHER = -2 }; /* a clock: absent / in a state no list names */

typedef struct case_view {
    int64_t id, unit_id, created_at;
    store_stmt *row;      /* the statement on the case's row */
    const char **col;     /* kplan cols as text ("" for NULL) once read, borrowed from row */
    signed char *clock;   /* per kplan clock: its state (cstates index), CS_NONE, CS_OTHER */
    unsigned char *event; /* per kplan event: taken at least once */
    int64_t informed_at;  /* the latest 告知 / 调整拟处罚 (ms), 0: none */
    int hearing;          /* the rule's outcome once computed, else -1 */
    int64_t records_missing; /* rule full_record (kp->records): the records the case lacks,
                                -1 unknown (a NULL column) */
} case_view;

/* A fact, as evaluated or as stored (stored counts may be anything). */
typedef struct ifact {
    int64_t case_id, unit_id, num, den;
    char period[12];
} ifact;

/* The local month of a time, remembered with the bounds of that month:
 * cases in id order are mostly in time order, so localtime runs about once
 * per month of cases. */
typedef struct month_cache {
    time_t lo, hi;
    char ym[8];
} month_cache;

/* Every procedure indicator of d, grouped by the kinds its measures read
 * (FZ_INVALID: more clock states, clocks or actions than a kplan holds). */
int ind_plans_build(const defs *d, ind_plans *p);
void ind_plans_free(ind_plans *p);

void ind_strset_free(ind_strset *s);
int ind_strset_find(const ind_strset *s, const char *t);
/* Index of t in s, added when missing; -1 when out of memory. */
int ind_strset_add(ind_strset *s, const char *t);

/* ---- one case ---- */

int ind_view_init(const kplan *kp, case_view *v);
void ind_view_free(case_view *v);
/* The case's row from a statement that reads id then kp's columns (its
 * SQL: sel_one / sel_chunk); clocks and events none yet. The columns are
 * read as text when a condition first needs them, so the statement must
 * stay on the row until the case is evaluated. */
void ind_view_row(const kplan *kp, store_stmt *st, case_view *v);
/* The cstates index of a clock state (CS_OTHER: a state no list names). */
int ind_clock_state(const kplan *kp, const char *state);
/* Clock (a kplan clock) of the case is in state (ind_clock_state). */
void ind_view_clock(case_view *v, int clock, int state);
/* A step of action ev (a kplan event) was taken at time at (ms). */
void ind_view_event(const kplan *kp, case_view *v, int ev, int64_t at);
/* Rule full_record: the records the case lacks as derived from its events
 * and attachments, in place of the column ind_view_row read. */
void ind_view_records(case_view *v, int64_t missing);
/* The fact of the case in v for indicator ip (num/den 0/0: none), with
 * the thresholds catalog th for rule hearing_right. */
void ind_eval_fact(const kplan *kp, const iplan *ip, case_view *v, const checks_thresholds *th, month_cache *mc,
                   ifact *f);
/* Same unit, period and counts. */
int ind_fact_same(const ifact *a, const ifact *b);

#endif
