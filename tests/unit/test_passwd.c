/* test_passwd.c: engine/passwd.h: argon2id and PBKDF2-HMAC-SM3 hashes (PHC
 * format, round trips, a fixed PBKDF2-SM3 vector computed by an independent
 * pure-Python SM3/HMAC/PBKDF2), malformed stored strings, needs_rehash in
 * both modes, every policy rule and its reason, and generated passwords.
 * Argon2 at the server's limits costs 9 MiB and tens of ms, so only three such hashes run
 * (one hash, two verifies); other argon2 strings use libsodium's minimum cost. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "engine/passwd.h"

/* PBKDF2-HMAC-SM3("Fazhi-2024!", salt = bytes 0..15, 1000 iterations, 32 bytes),
 * from a pure-Python SM3 (checked against GB/T 32905 "abc") and RFC 8018
 * PBKDF2; hashlib.pbkdf2_hmac('sm3', ...) gives the same. */
#define VEC_PW "Fazhi-2024!"
#define VEC_1000 "$pbkdf2-sm3$i=1000$AAECAwQFBgcICQoLDA0ODw$mc00XkApq8wVaL5ehH4dIQWwlTWV+1w/+yEMdVlTMMI"

/* ---- helpers ---- */

/* Standard base64 without padding, decoded with OpenSSL's decoder (not ours). */
static int b64_std_decode(const char *in, size_t n, unsigned char *out)
{
    char padded[128];
    assert_true(n + 3 < sizeof(padded));
    memcpy(padded, in, n);
    size_t m = n;
    while (m % 4)
        padded[m++] = '=';
    padded[m] = '\0';
    unsigned char tmp[96];
    int len = EVP_DecodeBlock(tmp, (const unsigned char *)padded, (int)m);
    assert_true(len >= 0);
    len -= (int)(m - n); /* EVP_DecodeBlock counts the padding as zero bytes */
    memcpy(out, tmp, (size_t)len);
    return len;
}

static void b64_std_encode(const unsigned char *in, size_t n, char *out)
{
    int len = EVP_EncodeBlock((unsigned char *)out, in, (int)n);
    while (len > 0 && out[len - 1] == '=')
        out[--len] = '\0';
}

static int fails_with(const pw_policy *p, const char *user, const char *pw, const char *want)
{
    const char *reason = NULL;
    int rc = passwd_check_policy(p, user, pw, &reason);
    if (rc != FZ_INVALID || !reason || strcmp(reason, want) != 0) {
        print_error("policy(%s): rc=%d reason=%s, want %s\n", pw, rc, reason ? reason : "(null)",
                    want);
        return 0;
    }
    return 1;
}

static int passes(const pw_policy *p, const char *user, const char *pw)
{
    const char *reason = NULL;
    int rc = passwd_check_policy(p, user, pw, &reason);
    if (rc != FZ_OK || reason) {
        print_error("policy(%s): rc=%d reason=%s\n", pw, rc, reason ? reason : "(null)");
        return 0;
    }
    return 1;
}

/* ---- argon2id ---- */

static void test_argon2_hash_verify(void **state)
{
    char h[PASSWD_HASH_MAX];
    assert_int_equal(passwd_hash(PW_ARGON2ID, "Correct-Horse-9", h), FZ_OK);
    const char *prefix = "$argon2id$v=19$m=9216,t=4,p=1$";
    assert_memory_equal(h, prefix, strlen(prefix));
    /* salt (16 bytes) and hash (32 bytes) in unpadded base64 */
    const char *salt = h + strlen(prefix), *dollar = strchr(salt, '$');
    assert_non_null(dollar);
    assert_int_equal(dollar - salt, 22);
    assert_int_equal(strlen(dollar + 1), 43);
    assert_int_equal(passwd_verify(h, "Correct-Horse-9"), FZ_OK);
    assert_int_equal(passwd_verify(h, "correct-Horse-9"), FZ_INVALID);
    assert_int_equal(passwd_needs_rehash(PW_ARGON2ID, h), 0);
    assert_int_equal(passwd_needs_rehash(PW_PBKDF2_SM3, h), 1);

    /* Malformed variants of a real string fail before any 64 MiB pass runs. */
    char cut[PASSWD_HASH_MAX];
    snprintf(cut, sizeof(cut), "%.*s", (int)(strlen(h) - 44), h); /* hash part gone */
    assert_int_equal(passwd_verify(cut, "Correct-Horse-9"), FZ_INVALID);
    assert_int_equal(passwd_needs_rehash(PW_ARGON2ID, cut), 1);
}

/* Cheap argon2 strings (t=1, 8 KiB): another cost is accepted by verify and
 * flagged by needs_rehash; argon2i verifies too but must be rehashed. */
static void test_argon2_other_params(void **state)
{
    assert_true(sodium_init() >= 0);
    char weak[crypto_pwhash_STRBYTES], old_i[crypto_pwhash_STRBYTES];
    assert_int_equal(crypto_pwhash_str_alg(weak, "pw-weak", 7, crypto_pwhash_argon2id_OPSLIMIT_MIN,
                                           crypto_pwhash_argon2id_MEMLIMIT_MIN,
                                           crypto_pwhash_ALG_ARGON2ID13),
                     0);
    assert_int_equal(crypto_pwhash_str_alg(old_i, "pw-weak", 7, 3, 8192,
                                           crypto_pwhash_ALG_ARGON2I13),
                     0);
    assert_int_equal(passwd_verify(weak, "pw-weak"), FZ_OK);
    assert_int_equal(passwd_verify(weak, "pw-Weak"), FZ_INVALID);
    assert_int_equal(passwd_needs_rehash(PW_ARGON2ID, weak), 1);
    assert_int_equal(passwd_needs_rehash(PW_PBKDF2_SM3, weak), 1);
    assert_memory_equal(old_i, "$argon2i$", 9);
    assert_int_equal(passwd_verify(old_i, "pw-weak"), FZ_OK);
    assert_int_equal(passwd_needs_rehash(PW_ARGON2ID, old_i), 1);
}

/* ---- PBKDF2-HMAC-SM3 ---- */

static void test_pbkdf2_vector(void **state)
{
    assert_int_equal(passwd_verify(VEC_1000, VEC_PW), FZ_OK);
    assert_int_equal(passwd_verify(VEC_1000, "Fazhi-2024?"), FZ_INVALID);
    assert_int_equal(passwd_verify(VEC_1000, ""), FZ_INVALID);
    /* a change in the first, a middle or the last hash byte (the last
     * character changed canonically: its two unused bits stay zero) */
    static const size_t at[] = {0, 27, 42};
    for (size_t i = 0; i < 3; i++) {
        char t[sizeof(VEC_1000)];
        memcpy(t, VEC_1000, sizeof(t));
        char *c = t + sizeof(VEC_1000) - 44 + at[i];
        *c = *c == 'I' ? 'E' : *c == 'A' ? 'Q' : 'A';
        assert_int_equal(passwd_verify(t, VEC_PW), FZ_INVALID);
    }
    /* verified, but 1000 < 100000 iterations: replace on login */
    assert_int_equal(passwd_needs_rehash(PW_PBKDF2_SM3, VEC_1000), 1);
    assert_int_equal(passwd_needs_rehash(PW_ARGON2ID, VEC_1000), 1);
}

static void test_pbkdf2_hash_round_trip(void **state)
{
    char h[PASSWD_HASH_MAX], h2[PASSWD_HASH_MAX];
    assert_int_equal(passwd_hash(PW_PBKDF2_SM3, "密码Pass-1", h), FZ_OK);
    const char *prefix = "$pbkdf2-sm3$i=100000$";
    assert_memory_equal(h, prefix, strlen(prefix));
    const char *salt = h + strlen(prefix), *dollar = strchr(salt, '$');
    assert_non_null(dollar);
    const char *hash = dollar + 1;
    assert_int_equal(dollar - salt, 22);
    assert_int_equal(strlen(hash), 43);
    assert_null(strchr(hash, '$'));
    assert_null(strchr(salt, '=')); /* no base64 padding */

    /* The fields decode with OpenSSL's base64 and re-encode to the same text,
     * and the hash is PBKDF2-HMAC-SM3 of the decoded salt, computed here. */
    unsigned char s[48], d[48], want[32];
    char back[80];
    assert_int_equal(b64_std_decode(salt, 22, s), 16);
    assert_int_equal(b64_std_decode(hash, 43, d), 32);
    b64_std_encode(s, 16, back);
    assert_memory_equal(back, salt, 22);
    b64_std_encode(d, 32, back);
    assert_string_equal(back, hash);
    const char *pw = "密码Pass-1";
    assert_int_equal(PKCS5_PBKDF2_HMAC(pw, (int)strlen(pw), s, 16, 100000, EVP_sm3(), 32, want), 1);
    assert_memory_equal(want, d, 32);

    assert_int_equal(passwd_verify(h, "密码Pass-1"), FZ_OK);
    assert_int_equal(passwd_verify(h, "密码Pass-2"), FZ_INVALID);
    assert_int_equal(passwd_needs_rehash(PW_PBKDF2_SM3, h), 0);
    assert_int_equal(passwd_needs_rehash(PW_ARGON2ID, h), 1);

    /* a fresh salt each time */
    assert_int_equal(passwd_hash(PW_PBKDF2_SM3, "密码Pass-1", h2), FZ_OK);
    assert_string_not_equal(h, h2);

    /* Tampering with the salt or the hash (canonically) breaks the match. */
    char t[PASSWD_HASH_MAX];
    snprintf(t, sizeof(t), "%s", h);
    t[strlen(prefix)] = t[strlen(prefix)] == 'A' ? 'B' : 'A';
    assert_int_equal(passwd_verify(t, "密码Pass-1"), FZ_INVALID);
    snprintf(t, sizeof(t), "%s", h);
    size_t first_hash = (size_t)(hash - h);
    t[first_hash] = t[first_hash] == 'A' ? 'B' : 'A';
    assert_int_equal(passwd_verify(t, "密码Pass-1"), FZ_INVALID);
}

static void test_pbkdf2_needs_rehash_params(void **state)
{
    /* hand-made strings: only parsed, never hashed */
    const char *h32 = "$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    char s[PASSWD_HASH_MAX];
    snprintf(s, sizeof(s), "$pbkdf2-sm3$i=100000$AAAAAAAAAAAAAAAAAAAAAA%s", h32);
    assert_int_equal(passwd_needs_rehash(PW_PBKDF2_SM3, s), 0);
    snprintf(s, sizeof(s), "$pbkdf2-sm3$i=200000$AAAAAAAAAAAAAAAAAAAAAA%s", h32);
    assert_int_equal(passwd_needs_rehash(PW_PBKDF2_SM3, s), 0);
    snprintf(s, sizeof(s), "$pbkdf2-sm3$i=99999$AAAAAAAAAAAAAAAAAAAAAA%s", h32);
    assert_int_equal(passwd_needs_rehash(PW_PBKDF2_SM3, s), 1);
    snprintf(s, sizeof(s), "$pbkdf2-sm3$i=100000$AAAAAAAAAAA%s", h32); /* 8-byte salt */
    assert_int_equal(passwd_needs_rehash(PW_PBKDF2_SM3, s), 1);
    assert_int_equal(passwd_needs_rehash(PW_PBKDF2_SM3, "garbage"), 1);
    assert_int_equal(passwd_needs_rehash(PW_ARGON2ID, "garbage"), 1);
    assert_int_equal(passwd_needs_rehash(PW_ARGON2ID, NULL), 1);
}

static void test_verify_malformed(void **state)
{
    static const char *const bad[] = {
        "",
        "$",
        "plain text",
        "$2b$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234", /* bcrypt */
        "$argon2id$",
        "$argon2id$v=19$m=65536,t=2,p=1$",
        "$argon2id$v=19$m=65536,t=2,p=1$$",
        "$argon2d$v=19$m=65536,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "$pbkdf2-sm3$",
        "$pbkdf2-sm3$i=",
        "$pbkdf2-sm3$i=1000",
        "$pbkdf2-sm3$i=1000$",
        "$pbkdf2-sm3$i=1000$AAECAwQFBgcICQoLDA0ODw",
        "$pbkdf2-sm3$i=1000$AAECAwQFBgcICQoLDA0ODw$",
        /* leading zero, sign, zero, spaces, too many iterations */
        "$pbkdf2-sm3$i=01000$AAECAwQFBgcICQoLDA0ODw$mc00XkApq8wVaL5ehH4dIQWwlTWV+1w/+yEMdVlTMMI",
        "$pbkdf2-sm3$i=+1000$AAECAwQFBgcICQoLDA0ODw$mc00XkApq8wVaL5ehH4dIQWwlTWV+1w/+yEMdVlTMMI",
        "$pbkdf2-sm3$i=0$AAECAwQFBgcICQoLDA0ODw$mc00XkApq8wVaL5ehH4dIQWwlTWV+1w/+yEMdVlTMMI",
        "$pbkdf2-sm3$i= 1000$AAECAwQFBgcICQoLDA0ODw$mc00XkApq8wVaL5ehH4dIQWwlTWV+1w/+yEMdVlTMMI",
        "$pbkdf2-sm3$i=99999999999$AAECAwQFBgcICQoLDA0ODw$mc00XkApq8wVaL5ehH4dIQWwlTWV+1w/+yEMdVlTMMI",
        "$pbkdf2-sm3$i=20000000$AAECAwQFBgcICQoLDA0ODw$mc00XkApq8wVaL5ehH4dIQWwlTWV+1w/+yEMdVlTMMI",
        /* padding, non-canonical last character, short hash, trailing data */
        "$pbkdf2-sm3$i=1000$AAECAwQFBgcICQoLDA0ODw==$mc00XkApq8wVaL5ehH4dIQWwlTWV+1w/+yEMdVlTMMI",
        "$pbkdf2-sm3$i=1000$AAECAwQFBgcICQoLDA0ODw$mc00XkApq8wVaL5ehH4dIQWwlTWV+1w/+yEMdVlTMMJ",
        "$pbkdf2-sm3$i=1000$AAECAwQFBgcICQoLDA0ODw$mc00XkApq8wVaL5ehH4dIQWwlTWV+1w/+yEMdVlTMM",
        "$pbkdf2-sm3$i=1000$AAECAwQFBgcICQoLDA0ODw$mc00XkApq8wVaL5ehH4dIQWwlTWV+1w/+yEMdVlTMMI$",
        "$pbkdf2-sm3$i=1000$AAECAwQFBgcICQoLDA0ODw$mc00XkApq8wVaL5ehH4dIQWwlTWV+1w/+yEMdVlTMMIA",
        "$pbkdf2-sm3$i=1000$AAECAwQFBgcICQoLDA0OD!$mc00XkApq8wVaL5ehH4dIQWwlTWV+1w/+yEMdVlTMMI",
        "$pbkdf2-sm3$i=1000$AAAAAAA$mc00XkApq8wVaL5ehH4dIQWwlTWV+1w/+yEMdVlTMMI", /* 5-byte salt */
        "$pbkdf2-sha256$i=1000$AAECAwQFBgcICQoLDA0ODw$mc00XkApq8wVaL5ehH4dIQWwlTWV+1w/+yEMdVlTMMI",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (passwd_verify(bad[i], VEC_PW) != FZ_INVALID)
            fail_msg("accepted malformed %s", bad[i]);
        assert_int_equal(passwd_needs_rehash(PW_PBKDF2_SM3, bad[i]), 1);
    }
    assert_int_equal(passwd_verify(NULL, VEC_PW), FZ_INVALID);
    assert_int_equal(passwd_verify(VEC_1000, NULL), FZ_INVALID);
}

static void test_algo_names(void **state)
{
    assert_int_equal(passwd_algo_parse("argon2id"), PW_ARGON2ID);
    assert_int_equal(passwd_algo_parse("pbkdf2-sm3"), PW_PBKDF2_SM3);
    assert_int_equal(passwd_algo_parse("Argon2id"), -1);
    assert_int_equal(passwd_algo_parse("bcrypt"), -1);
    assert_int_equal(passwd_algo_parse(""), -1);
    assert_int_equal(passwd_algo_parse(NULL), -1);
    assert_string_equal(passwd_algo_name(PW_ARGON2ID), "argon2id");
    assert_string_equal(passwd_algo_name(PW_PBKDF2_SM3), "pbkdf2-sm3");
    assert_string_equal(passwd_algo_name((pw_algo)7), "unknown");
    char h[PASSWD_HASH_MAX];
    assert_int_equal(passwd_hash((pw_algo)7, "x", h), FZ_ERR);
    assert_string_equal(h, "");
}

/* ---- policy ---- */

static const char *C3 = "须包含大写字母、小写字母、数字、符号中的至少 3 类";
static const char *USERNAME = "不能与用户名相同或包含用户名";

static void test_policy_length(void **state)
{
    pw_policy p = {.min_length = 10, .classes = 3};
    assert_true(fails_with(&p, "zhangsan", "", "至少 10 个字符"));
    assert_true(fails_with(&p, "zhangsan", "Ab1!Ab1!A", "至少 10 个字符"));
    assert_true(passes(&p, "zhangsan", "Ab1!Ab1!Ab"));
    /* characters, not bytes: 9 code points in 21 bytes is too short, 10 is enough */
    assert_true(fails_with(&p, "zhangsan", "密码密码密码Ab1", "至少 10 个字符"));
    assert_true(passes(&p, "zhangsan", "密码密码密码密Ab1"));
    pw_policy p12 = {.min_length = 12, .classes = 1};
    assert_true(fails_with(&p12, NULL, "abcdefghijk", "至少 12 个字符"));

    /* at most 128 bytes */
    char pw[200];
    memset(pw, 'a', sizeof(pw));
    memcpy(pw, "A1!", 3);
    pw[128] = '\0';
    assert_true(passes(&p, "zhangsan", pw));
    pw[128] = 'a';
    pw[129] = '\0';
    const char *too_long = "不超过 128 个字节（一个汉字计 3 个字节）";
    assert_true(fails_with(&p, "zhangsan", pw, too_long));
    char cjk[200] = "";
    for (int i = 0; i < 43; i++) /* 43 characters, 129 bytes */
        strncat(cjk, "汉", sizeof(cjk) - strlen(cjk) - 1);
    assert_true(fails_with(&p, "zhangsan", cjk, too_long));
}

static void test_policy_classes(void **state)
{
    pw_policy p = {.min_length = 10, .classes = 3};
    assert_true(fails_with(&p, "zhangsan", "abcdefghijkl", C3));
    assert_true(fails_with(&p, "zhangsan", "abcdefgh12", C3));
    assert_true(fails_with(&p, "zhangsan", "密码密码密码密码密码", C3));
    assert_true(passes(&p, "zhangsan", "abcdefgh1!"));
    assert_true(passes(&p, "zhangsan", "abcdefgh1 ")); /* space is a symbol */
    assert_true(passes(&p, "zhangsan", "abcdefgh1密")); /* so is non-ASCII */
    assert_true(passes(&p, "zhangsan", "ABCDEFGH1a"));
    p.classes = 2;
    assert_true(passes(&p, "zhangsan", "abcdefgh12"));
    assert_true(fails_with(&p, "zhangsan", "abcdefghij",
                           "须包含大写字母、小写字母、数字、符号中的至少 2 类"));
    p.classes = 4;
    const char *c4 = "须包含大写字母、小写字母、数字、符号中的至少 4 类";
    assert_true(fails_with(&p, "zhangsan", "Abcdefgh12", c4));
    assert_true(passes(&p, "zhangsan", "Abcdefgh1#"));
    /* out-of-range settings are clamped, not trusted */
    p.classes = 9;
    assert_true(fails_with(&p, "zhangsan", "Abcdefgh12", c4));
    p.classes = 0;
    p.min_length = 0;
    assert_true(passes(&p, NULL, "a"));
    assert_true(fails_with(&p, NULL, "", "至少 1 个字符"));
}

static void test_policy_username(void **state)
{
    pw_policy p = {.min_length = 10, .classes = 3};
    assert_true(fails_with(&p, "zhangsan", "Zhangsan#2024", USERNAME));
    assert_true(fails_with(&p, "zhangsan", "2024#ZHANGSAN", USERNAME));
    assert_true(fails_with(&p, "ZhangSan", "x1!zhangsanX", USERNAME));
    assert_true(passes(&p, "zhangsan", "Zhang-san#2024"));
    assert_true(fails_with(&p, "wxy", "Abwxy12345!", USERNAME));
    assert_true(fails_with(&p, "张三丰", "张三丰Abc123!!", USERNAME));
    /* a 2-character name only counts when it is the whole password */
    assert_true(passes(&p, "li", "Olivia#2024x"));
    pw_policy loose = {.min_length = 1, .classes = 1};
    assert_true(fails_with(&loose, "li", "LI", USERNAME));
    assert_true(fails_with(&loose, "zhangsan", "ZhangSan", USERNAME));
    assert_true(passes(&loose, "li", "lii"));
    assert_true(passes(&loose, "", "anything"));
    assert_true(passes(&loose, NULL, "anything"));
}

static void test_policy_encoding(void **state)
{
    pw_policy p = {.min_length = 10, .classes = 3};
    assert_true(fails_with(&p, "u", "Abcdefg12!\xff", "含有无效的字符编码"));
    assert_true(fails_with(&p, "u", "Abcdefg12!\xe5\xbc", "含有无效的字符编码"));
    assert_true(fails_with(&p, "u", "Abcdefg12!\xc0\xaf", "含有无效的字符编码")); /* overlong */
    assert_true(fails_with(&p, "u", "Abcdefg12!\t", "不能包含控制字符"));
    assert_true(fails_with(&p, "u", "Abcdefg12!\x7f", "不能包含控制字符"));
    assert_true(fails_with(&p, "u", "Abcdefg12!\xc2\x85", "不能包含控制字符")); /* U+0085 */
    /* reason may be NULL; NULL arguments are refused */
    assert_int_equal(passwd_check_policy(&p, "u", "Abcdefg12!", NULL), FZ_OK);
    assert_int_equal(passwd_check_policy(&p, "u", "short", NULL), FZ_INVALID);
    assert_int_equal(passwd_check_policy(&p, "u", NULL, NULL), FZ_INVALID);
    assert_int_equal(passwd_check_policy(NULL, "u", "Abcdefg12!", NULL), FZ_INVALID);
}

/* ---- generation ---- */

static void test_generate_passes_strict_policy(void **state)
{
    static const char alphabet[] =
        "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#$%&*+-=?@_";
    size_t seen[256] = {0}, lead[4] = {0};
    char pw[PASSWD_MAX_BYTES + 1];
    for (int n = 0; n < 1000; n++) {
        size_t len = n % 3 == 0 ? 12 : n % 3 == 1 ? 16 : 24;
        assert_int_equal(passwd_generate(pw, sizeof(pw), len), FZ_OK);
        assert_int_equal(strlen(pw), len);
        pw_policy strict = {.min_length = (int)len, .classes = 4};
        if (!passes(&strict, NULL, pw))
            fail_msg("generated %s fails the policy", pw);
        for (size_t i = 0; i < len; i++) {
            if (!strchr(alphabet, pw[i]))
                fail_msg("generated %s has %c", pw, pw[i]);
            seen[(unsigned char)pw[i]]++;
        }
        lead[0] += pw[0] >= 'A' && pw[0] <= 'Z';
        lead[1] += pw[1] >= 'a' && pw[1] <= 'z';
        lead[2] += pw[2] >= '0' && pw[2] <= '9';
        lead[3] += strchr("!#$%&*+-=?@_", pw[3]) != NULL;
    }
    /* The guaranteed characters are shuffled in: no position keeps one class
     * (expected rate at most 36%; 60% is far out of reach by chance). */
    for (int i = 0; i < 4; i++)
        if (lead[i] > 600)
            fail_msg("position %d had its class %zu times in 1000", i, lead[i]);
    /* 17333 draws over 69 characters: every one of them turns up */
    for (const char *c = alphabet; *c; c++)
        if (seen[(unsigned char)*c] == 0)
            fail_msg("never generated %c", *c);

    assert_int_equal(passwd_generate(pw, sizeof(pw), PASSWD_MAX_BYTES), FZ_OK);
    pw_policy max = {.min_length = PASSWD_MAX_BYTES, .classes = 4};
    assert_true(passes(&max, NULL, pw));
}

static void test_generate_bad_args(void **state)
{
    char pw[256];
    assert_int_equal(passwd_generate(pw, sizeof(pw), 11), FZ_INVALID);
    assert_int_equal(passwd_generate(pw, 12, 12), FZ_INVALID); /* no room for NUL */
    assert_int_equal(passwd_generate(pw, 13, 12), FZ_OK);
    assert_int_equal(passwd_generate(pw, sizeof(pw), PASSWD_MAX_BYTES + 1), FZ_INVALID);
    assert_int_equal(passwd_generate(NULL, 20, 12), FZ_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_argon2_hash_verify),
        cmocka_unit_test(test_argon2_other_params),
        cmocka_unit_test(test_pbkdf2_vector),
        cmocka_unit_test(test_pbkdf2_hash_round_trip),
        cmocka_unit_test(test_pbkdf2_needs_rehash_params),
        cmocka_unit_test(test_verify_malformed),
        cmocka_unit_test(test_algo_names),
        cmocka_unit_test(test_policy_length),
        cmocka_unit_test(test_policy_classes),
        cmocka_unit_test(test_policy_username),
        cmocka_unit_test(test_policy_encoding),
        cmocka_unit_test(test_generate_passes_strict_policy),
        cmocka_unit_test(test_generate_bad_args),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
