/* review_campaign.c: 案卷评查 campaigns, the writes (see review_campaign.h;
 * the reads are in review_view.c). Each function runs in a store write job:
 * it reads the rows it changes on the writer connection, checks their state
 * there, updates them with the old state in the WHERE clause and appends
 * one event, so two concurrent requests cannot both apply. */
#include "engine/review_campaign.h"
#include "engine/events.h"
#include "engine/fields.h"
#include "engine/file_review.h"
#include "store/store.h"
#include "core/sm.h"
#include "core/status.h"
#include "core/strbuf.h"
#include "core/timeutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int refuse(review_ctx *x, int status, const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int refuse(review_ctx *x, int status, const char *code, const char *field, const char *fmt, ...)
{
    x->status = status;
    x->code = code;
    snprintf(x->field, sizeof(x->field), "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->message, sizeof(x->message), fmt, ap);
    va_end(ap);
    return status == 404 ? FZ_NOTFOUND : status == 409 ? FZ_CONFLICT : FZ_INVALID;
}

int review_may_review(const principal *p)
{
    for (int i = 0; p && i < p->nroles; i++)
        if (!strcmp(p->roles[i].key, "reviewer") || !strcmp(p->roles[i].key, "supervisor"))
            return 1;
    return 0;
}

int review_rubric_check(const defs *ds, char *why, size_t n)
{
    static const struct {
        const char *field, *type;
    } needed[] = {{"rubric", "string"}, {"seq", "int"},    {"code", "string"},   {"category", "string"},
                  {"label", "text"},    {"kind", "enum"},  {"points", "string"}};
    const def *c = defs_find(ds, DEF_CATALOG, REVIEW_RUBRIC_CATALOG);
    if (!c) {
        snprintf(why, n, "名录 review_rubric（案卷评查标准）未定义（见 defs/review_rubric.json）");
        return FZ_NOTFOUND;
    }
    for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
        json_t *f = fields_find(c, needed[i].field);
        const char *t = f ? json_string_value(json_object_get(f, "type")) : NULL;
        if (!t || strcmp(t, needed[i].type) != 0) {
            snprintf(why, n, "名录 review_rubric 缺少 %s 类型的字段 %s", needed[i].type, needed[i].field);
            return FZ_NOTFOUND;
        }
    }
    return FZ_OK;
}

static int append(store_conn *w, review_ctx *x, const char *subject, int64_t sid, int64_t unit_id,
                  const char *action, const char *from, const char *to, json_t *payload)
{
    char s[24];
    snprintf(s, sizeof(s), "%lld", (long long)sid);
    event e = {.ledger = x->ledger, .actor = x->who ? x->who->username : "cli", .unit_id = unit_id,
               .subject_kind = subject, .subject_id = s, .action = action, .from_state = from ? from : "",
               .to_state = to ? to : ""};
    int rc = payload ? event_append(w, &e, payload) : FZ_NOMEM;
    json_decref(payload);
    return rc;
}

/* ---- the rubric ---- */

/* The rubric's items in force now, checked, as the campaign keeps them. */
static int load_rubric(store_conn *w, review_ctx *x, const char *name, json_t *items)
{
    store_stmt *st;
    if (store_prepare(w,
                      "SELECT row_id, version, f_code, f_category, f_label, f_kind, f_points FROM cat_review_rubric"
                      " WHERE valid_to = 0 AND f_rubric = ? ORDER BY COALESCE(f_seq, 0), row_id",
                      &st))
        return FZ_ERR;
    store_bind_text(st, 1, name);
    int rc = FZ_OK, s, n = 0;
    while (rc == FZ_OK && (s = store_step(st)) == STORE_ROW) {
        n++;
        const char *code = store_col_text(st, 2), *kind_text = store_col_text(st, 5),
                   *pts = store_col_text(st, 6);
        fr_kind kind = file_review_kind(kind_text);
        int p2 = 0;
        if (!kind) {
            rc = refuse(x, 400, "validation_failed", "rubric", "评查标准「%s」第 %d 项（%s）的类型应为 否决 或 扣分",
                        name, n, code);
        } else if (kind == FR_DEDUCTION && (file_review_parse_points(pts, &p2) != FZ_OK || p2 == 0)) {
            rc = refuse(x, 400, "validation_failed", "rubric",
                        "评查标准「%s」第 %d 项（%s）是扣分项，分值「%s」应为 0.5 到 100 之间、以 0.5 分为单位的数",
                        name, n, code, pts);
        } else {
            size_t i;
            json_t *o;
            json_array_foreach(items, i, o) if (!strcmp(json_string_value(json_object_get(o, "code")), code)) rc =
                refuse(x, 400, "validation_failed", "rubric", "评查标准「%s」中项目编码 %s 重复", name, code);
        }
        if (rc == FZ_OK)
            json_array_append_new(
                items, json_pack("{s:s, s:s, s:s, s:s, s:o, s:I, s:I}", "code", code, "category",
                                 store_col_text(st, 3), "label", store_col_text(st, 4), "kind",
                                 file_review_kind_code(kind), "points", file_review_points_json(p2), "row_id",
                                 (json_int_t)store_col_int(st, 0), "version", (json_int_t)store_col_int(st, 1)));
    }
    store_done(st);
    if (rc)
        return rc;
    if (s != STORE_DONE)
        return FZ_ERR;
    if (!n)
        return refuse(x, 400, "validation_failed", "rubric", "评查标准「%s」不存在或没有现行有效的评查项（名录 review_rubric）",
                      name);
    return FZ_OK;
}

/* The kept rubric's items as fr_item (strings borrowed from rubric). */
static int rubric_items(json_t *rubric, fr_item **out, size_t *n)
{
    json_t *items = json_object_get(rubric, "items");
    *n = json_array_size(items);
    *out = calloc(*n ? *n : 1, sizeof(**out));
    if (!*out)
        return FZ_NOMEM;
    size_t i;
    json_t *o;
    json_array_foreach(items, i, o)
    {
        fr_item *it = &(*out)[i];
        it->code = json_string_value(json_object_get(o, "code"));
        it->category = json_string_value(json_object_get(o, "category"));
        it->label = json_string_value(json_object_get(o, "label"));
        const char *kind = json_string_value(json_object_get(o, "kind"));
        it->kind = kind && !strcmp(kind, "veto") ? FR_VETO : FR_DEDUCTION;
        if (!it->code || !it->label || file_review_json_points(json_object_get(o, "points"), &it->points2) != FZ_OK)
            return FZ_ERR;
    }
    return FZ_OK;
}

int review_campaign_create(store_conn *w, review_ctx *x, const review_spec *s, int64_t *id)
{
    json_t *items = json_array();
    int rc = load_rubric(w, x, s->rubric, items);
    if (rc) {
        json_decref(items);
        return rc;
    }
    /* The digest covers the name and the items (codes, texts, points and
     * the catalog versions), not the time: the same rubric, the same digest. */
    int64_t now = time_now_ms();
    size_t nitems = json_array_size(items);
    json_t *snap = json_pack("{s:s, s:o}", "name", s->rubric, "items", items);
    char *canon = snap ? event_payload_text(snap) : NULL;
    unsigned char d[SM3_LEN];
    char digest[SM3_HEX_LEN + 1];
    rc = canon ? sm3(canon, strlen(canon), d) : FZ_NOMEM;
    free(canon);
    if (rc == FZ_OK)
        sm3_hex(d, digest);
    json_object_set_new(snap, "as_of", json_integer(now));
    char *text = rc == FZ_OK ? event_payload_text(snap) : NULL;
    json_decref(snap);
    if (!text)
        return rc ? rc : FZ_NOMEM;
    store_stmt *st;
    rc = store_prepare(w,
                       "INSERT INTO review_campaigns (name, kind, states, date_field, period_from, period_to, per_unit,"
                       " seed, units, rubric_name, rubric, rubric_digest, state, candidates, summary, unit_id,"
                       " region_code, created_by, created_at, drawn_at, closed_at, updated_at)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', 0, '', ?, ?, ?, ?, 0, 0, ?) RETURNING id",
                       &st);
    if (rc == FZ_OK) {
        store_bind_text(st, 1, s->name);
        store_bind_text(st, 2, s->d->name);
        store_bind_text(st, 3, s->states);
        store_bind_text(st, 4, s->date_field);
        store_bind_text(st, 5, s->period_from);
        store_bind_text(st, 6, s->period_to);
        store_bind_int(st, 7, s->per_unit);
        store_bind_text(st, 8, s->seed);
        store_bind_text(st, 9, s->units);
        store_bind_text(st, 10, s->rubric);
        store_bind_text(st, 11, text);
        store_bind_text(st, 12, digest);
        store_bind_int(st, 13, x->who ? x->who->unit_id : 0);
        store_bind_text(st, 14, x->ledger);
        store_bind_text(st, 15, x->who ? x->who->username : "cli");
        store_bind_int(st, 16, now);
        store_bind_int(st, 17, now);
        rc = store_step(st) == STORE_ROW ? FZ_OK : FZ_ERR;
        *id = rc == FZ_OK ? store_col_int(st, 0) : 0;
        store_done(st);
    }
    free(text);
    if (rc)
        return rc;
    json_t *payload = json_pack("{s:s, s:s, s:o, s:s, s:s, s:s, s:i, s:s, s:o, s:s, s:s, s:I}", "name", s->name, "kind",
                                s->d->name, "states", file_review_list_json(s->states, 0), "date_field", s->date_field,
                                "period_from", s->period_from, "period_to", s->period_to, "per_unit", s->per_unit,
                                "seed", s->seed, "units", file_review_list_json(s->units, 1), "rubric", s->rubric,
                                "rubric_digest", digest, "rubric_items", (json_int_t)nitems);
    return append(w, x, "review_campaign", *id, x->who ? x->who->unit_id : 0, "review.created", "", "draft", payload);
}

/* ---- the draw ---- */

typedef struct campaign_row {
    int64_t unit_id, per_unit;
    char state[16], kind[64], date_field[64], from[16], to[16];
    char *seed, *units, *states;
} campaign_row;

static void campaign_row_free(campaign_row *c)
{
    free(c->seed);
    free(c->units);
    free(c->states);
}

static int load_campaign(store_conn *w, int64_t id, campaign_row *c)
{
    memset(c, 0, sizeof(*c));
    store_stmt *st;
    if (store_prepare(w,
                      "SELECT state, kind, states, date_field, period_from, period_to, per_unit, seed, units, unit_id"
                      " FROM review_campaigns WHERE id = ?",
                      &st))
        return FZ_ERR;
    store_bind_int(st, 1, id);
    int rc = store_step(st);
    if (rc == STORE_ROW) {
        snprintf(c->state, sizeof(c->state), "%s", store_col_text(st, 0));
        snprintf(c->kind, sizeof(c->kind), "%s", store_col_text(st, 1));
        c->states = strdup(store_col_text(st, 2));
        snprintf(c->date_field, sizeof(c->date_field), "%s", store_col_text(st, 3));
        snprintf(c->from, sizeof(c->from), "%s", store_col_text(st, 4));
        snprintf(c->to, sizeof(c->to), "%s", store_col_text(st, 5));
        c->per_unit = store_col_int(st, 6);
        c->seed = strdup(store_col_text(st, 7));
        c->units = strdup(store_col_text(st, 8));
        c->unit_id = store_col_int(st, 9);
    }
    store_done(st);
    if (rc == STORE_DONE)
        return FZ_NOTFOUND;
    if (rc != STORE_ROW)
        return FZ_ERR;
    return c->states && c->seed && c->units ? FZ_OK : FZ_NOMEM;
}

/* Local midnight starting day YYYY-MM-DD plus add days, in ms. */
static int64_t local_day_ms(const char *ymd, int add)
{
    int y = 1970, m = 1, d = 1;
    date_parse(ymd, &y, &m, &d);
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d + add, .tm_isdst = -1};
    return (int64_t)mktime(&tm) * 1000;
}

typedef struct cand_list {
    fr_candidate *v;
    size_t n, cap;
} cand_list;

static void cand_free(cand_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free((char *)l->v[i].case_no);
    free(l->v);
}

/* The candidates: cases of the procedure now in one of the states, in the
 * units, closed (entered one of the states, or the date field) within the
 * period. The table and column names come from the validated definition. */
static int candidates(store_conn *w, const def *d, const campaign_row *c, cand_list *out)
{
    strbuf sql = STRBUF_INIT;
    if (c->date_field[0])
        strbuf_printf(&sql,
                      "SELECT t.id, t.no, t.unit_id FROM case_%s t WHERE instr(?1, ',' || t.state || ',') > 0"
                      " AND (?2 = '' OR instr(?2, ',' || CAST(t.unit_id AS TEXT) || ',') > 0)"
                      " AND t.f_%s >= ?3 AND t.f_%s <= ?4",
                      d->name, c->date_field, c->date_field);
    else
        strbuf_printf(&sql,
                      "SELECT x.id, x.no, x.unit_id FROM (SELECT t.id, t.no, t.unit_id,"
                      " (SELECT min(e.at) FROM events e WHERE e.subject_kind = ?3 AND e.subject_id = CAST(t.id AS TEXT)"
                      "   AND instr(?1, ',' || e.to_state || ',') > 0) AS entered"
                      " FROM case_%s t WHERE instr(?1, ',' || t.state || ',') > 0"
                      " AND (?2 = '' OR instr(?2, ',' || CAST(t.unit_id AS TEXT) || ',') > 0)) x"
                      " WHERE x.entered >= ?4 AND x.entered < ?5",
                      d->name);
    store_stmt *st;
    int rc = strbuf_ok(&sql) ? store_prepare(w, sql.data, &st) : FZ_NOMEM;
    strbuf_free(&sql);
    if (rc)
        return rc;
    store_bind_text(st, 1, c->states);
    store_bind_text(st, 2, c->units);
    if (c->date_field[0]) {
        store_bind_text(st, 3, c->from);
        store_bind_text(st, 4, c->to);
    } else {
        char kind[80];
        snprintf(kind, sizeof(kind), "case:%s", d->name);
        store_bind_text(st, 3, kind);
        store_bind_int(st, 4, local_day_ms(c->from, 0));
        store_bind_int(st, 5, local_day_ms(c->to, 1));
    }
    int s;
    while (rc == FZ_OK && (s = store_step(st)) == STORE_ROW) {
        if (out->n == out->cap) {
            size_t cap = out->cap ? out->cap * 2 : 64;
            fr_candidate *nv = realloc(out->v, cap * sizeof(*nv));
            if (!nv) {
                rc = FZ_NOMEM;
                break;
            }
            out->v = nv;
            out->cap = cap;
        }
        fr_candidate *f = &out->v[out->n];
        memset(f, 0, sizeof(*f));
        f->case_id = store_col_int(st, 0);
        f->case_no = strdup(store_col_text(st, 1));
        f->unit_id = store_col_int(st, 2);
        if (!f->case_no) {
            rc = FZ_NOMEM;
            break;
        }
        out->n++;
    }
    store_done(st);
    return rc ? rc : s == STORE_DONE ? FZ_OK : FZ_ERR;
}

static int insert_file(store_conn *w, int64_t cid, const char *kind, const fr_candidate *f, int64_t now,
                       int64_t *fid)
{
    store_stmt *st;
    if (store_prepare(w,
                      "INSERT INTO review_files (campaign_id, unit_id, case_kind, case_id, case_no, draw_rank,"
                      " draw_key, state, score2, band, veto, marks, remark, scored_by, scored_at, first_score2,"
                      " statement, statement_by, statement_at, adjust_reason, adjusted_by, adjusted_at, followup,"
                      " retrospect_note, retrospect_at, referred_to, referral_note, referred_at, case_filed,"
                      " sanctioned, first_form, advice, outcome_at, updated_at)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', -1, '', 0, '[]', '', '', 0, -1, '', '', 0, '', '', 0,"
                      " '', '', 0, '', '', 0, 0, 0, 0, '', 0, ?) RETURNING id",
                      &st))
        return FZ_ERR;
    store_bind_int(st, 1, cid);
    store_bind_int(st, 2, f->unit_id);
    store_bind_text(st, 3, kind);
    store_bind_int(st, 4, f->case_id);
    store_bind_text(st, 5, f->case_no);
    store_bind_int(st, 6, f->rank);
    store_bind_text(st, 7, f->key);
    store_bind_int(st, 8, now);
    int rc = store_step(st) == STORE_ROW ? FZ_OK : FZ_ERR;
    *fid = rc == FZ_OK ? store_col_int(st, 0) : 0;
    store_done(st);
    return rc;
}

int review_campaign_draw(store_conn *w, review_ctx *x, const defs *ds, int64_t id)
{
    campaign_row c;
    int rc = load_campaign(w, id, &c);
    if (rc == FZ_NOTFOUND)
        return refuse(x, 404, "not_found", NULL, "评查活动不存在");
    if (rc) {
        campaign_row_free(&c);
        return rc;
    }
    cand_list l = {0};
    const def *d = defs_find(ds, DEF_PROCEDURE, c.kind);
    json_t *df = d && c.date_field[0] ? fields_find(d, c.date_field) : NULL;
    if (strcmp(c.state, "draft") != 0)
        rc = refuse(x, 409, "conflict", NULL, "本次评查已抽样，样本已保存，不能重新抽取");
    else if (!d)
        rc = refuse(x, 409, "conflict", NULL, "程序 %s 的定义已不存在，无法抽样", c.kind);
    else if (c.date_field[0] && (!df || strcmp(json_string_value(json_object_get(df, "type")), "date") != 0))
        rc = refuse(x, 409, "conflict", NULL, "程序 %s 已没有日期字段 %s，无法抽样", c.kind, c.date_field);
    if (rc == FZ_OK)
        rc = candidates(w, d, &c, &l);
    int drawn = rc == FZ_OK ? file_review_sample(l.v, l.n, c.seed, (int)c.per_unit) : 0;
    if (rc == FZ_OK && drawn < 0)
        rc = FZ_ERR;
    if (rc == FZ_OK && drawn == 0)
        rc = refuse(x, 409, "conflict", NULL, "没有符合条件的案卷（%s 至 %s 办结、处于所选状态的案件），未抽样", c.from,
                    c.to);
    int64_t now = time_now_ms();
    json_t *files = json_array(), *units = json_array();
    for (size_t i = 0; rc == FZ_OK && i < l.n; i++) {
        const fr_candidate *f = &l.v[i];
        if (i == 0 || f->unit_id != l.v[i - 1].unit_id) {
            size_t k = i;
            while (k < l.n && l.v[k].unit_id == f->unit_id)
                k++;
            json_array_append_new(units, json_pack("{s:I, s:I, s:I}", "unit_id", (json_int_t)f->unit_id, "candidates",
                                                   (json_int_t)(k - i), "drawn",
                                                   (json_int_t)(k - i < (size_t)c.per_unit ? k - i : (size_t)c.per_unit)));
        }
        if (!f->sampled)
            continue;
        int64_t fid;
        rc = insert_file(w, id, c.kind, f, now, &fid);
        if (rc == FZ_OK)
            json_array_append_new(files, json_pack("{s:I, s:I, s:s, s:I, s:i, s:s}", "file_id", (json_int_t)fid,
                                                   "case_id", (json_int_t)f->case_id, "case_no", f->case_no,
                                                   "unit_id", (json_int_t)f->unit_id, "rank", f->rank, "key", f->key));
    }
    if (rc == FZ_OK)
        rc = store_run(w,
                       "UPDATE review_campaigns SET state = 'open', candidates = ?, drawn_at = ?, updated_at = ?"
                       " WHERE id = ? AND state = 'draft'",
                       "iiii", (int64_t)l.n, now, now, id);
    if (rc == FZ_OK)
        rc = append(w, x, "review_campaign", id, c.unit_id, "review.drawn", "draft", "open",
                    json_pack("{s:s, s:I, s:I, s:O, s:O}", "seed", c.seed, "candidates", (json_int_t)l.n, "drawn",
                              (json_int_t)drawn, "units", units, "files", files));
    json_decref(files);
    json_decref(units);
    cand_free(&l);
    campaign_row_free(&c);
    return rc;
}

int review_campaign_close(store_conn *w, review_ctx *x, int64_t id, const char *summary)
{
    campaign_row c;
    int rc = load_campaign(w, id, &c);
    campaign_row_free(&c);
    if (rc == FZ_NOTFOUND)
        return refuse(x, 404, "not_found", NULL, "评查活动不存在");
    if (rc)
        return rc;
    if (strcmp(c.state, "open") != 0)
        return refuse(x, 409, "conflict", NULL, "%s",
                      !strcmp(c.state, "draft") ? "尚未抽样，不能结束" : "本次评查已结束");
    fr_tally t = {0};
    int64_t waiting = 0;
    store_stmt *st;
    if (store_prepare(w, "SELECT state, score2 FROM review_files WHERE campaign_id = ?", &st))
        return FZ_ERR;
    store_bind_int(st, 1, id);
    int s;
    while ((s = store_step(st)) == STORE_ROW) {
        int scored = !strcmp(store_col_text(st, 0), "scored");
        waiting += !scored;
        file_review_tally_add(&t, scored, (int)store_col_int(st, 1));
    }
    store_done(st);
    if (s != STORE_DONE)
        return FZ_ERR;
    if (waiting)
        return refuse(x, 409, "conflict", NULL, "尚有 %lld 份案卷未评分或陈述申辩待复核，不能结束", (long long)waiting);
    int64_t now = time_now_ms();
    rc = store_run(w,
                   "UPDATE review_campaigns SET state = 'closed', summary = ?, closed_at = ?, updated_at = ?"
                   " WHERE id = ? AND state = 'open'",
                   "siii", summary, now, now, id);
    if (rc)
        return rc;
    char mean[24];
    file_review_mean_text(&t, mean);
    return append(w, x, "review_campaign", id, c.unit_id, "review.closed", "open", "closed",
                  json_pack("{s:s, s:I, s:s, s:I, s:I, s:I}", "summary", summary, "files", (json_int_t)t.files, "mean",
                            mean, "excellent", (json_int_t)t.bands[FR_EXCELLENT], "pass",
                            (json_int_t)t.bands[FR_PASS], "fail", (json_int_t)t.bands[FR_FAIL]));
}

/* ---- one file ---- */

typedef struct file_row {
    int64_t unit_id, statement_at;
    int score2;
    char state[16], band[16], followup[16], cstate[16], case_no[128];
    json_t *rubric;
} file_row;

static int load_file(store_conn *w, review_ctx *x, int64_t cid, int64_t fid, file_row *f)
{
    memset(f, 0, sizeof(*f));
    store_stmt *st;
    if (store_prepare(w,
                      "SELECT f.unit_id, f.state, f.score2, f.band, f.case_no, f.statement_at, f.followup, c.state,"
                      " c.rubric FROM review_files f JOIN review_campaigns c ON c.id = f.campaign_id"
                      " WHERE f.id = ? AND f.campaign_id = ?",
                      &st))
        return FZ_ERR;
    store_bind_int(st, 1, fid);
    store_bind_int(st, 2, cid);
    int rc = store_step(st);
    if (rc == STORE_ROW) {
        f->unit_id = store_col_int(st, 0);
        snprintf(f->state, sizeof(f->state), "%s", store_col_text(st, 1));
        f->score2 = (int)store_col_int(st, 2);
        snprintf(f->band, sizeof(f->band), "%s", store_col_text(st, 3));
        snprintf(f->case_no, sizeof(f->case_no), "%s", store_col_text(st, 4));
        f->statement_at = store_col_int(st, 5);
        snprintf(f->followup, sizeof(f->followup), "%s", store_col_text(st, 6));
        snprintf(f->cstate, sizeof(f->cstate), "%s", store_col_text(st, 7));
        f->rubric = json_loads(store_col_text(st, 8), 0, NULL);
    }
    store_done(st);
    if (rc == STORE_DONE)
        return refuse(x, 404, "not_found", NULL, "评查案卷不存在");
    if (rc != STORE_ROW)
        return FZ_ERR;
    return f->rubric ? FZ_OK : FZ_ERR;
}

static int open_campaign(review_ctx *x, const file_row *f)
{
    if (!strcmp(f->cstate, "open"))
        return FZ_OK;
    return refuse(x, 409, "conflict", NULL, "%s",
                  !strcmp(f->cstate, "closed") ? "本次评查已结束（已集中点评），评查结果不再改变" : "本次评查尚未抽样");
}

/* Scores marks against the file's rubric; 400 naming the item at fault. */
static int score_marks(review_ctx *x, const file_row *f, const json_t *marks, json_t **norm, fr_result *res)
{
    fr_item *items = NULL;
    size_t n = 0;
    int rc = rubric_items(f->rubric, &items, &n);
    if (rc == FZ_OK) {
        char field[64], reason[256];
        rc = file_review_score(items, n, marks, norm, res, field, reason);
        if (rc == FZ_INVALID)
            refuse(x, 400, "validation_failed", field, "评查项（%s）：%s", field, reason);
    }
    free(items);
    return rc;
}

static json_t *file_payload(int64_t cid, const file_row *f)
{
    return json_pack("{s:I, s:s}", "campaign_id", (json_int_t)cid, "case_no", f->case_no);
}

static void add_score(json_t *o, const char *key, int score2)
{
    char t[16];
    file_review_points_text(score2, t);
    json_object_set_new(o, key, json_string(t));
}

int review_file_score(store_conn *w, review_ctx *x, int64_t cid, int64_t fid, const json_t *marks,
                      const char *remark)
{
    file_row f;
    json_t *norm = NULL;
    fr_result res = {0};
    int rc = load_file(w, x, cid, fid, &f);
    if (rc == FZ_OK)
        rc = open_campaign(x, &f);
    if (rc == FZ_OK && strcmp(f.state, "pending") != 0)
        rc = refuse(x, 409, "conflict", NULL, "该案卷已评分；改变评分请用「调整」并说明理由");
    if (rc == FZ_OK)
        rc = score_marks(x, &f, marks, &norm, &res);
    char *text = rc == FZ_OK ? json_dumps(norm, JSON_COMPACT) : NULL;
    if (rc == FZ_OK && !text)
        rc = FZ_NOMEM;
    int64_t now = time_now_ms();
    const char *band = file_review_band_code(res.band);
    if (rc == FZ_OK)
        rc = store_run(w,
                       "UPDATE review_files SET state = 'scored', score2 = ?, band = ?, veto = ?, marks = ?, remark = ?,"
                       " scored_by = ?, scored_at = ?, first_score2 = ?, updated_at = ? WHERE id = ? AND state = 'pending'",
                       "isisssiiii", (int64_t)res.score2, band, (int64_t)res.veto, text, remark ? remark : "",
                       x->who ? x->who->username : "cli", now, (int64_t)res.score2, now, fid);
    if (rc == FZ_OK) {
        json_t *p = file_payload(cid, &f);
        add_score(p, "score", res.score2);
        json_object_set_new(p, "band", json_string(band));
        json_object_set_new(p, "veto", json_boolean(res.veto));
        json_object_set(p, "marks", norm);
        json_object_set_new(p, "remark", json_string(remark ? remark : ""));
        rc = append(w, x, "review_file", fid, f.unit_id, "review.scored", "pending", "scored", p);
    }
    free(text);
    json_decref(norm);
    json_decref(f.rubric);
    return rc;
}

int review_file_statement(store_conn *w, review_ctx *x, int64_t cid, int64_t fid, const char *text)
{
    file_row f;
    int rc = load_file(w, x, cid, fid, &f);
    if (rc == FZ_OK)
        rc = open_campaign(x, &f);
    if (rc == FZ_OK && f.statement_at)
        rc = refuse(x, 409, "conflict", NULL, "该案卷已提出过陈述申辩（每份案卷一次）");
    else if (rc == FZ_OK && strcmp(f.state, "scored") != 0)
        rc = refuse(x, 409, "conflict", NULL, "该案卷尚未评分，评分后才能陈述申辩");
    int64_t now = time_now_ms();
    if (rc == FZ_OK)
        rc = store_run(w,
                       "UPDATE review_files SET state = 'disputed', statement = ?, statement_by = ?, statement_at = ?,"
                       " updated_at = ? WHERE id = ? AND state = 'scored' AND statement_at = 0",
                       "ssiii", text, x->who ? x->who->username : "cli", now, now, fid);
    if (rc == FZ_OK) {
        json_t *p = file_payload(cid, &f);
        json_object_set_new(p, "statement", json_string(text));
        add_score(p, "score", f.score2);
        rc = append(w, x, "review_file", fid, f.unit_id, "review.statement", "scored", "disputed", p);
    }
    json_decref(f.rubric);
    return rc;
}

int review_file_adjust(store_conn *w, review_ctx *x, int64_t cid, int64_t fid, const json_t *marks,
                       const char *reason)
{
    file_row f;
    json_t *norm = NULL;
    fr_result res = {0};
    int rc = load_file(w, x, cid, fid, &f);
    if (rc == FZ_OK)
        rc = open_campaign(x, &f);
    if (rc == FZ_OK && strcmp(f.state, "scored") != 0 && strcmp(f.state, "disputed") != 0)
        rc = refuse(x, 409, "conflict", NULL, "该案卷尚未评分");
    else if (rc == FZ_OK && !marks && strcmp(f.state, "disputed") != 0)
        rc = refuse(x, 400, "validation_failed", "items", "评查项（items）：没有待复核的陈述申辩，调整评分须填写评查项");
    if (rc == FZ_OK && marks)
        rc = score_marks(x, &f, marks, &norm, &res);
    char *text = rc == FZ_OK && norm ? json_dumps(norm, JSON_COMPACT) : NULL;
    if (rc == FZ_OK && norm && !text)
        rc = FZ_NOMEM;
    int64_t now = time_now_ms();
    const char *who = x->who ? x->who->username : "cli";
    if (rc == FZ_OK && norm)
        rc = store_run(w,
                       "UPDATE review_files SET state = 'scored', score2 = ?, band = ?, veto = ?, marks = ?,"
                       " adjust_reason = ?, adjusted_by = ?, adjusted_at = ?, updated_at = ?"
                       " WHERE id = ? AND state = ?",
                       "isisssiiis", (int64_t)res.score2, file_review_band_code(res.band), (int64_t)res.veto, text,
                       reason, who, now, now, fid, f.state);
    else if (rc == FZ_OK)
        rc = store_run(w,
                       "UPDATE review_files SET state = 'scored', adjust_reason = ?, adjusted_by = ?, adjusted_at = ?,"
                       " updated_at = ? WHERE id = ? AND state = 'disputed'",
                       "ssiii", reason, who, now, now, fid);
    if (rc == FZ_OK) {
        json_t *p = file_payload(cid, &f);
        add_score(p, "from_score", f.score2);
        json_object_set_new(p, "from_band", json_string(f.band));
        add_score(p, "score", norm ? res.score2 : f.score2);
        json_object_set_new(p, "band", json_string(norm ? file_review_band_code(res.band) : f.band));
        json_object_set_new(p, "maintained", json_boolean(!norm));
        json_object_set_new(p, "reason", json_string(reason));
        if (norm)
            json_object_set(p, "marks", norm);
        rc = append(w, x, "review_file", fid, f.unit_id, "review.adjusted", f.state, "scored", p);
    }
    free(text);
    json_decref(norm);
    json_decref(f.rubric);
    return rc;
}

/* 复盘, 线索移送 and 处理结果 come after the 集中点评, for 不合格 files. */
static int followup_ready(review_ctx *x, const file_row *f)
{
    if (strcmp(f->cstate, "closed") != 0)
        return refuse(x, 409, "conflict", NULL, "评查结束（集中点评）后，才能对不合格案卷复盘和移送线索");
    if (strcmp(f->band, "fail") != 0)
        return refuse(x, 409, "conflict", NULL, "只有评查不合格的案卷进入复盘");
    return FZ_OK;
}

int review_file_retrospect(store_conn *w, review_ctx *x, int64_t cid, int64_t fid, const char *note)
{
    file_row f;
    int rc = load_file(w, x, cid, fid, &f);
    if (rc == FZ_OK)
        rc = followup_ready(x, &f);
    if (rc == FZ_OK && f.followup[0])
        rc = refuse(x, 409, "conflict", NULL, "该案卷已复盘");
    int64_t now = time_now_ms();
    if (rc == FZ_OK)
        rc = store_run(w,
                       "UPDATE review_files SET followup = 'retrospected', retrospect_note = ?, retrospect_at = ?,"
                       " updated_at = ? WHERE id = ? AND followup = ''",
                       "siii", note, now, now, fid);
    if (rc == FZ_OK) {
        json_t *p = file_payload(cid, &f);
        json_object_set_new(p, "note", json_string(note));
        rc = append(w, x, "review_file", fid, f.unit_id, "review.retrospected", "", "retrospected", p);
    }
    json_decref(f.rubric);
    return rc;
}

int review_file_refer(store_conn *w, review_ctx *x, int64_t cid, int64_t fid, const char *to, const char *note)
{
    file_row f;
    int rc = load_file(w, x, cid, fid, &f);
    if (rc == FZ_OK)
        rc = followup_ready(x, &f);
    if (rc == FZ_OK && strcmp(f.followup, "retrospected") != 0)
        rc = refuse(x, 409, "conflict", NULL, "%s", f.followup[0] ? "该案卷的问题线索已移送" : "须先复盘，再移送问题线索");
    int64_t now = time_now_ms();
    if (rc == FZ_OK)
        rc = store_run(w,
                       "UPDATE review_files SET followup = 'referred', referred_to = ?, referral_note = ?,"
                       " referred_at = ?, updated_at = ? WHERE id = ? AND followup = 'retrospected'",
                       "ssiii", to, note, now, now, fid);
    if (rc == FZ_OK) {
        json_t *p = file_payload(cid, &f);
        json_object_set_new(p, "referred_to", json_string(to));
        json_object_set_new(p, "note", json_string(note));
        rc = append(w, x, "review_file", fid, f.unit_id, "review.referred", "retrospected", "referred", p);
    }
    json_decref(f.rubric);
    return rc;
}

int review_file_outcome(store_conn *w, review_ctx *x, int64_t cid, int64_t fid, const review_outcome *o)
{
    file_row f;
    int rc = load_file(w, x, cid, fid, &f);
    if (rc == FZ_OK)
        rc = followup_ready(x, &f);
    if (rc == FZ_OK && strcmp(f.followup, "referred") != 0 && strcmp(f.followup, "concluded") != 0)
        rc = refuse(x, 409, "conflict", NULL, "问题线索移送后，才能记录处理结果");
    int64_t now = time_now_ms();
    if (rc == FZ_OK)
        rc = store_run(w,
                       "UPDATE review_files SET followup = 'concluded', case_filed = ?, sanctioned = ?, first_form = ?,"
                       " advice = ?, outcome_at = ?, updated_at = ? WHERE id = ? AND followup = ?",
                       "iiisiiis", (int64_t)o->filed, o->sanctioned, o->first_form, o->advice, now, now, fid,
                       f.followup);
    if (rc == FZ_OK) {
        json_t *p = file_payload(cid, &f);
        json_object_set_new(p, "filed", json_boolean(o->filed));
        json_object_set_new(p, "sanctioned", json_integer(o->sanctioned));
        json_object_set_new(p, "first_form", json_integer(o->first_form));
        json_object_set_new(p, "advice", json_string(o->advice));
        rc = append(w, x, "review_file", fid, f.unit_id, "review.outcome", f.followup, "concluded", p);
    }
    json_decref(f.rubric);
    return rc;
}
