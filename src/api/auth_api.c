/* auth_api.c: login, logout, who am I, password change, TOTP enrolment
 * (docs/identity.md). The slow password hash runs on the worker thread; the
 * writes (login log, session, events) go through the writer. */
#include "api/app.h"
#include "api/routes.h"
#include "api/util.h"
#include "engine/auth.h"
#include "engine/events.h"
#include "engine/totp.h"
#include "engine/users.h"
#include "core/status.h"
#include "core/timeutil.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static void set_session_cookie(req *r, const char *token, int clear)
{
    app *a = req_app(r);
    const char *proto = req_header(r, "X-Forwarded-Proto");
    int secure = a->cfg.cookie_secure || (proto && strcmp(proto, "https") == 0);
    char *v = arena_printf(req_arena(r), "%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s", SESSION_COOKIE,
                           clear ? "" : token, clear ? "; Max-Age=0" : "", secure ? "; Secure" : "");
    if (v)
        req_add_header(r, "Set-Cookie", v);
}

static const char *user_agent(req *r)
{
    const char *ua = req_header(r, "User-Agent");
    if (!ua)
        return "";
    size_t n = strlen(ua);
    return n > 256 ? arena_strndup(req_arena(r), ua, 256) : ua;
}

/* "2026-11-29 09:30" in the server's local time (Asia/Shanghai in deployment). */
static void local_minutes(int64_t ms, char out[32])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%d %H:%M", &tm);
}

static int reply_locked(req *r, int64_t until)
{
    char when[32], iso[32], msg[160];
    local_minutes(until, when);
    time_format_rfc3339(until, iso);
    snprintf(msg, sizeof(msg), "登录失败次数过多，账户已锁定，请于 %s 后再试", when);
    json_t *e = json_pack("{s:s, s:s, s:s}", "code", "locked", "message", msg, "locked_until", iso);
    return req_reply_json(r, 423, json_pack("{s:o}", "error", e));
}

static int login_then(req *r, void *ctx, int rc)
{
    login_state *ls = ctx;
    if (rc != FZ_OK)
        return api_store_error(r);
    switch (ls->outcome) {
    case LOGIN_OK: {
        app *a = req_app(r);
        store_conn *c = api_reader(r);
        if (!c)
            return FZ_ERR;
        set_session_cookie(r, ls->token, 0);
        json_t *u = user_json(c, &a->keys, ls->user_id, 0, time_now_ms());
        return req_reply_json(r, 200, json_pack("{s:o, s:s}", "user", u ? u : json_object(), "csrf_token", ls->csrf));
    }
    case LOGIN_LOCKED:
        return reply_locked(r, ls->locked_until);
    case LOGIN_DISABLED:
        return req_reply_error(r, 403, "account_disabled", "账户已停用，请联系系统管理员", NULL);
    default:
        return req_reply_error(r, 401, "bad_credentials", "用户名或密码错误", NULL);
    }
}

int api_auth_login(req *r)
{
    static const char *const keys[] = {"username", "password", "totp", NULL};
    json_t *body = req_json_body(r);
    if (!body || api_only_keys(r, body, keys))
        return FZ_OK;
    const char *username, *password, *totp;
    if (api_text(r, body, "username", "用户名", 1, 64, &username) ||
        api_text(r, body, "password", "密码", 1, 128, &password) || api_text(r, body, "totp", "动态口令", 0, 32, &totp))
        return FZ_OK;
    app *a = req_app(r);
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    login_state *ls = arena_alloc(req_arena(r), sizeof(*ls));
    if (!ls)
        return api_store_error(r);
    ls->username = username;
    ls->password = password;
    ls->totp = totp;
    ls->ip = req_client_ip(r);
    ls->user_agent = user_agent(r);
    ls->ledger = a->cfg.region_code;
    ls->keys = &a->keys;
    ls->now_ms = time_now_ms();
    if (policy_load(c, &ls->policy) || login_check(c, ls))
        return api_store_error(r);
    if (ls->outcome == LOGIN_THROTTLED)
        return req_reply_error(r, 429, "too_many_requests", "登录尝试过于频繁，请一分钟后再试", NULL);
    if (ls->outcome == LOGIN_TOTP_REQUIRED)
        return req_reply_error(r, 401, "totp_required", "需要动态口令：请输入动态口令或恢复码", NULL);
    if (req_write(r, login_record, ls, login_then) != FZ_OK)
        return api_store_error(r);
    return FZ_OK;
}

static int totp_pending(store_conn *c, const principal *p)
{
    sec_policy pol;
    if (p->totp_enabled || policy_load(c, &pol))
        return 0;
    for (int i = 0; i < p->nroles; i++)
        if (policy_totp_required(&pol, p->roles[i].key))
            return 1;
    return 0;
}

int api_auth_me(req *r)
{
    app *a = req_app(r);
    const principal *p = api_who(r);
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    json_t *roles = json_array(), *perms = json_array();
    for (int i = 0; i < p->nroles; i++)
        json_array_append_new(roles, json_pack("{s:s, s:s}", "key", p->roles[i].key, "name", p->roles[i].name));
    for (int i = 0; i < p->nperms; i++)
        json_array_append_new(perms, json_string(p->perms[i]));
    json_t *u = p->user_id ? user_json(c, &a->keys, p->user_id, 0, time_now_ms())
                           : json_pack("{s:s, s:I}", "username", p->username, "unit_id", (json_int_t)p->unit_id);
    if (u)
        json_object_set_new(u, "must_change_password", json_boolean(p->must_change_pw));
    return req_reply_json(r, 200,
                          json_pack("{s:o, s:o, s:o, s:s, s:b, s:b}", "user", u ? u : json_object(), "roles", roles,
                                    "permissions", perms, "csrf_token", p->csrf, "must_change_password",
                                    p->must_change_pw, "totp_setup_required", totp_pending(c, p)));
}

/* ---- logout ---- */

typedef struct self_job {
    app *a;
    const principal *p;
    const char *action;
    char pw_hash[PASSWD_HASH_MAX];
    char secret_b32[64];
    int64_t totp_step;
    char codes[10][12];
} self_job;

static int self_event(store_conn *w, self_job *j, json_t *payload)
{
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", (long long)j->p->user_id);
    event e = {.ledger = j->a->cfg.region_code, .actor = j->p->username, .unit_id = j->p->unit_id,
               .subject_kind = "user", .subject_id = sid, .action = j->action};
    return event_append(w, &e, payload);
}

static int logout_write(store_conn *w, void *ctx)
{
    self_job *j = ctx;
    int rc = auth_session_delete(w, j->p->session_hash);
    return rc ? rc : self_event(w, j, NULL);
}

static int logout_then(req *r, void *ctx, int rc)
{
    if (rc != FZ_OK)
        return api_store_error(r);
    set_session_cookie(r, "", 1);
    return req_reply_json(r, 200, json_object());
}

static self_job *new_self_job(req *r, const char *action)
{
    self_job *j = arena_alloc(req_arena(r), sizeof(*j));
    if (j) {
        j->a = req_app(r);
        j->p = api_who(r);
        j->action = action;
    }
    return j;
}

int api_auth_logout(req *r)
{
    self_job *j = new_self_job(r, "auth.logout");
    if (!j || !j->p->user_id)
        return req_reply_error(r, 400, "validation_failed", "API 令牌无需退出登录", NULL);
    if (req_write(r, logout_write, j, logout_then) != FZ_OK)
        return api_store_error(r);
    return FZ_OK;
}

/* ---- password ---- */

static int password_write(store_conn *w, void *ctx)
{
    self_job *j = ctx;
    int rc = store_run(w, "UPDATE users SET pw_hash = ?, pw_changed_at = ?, must_change_pw = 0 WHERE id = ?", "sii",
                       j->pw_hash, time_now_ms(), j->p->user_id);
    if (rc || (rc = auth_sessions_end_user(w, j->p->user_id, j->p->session_hash)))
        return rc;
    return self_event(w, j, NULL);
}

static int ok_then(req *r, void *ctx, int rc)
{
    return rc == FZ_OK ? req_reply_json(r, 200, json_object()) : api_store_error(r);
}

static int current_hash(store_conn *c, int64_t user_id, char out[PASSWD_HASH_MAX])
{
    store_stmt *st;
    if (store_prepare(c, "SELECT pw_hash FROM users WHERE id = ?", &st))
        return FZ_ERR;
    store_bind_int(st, 1, user_id);
    int rc = store_step(st) == STORE_ROW ? FZ_OK : FZ_ERR;
    if (rc == FZ_OK)
        snprintf(out, PASSWD_HASH_MAX, "%s", store_col_text(st, 0));
    store_done(st);
    return rc;
}

int api_auth_password(req *r)
{
    static const char *const keys[] = {"old_password", "new_password", NULL};
    json_t *body = req_json_body(r);
    if (!body || api_only_keys(r, body, keys))
        return FZ_OK;
    const char *oldpw, *newpw;
    if (api_text(r, body, "old_password", "原密码", 1, 128, &oldpw) ||
        api_text(r, body, "new_password", "新密码", 1, 128, &newpw))
        return FZ_OK;
    self_job *j = new_self_job(r, "auth.password_changed");
    store_conn *c = api_reader(r);
    if (!j || !c)
        return FZ_OK;
    char stored[PASSWD_HASH_MAX];
    sec_policy pol;
    if (current_hash(c, j->p->user_id, stored) || policy_load(c, &pol))
        return api_store_error(r);
    if (passwd_verify(stored, oldpw) != FZ_OK)
        return api_invalid(r, "old_password", "原密码", "原密码不正确");
    pw_policy pp = {pol.password_min_length, pol.password_classes};
    const char *reason = NULL;
    if (passwd_check_policy(&pp, j->p->username, newpw, &reason) != FZ_OK)
        return api_invalid(r, "new_password", "新密码", reason ? reason : "不符合口令策略");
    if (strcmp(oldpw, newpw) == 0)
        return api_invalid(r, "new_password", "新密码", "不能与原密码相同");
    if (passwd_hash(pol.password_hash, newpw, j->pw_hash))
        return api_store_error(r);
    if (req_write(r, password_write, j, ok_then) != FZ_OK)
        return api_store_error(r);
    return FZ_OK;
}

/* ---- TOTP ---- */

static int totp_setup_write(store_conn *w, void *ctx)
{
    self_job *j = ctx;
    unsigned char *blob = NULL;
    size_t len = 0;
    if (fieldcrypt_seal(&j->a->keys, j->secret_b32, strlen(j->secret_b32), &blob, &len))
        return FZ_ERR;
    int rc = store_run(w, "UPDATE users SET totp_secret_enc = ?, totp_enabled = 0, totp_last_step = 0 WHERE id = ?",
                       "bi", (const void *)blob, len, j->p->user_id);
    free(blob);
    return rc ? rc : self_event(w, j, NULL);
}

static int totp_setup_then(req *r, void *ctx, int rc)
{
    self_job *j = ctx;
    if (rc != FZ_OK)
        return api_store_error(r);
    unsigned char secret[TOTP_SECRET_LEN];
    base32_decode(j->secret_b32, secret, sizeof(secret));
    char uri[512];
    totp_uri("fazhi", j->p->username, secret, sizeof(secret), uri, sizeof(uri));
    return req_reply_json(r, 200, json_pack("{s:s, s:s}", "secret", j->secret_b32, "otpauth_uri", uri));
}

int api_auth_totp_setup(req *r)
{
    self_job *j = new_self_job(r, "auth.totp_setup");
    if (!j)
        return api_store_error(r);
    if (j->p->totp_enabled)
        return req_reply_error(r, 409, "conflict", "动态口令已启用；如需更换，请先停用", NULL);
    unsigned char secret[TOTP_SECRET_LEN];
    if (sm_random(secret, sizeof(secret)))
        return api_store_error(r);
    base32_encode(secret, sizeof(secret), j->secret_b32);
    if (req_write(r, totp_setup_write, j, totp_setup_then) != FZ_OK)
        return api_store_error(r);
    return FZ_OK;
}

static int totp_enable_write(store_conn *w, void *ctx)
{
    self_job *j = ctx;
    int64_t uid = j->p->user_id;
    int rc = store_run(w, "UPDATE users SET totp_enabled = 1, totp_last_step = ? WHERE id = ?", "ii", j->totp_step, uid);
    if (rc || (rc = store_run(w, "DELETE FROM recovery_codes WHERE user_id = ?", "i", uid)))
        return rc;
    for (int i = 0; i < 10; i++) {
        char norm[16], hash[SM3_HEX_LEN + 1];
        recovery_code_normalize(j->codes[i], norm);
        auth_hash_hex(norm, hash);
        if ((rc = store_run(w, "INSERT INTO recovery_codes (user_id, code_hash, used_at) VALUES (?, ?, 0)", "is", uid,
                            hash)))
            return rc;
    }
    return self_event(w, j, NULL);
}

static int totp_enable_then(req *r, void *ctx, int rc)
{
    self_job *j = ctx;
    if (rc != FZ_OK)
        return api_store_error(r);
    json_t *codes = json_array();
    for (int i = 0; i < 10; i++)
        json_array_append_new(codes, json_string(j->codes[i]));
    return req_reply_json(r, 200, json_pack("{s:o}", "recovery_codes", codes));
}

/* The pending secret saved by setup, as base32 (into out). */
static int pending_secret(store_conn *c, app *a, int64_t uid, char out[64])
{
    store_stmt *st;
    if (store_prepare(c, "SELECT totp_secret_enc FROM users WHERE id = ?", &st))
        return FZ_ERR;
    store_bind_int(st, 1, uid);
    int rc = FZ_NOTFOUND;
    if (store_step(st) == STORE_ROW) {
        size_t len;
        const void *b = store_col_blob(st, 0, &len);
        char *text = NULL;
        if (b && len && fieldcrypt_open(&a->keys, b, len, &text) == FZ_OK) {
            snprintf(out, 64, "%s", text);
            rc = FZ_OK;
        }
        free(text);
    }
    store_done(st);
    return rc;
}

int api_auth_totp_enable(req *r)
{
    static const char *const keys[] = {"code", NULL};
    json_t *body = req_json_body(r);
    const char *code;
    if (!body || api_only_keys(r, body, keys) || api_text(r, body, "code", "动态口令", 1, 16, &code))
        return FZ_OK;
    self_job *j = new_self_job(r, "auth.totp_enabled");
    store_conn *c = api_reader(r);
    if (!j || !c)
        return FZ_OK;
    if (j->p->totp_enabled)
        return req_reply_error(r, 409, "conflict", "动态口令已启用", NULL);
    int rc = pending_secret(c, j->a, j->p->user_id, j->secret_b32);
    if (rc == FZ_NOTFOUND)
        return req_reply_error(r, 409, "conflict", "请先获取动态口令密钥（设置第一步）", NULL);
    if (rc)
        return api_store_error(r);
    unsigned char secret[64];
    int n = base32_decode(j->secret_b32, secret, sizeof(secret));
    if (n <= 0 || totp_verify(secret, (size_t)n, code, time_now_ms() / 1000, 0, &j->totp_step) != FZ_OK)
        return api_invalid(r, "code", "动态口令", "动态口令不正确，请核对手机时间后重试");
    for (int i = 0; i < 10; i++)
        if (recovery_code_generate(j->codes[i]))
            return api_store_error(r);
    if (req_write(r, totp_enable_write, j, totp_enable_then) != FZ_OK)
        return api_store_error(r);
    return FZ_OK;
}

static int totp_disable_write(store_conn *w, void *ctx)
{
    self_job *j = ctx;
    int rc = store_run(w, "UPDATE users SET totp_enabled = 0, totp_secret_enc = NULL WHERE id = ?", "i",
                       j->p->user_id);
    if (rc || (rc = store_run(w, "DELETE FROM recovery_codes WHERE user_id = ?", "i", j->p->user_id)))
        return rc;
    return self_event(w, j, NULL);
}

int api_auth_totp_disable(req *r)
{
    static const char *const keys[] = {"password", NULL};
    json_t *body = req_json_body(r);
    const char *pw;
    if (!body || api_only_keys(r, body, keys) || api_text(r, body, "password", "密码", 1, 128, &pw))
        return FZ_OK;
    self_job *j = new_self_job(r, "auth.totp_disabled");
    store_conn *c = api_reader(r);
    if (!j || !c)
        return FZ_OK;
    char stored[PASSWD_HASH_MAX];
    sec_policy pol;
    if (current_hash(c, j->p->user_id, stored) || policy_load(c, &pol))
        return api_store_error(r);
    if (passwd_verify(stored, pw) != FZ_OK)
        return api_invalid(r, "password", "密码", "密码不正确");
    for (int i = 0; i < j->p->nroles; i++)
        if (policy_totp_required(&pol, j->p->roles[i].key))
            return req_reply_error(r, 409, "conflict", "您的角色要求必须启用动态口令，不能停用", NULL);
    if (req_write(r, totp_disable_write, j, ok_then) != FZ_OK)
        return api_store_error(r);
    return FZ_OK;
}
