/* search_api.c: GET /api/search?q=: the one search box over cases and
 * catalogs, with highlighted snippets. Every hit is checked against the
 * caller's rights (case:view within data scope, catalog:view) before it is
 * shown. */
#include "api/app.h"
#include "api/routes.h"
#include "api/util.h"
#include "engine/cases.h"
#include "engine/indexer.h"
#include "store/search.h"
#include "core/parse.h"
#include "core/status.h"

#include <string.h>

typedef struct hits {
    req *r;
    store_conn *c;
    json_t *rows;
    int hidden;
} hits;

static int visible(hits *h, const search_hit *x)
{
    app *a = req_app(h->r);
    const principal *p = api_who(h->r);
    if (!strncmp(x->kind, "catalog:", 8))
        return authz_has(p, "catalog:view") && defs_find(a->defs, DEF_CATALOG, x->kind + 8);
    if (strncmp(x->kind, "case:", 5) || !authz_has(p, "case:view"))
        return 0;
    const def *d = defs_find(a->defs, DEF_PROCEDURE, x->kind + 5);
    int64_t id, unit, handler;
    if (!d || parse_i64(x->id, 1, INT64_MAX, &id) || case_owner(h->c, d, id, &unit, &handler))
        return 0;
    return authz_unit_visible(h->c, p, "case:view", unit, handler) == FZ_OK;
}

static int on_hit(void *ctx, const search_hit *x)
{
    hits *h = ctx;
    if (!visible(h, x)) {
        h->hidden++;
        return 0;
    }
    const char *colon = strchr(x->kind, ':');
    json_array_append_new(h->rows, json_pack("{s:s, s:s, s:s, s:s, s:s}", "type",
                                             !strncmp(x->kind, "case:", 5) ? "case" : "catalog", "name",
                                             colon ? colon + 1 : x->kind, "id", x->id, "title", x->title_html,
                                             "snippet", x->body_html));
    return 0;
}

int api_search(req *r)
{
    const char *q;
    int64_t page, size;
    if (api_query_text(r, "q", &q) || api_paging(r, &page, &size))
        return FZ_OK;
    if (size > SEARCH_LIMIT_MAX)
        size = SEARCH_LIMIT_MAX;
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    hits h = {.r = r, .c = c, .rows = json_array()};
    int64_t total = 0;
    int rc = search_query(c, INDEX_MAIN, q, (int)size, (int)((page - 1) * size), on_hit, &h, &total);
    if (rc == FZ_INVALID) {
        json_decref(h.rows);
        return api_invalid(r, "q", "检索词", "过长（最多 1024 字节）");
    }
    if (rc) {
        json_decref(h.rows);
        return api_store_error(r);
    }
    /* total counts the matches up to SEARCH_COUNT_CAP (total_capped past it,
     * the hits then newest first); hits outside the caller's rights are left
     * out of rows and counted in "hidden" (of this page). */
    int capped = total > SEARCH_COUNT_CAP;
    return req_reply_json(r, 200,
                          json_pack("{s:I, s:b, s:i, s:o}", "total", (json_int_t)(capped ? SEARCH_COUNT_CAP : total),
                                    "total_capped", capped, "hidden", h.hidden, "rows", h.rows));
}
