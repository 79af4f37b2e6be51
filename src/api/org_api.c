/* org_api.c: HTTP handlers of the region tree and the unit tree
 * (docs/identity.md): input parsing and the data-scope checks; the writes,
 * their validation and events are engine/org.c's. Units are data-scoped;
 * regions are county-wide reference data. */
#include "api/app.h"
#include "api/routes.h"
#include "api/util.h"
#include "engine/org.h"
#include "core/status.h"
#include "core/validate.h"

#include <string.h>

/* A write job: the engine's context (events, refusals) and the input. */
typedef struct org_job {
    org_ctx x;
    const char *code, *name;
    org_unit u;
    int64_t id;
    char region[13];
} org_job;

static org_job *new_job(req *r)
{
    org_job *j = arena_alloc(req_arena(r), sizeof(*j));
    if (j) {
        memset(j, 0, sizeof(*j));
        const principal *p = api_who(r);
        j->x.ledger = req_app(r)->cfg.region_code;
        j->x.actor = p->username;
        j->x.actor_unit = p->unit_id;
    }
    return j;
}

static int in_use_or_ok(req *r, org_job *j, int rc, int created)
{
    if (rc == FZ_INVALID && j->x.bad_field)
        return api_invalid(r, j->x.bad_field, j->x.bad_label, j->x.why);
    if (rc == FZ_CONFLICT && j->x.why[0]) {
        json_t *e = json_pack("{s:s, s:s, s:I}", "code", "in_use", "message", j->x.why, "count", (json_int_t)j->x.count);
        return req_reply_json(r, 409, json_pack("{s:o}", "error", e));
    }
    if (rc == FZ_CONFLICT)
        return req_reply_error(r, 409, "conflict", "已存在相同编码的记录", NULL);
    if (rc == FZ_NOTFOUND)
        return api_not_found(r, "记录");
    if (rc != FZ_OK)
        return api_store_error(r);
    json_t *out = j->code ? json_pack("{s:s}", "code", j->code) : json_pack("{s:I}", "id", (json_int_t)j->id);
    return req_reply_json(r, created ? 201 : 200, out);
}

static int then_created(req *r, void *ctx, int rc)
{
    return in_use_or_ok(r, ctx, rc, 1);
}

static int then_ok(req *r, void *ctx, int rc)
{
    return in_use_or_ok(r, ctx, rc, 0);
}

/* ---- regions ---- */

int api_regions_list(req *r)
{
    const char *parent;
    if (api_query_text(r, "parent", &parent))
        return FZ_OK;
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    store_stmt *st;
    if (store_prepare(c, "SELECT code, name, level, parent_code FROM regions WHERE (?1 = '' OR parent_code = ?1)"
                         " ORDER BY code", &st))
        return api_store_error(r);
    store_bind_text(st, 1, parent);
    json_t *rows = json_array();
    while (store_step(st) == STORE_ROW)
        json_array_append_new(rows, json_pack("{s:s, s:s, s:I, s:s}", "code", store_col_text(st, 0), "name",
                                              store_col_text(st, 1), "level", (json_int_t)store_col_int(st, 2),
                                              "parent_code", store_col_text(st, 3)));
    store_done(st);
    return req_reply_json(r, 200, json_pack("{s:I, s:o}", "total", (json_int_t)json_array_size(rows), "rows", rows));
}

static int region_insert(store_conn *w, void *ctx)
{
    org_job *j = ctx;
    return org_region_create(w, &j->x, j->code, j->name);
}

int api_regions_create(req *r)
{
    static const char *const keys[] = {"code", "name", NULL};
    json_t *body = req_json_body(r);
    const char *code, *name;
    if (!body || api_only_keys(r, body, keys) || api_text(r, body, "code", "区划代码", 1, 12, &code) ||
        api_text(r, body, "name", "区划名称", 1, 64, &name))
        return FZ_OK;
    org_job *j = new_job(r);
    if (!j)
        return api_store_error(r);
    if (org_region_code(code, j->region) != FZ_OK)
        return api_invalid(r, "code", "区划代码", "应为 6、9 或 12 位有效的统计用区划代码");
    j->code = j->region;
    j->name = name;
    if (req_write(r, region_insert, j, then_created) != FZ_OK)
        return api_store_error(r);
    return FZ_OK;
}

/* The {code} path parameter, padded to 12 digits like POST does. */
static int region_param(req *r, org_job *j)
{
    char *norm = arena_alloc(req_arena(r), 13);
    const char *code = req_param(r, "code");
    if (!norm || !code || region_code_normalize(code, norm) != FZ_OK)
        return api_invalid(r, "code", "区划代码", "应为 6、9 或 12 位区划代码");
    j->code = norm;
    return FZ_OK;
}

static int region_rename(store_conn *w, void *ctx)
{
    org_job *j = ctx;
    return org_region_rename(w, &j->x, j->code, j->name);
}

int api_regions_update(req *r)
{
    static const char *const keys[] = {"name", NULL};
    json_t *body = req_json_body(r);
    const char *name;
    if (!body || api_only_keys(r, body, keys) || api_text(r, body, "name", "区划名称", 1, 64, &name))
        return FZ_OK;
    org_job *j = new_job(r);
    if (!j || region_param(r, j))
        return FZ_OK;
    j->name = name;
    if (req_write(r, region_rename, j, then_ok) != FZ_OK)
        return api_store_error(r);
    return FZ_OK;
}

static int region_delete(store_conn *w, void *ctx)
{
    org_job *j = ctx;
    return org_region_delete(w, &j->x, j->code);
}

int api_regions_delete(req *r)
{
    org_job *j = new_job(r);
    if (!j || region_param(r, j))
        return FZ_OK;
    if (req_write(r, region_delete, j, then_ok) != FZ_OK)
        return api_store_error(r);
    return FZ_OK;
}

/* ---- units ---- */

static json_t *unit_row(store_stmt *st)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:s, s:I}", "id", (json_int_t)store_col_int(st, 0), "name",
                     store_col_text(st, 1), "type", store_col_text(st, 2), "legal_status", store_col_text(st, 3),
                     "region_code", store_col_text(st, 4), "parent_id", (json_int_t)store_col_int(st, 5), "path",
                     store_col_text(st, 6), "user_count", (json_int_t)store_col_int(st, 7));
}

#define UNIT_COLS "t.id, t.name, t.type, t.legal_status, t.region_code, t.parent_id, t.path," \
                  " (SELECT count(*) FROM users u WHERE u.unit_id = t.id)"

int api_units_list(req *r)
{
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    store_stmt *st;
    if (store_prepare(c, "SELECT " UNIT_COLS " FROM units t WHERE " AUTHZ_SCOPE_SQL("t.id", "0") " ORDER BY t.path",
                      &st))
        return api_store_error(r);
    authz_bind_scope(st, api_who(r), "system:unit:view");
    json_t *rows = json_array();
    while (store_step(st) == STORE_ROW)
        json_array_append_new(rows, unit_row(st));
    store_done(st);
    return req_reply_json(r, 200, json_pack("{s:I, s:o}", "total", (json_int_t)json_array_size(rows), "rows", rows));
}

int api_units_get(req *r)
{
    int64_t id;
    if (api_path_id(r, "id", &id))
        return FZ_OK;
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    store_stmt *st;
    if (store_prepare(c, "SELECT " UNIT_COLS " FROM units t WHERE t.id = ?6 AND " AUTHZ_SCOPE_SQL("t.id", "0"), &st))
        return api_store_error(r);
    authz_bind_scope(st, api_who(r), "system:unit:view");
    store_bind_int(st, 6, id);
    json_t *row = store_step(st) == STORE_ROW ? unit_row(st) : NULL;
    store_done(st);
    if (!row)
        return api_not_found(r, "单位");
    return req_reply_json(r, 200, row);
}

static int unit_insert(store_conn *w, void *ctx)
{
    org_job *j = ctx;
    return org_unit_create(w, &j->x, &j->u, &j->id);
}

/* Validates the unit fields present in body into j. */
static int unit_fields(req *r, const json_t *body, org_job *j, int create)
{
    static const char *const keys[] = {"name", "type", "legal_status", "region_code", "parent_id", NULL};
    org_unit *u = &j->u;
    if (api_only_keys(r, body, keys) || api_text(r, body, "name", "单位名称", create, 100, &u->name) ||
        api_text(r, body, "type", "单位类型", create, 20, &u->type) ||
        api_text(r, body, "legal_status", "法律地位", create, 20, &u->legal) ||
        api_text(r, body, "region_code", "所在区划", create, 12, &u->region) ||
        api_int(r, body, "parent_id", "上级单位", 0, 0, INT64_MAX, &u->parent_id, &u->set_parent))
        return FZ_INVALID;
    if (org_unit_check(&j->x, u, j->region) != FZ_OK)
        return api_invalid(r, j->x.bad_field, j->x.bad_label, j->x.why);
    return FZ_OK;
}

/* The caller may place a unit under parent_id (0 = top level: needs "all"). */
static int parent_allowed(req *r, store_conn *c, int64_t parent_id)
{
    const principal *p = api_who(r);
    int64_t exists = 1;
    if (parent_id && store_query_int(c, &exists, 0, "SELECT count(*) FROM units WHERE id = ?", "i", parent_id))
        return api_store_error(r);
    if (!exists)
        return api_invalid(r, "parent_id", "上级单位", "上级单位不存在");
    int ok = parent_id ? authz_unit_visible(c, p, "system:unit:edit", parent_id, 0) == FZ_OK
                       : authz_scope_all(p, "system:unit:edit");
    if (!ok)
        return req_reply_error(r, 403, "forbidden", "上级单位不在您的数据范围内", NULL), FZ_ERR;
    return FZ_OK;
}

int api_units_create(req *r)
{
    json_t *body = req_json_body(r);
    org_job *j = new_job(r);
    if (!body || !j || unit_fields(r, body, j, 1))
        return FZ_OK;
    store_conn *c = api_reader(r);
    if (!c || parent_allowed(r, c, j->u.parent_id))
        return FZ_OK;
    if (req_write(r, unit_insert, j, then_created) != FZ_OK)
        return api_store_error(r);
    return FZ_OK;
}

static int unit_update(store_conn *w, void *ctx)
{
    org_job *j = ctx;
    return org_unit_update(w, &j->x, j->id, &j->u);
}

int api_units_update(req *r)
{
    int64_t id;
    if (api_path_id(r, "id", &id))
        return FZ_OK;
    json_t *body = req_json_body(r);
    org_job *j = new_job(r);
    if (!body || !j || unit_fields(r, body, j, 0))
        return FZ_OK;
    j->id = id;
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    if (authz_unit_visible(c, api_who(r), "system:unit:edit", id, 0) != FZ_OK)
        return api_not_found(r, "单位");
    if (j->u.set_parent && parent_allowed(r, c, j->u.parent_id))
        return FZ_OK;
    if (req_write(r, unit_update, j, then_ok) != FZ_OK)
        return api_store_error(r);
    return FZ_OK;
}

static int unit_delete(store_conn *w, void *ctx)
{
    org_job *j = ctx;
    return org_unit_delete(w, &j->x, j->id);
}

int api_units_delete(req *r)
{
    int64_t id;
    if (api_path_id(r, "id", &id))
        return FZ_OK;
    org_job *j = new_job(r);
    store_conn *c = api_reader(r);
    if (!j || !c)
        return FZ_OK;
    if (authz_unit_visible(c, api_who(r), "system:unit:edit", id, 0) != FZ_OK)
        return api_not_found(r, "单位");
    j->id = id;
    if (req_write(r, unit_delete, j, then_ok) != FZ_OK)
        return api_store_error(r);
    return FZ_OK;
}
