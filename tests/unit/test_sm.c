/* test_sm.c: SM3, HMAC-SM3, SM4-CTR and the sealed-field format against
 * published vectors (GB/T 32905 for SM3, GB/T 32907 for SM4) and against
 * `openssl dgst -sm3 -hmac` output recorded on the build machine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/sm.h"
#include "core/status.h"

static void hex_of(const unsigned char *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

static void unhex(const char *s, unsigned char *out)
{
    for (size_t i = 0; s[2 * i]; i++) {
        unsigned v = 0;
        assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
        out[i] = (unsigned char)v;
    }
}

static void expect_sm3(const void *data, size_t len, const char *want)
{
    unsigned char d[SM3_LEN];
    char hex[SM3_HEX_LEN + 1];
    assert_int_equal(sm3(data, len, d), FZ_OK);
    sm3_hex(d, hex);
    assert_string_equal(hex, want);
}

static void test_sm3_vectors(void **state)
{
    /* GB/T 32905-2016 Appendix A, examples 1 and 2. */
    expect_sm3("abc", 3, "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
    char abcd[65];
    for (int i = 0; i < 16; i++)
        memcpy(abcd + 4 * i, "abcd", 4);
    expect_sm3(abcd, 64, "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732");
}

static void test_sm3_streaming(void **state)
{
    unsigned char data[1000], one[SM3_LEN], many[SM3_LEN];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (unsigned char)(i * 7 + 3);
    assert_int_equal(sm3(data, sizeof(data), one), FZ_OK);
    sm3_ctx *c = sm3_new();
    assert_non_null(c);
    /* Uneven pieces that straddle the 64-byte block boundary. */
    size_t off = 0, step = 1;
    while (off < sizeof(data)) {
        size_t n = step < sizeof(data) - off ? step : sizeof(data) - off;
        assert_int_equal(sm3_update(c, data + off, n), FZ_OK);
        off += n;
        step = step * 3 % 97 + 1;
    }
    assert_int_equal(sm3_final(c, many), FZ_OK);
    assert_memory_equal(one, many, SM3_LEN);
    sm3_abort(NULL);
    sm3_abort(sm3_new()); /* abandoning a digest frees it (ASan checks) */
}

static void expect_hmac(const char *key, size_t keylen, const char *msg, const char *want)
{
    unsigned char mac[SM3_LEN];
    char hex[SM3_HEX_LEN + 1];
    assert_int_equal(hmac_sm3(key, keylen, msg, strlen(msg), mac), FZ_OK);
    hex_of(mac, SM3_LEN, hex);
    assert_string_equal(hex, want);
}

static void test_hmac_sm3(void **state)
{
    /* echo -n MSG | openssl dgst -sm3 -hmac key   (OpenSSL 3.0.19) */
    expect_hmac("key", 3, "abc", "28e63256e7c5a087b1f073265dc53092163f7b82729735d06f28f10af9d52393");
    expect_hmac("key", 3, "The quick brown fox jumps over the lazy dog",
                "bd4a34077888162b210645b8ebf74b9af357303789357a27c7fc457244ebd398");
    expect_hmac("key", 3, "", "4deb29b9be17bd4fd2aca21f908885b9f849bc61e8fbd101e04fd9987528d4df");
    /* A key longer than the 64-byte block is hashed first: 100 x 'k'. */
    char longkey[100];
    memset(longkey, 'k', sizeof(longkey));
    expect_hmac(longkey, sizeof(longkey), "abc",
                "2d87dd3ffa1452e8e40d9123a02824fb7dd98ae4a52683287245f1736dc610ef");
}

static void test_sm4_vector(void **state)
{
    /* GB/T 32907-2016 Appendix A.1. CTR encrypts the counter block and XORs it
     * with the input, so with IV = plaintext and a zero input block the
     * output is E_K(plaintext), the ECB ciphertext. */
    unsigned char key[16], pt[16], zeros[16] = {0}, out[16], want[16];
    unhex("0123456789abcdeffedcba9876543210", key);
    unhex("0123456789abcdeffedcba9876543210", pt);
    unhex("681edf34d206965e86b3e94f536e4246", want);
    assert_int_equal(sm4_ctr(key, pt, zeros, 16, out), FZ_OK);
    assert_memory_equal(out, want, 16);

    /* CTR is its own inverse, and the keystream differs across blocks. */
    unsigned char msg[40], ct[40], back[40];
    memset(msg, 0, sizeof(msg));
    assert_int_equal(sm4_ctr(key, pt, msg, sizeof(msg), ct), FZ_OK);
    assert_memory_equal(ct, want, 16);
    assert_memory_not_equal(ct, ct + 16, 16);
    assert_int_equal(sm4_ctr(key, pt, ct, sizeof(ct), back), FZ_OK);
    assert_memory_equal(back, msg, sizeof(msg));
}

static const unsigned char enc_key[SM4_KEY_LEN] = "0123456789abcde";
static const unsigned char mac_key[SM3_LEN] = "0123456789abcdef0123456789abcde";

static void test_seal_round_trip(void **state)
{
    static const size_t lens[] = {0, 1, 15, 16, 17, 18, 1000};
    for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
        size_t n = lens[k];
        unsigned char plain[1000], sealed[1000 + SM_SEAL_OVERHEAD];
        unsigned char sealed2[1000 + SM_SEAL_OVERHEAD], back[1000 + 1];
        for (size_t i = 0; i < n; i++)
            plain[i] = (unsigned char)(i + 1);
        assert_int_equal(sm_seal(enc_key, mac_key, plain, n, sealed), FZ_OK);
        assert_int_equal(sm_seal(enc_key, mac_key, plain, n, sealed2), FZ_OK);
        /* A fresh random IV each time: the same field never seals the same. */
        assert_memory_not_equal(sealed, sealed2, SM4_IV_LEN);
        if (n >= 8)
            assert_memory_not_equal(sealed + SM4_IV_LEN, plain, n);
        memset(back, 0xEE, sizeof(back));
        assert_int_equal(sm_open(enc_key, mac_key, sealed, n + SM_SEAL_OVERHEAD, back), FZ_OK);
        if (n)
            assert_memory_equal(back, plain, n);
        assert_int_equal(back[n], 0xEE); /* wrote exactly n bytes */
    }
}

static void test_seal_tamper(void **state)
{
    const char *msg = "11010519491231002X";
    size_t n = strlen(msg), total = n + SM_SEAL_OVERHEAD;
    unsigned char sealed[128], bad[128], out[128];
    assert_int_equal(sm_seal(enc_key, mac_key, msg, n, sealed), FZ_OK);
    /* Flip one bit anywhere (IV, ciphertext or MAC): rejected, nothing written. */
    for (size_t i = 0; i < total; i++) {
        memcpy(bad, sealed, total);
        bad[i] ^= 0x01;
        memset(out, 0x5A, sizeof(out));
        assert_int_equal(sm_open(enc_key, mac_key, bad, total, out), FZ_INVALID);
        for (size_t j = 0; j < sizeof(out); j++)
            assert_int_equal(out[j], 0x5A);
    }
    unsigned char other_mac[SM3_LEN];
    memcpy(other_mac, mac_key, SM3_LEN);
    other_mac[0] ^= 0x80;
    assert_int_equal(sm_open(enc_key, other_mac, sealed, total, out), FZ_INVALID);
    assert_int_equal(sm_open(enc_key, mac_key, sealed, total - 1, out), FZ_INVALID);
    assert_int_equal(sm_open(enc_key, mac_key, sealed, SM_SEAL_OVERHEAD - 1, out), FZ_INVALID);
    /* A wrong encryption key is not detected by the MAC (that is by design:
     * keys are distinct), but it must not yield the plaintext. */
    unsigned char other_enc[SM4_KEY_LEN];
    memcpy(other_enc, enc_key, SM4_KEY_LEN);
    other_enc[0] ^= 0x80;
    assert_int_equal(sm_open(other_enc, mac_key, sealed, total, out), FZ_OK);
    assert_memory_not_equal(out, msg, n);
}

/* Seals and opens under key pairs that alternate on one thread (each thread
 * keeps the contexts of its last pair): the box is iv || SM4-CTR || HMAC-SM3
 * as the one-shot functions compute it, and each opens only under its own
 * pair. */
static void *alternate(void *arg)
{
    unsigned char e2[SM4_KEY_LEN], m2[SM3_LEN];
    memcpy(e2, enc_key, SM4_KEY_LEN);
    memcpy(m2, mac_key, SM3_LEN);
    e2[3] ^= 0x21;
    m2[7] ^= 0x42;
    const char *msg = "11010519491231002X";
    size_t n = strlen(msg), total = n + SM_SEAL_OVERHEAD;
    int bad = 0;
    for (int round = 0; round < 50; round++) {
        unsigned char a[96], b[96], out[96], mac[SM3_LEN], ct[96];
        bad |= sm_seal(enc_key, mac_key, msg, n, a) != FZ_OK;
        bad |= sm_seal(e2, m2, msg, n, b) != FZ_OK;
        bad |= hmac_sm3(mac_key, SM3_LEN, a, SM4_IV_LEN + n, mac) != FZ_OK || memcmp(mac, a + SM4_IV_LEN + n, SM3_LEN);
        bad |= hmac_sm3(m2, SM3_LEN, b, SM4_IV_LEN + n, mac) != FZ_OK || memcmp(mac, b + SM4_IV_LEN + n, SM3_LEN);
        bad |= sm4_ctr(e2, b, b + SM4_IV_LEN, n, ct) != FZ_OK || memcmp(ct, msg, n);
        bad |= sm_open(enc_key, mac_key, a, total, out) != FZ_OK || memcmp(out, msg, n);
        bad |= sm_open(e2, m2, b, total, out) != FZ_OK || memcmp(out, msg, n);
        bad |= sm_open(enc_key, mac_key, b, total, out) != FZ_INVALID;
        bad |= sm_open(e2, m2, a, total, out) != FZ_INVALID;
    }
    *(int *)arg = bad;
    return NULL;
}

static void test_seal_alternating_keys(void **state)
{
    int bad_main = -1, bad_thread = -1;
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, alternate, &bad_thread), 0);
    alternate(&bad_main);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(bad_main, 0);
    assert_int_equal(bad_thread, 0);
}

static void test_sm3_file(void **state)
{
    char path[] = "/tmp/fazhi-test-sm3-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite("abc", 1, 3, f), 3);
    assert_int_equal(fclose(f), 0);

    unsigned char d[SM3_LEN];
    char hex[SM3_HEX_LEN + 1];
    uint64_t size = 0;
    assert_int_equal(sm3_file(path, d, &size), FZ_OK);
    sm3_hex(d, hex);
    assert_string_equal(hex, "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
    assert_int_equal(size, 3);

    /* Larger than the 64 KiB read buffer, with an uneven tail. */
    size_t big = 3 * 65536 + 123;
    unsigned char *buf = malloc(big);
    assert_non_null(buf);
    for (size_t i = 0; i < big; i++)
        buf[i] = (unsigned char)(i ^ (i >> 8));
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, big, f), big);
    assert_int_equal(fclose(f), 0);
    unsigned char want[SM3_LEN];
    assert_int_equal(sm3(buf, big, want), FZ_OK);
    assert_int_equal(sm3_file(path, d, NULL), FZ_OK);
    assert_memory_equal(d, want, SM3_LEN);
    free(buf);

    assert_int_equal(unlink(path), 0);
    assert_int_equal(sm3_file(path, d, &size), FZ_NOTFOUND);
    assert_int_equal(sm3_file("/tmp", d, &size), FZ_ERR); /* a directory: read fails */
}

static void test_random(void **state)
{
    unsigned char a[32] = {0}, b[32] = {0};
    assert_int_equal(sm_random(a, sizeof(a)), FZ_OK);
    assert_int_equal(sm_random(b, sizeof(b)), FZ_OK);
    assert_memory_not_equal(a, b, sizeof(a));
    assert_int_equal(sm_random(a, 0), FZ_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sm3_vectors),    cmocka_unit_test(test_sm3_streaming),
        cmocka_unit_test(test_hmac_sm3),       cmocka_unit_test(test_sm4_vector),
        cmocka_unit_test(test_seal_round_trip), cmocka_unit_test(test_seal_tamper),
        cmocka_unit_test(test_sm3_file),       cmocka_unit_test(test_random),
        cmocka_unit_test(test_seal_alternating_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
