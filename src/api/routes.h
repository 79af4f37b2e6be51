/* routes.h: the API route table. http/router.c matches requests against it;
 * tests enumerate it (GET /api/system/routes) so no route goes unchecked. */
#ifndef FZ_ROUTES_H
#define FZ_ROUTES_H

#include <stddef.h>

#include "api/req.h"

typedef int (*api_handler)(req *r);

typedef struct api_route {
    const char *method;  /* "GET", "POST", ... */
    const char *pattern; /* "/api/events/{seq}": literal segments and {params} */
    api_handler fn;
    const char *name;    /* metrics label */
} api_route;

extern const api_route api_routes[];
extern const size_t api_route_count;

/* Handlers, one file per area. */
int api_healthz(req *r);
int api_readyz(req *r);
int api_metrics(req *r);
int api_system_status(req *r);
int api_system_routes(req *r);
int api_events_list(req *r);
int api_events_get(req *r);
int api_chain_head(req *r);
int api_chain_checkpoint(req *r);

#endif
