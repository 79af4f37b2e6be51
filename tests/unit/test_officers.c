/* Unit tests of engine/officers.c: one officer's 执法资格 and 学时 on a
 * reference date, the percentage without floating point, and the reference
 * date of a year. The SQL over the registries is covered by
 * tests/api/cases/400-enforcement-registries.json against a real server. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "engine/officers.h"
#include "core/status.h"

static officer_eval eval(const char *status, const char *issued, const char *expires, int64_t hours)
{
    officer_eval e;
    officer_evaluate(status, issued, expires, hours, "2025-12-31", 60, 90, &e);
    return e;
}

static void test_certified(void **state)
{
    officer_eval e = eval("有效", "2021-01-01", "2030-06-30", 64);
    assert_true(e.certified);
    assert_null(e.problem);
    assert_false(e.expired);
    assert_false(e.expiring_soon);
    assert_true(e.hours_met);
    assert_int_equal(e.shortfall, 0);
    assert_int_equal(e.days_to_expiry, 1642);
}

static void test_expiry_boundaries(void **state)
{
    /* Valid through the reference date itself. */
    officer_eval e = eval("有效", "", "2025-12-31", 0);
    assert_true(e.certified);
    assert_int_equal(e.days_to_expiry, 0);
    assert_true(e.expiring_soon);
    /* The day before: expired. */
    e = eval("有效", "", "2025-12-30", 0);
    assert_false(e.certified);
    assert_true(e.expired);
    assert_int_equal(e.days_to_expiry, -1);
    assert_string_equal(e.problem, "证件已过期");
    assert_false(e.expiring_soon);
    /* 90 days left is "soon", 91 is not. */
    assert_true(eval("有效", "", "2026-03-31", 0).expiring_soon);
    assert_false(eval("有效", "", "2026-04-01", 0).expiring_soon);
}

static void test_not_certified(void **state)
{
    assert_string_equal(eval("暂扣", "", "2030-01-01", 80).problem, "证件暂扣");
    assert_string_equal(eval("注销", "", "2030-01-01", 80).problem, "证件已注销");
    assert_string_equal(eval("", "", "2030-01-01", 80).problem, "证件状态不是有效");
    assert_string_equal(eval("有效", "", "", 80).problem, "未登记证件有效期");
    assert_string_equal(eval("有效", "2026-01-05", "2032-01-01", 80).problem, "统计日尚未发证");
    /* A suspended certificate is not "expiring soon", whatever its date. */
    assert_false(eval("暂扣", "", "2026-01-10", 0).expiring_soon);
    /* Hours are counted whether certified or not. */
    officer_eval e = eval("暂扣", "", "2030-01-01", 80);
    assert_true(e.hours_met);
    assert_int_equal(e.shortfall, 0);
}

static void test_hours(void **state)
{
    assert_int_equal(eval("有效", "", "2030-01-01", 0).shortfall, 60);
    assert_int_equal(eval("有效", "", "2030-01-01", 59).shortfall, 1);
    assert_true(eval("有效", "", "2030-01-01", 60).hours_met);
    assert_false(eval("有效", "", "2030-01-01", 59).hours_met);
    officer_eval e;
    officer_evaluate("有效", "", "2030-01-01", 0, "2025-12-31", 0, 90, &e); /* no requirement */
    assert_true(e.hours_met);
    assert_int_equal(e.shortfall, 0);
}

static void test_percent(void **state)
{
    char p[32];
    officers_percent(1, 3, p);
    assert_string_equal(p, "33.33");
    officers_percent(2, 3, p);
    assert_string_equal(p, "66.67");
    officers_percent(3, 3, p);
    assert_string_equal(p, "100.00");
    officers_percent(0, 7, p);
    assert_string_equal(p, "0.00");
    officers_percent(1, 8, p); /* 12.5 exactly */
    assert_string_equal(p, "12.50");
    officers_percent(1, 80000, p); /* 0.00125 % → half up */
    assert_string_equal(p, "0.00");
    officers_percent(1, 40000, p); /* 0.0025 % */
    assert_string_equal(p, "0.00");
    officers_percent(1, 20000, p); /* 0.005 % → 0.01 */
    assert_string_equal(p, "0.01");
    officers_percent(871, 1000, p); /* the speech's 87.13% kind of figure */
    assert_string_equal(p, "87.10");
    officers_percent(0, 0, p);
    assert_string_equal(p, "");
}

static void test_reference_date(void **state)
{
    officer_query q = {0};
    assert_int_equal(officers_query_init(&q, 2026, 20261129), FZ_OK);
    assert_string_equal(q.ref_date, "2026-11-29");
    assert_int_equal(q.as_of_ms, 0);
    assert_int_equal(officers_query_init(&q, 2024, 20261129), FZ_OK);
    assert_string_equal(q.ref_date, "2024-12-31");
    assert_true(q.as_of_ms > 0);
    assert_int_equal(officers_query_init(&q, 2027, 20261129), FZ_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_certified),
        cmocka_unit_test(test_expiry_boundaries),
        cmocka_unit_test(test_not_certified),
        cmocka_unit_test(test_hours),
        cmocka_unit_test(test_percent),
        cmocka_unit_test(test_reference_date),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
