/* tokens_api.c: Bearer API tokens for machine clients: scoped to
 * permissions and a unit, shown once, stored as SM3, revocable. */
#include "api/app.h"
#include "api/routes.h"
#include "api/util.h"
#include "engine/auth.h"
#include "engine/events.h"
#include "core/status.h"
#include "core/timeutil.h"

#include <stdio.h>
#include <string.h>

#define PERM "system:token:manage"

static json_t *token_row(store_stmt *st)
{
    char created[32], expires[32] = "", revoked[32] = "", used[32] = "";
    time_format_rfc3339(store_col_int(st, 5), created);
    if (store_col_int(st, 6))
        time_format_rfc3339(store_col_int(st, 6), expires);
    if (store_col_int(st, 7))
        time_format_rfc3339(store_col_int(st, 7), revoked);
    if (store_col_int(st, 8))
        time_format_rfc3339(store_col_int(st, 8), used);
    json_t *perms = json_array();
    const char *s = store_col_text(st, 3);
    while (*s) {
        const char *e = strchr(s, ',');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        json_array_append_new(perms, json_stringn(s, n));
        s += n + (e ? 1 : 0);
    }
    return json_pack("{s:I, s:s, s:I, s:o, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)store_col_int(st, 0), "name",
                     store_col_text(st, 1), "unit_id", (json_int_t)store_col_int(st, 2), "permissions", perms,
                     "created_by", store_col_text(st, 4), "created_at", created, "expires_at", expires, "revoked_at",
                     revoked, "last_used_at", used);
}

int api_tokens_list(req *r)
{
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    store_stmt *st;
    if (store_prepare(c, "SELECT t.id, t.name, t.unit_id, t.perms, t.created_by, t.created_at, t.expires_at,"
                         " t.revoked_at, t.last_used_at FROM api_tokens t WHERE " AUTHZ_SCOPE_SQL("t.unit_id", "0")
                         " ORDER BY t.id DESC", &st))
        return api_store_error(r);
    authz_bind_scope(st, api_who(r), PERM);
    json_t *rows = json_array();
    while (store_step(st) == STORE_ROW)
        json_array_append_new(rows, token_row(st));
    store_done(st);
    return req_reply_json(r, 200, json_pack("{s:I, s:o}", "total", (json_int_t)json_array_size(rows), "rows", rows));
}

typedef struct token_job {
    app *a;
    const principal *p;
    int64_t id, unit_id, expires_at;
    const char *name;
    char perms[1024];
    char token[80];
} token_job;

static int token_event(store_conn *w, token_job *j, const char *action)
{
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", (long long)j->id);
    json_t *p = json_pack("{s:I, s:s?, s:I, s:s}", "id", (json_int_t)j->id, "name", j->name, "unit_id",
                          (json_int_t)j->unit_id, "permissions", j->perms);
    event e = {.ledger = j->a->cfg.region_code, .actor = j->p->username, .unit_id = j->p->unit_id,
               .subject_kind = "api_token", .subject_id = sid, .action = action};
    int rc = event_append(w, &e, p);
    json_decref(p);
    return rc;
}

static int token_insert(store_conn *w, void *ctx)
{
    token_job *j = ctx;
    char hash[SM3_HEX_LEN + 1];
    auth_hash_hex(j->token, hash);
    store_stmt *st;
    if (store_prepare(w, "INSERT INTO api_tokens (name, token_hash, unit_id, perms, created_by, created_at,"
                         " expires_at, revoked_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0) RETURNING id", &st))
        return FZ_ERR;
    store_bind_text(st, 1, j->name);
    store_bind_text(st, 2, hash);
    store_bind_int(st, 3, j->unit_id);
    store_bind_text(st, 4, j->perms);
    store_bind_text(st, 5, j->p->username);
    store_bind_int(st, 6, time_now_ms());
    store_bind_int(st, 7, j->expires_at);
    int rc = store_step(st);
    if (rc == STORE_ROW) {
        j->id = store_col_int(st, 0);
        rc = store_step(st) == STORE_DONE ? FZ_OK : FZ_ERR;
    }
    store_done(st);
    return rc ? rc : token_event(w, j, "token.created");
}

static int created_then(req *r, void *ctx, int rc)
{
    token_job *j = ctx;
    if (rc)
        return api_store_error(r);
    return req_reply_json(r, 201, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)j->id, "token", j->token, "message",
                                            "令牌只显示这一次，请立即妥善保存"));
}

int api_tokens_create(req *r)
{
    static const char *const keys[] = {"name", "unit_id", "permissions", "expires_days", NULL};
    json_t *body = req_json_body(r);
    token_job *j = arena_alloc(req_arena(r), sizeof(*j));
    int64_t days = 0;
    if (!body || !j || api_only_keys(r, body, keys) || api_text(r, body, "name", "令牌名称", 1, 64, &j->name) ||
        api_int(r, body, "unit_id", "所属单位", 1, 1, INT64_MAX, &j->unit_id, NULL) ||
        api_int(r, body, "expires_days", "有效天数", 0, 1, 3650, &days, NULL))
        return FZ_OK;
    j->a = req_app(r);
    j->p = api_who(r);
    json_t *perms = json_object_get(body, "permissions");
    if (!json_is_array(perms) || json_array_size(perms) == 0)
        return api_invalid(r, "permissions", "权限", "应为非空的权限字符串数组");
    size_t i, used = 0;
    json_t *v;
    json_array_foreach(perms, i, v)
    {
        const char *perm = json_string_value(v);
        /* A token can carry only permissions its creator holds. */
        if (!perm || !authz_perm_known(perm) || !authz_has(j->p, perm))
            return api_invalid(r, "permissions", "权限", "含有未知权限或您本人没有的权限");
        size_t n = strlen(perm);
        if (used + n + 2 > sizeof(j->perms))
            return api_invalid(r, "permissions", "权限", "权限过多");
        if (used)
            j->perms[used++] = ',';
        memcpy(j->perms + used, perm, n + 1);
        used += n;
    }
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    if (authz_unit_visible(c, j->p, PERM, j->unit_id, 0) != FZ_OK)
        return api_invalid(r, "unit_id", "所属单位", "单位不存在或不在您的数据范围内");
    j->expires_at = days ? time_now_ms() + days * 86400000 : 0;
    memcpy(j->token, TOKEN_PREFIX, sizeof(TOKEN_PREFIX) - 1);
    if (auth_random_hex(j->token + sizeof(TOKEN_PREFIX) - 1, 32))
        return api_store_error(r);
    if (req_write(r, token_insert, j, created_then) != FZ_OK)
        return api_store_error(r);
    return FZ_OK;
}

static int token_revoke(store_conn *w, void *ctx)
{
    token_job *j = ctx;
    int rc = store_run(w, "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at = 0", "ii", time_now_ms(),
                       j->id);
    if (rc)
        return rc;
    if (store_changes(w) == 0)
        return FZ_NOTFOUND;
    return token_event(w, j, "token.revoked");
}

static int revoked_then(req *r, void *ctx, int rc)
{
    if (rc == FZ_NOTFOUND)
        return api_not_found(r, "未吊销的令牌");
    return rc ? api_store_error(r) : req_reply_json(r, 200, json_object());
}

int api_tokens_revoke(req *r)
{
    int64_t id;
    if (api_path_id(r, "id", &id))
        return FZ_OK;
    token_job *j = arena_alloc(req_arena(r), sizeof(*j));
    store_conn *c = api_reader(r);
    if (!j || !c)
        return FZ_OK;
    j->a = req_app(r);
    j->p = api_who(r);
    j->id = id;
    if (store_query_int(c, &j->unit_id, -1, "SELECT unit_id FROM api_tokens WHERE id = ?", "i", id))
        return api_store_error(r);
    if (j->unit_id < 0 || authz_unit_visible(c, j->p, PERM, j->unit_id, 0) != FZ_OK)
        return api_not_found(r, "令牌");
    if (req_write(r, token_revoke, j, revoked_then) != FZ_OK)
        return api_store_error(r);
    return FZ_OK;
}
