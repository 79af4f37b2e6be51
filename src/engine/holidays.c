/* holidays.c: the calendar in force for a store, its cache, and imports
 * (see holidays.h). */
#include "engine/holidays.h"
#include "engine/clock.h"
#include "engine/events.h"
#include "store/store.h"
#include "core/sm.h"
#include "core/status.h"
#include "core/timeutil.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int holidays_shipped_parse(calfile *out, char *err, size_t errlen)
{
    /* One file per year: concatenate them as a JSON array so the ordinary
     * parser (and its checks) reads them. */
    strbuf b = STRBUF_INIT;
    strbuf_putc(&b, '[');
    for (size_t i = 0; i < holidays_shipped_count; i++) {
        if (i)
            strbuf_putc(&b, ',');
        strbuf_puts(&b, holidays_shipped[i].text);
    }
    strbuf_putc(&b, ']');
    if (!strbuf_ok(&b)) {
        strbuf_free(&b);
        snprintf(err, errlen, "内存不足");
        return FZ_NOMEM;
    }
    int rc = calfile_parse(b.data, b.len, out, err, errlen);
    strbuf_free(&b);
    return rc;
}

/* Marks and official years gathered before cal_build. */
typedef struct marks {
    cal_mark *m;
    size_t n, cap;
    int years[CAL_LAST_YEAR - CAL_FIRST_YEAR + 1];
    size_t nyears;
} marks;

static int marks_add(marks *k, int64_t day, int kind)
{
    if (k->n == k->cap) {
        size_t ncap = k->cap ? k->cap * 2 : 256;
        cal_mark *nm = realloc(k->m, ncap * sizeof(*nm));
        if (!nm)
            return FZ_NOMEM;
        k->m = nm;
        k->cap = ncap;
    }
    k->m[k->n++] = (cal_mark){day, kind};
    return FZ_OK;
}

static int marks_has_year(const marks *k, int year)
{
    for (size_t i = 0; i < k->nyears; i++)
        if (k->years[i] == year)
            return 1;
    return 0;
}

static int marks_add_file(marks *k, const calfile *f)
{
    for (size_t i = 0; i < f->nyears; i++) {
        if (marks_has_year(k, f->years[i].year))
            continue;
        k->years[k->nyears++] = f->years[i].year;
        for (size_t j = 0; j < f->years[i].ndays; j++)
            if (marks_add(k, f->years[i].days[j].day, f->years[i].days[j].kind))
                return FZ_NOMEM;
    }
    return FZ_OK;
}

int holidays_build_shipped(cal **out)
{
    calfile f;
    char err[300];
    if (holidays_shipped_parse(&f, err, sizeof(err)) != FZ_OK)
        return FZ_ERR; /* a broken embedded file: the unit tests prevent it */
    marks k = {0};
    int rc = marks_add_file(&k, &f);
    if (!rc)
        rc = cal_build(k.m, k.n, k.years, k.nyears, out);
    free(k.m);
    calfile_free(&f);
    return rc;
}

static int load_stored(store_conn *c, marks *k)
{
    store_stmt *st;
    if (store_prepare(c, "SELECT year FROM holiday_years ORDER BY year", &st))
        return FZ_ERR;
    int rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        int64_t y = store_col_int(st, 0);
        if (y >= CAL_FIRST_YEAR && y <= CAL_LAST_YEAR && !marks_has_year(k, (int)y))
            k->years[k->nyears++] = (int)y;
    }
    store_done(st);
    if (rc != STORE_DONE)
        return FZ_ERR;
    if (store_prepare(c, "SELECT day, kind FROM holidays", &st))
        return FZ_ERR;
    while ((rc = store_step(st)) == STORE_ROW) {
        int64_t day;
        if (clock_day_parse(store_col_text(st, 0), &day) || day == CLOCK_NO_DAY || !cal_in_span(day))
            continue; /* cannot happen through the import path */
        if (marks_add(k, day, strcmp(store_col_text(st, 1), "work") == 0 ? CAL_MARK_WORK : CAL_MARK_REST)) {
            store_done(st);
            return FZ_NOMEM;
        }
    }
    store_done(st);
    return rc == STORE_DONE ? FZ_OK : FZ_ERR;
}

int holidays_build(store_conn *c, cal **out)
{
    marks k = {0};
    int rc = load_stored(c, &k);
    calfile f = {0};
    char err[300];
    if (!rc && holidays_shipped_parse(&f, err, sizeof(err)) != FZ_OK)
        rc = FZ_ERR;
    /* Stored years come first, so a stored year overrides the shipped one. */
    if (!rc)
        rc = marks_add_file(&k, &f);
    if (!rc)
        rc = cal_build(k.m, k.n, k.years, k.nyears, out);
    free(k.m);
    calfile_free(&f);
    return rc;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int holidays_years(store_conn *c, int *years, int max, int *n)
{
    marks k = {0};
    int rc = load_stored(c, &k);
    free(k.m);
    if (rc)
        return rc;
    for (size_t i = 0; i < holidays_shipped_count; i++)
        if (!marks_has_year(&k, holidays_shipped[i].year))
            k.years[k.nyears++] = holidays_shipped[i].year;
    qsort(k.years, k.nyears, sizeof(int), cmp_int);
    *n = 0;
    for (size_t i = 0; i < k.nyears && *n < max; i++)
        years[(*n)++] = k.years[i];
    return FZ_OK;
}

/* ---- cache ---- */

struct hol_ref {
    cal *cal;
    char token[SM3_HEX_LEN + 1];
    int refs; /* under cache_mu; the cache holds one while it is current */
};

static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static hol_ref *cache_cur;

static int read_token(store_conn *c, char token[SM3_HEX_LEN + 1])
{
    store_stmt *st;
    token[0] = '\0';
    if (store_prepare(c, "SELECT value FROM meta WHERE key = 'calendar_token'", &st))
        return FZ_ERR;
    int rc = store_step(st);
    if (rc == STORE_ROW)
        snprintf(token, SM3_HEX_LEN + 1, "%s", store_col_text(st, 0));
    store_done(st);
    return rc == STORE_ROW || rc == STORE_DONE ? FZ_OK : FZ_ERR;
}

static void unref_locked(hol_ref *r)
{
    if (--r->refs == 0) {
        cal_free(r->cal);
        free(r);
    }
}

int holidays_acquire(store_conn *c, hol_ref **out)
{
    char token[SM3_HEX_LEN + 1];
    if (read_token(c, token))
        return FZ_ERR;
    pthread_mutex_lock(&cache_mu);
    if (cache_cur && strcmp(cache_cur->token, token) == 0) {
        cache_cur->refs++;
        *out = cache_cur;
        pthread_mutex_unlock(&cache_mu);
        return FZ_OK;
    }
    /* Built under the lock: imports are rare and a build takes about a
     * millisecond, so other threads waiting here briefly is fine. */
    hol_ref *r = calloc(1, sizeof(*r));
    int rc = r ? holidays_build(c, &r->cal) : FZ_NOMEM;
    if (rc) {
        free(r);
        pthread_mutex_unlock(&cache_mu);
        return rc;
    }
    snprintf(r->token, sizeof(r->token), "%s", token);
    r->refs = 2; /* the cache and the caller */
    if (cache_cur)
        unref_locked(cache_cur);
    cache_cur = r;
    *out = r;
    pthread_mutex_unlock(&cache_mu);
    return FZ_OK;
}

const cal *holidays_cal(const hol_ref *r)
{
    return r->cal;
}

void holidays_release(hol_ref *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&cache_mu);
    unref_locked(r);
    pthread_mutex_unlock(&cache_mu);
}

void holidays_release_v(void *r)
{
    holidays_release(r);
}

void holidays_cache_clear(void)
{
    pthread_mutex_lock(&cache_mu);
    if (cache_cur)
        unref_locked(cache_cur);
    cache_cur = NULL;
    pthread_mutex_unlock(&cache_mu);
}

/* ---- import ---- */

int holidays_year_workdays(const calfile_year *y)
{
    calfile one = {.years = (calfile_year *)y, .nyears = 1};
    marks k = {0};
    cal *c = NULL;
    int n = -1;
    if (marks_add_file(&k, &one) == FZ_OK && cal_build(k.m, k.n, k.years, k.nyears, &c) == FZ_OK)
        n = cal_year_workdays(c, y->year);
    cal_free(c);
    free(k.m);
    return n;
}

static int stored_digest(store_conn *w, int year, char digest[SM3_HEX_LEN + 1])
{
    store_stmt *st;
    digest[0] = '\0';
    if (store_prepare(w, "SELECT digest FROM holiday_years WHERE year = ?", &st))
        return FZ_ERR;
    store_bind_int(st, 1, year);
    int rc = store_step(st);
    if (rc == STORE_ROW)
        snprintf(digest, SM3_HEX_LEN + 1, "%s", store_col_text(st, 0));
    store_done(st);
    return rc == STORE_ROW || rc == STORE_DONE ? FZ_OK : FZ_ERR;
}

static int write_year(store_conn *w, holidays_import_job *j, const calfile_year *y, const char *digest,
                      const char *prev)
{
    if (store_run(w, "DELETE FROM holidays WHERE year = ?", "i", (int64_t)y->year))
        return FZ_ERR;
    for (size_t i = 0; i < y->ndays; i++) {
        char ds[11];
        clock_day_text(y->days[i].day, ds);
        if (store_run(w, "INSERT INTO holidays (day, year, kind, name) VALUES (?, ?, ?, ?)", "siss", ds,
                      (int64_t)y->year, y->days[i].kind == CAL_MARK_REST ? "rest" : "work", y->days[i].name))
            return FZ_ERR;
    }
    int workdays = holidays_year_workdays(y), rest, work;
    calfile_counts(y, &rest, &work);
    int64_t now = time_now_ms();
    if (store_run(w,
                  "INSERT INTO holiday_years (year, source, digest, workdays, origin, imported_at, imported_by)"
                  " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (year) DO UPDATE SET source = excluded.source,"
                  " digest = excluded.digest, workdays = excluded.workdays, origin = excluded.origin,"
                  " imported_at = excluded.imported_at, imported_by = excluded.imported_by",
                  "issisis", (int64_t)y->year, y->source, digest, (int64_t)workdays, j->origin, now, j->actor))
        return FZ_ERR;
    char year[8];
    snprintf(year, sizeof(year), "%d", y->year);
    json_t *p = json_pack("{s:i, s:s, s:s, s:s, s:i, s:i, s:i, s:s}", "year", y->year, "source", y->source,
                          "digest", digest, "previous_digest", prev, "rest_days", rest, "work_days", work,
                          "workdays_in_year", workdays, "origin", j->origin);
    event e = {.ledger = j->ledger, .actor = j->actor, .unit_id = j->unit_id, .subject_kind = "calendar",
               .subject_id = year, .action = "calendar.imported"};
    int rc = p ? event_append(w, &e, p) : FZ_NOMEM;
    json_decref(p);
    return rc;
}

static int new_token(store_conn *w)
{
    unsigned char raw[16];
    char hex[SM3_HEX_LEN + 1];
    if (sm_random(raw, sizeof(raw)))
        return FZ_ERR;
    for (size_t i = 0; i < sizeof(raw); i++)
        snprintf(hex + 2 * i, 3, "%02x", raw[i]);
    return store_run(w, "INSERT INTO meta (key, value) VALUES ('calendar_token', ?)"
                        " ON CONFLICT (key) DO UPDATE SET value = excluded.value", "s", hex);
}

/* Writes the years of f whose digest differs from the stored one, then
 * recomputes the open clocks on the new calendar. */
static int import_file(store_conn *w, holidays_import_job *j, const calfile *f)
{
    json_t *years = json_array();
    if (!years)
        return FZ_NOMEM;
    int rc = FZ_OK;
    for (size_t i = 0; i < f->nyears && !rc; i++) {
        char digest[SM3_HEX_LEN + 1], prev[SM3_HEX_LEN + 1];
        calfile_digest(&f->years[i], digest);
        if ((rc = stored_digest(w, f->years[i].year, prev)))
            break;
        if (strcmp(prev, digest) == 0) {
            j->unchanged++;
            continue;
        }
        if ((rc = write_year(w, j, &f->years[i], digest, prev)))
            break;
        j->imported++;
        json_array_append_new(years, json_integer(f->years[i].year));
    }
    if (!rc && j->imported) {
        cal *c = NULL;
        rc = new_token(w);
        if (!rc)
            rc = holidays_build(w, &c);
        if (!rc) {
            clock_ctx x = {.ledger = j->ledger, .actor = j->actor, .cal = c, .today = j->today};
            json_t *why = json_pack("{s:s, s:O}", "reason", "calendar.imported", "years", years);
            rc = why ? clock_recompute_all(w, &x, why) : FZ_NOMEM;
            json_decref(why);
            j->clocks_changed = x.changed;
        }
        cal_free(c);
    }
    json_decref(years);
    return rc;
}

int holidays_import_job_fn(store_conn *w, void *ctx)
{
    holidays_import_job *j = ctx;
    j->imported = j->unchanged = j->clocks_changed = 0;
    if (j->check_range) {
        int years[CAL_LAST_YEAR - CAL_FIRST_YEAR + 1], n = 0;
        if (holidays_years(w, years, (int)(sizeof(years) / sizeof(years[0])), &n))
            return FZ_ERR;
        if (n && calfile_check_range(j->file, years[0], years[n - 1], j->err, sizeof(j->err)))
            return FZ_INVALID;
    }
    return import_file(w, j, j->file);
}

int holidays_seed_job(store_conn *w, void *ctx)
{
    holidays_import_job *j = ctx;
    j->imported = j->unchanged = j->clocks_changed = 0;
    calfile all, missing = {0};
    if (holidays_shipped_parse(&all, j->err, sizeof(j->err)) != FZ_OK)
        return FZ_ERR;
    /* Only the shipped years the store lacks: a stored year (maybe an
     * administrator's correction) is never overwritten by the binary. */
    missing.years = calloc(all.nyears ? all.nyears : 1, sizeof(calfile_year));
    int rc = missing.years ? FZ_OK : FZ_NOMEM;
    for (size_t i = 0; i < all.nyears && !rc; i++) {
        int64_t n = 0;
        if ((rc = store_query_int(w, &n, 0, "SELECT count(*) FROM holiday_years WHERE year = ?", "i",
                                  (int64_t)all.years[i].year)))
            break;
        if (!n)
            missing.years[missing.nyears++] = all.years[i];
    }
    j->origin = "builtin";
    if (!rc && missing.nyears)
        rc = import_file(w, j, &missing);
    free(missing.years); /* the days belong to `all` */
    calfile_free(&all);
    return rc;
}
