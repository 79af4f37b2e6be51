/* guard.h: authentication and permission check run before every handler
 * (called by http/ for each matched route). */
#ifndef FZ_GUARD_H
#define FZ_GUARD_H

#include "api/routes.h"

/* FZ_OK to run the handler (principal set on r, or a public route); otherwise
 * it has replied (401 unauthenticated / session_expired / token_revoked,
 * 403 csrf_failed / password_change_required / totp_setup_required /
 * forbidden, 503) and returns FZ_ERR. */
int api_guard(req *r, const api_route *route);

#endif
