/* util.c: typed-parameter helpers over the store API (backend-neutral). */
#include "store/store.h"
#include "core/status.h"

#include <stdarg.h>

static int bind_va(store_stmt *st, const char *types, va_list ap)
{
    for (int i = 0; types[i]; i++) {
        switch (types[i]) {
        case 'i':
            store_bind_int(st, i + 1, va_arg(ap, int64_t));
            break;
        case 's':
            store_bind_text(st, i + 1, va_arg(ap, const char *));
            break;
        case 'b': {
            const void *p = va_arg(ap, const void *);
            size_t n = va_arg(ap, size_t);
            if (p)
                store_bind_blob(st, i + 1, p, n);
            else
                store_bind_null(st, i + 1);
            break;
        }
        default:
            return FZ_INVALID;
        }
    }
    return FZ_OK;
}

int store_run(store_conn *c, const char *sql, const char *types, ...)
{
    store_stmt *st;
    if (store_prepare(c, sql, &st))
        return FZ_ERR;
    va_list ap;
    va_start(ap, types);
    int rc = bind_va(st, types, ap);
    va_end(ap);
    if (rc == FZ_OK) {
        int s;
        while ((s = store_step(st)) == STORE_ROW)
            ;
        rc = s == STORE_DONE ? FZ_OK : s;
    }
    store_done(st);
    return rc;
}

int store_query_int(store_conn *c, int64_t *out, int64_t dflt, const char *sql, const char *types, ...)
{
    store_stmt *st;
    if (store_prepare(c, sql, &st))
        return FZ_ERR;
    va_list ap;
    va_start(ap, types);
    int rc = bind_va(st, types, ap);
    va_end(ap);
    *out = dflt;
    if (rc == FZ_OK) {
        int s = store_step(st);
        if (s == STORE_ROW && !store_col_is_null(st, 0))
            *out = store_col_int(st, 0);
        rc = s < 0 ? s : FZ_OK;
    }
    store_done(st);
    return rc;
}
