/* cases.c: cases of a procedure definition (see cases.h). SQL here is built
 * from validated definition names (table case_<kind>, columns f_<field>);
 * every value is a bound parameter. */
#include "engine/cases.h"
#include "core/jsonw.h"
#include "engine/indicators.h"
#include "engine/attach.h"
#include "engine/checks.h"
#include "engine/citation.h"
#include "engine/clock.h"
#include "engine/events.h"
#include "engine/fields.h"
#include "engine/holidays.h"
#include "engine/indexer.h"
#include "engine/legal_review.h"
#include "engine/publish.h"
#include "engine/reccol.h"
#include "engine/records.h"
#include "engine/scheduler.h"
#include "engine/schema.h"
#include "store/store.h"
#include "core/deadline.h"
#include "core/status.h"
#include "core/strbuf.h"
#include "core/timeutil.h"
#include "core/validate.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int refuse(case_ctx *x, int status, const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int refuse(case_ctx *x, int status, const char *code, const char *field, const char *fmt, ...)
{
    x->status = status;
    x->code = code;
    snprintf(x->field, sizeof(x->field), "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->message, sizeof(x->message), fmt, ap);
    va_end(ap);
    return status == 404 ? FZ_NOTFOUND : status == 409 || status == 403 ? FZ_CONFLICT : FZ_INVALID;
}

void case_subject_kind(const def *d, char out[64])
{
    snprintf(out, 64, "case:%s", d->name);
}

static json_t *fields_of(const def *d)
{
    return json_object_get(d->json, "fields");
}

static const char *ftype(json_t *f)
{
    return json_string_value(json_object_get(f, "type"));
}

static const char *flabel(json_t *f)
{
    return json_string_value(json_object_get(f, "label"));
}

static json_t *action_def(const def *d, const char *name)
{
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(d->json, "actions"), i, a) if (strcmp(json_string_value(json_object_get(a, "name")),
                                                                              name) == 0) return a;
    return NULL;
}

static json_t *state_def(const def *d, const char *name)
{
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(d->json, "states"), i, s) if (strcmp(json_string_value(json_object_get(s, "name")),
                                                                             name) == 0) return s;
    return NULL;
}

static int in_array(json_t *arr, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) if (json_is_string(v) && strcmp(json_string_value(v), s) == 0) return 1;
    return 0;
}

static void table_of(const def *d, char out[64])
{
    snprintf(out, 64, "case_%s", d->name);
}

int case_check_values(case_ctx *x, const json_t *values, int creating)
{
    field_err e;
    if (fields_check(x->d, values, creating, &e) != FZ_OK)
        return refuse(x, 400, "validation_failed", e.field, "%s", e.message);
    return FZ_OK;
}

/* ---- definition versions ---- */

/* The definition the case was started under, when it differs from the one in
 * force: *old receives it (json owned by the caller: json_decref(old->json))
 * and the function returns 1; 0 when the current one applies (or the old
 * one is not stored, as for cases from before versions were kept). */
static int version_of(store_conn *c, case_ctx *x, const char *digest, def *old)
{
    if (!digest || !*digest || !strcmp(digest, x->d->digest))
        return 0;
    store_stmt *st;
    if (store_prepare(c, "SELECT json FROM def_versions WHERE digest = ?", &st))
        return 0;
    store_bind_text(st, 1, digest);
    json_t *j = store_step(st) == STORE_ROW ? json_loads(store_col_text(st, 0), 0, NULL) : NULL;
    store_done(st);
    if (!j)
        return 0;
    *old = *x->d;
    old->json = j;
    snprintf(old->digest, sizeof(old->digest), "%s", digest);
    return 1;
}

/* ---- reading ---- */

/* "SELECT id, no, state, unit_id, handler_id, created_at, updated_at, def_digest, <the plan's fields>
 * FROM case_k t" */
#define META_COLS 8
static void select_sql(const def *d, const fields_plan *p, strbuf *b)
{
    char tbl[64];
    table_of(d, tbl);
    strbuf_puts(b, "SELECT id, no, state, unit_id, handler_id, created_at, updated_at, def_digest");
    fields_plan_columns(b, p);
    strbuf_printf(b, " FROM %s t", tbl);
}

/* A row of select_sql as JSON (plan: the one select_sql had). */
static json_t *row_json(case_ctx *x, store_stmt *st, int sensitive, const fields_plan *plan)
{
    char created[32], updated[32];
    time_format_rfc3339(store_col_int(st, 5), created);
    time_format_rfc3339(store_col_int(st, 6), updated);
    const char *state = store_col_text(st, 2);
    json_t *sd = state_def(x->d, state);
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:s}", "id", (json_int_t)store_col_int(st, 0), "no",
                          store_col_text(st, 1), "state", state, "state_label",
                          sd ? json_string_value(json_object_get(sd, "label")) : state, "unit_id",
                          (json_int_t)store_col_int(st, 3), "handler_id", (json_int_t)store_col_int(st, 4),
                          "created_at", created, "updated_at", updated, "def_digest", store_col_text(st, 7));
    json_object_set_new(o, "fields", fields_read_plan(plan, x->keys, st, META_COLS, sensitive));
    return o;
}

/* The labels of a definition's states, read out of its JSON once per answer
 * (looking a state up by name walks JSON objects: done per row, that was 4-7 %
 * of a list page). */
#define LABELS_KEPT 24
typedef struct label_memo {
    const char *state[LABELS_KEPT];
    const char *label[LABELS_KEPT];
    int n;
} label_memo;

static void labels_fill(const def *d, label_memo *m)
{
    size_t i;
    json_t *s;
    m->n = 0;
    json_array_foreach(json_object_get(d->json, "states"), i, s)
    {
        const char *name = json_string_value(json_object_get(s, "name"));
        if (m->n == LABELS_KEPT || !name)
            break;
        const char *label = json_string_value(json_object_get(s, "label"));
        m->state[m->n] = name;
        m->label[m->n++] = label ? label : name;
    }
}

static const char *state_label(const def *d, const char *state, const label_memo *m)
{
    for (int i = 0; m && i < m->n; i++)
        if (!strcmp(m->state[i], state))
            return m->label[i];
    json_t *sd = state_def(d, state);
    return sd ? json_string_value(json_object_get(sd, "label")) : state;
}

/* A row of select_sql as JSON text: the bytes json_dumps gives for
 * row_json's object. m: NULL, or kept across the rows of one answer. */
static void row_text(strbuf *b, case_ctx *x, store_stmt *st, int sensitive, const fields_plan *plan,
                     const label_memo *m)
{
    char at[32];
    const char *state = store_col_text(st, 2);
    strbuf_puts(b, "{\"id\":");
    jw_int(b, store_col_int(st, 0));
    strbuf_puts(b, ",\"no\":");
    jw_str(b, store_col_text(st, 1));
    strbuf_puts(b, ",\"state\":");
    jw_str(b, state);
    strbuf_puts(b, ",\"state_label\":");
    jw_str(b, state_label(x->d, state, m));
    strbuf_puts(b, ",\"unit_id\":");
    jw_int(b, store_col_int(st, 3));
    strbuf_puts(b, ",\"handler_id\":");
    jw_int(b, store_col_int(st, 4));
    time_format_rfc3339(store_col_int(st, 5), at);
    strbuf_puts(b, ",\"created_at\":");
    jw_str(b, at);
    time_format_rfc3339(store_col_int(st, 6), at);
    strbuf_puts(b, ",\"updated_at\":");
    jw_str(b, at);
    strbuf_puts(b, ",\"def_digest\":");
    jw_str(b, store_col_text(st, 7));
    strbuf_puts(b, ",\"fields\":");
    fields_write_plan(b, plan, x->keys, st, META_COLS, sensitive);
    strbuf_putc(b, '}');
}

int case_owner(store_conn *c, const def *d, int64_t id, int64_t *unit_id, int64_t *handler_id)
{
    char tbl[64];
    table_of(d, tbl);
    strbuf b = STRBUF_INIT;
    strbuf_printf(&b, "SELECT unit_id, handler_id FROM %s WHERE id = ?", tbl);
    store_stmt *st;
    int rc = strbuf_ok(&b) ? store_prepare(c, b.data, &st) : FZ_NOMEM;
    strbuf_free(&b);
    if (rc)
        return rc;
    store_bind_int(st, 1, id);
    rc = store_step(st);
    if (rc == STORE_ROW) {
        *unit_id = store_col_int(st, 0);
        *handler_id = store_col_int(st, 1);
    }
    store_done(st);
    return rc == STORE_ROW ? FZ_OK : rc == STORE_DONE ? FZ_NOTFOUND : FZ_ERR;
}

/* How one definition version's rows are read: the SQL of load() and the
 * fields plan, built once (a procedure's 70 columns took a tenth of a case
 * detail's time to write out and plan). Kept for the process (a few
 * definitions, never freed); past READS_MAX they are built per call. */
#define READS_MAX 32
typedef struct def_reads {
    char digest[SM3_HEX_LEN + 1];
    char *load_sql;
    fields_plan *plan;
} def_reads;
static def_reads reads[READS_MAX];
static int n_reads;
static pthread_mutex_t reads_mu = PTHREAD_MUTEX_INITIALIZER;

static const def_reads *reads_find(const def *d)
{
    for (int i = 0; i < n_reads; i++)
        if (!strcmp(reads[i].digest, d->digest))
            return &reads[i];
    return NULL;
}

/* The reads of d: kept ones (*own = 0) or, past READS_MAX, new ones in
 * *mine that the caller frees with reads_free (*own = 1). NULL: out of
 * memory. */
static const def_reads *reads_of(const def *d, def_reads *mine, int *own)
{
    *own = 0;
    pthread_mutex_lock(&reads_mu);
    const def_reads *r = reads_find(d);
    pthread_mutex_unlock(&reads_mu);
    if (r)
        return r;
    def_reads nr = {0};
    snprintf(nr.digest, sizeof(nr.digest), "%s", d->digest);
    nr.plan = fields_plan_new(d);
    if (nr.plan) {
        strbuf b = STRBUF_INIT;
        select_sql(d, nr.plan, &b);
        strbuf_puts(&b, " WHERE t.id = ?");
        nr.load_sql = strbuf_detach(&b, NULL);
    }
    if (!nr.load_sql || !nr.plan) {
        free(nr.load_sql);
        fields_plan_free(nr.plan);
        return NULL;
    }
    int kept = 0;
    pthread_mutex_lock(&reads_mu);
    r = reads_find(d); /* another thread may have been first */
    if (!r && n_reads < READS_MAX) {
        reads[n_reads] = nr;
        r = &reads[n_reads++];
        kept = 1;
    }
    pthread_mutex_unlock(&reads_mu);
    if (kept)
        return r;
    if (r) {
        free(nr.load_sql);
        fields_plan_free(nr.plan);
        return r;
    }
    *mine = nr;
    *own = 1;
    return mine;
}

static void reads_free(def_reads *r, int own)
{
    if (own) {
        free(r->load_sql);
        fields_plan_free(r->plan);
    }
}

/* Reads case id's row (select_sql with every field) and hands it to
 * fn(ctx, st, plan). FZ_NOTFOUND when absent. */
static int load_row(store_conn *c, const def *d, int64_t id, void (*fn)(void *ctx, store_stmt *st, const fields_plan *p),
                    void *ctx)
{
    def_reads mine;
    int own;
    const def_reads *rd = reads_of(d, &mine, &own);
    if (!rd)
        return FZ_NOMEM;
    store_stmt *st;
    int rc = store_prepare(c, rd->load_sql, &st);
    if (!rc) {
        store_bind_int(st, 1, id);
        int s = store_step(st);
        if (s == STORE_ROW)
            fn(ctx, st, rd->plan);
        rc = s == STORE_ROW ? FZ_OK : s == STORE_DONE ? FZ_NOTFOUND : FZ_ERR;
        store_done(st);
    }
    reads_free(&mine, own);
    return rc;
}

/* What the rest of a detail needs from the row. */
typedef struct row_meta {
    char state[64];
    char digest[SM3_HEX_LEN + 1];
    int64_t unit_id, handler_id;
} row_meta;

typedef struct loaded {
    case_ctx *x;
    int sensitive;
    json_t *o;       /* load: the row */
    strbuf *text;    /* case_json_text: the row as text */
    row_meta *meta;  /* case_json_text: its state and def_digest */
} loaded;

static void load_json(void *ctx, store_stmt *st, const fields_plan *p)
{
    loaded *l = ctx;
    l->o = row_json(l->x, st, l->sensitive, p);
}

/* Loads case id as JSON (NULL when absent). */
static json_t *load(store_conn *c, case_ctx *x, int64_t id, int sensitive)
{
    loaded l = {x, sensitive, NULL, NULL, NULL};
    return load_row(c, x->d, id, load_json, &l) == FZ_OK ? l.o : NULL;
}

static int has_role(const principal *p, const char *key)
{
    for (int i = 0; i < p->nroles; i++)
        if (!strcmp(p->roles[i].key, key))
            return 1;
    return 0;
}

/* The parts of a detail after the row: head (actions, clocks,
 * attachments), then the events (as jansson objects into events, or as text
 * into events_text), then tail (missing_records, review, reviews). */
typedef struct detail_parts {
    json_t *head, *events, *tail;
    strbuf *events_text, *actions_text; /* the text answer: these two as text, not in head / events */
    int current; /* set by case_json_rest: the definition in force (not an older version) */
} detail_parts;
static int case_json_under(store_conn *c, case_ctx *x, int64_t id, const char *state, detail_parts *dp);

/* 全过程记录 (行政处罚法第四十七条): for every step standing, each of its
 * "records" with no attachment of that category on the case:
 * [{action, label, category}], in the order the steps were first taken
 * (engine/records.h, the computation indicator rule full_record shares).
 * These never block a step (blocking documents are the action's
 * "attachments"); the case shows what its record still lacks. */
typedef struct miss_ctx {
    const rec_plan *p;
    json_t *out;
} miss_ctx;

static void miss_one(void *ctx, int step, int cat)
{
    miss_ctx *m = ctx;
    json_array_append_new(m->out, json_pack("{s:s, s:O, s:s}", "action", m->p->step[step], "label",
                                            json_object_get(m->p->ad[step], "label"), "category", m->p->cat[cat]));
}

static json_t *missing_records(const rec_plan *p, const rec_tally *t, json_t *attachments)
{
    miss_ctx m = {.p = p, .out = json_array()};
    unsigned char *have = calloc((size_t)p->ncat + 1, 1);
    if (!have)
        return m.out;
    size_t j;
    json_t *att;
    json_array_foreach(attachments, j, att)
    {
        int c = rec_cat_index(p, json_string_value(json_object_get(att, "category")));
        if (c >= 0)
            have[c] = 1;
    }
    rec_missing(p, t, have, miss_one, &m);
    free(have);
    return m.out;
}

/* The rest of a case's detail (the row read gave state and def_digest):
 * the parts as the case's own definition version has them. */
static int case_json_rest(store_conn *c, case_ctx *x, int64_t id, const char *state, const char *digest,
                          detail_parts *dp)
{
    def old;
    const def *cur = x->d;
    int swapped = version_of(c, x, digest, &old);
    if (swapped)
        x->d = &old;
    dp->current = !swapped;
    int rc = case_json_under(c, x, id, state, dp);
    if (swapped) {
        x->d = cur;
        json_decref(old.json);
    }
    return rc;
}

static void parts_free(detail_parts *dp)
{
    json_decref(dp->head);
    json_decref(dp->events);
    json_decref(dp->tail);
}

static void merge_into(json_t *o, json_t *part)
{
    const char *k;
    json_t *v;
    json_object_foreach(part, k, v) json_object_set(o, k, v);
}

json_t *case_json(store_conn *c, case_ctx *x, int64_t id)
{
    json_t *o = load(c, x, id, authz_has(x->who, "system:user:sensitive"));
    if (!o)
        return NULL;
    detail_parts dp = {0};
    if (case_json_rest(c, x, id, json_string_value(json_object_get(o, "state")),
                       json_string_value(json_object_get(o, "def_digest")), &dp)) {
        parts_free(&dp);
        json_decref(o);
        return NULL;
    }
    merge_into(o, dp.head);
    json_object_set(o, "events", dp.events);
    merge_into(o, dp.tail);
    parts_free(&dp);
    return o;
}

static void load_text(void *ctx, store_stmt *st, const fields_plan *p)
{
    loaded *l = ctx;
    row_text(l->text, l->x, st, l->sensitive, p, NULL);
    row_meta *m = l->meta;
    snprintf(m->state, sizeof(m->state), "%s", store_col_text(st, 2));
    snprintf(m->digest, sizeof(m->digest), "%s", store_col_text(st, 7));
    m->unit_id = store_col_int(st, 3);
    m->handler_id = store_col_int(st, 4);
}

/* Appends the members of object part, each after a comma: the bytes
 * json_dumps (compact) gives for them, an empty array or null written as it
 * is (most clocks and attachments are: dumping them was 3 % of a detail). */
static int put_members(strbuf *out, const json_t *part)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)part, k, v)
    {
        strbuf_putc(out, ',');
        jw_key(out, k);
        if (json_is_null(v) || (json_is_array(v) && json_array_size(v) == 0)) {
            strbuf_puts(out, json_is_null(v) ? "null" : "[]");
            continue;
        }
        char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        if (!t)
            return FZ_NOMEM;
        strbuf_puts(out, t);
        free(t);
    }
    return FZ_OK;
}

int case_json_text(store_conn *c, case_ctx *x, int64_t id, strbuf *out)
{
    return case_json_visible(c, x, id, NULL, out);
}

int case_json_visible(store_conn *c, case_ctx *x, int64_t id, const char *perm, strbuf *out)
{
    row_meta meta;
    size_t start = out->len;
    loaded l = {x, authz_has(x->who, "system:user:sensitive"), NULL, out, &meta};
    int rc = load_row(c, x->d, id, load_text, &l);
    /* The scope is judged on the row just read (one lookup, not two). */
    if (!rc && perm)
        rc = authz_unit_visible(c, x->who, perm, meta.unit_id, meta.handler_id);
    if (rc) {
        out->len = start;
        return rc;
    }
    if (!strbuf_ok(out) || out->len == 0)
        return FZ_NOMEM;
    /* The row as text, then the rest in case_json's order: one object, the
     * same bytes. */
    strbuf events = STRBUF_INIT, actions = STRBUF_INIT;
    detail_parts dp = {.events_text = &events, .actions_text = &actions};
    rc = case_json_rest(c, x, id, meta.state, meta.digest, &dp);
    if (!rc) {
        out->len--; /* the row's closing brace */
        strbuf_puts(out, ",\"actions\":");
        strbuf_append(out, actions.data ? actions.data : "[]", actions.data ? actions.len : 2);
        rc = put_members(out, dp.head);
        strbuf_puts(out, ",\"events\":");
        strbuf_append(out, events.data ? events.data : "[]", events.data ? events.len : 2);
        if (!rc)
            rc = put_members(out, dp.tail);
        strbuf_putc(out, '}');
        if (!rc && (!strbuf_ok(out) || !strbuf_ok(&events) || !strbuf_ok(&actions)))
            rc = FZ_NOMEM;
    }
    parts_free(&dp);
    strbuf_free(&events);
    strbuf_free(&actions);
    return rc;
}

/* A procedure's actions and 全过程记录 plan compiled for the detail: the
 * names, kinds, from-states and roles as C strings (looking them up in the
 * definition's JSON per action and per event was a tenth of a detail). The
 * views of the definitions in force are built once each and kept with their
 * JSON held; past VIEWS_MAX, or for an older version loaded per request, the
 * caller builds its own (view_build / view_free). */
typedef struct act_view {
    const char *name, *kind;
    json_t *ad;        /* the action's definition */
    const char **from; /* NULL: from any state but a final one */
    int nfrom;
    const char **roles; /* NULL: any role */
    int nroles;
    json_t *answer; /* {name, label, form, requires}: as the detail lists it */
    char *text;     /* ... and as text (json_dumps), for the text answer */
} act_view;

typedef struct def_view {
    json_t *json;
    act_view *acts;
    int nacts;
    const act_view **by_name; /* acts sorted by name (names are unique: defs.c) */
    rec_plan plan;
    int plan_ok;
} def_view;

static const char **strings_of(json_t *arr, int *n)
{
    *n = 0;
    if (!json_is_array(arr))
        return NULL;
    const char **out = calloc(json_array_size(arr) + 1, sizeof(*out));
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) if (out && json_is_string(v)) out[(*n)++] = json_string_value(v);
    return out;
}

static void view_free(def_view *v)
{
    for (int i = 0; i < v->nacts; i++) {
        free(v->acts[i].from);
        free(v->acts[i].roles);
        json_decref(v->acts[i].answer);
        free(v->acts[i].text);
    }
    free(v->acts);
    free(v->by_name);
    if (v->plan_ok)
        rec_plan_free(&v->plan);
    *v = (def_view){0};
}

static int by_name_cmp(const void *a, const void *b)
{
    return strcmp((*(const act_view *const *)a)->name, (*(const act_view *const *)b)->name);
}

static int view_build(const def *d, def_view *v)
{
    *v = (def_view){.json = d->json};
    json_t *acts = json_object_get(d->json, "actions"), *a;
    size_t i;
    v->acts = calloc(json_array_size(acts) + 1, sizeof(*v->acts));
    if (!v->acts)
        return FZ_NOMEM;
    json_array_foreach(acts, i, a)
    {
        act_view *av = &v->acts[v->nacts++];
        av->ad = a;
        av->name = json_string_value(json_object_get(a, "name"));
        av->kind = json_string_value(json_object_get(a, "kind"));
        json_t *from = json_object_get(a, "from"), *roles = json_object_get(a, "roles");
        av->from = strings_of(from, &av->nfrom);
        av->roles = strings_of(roles, &av->nroles);
        json_t *form = json_object_get(a, "form"), *requires = json_object_get(a, "requires");
        av->answer = json_pack("{s:O, s:O, s:o, s:o}", "name", json_object_get(a, "name"), "label",
                               json_object_get(a, "label"), "form", form ? json_incref(form) : json_array(),
                               "requires", requires ? json_incref(requires) : json_array());
        av->text = av->answer ? json_dumps(av->answer, JSON_COMPACT) : NULL;
        if ((from && !av->from) || (roles && !av->roles) || !av->name || !av->text) {
            view_free(v);
            return FZ_NOMEM;
        }
    }
    if (!(v->by_name = calloc((size_t)v->nacts + 1, sizeof(*v->by_name)))) {
        view_free(v);
        return FZ_NOMEM;
    }
    for (int k = 0; k < v->nacts; k++)
        v->by_name[k] = &v->acts[k];
    qsort(v->by_name, (size_t)v->nacts, sizeof(*v->by_name), by_name_cmp);
    v->plan_ok = rec_plan_build(d, &v->plan) == FZ_OK;
    return FZ_OK;
}

#define VIEWS_MAX 16
static def_view views[VIEWS_MAX];
static int n_views;
static pthread_mutex_t views_mu = PTHREAD_MUTEX_INITIALIZER;

static const def_view *view_kept(const def *d)
{
    const def_view *r = NULL;
    pthread_mutex_lock(&views_mu);
    for (int i = 0; !r && i < n_views; i++)
        if (views[i].json == d->json)
            r = &views[i];
    if (!r && n_views < VIEWS_MAX && view_build(d, &views[n_views]) == FZ_OK) {
        json_incref(d->json);
        r = &views[n_views++];
    }
    pthread_mutex_unlock(&views_mu);
    return r;
}

/* An action by name (every event of a detail asks: a binary search). */
static const act_view *view_action(const def_view *v, const char *name)
{
    int lo = 0, hi = v->nacts - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2, c = strcmp(v->by_name[mid]->name, name);
        if (!c)
            return v->by_name[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

static int listed_in(const char *const *list, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(list[i], s))
            return 1;
    return 0;
}

/* May x->who (who may handle cases) take action av from state now? (roles
 * and from-state only: the buttons the detail page offers.) final: the
 * state is a final one. */
static int action_open(case_ctx *x, const act_view *av, const char *state, int final)
{
    if (av->from ? !listed_in(av->from, av->nfrom, state) : final && !(av->kind && !strcmp(av->kind, "withdraw")))
        return 0;
    if (!av->roles)
        return 1;
    for (int i = 0; i < av->nroles; i++)
        if (has_role(x->who, av->roles[i]))
            return 1;
    return 0;
}

/* An event of the detail as text: the bytes json_dumps gives for the object
 * case_json builds (the payload as stored: event_append wrote it with
 * json_dumps, keys sorted, which reads back and dumps to the same text). */
static void str_member(strbuf *b, const char *key, const char *v)
{
    strbuf_puts(b, key);
    jw_str(b, v);
}

static void event_text(strbuf *b, store_stmt *st, const char *at, const char *label)
{
    const char *payload = store_col_text(st, 6);
    strbuf_puts(b, "{\"seq\":");
    jw_int(b, store_col_int(st, 0));
    str_member(b, ",\"at\":", at);
    str_member(b, ",\"actor\":", store_col_text(st, 2));
    str_member(b, ",\"action\":", store_col_text(st, 3));
    str_member(b, ",\"label\":", label);
    str_member(b, ",\"from_state\":", store_col_text(st, 4));
    str_member(b, ",\"to_state\":", store_col_text(st, 5));
    strbuf_puts(b, ",\"payload\":");
    strbuf_puts(b, payload && *payload ? payload : "{}");
    str_member(b, ",\"hash\":", store_col_text(st, 7));
    strbuf_putc(b, '}');
}

/* "导入的历史记录：" and the step's label, cut to fit on a character's
 * boundary (a cut inside one made the detail invalid UTF-8). */
static void history_label(char *out, size_t cap, const char *s, size_t n)
{
    static const char pre[] = "导入的历史记录：";
    size_t room = cap - sizeof(pre);
    if (n > room) {
        n = room;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(out, pre, sizeof(pre) - 1);
    memcpy(out + sizeof(pre) - 1, s, n);
    out[sizeof(pre) - 1 + n] = '\0';
}

static int case_json_under(store_conn *c, case_ctx *x, int64_t id, const char *state, detail_parts *dp)
{
    const json_t *sd = state_def(x->d, state);
    dp->head = json_object();
    dp->tail = json_object();
    if (!dp->events_text)
        dp->events = json_array();
    if (!dp->head || !dp->tail || (!dp->events_text && !dp->events))
        return FZ_NOMEM;
    def_view own_view;
    const def_view *v = dp->current ? view_kept(x->d) : NULL;
    int own = !v && view_build(x->d, &own_view) == FZ_OK;
    if (own)
        v = &own_view;
    if (!v)
        return FZ_NOMEM;
    json_t *actions = json_array();
    /* 公示 is offered while nothing is published, 撤回公示 while something is. */
    char skind[64], sid[24];
    case_subject_kind(x->d, skind);
    snprintf(sid, sizeof(sid), "%lld", (long long)id);
    int64_t published = -1;
    int final = json_is_true(json_object_get(sd, "final")), handle = authz_has(x->who, "case:handle");
    int nopen = 0;
    for (int i = 0; handle && i < v->nacts; i++) {
        if (!action_open(x, &v->acts[i], state, final))
            continue;
        const char *k = v->acts[i].kind;
        if (k && (!strcmp(k, "publish") || !strcmp(k, "unpublish"))) {
            if (published < 0 && store_query_int(c, &published, 0,
                                                 "SELECT count(*) FROM publications WHERE subject_kind = ?"
                                                 " AND subject_id = ? AND +withdrawn_at = 0", /* see active_id, publish.c */
                                                 "ss", skind, sid))
                published = 0;
            if ((published > 0) == !strcmp(k, "publish"))
                continue;
        }
        if (dp->actions_text) {
            strbuf_putc(dp->actions_text, nopen++ ? ',' : '[');
            strbuf_puts(dp->actions_text, v->acts[i].text);
        } else {
            json_array_append(actions, v->acts[i].answer);
        }
    }
    if (dp->actions_text) {
        if (!nopen)
            strbuf_putc(dp->actions_text, '[');
        strbuf_putc(dp->actions_text, ']');
        json_decref(actions);
    } else {
        json_object_set_new(dp->head, "actions", actions);
    }
    const char *kind = skind;
    /* Clocks, with working days left as of today on the calendar in force. */
    json_t *clocks = json_array();
    hol_ref *ref = NULL;
    int acquired = 0; /* the calendar is looked up for the first clock (a case may have none) */
    store_stmt *st;
    if (store_prepare(c, "SELECT " CLOCK_COLUMNS " FROM clocks c WHERE c.subject_kind = ? AND c.subject_id = ?"
                         " ORDER BY c.id", &st) == FZ_OK) {
        store_bind_text(st, 1, kind);
        store_bind_text(st, 2, sid);
        while (store_step(st) == STORE_ROW) {
            clock_row row;
            if (!acquired++)
                holidays_acquire(c, &ref);
            if (clock_read_row(st, &row) == FZ_OK)
                json_array_append_new(clocks, clock_json(&row, ref ? holidays_cal(ref) : NULL, scheduler_today()));
        }
        store_done(st);
    }
    if (ref)
        holidays_release(ref);
    json_object_set_new(dp->head, "clocks", clocks);
    json_t *attachments = attach_list(c, kind, sid);
    json_object_set_new(dp->head, "attachments", attachments);
    /* The full-process record; on the way, the steps taken (for the records
     * they should carry) and the 法制审核 rounds. */
    const rec_plan *rp = v->plan_ok ? &v->plan : NULL;
    rec_tally tally = {0};
    int recs = rp != NULL;
    if (recs && rec_tally_init(rp, &tally) != FZ_OK)
        recs = 0;
    review_acc rv = {0};
    int reviewed = legal_review_applies(x->d);
    if (reviewed)
        legal_review_init(&rv);
    strbuf *et = dp->events_text;
    int n = 0;
    if (et)
        strbuf_putc(et, '[');
    if (store_prepare(c, "SELECT seq, at, actor, action, from_state, to_state, payload, hash FROM events"
                         " WHERE subject_kind = ? AND subject_id = ? ORDER BY seq", &st) == FZ_OK) {
        store_bind_text(st, 1, kind);
        store_bind_text(st, 2, sid);
        while (store_step(st) == STORE_ROW) {
            char at[32];
            time_format_rfc3339(store_col_int(st, 1), at);
            const char *action = store_col_text(st, 3), *from = store_col_text(st, 4), *to = store_col_text(st, 5);
            int step = !strncmp(action, "case.", 5);
            const act_view *av = view_action(v, action + (step ? 5 : 0));
            json_t *ad = av ? av->ad : NULL;
            /* The payload is parsed only where it is read: for the jansson
             * answer, a withdrawal (撤回), a step into or out of 法制审核,
             * a step of an imported case's history (its label). */
            const char *ptext = store_col_text(st, 6);
            int history = !ad && !strcmp(action, CASE_HISTORY);
            /* A history step's label read off its text (jr_member_str);
             * parsed only when that reader is not sure of the text. */
            const char *hraw = NULL;
            size_t hlen = 0;
            int hfound = history && et ? jr_member_str(ptext, "label", &hraw, &hlen) : -1;
            int need = !et || (history && hfound < 0) ||
                       (ad && step && (strstr(ptext, "\"withdrawn\":") ||
                                       (reviewed && (!strcmp(from, LEGAL_REVIEW_STATE) || !strcmp(to, LEGAL_REVIEW_STATE)))));
            json_t *payload = need ? json_loads(ptext, 0, NULL) : NULL;
            if (ad && step) {
                if (recs)
                    rec_note(&tally, rec_step_index(rp, action, 1),
                             rec_withdrawn_index(rp, json_string_value(json_object_get(payload, "withdrawn"))));
                if (reviewed)
                    legal_review_feed(&rv, store_col_int(st, 1), store_col_text(st, 2),
                                      json_string_value(json_object_get(ad, "label")), from, to, payload);
            }
            char hlabel[200] = "";
            const char *hl = history && hfound < 0 ? json_string_value(json_object_get(payload, "label")) : NULL;
            if (hl)
                history_label(hlabel, sizeof(hlabel), hl, strlen(hl));
            else if (hfound > 0)
                history_label(hlabel, sizeof(hlabel), hraw, hlen);
            const char *label = ad                                  ? json_string_value(json_object_get(ad, "label"))
                                : !strcmp(action, "attachment.added") ? "上传附件"
                                                                      : hlabel;
            if (et) {
                if (n++)
                    strbuf_putc(et, ',');
                event_text(et, st, at, label);
                json_decref(payload);
            } else {
                json_array_append_new(dp->events,
                                      json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s}", "seq",
                                                (json_int_t)store_col_int(st, 0), "at", at, "actor",
                                                store_col_text(st, 2), "action", action, "label", label, "from_state",
                                                from, "to_state", to, "payload", payload ? payload : json_object(),
                                                "hash", store_col_text(st, 7)));
            }
        }
        store_done(st);
    }
    if (et)
        strbuf_putc(et, ']');
    json_object_set_new(dp->tail, "missing_records",
                        recs ? missing_records(rp, &tally, attachments) : json_array());
    if (recs)
        rec_tally_free(&tally);
    if (own)
        view_free(&own_view);
    if (reviewed) {
        json_t *rounds = legal_review_finish(&rv, time_now_ms());
        size_t nr = json_array_size(rounds);
        json_object_set_new(dp->tail, "review", nr ? json_incref(json_array_get(rounds, nr - 1)) : json_null());
        json_object_set_new(dp->tail, "reviews", rounds);
    }
    return FZ_OK;
}

/* ---- writing ---- */

static int append_event(store_conn *w, case_ctx *x, int64_t id, int64_t unit_id, const char *action,
                        const char *from, const char *to, json_t *payload)
{
    char kind[64], sid[24];
    case_subject_kind(x->d, kind);
    snprintf(sid, sizeof(sid), "%lld", (long long)id);
    event e = {.ledger = x->ledger, .actor = x->who ? x->who->username : "cli", .unit_id = unit_id, .subject_kind = kind,
               .subject_id = sid, .action = action, .from_state = from, .to_state = to,
               .def_digest = x->d->digest};
    int rc = event_append(w, &e, payload);
    x->event_seq = e.seq;
    return rc;
}

static int next_number(store_conn *w, case_ctx *x, char no[80])
{
    int year = today_yyyymmdd() / 10000;
    store_stmt *st;
    if (store_prepare(w, "INSERT INTO case_seq (kind, year, n) VALUES (?, ?, 1)"
                         " ON CONFLICT (kind, year) DO UPDATE SET n = case_seq.n + 1 RETURNING n", &st))
        return FZ_ERR;
    store_bind_text(st, 1, x->d->name);
    store_bind_int(st, 2, year);
    int64_t n = 0;
    int rc = store_step(st);
    if (rc == STORE_ROW) {
        n = store_col_int(st, 0);
        rc = store_step(st);
    }
    store_done(st);
    if (rc != STORE_DONE || n <= 0)
        return FZ_ERR;
    const char *prefix = json_string_value(json_object_get(x->d->json, "no_prefix"));
    snprintf(no, 80, "%s〔%d〕%lld号", prefix ? prefix : x->d->name, year, (long long)n);
    return FZ_OK;
}

/* Every legal_basis value among values must cite the laws catalog
 * (engine/citation.h): 400 naming the field otherwise. Historic imports are
 * not held to it: they keep what the old record says. */
static int check_citations(store_conn *w, case_ctx *x, const json_t *values)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)values, key, v)
    {
        json_t *f = fields_find(x->d, key);
        if (!f || strcmp(ftype(f), "legal_basis") || !json_is_string(v) || !json_string_length(v))
            continue;
        char why[300];
        int rc = citation_check(w, json_string_value(v), why, sizeof(why));
        if (rc == 1)
            return refuse(x, 400, "validation_failed", key, "%s（%s）：%s", flabel(f), key, why);
        if (rc)
            return rc;
    }
    return FZ_OK;
}

int case_create(store_conn *w, case_ctx *x, const json_t *values, int64_t unit_id, int64_t *id, char no[80])
{
    int rc = check_citations(w, x, values);
    return rc ? rc : case_import(w, x, values, unit_id, NULL, NULL, id, no);
}

int case_import(store_conn *w, case_ctx *x, const json_t *values, int64_t unit_id, const char *state,
                const char *given_no, int64_t *id, char no[80])
{
    if (given_no && *given_no)
        snprintf(no, 80, "%s", given_no);
    else if (next_number(w, x, no))
        return FZ_ERR;
    char tbl[64];
    table_of(x->d, tbl);
    const char *initial = state ? state : json_string_value(json_object_get(x->d->json, "initial"));
    const char *action = state ? "case.imported" : "case.created";
    /* The 全过程记录 column of a case whose one event is its entry. */
    int64_t missing = 0;
    int rc = reccol_fresh(x->d, action, &missing);
    if (rc)
        return rc;
    store_stmt *st;
    rc = fields_prepare_insert(w, x->d, tbl,
                               "no, state, unit_id, region_code, handler_id, created_by, created_at, updated_at,"
                               " def_digest, " RECCOL, 10, &st);
    if (rc)
        return rc;
    int64_t now = time_now_ms();
    store_bind_text(st, 1, no);
    store_bind_text(st, 2, initial);
    store_bind_int(st, 3, unit_id);
    store_bind_text(st, 4, x->ledger);
    store_bind_int(st, 5, x->who ? x->who->user_id : 0);
    store_bind_int(st, 6, x->who ? x->who->user_id : 0);
    store_bind_int(st, 7, now);
    store_bind_int(st, 8, now);
    store_bind_text(st, 9, x->d->digest);
    store_bind_int(st, 10, missing);
    fields_bind_all(x->keys, st, 11, x->d, values);
    rc = store_step(st);
    if (rc == STORE_ROW) {
        *id = store_col_int(st, 0);
        rc = store_step(st) == STORE_DONE ? FZ_OK : FZ_ERR;
    } else if (rc != FZ_CONFLICT) {
        rc = FZ_ERR;
    }
    store_done(st);
    if (rc == FZ_CONFLICT)
        return refuse(x, 409, "conflict", "no", "案件编号 %s 已存在", no);
    if (rc)
        return rc;
    json_t *payload = json_pack("{s:s, s:o}", "no", no, "values", fields_event_values(values));
    rc = append_event(w, x, *id, unit_id, action, "", initial, payload);
    json_decref(payload);
    if (!rc)
        rc = index_case(w, x->d, *id, no, unit_id, values);
    return rc ? rc : ind_on_case(w, x->d->name, *id);
}

int case_history(store_conn *w, case_ctx *x, int64_t id, int64_t unit_id, json_t *payload)
{
    /* No state change, no clock, no field, no indicator fact: the step was
     * done on paper before the case came into the system (docs/events.md). */
    return append_event(w, x, id, unit_id, CASE_HISTORY, "", "", payload);
}

/* Runs the clock operations of action a on case id. */
/* fields: the case's values after the step (a clock with "from" counts from
 * that date field when it is filled in and not in the future). */
static int run_clocks(store_conn *w, case_ctx *x, json_t *a, int64_t id, int64_t unit_id, int64_t handler_id,
                      const json_t *fields)
{
    json_t *ops = json_object_get(a, "clock");
    if (!ops)
        return FZ_OK;
    hol_ref *ref;
    int rc = holidays_acquire(w, &ref);
    if (rc)
        return rc;
    const char **roles = calloc((size_t)x->who->nroles + 1, sizeof(char *));
    for (int i = 0; roles && i < x->who->nroles; i++)
        roles[i] = x->who->roles[i].key;
    clock_ctx cx = {.ledger = x->ledger, .actor = x->who->username, .cal = holidays_cal(ref),
                    .today = scheduler_today(), .roles = roles, .nroles = x->who->nroles};
    char kind[64], sid[24];
    case_subject_kind(x->d, kind);
    snprintf(sid, sizeof(sid), "%lld", (long long)id);
    /* Finds the open clock called name on this case. */
#define CLOCK_ID(name, out)                                                                                        \
    store_query_int(w, &(out), 0,                                                                               \
                    "SELECT id FROM clocks WHERE subject_kind = ? AND subject_id = ? AND name = ?"               \
                    " AND state NOT IN ('stopped_in_time', 'stopped_late') ORDER BY id DESC LIMIT 1",            \
                    "sss", kind, sid, name)
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(ops, "start"), i, v)
    {
        json_t *cd = NULL;
        size_t k;
        json_t *c;
        json_array_foreach(json_object_get(x->d->json, "clocks"), k, c) if (!strcmp(
            json_string_value(json_object_get(c, "name")), json_string_value(v))) cd = c;
        clock_def cdef = {.subject_kind = kind, .subject_id = sid, .name = json_string_value(v),
                         .label = json_string_value(json_object_get(cd, "label")),
                         .basis = json_string_value(json_object_get(cd, "basis")), .unit_id = unit_id,
                         .handler_id = handler_id, .roll = json_is_true(json_object_get(cd, "roll"))};
        dl_rule_parse(json_string_value(json_object_get(cd, "limit")), &cdef.limit, NULL);
        if (json_object_get(cd, "warn"))
            cdef.has_warn = dl_rule_parse(json_string_value(json_object_get(cd, "warn")), &cdef.warn, NULL) == FZ_OK;
        json_t *ext = json_object_get(cd, "extend");
        if (ext) {
            dl_rule m;
            if (dl_rule_parse(json_string_value(json_object_get(ext, "max")), &m, NULL) == FZ_OK)
                cdef.ext_max = m.n;
            cdef.ext_times = json_object_get(ext, "times") ? (int)json_integer_value(json_object_get(ext, "times")) : 1;
            cdef.ext_role = json_string_value(json_object_get(ext, "role"));
        }
        int64_t cid, start = cx.today, day;
        const char *from = json_string_value(json_object_get(cd, "from"));
        const char *fv = from ? json_string_value(json_object_get(fields, from)) : NULL;
        if (fv && clock_day_parse(fv, &day) == FZ_OK && day <= cx.today)
            start = day;
        if (!rc)
            rc = clock_start(w, &cx, &cdef, start, &cid);
    }
    int64_t cid = 0;
    json_t *p = json_object_get(ops, "pause");
    if (!rc && p && !(rc = CLOCK_ID(json_string_value(json_object_get(p, "clock")), cid)) && cid)
        rc = clock_pause(w, &cx, cid, json_string_value(json_object_get(p, "reason")), "", cx.today);
    json_array_foreach(json_object_get(ops, "resume"), i, v) if (!rc && !(rc = CLOCK_ID(json_string_value(v), cid)) &&
                                                                 cid) rc = clock_resume(w, &cx, cid, cx.today, 0);
    json_array_foreach(json_object_get(ops, "restart"), i, v) if (!rc && !(rc = CLOCK_ID(json_string_value(v), cid)) &&
                                                                  cid) rc = clock_resume(w, &cx, cid, cx.today, 1);
    json_t *e = json_object_get(ops, "extend");
    if (!rc && e && !(rc = CLOCK_ID(json_string_value(json_object_get(e, "clock")), cid)) && cid) {
        dl_rule by;
        dl_rule_parse(json_string_value(json_object_get(e, "by")), &by, NULL);
        rc = clock_extend(w, &cx, cid, by, json_string_value(json_object_get(a, "label")), cx.today);
    }
    json_array_foreach(json_object_get(ops, "stop"), i, v) if (!rc && !(rc = CLOCK_ID(json_string_value(v), cid)) &&
                                                               cid) rc = clock_stop(w, &cx, cid, cx.today, "");
#undef CLOCK_ID
    if (rc == FZ_CONFLICT || rc == FZ_INVALID)
        refuse(x, cx.forbidden ? 403 : 409, cx.forbidden ? "forbidden" : "conflict", cx.field, "%s", cx.why);
    free(roles);
    holidays_release(ref);
    return rc;
}

static int case_act_under(store_conn *w, case_ctx *x, int64_t id, const char *action, const json_t *values,
                          const char *comment);

/* A step is judged and run by the rules the case was started under. */
int case_act(store_conn *w, case_ctx *x, int64_t id, const char *action, const json_t *values, const char *comment)
{
    char tbl[64], digest[SM3_HEX_LEN + 1] = "";
    table_of(x->d, tbl);
    strbuf b = STRBUF_INIT;
    strbuf_printf(&b, "SELECT def_digest FROM %s WHERE id = ?", tbl);
    store_stmt *st;
    if (strbuf_ok(&b) && store_prepare(w, b.data, &st) == FZ_OK) {
        store_bind_int(st, 1, id);
        if (store_step(st) == STORE_ROW)
            snprintf(digest, sizeof(digest), "%s", store_col_text(st, 0));
        store_done(st);
    }
    strbuf_free(&b);
    def old;
    const def *cur = x->d;
    int swapped = version_of(w, x, digest, &old);
    if (swapped)
        x->d = &old;
    int rc = case_act_under(w, x, id, action, values, comment);
    if (swapped) {
        x->d = cur;
        json_decref(old.json);
    }
    /* The 全过程记录 column under the definition in force (a step with
     * records or a 撤回 moves it), then the step and the clocks it moved, as
     * the indicators count them. */
    if (!rc) {
        char act[80];
        snprintf(act, sizeof(act), "case.%s", action);
        rc = reccol_after_event(w, x->d, id, act);
    }
    return rc ? rc : ind_on_case(w, x->d->name, id);
}

/* The action's "times" (how often it may be taken on one case; a step that
 * was taken back does not count) and "within" (a statutory limit counted
 * from a date field, e.g. 补正 within 7 working days of 收到申请): 409 with the
 * reason. */
/* How many of the case's steps `act` were taken back: the 撤回 events name
 * the step in their payload's "withdrawn" (read here, not with a JSON
 * operator, so the SQL is the same on both backends). */
static int count_withdrawn(store_conn *w, const char *kind, const char *sid, const char *act, int64_t *n)
{
    store_stmt *st;
    *n = 0;
    if (store_prepare(w, "SELECT payload FROM events WHERE subject_kind = ? AND subject_id = ?"
                         " AND payload LIKE '%\"withdrawn\":%'", &st))
        return FZ_ERR;
    store_bind_text(st, 1, kind);
    store_bind_text(st, 2, sid);
    int rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        json_t *p = json_loads(store_col_text(st, 0), 0, NULL);
        const char *w2 = json_string_value(json_object_get(p, "withdrawn"));
        if (w2 && strcmp(w2, act) == 0)
            (*n)++;
        json_decref(p);
    }
    store_done(st);
    return rc == STORE_DONE ? FZ_OK : FZ_ERR;
}

static int step_limits(store_conn *w, case_ctx *x, int64_t id, const char *action, const char *alabel, json_t *a,
                       const json_t *fields)
{
    char kind[64], sid[24], act[80];
    case_subject_kind(x->d, kind);
    snprintf(sid, sizeof(sid), "%lld", (long long)id);
    snprintf(act, sizeof(act), "case.%s", action);
    json_t *times = json_object_get(a, "times");
    if (times) {
        int64_t done = 0, undone = 0;
        if (store_query_int(w, &done, 0, "SELECT count(*) FROM events WHERE subject_kind = ? AND subject_id = ? AND action = ?",
                            "sss", kind, sid, act) ||
            count_withdrawn(w, kind, sid, act, &undone))
            return FZ_ERR;
        if (done - undone >= json_integer_value(times))
            return refuse(x, 409, "conflict", "times", "「%s」在本案最多办理 %lld 次，已办理 %lld 次", alabel,
                          (long long)json_integer_value(times), (long long)(done - undone));
    }
    json_t *within = json_object_get(a, "within");
    if (!within)
        return FZ_OK;
    const char *from = json_string_value(json_object_get(within, "from"));
    const char *basis = json_string_value(json_object_get(within, "basis"));
    const char *date = json_string_value(json_object_get(fields, from));
    json_t *fd = fields_find(x->d, from);
    dl_rule rule;
    int64_t start, due;
    int prov = 0;
    if (!date || clock_day_parse(date, &start))
        return refuse(x, 400, "validation_failed", from, "执行「%s」须先填写%s（%s）", alabel, fd ? flabel(fd) : from,
                      from);
    if (dl_rule_parse(json_string_value(json_object_get(within, "limit")), &rule, NULL))
        return FZ_ERR; /* the validator accepted it */
    hol_ref *ref;
    int rc = holidays_acquire(w, &ref);
    if (rc)
        return rc;
    dl_spec spec = {.start = start, .rule = rule};
    rc = dl_due(holidays_cal(ref), &spec, &due, &prov);
    holidays_release(ref);
    if (rc)
        return refuse(x, 409, "conflict", "within", "%s %s 超出节假日安排的范围，无法计算期限", fd ? flabel(fd) : from,
                      date);
    if (scheduler_today() > due) {
        char last[11];
        clock_day_text(due, last);
        return refuse(x, 409, "conflict", "within", "「%s」应在%s（%s）起 %lld%s内办理%s%s%s，最后一日 %s 已过", alabel,
                      fd ? flabel(fd) : from, date, (long long)rule.n, dl_unit_label(rule.unit), basis ? "（" : "",
                      basis ? basis : "", basis ? "）" : "", last);
    }
    return FZ_OK;
}

/* The action's named checks (engine/checks.h), in order; the first refusal
 * answers 409 with its reason. fields: the case with the step applied;
 * values: what the step itself sets. */
static int run_checks(store_conn *w, case_ctx *x, int64_t id, const char *action, const char *alabel, json_t *a,
                      const json_t *fields, const json_t *values)
{
    json_t *checks = json_object_get(a, "checks");
    if (!json_array_size(checks))
        return FZ_OK;
    hol_ref *ref;
    int rc = holidays_acquire(w, &ref);
    if (rc)
        return rc;
    char kind[64], sid[24], why[800];
    case_subject_kind(x->d, kind);
    snprintf(sid, sizeof(sid), "%lld", (long long)id);
    const char *akind = json_string_value(json_object_get(a, "kind"));
    check_arg ca = {.w = w, .subject_kind = kind, .subject_id = sid, .action = action,
                    .kind = akind ? akind : "transition", .fields = fields, .values = values,
                    .today = scheduler_today(), .cal = holidays_cal(ref), .keys = x->keys};
    size_t i;
    json_t *c;
    json_array_foreach(checks, i, c)
    {
        const check_def *cd = check_find(json_string_value(c));
        if (!cd || !cd->fn) {
            rc = refuse(x, 409, "conflict", "checks", "「%s」要求的检查「%s」尚未在本系统实现，不能执行", alabel,
                        cd ? cd->label : json_string_value(c));
            break;
        }
        why[0] = 0;
        int r = cd->fn(&ca, why, sizeof(why));
        if (r == 1) {
            rc = refuse(x, 409, "conflict", "checks", "不能执行「%s」：%s", alabel, why);
            break;
        }
        if (r) {
            rc = r;
            break;
        }
    }
    holidays_release(ref);
    return rc;
}

/* A step of kind publish / unpublish (engine/publish.h): the publication is
 * written from the case as it stands after the step, the party's ID number
 * read in clear so that an organisation's code can be shown. */
static int publish_step(store_conn *w, case_ctx *x, int64_t id, int64_t unit_id, int publish, const char *alabel,
                        const char *comment)
{
    if (!publish && (!comment || !*comment))
        return refuse(x, 400, "validation_failed", "comment", "「%s」须写明撤回理由（comment）", alabel);
    json_t *full = load(w, x, id, 1);
    if (!full)
        return FZ_ERR;
    char kind[64], sid[24], why[300] = "";
    case_subject_kind(x->d, kind);
    snprintf(sid, sizeof(sid), "%lld", (long long)id);
    publish_in in = {.d = x->d, .subject_kind = kind, .subject_id = sid,
                     .case_no = json_string_value(json_object_get(full, "no")), .unit_id = unit_id,
                     .region_code = x->ledger, .ledger = x->ledger,
                     .actor = x->who ? x->who->username : "system", .fields = json_object_get(full, "fields"),
                     .today = scheduler_today()};
    int64_t pid = 0;
    int rc = publish ? publish_create(w, &in, &pid, why, sizeof(why))
                     : publish_withdraw(w, &in, comment, &pid, why, sizeof(why));
    json_decref(full);
    if (rc == FZ_CONFLICT || rc == FZ_NOTFOUND)
        return refuse(x, 409, "conflict", "publication", "不能执行「%s」：%s", alabel, why);
    return rc;
}

static int case_act_under(store_conn *w, case_ctx *x, int64_t id, const char *action, const json_t *values,
                          const char *comment)
{
    json_t *a = action_def(x->d, action);
    if (!a)
        return refuse(x, 404, "not_found", "action", "程序「%s」没有动作 %s",
                      json_string_value(json_object_get(x->d->json, "title")), action);
    const char *alabel = json_string_value(json_object_get(a, "label"));
    json_t *cur = load(w, x, id, 0);
    if (!cur)
        return refuse(x, 404, "not_found", NULL, "案件不存在");
    const char *state = json_string_value(json_object_get(cur, "state"));
    int64_t unit_id = json_integer_value(json_object_get(cur, "unit_id"));
    int64_t handler_id = json_integer_value(json_object_get(cur, "handler_id"));
    int rc = FZ_OK;
    json_t *vals = NULL;
    json_t *from = json_object_get(a, "from");
    json_t *sd = state_def(x->d, state);
    const char *slabel = json_string_value(json_object_get(sd, "label"));
    json_t *roles = json_object_get(a, "roles");
    /* Without "from" an action applies to any open state; a 撤回 also to a
     * final one (taking back the step that closed the case). */
    const char *akind = json_string_value(json_object_get(a, "kind"));
    int any_state = akind && !strcmp(akind, "withdraw");
    if (from ? !in_array(from, state) : json_is_true(json_object_get(sd, "final")) && !any_state) {
        rc = refuse(x, 409, "conflict", "state", "案件当前状态为「%s」，不能执行「%s」", slabel, alabel);
        goto out;
    }
    if (roles) {
        int ok = 0;
        size_t i;
        json_t *r;
        json_array_foreach(roles, i, r) ok |= has_role(x->who, json_string_value(r));
        if (!ok) {
            rc = refuse(x, 403, "forbidden", "roles", "「%s」须由规定的角色办理，您的角色不在其中", alabel);
            goto out;
        }
    }
    /* Only the action's form fields may be set here. */
    json_t *form = json_object_get(a, "form");
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)values, key, v) if (!in_array(form, key))
    {
        rc = refuse(x, 400, "validation_failed", key, "「%s」不能填写字段 %s", alabel, key);
        goto out;
    }
    /* What the step records: its form, plus the values the definition fixes
     * for it ("set": the outcome that the step is). */
    json_t *fixed = json_object_get(a, "set");
    vals = json_copy((json_t *)values);
    if (!vals || (fixed && json_object_update(vals, fixed))) {
        rc = FZ_NOMEM;
        goto out;
    }
    if ((rc = case_check_values(x, vals, 0)) || (rc = check_citations(w, x, vals)))
        goto out;
    json_t *merged = json_object_get(cur, "fields");
    json_object_update(merged, (json_t *)vals);
    size_t i;
    json_t *req_f;
    json_array_foreach(json_object_get(a, "requires"), i, req_f)
    {
        const char *name = json_string_value(req_f);
        if (fields_empty(json_object_get(merged, name))) {
            json_t *fd = fields_find(x->d, name);
            rc = refuse(x, 400, "validation_failed", name, "执行「%s」须先填写：%s（%s）", alabel,
                        fd ? flabel(fd) : name, name);
            goto out;
        }
    }
    /* Every attachment category the action lists must have been uploaded. */
    json_t *att = json_object_get(a, "attachments");
    if (json_array_size(att)) {
        char kind[64], sid[24];
        case_subject_kind(x->d, kind);
        snprintf(sid, sizeof(sid), "%lld", (long long)id);
        strbuf missing = STRBUF_INIT;
        json_t *cat;
        json_array_foreach(att, i, cat)
        {
            const char *cs = json_string_value(cat);
            if (cs && !attach_has_category(w, kind, sid, cs))
                strbuf_printf(&missing, "%s%s", missing.len ? "、" : "", cs);
        }
        if (missing.len) {
            rc = refuse(x, 400, "validation_failed", "attachments", "执行「%s」须先上传附件：%s", alabel,
                        strbuf_ok(&missing) ? missing.data : "");
            strbuf_free(&missing);
            goto out;
        }
        strbuf_free(&missing);
    }
    if ((rc = step_limits(w, x, id, action, alabel, a, merged)) || (rc = run_checks(w, x, id, action, alabel, a, merged, vals)))
        goto out;
    /* The kinds of step beyond a plain transition. */
    const char *kind = json_string_value(json_object_get(a, "kind"));
    const char *to = json_string_value(json_object_get(a, "to"));
    char undone[80] = "", back[64] = "";
    int64_t new_unit = unit_id, new_handler = handler_id;
    if (kind && !strcmp(kind, "reject") && (!comment || !*comment)) {
        rc = refuse(x, 400, "validation_failed", "comment", "「%s」须写明理由（comment）", alabel);
        goto out;
    }
    if (kind && !strcmp(kind, "transfer")) {
        int64_t n = 0;
        if (x->to_unit <= 0 ||
            store_query_int(w, &n, 0, "SELECT count(*) FROM units WHERE id = ?", "i", x->to_unit) || !n) {
            rc = refuse(x, 400, "validation_failed", "to_unit", "「%s」须指定存在的接收单位（to_unit）", alabel);
            goto out;
        }
        if (x->to_unit == unit_id) {
            rc = refuse(x, 400, "validation_failed", "to_unit", "接收单位与当前承办单位相同");
            goto out;
        }
        new_unit = x->to_unit;
        new_handler = 0;
    }
    if (kind && !strcmp(kind, "withdraw")) {
        /* 撤回: undo the last step, only if it was the caller's and nothing
         * has been done on the case since. */
        char skind[64], sid[24];
        case_subject_kind(x->d, skind);
        snprintf(sid, sizeof(sid), "%lld", (long long)id);
        store_stmt *q;
        /* The last thing done on the case (an upload counts: it belongs to
         * the next step), comments aside. */
        if ((rc = store_prepare(w, "SELECT actor, action, from_state, to_state FROM events WHERE subject_kind = ?"
                                   " AND subject_id = ? AND (action LIKE 'case.%' OR action = 'attachment.added')"
                                   " AND action <> 'case.comment' ORDER BY seq DESC LIMIT 1", &q)))
            goto out;
        store_bind_text(q, 1, skind);
        store_bind_text(q, 2, sid);
        int ok = 0;
        if (store_step(q) == STORE_ROW) {
            const char *act = store_col_text(q, 1);
            json_t *prev = strncmp(act, "case.", 5) ? NULL : action_def(x->d, act + 5);
            const char *pkind = json_string_value(json_object_get(prev, "kind"));
            /* Only a plain step can be taken back: one that moved clocks
             * (a legal fact with its own events), transferred, rejected or
             * undid cannot; it is corrected by a further step instead. */
            ok = x->who && prev && !strcmp(store_col_text(q, 0), x->who->username) &&
                 strcmp(store_col_text(q, 2), store_col_text(q, 3)) && !json_object_get(prev, "clock") &&
                 !(pkind && strcmp(pkind, "transition"));
            snprintf(undone, sizeof(undone), "%s", act);
            snprintf(back, sizeof(back), "%s", store_col_text(q, 2));
        }
        store_done(q);
        if (!ok) {
            rc = refuse(x, 409, "conflict", "action",
                        "只能撤回本人刚办理、尚无后续办理、且未改变法定期限或承办单位的一步");
            goto out;
        }
        to = back;
    }
    /* The update: form fields, state, unit, time; the old state guards
     * against a concurrent transition. */
    char tbl[64];
    table_of(x->d, tbl);
    strbuf b = STRBUF_INIT;
    strbuf_printf(&b, "UPDATE %s SET state = ?, updated_at = ?, unit_id = ?, handler_id = ?", tbl);
    json_t *f;
    json_array_foreach(fields_of(x->d), i, f) if (json_object_get(vals, json_string_value(json_object_get(f, "name"))))
    {
        strbuf_puts(&b, ", ");
        fields_columns(&b, f, 1);
    }
    strbuf_puts(&b, " WHERE id = ? AND state = ?");
    store_stmt *st;
    rc = strbuf_ok(&b) ? store_prepare(w, b.data, &st) : FZ_NOMEM;
    strbuf_free(&b);
    if (rc)
        goto out;
    store_bind_text(st, 1, to ? to : state);
    store_bind_int(st, 2, time_now_ms());
    store_bind_int(st, 3, new_unit);
    store_bind_int(st, 4, new_handler);
    int idx = 5;
    json_array_foreach(fields_of(x->d), i, f)
    {
        json_t *val = json_object_get(vals, json_string_value(json_object_get(f, "name")));
        if (val)
            idx += fields_bind(x->keys, st, idx, f, val);
    }
    store_bind_int(st, idx, id);
    store_bind_text(st, idx + 1, state);
    rc = store_step(st) == STORE_DONE ? FZ_OK : FZ_ERR;
    store_done(st);
    if (rc == FZ_OK && store_changes(w) != 1)
        rc = refuse(x, 409, "conflict", "state", "案件已被他人办理，请刷新后重试");
    /* The step's event first, then the clock events it causes, so the
     * timeline reads cause before effect. */
    if (rc == FZ_OK) {
        char act[80];
        snprintf(act, sizeof(act), "case.%s", action);
        json_t *payload = json_pack("{s:o, s:s}", "values", fields_event_values(vals), "comment", comment ? comment : "");
        if (new_unit != unit_id)
            json_object_set_new(payload, "to_unit", json_integer(new_unit));
        if (undone[0])
            json_object_set_new(payload, "withdrawn", json_string(undone));
        rc = append_event(w, x, id, new_unit, act, state, to ? to : state, payload);
        json_decref(payload);
    }
    if (rc == FZ_OK)
        rc = run_clocks(w, x, a, id, unit_id, handler_id, merged);
    if (rc == FZ_OK && kind && (!strcmp(kind, "publish") || !strcmp(kind, "unpublish")))
        rc = publish_step(w, x, id, new_unit, !strcmp(kind, "publish"), alabel, comment);
    if (rc == FZ_OK && json_object_size(vals))
        rc = index_case(w, x->d, id, json_string_value(json_object_get(cur, "no")), unit_id, merged);
out:
    json_decref(vals);
    json_decref(cur);
    return rc;
}

int case_assign(store_conn *w, case_ctx *x, int64_t id, int64_t handler_id)
{
    int64_t unit_id, old;
    int rc = case_owner(w, x->d, id, &unit_id, &old);
    if (rc == FZ_NOTFOUND)
        return refuse(x, 404, "not_found", NULL, "案件不存在");
    if (rc)
        return rc;
    int64_t ok = 0;
    if (store_query_int(w, &ok, 0,
                        "SELECT count(*) FROM users u JOIN user_roles ur ON ur.user_id = u.id"
                        " JOIN role_perms rp ON rp.role_id = ur.role_id AND rp.perm = 'case:handle'"
                        " WHERE u.id = ? AND u.disabled = 0",
                        "i", handler_id))
        return FZ_ERR;
    if (!ok)
        return refuse(x, 400, "validation_failed", "handler_id", "承办人须为可办理案件的在用账户");
    char tbl[64];
    table_of(x->d, tbl);
    strbuf b = STRBUF_INIT;
    strbuf_printf(&b, "UPDATE %s SET handler_id = ?, updated_at = ? WHERE id = ?", tbl);
    rc = strbuf_ok(&b) ? store_run(w, b.data, "iii", handler_id, time_now_ms(), id) : FZ_NOMEM;
    strbuf_free(&b);
    if (rc)
        return rc;
    json_t *payload = json_pack("{s:I, s:I}", "handler_id", (json_int_t)handler_id, "previous", (json_int_t)old);
    rc = append_event(w, x, id, unit_id, "case.assigned", "", "", payload);
    json_decref(payload);
    return rc ? rc : reccol_after_event(w, x->d, id, "case.assigned");
}

int case_comment(store_conn *w, case_ctx *x, int64_t id, const char *text)
{
    int64_t unit_id, handler_id;
    int rc = case_owner(w, x->d, id, &unit_id, &handler_id);
    if (rc == FZ_NOTFOUND)
        return refuse(x, 404, "not_found", NULL, "案件不存在");
    if (rc)
        return rc;
    json_t *payload = json_pack("{s:s}", "comment", text);
    rc = append_event(w, x, id, unit_id, "case.comment", "", "", payload);
    json_decref(payload);
    return rc ? rc : reccol_after_event(w, x->d, id, "case.comment");
}

/* ---- lists ---- */

/* How one list is asked: the definition version, the filters present, the
 * order, the fields shown. Its count and page SQL and its fields plan are
 * built once per shape and kept for the process (building the SQL and the
 * plan was a tenth of a list page); past SHAPES_MAX they are built per call.
 * The key names every input of the SQL, so equal keys mean equal SQL. */
#define SHAPES_MAX 64
typedef struct list_shape {
    char *key;
    char *count_sql, *list_sql;
    fields_plan *plan;
} list_shape;
static list_shape shapes[SHAPES_MAX];
static int n_shapes;
static pthread_mutex_t shapes_mu = PTHREAD_MUTEX_INITIALIZER;

static void shape_free(list_shape *sh)
{
    free(sh->key);
    free(sh->count_sql);
    free(sh->list_sql);
    fields_plan_free(sh->plan);
}

static const list_shape *shape_find(const char *key)
{
    for (int i = 0; i < n_shapes; i++)
        if (!strcmp(shapes[i].key, key))
            return &shapes[i];
    return NULL;
}

/* The kept shape of key, or NULL. */
static const list_shape *shape_kept(const char *key)
{
    pthread_mutex_lock(&shapes_mu);
    const list_shape *r = shape_find(key);
    pthread_mutex_unlock(&shapes_mu);
    return r;
}

/* Builds the shape of key: where (the conditions after the scope's), sort
 * (a column), desc. */
static int shape_build(case_ctx *x, const case_query *q, const char *where, const char *sort, int desc,
                       list_shape *sh)
{
    char tbl[64];
    table_of(x->d, tbl);
    strbuf count = STRBUF_INIT, list = STRBUF_INIT;
    /* The count stops at LIST_COUNT_CAP + 1 rows: past that a page says
     * "more than", and a count never walks a province's million rows. */
    const char *scope = AUTHZ_SCOPE_SQL("t.unit_id", "t.handler_id");
    strbuf_printf(&count, "SELECT count(*) FROM (SELECT 1 FROM %s t WHERE %s%s LIMIT ?) x", tbl, scope, where);
    sh->plan = q->keyset ? fields_plan_new(x->d) : fields_plan_some(x->d, q->fields);
    if (sh->plan)
        select_sql(x->d, sh->plan, &list);
    strbuf_printf(&list, " WHERE %s%s ORDER BY %s %s, t.id %s LIMIT ? OFFSET ?", scope, where, sort,
                  desc ? "DESC" : "ASC", desc ? "DESC" : "ASC");
    sh->count_sql = strbuf_detach(&count, NULL);
    sh->list_sql = strbuf_detach(&list, NULL);
    return sh->plan && sh->count_sql && sh->list_sql ? FZ_OK : FZ_NOMEM;
}

/* Builds the shape of key (not kept: list_run asked shape_kept) and keeps
 * it, or hands it over in *mine with *own = 1. NULL: out of memory. */
static const list_shape *shape_of(case_ctx *x, const case_query *q, const char *key, const char *where,
                                  const char *sort, int desc, list_shape *mine, int *own)
{
    *own = 0;
    list_shape ns = {.key = strdup(key)};
    if (!ns.key || shape_build(x, q, where, sort, desc, &ns)) {
        shape_free(&ns);
        return NULL;
    }
    pthread_mutex_lock(&shapes_mu);
    const list_shape *r = shape_find(key); /* another thread may have been first */
    if (!r && n_shapes < SHAPES_MAX) {
        shapes[n_shapes] = ns;
        r = &shapes[n_shapes++];
        ns = (list_shape){0};
    }
    pthread_mutex_unlock(&shapes_mu);
    if (r) {
        shape_free(&ns);
        return r;
    }
    *mine = ns;
    *own = 1;
    return mine;
}

/* Runs a list query: the capped count into *total, then row(ctx, st) for
 * each row of the page (columns as select_sql with *plan, which is set
 * first). */
/* The conditions after the scope's (the filters present: state and the
 * definition's filter fields, equality, text fields: contains; each adds one
 * bound condition, in the order of q->filters; then the keyset's) and the
 * order column, checked against the definition: a refusal naming the field
 * otherwise. */
static int list_where(case_ctx *x, const case_query *q, strbuf *where, char sort[80])
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)q->filters, k, v)
    {
        if (!json_is_string(v) || json_string_length(v) == 0)
            continue;
        if (!strcmp(k, "state")) {
            strbuf_puts(where, " AND t.state = ?");
            continue;
        }
        json_t *f = fields_find(x->d, k);
        if (!f || !json_is_true(json_object_get(f, "filter")))
            return refuse(x, 400, "validation_failed", k, "不能按 %s 筛选（定义中未允许）", k);
        const char *t = ftype(f);
        if (!strcmp(t, "string") || !strcmp(t, "text") || !strcmp(t, "party"))
            strbuf_printf(where, " AND instr(t.f_%s, ?) > 0", k);
        else if (!strcmp(schema_sql_type(t), "INTEGER"))
            strbuf_printf(where, " AND t.f_%s = CAST(? AS BIGINT)", k);
        else
            strbuf_printf(where, " AND t.f_%s = ?", k);
    }
    if (q->keyset) /* after (after_at, after_id), oldest first */
        /* BIGINT: PostgreSQL's INTEGER is 32 bits (times are milliseconds). */
        strbuf_puts(where, " AND (t.created_at > CAST(? AS BIGINT) OR (t.created_at = CAST(? AS BIGINT)"
                           " AND t.id > CAST(? AS BIGINT)))");
    snprintf(sort, 80, "t.created_at");
    if (!q->keyset && q->sort && *q->sort) {
        json_t *f = fields_find(x->d, q->sort);
        if (!strcmp(q->sort, "created_at") || !strcmp(q->sort, "no") || !strcmp(q->sort, "updated_at"))
            snprintf(sort, 80, "t.%s", q->sort);
        else if (f && json_is_true(json_object_get(f, "sort")))
            snprintf(sort, 80, "t.f_%s", q->sort);
        else
            return refuse(x, 400, "validation_failed", "sort", "不能按 %s 排序（定义中未允许）", q->sort);
    }
    return strbuf_ok(where) ? FZ_OK : FZ_NOMEM;
}

/* Runs a list query: the capped count into *total, then row(ctx, st) for
 * each row of the page (columns as select_sql with *plan, which is set
 * first). */
static int list_run(store_conn *c, case_ctx *x, const case_query *q, const fields_plan **plan, int64_t *total,
                    void (*row)(void *ctx, store_stmt *st), void *ctx)
{
    /* The shape's key names what its SQL is made of (the filters present,
     * the order, the fields), so a kept shape was checked when it was built;
     * the values are bound in the same order. */
    strbuf key = STRBUF_INIT;
    strbuf_puts(&key, x->d->digest);
    json_t *binds = json_array();
    const char *k;
    json_t *v;
    int rc = FZ_OK;
    json_object_foreach((json_t *)q->filters, k, v)
    {
        if (!json_is_string(v) || json_string_length(v) == 0)
            continue;
        strbuf_putc(&key, '\x1f');
        strbuf_puts(&key, k);
        json_array_append(binds, v);
    }
    if (q->keyset) {
        char n[24];
        for (int i = 0; i < 3; i++) {
            snprintf(n, sizeof(n), "%lld", (long long)(i < 2 ? q->after_at : q->after_id));
            json_array_append_new(binds, json_string(n));
        }
    }
    int desc = q->desc && !q->keyset;
    /* The order as asked (its length first: it is the caller's text, so
     * no crafted name can read as another key). */
    const char *sort_asked = q->keyset || !q->sort ? "" : q->sort;
    strbuf_printf(&key, "\x1e%zu:%s\x1e%d\x1e%d", strlen(sort_asked), sort_asked, desc, q->keyset);
    size_t i;
    json_t *b;
    if (!q->keyset)
        json_array_foreach(q->fields, i, b) strbuf_printf(&key, "\x1f%s", json_string_value(b));
    list_shape mine;
    int own = 0;
    const list_shape *sh = NULL;
    if (!strbuf_ok(&key))
        rc = FZ_NOMEM;
    else if (!(sh = shape_kept(key.data))) {
        strbuf where = STRBUF_INIT;
        char sort[80];
        rc = list_where(x, q, &where, sort);
        if (!rc && !(sh = shape_of(x, q, key.data, where.data ? where.data : "", sort, desc, &mine, &own)))
            rc = FZ_NOMEM;
        strbuf_free(&where);
    }
    if (sh)
        *plan = sh->plan;
    store_stmt *st;
    /* The page first: its read begins the request's read transaction, so
     * the count's memo then asks the data version of the pager. */
    for (int pass = 1; rc == FZ_OK && pass >= (q->keyset ? 1 : 0); pass--) {
        if (store_prepare(c, pass ? sh->list_sql : sh->count_sql, &st)) {
            rc = FZ_ERR;
            break;
        }
        authz_bind_scope(st, x->who, "case:view");
        json_array_foreach(binds, i, b) store_bind_text(st, 6 + (int)i, json_string_value(b));
        int n = 6 + (int)json_array_size(binds);
        if (pass) {
            store_bind_int(st, n, q->size);
            store_bind_int(st, n + 1, q->keyset ? 0 : (q->page - 1) * q->size);
            int s;
            while ((s = store_step(st)) == STORE_ROW)
                row(ctx, st);
            if (s != STORE_DONE)
                rc = FZ_ERR;
        } else {
            /* The count is kept on the reader until the next commit (a page
             * turn or a refresh does not count 10,000 rows again). */
            strbuf mkey = STRBUF_INIT;
            strbuf_puts(&mkey, sh->count_sql);
            authz_scope_key(&mkey, x->who, "case:view");
            json_array_foreach(binds, i, b)
            {
                strbuf_putc(&mkey, '\x1f');
                strbuf_puts(&mkey, json_string_value(b));
            }
            int hit = strbuf_ok(&mkey) && store_memo_get(c, mkey.data, total);
            if (!hit) {
                store_bind_int(st, n, LIST_COUNT_CAP + 1);
                if (store_step(st) == STORE_ROW) {
                    *total = store_col_int(st, 0);
                    if (strbuf_ok(&mkey))
                        store_memo_put(c, mkey.data, *total);
                } else {
                    rc = FZ_ERR;
                }
            }
            strbuf_free(&mkey);
        }
        store_done(st);
    }
    if (own)
        shape_free(&mine);
    strbuf_free(&key);
    json_decref(binds);
    return rc;
}

typedef struct list_acc {
    case_ctx *x;
    int sensitive;
    strbuf *text;          /* case_list_text */
    const fields_plan *plan; /* set by list_run */
    int n;
    label_memo labels;
} list_acc;

static void row_to_text(void *ctx, store_stmt *st)
{
    list_acc *l = ctx;
    if (l->n++)
        strbuf_putc(l->text, ',');
    row_text(l->text, l->x, st, l->sensitive, l->plan, &l->labels);
}

typedef struct each_acc {
    list_acc l;
    int (*fn)(void *ctx, json_t *row);
    void *ctx;
    int rc, n;
    int64_t last_at, last_id;
} each_acc;

static void row_to_fn(void *ctx, store_stmt *st)
{
    each_acc *e = ctx;
    e->n++;
    e->last_id = store_col_int(st, 0);
    e->last_at = store_col_int(st, 5);
    if (e->rc)
        return;
    json_t *row = row_json(e->l.x, st, e->l.sensitive, e->l.plan);
    e->rc = row ? e->fn(e->ctx, row) : FZ_NOMEM;
    json_decref(row);
}

int case_each(store_conn *c, case_ctx *x, const json_t *filters, int (*fn)(void *ctx, json_t *row), void *ctx)
{
    each_acc e = {.l = {.x = x, .sensitive = authz_has(x->who, "system:user:sensitive")}, .fn = fn, .ctx = ctx};
    e.last_at = INT64_MIN;
    int rc = FZ_OK;
    do {
        case_query q = {.filters = filters, .page = 1, .size = CASE_EACH_PAGE, .keyset = 1,
                        .after_at = e.last_at, .after_id = e.last_id};
        e.n = 0;
        rc = list_run(c, x, &q, &e.l.plan, NULL, row_to_fn, &e);
    } while (!rc && !e.rc && e.n == CASE_EACH_PAGE);
    return rc ? rc : e.rc;
}

int case_list_text(store_conn *c, case_ctx *x, const case_query *q, strbuf *out)
{
    strbuf rows = STRBUF_INIT;
    list_acc l = {.x = x, .sensitive = authz_has(x->who, "system:user:sensitive"), .text = &rows};
    labels_fill(x->d, &l.labels);
    int64_t total = 0;
    int rc = list_run(c, x, q, &l.plan, &total, row_to_text, &l);
    if (!rc) {
        int capped = total > LIST_COUNT_CAP;
        strbuf_puts(out, "{\"total\":");
        jw_int(out, capped ? LIST_COUNT_CAP : total);
        strbuf_puts(out, capped ? ",\"total_capped\":true,\"rows\":[" : ",\"total_capped\":false,\"rows\":[");
        strbuf_append(out, rows.data ? rows.data : "", rows.len);
        strbuf_puts(out, "]}");
        rc = strbuf_ok(out) && strbuf_ok(&rows) ? FZ_OK : FZ_NOMEM;
    }
    strbuf_free(&rows);
    return rc;
}
