/* sm.c: SM3 / HMAC-SM3 / SM4-CTR wrappers over OpenSSL 3 EVP (see sm.h). */
#include "core/sm.h"
#include "core/status.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sm3_ctx {
    EVP_MD_CTX *md;
    EVP_MD *type; /* fetched once per context: an implicit fetch per digest takes locks */
};

/* SM3 and SM4-CTR fetched once for the process: OpenSSL 3 looks an
 * algorithm up (with its locks) on every implicit use such as EVP_sm3(),
 * and a list page opens a sealed field per row. Kept until exit. */
static EVP_MD *g_sm3;
static EVP_CIPHER *g_sm4_ctr;
static pthread_once_t g_fetch_once = PTHREAD_ONCE_INIT;

static void fetch_algorithms(void)
{
    g_sm3 = EVP_MD_fetch(NULL, "SM3", NULL);
    g_sm4_ctr = EVP_CIPHER_fetch(NULL, "SM4-CTR", NULL);
}

static const EVP_MD *sm3_md(void)
{
    pthread_once(&g_fetch_once, fetch_algorithms);
    return g_sm3;
}

static const EVP_CIPHER *sm4_ctr_cipher(void)
{
    pthread_once(&g_fetch_once, fetch_algorithms);
    return g_sm4_ctr;
}


void sm3_hex(const unsigned char d[SM3_LEN], char out[SM3_HEX_LEN + 1])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < SM3_LEN; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[SM3_HEX_LEN] = '\0';
}

int sm3_unhex(const char *hex, unsigned char out[SM3_LEN])
{
    for (int i = 0; i < SM3_LEN; i++) {
        int v = 0;
        for (int k = 0; k < 2; k++) {
            char c = hex[2 * i + k];
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (d < 0)
                return FZ_INVALID;
            v = v * 16 + d;
        }
        out[i] = (unsigned char)v;
    }
    return hex[SM3_HEX_LEN] == '\0' ? FZ_OK : FZ_INVALID;
}

sm3_ctx *sm3_new(void)
{
    sm3_ctx *c = OPENSSL_zalloc(sizeof(*c));
    if (!c)
        return NULL;
    c->md = EVP_MD_CTX_new();
    c->type = EVP_MD_fetch(NULL, "SM3", NULL);
    if (!c->md || !c->type || EVP_DigestInit_ex2(c->md, c->type, NULL) != 1) {
        sm3_abort(c);
        return NULL;
    }
    return c;
}

int sm3_digest(sm3_ctx *c, const void *data, size_t len, unsigned char out[SM3_LEN])
{
    unsigned int n = 0;
    if (EVP_DigestInit_ex2(c->md, c->type, NULL) != 1 || EVP_DigestUpdate(c->md, data, len) != 1 ||
        EVP_DigestFinal_ex(c->md, out, &n) != 1 || n != SM3_LEN)
        return FZ_ERR;
    return FZ_OK;
}

int sm3_update(sm3_ctx *c, const void *data, size_t len)
{
    return EVP_DigestUpdate(c->md, data, len) == 1 ? FZ_OK : FZ_ERR;
}

int sm3_final(sm3_ctx *c, unsigned char out[SM3_LEN])
{
    unsigned int n = 0;
    int ok = EVP_DigestFinal_ex(c->md, out, &n) == 1 && n == SM3_LEN;
    sm3_abort(c);
    return ok ? FZ_OK : FZ_ERR;
}

void sm3_abort(sm3_ctx *c)
{
    if (!c)
        return;
    EVP_MD_CTX_free(c->md);
    EVP_MD_free(c->type);
    OPENSSL_free(c);
}

int sm3_file(const char *path, unsigned char out[SM3_LEN], uint64_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) /* an unreadable file is not a missing one (verify reports them apart) */
        return errno == ENOENT || errno == ENOTDIR ? FZ_NOTFOUND : FZ_ERR;
    sm3_ctx *c = sm3_new();
    if (!c) {
        fclose(f);
        return FZ_ERR;
    }
    unsigned char buf[65536];
    uint64_t total = 0;
    size_t n;
    int err = 0;
    while (!err && (n = fread(buf, 1, sizeof(buf), f)) > 0) {
        err = sm3_update(c, buf, n) != FZ_OK;
        total += n;
    }
    err = err || ferror(f);
    fclose(f);
    if (err) {
        sm3_abort(c);
        return FZ_ERR;
    }
    if (size)
        *size = total;
    return sm3_final(c, out);
}

/* HMAC (RFC 2104) over the fetched SM3, block 64 bytes: the one-shot
 * HMAC() of OpenSSL 3 fetches the MAC and the digest on every call. */
#define SM3_BLOCK 64

int hmac_sm3(const void *key, size_t keylen, const void *data, size_t len,
             unsigned char out[SM3_LEN])
{
    const EVP_MD *md = sm3_md();
    if (!md)
        return FZ_ERR;
    unsigned char k[SM3_BLOCK] = {0}, pad[SM3_BLOCK], inner[SM3_LEN];
    if (keylen > SM3_BLOCK) {
        if (sm3(key, keylen, k))
            return FZ_ERR;
    } else if (keylen) {
        memcpy(k, key, keylen);
    }
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    unsigned int n = 0, m = 0;
    int ok = c != NULL;
    for (int i = 0; i < SM3_BLOCK; i++)
        pad[i] = k[i] ^ 0x36;
    ok = ok && EVP_DigestInit_ex2(c, md, NULL) == 1 && EVP_DigestUpdate(c, pad, SM3_BLOCK) == 1 &&
         EVP_DigestUpdate(c, data, len) == 1 && EVP_DigestFinal_ex(c, inner, &n) == 1 && n == SM3_LEN;
    for (int i = 0; i < SM3_BLOCK; i++)
        pad[i] = k[i] ^ 0x5c;
    ok = ok && EVP_DigestInit_ex2(c, md, NULL) == 1 && EVP_DigestUpdate(c, pad, SM3_BLOCK) == 1 &&
         EVP_DigestUpdate(c, inner, SM3_LEN) == 1 && EVP_DigestFinal_ex(c, out, &m) == 1 && m == SM3_LEN;
    EVP_MD_CTX_free(c);
    OPENSSL_cleanse(k, sizeof(k));
    OPENSSL_cleanse(pad, sizeof(pad));
    return ok ? FZ_OK : FZ_ERR;
}

int sm_random(void *buf, size_t n)
{
    /* RAND_bytes takes an int: a larger n would wrap and fill only part of buf. */
    if (n > INT_MAX)
        return FZ_ERR;
    return RAND_bytes(buf, (int)n) == 1 ? FZ_OK : FZ_ERR;
}

int sm4_ctr(const unsigned char key[SM4_KEY_LEN], const unsigned char iv[SM4_IV_LEN],
            const void *in, size_t len, void *out)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (!ctx)
        return FZ_ERR;
    int outl = 0, fin = 0, ok = 0;
    const EVP_CIPHER *cipher = sm4_ctr_cipher();
    if (len <= INT_MAX && cipher && EVP_EncryptInit_ex2(ctx, cipher, key, iv, NULL) == 1 &&
        EVP_EncryptUpdate(ctx, out, &outl, in, (int)len) == 1 &&
        EVP_EncryptFinal_ex(ctx, (unsigned char *)out + outl, &fin) == 1)
        ok = (size_t)(outl + fin) == len;
    EVP_CIPHER_CTX_free(ctx);
    return ok ? FZ_OK : FZ_ERR;
}

/* Per thread, the contexts of the last key pair sm_seal/sm_open used: SM4
 * keyed once (each value then sets only its IV), HMAC-SM3 with its padded
 * key blocks absorbed once (each value then costs its own blocks only: two
 * SM3 blocks of four for an ID number). A process has one field key pair,
 * so a thread sets them up once; a list page opens a sealed value per row
 * (this was about half of their cost). Freed when the thread ends, and for
 * the thread that calls exit, at exit. */
typedef struct sm_keyed {
    unsigned char enc_key[SM4_KEY_LEN], mac_key[SM3_LEN];
    int ready;
    EVP_CIPHER_CTX *enc;
    EVP_MD_CTX *ipad, *opad, *work;
    EVP_MD_CTX *plain; /* sm3(): a session token's hash per request */
} sm_keyed;

static pthread_key_t g_keyed;
static int g_keyed_ok;
static pthread_once_t g_keyed_once = PTHREAD_ONCE_INIT;

static void keyed_free(void *p)
{
    sm_keyed *k = p;
    if (!k)
        return;
    EVP_CIPHER_CTX_free(k->enc);
    EVP_MD_CTX_free(k->ipad);
    EVP_MD_CTX_free(k->opad);
    EVP_MD_CTX_free(k->work);
    EVP_MD_CTX_free(k->plain);
    OPENSSL_cleanse(k, sizeof(*k));
    free(k);
}

static void keyed_at_exit(void)
{
    sm_keyed *k = pthread_getspecific(g_keyed);
    pthread_setspecific(g_keyed, NULL);
    keyed_free(k);
}

static void keyed_init(void)
{
    if (pthread_key_create(&g_keyed, keyed_free) == 0 && atexit(keyed_at_exit) == 0)
        g_keyed_ok = 1;
}

/* ctx = SM3 after one block of key ^ x. */
static int pad_block(EVP_MD_CTX *ctx, const EVP_MD *md, const unsigned char key[SM3_LEN], unsigned char x)
{
    unsigned char pad[SM3_BLOCK];
    memset(pad, x, sizeof(pad));
    for (int i = 0; i < SM3_LEN; i++)
        pad[i] ^= key[i];
    int ok = EVP_DigestInit_ex2(ctx, md, NULL) == 1 && EVP_DigestUpdate(ctx, pad, SM3_BLOCK) == 1;
    OPENSSL_cleanse(pad, sizeof(pad));
    return ok;
}

/* This thread's contexts; NULL when they cannot be had (the callers then
 * take the one-shot path). */
static sm_keyed *thread_ctx(void)
{
    pthread_once(&g_keyed_once, keyed_init);
    if (!g_keyed_ok || !sm3_md() || !sm4_ctr_cipher())
        return NULL;
    sm_keyed *k = pthread_getspecific(g_keyed);
    if (!k) {
        k = calloc(1, sizeof(*k));
        if (!k)
            return NULL;
        k->enc = EVP_CIPHER_CTX_new();
        k->ipad = EVP_MD_CTX_new();
        k->opad = EVP_MD_CTX_new();
        k->work = EVP_MD_CTX_new();
        k->plain = EVP_MD_CTX_new();
        if (!k->enc || !k->ipad || !k->opad || !k->work || !k->plain || pthread_setspecific(g_keyed, k)) {
            keyed_free(k);
            return NULL;
        }
    }
    return k;
}

int sm3(const void *data, size_t len, unsigned char out[SM3_LEN])
{
    unsigned int n = 0;
    const EVP_MD *md = sm3_md();
    sm_keyed *k = thread_ctx();
    if (!md)
        return FZ_ERR;
    if (!k)
        return EVP_Digest(data, len, out, &n, md, NULL) == 1 && n == SM3_LEN ? FZ_OK : FZ_ERR;
    return EVP_DigestInit_ex2(k->plain, md, NULL) == 1 && EVP_DigestUpdate(k->plain, data, len) == 1 &&
                   EVP_DigestFinal_ex(k->plain, out, &n) == 1 && n == SM3_LEN
               ? FZ_OK
               : FZ_ERR;
}

/* This thread's contexts set up for the key pair; NULL as thread_ctx. */
static sm_keyed *keyed_get(const unsigned char enc_key[SM4_KEY_LEN], const unsigned char mac_key[SM3_LEN])
{
    const EVP_MD *md = sm3_md();
    const EVP_CIPHER *cipher = sm4_ctr_cipher();
    sm_keyed *k = thread_ctx();
    if (!k)
        return NULL;
    if (k->ready && !memcmp(k->enc_key, enc_key, SM4_KEY_LEN) && !memcmp(k->mac_key, mac_key, SM3_LEN))
        return k;
    k->ready = EVP_EncryptInit_ex2(k->enc, cipher, enc_key, NULL, NULL) == 1 && pad_block(k->ipad, md, mac_key, 0x36) &&
               pad_block(k->opad, md, mac_key, 0x5c);
    if (!k->ready)
        return NULL;
    memcpy(k->enc_key, enc_key, SM4_KEY_LEN);
    memcpy(k->mac_key, mac_key, SM3_LEN);
    return k;
}

static int keyed_mac(sm_keyed *k, const void *data, size_t len, unsigned char out[SM3_LEN])
{
    unsigned char inner[SM3_LEN];
    unsigned int n = 0, m = 0;
    int ok = EVP_MD_CTX_copy_ex(k->work, k->ipad) == 1 && EVP_DigestUpdate(k->work, data, len) == 1 &&
             EVP_DigestFinal_ex(k->work, inner, &n) == 1 && n == SM3_LEN &&
             EVP_MD_CTX_copy_ex(k->work, k->opad) == 1 && EVP_DigestUpdate(k->work, inner, SM3_LEN) == 1 &&
             EVP_DigestFinal_ex(k->work, out, &m) == 1 && m == SM3_LEN;
    OPENSSL_cleanse(inner, sizeof(inner));
    return ok ? FZ_OK : FZ_ERR;
}

static int keyed_ctr(sm_keyed *k, const unsigned char iv[SM4_IV_LEN], const void *in, size_t len, void *out)
{
    int outl = 0, fin = 0;
    int ok = len <= INT_MAX && EVP_EncryptInit_ex2(k->enc, NULL, NULL, iv, NULL) == 1 &&
             EVP_EncryptUpdate(k->enc, out, &outl, in, (int)len) == 1 &&
             EVP_EncryptFinal_ex(k->enc, (unsigned char *)out + outl, &fin) == 1 && (size_t)(outl + fin) == len;
    return ok ? FZ_OK : FZ_ERR;
}

int sm_seal(const unsigned char enc_key[SM4_KEY_LEN], const unsigned char mac_key[SM3_LEN],
            const void *plain, size_t len, unsigned char *out)
{
    unsigned char *iv = out, *ct = out + SM4_IV_LEN;
    if (sm_random(iv, SM4_IV_LEN))
        return FZ_ERR;
    sm_keyed *k = keyed_get(enc_key, mac_key);
    if (k)
        return keyed_ctr(k, iv, plain, len, ct) ? FZ_ERR : keyed_mac(k, out, SM4_IV_LEN + len, ct + len);
    if (sm4_ctr(enc_key, iv, plain, len, ct))
        return FZ_ERR;
    return hmac_sm3(mac_key, SM3_LEN, out, SM4_IV_LEN + len, ct + len);
}

int sm_open(const unsigned char enc_key[SM4_KEY_LEN], const unsigned char mac_key[SM3_LEN],
            const unsigned char *sealed, size_t len, void *out)
{
    if (len < SM_SEAL_OVERHEAD)
        return FZ_INVALID;
    size_t ctlen = len - SM_SEAL_OVERHEAD;
    unsigned char mac[SM3_LEN];
    sm_keyed *k = keyed_get(enc_key, mac_key);
    if (k ? keyed_mac(k, sealed, SM4_IV_LEN + ctlen, mac) : hmac_sm3(mac_key, SM3_LEN, sealed, SM4_IV_LEN + ctlen, mac))
        return FZ_ERR;
    if (CRYPTO_memcmp(mac, sealed + SM4_IV_LEN + ctlen, SM3_LEN) != 0)
        return FZ_INVALID;
    return k ? keyed_ctr(k, sealed, sealed + SM4_IV_LEN, ctlen, out) : sm4_ctr(enc_key, sealed, sealed + SM4_IV_LEN, ctlen, out);
}
