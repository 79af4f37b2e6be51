/* search.h: full-text search over named indexes (backend-neutral).
 *
 * An index holds documents keyed by (kind, id), each with the unit it belongs
 * to, a title and a body. On SQLite an index is an FTS5 table using the "cjk"
 * bigram tokenizer (store/fts_cjk.h); PostgreSQL will implement the same API
 * with pg_trgm. Writes (create, put, delete) take the writer connection of a
 * store_write job; queries take any connection.
 *
 * Queries are free text from users and are never interpreted as query syntax:
 * the text is split on white space (ASCII and U+3000), each term is searched
 * as a literal phrase, and a document must contain every term. Terms with no
 * letter, digit or CJK character are dropped; a query left with no term
 * matches nothing (FZ_OK, total 0). Chinese terms match as runs of bigrams, so
 * a 1-character term finds every document containing that character.
 *
 * Hits come best first (bm25, a title match weighing more than a body match).
 * The title and the snippet given to the callback are HTML-safe: the indexed
 * text is escaped (& < > " ') and only then are the matches wrapped in
 * <mark>...</mark>, so they can be put into a page as they are. (Indexed text
 * has its C0 control characters other than tab/LF/CR replaced by spaces.) */
#ifndef FZ_SEARCH_H
#define FZ_SEARCH_H

#include "store/store.h"

#include <stdint.h>

#define SEARCH_QUERY_MAX 1024 /* bytes of query text; longer is FZ_INVALID */
#define SEARCH_LIMIT_MAX 100  /* hits per page; larger limits are clamped */
#define SEARCH_COUNT_CAP 10000 /* matches counted and ranked; beyond, newest first */

typedef struct search_hit {
    const char *kind;       /* as given to search_put */
    const char *id;
    int64_t unit_id;
    const char *title_html; /* the whole title, escaped, matches marked */
    const char *body_html;  /* a snippet of the body (about 32 tokens), escaped,
                               matches marked, "…" where text was cut */
} search_hit;

/* Called once per hit; the strings are borrowed for the call only. A non-zero
 * return stops the query and is returned by search_query. */
typedef int (*search_hit_fn)(void *ctx, const search_hit *h);

/* Index names are 1-32 characters of [a-z0-9_] starting with a letter
 * (FZ_INVALID otherwise); the set of indexes is fixed by the code (cases,
 * publications, statutes...), since each one has its own cached statements. */

/* Creates the index if it does not exist. */
int search_index_create(store_conn *w, const char *index);
/* Inserts or replaces the document (kind, id). title and body may be NULL (""). */
int search_put(store_conn *w, const char *index, const char *kind, const char *id, int64_t unit_id,
               const char *title, const char *body);
/* Removes the document (kind, id); FZ_OK also when it was not there. */
int search_delete(store_conn *w, const char *index, const char *kind, const char *id);
/* Runs the query q; calls cb for hits offset .. offset+limit-1 (limit <= 0
 * means 20). When total is not NULL it receives the number of matching
 * documents up to SEARCH_COUNT_CAP + 1 (more: the count is capped and the
 * hits come newest first instead of by relevance). FZ_INVALID for a bad
 * index name or an over-long query. */
int search_query(store_conn *c, const char *index, const char *q, int limit, int offset,
                 search_hit_fn cb, void *ctx, int64_t *total);

#endif
