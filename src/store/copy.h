/* copy.h: copying a county's data from an SQLite store into an empty
 * PostgreSQL store (`fazhi migrate-store`, docs/architecture.md).
 *
 * Every table of the source is copied row by row in ONE transaction on the
 * target (all or nothing), except SQLite's own tables, schema_migrations
 * (the target has its own, from store_open) and the full-text tables
 * (fts_*, ftskeys_*): each source index fts_NAME is instead rebuilt on the
 * target through search_put. Values keep their types (integer, text, bytea);
 * table and column names come from the source schema and are checked
 * against [a-z_][a-z0-9_]* before they are put into SQL; values are always
 * bound. */
#ifndef FZ_STORE_COPY_H
#define FZ_STORE_COPY_H

#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

typedef struct store_copy_report {
    int tables;       /* tables copied */
    int64_t rows;     /* rows copied, all tables */
    int indexes;      /* search indexes rebuilt */
    int64_t docs;     /* search documents put */
} store_copy_report;

/* Runs inside the target's transaction once the target was found empty and
 * before any row is copied: creates what the target needs beyond the
 * migrations (the definition tables). Non-zero aborts the copy; msg then
 * says why (Chinese). */
typedef int (*store_copy_setup_fn)(store_conn *w, void *ctx, char *msg, size_t msglen);
/* Called after each table ("events", ...) and each search index
 * ("search:main") with the rows copied; runs on the target's writer thread. */
typedef void (*store_copy_progress_fn)(void *ctx, const char *what, int64_t rows);

/* Copies src (SQLite, opened with no_writer) into dst (PostgreSQL, opened
 * with a writer and no ledger). The target must hold no event, unit or user
 * (FZ_CONFLICT); both must be at the schema version this binary knows
 * (FZ_INVALID, like the wrong backends). The source is read in one read
 * transaction, so the copy is a consistent snapshot even if a server still
 * runs on it (it should not: what it writes later is not copied). Rows the
 * migrations or setup put into the target are replaced by the source's
 * (roles, role_perms, ...); def_columns and def_versions also keep the
 * target's rows the source has no row for (definitions or fields added
 * since). On failure err says why and the target is left as it was. */
int store_copy_into(store *src, store *dst, store_copy_setup_fn setup, store_copy_progress_fn progress, void *ctx,
                    store_copy_report *rep, char *err, size_t errlen);

#endif
