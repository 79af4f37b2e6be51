/* router.h: matches method + path against the api_routes table.
 * Patterns are '/'-separated literal segments and {name} parameters. */
#ifndef FZ_ROUTER_H
#define FZ_ROUTER_H

#include <stddef.h>

#define ROUTER_MAX_PARAMS 8

typedef struct route_params {
    int n;
    const char *names[ROUTER_MAX_PARAMS]; /* borrowed from the pattern (not NUL-terminated) */
    size_t name_lens[ROUTER_MAX_PARAMS];
    const char *values[ROUTER_MAX_PARAMS]; /* borrowed from the path */
    size_t value_lens[ROUTER_MAX_PARAMS];
} route_params;

/* Returns the index into api_routes, or -1 with *status set to 404 (no
 * pattern matches the path) or 405 (a pattern matches, another method). On
 * 405, allow (if non-NULL) receives a comma-separated list of methods. */
int router_match(const char *method, const char *path, route_params *p, int *status,
                 char *allow, size_t allowlen);

#endif
