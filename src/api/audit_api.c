/* audit_api.c: the audit trail (审计管理员): events from the chain, searchable
 * by actor, action and time, exportable as CSV or xlsx; and the login log. */
#include "api/app.h"
#include "api/routes.h"
#include "api/util.h"
#include "engine/export.h"
#include "core/status.h"
#include "core/timeutil.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define EVENT_COLS                                                                            \
    "seq, ledger, lseq, at, actor, unit_id, region_code, subject_kind, subject_id, action," \
    " from_state, to_state, payload, def_digest, prev_hash, hash"
#define EVENT_FILTER                                                                              \
    " FROM events WHERE (?1 = '' OR action = ?1) AND (?2 = '' OR actor = ?2)"                  \
    " AND (?3 = '' OR subject_kind = ?3) AND (?4 = '' OR subject_id = ?4) AND at >= ?5 AND at < ?6"
#define EXPORT_MAX_ROWS 1000000

static json_t *event_row(store_stmt *st)
{
    char at[32];
    time_format_rfc3339(store_col_int(st, 3), at);
    json_t *payload = json_loads(store_col_text(st, 12), 0, NULL);
    return json_pack("{s:I, s:s, s:I, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s}",
                     "seq", (json_int_t)store_col_int(st, 0), "ledger", store_col_text(st, 1), "lseq",
                     (json_int_t)store_col_int(st, 2), "at", at, "actor", store_col_text(st, 4), "unit_id",
                     (json_int_t)store_col_int(st, 5), "region_code", store_col_text(st, 6), "subject_kind",
                     store_col_text(st, 7), "subject_id", store_col_text(st, 8), "action", store_col_text(st, 9),
                     "from_state", store_col_text(st, 10), "to_state", store_col_text(st, 11), "payload",
                     payload ? payload : json_object(), "def_digest", store_col_text(st, 13), "prev_hash",
                     store_col_text(st, 14), "hash", store_col_text(st, 15));
}

typedef struct event_filter {
    const char *action, *actor, *kind, *sid;
    int64_t from, to;
} event_filter;

/* from/to: "YYYY-MM-DD" (local day; to is inclusive) or RFC 3339. */
static int time_arg(req *r, const char *name, int end, int64_t dflt, int64_t *out)
{
    const char *v = req_query(r, name);
    *out = dflt;
    if (!v || !*v)
        return FZ_OK;
    int y, m, d;
    if (date_parse(v, &y, &m, &d) == FZ_OK) {
        struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d + (end ? 1 : 0), .tm_isdst = -1};
        *out = (int64_t)mktime(&tm) * 1000;
        return FZ_OK;
    }
    if (time_parse_rfc3339(v, out) == FZ_OK)
        return FZ_OK;
    return api_invalid(r, name, "时间", "应为 YYYY-MM-DD 或 RFC 3339 时间");
}

static int parse_filter(req *r, event_filter *f)
{
    if (api_query_text(r, "action", &f->action) || api_query_text(r, "actor", &f->actor) ||
        api_query_text(r, "subject_kind", &f->kind) || api_query_text(r, "subject_id", &f->sid) ||
        time_arg(r, "from", 0, 0, &f->from) || time_arg(r, "to", 1, INT64_MAX, &f->to))
        return FZ_INVALID;
    return FZ_OK;
}

static void bind_filter(store_stmt *st, const event_filter *f)
{
    store_bind_text(st, 1, f->action);
    store_bind_text(st, 2, f->actor);
    store_bind_text(st, 3, f->kind);
    store_bind_text(st, 4, f->sid);
    store_bind_int(st, 5, f->from);
    store_bind_int(st, 6, f->to);
}

int api_audit_events(req *r)
{
    int64_t page, size;
    event_filter f;
    if (api_paging(r, &page, &size) || parse_filter(r, &f))
        return FZ_OK;
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    store_stmt *st;
    int64_t total = 0;
    if (store_prepare(c, "SELECT count(*)" EVENT_FILTER, &st))
        return api_store_error(r);
    bind_filter(st, &f);
    if (store_step(st) == STORE_ROW)
        total = store_col_int(st, 0);
    store_done(st);
    if (store_prepare(c, "SELECT " EVENT_COLS EVENT_FILTER " ORDER BY seq DESC LIMIT ?7 OFFSET ?8", &st))
        return api_store_error(r);
    bind_filter(st, &f);
    store_bind_int(st, 7, size);
    store_bind_int(st, 8, (page - 1) * size);
    json_t *rows = json_array();
    while (store_step(st) == STORE_ROW)
        json_array_append_new(rows, event_row(st));
    store_done(st);
    return req_reply_json(r, 200, json_pack("{s:I, s:o}", "total", (json_int_t)total, "rows", rows));
}

int api_audit_event(req *r)
{
    int64_t seq;
    if (api_path_id(r, "seq", &seq))
        return FZ_OK;
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    store_stmt *st;
    if (store_prepare(c, "SELECT " EVENT_COLS " FROM events WHERE seq = ?", &st))
        return api_store_error(r);
    store_bind_int(st, 1, seq);
    json_t *ev = store_step(st) == STORE_ROW ? event_row(st) : NULL;
    store_done(st);
    return ev ? req_reply_json(r, 200, ev) : api_not_found(r, "事件");
}

int api_audit_export(req *r)
{
    event_filter f;
    if (parse_filter(r, &f))
        return FZ_OK;
    int fmt = export_format_parse(req_query(r, "format"));
    if (fmt < 0)
        return api_invalid(r, "format", "导出格式", "应为 csv 或 xlsx");
    app *a = req_app(r);
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    char path[1200];
    snprintf(path, sizeof(path), "%s/export-%d-%p.%s", a->cfg.data, (int)getpid(), (void *)r,
             export_ext((export_format)fmt));
    static const char *const headers[] = {"序号", "时间", "操作人", "动作", "对象类型", "对象编号",
                                          "原状态", "新状态", "内容", "哈希"};
    exporter *e = export_open((export_format)fmt, path, "审计日志", headers, 10);
    if (!e)
        return api_store_error(r);
    store_stmt *st;
    if (store_prepare(c, "SELECT " EVENT_COLS EVENT_FILTER " ORDER BY seq LIMIT ?7", &st)) {
        export_close(e);
        unlink(path);
        return api_store_error(r);
    }
    bind_filter(st, &f);
    store_bind_int(st, 7, EXPORT_MAX_ROWS);
    int rc = FZ_OK;
    while (rc == FZ_OK && store_step(st) == STORE_ROW) {
        char seq[24], at[32];
        snprintf(seq, sizeof(seq), "%lld", (long long)store_col_int(st, 0));
        time_format_rfc3339(store_col_int(st, 3), at);
        const char *cells[] = {seq,
                               at,
                               store_col_text(st, 4),
                               store_col_text(st, 9),
                               store_col_text(st, 7),
                               store_col_text(st, 8),
                               store_col_text(st, 10),
                               store_col_text(st, 11),
                               store_col_text(st, 12),
                               store_col_text(st, 15)};
        rc = export_row(e, cells);
    }
    store_done(st);
    if (export_close(e) != FZ_OK || rc != FZ_OK) {
        unlink(path);
        return api_store_error(r);
    }
    char name[64];
    snprintf(name, sizeof(name), "审计日志.%s", export_ext((export_format)fmt));
    return req_reply_file(r, path, export_mime((export_format)fmt), name);
}

int api_audit_logins(req *r)
{
    int64_t page, size, from, to;
    const char *username;
    if (api_paging(r, &page, &size) || api_query_text(r, "username", &username) ||
        time_arg(r, "from", 0, 0, &from) || time_arg(r, "to", 1, INT64_MAX, &to))
        return FZ_OK;
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
#define LOGIN_FILTER " FROM login_log WHERE (?1 = '' OR username = ?1) AND at >= ?2 AND at < ?3"
    store_stmt *st;
    int64_t total = 0;
    if (store_prepare(c, "SELECT count(*)" LOGIN_FILTER, &st))
        return api_store_error(r);
    store_bind_text(st, 1, username);
    store_bind_int(st, 2, from);
    store_bind_int(st, 3, to);
    if (store_step(st) == STORE_ROW)
        total = store_col_int(st, 0);
    store_done(st);
    if (store_prepare(c, "SELECT at, username, ip, user_agent, ok, reason" LOGIN_FILTER
                         " ORDER BY id DESC LIMIT ?4 OFFSET ?5", &st))
        return api_store_error(r);
#undef LOGIN_FILTER
    store_bind_text(st, 1, username);
    store_bind_int(st, 2, from);
    store_bind_int(st, 3, to);
    store_bind_int(st, 4, size);
    store_bind_int(st, 5, (page - 1) * size);
    json_t *rows = json_array();
    while (store_step(st) == STORE_ROW) {
        char at[32];
        time_format_rfc3339(store_col_int(st, 0), at);
        json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s, s:b, s:s}", "at", at, "username",
                                              store_col_text(st, 1), "ip", store_col_text(st, 2), "user_agent",
                                              store_col_text(st, 3), "ok", (int)store_col_int(st, 4), "reason",
                                              store_col_text(st, 5)));
    }
    store_done(st);
    return req_reply_json(r, 200, json_pack("{s:I, s:o}", "total", (json_int_t)total, "rows", rows));
}
