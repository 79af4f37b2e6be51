/* test_store.c: the SQLite store (store/store.h) on a real database in a temp
 * directory: creation runs the migrations, the statement cache and bind/column
 * helpers, writes become visible to readers, a failing job is rolled back alone
 * inside a shared group commit, group commit batches (and batch_max=1 does
 * not), the stats, read-only opens, the refusals (no database, newer schema),
 * online backup and constraint violations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ftw.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/status.h"
#include "store/backend.h"
#include "store/copy.h"
#include "store/migrate.h"
#include "store/store.h"

static char g_dir[64]; /* fresh for every test, removed afterwards */

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(p);
}

static int setup(void **state)
{
    snprintf(g_dir, sizeof(g_dir), "/tmp/fz-store-XXXXXX");
    return mkdtemp(g_dir) ? 0 : -1;
}

static int teardown(void **state)
{
    return nftw(g_dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static store *open_at(const char *dir, int batch_max, int no_writer, int create)
{
    store_opts o = {.dir = dir, .batch_max = batch_max, .no_writer = no_writer, .create = create};
    store *s = NULL;
    char err[512] = "";
    int rc = store_open(&o, &s, err, sizeof(err));
    if (rc != FZ_OK)
        fprintf(stderr, "store_open(%s): %d %s\n", dir, rc, err);
    assert_int_equal(rc, FZ_OK);
    assert_non_null(s);
    return s;
}

/* ---- jobs ---- */

static int job_create_table(store_conn *w, void *ctx)
{
    return store_exec(w, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)");
}

typedef struct ins {
    int64_t id;
    char v[32];
    int fail;     /* insert, then return FZ_INVALID: the row must vanish */
    int sleep_us; /* hold the writer (to let a queue build up) */
} ins;

static int job_insert(store_conn *w, void *ctx)
{
    ins *a = ctx;
    store_stmt *st;
    if (store_prepare(w, "INSERT INTO t (id, v) VALUES (?, ?)", &st))
        return FZ_ERR;
    store_bind_int(st, 1, a->id);
    store_bind_text(st, 2, a->v);
    int rc = store_step(st);
    store_done(st);
    if (a->sleep_us)
        usleep((useconds_t)a->sleep_us);
    if (rc != STORE_DONE)
        return rc;
    return a->fail ? FZ_INVALID : FZ_OK;
}

static int insert(store *s, int64_t id, const char *v)
{
    ins a = {.id = id};
    snprintf(a.v, sizeof(a.v), "%s", v);
    return store_write(s, job_insert, &a);
}

static int64_t query_int(store *s, const char *sql)
{
    store_conn *c = store_reader(s);
    assert_non_null(c);
    store_stmt *st;
    assert_int_equal(store_prepare(c, sql, &st), FZ_OK);
    assert_int_equal(store_step(st), STORE_ROW);
    int64_t v = store_col_int(st, 0);
    store_done(st);
    return v;
}

static int row_exists(store *s, int64_t id)
{
    store_stmt *st;
    assert_int_equal(store_prepare(store_reader(s), "SELECT count(*) FROM t WHERE id = ?", &st), FZ_OK);
    store_bind_int(st, 1, id);
    assert_int_equal(store_step(st), STORE_ROW);
    int n = (int)store_col_int(st, 0);
    store_done(st);
    return n;
}

/* ---- tests ---- */

static void test_create_runs_migrations(void **state)
{
    store *s = open_at(g_dir, 0, 0, 1);
    int cur = -1, latest = -1;
    store_schema(s, &cur, &latest);
    assert_true(latest >= 1);
    assert_int_equal(latest, migrate_latest());
    assert_int_equal(cur, latest);
    assert_string_equal(store_backend(s), "sqlite");
    /* One schema_migrations row per applied migration; the tables exist. */
    assert_int_equal(query_int(s, "SELECT count(*) FROM schema_migrations"), latest);
    assert_int_equal(query_int(s, "SELECT count(*) FROM events"), 0);
    assert_int_equal(query_int(s, "SELECT count(*) FROM ledgers"), 0);
    store_close(s);

    char path[128];
    struct stat sb;
    snprintf(path, sizeof(path), "%s/fazhi.db", g_dir);
    assert_int_equal(stat(path, &sb), 0);

    /* Reopening without create applies nothing twice. */
    s = open_at(g_dir, 0, 0, 0);
    store_schema(s, &cur, &latest);
    assert_int_equal(cur, latest);
    assert_int_equal(query_int(s, "SELECT count(*) FROM schema_migrations"), latest);
    store_close(s);
}

static void test_prepare_cache_bind_columns(void **state)
{
    store *s = open_at(g_dir, 0, 0, 1);
    store_conn *c = store_reader(s);
    assert_non_null(c);
    assert_ptr_equal(store_reader(s), c); /* one reader per thread */

    static const char sql[] = "SELECT ?1 + 1, ?2, ?3, ?4, length(?3), ?5";
    static const unsigned char blob[] = {0x00, 0x01, 0xfe, 0xff};
    store_stmt *st, *again, *other;
    assert_int_equal(store_prepare(c, sql, &st), FZ_OK);
    store_bind_int(st, 1, INT64_C(9007199254740993)); /* beyond a double's precision */
    store_bind_text(st, 2, "法治政府");
    store_bind_blob(st, 3, blob, sizeof(blob));
    store_bind_null(st, 4);
    store_bind_textn(st, 5, "abcdef", 3);
    assert_int_equal(store_step(st), STORE_ROW);
    assert_true(store_col_int(st, 0) == INT64_C(9007199254740994));
    assert_string_equal(store_col_text(st, 1), "法治政府");
    size_t len = 0;
    const void *p = store_col_blob(st, 2, &len);
    assert_int_equal(len, sizeof(blob));
    assert_memory_equal(p, blob, sizeof(blob));
    assert_true(store_col_is_null(st, 3));
    assert_false(store_col_is_null(st, 1));
    assert_string_equal(store_col_text(st, 3), ""); /* NULL reads as "" */
    assert_int_equal(store_col_int(st, 4), 4);
    assert_string_equal(store_col_text(st, 5), "abc");
    assert_int_equal(store_step(st), STORE_DONE);
    store_done(st);

    /* The same SQL comes back from the cache, reset and with bindings cleared. */
    assert_int_equal(store_prepare(c, sql, &again), FZ_OK);
    assert_ptr_equal(again, st);
    assert_int_equal(store_step(again), STORE_ROW);
    assert_true(store_col_is_null(again, 1));
    assert_true(store_col_is_null(again, 2));
    store_done(again);

    assert_int_equal(store_prepare(c, "SELECT 2", &other), FZ_OK);
    assert_ptr_not_equal(other, st);
    assert_int_equal(store_step(other), STORE_ROW);
    assert_int_equal(store_col_int(other, 0), 2);
    store_done(other);

    /* Bad SQL is an error, not a crash, and is not cached. */
    assert_int_equal(store_prepare(c, "SELEC nonsense", &other), FZ_ERR);
    /* The reader is read-only. */
    assert_int_not_equal(store_exec(c, "CREATE TABLE x (a)"), FZ_OK);
    store_close(s);
}

static void test_write_visible_to_reader(void **state)
{
    store *s = open_at(g_dir, 0, 0, 1);
    assert_int_equal(store_write(s, job_create_table, NULL), FZ_OK);
    /* The reader's cached statement must not keep an old snapshot. */
    assert_int_equal(query_int(s, "SELECT count(*) FROM t"), 0);
    assert_int_equal(insert(s, 7, "七"), FZ_OK);
    assert_int_equal(query_int(s, "SELECT count(*) FROM t"), 1);

    store_stmt *st;
    assert_int_equal(store_prepare(store_reader(s), "SELECT v FROM t WHERE id = ?", &st), FZ_OK);
    store_bind_int(st, 1, 7);
    assert_int_equal(store_step(st), STORE_ROW);
    assert_string_equal(store_col_text(st, 0), "七");
    store_done(st);
    store_close(s);
}

/* ---- concurrency ---- */

typedef struct worker {
    store *s;
    pthread_barrier_t *bar;
    int first, n;  /* ids first .. first+n-1 */
    int odd_fail;  /* odd ids fail */
    int rc[64];
} worker;

static void *worker_main(void *arg)
{
    worker *w = arg;
    if (w->bar)
        pthread_barrier_wait(w->bar);
    for (int i = 0; i < w->n; i++) {
        ins a = {.id = w->first + i, .fail = w->odd_fail && (w->first + i) % 2};
        snprintf(a.v, sizeof(a.v), "v%d", w->first + i);
        w->rc[i] = store_write(w->s, job_insert, &a);
    }
    return NULL;
}

static atomic_int g_gate_running;

static int job_gate(store_conn *w, void *ctx)
{
    atomic_store(&g_gate_running, 1);
    usleep(200 * 1000); /* everyone else queues up behind this job */
    return FZ_OK;
}

static void *gate_main(void *arg)
{
    store_write(arg, job_gate, NULL);
    return NULL;
}

static uint64_t multi_batches(const store_stats *st)
{
    uint64_t n = 0;
    for (int b = 1; b < STORE_HIST_BUCKETS; b++)
        n += st->hist[b];
    return n;
}

static void test_failed_job_rolled_back_alone(void **state)
{
    enum { N = 32 };
    store *s = open_at(g_dir, 256, 0, 1);
    assert_int_equal(store_write(s, job_create_table, NULL), FZ_OK);
    store_stats before, after;
    store_get_stats(s, &before);

    /* Hold the writer with a slow job, then let 32 writers queue behind it:
     * they go into the next transaction together, half of them failing. */
    pthread_t gate, th[N];
    pthread_barrier_t bar;
    worker w[N];
    atomic_store(&g_gate_running, 0);
    pthread_barrier_init(&bar, NULL, N + 1);
    for (int i = 0; i < N; i++) {
        w[i] = (worker){.s = s, .bar = &bar, .first = i + 1, .n = 1, .odd_fail = 1};
        pthread_create(&th[i], NULL, worker_main, &w[i]);
    }
    pthread_create(&gate, NULL, gate_main, s);
    while (!atomic_load(&g_gate_running))
        usleep(1000);
    pthread_barrier_wait(&bar);
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    pthread_join(gate, NULL);
    pthread_barrier_destroy(&bar);

    for (int id = 1; id <= N; id++) {
        assert_int_equal(w[id - 1].rc[0], id % 2 ? FZ_INVALID : FZ_OK);
        assert_int_equal(row_exists(s, id), id % 2 ? 0 : 1);
    }
    assert_int_equal(query_int(s, "SELECT count(*) FROM t"), N / 2);

    store_get_stats(s, &after);
    assert_int_equal(after.jobs - before.jobs, N + 1);
    assert_int_equal(after.failed_commits, 0);
    /* The failures really shared a transaction with successes: some batch
     * held more than 16 jobs (bucket 5 is 17..32), more than either half. */
    assert_true(after.commits - before.commits < N + 1);
    uint64_t big = 0;
    for (int b = 5; b < STORE_HIST_BUCKETS; b++)
        big += after.hist[b] - before.hist[b];
    assert_true(big > 0);
    store_close(s);
}

/* T threads x W writes each; returns the stats delta. */
static void run_writers(store *s, int threads, int writes, store_stats *delta)
{
    pthread_t th[32];
    worker w[32];
    store_stats a, b;
    assert_true(threads <= 32 && writes <= 64);
    store_get_stats(s, &a);
    for (int i = 0; i < threads; i++) {
        w[i] = (worker){.s = s, .first = 1 + i * writes, .n = writes};
        pthread_create(&th[i], NULL, worker_main, &w[i]);
    }
    for (int i = 0; i < threads; i++)
        pthread_join(th[i], NULL);
    store_get_stats(s, &b);
    for (int i = 0; i < threads; i++)
        for (int k = 0; k < writes; k++)
            assert_int_equal(w[i].rc[k], FZ_OK);
    assert_int_equal(query_int(s, "SELECT count(*) FROM t"), threads * writes);
    delta->commits = b.commits - a.commits;
    delta->jobs = b.jobs - a.jobs;
    delta->failed_commits = b.failed_commits - a.failed_commits;
    delta->batch_sum = b.batch_sum - a.batch_sum;
    for (int k = 0; k < STORE_HIST_BUCKETS; k++)
        delta->hist[k] = b.hist[k] - a.hist[k];
}

static void test_group_commit_batches(void **state)
{
    store *s = open_at(g_dir, 256, 0, 1);
    assert_int_equal(store_write(s, job_create_table, NULL), FZ_OK);
    store_stats d;
    run_writers(s, 32, 50, &d);
    assert_int_equal(d.jobs, 32 * 50);
    assert_int_equal(d.batch_sum, 32 * 50);
    assert_int_equal(d.failed_commits, 0);
    assert_true(d.commits < d.jobs);
    assert_true(multi_batches(&d) > 0);
    uint64_t hist_total = 0;
    for (int k = 0; k < STORE_HIST_BUCKETS; k++)
        hist_total += d.hist[k];
    assert_int_equal(hist_total, d.commits);
    store_close(s);
}

static void test_batch_max_caps_batches(void **state)
{
    /* batch_max = 1: group commit off, one commit per job. */
    store *s = open_at(g_dir, 1, 0, 1);
    assert_int_equal(store_write(s, job_create_table, NULL), FZ_OK);
    store_stats d;
    run_writers(s, 8, 20, &d);
    assert_int_equal(d.jobs, 160);
    assert_int_equal(d.commits, d.jobs);
    assert_int_equal(d.hist[0], d.commits);
    assert_int_equal(multi_batches(&d), 0);
    store_close(s);

    /* batch_max = 4: batches happen but never exceed 4 (buckets <=1, 2, 4). */
    char sub[128];
    snprintf(sub, sizeof(sub), "%s/b4", g_dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    s = open_at(sub, 4, 0, 1);
    assert_int_equal(store_write(s, job_create_table, NULL), FZ_OK);
    run_writers(s, 16, 20, &d);
    assert_int_equal(d.jobs, 320);
    assert_true(d.commits >= d.jobs / 4);
    for (int k = 3; k < STORE_HIST_BUCKETS; k++)
        assert_int_equal(d.hist[k], 0);
    store_close(s);
}

static void test_stats_count(void **state)
{
    store *s = open_at(g_dir, 256, 0, 1);
    store_stats z;
    store_get_stats(s, &z);
    assert_int_equal(z.jobs, 0);
    assert_int_equal(z.commits, 0);
    assert_int_equal(store_write(s, job_create_table, NULL), FZ_OK);
    assert_int_equal(insert(s, 1, "a"), FZ_OK);
    assert_int_equal(insert(s, 2, "b"), FZ_OK);
    ins bad = {.id = 3, .v = "c", .fail = 1};
    assert_int_equal(store_write(s, job_insert, &bad), FZ_INVALID);
    /* Sequential writes: one job per commit; a failed job still commits
     * (an empty transaction) and counts as a job. */
    store_stats st;
    store_get_stats(s, &st);
    assert_int_equal(st.jobs, 4);
    assert_int_equal(st.commits, 4);
    assert_int_equal(st.failed_commits, 0);
    assert_int_equal(st.batch_sum, 4);
    assert_int_equal(st.hist[0], 4);
    store_close(s);
}

static void test_read_only_open(void **state)
{
    store *s = open_at(g_dir, 0, 0, 1);
    assert_int_equal(store_write(s, job_create_table, NULL), FZ_OK);
    assert_int_equal(insert(s, 1, "one"), FZ_OK);
    store_close(s);

    s = open_at(g_dir, 0, 1, 0);
    assert_int_equal(insert(s, 2, "two"), FZ_UNAVAIL);
    assert_int_equal(query_int(s, "SELECT count(*) FROM t"), 1);
    int cur, latest;
    store_schema(s, &cur, &latest);
    assert_int_equal(cur, latest);
    store_stats st;
    store_get_stats(s, &st);
    assert_int_equal(st.jobs, 0);
    store_close(s);
}

static void test_missing_database(void **state)
{
    for (int no_writer = 0; no_writer <= 1; no_writer++) {
        store_opts o = {.dir = g_dir, .no_writer = no_writer, .create = 0};
        store *s = NULL;
        char err[512] = "";
        assert_int_equal(store_open(&o, &s, err, sizeof(err)), FZ_NOTFOUND);
        assert_null(s);
        assert_non_null(strstr(err, "fazhi init"));
        assert_non_null(strstr(err, "尚未初始化"));
        assert_non_null(strstr(err, g_dir));
    }
    char path[128];
    struct stat sb;
    snprintf(path, sizeof(path), "%s/fazhi.db", g_dir);
    assert_int_not_equal(stat(path, &sb), 0); /* nothing was created */
}

static void raw_exec(const char *dir, const char *sql)
{
    char path[128];
    sqlite3 *db = NULL;
    snprintf(path, sizeof(path), "%s/fazhi.db", dir);
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static void test_newer_schema_refused(void **state)
{
    store_close(open_at(g_dir, 0, 0, 1));
    char sql[256];
    snprintf(sql, sizeof(sql),
             "INSERT INTO schema_migrations (version, name, applied_at) VALUES (%d, 'future', 0)",
             migrate_latest() + 1);
    raw_exec(g_dir, sql);
    for (int no_writer = 0; no_writer <= 1; no_writer++) {
        store_opts o = {.dir = g_dir, .no_writer = no_writer};
        store *s = NULL;
        char err[512] = "";
        assert_int_equal(store_open(&o, &s, err, sizeof(err)), FZ_CONFLICT);
        assert_null(s);
        assert_non_null(strstr(err, "更新版本"));
    }
}

static void test_backup(void **state)
{
    store *s = open_at(g_dir, 0, 0, 1);
    assert_int_equal(store_write(s, job_create_table, NULL), FZ_OK);
    for (int i = 1; i <= 100; i++) {
        char v[16];
        snprintf(v, sizeof(v), "行%d", i);
        assert_int_equal(insert(s, i, v), FZ_OK);
    }
    char bdir[128], bpath[160], err[512] = "";
    snprintf(bdir, sizeof(bdir), "%s/bk", g_dir);
    snprintf(bpath, sizeof(bpath), "%s/fazhi.db", bdir);
    assert_int_equal(mkdir(bdir, 0700), 0);
    assert_int_equal(store_backup(s, bpath, err, sizeof(err)), FZ_OK);
    /* The live store keeps working after a backup. */
    assert_int_equal(insert(s, 101, "after"), FZ_OK);
    /* An existing file is never overwritten. */
    err[0] = '\0';
    assert_int_equal(store_backup(s, bpath, err, sizeof(err)), FZ_CONFLICT);
    assert_non_null(strstr(err, "已存在"));
    store_close(s);

    /* The copy is a standalone database with the rows as of the backup. */
    store *b = open_at(bdir, 0, 1, 0);
    int cur, latest;
    store_schema(b, &cur, &latest);
    assert_int_equal(cur, latest);
    assert_int_equal(query_int(b, "SELECT count(*) FROM t"), 100);
    assert_int_equal(query_int(b, "SELECT sum(id) FROM t"), 5050);
    store_stmt *st;
    assert_int_equal(store_prepare(store_reader(b), "SELECT v FROM t WHERE id = 42", &st), FZ_OK);
    assert_int_equal(store_step(st), STORE_ROW);
    assert_string_equal(store_col_text(st, 0), "行42");
    store_done(st);
    store_close(b);
}

static void test_constraint_conflict(void **state)
{
    store *s = open_at(g_dir, 0, 0, 1);
    assert_int_equal(store_write(s, job_create_table, NULL), FZ_OK);
    assert_int_equal(insert(s, 1, "one"), FZ_OK);
    assert_int_equal(insert(s, 1, "dup-key"), FZ_CONFLICT);   /* primary key */
    assert_int_equal(insert(s, 2, "one"), FZ_CONFLICT);       /* UNIQUE */
    assert_int_equal(insert(s, 2, "two"), FZ_OK);             /* and the writer goes on */
    assert_int_equal(query_int(s, "SELECT count(*) FROM t"), 2);
    store_stmt *st;
    assert_int_equal(store_prepare(store_reader(s), "SELECT v FROM t WHERE id = 1", &st), FZ_OK);
    assert_int_equal(store_step(st), STORE_ROW);
    assert_string_equal(store_col_text(st, 0), "one");
    store_done(st);
    store_close(s);
}

/* The generic row access copy.c uses: column count, value types, and text
 * lengths that count NUL bytes. */
static void test_generic_row_access(void **state)
{
    store *s = open_at(g_dir, 0, 0, 1);
    store_conn *c = store_reader(s);
    store_stmt *st;
    static const unsigned char blob[] = {0x00, 0xff};
    assert_int_equal(store_prepare(c, "SELECT ?1, ?2, ?3, ?4, ?5, 1.5", &st), FZ_OK);
    store_bind_int(st, 1, 42);
    store_bind_textn(st, 2, "a\0b", 3);
    store_bind_blob(st, 3, blob, sizeof(blob));
    store_bind_null(st, 4);
    store_bind_text(st, 5, "法治");
    assert_int_equal(store_step(st), STORE_ROW);
    assert_int_equal(st->ops->col_count(st), 6);
    assert_int_equal(st->ops->col_type(st, 0), STORE_T_INT);
    assert_int_equal(st->ops->col_type(st, 1), STORE_T_TEXT);
    assert_int_equal(st->ops->col_type(st, 2), STORE_T_BLOB);
    assert_int_equal(st->ops->col_type(st, 3), STORE_T_NULL);
    assert_int_equal(st->ops->col_type(st, 5), STORE_T_FLOAT);
    const char *t = store_col_text(st, 1);
    assert_int_equal(st->ops->col_bytes(st, 1), 3);
    assert_memory_equal(t, "a\0b", 3);
    store_col_text(st, 4);
    assert_int_equal(st->ops->col_bytes(st, 4), strlen("法治"));
    store_done(st);

    /* migrate-store copies SQLite into PostgreSQL only. */
    store *ro = open_at(g_dir, 0, 1, 0);
    store_copy_report rep;
    char err[256] = "";
    assert_int_equal(store_copy_into(ro, s, NULL, NULL, NULL, &rep, err, sizeof(err)), FZ_INVALID);
    assert_non_null(strstr(err, "PostgreSQL"));
    store_close(ro);
    store_close(s);
}

int main(void)
{
    log_setup(LOG_OFF, 2, 2); /* expected failures (bad SQL) would log */
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_create_runs_migrations),
        T(test_prepare_cache_bind_columns),
        T(test_write_visible_to_reader),
        T(test_failed_job_rolled_back_alone),
        T(test_group_commit_batches),
        T(test_batch_max_caps_batches),
        T(test_stats_count),
        T(test_read_only_open),
        T(test_missing_database),
        T(test_newer_schema_refused),
        T(test_backup),
        T(test_constraint_conflict),
        T(test_generic_row_access),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
