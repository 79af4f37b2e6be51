/* test_time_override.c: the simulated clock `fazhi demo` uses
 * (time_set_override_ms): time_now_ms, today_yyyymmdd and scheduler_today
 * follow it while set, and the real clock comes back at 0. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "core/timeutil.h"
#include "engine/scheduler.h"

static void test_override(void **state)
{
    setenv("TZ", "Asia/Shanghai", 1);
    tzset();
    /* 2023-03-15 09:30 in Beijing = 01:30 UTC. */
    int64_t ms = days_from_civil(2023, 3, 15) * 86400000 + (int64_t)90 * 60000;
    time_set_override_ms(ms);
    assert_int_equal(time_get_override_ms(), ms);
    assert_int_equal(time_now_ms(), ms);
    assert_int_equal(today_yyyymmdd(), 20230315);
    assert_int_equal(scheduler_today(), days_from_civil(2023, 3, 15));
    /* 2023-12-31 17:00 UTC is already 1 January in Beijing. */
    time_set_override_ms(days_from_civil(2023, 12, 31) * 86400000 + (int64_t)17 * 3600000);
    assert_int_equal(today_yyyymmdd(), 20240101);
    /* 0 (or a negative value) restores the real clock. */
    time_set_override_ms(0);
    assert_int_equal(time_get_override_ms(), 0);
    int64_t real = (int64_t)time(NULL) * 1000;
    int64_t now = time_now_ms();
    assert_true(now >= real - 2000 && now <= real + 2000);
    time_set_override_ms(-5);
    assert_int_equal(time_get_override_ms(), 0);
    assert_true(today_yyyymmdd() > 20230315);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_override)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
