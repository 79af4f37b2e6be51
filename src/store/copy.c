/* copy.c: SQLite -> PostgreSQL copy of a whole store (see copy.h).
 *
 * It runs as one write job on the target, so the whole copy is one
 * transaction there (the job's savepoint rolls everything back on failure),
 * and reads the source through the writer thread's own read connection
 * inside one read transaction (a consistent snapshot). The source schema is
 * read from sqlite_master and pragma_table_info; the target's columns and
 * their types from information_schema, and each value is bound by the target
 * column's type: a value that would change type on the way (text into an
 * integer column, say) stops the copy instead of being converted. */
#include "store/copy.h"
#include "store/backend.h"
#include "store/migrate.h"
#include "store/search.h"
#include "core/status.h"
#include "core/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_LEN 63 /* PostgreSQL's identifier limit */

typedef enum { TGT_INT, TGT_TEXT, TGT_BLOB, TGT_OTHER } tgt_kind;

typedef struct column {
    char *name;
    tgt_kind kind;
    char type[32]; /* the target's data_type, for messages */
} column;

typedef struct copy_job {
    store *src;
    store_copy_setup_fn setup;
    store_copy_progress_fn progress;
    void *ctx;
    store_copy_report rep;
    char err[1024];
} copy_job;

typedef struct names {
    char **v;
    int n, cap;
} names;

static void names_free(names *ns)
{
    for (int i = 0; i < ns->n; i++)
        free(ns->v[i]);
    free(ns->v);
    *ns = (names){0};
}

static int names_add(names *ns, const char *s)
{
    if (ns->n == ns->cap) {
        int cap = ns->cap ? ns->cap * 2 : 32;
        char **v = realloc(ns->v, (size_t)cap * sizeof(*v));
        if (!v)
            return FZ_NOMEM;
        ns->v = v;
        ns->cap = cap;
    }
    if (!(ns->v[ns->n] = strdup(s)))
        return FZ_NOMEM;
    ns->n++;
    return FZ_OK;
}

static void fail(copy_job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(copy_job *j, const char *fmt, ...)
{
    if (j->err[0])
        return; /* the first reason is the one to tell */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(j->err, sizeof(j->err), fmt, ap);
    va_end(ap);
}

/* [a-z_][a-z0-9_]*, at most NAME_MAX_LEN: safe in SQL without quoting. */
static int name_ok(const char *s)
{
    if (!s || !((*s >= 'a' && *s <= 'z') || *s == '_'))
        return 0;
    size_t n = 0;
    for (; *s; s++, n++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return n <= NAME_MAX_LEN;
}

static int starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Tables whose target rows (written by setup: schema_sync) describe the
 * definitions in force now: the source's rows are copied and the target's
 * rows for what the source lacks (a new definition, a new field) are kept.
 * Where both have a row the source's wins, so a field retyped since the
 * source last ran is refused at the next start, as on the source. */
static int merged(const char *table)
{
    return strcmp(table, "def_columns") == 0 || strcmp(table, "def_versions") == 0;
}

/* ---- the target must be empty ---- */

static int check_empty(copy_job *j, store_conn *w)
{
    /* A writer of another process (a server started on the target by
     * mistake) waits until this transaction ends, and sees its rows. */
    if (store_exec(w, "LOCK TABLE events, ledgers IN EXCLUSIVE MODE")) {
        fail(j, "无法锁定目标库的事件表：%s", store_errmsg(w));
        return FZ_ERR;
    }
    static const struct {
        const char *table, *sql;
    } checks[] = {
        {"events", "SELECT count(*) FROM events"},
        {"ledgers", "SELECT count(*) FROM ledgers WHERE lseq > 0"},
        {"units", "SELECT count(*) FROM units"},
        {"users", "SELECT count(*) FROM users"},
    };
    for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
        int64_t n = 0;
        if (store_query_int(w, &n, 0, checks[i].sql, "")) {
            fail(j, "无法读取目标库的 %s 表：%s", checks[i].table, store_errmsg(w));
            return FZ_ERR;
        }
        if (n) {
            fail(j,
                 "目标数据库不是空库：%s 表已有 %lld 行。migrate-store 只写入新建的空库，"
                 "不合并、不覆盖已有数据；请新建一个空数据库再迁移",
                 checks[i].table, (long long)n);
            return FZ_CONFLICT;
        }
    }
    return FZ_OK;
}

/* ---- schemas ---- */

/* The source's tables to copy (sorted) and its full-text indexes. */
static int source_tables(copy_job *j, store_conn *sc, names *tables, names *indexes)
{
    store_stmt *st;
    if (store_prepare(sc, "SELECT name, coalesce(sql, '') FROM sqlite_master WHERE type = 'table' ORDER BY name",
                      &st)) {
        fail(j, "无法读取源库的表清单：%s", store_errmsg(sc));
        return FZ_ERR;
    }
    int rc = FZ_OK, s;
    while (rc == FZ_OK && (s = store_step(st)) == STORE_ROW) {
        const char *name = store_col_text(st, 0), *sql = store_col_text(st, 1);
        if (starts(name, "sqlite_") || strcmp(name, "schema_migrations") == 0 || starts(name, "ftskeys_"))
            continue;
        if (starts(name, "fts_")) {
            /* fts_NAME itself (not its shadow tables fts_NAME_data, ...). */
            if (starts(sql, "CREATE VIRTUAL TABLE") && name_ok(name))
                rc = names_add(indexes, name + 4);
            continue;
        }
        if (!name_ok(name)) {
            fail(j, "源库中的表名 %.80s 不合规（只应含小写字母、数字和下划线），无法安全复制", name);
            rc = FZ_INVALID;
            break;
        }
        rc = names_add(tables, name);
    }
    if (rc == FZ_OK && s != STORE_DONE) {
        fail(j, "无法读取源库的表清单：%s", store_errmsg(sc));
        rc = FZ_ERR;
    }
    store_done(st);
    return rc;
}

static int source_columns(copy_job *j, store_conn *sc, const char *table, names *cols)
{
    store_stmt *st;
    if (store_prepare(sc, "SELECT name FROM pragma_table_info(?) ORDER BY cid", &st)) {
        fail(j, "无法读取源库表 %s 的列：%s", table, store_errmsg(sc));
        return FZ_ERR;
    }
    store_bind_text(st, 1, table);
    int rc = FZ_OK, s;
    while (rc == FZ_OK && (s = store_step(st)) == STORE_ROW) {
        const char *name = store_col_text(st, 0);
        if (!name_ok(name)) {
            fail(j, "源库表 %s 的列名 %.80s 不合规，无法安全复制", table, name);
            rc = FZ_INVALID;
            break;
        }
        rc = names_add(cols, name);
    }
    if (rc == FZ_OK && s != STORE_DONE) {
        fail(j, "无法读取源库表 %s 的列：%s", table, store_errmsg(sc));
        rc = FZ_ERR;
    }
    store_done(st);
    if (rc == FZ_OK && cols->n == 0) {
        fail(j, "源库表 %s 没有列", table);
        rc = FZ_ERR;
    }
    return rc;
}

/* Looks up each source column on the target: it must exist there. */
static int target_columns(copy_job *j, store_conn *w, const char *table, const names *src, column *out)
{
    for (int i = 0; i < src->n; i++) {
        out[i].name = src->v[i];
        out[i].type[0] = '\0';
    }
    store_stmt *st;
    if (store_prepare(w, "SELECT column_name, data_type FROM information_schema.columns"
                         " WHERE table_schema = current_schema() AND table_name = ?", &st)) {
        fail(j, "无法读取目标库表 %s 的列：%s", table, store_errmsg(w));
        return FZ_ERR;
    }
    store_bind_text(st, 1, table);
    int s, found = 0;
    while ((s = store_step(st)) == STORE_ROW) {
        found++;
        const char *name = store_col_text(st, 0), *type = store_col_text(st, 1);
        for (int i = 0; i < src->n; i++) {
            if (strcmp(out[i].name, name) != 0)
                continue;
            snprintf(out[i].type, sizeof(out[i].type), "%s", type);
            out[i].kind = !strcmp(type, "bigint") || !strcmp(type, "integer") || !strcmp(type, "smallint") ? TGT_INT
                          : !strcmp(type, "text") || !strcmp(type, "character varying")                    ? TGT_TEXT
                          : !strcmp(type, "bytea")                                                          ? TGT_BLOB
                                                                                                            : TGT_OTHER;
        }
    }
    store_done(st);
    if (s != STORE_DONE) {
        fail(j, "无法读取目标库表 %s 的列：%s", table, store_errmsg(w));
        return FZ_ERR;
    }
    if (!found) {
        fail(j,
             "目标库没有表 %s。若它是按定义建立的表（case_*、cat_*），说明定义目录（配置项 defs）"
             "中缺少它的定义：请使用源库所用的定义目录",
             table);
        return FZ_INVALID;
    }
    for (int i = 0; i < src->n; i++) {
        if (!out[i].type[0]) {
            fail(j,
                 "目标库表 %s 缺少列 %s。若为定义字段（f_*），说明定义目录中已删除该字段："
                 "请使用源库所用的定义目录",
                 table, out[i].name);
            return FZ_INVALID;
        }
    }
    return FZ_OK;
}

/* ---- rows ---- */

static const char *kind_label(store_col_kind k)
{
    switch (k) {
    case STORE_T_INT: return "整数";
    case STORE_T_FLOAT: return "浮点数";
    case STORE_T_TEXT: return "文本";
    case STORE_T_BLOB: return "二进制";
    default: return "空值";
    }
}

/* Binds column i of the source row to parameter i+1 of ins by the target's
 * type; FZ_INVALID (message set) when the value would change type. */
static int bind_value(copy_job *j, const char *table, int64_t row, const column *col, store_stmt *sel,
                      store_stmt *ins, int i)
{
    store_col_kind k = sel->ops->col_type(sel, i);
    if (k == STORE_T_NULL) {
        store_bind_null(ins, i + 1);
        return FZ_OK;
    }
    if (k == STORE_T_BLOB && col->kind != TGT_BLOB) {
        fail(j, "表 %s 第 %lld 行的列 %s 是二进制值，目标列类型为 %s，无法原样复制", table, (long long)row, col->name,
             col->type);
        return FZ_INVALID;
    }
    switch (col->kind) {
    case TGT_INT:
        if (k != STORE_T_INT)
            break;
        store_bind_int(ins, i + 1, store_col_int(sel, i));
        return FZ_OK;
    case TGT_BLOB: {
        if (k != STORE_T_BLOB && k != STORE_T_TEXT)
            break;
        size_t n = 0;
        const void *p = store_col_blob(sel, i, &n); /* SQLite: the bytes, text or blob alike */
        store_bind_blob(ins, i + 1, p ? p : "", n);
        return FZ_OK;
    }
    case TGT_TEXT:
    case TGT_OTHER: {
        /* Text as it is; a number in a column without an integer type as
         * SQLite spells it (lossless: it reads back the same). */
        if (k == STORE_T_FLOAT && col->kind == TGT_TEXT)
            break;
        const char *t = store_col_text(sel, i);
        size_t n = sel->ops->col_bytes(sel, i);
        if (memchr(t, '\0', n)) {
            fail(j, "表 %s 第 %lld 行的列 %s 含 NUL 字符，PostgreSQL 的文本不能保存", table, (long long)row,
                 col->name);
            return FZ_INVALID;
        }
        store_bind_textn(ins, i + 1, t, n);
        return FZ_OK;
    }
    }
    fail(j, "表 %s 第 %lld 行的列 %s 是%s值，目标列类型为 %s：复制会改变其类型，已停止", table, (long long)row,
         col->name, kind_label(k), col->type);
    return FZ_INVALID;
}

static int copy_table(copy_job *j, store_conn *sc, store_conn *w, const char *table)
{
    names src = {0};
    column *cols = NULL;
    strbuf sel_sql = STRBUF_INIT, ins_sql = STRBUF_INIT, cnt_sql = STRBUF_INIT;
    int rc = source_columns(j, sc, table, &src);
    if (rc == FZ_OK && !(cols = calloc((size_t)src.n, sizeof(*cols))))
        rc = FZ_NOMEM;
    if (rc == FZ_OK)
        rc = target_columns(j, w, table, &src, cols);
    if (rc)
        goto out;
    int merge = merged(table);
    strbuf_puts(&sel_sql, "SELECT ");
    strbuf_printf(&ins_sql, "INSERT INTO %s (", table);
    for (int i = 0; i < src.n; i++) {
        strbuf_printf(&sel_sql, "%s%s", i ? ", " : "", src.v[i]);
        strbuf_printf(&ins_sql, "%s%s", i ? ", " : "", src.v[i]);
    }
    strbuf_printf(&sel_sql, " FROM %s", table);
    strbuf_puts(&ins_sql, ") VALUES (");
    for (int i = 0; i < src.n; i++)
        strbuf_puts(&ins_sql, i ? ", ?" : "?");
    strbuf_puts(&ins_sql, ")");
    strbuf_printf(&cnt_sql, "SELECT count(*) FROM %s", table);
    if (!strbuf_ok(&sel_sql) || !strbuf_ok(&ins_sql) || !strbuf_ok(&cnt_sql)) {
        rc = FZ_NOMEM;
        goto out;
    }
    /* Rows the migrations seeded (roles, role_perms) give way to the source's;
     * in a merged table the target's own rows are set aside and put back
     * where the source has no row with their key. */
    {
        strbuf pre = STRBUF_INIT;
        if (merge)
            strbuf_printf(&pre, "CREATE TEMP TABLE copy_keep AS SELECT * FROM %s;", table);
        strbuf_printf(&pre, "DELETE FROM %s", table);
        rc = strbuf_ok(&pre) ? store_exec(w, pre.data) : FZ_NOMEM;
        strbuf_free(&pre);
        if (rc) {
            fail(j, "无法清空目标库表 %s：%s", table, store_errmsg(w));
            goto out;
        }
    }
    store_stmt *sel, *ins;
    if (store_prepare(sc, sel_sql.data, &sel)) {
        fail(j, "无法读取源库表 %s：%s", table, store_errmsg(sc));
        rc = FZ_ERR;
        goto out;
    }
    if (store_prepare(w, ins_sql.data, &ins)) {
        store_done(sel);
        fail(j, "无法写入目标库表 %s：%s", table, store_errmsg(w));
        rc = FZ_ERR;
        goto out;
    }
    int64_t rows = 0;
    int s;
    while ((s = store_step(sel)) == STORE_ROW) {
        rows++;
        if (sel->ops->col_count(sel) != src.n) {
            fail(j, "源库表 %s 的列数与其结构不符", table);
            rc = FZ_ERR;
            break;
        }
        for (int i = 0; rc == FZ_OK && i < src.n; i++)
            rc = bind_value(j, table, rows, &cols[i], sel, ins, i);
        if (rc) {
            store_done(ins);
            break;
        }
        int r = store_step(ins);
        store_done(ins);
        if (r != STORE_DONE) {
            fail(j, "写入目标库表 %s 第 %lld 行失败：%s", table, (long long)rows, store_errmsg(w));
            rc = r < 0 ? r : FZ_ERR;
            break;
        }
    }
    if (rc == FZ_OK && s != STORE_DONE) {
        fail(j, "读取源库表 %s 失败：%s", table, store_errmsg(sc));
        rc = FZ_ERR;
    }
    store_done(sel);
    if (rc == FZ_OK && merge) {
        strbuf back = STRBUF_INIT;
        strbuf_printf(&back, "INSERT INTO %s SELECT * FROM copy_keep ON CONFLICT DO NOTHING; DROP TABLE copy_keep",
                      table);
        rc = strbuf_ok(&back) ? store_exec(w, back.data) : FZ_NOMEM;
        strbuf_free(&back);
        if (rc)
            fail(j, "无法合并目标库表 %s 的原有行：%s", table, store_errmsg(w));
    }
    if (rc)
        goto out;
    /* Every row arrived (merged tables also hold the target's own rows). */
    int64_t have = 0;
    if (store_query_int(w, &have, 0, cnt_sql.data, "")) {
        fail(j, "无法清点目标库表 %s：%s", table, store_errmsg(w));
        rc = FZ_ERR;
        goto out;
    }
    if (merge ? have < rows : have != rows) {
        fail(j, "目标库表 %s 有 %lld 行，源库有 %lld 行：复制不完整", table, (long long)have, (long long)rows);
        rc = FZ_ERR;
        goto out;
    }
    j->rep.tables++;
    j->rep.rows += rows;
    if (j->progress)
        j->progress(j->ctx, table, rows);
out:
    free(cols);
    names_free(&src);
    strbuf_free(&sel_sql);
    strbuf_free(&ins_sql);
    strbuf_free(&cnt_sql);
    return rc;
}

/* ---- search ---- */

/* The source's fts_NAME documents, oldest first (the target numbers them in
 * that order, and ranks ties newest first), put into the target's NAME. */
static int copy_index(copy_job *j, store_conn *sc, store_conn *w, const char *index)
{
    char sql[160];
    if (search_index_create(w, index)) {
        fail(j, "无法在目标库建立检索索引 %s：%s", index, store_errmsg(w));
        return FZ_ERR;
    }
    snprintf(sql, sizeof(sql), "SELECT doc_kind, doc_id, unit_id, title, body FROM fts_%s ORDER BY rowid", index);
    store_stmt *st;
    if (store_prepare(sc, sql, &st)) {
        fail(j, "无法读取源库检索索引 fts_%s：%s", index, store_errmsg(sc));
        return FZ_ERR;
    }
    int rc = FZ_OK, s;
    int64_t docs = 0;
    while ((s = store_step(st)) == STORE_ROW) {
        rc = search_put(w, index, store_col_text(st, 0), store_col_text(st, 1), store_col_int(st, 2),
                        store_col_text(st, 3), store_col_text(st, 4));
        if (rc) {
            fail(j, "写入目标库检索索引 %s 失败（文档 %s/%s）：%s", index, store_col_text(st, 0), store_col_text(st, 1),
                 store_errmsg(w));
            break;
        }
        docs++;
    }
    if (rc == FZ_OK && s != STORE_DONE) {
        fail(j, "读取源库检索索引 fts_%s 失败：%s", index, store_errmsg(sc));
        rc = FZ_ERR;
    }
    store_done(st);
    if (rc)
        return rc;
    j->rep.indexes++;
    j->rep.docs += docs;
    if (j->progress) {
        char what[64];
        snprintf(what, sizeof(what), "search:%s", index);
        j->progress(j->ctx, what, docs);
    }
    return FZ_OK;
}

/* ---- the job ---- */

static int copy_write(store_conn *w, void *ctx)
{
    copy_job *j = ctx;
    int rc = check_empty(j, w);
    if (rc)
        return rc;
    if (j->setup) {
        char msg[600] = "";
        if ((rc = j->setup(w, j->ctx, msg, sizeof(msg)))) {
            fail(j, "%s", msg[0] ? msg : "无法在目标库按定义建立数据表");
            return rc;
        }
    }
    /* This thread's own read connection to the source, in one snapshot. */
    store_conn *sc = store_reader(j->src);
    if (!sc) {
        fail(j, "无法打开源数据库");
        return FZ_UNAVAIL;
    }
    if (store_exec(sc, "BEGIN")) {
        fail(j, "无法在源库开始读事务：%s", store_errmsg(sc));
        return FZ_ERR;
    }
    names tables = {0}, indexes = {0};
    rc = source_tables(j, sc, &tables, &indexes);
    for (int i = 0; rc == FZ_OK && i < tables.n; i++)
        rc = copy_table(j, sc, w, tables.v[i]);
    if (rc == FZ_OK && migrate_fix_sequences(w)) {
        fail(j, "无法校正目标库的自增序列：%s", store_errmsg(w));
        rc = FZ_ERR;
    }
    for (int i = 0; rc == FZ_OK && i < indexes.n; i++)
        rc = copy_index(j, sc, w, indexes.v[i]);
    store_exec(sc, "COMMIT");
    names_free(&tables);
    names_free(&indexes);
    return rc;
}

int store_copy_into(store *src, store *dst, store_copy_setup_fn setup, store_copy_progress_fn progress, void *ctx,
                    store_copy_report *rep, char *err, size_t errlen)
{
    memset(rep, 0, sizeof(*rep));
    if (strcmp(store_backend(src), "sqlite") != 0 || strcmp(store_backend(dst), "postgresql") != 0) {
        snprintf(err, errlen, "只支持从 SQLite 复制到 PostgreSQL（源：%s，目标：%s）", store_backend(src),
                 store_backend(dst));
        return FZ_INVALID;
    }
    int cur, latest;
    store_schema(src, &cur, &latest);
    if (cur != latest) {
        snprintf(err, errlen,
                 "源数据库结构版本为 %d，本程序为 %d：请先用本版本的 fazhi serve 启动一次源数据目录"
                 "（完成结构迁移）后再复制",
                 cur, latest);
        return FZ_INVALID;
    }
    store_schema(dst, &cur, &latest);
    if (cur != latest) {
        snprintf(err, errlen, "目标数据库结构版本为 %d，本程序为 %d", cur, latest);
        return FZ_INVALID;
    }
    copy_job *j = calloc(1, sizeof(*j));
    if (!j)
        return FZ_NOMEM;
    *j = (copy_job){.src = src, .setup = setup, .progress = progress, .ctx = ctx};
    int rc = store_write(dst, copy_write, j);
    if (rc != FZ_OK)
        snprintf(err, errlen, "%s", j->err[0] ? j->err : "目标库事务提交失败，未写入任何数据");
    else
        *rep = j->rep;
    free(j);
    return rc;
}
