/* deadline.h: statutory deadlines as data ("20wd", "15d", "3m") and their
 * computation on the working-day calendar (core/calendar.h), including the
 * excluded periods (听证、鉴定、第三方意见、补正 …) during which a period does
 * not run. docs/deadlines.md states every rule with its statute.
 *
 * Units:
 *   wd  working days (工作日): the n-th working day after the start day
 *   d   calendar days: start + n; with roll, a last day that is a rest day
 *       moves to the next working day (民事诉讼法 Art.85)
 *   m   months: the same day n months on, or the month's last day
 *       (民法典 Art.201-203); with roll, as for d
 * The start day is never counted. Which unit and whether to roll are
 * parameters of a clock's definition, never decided here.
 *
 * Pure code: no I/O, no allocation, no clock. Return codes from
 * core/status.h; outputs untouched on error. */
#ifndef FZ_DEADLINE_H
#define FZ_DEADLINE_H

#include <stddef.h>
#include <stdint.h>

#include "core/calendar.h"

enum { DL_WD = 1, DL_D = 2, DL_M = 3 };

/* Largest n accepted per unit (about 100 years): bigger is a typing error. */
#define DL_MAX_WD 25000
#define DL_MAX_D 36500
#define DL_MAX_M 1200

typedef struct dl_rule {
    int64_t n;  /* >= 0 */
    int unit;   /* DL_WD, DL_D or DL_M */
} dl_rule;

/* Parses "<digits><unit>" with unit wd, d or m ("20wd", "15d", "3m"), no
 * spaces or sign. FZ_INVALID with *reason (a static Chinese phrase; reason may
 * be NULL) for a negative number, a missing or unknown unit, junk, or n over
 * the unit's maximum. */
int dl_rule_parse(const char *s, dl_rule *out, const char **reason);
/* Writes "20wd" etc. and a NUL. */
void dl_rule_format(dl_rule r, char out[24]);
/* "wd", "d" or "m". */
const char *dl_unit_code(int unit);
/* "个工作日", "日", "个月". */
const char *dl_unit_label(int unit);

/* An excluded period: the days after from up to and including to do not
 * count (the day a pause begins still counts; counting resumes the day after
 * the resume day, as after a start day). from <= to. */
typedef struct dl_period {
    int64_t from, to;
} dl_period;

/* A deadline: n units of rule after start (extensions already added to n),
 * optionally rolled, with excluded periods sorted by from, not overlapping,
 * each from >= start. */
typedef struct dl_spec {
    int64_t start;
    dl_rule rule;
    int roll;
    const dl_period *excluded;
    size_t nexcluded;
} dl_spec;

/* The last day of the period. An excluded period that begins after the
 * period has already ended does not move it. */
int dl_due(const cal *c, const dl_spec *s, int64_t *due, int *prov);

/* Plain addition: dl_due with nothing excluded. */
int dl_add(const cal *c, int64_t start, dl_rule r, int roll, int64_t *out, int *prov);

/* The first day on which at most `warn` is left before due: for wd the day
 * with warn.n working days in (day, due]; for d due - n; for m n months
 * before due. warn.n = 0 gives due. */
int dl_warn_date(const cal *c, int64_t due, dl_rule warn, int64_t *out, int *prov);

/* What is left on `day` until due, in the rule's unit family: working days
 * in (day, due] for wd, calendar days due - day for d and m. Negative once
 * overdue. */
int dl_remaining(const cal *c, int64_t day, int64_t due, int unit, int64_t *out);

#endif
