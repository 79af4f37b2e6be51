/* scheduler.c: the clock scheduler thread (see scheduler.h). It sleeps on a
 * condition variable with a monotonic timeout so that stopping it is
 * immediate and a change of the wall clock cannot make it sleep for hours. */
#include "engine/scheduler.h"
#include "engine/clock.h"
#include "engine/holidays.h"
#include "store/store.h"
#include "core/log.h"
#include "core/status.h"
#include "core/timeutil.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

int64_t scheduler_today(void)
{
    int y, m, d;
    if (date_from_yyyymmdd(today_yyyymmdd(), &y, &m, &d))
        return days_from_civil(1970, 1, 1) + time_now_ms() / 86400000;
    return days_from_civil(y, m, d);
}

int scheduler_job_fn(store_conn *w, void *ctx)
{
    scheduler_job *j = ctx;
    hol_ref *ref;
    int rc = holidays_acquire(w, &ref);
    if (rc)
        return rc;
    clock_ctx x = {.ledger = j->ledger, .actor = "system", .cal = holidays_cal(ref), .today = j->today};
    rc = clock_tick(w, &x, SCHEDULER_BATCH);
    j->changed = x.changed;
    holidays_release(ref);
    return rc;
}

int scheduler_run(store *s, const char *ledger, int64_t today, int *changed)
{
    int total = 0, rc;
    for (;;) {
        scheduler_job j = {.ledger = ledger, .today = today};
        if ((rc = store_write(s, scheduler_job_fn, &j)))
            break;
        total += j.changed;
        if (j.changed < SCHEDULER_BATCH)
            break;
    }
    if (changed)
        *changed = total;
    return rc;
}

/* The lease: held for two intervals and renewed before every pass, so a
 * node that stops is replaced within two minutes; a node that stops cleanly
 * gives it up at once. */
#define LEASE_MS (2 * SCHEDULER_INTERVAL_MS)

typedef struct lease_job {
    const char *holder;
    int64_t now, until;
    int held;
} lease_job;

static int lease_fn(store_conn *w, void *ctx)
{
    lease_job *j = ctx;
    int rc = store_run(w,
                       "INSERT INTO leases (name, holder, until_ms, acquired_at) VALUES ('scheduler', ?1, ?2, ?3)"
                       " ON CONFLICT (name) DO UPDATE SET until_ms = excluded.until_ms, holder = excluded.holder,"
                       " acquired_at = CASE WHEN leases.holder = excluded.holder THEN leases.acquired_at"
                       " ELSE excluded.acquired_at END"
                       " WHERE leases.holder = excluded.holder OR leases.until_ms < ?3",
                       "sii", j->holder, j->until, j->now);
    j->held = rc == FZ_OK && store_changes(w) == 1;
    return rc;
}

static int lease_release_fn(store_conn *w, void *ctx)
{
    lease_job *j = ctx;
    return store_run(w, "UPDATE leases SET until_ms = 0 WHERE name = 'scheduler' AND holder = ?", "s", j->holder);
}

struct scheduler {
    store *st;
    const char *ledger;
    char holder[48]; /* this process: host, pid and a random tag */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
};

static void *loop(void *arg)
{
    scheduler *sc = arg;
    for (;;) {
        int changed = 0;
        int64_t now = time_now_ms();
        lease_job lj = {.holder = sc->holder, .now = now, .until = now + LEASE_MS};
        int rc = store_write(sc->st, lease_fn, &lj);
        if (rc == FZ_OK && lj.held)
            rc = scheduler_run(sc->st, sc->ledger, scheduler_today(), &changed);
        if (rc)
            log_warn("期限巡检失败（%d），将在下一轮重试", rc);
        else if (changed)
            log_info("期限巡检：%d 个期限进入预警或逾期", changed);
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += SCHEDULER_INTERVAL_MS / 1000;
        pthread_mutex_lock(&sc->mu);
        while (!sc->stop) {
            int w = pthread_cond_timedwait(&sc->cv, &sc->mu, &until);
            if (w == ETIMEDOUT)
                break;
        }
        int stop = sc->stop;
        pthread_mutex_unlock(&sc->mu);
        if (stop)
            return NULL;
    }
}

scheduler *scheduler_start(store *s, const char *ledger)
{
    scheduler *sc = calloc(1, sizeof(*sc));
    if (!sc)
        return NULL;
    sc->st = s;
    sc->ledger = ledger;
    char host[32] = "";
    gethostname(host, sizeof(host) - 1);
    unsigned tag = 0;
    if (getrandom(&tag, sizeof(tag), 0) != (ssize_t)sizeof(tag))
        tag = (unsigned)time_now_ms();
    snprintf(sc->holder, sizeof(sc->holder), "%.31s/%d/%08x", host, (int)getpid(), tag);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&sc->mu, NULL);
    pthread_cond_init(&sc->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&sc->thread, NULL, loop, sc) != 0) {
        pthread_cond_destroy(&sc->cv);
        pthread_mutex_destroy(&sc->mu);
        free(sc);
        return NULL;
    }
    return sc;
}

void scheduler_stop(scheduler *sc)
{
    if (!sc)
        return;
    pthread_mutex_lock(&sc->mu);
    sc->stop = 1;
    pthread_cond_signal(&sc->cv);
    pthread_mutex_unlock(&sc->mu);
    pthread_join(sc->thread, NULL);
    lease_job lj = {.holder = sc->holder};
    store_write(sc->st, lease_release_fn, &lj); /* another node may take over at once */
    pthread_cond_destroy(&sc->cv);
    pthread_mutex_destroy(&sc->mu);
    free(sc);
}
