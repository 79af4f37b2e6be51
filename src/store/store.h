/* store.h: the backend-neutral store API.
 *
 * Reads go through a per-thread read-only connection (store_reader).
 * Writes go through store_write(): the job runs on the single writer thread,
 * inside a transaction shared with every other job waiting at that moment
 * (group commit), and store_write() returns only after that transaction is
 * durably committed (synchronous=FULL) or has failed.
 *
 * SQL is the portable subset of SQLite 3.40 and PostgreSQL 15 (DESIGN §4),
 * with `?` placeholders; dialect differences stay inside store/.
 * No other layer includes sqlite3.h or libpq-fe.h. Backends: sqlite.c and
 * pg.c behind backend.h; store.c holds what they share. */
#ifndef FZ_STORE_H
#define FZ_STORE_H

#include <stddef.h>
#include <stdint.h>

typedef struct store store;
typedef struct store_conn store_conn;
typedef struct store_stmt store_stmt;

enum { STORE_DONE = 0, STORE_ROW = 1 };

typedef struct store_opts {
    const char *url;  /* the config key `store`: "sqlite:DIR", "postgresql://..."
                         or NULL/"" for SQLite in dir */
    const char *dir;  /* data directory; the SQLite database is DIR/fazhi.db */
    const char *ledger; /* the event ledger this process writes (the county's
                           region code): PostgreSQL writers lock its head at the
                           start of every batch, so two app nodes of one county
                           serialise and different counties never wait */
    int batch_max;    /* most jobs per commit; 1 turns group commit off */
    int no_writer;    /* open for reading only (verify, backup): no writer thread,
                         no migrations, but the schema version is still checked */
    int create;       /* allow creating a new database file (init) */
    int bulk;         /* a bulk load, one long job (fazhi import). SQLite: the
                         writer gets a 1 GB page cache (not re-reading spilled
                         pages from the WAL) and its statement journal in a
                         temp file: in memory, each statement's end walked the
                         job SAVEPOINT's whole sub-journal, quadratic in the
                         rows imported into a database that already had data */
} store_opts;

#define STORE_HIST_BUCKETS 10 /* batch sizes: <=1,2,4,...,256, +Inf */

typedef struct store_stats {
    uint64_t commits;           /* transactions committed by the writer */
    uint64_t jobs;              /* write jobs completed (ok or failed) */
    uint64_t failed_commits;
    uint64_t hist[STORE_HIST_BUCKETS]; /* commits by batch size bucket */
    uint64_t batch_sum;         /* sum of batch sizes (for the histogram _sum) */
} store_stats;

/* Opens (and migrates) the store. On failure writes a Chinese message into err. */
int store_open(const store_opts *o, store **out, char *err, size_t errlen);
/* Stops the writer after draining queued jobs and closes every connection. */
void store_close(store *s);
const char *store_backend(const store *s);
/* The same for the store a connection belongs to ("sqlite", "postgresql"):
 * for the few places whose SQL or caching differs (migrations, search, the
 * officer stock cache). */
const char *store_conn_backend(const store_conn *c);

/* Borrowed read-only connection for the calling thread, opened on first use,
 * closed when the thread exits or at store_close. NULL when it cannot open. */
store_conn *store_reader(store *s);

/* Marks the calling thread as serving one request (on = 1) or done with it
 * (on = 0). Within the scope, the first store_reader() opens a read
 * transaction that the end of the scope closes: every read of the request
 * sees one snapshot. The HTTP layer scopes each call of a handler, so a
 * handler's continuation after a write (the "then" of req_write) sees the
 * write. */
void store_read_scope(int on);

/* An integer a read computed (a capped count of a list, say), kept on a
 * reader connection until anyone commits: SQLite's data_version, read in
 * the same snapshot. PostgreSQL keeps nothing (always a miss). key names
 * the query and every value bound to it. store_memo_get returns 1 and sets
 * *v on a hit; store_memo_put after a miss. */
int store_memo_get(store_conn *c, const char *key, int64_t *v);
void store_memo_put(store_conn *c, const char *key, int64_t v);

/* Prepares (or fetches from the connection's cache) a statement. The statement
 * is borrowed: call store_done() when finished with it, before preparing the
 * same SQL again on this connection. */
int store_prepare(store_conn *c, const char *sql, store_stmt **out);
void store_bind_int(store_stmt *st, int idx, int64_t v);
void store_bind_text(store_stmt *st, int idx, const char *s);
void store_bind_textn(store_stmt *st, int idx, const char *s, size_t len);
void store_bind_blob(store_stmt *st, int idx, const void *p, size_t len);
void store_bind_null(store_stmt *st, int idx);
/* STORE_ROW, STORE_DONE, or FZ_CONFLICT (constraint violation) / FZ_ERR. */
int store_step(store_stmt *st);
int64_t store_col_int(store_stmt *st, int idx);
/* Borrowed until the next step/done on the statement; "" for NULL. */
const char *store_col_text(store_stmt *st, int idx);
const void *store_col_blob(store_stmt *st, int idx, size_t *len);
int store_col_is_null(store_stmt *st, int idx);
/* Resets the statement and clears its bindings. */
void store_done(store_stmt *st);
/* Convenience over prepare/bind/step for statements with simple parameters.
 * types has one letter per parameter: 'i' int64_t, 's' const char * (NULL
 * binds NULL), 'b' a blob as (const void *, size_t). */
/* Runs a statement to completion: FZ_OK, FZ_CONFLICT (constraint) or FZ_ERR. */
int store_run(store_conn *c, const char *sql, const char *types, ...);
/* First column of the first row as an integer into *out (def when no row). */
int store_query_int(store_conn *c, int64_t *out, int64_t dflt, const char *sql, const char *types, ...);
/* Number of rows changed by the last statement on c. */
int64_t store_changes(store_conn *c);

/* Runs parameterless SQL (DDL, PRAGMA) that returns no rows. */
int store_exec(store_conn *c, const char *sql);
/* The last error text of the connection, for logs (not for users). */
const char *store_errmsg(store_conn *c);

/* Runs fn(writer_conn, ctx) in the next group commit and waits until it is
 * durable. Returns fn's code when the commit succeeded, FZ_ERR when the
 * commit failed, FZ_UNAVAIL when the store has no writer. A job that
 * returns non-zero is rolled back alone (savepoint) and does not affect the
 * other jobs in its batch. fn must not call store_write(). */
typedef int (*store_write_fn)(store_conn *w, void *ctx);
int store_write(store *s, store_write_fn fn, void *ctx);

/* The same without blocking the caller: done(arg, rc) is called on the writer
 * thread once the commit is durable (or failed), with rc as store_write would
 * return it. ctx and arg must stay valid until then. done must be quick and
 * must not call back into the store (it typically wakes an HTTP connection).
 * Returns FZ_OK when queued; FZ_UNAVAIL (done not called) when not. */
typedef void (*store_done_fn)(void *arg, int rc);
int store_write_async(store *s, store_write_fn fn, void *ctx, store_done_fn done, void *arg);

/* Process-wide: fn runs on the writer thread after every job, inside the
 * job's savepoint (ok = the job succeeded: what fn writes belongs to the job,
 * and a non-zero return fails it; ok = 0: the job is being rolled back).
 * Register before the first write (the event chain writes a ledger's head
 * once per job this way: PostgreSQL keeps every version of a row updated
 * many times in one transaction, so a per-event update grows quadratic). */
typedef int (*store_job_end_fn)(store_conn *w, int ok);
void store_add_job_end_hook(store_job_end_fn fn);

/* Whether a store call on this thread found the database unreachable (a
 * PostgreSQL connection lost) since store_thread_reset(): the HTTP layer then
 * answers 503, whatever a handler concluded from the failed read. */
void store_thread_reset(void);
int store_thread_lost(void);

/* fn runs on the writer thread after every commit attempt (set before any
 * write; used to invalidate caches once changes are visible to readers). */
void store_set_commit_hook(store *s, void (*fn)(void));

void store_get_stats(store *s, store_stats *out);
/* Schema version found in the database and the latest this binary knows. */
void store_schema(store *s, int *current, int *latest);
/* After a bulk load (fazhi import): statistics for the planner, and on
 * PostgreSQL a VACUUM so that index-only scans work at once (autovacuum
 * would get there later; until then a list page's count reads the heap). */
int store_analyze(store *s);

/* Online, consistent copy of the database into path (must not exist), checked
 * with quick_check. */
int store_backup(store *s, const char *path, char *err, size_t errlen);

#endif
