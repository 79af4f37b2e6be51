/* indicators_api.c: 指标 over HTTP (docs/indicators.md, engine/indicators.h).
 *
 *   GET /api/indicators?year=YYYY[&quarter=|&month=|&from=&to=][&group=]
 *       [&unit=ID | &key=K]
 *       every indicator definition with its county total and its rows per
 *       group (unit, unit type, township or region: api/ind_query.h) for
 *       the period (value = num / den; null when den = 0, shown "—"), rank
 *       among the groups, met (against target and direction), 同比 (the
 *       same months a year earlier) and the weighted composite score.
 *   GET /api/indicators/trend?year=YYYY[&unit=ID]
 *       each indicator month by month: the month's value and the
 *       cumulative value since January.
 *   GET /api/indicators/{name}/cases?…&part=numerator|denominator
 *       the cases behind a number, within the caller's data scope for
 *       case:view (like the case list): indicator_cases_api.c.
 * All read indicator_values only (never the cases), limited to the units of
 * this data dir's region.
 *
 * The totals are the county's statistics: every group's row is shown to
 * every holder of case:view (a ranking needs all units); the cases behind
 * them are listed only within the caller's scope. */
#include "api/app.h"
#include "api/ind_query.h"
#include "api/routes.h"
#include "api/util.h"
#include "engine/ind_module.h"
#include "engine/indicators.h"
#include "store/store.h"
#include "core/status.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct grow {
    char key[40];
    char name[200];
    int64_t num, den;
    int64_t pnum, pden; /* the previous period */
    int rank;
} grow;

/* An index of the string keys of an array of structs (open addressing,
 * FNV-1a): element i's key is at (char *)base + i * stride + off. A
 * province-level page has 2,000 units per indicator, so a linear search per
 * row was quadratic (measured: most of a 400 ms request). */
typedef struct keyidx {
    uint32_t *slot; /* element index + 1; 0: empty */
    size_t nslot, stride, off;
} keyidx;

static size_t kx_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static const char *kx_key(const keyidx *x, const void *base, size_t i)
{
    return (const char *)base + i * x->stride + x->off;
}

/* The element with key, or -1. */
static long kx_find(const keyidx *x, const void *base, const char *key)
{
    if (!x->nslot)
        return -1;
    for (size_t h = kx_hash(key) & (x->nslot - 1);; h = (h + 1) & (x->nslot - 1)) {
        uint32_t s = x->slot[h];
        if (!s)
            return -1;
        if (!strcmp(kx_key(x, base, s - 1), key))
            return (long)s - 1;
    }
}

/* Adds element n - 1 (the newest of n), growing the table to keep it at
 * most half full. FZ_NOMEM. */
static int kx_add(keyidx *x, const void *base, size_t n)
{
    if (2 * n > x->nslot) {
        size_t ns = x->nslot ? x->nslot * 2 : 64;
        uint32_t *nv = calloc(ns, sizeof(*nv));
        if (!nv)
            return FZ_NOMEM;
        free(x->slot);
        x->slot = nv, x->nslot = ns;
        for (size_t i = 0; i + 1 < n; i++) {
            size_t h = kx_hash(kx_key(x, base, i)) & (ns - 1);
            while (x->slot[h])
                h = (h + 1) & (ns - 1);
            x->slot[h] = (uint32_t)i + 1;
        }
    }
    size_t h = kx_hash(kx_key(x, base, n - 1)) & (x->nslot - 1);
    while (x->slot[h])
        h = (h + 1) & (x->nslot - 1);
    x->slot[h] = (uint32_t)n;
    return FZ_OK;
}

/* The array v of n elements of size sz with room for one more (capacity
 * doubled, *cap updated), or NULL (v untouched). */
static void *room_for_one(void *v, size_t *cap, size_t n, size_t sz)
{
    if (n < *cap)
        return v;
    size_t nc = *cap ? *cap * 2 : 16;
    void *nv = realloc(v, nc * sz);
    if (nv)
        *cap = nc;
    return nv;
}

typedef struct grows {
    grow *v;
    size_t n, cap;
    keyidx idx;
} grows;

static void grows_free(grows *g)
{
    free(g->v);
    free(g->idx.slot);
}

static grow *add_group(grows *g, const char *key, const char *name)
{
    long at = kx_find(&g->idx, g->v, key);
    if (at >= 0)
        return &g->v[at];
    grow *nv = room_for_one(g->v, &g->cap, g->n, sizeof(*nv));
    if (!nv)
        return NULL;
    g->v = nv;
    grow *r = &nv[g->n];
    memset(r, 0, sizeof(*r));
    snprintf(r->key, sizeof(r->key), "%s", key);
    snprintf(r->name, sizeof(r->name), "%s", name);
    g->n++;
    g->idx.stride = sizeof(grow), g->idx.off = offsetof(grow, key);
    if (kx_add(&g->idx, g->v, g->n)) {
        g->n--;
        return NULL;
    }
    return r;
}

/* The group's name: the unit's, the type itself, the region's (a county's
 * own units are 县直部门 in the township grouping). */
#define GROUP_NAME_SQL_AT(G)                                                                                      \
    "(CASE " G " WHEN 'unit' THEN coalesce(u.name, '') WHEN 'unit_type' THEN u.type"                           \
    " WHEN 'township' THEN (CASE WHEN substr(u.region_code, 7, 3) <> '000' THEN coalesce(g.name, '')"            \
    " ELSE '县直部门' END) ELSE coalesce(g.name, '') END)"
#define GROUP_NAME_SQL GROUP_NAME_SQL_AT("?4")

/* Sums per group for one indicator over months from..to of units whose
 * region code starts with prefix: prev = 0 into num/den, prev = 1 into
 * pnum/pden. */
static int load_range(store_conn *c, const char *ind, const char *from, const char *to, const char *group,
                      const char *prefix, int prev, grows *g)
{
    store_stmt *st;
    if (store_prepare(c,
                      "SELECT " IND_GROUP_KEY_SQL("?4") ", " GROUP_NAME_SQL ", sum(v.num), sum(v.den)"
                      " FROM indicator_values v JOIN units u ON u.id = v.unit_id"
                      " LEFT JOIN regions g ON g.code = " IND_GROUP_KEY_SQL("?4")
                      " WHERE v.indicator = ?1 AND v.period >= ?2 AND v.period <= ?3"
                      " AND v.unit_id IN (SELECT id FROM units WHERE region_code LIKE ?5 || '%')"
                      " GROUP BY 1, 2 ORDER BY 1",
                      &st))
        return FZ_ERR;
    store_bind_text(st, 1, ind);
    store_bind_text(st, 2, from);
    store_bind_text(st, 3, to);
    store_bind_text(st, 4, group);
    store_bind_text(st, 5, prefix);
    int rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        grow *r = add_group(g, store_col_text(st, 0), store_col_text(st, 1));
        if (!r) {
            rc = FZ_NOMEM;
            break;
        }
        if (prev) {
            r->pnum += store_col_int(st, 2);
            r->pden += store_col_int(st, 3);
        } else {
            r->num += store_col_int(st, 2);
            r->den += store_col_int(st, 3);
        }
    }
    store_done(st);
    return rc == STORE_DONE ? FZ_OK : FZ_ERR;
}

/* The group key and name of every unit of the region (for module
 * indicators, which count per unit outside indicator_values). */
typedef struct unit_group {
    int64_t id;
    char key[40];
    char name[200];
} unit_group;

typedef struct module_acc {
    unit_group *u;
    size_t n;
    grows *g;
    int prev, failed;
} module_acc;

static int load_unit_groups(store_conn *c, const char *group, const char *prefix, unit_group **out, size_t *n)
{
    store_stmt *st;
    *out = NULL;
    *n = 0;
    if (store_prepare(c,
                      "SELECT u.id, " IND_GROUP_KEY_SQL("?1") ", " GROUP_NAME_SQL_AT("?1")
                      " FROM units u LEFT JOIN regions g ON g.code = " IND_GROUP_KEY_SQL("?1")
                      " WHERE u.region_code LIKE ?2 || '%' ORDER BY u.id",
                      &st))
        return FZ_ERR;
    store_bind_text(st, 1, group);
    store_bind_text(st, 2, prefix);
    size_t cap = 0;
    int rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        unit_group *nv = room_for_one(*out, &cap, *n, sizeof(*nv));
        if (!nv) {
            rc = FZ_NOMEM;
            break;
        }
        *out = nv;
        unit_group *x = &nv[(*n)++];
        x->id = store_col_int(st, 0);
        snprintf(x->key, sizeof(x->key), "%s", store_col_text(st, 1));
        snprintf(x->name, sizeof(x->name), "%s", store_col_text(st, 2));
    }
    store_done(st);
    return rc == STORE_DONE ? FZ_OK : FZ_ERR;
}

static void module_unit(void *ctx, int64_t unit, int64_t num, int64_t den)
{
    module_acc *m = ctx;
    size_t lo = 0, hi = m->n; /* m->u is in ascending id order */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->u[mid].id < unit)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == m->n || m->u[lo].id != unit)
        return;
    grow *r = add_group(m->g, m->u[lo].key, m->u[lo].name);
    if (!r)
        m->failed = 1;
    else if (m->prev)
        r->pnum += num, r->pden += den;
    else
        r->num += num, r->den += den;
}

static ind_module_opts module_opts(req *r, const char *prefix, ind_module_memo *memo)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    return (ind_module_opts){.region_prefix = prefix,
                             .today_ymd = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday,
                             .required_hours = req_app(r)->cfg.training_hours_required,
                             .memo = memo};
}

/* A module indicator's rows: its value on the last day of the period and
 * of the previous one. */
static int load_module(req *r, store_conn *c, const def *ind, const ind_period *p, const char *group,
                       const char *prefix, grows *g, ind_module_memo *memo)
{
    module_acc m = {.g = g};
    if (load_unit_groups(c, group, prefix, &m.u, &m.n)) {
        free(m.u);
        return FZ_ERR;
    }
    ind_module_opts o = module_opts(r, prefix, memo);
    int rc = ind_module_units(c, ind, p->from, p->to, &o, module_unit, &m);
    m.prev = 1;
    if (!rc)
        rc = ind_module_units(c, ind, p->pfrom, p->pto, &o, module_unit, &m);
    free(m.u);
    return rc || m.failed ? FZ_ERR : FZ_OK;
}

static json_t *ratio(int64_t num, int64_t den)
{
    return den > 0 ? json_real((double)num / (double)den) : json_null();
}

static int is_le(const def *ind)
{
    const char *d = json_string_value(json_object_get(ind->json, "direction"));
    return d && !strcmp(d, "<=");
}

static json_t *met(const def *ind, int64_t num, int64_t den)
{
    if (den <= 0)
        return json_null();
    double v = (double)num / (double)den, t = json_number_value(json_object_get(ind->json, "target"));
    return json_boolean(is_le(ind) ? v <= t + 1e-9 : v >= t - 1e-9);
}

/* Score 0..100 of a value against its target (docs/indicators.md). */
static double score(const def *ind, int64_t num, int64_t den)
{
    double v = (double)num / (double)den, t = json_number_value(json_object_get(ind->json, "target"));
    double s;
    if (is_le(ind))
        s = v <= t ? 1.0 : (v > 0 ? t / v : 1.0);
    else
        s = t <= 0 ? 1.0 : (v >= t ? 1.0 : v / t);
    return s * 100.0;
}

/* 1 when a ranks before b. */
static int better(const def *ind, const grow *a, const grow *b)
{
    /* a.num/a.den vs b.num/b.den exactly, by cross multiplication. */
    double l = (double)a->num * (double)b->den, r = (double)b->num * (double)a->den;
    return is_le(ind) ? l < r : l > r;
}

typedef struct ranked_row {
    grow *g;
    const def *ind;
} ranked_row;

static int rank_cmp(const void *x, const void *y)
{
    const ranked_row *a = x, *b = y;
    return better(a->ind, a->g, b->g) ? -1 : better(a->ind, b->g, a->g) ? 1 : 0;
}

/* rank = 1 + the number of groups strictly better (ties share a rank);
 * groups without a denominator have none. Sorted: n log n, not n². */
static int rank_groups(const def *ind, grows *g)
{
    ranked_row *order = malloc((g->n ? g->n : 1) * sizeof(*order));
    if (!order)
        return FZ_NOMEM;
    size_t m = 0;
    for (size_t i = 0; i < g->n; i++) {
        g->v[i].rank = 0;
        if (g->v[i].den > 0)
            order[m++] = (ranked_row){&g->v[i], ind};
    }
    qsort(order, m, sizeof(*order), rank_cmp);
    for (size_t i = 0; i < m; i++)
        order[i].g->rank = i > 0 && !better(ind, order[i - 1].g, order[i].g) ? order[i - 1].g->rank : (int)i + 1;
    free(order);
    return FZ_OK;
}

static double weight_of(const def *ind)
{
    json_t *w = json_object_get(ind->json, "weight");
    return json_is_number(w) ? json_number_value(w) : 0;
}

/* A group's identity in the response: unit_id / unit_name for units
 * (as before groups existed), key / name otherwise. */
static void set_identity(json_t *o, const char *group, const grow *x)
{
    if (!strcmp(group, "unit")) {
        json_object_set_new(o, "unit_id", json_integer(strtoll(x->key, NULL, 10)));
        json_object_set_new(o, "unit_name", json_string(x->name));
    } else {
        json_object_set_new(o, "key", json_string(x->key));
        json_object_set_new(o, "name", json_string(x->name));
    }
}

typedef struct comp {
    char key[40];
    char name[200];
    double sum, weight;
} comp;

typedef struct comps {
    comp *v;
    size_t n, cap;
    keyidx idx;
    double sum, weight; /* the county's */
} comps;

static void comp_add(comps *cs, const grow *x, double w, double s)
{
    long at = kx_find(&cs->idx, cs->v, x->key);
    comp *cp = at >= 0 ? &cs->v[at] : NULL;
    if (!cp) {
        comp *nv = room_for_one(cs->v, &cs->cap, cs->n, sizeof(*nv));
        if (!nv)
            return;
        cs->v = nv;
        cp = &nv[cs->n];
        memset(cp, 0, sizeof(*cp));
        snprintf(cp->key, sizeof(cp->key), "%s", x->key);
        snprintf(cp->name, sizeof(cp->name), "%s", x->name);
        cs->n++;
        cs->idx.stride = sizeof(comp), cs->idx.off = offsetof(comp, key);
        if (kx_add(&cs->idx, cs->v, cs->n)) {
            cs->n--;
            return;
        }
    }
    cp->sum += w * s;
    cp->weight += w;
}

/* One indicator's entry: county total, rows per group, ranks; adds to the
 * composite. NULL on a store error. */
static json_t *indicator_entry(req *r, store_conn *c, const def *ind, const ind_period *p, const char *group,
                               const char *prefix, const char *only, comps *cs, ind_module_memo *memo)
{
    grows g = {0};
    int rc = ind_is_module(ind) ? load_module(r, c, ind, p, group, prefix, &g, memo)
                                : load_range(c, ind->name, p->from, p->to, group, prefix, 0, &g) ||
                                      load_range(c, ind->name, p->pfrom, p->pto, group, prefix, 1, &g);
    if (rc || rank_groups(ind, &g)) {
        grows_free(&g);
        return NULL;
    }
    int64_t num = 0, den = 0, pnum = 0, pden = 0;
    json_t *rows = json_array();
    double w = weight_of(ind);
    int ranked = 0;
    for (size_t k = 0; k < g.n; k++) {
        grow *x = &g.v[k];
        num += x->num, den += x->den, pnum += x->pnum, pden += x->pden;
        ranked += x->den > 0;
        if (x->den > 0 && w > 0)
            comp_add(cs, x, w, score(ind, x->num, x->den));
        if ((x->num == 0 && x->den == 0) || (*only && strcmp(x->key, only) != 0))
            continue;
        json_t *o = json_pack("{s:I, s:I, s:o, s:o, s:o, s:o}", "num", (json_int_t)x->num, "den",
                              (json_int_t)x->den, "value", ratio(x->num, x->den), "met", met(ind, x->num, x->den),
                              "rank", x->rank ? json_integer(x->rank) : json_null(), "prev_value",
                              ratio(x->pnum, x->pden));
        set_identity(o, group, x);
        json_array_append_new(rows, o);
    }
    grows_free(&g);
    if (den > 0 && w > 0) {
        cs->sum += w * score(ind, num, den);
        cs->weight += w;
    }
    const char *basis = json_string_value(json_object_get(ind->json, "basis"));
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:O, s:s, s:f, s:{s:I, s:I, s:o, s:o, s:o}, s:i}", "name",
                          ind->name, "title", json_string_value(json_object_get(ind->json, "title")), "basis",
                          basis ? basis : "", "period", json_string_value(json_object_get(ind->json, "period")),
                          "target", json_object_get(ind->json, "target"), "direction",
                          json_string_value(json_object_get(ind->json, "direction")), "weight", w, "county", "num",
                          (json_int_t)num, "den", (json_int_t)den, "value", ratio(num, den), "met",
                          met(ind, num, den), "prev_value", ratio(pnum, pden), "ranked", ranked);
    if (!o) {
        json_decref(rows);
        return NULL;
    }
    if (ind_is_module(ind)) {
        json_object_set_new(o, "source", json_string(json_string_value(json_object_get(ind->json, "source"))));
        json_object_set_new(o, "measure", json_string(json_string_value(json_object_get(ind->json, "measure"))));
    }
    if (!strcmp(group, "unit")) {
        json_object_set_new(o, "ranked_units", json_integer(ranked));
        json_object_set_new(o, "units", rows);
    } else {
        json_object_set_new(o, "groups", rows);
    }
    return o;
}

int api_indicators(req *r)
{
    app *a = req_app(r);
    ind_period p;
    const char *group, *key;
    int64_t unit;
    if (ind_query_period(r, &p) || ind_query_group(r, &group) || api_query_int(r, "unit", 0, INT64_MAX, 0, &unit) ||
        api_query_text(r, "key", &key))
        return FZ_OK;
    if (unit && strcmp(group, "unit") != 0)
        return api_invalid(r, "unit", "查询参数", "只能与 group=unit 一起使用");
    if (*key && !strcmp(group, "unit"))
        return api_invalid(r, "key", "查询参数", "按单位筛选请用 unit");
    char only[40] = "", prefix[16];
    if (unit)
        snprintf(only, sizeof(only), "%lld", (long long)unit);
    else
        snprintf(only, sizeof(only), "%s", key);
    ind_query_region(r, prefix);
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    json_t *list = json_array();
    comps cs = {0};
    ind_module_memo memo = {0};
    for (int i = 0; i < a->defs->n; i++) {
        const def *ind = &a->defs->items[i];
        if (ind->type != DEF_INDICATOR)
            continue;
        json_t *o = indicator_entry(r, c, ind, &p, group, prefix, only, &cs, &memo);
        if (!o) {
            ind_module_memo_free(&memo);
            free(cs.v);
            free(cs.idx.slot);
            json_decref(list);
            return api_store_error(r);
        }
        json_array_append_new(list, o);
    }
    ind_module_memo_free(&memo);
    json_t *rows = json_array();
    for (size_t m = 0; m < cs.n; m++) {
        if (*only && strcmp(cs.v[m].key, only) != 0)
            continue;
        json_t *o = json_pack("{s:f, s:f}", "score", round(cs.v[m].sum / cs.v[m].weight * 100.0) / 100.0, "weight",
                              cs.v[m].weight);
        grow x;
        snprintf(x.key, sizeof(x.key), "%s", cs.v[m].key);
        snprintf(x.name, sizeof(x.name), "%s", cs.v[m].name);
        set_identity(o, group, &x);
        json_array_append_new(rows, o);
    }
    free(cs.v);
    free(cs.idx.slot);
    json_t *out = json_pack(
        "{s:I, s:{s:s, s:s, s:s, s:s, s:s, s:s}, s:s, s:o, s:{s:o, s:f}}", "year", (json_int_t)p.year, "period",
        "kind", p.kind, "from", p.from, "to", p.to, "prev_from", p.pfrom, "prev_to", p.pto, "label", p.label, "group",
        group, "indicators", list, "composite", "county",
        cs.weight > 0 ? json_real(round(cs.sum / cs.weight * 100.0) / 100.0) : json_null(), "weight", cs.weight);
    json_object_set_new(json_object_get(out, "composite"), !strcmp(group, "unit") ? "units" : "groups", rows);
    return req_reply_json(r, 200, out);
}

typedef struct month_sum {
    int64_t unit;
    int64_t *num, *den; /* [12] */
} month_sum;

static void month_unit(void *ctx, int month0, int64_t unit, int64_t num, int64_t den)
{
    month_sum *m = ctx;
    if (month0 >= 0 && month0 < 12 && (!m->unit || m->unit == unit))
        m->num[month0] += num, m->den[month0] += den;
}

/* An indicator's twelve months; cumulative: sums since January (a flow),
 * else each month's own value (a stock). */
static json_t *trend_entry(const def *ind, int year, const int64_t mn[12], const int64_t md[12], int cumulative)
{
    json_t *pts = json_array();
    int64_t cn = 0, cd = 0;
    for (int m = 0; m < 12; m++) {
        if (cumulative)
            cn += mn[m], cd += md[m];
        else
            cn = mn[m], cd = md[m];
        char per[12];
        snprintf(per, sizeof(per), "%04d-%02d", year % 10000, (m + 1) % 100);
        json_array_append_new(pts, json_pack("{s:s, s:I, s:I, s:o, s:I, s:I, s:o}", "month", per, "num",
                                             (json_int_t)mn[m], "den", (json_int_t)md[m], "value", ratio(mn[m], md[m]),
                                             "cum_num", (json_int_t)cn, "cum_den", (json_int_t)cd, "cum_value",
                                             ratio(cn, cd)));
    }
    json_t *o = json_pack("{s:s, s:s, s:O, s:s, s:o}", "name", ind->name, "title",
                          json_string_value(json_object_get(ind->json, "title")), "target",
                          json_object_get(ind->json, "target"), "direction",
                          json_string_value(json_object_get(ind->json, "direction")), "months", pts);
    if (o && ind_is_module(ind))
        json_object_set_new(o, "source", json_string(json_string_value(json_object_get(ind->json, "source"))));
    return o;
}

/* Month by month for the year: per indicator, each month's num / den and
 * the cumulative num / den since January. */
int api_indicator_trend(req *r)
{
    app *a = req_app(r);
    ind_period p;
    int64_t unit;
    if (api_query_int(r, "unit", 0, INT64_MAX, 0, &unit) || ind_query_period(r, &p))
        return FZ_OK;
    if (strcmp(p.kind, "year") != 0)
        return api_invalid(r, "year", "查询参数", "走势按年给出，只接受 year（不接受 quarter、month、from、to）");
    char prefix[16];
    ind_query_region(r, prefix);
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    json_t *list = json_array();
    for (int i = 0; i < a->defs->n; i++) {
        const def *ind = &a->defs->items[i];
        if (ind->type != DEF_INDICATOR)
            continue;
        int64_t mn[12] = {0}, md[12] = {0};
        if (ind_is_module(ind)) {
            /* A stock's months are its values on their last days (and so
             * is the cumulative value); a sum's accumulate. */
            ind_module_opts o = module_opts(r, prefix, NULL);
            month_sum ms = {.unit = unit, .num = mn, .den = md};
            if (ind_module_months(c, ind, p.year, &o, month_unit, &ms) != FZ_OK) {
                json_decref(list);
                return api_store_error(r);
            }
            json_array_append_new(list, trend_entry(ind, p.year, mn, md, !ind_module_stock(ind)));
            continue;
        }
        store_stmt *st;
        if (store_prepare(c,
                          "SELECT v.period, sum(v.num), sum(v.den) FROM indicator_values v"
                          " WHERE v.indicator = ?1 AND v.period >= ?2 AND v.period <= ?3 AND (?4 = 0 OR v.unit_id = ?4)"
                          " AND v.unit_id IN (SELECT id FROM units WHERE region_code LIKE ?5 || '%')"
                          " GROUP BY v.period",
                          &st)) {
            json_decref(list);
            return api_store_error(r);
        }
        store_bind_text(st, 1, ind->name);
        store_bind_text(st, 2, p.from);
        store_bind_text(st, 3, p.to);
        store_bind_int(st, 4, unit);
        store_bind_text(st, 5, prefix);
        int rc;
        while ((rc = store_step(st)) == STORE_ROW) {
            const char *per = store_col_text(st, 0);
            int m = per && strlen(per) == 7 ? (per[5] - '0') * 10 + (per[6] - '0') : 0;
            if (m >= 1 && m <= 12) {
                mn[m - 1] += store_col_int(st, 1);
                md[m - 1] += store_col_int(st, 2);
            }
        }
        store_done(st);
        if (rc != STORE_DONE) {
            json_decref(list);
            return api_store_error(r);
        }
        json_array_append_new(list, trend_entry(ind, p.year, mn, md, 1));
    }
    return req_reply_json(r, 200, json_pack("{s:i, s:I, s:o}", "year", p.year, "unit", (json_int_t)unit,
                                            "indicators", list));
}
