/* test_parse.c: the strict integer parser that replaces atoi. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/parse.h"
#include "core/status.h"

static void test_i64_accepts(void **state)
{
    static const struct {
        const char *s;
        int64_t v;
    } ok[] = {
        {"0", 0},
        {"-0", 0},
        {"7", 7},
        {"-7", -7},
        {"010", 10}, /* decimal, not octal */
        {"8080", 8080},
        {"9223372036854775807", INT64_MAX},
        {"-9223372036854775808", INT64_MIN},
        {"00000000000000000000000042", 42},
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        int64_t v = 12345;
        assert_int_equal(parse_i64(ok[i].s, INT64_MIN, INT64_MAX, &v), FZ_OK);
        assert_true(v == ok[i].v);
    }
}

static void test_i64_rejects(void **state)
{
    static const char *const bad[] = {
        "",    "-",    "+1",  " 1",  "1 ",  "1a",   "a1",  "0x10", "1.0", "1e3",
        "--1", "1-",   "١",   "1,000", "9223372036854775808", "-9223372036854775809",
        "99999999999999999999", "\t1", "1\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int64_t v = 12345;
        assert_int_equal(parse_i64(bad[i], INT64_MIN, INT64_MAX, &v), FZ_INVALID);
        assert_true(v == 12345);
    }
    int64_t v = 12345;
    assert_int_equal(parse_i64(NULL, 0, 10, &v), FZ_INVALID);
    assert_true(v == 12345);
}

static void test_i64_range(void **state)
{
    int64_t v = 0;
    assert_int_equal(parse_i64("1", 1, 65535, &v), FZ_OK);
    assert_true(v == 1);
    assert_int_equal(parse_i64("65535", 1, 65535, &v), FZ_OK);
    assert_true(v == 65535);
    v = 9;
    assert_int_equal(parse_i64("0", 1, 65535, &v), FZ_INVALID);
    assert_int_equal(parse_i64("65536", 1, 65535, &v), FZ_INVALID);
    assert_int_equal(parse_i64("-1", 0, 10, &v), FZ_INVALID);
    assert_int_equal(parse_i64("5", 10, 0, &v), FZ_INVALID); /* empty range */
    assert_true(v == 9);
}

static void test_int(void **state)
{
    int v = 3;
    assert_int_equal(parse_int("2147483647", INT32_MIN, INT32_MAX, &v), FZ_OK);
    assert_int_equal(v, INT32_MAX);
    assert_int_equal(parse_int("-2147483648", INT32_MIN, INT32_MAX, &v), FZ_OK);
    assert_int_equal(v, INT32_MIN);
    v = 3;
    assert_int_equal(parse_int("2147483648", INT32_MIN, INT32_MAX, &v), FZ_INVALID);
    assert_int_equal(parse_int("4294967297", INT32_MIN, INT32_MAX, &v), FZ_INVALID);
    assert_int_equal(parse_int("x", 0, 10, &v), FZ_INVALID);
    assert_int_equal(v, 3);
    assert_int_equal(parse_int("8", 0, 10, &v), FZ_OK);
    assert_int_equal(v, 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_i64_accepts),
        cmocka_unit_test(test_i64_rejects),
        cmocka_unit_test(test_i64_range),
        cmocka_unit_test(test_int),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
