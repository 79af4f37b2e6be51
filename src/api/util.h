/* util.h: small helpers shared by handlers: parameters, paging, body field
 * validation with Chinese messages, and replies for common outcomes. Every
 * helper that returns non-zero has already replied. */
#ifndef FZ_API_UTIL_H
#define FZ_API_UTIL_H

#include <jansson.h>
#include <stdint.h>

#include "api/app.h"
#include "api/req.h"
#include "engine/authz.h"

/* Path parameter {name} as a positive integer (400 naming it otherwise). */
int api_path_id(req *r, const char *name, int64_t *out);
/* page (default 1) and size (default 20, max 500) from the query string. */
int api_paging(req *r, int64_t *page, int64_t *size);
/* Optional integer query argument within [min, max]. */
int api_query_int(req *r, const char *name, int64_t min, int64_t max, int64_t dflt, int64_t *out);
/* Optional text query argument ("" when absent); 400 when not UTF-8. */
int api_query_text(req *r, const char *name, const char **out);

/* Rejects keys of body not in allowed (NULL-terminated): 400 naming the key. */
int api_only_keys(req *r, const json_t *body, const char *const *allowed);
/* Text field: required or optional (NULL when absent), trimmed length 1..maxlen
 * code points. label is the Chinese field name used in messages. */
int api_text(req *r, const json_t *body, const char *key, const char *label, int required, int maxlen,
             const char **out);
/* Integer field. */
int api_int(req *r, const json_t *body, const char *key, const char *label, int required, int64_t min,
            int64_t max, int64_t *out, int *present);

/* 400 validation_failed with {fields: {key: reason}} and message "label：reason". */
int api_invalid(req *r, const char *key, const char *label, const char *reason);
int api_store_error(req *r);
int api_not_found(req *r, const char *what);

/* The caller; never NULL behind a non-public route. */
const principal *api_who(req *r);
/* The caller's reader connection, or 503 and NULL. */
store_conn *api_reader(req *r);

#endif
