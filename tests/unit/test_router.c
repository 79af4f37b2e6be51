/* test_router.c: request routing (http/router.h) against the real route table
 * (api/routes.c): every route is reachable with its own method and index,
 * {params} are extracted, near-misses do not match, 404 vs 405 with a correct
 * Allow list, HEAD is served by GET routes, and the table itself is sound
 * (well-formed patterns, no duplicate method+pattern, unique metric names). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "api/routes.h"
#include "http/router.h"

/* Replaces every {param} in pattern with "123". */
static void concrete(const char *pattern, char *out, size_t len)
{
    size_t n = 0;
    for (const char *p = pattern; *p && n + 4 < len; p++) {
        if (*p == '{') {
            const char *end = strchr(p, '}');
            assert_non_null(end);
            memcpy(out + n, "123", 3);
            n += 3;
            p = end;
        } else {
            out[n++] = *p;
        }
    }
    out[n] = '\0';
}

static int match(const char *method, const char *path, route_params *p, int *status, char *allow)
{
    *status = 0;
    return router_match(method, path, p, status, allow, allow ? 64 : 0);
}

static void test_every_route_matches_itself(void **state)
{
    assert_true(api_route_count > 0);
    for (size_t i = 0; i < api_route_count; i++) {
        char path[256];
        route_params p;
        int status;
        concrete(api_routes[i].pattern, path, sizeof(path));
        int got = match(api_routes[i].method, path, &p, &status, NULL);
        if (got != (int)i)
            fprintf(stderr, "%s %s -> %d, want %zu\n", api_routes[i].method, path, got, i);
        assert_int_equal(got, (int)i);
        /* One param per {name} in the pattern, in order, each "123" from the path. */
        int k = 0;
        for (const char *c = strchr(api_routes[i].pattern, '{'); c; c = strchr(c + 1, '{'), k++) {
            size_t len = (size_t)(strchr(c, '}') - c - 1);
            assert_true(k < p.n);
            assert_int_equal(p.name_lens[k], len);
            assert_memory_equal(p.names[k], c + 1, len);
            assert_int_equal(p.value_lens[k], 3);
            assert_true(p.values[k] > path && p.values[k] < path + strlen(path));
            assert_memory_equal(p.values[k], "123", 3);
        }
        assert_int_equal(p.n, k);
    }
}

static void test_params_extracted(void **state)
{
    static const char path[] = "/api/audit/events/20240101";
    route_params p;
    int status;
    int i = match("GET", path, &p, &status, NULL);
    assert_true(i >= 0);
    assert_string_equal(api_routes[i].pattern, "/api/audit/events/{seq}");
    assert_int_equal(p.n, 1);
    assert_int_equal(p.name_lens[0], 3);
    assert_memory_equal(p.names[0], "seq", 3);
    assert_ptr_equal(p.values[0], path + strlen("/api/audit/events/")); /* borrowed from the path */
    assert_int_equal(p.value_lens[0], 8);
    assert_memory_equal(p.values[0], "20240101", 8);

    /* The collection route next to it takes no params. */
    i = match("GET", "/api/audit/events", &p, &status, NULL);
    assert_true(i >= 0);
    assert_string_equal(api_routes[i].pattern, "/api/audit/events");
    assert_int_equal(p.n, 0);
}

static void test_near_misses_do_not_match(void **state)
{
    static const char *const paths[] = {
        "/healthz/",          /* trailing slash */
        "/healthz/x",         /* extra segment */
        "//healthz",
        "/healthzz",
        "/health",
        "/HEALTHZ",           /* paths are case-sensitive */
        "/api/audit/events/",   /* empty {seq} */
        "/api/audit/events//",
        "/api/audit/events/1/", /* trailing slash after a param */
        "/api/audit/events/1/2",/* extra segment after a param */
        "/api/audit",
        "/api/system",
        "/api/chain/head/",
        "/api/chain",
        "/",
        "",
        "healthz",            /* no leading slash */
        "/nope",
    };
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        route_params p;
        int status;
        int got = match("GET", paths[i], &p, &status, NULL);
        if (got != -1 || status != 404)
            fprintf(stderr, "GET '%s' -> %d (%d)\n", paths[i], got, status);
        assert_int_equal(got, -1);
        assert_int_equal(status, 404);
    }
    /* Every route: a trailing slash matches nothing; an extra segment does
     * not match that route (it may be another route's, e.g. /users/{id}/unlock). */
    for (size_t i = 0; i < api_route_count; i++) {
        char path[256];
        route_params p;
        int status;
        concrete(api_routes[i].pattern, path, sizeof(path) - 16);
        size_t n = strlen(path);
        memcpy(path + n, "/", 2);
        assert_int_equal(match(api_routes[i].method, path, &p, &status, NULL), -1);
        assert_int_equal(status, 404);
        memcpy(path + n, "/zz-extra", 10);
        assert_int_not_equal(match(api_routes[i].method, path, &p, &status, NULL), (int)i);
    }
}

/* The methods the table has for pattern, comma-separated in table order. */
static void methods_for(const char *pattern, char *out, size_t len)
{
    out[0] = '\0';
    for (size_t i = 0; i < api_route_count; i++) {
        if (strcmp(api_routes[i].pattern, pattern) != 0)
            continue;
        size_t n = strlen(out);
        snprintf(out + n, len - n, "%s%s", n ? "," : "", api_routes[i].method);
    }
}

static void test_405_allow_list(void **state)
{
    char allow[64], want[64], path[256];
    route_params p;
    int status;

    assert_int_equal(match("POST", "/healthz", &p, &status, allow), -1);
    assert_int_equal(status, 405);
    assert_string_equal(allow, "GET");

    assert_int_equal(match("GET", "/api/chain/checkpoints", &p, &status, allow), -1);
    assert_int_equal(status, 405);
    assert_string_equal(allow, "POST");

    /* For every route, a method its pattern lacks gets 405 and exactly the
     * pattern's methods, in table order. */
    static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
    for (size_t i = 0; i < api_route_count; i++) {
        concrete(api_routes[i].pattern, path, sizeof(path));
        methods_for(api_routes[i].pattern, want, sizeof(want));
        const char *lacks = NULL;
        for (size_t m = 0; m < sizeof(methods) / sizeof(methods[0]) && !lacks; m++) {
            char tok[16];
            snprintf(tok, sizeof(tok), ",%s,", methods[m]);
            char padded[80];
            snprintf(padded, sizeof(padded), ",%s,", want);
            if (!strstr(padded, tok))
                lacks = methods[m];
        }
        if (!lacks)
            continue;
        memset(allow, 'x', sizeof(allow));
        assert_int_equal(match(lacks, path, &p, &status, allow), -1);
        assert_int_equal(status, 405);
        if (strcmp(allow, want) != 0)
            fprintf(stderr, "%s %s: Allow '%s', want '%s'\n", lacks, path, allow, want);
        assert_string_equal(allow, want);
    }

    /* 404 leaves an empty Allow; a NULL allow buffer is fine. */
    memset(allow, 'x', sizeof(allow));
    assert_int_equal(match("POST", "/nope", &p, &status, allow), -1);
    assert_int_equal(status, 404);
    assert_string_equal(allow, "");
    assert_int_equal(match("PATCH", "/healthz", &p, &status, NULL), -1);
    assert_int_equal(status, 405);
}

static void test_head_matches_get(void **state)
{
    route_params p;
    int status;
    for (size_t i = 0; i < api_route_count; i++) {
        if (strcmp(api_routes[i].method, "GET") != 0)
            continue;
        char path[256];
        concrete(api_routes[i].pattern, path, sizeof(path));
        assert_int_equal(match("HEAD", path, &p, &status, NULL), (int)i);
    }
    /* HEAD is not a way into a POST route. */
    char allow[64];
    assert_int_equal(match("HEAD", "/api/chain/checkpoints", &p, &status, allow), -1);
    assert_int_equal(status, 405);
    assert_string_equal(allow, "POST");
}

static void test_table_integrity(void **state)
{
    static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
    for (size_t i = 0; i < api_route_count; i++) {
        const api_route *r = &api_routes[i];
        assert_non_null(r->fn);
        assert_non_null(r->name);
        assert_true(r->name[0] != '\0');
        int known = 0;
        for (size_t m = 0; m < sizeof(methods) / sizeof(methods[0]); m++)
            known |= strcmp(r->method, methods[m]) == 0;
        assert_true(known); /* HEAD comes from GET, never its own route */
        /* Pattern: starts with '/', no trailing or double slash, every
         * segment non-empty, params are a whole segment "{name}". */
        const char *pt = r->pattern;
        assert_int_equal(pt[0], '/');
        assert_true(strlen(pt) == 1 || pt[strlen(pt) - 1] != '/');
        assert_null(strstr(pt, "//"));
        for (const char *seg = pt + 1; seg; seg = strchr(seg, '/') ? strchr(seg, '/') + 1 : NULL) {
            const char *end = strchr(seg, '/');
            size_t len = end ? (size_t)(end - seg) : strlen(seg);
            const char *open = memchr(seg, '{', len), *close = memchr(seg, '}', len);
            if (open || close) {
                assert_true(open == seg && close == seg + len - 1 && len > 2);
            }
        }
        for (size_t j = i + 1; j < api_route_count; j++) {
            const api_route *o = &api_routes[j];
            if (strcmp(r->method, o->method) == 0 && strcmp(r->pattern, o->pattern) == 0)
                fail_msg("duplicate route %s %s (entries %zu and %zu)", r->method, r->pattern, i, j);
            if (strcmp(r->name, o->name) == 0)
                fail_msg("duplicate metrics name %s (entries %zu and %zu)", r->name, i, j);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_route_matches_itself),
        cmocka_unit_test(test_params_extracted),
        cmocka_unit_test(test_near_misses_do_not_match),
        cmocka_unit_test(test_405_allow_list),
        cmocka_unit_test(test_head_matches_get),
        cmocka_unit_test(test_table_integrity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
