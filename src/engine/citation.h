/* citation.h: a legal_basis value cites the laws catalog (defs/laws.json,
 * filled by `fazhi laws import`). A value holds one or more citations
 * 《名称》 optionally followed by 第N条 (N in Arabic or Chinese numerals),
 * e.g. "《中华人民共和国政府信息公开条例》第三十六条"; each title must be a law
 * in force in cat_laws, and N at most its number of articles. */
#ifndef FZ_CITATION_H
#define FZ_CITATION_H

#include <stddef.h>

typedef struct store_conn store_conn;

/* 0: every citation resolves (or there is no laws catalog to check against);
 * 1: refused, the reason in why (Chinese); FZ_* on a store error. */
int citation_check(store_conn *c, const char *text, char *why, size_t n);

/* The value of a Chinese or Arabic numeral of n bytes at s ("三十六", "105",
 * "一百零五"), or -1 when it is not one. */
long citation_number(const char *s, size_t n);

#endif
