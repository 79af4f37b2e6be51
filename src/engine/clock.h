/* clock.h: statutory clocks (法定期限) attached to a subject (a case, a
 * request, any object named by kind and id): start, pause for an excluded
 * period, resume, extend, stop; warned and overdue as time passes
 * (engine/scheduler.h); recomputed when a holiday schedule is imported.
 *
 * The deadline rule is data (clock_def: "20wd", "15d" + roll, "3m", a warn
 * threshold, an extension cap), computed by core/deadline.h on the calendar
 * passed in the context. States:
 *   running -> warned -> overdue                 (time passes)
 *   running | warned | overdue -> paused -> …    (pause / resume)
 *   any open state -> stopped_in_time | stopped_late
 * Every change updates the `clocks` row and appends one event (clock.*) in
 * the same write job; entering warned or overdue also writes one in-app
 * notification (`notifications`) for the handler (or the unit when the clock
 * has no handler). All functions taking a store_conn *w run inside a store
 * write job; they return FZ_OK, FZ_NOTFOUND, FZ_INVALID / FZ_CONFLICT with
 * x->field and x->why (Chinese) set, FZ_ERR. */
#ifndef FZ_CLOCK_H
#define FZ_CLOCK_H

#include <jansson.h>
#include <stdint.h>

#include "core/calendar.h"
#include "core/deadline.h"

typedef struct store_conn store_conn;

#define CLOCK_NO_DAY INT64_MIN

/* Why a clock may stop running (excluded periods, DOMAIN §3). */
typedef struct clock_reason {
    const char *key, *label, *basis;
    int may_restart; /* resume may restart the period (补正: 条例 Art.30) */
} clock_reason;
extern const clock_reason clock_reasons[];
extern const int clock_nreasons;
const clock_reason *clock_reason_find(const char *key);

const char *clock_state_label(const char *state);

typedef struct clock_def {
    const char *subject_kind, *subject_id, *name, *label, *basis;
    int64_t unit_id, handler_id;
    const char *region_code; /* NULL: the ledger */
    dl_rule limit;
    int roll;
    int has_warn;
    dl_rule warn;
    int64_t ext_max;      /* total extension allowed, in limit's unit; 0 = none */
    int ext_times;        /* how many extensions at most (1 = once) */
    const char *ext_role; /* role key that must approve ("" = any caller) */
} clock_def;

typedef struct clock_ctx {
    const char *ledger;
    const char *actor;
    const cal *cal;
    int64_t today;              /* day number */
    const char *const *roles;   /* the actor's role keys (extension approval) */
    int nroles;
    /* out */
    int forbidden;              /* with FZ_CONFLICT: the actor lacks the role */
    char field[32];
    char why[300];
    int64_t event_seq;
    int changed;                /* clocks changed by a tick or a recompute */
} clock_ctx;

typedef struct clock_row {
    int64_t id;
    char subject_kind[72], subject_id[136], name[72], label[164], basis[812], region_code[16];
    int64_t unit_id, handler_id;
    dl_rule limit;
    int roll, has_warn;
    dl_rule warn;
    int64_t ext_max, extended;
    int ext_times, ext_count;
    char ext_role[40];
    int64_t start, count_from, last;  /* day numbers */
    char state[20];
    int64_t due, warn_date;
    int provisional;
    int64_t paused_since, stopped_on; /* CLOCK_NO_DAY when not */
    char pause_reason[24];
    int64_t created_at, updated_at;
} clock_row;

int clock_start(store_conn *w, clock_ctx *x, const clock_def *d, int64_t start, int64_t *id);
int clock_pause(store_conn *w, clock_ctx *x, int64_t id, const char *reason, const char *note, int64_t day);
int clock_resume(store_conn *w, clock_ctx *x, int64_t id, int64_t day, int restart);
int clock_extend(store_conn *w, clock_ctx *x, int64_t id, dl_rule amount, const char *reason, int64_t day);
int clock_stop(store_conn *w, clock_ctx *x, int64_t id, int64_t day, const char *outcome);

/* Marks running/warned clocks warned or overdue as of x->today, at most
 * limit of them; x->changed says how many. Idempotent. */
int clock_tick(store_conn *w, clock_ctx *x, int limit);
/* Recomputes every open clock on x->cal (after a schedule import); x->changed
 * counts the clocks whose deadline or provisional flag moved. why goes into
 * each clock.recomputed event. */
int clock_recompute_all(store_conn *w, clock_ctx *x, const json_t *why);

/* The columns clock_read_row expects, in order, for a query over
 * "clocks c"; more columns may follow them. */
#define CLOCK_COLUMNS                                                                                          \
    "c.id, c.subject_kind, c.subject_id, c.name, c.label, c.basis, c.unit_id, c.handler_id, c.region_code,"   \
    " c.rule, c.roll, c.warn, c.ext_max, c.ext_times, c.ext_role, c.extended, c.ext_count, c.start_date,"     \
    " c.count_from, c.last_date, c.state, c.due_date, c.warn_date, c.provisional, c.paused_since,"            \
    " c.pause_reason, c.stopped_on, c.created_at, c.updated_at"
#define CLOCK_NCOLUMNS 29
typedef struct store_stmt store_stmt;
int clock_read_row(store_stmt *st, clock_row *r);

/* Reads one clock (any connection). */
int clock_load(store_conn *c, int64_t id, clock_row *out);
/* The clock as the API shows it, with remaining time as of today; cal may be
 * NULL (no remaining). New reference. */
json_t *clock_json(const clock_row *r, const cal *c, int64_t today);
/* Its pauses, oldest first. New reference. */
json_t *clock_pauses_json(store_conn *c, int64_t id);

/* "YYYY-MM-DD" of a day number ("" for CLOCK_NO_DAY); out has 11 bytes. */
void clock_day_text(int64_t day, char out[11]);
/* Parses "YYYY-MM-DD" (or "" → CLOCK_NO_DAY). */
int clock_day_parse(const char *s, int64_t *day);

#endif
