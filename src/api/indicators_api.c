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
#include "core/jsonw.h"
#include "core/keyidx.h"
#include "core/strbuf.h"
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
    const char *name; /* borrowed from the unit map, valid until it is freed */
    int64_t id;  /* group "unit": the unit's id (rows are ordered by it) */
    uint32_t at; /* group "unit": its index in the unit map */
    int64_t num, den;
    int64_t pnum, pden; /* the previous period */
    int rank;
} grow;

/* Copies NUL-terminated src into dst of n bytes, cut when longer (names
 * and keys are copied for each of thousands of rows: no printf). */
static void copy_str(char *dst, size_t n, const char *src)
{
    size_t len = strnlen(src, n - 1);
    memcpy(dst, src, len);
    dst[len] = 0;
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
    /* group "unit": byunit[i] = 1 + the row of the unit map's unit i (0:
     * none yet), found without hashing its key; NULL for other groups. */
    uint32_t *byunit;
} grows;

static void grows_free(grows *g)
{
    free(g->byunit);
    free(g->v);
    kx_free(&g->idx);
}

static grow *add_group(grows *g, const char *key, const char *name)
{
    long at = g->byunit ? -1 : kx_find(&g->idx, g->v, key);
    if (at >= 0)
        return &g->v[at];
    grow *nv = room_for_one(g->v, &g->cap, g->n, sizeof(*nv));
    if (!nv)
        return NULL;
    g->v = nv;
    grow *r = &nv[g->n];
    memset(r, 0, sizeof(*r));
    copy_str(r->key, sizeof(r->key), key);
    r->name = name;
    g->n++;
    if (!g->byunit && kx_add(&g->idx, g->v, g->n)) {
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

/* Every unit of the region with its group key and name, in ascending id
 * order: read once per request and shared by all indicators (a join to
 * units and regions per indicator_values row was most of a province-level
 * request). */
typedef struct unit_group {
    int64_t id;
    char key[40];
    char name[200];
} unit_group;

typedef struct unit_map {
    unit_group *u;
    size_t n;
    /* pos[id - u[0].id] = index + 1 (0: not the region's), when the ids are
     * dense enough (a province's pass looks up every value's unit); else
     * NULL and unit_find searches. */
    uint32_t *pos;
    int64_t span;
} unit_map;

static void unit_map_free(unit_map *m)
{
    free(m->u);
    free(m->pos);
}

static int load_unit_map(store_conn *c, const char *group, const char *prefix, unit_map *m)
{
    store_stmt *st;
    m->u = NULL;
    m->n = 0;
    m->pos = NULL;
    m->span = 0;
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
        unit_group *nv = room_for_one(m->u, &cap, m->n, sizeof(*nv));
        if (!nv) {
            rc = FZ_NOMEM;
            break;
        }
        m->u = nv;
        unit_group *x = &nv[m->n++];
        x->id = store_col_int(st, 0);
        copy_str(x->key, sizeof(x->key), store_col_text(st, 1));
        copy_str(x->name, sizeof(x->name), store_col_text(st, 2));
    }
    store_done(st);
    if (rc == STORE_DONE && m->n > 0) {
        int64_t span = m->u[m->n - 1].id - m->u[0].id + 1;
        if (span > 0 && span <= (int64_t)m->n * 4 && (m->pos = calloc((size_t)span, sizeof(*m->pos)))) {
            m->span = span;
            for (size_t i = 0; i < m->n; i++)
                m->pos[m->u[i].id - m->u[0].id] = (uint32_t)i + 1;
        }
    }
    return rc == STORE_DONE ? FZ_OK : FZ_ERR;
}

static const unit_group *unit_find(const unit_map *m, int64_t id)
{
    if (m->pos) {
        int64_t at = m->n ? id - m->u[0].id : -1;
        return at >= 0 && at < m->span && m->pos[at] ? &m->u[m->pos[at] - 1] : NULL;
    }
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->u[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < m->n && m->u[lo].id == id ? &m->u[lo] : NULL;
}

/* Adds a unit's num/den to its group (prev: to pnum/pden); units outside
 * the map are not this node's. FZ_NOMEM. */
static int add_found(grows *g, const unit_map *m, const unit_group *u, int64_t num, int64_t den, int prev)
{
    grow *r;
    uint32_t *slot = g->byunit ? &g->byunit[u - m->u] : NULL;
    if (slot && *slot) {
        r = &g->v[*slot - 1];
    } else {
        if (!(r = add_group(g, u->key, u->name)))
            return FZ_NOMEM;
        r->id = u->id;
        r->at = (uint32_t)(u - m->u);
        if (slot)
            *slot = (uint32_t)(r - g->v) + 1;
    }
    if (prev)
        r->pnum += num, r->pden += den;
    else
        r->num += num, r->den += den;
    return FZ_OK;
}

static int add_unit(grows *g, const unit_map *m, int64_t unit, int64_t num, int64_t den, int prev)
{
    const unit_group *u = unit_find(m, unit);
    return u ? add_found(g, m, u, num, den, prev) : FZ_OK;
}

#define PROBE_UNITS_MAX 200

/* Each stored value of indicator ind in months from..to of the map's units
 * (or of unit `only` alone): cb(ctx, unit, period, num, den), which returns
 * FZ_OK to go on. With `rollups`, the fewest rows that sum to the same:
 * the yearly roll-ups ("YYYY") when from..to are whole years, else the
 * quarterly ones ("YYYYQn") when they are whole quarters, else the months.
 * Read from the covering indexes of migration 12. */
typedef int (*value_cb)(void *ctx, int64_t unit, const char *period, int64_t num, int64_t den);

/* The keys lo..hi of months from..to ("YYYY-MM") and the length of the
 * periods to read: with rollups, whole years (January to December) as
 * "YYYY" (4), else whole quarters as "YYYYQn" (6: they sort in time order);
 * else the months (7). */
static int rollup_range(int rollups, const char *from, const char *to, char lo[12], char hi[12])
{
    int a = strlen(from) == 7 ? (from[5] - '0') * 10 + (from[6] - '0') : 0;
    int b = strlen(to) == 7 ? (to[5] - '0') * 10 + (to[6] - '0') : 0;
    if (rollups && a == 1 && b == 12) {
        snprintf(lo, 12, "%.4s", from);
        snprintf(hi, 12, "%.4s", to);
        return 4;
    }
    if (rollups && a >= 1 && a <= 12 && b >= 1 && b <= 12 && a % 3 == 1 && b % 3 == 0) {
        snprintf(lo, 12, "%.4sQ%d", from, (a - 1) / 3 + 1);
        snprintf(hi, 12, "%.4sQ%d", to, (b - 1) / 3 + 1);
        return 6;
    }
    snprintf(lo, 12, "%s", from);
    snprintf(hi, 12, "%s", to);
    return 7;
}

static int each_value(store_conn *c, const char *ind, const char *from, const char *to, int rollups,
                      const unit_map *m, int64_t only, value_cb cb, void *ctx)
{
    char lo[12], hi[12];
    int len = rollup_range(rollups, from, to, lo, hi);
    store_stmt *st;
    int rc = FZ_OK;
    if (only || m->n <= PROBE_UNITS_MAX) {
        /* A county's few units: indicator_values_unit, unit by unit. */
        for (size_t i = 0; !rc && i < m->n; i++) {
            if (only && m->u[i].id != only)
                continue;
            if (store_prepare(c,
                              "SELECT v.period, v.num, v.den FROM indicator_values v"
                              " WHERE v.indicator = ?1 AND v.unit_id = ?2 AND v.period >= ?3 AND v.period <= ?4"
                              " AND length(v.period) = ?5",
                              &st))
                return FZ_ERR;
            store_bind_text(st, 1, ind);
            store_bind_int(st, 2, m->u[i].id);
            store_bind_text(st, 3, lo);
            store_bind_text(st, 4, hi);
            store_bind_int(st, 5, len);
            int s;
            while ((s = store_step(st)) == STORE_ROW && !rc)
                rc = cb(ctx, m->u[i].id, store_col_text(st, 0), store_col_int(st, 1), store_col_int(st, 2));
            store_done(st);
            if (!rc && s != STORE_DONE)
                rc = FZ_ERR;
        }
        return rc;
    }
    /* A province's thousands of units: one pass over the periods in
     * indicator_values_period, the map keeping the region's units (a probe
     * per unit, or a GROUP BY with a join, was most of such a request). */
    if (store_prepare(c,
                      "SELECT v.unit_id, v.period, v.num, v.den FROM indicator_values v"
                      " WHERE v.indicator = ?1 AND v.period >= ?2 AND v.period <= ?3 AND length(v.period) = ?4",
                      &st))
        return FZ_ERR;
    store_bind_text(st, 1, ind);
    store_bind_text(st, 2, lo);
    store_bind_text(st, 3, hi);
    store_bind_int(st, 4, len);
    int s;
    while ((s = store_step(st)) == STORE_ROW && !rc) {
        int64_t unit = store_col_int(st, 0);
        if (unit_find(m, unit))
            rc = cb(ctx, unit, store_col_text(st, 1), store_col_int(st, 2), store_col_int(st, 3));
    }
    store_done(st);
    return !rc && s != STORE_DONE ? FZ_ERR : rc;
}

typedef struct range_acc {
    grows *g;
    const unit_map *m;
    int prev;
} range_acc;

static int range_value(void *ctx, int64_t unit, const char *period, int64_t num, int64_t den)
{
    range_acc *a = ctx;
    (void)period;
    return add_unit(a->g, a->m, unit, num, den, a->prev);
}

/* Sums per group for one indicator over months from..to of the map's units:
 * prev = 0 into num/den, prev = 1 into pnum/pden (the rows are put in order
 * when they are listed). */
static int load_range(store_conn *c, const char *ind, const char *from, const char *to, const unit_map *m,
                      int prev, grows *g)
{
    range_acc a = {g, m, prev};
    return each_value(c, ind, from, to, 1, m, 0, range_value, &a);
}

typedef struct module_acc {
    const unit_map *m;
    grows *g;
    int prev, failed;
} module_acc;

static void module_unit(void *ctx, int64_t unit, int64_t num, int64_t den)
{
    module_acc *a = ctx;
    if (add_unit(a->g, a->m, unit, num, den, a->prev))
        a->failed = 1;
}

static ind_module_opts module_opts(req *r, const char *prefix)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    return (ind_module_opts){.region_prefix = prefix,
                             .today_ymd = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday,
                             .required_hours = req_app(r)->cfg.training_hours_required};
}

/* A module indicator's rows: its value on the last day of the period and
 * of the previous one. */
static int load_module(req *r, store_conn *c, const def *ind, const ind_period *p, const char *prefix,
                       const unit_map *um, grows *g)
{
    module_acc m = {.m = um, .g = g};
    ind_module_opts o = module_opts(r, prefix);
    int rc = ind_module_units(c, ind, p->from, p->to, &o, module_unit, &m);
    m.prev = 1;
    if (!rc)
        rc = ind_module_units(c, ind, p->pfrom, p->pto, &o, module_unit, &m);
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

/* 1 when a ranks before b (le: the indicator's direction is "<="). */
static int better(int le, const grow *a, const grow *b)
{
    /* a.num/a.den vs b.num/b.den exactly, by cross multiplication. */
    double l = (double)a->num * (double)b->den, r = (double)b->num * (double)a->den;
    return le ? l < r : l > r;
}

typedef struct ranked_row {
    grow *g;
    int le;   /* direction "<=" */
    int unit; /* group "unit": ties by unit id, else by key */
} ranked_row;

static int key_order(int unit, int64_t ida, const char *a, int64_t idb, const char *b)
{
    if (unit)
        return ida < idb ? -1 : ida > idb;
    return strcmp(a, b);
}

/* By value (one cross multiplication: exact), then by unit id or key: the
 * order rows are ranked and listed in. */
static int rank_cmp(const void *x, const void *y)
{
    const ranked_row *a = x, *b = y;
    double l = (double)a->g->num * (double)b->g->den, r = (double)b->g->num * (double)a->g->den;
    if (l != r)
        return (a->le ? l < r : l > r) ? -1 : 1;
    return key_order(a->unit, a->g->id, a->g->key, b->g->id, b->g->key);
}

/* rank = 1 + the number of groups strictly better (ties share a rank);
 * groups without a denominator have none. Sorted once: n log n, not n².
 * *order (the caller frees it): the ranked groups in the order they are
 * listed (by rank, ties by unit id or key), *m of them. */
static int rank_groups(const def *ind, grows *g, int unit, ranked_row **order, size_t *m)
{
    *order = malloc((g->n ? g->n : 1) * sizeof(**order));
    *m = 0;
    if (!*order)
        return FZ_NOMEM;
    ranked_row *o = *order;
    int le = is_le(ind);
    for (size_t i = 0; i < g->n; i++) {
        g->v[i].rank = 0;
        if (g->v[i].den > 0)
            o[(*m)++] = (ranked_row){&g->v[i], le, unit};
    }
    qsort(o, *m, sizeof(*o), rank_cmp);
    for (size_t i = 0; i < *m; i++)
        o[i].g->rank = i > 0 && !better(le, o[i - 1].g, o[i].g) ? o[i - 1].g->rank : (int)i + 1;
    return FZ_OK;
}

static double weight_of(const def *ind)
{
    json_t *w = json_object_get(ind->json, "weight");
    return json_is_number(w) ? json_number_value(w) : 0;
}

typedef struct comp {
    char key[40];
    const char *name; /* borrowed from the unit map */
    double sum, weight;
    double score; /* rounded to 0.01, as shown: ranks compare these */
    int rank;
    int unit;   /* group "unit": ordered by id */
    int64_t id; /* the unit's */
} comp;

typedef struct comps {
    comp *v;
    size_t n, cap;
    keyidx idx;
    uint32_t *byunit; /* as in grows */
    double sum, weight; /* the county's */
} comps;

static void comp_add(comps *cs, const grow *x, double w, double s)
{
    uint32_t *slot = cs->byunit ? &cs->byunit[x->at] : NULL;
    long at = slot ? (long)*slot - 1 : kx_find(&cs->idx, cs->v, x->key);
    comp *cp = at >= 0 ? &cs->v[at] : NULL;
    if (!cp) {
        comp *nv = room_for_one(cs->v, &cs->cap, cs->n, sizeof(*nv));
        if (!nv)
            return;
        cs->v = nv;
        cp = &nv[cs->n];
        memset(cp, 0, sizeof(*cp));
        copy_str(cp->key, sizeof(cp->key), x->key);
        cp->name = x->name;
        cp->id = x->id;
        cs->n++;
        if (slot) {
            *slot = (uint32_t)cs->n;
        } else if (kx_add(&cs->idx, cs->v, cs->n)) {
            cs->n--;
            return;
        }
    }
    cp->sum += w * s;
    cp->weight += w;
}

/* The response of GET /api/indicators is written as text: a province-level
 * node lists 2,000 units per indicator (~1 MB), and building them as
 * jansson objects was most of the request's time. The shape is documented
 * in docs/indicators.md; strings and numbers as jansson writes them
 * (core/jsonw). */
static void w_ratio(strbuf *b, int64_t num, int64_t den)
{
    if (den > 0)
        jw_real(b, (double)num / (double)den);
    else
        strbuf_puts(b, "null");
}

static void w_met(strbuf *b, const def *ind, int64_t num, int64_t den)
{
    json_t *m = met(ind, num, den);
    strbuf_puts(b, json_is_null(m) ? "null" : json_is_true(m) ? "true" : "false");
    json_decref(m);
}

/* A group's identity: unit_id / unit_name for units (as before groups
 * existed), key / name otherwise. */
static void w_identity(strbuf *b, const char *group, const char *key, const char *name)
{
    if (!strcmp(group, "unit")) {
        strbuf_puts(b, "\"unit_id\":");
        jw_int(b, strtoll(key, NULL, 10));
        strbuf_puts(b, ",\"unit_name\":");
        jw_str(b, name);
    } else {
        strbuf_puts(b, "\"key\":");
        jw_str(b, key);
        strbuf_puts(b, ",\"name\":");
        jw_str(b, name);
    }
}

static void w_key(strbuf *b, int *first, const char *k)
{
    if (!*first)
        strbuf_putc(b, ',');
    *first = 0;
    jw_str(b, k);
    strbuf_putc(b, ':');
}

/* The page of a list of n rows: [*lo, *hi). */
static void page_bounds(size_t n, int64_t page, int64_t size, size_t *lo, size_t *hi)
{
    uint64_t a = (uint64_t)(page - 1) * (uint64_t)size;
    *lo = a < n ? (size_t)a : n;
    *hi = n - *lo < (uint64_t)size ? n : *lo + (size_t)size;
}

/* One indicator's entry: county total, ranks over every group, the page
 * of its rows (all of them count: total); adds to the composite. FZ_ERR on
 * a store error. */
static int indicator_entry(req *r, store_conn *c, const def *ind, const ind_period *p, const char *group,
                           const char *prefix, const unit_map *um, const char *only, int64_t page, int64_t size,
                           comps *cs, strbuf *b)
{
    grows g = {.idx = KEYIDX_INIT(grow, key)};
    if (!strcmp(group, "unit") && !(g.byunit = calloc(um->n ? um->n : 1, sizeof(*g.byunit))))
        return FZ_NOMEM;
    int rc = ind_is_module(ind) ? load_module(r, c, ind, p, prefix, um, &g)
                                : load_range(c, ind->name, p->from, p->to, um, 0, &g) ||
                                      load_range(c, ind->name, p->pfrom, p->pto, um, 1, &g);
    ranked_row *order = NULL;
    size_t nordered = 0;
    if (rc || (rc = rank_groups(ind, &g, !strcmp(group, "unit"), &order, &nordered))) {
        free(order);
        grows_free(&g);
        return rc == FZ_NOMEM ? FZ_NOMEM : FZ_ERR;
    }
    int64_t num = 0, den = 0, pnum = 0, pden = 0;
    double w = weight_of(ind);
    int ranked = 0;
    for (size_t k = 0; k < g.n; k++) {
        grow *x = &g.v[k];
        num += x->num, den += x->den, pnum += x->pnum, pden += x->pden;
        ranked += x->den > 0;
        if (x->den > 0 && w > 0)
            comp_add(cs, x, w, score(ind, x->num, x->den));
    }
    if (den > 0 && w > 0) {
        cs->sum += w * score(ind, num, den);
        cs->weight += w;
    }
    const json_t *j = ind->json;
    int first = 1;
    strbuf_putc(b, '{');
    static const char *const texts[] = {"name", "title", "basis", "period"};
    for (int i = 0; i < 4; i++) {
        w_key(b, &first, texts[i]);
        jw_str(b, i ? json_string_value(json_object_get(j, texts[i])) : ind->name);
    }
    w_key(b, &first, "target");
    char *target = json_dumps(json_object_get(j, "target"), JSON_ENCODE_ANY | JSON_COMPACT);
    strbuf_puts(b, target ? target : "null");
    free(target);
    w_key(b, &first, "direction");
    jw_str(b, json_string_value(json_object_get(j, "direction")));
    w_key(b, &first, "weight");
    jw_real(b, w);
    strbuf_printf(b, ",\"county\":{\"num\":%lld,\"den\":%lld,\"value\":", (long long)num, (long long)den);
    w_ratio(b, num, den);
    strbuf_puts(b, ",\"met\":");
    w_met(b, ind, num, den);
    strbuf_puts(b, ",\"prev_value\":");
    w_ratio(b, pnum, pden);
    strbuf_printf(b, "},\"ranked\":%d", ranked);
    if (ind_is_module(ind)) {
        strbuf_puts(b, ",\"source\":");
        jw_str(b, json_string_value(json_object_get(j, "source")));
        strbuf_puts(b, ",\"measure\":");
        jw_str(b, json_string_value(json_object_get(j, "measure")));
    }
    /* Listed: the rows with a value in rank order, then any row with a
     * numerator over a zero denominator (no shipped measure gives one),
     * unranked. */
    size_t nlisted = nordered;
    for (size_t k = 0; k < g.n; k++)
        if (g.v[k].den <= 0 && g.v[k].num != 0)
            order[nlisted++] = (ranked_row){&g.v[k], 0, !strcmp(group, "unit")};
    if (nlisted - nordered > 1) /* both denominators 0: by unit id or key */
        qsort(order + nordered, nlisted - nordered, sizeof(*order), rank_cmp);
    ranked_row *rows = order;
    size_t nrows = 0;
    for (size_t k = 0; k < nlisted; k++)
        if (!*only || !strcmp(order[k].g->key, only))
            rows[nrows++] = order[k];
    size_t lo, hi;
    page_bounds(nrows, page, size, &lo, &hi);
    strbuf_puts(b, ",\"total\":");
    jw_int(b, (int64_t)nrows);
    if (!strcmp(group, "unit"))
        strbuf_printf(b, ",\"ranked_units\":%d,\"units\":[", ranked);
    else
        strbuf_puts(b, ",\"groups\":[");
    int n = 0;
    for (size_t k = lo; k < hi; k++) {
        const grow *x = rows[k].g;
        strbuf_puts(b, n++ ? ",{\"num\":" : "{\"num\":");
        jw_int(b, x->num);
        strbuf_puts(b, ",\"den\":");
        jw_int(b, x->den);
        strbuf_puts(b, ",\"value\":");
        w_ratio(b, x->num, x->den);
        strbuf_puts(b, ",\"met\":");
        w_met(b, ind, x->num, x->den);
        strbuf_puts(b, ",\"rank\":");
        if (x->rank)
            jw_int(b, x->rank);
        else
            strbuf_puts(b, "null");
        strbuf_puts(b, ",\"prev_value\":");
        w_ratio(b, x->pnum, x->pden);
        strbuf_putc(b, ',');
        w_identity(b, group, x->key, x->name);
        strbuf_putc(b, '}');
    }
    strbuf_puts(b, "]}");
    free(order);
    grows_free(&g);
    return FZ_OK;
}

/* Composite rows: by score, highest first, ties by unit id or key. */
static int comp_cmp(const void *x, const void *y)
{
    const comp *a = x, *b = y;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return key_order(a->unit, a->id, a->key, b->id, b->key);
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
    int64_t page, size;
    if (api_query_int(r, "page", 1, 1000000, 1, &page) || api_query_int(r, "size", 1, IND_PAGE_MAX, 50, &size))
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
    unit_map um;
    if (load_unit_map(c, group, prefix, &um)) {
        unit_map_free(&um);
        return api_store_error(r);
    }
    strbuf b = STRBUF_INIT;
    strbuf_printf(&b, "{\"year\":%d,\"period\":{", p.year);
    const char *pk[] = {"kind", "from", "to", "prev_from", "prev_to", "label"};
    const char *pv[] = {p.kind, p.from, p.to, p.pfrom, p.pto, p.label};
    int first = 1;
    for (int i = 0; i < 6; i++) {
        w_key(&b, &first, pk[i]);
        jw_str(&b, pv[i]);
    }
    strbuf_puts(&b, "},\"group\":");
    jw_str(&b, group);
    strbuf_puts(&b, ",\"page\":");
    jw_int(&b, page);
    strbuf_puts(&b, ",\"size\":");
    jw_int(&b, size);
    strbuf_puts(&b, ",\"indicators\":[");
    comps cs = {.idx = KEYIDX_INIT(comp, key)};
    if (!strcmp(group, "unit") && !(cs.byunit = calloc(um.n ? um.n : 1, sizeof(*cs.byunit)))) {
        unit_map_free(&um);
        return api_store_error(r);
    }
    int rc = FZ_OK, n = 0;
    for (int i = 0; !rc && i < a->defs->n; i++) {
        const def *ind = &a->defs->items[i];
        if (ind->type != DEF_INDICATOR)
            continue;
        if (n++)
            strbuf_putc(&b, ',');
        rc = indicator_entry(r, c, ind, &p, group, prefix, &um, only, page, size, &cs, &b);
    }
    if (rc) {
        unit_map_free(&um);
        free(cs.v);
        kx_free(&cs.idx);
        free(cs.byunit);
        strbuf_free(&b);
        return api_store_error(r);
    }
    strbuf_puts(&b, "],\"composite\":{\"county\":");
    if (cs.weight > 0)
        jw_real(&b, round(cs.sum / cs.weight * 100.0) / 100.0);
    else
        strbuf_puts(&b, "null");
    strbuf_puts(&b, ",\"weight\":");
    jw_real(&b, cs.weight);
    /* Ranked over every group by the score as shown, ties sharing a rank;
     * then the page (or the one row asked for). */
    for (size_t m = 0; m < cs.n; m++) {
        cs.v[m].score = round(cs.v[m].sum / cs.v[m].weight * 100.0) / 100.0;
        cs.v[m].unit = !strcmp(group, "unit");
    }
    if (cs.n > 1)
        qsort(cs.v, cs.n, sizeof(*cs.v), comp_cmp);
    size_t nrows = 0;
    for (size_t m = 0; m < cs.n; m++) {
        cs.v[m].rank = m > 0 && cs.v[m].score == cs.v[m - 1].score ? cs.v[m - 1].rank : (int)m + 1;
        if (!*only || !strcmp(cs.v[m].key, only))
            cs.v[nrows++] = cs.v[m]; /* kept in order; the index is not used again */
    }
    size_t lo, hi;
    page_bounds(nrows, page, size, &lo, &hi);
    strbuf_puts(&b, ",\"total\":");
    jw_int(&b, (int64_t)nrows);
    strbuf_printf(&b, ",\"ranked\":%d", (int)cs.n);
    strbuf_printf(&b, ",\"%s\":[", !strcmp(group, "unit") ? "units" : "groups");
    n = 0;
    for (size_t m = lo; m < hi; m++) {
        strbuf_puts(&b, n++ ? ",{\"score\":" : "{\"score\":");
        jw_real(&b, cs.v[m].score);
        strbuf_puts(&b, ",\"rank\":");
        jw_int(&b, cs.v[m].rank);
        strbuf_puts(&b, ",\"weight\":");
        jw_real(&b, cs.v[m].weight);
        strbuf_putc(&b, ',');
        w_identity(&b, group, cs.v[m].key, cs.v[m].name);
        strbuf_putc(&b, '}');
    }
    strbuf_puts(&b, "]}}");
    unit_map_free(&um); /* after the last name borrowed from it */
    free(cs.v);
    kx_free(&cs.idx);
    free(cs.byunit);
    if (!strbuf_ok(&b)) {
        strbuf_free(&b);
        return req_reply_json(r, 500, NULL);
    }
    rc = req_reply_json_text(r, 200, b.data, b.len);
    strbuf_free(&b);
    return rc;
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

static int trend_value(void *ctx, int64_t unit, const char *period, int64_t num, int64_t den)
{
    month_sum *m = ctx;
    (void)unit;
    int mo = period && strlen(period) == 7 ? (period[5] - '0') * 10 + (period[6] - '0') : 0;
    if (mo >= 1 && mo <= 12)
        m->num[mo - 1] += num, m->den[mo - 1] += den;
    return FZ_OK;
}

/* The months from..to of the counties of the region's units (prefix at
 * most six digits: a county or above), from the counties' roll-ups
 * (engine/indicators.h: unit_id = -CCCCCC): the same sums as over the
 * region's units, read from 100 rows a month instead of 2,000. unit_id is
 * matched by equality (IN), so indicator_values_unit matches on three
 * columns and wins over indicator_values_period without statistics. */
static int county_months(store_conn *c, const char *ind, const char *from, const char *to, const char *prefix,
                         month_sum *ms)
{
    store_stmt *st;
    if (store_prepare(c,
                      "SELECT v.period, v.num, v.den FROM indicator_values v"
                      " WHERE v.indicator = ?1 AND v.unit_id IN (SELECT DISTINCT -CAST(substr(u.region_code, 1, 6)"
                      " AS INTEGER) FROM units u WHERE u.region_code LIKE ?2 || '%')"
                      " AND v.period >= ?3 AND v.period <= ?4 AND length(v.period) = 7",
                      &st))
        return FZ_ERR;
    store_bind_text(st, 1, ind);
    store_bind_text(st, 2, prefix);
    store_bind_text(st, 3, from);
    store_bind_text(st, 4, to);
    int s;
    while ((s = store_step(st)) == STORE_ROW)
        trend_value(ms, 0, store_col_text(st, 0), store_col_int(st, 1), store_col_int(st, 2));
    store_done(st);
    return s == STORE_DONE ? FZ_OK : FZ_ERR;
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
    unit_map um;
    if (load_unit_map(c, "unit", prefix, &um)) {
        unit_map_free(&um);
        return api_store_error(r);
    }
    json_t *list = json_array();
    for (int i = 0; i < a->defs->n; i++) {
        const def *ind = &a->defs->items[i];
        if (ind->type != DEF_INDICATOR)
            continue;
        int64_t mn[12] = {0}, md[12] = {0};
        if (ind_is_module(ind)) {
            /* A stock's months are its values on their last days (and so
             * is the cumulative value); a sum's accumulate. */
            ind_module_opts o = module_opts(r, prefix);
            month_sum ms = {.unit = unit, .num = mn, .den = md};
            if (ind_module_months(c, ind, p.year, &o, month_unit, &ms) != FZ_OK) {
                unit_map_free(&um);
                json_decref(list);
                return api_store_error(r);
            }
            json_array_append_new(list, trend_entry(ind, p.year, mn, md, !ind_module_stock(ind)));
            continue;
        }
        month_sum ms = {.num = mn, .den = md};
        if (unit || strlen(prefix) > 6 ? each_value(c, ind->name, p.from, p.to, 0, &um, unit, trend_value, &ms)
                                       : county_months(c, ind->name, p.from, p.to, prefix, &ms)) {
            unit_map_free(&um);
            json_decref(list);
            return api_store_error(r);
        }
        json_array_append_new(list, trend_entry(ind, p.year, mn, md, 1));
    }
    unit_map_free(&um);
    return req_reply_json(r, 200, json_pack("{s:i, s:I, s:o}", "year", p.year, "unit", (json_int_t)unit,
                                            "indicators", list));
}
