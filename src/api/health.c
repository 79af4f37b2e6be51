/* health.c: liveness, readiness and Prometheus metrics. */
#include "api/app.h"
#include "api/metrics.h"
#include "api/routes.h"
#include "engine/events.h"
#include "core/status.h"

#include <stdlib.h>

int api_healthz(req *r)
{
    return req_reply_json(r, 200, json_pack("{s:s}", "status", "ok"));
}

static int noop_job(store_conn *w, void *ctx)
{
    return FZ_OK;
}

static int readyz_done(req *r, void *ctx, int rc)
{
    app *a = req_app(r);
    int cur, latest;
    store_schema(a->st, &cur, &latest);
    int writable = rc == FZ_OK;
    int schema_ok = cur == latest;
    int ok = writable && schema_ok;
    return req_reply_json(r, ok ? 200 : 503,
                          json_pack("{s:s, s:{s:s, s:s}}", "status", ok ? "ready" : "not_ready",
                                    "checks", "store", writable ? "ok" : "不可写", "schema",
                                    schema_ok ? "ok" : "数据库结构版本不是最新"));
}

/* Writable: a job goes through the writer queue and a transaction. */
int api_readyz(req *r)
{
    if (req_write(r, noop_job, NULL, readyz_done) != FZ_OK)
        return readyz_done(r, NULL, FZ_UNAVAIL);
    return FZ_OK;
}

int api_metrics(req *r)
{
    app *a = req_app(r);
    strbuf b = STRBUF_INIT;
    metrics_render(&b);
    store_stats s;
    store_get_stats(a->st, &s);
    strbuf_puts(&b, "# HELP fazhi_store_commit_batch_size Write jobs per group commit.\n"
                    "# TYPE fazhi_store_commit_batch_size histogram\n");
    uint64_t cum = 0;
    for (int i = 0; i < STORE_HIST_BUCKETS; i++) {
        cum += s.hist[i];
        if (i < STORE_HIST_BUCKETS - 1)
            strbuf_printf(&b, "fazhi_store_commit_batch_size_bucket{le=\"%d\"} %llu\n", 1 << i,
                          (unsigned long long)cum);
        else
            strbuf_printf(&b, "fazhi_store_commit_batch_size_bucket{le=\"+Inf\"} %llu\n",
                          (unsigned long long)cum);
    }
    strbuf_printf(&b, "fazhi_store_commit_batch_size_sum %llu\n", (unsigned long long)s.batch_sum);
    strbuf_printf(&b, "fazhi_store_commit_batch_size_count %llu\n", (unsigned long long)s.commits);
    strbuf_printf(&b, "# HELP fazhi_store_write_jobs_total Write jobs completed.\n"
                      "# TYPE fazhi_store_write_jobs_total counter\n"
                      "fazhi_store_write_jobs_total %llu\n"
                      "# HELP fazhi_store_failed_commits_total Commits that failed.\n"
                      "# TYPE fazhi_store_failed_commits_total counter\n"
                      "fazhi_store_failed_commits_total %llu\n"
                      "# HELP fazhi_events_appended_total Events appended to the chain by this process.\n"
                      "# TYPE fazhi_events_appended_total counter\n"
                      "fazhi_events_appended_total %llu\n",
                  (unsigned long long)s.jobs, (unsigned long long)s.failed_commits,
                  (unsigned long long)events_appended());
    if (!strbuf_ok(&b)) {
        strbuf_free(&b);
        return req_reply_error(r, 500, "internal", "内存不足", NULL);
    }
    int rc = req_reply_text(r, 200, "text/plain; version=0.0.4; charset=utf-8", b.data, b.len);
    strbuf_free(&b);
    return rc;
}
