/* test_validate.c: USCC, ID-number, region-code and UTF-8 validators.
 *
 * Every expected check character below was computed twice: by hand for the
 * first two USCCs and the first ID number, and by an independent Python
 * script written from DOMAIN.md §7 (weights 3^i mod 31 and "10X98765432"),
 * not by the code under test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/status.h"
#include "core/validate.h"

/* ---- 统一社会信用代码 ---- */

/* Publicly cited codes whose check characters verify under GB 32100:
 * 91350100M000100Y43 (the Fujian "M" example; hand sum 1640 mod 31 = 28,
 * 31 - 28 = 3), 914403001922038216 (hand sum 831 mod 31 = 25, 31 - 25 = 6). */
static const char *const good_uscc[] = {
    "91350100M000100Y43", "914403001922038216", "91440300708461136T",
    "91110108551385082Q", "91110000802100433B",
    "91350100M000104H00", /* USCC sum ≡ 0 mod 31 (31 -> '0'); org check 11 -> '0' */
    "91100000MA00000073", /* region 100000: national registration */
    "9135010012345618XP", /* org check 10 -> 'X' */
};

static void test_uscc_valid(void **state)
{
    for (size_t i = 0; i < sizeof(good_uscc) / sizeof(good_uscc[0]); i++) {
        const char *s = good_uscc[i];
        int ok = -1, org_ok = -1;
        const char *reason = "unset";
        assert_int_equal(validate_uscc_ex(s, &ok, &org_ok, &reason), FZ_OK);
        assert_int_equal(ok, 1);
        assert_int_equal(org_ok, 1);
        assert_null(reason);
        ok = -1;
        assert_int_equal(validate_uscc(s, &ok), FZ_OK);
        assert_int_equal(ok, 1);
        char c = 0;
        assert_int_equal(uscc_check_char(s, &c), FZ_OK);
        assert_int_equal(c, s[17]);
    }
    assert_int_equal(validate_uscc("914403001922038216", NULL), FZ_OK);
}

static void test_uscc_wrong_check_is_warning(void **state)
{
    int ok = -1, org_ok = -1;
    const char *reason = NULL;
    /* Huawei's code with the last character changed 6 -> 7. */
    assert_int_equal(validate_uscc_ex("914403001922038217", &ok, &org_ok, &reason), FZ_OK);
    assert_int_equal(ok, 0);
    assert_int_equal(org_ok, 1);
    assert_non_null(reason);
    assert_non_null(strstr(reason, "校验码"));
    ok = -1;
    assert_int_equal(validate_uscc("91350100M000100Y4A", &ok), FZ_OK);
    assert_int_equal(ok, 0);
}

static void test_uscc_org_check_flag(void **state)
{
    /* The embedded 组织机构代码 check (char 17) broken, the USCC check recomputed. */
    int ok = -1, org_ok = -1;
    assert_int_equal(validate_uscc_ex("914403001922038229", &ok, &org_ok, NULL), FZ_OK);
    assert_int_equal(ok, 1);
    assert_int_equal(org_ok, 0);

    char c = 0;
    assert_int_equal(orgcode_check_char("19220382", &c), FZ_OK);
    assert_int_equal(c, '1');
    assert_int_equal(orgcode_check_char("M000100Y", &c), FZ_OK);
    assert_int_equal(c, '4');
    assert_int_equal(orgcode_check_char("1922038", &c), FZ_INVALID); /* short */
    assert_int_equal(orgcode_check_char("1922038a", &c), FZ_INVALID);
}

static void expect_uscc_invalid(const char *s, const char *why)
{
    const char *reason = NULL;
    int ok = 7;
    assert_int_equal(validate_uscc_ex(s, &ok, NULL, &reason), FZ_INVALID);
    assert_non_null(reason);
    assert_string_equal(reason, why);
}

static void test_uscc_invalid(void **state)
{
    expect_uscc_invalid("91440300192203821", "长度应为18位");
    expect_uscc_invalid("9144030019220382166", "长度应为18位");
    expect_uscc_invalid("", "长度应为18位");
    expect_uscc_invalid(NULL, "长度应为18位");
    /* I, O, S, V, Z are not in the charset; neither is lower case. */
    expect_uscc_invalid("91350100M000100I43", "含非法字符");
    expect_uscc_invalid("91350100M000100O43", "含非法字符");
    expect_uscc_invalid("91350100M000100S43", "含非法字符");
    expect_uscc_invalid("91350100M000100V43", "含非法字符");
    expect_uscc_invalid("91350100M000100Z43", "含非法字符");
    expect_uscc_invalid("91350100m000100y43", "含非法字符");
    expect_uscc_invalid("91350100M000100 43", "含非法字符");
    /* Region part must be digits with a province-like prefix. */
    expect_uscc_invalid("91A50100M000100Y43", "登记管理机关行政区划码无效");
    expect_uscc_invalid("91090100M000100Y43", "登记管理机关行政区划码无效");
    expect_uscc_invalid("91900100M000100Y43", "登记管理机关行政区划码无效");

    char c;
    assert_int_equal(uscc_check_char("91350100M000100I4", &c), FZ_INVALID);
    assert_int_equal(uscc_check_char("9135", &c), FZ_INVALID);
}

static void test_uscc_normalize(void **state)
{
    char out[USCC_LEN + 1];
    assert_int_equal(uscc_normalize("91350100m000100y43", out), FZ_OK);
    assert_string_equal(out, "91350100M000100Y43");
    int ok = 0;
    assert_int_equal(validate_uscc(out, &ok), FZ_OK);
    assert_int_equal(ok, 1);
    assert_int_equal(uscc_normalize("91350100m000100y4", out), FZ_INVALID);
}

/* ---- 居民身份证号码 ---- */

#define TODAY 20261129

static void test_idcard_valid(void **state)
{
    const char *reason = "unset";
    /* GB 11643 example: hand sum 167 mod 11 = 2 -> 'X'. */
    assert_int_equal(validate_idcard("11010519491231002X", TODAY, &reason), FZ_OK);
    assert_null(reason);
    assert_int_equal(validate_idcard("440304199912311237", TODAY, NULL), FZ_OK);
    /* 2000 is a leap year (divisible by 400). */
    assert_int_equal(validate_idcard("110105200002290021", TODAY, NULL), FZ_OK);
    /* Born today is allowed; 830000 is a 台湾居民居住证 address code. */
    assert_int_equal(validate_idcard("110105202611290018", TODAY, NULL), FZ_OK);
    assert_int_equal(validate_idcard("830000199001010012", TODAY, NULL), FZ_OK);

    char c;
    assert_int_equal(idcard_check_char("11010519491231002", &c), FZ_OK);
    assert_int_equal(c, 'X');
    assert_int_equal(idcard_check_char("1101051949123100A", &c), FZ_INVALID);
}

static void test_idcard_lowercase_x(void **state)
{
    assert_int_equal(validate_idcard("11010519491231002x", TODAY, NULL), FZ_OK);
    char out[IDCARD_LEN + 1];
    assert_int_equal(idcard_normalize("11010519491231002x", out), FZ_OK);
    assert_string_equal(out, "11010519491231002X");
    assert_int_equal(idcard_normalize("11010519491231002", out), FZ_INVALID);
}

static void expect_id_invalid(const char *s, int today, const char *why)
{
    const char *reason = NULL;
    assert_int_equal(validate_idcard(s, today, &reason), FZ_INVALID);
    assert_non_null(reason);
    assert_string_equal(reason, why);
}

static void test_idcard_invalid(void **state)
{
    expect_id_invalid("110105194912310021", TODAY, "校验码错误");
    expect_id_invalid("11010519491231002Y", TODAY, "含非法字符");
    expect_id_invalid("1101051949123100X2", TODAY, "含非法字符");
    expect_id_invalid("11010519491231002", TODAY, "长度应为18位");
    expect_id_invalid("110105491231002", TODAY, "长度应为18位"); /* 15-digit old card */
    expect_id_invalid("11010519491231002XX", TODAY, "长度应为18位");
    expect_id_invalid(NULL, TODAY, "长度应为18位");
    expect_id_invalid("000105194912310024", TODAY, "地址码无效");
    /* 1900 is not a leap year; the check digit (7) is right, the date is not. */
    expect_id_invalid("110105190002290017", TODAY, "出生日期无效");
    expect_id_invalid("110105194913010010", TODAY, "出生日期无效"); /* month 13 */
    expect_id_invalid("110105189912310015", TODAY, "出生日期无效"); /* before 1900 */
    expect_id_invalid("11010520261130001X", TODAY, "出生日期无效"); /* tomorrow */
    expect_id_invalid("11010520300101001X", TODAY, "出生日期无效");
    /* today = 0 skips only the upper bound. */
    assert_int_equal(validate_idcard("11010520300101001X", 0, NULL), FZ_OK);
    expect_id_invalid("110105190002290017", 0, "出生日期无效");
}

static void test_idcard_birth_sex(void **state)
{
    int birth = 0, sex = 0;
    assert_int_equal(idcard_birth("11010519491231002X", &birth), FZ_OK);
    assert_int_equal(birth, 19491231);
    assert_int_equal(idcard_sex("11010519491231002X", &sex), FZ_OK);
    assert_int_equal(sex, 2); /* sequence 002: even */
    assert_int_equal(idcard_sex("440304199912311237", &sex), FZ_OK);
    assert_int_equal(sex, 1); /* sequence 123: odd */
    assert_int_equal(idcard_birth("110105190002290017", &birth), FZ_INVALID);
    assert_int_equal(idcard_birth("1101051949", &birth), FZ_INVALID);
    assert_int_equal(idcard_sex("1101051949", &sex), FZ_INVALID);
}

/* ---- 行政区划代码 ---- */

static void test_region_normalize(void **state)
{
    char out[REGION_CODE_LEN + 1];
    assert_int_equal(region_code_normalize("520502", out), FZ_OK);
    assert_string_equal(out, "520502000000");
    assert_int_equal(region_code_normalize("520502001", out), FZ_OK);
    assert_string_equal(out, "520502001000");
    assert_int_equal(region_code_normalize("220581102201", out), FZ_OK);
    assert_string_equal(out, "220581102201");
    assert_int_equal(region_code_normalize("52050", out), FZ_INVALID);
    assert_int_equal(region_code_normalize("5205020", out), FZ_INVALID);
    assert_int_equal(region_code_normalize("5205020000001", out), FZ_INVALID);
    assert_int_equal(region_code_normalize("52050a", out), FZ_INVALID);
    /* Form only: a placeholder or an implausible code still pads; validate rejects it. */
    assert_int_equal(region_code_normalize("000000", out), FZ_OK);
    assert_string_equal(out, "000000000000");
    assert_int_equal(region_code_validate(out), FZ_INVALID);
    assert_int_equal(region_code_normalize("520002", out), FZ_OK);
    assert_int_equal(region_code_validate(out), FZ_INVALID);
    assert_int_equal(region_code_normalize(NULL, out), FZ_INVALID);
}

static void test_region_validate(void **state)
{
    assert_int_equal(region_code_validate("520502000000"), FZ_OK);
    assert_int_equal(region_code_validate("110000000000"), FZ_OK);
    assert_int_equal(region_code_validate("820000000000"), FZ_OK);
    assert_int_equal(region_code_validate("429004000000"), FZ_OK); /* 省直辖县级 (90) */
    assert_int_equal(region_code_validate("441900003000"), FZ_OK); /* 东莞 town */
    assert_int_equal(region_code_validate("520502000123"), FZ_INVALID); /* village, no township */
    assert_int_equal(region_code_validate("520002000000"), FZ_INVALID); /* county, no prefecture */
    assert_int_equal(region_code_validate("520000001000"), FZ_INVALID);
    assert_int_equal(region_code_validate("000000000000"), FZ_INVALID);
    assert_int_equal(region_code_validate("100000000000"), FZ_INVALID);
    assert_int_equal(region_code_validate("830000000000"), FZ_INVALID);
    assert_int_equal(region_code_validate("52050200000"), FZ_INVALID);
    assert_int_equal(region_code_validate("5205020000000"), FZ_INVALID);
    assert_int_equal(region_code_validate("52050200000X"), FZ_INVALID);
    assert_int_equal(region_code_validate(NULL), FZ_INVALID);
}

static void test_region_level_parent(void **state)
{
    assert_int_equal(region_code_level("520000000000"), 1);
    assert_int_equal(region_code_level("520500000000"), 2);
    assert_int_equal(region_code_level("520502000000"), 3);
    assert_int_equal(region_code_level("220581102000"), 4);
    assert_int_equal(region_code_level("220581102201"), 5);
    assert_int_equal(region_code_level("441900003000"), 4);
    assert_int_equal(region_code_level("520502000123"), FZ_INVALID);

    char out[REGION_CODE_LEN + 1];
    const char *chain[] = {"220581102201", "220581102000", "220581000000", "220500000000",
                           "220000000000"};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(region_code_parent(chain[i], out), FZ_OK);
        assert_string_equal(out, chain[i + 1]);
    }
    assert_int_equal(region_code_parent("220000000000", out), FZ_NOTFOUND);
    assert_int_equal(region_code_parent("441900003000", out), FZ_OK);
    assert_string_equal(out, "441900000000");
    assert_int_equal(region_code_parent("520502000123", out), FZ_INVALID);
}

static void test_region_township_kind(void **state)
{
    static const struct {
        const char *code;
        int kind;
    } cases[] = {
        {"520502001000", REGION_TOWN_STREET},     {"520502099000", REGION_TOWN_STREET},
        {"220581102000", REGION_TOWN_TOWN},       {"520502199000", REGION_TOWN_TOWN},
        {"520502200000", REGION_TOWN_TOWNSHIP},   {"520502399000", REGION_TOWN_TOWNSHIP},
        {"520502400000", REGION_TOWN_ENTERPRISE}, {"520502599000", REGION_TOWN_ENTERPRISE},
        {"520502600000", REGION_TOWN_OTHER},      {"220581102201", REGION_TOWN_TOWN},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_int_equal(region_township_kind(cases[i].code), cases[i].kind);
    assert_int_equal(region_township_kind("520502000000"), FZ_INVALID);
    assert_int_equal(region_township_kind("52050200100X"), FZ_INVALID);
    assert_string_equal(region_township_kind_name(REGION_TOWN_STREET), "街道");
    assert_string_equal(region_township_kind_name(REGION_TOWN_TOWN), "镇");
    assert_string_equal(region_township_kind_name(REGION_TOWN_TOWNSHIP), "乡");
    assert_string_equal(region_township_kind_name(REGION_TOWN_ENTERPRISE), "政企合一单位");
    assert_null(region_township_kind_name(0));
}

/* ---- UTF-8 ---- */

#define U8(lit) (lit), (sizeof(lit) - 1)

static void test_utf8(void **state)
{
    assert_true(utf8_valid(U8("")));
    assert_true(utf8_valid(NULL, 0));
    assert_true(utf8_valid(U8("abc")));
    assert_true(utf8_valid(U8("法治政府")));
    assert_true(utf8_valid(U8("\xC2\x80")));             /* U+0080, smallest 2-byte */
    assert_true(utf8_valid(U8("\xE0\xA0\x80")));         /* U+0800, smallest 3-byte */
    assert_true(utf8_valid(U8("\xED\x9F\xBF")));         /* U+D7FF, below surrogates */
    assert_true(utf8_valid(U8("\xEE\x80\x80")));         /* U+E000, above surrogates */
    assert_true(utf8_valid(U8("\xF0\x90\x80\x80")));     /* U+10000 */
    assert_true(utf8_valid(U8("\xF0\x9F\x98\x80")));     /* U+1F600 */
    assert_true(utf8_valid(U8("\xF4\x8F\xBF\xBF")));     /* U+10FFFF */
    assert_true(utf8_valid(U8("a\0b")));                 /* U+0000 is well-formed */

    assert_false(utf8_valid(U8("\xC3\x28")));
    assert_false(utf8_valid(U8("\xC0\xAF")));            /* overlong '/' */
    assert_false(utf8_valid(U8("\xC1\xBF")));            /* overlong */
    assert_false(utf8_valid(U8("\xE0\x80\xAF")));        /* overlong */
    assert_false(utf8_valid(U8("\xE0\x9F\xBF")));        /* overlong U+07FF */
    assert_false(utf8_valid(U8("\xF0\x80\x80\xAF")));    /* overlong */
    assert_false(utf8_valid(U8("\xF0\x8F\xBF\xBF")));    /* overlong U+FFFF */
    assert_false(utf8_valid(U8("\xED\xA0\x80")));        /* U+D800 */
    assert_false(utf8_valid(U8("\xED\xBF\xBF")));        /* U+DFFF */
    assert_false(utf8_valid(U8("\xF4\x90\x80\x80")));    /* U+110000 */
    assert_false(utf8_valid(U8("\xF5\x80\x80\x80")));
    assert_false(utf8_valid(U8("\xFE")));
    assert_false(utf8_valid(U8("\xFF")));
    assert_false(utf8_valid(U8("\x80")));                /* lone continuation */
    assert_false(utf8_valid(U8("\xE4\xB8")));            /* truncated 中 */
    assert_false(utf8_valid(U8("\xE4\xB8\x41")));        /* bad continuation */
    assert_false(utf8_valid(U8("\xF0\x9F\x98")));        /* truncated */
    assert_false(utf8_valid(U8("ok\xE4")));
    /* The length bounds the check: the same bytes cut short are invalid. */
    assert_true(utf8_valid("\xE4\xB8\xAD", 3));
    assert_false(utf8_valid("\xE4\xB8\xAD", 2));

    size_t n = 99;
    assert_int_equal(utf8_count(U8("中文abc\xF0\x9F\x98\x80"), &n), FZ_OK);
    assert_int_equal(n, 6);
    n = 99;
    assert_int_equal(utf8_count(U8("中\xED\xA0\x80"), &n), FZ_INVALID);
    assert_int_equal(n, 99);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uscc_valid),
        cmocka_unit_test(test_uscc_wrong_check_is_warning),
        cmocka_unit_test(test_uscc_org_check_flag),
        cmocka_unit_test(test_uscc_invalid),
        cmocka_unit_test(test_uscc_normalize),
        cmocka_unit_test(test_idcard_valid),
        cmocka_unit_test(test_idcard_lowercase_x),
        cmocka_unit_test(test_idcard_invalid),
        cmocka_unit_test(test_idcard_birth_sex),
        cmocka_unit_test(test_region_normalize),
        cmocka_unit_test(test_region_validate),
        cmocka_unit_test(test_region_level_parent),
        cmocka_unit_test(test_region_township_kind),
        cmocka_unit_test(test_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
