/* test_keyidx.c: the key index over an array of structs: finds every key
 * after many additions (the table grows), after the array moved
 * (realloc), after a reorder (rebuild), and answers -1 for absent keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/keyidx.h"
#include "core/status.h"

typedef struct row {
    int64_t n;
    char key[24];
    char pad[40];
} row;

static int by_key_desc(const void *a, const void *b)
{
    return strcmp(((const row *)b)->key, ((const row *)a)->key);
}

static void test_many_keys(void **state)
{
    (void)state;
    keyidx x = KEYIDX_INIT(row, key);
    row *v = NULL;
    size_t n = 0;
    assert_int_equal(kx_find(&x, v, "1"), -1);
    for (int i = 0; i < 5000; i++) { /* grows far past the first table */
        row *nv = realloc(v, (n + 1) * sizeof(*nv));
        assert_non_null(nv);
        v = nv;
        memset(&v[n], 0, sizeof(v[n]));
        snprintf(v[n].key, sizeof(v[n].key), "%d", i * 7);
        v[n].n = i;
        n++;
        assert_int_equal(kx_add(&x, v, n), FZ_OK);
    }
    assert_true(x.nslot >= 2 * n);
    for (int i = 0; i < 5000; i++) {
        char k[24];
        snprintf(k, sizeof(k), "%d", i * 7);
        long at = kx_find(&x, v, k);
        assert_int_equal(at, i);
        assert_int_equal(v[at].n, i);
    }
    assert_int_equal(kx_find(&x, v, "3"), -1);
    assert_int_equal(kx_find(&x, v, ""), -1);
    assert_int_equal(kx_find(&x, v, "县直部门"), -1);
    /* reordered: the old indices are stale until rebuilt */
    qsort(v, n, sizeof(*v), by_key_desc);
    assert_int_equal(kx_rebuild(&x, v, n), FZ_OK);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(kx_find(&x, v, v[i].key), (long)i);
    kx_free(&x);
    assert_null(x.slot);
    assert_int_equal(kx_find(&x, v, "7"), -1);
    free(v);
}

static void test_rebuild_from_empty_large(void **state)
{
    /* a rebuild of many elements at once sizes the table for all of them */
    (void)state;
    keyidx x = KEYIDX_INIT(row, key);
    row *v = calloc(3000, sizeof(*v));
    assert_non_null(v);
    for (int i = 0; i < 3000; i++)
        snprintf(v[i].key, sizeof(v[i].key), "53%010d", i);
    assert_int_equal(kx_rebuild(&x, v, 3000), FZ_OK);
    assert_true(x.nslot >= 6000);
    assert_int_equal(kx_find(&x, v, "530000002999"), 2999);
    assert_int_equal(kx_find(&x, v, "530000003000"), -1);
    kx_free(&x);
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_many_keys),
        cmocka_unit_test(test_rebuild_from_empty_large),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
