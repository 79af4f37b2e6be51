/* file_review.c: 案卷评查, the pure parts (see file_review.h). */
#include "engine/file_review.h"
#include "core/status.h"
#include "core/validate.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int file_review_parse_points(const char *s, int *points2)
{
    if (!s || !*s)
        return FZ_INVALID;
    int whole = 0, digits = 0;
    const char *p = s;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (++digits > 3)
            return FZ_INVALID;
        whole = whole * 10 + (*p - '0');
    }
    if (!digits)
        return FZ_INVALID;
    int half = 0;
    if (*p == '.') {
        p++;
        if (*p == '5')
            half = 1;
        else if (*p != '0')
            return FZ_INVALID;
        p++;
    }
    if (*p || whole > 100 || (whole == 100 && half))
        return FZ_INVALID;
    *points2 = whole * 2 + half;
    return FZ_OK;
}

int file_review_json_points(const json_t *v, int *points2)
{
    double d;
    if (json_is_integer(v))
        d = (double)json_integer_value(v);
    else if (json_is_real(v))
        d = json_real_value(v);
    else
        return FZ_INVALID;
    double h = d * 2;
    if (!(h >= 0 && h <= FR_FULL2) || h != floor(h))
        return FZ_INVALID;
    *points2 = (int)h;
    return FZ_OK;
}

json_t *file_review_points_json(int points2)
{
    return points2 % 2 ? json_real(points2 / 2.0) : json_integer(points2 / 2);
}

void file_review_points_text(int points2, char out[16])
{
    int neg = points2 < 0;
    int a = neg ? -points2 : points2;
    snprintf(out, 16, "%s%d%s", neg ? "-" : "", a / 2, a % 2 ? ".5" : "");
}

fr_kind file_review_kind(const char *text)
{
    if (text && !strcmp(text, "否决"))
        return FR_VETO;
    if (text && !strcmp(text, "扣分"))
        return FR_DEDUCTION;
    return 0;
}

const char *file_review_kind_code(fr_kind k)
{
    return k == FR_VETO ? "veto" : k == FR_DEDUCTION ? "deduction" : "";
}

int file_review_draw_key(const char *seed, const char *case_no, char out[SM3_HEX_LEN + 1])
{
    size_t a = strlen(seed), b = strlen(case_no);
    char *buf = malloc(a + b + 1);
    if (!buf)
        return FZ_NOMEM;
    memcpy(buf, seed, a);
    memcpy(buf + a, case_no, b);
    unsigned char d[SM3_LEN];
    int rc = sm3(buf, a + b, d);
    free(buf);
    if (rc)
        return FZ_ERR;
    sm3_hex(d, out);
    return FZ_OK;
}

static int cmp_candidate(const void *pa, const void *pb)
{
    const fr_candidate *a = pa, *b = pb;
    if (a->unit_id != b->unit_id)
        return a->unit_id < b->unit_id ? -1 : 1;
    int c = strcmp(a->key, b->key);
    if (c)
        return c;
    return a->case_id < b->case_id ? -1 : a->case_id > b->case_id;
}

int file_review_sample(fr_candidate *c, size_t n, const char *seed, int per_unit)
{
    for (size_t i = 0; i < n; i++)
        if (file_review_draw_key(seed, c[i].case_no, c[i].key) != FZ_OK)
            return -1;
    if (n > 1)
        qsort(c, n, sizeof(*c), cmp_candidate);
    int drawn = 0, rank = 0;
    for (size_t i = 0; i < n; i++) {
        rank = i > 0 && c[i].unit_id == c[i - 1].unit_id ? rank + 1 : 1;
        c[i].rank = rank;
        c[i].sampled = rank <= per_unit;
        drawn += c[i].sampled;
    }
    return drawn;
}

fr_band file_review_band(int score2)
{
    /* DOMAIN §8.4: >= 90 优秀, 60 to < 90 合格, < 60 不合格. */
    return score2 >= 180 ? FR_EXCELLENT : score2 >= 120 ? FR_PASS : FR_FAIL;
}

const char *file_review_band_code(fr_band b)
{
    static const char *const codes[] = {"", "excellent", "pass", "fail"};
    return b >= FR_BAND_NONE && b <= FR_FAIL ? codes[b] : "";
}

const char *file_review_band_label(fr_band b)
{
    static const char *const labels[] = {"", "优秀", "合格", "不合格"};
    return b >= FR_BAND_NONE && b <= FR_FAIL ? labels[b] : "";
}

fr_band file_review_band_parse(const char *code)
{
    for (int b = FR_EXCELLENT; b <= FR_FAIL; b++)
        if (code && !strcmp(code, file_review_band_code((fr_band)b)))
            return (fr_band)b;
    return FR_BAND_NONE;
}

/* A refusal naming items[idx](.f) with a Chinese reason. */
static int refuse(char field[64], char reason[256], const char *f, size_t idx, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int refuse(char field[64], char reason[256], const char *f, size_t idx, const char *fmt, ...)
{
    if (f)
        snprintf(field, 64, "items[%zu].%s", idx, f);
    else
        snprintf(field, 64, "items[%zu]", idx);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, 256, fmt, ap);
    va_end(ap);
    return FZ_INVALID;
}

int file_review_score(const fr_item *items, size_t nitems, const json_t *marks, json_t **norm, fr_result *res,
                      char field[64], char reason[256])
{
    static const char *const keys[] = {"code", "veto", "deduct", "note", NULL};
    *norm = NULL;
    if (!json_is_array(marks)) {
        snprintf(field, 64, "items");
        snprintf(reason, 256, "应为数组：[{code, veto 或 deduct, note}]");
        return FZ_INVALID;
    }
    size_t nm = json_array_size(marks);
    /* For each rubric item, the index of its mark (or -1). */
    long *at = malloc((nitems ? nitems : 1) * sizeof(*at));
    if (!at)
        return FZ_NOMEM;
    for (size_t k = 0; k < nitems; k++)
        at[k] = -1;
    int rc = FZ_OK;
    for (size_t i = 0; rc == FZ_OK && i < nm; i++) {
        json_t *m = json_array_get(marks, i);
        if (!json_is_object(m)) {
            rc = refuse(field, reason, NULL, i, "应为对象 {code, veto 或 deduct, note}");
            break;
        }
        const char *key;
        json_t *v;
        json_object_foreach(m, key, v)
        {
            int ok = 0;
            for (int k = 0; keys[k]; k++)
                ok |= !strcmp(key, keys[k]);
            if (!ok) {
                rc = refuse(field, reason, key, i, "未知字段 %s", key);
                break;
            }
        }
        if (rc)
            break;
        const char *code = json_string_value(json_object_get(m, "code"));
        if (!code || !*code) {
            rc = refuse(field, reason, "code", i, "必填：评查项编码");
            break;
        }
        size_t k = 0;
        while (k < nitems && strcmp(items[k].code, code) != 0)
            k++;
        if (k == nitems) {
            rc = refuse(field, reason, "code", i, "评查项 %s 不在本次评查所用的评查标准中", code);
            break;
        }
        if (at[k] >= 0) {
            rc = refuse(field, reason, "code", i, "评查项 %s 重复", code);
            break;
        }
        at[k] = (long)i;
        json_t *note = json_object_get(m, "note");
        size_t chars = 0;
        if (note && !json_is_null(note) &&
            (!json_is_string(note) ||
             utf8_count(json_string_value(note), json_string_length(note), &chars) != 0 || chars > 500)) {
            rc = refuse(field, reason, "note", i, "应为不超过 500 字的文本");
            break;
        }
        json_t *veto = json_object_get(m, "veto"), *deduct = json_object_get(m, "deduct");
        if (items[k].kind == FR_VETO) {
            if (deduct)
                rc = refuse(field, reason, "deduct", i, "%s（%s）是否决项：填 veto（是否存在该问题），不扣分", code,
                            items[k].label);
            else if (!json_is_boolean(veto))
                rc = refuse(field, reason, "veto", i, "%s（%s）是否决项：veto 应为 true 或 false", code,
                            items[k].label);
            continue;
        }
        int d2;
        char pts[16], got[16];
        file_review_points_text(items[k].points2, pts);
        if (veto)
            rc = refuse(field, reason, "veto", i, "%s（%s）是扣分项：填 deduct（扣分），不能否决", code,
                        items[k].label);
        else if (!deduct)
            rc = refuse(field, reason, "deduct", i, "必填：%s（%s）的扣分", code, items[k].label);
        else if (file_review_json_points(deduct, &d2) != FZ_OK)
            rc = refuse(field, reason, "deduct", i, "%s 的扣分应为不小于 0 的数，以 0.5 分为单位", code);
        else if (d2 > items[k].points2) {
            file_review_points_text(d2, got);
            rc = refuse(field, reason, "deduct", i, "%s 扣 %s 分，超过该项分值 %s 分", code, got, pts);
        }
    }
    if (rc) {
        free(at);
        return rc;
    }
    json_t *out = json_array();
    int veto_hit = 0, deducted = 0;
    for (size_t k = 0; k < nitems; k++) {
        if (at[k] < 0)
            continue;
        json_t *m = json_array_get(marks, (size_t)at[k]);
        json_t *note = json_object_get(m, "note");
        json_t *o = json_pack("{s:s, s:s, s:s}", "code", items[k].code, "kind", file_review_kind_code(items[k].kind),
                              "note", json_is_string(note) ? json_string_value(note) : "");
        if (items[k].kind == FR_VETO) {
            int hit = json_is_true(json_object_get(m, "veto"));
            veto_hit |= hit;
            json_object_set_new(o, "veto", json_boolean(hit));
        } else {
            int d2 = 0;
            file_review_json_points(json_object_get(m, "deduct"), &d2);
            deducted += d2;
            json_object_set_new(o, "deduct", file_review_points_json(d2));
        }
        json_array_append_new(out, o);
    }
    free(at);
    res->veto = veto_hit;
    res->score2 = veto_hit ? 0 : deducted >= FR_FULL2 ? 0 : FR_FULL2 - deducted;
    res->band = file_review_band(res->score2);
    *norm = out;
    return FZ_OK;
}

json_t *file_review_list_json(const char *list, int numeric)
{
    json_t *a = json_array();
    for (const char *p = list; p && *p == ',';) {
        const char *q = strchr(p + 1, ',');
        if (!q)
            break;
        if (q > p + 1) {
            char buf[128];
            snprintf(buf, sizeof(buf), "%.*s", (int)(q - p - 1), p + 1);
            json_array_append_new(a, numeric ? json_integer(strtoll(buf, NULL, 10)) : json_string(buf));
        }
        p = q;
    }
    return a;
}

void file_review_tally_add(fr_tally *t, int scored, int score2)
{
    t->files++;
    if (!scored)
        return;
    t->scored++;
    t->sum2 += score2;
    t->bands[file_review_band(score2)]++;
}

void file_review_mean_text(const fr_tally *t, char out[24])
{
    if (t->scored <= 0) {
        out[0] = '\0';
        return;
    }
    /* mean = sum2 / (2n) points; hundredths rounded half up:
     * floor(sum2 * 50 / n + 1/2) = floor((sum2 * 100 + n) / (2n)). */
    int64_t h = (t->sum2 * 100 + t->scored) / (2 * t->scored);
    snprintf(out, 24, "%lld.%02lld", (long long)(h / 100), (long long)(h % 100));
}

fr_band file_review_mean_band(const fr_tally *t)
{
    if (t->scored <= 0)
        return FR_BAND_NONE;
    /* mean >= 90  <=>  sum2 >= 180 n, exactly. */
    return t->sum2 >= 180 * t->scored ? FR_EXCELLENT : t->sum2 >= 120 * t->scored ? FR_PASS : FR_FAIL;
}
