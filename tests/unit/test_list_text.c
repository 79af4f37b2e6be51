/* test_list_text.c: the case list written as text (case_list_text, the list
 * API) gives the very bytes json_dumps gives for the rows the export walk
 * builds with jansson (case_each), paged and with fields=, for every kind of
 * field (party with its ID number, sealed sensitive text, numbers, booleans,
 * nulls, text needing escapes), masked and unmasked; a case's detail
 * (case_json_text) the bytes of case_json; core/jsonw writes strings and
 * integers as jansson does; the list's count kept on the reader (store_memo)
 * follows every commit; case_each walks every visible row once, in order,
 * past ties on created_at; and a request's read scope sees one snapshot
 * until it ends. */
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

#include "core/jsonw.h"
#include "core/status.h"
#include "engine/cases.h"
#include "engine/defs.h"
#include "engine/holidays.h"
#include "engine/schema.h"
#include "store/store.h"

#define LEDGER "532624000000"

static const char *DEF =
    "{\"type\":\"procedure\",\"kind\":\"demo\",\"title\":\"示例\",\"basis\":\"第一条\",\"no_prefix\":\"示例\","
    "\"fields\":[{\"name\":\"party\",\"label\":\"当事人\",\"type\":\"party\",\"filter\":true},"
    "{\"name\":\"content\",\"label\":\"内容\",\"type\":\"text\",\"filter\":true},"
    "{\"name\":\"phone\",\"label\":\"电话\",\"type\":\"string\",\"sensitive\":true},"
    "{\"name\":\"fine\",\"label\":\"罚款\",\"type\":\"money\"},"
    "{\"name\":\"major\",\"label\":\"重大\",\"type\":\"bool\"},"
    "{\"name\":\"on\",\"label\":\"日期\",\"type\":\"date\"},"
    "{\"name\":\"outcome\",\"label\":\"结果\",\"type\":\"enum\",\"options\":[\"同意\",\"不同意\"],\"filter\":true}],"
    "\"states\":[{\"name\":\"open\",\"label\":\"办理中\"},{\"name\":\"done\",\"label\":\"办结\",\"final\":true}],"
    "\"initial\":\"open\","
    "\"actions\":[{\"name\":\"close\",\"label\":\"办结\",\"from\":[\"open\"],\"to\":\"done\",\"roles\":[\"officer\"]},"
    "{\"name\":\"settle\",\"label\":\"结算\",\"from\":[\"open\"],\"to\":\"done\",\"form\":[\"fine\",\"on\"]}]}";

static char g_dir[64];
static store *S;
static defs *D;
static const def *demo;
static field_keys keys;

static const char *PERMS[] = {"case:create", "case:handle", "case:view"};
static const char *PERMS_SENSITIVE[] = {"case:create", "case:handle", "case:view", "system:user:sensitive"};
static principal_role officer_role = {.id = 1, .key = "officer", .name = "执法人员", .scope = "unit"};
static principal officer = {.user_id = 11, .username = "officer1", .name = "甲", .unit_id = 1, .unit_path = "/1/",
                            .perms = PERMS, .nperms = 3, .roles = &officer_role, .nroles = 1};
static principal trusted = {.user_id = 12, .username = "chief", .name = "乙", .unit_id = 1, .unit_path = "/1/",
                            .perms = PERMS_SENSITIVE, .nperms = 4, .roles = &officer_role, .nroles = 1};

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(p);
}

typedef struct job {
    case_ctx x;
    json_t *values;
    int64_t id;
    char no[80];
    char msg[256];
} job;

static int sync_job(store_conn *w, void *ctx)
{
    job *j = ctx;
    return schema_sync(w, D, j->msg, sizeof(j->msg));
}

static int create_job(store_conn *w, void *ctx)
{
    job *j = ctx;
    return case_create(w, &j->x, j->values, 1, &j->id, j->no);
}

/* Scope rows for the principals above: unit 1, a role with the case
 * permissions and scope "unit", held by users 11 and 12. */
static int grant_job(store_conn *w, void *ctx)
{
    (void)ctx;
    int rc = store_run(w,
                       "INSERT INTO units (id, name, type, legal_status, region_code, parent_id, path, created_at)"
                       " VALUES (1, '县司法局', 'bureau', 'legal_person', '532624000000', 0, '/1/', 0)",
                       "");
    rc = rc ? rc
            : store_run(w, "INSERT INTO roles (id, key, name, builtin, data_scope) VALUES (901, 't_officer', '执法', 0, 'unit')",
                        "");
    for (int i = 0; !rc && i < 3; i++)
        rc = store_run(w, "INSERT INTO role_perms (role_id, perm) VALUES (901, ?)", "s", PERMS[i]);
    rc = rc ? rc : store_run(w, "INSERT INTO user_roles (user_id, role_id) VALUES (11, 901), (12, 901)", "");
    return rc;
}

static void create(const char *values_json)
{
    job j = {.x = {.d = demo, .who = &officer, .keys = &keys, .ledger = LEDGER}};
    j.values = json_loads(values_json, 0, NULL);
    assert_non_null(j.values);
    assert_int_equal(store_write(S, create_job, &j), FZ_OK);
    json_decref(j.values);
}

static int setup(void **state)
{
    (void)state;
    for (int i = 0; i < (int)sizeof(keys.enc); i++)
        keys.enc[i] = (unsigned char)(i * 7 + 1);
    for (int i = 0; i < (int)sizeof(keys.mac); i++)
        keys.mac[i] = (unsigned char)(i * 5 + 3);
    snprintf(g_dir, sizeof(g_dir), "/tmp/fz-listtext-XXXXXX");
    if (!mkdtemp(g_dir))
        return -1;
    char path[128];
    snprintf(path, sizeof(path), "%s/defs", g_dir);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/defs/demo.json", g_dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(DEF, f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/defs", g_dir);
    defs_report *rep = calloc(1, sizeof(*rep));
    int rc = defs_load(path, &D, rep);
    free(rep);
    if (rc != FZ_OK || !(demo = defs_find(D, DEF_PROCEDURE, "demo")))
        return -1;
    snprintf(path, sizeof(path), "%s/data", g_dir);
    mkdir(path, 0700);
    store_opts o = {.dir = path, .batch_max = 8, .create = 1};
    char err[256] = "";
    if (store_open(&o, &S, err, sizeof(err)) != FZ_OK) {
        fprintf(stderr, "store_open: %s\n", err);
        return -1;
    }
    job j = {0};
    if (store_write(S, sync_job, &j) != FZ_OK || store_write(S, grant_job, NULL) != FZ_OK) {
        fprintf(stderr, "setup: %s\n", j.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    store_close(S);
    defs_free(D);
    holidays_cache_clear();
    return nftw(g_dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

typedef struct collected {
    json_t *rows;
} collected;

static int collect(void *ctx, json_t *row)
{
    json_array_append(((collected *)ctx)->rows, row);
    return FZ_OK;
}

/* The answer a list page should be, made from the rows the export walk
 * (case_each, its own jansson path) hands over: page page of size rows,
 * oldest first, only the fields named in only (NULL: all). */
static char *expected(const principal *p, json_t *filters, int64_t page, int64_t size, const json_t *only)
{
    case_ctx x = {.d = demo, .who = p, .keys = &keys, .ledger = LEDGER};
    collected c = {json_array()};
    assert_int_equal(case_each(store_reader(S), &x, filters, collect, &c), FZ_OK);
    json_t *rows = json_array();
    for (size_t i = (size_t)((page - 1) * size); i < json_array_size(c.rows) && i < (size_t)(page * size); i++) {
        json_t *row = json_deep_copy(json_array_get(c.rows, i)), *fields = json_object_get(row, "fields");
        const char *k;
        json_t *v, *tmp;
        json_object_foreach_safe(fields, tmp, k, v)
        {
            size_t j;
            json_t *n;
            int keep = !only;
            json_array_foreach(only, j, n) keep |= !strcmp(json_string_value(n), k);
            if (!keep)
                json_object_del(fields, k);
        }
        json_array_append_new(rows, row);
    }
    json_t *out = json_pack("{s:I, s:b, s:o}", "total", (json_int_t)json_array_size(c.rows), "total_capped", 0,
                            "rows", rows);
    char *text = json_dumps(out, JSON_COMPACT);
    json_decref(out);
    json_decref(c.rows);
    assert_non_null(text);
    return text;
}

/* The list page (case_list_text), oldest first, against expected(). */
static void both(const principal *p, json_t *filters, int64_t page, int64_t size, const json_t *only, char **want,
                 strbuf *text)
{
    case_ctx x = {.d = demo, .who = p, .keys = &keys, .ledger = LEDGER};
    case_query q = {.filters = filters, .desc = 0, .page = page, .size = size, .fields = only};
    *want = expected(p, filters, page, size, only);
    assert_int_equal(case_list_text(store_reader(S), &x, &q, text), FZ_OK);
}

static int64_t total_of(const principal *p, json_t *filters)
{
    case_ctx x = {.d = demo, .who = p, .keys = &keys, .ledger = LEDGER};
    case_query q = {.filters = filters, .desc = 1, .page = 1, .size = 5};
    strbuf b = STRBUF_INIT;
    assert_int_equal(case_list_text(store_reader(S), &x, &q, &b), FZ_OK);
    json_t *o = json_loads(b.data, 0, NULL);
    assert_non_null(o);
    int64_t n = json_integer_value(json_object_get(o, "total"));
    json_decref(o);
    strbuf_free(&b);
    return n;
}

static void test_list_text_as_rows(void **state)
{
    (void)state;
    create("{\"party\":{\"name\":\"张三\",\"kind\":\"自然人\",\"id_number\":\"11010519491231002X\"},"
           "\"content\":\"引号\\\" 反斜杠\\\\ 换行\\n 制表\\t 回车\\r 退格\\b 换页\\f 控制\\u0001\\u001f 删除\\u007f\","
           "\"phone\":\"13800138000\",\"fine\":500000,\"major\":true,\"on\":\"2026-03-01\",\"outcome\":\"同意\"}");
    create("{\"content\":\"只有内容\"}");
    create("{\"party\":{\"name\":\"北明公司\",\"kind\":\"法人\"},\"content\":\"\",\"major\":false,\"fine\":-3}");
    const principal *who[] = {&officer, &trusted};
    for (int w = 0; w < 2; w++) {
        for (int filter = 0; filter < 2; filter++) {
            json_t *filters = filter ? json_pack("{s:s}", "outcome", "同意") : json_object();
            char *j = NULL;
            strbuf t = STRBUF_INIT;
            both(who[w], filters, 1, 20, NULL, &j, &t);
            assert_non_null(j);
            assert_true(strbuf_ok(&t));
            assert_string_equal(t.data, j);
            /* The party's ID number: masked for the officer, whole for the other. */
            if (!filter)
                assert_non_null(strstr(t.data, w ? "11010519491231002X" : "110105********002X"));
            free(j);
            strbuf_free(&t);
            json_decref(filters);
        }
    }
    /* Only some fields (fields=): the same rows with those fields alone. */
    json_t *only = json_pack("[s, s]", "fine", "party"), *all = json_object();
    char *oj = NULL;
    strbuf ot = STRBUF_INIT;
    both(&officer, all, 1, 20, only, &oj, &ot);
    assert_string_equal(ot.data, oj);
    assert_null(strstr(ot.data, "\"content\""));
    assert_non_null(strstr(ot.data, "\"fields\":{\"party\":"));
    free(oj);
    strbuf_free(&ot);
    json_decref(only);
    /* Pages: the second page of two rows. */
    both(&officer, all, 2, 2, NULL, &oj, &ot);
    assert_string_equal(ot.data, oj);
    free(oj);
    strbuf_free(&ot);
    json_decref(all);
    /* A page past the end: no rows, the same total. */
    json_t *none = json_object();
    char *j = NULL;
    strbuf t = STRBUF_INIT;
    both(&officer, none, 9, 20, NULL, &j, &t);
    assert_string_equal(t.data, j);
    assert_non_null(strstr(t.data, "\"rows\":[]"));
    free(j);
    strbuf_free(&t);
    json_decref(none);
}

/* The detail (case_json_text, the API) against json_dumps of case_json. */
/* Imported history steps on case 2, with labels the text reader takes as
 * they are and ones it leaves to jansson (escapes), a nested label, none, a
 * number, one longer than the detail's label. */
static int history_job(store_conn *w, void *ctx)
{
    job *j = ctx;
    const char *payloads[] = {
        "{\"label\":\"立案日期\",\"on\":\"2026-01-01\",\"step\":\"file\"}",
        "{\"label\":\"引号\\\"与\\\\反斜杠\",\"on\":\"2026-01-02\"}",
        "{\"label\":\"外层\",\"note\":{\"label\":\"嵌套\",\"list\":[1,{\"a\":\"]\"}]}}",
        "{\"on\":\"2026-01-03\"}",
        "{\"label\":5}",
        "{\"label\":\"很长的标签很长的标签很长的标签很长的标签很长的标签很长的标签很长的标签很长的标签很长的标签"
        "很长的标签很长的标签很长的标签很长的标签很长的标签很长的标签很长的标签很长的标签很长的标签\"}",
    };
    int rc = FZ_OK;
    for (size_t i = 0; !rc && i < sizeof(payloads) / sizeof(*payloads); i++) {
        json_t *p = json_loads(payloads[i], 0, NULL);
        rc = p ? case_history(w, &j->x, 2, 1, p) : FZ_ERR;
        json_decref(p);
    }
    return rc;
}

static void test_detail_text_equals_jansson(void **state)
{
    (void)state;
    job hj = {.x = {.d = demo, .who = &officer, .keys = &keys, .ledger = LEDGER}};
    assert_int_equal(store_write(S, history_job, &hj), FZ_OK);
    const principal *who[] = {&officer, &trusted};
    for (int w = 0; w < 2; w++) {
        for (int64_t id = 1; id <= 3; id++) {
            case_ctx x = {.d = demo, .who = who[w], .keys = &keys, .ledger = LEDGER};
            json_t *o = case_json(store_reader(S), &x, id);
            assert_non_null(o);
            char *j = json_dumps(o, JSON_COMPACT);
            json_decref(o);
            strbuf t = STRBUF_INIT;
            assert_int_equal(case_json_text(store_reader(S), &x, id, &t), FZ_OK);
            assert_string_equal(t.data, j);
            assert_non_null(strstr(t.data, "\"events\":[{"));
            if (id == 2) {
                assert_non_null(strstr(t.data, "\"label\":\"导入的历史记录：立案日期\""));
                assert_non_null(strstr(t.data, "\"label\":\"导入的历史记录：外层\""));
                assert_non_null(strstr(t.data, "\"label\":\"导入的历史记录：引号\\\"与\\\\反斜杠\""));
            }
            free(j);
            strbuf_free(&t);
        }
    }
    case_ctx x = {.d = demo, .who = &officer, .keys = &keys, .ledger = LEDGER};
    strbuf t = STRBUF_INIT;
    /* The API's read judges the scope on the row it reads: the same bytes
     * for who may see the case; for a user holding no role, "not found"
     * and nothing written. */
    assert_int_equal(case_json_visible(store_reader(S), &x, 1, "case:view", &t), FZ_OK);
    strbuf t2 = STRBUF_INIT;
    assert_int_equal(case_json_text(store_reader(S), &x, 1, &t2), FZ_OK);
    assert_string_equal(t.data, t2.data);
    strbuf_free(&t2);
    principal outsider = officer;
    outsider.user_id = 13;
    case_ctx ox = {.d = demo, .who = &outsider, .keys = &keys, .ledger = LEDGER};
    strbuf_free(&t);
    strbuf_puts(&t, "x");
    assert_int_equal(case_json_visible(store_reader(S), &ox, 1, "case:view", &t), FZ_NOTFOUND);
    assert_int_equal(t.len, 1);
    assert_int_equal(case_json_visible(store_reader(S), &x, 999, "case:view", &t), FZ_NOTFOUND);
    assert_int_equal(t.len, 1);
    strbuf_free(&t);
    assert_int_equal(case_json_text(store_reader(S), &x, 999, &t), FZ_NOTFOUND);
    assert_null(case_json(store_reader(S), &x, 999));
    strbuf_free(&t);
}

static int create_many_job(store_conn *w, void *ctx)
{
    job *j = ctx;
    int rc = FZ_OK;
    for (int i = 0; !rc && i < 1100; i++) /* many in one millisecond: ties on created_at */
        rc = case_create(w, &j->x, j->values, 1, &j->id, j->no);
    return rc;
}

typedef struct seen {
    int64_t n, last_id;
    char last_at[32];
    int ordered;
} seen;

static int see(void *ctx, json_t *row)
{
    seen *s = ctx;
    const char *at = json_string_value(json_object_get(row, "created_at"));
    int64_t id = json_integer_value(json_object_get(row, "id"));
    int c = strcmp(at, s->last_at);
    if (s->n && (c < 0 || (c == 0 && id <= s->last_id)))
        s->ordered = 0;
    snprintf(s->last_at, sizeof(s->last_at), "%s", at);
    s->last_id = id;
    s->n++;
    return FZ_OK;
}

static int stop_at_3(void *ctx, json_t *row)
{
    (void)row;
    return ++*(int *)ctx == 3 ? FZ_CONFLICT : FZ_OK;
}

/* case_each (the export) walks every row once, oldest first, across pages
 * of ties, and only what the caller may see. */
static void test_each_walks_every_row(void **state)
{
    (void)state;
    job j = {.x = {.d = demo, .who = &officer, .keys = &keys, .ledger = LEDGER}};
    j.values = json_pack("{s:s, s:s}", "content", "批量", "outcome", "不同意");
    assert_int_equal(store_write(S, create_many_job, &j), FZ_OK);
    json_decref(j.values);
    json_t *all = json_object(), *some = json_pack("{s:s}", "content", "批量");
    case_ctx x = {.d = demo, .who = &officer, .keys = &keys, .ledger = LEDGER};
    int64_t total = 0;
    assert_int_equal(store_query_int(store_reader(S), &total, 0, "SELECT count(*) FROM case_demo", ""), FZ_OK);
    seen s = {.ordered = 1};
    assert_int_equal(case_each(store_reader(S), &x, all, see, &s), FZ_OK);
    assert_int_equal(s.n, total);
    assert_true(s.ordered);
    seen f = {.ordered = 1};
    assert_int_equal(case_each(store_reader(S), &x, some, see, &f), FZ_OK);
    assert_int_equal(f.n, 1100);
    assert_true(f.ordered);
    principal stranger = officer;
    stranger.user_id = 99;
    stranger.unit_id = 2;
    stranger.unit_path = "/2/";
    x.who = &stranger;
    seen none = {.ordered = 1};
    assert_int_equal(case_each(store_reader(S), &x, all, see, &none), FZ_OK);
    assert_int_equal(none.n, 0);
    x.who = &officer;
    int n = 0;
    assert_int_equal(case_each(store_reader(S), &x, all, stop_at_3, &n), FZ_CONFLICT);
    assert_int_equal(n, 3);
    json_decref(all);
    json_decref(some);
}

static void test_count_follows_commits(void **state)
{
    (void)state;
    json_t *all = json_object(), *agreed = json_pack("{s:s}", "outcome", "不同意");
    int64_t n = total_of(&officer, all), k = total_of(&officer, agreed);
    assert_int_equal(total_of(&officer, all), n); /* kept: the same answer */
    create("{\"content\":\"新增\",\"outcome\":\"不同意\"}");
    assert_int_equal(total_of(&officer, all), n + 1);
    assert_int_equal(total_of(&officer, agreed), k + 1);
    /* Another principal with the same filters has its own count (its scope). */
    principal stranger = officer;
    stranger.user_id = 99;
    stranger.unit_id = 2;
    stranger.unit_path = "/2/";
    assert_int_equal(total_of(&stranger, all), 0);
    assert_int_equal(total_of(&officer, all), n + 1);
    json_decref(all);
    json_decref(agreed);
}

static void test_read_scope_is_one_snapshot(void **state)
{
    (void)state;
    json_t *all = json_object();
    int64_t n = total_of(&officer, all);
    store_read_scope(1);
    assert_int_equal(total_of(&officer, all), n);
    create("{\"content\":\"请求期间写入\"}"); /* committed by the writer thread meanwhile */
    assert_int_equal(total_of(&officer, all), n);   /* the request's snapshot */
    store_read_scope(0);
    assert_int_equal(total_of(&officer, all), n + 1); /* the next request sees it */
    /* Counted in one request, then a commit, then another request: its
     * count (the memo asked inside the read transaction) sees the commit. */
    store_read_scope(1);
    assert_int_equal(total_of(&officer, all), n + 1);
    store_read_scope(0);
    create("{\"content\":\"两次请求之间写入\"}");
    store_read_scope(1);
    assert_int_equal(total_of(&officer, all), n + 2);
    store_read_scope(0);
    json_decref(all);
}

/* jansson's text for v (taken) against what jw_str / jw_int wrote into b
 * (freed). */
static void same_as_jansson(json_t *v, strbuf *b)
{
    char *want = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    assert_non_null(want);
    assert_string_equal(b->data, want);
    free(want);
    json_decref(v);
    strbuf_free(b);
}

static int clear_masks_job(store_conn *w, void *ctx)
{
    (void)ctx;
    return store_run(w, "UPDATE case_demo SET f_party__idmask = NULL, f_phone__mask = NULL", "");
}

/* Damages the sealed phone and drops its copy, as if from before the
 * copies (the column is marked complete after a fill: the mark goes too). */
static int damage_job(store_conn *w, void *ctx)
{
    (void)ctx;
    int rc = store_run(w, "UPDATE case_demo SET f_phone = zeroblob(60), f_phone__mask = NULL WHERE f_phone IS NOT NULL", "");
    return rc ? rc : store_run(w, "DELETE FROM meta WHERE key = 'masks_filled:case_demo.phone'", "");
}

/* Forgets that the columns were found complete and fills them again. */
static int restore_masks_job(store_conn *w, void *ctx)
{
    (void)ctx;
    int64_t n = 0;
    int rc = store_run(w, "DELETE FROM meta WHERE key LIKE 'masks_filled:%'", "");
    return rc ? rc : schema_fill_masks(w, D, &keys, 1000, &n);
}

typedef struct fill_ctx {
    int64_t filled;
    int max;
} fill_ctx;

static int fill_job(store_conn *w, void *ctx)
{
    fill_ctx *f = ctx;
    return schema_fill_masks(w, D, &keys, f->max, &f->filled);
}

static char *officer_list(void)
{
    case_ctx x = {.d = demo, .who = &officer, .keys = &keys, .ledger = LEDGER};
    case_query q = {.filters = NULL, .desc = 0, .page = 1, .size = 50};
    strbuf b = STRBUF_INIT;
    assert_int_equal(case_list_text(store_reader(S), &x, &q, &b), FZ_OK);
    return strbuf_detach(&b, NULL);
}

/* A sealed value is stored with its masked copy beside it (what a reader
 * without the right to see it whole is shown, without opening it): never
 * the clear text. Rows without copies (from before they were kept) show
 * the same page, opened and masked per read, until schema_fill_masks fills
 * them in batches. */
static int64_t count_of(const char *sql)
{
    int64_t n = -1;
    assert_int_equal(store_query_int(store_reader(S), &n, 0, sql, ""), FZ_OK);
    return n;
}

static void test_masked_copies(void **state)
{
    (void)state;
    assert_true(count_of("SELECT count(*) FROM case_demo WHERE f_party__idmask = '110105********002X'"
                         " AND f_phone__mask LIKE '%*%'") >= 1);
    assert_int_equal(count_of("SELECT count(*) FROM case_demo WHERE f_party__idmask LIKE '%1231%'"
                              " OR f_phone__mask = '13800138000'"),
                     0);
    char *before = officer_list();
    assert_non_null(strstr(before, "110105********002X"));
    assert_int_equal(store_write(S, clear_masks_job, NULL), FZ_OK);
    char *opened = officer_list();
    assert_string_equal(opened, before);
    int64_t sealed = count_of("SELECT (SELECT count(*) FROM case_demo WHERE f_party__idno IS NOT NULL)"
                              " + (SELECT count(*) FROM case_demo WHERE f_phone IS NOT NULL)");
    assert_true(sealed >= 2);
    fill_ctx f = {.max = 1};
    int64_t total = 0;
    do {
        assert_int_equal(store_write(S, fill_job, &f), FZ_OK);
        assert_true(f.filled <= 1);
        total += f.filled;
    } while (f.filled);
    assert_int_equal(total, sealed);
    /* Found complete, a column is not scanned again: copies lost later are
     * not looked for (writes keep them). */
    assert_int_equal(count_of("SELECT count(*) FROM meta WHERE key LIKE 'masks_filled:case_demo.%'"), 2);
    assert_int_equal(store_write(S, clear_masks_job, NULL), FZ_OK);
    assert_int_equal(store_write(S, fill_job, &f), FZ_OK);
    assert_int_equal(f.filled, 0);
    assert_int_equal(store_write(S, restore_masks_job, NULL), FZ_OK);
    char *filled = officer_list();
    assert_string_equal(filled, before);
    assert_int_equal(count_of("SELECT count(*) FROM case_demo WHERE (f_party__idno IS NOT NULL AND f_party__idmask IS NULL)"
                              " OR (f_phone IS NOT NULL AND f_phone__mask IS NULL)"),
                     0);
    /* A value that does not open (damaged, or sealed under another key)
     * shows nothing, before and after its copy is filled. */
    assert_int_equal(store_write(S, damage_job, NULL), FZ_OK);
    char *damaged = officer_list();
    assert_string_not_equal(damaged, before);
    f.max = 100;
    assert_int_equal(store_write(S, fill_job, &f), FZ_OK);
    assert_int_equal(f.filled, 1);
    char *after = officer_list();
    assert_string_equal(after, damaged);
    free(before);
    free(opened);
    free(filled);
    free(damaged);
    free(after);
}

/* A list page in the default order (newest first, ties by id), filtered on
 * an equality filter, on the state, or not at all, reads an index in that
 * order: no temporary B-tree sorts the rows of equal created_at. */
static void test_list_pages_need_no_sort(void **state)
{
    (void)state;
    static const char *const where[] = {" WHERE t.f_outcome = ?", " WHERE t.state = ?", ""};
    for (int i = 0; i < 3; i++) {
        char sql[256];
        snprintf(sql, sizeof(sql),
                 "EXPLAIN QUERY PLAN SELECT id, unit_id, handler_id FROM case_demo t%s"
                 " ORDER BY t.created_at DESC, t.id DESC LIMIT 20", where[i]);
        store_stmt *st;
        assert_int_equal(store_prepare(store_reader(S), sql, &st), FZ_OK);
        if (*where[i])
            store_bind_text(st, 1, "x");
        int steps = 0;
        while (store_step(st) == STORE_ROW) {
            const char *detail = store_col_text(st, 3);
            assert_null(strstr(detail, "TEMP B-TREE"));
            steps++;
        }
        store_done(st);
        assert_true(steps > 0);
    }
}

static void test_jsonw_as_jansson(void **state)
{
    (void)state;
    char s[2] = {0, 0};
    for (int c = 1; c < 0x80; c++) { /* a lone byte >= 0x80 is not UTF-8; jansson refuses it */
        s[0] = (char)c;
        strbuf b = STRBUF_INIT;
        jw_str(&b, s);
        same_as_jansson(json_string(s), &b);
    }
    /* Each byte at each place of a longer text (jw_str reads eight bytes a
     * step while none needs an escape). */
    for (int c = 1; c < 0x80; c++) {
        for (int at = 0; at < 24; at++) {
            char t[32] = "abcdefgh行政处罚ijklmnop";
            t[at] = (char)c;
            if (at >= 8 && at < 20)
                t[8 + (at - 8) / 3 * 3] = 'x', t[9 + (at - 8) / 3 * 3] = 'y', t[10 + (at - 8) / 3 * 3] = 'z',
                t[at] = (char)c; /* keep the UTF-8 around it whole */
            strbuf b = STRBUF_INIT;
            jw_str(&b, t);
            same_as_jansson(json_string(t), &b);
        }
    }
    const char *texts[] = {"", "行政处罚决定书", "a\"b\\c/d", "混合 mixed \n\t 文字", "尾\x01"};
    for (size_t i = 0; i < sizeof(texts) / sizeof(*texts); i++) {
        strbuf b = STRBUF_INIT;
        jw_str(&b, texts[i]);
        same_as_jansson(json_string(texts[i]), &b);
    }
    /* jr_member_str: where it answers, the answer is jansson's. */
    const char *objs[] = {
        "{\"label\":\"立案\"}", " { \"a\" : 1 , \"label\" : \"x y\" } ", "{\"label\":\"前\",\"label\":\"后\"}",
        "{\"label\":\"前\",\"label\":7}", "{\"label\":7,\"label\":\"后\"}", "{}", "{ }", "[]", "\"label\"",
        "{\"o\":{\"label\":\"内\"}}", "{\"o\":[\"}\",{\"label\":\"]\"}],\"label\":\"外\"}", "{\"label\":\"a\\nb\"}",
        "{\"lab\\u0065l\":\"转义键\"}", "{\"label\":\"x\"", "{\"label\":\"x\"}}", "{\"label\":\"x\",}",
        "{\"o\":[1,2}],\"label\":\"x\"}", "{\"label\":null}", "{\"label\":true,\"n\":-1.5e+3}", "{\"label\"\"x\"}",
        "", "{\"label\":\"x\"} x", "{\"labels\":\"x\",\"labe\":\"y\"}",
    };
    int answered = 0;
    for (size_t i = 0; i < sizeof(objs) / sizeof(*objs); i++) {
        const char *v = NULL;
        size_t n = 0;
        int rc = jr_member_str(objs[i], "label", &v, &n);
        if (rc < 0)
            continue; /* left to jansson */
        answered++;
        json_t *o = json_loads(objs[i], 0, NULL);
        assert_non_null(o); /* answered only for valid JSON */
        const char *want = json_string_value(json_object_get(o, "label"));
        if (rc == 0) {
            assert_null(want);
        } else {
            assert_non_null(want);
            assert_int_equal(strlen(want), n);
            assert_memory_equal(want, v, n);
        }
        json_decref(o);
    }
    assert_int_equal(answered, 12);
    const int64_t ints[] = {0, 1, -1, 9, 10, 1234567890123LL, INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < sizeof(ints) / sizeof(*ints); i++) {
        strbuf b = STRBUF_INIT;
        jw_int(&b, ints[i]);
        same_as_jansson(json_integer(ints[i]), &b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jsonw_as_jansson),
        cmocka_unit_test(test_list_pages_need_no_sort),
        cmocka_unit_test(test_list_text_as_rows),
        cmocka_unit_test(test_detail_text_equals_jansson),
        cmocka_unit_test(test_masked_copies),
        cmocka_unit_test(test_count_follows_commits),
        cmocka_unit_test(test_each_walks_every_row),
        cmocka_unit_test(test_read_scope_is_one_snapshot),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
