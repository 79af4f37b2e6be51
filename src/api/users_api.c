/* users_api.c: user administration (docs/identity.md): data-scoped lists
 * and reads, creation with a one-time initial password, edits with the
 * 三权分立 check, password resets and unlocking. */
#include "api/app.h"
#include "api/routes.h"
#include "api/util.h"
#include "engine/auth.h"
#include "engine/events.h"
#include "engine/users.h"
#include "core/status.h"
#include "core/timeutil.h"
#include "core/validate.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define PERM_VIEW "system:user:view"
#define PERM_EDIT "system:user:edit"

int api_users_list(req *r)
{
    int64_t page, size, unit_id;
    const char *q;
    if (api_paging(r, &page, &size) || api_query_int(r, "unit_id", 0, INT64_MAX, 0, &unit_id) ||
        api_query_text(r, "q", &q))
        return FZ_OK;
    app *a = req_app(r);
    const principal *p = api_who(r);
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    int sensitive = authz_has(p, PERM_SENSITIVE);
#define USER_FILTER                                                                                       \
    " FROM users t WHERE " AUTHZ_SCOPE_SQL("t.unit_id", "t.id") " AND (?6 = 0 OR t.unit_id = ?6)"          \
    " AND (?7 = '' OR instr(t.username, ?7) > 0 OR instr(t.name, ?7) > 0)"
    store_stmt *st;
    int64_t total = 0;
    if (store_prepare(c, "SELECT count(*)" USER_FILTER, &st))
        return api_store_error(r);
    authz_bind_scope(st, p, PERM_VIEW);
    store_bind_int(st, 6, unit_id);
    store_bind_text(st, 7, q);
    if (store_step(st) == STORE_ROW)
        total = store_col_int(st, 0);
    store_done(st);
    if (store_prepare(c, "SELECT t.id" USER_FILTER " ORDER BY t.id LIMIT ?8 OFFSET ?9", &st))
        return api_store_error(r);
    authz_bind_scope(st, p, PERM_VIEW);
    store_bind_int(st, 6, unit_id);
    store_bind_text(st, 7, q);
    store_bind_int(st, 8, size);
    store_bind_int(st, 9, (page - 1) * size);
    int64_t ids[500];
    int n = 0;
    while (n < 500 && store_step(st) == STORE_ROW)
        ids[n++] = store_col_int(st, 0);
    store_done(st);
#undef USER_FILTER
    json_t *rows = json_array();
    int64_t now = time_now_ms();
    for (int i = 0; i < n; i++) {
        json_t *u = user_json(c, &a->keys, ids[i], sensitive, now);
        if (u)
            json_array_append_new(rows, u);
    }
    return req_reply_json(r, 200, json_pack("{s:I, s:o}", "total", (json_int_t)total, "rows", rows));
}

/* Loads user id's unit and checks it is within scope for perm (404 if not). */
static int visible_user(req *r, store_conn *c, const char *perm, int64_t id)
{
    int64_t unit;
    int rc = user_unit(c, id, &unit);
    if (rc == FZ_NOTFOUND || (rc == FZ_OK && authz_unit_visible(c, api_who(r), perm, unit, id) != FZ_OK))
        return api_not_found(r, "用户");
    return rc ? api_store_error(r) : FZ_OK;
}

int api_users_get(req *r)
{
    int64_t id;
    if (api_path_id(r, "id", &id))
        return FZ_OK;
    store_conn *c = api_reader(r);
    if (!c || visible_user(r, c, PERM_VIEW, id))
        return FZ_OK;
    app *a = req_app(r);
    json_t *u = user_json(c, &a->keys, id, authz_has(api_who(r), PERM_SENSITIVE), time_now_ms());
    return u ? req_reply_json(r, 200, u) : api_not_found(r, "用户");
}

typedef struct user_job {
    app *a;
    const principal *p;
    user_input in;
    int64_t id;
    char pw_hash[PASSWD_HASH_MAX];
    char initial[24];      /* generated password, shown once */
    char username[64];     /* for unlock */
    int end_sessions;
} user_job;

static int valid_username(const char *s)
{
    size_t n = strlen(s);
    if (n < 2 || n > 32)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
            return 0;
    return 1;
}

static int valid_phone(const char *s)
{
    size_t n = strlen(s), digits = 0;
    for (size_t i = 0; i < n; i++) {
        if (isdigit((unsigned char)s[i]))
            digits++;
        else if (s[i] != '-' && s[i] != ' ' && !(i == 0 && s[i] == '+'))
            return 0;
    }
    return digits >= 7 && digits <= 15;
}

/* May the caller hand out role key? A county-wide user administrator may
 * assign any role (三权分立 is checked on the result). Anyone narrower — a
 * township administrator, a token — may assign the built-in case roles that
 * are not county-wide, and custom roles that are not county-wide and carry no
 * permission the caller lacks: nobody can grant more than they have.
 * FZ_NOTFOUND: no such role; FZ_ERR: replied. */
static int may_assign(req *r, store_conn *c, const char *key)
{
    const principal *p = api_who(r);
    store_stmt *st;
    if (store_prepare(c, "SELECT id, builtin, data_scope FROM roles WHERE key = ?", &st))
        return api_store_error(r), FZ_ERR;
    store_bind_text(st, 1, key);
    int64_t id = 0, builtin = 0;
    int all = 0;
    if (store_step(st) == STORE_ROW) {
        id = store_col_int(st, 0);
        builtin = store_col_int(st, 1);
        all = strcmp(store_col_text(st, 2), "all") == 0;
    }
    store_done(st);
    if (!id)
        return FZ_NOTFOUND;
    if (authz_scope_all(p, PERM_EDIT))
        return FZ_OK;
    if (all || authz_role_is_builtin_admin(key))
        return req_reply_error(r, 403, "forbidden", "只有全县范围的系统管理员可以分配管理员角色或全县范围的角色", NULL),
               FZ_ERR;
    /* The built-in case roles (执法人员 …) are vetted and confined to their
     * unit, so a township administrator may staff the township with them. */
    if (builtin)
        return FZ_OK;
    if (store_prepare(c, "SELECT perm FROM role_perms WHERE role_id = ?", &st))
        return api_store_error(r), FZ_ERR;
    store_bind_int(st, 1, id);
    int ok = 1;
    while (ok && store_step(st) == STORE_ROW)
        ok = authz_has(p, store_col_text(st, 0));
    store_done(st);
    if (!ok)
        return req_reply_error(r, 403, "forbidden", "该角色含有您本人没有的权限，不能分配", NULL), FZ_ERR;
    return FZ_OK;
}

/* Role keys from the body (validated to exist and assignable by the caller)
 * plus the separation check. */
static int roles_field(req *r, store_conn *c, const json_t *body, user_job *j)
{
    json_t *v = json_object_get(body, "roles");
    if (!v)
        return FZ_OK;
    if (!json_is_array(v) || json_array_size(v) > 16)
        return api_invalid(r, "roles", "角色", "应为角色键的数组");
    if (j->id && j->id == j->p->user_id)
        return req_reply_error(r, 403, "forbidden", "不能修改自己的角色，请由其他系统管理员办理", NULL), FZ_ERR;
    size_t n = json_array_size(v);
    const char **keys = arena_alloc(req_arena(r), sizeof(char *) * (n + 1));
    if (!keys)
        return api_store_error(r);
    for (size_t i = 0; i < n; i++) {
        const char *k = json_string_value(json_array_get(v, i));
        int rc = k ? may_assign(r, c, k) : FZ_NOTFOUND;
        if (rc == FZ_NOTFOUND) {
            char reason[120];
            snprintf(reason, sizeof(reason), "角色 %s 不存在", k ? k : "?");
            return api_invalid(r, "roles", "角色", reason);
        }
        if (rc)
            return FZ_ERR;
        keys[i] = k;
    }
    char msg[200];
    if (authz_check_separation(c, keys, (int)n, msg, sizeof(msg)) != FZ_OK)
        return req_reply_error(r, 400, "separation_of_duties", msg, json_pack("{s:s}", "roles", msg)), FZ_ERR;
    j->in.roles = keys;
    j->in.nroles = (int)n;
    j->in.set_roles = 1;
    return FZ_OK;
}

/* The fields common to create and update. */
static int user_fields(req *r, store_conn *c, const json_t *body, user_job *j, int create)
{
    static const char *const keys[] = {"username", "name", "unit_id", "roles", "phone", "id_number", "password",
                                       "disabled", NULL};
    const char *username = NULL, *password = NULL;
    int has_unit = 0;
    if (api_only_keys(r, body, keys) ||
        (create && api_text(r, body, "username", "用户名", 1, 32, &username)) ||
        api_text(r, body, "name", "姓名", create, 32, &j->in.name) ||
        api_int(r, body, "unit_id", "所属单位", create, 1, INT64_MAX, &j->in.unit_id, &has_unit) ||
        api_text(r, body, "phone", "手机号", 0, 20, &j->in.phone) ||
        api_text(r, body, "id_number", "身份证号", 0, 18, &j->in.id_number) ||
        (create && api_text(r, body, "password", "初始密码", 0, 128, &password)))
        return FZ_INVALID;
    if (!create && json_object_get(body, "username"))
        return api_invalid(r, "username", "用户名", "用户名创建后不能修改");
    if (create && !valid_username(username))
        return api_invalid(r, "username", "用户名", "应为 2–32 位字母、数字、下划线、点或连字符");
    j->in.username = username;
    if (j->in.phone && *j->in.phone && !valid_phone(j->in.phone))
        return api_invalid(r, "phone", "手机号", "应为 7–15 位数字");
    if (j->in.id_number && *j->in.id_number) {
        const char *reason = NULL;
        char *norm = arena_alloc(req_arena(r), 19);
        if (!norm || idcard_normalize(j->in.id_number, norm) != FZ_OK ||
            validate_idcard(norm, today_yyyymmdd(), &reason) != FZ_OK)
            return api_invalid(r, "id_number", "身份证号", reason ? reason : "不符合 GB 11643 规则");
        j->in.id_number = norm;
    }
    json_t *dis = json_object_get(body, "disabled");
    j->in.disabled = -1;
    if (dis) {
        if (!json_is_boolean(dis))
            return api_invalid(r, "disabled", "停用", "应为 true 或 false");
        j->in.disabled = json_is_true(dis);
        j->end_sessions = j->in.disabled;
    }
    if (has_unit && authz_unit_visible(c, j->p, PERM_EDIT, j->in.unit_id, 0) != FZ_OK)
        return api_invalid(r, "unit_id", "所属单位", "单位不存在或不在您的数据范围内");
    if (roles_field(r, c, body, j))
        return FZ_INVALID;
    if (create) {
        sec_policy pol;
        if (policy_load(c, &pol))
            return api_store_error(r);
        if (password) {
            pw_policy pp = {pol.password_min_length, pol.password_classes};
            const char *reason = NULL;
            if (passwd_check_policy(&pp, username, password, &reason) != FZ_OK)
                return api_invalid(r, "password", "初始密码", reason ? reason : "不符合口令策略");
        } else {
            if (passwd_generate(j->initial, sizeof(j->initial), 16))
                return api_store_error(r);
            password = j->initial;
        }
        if (passwd_hash(pol.password_hash, password, j->pw_hash))
            return api_store_error(r);
        j->in.pw_hash = j->pw_hash;
        j->in.must_change_pw = 1;
    }
    return FZ_OK;
}

static user_job *new_job(req *r)
{
    user_job *j = arena_alloc(req_arena(r), sizeof(*j));
    if (j) {
        j->a = req_app(r);
        j->p = api_who(r);
        j->in.disabled = -1;
    }
    return j;
}

static int user_insert_job(store_conn *w, void *ctx)
{
    user_job *j = ctx;
    return user_insert(w, &j->a->keys, &j->in, j->p->username, j->a->cfg.region_code, &j->id);
}

static int reply_user(req *r, user_job *j, int rc, int status)
{
    if (rc == FZ_CONFLICT)
        return req_reply_error(r, 409, "conflict", "用户名已存在", json_pack("{s:s}", "username", "已存在"));
    if (rc == FZ_INVALID)
        return api_invalid(r, "roles", "角色", "角色不存在");
    if (rc == FZ_NOTFOUND)
        return api_not_found(r, "用户");
    if (rc)
        return api_store_error(r);
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    json_t *u = user_json(c, &j->a->keys, j->id, authz_has(j->p, PERM_SENSITIVE), time_now_ms());
    json_t *out = json_pack("{s:o}", "user", u ? u : json_object());
    if (j->initial[0])
        json_object_set_new(out, "initial_password", json_string(j->initial));
    return req_reply_json(r, status, out);
}

static int created_then(req *r, void *ctx, int rc)
{
    return reply_user(r, ctx, rc, 201);
}

static int updated_then(req *r, void *ctx, int rc)
{
    return reply_user(r, ctx, rc, 200);
}

int api_users_create(req *r)
{
    json_t *body = req_json_body(r);
    user_job *j = new_job(r);
    store_conn *c = api_reader(r);
    if (!body || !j || !c || user_fields(r, c, body, j, 1))
        return FZ_OK;
    if (req_write(r, user_insert_job, j, created_then) != FZ_OK)
        return api_store_error(r);
    return FZ_OK;
}

static int user_update_job(store_conn *w, void *ctx)
{
    user_job *j = ctx;
    int rc = user_update(w, &j->a->keys, j->id, &j->in, j->p->username, j->a->cfg.region_code);
    if (rc == FZ_OK && j->end_sessions)
        rc = auth_sessions_end_user(w, j->id, NULL);
    return rc;
}

int api_users_update(req *r)
{
    int64_t id;
    if (api_path_id(r, "id", &id))
        return FZ_OK;
    json_t *body = req_json_body(r);
    user_job *j = new_job(r);
    store_conn *c = api_reader(r);
    if (!body || !j || !c || visible_user(r, c, PERM_EDIT, id))
        return FZ_OK;
    j->id = id;
    if (user_fields(r, c, body, j, 0))
        return FZ_OK;
    if (j->in.disabled == 1 && id == j->p->user_id)
        return api_invalid(r, "disabled", "停用", "不能停用自己的账户");
    if (req_write(r, user_update_job, j, updated_then) != FZ_OK)
        return api_store_error(r);
    return FZ_OK;
}

int api_users_reset_password(req *r)
{
    int64_t id;
    if (api_path_id(r, "id", &id))
        return FZ_OK;
    user_job *j = new_job(r);
    store_conn *c = api_reader(r);
    if (!j || !c || visible_user(r, c, PERM_EDIT, id))
        return FZ_OK;
    sec_policy pol;
    if (policy_load(c, &pol) || passwd_generate(j->initial, sizeof(j->initial), 16) ||
        passwd_hash(pol.password_hash, j->initial, j->pw_hash))
        return api_store_error(r);
    j->id = id;
    j->in.pw_hash = j->pw_hash;
    j->in.must_change_pw = 1;
    j->end_sessions = 1;
    if (req_write(r, user_update_job, j, updated_then) != FZ_OK)
        return api_store_error(r);
    return FZ_OK;
}

static int unlock_job(store_conn *w, void *ctx)
{
    user_job *j = ctx;
    /* Keep the row: reset_at makes earlier failures stop counting, so one typo
     * after an unlock does not lock the account again. */
    int rc = store_run(w, "UPDATE login_locks SET locked_until = 0, reset_at = ? WHERE username = ?", "is",
                       time_now_ms(), j->username);
    if (rc)
        return rc;
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", (long long)j->id);
    json_t *p = json_pack("{s:s}", "username", j->username);
    event e = {.ledger = j->a->cfg.region_code, .actor = j->p->username, .unit_id = j->p->unit_id,
               .subject_kind = "user", .subject_id = sid, .action = "user.unlocked"};
    rc = event_append(w, &e, p);
    json_decref(p);
    return rc;
}

int api_users_unlock(req *r)
{
    int64_t id;
    if (api_path_id(r, "id", &id))
        return FZ_OK;
    user_job *j = new_job(r);
    store_conn *c = api_reader(r);
    if (!j || !c || visible_user(r, c, "security:user:unlock", id))
        return FZ_OK;
    store_stmt *st;
    if (store_prepare(c, "SELECT username FROM users WHERE id = ?", &st))
        return api_store_error(r);
    store_bind_int(st, 1, id);
    if (store_step(st) == STORE_ROW)
        snprintf(j->username, sizeof(j->username), "%s", store_col_text(st, 0));
    store_done(st);
    j->id = id;
    if (req_write(r, unlock_job, j, updated_then) != FZ_OK)
        return api_store_error(r);
    return FZ_OK;
}
