/* sqlite.c: the SQLite backend (backend.h): connections with a
 * prepared-statement cache, WAL with synchronous=FULL, read-only readers,
 * BEGIN IMMEDIATE for the writer's batches, the online backup. The writer
 * thread and group commit are in store.c. See docs/architecture.md. */
#include "store/backend.h"
#include "store/fts_cjk.h"
#include "core/log.h"
#include "core/status.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CACHE_SLOTS 1024 /* statements per connection, open addressing (definitions add SQL per kind) */

typedef struct sq_stmt {
    store_stmt base;
    sqlite3_stmt *st;
    const char *sql; /* owned copy, the cache key */
    size_t len;
    unsigned hash;
} sq_stmt;

typedef struct sq_conn {
    store_conn base;
    sqlite3 *db;
    sq_stmt cache[CACHE_SLOTS];
    int cached;
} sq_conn;

#define SQ(c) ((sq_conn *)(c))
#define ST(x) ((sq_stmt *)(x))

/* The cache key's hash: eight bytes a step (a procedure's load SQL names
 * 70 columns and the scope clause is 1 KB: a byte at a time, hashing was
 * 3 % of a case detail). */
static unsigned sql_hash(const char *s, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15u ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0xFF51AFD7ED558CCDu;
        h ^= h >> 32;
    }
    for (; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001B3u;
    h ^= h >> 29;
    return (unsigned)h;
}

static void sq_close(store_conn *base)
{
    sq_conn *c = SQ(base);
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

/* SQLite's memory statistics take one process-wide mutex around every
 * allocation and free: the two readers of a busy server waited on each other
 * there (perf: most of the server's futex calls under a case detail load).
 * Nothing reads those statistics, so they are off, set once before SQLite
 * initialises (a later call would be refused, harmlessly). */
static pthread_once_t sq_config_once = PTHREAD_ONCE_INIT;

static void sq_config(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static int sq_open(store *s, conn_role role, int create, store_conn **out, char *err, size_t errlen)
{
    pthread_once(&sq_config_once, sq_config);
    sq_conn *c = calloc(1, sizeof(*c));
    if (!c)
        return FZ_NOMEM;
    c->base.ops = &store_sqlite_ops;
    c->base.owner = s;
    int readonly = role != CONN_WRITER;
    int flags = SQLITE_OPEN_NOMUTEX | (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE);
    if (create)
        flags |= SQLITE_OPEN_CREATE;
    const char *path = store_target(s);
    if (sqlite3_open_v2(path, &c->db, flags, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "无法打开数据库 %s：%s", path, c->db ? sqlite3_errmsg(c->db) : "内存不足");
        sq_close(&c->base);
        return FZ_UNAVAIL;
    }
    sqlite3_busy_timeout(c->db, 5000);
    const char *pragmas = readonly
        ? "PRAGMA query_only=1; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;"
        : "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
          "PRAGMA temp_store=MEMORY; PRAGMA journal_size_limit=67108864;";
    char *msg = NULL;
    const char *bulk = !readonly && store_bulk(s) ? "PRAGMA cache_size=-1048576; PRAGMA temp_store=FILE;" : "";
    if (sqlite3_exec(c->db, pragmas, NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(c->db, bulk, NULL, NULL, &msg) != SQLITE_OK || fts_cjk_register(c->db) != FZ_OK) {
        snprintf(err, errlen, "数据库初始化失败：%s", msg ? msg : "未知错误");
        sqlite3_free(msg);
        sq_close(&c->base);
        return FZ_UNAVAIL;
    }
    *out = &c->base;
    return FZ_OK;
}

static int sq_prepare(store_conn *base, const char *sql, store_stmt **out)
{
    sq_conn *c = SQ(base);
    size_t len = strlen(sql);
    unsigned h = sql_hash(sql, len);
    unsigned i = h % CACHE_SLOTS;
    for (int probe = 0; probe < CACHE_SLOTS; probe++, i = (i + 1) % CACHE_SLOTS) {
        sq_stmt *e = &c->cache[i];
        if (!e->st)
            break;
        if (e->hash == h && e->len == len && memcmp(e->sql, sql, len) == 0) {
            *out = &e->base;
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
    c->cache[i] = (sq_stmt){{&store_sqlite_ops}, st, copy, len, h};
    c->cached++;
    *out = &c->cache[i].base;
    return FZ_OK;
}

static void sq_bind_int(store_stmt *st, int idx, int64_t v)
{
    sqlite3_bind_int64(ST(st)->st, idx, v);
}

static void sq_bind_textn(store_stmt *st, int idx, const char *s, size_t len)
{
    if (s)
        sqlite3_bind_text64(ST(st)->st, idx, s, len, SQLITE_TRANSIENT, SQLITE_UTF8);
    else
        sqlite3_bind_null(ST(st)->st, idx);
}

static void sq_bind_blob(store_stmt *st, int idx, const void *p, size_t len)
{
    sqlite3_bind_blob64(ST(st)->st, idx, p, len, SQLITE_TRANSIENT);
}

static void sq_bind_null(store_stmt *st, int idx)
{
    sqlite3_bind_null(ST(st)->st, idx);
}

static int sq_step(store_stmt *base)
{
    sqlite3_stmt *st = ST(base)->st;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return STORE_ROW;
    if (rc == SQLITE_DONE)
        return STORE_DONE;
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return FZ_CONFLICT;
    log_error("store: step failed (%d): %s", rc, sqlite3_errmsg(sqlite3_db_handle(st)));
    return FZ_ERR;
}

static int64_t sq_col_int(store_stmt *st, int idx)
{
    return sqlite3_column_int64(ST(st)->st, idx);
}

static const char *sq_col_text(store_stmt *st, int idx)
{
    const unsigned char *t = sqlite3_column_text(ST(st)->st, idx);
    return t ? (const char *)t : "";
}

static const void *sq_col_blob(store_stmt *st, int idx, size_t *len)
{
    const void *p = sqlite3_column_blob(ST(st)->st, idx);
    *len = (size_t)sqlite3_column_bytes(ST(st)->st, idx);
    return p;
}

static int sq_col_is_null(store_stmt *st, int idx)
{
    return sqlite3_column_type(ST(st)->st, idx) == SQLITE_NULL;
}

static int sq_col_count(store_stmt *st)
{
    return sqlite3_column_count(ST(st)->st);
}

static store_col_kind sq_col_type(store_stmt *st, int idx)
{
    switch (sqlite3_column_type(ST(st)->st, idx)) {
    case SQLITE_INTEGER: return STORE_T_INT;
    case SQLITE_FLOAT: return STORE_T_FLOAT;
    case SQLITE_TEXT: return STORE_T_TEXT;
    case SQLITE_BLOB: return STORE_T_BLOB;
    default: return STORE_T_NULL;
    }
}

/* Call after col_text (SQLite's order: the text first, then its length). */
static size_t sq_col_bytes(store_stmt *st, int idx)
{
    return (size_t)sqlite3_column_bytes(ST(st)->st, idx);
}

static void sq_done(store_stmt *st)
{
    sqlite3_reset(ST(st)->st);
    sqlite3_clear_bindings(ST(st)->st);
}

static int sq_exec(store_conn *c, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(SQ(c)->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        log_error("store: exec failed: %s", msg ? msg : "?");
        sqlite3_free(msg);
        return FZ_ERR;
    }
    return FZ_OK;
}

static int64_t sq_changes(store_conn *c)
{
    return sqlite3_changes64(SQ(c)->db);
}

static const char *sq_errmsg(store_conn *c)
{
    return sqlite3_errmsg(SQ(c)->db);
}

/* One writer per database file: BEGIN IMMEDIATE takes SQLite's write lock,
 * which is what keeps a CLI and the server apart. */
static int sq_run_cached(store_conn *c, const char *sql)
{
    store_stmt *st;
    if (sq_prepare(c, sql, &st))
        return FZ_ERR;
    int rc = sq_step(st) == STORE_DONE ? FZ_OK : FZ_ERR;
    sq_done(st);
    return rc;
}

static int sq_begin(store_conn *w)
{
    return sq_run_cached(w, "BEGIN IMMEDIATE");
}

/* A deferred transaction: the WAL read lock is taken at the first read and
 * held until read_end, instead of taken and dropped around every statement. */
static int sq_read_begin(store_conn *c)
{
    return sq_run_cached(c, "BEGIN");
}

static void sq_read_end(store_conn *c)
{
    if (sqlite3_get_autocommit(SQ(c)->db))
        return;
    if (sq_run_cached(c, "COMMIT") != FZ_OK && !sqlite3_get_autocommit(SQ(c)->db)) {
        log_error("store: ending a read transaction failed: %s", sqlite3_errmsg(SQ(c)->db));
        sqlite3_exec(SQ(c)->db, "ROLLBACK", NULL, NULL, NULL);
    }
}

/* The pager's data version: it moves when a read transaction begins after
 * another connection committed. Inside a read transaction it is read from
 * the pager (no statement: PRAGMA data_version was 3 % of a list page); for
 * a read-only connection both give the same counter. */
static int sq_data_version(store_conn *c, int64_t *v)
{
    sqlite3 *db = SQ(c)->db;
    unsigned int dv = 0;
    if (sqlite3_txn_state(db, "main") >= SQLITE_TXN_READ &&
        sqlite3_file_control(db, "main", SQLITE_FCNTL_DATA_VERSION, &dv) == SQLITE_OK) {
        *v = dv;
        return FZ_OK;
    }
    store_stmt *st;
    if (sq_prepare(c, "PRAGMA data_version", &st))
        return FZ_ERR;
    int rc = sq_step(st) == STORE_ROW ? FZ_OK : FZ_ERR;
    if (!rc)
        *v = sq_col_int(st, 0);
    sq_done(st);
    return rc;
}

static void sq_finish(store_conn *w)
{
    sq_exec(w, "PRAGMA optimize");
}

static int sq_analyze(store *s)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(store_target(s), &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
                     sqlite3_busy_timeout(db, 5000) == SQLITE_OK && sqlite3_exec(db, "ANALYZE", NULL, NULL, NULL) == SQLITE_OK
                 ? FZ_OK
                 : FZ_ERR;
    sqlite3_close(db);
    return rc;
}

static int sq_backup(store *s, const char *path, char *err, size_t errlen)
{
    struct stat sb;
    if (stat(path, &sb) == 0) {
        snprintf(err, errlen, "备份文件 %s 已存在，拒绝覆盖", path);
        return FZ_CONFLICT;
    }
    sqlite3 *src = NULL, *dst = NULL;
    int rc = FZ_ERR;
    if (sqlite3_open_v2(store_target(s), &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
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

const store_ops store_sqlite_ops = {
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .prepare = sq_prepare,
    .bind_int = sq_bind_int,
    .bind_textn = sq_bind_textn,
    .bind_blob = sq_bind_blob,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .col_int = sq_col_int,
    .col_text = sq_col_text,
    .col_blob = sq_col_blob,
    .col_is_null = sq_col_is_null,
    .col_count = sq_col_count,
    .col_type = sq_col_type,
    .col_bytes = sq_col_bytes,
    .done = sq_done,
    .exec = sq_exec,
    .changes = sq_changes,
    .errmsg = sq_errmsg,
    .begin = sq_begin,
    .finish = sq_finish,
    .backup = sq_backup,
    .analyze = sq_analyze,
    .read_begin = sq_read_begin,
    .read_end = sq_read_end,
    .data_version = sq_data_version,
};
