/* calendar_api.c: the working-day calendar over HTTP: the years with a
 * schedule, one year's marked days, deadline arithmetic (the same functions as
 * `fazhi calendar add|count`), and importing a schedule file (JSON or CSV,
 * all or nothing, open clocks recomputed in the same transaction). The file
 * comes as the body (application/json or text/csv) or, from the browser, as
 * {"content": "<file text>"}. */
#include "api/app.h"
#include "api/routes.h"
#include "api/util.h"
#include "engine/holidays.h"
#include "engine/scheduler.h"
#include "core/calendar.h"
#include "core/calfile.h"
#include "core/deadline.h"
#include "core/parse.h"
#include "core/status.h"
#include "core/timeutil.h"

#include <stdio.h>
#include <string.h>

#define PROVISIONAL_NOTE "日历未发布，期限为暂定"

/* The calendar in force, released with the request. */
static const cal *request_cal(req *r, store_conn *c)
{
    hol_ref *ref;
    if (holidays_acquire(c, &ref) != FZ_OK) {
        api_store_error(r);
        return NULL;
    }
    if (arena_defer(req_arena(r), holidays_release_v, ref) != FZ_OK) {
        holidays_release(ref);
        api_store_error(r);
        return NULL;
    }
    return holidays_cal(ref);
}

static void day_text(int64_t day, char out[11])
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    date_format(y, m, d, out);
}

static int query_date(req *r, const char *name, const char *label, int required, int64_t *day)
{
    const char *v = req_query(r, name);
    if (!v || !*v) {
        if (required)
            return api_invalid(r, name, label, "必填，格式 YYYY-MM-DD");
        *day = scheduler_today();
        return FZ_OK;
    }
    int y, m, d;
    if (date_parse(v, &y, &m, &d) != FZ_OK)
        return api_invalid(r, name, label, "日期无效，应为 YYYY-MM-DD 格式的真实日期");
    *day = days_from_civil(y, m, d);
    if (!cal_in_span(*day))
        return api_invalid(r, name, label, "超出日历范围（1990–2149 年）");
    return FZ_OK;
}

/* ---- years ---- */

int api_calendar_years(req *r)
{
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    const cal *k = request_cal(r, c);
    if (!k)
        return FZ_OK;
    int years[CAL_LAST_YEAR - CAL_FIRST_YEAR + 1], n = 0;
    if (holidays_years(c, years, (int)(sizeof(years) / sizeof(years[0])), &n))
        return api_store_error(r);
    json_t *rows = json_array();
    for (int i = 0; i < n; i++) {
        json_t *row = json_pack("{s:i, s:b, s:i}", "year", years[i], "official", 1, "workdays",
                                cal_year_workdays(k, years[i]));
        store_stmt *st;
        if (store_prepare(c, "SELECT source, digest, origin, imported_at, imported_by FROM holiday_years WHERE year = ?",
                          &st) == FZ_OK) {
            store_bind_int(st, 1, years[i]);
            if (store_step(st) == STORE_ROW) {
                json_object_set_new(row, "source", json_string(store_col_text(st, 0)));
                json_object_set_new(row, "digest", json_string(store_col_text(st, 1)));
                json_object_set_new(row, "origin", json_string(store_col_text(st, 2)));
                json_object_set_new(row, "imported_at", json_integer(store_col_int(st, 3)));
                json_object_set_new(row, "imported_by", json_string(store_col_text(st, 4)));
            } else {
                json_object_set_new(row, "origin", json_string("shipped"));
            }
            store_done(st);
        }
        json_array_append_new(rows, row);
    }
    return req_reply_json(r, 200, json_pack("{s:I, s:o, s:i, s:i}", "total", (json_int_t)n, "rows", rows, "first_year",
                                            CAL_FIRST_YEAR, "last_year", CAL_LAST_YEAR));
}

/* Names of the marked days of a year: stored rows, else the shipped file. */
static json_t *year_days(store_conn *c, int year)
{
    json_t *days = json_array();
    int64_t stored = 0;
    if (store_query_int(c, &stored, 0, "SELECT count(*) FROM holiday_years WHERE year = ?", "i", (int64_t)year))
        return days;
    if (stored) {
        store_stmt *st;
        if (store_prepare(c, "SELECT day, kind, name FROM holidays WHERE year = ? ORDER BY day", &st))
            return days;
        store_bind_int(st, 1, year);
        while (store_step(st) == STORE_ROW)
            json_array_append_new(days, json_pack("{s:s, s:s, s:s}", "date", store_col_text(st, 0), "kind",
                                                  store_col_text(st, 1), "name", store_col_text(st, 2)));
        store_done(st);
        return days;
    }
    calfile f;
    char err[300];
    if (holidays_shipped_parse(&f, err, sizeof(err)) == FZ_OK) {
        for (size_t i = 0; i < f.nyears; i++) {
            if (f.years[i].year != year)
                continue;
            for (size_t j = 0; j < f.years[i].ndays; j++) {
                char ds[11];
                day_text(f.years[i].days[j].day, ds);
                json_array_append_new(days, json_pack("{s:s, s:s, s:s}", "date", ds, "kind",
                                                      f.years[i].days[j].kind == CAL_MARK_REST ? "rest" : "work",
                                                      "name", f.years[i].days[j].name));
            }
        }
    }
    calfile_free(&f);
    return days;
}

int api_calendar_year(req *r)
{
    int year;
    const char *v = req_param(r, "year");
    if (!v || parse_int(v, CAL_FIRST_YEAR, CAL_LAST_YEAR, &year) != FZ_OK)
        return api_invalid(r, "year", "年份", "应为 1990 到 2149 之间的整数");
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    const cal *k = request_cal(r, c);
    if (!k)
        return FZ_OK;
    int official = cal_year_official(k, year);
    json_t *months = json_array();
    for (int m = 1; m <= 12; m++) {
        int64_t a = days_from_civil(year, m, 1), b = a + date_days_in_month(year, m) - 1, n = 0;
        cal_count_workdays(k, a - 1, b, &n, NULL);
        json_array_append_new(months, json_pack("{s:i, s:I}", "month", m, "workdays", (json_int_t)n));
    }
    json_t *out = json_pack("{s:i, s:b, s:b, s:s, s:i, s:o, s:o}", "year", year, "official", official, "provisional",
                            !official, "note", official ? "" : PROVISIONAL_NOTE, "workdays",
                            cal_year_workdays(k, year), "months", months, "days", year_days(c, year));
    return req_reply_json(r, 200, out);
}

/* ---- arithmetic ---- */

int api_calendar_compute(req *r)
{
    int64_t start, out;
    if (query_date(r, "date", "起算日", 0, &start))
        return FZ_OK;
    const char *add = req_query(r, "add"), *why = NULL;
    dl_rule rule;
    if (!add || !*add)
        return api_invalid(r, "add", "期限", "必填，如 20wd、15d、3m");
    if (dl_rule_parse(add, &rule, &why) != FZ_OK)
        return api_invalid(r, "add", "期限", why);
    int64_t roll;
    if (api_query_int(r, "roll", 0, 1, 0, &roll))
        return FZ_OK;
    if (roll && rule.unit == DL_WD)
        return api_invalid(r, "roll", "顺延", "按工作日计算的届满日必是工作日，不适用顺延");
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    const cal *k = request_cal(r, c);
    if (!k)
        return FZ_OK;
    int prov = 0;
    if (dl_add(k, start, rule, (int)roll, &out, &prov) != FZ_OK)
        return api_invalid(r, "add", "期限", "结果超出日历范围（1990–2149 年）");
    char a[11], b[11], rs[24];
    day_text(start, a);
    day_text(out, b);
    dl_rule_format(rule, rs);
    return req_reply_json(r, 200, json_pack("{s:s, s:s, s:b, s:s, s:b, s:s, s:b}", "date", a, "add", rs, "roll",
                                            (int)roll, "result", b, "provisional", prov, "note",
                                            prov ? PROVISIONAL_NOTE : "", "result_is_workday",
                                            cal_is_workday(k, out) == 1));
}

int api_calendar_count(req *r)
{
    int64_t from, to, n;
    if (query_date(r, "from", "起日", 1, &from) || query_date(r, "to", "止日", 1, &to))
        return FZ_OK;
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    const cal *k = request_cal(r, c);
    if (!k)
        return FZ_OK;
    int prov = 0;
    cal_count_workdays(k, from, to, &n, &prov);
    char a[11], b[11];
    day_text(from, a);
    day_text(to, b);
    return req_reply_json(r, 200, json_pack("{s:s, s:s, s:I, s:b, s:s}", "from", a, "to", b, "workdays",
                                            (json_int_t)n, "provisional", prov, "note",
                                            prov ? PROVISIONAL_NOTE : ""));
}

/* ---- import ---- */

typedef struct import_job {
    holidays_import_job h;
    calfile f;
} import_job;

static void free_file(void *p)
{
    calfile_free(p);
}

static json_t *years_json(const calfile *f)
{
    json_t *a = json_array();
    for (size_t i = 0; i < f->nyears; i++) {
        int rest, work;
        char digest[SM3_HEX_LEN + 1];
        calfile_counts(&f->years[i], &rest, &work);
        calfile_digest(&f->years[i], digest);
        json_array_append_new(a, json_pack("{s:i, s:s, s:s, s:i, s:i, s:i}", "year", f->years[i].year, "source",
                                           f->years[i].source, "digest", digest, "rest_days", rest, "work_days",
                                           work, "workdays", holidays_year_workdays(&f->years[i])));
    }
    return a;
}

static int import_done(req *r, void *ctx, int rc)
{
    import_job *j = ctx;
    if (rc == FZ_INVALID)
        return req_reply_error(r, 400, "validation_failed", j->h.err, json_pack("{s:s}", "file", j->h.err));
    if (rc != FZ_OK)
        return api_store_error(r);
    return req_reply_json(r, 201, json_pack("{s:b, s:i, s:i, s:i, s:o}", "dry_run", 0, "imported", j->h.imported,
                                            "unchanged", j->h.unchanged, "clocks_changed", j->h.clocks_changed,
                                            "years", years_json(&j->f)));
}

int api_calendar_import(req *r)
{
    const char *ct = req_header(r, "Content-Type");
    if (!ct || (strncmp(ct, "application/json", 16) != 0 && strncmp(ct, "text/csv", 8) != 0 &&
                strncmp(ct, "text/plain", 10) != 0))
        return req_reply_error(r, 415, "unsupported_media_type",
                               "请以 application/json（JSON）或 text/csv（CSV）提交节假日安排文件", NULL);
    int64_t dry;
    if (api_query_int(r, "dry_run", 0, 1, 0, &dry))
        return FZ_OK;
    size_t len;
    const char *body = req_body(r, &len);
    if (!body) {
        body = "";
        len = 0;
    }
    /* A browser sends the chosen file as {"content": "<the file's text>"}
     * (JSON or CSV inside); anything else is the schedule file itself. */
    if (strncmp(ct, "application/json", 16) == 0) {
        json_t *w = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
        json_t *content = json_is_object(w) && json_object_size(w) == 1 ? json_object_get(w, "content") : NULL;
        if (json_is_string(content)) {
            len = json_string_length(content);
            char *copy = arena_strndup(req_arena(r), json_string_value(content), len);
            json_decref(w);
            if (!copy)
                return api_store_error(r);
            body = copy;
        } else {
            json_decref(w);
        }
    }
    import_job *j = arena_alloc(req_arena(r), sizeof(*j));
    if (!j)
        return api_store_error(r);
    char err[400];
    int rc = calfile_parse(body, len, &j->f, err, sizeof(err));
    if (arena_defer(req_arena(r), free_file, &j->f) != FZ_OK) {
        calfile_free(&j->f);
        return api_store_error(r);
    }
    if (rc)
        return req_reply_error(r, 400, "validation_failed", err, json_pack("{s:s}", "file", err));
    if (dry) {
        store_conn *c = api_reader(r);
        if (!c)
            return FZ_OK;
        int years[CAL_LAST_YEAR - CAL_FIRST_YEAR + 1], n = 0;
        if (holidays_years(c, years, (int)(sizeof(years) / sizeof(years[0])), &n))
            return api_store_error(r);
        if (n && calfile_check_range(&j->f, years[0], years[n - 1], err, sizeof(err)))
            return req_reply_error(r, 400, "validation_failed", err, json_pack("{s:s}", "file", err));
        return req_reply_json(r, 200, json_pack("{s:b, s:o}", "dry_run", 1, "years", years_json(&j->f)));
    }
    const principal *p = api_who(r);
    j->h = (holidays_import_job){.ledger = req_app(r)->cfg.region_code, .actor = p->username,
                                 .unit_id = p->unit_id, .file = &j->f, .origin = "import",
                                 .today = scheduler_today(), .check_range = 1};
    if (req_write(r, holidays_import_job_fn, &j->h, import_done) != FZ_OK)
        return api_store_error(r);
    return FZ_OK;
}
