/* fts_cjk.h: the "cjk" FTS5 tokenizer (CJK bigrams + ASCII words).
 *
 * SQLite's unicode61 indexes a whole run of Chinese as one token and trigram
 * finds nothing under three characters (TECH-NOTES §3), so fazhi registers its
 * own tokenizer on every connection the SQLite store opens:
 * - a run of CJK ideographs (U+3400-4DBF, U+4E00-9FFF, U+F900-FAFF,
 *   U+20000-3FFFF) gives overlapping bigrams, one position each; when
 *   indexing, each character is also emitted as a colocated unigram (the last
 *   one colocated with the last bigram), so 1-character queries match and
 *   phrase positions stay those of the bigrams;
 * - in a query, a run gives its bigrams only, or the character itself when
 *   the run is one character long;
 * - ASCII letters and digits (and their full-width forms) form lower-cased
 *   word tokens, at most FTS_CJK_WORD_MAX bytes (longer words are cut, the
 *   same way in documents and queries);
 * - everything else, CJK punctuation and invalid UTF-8 included, separates.
 * Offsets are byte offsets into the input. Only store/ includes this. */
#ifndef FZ_FTS_CJK_H
#define FZ_FTS_CJK_H

struct sqlite3;

#define FTS_CJK_COLOCATED 0x0001 /* = FTS5_TOKEN_COLOCATED */
#define FTS_CJK_WORD_MAX 64

/* Same shape as FTS5's xToken: a non-zero return stops tokenizing and is
 * returned by fts_cjk_tokenize. tok is borrowed for the call only. */
typedef int (*fts_cjk_token_fn)(void *ctx, int tflags, const char *tok, int ntok, int start, int end);

/* Tokenizes text[0..len). query: 1 for query mode, 0 for documents (and for
 * highlight/snippet, which must see the document's positions). */
int fts_cjk_tokenize(const char *text, int len, int query, fts_cjk_token_fn cb, void *ctx);

/* Registers the tokenizer as "cjk" on db. FZ_OK, or FZ_ERR (logged) when the
 * SQLite library has no FTS5. */
int fts_cjk_register(struct sqlite3 *db);

#endif
