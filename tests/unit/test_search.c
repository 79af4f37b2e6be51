/* test_search.c: the "cjk" FTS5 tokenizer (store/fts_cjk.h) and the search
 * API (store/search.h) on a real store: token offsets over known strings,
 * random bytes in both modes, then the statutes in $FAZHI_SHARED/laws indexed
 * and searched with 1-, 2- and 4-character Chinese queries whose hit counts
 * are checked against a plain strstr over the files, ranking, ASCII words
 * and digits, FTS5 syntax in user input, HTML-safe marked snippets, paging,
 * replace and delete.
 *
 * FAZHI_BENCH=1 also times queries and prints p50/p99 (bench/README.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/status.h"
#include "store/fts_cjk.h"
#include "store/search.h"
#include "store/store.h"

/* ---- the tokenizer ---- */

typedef struct tok {
    char text[80];
    int coloc, start, end;
} tok;

typedef struct toks {
    tok t[64];
    int n;
    int stop_at; /* return 7 from the callback at this token (0: never) */
} toks;

static int collect(void *ctx, int tflags, const char *p, int n, int start, int end)
{
    toks *ts = ctx;
    assert_true(n > 0 && n < 80);
    assert_true(start >= 0 && start < end);
    if (ts->n < 64) {
        tok *t = &ts->t[ts->n];
        memcpy(t->text, p, (size_t)n);
        t->text[n] = '\0';
        t->coloc = tflags & FTS_CJK_COLOCATED;
        t->start = start;
        t->end = end;
    }
    ts->n++;
    return ts->stop_at && ts->n == ts->stop_at ? 7 : 0;
}

static toks tokenize(const char *s, int query)
{
    toks ts = {.n = 0};
    assert_int_equal(fts_cjk_tokenize(s, (int)strlen(s), query, collect, &ts), 0);
    return ts;
}

static void expect_tok(const toks *ts, int i, const char *text, int coloc, int start, int end)
{
    assert_true(i < ts->n);
    assert_string_equal(ts->t[i].text, text);
    assert_int_equal(ts->t[i].coloc, coloc);
    assert_int_equal(ts->t[i].start, start);
    assert_int_equal(ts->t[i].end, end);
}

static void test_tokenizer_offsets(void **state)
{
    /* Document: a bigram per position, each character colocated with the
     * bigram it starts, the last one with the last bigram. */
    toks d = tokenize("行政处罚法", 0);
    assert_int_equal(d.n, 9);
    expect_tok(&d, 0, "行政", 0, 0, 6);
    expect_tok(&d, 1, "行", 1, 0, 3);
    expect_tok(&d, 2, "政处", 0, 3, 9);
    expect_tok(&d, 3, "政", 1, 3, 6);
    expect_tok(&d, 4, "处罚", 0, 6, 12);
    expect_tok(&d, 5, "处", 1, 6, 9);
    expect_tok(&d, 6, "罚法", 0, 9, 15);
    expect_tok(&d, 7, "罚", 1, 9, 12);
    expect_tok(&d, 8, "法", 1, 12, 15);

    toks q = tokenize("行政处罚法", 1); /* query: bigrams only */
    assert_int_equal(q.n, 4);
    expect_tok(&q, 0, "行政", 0, 0, 6);
    expect_tok(&q, 3, "罚法", 0, 9, 15);

    q = tokenize("罚", 1); /* a 1-character run: the character itself */
    assert_int_equal(q.n, 1);
    expect_tok(&q, 0, "罚", 0, 0, 3);
    d = tokenize("罚", 0);
    assert_int_equal(d.n, 1);
    expect_tok(&d, 0, "罚", 0, 0, 3);

    /* ASCII words lower-cased; CJK punctuation, '/', spaces separate. */
    d = tokenize("SM3算法，GB/T 2260", 0);
    assert_int_equal(d.n, 7);
    expect_tok(&d, 0, "sm3", 0, 0, 3);
    expect_tok(&d, 1, "算法", 0, 3, 9);
    expect_tok(&d, 2, "算", 1, 3, 6);
    expect_tok(&d, 3, "法", 1, 6, 9);
    expect_tok(&d, 4, "gb", 0, 12, 14);
    expect_tok(&d, 5, "t", 0, 15, 16);
    expect_tok(&d, 6, "2260", 0, 17, 21);

    /* Full-width letters and digits fold to ASCII; offsets stay the input's. */
    d = tokenize("ＳＭ３号", 0);
    assert_int_equal(d.n, 2);
    expect_tok(&d, 0, "sm3", 0, 0, 9);
    expect_tok(&d, 1, "号", 0, 9, 12);

    /* Ext. B (4-byte) ideographs and the compatibility block are CJK. */
    d = tokenize("\xF0\xA0\x80\x80\xEF\xA4\x80", 1); /* U+20000 U+F900 */
    assert_int_equal(d.n, 1);
    expect_tok(&d, 0, "\xF0\xA0\x80\x80\xEF\xA4\x80", 0, 0, 7);

    /* Invalid UTF-8 is skipped and separates: a stray 0xFF, a truncated
     * sequence (E4 B8 then a new lead byte), an overlong '/' (C0 AF), a
     * surrogate (ED A0 80). */
    d = tokenize("\xFF行\xE4\xB8政\xC0\xAF" "ab\xED\xA0\x80" "c", 0);
    assert_int_equal(d.n, 4);
    expect_tok(&d, 0, "行", 0, 1, 4);
    expect_tok(&d, 1, "政", 0, 6, 9);
    expect_tok(&d, 2, "ab", 0, 11, 13);
    expect_tok(&d, 3, "c", 0, 16, 17);

    /* Long words are cut at FTS_CJK_WORD_MAX bytes, offsets cover the word. */
    char longw[200];
    memset(longw, 'A', 150);
    longw[150] = '\0';
    d = tokenize(longw, 0);
    assert_int_equal(d.n, 1);
    assert_int_equal((int)strlen(d.t[0].text), FTS_CJK_WORD_MAX);
    assert_int_equal(d.t[0].end, 150);

    /* A non-zero return from the callback stops and is returned. */
    toks s = {.stop_at = 2};
    assert_int_equal(fts_cjk_tokenize("行政处罚", 12, 0, collect, &s), 7);
    assert_int_equal(s.n, 2);

    /* Nothing to index. */
    assert_int_equal(tokenize("，。！ - * \" ( )", 1).n, 0);
    assert_int_equal(tokenize("", 0).n, 0);
}

static uint64_t g_rng = 0x9E3779B97F4A7C15u;

static uint64_t next_rand(void)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return g_rng;
}

typedef struct fuzz_ctx {
    const char *text;
    int len, count, query;
} fuzz_ctx;

static int fuzz_check(void *ctx, int tflags, const char *p, int n, int start, int end)
{
    fuzz_ctx *f = ctx;
    assert_true(n > 0 && n <= FTS_CJK_WORD_MAX);
    assert_true(start >= 0 && start < end && end <= f->len);
    if (f->count == 0)
        assert_int_equal(tflags, 0); /* FTS5 refuses a colocated first token */
    if (f->query)
        assert_int_equal(tflags, 0);
    if ((unsigned char)p[0] >= 0x80) /* a CJK token is a slice of the input */
        assert_true(p == f->text + start && n == end - start);
    f->count++;
    return 0;
}

/* Random bytes, biased towards UTF-8 lead and continuation bytes and
 * real CJK, in both modes: offsets always inside the input (ASan checks
 * every read). Each input is a fresh heap block of exactly len bytes. */
static void test_tokenizer_random(void **state)
{
    static const unsigned char pool[] = {0xE4, 0xB8, 0x80, 0xBF, 0xE5, 0xF0, 0xA0, 0xED,
                                         0xC2, 0xF4, 0x8F, 0xFF, 'a', 'Z', '7', ' '};
    for (int iter = 0; iter < 20000; iter++) {
        int len = (int)(next_rand() % 48);
        unsigned char *buf = malloc(len ? (size_t)len : 1);
        assert_non_null(buf);
        for (int i = 0; i < len; i++) {
            uint64_t r = next_rand();
            buf[i] = (r & 1) ? pool[(r >> 1) % sizeof(pool)] : (unsigned char)(r >> 8);
        }
        for (int query = 0; query < 2; query++) {
            fuzz_ctx f = {(const char *)buf, len, 0, query};
            assert_int_equal(fts_cjk_tokenize((const char *)buf, len, query, fuzz_check, &f), 0);
        }
        free(buf);
    }
}

/* ---- the statutes ---- */

static char g_dir[64];
static store *g_store;

typedef struct law {
    char name[256]; /* file name: the document id */
    char title[256];
    char *text;
} law;

static law g_laws[64];
static int g_nlaws;

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(p);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    if (p)
        p[n] = '\0';
    fclose(f);
    return p;
}

static void load_laws(void)
{
    const char *shared = getenv("FAZHI_SHARED");
    char dir[1024];
    snprintf(dir, sizeof(dir), "%s/laws", shared ? shared : FAZHI_SOURCE_DIR "/../shared");
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) && g_nlaws < 64) {
        size_t n = strlen(e->d_name);
        if (n < 4 || strcmp(e->d_name + n - 3, ".md") != 0)
            continue;
        law *l = &g_laws[g_nlaws];
        char path[2048];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        l->text = read_file(path);
        assert_non_null(l->text);
        snprintf(l->name, sizeof(l->name), "%s", e->d_name);
        const char *t = strstr(l->text, "# ");
        assert_non_null(t);
        const char *eol = strchr(t, '\n');
        snprintf(l->title, sizeof(l->title), "%.*s", (int)(eol ? eol - t - 2 : 200), t + 2);
        g_nlaws++;
    }
    closedir(d);
    assert_true(g_nlaws >= 10);
}

static int job_index_laws(store_conn *w, void *ctx)
{
    int rc = search_index_create(w, "statutes");
    for (int i = 0; rc == FZ_OK && i < g_nlaws; i++)
        rc = search_put(w, "statutes", "statute", g_laws[i].name, 1, g_laws[i].title, g_laws[i].text);
    return rc;
}

static int group_setup(void **state)
{
    log_setup(LOG_WARN, 2, 2);
    snprintf(g_dir, sizeof(g_dir), "/tmp/fz-search-XXXXXX");
    if (!mkdtemp(g_dir))
        return -1;
    store_opts o = {.dir = g_dir, .batch_max = 16, .create = 1};
    char err[512] = "";
    if (store_open(&o, &g_store, err, sizeof(err)) != FZ_OK) {
        fprintf(stderr, "store_open: %s\n", err);
        return -1;
    }
    load_laws();
    return store_write(g_store, job_index_laws, NULL) == FZ_OK ? 0 : -1;
}

static int group_teardown(void **state)
{
    store_close(g_store);
    for (int i = 0; i < g_nlaws; i++)
        free(g_laws[i].text);
    return nftw(g_dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

typedef struct hits {
    char id[32][256];
    char title[32][1024];
    char body[32][2048];
    int n;
} hits;

static int on_hit(void *ctx, const search_hit *h)
{
    hits *hs = ctx;
    assert_string_equal(h->kind, h->kind[0] == 's' ? "statute" : "doc");
    assert_int_equal(h->unit_id, 1);
    if (hs->n < 32) {
        snprintf(hs->id[hs->n], sizeof(hs->id[0]), "%s", h->id);
        snprintf(hs->title[hs->n], sizeof(hs->title[0]), "%s", h->title_html);
        snprintf(hs->body[hs->n], sizeof(hs->body[0]), "%s", h->body_html);
    }
    hs->n++;
    return 0;
}

static int64_t query(const char *index, const char *q, int limit, int offset, hits *hs)
{
    memset(hs, 0, sizeof(*hs));
    int64_t total = -1;
    int rc = search_query(store_reader(g_store), index, q, limit, offset, on_hit, hs, &total);
    if (rc != FZ_OK)
        fprintf(stderr, "search_query(%s): %d\n", q, rc);
    assert_int_equal(rc, FZ_OK);
    return total;
}

static int count_containing(const char *needle)
{
    int n = 0;
    for (int i = 0; i < g_nlaws; i++)
        n += strstr(g_laws[i].text, needle) != NULL;
    return n;
}

static int has_id(const hits *hs, const char *prefix)
{
    for (int i = 0; i < hs->n && i < 32; i++) {
        if (strncmp(hs->id[i], prefix, strlen(prefix)) == 0)
            return 1;
    }
    return 0;
}

/* Every hit count equals the number of files containing the text, for 1-,
 * 2-, 3- and 4-character queries (2 characters is where trigram finds 0). */
static void test_counts_match_strstr(void **state)
{
    static const char *qs[] = {"罚", "听", "处罚", "听证", "复议", "赔偿", "许可",
                               "强制", "调解", "公开", "决策", "行政处罚", "信息公开",
                               "法制审核", "听证会", "合法性审查", "行政复议机关", "人民法院"};
    hits hs;
    for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
        int want = count_containing(qs[i]);
        int64_t got = query("statutes", qs[i], 32, 0, &hs);
        if (got != want)
            fprintf(stderr, "%s: %lld hits, %d files contain it\n", qs[i], (long long)got, want);
        assert_int_equal(got, want);
        assert_int_equal(hs.n, want);
    }
    assert_true(count_containing("听证") > 0);
    assert_true(count_containing("法制审核") > 0);
}

static void test_known_statutes(void **state)
{
    hits hs;
    query("statutes", "听证", 32, 0, &hs);
    assert_true(has_id(&hs, "行政处罚法"));
    assert_true(has_id(&hs, "行政许可法"));

    query("statutes", "复议", 32, 0, &hs); /* the title weighs: first */
    assert_true(strncmp(hs.id[0], "行政复议法", strlen("行政复议法")) == 0);
    assert_string_equal(hs.title[0], "中华人民共和国行政<mark>复议</mark>法");

    query("statutes", "国家赔偿", 32, 0, &hs);
    assert_true(strncmp(hs.id[0], "国家赔偿法", strlen("国家赔偿法")) == 0);

    /* Two terms: both must be present. */
    int64_t both = query("statutes", "听证　强制", 32, 0, &hs); /* U+3000 separates */
    int want = 0;
    for (int i = 0; i < g_nlaws; i++)
        want += strstr(g_laws[i].text, "听证") && strstr(g_laws[i].text, "强制");
    assert_int_equal(both, want);
    assert_true(both > 0);
}

/* An ASCII word or number as a whole token: files where it stands between
 * non-alphanumeric characters. */
static int count_word(const char *w)
{
    int n = 0;
    size_t wl = strlen(w);
    for (int i = 0; i < g_nlaws; i++) {
        for (const char *p = g_laws[i].text; (p = strstr(p, w)); p++) {
            char b = p == g_laws[i].text ? ' ' : p[-1], a = p[wl];
            if (!((b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')) &&
                !((a >= '0' && a <= '9') || (a >= 'a' && a <= 'z') || (a >= 'A' && a <= 'Z'))) {
                n++;
                break;
            }
        }
    }
    return n;
}

static int job_put_misc(store_conn *w, void *ctx)
{
    int rc = search_index_create(w, "misc");
    if (rc == FZ_OK)
        rc = search_put(w, "misc", "doc", "a", 1, "密码应用", "采用 SM3 杂凑算法与SM4分组密码，符合 GB/T 39786-2021。");
    if (rc == FZ_OK)
        rc = search_put(w, "misc", "doc", "x", 1, "<script>alert('x')</script> 处罚决定",
                        "a & b <b>处罚</b> \x01evil\x02 \"q\"");
    return rc;
}

static void test_ascii_and_digits(void **state)
{
    hits hs;
    int want = count_word("2019");
    assert_true(want > 0);
    assert_int_equal(query("statutes", "2019", 32, 0, &hs), want);

    assert_int_equal(store_write(g_store, job_put_misc, NULL), FZ_OK);
    assert_int_equal(query("misc", "SM3", 10, 0, &hs), 1);
    assert_string_equal(hs.id[0], "a");
    assert_non_null(strstr(hs.body[0], "<mark>SM3</mark>"));
    assert_int_equal(query("misc", "sm4分组", 10, 0, &hs), 1); /* mixed phrase */
    assert_int_equal(query("misc", "ＳＭ３", 10, 0, &hs), 1);  /* full-width */
    assert_int_equal(query("misc", "39786", 10, 0, &hs), 1);
    assert_int_equal(query("misc", "3978", 10, 0, &hs), 0); /* words are whole */
    assert_int_equal(query("misc", "SM3 处罚", 10, 0, &hs), 0);
}

/* Snippets and titles are escaped before the marks are added. */
static void test_html_safe(void **state)
{
    hits hs;
    assert_int_equal(query("misc", "处罚", 10, 0, &hs), 1);
    assert_string_equal(hs.title[0], "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; <mark>处罚</mark>决定");
    assert_null(strstr(hs.body[0], "<b>"));
    assert_non_null(strstr(hs.body[0], "&lt;b&gt;<mark>处罚</mark>&lt;/b&gt;"));
    assert_non_null(strstr(hs.body[0], "a &amp; b"));
    assert_non_null(strstr(hs.body[0], "&quot;q&quot;"));
    /* Control bytes in the indexed text cannot forge a mark. */
    assert_null(strstr(hs.body[0], "<mark>evil"));
    assert_null(strchr(hs.body[0], '\x01'));

    query("statutes", "听证", 32, 0, &hs);
    for (int i = 0; i < hs.n; i++)
        assert_non_null(strstr(hs.body[i], "<mark>听证</mark>"));
    query("statutes", "信息公开", 32, 0, &hs);
    assert_true(hs.n > 0);
    assert_non_null(strstr(hs.body[0], "<mark>信息公开</mark>"));
}

/* No user input is FTS5 syntax, and none is an error. */
static void test_syntax_is_text(void **state)
{
    static const char *qs[] = {"AND", "OR", "NOT", "\"", "\"\"", "*", "NEAR(", "NEAR(处罚 听证, 2)",
                               "-", "-处罚", "处罚*", "^处罚", "title:处罚", "{title body}:处罚",
                               "(", ")", "处罚 AND", "AND 处罚", "处罚\" OR \"听证", "+", ":", "'",
                               "\\", "%", "处罚 NOT 听证", "\xFF\xFE", "处\xE4罚"};
    hits hs;
    for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++)
        query("statutes", qs[i], 5, 0, &hs);

    int64_t plain = query("statutes", "处罚", 32, 0, &hs);
    assert_int_equal(query("statutes", "处罚*", 32, 0, &hs), plain);   /* * is not a prefix */
    assert_int_equal(query("statutes", "-处罚", 32, 0, &hs), plain);   /* - is not NOT */
    assert_int_equal(query("statutes", "处罚 AND", 32, 0, &hs), 0);    /* "and" is a word */
    assert_int_equal(query("statutes", "处罚 NOT 听证", 32, 0, &hs), 0);

    /* Nothing usable: 0 hits, not an error. */
    static const char *none[] = {"", "   ", "　　", "\"", "*", "-", "( )", "，。"};
    for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
        assert_int_equal(query("statutes", none[i], 5, 0, &hs), 0);
        assert_int_equal(hs.n, 0);
    }

    /* Bad index names and over-long queries are refused. */
    char big[SEARCH_QUERY_MAX + 2];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    store_conn *c = store_reader(g_store);
    assert_int_equal(search_query(c, "statutes", big, 5, 0, on_hit, &hs, NULL), FZ_INVALID);
    assert_int_equal(search_query(c, "x; DROP TABLE t", "处罚", 5, 0, on_hit, &hs, NULL), FZ_INVALID);
    assert_int_equal(search_query(c, "Statutes", "处罚", 5, 0, on_hit, &hs, NULL), FZ_INVALID);
    assert_int_equal(search_query(c, "", "处罚", 5, 0, on_hit, &hs, NULL), FZ_INVALID);
}

static int stop_first(void *ctx, const search_hit *h)
{
    (*(int *)ctx)++;
    return 42;
}

static void test_paging(void **state)
{
    hits all, p1, p2;
    int64_t total = query("statutes", "行政", 32, 0, &all);
    assert_true(total >= 6);
    assert_int_equal(query("statutes", "行政", 3, 0, &p1), total);
    assert_int_equal(query("statutes", "行政", 3, 3, &p2), total);
    assert_int_equal(p1.n, 3);
    assert_int_equal(p2.n, 3);
    for (int i = 0; i < 3; i++) {
        assert_string_equal(p1.id[i], all.id[i]);
        assert_string_equal(p2.id[i], all.id[i + 3]);
    }
    assert_int_equal(query("statutes", "行政", 3, 1000, &p2), total);
    assert_int_equal(p2.n, 0);

    int calls = 0;
    assert_int_equal(search_query(store_reader(g_store), "statutes", "行政", 10, 0, stop_first, &calls, NULL), 42);
    assert_int_equal(calls, 1);
}

static int job_delete(store_conn *w, void *ctx)
{
    return search_delete(w, "statutes", "statute", ctx);
}

typedef struct put_args {
    const char *id, *title, *body;
} put_args;

static int job_put(store_conn *w, void *ctx)
{
    put_args *a = ctx;
    return search_put(w, "statutes", "statute", a->id, 1, a->title, a->body);
}

static void test_replace_and_delete(void **state)
{
    const law *fy = NULL;
    for (int i = 0; i < g_nlaws; i++) {
        if (strncmp(g_laws[i].name, "行政复议法", strlen("行政复议法")) == 0)
            fy = &g_laws[i];
    }
    assert_non_null(fy);
    hits hs;
    int64_t before = query("statutes", "复议", 32, 0, &hs);

    assert_int_equal(store_write(g_store, job_delete, (void *)fy->name), FZ_OK);
    assert_int_equal(query("statutes", "复议", 32, 0, &hs), before - 1);
    assert_false(has_id(&hs, "行政复议法"));
    /* Deleting what is not there is fine. */
    assert_int_equal(store_write(g_store, job_delete, (void *)fy->name), FZ_OK);

    /* Put twice: one document, the second version. */
    put_args a = {fy->name, "临时标题", "旧版本正文"};
    assert_int_equal(store_write(g_store, job_put, &a), FZ_OK);
    put_args b = {fy->name, "临时标题", "新版本正文"};
    assert_int_equal(store_write(g_store, job_put, &b), FZ_OK);
    assert_int_equal(query("statutes", "临时标题", 32, 0, &hs), 1);
    assert_int_equal(query("statutes", "旧版本", 32, 0, &hs), 0);
    assert_int_equal(query("statutes", "新版本", 32, 0, &hs), 1);

    /* Back to the real text. */
    put_args c = {fy->name, fy->title, fy->text};
    assert_int_equal(store_write(g_store, job_put, &c), FZ_OK);
    assert_int_equal(query("statutes", "复议", 32, 0, &hs), before);
    assert_int_equal(query("statutes", "临时标题", 32, 0, &hs), 0);
}

static int job_put_random(store_conn *w, void *ctx)
{
    const char *body = ctx;
    return search_put(w, "misc", "doc", "rnd", 1, body, body);
}

/* Random bytes through put and query (invalid UTF-8, control bytes). */
static void test_random_documents(void **state)
{
    hits hs;
    for (int iter = 0; iter < 50; iter++) {
        char buf[97];
        for (int i = 0; i < 96; i++) {
            char ch = (char)(next_rand() & 0xFF);
            buf[i] = ch ? ch : ' ';
        }
        buf[96] = '\0';
        assert_int_equal(store_write(g_store, job_put_random, buf), FZ_OK);
        buf[12] = '\0';
        query("misc", buf, 5, 0, &hs);
        query("misc", buf + 13, 5, 0, &hs);
    }
}

/* The online backup (raw connections, no tokenizer) copies a database with
 * FTS5 indexes, and the copy opens and searches. */
static void test_backup_with_index(void **state)
{
    char path[256], dir2[128], err[512] = "";
    snprintf(dir2, sizeof(dir2), "%s/copy", g_dir);
    assert_int_equal(mkdir(dir2, 0700), 0);
    snprintf(path, sizeof(path), "%s/fazhi.db", dir2);
    assert_int_equal(store_backup(g_store, path, err, sizeof(err)), FZ_OK);
    store_opts o = {.dir = dir2, .no_writer = 1};
    store *s2 = NULL;
    assert_int_equal(store_open(&o, &s2, err, sizeof(err)), FZ_OK);
    hits hs;
    memset(&hs, 0, sizeof(hs));
    int64_t total = 0;
    assert_int_equal(search_query(store_reader(s2), "statutes", "听证", 32, 0, on_hit, &hs, &total), FZ_OK);
    assert_int_equal(total, count_containing("听证"));
    store_close(s2);
}

/* ---- bench (FAZHI_BENCH=1) ---- */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int count_hit(void *ctx, const search_hit *h)
{
    (*(int *)ctx)++;
    return 0;
}

static void time_query(const char *index, const char *q, int runs)
{
    double *t = malloc(sizeof(double) * (size_t)runs);
    assert_non_null(t);
    store_conn *c = store_reader(g_store);
    int64_t total = 0;
    for (int i = 0; i < runs; i++) {
        int n = 0;
        double t0 = now_ms();
        assert_int_equal(search_query(c, index, q, 20, 0, count_hit, &n, &total), FZ_OK);
        t[i] = now_ms() - t0;
    }
    qsort(t, (size_t)runs, sizeof(double), cmp_double);
    printf("bench: %-10s %-10s total %7lld  p50 %.3f ms  p99 %.3f ms  (%d runs)\n", index, q,
           (long long)total, t[runs / 2], t[runs * 99 / 100], runs);
    free(t);
}

typedef struct synth {
    int from, to;
} synth;

/* Synthetic documents: ~120-character slices of the statutes, at offsets
 * taken from a fixed xorshift sequence (aligned to a character start). */
static int job_put_synth(store_conn *w, void *ctx)
{
    synth *s = ctx;
    char id[32], body[512];
    for (int i = s->from; i < s->to; i++) {
        const law *l = &g_laws[next_rand() % (uint64_t)g_nlaws];
        size_t n = strlen(l->text);
        size_t off = next_rand() % (n - 400);
        while (((unsigned char)l->text[off] & 0xC0) == 0x80)
            off++;
        size_t len = 360;
        while (((unsigned char)l->text[off + len] & 0xC0) == 0x80)
            len--;
        snprintf(body, sizeof(body), "%.*s", (int)len, l->text + off);
        snprintf(id, sizeof(id), "s%d", i);
        int rc = search_put(w, "synth", "doc", id, 1, l->title, body);
        if (rc)
            return rc;
    }
    return FZ_OK;
}

static int job_create_synth(store_conn *w, void *ctx)
{
    return search_index_create(w, "synth");
}

static void test_bench(void **state)
{
    const char *b = getenv("FAZHI_BENCH");
    if (!b || !*b)
        skip();
    time_query("statutes", "听证", 1000);
    time_query("statutes", "处罚", 1000);
    time_query("statutes", "罚", 1000);
    time_query("statutes", "行政处罚", 1000);

    long r = strtol(b, NULL, 10);
    int rows = r > 1 ? (int)r : 200000;
    assert_int_equal(store_write(g_store, job_create_synth, NULL), FZ_OK);
    double t0 = now_ms();
    for (int i = 0; i < rows; i += 5000) {
        synth s = {i, i + 5000 < rows ? i + 5000 : rows};
        assert_int_equal(store_write(g_store, job_put_synth, &s), FZ_OK);
    }
    printf("bench: indexed %d synthetic rows in %.1f s\n", rows, (now_ms() - t0) / 1e3);
    int64_t pages = 0, psize = 0;
    store_conn *c = store_reader(g_store);
    assert_int_equal(store_query_int(c, &pages, 0, "PRAGMA page_count", ""), FZ_OK);
    assert_int_equal(store_query_int(c, &psize, 0, "PRAGMA page_size", ""), FZ_OK);
    printf("bench: database with the statutes and %d synthetic rows: %.1f MB\n", rows,
           (double)(pages * psize) / 1048576.0);
    time_query("synth", "听证", 200);
    time_query("synth", "复议", 200);
    time_query("synth", "处罚", 200);
    time_query("synth", "罚", 200);
    time_query("synth", "行政处罚", 200);
    time_query("synth", "听证 复议", 200);
    time_query("synth", "行政", 50); /* in most rows: the worst case */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tokenizer_offsets),
        cmocka_unit_test(test_tokenizer_random),
        cmocka_unit_test(test_counts_match_strstr),
        cmocka_unit_test(test_known_statutes),
        cmocka_unit_test(test_ascii_and_digits),
        cmocka_unit_test(test_html_safe),
        cmocka_unit_test(test_syntax_is_text),
        cmocka_unit_test(test_paging),
        cmocka_unit_test(test_replace_and_delete),
        cmocka_unit_test(test_random_documents),
        cmocka_unit_test(test_backup_with_index),
        cmocka_unit_test(test_bench),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
