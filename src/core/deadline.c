/* deadline.c: deadline rules and their computation (see deadline.h). */
#include "core/deadline.h"
#include "core/status.h"

#include <stdio.h>
#include <string.h>

static int64_t unit_max(int unit)
{
    return unit == DL_WD ? DL_MAX_WD : unit == DL_D ? DL_MAX_D : DL_MAX_M;
}

int dl_rule_parse(const char *s, dl_rule *out, const char **reason)
{
    const char *why = "格式应为数字加单位，如 20wd（工作日）、15d（日）、3m（月）";
    int64_t n = 0;
    const char *p = s;
    if (!s || !*s)
        goto bad;
    if (*p == '-') {
        why = "期限不能为负数";
        goto bad;
    }
    for (; *p >= '0' && *p <= '9'; p++) {
        n = n * 10 + (*p - '0');
        if (n > DL_MAX_D) {
            why = "期限过长";
            goto bad;
        }
    }
    if (p == s)
        goto bad;
    int unit;
    if (strcmp(p, "wd") == 0)
        unit = DL_WD;
    else if (strcmp(p, "d") == 0)
        unit = DL_D;
    else if (strcmp(p, "m") == 0)
        unit = DL_M;
    else
        goto bad;
    if (n > unit_max(unit)) {
        why = "期限过长";
        goto bad;
    }
    out->n = n;
    out->unit = unit;
    return FZ_OK;
bad:
    if (reason)
        *reason = why;
    return FZ_INVALID;
}

const char *dl_unit_code(int unit)
{
    return unit == DL_WD ? "wd" : unit == DL_D ? "d" : "m";
}

const char *dl_unit_label(int unit)
{
    return unit == DL_WD ? "个工作日" : unit == DL_D ? "日" : "个月";
}

void dl_rule_format(dl_rule r, char out[24])
{
    snprintf(out, 24, "%lld%s", (long long)r.n, dl_unit_code(r.unit));
}

int dl_add(const cal *c, int64_t start, dl_rule r, int roll, int64_t *out, int *prov)
{
    dl_spec s = {.start = start, .rule = r, .roll = roll};
    return dl_due(c, &s, out, prov);
}

/* Working days and calendar days: walk the excluded periods, spending the
 * units that fall between them, and finish from the end of the last period
 * reached. */
static int due_counted(const cal *c, const dl_spec *s, int64_t *due, int *prov)
{
    int64_t pos = s->start, left = s->rule.n;
    for (size_t i = 0; i < s->nexcluded; i++) {
        const dl_period *p = &s->excluded[i];
        if (p->from < pos || p->to < p->from)
            return FZ_INVALID;
        int64_t used;
        if (s->rule.unit == DL_WD) {
            if (cal_count_workdays(c, pos, p->from, &used, NULL))
                return FZ_INVALID;
        } else {
            used = p->from - pos;
        }
        if (used >= left)
            break; /* the period ended before this pause began */
        left -= used;
        pos = p->to;
    }
    int64_t day;
    int rc;
    if (s->rule.unit == DL_WD)
        rc = cal_add_workdays(c, pos, left, &day, prov);
    else
        rc = cal_add_days(c, pos, left, s->roll, &day, prov);
    if (rc)
        return rc;
    if (s->rule.unit == DL_WD) /* every working day counted, pauses included */
        cal_mark_provisional(c, s->start, day, prov);
    *due = day;
    return FZ_OK;
}

/* Months: the month rule fixes the last day; each excluded period that
 * begins before it (as moved so far) pushes it on by its length in days. */
static int due_months(const cal *c, const dl_spec *s, int64_t *due, int *prov)
{
    if (!cal_in_span(s->start))
        return FZ_INVALID;
    int64_t day = cal_month_shift(s->start, s->rule.n);
    for (size_t i = 0; i < s->nexcluded; i++) {
        const dl_period *p = &s->excluded[i];
        if (p->from < s->start || p->to < p->from)
            return FZ_INVALID;
        if (p->from >= day)
            break;
        day += p->to - p->from;
    }
    if (!cal_in_span(day))
        return FZ_INVALID;
    if (s->roll)
        return cal_roll(c, day, due, prov);
    *due = day;
    return FZ_OK;
}

int dl_due(const cal *c, const dl_spec *s, int64_t *due, int *prov)
{
    if (s->rule.n < 0 || s->rule.n > unit_max(s->rule.unit) * 2)
        return FZ_INVALID;
    switch (s->rule.unit) {
    case DL_WD:
    case DL_D:
        return due_counted(c, s, due, prov);
    case DL_M:
        return due_months(c, s, due, prov);
    default:
        return FZ_INVALID;
    }
}

int dl_warn_date(const cal *c, int64_t due, dl_rule warn, int64_t *out, int *prov)
{
    if (warn.n < 0)
        return FZ_INVALID;
    switch (warn.unit) {
    case DL_WD:
        return cal_back_workdays(c, due, warn.n, out, prov);
    case DL_D:
        if (!cal_in_span(due - warn.n))
            return FZ_INVALID;
        *out = due - warn.n;
        return FZ_OK;
    case DL_M:
        if (warn.n > DL_MAX_M || !cal_in_span(due))
            return FZ_INVALID;
        *out = cal_month_shift(due, -warn.n);
        return cal_in_span(*out) ? FZ_OK : FZ_INVALID;
    default:
        return FZ_INVALID;
    }
}

int dl_remaining(const cal *c, int64_t day, int64_t due, int unit, int64_t *out)
{
    if (unit == DL_WD)
        return cal_count_workdays(c, day, due, out, NULL);
    *out = due - day;
    return FZ_OK;
}
