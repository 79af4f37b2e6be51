/* validate.h: checks for the identifiers Chinese administrative records carry
 * (统一社会信用代码, 居民身份证号码, 行政区划代码) and for UTF-8 text, after
 * DOMAIN.md §7.
 *
 * Conventions: functions named *_valid are predicates (1 = yes, 0 = no); the
 * others return FZ_OK / FZ_INVALID (or a non-negative value) from
 * core/status.h. Inputs are NUL-terminated and are not trimmed or case-folded
 * unless a *_normalize function says so. A `reason` out-parameter may be
 * NULL; when set it points to a static Chinese message (never freed, valid
 * for the life of the process) fit for an API error's "fields" entry, and
 * it is NULL when there is nothing to say. Nothing here allocates or keeps
 * state. */
#ifndef FZ_VALIDATE_H
#define FZ_VALIDATE_H

#include <stddef.h>

/* ---- 统一社会信用代码 (GB 32100-2015) ----------------------------------
 * 18 characters from 0123456789ABCDEFGHJKLMNPQRTUWXY (upper case only);
 * characters 3-8 are the registering authority's region code (digits, with
 * 10xxxx for national registrations); 9-17 embed the 组织机构代码 (GB 11714);
 * 18 is a MOD 31 check character.
 * A wrong check character is NOT a rejection: early pilot codes (e.g. some
 * Fujian "M..." codes) are legal and fail it. validate_uscc returns FZ_OK and
 * sets *check_ok = 0, and the caller shows a warning. */
#define USCC_LEN 18

/* FZ_OK when the shape is valid (then *check_ok is 1 or 0; check_ok may be
 * NULL); FZ_INVALID for a wrong length, a character outside the charset, or
 * an implausible region part. */
int validate_uscc(const char *s, int *check_ok);
/* As validate_uscc, also reporting whether the embedded 组织机构代码's own check
 * character (character 17) matches (*org_check_ok, may be NULL) and why the
 * code was rejected or warned about (*reason). */
int validate_uscc_ex(const char *s, int *check_ok, int *org_check_ok, const char **reason);
/* Computes the 18th character from the first 17 (which must be from the
 * charset; s17 may be longer, only 17 characters are read). */
int uscc_check_char(const char *s17, char *out);
/* Computes the GB 11714 check character ('0'-'9' or 'X') of an 8-character
 * 组织机构代码 body of digits and upper-case letters. */
int orgcode_check_char(const char *s8, char *out);
/* Copies in to out upper-cased (ASCII only); FZ_INVALID unless in has 18 bytes.
 * It does not validate: call validate_uscc on out. */
int uscc_normalize(const char *in, char out[USCC_LEN + 1]);

/* ---- 居民身份证号码 (GB 11643-1999) -------------------------------------
 * 6-digit address code + 8-digit birth date + 3-digit sequence (odd = male)
 * + ISO 7064 MOD 11-2 check character ('0'-'9' or 'X').
 * A lower-case 'x' check character is accepted; idcard_normalize gives the
 * canonical upper-case form, which is what should be stored. Only 18-digit
 * numbers are accepted (15-digit first-generation cards expired in 2013).
 * The address code is checked only for a real province (codes change every
 * year and an old code stays valid on an old card); 81/82/83 are accepted
 * for 港澳台居民居住证, which use the same format. */
#define IDCARD_LEN 18

/* FZ_OK or FZ_INVALID with *reason one of "长度应为18位", "含非法字符",
 * "地址码无效", "出生日期无效", "校验码错误". The birth date must lie between
 * 1900-01-01 and today_yyyymmdd inclusive; pass 0 to skip the upper bound.
 * Core reads no clock: callers pass today_yyyymmdd() from core/timeutil.h. */
int validate_idcard(const char *s, int today_yyyymmdd, const char **reason);
/* Computes the check character from the first 17 digits. */
int idcard_check_char(const char *s17, char *out);
/* Copies in to out with a final 'x' upper-cased; FZ_INVALID unless in has 18 bytes. */
int idcard_normalize(const char *in, char out[IDCARD_LEN + 1]);
/* Birth date as yyyymmdd from characters 7-14; FZ_INVALID if not a real date. */
int idcard_birth(const char *s, int *yyyymmdd);
/* Sex from the sequence code, as GB/T 2261.1: 1 = 男 (odd), 2 = 女 (even). */
int idcard_sex(const char *s, int *sex);

/* ---- 行政区划代码 (GB/T 2260 6-digit, 统计用区划代码 12-digit) -------------
 * code12 = province(2) prefecture(2) county(2) township(3) village(3).
 * A level may be non-zero only when the levels above it are, with one
 * exception: a township directly under a prefecture-level city that has no
 * counties (东莞 441900, 中山 442000, 儋州 460400, 嘉峪关 620200), coded
 * e.g. 441900003000. */
#define REGION_CODE_LEN 12

/* Pads a 6-, 9- or 12-digit code with zeros to 12 digits (520502 ->
 * 520502000000). FZ_INVALID for other lengths or non-digits. It checks the
 * form only, so that a placeholder such as 000000 still normalises: call
 * region_code_validate on out to check the code itself. */
int region_code_normalize(const char *in, char out[REGION_CODE_LEN + 1]);
/* FZ_OK for 12 digits with a real province (11-82) and a consistent structure. */
int region_code_validate(const char *code12);
/* 1 province, 2 prefecture, 3 county, 4 township, 5 village; FZ_INVALID if the
 * code does not validate. */
int region_code_level(const char *code12);
/* The code one level up (zeros in place of the lowest non-zero level):
 * FZ_OK, FZ_NOTFOUND for a province (no parent), or FZ_INVALID. */
int region_code_parent(const char *code12, char out[REGION_CODE_LEN + 1]);

/* 乡级 kinds by the township digits (GB/T 10114; DOMAIN §7). */
enum {
    REGION_TOWN_STREET = 1,     /* 001-099 街道 */
    REGION_TOWN_TOWN = 2,       /* 100-199 镇 */
    REGION_TOWN_TOWNSHIP = 3,   /* 200-399 乡 (incl. 民族乡, 苏木) */
    REGION_TOWN_ENTERPRISE = 4, /* 400-599 政企合一单位 (农场, 林场, 开发区 ...) */
    REGION_TOWN_OTHER = 5       /* 600-999: no rule found */
};
/* The kind of a level-4 or level-5 code's township; FZ_INVALID for a code
 * that does not validate or has no township part. */
int region_township_kind(const char *code12);
/* "街道", "镇", "乡", "政企合一单位", "其他"; NULL for an unknown kind. */
const char *region_township_kind_name(int kind);

/* ---- UTF-8 ---------------------------------------------------------------
 * Well-formed UTF-8 per RFC 3629 / Unicode Table 3-7: no overlong forms, no
 * surrogates (U+D800-DFFF), nothing above U+10FFFF, no truncated sequences.
 * U+0000 is well-formed and accepted: callers that need a C string must
 * reject embedded NULs themselves. */
int utf8_valid(const char *s, size_t len);
/* Counts code points (for length limits stated in characters, "不超过50字");
 * FZ_INVALID when s is not valid UTF-8. */
int utf8_count(const char *s, size_t len, size_t *chars);

#endif
