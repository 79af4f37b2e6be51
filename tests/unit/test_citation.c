/* Unit tests of engine/citation.c: article numbers of legal_basis citations
 * ("第三十六条", "第105条"). The catalog lookups are covered by
 * tests/api/cases/303-legal-basis.json against a real server. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "engine/citation.h"

static long num(const char *s)
{
    return citation_number(s, strlen(s));
}

static void test_chinese_numerals(void **state)
{
    assert_int_equal(num("一"), 1);
    assert_int_equal(num("十"), 10);
    assert_int_equal(num("十二"), 12);
    assert_int_equal(num("二十"), 20);
    assert_int_equal(num("三十六"), 36);
    assert_int_equal(num("一百"), 100);
    assert_int_equal(num("一百零五"), 105);
    assert_int_equal(num("一百一十"), 110);
    assert_int_equal(num("两百二十三"), 223);
    assert_int_equal(num("一千零一"), 1001);
}

static void test_arabic_numerals(void **state)
{
    assert_int_equal(num("7"), 7);
    assert_int_equal(num("105"), 105);
}

static void test_not_numbers(void **state)
{
    assert_int_equal(num(""), -1);
    assert_int_equal(num("甲"), -1);
    assert_int_equal(num("三a"), -1);
    assert_int_equal(num("12a"), -1);
    assert_int_equal(num("百"), -1);          /* a unit without its digit */
    assert_int_equal(num("99999999"), -1);    /* beyond any statute */
    assert_int_equal(citation_number("三十", 4), -1); /* cut inside a character */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chinese_numerals),
        cmocka_unit_test(test_arabic_numerals),
        cmocka_unit_test(test_not_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
