/* publish.h: 公示 — the public record of a decision (行政处罚法第四十八条,
 * 国办发〔2018〕118号: 行政处罚、行政许可决定 within 7 working days).
 *
 * A procedure action of kind "publish" writes one publication of the case
 * from the fields its definition marks "publish": true, desensitised as it is
 * written, so nothing personal is ever stored in the public table:
 *  - a natural person's name is partly masked (张*丰), the ID number and
 *    every field marked "personal" (an address) are left out;
 *  - an organisation's full name and 统一社会信用代码 are shown;
 *  - fields marked "sensitive" are never published.
 * An action of kind "unpublish" withdraws it (on revocation or change of the
 * decision, within 3 working days: a clock in the definition), with a reason.
 * A publication goes offline at offline_on, published_on plus the retention
 * of the definition's "publication" block (by the party's kind).
 * The deadlines themselves are clocks of the procedure (docs/publications.md). */
#ifndef FZ_PUBLISH_H
#define FZ_PUBLISH_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/defs.h"

typedef struct store_conn store_conn;

#define PUBLISH_INDEX "pub" /* the full-text index of publications */

typedef struct publish_in {
    const def *d;             /* the procedure; its "publication" block */
    const char *subject_kind; /* "case:<kind>" */
    const char *subject_id;
    const char *case_no;
    int64_t unit_id;
    const char *region_code;
    const char *ledger;
    const char *actor;
    const json_t *fields;     /* the case's values, the party's ID number in clear */
    int64_t today;            /* day number */
} publish_in;

/* The published items [{label, value}], desensitised (see above). party_kind
 * receives the first party field's kind (自然人 when none), party_name the
 * name as published. Pure: no store access. */
json_t *publish_render(const def *d, const json_t *fields, char party_kind[32], char party_name[256]);
/* The published form of a natural person's name: the first character, then
 * "*" for each further one but the last of three or more (张* / 张*丰 / 欧**锋). */
void publish_mask_name(const char *name, char *out, size_t n);

/* Writes the publication and its event and puts it in the index. 409-like
 * FZ_CONFLICT (why set) when the case already has one in force. */
int publish_create(store_conn *w, const publish_in *in, int64_t *id, char *why, size_t n);
/* Withdraws the case's publication in force, recording the reason;
 * FZ_NOTFOUND (why set) when there is none. */
int publish_withdraw(store_conn *w, const publish_in *in, const char *reason, int64_t *id, char *why, size_t n);

/* One publication as JSON for the public (no internal ids besides its own),
 * or NULL when it does not exist or is withdrawn or offline on today. */
json_t *publish_get(store_conn *c, int64_t id, int64_t today);

#endif
