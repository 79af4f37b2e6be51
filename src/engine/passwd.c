/* passwd.c: password hashing (argon2id through libsodium, PBKDF2-HMAC-SM3 for
 * 密评 mode), the password policy and generated initial passwords (see
 * passwd.h). Nothing here keeps state but libsodium's one-time init. */
#include "engine/passwd.h"
#include "core/sm.h"
#include "core/status.h"
#include "core/validate.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* One of OWASP's equivalent argon2id settings (m = 9 MiB, t = 4, p = 1; the
 * list trades memory for passes at equal strength) rather than libsodium's
 * INTERACTIVE (64 MiB): every concurrent login holds this memory, and the
 * server's whole budget on a county's old box is < 30 MB (bench/README.md). */
#define ARGON2_OPS 4ULL
#define ARGON2_MEM (9216ULL * 1024)

#define PBKDF2_PREFIX "$pbkdf2-sm3$i="
#define PBKDF2_ITER 100000UL
/* A stored count above this is refused rather than run: a corrupt row must
 * not pin a worker for minutes (10M iterations is already ~10 s). */
#define PBKDF2_ITER_MAX 10000000UL
#define PBKDF2_SALT_LEN 16
#define PBKDF2_SALT_MIN 8
#define PBKDF2_SALT_MAX 64
#define PBKDF2_HASH_LEN 32

_Static_assert(crypto_pwhash_STRBYTES <= PASSWD_HASH_MAX, "argon2 string must fit");

/* ---- libsodium init -------------------------------------------------------- */

static pthread_once_t g_sodium_once = PTHREAD_ONCE_INIT;
static int g_sodium_ok;

static void sodium_init_once(void)
{
    g_sodium_ok = sodium_init() >= 0;
}

static int sodium_ready(void)
{
    pthread_once(&g_sodium_once, sodium_init_once);
    return g_sodium_ok;
}

/* ---- base64 (PHC "B64": standard alphabet, no padding) ---------------------- */

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* out must hold 4*ceil(n/3)+1 bytes; returns the length written. */
static size_t b64_encode(const unsigned char *in, size_t n, char *out)
{
    size_t o = 0, i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = B64[v >> 18];
        out[o++] = B64[(v >> 12) & 63];
        out[o++] = B64[(v >> 6) & 63];
        out[o++] = B64[v & 63];
    }
    if (n - i == 1) {
        out[o++] = B64[in[i] >> 2];
        out[o++] = B64[(in[i] & 3) << 4];
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 8 | in[i + 1];
        out[o++] = B64[v >> 10];
        out[o++] = B64[(v >> 4) & 63];
        out[o++] = B64[(v & 15) << 2];
    }
    out[o] = '\0';
    return o;
}

static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Decodes exactly n characters. Non-canonical input (a dangling single
 * character, non-zero unused bits) is refused, as the PHC format asks, so a
 * stored string has one spelling only. Returns the byte count or -1. */
static long b64_decode(const char *in, size_t n, unsigned char *out, size_t outmax)
{
    if (n % 4 == 1 || n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0) > outmax)
        return -1;
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64_value(in[i]);
        if (v < 0)
            return -1;
        acc = (acc << 6 | (uint32_t)v) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    if (acc & ((1u << bits) - 1))
        return -1;
    return (long)o;
}

/* ---- PBKDF2-HMAC-SM3 --------------------------------------------------------- */

typedef struct pbkdf2_params {
    unsigned long iter;
    unsigned char salt[PBKDF2_SALT_MAX];
    size_t saltlen;
    unsigned char hash[PBKDF2_HASH_LEN];
} pbkdf2_params;

static int pbkdf2_derive(const char *password, const unsigned char *salt, size_t saltlen,
                         unsigned long iter, unsigned char out[PBKDF2_HASH_LEN])
{
    size_t pwlen = strlen(password);
    if (pwlen > INT_MAX || iter > INT_MAX)
        return FZ_ERR;
    if (PKCS5_PBKDF2_HMAC(password, (int)pwlen, salt, (int)saltlen, (int)iter, EVP_sm3(),
                          PBKDF2_HASH_LEN, out) != 1)
        return FZ_ERR;
    return FZ_OK;
}

/* Parses "$pbkdf2-sm3$i=N$salt$hash" strictly: no leading zeros, no sign, no
 * trailing bytes. FZ_INVALID for anything else. */
static int pbkdf2_parse(const char *s, pbkdf2_params *p)
{
    size_t plen = sizeof(PBKDF2_PREFIX) - 1;
    if (strncmp(s, PBKDF2_PREFIX, plen) != 0)
        return FZ_INVALID;
    s += plen;
    if (*s < '1' || *s > '9')
        return FZ_INVALID;
    unsigned long iter = 0;
    int digits = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (++digits > 8)
            return FZ_INVALID;
        iter = iter * 10 + (unsigned long)(*s - '0');
    }
    if (*s != '$' || iter > PBKDF2_ITER_MAX)
        return FZ_INVALID;
    const char *salt = s + 1;
    const char *dollar = strchr(salt, '$');
    if (!dollar)
        return FZ_INVALID;
    long n = b64_decode(salt, (size_t)(dollar - salt), p->salt, sizeof(p->salt));
    if (n < PBKDF2_SALT_MIN)
        return FZ_INVALID;
    p->saltlen = (size_t)n;
    const char *hash = dollar + 1;
    if (b64_decode(hash, strlen(hash), p->hash, sizeof(p->hash)) != PBKDF2_HASH_LEN)
        return FZ_INVALID;
    p->iter = iter;
    return FZ_OK;
}

static int pbkdf2_hash(const char *password, char out[PASSWD_HASH_MAX])
{
    unsigned char salt[PBKDF2_SALT_LEN], dk[PBKDF2_HASH_LEN];
    char salt64[32], dk64[48];
    if (sm_random(salt, sizeof(salt)) != FZ_OK)
        return FZ_ERR;
    int rc = pbkdf2_derive(password, salt, sizeof(salt), PBKDF2_ITER, dk);
    if (rc == FZ_OK) {
        b64_encode(salt, sizeof(salt), salt64);
        b64_encode(dk, sizeof(dk), dk64);
        int n = snprintf(out, PASSWD_HASH_MAX, "%s%lu$%s$%s", PBKDF2_PREFIX, PBKDF2_ITER, salt64,
                         dk64);
        rc = n > 0 && n < PASSWD_HASH_MAX ? FZ_OK : FZ_ERR;
    }
    OPENSSL_cleanse(dk, sizeof(dk));
    OPENSSL_cleanse(dk64, sizeof(dk64));
    return rc;
}

static int pbkdf2_verify(const char *stored, const char *password)
{
    pbkdf2_params p;
    unsigned char dk[PBKDF2_HASH_LEN];
    if (pbkdf2_parse(stored, &p) != FZ_OK)
        return FZ_INVALID;
    int rc = pbkdf2_derive(password, p.salt, p.saltlen, p.iter, dk);
    if (rc == FZ_OK)
        rc = CRYPTO_memcmp(dk, p.hash, PBKDF2_HASH_LEN) == 0 ? FZ_OK : FZ_INVALID;
    OPENSSL_cleanse(dk, sizeof(dk));
    return rc;
}

/* ---- public hashing API ------------------------------------------------------ */

int passwd_hash(pw_algo algo, const char *password, char out[PASSWD_HASH_MAX])
{
    if (!password || !out)
        return FZ_ERR;
    out[0] = '\0';
    if (algo == PW_PBKDF2_SM3)
        return pbkdf2_hash(password, out);
    if (algo != PW_ARGON2ID || !sodium_ready())
        return FZ_ERR;
    if (crypto_pwhash_str_alg(out, password, strlen(password), ARGON2_OPS, ARGON2_MEM,
                              crypto_pwhash_ALG_ARGON2ID13) != 0) {
        out[0] = '\0';
        return FZ_ERR;
    }
    return FZ_OK;
}

int passwd_verify(const char *stored, const char *password)
{
    if (!stored || !password)
        return FZ_INVALID;
    if (strncmp(stored, "$pbkdf2-sm3$", 12) == 0)
        return pbkdf2_verify(stored, password);
    /* libsodium accepts $argon2id$ and $argon2i$ and refuses everything else;
     * its -1 cannot tell a mismatch from a malformed string or an allocation
     * failure, so all of them are FZ_INVALID. */
    if (strncmp(stored, "$argon2", 7) != 0 || !sodium_ready())
        return FZ_INVALID;
    return crypto_pwhash_str_verify(stored, password, strlen(password)) == 0 ? FZ_OK
                                                                             : FZ_INVALID;
}

int passwd_needs_rehash(pw_algo algo, const char *stored)
{
    if (!stored)
        return 1;
    if (algo == PW_PBKDF2_SM3) {
        pbkdf2_params p;
        if (pbkdf2_parse(stored, &p) != FZ_OK)
            return 1;
        return p.iter < PBKDF2_ITER || p.saltlen < PBKDF2_SALT_LEN;
    }
    if (strncmp(stored, crypto_pwhash_argon2id_STRPREFIX,
                sizeof(crypto_pwhash_argon2id_STRPREFIX) - 1) != 0 || !sodium_ready())
        return 1;
    /* 1 when t or m differ from the current limits, -1 when malformed. */
    return crypto_pwhash_str_needs_rehash(stored, ARGON2_OPS, ARGON2_MEM) != 0;
}

int passwd_algo_parse(const char *s)
{
    if (!s)
        return -1;
    if (strcmp(s, "argon2id") == 0)
        return PW_ARGON2ID;
    if (strcmp(s, "pbkdf2-sm3") == 0)
        return PW_PBKDF2_SM3;
    return -1;
}

const char *passwd_algo_name(pw_algo algo)
{
    switch (algo) {
    case PW_ARGON2ID:
        return "argon2id";
    case PW_PBKDF2_SM3:
        return "pbkdf2-sm3";
    }
    return "unknown";
}

/* ---- policy ------------------------------------------------------------------ */

/* Decodes the code point at s (already validated as UTF-8); returns its length. */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if (s[0] < 0xe0) {
        *cp = (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
        return 2;
    }
    if (s[0] < 0xf0) {
        *cp = (uint32_t)(s[0] & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
        return 3;
    }
    *cp = (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3f) << 12 |
          (uint32_t)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
    return 4;
}

static int ascii_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Case-insensitive (ASCII) substring search; non-ASCII bytes compare exactly. */
static int contains_folded(const char *hay, size_t hn, const char *needle, size_t nn)
{
    for (size_t i = 0; i + nn <= hn; i++) {
        size_t j = 0;
        while (j < nn && ascii_lower((unsigned char)hay[i + j]) ==
                             ascii_lower((unsigned char)needle[j]))
            j++;
        if (j == nn)
            return 1;
    }
    return 0;
}

/* 0 upper, 1 lower, 2 digit, 3 symbol: anything else, non-ASCII included. */
static int char_class(uint32_t cp)
{
    if (cp >= 'A' && cp <= 'Z')
        return 0;
    if (cp >= 'a' && cp <= 'z')
        return 1;
    if (cp >= '0' && cp <= '9')
        return 2;
    return 3;
}

static const char *const CLASS_REASON[] = {
    "",
    "须包含大写字母、小写字母、数字、符号中的至少 1 类",
    "须包含大写字母、小写字母、数字、符号中的至少 2 类",
    "须包含大写字母、小写字母、数字、符号中的至少 3 类",
    "须包含大写字母、小写字母、数字、符号中的至少 4 类",
};

/* The one reason that carries a policy number lives here, per thread. */
static _Thread_local char t_min_reason[64];

int passwd_check_policy(const pw_policy *p, const char *username, const char *password,
                        const char **reason)
{
    const char *unused;
    if (!reason)
        reason = &unused;
    *reason = NULL;
    if (!p || !password)
        return FZ_INVALID;
    int min_len = p->min_length < 1 ? 1 : p->min_length;
    int classes = p->classes < 1 ? 1 : p->classes > 4 ? 4 : p->classes;

    size_t len = strlen(password), chars = 0;
    if (len > PASSWD_MAX_BYTES) {
        *reason = "不超过 128 个字节（一个汉字计 3 个字节）";
        return FZ_INVALID;
    }
    if (utf8_count(password, len, &chars) != FZ_OK) {
        *reason = "含有无效的字符编码";
        return FZ_INVALID;
    }
    int seen[4] = {0, 0, 0, 0}; /* upper, lower, digit, symbol */
    const unsigned char *s = (const unsigned char *)password;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        i += utf8_decode(s + i, &cp);
        if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
            *reason = "不能包含控制字符";
            return FZ_INVALID;
        }
        seen[char_class(cp)] = 1;
    }
    if (chars < (size_t)min_len) {
        snprintf(t_min_reason, sizeof(t_min_reason), "至少 %d 个字符", min_len);
        *reason = t_min_reason;
        return FZ_INVALID;
    }
    if (seen[0] + seen[1] + seen[2] + seen[3] < classes) {
        *reason = CLASS_REASON[classes];
        return FZ_INVALID;
    }
    if (username && *username) {
        size_t un = strlen(username), uchars = 0;
        int same = un == len && contains_folded(password, len, username, un);
        /* A name of one or two characters would forbid too many passwords
         * ("ab" inside a random string), so only equality counts then. */
        int inside = utf8_count(username, un, &uchars) == FZ_OK && uchars >= 3 &&
                     contains_folded(password, len, username, un);
        if (same || inside) {
            *reason = "不能与用户名相同或包含用户名";
            return FZ_INVALID;
        }
    }
    return FZ_OK;
}

/* ---- generation -------------------------------------------------------------- */

/* No 0/O, 1/l/I; symbols that need no quoting in a shell, URL form or CSV. */
static const char GEN_UPPER[] = "ABCDEFGHJKLMNPQRSTUVWXYZ";
static const char GEN_LOWER[] = "abcdefghijkmnopqrstuvwxyz";
static const char GEN_DIGIT[] = "23456789";
static const char GEN_SYMBOL[] = "!#$%&*+-=?@_";

typedef struct rand_pool {
    unsigned char buf[64];
    size_t pos;
} rand_pool;

/* A uniform value in [0, n), n <= 256: bytes at or above the largest multiple
 * of n are drawn again, so no value is more likely than another. */
static int rand_below(rand_pool *r, unsigned n, unsigned *out)
{
    unsigned limit = 256 - 256 % n;
    for (;;) {
        if (r->pos == sizeof(r->buf)) {
            if (sm_random(r->buf, sizeof(r->buf)) != FZ_OK)
                return FZ_ERR;
            r->pos = 0;
        }
        unsigned b = r->buf[r->pos++];
        if (b < limit) {
            *out = b % n;
            return FZ_OK;
        }
    }
}

static int rand_pick(rand_pool *r, const char *set, char *out)
{
    unsigned i;
    if (rand_below(r, (unsigned)strlen(set), &i) != FZ_OK)
        return FZ_ERR;
    *out = set[i];
    return FZ_OK;
}

int passwd_generate(char *out, size_t outlen, size_t len)
{
    if (!out || len < 12 || len >= outlen || len > PASSWD_MAX_BYTES)
        return FZ_INVALID;
    static const char *const sets[4] = {GEN_UPPER, GEN_LOWER, GEN_DIGIT, GEN_SYMBOL};
    char all[sizeof(GEN_UPPER) + sizeof(GEN_LOWER) + sizeof(GEN_DIGIT) + sizeof(GEN_SYMBOL)];
    snprintf(all, sizeof(all), "%s%s%s%s", GEN_UPPER, GEN_LOWER, GEN_DIGIT, GEN_SYMBOL);

    rand_pool r = {.pos = sizeof(r.buf)};
    int rc = FZ_OK;
    /* One of each class first, the rest from the whole alphabet, then a
     * Fisher-Yates shuffle so the guaranteed ones sit anywhere. */
    for (size_t i = 0; i < len && rc == FZ_OK; i++)
        rc = rand_pick(&r, i < 4 ? sets[i] : all, &out[i]);
    for (size_t i = len - 1; i > 0 && rc == FZ_OK; i--) {
        unsigned j;
        rc = rand_below(&r, (unsigned)i + 1, &j);
        if (rc == FZ_OK) {
            char t = out[i];
            out[i] = out[j];
            out[j] = t;
        }
    }
    OPENSSL_cleanse(&r, sizeof(r));
    if (rc != FZ_OK) {
        OPENSSL_cleanse(out, len);
        out[0] = '\0';
        return FZ_ERR;
    }
    out[len] = '\0';
    return FZ_OK;
}
