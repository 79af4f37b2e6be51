/* auth.c: login, sessions and API tokens (see auth.h). */
#include "engine/auth.h"
#include "engine/authcache.h"
#include "engine/events.h"
#include "engine/totp.h"
#include "store/store.h"
#include "core/status.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOUCH_AFTER_MS 30000 /* refresh last_seen at most twice a minute */

int auth_random_hex(char *out, size_t nbytes)
{
    unsigned char buf[64];
    if (nbytes > sizeof(buf) || sm_random(buf, nbytes))
        return FZ_ERR;
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < nbytes; i++) {
        out[2 * i] = digits[buf[i] >> 4];
        out[2 * i + 1] = digits[buf[i] & 15];
    }
    out[2 * nbytes] = '\0';
    return FZ_OK;
}

void auth_hash_hex(const char *s, char out[SM3_HEX_LEN + 1])
{
    unsigned char d[SM3_LEN];
    sm3(s, strlen(s), d);
    sm3_hex(d, out);
}

/* ---- login ---- */

/* Verifying against a real hash for unknown users keeps both answers equally
 * slow, so timing does not reveal which user names exist. */
static char g_dummy_hash[2][PASSWD_HASH_MAX]; /* per pw_algo */
static pthread_once_t g_dummy_once = PTHREAD_ONCE_INIT;
static void make_dummy(void)
{
    char pw[24];
    auth_random_hex(pw, 8);
    passwd_hash(PW_ARGON2ID, pw, g_dummy_hash[PW_ARGON2ID]);
    passwd_hash(PW_PBKDF2_SM3, pw, g_dummy_hash[PW_PBKDF2_SM3]);
}

/* TOTP code or a one-time recovery code. */
static int check_second_factor(store_conn *c, login_state *ls, const unsigned char *sealed, size_t sealed_len,
                               int64_t last_step)
{
    char *b32 = NULL;
    if (fieldcrypt_open(ls->keys, sealed, sealed_len, &b32) != FZ_OK)
        return FZ_ERR;
    unsigned char secret[64];
    int n = base32_decode(b32, secret, sizeof(secret));
    free(b32);
    if (n > 0 && totp_verify(secret, (size_t)n, ls->totp, ls->now_ms / 1000, last_step, &ls->totp_step) == FZ_OK)
        return FZ_OK;
    char norm[16];
    recovery_code_normalize(ls->totp, norm);
    auth_hash_hex(norm, ls->recovery_hash);
    int64_t found;
    if (store_query_int(c, &found, 0,
                        "SELECT count(*) FROM recovery_codes WHERE user_id = ? AND code_hash = ? AND used_at = 0",
                        "is", ls->user_id, ls->recovery_hash))
        return FZ_ERR;
    if (found != 1)
        return FZ_INVALID;
    ls->used_recovery = 1;
    ls->totp_step = 0;
    return FZ_OK;
}

int login_check(store_conn *c, login_state *ls)
{
    pthread_once(&g_dummy_once, make_dummy);
    ls->rehash[0] = '\0';
    ls->user_id = 0;
    int64_t n;
    if (store_query_int(c, &n, 0, "SELECT count(*) FROM login_log WHERE ip = ? AND at > ? AND ok = 0", "si", ls->ip,
                        ls->now_ms - 60000))
        return FZ_ERR;
    if (n >= ls->policy.ip_throttle_per_min) {
        ls->outcome = LOGIN_THROTTLED;
        return FZ_OK;
    }
    if (store_query_int(c, &n, 0, "SELECT locked_until FROM login_locks WHERE username = ? AND locked_until > ?",
                        "si", ls->username, ls->now_ms))
        return FZ_ERR;
    if (n > 0) {
        ls->outcome = LOGIN_LOCKED;
        ls->locked_until = n;
        ls->reason = "账户已锁定";
        return FZ_OK;
    }
    store_stmt *st;
    if (store_prepare(c, "SELECT id, pw_hash, disabled, totp_enabled, totp_secret_enc, totp_last_step"
                         " FROM users WHERE username = ?", &st))
        return FZ_ERR;
    store_bind_text(st, 1, ls->username);
    char hash[PASSWD_HASH_MAX] = "";
    int disabled = 0, totp_enabled = 0;
    int64_t last_step = 0;
    unsigned char sealed[256];
    size_t sealed_len = 0;
    if (store_step(st) == STORE_ROW) {
        ls->user_id = store_col_int(st, 0);
        snprintf(hash, sizeof(hash), "%s", store_col_text(st, 1));
        disabled = (int)store_col_int(st, 2);
        totp_enabled = (int)store_col_int(st, 3);
        size_t len;
        const void *p = store_col_blob(st, 4, &len);
        if (p && len <= sizeof(sealed)) {
            memcpy(sealed, p, len);
            sealed_len = len;
        }
        last_step = store_col_int(st, 5);
    }
    store_done(st);
    const char *dummy = g_dummy_hash[ls->policy.password_hash == PW_PBKDF2_SM3 ? PW_PBKDF2_SM3 : PW_ARGON2ID];
    int pw_ok = passwd_verify(ls->user_id ? hash : dummy, ls->password) == FZ_OK;
    if (!ls->user_id || !pw_ok) {
        ls->outcome = LOGIN_BAD;
        ls->reason = ls->user_id ? "密码错误" : "用户不存在";
        return FZ_OK;
    }
    if (disabled) {
        ls->outcome = LOGIN_DISABLED;
        ls->reason = "账户已停用";
        return FZ_OK;
    }
    if (totp_enabled) {
        if (!ls->totp || !*ls->totp) {
            ls->outcome = LOGIN_TOTP_REQUIRED;
            return FZ_OK;
        }
        int rc = check_second_factor(c, ls, sealed, sealed_len, last_step);
        if (rc == FZ_ERR)
            return FZ_ERR;
        if (rc != FZ_OK) {
            ls->outcome = LOGIN_BAD;
            ls->reason = "动态口令错误";
            return FZ_OK;
        }
    }
    if (passwd_needs_rehash(ls->policy.password_hash, hash) &&
        passwd_hash(ls->policy.password_hash, ls->password, ls->rehash) != FZ_OK)
        ls->rehash[0] = '\0';
    ls->outcome = LOGIN_OK;
    ls->reason = "";
    return FZ_OK;
}

static int login_event(store_conn *w, login_state *ls, const char *action, json_t *extra)
{
    json_t *p = json_pack("{s:s, s:s, s:s}", "ip", ls->ip, "user_agent", ls->user_agent, "reason",
                          ls->reason ? ls->reason : "");
    if (extra)
        json_object_update(p, extra);
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", (long long)ls->user_id);
    event e = {.ledger = ls->ledger, .actor = ls->username, .subject_kind = "user",
               .subject_id = ls->user_id ? sid : "", .action = action};
    int rc = event_append(w, &e, p);
    json_decref(p);
    return rc;
}

static int record_failure(store_conn *w, login_state *ls)
{
    /* Failures since the later of the window start and the last success. */
    int64_t since = ls->now_ms - (int64_t)ls->policy.lockout_window_min * 60000;
    int64_t fails;
    if (store_query_int(w, &fails, 0,
                        "SELECT count(*) FROM login_log WHERE username = ?1 AND ok = 0 AND at > ?2"
                        " AND at > coalesce((SELECT max(at) FROM login_log WHERE username = ?1 AND ok = 1), 0)"
                        " AND at > coalesce((SELECT reset_at FROM login_locks WHERE username = ?1), 0)",
                        "si", ls->username, since))
        return FZ_ERR;
    if (fails < ls->policy.lockout_threshold)
        return FZ_OK;
    ls->locked_until = ls->now_ms + (int64_t)ls->policy.lockout_minutes * 60000;
    if (store_run(w, "INSERT INTO login_locks (username, locked_until, reset_at) VALUES (?, ?, ?)"
                     " ON CONFLICT (username) DO UPDATE SET locked_until = excluded.locked_until,"
                     " reset_at = excluded.reset_at",
                  "sii", ls->username, ls->locked_until, ls->now_ms))
        return FZ_ERR;
    ls->outcome = LOGIN_LOCKED;
    json_t *x = json_pack("{s:I, s:I}", "failures", (json_int_t)fails, "locked_until", (json_int_t)ls->locked_until);
    int rc = login_event(w, ls, "auth.locked", x);
    json_decref(x);
    return rc;
}

static int create_session(store_conn *w, login_state *ls)
{
    char hash[SM3_HEX_LEN + 1];
    if (auth_random_hex(ls->token, 32) || auth_random_hex(ls->csrf, 16))
        return FZ_ERR;
    auth_hash_hex(ls->token, hash);
    return store_run(w, "INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen, ip, user_agent)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?)",
                     "sisiiss", hash, ls->user_id, ls->csrf, ls->now_ms, ls->now_ms, ls->ip, ls->user_agent);
}

/* Claims the TOTP step or recovery code in the writer, where logins are
 * serialised: of two logins racing with the same code only the first wins
 * (login_check ran on worker threads and could not know). FZ_CONFLICT when
 * it was already used. */
static int claim_second_factor(store_conn *w, login_state *ls)
{
    int rc = FZ_OK;
    if (ls->totp_step)
        rc = store_run(w, "UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?", "iii",
                       ls->totp_step, ls->user_id, ls->totp_step);
    else if (ls->used_recovery)
        rc = store_run(w, "UPDATE recovery_codes SET used_at = ? WHERE code_hash = ? AND user_id = ? AND used_at = 0",
                       "isi", ls->now_ms, ls->recovery_hash, ls->user_id);
    else
        return FZ_OK;
    if (rc)
        return rc;
    return store_changes(w) == 1 ? FZ_OK : FZ_CONFLICT;
}

static int record_success(store_conn *w, login_state *ls)
{
    if (store_run(w, "DELETE FROM login_locks WHERE username = ?", "s", ls->username) || create_session(w, ls))
        return FZ_ERR;
    if (ls->rehash[0] && store_run(w, "UPDATE users SET pw_hash = ? WHERE id = ?", "si", ls->rehash, ls->user_id))
        return FZ_ERR;
    json_t *x = json_pack("{s:b, s:b}", "rehashed", ls->rehash[0] != '\0', "recovery_code", ls->used_recovery);
    int rc = login_event(w, ls, "auth.login", x);
    json_decref(x);
    return rc;
}

int login_record(store_conn *w, void *ctx)
{
    login_state *ls = ctx;
    if (ls->outcome == LOGIN_OK) {
        int claim = claim_second_factor(w, ls);
        if (claim == FZ_CONFLICT) {
            ls->outcome = LOGIN_BAD;
            ls->reason = "动态口令已被使用";
        } else if (claim) {
            return claim;
        }
    }
    int rc = store_run(w, "INSERT INTO login_log (at, username, user_id, ip, user_agent, ok, reason)"
                          " VALUES (?, ?, ?, ?, ?, ?, ?)",
                       "isissis", ls->now_ms, ls->username, ls->user_id, ls->ip, ls->user_agent,
                       (int64_t)(ls->outcome == LOGIN_OK), ls->reason ? ls->reason : "");
    if (rc)
        return rc;
    if (ls->outcome == LOGIN_OK)
        return record_success(w, ls);
    if ((rc = login_event(w, ls, "auth.login_failed", NULL)))
        return rc;
    return ls->outcome == LOGIN_BAD ? record_failure(w, ls) : FZ_OK;
}

/* ---- sessions and tokens ---- */

static int session_live(const sec_policy *pol, int64_t now_ms, int64_t created, int64_t seen)
{
    return now_ms - seen <= (int64_t)pol->session_idle_min * 60000 &&
           now_ms - created <= (int64_t)pol->session_absolute_min * 60000;
}

int auth_session_lookup(store_conn *c, arena *a, const char *token, const sec_policy *pol,
                        int64_t now_ms, principal *p, int *touch)
{
    char hash[SM3_HEX_LEN + 1];
    auth_hash_hex(token, hash);
    int64_t created, seen;
    uint64_t epoch = authcache_epoch();
    if (authcache_get(hash, a, now_ms, p, &created, &seen) == FZ_OK) {
        if (!session_live(pol, now_ms, created, seen))
            return FZ_CONFLICT;
        *touch = now_ms - seen > TOUCH_AFTER_MS;
        if (*touch)
            authcache_seen(hash, now_ms);
        return FZ_OK;
    }
    store_stmt *st;
    if (store_prepare(c, "SELECT s.user_id, s.csrf, s.created_at, s.last_seen, u.disabled FROM sessions s"
                         " JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?", &st))
        return FZ_ERR;
    store_bind_text(st, 1, hash);
    int rc = store_step(st);
    if (rc != STORE_ROW) {
        store_done(st);
        return rc == STORE_DONE ? FZ_NOTFOUND : FZ_ERR;
    }
    int64_t user_id = store_col_int(st, 0);
    created = store_col_int(st, 2);
    seen = store_col_int(st, 3);
    char *csrf = arena_strdup(a, store_col_text(st, 1));
    int disabled = (int)store_col_int(st, 4);
    store_done(st);
    if (disabled)
        return FZ_NOTFOUND;
    if (!session_live(pol, now_ms, created, seen))
        return FZ_CONFLICT;
    if ((rc = authz_load_user(c, a, user_id, p)))
        return rc;
    p->csrf = csrf;
    p->session_hash = arena_strdup(a, hash);
    *touch = now_ms - seen > TOUCH_AFTER_MS;
    authcache_put(hash, epoch, p, created, *touch ? now_ms : seen, now_ms);
    return FZ_OK;
}

int auth_token_lookup(store_conn *c, arena *a, const char *token, int64_t now_ms, principal *p, int *touch)
{
    char hash[SM3_HEX_LEN + 1];
    auth_hash_hex(token, hash);
    /* Cached as (expires_at, last_used_at) in the (created, seen) pair. */
    int64_t exp, cached_used;
    uint64_t epoch = authcache_epoch();
    if (authcache_get(hash, a, now_ms, p, &exp, &cached_used) == FZ_OK) {
        if (exp && exp < now_ms)
            return FZ_CONFLICT;
        *touch = now_ms - cached_used > TOUCH_AFTER_MS;
        if (*touch)
            authcache_seen(hash, now_ms);
        return FZ_OK;
    }
    store_stmt *st;
    if (store_prepare(c, "SELECT id, name, unit_id, perms, expires_at, revoked_at, last_used_at FROM api_tokens"
                         " WHERE token_hash = ?", &st))
        return FZ_ERR;
    store_bind_text(st, 1, hash);
    int rc = store_step(st);
    if (rc != STORE_ROW) {
        store_done(st);
        return rc == STORE_DONE ? FZ_NOTFOUND : FZ_ERR;
    }
    int64_t id = store_col_int(st, 0), unit = store_col_int(st, 2), expires = store_col_int(st, 4),
            revoked = store_col_int(st, 5), used = store_col_int(st, 6);
    char *name = arena_strdup(a, store_col_text(st, 1));
    char *perms = arena_strdup(a, store_col_text(st, 3));
    store_done(st);
    if (revoked || (expires && expires < now_ms))
        return FZ_CONFLICT;
    if (!name || !perms)
        return FZ_NOMEM;
    *touch = now_ms - used > TOUCH_AFTER_MS;
    int rc2 = authz_load_token(c, a, id, name, unit, perms, p);
    if (rc2 == FZ_OK)
        authcache_put(hash, epoch, p, expires, *touch ? now_ms : used, now_ms);
    return rc2;
}

int auth_session_delete(store_conn *w, const char *token_hash)
{
    return store_run(w, "DELETE FROM sessions WHERE token_hash = ?", "s", token_hash);
}

int auth_session_touch(store_conn *w, const char *token_hash, int64_t now_ms)
{
    return store_run(w, "UPDATE sessions SET last_seen = ? WHERE token_hash = ?", "is", now_ms, token_hash);
}

int auth_token_touch(store_conn *w, int64_t token_id, int64_t now_ms)
{
    return store_run(w, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", "ii", now_ms, token_id);
}

int auth_sessions_end_user(store_conn *w, int64_t user_id, const char *except_hash)
{
    return store_run(w, "DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?", "is", user_id,
                     except_hash ? except_hash : "");
}
