/* officers.c: 执法人员状况 (see officers.h). One read over the officers in
 * force, each with its training hours and passed exams from correlated
 * subqueries; the summary counts every officer, the page is cut in C so the
 * two can never disagree. The SQL names the catalog tables of
 * defs/officers.json, officer_trainings.json and officer_exams.json
 * (engine/schema.c: cat_<name>, f_<field>); officers_defs_check makes sure the
 * loaded definitions have them. A county has hundreds to a few thousand
 * officers: one pass per request is cheap, and cert_no is indexed in both
 * record tables (filter fields). */
#include "engine/officers.h"
#include "engine/fields.h"
#include "engine/officer_stock.h"
#include "store/store.h"
#include "core/status.h"
#include "core/timeutil.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The fields read here: catalog, field, type. */
static const struct {
    const char *catalog, *field, *type;
} needed[] = {
    {"officers", "name", "string"},
    {"officers", "unit", "unit"},
    {"officers", "cert_no", "string"},
    {"officers", "cert_field", "string"},
    {"officers", "cert_status", "enum"},
    {"officers", "cert_issued_on", "date"},
    {"officers", "cert_expires_on", "date"},
    {"officer_trainings", "cert_no", "string"},
    {"officer_trainings", "hours", "int"},
    {"officer_trainings", "year", "int"},
    {"officer_exams", "cert_no", "string"},
    {"officer_exams", "held_on", "date"},
    {"officer_exams", "passed", "bool"},
};

/* ?1 as_of (0: current versions), ?2 year, ?3/?4 the year's first and last
 * day, ?5 unit path prefix ("" for all). Ordered by integers only, so both
 * backends page alike (text collation differs between them). */
#define STATUS_SQL                                                                                          \
    "SELECT o.row_id, o.f_name, o.f_unit, u.name, o.f_cert_no, o.f_cert_field, o.f_cert_status,"            \
    " o.f_cert_issued_on, o.f_cert_expires_on,"                                                            \
    " (SELECT sum(tr.f_hours) FROM cat_officer_trainings tr"                                               \
    "   WHERE tr.valid_to = 0 AND tr.f_cert_no = o.f_cert_no AND tr.f_year = ?2),"                         \
    " (SELECT count(*) FROM cat_officer_exams ex WHERE ex.valid_to = 0 AND ex.f_cert_no = o.f_cert_no"     \
    "   AND ex.f_passed = 1 AND ex.f_held_on >= ?3 AND ex.f_held_on <= ?4)"                                \
    " FROM cat_officers o LEFT JOIN units u ON u.id = o.f_unit"                                           \
    " WHERE ((?1 = 0 AND o.valid_to = 0) OR (?1 > 0 AND o.valid_from <= ?1"                               \
    "   AND (o.valid_to = 0 OR o.valid_to > ?1)))"                                                         \
    " AND (?5 = '' OR o.f_unit IN (SELECT s.id FROM units s WHERE s.path LIKE ?5 || '%'))"                 \
    " ORDER BY COALESCE(o.f_unit, 0), o.row_id"

int officers_query_init(officer_query *q, int year, int today_ymd)
{
    int ty = today_ymd / 10000;
    if (year > ty || year < 1)
        return FZ_INVALID;
    q->year = year;
    if (year == ty) {
        /* The current year: today, and the versions in force now. */
        date_format(ty, today_ymd / 100 % 100, today_ymd % 100, q->ref_date);
        q->as_of_ms = 0;
        return FZ_OK;
    }
    date_format(year, 12, 31, q->ref_date);
    /* The end of 31 December, local time (as ?as_of= reads catalogs). */
    struct tm tm = {.tm_year = year + 1 - 1900, .tm_mon = 0, .tm_mday = 1, .tm_isdst = -1};
    q->as_of_ms = (int64_t)mktime(&tm) * 1000 - 1;
    return FZ_OK;
}

int officers_query_at(officer_query *q, int ref_ymd, int today_ymd)
{
    int y = ref_ymd / 10000, m = ref_ymd / 100 % 100, d = ref_ymd % 100;
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > 31)
        return FZ_INVALID;
    if (ref_ymd >= today_ymd) {
        q->year = today_ymd / 10000;
        date_format(q->year, today_ymd / 100 % 100, today_ymd % 100, q->ref_date);
        q->as_of_ms = 0;
        return FZ_OK;
    }
    q->year = y;
    date_format(y, m, d, q->ref_date);
    /* The end of the reference day, local time. */
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d + 1, .tm_isdst = -1};
    q->as_of_ms = (int64_t)mktime(&tm) * 1000 - 1;
    return FZ_OK;
}

int officers_defs_check(const defs *d, char *why, size_t n)
{
    for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
        const def *c = defs_find(d, DEF_CATALOG, needed[i].catalog);
        if (!c) {
            snprintf(why, n, "名录 %s 未定义（见 defs/%s.json）：无法计算执法人员状况", needed[i].catalog,
                     needed[i].catalog);
            return FZ_NOTFOUND;
        }
        json_t *f = fields_find(c, needed[i].field);
        const char *t = f ? json_string_value(json_object_get(f, "type")) : NULL;
        if (!t || strcmp(t, needed[i].type) != 0) {
            snprintf(why, n, "名录 %s 缺少 %s 类型的字段 %s：无法计算执法人员状况", needed[i].catalog,
                     needed[i].type, needed[i].field);
            return FZ_NOTFOUND;
        }
    }
    return FZ_OK;
}

static int day_of(const char *s, int64_t *day)
{
    int y, m, d;
    if (!s || date_parse(s, &y, &m, &d) != FZ_OK)
        return 0;
    *day = days_from_civil(y, m, d);
    return 1;
}

void officer_evaluate(const char *status, const char *issued_on, const char *expires_on, int64_t hours,
                      const char *ref_date, int required_hours, int warn_days, officer_eval *e)
{
    int64_t ref = 0, exp = 0, iss = 0;
    memset(e, 0, sizeof(*e));
    day_of(ref_date, &ref);
    e->has_expiry = day_of(expires_on, &exp);
    if (e->has_expiry) {
        e->days_to_expiry = exp - ref;
        e->expired = exp < ref;
    }
    int issued_later = day_of(issued_on, &iss) && iss > ref;
    if (!status || strcmp(status, "有效") != 0)
        e->problem = status && !strcmp(status, "暂扣") ? "证件暂扣"
                     : status && !strcmp(status, "注销") ? "证件已注销"
                                                          : "证件状态不是有效";
    else if (!e->has_expiry)
        e->problem = "未登记证件有效期";
    else if (e->expired)
        e->problem = "证件已过期";
    else if (issued_later)
        e->problem = "统计日尚未发证";
    e->certified = e->problem == NULL;
    e->expiring_soon = e->certified && e->days_to_expiry <= warn_days;
    e->hours_met = hours >= required_hours;
    e->shortfall = e->hours_met ? 0 : required_hours - hours;
}

void officers_percent(int64_t num, int64_t den, char out[32])
{
    if (den <= 0 || num < 0) {
        out[0] = '\0';
        return;
    }
    /* Hundredths of a per cent, rounded half up: (num * 10000 / den) + 0.5. */
    int64_t h = (num * 20000 + den) / (2 * den);
    snprintf(out, 32, "%lld.%02lld", (long long)(h / 100), (long long)(h % 100));
}

static json_t *rate(int64_t num, int64_t den)
{
    char pct[32];
    officers_percent(num, den, pct);
    return json_pack("{s:I, s:I, s:o}", "numerator", (json_int_t)num, "denominator", (json_int_t)den, "percent",
                     pct[0] ? json_string(pct) : json_null());
}

/* A text column as JSON: null when NULL. */
static json_t *text_or_null(store_stmt *st, int col)
{
    return store_col_is_null(st, col) ? json_null() : json_string(store_col_text(st, col));
}

static json_t *row_json(store_stmt *st, const officer_query *q, const officer_eval *e, int64_t hours,
                        int64_t exams)
{
    json_t *o = json_pack("{s:I, s:o, s:o, s:s, s:o, s:o, s:o, s:o}", "row_id", (json_int_t)store_col_int(st, 0),
                          "name", text_or_null(st, 1), "unit",
                          store_col_is_null(st, 2) ? json_null() : json_integer(store_col_int(st, 2)), "unit_name",
                          store_col_text(st, 3), "cert_no", text_or_null(st, 4), "cert_field", text_or_null(st, 5),
                          "cert_status", text_or_null(st, 6), "cert_expires_on", text_or_null(st, 8));
    json_object_set_new(o, "certified", json_boolean(e->certified));
    json_object_set_new(o, "expired", json_boolean(e->expired));
    json_object_set_new(o, "days_to_expiry", e->has_expiry ? json_integer(e->days_to_expiry) : json_null());
    json_object_set_new(o, "expiring_soon", json_boolean(e->expiring_soon));
    json_object_set_new(o, "problem", e->problem ? json_string(e->problem) : json_null());
    json_object_set_new(o, "training_hours", json_integer(hours));
    json_object_set_new(o, "required_hours", json_integer(q->required_hours));
    json_object_set_new(o, "shortfall", json_integer(e->shortfall));
    json_object_set_new(o, "hours_met", json_boolean(e->hours_met));
    json_object_set_new(o, "exams_passed", json_integer(exams));
    return o;
}

int officers_status(store_conn *c, const officer_query *q, json_t **out)
{
    char first[11], last[11];
    date_format(q->year, 1, 1, first);
    date_format(q->year, 12, 31, last);
    store_stmt *st;
    int rc = store_prepare(c, STATUS_SQL, &st);
    if (rc)
        return rc;
    store_bind_int(st, 1, q->as_of_ms);
    store_bind_int(st, 2, q->year);
    store_bind_text(st, 3, first);
    store_bind_text(st, 4, last);
    store_bind_text(st, 5, q->unit_path ? q->unit_path : "");
    int64_t n = 0, certified = 0, met = 0, met_certified = 0, soon = 0, expired = 0, exams_total = 0;
    int64_t from = (q->page - 1) * q->size, to = from + q->size;
    json_t *rows = json_array();
    while ((rc = store_step(st)) == STORE_ROW) {
        /* Columns: 0 row_id, 1 name, 2 unit, 3 unit name, 4 cert_no, 5 cert_field,
         * 6 cert_status, 7 issued_on, 8 expires_on, 9 hours, 10 exams passed. */
        int64_t hours = store_col_int(st, 9), exams = store_col_int(st, 10);
        officer_eval e;
        officer_evaluate(store_col_text(st, 6), store_col_text(st, 7), store_col_text(st, 8), hours, q->ref_date,
                         q->required_hours, q->warn_days, &e);
        certified += e.certified;
        met += e.hours_met;
        met_certified += e.certified && e.hours_met;
        soon += e.expiring_soon;
        expired += e.expired;
        exams_total += exams;
        if (n >= from && n < to)
            json_array_append_new(rows, row_json(st, q, &e, hours, exams));
        n++;
    }
    store_done(st);
    if (rc != STORE_DONE) {
        json_decref(rows);
        return rc; /* a store error (STORE_DONE is FZ_OK) */
    }
    json_t *summary = json_pack("{s:I, s:I, s:o, s:I, s:o, s:I, s:I, s:I}", "officers", (json_int_t)n, "certified",
                                (json_int_t)certified, "certified_rate", rate(certified, n), "hours_met",
                                (json_int_t)met, "training_rate", rate(met_certified, certified), "expiring_soon",
                                (json_int_t)soon, "expired", (json_int_t)expired, "exams_passed",
                                (json_int_t)exams_total);
    *out = json_pack("{s:i, s:s, s:i, s:i, s:o, s:I, s:o}", "year", q->year, "reference_date", q->ref_date,
                     "required_hours", q->required_hours, "expiry_warn_days", q->warn_days, "summary", summary,
                     "total", (json_int_t)n, "rows", rows);
    return *out ? FZ_OK : FZ_NOMEM;
}

/* The officers of the region's units (every version when as_of > 0), each
 * with the year's training hours. ?1 as_of (0: current versions only), ?2
 * year, ?3 region prefix. The unit filter as IN (…) keeps SQLite on the
 * f_unit index (a join to units measured 5x slower). */
#define BY_UNIT_SQL                                                                                            \
    "SELECT o.f_unit, o.f_cert_status, o.f_cert_issued_on, o.f_cert_expires_on,"                               \
    " (SELECT sum(tr.f_hours) FROM cat_officer_trainings tr"                                                    \
    "   WHERE tr.valid_to = 0 AND tr.f_cert_no = o.f_cert_no AND tr.f_year = ?2),"                              \
    " o.valid_from, o.valid_to"                                                                                 \
    " FROM cat_officers o"                                                                                      \
    " WHERE ((?1 = 0 AND o.valid_to = 0) OR (?1 > 0 AND o.valid_from <= ?1))"                                    \
    " AND o.f_unit IN (SELECT id FROM units WHERE region_code LIKE ?3 || '%') ORDER BY o.f_unit"

/* 1 when a version (valid_from, valid_to) is in force at as_of (0: now). */
static int in_force(int64_t from, int64_t to, int64_t as_of)
{
    return as_of ? from <= as_of && (to == 0 || to > as_of) : to == 0;
}

/* Per unit and reference (refs[k], as_of[k]: k < n), the counts of the
 * officers in force then: cb(ctx, k, unit, officers, certified, hours_met).
 * One pass over the versions, so twelve month ends cost one query. */
static int scan_refs(store_conn *c, int year, const char (*refs)[11], const int64_t *as_of, int n,
                     int required_hours, const char *region_prefix, officers_month_cb cb, void *ctx)
{
    int64_t newest = 0;
    for (int k = 0; k < n; k++)
        newest = as_of[k] && as_of[k] > newest ? as_of[k] : newest;
    int any_now = 0;
    for (int k = 0; k < n; k++)
        any_now |= as_of[k] == 0;
    store_stmt *st;
    int rc = store_prepare(c, BY_UNIT_SQL, &st);
    if (rc)
        return rc;
    store_bind_int(st, 1, any_now ? INT64_MAX : newest);
    store_bind_int(st, 2, year);
    store_bind_text(st, 3, region_prefix ? region_prefix : "");
    int64_t unit = -1, cnt[12][3];
    memset(cnt, 0, sizeof(cnt));
    while ((rc = store_step(st)) == STORE_ROW) {
        int64_t u = store_col_int(st, 0);
        if (u != unit) {
            for (int k = 0; unit >= 0 && k < n; k++)
                if (cnt[k][0])
                    cb(ctx, k, unit, cnt[k][0], cnt[k][1], cnt[k][2]);
            unit = u;
            memset(cnt, 0, sizeof(cnt));
        }
        int64_t from = store_col_int(st, 5), to = store_col_int(st, 6);
        for (int k = 0; k < n; k++) {
            if (!in_force(from, to, as_of[k]))
                continue;
            officer_eval e;
            officer_evaluate(store_col_text(st, 1), store_col_text(st, 2), store_col_text(st, 3), store_col_int(st, 4),
                             refs[k], required_hours, 0, &e);
            cnt[k][0]++;
            cnt[k][1] += e.certified;
            cnt[k][2] += e.certified && e.hours_met;
        }
    }
    store_done(st);
    if (rc != STORE_DONE)
        return rc;
    for (int k = 0; unit >= 0 && k < n; k++)
        if (cnt[k][0])
            cb(ctx, k, unit, cnt[k][0], cnt[k][1], cnt[k][2]);
    return FZ_OK;
}

/* The stocks above come from the officer stock timeline when it can answer
 * (engine/officer_stock.h: a few rows per unit, kept with the writes), else
 * from reading every officer (scan_refs; the timeline must equal it), and
 * are kept in this process either way. An entry is keyed by the query and
 * holds the generation it was read at: the newest version ids of cat_officers and cat_officer_trainings (catalogs only
 * ever insert versions, so any write raises one of them) and the number of
 * unit.updated / unit.deleted events (a unit moved to another region; a
 * count reads the events_action index, where max(seq) walked the table). The
 * generation is read before the officers, so a write committed in between
 * can only make the entry look older than it is. On PostgreSQL an entry also
 * dies after STOCK_TTL_MS: two nodes' writers can commit ids out of order. On
 * SQLite (one writer, ids in commit order) the generation alone decides, so
 * a dashboard pays the read once per period and registry change, not once a
 * minute.
 * A process serves one database (serve, the CLI), so the key has no store. */
#define STOCK_SLOTS 16
#define STOCK_TTL_MS 60000

typedef struct stock_row {
    int k;
    int64_t unit, officers, certified, hours_met;
} stock_row;

typedef struct stock_entry {
    uint64_t used; /* last use (LRU); 0: empty */
    int year, n, required_hours;
    char refs[12][11];
    int64_t as_of[12];
    char prefix[16];
    int64_t gen[3], made_ms;
    stock_row *rows;
    size_t nrows;
} stock_entry;

static pthread_mutex_t g_stock_mu = PTHREAD_MUTEX_INITIALIZER;
static stock_entry g_stock[STOCK_SLOTS];
static uint64_t g_stock_tick;

typedef struct stock_acc {
    stock_row *rows;
    size_t n, cap;
    int failed;
} stock_acc;

static void stock_collect(void *ctx, int k, int64_t unit, int64_t officers, int64_t certified, int64_t hours_met)
{
    stock_acc *a = ctx;
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 256;
        stock_row *nv = realloc(a->rows, cap * sizeof(*nv));
        if (!nv) {
            a->failed = 1;
            return;
        }
        a->rows = nv, a->cap = cap;
    }
    a->rows[a->n++] = (stock_row){k, unit, officers, certified, hours_met};
}

/* The generation, and the officer stock timeline's stamp read with it
 * (stamp[0] = 0 when there is none). */
static int stock_generation(store_conn *c, int64_t gen[3], char *stamp, size_t n)
{
    store_stmt *st;
    int rc = store_prepare(c,
                           "SELECT (SELECT coalesce(max(id), 0) FROM cat_officers),"
                           " (SELECT coalesce(max(id), 0) FROM cat_officer_trainings),"
                           " (SELECT count(*) FROM events WHERE action IN ('unit.updated', 'unit.deleted')),"
                           " (SELECT value FROM meta WHERE key = 'officer_stock')",
                           &st);
    if (rc)
        return rc;
    rc = store_step(st);
    for (int i = 0; i < 3 && rc == STORE_ROW; i++)
        gen[i] = store_col_int(st, i);
    if (rc == STORE_ROW)
        snprintf(stamp, n, "%s", store_col_is_null(st, 3) ? "" : store_col_text(st, 3));
    store_done(st);
    return rc == STORE_ROW ? FZ_OK : FZ_ERR;
}

static int g_force_scan;
static _Thread_local char g_last_source;

void officers_force_scan(int on)
{
    g_force_scan = on;
    pthread_mutex_lock(&g_stock_mu);
    for (int i = 0; i < STOCK_SLOTS; i++) {
        free(g_stock[i].rows);
        g_stock[i] = (stock_entry){0};
    }
    pthread_mutex_unlock(&g_stock_mu);
}

char officers_last_source(void)
{
    return g_last_source;
}

/* The stocks from the timeline (engine/officer_stock.h) when it answers
 * for these references: it is current (its stamp names the ids of gen),
 * counts these hours, and every reference lies in the year whose trainings
 * are counted (always so for ind_module.c's). 1 when used, *rc its result. */
static int from_timeline(store_conn *c, const char *stamp, const int64_t gen[3], int year,
                         const char (*refs)[11], int n, int required_hours, const char *prefix, stock_acc *a,
                         int *rc)
{
    int64_t days[12];
    if (g_force_scan || n > 12 || !stock_usable(stamp, gen, required_hours))
        return 0;
    for (int k = 0; k < n; k++) {
        int y, m, d;
        if (date_parse(refs[k], &y, &m, &d) != FZ_OK || y != year)
            return 0;
        days[k] = days_from_civil(y, m, d);
    }
    *rc = stock_read(c, days, n, prefix, stock_collect, a);
    return 1;
}

static int stock_same(const stock_entry *e, int year, const char (*refs)[11], const int64_t *as_of, int n,
                      int required_hours, const char *prefix)
{
    if (!e->used || e->year != year || e->n != n || e->required_hours != required_hours || strcmp(e->prefix, prefix))
        return 0;
    for (int k = 0; k < n; k++)
        if (strcmp(e->refs[k], refs[k]) || e->as_of[k] != as_of[k])
            return 0;
    return 1;
}

/* A copy of the cached rows (the caller frees them), or NULL on a miss. */
static stock_row *stock_get(int year, const char (*refs)[11], const int64_t *as_of, int n, int required_hours,
                            const char *prefix, const int64_t gen[3], int expires, size_t *nrows)
{
    stock_row *out = NULL;
    int64_t now = time_mono_ms();
    pthread_mutex_lock(&g_stock_mu);
    for (int i = 0; i < STOCK_SLOTS; i++) {
        stock_entry *e = &g_stock[i];
        if (!stock_same(e, year, refs, as_of, n, required_hours, prefix) || memcmp(e->gen, gen, sizeof(e->gen)) ||
            (expires && now - e->made_ms > STOCK_TTL_MS))
            continue;
        out = malloc(e->nrows ? e->nrows * sizeof(*out) : 1);
        if (out) {
            if (e->nrows)
                memcpy(out, e->rows, e->nrows * sizeof(*out));
            *nrows = e->nrows;
            e->used = ++g_stock_tick;
        }
        break;
    }
    pthread_mutex_unlock(&g_stock_mu);
    return out;
}

/* Keeps a copy of rows under the key (replacing the entry of the same key, or
 * the least recently used). */
static void stock_put(int year, const char (*refs)[11], const int64_t *as_of, int n, int required_hours,
                      const char *prefix, const int64_t gen[3], int64_t made_ms, const stock_row *rows, size_t nrows)
{
    if (strlen(prefix) >= sizeof(g_stock[0].prefix))
        return;
    stock_row *copy = malloc(nrows ? nrows * sizeof(*copy) : 1);
    if (!copy)
        return;
    if (nrows)
        memcpy(copy, rows, nrows * sizeof(*copy));
    pthread_mutex_lock(&g_stock_mu);
    stock_entry *e = &g_stock[0];
    for (int i = 0; i < STOCK_SLOTS; i++) {
        if (stock_same(&g_stock[i], year, refs, as_of, n, required_hours, prefix)) {
            e = &g_stock[i];
            break;
        }
        if (g_stock[i].used < e->used)
            e = &g_stock[i];
    }
    free(e->rows);
    *e = (stock_entry){.used = ++g_stock_tick, .year = year, .n = n, .required_hours = required_hours,
                       .made_ms = made_ms, .rows = copy, .nrows = nrows};
    memcpy(e->refs, refs, (size_t)n * sizeof(e->refs[0]));
    memcpy(e->as_of, as_of, (size_t)n * sizeof(e->as_of[0]));
    memcpy(e->gen, gen, sizeof(e->gen));
    snprintf(e->prefix, sizeof(e->prefix), "%s", prefix);
    pthread_mutex_unlock(&g_stock_mu);
}

static int by_unit_refs(store_conn *c, int year, const char (*refs)[11], const int64_t *as_of, int n,
                        int required_hours, const char *region_prefix, officers_month_cb cb, void *ctx)
{
    const char *prefix = region_prefix ? region_prefix : "";
    int64_t gen[3], made = time_mono_ms();
    char stamp[64];
    int rc = stock_generation(c, gen, stamp, sizeof(stamp));
    if (rc)
        return rc;
    size_t nrows = 0;
    int expires = strcmp(store_conn_backend(c), "sqlite") != 0;
    stock_row *rows = stock_get(year, refs, as_of, n, required_hours, prefix, gen, expires, &nrows);
    g_last_source = 'C';
    if (!rows) {
        stock_acc a = {0};
        g_last_source = 'T';
        if (!from_timeline(c, stamp, gen, year, refs, n, required_hours, prefix, &a, &rc)) {
            g_last_source = 'S';
            rc = scan_refs(c, year, refs, as_of, n, required_hours, prefix, stock_collect, &a);
        }
        if (rc || a.failed) {
            free(a.rows);
            return rc ? rc : FZ_NOMEM;
        }
        stock_put(year, refs, as_of, n, required_hours, prefix, gen, made, a.rows, a.n);
        rows = a.rows, nrows = a.n;
    }
    for (size_t i = 0; i < nrows; i++)
        cb(ctx, rows[i].k, rows[i].unit, rows[i].officers, rows[i].certified, rows[i].hours_met);
    free(rows);
    return FZ_OK;
}

typedef struct one_ref {
    officers_unit_cb cb;
    void *ctx;
} one_ref;

static void relay_one(void *ctx, int k, int64_t unit, int64_t officers, int64_t certified, int64_t hours_met)
{
    one_ref *o = ctx;
    (void)k;
    o->cb(o->ctx, unit, officers, certified, hours_met);
}

int officers_by_unit(store_conn *c, const officer_query *q, const char *region_prefix, officers_unit_cb cb, void *ctx)
{
    one_ref o = {cb, ctx};
    const char(*refs)[11] = &q->ref_date;
    return by_unit_refs(c, q->year, refs, &q->as_of_ms, 1, q->required_hours, region_prefix, relay_one, &o);
}

int officers_by_unit_months(store_conn *c, int year, int today_ymd, int required_hours, const char *region_prefix,
                            officers_month_cb cb, void *ctx)
{
    char refs[12][11];
    int64_t as_of[12];
    int n = 0;
    for (int m = 1; m <= 12 && year * 100 + m <= today_ymd / 100; m++, n++) {
        officer_query q = {0};
        if (officers_query_at(&q, year * 10000 + m * 100 + date_days_in_month(year, m), today_ymd))
            return FZ_INVALID;
        memcpy(refs[n], q.ref_date, sizeof(refs[n]));
        as_of[n] = q.as_of_ms;
    }
    return n ? by_unit_refs(c, year, (const char(*)[11])refs, as_of, n, required_hours, region_prefix, cb, ctx) : FZ_OK;
}
