/* strbuf.c: growable buffer (see strbuf.h). */
#include "core/strbuf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void strbuf_init(strbuf *b)
{
    memset(b, 0, sizeof(*b));
}

void strbuf_free(strbuf *b)
{
    free(b->data);
    memset(b, 0, sizeof(*b));
}

char *strbuf_detach(strbuf *b, size_t *len)
{
    if (b->failed) {
        strbuf_free(b);
        return NULL;
    }
    if (!b->data) {
        b->data = malloc(1);
        if (!b->data)
            return NULL;
        b->data[0] = '\0';
    }
    char *p = b->data;
    if (len)
        *len = b->len;
    memset(b, 0, sizeof(*b));
    return p;
}

void strbuf_reset(strbuf *b)
{
    b->len = 0;
    b->failed = 0;
    if (b->data)
        b->data[0] = '\0';
}

int strbuf_ok(const strbuf *b)
{
    return !b->failed;
}

static int grow(strbuf *b, size_t extra)
{
    if (b->failed)
        return -1;
    if (extra > SIZE_MAX / 2 - b->len) {
        b->failed = 1;
        return -1;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        b->failed = 1;
        return -1;
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

void strbuf_append_slow(strbuf *b, const void *p, size_t n)
{
    if (grow(b, n))
        return;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void strbuf_puts(strbuf *b, const char *s)
{
    strbuf_append(b, s, strlen(s));
}

void strbuf_printf(strbuf *b, const char *fmt, ...)
{
    va_list ap;
    size_t room = b->failed || !b->cap ? 0 : b->cap - b->len;
    va_start(ap, fmt);
    int n = vsnprintf(room ? b->data + b->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < room) { /* it fitted: written once */
        b->len += (size_t)n;
        return;
    }
    if (room)
        b->data[b->len] = '\0'; /* a failure below leaves the text as it was */
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if (grow(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void strbuf_hex(strbuf *b, const unsigned char *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    if (n > SIZE_MAX / 4) { /* n * 2 would wrap and under-allocate */
        b->failed = 1;
        return;
    }
    if (grow(b, n * 2))
        return;
    for (size_t i = 0; i < n; i++) {
        b->data[b->len++] = digits[p[i] >> 4];
        b->data[b->len++] = digits[p[i] & 15];
    }
    b->data[b->len] = '\0';
}

void strbuf_lv(strbuf *b, const void *p, size_t n)
{
    /* A length that does not fit the 4-byte prefix would make the encoding
     * ambiguous, so it fails the buffer instead of truncating. */
    if (n > UINT32_MAX) {
        b->failed = 1;
        return;
    }
    unsigned char len[4] = {(unsigned char)(n >> 24), (unsigned char)(n >> 16),
                            (unsigned char)(n >> 8), (unsigned char)n};
    strbuf_append(b, len, 4);
    strbuf_append(b, p, n);
}
