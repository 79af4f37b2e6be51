/* arena.c: bump allocator over a chain of malloc'd blocks (see arena.h). */
#include "core/arena.h"
#include "core/status.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct arena_block {
    arena_block *next;
    size_t size;
    size_t used;
    max_align_t data[]; /* aligned payload */
};

struct arena_cleanup {
    arena_cleanup *next;
    void (*fn)(void *);
    void *ptr;
};

#define ALIGN_UP(n) (((n) + (sizeof(max_align_t) - 1)) & ~(sizeof(max_align_t) - 1))

void arena_init(arena *a, size_t block_size)
{
    memset(a, 0, sizeof(*a));
    a->block_size = block_size ? block_size : 8192;
}

static arena_block *block_new(arena *a, size_t need)
{
    size_t size = need > a->block_size ? need : a->block_size;
    arena_block *b = malloc(sizeof(*b) + size);
    if (!b)
        return NULL;
    b->next = a->head;
    b->size = size;
    b->used = 0;
    a->head = b;
    a->total += sizeof(*b) + size;
    return b;
}

void *arena_alloc(arena *a, size_t n)
{
    if (n == 0)
        n = 1;
    if (n > SIZE_MAX / 2)
        return NULL;
    n = ALIGN_UP(n);
    arena_block *b = a->head;
    if (!b || b->size - b->used < n) {
        b = block_new(a, n);
        if (!b)
            return NULL;
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    memset(p, 0, n);
    return p;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

char *arena_printf(arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = arena_alloc(a, (size_t)n + 1);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

int arena_defer(arena *a, void (*fn)(void *), void *ptr)
{
    arena_cleanup *c = arena_alloc(a, sizeof(*c));
    if (!c)
        return FZ_NOMEM;
    c->fn = fn;
    c->ptr = ptr;
    c->next = a->cleanups;
    a->cleanups = c;
    return FZ_OK;
}

static void run_cleanups(arena *a)
{
    /* Cleanup nodes live in the arena itself, so read next before calling. */
    arena_cleanup *c = a->cleanups;
    a->cleanups = NULL;
    while (c) {
        arena_cleanup *next = c->next;
        c->fn(c->ptr);
        c = next;
    }
}

void arena_reset(arena *a)
{
    run_cleanups(a);
    arena_block *b = a->head;
    if (!b)
        return;
    /* Keep the oldest block (the tail) to avoid malloc churn on reuse. */
    while (b->next) {
        arena_block *next = b->next;
        a->total -= sizeof(*b) + b->size;
        free(b);
        b = next;
    }
    b->used = 0;
    a->head = b;
}

void arena_free(arena *a)
{
    run_cleanups(a);
    arena_block *b = a->head;
    while (b) {
        arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->total = 0;
}
