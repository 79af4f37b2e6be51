/* calendar.h: the official working-day calendar (工作日历) as a precomputed,
 * immutable table, and the four primitive day-counting operations statutory
 * deadlines are built from (docs/deadlines.md, DOMAIN §3.0 and §5).
 *
 * A day is a working day when it is Monday..Friday and not marked 休
 * (法定节假日休息), or when it is marked 班 (调休上班). Years for which no
 * schedule is loaded follow the weekend rule only; every result that looked
 * at such a year is flagged provisional (暂定).
 *
 * The table covers CAL_FIRST_YEAR..CAL_LAST_YEAR. It holds, per day, the
 * number of working days before it, and the list of working days in order,
 * so adding N working days is two array reads (O(1)) and counting is a
 * subtraction. Days are day numbers from core/timeutil.h (days_from_civil).
 *
 * Pure code: no I/O, no globals, no clock. A cal is read-only once built and
 * may be shared between threads. Functions return FZ_OK, or FZ_INVALID when
 * an input or the result falls outside the covered span or a count is
 * negative; outputs are untouched on error. Every `prov` out-parameter may be
 * NULL; when set it becomes 1 if a year without a schedule was consulted. */
#ifndef FZ_CALENDAR_H
#define FZ_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

#define CAL_FIRST_YEAR 1990
#define CAL_LAST_YEAR 2149

enum { CAL_MARK_REST = 1, CAL_MARK_WORK = 2 }; /* 休 / 班 */

typedef struct cal_mark {
    int64_t day;  /* day number (days_from_civil) */
    int kind;     /* CAL_MARK_REST or CAL_MARK_WORK */
} cal_mark;

typedef struct cal cal;

/* Builds a calendar from the marked days and the list of years whose schedule
 * is loaded (official). Marks outside the span are FZ_INVALID; a day marked
 * twice takes the last mark (callers validate their input: core/calfile.h).
 * On FZ_OK *out is owned by the caller: free it with cal_free(). */
int cal_build(const cal_mark *marks, size_t nmarks, const int *years, size_t nyears, cal **out);
void cal_free(cal *c);

/* 1 when day lies in the covered span, else 0. */
int cal_in_span(int64_t day);
/* 1 when year has a loaded schedule, else 0. */
int cal_year_official(const cal *c, int year);
/* Working days in a whole year (e.g. 251 for 2024), or -1 outside the span. */
int cal_year_workdays(const cal *c, int year);

/* 1 = working day, 0 = rest day, -1 = outside the span. */
int cal_is_workday(const cal *c, int64_t day);
/* The mark of a day (0 when unmarked: an ordinary weekday or weekend). */
int cal_mark_of(const cal *c, int64_t day);

/* The n-th working day after start (start itself is not counted), n >= 0;
 * n = 0 gives start. */
int cal_add_workdays(const cal *c, int64_t start, int64_t n, int64_t *out, int *prov);
/* The n-th working day before end, counted back from end's last working day:
 * the date T with exactly n working days in (T, end] when T is a working day
 * (used for warning dates: "n working days left"). n >= 0. */
int cal_back_workdays(const cal *c, int64_t end, int64_t n, int64_t *out, int *prov);
/* start + n calendar days (n >= 0); with roll, a rest day moves forward to
 * the next working day (民事诉讼法 Art.85 ¶3; a 调休 working Saturday does not
 * move). */
int cal_add_days(const cal *c, int64_t start, int64_t n, int roll, int64_t *out, int *prov);
/* start + n months (n >= 0): the same day of the month, or the month's last
 * day when it has no such day (民法典 Art.202); then rolled as above. */
int cal_add_months(const cal *c, int64_t start, int64_t n, int roll, int64_t *out, int *prov);
/* Moves a rest day forward to the first working day after it; a working day
 * stays. */
int cal_roll(const cal *c, int64_t day, int64_t *out, int *prov);
/* Working days after from up to and including to; negative (minus the
 * working days in (to, from]) when to < from. */
int cal_count_workdays(const cal *c, int64_t from, int64_t to, int64_t *out, int *prov);
/* Sets *prov to 1 when a year overlapping (from, to] has no schedule
 * (from < to), leaves it alone otherwise. */
void cal_mark_provisional(const cal *c, int64_t from, int64_t to, int *prov);

/* Pure month arithmetic without a calendar (the end-of-month rule only). */
int64_t cal_month_shift(int64_t start, int64_t n);

#endif
