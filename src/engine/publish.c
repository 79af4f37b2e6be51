/* publish.c: 公示 (see publish.h). */
#include "engine/publish.h"
#include "engine/events.h"
#include "engine/clock.h"
#include "store/search.h"
#include "store/store.h"
#include "core/status.h"
#include "core/strbuf.h"
#include "core/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Length of the UTF-8 character at p (1 for a stray byte). */
static size_t cp_len(const unsigned char *p)
{
    size_t n = p[0] < 0x80 ? 1 : (p[0] >> 5) == 6 ? 2 : (p[0] >> 4) == 14 ? 3 : (p[0] >> 3) == 30 ? 4 : 1;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 1;
    return n;
}

void publish_mask_name(const char *name, char *out, size_t n)
{
    const unsigned char *p = (const unsigned char *)(name ? name : "");
    size_t count = 0;
    for (const unsigned char *q = p; *q; q += cp_len(q))
        count++;
    strbuf b = STRBUF_INIT;
    size_t i = 0;
    for (const unsigned char *q = p; *q; i++) {
        size_t l = cp_len(q);
        if (i == 0 || (count >= 3 && i == count - 1))
            strbuf_append(&b, q, l);
        else
            strbuf_putc(&b, '*');
        q += l;
    }
    snprintf(out, n, "%s", strbuf_ok(&b) && b.data ? b.data : "");
    strbuf_free(&b);
}

/* An item names its field (a party's code: "<field>.id") so exports can
 * pick columns by field. */
static void add_item(json_t *items, const char *field, const char *label, const char *value)
{
    json_array_append_new(items, json_pack("{s:s, s:s, s:s}", "field", field, "label", label, "value", value));
}

/* A field's value as published text; NULL when empty. */
static char *value_text(const char *type, const json_t *v)
{
    char buf[64];
    if (!v || json_is_null(v))
        return NULL;
    if (!strcmp(type, "money") && json_is_integer(v)) {
        long long c = (long long)json_integer_value(v);
        snprintf(buf, sizeof(buf), "%s%lld.%02lld元", c < 0 ? "-" : "", llabs(c) / 100, llabs(c) % 100);
        return strdup(buf);
    }
    if (!strcmp(type, "bool"))
        return strdup(json_is_true(v) ? "是" : "否");
    if (json_is_integer(v)) {
        snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
        return strdup(buf);
    }
    if (json_is_string(v) && json_string_length(v))
        return strdup(json_string_value(v));
    return NULL;
}

json_t *publish_render(const def *d, const json_t *fields, char party_kind[32], char party_name[256])
{
    json_t *items = json_array();
    snprintf(party_kind, 32, "自然人");
    party_name[0] = '\0';
    /* The first party decides whether personal fields are shown. */
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(d->json, "fields"), i, f)
    {
        const char *type = json_string_value(json_object_get(f, "type"));
        json_t *v = json_object_get(fields, json_string_value(json_object_get(f, "name")));
        if (type && !strcmp(type, "party") && json_is_object(v)) {
            const char *k = json_string_value(json_object_get(v, "kind"));
            snprintf(party_kind, 32, "%s", k && *k ? k : "自然人");
            break;
        }
    }
    int natural = !strcmp(party_kind, "自然人");
    json_array_foreach(json_object_get(d->json, "fields"), i, f)
    {
        if (!json_is_true(json_object_get(f, "publish")) || json_is_true(json_object_get(f, "sensitive")) ||
            (natural && json_is_true(json_object_get(f, "personal"))))
            continue;
        const char *name = json_string_value(json_object_get(f, "name"));
        const char *label = json_string_value(json_object_get(f, "label"));
        const char *type = json_string_value(json_object_get(f, "type"));
        json_t *v = json_object_get(fields, name);
        if (!strcmp(type, "party")) {
            if (!json_is_object(v))
                continue;
            const char *k = json_string_value(json_object_get(v, "kind"));
            int nat = !k || !*k || !strcmp(k, "自然人");
            const char *pn = json_string_value(json_object_get(v, "name"));
            char shown[256];
            if (nat)
                publish_mask_name(pn, shown, sizeof(shown));
            else
                snprintf(shown, sizeof(shown), "%s", pn ? pn : "");
            if (!party_name[0])
                snprintf(party_name, 256, "%s", shown);
            add_item(items, name, label, shown);
            const char *idno = json_string_value(json_object_get(v, "id_number"));
            if (!nat && idno && *idno) {
                char l2[200], f2[80];
                snprintf(l2, sizeof(l2), "%s统一社会信用代码", label);
                snprintf(f2, sizeof(f2), "%s.id", name);
                add_item(items, f2, l2, idno);
            }
            continue;
        }
        char *t = value_text(type, v);
        if (t)
            add_item(items, name, label, t);
        free(t);
    }
    return items;
}

/* published_on + months (the day clamped to the month's length). */
static void add_months(int64_t day, int months, char out[11])
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    int total = y * 12 + (m - 1) + months;
    y = total / 12;
    m = total % 12 + 1;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int last = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    clock_day_text(days_from_civil(y, m, d > last ? last : d), out);
}

/* "+withdrawn_at" keeps the planner on publications_subject: without
 * statistics (a bulk import before its ANALYZE) SQLite took publications_list
 * (withdrawn_at, …) and scanned every publication for each new one. */
static int active_id(store_conn *w, const publish_in *in, int64_t *id)
{
    return store_query_int(w, id, 0,
                           "SELECT id FROM publications WHERE subject_kind = ? AND subject_id = ? AND +withdrawn_at = 0",
                           "ss", in->subject_kind, in->subject_id);
}

static int append(store_conn *w, const publish_in *in, int64_t id, const char *action, json_t *payload,
                  int64_t *seq)
{
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", (long long)id);
    event e = {.ledger = in->ledger, .actor = in->actor, .unit_id = in->unit_id, .region_code = in->region_code,
               .subject_kind = "publication", .subject_id = sid, .action = action, .def_digest = in->d->digest};
    int rc = event_append(w, &e, payload);
    json_decref(payload);
    if (seq)
        *seq = e.seq;
    return rc;
}

int publish_create(store_conn *w, const publish_in *in, int64_t *id, char *why, size_t n)
{
    int64_t have = 0;
    if (active_id(w, in, &have))
        return FZ_ERR;
    if (have) {
        snprintf(why, n, "本案已有在公示中的记录（公示编号 %lld），如决定变更请先撤回", (long long)have);
        return FZ_CONFLICT;
    }
    json_t *pub = json_object_get(in->d->json, "publication");
    const char *doc_type = json_string_value(json_object_get(pub, "title"));
    char party_kind[32], party_name[256];
    json_t *items = publish_render(in->d, in->fields, party_kind, party_name);
    int natural = !strcmp(party_kind, "自然人");
    json_t *months = json_object_get(json_object_get(pub, "retention_months"), natural ? "person" : "organisation");
    char on[11], off[11];
    clock_day_text(in->today, on);
    add_months(in->today, (int)json_integer_value(months), off);
    char title[512];
    snprintf(title, sizeof(title), "%s（%s）", doc_type ? doc_type : "公示", party_name[0] ? party_name : in->case_no);
    char *body = json_dumps(items, JSON_COMPACT);
    /* The searchable text: "label：value" per line. */
    strbuf text = STRBUF_INIT;
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    strbuf_printf(&text, "%s：%s\n", json_string_value(json_object_get(it, "label")),
                  json_string_value(json_object_get(it, "value")));
    json_decref(items);
    int rc = body && strbuf_ok(&text) ? FZ_OK : FZ_NOMEM;
    int64_t now = time_now_ms();
    store_stmt *st;
    if (rc == FZ_OK &&
        (rc = store_prepare(w,
                            "INSERT INTO publications (subject_kind, subject_id, case_no, unit_id, region_code, doc_type,"
                            " title, party_kind, body, published_at, published_on, offline_on, withdrawn_at,"
                            " withdraw_reason, event_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, '', 0)"
                            " RETURNING id",
                            &st)) == FZ_OK) {
        store_bind_text(st, 1, in->subject_kind);
        store_bind_text(st, 2, in->subject_id);
        store_bind_text(st, 3, in->case_no);
        store_bind_int(st, 4, in->unit_id);
        store_bind_text(st, 5, in->region_code);
        store_bind_text(st, 6, doc_type ? doc_type : "");
        store_bind_text(st, 7, title);
        store_bind_text(st, 8, party_kind);
        store_bind_text(st, 9, body);
        store_bind_int(st, 10, now);
        store_bind_text(st, 11, on);
        store_bind_text(st, 12, off);
        rc = store_step(st) == STORE_ROW ? FZ_OK : FZ_ERR;
        *id = rc == FZ_OK ? store_col_int(st, 0) : 0;
        store_done(st);
    }
    int64_t seq = 0;
    if (rc == FZ_OK)
        rc = append(w, in, *id, "publication.published",
                    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "case", in->subject_kind, "case_id", in->subject_id,
                              "case_no", in->case_no, "title", title, "published_on", on, "offline_on", off),
                    &seq);
    if (rc == FZ_OK)
        rc = store_run(w, "UPDATE publications SET event_seq = ? WHERE id = ?", "ii", seq, *id);
    if (rc == FZ_OK) {
        char sid[24];
        snprintf(sid, sizeof(sid), "%lld", (long long)*id);
        rc = search_put(w, PUBLISH_INDEX, "publication", sid, in->unit_id, title, text.data ? text.data : "");
    }
    free(body);
    strbuf_free(&text);
    return rc;
}

int publish_withdraw(store_conn *w, const publish_in *in, const char *reason, int64_t *id, char *why, size_t n)
{
    if (active_id(w, in, id))
        return FZ_ERR;
    if (!*id) {
        snprintf(why, n, "本案没有在公示中的记录，无需撤回");
        return FZ_NOTFOUND;
    }
    int rc = store_run(w, "UPDATE publications SET withdrawn_at = ?, withdraw_reason = ? WHERE id = ?", "isi",
                       time_now_ms(), reason ? reason : "", *id);
    if (rc == FZ_OK)
        rc = append(w, in, *id, "publication.withdrawn",
                    json_pack("{s:s, s:s, s:s}", "case", in->subject_kind, "case_id", in->subject_id, "reason",
                              reason ? reason : ""),
                    NULL);
    if (rc == FZ_OK) {
        char sid[24];
        snprintf(sid, sizeof(sid), "%lld", (long long)*id);
        rc = search_delete(w, PUBLISH_INDEX, "publication", sid);
    }
    return rc;
}

json_t *publish_get(store_conn *c, int64_t id, int64_t today)
{
    char on[11];
    clock_day_text(today, on);
    store_stmt *st;
    if (store_prepare(c,
                      "SELECT p.id, p.doc_type, p.title, p.case_no, p.party_kind, p.body, p.published_on, p.offline_on,"
                      " coalesce(u.name, '') FROM publications p LEFT JOIN units u ON u.id = p.unit_id"
                      " WHERE p.id = ? AND p.withdrawn_at = 0 AND p.offline_on > ?",
                      &st))
        return NULL;
    store_bind_int(st, 1, id);
    store_bind_text(st, 2, on);
    json_t *out = NULL;
    if (store_step(st) == STORE_ROW) {
        json_t *items = json_loads(store_col_text(st, 5), 0, NULL);
        out = json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s}", "id", (json_int_t)store_col_int(st, 0),
                        "doc_type", store_col_text(st, 1), "title", store_col_text(st, 2), "case_no",
                        store_col_text(st, 3), "party_kind", store_col_text(st, 4), "items",
                        items ? items : json_array(), "published_on", store_col_text(st, 6), "offline_on",
                        store_col_text(st, 7), "unit_name", store_col_text(st, 8));
    }
    store_done(st);
    return out;
}
