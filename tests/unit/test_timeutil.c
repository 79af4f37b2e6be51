/* test_timeutil.c: civil-date arithmetic, RFC 3339 and the clocks.
 * Fixed vectors come from Python's datetime; wide sweeps use glibc's timegm
 * and gmtime_r as an independent oracle. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "core/status.h"
#include "core/timeutil.h"

static void test_days_vectors(void **state)
{
    assert_int_equal(days_from_civil(1970, 1, 1), 0);
    assert_int_equal(days_from_civil(1969, 12, 31), -1);
    assert_int_equal(days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(days_from_civil(2024, 2, 29), 19782);
    assert_int_equal(days_from_civil(1900, 1, 1), -25567);
    assert_int_equal(days_from_civil(1949, 10, 1), -7397);
    assert_int_equal(days_from_civil(1, 1, 1), -719162);
    assert_int_equal(days_from_civil(9999, 12, 31), 2932896);

    int y, m, d;
    civil_from_days(19782, &y, &m, &d);
    assert_int_equal(y, 2024);
    assert_int_equal(m, 2);
    assert_int_equal(d, 29);
    civil_from_days(-719162, &y, &m, &d);
    assert_int_equal(y * 10000 + m * 100 + d, 10101);
}

/* Every day 1900..2100 against timegm/gmtime_r, and the round trip over all
 * four-digit years. */
static void test_days_sweep(void **state)
{
    for (int64_t z = days_from_civil(1900, 1, 1); z <= days_from_civil(2100, 12, 31); z++) {
        int y, m, d;
        civil_from_days(z, &y, &m, &d);
        time_t t = (time_t)(z * 86400);
        struct tm tm;
        assert_non_null(gmtime_r(&t, &tm));
        assert_int_equal(y, tm.tm_year + 1900);
        assert_int_equal(m, tm.tm_mon + 1);
        assert_int_equal(d, tm.tm_mday);
        assert_int_equal(weekday_from_days(z), tm.tm_wday);
        assert_true(date_valid(y, m, d));
    }
    int64_t prev = days_from_civil(1, 1, 1) - 1;
    for (int y = 1; y <= 9999; y++)
        for (int m = 1; m <= 12; m++)
            for (int d = 1; d <= date_days_in_month(y, m); d++) {
                int64_t z = days_from_civil(y, m, d);
                assert_int_equal(z, prev + 1);
                prev = z;
                int yy, mm, dd;
                civil_from_days(z, &yy, &mm, &dd);
                assert_int_equal(yy * 10000 + mm * 100 + dd, y * 10000 + m * 100 + d);
            }
}

static void test_weekday(void **state)
{
    assert_int_equal(date_weekday(1970, 1, 1), 4); /* Thursday */
    assert_int_equal(date_weekday(2024, 1, 1), 1); /* Monday */
    assert_int_equal(date_weekday(2000, 1, 1), 6); /* Saturday */
    assert_int_equal(date_weekday(1969, 12, 28), 0); /* Sunday */
    assert_int_equal(date_weekday(1949, 10, 1), 6);
    assert_int_equal(date_weekday(1, 1, 1), 1);
    assert_int_equal(weekday_from_days(-5), 6);
    assert_int_equal(weekday_from_days(-4), 0);
    assert_int_equal(weekday_from_days(-11), 0);
    assert_int_equal(weekday_from_days(-12), 6);
}

static void test_date_valid(void **state)
{
    assert_true(date_valid(2024, 2, 29));
    assert_true(date_valid(2000, 2, 29));
    assert_false(date_valid(2023, 2, 29));
    assert_false(date_valid(1900, 2, 29));
    assert_false(date_valid(2024, 4, 31));
    assert_true(date_valid(2024, 12, 31));
    assert_false(date_valid(2024, 13, 1));
    assert_false(date_valid(2024, 0, 1));
    assert_false(date_valid(2024, 1, 0));
    assert_false(date_valid(0, 1, 1));
    assert_false(date_valid(10000, 1, 1));
    assert_int_equal(date_days_in_month(2023, 2), 28);
    assert_int_equal(date_days_in_month(2024, 2), 29);
    assert_int_equal(date_days_in_month(2024, 13), 0);
}

static void test_date_parse_format(void **state)
{
    int y = 0, m = 0, d = 0;
    assert_int_equal(date_parse("2024-02-29", &y, &m, &d), FZ_OK);
    assert_int_equal(y, 2024);
    assert_int_equal(m, 2);
    assert_int_equal(d, 29);
    assert_int_equal(date_parse("0001-01-01", NULL, NULL, NULL), FZ_OK);
    static const char *const bad[] = {
        "2023-02-29", "2024-2-29",  "2024-02-29 ", " 2024-02-29", "2024/02/29", "20240229",
        "2024-02-2a", "+024-02-29", "",           "2024-02",     "0000-01-01", "2024-04-31",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        y = -1;
        assert_int_equal(date_parse(bad[i], &y, &m, &d), FZ_INVALID);
        assert_int_equal(y, -1);
    }
    char out[11];
    date_format(1949, 10, 1, out);
    assert_string_equal(out, "1949-10-01");
    date_format(7, 1, 2, out);
    assert_string_equal(out, "0007-01-02");

    assert_int_equal(date_to_yyyymmdd(2026, 11, 29), 20261129);
    assert_int_equal(date_from_yyyymmdd(20240229, &y, &m, &d), FZ_OK);
    assert_int_equal(y * 10000 + m * 100 + d, 20240229);
    assert_int_equal(date_from_yyyymmdd(20230229, &y, NULL, NULL), FZ_INVALID);
    assert_int_equal(date_from_yyyymmdd(-20240101, &y, NULL, NULL), FZ_INVALID);
    assert_int_equal(date_from_yyyymmdd(0, &y, NULL, NULL), FZ_INVALID);
}

static void test_rfc3339_format(void **state)
{
    char out[32];
    time_format_rfc3339(0, out);
    assert_string_equal(out, "1970-01-01T00:00:00.000Z");
    time_format_rfc3339(INT64_C(1795915378123), out);
    assert_string_equal(out, "2026-11-29T01:22:58.123Z");
    time_format_rfc3339(-1, out);
    assert_string_equal(out, "1969-12-31T23:59:59.999Z");
    time_format_rfc3339(INT64_C(951782400000), out); /* leap day */
    assert_string_equal(out, "2000-02-29T00:00:00.000Z");
    time_format_rfc3339(INT64_MAX, out);
    assert_string_equal(out, "9999-12-31T23:59:59.999Z");
    time_format_rfc3339(INT64_MIN, out);
    assert_string_equal(out, "0001-01-01T00:00:00.000Z");
    assert_int_equal(strlen(out), TIME_RFC3339_LEN);
}

/* A fixed xorshift sequence, so a failure reproduces. */
static uint64_t next_u64(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void test_rfc3339_sweep(void **state)
{
    uint64_t seed = 0x9E3779B97F4A7C15u;
    /* Instants across 1900..2200 against gmtime_r, and parse(format(x)) == x. */
    const int64_t lo = INT64_C(-2208988800000), span = INT64_C(9467280000000);
    for (int i = 0; i < 200000; i++) {
        int64_t ms = lo + (int64_t)(next_u64(&seed) % (uint64_t)span);
        char out[32];
        time_format_rfc3339(ms, out);
        assert_int_equal(strlen(out), TIME_RFC3339_LEN);
        int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
        time_t t = (time_t)secs;
        struct tm tm;
        assert_non_null(gmtime_r(&t, &tm));
        char want[32];
        strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%S", &tm);
        assert_memory_equal(out, want, 19);
        int64_t back = 0;
        assert_int_equal(time_parse_rfc3339(out, &back), FZ_OK);
        assert_int_equal(back, ms);
    }
}

static void test_rfc3339_parse(void **state)
{
    int64_t ms = 0;
    const int64_t want = INT64_C(1795915378123);
    assert_int_equal(time_parse_rfc3339("2026-11-29T01:22:58.123Z", &ms), FZ_OK);
    assert_int_equal(ms, want);
    assert_int_equal(time_parse_rfc3339("2026-11-29T09:22:58.123+08:00", &ms), FZ_OK);
    assert_int_equal(ms, want);
    assert_int_equal(time_parse_rfc3339("2026-11-28T19:52:58.123-05:30", &ms), FZ_OK);
    assert_int_equal(ms, want);
    assert_int_equal(time_parse_rfc3339("2026-11-29t01:22:58.123z", &ms), FZ_OK);
    assert_int_equal(ms, want);
    assert_int_equal(time_parse_rfc3339("2026-11-29T01:22:58.123456789Z", &ms), FZ_OK);
    assert_int_equal(ms, want); /* truncated, not rounded */
    assert_int_equal(time_parse_rfc3339("2026-11-29T01:22:58.1Z", &ms), FZ_OK);
    assert_int_equal(ms, want - 23);
    assert_int_equal(time_parse_rfc3339("2026-11-29T01:22:58Z", &ms), FZ_OK);
    assert_int_equal(ms, want - 123);
    assert_int_equal(time_parse_rfc3339("2026-11-29T01:22:58-00:00", &ms), FZ_OK);
    assert_int_equal(ms, want - 123);
    assert_int_equal(time_parse_rfc3339("0001-01-01T00:00:00Z", &ms), FZ_OK);
    assert_int_equal(ms, INT64_C(-719162) * 86400000);

    static const char *const bad[] = {
        "2026-11-29 01:22:58Z",      "2026-11-29T01:22:58",      "2026-11-29T01:22:60Z",
        "2026-11-29T24:00:00Z",      "2026-11-29T01:60:00Z",     "2026-11-29T01:22:58+08",
        "2026-11-29T01:22:58+0800",  "2026-11-29T01:22:58.Z",    "2026-11-29T01:22:58Zjunk",
        "2026-02-30T01:22:58Z",      "2026-11-29T01:22:58+24:00", "2026-11-29T01:22:58+08:60",
        "2026-11-29",                "",                         "2026-11-29T1:22:58Z",
        "0001-01-01T00:00:00+00:01", "2026-11-29T01:22:58.123 Z",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ms = 42;
        assert_int_equal(time_parse_rfc3339(bad[i], &ms), FZ_INVALID);
        assert_int_equal(ms, 42);
    }
}

static void test_clocks(void **state)
{
    int64_t now = time_now_ms();
    assert_true(now > INT64_C(1577836800000)); /* after 2020-01-01 */
    int64_t a = time_mono_ms(), b = time_mono_ms();
    assert_true(b >= a);
    struct timespec ts = {0, 20 * 1000000};
    nanosleep(&ts, NULL);
    assert_true(time_mono_ms() - a >= 20);
}

static void test_today(void **state)
{
    /* Fixed UTC+8 without DST: the same answer as Asia/Shanghai today. */
    assert_int_equal(setenv("TZ", "CST-8", 1), 0);
    tzset();
    for (int attempt = 0; attempt < 2; attempt++) {
        int64_t before = time_now_ms();
        int today = today_yyyymmdd();
        int64_t after = time_now_ms();
        int y, m, d;
        civil_from_days((after + 8 * INT64_C(3600000)) / 86400000, &y, &m, &d);
        if ((before + 8 * INT64_C(3600000)) / 86400000 != (after + 8 * INT64_C(3600000)) / 86400000)
            continue; /* crossed midnight while measuring */
        assert_int_equal(today, date_to_yyyymmdd(y, m, d));
        assert_int_equal(date_from_yyyymmdd(today, NULL, NULL, NULL), FZ_OK);
        return;
    }
    fail_msg("could not measure today twice without crossing midnight");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_days_vectors),   cmocka_unit_test(test_days_sweep),
        cmocka_unit_test(test_weekday),        cmocka_unit_test(test_date_valid),
        cmocka_unit_test(test_date_parse_format), cmocka_unit_test(test_rfc3339_format),
        cmocka_unit_test(test_rfc3339_sweep),  cmocka_unit_test(test_rfc3339_parse),
        cmocka_unit_test(test_clocks),         cmocka_unit_test(test_today),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
