/* catalogs.h: versioned registries from catalog definitions (docs/
 * definitions.md): 法律法规, 权责清单, 执法人员 … Each edit writes a new
 * version row (same row_id, version + 1) and closes the previous one
 * (valid_to), so a query can ask for the row "in force on date D". Every
 * change is an event (subject "catalog:<name>", the row id).
 *
 * Functions taking a store_conn *w run inside a store write job. */
#ifndef FZ_CATALOGS_H
#define FZ_CATALOGS_H

#include <jansson.h>
#include <stdint.h>

#include "engine/authz.h"
#include "engine/defs.h"
#include "engine/fieldcrypt.h"

typedef struct store_conn store_conn;

typedef struct cat_ctx {
    const def *d;
    const principal *who; /* NULL for the CLI (actor "cli") */
    const field_keys *keys;
    const char *ledger;
    int public_view;      /* the public portal: published rows, "publish" fields only */
    /* out */
    int status;
    const char *code;
    char message[300];
    char field[64];
} cat_ctx;

/* May p edit rows of this catalog? (catalog:edit and one of edit_roles) */
int catalog_may_edit(const def *d, const principal *p);

/* Checks values (creating: required fields too). FZ_INVALID with x set. */
int catalog_check(cat_ctx *x, const json_t *values, int creating);
/* Version 1 of a new row in unit_id. */
int catalog_insert(store_conn *w, cat_ctx *x, const json_t *values, int64_t unit_id, int64_t *row_id);
/* A new version of row_id: the current values with values applied. */
int catalog_update(store_conn *w, cat_ctx *x, int64_t row_id, const json_t *values, int64_t *version);

/* The version in force at as_of_ms (0: the current one); NULL if none. */
json_t *catalog_get(store_conn *c, cat_ctx *x, int64_t row_id, int64_t as_of_ms);
/* Every version, oldest first. */
json_t *catalog_versions(store_conn *c, cat_ctx *x, int64_t row_id);
/* Rows in force at as_of_ms (0: now), with q matched against the string
 * fields (contains) and paging. With x->public_view, only rows marked
 * published and only the fields marked "publish" (事前公开). */
int catalog_list(store_conn *c, cat_ctx *x, const char *q, int64_t as_of_ms, int64_t page, int64_t size,
                 json_t **out);
/* The current row whose key fields equal those in values (0 if none). */
int catalog_find_key(store_conn *c, cat_ctx *x, const json_t *values, int64_t *row_id);

#endif
