/* totp.c: the second login factor: RFC 4648 base32 for the shared secret,
 * RFC 4226 HOTP / RFC 6238 TOTP codes (HMAC-SHA1, 6 digits, 30 s steps), the
 * otpauth:// URI authenticator apps scan, and one-time recovery codes
 * (see totp.h). Stateless: the caller stores the secret and the last step. */
#include "engine/totp.h"
#include "core/sm.h"
#include "core/status.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <limits.h>
#include <string.h>

#define TOTP_DIGITS 6
#define TOTP_MOD 1000000

/* ---- base32 ------------------------------------------------------------------ */

static const char B32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

size_t base32_encode(const unsigned char *in, size_t n, char *out)
{
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        acc = (acc << 8 | in[i]) & 0xfff;
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out[o++] = B32[(acc >> bits) & 31];
        }
    }
    if (bits > 0)
        out[o++] = B32[(acc << (5 - bits)) & 31];
    out[o] = '\0';
    return o;
}

static int b32_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a';
    if (c >= '2' && c <= '7')
        return c - '2' + 26;
    return -1;
}

int base32_decode(const char *in, unsigned char *out, size_t outlen)
{
    uint32_t acc = 0;
    int bits = 0, chars = 0, padding = 0;
    size_t o = 0;
    for (const char *p = in; *p; p++) {
        if (*p == ' ')
            continue;
        if (*p == '=') {
            padding = 1;
            continue;
        }
        int v = b32_value(*p);
        /* Data after '=' would mean two values glued together. */
        if (v < 0 || padding)
            return -1;
        chars++;
        acc = (acc << 5 | (uint32_t)v) & 0xfff;
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            if (o == outlen || o == INT_MAX)
                return -1;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    /* A final group of 1, 3 or 6 characters, or unused bits that are not
     * zero, is never produced by an encoder: refuse it rather than guess. */
    int tail = chars % 8;
    if (tail == 1 || tail == 3 || tail == 6 || (acc & ((1u << bits) - 1)))
        return -1;
    return (int)o;
}

/* ---- HOTP / TOTP ------------------------------------------------------------- */

int totp_code(const unsigned char *secret, size_t len, int64_t step)
{
    if (!secret || len == 0 || len > INT_MAX || step < 0)
        return -1;
    unsigned char msg[8], md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    uint64_t c = (uint64_t)step;
    for (int i = 7; i >= 0; i--, c >>= 8)
        msg[i] = (unsigned char)c;
    if (!HMAC(EVP_sha1(), secret, (int)len, msg, sizeof(msg), md, &mdlen) || mdlen != 20)
        return -1;
    /* RFC 4226 §5.3 dynamic truncation. */
    int off = md[19] & 0x0f;
    uint32_t bin = (uint32_t)(md[off] & 0x7f) << 24 | (uint32_t)md[off + 1] << 16 |
                   (uint32_t)md[off + 2] << 8 | md[off + 3];
    OPENSSL_cleanse(md, sizeof(md));
    return (int)(bin % TOTP_MOD);
}

static void code_text(int code, char out[TOTP_DIGITS + 1])
{
    for (int i = TOTP_DIGITS - 1; i >= 0; i--, code /= 10)
        out[i] = (char)('0' + code % 10);
    out[TOTP_DIGITS] = '\0';
}

int totp_verify(const unsigned char *secret, size_t len, const char *code, int64_t now_s,
                int64_t last_step, int64_t *matched)
{
    if (!secret || len == 0 || !code || now_s < TOTP_STEP)
        return FZ_INVALID;
    for (int i = 0; i < TOTP_DIGITS; i++)
        if (code[i] < '0' || code[i] > '9')
            return FZ_INVALID;
    if (code[TOTP_DIGITS] != '\0')
        return FZ_INVALID;
    int64_t now = now_s / TOTP_STEP, found = -1;
    /* All three windows are computed and compared in constant time, so the
     * response time does not say which step (if any) matched. */
    for (int64_t s = now - 1; s <= now + 1; s++) {
        int c = totp_code(secret, len, s);
        if (c < 0)
            return FZ_ERR;
        char text[TOTP_DIGITS + 1];
        code_text(c, text);
        int eq = CRYPTO_memcmp(text, code, TOTP_DIGITS) == 0;
        if (eq && s > last_step && found < 0)
            found = s;
    }
    if (found < 0)
        return FZ_INVALID;
    if (matched)
        *matched = found;
    return FZ_OK;
}

/* ---- otpauth URI ------------------------------------------------------------- */

typedef struct outbuf {
    char *p;
    size_t len, cap;
    int full;
} outbuf;

static void put(outbuf *b, const char *s, size_t n)
{
    if (b->full || n >= b->cap - b->len) {
        b->full = 1;
        return;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void put_str(outbuf *b, const char *s)
{
    put(b, s, strlen(s));
}

/* RFC 3986: unreserved characters stay, every other byte (UTF-8 ones too)
 * becomes %XX, so ':' '@' '&' '?' cannot split the label or the query. */
static void put_escaped(outbuf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char c = (char)*p;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            put(b, &c, 1);
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            put(b, e, 3);
        }
    }
}

int totp_uri(const char *issuer, const char *account, const unsigned char *secret, size_t len,
             char *out, size_t outlen)
{
    if (!issuer || !account || !secret || len == 0 || !out)
        return FZ_INVALID;
    if (outlen == 0)
        return FZ_NOMEM;
    outbuf b = {out, 0, outlen, 0};
    out[0] = '\0';
    put_str(&b, "otpauth://totp/");
    put_escaped(&b, issuer);
    put_str(&b, ":");
    put_escaped(&b, account);
    put_str(&b, "?secret=");
    /* Whole 5-byte groups encode to whole 8-character groups, so the secret
     * can go out group by group without a buffer sized for all of it. */
    for (size_t i = 0; i < len; i += 5) {
        char group[9];
        size_t n = base32_encode(secret + i, len - i < 5 ? len - i : 5, group);
        put(&b, group, n);
        OPENSSL_cleanse(group, sizeof(group));
    }
    put_str(&b, "&issuer=");
    put_escaped(&b, issuer);
    put_str(&b, "&algorithm=SHA1&digits=6&period=30");
    if (b.full) {
        OPENSSL_cleanse(out, outlen);
        out[0] = '\0';
        return FZ_NOMEM;
    }
    return FZ_OK;
}

/* ---- recovery codes ---------------------------------------------------------- */

/* Lower case without 0/o, 1/l/i: read aloud or typed from paper. 31 symbols,
 * so ten of them carry about 49.5 bits. */
static const char RC_ALPHABET[] = "23456789abcdefghjkmnpqrstuvwxyz";

int recovery_code_generate(char out[12])
{
    const unsigned n = sizeof(RC_ALPHABET) - 1;
    const unsigned limit = 256 - 256 % n; /* rejection sampling: no modulo bias */
    unsigned char buf[32];
    size_t pos = sizeof(buf);
    int k = 0;
    while (k < 10) {
        if (pos == sizeof(buf)) {
            if (sm_random(buf, sizeof(buf)) != FZ_OK) {
                OPENSSL_cleanse(buf, sizeof(buf));
                out[0] = '\0';
                return FZ_ERR;
            }
            pos = 0;
        }
        unsigned v = buf[pos++];
        if (v >= limit)
            continue;
        out[k < 5 ? k : k + 1] = RC_ALPHABET[v % n];
        k++;
    }
    OPENSSL_cleanse(buf, sizeof(buf));
    out[5] = '-';
    out[11] = '\0';
    return FZ_OK;
}

void recovery_code_normalize(const char *in, char out[16])
{
    size_t o = 0;
    for (const char *p = in; *p; p++) {
        char c = *p;
        if (c == '-' || c == ' ')
            continue;
        if (o == 15) {
            /* Too long to be a code: an empty result matches none, where a
             * truncated one might. */
            out[0] = '\0';
            return;
        }
        out[o++] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
    }
    out[o] = '\0';
}
