/* pg.c: the PostgreSQL backend (backend.h) on libpq.
 *
 * The callers' SQL is the portable subset (DESIGN §4); what differs is
 * translated here and nowhere else:
 *  - placeholders: `?` and `?N` become `$N`;
 *  - DDL (store_exec): INTEGER -> BIGINT (times are milliseconds), INTEGER
 *    PRIMARY KEY -> an identity column, BLOB -> BYTEA, no STRICT;
 *  - results come back as text: integers are parsed, booleans read as 1/0,
 *    bytea is decoded.
 * A statement is prepared on the server the first time it runs, with the
 * types of the values bound then (integers as int8, blobs as bytea, text left
 * for the server to infer from the column it meets); a later run with other
 * types gets its own server-side statement.
 *
 * Connections: the writer and one reader per thread, like SQLite. A lost
 * connection makes the statement fail (callers answer 503) and is re-opened
 * by the next statement outside a transaction, or by the writer's next batch;
 * an acknowledged write is one whose COMMIT returned, so none is lost.
 *
 * Several app nodes: every batch the writer commits starts by locking the
 * head of this node's ledger (SELECT ... FOR UPDATE on ledgers), so the
 * nodes of one county write one after another and see each other's rows;
 * nodes of different counties lock different rows. */
#include "store/backend.h"
#include "core/log.h"
#include "core/status.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_SLOTS 1024
#define VARIANTS 4
#define OID_INT8 20
#define OID_BYTEA 17
#define OID_TEXT 25
#define BLOBS 16 /* decoded blobs kept per row */

typedef struct variant {
    char *sig;       /* one letter per parameter: i, t, b, n */
    char name[16];
    unsigned gen;    /* prepared on the connection of this generation */
} variant;

typedef struct pg_conn pg_conn;

typedef struct pg_stmt {
    store_stmt base;
    pg_conn *conn;
    char *sql;       /* the caller's SQL, the cache key */
    unsigned hash;
    char *pgsql;     /* with $N placeholders */
    int nparams;
    variant var[VARIANTS];
    char **vals;
    int *lens, *fmts;
    char *kinds;     /* per parameter: i, t, b, n ('\0' unbound = NULL) */
    PGresult *res;
    int row, nrows, failed;
    int executed;    /* sent to the server since the last done */
    int stream;      /* rows are still coming in single-row mode */
    PGresult **queue; /* rows drained from the server while another statement needed the connection */
    int qn, qhead, qcap, qfail;
    int64_t delivered; /* rows handed to the caller */
    unsigned char *blobs[BLOBS];
    int nblobs;
} pg_stmt;

struct pg_conn {
    store_conn base;
    PGconn *pg;
    conn_role role;
    unsigned gen;        /* bumped on every (re)connect: server-side statements are gone */
    unsigned names;      /* statement name counter */
    int in_tx;
    pg_stmt *streaming;  /* the statement whose rows are still coming, if any */
    int ledger_ok;       /* the ledger's row exists (inserted once per connection) */
    int64_t changes;
    char err[512];
    pg_stmt cache[CACHE_SLOTS];
    int cached;
};

#define PC(c) ((pg_conn *)(c))
#define PS(x) ((pg_stmt *)(x))

static unsigned sql_hash(const char *s)
{
    unsigned h = 2166136261u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static void note_err(pg_conn *c, const char *what, const char *msg)
{
    snprintf(c->err, sizeof(c->err), "%s%s", what, msg ? msg : "");
    size_t n = strlen(c->err);
    while (n && (c->err[n - 1] == '\n' || c->err[n - 1] == ' '))
        c->err[--n] = '\0';
}

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message; /* NOTICEs such as "relation already exists, skipping" */
}

/* Session settings after every (re)connect. */
static int session_setup(pg_conn *c)
{
    const char *sql = c->role == CONN_WRITER ? "SET client_min_messages = warning"
                                             : "SET client_min_messages = warning;"
                                               "SET default_transaction_read_only = on";
    PGresult *r = PQexec(c->pg, sql);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        note_err(c, "", PQerrorMessage(c->pg));
    PQclear(r);
    return ok ? FZ_OK : FZ_UNAVAIL;
}

static int connect_to(pg_conn *c, const char *url, char *err, size_t errlen)
{
    /* connect_timeout first: the URL's own settings override it. */
    const char *keys[] = {"connect_timeout", "application_name", "dbname", NULL};
    const char *vals[] = {"5", "fazhi", url, NULL};
    c->pg = PQconnectdbParams(keys, vals, 1);
    if (!c->pg || PQstatus(c->pg) != CONNECTION_OK) {
        snprintf(err, errlen, "无法连接 PostgreSQL 数据库：%s", c->pg ? PQerrorMessage(c->pg) : "内存不足");
        size_t n = strlen(err);
        while (n && (err[n - 1] == '\n' || err[n - 1] == ' '))
            err[--n] = '\0';
        return FZ_UNAVAIL;
    }
    PQsetNoticeProcessor(c->pg, quiet, NULL);
    c->gen++;
    if (session_setup(c)) {
        snprintf(err, errlen, "PostgreSQL 会话设置失败：%s", c->err);
        return FZ_UNAVAIL;
    }
    return FZ_OK;
}

/* Re-opens a lost connection; never inside a transaction (its work is gone:
 * the caller must fail, and the writer's next batch starts afresh). */
static int ensure_conn(pg_conn *c)
{
    if (PQstatus(c->pg) == CONNECTION_OK)
        return FZ_OK;
    if (c->in_tx) {
        store_note_lost();
        return FZ_UNAVAIL;
    }
    PQreset(c->pg);
    if (PQstatus(c->pg) != CONNECTION_OK) {
        note_err(c, "PostgreSQL 连接中断：", PQerrorMessage(c->pg));
        store_note_lost();
        return FZ_UNAVAIL;
    }
    c->gen++;
    c->ledger_ok = 0;
    log_info("store: reconnected to PostgreSQL");
    return session_setup(c);
}

static void free_blobs(pg_stmt *st)
{
    for (int i = 0; i < st->nblobs; i++)
        PQfreemem(st->blobs[i]);
    st->nblobs = 0;
}

/* Reads and drops whatever the server still sends for st. */
static void stream_end(pg_stmt *st)
{
    pg_conn *c = st->conn;
    if (st->stream) {
        PGresult *r;
        while ((r = PQgetResult(c->pg)))
            PQclear(r);
    }
    st->stream = 0;
    if (c->streaming == st)
        c->streaming = NULL;
}

static void stmt_clear(pg_stmt *st)
{
    stream_end(st);
    for (int i = st->qhead; i < st->qn; i++)
        PQclear(st->queue[i]);
    free(st->queue);
    st->queue = NULL;
    st->qn = st->qhead = st->qcap = st->qfail = 0;
    st->executed = 0;
    st->delivered = 0;
    if (st->res) {
        PQclear(st->res);
        st->res = NULL;
    }
    free_blobs(st);
    for (int i = 0; i < st->nparams; i++) {
        free(st->vals[i]);
        st->vals[i] = NULL;
        st->kinds[i] = 'n';
        st->lens[i] = 0;
        st->fmts[i] = 0;
    }
    st->row = -1;
    st->nrows = 0;
    st->failed = 0;
}

static void stmt_free(pg_stmt *st)
{
    stmt_clear(st);
    free(st->sql);
    free(st->pgsql);
    for (int v = 0; v < VARIANTS; v++)
        free(st->var[v].sig);
    free(st->vals);
    free(st->lens);
    free(st->fmts);
    free(st->kinds);
}

static void pg_close(store_conn *base)
{
    pg_conn *c = PC(base);
    if (!c)
        return;
    for (int i = 0; i < CACHE_SLOTS; i++)
        if (c->cache[i].sql)
            stmt_free(&c->cache[i]);
    PQfinish(c->pg);
    free(c);
}

static int pg_open(store *s, conn_role role, int create, store_conn **out, char *err, size_t errlen)
{
    (void)create; /* the database is created by its administrator (docs/deploy.md) */
    pg_conn *c = calloc(1, sizeof(*c));
    if (!c)
        return FZ_NOMEM;
    c->base.ops = &store_pg_ops;
    c->base.owner = s;
    c->role = role;
    int rc = connect_to(c, store_target(s), err, errlen);
    if (rc) {
        pg_close(&c->base);
        return rc;
    }
    *out = &c->base;
    return FZ_OK;
}

/* `?` -> `$k`, `?N` -> `$N`, outside quotes. *nparams gets the highest. */
static char *translate(const char *sql, int *nparams)
{
    size_t n = strlen(sql), cap = n * 4 + 16; /* "?" (1 byte) -> "$NNNN" at most */
    char *out = malloc(cap);
    if (!out)
        return NULL;
    char *o = out;
    int max = 0;
    char quote = 0;
    for (const char *p = sql; *p; p++) {
        if (quote) {
            if (*p == quote)
                quote = 0;
            *o++ = *p;
        } else if (*p == '\'' || *p == '"') {
            quote = *p;
            *o++ = *p;
        } else if (*p == '?') {
            int k;
            if (p[1] >= '0' && p[1] <= '9') {
                k = 0;
                while (p[1] >= '0' && p[1] <= '9')
                    k = k * 10 + (*++p - '0');
            } else {
                k = max + 1; /* SQLite: one more than the largest index so far */
            }
            if (k > max)
                max = k;
            o += snprintf(o, cap - (size_t)(o - out), "$%d", k);
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    *nparams = max;
    return out;
}

static int pg_prepare(store_conn *base, const char *sql, store_stmt **out)
{
    pg_conn *c = PC(base);
    unsigned h = sql_hash(sql);
    unsigned i = h % CACHE_SLOTS;
    for (int probe = 0; probe < CACHE_SLOTS; probe++, i = (i + 1) % CACHE_SLOTS) {
        pg_stmt *e = &c->cache[i];
        if (!e->sql)
            break;
        if (e->hash == h && strcmp(e->sql, sql) == 0) {
            stmt_clear(e);
            *out = &e->base;
            return FZ_OK;
        }
    }
    if (c->cached >= CACHE_SLOTS * 3 / 4) {
        log_error("store: statement cache full");
        return FZ_ERR;
    }
    pg_stmt st = {.base = {&store_pg_ops}, .conn = c, .hash = h, .row = -1};
    st.sql = strdup(sql);
    st.pgsql = translate(sql, &st.nparams);
    int np = st.nparams ? st.nparams : 1;
    st.vals = calloc((size_t)np, sizeof(char *));
    st.lens = calloc((size_t)np, sizeof(int));
    st.fmts = calloc((size_t)np, sizeof(int));
    st.kinds = malloc((size_t)np);
    if (!st.sql || !st.pgsql || !st.vals || !st.lens || !st.fmts || !st.kinds) {
        stmt_free(&st);
        return FZ_NOMEM;
    }
    memset(st.kinds, 'n', (size_t)np);
    i = h % CACHE_SLOTS;
    while (c->cache[i].sql)
        i = (i + 1) % CACHE_SLOTS;
    c->cache[i] = st;
    c->cached++;
    *out = &c->cache[i].base;
    return FZ_OK;
}

static void set_param(store_stmt *b, int idx, char kind, const void *p, size_t len, int fmt)
{
    pg_stmt *st = PS(b);
    if (idx < 1 || idx > st->nparams)
        return;
    int k = idx - 1;
    free(st->vals[k]);
    st->vals[k] = NULL;
    st->kinds[k] = kind;
    st->lens[k] = (int)len;
    st->fmts[k] = fmt;
    if (kind == 'n')
        return;
    char *v = malloc(len + 1);
    if (!v) {
        st->failed = FZ_NOMEM;
        return;
    }
    if (len)
        memcpy(v, p, len);
    v[len] = '\0';
    st->vals[k] = v;
}

static void pg_bind_int(store_stmt *st, int idx, int64_t v)
{
    char num[24];
    int n = snprintf(num, sizeof(num), "%lld", (long long)v);
    set_param(st, idx, 'i', num, (size_t)n, 0);
}

static void pg_bind_textn(store_stmt *st, int idx, const char *s, size_t len)
{
    if (s)
        set_param(st, idx, 't', s, len, 0);
    else
        set_param(st, idx, 'n', NULL, 0, 0);
}

static void pg_bind_blob(store_stmt *st, int idx, const void *p, size_t len)
{
    set_param(st, idx, 'b', p, len, 1);
}

static void pg_bind_null(store_stmt *st, int idx)
{
    set_param(st, idx, 'n', NULL, 0, 0);
}

static const char *sqlstate(const PGresult *r)
{
    const char *s = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    return s ? s : "";
}

/* Maps a failed result: constraint -> FZ_CONFLICT, lost connection ->
 * FZ_UNAVAIL, anything else FZ_ERR (logged). */
static int fail_code(pg_conn *c, PGresult *r, const char *sql)
{
    const char *state = sqlstate(r);
    note_err(c, "", r ? PQresultErrorMessage(r) : PQerrorMessage(c->pg));
    if (strncmp(state, "23", 2) == 0)
        return FZ_CONFLICT;
    if (PQstatus(c->pg) != CONNECTION_OK || strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0) {
        log_error("store: PostgreSQL connection lost: %s", c->err);
        store_note_lost();
        return FZ_UNAVAIL;
    }
    log_error("store: PostgreSQL error %s: %s: %s", state, c->err, sql);
    return FZ_ERR;
}

/* The server-side statement for the types bound now (prepared on demand). */
static int variant_for(pg_stmt *st, variant **out)
{
    pg_conn *c = st->conn;
    char sig[512];
    int n = st->nparams < (int)sizeof(sig) - 1 ? st->nparams : (int)sizeof(sig) - 1;
    memcpy(sig, st->kinds, (size_t)n);
    sig[n] = '\0';
    variant *slot = NULL;
    for (int v = 0; v < VARIANTS; v++) {
        variant *x = &st->var[v];
        if (!x->sig || x->gen != c->gen) {
            if (!slot)
                slot = x; /* never prepared, or prepared on a connection since lost */
            continue;
        }
        /* A NULL fits a statement prepared with any type in its place. */
        int fits = 1;
        for (int k = 0; k < n && fits; k++)
            fits = x->sig[k] == sig[k] || sig[k] == 'n';
        if (fits) {
            *out = x;
            return FZ_OK;
        }
    }
    variant *x = slot ? slot : &st->var[VARIANTS - 1];
    if (x->sig && x->gen == c->gen) {
        char dealloc[32];
        snprintf(dealloc, sizeof(dealloc), "DEALLOCATE %s", x->name);
        PQclear(PQexec(c->pg, dealloc));
    }
    free(x->sig);
    x->sig = strdup(sig);
    if (!x->sig)
        return FZ_NOMEM;
    snprintf(x->name, sizeof(x->name), "s%u", ++c->names);
    Oid types[512];
    for (int k = 0; k < n; k++)
        types[k] = sig[k] == 'i' ? OID_INT8 : sig[k] == 'b' ? OID_BYTEA : 0;
    for (int attempt = 0; attempt < 2; attempt++) {
        PGresult *r = PQprepare(c->pg, x->name, st->pgsql, n, types);
        int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        /* "could not determine data type of parameter": a text value whose
         * place tells the server nothing (e.g. `? IS NULL`): say it is text. */
        int retry = !ok && strcmp(sqlstate(r), "42P18") == 0 && attempt == 0;
        int rc = ok ? FZ_OK : retry ? FZ_OK : fail_code(c, r, st->sql);
        PQclear(r);
        if (ok) {
            x->gen = c->gen;
            *out = x;
            return FZ_OK;
        }
        if (!retry) {
            free(x->sig);
            x->sig = NULL;
            return rc;
        }
        for (int k = 0; k < n; k++)
            if (!types[k])
                types[k] = OID_TEXT;
    }
    return FZ_ERR;
}

/* ---- single-row mode (readers) ----
 * A reader's statement streams its rows (PQsetSingleRowMode), so a large
 * result (an export, `verify` over millions of events) never sits in memory
 * whole. One statement at a time can stream on a connection: when another
 * one needs the connection, the rest of the first is read into its queue
 * (nested statements are short; memory then is as it would have been). */

/* The next streamed row into st->res: STORE_ROW, STORE_DONE or an error. */
static int stream_next(pg_stmt *st)
{
    pg_conn *c = st->conn;
    if (st->res) {
        PQclear(st->res);
        st->res = NULL;
    }
    st->row = 0;
    st->nrows = 0;
    if (st->qhead < st->qn) {
        st->res = st->queue[st->qhead++];
        st->nrows = 1;
        st->delivered++;
        return STORE_ROW;
    }
    if (st->qfail)
        return st->failed = st->qfail;
    if (!st->stream)
        return STORE_DONE;
    PGresult *r = PQgetResult(c->pg);
    ExecStatusType es = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (es == PGRES_SINGLE_TUPLE) {
        st->res = r;
        st->nrows = 1;
        st->delivered++;
        return STORE_ROW;
    }
    int rc = es == PGRES_TUPLES_OK || es == PGRES_COMMAND_OK ? STORE_DONE : fail_code(c, r, st->sql);
    if (rc == STORE_DONE) {
        const char *ct = PQcmdTuples(r);
        c->changes = ct && *ct ? strtoll(ct, NULL, 10) : 0;
    }
    PQclear(r);
    stream_end(st);
    if (rc != STORE_DONE)
        st->failed = rc;
    return rc;
}

/* Another statement needs the connection: keep st's remaining rows. */
static void stream_drain(pg_stmt *st)
{
    pg_conn *c = st->conn;
    while (st->stream) {
        PGresult *r = PQgetResult(c->pg);
        ExecStatusType es = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
        if (es == PGRES_SINGLE_TUPLE) {
            if (st->qn == st->qcap) {
                int cap = st->qcap ? st->qcap * 2 : 64;
                PGresult **q = realloc(st->queue, (size_t)cap * sizeof(*q));
                if (!q) {
                    PQclear(r);
                    st->qfail = FZ_NOMEM;
                    stream_end(st);
                    return;
                }
                st->queue = q;
                st->qcap = cap;
            }
            st->queue[st->qn++] = r;
            continue;
        }
        if (es != PGRES_TUPLES_OK && es != PGRES_COMMAND_OK)
            st->qfail = fail_code(c, r, st->sql);
        PQclear(r);
        stream_end(st);
    }
}

static int stream_start(pg_stmt *st)
{
    pg_conn *c = st->conn;
    if (c->streaming && c->streaming != st)
        stream_drain(c->streaming);
    for (int attempt = 0;; attempt++) {
        variant *v = NULL;
        int rc = ensure_conn(c);
        if (rc == FZ_OK)
            rc = variant_for(st, &v);
        if (rc)
            return st->failed = rc;
        if (PQsendQueryPrepared(c->pg, v->name, st->nparams, (const char *const *)st->vals, st->lens, st->fmts, 0)) {
            PQsetSingleRowMode(c->pg); /* cannot fail right after the send */
            st->stream = 1;
            c->streaming = st;
            rc = stream_next(st);
        } else {
            rc = fail_code(c, NULL, st->sql);
        }
        /* A connection the server dropped (restart, failover): once more on
         * a new one, as long as the caller has seen nothing yet. */
        if (rc == FZ_UNAVAIL && attempt == 0 && st->delivered == 0 && PQstatus(c->pg) != CONNECTION_OK) {
            st->failed = 0;
            continue;
        }
        if (rc < 0)
            st->failed = rc;
        return rc;
    }
}

static int pg_step(store_stmt *b)
{
    pg_stmt *st = PS(b);
    pg_conn *c = st->conn;
    if (st->failed)
        return st->failed;
    free_blobs(st);
    if (st->executed && (st->stream || st->qn || st->qfail || c->role != CONN_WRITER))
        return stream_next(st);
    if (!st->executed && c->role != CONN_WRITER) {
        st->executed = 1;
        return stream_start(st);
    }
    if (!st->executed) {
        st->executed = 1;
        int rc = ensure_conn(c);
        variant *v = NULL;
        if (rc == FZ_OK)
            rc = variant_for(st, &v);
        if (rc) {
            st->failed = rc;
            return rc;
        }
        st->res = PQexecPrepared(c->pg, v->name, st->nparams, (const char *const *)st->vals, st->lens, st->fmts, 0);
        ExecStatusType es = PQresultStatus(st->res);
        if (es != PGRES_COMMAND_OK && es != PGRES_TUPLES_OK) {
            st->failed = fail_code(c, st->res, st->sql);
            if (strcmp(st->sql, "COMMIT") == 0 || strcmp(st->sql, "ROLLBACK") == 0)
                c->in_tx = 0;
            PQclear(st->res);
            st->res = NULL;
            return st->failed;
        }
        if (strcmp(st->sql, "COMMIT") == 0 || strcmp(st->sql, "ROLLBACK") == 0)
            c->in_tx = 0;
        const char *ct = PQcmdTuples(st->res);
        c->changes = ct && *ct ? strtoll(ct, NULL, 10) : 0;
        st->nrows = PQntuples(st->res);
        st->row = -1;
    }
    if (st->row < st->nrows)
        st->row++;
    return st->row < st->nrows ? STORE_ROW : STORE_DONE;
}

static const char *cell(pg_stmt *st, int idx)
{
    if (!st->res || st->row < 0 || st->row >= st->nrows || idx < 0 || idx >= PQnfields(st->res) ||
        PQgetisnull(st->res, st->row, idx))
        return NULL;
    return PQgetvalue(st->res, st->row, idx);
}

static int64_t pg_col_int(store_stmt *b, int idx)
{
    const char *v = cell(PS(b), idx);
    if (!v)
        return 0;
    if (v[0] == 't' && !v[1])
        return 1;
    if (v[0] == 'f' && !v[1])
        return 0;
    return strtoll(v, NULL, 10);
}

static const char *pg_col_text(store_stmt *b, int idx)
{
    const char *v = cell(PS(b), idx);
    return v ? v : "";
}

static const void *pg_col_blob(store_stmt *b, int idx, size_t *len)
{
    pg_stmt *st = PS(b);
    *len = 0;
    const char *v = cell(st, idx);
    if (!v || st->nblobs >= BLOBS)
        return NULL;
    unsigned char *p = PQunescapeBytea((const unsigned char *)v, len);
    if (p)
        st->blobs[st->nblobs++] = p;
    return p;
}

static int pg_col_is_null(store_stmt *b, int idx)
{
    return cell(PS(b), idx) == NULL;
}

static int pg_col_count(store_stmt *b)
{
    return PS(b)->res ? PQnfields(PS(b)->res) : 0;
}

static store_col_kind pg_col_type(store_stmt *b, int idx)
{
    pg_stmt *st = PS(b);
    if (!cell(st, idx))
        return STORE_T_NULL;
    switch (PQftype(st->res, idx)) {
    case 16: /* bool, read as 1/0 */
    case 20: /* int8 */
    case 21: /* int2 */
    case 23: /* int4 */
        return STORE_T_INT;
    case 700: /* float4 */
    case 701: /* float8 */
    case 1700: /* numeric */
        return STORE_T_FLOAT;
    case OID_BYTEA:
        return STORE_T_BLOB;
    default:
        return STORE_T_TEXT;
    }
}

static size_t pg_col_bytes(store_stmt *b, int idx)
{
    pg_stmt *st = PS(b);
    return cell(st, idx) ? (size_t)PQgetlength(st->res, st->row, idx) : 0;
}

static void pg_done(store_stmt *b)
{
    stmt_clear(PS(b));
}

/* SQLite DDL as PostgreSQL wants it (word-wise; DDL carries no user text). */
static char *translate_ddl(const char *sql)
{
    static const struct {
        const char *from, *to;
    } map[] = {
        {"INTEGER PRIMARY KEY", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"},
        {"INTEGER", "BIGINT"},
        {"BLOB", "BYTEA"},
        {"BEGIN IMMEDIATE", "BEGIN"},
        {") STRICT", ")"},
    };
    size_t n = strlen(sql);
    char *out = malloc(n * 4 + 1);
    if (!out)
        return NULL;
    char *o = out;
    char quote = 0;
    for (const char *p = sql; *p;) {
        if (quote) {
            if (*p == quote)
                quote = 0;
            *o++ = *p++;
            continue;
        }
        if (*p == '\'' || *p == '"') {
            quote = *p;
            *o++ = *p++;
            continue;
        }
        int hit = 0;
        int word_start = p == sql || !((p[-1] >= 'A' && p[-1] <= 'Z') || (p[-1] >= 'a' && p[-1] <= 'z') ||
                                       (p[-1] >= '0' && p[-1] <= '9') || p[-1] == '_');
        for (size_t m = 0; word_start && m < sizeof(map) / sizeof(map[0]) && !hit; m++) {
            size_t fl = strlen(map[m].from);
            if (strncmp(p, map[m].from, fl) != 0)
                continue;
            char after = p[fl]; /* within the string: the first fl bytes matched */
            if (!((after >= 'A' && after <= 'Z') || (after >= 'a' && after <= 'z') || after == '_')) {
                size_t tl = strlen(map[m].to);
                memcpy(o, map[m].to, tl);
                o += tl;
                p += fl;
                hit = 1;
            }
        }
        if (!hit)
            *o++ = *p++;
    }
    *o = '\0';
    return out;
}

static int pg_exec(store_conn *base, const char *sql)
{
    pg_conn *c = PC(base);
    if (strcmp(sql, "ROLLBACK") == 0 || strcmp(sql, "COMMIT") == 0) {
        int lost = PQstatus(c->pg) != CONNECTION_OK;
        c->in_tx = 0;
        if (lost)
            return FZ_UNAVAIL; /* the server rolled it back when the connection went */
    }
    if (c->streaming)
        stream_drain(c->streaming);
    if (ensure_conn(c))
        return FZ_UNAVAIL;
    char *ddl = translate_ddl(sql);
    if (!ddl)
        return FZ_NOMEM;
    PGresult *r = PQexec(c->pg, ddl);
    ExecStatusType es = PQresultStatus(r);
    int rc = es == PGRES_COMMAND_OK || es == PGRES_TUPLES_OK ? FZ_OK : fail_code(c, r, ddl);
    PQclear(r);
    free(ddl);
    return rc;
}

static int64_t pg_changes(store_conn *c)
{
    return PC(c)->changes;
}

static const char *pg_errmsg(store_conn *c)
{
    return PC(c)->err[0] ? PC(c)->err : PQerrorMessage(PC(c)->pg);
}

static int simple(pg_conn *c, const char *sql)
{
    PGresult *r = PQexec(c->pg, sql);
    int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? FZ_OK : fail_code(c, r, sql);
    PQclear(r);
    return rc;
}

/* BEGIN, then the ledger head's row lock (see the file comment). */
static int pg_begin(store_conn *w)
{
    pg_conn *c = PC(w);
    c->in_tx = 0;
    int rc = ensure_conn(c) ? FZ_UNAVAIL : simple(c, "BEGIN");
    if (rc == FZ_UNAVAIL && ensure_conn(c) == FZ_OK) /* dropped while idle: once more on a new connection */
        rc = simple(c, "BEGIN");
    if (rc)
        return FZ_UNAVAIL;
    c->in_tx = 1;
    const char *ledger = store_ledger(w->owner);
    if (!*ledger)
        return FZ_OK;
    const char *params[1] = {ledger};
    if (!c->ledger_ok) {
        PGresult *r = PQexecParams(c->pg,
                                   "INSERT INTO ledgers (ledger, lseq, head) VALUES ($1, 0, '')"
                                   " ON CONFLICT (ledger) DO NOTHING",
                                   1, NULL, params, NULL, NULL, 0);
        int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        rc = ok ? FZ_OK : fail_code(c, r, "ledgers");
        PQclear(r);
        if (!ok)
            return rc;
        c->ledger_ok = 1;
    }
    PGresult *r = PQexecParams(c->pg, "SELECT 1 FROM ledgers WHERE ledger = $1 FOR UPDATE", 1, NULL, params, NULL,
                               NULL, 0);
    rc = PQresultStatus(r) == PGRES_TUPLES_OK ? FZ_OK : fail_code(c, r, "ledgers lock");
    PQclear(r);
    return rc;
}

static void pg_finish(store_conn *w)
{
    (void)w;
}

static int pg_backup(store *s, const char *path, char *err, size_t errlen)
{
    (void)s;
    (void)path;
    snprintf(err, errlen, "PostgreSQL 存储请用 pg_dump 或连续归档备份（见 docs/deploy.md），fazhi 不复制数据库");
    return FZ_INVALID;
}

/* VACUUM cannot run inside a transaction block: its own connection. */
static int pg_analyze(store *s)
{
    pg_conn *c = calloc(1, sizeof(*c));
    if (!c)
        return FZ_NOMEM;
    c->role = CONN_WRITER;
    char err[256];
    int rc = connect_to(c, store_target(s), err, sizeof(err));
    if (rc == FZ_OK)
        rc = simple(c, "VACUUM (ANALYZE)");
    PQfinish(c->pg);
    free(c);
    return rc;
}

const store_ops store_pg_ops = {
    .name = "postgresql",
    .open = pg_open,
    .close = pg_close,
    .prepare = pg_prepare,
    .bind_int = pg_bind_int,
    .bind_textn = pg_bind_textn,
    .bind_blob = pg_bind_blob,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .col_int = pg_col_int,
    .col_text = pg_col_text,
    .col_blob = pg_col_blob,
    .col_is_null = pg_col_is_null,
    .col_count = pg_col_count,
    .col_type = pg_col_type,
    .col_bytes = pg_col_bytes,
    .done = pg_done,
    .exec = pg_exec,
    .changes = pg_changes,
    .errmsg = pg_errmsg,
    .begin = pg_begin,
    .finish = pg_finish,
    .backup = pg_backup,
    .analyze = pg_analyze,
};
