/* records.c: which records a case still lacks (records.h). */
#include "engine/records.h"
#include "core/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rec_plan_free(rec_plan *p)
{
    for (int i = 0; i < p->nwithdraw; i++)
        free(p->withdraw[i]);
    free(p->withdraw);
    free(p->step);
    free(p->ad);
    free(p->cat_first);
    free(p->cat_of);
    free(p->cat);
    *p = (rec_plan){0};
}

int rec_cat_index(const rec_plan *p, const char *category)
{
    for (int i = 0; category && i < p->ncat; i++)
        if (!strcmp(p->cat[i], category))
            return i;
    return REC_OTHER;
}

int rec_plan_build(const def *d, rec_plan *p)
{
    *p = (rec_plan){0};
    json_t *acts = json_object_get(d->json, "actions");
    size_t na = json_array_size(acts), ncats = 0, i, k;
    json_t *a, *c;
    json_array_foreach(acts, i, a) ncats += json_array_size(json_object_get(a, "records"));
    p->step = calloc(na + 1, sizeof(*p->step));
    p->ad = calloc(na + 1, sizeof(*p->ad));
    p->cat_first = calloc(na + 2, sizeof(*p->cat_first));
    p->cat_of = calloc(ncats + 1, sizeof(*p->cat_of));
    p->cat = calloc(ncats + 1, sizeof(*p->cat));
    p->withdraw = calloc(na + 1, sizeof(*p->withdraw));
    if (!p->step || !p->ad || !p->cat_first || !p->cat_of || !p->cat || !p->withdraw) {
        rec_plan_free(p);
        return FZ_NOMEM;
    }
    int nc = 0;
    json_array_foreach(acts, i, a)
    {
        const char *name = json_string_value(json_object_get(a, "name"));
        const char *kind = json_string_value(json_object_get(a, "kind"));
        if (!name)
            continue;
        if (kind && !strcmp(kind, "withdraw")) {
            size_t len = strlen(name) + 6;
            char *w = malloc(len);
            if (!w) {
                rec_plan_free(p);
                return FZ_NOMEM;
            }
            snprintf(w, len, "case.%s", name);
            p->withdraw[p->nwithdraw++] = w;
        }
        json_t *recs = json_object_get(a, "records");
        if (!json_array_size(recs))
            continue;
        int s = p->nstep++;
        p->step[s] = name;
        p->ad[s] = a;
        p->cat_first[s] = nc;
        json_array_foreach(recs, k, c)
        {
            const char *cat = json_string_value(c);
            if (!cat)
                continue;
            int ci = rec_cat_index(p, cat);
            if (ci < 0) {
                ci = p->ncat++;
                p->cat[ci] = cat;
            }
            p->cat_of[nc++] = ci;
        }
    }
    p->cat_first[p->nstep] = nc;
    return FZ_OK;
}

int rec_step_index(const rec_plan *p, const char *action, int prefixed)
{
    if (!action)
        return REC_OTHER;
    if (prefixed) {
        if (strncmp(action, "case.", 5) != 0)
            return REC_OTHER;
        action += 5;
    }
    for (int i = 0; i < p->nstep; i++)
        if (!strcmp(p->step[i], action))
            return i;
    return REC_OTHER;
}

int rec_withdrawn_index(const rec_plan *p, const char *withdrawn)
{
    return withdrawn ? rec_step_index(p, withdrawn, 1) : REC_NONE;
}

int rec_tally_init(const rec_plan *p, rec_tally *t)
{
    *t = (rec_tally){0};
    size_t n = (size_t)p->nstep + 1;
    t->n = calloc(n, sizeof(*t->n));
    t->seen = calloc(n, 1);
    t->order = calloc(n, sizeof(*t->order));
    if (!t->n || !t->seen || !t->order) {
        rec_tally_free(t);
        return FZ_NOMEM;
    }
    return FZ_OK;
}

void rec_tally_reset(const rec_plan *p, rec_tally *t)
{
    memset(t->n, 0, (size_t)p->nstep * sizeof(*t->n));
    memset(t->seen, 0, (size_t)p->nstep);
    t->norder = 0;
}

void rec_tally_free(rec_tally *t)
{
    free(t->n);
    free(t->seen);
    free(t->order);
    *t = (rec_tally){0};
}

/* As the case detail always counted: a step's event adds one to its name
 * (listed when first seen), a 撤回 takes one back (never below none). */
void rec_note(rec_tally *t, int step, int withdrawn)
{
    if (withdrawn != REC_NONE) {
        if (withdrawn >= 0) {
            t->seen[withdrawn] = 1;
            if (t->n[withdrawn] > 0)
                t->n[withdrawn]--;
        }
        return;
    }
    if (step < 0)
        return;
    if (!t->seen[step]) {
        t->seen[step] = 1;
        t->order[t->norder++] = step;
    }
    t->n[step]++;
}

int rec_missing(const rec_plan *p, const rec_tally *t, const unsigned char *have,
                void (*miss)(void *ctx, int step, int cat), void *ctx)
{
    int out = 0;
    for (int i = 0; i < t->norder; i++) {
        int s = t->order[i];
        if (t->n[s] <= 0)
            continue;
        for (int k = p->cat_first[s]; k < p->cat_first[s + 1]; k++) {
            if (have[p->cat_of[k]])
                continue;
            out++;
            if (miss)
                miss(ctx, s, p->cat_of[k]);
        }
    }
    return out;
}
