/* Unit tests of engine/legal_review.c: 法制审核 rounds read from a case's
 * steps, including 撤回 of the opinion (the round reopens) and of the
 * submission (the round never stood), a hearing as the way in, and a 撤案
 * during the review (the round ends without an opinion). The queue's SQL is
 * covered by tests/api/cases/440-enforcement-05-review-queue.json. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "engine/legal_review.h"
#include "core/status.h"

#define MIN 60000
#define T0 1700000000000LL /* 2023-11-14 */

static void step(review_acc *r, int64_t at, const char *actor, const char *label, const char *from, const char *to,
                 const char *payload)
{
    json_t *p = json_loads(payload ? payload : "{}", 0, NULL);
    assert_non_null(p);
    legal_review_feed(r, at, actor, label, from, to, p);
    json_decref(p);
}

static const char *str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static void test_round_with_opinion(void **state)
{
    review_acc r;
    legal_review_init(&r);
    step(&r, T0, "officer", "告知", "investigating", "informed", NULL);
    step(&r, T0 + 5 * MIN, "officer", "提交法制审核", "informed", "reviewing", NULL);
    step(&r, T0 + 95 * MIN, "reviewer", "法制审核通过", "reviewing", "ready",
         "{\"values\": {\"review_opinion\": \"修改后同意\", \"review_note\": \"罚款改为 800 元\"}}");
    json_t *rounds = legal_review_finish(&r, T0 + 200 * MIN);
    assert_int_equal(json_array_size(rounds), 1);
    json_t *x = json_array_get(rounds, 0);
    assert_string_equal(str(x, "submitted_by"), "officer");
    assert_string_equal(str(x, "submitted_via"), "提交法制审核");
    assert_string_equal(str(x, "opinion"), "修改后同意");
    assert_string_equal(str(x, "note"), "罚款改为 800 元");
    assert_string_equal(str(x, "reviewer"), "reviewer");
    assert_string_equal(str(x, "decision"), "法制审核通过");
    assert_int_equal(json_integer_value(json_object_get(x, "minutes")), 90);
    assert_null(json_object_get(x, "waiting_minutes"));
    assert_null(json_object_get(x, "_s"));
    json_decref(rounds);
}

static void test_withdrawn_opinion_reopens(void **state)
{
    review_acc r;
    legal_review_init(&r);
    step(&r, T0, "officer", "提交法制审核", "informed", "reviewing", NULL);
    step(&r, T0 + 10 * MIN, "reviewer", "法制审核通过", "reviewing", "ready", "{\"values\": {\"review_opinion\": \"同意\"}}");
    step(&r, T0 + 11 * MIN, "reviewer", "撤回", "ready", "reviewing", "{\"withdrawn\": \"case.review_approve\"}");
    json_t *rounds = legal_review_finish(&r, T0 + 30 * MIN);
    assert_int_equal(json_array_size(rounds), 1);
    json_t *x = json_array_get(rounds, 0);
    assert_true(json_is_null(json_object_get(x, "decided_at")));
    assert_true(json_is_null(json_object_get(x, "opinion")));
    assert_true(json_is_null(json_object_get(x, "minutes")));
    /* Waiting since the submission, not since the 撤回. */
    assert_int_equal(json_integer_value(json_object_get(x, "waiting_minutes")), 30);
    json_decref(rounds);
}

static void test_withdrawn_submission_removed(void **state)
{
    review_acc r;
    legal_review_init(&r);
    step(&r, T0, "officer", "提交法制审核", "informed", "reviewing", NULL);
    step(&r, T0 + MIN, "officer", "撤回", "reviewing", "informed", "{\"withdrawn\": \"case.submit_review\"}");
    json_t *rounds = legal_review_finish(&r, T0 + 2 * MIN);
    assert_int_equal(json_array_size(rounds), 0);
    json_decref(rounds);
}

static void test_hearing_return_and_cancel(void **state)
{
    review_acc r;
    legal_review_init(&r);
    step(&r, T0, "officer", "举行听证", "hearing", "reviewing", NULL);
    step(&r, T0 + 60 * MIN, "reviewer", "法制审核退回", "reviewing", "investigating",
         "{\"values\": {\"review_opinion\": \"不同意\"}, \"comment\": \"证据不足\"}");
    step(&r, T0 + 120 * MIN, "officer", "调查取证", "investigating", "investigating", NULL);
    step(&r, T0 + 180 * MIN, "officer", "提交法制审核", "informed", "reviewing", NULL);
    step(&r, T0 + 240 * MIN, "head", "撤案", "reviewing", "closed", "{\"values\": {\"cancel_reason\": \"当事人死亡\"}}");
    json_t *rounds = legal_review_finish(&r, T0 + 300 * MIN);
    assert_int_equal(json_array_size(rounds), 2);
    json_t *a = json_array_get(rounds, 0), *b = json_array_get(rounds, 1);
    assert_string_equal(str(a, "submitted_via"), "举行听证");
    assert_string_equal(str(a, "opinion"), "不同意");
    assert_int_equal(json_integer_value(json_object_get(a, "minutes")), 60);
    assert_string_equal(str(b, "decision"), "撤案");
    assert_true(json_is_null(json_object_get(b, "opinion")));
    assert_true(json_is_null(json_object_get(b, "reviewer")));
    assert_int_equal(json_integer_value(json_object_get(b, "minutes")), 60);
    json_decref(rounds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_with_opinion),
        cmocka_unit_test(test_withdrawn_opinion_reopens),
        cmocka_unit_test(test_withdrawn_submission_removed),
        cmocka_unit_test(test_hearing_return_and_cancel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
