/* sqlite.c: the SQLite implementation of store.h.
 *
 * One writer connection owned by a writer thread that drains a queue of jobs
 * and commits everything waiting in one transaction (group commit), one
 * read-only connection per worker thread, a prepared-statement cache per
 * connection, WAL with synchronous=FULL. See docs/architecture.md. */
#include "store/store.h"
#include "store/migrate.h"
#include "store/fts_cjk.h"
#include "core/log.h"
#include "core/status.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CACHE_SLOTS 1024 /* statements per connection, open addressing (definitions add SQL per kind) */

struct store_stmt {
    sqlite3_stmt *st;
    const char *sql; /* owned copy, the cache key */
    unsigned hash;
};

struct store_conn {
    sqlite3 *db;
    store *owner;
    store_stmt cache[CACHE_SLOTS];
    int cached;
    store_conn *next; /* registry of open readers */
};

typedef struct job {
    store_write_fn fn;
    void *ctx;
    int rc;
    int done;
    store_done_fn on_done; /* async jobs: called after commit; job is malloc'd */
    void *arg;
    struct job *next;
} job;

struct store {
    char path[4096];
    int batch_max;
    store_conn *writer;
    pthread_t writer_thread;
    int has_writer;
    pthread_mutex_t mu;
    pthread_cond_t work;   /* signalled when a job is queued or on stop */
    pthread_cond_t done;   /* broadcast after each batch */
    job *head, *tail;
    int stopping;
    store_stats stats;
    void (*commit_hook)(void);
    pthread_key_t reader_key;
    store_conn *readers;   /* all open readers, guarded by mu */
    int schema_current;
};

static unsigned sql_hash(const char *s)
{
    unsigned h = 2166136261u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static void conn_close(store_conn *c)
{
    if (!c)
        return;
    for (int i = 0; i < CACHE_SLOTS; i++) {
        if (c->cache[i].st) {
            sqlite3_finalize(c->cache[i].st);
            free((void *)c->cache[i].sql);
        }
    }
    sqlite3_close(c->db);
    free(c);
}

static int conn_open(store *s, int readonly, int create, store_conn **out, char *err, size_t errlen)
{
    store_conn *c = calloc(1, sizeof(*c));
    if (!c)
        return FZ_NOMEM;
    c->owner = s;
    int flags = SQLITE_OPEN_NOMUTEX | (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE);
    if (create)
        flags |= SQLITE_OPEN_CREATE;
    if (sqlite3_open_v2(s->path, &c->db, flags, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "无法打开数据库 %s：%s", s->path,
                 c->db ? sqlite3_errmsg(c->db) : "内存不足");
        conn_close(c);
        return FZ_UNAVAIL;
    }
    sqlite3_busy_timeout(c->db, 5000);
    const char *pragmas = readonly
        ? "PRAGMA query_only=1; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;"
        : "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
          "PRAGMA temp_store=MEMORY; PRAGMA journal_size_limit=67108864;";
    char *msg = NULL;
    if (sqlite3_exec(c->db, pragmas, NULL, NULL, &msg) != SQLITE_OK || fts_cjk_register(c->db) != FZ_OK) {
        snprintf(err, errlen, "数据库初始化失败：%s", msg ? msg : "未知错误");
        sqlite3_free(msg);
        conn_close(c);
        return FZ_UNAVAIL;
    }
    *out = c;
    return FZ_OK;
}

int store_prepare(store_conn *c, const char *sql, store_stmt **out)
{
    unsigned h = sql_hash(sql);
    unsigned i = h % CACHE_SLOTS;
    for (int probe = 0; probe < CACHE_SLOTS; probe++, i = (i + 1) % CACHE_SLOTS) {
        store_stmt *e = &c->cache[i];
        if (!e->st)
            break;
        if (e->hash == h && strcmp(e->sql, sql) == 0) {
            *out = e;
            return FZ_OK;
        }
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        log_error("store: prepare failed: %s: %s", sqlite3_errmsg(c->db), sql);
        return FZ_ERR;
    }
    if (c->cached >= CACHE_SLOTS * 3 / 4) {
        /* The cache holds static SQL only, so this means a bug (dynamic SQL). */
        log_error("store: statement cache full");
        sqlite3_finalize(st);
        return FZ_ERR;
    }
    char *copy = strdup(sql);
    if (!copy) {
        sqlite3_finalize(st);
        return FZ_NOMEM;
    }
    i = h % CACHE_SLOTS;
    while (c->cache[i].st)
        i = (i + 1) % CACHE_SLOTS;
    c->cache[i] = (store_stmt){st, copy, h};
    c->cached++;
    *out = &c->cache[i];
    return FZ_OK;
}

void store_bind_int(store_stmt *st, int idx, int64_t v)
{
    sqlite3_bind_int64(st->st, idx, v);
}

void store_bind_text(store_stmt *st, int idx, const char *s)
{
    if (s)
        sqlite3_bind_text(st->st, idx, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st->st, idx);
}

void store_bind_textn(store_stmt *st, int idx, const char *s, size_t len)
{
    sqlite3_bind_text64(st->st, idx, s, len, SQLITE_TRANSIENT, SQLITE_UTF8);
}

void store_bind_blob(store_stmt *st, int idx, const void *p, size_t len)
{
    sqlite3_bind_blob64(st->st, idx, p, len, SQLITE_TRANSIENT);
}

void store_bind_null(store_stmt *st, int idx)
{
    sqlite3_bind_null(st->st, idx);
}

int store_step(store_stmt *st)
{
    int rc = sqlite3_step(st->st);
    if (rc == SQLITE_ROW)
        return STORE_ROW;
    if (rc == SQLITE_DONE)
        return STORE_DONE;
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return FZ_CONFLICT;
    log_error("store: step failed (%d): %s", rc, sqlite3_errmsg(sqlite3_db_handle(st->st)));
    return FZ_ERR;
}

int64_t store_col_int(store_stmt *st, int idx)
{
    return sqlite3_column_int64(st->st, idx);
}

const char *store_col_text(store_stmt *st, int idx)
{
    const unsigned char *t = sqlite3_column_text(st->st, idx);
    return t ? (const char *)t : "";
}

const void *store_col_blob(store_stmt *st, int idx, size_t *len)
{
    const void *p = sqlite3_column_blob(st->st, idx);
    *len = (size_t)sqlite3_column_bytes(st->st, idx);
    return p;
}

int store_col_is_null(store_stmt *st, int idx)
{
    return sqlite3_column_type(st->st, idx) == SQLITE_NULL;
}

void store_done(store_stmt *st)
{
    sqlite3_reset(st->st);
    sqlite3_clear_bindings(st->st);
}

int store_exec(store_conn *c, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(c->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        log_error("store: exec failed: %s", msg ? msg : "?");
        sqlite3_free(msg);
        return FZ_ERR;
    }
    return FZ_OK;
}

int64_t store_changes(store_conn *c)
{
    return sqlite3_changes64(c->db);
}

const char *store_errmsg(store_conn *c)
{
    return sqlite3_errmsg(c->db);
}

const char *store_backend(const store *s)
{
    return "sqlite";
}

/* ---- readers ---- */

static void reader_unregister(store *s, store_conn *c)
{
    pthread_mutex_lock(&s->mu);
    for (store_conn **p = &s->readers; *p; p = &(*p)->next) {
        if (*p == c) {
            *p = c->next;
            break;
        }
    }
    pthread_mutex_unlock(&s->mu);
}

static void reader_destroy(void *p)
{
    store_conn *c = p;
    reader_unregister(c->owner, c);
    conn_close(c);
}

store_conn *store_reader(store *s)
{
    store_conn *c = pthread_getspecific(s->reader_key);
    if (c)
        return c;
    char err[256];
    if (conn_open(s, 1, 0, &c, err, sizeof(err)) != FZ_OK) {
        log_error("store: %s", err);
        return NULL;
    }
    pthread_mutex_lock(&s->mu);
    c->next = s->readers;
    s->readers = c;
    pthread_mutex_unlock(&s->mu);
    pthread_setspecific(s->reader_key, c);
    return c;
}

/* ---- writer ---- */

static void stats_batch(store *s, int n, int ok)
{
    s->stats.jobs += (uint64_t)n;
    if (!ok) {
        s->stats.failed_commits++;
        return;
    }
    s->stats.commits++;
    s->stats.batch_sum += (uint64_t)n;
    int b = 0;
    while (b < STORE_HIST_BUCKETS - 1 && n > (1 << b))
        b++;
    s->stats.hist[b]++;
}

/* Runs a cached, parameterless control statement (BEGIN, SAVEPOINT, ...):
 * sqlite3_exec would parse it again for every job. */
static int control(store_conn *w, const char *sql)
{
    store_stmt *st;
    if (store_prepare(w, sql, &st))
        return FZ_ERR;
    int rc = store_step(st) == STORE_DONE ? FZ_OK : FZ_ERR;
    store_done(st);
    return rc;
}

static void run_batch(store *s, job *batch, int n)
{
    store_conn *w = s->writer;
    int ok = control(w, "BEGIN IMMEDIATE") == FZ_OK;
    for (job *j = batch; j; j = j->next) {
        if (!ok) {
            j->rc = FZ_ERR;
            continue;
        }
        if (control(w, "SAVEPOINT job") != FZ_OK) {
            j->rc = FZ_ERR;
            continue;
        }
        j->rc = j->fn(w, j->ctx);
        if (j->rc != FZ_OK)
            control(w, "ROLLBACK TO job");
        control(w, "RELEASE job");
    }
    if (ok && control(w, "COMMIT") != FZ_OK) {
        ok = 0;
        store_exec(w, "ROLLBACK");
        for (job *j = batch; j; j = j->next)
            j->rc = FZ_ERR;
    }
    if (s->commit_hook)
        s->commit_hook();
    /* Async jobs are completed outside the lock; sync jobs' waiters are woken
     * together. A sync job lives on its waiter's stack, so it is not touched
     * after done is set. */
    job *async = NULL;
    pthread_mutex_lock(&s->mu);
    stats_batch(s, n, ok);
    for (job *j = batch, *next; j; j = next) {
        next = j->next;
        if (j->on_done) {
            j->next = async;
            async = j;
        } else {
            j->done = 1;
        }
    }
    pthread_cond_broadcast(&s->done);
    pthread_mutex_unlock(&s->mu);
    while (async) {
        job *next = async->next;
        async->on_done(async->arg, async->rc);
        free(async);
        async = next;
    }
}

static void *writer_main(void *arg)
{
    store *s = arg;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (!s->head && !s->stopping)
            pthread_cond_wait(&s->work, &s->mu);
        if (!s->head && s->stopping)
            break;
        job *batch = s->head, *last = s->head;
        int n = 1;
        while (last->next && n < s->batch_max) {
            last = last->next;
            n++;
        }
        s->head = last->next;
        if (!s->head)
            s->tail = NULL;
        last->next = NULL;
        pthread_mutex_unlock(&s->mu);
        run_batch(s, batch, n);
        pthread_mutex_lock(&s->mu);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

/* Appends j to the queue; call with s->mu held. */
static int enqueue(store *s, job *j)
{
    if (!s->has_writer || s->stopping)
        return FZ_UNAVAIL;
    if (s->tail)
        s->tail->next = j;
    else
        s->head = j;
    s->tail = j;
    pthread_cond_signal(&s->work);
    return FZ_OK;
}

int store_write(store *s, store_write_fn fn, void *ctx)
{
    job j = {.fn = fn, .ctx = ctx, .rc = FZ_ERR};
    pthread_mutex_lock(&s->mu);
    int rc = enqueue(s, &j);
    while (rc == FZ_OK && !j.done)
        pthread_cond_wait(&s->done, &s->mu);
    pthread_mutex_unlock(&s->mu);
    return rc == FZ_OK ? j.rc : rc;
}

int store_write_async(store *s, store_write_fn fn, void *ctx, store_done_fn done, void *arg)
{
    job *j = calloc(1, sizeof(*j));
    if (!j)
        return FZ_NOMEM;
    *j = (job){.fn = fn, .ctx = ctx, .rc = FZ_ERR, .on_done = done, .arg = arg};
    pthread_mutex_lock(&s->mu);
    int rc = enqueue(s, j);
    pthread_mutex_unlock(&s->mu);
    if (rc != FZ_OK)
        free(j);
    return rc;
}

void store_set_commit_hook(store *s, void (*fn)(void))
{
    s->commit_hook = fn;
}

void store_get_stats(store *s, store_stats *out)
{
    pthread_mutex_lock(&s->mu);
    *out = s->stats;
    pthread_mutex_unlock(&s->mu);
}

void store_schema(store *s, int *current, int *latest)
{
    *current = s->schema_current;
    *latest = migrate_latest();
}

/* ---- open / close ---- */

int store_open(const store_opts *o, store **out, char *err, size_t errlen)
{
    store *s = calloc(1, sizeof(*s));
    if (!s)
        return FZ_NOMEM;
    int n = snprintf(s->path, sizeof(s->path), "%s/fazhi.db", o->dir);
    if (n < 0 || (size_t)n >= sizeof(s->path)) {
        snprintf(err, errlen, "数据目录路径过长");
        free(s);
        return FZ_INVALID;
    }
    s->batch_max = o->batch_max > 0 ? o->batch_max : 256;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->work, NULL);
    pthread_cond_init(&s->done, NULL);
    pthread_key_create(&s->reader_key, reader_destroy);

    struct stat sb;
    if (!o->create && stat(s->path, &sb) != 0) {
        snprintf(err, errlen, "数据目录 %s 尚未初始化（找不到 fazhi.db），请先运行 fazhi init --data %s",
                 o->dir, o->dir);
        store_close(s);
        return FZ_NOTFOUND;
    }
    /* The writer connection also runs migrations; read-only opens use a
     * temporary read connection only to check the schema version. */
    store_conn *c = NULL;
    int rc = conn_open(s, o->no_writer, o->create, &c, err, errlen);
    if (rc != FZ_OK) {
        store_close(s);
        return rc;
    }
    rc = o->no_writer ? migrate_check(c, &s->schema_current, err, errlen)
                      : migrate_apply(c, &s->schema_current, err, errlen);
    if (rc != FZ_OK) {
        conn_close(c);
        store_close(s);
        return rc;
    }
    if (o->no_writer) {
        conn_close(c);
    } else {
        s->writer = c;
        if (pthread_create(&s->writer_thread, NULL, writer_main, s) != 0) {
            snprintf(err, errlen, "无法启动写线程：%s", strerror(errno));
            store_close(s);
            return FZ_ERR;
        }
        s->has_writer = 1;
    }
    *out = s;
    return FZ_OK;
}

void store_close(store *s)
{
    if (!s)
        return;
    if (s->has_writer) {
        pthread_mutex_lock(&s->mu);
        s->stopping = 1;
        pthread_cond_signal(&s->work);
        pthread_mutex_unlock(&s->mu);
        pthread_join(s->writer_thread, NULL);
    }
    if (s->writer) {
        store_exec(s->writer, "PRAGMA optimize");
        conn_close(s->writer);
    }
    /* Close readers still open (threads that have not exited, or this one). */
    pthread_setspecific(s->reader_key, NULL);
    pthread_mutex_lock(&s->mu);
    store_conn *c = s->readers;
    s->readers = NULL;
    pthread_mutex_unlock(&s->mu);
    while (c) {
        store_conn *next = c->next;
        conn_close(c);
        c = next;
    }
    pthread_key_delete(s->reader_key);
    pthread_cond_destroy(&s->work);
    pthread_cond_destroy(&s->done);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

int store_backup(store *s, const char *path, char *err, size_t errlen)
{
    struct stat sb;
    if (stat(path, &sb) == 0) {
        snprintf(err, errlen, "备份文件 %s 已存在，拒绝覆盖", path);
        return FZ_CONFLICT;
    }
    sqlite3 *src = NULL, *dst = NULL;
    int rc = FZ_ERR;
    if (sqlite3_open_v2(s->path, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "无法打开数据库：%s", sqlite3_errmsg(src));
        goto out;
    }
    if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "无法创建备份文件 %s：%s", path, sqlite3_errmsg(dst));
        goto out;
    }
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    if (!b) {
        snprintf(err, errlen, "备份失败：%s", sqlite3_errmsg(dst));
        goto out;
    }
    /* One step copies a consistent snapshot (WAL readers do not block the writer). */
    int st = sqlite3_backup_step(b, -1);
    sqlite3_backup_finish(b);
    if (st != SQLITE_DONE) {
        snprintf(err, errlen, "备份失败：%s", sqlite3_errstr(st));
        goto out;
    }
    /* The copy is a standalone file: switch it out of WAL so it is one file. */
    sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL);
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(dst, "PRAGMA quick_check", -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(q, 0), "ok") == 0)
        rc = FZ_OK;
    else
        snprintf(err, errlen, "备份文件完整性检查失败");
    sqlite3_finalize(q);
out:
    sqlite3_close(src);
    sqlite3_close(dst);
    if (rc != FZ_OK)
        unlink(path);
    return rc;
}
