/* scan.h: what the batched reads over a whole procedure share
 * (engine-internal: engine/ind_recompute.c, the indicator recompute, and
 * engine/reccol.c, the 全过程记录 column): keyset chunks, the growth of
 * (case id, value) arrays and their sort by key.
 *
 * Every read is in chunks of at most SCAN_CHUNK rows (the next chunk starts
 * after the last key), since a PostgreSQL writer connection holds a
 * statement's whole result. What is kept per case is a uint64_t key that
 * starts with the case id (id << 16 | something): ids are below
 * SCAN_ID_MAX. */
#ifndef FZ_SCAN_H
#define FZ_SCAN_H

#include <stddef.h>
#include <stdint.h>

typedef struct store_conn store_conn;

#define SCAN_CHUNK 8192
#define SCAN_ID_MAX (INT64_C(1) << 47)

/* A subject id as a case id: only the canonical decimal text of a positive
 * id (what the one-case reads bind) is one; else 0. */
int64_t scan_case_id(const char *s);

/* Makes room for element n of *v (size bytes each, *cap of them now). */
int scan_grow(void **v, size_t *cap, size_t n, size_t size);

/* Stable LSD radix sort of n elements of size bytes by the uint64_t each
 * starts with. */
int scan_radix_sort(void *base, size_t n, size_t size);

/* (case id << 16 | value) keys. */
typedef struct scan_keys {
    uint64_t *v;
    size_t n, cap;
} scan_keys;

/* The first entry of sorted keys (stride size) whose case id is above lo. */
size_t scan_first_after(const void *base, size_t n, size_t size, int64_t lo);

/* Every event of subject kind skind ("case:<kind>") with action, in (at,
 * seq) order along the events (action, at) index: cb(ctx, case id, seq, at,
 * payload or NULL), which returns FZ_OK to go on; events of other subjects
 * (not a case id) are skipped. with_payload reads the payload. */
typedef int (*scan_event_cb)(void *ctx, int64_t id, int64_t seq, int64_t at, const char *payload);
int scan_each_event(store_conn *w, const char *skind, const char *action, int with_payload, scan_event_cb cb,
                    void *ctx);

#endif
