/* Unit tests of engine/penalty.c: the 行政处罚法 computations — the 简易程序
 * limit (Art.51), the hearing triggers (Art.63), the hearing notice (Art.64,
 * on the shipped calendar), 法制审核 (Art.58), 追责时效 (Art.36), 加处罚款
 * (Art.72) and the discretion judgement (Art.34). The catalog lookups and the
 * wording of refusals are covered by tests/api/cases/410-penalty-*.json. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "engine/checks.h"
#include "engine/holidays.h"
#include "engine/penalty.h"
#include "core/status.h"
#include "core/timeutil.h"

static int64_t day(int y, int m, int d)
{
    return days_from_civil(y, m, d);
}

static void test_party_and_money(void **state)
{
    assert_int_equal(pen_party_kind("自然人"), PEN_CITIZEN);
    assert_int_equal(pen_party_kind(NULL), PEN_CITIZEN);
    assert_int_equal(pen_party_kind(""), PEN_CITIZEN);
    assert_int_equal(pen_party_kind("法人"), PEN_ORG);
    assert_int_equal(pen_party_kind("其他组织"), PEN_ORG);
    assert_string_equal(pen_party_label(PEN_ORG), "法人或其他组织");
    char b[32];
    pen_money_text(20000, b);
    assert_string_equal(b, "200");
    pen_money_text(123456, b);
    assert_string_equal(b, "1234.56");
    pen_money_text(5, b);
    assert_string_equal(b, "0.05");
    pen_money_text(0, b);
    assert_string_equal(b, "0");
    assert_int_equal(pen_decision_kind("处罚"), PEN_DECIDE_PUNISH);
    assert_int_equal(pen_decision_kind("不予处罚"), PEN_DECIDE_EXEMPT);
    assert_int_equal(pen_decision_kind("不予处罚（违法事实不能成立）"), PEN_DECIDE_NO_FACTS);
    assert_int_equal(pen_decision_kind(""), -1);
    assert_int_equal(pen_decision_kind("罚"), -1);
    /* A message cut inside a character loses the partial character only. */
    char cut[8];
    memcpy(cut, "罚款处罚", 7); /* 罚款 and the first byte of 处 */
    cut[7] = '\0';
    pen_text_fit(cut);
    assert_string_equal(cut, "罚款");
    memcpy(cut, "ab罚款", 7); /* ab, 罚 and two bytes of 款 */
    cut[7] = '\0';
    pen_text_fit(cut);
    assert_string_equal(cut, "ab罚");
    char whole[] = "罚款";
    pen_text_fit(whole);
    assert_string_equal(whole, "罚款");
}

/* Art.51: 200 元 for a 公民, 3000 元 for a 法人或其他组织, "以下" inclusive;
 * only 警告 and 罚款. */
static void test_simple_limit(void **state)
{
    char why[300];
    assert_int_equal(pen_simple_limit(PEN_CITIZEN), 20000);
    assert_int_equal(pen_simple_limit(PEN_ORG), 300000);
    pen_measures m = {.fine = 20000, .license = "", .business = ""};
    assert_int_equal(pen_simple_check(PEN_CITIZEN, PEN_DECIDE_PUNISH, &m, why, sizeof(why)), 0);
    m.fine = 20001;
    assert_int_equal(pen_simple_check(PEN_CITIZEN, PEN_DECIDE_PUNISH, &m, why, sizeof(why)), 1);
    assert_non_null(strstr(why, "200元以下"));
    assert_non_null(strstr(why, "200.01"));
    assert_int_equal(pen_simple_check(PEN_ORG, PEN_DECIDE_PUNISH, &m, why, sizeof(why)), 0);
    m.fine = 300000;
    assert_int_equal(pen_simple_check(PEN_ORG, PEN_DECIDE_PUNISH, &m, why, sizeof(why)), 0);
    m.fine = 350000;
    assert_int_equal(pen_simple_check(PEN_ORG, PEN_DECIDE_PUNISH, &m, why, sizeof(why)), 1);
    assert_non_null(strstr(why, "3000元以下"));
    /* 警告 alone is fine; 没收 or a 资格罚 is not 简易; nothing at all is not a decision. */
    pen_measures w = {.warning = 1, .license = "", .business = ""};
    assert_int_equal(pen_simple_check(PEN_CITIZEN, PEN_DECIDE_PUNISH, &w, why, sizeof(why)), 0);
    w.confiscation = 100;
    assert_int_equal(pen_simple_check(PEN_CITIZEN, PEN_DECIDE_PUNISH, &w, why, sizeof(why)), 1);
    assert_non_null(strstr(why, "警告或者罚款"));
    pen_measures r = {.fine = 100, .license = "吊销许可证件", .business = ""};
    assert_int_equal(pen_simple_check(PEN_ORG, PEN_DECIDE_PUNISH, &r, why, sizeof(why)), 1);
    pen_measures none = {.license = "", .business = ""};
    assert_int_equal(pen_simple_check(PEN_CITIZEN, PEN_DECIDE_PUNISH, &none, why, sizeof(why)), 1);
    assert_int_equal(pen_simple_check(PEN_CITIZEN, PEN_DECIDE_EXEMPT, &none, why, sizeof(why)), 1);
}

/* Art.63: amounts at or above the threshold ("以上"), the listed measures,
 * and the officer's flag; 暂扣 and 限制开展生产经营活动 are not listed. */
static void test_hearing_triggers(void **state)
{
    int64_t at = pen_threshold_default(PEN_T_FINE, PEN_CITIZEN);
    assert_int_equal(at, 1000000);
    assert_int_equal(pen_threshold_default(PEN_T_FINE, PEN_ORG), 10000000);
    pen_measures m = {.fine = 999999, .license = "", .business = ""};
    assert_int_equal(pen_hearing_triggers(&m, at, at), 0);
    m.fine = 1000000;
    assert_int_equal(pen_hearing_triggers(&m, at, at), PEN_H_FINE);
    /* The same fine for a company is below its threshold. */
    int64_t org = pen_threshold_default(PEN_T_FINE, PEN_ORG);
    assert_int_equal(pen_hearing_triggers(&m, org, org), 0);
    pen_measures c = {.confiscation = 10000000, .license = "", .business = ""};
    assert_int_equal(pen_hearing_triggers(&c, org, org), PEN_H_CONFISCATION);
    pen_measures l = {.license = "吊销许可证件", .business = ""};
    assert_int_equal(pen_hearing_triggers(&l, at, at), PEN_H_LICENSE);
    l.license = "降低资质等级";
    assert_int_equal(pen_hearing_triggers(&l, at, at), PEN_H_LICENSE);
    l.license = "暂扣许可证件";
    assert_int_equal(pen_hearing_triggers(&l, at, at), 0);
    pen_measures b = {.license = "", .business = "责令停产停业"};
    assert_int_equal(pen_hearing_triggers(&b, at, at), PEN_H_BUSINESS);
    b.business = "限制开展生产经营活动";
    assert_int_equal(pen_hearing_triggers(&b, at, at), 0);
    b.other_serious = 1;
    assert_int_equal(pen_hearing_triggers(&b, at, at), PEN_H_OTHER);
    char out[300];
    pen_measures both = {.fine = 2000000, .license = "吊销许可证件", .business = ""};
    pen_hearing_describe(PEN_H_FINE | PEN_H_LICENSE, &both, at, at, out, sizeof(out));
    assert_string_equal(out, "较大数额罚款（拟罚款 20000 元，达到 10000 元）；吊销许可证件");
}

/* The 较大数额 in force at a time (checks_threshold_in_force), over versions
 * as the penalty_thresholds catalog keeps them: the lookup of the checks
 * (as of now) and of the indicator rule hearing_right (as of the last 告知,
 * for one case or for every case of a recompute). */
static void test_threshold_in_force(void **state)
{
    checks_threshold rows[] = {
        /* 公民 罚款: 5,000 元 from 1000 to 2000, then 7,000 元 (row 1, two versions) */
        {.row_id = 1, .valid_from = 1000, .valid_to = 2000, .amount = 500000, .item = PEN_T_FINE, .party = PEN_CITIZEN},
        {.row_id = 1, .valid_from = 2000, .valid_to = 0, .amount = 700000, .item = PEN_T_FINE, .party = PEN_CITIZEN},
        /* a second row for the same key from 3000: the higher row_id wins */
        {.row_id = 4, .valid_from = 3000, .valid_to = 0, .amount = 800000, .item = PEN_T_FINE, .party = PEN_CITIZEN},
        {.row_id = 2, .valid_from = 0, .valid_to = 0, .amount = 9000000, .item = PEN_T_FINE, .party = PEN_ORG},
        {.row_id = 3, .valid_from = 0, .valid_to = 0, .amount = 300000, .item = PEN_T_CONFISCATION,
         .party = PEN_CITIZEN},
    };
    checks_thresholds t = {.v = rows, .n = sizeof(rows) / sizeof(rows[0])};
    assert_null(checks_threshold_in_force(&t, PEN_T_FINE, PEN_CITIZEN, 999));
    assert_null(checks_threshold_in_force(&t, PEN_T_FINE, PEN_CITIZEN, -1));
    assert_int_equal(checks_threshold_in_force(&t, PEN_T_FINE, PEN_CITIZEN, 1000)->amount, 500000);
    assert_int_equal(checks_threshold_in_force(&t, PEN_T_FINE, PEN_CITIZEN, 1999)->amount, 500000);
    assert_int_equal(checks_threshold_in_force(&t, PEN_T_FINE, PEN_CITIZEN, 2000)->amount, 700000);
    assert_int_equal(checks_threshold_in_force(&t, PEN_T_FINE, PEN_CITIZEN, 3000)->amount, 800000);
    assert_int_equal(checks_threshold_in_force(&t, PEN_T_FINE, PEN_CITIZEN, 0)->amount, 800000);
    assert_int_equal(checks_threshold_in_force(&t, PEN_T_FINE, PEN_ORG, 1)->amount, 9000000);
    assert_null(checks_threshold_in_force(&t, PEN_T_REVIEW, PEN_CITIZEN, 0));
    /* 第六十三条 with them: 6,000 元 reaches 5,000 元 at 1500, not 7,000 元 at 2500. */
    pen_measures m = {.fine = 600000, .license = "", .business = ""};
    assert_int_equal(checks_hearing_applies(&t, "自然人", &m, 1500), 1);
    assert_int_equal(checks_hearing_applies(&t, "自然人", &m, 2500), 0);
    assert_int_equal(checks_hearing_applies(&t, "法人", &m, 1500), 0);
    /* Before any version: the example default (10,000 元 for a 公民); confiscation 3,000 元 from the catalog. */
    assert_int_equal(checks_hearing_applies(&t, "", &m, 500), 0);
    pen_measures c = {.confiscation = 300000, .license = "", .business = ""};
    assert_int_equal(checks_hearing_applies(&t, "自然人", &c, 500), 1);
    checks_thresholds none = {0};
    m.fine = 1000000;
    assert_int_equal(checks_hearing_applies(&none, "自然人", &m, 0), 1);
}

/* Art.64 (二) with Art.85: at least 7 working days between the notice and
 * the hearing, across 国庆 2025 (10/1–10/8, Sat 10/11 班). */
static void test_hearing_notice(void **state)
{
    cal *c;
    assert_int_equal(holidays_build_shipped(&c), FZ_OK);
    int64_t count, earliest;
    /* Notice Tue 2025-09-30: 10/9, 10/10, Sat 10/11 (班), 10/13, 10/14, 10/15, 10/16. */
    assert_int_equal(pen_hearing_notice(c, day(2025, 9, 30), day(2025, 10, 16), &count, &earliest), FZ_OK);
    assert_int_equal(count, 7);
    assert_int_equal(earliest, day(2025, 10, 16));
    assert_int_equal(pen_hearing_notice(c, day(2025, 9, 30), day(2025, 10, 15), &count, &earliest), FZ_OK);
    assert_int_equal(count, 6);
    /* A hearing before the notice counts negative. */
    assert_int_equal(pen_hearing_notice(c, day(2025, 9, 30), day(2025, 9, 29), &count, &earliest), FZ_OK);
    assert_true(count < 0);
    cal_free(c);
}

static void test_review_required(void **state)
{
    assert_int_equal(pen_review_required(0, 0, 0, 500000, 1000000), 0);
    assert_int_equal(pen_review_required(1, 0, 0, 0, 1000000), PEN_R_HEARING);
    assert_int_equal(pen_review_required(0, 1, 1, 0, 1000000), PEN_R_MAJOR | PEN_R_COLLECTIVE);
    assert_int_equal(pen_review_required(0, 0, 0, 1000000, 1000000), PEN_R_AMOUNT);
    assert_int_equal(pen_review_required(0, 0, 0, 1000000, 0), 0); /* no amount rule */
    char out[300];
    pen_review_describe(PEN_R_HEARING | PEN_R_AMOUNT, 1500000, 1000000, out, sizeof(out));
    assert_non_null(strstr(out, "经过听证程序"));
    assert_non_null(strstr(out, "罚款 15000 元达到法制审核数额 10000 元"));
}

/* Art.36: 2 years (5 with harm), the same date; 29 February → 28 February. */
static void test_limitation(void **state)
{
    assert_int_equal(pen_limitation_years(0), 2);
    assert_int_equal(pen_limitation_years(1), 5);
    assert_int_equal(pen_limitation_last_day(day(2024, 3, 10), 2), day(2026, 3, 10));
    assert_int_equal(pen_limitation_last_day(day(2024, 2, 29), 2), day(2026, 2, 28));
    assert_int_equal(pen_limitation_last_day(day(2024, 2, 29), 4), day(2028, 2, 29));
    assert_int_equal(pen_limitation_last_day(day(2021, 7, 15), 5), day(2026, 7, 15));
}

/* Art.72: 3% of the fine per day after the deadline, rounded half up to the
 * cent, never above the fine (reached on the 34th day). */
static void test_surcharge(void **state)
{
    pen_surcharge s;
    int64_t due = day(2024, 10, 8);
    pen_surcharge_calc(100000, due, due, &s); /* paid on the last day */
    assert_int_equal(s.days, 0);
    assert_int_equal(s.amount, 0);
    pen_surcharge_calc(100000, due, due - 3, &s);
    assert_int_equal(s.amount, 0);
    pen_surcharge_calc(100000, due, due + 1, &s); /* 1000 元: 30 元 a day */
    assert_int_equal(s.days, 1);
    assert_int_equal(s.amount, 3000);
    assert_false(s.capped);
    pen_surcharge_calc(100000, due, due + 10, &s);
    assert_int_equal(s.amount, 30000);
    pen_surcharge_calc(100000, due, due + 33, &s); /* 99% */
    assert_int_equal(s.amount, 99000);
    assert_false(s.capped);
    pen_surcharge_calc(100000, due, due + 34, &s); /* 102% → the fine */
    assert_int_equal(s.amount, 100000);
    assert_true(s.capped);
    pen_surcharge_calc(100000, due, due + 400, &s);
    assert_int_equal(s.days, 400);
    assert_int_equal(s.amount, 100000);
    /* 1234.57 元 × 3% = 37.0371 元 → 37.04 after one day; × 7 days = 259.2597 → 259.26. */
    pen_surcharge_calc(123457, due, due + 1, &s);
    assert_int_equal(s.amount, 3704);
    pen_surcharge_calc(123457, due, due + 7, &s);
    assert_int_equal(s.amount, 25926);
    /* A huge fine does not overflow. */
    pen_surcharge_calc(INT64_MAX / 4, due, due + 33, &s);
    assert_true(s.amount > 0 && s.amount < INT64_MAX / 4);
    pen_surcharge_calc(0, due, due + 5, &s);
    assert_int_equal(s.amount, 0);
}

/* Art.34: inside the row, outside it (a reason needed), above the statutory
 * maximum (never), and 不予处罚. */
static void test_discretion(void **state)
{
    char why[600];
    pen_range r = {.found = 1, .fine_min = 200000, .fine_max = 500000, .warning = 1, .legal_max = 1000000,
                   .penalty_basis = "《中华人民共和国测试管理法》第四十条"};
    pen_measures m = {.fine = 300000, .warning = 1, .license = "", .business = ""};
    assert_int_equal(pen_discretion_judge(PEN_DECIDE_PUNISH, "一般", &m, &r, why, sizeof(why)), PEN_DR_OK);
    m.fine = 600000;
    assert_int_equal(pen_discretion_judge(PEN_DECIDE_PUNISH, "一般", &m, &r, why, sizeof(why)), PEN_DR_REASON);
    assert_non_null(strstr(why, "罚款 6000 元不在「一般」情形 2000–5000 元的范围内"));
    m.fine = 1000001;
    assert_int_equal(pen_discretion_judge(PEN_DECIDE_PUNISH, "一般", &m, &r, why, sizeof(why)), PEN_DR_REFUSE);
    assert_non_null(strstr(why, "法定最高额 10000 元"));
    assert_non_null(strstr(why, "第四十条"));
    m.fine = 1000000; /* exactly the maximum: allowed with a reason */
    assert_int_equal(pen_discretion_judge(PEN_DECIDE_PUNISH, "一般", &m, &r, why, sizeof(why)), PEN_DR_REASON);
    /* A measure the row does not list. */
    pen_measures lic = {.fine = 300000, .license = "吊销许可证件", .business = ""};
    assert_int_equal(pen_discretion_judge(PEN_DECIDE_PUNISH, "一般", &lic, &r, why, sizeof(why)), PEN_DR_REASON);
    assert_non_null(strstr(why, "不含吊销许可证件"));
    /* No fine where the row has one: below the range. */
    pen_measures warn = {.warning = 1, .license = "", .business = ""};
    assert_int_equal(pen_discretion_judge(PEN_DECIDE_PUNISH, "一般", &warn, &r, why, sizeof(why)), PEN_DR_REASON);
    /* Nothing imposed: not a penalty decision. */
    pen_measures none = {.license = "", .business = ""};
    assert_int_equal(pen_discretion_judge(PEN_DECIDE_PUNISH, "一般", &none, &r, why, sizeof(why)), PEN_DR_REFUSE);
    /* No row for the circumstance: a reason, but the maximum still binds. */
    pen_range missing = {.fine_min = -1, .fine_max = -1, .legal_max = 1000000, .penalty_basis = "x"};
    m.fine = 300000;
    assert_int_equal(pen_discretion_judge(PEN_DECIDE_PUNISH, "从重", &m, &missing, why, sizeof(why)), PEN_DR_REASON);
    m.fine = 2000000;
    assert_int_equal(pen_discretion_judge(PEN_DECIDE_PUNISH, "从重", &m, &missing, why, sizeof(why)), PEN_DR_REFUSE);
    /* 不予处罚: by circumstance, by the 首违不罚 list, or with a reason. */
    assert_int_equal(pen_discretion_judge(PEN_DECIDE_EXEMPT, "不予处罚", &none, &missing, why, sizeof(why)), PEN_DR_OK);
    assert_int_equal(pen_discretion_judge(PEN_DECIDE_EXEMPT, "一般", &none, &r, why, sizeof(why)), PEN_DR_REASON);
    r.first_offense_exempt = 1;
    assert_int_equal(pen_discretion_judge(PEN_DECIDE_EXEMPT, "一般", &none, &r, why, sizeof(why)), PEN_DR_OK);
    m.fine = 100;
    assert_int_equal(pen_discretion_judge(PEN_DECIDE_EXEMPT, "不予处罚", &m, &r, why, sizeof(why)), PEN_DR_REFUSE);
    assert_int_equal(pen_discretion_judge(PEN_DECIDE_NO_FACTS, "", &none, &missing, why, sizeof(why)), PEN_DR_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_party_and_money), cmocka_unit_test(test_simple_limit),
        cmocka_unit_test(test_hearing_triggers), cmocka_unit_test(test_threshold_in_force),
        cmocka_unit_test(test_hearing_notice),
        cmocka_unit_test(test_review_required), cmocka_unit_test(test_limitation),
        cmocka_unit_test(test_surcharge), cmocka_unit_test(test_discretion),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
