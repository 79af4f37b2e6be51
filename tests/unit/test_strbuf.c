/* test_strbuf.c: the growable buffer: growth, formatting, hex and
 * length-value encodings, detach, and the sticky failure flag. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/strbuf.h"

static void test_append_grows(void **state)
{
    strbuf b = STRBUF_INIT;
    assert_true(strbuf_ok(&b));
    for (int i = 0; i < 1000; i++)
        strbuf_putc(&b, (char)('a' + i % 26));
    assert_true(strbuf_ok(&b));
    assert_int_equal(b.len, 1000);
    assert_int_equal(strlen(b.data), 1000);
    assert_true(b.cap > b.len);
    assert_int_equal(b.data[26], 'a');
    assert_int_equal(b.data[999], 'a' + 999 % 26);
    strbuf_puts(&b, "法治");
    assert_int_equal(b.len, 1006);
    assert_string_equal(b.data + 1000, "法治");
    strbuf_append(&b, "\0x", 2); /* binary-safe; still NUL-terminated after */
    assert_int_equal(b.len, 1008);
    assert_int_equal(b.data[1006], '\0');
    assert_int_equal(b.data[1007], 'x');
    assert_int_equal(b.data[1008], '\0');
    strbuf_append(&b, NULL, 0);
    assert_int_equal(b.len, 1008);
    strbuf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
}

static void test_printf(void **state)
{
    strbuf b;
    strbuf_init(&b);
    strbuf_printf(&b, "%s=%d;", "seq", 42);
    strbuf_printf(&b, "%0300d", 5);
    assert_true(strbuf_ok(&b));
    assert_int_equal(b.len, 7 + 300);
    assert_memory_equal(b.data, "seq=42;000", 10);
    assert_int_equal(b.data[b.len - 1], '5');
    assert_int_equal(b.data[b.len], '\0');
    strbuf_printf(&b, "%s", "");
    assert_int_equal(b.len, 307);
    strbuf_free(&b);
}

static void test_hex_and_lv(void **state)
{
    strbuf b = STRBUF_INIT;
    const unsigned char bytes[] = {0x00, 0x01, 0xab, 0xff, 0x10};
    strbuf_hex(&b, bytes, sizeof(bytes));
    assert_string_equal(b.data, "0001abff10");
    strbuf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");

    strbuf_lv(&b, "abc", 3);
    strbuf_lv(&b, "", 0);
    assert_int_equal(b.len, 4 + 3 + 4);
    assert_memory_equal(b.data, "\0\0\0\3abc\0\0\0\0", 11);

    char big[300];
    memset(big, 'z', sizeof(big));
    strbuf_reset(&b);
    strbuf_lv(&b, big, sizeof(big));
    assert_int_equal(b.len, 304);
    assert_memory_equal(b.data, "\0\0\x01\x2c", 4); /* 300 = 0x012c, big-endian */
    assert_int_equal(b.data[303], 'z');
    strbuf_free(&b);
}

static void test_detach(void **state)
{
    strbuf b = STRBUF_INIT;
    size_t len = 99;
    char *p = strbuf_detach(&b, &len); /* never appended: still a valid string */
    assert_non_null(p);
    assert_string_equal(p, "");
    assert_int_equal(len, 0);
    free(p);

    strbuf_puts(&b, "案卷");
    p = strbuf_detach(&b, &len);
    assert_string_equal(p, "案卷");
    assert_int_equal(len, strlen("案卷"));
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    free(p);
}

static void test_failure_is_sticky(void **state)
{
    strbuf b = STRBUF_INIT;
    strbuf_puts(&b, "ok");
    /* An impossible size fails in the size check, before anything is read. */
    strbuf_append(&b, "", SIZE_MAX);
    assert_false(strbuf_ok(&b));
    strbuf_puts(&b, "more");
    assert_int_equal(b.len, 2);
    assert_null(strbuf_detach(&b, NULL));
    assert_null(b.data);

    /* A reset clears the failure. */
    strbuf_puts(&b, "x");
    strbuf_append(&b, "", SIZE_MAX / 2);
    assert_false(strbuf_ok(&b));
    strbuf_reset(&b);
    assert_true(strbuf_ok(&b));
    strbuf_puts(&b, "y");
    assert_string_equal(b.data, "y");

    /* Lengths that would wrap: n * 2 for hex, > 4 bytes for lv. */
    strbuf_hex(&b, (const unsigned char *)"", SIZE_MAX / 2 + 2);
    assert_false(strbuf_ok(&b));
    strbuf_reset(&b);
    strbuf_lv(&b, "", (size_t)UINT32_MAX + 1);
    assert_false(strbuf_ok(&b));
    assert_int_equal(b.len, 0);
    strbuf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_grows),
        cmocka_unit_test(test_printf),
        cmocka_unit_test(test_hex_and_lv),
        cmocka_unit_test(test_detach),
        cmocka_unit_test(test_failure_is_sticky),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
