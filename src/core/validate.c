/* validate.c: identifier and UTF-8 checks (see validate.h). The algorithms
 * and their sources are in DOMAIN.md §7; the comments here only say where
 * we deliberately accept more or less than a naive reading would. */
#include "core/validate.h"
#include "core/status.h"
#include "core/timeutil.h"

#include <string.h>

static void set_reason(const char **reason, const char *text)
{
    if (reason)
        *reason = text;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return 0;
    return 1;
}

static int two_digits(const char *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* The 34 provincial-level codes of GB/T 2260 (71 台湾, 81 香港, 82 澳门). */
static int province_known(int pp)
{
    static const unsigned char codes[] = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34,
                                          35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
                                          53, 54, 61, 62, 63, 64, 65, 71, 81, 82};
    for (size_t i = 0; i < sizeof(codes); i++)
        if (codes[i] == pp)
            return 1;
    return 0;
}

/* ---- 统一社会信用代码 ------------------------------------------------------ */

static const char uscc_charset[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static int uscc_value(char c)
{
    if (c == '\0')
        return -1;
    const char *p = strchr(uscc_charset, c);
    return p ? (int)(p - uscc_charset) : -1;
}

int uscc_check_char(const char *s17, char *out)
{
    /* Weight of position i is 3^i mod 31 (DOMAIN §7). */
    int sum = 0, w = 1;
    for (int i = 0; i < 17; i++) {
        int v = uscc_value(s17[i]);
        if (v < 0)
            return FZ_INVALID;
        sum += v * w;
        w = w * 3 % 31;
    }
    *out = uscc_charset[(31 - sum % 31) % 31];
    return FZ_OK;
}

int orgcode_check_char(const char *s8, char *out)
{
    static const int weights[8] = {3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 8; i++) {
        char c = s8[i];
        int v;
        if (is_digit(c))
            v = c - '0';
        else if (c >= 'A' && c <= 'Z')
            v = c - 'A' + 10;
        else
            return FZ_INVALID;
        sum += v * weights[i];
    }
    int r = 11 - sum % 11;
    *out = (char)(r == 10 ? 'X' : r == 11 ? '0' : '0' + r);
    return FZ_OK;
}

int validate_uscc_ex(const char *s, int *check_ok, int *org_check_ok, const char **reason)
{
    set_reason(reason, NULL);
    if (!s || strnlen(s, USCC_LEN + 1) != USCC_LEN) {
        set_reason(reason, "长度应为18位");
        return FZ_INVALID;
    }
    for (int i = 0; i < USCC_LEN; i++) {
        if (uscc_value(s[i]) < 0) {
            set_reason(reason, "含非法字符");
            return FZ_INVALID;
        }
    }
    /* Region part: only digits and a province-like prefix are required.
     * 10xxxx marks national registrations, and codes of bodies such as the
     * 兵团 do not follow GB/T 2260, so the exact province list is not used. */
    if (!all_digits(s + 2, 6) || two_digits(s + 2) < 10 || two_digits(s + 2) > 82) {
        set_reason(reason, "登记管理机关行政区划码无效");
        return FZ_INVALID;
    }
    char c, org;
    uscc_check_char(s, &c);
    int ok = c == s[17];
    if (check_ok)
        *check_ok = ok;
    if (org_check_ok)
        *org_check_ok = orgcode_check_char(s + 8, &org) == FZ_OK && org == s[16];
    if (!ok)
        set_reason(reason, "校验码不符，请核对（早期试点代码可能不符合校验规则）");
    return FZ_OK;
}

int validate_uscc(const char *s, int *check_ok)
{
    return validate_uscc_ex(s, check_ok, NULL, NULL);
}

static int copy18_upper(const char *in, char out[19], int only_last)
{
    if (!in || strnlen(in, 19) != 18)
        return FZ_INVALID;
    memcpy(out, in, 19);
    for (int i = only_last ? 17 : 0; i < 18; i++)
        if (out[i] >= 'a' && out[i] <= 'z')
            out[i] = (char)(out[i] - 'a' + 'A');
    return FZ_OK;
}

int uscc_normalize(const char *in, char out[USCC_LEN + 1])
{
    return copy18_upper(in, out, 0);
}

/* ---- 居民身份证号码 -------------------------------------------------------- */

int idcard_check_char(const char *s17, char *out)
{
    static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        if (!is_digit(s17[i]))
            return FZ_INVALID;
        sum += (s17[i] - '0') * weights[i];
    }
    *out = "10X98765432"[sum % 11];
    return FZ_OK;
}

int idcard_normalize(const char *in, char out[IDCARD_LEN + 1])
{
    return copy18_upper(in, out, 1);
}

int idcard_birth(const char *s, int *yyyymmdd)
{
    if (!s || strnlen(s, IDCARD_LEN + 1) != IDCARD_LEN || !all_digits(s + 6, 8))
        return FZ_INVALID;
    int v = 0;
    for (int i = 6; i < 14; i++)
        v = v * 10 + (s[i] - '0');
    if (date_from_yyyymmdd(v, NULL, NULL, NULL) != FZ_OK)
        return FZ_INVALID;
    *yyyymmdd = v;
    return FZ_OK;
}

int idcard_sex(const char *s, int *sex)
{
    if (!s || strnlen(s, IDCARD_LEN + 1) != IDCARD_LEN || !is_digit(s[16]))
        return FZ_INVALID;
    *sex = (s[16] - '0') % 2 ? 1 : 2;
    return FZ_OK;
}

int validate_idcard(const char *s, int today_yyyymmdd, const char **reason)
{
    set_reason(reason, NULL);
    if (!s || strnlen(s, IDCARD_LEN + 1) != IDCARD_LEN) {
        set_reason(reason, "长度应为18位");
        return FZ_INVALID;
    }
    char last = (char)(s[17] == 'x' ? 'X' : s[17]);
    if (!all_digits(s, 17) || (!is_digit(last) && last != 'X')) {
        set_reason(reason, "含非法字符");
        return FZ_INVALID;
    }
    int pp = two_digits(s);
    if (!province_known(pp) && pp != 83) {
        set_reason(reason, "地址码无效");
        return FZ_INVALID;
    }
    int birth;
    if (idcard_birth(s, &birth) != FZ_OK || birth < 19000101 ||
        (today_yyyymmdd > 0 && birth > today_yyyymmdd)) {
        set_reason(reason, "出生日期无效");
        return FZ_INVALID;
    }
    char c = 0;
    idcard_check_char(s, &c);
    if (c != last) {
        set_reason(reason, "校验码错误");
        return FZ_INVALID;
    }
    return FZ_OK;
}

/* ---- 行政区划代码 --------------------------------------------------------- */

static int zeros(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != '0')
            return 0;
    return 1;
}

int region_code_validate(const char *code12)
{
    if (!code12 || strnlen(code12, REGION_CODE_LEN + 1) != REGION_CODE_LEN ||
        !all_digits(code12, REGION_CODE_LEN) || !province_known(two_digits(code12)))
        return FZ_INVALID;
    int pref0 = zeros(code12 + 2, 2), county0 = zeros(code12 + 4, 2);
    int town0 = zeros(code12 + 6, 3), village0 = zeros(code12 + 9, 3);
    if (pref0 && !(county0 && town0 && village0))
        return FZ_INVALID;
    if (town0 && !village0)
        return FZ_INVALID;
    /* county0 with a township is allowed under a prefecture: cities without
     * counties (东莞 441900 ...) code their towns directly, see validate.h. */
    return FZ_OK;
}

int region_code_normalize(const char *in, char out[REGION_CODE_LEN + 1])
{
    if (!in)
        return FZ_INVALID;
    size_t n = strnlen(in, REGION_CODE_LEN + 1);
    if ((n != 6 && n != 9 && n != 12) || !all_digits(in, n))
        return FZ_INVALID;
    memcpy(out, in, n);
    memset(out + n, '0', REGION_CODE_LEN - n);
    out[REGION_CODE_LEN] = '\0';
    return FZ_OK;
}

int region_code_level(const char *code12)
{
    if (region_code_validate(code12) != FZ_OK)
        return FZ_INVALID;
    if (!zeros(code12 + 9, 3))
        return 5;
    if (!zeros(code12 + 6, 3))
        return 4;
    if (!zeros(code12 + 4, 2))
        return 3;
    if (!zeros(code12 + 2, 2))
        return 2;
    return 1;
}

int region_code_parent(const char *code12, char out[REGION_CODE_LEN + 1])
{
    /* Offset of the digits that make up each level's own part, by level. */
    static const int start[6] = {0, 2, 4, 6, 9, 12};
    int level = region_code_level(code12);
    if (level < 1)
        return FZ_INVALID;
    if (level == 1)
        return FZ_NOTFOUND;
    memcpy(out, code12, REGION_CODE_LEN + 1);
    memset(out + start[level - 1], '0', (size_t)(start[level] - start[level - 1]));
    return FZ_OK;
}

int region_township_kind(const char *code12)
{
    int level = region_code_level(code12);
    if (level < 4)
        return FZ_INVALID;
    int t = (code12[6] - '0') * 100 + two_digits(code12 + 7);
    if (t < 100)
        return REGION_TOWN_STREET;
    if (t < 200)
        return REGION_TOWN_TOWN;
    if (t < 400)
        return REGION_TOWN_TOWNSHIP;
    if (t < 600)
        return REGION_TOWN_ENTERPRISE;
    return REGION_TOWN_OTHER;
}

const char *region_township_kind_name(int kind)
{
    switch (kind) {
    case REGION_TOWN_STREET:
        return "街道";
    case REGION_TOWN_TOWN:
        return "镇";
    case REGION_TOWN_TOWNSHIP:
        return "乡";
    case REGION_TOWN_ENTERPRISE:
        return "政企合一单位";
    case REGION_TOWN_OTHER:
        return "其他";
    default:
        return NULL;
    }
}

/* ---- UTF-8 ---------------------------------------------------------------- */

/* Length of the well-formed sequence at p (at most n bytes available), or 0.
 * The second-byte ranges are those of Unicode Table 3-7; they are what
 * excludes overlongs (E0, F0), surrogates (ED) and > U+10FFFF (F4). */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
    unsigned char b = p[0];
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;
    if (b < 0x80)
        return 1;
    if (b >= 0xC2 && b <= 0xDF)
        len = 2;
    else if (b >= 0xE0 && b <= 0xEF)
        len = 3;
    else if (b >= 0xF0 && b <= 0xF4)
        len = 4;
    else
        return 0;
    if (b == 0xE0)
        lo = 0xA0;
    else if (b == 0xED)
        hi = 0x9F;
    else if (b == 0xF0)
        lo = 0x90;
    else if (b == 0xF4)
        hi = 0x8F;
    if (n < len || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (p[i] < 0x80 || p[i] > 0xBF)
            return 0;
    return len;
}

int utf8_count(const char *s, size_t len, size_t *chars)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, count = 0;
    while (i < len) {
        size_t k = utf8_seq(p + i, len - i);
        if (k == 0)
            return FZ_INVALID;
        i += k;
        count++;
    }
    if (chars)
        *chars = count;
    return FZ_OK;
}

int utf8_valid(const char *s, size_t len)
{
    return utf8_count(s, len, NULL) == FZ_OK;
}
