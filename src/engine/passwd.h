/* passwd.h: password hashing and the password policy.
 *
 * Default: argon2id through libsodium (m = 9 MiB, t = 4: an OWASP setting),
 * stored as its PHC string "$argon2id$v=19$m=...,t=...,p=...$salt$hash".
 * 密评 mode: PBKDF2-HMAC-SM3 through OpenSSL, stored as
 * "$pbkdf2-sm3$i=<iterations>$<salt, base64 no padding>$<hash, base64 no padding>"
 * (16-byte salt, 32-byte hash, >= 100000 iterations).
 * Verification accepts either form whatever the current mode; passwd_needs_rehash
 * says when a stored hash should be replaced after a successful login (other
 * algorithm, or parameters other than the current ones, see below).
 * All functions are thread-safe; none allocates. */
#ifndef FZ_PASSWD_H
#define FZ_PASSWD_H

#include <stddef.h>

typedef enum { PW_ARGON2ID = 0, PW_PBKDF2_SM3 = 1 } pw_algo;

#define PASSWD_HASH_MAX 160  /* buffer size for any stored hash string */
#define PASSWD_MAX_BYTES 128 /* longest password the policy accepts, in bytes */

/* Hashes password into out (NUL-terminated). Returns FZ_OK or FZ_ERR (also
 * for an unknown algo; out is then ""). Takes ~0.1 s and, for argon2id, 64 MiB. */
int passwd_hash(pw_algo algo, const char *password, char out[PASSWD_HASH_MAX]);
/* FZ_OK when password matches stored; FZ_INVALID when not (or stored is
 * malformed, or NULL). FZ_ERR only when OpenSSL fails on a well-formed
 * pbkdf2-sm3 string (libsodium reports argon2 failures as a mismatch).
 * Comparison is constant-time. */
int passwd_verify(const char *stored, const char *password);
/* 1 when stored should be rehashed under algo: another algorithm, or
 * malformed; for argon2id, t or m differing from the current limits (libsodium's
 * rule, so a stronger hash is also replaced); for pbkdf2-sm3, fewer than
 * 100000 iterations or a salt shorter than 16 bytes. Else 0. */
int passwd_needs_rehash(pw_algo algo, const char *stored);
/* Parses "argon2id" / "pbkdf2-sm3"; -1 when unknown (or NULL). */
int passwd_algo_parse(const char *s);
/* "argon2id" / "pbkdf2-sm3"; "unknown" for any other value. Static string. */
const char *passwd_algo_name(pw_algo algo);

typedef struct pw_policy {
    int min_length;   /* in characters (UTF-8 code points); below 1 counts as 1 */
    int classes;      /* of: upper, lower, digit, symbol; 1..4 required (clamped) */
} pw_policy;

/* Checks a new password against the policy and the username. Returns FZ_OK,
 * or FZ_INVALID with *reason set to a Chinese sentence naming the first rule
 * broken, checked in this order:
 *   more than PASSWD_MAX_BYTES bytes  "不超过 128 个字节（一个汉字计 3 个字节）"
 *   not valid UTF-8                   "含有无效的字符编码"
 *   a control character (C0, DEL, C1) "不能包含控制字符"
 *   fewer than min_length characters  "至少 10 个字符"
 *   fewer than `classes` classes      "须包含大写字母、小写字母、数字、符号中的至少 3 类"
 *   equal to the username, or (for a username of 3+ characters) containing
 *   it, ASCII case ignored            "不能与用户名相同或包含用户名"
 * "Symbol" is every character that is not an ASCII letter or digit (space and
 * non-ASCII included). *reason is a static string, except the "至少 N 个字符"
 * one, which lives in a thread-local buffer valid until this thread's next
 * call; copy it if it must outlive that. reason may be NULL; username may be
 * NULL or "" (no username rule). */
int passwd_check_policy(const pw_policy *p, const char *username, const char *password,
                        const char **reason);

/* Writes a random password of len characters (plus NUL) that satisfies any
 * policy with min_length <= len and classes <= 4: at least one each of
 * upper, lower, digit and symbol, drawn without modulo bias from an alphabet
 * with no 0/O/1/l/I and the symbols !#$%&*+-=?@_ . It does not know the
 * username: check the result with passwd_check_policy and draw again in the
 * rare case it contains it. 12 <= len <= PASSWD_MAX_BYTES and len < outlen,
 * else FZ_INVALID; FZ_ERR when the random source fails. */
int passwd_generate(char *out, size_t outlen, size_t len);

#endif
