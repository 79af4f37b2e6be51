/* scheduler.h: the thread inside `fazhi serve` that moves clocks to warned
 * and overdue as days pass (engine/clock.h), and writes their in-app
 * notifications.
 *
 * It keeps no state of its own: each pass reads the clocks whose warn date
 * or deadline has been reached and updates them in one store write job, so a
 * pass is idempotent and a restart simply runs the next pass (one runs at
 * start). Passes run every SCHEDULER_INTERVAL_MS and can be asked for at once
 * (POST /api/system/scheduler/run, which uses scheduler_job directly). "Today"
 * is today_yyyymmdd() in the server's time zone (deployments: Asia/Shanghai). */
#ifndef FZ_SCHEDULER_H
#define FZ_SCHEDULER_H

#include <stdint.h>

typedef struct store store;
typedef struct store_conn store_conn;

#define SCHEDULER_INTERVAL_MS 60000
#define SCHEDULER_BATCH 500

typedef struct scheduler_job {
    const char *ledger;
    int64_t today;  /* day number */
    int changed;    /* out: clocks moved to warned/overdue */
} scheduler_job;

/* A store_write_fn: one pass over at most SCHEDULER_BATCH clocks, using the
 * calendar in force (ctx is a scheduler_job). */
int scheduler_job_fn(store_conn *w, void *ctx);

/* One full pass for `today` (repeats the job until nothing more changes);
 * total changes in *changed (may be NULL). Blocks on store_write. */
int scheduler_run(store *s, const char *ledger, int64_t today, int *changed);

typedef struct scheduler scheduler;
/* Starts the thread (first pass at once). NULL on failure. The ledger string
 * must outlive the scheduler. */
scheduler *scheduler_start(store *s, const char *ledger);
/* Wakes the thread, waits for the pass in progress, joins. Call before
 * store_close. NULL is fine. */
void scheduler_stop(scheduler *sc);

/* Today as a day number (local time zone). */
int64_t scheduler_today(void);

#endif
