/* ind_module.h: 指标 computed by a module from a registry rather than from
 * per-case facts (docs/indicators.md §2): a definition with "source" and
 * "measure" instead of "numerator" / "denominator".
 *
 *   source "officers" (engine/officers.h), on the reference day (the last
 *   day of the period, or today while it runs):
 *     measure "certified"  执法人员持证率: officers certified / officers in force
 *     measure "training"   培训学时达标率: certified officers with the year's
 *                          required training hours / certified officers
 *
 *   source "file_review" (engine/file_review.h), a sum over the period:
 *     measure "pass"       案卷评查合格率: files scored 优秀 or 合格 / files
 *                          scored, of the campaigns whose reviewed period
 *                          (period_from) starts within the period
 *
 * The officers' measures are stocks on a day, not sums of events: a
 * quarter's value is the value on its last day, and a year's on 31
 * December. All are read at request time (a county has hundreds to a few
 * thousand officers and tens of reviewed files a year: one indexed pass),
 * never stored in indicator_values. */
#ifndef FZ_IND_MODULE_H
#define FZ_IND_MODULE_H

#include <stdint.h>

#include "engine/defs.h"

typedef struct store_conn store_conn;

/* The sources and their measures, for definition checks: 1 when known. */
int ind_module_known(const char *source, const char *measure);

/* 1 when ind is computed by a module. */
int ind_is_module(const def *ind);
/* 1 when its value is a stock on the period's last day (officers), 0 when a
 * sum over the period (file_review). */
int ind_module_stock(const def *ind);

typedef struct ind_module_opts {
    const char *region_prefix; /* units whose region code starts with it */
    int today_ymd;             /* yyyymmdd */
    int required_hours;        /* 执法人员年度培训学时要求 */
} ind_module_opts;

/* cb(ctx, unit, num, den) per unit for module indicator ind over the months
 * from..to ("YYYY-MM"): a stock's value on the last day of to (or today
 * when that is later), a sum's over the months; nothing when from is after
 * today's month (not begun). FZ_OK,
 * FZ_INVALID (a month malformed) or a store error. */
typedef void (*ind_unit_cb)(void *ctx, int64_t unit, int64_t num, int64_t den);
int ind_module_units(store_conn *c, const def *ind, const char *from, const char *to, const ind_module_opts *o,
                     ind_unit_cb cb, void *ctx);

/* Month by month for year: cb(ctx, month0, unit, num, den) for each month
 * that has begun by today (a stock on each month's last day, a sum over
 * each month), in as few passes as the module allows (officers: one). */
typedef void (*ind_month_cb)(void *ctx, int month0, int64_t unit, int64_t num, int64_t den);
int ind_module_months(store_conn *c, const def *ind, int year, const ind_module_opts *o, ind_month_cb cb, void *ctx);

/* "YYYY-MM" as y * 100 + m (202611); 0 when malformed. */
int ind_month(const char *s);

/* A 12-digit region code as the prefix its units' codes start with
 * ("532624" for a county); "" when not a valid code. */
void ind_region_prefix(const char *code12, char out[16]);

#endif
