/* metrics.c: lock-free counters (relaxed atomics) per route and status code,
 * and one latency histogram. Static storage sized for the route table. */
#include "api/metrics.h"
#include "api/routes.h"

#include <assert.h>
#include <stdatomic.h>

#define MAX_ROUTES 128
#define N_STATUS 500 /* codes 100..599 */

static const double BUCKETS[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                 0.05,   0.1,   0.25,   0.5,   1,    2.5};
#define N_BUCKETS (sizeof(BUCKETS) / sizeof(BUCKETS[0]))

static atomic_uint_fast64_t g_count[MAX_ROUTES + 1][N_STATUS]; /* last row: static/other */
static atomic_uint_fast64_t g_hist[N_BUCKETS + 1];
static atomic_uint_fast64_t g_sum_us;

void metrics_record(int route, int status, int64_t dur_us)
{
    assert(api_route_count <= MAX_ROUTES);
    int row = route >= 0 && route < MAX_ROUTES ? route : MAX_ROUTES;
    int col = status >= 100 && status < 600 ? status - 100 : 499;
    atomic_fetch_add_explicit(&g_count[row][col], 1, memory_order_relaxed);
    double s = (double)dur_us / 1e6;
    size_t b = 0;
    while (b < N_BUCKETS && s > BUCKETS[b])
        b++;
    atomic_fetch_add_explicit(&g_hist[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&g_sum_us, (uint_fast64_t)(dur_us > 0 ? dur_us : 0),
                              memory_order_relaxed);
}

void metrics_render(strbuf *out)
{
    strbuf_puts(out, "# HELP fazhi_http_requests_total HTTP requests by route and status.\n"
                     "# TYPE fazhi_http_requests_total counter\n");
    for (size_t row = 0; row <= MAX_ROUTES; row++) {
        if (row < MAX_ROUTES && row >= api_route_count)
            continue;
        const char *name = row < api_route_count ? api_routes[row].name : "other";
        for (int col = 0; col < N_STATUS; col++) {
            uint64_t n = atomic_load_explicit(&g_count[row][col], memory_order_relaxed);
            if (n)
                strbuf_printf(out, "fazhi_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
                              name, col + 100, (unsigned long long)n);
        }
    }
    strbuf_puts(out, "# HELP fazhi_http_request_duration_seconds Request latency.\n"
                     "# TYPE fazhi_http_request_duration_seconds histogram\n");
    uint64_t cum = 0;
    for (size_t b = 0; b <= N_BUCKETS; b++) {
        cum += atomic_load_explicit(&g_hist[b], memory_order_relaxed);
        if (b < N_BUCKETS)
            strbuf_printf(out, "fazhi_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
                          BUCKETS[b], (unsigned long long)cum);
        else
            strbuf_printf(out, "fazhi_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
                          (unsigned long long)cum);
    }
    strbuf_printf(out, "fazhi_http_request_duration_seconds_sum %.6f\n",
                  (double)atomic_load(&g_sum_us) / 1e6);
    strbuf_printf(out, "fazhi_http_request_duration_seconds_count %llu\n", (unsigned long long)cum);
}
