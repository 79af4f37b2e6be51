/* ind_eval.c: indicator definitions compiled per procedure kind and the
 * evaluation of one case (ind_eval.h).
 *
 * SQL here names tables and columns only from validated definitions
 * (case_<kind>, f_<field>); every value is bound. */
#include "engine/ind_eval.h"
#include "engine/penalty.h"
#include "engine/reccol.h"
#include "store/store.h"
#include "core/status.h"
#include "core/strbuf.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *mproc(const json_t *m)
{
    return json_string_value(json_object_get(m, "procedure"));
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

/* ---- the definitions, compiled per procedure kind ---- */

static const char *const rule_col_names[R_N] = {"proposed_fine",     "proposed_confiscation", "proposed_license",
                                                "proposed_business", "proposed_other_serious", "party__kind"};

void ind_strset_free(ind_strset *s)
{
    for (int i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    *s = (ind_strset){0};
}

int ind_strset_find(const ind_strset *s, const char *t)
{
    for (int i = 0; i < s->n; i++)
        if (!strcmp(s->v[i], t))
            return i;
    return -1;
}

/* Index of t in s, added when missing; -1 when out of memory. */
int ind_strset_add(ind_strset *s, const char *t)
{
    int i = ind_strset_find(s, t);
    if (i >= 0)
        return i;
    char **v = realloc(s->v, (size_t)(s->n + 1) * sizeof(*v));
    if (!v)
        return -1;
    s->v = v;
    if (!(s->v[s->n] = strdup(t)))
        return -1;
    return s->n++;
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

/* The texts of a JSON array of values (none when arr is not an array). */
static int texts_of(const json_t *arr, ind_strset *out)
{
    size_t i;
    json_t *v;
    char t[64];
    json_array_foreach(arr, i, v)
    {
        value_text(v, t);
        char **nv = realloc(out->v, (size_t)(out->n + 1) * sizeof(*nv));
        if (!nv)
            return FZ_NOMEM;
        out->v = nv;
        if (!(out->v[out->n] = strdup(t)))
            return FZ_NOMEM;
        out->n++;
    }
    return FZ_OK;
}

/* The column of field f ("created" and NULL are none: -1); -2 when out of memory. */
static int add_col(kplan *kp, const char *f)
{
    if (!f || !strcmp(f, "created"))
        return -1;
    int i = ind_strset_add(&kp->cols, f);
    return i < 0 ? -2 : i;
}

static int add_rule_cols(kplan *kp)
{
    for (int i = 0; checks_hearing_fields[i].name; i++) {
        const check_field *f = &checks_hearing_fields[i];
        if (add_col(kp, strcmp(f->type, "party") ? f->name : "party__kind") < -1)
            return FZ_NOMEM;
    }
    return FZ_OK;
}

static void icond_free(icond *c)
{
    ind_strset_free(&c->states);
    for (int i = 0; i < c->nwhere; i++) {
        free(c->where[i].eq);
        ind_strset_free(&c->where[i].in);
        ind_strset_free(&c->where[i].not_in);
    }
    free(c->where);
    *c = (icond){0};
}

static void imeasure_free(imeasure *m)
{
    icond_free(&m->self);
    for (int i = 0; i < m->nany; i++)
        icond_free(&m->any[i]);
    free(m->any);
    *m = (imeasure){0};
}

static int icond_compile(kplan *kp, const json_t *m, icond *c)
{
    *c = (icond){.clock = -1, .event = -1};
    json_t *states = json_object_get(m, "state");
    if (states) {
        c->has_state = 1;
        if (texts_of(states, &c->states))
            return FZ_NOMEM;
    }
    json_t *where = json_object_get(m, "where");
    if (json_array_size(where)) {
        c->where = calloc(json_array_size(where), sizeof(*c->where));
        if (!c->where)
            return FZ_NOMEM;
    }
    size_t i;
    json_t *w;
    json_array_foreach(where, i, w)
    {
        iwhere *x = &c->where[c->nwhere++];
        x->col = add_col(kp, json_string_value(json_object_get(w, "field")));
        if (x->col < -1)
            return FZ_NOMEM;
        char t[64];
        json_t *eq = json_object_get(w, "eq");
        if (eq) {
            value_text(eq, t);
            if (!(x->eq = strdup(t)))
                return FZ_NOMEM;
        }
        if (json_object_get(w, "in")) {
            x->has_in = 1;
            if (texts_of(json_object_get(w, "in"), &x->in))
                return FZ_NOMEM;
        }
        if (json_object_get(w, "not_in")) {
            x->has_not_in = 1;
            if (texts_of(json_object_get(w, "not_in"), &x->not_in))
                return FZ_NOMEM;
        }
    }
    const char *clk = json_string_value(json_object_get(m, "clock"));
    if (clk) {
        if ((c->clock = ind_strset_add(&kp->clocks, clk)) < 0)
            return FZ_NOMEM;
        json_t *cs = json_object_get(m, "clock_state");
        if (cs) {
            c->has_clock_state = 1;
            ind_strset t = {0};
            int rc = texts_of(cs, &t);
            for (int k = 0; !rc && k < t.n; k++) {
                int s = ind_strset_add(&kp->cstates, t.v[k]);
                if (s < 0)
                    rc = FZ_NOMEM;
                else if (s >= 64)
                    rc = FZ_INVALID;
                else
                    c->clock_states |= UINT64_C(1) << s;
            }
            ind_strset_free(&t);
            if (rc)
                return rc;
        }
    }
    const char *rule = json_string_value(json_object_get(m, "rule"));
    if (rule && !strcmp(rule, "full_record")) {
        c->rule = RULE_FULL_RECORD;
        kp->records = 1;
    } else if (rule) {
        c->rule = RULE_HEARING;
        kp->rule = 1;
        if (add_rule_cols(kp))
            return FZ_NOMEM;
    }
    const char *act = json_string_value(json_object_get(json_object_get(m, "event"), "action"));
    if (act) {
        char action[80];
        snprintf(action, sizeof(action), "case.%s", act);
        if ((c->event = ind_strset_add(&kp->events, action)) < 0)
            return FZ_NOMEM;
    }
    return FZ_OK;
}

/* One side of ind as read from cases of kp's kind. */
static int imeasure_compile(kplan *kp, const json_t *m, imeasure *im)
{
    *im = (imeasure){0};
    if (!mproc(m) || strcmp(mproc(m), kp->kind) != 0)
        return FZ_OK;
    im->on = 1;
    size_t k;
    json_t *alt;
    int rc = icond_compile(kp, m, &im->self);
    json_t *any = json_object_get(m, "any");
    if (rc || !any)
        return rc;
    im->has_any = 1;
    if (json_array_size(any) && !(im->any = calloc(json_array_size(any), sizeof(*im->any))))
        return FZ_NOMEM;
    json_array_foreach(any, k, alt)
    {
        if ((rc = icond_compile(kp, alt, &im->any[im->nany++])))
            return rc;
    }
    return FZ_OK;
}

static void kplan_free(kplan *kp)
{
    for (int i = 0; i < kp->nind; i++) {
        imeasure_free(&kp->inds[i].num);
        imeasure_free(&kp->inds[i].den);
    }
    free(kp->inds);
    ind_strset_free(&kp->cols);
    ind_strset_free(&kp->clocks);
    ind_strset_free(&kp->cstates);
    ind_strset_free(&kp->events);
    free(kp->ev_informs);
    free(kp->sel_one);
    free(kp->sel_chunk);
    free(kp->ev_one);
    *kp = (kplan){0};
}

void ind_plans_free(ind_plans *p)
{
    for (int i = 0; i < p->n; i++)
        kplan_free(&p->k[i]);
    free(p->k);
    *p = (ind_plans){0};
}

static kplan *plan_for(ind_plans *p, const char *kind)
{
    for (int i = 0; i < p->n; i++)
        if (!strcmp(p->k[i].kind, kind))
            return &p->k[i];
    kplan *k = realloc(p->k, (size_t)(p->n + 1) * sizeof(*k));
    if (!k)
        return NULL;
    p->k = k;
    kplan *kp = &p->k[p->n++];
    *kp = (kplan){.kind = kind};
    snprintf(kp->skind, sizeof(kp->skind), "case:%s", kind);
    if (add_col(kp, "state") != COL_STATE || add_col(kp, "unit_id") != COL_UNIT ||
        add_col(kp, "created_at") != COL_CREATED)
        return NULL;
    return kp;
}

/* The SQL of kp, once every indicator is in. */
static int kplan_finish(kplan *kp)
{
    if (kp->rule) {
        for (int r = 0; r < R_N; r++)
            if ((kp->rule_col[r] = ind_strset_find(&kp->cols, rule_col_names[r])) < 0)
                return FZ_INVALID;
        /* The as-of date of the rule: the latest 告知 or 调整拟处罚. */
        if (ind_strset_add(&kp->events, "case.inform") < 0 || ind_strset_add(&kp->events, "case.revise_proposal") < 0)
            return FZ_NOMEM;
    }
    if (kp->clocks.n > 255 || kp->events.n > 0xffff) /* as the recompute packs them with a case id */
        return FZ_INVALID;
    if (kp->events.n && !(kp->ev_informs = calloc((size_t)kp->events.n, 1)))
        return FZ_NOMEM;
    for (int e = 0; kp->rule && e < kp->events.n; e++)
        kp->ev_informs[e] = !strcmp(kp->events.v[e], "case.inform") || !strcmp(kp->events.v[e], "case.revise_proposal");
    strbuf cols = STRBUF_INIT, b = STRBUF_INIT;
    for (int i = 0; i < kp->cols.n; i++)
        strbuf_printf(&cols, builtin(kp->cols.v[i]) ? ", %s" : ", f_%s", kp->cols.v[i]);
    /* Rule full_record reads the records_missing column (engine/reccol.h)
     * after the fields. */
    kp->rec_idx = 1 + kp->cols.n;
    if (kp->records)
        strbuf_puts(&cols, ", " RECCOL);
    strbuf_printf(&b, "SELECT id%s FROM case_%s WHERE id = ?", cols.data ? cols.data : "", kp->kind);
    kp->sel_one = strbuf_ok(&b) ? strbuf_detach(&b, NULL) : NULL;
    strbuf_reset(&b);
    strbuf_printf(&b, "SELECT id%s FROM case_%s WHERE id > ? AND id <= ? ORDER BY id LIMIT ?",
                  cols.data ? cols.data : "", kp->kind);
    kp->sel_chunk = strbuf_ok(&b) ? strbuf_detach(&b, NULL) : NULL;
    strbuf_reset(&b);
    strbuf_puts(&b, "SELECT action, at FROM events WHERE subject_kind = ? AND subject_id = ? AND action IN (");
    for (int e = 0; e < kp->events.n; e++)
        strbuf_puts(&b, e ? ", ?" : "?");
    strbuf_puts(&b, ")");
    kp->ev_one = strbuf_ok(&b) ? strbuf_detach(&b, NULL) : NULL;
    int ok = strbuf_ok(&cols) && kp->sel_one && kp->sel_chunk && kp->ev_one;
    strbuf_free(&cols);
    strbuf_free(&b);
    return ok ? FZ_OK : FZ_NOMEM;
}

/* Every procedure indicator of d, grouped by the kinds its measures read. */
int ind_plans_build(const defs *d, ind_plans *p)
{
    *p = (ind_plans){0};
    int rc = FZ_OK;
    for (int i = 0; !rc && i < d->n; i++) {
        const def *ind = &d->items[i];
        if (ind->type != DEF_INDICATOR)
            continue;
        const char *kinds[2] = {mproc(json_object_get(ind->json, "numerator")),
                                mproc(json_object_get(ind->json, "denominator"))};
        if (kinds[0] && kinds[1] && !strcmp(kinds[0], kinds[1]))
            kinds[1] = NULL;
        for (int k = 0; !rc && k < 2; k++) {
            if (!kinds[k])
                continue;
            kplan *kp = plan_for(p, kinds[k]);
            iplan *v = kp ? realloc(kp->inds, (size_t)(kp->nind + 1) * sizeof(*v)) : NULL;
            if (!v) {
                rc = FZ_NOMEM;
                break;
            }
            kp->inds = v;
            iplan *ip = &kp->inds[kp->nind++];
            *ip = (iplan){.ind = ind};
            json_t *den = json_object_get(ind->json, "denominator");
            rc = imeasure_compile(kp, json_object_get(ind->json, "numerator"), &ip->num);
            if (!rc && den)
                rc = imeasure_compile(kp, den, &ip->den);
            if (!rc && (ip->date_col = add_col(kp, date_of(ind))) < -1)
                rc = FZ_NOMEM;
        }
    }
    for (int i = 0; !rc && i < p->n; i++)
        rc = kplan_finish(&p->k[i]);
    if (rc)
        ind_plans_free(p);
    return rc;
}

/* ---- one case as the conditions see it ---- */

int ind_view_init(const kplan *kp, case_view *v)
{
    *v = (case_view){0};
    v->col = calloc((size_t)kp->cols.n, sizeof(*v->col));
    v->clock = malloc((size_t)kp->clocks.n + 1);
    v->event = malloc((size_t)kp->events.n + 1);
    return v->col && v->clock && v->event ? FZ_OK : FZ_NOMEM;
}

void ind_view_free(case_view *v)
{
    free(v->col);
    free(v->clock);
    free(v->event);
}

/* The case's row from a statement that reads id then kp's columns (the
 * columns as text when a condition first reads them: most cases fail the
 * first condition and most columns are never converted). */
void ind_view_row(const kplan *kp, store_stmt *st, case_view *v)
{
    v->row = st;
    v->id = store_col_int(st, 0);
    memset(v->col, 0, (size_t)kp->cols.n * sizeof(*v->col));
    v->unit_id = store_col_int(st, 1 + COL_UNIT);
    v->created_at = store_col_int(st, 1 + COL_CREATED);
    memset(v->clock, CS_NONE, (size_t)kp->clocks.n);
    memset(v->event, 0, (size_t)kp->events.n);
    v->informed_at = 0;
    v->hearing = -1;
    v->records_missing = !kp->records || store_col_is_null(st, kp->rec_idx) ? -1 : store_col_int(st, kp->rec_idx);
}

/* Column i of the case as text ("" for NULL). */
static const char *col_of(case_view *v, int i)
{
    if (i < 0)
        return "";
    if (!v->col[i])
        v->col[i] = store_col_text(v->row, i + 1);
    return v->col[i];
}

/* The cstates index of a clock state as ind_view_clock takes it. */
int ind_clock_state(const kplan *kp, const char *state)
{
    int s = ind_strset_find(&kp->cstates, state);
    return s >= 0 ? s : CS_OTHER;
}

void ind_view_clock(case_view *v, int clock, int state)
{
    v->clock[clock] = (signed char)state;
}

void ind_view_event(const kplan *kp, case_view *v, int ev, int64_t at)
{
    v->event[ev] = 1;
    if (kp->ev_informs[ev] && at > v->informed_at)
        v->informed_at = at;
}

void ind_view_records(case_view *v, int64_t missing)
{
    v->records_missing = missing;
}

/* Rule "full_record": no step standing lacks one of its records (the
 * column, engine/reccol.h; unknown counts as lacking). */
static int full_record(case_view *v)
{
    return v->records_missing == 0;
}

/* Rule "hearing_right": the proposal falls under 第六十三条 with the
 * 较大数额 in force when it was last made (the latest 告知 or 调整拟处罚,
 * else the case's entry), so a later change of the thresholds catalog does
 * not change a fact behind the maintenance's back. */
static int hearing_right(const kplan *kp, case_view *v, const checks_thresholds *th)
{
    if (v->hearing < 0) {
        const int *r = kp->rule_col;
        pen_measures m = {.fine = strtoll(col_of(v, r[R_FINE]), NULL, 10),
                          .confiscation = strtoll(col_of(v, r[R_CONFISCATION]), NULL, 10),
                          .license = col_of(v, r[R_LICENSE]),
                          .business = col_of(v, r[R_BUSINESS]),
                          .other_serious = !strcmp(col_of(v, r[R_OTHER]), "1")};
        v->hearing = checks_hearing_applies(th, col_of(v, r[R_PARTY_KIND]), &m,
                                            v->informed_at ? v->informed_at : v->created_at);
    }
    return v->hearing;
}

static int in_set(const ind_strset *s, const char *t)
{
    for (int i = 0; i < s->n; i++)
        if (!strcmp(s->v[i], t))
            return 1;
    return 0;
}

/* 1 when the case satisfies the conditions c. */
static int conditions_hold(const kplan *kp, const icond *c, case_view *v, const checks_thresholds *th)
{
    if (c->has_state && !in_set(&c->states, col_of(v, COL_STATE)))
        return 0;
    for (int i = 0; i < c->nwhere; i++) {
        const iwhere *w = &c->where[i];
        const char *val = col_of(v, w->col);
        if (w->eq && strcmp(w->eq, val) != 0)
            return 0;
        if (w->has_in && !in_set(&w->in, val))
            return 0;
        if (w->has_not_in && in_set(&w->not_in, val))
            return 0;
    }
    if (c->clock >= 0) {
        int s = v->clock[c->clock];
        if (s == CS_NONE || (c->has_clock_state && (s < 0 || !(c->clock_states & (UINT64_C(1) << s)))))
            return 0;
    }
    if (c->rule == RULE_HEARING && !hearing_right(kp, v, th))
        return 0;
    if (c->rule == RULE_FULL_RECORD && !full_record(v))
        return 0;
    if (c->event >= 0 && !v->event[c->event])
        return 0;
    return 1;
}

/* 1 when the case satisfies measure m: its conditions and, with "any", at
 * least one alternative. */
static int matches(const kplan *kp, const imeasure *m, case_view *v, const checks_thresholds *th)
{
    if (!m->on || !conditions_hold(kp, &m->self, v, th))
        return 0;
    if (!m->has_any)
        return 1;
    for (int i = 0; i < m->nany; i++)
        if (conditions_hold(kp, &m->any[i], v, th))
            return 1;
    return 0;
}

static void month_of(time_t t, month_cache *mc, char out[12])
{
    out[0] = 0;
    if (mc->hi > mc->lo && t >= mc->lo && t < mc->hi) {
        memcpy(out, mc->ym, sizeof(mc->ym));
        return;
    }
    struct tm tm;
    /* "YYYY-MM" of a 4-digit year, as "%Y-%m-%d" cut to 7 always gave. */
    if (!localtime_r(&t, &tm) || tm.tm_year + 1900 < 1000 || tm.tm_year + 1900 > 9999)
        return;
    int y = tm.tm_year + 1900, m = tm.tm_mon + 1;
    const char ym[8] = {(char)('0' + y / 1000),   (char)('0' + y / 100 % 10), (char)('0' + y / 10 % 10),
                        (char)('0' + y % 10),     '-',                        (char)('0' + m / 10),
                        (char)('0' + m % 10),     0};
    memcpy(out, ym, sizeof(ym));
    struct tm a = {.tm_year = tm.tm_year, .tm_mon = tm.tm_mon, .tm_mday = 1, .tm_isdst = -1};
    struct tm b = {.tm_year = tm.tm_year, .tm_mon = tm.tm_mon + 1, .tm_mday = 1, .tm_isdst = -1};
    time_t lo = mktime(&a), hi = mktime(&b);
    if (lo != (time_t)-1 && hi != (time_t)-1 && lo <= t && t < hi) {
        mc->lo = lo;
        mc->hi = hi;
        memcpy(mc->ym, out, sizeof(mc->ym));
    }
}

/* The fact of the case in v for indicator ip: num/den 0/0 = none. */
void ind_eval_fact(const kplan *kp, const iplan *ip, case_view *v, const checks_thresholds *th, month_cache *mc,
                      ifact *f)
{
    memset(f, 0, sizeof(*f));
    f->case_id = v->id;
    if (ip->date_col < 0) {
        month_of((time_t)(v->created_at / 1000), mc, f->period);
    } else {
        const char *day = col_of(v, ip->date_col);
        if (strlen(day) >= 10 && day[4] == '-' && day[7] == '-')
            snprintf(f->period, sizeof(f->period), "%.7s", day);
    }
    if (!f->period[0])
        return;
    f->unit_id = v->unit_id;
    f->num = matches(kp, &ip->num, v, th);
    f->den = matches(kp, &ip->den, v, th);
}

int ind_fact_same(const ifact *a, const ifact *b)
{
    return a->unit_id == b->unit_id && !strcmp(a->period, b->period) && a->num == b->num && a->den == b->den;
}
