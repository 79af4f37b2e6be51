/* keyidx.c: see keyidx.h. */
#include "core/keyidx.h"
#include "core/status.h"

#include <stdlib.h>
#include <string.h>

static size_t hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static const char *key_at(const keyidx *x, const void *base, size_t i)
{
    return (const char *)base + i * x->stride + x->off;
}

static void put(keyidx *x, const void *base, size_t i)
{
    size_t h = hash(key_at(x, base, i)) & (x->nslot - 1);
    while (x->slot[h])
        h = (h + 1) & (x->nslot - 1);
    x->slot[h] = (uint32_t)i + 1;
}

long kx_find(const keyidx *x, const void *base, const char *key)
{
    if (!x->nslot)
        return -1;
    for (size_t h = hash(key) & (x->nslot - 1);; h = (h + 1) & (x->nslot - 1)) {
        uint32_t s = x->slot[h];
        if (!s)
            return -1;
        if (!strcmp(key_at(x, base, s - 1), key))
            return (long)s - 1;
    }
}

int kx_add(keyidx *x, const void *base, size_t n)
{
    if (n == 0 || n >= UINT32_MAX)
        return n ? FZ_NOMEM : FZ_OK;
    if (2 * n > x->nslot) {
        size_t ns = x->nslot ? x->nslot : 64;
        while (2 * n > ns)
            ns *= 2;
        uint32_t *nv = calloc(ns, sizeof(*nv));
        if (!nv)
            return FZ_NOMEM;
        free(x->slot);
        x->slot = nv, x->nslot = ns;
        for (size_t i = 0; i + 1 < n; i++)
            put(x, base, i);
    }
    put(x, base, n - 1);
    return FZ_OK;
}

int kx_rebuild(keyidx *x, const void *base, size_t n)
{
    kx_free(x);
    return kx_add(x, base, n);
}

void kx_free(keyidx *x)
{
    free(x->slot);
    x->slot = NULL;
    x->nslot = 0;
}
