/* test_totp.c: engine/totp.h against the published vectors: RFC 4648 §10
 * base32, RFC 4226 Appendix D HOTP values and RFC 6238 Appendix B SHA1 TOTP
 * values (the last 6 of their 8 digits); then the verification window,
 * replay refusal and code-format strictness, the otpauth URI (expected
 * strings produced by Python's urllib.parse.quote and base64.b32encode), and
 * recovery codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sm.h"
#include "core/status.h"
#include "engine/totp.h"

static const unsigned char RFC_SECRET[] = "12345678901234567890"; /* 20 bytes used */
#define RFC_LEN 20

/* ---- base32 ---- */

static void test_base32_rfc4648(void **state)
{
    static const char *const vec[][2] = {
        {"", ""},           {"f", "MY"},           {"fo", "MZXQ"},         {"foo", "MZXW6"},
        {"foob", "MZXW6YQ"}, {"fooba", "MZXW6YTB"}, {"foobar", "MZXW6YTBOI"},
    };
    for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
        char enc[32];
        unsigned char dec[16];
        size_t n = strlen(vec[i][0]);
        assert_int_equal(base32_encode((const unsigned char *)vec[i][0], n, enc),
                         strlen(vec[i][1]));
        assert_string_equal(enc, vec[i][1]);
        assert_int_equal(base32_decode(vec[i][1], dec, sizeof(dec)), (int)n);
        assert_memory_equal(dec, vec[i][0], n);
    }
    char enc[40];
    base32_encode(RFC_SECRET, RFC_LEN, enc);
    assert_string_equal(enc, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
}

static void test_base32_decode_lenient_input(void **state)
{
    unsigned char out[16];
    assert_int_equal(base32_decode("mzxw6ytboi", out, sizeof(out)), 6);
    assert_memory_equal(out, "foobar", 6);
    assert_int_equal(base32_decode("MZXW 6YTB OI", out, sizeof(out)), 6);
    assert_memory_equal(out, "foobar", 6);
    assert_int_equal(base32_decode("MZXW6===", out, sizeof(out)), 3);
    assert_memory_equal(out, "foo", 3);
    assert_int_equal(base32_decode("MY======", out, sizeof(out)), 1);
    assert_int_equal(out[0], 'f');
}

static void test_base32_decode_rejects(void **state)
{
    unsigned char out[16];
    static const char *const bad[] = {
        "MZXW6!",   "MZXW0",    "MZXW1",    "MZXW8", /* not in the alphabet */
        "M",        "MZX",      "MZXW6Y",            /* lengths no encoder makes */
        "MZ",                                       /* "f" with non-zero unused bits */
        "MY==MZXQ",                                 /* data after padding */
        "MZXW6\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (base32_decode(bad[i], out, sizeof(out)) != -1)
            fail_msg("accepted %s", bad[i]);
    /* out too small by one byte, then exactly right */
    assert_int_equal(base32_decode("MZXW6YTBOI", out, 5), -1);
    assert_int_equal(base32_decode("MZXW6YTBOI", out, 6), 6);
    assert_int_equal(base32_decode("", out, 0), 0);
}

static void test_base32_round_trip(void **state)
{
    unsigned char in[64], back[64];
    char enc[8 * 13 + 1];
    for (size_t n = 0; n <= sizeof(in); n++) {
        assert_int_equal(sm_random(in, sizeof(in)), FZ_OK);
        size_t m = base32_encode(in, n, enc);
        assert_int_equal(m, (n * 8 + 4) / 5);
        assert_int_equal(strlen(enc), m);
        assert_int_equal(base32_decode(enc, back, n), (int)n);
        assert_memory_equal(back, in, n);
    }
}

/* ---- codes ---- */

static void test_hotp_rfc4226(void **state)
{
    static const int want[10] = {755224, 287082, 359152, 969429, 338314,
                                 254676, 287922, 162583, 399871, 520489};
    for (int c = 0; c < 10; c++)
        assert_int_equal(totp_code(RFC_SECRET, RFC_LEN, c), want[c]);
}

static void test_totp_rfc6238(void **state)
{
    /* Appendix B, SHA1 rows: T and the 8-digit TOTP, of which we show 6. */
    static const struct {
        int64_t t;
        int code8;
        const char *code6;
    } vec[] = {
        {59, 94287082, "287082"},         {1111111109, 7081804, "081804"},
        {1111111111, 14050471, "050471"}, {1234567890, 89005924, "005924"},
        {2000000000, 69279037, "279037"}, {INT64_C(20000000000), 65353130, "353130"},
    };
    for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
        int64_t step = vec[i].t / TOTP_STEP;
        int code = totp_code(RFC_SECRET, RFC_LEN, step);
        assert_int_equal(code, vec[i].code8 % 1000000);
        char text[8];
        snprintf(text, sizeof(text), "%06d", code);
        assert_string_equal(text, vec[i].code6);
        int64_t matched = -1;
        assert_int_equal(totp_verify(RFC_SECRET, RFC_LEN, vec[i].code6, vec[i].t, -1, &matched),
                         FZ_OK);
        assert_int_equal(matched, step);
    }
    assert_int_equal(totp_code(RFC_SECRET, 0, 1), -1);
    assert_int_equal(totp_code(RFC_SECRET, RFC_LEN, -1), -1);
}

static void test_totp_window_and_replay(void **state)
{
    /* HOTP values double as the codes of steps 1, 2, 3 */
    const char *s1 = "287082", *s2 = "359152", *s3 = "969429";
    int64_t m = -1;
    assert_int_equal(totp_verify(RFC_SECRET, RFC_LEN, s1, 59, -1, &m), FZ_OK); /* now = 1 */
    assert_int_equal(m, 1);
    assert_int_equal(totp_verify(RFC_SECRET, RFC_LEN, s1, 59, 1, &m), FZ_INVALID); /* replay */
    assert_int_equal(totp_verify(RFC_SECRET, RFC_LEN, s1, 89, -1, &m), FZ_OK); /* one late */
    assert_int_equal(m, 1);
    assert_int_equal(totp_verify(RFC_SECRET, RFC_LEN, s1, 90, -1, &m), FZ_INVALID); /* two late */
    assert_int_equal(totp_verify(RFC_SECRET, RFC_LEN, s2, 59, -1, &m), FZ_OK); /* one early */
    assert_int_equal(m, 2);
    assert_int_equal(totp_verify(RFC_SECRET, RFC_LEN, s3, 59, -1, &m), FZ_INVALID); /* too early */
    /* after step 2 was used, step 1's code is refused even within the window */
    assert_int_equal(totp_verify(RFC_SECRET, RFC_LEN, s1, 60, 2, &m), FZ_INVALID);
    assert_int_equal(totp_verify(RFC_SECRET, RFC_LEN, s3, 60, 2, &m), FZ_OK);
    assert_int_equal(m, 3);
    assert_int_equal(totp_verify(RFC_SECRET, RFC_LEN, s1, 59, -1, NULL), FZ_OK);
    /* a different secret */
    unsigned char other[RFC_LEN];
    memcpy(other, RFC_SECRET, RFC_LEN);
    other[0] ^= 1;
    assert_int_equal(totp_verify(other, RFC_LEN, s1, 59, -1, &m), FZ_INVALID);
}

static void test_totp_code_format(void **state)
{
    static const char *const bad[] = {
        "28708",  "2870820", "0287082", " 287082", "287082 ", "287 082",
        "28708a", "",        "+287082", "-28708",  "２８７０８２", "287082\n",
    };
    int64_t m = -1;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (totp_verify(RFC_SECRET, RFC_LEN, bad[i], 59, -1, &m) != FZ_INVALID)
            fail_msg("accepted code \"%s\"", bad[i]);
    assert_int_equal(m, -1);
    assert_int_equal(totp_verify(RFC_SECRET, RFC_LEN, NULL, 59, -1, &m), FZ_INVALID);
    assert_int_equal(totp_verify(RFC_SECRET, 0, "287082", 59, -1, &m), FZ_INVALID);
    assert_int_equal(totp_verify(RFC_SECRET, RFC_LEN, "755224", 29, -1, &m), FZ_INVALID);
}

/* ---- URI ---- */

static void test_totp_uri(void **state)
{
    char out[512];
    assert_int_equal(totp_uri("fazhi", "zhangsan", RFC_SECRET, RFC_LEN, out, sizeof(out)), FZ_OK);
    assert_string_equal(out, "otpauth://totp/fazhi:zhangsan?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
                             "&issuer=fazhi&algorithm=SHA1&digits=6&period=30");

    assert_int_equal(
        totp_uri("法治 平台", "张三:a@b&c/d?e=f+g", RFC_SECRET, RFC_LEN, out, sizeof(out)), FZ_OK);
    assert_string_equal(
        out, "otpauth://totp/%E6%B3%95%E6%B2%BB%20%E5%B9%B3%E5%8F%B0:"
             "%E5%BC%A0%E4%B8%89%3Aa%40b%26c%2Fd%3Fe%3Df%2Bg"
             "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=%E6%B3%95%E6%B2%BB%20%E5%B9%B3%E5%8F%B0"
             "&algorithm=SHA1&digits=6&period=30");

    /* a secret that is not a multiple of 5 bytes */
    static const unsigned char odd[] = {0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03};
    assert_int_equal(totp_uri("a-b.c_d~e", "u", odd, sizeof(odd), out, sizeof(out)), FZ_OK);
    assert_string_equal(out, "otpauth://totp/a-b.c_d~e:u?secret=32W353YBAIBQ&issuer=a-b.c_d~e"
                             "&algorithm=SHA1&digits=6&period=30");

    /* exactly enough room, then one byte short */
    size_t need = strlen(out) + 1;
    char *exact = malloc(need);
    assert_non_null(exact);
    assert_int_equal(totp_uri("a-b.c_d~e", "u", odd, sizeof(odd), exact, need), FZ_OK);
    assert_string_equal(exact, out);
    assert_int_equal(totp_uri("a-b.c_d~e", "u", odd, sizeof(odd), exact, need - 1), FZ_NOMEM);
    assert_string_equal(exact, "");
    free(exact);
    assert_int_equal(totp_uri("fazhi", "u", RFC_SECRET, RFC_LEN, out, 10), FZ_NOMEM);
    assert_string_equal(out, "");
    assert_int_equal(totp_uri("fazhi", "u", RFC_SECRET, 0, out, sizeof(out)), FZ_INVALID);
    assert_int_equal(totp_uri(NULL, "u", RFC_SECRET, RFC_LEN, out, sizeof(out)), FZ_INVALID);
}

/* ---- recovery codes ---- */

static void test_recovery_codes(void **state)
{
    static const char alphabet[] = "23456789abcdefghjkmnpqrstuvwxyz";
    enum { N = 200 };
    char codes[N][12];
    size_t seen[256] = {0};
    for (int i = 0; i < N; i++) {
        char *c = codes[i];
        memset(c, 'Z', 12);
        assert_int_equal(recovery_code_generate(c), FZ_OK);
        assert_int_equal(strlen(c), 11);
        assert_int_equal(c[5], '-');
        for (int k = 0; k < 11; k++)
            if (k != 5 && !strchr(alphabet, c[k]))
                fail_msg("code %s has %c", c, c[k]);
            else
                seen[(unsigned char)c[k]]++;
        for (int j = 0; j < i; j++) /* ~2^49.5 codes: a repeat means a broken source */
            assert_string_not_equal(codes[j], c);
        char norm[16];
        recovery_code_normalize(c, norm);
        assert_int_equal(strlen(norm), 10);
        assert_memory_equal(norm, c, 5);
        assert_memory_equal(norm + 5, c + 6, 5);
    }
    /* 2000 draws over 31 characters: every one of them turns up */
    for (const char *a = alphabet; *a; a++)
        if (seen[(unsigned char)*a] == 0)
            fail_msg("never generated %c", *a);
}

static void test_recovery_normalize(void **state)
{
    char out[16];
    recovery_code_normalize("ABCDE-FGHJK", out);
    assert_string_equal(out, "abcdefghjk");
    recovery_code_normalize("  abcde fghjk ", out);
    assert_string_equal(out, "abcdefghjk");
    recovery_code_normalize("ab-cd-ef", out);
    assert_string_equal(out, "abcdef");
    recovery_code_normalize("", out);
    assert_string_equal(out, "");
    recovery_code_normalize("abcdefghjkmnpqr", out); /* 15: fits */
    assert_string_equal(out, "abcdefghjkmnpqr");
    recovery_code_normalize("abcdefghjkmnpqrs", out); /* 16: matches nothing */
    assert_string_equal(out, "");
    recovery_code_normalize("abcde-fghjk-abcde-fghjk", out);
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base32_rfc4648),
        cmocka_unit_test(test_base32_decode_lenient_input),
        cmocka_unit_test(test_base32_decode_rejects),
        cmocka_unit_test(test_base32_round_trip),
        cmocka_unit_test(test_hotp_rfc4226),
        cmocka_unit_test(test_totp_rfc6238),
        cmocka_unit_test(test_totp_window_and_replay),
        cmocka_unit_test(test_totp_code_format),
        cmocka_unit_test(test_totp_uri),
        cmocka_unit_test(test_recovery_codes),
        cmocka_unit_test(test_recovery_normalize),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
