/* penalty_api.c: what the 行政处罚 procedure (defs/penalty.json,
 * docs/penalty.md) computes for the people handling a case:
 *
 * GET /api/enforcement/discretion?code=&circumstance=&as_of=   (case:view)
 *     the 裁量基准 for a violation code: each circumstance's lawful range in
 *     元 (and cents), the measures it allows, the statutory maximum and the
 *     basis. County-wide reference data: no data scope.
 * GET /api/enforcement/penalties/{id}/surcharge?as_of=          (case:view)
 *     加处罚款 on a case (第七十二条第一款第一项): 3% of the fine per day after
 *     the payment deadline (送达 + 15 日, 第六十七条第三款), never more than the
 *     fine, up to the payment day or as_of (default today). The case must be
 *     in the caller's scope (404 otherwise). A read, not a field: the amount
 *     grows every day, so nothing is stored.
 *
 * Money leaves as 元 (numbers, for display) and as integer cents (*_cents,
 * exact). */
#include "api/app.h"
#include "api/routes.h"
#include "api/util.h"
#include "engine/cases.h"
#include "engine/holidays.h"
#include "engine/penalty.h"
#include "engine/scheduler.h"
#include "core/deadline.h"
#include "core/status.h"
#include "core/timeutil.h"
#include "core/validate.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static json_t *yuan(int64_t cents)
{
    return json_real((double)cents / 100.0);
}

static void day_text(int64_t day, char out[11])
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    date_format(y, m, d, out);
}

/* Every name in names is a field of d. */
static int has_fields(const def *d, const char *const *names)
{
    for (int i = 0; names[i]; i++) {
        size_t k;
        json_t *f;
        int found = 0;
        json_array_foreach(json_object_get(d->json, "fields"), k, f) found |=
            !strcmp(json_string_value(json_object_get(f, "name")), names[i]);
        if (!found)
            return 0;
    }
    return 1;
}

/* ?as_of=YYYY-MM-DD: the day number (*day) and the end of that day in local
 * time as ms (*ms, for catalog versions); both 0 when absent. */
static int query_as_of(req *r, int64_t *day, int64_t *ms)
{
    const char *v = req_query(r, "as_of");
    *day = *ms = 0;
    if (!v || !*v)
        return FZ_OK;
    int y, m, d;
    if (date_parse(v, &y, &m, &d) != FZ_OK)
        return api_invalid(r, "as_of", "日期", "应为 YYYY-MM-DD 格式的真实日期");
    *day = days_from_civil(y, m, d);
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d + 1, .tm_isdst = -1};
    *ms = (int64_t)mktime(&tm) * 1000 - 1;
    return FZ_OK;
}

/* ---- the discretion calculator ---- */

static const char *const DISCRETION_FIELDS[] = {
    "code",    "violation", "power_code",     "basis",    "penalty_basis",  "circumstance",
    "conditions", "fine_min", "fine_max",     "gains_times_min", "gains_times_max", "warning",
    "confiscate", "suspend_revoke", "stop_business", "legal_max", "first_offense_exempt", NULL};

static json_t *opt_int(store_stmt *st, int col)
{
    return store_col_is_null(st, col) ? json_null() : json_integer(store_col_int(st, col));
}

static json_t *opt_yuan(store_stmt *st, int col)
{
    return store_col_is_null(st, col) ? json_null() : yuan(store_col_int(st, col));
}

/* One catalog row as the calculator shows it. */
static json_t *range_json(store_stmt *st)
{
    json_t *measures = json_array();
    if (store_col_int(st, 12))
        json_array_append_new(measures, json_string("警告"));
    if (!store_col_is_null(st, 8) || !store_col_is_null(st, 9))
        json_array_append_new(measures, json_string("罚款"));
    if (store_col_int(st, 13))
        json_array_append_new(measures, json_string("没收违法所得、非法财物"));
    if (store_col_int(st, 14))
        json_array_append_new(measures, json_string("暂扣或吊销许可证件"));
    if (store_col_int(st, 15))
        json_array_append_new(measures, json_string("责令停产停业"));
    json_t *o = json_pack("{s:I, s:I, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "row_id",
                          (json_int_t)store_col_int(st, 0), "version", (json_int_t)store_col_int(st, 1),
                          "circumstance", store_col_text(st, 2), "conditions", store_col_text(st, 7), "fine_min",
                          opt_yuan(st, 8), "fine_max", opt_yuan(st, 9), "fine_min_cents", opt_int(st, 8),
                          "fine_max_cents", opt_int(st, 9), "gains_times_min", opt_int(st, 10), "gains_times_max",
                          opt_int(st, 11), "measures", measures);
    json_object_set_new(o, "warning", json_boolean(store_col_int(st, 12)));
    json_object_set_new(o, "confiscate", json_boolean(store_col_int(st, 13)));
    json_object_set_new(o, "suspend_revoke", json_boolean(store_col_int(st, 14)));
    json_object_set_new(o, "stop_business", json_boolean(store_col_int(st, 15)));
    json_object_set_new(o, "legal_max", opt_yuan(st, 16));
    json_object_set_new(o, "legal_max_cents", opt_int(st, 16));
    json_object_set_new(o, "first_offense_exempt", json_boolean(store_col_int(st, 17)));
    json_object_set_new(o, "penalty_basis", json_string(store_col_text(st, 6)));
    return o;
}

/* The position of circumstance among the field's options (the order of the
 * law's scale: 不予处罚 … 从重), or -1. */
static int option_index(const def *d, const char *field, const char *value)
{
    size_t i, k;
    json_t *f, *o;
    json_array_foreach(json_object_get(d->json, "fields"), i, f)
    {
        if (strcmp(json_string_value(json_object_get(f, "name")), field))
            continue;
        json_array_foreach(json_object_get(f, "options"), k, o) if (!strcmp(json_string_value(o), value)) return (int)k;
    }
    return -1;
}

int api_enforcement_discretion(req *r)
{
    app *a = req_app(r);
    const def *d = defs_find(a->defs, DEF_CATALOG, "discretion");
    if (!d || !has_fields(d, DISCRETION_FIELDS))
        return api_not_found(r, "裁量基准名录（discretion）");
    const char *code, *circ;
    int64_t day, ms;
    if (api_query_text(r, "code", &code) || api_query_text(r, "circumstance", &circ) || query_as_of(r, &day, &ms))
        return FZ_OK;
    size_t chars = 0;
    if (!*code)
        return api_invalid(r, "code", "违法行为编码", "必填");
    if (utf8_count(code, strlen(code), &chars) != FZ_OK || chars > 40)
        return api_invalid(r, "code", "违法行为编码", "最多 40 个字");
    if (*circ && option_index(d, "circumstance", circ) < 0)
        return api_invalid(r, "circumstance", "裁量情形", "应为 不予处罚、减轻、从轻、一般、从重 之一");
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    store_stmt *st;
    if (store_prepare(c, "SELECT t.row_id, t.version, t.f_circumstance, t.f_violation, t.f_power_code, t.f_basis,"
                         " t.f_penalty_basis, t.f_conditions, t.f_fine_min, t.f_fine_max, t.f_gains_times_min,"
                         " t.f_gains_times_max, t.f_warning, t.f_confiscate, t.f_suspend_revoke, t.f_stop_business,"
                         " t.f_legal_max, t.f_first_offense_exempt FROM cat_discretion t WHERE t.f_code = ?1"
                         " AND ((?2 = 0 AND t.valid_to = 0) OR (?2 > 0 AND t.valid_from <= ?2"
                         " AND (t.valid_to = 0 OR t.valid_to > ?2))) ORDER BY t.row_id", &st))
        return api_store_error(r);
    store_bind_text(st, 1, code);
    store_bind_int(st, 2, ms);
    json_t *out = NULL, *rows = json_array(), *slot[8] = {0};
    int rc, n = 0;
    while ((rc = store_step(st)) == STORE_ROW) {
        n++;
        if (!out)
            out = json_pack("{s:s, s:s, s:s, s:s, s:s}", "code", code, "violation", store_col_text(st, 3),
                            "power_code", store_col_text(st, 4), "basis", store_col_text(st, 5), "penalty_basis",
                            store_col_text(st, 6));
        const char *rc_circ = store_col_text(st, 2);
        if (*circ && strcmp(rc_circ, circ))
            continue;
        int k = option_index(d, "circumstance", rc_circ);
        json_t *row = range_json(st);
        if (k >= 0 && k < 8 && !slot[k])
            slot[k] = row;
        else
            json_array_append_new(rows, row);
    }
    store_done(st);
    if (rc != STORE_DONE) {
        json_decref(out);
        json_decref(rows);
        for (int k = 0; k < 8; k++)
            json_decref(slot[k]);
        return api_store_error(r);
    }
    /* In the order of the scale, then anything unexpected. */
    json_t *sorted = json_array();
    for (int k = 0; k < 8; k++)
        if (slot[k])
            json_array_append_new(sorted, slot[k]);
    json_array_extend(sorted, rows);
    json_decref(rows);
    if (!n) {
        json_decref(sorted);
        return api_not_found(r, "该违法行为编码的裁量基准");
    }
    /* The statutory maximum and basis: the requested circumstance's row, else
     * the first row (they describe the same violation). */
    json_t *first = json_array_get(sorted, 0);
    if (first) {
        json_object_set(out, "legal_max", json_object_get(first, "legal_max"));
        json_object_set(out, "legal_max_cents", json_object_get(first, "legal_max_cents"));
        json_object_set(out, "penalty_basis", json_object_get(first, "penalty_basis"));
    } else {
        json_object_set_new(out, "legal_max", json_null());
        json_object_set_new(out, "legal_max_cents", json_null());
        json_object_set_new(out, "note",
                            json_string("裁量基准未规定该情形的裁量范围：决定须在法定范围内并写明理由"));
    }
    char as_of[11];
    day_text(day ? day : scheduler_today(), as_of);
    json_object_set_new(out, "as_of", json_string(as_of));
    json_object_set_new(out, "circumstance", json_string(circ));
    json_object_set_new(out, "total", json_integer((json_int_t)json_array_size(sorted)));
    json_object_set_new(out, "rows", sorted);
    return req_reply_json(r, 200, out);
}

/* ---- 加处罚款 ---- */

static const char *const SURCHARGE_FIELDS[] = {"decision", "fine", "served_on", "paid_on", NULL};

int api_enforcement_penalty_surcharge(req *r)
{
    app *a = req_app(r);
    const def *d = defs_find(a->defs, DEF_PROCEDURE, "penalty");
    int64_t id, as_of, ms;
    if (!d || !has_fields(d, SURCHARGE_FIELDS))
        return api_not_found(r, "行政处罚程序（penalty）");
    if (api_path_id(r, "id", &id) || query_as_of(r, &as_of, &ms))
        return FZ_OK;
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    int64_t unit, handler;
    int rc = case_owner(c, d, id, &unit, &handler);
    if (rc == FZ_NOTFOUND || (rc == FZ_OK && authz_unit_visible(c, api_who(r), "case:view", unit, handler) != FZ_OK))
        return api_not_found(r, "案件");
    if (rc)
        return api_store_error(r);
    store_stmt *st;
    if (store_prepare(c, "SELECT no, state, f_decision, f_fine, f_served_on, f_paid_on FROM case_penalty WHERE id = ?",
                      &st))
        return api_store_error(r);
    store_bind_int(st, 1, id);
    if (store_step(st) != STORE_ROW) {
        store_done(st);
        return api_not_found(r, "案件");
    }
    json_t *out = json_pack("{s:I, s:s, s:s, s:s}", "case_id", (json_int_t)id, "no", store_col_text(st, 0), "state",
                            store_col_text(st, 1), "decision", store_col_text(st, 2));
    int64_t fine = store_col_is_null(st, 3) ? 0 : store_col_int(st, 3);
    char served_s[16], paid_s[16];
    snprintf(served_s, sizeof(served_s), "%s", store_col_text(st, 4));
    snprintf(paid_s, sizeof(paid_s), "%s", store_col_text(st, 5));
    store_done(st);
    int64_t today = scheduler_today(), served = 0, paid = 0, due = 0;
    int y, m, dd, prov = 0, has_served = date_parse(served_s, &y, &m, &dd) == FZ_OK;
    if (has_served)
        served = days_from_civil(y, m, dd);
    int has_paid = date_parse(paid_s, &y, &m, &dd) == FZ_OK;
    if (has_paid)
        paid = days_from_civil(y, m, dd);
    const char *note = "";
    if (fine <= 0)
        note = "本案未决定罚款，无加处罚款";
    else if (!has_served)
        note = "决定书尚未送达，缴纳期限尚未起算";
    if (fine > 0 && has_served) {
        hol_ref *ref;
        if (holidays_acquire(c, &ref) != FZ_OK) {
            json_decref(out);
            return api_store_error(r);
        }
        rc = dl_add(holidays_cal(ref), served, (dl_rule){15, DL_D}, 1, &due, &prov);
        holidays_release(ref);
        if (rc) {
            json_decref(out);
            return api_invalid(r, "served_on", "送达日期", "超出工作日历的范围");
        }
    }
    int64_t upto = has_paid ? paid : as_of ? as_of : today;
    pen_surcharge s = {0};
    if (fine > 0 && has_served)
        pen_surcharge_calc(fine, due, upto, &s);
    if (has_paid)
        note = s.days ? "已逾期缴纳：加处罚款算至缴纳之日" : "已按期缴纳";
    else if (fine > 0 && has_served)
        note = s.days ? (s.capped ? "逾期未缴纳：加处罚款已达罚款数额，不再增加（第七十二条第一款第一项）"
                                  : "逾期未缴纳：每日按罚款数额的百分之三加处罚款")
                      : "尚在缴纳期限内";
    char t[11];
    json_object_set_new(out, "fine", yuan(fine));
    json_object_set_new(out, "fine_cents", json_integer(fine));
    json_object_set_new(out, "served_on", json_string(served_s));
    if (due) {
        day_text(due, t);
        json_object_set_new(out, "due_on", json_string(t));
    } else {
        json_object_set_new(out, "due_on", json_string(""));
    }
    json_object_set_new(out, "provisional", json_boolean(prov));
    json_object_set_new(out, "paid_on", json_string(paid_s));
    day_text(upto, t);
    json_object_set_new(out, "as_of", json_string(t));
    json_object_set_new(out, "overdue_days", json_integer(s.days));
    json_object_set_new(out, "rate_percent", json_integer(PEN_SURCHARGE_PERCENT));
    json_object_set_new(out, "surcharge", yuan(s.amount));
    json_object_set_new(out, "surcharge_cents", json_integer(s.amount));
    json_object_set_new(out, "capped", json_boolean(s.capped));
    json_object_set_new(out, "total", yuan(fine + s.amount));
    json_object_set_new(out, "total_cents", json_integer(fine + s.amount));
    json_object_set_new(out, "basis", json_string("《中华人民共和国行政处罚法》第六十七条第三款、第七十二条第一款第一项"));
    json_object_set_new(out, "note", json_string(note));
    return req_reply_json(r, 200, out);
}
