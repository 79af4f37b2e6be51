/* legal_review.c: 法制审核 rounds and the review queue (see legal_review.h). */
#include "engine/legal_review.h"
#include "engine/cases.h"
#include "store/store.h"
#include "core/status.h"
#include "core/strbuf.h"
#include "core/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int legal_review_applies(const def *d)
{
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(d->json, "states"), i, s)
    {
        const char *name = json_string_value(json_object_get(s, "name"));
        if (name && !strcmp(name, LEGAL_REVIEW_STATE))
            return 1;
    }
    return 0;
}

void legal_review_init(review_acc *r)
{
    r->rounds = json_array();
}

static int is_review(const char *s)
{
    return s && !strcmp(s, LEGAL_REVIEW_STATE);
}

static void set_str(json_t *o, const char *key, const char *v)
{
    json_object_set_new(o, key, v && *v ? json_string(v) : json_null());
}

/* The round's decision fields, cleared (open) or from the step. */
static void decide(json_t *round, int64_t at, const char *actor, const char *label, const json_t *values)
{
    int open = at == 0;
    json_object_set_new(round, "_d", json_integer(at));
    set_str(round, "decided_by", open ? NULL : actor);
    set_str(round, "decision", open ? NULL : label);
    const char *op = open ? NULL : json_string_value(json_object_get(values, "review_opinion"));
    set_str(round, "opinion", op);
    set_str(round, "note", open ? NULL : json_string_value(json_object_get(values, "review_note")));
    /* The reviewer is whoever gave the opinion; a 撤案 during the review has none. */
    set_str(round, "reviewer", op ? actor : NULL);
}

void legal_review_feed(review_acc *r, int64_t at, const char *actor, const char *label, const char *from,
                       const char *to, const json_t *payload)
{
    if (!r->rounds)
        return;
    size_t n = json_array_size(r->rounds);
    json_t *last = n ? json_array_get(r->rounds, n - 1) : NULL;
    int open = last && json_integer_value(json_object_get(last, "_d")) == 0;
    int into = is_review(to) && !is_review(from), out = is_review(from) && !is_review(to);
    if (json_object_get(payload, "withdrawn")) {
        /* 撤回 undoes the last step: back into review reopens the round,
         * back out of it means the submission never stood. */
        if (into && last && !open)
            decide(last, 0, NULL, NULL, NULL);
        else if (out && last && open)
            json_array_remove(r->rounds, n - 1);
        return;
    }
    if (into) {
        json_t *round = json_object();
        json_object_set_new(round, "_s", json_integer(at));
        set_str(round, "submitted_by", actor);
        set_str(round, "submitted_via", label);
        decide(round, 0, NULL, NULL, NULL);
        json_array_append_new(r->rounds, round);
    } else if (out && open) {
        decide(last, at, actor, label, json_object_get(payload, "values"));
    }
}

static json_t *time_json(int64_t ms)
{
    char t[32];
    if (!ms)
        return json_null();
    time_format_rfc3339(ms, t);
    return json_string(t);
}

json_t *legal_review_finish(review_acc *r, int64_t now_ms)
{
    json_t *rounds = r->rounds ? r->rounds : json_array();
    r->rounds = NULL;
    size_t i;
    json_t *round;
    json_array_foreach(rounds, i, round)
    {
        int64_t s = json_integer_value(json_object_get(round, "_s"));
        int64_t d = json_integer_value(json_object_get(round, "_d"));
        json_object_set_new(round, "submitted_at", time_json(s));
        json_object_set_new(round, "decided_at", time_json(d));
        json_object_set_new(round, "minutes", d ? json_integer((d - s) / 60000) : json_null());
        if (!d)
            json_object_set_new(round, "waiting_minutes", json_integer(now_ms > s ? (now_ms - s) / 60000 : 0));
        json_object_del(round, "_s");
        json_object_del(round, "_d");
    }
    return rounds;
}

/* ---- the queue ---- */

typedef struct queued {
    int64_t at; /* entered review (ms); 0 when the record has no such step */
    int64_t id;
    json_t *row;
} queued;

static int queued_cmp(const void *a, const void *b)
{
    const queued *x = a, *y = b;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

static const char *action_label(const def *d, const char *event_action)
{
    if (!event_action || strncmp(event_action, "case.", 5))
        return NULL;
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(d->json, "actions"), i, a)
    {
        if (!strcmp(json_string_value(json_object_get(a, "name")), event_action + 5))
            return json_string_value(json_object_get(a, "label"));
    }
    return event_action;
}

static const char *state_label(const def *d)
{
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(d->json, "states"), i, s)
    {
        if (is_review(json_string_value(json_object_get(s, "name"))))
            return json_string_value(json_object_get(s, "label"));
    }
    return LEGAL_REVIEW_STATE;
}

/* The first party field of d (the 当事人 a reviewer recognises), or NULL. */
static const char *party_field(const def *d)
{
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(d->json, "fields"), i, f)
    {
        const char *t = json_string_value(json_object_get(f, "type"));
        if (t && !strcmp(t, "party"))
            return json_string_value(json_object_get(f, "name"));
    }
    return NULL;
}

/* The cases of procedure d in review, within scope, appended to *list. The
 * table and column names come from the validated definition; values are
 * bound. The entry step is the latest event into the state that is not a
 * 撤回 (events_subject index: subject_kind, subject_id, seq). */
static int queue_of(store_conn *c, const def *d, const principal *who, int64_t now_ms, queued **list, size_t *n,
                    size_t *cap)
{
    const char *party = party_field(d);
    char kind[64];
    case_subject_kind(d, kind);
    strbuf b = STRBUF_INIT;
    strbuf_printf(&b,
                  "SELECT t.id, t.no, t.unit_id, t.handler_id, u.name, e.at, e.actor, e.action%s%s"
                  " FROM case_%s t LEFT JOIN units u ON u.id = t.unit_id"
                  " LEFT JOIN events e ON e.seq = (SELECT max(e2.seq) FROM events e2 WHERE e2.subject_kind = ?6"
                  "   AND e2.subject_id = CAST(t.id AS TEXT) AND e2.to_state = ?7 AND e2.from_state <> ?7"
                  "   AND e2.action LIKE 'case.%%' AND e2.action NOT IN ('case.created', 'case.imported')"
                  "   AND e2.payload NOT LIKE '%%\"withdrawn\":%%')"
                  " WHERE t.state = ?7 AND ",
                  party ? ", t.f_" : "", party ? party : "", d->name);
    strbuf_puts(&b, AUTHZ_SCOPE_SQL("t.unit_id", "t.handler_id"));
    store_stmt *st;
    int rc = strbuf_ok(&b) ? store_prepare(c, b.data, &st) : FZ_NOMEM;
    strbuf_free(&b);
    if (rc)
        return rc;
    authz_bind_scope(st, who, "case:view");
    store_bind_text(st, 6, kind);
    store_bind_text(st, 7, LEGAL_REVIEW_STATE);
    const char *title = json_string_value(json_object_get(d->json, "title"));
    const char *slabel = state_label(d);
    int s;
    while ((s = store_step(st)) == STORE_ROW) {
        if (*n == *cap) {
            size_t nc = *cap ? *cap * 2 : 32;
            queued *nl = realloc(*list, nc * sizeof(**list));
            if (!nl) {
                rc = FZ_NOMEM;
                break;
            }
            *list = nl;
            *cap = nc;
        }
        int64_t at = store_col_is_null(st, 5) ? 0 : store_col_int(st, 5);
        int64_t minutes = at && now_ms > at ? (now_ms - at) / 60000 : 0;
        char t[32];
        if (at)
            time_format_rfc3339(at, t);
        json_t *row = json_pack("{s:s, s:s, s:I, s:s, s:s, s:I, s:s?, s:I}", "kind", d->name, "title",
                                title ? title : "", "id", (json_int_t)store_col_int(st, 0), "no", store_col_text(st, 1),
                                "state_label", slabel, "unit_id", (json_int_t)store_col_int(st, 2), "unit_name",
                                store_col_is_null(st, 4) ? NULL : store_col_text(st, 4), "handler_id",
                                (json_int_t)store_col_int(st, 3));
        if (!row) {
            rc = FZ_NOMEM;
            break;
        }
        json_object_set_new(row, "party",
                            party && !store_col_is_null(st, 8) ? json_string(store_col_text(st, 8)) : json_null());
        json_object_set_new(row, "submitted_at", at ? json_string(t) : json_null());
        json_object_set_new(row, "submitted_by", at ? json_string(store_col_text(st, 6)) : json_null());
        const char *via = at ? action_label(d, store_col_text(st, 7)) : NULL;
        json_object_set_new(row, "submitted_via", via ? json_string(via) : json_null());
        json_object_set_new(row, "waiting_minutes", at ? json_integer(minutes) : json_null());
        json_object_set_new(row, "waiting_days", at ? json_integer(minutes / 1440) : json_null());
        (*list)[(*n)++] = (queued){.at = at, .id = store_col_int(st, 0), .row = row};
    }
    if (!rc && s != STORE_DONE)
        rc = FZ_ERR;
    store_done(st);
    return rc;
}

int legal_review_queue(store_conn *c, const defs *ds, const principal *who, int64_t now_ms, int64_t page, int64_t size,
                       json_t **out)
{
    queued *list = NULL;
    size_t n = 0, cap = 0;
    int rc = FZ_OK;
    for (int i = 0; ds && i < ds->n && !rc; i++)
        if (ds->items[i].type == DEF_PROCEDURE && legal_review_applies(&ds->items[i]))
            rc = queue_of(c, &ds->items[i], who, now_ms, &list, &n, &cap);
    if (!rc && n > 1)
        qsort(list, n, sizeof(*list), queued_cmp);
    json_t *rows = json_array();
    size_t first = (size_t)((page - 1) * size);
    for (size_t i = 0; i < n; i++) {
        if (!rc && i >= first && i < first + (size_t)size)
            json_array_append(rows, list[i].row);
        json_decref(list[i].row);
    }
    free(list);
    if (rc) {
        json_decref(rows);
        return rc;
    }
    *out = json_pack("{s:I, s:o}", "total", (json_int_t)n, "rows", rows);
    return FZ_OK;
}
