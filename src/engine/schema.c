/* schema.c: tables from definitions (see schema.h). Table and column names
 * come from validated definitions ([a-z][a-z0-9_]{0,39}), never from
 * requests, so the DDL built here cannot carry user input. */
#include "engine/schema.h"
#include "engine/fields.h"
#include "engine/indexer.h"
#include "engine/officer_stock.h"
#include "engine/publish.h"
#include "engine/reccol.h"
#include "store/search.h"
#include "store/store.h"
#include "core/status.h"
#include "core/strbuf.h"
#include "core/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *schema_sql_type(const char *t)
{
    static const char *const ints[] = {"int", "money", "bool", "user", "unit", NULL};
    for (int i = 0; ints[i]; i++)
        if (strcmp(t, ints[i]) == 0)
            return "INTEGER";
    return "TEXT";
}

typedef struct col {
    char name[64];
    const char *type;
} col;

/* The columns a definition's fields need, in order. */
static int field_columns(const def *d, col *out, int max)
{
    int n = 0;
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(d->json, "fields"), i, f)
    {
        const char *name = json_string_value(json_object_get(f, "name"));
        const char *type = json_string_value(json_object_get(f, "type"));
        if (n + 4 > max)
            break;
        snprintf(out[n].name, sizeof(out[n].name), "f_%s", name);
        out[n++].type = fields_sealed(f) ? "BLOB" : schema_sql_type(type);
        if (fields_sealed(f)) { /* the masked copy (engine/fields.c) */
            snprintf(out[n].name, sizeof(out[n].name), "f_%s__mask", name);
            out[n++].type = "TEXT";
        }
        if (strcmp(type, "party") == 0) {
            snprintf(out[n].name, sizeof(out[n].name), "f_%s__kind", name);
            out[n++].type = "TEXT";
            snprintf(out[n].name, sizeof(out[n].name), "f_%s__idno", name);
            out[n++].type = "BLOB";
            snprintf(out[n].name, sizeof(out[n].name), "f_%s__idmask", name);
            out[n++].type = "TEXT";
        }
    }
    return n;
}

static void table_name(const def *d, char *out, size_t n)
{
    snprintf(out, n, "%s_%s", d->type == DEF_PROCEDURE ? "case" : "cat", d->name);
}

static int create_table(store_conn *w, const def *d, const char *tbl, const col *cols, int ncols)
{
    strbuf sql = STRBUF_INIT;
    if (d->type == DEF_PROCEDURE)
        strbuf_printf(&sql,
                      "CREATE TABLE %s (id INTEGER PRIMARY KEY, no TEXT NOT NULL UNIQUE, state TEXT NOT NULL,"
                      " unit_id INTEGER NOT NULL, region_code TEXT NOT NULL, handler_id INTEGER NOT NULL,"
                      " created_by INTEGER NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
                      " def_digest TEXT NOT NULL, " RECCOL " INTEGER",
                      tbl);
    else
        /* Catalog rows are versioned: each edit is a new row with the same
         * row_id; valid_to = 0 marks the version in force. */
        strbuf_printf(&sql,
                      "CREATE TABLE %s (id INTEGER PRIMARY KEY, row_id INTEGER NOT NULL, version INTEGER NOT NULL,"
                      " valid_from INTEGER NOT NULL, valid_to INTEGER NOT NULL, unit_id INTEGER NOT NULL,"
                      " region_code TEXT NOT NULL, created_by INTEGER NOT NULL, created_at INTEGER NOT NULL,"
                      " published INTEGER NOT NULL, def_digest TEXT NOT NULL",
                      tbl);
    for (int i = 0; i < ncols; i++)
        strbuf_printf(&sql, ", %s %s", cols[i].name, cols[i].type);
    strbuf_puts(&sql, ");");
    if (d->type == DEF_PROCEDURE)
        strbuf_printf(&sql, "CREATE INDEX %s_unit ON %s (unit_id, created_at);", tbl, tbl);
    else
        strbuf_printf(&sql, "CREATE INDEX %s_row ON %s (row_id, version);", tbl, tbl);
    int rc = strbuf_ok(&sql) ? store_exec(w, sql.data) : FZ_NOMEM;
    strbuf_free(&sql);
    return rc;
}

static int record_column(store_conn *w, const char *tbl, const col *c)
{
    return store_run(w, "INSERT INTO def_columns (tbl, col, type) VALUES (?, ?, ?)", "sss", tbl, c->name, c->type);
}

/* Compares the stored columns with the definition's: every stored column
 * must still be defined with the same type; new ones are added. */
static int sync_columns(store_conn *w, const def *d, const char *tbl, const col *cols, int ncols, char *msg,
                        size_t msglen)
{
    store_stmt *st;
    if (store_prepare(w, "SELECT col, type FROM def_columns WHERE tbl = ? ORDER BY col", &st))
        return FZ_ERR;
    store_bind_text(st, 1, tbl);
    int rc = FZ_OK;
    while (rc == FZ_OK && store_step(st) == STORE_ROW) {
        const char *name = store_col_text(st, 0), *type = store_col_text(st, 1);
        int found = 0;
        for (int i = 0; i < ncols; i++) {
            if (strcmp(cols[i].name, name) != 0)
                continue;
            found = 1;
            if (strcmp(cols[i].type, type) != 0) {
                snprintf(msg, msglen,
                         "%s：字段 %s 的类型由 %s 改为 %s，已有数据可能无法转换。拒绝启动：请恢复原类型，"
                         "或新增一个字段并在导出、核对数据后再停用旧字段。",
                         d->file, name + 2, type, cols[i].type);
                rc = FZ_CONFLICT;
            }
        }
        if (!found) {
            snprintf(msg, msglen,
                     "%s：表 %s 中已有字段 %s（含数据），但定义中已删除。拒绝启动，数据不会被静默丢弃："
                     "请把该字段恢复到定义中（可不在表单中使用）。",
                     d->file, tbl, name + 2);
            rc = FZ_CONFLICT;
        }
    }
    store_done(st);
    for (int i = 0; rc == FZ_OK && i < ncols; i++) {
        int64_t n;
        if (store_query_int(w, &n, 0, "SELECT count(*) FROM def_columns WHERE tbl = ? AND col = ?", "ss", tbl,
                            cols[i].name))
            return FZ_ERR;
        if (n)
            continue;
        strbuf sql = STRBUF_INIT;
        strbuf_printf(&sql, "ALTER TABLE %s ADD COLUMN %s %s", tbl, cols[i].name, cols[i].type);
        rc = strbuf_ok(&sql) ? store_exec(w, sql.data) : FZ_NOMEM;
        strbuf_free(&sql);
        if (rc == FZ_OK)
            rc = record_column(w, tbl, &cols[i]);
    }
    return rc;
}

/* Indexes for list pages: newest first, by state, and by each field the
 * definition lets users filter on. A procedure's indexes lead with the
 * filter, then created_at and id (the default order, ties broken by id: a
 * page of 20 stops after 20 entries and needs no sort) and end with unit_id
 * and handler_id, the columns of the data scope, so the page's count is read
 * from the index alone. IF NOT EXISTS, so a field that becomes filterable
 * later gets its index at the next start; the indexes of earlier releases
 * are dropped (without id, each page sorted the rows of equal created_at in
 * a temporary B-tree: a fifth of a list page's SQL; on an existing database
 * the first start after the upgrade builds them anew, once). */
static int ensure_indexes(store_conn *w, const def *d, const char *tbl)
{
    strbuf sql = STRBUF_INIT;
    int proc = d->type == DEF_PROCEDURE;
    const char *tail = proc ? ", created_at, id, unit_id, handler_id" : "";
    if (proc)
        strbuf_printf(&sql,
                      "DROP INDEX IF EXISTS %s_created; DROP INDEX IF EXISTS %s_state;"
                      "DROP INDEX IF EXISTS %s_list; DROP INDEX IF EXISTS %s_st;"
                      "CREATE INDEX IF NOT EXISTS %s_lid ON %s (created_at, id, unit_id, handler_id);"
                      "CREATE INDEX IF NOT EXISTS %s_sid ON %s (state%s);",
                      tbl, tbl, tbl, tbl, tbl, tbl, tbl, tbl, tail);
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(d->json, "fields"), i, f)
    {
        const char *name = json_string_value(json_object_get(f, "name"));
        if (!json_is_true(json_object_get(f, "filter")))
            continue;
        if (proc)
            strbuf_printf(&sql,
                          "DROP INDEX IF EXISTS %s_f_%s; DROP INDEX IF EXISTS %s_fl_%s;"
                          " CREATE INDEX IF NOT EXISTS %s_fi_%s ON %s (f_%s%s);",
                          tbl, name, tbl, name, tbl, name, tbl, name, tail);
        else
            strbuf_printf(&sql, "CREATE INDEX IF NOT EXISTS %s_f_%s ON %s (f_%s);", tbl, name, tbl, name);
    }
    int rc = !strbuf_ok(&sql) ? FZ_NOMEM : sql.len ? store_exec(w, sql.data) : FZ_OK;
    strbuf_free(&sql);
    return rc;
}

/* Remembers this definition under its digest (once). */
static int keep_version(store_conn *w, const def *d)
{
    static const char *const types[] = {"procedure", "catalog", "indicator"};
    char *text = json_dumps(d->json, JSON_COMPACT | JSON_SORT_KEYS);
    if (!text)
        return FZ_NOMEM;
    int rc = store_run(w, "INSERT INTO def_versions (digest, type, name, json, stored_at) VALUES (?, ?, ?, ?, ?)"
                          " ON CONFLICT (digest) DO NOTHING",
                       "ssssi", d->digest, types[d->type], d->name, text, time_now_ms());
    free(text);
    return rc;
}

int schema_sync(store_conn *w, const defs *d, char *msg, size_t msglen)
{
    col cols[256];
    if (search_index_create(w, INDEX_MAIN) || search_index_create(w, PUBLISH_INDEX) || stock_table_create(w))
        return FZ_ERR;
    for (int i = 0; i < d->n; i++) {
        const def *x = &d->items[i];
        if (x->type == DEF_INDICATOR)
            continue;
        char tbl[64];
        table_name(x, tbl, sizeof(tbl));
        int ncols = field_columns(x, cols, 256);
        int64_t known;
        if (store_query_int(w, &known, 0, "SELECT count(*) FROM def_columns WHERE tbl = ?", "s", tbl))
            return FZ_ERR;
        int rc;
        /* def_columns and the table are created in one transaction, so no
         * rows there means no table yet. */
        if (!known) {
            rc = create_table(w, x, tbl, cols, ncols);
            for (int k = 0; rc == FZ_OK && k < ncols; k++)
                rc = record_column(w, tbl, &cols[k]);
        } else {
            rc = sync_columns(w, x, tbl, cols, ncols, msg, msglen);
        }
        if (rc || (rc = ensure_indexes(w, x, tbl)) || (rc = keep_version(w, x)))
            return rc;
    }
    return FZ_OK;
}

/* ---- masked copies ----
 * Rows written before the masked copies of sealed values were kept have a
 * NULL copy (readers then open and mask the value per read). Filled here,
 * in batches of one write job each, so a large table does not become one
 * transaction. */

typedef struct sealed_row {
    int64_t id;
    unsigned char *blob;
    size_t len;
} sealed_row;

/* Fills up to max copies of one column pair; *n receives how many rows were
 * looked at (0: none left). */
static int fill_column(store_conn *w, const char *tbl, const char *name, int party, const field_keys *keys,
                       int max, int *n)
{
    char sel[300], upd[300];
    const char *blob_col = party ? "__idno" : "", *mask_col = party ? "__idmask" : "__mask";
    snprintf(sel, sizeof(sel),
             "SELECT id, f_%s%s FROM %s WHERE f_%s%s IS NULL AND f_%s%s IS NOT NULL ORDER BY id LIMIT ?", name,
             blob_col, tbl, name, mask_col, name, blob_col);
    snprintf(upd, sizeof(upd), "UPDATE %s SET f_%s%s = ? WHERE id = CAST(? AS BIGINT)", tbl, name, mask_col);
    sealed_row *rows = calloc((size_t)max, sizeof(*rows));
    if (!rows)
        return FZ_NOMEM;
    store_stmt *st;
    int rc = store_prepare(w, sel, &st);
    *n = 0;
    if (!rc)
        store_bind_int(st, 1, max);
    while (!rc && *n < max && store_step(st) == STORE_ROW) {
        size_t len;
        const void *b = store_col_blob(st, 1, &len);
        sealed_row *r = &rows[(*n)++];
        r->id = store_col_int(st, 0);
        r->blob = len ? malloc(len) : NULL;
        if (r->blob)
            memcpy(r->blob, b, len);
        r->len = r->blob ? len : 0;
    }
    if (!rc)
        store_done(st);
    for (int i = 0; !rc && i < *n; i++) {
        char *plain = NULL;
        char *m = NULL;
        /* A value that does not open (another key) gets an empty copy, so it
         * is not looked at again; readers then show nothing, as before. */
        if (rows[i].len && fieldcrypt_open(keys, rows[i].blob, rows[i].len, &plain) == FZ_OK &&
            (m = malloc(strlen(plain) + 1)))
            mask_idcard(plain, m);
        rc = store_run(w, upd, "si", m ? m : "", rows[i].id);
        free(plain);
        free(m);
    }
    for (int i = 0; i < *n; i++)
        free(rows[i].blob);
    free(rows);
    return rc;
}

int schema_fill_masks(store_conn *w, const defs *d, const field_keys *keys, int max, int64_t *filled)
{
    *filled = 0;
    for (int i = 0; i < d->n && *filled < max; i++) {
        const def *x = &d->items[i];
        if (x->type == DEF_INDICATOR)
            continue;
        char tbl[64];
        table_name(x, tbl, sizeof(tbl));
        size_t k;
        json_t *f;
        json_array_foreach(json_object_get(x->json, "fields"), k, f)
        {
            int party = !strcmp(json_string_value(json_object_get(f, "type")), "party");
            if (!party && !fields_sealed(f))
                continue;
            /* A column pair once found complete is not looked at again (its
             * writes keep it: each start would otherwise scan the table). */
            char key[160];
            snprintf(key, sizeof(key), "masks_filled:%s.%s", tbl, json_string_value(json_object_get(f, "name")));
            int64_t done = 0;
            if (store_query_int(w, &done, 0, "SELECT count(*) FROM meta WHERE key = ?", "s", key))
                return FZ_ERR;
            if (done)
                continue;
            int n = 0, room = max - (int)*filled;
            int rc = fill_column(w, tbl, json_string_value(json_object_get(f, "name")), party, keys, room, &n);
            if (!rc && n < room)
                rc = store_run(w, "INSERT INTO meta (key, value) VALUES (?, '1') ON CONFLICT (key) DO NOTHING", "s", key);
            if (rc)
                return rc;
            *filled += n;
            if (*filled >= max)
                break;
        }
    }
    return FZ_OK;
}
