/* legal_review.h: 法制审核 (行政处罚法第五十八条) as the record shows it.
 *
 * A procedure takes part when it has a state named "reviewing" (法制审核;
 * defs/penalty.json). A review round starts with the step that moves a case
 * into that state (提交法制审核, or 举行听证 → 法制审核) and ends with the step
 * that moves it out (法制审核通过 / 法制审核退回 with the opinion, or 撤案,
 * 移送 during the review). Everything is read from the case's events, so the
 * times are those of the record:
 *
 *   a step taken back (撤回, payload "withdrawn") is undone here too: taking
 *   back the decision reopens the round, taking back the submission removes
 *   it (the latest non-撤回 step into "reviewing" is when the case entered it).
 *
 * legal_review_feed/finish build the rounds for the case JSON; the queue is
 * the cases now in "reviewing" within the caller's data scope, longest
 * waiting first, each with when it entered review by the same rule (in SQL:
 * the latest event into the state that is not a 撤回). */
#ifndef FZ_LEGAL_REVIEW_H
#define FZ_LEGAL_REVIEW_H

#include <jansson.h>
#include <stdint.h>

#include "engine/authz.h"
#include "engine/defs.h"

typedef struct store_conn store_conn;

#define LEGAL_REVIEW_STATE "reviewing"

/* Does procedure d have the review state? */
int legal_review_applies(const def *d);

/* The rounds of one case, fed its events in order (case.* steps only; the
 * caller skips comments and assignments). */
typedef struct review_acc {
    json_t *rounds; /* owned until legal_review_finish */
} review_acc;

void legal_review_init(review_acc *r);
/* at: the event's time (ms); label: the step's label in the definition. */
void legal_review_feed(review_acc *r, int64_t at, const char *actor, const char *label, const char *from,
                       const char *to, const json_t *payload);
/* The rounds, oldest first: [{submitted_at, submitted_by, submitted_via,
 * decided_at, decided_by, decision, opinion, note, reviewer, minutes,
 * waiting_minutes}] (times RFC 3339; decided_* and minutes null while the
 * round is open, waiting_minutes only then). New reference; r is emptied. */
json_t *legal_review_finish(review_acc *r, int64_t now_ms);

/* The queue: {"total", "rows": [{kind, title, id, no, state_label, unit_id,
 * unit_name, handler_id, party, submitted_at, submitted_by, submitted_via,
 * waiting_minutes, waiting_days}]} over every procedure that has the state,
 * the cases in it within who's scope for case:view, longest waiting first
 * (a case with no such step, e.g. imported in that state, first), paged.
 * New reference in *out. FZ_OK or a store error. */
int legal_review_queue(store_conn *c, const defs *ds, const principal *who, int64_t now_ms, int64_t page, int64_t size,
                       json_t **out);

#endif
