/* schema.h: one typed table per procedure (case_<kind>) and per catalog
 * (cat_<name>), created or extended from the definitions at start. A new
 * field becomes a new column; a removed or retyped field stops the server
 * with instructions — data is never dropped silently (docs/definitions.md).
 *
 * Field columns are named f_<field> so no field name can clash with the
 * built-in columns or an SQL keyword; a party field also has
 * f_<field>__kind and f_<field>__idno (the sealed ID number). */
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

#endif
