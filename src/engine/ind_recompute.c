/* ind_recompute.c: the full recompute of every indicator fact and value
 * from the record, or its comparison with the stored ones (indicators.h
 * ind_recompute; docs/indicators.md §5).
 *
 * Batched, with the evaluation of the incremental path (ind_eval_fact on a
 * case_view, engine/ind_eval.h): per procedure kind one scan of the case
 * table in id order, merged with what was read beforehand and sorted by
 * case id: the clocks of every kind in one pass over the clocks table, the
 * events of each action the conditions name along the events (action, at)
 * index. Each fact is compared with the stored one as the scan goes (one
 * range read per indicator, in case id order) and summed into the values,
 * so neither the facts nor the cases are ever held whole: memory is the
 * clocks and events, the values and the differences, and only the rows that
 * differ are written. Every read is in chunks of at most SCAN_CHUNK rows
 * (keyset: the next chunk starts after the last key), since a PostgreSQL
 * writer connection holds a statement's whole result. Given a store to read
 * from as well (the CLI), the events are read on a second thread while the
 * clocks are, and a large kind's cases are scanned in two halves at once,
 * the second on that thread's read connection. Rule full_record reads each
 * case's records column (engine/reccol.h); --check derives it from the
 * events and attachments instead and compares.
 *
 * SQL here names tables only from validated definitions (case_<kind>);
 * every value is bound. */
#include "engine/indicators.h"
#include "engine/ind_eval.h"
#include "engine/officer_stock.h"
#include "engine/reccol.h"
#include "engine/scan.h"
#include "store/store.h"
#include "core/status.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the conditions read of a kind's cases besides their rows, kept as
 * (case id, value) sorted by case id and merged with the scan of the cases:
 * a clock as one key (id << 16 | clock << 8 | state + 2), an event as a key
 * (id << 16 | event) and its time; rule full_record under --check, the
 * records each case lacks as derived from its events and attachments
 * (engine/reccol.h: id << 16 | count, cases not listed lack none). */
typedef scan_keys keys;

typedef struct evkey {
    uint64_t key;
    int64_t at;
} evkey;

typedef struct evkeys {
    evkey *v;
    size_t n, cap;
} evkeys;

/* The clocks the conditions name of every case of the kinds in kps (n of
 * them; out: one array each), in one pass over the clocks table along its
 * primary key: sequential, where reading one kind along the
 * (subject_kind, subject_id, name) index looks every row up. */
static int read_clocks(store_conn *w, const kplan *const *kps, int n, keys *out)
{
    int rc = FZ_OK;
    int64_t last = 0;
    for (int more = 1; !rc && more;) {
        store_stmt *st;
        if (store_prepare(w,
                          "SELECT id, subject_kind, subject_id, name, state FROM clocks"
                          " WHERE id > ? ORDER BY id LIMIT ?",
                          &st))
            return FZ_ERR;
        store_bind_int(st, 1, last);
        store_bind_int(st, 2, SCAN_CHUNK);
        int got = 0, s = STORE_DONE;
        while (!rc && (s = store_step(st)) == STORE_ROW) {
            got++;
            last = store_col_int(st, 0);
            const char *sk = store_col_text(st, 1);
            int k = 0;
            while (k < n && strcmp(kps[k]->skind, sk) != 0)
                k++;
            if (k == n)
                continue;
            int c = ind_strset_find(&kps[k]->clocks, store_col_text(st, 3));
            int64_t id = scan_case_id(store_col_text(st, 2));
            if (c < 0 || !id)
                continue;
            if (id >= SCAN_ID_MAX) {
                rc = FZ_INVALID;
                break;
            }
            int state = ind_clock_state(kps[k], store_col_text(st, 4));
            if (!(rc = scan_grow((void **)&out[k].v, &out[k].cap, out[k].n, sizeof(*out[k].v))))
                out[k].v[out[k].n++] = (uint64_t)id << 16 | (uint64_t)c << 8 | (uint64_t)(state + 2);
        }
        store_done(st);
        if (!rc && s != STORE_DONE)
            rc = FZ_ERR;
        more = got == SCAN_CHUNK;
    }
    return rc;
}

typedef struct event_acc {
    evkeys *out;
    int e;
} event_acc;

static int event_key(void *ctx, int64_t id, int64_t seq, int64_t at, const char *payload)
{
    event_acc *a = ctx;
    (void)seq, (void)payload;
    int rc = scan_grow((void **)&a->out->v, &a->out->cap, a->out->n, sizeof(*a->out->v));
    if (!rc)
        a->out->v[a->out->n++] = (evkey){(uint64_t)id << 16 | (uint64_t)a->e, at};
    return rc;
}

/* The events of the actions kp's conditions name, as (id << 16 | action,
 * at), along the events (action, at) index. */
static int read_events(store_conn *w, const kplan *kp, evkeys *out)
{
    int rc = FZ_OK;
    for (int e = 0; !rc && e < kp->events.n; e++) {
        event_acc a = {out, e};
        rc = scan_each_event(w, kp->skind, kp->events.v[e], 0, event_key, &a);
    }
    return rc;
}

/* The stored facts of one indicator and kind with lo < case_id <= hi, read
 * along their key in chunks (case_id order). */
typedef struct fcursor {
    const char *ind, *kind;
    ifact *buf;
    int n, i, eof;
    int64_t last, hi;
} fcursor;

static int fcursor_fill(store_conn *w, fcursor *c)
{
    store_stmt *st;
    c->n = c->i = 0;
    if (!c->buf && !(c->buf = malloc(SCAN_CHUNK * sizeof(*c->buf))))
        return FZ_NOMEM;
    if (store_prepare(w,
                      "SELECT case_id, unit_id, period, in_num, in_den FROM indicator_facts"
                      " WHERE indicator = ? AND kind = ? AND case_id > ? AND case_id <= ? ORDER BY case_id LIMIT ?",
                      &st))
        return FZ_ERR;
    store_bind_text(st, 1, c->ind);
    store_bind_text(st, 2, c->kind);
    store_bind_int(st, 3, c->last);
    store_bind_int(st, 4, c->hi);
    store_bind_int(st, 5, SCAN_CHUNK);
    int rc;
    while ((rc = store_step(st)) == STORE_ROW && c->n < SCAN_CHUNK) {
        ifact *f = &c->buf[c->n++];
        f->case_id = store_col_int(st, 0);
        f->unit_id = store_col_int(st, 1);
        snprintf(f->period, sizeof(f->period), "%s", store_col_text(st, 2));
        f->num = store_col_int(st, 3);
        f->den = store_col_int(st, 4);
        c->last = f->case_id;
    }
    store_done(st);
    if (rc != STORE_ROW && rc != STORE_DONE)
        return FZ_ERR;
    c->eof = c->n < SCAN_CHUNK;
    return FZ_OK;
}

/* The next stored fact (NULL at the end) without taking it. */
static int fcursor_peek(store_conn *w, fcursor *c, const ifact **f)
{
    *f = NULL;
    if (c->i == c->n && !c->eof) {
        int rc = fcursor_fill(w, c);
        if (rc)
            return rc;
    }
    if (c->i < c->n)
        *f = &c->buf[c->i];
    return FZ_OK;
}

/* A difference between the stored (s) and the recomputed (c) fact of a case. */
typedef struct fdiff {
    ifact s, c;
    unsigned char has_s, has_c;
} fdiff;

typedef struct diffs {
    fdiff *v;
    size_t n, cap;
} diffs;

static int diff_add(diffs *p, const ifact *s, const ifact *c)
{
    if (scan_grow((void **)&p->v, &p->cap, p->n, sizeof(*p->v)))
        return FZ_NOMEM;
    fdiff *d = &p->v[p->n++];
    memset(d, 0, sizeof(*d));
    if (s) {
        d->s = *s;
        d->has_s = 1;
    }
    if (c) {
        d->c = *c;
        d->has_c = 1;
    }
    return FZ_OK;
}

/* Appends b to a (b is left empty). */
static int diffs_join(diffs *a, diffs *b)
{
    if (!a->n) {
        diffs t = *a;
        *a = *b;
        *b = t;
        return FZ_OK;
    }
    if (b->n) {
        fdiff *v = realloc(a->v, (a->n + b->n) * sizeof(*v));
        if (!v)
            return FZ_NOMEM;
        memcpy(v + a->n, b->v, b->n * sizeof(*v));
        a->v = v;
        a->n += b->n;
        a->cap = a->n;
        b->n = 0;
    }
    return FZ_OK;
}

/* The facts of one indicator over one kind, and how the stored ones differ. */
typedef struct pair {
    const char *ind, *kind;
    int computed; /* recomputed (else every stored fact of it is a difference) */
    diffs d;
} pair;

typedef struct pairs {
    pair *v;
    size_t n;
} pairs;

static pair *pair_add(pairs *p, const char *ind, const char *kind)
{
    pair *v = realloc(p->v, (p->n + 1) * sizeof(*v));
    if (!v)
        return NULL;
    p->v = v;
    p->v[p->n] = (pair){.ind = ind, .kind = kind};
    return &p->v[p->n++];
}

static int pair_cmp(const void *x, const void *y)
{
    const pair *a = x, *b = y;
    int c = strcmp(a->ind, b->ind);
    return c ? c : strcmp(a->kind, b->kind);
}

/* A value: the sums of an indicator's facts for a unit and month. */
typedef struct ivalue {
    const char *ind;
    int64_t unit_id, num, den;
    char period[12];
} ivalue;

typedef struct ivalues {
    ivalue *v;
    size_t n, cap;
} ivalues;

/* The recomputed values, summed as the facts come (open addressing on
 * indicator, unit, period; the indicator by its name's address). */
typedef struct vtable {
    ivalue *v;
    unsigned char *used;
    size_t n, cap;
} vtable;

static void vtable_free(vtable *t)
{
    free(t->v);
    free(t->used);
    *t = (vtable){0};
}

static uint64_t vhash(const char *ind, int64_t unit, const char *period)
{
    uint64_t h = (uint64_t)(uintptr_t)ind * UINT64_C(0x9E3779B97F4A7C15);
    h ^= (uint64_t)unit * UINT64_C(0xC2B2AE3D27D4EB4F);
    for (const char *p = period; *p; p++)
        h = (h ^ (unsigned char)*p) * UINT64_C(0x100000001B3);
    return h ^ (h >> 29);
}

static int vtable_add(vtable *t, const char *ind, int64_t unit, const char *period, int64_t num, int64_t den)
{
    if ((t->n + 1) * 2 > t->cap) {
        vtable g = {.cap = t->cap ? t->cap * 2 : 1024};
        g.v = malloc(g.cap * sizeof(*g.v));
        g.used = calloc(g.cap, 1);
        if (!g.v || !g.used) {
            vtable_free(&g);
            return FZ_NOMEM;
        }
        for (size_t i = 0; i < t->cap; i++) {
            if (!t->used[i])
                continue;
            size_t j = vhash(t->v[i].ind, t->v[i].unit_id, t->v[i].period) & (g.cap - 1);
            while (g.used[j])
                j = (j + 1) & (g.cap - 1);
            g.v[j] = t->v[i];
            g.used[j] = 1;
        }
        g.n = t->n;
        vtable_free(t);
        *t = g;
    }
    size_t j = vhash(ind, unit, period) & (t->cap - 1);
    while (t->used[j] && !(t->v[j].ind == ind && t->v[j].unit_id == unit && !strcmp(t->v[j].period, period)))
        j = (j + 1) & (t->cap - 1);
    if (!t->used[j]) {
        t->used[j] = 1;
        t->n++;
        t->v[j] = (ivalue){.ind = ind, .unit_id = unit};
        snprintf(t->v[j].period, sizeof(t->v[j].period), "%s", period);
    }
    t->v[j].num += num;
    t->v[j].den += den;
    return FZ_OK;
}

static int value_push(ivalues *a, const ivalue *x)
{
    if (scan_grow((void **)&a->v, &a->cap, a->n, sizeof(*a->v)))
        return FZ_NOMEM;
    a->v[a->n++] = *x;
    return FZ_OK;
}

static int value_cmp(const void *x, const void *y)
{
    const ivalue *a = x, *b = y;
    int c = strcmp(a->ind, b->ind);
    if (!c)
        c = (a->unit_id > b->unit_id) - (a->unit_id < b->unit_id);
    if (!c)
        c = strcmp(a->period, b->period);
    return c;
}

/* Everything one recompute builds. */
typedef struct recomp {
    store_conn *w;
    store *readers; /* a second thread may scan on a read connection of it */
    pairs pairs;
    vtable values;
    ind_strset names; /* indicator and kind names read from the store */
    checks_thresholds th;
    int64_t nfacts;
} recomp;

/* One scan of the cases of a kind with lo < id <= hi: every indicator of
 * the kind evaluated on each case, its fact compared with the stored one as
 * the scan goes (the differences in d, one list per indicator, in case id
 * order) and summed into values. */
typedef struct part {
    store_conn *c;
    store *readers; /* set: the part runs on a thread of its own, on a reader */
    const kplan *kp;
    const keys *clocks;
    const evkeys *events;
    const keys *derived; /* rule full_record under --check (else NULL: the column) */
    const checks_thresholds *th;
    int64_t lo, hi;
    diffs *d;
    vtable values;
    int64_t nfacts;
    int rc;
} part;

static int scan_part(part *pt)
{
    const kplan *kp = pt->kp;
    store_conn *c = pt->c;
    case_view v;
    fcursor *cur = calloc((size_t)kp->nind, sizeof(*cur));
    pt->d = calloc((size_t)kp->nind, sizeof(*pt->d));
    int rc = cur && pt->d ? ind_view_init(kp, &v) : FZ_NOMEM;
    for (int i = 0; !rc && i < kp->nind; i++)
        cur[i] = (fcursor){.ind = kp->inds[i].ind->name, .kind = kp->kind, .last = pt->lo, .hi = pt->hi};
    month_cache mc = {0};
    size_t ci = scan_first_after(pt->clocks->v, pt->clocks->n, sizeof(*pt->clocks->v), pt->lo);
    size_t ei = scan_first_after(pt->events->v, pt->events->n, sizeof(*pt->events->v), pt->lo);
    size_t ri = pt->derived ? scan_first_after(pt->derived->v, pt->derived->n, sizeof(*pt->derived->v), pt->lo) : 0;
    int64_t last = pt->lo;
    for (int more = 1; !rc && more;) {
        store_stmt *st;
        if (store_prepare(c, kp->sel_chunk, &st)) {
            rc = FZ_ERR;
            break;
        }
        store_bind_int(st, 1, last);
        store_bind_int(st, 2, pt->hi);
        store_bind_int(st, 3, SCAN_CHUNK);
        int n = 0, s = STORE_DONE;
        while (!rc && (s = store_step(st)) == STORE_ROW) {
            n++;
            ind_view_row(kp, st, &v);
            last = v.id;
            uint64_t id = (uint64_t)v.id;
            for (; ci < pt->clocks->n && pt->clocks->v[ci] >> 16 <= id; ci++)
                if (pt->clocks->v[ci] >> 16 == id)
                    ind_view_clock(&v, (int)(pt->clocks->v[ci] >> 8 & 0xff), (int)(pt->clocks->v[ci] & 0xff) - 2);
            for (; ei < pt->events->n && pt->events->v[ei].key >> 16 <= id; ei++)
                if (pt->events->v[ei].key >> 16 == id)
                    ind_view_event(kp, &v, (int)(pt->events->v[ei].key & 0xffff), pt->events->v[ei].at);
            if (kp->records && pt->derived) {
                int64_t missing = 0;
                for (; ri < pt->derived->n && pt->derived->v[ri] >> 16 <= id; ri++)
                    if (pt->derived->v[ri] >> 16 == id)
                        missing = (int64_t)(pt->derived->v[ri] & 0xffff);
                ind_view_records(&v, missing);
            }
            for (int i = 0; !rc && i < kp->nind; i++) {
                ifact f;
                ind_eval_fact(kp, &kp->inds[i], &v, pt->th, &mc, &f);
                int has = f.num || f.den;
                if (has) {
                    pt->nfacts++;
                    rc = vtable_add(&pt->values, kp->inds[i].ind->name, f.unit_id, f.period, f.num, f.den);
                    char year[5], quarter[7]; /* the roll-ups of the month (indicators.h) */
                    ind_rollup_keys(f.period, year, quarter);
                    if (!rc)
                        rc = vtable_add(&pt->values, kp->inds[i].ind->name, f.unit_id, quarter, f.num, f.den);
                    if (!rc)
                        rc = vtable_add(&pt->values, kp->inds[i].ind->name, f.unit_id, year, f.num, f.den);
                }
                const ifact *sf;
                while (!rc && !(rc = fcursor_peek(c, &cur[i], &sf)) && sf && sf->case_id < v.id) {
                    rc = diff_add(&pt->d[i], sf, NULL); /* a fact of a case that no longer exists */
                    cur[i].i++;
                }
                if (rc)
                    break;
                if (sf && sf->case_id == v.id) {
                    if (!has || !ind_fact_same(sf, &f))
                        rc = diff_add(&pt->d[i], sf, has ? &f : NULL);
                    cur[i].i++;
                } else if (has) {
                    rc = diff_add(&pt->d[i], NULL, &f);
                }
            }
        }
        store_done(st);
        if (!rc && s != STORE_DONE)
            rc = FZ_ERR;
        more = n == SCAN_CHUNK;
    }
    /* Stored facts after the last case. */
    for (int i = 0; !rc && i < kp->nind; i++) {
        const ifact *sf;
        while (!(rc = fcursor_peek(c, &cur[i], &sf)) && sf) {
            if ((rc = diff_add(&pt->d[i], sf, NULL)))
                break;
            cur[i].i++;
        }
    }
    if (cur) {
        for (int i = 0; i < kp->nind; i++)
            free(cur[i].buf);
        if (pt->d)
            ind_view_free(&v);
    }
    free(cur);
    return rc;
}

static void part_free(part *pt)
{
    for (int i = 0; pt->d && i < pt->kp->nind; i++)
        free(pt->d[i].v);
    free(pt->d);
    vtable_free(&pt->values);
}

/* The second half on its own thread; pt->c stays NULL when no read
 * connection could be opened (the writer then scans that half too). */
static void *part_main(void *arg)
{
    part *pt = arg;
    pt->c = store_reader(pt->readers);
    if (pt->c)
        pt->rc = scan_part(pt);
    return NULL;
}

/* Below this many ids a kind is scanned by one thread. */
#define SPLIT_MIN 20000

/* Where to split kp's cases between two threads (by id, halfway between
 * the first and the last), or 0: not worth it. */
static int split_at(store_conn *w, const kplan *kp, int64_t *mid)
{
    char sql[160];
    snprintf(sql, sizeof(sql), "SELECT min(id), max(id) FROM case_%s", kp->kind);
    store_stmt *st;
    if (store_prepare(w, sql, &st))
        return FZ_ERR;
    int rc = store_step(st);
    int64_t lo = 0, hi = 0;
    if (rc == STORE_ROW && !store_col_is_null(st, 0)) {
        lo = store_col_int(st, 0);
        hi = store_col_int(st, 1);
    }
    store_done(st);
    if (rc != STORE_ROW)
        return FZ_ERR;
    *mid = hi - lo >= SPLIT_MIN ? lo + (hi - lo) / 2 : 0;
    return FZ_OK;
}

/* Every case of kp: one scan, or (with readers and enough cases) two
 * halves at once, the second on its own thread and read connection. */
static int scan_kind(recomp *r, const kplan *kp, const keys *clocks, const evkeys *events, const keys *derived)
{
    size_t first = r->pairs.n;
    for (int i = 0; i < kp->nind; i++) {
        pair *p = pair_add(&r->pairs, kp->inds[i].ind->name, kp->kind);
        if (!p)
            return FZ_NOMEM;
        p->computed = 1;
    }
    part pt[2];
    for (int k = 0; k < 2; k++)
        pt[k] = (part){.c = r->w,
                       .kp = kp,
                       .clocks = clocks,
                       .events = events,
                       .derived = derived,
                       .th = &r->th,
                       .lo = INT64_MIN,
                       .hi = INT64_MAX};
    int64_t mid = 0;
    int rc = r->readers ? split_at(r->w, kp, &mid) : FZ_OK;
    pthread_t th;
    int two = 0;
    if (!rc && mid) {
        pt[0].hi = pt[1].lo = mid;
        pt[1].readers = r->readers;
        two = pthread_create(&th, NULL, part_main, &pt[1]) == 0;
        if (!two)
            pt[0].hi = INT64_MAX;
    }
    if (!rc)
        rc = scan_part(&pt[0]);
    if (two) {
        pthread_join(th, NULL);
        if (!rc && !pt[1].c) {
            pt[1].c = r->w;
            rc = scan_part(&pt[1]);
        } else if (!rc) {
            rc = pt[1].rc;
        }
    }
    for (int k = 0; !rc && k < 1 + two; k++) {
        for (int i = 0; !rc && i < kp->nind; i++)
            rc = diffs_join(&r->pairs.v[first + (size_t)i].d, &pt[k].d[i]);
        for (size_t j = 0; !rc && j < pt[k].values.cap; j++) {
            const ivalue *x = &pt[k].values.v[j];
            if (pt[k].values.used[j])
                rc = vtable_add(&r->values, x->ind, x->unit_id, x->period, x->num, x->den);
        }
        r->nfacts += pt[k].nfacts;
    }
    part_free(&pt[0]);
    part_free(&pt[1]);
    return rc;
}

/* The events of the kinds in kps, each sorted, and under --check the
 * records of every procedure derived from its events and attachments: run
 * on a thread of its own (on a read connection) while the clocks are
 * read. */
typedef struct prefetch {
    store *readers;
    const kplan *const *kps;
    int n;
    evkeys *out;
    const def *const *rprocs; /* --check: the procedures whose records are derived */
    int nr;
    keys *rkeys; /* one each: reccol_derive_all */
    int rc, no_conn;
} prefetch;

static int read_all_events(store_conn *c, prefetch *pf)
{
    int rc = FZ_OK;
    for (int k = 0; !rc && k < pf->n; k++)
        if (pf->kps[k]->events.n && !(rc = read_events(c, pf->kps[k], &pf->out[k])))
            rc = scan_radix_sort(pf->out[k].v, pf->out[k].n, sizeof(*pf->out[k].v));
    for (int k = 0; !rc && k < pf->nr; k++)
        rc = reccol_derive_all(c, pf->rprocs[k], &pf->rkeys[k]);
    return rc;
}

/* pf->no_conn: no read connection could be opened (the writer then reads
 * the events). */
static void *prefetch_main(void *arg)
{
    prefetch *pf = arg;
    store_conn *c = store_reader(pf->readers);
    if (c)
        pf->rc = read_all_events(c, pf);
    else
        pf->no_conn = 1;
    return NULL;
}

/* The stored facts of indicator x kind pairs that were not recomputed (an
 * indicator no longer defined, a kind without a table): each a difference.
 * The pairs are found along the facts' key, one index seek each. */
static int scan_stale(recomp *r)
{
    store_conn *w = r->w;
    char *ind = strdup(""), *kind = strdup("");
    int rc = ind && kind ? FZ_OK : FZ_NOMEM;
    size_t ncomputed = r->pairs.n;
    for (int first = 1; !rc; first = 0) {
        store_stmt *st;
        int s = FZ_ERR;
        char *ni = NULL, *nk = NULL;
        /* The first pair; then the next kind of this indicator, else the
         * first kind of the next indicator. */
        for (int q = first ? 2 : 0; q < (first ? 3 : 2) && !ni; q++) {
            if (store_prepare(w,
                              q == 0   ? "SELECT indicator, kind FROM indicator_facts WHERE indicator = ? AND kind > ?"
                                         " ORDER BY kind LIMIT 1"
                              : q == 1 ? "SELECT indicator, kind FROM indicator_facts WHERE indicator > ?"
                                         " ORDER BY indicator, kind LIMIT 1"
                                       : "SELECT indicator, kind FROM indicator_facts ORDER BY indicator, kind LIMIT 1",
                              &st)) {
                s = FZ_ERR;
                break;
            }
            if (q < 2)
                store_bind_text(st, 1, ind);
            if (q == 0)
                store_bind_text(st, 2, kind);
            s = store_step(st);
            if (s == STORE_ROW) {
                ni = strdup(store_col_text(st, 0));
                nk = strdup(store_col_text(st, 1));
                if (!ni || !nk)
                    s = FZ_NOMEM;
            }
            store_done(st);
            if ((s != STORE_ROW && s != STORE_DONE) || q == 2)
                break;
        }
        free(ind);
        free(kind);
        ind = ni;
        kind = nk;
        if (s != STORE_ROW && s != STORE_DONE) {
            rc = s == FZ_NOMEM ? FZ_NOMEM : FZ_ERR;
            break;
        }
        if (!ind)
            break;
        int known = 0;
        for (size_t i = 0; i < ncomputed && !known; i++)
            known = !strcmp(r->pairs.v[i].ind, ind) && !strcmp(r->pairs.v[i].kind, kind);
        if (known)
            continue;
        int a = ind_strset_add(&r->names, ind), b = ind_strset_add(&r->names, kind);
        pair *p = a >= 0 && b >= 0 ? pair_add(&r->pairs, r->names.v[a], r->names.v[b]) : NULL;
        if (!p) {
            rc = FZ_NOMEM;
            break;
        }
        fcursor c = {.ind = p->ind, .kind = p->kind, .last = INT64_MIN, .hi = INT64_MAX};
        const ifact *sf;
        while (!(rc = fcursor_peek(w, &c, &sf)) && sf) {
            if ((rc = diff_add(&r->pairs.v[r->pairs.n - 1].d, sf, NULL)))
                break;
            c.i++;
        }
        free(c.buf);
    }
    free(ind);
    free(kind);
    return rc;
}

typedef struct unit_county {
    int64_t id, county;
} unit_county;

/* Adds each county's months (indicators.h): the sums of the months of the
 * units whose region code is the county's, as the deltas add them. */
static int add_county_rollups(recomp *r)
{
    store_stmt *st;
    if (store_prepare(r->w, "SELECT id, region_code FROM units ORDER BY id", &st))
        return FZ_ERR;
    unit_county *u = NULL;
    size_t n = 0, cap = 0;
    int rc = FZ_OK, s;
    while ((s = store_step(st)) == STORE_ROW) {
        if ((rc = scan_grow((void **)&u, &cap, n, sizeof(*u))))
            break;
        u[n].id = store_col_int(st, 0);
        u[n].county = ind_county_key(store_col_text(st, 1));
        n++;
    }
    store_done(st);
    if (!rc && s != STORE_DONE)
        rc = FZ_ERR;
    vtable add = {0};
    for (size_t j = 0; !rc && j < r->values.cap; j++) {
        const ivalue *x = &r->values.v[j];
        if (!r->values.used[j] || x->unit_id <= 0 || strlen(x->period) != 7)
            continue;
        size_t lo = 0, hi = n;
        while (lo < hi) {
            size_t m = lo + (hi - lo) / 2;
            if (u[m].id < x->unit_id)
                lo = m + 1;
            else
                hi = m;
        }
        if (lo < n && u[lo].id == x->unit_id && u[lo].county)
            rc = vtable_add(&add, x->ind, u[lo].county, x->period, x->num, x->den);
    }
    for (size_t j = 0; !rc && j < add.cap; j++)
        if (add.used[j])
            rc = vtable_add(&r->values, add.v[j].ind, add.v[j].unit_id, add.v[j].period, add.v[j].num, add.v[j].den);
    vtable_free(&add);
    free(u);
    return rc;
}

/* The stored values, and the recomputed ones, both sorted. */
static int read_values(recomp *r, ivalues *stored, ivalues *computed)
{
    store_stmt *st;
    if (store_prepare(r->w, "SELECT indicator, unit_id, period, num, den FROM indicator_values", &st))
        return FZ_ERR;
    int rc, last = -1;
    while ((rc = store_step(st)) == STORE_ROW) {
        const char *ind = store_col_text(st, 0);
        if (last < 0 || strcmp(r->names.v[last], ind) != 0)
            last = ind_strset_add(&r->names, ind);
        ivalue x = {.unit_id = store_col_int(st, 1), .num = store_col_int(st, 3), .den = store_col_int(st, 4)};
        snprintf(x.period, sizeof(x.period), "%s", store_col_text(st, 2));
        if (last < 0 || (x.ind = r->names.v[last], value_push(stored, &x))) {
            rc = FZ_NOMEM;
            break;
        }
    }
    store_done(st);
    if (rc != STORE_DONE)
        return rc == FZ_NOMEM ? FZ_NOMEM : FZ_ERR;
    for (size_t i = 0; i < r->values.cap; i++)
        if (r->values.used[i] && value_push(computed, &r->values.v[i]))
            return FZ_NOMEM;
    if (stored->n)
        qsort(stored->v, stored->n, sizeof(*stored->v), value_cmp);
    if (computed->n)
        qsort(computed->v, computed->n, sizeof(*computed->v), value_cmp);
    return FZ_OK;
}

static void show_fact(FILE *out, const char *what, const char *ind, const char *kind, const ifact *f)
{
    fprintf(out, "%s%s 案件 %s#%" PRId64 "：单位 %" PRId64 "，期间 %s，分子 %" PRId64 "，分母 %" PRId64, what, ind, kind,
            f->case_id, f->unit_id, f->period, f->num, f->den);
}

static void show_value(FILE *out, const char *what, const ivalue *v)
{
    fprintf(out, "%s%s 单位 %" PRId64 " 期间 %s：分子 %" PRId64 "，分母 %" PRId64, what, v->ind, v->unit_id, v->period,
            v->num, v->den);
}

/* Prints the differences of the facts (by indicator, kind and case) and
 * returns how many there are. */
static int64_t report_facts(FILE *out, const pairs *ps)
{
    int64_t n = 0;
    for (size_t i = 0; i < ps->n; i++) {
        const pair *p = &ps->v[i];
        for (size_t j = 0; j < p->d.n; j++, n++) {
            const fdiff *d = &p->d.v[j];
            if (!out)
                continue;
            fprintf(out, "差异（事实）：");
            if (d->has_s)
                show_fact(out, "已存 ", p->ind, p->kind, &d->s);
            else
                fprintf(out, "已存 无");
            fprintf(out, "；重算 ");
            if (d->has_c)
                show_fact(out, "", p->ind, p->kind, &d->c);
            else
                fprintf(out, "无");
            fputc('\n', out);
        }
    }
    return n;
}

/* Merges sorted stored (a) and recomputed (b) values: prints each
 * difference to out (when given), writes it when w is given, counts them. */
static int compare_values(FILE *out, store_conn *w, const ivalues *a, const ivalues *b, int64_t *diff)
{
    size_t i = 0, j = 0;
    while (i < a->n || j < b->n) {
        int c = i == a->n ? 1 : j == b->n ? -1 : value_cmp(&a->v[i], &b->v[j]);
        if (c == 0 && a->v[i].num == b->v[j].num && a->v[i].den == b->v[j].den) {
            i++, j++;
            continue;
        }
        (*diff)++;
        if (out) {
            fprintf(out, "差异（指标值）：");
            if (c <= 0)
                show_value(out, "已存 ", &a->v[i]);
            else
                fprintf(out, "已存 无");
            fprintf(out, "；重算 ");
            if (c >= 0)
                show_value(out, "", &b->v[j]);
            else
                fprintf(out, "无");
            fputc('\n', out);
        }
        if (w) {
            int rc;
            if (c == 0)
                rc = store_run(w,
                               "UPDATE indicator_values SET num = ?, den = ?"
                               " WHERE indicator = ? AND unit_id = ? AND period = ?",
                               "iisis", b->v[j].num, b->v[j].den, b->v[j].ind, b->v[j].unit_id, b->v[j].period);
            else if (c < 0)
                rc = store_run(w, "DELETE FROM indicator_values WHERE indicator = ? AND unit_id = ? AND period = ?",
                               "sis", a->v[i].ind, a->v[i].unit_id, a->v[i].period);
            else
                rc = store_run(w,
                               "INSERT INTO indicator_values (indicator, unit_id, period, num, den)"
                               " VALUES (?, ?, ?, ?, ?)",
                               "sisii", b->v[j].ind, b->v[j].unit_id, b->v[j].period, b->v[j].num, b->v[j].den);
            if (rc)
                return FZ_ERR;
        }
        if (c <= 0)
            i++;
        if (c >= 0)
            j++;
    }
    return FZ_OK;
}

/* Makes the stored facts the recomputed ones: only the differences are
 * written (a pair no longer computed goes in one statement). */
static int write_facts(store_conn *w, const pairs *ps)
{
    for (size_t i = 0; i < ps->n; i++) {
        const pair *p = &ps->v[i];
        if (!p->computed) {
            if (store_run(w, "DELETE FROM indicator_facts WHERE indicator = ? AND kind = ?", "ss", p->ind, p->kind))
                return FZ_ERR;
            continue;
        }
        for (size_t j = 0; j < p->d.n; j++) {
            const fdiff *d = &p->d.v[j];
            const ifact *c = &d->c;
            int rc;
            if (d->has_s && d->has_c)
                rc = store_run(w,
                               "UPDATE indicator_facts SET unit_id = ?, period = ?, in_num = ?, in_den = ?"
                               " WHERE indicator = ? AND kind = ? AND case_id = ?",
                               "isiissi", c->unit_id, c->period, c->num, c->den, p->ind, p->kind, c->case_id);
            else if (d->has_s)
                rc = store_run(w, "DELETE FROM indicator_facts WHERE indicator = ? AND kind = ? AND case_id = ?", "ssi",
                               p->ind, p->kind, d->s.case_id);
            else
                rc = store_run(w,
                               "INSERT INTO indicator_facts (indicator, kind, case_id, unit_id, period, in_num, in_den)"
                               " VALUES (?, ?, ?, ?, ?, ?, ?)",
                               "ssiisii", p->ind, p->kind, c->case_id, c->unit_id, c->period, c->num, c->den);
            if (rc)
                return FZ_ERR;
        }
    }
    return FZ_OK;
}

/* Whether the schema sync made kind's table (not yet: no cases). */
static int kind_ready(store_conn *w, const defs *d, const char *kind, int *ready)
{
    *ready = 0;
    if (!defs_find(d, DEF_PROCEDURE, kind))
        return FZ_OK;
    char tbl[128];
    snprintf(tbl, sizeof(tbl), "case_%s", kind);
    int64_t made = 0;
    if (store_query_int(w, &made, 0, "SELECT count(*) FROM def_columns WHERE tbl = ?", "s", tbl))
        return FZ_ERR;
    *ready = made > 0;
    return FZ_OK;
}

/* --check: a case whose stored records column differs from its records
 * derived from the events and attachments. */
static void show_records(void *ctx, const char *kind, int64_t id, int64_t stored, int64_t derived)
{
    FILE *out = ctx;
    if (!out)
        return;
    fprintf(out, "差异（全过程记录）：案件 %s#%" PRId64 " 的记录列 " RECCOL " 已存 ", kind, id);
    if (stored < 0)
        fprintf(out, "空（尚未生成）");
    else
        fprintf(out, "尚缺 %" PRId64 " 项", stored);
    fprintf(out, "；按办理事件与附件重算 尚缺 %" PRId64 " 项\n", derived);
}

int ind_recompute(store_conn *w, store *readers, const defs *d, int flags, FILE *out, int64_t *nfacts,
                  int64_t *ndiff, int64_t *nrecords)
{
    int check = flags & IND_RECOMPUTE_CHECK;
    ind_plans p;
    recomp r = {.w = w, .readers = readers};
    ivalues sv = {0}, cv = {0};
    *nrecords = 0;
    /* The records column: a plain recompute reads it, after bringing it in
     * line with the definitions (or, with IND_RECOMPUTE_RECORDS,
     * re-deriving every case's); --check derives every case's records from
     * the events and attachments instead and reports where the column
     * differs. A job that has written cannot read on a second connection. */
    int rc = check ? FZ_OK : reccol_sync(w, d, flags & IND_RECOMPUTE_RECORDS, nrecords);
    if (!rc && *nrecords)
        r.readers = readers = NULL;
    if (!rc)
        rc = ind_plans_build(d, &p);
    if (rc)
        return rc;
    int rule = 0;
    for (int i = 0; i < p.n; i++)
        rule |= p.k[i].rule;
    if (rule)
        rc = checks_thresholds_load(w, -1, -1, &r.th);
    /* The kinds with a table; their clocks in one pass over the clocks
     * table while (with readers) another thread reads their events. */
    const kplan **ready = calloc((size_t)p.n + 1, sizeof(*ready));
    keys *clocks = calloc((size_t)p.n + 1, sizeof(*clocks));
    evkeys *events = calloc((size_t)p.n + 1, sizeof(*events));
    const def **rprocs = calloc((size_t)d->n + 1, sizeof(*rprocs));
    keys *rkeys = calloc((size_t)d->n + 1, sizeof(*rkeys));
    int nready = 0, nclock = 0, nr = 0;
    if (!rc && (!ready || !clocks || !events || !rprocs || !rkeys))
        rc = FZ_NOMEM;
    for (int i = 0; !rc && i < p.n; i++) {
        int ok;
        if (!(rc = kind_ready(w, d, p.k[i].kind, &ok)) && ok) {
            ready[nready++] = &p.k[i];
            nclock += p.k[i].clocks.n;
        }
    }
    /* --check: every procedure with a table, and whether its column was
     * derived under the records in force. */
    for (int i = 0; !rc && check && i < d->n; i++) {
        int ok, current;
        if (d->items[i].type != DEF_PROCEDURE || (rc = reccol_status(w, &d->items[i], &ok, &current)) || !ok)
            continue;
        rprocs[nr++] = &d->items[i];
        if (!current) {
            (*nrecords)++;
            if (out)
                fprintf(out,
                        "差异（全过程记录）：程序 %s 的记录列不是按现行定义的 records 生成的"
                        "（不带 --check 重算或启动服务即按现行定义重新生成）\n",
                        d->items[i].name);
        }
    }
    prefetch pf = {.readers = readers, .kps = ready, .n = nready, .out = events, .rprocs = rprocs, .nr = nr,
                   .rkeys = rkeys};
    pthread_t th;
    int helper = !rc && readers && pthread_create(&th, NULL, prefetch_main, &pf) == 0;
    if (!rc && nclock)
        rc = read_clocks(w, ready, nready, clocks);
    for (int i = 0; !rc && i < nready; i++)
        rc = scan_radix_sort(clocks[i].v, clocks[i].n, sizeof(*clocks[i].v));
    if (helper)
        pthread_join(th, NULL);
    if (!rc && helper && !pf.no_conn)
        rc = pf.rc;
    else if (!rc)
        rc = read_all_events(w, &pf);
    for (int k = 0; !rc && k < nr; k++)
        rc = reccol_compare(w, rprocs[k], &rkeys[k], 0, show_records, out, nrecords);
    for (int i = 0; !rc && i < nready; i++) {
        const keys *derived = NULL;
        for (int k = 0; check && k < nr && !derived; k++)
            if (!strcmp(rprocs[k]->name, ready[i]->kind))
                derived = &rkeys[k];
        if (check && ready[i]->records && !derived) {
            static const keys none = {0};
            derived = &none;
        }
        rc = scan_kind(&r, ready[i], &clocks[i], &events[i], derived);
    }
    for (int i = 0; i < nready; i++) {
        free(clocks[i].v);
        free(events[i].v);
    }
    for (int k = 0; k < nr; k++)
        free(rkeys[k].v);
    free(clocks);
    free(events);
    free(rprocs);
    free(rkeys);
    free(ready);
    if (!rc)
        rc = scan_stale(&r);
    if (!rc)
        rc = add_county_rollups(&r);
    if (!rc)
        rc = read_values(&r, &sv, &cv);
    if (!rc) {
        if (r.pairs.n)
            qsort(r.pairs.v, r.pairs.n, sizeof(*r.pairs.v), pair_cmp);
        *nfacts = r.nfacts;
        *ndiff = (check ? *nrecords : 0) + report_facts(check ? out : NULL, &r.pairs);
        rc = compare_values(check ? out : NULL, NULL, &sv, &cv, ndiff);
    }
    if (!rc && !check) {
        int64_t ignored = 0;
        rc = write_facts(w, &r.pairs);
        if (!rc)
            rc = compare_values(NULL, w, &sv, &cv, &ignored);
    }
    /* The officer stock timeline, derived afresh from the registries. */
    if (!rc)
        rc = stock_recompute(w, d, check, check ? out : NULL, ndiff);
    for (size_t i = 0; i < r.pairs.n; i++)
        free(r.pairs.v[i].d.v);
    free(r.pairs.v);
    vtable_free(&r.values);
    ind_strset_free(&r.names);
    checks_thresholds_free(&r.th);
    free(sv.v);
    free(cv.v);
    ind_plans_free(&p);
    return rc;
}
