/* test_arena.c: the region allocator: alignment, zeroing, oversized requests,
 * string helpers, cleanup order, and what reset keeps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "core/status.h"

static void test_alloc_aligned_zeroed(void **state)
{
    arena a;
    arena_init(&a, 256);
    assert_int_equal(a.total, 0); /* first block is lazy */
    for (size_t n = 0; n < 100; n++) {
        unsigned char *p = arena_alloc(&a, n);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
        for (size_t i = 0; i < n; i++)
            assert_int_equal(p[i], 0);
        memset(p, 0xAB, n); /* dirty it; neighbours must stay zeroed */
    }
    arena_free(&a);
    assert_null(a.head);
    assert_int_equal(a.total, 0);
}

static void test_allocations_do_not_overlap(void **state)
{
    arena a;
    arena_init(&a, 128);
    unsigned char *ptrs[64];
    for (int i = 0; i < 64; i++) {
        ptrs[i] = arena_alloc(&a, 40);
        assert_non_null(ptrs[i]);
        memset(ptrs[i], i, 40);
    }
    for (int i = 0; i < 64; i++)
        for (int j = 0; j < 40; j++)
            assert_int_equal(ptrs[i][j], i);
    arena_free(&a);
}

static void test_oversized_and_zero(void **state)
{
    arena a;
    arena_init(&a, 0); /* 0 -> default block size */
    assert_int_equal(a.block_size, 8192);
    char *big = arena_alloc(&a, 100000);
    assert_non_null(big);
    memset(big, 1, 100000);
    assert_true(a.total >= 100000);
    assert_non_null(arena_alloc(&a, 0));
    assert_null(arena_alloc(&a, SIZE_MAX));
    assert_null(arena_alloc(&a, SIZE_MAX / 2 + 1));
    arena_free(&a);
}

static void test_strings(void **state)
{
    arena a;
    arena_init(&a, 64);
    char *s = arena_strdup(&a, "法治政府");
    assert_string_equal(s, "法治政府");
    char *t = arena_strndup(&a, "abcdef", 3);
    assert_string_equal(t, "abc");
    char *u = arena_printf(&a, "%s-%d-%05.1f", "案件", 42, 3.5);
    assert_string_equal(u, "案件-42-003.5");
    /* Longer than a block: must still come out whole. */
    char *v = arena_printf(&a, "%0200d", 7);
    assert_int_equal(strlen(v), 200);
    assert_int_equal(v[199], '7');
    assert_int_equal(v[0], '0');
    assert_string_equal(s, "法治政府"); /* earlier strings intact */
    arena_free(&a);
}

static int order[8];
static int norder;

static void record(void *p)
{
    order[norder++] = *(int *)p;
}

static void test_defer_lifo(void **state)
{
    static int ids[3] = {1, 2, 3};
    arena a;
    arena_init(&a, 64);
    norder = 0;
    for (int i = 0; i < 3; i++)
        assert_int_equal(arena_defer(&a, record, &ids[i]), FZ_OK);
    arena_reset(&a);
    assert_int_equal(norder, 3);
    assert_int_equal(order[0], 3);
    assert_int_equal(order[1], 2);
    assert_int_equal(order[2], 1);
    /* Cleanups ran once: a second reset and the free run nothing. */
    arena_reset(&a);
    assert_int_equal(norder, 3);
    assert_int_equal(arena_defer(&a, record, &ids[0]), FZ_OK);
    arena_free(&a);
    assert_int_equal(norder, 4);
    assert_int_equal(order[3], 1);
}

static void test_reset_keeps_one_block(void **state)
{
    arena a;
    arena_init(&a, 128);
    assert_non_null(arena_alloc(&a, 16));
    size_t one = a.total;
    for (int i = 0; i < 50; i++)
        assert_non_null(arena_alloc(&a, 100));
    assert_true(a.total > one);
    arena_reset(&a);
    assert_int_equal(a.total, one);
    assert_non_null(a.head);
    /* The kept block is reused from its start and memory is zeroed again. */
    unsigned char *p = arena_alloc(&a, 64);
    for (int i = 0; i < 64; i++)
        assert_int_equal(p[i], 0);
    assert_int_equal(a.total, one);
    arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_aligned_zeroed),
        cmocka_unit_test(test_allocations_do_not_overlap),
        cmocka_unit_test(test_oversized_and_zero),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_defer_lifo),
        cmocka_unit_test(test_reset_keeps_one_block),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
