/* reviews_api.c: 案卷评查 (docs/file-review.md) over HTTP.
 *
 *   GET  /api/reviews/campaigns                       campaigns (case:view)
 *   POST /api/reviews/campaigns                       create (法制审核员 / 监督员)
 *   GET  /api/reviews/campaigns/{id}                  one, with rubric and results
 *   POST /api/reviews/campaigns/{id}/draw             draw the sample
 *   POST /api/reviews/campaigns/{id}/close            集中点评 and close
 *   GET  /api/reviews/campaigns/{id}/files            the drawn files the caller may see
 *   GET  /api/reviews/campaigns/{id}/files/{fid}      one file with its events
 *   POST .../files/{fid}/score | adjust | retrospect | referral | outcome   (法制审核员 / 监督员)
 *   POST .../files/{fid}/statement                    陈述申辩 (单位负责人 of the file's unit)
 *
 * Every route needs case:view (no new permission); who may write is checked
 * here by role, after the data scope: a file outside the caller's case:view
 * scope answers 404 (as a case would), a role that may not act 403. Campaigns
 * are county-wide; a creator without county-wide scope samples only the units
 * it can see. */
#include "api/app.h"
#include "api/routes.h"
#include "api/util.h"
#include "engine/fields.h"
#include "engine/review_campaign.h"
#include "core/status.h"
#include "core/strbuf.h"
#include "core/timeutil.h"

#include <stdio.h>
#include <string.h>

typedef struct review_job {
    review_ctx x;
    review_spec spec;
    const defs *defs;
    int64_t cid, fid;
    const json_t *marks;
    const char *text, *to;
    review_outcome outcome;
    int (*op)(struct review_job *j, store_conn *w);
} review_job;

static review_job *new_job(req *r)
{
    review_job *j = arena_alloc(req_arena(r), sizeof(*j));
    if (!j) {
        api_store_error(r);
        return NULL;
    }
    memset(j, 0, sizeof(*j));
    app *a = req_app(r);
    j->x.who = api_who(r);
    j->x.ledger = a->cfg.region_code;
    j->defs = a->defs;
    return j;
}

static int refusal(req *r, review_ctx *x)
{
    if (!x->status)
        return api_store_error(r);
    json_t *fields = x->field[0] ? json_pack("{s:s}", x->field, x->message) : NULL;
    return req_reply_error(r, x->status, x->code ? x->code : "conflict", x->message, fields);
}

static int forbidden(req *r, const char *msg)
{
    req_reply_error(r, 403, "forbidden", msg, NULL);
    return FZ_CONFLICT;
}

static int may_review(req *r)
{
    if (review_may_review(api_who(r)))
        return FZ_OK;
    return forbidden(r, "只有法制审核员或监督员可以组织案卷评查、评分和处理评查结果");
}

static int run_write(store_conn *w, void *ctx)
{
    review_job *j = ctx;
    return j->op(j, w);
}

/* Replies with the campaign (status) or, for file operations, the file. */
static int campaign_then(req *r, review_job *j, int rc, int status)
{
    if (rc)
        return refusal(r, &j->x);
    store_conn *c = api_reader(r);
    json_t *o = c ? review_campaign_json(c, j->defs, api_who(r), j->cid) : NULL;
    return o ? req_reply_json(r, status, o) : api_store_error(r);
}

static int created_then(req *r, void *ctx, int rc)
{
    return campaign_then(r, ctx, rc, 201);
}

static int campaign_ok_then(req *r, void *ctx, int rc)
{
    return campaign_then(r, ctx, rc, 200);
}

static int file_then(req *r, void *ctx, int rc)
{
    review_job *j = ctx;
    if (rc)
        return refusal(r, &j->x);
    store_conn *c = api_reader(r);
    json_t *o = c ? review_file_json(c, j->cid, j->fid) : NULL;
    return o ? req_reply_json(r, 200, o) : api_store_error(r);
}

static int start(req *r, review_job *j, req_then_fn then)
{
    if (req_write(r, run_write, j, then) != FZ_OK)
        return api_store_error(r);
    return FZ_OK;
}

/* ---- campaigns ---- */

int api_reviews_list(req *r)
{
    int64_t page, size;
    if (api_paging(r, &page, &size))
        return FZ_OK;
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    json_t *out = NULL;
    if (review_campaign_list(c, req_app(r)->defs, page, size, &out) != FZ_OK)
        return api_store_error(r);
    return req_reply_json(r, 200, out);
}

int api_reviews_get(req *r)
{
    int64_t id;
    if (api_path_id(r, "id", &id))
        return FZ_OK;
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    json_t *o = review_campaign_json(c, req_app(r)->defs, api_who(r), id);
    return o ? req_reply_json(r, 200, o) : api_not_found(r, "评查活动");
}

/* The states a closed case rests in: final states, and states whose every
 * state-changing action leads to a final state (行政处罚: 已结案 -> 已归档). */
static int state_final(const def *d, const char *name)
{
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(d->json, "states"), i, s) if (!strcmp(
        json_string_value(json_object_get(s, "name")), name)) return json_is_true(json_object_get(s, "final"));
    return 0;
}

static int state_settled(const def *d, const char *name)
{
    if (state_final(d, name))
        return 1;
    int leaves = 0;
    size_t i, k;
    json_t *a, *f;
    json_array_foreach(json_object_get(d->json, "actions"), i, a)
    {
        const char *to = json_string_value(json_object_get(a, "to"));
        json_t *from = json_object_get(a, "from");
        if (!to || !strcmp(to, name))
            continue;
        int applies = !from;
        json_array_foreach(from, k, f) applies |= !strcmp(json_string_value(f), name);
        if (!applies)
            continue;
        if (!state_final(d, to))
            return 0;
        leaves = 1;
    }
    return leaves;
}

static int state_known(const def *d, const char *name)
{
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(d->json, "states"), i, s) if (!strcmp(
        json_string_value(json_object_get(s, "name")), name)) return 1;
    return 0;
}

/* ",a,b," from the body's states, or the settled states. */
static const char *states_arg(req *r, const def *d, const json_t *body)
{
    strbuf b = STRBUF_INIT;
    strbuf_putc(&b, ',');
    json_t *v = json_object_get(body, "states");
    const char *bad = NULL;
    if (v && !json_is_null(v)) {
        if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > 50)
            bad = "应为程序状态名的数组（1 到 50 个）";
        size_t i;
        json_t *s;
        json_array_foreach(v, i, s)
        {
            if (bad)
                break;
            const char *name = json_string_value(s);
            char probe[80];
            snprintf(probe, sizeof(probe), ",%s,", name ? name : "");
            if (!name || !state_known(d, name))
                bad = "含有该程序未定义的状态";
            else if (strstr(b.data, probe))
                bad = "状态重复";
            else
                strbuf_printf(&b, "%s,", name);
        }
    } else {
        size_t i;
        json_t *s;
        json_array_foreach(json_object_get(d->json, "states"), i, s)
        {
            const char *name = json_string_value(json_object_get(s, "name"));
            if (state_settled(d, name))
                strbuf_printf(&b, "%s,", name);
        }
    }
    if (!bad && (!strbuf_ok(&b) || b.len < 2))
        bad = "该程序没有终结状态，请指定 states";
    const char *out = bad ? NULL : arena_strdup(req_arena(r), b.data);
    strbuf_free(&b);
    if (bad)
        api_invalid(r, "states", "案件状态", bad);
    else if (!out)
        api_store_error(r);
    return out;
}

/* ",3,5," from the body's units (each visible to the caller), "" for every
 * unit when the caller sees all, else the units the caller sees. */
static const char *units_arg(req *r, store_conn *c, const json_t *body)
{
    const principal *p = api_who(r);
    json_t *v = json_object_get(body, "units");
    strbuf b = STRBUF_INIT;
    int rc = FZ_OK;
    if (v && !json_is_null(v)) {
        if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > 1000) {
            api_invalid(r, "units", "抽查单位", "应为单位编号的数组（1 到 1000 个）");
            return NULL;
        }
        strbuf_putc(&b, ',');
        size_t i;
        json_t *u;
        json_array_foreach(v, i, u)
        {
            char probe[32];
            snprintf(probe, sizeof(probe), ",%lld,", (long long)json_integer_value(u));
            if (!json_is_integer(u) || json_integer_value(u) < 1 ||
                authz_unit_visible(c, p, "case:view", json_integer_value(u), 0) != FZ_OK) {
                char reason[120];
                snprintf(reason, sizeof(reason), "第 %zu 个单位不存在或不在您的数据范围内", i + 1);
                strbuf_free(&b);
                api_invalid(r, "units", "抽查单位", reason);
                return NULL;
            }
            if (!strstr(b.data, probe))
                strbuf_printf(&b, "%lld,", (long long)json_integer_value(u));
        }
    } else if (!authz_scope_all(p, "case:view")) {
        store_stmt *st;
        if (store_prepare(c, "SELECT u.id FROM units u WHERE " AUTHZ_SCOPE_SQL("u.id", "-1") " ORDER BY u.id", &st)) {
            api_store_error(r);
            return NULL;
        }
        authz_bind_scope(st, p, "case:view");
        strbuf_putc(&b, ',');
        int s;
        while ((s = store_step(st)) == STORE_ROW)
            strbuf_printf(&b, "%lld,", (long long)store_col_int(st, 0));
        store_done(st);
        rc = s == STORE_DONE ? FZ_OK : FZ_ERR;
    }
    const char *out = rc == FZ_OK && strbuf_ok(&b) ? arena_strdup(req_arena(r), b.data ? b.data : "") : NULL;
    strbuf_free(&b);
    if (!out)
        api_store_error(r);
    return out;
}

static int date_arg(req *r, const json_t *body, const char *key, const char *label, const char **out)
{
    if (api_text(r, body, key, label, 1, 10, out))
        return FZ_INVALID;
    if (date_parse(*out, NULL, NULL, NULL) != FZ_OK)
        return api_invalid(r, key, label, "应为 YYYY-MM-DD");
    return FZ_OK;
}

static int create_op(review_job *j, store_conn *w)
{
    return review_campaign_create(w, &j->x, &j->spec, &j->cid);
}

int api_reviews_create(req *r)
{
    static const char *const keys[] = {"name", "kind",     "states", "date_field", "period_from", "period_to",
                                       "per_unit", "seed", "units",  "rubric",     NULL};
    if (may_review(r))
        return FZ_OK;
    json_t *body = req_json_body(r);
    review_job *j = body ? new_job(r) : NULL;
    if (!j || api_only_keys(r, body, keys))
        return FZ_OK;
    review_spec *s = &j->spec;
    const char *kind;
    int64_t per_unit;
    if (api_text(r, body, "name", "评查活动名称", 1, 100, &s->name) ||
        api_text(r, body, "kind", "程序类型", 1, 40, &kind))
        return FZ_OK;
    s->d = defs_find(j->defs, DEF_PROCEDURE, kind);
    if (!s->d)
        return api_invalid(r, "kind", "程序类型", "未定义的程序");
    const char *df = NULL;
    if (api_text(r, body, "date_field", "办结日期字段", 0, 40, &df))
        return FZ_OK;
    if (df && *df) {
        json_t *f = fields_find(s->d, df);
        if (!f || strcmp(json_string_value(json_object_get(f, "type")), "date") != 0)
            return api_invalid(r, "date_field", "办结日期字段", "应为该程序的日期（date）字段，如 decided_on");
    }
    s->date_field = df ? df : "";
    if (!(s->states = states_arg(r, s->d, body)) || date_arg(r, body, "period_from", "办结期间起", &s->period_from) ||
        date_arg(r, body, "period_to", "办结期间止", &s->period_to))
        return FZ_OK;
    if (strcmp(s->period_from, s->period_to) > 0)
        return api_invalid(r, "period_to", "办结期间止", "不能早于办结期间起");
    if (api_int(r, body, "per_unit", "每单位抽取件数", 1, 1, 1000, &per_unit, NULL) ||
        api_text(r, body, "seed", "随机种子", 1, 200, &s->seed) ||
        api_text(r, body, "rubric", "评查标准", 1, 100, &s->rubric))
        return FZ_OK;
    s->per_unit = (int)per_unit;
    char why[200];
    if (review_rubric_check(j->defs, why, sizeof(why)) != FZ_OK)
        return api_invalid(r, "rubric", "评查标准", why);
    store_conn *c = api_reader(r);
    if (!c || !(s->units = units_arg(r, c, body)))
        return FZ_OK;
    j->op = create_op;
    return start(r, j, created_then);
}

static int draw_op(review_job *j, store_conn *w)
{
    return review_campaign_draw(w, &j->x, j->defs, j->cid);
}

static int close_op(review_job *j, store_conn *w)
{
    return review_campaign_close(w, &j->x, j->cid, j->text);
}

/* A campaign-level write: the role, the id, the body's keys. */
static review_job *campaign_job(req *r, const char *const *keys, json_t **body)
{
    int64_t id;
    if (may_review(r) || api_path_id(r, "id", &id))
        return NULL;
    *body = req_json_body(r);
    review_job *j = *body ? new_job(r) : NULL;
    if (!j || api_only_keys(r, *body, keys))
        return NULL;
    j->cid = id;
    return j;
}

int api_reviews_draw(req *r)
{
    static const char *const keys[] = {NULL};
    json_t *body;
    review_job *j = campaign_job(r, keys, &body);
    if (!j)
        return FZ_OK;
    j->op = draw_op;
    return start(r, j, campaign_ok_then);
}

int api_reviews_close(req *r)
{
    static const char *const keys[] = {"summary", NULL};
    json_t *body;
    review_job *j = campaign_job(r, keys, &body);
    if (!j || api_text(r, body, "summary", "集中点评", 1, 20000, &j->text))
        return FZ_OK;
    j->op = close_op;
    return start(r, j, campaign_ok_then);
}

/* ---- files ---- */

int api_reviews_files(req *r)
{
    int64_t id;
    if (api_path_id(r, "id", &id))
        return FZ_OK;
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    json_t *out = NULL;
    int rc = review_files_list(c, api_who(r), id, &out);
    if (rc == FZ_NOTFOUND)
        return api_not_found(r, "评查活动");
    return rc ? api_store_error(r) : req_reply_json(r, 200, out);
}

/* The file exists and its unit is within the caller's case:view scope (404). */
static int visible_file(req *r, store_conn *c, int64_t *cid, int64_t *fid, int64_t *unit)
{
    if (api_path_id(r, "id", cid) || api_path_id(r, "fid", fid))
        return FZ_INVALID;
    int rc = review_file_unit(c, *cid, *fid, unit);
    if (rc == FZ_NOTFOUND || (rc == FZ_OK && authz_unit_visible(c, api_who(r), "case:view", *unit, 0) != FZ_OK))
        return api_not_found(r, "评查案卷");
    return rc ? api_store_error(r) : FZ_OK;
}

int api_reviews_file(req *r)
{
    int64_t cid, fid, unit;
    store_conn *c = api_reader(r);
    if (!c || visible_file(r, c, &cid, &fid, &unit))
        return FZ_OK;
    json_t *o = review_file_json(c, cid, fid);
    return o ? req_reply_json(r, 200, o) : api_not_found(r, "评查案卷");
}

/* A file-level write: scope (404), then who (403), then the body. */
static review_job *file_job(req *r, const char *const *keys, json_t **body, int statement)
{
    int64_t cid, fid, unit;
    store_conn *c = api_reader(r);
    if (!c || visible_file(r, c, &cid, &fid, &unit))
        return NULL;
    if (statement) {
        int head = 0;
        const principal *p = api_who(r);
        for (int i = 0; i < p->nroles; i++)
            head |= !strcmp(p->roles[i].key, "unit_head");
        if (!head || !review_unit_within(c, p, unit)) {
            forbidden(r, "只有该案卷所属单位的单位负责人可以提出陈述申辩");
            return NULL;
        }
    } else if (may_review(r)) {
        return NULL;
    }
    *body = req_json_body(r);
    review_job *j = *body ? new_job(r) : NULL;
    if (!j || api_only_keys(r, *body, keys))
        return NULL;
    j->cid = cid;
    j->fid = fid;
    return j;
}

static int score_op(review_job *j, store_conn *w)
{
    return review_file_score(w, &j->x, j->cid, j->fid, j->marks, j->text);
}

int api_reviews_score(req *r)
{
    static const char *const keys[] = {"items", "remark", NULL};
    json_t *body;
    review_job *j = file_job(r, keys, &body, 0);
    if (!j || api_text(r, body, "remark", "评查意见", 0, 2000, &j->text))
        return FZ_OK;
    j->marks = json_object_get(body, "items");
    if (!json_is_array(j->marks))
        return api_invalid(r, "items", "评查项", "必填：各评查项的评分 [{code, veto 或 deduct, note}]，全部无问题时为 []");
    j->op = score_op;
    return start(r, j, file_then);
}

static int statement_op(review_job *j, store_conn *w)
{
    return review_file_statement(w, &j->x, j->cid, j->fid, j->text);
}

int api_reviews_statement(req *r)
{
    static const char *const keys[] = {"text", NULL};
    json_t *body;
    review_job *j = file_job(r, keys, &body, 1);
    if (!j || api_text(r, body, "text", "陈述申辩", 1, 5000, &j->text))
        return FZ_OK;
    j->op = statement_op;
    return start(r, j, file_then);
}

static int adjust_op(review_job *j, store_conn *w)
{
    return review_file_adjust(w, &j->x, j->cid, j->fid, j->marks, j->text);
}

int api_reviews_adjust(req *r)
{
    static const char *const keys[] = {"items", "reason", NULL};
    json_t *body;
    review_job *j = file_job(r, keys, &body, 0);
    if (!j || api_text(r, body, "reason", "调整理由", 1, 2000, &j->text))
        return FZ_OK;
    json_t *items = json_object_get(body, "items");
    if (items && !json_is_null(items) && !json_is_array(items))
        return api_invalid(r, "items", "评查项", "应为数组；维持原评分时省略");
    j->marks = json_is_array(items) ? items : NULL;
    j->op = adjust_op;
    return start(r, j, file_then);
}

static int retrospect_op(review_job *j, store_conn *w)
{
    return review_file_retrospect(w, &j->x, j->cid, j->fid, j->text);
}

int api_reviews_retrospect(req *r)
{
    static const char *const keys[] = {"note", NULL};
    json_t *body;
    review_job *j = file_job(r, keys, &body, 0);
    if (!j || api_text(r, body, "note", "复盘情况", 1, 5000, &j->text))
        return FZ_OK;
    j->op = retrospect_op;
    return start(r, j, file_then);
}

static int refer_op(review_job *j, store_conn *w)
{
    return review_file_refer(w, &j->x, j->cid, j->fid, j->to, j->text);
}

int api_reviews_referral(req *r)
{
    static const char *const keys[] = {"referred_to", "note", NULL};
    json_t *body;
    review_job *j = file_job(r, keys, &body, 0);
    if (!j || api_text(r, body, "referred_to", "线索移送机关", 1, 200, &j->to) ||
        api_text(r, body, "note", "移送的问题线索", 0, 5000, &j->text))
        return FZ_OK;
    if (!j->text)
        j->text = "";
    j->op = refer_op;
    return start(r, j, file_then);
}

static int outcome_op(review_job *j, store_conn *w)
{
    return review_file_outcome(w, &j->x, j->cid, j->fid, &j->outcome);
}

int api_reviews_outcome(req *r)
{
    static const char *const keys[] = {"filed", "sanctioned", "first_form", "advice", NULL};
    json_t *body;
    review_job *j = file_job(r, keys, &body, 0);
    if (!j)
        return FZ_OK;
    json_t *filed = json_object_get(body, "filed");
    if (!json_is_boolean(filed))
        return api_invalid(r, "filed", "是否立案", "必填：true 或 false");
    review_outcome *o = &j->outcome;
    o->filed = json_is_true(filed);
    if (api_int(r, body, "sanctioned", "党纪政务处分人数", 1, 0, 100000, &o->sanctioned, NULL) ||
        api_int(r, body, "first_form", "第一种形态处理人数", 1, 0, 100000, &o->first_form, NULL) ||
        api_text(r, body, "advice", "监察建议", 0, 5000, &o->advice))
        return FZ_OK;
    if (!o->advice)
        o->advice = "";
    j->op = outcome_op;
    return start(r, j, file_then);
}
