/* schema.h: one typed table per procedure (case_<kind>) and per catalog
 * (cat_<name>), created or extended from the definitions at start. A new
 * field becomes a new column; a removed or retyped field stops the server
 * with instructions — data is never dropped silently (docs/definitions.md).
 *
 * Field columns are named f_<field> so no field name can clash with the
 * built-in columns or an SQL keyword; a party field also has
 * f_<field>__kind, f_<field>__idno (the sealed ID number) and
 * f_<field>__idmask (its masked copy, as shown to readers who may not see it
 * whole); another sealed field f_<field> (BLOB) also has f_<field>__mask. */
#ifndef FZ_SCHEMA_H
#define FZ_SCHEMA_H

#include <jansson.h>
#include <stddef.h>

#include "engine/defs.h"

typedef struct store_conn store_conn;

/* SQL type of a field type ("TEXT" / "INTEGER"). */
const char *schema_sql_type(const char *field_type);

/* Write job body: creates or extends every table. FZ_CONFLICT with msg set
 * (Chinese, naming the file, table and column) when a stored column is gone
 * or retyped in the definitions. */
int schema_sync(store_conn *w, const defs *d, char *msg, size_t msglen);

typedef struct field_keys field_keys;
/* Write job body: fills up to max masked copies missing beside sealed values
 * (rows from before the copies were kept); *filled receives how many rows
 * were done (0: none left). Run in a loop at start, one job per batch. */
int schema_fill_masks(store_conn *w, const defs *d, const field_keys *keys, int max, int64_t *filled);

#endif
