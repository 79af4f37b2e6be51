/* policy.c: security policy fields, bounds, storage (see policy.h). One table
 * of fields drives defaults, JSON in and out, validation and storage. */
#include "engine/policy.h"
#include "engine/events.h"
#include "engine/passwd.h"
#include "store/store.h"
#include "core/parse.h"
#include "core/status.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

typedef struct pfield {
    const char *name, *label;
    size_t off;
    int min, max, def;
} pfield;

#define F(n, l, lo, hi, d) {#n, l, offsetof(sec_policy, n), lo, hi, d}
static const pfield FIELDS[] = {
    F(password_min_length, "口令最小长度", 8, 64, 10),
    F(password_classes, "口令字符类别数", 1, 4, 3),
    F(password_max_age_days, "口令有效期（天，0 为不限）", 0, 3650, 90),
    F(lockout_threshold, "锁定前允许的失败次数", 3, 20, 5),
    F(lockout_window_min, "失败计数时间窗（分钟）", 1, 1440, 15),
    F(lockout_minutes, "锁定时长（分钟）", 1, 1440, 30),
    F(ip_throttle_per_min, "每个 IP 每分钟失败登录上限", 5, 1000, 30),
    F(session_idle_min, "会话空闲超时（分钟）", 1, 1440, 30),
    F(session_absolute_min, "会话绝对超时（分钟）", 5, 10080, 720),
};
#define NF (int)(sizeof(FIELDS) / sizeof(FIELDS[0]))

static int *field_ptr(sec_policy *p, const pfield *f)
{
    return (int *)((char *)p + f->off);
}

void policy_defaults(sec_policy *p)
{
    memset(p, 0, sizeof(*p));
    for (int i = 0; i < NF; i++)
        *field_ptr(p, &FIELDS[i]) = FIELDS[i].def;
    p->password_hash = PW_ARGON2ID;
    snprintf(p->totp_required_roles, sizeof(p->totp_required_roles), "%s", "");
}

int policy_load(store_conn *c, sec_policy *p)
{
    policy_defaults(p);
    store_stmt *st;
    if (store_prepare(c, "SELECT key, value FROM settings WHERE key LIKE 'policy.%'", &st))
        return FZ_ERR;
    int rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        const char *k = store_col_text(st, 0) + 7, *v = store_col_text(st, 1);
        if (strcmp(k, "password_hash") == 0) {
            int a = passwd_algo_parse(v);
            if (a >= 0)
                p->password_hash = a;
        } else if (strcmp(k, "totp_required_roles") == 0) {
            snprintf(p->totp_required_roles, sizeof(p->totp_required_roles), "%s", v);
        } else {
            for (int i = 0; i < NF; i++) {
                int val;
                if (strcmp(FIELDS[i].name, k) == 0 && parse_int(v, FIELDS[i].min, FIELDS[i].max, &val) == FZ_OK)
                    *field_ptr(p, &FIELDS[i]) = val;
            }
        }
    }
    store_done(st);
    return rc == STORE_DONE ? FZ_OK : FZ_ERR;
}

json_t *policy_to_json(const sec_policy *p)
{
    json_t *j = json_object();
    for (int i = 0; i < NF; i++)
        json_object_set_new(j, FIELDS[i].name, json_integer(*field_ptr((sec_policy *)p, &FIELDS[i])));
    json_t *roles = json_array();
    const char *s = p->totp_required_roles;
    while (*s) {
        const char *e = strchr(s, ',');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (n)
            json_array_append_new(roles, json_stringn(s, n));
        s += n + (e ? 1 : 0);
    }
    json_object_set_new(j, "totp_required_roles", roles);
    json_object_set_new(j, "password_hash", json_string(passwd_algo_name(p->password_hash)));
    return j;
}

static int bad(json_t **fields, const char *field, const char *reason, char *msg, size_t msglen,
               const char *label)
{
    *fields = json_pack("{s:s}", field, reason);
    snprintf(msg, msglen, "安全策略字段 %s（%s）无效：%s", field, label, reason);
    return FZ_INVALID;
}

int policy_apply_json(sec_policy *p, const json_t *j, json_t **fields, char *msg, size_t msglen)
{
    const char *key;
    json_t *v;
    sec_policy n = *p;
    json_object_foreach((json_t *)j, key, v)
    {
        const pfield *f = NULL;
        for (int i = 0; i < NF; i++)
            if (strcmp(FIELDS[i].name, key) == 0)
                f = &FIELDS[i];
        if (f) {
            char reason[96];
            snprintf(reason, sizeof(reason), "应为 %d 到 %d 之间的整数", f->min, f->max);
            if (!json_is_integer(v) || json_integer_value(v) < f->min || json_integer_value(v) > f->max)
                return bad(fields, key, reason, msg, msglen, f->label);
            *field_ptr(&n, f) = (int)json_integer_value(v);
        } else if (strcmp(key, "password_hash") == 0) {
            int a = json_is_string(v) ? passwd_algo_parse(json_string_value(v)) : -1;
            if (a < 0)
                return bad(fields, key, "应为 argon2id 或 pbkdf2-sm3", msg, msglen, "口令存储算法");
            n.password_hash = a;
        } else if (strcmp(key, "totp_required_roles") == 0) {
            if (!json_is_array(v))
                return bad(fields, key, "应为角色键的数组", msg, msglen, "须启用动态口令的角色");
            char buf[sizeof(n.totp_required_roles)] = "";
            size_t used = 0, i;
            json_t *r;
            json_array_foreach(v, i, r)
            {
                const char *k = json_string_value(r);
                size_t kl = k ? strlen(k) : 0;
                if (!k || !kl || strchr(k, ',') || used + kl + 2 > sizeof(buf))
                    return bad(fields, key, "角色键无效", msg, msglen, "须启用动态口令的角色");
                if (used)
                    buf[used++] = ',';
                memcpy(buf + used, k, kl + 1);
                used += kl;
            }
            memcpy(n.totp_required_roles, buf, sizeof(buf));
        } else {
            return bad(fields, key, "未知字段", msg, msglen, "未知");
        }
    }
    if (n.session_absolute_min < n.session_idle_min)
        return bad(fields, "session_absolute_min", "不能小于会话空闲超时", msg, msglen, "会话绝对超时（分钟）");
    *p = n;
    return FZ_OK;
}

static int put(store_conn *w, const char *key, const char *value)
{
    store_stmt *st;
    if (store_prepare(w, "INSERT INTO settings (key, value) VALUES (?, ?)"
                         " ON CONFLICT (key) DO UPDATE SET value = excluded.value", &st))
        return FZ_ERR;
    store_bind_text(st, 1, key);
    store_bind_text(st, 2, value);
    int rc = store_step(st) == STORE_DONE ? FZ_OK : FZ_ERR;
    store_done(st);
    return rc;
}

int policy_save(store_conn *w, const sec_policy *p, const char *ledger, const char *actor, int64_t unit_id)
{
    char key[64], val[32];
    for (int i = 0; i < NF; i++) {
        snprintf(key, sizeof(key), "policy.%s", FIELDS[i].name);
        snprintf(val, sizeof(val), "%d", *field_ptr((sec_policy *)p, &FIELDS[i]));
        if (put(w, key, val))
            return FZ_ERR;
    }
    if (put(w, "policy.password_hash", passwd_algo_name(p->password_hash)) ||
        put(w, "policy.totp_required_roles", p->totp_required_roles))
        return FZ_ERR;
    json_t *payload = policy_to_json(p);
    event e = {.ledger = ledger, .actor = actor, .unit_id = unit_id, .subject_kind = "policy",
               .subject_id = "security", .action = "policy.updated"};
    int rc = payload ? event_append(w, &e, payload) : FZ_NOMEM;
    json_decref(payload);
    return rc;
}

int policy_totp_required(const sec_policy *p, const char *role_key)
{
    size_t kl = strlen(role_key);
    const char *s = p->totp_required_roles;
    while (*s) {
        const char *e = strchr(s, ',');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (n == kl && strncmp(s, role_key, n) == 0)
            return 1;
        s += n + (e ? 1 : 0);
    }
    return 0;
}
