/* authz.c: principals, permissions, data scope and separation of duties
 * (see authz.h). */
#include "engine/authz.h"
#include "store/store.h"
#include "core/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const perm_def authz_perms[] = {
    {"system:status:view", "查看系统状态", "系统管理"},
    {"system:region:view", "查看区划", "系统管理"},
    {"system:region:edit", "维护区划", "系统管理"},
    {"system:unit:view", "查看单位", "系统管理"},
    {"system:unit:edit", "维护单位", "系统管理"},
    {"system:user:view", "查看用户", "系统管理"},
    {"system:user:edit", "维护用户", "系统管理"},
    {"system:user:sensitive", "查看完整身份证号与手机号", "系统管理"},
    {"system:role:view", "查看角色", "系统管理"},
    {"system:role:edit", "维护角色", "系统管理"},
    {"system:token:manage", "管理 API 令牌", "系统管理"},
    {"security:policy:view", "查看安全策略", "安全管理"},
    {"security:policy:edit", "修改安全策略", "安全管理"},
    {"security:user:unlock", "解锁账户", "安全管理"},
    {"audit:log:view", "查看审计日志", "审计管理"},
    {"audit:log:export", "导出审计日志", "审计管理"},
    {"chain:view", "查看事件链", "审计管理"},
    {"chain:checkpoint", "链头存证", "审计管理"},
    {"calendar:view", "查看工作日历与期限计算", "工作日历"},
    {"calendar:edit", "导入节假日安排", "工作日历"},
    {"system:scheduler:run", "立即运行期限巡检", "系统管理"},
    {"clock:view", "查看法定期限与预警", "法定期限"},
    {"catalog:view", "查看名录（法律法规、权责清单等）", "名录"},
    {"catalog:edit", "维护名录（按名录定义的角色）", "名录"},
    {"case:view", "查看案件", "案件办理"},
    {"case:create", "登记案件", "案件办理"},
    {"case:handle", "办理案件（按程序定义的角色执行步骤）", "案件办理"},
    {"clock:edit", "启动、暂停、恢复、延长、停止期限", "法定期限"},
};
const int authz_nperms = (int)(sizeof(authz_perms) / sizeof(authz_perms[0]));

int authz_perm_known(const char *perm)
{
    for (int i = 0; i < authz_nperms; i++)
        if (strcmp(authz_perms[i].perm, perm) == 0)
            return 1;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int in_sorted(const char *const *list, int n, const char *perm)
{
    if (!list || !perm || n <= 0)
        return 0;
    return bsearch(&perm, list, (size_t)n, sizeof(char *), cmp_str) != NULL;
}

int authz_has(const principal *p, const char *perm)
{
    return p && in_sorted(p->perms, p->nperms, perm);
}

/* Appends perm to *list if absent (the list grows in the arena). */
static int add_to(arena *a, const char ***list, int *n, int *cap, const char *perm)
{
    for (int i = 0; i < *n; i++)
        if (strcmp((*list)[i], perm) == 0)
            return FZ_OK;
    if (*n == *cap) {
        int ncap = *cap ? *cap * 2 : 16;
        const char **np = arena_alloc(a, sizeof(char *) * (size_t)ncap);
        if (!np)
            return FZ_NOMEM;
        if (*n)
            memcpy(np, *list, sizeof(char *) * (size_t)*n);
        *list = np;
        *cap = ncap;
    }
    (*list)[*n] = arena_strdup(a, perm);
    return (*list)[(*n)++] ? FZ_OK : FZ_NOMEM;
}

static int add_perm(arena *a, principal *p, int *cap, const char *perm)
{
    return add_to(a, &p->perms, &p->nperms, cap, perm);
}

static int load_unit(store_conn *c, arena *a, int64_t unit_id, principal *p)
{
    store_stmt *st;
    if (store_prepare(c, "SELECT name, path FROM units WHERE id = ?", &st))
        return FZ_ERR;
    store_bind_int(st, 1, unit_id);
    p->unit_name = "";
    p->unit_path = "";
    if (store_step(st) == STORE_ROW) {
        p->unit_name = arena_strdup(a, store_col_text(st, 0));
        p->unit_path = arena_strdup(a, store_col_text(st, 1));
    }
    store_done(st);
    return FZ_OK;
}

int authz_load_user(store_conn *c, arena *a, int64_t user_id, principal *p)
{
    memset(p, 0, sizeof(*p));
    store_stmt *st;
    if (store_prepare(c, "SELECT username, name, unit_id, must_change_pw, totp_enabled, pw_changed_at FROM users WHERE id = ?",
                      &st))
        return FZ_ERR;
    store_bind_int(st, 1, user_id);
    int rc = store_step(st);
    if (rc == STORE_ROW) {
        p->user_id = user_id;
        p->username = arena_strdup(a, store_col_text(st, 0));
        p->name = arena_strdup(a, store_col_text(st, 1));
        p->unit_id = store_col_int(st, 2);
        p->must_change_pw = (int)store_col_int(st, 3);
        p->totp_enabled = (int)store_col_int(st, 4);
        p->pw_changed_at = store_col_int(st, 5);
    }
    store_done(st);
    if (rc != STORE_ROW)
        return rc == STORE_DONE ? FZ_NOTFOUND : FZ_ERR;
    if (load_unit(c, a, p->unit_id, p))
        return FZ_ERR;
    /* Roles, then permissions. */
    if (store_prepare(c, "SELECT r.id, r.key, r.name, r.data_scope FROM user_roles ur JOIN roles r ON r.id = ur.role_id"
                         " WHERE ur.user_id = ? ORDER BY r.id", &st))
        return FZ_ERR;
    store_bind_int(st, 1, user_id);
    int cap = 0;
    while ((rc = store_step(st)) == STORE_ROW) {
        if (p->nroles == cap) {
            int ncap = cap ? cap * 2 : 4;
            principal_role *nr = arena_alloc(a, sizeof(*nr) * (size_t)ncap);
            if (!nr)
                break;
            if (p->nroles)
                memcpy(nr, p->roles, sizeof(*nr) * (size_t)p->nroles);
            p->roles = nr;
            cap = ncap;
        }
        principal_role *r = &p->roles[p->nroles++];
        r->id = store_col_int(st, 0);
        r->key = arena_strdup(a, store_col_text(st, 1));
        r->name = arena_strdup(a, store_col_text(st, 2));
        r->scope = arena_strdup(a, store_col_text(st, 3));
    }
    store_done(st);
    if (store_prepare(c, "SELECT DISTINCT rp.perm FROM user_roles ur JOIN role_perms rp ON rp.role_id = ur.role_id"
                         " WHERE ur.user_id = ?", &st))
        return FZ_ERR;
    store_bind_int(st, 1, user_id);
    cap = 0;
    while ((rc = store_step(st)) == STORE_ROW)
        if (add_perm(a, p, &cap, store_col_text(st, 0)))
            break;
    store_done(st);
    if (p->nperms)
        qsort(p->perms, (size_t)p->nperms, sizeof(char *), cmp_str);
    /* Those granted with data scope "all": a single object's scope is then
     * settled without the scope query (authz_unit_visible). */
    if (store_prepare(c, "SELECT DISTINCT rp.perm FROM user_roles ur JOIN roles r ON r.id = ur.role_id"
                         " JOIN role_perms rp ON rp.role_id = r.id WHERE ur.user_id = ? AND r.data_scope = 'all'",
                      &st))
        return FZ_ERR;
    store_bind_int(st, 1, user_id);
    cap = 0;
    while ((rc = store_step(st)) == STORE_ROW)
        if (add_to(a, &p->perms_all, &p->nperms_all, &cap, store_col_text(st, 0)))
            break;
    store_done(st);
    if (p->nperms_all)
        qsort(p->perms_all, (size_t)p->nperms_all, sizeof(char *), cmp_str);
    p->csrf = "";
    p->session_hash = "";
    return FZ_OK;
}

int authz_load_token(store_conn *c, arena *a, int64_t token_id, const char *name, int64_t unit_id,
                     const char *perms_csv, principal *p)
{
    memset(p, 0, sizeof(*p));
    p->token_id = token_id;
    p->username = arena_printf(a, "token:%s", name);
    p->name = arena_strdup(a, name);
    p->unit_id = unit_id;
    p->csrf = "";
    p->session_hash = "";
    if (load_unit(c, a, unit_id, p))
        return FZ_ERR;
    int cap = 0;
    const char *s = perms_csv;
    while (*s) {
        const char *e = strchr(s, ',');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        char *perm = arena_strndup(a, s, n);
        if (!perm || add_perm(a, p, &cap, perm))
            return FZ_NOMEM;
        s += n + (e ? 1 : 0);
    }
    if (p->nperms)
        qsort(p->perms, (size_t)p->nperms, sizeof(char *), cmp_str);
    return FZ_OK;
}

/* The five values bound to AUTHZ_SCOPE_SQL's ?1..?5. */
typedef struct scope_vals {
    const char *token_path, *perm, *unit_path;
    int64_t user_id, unit_id;
} scope_vals;

static scope_vals scope_of(const principal *p, const char *perm)
{
    /* A token sees its unit and below, for the permissions it carries. A user's
     * roles are looked up by the SQL itself (user id 0 matches no role). */
    int token = p->token_id && authz_has(p, perm);
    return (scope_vals){token && p->unit_path ? p->unit_path : "", perm,
                        p->unit_path && *p->unit_path ? p->unit_path : "-", p->token_id ? 0 : p->user_id,
                        p->unit_id};
}

void authz_bind_scope(store_stmt *st, const principal *p, const char *perm)
{
    scope_vals v = scope_of(p, perm);
    store_bind_text(st, 1, v.token_path);
    store_bind_int(st, 2, v.user_id);
    store_bind_text(st, 3, v.perm);
    store_bind_int(st, 4, v.unit_id);
    store_bind_text(st, 5, v.unit_path);
}

void authz_scope_key(strbuf *b, const principal *p, const char *perm)
{
    scope_vals v = scope_of(p, perm);
    strbuf_printf(b, "\x1f%s\x1f%lld\x1f%s\x1f%lld\x1f%s", v.token_path, (long long)v.user_id, v.perm,
                  (long long)v.unit_id, v.unit_path);
}

int authz_unit_visible(store_conn *c, const principal *p, const char *perm, int64_t unit_id,
                       int64_t owner_id)
{
    store_stmt *st;
    /* A role of scope "all" grants perm: what the query below would answer
     * is whether the unit exists (the other terms are OR-ed to it). */
    if (authz_scope_all(p, perm)) {
        int64_t n = 0;
        if (store_query_int(c, &n, 0, "SELECT count(*) FROM units WHERE id = ?", "i", unit_id))
            return FZ_ERR;
        return n ? FZ_OK : FZ_NOTFOUND;
    }
    if (store_prepare(c, "SELECT CASE WHEN EXISTS (SELECT 1 FROM units WHERE id = ?6) AND "
                         AUTHZ_SCOPE_SQL("?6", "?7") " THEN 1 ELSE 0 END", &st))
        return FZ_ERR;
    authz_bind_scope(st, p, perm);
    store_bind_int(st, 6, unit_id);
    store_bind_int(st, 7, owner_id ? owner_id : -1);
    int rc = store_step(st);
    int ok = rc == STORE_ROW && store_col_int(st, 0) == 1;
    store_done(st);
    if (rc != STORE_ROW)
        return FZ_ERR;
    return ok ? FZ_OK : FZ_NOTFOUND;
}

int authz_scope_all(const principal *p, const char *perm)
{
    return p && !p->token_id && in_sorted(p->perms_all, p->nperms_all, perm);
}

/* ---- 三权分立 ----
 * Duties are judged by what a user can do, not by role names alone: the
 * union of the permissions of all their roles, plus the built-in role keys.
 * A custom role granting audit:log:view makes its holder an auditor. */

enum { DUTY_SYS = 1, DUTY_SEC = 2, DUTY_AUDIT = 4, DUTY_CASE = 8 };

static const char *const ADMIN_ROLES[] = {"sys_admin", "sec_admin", "audit_admin"};
static const char *const CASE_ROLES[] = {"officer", "reviewer", "unit_head", "supervisor", "leader"};

static int in_list(const char *k, const char *const *list, int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(k, list[i]) == 0)
            return 1;
    return 0;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int perm_duty(const char *perm)
{
    if (strncmp(perm, "system:", 7) == 0)
        return ends_with(perm, ":edit") || strcmp(perm, "system:token:manage") == 0 ||
                       strcmp(perm, "system:user:sensitive") == 0
                   ? DUTY_SYS
                   : 0;
    if (strncmp(perm, "security:", 9) == 0)
        return DUTY_SEC;
    if (strncmp(perm, "audit:", 6) == 0 || strncmp(perm, "chain:", 6) == 0)
        return DUTY_AUDIT;
    if (strncmp(perm, "case:", 5) == 0)
        return DUTY_CASE;
    return 0;
}

static int key_duty(const char *key)
{
    if (strcmp(key, "sys_admin") == 0)
        return DUTY_SYS;
    if (strcmp(key, "sec_admin") == 0)
        return DUTY_SEC;
    if (strcmp(key, "audit_admin") == 0)
        return DUTY_AUDIT;
    return in_list(key, CASE_ROLES, 5) ? DUTY_CASE : 0;
}

static const char *duty_name(int d)
{
    return d == DUTY_SYS ? "系统管理" : d == DUTY_SEC ? "安全管理" : d == DUTY_AUDIT ? "审计管理" : "案件办理";
}

int authz_duties_of_perms(const char *const *perms, int n)
{
    int mask = 0;
    for (int i = 0; i < n; i++)
        mask |= perm_duty(perms[i]);
    return mask;
}

/* who[d] names the role that brought duty bit d (for the message). */
static int check_named(int mask, const char *const who[4], char *msg, size_t msglen)
{
    int first = -1;
    for (int b = 0; b < 3; b++) {
        if (!(mask & (1 << b)))
            continue;
        if (first >= 0) {
            snprintf(msg, msglen, "三权分立：「%s」（%s）与「%s」（%s）不能由同一账户兼任", who[first],
                     duty_name(1 << first), who[b], duty_name(1 << b));
            return FZ_CONFLICT;
        }
        first = b;
    }
    if (first >= 0 && (mask & DUTY_CASE)) {
        snprintf(msg, msglen, "三权分立：「%s」负责%s，不得办理案件，不能同时担任「%s」", who[first],
                 duty_name(1 << first), who[3]);
        return FZ_CONFLICT;
    }
    return FZ_OK;
}

int authz_check_duties(int mask, char *msg, size_t msglen)
{
    static const char *const who[4] = {"系统管理权限", "安全管理权限", "审计管理权限", "案件办理权限"};
    return check_named(mask, who, msg, msglen);
}

/* Duties of one role (its built-in key plus its permissions) and its name. */
static int role_duty(store_conn *c, const char *key, char *name, size_t namelen)
{
    int mask = key_duty(key);
    snprintf(name, namelen, "%s", key);
    store_stmt *st;
    if (store_prepare(c, "SELECT name FROM roles WHERE key = ?", &st) == FZ_OK) {
        store_bind_text(st, 1, key);
        if (store_step(st) == STORE_ROW)
            snprintf(name, namelen, "%s", store_col_text(st, 0));
        store_done(st);
    }
    if (store_prepare(c, "SELECT rp.perm FROM role_perms rp JOIN roles r ON r.id = rp.role_id WHERE r.key = ?", &st))
        return mask;
    store_bind_text(st, 1, key);
    while (store_step(st) == STORE_ROW)
        mask |= perm_duty(store_col_text(st, 0));
    store_done(st);
    return mask;
}

int authz_check_separation(store_conn *c, const char *const *keys, int n, char *msg, size_t msglen)
{
    char names[4][64] = {"", "", "", ""};
    const char *who[4] = {names[0], names[1], names[2], names[3]};
    int mask = 0;
    for (int i = 0; i < n; i++) {
        char name[64];
        int m = role_duty(c, keys[i], name, sizeof(name));
        for (int b = 0; b < 4; b++)
            if ((m & (1 << b)) && !names[b][0])
                snprintf(names[b], sizeof(names[b]), "%s", name);
        mask |= m;
    }
    return check_named(mask, who, msg, msglen);
}

int authz_role_is_builtin_admin(const char *key)
{
    return in_list(key, ADMIN_ROLES, 3);
}
