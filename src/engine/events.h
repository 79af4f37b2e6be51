/* events.h: the full-process record and audit chain (DESIGN §5, docs/events.md).
 *
 * Each ledger (a county's 12-digit region code) is a hash chain:
 *   hash = SM3(prev_hash || canonical(event)), prev_hash of the first = 32 zero bytes.
 * Events are appended inside a store write job, in the same transaction as
 * the change they record; nothing updates or deletes an event. */
#ifndef FZ_EVENTS_H
#define FZ_EVENTS_H

#include <jansson.h>
#include <stdint.h>

#include "core/sm.h"
#include "core/strbuf.h"

typedef struct store store;
typedef struct store_conn store_conn;

typedef struct event {
    int64_t seq;             /* set by event_append */
    const char *ledger;      /* required: 12-digit region code of the chain */
    int64_t lseq;            /* set by event_append: position in the ledger, from 1 */
    int64_t at;              /* ms since the epoch (UTC); 0 = now */
    const char *actor;       /* user name or "system"; NULL = "" */
    int64_t unit_id;
    const char *region_code; /* NULL = ledger */
    const char *subject_kind;
    const char *subject_id;
    const char *action;      /* required, e.g. "system.init" */
    const char *from_state;
    const char *to_state;
    const char *payload;     /* canonical JSON text; set by event_append from the json_t */
    const char *def_digest;
    char prev_hash[SM3_HEX_LEN + 1];
    char hash[SM3_HEX_LEN + 1];
} event;

/* Canonical JSON for payloads: compact, keys sorted, UTF-8. Caller frees. */
char *event_payload_text(const json_t *payload);

/* Appends e to its ledger on the writer connection w (call inside a
 * store_write job). payload may be NULL ({}); it is borrowed. Fills seq,
 * lseq, at, payload (NULL afterwards: the text is freed on return),
 * prev_hash and hash. */
int event_append(store_conn *w, event *e, const json_t *payload);

/* The prev_hash of a ledger's first event. */
#define EVENTS_ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

/* Appends the canonical encoding of e (without prev_hash) to out. */
void event_canonical(const event *e, strbuf *out);
/* Computes the hex hash of e given its prev_hash. */
int event_hash(const event *e, char out[SM3_HEX_LEN + 1]);

/* Total events appended by this process (for /metrics). */
uint64_t events_appended(void);

typedef struct verify_ledger {
    char ledger[32];
    int64_t count;
    char head[SM3_HEX_LEN + 1];
} verify_ledger;

typedef struct verify_result {
    int ok;
    int64_t count;            /* events checked */
    int nledgers;
    verify_ledger ledgers[64];/* first 64 ledgers */
    int64_t bad_seq;          /* first broken event (global seq), 0 if none */
    char reason[256];         /* Chinese explanation of the first break */
} verify_result;

/* Walks every ledger's chain from the first event and checks lseq continuity,
 * prev_hash links, every hash, and the ledgers table head. */
int events_verify(store *s, verify_result *r);

/* Head of one ledger: count and hash ("" and 0 when empty). */
int events_head(store_conn *c, const char *ledger, int64_t *lseq, char head[SM3_HEX_LEN + 1]);

#endif
