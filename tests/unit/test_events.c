/* test_events.c: the SM3 event chain (engine/events.h): the exact canonical
 * bytes (written out by hand, so any change to the encoding fails here), the
 * hash recomputed independently with sm3(), appending through store_write
 * (lseq, prev_hash links, one chain per ledger, rollback with a failed job),
 * canonical payload JSON, and events_verify on a clean chain and after each
 * kind of tampering done behind the store's back with raw SQL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/log.h"
#include "core/sm.h"
#include "core/status.h"
#include "core/strbuf.h"
#include "engine/events.h"
#include "store/store.h"

#define ZERO64 "0000000000000000000000000000000000000000000000000000000000000000"
#define LA "110105000000" /* ledger A: 北京市朝阳区 */
#define LB "520502000000" /* ledger B: 毕节市七星关区 (sorts after A) */

static char g_dir[64];

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(p);
}

static int setup(void **state)
{
    snprintf(g_dir, sizeof(g_dir), "/tmp/fz-events-XXXXXX");
    return mkdtemp(g_dir) ? 0 : -1;
}

static int teardown(void **state)
{
    return nftw(g_dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static store *open_store(int no_writer)
{
    store_opts o = {.dir = g_dir, .no_writer = no_writer, .create = !no_writer};
    store *s = NULL;
    char err[512] = "";
    assert_int_equal(store_open(&o, &s, err, sizeof(err)), FZ_OK);
    return s;
}

/* ---- the canonical encoding ---- */

/* Every field set, region_code differing from the ledger, a negative integer. */
static const event FULL = {
    .ledger = LA, .lseq = 7, .at = INT64_C(1700000000123), .actor = "张三", .unit_id = -42,
    .region_code = "110105001000", .subject_kind = "case", .subject_id = "C-1",
    .action = "case.open", .from_state = "draft", .to_state = "open",
    .payload = "{\"a\":1}", .def_digest = "d1",
};
static const char FULL_BYTES[] =
    "FZEV1"
    "\x00\x00\x00\x0c" "110105000000"
    "\x00\x00\x00\x01" "7"
    "\x00\x00\x00\x0d" "1700000000123"
    "\x00\x00\x00\x06" "\xe5\xbc\xa0\xe4\xb8\x89" /* 张三 in UTF-8 */
    "\x00\x00\x00\x03" "-42"
    "\x00\x00\x00\x0c" "110105001000"
    "\x00\x00\x00\x04" "case"
    "\x00\x00\x00\x03" "C-1"
    "\x00\x00\x00\x09" "case.open"
    "\x00\x00\x00\x05" "draft"
    "\x00\x00\x00\x04" "open"
    "\x00\x00\x00\x07" "{\"a\":1}"
    "\x00\x00\x00\x02" "d1";

/* Optional fields NULL: strings encode as empty, region_code as the ledger,
 * payload as {}. */
static const event SPARSE = {.ledger = "000000000000", .lseq = 1, .at = 5, .action = "system.init"};
static const char SPARSE_BYTES[] =
    "FZEV1"
    "\x00\x00\x00\x0c" "000000000000"
    "\x00\x00\x00\x01" "1"
    "\x00\x00\x00\x01" "5"
    "\x00\x00\x00\x00"
    "\x00\x00\x00\x01" "0"
    "\x00\x00\x00\x0c" "000000000000"
    "\x00\x00\x00\x00"
    "\x00\x00\x00\x00"
    "\x00\x00\x00\x0b" "system.init"
    "\x00\x00\x00\x00"
    "\x00\x00\x00\x00"
    "\x00\x00\x00\x02" "{}"
    "\x00\x00\x00\x00";

static void expect_canonical(const event *e, const char *want, size_t len)
{
    strbuf b = STRBUF_INIT;
    event_canonical(e, &b);
    assert_true(strbuf_ok(&b));
    assert_int_equal(b.len, len);
    assert_memory_equal(b.data, want, len);
    strbuf_free(&b);
}

static void test_canonical_bytes(void **state)
{
    expect_canonical(&FULL, FULL_BYTES, sizeof(FULL_BYTES) - 1);
    expect_canonical(&SPARSE, SPARSE_BYTES, sizeof(SPARSE_BYTES) - 1);
}

static void unhex32(const char *hex, unsigned char out[SM3_LEN])
{
    for (int i = 0; i < SM3_LEN; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (unsigned char)v;
    }
}

/* SM3(raw prev_hash || canonical bytes), computed without events.c. */
static void independent_hash(const char *prev_hex, const char *canon, size_t len,
                             char out[SM3_HEX_LEN + 1])
{
    unsigned char *buf = malloc(SM3_LEN + len), d[SM3_LEN];
    assert_non_null(buf);
    unhex32(prev_hex, buf);
    memcpy(buf + SM3_LEN, canon, len);
    assert_int_equal(sm3(buf, SM3_LEN + len, d), FZ_OK);
    sm3_hex(d, out);
    free(buf);
}

static void test_hash_is_sm3_of_prev_and_canonical(void **state)
{
    static const char *const prevs[] = {
        ZERO64, "00112233445566778899aabbccddeeff0123456789abcdeffedcba9876543210"};
    for (size_t i = 0; i < 2; i++) {
        event e = FULL;
        snprintf(e.prev_hash, sizeof(e.prev_hash), "%s", prevs[i]);
        char got[SM3_HEX_LEN + 1], want[SM3_HEX_LEN + 1];
        assert_int_equal(event_hash(&e, got), FZ_OK);
        independent_hash(prevs[i], FULL_BYTES, sizeof(FULL_BYTES) - 1, want);
        assert_string_equal(got, want);
    }
    /* prev_hash must be 64 lower-case hex digits. */
    event e = FULL;
    char out[SM3_HEX_LEN + 1];
    snprintf(e.prev_hash, sizeof(e.prev_hash), "%s", "abc");
    assert_int_not_equal(event_hash(&e, out), FZ_OK);
    snprintf(e.prev_hash, sizeof(e.prev_hash), "AB%.62s", ZERO64); /* upper case */
    assert_int_not_equal(event_hash(&e, out), FZ_OK);
}

static void test_payload_text(void **state)
{
    json_t *j = json_pack("{s:i, s:{s:[i,i], s:s}, s:n, s:s}", "z", 1, "a", "y", 1, 2, "b", "法",
                          "m", "k", "引号\"与\\");
    assert_non_null(j);
    char *t = event_payload_text(j);
    assert_string_equal(t, "{\"a\":{\"b\":\"法\",\"y\":[1,2]},\"k\":\"引号\\\"与\\\\\",\"m\":null,\"z\":1}");
    free(t);
    json_decref(j);
    t = event_payload_text(NULL);
    assert_string_equal(t, "{}");
    free(t);
}

/* ---- appending ---- */

typedef struct append_job {
    event e;
    json_t *payload;
    int then_fail; /* append, then fail the job: the event must be rolled back */
} append_job;

static int job_append(store_conn *w, void *ctx)
{
    append_job *a = ctx;
    int rc = event_append(w, &a->e, a->payload);
    return rc ? rc : a->then_fail ? FZ_INVALID : FZ_OK;
}

static int append(store *s, const char *ledger, const char *actor, event *out)
{
    append_job a = {.e = {.ledger = ledger, .actor = actor, .unit_id = 3, .subject_kind = "case",
                          .subject_id = "C-9", .action = "case.transition",
                          .from_state = "open", .to_state = "closed"}};
    a.payload = json_pack("{s:s, s:i}", "note", "结案", "n", 1);
    int rc = store_write(s, job_append, &a);
    json_decref(a.payload);
    if (out)
        *out = a.e;
    return rc;
}

static int64_t count(store *s, const char *sql)
{
    store_stmt *st;
    assert_int_equal(store_prepare(store_reader(s), sql, &st), FZ_OK);
    assert_int_equal(store_step(st), STORE_ROW);
    int64_t n = store_col_int(st, 0);
    store_done(st);
    return n;
}

static void test_append_chains(void **state)
{
    store *s = open_store(0);
    event e[3];
    for (int i = 0; i < 3; i++) {
        assert_int_equal(append(s, LA, "李四", &e[i]), FZ_OK);
        assert_int_equal(e[i].lseq, i + 1);
        assert_int_equal(e[i].seq, i + 1);
        assert_true(e[i].at > 0);       /* 0 means now */
        assert_null(e[i].payload);      /* the text is freed on return */
        assert_int_equal(strlen(e[i].hash), SM3_HEX_LEN);
    }
    assert_string_equal(e[0].prev_hash, ZERO64);
    assert_string_equal(e[1].prev_hash, e[0].hash);
    assert_string_equal(e[2].prev_hash, e[1].hash);

    /* The stored row hashes to the stored hash, independently of events.c. */
    store_stmt *st;
    assert_int_equal(store_prepare(store_reader(s),
                                   "SELECT payload, region_code, prev_hash, hash FROM events WHERE seq = 2",
                                   &st), FZ_OK);
    assert_int_equal(store_step(st), STORE_ROW);
    assert_string_equal(store_col_text(st, 0), "{\"n\":1,\"note\":\"结案\"}");
    assert_string_equal(store_col_text(st, 1), LA);
    assert_string_equal(store_col_text(st, 2), e[0].hash);
    assert_string_equal(store_col_text(st, 3), e[1].hash);
    event c = e[1];
    c.payload = store_col_text(st, 0);
    strbuf b = STRBUF_INIT;
    event_canonical(&c, &b);
    char want[SM3_HEX_LEN + 1];
    independent_hash(e[0].hash, b.data, b.len, want);
    assert_string_equal(want, e[1].hash);
    strbuf_free(&b);
    store_done(st);

    int64_t lseq;
    char head[SM3_HEX_LEN + 1];
    assert_int_equal(events_head(store_reader(s), LA, &lseq, head), FZ_OK);
    assert_int_equal(lseq, 3);
    assert_string_equal(head, e[2].hash);
    assert_int_equal(events_head(store_reader(s), LB, &lseq, head), FZ_OK);
    assert_int_equal(lseq, 0);
    assert_string_equal(head, "");
    store_close(s);
}

static void test_ledgers_chain_independently(void **state)
{
    store *s = open_store(0);
    static const char *const order[] = {LA, LB, LA, LB, LB};
    static const int lseq[] = {1, 1, 2, 2, 3};
    event e[5];
    for (int i = 0; i < 5; i++) {
        assert_int_equal(append(s, order[i], "王五", &e[i]), FZ_OK);
        assert_int_equal(e[i].seq, i + 1); /* seq is global */
        assert_int_equal(e[i].lseq, lseq[i]);
    }
    assert_string_equal(e[1].prev_hash, ZERO64); /* B's first event */
    assert_string_equal(e[2].prev_hash, e[0].hash);
    assert_string_equal(e[3].prev_hash, e[1].hash);
    assert_string_equal(e[4].prev_hash, e[3].hash);

    verify_result r;
    assert_int_equal(events_verify(s, &r), FZ_OK);
    assert_true(r.ok);
    assert_int_equal(r.count, 5);
    assert_int_equal(r.nledgers, 2);
    assert_int_equal(r.bad_seq, 0);
    assert_string_equal(r.ledgers[0].ledger, LA);
    assert_int_equal(r.ledgers[0].count, 2);
    assert_string_equal(r.ledgers[0].head, e[2].hash);
    assert_string_equal(r.ledgers[1].ledger, LB);
    assert_int_equal(r.ledgers[1].count, 3);
    assert_string_equal(r.ledgers[1].head, e[4].hash);
    store_close(s);
}

static void test_append_rejects_and_rolls_back(void **state)
{
    store *s = open_store(0);
    static const struct {
        const char *ledger, *action;
    } bad[] = {{NULL, "x.y"}, {"", "x.y"}, {LA, NULL}, {LA, ""}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        append_job a = {.e = {.ledger = bad[i].ledger, .action = bad[i].action}};
        assert_int_equal(store_write(s, job_append, &a), FZ_INVALID);
    }
    assert_int_equal(count(s, "SELECT count(*) FROM events"), 0);
    assert_int_equal(count(s, "SELECT count(*) FROM ledgers"), 0);

    /* An event appended by a job that then fails vanishes with it, and the
     * chain continues from the last committed head. */
    event first, next;
    assert_int_equal(append(s, LA, "a", &first), FZ_OK);
    append_job a = {.e = {.ledger = LA, .action = "case.open"}, .then_fail = 1};
    assert_int_equal(store_write(s, job_append, &a), FZ_INVALID);
    assert_int_equal(count(s, "SELECT count(*) FROM events"), 1);
    assert_int_equal(append(s, LA, "a", &next), FZ_OK);
    assert_int_equal(next.lseq, 2);
    assert_string_equal(next.prev_hash, first.hash);
    verify_result r;
    assert_int_equal(events_verify(s, &r), FZ_OK);
    assert_true(r.ok);
    assert_int_equal(r.count, 2);
    store_close(s);
}

/* One job appending many events to two ledgers (an import): the heads are
 * written once, at the job's end, and are right. */
static int job_many(store_conn *w, void *ctx)
{
    for (int i = 0; i < 600; i++) {
        event e = {.ledger = i % 3 ? LA : LB, .actor = "导入", .subject_kind = "case", .subject_id = "C-1",
                   .action = "case.imported"};
        int rc = event_append(w, &e, NULL);
        if (rc)
            return rc;
        if (i == 599)
            memcpy(ctx, e.hash, SM3_HEX_LEN + 1);
    }
    return FZ_OK;
}

static void test_many_events_in_one_job(void **state)
{
    store *s = open_store(0);
    char last[SM3_HEX_LEN + 1];
    assert_int_equal(store_write(s, job_many, last), FZ_OK);
    int64_t lseq;
    char head[SM3_HEX_LEN + 1];
    assert_int_equal(events_head(store_reader(s), LA, &lseq, head), FZ_OK);
    assert_int_equal(lseq, 400);
    assert_string_equal(head, last); /* i = 599 went to LA */
    assert_int_equal(events_head(store_reader(s), LB, &lseq, head), FZ_OK);
    assert_int_equal(lseq, 200);
    event next;
    assert_int_equal(append(s, LB, "a", &next), FZ_OK);
    assert_int_equal(next.lseq, 201);
    verify_result r;
    assert_int_equal(events_verify(s, &r), FZ_OK);
    assert_true(r.ok);
    assert_int_equal(r.count, 601);
    store_close(s);
}

static void test_long_ledger_not_a_false_alarm(void **state)
{
    /* verify keeps ledger names in 32-byte buffers (verify_ledger.ledger);
     * a longer name that append accepted would make every later check of a
     * clean chain report tampering. Either append refuses it or verify passes. */
    store *s = open_store(0);
    static const char longl[] = "110105000000-this-ledger-name-is-too-long";
    int rc1 = append(s, longl, "a", NULL), rc2 = append(s, longl, "a", NULL);
    verify_result r;
    assert_int_equal(events_verify(s, &r), FZ_OK);
    store_close(s);
    if (rc1 == FZ_OK || rc2 == FZ_OK) {
        if (!r.ok)
            fprintf(stderr, "false alarm: bad_seq %lld: %s\n", (long long)r.bad_seq, r.reason);
        assert_true(r.ok);
    } else {
        assert_int_equal(rc1, FZ_INVALID);
        assert_int_equal(rc2, FZ_INVALID);
    }
}

static void test_verify_empty(void **state)
{
    store *s = open_store(0);
    verify_result r;
    assert_int_equal(events_verify(s, &r), FZ_OK);
    assert_true(r.ok);
    assert_int_equal(r.count, 0);
    assert_int_equal(r.nledgers, 0);
    store_close(s);
}

/* ---- tampering ---- */

/* Ledger A: seq 1..5 (lseq 1..5); ledger B: seq 6..7 (lseq 1..2). */
static event g_ev[8];

static void build_chain(void)
{
    store *s = open_store(0);
    for (int i = 1; i <= 7; i++)
        assert_int_equal(append(s, i <= 5 ? LA : LB, "赵六", &g_ev[i]), FZ_OK);
    store_close(s);
}

static void tamper(const char *sql)
{
    char path[128];
    sqlite3 *db = NULL;
    snprintf(path, sizeof(path), "%s/fazhi.db", g_dir);
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_changes(db), 1);
    sqlite3_close(db);
}

/* Verifies read-only, as `fazhi verify` does, and expects a break at bad_seq
 * with a reason containing word. */
static void expect_broken(int64_t bad_seq, const char *word)
{
    store *s = open_store(1);
    verify_result r;
    assert_int_equal(events_verify(s, &r), FZ_OK);
    store_close(s);
    assert_false(r.ok);
    assert_int_equal(r.bad_seq, bad_seq);
    assert_non_null(strstr(r.reason, "账本"));
    if (!strstr(r.reason, word))
        fprintf(stderr, "reason: %s\n", r.reason);
    assert_non_null(strstr(r.reason, word));
}

static void test_verify_clean_chain(void **state)
{
    build_chain();
    store *s = open_store(1);
    verify_result r;
    assert_int_equal(events_verify(s, &r), FZ_OK);
    store_close(s);
    assert_true(r.ok);
    assert_int_equal(r.count, 7);
    assert_int_equal(r.bad_seq, 0);
    assert_string_equal(r.reason, "");
    assert_int_equal(r.nledgers, 2);
    assert_int_equal(r.ledgers[0].count, 5);
    assert_string_equal(r.ledgers[0].head, g_ev[5].hash);
    assert_int_equal(r.ledgers[1].count, 2);
    assert_string_equal(r.ledgers[1].head, g_ev[7].hash);
}

static void test_tamper_payload(void **state)
{
    build_chain();
    tamper("UPDATE events SET payload = '{\"n\":2,\"note\":\"结案\"}' WHERE seq = 3");
    expect_broken(3, "篡改");
}

static void test_tamper_actor_in_second_ledger(void **state)
{
    build_chain();
    tamper("UPDATE events SET actor = '某人' WHERE seq = 7");
    expect_broken(7, "篡改");
}

static void test_tamper_rehashed_event(void **state)
{
    /* A forger who also recomputes the edited event's hash breaks the link
     * from the next event instead. */
    build_chain();
    event e = g_ev[3];
    e.actor = "伪造者";
    e.payload = "{\"n\":1,\"note\":\"结案\"}";
    char h[SM3_HEX_LEN + 1], sql[256];
    assert_int_equal(event_hash(&e, h), FZ_OK);
    snprintf(sql, sizeof(sql), "UPDATE events SET actor = '伪造者', hash = '%s' WHERE seq = 3", h);
    tamper(sql);
    expect_broken(4, "前序哈希");
}

static void test_tamper_delete_middle(void **state)
{
    build_chain();
    tamper("DELETE FROM events WHERE seq = 3");
    expect_broken(4, "不连续");
}

static void test_tamper_delete_last(void **state)
{
    build_chain();
    tamper("DELETE FROM events WHERE seq = 5");
    expect_broken(4, "链头"); /* the chain now ends at seq 4, the head says 5 */
}

static void test_tamper_ledger_head(void **state)
{
    build_chain();
    char sql[256];
    snprintf(sql, sizeof(sql), "UPDATE ledgers SET head = '%s' WHERE ledger = '%s'", g_ev[4].hash, LA);
    tamper(sql);
    expect_broken(5, "链头");
}

/* ---- a long chain: verify reads it in batches hashed on a second thread ---- */

typedef struct long_job {
    int n;
} long_job;

static int job_long(store_conn *w, void *ctx)
{
    long_job *m = ctx;
    static const char *const ledgers[] = {LA, LB, "532624000000"};
    for (int i = 0; i < m->n; i++) {
        event e = {.ledger = ledgers[i % 3], .actor = "赵六", .unit_id = 3, .subject_kind = "case",
                   .subject_id = "C-9", .action = "case.comment"};
        json_t *payload = json_pack("{s:i}", "i", i);
        int rc = event_append(w, &e, payload);
        json_decref(payload);
        if (rc)
            return rc;
    }
    return FZ_OK;
}

static void build_long_chain(int n)
{
    store *s = open_store(0);
    long_job m = {n};
    assert_int_equal(store_write(s, job_long, &m), FZ_OK);
    store_close(s);
}

static void test_verify_long_chain(void **state)
{
    build_long_chain(10000);
    store *s = open_store(1);
    verify_result r;
    assert_int_equal(events_verify(s, &r), FZ_OK);
    store_close(s);
    assert_true(r.ok);
    assert_int_equal(r.count, 10000);
    assert_int_equal(r.nledgers, 3);
    /* in ledger name order */
    assert_true(strcmp(r.ledgers[0].ledger, r.ledgers[1].ledger) < 0);
    assert_true(strcmp(r.ledgers[1].ledger, r.ledgers[2].ledger) < 0);
    assert_int_equal(r.ledgers[0].count + r.ledgers[1].count + r.ledgers[2].count, 10000);
}

static void test_long_chain_first_break_wins(void **state)
{
    /* a changed payload in the second batch and a broken link in the third:
     * the earlier one (by seq) is reported, with the events before it counted */
    build_long_chain(10000);
    tamper("UPDATE events SET payload = '{\"i\":-1}' WHERE seq = 6000");
    tamper("UPDATE events SET prev_hash = hash WHERE seq = 8300");
    expect_broken(6000, "篡改");
    store *s = open_store(1);
    verify_result r;
    assert_int_equal(events_verify(s, &r), FZ_OK);
    store_close(s);
    assert_int_equal(r.count, 5999);
}

static void test_long_chain_hash_before_link_in_one_batch(void **state)
{
    build_long_chain(10000);
    tamper("UPDATE events SET payload = '{\"i\":-1}' WHERE seq = 9100");
    tamper("UPDATE events SET prev_hash = hash WHERE seq = 9200");
    expect_broken(9100, "篡改");
}

static void test_long_chain_link_alone(void **state)
{
    build_long_chain(10000);
    tamper("UPDATE events SET prev_hash = hash WHERE seq = 8300");
    expect_broken(8300, "前序哈希");
}

int main(void)
{
    log_setup(LOG_OFF, 2, 2);
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canonical_bytes),
        cmocka_unit_test(test_hash_is_sm3_of_prev_and_canonical),
        cmocka_unit_test(test_payload_text),
        T(test_append_chains),
        T(test_ledgers_chain_independently),
        T(test_append_rejects_and_rolls_back),
        T(test_many_events_in_one_job),
        T(test_long_ledger_not_a_false_alarm),
        T(test_verify_empty),
        T(test_verify_clean_chain),
        T(test_tamper_payload),
        T(test_tamper_actor_in_second_ledger),
        T(test_tamper_rehashed_event),
        T(test_tamper_delete_middle),
        T(test_tamper_delete_last),
        T(test_tamper_ledger_head),
        T(test_verify_long_chain),
        T(test_long_chain_first_break_wins),
        T(test_long_chain_hash_before_link_in_one_batch),
        T(test_long_chain_link_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
