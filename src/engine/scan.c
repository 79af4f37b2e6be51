/* scan.c: keyset chunks, arrays of (case id, value) keys and their sort
 * (scan.h). */
#include "engine/scan.h"
#include "store/store.h"
#include "core/status.h"

#include <stdlib.h>
#include <string.h>

int64_t scan_case_id(const char *s)
{
    if (!s || *s < '1' || *s > '9' || strlen(s) > 18)
        return 0;
    int64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return 0;
        v = v * 10 + (*s - '0');
    }
    return v;
}

int scan_grow(void **v, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return FZ_OK;
    size_t c = *cap ? *cap * 2 : 4096;
    void *nv = realloc(*v, c * size);
    if (!nv)
        return FZ_NOMEM;
    *v = nv;
    *cap = c;
    return FZ_OK;
}

/* One pass per byte that some key has set. */
int scan_radix_sort(void *base, size_t n, size_t size)
{
    if (n < 2)
        return FZ_OK;
    unsigned char *a = base, *b = malloc(n * size);
    if (!b)
        return FZ_NOMEM;
    uint64_t any = 0, k;
    for (size_t i = 0; i < n; i++) {
        memcpy(&k, a + i * size, sizeof(k));
        any |= k;
    }
    for (int shift = 0; shift < 64 && (any >> shift); shift += 8) {
        size_t cnt[257] = {0};
        for (size_t i = 0; i < n; i++) {
            memcpy(&k, a + i * size, sizeof(k));
            cnt[((k >> shift) & 0xff) + 1]++;
        }
        for (int d = 0; d < 256; d++)
            cnt[d + 1] += cnt[d];
        for (size_t i = 0; i < n; i++) {
            memcpy(&k, a + i * size, sizeof(k));
            memcpy(b + cnt[(k >> shift) & 0xff]++ * size, a + i * size, size);
        }
        unsigned char *t = a;
        a = b;
        b = t;
    }
    if (a != base) {
        memcpy(base, a, n * size);
        b = a;
    }
    free(b);
    return FZ_OK;
}

size_t scan_first_after(const void *base, size_t n, size_t size, int64_t lo)
{
    if (lo < 0)
        return 0;
    size_t a = 0, b = n;
    while (a < b) {
        size_t m = a + (b - a) / 2;
        uint64_t k;
        memcpy(&k, (const unsigned char *)base + m * size, sizeof(k));
        if ((k >> 16) <= (uint64_t)lo)
            a = m + 1;
        else
            b = m;
    }
    return a;
}

int scan_each_event(store_conn *w, const char *skind, const char *action, int with_payload, scan_event_cb cb,
                    void *ctx)
{
    int rc = FZ_OK;
    int64_t at = INT64_MIN, seq = INT64_MIN;
    for (int more = 1; !rc && more;) {
        store_stmt *st;
        if (store_prepare(w,
                          with_payload ? "SELECT seq, subject_id, at, payload FROM events WHERE action = ?1 AND at >= ?2"
                                         " AND (at > ?2 OR seq > ?3) AND subject_kind = ?4 ORDER BY at, seq LIMIT ?5"
                                       : "SELECT seq, subject_id, at FROM events WHERE action = ?1 AND at >= ?2"
                                         " AND (at > ?2 OR seq > ?3) AND subject_kind = ?4 ORDER BY at, seq LIMIT ?5",
                          &st))
            return FZ_ERR;
        store_bind_text(st, 1, action);
        store_bind_int(st, 2, at);
        store_bind_int(st, 3, seq);
        store_bind_text(st, 4, skind);
        store_bind_int(st, 5, SCAN_CHUNK);
        int n = 0, s = STORE_DONE;
        while (!rc && (s = store_step(st)) == STORE_ROW) {
            n++;
            seq = store_col_int(st, 0);
            at = store_col_int(st, 2);
            int64_t id = scan_case_id(store_col_text(st, 1));
            if (!id)
                continue;
            rc = id >= SCAN_ID_MAX ? FZ_INVALID : cb(ctx, id, seq, at, with_payload ? store_col_text(st, 3) : NULL);
        }
        store_done(st);
        if (!rc && s != STORE_DONE)
            rc = FZ_ERR;
        more = n == SCAN_CHUNK;
    }
    return rc;
}
