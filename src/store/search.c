/* search.c: search.h on SQLite FTS5 with the "cjk" tokenizer (PostgreSQL:
 * search_pg.c, called from the entry points below).
 *
 * An index NAME is two tables: fts_NAME, the FTS5 table (doc_kind, doc_id,
 * unit_id unindexed; title, body indexed), and ftskeys_NAME, which maps
 * (kind, id) to the FTS5 rowid so that replacing or deleting a document is an
 * index lookup rather than a scan of the FTS5 table's unindexed columns.
 *
 * A user's query is rebuilt as FTS5 syntax here and nowhere else: each term
 * becomes an FTS5 string ("..." with quotes doubled), the strings are joined
 * with AND. Matches are marked with the bytes 0x01/0x02 by highlight() and
 * snippet(); the text is then HTML-escaped and the markers become <mark> and
 * </mark>. Indexed text never holds those bytes (they are replaced on put). */
#include "store/search_int.h"
#include "store/backend.h"
#include "store/fts_cjk.h"
#include "core/status.h"
#include "core/strbuf.h"

#include <stdlib.h>
#include <string.h>

#define SQL_MAX 512
#define MARK_OPEN SEARCH_MARK_OPEN
#define MARK_CLOSE SEARCH_MARK_CLOSE

static int is_pg(store_conn *c)
{
    return strcmp(store_conn_backend(c), "postgresql") == 0;
}

static int index_ok(const char *index)
{
    if (!index || !(index[0] >= 'a' && index[0] <= 'z'))
        return 0;
    size_t n = 0;
    for (const char *p = index; *p; p++, n++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return 0;
    }
    return n <= 32;
}

int search_expand(char *sql, size_t size, const char *tmpl, const char *index)
{
    size_t n = 0, il = strlen(index);
    for (const char *p = tmpl; *p; p++) {
        const char *piece = *p == '@' ? index : p;
        size_t len = *p == '@' ? il : 1;
        if (n + len >= size)
            return FZ_ERR;
        memcpy(sql + n, piece, len);
        n += len;
    }
    sql[n] = '\0';
    return FZ_OK;
}

static int prepare_for(store_conn *c, const char *tmpl, const char *index, store_stmt **out)
{
    char sql[SQL_MAX];
    if (search_expand(sql, sizeof(sql), tmpl, index))
        return FZ_ERR;
    return store_prepare(c, sql, out);
}

int search_index_create(store_conn *w, const char *index)
{
    if (!index_ok(index))
        return FZ_INVALID;
    if (is_pg(w))
        return search_pg_create(w, index);
    char sql[SQL_MAX];
    if (search_expand(sql, sizeof(sql),
               "CREATE VIRTUAL TABLE IF NOT EXISTS fts_@ USING fts5("
               "doc_kind UNINDEXED, doc_id UNINDEXED, unit_id UNINDEXED, title, body, "
               "tokenize = 'cjk');"
               "CREATE TABLE IF NOT EXISTS ftskeys_@ ("
               "id INTEGER PRIMARY KEY, doc_kind TEXT NOT NULL, doc_id TEXT NOT NULL, "
               "UNIQUE (doc_kind, doc_id)) STRICT;",
               index))
        return FZ_ERR;
    return store_exec(w, sql);
}

char *search_clean_copy(const char *s, int *err)
{
    const char *p = s;
    while (*p && ((unsigned char)*p >= 0x20 || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    if (!*p)
        return NULL;
    char *c = strdup(s);
    if (!c) {
        *err = 1;
        return NULL;
    }
    for (char *q = c + (p - s); *q; q++) {
        if ((unsigned char)*q < 0x20 && *q != '\t' && *q != '\n' && *q != '\r')
            *q = ' ';
    }
    return c;
}

int search_put(store_conn *w, const char *index, const char *kind, const char *id, int64_t unit_id,
               const char *title, const char *body)
{
    if (!index_ok(index) || !kind || !id)
        return FZ_INVALID;
    if (is_pg(w))
        return search_pg_put(w, index, kind, id, unit_id, title, body);
    store_stmt *st;
    if (prepare_for(w,
                    "INSERT INTO ftskeys_@ (doc_kind, doc_id) VALUES (?1, ?2) "
                    "ON CONFLICT (doc_kind, doc_id) DO UPDATE SET doc_id = excluded.doc_id "
                    "RETURNING id",
                    index, &st))
        return FZ_ERR;
    store_bind_text(st, 1, kind);
    store_bind_text(st, 2, id);
    int rc = store_step(st);
    int64_t rowid = rc == STORE_ROW ? store_col_int(st, 0) : 0;
    store_done(st);
    if (rc != STORE_ROW)
        return rc < 0 ? rc : FZ_ERR;

    if (prepare_for(w, "DELETE FROM fts_@ WHERE rowid = ?1", index, &st))
        return FZ_ERR;
    store_bind_int(st, 1, rowid);
    rc = store_step(st);
    store_done(st);
    if (rc != STORE_DONE)
        return rc < 0 ? rc : FZ_ERR;

    int err = 0;
    title = title ? title : "";
    body = body ? body : "";
    char *t2 = search_clean_copy(title, &err);
    char *b2 = search_clean_copy(body, &err);
    rc = err ? FZ_NOMEM : FZ_OK;
    if (rc == FZ_OK && prepare_for(w,
                                   "INSERT INTO fts_@ (rowid, doc_kind, doc_id, unit_id, title, body) "
                                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                                   index, &st))
        rc = FZ_ERR;
    if (rc == FZ_OK) {
        store_bind_int(st, 1, rowid);
        store_bind_text(st, 2, kind);
        store_bind_text(st, 3, id);
        store_bind_int(st, 4, unit_id);
        store_bind_text(st, 5, t2 ? t2 : title);
        store_bind_text(st, 6, b2 ? b2 : body);
        int s = store_step(st);
        store_done(st);
        rc = s == STORE_DONE ? FZ_OK : (s < 0 ? s : FZ_ERR);
    }
    free(t2);
    free(b2);
    return rc;
}

int search_delete(store_conn *w, const char *index, const char *kind, const char *id)
{
    if (!index_ok(index) || !kind || !id)
        return FZ_INVALID;
    if (is_pg(w))
        return search_pg_delete(w, index, kind, id);
    char sql[SQL_MAX];
    if (search_expand(sql, sizeof(sql),
               "DELETE FROM fts_@ WHERE rowid = "
               "(SELECT id FROM ftskeys_@ WHERE doc_kind = ?1 AND doc_id = ?2)",
               index))
        return FZ_ERR;
    int rc = store_run(w, sql, "ss", kind, id);
    if (rc != FZ_OK)
        return rc;
    if (search_expand(sql, sizeof(sql), "DELETE FROM ftskeys_@ WHERE doc_kind = ?1 AND doc_id = ?2", index))
        return FZ_ERR;
    return store_run(w, sql, "ss", kind, id);
}

/* ---- queries ---- */

static int count_token(void *ctx, int tflags, const char *tok, int ntok, int start, int end)
{
    (*(int *)ctx)++;
    return 0;
}

/* Length of the white space (ASCII or U+3000 IDEOGRAPHIC SPACE) at p, or 0. */
static int space_len(const char *p)
{
    if (*p == ' ' || (*p >= '\t' && *p <= '\r'))
        return 1;
    if ((unsigned char)p[0] == 0xE3 && (unsigned char)p[1] == 0x80 && (unsigned char)p[2] == 0x80)
        return 3;
    return 0;
}

/* Builds the FTS5 expression for the free text q into b; *terms gets the
 * number of usable terms. */
static void build_match(strbuf *b, const char *q, int *terms)
{
    *terms = 0;
    const char *p = q;
    for (;;) {
        int sl;
        while ((sl = space_len(p)))
            p += sl;
        if (!*p)
            break;
        const char *start = p;
        while (*p && !space_len(p))
            p++;
        int n = 0;
        fts_cjk_tokenize(start, (int)(p - start), 1, count_token, &n);
        if (n == 0)
            continue; /* punctuation only: nothing FTS5 could match */
        if ((*terms)++)
            strbuf_puts(b, " AND ");
        strbuf_putc(b, '"');
        for (const char *s = start; s < p; s++) {
            if (*s == '"')
                strbuf_putc(b, '"');
            strbuf_putc(b, *s);
        }
        strbuf_putc(b, '"');
    }
}

void search_put_html(strbuf *b, const char *s)
{
    strbuf_reset(b);
    for (; *s; s++) {
        switch (*s) {
        case MARK_OPEN: strbuf_puts(b, "<mark>"); break;
        case MARK_CLOSE: strbuf_puts(b, "</mark>"); break;
        case '&': strbuf_puts(b, "&amp;"); break;
        case '<': strbuf_puts(b, "&lt;"); break;
        case '>': strbuf_puts(b, "&gt;"); break;
        case '"': strbuf_puts(b, "&quot;"); break;
        case '\'': strbuf_puts(b, "&#39;"); break;
        default: strbuf_putc(b, *s);
        }
    }
    strbuf_putc(b, '\0'); /* data is non-NULL even for "" */
}

int search_query(store_conn *c, const char *index, const char *q, int limit, int offset,
                 search_hit_fn cb, void *ctx, int64_t *total)
{
    if (total)
        *total = 0;
    if (!index_ok(index) || !q || strlen(q) > SEARCH_QUERY_MAX)
        return FZ_INVALID;
    if (limit <= 0)
        limit = 20;
    if (limit > SEARCH_LIMIT_MAX)
        limit = SEARCH_LIMIT_MAX;
    if (offset < 0)
        offset = 0;
    if (is_pg(c))
        return search_pg_query(c, index, q, limit, offset, cb, ctx, total);

    strbuf m = STRBUF_INIT;
    int terms;
    build_match(&m, q, &terms);
    if (!strbuf_ok(&m)) {
        strbuf_free(&m);
        return FZ_NOMEM;
    }
    if (terms == 0) {
        strbuf_free(&m);
        return FZ_OK;
    }

    /* The matches are counted up to SEARCH_COUNT_CAP + 1. Up to the cap the
     * page is ranked by bm25 (title weighing 5; about 1 µs per matching row,
     * bench/README.md; "ORDER BY rank" with the weights given by "rank MATCH"
     * measured slower here, not faster). Past it, ranking every match would
     * cost more than the page is worth: the newest documents come first and
     * the caller is told the count is capped, so a second term narrows it. */
    int rc = FZ_OK;
    store_stmt *st;
    int64_t n = 0;
    if (prepare_for(c, "SELECT count(*) FROM (SELECT 1 FROM fts_@ WHERE fts_@ MATCH ?1 LIMIT ?2)", index, &st)) {
        strbuf_free(&m);
        return FZ_ERR;
    }
    store_bind_text(st, 1, m.data);
    store_bind_int(st, 2, SEARCH_COUNT_CAP + 1);
    int s = store_step(st);
    if (s == STORE_ROW)
        n = store_col_int(st, 0);
    store_done(st);
    if (s != STORE_ROW) {
        strbuf_free(&m);
        return s < 0 ? s : FZ_ERR;
    }
    if (total)
        *total = n;

    if (prepare_for(c,
                    n > SEARCH_COUNT_CAP
                        ? "SELECT doc_kind, doc_id, unit_id, "
                          "highlight(fts_@, 3, char(1), char(2)), "
                          "snippet(fts_@, 4, char(1), char(2), '…', 32) "
                          "FROM fts_@ WHERE fts_@ MATCH ?1 ORDER BY rowid DESC LIMIT ?2 OFFSET ?3"
                        : "SELECT doc_kind, doc_id, unit_id, "
                          "highlight(fts_@, 3, char(1), char(2)), "
                          "snippet(fts_@, 4, char(1), char(2), '…', 32) "
                          "FROM fts_@ WHERE fts_@ MATCH ?1 "
                          "ORDER BY bm25(fts_@, 0.0, 0.0, 0.0, 5.0, 1.0) LIMIT ?2 OFFSET ?3",
                    index, &st)) {
        strbuf_free(&m);
        return FZ_ERR;
    }
    store_bind_text(st, 1, m.data);
    store_bind_int(st, 2, limit);
    store_bind_int(st, 3, offset);
    rc = search_emit_hits(st, NULL, NULL, cb, ctx);
    store_done(st);
    strbuf_free(&m);
    return rc;
}

int search_emit_hits(store_stmt *st, search_mark_fn mark, void *mctx, search_hit_fn cb, void *ctx)
{
    strbuf title = STRBUF_INIT, body = STRBUF_INIT, marked = STRBUF_INIT;
    int rc = FZ_OK, s;
    while ((s = store_step(st)) == STORE_ROW) {
        for (int k = 0; k < 2; k++) {
            const char *text = store_col_text(st, 3 + k);
            if (mark) {
                mark(mctx, &marked, text, k);
                text = strbuf_ok(&marked) ? marked.data : "";
            }
            search_put_html(k ? &body : &title, text);
        }
        if (!strbuf_ok(&title) || !strbuf_ok(&body)) {
            rc = FZ_NOMEM;
            break;
        }
        search_hit h = {
            .kind = store_col_text(st, 0),
            .id = store_col_text(st, 1),
            .unit_id = store_col_int(st, 2),
            .title_html = title.data,
            .body_html = body.data,
        };
        if ((rc = cb(ctx, &h)))
            break;
    }
    if (rc == FZ_OK && s != STORE_DONE)
        rc = s < 0 ? s : FZ_ERR;
    strbuf_free(&title);
    strbuf_free(&body);
    strbuf_free(&marked);
    return rc;
}
