/* reccol.h: the 全过程记录 column of a procedure's case table
 * (records_missing): how many records (engine/records.h) the case lacks,
 * under the procedure definition in force, from its step events and the
 * categories of its attachments -- the count of the case detail's
 * missing_records, kept in the case's row so that indicator rule
 * full_record (engine/ind_eval.h) reads one column instead of re-deriving it
 * (docs/indicators.md §4, §5).
 *
 * Kept with the writes, in the same job, by the one computation of
 * engine/records.c: a new case (case_import: its one event, no attachment),
 * every event on a case that can change it (case_act: a step of an action
 * with "records" or a 撤回; reccol_after_event), every attachment added
 * (attach_add; attachments are never deleted). Procedures without records
 * keep 0. NULL: not derived yet (rows from before migration 13 until
 * reccol_sync). reccol_sync re-derives a procedure's whole column (batched:
 * reccol_derive_all) when its records differ from those the column was
 * computed with (meta "records_plan:<kind>", an SM3 of them), so a changed
 * definition never leaves a stale column; `fazhi indicators recompute
 * --check` re-derives every column and reports each difference, `--records`
 * rewrites them.
 *
 * SQL here names tables only from validated definitions (case_<kind>);
 * every value is bound. */
#ifndef FZ_RECCOL_H
#define FZ_RECCOL_H

#include <stdint.h>

#include "engine/defs.h"
#include "engine/scan.h"

typedef struct store_conn store_conn;

#define RECCOL "records_missing"

/* The value of a new case whose one event is event_action ("case.created",
 * "case.imported") and which has no attachment. */
int reccol_fresh(const def *pd, const char *event_action, int64_t *missing);

/* The value of case id derived from its events and attachments (point
 * reads on w). */
int reccol_derive_one(store_conn *w, const def *pd, int64_t id, int64_t *missing);

/* After an event of action event_action ("case.<name>") was appended to
 * case id, or (event_action NULL) an attachment of category was added:
 * derives and stores the case's value when that can change it under pd. */
int reccol_after_event(store_conn *w, const def *pd, int64_t id, const char *event_action);
int reccol_after_attachment(store_conn *w, const def *pd, int64_t id, const char *category);

/* Every case of pd's whose derived value is not 0, as sorted keys
 * (id << 16 | value): the step events of the actions with records and the
 * 撤回 events along events (action, at), the attachments table in one pass by
 * its key; cases not listed derive 0. */
int reccol_derive_all(store_conn *w, const def *pd, scan_keys *out);

/* Compares pd's stored column with derived (reccol_derive_all): for each
 * case whose value differs (stored -1: NULL), diff(ctx, kind, id, stored,
 * derived) when given; with fix, the derived value is written. *ndiff
 * counts them. */
typedef void (*reccol_diff_cb)(void *ctx, const char *kind, int64_t id, int64_t stored, int64_t derived);
int reccol_compare(store_conn *w, const def *pd, const scan_keys *derived, int fix, reccol_diff_cb diff, void *ctx,
                   int64_t *ndiff);

/* Whether pd's column was derived with pd's records (meta); *ready 0 when
 * its table does not exist yet. */
int reccol_status(store_conn *w, const def *pd, int *ready, int *current);

/* Re-derives (reccol_derive_all + reccol_compare with fix) the column of
 * every procedure of d with a table whose records differ from those it was
 * computed with, or of all of them with force, and records them (meta).
 * *fixed (may be NULL): the rows written. Inside a write job. */
int reccol_sync(store_conn *w, const defs *d, int force, int64_t *fixed);

#endif
