/* search_pg.c: search.h on PostgreSQL with pg_trgm.
 *
 * An index NAME is one table, srch_NAME (doc_kind, doc_id, unit_id, title,
 * body, doc), where doc is the title and body with ASCII letters lower-cased,
 * under a GIN gin_trgm_ops index. A query term is cut into pieces at what the
 * SQLite tokenizer treats as separators (punctuation, symbols), and a
 * document matches when doc contains every piece of every term (LIKE
 * '%piece%', served by the trigram index): for Chinese this is exactly what
 * the bigram phrases of fts_cjk match, so 1-, 2- and 4-character terms find
 * the same documents on both backends. (ASCII words differ slightly: FTS5
 * matches whole words, LIKE also matches inside a longer word.)
 *
 * Ranking: documents whose title holds every piece first, then newest; past
 * SEARCH_COUNT_CAP matches, newest first, as on SQLite. Highlighting and the
 * snippet are made here, in C, with the same markers and escaping. */
#include "store/search_int.h"
#include "core/status.h"
#include "core/strbuf.h"

#include <stdlib.h>
#include <string.h>

#define SQL_MAX 768
#define MAX_PIECES 8     /* pieces matched through the index; more are matched as an array */
#define PIECE_MAX 256
#define SNIPPET_CHARS 40 /* characters of body around the first match */

int search_pg_create(store_conn *w, const char *index)
{
    char sql[SQL_MAX];
    if (search_expand(sql, sizeof(sql),
                      "CREATE EXTENSION IF NOT EXISTS pg_trgm;"
                      "CREATE TABLE IF NOT EXISTS srch_@ ("
                      "id INTEGER PRIMARY KEY, doc_kind TEXT NOT NULL, doc_id TEXT NOT NULL, "
                      "unit_id INTEGER NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL, doc TEXT NOT NULL, "
                      "UNIQUE (doc_kind, doc_id));"
                      "CREATE INDEX IF NOT EXISTS srch_@_trgm ON srch_@ USING gin (doc gin_trgm_ops);",
                      index))
        return FZ_ERR;
    return store_exec(w, sql);
}

static char *lower_ascii(const char *a, const char *b)
{
    size_t na = strlen(a), nb = b ? strlen(b) : 0;
    char *out = malloc(na + nb + 2);
    if (!out)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < na; i++)
        out[n++] = (a[i] >= 'A' && a[i] <= 'Z') ? (char)(a[i] + 32) : a[i];
    if (b) {
        out[n++] = '\n';
        for (size_t i = 0; i < nb; i++)
            out[n++] = (b[i] >= 'A' && b[i] <= 'Z') ? (char)(b[i] + 32) : b[i];
    }
    out[n] = '\0';
    return out;
}

int search_pg_put(store_conn *w, const char *index, const char *kind, const char *id, int64_t unit_id,
                  const char *title, const char *body)
{
    int err = 0;
    title = title ? title : "";
    body = body ? body : "";
    char *t2 = search_clean_copy(title, &err);
    char *b2 = search_clean_copy(body, &err);
    const char *t = t2 ? t2 : title, *b = b2 ? b2 : body;
    char *doc = err ? NULL : lower_ascii(t, b);
    char sql[SQL_MAX];
    int rc = !doc ? FZ_NOMEM
             : search_expand(sql, sizeof(sql),
                             "INSERT INTO srch_@ (doc_kind, doc_id, unit_id, title, body, doc) "
                             "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (doc_kind, doc_id) DO UPDATE SET "
                             "unit_id = excluded.unit_id, title = excluded.title, body = excluded.body, "
                             "doc = excluded.doc",
                             index)
                 ? FZ_ERR
                 : store_run(w, sql, "ssisss", kind, id, unit_id, t, b, doc);
    free(doc);
    free(t2);
    free(b2);
    return rc;
}

int search_pg_delete(store_conn *w, const char *index, const char *kind, const char *id)
{
    char sql[SQL_MAX];
    if (search_expand(sql, sizeof(sql), "DELETE FROM srch_@ WHERE doc_kind = ? AND doc_id = ?", index))
        return FZ_ERR;
    return store_run(w, sql, "ss", kind, id);
}

/* ---- queries ---- */

typedef struct pieces {
    char text[MAX_PIECES * 4][PIECE_MAX];
    size_t len[MAX_PIECES * 4];
    int n;
} pieces;

/* Length of the UTF-8 character at p (1 for invalid bytes) and whether it is
 * a word character for fts_cjk: ASCII letter/digit, full-width letter/digit,
 * or a CJK ideograph. */
static int char_at(const unsigned char *p, int *word)
{
    unsigned c = p[0];
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    for (int i = 1; i < len; i++)
        if ((p[i] & 0xC0) != 0x80)
            len = 1;
    unsigned cp = len == 1 ? c
                  : len == 2 ? ((c & 0x1F) << 6) | (p[1] & 0x3F)
                  : len == 3 ? ((c & 0x0F) << 12) | ((p[1] & 0x3F) << 6) | (p[2] & 0x3F)
                             : ((c & 0x07) << 18) | ((p[1] & 0x3F) << 12) | ((p[2] & 0x3F) << 6) | (p[3] & 0x3F);
    *word = (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
            (cp >= 0xFF10 && cp <= 0xFF19) || (cp >= 0xFF21 && cp <= 0xFF3A) || (cp >= 0xFF41 && cp <= 0xFF5A) ||
            (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
            (cp >= 0x20000 && cp <= 0x3FFFF);
    return len;
}

/* Splits the query into pieces (runs of word characters, ASCII lower-cased). */
static void split(const char *q, pieces *ps)
{
    ps->n = 0;
    const unsigned char *p = (const unsigned char *)q;
    while (*p) {
        int word;
        int len = char_at(p, &word);
        if (!word) {
            p += len;
            continue;
        }
        const unsigned char *start = p;
        while (*p && (len = char_at(p, &word)) && word)
            p += len;
        if (ps->n >= (int)(sizeof(ps->len) / sizeof(ps->len[0])))
            break;
        size_t n = (size_t)(p - start);
        if (n >= PIECE_MAX)
            n = PIECE_MAX - 1; /* cut on a character boundary below */
        while (n && (start[n] & 0xC0) == 0x80)
            n--;
        char *t = ps->text[ps->n];
        for (size_t i = 0; i < n; i++)
            t[i] = (start[i] >= 'A' && start[i] <= 'Z') ? (char)(start[i] + 32) : (char)start[i];
        t[n] = '\0';
        ps->len[ps->n++] = n;
    }
}

/* '%piece%' with LIKE's own characters escaped (backslash is the escape). */
static void like_pattern(strbuf *b, const char *piece)
{
    strbuf_reset(b);
    strbuf_putc(b, '%');
    for (const char *s = piece; *s; s++) {
        if (*s == '%' || *s == '_' || *s == '\\')
            strbuf_putc(b, '\\');
        strbuf_putc(b, *s);
    }
    strbuf_putc(b, '%');
    strbuf_putc(b, '\0');
}

/* Copies s into out with every occurrence of a piece (ASCII case-folded)
 * between the markers; when snippet, only about SNIPPET_CHARS characters
 * around the first match, with "…" where text was cut. */
static void mark(strbuf *out, const char *s, const pieces *ps, int snippet)
{
    size_t n = strlen(s), from = 0, to = n;
    strbuf_reset(out);
    if (snippet) {
        size_t first = n;
        for (int k = 0; k < ps->n; k++) {
            const char *hit = strcasestr(s, ps->text[k]);
            if (hit && (size_t)(hit - s) < first)
                first = (size_t)(hit - s);
        }
        if (first == n)
            first = 0;
        /* back up about a quarter of the window, forward the rest, on character boundaries */
        int back = SNIPPET_CHARS / 4, fwd = SNIPPET_CHARS;
        from = first;
        while (from > 0 && back > 0) {
            from--;
            if (((unsigned char)s[from] & 0xC0) != 0x80)
                back--;
        }
        to = first;
        while (to < n && fwd > 0) {
            to++;
            while (to < n && ((unsigned char)s[to] & 0xC0) == 0x80)
                to++;
            fwd--;
        }
        if (from > 0)
            strbuf_puts(out, "…");
    }
    for (size_t i = from; i < to;) {
        size_t best = 0;
        for (int k = 0; k < ps->n; k++)
            if (ps->len[k] > best && i + ps->len[k] <= n && strncasecmp(s + i, ps->text[k], ps->len[k]) == 0)
                best = ps->len[k];
        if (best) {
            strbuf_putc(out, SEARCH_MARK_OPEN);
            strbuf_append(out, s + i, best);
            strbuf_putc(out, SEARCH_MARK_CLOSE);
            i += best;
        } else {
            strbuf_putc(out, s[i++]);
        }
    }
    if (snippet && to < n)
        strbuf_puts(out, "…");
    strbuf_putc(out, '\0');
}

static void mark_cb(void *ctx, strbuf *out, const char *text, int body)
{
    mark(out, text, ctx, body);
}

/* The WHERE clause for n indexed pieces plus the rest as an array. */
static void where_clause(strbuf *sql, int n)
{
    for (int k = 0; k < n; k++)
        strbuf_printf(sql, "%sdoc LIKE ?%d", k ? " AND " : "", k + 1);
    strbuf_printf(sql, " AND doc LIKE ALL (string_to_array(?%d, chr(1)))", MAX_PIECES + 1);
}

int search_pg_query(store_conn *c, const char *index, const char *q, int limit, int offset, search_hit_fn cb,
                    void *ctx, int64_t *total)
{
    pieces *ps = malloc(sizeof(*ps));
    if (!ps)
        return FZ_NOMEM;
    split(q, ps);
    if (ps->n == 0) {
        free(ps);
        return FZ_OK;
    }
    int nidx = ps->n < MAX_PIECES ? ps->n : MAX_PIECES;
    strbuf pat = STRBUF_INIT, rest = STRBUF_INIT, sql = STRBUF_INIT, tmp = STRBUF_INIT;
    /* The pieces past MAX_PIECES, joined by chr(1) (never in indexed text). */
    for (int k = MAX_PIECES; k < ps->n; k++) {
        like_pattern(&pat, ps->text[k]);
        if (rest.len)
            strbuf_putc(&rest, '\x01');
        strbuf_puts(&rest, pat.data);
    }
    if (!rest.len)
        strbuf_puts(&rest, "%");
    strbuf_putc(&rest, '\0');

    int rc = FZ_OK, s;
    store_stmt *st;
    /* count, capped */
    strbuf_puts(&sql, "SELECT count(*) FROM (SELECT 1 FROM srch_@ WHERE ");
    where_clause(&sql, nidx);
    strbuf_printf(&sql, " LIMIT %d) x", SEARCH_COUNT_CAP + 1);
    char text[SQL_MAX * 2];
    int64_t n = 0;
    if (!strbuf_ok(&sql) || !strbuf_ok(&rest) || search_expand(text, sizeof(text), sql.data, index) ||
        store_prepare(c, text, &st)) {
        rc = FZ_ERR;
        goto out;
    }
    for (int k = 0; k < MAX_PIECES; k++) {
        like_pattern(&pat, k < nidx ? ps->text[k] : "");
        store_bind_text(st, k + 1, pat.data); /* past nidx: not in the SQL, typed all the same */
    }
    store_bind_text(st, MAX_PIECES + 1, rest.data);
    s = store_step(st);
    if (s == STORE_ROW)
        n = store_col_int(st, 0);
    store_done(st);
    if (s != STORE_ROW) {
        rc = s < 0 ? s : FZ_ERR;
        goto out;
    }
    if (total)
        *total = n;

    /* the page */
    strbuf_reset(&sql);
    strbuf_puts(&sql, "SELECT doc_kind, doc_id, unit_id, title, body FROM srch_@ WHERE ");
    where_clause(&sql, nidx);
    if (n > SEARCH_COUNT_CAP)
        strbuf_printf(&sql, " ORDER BY id DESC LIMIT ?%d OFFSET ?%d", MAX_PIECES + 2, MAX_PIECES + 3);
    else
        strbuf_printf(&sql,
                      " ORDER BY (lower(title) LIKE ALL (string_to_array(?%d, chr(1)))) DESC, id DESC"
                      " LIMIT ?%d OFFSET ?%d",
                      MAX_PIECES + 4, MAX_PIECES + 2, MAX_PIECES + 3);
    if (!strbuf_ok(&sql) || search_expand(text, sizeof(text), sql.data, index) || store_prepare(c, text, &st)) {
        rc = FZ_ERR;
        goto out;
    }
    strbuf_reset(&tmp);
    for (int k = nidx; k < MAX_PIECES; k++)
        store_bind_text(st, k + 1, "%");
    for (int k = 0; k < ps->n; k++) {
        like_pattern(&pat, ps->text[k]);
        if (k < nidx)
            store_bind_text(st, k + 1, pat.data);
        if (k)
            strbuf_putc(&tmp, '\x01');
        strbuf_puts(&tmp, pat.data);
    }
    strbuf_putc(&tmp, '\0');
    store_bind_text(st, MAX_PIECES + 1, rest.data);
    store_bind_int(st, MAX_PIECES + 2, limit);
    store_bind_int(st, MAX_PIECES + 3, offset);
    if (n <= SEARCH_COUNT_CAP)
        store_bind_text(st, MAX_PIECES + 4, strbuf_ok(&tmp) ? tmp.data : "%");
    rc = search_emit_hits(st, mark_cb, ps, cb, ctx);
    store_done(st);
out:
    strbuf_free(&pat);
    strbuf_free(&rest);
    strbuf_free(&sql);
    strbuf_free(&tmp);
    free(ps);
    return rc;
}
