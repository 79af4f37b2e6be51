/* Unit tests of engine/file_review.c: 案卷评查's pure parts — the sample
 * drawn from a seed (against digests computed independently with
 * `printf '%s' "$seed$no" | openssl dgst -sm3`), a file's score and band
 * (DOMAIN §8.4), refusals naming the item, and a unit's mean. The store side
 * is covered by tests/api/cases/430-file-review-*.json. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/file_review.h"
#include "core/status.h"

static void test_points(void **state)
{
    int p = -1;
    assert_int_equal(file_review_parse_points("10", &p), FZ_OK);
    assert_int_equal(p, 20);
    assert_int_equal(file_review_parse_points("0.5", &p), FZ_OK);
    assert_int_equal(p, 1);
    assert_int_equal(file_review_parse_points("2.5", &p), FZ_OK);
    assert_int_equal(p, 5);
    assert_int_equal(file_review_parse_points("10.0", &p), FZ_OK);
    assert_int_equal(p, 20);
    assert_int_equal(file_review_parse_points("100", &p), FZ_OK);
    assert_int_equal(p, 200);
    assert_int_equal(file_review_parse_points("0", &p), FZ_OK);
    assert_int_equal(p, 0);
    static const char *const bad[] = {"", "abc", "0.25", "0.3", "100.5", "101", "-1", "1.", ".5", "1.55", "1,5",
                                      " 1", "1 ", "0005"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(file_review_parse_points(bad[i], &p), FZ_INVALID);

    json_t *v = json_real(59.5);
    assert_int_equal(file_review_json_points(v, &p), FZ_OK);
    assert_int_equal(p, 119);
    json_decref(v);
    v = json_integer(3);
    assert_int_equal(file_review_json_points(v, &p), FZ_OK);
    assert_int_equal(p, 6);
    json_decref(v);
    v = json_real(0.3);
    assert_int_equal(file_review_json_points(v, &p), FZ_INVALID);
    json_decref(v);
    v = json_integer(-1);
    assert_int_equal(file_review_json_points(v, &p), FZ_INVALID);
    json_decref(v);
    v = json_string("2");
    assert_int_equal(file_review_json_points(v, &p), FZ_INVALID);
    json_decref(v);

    char t[16];
    file_review_points_text(119, t);
    assert_string_equal(t, "59.5");
    file_review_points_text(180, t);
    assert_string_equal(t, "90");
    v = file_review_points_json(119);
    assert_true(json_is_real(v) && json_real_value(v) == 59.5);
    json_decref(v);
    v = file_review_points_json(180);
    assert_true(json_is_integer(v) && json_integer_value(v) == 90);
    json_decref(v);
}

static void test_draw_key(void **state)
{
    char k[SM3_HEX_LEN + 1];
    assert_int_equal(file_review_draw_key("2023州评查", "行政处罚〔2023〕1号", k), FZ_OK);
    assert_string_equal(k, "b34911266c7bb9cc1de6f1670373cc68728685122a5a9b3f4b0d9928ef62c75c");
}

/* Four cases of unit 10 and two of unit 20, numbered 行政处罚〔2023〕1号 .. 6号. */
static void fixture(fr_candidate *c, const int *order)
{
    static const char *const nos[] = {"行政处罚〔2023〕1号", "行政处罚〔2023〕2号", "行政处罚〔2023〕3号",
                                      "行政处罚〔2023〕4号", "行政处罚〔2023〕5号", "行政处罚〔2023〕6号"};
    for (int i = 0; i < 6; i++) {
        int k = order[i];
        memset(&c[i], 0, sizeof(c[i]));
        c[i].case_id = k + 1;
        c[i].case_no = nos[k];
        c[i].unit_id = k < 4 ? 10 : 20;
    }
}

static void expect_order(const fr_candidate *c, const int64_t *ids, const int *ranks, const int *sampled)
{
    for (int i = 0; i < 6; i++) {
        assert_int_equal(c[i].case_id, ids[i]);
        assert_int_equal(c[i].rank, ranks[i]);
        assert_int_equal(c[i].sampled, sampled[i]);
    }
}

static void test_sample_order(void **state)
{
    /* Seed 2023年度州级评查: keys 1 0d7e…, 2 0f21…, 4 a1ec…, 3 d168… (unit 10);
     * 6 2223…, 5 e4a6… (unit 20). Two per unit: 1, 2 and 6, 5. */
    static const int in_order[] = {0, 1, 2, 3, 4, 5}, shuffled[] = {5, 2, 0, 4, 3, 1};
    static const int64_t ids_a[] = {1, 2, 4, 3, 6, 5};
    static const int ranks[] = {1, 2, 3, 4, 1, 2}, sampled[] = {1, 1, 0, 0, 1, 1};
    fr_candidate c[6];
    fixture(c, in_order);
    assert_int_equal(file_review_sample(c, 6, "2023年度州级评查", 2), 4);
    expect_order(c, ids_a, ranks, sampled);
    assert_string_equal(c[0].key, "0d7e8a985a92a99d34fb58a3f345ded23c71b5c03164b0d51c5d0317fcb4859b");
    assert_string_equal(c[5].key, "e4a699e5fa93ace286f746039f2a1c2d77bd0c286d30c79cc0c6959868384834");
    /* The same seed and the same candidates in another order: the same sample. */
    fixture(c, shuffled);
    assert_int_equal(file_review_sample(c, 6, "2023年度州级评查", 2), 4);
    expect_order(c, ids_a, ranks, sampled);
    /* Another seed: 2 2905…, 4 5f17…, 1 b39e…, 3 ea70… and 6 bfb1…, 5 c53f…: unit 10 gives 2 and 4. */
    static const int64_t ids_b[] = {2, 4, 1, 3, 6, 5};
    fixture(c, in_order);
    assert_int_equal(file_review_sample(c, 6, "2024年度县级评查", 2), 4);
    expect_order(c, ids_b, ranks, sampled);
    /* N above a unit's candidates: all of them. */
    fixture(c, in_order);
    assert_int_equal(file_review_sample(c, 6, "2023年度州级评查", 10), 6);
    /* One per unit. */
    fixture(c, in_order);
    assert_int_equal(file_review_sample(c, 6, "2023年度州级评查", 1), 2);
    assert_true(c[0].sampled && !c[1].sampled && c[4].sampled && !c[5].sampled);
    /* Nothing to draw. */
    assert_int_equal(file_review_sample(c, 0, "x", 3), 0);
}

/* A small rubric: two veto items, three deduction items (10, 5, 0.5). */
static const fr_item rubric[] = {
    {"A1", "执法主体", "执法主体不合法", FR_VETO, 0},
    {"A2", "执法程序", "执法人员少于两人", FR_VETO, 0},
    {"B1", "事实证据", "证据不充分", FR_DEDUCTION, 20},
    {"B2", "文书制作", "文书不规范", FR_DEDUCTION, 10},
    {"C1", "卷面", "卷内目录不全", FR_DEDUCTION, 1},
};

static int score(const char *marks_json, fr_result *res, char field[64], char reason[256])
{
    json_error_t e;
    json_t *marks = json_loads(marks_json, 0, &e);
    assert_non_null(marks);
    json_t *norm = NULL;
    int rc = file_review_score(rubric, 5, marks, &norm, res, field, reason);
    if (rc == FZ_OK)
        assert_non_null(norm);
    else
        assert_null(norm);
    json_decref(norm);
    json_decref(marks);
    return rc;
}

static void test_scores_and_bands(void **state)
{
    fr_result r;
    char f[64], why[256];
    /* Nothing found: 100, 优秀. */
    assert_int_equal(score("[]", &r, f, why), FZ_OK);
    assert_int_equal(r.score2, 200);
    assert_int_equal(r.band, FR_EXCELLENT);
    /* A veto item hit: 0, 不合格, whatever else. */
    assert_int_equal(score("[{\"code\": \"B2\", \"deduct\": 1}, {\"code\": \"A2\", \"veto\": true}]", &r, f, why), FZ_OK);
    assert_int_equal(r.score2, 0);
    assert_true(r.veto);
    assert_int_equal(r.band, FR_FAIL);
    /* A veto item answered "no" counts nothing. */
    assert_int_equal(score("[{\"code\": \"A1\", \"veto\": false}, {\"code\": \"B1\", \"deduct\": 7.5}]", &r, f, why), FZ_OK);
    assert_int_equal(r.score2, 185);
    assert_false(r.veto);
    /* Band edges: 90 优秀, 89.5 合格, 60 合格, 59.5 不合格. */
    assert_int_equal(score("[{\"code\": \"B1\", \"deduct\": 10}]", &r, f, why), FZ_OK);
    assert_int_equal(r.score2, 180);
    assert_int_equal(r.band, FR_EXCELLENT);
    assert_int_equal(score("[{\"code\": \"B1\", \"deduct\": 10}, {\"code\": \"C1\", \"deduct\": 0.5}]", &r, f, why), FZ_OK);
    assert_int_equal(r.score2, 179);
    assert_int_equal(r.band, FR_PASS);
    assert_int_equal(file_review_band(120), FR_PASS);
    assert_int_equal(file_review_band(119), FR_FAIL);
    assert_int_equal(file_review_band(0), FR_FAIL);
    assert_string_equal(file_review_band_label(FR_PASS), "合格");
    assert_string_equal(file_review_band_code(FR_FAIL), "fail");
    assert_int_equal(file_review_band_parse("excellent"), FR_EXCELLENT);
    assert_int_equal(file_review_band_parse("x"), FR_BAND_NONE);
}

static void test_score_floor(void **state)
{
    static const fr_item big[] = {{"X1", "c", "a", FR_DEDUCTION, 200}, {"X2", "c", "b", FR_DEDUCTION, 200}};
    json_t *marks = json_loads("[{\"code\": \"X1\", \"deduct\": 80}, {\"code\": \"X2\", \"deduct\": 40}]", 0, NULL);
    json_t *norm = NULL;
    fr_result r;
    char f[64], why[256];
    assert_int_equal(file_review_score(big, 2, marks, &norm, &r, f, why), FZ_OK);
    assert_int_equal(r.score2, 0);
    assert_int_equal(r.band, FR_FAIL);
    assert_false(r.veto);
    json_decref(norm);
    json_decref(marks);
}

static void test_refusals(void **state)
{
    fr_result r;
    char f[64], why[256];
    assert_int_equal(score("[{\"code\": \"Z9\", \"deduct\": 1}]", &r, f, why), FZ_INVALID);
    assert_string_equal(f, "items[0].code");
    assert_non_null(strstr(why, "Z9"));
    assert_int_equal(score("[{\"code\": \"B1\", \"deduct\": 1}, {\"code\": \"B2\", \"deduct\": 5.5}]", &r, f, why),
                     FZ_INVALID);
    assert_string_equal(f, "items[1].deduct");
    assert_non_null(strstr(why, "超过该项分值 5 分"));
    assert_int_equal(score("[{\"code\": \"B1\", \"deduct\": 0.3}]", &r, f, why), FZ_INVALID);
    assert_string_equal(f, "items[0].deduct");
    assert_int_equal(score("[{\"code\": \"B1\", \"deduct\": -1}]", &r, f, why), FZ_INVALID);
    assert_int_equal(score("[{\"code\": \"B1\", \"deduct\": \"2\"}]", &r, f, why), FZ_INVALID);
    assert_int_equal(score("[{\"code\": \"B1\"}]", &r, f, why), FZ_INVALID);
    assert_string_equal(f, "items[0].deduct");
    assert_int_equal(score("[{\"code\": \"B1\", \"veto\": true}]", &r, f, why), FZ_INVALID);
    assert_string_equal(f, "items[0].veto");
    assert_int_equal(score("[{\"code\": \"A1\", \"deduct\": 2}]", &r, f, why), FZ_INVALID);
    assert_string_equal(f, "items[0].deduct");
    assert_int_equal(score("[{\"code\": \"A1\", \"veto\": 1}]", &r, f, why), FZ_INVALID);
    assert_string_equal(f, "items[0].veto");
    assert_int_equal(score("[{\"code\": \"C1\", \"deduct\": 0.5}, {\"code\": \"C1\", \"deduct\": 0}]", &r, f, why),
                     FZ_INVALID);
    assert_string_equal(f, "items[1].code");
    assert_int_equal(score("[{\"code\": \"C1\", \"deduct\": 0, \"points\": 1}]", &r, f, why), FZ_INVALID);
    assert_string_equal(f, "items[0].points");
    assert_int_equal(score("[\"C1\"]", &r, f, why), FZ_INVALID);
    assert_string_equal(f, "items[0]");
    assert_int_equal(score("{}", &r, f, why), FZ_INVALID);
    assert_string_equal(f, "items");
    char longnote[2200];
    int n = snprintf(longnote, sizeof(longnote), "[{\"code\": \"C1\", \"deduct\": 0, \"note\": \"");
    for (int i = 0; i < 501; i++)
        longnote[n++] = 'x';
    snprintf(longnote + n, sizeof(longnote) - (size_t)n, "\"}]");
    assert_int_equal(score(longnote, &r, f, why), FZ_INVALID);
    assert_string_equal(f, "items[0].note");
}

static void test_mean(void **state)
{
    fr_tally t = {0};
    char m[24];
    file_review_mean_text(&t, m);
    assert_string_equal(m, "");
    assert_int_equal(file_review_mean_band(&t), FR_BAND_NONE);
    /* 90 and 89.5: 89.75, 合格. */
    file_review_tally_add(&t, 1, 180);
    file_review_tally_add(&t, 1, 179);
    file_review_tally_add(&t, 0, -1); /* not scored yet: counted as a file, not in the mean */
    file_review_mean_text(&t, m);
    assert_string_equal(m, "89.75");
    assert_int_equal(file_review_mean_band(&t), FR_PASS);
    assert_int_equal(t.files, 3);
    assert_int_equal(t.scored, 2);
    assert_int_equal(t.bands[FR_EXCELLENT], 1);
    assert_int_equal(t.bands[FR_PASS], 1);
    /* 100, 100, 99.5: 99.8333… -> 99.83; 100, 99.5, 99.5: 99.6666… -> 99.67. */
    fr_tally u = {0};
    file_review_tally_add(&u, 1, 200);
    file_review_tally_add(&u, 1, 200);
    file_review_tally_add(&u, 1, 199);
    file_review_mean_text(&u, m);
    assert_string_equal(m, "99.83");
    fr_tally v = {0};
    file_review_tally_add(&v, 1, 200);
    file_review_tally_add(&v, 1, 199);
    file_review_tally_add(&v, 1, 199);
    file_review_mean_text(&v, m);
    assert_string_equal(m, "99.67");
    /* A mean of exactly 90 is 优秀; 0 and 59.5 -> 29.75 不合格. */
    fr_tally w = {0};
    file_review_tally_add(&w, 1, 200);
    file_review_tally_add(&w, 1, 160);
    assert_int_equal(file_review_mean_band(&w), FR_EXCELLENT);
    fr_tally z = {0};
    file_review_tally_add(&z, 1, 0);
    file_review_tally_add(&z, 1, 119);
    file_review_mean_text(&z, m);
    assert_string_equal(m, "29.75");
    assert_int_equal(file_review_mean_band(&z), FR_FAIL);
}

static void test_lists(void **state)
{
    json_t *a = file_review_list_json(",closed,archived,", 0);
    assert_int_equal(json_array_size(a), 2);
    assert_string_equal(json_string_value(json_array_get(a, 1)), "archived");
    json_decref(a);
    a = file_review_list_json(",3,15,", 1);
    assert_int_equal(json_integer_value(json_array_get(a, 1)), 15);
    json_decref(a);
    a = file_review_list_json("", 1);
    assert_int_equal(json_array_size(a), 0);
    json_decref(a);
    assert_int_equal(file_review_kind("否决"), FR_VETO);
    assert_int_equal(file_review_kind("扣分"), FR_DEDUCTION);
    assert_int_equal(file_review_kind("加分"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_points),        cmocka_unit_test(test_draw_key),   cmocka_unit_test(test_sample_order),
        cmocka_unit_test(test_scores_and_bands), cmocka_unit_test(test_score_floor), cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_mean),          cmocka_unit_test(test_lists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
