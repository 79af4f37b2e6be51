/* test_defs.c: the definition validator (docs/definitions.md): the shipped
 * definitions are valid, and each kind of mistake is reported with the file,
 * the JSON path and a Chinese reason, and nothing is loaded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/status.h"
#include "engine/defs.h"

static char g_dir[64];

/* A minimal valid procedure; tests patch one piece of it. */
static const char *BASE =
    "{\"type\":\"procedure\",\"kind\":\"demo\",\"title\":\"示例\",\"basis\":\"第一条\","
    "\"fields\":[{\"name\":\"content\",\"label\":\"内容\",\"type\":\"text\",\"required\":true},"
    "{\"name\":\"outcome\",\"label\":\"结果\",\"type\":\"enum\",\"options\":[\"同意\",\"不同意\"]}],"
    "\"states\":[{\"name\":\"open\",\"label\":\"办理中\"},{\"name\":\"done\",\"label\":\"办结\",\"final\":true}],"
    "\"initial\":\"open\","
    "\"clocks\":[{\"name\":\"reply\",\"label\":\"答复期限\",\"limit\":\"20wd\",\"warn\":\"5wd\"}],"
    "\"actions\":[{\"name\":\"finish\",\"label\":\"办结\",\"from\":[\"open\"],\"to\":\"done\",\"roles\":[\"officer\"],"
    "\"requires\":[\"outcome\"],\"clock\":{\"stop\":[\"reply\"]}}]}";

static void write_file(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", g_dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void clear_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -f %s/*.json", g_dir);
    assert_int_equal(system(cmd), 0);
}

/* Replaces the first occurrence of from with to in BASE. */
static char *patched(const char *from, const char *to)
{
    const char *at = strstr(BASE, from);
    assert_non_null(at);
    size_t n = strlen(BASE) - strlen(from) + strlen(to) + 1;
    char *s = malloc(n);
    snprintf(s, n, "%.*s%s%s", (int)(at - BASE), BASE, to, at + strlen(from));
    return s;
}

/* Loads the dir expecting failure with an error at path whose reason contains needle. */
static void expect_error(const char *path, const char *needle)
{
    defs *d = NULL;
    defs_report *rep = calloc(1, sizeof(*rep));
    assert_int_equal(defs_load(g_dir, &d, rep), FZ_INVALID);
    assert_null(d);
    int found = 0;
    for (int i = 0; i < rep->nerrors; i++) {
        if (strcmp(rep->errors[i].path, path) == 0 && strstr(rep->errors[i].reason, needle) &&
            strstr(rep->errors[i].file, "x.json"))
            found = 1;
    }
    if (!found)
        for (int i = 0; i < rep->nerrors; i++)
            print_message("got: %s: %s: %s\n", rep->errors[i].file, rep->errors[i].path, rep->errors[i].reason);
    assert_true(found);
    free(rep);
}

static void check_patch(const char *from, const char *to, const char *path, const char *needle)
{
    clear_dir();
    char *doc = patched(from, to);
    write_file("x.json", doc);
    free(doc);
    expect_error(path, needle);
}

static void test_shipped_definitions_are_valid(void **state)
{
    defs *d = NULL;
    defs_report *rep = calloc(1, sizeof(*rep));
    int rc = defs_load(FAZHI_SOURCE_DIR "/defs", &d, rep);
    for (int i = 0; i < rep->nerrors; i++)
        print_message("%s: %s: %s\n", rep->errors[i].file, rep->errors[i].path, rep->errors[i].reason);
    assert_int_equal(rc, FZ_OK);
    const def *p = defs_find(d, DEF_PROCEDURE, "disclosure_request");
    assert_non_null(p);
    assert_int_equal(strlen(p->digest), 64);
    assert_non_null(defs_find(d, DEF_CATALOG, "laws"));
    assert_null(defs_find(d, DEF_CATALOG, "disclosure_request"));
    defs_free(d);
    free(rep);
}

static void test_base_is_valid(void **state)
{
    clear_dir();
    write_file("x.json", BASE);
    defs *d = NULL;
    defs_report rep;
    assert_int_equal(defs_load(g_dir, &d, &rep), FZ_OK);
    assert_int_equal(d->n, 1);
    defs_free(d);
}

static void test_unknown_keys(void **state)
{
    check_patch("\"initial\":\"open\"", "\"initial\":\"open\",\"colour\":1", "$.colour", "未知键");
    check_patch("\"roles\":[\"officer\"]", "\"roles\":[\"officer\"],\"too\":1", "$.actions[0].too", "未知键");
    check_patch("\"required\":true}", "\"required\":true,\"x\":1}", "$.fields[0].x", "未知键");
}

static void test_unreachable_state(void **state)
{
    check_patch("{\"name\":\"done\",\"label\":\"办结\",\"final\":true}",
                "{\"name\":\"done\",\"label\":\"办结\",\"final\":true},{\"name\":\"lost\",\"label\":\"孤立\"}",
                "$.states[2]", "不可达");
}

static void test_unknown_state_in_action(void **state)
{
    check_patch("\"to\":\"done\"", "\"to\":\"dnoe\"", "$.actions[0].to", "dnoe");
    check_patch("\"from\":[\"open\"]", "\"from\":[\"opne\"]", "$.actions[0].from[0]", "opne");
    check_patch("\"initial\":\"open\"", "\"initial\":\"start\"", "$.initial", "start");
}

static void test_unknown_clock(void **state)
{
    check_patch("\"stop\":[\"reply\"]", "\"stop\":[\"replay\"]", "$.actions[0].clock.stop[0]", "replay");
    check_patch("\"stop\":[\"reply\"]", "\"pause\":{\"clock\":\"reply\",\"reason\":\"lunch\"}",
                "$.actions[0].clock.pause.reason", "lunch");
    check_patch("\"limit\":\"20wd\"", "\"limit\":\"20 days\"", "$.clocks[0].limit", "wd");
}

/* case.history / case.imported / case.created / case.assigned are the
 * engine's own events: a step of that name would be read as one of them. */
static void test_reserved_action_names(void **state)
{
    check_patch("\"name\":\"finish\"", "\"name\":\"history\"", "$.actions[0].name", "系统保留");
    check_patch("\"name\":\"finish\"", "\"name\":\"imported\"", "$.actions[0].name", "系统保留");
}

static void test_unknown_role(void **state)
{
    check_patch("\"roles\":[\"officer\"]", "\"roles\":[\"offcer\"]", "$.actions[0].roles[0]", "offcer");
}

static void test_guard_field_missing(void **state)
{
    check_patch("\"requires\":[\"outcome\"]", "\"requires\":[\"outcom\"]", "$.actions[0].requires[0]", "outcom");
    check_patch("\"requires\":[\"outcome\"]", "\"requires\":[\"outcome\"],\"checks\":[\"foo\"]",
                "$.actions[0].checks[0]", "foo");
    /* "within" counts from a date field of the definition, by a valid rule; "times" is 1..100. */
    check_patch("\"requires\":[\"outcome\"]",
                "\"requires\":[\"outcome\"],\"within\":{\"from\":\"received_on\",\"limit\":\"7wd\"}",
                "$.actions[0].within.from", "received_on");
    check_patch("\"requires\":[\"outcome\"]",
                "\"requires\":[\"outcome\"],\"within\":{\"from\":\"content\",\"limit\":\"7wd\"}",
                "$.actions[0].within.from", "date");
    check_patch("\"requires\":[\"outcome\"]",
                "\"requires\":[\"outcome\"],\"within\":{\"from\":\"content\",\"limit\":\"7 days\"}",
                "$.actions[0].within.limit", "7wd");
    check_patch("\"requires\":[\"outcome\"]", "\"requires\":[\"outcome\"],\"times\":0",
                "$.actions[0].times", "1 到 100");
}

/* "records" (documents that should accompany a step, not blocking) and "set"
 * (values the step itself records). */
static void test_records_and_set(void **state)
{
    const char *req = "\"requires\":[\"outcome\"]";
    clear_dir();
    char *ok = patched(req, "\"requires\":[\"outcome\"],\"records\":[\"答复书\",\"音视频\"],"
                            "\"set\":{\"outcome\":\"同意\"}");
    write_file("x.json", ok);
    free(ok);
    defs *d = NULL;
    defs_report rep;
    assert_int_equal(defs_load(g_dir, &d, &rep), FZ_OK);
    defs_free(d);
    check_patch(req, "\"requires\":[\"outcome\"],\"records\":\"答复书\"", "$.actions[0].records", "数组");
    check_patch(req, "\"requires\":[\"outcome\"],\"records\":[\"\"]", "$.actions[0].records[0]", "附件类别");
    check_patch(req, "\"requires\":[\"outcome\"],\"records\":[\"答复书\",\"答复书\"]", "$.actions[0].records[1]",
                "重复");
    check_patch(req, "\"requires\":[\"outcome\"],\"attachments\":[\"答复书\"],\"records\":[\"答复书\"]",
                "$.actions[0].records[0]", "attachments");
    check_patch(req, "\"requires\":[\"outcome\"],\"set\":{\"outcom\":\"同意\"}", "$.actions[0].set.outcom",
                "未定义");
    check_patch(req, "\"requires\":[\"outcome\"],\"set\":{\"outcome\":\"也许\"}", "$.actions[0].set.outcome",
                "选项");
    check_patch(req, "\"requires\":[\"outcome\"],\"set\":{\"outcome\":\"同意\"},\"form\":[\"outcome\"]",
                "$.actions[0].set.outcome", "form");
    check_patch(req, "\"requires\":[\"outcome\"],\"set\":[]", "$.actions[0].set", "对象");
}

static void test_field_rules(void **state)
{
    check_patch("\"type\":\"text\"", "\"type\":\"txt\"", "$.fields[0].type", "txt");
    check_patch("\"options\":[\"同意\",\"不同意\"]", "\"max\":3", "$.fields[1].options", "options");
    check_patch("{\"name\":\"outcome\"", "{\"name\":\"content\"", "$.fields[1].name", "重复");
    check_patch("{\"name\":\"content\"", "{\"name\":\"state\"", "$.fields[0].name", "保留");
    /* min: int fields only, an integer, not above max. */
    check_patch("\"type\":\"text\"", "\"type\":\"text\",\"min\":0", "$.fields[0].min", "int");
    check_patch("\"type\":\"text\"", "\"type\":\"int\",\"min\":\"0\"", "$.fields[0].min", "整数");
    check_patch("\"type\":\"text\"", "\"type\":\"int\",\"min\":5,\"max\":3", "$.fields[0].min", "max");
}

static void test_json_syntax_error_names_line(void **state)
{
    clear_dir();
    write_file("x.json", "{\n  \"type\": \"procedure\",\n  \"kind\": ,\n}");
    expect_error("第 3 行第 11 列", "JSON 格式错误");
}

/* An indicator computed by a module from its registry: a known source and
 * measure, no numerator beside them, and the registry's catalogs loaded. */
static void test_indicator_module_source(void **state)
{
    clear_dir();
    write_file("a.json", BASE);
    write_file("x.json",
               "{\"type\":\"indicator\",\"name\":\"rate\",\"title\":\"持证率\",\"period\":\"year\",\"group\":\"unit\","
               "\"target\":1,\"direction\":\">=\",\"source\":\"officers\",\"measure\":\"licensed\"}");
    expect_error("$.measure", "officers.certified");
    write_file("x.json",
               "{\"type\":\"indicator\",\"name\":\"rate\",\"title\":\"持证率\",\"period\":\"year\",\"group\":\"unit\","
               "\"target\":1,\"direction\":\">=\",\"source\":\"officers\",\"measure\":\"certified\","
               "\"numerator\":{\"procedure\":\"demo\"}}");
    expect_error("$.source", "numerator");
    write_file("x.json",
               "{\"type\":\"indicator\",\"name\":\"rate\",\"title\":\"持证率\",\"period\":\"year\",\"group\":\"unit\","
               "\"target\":1,\"direction\":\">=\",\"measure\":\"certified\"}");
    expect_error("$.source", "必填");
    /* A rule: a known name, on a procedure with the fields it reads. */
    write_file("x.json",
               "{\"type\":\"indicator\",\"name\":\"rate\",\"title\":\"听证告知率\",\"period\":\"year\","
               "\"group\":\"unit\",\"target\":1,\"direction\":\">=\",\"numerator\":{\"procedure\":\"demo\","
               "\"rule\":\"hearing_rite\"}}");
    expect_error("$.numerator.rule", "hearing_right");
    expect_error("$.numerator.rule", "未知规则");
    write_file("x.json",
               "{\"type\":\"indicator\",\"name\":\"rate\",\"title\":\"全过程记录率\",\"period\":\"year\","
               "\"group\":\"unit\",\"target\":1,\"direction\":\">=\",\"numerator\":{\"procedure\":\"demo\","
               "\"rule\":\"full_records\"}}");
    expect_error("$.numerator.rule", "full_record");
    /* full_record reads the actions' records: a procedure without any is refused. */
    write_file("x.json",
               "{\"type\":\"indicator\",\"name\":\"rate\",\"title\":\"全过程记录率\",\"period\":\"year\","
               "\"group\":\"unit\",\"target\":1,\"direction\":\">=\",\"numerator\":{\"procedure\":\"demo\","
               "\"rule\":\"full_record\"}}");
    expect_error("$.numerator.rule", "应附记录（records）");
    write_file("x.json",
               "{\"type\":\"indicator\",\"name\":\"rate\",\"title\":\"听证告知率\",\"period\":\"year\","
               "\"group\":\"unit\",\"target\":1,\"direction\":\">=\",\"numerator\":{\"procedure\":\"demo\","
               "\"any\":[{\"rule\":\"hearing_right\"},{\"state\":[\"done\"]}]}}");
    expect_error("$.numerator.any[0].rule", "proposed_fine");
    write_file("x.json",
               "{\"type\":\"indicator\",\"name\":\"rate\",\"title\":\"或\",\"period\":\"year\","
               "\"group\":\"unit\",\"target\":1,\"direction\":\">=\",\"numerator\":{\"procedure\":\"demo\","
               "\"any\":[{\"state\":[\"done\"]}]}}");
    expect_error("$.numerator.any", "至少给出两个");
    /* Valid on its own, but the officers catalogs are not loaded here. */
    write_file("x.json",
               "{\"type\":\"indicator\",\"name\":\"rate\",\"title\":\"持证率\",\"period\":\"year\",\"group\":\"unit\","
               "\"target\":1,\"direction\":\">=\",\"source\":\"officers\",\"measure\":\"certified\"}");
    expect_error("$.source", "officers");
}

static void test_indicator_references(void **state)
{
    clear_dir();
    write_file("a.json", BASE);
    write_file("x.json",
               "{\"type\":\"indicator\",\"name\":\"rate\",\"title\":\"比率\",\"period\":\"year\",\"group\":\"unit\","
               "\"target\":1,\"direction\":\">=\",\"numerator\":{\"procedure\":\"demo\","
               "\"where\":[{\"field\":\"outcom\",\"in\":[\"同意\"]}]},\"denominator\":{\"procedure\":\"dmeo\"}}");
    expect_error("$.numerator.where[0].field", "outcom");
    expect_error("$.denominator.procedure", "dmeo");
}

/* The evaluated measure keys: a period date (a date field or "created"), a
 * clock of the procedure with its states, states of the procedure; an event
 * deadline (within/after) is refused in favour of a clock. */
static void test_indicator_measure_keys(void **state)
{
    clear_dir();
    write_file("a.json", BASE);
    write_file("x.json",
               "{\"type\":\"indicator\",\"name\":\"rate\",\"title\":\"比率\",\"period\":\"year\",\"group\":\"unit\","
               "\"target\":1,\"direction\":\">=\",\"numerator\":{\"procedure\":\"demo\",\"clock\":\"replay\","
               "\"clock_state\":[\"late\"],\"date\":\"content\",\"state\":[\"opn\"],"
               "\"event\":{\"action\":\"finish\",\"within\":\"7wd\"}},"
               "\"denominator\":{\"procedure\":\"demo\",\"where\":[{\"field\":\"outcome\"}],\"clock_state\":[\"overdue\"]}}");
    expect_error("$.numerator.clock_state[0]", "stopped_in_time");
    expect_error("$.numerator.event", "clock");
    expect_error("$.denominator.where[0]", "in、eq、not_in");
    expect_error("$.denominator", "clock_state 须与 clock 同用");
    /* References are checked once each file is valid on its own. */
    write_file("x.json",
               "{\"type\":\"indicator\",\"name\":\"rate\",\"title\":\"比率\",\"period\":\"year\",\"group\":\"unit\","
               "\"target\":1,\"direction\":\">=\",\"numerator\":{\"procedure\":\"demo\",\"clock\":\"replay\","
               "\"date\":\"content\",\"state\":[\"opn\"]},\"denominator\":{\"procedure\":\"demo\"}}");
    expect_error("$.numerator.clock", "replay");
    expect_error("$.numerator.date", "date 类型");
    expect_error("$.numerator.state[0]", "状态");
    write_file("x.json",
               "{\"type\":\"indicator\",\"name\":\"rate\",\"title\":\"比率\",\"period\":\"quarter\",\"group\":\"unit\","
               "\"target\":1,\"direction\":\">=\",\"numerator\":{\"procedure\":\"demo\",\"clock\":\"reply\","
               "\"clock_state\":[\"stopped_in_time\"],\"date\":\"created\",\"state\":[\"done\"],"
               "\"where\":[{\"field\":\"outcome\",\"in\":[\"同意\"]}],\"event\":{\"action\":\"finish\"}},"
               "\"denominator\":{\"procedure\":\"demo\",\"clock\":\"reply\",\"date\":\"created\"}}");
    defs *d = NULL;
    defs_report *rep = calloc(1, sizeof(*rep));
    assert_int_equal(defs_load(g_dir, &d, rep), FZ_OK);
    free(rep);
    defs_free(d);
}

static int setup(void **state)
{
    snprintf(g_dir, sizeof(g_dir), "/tmp/fazhi-defs-XXXXXX");
    return mkdtemp(g_dir) ? 0 : -1;
}

static int teardown(void **state)
{
    clear_dir();
    return rmdir(g_dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_definitions_are_valid),
        cmocka_unit_test(test_base_is_valid),
        cmocka_unit_test(test_unknown_keys),
        cmocka_unit_test(test_reserved_action_names),
        cmocka_unit_test(test_unreachable_state),
        cmocka_unit_test(test_unknown_state_in_action),
        cmocka_unit_test(test_unknown_clock),
        cmocka_unit_test(test_unknown_role),
        cmocka_unit_test(test_guard_field_missing),
        cmocka_unit_test(test_records_and_set),
        cmocka_unit_test(test_field_rules),
        cmocka_unit_test(test_json_syntax_error_names_line),
        cmocka_unit_test(test_indicator_references),
        cmocka_unit_test(test_indicator_measure_keys),
        cmocka_unit_test(test_indicator_module_source),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
