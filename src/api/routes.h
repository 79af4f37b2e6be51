/* routes.h: the API route table. http/router.c matches requests against it;
 * tests enumerate it (GET /api/system/routes) so no route goes unchecked. */
#ifndef FZ_ROUTES_H
#define FZ_ROUTES_H

#include <stddef.h>

#include "api/req.h"

typedef int (*api_handler)(req *r);

typedef struct api_route {
    const char *method;  /* "GET", "POST", ... */
    const char *pattern; /* "/api/events/{seq}": literal segments and {params} */
    api_handler fn;
    const char *name;    /* metrics label */
    const char *perm;    /* NULL: public; ROUTE_USER: any signed-in caller; ROUTE_SELF: also
                            allowed while a password change or TOTP enrolment is pending;
                            ROUTE_ENROL: also allowed while TOTP enrolment (only) is pending;
                            else the permission string the caller must hold */
} api_route;

#define ROUTE_USER "@user"
#define ROUTE_SELF "@self"
#define ROUTE_ENROL "@enrol"

extern const api_route api_routes[];
extern const size_t api_route_count;

/* Routes whose handler streams the body (req_stream_form in api/req.h): it
 * runs as soon as the headers are in, and the JSON body cap does not apply.
 * Listed by handler in routes.c. */
int api_route_streams(const api_route *rt);

/* Handlers, one file per area. */
int api_healthz(req *r);
int api_readyz(req *r);
int api_metrics(req *r);
int api_system_status(req *r);
int api_system_routes(req *r);
int api_defs_list(req *r);
int api_defs_get(req *r);
int api_cases_list(req *r);
int api_cases_get(req *r);
int api_cases_create(req *r);
int api_cases_act(req *r);
int api_cases_comment(req *r);
int api_cases_export(req *r);
int api_search(req *r);
int api_public_publications(req *r);
int api_public_catalogs_list(req *r);
int api_public_publication(req *r);
int api_publications_export(req *r);
/* indicators_api.c */
int api_indicators(req *r);
int api_indicator_trend(req *r);
/* indicator_cases_api.c */
int api_indicator_cases(req *r);
/* report_api.c */
int api_report_annual(req *r);
int api_cases_assign(req *r);
int api_attachments_upload(req *r);
int api_attachments_list(req *r);
int api_attachments_get(req *r);
int api_catalogs_list(req *r);
int api_catalogs_get(req *r);
int api_catalogs_versions(req *r);
int api_catalogs_create(req *r);
int api_catalogs_update(req *r);
int api_enforcement_officer_status(req *r);
int api_enforcement_discretion(req *r);
int api_enforcement_penalty_surcharge(req *r);
int api_enforcement_inspection_stats(req *r);
int api_enforcement_review_queue(req *r);
int api_reviews_list(req *r);
int api_reviews_create(req *r);
int api_reviews_get(req *r);
int api_reviews_draw(req *r);
int api_reviews_close(req *r);
int api_reviews_files(req *r);
int api_reviews_file(req *r);
int api_reviews_score(req *r);
int api_reviews_statement(req *r);
int api_reviews_adjust(req *r);
int api_reviews_retrospect(req *r);
int api_reviews_referral(req *r);
int api_reviews_outcome(req *r);
int api_chain_head(req *r);
int api_chain_checkpoint(req *r);
int api_auth_login(req *r);
int api_auth_me(req *r);
int api_auth_logout(req *r);
int api_auth_password(req *r);
int api_auth_totp_setup(req *r);
int api_auth_totp_enable(req *r);
int api_auth_totp_disable(req *r);
int api_regions_list(req *r);
int api_regions_create(req *r);
int api_regions_update(req *r);
int api_regions_delete(req *r);
int api_units_list(req *r);
int api_units_get(req *r);
int api_units_create(req *r);
int api_units_update(req *r);
int api_units_delete(req *r);
int api_users_list(req *r);
int api_users_get(req *r);
int api_users_create(req *r);
int api_users_update(req *r);
int api_users_reset_password(req *r);
int api_users_unlock(req *r);
int api_roles_list(req *r);
int api_roles_create(req *r);
int api_roles_update(req *r);
int api_roles_delete(req *r);
int api_permissions_list(req *r);
int api_tokens_list(req *r);
int api_tokens_create(req *r);
int api_tokens_revoke(req *r);
int api_policy_get(req *r);
int api_policy_update(req *r);
int api_audit_events(req *r);
int api_audit_event(req *r);
int api_audit_export(req *r);
int api_audit_logins(req *r);
int api_calendar_years(req *r);
int api_calendar_year(req *r);
int api_calendar_compute(req *r);
int api_calendar_count(req *r);
int api_calendar_import(req *r);
int api_clocks_list(req *r);
int api_clocks_start(req *r);
int api_clocks_get(req *r);
int api_clocks_pause(req *r);
int api_clocks_resume(req *r);
int api_clocks_extend(req *r);
int api_clocks_stop(req *r);
int api_notifications_list(req *r);
int api_notifications_read(req *r);
int api_scheduler_run(req *r);

#endif
