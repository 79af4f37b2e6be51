/* backend.h: what a store backend (sqlite.c, pg.c) provides to store.c, which
 * owns everything the backends share: the writer thread and its group commit,
 * the per-thread readers, statistics and open/close (store-internal).
 *
 * A backend's connection and statement structs start with the common header
 * (struct store_conn / struct store_stmt below), so the public store_* calls
 * dispatch through c->ops without knowing the backend. */
#ifndef FZ_STORE_BACKEND_H
#define FZ_STORE_BACKEND_H

#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

typedef enum { CONN_READER, CONN_WRITER, CONN_CHECK } conn_role;

/* The type of one value in a result row (col_type), for code in store/ that
 * copies rows it knows nothing about (copy.c). */
typedef enum { STORE_T_NULL, STORE_T_INT, STORE_T_FLOAT, STORE_T_TEXT, STORE_T_BLOB } store_col_kind;

typedef struct store_ops {
    const char *name; /* "sqlite" or "postgresql" */
    /* Connects (role CHECK: read-only, used to check the schema version).
     * err gets a Chinese message naming the database and the reason. */
    int (*open)(store *s, conn_role role, int create, store_conn **out, char *err, size_t errlen);
    void (*close)(store_conn *c);
    int (*prepare)(store_conn *c, const char *sql, store_stmt **out);
    void (*bind_int)(store_stmt *st, int idx, int64_t v);
    void (*bind_textn)(store_stmt *st, int idx, const char *s, size_t len); /* s NULL: NULL */
    void (*bind_blob)(store_stmt *st, int idx, const void *p, size_t len);
    void (*bind_null)(store_stmt *st, int idx);
    int (*step)(store_stmt *st);
    int64_t (*col_int)(store_stmt *st, int idx);
    const char *(*col_text)(store_stmt *st, int idx);
    const void *(*col_blob)(store_stmt *st, int idx, size_t *len);
    int (*col_is_null)(store_stmt *st, int idx);
    /* Generic row access (copy.c): the number of result columns, the type of
     * a value in the current row, and the length in bytes of the text that
     * col_text returns for it (text may hold NUL bytes). */
    int (*col_count)(store_stmt *st);
    store_col_kind (*col_type)(store_stmt *st, int idx);
    size_t (*col_bytes)(store_stmt *st, int idx);
    void (*done)(store_stmt *st);
    int (*exec)(store_conn *c, const char *sql);
    int64_t (*changes)(store_conn *c);
    const char *(*errmsg)(store_conn *c);
    /* Starts the writer's transaction for one batch (and takes the locks that
     * keep several writers apart). */
    int (*begin)(store_conn *w);
    /* Called on the writer connection before it closes (maintenance). */
    void (*finish)(store_conn *w);
    int (*backup)(store *s, const char *path, char *err, size_t errlen);
    /* Refreshes the planner's statistics after a bulk load. */
    int (*analyze)(store *s);
    /* A reader's transaction around one request's reads (store_read_scope):
     * one snapshot, and SQLite takes its WAL read lock once instead of per
     * statement. NULL: the backend reads statement by statement. */
    int (*read_begin)(store_conn *c);
    void (*read_end)(store_conn *c);
    /* A number that changes whenever another connection commits (SQLite's
     * data_version), for store_memo. NULL: not known, nothing is kept. */
    int (*data_version)(store_conn *c, int64_t *v);
} store_ops;

struct store_memo;

struct store_conn {
    const store_ops *ops;
    store *owner;
    store_conn *next;         /* registry of open readers */
    struct store_memo *memo;  /* store_memo_get/put (store.c) */
    int reader;               /* opened by store_reader (only readers memoise:
                                 a writer's data_version ignores its own commits) */
};

struct store_stmt {
    const store_ops *ops;
};

extern const store_ops store_sqlite_ops;
extern const store_ops store_pg_ops;

/* What a backend may read from the store it belongs to. */
const char *store_target(const store *s); /* SQLite: the database file; PostgreSQL: the URL */
int store_bulk(const store *s);            /* store_opts.bulk */
const char *store_ledger(const store *s); /* the ledger this node writes ("" if none) */

/* Marks this thread's current request as having lost the database. */
void store_note_lost(void);


#endif
