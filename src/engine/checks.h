/* checks.h: named checks, the guards a definition cannot express as data
 * (the computations the law prescribes: certified officers, discretion
 * ranges, ...). How often a step may be taken and the limit within which it
 * must be are data ("times", "within", docs/definitions.md), not checks.
 * An action lists checks by name in "checks"; the validator accepts only
 * names registered here.
 *
 * The 行政处罚 checks (issue 6; docs/penalty.md has each rule, its article
 * and the wording of its refusals) read the case's fields by the names
 * defs/penalty.json gives them, and the catalogs officers, discretion and
 * penalty_thresholds; the computations are in engine/penalty.c:
 *
 *   two_certified_officers  investigator1_cert and investigator2_cert are two
 *                           different rows in force of the officers catalog,
 *                           each cert_status 有效, issued on or before today
 *                           and cert_expires_on >= today (第四十二条)
 *   hearing_rights          when the proposal falls under 第六十三条 the 告知
 *                           includes the hearing right (hearing_notified);
 *                           a step recording hearing_requested_on is allowed
 *                           only then
 *   hearing_notice          hearing_notice_on at least 7 working days before
 *                           hearing_on (第六十四条第二项, 第八十五条)
 *   legal_review_approved   a step recording review_opinion: 同意/修改后同意
 *                           on a forward step, 不同意 on a 退回 (kind reject);
 *                           any other step (决定): when 第五十八条 applies, the
 *                           latest opinion, by a 法制审核员, is 同意 or 修改后同意
 *                           and later than the last change of the proposal
 *   collective_discussion   collective_required → collective_discussion
 *                           recorded (第五十七条第二款)
 *   discretion_range        the decision inside the discretion catalog's row
 *                           for (violation_code, circumstance), or a written
 *                           deviation_reason; above legal_max never
 *                           (第三十四条 and the statute applied)
 *   simple_procedure_limit  简易程序: 警告 or a fine ≤ 200 元 (公民) /
 *                           3000 元 (法人或其他组织) (第五十一条)
 *   limitation_period       violation_on not more than 2 years (5 with
 *                           life_or_finance_harm) before discovered_on or
 *                           today (第三十六条) */
#ifndef FZ_CHECKS_H
#define FZ_CHECKS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/calendar.h"

typedef struct store_conn store_conn;

typedef struct check_arg {
    store_conn *w;           /* inside the action's write job */
    const char *subject_kind; /* "case:<kind>" */
    const char *subject_id;
    const char *action;      /* the action's name */
    const char *kind;        /* the action's kind: "transition", "reject", ... */
    const json_t *fields;    /* the case's field values with the action's form applied */
    const json_t *values;    /* only what this step's form sets */
    int64_t today;           /* day number (engine/scheduler.h scheduler_today) */
    const cal *cal;          /* the working-day calendar in force */
    const struct field_keys *keys; /* to open sealed (sensitive) catalog values */
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

/* The penalty_thresholds catalog (the 较大数额 and the 法制审核 amount, set as
 * data), every version of every row that has an amount, read once: the
 * checks look one amount up per step, the indicator rule "hearing_right"
 * (engine/indicators.c) one per case, over the same rows with the same
 * checks_threshold_in_force. */
typedef struct checks_threshold {
    int64_t row_id, valid_from, valid_to; /* the version's validity (ms; valid_to 0: in force) */
    int64_t amount;                       /* cents */
    int item;                             /* PEN_T_* (engine/penalty.h) */
    int party;                            /* pen_party */
    char *basis;
} checks_threshold;
typedef struct checks_thresholds {
    checks_threshold *v;
    size_t n;
} checks_thresholds;
/* The versions of item (PEN_T_*) for party (pen_party), or with item < 0
 * every version of every item; none when the catalog is not defined. */
int checks_thresholds_load(store_conn *w, int item, int party, checks_thresholds *t);
void checks_thresholds_free(checks_thresholds *t);
/* The version of item for party in force at as_of (ms; 0: now; the highest
 * row_id when several are), or NULL: the caller uses pen_threshold_default. */
const checks_threshold *checks_threshold_in_force(const checks_thresholds *t, int item, int party, int64_t as_of);

/* 第六十三条 for a proposal read from a case (the 指标 rule "hearing_right",
 * engine/indicators.c): 1 when m falls under a case in which the party has
 * the right to a hearing, with the 较大数额 of t in force at as_of (ms; 0:
 * now) for party_kind (自然人 / 法人或其他组织 …), else 0. */
struct pen_measures;
/* The fields that computation reads from a penalty case, with their types
 * (defs.c checks a procedure using the rule has them); {NULL} ends it. */
typedef struct check_field {
    const char *name, *type;
} check_field;
extern const check_field checks_hearing_fields[];
int checks_hearing_applies(const checks_thresholds *t, const char *party_kind, const struct pen_measures *m,
                           int64_t as_of);

#endif
