/* org.c: writes to the region and unit trees, each with its chained event
 * (see org.h). Validation of the closed lists and of the references lives
 * here so that every writer (HTTP, `fazhi demo`) is held to the same rules. */
#include "engine/org.h"
#include "engine/events.h"
#include "engine/indicators.h"
#include "store/store.h"
#include "core/status.h"
#include "core/timeutil.h"
#include "core/validate.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static const char *const UNIT_TYPES[] = {"执法主体", "综合执法队", "乡镇", "部门", "其他", NULL};
static const char *const LEGAL_STATUSES[] = {"行政机关", "法律法规授权组织", "受委托组织", NULL};

static int one_of(const char *v, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(v, list[i]) == 0)
            return 1;
    return 0;
}

/* A reference or value in field (label) that does not hold: 400 naming it. */
static int bad(org_ctx *x, const char *field, const char *label)
{
    x->bad_field = field;
    x->bad_label = label;
    return FZ_INVALID;
}

static int org_event(store_conn *w, org_ctx *x, const char *kind, const char *id, const char *action,
                     json_t *payload)
{
    event e = {.ledger = x->ledger, .actor = x->actor, .unit_id = x->actor_unit, .subject_kind = kind,
               .subject_id = id, .action = action};
    int rc = payload ? event_append(w, &e, payload) : FZ_NOMEM;
    json_decref(payload);
    return rc;
}

int org_region_code(const char *in, char out[13])
{
    if (region_code_normalize(in, out) != FZ_OK || region_code_validate(out) != FZ_OK)
        return FZ_INVALID;
    return FZ_OK;
}

int org_unit_check(org_ctx *x, org_unit *u, char region[13])
{
    if (u->type && !one_of(u->type, UNIT_TYPES)) {
        snprintf(x->why, sizeof(x->why), "应为 执法主体、综合执法队、乡镇、部门 或 其他");
        return bad(x, "type", "单位类型");
    }
    if (u->legal && !one_of(u->legal, LEGAL_STATUSES)) {
        snprintf(x->why, sizeof(x->why), "应为 行政机关、法律法规授权组织 或 受委托组织");
        return bad(x, "legal_status", "法律地位");
    }
    if (u->region) {
        if (org_region_code(u->region, region) != FZ_OK) {
            snprintf(x->why, sizeof(x->why), "应为有效的区划代码");
            return bad(x, "region_code", "所在区划");
        }
        u->region = region;
    }
    return FZ_OK;
}

/* ---- regions ---- */

int org_region_create(store_conn *w, org_ctx *x, const char *code, const char *name)
{
    char parent[13] = "";
    int level = region_code_level(code);
    if (level > 3 && region_code_parent(code, parent) == FZ_OK) {
        int64_t n;
        if (store_query_int(w, &n, 0, "SELECT count(*) FROM regions WHERE code = ?", "s", parent))
            return FZ_ERR;
        if (!n) {
            snprintf(x->why, sizeof(x->why), "上级区划 %s 不存在，请先添加上级区划", parent);
            return bad(x, "code", "区划代码");
        }
    } else if (level <= 3) {
        region_code_parent(code, parent);
    }
    int rc = store_run(w, "INSERT INTO regions (code, name, level, parent_code) VALUES (?, ?, ?, ?)", "ssis", code,
                       name, (int64_t)level, parent);
    if (rc)
        return rc;
    return org_event(w, x, "region", code, "region.created",
                     json_pack("{s:s, s:s, s:i, s:s}", "code", code, "name", name, "level", level, "parent_code",
                               parent));
}

int org_region_rename(store_conn *w, org_ctx *x, const char *code, const char *name)
{
    int rc = store_run(w, "UPDATE regions SET name = ? WHERE code = ?", "ss", name, code);
    if (rc)
        return rc;
    if (store_changes(w) == 0)
        return FZ_NOTFOUND;
    return org_event(w, x, "region", code, "region.updated", json_pack("{s:s, s:s}", "code", code, "name", name));
}

int org_region_delete(store_conn *w, org_ctx *x, const char *code)
{
    int64_t kids, units;
    if (store_query_int(w, &kids, 0, "SELECT count(*) FROM regions WHERE parent_code = ?", "s", code) ||
        store_query_int(w, &units, 0, "SELECT count(*) FROM units WHERE region_code = ?", "s", code))
        return FZ_ERR;
    if (kids || units) {
        x->count = kids + units;
        snprintf(x->why, sizeof(x->why), "该区划下还有 %lld 个下级区划、%lld 个单位，不能删除", (long long)kids,
                 (long long)units);
        return FZ_CONFLICT;
    }
    int rc = store_run(w, "DELETE FROM regions WHERE code = ?", "s", code);
    if (rc)
        return rc;
    if (store_changes(w) == 0)
        return FZ_NOTFOUND;
    return org_event(w, x, "region", code, "region.deleted", json_pack("{s:s}", "code", code));
}

/* ---- units ---- */

static json_t *unit_payload(int64_t id, const org_unit *u, const char *path)
{
    return json_pack("{s:I, s:s?, s:s?, s:s?, s:s?, s:I, s:s}", "id", (json_int_t)id, "name", u->name, "type",
                     u->type, "legal_status", u->legal, "region_code", u->region, "parent_id",
                     (json_int_t)u->parent_id, "path", path);
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

static int check_region(store_conn *w, org_ctx *x, const char *region)
{
    int64_t n;
    if (!region)
        return FZ_OK;
    if (store_query_int(w, &n, 0, "SELECT count(*) FROM regions WHERE code = ?", "s", region))
        return FZ_ERR;
    if (!n) {
        snprintf(x->why, sizeof(x->why), "区划 %s 不存在，请先在区划管理中添加", region);
        return bad(x, "region_code", "所在区划");
    }
    return FZ_OK;
}

/* The parent's path into out ("/" for none); a missing parent is a bad reference. */
static int parent_path(store_conn *w, org_ctx *x, int64_t parent_id, char *out, size_t n)
{
    snprintf(out, n, "/");
    if (!parent_id)
        return FZ_OK;
    int rc = unit_path(w, parent_id, out, n);
    if (rc) {
        snprintf(x->why, sizeof(x->why), "上级单位 %lld 不存在", (long long)parent_id);
        return rc == FZ_NOTFOUND ? bad(x, "parent_id", "上级单位") : rc;
    }
    return FZ_OK;
}

int org_unit_create(store_conn *w, org_ctx *x, const org_unit *u, int64_t *id)
{
    char ppath[512];
    int rc = check_region(w, x, u->region);
    if (rc || (rc = parent_path(w, x, u->parent_id, ppath, sizeof(ppath))))
        return rc;
    store_stmt *st;
    if (store_prepare(w, "INSERT INTO units (name, type, legal_status, region_code, parent_id, path, created_at)"
                         " VALUES (?, ?, ?, ?, ?, '', ?) RETURNING id", &st))
        return FZ_ERR;
    store_bind_text(st, 1, u->name);
    store_bind_text(st, 2, u->type);
    store_bind_text(st, 3, u->legal);
    store_bind_text(st, 4, u->region);
    store_bind_int(st, 5, u->parent_id);
    store_bind_int(st, 6, time_now_ms());
    rc = store_step(st);
    if (rc == STORE_ROW) {
        *id = store_col_int(st, 0);
        rc = store_step(st) == STORE_DONE ? FZ_OK : FZ_ERR;
    }
    store_done(st);
    if (rc)
        return rc;
    char path[600], sid[24];
    snprintf(path, sizeof(path), "%s%lld/", ppath, (long long)*id);
    if ((rc = store_run(w, "UPDATE units SET path = ? WHERE id = ?", "si", path, *id)))
        return rc;
    snprintf(sid, sizeof(sid), "%lld", (long long)*id);
    return org_event(w, x, "unit", sid, "unit.created", unit_payload(*id, u, path));
}

int org_unit_update(store_conn *w, org_ctx *x, int64_t id, const org_unit *u)
{
    char old[512], path[600];
    int rc = unit_path(w, id, old, sizeof(old));
    if (rc || (rc = check_region(w, x, u->region)))
        return rc;
    snprintf(path, sizeof(path), "%s", old);
    if (u->set_parent) {
        char ppath[512];
        if ((rc = parent_path(w, x, u->parent_id, ppath, sizeof(ppath))))
            return rc;
        if (strncmp(ppath, old, strlen(old)) == 0) {
            snprintf(x->why, sizeof(x->why), "不能把单位移到它自己或它的下级单位之下");
            return bad(x, "parent_id", "上级单位");
        }
        snprintf(path, sizeof(path), "%s%lld/", ppath, (long long)id);
        /* Re-root the whole subtree: every descendant's path starts with old. */
        rc = store_run(w, "UPDATE units SET path = ? || substr(path, ?) WHERE path LIKE ? || '%'", "sis", path,
                       (int64_t)strlen(old) + 1, old);
        if (rc || (rc = store_run(w, "UPDATE units SET parent_id = ? WHERE id = ?", "ii", u->parent_id, id)))
            return rc;
    }
    if (u->name && (rc = store_run(w, "UPDATE units SET name = ? WHERE id = ?", "si", u->name, id)))
        return rc;
    if (u->type && (rc = store_run(w, "UPDATE units SET type = ? WHERE id = ?", "si", u->type, id)))
        return rc;
    if (u->legal && (rc = store_run(w, "UPDATE units SET legal_status = ? WHERE id = ?", "si", u->legal, id)))
        return rc;
    if (u->region) {
        /* The unit's monthly values follow it to its new county's roll-up. */
        int64_t from, to;
        if ((rc = ind_unit_county(w, id, &from)) ||
            (rc = store_run(w, "UPDATE units SET region_code = ? WHERE id = ?", "si", u->region, id)) ||
            (rc = ind_unit_county(w, id, &to)) || (rc = ind_unit_moved(w, id, from, to)))
            return rc;
    }
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", (long long)id);
    return org_event(w, x, "unit", sid, "unit.updated", unit_payload(id, u, path));
}

int org_unit_delete(store_conn *w, org_ctx *x, int64_t id)
{
    int64_t users, kids;
    if (store_query_int(w, &users, 0, "SELECT count(*) FROM users WHERE unit_id = ?", "i", id) ||
        store_query_int(w, &kids, 0, "SELECT count(*) FROM units WHERE parent_id = ?", "i", id))
        return FZ_ERR;
    if (users || kids) {
        x->count = users + kids;
        snprintf(x->why, sizeof(x->why), "该单位下还有 %lld 个用户、%lld 个下级单位，不能删除", (long long)users,
                 (long long)kids);
        return FZ_CONFLICT;
    }
    int64_t county;
    int rc = ind_unit_county(w, id, &county);
    if (rc || (rc = store_run(w, "DELETE FROM units WHERE id = ?", "i", id)))
        return rc;
    if (store_changes(w) == 0)
        return FZ_NOTFOUND;
    /* Values of a unit that is gone are in no county's roll-up (as the
     * recompute finds them). */
    if ((rc = ind_unit_moved(w, id, county, 0)))
        return rc;
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", (long long)id);
    return org_event(w, x, "unit", sid, "unit.deleted", json_pack("{s:I}", "id", (json_int_t)id));
}
