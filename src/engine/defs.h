/* defs.h: definitions as data (DESIGN §3, docs/definitions.md): procedures,
 * catalogs and indicators read from JSON files and validated strictly. Every
 * problem is reported with the file, the JSON path and a Chinese reason;
 * nothing is used unless the whole directory is valid.
 *
 * A loaded set owns its JSON (json_t, borrowed by callers until defs_free)
 * and the SM3 digest of each file, which events record so a case keeps the
 * rules it was started under. */
#ifndef FZ_DEFS_H
#define FZ_DEFS_H

#include <jansson.h>
#include <stddef.h>

#include "core/sm.h"

typedef enum { DEF_PROCEDURE = 0, DEF_CATALOG = 1, DEF_INDICATOR = 2 } def_type;

typedef struct def {
    def_type type;
    const char *name;     /* procedure kind, catalog name or indicator name */
    const char *file;     /* path it came from */
    char digest[SM3_HEX_LEN + 1];
    json_t *json;         /* the validated document */
} def;

typedef struct defs {
    def *items;
    int n;
} defs;

#define DEFS_MAX_ERRORS 100

typedef struct defs_error {
    char file[256];
    char path[160];
    char reason[320];
} defs_error;

typedef struct defs_report {
    defs_error errors[DEFS_MAX_ERRORS];
    int nerrors;   /* kept (at most DEFS_MAX_ERRORS) */
    int total;     /* found */
    int files;     /* definition files read */
} defs_report;

/* Loads and validates every *.json in dir (sorted by name). FZ_OK with *out
 * set (caller frees with defs_free), or FZ_INVALID with the report filled
 * (*out NULL). A missing directory is FZ_NOTFOUND. */
int defs_load(const char *dir, defs **out, defs_report *rep);
void defs_free(defs *d);

/* Borrowed until defs_free; NULL when absent. */
const def *defs_find(const defs *d, def_type type, const char *name);

#endif
