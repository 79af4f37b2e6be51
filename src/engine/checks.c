/* checks.c: the registry of named checks (see checks.h). */
#include "engine/checks.h"
#include "engine/clock.h"
#include "store/store.h"
#include "core/calendar.h"
#include "core/status.h"

#include <stdio.h>
#include <string.h>

/* 政府信息公开条例 第三十条: the agency tells the applicant what to correct
 * once ("一次性告知"). An earlier 补正 request on the case refuses a second;
 * a step that paused a clock cannot be withdrawn, so every such event
 * stands. */
static int correction_once(const check_arg *a, char *why, size_t n)
{
    char action[80];
    snprintf(action, sizeof(action), "case.%s", a->action);
    int64_t k = 0;
    if (store_query_int(a->w, &k, 0, "SELECT count(*) FROM events WHERE subject_kind = ? AND subject_id = ? AND action = ?",
                        "sss", a->subject_kind, a->subject_id, action))
        return FZ_ERR;
    if (k > 0) {
        snprintf(why, n, "补正应一次性告知（《政府信息公开条例》第三十条），本案已告知过补正");
        return 1;
    }
    return 0;
}

/* 第三十条: the 补正 notice is due within 7 working days of 收到申请 (the
 * field received_on), counted from the day after (期间开始之日不计算在内). */
static int correction_within_7wd(const check_arg *a, char *why, size_t n)
{
    const char *s = json_string_value(json_object_get(a->fields, "received_on"));
    int64_t day, wd = 0;
    int prov = 0;
    if (!s || clock_day_parse(s, &day)) {
        snprintf(why, n, "须先填写有效的收到日期（received_on），才能计算七个工作日的补正期限");
        return 1;
    }
    if (day > a->today)
        return 0;
    if (cal_count_workdays(a->cal, day, a->today, &wd, &prov)) {
        snprintf(why, n, "收到日期 %s 超出节假日安排的范围，无法计算工作日", s);
        return 1;
    }
    if (wd > 7) {
        snprintf(why, n,
                 "告知补正应在收到申请之日起七个工作日内作出（《政府信息公开条例》第三十条）；本案收到日期 %s，"
                 "至今已 %lld 个工作日，应按现有申请内容答复",
                 s, (long long)wd);
        return 1;
    }
    return 0;
}

static const check_def CHECKS[] = {
    {"correction_once", "补正一次性告知（政府信息公开条例第三十条）", NULL, NULL, correction_once},
    {"correction_within_7wd", "七个工作日内告知补正（政府信息公开条例第三十条）", "received_on", "date",
     correction_within_7wd},
    {"two_certified_officers", "两名以上持证执法人员（行政处罚法第四十二条）", NULL, NULL, NULL},
    {"hearing_rights", "告知听证权利（行政处罚法第六十三条）", NULL, NULL, NULL},
    {"legal_review_approved", "法制审核通过（行政处罚法第五十八条）", NULL, NULL, NULL},
    {"discretion_range", "在裁量基准范围内", NULL, NULL, NULL},
    {0},
};

const check_def *check_find(const char *name)
{
    for (const check_def *c = CHECKS; name && c->name; c++)
        if (!strcmp(c->name, name))
            return c;
    return NULL;
}

const check_def *check_all(void)
{
    return CHECKS;
}
