/* calendar.c: the precomputed working-day table (see calendar.h).
 *
 * Layout, for the ndays days of the span (index i = day - first):
 *   before[i]  working days with index < i            (ndays + 1 entries)
 *   work[k]    index of the k-th working day (k from 0) (nwork entries)
 *   mark[i]    0, CAL_MARK_REST or CAL_MARK_WORK
 * so that the working days in (a, b] are before[b + 1] - before[a + 1], and
 * the n-th working day after s is work[before[s + 1] + n - 1]. */
#include "core/calendar.h"
#include "core/status.h"
#include "core/timeutil.h"

#include <stdlib.h>
#include <string.h>

#define NYEARS (CAL_LAST_YEAR - CAL_FIRST_YEAR + 1)

struct cal {
    int64_t first;        /* day number of CAL_FIRST_YEAR-01-01 */
    int32_t ndays;
    int32_t nwork;
    int32_t *before;
    int32_t *work;
    uint8_t *mark;
    uint8_t official[NYEARS];
};

static int64_t span_first(void)
{
    return days_from_civil(CAL_FIRST_YEAR, 1, 1);
}

static int64_t span_end(void) /* one past the last day */
{
    return days_from_civil(CAL_LAST_YEAR + 1, 1, 1);
}

int cal_in_span(int64_t day)
{
    return day >= span_first() && day < span_end();
}

int cal_build(const cal_mark *marks, size_t nmarks, const int *years, size_t nyears, cal **out)
{
    for (size_t i = 0; i < nmarks; i++)
        if (!cal_in_span(marks[i].day) || (marks[i].kind != CAL_MARK_REST && marks[i].kind != CAL_MARK_WORK))
            return FZ_INVALID;
    for (size_t i = 0; i < nyears; i++)
        if (years[i] < CAL_FIRST_YEAR || years[i] > CAL_LAST_YEAR)
            return FZ_INVALID;
    cal *c = calloc(1, sizeof(*c));
    if (!c)
        return FZ_NOMEM;
    c->first = span_first();
    c->ndays = (int32_t)(span_end() - c->first);
    c->before = malloc(sizeof(int32_t) * ((size_t)c->ndays + 1));
    c->work = malloc(sizeof(int32_t) * (size_t)c->ndays);
    c->mark = calloc((size_t)c->ndays, 1);
    if (!c->before || !c->work || !c->mark) {
        cal_free(c);
        return FZ_NOMEM;
    }
    for (size_t i = 0; i < nmarks; i++)
        c->mark[marks[i].day - c->first] = (uint8_t)marks[i].kind;
    for (size_t i = 0; i < nyears; i++)
        c->official[years[i] - CAL_FIRST_YEAR] = 1;
    /* 1990-01-01 was a Monday; weekday_from_days keeps this honest if the
     * span ever moves. */
    int wd = weekday_from_days(c->first);
    int32_t n = 0;
    for (int32_t i = 0; i < c->ndays; i++, wd = (wd + 1) % 7) {
        c->before[i] = n;
        int working = c->mark[i] == CAL_MARK_WORK || (c->mark[i] != CAL_MARK_REST && wd != 0 && wd != 6);
        if (working)
            c->work[n++] = i;
    }
    c->before[c->ndays] = n;
    c->nwork = n;
    *out = c;
    return FZ_OK;
}

void cal_free(cal *c)
{
    if (!c)
        return;
    free(c->before);
    free(c->work);
    free(c->mark);
    free(c);
}

static int year_of(int64_t day)
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    return y;
}

int cal_year_official(const cal *c, int year)
{
    return year >= CAL_FIRST_YEAR && year <= CAL_LAST_YEAR && c->official[year - CAL_FIRST_YEAR];
}

void cal_mark_provisional(const cal *c, int64_t from, int64_t to, int *prov)
{
    if (!prov || to <= from)
        return;
    for (int y = year_of(from + 1), last = year_of(to); y <= last; y++)
        if (!cal_year_official(c, y)) {
            *prov = 1;
            return;
        }
}

int cal_year_workdays(const cal *c, int year)
{
    if (year < CAL_FIRST_YEAR || year > CAL_LAST_YEAR)
        return -1;
    int64_t a = days_from_civil(year, 1, 1) - c->first, b = days_from_civil(year + 1, 1, 1) - c->first;
    return c->before[b] - c->before[a];
}

int cal_is_workday(const cal *c, int64_t day)
{
    if (!cal_in_span(day))
        return -1;
    int64_t i = day - c->first;
    return c->before[i + 1] != c->before[i];
}

int cal_mark_of(const cal *c, int64_t day)
{
    return cal_in_span(day) ? c->mark[day - c->first] : 0;
}

int cal_add_workdays(const cal *c, int64_t start, int64_t n, int64_t *out, int *prov)
{
    if (n < 0 || n > c->nwork || !cal_in_span(start))
        return FZ_INVALID;
    if (n == 0) {
        *out = start;
        return FZ_OK;
    }
    int64_t k = (int64_t)c->before[start - c->first + 1] + n - 1;
    if (k >= c->nwork)
        return FZ_INVALID;
    int64_t day = c->first + c->work[k];
    cal_mark_provisional(c, start, day, prov);
    *out = day;
    return FZ_OK;
}

int cal_back_workdays(const cal *c, int64_t end, int64_t n, int64_t *out, int *prov)
{
    if (n < 0 || n > c->nwork || !cal_in_span(end))
        return FZ_INVALID;
    /* Working days up to and including end; the last of them is index k - 1. */
    int64_t k = c->before[end - c->first + 1];
    if (n == 0) {
        *out = end;
        return FZ_OK;
    }
    if (k - 1 - n < 0)
        return FZ_INVALID;
    int64_t day = c->first + c->work[k - 1 - n];
    cal_mark_provisional(c, day, end, prov);
    *out = day;
    return FZ_OK;
}

int cal_roll(const cal *c, int64_t day, int64_t *out, int *prov)
{
    if (!cal_in_span(day))
        return FZ_INVALID;
    int64_t i = day - c->first;
    cal_mark_provisional(c, day - 1, day, prov);
    if (c->before[i + 1] != c->before[i]) {
        *out = day;
        return FZ_OK;
    }
    /* A rest day: the first working day after it is the next in the list. */
    if (c->before[i] >= c->nwork)
        return FZ_INVALID;
    int64_t next = c->first + c->work[c->before[i]];
    cal_mark_provisional(c, day, next, prov);
    *out = next;
    return FZ_OK;
}

int cal_add_days(const cal *c, int64_t start, int64_t n, int roll, int64_t *out, int *prov)
{
    if (n < 0 || n > c->ndays || !cal_in_span(start) || !cal_in_span(start + n))
        return FZ_INVALID;
    if (!roll) {
        *out = start + n;
        return FZ_OK;
    }
    return cal_roll(c, start + n, out, prov);
}

int64_t cal_month_shift(int64_t start, int64_t n)
{
    int y, m, d;
    civil_from_days(start, &y, &m, &d);
    int64_t months = (int64_t)y * 12 + (m - 1) + n;
    int ny = (int)(months / 12), nm = (int)(months % 12) + 1;
    int last = date_days_in_month(ny, nm);
    return days_from_civil(ny, nm, d > last ? last : d);
}

int cal_add_months(const cal *c, int64_t start, int64_t n, int roll, int64_t *out, int *prov)
{
    if (n < 0 || n > 12 * (CAL_LAST_YEAR - CAL_FIRST_YEAR) || !cal_in_span(start))
        return FZ_INVALID;
    int64_t day = cal_month_shift(start, n);
    if (!cal_in_span(day))
        return FZ_INVALID;
    if (!roll) {
        *out = day;
        return FZ_OK;
    }
    return cal_roll(c, day, out, prov);
}

int cal_count_workdays(const cal *c, int64_t from, int64_t to, int64_t *out, int *prov)
{
    if (!cal_in_span(from) || !cal_in_span(to))
        return FZ_INVALID;
    int64_t a = from - c->first, b = to - c->first;
    *out = (int64_t)c->before[b + 1] - c->before[a + 1];
    if (from < to)
        cal_mark_provisional(c, from, to, prov);
    else
        cal_mark_provisional(c, to, from, prov);
    return FZ_OK;
}
