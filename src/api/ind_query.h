/* ind_query.h: the query parameters shared by the 指标 endpoints
 * (docs/indicators.md §3): the period and the grouping.
 *
 * Period (values are kept by month, so any range of months is a sum):
 *   year=YYYY                 the calendar year (default: this year)
 *   year=YYYY&quarter=1..4    a quarter
 *   year=YYYY&month=1..12     a month
 *   from=YYYY-MM&to=YYYY-MM   a custom range of months (at most 120)
 * The previous period (同比) is the same months one year earlier.
 *
 * Grouping (group=): unit (default), unit_type (the unit's 单位类型),
 * township (the 乡镇/街道 of the unit's region; county-level units form
 * one group, 县直部门) or region (the 区县). */
#ifndef FZ_IND_QUERY_H
#define FZ_IND_QUERY_H

#include "api/req.h"

/* GET /api/indicators lists the rows of each ranking a page at a time
 * (page=, size= 1..IND_PAGE_MAX, default 50), ranked over every row: a
 * province-level node has 2,000 units nobody reads at once. */
#define IND_PAGE_MAX 200

typedef struct ind_period {
    int year;             /* the year of "from" */
    const char *kind;     /* year | quarter | month | custom */
    char from[12], to[12]; /* "2023-01" .. "2023-12" */
    char pfrom[12], pto[12];
    char label[64];       /* 2023年, 2023年第3季度, 2023年7月, 2023年2月至2023年5月 */
} ind_period;

/* Parses the period parameters; on bad input replies 400 naming the field
 * and returns nonzero. */
int ind_query_period(req *r, ind_period *p);

/* Parses group= into one of the four names; replies 400 on anything else. */
int ind_query_group(req *r, const char **group);

/* SQL fragments over units u (and regions of it): the group key of u for
 * the group named by the bound parameter ?G, and the county prefix filter.
 * Both only read columns; the parameters are bound by the caller. */
#define IND_GROUP_KEY_SQL(G)                                                                                     \
    "(CASE " G " WHEN 'unit' THEN CAST(u.id AS TEXT) WHEN 'unit_type' THEN u.type"                               \
    " WHEN 'township' THEN (CASE WHEN substr(u.region_code, 7, 3) <> '000'"                                       \
    " THEN substr(u.region_code, 1, 9) || '000' ELSE substr(u.region_code, 1, 6) || '000000' END)"                \
    " ELSE substr(u.region_code, 1, 6) || '000000' END)"

/* The data dir's region as the prefix its units' codes start with
 * ("532624" for a county; engine/ind_module.h). */
void ind_query_region(req *r, char out[16]);

#endif
