/* parse.c: strict decimal integers (see parse.h). Written by hand instead of
 * over strtoll, which skips leading space, accepts '+' and "0x" only with
 * base 0, and reports overflow through errno. */
#include "core/parse.h"
#include "core/status.h"

#include <stddef.h>

int parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
    if (!s || min > max)
        return FZ_INVALID;
    int neg = *s == '-';
    if (neg)
        s++;
    if (*s == '\0')
        return FZ_INVALID;
    /* Accumulate as a negative number: its range is one larger than the
     * positive one, so INT64_MIN parses without overflow. */
    int64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return FZ_INVALID;
        int digit = *s - '0';
        if (v < (INT64_MIN + digit) / 10)
            return FZ_INVALID;
        v = v * 10 - digit;
    }
    if (!neg) {
        if (v == INT64_MIN)
            return FZ_INVALID;
        v = -v;
    }
    if (v < min || v > max)
        return FZ_INVALID;
    *out = v;
    return FZ_OK;
}

int parse_int(const char *s, int min, int max, int *out)
{
    int64_t v;
    if (parse_i64(s, min, max, &v) != FZ_OK)
        return FZ_INVALID;
    *out = (int)v;
    return FZ_OK;
}
