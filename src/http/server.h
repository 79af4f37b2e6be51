/* server.h: starting and stopping the HTTP server (http-internal API, plus
 * req_send for http/static.c). */
#ifndef FZ_SERVER_H
#define FZ_SERVER_H

#include <stddef.h>

#include "api/req.h"

typedef struct http_server http_server;

/* Starts listening on app->cfg.listen with app->threads workers. */
http_server *http_start(app *a, char *err, size_t errlen);
/* Stops accepting, finishes in-flight requests and joins the workers. */
void http_stop(http_server *s);

/* Queues a reply; copy=0 means body is static and outlives the response. */
int req_send(req *r, int status, const char *ctype, const void *body, size_t len, int copy);

#endif
