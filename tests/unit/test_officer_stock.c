/* test_officer_stock.c: the 执法人员 stock timeline (engine/officer_stock.h)
 * against the per-officer computation it replaces (engine/officers.c reading
 * every officer: officers_force_scan), on a real store with a small,
 * hand-checkable registry written through engine/catalogs.c at chosen
 * instants (time_set_override_ms): certificates expiring across reference
 * days (yesterday, today, tomorrow), issued after the officer was entered, a
 * renewal, a suspension lifted, a cancellation, an officer moving to another
 * unit, training hours per year corrected later, a unit of another county.
 * Every day from 2024-01-01 to today and every month end of three years
 * must agree both ways, a few are checked by hand; the timeline must be
 * current after every write (the recompute's --check), a tampered row must
 * be reported and repaired, and a write that bypasses the hooks or another
 * hours setting must make the reader fall back to the officers. */
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
#include <time.h>

#include "core/status.h"
#include "core/timeutil.h"
#include "engine/catalogs.h"
#include "engine/defs.h"
#include "engine/indicators.h"
#include "engine/officer_stock.h"
#include "engine/officers.h"
#include "engine/schema.h"
#include "store/store.h"

#define LEDGER "532624000000"
#define UNIT_A 2
#define UNIT_B 3
#define UNIT_C 4 /* another county */

static char g_dir[64];
static store *S;
static defs *D;
static field_keys keys;
static int g_today; /* yyyymmdd */

static const char *PERMS[] = {"catalog:edit"};
static principal_role admin_role = {.id = 1, .key = "sys_admin", .name = "系统管理员", .scope = "all"};
static principal admin = {.user_id = 1, .username = "admin", .name = "管", .unit_id = 1, .unit_path = "/1/",
                          .perms = PERMS, .nperms = 1, .roles = &admin_role, .nroles = 1};

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(p);
}

/* ---- jobs ---- */

typedef struct job {
    const char *catalog;
    int64_t row; /* 0: insert */
    json_t *values;
    const char *sql;
    int check, fail;
    int64_t diff;
    char *out;
    size_t outlen;
    char msg[256];
} job;

static int sync_job(store_conn *w, void *ctx)
{
    job *j = ctx;
    int64_t n;
    int rc = schema_sync(w, D, j->msg, sizeof(j->msg));
    return rc ? rc : ind_sync(w, D, &n);
}

static int put_job(store_conn *w, void *ctx)
{
    job *j = ctx;
    cat_ctx x = {.d = defs_find(D, DEF_CATALOG, j->catalog), .who = &admin, .keys = &keys, .ledger = LEDGER};
    int64_t v;
    int rc = j->row ? catalog_update(w, &x, j->row, j->values, &v) : catalog_insert(w, &x, j->values, 1, &j->row);
    return rc ? rc : j->fail ? FZ_CONFLICT : FZ_OK; /* fail: written, then rolled back */
}

static int sql_job(store_conn *w, void *ctx)
{
    return store_exec(w, ((job *)ctx)->sql);
}

static int stock_job(store_conn *w, void *ctx)
{
    job *j = ctx;
    FILE *f = open_memstream(&j->out, &j->outlen);
    if (!f)
        return FZ_NOMEM;
    int rc = stock_recompute(w, D, j->check, f, &j->diff);
    fclose(f);
    return rc;
}

/* Local time ms of y-m-d h:00. */
static int64_t at(int y, int m, int d, int h)
{
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = h, .tm_isdst = -1};
    return (int64_t)mktime(&tm) * 1000;
}

/* The date n days from today, "YYYY-MM-DD". */
static void from_today(int n, char out[11])
{
    int y, m, d;
    civil_from_days(days_from_civil(g_today / 10000, g_today / 100 % 100, g_today % 100) + n, &y, &m, &d);
    date_format(y, m, d, out);
}

/* Compares with the per-officer computation; returns the number of differences. */
static int64_t check_timeline(void)
{
    job j = {.check = 1};
    assert_int_equal(store_write(S, stock_job, &j), FZ_OK);
    if (j.diff)
        fprintf(stderr, "%s", j.out);
    free(j.out);
    return j.diff;
}

/* A version written at instant ms (0: now); returns the row id. The
 * timeline must be current after it. */
static int64_t put(const char *catalog, int64_t row, int64_t ms, const char *values_json)
{
    job j = {.catalog = catalog, .row = row, .values = json_loads(values_json, 0, NULL)};
    assert_non_null(j.values);
    time_set_override_ms(ms);
    int rc = store_write(S, put_job, &j);
    time_set_override_ms(0);
    json_decref(j.values);
    assert_int_equal(rc, FZ_OK);
    assert_int_equal(check_timeline(), 0);
    return j.row;
}

static void officer(int64_t *row, int64_t ms, int unit, const char *cert, const char *status, const char *issued,
                    const char *expires)
{
    char v[400];
    snprintf(v, sizeof(v),
             "{\"name\":\"人员%s\",\"unit\":%d,\"cert_no\":\"%s\",\"cert_status\":\"%s\",\"cert_issued_on\":%s%s%s,"
             "\"cert_expires_on\":\"%s\"}",
             cert, unit, cert, status, issued ? "\"" : "", issued ? issued : "null", issued ? "\"" : "", expires);
    *row = put("officers", 0, ms, v);
}

static int64_t training(int64_t ms, const char *cert, const char *course, int hours, int year)
{
    char v[300];
    snprintf(v, sizeof(v),
             "{\"cert_no\":\"%s\",\"course\":\"%s\",\"hours\":%d,\"year\":%d,\"held_on\":\"%d-03-01\"}", cert, course,
             hours, year, year);
    return put("officer_trainings", 0, ms, v);
}

/* ---- reading both ways ---- */

#define MAXU 8
typedef struct counts {
    int64_t v[12][MAXU][3]; /* [ref][unit][officers, certified, met] */
} counts;

static void on_unit(void *ctx, int64_t unit, int64_t officers, int64_t certified, int64_t met)
{
    counts *c = ctx;
    assert_true(unit > 0 && unit < MAXU);
    c->v[0][unit][0] = officers, c->v[0][unit][1] = certified, c->v[0][unit][2] = met;
}

static void on_month(void *ctx, int k, int64_t unit, int64_t officers, int64_t certified, int64_t met)
{
    counts *c = ctx;
    assert_true(unit > 0 && unit < MAXU && k >= 0 && k < 12);
    c->v[k][unit][0] = officers, c->v[k][unit][1] = certified, c->v[k][unit][2] = met;
}

/* The stock on ref (yyyymmdd) read with the timeline (which must answer,
 * 'T') and by every officer ('S'): equal; the timeline's counts in out. */
static void both_on(int ref, const char *prefix, int hours, counts *out, char want)
{
    counts a = {0}, b = {0};
    officer_query q = {.required_hours = hours};
    assert_int_equal(officers_query_at(&q, ref, g_today), FZ_OK);
    store_conn *c = store_reader(S);
    officers_force_scan(1);
    assert_int_equal(officers_by_unit(c, &q, prefix, on_unit, &a), FZ_OK);
    assert_int_equal(officers_last_source(), 'S');
    officers_force_scan(0);
    assert_int_equal(officers_by_unit(c, &q, prefix, on_unit, &b), FZ_OK);
    assert_int_equal(officers_last_source(), want);
    if (memcmp(&a, &b, sizeof(a))) {
        for (int u = 1; u < MAXU; u++)
            fprintf(stderr, "ref %d unit %d: officers %lld/%lld certified %lld/%lld met %lld/%lld\n", ref, u,
                    (long long)a.v[0][u][0], (long long)b.v[0][u][0], (long long)a.v[0][u][1],
                    (long long)b.v[0][u][1], (long long)a.v[0][u][2], (long long)b.v[0][u][2]);
        fail_msg("the timeline differs from the officers on %d (prefix '%s')", ref, prefix);
    }
    if (out)
        *out = b;
}

static void both_months(int year, const char *prefix)
{
    counts a = {0}, b = {0};
    store_conn *c = store_reader(S);
    officers_force_scan(1);
    assert_int_equal(officers_by_unit_months(c, year, g_today, 60, prefix, on_month, &a), FZ_OK);
    officers_force_scan(0);
    assert_int_equal(officers_by_unit_months(c, year, g_today, 60, prefix, on_month, &b), FZ_OK);
    assert_int_equal(officers_last_source(), 'T');
    if (memcmp(&a, &b, sizeof(a)))
        fail_msg("the monthly timeline differs from the officers in %d", year);
}

static void expect(const counts *c, int unit, int officers, int certified, int met)
{
    if (c->v[0][unit][0] != officers || c->v[0][unit][1] != certified || c->v[0][unit][2] != met)
        fail_msg("unit %d: got %lld/%lld/%lld, want %d/%d/%d", unit, (long long)c->v[0][unit][0],
                 (long long)c->v[0][unit][1], (long long)c->v[0][unit][2], officers, certified, met);
}

/* ---- fixture ---- */

static int copy_def(const char *dir, const char *name)
{
    char src[512], dst[160], buf[8192];
    snprintf(src, sizeof(src), "%s/defs/%s", FAZHI_SOURCE_DIR, name);
    snprintf(dst, sizeof(dst), "%s/%s", dir, name);
    FILE *in = fopen(src, "r"), *out = fopen(dst, "w");
    if (!in || !out)
        return -1;
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
        fwrite(buf, 1, n, out);
    fclose(in);
    fclose(out);
    return 0;
}

static int setup(void **state)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    g_today = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
    snprintf(g_dir, sizeof(g_dir), "/tmp/fz-stock-XXXXXX");
    if (!mkdtemp(g_dir))
        return -1;
    char path[128];
    snprintf(path, sizeof(path), "%s/defs", g_dir);
    mkdir(path, 0700);
    if (copy_def(path, "officers.json") || copy_def(path, "officer_trainings.json") ||
        copy_def(path, "officer_exams.json"))
        return -1;
    defs_report *rep = calloc(1, sizeof(*rep));
    int rc = defs_load(path, &D, rep);
    free(rep);
    if (rc != FZ_OK)
        return -1;
    snprintf(path, sizeof(path), "%s/data", g_dir);
    mkdir(path, 0700);
    store_opts o = {.dir = path, .batch_max = 8, .create = 1};
    char err[256] = "";
    if (store_open(&o, &S, err, sizeof(err)) != FZ_OK) {
        fprintf(stderr, "store_open: %s\n", err);
        return -1;
    }
    stock_configure(60);
    job j = {0};
    if (store_write(S, sync_job, &j) != FZ_OK)
        return -1;
    j.sql = "INSERT INTO units (id, name, type, legal_status, region_code, parent_id, path, created_at) VALUES"
            " (2, '甲局', '部门', '', '532624000000', 1, '/1/2/', 0),"
            " (3, '乙队', '综合执法队', '', '532624100000', 1, '/1/3/', 0),"
            " (4, '外县局', '部门', '', '532625000000', 1, '/1/4/', 0)";
    return store_write(S, sql_job, &j) == FZ_OK ? 0 : -1;
}

static int teardown(void **state)
{
    officers_force_scan(0);
    store_close(S);
    defs_free(D);
    return nftw(g_dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* ---- the test ---- */

static void test_timeline_equals_officers(void **state)
{
    char yesterday[11], today[11], tomorrow[11];
    from_today(-1, yesterday);
    from_today(0, today);
    from_today(1, tomorrow);
    int64_t o1, o2, o3, o4, o5, o6;
    /* 2024-03-10: o1 (expires 2024-08-31), o2 (issued 2024-05-01, after it
     * was entered), o5 (no issue date, expires tomorrow) in A. */
    officer(&o1, at(2024, 3, 10, 10), UNIT_A, "C1", "有效", "2020-01-01", "2024-08-31");
    officer(&o2, at(2024, 3, 10, 11), UNIT_A, "C2", "有效", "2024-05-01", "2030-01-01");
    officer(&o5, at(2024, 3, 10, 12), UNIT_A, "C5", "有效", NULL, tomorrow);
    /* 2024-06-01: o3 in B, suspended; lifted 2024-12-20; expires today. */
    officer(&o3, at(2024, 6, 1, 9), UNIT_B, "C3", "暂扣", "2021-01-01", today);
    /* o1 renewed 2024-09-15. */
    put("officers", o1, at(2024, 9, 15, 16), "{\"cert_expires_on\":\"2029-08-31\"}");
    put("officers", o3, at(2024, 12, 20, 8), "{\"cert_status\":\"有效\"}");
    /* 2025-01-05: o4 in B, expires yesterday. 2025-02-01: o2 moves to B.
     * 2025-06-30: o5 cancelled. o6 in the other county. */
    officer(&o4, at(2025, 1, 5, 9), UNIT_B, "C4", "有效", "2023-01-01", yesterday);
    put("officers", o2, at(2025, 2, 1, 9), "{\"unit\":3}");
    put("officers", o5, at(2025, 6, 30, 9), "{\"cert_status\":\"注销\"}");
    officer(&o6, at(2025, 3, 1, 9), UNIT_C, "C6", "有效", "2025-01-01", "2031-01-01");
    /* Trainings: o1 60 h in 2024 (40 + 20), 30 h in 2025 corrected to 60
     * later; o2 60 h in 2025; o5 100 h in 2024; o3 60 h this year; o6 60 h
     * in 2025. */
    training(at(2024, 4, 1, 9), "C1", "法律一", 40, 2024);
    training(at(2024, 10, 1, 9), "C1", "法律二", 20, 2024);
    int64_t t1 = training(at(2025, 4, 1, 9), "C1", "法律三", 30, 2025);
    training(at(2025, 5, 1, 9), "C2", "法律四", 60, 2025);
    training(at(2024, 5, 1, 9), "C5", "法律五", 100, 2024);
    training(0, "C3", "法律六", 60, g_today / 10000);
    training(at(2025, 7, 1, 9), "C6", "法律七", 60, 2025);
    put("officer_trainings", t1, at(2025, 12, 1, 9), "{\"hours\":60}");

    /* By hand. 2024-06-30: A has o1 (certified, 60 h in 2024), o2 (issued
     * 2024-05-01: certified, no 2024 hours), o5 (100 h); B has o3
     * (suspended). */
    counts c;
    both_on(20240630, "532624", 60, &c, 'T');
    expect(&c, UNIT_A, 3, 3, 2);
    expect(&c, UNIT_B, 1, 0, 0);
    expect(&c, UNIT_C, 0, 0, 0);
    /* 2024-04-30: o2 not yet issued. */
    both_on(20240430, "532624", 60, &c, 'T');
    expect(&c, UNIT_A, 3, 2, 2);
    /* o1 valid through 2024-08-31 (its expiry day), expired the next day
     * until the renewal of 2024-09-15. */
    both_on(20240831, "532624", 60, &c, 'T');
    expect(&c, UNIT_A, 3, 3, 2);
    both_on(20240901, "532624", 60, &c, 'T');
    expect(&c, UNIT_A, 3, 2, 1);
    both_on(20240915, "532624", 60, &c, 'T');
    expect(&c, UNIT_A, 3, 3, 2);
    /* 2025-03-31: o2 has moved to B; A has o1 (30 h in 2025, corrected to
     * 60 since: counted as corrected) and o5. B: o2 (60 h), o3, o4. */
    both_on(20250331, "532624", 60, &c, 'T');
    expect(&c, UNIT_A, 2, 2, 1);
    expect(&c, UNIT_B, 3, 3, 1);
    /* Today: A o1 (no hours this year), o5 cancelled; B o2, o3 (expires
     * today: still certified, 60 h), o4 (expired yesterday). All units:
     * C's o6 too. */
    both_on(g_today, "532624", 60, &c, 'T');
    expect(&c, UNIT_A, 2, 1, 0);
    expect(&c, UNIT_B, 3, 2, 1);
    both_on(g_today, "", 60, &c, 'T');
    expect(&c, UNIT_C, 1, 1, 0);
    /* Every day since 2024-01-01, both regions; every month end. */
    int64_t d0 = days_from_civil(2024, 1, 1), d1 = days_from_civil(g_today / 10000, g_today / 100 % 100, g_today % 100);
    for (int64_t d = d0; d <= d1; d++) {
        int y, m, dd;
        civil_from_days(d, &y, &m, &dd);
        both_on(y * 10000 + m * 100 + dd, "532624", 60, NULL, 'T');
        both_on(y * 10000 + m * 100 + dd, "", 60, NULL, 'T');
    }
    for (int y = 2024; y <= g_today / 10000; y++) {
        both_months(y, "532624");
        both_months(y, "");
    }
    /* Other hours than the timeline counts: the officers answer. */
    both_on(20250331, "532624", 30, &c, 'S');
    expect(&c, UNIT_A, 2, 2, 1);
}

static void test_check_and_fallback(void **state)
{
    int64_t o;
    officer(&o, at(2025, 2, 1, 9), UNIT_A, "D1", "有效", "2020-01-01", "2030-12-31");
    /* A tampered row: reported, then repaired by the recompute. */
    job j = {.sql = "UPDATE officer_stock SET certified = certified + 1 WHERE unit_id = 2"};
    assert_int_equal(store_write(S, sql_job, &j), FZ_OK);
    job k = {.check = 1};
    assert_int_equal(store_write(S, stock_job, &k), FZ_OK);
    assert_int_equal(k.diff, 1);
    assert_non_null(strstr(k.out, "差异（执法人员存量）：单位 2 "));
    free(k.out);
    job r = {.check = 0};
    assert_int_equal(store_write(S, stock_job, &r), FZ_OK);
    free(r.out);
    assert_int_equal(check_timeline(), 0);
    /* A version written around the hooks: the stamp is behind, --check says
     * so, the reader reads the officers (and is right), the next start
     * rebuilds. */
    j.sql = "INSERT INTO cat_officers (row_id, version, valid_from, valid_to, unit_id, region_code, created_by,"
            " created_at, published, def_digest, f_name, f_unit, f_cert_no, f_cert_status, f_cert_expires_on)"
            " VALUES (9999, 1, 1700000000000, 0, 1, '532624000000', 0, 0, 1, '', '手工', 2, 'D9', '有效',"
            " '2099-01-01')";
    assert_int_equal(store_write(S, sql_job, &j), FZ_OK);
    assert_int_equal(check_timeline(), 2); /* the stamp, and unit 2 */
    counts c, before;
    both_on(g_today, "532624", 60, &before, 'S');
    job s = {0};
    assert_int_equal(store_write(S, sync_job, &s), FZ_OK);
    assert_int_equal(check_timeline(), 0);
    both_on(g_today, "532624", 60, &c, 'T');
    assert_memory_equal(&c, &before, sizeof(c));
    /* A write job that fails is rolled back with what it did to the
     * timeline: D1 cancelled, then the job fails. */
    job bad = {.catalog = "officers", .row = o, .fail = 1, .values = json_pack("{s:s}", "cert_status", "注销")};
    assert_int_equal(store_write(S, put_job, &bad), FZ_CONFLICT);
    json_decref(bad.values);
    assert_int_equal(check_timeline(), 0);
    both_on(g_today, "532624", 60, &c, 'T');
    assert_memory_equal(&c, &before, sizeof(c));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timeline_equals_officers),
        cmocka_unit_test(test_check_and_fallback),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
