/* routes.c: every API route, in one table (matched in order), with the
 * permission each requires (api/guard.c enforces it before the handler). */
#include "api/routes.h"

const api_route api_routes[] = {
    {"GET", "/healthz", api_healthz, "healthz", NULL},
    {"GET", "/readyz", api_readyz, "readyz", NULL},
    {"GET", "/metrics", api_metrics, "metrics", NULL},
    {"POST", "/api/auth/login", api_auth_login, "auth_login", NULL},
    {"GET", "/api/auth/me", api_auth_me, "auth_me", ROUTE_SELF},
    {"POST", "/api/auth/logout", api_auth_logout, "auth_logout", ROUTE_SELF},
    {"POST", "/api/auth/password", api_auth_password, "auth_password", ROUTE_SELF},
    {"POST", "/api/auth/totp/setup", api_auth_totp_setup, "auth_totp_setup", ROUTE_ENROL},
    {"POST", "/api/auth/totp/enable", api_auth_totp_enable, "auth_totp_enable", ROUTE_ENROL},
    {"POST", "/api/auth/totp/disable", api_auth_totp_disable, "auth_totp_disable", ROUTE_USER},
    {"GET", "/api/system/status", api_system_status, "system_status", "system:status:view"},
    {"GET", "/api/system/routes", api_system_routes, "system_routes", ROUTE_USER},
    {"GET", "/api/defs", api_defs_list, "defs_list", ROUTE_USER},
    {"GET", "/api/defs/{type}/{name}", api_defs_get, "defs_get", ROUTE_USER},
    {"GET", "/api/cases/{kind}", api_cases_list, "cases_list", "case:view"},
    {"POST", "/api/cases/{kind}", api_cases_create, "cases_create", "case:create"},
    /* Before {id}: the router takes the first pattern that matches. */
    {"GET", "/api/cases/{kind}/export", api_cases_export, "cases_export", "case:view"},
    {"GET", "/api/cases/{kind}/{id}", api_cases_get, "cases_get", "case:view"},
    {"POST", "/api/cases/{kind}/{id}/actions/{action}", api_cases_act, "cases_act", "case:handle"},
    {"POST", "/api/cases/{kind}/{id}/comments", api_cases_comment, "cases_comment", "case:view"},
    {"POST", "/api/cases/{kind}/{id}/assign", api_cases_assign, "cases_assign", "case:handle"},
    {"GET", "/api/cases/{kind}/{id}/attachments", api_attachments_list, "attachments_list", "case:view"},
    {"POST", "/api/cases/{kind}/{id}/attachments", api_attachments_upload, "attachments_upload", "case:handle"},
    {"GET", "/api/attachments/{id}", api_attachments_get, "attachments_get", "case:view"},
    {"GET", "/api/search", api_search, "search", ROUTE_USER},
    {"GET", "/api/catalogs/{name}", api_catalogs_list, "catalogs_list", "catalog:view"},
    {"POST", "/api/catalogs/{name}", api_catalogs_create, "catalogs_create", "catalog:edit"},
    {"GET", "/api/catalogs/{name}/{id}", api_catalogs_get, "catalogs_get", "catalog:view"},
    {"PUT", "/api/catalogs/{name}/{id}", api_catalogs_update, "catalogs_update", "catalog:edit"},
    {"GET", "/api/catalogs/{name}/{id}/versions", api_catalogs_versions, "catalogs_versions", "catalog:view"},
    {"GET", "/api/regions", api_regions_list, "regions_list", "system:region:view"},
    {"POST", "/api/regions", api_regions_create, "regions_create", "system:region:edit"},
    {"PUT", "/api/regions/{code}", api_regions_update, "regions_update", "system:region:edit"},
    {"DELETE", "/api/regions/{code}", api_regions_delete, "regions_delete", "system:region:edit"},
    {"GET", "/api/units", api_units_list, "units_list", "system:unit:view"},
    {"GET", "/api/units/{id}", api_units_get, "units_get", "system:unit:view"},
    {"POST", "/api/units", api_units_create, "units_create", "system:unit:edit"},
    {"PUT", "/api/units/{id}", api_units_update, "units_update", "system:unit:edit"},
    {"DELETE", "/api/units/{id}", api_units_delete, "units_delete", "system:unit:edit"},
    {"GET", "/api/users", api_users_list, "users_list", "system:user:view"},
    {"GET", "/api/users/{id}", api_users_get, "users_get", "system:user:view"},
    {"POST", "/api/users", api_users_create, "users_create", "system:user:edit"},
    {"PUT", "/api/users/{id}", api_users_update, "users_update", "system:user:edit"},
    {"POST", "/api/users/{id}/reset-password", api_users_reset_password, "users_reset_password", "system:user:edit"},
    {"POST", "/api/users/{id}/unlock", api_users_unlock, "users_unlock", "security:user:unlock"},
    {"GET", "/api/roles", api_roles_list, "roles_list", "system:role:view"},
    {"POST", "/api/roles", api_roles_create, "roles_create", "system:role:edit"},
    {"PUT", "/api/roles/{id}", api_roles_update, "roles_update", "system:role:edit"},
    {"DELETE", "/api/roles/{id}", api_roles_delete, "roles_delete", "system:role:edit"},
    {"GET", "/api/permissions", api_permissions_list, "permissions_list", "system:role:view"},
    {"GET", "/api/tokens", api_tokens_list, "tokens_list", "system:token:manage"},
    {"POST", "/api/tokens", api_tokens_create, "tokens_create", "system:token:manage"},
    {"POST", "/api/tokens/{id}/revoke", api_tokens_revoke, "tokens_revoke", "system:token:manage"},
    {"GET", "/api/security/policy", api_policy_get, "policy_get", "security:policy:view"},
    {"PUT", "/api/security/policy", api_policy_update, "policy_update", "security:policy:edit"},
    {"GET", "/api/audit/events", api_audit_events, "audit_events", "audit:log:view"},
    {"GET", "/api/audit/events/{seq}", api_audit_event, "audit_event", "audit:log:view"},
    {"GET", "/api/audit/export", api_audit_export, "audit_export", "audit:log:export"},
    {"GET", "/api/audit/logins", api_audit_logins, "audit_logins", "audit:log:view"},
    {"GET", "/api/chain/head", api_chain_head, "chain_head", "chain:view"},
    {"POST", "/api/chain/checkpoints", api_chain_checkpoint, "chain_checkpoint", "chain:checkpoint"},
    {"GET", "/api/calendar/years", api_calendar_years, "calendar_years", "calendar:view"},
    {"GET", "/api/calendar/years/{year}", api_calendar_year, "calendar_year", "calendar:view"},
    {"GET", "/api/calendar/compute", api_calendar_compute, "calendar_compute", "calendar:view"},
    {"GET", "/api/calendar/count", api_calendar_count, "calendar_count", "calendar:view"},
    {"POST", "/api/calendar/import", api_calendar_import, "calendar_import", "calendar:edit"},
    {"GET", "/api/clocks", api_clocks_list, "clocks_list", "clock:view"},
    {"POST", "/api/clocks", api_clocks_start, "clocks_start", "clock:edit"},
    {"GET", "/api/clocks/{id}", api_clocks_get, "clocks_get", "clock:view"},
    {"POST", "/api/clocks/{id}/pause", api_clocks_pause, "clocks_pause", "clock:edit"},
    {"POST", "/api/clocks/{id}/resume", api_clocks_resume, "clocks_resume", "clock:edit"},
    {"POST", "/api/clocks/{id}/extend", api_clocks_extend, "clocks_extend", "clock:edit"},
    {"POST", "/api/clocks/{id}/stop", api_clocks_stop, "clocks_stop", "clock:edit"},
    {"GET", "/api/notifications", api_notifications_list, "notifications_list", ROUTE_USER},
    {"POST", "/api/notifications/{id}/read", api_notifications_read, "notifications_read", ROUTE_USER},
    {"POST", "/api/system/scheduler/run", api_scheduler_run, "scheduler_run", "system:scheduler:run"},
};

const size_t api_route_count = sizeof(api_routes) / sizeof(api_routes[0]);

/* Handlers that stream their body (see routes.h). */
static const api_handler stream_handlers[] = {api_attachments_upload};

int api_route_streams(const api_route *rt)
{
    for (size_t i = 0; i < sizeof(stream_handlers) / sizeof(stream_handlers[0]); i++)
        if (rt->fn == stream_handlers[i])
            return 1;
    return 0;
}
