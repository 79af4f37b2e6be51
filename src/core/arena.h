/* arena.h: region allocator for request-scoped and job-scoped memory.
 *
 * Memory from arena_alloc() lives until arena_free() (or arena_reset()) on the
 * arena it came from; nothing allocated from an arena is freed individually.
 * Cleanups registered with arena_defer() run in reverse order at free/reset,
 * for things that are not memory (statements, file descriptors, json_t refs).
 * An arena is not thread-safe: one owner thread at a time. */
#ifndef FZ_ARENA_H
#define FZ_ARENA_H

#include <stddef.h>

typedef struct arena_block arena_block;
typedef struct arena_cleanup arena_cleanup;

typedef struct arena {
    arena_block *head;       /* current block; older blocks chained behind */
    arena_cleanup *cleanups; /* LIFO list */
    size_t block_size;       /* default size of new blocks */
    size_t total;            /* bytes obtained from malloc, for metrics/caps */
} arena;

/* Initialises an empty arena; the first block is allocated lazily. */
void arena_init(arena *a, size_t block_size);
/* Returns zeroed memory aligned for any type, or NULL when malloc fails. */
void *arena_alloc(arena *a, size_t n);
/* Copies n bytes plus a NUL terminator into the arena. */
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_strdup(arena *a, const char *s);
/* printf into the arena; returns NULL on allocation failure. */
char *arena_printf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Registers fn(ptr) to run when the arena is reset or freed.
 * Returns FZ_OK, or FZ_NOMEM (fn is then not registered: run it yourself). */
int arena_defer(arena *a, void (*fn)(void *), void *ptr);
/* Runs cleanups and releases all but the first block. */
void arena_reset(arena *a);
/* Runs cleanups and releases every block. The arena can be reused after init. */
void arena_free(arena *a);

#endif
