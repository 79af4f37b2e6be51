/* indicators.c: incremental maintenance of the indicator facts and values
 * (indicators.h): in the write job that changes a case or one of its
 * clocks, the case's view is read with three point reads (its row, with
 * its 全过程记录 column records_missing, its clocks, its events) and
 * evaluated by ind_eval_fact (engine/ind_eval.h), the same evaluation as
 * the full recompute (engine/ind_recompute.c); and
 * the check at start-up that the stored values were computed with the
 * definitions in force.
 *
 * SQL here names tables and columns only from validated definitions
 * (case_<kind>, f_<field>); every value is bound. */
#include "engine/indicators.h"
#include "engine/ind_eval.h"
#include "engine/officer_stock.h"
#include "engine/reccol.h"
#include "store/store.h"
#include "core/log.h"
#include "core/status.h"
#include "core/strbuf.h"
#include "core/sm.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *mproc(const json_t *m)
{
    return json_string_value(json_object_get(m, "procedure"));
}

const char *ind_kind(const def *ind)
{
    const char *k = mproc(json_object_get(ind->json, "denominator"));
    return k ? k : mproc(json_object_get(ind->json, "numerator"));
}

static int uses_kind(const def *ind, const char *kind)
{
    const char *a = mproc(json_object_get(ind->json, "numerator"));
    const char *b = mproc(json_object_get(ind->json, "denominator"));
    return (a && !strcmp(a, kind)) || (b && !strcmp(b, kind));
}

static const defs *g_defs;
static ind_plans g_plans;
static int g_plans_err;

void ind_set_defs(const defs *d)
{
    if (d && d == g_defs && !g_plans_err)
        return;
    ind_plans_free(&g_plans);
    g_plans_err = 0;
    g_defs = d;
    if (d && ind_plans_build(d, &g_plans)) {
        g_plans_err = 1;
        log_error("指标定义无法编译（内存不足或期限状态过多），指标维护将失败");
    }
}

/* The view of case id: its row (found: 0 when there is no such case; the
 * row's text stays in *row until store_done), its clocks and its events. */
static int load_case(store_conn *w, const kplan *kp, int64_t id, case_view *v, store_stmt **row, int *found)
{
    *found = 0;
    if (store_prepare(w, kp->sel_one, row))
        return FZ_ERR;
    store_bind_int(*row, 1, id);
    int rc = store_step(*row);
    if (rc == STORE_DONE)
        return FZ_OK;
    if (rc != STORE_ROW)
        return FZ_ERR;
    *found = 1;
    ind_view_row(kp, *row, v);
    char sid[24];
    snprintf(sid, sizeof(sid), "%" PRId64, id);
    store_stmt *st;
    if (kp->clocks.n) {
        if (store_prepare(w, "SELECT name, state FROM clocks WHERE subject_kind = ? AND subject_id = ?", &st))
            return FZ_ERR;
        store_bind_text(st, 1, kp->skind);
        store_bind_text(st, 2, sid);
        while ((rc = store_step(st)) == STORE_ROW) {
            int c = ind_strset_find(&kp->clocks, store_col_text(st, 0));
            if (c >= 0)
                ind_view_clock(v, c, ind_clock_state(kp, store_col_text(st, 1)));
        }
        store_done(st);
        if (rc != STORE_DONE)
            return FZ_ERR;
    }
    if (kp->events.n) {
        if (store_prepare(w, kp->ev_one, &st))
            return FZ_ERR;
        store_bind_text(st, 1, kp->skind);
        store_bind_text(st, 2, sid);
        for (int e = 0; e < kp->events.n; e++)
            store_bind_text(st, 3 + e, kp->events.v[e]);
        while ((rc = store_step(st)) == STORE_ROW) {
            int e = ind_strset_find(&kp->events, store_col_text(st, 0));
            if (e >= 0)
                ind_view_event(kp, v, e, store_col_int(st, 1));
        }
        store_done(st);
        if (rc != STORE_DONE)
            return FZ_ERR;
    }
    return FZ_OK;
}

static int apply_one(store_conn *w, const char *ind, int64_t unit, const char *period, int64_t dn, int64_t dd);

int64_t ind_county_key(const char *region_code)
{
    int64_t k = 0;
    for (int i = 0; i < 6; i++) {
        if (!region_code || region_code[i] < '0' || region_code[i] > '9')
            return 0;
        k = k * 10 + (region_code[i] - '0');
    }
    return -k;
}

int ind_unit_county(store_conn *w, int64_t unit, int64_t *key)
{
    store_stmt *st;
    *key = 0;
    if (store_prepare(w, "SELECT region_code FROM units WHERE id = ?", &st))
        return FZ_ERR;
    store_bind_int(st, 1, unit);
    int rc = store_step(st);
    if (rc == STORE_ROW)
        *key = ind_county_key(store_col_text(st, 0));
    store_done(st);
    return rc == STORE_ROW || rc == STORE_DONE ? FZ_OK : FZ_ERR;
}

void ind_rollup_keys(const char *month, char year[5], char quarter[7])
{
    int m = strlen(month) == 7 ? (month[5] - '0') * 10 + (month[6] - '0') : 0;
    snprintf(year, 5, "%.4s", month);
    snprintf(quarter, 7, "%.4sQ%d", month, m >= 1 && m <= 12 ? (m - 1) / 3 + 1 : 0);
}

/* Adds a fact's change to its month's value, to the quarter's and the
 * year's roll-ups and to the month of its unit's county. */
static int apply_delta(store_conn *w, const char *ind, int64_t unit, const char *period, int64_t dn, int64_t dd)
{
    char year[5], quarter[7];
    ind_rollup_keys(period, year, quarter);
    int64_t county;
    int rc = apply_one(w, ind, unit, period, dn, dd);
    if (!rc)
        rc = apply_one(w, ind, unit, quarter, dn, dd);
    if (!rc)
        rc = apply_one(w, ind, unit, year, dn, dd);
    if (!rc)
        rc = ind_unit_county(w, unit, &county);
    return rc || !county ? rc : apply_one(w, ind, county, period, dn, dd);
}

typedef struct moved {
    char *ind; /* owned */
    char period[12];
    int64_t num, den;
} moved;

int ind_unit_moved(store_conn *w, int64_t unit, int64_t from, int64_t to)
{
    if (from == to)
        return FZ_OK;
    /* Read first, then write: a unit has at most indicators x months rows. */
    store_stmt *st;
    if (store_prepare(w,
                      "SELECT indicator, period, num, den FROM indicator_values"
                      " WHERE unit_id = ? AND length(period) = 7",
                      &st))
        return FZ_ERR;
    store_bind_int(st, 1, unit);
    moved *v = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            moved *nv = realloc(v, nc * sizeof(*nv));
            if (!nv) {
                rc = FZ_NOMEM;
                break;
            }
            v = nv, cap = nc;
        }
        if (!(v[n].ind = strdup(store_col_text(st, 0)))) {
            rc = FZ_NOMEM;
            break;
        }
        snprintf(v[n].period, sizeof(v[n].period), "%s", store_col_text(st, 1));
        v[n].num = store_col_int(st, 2);
        v[n].den = store_col_int(st, 3);
        n++;
    }
    store_done(st);
    rc = rc == STORE_DONE ? FZ_OK : rc == FZ_NOMEM ? FZ_NOMEM : FZ_ERR;
    for (size_t i = 0; !rc && i < n; i++) {
        if (from)
            rc = apply_one(w, v[i].ind, from, v[i].period, -v[i].num, -v[i].den);
        if (!rc && to)
            rc = apply_one(w, v[i].ind, to, v[i].period, v[i].num, v[i].den);
    }
    for (size_t i = 0; i < n; i++)
        free(v[i].ind);
    free(v);
    return rc;
}

static int apply_one(store_conn *w, const char *ind, int64_t unit, const char *period, int64_t dn, int64_t dd)
{
    if (store_run(w,
                  "UPDATE indicator_values SET num = num + ?, den = den + ?"
                  " WHERE indicator = ? AND unit_id = ? AND period = ?",
                  "iisis", dn, dd, ind, unit, period))
        return FZ_ERR;
    if (store_changes(w) == 0)
        return store_run(w,
                         "INSERT INTO indicator_values (indicator, unit_id, period, num, den) VALUES (?, ?, ?, ?, ?)",
                         "sisii", ind, unit, period, dn, dd);
    return store_run(w,
                     "DELETE FROM indicator_values WHERE indicator = ? AND unit_id = ? AND period = ?"
                     " AND num = 0 AND den = 0",
                     "sis", ind, unit, period);
}

/* The stored fact of (ind, kind, id): *had 0 when none. */
static int stored_fact(store_conn *w, const char *ind, const char *kind, int64_t id, ifact *f, int *had)
{
    store_stmt *st;
    memset(f, 0, sizeof(*f));
    if (store_prepare(w,
                      "SELECT unit_id, period, in_num, in_den FROM indicator_facts"
                      " WHERE indicator = ? AND kind = ? AND case_id = ?",
                      &st))
        return FZ_ERR;
    store_bind_text(st, 1, ind);
    store_bind_text(st, 2, kind);
    store_bind_int(st, 3, id);
    int rc = store_step(st);
    *had = rc == STORE_ROW;
    if (*had) {
        f->case_id = id;
        f->unit_id = store_col_int(st, 0);
        snprintf(f->period, sizeof(f->period), "%s", store_col_text(st, 1));
        f->num = store_col_int(st, 2);
        f->den = store_col_int(st, 3);
    }
    store_done(st);
    return rc == STORE_ROW || rc == STORE_DONE ? FZ_OK : FZ_ERR;
}

int ind_on_case(store_conn *w, const char *kind, int64_t id)
{
    if (!g_defs)
        return FZ_OK;
    if (g_plans_err)
        return FZ_ERR;
    const kplan *kp = NULL;
    for (int i = 0; i < g_plans.n && !kp; i++)
        if (!strcmp(g_plans.k[i].kind, kind))
            kp = &g_plans.k[i];
    if (!kp)
        return FZ_OK;
    case_view v;
    ifact *nf = calloc((size_t)kp->nind, sizeof(*nf));
    checks_thresholds th = {0};
    store_stmt *row = NULL;
    int found = 0;
    int rc = nf ? ind_view_init(kp, &v) : FZ_NOMEM;
    if (!rc)
        rc = load_case(w, kp, id, &v, &row, &found);
    if (!rc && found && kp->rule)
        rc = checks_thresholds_load(w, -1, -1, &th);
    month_cache mc = {0};
    for (int i = 0; !rc && found && i < kp->nind; i++)
        ind_eval_fact(kp, &kp->inds[i], &v, &th, &mc, &nf[i]);
    if (row)
        store_done(row);
    checks_thresholds_free(&th);
    if (nf)
        ind_view_free(&v);
    for (int i = 0; !rc && i < kp->nind; i++) {
        const char *ind = kp->inds[i].ind->name;
        ifact of;
        int had;
        if ((rc = stored_fact(w, ind, kind, id, &of, &had)))
            break;
        int has = nf[i].num || nf[i].den;
        if (had && has && ind_fact_same(&of, &nf[i]))
            continue;
        /* The old fact out of its unit and month, the new one into its own. */
        if (had && (apply_delta(w, ind, of.unit_id, of.period, -of.num, -of.den) ||
                    store_run(w, "DELETE FROM indicator_facts WHERE indicator = ? AND kind = ? AND case_id = ?", "ssi",
                              ind, kind, id)))
            rc = FZ_ERR;
        if (!rc && has &&
            (store_run(w,
                       "INSERT INTO indicator_facts (indicator, kind, case_id, unit_id, period, in_num, in_den)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?)",
                       "ssiisii", ind, kind, id, nf[i].unit_id, nf[i].period, nf[i].num, nf[i].den) ||
             apply_delta(w, ind, nf[i].unit_id, nf[i].period, nf[i].num, nf[i].den)))
            rc = FZ_ERR;
    }
    free(nf);
    return rc ? FZ_ERR : FZ_OK;
}

int ind_on_subject(store_conn *w, const char *subject_kind, const char *subject_id)
{
    if (!g_defs || strncmp(subject_kind, "case:", 5) != 0)
        return FZ_OK;
    char *end;
    long long id = strtoll(subject_id, &end, 10);
    if (*end || id <= 0)
        return FZ_OK;
    return ind_on_case(w, subject_kind + 5, (int64_t)id);
}
/* How facts are kept; part of the signature so a change of it (years were
 * kept before months) rebuilds the values on the next start. */
#define IND_FORMAT "ind-facts-v4:month+quarter+year+county-month"

/* 1 when def x is an indicator or a procedure an indicator reads (its
 * states, fields and actions decide the facts too). */
static int signs(const defs *d, const def *x)
{
    if (x->type == DEF_INDICATOR)
        return 1;
    if (x->type != DEF_PROCEDURE)
        return 0;
    for (int i = 0; i < d->n; i++)
        if (d->items[i].type == DEF_INDICATOR && uses_kind(&d->items[i], x->name))
            return 1;
    return 0;
}

/* SM3 over the format, every indicator definition and every procedure they
 * read, in definition order. */
static int defs_signature(const defs *d, char out[SM3_HEX_LEN + 1])
{
    strbuf b = STRBUF_INIT;
    strbuf_puts(&b, IND_FORMAT);
    for (int i = 0; i < d->n; i++) {
        if (!signs(d, &d->items[i]))
            continue;
        char *t = json_dumps(d->items[i].json, JSON_COMPACT | JSON_SORT_KEYS);
        if (!t) {
            strbuf_free(&b);
            return FZ_NOMEM;
        }
        strbuf_printf(&b, "\n%s", t);
        free(t);
    }
    unsigned char h[SM3_LEN];
    int rc = strbuf_ok(&b) && sm3(b.data, b.len, h) == 0 ? FZ_OK : FZ_ERR;
    if (!rc)
        sm3_hex(h, out);
    strbuf_free(&b);
    return rc;
}

int ind_sync(store_conn *w, const defs *d, int64_t *recomputed)
{
    *recomputed = -1;
    char sig[SM3_HEX_LEN + 1], old[SM3_HEX_LEN + 1] = "";
    /* The records column first (after migration 13, or a change of a
     * procedure's records): the facts read it. */
    if (reccol_sync(w, d, 0, NULL) || defs_signature(d, sig))
        return FZ_ERR;
    /* The officer stock timeline (engine/officer_stock.h): built once after
     * an upgrade, again when a write did not keep it or the hours changed. */
    int rebuilt = 0;
    if (stock_sync(w, d, &rebuilt))
        return FZ_ERR;
    if (rebuilt)
        log_info("执法人员存量时间线已按名录重建");
    store_stmt *st;
    if (store_prepare(w, "SELECT value FROM meta WHERE key = 'indicator_defs'", &st))
        return FZ_ERR;
    int rc = store_step(st);
    if (rc == STORE_ROW)
        snprintf(old, sizeof(old), "%s", store_col_text(st, 0));
    store_done(st);
    if (rc != STORE_ROW && rc != STORE_DONE)
        return FZ_ERR;
    if (!strcmp(old, sig))
        return FZ_OK;
    int64_t diff = 0, nf = 0, nrec = 0;
    if (ind_recompute(w, NULL, d, 0, NULL, &nf, &diff, &nrec) ||
        store_run(w,
                  "INSERT INTO meta (key, value) VALUES ('indicator_defs', ?)"
                  " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                  "s", sig))
        return FZ_ERR;
    *recomputed = nf;
    return FZ_OK;
}

typedef struct sync_job {
    const defs *d;
    int64_t facts;
} sync_job;

static int sync_run(store_conn *w, void *ctx)
{
    sync_job *j = ctx;
    return ind_sync(w, j->d, &j->facts);
}

int ind_attach(store *s, const defs *d, int64_t *recomputed)
{
    ind_set_defs(d);
    sync_job j = {.d = d, .facts = -1};
    int rc = store_write(s, sync_run, &j);
    if (recomputed)
        *recomputed = j.facts;
    return rc;
}
