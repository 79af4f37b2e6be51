/* reccol.c: the 全过程记录 column records_missing (reccol.h): one case's
 * value from its events and attachments, and every case's at once, both fed
 * to the one computation of engine/records.c; the comparison with the stored
 * column and its re-derivation when the definitions change. */
#include "engine/reccol.h"
#include "engine/records.h"
#include "store/store.h"
#include "core/sm.h"
#include "core/status.h"
#include "core/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 1 when action ("case.<name>") is a withdraw-kind action of p. */
static int is_withdraw(const rec_plan *p, const char *action)
{
    for (int i = 0; action && i < p->nwithdraw; i++)
        if (!strcmp(p->withdraw[i], action))
            return 1;
    return 0;
}

/* One event in event order, as the batched derivation notes it: a step of
 * an action with records, then (a withdraw-kind action) the step its
 * payload takes back. */
static void note_event(const rec_plan *p, rec_tally *t, const char *action, const char *payload)
{
    int s = rec_step_index(p, action, 1);
    if (s >= 0)
        rec_note(t, s, REC_NONE);
    if (is_withdraw(p, action)) {
        json_t *j = payload ? json_loads(payload, 0, NULL) : NULL;
        rec_note(t, REC_OTHER, rec_withdrawn_index(p, json_string_value(json_object_get(j, "withdrawn"))));
        json_decref(j);
    }
}

int reccol_fresh(const def *pd, const char *event_action, int64_t *missing)
{
    *missing = 0;
    rec_plan p;
    rec_tally t;
    int rc = rec_plan_build(pd, &p);
    if (rc)
        return rc;
    if (p.nstep && !(rc = rec_tally_init(&p, &t))) {
        note_event(&p, &t, event_action, NULL);
        unsigned char *have = calloc((size_t)p.ncat + 1, 1); /* no attachment: every category absent */
        if (!have)
            rc = FZ_NOMEM;
        else
            *missing = rec_missing(&p, &t, have, NULL, NULL);
        free(have);
        rec_tally_free(&t);
    }
    rec_plan_free(&p);
    return rc;
}

static int derive_one(store_conn *w, const rec_plan *p, const char *skind, int64_t id, int64_t *missing)
{
    *missing = 0;
    if (!p->nstep)
        return FZ_OK;
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", (long long)id);
    rec_tally t;
    unsigned char *have = calloc((size_t)p->ncat + 1, 1);
    int rc = have ? rec_tally_init(p, &t) : FZ_NOMEM;
    if (rc) {
        free(have);
        return rc;
    }
    store_stmt *st;
    int s = FZ_ERR;
    if (!store_prepare(w, "SELECT action, payload FROM events WHERE subject_kind = ? AND subject_id = ? ORDER BY seq",
                       &st)) {
        store_bind_text(st, 1, skind);
        store_bind_text(st, 2, sid);
        while ((s = store_step(st)) == STORE_ROW) {
            const char *a = store_col_text(st, 0);
            if (rec_step_index(p, a, 1) >= 0 || is_withdraw(p, a))
                note_event(p, &t, a, store_col_text(st, 1));
        }
        store_done(st);
    }
    if (s == STORE_DONE) {
        s = FZ_ERR;
        if (!store_prepare(w, "SELECT DISTINCT category FROM attachments WHERE subject_kind = ? AND subject_id = ?",
                           &st)) {
            store_bind_text(st, 1, skind);
            store_bind_text(st, 2, sid);
            while ((s = store_step(st)) == STORE_ROW) {
                int c = rec_cat_index(p, store_col_text(st, 0));
                if (c >= 0)
                    have[c] = 1;
            }
            store_done(st);
        }
    }
    rc = s == STORE_DONE ? FZ_OK : FZ_ERR;
    if (!rc)
        *missing = rec_missing(p, &t, have, NULL, NULL);
    rec_tally_free(&t);
    free(have);
    return rc;
}

int reccol_derive_one(store_conn *w, const def *pd, int64_t id, int64_t *missing)
{
    rec_plan p;
    int rc = rec_plan_build(pd, &p);
    if (rc)
        return rc;
    char skind[80];
    snprintf(skind, sizeof(skind), "case:%s", pd->name);
    rc = derive_one(w, &p, skind, id, missing);
    rec_plan_free(&p);
    return rc;
}

static int store_value(store_conn *w, const def *pd, int64_t id, int64_t missing)
{
    char sql[160];
    snprintf(sql, sizeof(sql), "UPDATE case_%s SET " RECCOL " = ? WHERE id = ?", pd->name);
    return store_run(w, sql, "ii", missing, id) ? FZ_ERR : FZ_OK;
}

/* Derives and stores case id's value when want(plan, arg) says the change
 * can move it. */
static int refresh_if(store_conn *w, const def *pd, int64_t id, int (*want)(const rec_plan *, const char *),
                      const char *arg)
{
    rec_plan p;
    int rc = rec_plan_build(pd, &p);
    if (rc)
        return rc;
    if (p.nstep && want(&p, arg)) {
        char skind[80];
        int64_t n = 0;
        snprintf(skind, sizeof(skind), "case:%s", pd->name);
        if (!(rc = derive_one(w, &p, skind, id, &n)))
            rc = store_value(w, pd, id, n);
    }
    rec_plan_free(&p);
    return rc;
}

static int event_moves(const rec_plan *p, const char *action)
{
    return rec_step_index(p, action, 1) >= 0 || is_withdraw(p, action);
}

static int category_moves(const rec_plan *p, const char *category)
{
    return rec_cat_index(p, category) >= 0;
}

int reccol_after_event(store_conn *w, const def *pd, int64_t id, const char *event_action)
{
    return refresh_if(w, pd, id, event_moves, event_action);
}

int reccol_after_attachment(store_conn *w, const def *pd, int64_t id, const char *category)
{
    return refresh_if(w, pd, id, category_moves, category);
}

/* ---- every case of a procedure at once ---- */

/* A step event as (id << 16 | action index, its seq, the step its payload
 * withdraws). Action index: < nstep a step of p, else p->withdraw[i - nstep]. */
typedef struct stepkey {
    uint64_t key;
    int64_t seq;
    int withdrawn;
} stepkey;

typedef struct stepkeys {
    stepkey *v;
    size_t n, cap;
} stepkeys;

typedef struct step_acc {
    const rec_plan *p;
    stepkeys *out;
    int e, wd;
} step_acc;

static int step_key(void *ctx, int64_t id, int64_t seq, int64_t at, const char *payload)
{
    step_acc *a = ctx;
    (void)at;
    int withdrawn = REC_NONE;
    if (a->wd) {
        json_t *j = json_loads(payload, 0, NULL);
        withdrawn = rec_withdrawn_index(a->p, json_string_value(json_object_get(j, "withdrawn")));
        json_decref(j);
    }
    int rc = scan_grow((void **)&a->out->v, &a->out->cap, a->out->n, sizeof(*a->out->v));
    if (!rc)
        a->out->v[a->out->n++] = (stepkey){(uint64_t)id << 16 | (uint64_t)a->e, seq, withdrawn};
    return rc;
}

/* The categories of the attachments of every case of skind that some step
 * lists, as (id << 16 | category), in chunks along the attachments' key (the
 * kind is compared here: with it in the WHERE, SQLite reads along the
 * (subject_kind, subject_id, category) index and sorts every chunk). */
static int read_categories(store_conn *w, const rec_plan *p, const char *skind, scan_keys *out)
{
    int rc = FZ_OK;
    int64_t last = 0;
    for (int more = 1; !rc && more;) {
        store_stmt *st;
        if (store_prepare(w,
                          "SELECT id, subject_kind, subject_id, category FROM attachments WHERE id > ?"
                          " ORDER BY id LIMIT ?",
                          &st))
            return FZ_ERR;
        store_bind_int(st, 1, last);
        store_bind_int(st, 2, SCAN_CHUNK);
        int n = 0, s = STORE_DONE;
        while (!rc && (s = store_step(st)) == STORE_ROW) {
            n++;
            last = store_col_int(st, 0);
            if (strcmp(store_col_text(st, 1), skind) != 0)
                continue;
            int64_t id = scan_case_id(store_col_text(st, 2));
            int c = rec_cat_index(p, store_col_text(st, 3));
            if (!id || c < 0)
                continue;
            if (id >= SCAN_ID_MAX || c > 0xffff)
                rc = FZ_INVALID;
            else if (!(rc = scan_grow((void **)&out->v, &out->cap, out->n, sizeof(*out->v))))
                out->v[out->n++] = (uint64_t)id << 16 | (uint64_t)c;
        }
        store_done(st);
        if (!rc && s != STORE_DONE)
            rc = FZ_ERR;
        more = n == SCAN_CHUNK;
    }
    return rc;
}

int reccol_derive_all(store_conn *w, const def *pd, scan_keys *out)
{
    rec_plan p;
    int rc = rec_plan_build(pd, &p);
    if (rc)
        return rc;
    if (!p.nstep) {
        rec_plan_free(&p);
        return FZ_OK;
    }
    char skind[80];
    snprintf(skind, sizeof(skind), "case:%s", pd->name);
    stepkeys steps = {0};
    scan_keys cats = {0};
    if (p.nstep + p.nwithdraw > 0xffff)
        rc = FZ_INVALID;
    for (int e = 0; !rc && e < p.nstep + p.nwithdraw; e++) {
        char action[96];
        snprintf(action, sizeof(action), "case.%s", e < p.nstep ? p.step[e] : p.withdraw[e - p.nstep] + 5);
        step_acc a = {&p, &steps, e, e >= p.nstep};
        rc = scan_each_event(w, skind, action, a.wd, step_key, &a);
    }
    if (!rc)
        rc = scan_radix_sort(steps.v, steps.n, sizeof(*steps.v));
    if (!rc)
        rc = read_categories(w, &p, skind, &cats);
    if (!rc)
        rc = scan_radix_sort(cats.v, cats.n, sizeof(*cats.v));
    /* Per case: its step events in seq order (a handful: insertion), the
     * categories it has, then the one computation. */
    rec_tally t = {0};
    unsigned char *have = calloc((size_t)p.ncat + 1, 1);
    if (!rc)
        rc = have ? rec_tally_init(&p, &t) : FZ_NOMEM;
    size_t ki = 0;
    for (size_t i = 0; !rc && i < steps.n;) {
        uint64_t id = steps.v[i].key >> 16;
        size_t j = i + 1;
        while (j < steps.n && steps.v[j].key >> 16 == id)
            j++;
        for (size_t a = i + 1; a < j; a++)
            for (size_t b = a; b > i && steps.v[b - 1].seq > steps.v[b].seq; b--) {
                stepkey x = steps.v[b];
                steps.v[b] = steps.v[b - 1];
                steps.v[b - 1] = x;
            }
        rec_tally_reset(&p, &t);
        for (size_t a = i; a < j; a++) {
            int e = (int)(steps.v[a].key & 0xffff);
            rec_note(&t, e < p.nstep ? e : REC_OTHER, steps.v[a].withdrawn);
        }
        memset(have, 0, (size_t)p.ncat);
        for (; ki < cats.n && cats.v[ki] >> 16 <= id; ki++)
            if (cats.v[ki] >> 16 == id)
                have[cats.v[ki] & 0xffff] = 1;
        int n = rec_missing(&p, &t, have, NULL, NULL);
        if (n > 0xffff)
            rc = FZ_INVALID;
        else if (n && !(rc = scan_grow((void **)&out->v, &out->cap, out->n, sizeof(*out->v))))
            out->v[out->n++] = id << 16 | (uint64_t)n;
        i = j;
    }
    rec_tally_free(&t);
    free(have);
    free(steps.v);
    free(cats.v);
    rec_plan_free(&p);
    return rc;
}

typedef struct fixrow {
    int64_t id, value;
} fixrow;

int reccol_compare(store_conn *w, const def *pd, const scan_keys *derived, int fix, reccol_diff_cb diff, void *ctx,
                   int64_t *ndiff)
{
    char sql[200];
    snprintf(sql, sizeof(sql), "SELECT id, " RECCOL " FROM case_%s WHERE id > ? ORDER BY id LIMIT ?", pd->name);
    fixrow *fx = NULL;
    size_t nfx = 0, cfx = 0, di = 0;
    int64_t last = INT64_MIN;
    int rc = FZ_OK;
    for (int more = 1; !rc && more;) {
        store_stmt *st;
        if (store_prepare(w, sql, &st))
            return FZ_ERR;
        store_bind_int(st, 1, last);
        store_bind_int(st, 2, SCAN_CHUNK);
        int n = 0, s = STORE_DONE;
        nfx = 0;
        while (!rc && (s = store_step(st)) == STORE_ROW) {
            n++;
            last = store_col_int(st, 0);
            int64_t stored = store_col_is_null(st, 1) ? -1 : store_col_int(st, 1), want = 0;
            for (; di < derived->n && (int64_t)(derived->v[di] >> 16) < last; di++)
                ;
            if (di < derived->n && (int64_t)(derived->v[di] >> 16) == last)
                want = (int64_t)(derived->v[di] & 0xffff);
            if (stored == want)
                continue;
            (*ndiff)++;
            if (diff)
                diff(ctx, pd->name, last, stored, want);
            if (fix && !(rc = scan_grow((void **)&fx, &cfx, nfx, sizeof(*fx))))
                fx[nfx++] = (fixrow){last, want};
        }
        store_done(st);
        if (!rc && s != STORE_DONE)
            rc = FZ_ERR;
        /* Written once the chunk's statement is done with the table. */
        for (size_t i = 0; !rc && i < nfx; i++)
            rc = store_value(w, pd, fx[i].id, fx[i].value);
        more = n == SCAN_CHUNK;
    }
    free(fx);
    return rc;
}

/* ---- the column against the definitions ---- */

/* SM3 of pd's records as the column reads them: each step with its
 * categories, the withdraw-kind actions. */
static int plan_signature(const def *pd, char out[SM3_HEX_LEN + 1])
{
    rec_plan p;
    int rc = rec_plan_build(pd, &p);
    if (rc)
        return rc;
    strbuf b = STRBUF_INIT;
    strbuf_puts(&b, "records-v1");
    for (int s = 0; s < p.nstep; s++) {
        strbuf_printf(&b, "\nstep\t%s", p.step[s]);
        for (int k = p.cat_first[s]; k < p.cat_first[s + 1]; k++)
            strbuf_printf(&b, "\t%s", p.cat[p.cat_of[k]]);
    }
    for (int i = 0; i < p.nwithdraw; i++)
        strbuf_printf(&b, "\nwithdraw\t%s", p.withdraw[i]);
    unsigned char h[SM3_LEN];
    rc = strbuf_ok(&b) && sm3(b.data, b.len, h) == 0 ? FZ_OK : FZ_NOMEM;
    if (!rc)
        sm3_hex(h, out);
    strbuf_free(&b);
    rec_plan_free(&p);
    return rc;
}

static void meta_key(const def *pd, char out[128])
{
    snprintf(out, 128, "records_plan:%s", pd->name);
}

int reccol_status(store_conn *w, const def *pd, int *ready, int *current)
{
    *ready = *current = 0;
    char tbl[96], key[128], sig[SM3_HEX_LEN + 1];
    snprintf(tbl, sizeof(tbl), "case_%s", pd->name);
    int64_t made = 0;
    if (store_query_int(w, &made, 0, "SELECT count(*) FROM def_columns WHERE tbl = ?", "s", tbl))
        return FZ_ERR;
    if (!(*ready = made > 0))
        return FZ_OK;
    int rc = plan_signature(pd, sig);
    if (rc)
        return rc;
    meta_key(pd, key);
    store_stmt *st;
    if (store_prepare(w, "SELECT value FROM meta WHERE key = ?", &st))
        return FZ_ERR;
    store_bind_text(st, 1, key);
    int s = store_step(st);
    *current = s == STORE_ROW && !strcmp(store_col_text(st, 0), sig);
    store_done(st);
    return s == STORE_ROW || s == STORE_DONE ? FZ_OK : FZ_ERR;
}

int reccol_sync(store_conn *w, const defs *d, int force, int64_t *fixed)
{
    int64_t n = 0;
    int rc = FZ_OK;
    for (int i = 0; !rc && i < d->n; i++) {
        const def *pd = &d->items[i];
        if (pd->type != DEF_PROCEDURE)
            continue;
        int ready, current;
        if ((rc = reccol_status(w, pd, &ready, &current)) || !ready || (current && !force))
            continue;
        scan_keys k = {0};
        char key[128], sig[SM3_HEX_LEN + 1];
        if (!(rc = reccol_derive_all(w, pd, &k)))
            rc = reccol_compare(w, pd, &k, 1, NULL, NULL, &n);
        free(k.v);
        meta_key(pd, key);
        if (!rc && !(rc = plan_signature(pd, sig)))
            rc = store_run(w,
                           "INSERT INTO meta (key, value) VALUES (?, ?)"
                           " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                           "ss", key, sig)
                     ? FZ_ERR
                     : FZ_OK;
    }
    if (fixed)
        *fixed = n;
    return rc;
}
