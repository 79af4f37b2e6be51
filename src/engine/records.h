/* records.h: 全过程记录 (行政处罚法第四十七条) -- the one computation of
 * which records a case still lacks: for every step taken and not withdrawn,
 * each attachment category its action lists in "records" that no attachment
 * of the case has. Used by the case detail (engine/cases.c
 * "missing_records") and by the case's records_missing column that
 * indicator rule "full_record" reads (engine/reccol.c, one case or all
 * cases at once), fed from the case's step events in event order and the
 * categories of its attachments.
 *
 * A step event is one with action "case.<name>" of an action of the
 * procedure; a 撤回 (its payload's "withdrawn": "case.<name>") takes back one
 * step of that name. Pure: no store, no I/O. */
#ifndef FZ_RECORDS_H
#define FZ_RECORDS_H

#include "engine/defs.h"

enum { REC_NONE = -1,  /* the event withdraws nothing */
       REC_OTHER = -2  /* an action without records (or a text that is none) */
};

/* A procedure's actions with "records", compiled. */
typedef struct rec_plan {
    int nstep;
    const char **step;  /* action names (borrowed from the definition) */
    const json_t **ad;  /* their action definitions */
    int *cat_first;     /* per step: its categories are cat_of[cat_first[s] .. cat_first[s+1]) */
    int *cat_of;        /* category indices */
    int ncat;
    const char **cat;   /* distinct categories (borrowed) */
    char **withdraw;    /* "case.<name>" of the withdraw-kind actions */
    int nwithdraw;
} rec_plan;

/* The steps standing, as the events come. */
typedef struct rec_tally {
    int *n;             /* per step: taken less withdrawn */
    unsigned char *seen;
    int *order;         /* steps as first taken */
    int norder;
} rec_tally;

int rec_plan_build(const def *d, rec_plan *p);
void rec_plan_free(rec_plan *p);
/* Step index of action "case.<name>" (prefixed: 1) or "<name>" (0):
 * REC_OTHER when it lists no records. */
int rec_step_index(const rec_plan *p, const char *action, int prefixed);
/* Category index, or REC_OTHER. */
int rec_cat_index(const rec_plan *p, const char *category);
/* The "withdrawn" of an event's payload as rec_note takes it: REC_NONE
 * (NULL: not a withdrawal), else a step index or REC_OTHER. */
int rec_withdrawn_index(const rec_plan *p, const char *withdrawn);

int rec_tally_init(const rec_plan *p, rec_tally *t);
void rec_tally_reset(const rec_plan *p, rec_tally *t);
void rec_tally_free(rec_tally *t);
/* One step event, in event order: step (rec_step_index of its action, or
 * REC_OTHER) and withdrawn (rec_withdrawn_index of its payload). */
void rec_note(rec_tally *t, int step, int withdrawn);
/* For every step standing, in the order first taken, each of its
 * categories c with !have[c] (have: ncat flags): miss(ctx, step, category)
 * when miss is given. Returns how many are missing. */
int rec_missing(const rec_plan *p, const rec_tally *t, const unsigned char *have,
                void (*miss)(void *ctx, int step, int cat), void *ctx);

#endif
