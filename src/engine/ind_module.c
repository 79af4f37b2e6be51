/* ind_module.c: 指标 computed by a module (ind_module.h). */
#include "engine/ind_module.h"
#include "engine/officers.h"
#include "store/store.h"
#include "core/status.h"
#include "core/timeutil.h"
#include "core/validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ind_module_known(const char *source, const char *measure)
{
    if (!source || !measure)
        return 0;
    if (!strcmp(source, "officers"))
        return !strcmp(measure, "certified") || !strcmp(measure, "training");
    return !strcmp(source, "file_review") && !strcmp(measure, "pass");
}

int ind_module_stock(const def *ind)
{
    const char *src = json_string_value(json_object_get(ind->json, "source"));
    return src && !strcmp(src, "officers");
}

/* 案卷评查合格率: per unit, the scored files (band set) of the campaigns whose
 * reviewed period starts within from..to, and those 优秀 or 合格. */
static int review_units(store_conn *c, int a, int b, const ind_module_opts *o, ind_unit_cb cb, void *ctx)
{
    char lo[16], hi[16];
    snprintf(lo, sizeof(lo), "%04d-%02d-01", a / 100 % 10000, a % 100);
    snprintf(hi, sizeof(hi), "%04d-%02d-31", b / 100 % 10000, b % 100);
    store_stmt *st;
    if (store_prepare(c,
                      "SELECT f.unit_id, sum(CASE WHEN f.band IN ('excellent', 'pass') THEN 1 ELSE 0 END), count(*)"
                      " FROM review_files f JOIN review_campaigns k ON k.id = f.campaign_id"
                      " JOIN units u ON u.id = f.unit_id"
                      " WHERE f.band <> '' AND k.period_from >= ?1 AND k.period_from <= ?2"
                      " AND u.region_code LIKE ?3 || '%' GROUP BY f.unit_id ORDER BY f.unit_id",
                      &st))
        return FZ_ERR;
    store_bind_text(st, 1, lo);
    store_bind_text(st, 2, hi);
    store_bind_text(st, 3, o->region_prefix ? o->region_prefix : "");
    int rc;
    while ((rc = store_step(st)) == STORE_ROW)
        cb(ctx, store_col_int(st, 0), store_col_int(st, 1), store_col_int(st, 2));
    store_done(st);
    return rc == STORE_DONE ? FZ_OK : FZ_ERR;
}

int ind_is_module(const def *ind)
{
    return json_object_get(ind->json, "source") != NULL;
}

typedef struct relay {
    int training;
    ind_unit_cb cb;
    ind_month_cb mcb;
    void *ctx;
} relay;

static void officers_unit(void *ctx, int64_t unit, int64_t officers, int64_t certified, int64_t hours_met)
{
    relay *r = ctx;
    if (r->training)
        r->cb(r->ctx, unit, hours_met, certified);
    else
        r->cb(r->ctx, unit, certified, officers);
}

static void officers_month(void *ctx, int month0, int64_t unit, int64_t officers, int64_t certified,
                           int64_t hours_met)
{
    relay *r = ctx;
    if (r->training)
        r->mcb(r->ctx, month0, unit, hours_met, certified);
    else
        r->mcb(r->ctx, month0, unit, certified, officers);
}

int ind_month(const char *s)
{
    int y = 0, m = 0;
    if (!s || strlen(s) != 7 || s[4] != '-')
        return 0;
    for (int i = 0; i < 7; i++) {
        if (i == 4)
            continue;
        if (s[i] < '0' || s[i] > '9')
            return 0;
        if (i < 4)
            y = y * 10 + (s[i] - '0');
        else
            m = m * 10 + (s[i] - '0');
    }
    return m >= 1 && m <= 12 ? y * 100 + m : 0;
}

int ind_module_units(store_conn *c, const def *ind, const char *from, const char *to, const ind_module_opts *o,
                     ind_unit_cb cb, void *ctx)
{
    const char *measure = json_string_value(json_object_get(ind->json, "measure"));
    int a = ind_month(from), b = ind_month(to);
    if (!a || !b)
        return FZ_INVALID;
    if (a > o->today_ymd / 100)
        return FZ_OK; /* not begun: nothing to count yet */
    if (!ind_module_stock(ind))
        return review_units(c, a, b, o, cb, ctx);
    int ref = b * 100 + date_days_in_month(b / 100, b % 100); /* today when later: officers_query_at */
    officer_query q = {.required_hours = o->required_hours};
    if (officers_query_at(&q, ref, o->today_ymd))
        return FZ_INVALID;
    /* The stocks come from the officer stock timeline, through the process's
     * cache (engine/officers.c). */
    relay r = {.training = measure && !strcmp(measure, "training"), .cb = cb, .ctx = ctx};
    return officers_by_unit(c, &q, o->region_prefix, officers_unit, &r);
}

typedef struct month_relay {
    ind_month_cb cb;
    void *ctx;
    int month0;
} month_relay;

static void flow_month(void *ctx, int64_t unit, int64_t num, int64_t den)
{
    month_relay *m = ctx;
    m->cb(m->ctx, m->month0, unit, num, den);
}

int ind_module_months(store_conn *c, const def *ind, int year, const ind_module_opts *o, ind_month_cb cb, void *ctx)
{
    if (ind_module_stock(ind)) {
        const char *measure = json_string_value(json_object_get(ind->json, "measure"));
        relay r = {.training = measure && !strcmp(measure, "training"), .mcb = cb, .ctx = ctx};
        return officers_by_unit_months(c, year, o->today_ymd, o->required_hours, o->region_prefix, officers_month, &r);
    }
    for (int m = 0; m < 12; m++) {
        char per[12];
        snprintf(per, sizeof(per), "%04d-%02d", year % 10000, (m + 1) % 100);
        month_relay mr = {cb, ctx, m};
        int rc = ind_module_units(c, ind, per, per, o, flow_month, &mr);
        if (rc)
            return rc;
    }
    return FZ_OK;
}

void ind_region_prefix(const char *code12, char out[16])
{
    static const int len[6] = {0, 2, 4, 6, 9, 12};
    int level = region_code_level(code12);
    out[0] = 0;
    if (level >= 1 && level <= 5)
        snprintf(out, 16, "%.*s", len[level], code12);
}
