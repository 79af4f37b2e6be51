/* indicators_api.c: 指标 over HTTP (docs/indicators.md, engine/indicators.h).
 *
 *   GET /api/indicators?year=YYYY[&unit=ID]
 *       every indicator definition with its county total and per-unit rows
 *       for the year (value = num / den; null when den = 0, shown "—"),
 *       rank among units, met (against target and direction), 同比 (the
 *       previous year's value) and the weighted composite score. Reads
 *       indicator_values only (never the cases).
 *   GET /api/indicators/{name}/cases?year=&unit=&part=numerator|denominator
 *       the cases behind a number, within the caller's data scope for
 *       case:view (like the case list).
 *
 * The totals are the county's statistics: every unit's row is shown to every
 * holder of case:view (a ranking needs all units); the cases behind them are
 * listed only within the caller's scope. */
#include "api/app.h"
#include "api/routes.h"
#include "api/util.h"
#include "engine/indicators.h"
#include "store/store.h"
#include "core/status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct urow {
    int64_t unit_id;
    char name[200];
    int64_t num, den;
    int64_t pnum, pden; /* previous year */
    int has_prev;
    int rank;
} urow;

typedef struct urows {
    urow *v;
    size_t n;
} urows;

static urow *find_unit(urows *u, int64_t id)
{
    for (size_t i = 0; i < u->n; i++)
        if (u->v[i].unit_id == id)
            return &u->v[i];
    return NULL;
}

/* Sums per unit for one indicator and year: prev = 0 into num/den (adding
 * units), prev = 1 into pnum/pden (existing units only, others added too so
 * the county's previous total is complete). */
static int load_year(store_conn *c, const char *ind, int year, int prev, urows *u)
{
    char y[8];
    snprintf(y, sizeof(y), "%04d", year);
    store_stmt *st;
    if (store_prepare(c,
                      "SELECT v.unit_id, coalesce(u.name, ''), sum(v.num), sum(v.den) FROM indicator_values v"
                      " LEFT JOIN units u ON u.id = v.unit_id WHERE v.indicator = ? AND substr(v.period, 1, 4) = ?"
                      " GROUP BY v.unit_id, u.name ORDER BY v.unit_id",
                      &st))
        return FZ_ERR;
    store_bind_text(st, 1, ind);
    store_bind_text(st, 2, y);
    int rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        int64_t id = store_col_int(st, 0);
        urow *r = find_unit(u, id);
        if (!r) {
            urow *nv = realloc(u->v, (u->n + 1) * sizeof(*nv));
            if (!nv) {
                rc = FZ_NOMEM;
                break;
            }
            u->v = nv;
            r = &u->v[u->n++];
            memset(r, 0, sizeof(*r));
            r->unit_id = id;
            snprintf(r->name, sizeof(r->name), "%s", store_col_text(st, 1));
        }
        if (prev) {
            r->pnum = store_col_int(st, 2);
            r->pden = store_col_int(st, 3);
            r->has_prev = 1;
        } else {
            r->num = store_col_int(st, 2);
            r->den = store_col_int(st, 3);
        }
    }
    store_done(st);
    return rc == STORE_DONE ? FZ_OK : FZ_ERR;
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
static int better(const def *ind, const urow *a, const urow *b)
{
    /* a.num/a.den vs b.num/b.den exactly, by cross multiplication. */
    double l = (double)a->num * (double)b->den, r = (double)b->num * (double)a->den;
    return is_le(ind) ? l < r : l > r;
}

static void rank_units(const def *ind, urows *u)
{
    for (size_t i = 0; i < u->n; i++) {
        u->v[i].rank = 0;
        if (u->v[i].den <= 0)
            continue;
        int r = 1;
        for (size_t j = 0; j < u->n; j++)
            if (j != i && u->v[j].den > 0 && better(ind, &u->v[j], &u->v[i]))
                r++;
        u->v[i].rank = r;
    }
}

typedef struct comp {
    int64_t unit_id;
    char name[200];
    double sum, weight;
} comp;

int api_indicators(req *r)
{
    app *a = req_app(r);
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    int64_t year, unit;
    if (api_query_int(r, "year", 1990, 2100, tm.tm_year + 1900, &year) ||
        api_query_int(r, "unit", 0, INT64_MAX, 0, &unit))
        return FZ_OK;
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    json_t *list = json_array();
    comp *cs = NULL;
    size_t ncs = 0;
    double csum = 0, cweight = 0;
    int rc = FZ_OK;
    for (int i = 0; rc == FZ_OK && i < a->defs->n; i++) {
        const def *ind = &a->defs->items[i];
        if (ind->type != DEF_INDICATOR)
            continue;
        urows u = {0};
        rc = load_year(c, ind->name, (int)year, 0, &u);
        if (!rc)
            rc = load_year(c, ind->name, (int)year - 1, 1, &u);
        if (rc) {
            free(u.v);
            break;
        }
        rank_units(ind, &u);
        int64_t num = 0, den = 0, pnum = 0, pden = 0;
        json_t *rows = json_array();
        double w = json_is_number(json_object_get(ind->json, "weight"))
                       ? json_number_value(json_object_get(ind->json, "weight"))
                       : 0;
        int ranked = 0;
        for (size_t k = 0; k < u.n; k++) {
            urow *x = &u.v[k];
            num += x->num, den += x->den, pnum += x->pnum, pden += x->pden;
            ranked += x->den > 0;
            if (x->den > 0 && w > 0) {
                comp *cp = NULL;
                for (size_t m = 0; m < ncs; m++)
                    if (cs[m].unit_id == x->unit_id)
                        cp = &cs[m];
                if (!cp) {
                    comp *nv = realloc(cs, (ncs + 1) * sizeof(*nv));
                    if (nv) {
                        cs = nv;
                        cp = &cs[ncs++];
                        memset(cp, 0, sizeof(*cp));
                        cp->unit_id = x->unit_id;
                        snprintf(cp->name, sizeof(cp->name), "%s", x->name);
                    }
                }
                if (cp) {
                    cp->sum += w * score(ind, x->num, x->den);
                    cp->weight += w;
                }
            }
            if ((x->num == 0 && x->den == 0) || (unit && x->unit_id != unit))
                continue;
            json_t *o = json_pack("{s:I, s:s, s:I, s:I, s:o, s:o, s:o, s:o}", "unit_id", (json_int_t)x->unit_id,
                                  "unit_name", x->name, "num", (json_int_t)x->num, "den", (json_int_t)x->den, "value",
                                  ratio(x->num, x->den), "met", met(ind, x->num, x->den), "rank",
                                  x->rank ? json_integer(x->rank) : json_null(), "prev_value",
                                  ratio(x->pnum, x->pden));
            json_array_append_new(rows, o);
        }
        free(u.v);
        if (den > 0 && w > 0) {
            csum += w * score(ind, num, den);
            cweight += w;
        }
        json_t *o = json_pack(
            "{s:s, s:s, s:s, s:s, s:O, s:s, s:f, s:{s:I, s:I, s:o, s:o, s:o}, s:i, s:o}", "name", ind->name, "title",
            json_string_value(json_object_get(ind->json, "title")), "basis",
            json_string_value(json_object_get(ind->json, "basis")) ? json_string_value(json_object_get(ind->json, "basis"))
                                                                    : "",
            "period", json_string_value(json_object_get(ind->json, "period")), "target",
            json_object_get(ind->json, "target"), "direction", json_string_value(json_object_get(ind->json, "direction")),
            "weight", w, "county", "num", (json_int_t)num, "den", (json_int_t)den, "value", ratio(num, den), "met",
            met(ind, num, den), "prev_value", ratio(pnum, pden), "ranked_units", ranked, "units", rows);
        if (!o) {
            rc = FZ_NOMEM;
            break;
        }
        json_array_append_new(list, o);
    }
    if (rc) {
        free(cs);
        json_decref(list);
        return api_store_error(r);
    }
    json_t *units = json_array();
    for (size_t m = 0; m < ncs; m++)
        if (!unit || cs[m].unit_id == unit)
            json_array_append_new(units, json_pack("{s:I, s:s, s:f, s:f}", "unit_id", (json_int_t)cs[m].unit_id,
                                                   "unit_name", cs[m].name, "score",
                                                   round(cs[m].sum / cs[m].weight * 100.0) / 100.0, "weight",
                                                   cs[m].weight));
    free(cs);
    json_t *out = json_pack("{s:I, s:o, s:{s:o, s:f, s:o}}", "year", (json_int_t)year, "indicators", list,
                            "composite", "county",
                            cweight > 0 ? json_real(round(csum / cweight * 100.0) / 100.0) : json_null(), "weight",
                            cweight, "units", units);
    return req_reply_json(r, 200, out);
}

int api_indicator_cases(req *r)
{
    app *a = req_app(r);
    const char *name = req_param(r, "name");
    const def *ind = name ? defs_find(a->defs, DEF_INDICATOR, name) : NULL;
    if (!ind)
        return api_not_found(r, "指标");
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    int64_t year, unit, page, size;
    const char *part;
    if (api_query_int(r, "year", 1990, 2100, tm.tm_year + 1900, &year) ||
        api_query_int(r, "unit", 0, INT64_MAX, 0, &unit) || api_query_text(r, "part", &part) ||
        api_paging(r, &page, &size))
        return FZ_OK;
    if (!*part)
        part = "denominator";
    if (strcmp(part, "numerator") != 0 && strcmp(part, "denominator") != 0)
        return api_invalid(r, "part", "查询参数", "应为 numerator 或 denominator");
    const char *kind = ind_kind(ind);
    if (!kind || !defs_find(a->defs, DEF_PROCEDURE, kind))
        return api_not_found(r, "指标");
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    /* kind comes from a validated definition; the column is one of two fixed names. */
    const char *col = !strcmp(part, "numerator") ? "in_num" : "in_den";
    char from[1400];
    snprintf(from, sizeof(from),
             " FROM indicator_facts f JOIN case_%s c ON c.id = f.case_id LEFT JOIN units u ON u.id = c.unit_id"
             " WHERE f.indicator = ?6 AND f.kind = ?7 AND substr(f.period, 1, 4) = ?8 AND (?9 = 0 OR f.unit_id = ?9)"
             " AND f.%s = 1 AND %s",
             kind, col, AUTHZ_SCOPE_SQL("c.unit_id", "c.handler_id"));
    char y[8];
    snprintf(y, sizeof(y), "%04d", (int)year);
    char sql[1800];
    int64_t total = 0;
    json_t *rows = json_array();
    store_stmt *st;
    int rc = FZ_OK;
    for (int pass = 0; rc == FZ_OK && pass < 2; pass++) {
        if (pass)
            snprintf(sql, sizeof(sql),
                     "SELECT c.id, c.no, c.state, c.unit_id, coalesce(u.name, ''), f.period, f.in_num, f.in_den%s"
                     " ORDER BY c.id LIMIT ?10 OFFSET ?11",
                     from);
        else
            snprintf(sql, sizeof(sql), "SELECT count(*)%s", from);
        if (store_prepare(c, sql, &st)) {
            rc = FZ_ERR;
            break;
        }
        authz_bind_scope(st, api_who(r), "case:view");
        store_bind_text(st, 6, ind->name);
        store_bind_text(st, 7, kind);
        store_bind_text(st, 8, y);
        store_bind_int(st, 9, unit);
        if (pass) {
            store_bind_int(st, 10, size);
            store_bind_int(st, 11, (page - 1) * size);
        }
        int s;
        while ((s = store_step(st)) == STORE_ROW) {
            if (!pass) {
                total = store_col_int(st, 0);
                continue;
            }
            json_array_append_new(
                rows, json_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:s, s:b, s:b}", "id", (json_int_t)store_col_int(st, 0),
                                "kind", kind, "no", store_col_text(st, 1), "state", store_col_text(st, 2), "unit_id",
                                (json_int_t)store_col_int(st, 3), "unit_name", store_col_text(st, 4), "period",
                                store_col_text(st, 5), "in_numerator", (int)store_col_int(st, 6), "in_denominator",
                                (int)store_col_int(st, 7)));
        }
        store_done(st);
        if (s != STORE_DONE)
            rc = FZ_ERR;
    }
    if (rc) {
        json_decref(rows);
        return api_store_error(r);
    }
    return req_reply_json(r, 200,
                          json_pack("{s:s, s:s, s:I, s:s, s:I, s:o}", "indicator", ind->name, "part", part, "year",
                                    (json_int_t)year, "kind", kind, "total", (json_int_t)total, "rows", rows));
}
