/* migrate.c: the schema, as numbered migrations (see migrate.h).
 * Migrations are append-only: never edit one that has shipped; add the next.
 * SQL here is SQLite's; the PostgreSQL backend keeps its own list with the
 * same numbers and the same tables. */
#include "store/migrate.h"
#include "store/store.h"
#include "core/status.h"
#include "core/timeutil.h"

#include <stdio.h>

typedef struct migration {
    int version;
    const char *name;
    const char *sql;
} migration;

static const migration migrations[] = {
    {1, "events chain and meta",
     "CREATE TABLE meta ("
     "  key TEXT PRIMARY KEY,"
     "  value TEXT NOT NULL);"
     /* The full-process record and audit chain (DESIGN §5, docs/events.md).
      * seq is the global order; (ledger, lseq) is the position in its chain. */
     "CREATE TABLE events ("
     "  seq INTEGER PRIMARY KEY,"
     "  ledger TEXT NOT NULL,"
     "  lseq INTEGER NOT NULL,"
     "  at INTEGER NOT NULL,"
     "  actor TEXT NOT NULL,"
     "  unit_id INTEGER NOT NULL,"
     "  region_code TEXT NOT NULL,"
     "  subject_kind TEXT NOT NULL,"
     "  subject_id TEXT NOT NULL,"
     "  action TEXT NOT NULL,"
     "  from_state TEXT NOT NULL,"
     "  to_state TEXT NOT NULL,"
     "  payload TEXT NOT NULL,"
     "  def_digest TEXT NOT NULL,"
     "  prev_hash TEXT NOT NULL,"
     "  hash TEXT NOT NULL,"
     "  UNIQUE (ledger, lseq));"
     "CREATE INDEX events_subject ON events (subject_kind, subject_id, seq);"
     "CREATE INDEX events_action ON events (action, at);"
     "CREATE INDEX events_at ON events (at);"
     /* One row per chain: its head, locked by the appending transaction. */
     "CREATE TABLE ledgers ("
     "  ledger TEXT PRIMARY KEY,"
     "  lseq INTEGER NOT NULL,"
     "  head TEXT NOT NULL);"},
};

#define N_MIGRATIONS (int)(sizeof(migrations) / sizeof(migrations[0]))

int migrate_latest(void)
{
    return migrations[N_MIGRATIONS - 1].version;
}

static int table_exists(store_conn *c, int *exists)
{
    store_stmt *st;
    if (store_prepare(c, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", &st))
        return FZ_ERR;
    store_bind_text(st, 1, "schema_migrations");
    int rc = store_step(st);
    *exists = rc == STORE_ROW && store_col_int(st, 0) > 0;
    store_done(st);
    return rc == STORE_ROW ? FZ_OK : FZ_ERR;
}

static int read_version(store_conn *c, int *current)
{
    store_stmt *st;
    if (store_prepare(c, "SELECT coalesce(max(version), 0) FROM schema_migrations", &st))
        return FZ_ERR;
    int rc = store_step(st);
    *current = rc == STORE_ROW ? (int)store_col_int(st, 0) : 0;
    store_done(st);
    return rc == STORE_ROW ? FZ_OK : FZ_ERR;
}

static int refuse_newer(int current, char *err, size_t errlen)
{
    if (current <= migrate_latest())
        return FZ_OK;
    snprintf(err, errlen,
             "数据目录由更新版本的 fazhi 写入（数据库结构版本 %d，本程序最高支持 %d），"
             "拒绝启动；请升级 fazhi 后再打开",
             current, migrate_latest());
    return FZ_CONFLICT;
}

int migrate_check(store_conn *c, int *current, char *err, size_t errlen)
{
    int exists = 0;
    if (table_exists(c, &exists) || !exists) {
        snprintf(err, errlen, "数据库尚未初始化（缺少 schema_migrations 表）");
        return FZ_NOTFOUND;
    }
    if (read_version(c, current)) {
        snprintf(err, errlen, "无法读取数据库结构版本：%s", store_errmsg(c));
        return FZ_ERR;
    }
    return refuse_newer(*current, err, errlen);
}

int migrate_apply(store_conn *c, int *current, char *err, size_t errlen)
{
    if (store_exec(c, "BEGIN IMMEDIATE"))
        goto fail;
    if (store_exec(c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                      " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)"))
        goto fail;
    if (read_version(c, current))
        goto fail;
    if (refuse_newer(*current, err, errlen)) {
        store_exec(c, "ROLLBACK");
        return FZ_CONFLICT;
    }
    for (int i = 0; i < N_MIGRATIONS; i++) {
        const migration *m = &migrations[i];
        if (m->version <= *current)
            continue;
        if (store_exec(c, m->sql))
            goto fail;
        store_stmt *st;
        if (store_prepare(c, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", &st))
            goto fail;
        store_bind_int(st, 1, m->version);
        store_bind_text(st, 2, m->name);
        store_bind_int(st, 3, time_now_ms());
        int rc = store_step(st);
        store_done(st);
        if (rc != STORE_DONE)
            goto fail;
        *current = m->version;
    }
    if (store_exec(c, "COMMIT"))
        goto fail;
    return FZ_OK;
fail:
    snprintf(err, errlen, "数据库迁移失败：%s", store_errmsg(c));
    store_exec(c, "ROLLBACK");
    return FZ_ERR;
}
