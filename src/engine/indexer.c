/* indexer.c: search documents for cases and catalog rows (see indexer.h). */
#include "engine/indexer.h"
#include "store/search.h"
#include "core/status.h"
#include "core/strbuf.h"

#include <stdio.h>
#include <string.h>

/* The text of a value: strings as they are, a party by its name. */
static const char *text_of(json_t *v)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_object(v))
        return json_string_value(json_object_get(v, "name"));
    return NULL;
}

static int is_text_type(const char *t)
{
    return !strcmp(t, "string") || !strcmp(t, "text") || !strcmp(t, "enum") || !strcmp(t, "party") ||
           !strcmp(t, "legal_basis");
}

int index_case(store_conn *w, const def *d, int64_t id, const char *no, int64_t unit_id, const json_t *fields)
{
    strbuf title = STRBUF_INIT, body = STRBUF_INIT;
    strbuf_puts(&title, no ? no : "");
    size_t i;
    json_t *f;
    int titled = 0;
    json_array_foreach(json_object_get(d->json, "fields"), i, f)
    {
        const char *t = json_string_value(json_object_get(f, "type"));
        const char *s = text_of(json_object_get(fields, json_string_value(json_object_get(f, "name"))));
        if (!s || !*s || !is_text_type(t))
            continue;
        if (!titled && strcmp(t, "text") != 0) {
            strbuf_printf(&title, " %s", s);
            titled = 1;
        }
        strbuf_puts(&body, s);
        strbuf_putc(&body, '\n');
    }
    char kind[64], sid[24];
    snprintf(kind, sizeof(kind), "case:%s", d->name);
    snprintf(sid, sizeof(sid), "%lld", (long long)id);
    int rc = strbuf_ok(&title) && strbuf_ok(&body)
                 ? search_put(w, INDEX_MAIN, kind, sid, unit_id, title.data, body.data ? body.data : "")
                 : FZ_NOMEM;
    strbuf_free(&title);
    strbuf_free(&body);
    return rc;
}

int index_catalog_row(store_conn *w, const def *d, int64_t row_id, int64_t unit_id, const json_t *fields)
{
    json_t *search = json_object_get(d->json, "search");
    if (!json_array_size(search))
        return FZ_OK;
    strbuf body = STRBUF_INIT;
    const char *title = "";
    size_t i;
    json_t *name;
    json_array_foreach(search, i, name)
    {
        const char *s = text_of(json_object_get(fields, json_string_value(name)));
        if (!s)
            continue;
        if (i == 0) {
            title = s;
            continue;
        }
        strbuf_puts(&body, s);
        strbuf_putc(&body, '\n');
    }
    char kind[64], sid[24];
    snprintf(kind, sizeof(kind), "catalog:%s", d->name);
    snprintf(sid, sizeof(sid), "%lld", (long long)row_id);
    int rc = strbuf_ok(&body) ? search_put(w, INDEX_MAIN, kind, sid, unit_id, title, body.data ? body.data : "")
                              : FZ_NOMEM;
    strbuf_free(&body);
    return rc;
}
