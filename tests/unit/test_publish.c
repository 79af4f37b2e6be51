/* Unit tests of engine/publish.c's desensitisation (公示): what a decision's
 * publication shows of a natural person and of an organisation. Writing,
 * withdrawing and the public portal are covered by the API tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/publish.h"

static void mask(const char *in, const char *want)
{
    char out[64];
    publish_mask_name(in, out, sizeof(out));
    assert_string_equal(out, want);
}

static void test_mask_name(void **state)
{
    mask("张三", "张*");
    mask("张三丰", "张*丰");
    mask("欧阳修远", "欧**远");
    mask("李", "李");
    mask("", "");
    mask(NULL, "");
}

static const char *DEF =
    "{\"fields\": ["
    "{\"name\": \"party\", \"label\": \"当事人\", \"type\": \"party\", \"publish\": true},"
    "{\"name\": \"address\", \"label\": \"住所\", \"type\": \"string\", \"publish\": true, \"personal\": true},"
    "{\"name\": \"phone\", \"label\": \"电话\", \"type\": \"string\", \"publish\": true, \"sensitive\": true},"
    "{\"name\": \"notes\", \"label\": \"内部意见\", \"type\": \"text\"},"
    "{\"name\": \"fine\", \"label\": \"罚款\", \"type\": \"money\", \"publish\": true},"
    "{\"name\": \"warned\", \"label\": \"警告\", \"type\": \"bool\", \"publish\": true},"
    "{\"name\": \"facts\", \"label\": \"违法事实\", \"type\": \"text\", \"publish\": true}]}";

static json_t *render(const char *values, char kind[32], char name[256])
{
    def d = {0};
    d.json = json_loads(DEF, 0, NULL);
    json_t *v = json_loads(values, 0, NULL);
    json_t *items = publish_render(&d, v, kind, name);
    json_decref(v);
    json_decref(d.json);
    return items;
}

static const char *value_of(json_t *items, const char *label)
{
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it) if (!strcmp(json_string_value(json_object_get(it, "label")), label)) return json_string_value(
        json_object_get(it, "value"));
    return NULL;
}

static void test_natural_person(void **state)
{
    char kind[32], name[256];
    json_t *items = render("{\"party\": {\"name\": \"王小明\", \"kind\": \"自然人\", \"id_number\": \"11010519491231002X\"},"
                           " \"address\": \"城关镇幸福路 8 号\", \"phone\": \"13812345678\", \"notes\": \"x\","
                           " \"fine\": 150000, \"warned\": true, \"facts\": \"占道经营\"}",
                           kind, name);
    assert_string_equal(kind, "自然人");
    assert_string_equal(name, "王*明");
    assert_string_equal(value_of(items, "当事人"), "王*明");
    assert_null(value_of(items, "当事人统一社会信用代码"));
    assert_null(value_of(items, "住所"));   /* personal: left out for a person */
    assert_null(value_of(items, "电话"));   /* sensitive: never */
    assert_null(value_of(items, "内部意见")); /* not marked publish */
    assert_string_equal(value_of(items, "罚款"), "1500.00元");
    assert_string_equal(value_of(items, "警告"), "是");
    assert_string_equal(value_of(items, "违法事实"), "占道经营");
    char *text = json_dumps(items, 0);
    assert_null(strstr(text, "11010519491231002X"));
    assert_null(strstr(text, "王小明"));
    free(text);
    json_decref(items);
}

static void test_organisation(void **state)
{
    char kind[32], name[256];
    json_t *items = render("{\"party\": {\"name\": \"某某建材有限公司\", \"kind\": \"法人\", \"id_number\": \"91530000MA6K9X0Q5R\"},"
                           " \"address\": \"工业园区 3 号\", \"fine\": 5000000}",
                           kind, name);
    assert_string_equal(kind, "法人");
    assert_string_equal(name, "某某建材有限公司");
    assert_string_equal(value_of(items, "当事人"), "某某建材有限公司");
    assert_string_equal(value_of(items, "当事人统一社会信用代码"), "91530000MA6K9X0Q5R");
    assert_string_equal(value_of(items, "住所"), "工业园区 3 号");
    assert_string_equal(value_of(items, "罚款"), "50000.00元");
    json_decref(items);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mask_name),
        cmocka_unit_test(test_natural_person),
        cmocka_unit_test(test_organisation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
