/* search_int.h: what search.c (SQLite FTS5) and search_pg.c (PostgreSQL
 * pg_trgm) share behind search.h (store-internal). */
#ifndef FZ_SEARCH_INT_H
#define FZ_SEARCH_INT_H

#include "store/search.h"
#include "core/strbuf.h"

#include <stddef.h>

#define SEARCH_MARK_OPEN '\x01'
#define SEARCH_MARK_CLOSE '\x02'

/* tmpl with every '@' replaced by the (checked) index name; FZ_ERR when it
 * does not fit. */
int search_expand(char *sql, size_t size, const char *tmpl, const char *index);
/* A copy of s with C0 controls (but tab, LF, CR) replaced by spaces, or NULL
 * when s has none (use s as is). *err is set when the copy failed. */
char *search_clean_copy(const char *s, int *err);
/* HTML-escapes s into b (reset first), turning the markers into <mark> tags. */
void search_put_html(strbuf *b, const char *s);

/* Marks the matches in text (title: body = 0; body: 1, as a snippet) into out. */
typedef void (*search_mark_fn)(void *ctx, strbuf *out, const char *text, int body);
/* Steps st (columns: kind, id, unit_id, title, body) and calls cb per hit with
 * the title and body HTML-escaped, marked by mark first when given. */
int search_emit_hits(store_stmt *st, search_mark_fn mark, void *mctx, search_hit_fn cb, void *ctx);

int search_pg_create(store_conn *w, const char *index);
int search_pg_put(store_conn *w, const char *index, const char *kind, const char *id, int64_t unit_id,
                  const char *title, const char *body);
int search_pg_delete(store_conn *w, const char *index, const char *kind, const char *id);
int search_pg_query(store_conn *c, const char *index, const char *q, int limit, int offset, search_hit_fn cb,
                    void *ctx, int64_t *total);

#endif
