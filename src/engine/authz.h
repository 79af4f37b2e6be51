/* authz.h: who is calling (a principal) and what they may see and do.
 *
 * Permissions are RuoYi-style strings ("system:user:edit"); a principal holds
 * the union of its roles' permissions (or, for an API token, the token's).
 * Data scope (DESIGN §1) is enforced here and only here: list queries embed
 * AUTHZ_SCOPE_SQL and bind it with authz_bind_scope(); single objects are
 * checked with authz_unit_visible(). Deny is the default: a principal none of
 * whose roles grants a permission sees nothing under it. */
#ifndef FZ_AUTHZ_H
#define FZ_AUTHZ_H

#include <stdint.h>

#include "core/arena.h"
#include "core/strbuf.h"

typedef struct store_conn store_conn;
typedef struct store_stmt store_stmt;

typedef struct principal_role {
    int64_t id;
    const char *key;
    const char *name;
    const char *scope; /* all | custom | unit | unit_below | self */
} principal_role;

typedef struct principal {
    int64_t user_id;      /* 0 for an API token */
    int64_t token_id;     /* 0 for a user session */
    const char *username; /* "token:<name>" for tokens */
    const char *name;
    int64_t unit_id;
    const char *unit_name;
    const char *unit_path;
    int must_change_pw;
    int64_t pw_changed_at;
    int totp_enabled;
    const char *csrf;           /* session CSRF token ("" for tokens) */
    const char *session_hash;   /* "" for tokens */
    const char **perms;         /* sorted, arena */
    int nperms;
    const char **perms_all;     /* sorted: those a role of data scope "all" grants (users only) */
    int nperms_all;
    principal_role *roles;      /* arena */
    int nroles;
} principal;

/* Known permission strings with Chinese labels (for the role editor). */
typedef struct perm_def {
    const char *perm, *label, *group;
} perm_def;
extern const perm_def authz_perms[];
extern const int authz_nperms;
int authz_perm_known(const char *perm);

/* Loads the user's unit, roles and permissions into p (arena memory).
 * FZ_NOTFOUND when the user does not exist. */
int authz_load_user(store_conn *c, arena *a, int64_t user_id, principal *p);
/* Token principals: unit and permissions come from the token row. */
int authz_load_token(store_conn *c, arena *a, int64_t token_id, const char *name, int64_t unit_id,
                     const char *perms_csv, principal *p);

int authz_has(const principal *p, const char *perm);

/* The data-scope condition, bound as parameters ?1..?5 of the query (scoped
 * queries number their own parameters from ?6). unitcol is the column
 * holding the object's unit id, ownercol the column holding its owner user id
 * (or 0). The union over the user's roles that grant perm: all | own unit |
 * own unit and below (materialised path prefix) | custom units | self; for an
 * API token: its unit and below. Uncorrelated EXISTS terms run once. */
#define AUTHZ_SCOPE_SQL(unitcol, ownercol)                                                          \
    "(EXISTS (SELECT 1 FROM user_roles sa, roles sb, role_perms sc WHERE sa.user_id = ?2"           \
    "   AND sb.id = sa.role_id AND sc.role_id = sb.id AND sc.perm = ?3 AND sb.data_scope = 'all')"   \
    " OR (?1 <> '' AND " unitcol " IN (SELECT s0.id FROM units s0 WHERE s0.path LIKE ?1 || '%'))"   \
    " OR " unitcol " IN (SELECT s1.id FROM units s1, user_roles sur, roles sr, role_perms srp"      \
    "   WHERE sur.user_id = ?2 AND sr.id = sur.role_id AND srp.role_id = sr.id AND srp.perm = ?3"    \
    "   AND ((sr.data_scope = 'unit' AND s1.id = ?4)"                                             \
    "     OR (sr.data_scope = 'unit_below' AND s1.path LIKE ?5 || '%')"                           \
    "     OR (sr.data_scope = 'custom' AND s1.id IN"                                               \
    "         (SELECT sru.unit_id FROM role_units sru WHERE sru.role_id = sr.id))))"              \
    " OR (" ownercol " = ?2 AND EXISTS (SELECT 1 FROM user_roles sd, roles se, role_perms sf"       \
    "   WHERE sd.user_id = ?2 AND se.id = sd.role_id AND sf.role_id = se.id AND sf.perm = ?3"        \
    "   AND se.data_scope = 'self')))"

/* Binds ?1..?5 of AUTHZ_SCOPE_SQL for principal p and permission perm. */
void authz_bind_scope(store_stmt *st, const principal *p, const char *perm);
/* Appends those five values to b (a key for store_memo: what the scope of a
 * query depends on besides the database). */
void authz_scope_key(strbuf *b, const principal *p, const char *perm);
/* FZ_OK when an object in unit_id owned by owner_id (0 = none) is within p's
 * scope for perm; FZ_NOTFOUND when not (callers answer 404); FZ_ERR. */
int authz_unit_visible(store_conn *c, const principal *p, const char *perm, int64_t unit_id,
                       int64_t owner_id);

/* 1 when one of p's roles grants perm with data scope "all" (p->perms_all,
 * loaded with the principal; 0 for an API token). */
int authz_scope_all(const principal *p, const char *perm);

/* 三权分立. Duties: system administration (system:*:edit, token management,
 * sensitive data), security administration (security:*), audit (audit:*,
 * chain:*), case handling (case:*, and the built-in case roles). One account
 * may hold at most one administrative duty, and never one together with case
 * handling. FZ_OK, or FZ_CONFLICT with a Chinese explanation in msg. */
int authz_duties_of_perms(const char *const *perms, int n);
int authz_check_duties(int mask, char *msg, size_t msglen);
/* For a set of role keys (their current permissions read through c). */
int authz_check_separation(store_conn *c, const char *const *role_keys, int n, char *msg, size_t msglen);
int authz_role_is_builtin_admin(const char *key);

#endif
