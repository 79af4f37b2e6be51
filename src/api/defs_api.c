/* defs_api.c: GET /api/defs: the definitions in force (procedures, catalogs,
 * indicators) with their titles and SM3 digests. */
#include "api/app.h"
#include "api/routes.h"

int api_defs_list(req *r)
{
    app *a = req_app(r);
    static const char *const types[] = {"procedure", "catalog", "indicator"};
    json_t *rows = json_array();
    for (int i = 0; a->defs && i < a->defs->n; i++) {
        const def *d = &a->defs->items[i];
        json_t *title = json_object_get(d->json, "title");
        json_array_append_new(rows, json_pack("{s:s, s:s, s:O, s:s}", "type", types[d->type], "name", d->name,
                                              "title", title ? title : json_null(), "digest", d->digest));
    }
    return req_reply_json(r, 200, json_pack("{s:I, s:o}", "total", (json_int_t)json_array_size(rows), "rows", rows));
}
