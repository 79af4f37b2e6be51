/* cases.h: cases of a procedure definition (engine/defs.h): creation with a
 * case number, typed field values, transitions guarded by the definition
 * (from-state, roles, required fields, required attachments, named checks),
 * the clocks the actions start/pause/resume/extend/stop, comments, and the
 * full-process record: one chained event per change, carrying the
 * definition's SM3 digest.
 *
 * Functions taking a store_conn *w run inside a store write job. Errors for
 * the caller come back in case_ctx: status (HTTP), code, a Chinese message
 * and, for validation, the field at fault. */
#ifndef FZ_CASES_H
#define FZ_CASES_H

#include <jansson.h>
#include <stdint.h>

#include "core/arena.h"
#include "engine/authz.h"
#include "engine/defs.h"
#include "engine/fieldcrypt.h"

typedef struct store_conn store_conn;

typedef struct case_ctx {
    const def *d;
    const principal *who;
    const field_keys *keys;
    const char *ledger;
    int64_t to_unit;     /* 转办 target (action kind "transfer") */
    /* out */
    int status;          /* 400, 403, 404, 409 on refusal */
    const char *code;    /* "validation_failed", "forbidden", "conflict", ... */
    char message[1000];  /* room for a check's reason (engine/checks.h) */
    char field[64];
    int64_t event_seq;
} case_ctx;

/* Checks and converts values (an object of field name -> JSON value) for the
 * given field names (NULL: all fields; creation also enforces "required").
 * FZ_INVALID with x->field/message set. */
int case_check_values(case_ctx *x, const json_t *values, int creating);

/* Creates a case in unit_id with values (already checked). Sets *id and no. */
int case_create(store_conn *w, case_ctx *x, const json_t *values, int64_t unit_id, int64_t *id, char no[80]);

/* A historic case (import): state given (a state name of the definition) and
 * no given (NULL: a new number); the event is case.imported. FZ_CONFLICT
 * when the number exists. */
int case_import(store_conn *w, case_ctx *x, const json_t *values, int64_t unit_id, const char *state,
                const char *no, int64_t *id, char no_out[80]);

/* One step of a historic case's past, from an import (fazhi import
 * --history 1): an event CASE_HISTORY on case id, appended after its
 * case.imported, with payload (borrowed) {"on": "YYYY-MM-DD", "label": …,
 * "field" | "step": …}. It changes nothing else: no state, field, clock,
 * record or indicator fact. No procedure may name an action "history"
 * (defs.c), so no reader of "case.<action>" events takes it for a step. */
#define CASE_HISTORY "case.history"
int case_history(store_conn *w, case_ctx *x, int64_t id, int64_t unit_id, json_t *payload);

/* Performs action on case id: guards, field updates from the action's form
 * (plus the values its "set" fixes), state change, clock operations, event.
 * comment goes into the event. */
int case_act(store_conn *w, case_ctx *x, int64_t id, const char *action, const json_t *values, const char *comment);

/* Assigns the case to a handler (a user who may handle cases). */
int case_assign(store_conn *w, case_ctx *x, int64_t id, int64_t handler_id);

/* Adds a comment (an event that changes nothing else). */
int case_comment(store_conn *w, case_ctx *x, int64_t id, const char *text);

/* The case as the API shows it: fields, state, actions the caller may take
 * now, clocks, attachments and events; missing_records (the "records" of the
 * steps taken, not withdrawn, with no attachment of that category); for a
 * procedure with a 法制审核 state, review and reviews (engine/legal_review.h).
 * NULL when absent. New reference. */
json_t *case_json(store_conn *c, case_ctx *x, int64_t id);
/* The same as JSON text appended to out (the bytes json_dumps gives for
 * case_json's object; the row and its fields are written without jansson).
 * FZ_NOTFOUND when absent. */
int case_json_text(store_conn *c, case_ctx *x, int64_t id, strbuf *out);
/* case_json_text for a case x->who may see under perm (its unit and handler
 * in the scope, authz_unit_visible): FZ_NOTFOUND when absent or outside
 * it, and nothing is written. */
int case_json_visible(store_conn *c, case_ctx *x, int64_t id, const char *perm, strbuf *out);

/* The case's unit and handler (for the scope check); FZ_NOTFOUND. */
int case_owner(store_conn *c, const def *d, int64_t id, int64_t *unit_id, int64_t *handler_id);

/* List with filters (whitelisted by the definition's "filter" fields plus
 * state), sort (a "sort" field, created_at or no), paging, data scope. */
/* A list's total is counted up to this many rows; beyond, the answer has
 * "total": LIST_COUNT_CAP and "total_capped": true. */
#define LIST_COUNT_CAP 10000

typedef struct case_query {
    const json_t *filters; /* field -> value (strings) */
    const char *sort;      /* NULL: created_at */
    int desc;
    int64_t page, size;
    const json_t *fields;       /* names of the fields to show (checked); NULL: all */
    int keyset;                 /* case_each: rows after (after_at, after_id) in */
    int64_t after_at, after_id; /* (created_at, id) order, no count, no offset */
} case_query;
/* The answer {"total", "total_capped", "rows": [{id, no, state, state_label,
 * unit_id, handler_id, created_at, updated_at, def_digest, fields}]} written
 * as JSON text into out (no jansson objects per row; each row has the bytes
 * json_dumps gives for the row case_each hands over). */
int case_list_text(store_conn *c, case_ctx *x, const case_query *q, strbuf *out);
/* Every case the list with these filters shows the caller, oldest first, in
 * pages of CASE_EACH_PAGE along (created_at, id) (never an OFFSET): fn(ctx,
 * row) with the row as a JSON object (borrowed); a non-zero return
 * stops and is returned. For exports. */
#define CASE_EACH_PAGE 500
int case_each(store_conn *c, case_ctx *x, const json_t *filters, int (*fn)(void *ctx, json_t *row), void *ctx);

/* The subject_kind events and clocks use for cases of a procedure. */
void case_subject_kind(const def *d, char out[64]);

#endif
