/* indicator_cases_api.c: the cases behind an indicator's number
 * (docs/indicators.md §3):
 *
 *   GET /api/indicators/{name}/cases?<period>&part=numerator|denominator
 *       [&unit=ID | &group=unit_type|township|region&key=K]&page=&size=
 *
 * The period and group parameters are those of GET /api/indicators
 * (api/ind_query.h); listed within the caller's data scope for case:view. */
#include "api/app.h"
#include "api/ind_query.h"
#include "api/routes.h"
#include "api/util.h"
#include "engine/ind_module.h"
#include "engine/indicators.h"
#include "store/store.h"
#include "core/status.h"

#include <stdio.h>
#include <string.h>

int api_indicator_cases(req *r)
{
    app *a = req_app(r);
    const char *name = req_param(r, "name");
    const def *ind = name ? defs_find(a->defs, DEF_INDICATOR, name) : NULL;
    if (!ind)
        return api_not_found(r, "指标");
    ind_period p;
    const char *group, *key;
    int64_t unit, page, size;
    const char *part;
    if (ind_query_period(r, &p) || ind_query_group(r, &group) || api_query_text(r, "key", &key) ||
        api_query_int(r, "unit", 0, INT64_MAX, 0, &unit) || api_query_text(r, "part", &part) ||
        api_paging(r, &page, &size))
        return FZ_OK;
    if (!strcmp(group, "unit") && *key)
        return api_invalid(r, "key", "查询参数", "按单位筛选请用 unit");
    if (strcmp(group, "unit") != 0 && !*key)
        return api_invalid(r, "key", "查询参数", "给出 group 时必须给出分组的 key");
    if (strcmp(group, "unit") != 0 && unit)
        return api_invalid(r, "unit", "查询参数", "只能与 group=unit 一起使用");
    if (!strcmp(group, "unit"))
        group = ""; /* no group filter; unit= filters */
    if (!*part)
        part = "denominator";
    if (strcmp(part, "numerator") != 0 && strcmp(part, "denominator") != 0)
        return api_invalid(r, "part", "查询参数", "应为 numerator 或 denominator");
    if (ind_is_module(ind))
        return api_invalid(r, "name", "路径参数",
                           ind_module_stock(ind)
                               ? "该指标由执法人员名录计算，背后是人员而不是案件，请查看执法人员状况（/api/enforcement/officers/status）"
                               : "该指标由案卷评查计算，背后是评查案卷，请查看案卷评查（/api/reviews/campaigns）");
    const char *kind = ind_kind(ind);
    if (!kind || !defs_find(a->defs, DEF_PROCEDURE, kind))
        return api_not_found(r, "指标");
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    /* kind comes from a validated definition; the column is one of two fixed names. */
    const char *col = !strcmp(part, "numerator") ? "in_num" : "in_den";
    char from[2400];
    snprintf(from, sizeof(from),
             " FROM indicator_facts f JOIN case_%s c ON c.id = f.case_id LEFT JOIN units u ON u.id = c.unit_id"
             " WHERE f.indicator = ?6 AND f.kind = ?7 AND f.period >= ?8 AND f.period <= ?12"
             " AND (?9 = 0 OR f.unit_id = ?9) AND (?13 = '' OR " IND_GROUP_KEY_SQL("?13") " = ?14)"
             " AND f.%s = 1 AND %s",
             kind, col, AUTHZ_SCOPE_SQL("c.unit_id", "c.handler_id"));
    char sql[2800];
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
        store_bind_text(st, 8, p.from);
        store_bind_int(st, 9, unit);
        store_bind_text(st, 12, p.to);
        store_bind_text(st, 13, group);
        store_bind_text(st, 14, key);
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
                          json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:I, s:o}", "indicator", ind->name, "part", part,
                                    "year", p.year, "from", p.from, "to", p.to, "kind", kind, "total",
                                    (json_int_t)total, "rows", rows));
}
