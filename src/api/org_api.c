/* org_api.c: the region tree (GB/T 2260 / 统计用区划代码, county → township →
 * village) and the unit tree (materialised path "/1/4/9/"), docs/identity.md.
 * Units are data-scoped; regions are county-wide reference data. */
#include "api/app.h"
#include "api/routes.h"
#include "api/util.h"
#include "engine/events.h"
#include "core/status.h"
#include "core/timeutil.h"
#include "core/validate.h"

#include <stdio.h>
#include <string.h>

/* A write job whose event and reply are described by the handler. */
typedef struct org_job {
    app *a;
    const principal *p;
    const char *code, *name, *type, *legal, *region;
    int64_t id, parent_id;
    int set_parent;
    int64_t count;         /* for 409 in_use */
    char why[200];         /* Chinese reason for a 409 or 400, "" otherwise */
    const char *bad_field; /* with FZ_INVALID: the field a missing reference came from */
    const char *bad_label;
} org_job;

/* A reference in field (label) that does not hold: 400 naming the field. */
static int bad_ref(org_job *j, const char *field, const char *label)
{
    j->bad_field = field;
    j->bad_label = label;
    return FZ_INVALID;
}

static org_job *new_job(req *r)
{
    org_job *j = arena_alloc(req_arena(r), sizeof(*j));
    if (j) {
        j->a = req_app(r);
        j->p = api_who(r);
    }
    return j;
}

static int org_event(store_conn *w, org_job *j, const char *kind, const char *id, const char *action,
                     json_t *payload)
{
    event e = {.ledger = j->a->cfg.region_code, .actor = j->p->username, .unit_id = j->p->unit_id,
               .subject_kind = kind, .subject_id = id, .action = action};
    int rc = event_append(w, &e, payload);
    json_decref(payload);
    return rc;
}

static int in_use_or_ok(req *r, org_job *j, int rc, int created)
{
    if (rc == FZ_INVALID && j->bad_field)
        return api_invalid(r, j->bad_field, j->bad_label, j->why);
    if (rc == FZ_CONFLICT && j->why[0]) {
        json_t *e = json_pack("{s:s, s:s, s:I}", "code", "in_use", "message", j->why, "count", (json_int_t)j->count);
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
    char parent[13] = "";
    int level = region_code_level(j->code);
    if (level > 3 && region_code_parent(j->code, parent) == FZ_OK) {
        int64_t n;
        if (store_query_int(w, &n, 0, "SELECT count(*) FROM regions WHERE code = ?", "s", parent))
            return FZ_ERR;
        if (!n) {
            snprintf(j->why, sizeof(j->why), "上级区划 %s 不存在，请先添加上级区划", parent);
            return bad_ref(j, "code", "区划代码");
        }
    } else if (level <= 3) {
        region_code_parent(j->code, parent);
    }
    int rc = store_run(w, "INSERT INTO regions (code, name, level, parent_code) VALUES (?, ?, ?, ?)", "ssis", j->code,
                       j->name, (int64_t)level, parent);
    if (rc)
        return rc;
    return org_event(w, j, "region", j->code, "region.created",
                     json_pack("{s:s, s:s, s:i, s:s}", "code", j->code, "name", j->name, "level", level, "parent_code",
                               parent));
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
    char *norm = arena_alloc(req_arena(r), 13);
    if (!j || !norm)
        return api_store_error(r);
    if (region_code_normalize(code, norm) != FZ_OK || region_code_validate(norm) != FZ_OK)
        return api_invalid(r, "code", "区划代码", "应为 6、9 或 12 位有效的统计用区划代码");
    j->code = norm;
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
    int rc = store_run(w, "UPDATE regions SET name = ? WHERE code = ?", "ss", j->name, j->code);
    if (rc)
        return rc;
    if (store_changes(w) == 0)
        return FZ_NOTFOUND;
    return org_event(w, j, "region", j->code, "region.updated", json_pack("{s:s, s:s}", "code", j->code, "name", j->name));
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
    int64_t kids, units;
    if (store_query_int(w, &kids, 0, "SELECT count(*) FROM regions WHERE parent_code = ?", "s", j->code) ||
        store_query_int(w, &units, 0, "SELECT count(*) FROM units WHERE region_code = ?", "s", j->code))
        return FZ_ERR;
    if (kids || units) {
        j->count = kids + units;
        snprintf(j->why, sizeof(j->why), "该区划下还有 %lld 个下级区划、%lld 个单位，不能删除", (long long)kids,
                 (long long)units);
        return FZ_CONFLICT;
    }
    int rc = store_run(w, "DELETE FROM regions WHERE code = ?", "s", j->code);
    if (rc)
        return rc;
    if (store_changes(w) == 0)
        return FZ_NOTFOUND;
    return org_event(w, j, "region", j->code, "region.deleted", json_pack("{s:s}", "code", j->code));
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

static const char *const UNIT_TYPES[] = {"执法主体", "综合执法队", "乡镇", "部门", "其他", NULL};
static const char *const LEGAL_STATUSES[] = {"行政机关", "法律法规授权组织", "受委托组织", NULL};

static int one_of(const char *v, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(v, list[i]) == 0)
            return 1;
    return 0;
}

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

static json_t *unit_payload(org_job *j, const char *path)
{
    return json_pack("{s:I, s:s?, s:s?, s:s?, s:s?, s:I, s:s}", "id", (json_int_t)j->id, "name", j->name, "type",
                     j->type, "legal_status", j->legal, "region_code", j->region, "parent_id",
                     (json_int_t)j->parent_id, "path", path);
}

static int unit_path(store_conn *w, int64_t id, char *out, size_t n)
{
    store_stmt *st;
    if (store_prepare(w, "SELECT path FROM units WHERE id = ?", &st))
        return FZ_ERR;
    store_bind_int(st, 1, id);
    int rc = store_step(st) == STORE_ROW ? FZ_OK : FZ_NOTFOUND;
    if (rc == FZ_OK)
        snprintf(out, n, "%s", store_col_text(st, 0));
    store_done(st);
    return rc;
}

static int check_region(store_conn *w, org_job *j)
{
    int64_t n;
    if (!j->region)
        return FZ_OK;
    if (store_query_int(w, &n, 0, "SELECT count(*) FROM regions WHERE code = ?", "s", j->region))
        return FZ_ERR;
    if (!n) {
        snprintf(j->why, sizeof(j->why), "区划 %s 不存在，请先在区划管理中添加", j->region);
        return bad_ref(j, "region_code", "所在区划");
    }
    return FZ_OK;
}

static int unit_insert(store_conn *w, void *ctx)
{
    org_job *j = ctx;
    char parent_path[512] = "/";
    int rc = check_region(w, j);
    if (rc)
        return rc;
    if (j->parent_id && (rc = unit_path(w, j->parent_id, parent_path, sizeof(parent_path)))) {
        snprintf(j->why, sizeof(j->why), "上级单位 %lld 不存在", (long long)j->parent_id);
        return rc == FZ_NOTFOUND ? bad_ref(j, "parent_id", "上级单位") : rc;
    }
    store_stmt *st;
    if (store_prepare(w, "INSERT INTO units (name, type, legal_status, region_code, parent_id, path, created_at)"
                         " VALUES (?, ?, ?, ?, ?, '', ?) RETURNING id", &st))
        return FZ_ERR;
    store_bind_text(st, 1, j->name);
    store_bind_text(st, 2, j->type);
    store_bind_text(st, 3, j->legal);
    store_bind_text(st, 4, j->region);
    store_bind_int(st, 5, j->parent_id);
    store_bind_int(st, 6, time_now_ms());
    rc = store_step(st);
    if (rc == STORE_ROW) {
        j->id = store_col_int(st, 0);
        rc = store_step(st) == STORE_DONE ? FZ_OK : FZ_ERR;
    }
    store_done(st);
    if (rc)
        return rc;
    char path[600];
    snprintf(path, sizeof(path), "%s%lld/", parent_path, (long long)j->id);
    if ((rc = store_run(w, "UPDATE units SET path = ? WHERE id = ?", "si", path, j->id)))
        return rc;
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", (long long)j->id);
    return org_event(w, j, "unit", sid, "unit.created", unit_payload(j, path));
}

/* Validates the unit fields present in body into j. */
static int unit_fields(req *r, const json_t *body, org_job *j, int create)
{
    static const char *const keys[] = {"name", "type", "legal_status", "region_code", "parent_id", NULL};
    if (api_only_keys(r, body, keys) || api_text(r, body, "name", "单位名称", create, 100, &j->name) ||
        api_text(r, body, "type", "单位类型", create, 20, &j->type) ||
        api_text(r, body, "legal_status", "法律地位", create, 20, &j->legal) ||
        api_text(r, body, "region_code", "所在区划", create, 12, &j->region) ||
        api_int(r, body, "parent_id", "上级单位", 0, 0, INT64_MAX, &j->parent_id, &j->set_parent))
        return FZ_INVALID;
    if (j->type && !one_of(j->type, UNIT_TYPES))
        return api_invalid(r, "type", "单位类型", "应为 执法主体、综合执法队、乡镇、部门 或 其他");
    if (j->legal && !one_of(j->legal, LEGAL_STATUSES))
        return api_invalid(r, "legal_status", "法律地位", "应为 行政机关、法律法规授权组织 或 受委托组织");
    if (j->region) {
        char *norm = arena_alloc(req_arena(r), 13);
        if (!norm || region_code_normalize(j->region, norm) != FZ_OK || region_code_validate(norm) != FZ_OK)
            return api_invalid(r, "region_code", "所在区划", "应为有效的区划代码");
        j->region = norm;
    }
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
                       : authz_scope_all(c, p, "system:unit:edit");
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
    if (!c || parent_allowed(r, c, j->parent_id))
        return FZ_OK;
    if (req_write(r, unit_insert, j, then_created) != FZ_OK)
        return api_store_error(r);
    return FZ_OK;
}

static int unit_update(store_conn *w, void *ctx)
{
    org_job *j = ctx;
    char old[512], path[600];
    int rc = unit_path(w, j->id, old, sizeof(old));
    if (rc || (rc = check_region(w, j)))
        return rc;
    snprintf(path, sizeof(path), "%s", old);
    if (j->set_parent) {
        char parent_path[512] = "/";
        if (j->parent_id && (rc = unit_path(w, j->parent_id, parent_path, sizeof(parent_path)))) {
            snprintf(j->why, sizeof(j->why), "上级单位 %lld 不存在", (long long)j->parent_id);
            return rc == FZ_NOTFOUND ? bad_ref(j, "parent_id", "上级单位") : rc;
        }
        if (strncmp(parent_path, old, strlen(old)) == 0) {
            snprintf(j->why, sizeof(j->why), "不能把单位移到它自己或它的下级单位之下");
            return bad_ref(j, "parent_id", "上级单位");
        }
        snprintf(path, sizeof(path), "%s%lld/", parent_path, (long long)j->id);
        /* Re-root the whole subtree: every descendant's path starts with old. */
        rc = store_run(w, "UPDATE units SET path = ? || substr(path, ?) WHERE path LIKE ? || '%'", "sis", path,
                       (int64_t)strlen(old) + 1, old);
        if (rc || (rc = store_run(w, "UPDATE units SET parent_id = ? WHERE id = ?", "ii", j->parent_id, j->id)))
            return rc;
    }
    if (j->name && (rc = store_run(w, "UPDATE units SET name = ? WHERE id = ?", "si", j->name, j->id)))
        return rc;
    if (j->type && (rc = store_run(w, "UPDATE units SET type = ? WHERE id = ?", "si", j->type, j->id)))
        return rc;
    if (j->legal && (rc = store_run(w, "UPDATE units SET legal_status = ? WHERE id = ?", "si", j->legal, j->id)))
        return rc;
    if (j->region && (rc = store_run(w, "UPDATE units SET region_code = ? WHERE id = ?", "si", j->region, j->id)))
        return rc;
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", (long long)j->id);
    return org_event(w, j, "unit", sid, "unit.updated", unit_payload(j, path));
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
    if (authz_unit_visible(c, j->p, "system:unit:edit", id, 0) != FZ_OK)
        return api_not_found(r, "单位");
    if (j->set_parent && parent_allowed(r, c, j->parent_id))
        return FZ_OK;
    if (req_write(r, unit_update, j, then_ok) != FZ_OK)
        return api_store_error(r);
    return FZ_OK;
}

static int unit_delete(store_conn *w, void *ctx)
{
    org_job *j = ctx;
    int64_t users, kids;
    if (store_query_int(w, &users, 0, "SELECT count(*) FROM users WHERE unit_id = ?", "i", j->id) ||
        store_query_int(w, &kids, 0, "SELECT count(*) FROM units WHERE parent_id = ?", "i", j->id))
        return FZ_ERR;
    if (users || kids) {
        j->count = users + kids;
        snprintf(j->why, sizeof(j->why), "该单位下还有 %lld 个用户、%lld 个下级单位，不能删除", (long long)users,
                 (long long)kids);
        return FZ_CONFLICT;
    }
    int rc = store_run(w, "DELETE FROM units WHERE id = ?", "i", j->id);
    if (rc)
        return rc;
    if (store_changes(w) == 0)
        return FZ_NOTFOUND;
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", (long long)j->id);
    return org_event(w, j, "unit", sid, "unit.deleted", json_pack("{s:I}", "id", (json_int_t)j->id));
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
    if (authz_unit_visible(c, j->p, "system:unit:edit", id, 0) != FZ_OK)
        return api_not_found(r, "单位");
    j->id = id;
    if (req_write(r, unit_delete, j, then_ok) != FZ_OK)
        return api_store_error(r);
    return FZ_OK;
}
