/* inspections.c: 行政检查 / 双随机一公开 figures (see inspections.h). The SQL
 * names the case table and columns of defs/inspection.json (engine/schema.c:
 * case_<kind>, f_<field>); inspections_defs_check makes sure the loaded
 * definition has them. The grouping is done by the database, the figures in
 * C from at most (options × results × 2 × 2 × 5) rows. */
#include "engine/inspections.h"
#include "engine/cases.h"
#include "engine/fields.h"
#include "engine/officers.h"
#include "store/store.h"
#include "core/status.h"
#include "core/timeutil.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *field, *type;
} needed[] = {
    {"selection", "enum"},
    {"planned_on", "date"},
    {"checked_on", "date"},
    {"result", "enum"},
};

/* ?1..?5 scope, ?6/?7 the year's first and last day, ?8 today, ?9 the
 * subject kind of the cases, ?10 the clock, ?11 the unit path prefix ("" for
 * the whole scope). Publication class: 1 stopped in time, 2 stopped late,
 * 3 open past its last day, 4 open and not yet due, 0 no clock (not checked). */
#define STATS_SQL                                                                                                 \
    "SELECT t.f_selection, t.f_result,"                                                                           \
    " CASE WHEN t.f_planned_on >= ?6 AND t.f_planned_on <= ?7 THEN 1 ELSE 0 END,"                                 \
    " CASE WHEN t.f_checked_on >= ?6 AND t.f_checked_on <= ?7 THEN 1 ELSE 0 END,"                                 \
    " CASE WHEN k.state = 'stopped_in_time' THEN 1 WHEN k.state = 'stopped_late' THEN 2"                          \
    "   WHEN k.state IS NOT NULL AND k.due_date <> '' AND k.due_date < ?8 THEN 3"                                 \
    "   WHEN k.state IS NOT NULL THEN 4 ELSE 0 END,"                                                              \
    " count(*)"                                                                                                   \
    " FROM case_" INSPECTION_KIND " t LEFT JOIN clocks k ON k.subject_kind = ?9"                                  \
    "   AND k.subject_id = CAST(t.id AS TEXT) AND k.name = ?10"                                                   \
    " WHERE " AUTHZ_SCOPE_SQL("t.unit_id", "t.handler_id")                                                        \
    " AND (?11 = '' OR t.unit_id IN (SELECT s.id FROM units s WHERE s.path LIKE ?11 || '%'))"                     \
    " AND ((t.f_planned_on >= ?6 AND t.f_planned_on <= ?7)"                                                       \
    "   OR (t.f_checked_on >= ?6 AND t.f_checked_on <= ?7))"                                                      \
    " GROUP BY 1, 2, 3, 4, 5"

static const def *inspection_def(const defs *d)
{
    return defs_find(d, DEF_PROCEDURE, INSPECTION_KIND);
}

static int has_option(json_t *f, const char *opt)
{
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(f, "options"), i, o)
        if (!strcmp(json_string_value(o), opt))
            return 1;
    return 0;
}

static json_t *clock_def(const def *d)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(d->json, "clocks"), i, c)
    {
        if (!strcmp(json_string_value(json_object_get(c, "name")), INSPECTION_CLOCK))
            return c;
    }
    return NULL;
}

int inspections_defs_check(const defs *d, char *why, size_t n)
{
    const def *p = inspection_def(d);
    if (!p) {
        snprintf(why, n, "程序 %s 未定义（见 defs/%s.json）：无法计算行政检查统计", INSPECTION_KIND, INSPECTION_KIND);
        return FZ_NOTFOUND;
    }
    for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
        json_t *f = fields_find(p, needed[i].field);
        const char *t = f ? json_string_value(json_object_get(f, "type")) : NULL;
        if (!t || strcmp(t, needed[i].type) != 0) {
            snprintf(why, n, "程序 %s 缺少 %s 类型的字段 %s：无法计算行政检查统计", INSPECTION_KIND, needed[i].type,
                     needed[i].field);
            return FZ_NOTFOUND;
        }
    }
    if (!has_option(fields_find(p, "selection"), INSPECTION_RANDOM) ||
        !has_option(fields_find(p, "result"), INSPECTION_NO_PROBLEM)) {
        snprintf(why, n, "程序 %s 的抽取方式须有「%s」、检查结果须有「%s」：无法计算行政检查统计", INSPECTION_KIND,
                 INSPECTION_RANDOM, INSPECTION_NO_PROBLEM);
        return FZ_NOTFOUND;
    }
    if (!clock_def(p)) {
        snprintf(why, n, "程序 %s 没有期限 %s（结果公开）：无法计算行政检查统计", INSPECTION_KIND, INSPECTION_CLOCK);
        return FZ_NOTFOUND;
    }
    return FZ_OK;
}

static json_t *ratio(int64_t num, int64_t den)
{
    char pct[32];
    officers_percent(num, den, pct);
    return json_pack("{s:I, s:I, s:o}", "numerator", (json_int_t)num, "denominator", (json_int_t)den, "percent",
                     den > 0 ? json_string(pct) : json_null());
}

/* The row of arr whose key equals v (NULL/"": the "未填写" row), or NULL. */
static json_t *row_for(json_t *arr, const char *key, const char *v)
{
    size_t i;
    json_t *r;
    json_array_foreach(arr, i, r)
        if (!strcmp(json_string_value(json_object_get(r, key)), v && *v ? v : "未填写"))
            return r;
    return NULL;
}

static void bump(json_t *o, const char *key, int64_t by)
{
    json_object_set_new(o, key, json_integer(json_integer_value(json_object_get(o, key)) + by));
}

int inspections_stats(store_conn *c, const defs *d, const principal *who, const inspection_query *q, json_t **out)
{
    const def *p = inspection_def(d);
    char from[11], to[11], today[11], kind[64];
    date_format(q->year, 1, 1, from);
    date_format(q->year, 12, 31, to);
    date_format(q->today_ymd / 10000, q->today_ymd / 100 % 100, q->today_ymd % 100, today);
    case_subject_kind(p, kind);
    /* Rows in the definition's order; a value outside it (an older version's
     * option, or none) gets a row of its own. */
    json_t *by_sel = json_array(), *results = json_array();
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(fields_find(p, "selection"), "options"), i, o)
        json_array_append_new(by_sel, json_pack("{s:O, s:i, s:i}", "selection", o, "planned", 0, "checked", 0));
    json_array_foreach(json_object_get(fields_find(p, "result"), "options"), i, o)
        json_array_append_new(results, json_pack("{s:O, s:i}", "result", o, "count", 0));
    int64_t planned = 0, checked = 0, random = 0, problems = 0, cls[5] = {0};
    store_stmt *st;
    if (store_prepare(c, STATS_SQL, &st)) {
        json_decref(by_sel);
        json_decref(results);
        return FZ_ERR;
    }
    authz_bind_scope(st, who, "case:view");
    store_bind_text(st, 6, from);
    store_bind_text(st, 7, to);
    store_bind_text(st, 8, today);
    store_bind_text(st, 9, kind);
    store_bind_text(st, 10, INSPECTION_CLOCK);
    store_bind_text(st, 11, q->unit_path ? q->unit_path : "");
    int rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        const char *sel = store_col_text(st, 0), *res = store_col_text(st, 1);
        int in_plan = store_col_int(st, 2) == 1, in_check = store_col_int(st, 3) == 1;
        int64_t pc = store_col_int(st, 4), n = store_col_int(st, 5);
        json_t *sr = row_for(by_sel, "selection", sel);
        if (!sr) {
            sr = json_pack("{s:s, s:i, s:i}", "selection", *sel ? sel : "未填写", "planned", 0, "checked", 0);
            json_array_append_new(by_sel, sr);
        }
        if (in_plan) {
            planned += n;
            bump(sr, "planned", n);
        }
        if (!in_check)
            continue;
        checked += n;
        bump(sr, "checked", n);
        if (!strcmp(sel, INSPECTION_RANDOM))
            random += n;
        if (*res && strcmp(res, INSPECTION_NO_PROBLEM))
            problems += n;
        json_t *rr = row_for(results, "result", res);
        if (!rr) {
            rr = json_pack("{s:s, s:i}", "result", *res ? res : "未填写", "count", 0);
            json_array_append_new(results, rr);
        }
        bump(rr, "count", n);
        if (pc >= 0 && pc <= 4)
            cls[pc] += n;
    }
    store_done(st);
    if (rc != STORE_DONE) {
        json_decref(by_sel);
        json_decref(results);
        return FZ_ERR;
    }
    json_t *cd = clock_def(p);
    *out = json_pack("{s:i, s:o, s:s, s:s, s:I, s:I, s:o, s:o, s:o, s:I, s:{s:I, s:I, s:I, s:I, s:I}, s:o, s:O, s:O?}",
                     "year", q->year, "unit", q->unit_id ? json_integer(q->unit_id) : json_null(), "from", from, "to",
                     to, "planned", (json_int_t)planned, "checked", (json_int_t)checked, "by_selection", by_sel,
                     "random_share", ratio(random, checked), "results", results, "problems_found", (json_int_t)problems,
                     "publication", "published", (json_int_t)(cls[1] + cls[2]), "in_time", (json_int_t)cls[1], "late",
                     (json_int_t)cls[2], "overdue_unpublished", (json_int_t)cls[3], "pending", (json_int_t)cls[4],
                     "published_on_time", ratio(cls[1], cls[1] + cls[2] + cls[3]), "publish_limit",
                     json_object_get(cd, "limit"), "basis", json_object_get(cd, "basis"));
    return *out ? FZ_OK : FZ_NOMEM;
}
