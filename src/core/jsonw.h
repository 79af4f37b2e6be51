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

#endif
