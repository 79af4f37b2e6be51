/* jsonw.c: JSON text into a strbuf (jsonw.h). */
#include "core/jsonw.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 1 for the bytes a JSON string cannot hold as they are (NUL ends it). */
static const unsigned char escaped[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    ['"'] = 1, ['\\'] = 1,
};

#define ONES 0x0101010101010101u
#define HIGHS 0x8080808080808080u
/* Whether any of the eight bytes of w is below 0x20, '"' or '\\' (bytes of
 * 0x80 and up, UTF-8 beyond ASCII, never are). */
static int word_needs_escape(uint64_t w)
{
    uint64_t q = w ^ (ONES * '"'), k = w ^ (ONES * '\\');
    return (((w - ONES * 0x20) & ~w) | ((q - ONES) & ~q) | ((k - ONES) & ~k)) & HIGHS ? 1 : 0;
}

void jw_str(strbuf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : ""), *run = p;
    const unsigned char *end = p + strlen((const char *)p);
    strbuf_putc(b, '"');
    for (;; p++) {
        /* Eight bytes a step while none needs an escape (text is mostly
         * plain: a list page writes about 400 strings). */
        while (end - p >= 8) {
            uint64_t w;
            memcpy(&w, p, 8);
            if (word_needs_escape(w))
                break;
            p += 8;
        }
        unsigned char c = *p;
        if (!escaped[c])
            continue;
        strbuf_append(b, run, (size_t)(p - run)); /* the bytes that need no escape, at once */
        if (!c)
            break;
        run = p + 1;
        if (c == '"' || c == '\\') {
            strbuf_putc(b, '\\');
            strbuf_putc(b, (char)c);
        } else if (c == '\n') {
            strbuf_puts(b, "\\n");
        } else if (c == '\t') {
            strbuf_puts(b, "\\t");
        } else if (c == '\r') {
            strbuf_puts(b, "\\r");
        } else if (c == '\b') {
            strbuf_puts(b, "\\b");
        } else if (c == '\f') {
            strbuf_puts(b, "\\f");
        } else {
            strbuf_printf(b, "\\u%04X", c);
        }
    }
    strbuf_putc(b, '"');
}

void jw_key(strbuf *b, const char *key)
{
    jw_str(b, key);
    strbuf_putc(b, ':');
}

void jw_int(strbuf *b, int64_t v)
{
    char t[24];
    int i = (int)sizeof(t);
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do
        t[--i] = (char)('0' + u % 10);
    while ((u /= 10) && i > 1);
    if (v < 0)
        t[--i] = '-';
    strbuf_append(b, t + i, sizeof(t) - (size_t)i);
}

void jw_real(strbuf *b, double v)
{
    char t[40];
    for (int prec = 15; prec <= 17; prec++) { /* 15 digits always read back as written */
        snprintf(t, sizeof(t), "%.*g", prec, v);
        if (strtod(t, NULL) == v)
            break;
    }
    strbuf_puts(b, t);
    if (!strpbrk(t, ".eEn"))
        strbuf_puts(b, ".0");
}

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

/* Past a string starting at p ('"'); *esc is set when it holds a backslash.
 * NULL when it does not end. */
static const char *skip_string(const char *p, int *esc)
{
    for (p++; *p && *p != '"'; p++) {
        if (*p == '\\') {
            *esc = 1;
            if (!*++p)
                return NULL;
        }
    }
    return *p ? p + 1 : NULL;
}

/* Past one value (string, object, array, or a scalar word). */
static const char *skip_value(const char *p)
{
    int esc = 0, depth = 0;
    if (*p == '"')
        return skip_string(p, &esc);
    if (*p != '{' && *p != '[') {
        const char *s = p;
        while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '+' || *p == '.' ||
               *p == 'E')
            p++;
        return p > s ? p : NULL;
    }
    char open[32]; /* the closer each open bracket wants */
    do {
        if (*p == '"') {
            if (!(p = skip_string(p, &esc)))
                return NULL;
            continue;
        }
        if (*p == '{' || *p == '[') {
            if (depth == (int)sizeof(open))
                return NULL;
            open[depth++] = *p == '{' ? '}' : ']';
        } else if (*p == '}' || *p == ']') {
            if (open[--depth] != *p)
                return NULL;
        } else if (!*p) {
            return NULL;
        }
        p++;
    } while (depth > 0);
    return p;
}

int jr_member_str(const char *text, const char *key, const char **val, size_t *len)
{
    size_t klen = strlen(key);
    int found = 0;
    const char *p = skip_ws(text);
    if (*p++ != '{')
        return -1;
    p = skip_ws(p);
    if (*p == '}')
        return *skip_ws(p + 1) ? -1 : 0;
    for (;;) {
        int esc = 0;
        if (*p != '"')
            return -1;
        const char *k = p + 1, *ke = skip_string(p, &esc);
        if (!ke || esc)
            return -1;
        int match = (size_t)(ke - 1 - k) == klen && memcmp(k, key, klen) == 0;
        p = skip_ws(ke);
        if (*p++ != ':')
            return -1;
        p = skip_ws(p);
        const char *v = p;
        if (!(p = skip_value(p)))
            return -1;
        if (match) {
            if (*v != '"') {
                found = 0; /* the last one wins: not a string */
            } else {
                int vesc = 0;
                skip_string(v, &vesc);
                if (vesc)
                    return -1;
                *val = v + 1;
                *len = (size_t)(p - 1 - (v + 1));
                found = 1;
            }
        }
        p = skip_ws(p);
        if (*p == '}')
            return *skip_ws(p + 1) ? -1 : found;
        if (*p++ != ',')
            return -1;
        p = skip_ws(p);
    }
}
