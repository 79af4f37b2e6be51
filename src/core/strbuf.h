/* strbuf.h: a growable byte buffer, always NUL-terminated.
 *
 * The buffer owns its memory (malloc); strbuf_free() releases it and
 * strbuf_detach() hands it to the caller. After an allocation failure the
 * buffer is marked failed, further appends are ignored, and strbuf_ok()
 * returns 0, so a sequence of appends needs one check at the end. */
#ifndef FZ_STRBUF_H
#define FZ_STRBUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct strbuf {
    char *data;
    size_t len;
    size_t cap;
    int failed;
} strbuf;

#define STRBUF_INIT {NULL, 0, 0, 0}

void strbuf_init(strbuf *b);
void strbuf_free(strbuf *b);
/* Returns the buffer (caller frees) and leaves b empty. Never NULL unless failed. */
char *strbuf_detach(strbuf *b, size_t *len);
void strbuf_reset(strbuf *b);
int strbuf_ok(const strbuf *b);
void strbuf_append_slow(strbuf *b, const void *p, size_t n);
void strbuf_puts(strbuf *b, const char *s);

/* Inline for a few bytes that fit (a JSON writer appends a few bytes at a
 * time; a long append pays one call anyway). */
static inline void strbuf_append(strbuf *b, const void *p, size_t n)
{
    if (n < 64 && !b->failed && n < b->cap - b->len) { /* cap > len whenever cap > 0 */
        if (n)
            memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
    } else {
        strbuf_append_slow(b, p, n);
    }
}

static inline void strbuf_putc(strbuf *b, char c)
{
    if (!b->failed && b->len + 1 < b->cap) {
        b->data[b->len++] = c;
        b->data[b->len] = '\0';
    } else {
        strbuf_append_slow(b, &c, 1);
    }
}
void strbuf_printf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends n bytes as lower-case hex. */
void strbuf_hex(strbuf *b, const unsigned char *p, size_t n);
/* Appends a 4-byte big-endian length followed by the bytes (canonical encodings).
 * n > UINT32_MAX marks the buffer failed. */
void strbuf_lv(strbuf *b, const void *p, size_t n);

#endif
