/* routes.c: every API route, in one table (matched in order). */
#include "api/routes.h"

const api_route api_routes[] = {
    {"GET", "/healthz", api_healthz, "healthz"},
    {"GET", "/readyz", api_readyz, "readyz"},
    {"GET", "/metrics", api_metrics, "metrics"},
    {"GET", "/api/system/status", api_system_status, "system_status"},
    {"GET", "/api/system/routes", api_system_routes, "system_routes"},
    {"GET", "/api/events", api_events_list, "events_list"},
    {"GET", "/api/events/{seq}", api_events_get, "events_get"},
    {"GET", "/api/chain/head", api_chain_head, "chain_head"},
    {"POST", "/api/chain/checkpoints", api_chain_checkpoint, "chain_checkpoint"},
};

const size_t api_route_count = sizeof(api_routes) / sizeof(api_routes[0]);
