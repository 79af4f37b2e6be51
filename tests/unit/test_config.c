/* test_config.c: server configuration (engine/config.h): the defaults, value
 * checking in config_set (errors name the key), region-code normalisation,
 * DIR/fazhi.conf (comments, line numbers in errors, `data` refused, missing
 * file fine, the SM3 digest of the bytes read), FAZHI_* environment variables
 * (errors name the variable), and the default file `fazhi init` writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/sm.h"
#include "core/status.h"
#include "engine/config.h"

static char g_dir[64];

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(p);
}

static int setup(void **state)
{
    snprintf(g_dir, sizeof(g_dir), "/tmp/fz-config-XXXXXX");
    return mkdtemp(g_dir) ? 0 : -1;
}

static int teardown(void **state)
{
    return nftw(g_dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static void write_conf(const char *text)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/fazhi.conf", g_dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
}

static void expect_set_fails(config *c, const char *key, const char *value, const char *word)
{
    char err[256] = "";
    int rc = config_set(c, key, value, err, sizeof(err));
    if (rc != -1)
        fprintf(stderr, "config_set(%s, '%s') accepted\n", key, value);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, word));
}

static void test_defaults(void **state)
{
    config c;
    memset(&c, 0x5a, sizeof(c));
    config_defaults(&c);
    assert_string_equal(c.data, "./data");
    assert_string_equal(c.listen, "127.0.0.1:8080"); /* loopback unless told otherwise */
    assert_int_equal(c.threads, 0);
    assert_string_equal(c.region_code, "000000000000");
    assert_int_equal(c.max_body_kb, 1024);
    assert_int_equal(c.conn_timeout_s, 30);
    assert_int_equal(c.conn_limit, 1024);
    assert_int_equal(c.commit_batch_max, 256);
    assert_string_equal(c.log_level, "info");
    assert_string_equal(c.access_log, "stderr");
    assert_string_equal(c.ui_dir, "");
    assert_string_equal(c.file_digest, "");
    assert_true(config_known("listen"));
    assert_true(config_known("data"));
    assert_false(config_known("file_digest")); /* derived, not settable */
    assert_false(config_known("nope"));
}

static void test_set_values(void **state)
{
    config c;
    config_defaults(&c);
    char err[256];
    assert_int_equal(config_set(&c, "listen", "0.0.0.0:9090", err, sizeof(err)), 0);
    assert_string_equal(c.listen, "0.0.0.0:9090");
    assert_int_equal(config_set(&c, "listen", "[::1]:8443", err, sizeof(err)), 0);
    assert_int_equal(config_set(&c, "commit_batch_max", "1", err, sizeof(err)), 0);
    assert_int_equal(c.commit_batch_max, 1);
    assert_int_equal(config_set(&c, "max_body_kb", "1048576", err, sizeof(err)), 0);
    assert_int_equal(c.max_body_kb, 1048576);
    assert_int_equal(config_set(&c, "log_level", "debug", err, sizeof(err)), 0);

    expect_set_fails(&c, "listn", "x:1", "listn");
    expect_set_fails(&c, "", "x", "未知");
    static const char *const junk[] = {"0", "100001", "-1", "", "12abc", " 5", "5 ", "0x10", "1e3"};
    for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
        expect_set_fails(&c, "commit_batch_max", junk[i], "commit_batch_max");
    assert_int_equal(c.commit_batch_max, 1); /* rejected integers change nothing */
    expect_set_fails(&c, "max_body_kb", "1048577", "max_body_kb");
    expect_set_fails(&c, "threads", "257", "threads");
    expect_set_fails(&c, "conn_limit", "15", "conn_limit");
    expect_set_fails(&c, "conn_timeout_s", "99999999999999999999", "conn_timeout_s");
    expect_set_fails(&c, "log_level", "verbose", "log_level");

    /* listen needs host and a port in 1..65535. */
    static const char *const listens[] = {"127.0.0.1", "localhost", "127.0.0.1:", ":8080",
                                          "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:http"};
    for (size_t i = 0; i < sizeof(listens) / sizeof(listens[0]); i++)
        expect_set_fails(&c, "listen", listens[i], "listen");

    char big[300];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    expect_set_fails(&c, "listen", big, "listen"); /* longer than the field */
}

static void test_region_code(void **state)
{
    config c;
    config_defaults(&c);
    char err[256];
    assert_int_equal(config_set(&c, "region_code", "110105", err, sizeof(err)), 0);
    assert_string_equal(c.region_code, "110105000000");
    assert_int_equal(config_set(&c, "region_code", "520502003", err, sizeof(err)), 0);
    assert_string_equal(c.region_code, "520502003000");
    assert_int_equal(config_set(&c, "region_code", "520502000000", err, sizeof(err)), 0);
    assert_string_equal(c.region_code, "520502000000");
    assert_int_equal(config_set(&c, "region_code", "000000000000", err, sizeof(err)), 0);
    static const char *const bad[] = {"", "abc", "11010", "1101050", "11010500000x", "990000",
                                      "000000", "1101050000001", "110105 "};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_set_fails(&c, "region_code", bad[i], "region_code");
}

static void test_file(void **state)
{
    config c;
    config_defaults(&c);
    char err[512] = "";
    static const char text[] = "# fazhi.conf\n"
                               "\n"
                               "   # indented comment\n"
                               "listen = 0.0.0.0:9000\n"
                               "  commit_batch_max=16  \n"
                               "region_code =110105\n"
                               "\t\n"
                               "access_log = /var/log/fazhi access.log\n";
    write_conf(text);
    assert_int_equal(config_load_file(&c, g_dir, err, sizeof(err)), 0);
    assert_string_equal(c.listen, "0.0.0.0:9000");
    assert_int_equal(c.commit_batch_max, 16);
    assert_string_equal(c.region_code, "110105000000");
    assert_string_equal(c.access_log, "/var/log/fazhi access.log");
    assert_string_equal(c.log_level, "info"); /* untouched keys keep defaults */

    /* file_digest is SM3 of exactly the file's bytes. */
    unsigned char d[SM3_LEN];
    char hex[SM3_HEX_LEN + 1];
    assert_int_equal(sm3(text, sizeof(text) - 1, d), FZ_OK);
    sm3_hex(d, hex);
    assert_string_equal(c.file_digest, hex);
}

static void test_file_errors(void **state)
{
    static const struct {
        const char *text, *words[3];
    } cases[] = {
        {"# ok\nlisten = 127.0.0.1:1\nlistn = 1\n", {"第 3 行", "listn", "fazhi.conf"}},
        {"\n\ndata = /srv/other\n", {"第 3 行", "data", NULL}},
        {"listen 127.0.0.1:80\n", {"第 1 行", "key = value", NULL}},
        {"threads = many\n", {"第 1 行", "threads", NULL}},
        {"a\n#\nregion_code = 99\n", {"第 1 行", NULL, NULL}},
        {"# x\n\nregion_code = 99\n", {"第 3 行", "region_code", NULL}},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        config c;
        config_defaults(&c);
        char err[512] = "";
        write_conf(cases[i].text);
        assert_int_equal(config_load_file(&c, g_dir, err, sizeof(err)), -1);
        for (int k = 0; k < 3 && cases[i].words[k]; k++) {
            if (!strstr(err, cases[i].words[k]))
                fprintf(stderr, "case %zu: '%s' lacks '%s'\n", i, err, cases[i].words[k]);
            assert_non_null(strstr(err, cases[i].words[k]));
        }
    }
}

static void test_file_missing_is_fine(void **state)
{
    config c;
    config_defaults(&c);
    char err[512] = "";
    assert_int_equal(config_load_file(&c, g_dir, err, sizeof(err)), 0);
    assert_string_equal(c.listen, "127.0.0.1:8080");
    assert_string_equal(c.file_digest, "");
}

/* "#xxx...x" of len bytes, then the given lines. Caller frees. */
static char *long_comment(size_t len, const char *after)
{
    char *t = malloc(len + strlen(after) + 1);
    assert_non_null(t);
    t[0] = '#';
    memset(t + 1, 'x', len - 1);
    memcpy(t + len, after, strlen(after) + 1);
    return t;
}

static void test_file_long_comment(void **state)
{
    /* A comment longer than the reader's line buffer must stay one comment:
     * its tail must never be taken as a setting of its own, and later line
     * numbers must stay right. 2047 puts the tail exactly after what one
     * fgets into a 2048-byte buffer reads. */
    static const size_t lens[] = {2047, 5000};
    for (size_t i = 0; i < 2; i++) {
        char *text = long_comment(lens[i], "listen = 0.0.0.0:9999\nconn_limit = 64\nbogus = 1\n");
        config c;
        config_defaults(&c);
        char err[512] = "";
        write_conf(text);
        free(text);
        int rc = config_load_file(&c, g_dir, err, sizeof(err));
        if (strcmp(c.listen, "127.0.0.1:8080") != 0)
            fprintf(stderr, "a comment's tail was applied: listen = %s\n", c.listen);
        assert_string_equal(c.listen, "127.0.0.1:8080");
        assert_int_equal(rc, -1);
        /* Either the long line is read as the comment it is (conn_limit on
         * line 2 applies, bogus fails on line 3) or it is refused as line 1. */
        if (!strstr(err, "第 1 行") && !strstr(err, "第 3 行"))
            fprintf(stderr, "len %zu: %s\n", lens[i], err);
        if (strstr(err, "第 3 行")) {
            assert_non_null(strstr(err, "bogus"));
            assert_int_equal(c.conn_limit, 64);
        } else {
            assert_non_null(strstr(err, "第 1 行"));
        }
    }
}

static const char *const env_keys[] = {"FAZHI_DATA", "FAZHI_LISTEN", "FAZHI_THREADS",
                                       "FAZHI_REGION_CODE", "FAZHI_MAX_BODY_KB",
                                       "FAZHI_CONN_TIMEOUT_S", "FAZHI_CONN_LIMIT",
                                       "FAZHI_COMMIT_BATCH_MAX", "FAZHI_LOG_LEVEL",
                                       "FAZHI_ACCESS_LOG", "FAZHI_UI_DIR"};

static void clear_env(void)
{
    for (size_t i = 0; i < sizeof(env_keys) / sizeof(env_keys[0]); i++)
        unsetenv(env_keys[i]);
}

static void test_env(void **state)
{
    clear_env();
    config c;
    config_defaults(&c);
    char err[512] = "";
    assert_int_equal(config_load_env(&c, err, sizeof(err)), 0);
    assert_string_equal(c.listen, "127.0.0.1:8080"); /* nothing set, nothing changed */

    setenv("FAZHI_LISTEN", "0.0.0.0:7000", 1);
    setenv("FAZHI_DATA", "/srv/fazhi", 1);
    setenv("FAZHI_COMMIT_BATCH_MAX", "8", 1);
    setenv("FAZHI_REGION_CODE", "110105", 1);
    setenv("FAZHI_UI_DIR", "ui/dist", 1);
    setenv("FAZHI_listen", "1.2.3.4:1", 1); /* names are upper case only */
    assert_int_equal(config_load_env(&c, err, sizeof(err)), 0);
    assert_string_equal(c.listen, "0.0.0.0:7000");
    assert_string_equal(c.data, "/srv/fazhi");
    assert_int_equal(c.commit_batch_max, 8);
    assert_string_equal(c.region_code, "110105000000");
    assert_string_equal(c.ui_dir, "ui/dist");
    unsetenv("FAZHI_listen");

    setenv("FAZHI_CONN_LIMIT", "5", 1);
    err[0] = '\0';
    assert_int_equal(config_load_env(&c, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "FAZHI_CONN_LIMIT"));
    assert_non_null(strstr(err, "conn_limit"));
    clear_env();

    setenv("FAZHI_LISTEN", "nowhere", 1);
    assert_int_equal(config_load_env(&c, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "FAZHI_LISTEN"));
    clear_env();
}

static void test_write_default(void **state)
{
    config c;
    config_defaults(&c);
    char err[512] = "", path[128];
    assert_int_equal(config_set(&c, "region_code", "520502", err, sizeof(err)), 0);
    snprintf(path, sizeof(path), "%s/fazhi.conf", g_dir);
    assert_int_equal(config_write_default(&c, path, err, sizeof(err)), 0);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);

    /* It reads back cleanly: the county's code is set, the rest default. */
    config back;
    config_defaults(&back);
    assert_int_equal(config_load_file(&back, g_dir, err, sizeof(err)), 0);
    assert_string_equal(back.region_code, "520502000000");
    assert_string_equal(back.listen, "127.0.0.1:8080");
    assert_int_equal(back.commit_batch_max, 256);
    unsigned char d[SM3_LEN];
    char hex[SM3_HEX_LEN + 1];
    assert_int_equal(sm3_file(path, d, NULL), FZ_OK);
    sm3_hex(d, hex);
    assert_string_equal(back.file_digest, hex);

    /* Uncommenting every "# key = default" line also loads: the documented
     * defaults are valid values. */
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[2048], text[8192] = "";
    int uncommented = 0;
    while (fgets(line, sizeof(line), f)) {
        const char *s = line;
        char key[64];
        if (sscanf(line, "# %63[a-z_] = ", key) == 1 && strstr(line, " = ") && config_known(key)) {
            s += 2;
            uncommented++;
        }
        strncat(text, s, sizeof(text) - strlen(text) - 1);
    }
    fclose(f);
    assert_true(uncommented >= 9); /* every key but data and region_code */
    char p2[160];
    snprintf(p2, sizeof(p2), "%s/sub", g_dir);
    assert_int_equal(mkdir(p2, 0700), 0);
    snprintf(path, sizeof(path), "%s/sub/fazhi.conf", g_dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    config_defaults(&back);
    if (config_load_file(&back, p2, err, sizeof(err)) != 0)
        fprintf(stderr, "%s\n", err);
    assert_int_equal(config_load_file(&back, p2, err, sizeof(err)), 0);

    /* Never overwrites. */
    snprintf(path, sizeof(path), "%s/fazhi.conf", g_dir);
    err[0] = '\0';
    assert_int_equal(config_write_default(&c, path, err, sizeof(err)), -1);
    assert_non_null(strstr(err, path));
    config_defaults(&back);
    assert_int_equal(config_load_file(&back, g_dir, err, sizeof(err)), 0);
    assert_string_equal(back.region_code, "520502000000");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_set_values),
        cmocka_unit_test(test_region_code),
        T(test_file),
        T(test_file_errors),
        T(test_file_missing_is_fine),
        T(test_file_long_comment),
        T(test_env),
        T(test_write_default),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
