/* store.c: the backend-neutral half of store.h: dispatch to the backend
 * (backend.h), the writer thread with its group commit, the per-thread
 * readers, statistics, open and close. sqlite.c and pg.c hold the rest.
 * See docs/architecture.md. */
#include "store/backend.h"
#include "store/migrate.h"
#include "core/log.h"
#include "core/status.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
    const store_ops *ops;
    char target[4096];     /* SQLite: DIR/fazhi.db; PostgreSQL: the URL */
    char ledger[32];
    int batch_max;
    int bulk;
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

static _Thread_local int tl_lost;
static _Thread_local int tl_scope;          /* store_read_scope */
static _Thread_local store_conn *tl_read_tx; /* the reader whose transaction is open */

#define MAX_JOB_END_HOOKS 4
static store_job_end_fn job_end_hooks[MAX_JOB_END_HOOKS];
static int n_job_end_hooks;

void store_add_job_end_hook(store_job_end_fn fn)
{
    for (int i = 0; i < n_job_end_hooks; i++)
        if (job_end_hooks[i] == fn)
            return;
    if (n_job_end_hooks < MAX_JOB_END_HOOKS)
        job_end_hooks[n_job_end_hooks++] = fn;
}

void store_thread_reset(void)
{
    tl_lost = 0;
}

int store_thread_lost(void)
{
    return tl_lost;
}

void store_note_lost(void)
{
    tl_lost = 1;
}

/* ---- dispatch ---- */

int store_prepare(store_conn *c, const char *sql, store_stmt **out)
{
    return c->ops->prepare(c, sql, out);
}

void store_bind_int(store_stmt *st, int idx, int64_t v)
{
    st->ops->bind_int(st, idx, v);
}

void store_bind_text(store_stmt *st, int idx, const char *s)
{
    st->ops->bind_textn(st, idx, s, s ? strlen(s) : 0);
}

void store_bind_textn(store_stmt *st, int idx, const char *s, size_t len)
{
    st->ops->bind_textn(st, idx, s ? s : "", len);
}

void store_bind_blob(store_stmt *st, int idx, const void *p, size_t len)
{
    st->ops->bind_blob(st, idx, p, len);
}

void store_bind_null(store_stmt *st, int idx)
{
    st->ops->bind_null(st, idx);
}

int store_step(store_stmt *st)
{
    return st->ops->step(st);
}

int64_t store_col_int(store_stmt *st, int idx)
{
    return st->ops->col_int(st, idx);
}

const char *store_col_text(store_stmt *st, int idx)
{
    return st->ops->col_text(st, idx);
}

const void *store_col_blob(store_stmt *st, int idx, size_t *len)
{
    return st->ops->col_blob(st, idx, len);
}

int store_col_is_null(store_stmt *st, int idx)
{
    return st->ops->col_is_null(st, idx);
}

void store_done(store_stmt *st)
{
    st->ops->done(st);
}

int store_exec(store_conn *c, const char *sql)
{
    return c->ops->exec(c, sql);
}

int64_t store_changes(store_conn *c)
{
    return c->ops->changes(c);
}

const char *store_errmsg(store_conn *c)
{
    return c->ops->errmsg(c);
}

const char *store_backend(const store *s)
{
    return s->ops->name;
}

const char *store_conn_backend(const store_conn *c)
{
    return c->ops->name;
}

int store_bulk(const store *s)
{
    return s->bulk;
}

const char *store_target(const store *s)
{
    return s->target;
}

const char *store_ledger(const store *s)
{
    return s->ledger;
}

int store_analyze(store *s)
{
    return s->ops->analyze(s);
}

int store_backup(store *s, const char *path, char *err, size_t errlen)
{
    return s->ops->backup(s, path, err, errlen);
}

/* ---- readers ---- */

#define MEMO_SLOTS 64

struct store_memo {
    int64_t version;
    int valid;          /* version was read */
    int next;           /* slot to replace when all are taken */
    char *key[MEMO_SLOTS];
    int64_t val[MEMO_SLOTS];
};

static void memo_clear(struct store_memo *m)
{
    for (int i = 0; i < MEMO_SLOTS; i++) {
        free(m->key[i]);
        m->key[i] = NULL;
    }
    m->next = 0;
}

static void conn_close(store_conn *c)
{
    if (c->memo) {
        memo_clear(c->memo);
        free(c->memo);
        c->memo = NULL;
    }
    c->ops->close(c);
}

/* The memo of c as of the current data version (emptied when it moved);
 * NULL when the backend cannot tell. */
static struct store_memo *memo_now(store_conn *c)
{
    int64_t v;
    if (!c->reader || !c->ops->data_version || c->ops->data_version(c, &v) != FZ_OK)
        return NULL;
    if (!c->memo && !(c->memo = calloc(1, sizeof(*c->memo))))
        return NULL;
    struct store_memo *m = c->memo;
    if (!m->valid || m->version != v) {
        memo_clear(m);
        m->version = v;
        m->valid = 1;
    }
    return m;
}

int store_memo_get(store_conn *c, const char *key, int64_t *v)
{
    struct store_memo *m = memo_now(c);
    for (int i = 0; m && i < MEMO_SLOTS; i++)
        if (m->key[i] && !strcmp(m->key[i], key)) {
            *v = m->val[i];
            return 1;
        }
    return 0;
}

void store_memo_put(store_conn *c, const char *key, int64_t v)
{
    struct store_memo *m = c->memo;
    if (!m || !m->valid)
        return;
    int i = 0;
    while (i < MEMO_SLOTS && m->key[i])
        i++;
    if (i == MEMO_SLOTS) {
        i = m->next;
        m->next = (m->next + 1) % MEMO_SLOTS;
        free(m->key[i]);
    }
    m->key[i] = strdup(key);
    m->val[i] = v;
}

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

static store_conn *scoped(store_conn *c)
{
    if (tl_scope && !tl_read_tx && c->ops->read_begin && c->ops->read_begin(c) == FZ_OK)
        tl_read_tx = c;
    return c;
}

store_conn *store_reader(store *s)
{
    store_conn *c = pthread_getspecific(s->reader_key);
    if (c)
        return scoped(c);
    char err[256];
    if (s->ops->open(s, CONN_READER, 0, &c, err, sizeof(err)) != FZ_OK) {
        log_error("store: %s", err);
        return NULL;
    }
    c->reader = 1;
    pthread_mutex_lock(&s->mu);
    c->next = s->readers;
    s->readers = c;
    pthread_mutex_unlock(&s->mu);
    pthread_setspecific(s->reader_key, c);
    return scoped(c);
}

void store_read_scope(int on)
{
    if (!on && tl_read_tx) {
        tl_read_tx->ops->read_end(tl_read_tx);
        tl_read_tx = NULL;
    }
    tl_scope = on;
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
    int ok = w->ops->begin(w) == FZ_OK;
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
        for (int h = 0; h < n_job_end_hooks; h++) {
            int hr = job_end_hooks[h](w, j->rc == FZ_OK);
            if (j->rc == FZ_OK && hr != FZ_OK)
                j->rc = hr;
        }
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

/* Picks the backend and its target from o->url ("sqlite:DIR",
 * "postgresql://...", or empty: SQLite in o->dir). */
static int parse_target(store *s, const store_opts *o, char *err, size_t errlen)
{
    const char *url = o->url && *o->url ? o->url : NULL;
    int n;
    if (url && (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0)) {
        s->ops = &store_pg_ops;
        n = snprintf(s->target, sizeof(s->target), "%s", url);
    } else if (url && strncmp(url, "sqlite:", 7) != 0) {
        snprintf(err, errlen, "存储配置 store 无效：%.200s（应为 sqlite:目录 或 postgresql://…）", url);
        return FZ_INVALID;
    } else {
        const char *dir = url ? url + 7 : o->dir;
        if (!dir || !*dir) {
            snprintf(err, errlen, "存储配置 store 无效：sqlite: 后须写数据库所在目录");
            return FZ_INVALID;
        }
        s->ops = &store_sqlite_ops;
        n = snprintf(s->target, sizeof(s->target), "%s/fazhi.db", dir);
        struct stat sb;
        if (n > 0 && (size_t)n < sizeof(s->target) && !o->create && stat(s->target, &sb) != 0) {
            snprintf(err, errlen, "数据目录 %s 尚未初始化（找不到 fazhi.db），请先运行 fazhi init --data %s", dir,
                     o->dir ? o->dir : dir);
            return FZ_NOTFOUND;
        }
    }
    if (n < 0 || (size_t)n >= sizeof(s->target)) {
        snprintf(err, errlen, "数据库路径或地址过长");
        return FZ_INVALID;
    }
    return FZ_OK;
}

int store_open(const store_opts *o, store **out, char *err, size_t errlen)
{
    store *s = calloc(1, sizeof(*s));
    if (!s)
        return FZ_NOMEM;
    s->batch_max = o->batch_max > 0 ? o->batch_max : 256;
    s->bulk = o->bulk;
    snprintf(s->ledger, sizeof(s->ledger), "%s", o->ledger ? o->ledger : "");
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->work, NULL);
    pthread_cond_init(&s->done, NULL);
    pthread_key_create(&s->reader_key, reader_destroy);
    int rc = parse_target(s, o, err, errlen);
    if (rc != FZ_OK) {
        store_close(s);
        return rc;
    }
    /* The writer connection also runs migrations; read-only opens use a
     * temporary read connection only to check the schema version. */
    store_conn *c = NULL;
    rc = s->ops->open(s, o->no_writer ? CONN_CHECK : CONN_WRITER, o->create, &c, err, errlen);
    if (rc != FZ_OK) {
        store_close(s);
        return rc;
    }
    rc = o->no_writer ? migrate_check(c, &s->schema_current, err, errlen)
                      : migrate_apply(c, &s->schema_current, err, errlen);
    if (rc != FZ_OK) {
        s->ops->close(c);
        store_close(s);
        return rc;
    }
    if (o->no_writer) {
        s->ops->close(c);
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
        s->ops->finish(s->writer);
        s->ops->close(s->writer);
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
