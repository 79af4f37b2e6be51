/* catalogs_api.c: versioned registries (docs/definitions.md): list rows in
 * force (now or on a date), read one, add, amend (a new version), history. */
#include "api/app.h"
#include "api/routes.h"
#include "api/util.h"
#include "engine/catalogs.h"
#include "core/status.h"
#include "core/timeutil.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const def *catalog(req *r)
{
    const def *d = defs_find(req_app(r)->defs, DEF_CATALOG, req_param(r, "name"));
    if (!d)
        api_not_found(r, "名录");
    return d;
}

static void init_ctx(req *r, const def *d, cat_ctx *x)
{
    app *a = req_app(r);
    *x = (cat_ctx){.d = d, .who = api_who(r), .keys = &a->keys, .ledger = a->cfg.region_code};
}

static int refusal(req *r, cat_ctx *x, int rc)
{
    if (!x->status)
        return api_store_error(r);
    json_t *fields = x->field[0] ? json_pack("{s:s}", x->field, x->message) : NULL;
    return req_reply_error(r, x->status, x->code, x->message, fields);
}

/* ?as_of=YYYY-MM-DD: the end of that day, server local time. */
static int as_of(req *r, int64_t *out)
{
    const char *v = req_query(r, "as_of");
    *out = 0;
    if (!v || !*v)
        return FZ_OK;
    int y, m, d;
    if (date_parse(v, &y, &m, &d) != FZ_OK)
        return api_invalid(r, "as_of", "有效日期", "应为 YYYY-MM-DD");
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d + 1, .tm_isdst = -1};
    *out = (int64_t)mktime(&tm) * 1000 - 1;
    return FZ_OK;
}

int api_catalogs_list(req *r)
{
    const def *d = catalog(r);
    int64_t page, size, at;
    const char *q;
    if (!d || api_paging(r, &page, &size) || api_query_text(r, "q", &q) || as_of(r, &at))
        return FZ_OK;
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    cat_ctx x;
    init_ctx(r, d, &x);
    json_t *out = NULL;
    int rc = catalog_list(c, &x, q, at, page, size, &out);
    return rc ? refusal(r, &x, rc) : req_reply_json(r, 200, out);
}

/* GET /api/public/catalogs/{name}: 事前公开 on the public portal, no login:
 * catalogs whose definition says "public": true, published rows in force,
 * the fields marked "publish". */
int api_public_catalogs_list(req *r)
{
    const char *name = req_param(r, "name");
    const def *d = name ? defs_find(req_app(r)->defs, DEF_CATALOG, name) : NULL;
    if (!d || !json_is_true(json_object_get(d->json, "public")))
        return api_not_found(r, "公开名录");
    int64_t page, size;
    const char *q;
    if (api_paging(r, &page, &size) || api_query_text(r, "q", &q))
        return FZ_OK;
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    cat_ctx x = {.d = d, .keys = &req_app(r)->keys, .ledger = req_app(r)->cfg.region_code, .public_view = 1};
    json_t *out = NULL;
    int rc = catalog_list(c, &x, q, 0, page, size, &out);
    if (rc)
        return refusal(r, &x, rc);
    json_object_set_new(out, "title", json_string(json_string_value(json_object_get(d->json, "title"))));
    json_t *cols = json_array();
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(d->json, "fields"), i, f) if (json_is_true(json_object_get(f, "publish")) &&
                                                                    !json_is_true(json_object_get(f, "sensitive")))
        json_array_append_new(cols, json_pack("{s:O, s:O, s:O}", "name", json_object_get(f, "name"), "label",
                                              json_object_get(f, "label"), "type", json_object_get(f, "type")));
    json_object_set_new(out, "columns", cols);
    /* A unit is shown by its name: the public cannot look ids up. */
    json_t *row;
    json_array_foreach(json_object_get(out, "rows"), i, row)
    {
        json_t *vals = json_object_get(row, "fields"), *col;
        size_t k;
        json_array_foreach(cols, k, col)
        {
            const char *fname = json_string_value(json_object_get(col, "name"));
            json_t *v = json_object_get(vals, fname);
            if (strcmp(json_string_value(json_object_get(col, "type")), "unit") || !json_is_integer(v))
                continue;
            store_stmt *st;
            if (store_prepare(c, "SELECT name FROM units WHERE id = ?", &st) == FZ_OK) {
                store_bind_int(st, 1, json_integer_value(v));
                json_object_set_new(vals, fname, store_step(st) == STORE_ROW ? json_string(store_col_text(st, 0))
                                                                             : json_null());
                store_done(st);
            }
        }
    }
    return req_reply_json(r, 200, out);
}

int api_catalogs_get(req *r)
{
    const def *d = catalog(r);
    int64_t id, at;
    if (!d || api_path_id(r, "id", &id) || as_of(r, &at))
        return FZ_OK;
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    cat_ctx x;
    init_ctx(r, d, &x);
    json_t *o = catalog_get(c, &x, id, at);
    return o ? req_reply_json(r, 200, o) : api_not_found(r, at ? "该日有效的名录记录" : "名录记录");
}

int api_catalogs_versions(req *r)
{
    const def *d = catalog(r);
    int64_t id;
    if (!d || api_path_id(r, "id", &id))
        return FZ_OK;
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    cat_ctx x;
    init_ctx(r, d, &x);
    json_t *rows = catalog_versions(c, &x, id);
    if (!rows || json_array_size(rows) == 0) {
        json_decref(rows);
        return api_not_found(r, "名录记录");
    }
    return req_reply_json(r, 200, json_pack("{s:I, s:o}", "total", (json_int_t)json_array_size(rows), "rows", rows));
}

typedef struct cat_job {
    cat_ctx x;
    json_t *values;
    int64_t id, version, unit_id;
} cat_job;

static int insert_write(store_conn *w, void *ctx)
{
    cat_job *j = ctx;
    return catalog_insert(w, &j->x, j->values, j->unit_id, &j->id);
}

static int update_write(store_conn *w, void *ctx)
{
    cat_job *j = ctx;
    return catalog_update(w, &j->x, j->id, j->values, &j->version);
}

static int written(req *r, void *ctx, int rc, int status)
{
    cat_job *j = ctx;
    if (rc)
        return refusal(r, &j->x, rc);
    store_conn *c = api_reader(r);
    json_t *o = c ? catalog_get(c, &j->x, j->id, 0) : NULL;
    return req_reply_json(r, status, o ? o : json_pack("{s:I}", "id", (json_int_t)j->id));
}

static int created_then(req *r, void *ctx, int rc)
{
    return written(r, ctx, rc, 201);
}

static int updated_then(req *r, void *ctx, int rc)
{
    return written(r, ctx, rc, 200);
}

static cat_job *editor_job(req *r, const def *d)
{
    cat_job *j = arena_alloc(req_arena(r), sizeof(*j));
    if (!j) {
        api_store_error(r);
        return NULL;
    }
    init_ctx(r, d, &j->x);
    if (!catalog_may_edit(d, j->x.who)) {
        req_reply_error(r, 403, "forbidden", "您的角色不能维护该名录（见名录定义的 edit_roles）", NULL);
        return NULL;
    }
    return j;
}

int api_catalogs_create(req *r)
{
    const def *d = catalog(r);
    json_t *body = d ? req_json_body(r) : NULL;
    cat_job *j = body ? editor_job(r, d) : NULL;
    if (!j)
        return FZ_OK;
    j->unit_id = j->x.who->unit_id;
    if (catalog_check(&j->x, body, 1))
        return refusal(r, &j->x, FZ_INVALID);
    j->values = body;
    if (req_write(r, insert_write, j, created_then) != FZ_OK)
        return api_store_error(r);
    return FZ_OK;
}

int api_catalogs_update(req *r)
{
    const def *d = catalog(r);
    int64_t id;
    if (!d || api_path_id(r, "id", &id))
        return FZ_OK;
    json_t *body = req_json_body(r);
    cat_job *j = body ? editor_job(r, d) : NULL;
    if (!j)
        return FZ_OK;
    if (catalog_check(&j->x, body, 0))
        return refusal(r, &j->x, FZ_INVALID);
    j->values = body;
    j->id = id;
    if (req_write(r, update_write, j, updated_then) != FZ_OK)
        return api_store_error(r);
    return FZ_OK;
}
