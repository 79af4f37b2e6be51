/* indicators.c: evaluation of indicator definitions per case, incremental
 * maintenance of indicator_values and the full recompute (indicators.h).
 *
 * A case's fact for an indicator:
 *   period   the month "2026-11" of the date of the denominator (else
 *            numerator) measure: a date field of the procedure or
 *            "created"; no date yet: no fact (the case is counted nowhere).
 *            Values are kept by month whatever the definition's "period"
 *            (its default reporting period): a year, quarter or custom range
 *            of months is a sum of at most a few dozen rows.
 *   in_num   the case satisfies the numerator measure
 *   in_den   the case satisfies the denominator measure
 * A measure is satisfied when every one of its conditions holds: the
 * procedure is the case's, state in "state", each "where" (field in / eq /
 * not_in), the named "clock" exists (with its state in "clock_state" when
 * given), for "event", a step of that action was taken, for "rule":
 * "hearing_right", the proposal falls under 第六十三条 (engine/checks.h);
 * and, when it has "any", at least one of those alternatives' conditions.
 *
 * SQL here names tables and columns only from validated definitions
 * (case_<kind>, f_<field>); every value is bound. */
#include "engine/indicators.h"
#include "engine/checks.h"
#include "engine/penalty.h"
#include "store/store.h"
#include "core/status.h"
#include "core/strbuf.h"
#include "core/sm.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const defs *g_defs;

void ind_set_defs(const defs *d)
{
    g_defs = d;
}

typedef struct fact {
    char ind[48];
    char kind[48];
    int64_t case_id;
    int64_t unit_id;
    char period[16];
    int64_t num, den;
} fact;

static const char *mproc(const json_t *m)
{
    return json_string_value(json_object_get(m, "procedure"));
}

const char *ind_kind(const def *ind)
{
    const char *k = mproc(json_object_get(ind->json, "denominator"));
    return k ? k : mproc(json_object_get(ind->json, "numerator"));
}

static int uses_kind(const def *ind, const char *kind)
{
    const char *a = mproc(json_object_get(ind->json, "numerator"));
    const char *b = mproc(json_object_get(ind->json, "denominator"));
    return (a && !strcmp(a, kind)) || (b && !strcmp(b, kind));
}

static int builtin(const char *f)
{
    return !strcmp(f, "state") || !strcmp(f, "unit_id") || !strcmp(f, "created_at") || !strcmp(f, "updated_at") ||
           !strcmp(f, "no");
}

/* The measure whose date gives the period. */
static const char *date_of(const def *ind)
{
    const char *d = json_string_value(json_object_get(json_object_get(ind->json, "denominator"), "date"));
    if (!d)
        d = json_string_value(json_object_get(json_object_get(ind->json, "numerator"), "date"));
    return d ? d : "created";
}

static void add_col(strbuf *b, json_t *seen, const char *f)
{
    if (!f || !strcmp(f, "created") || json_object_get(seen, f))
        return;
    json_object_set_new(seen, f, json_integer((json_int_t)json_object_size(seen)));
    strbuf_printf(b, builtin(f) ? ", %s" : ", f_%s", f);
}

/* The columns rule "hearing_right" reads: the proposal and, of the party,
 * its kind (engine/checks.h checks_hearing_fields). */
static void add_rule_cols(strbuf *b, json_t *seen)
{
    for (int i = 0; checks_hearing_fields[i].name; i++)
        add_col(b, seen, strcmp(checks_hearing_fields[i].type, "party") ? checks_hearing_fields[i].name : "party__kind");
}

/* Rule "hearing_right": the proposal falls under 第六十三条 with the
 * 较大数额 in force when it was last made (the latest 告知 or 调整拟处罚,
 * else the case's entry), so a later change of the thresholds catalog does
 * not change a fact behind the maintenance's back. 1, 0 or -1 (store). */
static int hearing_right(store_conn *c, const char *skind, const char *sid, const json_t *row)
{
    int64_t as_of = 0;
    if (store_query_int(c, &as_of, 0,
                        "SELECT coalesce(max(at), 0) FROM events WHERE subject_kind = ? AND subject_id = ?"
                        " AND action IN ('case.inform', 'case.revise_proposal')",
                        "ss", skind, sid))
        return -1;
    if (!as_of)
        as_of = strtoll(json_string_value(json_object_get(row, "created_at")), NULL, 10);
#define TXT(f) json_string_value(json_object_get(row, f))
    pen_measures m = {.fine = strtoll(TXT("proposed_fine"), NULL, 10),
                      .confiscation = strtoll(TXT("proposed_confiscation"), NULL, 10),
                      .license = TXT("proposed_license"),
                      .business = TXT("proposed_business"),
                      .other_serious = !strcmp(TXT("proposed_other_serious"), "1")};
    int applies = 0;
    int rc = checks_hearing_applies(c, TXT("party__kind"), &m, as_of, &applies);
#undef TXT
    return rc ? -1 : applies;
}

/* The case's columns an indicator needs, as text: {"state": .., "unit_id": ..,
 * "created_at": .., field: ..}. NULL when the case does not exist. */
static json_t *load_row(store_conn *c, const def *ind, const char *kind, int64_t id, int *err)
{
    strbuf b = STRBUF_INIT;
    json_t *seen = json_object();
    strbuf_puts(&b, "SELECT state, unit_id, created_at");
    json_object_set_new(seen, "state", json_integer(0));
    json_object_set_new(seen, "unit_id", json_integer(1));
    json_object_set_new(seen, "created_at", json_integer(2));
    static const char *const sides[] = {"numerator", "denominator"};
    for (int s = 0; s < 2; s++) {
        json_t *m = json_object_get(ind->json, sides[s]);
        if (!mproc(m) || strcmp(mproc(m), kind) != 0)
            continue;
        size_t i, k;
        json_t *w, *alt;
        json_array_foreach(json_object_get(m, "where"), i, w) add_col(&b, seen, json_string_value(json_object_get(w, "field")));
        json_array_foreach(json_object_get(m, "any"), k, alt)
        {
            json_array_foreach(json_object_get(alt, "where"), i, w)
                add_col(&b, seen, json_string_value(json_object_get(w, "field")));
            if (json_object_get(alt, "rule"))
                add_rule_cols(&b, seen);
        }
        if (json_object_get(m, "rule"))
            add_rule_cols(&b, seen);
    }
    add_col(&b, seen, date_of(ind));
    strbuf_printf(&b, " FROM case_%s WHERE id = ?", kind);
    json_t *row = NULL;
    store_stmt *st;
    *err = 0;
    if (!strbuf_ok(&b) || store_prepare(c, b.data, &st)) {
        *err = 1;
    } else {
        store_bind_int(st, 1, id);
        int rc = store_step(st);
        if (rc == STORE_ROW) {
            row = json_object();
            const char *k;
            json_t *v;
            json_object_foreach(seen, k, v)
            {
                int col = (int)json_integer_value(v);
                const char *t = store_col_is_null(st, col) ? "" : store_col_text(st, col);
                json_object_set_new(row, k, json_string(t ? t : ""));
            }
        } else if (rc != STORE_DONE) {
            *err = 1;
        }
        store_done(st);
    }
    strbuf_free(&b);
    json_decref(seen);
    return row;
}

/* A where value as the text a column reads back as. */
static void value_text(const json_t *v, char out[64])
{
    if (json_is_string(v))
        snprintf(out, 64, "%s", json_string_value(v));
    else if (json_is_true(v))
        snprintf(out, 64, "1");
    else if (json_is_false(v))
        snprintf(out, 64, "0");
    else if (json_is_integer(v))
        snprintf(out, 64, "%" PRId64, (int64_t)json_integer_value(v));
    else
        out[0] = 0;
}

static int in_values(const json_t *arr, const char *s)
{
    size_t i;
    json_t *v;
    char t[64];
    json_array_foreach(arr, i, v)
    {
        value_text(v, t);
        if (!strcmp(t, s))
            return 1;
    }
    return 0;
}

/* 1 when the case satisfies the conditions of m (a measure or one of its
 * "any" alternatives); -1 on a store error. */
static int conditions_hold(store_conn *c, const json_t *m, const char *kind, int64_t id, const json_t *row)
{
    const char *state = json_string_value(json_object_get(row, "state"));
    json_t *states = json_object_get(m, "state");
    if (states && !in_values(states, state))
        return 0;
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(m, "where"), i, w)
    {
        const char *val = json_string_value(json_object_get(row, json_string_value(json_object_get(w, "field"))));
        if (!val)
            val = "";
        json_t *eq = json_object_get(w, "eq");
        char t[64];
        if (eq) {
            value_text(eq, t);
            if (strcmp(t, val) != 0)
                return 0;
        }
        if (json_object_get(w, "in") && !in_values(json_object_get(w, "in"), val))
            return 0;
        if (json_object_get(w, "not_in") && in_values(json_object_get(w, "not_in"), val))
            return 0;
    }
    char sid[24];
    snprintf(sid, sizeof(sid), "%" PRId64, id);
    char skind[64];
    snprintf(skind, sizeof(skind), "case:%s", kind);
    const char *clk = json_string_value(json_object_get(m, "clock"));
    if (clk) {
        store_stmt *st;
        if (store_prepare(c, "SELECT state FROM clocks WHERE subject_kind = ? AND subject_id = ? AND name = ?", &st))
            return -1;
        store_bind_text(st, 1, skind);
        store_bind_text(st, 2, sid);
        store_bind_text(st, 3, clk);
        int rc = store_step(st), ok = 0;
        if (rc == STORE_ROW) {
            json_t *cs = json_object_get(m, "clock_state");
            ok = !cs || in_values(cs, store_col_text(st, 0));
        }
        store_done(st);
        if (rc != STORE_ROW && rc != STORE_DONE)
            return -1;
        if (!ok)
            return 0;
    }
    const char *rule = json_string_value(json_object_get(m, "rule"));
    if (rule) {
        int h = hearing_right(c, skind, sid, row);
        if (h <= 0)
            return h;
    }
    const char *act = json_string_value(json_object_get(json_object_get(m, "event"), "action"));
    if (act) {
        char action[80];
        snprintf(action, sizeof(action), "case.%s", act);
        int64_t n = 0;
        if (store_query_int(c, &n, 0,
                            "SELECT count(*) FROM events WHERE subject_kind = ? AND subject_id = ? AND action = ?",
                            "sss", skind, sid, action))
            return -1;
        if (n == 0)
            return 0;
    }
    return 1;
}

/* 1 when the case satisfies measure m: its conditions and, with "any", at
 * least one alternative; -1 on a store error. */
static int matches(store_conn *c, const json_t *m, const char *kind, int64_t id, const json_t *row)
{
    if (!mproc(m) || strcmp(mproc(m), kind) != 0)
        return 0;
    int ok = conditions_hold(c, m, kind, id, row);
    json_t *any = json_object_get(m, "any");
    if (ok <= 0 || !any)
        return ok;
    size_t i;
    json_t *alt;
    json_array_foreach(any, i, alt)
    {
        int a = conditions_hold(c, alt, kind, id, row);
        if (a != 0)
            return a;
    }
    return 0;
}

static void period_of(const char *date, char out[16])
{
    out[0] = 0;
    if (!date || strlen(date) < 10 || date[4] != '-' || date[7] != '-')
        return;
    snprintf(out, 16, "%.7s", date);
}

/* The fact of case id for indicator ind: FZ_OK with f->num/den (0/0 = none). */
static int eval_case(store_conn *c, const def *ind, const char *kind, int64_t id, fact *f)
{
    memset(f, 0, sizeof(*f));
    snprintf(f->ind, sizeof(f->ind), "%s", ind->name);
    snprintf(f->kind, sizeof(f->kind), "%s", kind);
    f->case_id = id;
    int err;
    json_t *row = load_row(c, ind, kind, id, &err);
    if (!row)
        return err ? FZ_ERR : FZ_OK;
    const char *df = date_of(ind);
    char day[11] = "";
    if (!strcmp(df, "created")) {
        time_t t = (time_t)(strtoll(json_string_value(json_object_get(row, "created_at")), NULL, 10) / 1000);
        struct tm tm;
        if (localtime_r(&t, &tm))
            strftime(day, sizeof(day), "%Y-%m-%d", &tm);
    } else {
        snprintf(day, sizeof(day), "%s", json_string_value(json_object_get(row, df)));
    }
    period_of(day, f->period);
    int rc = FZ_OK;
    if (f->period[0]) {
        f->unit_id = strtoll(json_string_value(json_object_get(row, "unit_id")), NULL, 10);
        int n = matches(c, json_object_get(ind->json, "numerator"), kind, id, row);
        int d = json_object_get(ind->json, "denominator")
                    ? matches(c, json_object_get(ind->json, "denominator"), kind, id, row)
                    : 0;
        if (n < 0 || d < 0)
            rc = FZ_ERR;
        f->num = n > 0;
        f->den = d > 0;
    }
    json_decref(row);
    return rc;
}

static int apply_delta(store_conn *w, const char *ind, int64_t unit, const char *period, int64_t dn, int64_t dd)
{
    if (store_run(w,
                  "UPDATE indicator_values SET num = num + ?, den = den + ?"
                  " WHERE indicator = ? AND unit_id = ? AND period = ?",
                  "iisis", dn, dd, ind, unit, period))
        return FZ_ERR;
    if (store_changes(w) == 0)
        return store_run(w, "INSERT INTO indicator_values (indicator, unit_id, period, num, den) VALUES (?, ?, ?, ?, ?)",
                         "sisii", ind, unit, period, dn, dd);
    return store_run(w,
                     "DELETE FROM indicator_values WHERE indicator = ? AND unit_id = ? AND period = ?"
                     " AND num = 0 AND den = 0",
                     "sis", ind, unit, period);
}

int ind_on_case(store_conn *w, const char *kind, int64_t id)
{
    const defs *d = g_defs;
    if (!d)
        return FZ_OK;
    for (int i = 0; i < d->n; i++) {
        const def *ind = &d->items[i];
        if (ind->type != DEF_INDICATOR || !uses_kind(ind, kind))
            continue;
        fact nf, of = {0};
        if (eval_case(w, ind, kind, id, &nf))
            return FZ_ERR;
        store_stmt *st;
        if (store_prepare(w,
                          "SELECT unit_id, period, in_num, in_den FROM indicator_facts"
                          " WHERE indicator = ? AND kind = ? AND case_id = ?",
                          &st))
            return FZ_ERR;
        store_bind_text(st, 1, ind->name);
        store_bind_text(st, 2, kind);
        store_bind_int(st, 3, id);
        int rc = store_step(st), had = rc == STORE_ROW;
        if (had) {
            of.unit_id = store_col_int(st, 0);
            snprintf(of.period, sizeof(of.period), "%s", store_col_text(st, 1));
            of.num = store_col_int(st, 2);
            of.den = store_col_int(st, 3);
        }
        store_done(st);
        if (rc != STORE_ROW && rc != STORE_DONE)
            return FZ_ERR;
        int has = nf.num || nf.den;
        if (had && has && of.unit_id == nf.unit_id && !strcmp(of.period, nf.period) && of.num == nf.num &&
            of.den == nf.den)
            continue;
        if (had && (apply_delta(w, ind->name, of.unit_id, of.period, -of.num, -of.den) ||
                    store_run(w, "DELETE FROM indicator_facts WHERE indicator = ? AND kind = ? AND case_id = ?",
                              "ssi", ind->name, kind, id)))
            return FZ_ERR;
        if (has && (store_run(w,
                              "INSERT INTO indicator_facts (indicator, kind, case_id, unit_id, period, in_num, in_den)"
                              " VALUES (?, ?, ?, ?, ?, ?, ?)",
                              "ssiisii", ind->name, kind, id, nf.unit_id, nf.period, nf.num, nf.den) ||
                    apply_delta(w, ind->name, nf.unit_id, nf.period, nf.num, nf.den)))
            return FZ_ERR;
    }
    return FZ_OK;
}

int ind_on_subject(store_conn *w, const char *subject_kind, const char *subject_id)
{
    if (!g_defs || strncmp(subject_kind, "case:", 5) != 0)
        return FZ_OK;
    char *end;
    long long id = strtoll(subject_id, &end, 10);
    if (*end || id <= 0)
        return FZ_OK;
    return ind_on_case(w, subject_kind + 5, (int64_t)id);
}

/* ---- full recompute ---- */

typedef struct facts {
    fact *v;
    size_t n, cap;
} facts;

static fact *push(facts *a)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 256;
        fact *v = realloc(a->v, cap * sizeof(*v));
        if (!v)
            return NULL;
        a->v = v;
        a->cap = cap;
    }
    fact *f = &a->v[a->n++];
    memset(f, 0, sizeof(*f));
    return f;
}

static int fact_cmp(const void *x, const void *y)
{
    const fact *a = x, *b = y;
    int c = strcmp(a->ind, b->ind);
    if (!c)
        c = strcmp(a->kind, b->kind);
    if (!c)
        c = (a->case_id > b->case_id) - (a->case_id < b->case_id);
    return c;
}

/* Values use ind, unit_id, period (kind and case_id unused). */
static int value_cmp(const void *x, const void *y)
{
    const fact *a = x, *b = y;
    int c = strcmp(a->ind, b->ind);
    if (!c)
        c = (a->unit_id > b->unit_id) - (a->unit_id < b->unit_id);
    if (!c)
        c = strcmp(a->period, b->period);
    return c;
}

static int compute_all(store_conn *w, const defs *d, facts *out)
{
    for (int i = 0; i < d->n; i++) {
        const def *ind = &d->items[i];
        if (ind->type != DEF_INDICATOR)
            continue;
        const char *kinds[2] = {mproc(json_object_get(ind->json, "numerator")),
                                mproc(json_object_get(ind->json, "denominator"))};
        if (kinds[0] && kinds[1] && !strcmp(kinds[0], kinds[1]))
            kinds[1] = NULL;
        for (int k = 0; k < 2; k++) {
            if (!kinds[k] || !defs_find(d, DEF_PROCEDURE, kinds[k]))
                continue;
            char sql[128];
            snprintf(sql, sizeof(sql), "case_%s", kinds[k]);
            int64_t made = 0; /* no table yet (schema not synced): no cases */
            if (store_query_int(w, &made, 0, "SELECT count(*) FROM def_columns WHERE tbl = ?", "s", sql))
                return FZ_ERR;
            if (!made)
                continue;
            snprintf(sql, sizeof(sql), "SELECT id FROM case_%s ORDER BY id", kinds[k]);
            store_stmt *st;
            if (store_prepare(w, sql, &st))
                return FZ_ERR;
            int64_t *ids = NULL;
            size_t n = 0, cap = 0;
            int rc;
            while ((rc = store_step(st)) == STORE_ROW) {
                if (n == cap) {
                    cap = cap ? cap * 2 : 256;
                    int64_t *nv = realloc(ids, cap * sizeof(*ids));
                    if (!nv) {
                        rc = FZ_NOMEM;
                        break;
                    }
                    ids = nv;
                }
                ids[n++] = store_col_int(st, 0);
            }
            store_done(st);
            if (rc != STORE_DONE) {
                free(ids);
                return FZ_ERR;
            }
            for (size_t j = 0; j < n; j++) {
                fact f;
                if (eval_case(w, ind, kinds[k], ids[j], &f)) {
                    free(ids);
                    return FZ_ERR;
                }
                if (!f.num && !f.den)
                    continue;
                fact *p = push(out);
                if (!p) {
                    free(ids);
                    return FZ_NOMEM;
                }
                *p = f;
            }
            free(ids);
        }
    }
    return FZ_OK;
}

static int load_stored(store_conn *w, facts *fs, facts *vs)
{
    store_stmt *st;
    int rc;
    if (store_prepare(w, "SELECT indicator, kind, case_id, unit_id, period, in_num, in_den FROM indicator_facts", &st))
        return FZ_ERR;
    while ((rc = store_step(st)) == STORE_ROW) {
        fact *f = push(fs);
        if (!f)
            break;
        snprintf(f->ind, sizeof(f->ind), "%s", store_col_text(st, 0));
        snprintf(f->kind, sizeof(f->kind), "%s", store_col_text(st, 1));
        f->case_id = store_col_int(st, 2);
        f->unit_id = store_col_int(st, 3);
        snprintf(f->period, sizeof(f->period), "%s", store_col_text(st, 4));
        f->num = store_col_int(st, 5);
        f->den = store_col_int(st, 6);
    }
    store_done(st);
    if (rc != STORE_DONE)
        return FZ_ERR;
    if (store_prepare(w, "SELECT indicator, unit_id, period, num, den FROM indicator_values", &st))
        return FZ_ERR;
    while ((rc = store_step(st)) == STORE_ROW) {
        fact *f = push(vs);
        if (!f)
            break;
        snprintf(f->ind, sizeof(f->ind), "%s", store_col_text(st, 0));
        f->unit_id = store_col_int(st, 1);
        snprintf(f->period, sizeof(f->period), "%s", store_col_text(st, 2));
        f->num = store_col_int(st, 3);
        f->den = store_col_int(st, 4);
    }
    store_done(st);
    return rc == STORE_DONE ? FZ_OK : FZ_ERR;
}

/* Sums of sorted facts per indicator x unit x period. */
static int aggregate(facts *fs, facts *out)
{
    fact *tmp = fs->n ? malloc(fs->n * sizeof(*tmp)) : NULL;
    if (fs->n && !tmp)
        return FZ_NOMEM;
    if (fs->n) {
        memcpy(tmp, fs->v, fs->n * sizeof(*tmp));
        qsort(tmp, fs->n, sizeof(*tmp), value_cmp);
    }
    for (size_t i = 0; i < fs->n; i++) {
        fact *last = out->n ? &out->v[out->n - 1] : NULL;
        if (!last || value_cmp(last, &tmp[i]) != 0) {
            last = push(out);
            if (!last) {
                free(tmp);
                return FZ_NOMEM;
            }
            *last = tmp[i];
            last->kind[0] = 0;
            last->case_id = 0;
            last->num = last->den = 0;
        }
        last->num += tmp[i].num;
        last->den += tmp[i].den;
    }
    free(tmp);
    return FZ_OK;
}

static void show(FILE *out, const char *what, const fact *f, int value)
{
    if (value)
        fprintf(out, "%s%s 单位 %" PRId64 " 期间 %s：分子 %" PRId64 "，分母 %" PRId64, what, f->ind, f->unit_id,
                f->period, f->num, f->den);
    else
        fprintf(out, "%s%s 案件 %s#%" PRId64 "：单位 %" PRId64 "，期间 %s，分子 %" PRId64 "，分母 %" PRId64, what,
                f->ind, f->kind, f->case_id, f->unit_id, f->period, f->num, f->den);
}

/* Merges sorted a (stored) and b (computed), printing what differs. */
static int64_t compare(FILE *out, facts *a, facts *b, int (*cmp)(const void *, const void *), int value)
{
    size_t i = 0, j = 0;
    int64_t diff = 0;
    const char *kind = value ? "指标值" : "事实";
    while (i < a->n || j < b->n) {
        int c = i == a->n ? 1 : j == b->n ? -1 : cmp(&a->v[i], &b->v[j]);
        if (c == 0 && a->v[i].num == b->v[j].num && a->v[i].den == b->v[j].den && a->v[i].unit_id == b->v[j].unit_id &&
            !strcmp(a->v[i].period, b->v[j].period)) {
            i++, j++;
            continue;
        }
        diff++;
        if (out) {
            fprintf(out, "差异（%s）：", kind);
            if (c <= 0)
                show(out, "已存 ", &a->v[i], value);
            else
                fprintf(out, "已存 无");
            fprintf(out, "；重算 ");
            if (c >= 0)
                show(out, "", &b->v[j], value);
            else
                fprintf(out, "无");
            fputc('\n', out);
        }
        if (c <= 0)
            i++;
        if (c >= 0)
            j++;
    }
    return diff;
}

int ind_recompute(store_conn *w, const defs *d, int check, FILE *out, int64_t *nfacts, int64_t *ndiff)
{
    facts cf = {0}, cv = {0}, sf = {0}, sv = {0};
    int rc = compute_all(w, d, &cf);
    if (!rc)
        rc = aggregate(&cf, &cv);
    if (!rc)
        rc = load_stored(w, &sf, &sv);
    if (!rc) {
        if (cf.n)
            qsort(cf.v, cf.n, sizeof(fact), fact_cmp);
        if (sf.n)
            qsort(sf.v, sf.n, sizeof(fact), fact_cmp);
        if (sv.n)
            qsort(sv.v, sv.n, sizeof(fact), value_cmp);
        *nfacts = (int64_t)cf.n;
        *ndiff = compare(check ? out : NULL, &sf, &cf, fact_cmp, 0) + compare(check ? out : NULL, &sv, &cv, value_cmp, 1);
    }
    if (!rc && !check) {
        rc = store_exec(w, "DELETE FROM indicator_facts") || store_exec(w, "DELETE FROM indicator_values") ? FZ_ERR
                                                                                                          : FZ_OK;
        for (size_t i = 0; !rc && i < cf.n; i++) {
            fact *f = &cf.v[i];
            rc = store_run(w,
                           "INSERT INTO indicator_facts (indicator, kind, case_id, unit_id, period, in_num, in_den)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?)",
                           "ssiisii", f->ind, f->kind, f->case_id, f->unit_id, f->period, f->num, f->den);
        }
        for (size_t i = 0; !rc && i < cv.n; i++) {
            fact *f = &cv.v[i];
            rc = store_run(w, "INSERT INTO indicator_values (indicator, unit_id, period, num, den) VALUES (?, ?, ?, ?, ?)",
                           "sisii", f->ind, f->unit_id, f->period, f->num, f->den);
        }
    }
    free(cf.v);
    free(cv.v);
    free(sf.v);
    free(sv.v);
    return rc;
}

/* How facts are kept; part of the signature so a change of it (years were
 * kept before months) rebuilds the values on the next start. */
#define IND_FORMAT "ind-facts-v2:month"

/* 1 when def x is an indicator or a procedure an indicator reads (its
 * states, fields and actions decide the facts too). */
static int signs(const defs *d, const def *x)
{
    if (x->type == DEF_INDICATOR)
        return 1;
    if (x->type != DEF_PROCEDURE)
        return 0;
    for (int i = 0; i < d->n; i++)
        if (d->items[i].type == DEF_INDICATOR && uses_kind(&d->items[i], x->name))
            return 1;
    return 0;
}

/* SM3 over the format, every indicator definition and every procedure they
 * read, in definition order. */
static int defs_signature(const defs *d, char out[SM3_HEX_LEN + 1])
{
    strbuf b = STRBUF_INIT;
    strbuf_puts(&b, IND_FORMAT);
    for (int i = 0; i < d->n; i++) {
        if (!signs(d, &d->items[i]))
            continue;
        char *t = json_dumps(d->items[i].json, JSON_COMPACT | JSON_SORT_KEYS);
        if (!t) {
            strbuf_free(&b);
            return FZ_NOMEM;
        }
        strbuf_printf(&b, "\n%s", t);
        free(t);
    }
    unsigned char h[SM3_LEN];
    int rc = strbuf_ok(&b) && sm3(b.data, b.len, h) == 0 ? FZ_OK : FZ_ERR;
    if (!rc)
        sm3_hex(h, out);
    strbuf_free(&b);
    return rc;
}

int ind_sync(store_conn *w, const defs *d, int64_t *recomputed)
{
    *recomputed = -1;
    char sig[SM3_HEX_LEN + 1], old[SM3_HEX_LEN + 1] = "";
    if (defs_signature(d, sig))
        return FZ_ERR;
    store_stmt *st;
    if (store_prepare(w, "SELECT value FROM meta WHERE key = 'indicator_defs'", &st))
        return FZ_ERR;
    int rc = store_step(st);
    if (rc == STORE_ROW)
        snprintf(old, sizeof(old), "%s", store_col_text(st, 0));
    store_done(st);
    if (rc != STORE_ROW && rc != STORE_DONE)
        return FZ_ERR;
    if (!strcmp(old, sig))
        return FZ_OK;
    int64_t diff = 0, nf = 0;
    if (ind_recompute(w, d, 0, NULL, &nf, &diff) ||
        store_run(w,
                  "INSERT INTO meta (key, value) VALUES ('indicator_defs', ?)"
                  " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                  "s", sig))
        return FZ_ERR;
    *recomputed = nf;
    return FZ_OK;
}

typedef struct sync_job {
    const defs *d;
    int64_t facts;
} sync_job;

static int sync_run(store_conn *w, void *ctx)
{
    sync_job *j = ctx;
    return ind_sync(w, j->d, &j->facts);
}

int ind_attach(store *s, const defs *d, int64_t *recomputed)
{
    ind_set_defs(d);
    sync_job j = {.d = d, .facts = -1};
    int rc = store_write(s, sync_run, &j);
    if (recomputed)
        *recomputed = j.facts;
    return rc;
}
