/* clocks_api.c: statutory clocks over HTTP (engine/clock.h): start one on a
 * subject, pause / resume / extend / stop it, read one with its pauses and
 * events, and the 待办 / 预警 queries ("due within N working days",
 * "overdue", per unit, per handler). Data scope: the clock's unit and its
 * handler, through AUTHZ_SCOPE_SQL / authz_unit_visible; a clock outside the
 * caller's scope answers 404. Also the caller's notifications and the
 * "run the scheduler now" action. */
#include "api/app.h"
#include "api/routes.h"
#include "api/util.h"
#include "engine/clock.h"
#include "engine/events.h"
#include "engine/holidays.h"
#include "engine/scheduler.h"
#include "core/status.h"
#include "core/timeutil.h"

#include <stdio.h>
#include <string.h>

#define PERM_VIEW "clock:view"
#define PERM_EDIT "clock:edit"

enum { OP_START, OP_PAUSE, OP_RESUME, OP_EXTEND, OP_STOP };

typedef struct op_job {
    app *a;
    const principal *p;
    int op;
    int64_t id, day;
    const char *reason, *note;
    int restart;
    dl_rule amount;
    clock_def def;
    clock_ctx x;
    json_t *out; /* the clock after the change (owned until replied) */
} op_job;

/* ---- input helpers ---- */

static int ident_ok(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max || !(s[0] >= 'a' && s[0] <= 'z'))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '.'))
            return 0;
    return 1;
}

static int body_date(req *r, const json_t *body, const char *key, const char *label, int64_t *day)
{
    const char *v;
    if (api_text(r, body, key, label, 0, 10, &v))
        return FZ_INVALID;
    if (!v) {
        *day = scheduler_today();
        return FZ_OK;
    }
    int y, m, d;
    if (date_parse(v, &y, &m, &d) != FZ_OK)
        return api_invalid(r, key, label, "日期无效，应为 YYYY-MM-DD 格式的真实日期");
    *day = days_from_civil(y, m, d);
    if (!cal_in_span(*day))
        return api_invalid(r, key, label, "超出日历范围（1990–2149 年）");
    return FZ_OK;
}

static int body_rule(req *r, const json_t *body, const char *key, const char *label, int required, dl_rule *out,
                     int *present)
{
    const char *v, *why = NULL;
    if (api_text(r, body, key, label, required, 16, &v))
        return FZ_INVALID;
    *present = v && *v;
    if (!*present)
        return FZ_OK;
    if (dl_rule_parse(v, out, &why) != FZ_OK)
        return api_invalid(r, key, label, why);
    return FZ_OK;
}

static int body_bool(req *r, const json_t *body, const char *key, const char *label, int *out)
{
    json_t *v = json_object_get(body, key);
    *out = 0;
    if (!v || json_is_null(v))
        return FZ_OK;
    if (!json_is_boolean(v))
        return api_invalid(r, key, label, "应为 true 或 false");
    *out = json_is_true(v);
    return FZ_OK;
}

/* ---- replies ---- */

static int op_then(req *r, void *ctx, int rc)
{
    op_job *j = ctx;
    json_t *out = j->out;
    j->out = NULL;
    if (rc == FZ_OK && out)
        return req_reply_json(r, j->op == OP_START ? 201 : 200, out);
    json_decref(out);
    if (rc == FZ_NOTFOUND)
        return api_not_found(r, "期限");
    if (rc == FZ_INVALID) {
        char msg[400];
        snprintf(msg, sizeof(msg), "%s", j->x.why);
        return req_reply_error(r, 400, "validation_failed", msg, json_pack("{s:s}", j->x.field, j->x.why));
    }
    if (rc == FZ_CONFLICT && j->x.forbidden)
        return req_reply_error(r, 403, "forbidden", j->x.why, json_pack("{s:s}", j->x.field, j->x.why));
    if (rc == FZ_CONFLICT)
        return req_reply_error(r, 409, "conflict", j->x.why, json_pack("{s:s}", j->x.field, j->x.why));
    return api_store_error(r);
}

/* The write job: the calendar in force is read on the writer connection,
 * inside the transaction, so an import committed just before is seen. */
static int op_write(store_conn *w, void *ctx)
{
    op_job *j = ctx;
    hol_ref *ref;
    int rc = holidays_acquire(w, &ref);
    if (rc)
        return rc;
    j->x.cal = holidays_cal(ref);
    switch (j->op) {
    case OP_START:
        rc = clock_start(w, &j->x, &j->def, j->day, &j->id);
        break;
    case OP_PAUSE:
        rc = clock_pause(w, &j->x, j->id, j->reason, j->note, j->day);
        break;
    case OP_RESUME:
        rc = clock_resume(w, &j->x, j->id, j->day, j->restart);
        break;
    case OP_EXTEND:
        rc = clock_extend(w, &j->x, j->id, j->amount, j->reason, j->day);
        break;
    default:
        rc = clock_stop(w, &j->x, j->id, j->day, j->note);
        break;
    }
    clock_row row;
    if (!rc && (rc = clock_load(w, j->id, &row)) == FZ_OK)
        j->out = clock_json(&row, j->x.cal, j->x.today);
    holidays_release(ref);
    j->x.cal = NULL;
    return rc;
}

static op_job *new_job(req *r, int op)
{
    op_job *j = arena_alloc(req_arena(r), sizeof(*j));
    if (!j)
        return NULL;
    j->a = req_app(r);
    j->p = api_who(r);
    j->op = op;
    const char **roles = arena_alloc(req_arena(r), sizeof(char *) * (size_t)(j->p->nroles + 1));
    if (!roles)
        return NULL;
    for (int i = 0; i < j->p->nroles; i++)
        roles[i] = j->p->roles[i].key;
    j->x = (clock_ctx){.ledger = j->a->cfg.region_code, .actor = j->p->username, .today = scheduler_today(),
                       .roles = roles, .nroles = j->p->nroles};
    return j;
}

static int submit(req *r, op_job *j)
{
    if (req_write(r, op_write, j, op_then) != FZ_OK)
        return api_store_error(r);
    return FZ_OK;
}

/* ---- start ---- */

/* 400 for a member of the extend object: the field is "extend", the message
 * names the member. */
static int bad_extend(req *r, const char *member, const char *reason)
{
    char msg[200], field[120];
    snprintf(msg, sizeof(msg), "延长规则（extend.%s）：%s", member, reason);
    snprintf(field, sizeof(field), "%s：%s", member, reason);
    req_reply_error(r, 400, "validation_failed", msg, json_pack("{s:s}", "extend", field));
    return FZ_INVALID;
}

static int start_extend(req *r, const json_t *body, op_job *j, store_conn *c)
{
    json_t *e = json_object_get(body, "extend");
    if (!e || json_is_null(e))
        return FZ_OK;
    static const char *const keys[] = {"max", "times", "role", NULL};
    if (!json_is_object(e))
        return api_invalid(r, "extend", "延长规则", "应为对象 {max, times, role}");
    if (api_only_keys(r, e, keys))
        return FZ_INVALID;
    dl_rule max;
    int has_max;
    int64_t times = 1;
    const char *role;
    if (body_rule(r, e, "max", "延长上限", 1, &max, &has_max) ||
        api_int(r, e, "times", "延长次数", 0, 1, 10, &times, NULL) ||
        api_text(r, e, "role", "批准角色", 0, 32, &role))
        return FZ_INVALID;
    if (max.unit != j->def.limit.unit)
        return bad_extend(r, "max", "单位须与期限相同");
    if (max.n < 1)
        return bad_extend(r, "max", "须大于 0");
    if (role && *role) {
        int64_t n = 0;
        if (store_query_int(c, &n, 0, "SELECT count(*) FROM roles WHERE key = ?", "s", role))
            return api_store_error(r);
        if (!n)
            return bad_extend(r, "role", "角色不存在");
    }
    j->def.ext_max = max.n;
    j->def.ext_times = (int)times;
    j->def.ext_role = role ? role : "";
    return FZ_OK;
}

int api_clocks_start(req *r)
{
    static const char *const keys[] = {"subject_kind", "subject_id", "name", "label", "basis", "limit", "roll",
                                       "warn", "extend", "start", "unit_id", "handler_id", NULL};
    json_t *body = req_json_body(r);
    if (!body || api_only_keys(r, body, keys))
        return FZ_OK;
    op_job *j = new_job(r, OP_START);
    if (!j)
        return api_store_error(r);
    clock_def *d = &j->def;
    int has_limit, has_warn, has_unit, has_handler;
    int64_t unit_id = j->p->unit_id, handler_id = j->p->user_id;
    if (api_text(r, body, "subject_kind", "对象类型", 1, 64, &d->subject_kind) ||
        api_text(r, body, "subject_id", "对象编号", 1, 128, &d->subject_id) ||
        api_text(r, body, "name", "期限代码", 1, 64, &d->name) ||
        api_text(r, body, "label", "期限名称", 0, 40, &d->label) ||
        api_text(r, body, "basis", "法律依据", 0, 200, &d->basis) ||
        body_rule(r, body, "limit", "期限", 1, &d->limit, &has_limit) ||
        body_bool(r, body, "roll", "届满日遇休息日顺延", &d->roll) ||
        body_rule(r, body, "warn", "预警阈值", 0, &d->warn, &has_warn) ||
        body_date(r, body, "start", "起算日", &j->day) ||
        api_int(r, body, "unit_id", "所属单位", 0, 1, INT64_MAX, &unit_id, &has_unit) ||
        api_int(r, body, "handler_id", "承办人", 0, 0, INT64_MAX, &handler_id, &has_handler))
        return FZ_OK;
    if (!ident_ok(d->subject_kind, 64))
        return api_invalid(r, "subject_kind", "对象类型", "应为小写字母开头的字母、数字、下划线或点");
    if (!ident_ok(d->name, 64))
        return api_invalid(r, "name", "期限代码", "应为小写字母开头的字母、数字、下划线或点");
    if (!has_limit)
        return api_invalid(r, "limit", "期限", "必填，如 20wd、15d、3m");
    if (d->limit.n < 1)
        return api_invalid(r, "limit", "期限", "须大于 0");
    if (d->roll && d->limit.unit == DL_WD)
        return api_invalid(r, "roll", "届满日遇休息日顺延", "按工作日计算的届满日必是工作日，不适用顺延");
    d->has_warn = has_warn && d->warn.n > 0;
    if (has_warn && d->warn.unit == DL_M)
        return api_invalid(r, "warn", "预警阈值", "应以工作日（wd）或日（d）计");
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    if (start_extend(r, body, j, c))
        return FZ_OK;
    int64_t n = 0;
    if (store_query_int(c, &n, 0, "SELECT count(*) FROM units WHERE id = ?", "i", unit_id))
        return api_store_error(r);
    /* The owner is the handler: a "self"-scoped role may start the clocks it handles. */
    if (!n || authz_unit_visible(c, j->p, PERM_EDIT, unit_id, handler_id) != FZ_OK)
        return api_invalid(r, "unit_id", "所属单位", "单位不存在或不在您的数据范围内");
    if (handler_id) {
        if (store_query_int(c, &n, 0, "SELECT count(*) FROM users WHERE id = ?", "i", handler_id))
            return api_store_error(r);
        if (!n)
            return api_invalid(r, "handler_id", "承办人", "用户不存在");
    }
    d->unit_id = unit_id;
    d->handler_id = handler_id;
    if (!d->label)
        d->label = d->name;
    return submit(r, j);
}

/* ---- operations on one clock ---- */

/* Loads the clock's unit and handler and checks the caller may act on it. */
static int visible(req *r, store_conn *c, int64_t id, const char *perm)
{
    int64_t unit = -1, handler = 0;
    store_stmt *st;
    if (store_prepare(c, "SELECT unit_id, handler_id FROM clocks WHERE id = ?", &st))
        return api_store_error(r);
    store_bind_int(st, 1, id);
    int rc = store_step(st);
    if (rc == STORE_ROW) {
        unit = store_col_int(st, 0);
        handler = store_col_int(st, 1);
    }
    store_done(st);
    if (rc != STORE_ROW && rc != STORE_DONE)
        return api_store_error(r);
    if (rc == STORE_DONE || authz_unit_visible(c, api_who(r), perm, unit, handler) != FZ_OK)
        return api_not_found(r, "期限");
    return FZ_OK;
}

/* Common prologue: body, id, scope. */
static op_job *op_prepare(req *r, int op, const char *const *keys, json_t **body)
{
    *body = req_json_body(r);
    if (!*body || api_only_keys(r, *body, keys))
        return NULL;
    int64_t id;
    if (api_path_id(r, "id", &id))
        return NULL;
    store_conn *c = api_reader(r);
    if (!c || visible(r, c, id, PERM_EDIT))
        return NULL;
    op_job *j = new_job(r, op);
    if (!j) {
        api_store_error(r);
        return NULL;
    }
    j->id = id;
    if (body_date(r, *body, "date", "日期", &j->day))
        return NULL;
    return j;
}

int api_clocks_pause(req *r)
{
    static const char *const keys[] = {"reason", "note", "date", NULL};
    json_t *body;
    op_job *j = op_prepare(r, OP_PAUSE, keys, &body);
    if (!j)
        return FZ_OK;
    if (api_text(r, body, "reason", "暂停原因", 1, 32, &j->reason) ||
        api_text(r, body, "note", "说明", 0, 500, &j->note))
        return FZ_OK;
    if (!clock_reason_find(j->reason))
        return api_invalid(r, "reason", "暂停原因",
                           "应为 hearing（听证）、appraisal（鉴定）、third_party（征求第三方意见）、correction（补正）、"
                           "consultation（征求其他机关意见）、inspection（检验检测检疫）、expert_review（专家评审）"
                           "或 tender（招标拍卖）");
    return submit(r, j);
}

int api_clocks_resume(req *r)
{
    static const char *const keys[] = {"date", "restart", NULL};
    json_t *body;
    op_job *j = op_prepare(r, OP_RESUME, keys, &body);
    if (!j || body_bool(r, body, "restart", "重新计算期限", &j->restart))
        return FZ_OK;
    return submit(r, j);
}

int api_clocks_extend(req *r)
{
    static const char *const keys[] = {"amount", "reason", "date", NULL};
    json_t *body;
    op_job *j = op_prepare(r, OP_EXTEND, keys, &body);
    int has;
    if (!j || body_rule(r, body, "amount", "延长期限", 1, &j->amount, &has) ||
        api_text(r, body, "reason", "延长理由", 1, 500, &j->reason))
        return FZ_OK;
    return submit(r, j);
}

int api_clocks_stop(req *r)
{
    static const char *const keys[] = {"date", "outcome", NULL};
    json_t *body;
    op_job *j = op_prepare(r, OP_STOP, keys, &body);
    if (!j || api_text(r, body, "outcome", "办理结果", 0, 200, &j->note))
        return FZ_OK;
    return submit(r, j);
}

/* ---- reads ---- */

static const cal *request_cal(req *r, store_conn *c)
{
    hol_ref *ref;
    if (holidays_acquire(c, &ref) != FZ_OK)
        return NULL;
    if (arena_defer(req_arena(r), holidays_release_v, ref) != FZ_OK) {
        holidays_release(ref);
        return NULL;
    }
    return holidays_cal(ref);
}

/* The events of a clock: its subject's events that name it in the payload. */
static json_t *clock_events(store_conn *c, const clock_row *row)
{
    json_t *rows = json_array();
    store_stmt *st;
    if (store_prepare(c, "SELECT seq, at, actor, action, from_state, to_state, payload FROM events"
                         " WHERE subject_kind = ? AND subject_id = ? AND action LIKE 'clock.%' ORDER BY seq", &st))
        return rows;
    store_bind_text(st, 1, row->subject_kind);
    store_bind_text(st, 2, row->subject_id);
    while (store_step(st) == STORE_ROW) {
        json_t *p = json_loads(store_col_text(st, 6), 0, NULL);
        json_t *cid = p ? json_object_get(p, "clock_id") : NULL;
        if (cid && json_integer_value(cid) == row->id) {
            char at[32];
            time_format_rfc3339(store_col_int(st, 1), at);
            json_array_append_new(rows, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:O}", "seq",
                                                  (json_int_t)store_col_int(st, 0), "at", at, "actor",
                                                  store_col_text(st, 2), "action", store_col_text(st, 3), "from_state",
                                                  store_col_text(st, 4), "to_state", store_col_text(st, 5), "payload",
                                                  p));
        }
        json_decref(p);
    }
    store_done(st);
    return rows;
}

int api_clocks_get(req *r)
{
    int64_t id;
    if (api_path_id(r, "id", &id))
        return FZ_OK;
    store_conn *c = api_reader(r);
    if (!c || visible(r, c, id, PERM_VIEW))
        return FZ_OK;
    const cal *k = request_cal(r, c);
    clock_row row;
    int rc = clock_load(c, id, &row);
    if (rc == FZ_NOTFOUND)
        return api_not_found(r, "期限");
    if (rc || !k)
        return api_store_error(r);
    json_t *o = clock_json(&row, k, scheduler_today());
    if (!o)
        return api_store_error(r);
    json_object_set_new(o, "pauses", clock_pauses_json(c, id));
    json_object_set_new(o, "events", clock_events(c, &row));
    return req_reply_json(r, 200, o);
}

#define LIST_WHERE                                                                                             \
    " FROM clocks c LEFT JOIN units u ON u.id = c.unit_id LEFT JOIN users h ON h.id = c.handler_id"           \
    " WHERE " AUTHZ_SCOPE_SQL("c.unit_id", "c.handler_id")                                                    \
    " AND (?6 = '' OR c.subject_kind = ?6) AND (?7 = '' OR c.subject_id = ?7)"                                \
    " AND (?8 = '' OR c.state = ?8 OR (?8 = 'open' AND c.state NOT IN ('stopped_in_time', 'stopped_late')))"  \
    " AND (?9 = 0 OR c.unit_id = ?9) AND (?10 = 0 OR c.handler_id = ?10)"                                     \
    " AND (?11 = '' OR (c.state IN ('running', 'warned') AND c.due_date >= ?12 AND c.due_date <= ?11))"       \
    " AND (?13 = 0 OR (c.state IN ('running', 'warned', 'overdue') AND c.due_date < ?12))"

static const char *const STATES[] = {"running", "paused", "warned", "overdue", "stopped_in_time", "stopped_late",
                                     "open", NULL};

typedef struct list_q {
    const char *kind, *subject, *state;
    int64_t unit, handler, within, overdue, page, size;
    char until[11], today[11];
} list_q;

static void bind_list(store_stmt *st, const principal *p, const list_q *q)
{
    authz_bind_scope(st, p, PERM_VIEW);
    store_bind_text(st, 6, q->kind);
    store_bind_text(st, 7, q->subject);
    store_bind_text(st, 8, q->state);
    store_bind_int(st, 9, q->unit);
    store_bind_int(st, 10, q->handler);
    store_bind_text(st, 11, q->until);
    store_bind_text(st, 12, q->today);
    store_bind_int(st, 13, q->overdue);
}

int api_clocks_list(req *r)
{
    list_q q = {0};
    int64_t mine = 0;
    if (api_paging(r, &q.page, &q.size) || api_query_text(r, "subject_kind", &q.kind) ||
        api_query_text(r, "subject_id", &q.subject) || api_query_text(r, "state", &q.state) ||
        api_query_int(r, "unit_id", 0, INT64_MAX, 0, &q.unit) ||
        api_query_int(r, "handler_id", 0, INT64_MAX, 0, &q.handler) ||
        api_query_int(r, "mine", 0, 1, 0, &mine) || api_query_int(r, "due_within", -1, 366, -1, &q.within) ||
        api_query_int(r, "overdue", 0, 1, 0, &q.overdue))
        return FZ_OK;
    int ok = !*q.state;
    for (int i = 0; STATES[i] && !ok; i++)
        ok = strcmp(STATES[i], q.state) == 0;
    if (!ok)
        return api_invalid(r, "state", "查询参数",
                           "应为 running、paused、warned、overdue、stopped_in_time、stopped_late 或 open");
    const principal *p = api_who(r);
    if (mine)
        q.handler = p->user_id ? p->user_id : -1;
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    const cal *k = request_cal(r, c);
    if (!k)
        return api_store_error(r);
    int64_t today = scheduler_today(), until;
    int y, m, d;
    civil_from_days(today, &y, &m, &d);
    date_format(y, m, d, q.today);
    if (q.within >= 0) {
        if (cal_add_workdays(k, today, q.within, &until, NULL) != FZ_OK)
            return api_invalid(r, "due_within", "查询参数", "超出日历范围");
        civil_from_days(until, &y, &m, &d);
        date_format(y, m, d, q.until);
    }
    store_stmt *st;
    int64_t total = 0;
    if (store_prepare(c, "SELECT count(*)" LIST_WHERE, &st))
        return api_store_error(r);
    bind_list(st, p, &q);
    if (store_step(st) == STORE_ROW)
        total = store_col_int(st, 0);
    store_done(st);
    if (store_prepare(c, "SELECT " CLOCK_COLUMNS ", coalesce(u.name, ''), coalesce(h.name, '')" LIST_WHERE
                         " ORDER BY c.due_date, c.id LIMIT ?14 OFFSET ?15", &st))
        return api_store_error(r);
    bind_list(st, p, &q);
    store_bind_int(st, 14, q.size);
    store_bind_int(st, 15, (q.page - 1) * q.size);
    json_t *rows = json_array();
    while (store_step(st) == STORE_ROW) {
        clock_row row;
        if (clock_read_row(st, &row) != FZ_OK)
            continue;
        json_t *o = clock_json(&row, k, today);
        if (!o)
            continue;
        json_object_set_new(o, "unit_name", json_string(store_col_text(st, CLOCK_NCOLUMNS)));
        json_object_set_new(o, "handler_name", json_string(store_col_text(st, CLOCK_NCOLUMNS + 1)));
        json_array_append_new(rows, o);
    }
    store_done(st);
    return req_reply_json(r, 200, json_pack("{s:I, s:o, s:s}", "total", (json_int_t)total, "rows", rows, "today",
                                            q.today));
}

/* ---- notifications ---- */

int api_notifications_list(req *r)
{
    const principal *p = api_who(r);
    if (p->token_id)
        return req_reply_error(r, 403, "forbidden", "API 令牌没有个人通知", NULL);
    int64_t page, size, unread;
    if (api_paging(r, &page, &size) || api_query_int(r, "unread", 0, 1, 0, &unread))
        return FZ_OK;
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
#define MINE " FROM notifications WHERE (user_id = ?1 OR (user_id = 0 AND unit_id = ?2))"
    int64_t total = 0, unread_n = 0;
    if (store_query_int(c, &total, 0, "SELECT count(*)" MINE " AND (?3 = 0 OR read_at = 0)", "iii", p->user_id,
                        p->unit_id, unread) ||
        store_query_int(c, &unread_n, 0, "SELECT count(*)" MINE " AND read_at = 0", "ii", p->user_id, p->unit_id))
        return api_store_error(r);
    store_stmt *st;
    if (store_prepare(c, "SELECT id, kind, title, body, clock_id, subject_kind, subject_id, due_date, created_at,"
                         " read_at" MINE " AND (?3 = 0 OR read_at = 0) ORDER BY id DESC LIMIT ?4 OFFSET ?5", &st))
        return api_store_error(r);
#undef MINE
    store_bind_int(st, 1, p->user_id);
    store_bind_int(st, 2, p->unit_id);
    store_bind_int(st, 3, unread);
    store_bind_int(st, 4, size);
    store_bind_int(st, 5, (page - 1) * size);
    json_t *rows = json_array();
    while (store_step(st) == STORE_ROW)
        json_array_append_new(rows, json_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:I, s:I}", "id",
                                              (json_int_t)store_col_int(st, 0), "kind", store_col_text(st, 1),
                                              "title", store_col_text(st, 2), "body", store_col_text(st, 3),
                                              "clock_id", (json_int_t)store_col_int(st, 4), "subject_kind",
                                              store_col_text(st, 5), "subject_id", store_col_text(st, 6), "due_date",
                                              store_col_text(st, 7), "created_at", (json_int_t)store_col_int(st, 8),
                                              "read_at", (json_int_t)store_col_int(st, 9)));
    store_done(st);
    return req_reply_json(r, 200, json_pack("{s:I, s:I, s:o}", "total", (json_int_t)total, "unread",
                                            (json_int_t)unread_n, "rows", rows));
}

typedef struct read_job {
    app *a;
    const principal *p;
    int64_t id;
} read_job;

/* Reading a warning is recorded: it shows the handler was told. */
static int read_write(store_conn *w, void *ctx)
{
    read_job *j = ctx;
    int64_t read_at = -1, unit = 0;
    store_stmt *st;
    if (store_prepare(w, "SELECT read_at, unit_id FROM notifications WHERE id = ? AND (user_id = ? OR (user_id = 0"
                         " AND unit_id = ?))", &st))
        return FZ_ERR;
    store_bind_int(st, 1, j->id);
    store_bind_int(st, 2, j->p->user_id);
    store_bind_int(st, 3, j->p->unit_id);
    int rc = store_step(st);
    if (rc == STORE_ROW) {
        read_at = store_col_int(st, 0);
        unit = store_col_int(st, 1);
    }
    store_done(st);
    if (rc == STORE_DONE)
        return FZ_NOTFOUND;
    if (rc != STORE_ROW)
        return FZ_ERR;
    if (read_at)
        return FZ_OK; /* already read: nothing changes */
    if ((rc = store_run(w, "UPDATE notifications SET read_at = ? WHERE id = ?", "ii", time_now_ms(), j->id)))
        return rc;
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", (long long)j->id);
    event e = {.ledger = j->a->cfg.region_code, .actor = j->p->username, .unit_id = unit,
               .subject_kind = "notification", .subject_id = sid, .action = "notification.read"};
    json_t *payload = json_pack("{s:I}", "notification_id", (json_int_t)j->id);
    rc = event_append(w, &e, payload);
    json_decref(payload);
    return rc;
}

static int read_then(req *r, void *ctx, int rc)
{
    read_job *j = ctx;
    if (rc == FZ_NOTFOUND)
        return api_not_found(r, "通知");
    if (rc)
        return api_store_error(r);
    return req_reply_json(r, 200, json_pack("{s:I, s:b}", "id", (json_int_t)j->id, "read", 1));
}

int api_notifications_read(req *r)
{
    const principal *p = api_who(r);
    if (p->token_id)
        return req_reply_error(r, 403, "forbidden", "API 令牌没有个人通知", NULL);
    read_job *j = arena_alloc(req_arena(r), sizeof(*j));
    if (!j)
        return api_store_error(r);
    if (api_path_id(r, "id", &j->id))
        return FZ_OK;
    j->a = req_app(r);
    j->p = p;
    if (req_write(r, read_write, j, read_then) != FZ_OK)
        return api_store_error(r);
    return FZ_OK;
}

/* ---- the scheduler, now ---- */

static int sched_then(req *r, void *ctx, int rc)
{
    scheduler_job *j = ctx;
    if (rc)
        return api_store_error(r);
    char today[11];
    int y, m, d;
    civil_from_days(j->today, &y, &m, &d);
    date_format(y, m, d, today);
    return req_reply_json(r, 200, json_pack("{s:i, s:s}", "changed", j->changed, "as_of", today));
}

int api_scheduler_run(req *r)
{
    scheduler_job *j = arena_alloc(req_arena(r), sizeof(*j));
    if (!j)
        return api_store_error(r);
    j->ledger = req_app(r)->cfg.region_code;
    j->today = scheduler_today();
    if (req_write(r, scheduler_job_fn, j, sched_then) != FZ_OK)
        return api_store_error(r);
    return FZ_OK;
}
