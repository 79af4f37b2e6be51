/* clock_view.c: reading clocks and showing them: the pause reasons and state
 * labels, a clocks row as a clock_row, and the JSON the API returns (see
 * clock.h). The operations that change clocks are in clock.c. */
#include "engine/clock.h"
#include "store/store.h"
#include "core/status.h"
#include "core/timeutil.h"

#include <stdio.h>
#include <string.h>

const clock_reason clock_reasons[] = {
    {"hearing", "听证", "行政许可法第四十五条；信访工作条例第三十六条", 0},
    {"appraisal", "鉴定", "行政许可法第四十五条", 0},
    {"third_party", "征求第三方意见", "政府信息公开条例第三十二条、第三十三条第三款", 0},
    {"correction", "补正", "政府信息公开条例第三十条（答复期限自收到补正的申请之日起计算）", 1},
    {"consultation", "征求其他机关意见", "政府信息公开条例第三十三条第三款、第三十四条", 0},
    {"inspection", "检验、检测、检疫", "行政许可法第四十五条", 0},
    {"expert_review", "专家评审", "行政许可法第四十五条", 0},
    {"tender", "招标、拍卖", "行政许可法第四十五条", 0},
};
const int clock_nreasons = (int)(sizeof(clock_reasons) / sizeof(clock_reasons[0]));

const clock_reason *clock_reason_find(const char *key)
{
    for (int i = 0; key && i < clock_nreasons; i++)
        if (strcmp(clock_reasons[i].key, key) == 0)
            return &clock_reasons[i];
    return NULL;
}

const char *clock_state_label(const char *state)
{
    static const struct { const char *state, *label; } labels[] = {
        {"running", "计时中"},   {"paused", "已暂停"},          {"warned", "临期预警"},
        {"overdue", "已逾期"},   {"stopped_in_time", "按期办结"}, {"stopped_late", "逾期办结"},
    };
    for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
        if (strcmp(labels[i].state, state) == 0)
            return labels[i].label;
    return state;
}

void clock_day_text(int64_t day, char out[11])
{
    if (day == CLOCK_NO_DAY) {
        out[0] = '\0';
        return;
    }
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    date_format(y, m, d, out);
}

int clock_day_parse(const char *s, int64_t *day)
{
    if (!s || !*s) {
        *day = CLOCK_NO_DAY;
        return FZ_OK;
    }
    int y, m, d;
    if (date_parse(s, &y, &m, &d))
        return FZ_INVALID;
    *day = days_from_civil(y, m, d);
    return FZ_OK;
}

/* ---- rows ---- */

static void copy_col(store_stmt *st, int i, char *out, size_t n)
{
    snprintf(out, n, "%s", store_col_text(st, i));
}

int clock_read_row(store_stmt *st, clock_row *r)
{
    memset(r, 0, sizeof(*r));
    r->id = store_col_int(st, 0);
    copy_col(st, 1, r->subject_kind, sizeof(r->subject_kind));
    copy_col(st, 2, r->subject_id, sizeof(r->subject_id));
    copy_col(st, 3, r->name, sizeof(r->name));
    copy_col(st, 4, r->label, sizeof(r->label));
    copy_col(st, 5, r->basis, sizeof(r->basis));
    r->unit_id = store_col_int(st, 6);
    r->handler_id = store_col_int(st, 7);
    copy_col(st, 8, r->region_code, sizeof(r->region_code));
    if (dl_rule_parse(store_col_text(st, 9), &r->limit, NULL))
        return FZ_ERR;
    r->roll = (int)store_col_int(st, 10);
    const char *warn = store_col_text(st, 11);
    r->has_warn = *warn != '\0';
    if (r->has_warn && dl_rule_parse(warn, &r->warn, NULL))
        return FZ_ERR;
    r->ext_max = store_col_int(st, 12);
    r->ext_times = (int)store_col_int(st, 13);
    copy_col(st, 14, r->ext_role, sizeof(r->ext_role));
    r->extended = store_col_int(st, 15);
    r->ext_count = (int)store_col_int(st, 16);
    if (clock_day_parse(store_col_text(st, 17), &r->start) || clock_day_parse(store_col_text(st, 18), &r->count_from) ||
        clock_day_parse(store_col_text(st, 19), &r->last))
        return FZ_ERR;
    copy_col(st, 20, r->state, sizeof(r->state));
    if (clock_day_parse(store_col_text(st, 21), &r->due) || clock_day_parse(store_col_text(st, 22), &r->warn_date))
        return FZ_ERR;
    r->provisional = (int)store_col_int(st, 23);
    if (clock_day_parse(store_col_text(st, 24), &r->paused_since))
        return FZ_ERR;
    copy_col(st, 25, r->pause_reason, sizeof(r->pause_reason));
    if (clock_day_parse(store_col_text(st, 26), &r->stopped_on))
        return FZ_ERR;
    r->created_at = store_col_int(st, 27);
    r->updated_at = store_col_int(st, 28);
    return FZ_OK;
}

int clock_load(store_conn *c, int64_t id, clock_row *out)
{
    store_stmt *st;
    if (store_prepare(c, "SELECT " CLOCK_COLUMNS " FROM clocks c WHERE c.id = ?", &st))
        return FZ_ERR;
    store_bind_int(st, 1, id);
    int rc = store_step(st);
    int ok = rc == STORE_ROW ? clock_read_row(st, out) : FZ_OK;
    store_done(st);
    if (rc == STORE_DONE)
        return FZ_NOTFOUND;
    return rc == STORE_ROW ? ok : FZ_ERR;
}

/* ---- JSON for the API ---- */

static void put_day(json_t *o, const char *key, int64_t day)
{
    char s[11];
    clock_day_text(day, s);
    json_object_set_new(o, key, json_string(s));
}

json_t *clock_json(const clock_row *r, const cal *c, int64_t today)
{
    char rule[24], warn[24] = "", emax[24] = "";
    dl_rule_format(r->limit, rule);
    if (r->has_warn)
        dl_rule_format(r->warn, warn);
    if (r->ext_max > 0)
        dl_rule_format((dl_rule){r->ext_max, r->limit.unit}, emax);
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:b, s:s, s:s, s:s}", "id",
                          (json_int_t)r->id, "subject_kind", r->subject_kind, "subject_id", r->subject_id, "name",
                          r->name, "label", r->label, "basis", r->basis, "unit_id", (json_int_t)r->unit_id,
                          "handler_id", (json_int_t)r->handler_id, "region_code", r->region_code, "limit", rule,
                          "roll", r->roll, "warn", warn, "state", r->state, "state_label",
                          clock_state_label(r->state));
    if (!o)
        return NULL;
    json_object_set_new(o, "extend", json_pack("{s:s, s:i, s:s, s:I, s:i}", "max", emax, "times", r->ext_times,
                                                "role", r->ext_role, "used", (json_int_t)r->extended, "count",
                                                r->ext_count));
    put_day(o, "start", r->start);
    put_day(o, "count_from", r->count_from);
    put_day(o, "due", r->due);
    put_day(o, "warn_date", r->warn_date);
    put_day(o, "paused_since", r->paused_since);
    put_day(o, "stopped_on", r->stopped_on);
    const clock_reason *why = clock_reason_find(r->pause_reason);
    json_object_set_new(o, "pause_reason", json_string(r->pause_reason));
    json_object_set_new(o, "pause_reason_label", json_string(why ? why->label : ""));
    json_object_set_new(o, "provisional", json_boolean(r->provisional));
    json_object_set_new(o, "provisional_note", json_string(r->provisional ? "日历未发布，期限为暂定" : ""));
    if (c) {
        /* While paused, what was left when it paused; otherwise what is left today. */
        int64_t on = strcmp(r->state, "paused") == 0 ? r->paused_since : today, left = 0;
        if (strncmp(r->state, "stopped", 7) != 0 && dl_remaining(c, on, r->due, r->limit.unit, &left) == FZ_OK) {
            json_object_set_new(o, "remaining", json_integer(left));
            json_object_set_new(o, "remaining_unit", json_string(r->limit.unit == DL_WD ? "wd" : "d"));
        }
    }
    json_object_set_new(o, "created_at", json_integer(r->created_at));
    json_object_set_new(o, "updated_at", json_integer(r->updated_at));
    return o;
}

json_t *clock_pauses_json(store_conn *c, int64_t id)
{
    json_t *rows = json_array();
    store_stmt *st;
    if (!rows || store_prepare(c, "SELECT seq, reason, note, from_date, to_date, restart FROM clock_pauses"
                                  " WHERE clock_id = ? ORDER BY seq", &st))
        return rows;
    store_bind_int(st, 1, id);
    while (store_step(st) == STORE_ROW) {
        const clock_reason *why = clock_reason_find(store_col_text(st, 1));
        json_array_append_new(rows, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:b}", "seq",
                                              (json_int_t)store_col_int(st, 0), "reason", store_col_text(st, 1),
                                              "reason_label", why ? why->label : "", "note", store_col_text(st, 2),
                                              "from", store_col_text(st, 3), "to", store_col_text(st, 4), "restart",
                                              (int)store_col_int(st, 5)));
    }
    store_done(st);
    return rows;
}
