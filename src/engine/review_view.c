/* review_view.c: 案卷评查 campaigns, the reads (see review_campaign.h):
 * campaigns, their files as the caller may see them (case:view scope, the
 * same AUTHZ_SCOPE_SQL as case lists), and the results computed from the
 * files in C (engine/file_review.h), so a list and its summary agree. */
#include "engine/file_review.h"
#include "engine/review_campaign.h"
#include "store/store.h"
#include "core/status.h"
#include "core/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *campaign_state_label(const char *s)
{
    return !strcmp(s, "draft") ? "待抽样" : !strcmp(s, "open") ? "评查中" : !strcmp(s, "closed") ? "已结束" : s;
}

static const char *file_state_label(const char *s)
{
    return !strcmp(s, "pending") ? "待评查" : !strcmp(s, "scored") ? "已评分" : !strcmp(s, "disputed") ? "已申辩待复核" : s;
}

static const char *followup_label(const char *s)
{
    return !strcmp(s, "retrospected") ? "已复盘"
           : !strcmp(s, "referred")   ? "已移送问题线索"
           : !strcmp(s, "concluded")  ? "已有处理结果"
                                      : "";
}

/* ms as RFC 3339, or null when 0 (not yet). */
static json_t *time_or_null(int64_t ms)
{
    char t[32];
    if (!ms)
        return json_null();
    time_format_rfc3339(ms, t);
    return json_string(t);
}

static json_t *score_or_null(int64_t score2)
{
    return score2 < 0 ? json_null() : file_review_points_json((int)score2);
}

static const char *kind_title(const defs *ds, const char *kind)
{
    const def *d = defs_find(ds, DEF_PROCEDURE, kind);
    const char *t = d ? json_string_value(json_object_get(d->json, "title")) : NULL;
    return t ? t : kind;
}

int review_campaign_list(store_conn *c, const defs *ds, int64_t page, int64_t size, json_t **out)
{
    int64_t total = 0;
    if (store_query_int(c, &total, 0, "SELECT count(*) FROM review_campaigns", ""))
        return FZ_ERR;
    store_stmt *st;
    if (store_prepare(c,
                      "SELECT r.id, r.name, r.kind, r.state, r.period_from, r.period_to, r.per_unit, r.created_by,"
                      " r.created_at, r.rubric_name,"
                      " (SELECT count(*) FROM review_files f WHERE f.campaign_id = r.id),"
                      " (SELECT count(*) FROM review_files f WHERE f.campaign_id = r.id AND f.score2 >= 0)"
                      " FROM review_campaigns r ORDER BY r.id DESC LIMIT ? OFFSET ?",
                      &st))
        return FZ_ERR;
    store_bind_int(st, 1, size);
    store_bind_int(st, 2, (page - 1) * size);
    json_t *rows = json_array();
    int s;
    while ((s = store_step(st)) == STORE_ROW) {
        const char *state = store_col_text(st, 3);
        json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:o, s:s, s:I, s:I}", "id",
                              (json_int_t)store_col_int(st, 0), "name", store_col_text(st, 1), "kind",
                              store_col_text(st, 2), "kind_title", kind_title(ds, store_col_text(st, 2)), "state",
                              state, "state_label", campaign_state_label(state), "period_from",
                              store_col_text(st, 4), "period_to", store_col_text(st, 5), "per_unit",
                              (json_int_t)store_col_int(st, 6), "created_by", store_col_text(st, 7), "created_at",
                              time_or_null(store_col_int(st, 8)), "rubric", store_col_text(st, 9), "files",
                              (json_int_t)store_col_int(st, 10), "scored", (json_int_t)store_col_int(st, 11));
        json_array_append_new(rows, o);
    }
    store_done(st);
    if (s != STORE_DONE) {
        json_decref(rows);
        return FZ_ERR;
    }
    *out = json_pack("{s:I, s:o}", "total", (json_int_t)total, "rows", rows);
    return *out ? FZ_OK : FZ_NOMEM;
}

static json_t *tally_json(const fr_tally *t)
{
    char mean[24];
    file_review_mean_text(t, mean);
    fr_band b = file_review_mean_band(t);
    return json_pack("{s:I, s:I, s:o, s:s, s:s, s:I, s:I, s:I}", "files", (json_int_t)t->files, "scored",
                     (json_int_t)t->scored, "mean", mean[0] ? json_string(mean) : json_null(), "band",
                     file_review_band_code(b), "band_label", file_review_band_label(b), "excellent",
                     (json_int_t)t->bands[FR_EXCELLENT], "pass", (json_int_t)t->bands[FR_PASS], "fail",
                     (json_int_t)t->bands[FR_FAIL]);
}

/* Results over the files p may see: overall, per unit, and the follow-ups
 * of the 不合格 files (纪府联动). */
static int results(store_conn *c, const principal *p, int64_t id, json_t **out)
{
    store_stmt *st;
    if (store_prepare(c,
                      "SELECT f.unit_id, COALESCE(u.name, ''), f.score2, f.followup, f.case_filed, f.sanctioned,"
                      " f.first_form, f.advice FROM review_files f LEFT JOIN units u ON u.id = f.unit_id"
                      " WHERE f.campaign_id = ?6 AND " AUTHZ_SCOPE_SQL("f.unit_id", "-1")
                      " ORDER BY f.unit_id, f.draw_rank",
                      &st))
        return FZ_ERR;
    authz_bind_scope(st, p, "case:view");
    store_bind_int(st, 6, id);
    fr_tally all = {0}, unit = {0};
    int64_t cur = -1, retro = 0, referred = 0, concluded = 0, filed = 0, sanctioned = 0, first_form = 0, advice = 0;
    char cur_name[256] = "";
    json_t *units = json_array();
    int s;
    while ((s = store_step(st)) == STORE_ROW) {
        int64_t u = store_col_int(st, 0), score2 = store_col_int(st, 2);
        if (u != cur) {
            if (cur >= 0) {
                json_t *o = tally_json(&unit);
                json_object_set_new(o, "unit_id", json_integer(cur));
                json_object_set_new(o, "unit_name", json_string(cur_name));
                json_array_append_new(units, o);
            }
            memset(&unit, 0, sizeof(unit));
            cur = u;
            snprintf(cur_name, sizeof(cur_name), "%s", store_col_text(st, 1));
        }
        file_review_tally_add(&unit, score2 >= 0, (int)score2);
        file_review_tally_add(&all, score2 >= 0, (int)score2);
        const char *fu = store_col_text(st, 3);
        retro += fu[0] != '\0';
        referred += !strcmp(fu, "referred") || !strcmp(fu, "concluded");
        if (!strcmp(fu, "concluded")) {
            concluded++;
            filed += store_col_int(st, 4) != 0;
            sanctioned += store_col_int(st, 5);
            first_form += store_col_int(st, 6);
            advice += store_col_text(st, 7)[0] != '\0';
        }
    }
    store_done(st);
    if (s != STORE_DONE) {
        json_decref(units);
        return FZ_ERR;
    }
    if (cur >= 0) {
        json_t *o = tally_json(&unit);
        json_object_set_new(o, "unit_id", json_integer(cur));
        json_object_set_new(o, "unit_name", json_string(cur_name));
        json_array_append_new(units, o);
    }
    *out = tally_json(&all);
    json_object_set_new(*out, "units", units);
    json_object_set_new(*out, "followup",
                        json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "retrospected", (json_int_t)retro, "referred",
                                  (json_int_t)referred, "concluded", (json_int_t)concluded, "filed",
                                  (json_int_t)filed, "sanctioned", (json_int_t)sanctioned, "first_form",
                                  (json_int_t)first_form, "advice", (json_int_t)advice));
    return FZ_OK;
}

static json_t *events_of(store_conn *c, const char *kind, int64_t id)
{
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", (long long)id);
    json_t *a = json_array();
    store_stmt *st;
    if (store_prepare(c,
                      "SELECT seq, at, actor, action, from_state, to_state, payload, hash FROM events"
                      " WHERE subject_kind = ? AND subject_id = ? ORDER BY seq",
                      &st))
        return a;
    store_bind_text(st, 1, kind);
    store_bind_text(st, 2, sid);
    while (store_step(st) == STORE_ROW) {
        json_t *payload = json_loads(store_col_text(st, 6), 0, NULL);
        json_array_append_new(a, json_pack("{s:I, s:o, s:s, s:s, s:s, s:s, s:o, s:s}", "seq",
                                           (json_int_t)store_col_int(st, 0), "at", time_or_null(store_col_int(st, 1)),
                                           "actor", store_col_text(st, 2), "action", store_col_text(st, 3),
                                           "from_state", store_col_text(st, 4), "to_state", store_col_text(st, 5),
                                           "payload", payload ? payload : json_object(), "hash",
                                           store_col_text(st, 7)));
    }
    store_done(st);
    return a;
}

json_t *review_campaign_json(store_conn *c, const defs *ds, const principal *p, int64_t id)
{
    store_stmt *st;
    if (store_prepare(c,
                      "SELECT r.name, r.kind, r.states, r.date_field, r.period_from, r.period_to, r.per_unit, r.seed,"
                      " r.units, r.rubric_name, r.rubric, r.rubric_digest, r.state, r.candidates, r.summary,"
                      " r.unit_id, COALESCE(u.name, ''), r.created_by, r.created_at, r.drawn_at, r.closed_at,"
                      " (SELECT count(*) FROM review_files f WHERE f.campaign_id = r.id)"
                      " FROM review_campaigns r LEFT JOIN units u ON u.id = r.unit_id WHERE r.id = ?",
                      &st))
        return NULL;
    store_bind_int(st, 1, id);
    json_t *o = NULL;
    if (store_step(st) == STORE_ROW) {
        const char *kind = store_col_text(st, 1), *state = store_col_text(st, 12);
        const char *date_field = store_col_text(st, 3);
        const def *d = defs_find(ds, DEF_PROCEDURE, kind);
        /* States and the date field with their labels from the definition. */
        json_t *states = file_review_list_json(store_col_text(st, 2), 0), *labels = json_array();
        size_t i;
        json_t *sv, *ds_state;
        json_array_foreach(states, i, sv)
        {
            const char *label = json_string_value(sv);
            size_t k;
            json_array_foreach(d ? json_object_get(d->json, "states") : NULL, k, ds_state) if (
                !strcmp(json_string_value(json_object_get(ds_state, "name")), json_string_value(sv))) label =
                json_string_value(json_object_get(ds_state, "label"));
            json_array_append_new(labels, json_string(label));
        }
        const char *df_label = "";
        json_t *f;
        json_array_foreach(d ? json_object_get(d->json, "fields") : NULL, i, f) if (
            date_field[0] && !strcmp(json_string_value(json_object_get(f, "name")), date_field)) df_label =
            json_string_value(json_object_get(f, "label"));
        if (!df_label)
            df_label = "";
        json_t *rubric = json_loads(store_col_text(st, 10), 0, NULL);
        if (rubric) {
            json_object_set_new(rubric, "digest", json_string(store_col_text(st, 11)));
            json_object_set_new(rubric, "as_of", time_or_null(json_integer_value(json_object_get(rubric, "as_of"))));
        }
        o = json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:s, s:s, s:s, s:s, s:I, s:s, s:o, s:o, s:s, s:s, s:I, s:s}", "id",
                      (json_int_t)id, "name", store_col_text(st, 0), "kind", kind, "kind_title", kind_title(ds, kind),
                      "states", states, "state_labels", labels, "date_field", date_field, "date_field_label", df_label,
                      "period_from", store_col_text(st, 4), "period_to", store_col_text(st, 5), "per_unit",
                      (json_int_t)store_col_int(st, 6), "seed", store_col_text(st, 7), "units",
                      file_review_list_json(store_col_text(st, 8), 1), "rubric", rubric ? rubric : json_object(), "state", state,
                      "state_label", campaign_state_label(state), "candidates", (json_int_t)store_col_int(st, 13),
                      "summary", store_col_text(st, 14));
        if (o) {
            json_object_set_new(o, "unit_id", json_integer(store_col_int(st, 15)));
            json_object_set_new(o, "unit_name", json_string(store_col_text(st, 16)));
            json_object_set_new(o, "created_by", json_string(store_col_text(st, 17)));
            json_object_set_new(o, "created_at", time_or_null(store_col_int(st, 18)));
            json_object_set_new(o, "drawn_at", time_or_null(store_col_int(st, 19)));
            json_object_set_new(o, "closed_at", time_or_null(store_col_int(st, 20)));
            json_object_set_new(o, "files_total", json_integer(store_col_int(st, 21)));
        }
    }
    store_done(st);
    if (!o)
        return NULL;
    json_t *res = NULL;
    if (results(c, p, id, &res) != FZ_OK) {
        json_decref(o);
        return NULL;
    }
    json_object_set_new(o, "results", res);
    json_object_set_new(o, "events", events_of(c, "review_campaign", id));
    return o;
}

#define FILE_COLS                                                                                                    \
    "f.id, f.campaign_id, f.unit_id, COALESCE(u.name, ''), f.case_kind, f.case_id, f.case_no, f.draw_rank,"          \
    " f.draw_key, f.state, f.score2, f.band, f.veto, f.marks, f.remark, f.scored_by, f.scored_at, f.first_score2,"   \
    " f.statement, f.statement_by, f.statement_at, f.adjust_reason, f.adjusted_by, f.adjusted_at, f.followup,"       \
    " f.retrospect_note, f.retrospect_at, f.referred_to, f.referral_note, f.referred_at, f.case_filed,"              \
    " f.sanctioned, f.first_form, f.advice, f.outcome_at"

static json_t *file_json(store_stmt *st)
{
    char path[160];
    const char *kind = store_col_text(st, 4), *state = store_col_text(st, 9), *band = store_col_text(st, 11);
    const char *fu = store_col_text(st, 24);
    int64_t case_id = store_col_int(st, 5);
    snprintf(path, sizeof(path), "/cases/%s/%lld", kind, (long long)case_id);
    json_t *marks = json_loads(store_col_text(st, 13), 0, NULL);
    json_t *o = json_pack("{s:I, s:I, s:I, s:s, s:s, s:I, s:s, s:s, s:I, s:s, s:s, s:s}", "id",
                          (json_int_t)store_col_int(st, 0), "campaign_id", (json_int_t)store_col_int(st, 1), "unit_id",
                          (json_int_t)store_col_int(st, 2), "unit_name", store_col_text(st, 3), "case_kind", kind,
                          "case_id", (json_int_t)case_id, "case_no", store_col_text(st, 6), "case_path", path,
                          "draw_rank", (json_int_t)store_col_int(st, 7), "draw_key", store_col_text(st, 8), "state",
                          state, "state_label", file_state_label(state));
    if (!o) {
        json_decref(marks);
        return NULL;
    }
    fr_band b = file_review_band_parse(band);
    json_object_set_new(o, "score", score_or_null(store_col_int(st, 10)));
    json_object_set_new(o, "band", json_string(band));
    json_object_set_new(o, "band_label", json_string(file_review_band_label(b)));
    json_object_set_new(o, "veto", json_boolean(store_col_int(st, 12)));
    json_object_set_new(o, "marks", marks ? marks : json_array());
    json_object_set_new(o, "remark", json_string(store_col_text(st, 14)));
    json_object_set_new(o, "scored_by", json_string(store_col_text(st, 15)));
    json_object_set_new(o, "scored_at", time_or_null(store_col_int(st, 16)));
    json_object_set_new(o, "first_score", score_or_null(store_col_int(st, 17)));
    json_object_set_new(o, "statement",
                        store_col_int(st, 20) ? json_pack("{s:s, s:s, s:o}", "text", store_col_text(st, 18), "by",
                                                          store_col_text(st, 19), "at",
                                                          time_or_null(store_col_int(st, 20)))
                                              : json_null());
    json_object_set_new(o, "adjustment",
                        store_col_int(st, 23) ? json_pack("{s:s, s:s, s:o}", "reason", store_col_text(st, 21), "by",
                                                          store_col_text(st, 22), "at",
                                                          time_or_null(store_col_int(st, 23)))
                                              : json_null());
    json_t *follow = json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:o}", "stage", fu, "stage_label", followup_label(fu),
                               "retrospect_note", store_col_text(st, 25), "retrospect_at",
                               time_or_null(store_col_int(st, 26)), "referred_to", store_col_text(st, 27),
                               "referral_note", store_col_text(st, 28), "referred_at",
                               time_or_null(store_col_int(st, 29)));
    json_object_set_new(follow, "outcome",
                        store_col_int(st, 34)
                            ? json_pack("{s:b, s:I, s:I, s:s, s:o}", "filed", (int)(store_col_int(st, 30) != 0),
                                        "sanctioned", (json_int_t)store_col_int(st, 31), "first_form",
                                        (json_int_t)store_col_int(st, 32), "advice", store_col_text(st, 33), "at",
                                        time_or_null(store_col_int(st, 34)))
                            : json_null());
    json_object_set_new(o, "followup", follow);
    return o;
}

int review_files_list(store_conn *c, const principal *p, int64_t cid, json_t **out)
{
    int64_t exists = 0;
    if (store_query_int(c, &exists, 0, "SELECT count(*) FROM review_campaigns WHERE id = ?", "i", cid))
        return FZ_ERR;
    if (!exists)
        return FZ_NOTFOUND;
    store_stmt *st;
    if (store_prepare(c,
                      "SELECT " FILE_COLS " FROM review_files f LEFT JOIN units u ON u.id = f.unit_id"
                      " WHERE f.campaign_id = ?6 AND " AUTHZ_SCOPE_SQL("f.unit_id", "-1")
                      " ORDER BY f.unit_id, f.draw_rank",
                      &st))
        return FZ_ERR;
    authz_bind_scope(st, p, "case:view");
    store_bind_int(st, 6, cid);
    json_t *rows = json_array();
    int s;
    while ((s = store_step(st)) == STORE_ROW) {
        json_t *o = file_json(st);
        if (o)
            json_array_append_new(rows, o);
    }
    store_done(st);
    if (s != STORE_DONE) {
        json_decref(rows);
        return FZ_ERR;
    }
    *out = json_pack("{s:I, s:o}", "total", (json_int_t)json_array_size(rows), "rows", rows);
    return *out ? FZ_OK : FZ_NOMEM;
}

json_t *review_file_json(store_conn *c, int64_t cid, int64_t fid)
{
    store_stmt *st;
    if (store_prepare(c,
                      "SELECT " FILE_COLS " FROM review_files f LEFT JOIN units u ON u.id = f.unit_id"
                      " WHERE f.id = ? AND f.campaign_id = ?",
                      &st))
        return NULL;
    store_bind_int(st, 1, fid);
    store_bind_int(st, 2, cid);
    json_t *o = store_step(st) == STORE_ROW ? file_json(st) : NULL;
    store_done(st);
    if (o)
        json_object_set_new(o, "events", events_of(c, "review_file", fid));
    return o;
}

int review_file_unit(store_conn *c, int64_t cid, int64_t fid, int64_t *unit_id)
{
    store_stmt *st;
    if (store_prepare(c, "SELECT unit_id FROM review_files WHERE id = ? AND campaign_id = ?", &st))
        return FZ_ERR;
    store_bind_int(st, 1, fid);
    store_bind_int(st, 2, cid);
    int rc = store_step(st);
    if (rc == STORE_ROW)
        *unit_id = store_col_int(st, 0);
    store_done(st);
    return rc == STORE_ROW ? FZ_OK : rc == STORE_DONE ? FZ_NOTFOUND : FZ_ERR;
}

int review_unit_within(store_conn *c, const principal *p, int64_t unit_id)
{
    if (!p)
        return 0;
    if (unit_id == p->unit_id)
        return 1;
    const char *mine = p->unit_path ? p->unit_path : "";
    if (!*mine)
        return 0;
    store_stmt *st;
    if (store_prepare(c, "SELECT path FROM units WHERE id = ?", &st))
        return 0;
    store_bind_int(st, 1, unit_id);
    int ok = store_step(st) == STORE_ROW && strncmp(store_col_text(st, 0), mine, strlen(mine)) == 0;
    store_done(st);
    return ok;
}
