/* router.c: linear match over the route table (tens of routes; a linear scan
 * of pre-split patterns costs well under a microsecond). */
#include "http/router.h"
#include "api/routes.h"

#include <string.h>

/* Matches path against pattern, filling p. Both start with '/'. */
static int match(const char *pattern, const char *path, route_params *p)
{
    p->n = 0;
    const char *a = pattern, *b = path;
    while (*a && *b) {
        if (*a != '/' || *b != '/')
            return 0;
        a++;
        b++;
        const char *aend = strchr(a, '/'), *bend = strchr(b, '/');
        size_t alen = aend ? (size_t)(aend - a) : strlen(a);
        size_t blen = bend ? (size_t)(bend - b) : strlen(b);
        if (alen > 1 && a[0] == '{' && a[alen - 1] == '}') {
            if (blen == 0 || p->n == ROUTER_MAX_PARAMS)
                return 0;
            p->names[p->n] = a + 1;
            p->name_lens[p->n] = alen - 2;
            p->values[p->n] = b;
            p->value_lens[p->n] = blen;
            p->n++;
        } else if (alen != blen || memcmp(a, b, alen) != 0) {
            return 0;
        }
        a += alen;
        b += blen;
    }
    return *a == '\0' && *b == '\0';
}

static int method_listed(const char *allow, const char *m)
{
    size_t n = strlen(m);
    for (const char *p = allow; (p = strstr(p, m)); p += n)
        if ((p == allow || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
            return 1;
    return 0;
}

int router_match(const char *method, const char *path, route_params *p, int *status,
                 char *allow, size_t allowlen)
{
    int path_matched = 0;
    size_t used = 0;
    if (allow && allowlen)
        allow[0] = '\0';
    for (size_t i = 0; i < api_route_count; i++) {
        const api_route *r = &api_routes[i];
        if (!match(r->pattern, path, p))
            continue;
        if (strcmp(r->method, method) == 0 ||
            (strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0))
            return (int)i;
        path_matched = 1;
        /* Overlapping patterns (/x/export and /x/{id}) may both match: list
         * each method once. */
        if (allow && !method_listed(allow, r->method)) {
            size_t n = strlen(r->method);
            if (used + n + 2 < allowlen) {
                if (used)
                    allow[used++] = ',';
                memcpy(allow + used, r->method, n + 1);
                used += n;
            }
        }
    }
    *status = path_matched ? 405 : 404;
    return -1;
}
