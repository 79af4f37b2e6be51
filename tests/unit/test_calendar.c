/* test_calendar.c: the working-day calendar (core/calendar.h), deadline
 * rules (core/deadline.h) and schedule files (core/calfile.h), against the
 * official 2024, 2025 and 2026 schedules (DOMAIN §5) as shipped in the binary.
 *
 * Every expected date below was worked out by hand from the schedules and
 * the comment next to it says why; docs/deadlines.md lists the same examples.
 * Reading aid (the schedules):
 *   2024 休 1/1; 2/10-2/17 春节; 4/4-4/6; 5/1-5/5; 6/10; 9/15-9/17; 10/1-10/7
 *        班 2/4 Sun, 2/18 Sun, 4/7 Sun, 4/28 Sun, 5/11 Sat, 9/14 Sat, 9/29 Sun, 10/12 Sat
 *        (除夕 2/9 is a working day in 2024)
 *   2025 休 1/1; 1/28-2/4 春节; 4/4-4/6; 5/1-5/5; 5/31-6/2; 10/1-10/8 国庆+中秋
 *        班 1/26 Sun, 2/8 Sat, 4/27 Sun, 9/28 Sun, 10/11 Sat
 *   2026 休 1/1-1/3; 2/15-2/23 春节; 4/4-4/6; 5/1-5/5; 6/19-6/21; 9/25-9/27; 10/1-10/7
 *        班 1/4 Sun, 2/14 Sat, 2/28 Sat, 5/9 Sat, 9/20 Sun, 10/10 Sat */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "core/calfile.h"
#include "core/deadline.h"
#include "core/status.h"
#include "core/timeutil.h"
#include "engine/holidays.h"

static cal *C; /* the shipped 2024-2026 calendar */

static int setup(void **state)
{
    return holidays_build_shipped(&C) == FZ_OK ? 0 : -1;
}

static int teardown(void **state)
{
    cal_free(C);
    return 0;
}

static int64_t D(const char *s)
{
    int y, m, d;
    if (date_parse(s, &y, &m, &d) != FZ_OK)
        fail_msg("bad test date %s", s);
    return days_from_civil(y, m, d);
}

static void S(int64_t day, char out[11])
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    date_format(y, m, d, out);
}

/* Checks start + rule (e.g. "20wd") with roll gives want, and the provisional flag. */
static void check_add(const char *start, const char *rule, int roll, const char *want, int want_prov)
{
    dl_rule r;
    assert_int_equal(dl_rule_parse(rule, &r, NULL), FZ_OK);
    int64_t out;
    int prov = 0;
    assert_int_equal(dl_add(C, D(start), r, roll, &out, &prov), FZ_OK);
    char got[11];
    S(out, got);
    if (strcmp(got, want) != 0 || prov != want_prov)
        fail_msg("%s + %s%s = %s (provisional %d), want %s (provisional %d)", start, rule, roll ? " roll" : "",
                 got, prov, want, want_prov);
}

static void check_count(const char *from, const char *to, int64_t want)
{
    int64_t n;
    assert_int_equal(cal_count_workdays(C, D(from), D(to), &n, NULL), FZ_OK);
    if (n != want)
        fail_msg("count(%s, %s] = %lld, want %lld", from, to, (long long)n, (long long)want);
}

/* ---- the shipped data ---- */

/* The text embedded in the binary is exactly share/holidays/<year>.json. */
static void test_shipped_matches_data_files(void **state)
{
    char root[512];
    snprintf(root, sizeof(root), "%s", __FILE__);
    char *cut = strstr(root, "tests/unit/test_calendar.c");
    assert_non_null(cut); /* CMake compiles with absolute paths */
    *cut = '\0';
    assert_true(holidays_shipped_count >= 3);
    for (size_t i = 0; i < holidays_shipped_count; i++) {
        char path[700];
        snprintf(path, sizeof(path), "%s%s", root, holidays_shipped[i].path);
        FILE *f = fopen(path, "rb");
        if (!f)
            fail_msg("cannot open %s", path);
        static char buf[65536];
        size_t n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        buf[n] = '\0';
        if (strcmp(buf, holidays_shipped[i].text) != 0)
            fail_msg("%s differs from the text embedded in src/engine/holidays_shipped.c", path);
    }
}

/* DOMAIN §5: 2024 = 251, 2025 = 248, 2026 = 248 working days. */
static void test_yearly_counts(void **state)
{
    assert_int_equal(cal_year_workdays(C, 2024), 251);
    assert_int_equal(cal_year_workdays(C, 2025), 248);
    assert_int_equal(cal_year_workdays(C, 2026), 248);
    /* The same through counting: after 12-31 of the year before, up to and including 12-31. */
    check_count("2023-12-31", "2024-12-31", 251);
    check_count("2024-12-31", "2025-12-31", 248);
    check_count("2025-12-31", "2026-12-31", 248);
    assert_true(cal_year_official(C, 2024) && cal_year_official(C, 2025) && cal_year_official(C, 2026));
    assert_false(cal_year_official(C, 2023));
    assert_false(cal_year_official(C, 2027));
    /* 2027 has no schedule: weekends only. 2027-01-01 is a Friday, so
     * 365 days = 52 weeks + 1 day (a Friday): 52 * 5 + 1 = 261. */
    assert_int_equal(cal_year_workdays(C, 2027), 261);
}

static void test_is_workday(void **state)
{
    assert_int_equal(cal_is_workday(C, D("2024-02-09")), 1); /* 除夕 2024: only encouraged off, a working day */
    assert_int_equal(cal_is_workday(C, D("2024-02-12")), 0); /* Monday inside 春节 2/10-2/17 */
    assert_int_equal(cal_is_workday(C, D("2024-02-04")), 1); /* Sunday marked 班 */
    assert_int_equal(cal_is_workday(C, D("2024-02-03")), 0); /* plain Saturday */
    assert_int_equal(cal_is_workday(C, D("2025-01-28")), 0); /* 除夕 2025: a holiday since the 2024 revision */
    assert_int_equal(cal_is_workday(C, D("2025-10-08")), 0); /* Wednesday, last day of 国庆+中秋 2025 */
    assert_int_equal(cal_is_workday(C, D("2026-01-02")), 0); /* Friday inside 元旦 2026 (1/1-1/3) */
    assert_int_equal(cal_is_workday(C, D("2026-01-04")), 1); /* Sunday marked 班 */
    assert_int_equal(cal_mark_of(C, D("2026-02-28")), CAL_MARK_WORK);
    assert_int_equal(cal_mark_of(C, D("2026-02-16")), CAL_MARK_REST);
    assert_int_equal(cal_mark_of(C, D("2026-03-02")), 0);
    assert_int_equal(cal_is_workday(C, D("1989-12-31")), -1); /* outside the span */
}

/* ---- working days ---- */

static void test_workdays_spring_festival(void **state)
{
    /* 2024-02-08 Thu + 1: Fri 2/9 (除夕) is a working day in 2024. */
    check_add("2024-02-08", "1wd", 0, "2024-02-09", 0);
    /* 2024-02-09 + 1: 2/10-2/17 are the holiday, Sun 2/18 is 班. */
    check_add("2024-02-09", "1wd", 0, "2024-02-18", 0);
    /* 2024-02-02 Fri + 1: Sat 2/3 rests, Sun 2/4 is 班. */
    check_add("2024-02-02", "1wd", 0, "2024-02-04", 0);
    /* 2024-02-08 + 5: 2/9, 2/18 (班), 2/19, 2/20, 2/21. */
    check_add("2024-02-08", "5wd", 0, "2024-02-21", 0);
    /* 2025-01-24 Fri + 2: Sat 1/25 rests, Sun 1/26 is 班 (1), Mon 1/27 (2). */
    check_add("2025-01-24", "2wd", 0, "2025-01-27", 0);
    /* 2025-01-27 + 1: 春节 1/28-2/4, so Wed 2/5. */
    check_add("2025-01-27", "1wd", 0, "2025-02-05", 0);
    /* 2025-01-27 + 5: 2/5, 2/6, 2/7, Sat 2/8 (班), Mon 2/10. */
    check_add("2025-01-27", "5wd", 0, "2025-02-10", 0);
    /* 2026-02-13 Fri + 1: Sat 2/14 is 班. */
    check_add("2026-02-13", "1wd", 0, "2026-02-14", 0);
    /* 2026-02-14 + 1: 春节 2/15-2/23 (nine days), so Tue 2/24. */
    check_add("2026-02-14", "1wd", 0, "2026-02-24", 0);
    /* 2026-02-24 + 4: 2/25, 2/26, 2/27, Sat 2/28 (班). */
    check_add("2026-02-24", "4wd", 0, "2026-02-28", 0);
}

static void test_workdays_national_day(void **state)
{
    /* 条例 Art.33 reply, 20wd from Fri 2024-09-20: 9/23-9/27 (5), Sun 9/29 班 (6),
     * 9/30 (7), 国庆 10/1-10/7, 10/8-10/11 (8-11), Sat 10/12 班 (12), 10/14-10/18
     * (13-17), 10/21-10/23 (18-20). */
    check_add("2024-09-20", "20wd", 0, "2024-10-23", 0);
    /* 2025-09-26 Fri + 1: Sat 9/27 rests, Sun 9/28 is 班. */
    check_add("2025-09-26", "1wd", 0, "2025-09-28", 0);
    /* 2025-09-30 + 1: 国庆+中秋 10/1-10/8, so Thu 10/9. */
    check_add("2025-09-30", "1wd", 0, "2025-10-09", 0);
    /* 2025-09-30 + 3: 10/9, 10/10, Sat 10/11 (班). */
    check_add("2025-09-30", "3wd", 0, "2025-10-11", 0);
    /* 2026-09-30 + 1: 国庆 10/1-10/7, so Thu 10/8. */
    check_add("2026-09-30", "1wd", 0, "2026-10-08", 0);
    /* 2026-09-30 + 3: 10/8, 10/9, Sat 10/10 (班). */
    check_add("2026-09-30", "3wd", 0, "2026-10-10", 0);
    /* 2026-09-18 Fri + 1: Sat 9/19 rests, Sun 9/20 is 班. */
    check_add("2026-09-18", "1wd", 0, "2026-09-20", 0);
}

static void test_workdays_other_holidays(void **state)
{
    /* 2024-04-03 Wed + 1: 清明 4/4-4/6, Sun 4/7 is 班. */
    check_add("2024-04-03", "1wd", 0, "2024-04-07", 0);
    /* 2024-04-30 Tue + 1: 劳动节 5/1-5/5, so Mon 5/6. */
    check_add("2024-04-30", "1wd", 0, "2024-05-06", 0);
    /* 2024-05-10 Fri + 1: Sat 5/11 is 班. */
    check_add("2024-05-10", "1wd", 0, "2024-05-11", 0);
    /* 2024-09-13 Fri + 1: Sat 9/14 is 班; + 2: 中秋 9/15-9/17, so Wed 9/18. */
    check_add("2024-09-13", "1wd", 0, "2024-09-14", 0);
    check_add("2024-09-13", "2wd", 0, "2024-09-18", 0);
    /* The start day is never counted, whatever it is: from the holiday
     * 2024-10-01 the first working day after is Tue 10/8; from the 班
     * Saturday 2024-10-12 it is Mon 10/14. */
    check_add("2024-10-01", "1wd", 0, "2024-10-08", 0);
    check_add("2024-10-12", "1wd", 0, "2024-10-14", 0);
    /* Zero working days: the start day itself. */
    check_add("2024-10-12", "0wd", 0, "2024-10-12", 0);
}

static void test_year_boundaries(void **state)
{
    /* 2024-12-31 Tue + 1: 元旦 2025-01-01 (Wed), so Thu 1/2. */
    check_add("2024-12-31", "1wd", 0, "2025-01-02", 0);
    /* 2025-12-31 Wed + 1: 元旦 2026 1/1-1/3, Sun 1/4 is 班. */
    check_add("2025-12-31", "1wd", 0, "2026-01-04", 0);
    /* 2023-12-29 Fri + 1: 2023 has no schedule, so Sat 12/30 and Sun 12/31
     * rest by the weekend rule; 2024-01-01 is 元旦; Tue 1/2. Provisional:
     * two counted days lay in 2023. */
    check_add("2023-12-29", "1wd", 0, "2024-01-02", 1);
    /* 2026-12-30 Wed + 5: 12/31 (1), then 2027 by weekends only: Fri 1/1 (2;
     * surely 元旦 in reality, hence provisional), Mon 1/4-Wed 1/6 (3-5). */
    check_add("2026-12-30", "5wd", 0, "2027-01-06", 1);
    /* A deadline entirely inside loaded years is never provisional. */
    check_add("2026-12-29", "2wd", 0, "2026-12-31", 0);
}

static void test_counting(void **state)
{
    /* The inverse of 2025-01-27 + 5wd. */
    check_count("2025-01-27", "2025-02-10", 5);
    /* Backwards: minus the working days in (to, from]. */
    check_count("2024-10-23", "2024-09-20", -20);
    check_count("2024-10-23", "2024-10-23", 0);
    /* Inside one holiday: nothing to count. */
    check_count("2024-10-01", "2024-10-07", 0);
    int64_t n;
    int prov = 0;
    assert_int_equal(cal_count_workdays(C, D("2026-12-31"), D("2027-01-04"), &n, &prov), FZ_OK);
    assert_int_equal(n, 2); /* Fri 2027-01-01 (weekend rule) and Mon 1/4 */
    assert_int_equal(prov, 1);
}

/* ---- calendar days (民事诉讼法 Art.85) ---- */

static void test_calendar_days_roll(void **state)
{
    /* 行政处罚法 Art.67: 15 days to pay from receipt on 2024-09-16: 9/16 + 15 =
     * 10/1, 国庆; the period expires the first day after the holiday, Tue 10/8. */
    check_add("2024-09-16", "15d", 1, "2024-10-08", 0);
    /* Without the rolling rule the same period ends on the holiday itself. */
    check_add("2024-09-16", "15d", 0, "2024-10-01", 0);
    /* 2025-09-23 + 15 = 10/8, the last day of 国庆+中秋 2025: Thu 10/9. */
    check_add("2025-09-23", "15d", 1, "2025-10-09", 0);
    /* 2024-09-14 + 15 = Sun 9/29, a 班 day: a working day does not roll. */
    check_add("2024-09-14", "15d", 1, "2024-09-29", 0);
    /* 2024-06-07 + 15 = Sat 6/22, a plain weekend: Mon 6/24. */
    check_add("2024-06-07", "15d", 1, "2024-06-24", 0);
    /* 信访工作条例 Art.34, 60 days from 2025-12-02: 12/2 + 29 = 12/31, + 31 =
     * Sat 2026-01-31; Sun 2/1 rests too: Mon 2/2. */
    check_add("2025-12-02", "60d", 1, "2026-02-02", 0);
    /* 2026-02-01 + 15 = 2/16, inside 春节 2/15-2/23: Tue 2/24. */
    check_add("2026-02-01", "15d", 1, "2026-02-24", 0);
    /* Rolling into a year without a schedule is provisional: 2026-12-20 + 14
     * = Sun 2027-01-03 -> Mon 1/4 by the weekend rule. */
    check_add("2026-12-20", "14d", 1, "2027-01-04", 1);
}

/* ---- months (民法典 Art.201-203) ---- */

static void test_months(void **state)
{
    /* One month from 1/31 in a leap year: February has no 31st, so its last day, 2/29. */
    check_add("2024-01-31", "1m", 0, "2024-02-29", 0);
    /* The same in 2025 (not leap): 2/28. */
    check_add("2025-01-31", "1m", 0, "2025-02-28", 0);
    /* Twelve months from the leap day: 2025 has no 2/29, so 2/28. */
    check_add("2024-02-29", "12m", 0, "2025-02-28", 0);
    /* 代表法 Art.51, 3 months from 2024-08-31: November has no 31st -> 11/30
     * (a Saturday); rolled, Mon 12/2. */
    check_add("2024-08-31", "3m", 0, "2024-11-30", 0);
    check_add("2024-08-31", "3m", 1, "2024-12-02", 0);
    /* 6 months from 3/31 -> 9/30 (Mon, a working day: rolling changes nothing). */
    check_add("2024-03-31", "6m", 1, "2024-09-30", 0);
    /* 2 months from 2025-08-01 -> 10/1, 国庆+中秋: rolled to Thu 10/9. */
    check_add("2025-08-01", "2m", 1, "2025-10-09", 0);
    /* Across the year: 2024-11-30 + 2 months = 2025-01-30, inside 春节 1/28-2/4;
     * rolled, Wed 2/5. */
    check_add("2024-11-30", "2m", 0, "2025-01-30", 0);
    check_add("2024-11-30", "2m", 1, "2025-02-05", 0);
    /* 2023-12-31 + 2 months: February 2024 has 29 days -> 2/29. */
    check_add("2023-12-31", "2m", 0, "2024-02-29", 0);
}

/* ---- excluded periods ---- */

static void check_due(const char *start, const char *rule, int roll, const char *from, const char *to,
                      const char *want)
{
    dl_rule r;
    assert_int_equal(dl_rule_parse(rule, &r, NULL), FZ_OK);
    dl_period p = {D(from), D(to)};
    dl_spec s = {.start = D(start), .rule = r, .roll = roll, .excluded = &p, .nexcluded = 1};
    int64_t due;
    assert_int_equal(dl_due(C, &s, &due, NULL), FZ_OK);
    char got[11];
    S(due, got);
    if (strcmp(got, want) != 0)
        fail_msg("%s + %s excluding (%s, %s] = %s, want %s", start, rule, from, to, got, want);
}

static void test_pause_across_holidays(void **state)
{
    /* 20wd from 2024-09-20, paused Fri 9/27 (5 days used: 9/23-9/27) for a
     * third party's opinion, resumed Thu 10/10. The excluded working days
     * (9/27, 10/10] are 9/29 (班), 9/30, 10/8, 10/9, 10/10 - five of them, so
     * the deadline moves from 10/23 by five working days: 10/24, 10/25,
     * 10/28, 10/29, 10/30. */
    check_due("2024-09-20", "20wd", 0, "2024-09-27", "2024-10-10", "2024-10-30");
    /* 15 calendar days from 2025-01-20 end on 2/4 (春节) and would roll to 2/5;
     * a pause (1/24, 1/27] takes out 3 days: 4 used before it, 11 left from
     * 1/27 -> Fri 2/7, a working day. */
    check_due("2025-01-20", "15d", 1, "2025-01-24", "2025-01-27", "2025-02-07");
    /* 3 months from 2024-08-31 end 11/30; a ten-day pause (9/10, 9/20] moves
     * that to 12/10. */
    check_due("2024-08-31", "3m", 0, "2024-09-10", "2024-09-20", "2024-12-10");
    /* A pause that begins after the period ended changes nothing: 5wd from
     * 2024-09-20 ends 9/27; a pause from 9/30 is too late. */
    check_due("2024-09-20", "5wd", 0, "2024-09-30", "2024-10-08", "2024-09-27");
}

/* The warning date: the first day with at most N working days left. */
static void test_warn_date(void **state)
{
    dl_rule w = {5, DL_WD};
    int64_t out;
    /* Due 2024-10-23 (Wed); five working days before it, counting back over
     * 10/23, 10/22, 10/21, 10/18, 10/17: on Wed 10/16 exactly 5 are left. */
    assert_int_equal(dl_warn_date(C, D("2024-10-23"), w, &out, NULL), FZ_OK);
    char s[11];
    S(out, s);
    assert_string_equal(s, "2024-10-16");
    /* Due 2024-10-10: counting back, the five working days are 10/10, 10/9,
     * 10/8, (国庆 10/1-10/7,) 9/30 and Sun 9/29 (班); the working day before
     * them is Fri 9/27 (9/28 is a plain Saturday), so warned from 9/27. */
    assert_int_equal(dl_warn_date(C, D("2024-10-10"), w, &out, NULL), FZ_OK);
    S(out, s);
    assert_string_equal(s, "2024-09-27");
}

/* ---- properties ---- */

/* For every start day in 2024-2026 and N up to 250: adding N working days and
 * counting back gives N, and the result is a working day. */
static void test_property_add_then_count(void **state)
{
    for (int64_t s = D("2024-01-01"); s <= D("2026-12-31"); s++) {
        for (int64_t n = 1; n <= 250; n += (n < 25 ? 1 : 17)) {
            int64_t out, back;
            assert_int_equal(cal_add_workdays(C, s, n, &out, NULL), FZ_OK);
            assert_int_equal(cal_is_workday(C, out), 1);
            assert_int_equal(cal_count_workdays(C, s, out, &back, NULL), FZ_OK);
            if (back != n)
                fail_msg("start %lld + %lld wd counted back gives %lld", (long long)s, (long long)n, (long long)back);
            /* Minimality: the day before the result has one fewer. */
            assert_int_equal(cal_count_workdays(C, s, out - 1, &back, NULL), FZ_OK);
            assert_int_equal(back, n - 1);
        }
    }
}

/* A rolled deadline (d or m) never lands on a rest day; a wd one never does either. */
static void test_property_never_rest(void **state)
{
    for (int64_t s = D("2024-01-01"); s <= D("2026-10-31"); s++) {
        for (int n = 1; n <= 60; n++) {
            int64_t out;
            assert_int_equal(cal_add_days(C, s, n, 1, &out, NULL), FZ_OK);
            assert_int_equal(cal_is_workday(C, out), 1);
            assert_true(out >= s + n);
        }
        for (int n = 1; n <= 2; n++) {
            int64_t out;
            assert_int_equal(cal_add_months(C, s, n, 1, &out, NULL), FZ_OK);
            assert_int_equal(cal_is_workday(C, out), 1);
        }
    }
}

/* ---- rules and ranges ---- */

static void test_rule_parse(void **state)
{
    dl_rule r;
    const char *why = NULL;
    assert_int_equal(dl_rule_parse("20wd", &r, NULL), FZ_OK);
    assert_true(r.n == 20 && r.unit == DL_WD);
    assert_int_equal(dl_rule_parse("15d", &r, NULL), FZ_OK);
    assert_true(r.n == 15 && r.unit == DL_D);
    assert_int_equal(dl_rule_parse("3m", &r, NULL), FZ_OK);
    assert_true(r.n == 3 && r.unit == DL_M);
    assert_int_equal(dl_rule_parse("-5wd", &r, &why), FZ_INVALID);
    assert_string_equal(why, "期限不能为负数");
    assert_int_equal(dl_rule_parse("20", &r, NULL), FZ_INVALID);
    assert_int_equal(dl_rule_parse("wd", &r, NULL), FZ_INVALID);
    assert_int_equal(dl_rule_parse("20 wd", &r, NULL), FZ_INVALID);
    assert_int_equal(dl_rule_parse("20w", &r, NULL), FZ_INVALID);
    assert_int_equal(dl_rule_parse("99999999999999999999d", &r, &why), FZ_INVALID);
    assert_int_equal(dl_rule_parse("1201m", &r, NULL), FZ_INVALID);
    char s[24];
    dl_rule_format((dl_rule){7, DL_WD}, s);
    assert_string_equal(s, "7wd");
    /* Negative counts and out-of-span dates are refused, not wrapped. */
    int64_t out;
    assert_int_equal(cal_add_workdays(C, D("2024-01-01"), -1, &out, NULL), FZ_INVALID);
    assert_int_equal(cal_add_days(C, D("2149-12-01"), 60, 1, &out, NULL), FZ_INVALID);
    assert_int_equal(cal_add_workdays(C, D("2024-01-01"), INT64_MAX, &out, NULL), FZ_INVALID);
}

/* ---- schedule files: bad input ---- */

static void expect_bad(const char *text, const char *needle)
{
    calfile f;
    char err[512] = "";
    int rc = calfile_parse(text, strlen(text), &f, err, sizeof(err));
    calfile_free(&f);
    if (rc != FZ_INVALID || !strstr(err, needle))
        fail_msg("rc %d, error \"%s\" lacks \"%s\"", rc, err, needle);
}

static void test_file_bad_dates(void **state)
{
    /* CSV: the line is named. */
    expect_bad("date,kind,name\n2027-01-01,休,元旦\n2027-02-30,休,春节\n", "第 3 行：日期“2027-02-30”无效");
    expect_bad("date,kind,name\n2027/01/01,休,元旦\n", "第 2 行");
    /* JSON: the field is named. */
    expect_bad("{\"year\": 2027, \"holidays\": [{\"name\": \"元旦\", \"date\": \"2027-01-01\"},"
               " {\"name\": \"春节\", \"from\": \"2027-02-06\", \"to\": \"2027-13-01\"}]}",
               "holidays[1].to：日期“2027-13-01”无效");
    expect_bad("{\"year\": 2027, \"holidays\": [{\"name\": \"元旦\", \"date\": 20270101}]}", "holidays[0].date");
    /* JSON syntax: line and column. */
    expect_bad("{\"year\": 2027,\n \"holidays\": [}\n", "第 2 行");
}

static void test_file_contradictions(void **state)
{
    /* A date both 休 and 班. */
    expect_bad("date,kind,name\n2027-02-06,休,春节\n2027-02-06,班,春节调休\n",
               "第 3 行：2027-02-06 同时被标为休和班（另见 第 2 行）");
    /* Overlapping ranges. */
    expect_bad("{\"year\": 2027, \"holidays\": [{\"name\": \"春节\", \"from\": \"2027-02-05\", \"to\": \"2027-02-12\"},"
               " {\"name\": \"另一春节\", \"from\": \"2027-02-11\", \"to\": \"2027-02-14\"}]}",
               "holidays[1]：2027-02-11 与 holidays[0] 重叠");
    /* A holiday range and a 班 day on the same date. */
    expect_bad("{\"year\": 2027, \"holidays\": [{\"name\": \"国庆节\", \"from\": \"2027-10-01\", \"to\": \"2027-10-07\"}],"
               " \"workdays\": [{\"date\": \"2027-10-02\"}]}",
               "同时被标为休和班");
    /* 班 on a weekday: it is a working day already. 2027-02-05 is a Friday. */
    expect_bad("date,kind,name\n2027-02-05,班,春节调休\n2027-02-06,休,春节\n", "是星期五，本就是工作日");
    /* A reversed range is a negative duration. */
    expect_bad("{\"year\": 2027, \"holidays\": [{\"name\": \"春节\", \"from\": \"2027-02-12\", \"to\": \"2027-02-05\"}]}",
               "结束日期 2027-02-05 早于开始日期 2027-02-12");
    /* Dates outside the declared year. */
    expect_bad("{\"year\": 2027, \"holidays\": [{\"name\": \"元旦\", \"date\": \"2028-01-01\"}]}", "不在 2027 年内");
    /* A year twice in one file. */
    expect_bad("[{\"year\": 2027, \"holidays\": [{\"name\": \"元旦\", \"date\": \"2027-01-01\"}]},"
               " {\"year\": 2027, \"holidays\": [{\"name\": \"春节\", \"date\": \"2027-02-08\"}]}]",
               "[1].year：2027 年在文件中出现了两次");
}

static void test_file_other_bad_input(void **state)
{
    expect_bad("2027-01-01,休,元旦\n", "第 1 行：缺少表头");
    expect_bad("date,kind,name\n2027-01-01,放假,元旦\n", "第 2 行：类型“放假”无效");
    expect_bad("date,kind,name\n2027-01-01,休,\n", "第 2 行：名称必填");
    expect_bad("date,kind,name\n2027-01-01,休,元旦,多余\n", "第 2 行：应为 3 列");
    expect_bad("{\"year\": 2027, \"holidays\": [], \"color\": 1}", "color：未知字段");
    expect_bad("{\"year\": 2027, \"holidays\": []}", "没有任何节假日");
    expect_bad("{\"year\": 3027, \"holidays\": []}", "year：年份 3027 超出系统支持的范围");
    expect_bad("date,kind,name\n2204-10-01,休,国庆节\n", "第 2 行：年份 2204 超出系统支持的范围");
    expect_bad("", "文件为空");
    expect_bad("{\"year\": 2027, \"holidays\": [{\"name\": \"春节\", \"from\": \"2027-01-01\", \"to\": \"2027-03-01\"}]}",
               "超过 31 天");
}

/* A year far outside the loaded range (2024-2026): 2029 is too far ahead,
 * 2003 too far back; 2027, 2028 and 2004 are fine. */
static void test_file_range(void **state)
{
    calfile f;
    char err[512];
    const char *far = "date,kind,name\n2029-01-01,休,元旦\n";
    assert_int_equal(calfile_parse(far, strlen(far), &f, err, sizeof(err)), FZ_OK);
    assert_int_equal(calfile_check_range(&f, 2024, 2026, err, sizeof(err)), FZ_INVALID);
    assert_non_null(strstr(err, "第 2 行：2029 年远在已加载的日历（2024–2026 年）之外，只能导入 2004–2028 年的安排"));
    calfile_free(&f);
    const char *ok = "date,kind,name\n2028-01-01,休,元旦\n2004-01-01,休,元旦\n2027-01-01,休,元旦\n";
    assert_int_equal(calfile_parse(ok, strlen(ok), &f, err, sizeof(err)), FZ_OK);
    assert_int_equal(calfile_check_range(&f, 2024, 2026, err, sizeof(err)), FZ_OK);
    assert_int_equal(f.nyears, 3);
    assert_int_equal(f.years[0].year, 2004); /* sorted */
    calfile_free(&f);
    /* The last day of a leap year is inside its year. */
    const char *leap = "date,kind,name\n2028-12-31,休,测试\n2028-01-01,休,元旦\n";
    assert_int_equal(calfile_parse(leap, strlen(leap), &f, err, sizeof(err)), FZ_OK);
    assert_int_equal(f.years[0].ndays, 2);
    assert_int_equal(f.years[0].days[1].day, D("2028-12-31")); /* days come out in date order */
    calfile_free(&f);
    const char *old = "date,kind,name\n2003-01-01,休,元旦\n";
    assert_int_equal(calfile_parse(old, strlen(old), &f, err, sizeof(err)), FZ_OK);
    assert_int_equal(calfile_check_range(&f, 2024, 2026, err, sizeof(err)), FZ_INVALID);
    calfile_free(&f);
}

/* A good CSV: BOM, CRLF, comments with the source, 休 and 班. */
static void test_file_good_csv(void **state)
{
    const char *t = "\xEF\xBB\xBF# 来源：国务院办公厅通知（测试）\r\n日期,类型,名称\r\n2027-01-01,休,元旦\r\n"
                    "\r\n2027-02-06,班,春节调休上班\r\n2027-02-07,休,\"春节\"\r\n";
    calfile f;
    char err[512];
    assert_int_equal(calfile_parse(t, strlen(t), &f, err, sizeof(err)), FZ_OK);
    assert_int_equal(f.nyears, 1);
    assert_int_equal(f.years[0].year, 2027);
    assert_string_equal(f.years[0].source, "国务院办公厅通知（测试）");
    assert_int_equal(f.years[0].ndays, 3);
    assert_int_equal(f.years[0].days[1].kind, CAL_MARK_WORK);
    assert_string_equal(f.years[0].days[2].name, "春节");
    int rest, work;
    calfile_counts(&f.years[0], &rest, &work);
    assert_int_equal(rest, 2);
    assert_int_equal(work, 1);
    /* 2027 by weekends: 261; Fri 1/1 off (-1), Sat 2/6 worked (+1), Sun 2/7 already off. */
    assert_int_equal(holidays_year_workdays(&f.years[0]), 261);
    char d1[SM3_HEX_LEN + 1], d2[SM3_HEX_LEN + 1];
    calfile_digest(&f.years[0], d1);
    calfile_free(&f);
    /* The same days as JSON have the same digest (the source is not part of it). */
    const char *j = "{\"year\": 2027, \"holidays\": [{\"name\": \"元旦\", \"date\": \"2027-01-01\"},"
                    " {\"name\": \"春节\", \"date\": \"2027-02-07\"}],"
                    " \"workdays\": [{\"date\": \"2027-02-06\", \"name\": \"春节调休上班\"}]}";
    assert_int_equal(calfile_parse(j, strlen(j), &f, err, sizeof(err)), FZ_OK);
    calfile_digest(&f.years[0], d2);
    assert_string_equal(d1, d2);
    calfile_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_matches_data_files),
        cmocka_unit_test(test_yearly_counts),
        cmocka_unit_test(test_is_workday),
        cmocka_unit_test(test_workdays_spring_festival),
        cmocka_unit_test(test_workdays_national_day),
        cmocka_unit_test(test_workdays_other_holidays),
        cmocka_unit_test(test_year_boundaries),
        cmocka_unit_test(test_counting),
        cmocka_unit_test(test_calendar_days_roll),
        cmocka_unit_test(test_months),
        cmocka_unit_test(test_pause_across_holidays),
        cmocka_unit_test(test_warn_date),
        cmocka_unit_test(test_property_add_then_count),
        cmocka_unit_test(test_property_never_rest),
        cmocka_unit_test(test_rule_parse),
        cmocka_unit_test(test_file_bad_dates),
        cmocka_unit_test(test_file_contradictions),
        cmocka_unit_test(test_file_other_bad_input),
        cmocka_unit_test(test_file_range),
        cmocka_unit_test(test_file_good_csv),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
