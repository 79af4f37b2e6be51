/* fieldcrypt.h: personal data at rest (身份证号, 手机号) sealed with SM4-CTR +
 * HMAC-SM3 (core/sm.h) under keys from DIR/fazhi.key, and masking for
 * display. The key file holds 64 random bytes as 128 hex digits (created by
 * `fazhi init`, mode 0600): bytes 0..15 are the SM4 key, 16..47 the HMAC key,
 * 48..63 reserved. */
#ifndef FZ_FIELDCRYPT_H
#define FZ_FIELDCRYPT_H

#include <stddef.h>

#include "core/sm.h"

typedef struct field_keys {
    unsigned char enc[SM4_KEY_LEN];
    unsigned char mac[SM3_LEN];
} field_keys;

/* Reads DIR/fazhi.key. Refuses a file with any group/other permission bit
 * (mode & 077) or that is not a regular file, or not exactly 128 hex digits
 * (either case, + one optional '\n'), with a Chinese message in err (may be
 * NULL). Returns FZ_OK; FZ_NOTFOUND when the file does not exist; FZ_INVALID
 * for permissions, type or contents; FZ_ERR for other I/O errors. *k is zeroed
 * on failure. */
int fieldcrypt_load(const char *dir, field_keys *k, char *err, size_t errlen);
/* Seals text (len bytes; text may be NULL when len is 0) into a malloc'd blob
 * of len + SM_SEAL_OVERHEAD bytes, which the caller frees. FZ_OK, FZ_NOMEM,
 * FZ_INVALID (NULL arguments) or FZ_ERR; *blob is NULL on failure. */
int fieldcrypt_seal(const field_keys *k, const char *text, size_t len, unsigned char **blob,
                    size_t *bloblen);
/* Opens a blob into a malloc'd NUL-terminated string, which the caller frees.
 * FZ_INVALID when the MAC fails (tampered or wrong key) or the blob is shorter
 * than SM_SEAL_OVERHEAD; FZ_NOMEM / FZ_ERR otherwise; *text is NULL on failure. */
int fieldcrypt_open(const field_keys *k, const unsigned char *blob, size_t bloblen, char **text);

/* Masks for display (out must hold strlen(in)+1 bytes; output has the same
 * length). At least 4 characters are always hidden: the head and tail are kept
 * only when 4 or more remain between them, else only the last 4 when 4 or more
 * precede them, else every character becomes '*'. Input with any non-ASCII
 * byte is masked whole.
 * phone 13812345678 -> 138****5678 (first 3, last 4; 8..10 chars: last 4 only,
 *   12345678 -> ****5678; under 8: all '*');
 * ID 11010519491231002X -> 110105********002X (first 6, last 4; 8..13 chars:
 *   last 4 only; under 8: all '*'). "" -> "". */
void mask_phone(const char *in, char *out);
void mask_idcard(const char *in, char *out);
/* Name of a natural person for publications: keeps the first character (UTF-8
 * code point), replaces each of the others with one '*': 张三 -> 张*,
 * 张三丰 -> 张**, 欧阳娜娜 -> 欧***, 张 -> 张, "" -> "". Never splits a multi-byte
 * character; an ill-formed first character becomes '*', and each ill-formed
 * byte sequence later counts as one character. out must hold strlen(in)+1
 * bytes (the output is never longer than the input). */
void mask_name(const char *in, char *out);

#endif
