/* guard.c: who is calling, and may they call this route (see guard.h).
 * Sessions come from the fz_session cookie and need X-CSRF-Token on every
 * state-changing request; machine clients send "Authorization: Bearer". */
#include "api/guard.h"
#include "api/app.h"
#include "engine/auth.h"
#include "engine/authcache.h"
#include "core/status.h"
#include "core/timeutil.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct touch_job {
    char hash[SM3_HEX_LEN + 1];
    int64_t token_id;
    int64_t now_ms;
    int remove; /* delete an expired session instead */
} touch_job;

static int touch_write(store_conn *w, void *ctx)
{
    touch_job *t = ctx;
    if (t->token_id)
        return auth_token_touch(w, t->token_id, t->now_ms);
    return t->remove ? auth_session_delete(w, t->hash) : auth_session_touch(w, t->hash, t->now_ms);
}

static void touch_done(void *arg, int rc)
{
    free(arg);
}

/* Bookkeeping writes nobody waits for (last_seen, last_used_at, expiry). */
static void touch_async(app *a, const char *hash, int64_t token_id, int64_t now_ms, int remove)
{
    touch_job *t = calloc(1, sizeof(*t));
    if (!t)
        return;
    if (hash)
        memcpy(t->hash, hash, sizeof(t->hash) - 1);
    t->token_id = token_id;
    t->now_ms = now_ms;
    t->remove = remove;
    if (store_write_async(a->st, touch_write, t, touch_done, t) != FZ_OK)
        free(t);
}

static int is_safe_method(const char *m)
{
    return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0 || strcmp(m, "OPTIONS") == 0;
}

static int deny(req *r, int status, const char *code, const char *msg)
{
    req_reply_error(r, status, code, msg, NULL);
    return FZ_ERR;
}

static int totp_setup_pending(const sec_policy *pol, const principal *p)
{
    if (p->totp_enabled)
        return 0;
    for (int i = 0; i < p->nroles; i++)
        if (policy_totp_required(pol, p->roles[i].key))
            return 1;
    return 0;
}

static int bearer(req *r, app *a, store_conn *c, const char *auth, int64_t now, principal *p)
{
    const char *tok = auth + 7;
    while (*tok == ' ')
        tok++;
    int touch = 0;
    int rc = auth_token_lookup(c, req_arena(r), tok, now, p, &touch);
    if (rc == FZ_CONFLICT)
        return deny(r, 401, "token_revoked", "API 令牌已吊销或已过期");
    if (rc == FZ_NOTFOUND)
        return deny(r, 401, "unauthenticated", "API 令牌无效");
    if (rc)
        return deny(r, 503, "store_unavailable", "数据库暂时不可用");
    if (touch)
        touch_async(a, NULL, p->token_id, now, 0);
    return FZ_OK;
}

static int session(req *r, app *a, store_conn *c, const api_route *route, int64_t now, principal *p)
{
    const char *cookie = req_cookie(r, SESSION_COOKIE);
    if (!cookie || !*cookie)
        return deny(r, 401, "unauthenticated", "请先登录");
    sec_policy pol;
    if (authcache_policy(&pol, now) != FZ_OK) {
        uint64_t epoch = authcache_epoch();
        if (policy_load(c, &pol))
            return deny(r, 503, "store_unavailable", "数据库暂时不可用");
        authcache_put_policy(epoch, &pol, now);
    }
    int touch = 0;
    int rc = auth_session_lookup(c, req_arena(r), cookie, &pol, now, p, &touch);
    if (rc == FZ_CONFLICT) {
        char hash[SM3_HEX_LEN + 1];
        auth_hash_hex(cookie, hash);
        touch_async(a, hash, 0, now, 1);
        return deny(r, 401, "session_expired", "会话已超时，请重新登录");
    }
    if (rc == FZ_NOTFOUND)
        return deny(r, 401, "unauthenticated", "请先登录");
    if (rc)
        return deny(r, 503, "store_unavailable", "数据库暂时不可用");
    if (!is_safe_method(req_method(r))) {
        const char *h = req_header(r, "X-CSRF-Token");
        size_t n = strlen(p->csrf);
        if (!h || strlen(h) != n || n == 0 || CRYPTO_memcmp(h, p->csrf, n) != 0)
            return deny(r, 403, "csrf_failed", "缺少或错误的 CSRF 令牌（请求头 X-CSRF-Token），请刷新页面后重试");
    }
    if (touch)
        touch_async(a, p->session_hash, 0, now, 0);
    int self_route = strcmp(route->perm, ROUTE_SELF) == 0;
    int enrol_route = strcmp(route->perm, ROUTE_ENROL) == 0;
    int expired = pol.password_max_age_days > 0 &&
                  now - p->pw_changed_at > (int64_t)pol.password_max_age_days * 86400000;
    if (expired)
        p->must_change_pw = 1;
    if (p->must_change_pw && !self_route)
        return deny(r, 403, "password_change_required", "请先修改密码（首次登录、密码被重置或已过期）");
    if (totp_setup_pending(&pol, p) && !self_route && !enrol_route)
        return deny(r, 403, "totp_setup_required", "您的角色要求启用动态口令，请先完成动态口令设置");
    return FZ_OK;
}

int api_guard(req *r, const api_route *route)
{
    if (!route->perm)
        return FZ_OK;
    app *a = req_app(r);
    store_conn *c = store_reader(a->st);
    if (!c)
        return deny(r, 503, "store_unavailable", "数据库暂时不可用");
    principal *p = arena_alloc(req_arena(r), sizeof(*p));
    if (!p)
        return deny(r, 503, "internal", "服务器内存不足");
    int64_t now = time_now_ms();
    const char *auth = req_header(r, "Authorization");
    int rc;
    if (auth && strncmp(auth, "Bearer ", 7) == 0) {
        rc = bearer(r, a, c, auth, now, p);
        /* Account operations belong to people; a token may only ask who it is. */
        int account = strcmp(route->perm, ROUTE_SELF) == 0 || strcmp(route->perm, ROUTE_ENROL) == 0 ||
                      strncmp(route->pattern, "/api/auth/", 10) == 0;
        if (rc == FZ_OK && account && strcmp(route->name, "auth_me") != 0)
            return deny(r, 403, "forbidden", "API 令牌不能用于个人账户操作");
    } else {
        rc = session(r, a, c, route, now, p);
    }
    if (rc != FZ_OK)
        return rc;
    req_set_principal(r, p);
    if (route->perm[0] == '@' || authz_has(p, route->perm))
        return FZ_OK;
    const char *label = route->perm;
    for (int i = 0; i < authz_nperms; i++)
        if (strcmp(authz_perms[i].perm, route->perm) == 0)
            label = authz_perms[i].label;
    char msg[200];
    snprintf(msg, sizeof(msg), "没有权限：%s（%s）", label, route->perm);
    return deny(r, 403, "forbidden", msg);
}
