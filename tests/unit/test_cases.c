/* test_cases.c: the procedure engine (engine/cases.h) on a small test
 * definition, on a real store in a temp directory: creation with its
 * required fields, the transition guards in their documented order (from
 * state 409, role 403, required field 400), the state changes, and one chained
 * event per change carrying the definition's digest; refusals write nothing. */
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
#include "engine/cases.h"
#include "engine/defs.h"
#include "engine/holidays.h"
#include "engine/schema.h"
#include "store/store.h"

#define LEDGER "532624000000"

/* A review procedure: the officer submits, the unit head decides. */
static const char *DEF =
    "{\"type\":\"procedure\",\"kind\":\"demo\",\"title\":\"示例审批\",\"basis\":\"第一条\",\"no_prefix\":\"示例\","
    "\"fields\":[{\"name\":\"content\",\"label\":\"内容\",\"type\":\"text\",\"required\":true},"
    "{\"name\":\"outcome\",\"label\":\"结果\",\"type\":\"enum\",\"options\":[\"同意\",\"不同意\"]}],"
    "\"states\":[{\"name\":\"open\",\"label\":\"办理中\"},{\"name\":\"review\",\"label\":\"审核中\"},"
    "{\"name\":\"done\",\"label\":\"办结\",\"final\":true}],"
    "\"initial\":\"open\","
    "\"clocks\":[{\"name\":\"reply\",\"label\":\"答复期限\",\"limit\":\"20wd\",\"warn\":\"5wd\"}],"
    "\"actions\":["
    "{\"name\":\"submit\",\"label\":\"提交审核\",\"from\":[\"open\"],\"to\":\"review\",\"roles\":[\"officer\"],"
    "\"requires\":[\"content\"]},"
    "{\"name\":\"approve\",\"label\":\"审核决定\",\"from\":[\"review\"],\"to\":\"done\",\"roles\":[\"unit_head\"],"
    "\"requires\":[\"outcome\"],\"form\":[\"outcome\"]}]}";

static char g_dir[64];
static store *S;
static defs *D;
static const def *demo;
static field_keys keys;

static const char *PERMS[] = {"case:create", "case:handle", "case:view"};
static principal_role officer_role = {.id = 1, .key = "officer", .name = "执法人员", .scope = "unit"};
static principal_role head_role = {.id = 2, .key = "unit_head", .name = "单位负责人", .scope = "unit_below"};
static principal officer = {.user_id = 11, .username = "officer1", .name = "甲", .unit_id = 1, .unit_path = "/1/",
                            .perms = PERMS, .nperms = 3, .roles = &officer_role, .nroles = 1};
static principal head = {.user_id = 12, .username = "head1", .name = "乙", .unit_id = 1, .unit_path = "/1/",
                         .perms = PERMS, .nperms = 3, .roles = &head_role, .nroles = 1};

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(p);
}

typedef struct job {
    case_ctx x;
    const char *action; /* NULL: create */
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

static int run_job(store_conn *w, void *ctx)
{
    job *j = ctx;
    if (!j->action)
        return case_create(w, &j->x, j->values, 1, &j->id, j->no);
    return case_act(w, &j->x, j->id, j->action, j->values, "");
}

static int setup(void **state)
{
    snprintf(g_dir, sizeof(g_dir), "/tmp/fz-cases-XXXXXX");
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
    if (rc != FZ_OK || !(demo = defs_find(D, DEF_PROCEDURE, "demo"))) {
        fprintf(stderr, "defs_load: %d\n", rc);
        return -1;
    }
    snprintf(path, sizeof(path), "%s/data", g_dir);
    mkdir(path, 0700);
    store_opts o = {.dir = path, .batch_max = 8, .create = 1};
    char err[256] = "";
    if (store_open(&o, &S, err, sizeof(err)) != FZ_OK) {
        fprintf(stderr, "store_open: %s\n", err);
        return -1;
    }
    job j = {0};
    if (store_write(S, sync_job, &j) != FZ_OK) {
        fprintf(stderr, "schema_sync: %s\n", j.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    store_close(S);
    defs_free(D);
    holidays_cache_clear();
    return nftw(g_dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* Runs one engine call as principal p; returns the store_write rc. */
static int run(job *j, const principal *p, const char *action, const char *values_json)
{
    memset(&j->x, 0, sizeof(j->x));
    j->x = (case_ctx){.d = demo, .who = p, .keys = &keys, .ledger = LEDGER};
    j->action = action;
    j->values = json_loads(values_json, 0, NULL);
    assert_non_null(j->values);
    int rc = store_write(S, run_job, j);
    json_decref(j->values);
    return rc;
}

static void state_of(int64_t id, char out[32])
{
    store_stmt *st;
    assert_int_equal(store_prepare(store_reader(S), "SELECT state FROM case_demo WHERE id = ?", &st), FZ_OK);
    store_bind_int(st, 1, id);
    assert_int_equal(store_step(st), STORE_ROW);
    snprintf(out, 32, "%s", store_col_text(st, 0));
    store_done(st);
}

/* Events of the case, and how many of them carry the definition's digest. */
static void events_of(int64_t id, int64_t *n, int64_t *with_digest)
{
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", (long long)id);
    assert_int_equal(store_query_int(store_reader(S), n, 0,
                                     "SELECT count(*) FROM events WHERE subject_kind = 'case:demo' AND subject_id = ?",
                                     "s", sid),
                     FZ_OK);
    assert_int_equal(store_query_int(store_reader(S), with_digest, 0,
                                     "SELECT count(*) FROM events WHERE subject_kind = 'case:demo' AND subject_id = ?"
                                     " AND def_digest = ?",
                                     "ss", sid, demo->digest),
                     FZ_OK);
}

static void test_create_requires_fields(void **state)
{
    case_ctx x = {.d = demo, .who = &officer, .keys = &keys, .ledger = LEDGER};
    json_t *v = json_loads("{\"outcome\":\"同意\"}", 0, NULL);
    assert_int_equal(case_check_values(&x, v, 1), FZ_INVALID);
    assert_int_equal(x.status, 400);
    assert_string_equal(x.field, "content");
    json_decref(v);
    v = json_loads("{\"outcome\":\"也许\"}", 0, NULL);
    assert_int_equal(case_check_values(&x, v, 0), FZ_INVALID);
    assert_string_equal(x.field, "outcome");
    json_decref(v);
}

static void test_guards_and_events(void **state)
{
    job j = {0};
    char st[32];
    int64_t n, nd;
    assert_int_equal(run(&j, &officer, NULL, "{\"content\":\"申请事项\"}"), FZ_OK);
    assert_true(j.id > 0);
    assert_non_null(strstr(j.no, "示例"));
    state_of(j.id, st);
    assert_string_equal(st, "open");
    events_of(j.id, &n, &nd);
    assert_int_equal(n, 1);

    /* From the wrong state: 409, nothing written. */
    assert_int_equal(run(&j, &head, "approve", "{\"outcome\":\"同意\"}"), FZ_CONFLICT);
    assert_int_equal(j.x.status, 409);
    /* A role the action does not name: 403. */
    assert_int_equal(run(&j, &head, "submit", "{}"), FZ_CONFLICT);
    assert_int_equal(j.x.status, 403);
    /* An unknown action: 404. */
    assert_int_equal(run(&j, &officer, "fly", "{}"), FZ_NOTFOUND);
    events_of(j.id, &n, &nd);
    assert_int_equal(n, 1);

    assert_int_equal(run(&j, &officer, "submit", "{}"), FZ_OK);
    state_of(j.id, st);
    assert_string_equal(st, "review");

    /* The officer may not decide; the head must give the outcome. */
    assert_int_equal(run(&j, &officer, "approve", "{\"outcome\":\"同意\"}"), FZ_CONFLICT);
    assert_int_equal(j.x.status, 403);
    assert_int_equal(run(&j, &head, "approve", "{}"), FZ_INVALID);
    assert_int_equal(j.x.status, 400);
    assert_string_equal(j.x.field, "outcome");
    /* A field outside the action's form: 400. */
    assert_int_equal(run(&j, &head, "approve", "{\"outcome\":\"同意\",\"content\":\"改\"}"), FZ_INVALID);
    assert_string_equal(j.x.field, "content");
    state_of(j.id, st);
    assert_string_equal(st, "review");

    assert_int_equal(run(&j, &head, "approve", "{\"outcome\":\"同意\"}"), FZ_OK);
    state_of(j.id, st);
    assert_string_equal(st, "done");
    /* Created, submitted, approved: three events, each with the digest. */
    events_of(j.id, &n, &nd);
    assert_int_equal(n, 3);
    assert_int_equal(nd, 3);
    /* A final state takes no further step. */
    assert_int_equal(run(&j, &head, "approve", "{\"outcome\":\"不同意\"}"), FZ_CONFLICT);
    assert_int_equal(j.x.status, 409);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_requires_fields),
        cmocka_unit_test(test_guards_and_events),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
