/* verify.c: events_verify (events.h), the check of every ledger's chain.
 *
 * The events are read in seq order, the table's own order: a sequential read
 * (ledger, lseq order walked the unique index and fetched each row at random,
 * a third of the time in the kernel). Within a ledger seq grows with lseq (a
 * ledger's appends are serialised), so each ledger's chain is followed with a
 * little state per ledger. The link checks (lseq continuity, prev_hash equal
 * to the previous hash) are made as the rows are read; the SM3 of each event,
 * the bulk of the work, is computed on a second thread over batches the
 * reading thread fills, so reading and hashing use both cores. A failure is
 * reported for the first broken event in seq order. */
#include "engine/events.h"
#include "store/store.h"
#include "core/keyidx.h"
#include "core/sm.h"
#include "core/status.h"
#include "core/strbuf.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 4096

typedef struct chain {
    char ledger[32];
    int64_t lseq, last_seq;
    char head[SM3_HEX_LEN + 1];
} chain;

typedef struct item {
    int64_t seq, lseq;
    int ledger; /* index into the chains */
    size_t off, len;
    char hash[SM3_HEX_LEN + 1]; /* as stored */
} item;

typedef struct batch {
    item v[BATCH];
    int n;
    strbuf data;      /* prev bytes + canonical encoding of each item */
    atomic_int next;  /* the next item to hash (both threads take from it) */
    atomic_int bad;   /* lowest item whose hash differs; BATCH: none */
    atomic_int error; /* hashing itself failed */
} batch;

typedef struct hasher {
    pthread_t t;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    batch *work; /* handed to the thread; NULL when idle */
    int busy, quit;
    sm3_ctx *sm; /* the thread's */
} hasher;

/* Hashes items of b taken from its shared counter until none is left; the
 * reading thread joins in when it has filled the next batch first. */
static void hash_items(batch *b, sm3_ctx *sm)
{
    int i;
    while ((i = atomic_fetch_add(&b->next, 1)) < b->n) {
        unsigned char d[SM3_LEN];
        char hex[SM3_HEX_LEN + 1];
        if (!sm || sm3_digest(sm, b->data.data + b->v[i].off, b->v[i].len, d)) {
            atomic_store(&b->error, 1);
            continue;
        }
        sm3_hex(d, hex);
        if (memcmp(hex, b->v[i].hash, SM3_HEX_LEN + 1) != 0) {
            int cur = atomic_load(&b->bad);
            while (i < cur && !atomic_compare_exchange_weak(&b->bad, &cur, i))
                ;
        }
    }
}

static void batch_reset(batch *b)
{
    b->n = 0;
    strbuf_reset(&b->data);
    atomic_store(&b->next, 0);
    atomic_store(&b->bad, BATCH);
    atomic_store(&b->error, 0);
}

static void *hasher_main(void *arg)
{
    hasher *h = arg;
    pthread_mutex_lock(&h->mu);
    for (;;) {
        while (!h->work && !h->quit)
            pthread_cond_wait(&h->cv, &h->mu);
        if (!h->work)
            break;
        batch *b = h->work;
        pthread_mutex_unlock(&h->mu);
        hash_items(b, h->sm);
        pthread_mutex_lock(&h->mu);
        h->work = NULL;
        h->busy = 0;
        pthread_cond_broadcast(&h->cv);
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

static void hasher_give(hasher *h, batch *b)
{
    pthread_mutex_lock(&h->mu);
    h->work = b;
    h->busy = 1;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
}

static void hasher_wait(hasher *h)
{
    pthread_mutex_lock(&h->mu);
    while (h->busy)
        pthread_cond_wait(&h->cv, &h->mu);
    pthread_mutex_unlock(&h->mu);
}

static void fail(verify_result *r, int64_t seq, const char *fmt, const char *a, long long b)
{
    if (!r->ok)
        return;
    r->ok = 0;
    r->bad_seq = seq;
    snprintf(r->reason, sizeof(r->reason), fmt, a, b);
}

typedef struct walk {
    verify_result *r;
    chain *c;
    size_t nc, cap;
    keyidx idx;
    batch *b[2]; /* filling, hashing */
    hasher h;
    int threaded;
    sm3_ctx *sm;     /* the reading thread's */
    int64_t checked; /* events whose hash matched, in whole batches */
} walk;

/* The result of a hashed batch: FZ_OK, or the failure set. */
static int settle(walk *w, batch *b)
{
    if (atomic_load(&b->error)) {
        w->r->ok = 0;
        snprintf(w->r->reason, sizeof(w->r->reason), "计算事件哈希失败");
        return FZ_ERR;
    }
    int bad = atomic_load(&b->bad);
    if (bad < b->n) {
        const item *it = &b->v[bad];
        w->checked += bad;
        fail(w->r, it->seq, "账本 %s 的事件内容与其哈希不符（账本序号 %lld），事件被篡改", w->c[it->ledger].ledger,
             (long long)it->lseq);
        return FZ_INVALID;
    }
    w->checked += b->n;
    return FZ_OK;
}

/* Finishes the batch the thread is hashing (helping it), settles it, and
 * hands over the full one. */
static int flush(walk *w)
{
    batch *full = w->b[0];
    if (!full->n)
        return FZ_OK;
    if (!w->threaded) {
        hash_items(full, w->sm);
        int rc = settle(w, full);
        batch_reset(full);
        return rc;
    }
    hash_items(w->b[1], w->sm);
    hasher_wait(&w->h);
    int rc = w->b[1]->n ? settle(w, w->b[1]) : FZ_OK;
    batch_reset(w->b[1]);
    if (rc)
        return rc;
    w->b[0] = w->b[1];
    w->b[1] = full;
    hasher_give(&w->h, full);
    return FZ_OK;
}

/* The chain state of ledger (added on its first event). -1: no memory. */
static long chain_of(walk *w, const char *ledger)
{
    long at = kx_find(&w->idx, w->c, ledger);
    if (at >= 0)
        return at;
    if (w->nc == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64;
        chain *nv = realloc(w->c, cap * sizeof(*nv));
        if (!nv)
            return -1;
        w->c = nv, w->cap = cap;
    }
    chain *c = &w->c[w->nc++];
    memset(c, 0, sizeof(*c));
    snprintf(c->ledger, sizeof(c->ledger), "%s", ledger);
    memcpy(c->head, EVENTS_ZERO_HASH, sizeof(c->head));
    if (kx_add(&w->idx, w->c, w->nc)) {
        w->nc--;
        return -1;
    }
    return (long)w->nc - 1;
}

/* Reads one event row into the filling batch after its link checks. */
static int take(walk *w, store_stmt *st)
{
    event e = {0};
    e.seq = store_col_int(st, 0);
    e.ledger = store_col_text(st, 1);
    e.lseq = store_col_int(st, 2);
    long ci = chain_of(w, e.ledger);
    if (ci < 0)
        return FZ_NOMEM;
    chain *c = &w->c[ci];
    if (e.lseq != c->lseq + 1) {
        fail(w->r, e.seq, "账本 %s 的事件序号不连续：应为 %lld，事件可能被删除", c->ledger, (long long)(c->lseq + 1));
        return FZ_INVALID;
    }
    const char *prev_hash = store_col_text(st, 14), *hash = store_col_text(st, 15);
    if (strcmp(prev_hash, c->head) != 0) {
        fail(w->r, e.seq, "账本 %s 的前序哈希与上一事件不符（账本序号 %lld）", c->ledger, (long long)e.lseq);
        return FZ_INVALID;
    }
    e.at = store_col_int(st, 3);
    e.actor = store_col_text(st, 4);
    e.unit_id = store_col_int(st, 5);
    e.region_code = store_col_text(st, 6);
    e.subject_kind = store_col_text(st, 7);
    e.subject_id = store_col_text(st, 8);
    e.action = store_col_text(st, 9);
    e.from_state = store_col_text(st, 10);
    e.to_state = store_col_text(st, 11);
    e.payload = store_col_text(st, 12);
    e.def_digest = store_col_text(st, 13);
    batch *b = w->b[0];
    item *it = &b->v[b->n];
    unsigned char prev[SM3_LEN];
    if (strlen(hash) != SM3_HEX_LEN || sm3_unhex(prev_hash, prev)) {
        fail(w->r, e.seq, "账本 %s 的事件内容与其哈希不符（账本序号 %lld），事件被篡改", c->ledger, (long long)e.lseq);
        return FZ_INVALID;
    }
    it->seq = e.seq, it->lseq = e.lseq, it->ledger = (int)ci;
    it->off = b->data.len;
    strbuf_append(&b->data, prev, SM3_LEN);
    event_canonical(&e, &b->data);
    if (!strbuf_ok(&b->data))
        return FZ_NOMEM;
    it->len = b->data.len - it->off;
    memcpy(it->hash, hash, SM3_HEX_LEN + 1);
    b->n++;
    c->lseq = e.lseq;
    c->last_seq = e.seq;
    memcpy(c->head, hash, SM3_HEX_LEN + 1);
    return b->n == BATCH ? flush(w) : FZ_OK;
}

/* After a link failure in the filling batch: an earlier event of it, or of
 * the batch being hashed, whose hash differs comes first. */
static void settle_before_failure(walk *w)
{
    verify_result keep = *w->r;
    w->r->ok = 1;
    if (w->threaded) {
        hash_items(w->b[1], w->sm);
        hasher_wait(&w->h);
        if (w->b[1]->n && settle(w, w->b[1]))
            return;
        batch_reset(w->b[1]);
    }
    hash_items(w->b[0], w->sm);
    if (settle(w, w->b[0]))
        return;
    batch_reset(w->b[0]);
    *w->r = keep;
}

static int chain_cmp(const void *a, const void *b)
{
    return strcmp(((const chain *)a)->ledger, ((const chain *)b)->ledger);
}

/* Every ledger's head row agrees with its last event, and no head row names
 * a ledger without events. */
static void check_heads(store_conn *c, walk *w)
{
    verify_result *r = w->r;
    for (size_t i = 0; i < w->nc && r->ok; i++) {
        int64_t want;
        char want_head[SM3_HEX_LEN + 1];
        if (events_head(c, w->c[i].ledger, &want, want_head)) {
            fail(r, w->c[i].last_seq, "无法读取账本 %s 的链头 (%lld)", w->c[i].ledger, 0);
            return;
        }
        if (want != w->c[i].lseq || strcmp(want_head, w->c[i].head) != 0)
            fail(r, w->c[i].last_seq, "账本 %s 的链头记录与事件链不符（链头序号 %lld），事件可能被删除或链头被改写",
                 w->c[i].ledger, (long long)want);
    }
    store_stmt *st;
    if (r->ok && store_prepare(c, "SELECT count(*) FROM ledgers WHERE lseq > 0", &st) == FZ_OK) {
        if (store_step(st) == STORE_ROW && store_col_int(st, 0) != (int64_t)w->nc)
            fail(r, 0, "账本表记录了事件链中不存在的账本%s（共 %lld 个账本）", "", (long long)store_col_int(st, 0));
        store_done(st);
    }
}

int events_verify(store *s, verify_result *r)
{
    memset(r, 0, sizeof(*r));
    r->ok = 1;
    store_conn *c = store_reader(s);
    if (!c)
        return FZ_UNAVAIL;
    store_stmt *st;
    if (store_prepare(c,
                      "SELECT seq, ledger, lseq, at, actor, unit_id, region_code, subject_kind, subject_id,"
                      " action, from_state, to_state, payload, def_digest, prev_hash, hash"
                      " FROM events ORDER BY seq",
                      &st))
        return FZ_ERR;
    walk w = {.r = r, .idx = KEYIDX_INIT(chain, ledger)};
    w.b[0] = calloc(1, sizeof(batch));
    w.b[1] = calloc(1, sizeof(batch));
    w.sm = sm3_new();
    w.h.sm = sm3_new();
    int rc = w.b[0] && w.b[1] && w.sm && w.h.sm ? FZ_OK : FZ_NOMEM;
    if (!rc) {
        for (int i = 0; i < 2; i++) {
            strbuf_init(&w.b[i]->data);
            batch_reset(w.b[i]);
        }
        pthread_mutex_init(&w.h.mu, NULL);
        pthread_cond_init(&w.h.cv, NULL);
        w.threaded = pthread_create(&w.h.t, NULL, hasher_main, &w.h) == 0;
    }
    int step = STORE_DONE;
    while (!rc && (step = store_step(st)) == STORE_ROW)
        rc = take(&w, st);
    store_done(st);
    if (rc == FZ_INVALID && !r->ok)
        settle_before_failure(&w);
    else if (!rc && step == STORE_DONE) {
        rc = flush(&w);
        if (!rc && w.threaded) { /* the last batch */
            hash_items(w.b[1], w.sm);
            hasher_wait(&w.h);
            rc = w.b[1]->n ? settle(&w, w.b[1]) : FZ_OK;
        }
    }
    if (w.threaded) {
        hasher_wait(&w.h);
        pthread_mutex_lock(&w.h.mu);
        w.h.quit = 1;
        pthread_cond_broadcast(&w.h.cv);
        pthread_mutex_unlock(&w.h.mu);
        pthread_join(w.h.t, NULL);
    }
    if (w.b[0] && w.b[1] && w.sm && w.h.sm) {
        pthread_mutex_destroy(&w.h.mu);
        pthread_cond_destroy(&w.h.cv);
    }
    sm3_abort(w.sm);
    sm3_abort(w.h.sm);
    r->count = w.checked;
    if (rc == FZ_NOMEM || (step != STORE_ROW && step != STORE_DONE)) {
        r->ok = 0;
        snprintf(r->reason, sizeof(r->reason), "读取事件表失败：%s",
                 rc == FZ_NOMEM ? "内存不足" : store_errmsg(c));
        rc = FZ_ERR;
    } else {
        rc = FZ_OK;
    }
    if (r->ok)
        check_heads(c, &w);
    /* The ledgers in name order, the first 64 reported. */
    if (w.nc > 1)
        qsort(w.c, w.nc, sizeof(*w.c), chain_cmp);
    r->nledgers = (int)w.nc;
    for (size_t i = 0; i < w.nc && i < 64; i++) {
        snprintf(r->ledgers[i].ledger, sizeof(r->ledgers[i].ledger), "%s", w.c[i].ledger);
        r->ledgers[i].count = w.c[i].lseq;
        memcpy(r->ledgers[i].head, w.c[i].head, sizeof(r->ledgers[i].head));
    }
    for (int i = 0; i < 2; i++)
        if (w.b[i]) {
            strbuf_free(&w.b[i]->data);
            free(w.b[i]);
        }
    free(w.c);
    kx_free(&w.idx);
    return rc;
}
