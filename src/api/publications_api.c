/* publications_api.c: 公示.
 *  GET /api/public/publications?q=&page=&size=   the public portal, no login
 *  GET /api/public/publications/{id}             one publication, no login
 *  GET /api/publications/export?kind=&from=&to=   双公示 CSV (信用), signed in
 * Withdrawn and offline publications are never shown to the public. What a
 * publication holds was desensitised when it was written (engine/publish.c),
 * so these handlers have nothing personal to hide. */
#include "api/app.h"
#include "api/routes.h"
#include "api/util.h"
#include "engine/clock.h"
#include "engine/export.h"
#include "engine/publish.h"
#include "engine/scheduler.h"
#include "store/search.h"
#include "core/parse.h"
#include "core/status.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define PUB_COUNT_CAP 10000

static json_t *summary_row(store_stmt *st)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)store_col_int(st, 0), "doc_type",
                     store_col_text(st, 1), "title", store_col_text(st, 2), "case_no", store_col_text(st, 3),
                     "published_on", store_col_text(st, 4), "unit_name", store_col_text(st, 5));
}

typedef struct pub_hits {
    store_conn *c;
    int64_t today;
    json_t *rows;
    int hidden;
} pub_hits;

static int on_hit(void *ctx, const search_hit *h)
{
    pub_hits *ph = ctx;
    int64_t id;
    json_t *p = parse_i64(h->id, 1, INT64_MAX, &id) ? NULL : publish_get(ph->c, id, ph->today);
    if (!p) {
        ph->hidden++; /* withdrawn after indexing, or offline */
        return 0;
    }
    json_array_append_new(ph->rows, json_pack("{s:O, s:O, s:s, s:O, s:O, s:O, s:s}", "id", json_object_get(p, "id"),
                                              "doc_type", json_object_get(p, "doc_type"), "title", h->title_html,
                                              "case_no", json_object_get(p, "case_no"), "published_on",
                                              json_object_get(p, "published_on"), "unit_name",
                                              json_object_get(p, "unit_name"), "snippet", h->body_html));
    json_decref(p);
    return 0;
}

int api_public_publications(req *r)
{
    const char *q;
    int64_t page, size;
    if (api_query_text(r, "q", &q) || api_paging(r, &page, &size))
        return FZ_OK;
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    int64_t today = scheduler_today();
    if (q && *q) {
        if (size > SEARCH_LIMIT_MAX)
            size = SEARCH_LIMIT_MAX;
        pub_hits ph = {.c = c, .today = today, .rows = json_array()};
        int64_t total = 0;
        int rc = search_query(c, PUBLISH_INDEX, q, (int)size, (int)((page - 1) * size), on_hit, &ph, &total);
        if (rc == FZ_INVALID) {
            json_decref(ph.rows);
            return api_invalid(r, "q", "检索词", "过长（最多 1024 字节）");
        }
        if (rc) {
            json_decref(ph.rows);
            return api_store_error(r);
        }
        int capped = total > SEARCH_COUNT_CAP;
        return req_reply_json(r, 200, json_pack("{s:I, s:b, s:i, s:o}", "total",
                                                (json_int_t)(capped ? SEARCH_COUNT_CAP : total), "total_capped",
                                                capped, "hidden", ph.hidden, "rows", ph.rows));
    }
    char on[11];
    clock_day_text(today, on);
    int64_t total = 0;
    if (store_query_int(c, &total, 0,
                        "SELECT count(*) FROM (SELECT 1 FROM publications WHERE withdrawn_at = 0 AND offline_on > ?"
                        " LIMIT ?) x",
                        "si", on, (int64_t)PUB_COUNT_CAP + 1))
        return api_store_error(r);
    store_stmt *st;
    if (store_prepare(c,
                      "SELECT p.id, p.doc_type, p.title, p.case_no, p.published_on, coalesce(u.name, '')"
                      " FROM publications p LEFT JOIN units u ON u.id = p.unit_id"
                      " WHERE p.withdrawn_at = 0 AND p.offline_on > ? ORDER BY p.published_at DESC, p.id DESC"
                      " LIMIT ? OFFSET ?",
                      &st))
        return api_store_error(r);
    store_bind_text(st, 1, on);
    store_bind_int(st, 2, size);
    store_bind_int(st, 3, (page - 1) * size);
    json_t *rows = json_array();
    int s;
    while ((s = store_step(st)) == STORE_ROW)
        json_array_append_new(rows, summary_row(st));
    store_done(st);
    if (s != STORE_DONE) {
        json_decref(rows);
        return api_store_error(r);
    }
    int capped = total > PUB_COUNT_CAP;
    return req_reply_json(r, 200, json_pack("{s:I, s:b, s:o}", "total", (json_int_t)(capped ? PUB_COUNT_CAP : total),
                                            "total_capped", capped, "rows", rows));
}

int api_public_publication(req *r)
{
    int64_t id;
    if (api_path_id(r, "id", &id))
        return FZ_OK;
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    json_t *p = publish_get(c, id, scheduler_today());
    if (!p)
        return api_not_found(r, "公示信息");
    return req_reply_json(r, 200, p);
}

/* ---- 双公示 CSV ---- */

/* The value of one export column for a publication: a field's item, or one
 * of the built-in columns ($party_name / $party_id: the first party field's
 * items). money "wan" turns "1234.00元" into 万元, "yuan" drops the 元. */
static const char *column_value(arena *a, json_t *col, json_t *items, store_stmt *st, const char *party)
{
    const char *field = json_string_value(json_object_get(col, "field"));
    const char *money = json_string_value(json_object_get(col, "money"));
    static const struct {
        const char *name;
        int col;
    } builtin[] = {{"$no", 1}, {"$party_kind", 2}, {"$published_on", 4}, {"$offline_on", 5}, {"$unit_name", 6}};
    if (!field)
        return "";
    for (size_t k = 0; k < sizeof(builtin) / sizeof(builtin[0]); k++)
        if (!strcmp(field, builtin[k].name))
            return store_col_text(st, builtin[k].col);
    char want[80];
    if (!strcmp(field, "$party_name"))
        snprintf(want, sizeof(want), "%s", party);
    else if (!strcmp(field, "$party_id"))
        snprintf(want, sizeof(want), "%s.id", party);
    else
        snprintf(want, sizeof(want), "%s", field);
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        const char *f = json_string_value(json_object_get(it, "field"));
        const char *v = json_string_value(json_object_get(it, "value"));
        if (!f || !v || strcmp(f, want) != 0)
            continue;
        long long yuan = 0, fen = 0;
        if (money && !strcmp(money, "wan") && sscanf(v, "%lld.%2lld", &yuan, &fen) >= 1)
            return arena_printf(a, "%lld.%06lld", yuan / 10000, (yuan % 10000) * 100 + fen);
        size_t n = strlen(v);
        if (money && n >= 3 && !strcmp(v + n - 3, "元"))
            return arena_printf(a, "%.*s", (int)(n - 3), v);
        return arena_strdup(a, v);
    }
    return "";
}

int api_publications_export(req *r)
{
    const char *kind = req_query(r, "kind");
    app *a = req_app(r);
    const def *d = kind ? defs_find(a->defs, DEF_PROCEDURE, kind) : NULL;
    json_t *pub = d ? json_object_get(d->json, "publication") : NULL;
    if (!pub)
        return api_invalid(r, "kind", "程序类型", "应为定义了公示的程序（如 penalty）");
    const char *from = req_query(r, "from"), *to = req_query(r, "to");
    int64_t day;
    if (from && *from && clock_day_parse(from, &day))
        return api_invalid(r, "from", "起始日期", "应为 YYYY-MM-DD");
    if (to && *to && clock_day_parse(to, &day))
        return api_invalid(r, "to", "截止日期", "应为 YYYY-MM-DD");
    json_t *cols = json_object_get(pub, "columns");
    int ncols = (int)json_array_size(cols);
    if (!ncols)
        return api_invalid(r, "kind", "程序类型", "该程序的公示未定义导出列（publication.columns）");
    const char **headers = arena_alloc(req_arena(r), sizeof(char *) * (size_t)ncols);
    const char **cells = arena_alloc(req_arena(r), sizeof(char *) * (size_t)ncols);
    if (!headers || !cells)
        return api_store_error(r);
    size_t i;
    json_t *col;
    json_array_foreach(cols, i, col) headers[i] = json_string_value(json_object_get(col, "label"));
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    char subject[64], path[1200];
    snprintf(subject, sizeof(subject), "case:%s", kind);
    snprintf(path, sizeof(path), "%s/export-%d-%p.csv", a->cfg.data, (int)getpid(), (void *)r);
    exporter *e = export_open(EXPORT_CSV, path, "双公示", headers, ncols);
    if (!e)
        return api_store_error(r);
    /* The first party field names the party items. */
    const char *party = "";
    json_t *f;
    json_array_foreach(json_object_get(d->json, "fields"), i, f) if (!strcmp(
        json_string_value(json_object_get(f, "type")), "party"))
    {
        party = json_string_value(json_object_get(f, "name"));
        break;
    }
    store_stmt *st;
    int rc = store_prepare(c,
                           "SELECT p.body, p.case_no, p.party_kind, p.id, p.published_on, p.offline_on,"
                           " coalesce(u.name, '') FROM publications p LEFT JOIN units u ON u.id = p.unit_id"
                           " WHERE p.subject_kind = ? AND p.withdrawn_at = 0 AND (? = '' OR p.published_on >= ?)"
                           " AND (? = '' OR p.published_on <= ?) ORDER BY p.id",
                           &st);
    if (rc == FZ_OK) {
        store_bind_text(st, 1, subject);
        store_bind_text(st, 2, from ? from : "");
        store_bind_text(st, 3, from ? from : "");
        store_bind_text(st, 4, to ? to : "");
        store_bind_text(st, 5, to ? to : "");
        int s;
        while (rc == FZ_OK && (s = store_step(st)) == STORE_ROW) {
            arena scratch;
            arena_init(&scratch, 1024);
            json_t *items = json_loads(store_col_text(st, 0), 0, NULL);
            json_array_foreach(cols, i, col) cells[i] = column_value(&scratch, col, items, st, party);
            rc = export_row(e, cells);
            json_decref(items);
            arena_free(&scratch);
        }
        if (rc == FZ_OK && s != STORE_DONE)
            rc = FZ_ERR;
        store_done(st);
    }
    if (export_close(e) != FZ_OK || rc != FZ_OK) {
        unlink(path);
        return api_store_error(r);
    }
    char name[200];
    snprintf(name, sizeof(name), "双公示-%s.csv", json_string_value(json_object_get(d->json, "title")));
    return req_reply_file(r, path, export_mime(EXPORT_CSV), name);
}
