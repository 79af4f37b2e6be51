/* checks.h: named checks, the guards a definition cannot express as data
 * (a count of earlier steps, a working-day computation the law prescribes).
 * An action lists them by name in "checks"; the validator accepts only
 * names registered here, and each check names the fields it reads so that a
 * definition using it must have them. A registered check without code yet
 * (the 行政执法 checks, issue 6) refuses the action with the reason. */
#ifndef FZ_CHECKS_H
#define FZ_CHECKS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct store_conn store_conn;
typedef struct cal cal;

typedef struct check_arg {
    store_conn *w;           /* inside the action's write job */
    const char *subject_kind; /* "case:<kind>" */
    const char *subject_id;
    const char *action;      /* the action's name */
    const json_t *fields;    /* the case's field values with the action's form applied */
    const cal *cal;          /* the working-day calendar */
    int64_t today;           /* day number (core/calendar.h) */
} check_arg;

/* 0 passes; 1 refuses with the reason in why; FZ_* on a store error. */
typedef int (*check_fn)(const check_arg *a, char *why, size_t n);

typedef struct check_def {
    const char *name;
    const char *label;       /* Chinese, with the legal basis */
    const char *field;       /* a field the check reads, or NULL */
    const char *field_type;  /* its required type */
    check_fn fn;             /* NULL: registered, not yet implemented */
} check_def;

/* The registered check called name, or NULL. */
const check_def *check_find(const char *name);

/* All registered checks, ending with a zeroed entry. */
const check_def *check_all(void);

#endif
