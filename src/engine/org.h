/* org.h: the region tree (GB/T 2260 / 统计用区划代码, county → township →
 * village) and the unit tree (materialised path "/1/4/9/"), docs/identity.md.
 * Every write appends its event (region.created / .updated / .deleted,
 * unit.created / .updated / .deleted) in the same transaction. The HTTP
 * handlers (api/org_api.c) and `fazhi demo` both write through here.
 *
 * Write functions run inside a store write job. On refusal they return
 * FZ_INVALID with x->bad_field, x->bad_label and x->why set (a reference
 * that does not hold: 400 naming the field), FZ_CONFLICT with x->why and
 * x->count set (still in use: 409), or FZ_NOTFOUND. */
#ifndef FZ_ORG_H
#define FZ_ORG_H

#include <stdint.h>

typedef struct store_conn store_conn;

typedef struct org_ctx {
    const char *ledger;    /* the chain (county region code) */
    const char *actor;     /* user name recorded in the events */
    int64_t actor_unit;
    /* out */
    int64_t count;         /* with FZ_CONFLICT: what is still attached */
    char why[200];         /* Chinese reason, "" when none */
    const char *bad_field; /* with FZ_INVALID: the field at fault */
    const char *bad_label;
} org_ctx;

/* A unit's fields; NULL (and set_parent 0) leave a field as it is on update. */
typedef struct org_unit {
    const char *name, *type, *legal, *region;
    int64_t parent_id;
    int set_parent;
} org_unit;

/* Normalises a 6-, 9- or 12-digit region code to 12 digits and validates it:
 * FZ_OK or FZ_INVALID. */
int org_region_code(const char *in, char out[13]);

/* Checks type and legal status against their closed lists and normalises
 * u->region into region (u->region then points to it). FZ_INVALID with
 * bad_field, bad_label and why (the message the API shows). */
int org_unit_check(org_ctx *x, org_unit *u, char region[13]);

/* code: normalised and valid (org_region_code). The parent (derived from the
 * code) must exist for a township or village. */
int org_region_create(store_conn *w, org_ctx *x, const char *code, const char *name);
int org_region_rename(store_conn *w, org_ctx *x, const char *code, const char *name);
/* Refused (FZ_CONFLICT) while the region has sub-regions or units. */
int org_region_delete(store_conn *w, org_ctx *x, const char *code);

/* u checked by org_unit_check; the region and the parent must exist. */
int org_unit_create(store_conn *w, org_ctx *x, const org_unit *u, int64_t *id);
/* Moving under another parent re-roots the subtree's paths; a unit cannot
 * move under itself or its descendants. */
int org_unit_update(store_conn *w, org_ctx *x, int64_t id, const org_unit *u);
/* Refused (FZ_CONFLICT) while the unit has users or sub-units. */
int org_unit_delete(store_conn *w, org_ctx *x, int64_t id);

#endif
