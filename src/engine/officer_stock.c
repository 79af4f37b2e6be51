/* officer_stock.c: the 执法人员 stock timeline per unit (officer_stock.h).
 * One function turns a unit's officer versions into its rows (deltas on the
 * days where a version starts or ends, a certificate is issued or expires, a
 * year begins for the training hours; summed in day order, a row where the
 * sums change); the start-up build, the recompute and its --check, and the
 * rebuild of the units a write job touched all go through it. */
#include "engine/officer_stock.h"
#include "engine/officers.h"
#include "engine/scan.h"
#include "store/store.h"
#include "core/status.h"
#include "core/timeutil.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NO_END INT64_MAX
#define STAMP_KEY "officer_stock"

static int g_hours = 60;

void stock_configure(int required_hours)
{
    g_hours = required_hours;
}

int stock_configured_hours(void)
{
    return g_hours;
}

int stock_table_create(store_conn *w)
{
    /* The covering index lets SQLite read a unit's rows from the index
     * alone; the primary key is what logical replication identifies a row
     * by on PostgreSQL. */
    return store_exec(w, "CREATE TABLE IF NOT EXISTS officer_stock (unit_id INTEGER NOT NULL, day INTEGER NOT NULL,"
                         " officers INTEGER NOT NULL, certified INTEGER NOT NULL, met INTEGER NOT NULL,"
                         " PRIMARY KEY (unit_id, day));"
                         "CREATE INDEX IF NOT EXISTS officer_stock_read ON officer_stock"
                         " (unit_id, day, officers, certified, met)");
}

int64_t stock_local_day(int64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    return days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

static int parse_day(const char *s, int64_t *day)
{
    int y, m, d;
    if (!s || date_parse(s, &y, &m, &d) != FZ_OK)
        return 0;
    *day = days_from_civil(y, m, d);
    return 1;
}

/* ---- the stamp ---- */

static int parse_stamp(const char *stamp, int *hours, int64_t ids[2])
{
    long long a, b;
    return stamp && sscanf(stamp, "v1 %d %lld %lld", hours, &a, &b) == 3 && (ids[0] = a, ids[1] = b, 1);
}

int stock_usable(const char *stamp, const int64_t gen[2], int required_hours)
{
    int hours;
    int64_t ids[2];
    return parse_stamp(stamp, &hours, ids) && hours == required_hours && ids[0] == gen[0] && ids[1] == gen[1];
}

/* The newest version ids of both catalogs and the stamp (stamp[0] = 0 when
 * absent). */
static int read_ids(store_conn *c, int64_t ids[2], char *stamp, size_t n)
{
    store_stmt *st;
    int rc = store_prepare(c,
                           "SELECT (SELECT coalesce(max(id), 0) FROM cat_officers),"
                           " (SELECT coalesce(max(id), 0) FROM cat_officer_trainings),"
                           " (SELECT value FROM meta WHERE key = '" STAMP_KEY "')",
                           &st);
    if (rc)
        return rc;
    rc = store_step(st);
    if (rc == STORE_ROW) {
        ids[0] = store_col_int(st, 0);
        ids[1] = store_col_int(st, 1);
        snprintf(stamp, n, "%s", store_col_is_null(st, 2) ? "" : store_col_text(st, 2));
    }
    store_done(st);
    return rc == STORE_ROW ? FZ_OK : FZ_ERR;
}

static int write_stamp(store_conn *w, int hours)
{
    int64_t ids[2];
    char old[64];
    int rc = read_ids(w, ids, old, sizeof(old));
    if (rc)
        return rc;
    char v[64];
    snprintf(v, sizeof(v), "v1 %d %" PRId64 " %" PRId64, hours, ids[0], ids[1]);
    return store_run(w,
                     "INSERT INTO meta (key, value) VALUES ('" STAMP_KEY "', ?)"
                     " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                     "s", v);
}

/* ---- building a unit's rows ---- */

/* The (cert_no, year) whose current trainings reach the hours, sorted. */
typedef struct met_key {
    char *cert_no;
    int64_t year;
} met_key;

typedef struct met_set {
    met_key *v;
    size_t n, cap;
} met_set;

static void met_free(met_set *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->v[i].cert_no);
    free(m->v);
    *m = (met_set){0};
}

static int met_cmp(const void *a, const void *b)
{
    const met_key *x = a, *y = b;
    int c = strcmp(x->cert_no, y->cert_no);
    return c ? c : (x->year > y->year) - (x->year < y->year);
}

/* Hours summed as officers.c does (NULL counts 0): of every cert_no, or of
 * those held by an officer of the unit ?1 (apart: an OR of both would keep
 * SQLite off the indexes). */
#define MET_SQL                                                                                                   \
    "SELECT tr.f_cert_no, tr.f_year, sum(tr.f_hours) FROM cat_officer_trainings tr"                              \
    " WHERE tr.valid_to = 0 AND tr.f_cert_no IS NOT NULL AND tr.f_year IS NOT NULL"
#define MET_GROUP " GROUP BY tr.f_cert_no, tr.f_year"
#define MET_ALL_SQL MET_SQL MET_GROUP
#define MET_UNIT_SQL                                                                                              \
    MET_SQL " AND tr.f_cert_no IN (SELECT o.f_cert_no FROM cat_officers o WHERE o.f_unit = ?)" MET_GROUP

static int met_load(store_conn *w, int64_t unit, int hours, met_set *m)
{
    store_stmt *st;
    int rc = store_prepare(w, unit ? MET_UNIT_SQL : MET_ALL_SQL, &st);
    if (rc)
        return rc;
    if (unit)
        store_bind_int(st, 1, unit);
    while ((rc = store_step(st)) == STORE_ROW) {
        if (store_col_int(st, 2) < hours)
            continue;
        char *s = NULL;
        if (scan_grow((void **)&m->v, &m->cap, m->n, sizeof(*m->v)) || !(s = strdup(store_col_text(st, 0)))) {
            rc = FZ_NOMEM;
            break;
        }
        m->v[m->n++] = (met_key){s, store_col_int(st, 1)};
    }
    store_done(st);
    if (rc != STORE_DONE)
        return rc == STORE_ROW ? FZ_ERR : rc;
    if (m->n)
        qsort(m->v, m->n, sizeof(*m->v), met_cmp);
    return FZ_OK;
}

/* The first entry of cert_no (m->n when none). */
static size_t met_first(const met_set *m, const char *cert_no)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(m->v[mid].cert_no, cert_no) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

typedef struct srow {
    int64_t unit, day, officers, certified, met;
} srow;

typedef struct srows {
    srow *v;
    size_t n, cap;
} srows;

static int srows_push(srows *r, srow x)
{
    if (scan_grow((void **)&r->v, &r->cap, r->n, sizeof(*r->v)))
        return FZ_NOMEM;
    r->v[r->n++] = x;
    return FZ_OK;
}

typedef struct delta {
    int64_t day;
    int officers, certified, met;
} delta;

/* One unit's versions becoming its rows. */
typedef struct builder {
    const met_set *met;
    int hours;
    int64_t unit;
    delta *d;
    size_t n, cap;
    srows *out;
} builder;

static int add_delta(builder *b, int64_t day, int officers, int certified, int met)
{
    if (day == NO_END)
        return FZ_OK;
    if (scan_grow((void **)&b->d, &b->cap, b->n, sizeof(*b->d)))
        return FZ_NOMEM;
    b->d[b->n++] = (delta){day, officers, certified, met};
    return FZ_OK;
}

/* +1 over the days [from, to) of one measure. */
static int add_span(builder *b, int64_t from, int64_t to, int which)
{
    if (from >= to)
        return FZ_OK;
    int o = which == 0, c = which == 1, m = which == 2;
    int rc = add_delta(b, from, o, c, m);
    return rc ? rc : add_delta(b, to, -o, -c, -m);
}

static int64_t max64(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* One version: in force on [day(from_ms), day(to_ms)) -- the reference
 * instant of a past day D is its last millisecond, of today the present,
 * when every version ever closed was closed before now -- and certified
 * where officer_evaluate says so: status 有效, an expiry date on or after
 * the day, an issue date (when readable) on or before it. */
static int add_version(builder *b, int64_t from_ms, int64_t to_ms, const char *status, const char *issued,
                       const char *expires, const char *cert_no)
{
    int64_t from = stock_local_day(from_ms), to = to_ms ? stock_local_day(to_ms) : NO_END;
    int rc = add_span(b, from, to, 0);
    int64_t iss, exp;
    if (rc || !status || strcmp(status, "有效") != 0 || !parse_day(expires, &exp))
        return rc;
    int64_t lo = parse_day(issued, &iss) ? max64(from, iss) : from, hi = min64(to, exp + 1);
    if ((rc = add_span(b, lo, hi, 1)) || lo >= hi)
        return rc;
    if (b->hours <= 0) /* no requirement: every certified officer meets it */
        return add_span(b, lo, hi, 2);
    if (!cert_no)
        return FZ_OK;
    for (size_t i = met_first(b->met, cert_no); !rc && i < b->met->n && !strcmp(b->met->v[i].cert_no, cert_no);
         i++) {
        int64_t y = b->met->v[i].year;
        if (y < 1 || y > 9999)
            continue;
        rc = add_span(b, max64(lo, days_from_civil((int)y, 1, 1)), min64(hi, days_from_civil((int)y + 1, 1, 1)), 2);
    }
    return rc;
}

static int delta_cmp(const void *a, const void *b)
{
    const delta *x = a, *y = b;
    return (x->day > y->day) - (x->day < y->day);
}

/* The unit's rows: the sums after each day with deltas, where they change. */
static int builder_finish(builder *b)
{
    if (b->n)
        qsort(b->d, b->n, sizeof(*b->d), delta_cmp);
    srow cur = {.unit = b->unit};
    int rc = FZ_OK;
    for (size_t i = 0; !rc && i < b->n;) {
        srow next = cur;
        next.day = b->d[i].day;
        for (; i < b->n && b->d[i].day == next.day; i++) {
            next.officers += b->d[i].officers;
            next.certified += b->d[i].certified;
            next.met += b->d[i].met;
        }
        if (next.officers != cur.officers || next.certified != cur.certified || next.met != cur.met)
            rc = srows_push(b->out, next);
        cur = next;
    }
    b->n = 0;
    return rc;
}

/* The versions of one unit, or of all by unit. */
#define VERSIONS_SQL                                                                                            \
    "SELECT f_unit, valid_from, valid_to, f_cert_status, f_cert_issued_on, f_cert_expires_on, f_cert_no"        \
    " FROM cat_officers"
#define VERSIONS_UNIT_SQL VERSIONS_SQL " WHERE f_unit = ?"
#define VERSIONS_ALL_SQL VERSIONS_SQL " WHERE f_unit > 0 ORDER BY f_unit" /* unit ids are positive */

/* Every row of the unit (0: all units) into out, units ascending. */
static int build(store_conn *w, int64_t unit, int hours, srows *out)
{
    met_set met = {0};
    int rc = hours > 0 ? met_load(w, unit, hours, &met) : FZ_OK;
    store_stmt *st = NULL;
    if (!rc)
        rc = store_prepare(w, unit ? VERSIONS_UNIT_SQL : VERSIONS_ALL_SQL, &st);
    if (rc) {
        met_free(&met);
        return rc;
    }
    if (unit)
        store_bind_int(st, 1, unit);
    builder b = {.met = &met, .hours = hours, .unit = -1, .out = out};
    int s;
    while ((s = store_step(st)) == STORE_ROW && !rc) {
        int64_t u = store_col_int(st, 0);
        if (u != b.unit) {
            rc = b.unit >= 0 ? builder_finish(&b) : FZ_OK;
            b.unit = u;
        }
        if (!rc)
            rc = add_version(&b, store_col_int(st, 1), store_col_int(st, 2), store_col_text(st, 3),
                             store_col_text(st, 4), store_col_text(st, 5),
                             store_col_is_null(st, 6) ? NULL : store_col_text(st, 6));
    }
    store_done(st);
    if (!rc && s != STORE_DONE)
        rc = FZ_ERR;
    if (!rc && b.unit >= 0)
        rc = builder_finish(&b);
    free(b.d);
    met_free(&met);
    return rc;
}

static int write_unit(store_conn *w, int64_t unit, const srow *rows, size_t n)
{
    int rc = store_run(w, "DELETE FROM officer_stock WHERE unit_id = ?", "i", unit);
    for (size_t i = 0; !rc && i < n; i++)
        rc = store_run(w, "INSERT INTO officer_stock (unit_id, day, officers, certified, met) VALUES (?, ?, ?, ?, ?)",
                       "iiiii", unit, rows[i].day, rows[i].officers, rows[i].certified, rows[i].met);
    return rc;
}

/* ---- recompute and --check ---- */

static int load_stored(store_conn *w, srows *out)
{
    store_stmt *st;
    int rc = store_prepare(w, "SELECT unit_id, day, officers, certified, met FROM officer_stock ORDER BY unit_id, day",
                           &st);
    if (rc)
        return rc;
    while ((rc = store_step(st)) == STORE_ROW)
        if ((rc = srows_push(out, (srow){store_col_int(st, 0), store_col_int(st, 1), store_col_int(st, 2),
                                         store_col_int(st, 3), store_col_int(st, 4)})))
            break;
    store_done(st);
    return rc == STORE_DONE ? FZ_OK : rc ? rc : FZ_ERR;
}

/* The stock on day of a unit's rows v[0..n). */
static srow value_on(const srow *v, size_t n, int64_t day)
{
    srow r = {0};
    for (size_t i = 0; i < n && v[i].day <= day; i++)
        r = v[i];
    return r;
}

static void report_unit(FILE *out, int64_t unit, const srow *a, size_t na, const srow *b, size_t nb)
{
    /* The first day where the two differ. */
    size_t i = 0;
    while (i < na && i < nb && !memcmp(&a[i], &b[i], sizeof(*a)))
        i++;
    int64_t day = i < na && i < nb ? min64(a[i].day, b[i].day) : i < na ? a[i].day : b[i].day;
    srow x = value_on(a, na, day), y = value_on(b, nb, day);
    int yy, mm, dd;
    civil_from_days(day, &yy, &mm, &dd);
    fprintf(out,
            "差异（执法人员存量）：单位 %" PRId64 " 自 %04d-%02d-%02d 起 已存 在册 %" PRId64 " 人、持证 %" PRId64
            " 人、学时达标 %" PRId64 " 人（%zu 行）；按名录重算 在册 %" PRId64 " 人、持证 %" PRId64 " 人、学时达标 %" PRId64
            " 人（%zu 行）\n",
            unit, yy, mm, dd, x.officers, x.certified, x.met, na, y.officers, y.certified, y.met, nb);
}

static int has_catalogs(const defs *d)
{
    char why[256];
    return officers_defs_check(d, why, sizeof(why)) == FZ_OK;
}

/* Whether both registries' tables are made (a data directory no server has
 * started on, as `calendar import` may meet, has none: nothing to keep). */
static int tables_made(store_conn *w, int *made)
{
    int64_t n = 0;
    int rc = store_query_int(w, &n, 0,
                             "SELECT count(DISTINCT tbl) FROM def_columns WHERE tbl IN ('cat_officers', 'cat_officer_trainings')",
                             "");
    *made = n == 2;
    return rc;
}

int stock_recompute(store_conn *w, const defs *d, int check, FILE *out, int64_t *ndiff)
{
    int made = 0;
    if (!has_catalogs(d))
        return FZ_OK;
    if (tables_made(w, &made))
        return FZ_ERR;
    if (!made)
        return FZ_OK;
    int rc = stock_table_create(w);
    int64_t ids[2];
    char stamp[64];
    if (!rc)
        rc = read_ids(w, ids, stamp, sizeof(stamp));
    if (rc)
        return rc;
    if (check && !stock_usable(stamp, ids, g_hours)) {
        (*ndiff)++;
        if (out)
            fprintf(out,
                    "差异（执法人员存量）：时间线的标记 %s 与名录（执法人员最新版本 %" PRId64 "、培训记录最新版本 %" PRId64
                    "）或学时要求（%d）不符：有未经维护的写入，或尚未生成（不带 --check 重算或启动服务即重新生成）\n",
                    stamp[0] ? stamp : "（无）", ids[0], ids[1], g_hours);
    }
    srows stored = {0}, computed = {0};
    rc = load_stored(w, &stored);
    if (!rc)
        rc = build(w, 0, g_hours, &computed);
    size_t i = 0, k = 0;
    while (!rc && (i < stored.n || k < computed.n)) {
        int64_t ua = i < stored.n ? stored.v[i].unit : INT64_MAX, ub = k < computed.n ? computed.v[k].unit : INT64_MAX;
        int64_t unit = min64(ua, ub);
        size_t i0 = i, k0 = k;
        while (i < stored.n && stored.v[i].unit == unit)
            i++;
        while (k < computed.n && computed.v[k].unit == unit)
            k++;
        if (i - i0 == k - k0 && (i == i0 || !memcmp(&stored.v[i0], &computed.v[k0], (i - i0) * sizeof(srow))))
            continue;
        if (check) {
            (*ndiff)++;
            if (out)
                report_unit(out, unit, &stored.v[i0], i - i0, &computed.v[k0], k - k0);
        } else {
            (*ndiff)++;
            rc = write_unit(w, unit, &computed.v[k0], k - k0);
        }
    }
    if (!rc && !check)
        rc = write_stamp(w, g_hours);
    free(stored.v);
    free(computed.v);
    return rc;
}

int stock_sync(store_conn *w, const defs *d, int *rebuilt)
{
    *rebuilt = 0;
    if (!has_catalogs(d))
        return FZ_OK;
    int made = 0;
    if (tables_made(w, &made))
        return FZ_ERR;
    if (!made)
        return FZ_OK;
    int64_t ids[2];
    char stamp[64];
    int rc = stock_table_create(w);
    if (!rc)
        rc = read_ids(w, ids, stamp, sizeof(stamp));
    if (rc || stock_usable(stamp, ids, g_hours))
        return rc;
    int64_t n = 0;
    *rebuilt = 1;
    return stock_recompute(w, d, 0, NULL, &n);
}

/* ---- kept with the writes ----
 * Per writer thread, the job in progress: whether the timeline was current
 * when the job first wrote an officer or a training (1; -1 when not: then
 * the job leaves it alone and the stamp stays behind), and the rows the job
 * wrote. At the job's end the units of those rows are rebuilt. */

typedef struct pending {
    store_conn *w;
    int state, hours;
    int64_t *rows; /* row ids; negative: a training row */
    size_t n, cap;
} pending;

static _Thread_local pending pend;

static int which_catalog(const def *d)
{
    if (!d || d->type != DEF_CATALOG)
        return 0;
    return !strcmp(d->name, "officers") ? 1 : !strcmp(d->name, "officer_trainings") ? 2 : 0;
}

void stock_write_begin(store_conn *w, const def *d)
{
    if (!which_catalog(d) || (pend.state && pend.w == w))
        return;
    pend.w = w;
    pend.n = 0;
    int64_t ids[2], at[2];
    char stamp[64];
    /* The stamp's row locked first: on PostgreSQL two nodes' jobs writing
     * officers then take turns (the second reads what the first committed),
     * so neither rebuilds a unit from a view without the other's versions.
     * (On SQLite the writer holds the database already.) */
    pend.state = !store_run(w, "UPDATE meta SET value = value WHERE key = '" STAMP_KEY "'", "") &&
                         !read_ids(w, ids, stamp, sizeof(stamp)) && parse_stamp(stamp, &pend.hours, at) &&
                         at[0] == ids[0] && at[1] == ids[1]
                     ? 1
                     : -1;
}

void stock_write_row(store_conn *w, const def *d, int64_t row_id)
{
    int k = which_catalog(d);
    if (!k || pend.w != w || pend.state != 1)
        return;
    if (scan_grow((void **)&pend.rows, &pend.cap, pend.n, sizeof(*pend.rows))) {
        pend.state = -1; /* the stamp stays behind: readers read the officers */
        return;
    }
    pend.rows[pend.n++] = k == 1 ? row_id : -row_id;
}

static int i64_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The units whose officers the job's rows touch: every version of an
 * officer row (the unit before and after a move), and the officers holding
 * a cert_no of any version of a training row. */
static int touched_units(store_conn *w, int64_t **units, size_t *n)
{
    size_t cap = 0;
    *units = NULL, *n = 0;
    int rc = FZ_OK;
    for (size_t i = 0; !rc && i < pend.n; i++) {
        store_stmt *st;
        rc = store_prepare(w,
                           pend.rows[i] > 0
                               ? "SELECT DISTINCT f_unit FROM cat_officers WHERE row_id = ? AND f_unit > 0"
                               : "SELECT DISTINCT o.f_unit FROM cat_officers o WHERE o.f_unit > 0"
                                 " AND o.f_cert_no IN (SELECT tr.f_cert_no FROM cat_officer_trainings tr"
                                 " WHERE tr.row_id = ?)",
                           &st);
        if (rc)
            break;
        store_bind_int(st, 1, pend.rows[i] > 0 ? pend.rows[i] : -pend.rows[i]);
        while ((rc = store_step(st)) == STORE_ROW) {
            if (scan_grow((void **)units, &cap, *n, sizeof(**units))) {
                rc = FZ_NOMEM;
                break;
            }
            (*units)[(*n)++] = store_col_int(st, 0);
        }
        store_done(st);
        rc = rc == STORE_DONE ? FZ_OK : rc ? rc : FZ_ERR;
    }
    if (!rc && *n) {
        qsort(*units, *n, sizeof(**units), i64_cmp);
        size_t k = 0;
        for (size_t i = 0; i < *n; i++)
            if (!k || (*units)[k - 1] != (*units)[i])
                (*units)[k++] = (*units)[i];
        *n = k;
    }
    return rc;
}

static int maintain(store_conn *w)
{
    int64_t *units;
    size_t n;
    int rc = touched_units(w, &units, &n);
    for (size_t i = 0; !rc && i < n; i++) {
        srows rows = {0};
        rc = build(w, units[i], pend.hours, &rows);
        if (!rc)
            rc = write_unit(w, units[i], rows.v, rows.n);
        free(rows.v);
    }
    free(units);
    return rc ? rc : write_stamp(w, pend.hours);
}

/* The job-end hook: rebuild the touched units (the job succeeded and the
 * timeline was current), or forget them. A failure fails the job. */
static int stock_job_end(store_conn *w, int ok)
{
    int rc = FZ_OK;
    if (pend.w == w && ok && pend.state == 1 && pend.n)
        rc = maintain(w);
    if (pend.w == w) {
        /* Freed at once: the writer thread never says when it ends. */
        free(pend.rows);
        pend = (pending){0};
    }
    return rc;
}

__attribute__((constructor)) static void stock_init(void)
{
    store_add_job_end_hook(stock_job_end);
}

/* ---- reading ---- */

/* Per unit of the region, its rows from the one in force on the first day
 * asked to the last day asked. */
#define READ_SQL                                                                                                   \
    "SELECT u.id, s.day, s.officers, s.certified, s.met FROM units u JOIN officer_stock s ON s.unit_id = u.id"    \
    " AND s.day >= coalesce((SELECT max(x.day) FROM officer_stock x WHERE x.unit_id = u.id AND x.day <= ?2), ?2)" \
    " AND s.day <= ?3 WHERE u.region_code LIKE ?1 || '%' ORDER BY u.id, s.day"

static void emit_unit(const srow *v, size_t nv, const int64_t *days, int n, stock_cb cb, void *ctx)
{
    for (int k = 0; nv && k < n; k++) {
        srow r = value_on(v, nv, days[k]);
        if (r.officers)
            cb(ctx, k, v[0].unit, r.officers, r.certified, r.met);
    }
}

int stock_read(store_conn *c, const int64_t *days, int n, const char *region_prefix, stock_cb cb, void *ctx)
{
    if (n <= 0)
        return FZ_OK;
    int64_t lo = days[0], hi = days[0];
    for (int k = 1; k < n; k++)
        lo = min64(lo, days[k]), hi = max64(hi, days[k]);
    store_stmt *st;
    int rc = store_prepare(c, READ_SQL, &st);
    if (rc)
        return rc;
    store_bind_text(st, 1, region_prefix ? region_prefix : "");
    store_bind_int(st, 2, lo);
    store_bind_int(st, 3, hi);
    srows unit = {0};
    while ((rc = store_step(st)) == STORE_ROW) {
        srow r = {store_col_int(st, 0), store_col_int(st, 1), store_col_int(st, 2), store_col_int(st, 3),
                  store_col_int(st, 4)};
        if (unit.n && unit.v[0].unit != r.unit) {
            emit_unit(unit.v, unit.n, days, n, cb, ctx);
            unit.n = 0;
        }
        if (srows_push(&unit, r)) {
            rc = FZ_NOMEM;
            break;
        }
    }
    store_done(st);
    if (rc == STORE_DONE)
        emit_unit(unit.v, unit.n, days, n, cb, ctx);
    free(unit.v);
    return rc == STORE_DONE ? FZ_OK : rc ? rc : FZ_ERR;
}
