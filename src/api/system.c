/* system.c: the system status page's data and the route list. */
#include "api/app.h"
#include "api/routes.h"
#include "engine/events.h"
#include "core/status.h"
#include "core/timeutil.h"

/* Events-by-action over the most recent window only, so the status page never
 * scans the whole history. */
#define ACTION_WINDOW 10000

static json_t *chain_json(store_conn *c)
{
    json_t *ledgers = json_array();
    int64_t total = 0;
    store_stmt *st;
    if (store_prepare(c, "SELECT ledger, lseq, head FROM ledgers ORDER BY ledger", &st) == FZ_OK) {
        while (store_step(st) == STORE_ROW) {
            total += store_col_int(st, 1);
            json_array_append_new(ledgers, json_pack("{s:s, s:I, s:s}", "ledger", store_col_text(st, 0),
                                                     "count", (json_int_t)store_col_int(st, 1),
                                                     "head", store_col_text(st, 2)));
        }
        store_done(st);
    }
    return json_pack("{s:I, s:o}", "events", (json_int_t)total, "ledgers", ledgers);
}

static json_t *actions_json(store_conn *c)
{
    json_t *arr = json_array();
    store_stmt *st;
    if (store_prepare(c,
            "SELECT action, count(*) FROM events WHERE seq > (SELECT coalesce(max(seq), 0) FROM events) - ?"
            " GROUP BY action ORDER BY count(*) DESC, action LIMIT 20", &st) == FZ_OK) {
        store_bind_int(st, 1, ACTION_WINDOW);
        while (store_step(st) == STORE_ROW)
            json_array_append_new(arr, json_pack("{s:s, s:I}", "action", store_col_text(st, 0), "count",
                                                 (json_int_t)store_col_int(st, 1)));
        store_done(st);
    }
    return arr;
}

int api_system_status(req *r)
{
    app *a = req_app(r);
    store_conn *c = store_reader(a->st);
    if (!c)
        return req_reply_error(r, 503, "store_unavailable", "数据库暂时不可用", NULL);
    int cur, latest;
    store_schema(a->st, &cur, &latest);
    char started[32];
    time_format_rfc3339(a->started_ms, started);
    json_t *j = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:i, s:s, s:{s:i, s:i}, s:o, s:o, s:i}",
                          "name", "fazhi", "version", FAZHI_VERSION, "started_at", started, "uptime_s",
                          (json_int_t)((time_now_ms() - a->started_ms) / 1000), "store",
                          store_backend(a->st), "data_dir", a->cfg.data, "threads", a->threads,
                          "region_code", a->cfg.region_code, "schema", "version", cur, "latest", latest,
                          "chain", chain_json(c), "events_by_action", actions_json(c),
                          "events_by_action_window", ACTION_WINDOW);
    return req_reply_json(r, 200, j);
}

int api_system_routes(req *r)
{
    json_t *rows = json_array();
    for (size_t i = 0; i < api_route_count; i++)
        json_array_append_new(rows, json_pack("{s:s, s:s, s:s}", "method", api_routes[i].method, "pattern",
                                              api_routes[i].pattern, "name", api_routes[i].name));
    return req_reply_json(r, 200, json_pack("{s:I, s:o}", "total", (json_int_t)api_route_count, "rows", rows));
}
