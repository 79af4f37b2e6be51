/* parse.h: strict number parsing for command-line options, configuration
 * values and query parameters, in place of atoi/strtol (atoi is banned:
 * it cannot report junk or overflow).
 *
 * Grammar: an optional '-', then one or more ASCII digits, then the end of
 * the string. No leading or trailing space, no '+', no base prefixes, no
 * digit separators. Leading zeros are allowed and mean decimal ("010" = 10).
 * On FZ_INVALID (junk, empty, overflow, outside [min, max]) *out is left
 * unchanged. Nothing is allocated. */
#ifndef FZ_PARSE_H
#define FZ_PARSE_H

#include <stdint.h>

int parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);
/* parse_i64 narrowed to int, for ports, counts and sizes that fit an int. */
int parse_int(const char *s, int min, int max, int *out);

#endif
