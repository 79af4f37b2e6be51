/* users.h: user accounts as the API shows them (personal data decrypted and
 * masked unless the viewer holds system:user:sensitive) and the writes that
 * create and change them (each with its event, inside a write job). */
#ifndef FZ_USERS_H
#define FZ_USERS_H

#include <jansson.h>
#include <stdint.h>

#include "engine/fieldcrypt.h"

typedef struct store_conn store_conn;

#define PERM_SENSITIVE "system:user:sensitive"

/* The User object of docs/identity.md, or NULL when the user does not exist. */
json_t *user_json(store_conn *c, const field_keys *k, int64_t user_id, int sensitive, int64_t now_ms);

typedef struct user_input {
    const char *username, *name;
    int64_t unit_id;
    const char *const *roles; /* role keys */
    int nroles;
    int set_roles;
    const char *phone, *id_number; /* NULL: leave as is; "": clear */
    int disabled;                  /* -1: leave as is */
    const char *pw_hash;           /* NULL: leave as is */
    int must_change_pw;
} user_input;

/* Write jobs. actor and ledger name the event. *id receives the new id.
 * FZ_CONFLICT when the user name is taken; FZ_INVALID when a role key is unknown. */
int user_insert(store_conn *w, const field_keys *k, const user_input *in, const char *actor, const char *ledger,
                int64_t *id);
int user_update(store_conn *w, const field_keys *k, int64_t id, const user_input *in, const char *actor,
                const char *ledger);

/* Looks up a user's unit (FZ_NOTFOUND when absent). */
int user_unit(store_conn *c, int64_t user_id, int64_t *unit_id);
/* Looks up a user id by name (0 when absent). */
int user_id_by_name(store_conn *c, const char *username, int64_t *id);

#endif
