/* cases_api.c: the generic case API (docs/definitions.md): one set of
 * handlers for every procedure definition. */
#include "api/app.h"
#include "api/routes.h"
#include "api/util.h"
#include "engine/cases.h"
#include "engine/export.h"
#include "engine/fields.h"
#include "core/status.h"
#include "core/validate.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void release_json(void *p)
{
    json_decref(p);
}

static const def *procedure(req *r)
{
    app *a = req_app(r);
    const def *d = defs_find(a->defs, DEF_PROCEDURE, req_param(r, "kind"));
    if (!d)
        api_not_found(r, "程序类型");
    return d;
}

static void init_ctx(req *r, const def *d, case_ctx *x)
{
    app *a = req_app(r);
    *x = (case_ctx){.d = d, .who = api_who(r), .keys = &a->keys, .ledger = a->cfg.region_code};
}

static int reply_refusal(req *r, case_ctx *x, int rc)
{
    if (!x->status)
        return api_store_error(r);
    json_t *fields = x->field[0] ? json_pack("{s:s}", x->field, x->message) : NULL;
    return req_reply_error(r, x->status, x->code ? x->code : "conflict", x->message, fields);
}

/* The case exists and is within the caller's scope for perm (404 if not). */
static int visible_case(req *r, store_conn *c, const def *d, const char *perm, int64_t id)
{
    int64_t unit, handler;
    int rc = case_owner(c, d, id, &unit, &handler);
    if (rc == FZ_NOTFOUND || (rc == FZ_OK && authz_unit_visible(c, api_who(r), perm, unit, handler) != FZ_OK))
        return api_not_found(r, "案件");
    return rc ? api_store_error(r) : FZ_OK;
}

int api_cases_list(req *r)
{
    const def *d = procedure(r);
    int64_t page, size;
    if (!d || api_paging(r, &page, &size))
        return FZ_OK;
    json_t *filters = json_object();
    if (arena_defer(req_arena(r), release_json, filters)) {
        json_decref(filters);
        return api_store_error(r);
    }
    const char *v = req_query(r, "state");
    if (v)
        json_object_set_new(filters, "state", json_string(v));
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(d->json, "fields"), i, f)
    {
        const char *name = json_string_value(json_object_get(f, "name"));
        if ((v = req_query(r, name)) && *v) {
            if (!utf8_valid(v, strlen(v)))
                return api_invalid(r, name, "筛选", "不是有效的 UTF-8 编码");
            json_object_set_new(filters, name, json_string(v));
        }
    }
    /* fields=a,b,c: only those fields in each row (the list page asks for
     * the columns it shows). */
    json_t *only = NULL;
    if ((v = req_query(r, "fields")) && *v) {
        only = json_array();
        if (arena_defer(req_arena(r), release_json, only)) {
            json_decref(only);
            return api_store_error(r);
        }
        if (!utf8_valid(v, strlen(v)))
            return api_invalid(r, "fields", "字段", "不是有效的 UTF-8 编码");
        for (const char *p = v; *p;) {
            size_t n = strcspn(p, ",");
            char name[64];
            if (n == 0 || n >= sizeof(name))
                return api_invalid(r, "fields", "字段", "应为以逗号分隔的字段名");
            memcpy(name, p, n);
            name[n] = '\0';
            if (!fields_find(d, name)) {
                char why[160];
                snprintf(why, sizeof(why), "定义中没有字段 %s", name);
                return api_invalid(r, "fields", "字段", why);
            }
            json_array_append_new(only, json_string(name));
            p += n + (p[n] == ',');
        }
    }
    const char *order = req_query(r, "order");
    case_query q = {.filters = filters, .sort = req_query(r, "sort"), .desc = !order || strcmp(order, "asc") != 0,
                    .page = page, .size = size, .fields = only};
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    case_ctx x;
    init_ctx(r, d, &x);
    strbuf out = STRBUF_INIT;
    int rc = case_list_text(c, &x, &q, &out);
    if (!rc)
        rc = req_reply_json_text(r, 200, out.data, out.len);
    else
        reply_refusal(r, &x, rc);
    strbuf_free(&out);
    return FZ_OK;
}

int api_cases_get(req *r)
{
    const def *d = procedure(r);
    int64_t id;
    if (!d || api_path_id(r, "id", &id))
        return FZ_OK;
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    case_ctx x;
    init_ctx(r, d, &x);
    strbuf out = STRBUF_INIT;
    int rc = case_json_visible(c, &x, id, "case:view", &out);
    if (rc == FZ_OK)
        req_reply_json_text(r, 200, out.data, out.len);
    else if (rc == FZ_NOTFOUND)
        api_not_found(r, "案件");
    else
        api_store_error(r);
    strbuf_free(&out);
    return FZ_OK;
}

/* Answers with the case as GET shows it (case_json_text); not replied
 * when it cannot be read. */
static int reply_case(req *r, case_ctx *x, int64_t id, int status)
{
    store_conn *c = store_reader(req_app(r)->st);
    strbuf out = STRBUF_INIT;
    int rc = c ? case_json_text(c, x, id, &out) : FZ_ERR;
    if (rc == FZ_OK)
        req_reply_json_text(r, status, out.data, out.len);
    strbuf_free(&out);
    return rc;
}

typedef struct case_job {
    case_ctx x;
    json_t *values;       /* borrowed from the request body */
    const char *action, *comment;
    int64_t id, unit_id;
    char no[80];
} case_job;

static int create_write(store_conn *w, void *ctx)
{
    case_job *j = ctx;
    return case_create(w, &j->x, j->values, j->unit_id, &j->id, j->no);
}

static int created_then(req *r, void *ctx, int rc)
{
    case_job *j = ctx;
    if (rc)
        return reply_refusal(r, &j->x, rc);
    if (reply_case(r, &j->x, j->id, 201) == FZ_OK)
        return FZ_OK;
    return req_reply_json(r, 201, json_pack("{s:I, s:s}", "id", (json_int_t)j->id, "no", j->no));
}

int api_cases_create(req *r)
{
    const def *d = procedure(r);
    json_t *body = d ? req_json_body(r) : NULL;
    case_job *j = arena_alloc(req_arena(r), sizeof(*j));
    if (!body || !j)
        return FZ_OK;
    init_ctx(r, d, &j->x);
    /* unit_id (optional, default: the caller's unit) is not a field. */
    j->unit_id = j->x.who->unit_id;
    json_t *unit = json_object_get(body, "unit_id");
    if (unit) {
        if (!json_is_integer(unit))
            return api_invalid(r, "unit_id", "承办单位", "应为单位编号");
        j->unit_id = json_integer_value(unit);
        json_object_del(body, "unit_id");
    }
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    if (authz_unit_visible(c, j->x.who, "case:create", j->unit_id, 0) != FZ_OK)
        return api_invalid(r, "unit_id", "承办单位", "单位不存在或不在您的数据范围内");
    if (case_check_values(&j->x, body, 1))
        return reply_refusal(r, &j->x, FZ_INVALID);
    j->values = body;
    if (req_write(r, create_write, j, created_then) != FZ_OK)
        return api_store_error(r);
    return FZ_OK;
}

static int act_write(store_conn *w, void *ctx)
{
    case_job *j = ctx;
    return j->action ? case_act(w, &j->x, j->id, j->action, j->values, j->comment)
                     : case_comment(w, &j->x, j->id, j->comment);
}

static int acted_then(req *r, void *ctx, int rc)
{
    case_job *j = ctx;
    if (rc)
        return reply_refusal(r, &j->x, rc);
    return reply_case(r, &j->x, j->id, 200) == FZ_OK ? FZ_OK : api_store_error(r);
}

int api_cases_act(req *r)
{
    const def *d = procedure(r);
    int64_t id;
    if (!d || api_path_id(r, "id", &id))
        return FZ_OK;
    json_t *body = req_json_body(r);
    case_job *j = arena_alloc(req_arena(r), sizeof(*j));
    store_conn *c = api_reader(r);
    if (!body || !j || !c || visible_case(r, c, d, "case:handle", id))
        return FZ_OK;
    init_ctx(r, d, &j->x);
    json_t *comment = json_object_get(body, "comment");
    if (comment && (!json_is_string(comment) || json_string_length(comment) > 6000))
        return api_invalid(r, "comment", "办理意见", "应为不超过 2000 字的文本");
    json_t *to_unit = json_object_get(body, "to_unit");
    if (to_unit && !json_is_integer(to_unit))
        return api_invalid(r, "to_unit", "接收单位", "应为单位编号");
    j->x.to_unit = to_unit ? json_integer_value(to_unit) : 0;
    json_object_del(body, "to_unit");
    /* Copied: deleting the key from the body frees its string. */
    j->comment = comment ? arena_strdup(req_arena(r), json_string_value(comment)) : "";
    if (!j->comment)
        return api_store_error(r);
    json_object_del(body, "comment");
    j->values = body;
    j->id = id;
    j->action = req_param(r, "action");
    if (req_write(r, act_write, j, acted_then) != FZ_OK)
        return api_store_error(r);
    return FZ_OK;
}

int api_cases_comment(req *r)
{
    const def *d = procedure(r);
    int64_t id;
    if (!d || api_path_id(r, "id", &id))
        return FZ_OK;
    static const char *const keys[] = {"text", NULL};
    json_t *body = req_json_body(r);
    case_job *j = arena_alloc(req_arena(r), sizeof(*j));
    store_conn *c = api_reader(r);
    const char *text;
    if (!body || !j || !c || api_only_keys(r, body, keys) || api_text(r, body, "text", "意见", 1, 2000, &text) ||
        visible_case(r, c, d, "case:view", id))
        return FZ_OK;
    init_ctx(r, d, &j->x);
    j->comment = text;
    j->id = id;
    if (req_write(r, act_write, j, acted_then) != FZ_OK)
        return api_store_error(r);
    return FZ_OK;
}

static int assign_write(store_conn *w, void *ctx)
{
    case_job *j = ctx;
    return case_assign(w, &j->x, j->id, j->unit_id);
}

/* POST /api/cases/{kind}/{id}/assign {"handler_id"}: 指定承办人. */
int api_cases_assign(req *r)
{
    const def *d = procedure(r);
    int64_t id, handler;
    if (!d || api_path_id(r, "id", &id))
        return FZ_OK;
    static const char *const keys[] = {"handler_id", NULL};
    json_t *body = req_json_body(r);
    case_job *j = arena_alloc(req_arena(r), sizeof(*j));
    store_conn *c = api_reader(r);
    if (!body || !j || !c || api_only_keys(r, body, keys) ||
        api_int(r, body, "handler_id", "承办人", 1, 1, INT64_MAX, &handler, NULL) ||
        visible_case(r, c, d, "case:handle", id))
        return FZ_OK;
    init_ctx(r, d, &j->x);
    j->id = id;
    j->unit_id = handler; /* the new handler, carried in the job */
    if (req_write(r, assign_write, j, acted_then) != FZ_OK)
        return api_store_error(r);
    return FZ_OK;
}

int api_defs_get(req *r)
{
    app *a = req_app(r);
    const char *type = req_param(r, "type"), *name = req_param(r, "name");
    def_type t = !strcmp(type, "procedure") ? DEF_PROCEDURE : !strcmp(type, "catalog") ? DEF_CATALOG : DEF_INDICATOR;
    const def *d = (!strcmp(type, "procedure") || !strcmp(type, "catalog") || !strcmp(type, "indicator"))
                       ? defs_find(a->defs, t, name)
                       : NULL;
    if (!d)
        return api_not_found(r, "定义");
    json_t *o = json_deep_copy(d->json);
    json_object_set_new(o, "digest", json_string(d->digest));
    return req_reply_json(r, 200, o);
}

/* Cell text of a field value for exports (a party by its name). */
static const char *cell_text(arena *a, json_t *v)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_object(v))
        return json_string_value(json_object_get(v, "name"));
    if (json_is_integer(v))
        return arena_printf(a, "%lld", (long long)json_integer_value(v));
    if (json_is_boolean(v))
        return json_is_true(v) ? "是" : "否";
    return "";
}

typedef struct export_acc {
    exporter *e;
    json_t *fields;
    const char **cells;
    int ncols;
} export_acc;

static int export_one(void *ctx, json_t *row)
{
    export_acc *a = ctx;
    arena scratch;
    arena_init(&scratch, 1024);
    size_t i;
    json_t *f;
    a->cells[0] = json_string_value(json_object_get(row, "no"));
    a->cells[1] = json_string_value(json_object_get(row, "state_label"));
    json_array_foreach(a->fields, i, f) a->cells[2 + i] = cell_text(
        &scratch, json_object_get(json_object_get(row, "fields"), json_string_value(json_object_get(f, "name"))));
    a->cells[a->ncols - 2] = json_string_value(json_object_get(row, "created_at"));
    a->cells[a->ncols - 1] = json_string_value(json_object_get(row, "updated_at"));
    int rc = export_row(a->e, a->cells);
    arena_free(&scratch);
    return rc;
}

/* GET /api/cases/{kind}/export?format=csv|xlsx&<the list's filters>: the
 * list the caller can see, page by page into a file (constant memory), then
 * streamed. */
int api_cases_export(req *r)
{
    const def *d = procedure(r);
    if (!d)
        return FZ_OK;
    int fmt = export_format_parse(req_query(r, "format"));
    if (fmt < 0)
        return api_invalid(r, "format", "导出格式", "应为 csv 或 xlsx");
    json_t *filters = json_object();
    if (arena_defer(req_arena(r), release_json, filters)) {
        json_decref(filters);
        return api_store_error(r);
    }
    const char *v = req_query(r, "state");
    if (v)
        json_object_set_new(filters, "state", json_string(v));
    json_t *fields = json_object_get(d->json, "fields");
    size_t i;
    json_t *f;
    int ncols = 4 + (int)json_array_size(fields);
    const char **headers = arena_alloc(req_arena(r), sizeof(char *) * (size_t)ncols);
    const char **cells = arena_alloc(req_arena(r), sizeof(char *) * (size_t)ncols);
    if (!headers || !cells)
        return api_store_error(r);
    headers[0] = "编号";
    headers[1] = "状态";
    json_array_foreach(fields, i, f)
    {
        const char *name = json_string_value(json_object_get(f, "name"));
        headers[2 + i] = json_string_value(json_object_get(f, "label"));
        if ((v = req_query(r, name)) && *v) {
            if (!utf8_valid(v, strlen(v)))
                return api_invalid(r, name, "筛选", "不是有效的 UTF-8 编码");
            json_object_set_new(filters, name, json_string(v));
        }
    }
    headers[ncols - 2] = "创建时间";
    headers[ncols - 1] = "更新时间";
    app *a = req_app(r);
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    char path[1200];
    snprintf(path, sizeof(path), "%s/export-%d-%p.%s", a->cfg.data, (int)getpid(), (void *)r,
             export_ext((export_format)fmt));
    exporter *e = export_open((export_format)fmt, path, json_string_value(json_object_get(d->json, "title")), headers,
                              ncols);
    if (!e)
        return api_store_error(r);
    case_ctx x;
    init_ctx(r, d, &x);
    export_acc acc = {e, fields, cells, ncols};
    int rc = case_each(c, &x, filters, export_one, &acc);
    if (export_close(e) != FZ_OK || rc != FZ_OK) {
        unlink(path);
        return rc == FZ_INVALID || x.status ? reply_refusal(r, &x, rc) : api_store_error(r);
    }
    char name[200];
    snprintf(name, sizeof(name), "%s.%s", json_string_value(json_object_get(d->json, "title")),
             export_ext((export_format)fmt));
    return req_reply_file(r, path, export_mime((export_format)fmt), name);
}
