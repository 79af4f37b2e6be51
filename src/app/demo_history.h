/* demo_history.h: the demonstration county's 行政检查 results (docs/demo.md),
 * the bulk of its 累计公示. Each month's inspections are written the way a
 * county loads the results of the “双随机、一公开” platform: as historic cases
 * whose result is public, through the engine's import path (cases.h
 * case_import, what `fazhi import` runs per row: a case.imported event),
 * each with its publication written by the publish module (publish.h
 * publish_create: a publication.published event), as the procedure's
 * "publish" step writes it. Deterministic: its own xorshift state. */
#ifndef FZ_DEMO_HISTORY_H
#define FZ_DEMO_HISTORY_H

#include <stdint.h>

#include "engine/authz.h"
#include "engine/defs.h"
#include "engine/fieldcrypt.h"

typedef struct store_conn store_conn;

#define DEMO_INSP_UNITS 32

typedef struct demo_insp_unit {
    int64_t unit_id;
    const principal *officer; /* imports and publishes */
    const char *field;        /* 执法领域, "乡镇" for a township team */
    const char *power_code, *power_name;
    int64_t since;            /* day number from which the unit inspects */
    int weight;
} demo_insp_unit;

typedef struct demo_history {
    const def *d;             /* the inspection procedure */
    const field_keys *keys;
    const char *ledger;
    demo_insp_unit units[DEMO_INSP_UNITS];
    int nunits;
    uint64_t rng;
    int published;            /* so far */
    char err[1200];
} demo_history;

/* Imports n inspections checked in the month of the day number `day` (the
 * batch day, the simulated now) and publishes them. Runs inside a store
 * write job. FZ_OK, or an error with h->err set. */
int demo_history_month(store_conn *w, demo_history *h, int64_t day, int n);

#endif
