/* inspections.h: 行政检查 and 双随机一公开 figures for a year, computed from the
 * record (the cases of defs/inspection.json and their 结果公开 clock), never
 * typed in. docs/inspection.md has the definitions of each figure:
 *
 *   planned         inspections whose planned_on is in the year
 *   checked         inspections whose checked_on is in the year
 *   by_selection    both, per 抽取方式 (selection), in the definition's order
 *   random_share    checked by 双随机 / checked (双随机检查占比)
 *   results         checked, per 检查结果 (result); problems_found: those with
 *                   a result other than 未发现问题
 *   published_on_time  checked whose 结果公开 clock ("publish": 20 working
 *                   days from checked_on) stopped in time / those whose clock
 *                   stopped (in time or late) or is open past its last day;
 *                   open clocks not yet due are not judged
 *
 * Scope: the caller's data scope for case:view (AUTHZ_SCOPE_SQL), optionally
 * narrowed to a unit and those below it. One grouped read in portable SQL. */
#ifndef FZ_INSPECTIONS_H
#define FZ_INSPECTIONS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/authz.h"
#include "engine/defs.h"

typedef struct store_conn store_conn;

#define INSPECTION_KIND "inspection"
#define INSPECTION_RANDOM "双随机"
#define INSPECTION_NO_PROBLEM "未发现问题"
#define INSPECTION_CLOCK "publish"

/* Does the loaded definition have the fields read here (name and type, and
 * the two options named above)? FZ_OK, or FZ_NOTFOUND with a Chinese reason. */
int inspections_defs_check(const defs *d, char *why, size_t n);

typedef struct inspection_query {
    int year;
    const char *unit_path; /* "": the whole scope; else that unit and those below */
    int64_t unit_id;       /* echoed (0: none) */
    int today_ymd;         /* yyyymmdd: which open clocks are past their last day */
} inspection_query;

/* {"year", "unit", "from", "to", "planned", "checked", "by_selection":
 * [{selection, planned, checked}], "random_share": {numerator, denominator,
 * percent}, "results": [{result, count}], "problems_found", "publication":
 * {published, in_time, late, overdue_unpublished, pending}, "published_on_time":
 * {numerator, denominator, percent}, "publish_limit", "basis"}. New reference
 * in *out. FZ_OK or a store error. */
int inspections_stats(store_conn *c, const defs *d, const principal *who, const inspection_query *q, json_t **out);

#endif
