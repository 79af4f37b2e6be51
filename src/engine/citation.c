/* citation.c: legal_basis citations against the laws catalog (citation.h). */
#include "engine/citation.h"
#include "store/store.h"
#include "core/status.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const char *const DIGITS[] = {"零", "一", "二", "三", "四", "五", "六", "七", "八", "九", NULL};

/* The digit 0-9 of the 3-byte character at s, or -1. 〇 and 两 count too. */
static int cn_digit(const char *s)
{
    for (int i = 0; DIGITS[i]; i++)
        if (!strncmp(s, DIGITS[i], 3))
            return i;
    if (!strncmp(s, "〇", 3))
        return 0;
    if (!strncmp(s, "两", 3))
        return 2;
    return -1;
}

long citation_number(const char *s, size_t n)
{
    if (n == 0 || n > 64)
        return -1;
    if (s[0] >= '0' && s[0] <= '9') {
        long v = 0;
        for (size_t i = 0; i < n; i++) {
            if (s[i] < '0' || s[i] > '9' || v > 100000)
                return -1;
            v = v * 10 + (s[i] - '0');
        }
        return v;
    }
    /* 千/百/十 units with a digit before them; 十 alone at the start is 10. */
    if (n % 3)
        return -1;
    long total = 0;
    int digit = -1;
    for (size_t i = 0; i < n; i += 3) {
        int d = cn_digit(s + i);
        long unit = !strncmp(s + i, "十", 3) ? 10 : !strncmp(s + i, "百", 3) ? 100 : !strncmp(s + i, "千", 3) ? 1000 : 0;
        if (d >= 0) {
            digit = d;
        } else if (unit) {
            if (digit < 0 && !(unit == 10 && i == 0))
                return -1;
            total += (digit < 0 ? 1 : digit) * unit;
            digit = -1;
        } else {
            return -1;
        }
    }
    return total + (digit > 0 ? digit : 0);
}

int citation_check(store_conn *c, const char *text, char *why, size_t n)
{
    int64_t has = 0;
    if (store_query_int(c, &has, 0, "SELECT count(*) FROM def_columns WHERE tbl = 'cat_laws'", ""))
        return FZ_ERR;
    if (!has)
        return 0;
    const char *p = strstr(text, "《");
    if (!p) {
        snprintf(why, n, "须引用法律法规名录中的法规，如：《中华人民共和国政府信息公开条例》第三十六条");
        return 1;
    }
    for (; p; p = strstr(p, "《")) {
        const char *title = p + strlen("《");
        const char *end = strstr(title, "》");
        if (!end || end == title || end - title > 600) {
            snprintf(why, n, "书名号《》不完整");
            return 1;
        }
        char name[601], shown[160];
        snprintf(name, sizeof(name), "%.*s", (int)(end - title), title);
        /* For messages: at most 150 bytes, cut at a character boundary. */
        size_t k = strlen(name) < 150 ? strlen(name) : 150;
        while (k > 0 && (name[k] & 0xC0) == 0x80)
            k--;
        snprintf(shown, sizeof(shown), "%.*s%s", (int)k, name, k < strlen(name) ? "…" : "");
        int64_t articles = -1;
        if (store_query_int(c, &articles, -1,
                            "SELECT coalesce(f_articles, 0) FROM cat_laws WHERE f_title = ? AND valid_to = 0"
                            " ORDER BY f_promulgated_on DESC LIMIT 1",
                            "s", name))
            return FZ_ERR;
        if (articles < 0) {
            snprintf(why, n, "法律法规名录中没有《%s》（请先在名录中新增或用 fazhi laws import 导入）", shown);
            return 1;
        }
        p = end + strlen("》");
        if (!strncmp(p, "第", 3)) {
            const char *num = p + 3, *tiao = strstr(num, "条");
            long num_k = tiao ? citation_number(num, (size_t)(tiao - num)) : -1;
            if (num_k <= 0) {
                snprintf(why, n, "《%s》后的条号应写作“第N条”", shown);
                return 1;
            }
            if (articles > 0 && num_k > articles) {
                snprintf(why, n, "《%s》共 %lld 条，没有第 %ld 条", shown, (long long)articles, num_k);
                return 1;
            }
        }
    }
    return 0;
}
