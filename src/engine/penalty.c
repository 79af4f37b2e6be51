/* penalty.c: the 行政处罚法 computations (see penalty.h). Pure: the checks
 * in engine/checks.c feed them what the case and the catalogs hold. */
#include "engine/penalty.h"
#include "core/status.h"
#include "core/timeutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void pen_text_fit(char *s)
{
    size_t len = strlen(s), i = len;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--;
    if (i == 0)
        return;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t need = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (len - (i - 1) < need)
        s[i - 1] = '\0';
}

/* Appends to out (NUL-terminated, n bytes), cutting at n (at a character). */
static void add(char *out, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add(char *out, size_t n, const char *fmt, ...)
{
    size_t len = strnlen(out, n);
    if (len + 1 >= n)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out + len, n - len, fmt, ap);
    va_end(ap);
    pen_text_fit(out);
}

static int empty(const char *s)
{
    return !s || !*s;
}

pen_party pen_party_kind(const char *kind)
{
    return empty(kind) || !strcmp(kind, "自然人") ? PEN_CITIZEN : PEN_ORG;
}

const char *pen_party_label(pen_party p)
{
    return p == PEN_CITIZEN ? "公民" : "法人或其他组织";
}

void pen_money_text(int64_t cents, char out[32])
{
    const char *sign = cents < 0 ? "-" : "";
    uint64_t v = cents < 0 ? (uint64_t)0 - (uint64_t)cents : (uint64_t)cents;
    if (v % 100)
        snprintf(out, 32, "%s%llu.%02llu", sign, (unsigned long long)(v / 100), (unsigned long long)(v % 100));
    else
        snprintf(out, 32, "%s%llu", sign, (unsigned long long)(v / 100));
}

int pen_decision_kind(const char *decision)
{
    if (empty(decision))
        return -1;
    if (!strcmp(decision, "处罚"))
        return PEN_DECIDE_PUNISH;
    if (!strcmp(decision, "不予处罚"))
        return PEN_DECIDE_EXEMPT;
    if (!strcmp(decision, "不予处罚（违法事实不能成立）"))
        return PEN_DECIDE_NO_FACTS;
    return -1;
}

int pen_measures_any(const pen_measures *m)
{
    return m->fine > 0 || m->confiscation > 0 || m->warning || !empty(m->license) || !empty(m->business) ||
           m->other_serious;
}

/* ---- Art.51 ---- */

int64_t pen_simple_limit(pen_party p)
{
    return p == PEN_CITIZEN ? 20000 : 300000;
}

int pen_simple_check(pen_party p, int kind, const pen_measures *m, char *why, size_t n)
{
    char lim[32], fine[32];
    pen_money_text(pen_simple_limit(p), lim);
    why[0] = '\0';
    if (kind != PEN_DECIDE_PUNISH) {
        add(why, n, "简易程序用于当场作出处罚决定（第五十一条），不予处罚的应按普通程序办理");
        return 1;
    }
    if (m->confiscation > 0 || !empty(m->license) || !empty(m->business) || m->other_serious) {
        add(why, n, "简易程序只能当场作出警告或者罚款（第五十一条：对%s处以%s元以下罚款或者警告），"
                    "没收、资格罚、行为罚等应适用普通程序",
            pen_party_label(p), lim);
        return 1;
    }
    if (!m->warning && m->fine <= 0) {
        add(why, n, "简易程序须当场作出警告或者罚款（第五十一条）");
        return 1;
    }
    if (m->fine > pen_simple_limit(p)) {
        pen_money_text(m->fine, fine);
        add(why, n, "简易程序对%s只能处以%s元以下罚款（第五十一条），本案罚款 %s 元，应适用普通程序", pen_party_label(p),
            lim, fine);
        return 1;
    }
    return 0;
}

/* ---- amounts set as data ---- */

const char *pen_threshold_item(int item)
{
    return item == PEN_T_FINE ? "较大数额罚款" : item == PEN_T_CONFISCATION ? "较大数额没收" : "法制审核罚款数额";
}

int64_t pen_threshold_default(int item, pen_party p)
{
    (void)item;
    return p == PEN_CITIZEN ? 1000000 : 10000000; /* 1 万元 / 10 万元: examples */
}

/* ---- Art.63 ---- */

int pen_hearing_triggers(const pen_measures *m, int64_t fine_at, int64_t confiscation_at)
{
    int t = 0;
    if (m->fine > 0 && m->fine >= fine_at)
        t |= PEN_H_FINE;
    if (m->confiscation > 0 && m->confiscation >= confiscation_at)
        t |= PEN_H_CONFISCATION;
    if (!empty(m->license) && (!strcmp(m->license, "降低资质等级") || !strcmp(m->license, "吊销许可证件")))
        t |= PEN_H_LICENSE;
    if (!empty(m->business) &&
        (!strcmp(m->business, "责令停产停业") || !strcmp(m->business, "责令关闭") || !strcmp(m->business, "限制从业")))
        t |= PEN_H_BUSINESS;
    if (m->other_serious)
        t |= PEN_H_OTHER;
    return t;
}

void pen_hearing_describe(int t, const pen_measures *m, int64_t fine_at, int64_t confiscation_at, char *out, size_t n)
{
    char a[32], b[32];
    const char *sep = "";
    out[0] = '\0';
    if (t & PEN_H_FINE) {
        pen_money_text(m->fine, a);
        pen_money_text(fine_at, b);
        add(out, n, "较大数额罚款（拟罚款 %s 元，达到 %s 元）", a, b);
        sep = "；";
    }
    if (t & PEN_H_CONFISCATION) {
        pen_money_text(m->confiscation, a);
        pen_money_text(confiscation_at, b);
        add(out, n, "%s没收较大数额违法所得或较大价值非法财物（%s 元，达到 %s 元）", sep, a, b);
        sep = "；";
    }
    if (t & PEN_H_LICENSE) {
        add(out, n, "%s%s", sep, m->license);
        sep = "；";
    }
    if (t & PEN_H_BUSINESS) {
        add(out, n, "%s%s", sep, m->business);
        sep = "；";
    }
    if (t & PEN_H_OTHER)
        add(out, n, "%s其他较重的行政处罚", sep);
}

/* ---- Art.64 ---- */

int pen_hearing_notice(const cal *c, int64_t notice, int64_t hearing, int64_t *count, int64_t *earliest)
{
    int64_t k, e;
    if (cal_count_workdays(c, notice, hearing, &k, NULL) != FZ_OK ||
        cal_add_workdays(c, notice, PEN_HEARING_NOTICE_WD, &e, NULL) != FZ_OK)
        return FZ_INVALID;
    *count = k;
    *earliest = e;
    return FZ_OK;
}

/* ---- Art.58 ---- */

int pen_review_required(int hearing_held, int major, int collective, int64_t fine, int64_t review_at)
{
    int r = 0;
    if (hearing_held)
        r |= PEN_R_HEARING;
    if (major)
        r |= PEN_R_MAJOR;
    if (collective)
        r |= PEN_R_COLLECTIVE;
    if (review_at > 0 && fine >= review_at)
        r |= PEN_R_AMOUNT;
    return r;
}

void pen_review_describe(int r, int64_t fine, int64_t review_at, char *out, size_t n)
{
    const char *sep = "";
    out[0] = '\0';
    if (r & PEN_R_HEARING) {
        add(out, n, "经过听证程序（第五十八条第一款第二项）");
        sep = "；";
    }
    if (r & PEN_R_MAJOR) {
        add(out, n, "%s涉及重大公共利益或案情疑难复杂（第五十八条第一款第一、三项）", sep);
        sep = "；";
    }
    if (r & PEN_R_COLLECTIVE) {
        add(out, n, "%s情节复杂或重大违法、须集体讨论（第五十七条第二款）", sep);
        sep = "；";
    }
    if (r & PEN_R_AMOUNT) {
        char a[32], b[32];
        pen_money_text(fine, a);
        pen_money_text(review_at, b);
        add(out, n, "%s罚款 %s 元达到法制审核数额 %s 元（第五十八条第一款第四项）", sep, a, b);
    }
}

/* ---- Art.36 ---- */

int pen_limitation_years(int life_or_finance_harm)
{
    return life_or_finance_harm ? 5 : 2;
}

int64_t pen_limitation_last_day(int64_t act_day, int years)
{
    int y, m, d;
    civil_from_days(act_day, &y, &m, &d);
    y += years;
    if (m == 2 && d == 29 && !date_leap(y))
        d = 28;
    return days_from_civil(y, m, d);
}

/* ---- Art.72 ---- */

void pen_surcharge_calc(int64_t fine, int64_t due, int64_t as_of, pen_surcharge *out)
{
    *out = (pen_surcharge){0};
    if (fine <= 0 || as_of <= due)
        return;
    out->days = as_of - due;
    /* 34 days are 102%: capped whatever the rounding. Below that, fine × 3% ×
     * days in cents, split so that no product can overflow. */
    if (out->days * PEN_SURCHARGE_PERCENT >= 100) {
        out->amount = fine;
        out->capped = 1;
        return;
    }
    int64_t k = PEN_SURCHARGE_PERCENT * out->days;
    int64_t amount = (fine / 100) * k + ((fine % 100) * k + 50) / 100;
    out->capped = amount >= fine;
    out->amount = out->capped ? fine : amount;
}

/* ---- Art.34 ---- */

static void deviation(char *why, size_t n, int *count, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void deviation(char *why, size_t n, int *count, const char *fmt, ...)
{
    if ((*count)++)
        add(why, n, "；");
    size_t len = strnlen(why, n);
    if (len + 1 >= n)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why + len, n - len, fmt, ap);
    va_end(ap);
    pen_text_fit(why);
}

int pen_discretion_judge(int kind, const char *circumstance, const pen_measures *m, const pen_range *r, char *why,
                         size_t n)
{
    char a[32], b[32], c[32];
    int k = 0;
    why[0] = '\0';
    if (kind == PEN_DECIDE_NO_FACTS || kind == PEN_DECIDE_EXEMPT) {
        if (pen_measures_any(m)) {
            add(why, n, "不予处罚的决定不能同时给予罚款或其他处罚");
            return PEN_DR_REFUSE;
        }
        if (kind == PEN_DECIDE_NO_FACTS) /* 第五十七条第一款第三项: no discretion involved */
            return PEN_DR_OK;
        if (!empty(circumstance) && !strcmp(circumstance, "不予处罚"))
            return PEN_DR_OK;
        if (r->found && r->first_offense_exempt)
            return PEN_DR_OK;
        add(why, n, "裁量情形为「%s」，裁量基准未将其列入首违不罚清单，不予处罚不在裁量基准范围内",
            empty(circumstance) ? "未填写" : circumstance);
        return PEN_DR_REASON;
    }
    if (!pen_measures_any(m)) {
        add(why, n, "处罚决定须至少给予一种行政处罚");
        return PEN_DR_REFUSE;
    }
    if (r->legal_max >= 0 && m->fine > r->legal_max) {
        pen_money_text(m->fine, a);
        pen_money_text(r->legal_max, b);
        add(why, n, "罚款 %s 元超过法定最高额 %s 元（处罚依据：%s），依法不能作出，说明理由也不可", a, b,
            empty(r->penalty_basis) ? "未载明" : r->penalty_basis);
        return PEN_DR_REFUSE;
    }
    if (!r->found) {
        add(why, n, "裁量基准未规定该违法行为「%s」情形的裁量范围", empty(circumstance) ? "未填写" : circumstance);
        return PEN_DR_REASON;
    }
    int has_fine = r->fine_min >= 0 || r->fine_max >= 0;
    int64_t lo = r->fine_min >= 0 ? r->fine_min : 0;
    int64_t hi = r->fine_max >= 0 ? r->fine_max : r->legal_max;
    pen_money_text(m->fine, a);
    pen_money_text(lo, b);
    if (hi >= 0)
        pen_money_text(hi, c);
    else
        snprintf(c, sizeof(c), "不限");
    if (m->fine > 0 && !has_fine)
        deviation(why, n, &k, "「%s」情形不处罚款，决定罚款 %s 元", circumstance, a);
    else if (m->fine > 0 && (m->fine < lo || (hi >= 0 && m->fine > hi)))
        deviation(why, n, &k, "罚款 %s 元不在「%s」情形 %s–%s 元的范围内", a, circumstance, b, c);
    else if (m->fine <= 0 && lo > 0)
        deviation(why, n, &k, "未处罚款，「%s」情形的罚款为 %s–%s 元", circumstance, b, c);
    if (m->warning && !r->warning)
        deviation(why, n, &k, "「%s」情形不含警告", circumstance);
    if (m->confiscation > 0 && !r->confiscate)
        deviation(why, n, &k, "「%s」情形不含没收", circumstance);
    if (!empty(m->license) && !r->suspend_revoke)
        deviation(why, n, &k, "「%s」情形不含%s", circumstance, m->license);
    if (!empty(m->business) && !r->stop_business)
        deviation(why, n, &k, "「%s」情形不含%s", circumstance, m->business);
    return k ? PEN_DR_REASON : PEN_DR_OK;
}
