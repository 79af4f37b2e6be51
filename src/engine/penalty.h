/* penalty.h: the computations 《中华人民共和国行政处罚法》 (2021) prescribes for a
 * 行政处罚 case (defs/penalty.json, docs/penalty.md), as pure functions: the
 * named checks (engine/checks.c) read the case and the catalogs, call these,
 * and word the refusal.
 *
 *   Art.36  追责时效: 2 years from the act (5 with harm to life, health or
 *           financial safety); the last day is the same date N years on
 *   Art.51  简易程序: a fine of at most 200 元 (公民) / 3000 元 (法人或其他组织)
 *           or a 警告, nothing else
 *   Art.58  法制审核 before the decision: after a hearing, in major or complex
 *           cases, when the case goes to 集体讨论, or from an amount set as data
 *   Art.63  听证权利: 较大数额 fine or confiscation (amounts set per province:
 *           data, engine/checks.c), 降低资质等级/吊销许可证件, 责令停产停业/
 *           责令关闭/限制从业, other heavy penalties
 *   Art.64  the hearing notice at least 7 working days (Art.85) before it
 *   Art.72  加处罚款: 3% of the fine per day after the payment deadline,
 *           never more than the fine
 *   Art.34  the decision inside the published 裁量基准 (or a written reason),
 *           never above the statutory maximum
 *
 * Money is integer cents (engine/fields.c), days are day numbers
 * (core/timeutil.h). No I/O, no allocation, no clock. */
#ifndef FZ_PENALTY_H
#define FZ_PENALTY_H

#include <stddef.h>
#include <stdint.h>

#include "core/calendar.h"

/* ---- the party ---- */
typedef enum { PEN_CITIZEN = 0, PEN_ORG = 1 } pen_party;

/* A party field's kind ("自然人", "法人", "其他组织"; NULL or "" count as
 * 自然人, as engine/fields.c stores a party given by name only). */
pen_party pen_party_kind(const char *kind);
/* "公民" / "法人或其他组织" (the words of Arts. 51 and 63). */
const char *pen_party_label(pen_party p);

/* Drops an incomplete UTF-8 sequence a truncating snprintf may have left at
 * the end of s, so that a cut message is still valid text. */
void pen_text_fit(char *s);

/* "200", "1234.56": cents as 元 for messages. */
void pen_money_text(int64_t cents, char out[32]);

/* ---- what is proposed or decided ---- */
enum { PEN_DECIDE_PUNISH = 0, PEN_DECIDE_EXEMPT = 1, PEN_DECIDE_NO_FACTS = 2 };

/* The decision field's value ("处罚", "不予处罚", "不予处罚（违法事实不能成立）")
 * as PEN_DECIDE_*; -1 when empty or unknown. */
int pen_decision_kind(const char *decision);

typedef struct pen_measures {
    int64_t fine;         /* 罚款, cents (0: none) */
    int64_t confiscation; /* 没收违法所得、非法财物, value in cents (0: none) */
    int warning;          /* 警告 */
    const char *license;  /* "" or 暂扣许可证件 / 降低资质等级 / 吊销许可证件 */
    const char *business; /* "" or 限制开展生产经营活动 / 责令停产停业 / 责令关闭 / 限制从业 */
    int other_serious;    /* 其他较重的行政处罚 (Art.63 ¶1 (五)(六)), flagged by the officer */
} pen_measures;

/* 1 when m imposes anything at all. */
int pen_measures_any(const pen_measures *m);

/* ---- Art.51: 简易程序 ---- */

/* The on-the-spot limit for the party in cents: 20000 (200 元) for a 公民,
 * 300000 (3000 元) for a 法人或其他组织. */
int64_t pen_simple_limit(pen_party p);
/* 0 when a decision of kind with measures m may be made on the spot for p;
 * 1 with the reason (Chinese, stating the limit) in why. */
int pen_simple_check(pen_party p, int kind, const pen_measures *m, char *why, size_t n);

/* ---- amounts set as data (较大数额 …) ---- */
enum { PEN_T_FINE = 0, PEN_T_CONFISCATION = 1, PEN_T_REVIEW = 2 };
/* The catalog's word for an item ("较大数额罚款", "较大数额没收", "法制审核罚款数额"). */
const char *pen_threshold_item(int item);
/* The example default in cents when the county has not set the amount:
 * 公民 10000 元, 法人或其他组织 100000 元 for every item. Examples only: each
 * province (or 部门规章 for its field) sets its own (docs/penalty.md). */
int64_t pen_threshold_default(int item, pen_party p);

/* ---- Art.63: the right to a hearing ---- */
enum {
    PEN_H_FINE = 1,         /* 较大数额罚款 */
    PEN_H_CONFISCATION = 2, /* 没收较大数额违法所得、较大价值非法财物 */
    PEN_H_LICENSE = 4,      /* 降低资质等级、吊销许可证件 */
    PEN_H_BUSINESS = 8,     /* 责令停产停业、责令关闭、限制从业 */
    PEN_H_OTHER = 16        /* 其他较重的行政处罚 */
};
/* Which Art.63 cases the proposal m falls under (a PEN_H_* mask; 0: none).
 * fine_at / confiscation_at: the 较大数额 amounts in cents for the party; a
 * positive amount at or above them ("以上" includes the amount) triggers. */
int pen_hearing_triggers(const pen_measures *m, int64_t fine_at, int64_t confiscation_at);
/* The triggers in words, e.g. "较大数额罚款（拟罚款 20000 元，达到 10000 元）". */
void pen_hearing_describe(int triggers, const pen_measures *m, int64_t fine_at, int64_t confiscation_at, char *out,
                          size_t n);

/* ---- Art.64 (二): the hearing notice ---- */

/* Working days after notice up to and including hearing (*count), and the
 * earliest lawful hearing day, the 7th working day after the notice
 * (*earliest). FZ_OK, or FZ_INVALID outside the calendar's span. The notice
 * is in time when *count >= 7. */
int pen_hearing_notice(const cal *c, int64_t notice, int64_t hearing, int64_t *count, int64_t *earliest);
#define PEN_HEARING_NOTICE_WD 7

/* ---- Art.58: 法制审核 ---- */
enum {
    PEN_R_HEARING = 1,    /* 经过听证程序 (Art.58 ¶1 (二)) */
    PEN_R_MAJOR = 2,      /* 重大公共利益、疑难复杂 (¶1 (一)(三)), flagged */
    PEN_R_COLLECTIVE = 4, /* 须集体讨论的情节复杂或重大违法 (Art.57 ¶2) */
    PEN_R_AMOUNT = 8      /* the fine at or above the amount set as data (¶1 (四)) */
};
/* Why Art.58 applies (a PEN_R_* mask; 0: it does not). review_at <= 0: no
 * amount rule. */
int pen_review_required(int hearing_held, int major, int collective, int64_t fine, int64_t review_at);
void pen_review_describe(int reasons, int64_t fine, int64_t review_at, char *out, size_t n);

/* ---- Art.36: 追责时效 ---- */

/* 2, or 5 when the act harmed citizens' life, health or financial safety. */
int pen_limitation_years(int life_or_finance_harm);
/* The last day on which the act may still be discovered: the same date
 * years later (29 February → 28 February in a common year). */
int64_t pen_limitation_last_day(int64_t act_day, int years);

/* ---- Art.72: 加处罚款 ---- */
typedef struct pen_surcharge {
    int64_t days;   /* days after the deadline up to as_of (0 when in time) */
    int64_t amount; /* cents: fine × 3% × days, rounded half up, at most fine */
    int capped;     /* the cap (the fine itself) was reached */
} pen_surcharge;
/* due: the last day to pay; as_of: the day paid, or today when unpaid. */
void pen_surcharge_calc(int64_t fine, int64_t due, int64_t as_of, pen_surcharge *out);
#define PEN_SURCHARGE_PERCENT 3

/* ---- Art.34: the 裁量基准 ---- */
typedef struct pen_range {
    int found;               /* the catalog has a row for the circumstance */
    int64_t fine_min, fine_max; /* cents; -1 when the row leaves it empty */
    int warning, confiscate, suspend_revoke, stop_business;
    int first_offense_exempt; /* 首违不罚清单 */
    int64_t legal_max;       /* cents, statutory maximum; -1 unknown */
    const char *penalty_basis; /* the 处罚依据 (for messages) */
} pen_range;

enum { PEN_DR_OK = 0, PEN_DR_REASON = 1, PEN_DR_REFUSE = 2 };
/* Judges a decision of kind with measures m, in circumstance, against r:
 * PEN_DR_OK inside the range; PEN_DR_REASON outside it (allowed only with a
 * written reason); PEN_DR_REFUSE never allowed (above legal_max, or a
 * 不予处罚 that imposes something). why holds the reason for the last two. */
int pen_discretion_judge(int kind, const char *circumstance, const pen_measures *m, const pen_range *r, char *why,
                         size_t n);

#endif
