/* checks.h: named checks, the guards a definition cannot express as data
 * (the computations the law prescribes: certified officers, discretion
 * ranges, ...). How often a step may be taken and the limit within which it
 * must be are data ("times", "within", docs/definitions.md), not checks.
 * An action lists checks by name in "checks"; the validator accepts only
 * names registered here. A registered check without code yet (the 行政执法
 * checks, issue 6) refuses the action with the reason. */
#ifndef FZ_CHECKS_H
#define FZ_CHECKS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct store_conn store_conn;

typedef struct check_arg {
    store_conn *w;           /* inside the action's write job */
    const char *subject_kind; /* "case:<kind>" */
    const char *subject_id;
    const char *action;      /* the action's name */
    const json_t *fields;    /* the case's field values with the action's form applied */
} check_arg;

/* 0 passes; 1 refuses with the reason in why; FZ_* on a store error. */
typedef int (*check_fn)(const check_arg *a, char *why, size_t n);

typedef struct check_def {
    const char *name;
    const char *label;       /* Chinese, with the legal basis */
    check_fn fn;             /* NULL: registered, not yet implemented */
} check_def;

/* The registered check called name, or NULL. */
const check_def *check_find(const char *name);

#endif
