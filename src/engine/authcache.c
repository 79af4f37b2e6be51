/* authcache.c: see authcache.h. A direct-mapped table of flat principal
 * copies under one mutex; lookups copy the principal into the request arena,
 * so nothing returned points into the cache. */
#include "engine/authcache.h"
#include "core/status.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 1024

typedef struct slot {
    char key[65];
    uint64_t epoch;
    int64_t stored_ms, created, seen;
    principal *p; /* one malloc'd block (principal_flat) */
} slot;

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static slot g_slots[SLOTS];
static atomic_uint_fast64_t g_epoch = 1;
static int64_t g_ttl_ms = AUTHCACHE_TTL_MS;
static __thread int t_identity_dirty; /* set on the writer thread by note_event */

static struct {
    int valid;
    uint64_t epoch;
    int64_t stored_ms;
    sec_policy p;
} g_policy;

void authcache_set_ttl(int64_t ms)
{
    g_ttl_ms = ms;
}

uint64_t authcache_epoch(void)
{
    return atomic_load(&g_epoch);
}

void authcache_bump(void)
{
    atomic_fetch_add(&g_epoch, 1);
}

void authcache_note_event(const char *kind, const char *action)
{
    static const char *const kinds[] = {"user", "role", "unit", "api_token", "policy", NULL};
    int hit = action && strncmp(action, "auth.", 5) == 0;
    for (int i = 0; kind && !hit && kinds[i]; i++)
        hit = strcmp(kind, kinds[i]) == 0;
    if (!hit)
        return;
    t_identity_dirty = 1;
    authcache_bump();
}

void authcache_after_commit(void)
{
    /* Readers that ran between note_event and the commit saw the old rows
     * under the new epoch; bumping again after the commit drops them. */
    if (t_identity_dirty) {
        t_identity_dirty = 0;
        authcache_bump();
    }
}

static unsigned slot_of(const char *key)
{
    unsigned h = 0;
    for (int i = 0; i < 8 && key[i]; i++)
        h = h * 16 + (unsigned)(key[i] <= '9' ? key[i] - '0' : key[i] - 'a' + 10);
    return h % SLOTS;
}

/* Copies p into one block from alloc (malloc or the arena). */
static principal *flat_copy(const principal *p, void *(*alloc)(void *, size_t), void *ctx)
{
    const char *strs[8] = {p->username, p->name, p->unit_name, p->unit_path, p->csrf, p->session_hash};
    size_t size = sizeof(principal) + sizeof(principal_role) * (size_t)p->nroles +
                  sizeof(char *) * (size_t)(p->nperms + p->nperms_all);
    for (int i = 0; i < 6; i++)
        size += (strs[i] ? strlen(strs[i]) : 0) + 1;
    for (int i = 0; i < p->nroles; i++)
        size += strlen(p->roles[i].key) + strlen(p->roles[i].name) + strlen(p->roles[i].scope) + 3;
    for (int i = 0; i < p->nperms; i++)
        size += strlen(p->perms[i]) + 1;
    for (int i = 0; i < p->nperms_all; i++)
        size += strlen(p->perms_all[i]) + 1;
    char *block = alloc(ctx, size + 16);
    if (!block)
        return NULL;
    principal *q = (principal *)block;
    *q = *p;
    char *cur = block + sizeof(principal);
    q->roles = (principal_role *)cur;
    cur += sizeof(principal_role) * (size_t)p->nroles;
    q->perms = (const char **)cur;
    cur += sizeof(char *) * (size_t)p->nperms;
    q->perms_all = (const char **)cur;
    cur += sizeof(char *) * (size_t)p->nperms_all;
#define PUT(dst, src)                               \
    do {                                            \
        const char *s_ = (src) ? (src) : "";        \
        size_t n_ = strlen(s_) + 1;                 \
        memcpy(cur, s_, n_);                        \
        (dst) = cur;                                \
        cur += n_;                                  \
    } while (0)
    PUT(q->username, p->username);
    PUT(q->name, p->name);
    PUT(q->unit_name, p->unit_name);
    PUT(q->unit_path, p->unit_path);
    PUT(q->csrf, p->csrf);
    PUT(q->session_hash, p->session_hash);
    for (int i = 0; i < p->nroles; i++) {
        q->roles[i].id = p->roles[i].id;
        PUT(q->roles[i].key, p->roles[i].key);
        PUT(q->roles[i].name, p->roles[i].name);
        PUT(q->roles[i].scope, p->roles[i].scope);
    }
    for (int i = 0; i < p->nperms; i++)
        PUT(q->perms[i], p->perms[i]);
    for (int i = 0; i < p->nperms_all; i++)
        PUT(q->perms_all[i], p->perms_all[i]);
#undef PUT
    return q;
}

static void *heap_alloc(void *ctx, size_t n)
{
    return malloc(n);
}

static void *arena_alloc_cb(void *ctx, size_t n)
{
    return arena_alloc(ctx, n);
}

int authcache_get(const char *key, arena *a, int64_t now_ms, principal *p, int64_t *created, int64_t *seen)
{
    slot *s = &g_slots[slot_of(key)];
    int rc = FZ_NOTFOUND;
    pthread_mutex_lock(&g_mu);
    if (s->p && strcmp(s->key, key) == 0 && s->epoch == authcache_epoch() && now_ms - s->stored_ms < g_ttl_ms) {
        principal *q = flat_copy(s->p, arena_alloc_cb, a);
        if (q) {
            *p = *q;
            *created = s->created;
            *seen = s->seen;
            rc = FZ_OK;
        }
    }
    pthread_mutex_unlock(&g_mu);
    return rc;
}

void authcache_put(const char *key, uint64_t epoch, const principal *p, int64_t created, int64_t seen,
                   int64_t now_ms)
{
    principal *q = flat_copy(p, heap_alloc, NULL);
    if (!q)
        return;
    slot *s = &g_slots[slot_of(key)];
    pthread_mutex_lock(&g_mu);
    principal *old = s->p;
    memcpy(s->key, key, 64);
    s->key[64] = '\0';
    s->epoch = epoch;
    s->stored_ms = now_ms;
    s->created = created;
    s->seen = seen;
    s->p = q;
    pthread_mutex_unlock(&g_mu);
    free(old);
}

void authcache_seen(const char *key, int64_t seen)
{
    slot *s = &g_slots[slot_of(key)];
    pthread_mutex_lock(&g_mu);
    if (s->p && strcmp(s->key, key) == 0 && seen > s->seen)
        s->seen = seen;
    pthread_mutex_unlock(&g_mu);
}

int authcache_policy(sec_policy *out, int64_t now_ms)
{
    int rc = FZ_NOTFOUND;
    pthread_mutex_lock(&g_mu);
    if (g_policy.valid && g_policy.epoch == authcache_epoch() && now_ms - g_policy.stored_ms < g_ttl_ms) {
        *out = g_policy.p;
        rc = FZ_OK;
    }
    pthread_mutex_unlock(&g_mu);
    return rc;
}

void authcache_put_policy(uint64_t epoch, const sec_policy *p, int64_t now_ms)
{
    pthread_mutex_lock(&g_mu);
    g_policy.valid = 1;
    g_policy.epoch = epoch;
    g_policy.stored_ms = now_ms;
    g_policy.p = *p;
    pthread_mutex_unlock(&g_mu);
}

void authcache_clear(void)
{
    pthread_mutex_lock(&g_mu);
    for (int i = 0; i < SLOTS; i++) {
        free(g_slots[i].p);
        g_slots[i].p = NULL;
    }
    g_policy.valid = 0;
    pthread_mutex_unlock(&g_mu);
}
