/* users.c: user objects and their writes (see users.h). Events carry masked
 * personal data only: the chain is read by auditors and exported. */
#include "engine/users.h"
#include "engine/events.h"
#include "store/store.h"
#include "core/status.h"
#include "core/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decrypts a sealed column and masks it unless sensitive; "" when NULL. */
static json_t *pii_json(const field_keys *k, const void *blob, size_t len, int sensitive,
                        void (*mask)(const char *, char *))
{
    if (!blob || !len)
        return json_string("");
    char *plain = NULL;
    if (fieldcrypt_open(k, blob, len, &plain) != FZ_OK)
        return json_string("（无法解密）");
    json_t *j;
    if (sensitive) {
        j = json_string(plain);
    } else {
        char *m = malloc(strlen(plain) + 1);
        if (m)
            mask(plain, m);
        j = json_string(m ? m : "");
        free(m);
    }
    free(plain);
    return j;
}

json_t *user_json(store_conn *c, const field_keys *k, int64_t user_id, int sensitive, int64_t now_ms)
{
    store_stmt *st;
    if (store_prepare(c, "SELECT u.id, u.username, u.name, u.unit_id, coalesce(un.name, ''), u.phone_enc,"
                         " u.id_number_enc, u.disabled, u.totp_enabled, u.must_change_pw, u.created_at,"
                         " coalesce(l.locked_until, 0)"
                         " FROM users u LEFT JOIN units un ON un.id = u.unit_id"
                         " LEFT JOIN login_locks l ON l.username = u.username AND l.locked_until > ?"
                         " WHERE u.id = ?", &st))
        return NULL;
    store_bind_int(st, 1, now_ms);
    store_bind_int(st, 2, user_id);
    if (store_step(st) != STORE_ROW) {
        store_done(st);
        return NULL;
    }
    char created[32], locked[32] = "";
    time_format_rfc3339(store_col_int(st, 10), created);
    if (store_col_int(st, 11))
        time_format_rfc3339(store_col_int(st, 11), locked);
    size_t plen, ilen;
    const void *pb = store_col_blob(st, 5, &plen);
    json_t *phone = pii_json(k, pb, plen, sensitive, mask_phone);
    const void *ib = store_col_blob(st, 6, &ilen);
    json_t *idno = pii_json(k, ib, ilen, sensitive, mask_idcard);
    json_t *j = json_pack("{s:I, s:s, s:s, s:I, s:s, s:o, s:o, s:b, s:b, s:b, s:s, s:s}", "id",
                          (json_int_t)store_col_int(st, 0), "username", store_col_text(st, 1), "name",
                          store_col_text(st, 2), "unit_id", (json_int_t)store_col_int(st, 3), "unit_name",
                          store_col_text(st, 4), "phone", phone, "id_number", idno, "disabled",
                          (int)store_col_int(st, 7), "totp_enabled", (int)store_col_int(st, 8),
                          "must_change_password", (int)store_col_int(st, 9), "created_at", created,
                          "locked_until", locked);
    store_done(st);
    json_t *roles = json_array();
    if (store_prepare(c, "SELECT r.key FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = ?"
                         " ORDER BY r.id", &st) == FZ_OK) {
        store_bind_int(st, 1, user_id);
        while (store_step(st) == STORE_ROW)
            json_array_append_new(roles, json_string(store_col_text(st, 0)));
        store_done(st);
    }
    json_object_set_new(j, "roles", roles);
    return j;
}

/* Seals a text field; NULL/"" clears it (blob NULL). */
static int seal(const field_keys *k, const char *text, unsigned char **blob, size_t *len)
{
    *blob = NULL;
    *len = 0;
    if (!text || !*text)
        return FZ_OK;
    return fieldcrypt_seal(k, text, strlen(text), blob, len);
}

static int set_roles(store_conn *w, int64_t id, const user_input *in)
{
    if (store_run(w, "DELETE FROM user_roles WHERE user_id = ?", "i", id))
        return FZ_ERR;
    for (int i = 0; i < in->nroles; i++) {
        int64_t role_id;
        if (store_query_int(w, &role_id, 0, "SELECT id FROM roles WHERE key = ?", "s", in->roles[i]))
            return FZ_ERR;
        if (!role_id)
            return FZ_INVALID;
        int rc = store_run(w, "INSERT INTO user_roles (user_id, role_id) VALUES (?, ?)"
                              " ON CONFLICT (user_id, role_id) DO NOTHING", "ii", id, role_id);
        if (rc)
            return rc;
    }
    return FZ_OK;
}

static int user_event(store_conn *w, const field_keys *k, int64_t id, const char *action, const char *actor,
                      const char *ledger, json_t *extra)
{
    json_t *u = user_json(w, k, id, 0, time_now_ms());
    if (!u)
        return FZ_ERR;
    json_object_del(u, "locked_until");
    json_object_del(u, "created_at");
    if (extra)
        json_object_update(u, extra);
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", (long long)id);
    int64_t unit = json_integer_value(json_object_get(u, "unit_id"));
    event e = {.ledger = ledger, .actor = actor, .unit_id = unit, .subject_kind = "user", .subject_id = sid,
               .action = action};
    int rc = event_append(w, &e, u);
    json_decref(u);
    return rc;
}

int user_insert(store_conn *w, const field_keys *k, const user_input *in, const char *actor, const char *ledger,
                int64_t *id)
{
    unsigned char *phone = NULL, *idno = NULL;
    size_t plen = 0, ilen = 0;
    if (seal(k, in->phone, &phone, &plen) || seal(k, in->id_number, &idno, &ilen)) {
        free(phone);
        return FZ_ERR;
    }
    int64_t now = time_now_ms();
    store_stmt *st;
    int rc = store_prepare(w, "INSERT INTO users (username, name, unit_id, phone_enc, id_number_enc, pw_hash,"
                              " pw_changed_at, must_change_pw, disabled, totp_enabled, totp_last_step, created_at)"
                              " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?) RETURNING id", &st);
    if (rc == FZ_OK) {
        store_bind_text(st, 1, in->username);
        store_bind_text(st, 2, in->name);
        store_bind_int(st, 3, in->unit_id);
        if (phone)
            store_bind_blob(st, 4, phone, plen);
        else
            store_bind_null(st, 4);
        if (idno)
            store_bind_blob(st, 5, idno, ilen);
        else
            store_bind_null(st, 5);
        store_bind_text(st, 6, in->pw_hash);
        store_bind_int(st, 7, now);
        store_bind_int(st, 8, in->must_change_pw);
        store_bind_int(st, 9, in->disabled > 0);
        store_bind_int(st, 10, now);
        rc = store_step(st);
        if (rc == STORE_ROW) {
            *id = store_col_int(st, 0);
            rc = store_step(st) == STORE_DONE ? FZ_OK : FZ_ERR;
        }
        store_done(st);
    }
    free(phone);
    free(idno);
    if (rc)
        return rc;
    if ((rc = set_roles(w, *id, in)))
        return rc;
    return user_event(w, k, *id, "user.created", actor, ledger, NULL);
}

int user_update(store_conn *w, const field_keys *k, int64_t id, const user_input *in, const char *actor,
                const char *ledger)
{
    int rc;
    if (in->name && (rc = store_run(w, "UPDATE users SET name = ? WHERE id = ?", "si", in->name, id)))
        return rc;
    if (in->unit_id && (rc = store_run(w, "UPDATE users SET unit_id = ? WHERE id = ?", "ii", in->unit_id, id)))
        return rc;
    if (in->disabled >= 0 &&
        (rc = store_run(w, "UPDATE users SET disabled = ? WHERE id = ?", "ii", (int64_t)in->disabled, id)))
        return rc;
    unsigned char *blob = NULL;
    size_t len = 0;
    if (in->phone) {
        if (seal(k, in->phone, &blob, &len))
            return FZ_ERR;
        rc = store_run(w, "UPDATE users SET phone_enc = ? WHERE id = ?", "bi", (const void *)blob, len, id);
        free(blob);
        if (rc)
            return rc;
    }
    if (in->id_number) {
        if (seal(k, in->id_number, &blob, &len))
            return FZ_ERR;
        rc = store_run(w, "UPDATE users SET id_number_enc = ? WHERE id = ?", "bi", (const void *)blob, len, id);
        free(blob);
        if (rc)
            return rc;
    }
    if (in->pw_hash &&
        (rc = store_run(w, "UPDATE users SET pw_hash = ?, pw_changed_at = ?, must_change_pw = ? WHERE id = ?",
                        "siii", in->pw_hash, time_now_ms(), (int64_t)in->must_change_pw, id)))
        return rc;
    if (in->set_roles && (rc = set_roles(w, id, in)))
        return rc;
    json_t *extra = json_pack("{s:b}", "password_reset", in->pw_hash != NULL);
    rc = user_event(w, k, id, "user.updated", actor, ledger, extra);
    json_decref(extra);
    return rc;
}

int user_unit(store_conn *c, int64_t user_id, int64_t *unit_id)
{
    int64_t u;
    if (store_query_int(c, &u, -1, "SELECT unit_id FROM users WHERE id = ?", "i", user_id))
        return FZ_ERR;
    if (u < 0)
        return FZ_NOTFOUND;
    *unit_id = u;
    return FZ_OK;
}

int user_id_by_name(store_conn *c, const char *username, int64_t *id)
{
    return store_query_int(c, id, 0, "SELECT id FROM users WHERE username = ?", "s", username);
}
