/* timeutil.c: clocks, RFC 3339 and civil-date arithmetic (see timeutil.h).
 * Formatting and parsing are done by hand rather than with strftime/strptime
 * so that the output does not depend on locale or TZ and the parser accepts
 * exactly the documented grammar. */
#include "core/timeutil.h"
#include "core/status.h"

#include <assert.h>
#include <stdatomic.h>
#include <time.h>

#define MS_PER_DAY INT64_C(86400000)

/* Simulated wall clock for `fazhi demo` only (0 = the real clock). Atomic:
 * set on the main thread, read by the store's writer thread. */
static _Atomic int64_t time_override_ms;

void time_set_override_ms(int64_t ms)
{
    atomic_store(&time_override_ms, ms > 0 ? ms : 0);
}

int64_t time_get_override_ms(void)
{
    return atomic_load(&time_override_ms);
}

int64_t time_now_ms(void)
{
    int64_t o = atomic_load(&time_override_ms);
    if (o)
        return o;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t time_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int date_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int date_days_in_month(int y, int m)
{
    static const unsigned char days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return 0;
    return days[m - 1] + (m == 2 && date_leap(y));
}

int date_valid(int y, int m, int d)
{
    return y >= 1 && y <= 9999 && d >= 1 && d <= date_days_in_month(y, m);
}

/* Hinnant: shifts the year to start in March so the leap day is last, then
 * counts 400-year eras of 146097 days. Exact for every int year. */
int64_t days_from_civil(int y, int m, int d)
{
    int64_t yy = (int64_t)y - (m <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;                                 /* [0, 399] */
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

void civil_from_days(int64_t days, int *y, int *m, int *d)
{
    assert(days > -(INT64_C(1) << 39) && days < (INT64_C(1) << 39));
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int mm = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (mm <= 2));
    *m = mm;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
}

int weekday_from_days(int64_t days)
{
    /* 1970-01-01 was a Thursday (4); keep the remainder non-negative. */
    return (int)(days >= -4 ? (days + 4) % 7 : (days + 5) % 7 + 6);
}

int date_weekday(int y, int m, int d)
{
    return weekday_from_days(days_from_civil(y, m, d));
}

int date_to_yyyymmdd(int y, int m, int d)
{
    return y * 10000 + m * 100 + d;
}

int date_from_yyyymmdd(int v, int *y, int *m, int *d)
{
    int yy = v / 10000, mm = v / 100 % 100, dd = v % 100;
    if (v < 0 || !date_valid(yy, mm, dd))
        return FZ_INVALID;
    if (y)
        *y = yy;
    if (m)
        *m = mm;
    if (d)
        *d = dd;
    return FZ_OK;
}

/* Reads exactly n ASCII digits. Stops at the first non-digit, so it never
 * reads past a NUL and callers may test the next character afterwards. */
static int read_digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

static void put_digits(char *p, int v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

int date_parse(const char *s, int *y, int *m, int *d)
{
    int yy, mm, dd;
    if (!read_digits(s, 4, &yy) || s[4] != '-' || !read_digits(s + 5, 2, &mm) || s[7] != '-' ||
        !read_digits(s + 8, 2, &dd) || s[10] != '\0' || !date_valid(yy, mm, dd))
        return FZ_INVALID;
    if (y)
        *y = yy;
    if (m)
        *m = mm;
    if (d)
        *d = dd;
    return FZ_OK;
}

void date_format(int y, int m, int d, char out[11])
{
    assert(date_valid(y, m, d));
    put_digits(out, y, 4);
    out[4] = '-';
    put_digits(out + 5, m, 2);
    out[7] = '-';
    put_digits(out + 8, d, 2);
    out[10] = '\0';
}

/* The span that four-digit years can express. */
static int64_t ms_min(void)
{
    return days_from_civil(1, 1, 1) * MS_PER_DAY;
}

static int64_t ms_max(void)
{
    return (days_from_civil(9999, 12, 31) + 1) * MS_PER_DAY - 1;
}

void time_format_rfc3339(int64_t ms, char out[32])
{
    if (ms < ms_min())
        ms = ms_min();
    if (ms > ms_max())
        ms = ms_max();
    /* Floor division so instants before 1970 still get a time of day in range. */
    int64_t days = ms / MS_PER_DAY, rem = ms % MS_PER_DAY;
    if (rem < 0) {
        rem += MS_PER_DAY;
        days--;
    }
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    int msec = (int)(rem % 1000), sec = (int)(rem / 1000);
    date_format(y, m, d, out);
    out[10] = 'T';
    put_digits(out + 11, sec / 3600, 2);
    out[13] = ':';
    put_digits(out + 14, sec / 60 % 60, 2);
    out[16] = ':';
    put_digits(out + 17, sec % 60, 2);
    out[19] = '.';
    put_digits(out + 20, msec, 3);
    out[23] = 'Z';
    out[24] = '\0';
}

int time_parse_rfc3339(const char *s, int64_t *ms)
{
    int y, mo, d, hh, mi, ss;
    if (!read_digits(s, 4, &y) || s[4] != '-' || !read_digits(s + 5, 2, &mo) || s[7] != '-' ||
        !read_digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
        !read_digits(s + 11, 2, &hh) || s[13] != ':' || !read_digits(s + 14, 2, &mi) ||
        s[16] != ':' || !read_digits(s + 17, 2, &ss))
        return FZ_INVALID;
    if (!date_valid(y, mo, d) || hh > 23 || mi > 59 || ss > 59)
        return FZ_INVALID;

    const char *p = s + 19;
    int frac = 0;
    if (*p == '.') {
        p++;
        int n = 0;
        for (; *p >= '0' && *p <= '9'; p++, n++)
            if (n < 3)
                frac = frac * 10 + (*p - '0');
        if (n == 0)
            return FZ_INVALID;
        for (; n < 3; n++)
            frac *= 10;
    }

    int offset_min = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        if (!read_digits(p + 1, 2, &oh) || p[3] != ':' || !read_digits(p + 4, 2, &om) ||
            oh > 23 || om > 59)
            return FZ_INVALID;
        offset_min = (oh * 60 + om) * (*p == '-' ? -1 : 1);
        p += 6;
    } else {
        return FZ_INVALID;
    }
    if (*p != '\0')
        return FZ_INVALID;

    int64_t v = days_from_civil(y, mo, d) * MS_PER_DAY +
                (int64_t)(hh * 3600 + mi * 60 + ss) * 1000 + frac -
                (int64_t)offset_min * 60000;
    if (v < ms_min() || v > ms_max())
        return FZ_INVALID;
    *ms = v;
    return FZ_OK;
}

int today_yyyymmdd(void)
{
    int64_t o = atomic_load(&time_override_ms);
    time_t now = o ? (time_t)(o / 1000) : time(NULL);
    struct tm tm;
    if (!localtime_r(&now, &tm))
        return 0;
    return date_to_yyyymmdd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}
