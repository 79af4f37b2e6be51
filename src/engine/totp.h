/* totp.h: RFC 6238 TOTP (HMAC-SHA1, 30-second steps, 6 digits) and RFC 4648
 * base32, for the second login factor, plus one-time recovery codes.
 * Stateless and thread-safe; nothing allocates. */
#ifndef FZ_TOTP_H
#define FZ_TOTP_H

#include <stddef.h>
#include <stdint.h>

#define TOTP_SECRET_LEN 20   /* bytes (160 bits, RFC 4226 recommendation) */
#define TOTP_STEP 30

/* Base32 without padding, upper case. out must hold 8*ceil(n/5)+1 bytes.
 * Returns the length written. */
size_t base32_encode(const unsigned char *in, size_t n, char *out);
/* Accepts upper/lower case, ignores spaces and trailing '=' padding. Returns
 * the number of bytes decoded, or -1 on an invalid character, data after '=',
 * a length no encoder produces (final group of 1, 3 or 6 characters), non-zero
 * unused bits, or too small out. */
int base32_decode(const char *in, unsigned char *out, size_t outlen);

/* The 6-digit code for a time step (unix_seconds / 30), as a number 0..999999
 * (the HOTP value of RFC 4226 with counter = step); -1 for len 0, step < 0 or
 * an OpenSSL failure. Format with "%06d". */
int totp_code(const unsigned char *secret, size_t len, int64_t step);
/* Checks a code string of exactly 6 ASCII digits (no spaces) against steps
 * now-1, now, now+1 (clock drift), refusing any step <= last_step (replay; pass
 * -1 when none was used yet). On success returns FZ_OK and the earliest matched
 * step in *matched (may be NULL); FZ_INVALID for no match or bad arguments;
 * FZ_ERR if OpenSSL fails. now_s is unix seconds (>= 30). */
int totp_verify(const unsigned char *secret, size_t len, const char *code, int64_t now_s,
                int64_t last_step, int64_t *matched);
/* otpauth://totp/<issuer>:<account>?secret=<B32>&issuer=<issuer>&algorithm=SHA1&digits=6&period=30
 * with issuer and account percent-encoded (bytes outside A-Z a-z 0-9 -._~
 * become %XX, so UTF-8 and any ':' inside them are escaped; the ':' between
 * them is literal). Returns FZ_OK, FZ_NOMEM when outlen is too small (out is
 * then ""), or FZ_INVALID for NULL arguments or an empty secret. */
int totp_uri(const char *issuer, const char *account, const unsigned char *secret, size_t len,
             char *out, size_t outlen);

/* Recovery codes: "xxxxx-xxxxx" from the 31 characters 2-9 and a-z without
 * i, l, o (12 bytes incl. NUL). FZ_OK, or FZ_ERR when the random source fails. */
int recovery_code_generate(char out[12]);
/* Canonical form for hashing: ASCII lower-case, '-' and spaces removed. An
 * input with more than 15 characters left gives "" (which matches no code). */
void recovery_code_normalize(const char *in, char out[16]);

#endif
