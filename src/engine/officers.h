/* officers.h: 执法人员状况 — each officer's qualification and training for a
 * year, computed from the registries (catalogs officers, officer_trainings,
 * officer_exams; docs/enforcement-registries.md), never typed in:
 *
 *   certified   cert_status 有效 and the certificate neither expired nor
 *               issued after the reference date (行政处罚法第四十二条)
 *   hours       sum of officer_trainings.hours of that year for the cert_no
 *   shortfall   max(0, required - hours)
 *
 * The reference date is 31 December of the year, or today in the current
 * year; the officers are the catalog rows in force on it. Trainings and exams
 * are read as currently recorded (a correction entered later counts).
 * Nothing here returns an officer's ID number. */
#ifndef FZ_OFFICERS_H
#define FZ_OFFICERS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/defs.h"

typedef struct store_conn store_conn;

typedef struct officer_query {
    int year;
    char ref_date[11];     /* YYYY-MM-DD */
    int64_t as_of_ms;      /* officers in force at this instant; 0: the current versions */
    const char *unit_path; /* "": every unit; else the unit (materialised path) and those below */
    int required_hours;
    int warn_days;         /* expiring_soon: certified and at most this many days left */
    int64_t page, size;
} officer_query;

/* Fills q's year, reference date and as_of for year, given today as
 * yyyymmdd. FZ_INVALID when year is after today's year (no record yet). */
int officers_query_init(officer_query *q, int year, int today_ymd);

/* The same for a reference day ref_ymd (yyyymmdd; today or later: today and
 * the current versions), the year being ref's. FZ_INVALID when ref is
 * malformed. Used by the 指标 over the officers (engine/ind_module.h). */
int officers_query_at(officer_query *q, int ref_ymd, int today_ymd);

/* Do the definitions have the three catalogs with the fields read here (name
 * and type)? FZ_OK, or FZ_NOTFOUND with a Chinese reason in why. */
int officers_defs_check(const defs *d, char *why, size_t n);

/* One officer, evaluated (pure: unit-tested). */
typedef struct officer_eval {
    int certified;
    int expired;           /* cert_expires_on before the reference date */
    int has_expiry;
    int64_t days_to_expiry; /* cert_expires_on - reference date (negative once expired) */
    int expiring_soon;
    int hours_met;
    int64_t shortfall;
    const char *problem;   /* why not certified (static Chinese text); NULL when certified */
} officer_eval;

/* status: cert_status; issued_on / expires_on: "YYYY-MM-DD" or "" (absent). */
void officer_evaluate(const char *status, const char *issued_on, const char *expires_on, int64_t hours,
                      const char *ref_date, int required_hours, int warn_days, officer_eval *e);

/* num/den as a percentage with two decimals, rounded half up in integer
 * arithmetic ("33.33"); "" when den <= 0 (a rate over nobody is not 100%). */
void officers_percent(int64_t num, int64_t den, char out[32]);

/* The page of officers and the summary over all of them:
 * {"year", "reference_date", "required_hours", "expiry_warn_days",
 *  "summary": {"officers", "certified", "certified_rate": {numerator,
 *   denominator, percent}, "hours_met", "training_rate": {...},
 *   "expiring_soon", "expired", "exams_passed"},
 *  "total", "rows": [...]}. New reference in *out. FZ_OK or a store error. */
int officers_status(store_conn *c, const officer_query *q, json_t **out);

/* Per unit whose region code starts with region_prefix, the officers in
 * force on q's reference date: cb(ctx, unit, officers, certified,
 * certified_meeting_hours), units in ascending order. FZ_OK or a store
 * error. */
typedef void (*officers_unit_cb)(void *ctx, int64_t unit, int64_t officers, int64_t certified, int64_t hours_met);
int officers_by_unit(store_conn *c, const officer_query *q, const char *region_prefix, officers_unit_cb cb, void *ctx);

/* The same on the last day of each month of year that has begun by
 * today_ymd (today for the current month), in one pass over the officers'
 * versions: cb(ctx, month - 1, unit, officers, certified, hours_met). */
typedef void (*officers_month_cb)(void *ctx, int month0, int64_t unit, int64_t officers, int64_t certified,
                                  int64_t hours_met);
int officers_by_unit_months(store_conn *c, int year, int today_ymd, int required_hours, const char *region_prefix,
                            officers_month_cb cb, void *ctx);

/* Tests: on (1), officers_by_unit* read the officers even where the stock
 * timeline (engine/officer_stock.h) could answer -- the computation the
 * timeline must equal; off (0, the default), the timeline when usable.
 * Either way the process's cache is emptied. */
void officers_force_scan(int on);
/* Where this thread's last officers_by_unit* answer came from: 'C' the
 * process's cache, 'T' the timeline, 'S' a read of every officer. */
char officers_last_source(void);

#endif
