/* policy_api.c: the security policy (安全管理员). */
#include "api/app.h"
#include "api/routes.h"
#include "api/util.h"
#include "engine/policy.h"
#include "core/status.h"

#include <stdio.h>

int api_policy_get(req *r)
{
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    sec_policy p;
    if (policy_load(c, &p))
        return api_store_error(r);
    return req_reply_json(r, 200, policy_to_json(&p));
}

typedef struct policy_job {
    app *a;
    const principal *who;
    sec_policy p;
} policy_job;

static int policy_write(store_conn *w, void *ctx)
{
    policy_job *j = ctx;
    return policy_save(w, &j->p, j->a->cfg.region_code, j->who->username, j->who->unit_id);
}

static int policy_then(req *r, void *ctx, int rc)
{
    policy_job *j = ctx;
    return rc ? api_store_error(r) : req_reply_json(r, 200, policy_to_json(&j->p));
}

int api_policy_update(req *r)
{
    json_t *body = req_json_body(r);
    policy_job *j = arena_alloc(req_arena(r), sizeof(*j));
    store_conn *c = api_reader(r);
    if (!body || !j || !c)
        return FZ_OK;
    j->a = req_app(r);
    j->who = api_who(r);
    if (policy_load(c, &j->p))
        return api_store_error(r);
    json_t *fields = NULL;
    char msg[300];
    if (policy_apply_json(&j->p, body, &fields, msg, sizeof(msg)) != FZ_OK)
        return req_reply_error(r, 400, "validation_failed", msg, fields);
    json_t *roles = json_object_get(body, "totp_required_roles");
    size_t i;
    json_t *v;
    json_array_foreach(roles, i, v)
    {
        int64_t n;
        if (store_query_int(c, &n, 0, "SELECT count(*) FROM roles WHERE key = ?", "s", json_string_value(v)))
            return api_store_error(r);
        if (!n) {
            char reason[120];
            snprintf(reason, sizeof(reason), "角色 %s 不存在", json_string_value(v));
            return api_invalid(r, "totp_required_roles", "须启用动态口令的角色", reason);
        }
    }
    if (req_write(r, policy_write, j, policy_then) != FZ_OK)
        return api_store_error(r);
    return FZ_OK;
}
