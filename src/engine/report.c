/* report.c: the figures of the annual report (see report.h, docs/report.md).
 * Every query is static SQL with ? placeholders, read on one connection. */
#include "engine/report.h"
#include "engine/ind_module.h"
#include "engine/officers.h"
#include "core/status.h"
#include "store/store.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* [from, to) of the year in Beijing time, as epoch milliseconds. */
static void year_ms(int year, int64_t *from, int64_t *to)
{
    const int64_t bj = 8 * 3600 * 1000LL;
    *from = days_from_civil(year, 1, 1) * 86400000LL - bj;
    *to = days_from_civil(year + 1, 1, 1) * 86400000LL - bj;
}

typedef struct ctx {
    store_conn *c;
    const defs *d;
    json_t *missing;
    int failed;
} ctx;

static json_t *section(json_t *sections, const char *no, const char *heading)
{
    json_t *figs = json_array();
    json_array_append_new(sections, json_pack("{s:s, s:s, s:o}", "no", no, "heading", heading, "figures", figs));
    return figs;
}

/* value NULL: the module does not exist (数据未接入). */
static void fig(ctx *x, json_t *figs, const char *label, const char *value, const char *source)
{
    json_array_append_new(figs, json_pack("{s:s, s:s, s:b, s:s}", "label", label, "value",
                                          value ? value : REPORT_MISSING, "available", value != NULL, "source",
                                          source));
    if (!value)
        json_array_append_new(x->missing, json_string(label));
}

static void fig_int(ctx *x, json_t *figs, const char *label, int64_t v, const char *unit, const char *source)
{
    char buf[64];
    snprintf(buf, sizeof(buf), "%lld%s", (long long)v, unit);
    fig(x, figs, label, buf, source);
}

static int64_t q_int(ctx *x, const char *sql, const char *types, ...)
{
    /* Up to three parameters of the kinds used here. */
    va_list ap;
    va_start(ap, types);
    store_stmt *st = NULL;
    int64_t v = 0;
    if (store_prepare(x->c, sql, &st) != FZ_OK) {
        va_end(ap);
        x->failed = 1;
        return 0;
    }
    for (int i = 0; types[i]; i++) {
        if (types[i] == 'i')
            store_bind_int(st, i + 1, va_arg(ap, int64_t));
        else
            store_bind_text(st, i + 1, va_arg(ap, const char *));
    }
    va_end(ap);
    int rc = store_step(st);
    if (rc == STORE_ROW)
        v = store_col_int(st, 0);
    else if (rc != STORE_DONE)
        x->failed = 1;
    store_done(st);
    return v;
}

static int has_catalog(ctx *x, const char *name)
{
    return defs_find(x->d, DEF_CATALOG, name) != NULL;
}

static int has_procedure(ctx *x, const char *name)
{
    return defs_find(x->d, DEF_PROCEDURE, name) != NULL;
}

/* The county's name: the region of region_code, else the top unit's name
 * without 人民政府, else "本县". */
static void county_name(ctx *x, const char *region_code, char out[128])
{
    snprintf(out, 128, "本县");
    store_stmt *st = NULL;
    if (region_code && *region_code && store_prepare(x->c, "SELECT name FROM regions WHERE code = ?", &st) == FZ_OK) {
        store_bind_text(st, 1, region_code);
        int found = store_step(st) == STORE_ROW;
        if (found)
            snprintf(out, 128, "%s", store_col_text(st, 0));
        store_done(st);
        if (found)
            return;
    }
    if (store_prepare(x->c, "SELECT name FROM units WHERE parent_id = 0 ORDER BY id", &st) == FZ_OK) {
        if (store_step(st) == STORE_ROW) {
            const char *n = store_col_text(st, 0);
            size_t len = strlen(n), suf = strlen("人民政府");
            if (len > suf && strcmp(n + len - suf, "人民政府") == 0)
                len -= suf;
            snprintf(out, 128, "%.*s", (int)len, n);
        }
        store_done(st);
    }
}

static void target_text(const json_t *t, char out[32])
{
    double v = json_number_value(t) * 100.0;
    snprintf(out, 32, "%.2f", v);
    /* trim trailing zeros: "100.00" -> "100" */
    char *dot = strchr(out, '.');
    if (dot) {
        char *e = out + strlen(out) - 1;
        while (e > dot && *e == '0')
            *e-- = '\0';
        if (e == dot)
            *e = '\0';
    }
    size_t n = strlen(out);
    snprintf(out + n, 32 - n, "%%");
}

/* Every indicator's county value for the year (sum over units), into the
 * indicator table; those below (or above) target into unmet. */
typedef struct module_sum {
    int64_t num, den;
} module_sum;

static void module_add(void *arg, int64_t unit, int64_t num, int64_t den)
{
    module_sum *m = arg;
    m->num += num, m->den += den;
}

static void indicators(ctx *x, const report_opts *o, json_t *table, json_t *unmet)
{
    int year = o->year;
    char prefix[16], december[12];
    ind_region_prefix(o->region_code, prefix);
    snprintf(december, sizeof(december), "%04d-12", year);
    ind_module_opts mo = {.region_prefix = prefix, .today_ymd = o->today_ymd, .required_hours = o->required_hours};
    /* Values are kept by month ("2023-01" .. "2023-12"). */
    char from[16], to[16];
    snprintf(from, sizeof(from), "%04d-01", year);
    snprintf(to, sizeof(to), "%04d-12", year);
    for (int i = 0; i < x->d->n; i++) {
        const def *ind = &x->d->items[i];
        if (ind->type != DEF_INDICATOR)
            continue;
        int64_t num, den;
        if (ind_is_module(ind)) {
            /* A stock on 31 December (today in the current year). */
            module_sum m = {0};
            if (ind_module_units(x->c, ind, from, december, &mo, module_add, &m))
                x->failed = 1;
            num = m.num, den = m.den;
        } else {
            num = q_int(x,
                        "SELECT COALESCE(SUM(num), 0) FROM indicator_values WHERE indicator = ? AND unit_id > 0"
                        " AND period >= ? AND period <= ? AND length(period) = 7",
                        "sss", ind->name, from, to);
            den = q_int(x,
                        "SELECT COALESCE(SUM(den), 0) FROM indicator_values WHERE indicator = ? AND unit_id > 0"
                        " AND period >= ? AND period <= ? AND length(period) = 7",
                        "sss", ind->name, from, to);
        }
        const json_t *t = json_object_get(ind->json, "target");
        const char *dir = json_string_value(json_object_get(ind->json, "direction"));
        const char *title = json_string_value(json_object_get(ind->json, "title"));
        char pct[32], tgt[32] = "";
        officers_percent(num, den, pct);
        json_t *met = json_null();
        if (json_is_number(t)) {
            target_text(t, tgt);
            if (den > 0) {
                double v = (double)num / (double)den, tv = json_number_value(t);
                int ok = dir && strcmp(dir, "<=") == 0 ? v <= tv : v >= tv;
                met = json_boolean(ok);
            }
        }
        if (json_is_false(met)) {
            char v[40];
            snprintf(v, sizeof(v), "%s%%", pct);
            json_array_append_new(unmet, json_pack("{s:s, s:s, s:s, s:s}", "name", ind->name, "title",
                                                   title ? title : ind->name, "value", v, "target", tgt));
        }
        json_array_append_new(table, json_pack("{s:s, s:s, s:I, s:I, s:s, s:s, s:s, s:o}", "name", ind->name, "title",
                                               title ? title : ind->name, "num", (json_int_t)num, "den",
                                               (json_int_t)den, "value", pct, "target", tgt, "direction",
                                               dir ? dir : ">=", "met", met));
    }
}

/* The indicator's row in the table as a figure value: "87.50%（140/160，目标 100%）". */
static void fig_ind(ctx *x, json_t *figs, const json_t *table, const char *name, const char *label)
{
    size_t i;
    json_t *r;
    json_array_foreach(table, i, r)
    {
        if (strcmp(json_string_value(json_object_get(r, "name")), name) != 0)
            continue;
        char buf[160], src[200];
        const char *v = json_string_value(json_object_get(r, "value"));
        long long num = (long long)json_integer_value(json_object_get(r, "num")),
                  den = (long long)json_integer_value(json_object_get(r, "den"));
        if (*v)
            snprintf(buf, sizeof(buf), "%s%%（%lld/%lld，目标 %s）", v, num, den,
                     json_string_value(json_object_get(r, "target")));
        else
            snprintf(buf, sizeof(buf), "—（本年度无应计入的案件）");
        snprintf(src, sizeof(src), "指标 %s（indicator_values）", name);
        fig(x, figs, label, buf, src);
        return;
    }
    fig(x, figs, label, NULL, "指标未定义");
}

static void external(ctx *x, int year, json_t *out)
{
    if (!has_catalog(x, "external_results"))
        return;
    store_stmt *st = NULL;
    if (store_prepare(x->c,
                      "SELECT f_item, f_value, f_source, f_reported_on, f_notes FROM cat_external_results"
                      " WHERE valid_to = 0 AND f_year = ? ORDER BY f_item, row_id",
                      &st) != FZ_OK) {
        x->failed = 1;
        return;
    }
    store_bind_int(st, 1, year);
    int rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        const char *v[5];
        for (int i = 0; i < 5; i++)
            v[i] = store_col_is_null(st, i) ? "" : store_col_text(st, i);
        json_array_append_new(out, json_pack("{s:s, s:i, s:s, s:s, s:s, s:s}", "item", v[0], "year", year, "value",
                                             v[1], "source", v[2], "reported_on", v[3], "notes", v[4]));
    }
    if (rc != STORE_DONE)
        x->failed = 1;
    store_done(st);
}

/* 案卷评查: the review work done in the year, i.e. the campaigns created
 * within [from, to), whatever period their files are of (the 2023 report
 * lists the March 2023 review of 2022's files, as the speech does). The
 * indicator 案卷评查合格率 keeps the files' own year (ind_module.c). */
static void review(ctx *x, int64_t from, int64_t to, json_t *figs)
{
    const char *src = "案卷评查（review_campaigns / review_files，本年度组织（created_at 在本年度）的评查活动）";
    int64_t camps = q_int(x, "SELECT COUNT(*) FROM review_campaigns WHERE created_at >= ? AND created_at < ?", "ii",
                          from, to);
    if (camps == 0) {
        fig(x, figs, "行政执法案卷评查", "本年度未组织案卷评查", src);
        return;
    }
    /* The reviewed years: of the earliest period start and the latest end. */
    int64_t y0 = q_int(x,
                       "SELECT MIN(CAST(substr(period_from, 1, 4) AS INTEGER)) FROM review_campaigns"
                       " WHERE created_at >= ? AND created_at < ?",
                       "ii", from, to);
    int64_t y1 = q_int(x,
                       "SELECT MAX(CAST(substr(period_to, 1, 4) AS INTEGER)) FROM review_campaigns"
                       " WHERE created_at >= ? AND created_at < ?",
                       "ii", from, to);
    /* The files of those campaigns, counted in one pass. */
    enum { FILES, SCORED, SUM2, EXC, PASS, FAIL, STATED, RETRO, REFERRED, SANCTIONED, FIRST_FORM, ADVICE, N };
    int64_t v[N] = {0};
    store_stmt *st = NULL;
    if (store_prepare(x->c,
                      "SELECT COUNT(*),"
                      " COALESCE(SUM(CASE WHEN f.band <> '' THEN 1 ELSE 0 END), 0),"
                      " COALESCE(SUM(CASE WHEN f.band <> '' THEN f.score2 ELSE 0 END), 0),"
                      " COALESCE(SUM(CASE WHEN f.band = 'excellent' THEN 1 ELSE 0 END), 0),"
                      " COALESCE(SUM(CASE WHEN f.band = 'pass' THEN 1 ELSE 0 END), 0),"
                      " COALESCE(SUM(CASE WHEN f.band = 'fail' THEN 1 ELSE 0 END), 0),"
                      " COALESCE(SUM(CASE WHEN f.statement_at > 0 THEN 1 ELSE 0 END), 0),"
                      " COALESCE(SUM(CASE WHEN f.retrospect_at > 0 THEN 1 ELSE 0 END), 0),"
                      " COALESCE(SUM(CASE WHEN f.referred_at > 0 THEN 1 ELSE 0 END), 0),"
                      " COALESCE(SUM(CASE WHEN f.outcome_at > 0 THEN f.sanctioned ELSE 0 END), 0),"
                      " COALESCE(SUM(CASE WHEN f.outcome_at > 0 THEN f.first_form ELSE 0 END), 0),"
                      " COALESCE(SUM(CASE WHEN f.outcome_at > 0 AND f.advice <> '' THEN 1 ELSE 0 END), 0)"
                      " FROM review_files f JOIN review_campaigns c ON c.id = f.campaign_id"
                      " WHERE c.created_at >= ? AND c.created_at < ?",
                      &st) != FZ_OK) {
        x->failed = 1;
        return;
    }
    store_bind_int(st, 1, from);
    store_bind_int(st, 2, to);
    if (store_step(st) == STORE_ROW)
        for (int i = 0; i < N; i++)
            v[i] = store_col_int(st, i);
    else
        x->failed = 1;
    store_done(st);
    int64_t files = v[FILES], scored = v[SCORED], sum2 = v[SUM2], exc = v[EXC], pass = v[PASS], fail = v[FAIL];
    char buf[200], years[40];
    if (y0 == y1)
        snprintf(years, sizeof(years), "%lld年度", (long long)y0);
    else
        snprintf(years, sizeof(years), "%lld—%lld年度", (long long)y0, (long long)y1);
    fig_int(x, figs, "案卷评查活动", camps, " 次", src);
    snprintf(buf, sizeof(buf), "%lld 件（%s行政执法案卷）", (long long)files, years);
    fig(x, figs, "评查案卷", buf, src);
    snprintf(buf, sizeof(buf), "优秀 %lld 件、合格 %lld 件、不合格 %lld 件", (long long)exc, (long long)pass,
             (long long)fail);
    fig(x, figs, "评查结果", buf, src);
    if (scored > 0) {
        /* mean of half points, two decimals, half up: sum2 / (2 * scored) */
        int64_t cents = (sum2 * 100 + scored) / (2 * scored);
        snprintf(buf, sizeof(buf), "%lld.%02lld 分", (long long)(cents / 100), (long long)(cents % 100));
        fig(x, figs, "案卷平均得分", buf, src);
    }
    fig_int(x, figs, "单位陈述申辩", v[STATED], " 件", src);
    fig_int(x, figs, "不合格案卷复盘", v[RETRO], " 件", src);
    fig_int(x, figs, "不合格案卷移送问题线索", v[REFERRED], " 件", src);
    /* 处理 N 人: those given a 党纪政务处分 and those handled in the 第一种形态 */
    snprintf(buf, sizeof(buf), "%lld 人（党纪政务处分 %lld 人、第一种形态处理 %lld 人）",
             (long long)(v[SANCTIONED] + v[FIRST_FORM]), (long long)v[SANCTIONED], (long long)v[FIRST_FORM]);
    fig(x, figs, "移送线索处理人数", buf, src);
    fig_int(x, figs, "发出监察建议", v[ADVICE], " 份", src);
}

int report_annual_model(store_conn *c, const defs *d, const report_opts *o, json_t **out)
{
    *out = NULL;
    if (o->year < 2000 || o->year > o->today_ymd / 10000)
        return FZ_INVALID;
    ctx x = {.c = c, .d = d, .missing = json_array()};
    int year = o->year;
    int64_t from, to;
    year_ms(year, &from, &to);
    char like[16], buf[256];
    snprintf(like, sizeof(like), "%d-%%", year);

    char county[128];
    county_name(&x, o->region_code, county);
    char title[256];
    snprintf(title, sizeof(title), "%s%d年度法治政府建设情况报告", county, year);

    json_t *sections = json_array(), *table = json_array(), *unmet = json_array(), *ext = json_array();
    indicators(&x, o, table, unmet);

    /* 一、依法履行政府职能 */
    json_t *s1 = section(sections, "一", "依法履行政府职能");
    if (has_catalog(&x, "powers"))
        fig_int(&x, s1, "权责清单事项（现行有效）",
                q_int(&x, "SELECT COUNT(*) FROM cat_powers WHERE valid_to = 0 AND COALESCE(f_status, '有效') <> '已取消'",
                      ""),
                " 项", "名录 powers（权责清单），现行版本中状态不是“已取消”的事项");
    else
        fig(&x, s1, "权责清单事项", NULL, "名录 powers 未定义");
    if (has_catalog(&x, "power_delegations")) {
        const char *sql = "SELECT COUNT(DISTINCT f_power_code) FROM cat_power_delegations WHERE valid_to = 0"
                          " AND COALESCE(f_status, '有效') <> '已收回' AND f_category = ?";
        int64_t basic = q_int(&x, sql, "s", "基本目录"), common = q_int(&x, sql, "s", "共性"),
                own = q_int(&x, sql, "s", "个性");
        int64_t towns = q_int(&x,
                              "SELECT COUNT(DISTINCT f_township) FROM cat_power_delegations WHERE valid_to = 0"
                              " AND COALESCE(f_status, '有效') <> '已收回'",
                              "");
        snprintf(buf, sizeof(buf), "基本目录 %lld 项、共性事项 %lld 项、个性事项 %lld 项，涉及 %lld 个乡镇",
                 (long long)basic, (long long)common, (long long)own, (long long)towns);
        fig(&x, s1, "赋予乡镇行政职权", buf,
            "名录 power_delegations（乡镇赋权），现行有效的赋权按类别统计不同事项编码");
    } else
        fig(&x, s1, "赋予乡镇行政职权", NULL, "名录 power_delegations 未定义");
    if (has_procedure(&x, "penalty"))
        fig_int(&x, s1, "办理行政执法（行政处罚）案件",
                q_int(&x, "SELECT COUNT(*) FROM case_penalty WHERE created_at >= ? AND created_at < ?", "ii", from, to),
                " 件", "程序 penalty（行政处罚），本年度登记的案件（case_penalty.created_at）");
    else
        fig(&x, s1, "办理行政执法（行政处罚）案件", NULL, "程序 penalty 未定义");
    fig(&x, s1, "政务服务实施清单事项、网上可办率、全程网办率", NULL, "政务服务系统，未接入");
    fig(&x, s1, "行政许可、公共服务办件量", NULL, "政务服务系统，未接入");

    /* 二、依法行政决策 */
    json_t *s2 = section(sections, "二", "依法行政决策");
    fig(&x, s2, "重大行政决策事项", NULL, "无重大行政决策模块");
    fig(&x, s2, "听证会、专家论证会", NULL, "无重大行政决策模块");
    fig(&x, s2, "合法性审查意见书", NULL, "无合法性审查（规范性文件、决策）模块");
    fig(&x, s2, "法律顾问、公职律师参与情况", NULL, "无此模块");

    /* 三、严格规范公正文明执法 */
    json_t *s3 = section(sections, "三", "严格规范公正文明执法");
    fig_int(&x, s3, "公示行政处罚决定",
            q_int(&x,
                  "SELECT COUNT(*) FROM publications WHERE subject_kind = 'case:penalty' AND withdrawn_at = 0"
                  " AND published_on LIKE ?",
                  "s", like),
            " 件", "公示记录 publications（本年度公示、未撤回的行政处罚决定）");
    snprintf(buf, sizeof(buf), "%04d-12-31", year);
    fig_int(&x, s3, "累计公示行政执法决定（行政处罚决定、行政检查结果等）",
            q_int(&x, "SELECT COUNT(*) FROM publications WHERE withdrawn_at = 0 AND published_on <= ?", "s", buf),
            " 件", "公示记录 publications（截至本年末公示、未撤回的各类行政执法决定，含往年）");
    fig_ind(&x, s3, table, "penalty_publish_on_time", "行政处罚决定按时公示率");
    fig_ind(&x, s3, table, "penalty_handling_on_time", "行政处罚按期办结率");
    fig_ind(&x, s3, table, "penalty_legal_review", "重大执法决定法制审核率");
    if (has_catalog(&x, "discretion")) {
        int64_t rows = q_int(&x, "SELECT COUNT(*) FROM cat_discretion WHERE valid_to = 0", "");
        int64_t acts = q_int(&x, "SELECT COUNT(DISTINCT f_code) FROM cat_discretion WHERE valid_to = 0", "");
        snprintf(buf, sizeof(buf), "%lld 条（%lld 个违法行为）", (long long)rows, (long long)acts);
        fig(&x, s3, "行政处罚裁量基准", buf, "名录 discretion（裁量基准），现行版本");
    } else
        fig(&x, s3, "行政处罚裁量基准", NULL, "名录 discretion 未定义");
    char why[300];
    if (officers_defs_check(d, why, sizeof(why)) == FZ_OK) {
        const char *src = "engine/officers.c（执法人员名录 officers、培训 officer_trainings、考试 officer_exams），"
                          "参照日为年末";
        for (int k = 0; k < 2; k++) {
            int y = k == 0 ? year : year - 1;
            officer_query q = {.unit_path = "", .required_hours = o->required_hours, .warn_days = 30, .page = 1,
                               .size = 1};
            json_t *st = NULL;
            if (officers_query_init(&q, y, o->today_ymd) != FZ_OK || officers_status(c, &q, &st) != FZ_OK) {
                x.failed = 1;
                break;
            }
            json_t *sum = json_object_get(st, "summary");
            int64_t n = json_integer_value(json_object_get(sum, "officers")),
                    cert = json_integer_value(json_object_get(sum, "certified")),
                    met = json_integer_value(json_object_get(sum, "hours_met"));
            char pct[32], tpct[32];
            officers_percent(cert, n, pct);
            officers_percent(met, cert, tpct);
            if (k == 0) {
                fig_int(&x, s3, "行政执法人员（年末在册）", n, " 名", src);
                fig_int(&x, s3, "持有效执法证件", cert, " 名", src);
                snprintf(buf, sizeof(buf), "%s%%", *pct ? pct : "—");
                fig(&x, s3, "执法人员持证率", buf, src);
                snprintf(buf, sizeof(buf), "%s%%（%lld/%lld，要求 %d 学时）", *tpct ? tpct : "—", (long long)met,
                         (long long)cert, o->required_hours);
                fig(&x, s3, "持证人员培训学时达标率", buf, src);
            } else {
                snprintf(buf, sizeof(buf), "%s%%（%lld/%lld）", *pct ? pct : "—", (long long)cert, (long long)n);
                char label[64];
                snprintf(label, sizeof(label), "上年度（%d年）持证率", y);
                fig(&x, s3, label, buf, src);
            }
            json_decref(st);
        }
        int64_t sessions = q_int(&x,
                                 "SELECT COUNT(DISTINCT f_course) FROM cat_officer_trainings WHERE valid_to = 0"
                                 " AND f_year = ?",
                                 "i", (int64_t)year);
        int64_t times = q_int(&x, "SELECT COUNT(*) FROM cat_officer_trainings WHERE valid_to = 0 AND f_year = ?", "i",
                              (int64_t)year);
        int64_t hours = q_int(&x,
                              "SELECT COALESCE(SUM(f_hours), 0) FROM cat_officer_trainings WHERE valid_to = 0"
                              " AND f_year = ?",
                              "i", (int64_t)year);
        snprintf(buf, sizeof(buf), "%lld 期、%lld 人次、合计 %lld 学时", (long long)sessions, (long long)times,
                 (long long)hours);
        fig(&x, s3, "行政执法培训", buf, "名录 officer_trainings（本年度培训记录，按课程计期数）");
        int64_t exam = q_int(&x, "SELECT COUNT(*) FROM cat_officer_exams WHERE valid_to = 0 AND f_held_on LIKE ?", "s",
                             like);
        int64_t passed = q_int(&x,
                               "SELECT COUNT(*) FROM cat_officer_exams WHERE valid_to = 0 AND f_held_on LIKE ?"
                               " AND f_passed = 1",
                               "s", like);
        snprintf(buf, sizeof(buf), "%lld 人参加，%lld 人合格", (long long)exam, (long long)passed);
        fig(&x, s3, "行政执法资格考试", buf, "名录 officer_exams（本年度考试记录）");
    } else {
        fig(&x, s3, "执法人员持证率", NULL, why);
        fig(&x, s3, "行政执法培训", NULL, why);
        fig(&x, s3, "行政执法资格考试", NULL, why);
    }
    fig(&x, s3, "规范化办案室建设", NULL, "无此模块");
    fig(&x, s3, "行政复议、行政应诉案件", NULL, "无行政复议、应诉模块");

    /* 四、行政权力制约监督 */
    json_t *s4 = section(sections, "四", "行政权力制约监督");
    review(&x, from, to, s4);
    if (has_procedure(&x, "disclosure_request"))
        fig_int(&x, s4, "办理政府信息公开申请",
                q_int(&x, "SELECT COUNT(*) FROM case_disclosure_request WHERE created_at >= ? AND created_at < ?", "ii",
                      from, to),
                " 件", "程序 disclosure_request（本年度登记的申请）");
    else
        fig(&x, s4, "办理政府信息公开申请", NULL, "程序 disclosure_request 未定义");
    fig_ind(&x, s4, table, "disclosure_reply_on_time", "政府信息公开申请按期答复率");
    fig(&x, s4, "人大代表建议、政协委员提案办复", NULL, "无建议提案办理模块");
    fig(&x, s4, "司法建议、检察建议办理", NULL, "无此模块");
    fig(&x, s4, "审计项目及发现问题", NULL, "无审计模块");

    /* 五、全社会法治意识 */
    json_t *s5 = section(sections, "五", "全社会法治意识");
    fig(&x, s5, "“八五”普法及法治文化阵地建设", NULL, "无普法模块");
    fig(&x, s5, "信访总量及同比", NULL, "无信访模块");
    fig(&x, s5, "矛盾纠纷排查化解", NULL, "无矛盾纠纷调解模块");
    fig(&x, s5, "民主法治示范村（社区）", NULL, "无此模块");

    external(&x, year, ext);

    char today[16];
    snprintf(today, sizeof(today), "%04d-%02d-%02d", o->today_ymd / 10000, o->today_ymd / 100 % 100,
             o->today_ymd % 100);
    json_t *m = json_pack("{s:s, s:s, s:i, s:s, s:o, s:o, s:{s:o, s:o}, s:o}", "title", title, "county", county, "year",
                          year, "generated_on", today, "sections", sections, "indicators", table, "shortcomings",
                          "unmet", unmet, "missing", x.missing, "external", ext);
    if (x.failed || !m) {
        json_decref(m);
        return FZ_ERR;
    }
    *out = m;
    return FZ_OK;
}
