/* enforcement_api.c: 行政执法 registries and figures over HTTP, beyond the
 * generic catalog and case routes:
 *
 * GET /api/enforcement/officers/status?year=&unit=&page=&size=  (catalog:view)
 *   执法人员状况 (engine/officers.h). Like the catalogs it reads, county-wide
 *   reference data with no data scope (catalog:view is the whole grant); it
 *   never carries an officer's ID number.
 * GET /api/enforcement/inspections/stats?year=&unit=  (case:view)
 *   行政检查 / 双随机一公开 figures (engine/inspections.h) over the inspections
 *   in the caller's data scope.
 * GET /api/enforcement/reviews/queue?page=&size=  (case:view)
 *   法制审核 queue (engine/legal_review.h): the cases in review within the
 *   caller's data scope, longest waiting first. */
#include "api/app.h"
#include "api/routes.h"
#include "api/util.h"
#include "engine/inspections.h"
#include "engine/legal_review.h"
#include "engine/officers.h"
#include "core/parse.h"
#include "core/status.h"
#include "core/timeutil.h"

#include <stdio.h>
#include <string.h>

/* ?year= (default: this year), 1990 .. this year. */
static int query_year(req *r, int today, int *year)
{
    const char *v = req_query(r, "year");
    int64_t y = today / 10000;
    if (v && *v && parse_i64(v, 1990, today / 10000, &y) != FZ_OK) {
        char reason[96];
        snprintf(reason, sizeof(reason), "应为 1990 到 %d 之间的四位年份", today / 10000);
        return api_invalid(r, "year", "年度", reason);
    }
    *year = (int)y;
    return FZ_OK;
}

/* ?unit= (optional): a unit id (0 when absent) and its materialised path into
 * path ("" when absent). */
static int query_unit(req *r, store_conn *c, char *path, size_t n, int64_t *unit_id)
{
    const char *v = req_query(r, "unit");
    int64_t id;
    path[0] = '\0';
    *unit_id = 0;
    if (!v || !*v)
        return FZ_OK;
    if (parse_i64(v, 1, INT64_MAX, &id) != FZ_OK)
        return api_invalid(r, "unit", "单位", "应为单位编号（正整数）");
    store_stmt *st;
    if (store_prepare(c, "SELECT path FROM units WHERE id = ?", &st))
        return api_store_error(r);
    store_bind_int(st, 1, id);
    int rc = store_step(st);
    if (rc == STORE_ROW)
        snprintf(path, n, "%s", store_col_text(st, 0));
    store_done(st);
    if (rc < 0)
        return api_store_error(r);
    if (rc != STORE_ROW || !path[0])
        return api_invalid(r, "unit", "单位", "单位不存在");
    *unit_id = id;
    return FZ_OK;
}

int api_enforcement_officer_status(req *r)
{
    app *a = req_app(r);
    char why[300], path[512];
    if (officers_defs_check(a->defs, why, sizeof(why)) != FZ_OK)
        return req_reply_error(r, 404, "not_found", why, NULL);
    int today = today_yyyymmdd(), year = today / 10000;
    int64_t page, size;
    if (query_year(r, today, &year) || api_paging(r, &page, &size))
        return FZ_OK;
    store_conn *c = api_reader(r);
    int64_t unit_id;
    if (!c || query_unit(r, c, path, sizeof(path), &unit_id))
        return FZ_OK;
    officer_query q = {.unit_path = path,
                       .required_hours = a->cfg.training_hours_required,
                       .warn_days = a->cfg.cert_expiry_warn_days,
                       .page = page,
                       .size = size};
    if (officers_query_init(&q, year, today) != FZ_OK)
        return api_invalid(r, "year", "年度", "不能晚于本年度");
    json_t *out = NULL;
    if (officers_status(c, &q, &out) != FZ_OK)
        return api_store_error(r);
    return req_reply_json(r, 200, out);
}

int api_enforcement_inspection_stats(req *r)
{
    app *a = req_app(r);
    char why[300], path[512];
    if (inspections_defs_check(a->defs, why, sizeof(why)) != FZ_OK)
        return req_reply_error(r, 404, "not_found", why, NULL);
    int today = today_yyyymmdd(), year = today / 10000;
    if (query_year(r, today, &year))
        return FZ_OK;
    store_conn *c = api_reader(r);
    int64_t unit_id;
    if (!c || query_unit(r, c, path, sizeof(path), &unit_id))
        return FZ_OK;
    inspection_query q = {.year = year, .unit_path = path, .unit_id = unit_id, .today_ymd = today};
    json_t *out = NULL;
    if (inspections_stats(c, a->defs, api_who(r), &q, &out) != FZ_OK)
        return api_store_error(r);
    return req_reply_json(r, 200, out);
}

int api_enforcement_review_queue(req *r)
{
    int64_t page, size;
    if (api_paging(r, &page, &size))
        return FZ_OK;
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    json_t *out = NULL;
    if (legal_review_queue(c, req_app(r)->defs, api_who(r), time_now_ms(), page, size, &out) != FZ_OK)
        return api_store_error(r);
    return req_reply_json(r, 200, out);
}
