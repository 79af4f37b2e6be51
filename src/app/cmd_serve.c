/* cmd_serve.c: `fazhi serve`: opens the store, records a config change as an
 * event, starts HTTP, and runs until SIGINT/SIGTERM, then shuts down in order
 * (HTTP first, so no request is cut off mid-write; then the store). */
#include "api/app.h"
#include "app/cli.h"
#include "engine/indicators.h"
#include "engine/authcache.h"
#include "engine/events.h"
#include "engine/holidays.h"
#include "engine/scheduler.h"
#include "engine/schema.h"
#include "http/server.h"
#include "core/log.h"
#include "core/status.h"
#include "core/timeutil.h"

#include <fcntl.h>
#include <stdlib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef struct config_job {
    const config *cfg;
    int changed;
} config_job;

/* Appends system.config_changed when fazhi.conf differs from the last start. */
static int config_check_write(store_conn *w, void *ctx)
{
    config_job *j = ctx;
    store_stmt *st;
    if (store_prepare(w, "SELECT value FROM meta WHERE key = 'config_digest'", &st))
        return FZ_ERR;
    char old[SM3_HEX_LEN + 1] = "";
    if (store_step(st) == STORE_ROW)
        snprintf(old, sizeof(old), "%s", store_col_text(st, 0));
    store_done(st);
    if (strcmp(old, j->cfg->file_digest) == 0)
        return FZ_OK;
    json_t *p = json_pack("{s:s, s:s}", "old_digest", old, "new_digest", j->cfg->file_digest);
    event ev = {.ledger = j->cfg->region_code, .actor = "system", .subject_kind = "system",
                .subject_id = j->cfg->region_code, .action = "system.config_changed"};
    int rc = event_append(w, &ev, p);
    json_decref(p);
    if (rc)
        return rc;
    if (store_prepare(w, "INSERT INTO meta (key, value) VALUES ('config_digest', ?)"
                         " ON CONFLICT (key) DO UPDATE SET value = excluded.value", &st))
        return FZ_ERR;
    store_bind_text(st, 1, j->cfg->file_digest);
    rc = store_step(st) == STORE_DONE ? FZ_OK : FZ_ERR;
    store_done(st);
    j->changed = rc == FZ_OK;
    return rc;
}

typedef struct schema_job {
    const defs *defs;
    char msg[600];
} schema_job;

/* Tables for the definitions, before any request can touch them. */
static int schema_write(store_conn *w, void *ctx)
{
    schema_job *j = ctx;
    return schema_sync(w, j->defs, j->msg, sizeof(j->msg));
}

typedef struct masks_job {
    const defs *defs;
    const field_keys *keys;
    int64_t filled;
} masks_job;

static int masks_write(store_conn *w, void *ctx)
{
    masks_job *j = ctx;
    return schema_fill_masks(w, j->defs, j->keys, 5000, &j->filled);
}

/* The masked copies of sealed values that rows from before they were kept
 * lack (schema_fill_masks), a batch per commit; once, after an upgrade. */
static int fill_masks(app *a)
{
    masks_job mj = {.defs = a->defs, .keys = &a->keys};
    int64_t total = 0;
    do {
        if (store_write(a->st, masks_write, &mj) != FZ_OK)
            return FZ_ERR;
        total += mj.filled;
    } while (mj.filled > 0);
    if (total)
        log_info("已为 %lld 条记录补写敏感字段的脱敏副本", (long long)total);
    return FZ_OK;
}

static int open_access_log(const config *cfg)
{
    if (strcmp(cfg->access_log, "stderr") == 0 || strcmp(cfg->access_log, "off") == 0)
        return 2;
    return open(cfg->access_log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
}

int cmd_serve(int argc, char **argv)
{
    app a = {0};
    const char *pos[1];
    int npos;
    if (cli_parse(argc, argv, &a.cfg, 1, pos, 0, &npos, NULL, NULL))
        return 2;
    int afd = open_access_log(&a.cfg);
    if (afd < 0) {
        fprintf(stderr, "错误：无法打开访问日志 %s\n", a.cfg.access_log);
        return 1;
    }
    log_setup(log_level_parse(a.cfg.log_level), 2, afd);
    /* Four threads a core by default: a thread waiting on a page from the
     * disk or in the kernel leaves its core to another (with one a core, a
     * case detail on a database larger than RAM ran at half the rate:
     * bench/README.md). */
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    a.threads = a.cfg.threads > 0 ? a.cfg.threads : (ncpu > 0 ? (int)ncpu * 4 : 8);
    a.started_ms = time_now_ms();

    /* Block the stop signals before any thread starts; main waits for them. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    char err[512];
    if (fieldcrypt_load(a.cfg.data, &a.keys, err, sizeof(err)) != FZ_OK) {
        fprintf(stderr, "错误：%s\n", err);
        return 1;
    }
    /* Definitions first: an invalid one stops the server before it touches
     * the store, naming the file, the JSON path and the reason. */
    if (cli_load_defs(&a.cfg, &a.defs))
        return 1;
    ind_set_defs(a.defs);
    store_opts o = {.url = a.cfg.store, .dir = a.cfg.data, .ledger = a.cfg.region_code, .batch_max = a.cfg.commit_batch_max};
    if (store_open(&o, &a.st, err, sizeof(err)) != FZ_OK) {
        fprintf(stderr, "错误：%s\n", err);
        defs_free(a.defs);
        return 1;
    }
    store_set_commit_hook(a.st, authcache_after_commit);
    authcache_set_ttl(a.cfg.auth_cache_ms);
    config_job cj = {.cfg = &a.cfg};
    if (store_write(a.st, config_check_write, &cj) != FZ_OK) {
        fprintf(stderr, "错误：无法写入数据库\n");
        store_close(a.st);
        defs_free(a.defs);
        return 1;
    }
    if (cj.changed)
        log_info("配置文件已变更，已记录事件 system.config_changed");
    schema_job sj = {.defs = a.defs};
    if (store_write(a.st, schema_write, &sj) != FZ_OK) {
        fprintf(stderr, "错误：%s\n", sj.msg[0] ? sj.msg : "无法按定义建立数据表");
        store_close(a.st);
        defs_free(a.defs);
        return 1;
    }
    if (fill_masks(&a) != FZ_OK) {
        fprintf(stderr, "错误：无法补写敏感字段的脱敏副本\n");
        store_close(a.st);
        defs_free(a.defs);
        return 1;
    }
    /* Values computed under other indicator definitions are rebuilt before
     * any write applies deltas to them (engine/indicators.h). */
    int64_t refacts = -1;
    if (ind_attach(a.st, a.defs, &refacts) != FZ_OK) {
        fprintf(stderr, "错误：无法按指标定义重算指标\n");
        store_close(a.st);
        defs_free(a.defs);
        return 1;
    }
    if (refacts >= 0)
        log_info("指标定义已变更，已按新定义重算 %lld 条指标事实", (long long)refacts);
    /* The shipped holiday schedules the store lacks become stored years (each
     * an event), so the calendar in force is always the store's. */
    holidays_import_job seed = {.ledger = a.cfg.region_code, .actor = "system", .today = scheduler_today()};
    if (store_write(a.st, holidays_seed_job, &seed) != FZ_OK) {
        fprintf(stderr, "错误：无法写入内置节假日安排\n");
        store_close(a.st);
        defs_free(a.defs);
        return 1;
    }
    if (seed.imported)
        log_info("已写入 %d 个年份的内置节假日安排", seed.imported);
    http_server *srv = http_start(&a, err, sizeof(err));
    if (!srv) {
        fprintf(stderr, "错误：%s\n", err);
        store_close(a.st);
        defs_free(a.defs);
        return 1;
    }
    scheduler *sched = scheduler_start(a.st, a.cfg.region_code);
    if (!sched) {
        fprintf(stderr, "错误：无法启动期限巡检线程\n");
        http_stop(srv);
        store_close(a.st);
        defs_free(a.defs);
        return 1;
    }
    printf("fazhi %s 已启动：http://%s/ （数据目录 %s，%d 个工作线程）\n", FAZHI_VERSION, a.cfg.listen,
           a.cfg.data, a.threads);
    fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    log_info("收到信号 %d，正在停止", sig);
    http_stop(srv);
    scheduler_stop(sched);
    store_close(a.st);
    authcache_clear();
    ind_set_defs(NULL);
    defs_free(a.defs);
    holidays_cache_clear();
    if (afd > 2)
        close(afd);
    return 0;
}
