/* policy.h: the security policy set by 安全管理员 (stored in the settings
 * table; every change is an event written by the caller's job). */
#ifndef FZ_POLICY_H
#define FZ_POLICY_H

#include <jansson.h>

typedef struct store_conn store_conn;

typedef struct sec_policy {
    int password_min_length;   /* 8..64 */
    int password_classes;      /* 1..4 */
    int password_max_age_days; /* 0 = never expires, else 1..3650 */
    int lockout_threshold;     /* failures before lock, 3..20 */
    int lockout_window_min;    /* window counting failures, 1..1440 */
    int lockout_minutes;       /* lock duration, 1..1440 */
    int ip_throttle_per_min;   /* login attempts per IP per minute, 5..1000 */
    int session_idle_min;      /* 1..1440 */
    int session_absolute_min;  /* 5..10080 */
    int password_hash;         /* pw_algo */
    char totp_required_roles[512]; /* comma-separated role keys */
} sec_policy;

void policy_defaults(sec_policy *p);
/* Reads the stored policy over the defaults. */
int policy_load(store_conn *c, sec_policy *p);
json_t *policy_to_json(const sec_policy *p);
/* Applies the keys present in j to p. On a bad value returns FZ_INVALID with
 * *fields (new object: field -> Chinese reason) and a message in msg. */
int policy_apply_json(sec_policy *p, const json_t *j, json_t **fields, char *msg, size_t msglen);
/* Writes every key of p into settings and appends the "policy.updated"
 * event (its payload the whole policy) to ledger, by actor of unit_id:
 * inside a write job, so the change and its record commit together. */
int policy_save(store_conn *w, const sec_policy *p, const char *ledger, const char *actor, int64_t unit_id);
/* Is TOTP required for a user holding role key? */
int policy_totp_required(const sec_policy *p, const char *role_key);

#endif
