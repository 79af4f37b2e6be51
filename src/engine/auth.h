/* auth.h: authentication: password login with lockout and per-IP throttling,
 * TOTP, browser sessions (256-bit tokens stored only as their SM3) and
 * Bearer API tokens. Authorisation is authz.h.
 *
 * A login runs in three steps so that the slow hash never holds the writer:
 *   login_check()   on a worker thread: reads, password and TOTP verification;
 *   login_record()  a store write job: login log, lock, session, events;
 *   the caller then answers from login_state. */
#ifndef FZ_AUTH_H
#define FZ_AUTH_H

#include <stdint.h>

#include "core/arena.h"
#include "core/sm.h"
#include "engine/authz.h"
#include "engine/fieldcrypt.h"
#include "engine/passwd.h"
#include "engine/policy.h"

typedef struct store_conn store_conn;

#define SESSION_COOKIE "fz_session"
#define TOKEN_PREFIX "fzt_"

typedef enum {
    LOGIN_OK = 0,
    LOGIN_BAD,            /* unknown user or wrong password or wrong TOTP: 401 */
    LOGIN_TOTP_REQUIRED,  /* password right, TOTP missing: 401, nothing recorded */
    LOGIN_LOCKED,         /* 423 */
    LOGIN_DISABLED,       /* password right, account disabled: 403 */
    LOGIN_THROTTLED       /* too many attempts from this IP: 429, nothing recorded */
} login_outcome;

typedef struct login_state {
    /* in */
    const char *username, *password, *totp, *ip, *user_agent, *ledger;
    sec_policy policy;
    const field_keys *keys;
    int64_t now_ms;
    /* out of login_check */
    login_outcome outcome;
    int64_t user_id;
    int64_t locked_until;   /* ms; for LOGIN_LOCKED */
    int64_t totp_step;      /* matched step, to refuse replay */
    int used_recovery;      /* a recovery code was used */
    char recovery_hash[SM3_HEX_LEN + 1];
    char rehash[PASSWD_HASH_MAX]; /* new hash when parameters changed, else "" */
    const char *reason;     /* for the login log */
    /* out of login_record */
    char token[65];         /* session token (hex), only on success */
    char csrf[33];
} login_state;

int login_check(store_conn *c, login_state *ls);
/* store_write_fn; ctx is a login_state. */
int login_record(store_conn *w, void *ctx);

/* Looks up the session for a raw cookie token. FZ_OK fills p (with csrf and
 * session_hash) and sets *touch when last_seen should be refreshed;
 * FZ_NOTFOUND: no such session; FZ_CONFLICT: expired (idle or absolute). */
int auth_session_lookup(store_conn *c, arena *a, const char *token, const sec_policy *pol,
                        int64_t now_ms, principal *p, int *touch);
/* The same for "Authorization: Bearer fzt_...". FZ_CONFLICT: revoked/expired. */
int auth_token_lookup(store_conn *c, arena *a, const char *token, int64_t now_ms, principal *p,
                      int *touch);

/* Write-job helpers. */
int auth_session_delete(store_conn *w, const char *token_hash);
int auth_session_touch(store_conn *w, const char *token_hash, int64_t now_ms);
int auth_token_touch(store_conn *w, int64_t token_id, int64_t now_ms);
/* Ends every session of a user (password change, disable). */
int auth_sessions_end_user(store_conn *w, int64_t user_id, const char *except_hash);

/* Random hex string of n bytes (2n digits + NUL). */
int auth_random_hex(char *out, size_t nbytes);
/* SM3 hex of a string. */
void auth_hash_hex(const char *s, char out[SM3_HEX_LEN + 1]);

#endif
