/* test_fieldcrypt.c: engine/fieldcrypt.h: loading DIR/fazhi.key (layout,
 * permissions, every kind of bad content), sealing and opening fields (round
 * trips, tampering with each byte, wrong keys, short blobs), and the display
 * masks, each run on an exactly-sized heap buffer so ASan sees any overrun. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/status.h"
#include "core/validate.h"
#include "engine/fieldcrypt.h"

/* bytes 0x00, 0x01, ... 0x3f */
static const char KEY_HEX[] =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f";

static char g_dir[64];
static char g_path[128];

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(p);
}

static int setup(void **state)
{
    snprintf(g_dir, sizeof(g_dir), "/tmp/fz-fieldcrypt-XXXXXX");
    if (!mkdtemp(g_dir))
        return -1;
    snprintf(g_path, sizeof(g_path), "%s/fazhi.key", g_dir);
    return 0;
}

static int teardown(void **state)
{
    return nftw(g_dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static void write_key(const char *content, size_t len, mode_t mode)
{
    FILE *f = fopen(g_path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(content, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(g_path, mode), 0);
}

static void test_key_file_layout(void **state)
{
    write_key(KEY_HEX, 128, 0600);
    field_keys k;
    char err[256] = "";
    assert_int_equal(fieldcrypt_load(g_dir, &k, err, sizeof(err)), FZ_OK);
    for (int i = 0; i < SM4_KEY_LEN; i++)
        assert_int_equal(k.enc[i], i);
    for (int i = 0; i < SM3_LEN; i++)
        assert_int_equal(k.mac[i], SM4_KEY_LEN + i);

    /* trailing newline and upper-case digits are fine; 0400 too */
    char buf[200];
    snprintf(buf, sizeof(buf), "%s\n", KEY_HEX);
    for (char *p = buf; *p; p++)
        if (*p >= 'a' && *p <= 'f')
            *p = (char)(*p - 32);
    write_key(buf, 129, 0400);
    assert_int_equal(fieldcrypt_load(g_dir, &k, NULL, 0), FZ_OK);
    assert_int_equal(k.mac[SM3_LEN - 1], 47);
}

static void test_key_file_permissions(void **state)
{
    static const mode_t bad[] = {0640, 0604, 0660, 0644, 0601, 0610, 0777};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        write_key(KEY_HEX, 128, bad[i]);
        field_keys k;
        memset(&k, 0xaa, sizeof(k));
        char err[256] = "";
        assert_int_equal(fieldcrypt_load(g_dir, &k, err, sizeof(err)), FZ_INVALID);
        assert_non_null(strstr(err, "权限过宽"));
        assert_non_null(strstr(err, "应为 0600"));
        assert_non_null(strstr(err, g_path));
        static const field_keys zero;
        assert_memory_equal(&k, &zero, sizeof(k)); /* nothing half-loaded */
    }
}

static void test_key_file_contents(void **state)
{
    char buf[300];
    field_keys k;
    char err[256];
    struct {
        const char *what;
        size_t cut; /* bytes of KEY_HEX used */
        const char *suffix;
    } bad[] = {
        {"empty", 0, ""},
        {"127 digits", 127, ""},
        {"129 digits", 128, "0"},
        {"130 digits", 128, "00"},
        {"CRLF", 128, "\r\n"},
        {"two newlines", 128, "\n\n"},
        {"trailing space", 128, " "},
        {"newline only", 0, "\n"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int n = snprintf(buf, sizeof(buf), "%.*s%s", (int)bad[i].cut, KEY_HEX, bad[i].suffix);
        write_key(buf, (size_t)n, 0600);
        err[0] = '\0';
        if (fieldcrypt_load(g_dir, &k, err, sizeof(err)) != FZ_INVALID)
            fail_msg("accepted key file: %s", bad[i].what);
        assert_non_null(strstr(err, "格式错误"));
    }
    /* a non-hex digit anywhere, or a leading space */
    static const size_t at[] = {0, 1, 63, 127};
    for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
        memcpy(buf, KEY_HEX, 128);
        buf[at[i]] = 'g';
        write_key(buf, 128, 0600);
        assert_int_equal(fieldcrypt_load(g_dir, &k, err, sizeof(err)), FZ_INVALID);
    }
    buf[0] = ' ';
    memcpy(buf + 1, KEY_HEX, 127);
    write_key(buf, 128, 0600);
    assert_int_equal(fieldcrypt_load(g_dir, &k, err, sizeof(err)), FZ_INVALID);
    /* a long file is not read to the end */
    static char big[70000];
    memset(big, 'a', sizeof(big));
    write_key(big, sizeof(big), 0600);
    assert_int_equal(fieldcrypt_load(g_dir, &k, err, sizeof(err)), FZ_INVALID);
}

static void test_key_file_missing_or_odd(void **state)
{
    field_keys k;
    char err[256] = "";
    assert_int_equal(fieldcrypt_load(g_dir, &k, err, sizeof(err)), FZ_NOTFOUND);
    assert_non_null(strstr(err, "不存在"));
    assert_int_equal(mkdir(g_path, 0700), 0);
    assert_int_equal(fieldcrypt_load(g_dir, &k, err, sizeof(err)), FZ_INVALID);
    assert_non_null(strstr(err, "不是普通文件"));
    /* a tiny err buffer is truncated, not overrun */
    char tiny[8];
    assert_int_equal(fieldcrypt_load(g_dir, &k, tiny, sizeof(tiny)), FZ_INVALID);
    assert_true(strlen(tiny) < sizeof(tiny));
}

/* ---- seal / open ---- */

static field_keys keys_from(unsigned char seed)
{
    field_keys k;
    for (size_t i = 0; i < sizeof(k.enc); i++)
        k.enc[i] = (unsigned char)(seed + i);
    for (size_t i = 0; i < sizeof(k.mac); i++)
        k.mac[i] = (unsigned char)(seed * 3 + i);
    return k;
}

static void test_seal_open_round_trip(void **state)
{
    field_keys k = keys_from(1);
    static const char *const texts[] = {"11010519491231002X", "13812345678", "",
                                        "北京市朝阳区某某路 1 号院"};
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        size_t len = strlen(texts[i]);
        unsigned char *blob = NULL, *blob2 = NULL;
        size_t bl = 0, bl2 = 0;
        assert_int_equal(fieldcrypt_seal(&k, texts[i], len, &blob, &bl), FZ_OK);
        assert_int_equal(bl, len + SM_SEAL_OVERHEAD);
        if (len)
            assert_null(memmem(blob, bl, texts[i], len)); /* not stored in clear */
        char *text = NULL;
        assert_int_equal(fieldcrypt_open(&k, blob, bl, &text), FZ_OK);
        assert_string_equal(text, texts[i]);
        free(text);
        /* a fresh IV each time: equal values do not give equal blobs */
        assert_int_equal(fieldcrypt_seal(&k, texts[i], len, &blob2, &bl2), FZ_OK);
        assert_memory_not_equal(blob, blob2, SM4_IV_LEN);
        free(blob);
        free(blob2);
    }
    unsigned char *blob = NULL;
    size_t bl = 0;
    assert_int_equal(fieldcrypt_seal(&k, NULL, 0, &blob, &bl), FZ_OK);
    char *text = NULL;
    assert_int_equal(fieldcrypt_open(&k, blob, bl, &text), FZ_OK);
    assert_string_equal(text, "");
    free(text);
    free(blob);
    assert_int_equal(fieldcrypt_seal(&k, NULL, 3, &blob, &bl), FZ_INVALID);
    assert_null(blob);
}

static void test_open_tampered_or_wrong_key(void **state)
{
    field_keys k = keys_from(1);
    const char *id = "11010519491231002X";
    unsigned char *blob = NULL;
    size_t bl = 0;
    assert_int_equal(fieldcrypt_seal(&k, id, strlen(id), &blob, &bl), FZ_OK);
    /* every byte: IV, ciphertext and MAC */
    for (size_t i = 0; i < bl; i++) {
        blob[i] ^= 0x01;
        char *text = (char *)1;
        if (fieldcrypt_open(&k, blob, bl, &text) != FZ_INVALID)
            fail_msg("tampered byte %zu accepted", i);
        assert_null(text);
        blob[i] ^= 0x01;
    }
    char *text = NULL;
    /* truncated or extended */
    assert_int_equal(fieldcrypt_open(&k, blob, bl - 1, &text), FZ_INVALID);
    assert_int_equal(fieldcrypt_open(&k, blob, SM_SEAL_OVERHEAD - 1, &text), FZ_INVALID);
    assert_int_equal(fieldcrypt_open(&k, blob, 0, &text), FZ_INVALID);
    assert_int_equal(fieldcrypt_open(&k, NULL, bl, &text), FZ_INVALID);
    assert_null(text);
    /* another key file */
    field_keys other = keys_from(2);
    assert_int_equal(fieldcrypt_open(&other, blob, bl, &text), FZ_INVALID);
    assert_null(text);
    /* the same SM4 key under another MAC key: the MAC check refuses it */
    field_keys macdiff = k;
    macdiff.mac[0] ^= 0x80;
    assert_int_equal(fieldcrypt_open(&macdiff, blob, bl, &text), FZ_INVALID);
    assert_int_equal(fieldcrypt_open(&k, blob, bl, &text), FZ_OK);
    assert_string_equal(text, id);
    free(text);
    free(blob);
}

/* ---- masks ---- */

typedef void (*mask_fn)(const char *, char *);

static void expect_mask(mask_fn f, const char *in, const char *want)
{
    size_t n = strlen(in) + 1;
    char *out = malloc(n); /* exactly the documented size */
    assert_non_null(out);
    f(in, out);
    if (strcmp(out, want) != 0)
        fail_msg("mask(%s) = %s, want %s", in, out, want);
    assert_true(utf8_valid(out, strlen(out)) || !utf8_valid(in, n - 1));
    free(out);
}

static void test_mask_phone(void **state)
{
    expect_mask(mask_phone, "13812345678", "138****5678");
    expect_mask(mask_phone, "010-12345678", "010*****5678");
    expect_mask(mask_phone, "+8613812345678", "+86*******5678");
    expect_mask(mask_phone, "1381234567", "******4567"); /* 10: last 4 only */
    expect_mask(mask_phone, "12345678", "****5678");
    expect_mask(mask_phone, "1234567", "*******");
    expect_mask(mask_phone, "1234", "****");
    expect_mask(mask_phone, "1", "*");
    expect_mask(mask_phone, "", "");
    /* full-width digits: 11 characters, 33 bytes, all hidden */
    expect_mask(mask_phone, "１３８１２３４５６７８", "*********************************");
}

static void test_mask_idcard(void **state)
{
    expect_mask(mask_idcard, "11010519491231002X", "110105********002X");
    expect_mask(mask_idcard, "110105491231002", "110105*****1002");
    expect_mask(mask_idcard, "11010519491231", "110105****1231"); /* 14: 4 hidden */
    expect_mask(mask_idcard, "1101051949123", "*********9123");   /* 13: last 4 only */
    expect_mask(mask_idcard, "12345678", "****5678");
    expect_mask(mask_idcard, "1234567", "*******");
    expect_mask(mask_idcard, "", "");
}

static void test_mask_name(void **state)
{
    expect_mask(mask_name, "张三", "张*");
    expect_mask(mask_name, "张三丰", "张**");
    expect_mask(mask_name, "欧阳娜娜", "欧***");
    expect_mask(mask_name, "阿依古丽·买买提", "阿*******");
    expect_mask(mask_name, "张", "张");
    expect_mask(mask_name, "", "");
    expect_mask(mask_name, "John Smith", "J*********");
    expect_mask(mask_name, "𠀀三", "𠀀*"); /* 4-byte first character */
    expect_mask(mask_name, "Zoë", "Z**");
    /* ill-formed input: never split, never read past the NUL */
    expect_mask(mask_name, "\xe5\xbc", "*");           /* cut-short first character */
    expect_mask(mask_name, "\xbc\xa0\xe4\xb8\x89", "**"); /* stray continuation first */
    expect_mask(mask_name, "张\xff三", "张**");
    expect_mask(mask_name, "张\xe4\xb8", "张*");
    expect_mask(mask_name, "\xc0\xaf" "a", "**");       /* overlong first character */
    expect_mask(mask_name, "\xe0\x80\xaf" "三", "**");  /* overlong, 3 bytes */
    expect_mask(mask_name, "\xed\xa0\x80" "a", "**");   /* surrogate U+D800 */
    expect_mask(mask_name, "\xf4\x90\x80\x80" "a", "**"); /* above U+10FFFF */
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_key_file_layout),
        T(test_key_file_permissions),
        T(test_key_file_contents),
        T(test_key_file_missing_or_odd),
        cmocka_unit_test(test_seal_open_round_trip),
        cmocka_unit_test(test_open_tampered_or_wrong_key),
        cmocka_unit_test(test_mask_phone),
        cmocka_unit_test(test_mask_idcard),
        cmocka_unit_test(test_mask_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
