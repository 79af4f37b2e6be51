/* jsonw.h: writing JSON as text into a strbuf, for answers too large or too
 * frequent to build as jansson objects first (a list page, a province-wide
 * dashboard). Strings and numbers are written as jansson's json_dumps
 * (JSON_COMPACT) writes them, so both paths give the same bytes. */
#ifndef FZ_JSONW_H
#define FZ_JSONW_H

#include "core/strbuf.h"

#include <stdint.h>

/* A JSON string (NULL: ""): UTF-8 passes through; '"', '\\' and control
 * characters are escaped. */
void jw_str(strbuf *b, const char *s);
/* "key": (the comma before it is the caller's). */
void jw_key(strbuf *b, const char *key);
void jw_int(strbuf *b, int64_t v);
/* A double that reads back the same (%.15g, else %.16g or %.17g), with
 * ".0" when it looks integral, as jansson writes reals. */
void jw_real(strbuf *b, double v);

/* Reading: the value of a top-level string member of a JSON object's text,
 * without building the object (a detail parsed every imported history step's
 * payload for its label: a tenth of the detail). *val points into text, *len
 * bytes, when the member is a string with no escapes (the last one wins, as
 * json_loads keeps it). Returns 1 found, 0 no such string member, -1 when the
 * text is not one this reader is sure of (escapes in a key or the value,
 * anything unexpected): the caller then parses it with jansson. */
int jr_member_str(const char *text, const char *key, const char **val, size_t *len);

#endif
