/* test_clock.c: statutory clocks (engine/clock.h), the scheduler pass
 * (engine/scheduler.h) and schedule imports (engine/holidays.h) on a real
 * store in a temp directory, with the shipped 2024-2026 schedules and a
 * fixed "today" passed to every operation (no clock is read, nothing is
 * timed). Each expected date says why it is right; see the schedule summary
 * at the top of test_calendar.c and the examples in docs/deadlines.md. */
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

#include "core/calfile.h"
#include "core/status.h"
#include "core/timeutil.h"
#include "engine/clock.h"
#include "engine/events.h"
#include "engine/holidays.h"
#include "engine/scheduler.h"
#include "store/store.h"

#define LEDGER "532624000000"

static char g_dir[64];
static store *S;

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(p);
}

static void open_store(void)
{
    store_opts o = {.dir = g_dir, .batch_max = 8, .create = 1};
    char err[512] = "";
    if (store_open(&o, &S, err, sizeof(err)) != FZ_OK)
        fail_msg("store_open: %s", err);
}

static int64_t D(const char *s)
{
    int y, m, d;
    if (date_parse(s, &y, &m, &d) != FZ_OK)
        fail_msg("bad test date %s", s);
    return days_from_civil(y, m, d);
}

static int setup(void **state)
{
    snprintf(g_dir, sizeof(g_dir), "/tmp/fz-clock-XXXXXX");
    if (!mkdtemp(g_dir))
        return -1;
    open_store();
    holidays_import_job seed = {.ledger = LEDGER, .actor = "system", .today = D("2024-01-01")};
    if (store_write(S, holidays_seed_job, &seed) != FZ_OK || seed.imported != 3)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    store_close(S);
    S = NULL;
    holidays_cache_clear();
    return nftw(g_dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* ---- running operations as write jobs ---- */

enum { OP_START, OP_PAUSE, OP_RESUME, OP_EXTEND, OP_STOP, OP_TICK };

typedef struct job {
    int op;
    int64_t today, id, day;
    clock_def def;
    const char *reason;
    int restart;
    dl_rule amount;
    const char *const *roles;
    int nroles;
    clock_ctx x;
} job;

static int job_fn(store_conn *w, void *ctx)
{
    job *j = ctx;
    hol_ref *ref;
    int rc = holidays_acquire(w, &ref);
    if (rc)
        return rc;
    j->x = (clock_ctx){.ledger = LEDGER, .actor = "tester", .cal = holidays_cal(ref), .today = j->today,
                       .roles = j->roles, .nroles = j->nroles};
    switch (j->op) {
    case OP_START:
        rc = clock_start(w, &j->x, &j->def, j->day, &j->id);
        break;
    case OP_PAUSE:
        rc = clock_pause(w, &j->x, j->id, j->reason, "", j->day);
        break;
    case OP_RESUME:
        rc = clock_resume(w, &j->x, j->id, j->day, j->restart);
        break;
    case OP_EXTEND:
        rc = clock_extend(w, &j->x, j->id, j->amount, "测试", j->day);
        break;
    case OP_STOP:
        rc = clock_stop(w, &j->x, j->id, j->day, "办结");
        break;
    default:
        rc = clock_tick(w, &j->x, 500);
        break;
    }
    holidays_release(ref);
    return rc;
}

static int run(job *j)
{
    return store_write(S, job_fn, j);
}

static dl_rule R(const char *s)
{
    dl_rule r;
    if (dl_rule_parse(s, &r, NULL) != FZ_OK)
        fail_msg("bad rule %s", s);
    return r;
}

/* Starts a clock on subject id `sid` with rule, roll, warn ("" = none) and
 * extension cap ("" = none); today = start. */
static int64_t start(const char *sid, const char *rule, int roll, const char *warn, const char *ext, int times,
                     const char *role, const char *day)
{
    job j = {.op = OP_START, .today = D(day), .day = D(day)};
    j.def = (clock_def){.subject_kind = "test_case", .subject_id = sid, .name = "reply", .label = "答复期限",
                        .basis = "测试", .unit_id = 1, .handler_id = 7, .limit = R(rule), .roll = roll,
                        .ext_times = times, .ext_role = role};
    if (*warn) {
        j.def.has_warn = 1;
        j.def.warn = R(warn);
    }
    if (*ext)
        j.def.ext_max = R(ext).n;
    int rc = run(&j);
    if (rc)
        fail_msg("start %s: %d %s", sid, rc, j.x.why);
    return j.id;
}

static clock_row load(int64_t id)
{
    clock_row r;
    assert_int_equal(clock_load(store_reader(S), id, &r), FZ_OK);
    return r;
}

static void assert_due(int64_t id, const char *want, const char *state)
{
    clock_row r = load(id);
    char got[11];
    clock_day_text(r.due, got);
    if (strcmp(got, want) != 0 || strcmp(r.state, state) != 0)
        fail_msg("clock %lld: due %s state %s, want %s %s", (long long)id, got, r.state, want, state);
}

static int op(int opc, int64_t id, const char *day, const char *today, job *out)
{
    job j = {.op = opc, .id = id, .day = D(day), .today = D(today), .reason = "third_party"};
    if (out) {
        j.reason = out->reason ? out->reason : j.reason;
        j.restart = out->restart;
        j.amount = out->amount;
        j.roles = out->roles;
        j.nroles = out->nroles;
    }
    int rc = run(&j);
    if (out)
        *out = j;
    return rc;
}

static int64_t count(const char *sql, const char *arg)
{
    int64_t n = -1;
    assert_int_equal(store_query_int(store_reader(S), &n, 0, sql, "s", arg), FZ_OK);
    return n;
}

/* ---- tests ---- */

/* 条例 Art.33: 20wd from 2024-09-20 is 2024-10-23 (test_calendar.c); with a
 * 5wd warning the clock is warned from 10/16. */
static void test_start(void **state)
{
    int64_t id = start("s1", "20wd", 0, "5wd", "", 0, "", "2024-09-20");
    assert_due(id, "2024-10-23", "running");
    clock_row r = load(id);
    char w[11];
    clock_day_text(r.warn_date, w);
    assert_string_equal(w, "2024-10-16");
    assert_int_equal(r.provisional, 0);
    assert_int_equal(count("SELECT count(*) FROM events WHERE action = ?", "clock.started"), 1);
    /* Same subject and name twice: conflict. */
    job j = {.op = OP_START, .today = D("2024-09-20"), .day = D("2024-09-20")};
    j.def = (clock_def){.subject_kind = "test_case", .subject_id = "s1", .name = "reply", .limit = R("20wd")};
    assert_int_equal(run(&j), FZ_CONFLICT);
    /* A start in the future, and roll on a working-day rule, are refused naming the field. */
    j.def.subject_id = "s1b";
    j.day = D("2024-09-21");
    assert_int_equal(run(&j), FZ_INVALID);
    assert_string_equal(j.x.field, "start");
    j.day = D("2024-09-20");
    j.def.roll = 1;
    assert_int_equal(run(&j), FZ_INVALID);
    assert_string_equal(j.x.field, "roll");
}

/* Paused Fri 2024-09-27 for a third party's opinion (条例 Art.33 ¶3),
 * resumed Thu 10/10: five working days excluded (9/29 班, 9/30, 10/8, 10/9,
 * 10/10), so 10/23 becomes 10/30. */
static void test_pause_resume_across_national_day(void **state)
{
    int64_t id = start("s2", "20wd", 0, "5wd", "", 0, "", "2024-09-20");
    assert_int_equal(op(OP_PAUSE, id, "2024-09-27", "2024-09-27", NULL), FZ_OK);
    assert_due(id, "2024-10-23", "paused");
    job j = {0};
    /* Paused already: a second pause is a conflict. */
    assert_int_equal(op(OP_PAUSE, id, "2024-09-30", "2024-09-30", &j), FZ_CONFLICT);
    /* Resuming before the pause began: the date is refused. */
    assert_int_equal(op(OP_RESUME, id, "2024-09-26", "2024-10-10", &j), FZ_INVALID);
    assert_string_equal(j.x.field, "date");
    assert_int_equal(op(OP_RESUME, id, "2024-10-10", "2024-10-10", NULL), FZ_OK);
    assert_due(id, "2024-10-30", "running");
    /* On 10/23 five working days are left (10/24, 10/25, 10/28, 10/29,
     * 10/30): at the 5wd threshold, so the pass marks it warned. */
    job t = {.op = OP_TICK, .today = D("2024-10-23")};
    assert_int_equal(run(&t), FZ_OK);
    assert_due(id, "2024-10-30", "warned");
    assert_int_equal(count("SELECT count(*) FROM clock_pauses WHERE reason = ?", "third_party"), 1);
}

/* 条例 Art.30: after 补正 the reply period runs again from receipt. 20wd
 * from 2024-09-20, paused for 补正 on 9/24, the corrected application
 * received 10/9: counting restarts after 10/9: 10/10, 10/11, Sat 10/12 (班),
 * 10/14-10/18, 10/21-10/25, 10/28-11/1, 11/4, 11/5 -> 2024-11-05. */
static void test_restart_after_correction(void **state)
{
    int64_t id = start("s3", "20wd", 0, "", "", 0, "", "2024-09-20");
    job j = {.reason = "correction"};
    assert_int_equal(op(OP_PAUSE, id, "2024-09-24", "2024-09-24", &j), FZ_OK);
    j = (job){.restart = 1};
    assert_int_equal(op(OP_RESUME, id, "2024-10-09", "2024-10-09", &j), FZ_OK);
    assert_due(id, "2024-11-05", "running");
    /* Restarting is only for 补正: after a hearing it is refused. */
    int64_t id2 = start("s3b", "20wd", 0, "", "", 0, "", "2024-09-20");
    j = (job){.reason = "hearing"};
    assert_int_equal(op(OP_PAUSE, id2, "2024-09-24", "2024-09-24", &j), FZ_OK);
    j = (job){.restart = 1};
    assert_int_equal(op(OP_RESUME, id2, "2024-10-09", "2024-10-09", &j), FZ_INVALID);
    assert_string_equal(j.x.field, "restart");
}

/* 行政许可法 Art.42: 20wd, extendable once by 10wd with the head's approval.
 * From Mon 2025-01-20: 1/21-1/24, Sun 1/26 (班), 1/27, 春节 1/28-2/4, 2/5-2/7,
 * Sat 2/8 (班), 2/10-2/14, 2/17-2/21 -> 2025-02-21; +10: 2/24-2/28, 3/3-3/7
 * -> 2025-03-07. */
static void test_extension_once(void **state)
{
    static const char *const head[] = {"unit_head"}, *const officer[] = {"officer"};
    int64_t id = start("s4", "20wd", 0, "", "10wd", 1, "unit_head", "2025-01-20");
    assert_due(id, "2025-02-21", "running");
    /* An officer may not approve it: refused as forbidden. */
    job j = {.amount = R("10wd"), .roles = officer, .nroles = 1};
    assert_int_equal(op(OP_EXTEND, id, "2025-02-17", "2025-02-17", &j), FZ_CONFLICT);
    assert_int_equal(j.x.forbidden, 1);
    /* In calendar days: the unit must match the rule's. */
    j = (job){.amount = R("10d"), .roles = head, .nroles = 1};
    assert_int_equal(op(OP_EXTEND, id, "2025-02-17", "2025-02-17", &j), FZ_INVALID);
    /* More than the cap. */
    j = (job){.amount = R("11wd"), .roles = head, .nroles = 1};
    assert_int_equal(op(OP_EXTEND, id, "2025-02-17", "2025-02-17", &j), FZ_CONFLICT);
    assert_non_null(strstr(j.x.why, "超过上限"));
    j = (job){.amount = R("10wd"), .roles = head, .nroles = 1};
    assert_int_equal(op(OP_EXTEND, id, "2025-02-17", "2025-02-17", &j), FZ_OK);
    assert_due(id, "2025-03-07", "running");
    /* Once only. */
    j = (job){.amount = R("1wd"), .roles = head, .nroles = 1};
    assert_int_equal(op(OP_EXTEND, id, "2025-02-18", "2025-02-18", &j), FZ_CONFLICT);
    assert_non_null(strstr(j.x.why, "最多只能延长 1 次"));
    clock_row r = load(id);
    assert_int_equal(r.extended, 10);
    assert_int_equal(r.ext_count, 1);
}

/* 行政复议法 Art.62: 60 days, extendable by at most 30 days; the 复议法 points
 * to 民诉法 for the rest, so the last day rolls. From 2025-08-04: +60 = 10/3,
 * inside 国庆+中秋 10/1-10/8 -> Thu 10/9. Extended twice (cap 30 days, at
 * most 2 times): +20 and +10 = 90 days = Sun 11/2 -> Mon 11/3. A third is
 * refused, as is anything over the cap. */
static void test_extension_cap_calendar_days(void **state)
{
    int64_t id = start("s5", "60d", 1, "", "30d", 2, "", "2025-08-04");
    assert_due(id, "2025-10-09", "running");
    job j = {.amount = R("20d")};
    assert_int_equal(op(OP_EXTEND, id, "2025-09-30", "2025-09-30", &j), FZ_OK);
    j = (job){.amount = R("11d")};
    assert_int_equal(op(OP_EXTEND, id, "2025-10-09", "2025-10-09", &j), FZ_CONFLICT); /* 20 + 11 > 30 */
    j = (job){.amount = R("10d")};
    assert_int_equal(op(OP_EXTEND, id, "2025-10-09", "2025-10-09", &j), FZ_OK);
    assert_due(id, "2025-11-03", "running");
    j = (job){.amount = R("1d")};
    assert_int_equal(op(OP_EXTEND, id, "2025-10-10", "2025-10-10", &j), FZ_CONFLICT);
    /* A clock without an extension rule cannot be extended. */
    int64_t id2 = start("s5b", "15d", 1, "", "", 0, "", "2025-08-04");
    j = (job){.amount = R("5d")};
    assert_int_equal(op(OP_EXTEND, id2, "2025-08-05", "2025-08-05", &j), FZ_CONFLICT);
    /* Nor one whose period has run out: 5wd from 2025-08-04 ends 8/11. */
    int64_t id3 = start("s5c", "5wd", 0, "", "5wd", 1, "", "2025-08-04");
    j = (job){.amount = R("5wd")};
    assert_int_equal(op(OP_EXTEND, id3, "2025-08-12", "2025-08-12", &j), FZ_CONFLICT);
    assert_non_null(strstr(j.x.why, "届满"));
}

/* Time passing: warned on the warn date, overdue the day after the due date;
 * each transition once, with one notification; repeating a pass changes
 * nothing (idempotent). */
static void test_scheduler_idempotent(void **state)
{
    int64_t id = start("s6", "20wd", 0, "5wd", "", 0, "", "2024-09-20");
    const char *const days[] = {"2024-10-15", "2024-10-16", "2024-10-16", "2024-10-23", "2024-10-24", "2024-10-24"};
    const char *const want[] = {"running", "warned", "warned", "warned", "overdue", "overdue"};
    const int64_t notes[] = {0, 1, 1, 1, 2, 2};
    for (int i = 0; i < 6; i++) {
        int changed = -1;
        assert_int_equal(scheduler_run(S, LEDGER, D(days[i]), &changed), FZ_OK);
        assert_due(id, "2024-10-23", want[i]);
        char sid[8];
        snprintf(sid, sizeof(sid), "%s", "s6");
        assert_int_equal(count("SELECT count(*) FROM notifications WHERE subject_id = ?", sid), notes[i]);
    }
    assert_int_equal(count("SELECT count(*) FROM events WHERE action = ? AND subject_id = 's6'", "clock.warned"), 1);
    assert_int_equal(count("SELECT count(*) FROM events WHERE action = ? AND subject_id = 's6'", "clock.overdue"), 1);
    /* The notifications go to the handler. */
    assert_int_equal(count("SELECT count(*) FROM notifications WHERE subject_id = 's6' AND user_id = 7 AND kind = ?",
                           "overdue"), 1);
    /* Pausing an overdue clock is refused: the period is over. */
    assert_int_equal(op(OP_PAUSE, id, "2024-10-24", "2024-10-24", NULL), FZ_CONFLICT);
    /* Stopped late. */
    assert_int_equal(op(OP_STOP, id, "2024-10-25", "2024-10-25", NULL), FZ_OK);
    assert_due(id, "2024-10-23", "stopped_late");
    /* Stopped clocks are left alone, and further operations refused. */
    assert_int_equal(scheduler_run(S, LEDGER, D("2024-12-01"), NULL), FZ_OK);
    assert_due(id, "2024-10-23", "stopped_late");
    assert_int_equal(op(OP_RESUME, id, "2024-10-25", "2024-10-25", NULL), FZ_CONFLICT);
}

/* Stopping in time, and stopping during a pause (the pause closes at the stop). */
static void test_stop(void **state)
{
    int64_t id = start("s7", "20wd", 0, "", "", 0, "", "2024-09-20");
    assert_int_equal(op(OP_STOP, id, "2024-10-23", "2024-10-23", NULL), FZ_OK);
    assert_due(id, "2024-10-23", "stopped_in_time");
    int64_t id2 = start("s7b", "5wd", 0, "", "", 0, "", "2024-09-20");
    job j = {.reason = "appraisal"};
    assert_int_equal(op(OP_PAUSE, id2, "2024-09-24", "2024-09-24", &j), FZ_OK);
    /* Five working days from 9/20 would end 9/27; the appraisal from 9/24
     * to the stop on 10/9 excludes 9/25-9/27, 9/29, 9/30, 10/8, 10/9 (7),
     * so the stop on 10/9 is in time. */
    assert_int_equal(op(OP_STOP, id2, "2024-10-09", "2024-10-09", NULL), FZ_OK);
    clock_row r = load(id2);
    assert_string_equal(r.state, "stopped_in_time");
    /* Dates after today are refused. */
    int64_t id3 = start("s7c", "5wd", 0, "", "", 0, "", "2024-09-20");
    j = (job){0};
    assert_int_equal(op(OP_STOP, id3, "2024-09-23", "2024-09-20", &j), FZ_INVALID);
    assert_string_equal(j.x.field, "date");
}

/* 3 months from 2024-08-31 with the rolling rule end Sat 11/30 -> Mon 12/2;
 * a hearing paused it from 9/10 to 9/20 (10 days): 12/10 (Tue). */
static void test_months_with_pause(void **state)
{
    int64_t id = start("s8", "3m", 1, "", "", 0, "", "2024-08-31");
    assert_due(id, "2024-12-02", "running");
    job j = {.reason = "hearing"};
    assert_int_equal(op(OP_PAUSE, id, "2024-09-10", "2024-09-10", &j), FZ_OK);
    assert_int_equal(op(OP_RESUME, id, "2024-09-20", "2024-09-20", NULL), FZ_OK);
    assert_due(id, "2024-12-10", "running");
}

/* A deadline reaching into 2027 (no schedule) is provisional; importing a
 * 2027 schedule recomputes it and records clock.recomputed. 20wd from Mon
 * 2026-12-21: 12/22-12/25, 12/28-12/31 (8), then by weekends only 1/1 (9),
 * 1/4-1/8, 1/11-1/15, 1/18 -> 2027-01-18, provisional. The test schedule
 * (NOT the official 2027 one, which is not yet published) makes 1/1 a
 * holiday, so the 9th working day is 1/4 and the deadline 1/19. */
static void test_import_recomputes_open_clocks(void **state)
{
    int64_t id = start("s9", "20wd", 0, "", "", 0, "", "2026-12-21");
    assert_due(id, "2027-01-18", "running");
    assert_int_equal(load(id).provisional, 1);
    int64_t stopped = start("s9b", "20wd", 0, "", "", 0, "", "2026-12-21");
    assert_int_equal(op(OP_STOP, stopped, "2026-12-22", "2026-12-22", NULL), FZ_OK);
    const char *text = "date,kind,name\n# source: 测试用，非官方安排\n2027-01-01,休,元旦\n";
    calfile f;
    char err[400];
    assert_int_equal(calfile_parse(text, strlen(text), &f, err, sizeof(err)), FZ_OK);
    holidays_import_job j = {.ledger = LEDGER, .actor = "tester", .file = &f, .origin = "import",
                             .today = D("2026-12-22"), .check_range = 1};
    assert_int_equal(store_write(S, holidays_import_job_fn, &j), FZ_OK);
    assert_int_equal(j.imported, 1);
    assert_int_equal(j.clocks_changed, 1); /* s9 only: s9b is stopped */
    assert_due(id, "2027-01-19", "running");
    assert_int_equal(load(id).provisional, 0);
    assert_int_equal(count("SELECT count(*) FROM events WHERE action = ?", "clock.recomputed"), 1);
    assert_int_equal(count("SELECT count(*) FROM events WHERE action = 'calendar.imported' AND subject_id = ?", "2027"), 1);
    /* The same file again: unchanged, nothing recorded. */
    assert_int_equal(store_write(S, holidays_import_job_fn, &j), FZ_OK);
    assert_int_equal(j.imported, 0);
    assert_int_equal(j.unchanged, 1);
    assert_int_equal(count("SELECT count(*) FROM events WHERE action = 'calendar.imported' AND subject_id = ?", "2027"), 1);
    calfile_free(&f);
    /* A year far outside the loaded range (now 2024-2027) is refused whole. */
    const char *far = "date,kind,name\n2030-01-01,休,元旦\n";
    assert_int_equal(calfile_parse(far, strlen(far), &f, err, sizeof(err)), FZ_OK);
    j.file = &f;
    assert_int_equal(store_write(S, holidays_import_job_fn, &j), FZ_INVALID);
    assert_non_null(strstr(j.err, "2030 年远在已加载的日历（2024–2027 年）之外"));
    assert_int_equal(count("SELECT count(*) FROM holiday_years WHERE year = 2030 AND source <> ?", ""), 0);
    calfile_free(&f);
    /* The calendar in force now has 2027 as official. */
    hol_ref *ref;
    assert_int_equal(holidays_acquire(store_reader(S), &ref), FZ_OK);
    assert_true(cal_year_official(holidays_cal(ref), 2027));
    assert_int_equal(cal_is_workday(holidays_cal(ref), D("2027-01-01")), 0);
    holidays_release(ref);
}

/* State lives in the store: after closing and reopening, the next pass picks
 * up where the last left off, and the chain still verifies. */
static void test_survives_restart(void **state)
{
    int64_t id = start("s10", "5wd", 0, "2wd", "", 0, "", "2024-09-20");
    assert_int_equal(scheduler_run(S, LEDGER, D("2024-09-25"), NULL), FZ_OK);
    assert_due(id, "2024-09-27", "warned"); /* 9/26, 9/27 left: two */
    store_close(S);
    holidays_cache_clear();
    open_store();
    assert_due(id, "2024-09-27", "warned");
    assert_int_equal(scheduler_run(S, LEDGER, D("2024-09-30"), NULL), FZ_OK);
    assert_due(id, "2024-09-27", "overdue");
    assert_int_equal(count("SELECT count(*) FROM notifications WHERE subject_id = ?", "s10"), 2);
    verify_result vr;
    assert_int_equal(events_verify(S, &vr), FZ_OK);
    assert_true(vr.ok);
}

/* The JSON the API shows. */
static void test_json(void **state)
{
    int64_t id = start("s11", "20wd", 0, "5wd", "20wd", 1, "unit_head", "2024-09-20");
    clock_row r = load(id);
    hol_ref *ref;
    assert_int_equal(holidays_acquire(store_reader(S), &ref), FZ_OK);
    json_t *o = clock_json(&r, holidays_cal(ref), D("2024-10-21"));
    holidays_release(ref);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "due")), "2024-10-23");
    assert_string_equal(json_string_value(json_object_get(o, "limit")), "20wd");
    /* On 10/21, left: 10/22 and 10/23. */
    assert_int_equal(json_integer_value(json_object_get(o, "remaining")), 2);
    assert_string_equal(json_string_value(json_object_get(json_object_get(o, "extend"), "max")), "20wd");
    assert_false(json_is_true(json_object_get(o, "provisional")));
    json_decref(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_start, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pause_resume_across_national_day, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restart_after_correction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_extension_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_extension_cap_calendar_days, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scheduler_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_months_with_pause, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_recomputes_open_clocks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_survives_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
