/* test_records.c: which records a case still lacks (engine/records.h), the
 * one computation behind a case's missing_records and indicator rule
 * full_record: steps standing net of 撤回, their records against the
 * attachment categories, in the order the steps were first taken. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/status.h"
#include "engine/records.h"

static const char *DEF = "{\"actions\":["
                         "{\"name\":\"file\",\"records\":[\"立案审批表\"]},"
                         "{\"name\":\"investigate\",\"records\":[\"询问笔录\",\"执法音视频记录\"]},"
                         "{\"name\":\"inform\",\"records\":[\"告知书\"]},"
                         "{\"name\":\"close\"},"
                         "{\"name\":\"undo\",\"kind\":\"withdraw\"}]}";

typedef struct got {
    char text[512];
} got;

/* Counts the calls (ctx: an int). */
static void miss(void *ctx, int step, int cat)
{
    (void)step;
    (void)cat;
    (*(int *)ctx)++;
}

static const rec_plan *g_plan;

static void miss_named(void *ctx, int step, int cat)
{
    got *g = ctx;
    size_t n = strlen(g->text);
    snprintf(g->text + n, sizeof(g->text) - n, "%s/%s;", g_plan->step[step], g_plan->cat[cat]);
}

static void test_plan(void **state)
{
    (void)state;
    def d = {.json = json_loads(DEF, 0, NULL)};
    rec_plan p;
    assert_int_equal(rec_plan_build(&d, &p), FZ_OK);
    assert_int_equal(p.nstep, 3);
    assert_int_equal(p.ncat, 4);
    assert_int_equal(p.nwithdraw, 1);
    assert_string_equal(p.withdraw[0], "case.undo");
    assert_int_equal(rec_step_index(&p, "case.investigate", 1), 1);
    assert_int_equal(rec_step_index(&p, "investigate", 0), 1);
    assert_int_equal(rec_step_index(&p, "investigate", 1), REC_OTHER);
    assert_int_equal(rec_step_index(&p, "case.close", 1), REC_OTHER);
    assert_int_equal(rec_withdrawn_index(&p, NULL), REC_NONE);
    assert_int_equal(rec_withdrawn_index(&p, "case.inform"), 2);
    assert_int_equal(rec_withdrawn_index(&p, "inform"), REC_OTHER);
    assert_int_equal(rec_cat_index(&p, "执法音视频记录"), 2);
    assert_int_equal(rec_cat_index(&p, "其他"), REC_OTHER);
    rec_plan_free(&p);
    json_decref(d.json);
}

static void test_missing(void **state)
{
    (void)state;
    def d = {.json = json_loads(DEF, 0, NULL)};
    rec_plan p;
    rec_tally t;
    assert_int_equal(rec_plan_build(&d, &p), FZ_OK);
    assert_int_equal(rec_tally_init(&p, &t), FZ_OK);
    g_plan = &p;
    unsigned char have[4] = {0};
    got g = {{0}};
    int calls = 0;
    /* Nothing taken: nothing missing. */
    assert_int_equal(rec_missing(&p, &t, have, miss, &calls), 0);
    assert_int_equal(calls, 0);
    /* investigate, then file (order as first taken), inform then its 撤回,
     * close (no records), investigate again. */
    rec_note(&t, rec_step_index(&p, "case.investigate", 1), REC_NONE);
    rec_note(&t, rec_step_index(&p, "case.file", 1), REC_NONE);
    rec_note(&t, rec_step_index(&p, "case.inform", 1), REC_NONE);
    rec_note(&t, rec_step_index(&p, "case.undo", 1), rec_withdrawn_index(&p, "case.inform"));
    rec_note(&t, rec_step_index(&p, "case.close", 1), REC_NONE);
    rec_note(&t, rec_step_index(&p, "case.investigate", 1), REC_NONE);
    assert_int_equal(rec_missing(&p, &t, have, miss_named, &g), 3);
    assert_string_equal(g.text, "investigate/询问笔录;investigate/执法音视频记录;file/立案审批表;");
    have[rec_cat_index(&p, "询问笔录")] = 1;
    have[rec_cat_index(&p, "立案审批表")] = 1;
    g.text[0] = 0;
    assert_int_equal(rec_missing(&p, &t, have, miss_named, &g), 1);
    assert_string_equal(g.text, "investigate/执法音视频记录;");
    have[rec_cat_index(&p, "执法音视频记录")] = 1;
    assert_int_equal(rec_missing(&p, &t, have, NULL, NULL), 0);
    /* The withdrawn inform counts again once retaken. */
    rec_note(&t, rec_step_index(&p, "case.inform", 1), REC_NONE);
    assert_int_equal(rec_missing(&p, &t, have, miss, &calls), 1);
    assert_int_equal(calls, 1);
    /* A 撤回 of something else (not a step with records, not "case.") changes nothing. */
    rec_note(&t, REC_OTHER, rec_withdrawn_index(&p, "case.close"));
    rec_note(&t, REC_OTHER, rec_withdrawn_index(&p, "inform"));
    assert_int_equal(rec_missing(&p, &t, have, NULL, NULL), 1);
    /* A reset tally: nothing standing. */
    rec_tally_reset(&p, &t);
    assert_int_equal(rec_missing(&p, &t, have, NULL, NULL), 0);
    /* A 撤回 never takes a step below none: withdrawn before taken, then
     * taken once, it stands (and, as the case detail always had it, is not
     * listed: it was seen first as withdrawn). */
    rec_note(&t, REC_OTHER, rec_withdrawn_index(&p, "case.file"));
    rec_note(&t, rec_step_index(&p, "case.file", 1), REC_NONE);
    memset(have, 0, sizeof(have));
    assert_int_equal(rec_missing(&p, &t, have, NULL, NULL), 0);
    rec_tally_free(&t);
    rec_plan_free(&p);
    json_decref(d.json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan),
        cmocka_unit_test(test_missing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
