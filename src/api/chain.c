/* chain.c: the chain head, and chain checkpoints: a 链头存证 event that anchors the current head hash, with
 * a note saying to whom it was handed (DESIGN §5). */
#include "api/app.h"
#include "api/routes.h"
#include "api/util.h"
#include "engine/events.h"
#include "core/status.h"

#include <string.h>

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
    int64_t unit_id;
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
    j->ev = (event){.ledger = j->a->cfg.region_code, .actor = j->actor, .unit_id = j->unit_id,
                    .subject_kind = "chain", .subject_id = j->a->cfg.region_code, .action = "chain.checkpoint"};
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
                          .recipient = recipient ? json_string_value(recipient) : "", .actor = api_who(r)->username, .unit_id = api_who(r)->unit_id};
    if (req_write(r, checkpoint_write, j, checkpoint_done) != FZ_OK)
        return req_reply_error(r, 503, "store_unavailable", "数据库暂时不可用，请稍后重试", NULL);
    return FZ_OK;
}
