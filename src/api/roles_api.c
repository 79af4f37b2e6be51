/* roles_api.c: roles (permission strings + data scope) and the permission
 * catalogue (docs/identity.md). Built-in roles are read-only. */
#include "api/app.h"
#include "api/routes.h"
#include "api/util.h"
#include "engine/events.h"
#include "core/status.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const char *const SCOPES[] = {"all", "custom", "unit", "unit_below", "self", NULL};

static json_t *role_json(store_conn *c, int64_t id)
{
    store_stmt *st;
    if (store_prepare(c, "SELECT id, key, name, builtin, data_scope FROM roles WHERE id = ?", &st))
        return NULL;
    store_bind_int(st, 1, id);
    json_t *j = NULL;
    if (store_step(st) == STORE_ROW)
        j = json_pack("{s:I, s:s, s:s, s:b, s:s}", "id", (json_int_t)store_col_int(st, 0), "key",
                      store_col_text(st, 1), "name", store_col_text(st, 2), "builtin", (int)store_col_int(st, 3),
                      "data_scope", store_col_text(st, 4));
    store_done(st);
    if (!j)
        return NULL;
    json_t *perms = json_array(), *units = json_array();
    if (store_prepare(c, "SELECT perm FROM role_perms WHERE role_id = ? ORDER BY perm", &st) == FZ_OK) {
        store_bind_int(st, 1, id);
        while (store_step(st) == STORE_ROW)
            json_array_append_new(perms, json_string(store_col_text(st, 0)));
        store_done(st);
    }
    if (store_prepare(c, "SELECT unit_id FROM role_units WHERE role_id = ? ORDER BY unit_id", &st) == FZ_OK) {
        store_bind_int(st, 1, id);
        while (store_step(st) == STORE_ROW)
            json_array_append_new(units, json_integer(store_col_int(st, 0)));
        store_done(st);
    }
    json_object_set_new(j, "permissions", perms);
    json_object_set_new(j, "units", units);
    return j;
}

int api_roles_list(req *r)
{
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    store_stmt *st;
    if (store_prepare(c, "SELECT id FROM roles ORDER BY id", &st))
        return api_store_error(r);
    int64_t ids[256];
    int n = 0;
    while (n < 256 && store_step(st) == STORE_ROW)
        ids[n++] = store_col_int(st, 0);
    store_done(st);
    json_t *rows = json_array();
    for (int i = 0; i < n; i++) {
        json_t *j = role_json(c, ids[i]);
        if (j)
            json_array_append_new(rows, j);
    }
    return req_reply_json(r, 200, json_pack("{s:I, s:o}", "total", (json_int_t)n, "rows", rows));
}

int api_permissions_list(req *r)
{
    json_t *rows = json_array();
    for (int i = 0; i < authz_nperms; i++)
        json_array_append_new(rows, json_pack("{s:s, s:s, s:s}", "perm", authz_perms[i].perm, "label",
                                              authz_perms[i].label, "group", authz_perms[i].group));
    return req_reply_json(r, 200, json_pack("{s:I, s:o}", "total", (json_int_t)authz_nperms, "rows", rows));
}

typedef struct role_job {
    app *a;
    const principal *p;
    int64_t id;
    const char *key, *name, *scope;
    json_t *perms, *units; /* borrowed from the body */
    char why[400];
} role_job;

static int role_sets(store_conn *w, role_job *j)
{
    int rc;
    size_t i;
    json_t *v;
    if (j->perms) {
        if ((rc = store_run(w, "DELETE FROM role_perms WHERE role_id = ?", "i", j->id)))
            return rc;
        json_array_foreach(j->perms, i, v)
        {
            if ((rc = store_run(w, "INSERT INTO role_perms (role_id, perm) VALUES (?, ?)"
                                   " ON CONFLICT (role_id, perm) DO NOTHING", "is", j->id, json_string_value(v))))
                return rc;
        }
    }
    if (j->units) {
        if ((rc = store_run(w, "DELETE FROM role_units WHERE role_id = ?", "i", j->id)))
            return rc;
        json_array_foreach(j->units, i, v)
        {
            int64_t n;
            if (store_query_int(w, &n, 0, "SELECT count(*) FROM units WHERE id = ?", "i", json_integer_value(v)))
                return FZ_ERR;
            if (!n) {
                snprintf(j->why, sizeof(j->why), "单位 %lld 不存在", (long long)json_integer_value(v));
                return FZ_INVALID;
            }
            if ((rc = store_run(w, "INSERT INTO role_units (role_id, unit_id) VALUES (?, ?)"
                                   " ON CONFLICT (role_id, unit_id) DO NOTHING", "ii", j->id, json_integer_value(v))))
                return rc;
        }
    }
    return FZ_OK;
}

/* After a role's permissions change, every holder must still respect
 * 三权分立 (the role's new permissions join their other roles'). */
static int holders_separated(store_conn *w, role_job *j)
{
    store_stmt *st;
    if (store_prepare(w, "SELECT u.id, u.username FROM user_roles ur JOIN users u ON u.id = ur.user_id"
                         " WHERE ur.role_id = ? ORDER BY u.id", &st))
        return FZ_ERR;
    store_bind_int(st, 1, j->id);
    int64_t ids[64];
    char names[64][64];
    int n = 0;
    while (n < 64 && store_step(st) == STORE_ROW) {
        ids[n] = store_col_int(st, 0);
        snprintf(names[n], sizeof(names[n]), "%s", store_col_text(st, 1));
        n++;
    }
    store_done(st);
    for (int i = 0; i < n; i++) {
        const char *keys[32];
        char buf[32][40];
        int k = 0;
        if (store_prepare(w, "SELECT r.key FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = ?",
                          &st))
            return FZ_ERR;
        store_bind_int(st, 1, ids[i]);
        while (k < 32 && store_step(st) == STORE_ROW) {
            snprintf(buf[k], sizeof(buf[k]), "%s", store_col_text(st, 0));
            keys[k] = buf[k];
            k++;
        }
        store_done(st);
        char msg[200];
        if (authz_check_separation(w, keys, k, msg, sizeof(msg)) != FZ_OK) {
            snprintf(j->why, sizeof(j->why), "用户 %.60s 持有该角色，修改后将违反%.200s", names[i], msg);
            return FZ_CONFLICT;
        }
    }
    return FZ_OK;
}

static int role_event(store_conn *w, role_job *j, const char *action)
{
    json_t *payload = role_json(w, j->id);
    if (!payload)
        payload = json_pack("{s:I}", "id", (json_int_t)j->id);
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", (long long)j->id);
    event e = {.ledger = j->a->cfg.region_code, .actor = j->p->username, .unit_id = j->p->unit_id,
               .subject_kind = "role", .subject_id = sid, .action = action};
    int rc = event_append(w, &e, payload);
    json_decref(payload);
    return rc;
}

static int role_insert(store_conn *w, void *ctx)
{
    role_job *j = ctx;
    store_stmt *st;
    if (store_prepare(w, "INSERT INTO roles (key, name, builtin, data_scope) VALUES (?, ?, 0, ?) RETURNING id", &st))
        return FZ_ERR;
    store_bind_text(st, 1, j->key);
    store_bind_text(st, 2, j->name);
    store_bind_text(st, 3, j->scope);
    int rc = store_step(st);
    if (rc == STORE_ROW) {
        j->id = store_col_int(st, 0);
        rc = store_step(st) == STORE_DONE ? FZ_OK : FZ_ERR;
    }
    store_done(st);
    if (rc || (rc = role_sets(w, j)))
        return rc;
    return role_event(w, j, "role.created");
}

static int role_update(store_conn *w, void *ctx)
{
    role_job *j = ctx;
    int64_t builtin;
    if (store_query_int(w, &builtin, -1, "SELECT builtin FROM roles WHERE id = ?", "i", j->id))
        return FZ_ERR;
    if (builtin < 0)
        return FZ_NOTFOUND;
    if (builtin) {
        snprintf(j->why, sizeof(j->why), "内置角色不可修改，请新建角色");
        return FZ_CONFLICT;
    }
    int rc;
    if (j->name && (rc = store_run(w, "UPDATE roles SET name = ? WHERE id = ?", "si", j->name, j->id)))
        return rc;
    if (j->scope && (rc = store_run(w, "UPDATE roles SET data_scope = ? WHERE id = ?", "si", j->scope, j->id)))
        return rc;
    if ((rc = role_sets(w, j)) || (rc = holders_separated(w, j)))
        return rc;
    return role_event(w, j, "role.updated");
}

static int role_delete(store_conn *w, void *ctx)
{
    role_job *j = ctx;
    int64_t builtin, users;
    if (store_query_int(w, &builtin, -1, "SELECT builtin FROM roles WHERE id = ?", "i", j->id) ||
        store_query_int(w, &users, 0, "SELECT count(*) FROM user_roles WHERE role_id = ?", "i", j->id))
        return FZ_ERR;
    if (builtin < 0)
        return FZ_NOTFOUND;
    if (builtin || users) {
        snprintf(j->why, sizeof(j->why), builtin ? "内置角色不可删除" : "还有 %lld 个用户持有该角色，不能删除",
                 (long long)users);
        return FZ_CONFLICT;
    }
    int rc = role_event(w, j, "role.deleted");
    if (rc || (rc = store_run(w, "DELETE FROM role_perms WHERE role_id = ?", "i", j->id)) ||
        (rc = store_run(w, "DELETE FROM role_units WHERE role_id = ?", "i", j->id)))
        return rc;
    return store_run(w, "DELETE FROM roles WHERE id = ?", "i", j->id);
}

static int role_then(req *r, void *ctx, int rc, int status)
{
    role_job *j = ctx;
    if (rc == FZ_CONFLICT && j->why[0])
        return req_reply_error(r, 409, "conflict", j->why, NULL);
    if (rc == FZ_CONFLICT)
        return req_reply_error(r, 409, "conflict", "角色键已存在", json_pack("{s:s}", "key", "已存在"));
    if (rc == FZ_INVALID)
        return api_invalid(r, "units", "自定义数据范围", j->why);
    if (rc == FZ_NOTFOUND)
        return api_not_found(r, "角色");
    if (rc)
        return api_store_error(r);
    store_conn *c = api_reader(r);
    json_t *role = c ? role_json(c, j->id) : NULL;
    return req_reply_json(r, status, role ? role : json_pack("{s:I}", "id", (json_int_t)j->id));
}

static int created_then(req *r, void *ctx, int rc)
{
    return role_then(r, ctx, rc, 201);
}

static int ok_then(req *r, void *ctx, int rc)
{
    return role_then(r, ctx, rc, 200);
}

static int role_fields(req *r, const json_t *body, role_job *j, int create)
{
    static const char *const keys[] = {"key", "name", "data_scope", "units", "permissions", NULL};
    if (api_only_keys(r, body, keys) || (create && api_text(r, body, "key", "角色键", 1, 32, &j->key)) ||
        api_text(r, body, "name", "角色名称", create, 32, &j->name) ||
        api_text(r, body, "data_scope", "数据范围", create, 16, &j->scope))
        return FZ_INVALID;
    if (!create && json_object_get(body, "key"))
        return api_invalid(r, "key", "角色键", "角色键创建后不能修改");
    if (j->key) {
        int ok = islower((unsigned char)j->key[0]);
        for (const char *s = j->key; *s && ok; s++)
            ok = islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_';
        if (!ok)
            return api_invalid(r, "key", "角色键", "应以小写字母开头，只含小写字母、数字和下划线");
    }
    if (j->scope) {
        int ok = 0;
        for (int i = 0; SCOPES[i]; i++)
            ok |= strcmp(SCOPES[i], j->scope) == 0;
        if (!ok)
            return api_invalid(r, "data_scope", "数据范围", "应为 all、custom、unit、unit_below 或 self");
    }
    j->perms = json_object_get(body, "permissions");
    if (j->perms) {
        size_t i;
        json_t *v;
        if (!json_is_array(j->perms) || json_array_size(j->perms) == 0 || json_array_size(j->perms) > 64)
            return api_invalid(r, "permissions", "权限", "应为非空的权限字符串数组");
        json_array_foreach(j->perms, i, v)
        {
            if (!json_is_string(v) || !authz_perm_known(json_string_value(v))) {
                char reason[160];
                snprintf(reason, sizeof(reason), "未知权限 %s", json_is_string(v) ? json_string_value(v) : "?");
                return api_invalid(r, "permissions", "权限", reason);
            }
        }
        const char *list[64];
        json_array_foreach(j->perms, i, v) list[i] = json_string_value(v);
        char msg[200];
        if (authz_check_duties(authz_duties_of_perms(list, (int)json_array_size(j->perms)), msg, sizeof(msg)))
            return api_invalid(r, "permissions", "权限", msg);
    } else if (create) {
        return api_invalid(r, "permissions", "权限", "必填");
    }
    j->units = json_object_get(body, "units");
    if (j->units) {
        size_t i;
        json_t *v;
        if (!json_is_array(j->units))
            return api_invalid(r, "units", "自定义数据范围", "应为单位编号的数组");
        json_array_foreach(j->units, i, v) if (!json_is_integer(v)) return api_invalid(r, "units", "自定义数据范围",
                                                                                       "应为单位编号的数组");
    }
    return FZ_OK;
}

static role_job *new_job(req *r)
{
    role_job *j = arena_alloc(req_arena(r), sizeof(*j));
    if (j) {
        j->a = req_app(r);
        j->p = api_who(r);
    }
    return j;
}

int api_roles_create(req *r)
{
    json_t *body = req_json_body(r);
    role_job *j = new_job(r);
    if (!body || !j || role_fields(r, body, j, 1))
        return FZ_OK;
    if (req_write(r, role_insert, j, created_then) != FZ_OK)
        return api_store_error(r);
    return FZ_OK;
}

int api_roles_update(req *r)
{
    int64_t id;
    if (api_path_id(r, "id", &id))
        return FZ_OK;
    json_t *body = req_json_body(r);
    role_job *j = new_job(r);
    if (!body || !j || role_fields(r, body, j, 0))
        return FZ_OK;
    j->id = id;
    if (req_write(r, role_update, j, ok_then) != FZ_OK)
        return api_store_error(r);
    return FZ_OK;
}

int api_roles_delete(req *r)
{
    int64_t id;
    if (api_path_id(r, "id", &id))
        return FZ_OK;
    role_job *j = new_job(r);
    if (!j)
        return api_store_error(r);
    j->id = id;
    if (req_write(r, role_delete, j, ok_then) != FZ_OK)
        return api_store_error(r);
    return FZ_OK;
}
