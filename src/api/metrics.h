/* metrics.h: request counters and latency histogram, recorded by http/ when
 * a request completes and rendered by GET /metrics (Prometheus text). */
#ifndef FZ_METRICS_H
#define FZ_METRICS_H

#include <stdint.h>

#include "core/strbuf.h"

/* route: index into api_routes, or -1 for static files and unmatched paths. */
void metrics_record(int route, int status, int64_t dur_us);
/* Appends the request metrics in Prometheus text format. */
void metrics_render(strbuf *out);

#endif
