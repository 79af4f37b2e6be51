/* req.h: the request/response interface handlers are written against.
 *
 * Declared here, implemented by http/ (so api/ never sees libmicrohttpd).
 * Everything returned is borrowed and lives until the response completes;
 * allocate per-request memory from req_arena(). Each handler queues exactly
 * one reply with one of the req_reply_* functions and returns FZ_OK. */
#ifndef FZ_REQ_H
#define FZ_REQ_H

#include <jansson.h>
#include <stddef.h>

#include "core/arena.h"
#include "store/store.h"

typedef struct req req;
typedef struct app app; /* the running application (app/app.h) */

app *req_app(req *r);
arena *req_arena(req *r);
const char *req_method(req *r);
const char *req_path(req *r);
/* Path parameter from the route pattern ({name}); NULL when absent. */
const char *req_param(req *r, const char *name);
/* Query-string argument, URL-decoded; NULL when absent. */
const char *req_query(req *r, const char *name);
const char *req_header(req *r, const char *name);
const char *req_client_ip(req *r);
/* Cookie value; NULL when absent. */
const char *req_cookie(req *r, const char *name);

/* The authenticated caller (engine/authz.h principal), set by the guard
 * before the handler runs; NULL on public routes. */
struct principal;
const struct principal *req_principal(req *r);
void req_set_principal(req *r, const struct principal *p);
/* Raw body (NUL-terminated for convenience; len excludes the NUL). */
const char *req_body(req *r, size_t *len);

/* Parses the body as a JSON object. On failure it has already replied
 * (400 with line/column, or 415) and returns NULL. Borrowed: freed with the request. */
json_t *req_json_body(req *r);

/* Runs fn(w, ctx) as a store write job without holding a worker thread:
 * the connection is suspended, and once the job's commit is durable (or has
 * failed) then(r, ctx, rc) runs on a worker thread and must reply. ctx must live
 * in the request arena. Returns FZ_OK (the handler returns without replying)
 * or an error (nothing was queued; the handler replies itself). */
typedef int (*req_then_fn)(req *r, void *ctx, int rc);
int req_write(req *r, store_write_fn fn, void *ctx, req_then_fn then);

/* Replies; json is stolen (decref'd by the call). */
int req_reply_json(req *r, int status, json_t *json);
/* JSON already written as text (copied), with the same headers. */
int req_reply_json_text(req *r, int status, const char *text, size_t len);
/* {"error":{"code":code,"message":message,"fields":fields?}}; fields is stolen. */
int req_reply_error(req *r, int status, const char *code, const char *message, json_t *fields);
/* Copies body. */
int req_reply_text(req *r, int status, const char *content_type, const char *body, size_t len);
/* Streams the file at path as an attachment named filename (UTF-8) and
 * unlinks it: the open descriptor keeps the bytes until the response ends. */
int req_reply_file(req *r, const char *path, const char *content_type, const char *filename);
/* The same for a stored file that stays (attachments): not unlinked. */
int req_reply_stored_file(req *r, const char *path, const char *content_type, const char *filename);

/* Streaming bodies. A route listed in api_route_streams (api/routes.c) runs its guard
 * and handler as soon as the headers are in, before any of the body. The
 * handler checks what it can, then calls req_stream_form() to have the
 * multipart/form-data (or urlencoded) body parsed as it arrives (constant
 * memory: MHD_PostProcessor): part() gets each chunk of each field (filename
 * is NULL for text fields; off is the chunk's offset in the field's value),
 * and after the last byte end() runs on the final call and replies (or
 * starts req_write). A reply queued before end() -- by the guard, the
 * handler or part() -- is held until the whole body has been read and
 * discarded, so keep-alive survives; part() returns non-zero to stop
 * parsing (after replying). Per-request cleanups (temp files) go in
 * arena_defer on req_arena: they also run when the client disconnects.
 * Returns FZ_INVALID when the body is not a form (Content-Type). */
typedef int (*req_part_fn)(req *r, void *ctx, const char *field, const char *filename, const char *data,
                           size_t off, size_t len);
typedef int (*req_end_fn)(req *r, void *ctx);
int req_stream_form(req *r, req_part_fn part, req_end_fn end, void *ctx);

/* Adds a response header to the reply queued next. */
void req_add_header(req *r, const char *name, const char *value);

#endif
