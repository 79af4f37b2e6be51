/* keyidx.h: an index of the string keys of an array of structs, for
 * finding an element by key in constant time (open addressing, FNV-1a).
 * The array stays the caller's: element i's key is the NUL-terminated
 * string at (const char *)base + i * stride + off. Elements are added at
 * the end (kx_add after appending); base may move between calls (realloc),
 * since only indices are kept. */
#ifndef FZ_KEYIDX_H
#define FZ_KEYIDX_H

#include <stddef.h>
#include <stdint.h>

typedef struct keyidx {
    uint32_t *slot; /* element index + 1; 0: empty */
    size_t nslot;   /* a power of two, at least twice the elements */
    size_t stride, off;
} keyidx;

#define KEYIDX_INIT(type, member) {NULL, 0, sizeof(type), offsetof(type, member)}

/* The index of the element whose key is key, or -1. */
long kx_find(const keyidx *x, const void *base, const char *key);

/* Indexes element n - 1, the newest of the n in base (the table grows to
 * stay at most half full). FZ_OK or FZ_NOMEM. */
int kx_add(keyidx *x, const void *base, size_t n);

/* Indexes all n elements afresh (after the array was reordered). */
int kx_rebuild(keyidx *x, const void *base, size_t n);

void kx_free(keyidx *x);

#endif
