/* events.c: appending to and verifying the SM3 event chain (see events.h and
 * docs/events.md for the canonical encoding). */
#include "engine/events.h"
#include "engine/authcache.h"
#include "store/store.h"
#include "core/status.h"
#include "core/timeutil.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CANON_MAGIC "FZEV1"

static atomic_uint_fast64_t g_appended;

uint64_t events_appended(void)
{
    return atomic_load(&g_appended);
}

char *event_payload_text(const json_t *payload)
{
    if (!payload)
        return strdup("{}");
    return json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

static const char *nz(const char *s)
{
    return s ? s : "";
}

static void lv_str(strbuf *b, const char *s)
{
    s = nz(s);
    strbuf_lv(b, s, strlen(s));
}

static void lv_int(strbuf *b, int64_t v)
{
    char num[24];
    int n = snprintf(num, sizeof(num), "%lld", (long long)v);
    strbuf_lv(b, num, (size_t)n);
}

void event_canonical(const event *e, strbuf *out)
{
    strbuf_append(out, CANON_MAGIC, sizeof(CANON_MAGIC) - 1);
    lv_str(out, e->ledger);
    lv_int(out, e->lseq);
    lv_int(out, e->at);
    lv_str(out, e->actor);
    lv_int(out, e->unit_id);
    lv_str(out, e->region_code ? e->region_code : e->ledger);
    lv_str(out, e->subject_kind);
    lv_str(out, e->subject_id);
    lv_str(out, e->action);
    lv_str(out, e->from_state);
    lv_str(out, e->to_state);
    lv_str(out, e->payload ? e->payload : "{}");
    lv_str(out, e->def_digest);
}

/* Hashes prev||canonical(e) using buf as scratch (reset first). */
static int hash_with(const event *e, strbuf *buf, char out[SM3_HEX_LEN + 1])
{
    unsigned char prev[SM3_LEN], d[SM3_LEN];
    if (sm3_unhex(e->prev_hash, prev))
        return FZ_INVALID;
    strbuf_reset(buf);
    strbuf_append(buf, prev, SM3_LEN);
    event_canonical(e, buf);
    if (!strbuf_ok(buf) || sm3(buf->data, buf->len, d))
        return FZ_ERR;
    sm3_hex(d, out);
    return FZ_OK;
}

int event_hash(const event *e, char out[SM3_HEX_LEN + 1])
{
    strbuf b = STRBUF_INIT;
    int rc = hash_with(e, &b, out);
    strbuf_free(&b);
    return rc;
}

int events_head(store_conn *c, const char *ledger, int64_t *lseq, char head[SM3_HEX_LEN + 1])
{
    store_stmt *st;
    if (store_prepare(c, "SELECT lseq, head FROM ledgers WHERE ledger = ?", &st))
        return FZ_ERR;
    store_bind_text(st, 1, ledger);
    int rc = store_step(st);
    if (rc == STORE_ROW) {
        *lseq = store_col_int(st, 0);
        snprintf(head, SM3_HEX_LEN + 1, "%s", store_col_text(st, 1));
    } else {
        *lseq = 0;
        head[0] = '\0';
    }
    store_done(st);
    return rc < 0 ? FZ_ERR : FZ_OK;
}

/* ---- the ledger heads of the job in progress ----
 * A ledger's head row is written once at the end of each store write job
 * (store_add_job_end_hook), not once per event: a job may append thousands
 * (an import), and PostgreSQL keeps every version of a row updated again and
 * again in one transaction, which makes per-event updates quadratic. Until
 * then the head lives here, per writer thread (one writer per store). */

typedef struct pending {
    store_conn *w;
    char ledger[32];
    int64_t lseq;
    char head[SM3_HEX_LEN + 1];
} pending;

#define MAX_PENDING 8
static _Thread_local pending pend[MAX_PENDING];
static _Thread_local int npend;

static pending *pending_for(store_conn *w, const char *ledger)
{
    for (int i = 0; i < npend; i++)
        if (pend[i].w == w && strcmp(pend[i].ledger, ledger) == 0)
            return &pend[i];
    return NULL;
}

static int write_head(store_conn *w, const char *ledger, int64_t lseq, const char *head)
{
    return store_run(w,
                     "INSERT INTO ledgers (ledger, lseq, head) VALUES (?, ?, ?)"
                     " ON CONFLICT (ledger) DO UPDATE SET lseq = excluded.lseq, head = excluded.head",
                     "sis", ledger, lseq, head);
}

/* Remembers the new head (written at the job's end; at once when the
 * table of pending heads is full). */
static int note_head(store_conn *w, const char *ledger, int64_t lseq, const char *head)
{
    pending *pd = pending_for(w, ledger);
    if (!pd && npend == MAX_PENDING)
        return write_head(w, ledger, lseq, head);
    if (!pd) {
        pd = &pend[npend++];
        pd->w = w;
        snprintf(pd->ledger, sizeof(pd->ledger), "%s", ledger);
    }
    pd->lseq = lseq;
    memcpy(pd->head, head, sizeof(pd->head));
    return FZ_OK;
}

/* The job-end hook: write the heads (ok), or forget them (rolled back). */
static int flush_heads(store_conn *w, int ok)
{
    int rc = FZ_OK;
    for (int i = 0; ok && rc == FZ_OK && i < npend; i++)
        if (pend[i].w == w)
            rc = write_head(w, pend[i].ledger, pend[i].lseq, pend[i].head);
    npend = 0;
    return rc;
}

__attribute__((constructor)) static void events_init(void)
{
    store_add_job_end_hook(flush_heads);
}

int event_append(store_conn *w, event *e, const json_t *payload)
{
    /* A ledger name verify cannot hold (verify_ledger.ledger) would fail every later verify. */
    if (!e->ledger || !*e->ledger || strlen(e->ledger) >= sizeof(((verify_ledger *)0)->ledger) ||
        !e->action || !*e->action)
        return FZ_INVALID;
    int64_t lseq;
    char head[SM3_HEX_LEN + 1];
    pending *pd = pending_for(w, e->ledger);
    if (pd) {
        lseq = pd->lseq;
        memcpy(head, pd->head, sizeof(head));
    } else if (events_head(w, e->ledger, &lseq, head)) {
        return FZ_ERR;
    }
    e->lseq = lseq + 1;
    memcpy(e->prev_hash, lseq ? head : EVENTS_ZERO_HASH, SM3_HEX_LEN + 1);
    if (!e->at)
        e->at = time_now_ms();
    char *text = event_payload_text(payload);
    if (!text)
        return FZ_INVALID; /* not encodable (e.g. invalid UTF-8) */
    e->payload = text;
    int rc = event_hash(e, e->hash);
    if (rc) {
        free(text);
        e->payload = NULL;
        return rc;
    }
    store_stmt *st;
    rc = store_prepare(w,
        "INSERT INTO events (ledger, lseq, at, actor, unit_id, region_code, subject_kind,"
        " subject_id, action, from_state, to_state, payload, def_digest, prev_hash, hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq", &st);
    if (rc == FZ_OK) {
        store_bind_text(st, 1, e->ledger);
        store_bind_int(st, 2, e->lseq);
        store_bind_int(st, 3, e->at);
        store_bind_text(st, 4, nz(e->actor));
        store_bind_int(st, 5, e->unit_id);
        store_bind_text(st, 6, e->region_code ? e->region_code : e->ledger);
        store_bind_text(st, 7, nz(e->subject_kind));
        store_bind_text(st, 8, nz(e->subject_id));
        store_bind_text(st, 9, e->action);
        store_bind_text(st, 10, nz(e->from_state));
        store_bind_text(st, 11, nz(e->to_state));
        store_bind_text(st, 12, text);
        store_bind_text(st, 13, nz(e->def_digest));
        store_bind_text(st, 14, e->prev_hash);
        store_bind_text(st, 15, e->hash);
        rc = store_step(st);
        if (rc == STORE_ROW) {
            e->seq = store_col_int(st, 0);
            rc = store_step(st) == STORE_DONE ? FZ_OK : FZ_ERR;
        } else {
            rc = FZ_ERR;
        }
        store_done(st);
    }
    free(text);
    e->payload = NULL;
    if (rc)
        return rc;
    rc = note_head(w, e->ledger, e->lseq, e->hash);
    if (rc == FZ_OK) {
        atomic_fetch_add(&g_appended, 1);
        authcache_note_event(e->subject_kind, e->action);
    }
    return rc;
}
