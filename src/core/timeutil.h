/* timeutil.h: clocks, RFC 3339 timestamps and proleptic-Gregorian date
 * arithmetic. The day-number functions are the base of the working-day
 * calendar, so they are pure integer code with no time zone and no libc
 * time functions behind them.
 *
 * Conventions: functions named *_valid are predicates (1 = yes, 0 = no);
 * the others return FZ_OK / FZ_INVALID from core/status.h. Nothing here
 * allocates. Years are limited to 0001..9999 wherever text is involved. */
#ifndef FZ_TIMEUTIL_H
#define FZ_TIMEUTIL_H

#include <stdint.h>

/* Length of time_format_rfc3339() output without the NUL: always 24. */
#define TIME_RFC3339_LEN 24

/* Wall-clock milliseconds since 1970-01-01T00:00:00Z (CLOCK_REALTIME). */
int64_t time_now_ms(void);
/* A process-wide simulated wall clock, used only by `fazhi demo` to record
 * steps on their historic dates: while ms > 0, time_now_ms() returns ms and
 * today_yyyymmdd() the local date of ms; 0 restores the real clock. Never
 * set by `serve` or any other command. */
void time_set_override_ms(int64_t ms);
int64_t time_get_override_ms(void);
/* Milliseconds from an arbitrary origin that never goes back (CLOCK_MONOTONIC);
 * use it for durations and timeouts, never for timestamps. */
int64_t time_mono_ms(void);

/* Writes ms as UTC "YYYY-MM-DDTHH:MM:SS.mmmZ" and a NUL into out: always 24
 * characters, always three millisecond digits, always 'Z'. The form is fixed
 * because event hashes cover it. ms outside 0001-01-01..9999-12-31 is clamped
 * to that range. */
void time_format_rfc3339(int64_t ms, char out[32]);

/* Parses an RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM).
 * 'T' and 'Z' may be lower case (RFC 3339 §5.6); a space instead of 'T', a
 * missing offset and leap second 60 are rejected. Fraction digits beyond
 * milliseconds are truncated. Sets *ms (UTC) and returns FZ_OK, or returns
 * FZ_INVALID and leaves *ms alone. */
int time_parse_rfc3339(const char *s, int64_t *ms);

/* 1 when y-m-d is a real Gregorian date with 1 <= y <= 9999, else 0. */
int date_valid(int y, int m, int d);
/* 1 for Gregorian leap years (divisible by 4, except centuries not divisible by 400). */
int date_leap(int y);
/* Days in month m of year y (28..31), or 0 when m is out of 1..12. */
int date_days_in_month(int y, int m);

/* Strict "YYYY-MM-DD": exactly ten characters, a real date. Sets y, m, d
 * (any may be NULL) and returns FZ_OK, or returns FZ_INVALID. */
int date_parse(const char *s, int *y, int *m, int *d);
/* Writes "YYYY-MM-DD" and a NUL; the date must satisfy date_valid(). */
void date_format(int y, int m, int d, char out[11]);

/* yyyymmdd integers (e.g. 20240101), the form today_yyyymmdd() returns. */
int date_to_yyyymmdd(int y, int m, int d);
/* Splits v into y, m, d (any may be NULL); FZ_INVALID unless it is a real date. */
int date_from_yyyymmdd(int v, int *y, int *m, int *d);

/* Day number: days since 1970-01-01 (negative before), proleptic Gregorian,
 * after Howard Hinnant's "chrono-compatible low-level date algorithms".
 * days_from_civil does not check its input; civil_from_days needs
 * |days| < 2^39 so that the year fits an int. */
int64_t days_from_civil(int y, int m, int d);
void civil_from_days(int64_t days, int *y, int *m, int *d);

/* Day of week, 0 = Sunday .. 6 = Saturday (the struct tm tm_wday convention). */
int date_weekday(int y, int m, int d);
int weekday_from_days(int64_t days);

/* Today's date as yyyymmdd in the process's local time zone (localtime_r).
 * Deployments run with TZ=Asia/Shanghai (UTC+8, no DST since 1991), which
 * is what "today" means for statutory deadlines. Only this function and the
 * two clocks read the system time; everything else takes dates as input.
 * Returns 0 if localtime_r fails (a time_t out of range; not expected). */
int today_yyyymmdd(void);

#endif
