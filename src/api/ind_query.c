/* ind_query.c: period and grouping parameters of the 指标 endpoints
 * (ind_query.h). */
#include "api/ind_query.h"
#include "api/app.h"
#include "api/util.h"
#include "core/status.h"
#include "engine/ind_module.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* "YYYY-MM" with 1990 <= YYYY <= 2100 into months since year 0; -1 when
 * malformed. */
static int parse_month(const char *s)
{
    int ym = ind_month(s);
    if (ym < 199001 || ym > 210012)
        return -1;
    return ym / 100 * 12 + ym % 100 - 1;
}

static void month_text(int n, char out[12])
{
    snprintf(out, 12, "%04d-%02d", n / 12 % 10000, n % 12 + 1);
}

static void set_range(ind_period *p, int a, int b)
{
    month_text(a, p->from);
    month_text(b, p->to);
    month_text(a - 12, p->pfrom);
    month_text(b - 12, p->pto);
    p->year = a / 12;
}

int ind_query_period(req *r, ind_period *p)
{
    memset(p, 0, sizeof(*p));
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    int64_t year, quarter, month;
    const char *from, *to;
    if (api_query_int(r, "year", 1990, 2100, tm.tm_year + 1900, &year) ||
        api_query_int(r, "quarter", 0, 4, 0, &quarter) || api_query_int(r, "month", 0, 12, 0, &month) ||
        api_query_text(r, "from", &from) || api_query_text(r, "to", &to))
        return FZ_INVALID;
    if (quarter && month)
        return api_invalid(r, "month", "查询参数", "不能与 quarter 同时给出");
    if (*from || *to) {
        if (quarter || month)
            return api_invalid(r, "from", "查询参数", "自定义期间不能与 quarter 或 month 同时给出");
        int a = parse_month(from), b = parse_month(to);
        if (a < 0)
            return api_invalid(r, "from", "查询参数", "应为 YYYY-MM 格式的月份（1990–2100 年）");
        if (b < 0)
            return api_invalid(r, "to", "查询参数", "应为 YYYY-MM 格式的月份（1990–2100 年）");
        if (b < a)
            return api_invalid(r, "to", "查询参数", "不能早于 from");
        if (b - a >= 120)
            return api_invalid(r, "to", "查询参数", "自定义期间最长 120 个月");
        set_range(p, a, b);
        p->kind = "custom";
        snprintf(p->label, sizeof(p->label), "%d年%d月至%d年%d月", a / 12, a % 12 + 1, b / 12, b % 12 + 1);
        return FZ_OK;
    }
    int y = (int)year * 12;
    if (quarter) {
        set_range(p, y + (int)(quarter - 1) * 3, y + (int)(quarter - 1) * 3 + 2);
        p->kind = "quarter";
        snprintf(p->label, sizeof(p->label), "%d年第%d季度", (int)year, (int)quarter);
    } else if (month) {
        set_range(p, y + (int)month - 1, y + (int)month - 1);
        p->kind = "month";
        snprintf(p->label, sizeof(p->label), "%d年%d月", (int)year, (int)month);
    } else {
        set_range(p, y, y + 11);
        p->kind = "year";
        snprintf(p->label, sizeof(p->label), "%d年", (int)year);
    }
    return FZ_OK;
}

int ind_query_group(req *r, const char **group)
{
    static const char *const names[] = {"unit", "unit_type", "township", "region"};
    const char *g;
    if (api_query_text(r, "group", &g))
        return FZ_INVALID;
    if (!*g) {
        *group = names[0];
        return FZ_OK;
    }
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (!strcmp(g, names[i])) {
            *group = names[i];
            return FZ_OK;
        }
    return api_invalid(r, "group", "查询参数", "应为 unit、unit_type、township 或 region");
}

void ind_query_region(req *r, char out[16])
{
    ind_region_prefix(req_app(r)->cfg.region_code, out);
}
