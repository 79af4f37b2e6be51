/* authcache.h: a short-lived, in-process cache of who a session or API token
 * is (the principal, with the session's created/last-seen times) and of the
 * security policy, so an authenticated request does not repeat half a dozen
 * queries. An entry lives at most AUTHCACHE_TTL_MS, and every entry dies at
 * once when an identity event (user, role, unit, token, policy, auth.*) is
 * appended in this process or committed by its writer (the epoch). Another
 * process (a second app node, the CLI) is seen within the TTL. */
#ifndef FZ_AUTHCACHE_H
#define FZ_AUTHCACHE_H

#include <stdint.h>

#include "core/arena.h"
#include "engine/authz.h"
#include "engine/policy.h"

#define AUTHCACHE_TTL_MS 2000 /* default; config key auth_cache_ms */

/* Sets the entry lifetime; 0 turns the cache off. Call before serving. */
void authcache_set_ttl(int64_t ms);

/* The epoch to pass to authcache_put: read it before the database reads
 * whose result is being cached, so a bump in between discards the entry. */
uint64_t authcache_epoch(void);
/* Invalidates everything (an identity change). */
void authcache_bump(void);
/* Called by events: bumps when e names an identity subject or auth action,
 * and remembers to bump again after the writer's commit. */
void authcache_note_event(const char *subject_kind, const char *action);
/* The store's post-commit hook (see store_set_commit_hook). */
void authcache_after_commit(void);

/* key: the SM3 hex of the session or token. On a hit, fills *p (copied into
 * a) and the times, and returns FZ_OK; FZ_NOTFOUND on a miss. */
int authcache_get(const char *key, arena *a, int64_t now_ms, principal *p, int64_t *created, int64_t *seen);
void authcache_put(const char *key, uint64_t epoch, const principal *p, int64_t created, int64_t seen,
                   int64_t now_ms);
/* Records that last_seen was refreshed. */
void authcache_seen(const char *key, int64_t seen);

int authcache_policy(sec_policy *out, int64_t now_ms);
void authcache_put_policy(uint64_t epoch, const sec_policy *p, int64_t now_ms);

/* Frees every entry (process exit; keeps leak checkers quiet). */
void authcache_clear(void);

#endif
