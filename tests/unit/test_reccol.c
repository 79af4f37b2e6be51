/* test_reccol.c: the 全过程记录 column records_missing (engine/reccol.h) on a
 * real store: kept with every write that can move it -- creation and import,
 * a step with records, an attachment added, a 撤回 -- equal at every step to
 * the count of the case detail's missing_records and to the derivation from
 * the events and attachments (one case and all cases at once); the backfill
 * of a column left NULL (as migration 13 leaves it) and its re-derivation
 * when the records of the definition change; and `indicators recompute
 * --check` (ind_recompute with IND_RECOMPUTE_CHECK) finding a tampered
 * column, `--records` repairing it. */
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

#include "core/status.h"
#include "engine/attach.h"
#include "engine/cases.h"
#include "engine/defs.h"
#include "engine/holidays.h"
#include "engine/indicators.h"
#include "engine/reccol.h"
#include "engine/schema.h"
#include "store/store.h"

#define LEDGER "532624000000"

/* Steps with records, one without, a 撤回. */
static const char *DEF =
    "{\"type\":\"procedure\",\"kind\":\"rtest\",\"title\":\"记录测试\",\"basis\":\"第一条\",\"no_prefix\":\"记录\","
    "\"fields\":[{\"name\":\"content\",\"label\":\"内容\",\"type\":\"text\",\"required\":true}],"
    "\"states\":[{\"name\":\"open\",\"label\":\"办理中\"},{\"name\":\"filed\",\"label\":\"已立案\"},"
    "{\"name\":\"investigated\",\"label\":\"已调查\"},{\"name\":\"done\",\"label\":\"办结\",\"final\":true}],"
    "\"initial\":\"open\","
    "\"actions\":["
    "{\"name\":\"file\",\"label\":\"立案\",\"from\":[\"open\"],\"to\":\"filed\",\"records\":[\"立案审批表\"]},"
    "{\"name\":\"investigate\",\"label\":\"调查取证\",\"from\":[\"filed\"],\"to\":\"investigated\","
    "\"records\":[\"询问笔录\",\"执法音视频记录\"]},"
    "{\"name\":\"close\",\"label\":\"结案\",\"from\":[\"investigated\"],\"to\":\"done\"},"
    "{\"name\":\"undo\",\"label\":\"撤回\",\"kind\":\"withdraw\"}]}";

static const char *IND =
    "{\"type\":\"indicator\",\"name\":\"rtest_full_record\",\"title\":\"记录测试全过程记录率\",\"basis\":\"第一条\","
    "\"numerator\":{\"procedure\":\"rtest\",\"state\":[\"done\"],\"rule\":\"full_record\",\"date\":\"created\"},"
    "\"denominator\":{\"procedure\":\"rtest\",\"state\":[\"done\"],\"date\":\"created\"},"
    "\"period\":\"year\",\"group\":\"unit\",\"target\":0.95,\"direction\":\">=\",\"weight\":3}";

static char g_dir[64];
static store *S;
static defs *D;
static const def *P;
static field_keys keys;

static const char *PERMS[] = {"case:create", "case:handle", "case:view"};
static principal_role officer_role = {.id = 1, .key = "officer", .name = "执法人员", .scope = "unit"};
static principal officer = {.user_id = 11, .username = "officer1", .name = "甲", .unit_id = 1, .unit_path = "/1/",
                            .perms = PERMS, .nperms = 3, .roles = &officer_role, .nroles = 1};

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(p);
}

typedef struct job {
    case_ctx x;
    const char *action;   /* NULL: create (or import when state is set) */
    const char *state;    /* import in this state */
    const char *category; /* attach one of this category */
    json_t *values;
    int64_t id;
    char no[80];
    char msg[256];
    int flags;
    int64_t facts, diff, records;
    char *out;
    size_t outlen;
} job;

static int sync_job(store_conn *w, void *ctx)
{
    job *j = ctx;
    int rc = schema_sync(w, D, j->msg, sizeof(j->msg));
    int64_t n;
    return rc ? rc : ind_sync(w, D, &n);
}

static int run_job(store_conn *w, void *ctx)
{
    job *j = ctx;
    if (j->category) {
        char sid[24];
        snprintf(sid, sizeof(sid), "%lld", (long long)j->id);
        attach_rec a = {.ledger = LEDGER, .subject_kind = "case:rtest", .subject_id = sid, .unit_id = 1,
                        .def_digest = P->digest, .proc = P, .category = j->category, .name = "f.pdf",
                        .mime = "application/pdf", .sm3 = "00", .size = 1, .uploader = "officer1"};
        int rc = attach_add(w, &a);
        return rc ? rc : ind_on_subject(w, "case:rtest", sid);
    }
    if (!j->action)
        return j->state ? case_import(w, &j->x, j->values, 1, j->state, NULL, &j->id, j->no)
                        : case_create(w, &j->x, j->values, 1, &j->id, j->no);
    return case_act(w, &j->x, j->id, j->action, j->values, "");
}

static int recompute_job(store_conn *w, void *ctx)
{
    job *j = ctx;
    FILE *f = open_memstream(&j->out, &j->outlen);
    if (!f)
        return FZ_NOMEM;
    int rc = ind_recompute(w, NULL, D, j->flags, f, &j->facts, &j->diff, &j->records);
    fclose(f);
    return rc;
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[160];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int open_store(void)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/data", g_dir);
    store_opts o = {.dir = path, .batch_max = 8, .create = 1};
    char err[256] = "";
    if (store_open(&o, &S, err, sizeof(err)) != FZ_OK) {
        fprintf(stderr, "store_open: %s\n", err);
        return -1;
    }
    return 0;
}

static int setup(void **state)
{
    snprintf(g_dir, sizeof(g_dir), "/tmp/fz-reccol-XXXXXX");
    if (!mkdtemp(g_dir))
        return -1;
    char path[128];
    snprintf(path, sizeof(path), "%s/defs", g_dir);
    mkdir(path, 0700);
    write_file(path, "rtest.json", DEF);
    write_file(path, "ind_rtest.json", IND);
    defs_report *rep = calloc(1, sizeof(*rep));
    int rc = defs_load(path, &D, rep);
    free(rep);
    if (rc != FZ_OK || !(P = defs_find(D, DEF_PROCEDURE, "rtest"))) {
        fprintf(stderr, "defs_load: %d\n", rc);
        return -1;
    }
    snprintf(path, sizeof(path), "%s/data", g_dir);
    mkdir(path, 0700);
    if (open_store())
        return -1;
    ind_set_defs(D);
    job j = {0};
    if (store_write(S, sync_job, &j) != FZ_OK) {
        fprintf(stderr, "schema_sync: %s\n", j.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    ind_set_defs(NULL);
    store_close(S);
    defs_free(D);
    holidays_cache_clear();
    return nftw(g_dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static int run(job *j, const char *action, const char *values_json)
{
    j->x = (case_ctx){.d = P, .who = &officer, .keys = &keys, .ledger = LEDGER};
    j->action = action;
    j->category = NULL;
    j->values = json_loads(values_json, 0, NULL);
    assert_non_null(j->values);
    int rc = store_write(S, run_job, j);
    json_decref(j->values);
    return rc;
}

static void attach(job *j, const char *category)
{
    j->category = category;
    assert_int_equal(store_write(S, run_job, j), FZ_OK);
    j->category = NULL;
}

/* The stored column of case id (-1: NULL). */
static int64_t column(int64_t id)
{
    store_stmt *st;
    assert_int_equal(store_prepare(store_reader(S), "SELECT records_missing FROM case_rtest WHERE id = ?", &st), FZ_OK);
    store_bind_int(st, 1, id);
    assert_int_equal(store_step(st), STORE_ROW);
    int64_t v = store_col_is_null(st, 0) ? -1 : store_col_int(st, 0);
    store_done(st);
    return v;
}

/* The column equals the detail's missing_records and both derivations. */
static void agrees(int64_t id, int64_t want)
{
    store_conn *c = store_reader(S);
    assert_int_equal(column(id), want);
    case_ctx x = {.d = P, .who = &officer, .keys = &keys, .ledger = LEDGER};
    json_t *o = case_json(c, &x, id);
    assert_non_null(o);
    assert_int_equal((int64_t)json_array_size(json_object_get(o, "missing_records")), want);
    /* The API's detail (written as text, events with their stored
     * payloads, withdrawals and attachments on the way) has its bytes. */
    char *j = json_dumps(o, JSON_COMPACT);
    strbuf t = STRBUF_INIT;
    assert_int_equal(case_json_text(c, &x, id, &t), FZ_OK);
    assert_string_equal(t.data, j);
    free(j);
    strbuf_free(&t);
    json_decref(o);
    int64_t one = -2;
    assert_int_equal(reccol_derive_one(c, P, id, &one), FZ_OK);
    assert_int_equal(one, want);
    scan_keys k = {0};
    assert_int_equal(reccol_derive_all(c, P, &k), FZ_OK);
    int64_t all = 0;
    for (size_t i = 0; i < k.n; i++)
        if ((int64_t)(k.v[i] >> 16) == id)
            all = (int64_t)(k.v[i] & 0xffff);
    free(k.v);
    assert_int_equal(all, want);
}

static void check_run(job *j, int flags)
{
    free(j->out);
    j->out = NULL;
    j->flags = flags;
    assert_int_equal(store_write(S, recompute_job, j), FZ_OK);
}

static int64_t g_case; /* the case of test_maintained, for the later tests */

static void test_maintained(void **state)
{
    job j = {0};
    assert_int_equal(run(&j, NULL, "{\"content\":\"事项\"}"), FZ_OK);
    g_case = j.id;
    agrees(j.id, 0);                                /* created: no step taken */
    assert_int_equal(run(&j, "file", "{}"), FZ_OK); /* 立案 lacks 立案审批表 */
    agrees(j.id, 1);
    attach(&j, "立案审批表");
    agrees(j.id, 0);
    assert_int_equal(run(&j, "investigate", "{}"), FZ_OK); /* lacks 询问笔录, 执法音视频记录 */
    agrees(j.id, 2);
    assert_int_equal(run(&j, "undo", "{}"), FZ_OK); /* 调查取证 taken back */
    agrees(j.id, 0);
    assert_int_equal(run(&j, "investigate", "{}"), FZ_OK); /* again */
    agrees(j.id, 2);
    attach(&j, "询问笔录");
    agrees(j.id, 1);
    attach(&j, "其他材料"); /* no step lists it: nothing moves */
    agrees(j.id, 1);
    attach(&j, "执法音视频记录");
    agrees(j.id, 0);
    assert_int_equal(run(&j, "close", "{}"), FZ_OK);
    agrees(j.id, 0);
    /* A refused step (final state) moves nothing. */
    assert_int_equal(run(&j, "file", "{}"), FZ_CONFLICT);
    agrees(j.id, 0);

    /* Imports: a historic case in a closed state has no step events. */
    job k = {0};
    k.state = "done";
    assert_int_equal(run(&k, NULL, "{\"content\":\"历史\"}"), FZ_OK);
    agrees(k.id, 0);
    /* A case closed lacking its 执法音视频记录. */
    job m = {0};
    assert_int_equal(run(&m, NULL, "{\"content\":\"缺记录\"}"), FZ_OK);
    assert_int_equal(run(&m, "file", "{}"), FZ_OK);
    attach(&m, "立案审批表");
    assert_int_equal(run(&m, "investigate", "{}"), FZ_OK);
    attach(&m, "询问笔录");
    assert_int_equal(run(&m, "close", "{}"), FZ_OK);
    agrees(m.id, 1);

    /* The facts kept incrementally equal a from-scratch check. */
    check_run(&j, IND_RECOMPUTE_CHECK);
    assert_int_equal(j.diff, 0);
    assert_int_equal(j.records, 0);
    assert_int_equal(j.facts, 3);
    free(j.out);
}

/* Runs SQL in a write job. */
static int sql_job(store_conn *w, void *ctx)
{
    return store_exec(w, ctx);
}

static void sql(const char *q)
{
    assert_int_equal(store_write(S, sql_job, (void *)q), FZ_OK);
}

static void test_check_finds_tampering(void **state)
{
    job j = {0};
    char q[160];
    /* The column says complete where the record is not. */
    int64_t bad = 0;
    assert_int_equal(store_query_int(store_reader(S), &bad, 0,
                                     "SELECT max(id) FROM case_rtest WHERE records_missing = 1 AND state = 'done'", ""),
                     FZ_OK);
    assert_true(bad > 0);
    snprintf(q, sizeof(q), "UPDATE case_rtest SET records_missing = 0 WHERE id = %lld", (long long)bad);
    sql(q);
    check_run(&j, IND_RECOMPUTE_CHECK);
    assert_int_equal(j.records, 1);
    assert_true(j.diff >= 1);
    char want[160];
    snprintf(want, sizeof(want), "差异（全过程记录）：案件 rtest#%lld 的记录列 records_missing 已存 尚缺 0 项；"
                                 "按办理事件与附件重算 尚缺 1 项", (long long)bad);
    assert_non_null(strstr(j.out, want));
    /* A plain recompute trusts the column (and so counts the case complete);
     * --check then names the column and the facts it moved. */
    check_run(&j, 0);
    assert_int_equal(j.records, 0);
    check_run(&j, IND_RECOMPUTE_CHECK);
    assert_int_equal(j.records, 1);
    assert_true(j.diff > 1);
    assert_non_null(strstr(j.out, "差异（事实）"));
    /* --records re-derives the column, and the facts follow. */
    check_run(&j, IND_RECOMPUTE_RECORDS);
    assert_int_equal(j.records, 1);
    check_run(&j, IND_RECOMPUTE_CHECK);
    assert_int_equal(j.diff, 0);
    assert_int_equal(column(bad), 1);
    /* A NULL column (not derived yet) is a difference too. */
    snprintf(q, sizeof(q), "UPDATE case_rtest SET records_missing = NULL WHERE id = %lld", (long long)g_case);
    sql(q);
    check_run(&j, IND_RECOMPUTE_CHECK);
    assert_int_equal(j.records, 1);
    assert_non_null(strstr(j.out, "空（尚未生成）"));
    check_run(&j, IND_RECOMPUTE_RECORDS);
    check_run(&j, IND_RECOMPUTE_CHECK);
    assert_int_equal(j.diff, 0);
    free(j.out);
}

/* An existing data directory: migration 13 adds the column (NULL) to the
 * case tables, the next ind_sync (serve, import, demo) derives it. */
static void test_migration_backfill(void **state)
{
    int64_t before[3] = {0}, n = 0;
    assert_int_equal(store_query_int(store_reader(S), &n, 0, "SELECT count(*) FROM case_rtest", ""), FZ_OK);
    assert_int_equal(n, 3);
    for (int64_t id = 1; id <= 3; id++)
        before[id - 1] = column(id);
    /* Back to schema 12: no column, migration 13 not applied. */
    sql("ALTER TABLE case_rtest DROP COLUMN records_missing; DELETE FROM schema_migrations WHERE version = 13;"
        " DELETE FROM meta WHERE key LIKE 'records_plan:%'");
    store_close(S);
    assert_int_equal(open_store(), 0);
    for (int64_t id = 1; id <= 3; id++)
        assert_int_equal(column(id), -1);
    job j = {0};
    assert_int_equal(store_write(S, sync_job, &j), FZ_OK);
    for (int64_t id = 1; id <= 3; id++) {
        assert_int_equal(column(id), before[id - 1]);
        agrees(id, before[id - 1]);
    }
    check_run(&j, IND_RECOMPUTE_CHECK);
    assert_int_equal(j.diff, 0);
    free(j.out);
}

/* A definition whose records change: the column is re-derived under the
 * records in force at the next ind_sync (meta records_plan:<kind>). */
static void test_definition_change(void **state)
{
    int64_t n = 0;
    assert_int_equal(store_query_int(store_reader(S), &n, 0,
                                     "SELECT count(*) FROM case_rtest WHERE records_missing > 0", ""),
                     FZ_OK);
    assert_int_equal(n, 1);
    char path[128];
    snprintf(path, sizeof(path), "%s/defs2", g_dir);
    mkdir(path, 0700);
    /* 结案 now lists a 结案报告 too: every closed case lacks it. */
    char *d2 = strdup(DEF);
    const char *from = "\"to\":\"done\"}";
    char *at = strstr(d2, from);
    assert_non_null(at);
    char buf[4096];
    snprintf(buf, sizeof(buf), "%.*s\"to\":\"done\",\"records\":[\"结案报告\"]}%s", (int)(at - d2), d2,
             at + strlen(from));
    free(d2);
    write_file(path, "rtest.json", buf);
    write_file(path, "ind_rtest.json", IND);
    defs *d = NULL;
    defs_report *rep = calloc(1, sizeof(*rep));
    assert_int_equal(defs_load(path, &d, rep), FZ_OK);
    free(rep);
    const def *p2 = defs_find(d, DEF_PROCEDURE, "rtest");
    defs *old = D;
    const def *oldp = P;
    D = d;
    P = p2;
    ind_set_defs(D);
    job j = {0};
    assert_int_equal(store_write(S, sync_job, &j), FZ_OK);
    /* Two closed cases with a 结案 step: one more each. */
    assert_int_equal(store_query_int(store_reader(S), &n, 0,
                                     "SELECT count(*) FROM case_rtest WHERE records_missing > 0", ""),
                     FZ_OK);
    assert_int_equal(n, 2);
    assert_int_equal(column(g_case), 1);
    int64_t one = -1;
    assert_int_equal(reccol_derive_one(store_reader(S), P, g_case, &one), FZ_OK);
    assert_int_equal(one, 1);
    /* The detail still shows what the case's own definition version asks
     * (it was started before 结案报告 was listed): the indicator and its
     * column judge by the definitions in force (docs/indicators.md). */
    case_ctx x = {.d = P, .who = &officer, .keys = &keys, .ledger = LEDGER};
    json_t *o = case_json(store_reader(S), &x, g_case);
    assert_non_null(o);
    assert_int_equal(json_array_size(json_object_get(o, "missing_records")), 0);
    json_decref(o);
    /* A case started under the new version: detail and column agree. */
    job k = {0};
    assert_int_equal(run(&k, NULL, "{\"content\":\"新版\"}"), FZ_OK);
    assert_int_equal(run(&k, "file", "{}"), FZ_OK);
    attach(&k, "立案审批表");
    assert_int_equal(run(&k, "investigate", "{}"), FZ_OK);
    assert_int_equal(run(&k, "close", "{}"), FZ_OK);
    agrees(k.id, 3);
    check_run(&j, IND_RECOMPUTE_CHECK);
    assert_int_equal(j.diff, 0);
    D = old;
    P = oldp;
    ind_set_defs(D);
    assert_int_equal(store_write(S, sync_job, &j), FZ_OK);
    agrees(g_case, 0);
    assert_int_equal(column(k.id), 2); /* without 结案报告 again */
    check_run(&j, IND_RECOMPUTE_CHECK);
    assert_int_equal(j.diff, 0);
    free(j.out);
    defs_free(d);
}

static void test_fresh(void **state)
{
    int64_t n = -1;
    assert_int_equal(reccol_fresh(P, "case.created", &n), FZ_OK);
    assert_int_equal(n, 0);
    /* An entry event named like a step with records would count. */
    assert_int_equal(reccol_fresh(P, "case.file", &n), FZ_OK);
    assert_int_equal(n, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fresh),
        cmocka_unit_test(test_maintained),
        cmocka_unit_test(test_check_finds_tampering),
        cmocka_unit_test(test_migration_backfill),
        cmocka_unit_test(test_definition_change),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
