/* fields.h: typed field values of definitions (docs/definitions.md) for
 * cases and catalog rows: checking, binding to f_<name> columns, reading
 * back, and the masked copy events record. */
#ifndef FZ_FIELDS_H
#define FZ_FIELDS_H

#include <jansson.h>

#include "core/strbuf.h"
#include "engine/defs.h"
#include "engine/fieldcrypt.h"

typedef struct store_stmt store_stmt;
typedef struct store_conn store_conn;

typedef struct field_err {
    char field[64];
    char message[300]; /* Chinese, naming the field */
} field_err;

/* The field definition called name, or NULL. Borrowed. */
json_t *fields_find(const def *d, const char *name);
/* null, "", {} count as empty. */
int fields_empty(const json_t *v);
/* A "sensitive" text field: stored sealed (SM4, engine/fieldcrypt.h) in a BLOB
 * column, read back masked unless the reader may see it whole. */
int fields_sealed(const json_t *f);
/* Checks one value against field f: FZ_OK or FZ_INVALID with e set. */
int fields_check_one(json_t *f, const char *name, json_t *v, field_err *e);
/* Checks an object of values (unknown names refused); creating also enforces
 * "required". */
int fields_check(const def *d, const json_t *values, int creating, field_err *e);
/* Appends f's columns ("f_x" or, for a party, "f_x, f_x__kind, f_x__idno"),
 * as setters ("f_x = ?") when setters. */
void fields_columns(strbuf *b, json_t *f, int setters);
/* How many parameters f's columns take (1 or 3). */
int fields_params(json_t *f);
/* Binds value v of f from parameter idx on; returns the number used. */
int fields_bind(const field_keys *keys, store_stmt *st, int idx, json_t *f, json_t *v);
/* Appends "SELECT <meta>, <every field's columns> FROM <tbl> t". */
void fields_select(strbuf *b, const def *d, const char *meta, const char *tbl);
/* Every field of d, read from column col on (as fields_select lists them),
 * in a new object. */
json_t *fields_read_all(const field_keys *keys, store_stmt *st, int col, const def *d, int sensitive);
/* The same for many rows: how each field of d is read back, decided once
 * (the plan keeps its own copy of the names). Unless sensitive, a party's ID number and the
 * text of a field marked "sensitive" are masked. fields_write_plan writes
 * the object as JSON text, the bytes json_dumps (JSON_COMPACT) would give
 * for fields_read_plan's object. */
typedef struct fields_plan fields_plan;
fields_plan *fields_plan_new(const def *d);
/* Only the fields of d named in names (a JSON array of strings, names
 * already checked; NULL: every field), in the definition's order. */
fields_plan *fields_plan_some(const def *d, const json_t *names);
/* Appends ", <the plan's columns>" in the order the plan reads them. */
void fields_plan_columns(strbuf *b, const fields_plan *p);
void fields_plan_free(fields_plan *p);
json_t *fields_read_plan(const fields_plan *p, const field_keys *keys, store_stmt *st, int col, int sensitive);
void fields_write_plan(strbuf *b, const fields_plan *p, const field_keys *keys, store_stmt *st, int col, int sensitive);
/* Prepares "INSERT INTO table (meta, <every field's columns>) VALUES (?…)
 * RETURNING id" on c: meta is nmeta comma-separated column names, bound by
 * the caller as parameters 1..nmeta; fields_bind_all binds the rest. */
int fields_prepare_insert(store_conn *c, const def *d, const char *table, const char *meta, int nmeta,
                          store_stmt **st);
/* Binds every field of d from values, starting at parameter idx. */
void fields_bind_all(const field_keys *keys, store_stmt *st, int idx, const def *d, const json_t *values);

/* A copy of values with ID numbers masked (for events). New reference. */
json_t *fields_event_values(const json_t *values);
/* Masks, in place, the text values of d's fields marked "sensitive" (a
 * party's ID number is masked by fields_event_values already). */
void fields_mask_sensitive(const def *d, json_t *values);

#endif
