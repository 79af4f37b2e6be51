/* holidays.h: the working-day calendar of a data directory: which holiday
 * schedules are in force, loading them into a core/calendar.h table, and
 * importing a new year's schedule (docs/deadlines.md).
 *
 * The calendar in force is the `holidays` / `holiday_years` tables, plus the
 * schedules shipped in the binary (share/holidays/<year>.json, embedded by
 * holidays_shipped.c) for years the tables do not have. `fazhi serve`
 * stores those shipped years at start (holidays_seed_job), through the same
 * import path as an administrator's file, so every schedule that ever
 * applied is an event in the chain.
 *
 * Importing a year replaces that year's rows, records calendar.imported, and
 * recomputes every open clock in the same transaction (engine/clock.h), each
 * change an event. A process-wide cache keeps one built calendar per
 * `calendar_token` (meta), a random value every import changes, so a server
 * notices an import made by `fazhi calendar import` in another process. */
#ifndef FZ_HOLIDAYS_H
#define FZ_HOLIDAYS_H

#include <stddef.h>
#include <stdint.h>

#include "core/calendar.h"
#include "core/calfile.h"

typedef struct store_conn store_conn;

typedef struct holidays_shipped_file {
    int year;
    const char *path; /* in the source tree, for tests and messages */
    const char *text;
} holidays_shipped_file;
extern const holidays_shipped_file holidays_shipped[];
extern const size_t holidays_shipped_count;

/* All shipped schedules as one parsed file (caller frees with calfile_free). */
int holidays_shipped_parse(calfile *out, char *err, size_t errlen);
/* The calendar of the shipped schedules alone (CLI without --data). Caller
 * frees with cal_free. */
int holidays_build_shipped(cal **out);
/* The calendar in force for the store behind c (stored years + shipped years
 * not stored). FZ_ERR when the tables cannot be read (e.g. an old schema).
 * Caller frees with cal_free. */
int holidays_build(store_conn *c, cal **out);

/* Years with a schedule in force (stored or shipped), ascending; at most max. */
int holidays_years(store_conn *c, int *years, int max, int *n);

/* ---- the shared, cached calendar ---- */
typedef struct hol_ref hol_ref;
/* A reference to the calendar in force as c sees it (reading the token on c,
 * so inside a write job it is exact). Release with holidays_release. */
int holidays_acquire(store_conn *c, hol_ref **out);
const cal *holidays_cal(const hol_ref *r);
void holidays_release(hol_ref *r);
/* For arena_defer: releases the hol_ref passed as void *. */
void holidays_release_v(void *r);
/* Drops the cache (at shutdown, so nothing is left allocated). */
void holidays_cache_clear(void);

/* ---- import ---- */
typedef struct holidays_import_job {
    /* in */
    const char *ledger;   /* event ledger (region code) */
    const char *actor;    /* user name or "system" */
    int64_t unit_id;      /* actor's unit, for the events */
    const calfile *file;  /* validated by calfile_parse */
    const char *origin;   /* "import" or "builtin" */
    int64_t today;        /* day number, for clock states after recompute */
    int check_range;      /* refuse years far outside the loaded range */
    /* out */
    int imported;         /* years written */
    int unchanged;        /* years skipped: same digest as stored */
    int clocks_changed;   /* open clocks whose deadline moved */
    char err[400];        /* Chinese reason when FZ_INVALID */
} holidays_import_job;

/* A store_write_fn: imports j->file (ctx is the job). FZ_INVALID with
 * j->err for a year far outside the loaded range. */
int holidays_import_job_fn(store_conn *w, void *ctx);

/* A store_write_fn: stores every shipped year the tables do not have
 * (ctx is a holidays_import_job without file/origin/check_range). */
int holidays_seed_job(store_conn *w, void *ctx);

/* Working days per year of one parsed year, on its own schedule. */
int holidays_year_workdays(const calfile_year *y);

#endif
