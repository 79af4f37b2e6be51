/* catalogs.c: versioned registry rows (see catalogs.h). Table cat_<name>
 * (engine/schema.c); names come from validated definitions, values are
 * bound. valid_to = 0 marks the version in force. */
#include "engine/catalogs.h"
#include "engine/events.h"
#include "engine/fields.h"
#include "engine/indexer.h"
#include "engine/officer_stock.h"
#include "store/store.h"
#include "core/status.h"
#include "core/strbuf.h"
#include "core/timeutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define META "t.id, t.row_id, t.version, t.valid_from, t.valid_to, t.unit_id, t.created_at, t.published"
#define META_COLS 8

static int refuse(cat_ctx *x, int status, const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int refuse(cat_ctx *x, int status, const char *code, const char *field, const char *fmt, ...)
{
    x->status = status;
    x->code = code;
    snprintf(x->field, sizeof(x->field), "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->message, sizeof(x->message), fmt, ap);
    va_end(ap);
    return status == 404 ? FZ_NOTFOUND : status == 400 ? FZ_INVALID : FZ_CONFLICT;
}

static json_t *fields_of(const def *d)
{
    return json_object_get(d->json, "fields");
}

static void table_of(const def *d, char out[64])
{
    snprintf(out, 64, "cat_%s", d->name);
}

int catalog_may_edit(const def *d, const principal *p)
{
    if (!p || !authz_has(p, "catalog:edit"))
        return 0;
    json_t *roles = json_object_get(d->json, "edit_roles");
    if (!roles)
        return 1;
    size_t i;
    json_t *r;
    json_array_foreach(roles, i, r) for (int k = 0; k < p->nroles; k++) if (!strcmp(p->roles[k].key,
                                                                                    json_string_value(r))) return 1;
    return 0;
}

int catalog_check(cat_ctx *x, const json_t *values, int creating)
{
    field_err e;
    if (fields_check(x->d, values, creating, &e) != FZ_OK)
        return refuse(x, 400, "validation_failed", e.field, "%s", e.message);
    return FZ_OK;
}

static void select_sql(const def *d, strbuf *b)
{
    char tbl[64];
    table_of(d, tbl);
    fields_select(b, d, META, tbl);
}

static json_t *row_json(cat_ctx *x, store_stmt *st, int sensitive)
{
    char from[32], to[32] = "", created[32];
    time_format_rfc3339(store_col_int(st, 3), from);
    if (store_col_int(st, 4))
        time_format_rfc3339(store_col_int(st, 4), to);
    time_format_rfc3339(store_col_int(st, 6), created);
    json_t *o = json_pack("{s:I, s:I, s:s, s:s, s:I, s:s, s:b}", "id", (json_int_t)store_col_int(st, 1), "version",
                          (json_int_t)store_col_int(st, 2), "valid_from", from, "valid_to", to, "unit_id",
                          (json_int_t)store_col_int(st, 5), "created_at", created, "published",
                          (int)store_col_int(st, 7));
    json_t *fields = fields_read_all(x->keys, st, META_COLS, x->d, sensitive);
    if (x->public_view) {
        size_t i;
        json_t *f;
        json_array_foreach(fields_of(x->d), i, f) if (!json_is_true(json_object_get(f, "publish")) ||
                                                      json_is_true(json_object_get(f, "sensitive")))
            json_object_del(fields, json_string_value(json_object_get(f, "name")));
        json_object_del(o, "unit_id");
        json_object_del(o, "created_at");
    }
    json_object_set_new(o, "fields", fields);
    return o;
}

static int append_event(store_conn *w, cat_ctx *x, int64_t row_id, int64_t unit_id, const char *action,
                        json_t *payload)
{
    char kind[64], sid[24];
    snprintf(kind, sizeof(kind), "catalog:%s", x->d->name);
    snprintf(sid, sizeof(sid), "%lld", (long long)row_id);
    event e = {.ledger = x->ledger, .actor = x->who ? x->who->username : "cli", .unit_id = unit_id,
               .subject_kind = kind, .subject_id = sid, .action = action, .def_digest = x->d->digest};
    return event_append(w, &e, payload);
}

/* Values as events record them: personal data masked (the chain is kept
 * for ever and read by auditors). */
static json_t *event_values(cat_ctx *x, const json_t *values)
{
    json_t *v = fields_event_values(values);
    fields_mask_sensitive(x->d, v);
    return v;
}

/* Inserts one version row. */
static int insert_version(store_conn *w, cat_ctx *x, int64_t row_id, int64_t version, int64_t unit_id,
                          const json_t *values, int64_t now, int64_t *id)
{
    char tbl[64];
    table_of(x->d, tbl);
    store_stmt *st;
    int rc = fields_prepare_insert(w, x->d, tbl,
                                   "row_id, version, valid_from, valid_to, unit_id, region_code, created_by,"
                                   " created_at, published, def_digest", 10, &st);
    if (rc)
        return rc;
    store_bind_int(st, 1, row_id);
    store_bind_int(st, 2, version);
    store_bind_int(st, 3, now);
    store_bind_int(st, 4, 0);
    store_bind_int(st, 5, unit_id);
    store_bind_text(st, 6, x->ledger);
    store_bind_int(st, 7, x->who ? x->who->user_id : 0);
    store_bind_int(st, 8, now);
    store_bind_int(st, 9, 1);
    store_bind_text(st, 10, x->d->digest);
    fields_bind_all(x->keys, st, 11, x->d, values);
    rc = store_step(st);
    if (rc == STORE_ROW) {
        *id = store_col_int(st, 0);
        rc = store_step(st) == STORE_DONE ? FZ_OK : FZ_ERR;
    } else {
        rc = FZ_ERR;
    }
    store_done(st);
    return rc;
}

int catalog_insert(store_conn *w, cat_ctx *x, const json_t *values, int64_t unit_id, int64_t *row_id)
{
    int64_t id, now = time_now_ms();
    stock_write_begin(w, x->d);
    /* row_id is the id of the first version; set once the row exists. */
    int rc = insert_version(w, x, 0, 1, unit_id, values, now, &id);
    if (rc)
        return rc;
    char tbl[64];
    table_of(x->d, tbl);
    strbuf b = STRBUF_INIT;
    strbuf_printf(&b, "UPDATE %s SET row_id = id WHERE id = ?", tbl);
    rc = strbuf_ok(&b) ? store_run(w, b.data, "i", id) : FZ_NOMEM;
    strbuf_free(&b);
    if (rc)
        return rc;
    *row_id = id;
    stock_write_row(w, x->d, id);
    json_t *payload = json_pack("{s:i, s:o}", "version", 1, "values", event_values(x, values));
    rc = append_event(w, x, id, unit_id, "catalog.created", payload);
    json_decref(payload);
    return rc ? rc : index_catalog_row(w, x->d, id, unit_id, values);
}

static int sensitive(const cat_ctx *x)
{
    return x->who && authz_has(x->who, "system:user:sensitive");
}

/* The current version with unmasked values (the base of a new version:
 * a masked ID number must never be written back). */
static json_t *current(store_conn *c, cat_ctx *x, int64_t row_id)
{
    strbuf b = STRBUF_INIT;
    select_sql(x->d, &b);
    strbuf_puts(&b, " WHERE t.row_id = ? AND t.valid_to = 0");
    store_stmt *st;
    int rc = strbuf_ok(&b) ? store_prepare(c, b.data, &st) : FZ_NOMEM;
    strbuf_free(&b);
    if (rc)
        return NULL;
    store_bind_int(st, 1, row_id);
    json_t *o = store_step(st) == STORE_ROW ? row_json(x, st, 1) : NULL;
    store_done(st);
    return o;
}

int catalog_update(store_conn *w, cat_ctx *x, int64_t row_id, const json_t *values, int64_t *version)
{
    json_t *cur = current(w, x, row_id);
    if (!cur)
        return refuse(x, 404, "not_found", NULL, "名录记录不存在");
    json_t *merged = json_object_get(cur, "fields");
    json_object_update(merged, (json_t *)values);
    int64_t v = json_integer_value(json_object_get(cur, "version")) + 1;
    int64_t unit_id = json_integer_value(json_object_get(cur, "unit_id"));
    int64_t now = time_now_ms(), id;
    char tbl[64];
    table_of(x->d, tbl);
    strbuf b = STRBUF_INIT;
    strbuf_printf(&b, "UPDATE %s SET valid_to = ? WHERE row_id = ? AND valid_to = 0", tbl);
    stock_write_begin(w, x->d);
    int rc = strbuf_ok(&b) ? store_run(w, b.data, "ii", now, row_id) : FZ_NOMEM;
    strbuf_free(&b);
    if (!rc)
        rc = insert_version(w, x, row_id, v, unit_id, merged, now, &id);
    if (!rc)
        stock_write_row(w, x->d, row_id);
    if (!rc) {
        json_t *payload = json_pack("{s:I, s:o}", "version", (json_int_t)v, "values", event_values(x, values));
        rc = append_event(w, x, row_id, unit_id, "catalog.updated", payload);
        json_decref(payload);
    }
    if (!rc)
        rc = index_catalog_row(w, x->d, row_id, unit_id, merged);
    json_decref(cur);
    if (!rc)
        *version = v;
    return rc;
}

json_t *catalog_get(store_conn *c, cat_ctx *x, int64_t row_id, int64_t as_of_ms)
{
    strbuf b = STRBUF_INIT;
    select_sql(x->d, &b);
    strbuf_puts(&b, " WHERE t.row_id = ? AND ((? = 0 AND t.valid_to = 0)"
                    " OR (? > 0 AND t.valid_from <= ? AND (t.valid_to = 0 OR t.valid_to > ?)))");
    store_stmt *st;
    int rc = strbuf_ok(&b) ? store_prepare(c, b.data, &st) : FZ_NOMEM;
    strbuf_free(&b);
    if (rc)
        return NULL;
    store_bind_int(st, 1, row_id);
    for (int i = 2; i <= 5; i++)
        store_bind_int(st, i, as_of_ms);
    json_t *o = store_step(st) == STORE_ROW ? row_json(x, st, sensitive(x)) : NULL;
    store_done(st);
    return o;
}

json_t *catalog_versions(store_conn *c, cat_ctx *x, int64_t row_id)
{
    strbuf b = STRBUF_INIT;
    select_sql(x->d, &b);
    strbuf_puts(&b, " WHERE t.row_id = ? ORDER BY t.version");
    store_stmt *st;
    int rc = strbuf_ok(&b) ? store_prepare(c, b.data, &st) : FZ_NOMEM;
    strbuf_free(&b);
    if (rc)
        return NULL;
    store_bind_int(st, 1, row_id);
    json_t *rows = json_array();
    while (store_step(st) == STORE_ROW)
        json_array_append_new(rows, row_json(x, st, sensitive(x)));
    store_done(st);
    return rows;
}

int catalog_list(store_conn *c, cat_ctx *x, const char *q, int64_t as_of_ms, int64_t page, int64_t size,
                 json_t **out)
{
    char tbl[64];
    table_of(x->d, tbl);
    strbuf where = STRBUF_INIT;
    strbuf_puts(&where, " WHERE ((?1 = 0 AND t.valid_to = 0) OR (?1 > 0 AND t.valid_from <= ?1 AND"
                        " (t.valid_to = 0 OR t.valid_to > ?1))) AND (?3 = 0 OR t.published = 1) AND (?2 = ''");
    size_t i;
    json_t *f;
    json_array_foreach(fields_of(x->d), i, f)
    {
        const char *type = json_string_value(json_object_get(f, "type"));
        /* Not personal data: q would let anyone probe a masked ID number;
         * the public may search only what it may see. */
        if (json_is_true(json_object_get(f, "sensitive")) ||
            (x->public_view && !json_is_true(json_object_get(f, "publish"))))
            continue;
        if (!strcmp(type, "string") || !strcmp(type, "enum") || !strcmp(type, "party"))
            strbuf_printf(&where, " OR instr(t.f_%s, ?2) > 0", json_string_value(json_object_get(f, "name")));
    }
    strbuf_puts(&where, ")");
    strbuf count = STRBUF_INIT, list = STRBUF_INIT;
    strbuf_printf(&count, "SELECT count(*) FROM %s t%s", tbl, where.data);
    select_sql(x->d, &list);
    strbuf_printf(&list, "%s ORDER BY t.row_id LIMIT ?4 OFFSET ?5", where.data);
    int rc = strbuf_ok(&count) && strbuf_ok(&list) ? FZ_OK : FZ_NOMEM;
    int64_t total = 0;
    json_t *rows = json_array();
    store_stmt *st;
    if (!rc && !(rc = store_prepare(c, count.data, &st))) {
        store_bind_int(st, 1, as_of_ms);
        store_bind_text(st, 2, q ? q : "");
        store_bind_int(st, 3, x->public_view);
        if (store_step(st) == STORE_ROW)
            total = store_col_int(st, 0);
        store_done(st);
    }
    if (!rc && !(rc = store_prepare(c, list.data, &st))) {
        store_bind_int(st, 1, as_of_ms);
        store_bind_text(st, 2, q ? q : "");
        store_bind_int(st, 3, x->public_view);
        store_bind_int(st, 4, size);
        store_bind_int(st, 5, (page - 1) * size);
        while (store_step(st) == STORE_ROW)
            json_array_append_new(rows, row_json(x, st, sensitive(x)));
        store_done(st);
    }
    strbuf_free(&where);
    strbuf_free(&count);
    strbuf_free(&list);
    if (rc) {
        json_decref(rows);
        return rc;
    }
    *out = json_pack("{s:I, s:o}", "total", (json_int_t)total, "rows", rows);
    return FZ_OK;
}

int catalog_find_key(store_conn *c, cat_ctx *x, const json_t *values, int64_t *row_id)
{
    json_t *key = json_object_get(x->d->json, "key");
    *row_id = 0;
    if (!json_array_size(key))
        return FZ_OK;
    char tbl[64];
    table_of(x->d, tbl);
    strbuf b = STRBUF_INIT;
    strbuf_printf(&b, "SELECT row_id FROM %s WHERE valid_to = 0", tbl);
    size_t i;
    json_t *k;
    json_array_foreach(key, i, k) strbuf_printf(&b, " AND f_%s = ?", json_string_value(k));
    store_stmt *st;
    int rc = strbuf_ok(&b) ? store_prepare(c, b.data, &st) : FZ_NOMEM;
    strbuf_free(&b);
    if (rc)
        return rc;
    json_array_foreach(key, i, k)
    {
        json_t *v = json_object_get(values, json_string_value(k));
        if (json_is_string(v))
            store_bind_text(st, (int)i + 1, json_string_value(v));
        else if (json_is_integer(v))
            store_bind_int(st, (int)i + 1, json_integer_value(v));
        else
            store_bind_null(st, (int)i + 1);
    }
    if (store_step(st) == STORE_ROW)
        *row_id = store_col_int(st, 0);
    store_done(st);
    return FZ_OK;
}
