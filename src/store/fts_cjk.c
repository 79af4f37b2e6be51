/* fts_cjk.c: the "cjk" FTS5 tokenizer (see fts_cjk.h for the rules).
 *
 * One pass over the bytes, no allocation: a CJK token is a slice of the input
 * (the characters of a run are contiguous), an ASCII word is lower-cased into
 * a small stack buffer. Invalid UTF-8 (overlong forms, surrogates, stray
 * continuation bytes, truncated sequences) is skipped one byte at a time and
 * separates tokens like punctuation does. */
#include "store/fts_cjk.h"
#include "core/log.h"
#include "core/status.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#define BAD_CP 0xFFFFFFFFu

/* Decodes one code point at s[0..n), n >= 1; returns its length in bytes.
 * *cp is BAD_CP (and the length 1) for an invalid sequence. */
static int utf8_decode(const unsigned char *s, int n, uint32_t *cp)
{
    unsigned c = s[0];
    *cp = BAD_CP;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    int len;
    uint32_t v, min;
    unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2, v = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, v = c & 0x0F, min = 0x800;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        if (c == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, v = c & 0x07, min = 0x10000;
        if (c == 0xF0)
            lo = 0x90;
        if (c == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else {
        return 1;
    }
    if (n < len || s[1] < lo || s[1] > hi)
        return 1;
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 1;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min)
        return 1;
    *cp = v;
    return len;
}

static int is_cjk(uint32_t c)
{
    return (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x3FFFF);
}

/* The lower-case ASCII letter or digit c stands for, or 0 (full-width forms
 * U+FF10-FF19, FF21-FF3A, FF41-FF5A fold to ASCII). */
static char word_char(uint32_t c)
{
    if (c >= 0xFF10 && c <= 0xFF5E)
        c -= 0xFF10 - 0x30;
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))
        return (char)c;
    if (c >= 'A' && c <= 'Z')
        return (char)(c - 'A' + 'a');
    return 0;
}

typedef struct run {
    int n;          /* characters so far in the current CJK run */
    int prev, plen; /* offset and length of the previous character */
} run;

/* Ends the current CJK run: its last character as a unigram (colocated with
 * the run's last bigram when there was one; in a query only for a run of one). */
static int run_end(run *r, const char *text, int query, fts_cjk_token_fn cb, void *ctx)
{
    int rc = 0;
    if (r->n == 1)
        rc = cb(ctx, 0, text + r->prev, r->plen, r->prev, r->prev + r->plen);
    else if (r->n > 1 && !query)
        rc = cb(ctx, FTS_CJK_COLOCATED, text + r->prev, r->plen, r->prev, r->prev + r->plen);
    r->n = 0;
    return rc;
}

int fts_cjk_tokenize(const char *text, int len, int query, fts_cjk_token_fn cb, void *ctx)
{
    const unsigned char *s = (const unsigned char *)text;
    run r = {0, 0, 0};
    char word[FTS_CJK_WORD_MAX];
    int inword = 0, wn = 0, wstart = 0, wend = 0;
    int rc = 0;
    for (int i = 0; i < len && rc == 0;) {
        uint32_t c;
        int l = utf8_decode(s + i, len - i, &c);
        char w = c == BAD_CP ? 0 : word_char(c);
        if (w) {
            if (r.n && (rc = run_end(&r, text, query, cb, ctx)))
                break;
            if (!inword) {
                inword = 1;
                wn = 0;
                wstart = i;
            }
            if (wn < FTS_CJK_WORD_MAX)
                word[wn++] = w;
            wend = i + l;
        } else {
            if (inword) {
                inword = 0;
                if ((rc = cb(ctx, 0, word, wn, wstart, wend)))
                    break;
            }
            if (c != BAD_CP && is_cjk(c)) {
                if (r.n) {
                    /* bigram of the previous and this character, then (when
                     * indexing) the previous character at the same position */
                    rc = cb(ctx, 0, text + r.prev, r.plen + l, r.prev, i + l);
                    if (rc == 0 && !query)
                        rc = cb(ctx, FTS_CJK_COLOCATED, text + r.prev, r.plen, r.prev, r.prev + r.plen);
                }
                r.n++;
                r.prev = i;
                r.plen = l;
            } else if (r.n) {
                rc = run_end(&r, text, query, cb, ctx);
            }
        }
        i += l;
    }
    if (rc == 0 && inword)
        rc = cb(ctx, 0, word, wn, wstart, wend);
    if (rc == 0 && r.n)
        rc = run_end(&r, text, query, cb, ctx);
    return rc;
}

/* ---- FTS5 glue ---- */

static int tok_create(void *api, const char **argv, int argc, Fts5Tokenizer **out)
{
    static int instance; /* stateless: every table shares one dummy object */
    *out = (Fts5Tokenizer *)&instance;
    return SQLITE_OK;
}

static void tok_delete(Fts5Tokenizer *t)
{
}

static int tok_tokenize(Fts5Tokenizer *t, void *ctx, int flags, const char *text, int len,
                        int (*token)(void *, int, const char *, int, int, int))
{
    if (!text || len <= 0)
        return SQLITE_OK;
    /* FTS5_TOKENIZE_AUX (highlight, snippet) must see document positions. */
    return fts_cjk_tokenize(text, len, (flags & FTS5_TOKENIZE_QUERY) != 0, token, ctx);
}

int fts_cjk_register(sqlite3 *db)
{
    fts5_api *api = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK) {
        log_error("store: FTS5 not available: %s", sqlite3_errmsg(db));
        return FZ_ERR;
    }
    sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(st);
    sqlite3_finalize(st);
    if (!api || api->iVersion < 2) {
        log_error("store: FTS5 API not available");
        return FZ_ERR;
    }
    static fts5_tokenizer tok = {tok_create, tok_delete, tok_tokenize};
    if (api->xCreateTokenizer(api, "cjk", NULL, &tok, NULL) != SQLITE_OK) {
        log_error("store: cannot register the cjk tokenizer: %s", sqlite3_errmsg(db));
        return FZ_ERR;
    }
    return FZ_OK;
}
