/* chain.c: reading the event chain (the audit trail's raw form) and recording
 * chain checkpoints: a 链头存证 event that anchors the current head hash, with
 * a note saying to whom it was handed (DESIGN §5). */
#include "api/app.h"
#include "api/routes.h"
#include "engine/events.h"
#include "core/parse.h"
#include "core/status.h"
#include "core/timeutil.h"
#include "core/validate.h"

#include <string.h>

#define EVENT_COLS                                                                            \
    "seq, ledger, lseq, at, actor, unit_id, region_code, subject_kind, subject_id, action," \
    " from_state, to_state, payload, def_digest, prev_hash, hash"

static json_t *event_row(store_stmt *st)
{
    char at[32];
    time_format_rfc3339(store_col_int(st, 3), at);
    json_t *payload = json_loads(store_col_text(st, 12), 0, NULL);
    return json_pack("{s:I, s:s, s:I, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s}",
                     "seq", (json_int_t)store_col_int(st, 0), "ledger", store_col_text(st, 1), "lseq",
                     (json_int_t)store_col_int(st, 2), "at", at, "actor", store_col_text(st, 4), "unit_id",
                     (json_int_t)store_col_int(st, 5), "region_code", store_col_text(st, 6),
                     "subject_kind", store_col_text(st, 7), "subject_id", store_col_text(st, 8), "action",
                     store_col_text(st, 9), "from_state", store_col_text(st, 10), "to_state",
                     store_col_text(st, 11), "payload", payload ? payload : json_object(), "def_digest",
                     store_col_text(st, 13), "prev_hash", store_col_text(st, 14), "hash",
                     store_col_text(st, 15));
}

/* Parses an optional integer query argument; replies 400 naming it on junk. */
static int query_int(req *r, const char *name, int64_t min, int64_t max, int64_t def, int64_t *out)
{
    const char *v = req_query(r, name);
    *out = def;
    if (!v)
        return FZ_OK;
    if (parse_i64(v, min, max, out) != FZ_OK) {
        char msg[160];
        snprintf(msg, sizeof(msg), "查询参数 %s 无效：应为 %lld 到 %lld 之间的整数", name, (long long)min,
                 (long long)max);
        req_reply_error(r, 400, "validation_failed", msg, json_pack("{s:s}", name, "应为整数"));
        return FZ_INVALID;
    }
    return FZ_OK;
}

static const char *query_str(req *r, const char *name)
{
    const char *v = req_query(r, name);
    return v ? v : "";
}

int api_events_list(req *r)
{
    app *a = req_app(r);
    int64_t page, size;
    if (query_int(r, "page", 1, 1000000, 1, &page) || query_int(r, "size", 1, 500, 20, &size))
        return FZ_OK;
    const char *action = query_str(r, "action"), *kind = query_str(r, "subject_kind"),
               *sid = query_str(r, "subject_id"), *actor = query_str(r, "actor");
    if (!utf8_valid(action, strlen(action)) || !utf8_valid(kind, strlen(kind)) ||
        !utf8_valid(sid, strlen(sid)) || !utf8_valid(actor, strlen(actor)))
        return req_reply_error(r, 400, "bad_utf8", "查询参数不是有效的 UTF-8 编码", NULL);
    store_conn *c = store_reader(a->st);
    if (!c)
        return req_reply_error(r, 503, "store_unavailable", "数据库暂时不可用", NULL);
    store_stmt *st;
    int64_t total = 0;
    if (store_prepare(c,
            "SELECT count(*) FROM events WHERE (?1 = '' OR action = ?1) AND (?2 = '' OR subject_kind = ?2)"
            " AND (?3 = '' OR subject_id = ?3) AND (?4 = '' OR actor = ?4)", &st))
        return req_reply_error(r, 500, "internal", "查询失败", NULL);
    store_bind_text(st, 1, action);
    store_bind_text(st, 2, kind);
    store_bind_text(st, 3, sid);
    store_bind_text(st, 4, actor);
    if (store_step(st) == STORE_ROW)
        total = store_col_int(st, 0);
    store_done(st);
    if (store_prepare(c,
            "SELECT " EVENT_COLS " FROM events WHERE (?1 = '' OR action = ?1) AND (?2 = '' OR subject_kind = ?2)"
            " AND (?3 = '' OR subject_id = ?3) AND (?4 = '' OR actor = ?4) ORDER BY seq DESC LIMIT ?5 OFFSET ?6",
            &st))
        return req_reply_error(r, 500, "internal", "查询失败", NULL);
    store_bind_text(st, 1, action);
    store_bind_text(st, 2, kind);
    store_bind_text(st, 3, sid);
    store_bind_text(st, 4, actor);
    store_bind_int(st, 5, size);
    store_bind_int(st, 6, (page - 1) * size);
    json_t *rows = json_array();
    while (store_step(st) == STORE_ROW)
        json_array_append_new(rows, event_row(st));
    store_done(st);
    return req_reply_json(r, 200, json_pack("{s:I, s:o}", "total", (json_int_t)total, "rows", rows));
}

int api_events_get(req *r)
{
    app *a = req_app(r);
    int64_t seq;
    if (parse_i64(req_param(r, "seq"), 1, INT64_MAX, &seq) != FZ_OK)
        return req_reply_error(r, 400, "validation_failed", "事件序号 seq 应为正整数",
                               json_pack("{s:s}", "seq", "应为正整数"));
    store_conn *c = store_reader(a->st);
    if (!c)
        return req_reply_error(r, 503, "store_unavailable", "数据库暂时不可用", NULL);
    store_stmt *st;
    if (store_prepare(c, "SELECT " EVENT_COLS " FROM events WHERE seq = ?", &st))
        return req_reply_error(r, 500, "internal", "查询失败", NULL);
    store_bind_int(st, 1, seq);
    json_t *ev = store_step(st) == STORE_ROW ? event_row(st) : NULL;
    store_done(st);
    if (!ev)
        return req_reply_error(r, 404, "not_found", "事件不存在", NULL);
    return req_reply_json(r, 200, ev);
}

int api_chain_head(req *r)
{
    app *a = req_app(r);
    store_conn *c = store_reader(a->st);
    if (!c)
        return req_reply_error(r, 503, "store_unavailable", "数据库暂时不可用", NULL);
    int64_t lseq;
    char head[SM3_HEX_LEN + 1];
    if (events_head(c, a->cfg.region_code, &lseq, head))
        return req_reply_error(r, 500, "internal", "查询失败", NULL);
    return req_reply_json(r, 200, json_pack("{s:s, s:I, s:s}", "ledger", a->cfg.region_code, "lseq",
                                            (json_int_t)lseq, "head", head));
}

typedef struct checkpoint_job {
    app *a;
    const char *note;
    const char *recipient;
    const char *actor;
    event ev;
} checkpoint_job;

static int checkpoint_write(store_conn *w, void *ctx)
{
    checkpoint_job *j = ctx;
    int64_t lseq;
    char head[SM3_HEX_LEN + 1];
    if (events_head(w, j->a->cfg.region_code, &lseq, head))
        return FZ_ERR;
    json_t *payload = json_pack("{s:s, s:s, s:I, s:s}", "note", j->note, "recipient", j->recipient,
                                "anchored_lseq", (json_int_t)lseq, "anchored_head", head);
    j->ev = (event){.ledger = j->a->cfg.region_code, .actor = j->actor, .subject_kind = "chain",
                    .subject_id = j->a->cfg.region_code, .action = "chain.checkpoint"};
    int rc = event_append(w, &j->ev, payload);
    json_decref(payload);
    return rc;
}

static int checkpoint_done(req *r, void *ctx, int rc)
{
    checkpoint_job *j = ctx;
    if (rc != FZ_OK)
        return req_reply_error(r, 503, "store_unavailable", "写入失败，请稍后重试", NULL);
    return req_reply_json(r, 201, json_pack("{s:I, s:I, s:s, s:s, s:s}", "seq", (json_int_t)j->ev.seq, "lseq",
                                            (json_int_t)j->ev.lseq, "ledger", j->ev.ledger, "hash", j->ev.hash,
                                            "prev_hash", j->ev.prev_hash));
}

int api_chain_checkpoint(req *r)
{
    json_t *body = req_json_body(r);
    if (!body)
        return FZ_OK;
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        if (strcmp(key, "note") != 0 && strcmp(key, "recipient") != 0) {
            char msg[160];
            snprintf(msg, sizeof(msg), "未知字段 %s", key);
            return req_reply_error(r, 400, "validation_failed", msg, json_pack("{s:s}", key, "未知字段"));
        }
    }
    json_t *note = json_object_get(body, "note"), *recipient = json_object_get(body, "recipient");
    if (!json_is_string(note) || json_string_length(note) == 0)
        return req_reply_error(r, 400, "validation_failed", "字段 note（存证说明）必填，须为文本",
                               json_pack("{s:s}", "note", "必填"));
    if (json_string_length(note) > 2000)
        return req_reply_error(r, 400, "validation_failed", "字段 note（存证说明）过长，最多 2000 字节",
                               json_pack("{s:s}", "note", "过长"));
    if (recipient && !json_is_string(recipient))
        return req_reply_error(r, 400, "validation_failed", "字段 recipient（接收单位）须为文本",
                               json_pack("{s:s}", "recipient", "须为文本"));
    checkpoint_job *j = arena_alloc(req_arena(r), sizeof(*j));
    if (!j)
        return req_reply_error(r, 503, "internal", "服务器内存不足", NULL);
    *j = (checkpoint_job){.a = req_app(r), .note = json_string_value(note),
                          .recipient = recipient ? json_string_value(recipient) : "", .actor = "anonymous"};
    if (req_write(r, checkpoint_write, j, checkpoint_done) != FZ_OK)
        return req_reply_error(r, 503, "store_unavailable", "数据库暂时不可用，请稍后重试", NULL);
    return FZ_OK;
}
