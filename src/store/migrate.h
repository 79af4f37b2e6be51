/* migrate.h: numbered schema migrations, applied at start (store-internal).
 * The database records each applied version in schema_migrations; a database
 * written by a newer binary (a version above migrate_latest()) is refused. */
#ifndef FZ_MIGRATE_H
#define FZ_MIGRATE_H

#include <stddef.h>

typedef struct store_conn store_conn;

int migrate_latest(void);
/* Applies every missing migration in one transaction; sets *current. */
int migrate_apply(store_conn *c, int *current, char *err, size_t errlen);
/* Only reads the version; refuses a newer schema and an uninitialised one. */
int migrate_check(store_conn *c, int *current, char *err, size_t errlen);
/* PostgreSQL: moves every identity sequence past its table's largest id
 * (after rows were inserted with explicit ids: seeds, migrate-store). A no-op
 * on SQLite. Runs in the caller's transaction. */
int migrate_fix_sequences(store_conn *c);

#endif
