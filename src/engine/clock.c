/* clock.c: statutory clocks (see clock.h). The deadline of a clock is always
 * recomputed from its facts (start, count_from, closed pauses, extensions) by
 * core/deadline.h; the row keeps the result so that queries ("due within N
 * working days", "overdue") are plain indexed comparisons of ISO dates. */
#include "engine/clock.h"
#include "engine/events.h"
#include "engine/indicators.h"
#include "store/store.h"
#include "core/status.h"
#include "core/timeutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PAUSES 64

static int refuse(clock_ctx *x, int rc, const char *field, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int refuse(clock_ctx *x, int rc, const char *field, const char *fmt, ...)
{
    snprintf(x->field, sizeof(x->field), "%s", field);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->why, sizeof(x->why), fmt, ap);
    va_end(ap);
    return rc;
}

static int is_stopped(const char *state)
{
    return strncmp(state, "stopped", 7) == 0;
}

/* Writes the computed and state columns of r back. */
static int save_row(store_conn *w, const clock_row *r)
{
    char count_from[11], last[11], due[11], warn[11], paused[11], stopped[11];
    clock_day_text(r->count_from, count_from);
    clock_day_text(r->last, last);
    clock_day_text(r->due, due);
    clock_day_text(r->warn_date, warn);
    clock_day_text(r->paused_since, paused);
    clock_day_text(r->stopped_on, stopped);
    int rc = store_run(w,
                     "UPDATE clocks SET extended = ?, ext_count = ?, count_from = ?, last_date = ?, state = ?,"
                     " due_date = ?, warn_date = ?, provisional = ?, paused_since = ?, pause_reason = ?,"
                     " stopped_on = ?, updated_at = ? WHERE id = ?",
                     "iisssssisssii", r->extended, (int64_t)r->ext_count, count_from, last, r->state, due, warn,
                     (int64_t)r->provisional, paused, r->pause_reason, stopped, time_now_ms(), r->id);
    /* A clock's state is what "on time" indicators count (engine/indicators.h). */
    return rc ? rc : ind_on_subject(w, r->subject_kind, r->subject_id);
}

/* ---- deadline of a row ---- */

/* Computes due, warn date and provisional flag of r from its facts. The open
 * pause (if any) is left out: while paused the row shows the deadline as it
 * would be had the clock resumed the day it paused. */
static int compute(store_conn *c, const clock_ctx *x, clock_row *r)
{
    dl_period periods[MAX_PAUSES];
    size_t n = 0;
    store_stmt *st;
    if (store_prepare(c, "SELECT from_date, to_date FROM clock_pauses WHERE clock_id = ? ORDER BY seq", &st))
        return FZ_ERR;
    store_bind_int(st, 1, r->id);
    int rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        int64_t from, to;
        if (clock_day_parse(store_col_text(st, 0), &from) || clock_day_parse(store_col_text(st, 1), &to)) {
            rc = FZ_ERR;
            break;
        }
        if (to == CLOCK_NO_DAY || from < r->count_from || n == MAX_PAUSES)
            continue;
        periods[n++] = (dl_period){from, to};
    }
    store_done(st);
    if (rc != STORE_DONE)
        return FZ_ERR;
    dl_spec s = {.start = r->count_from, .rule = {r->limit.n + r->extended, r->limit.unit}, .roll = r->roll,
                 .excluded = periods, .nexcluded = n};
    int prov = 0;
    int64_t due, warn = CLOCK_NO_DAY;
    if (dl_due(x->cal, &s, &due, &prov))
        return FZ_INVALID;
    if (r->has_warn && r->warn.n > 0 && dl_warn_date(x->cal, due, r->warn, &warn, &prov))
        return FZ_INVALID;
    r->due = due;
    r->warn_date = warn;
    r->provisional = prov;
    return FZ_OK;
}

/* The state an open, not paused clock has on day `today`. */
static const char *time_state(const clock_row *r, int64_t today)
{
    if (today > r->due)
        return "overdue";
    if (r->warn_date != CLOCK_NO_DAY && today >= r->warn_date)
        return "warned";
    return "running";
}

/* ---- events and notifications ---- */

static json_t *base_payload(const clock_row *r)
{
    return json_pack("{s:I, s:s, s:s}", "clock_id", (json_int_t)r->id, "name", r->name, "label", r->label);
}

static void put_day(json_t *o, const char *key, int64_t day)
{
    char s[11];
    clock_day_text(day, s);
    json_object_set_new(o, key, json_string(s));
}

static int append(store_conn *w, clock_ctx *x, const clock_row *r, const char *action, const char *from,
                  const char *to, json_t *payload)
{
    if (!payload)
        return FZ_NOMEM;
    event e = {.ledger = x->ledger, .actor = x->actor, .unit_id = r->unit_id,
               .region_code = r->region_code[0] ? r->region_code : NULL, .subject_kind = r->subject_kind,
               .subject_id = r->subject_id, .action = action, .from_state = from, .to_state = to};
    int rc = event_append(w, &e, payload);
    json_decref(payload);
    if (!rc)
        x->event_seq = e.seq;
    return rc;
}

/* One notification per clock, kind and deadline: entering the same state
 * again for the same deadline (a restart, a second tick) adds nothing. */
static int notify(store_conn *w, const clock_ctx *x, const clock_row *r, const char *kind)
{
    char due[11], title[200], body[1200];
    clock_day_text(r->due, due);
    int overdue = strcmp(kind, "overdue") == 0;
    snprintf(title, sizeof(title), "%s：%s", overdue ? "期限已逾期" : "期限临近", r->label);
    if (overdue) {
        snprintf(body, sizeof(body), "%s（%s %s）已于 %s 届满，尚未办结。%s", r->label, r->subject_kind,
                 r->subject_id, due, r->provisional ? "（日历未发布，期限为暂定）" : "");
    } else {
        int64_t left = 0;
        dl_remaining(x->cal, x->today, r->due, r->limit.unit, &left);
        snprintf(body, sizeof(body), "%s（%s %s）将于 %s 届满，剩余 %lld %s。%s", r->label, r->subject_kind,
                 r->subject_id, due, (long long)left, r->limit.unit == DL_WD ? "个工作日" : "日",
                 r->provisional ? "（日历未发布，期限为暂定）" : "");
    }
    return store_run(w,
                     "INSERT INTO notifications (user_id, unit_id, region_code, kind, clock_id, subject_kind,"
                     " subject_id, due_date, title, body, created_at, read_at)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0) ON CONFLICT (clock_id, kind, due_date) DO NOTHING",
                     "iississsssi", r->handler_id, r->unit_id, r->region_code, kind, r->id, r->subject_kind,
                     r->subject_id, due, title, body, time_now_ms());
}

/* Notifies when `state` is warned or overdue and differs from `before`. */
static int notify_entry(store_conn *w, const clock_ctx *x, const clock_row *r, const char *before)
{
    if (strcmp(r->state, before) == 0 && strcmp(before, "paused") != 0)
        return FZ_OK;
    if (strcmp(r->state, "warned") == 0 || strcmp(r->state, "overdue") == 0)
        return notify(w, x, r, r->state);
    return FZ_OK;
}

/* ---- operations ---- */

static int check_day(clock_ctx *x, const clock_row *r, int64_t day)
{
    char a[11];
    if (day > x->today)
        return refuse(x, FZ_INVALID, "date", "日期不能晚于今天");
    if (r && day < r->last) {
        clock_day_text(r->last, a);
        return refuse(x, FZ_INVALID, "date", "日期不能早于该期限上一次变动的日期 %s", a);
    }
    return FZ_OK;
}

int clock_start(store_conn *w, clock_ctx *x, const clock_def *d, int64_t start, int64_t *id)
{
    if (d->limit.n < 1)
        return refuse(x, FZ_INVALID, "limit", "期限须大于 0");
    if (d->roll && d->limit.unit == DL_WD)
        return refuse(x, FZ_INVALID, "roll", "按工作日计算的期限届满日必是工作日，不适用顺延");
    if (d->ext_max < 0 || (d->ext_max > 0 && (d->ext_times < 1 || d->ext_times > 10)))
        return refuse(x, FZ_INVALID, "extend", "延长次数应为 1 到 10 次");
    if (!cal_in_span(start))
        return refuse(x, FZ_INVALID, "start", "日期超出日历范围（%d–%d 年）", CAL_FIRST_YEAR, CAL_LAST_YEAR);
    if (start > x->today)
        return refuse(x, FZ_INVALID, "start", "起算日不能晚于今天");
    clock_row r = {.unit_id = d->unit_id, .handler_id = d->handler_id, .limit = d->limit, .roll = d->roll,
                   .has_warn = d->has_warn, .warn = d->warn, .ext_max = d->ext_max, .ext_times = d->ext_times,
                   .start = start, .count_from = start, .last = start, .paused_since = CLOCK_NO_DAY,
                   .stopped_on = CLOCK_NO_DAY};
    snprintf(r.subject_kind, sizeof(r.subject_kind), "%s", d->subject_kind);
    snprintf(r.subject_id, sizeof(r.subject_id), "%s", d->subject_id);
    snprintf(r.name, sizeof(r.name), "%s", d->name);
    snprintf(r.label, sizeof(r.label), "%s", d->label ? d->label : d->name);
    snprintf(r.basis, sizeof(r.basis), "%s", d->basis ? d->basis : "");
    snprintf(r.region_code, sizeof(r.region_code), "%s", d->region_code ? d->region_code : x->ledger);
    snprintf(r.ext_role, sizeof(r.ext_role), "%s", d->ext_role ? d->ext_role : "");
    int rc = compute(w, x, &r);
    if (rc == FZ_INVALID)
        return refuse(x, FZ_INVALID, "limit", "期限超出日历范围（%d–%d 年）", CAL_FIRST_YEAR, CAL_LAST_YEAR);
    if (rc)
        return rc;
    snprintf(r.state, sizeof(r.state), "%s", time_state(&r, x->today));
    char rule[24], warn[24] = "", sd[11], due[11], wdate[11];
    dl_rule_format(r.limit, rule);
    if (r.has_warn)
        dl_rule_format(r.warn, warn);
    clock_day_text(start, sd);
    clock_day_text(r.due, due);
    clock_day_text(r.warn_date, wdate);
    int64_t now = time_now_ms();
    rc = store_run(w,
                   "INSERT INTO clocks (subject_kind, subject_id, name, label, basis, unit_id, handler_id, region_code,"
                   " rule, roll, warn, ext_max, ext_times, ext_role, extended, ext_count, start_date, count_from,"
                   " last_date, state, due_date, warn_date, provisional, paused_since, pause_reason, stopped_on,"
                   " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?, ?, ?, ?,"
                   " ?, '', '', '', ?, ?)",
                   "sssssiissisiisssssssiii", r.subject_kind, r.subject_id, r.name, r.label, r.basis, r.unit_id,
                   r.handler_id, r.region_code, rule, (int64_t)r.roll, warn, r.ext_max, (int64_t)r.ext_times,
                   r.ext_role, sd, sd, sd, r.state, due, wdate, (int64_t)r.provisional, now, now);
    if (rc == FZ_CONFLICT)
        return refuse(x, FZ_CONFLICT, "name", "该对象已有名为 %s 的期限", r.name);
    if (rc)
        return rc;
    if (store_query_int(w, &r.id, 0, "SELECT id FROM clocks WHERE subject_kind = ? AND subject_id = ? AND name = ?",
                        "sss", r.subject_kind, r.subject_id, r.name))
        return FZ_ERR;
    json_t *p = base_payload(&r);
    if (p) {
        json_object_set_new(p, "rule", json_string(rule));
        json_object_set_new(p, "roll", json_boolean(r.roll));
        json_object_set_new(p, "warn", json_string(warn));
        json_object_set_new(p, "basis", json_string(r.basis));
        json_object_set_new(p, "start", json_string(sd));
        json_object_set_new(p, "due", json_string(due));
        json_object_set_new(p, "provisional", json_boolean(r.provisional));
        json_object_set_new(p, "unit_id", json_integer(r.unit_id));
        json_object_set_new(p, "handler_id", json_integer(r.handler_id));
        json_object_set_new(p, "extend_max", json_integer(r.ext_max));
        json_object_set_new(p, "extend_times", json_integer(r.ext_times));
        json_object_set_new(p, "extend_role", json_string(r.ext_role));
    }
    if ((rc = append(w, x, &r, "clock.started", "", r.state, p)))
        return rc;
    if ((rc = notify_entry(w, x, &r, "running")))
        return rc;
    if ((rc = ind_on_subject(w, r.subject_kind, r.subject_id)))
        return rc;
    *id = r.id;
    return FZ_OK;
}

static int load_open(store_conn *w, clock_ctx *x, int64_t id, clock_row *r)
{
    int rc = clock_load(w, id, r);
    if (rc == FZ_NOTFOUND)
        return refuse(x, FZ_NOTFOUND, "id", "期限不存在");
    if (rc)
        return rc;
    if (is_stopped(r->state))
        return refuse(x, FZ_CONFLICT, "state", "期限已停止（%s），不能再变动", clock_state_label(r->state));
    return FZ_OK;
}

int clock_pause(store_conn *w, clock_ctx *x, int64_t id, const char *reason, const char *note, int64_t day)
{
    clock_row r;
    int rc = load_open(w, x, id, &r);
    if (rc)
        return rc;
    const clock_reason *why = clock_reason_find(reason);
    if (!why)
        return refuse(x, FZ_INVALID, "reason", "暂停原因无效");
    if (strcmp(r.state, "paused") == 0)
        return refuse(x, FZ_CONFLICT, "state", "期限已在暂停中");
    if ((rc = check_day(x, &r, day)))
        return rc;
    char due[11], d[11];
    clock_day_text(r.due, due);
    clock_day_text(day, d);
    if (day > r.due)
        return refuse(x, FZ_CONFLICT, "date", "期限已于 %s 届满，届满后不能再扣除%s期间", due, why->label);
    int64_t seq = 0;
    if (store_query_int(w, &seq, 0, "SELECT count(*) FROM clock_pauses WHERE clock_id = ?", "i", id))
        return FZ_ERR;
    if (seq >= MAX_PAUSES)
        return refuse(x, FZ_CONFLICT, "reason", "暂停次数已达上限 %d 次", MAX_PAUSES);
    if ((rc = store_run(w, "INSERT INTO clock_pauses (clock_id, seq, reason, note, from_date, to_date, restart)"
                           " VALUES (?, ?, ?, ?, ?, '', 0)", "iisss", id, seq + 1, why->key, note ? note : "", d)))
        return rc;
    char before[20];
    snprintf(before, sizeof(before), "%s", r.state);
    snprintf(r.state, sizeof(r.state), "paused");
    snprintf(r.pause_reason, sizeof(r.pause_reason), "%s", why->key);
    r.paused_since = day;
    r.last = day;
    if ((rc = save_row(w, &r)))
        return rc;
    int64_t left = 0;
    dl_remaining(x->cal, day, r.due, r.limit.unit, &left);
    json_t *p = base_payload(&r);
    if (p) {
        json_object_set_new(p, "reason", json_string(why->key));
        json_object_set_new(p, "reason_label", json_string(why->label));
        json_object_set_new(p, "basis", json_string(why->basis));
        json_object_set_new(p, "note", json_string(note ? note : ""));
        json_object_set_new(p, "date", json_string(d));
        json_object_set_new(p, "due", json_string(due));
        json_object_set_new(p, "remaining", json_integer(left));
    }
    return append(w, x, &r, "clock.paused", before, "paused", p);
}

int clock_resume(store_conn *w, clock_ctx *x, int64_t id, int64_t day, int restart)
{
    clock_row r;
    int rc = load_open(w, x, id, &r);
    if (rc)
        return rc;
    if (strcmp(r.state, "paused") != 0)
        return refuse(x, FZ_CONFLICT, "state", "期限未暂停，无需恢复");
    if ((rc = check_day(x, &r, day)))
        return rc;
    const clock_reason *why = clock_reason_find(r.pause_reason);
    if (restart && !(why && why->may_restart))
        return refuse(x, FZ_INVALID, "restart", "只有补正后才可重新计算期限（政府信息公开条例第三十条）");
    char d[11], old_due[11], new_due[11], from[11];
    clock_day_text(day, d);
    clock_day_text(r.due, old_due);
    clock_day_text(r.paused_since, from);
    if ((rc = store_run(w, "UPDATE clock_pauses SET to_date = ?, restart = ? WHERE clock_id = ? AND to_date = ''",
                        "sii", d, (int64_t)restart, id)))
        return rc;
    int64_t excluded = 0;
    if (r.limit.unit == DL_WD)
        cal_count_workdays(x->cal, r.paused_since, day, &excluded, NULL);
    else
        excluded = day - r.paused_since;
    if (restart)
        r.count_from = day;
    r.paused_since = CLOCK_NO_DAY;
    r.pause_reason[0] = '\0';
    r.last = day;
    if ((rc = compute(w, x, &r)))
        return rc == FZ_INVALID ? refuse(x, FZ_INVALID, "date", "期限超出日历范围") : rc;
    snprintf(r.state, sizeof(r.state), "%s", time_state(&r, x->today));
    if ((rc = save_row(w, &r)))
        return rc;
    clock_day_text(r.due, new_due);
    json_t *p = base_payload(&r);
    if (p) {
        json_object_set_new(p, "date", json_string(d));
        json_object_set_new(p, "paused_from", json_string(from));
        json_object_set_new(p, "reason", json_string(why ? why->key : ""));
        json_object_set_new(p, "restart", json_boolean(restart));
        json_object_set_new(p, "excluded", json_integer(excluded));
        json_object_set_new(p, "excluded_unit", json_string(r.limit.unit == DL_WD ? "wd" : "d"));
        json_object_set_new(p, "due_before", json_string(old_due));
        json_object_set_new(p, "due", json_string(new_due));
        json_object_set_new(p, "provisional", json_boolean(r.provisional));
    }
    if ((rc = append(w, x, &r, "clock.resumed", "paused", r.state, p)))
        return rc;
    return notify_entry(w, x, &r, "paused");
}

static int has_role(const clock_ctx *x, const char *role)
{
    for (int i = 0; i < x->nroles; i++)
        if (strcmp(x->roles[i], role) == 0)
            return 1;
    return 0;
}

int clock_extend(store_conn *w, clock_ctx *x, int64_t id, dl_rule amount, const char *reason, int64_t day)
{
    clock_row r;
    int rc = load_open(w, x, id, &r);
    if (rc)
        return rc;
    char rule[24], due[11];
    dl_rule_format(r.limit, rule);
    clock_day_text(r.due, due);
    if (r.ext_max <= 0)
        return refuse(x, FZ_CONFLICT, "amount", "该期限（%s）依法不得延长", r.label);
    if (amount.unit != r.limit.unit)
        return refuse(x, FZ_INVALID, "amount", "延长的单位须与期限相同（%s）", dl_unit_label(r.limit.unit));
    if (amount.n < 1)
        return refuse(x, FZ_INVALID, "amount", "延长须大于 0");
    if (r.ext_role[0] && !has_role(x, r.ext_role)) {
        x->forbidden = 1;
        return refuse(x, FZ_CONFLICT, "amount", "延长该期限须由角色 %s 批准", r.ext_role);
    }
    if (r.ext_count >= r.ext_times)
        return refuse(x, FZ_CONFLICT, "amount", "该期限已延长 %d 次，最多只能延长 %d 次", r.ext_count, r.ext_times);
    if (r.extended + amount.n > r.ext_max)
        return refuse(x, FZ_CONFLICT, "amount", "延长后共延长 %lld%s，超过上限 %lld%s",
                      (long long)(r.extended + amount.n), dl_unit_label(r.limit.unit), (long long)r.ext_max,
                      dl_unit_label(r.limit.unit));
    if ((rc = check_day(x, &r, day)))
        return rc;
    if (day > r.due)
        return refuse(x, FZ_CONFLICT, "date", "期限已于 %s 届满，不能再延长", due);
    char before[20], d[11], new_due[11];
    snprintf(before, sizeof(before), "%s", r.state);
    clock_day_text(day, d);
    r.extended += amount.n;
    r.ext_count++;
    r.last = day;
    if ((rc = compute(w, x, &r)))
        return rc == FZ_INVALID ? refuse(x, FZ_INVALID, "amount", "延长后超出日历范围") : rc;
    if (strcmp(r.state, "paused") != 0)
        snprintf(r.state, sizeof(r.state), "%s", time_state(&r, x->today));
    if ((rc = save_row(w, &r)))
        return rc;
    clock_day_text(r.due, new_due);
    char amt[24];
    dl_rule_format(amount, amt);
    json_t *p = base_payload(&r);
    if (p) {
        json_object_set_new(p, "amount", json_string(amt));
        json_object_set_new(p, "extended_total", json_integer(r.extended));
        json_object_set_new(p, "extension_no", json_integer(r.ext_count));
        json_object_set_new(p, "reason", json_string(reason ? reason : ""));
        json_object_set_new(p, "date", json_string(d));
        json_object_set_new(p, "due_before", json_string(due));
        json_object_set_new(p, "due", json_string(new_due));
        json_object_set_new(p, "provisional", json_boolean(r.provisional));
    }
    if ((rc = append(w, x, &r, "clock.extended", before, r.state, p)))
        return rc;
    return notify_entry(w, x, &r, before);
}

int clock_stop(store_conn *w, clock_ctx *x, int64_t id, int64_t day, const char *outcome)
{
    clock_row r;
    int rc = load_open(w, x, id, &r);
    if (rc)
        return rc;
    if ((rc = check_day(x, &r, day)))
        return rc;
    char before[20], d[11];
    snprintf(before, sizeof(before), "%s", r.state);
    clock_day_text(day, d);
    if (strcmp(r.state, "paused") == 0) {
        /* Stopping during an excluded period closes it: the days up to the
         * stop do not count. */
        if ((rc = store_run(w, "UPDATE clock_pauses SET to_date = ? WHERE clock_id = ? AND to_date = ''", "si", d, id)))
            return rc;
        r.paused_since = CLOCK_NO_DAY;
        r.pause_reason[0] = '\0';
        if ((rc = compute(w, x, &r)))
            return rc == FZ_INVALID ? refuse(x, FZ_INVALID, "date", "期限超出日历范围") : rc;
    }
    int in_time = day <= r.due;
    snprintf(r.state, sizeof(r.state), "%s", in_time ? "stopped_in_time" : "stopped_late");
    r.stopped_on = day;
    r.last = day;
    if ((rc = save_row(w, &r)))
        return rc;
    char due[11];
    clock_day_text(r.due, due);
    json_t *p = base_payload(&r);
    if (p) {
        json_object_set_new(p, "date", json_string(d));
        json_object_set_new(p, "due", json_string(due));
        json_object_set_new(p, "in_time", json_boolean(in_time));
        json_object_set_new(p, "outcome", json_string(outcome ? outcome : ""));
        json_object_set_new(p, "provisional", json_boolean(r.provisional));
    }
    return append(w, x, &r, "clock.stopped", before, r.state, p);
}

/* ---- time passing and recomputation ---- */

int clock_tick(store_conn *w, clock_ctx *x, int limit)
{
    char today[11];
    clock_day_text(x->today, today);
    x->changed = 0;
    int64_t ids[512];
    int n = 0;
    store_stmt *st;
    if (store_prepare(w, "SELECT id FROM clocks WHERE (state = 'running' AND warn_date <> '' AND warn_date <= ?1)"
                         " OR (state IN ('running', 'warned') AND due_date < ?1) ORDER BY id LIMIT ?2", &st))
        return FZ_ERR;
    store_bind_text(st, 1, today);
    store_bind_int(st, 2, limit < 512 ? limit : 512);
    int rc;
    while ((rc = store_step(st)) == STORE_ROW && n < 512)
        ids[n++] = store_col_int(st, 0);
    store_done(st);
    if (rc != STORE_DONE && rc != STORE_ROW)
        return FZ_ERR;
    for (int i = 0; i < n; i++) {
        clock_row r;
        if ((rc = clock_load(w, ids[i], &r)))
            return rc;
        const char *next = time_state(&r, x->today);
        if (strcmp(next, r.state) == 0 || strcmp(r.state, "paused") == 0 || is_stopped(r.state))
            continue;
        char before[20], due[11];
        snprintf(before, sizeof(before), "%s", r.state);
        snprintf(r.state, sizeof(r.state), "%s", next);
        if ((rc = save_row(w, &r)))
            return rc;
        clock_day_text(r.due, due);
        json_t *p = base_payload(&r);
        if (p) {
            json_object_set_new(p, "due", json_string(due));
            json_object_set_new(p, "as_of", json_string(today));
            json_object_set_new(p, "provisional", json_boolean(r.provisional));
        }
        if ((rc = append(w, x, &r, strcmp(next, "overdue") == 0 ? "clock.overdue" : "clock.warned", before, next, p)))
            return rc;
        if ((rc = notify_entry(w, x, &r, before)))
            return rc;
        x->changed++;
    }
    return FZ_OK;
}

int clock_recompute_all(store_conn *w, clock_ctx *x, const json_t *why)
{
    x->changed = 0;
    for (int64_t after = 0;;) {
        int64_t ids[256];
        int n = 0, rc;
        store_stmt *st;
        if (store_prepare(w, "SELECT id FROM clocks WHERE state NOT IN ('stopped_in_time', 'stopped_late') AND id > ?"
                             " ORDER BY id LIMIT 256", &st))
            return FZ_ERR;
        store_bind_int(st, 1, after);
        while ((rc = store_step(st)) == STORE_ROW)
            ids[n++] = store_col_int(st, 0);
        store_done(st);
        if (rc != STORE_DONE)
            return FZ_ERR;
        for (int i = 0; i < n; i++) {
            clock_row r;
            if ((rc = clock_load(w, ids[i], &r)))
                return rc;
            clock_row old = r;
            if ((rc = compute(w, x, &r)))
                return rc == FZ_INVALID ? FZ_ERR : rc;
            if (strcmp(r.state, "paused") != 0)
                snprintf(r.state, sizeof(r.state), "%s", time_state(&r, x->today));
            if (r.due == old.due && r.warn_date == old.warn_date && r.provisional == old.provisional &&
                strcmp(r.state, old.state) == 0)
                continue;
            if ((rc = save_row(w, &r)))
                return rc;
            json_t *p = base_payload(&r);
            if (p) {
                put_day(p, "due_before", old.due);
                put_day(p, "due", r.due);
                json_object_set_new(p, "provisional_before", json_boolean(old.provisional));
                json_object_set_new(p, "provisional", json_boolean(r.provisional));
                json_object_set_new(p, "why", json_deep_copy(why));
            }
            if ((rc = append(w, x, &r, "clock.recomputed", old.state, r.state, p)))
                return rc;
            if ((rc = notify_entry(w, x, &r, old.state)))
                return rc;
            x->changed++;
        }
        if (n < 256)
            return FZ_OK;
        after = ids[n - 1];
    }
}

