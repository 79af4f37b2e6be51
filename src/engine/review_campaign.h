/* review_campaign.h: 案卷评查 campaigns in the store (docs/file-review.md).
 *
 * A campaign ("2023年度州级评查") draws N closed files per unit of one
 * procedure (engine/file_review.h: the sample and the scores), keeps the
 * sample and a copy of its rubric, and takes each file through
 *
 *   pending 待评查 -> scored 已评分 -> (陈述申辩) disputed 待复核 -> (调整 / 维持) scored
 *
 * and, once closed with its 集中点评, each 不合格 file through
 *
 *   复盘 retrospected -> 线索移送 referred -> 处理结果 concluded
 *   (纪府联动: 立案, 处分 N 人, 第一种形态 N 人, 监察建议).
 *
 * Every change is one chained event (subject "review_campaign" or
 * "review_file"). Functions taking a store_conn *w run inside a store write
 * job and check the state they change there; who may call them (roles, data
 * scope) is the API's to check first (api/reviews_api.c). Refusals come back
 * in review_ctx: status (400 / 404 / 409), code, a Chinese message, and for
 * validation the field at fault. */
#ifndef FZ_REVIEW_CAMPAIGN_H
#define FZ_REVIEW_CAMPAIGN_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/authz.h"
#include "engine/defs.h"

typedef struct store_conn store_conn;

#define REVIEW_RUBRIC_CATALOG "review_rubric"

typedef struct review_ctx {
    const principal *who;
    const char *ledger;
    /* out */
    int status;
    const char *code;
    char message[400];
    char field[64];
} review_ctx;

/* A campaign to create, its request already checked by the caller. */
typedef struct review_spec {
    const char *name;
    const def *d;           /* the procedure whose cases are drawn */
    const char *states;     /* ",closed,archived,": states of d a candidate is in now */
    const char *date_field; /* "" (the day the case first entered one of states, from
                               the chain) or a date field of d (e.g. decided_on) */
    const char *period_from, *period_to; /* YYYY-MM-DD, both days included */
    int per_unit;
    const char *seed;
    const char *units;      /* ",3,5,": only these units; "" every unit */
    const char *rubric;     /* the rubric's name in the review_rubric catalog */
} review_spec;

/* May p score, adjust and follow up (role 法制审核员 or 监督员)? */
int review_may_review(const principal *p);
/* Does the review_rubric catalog have the fields read here? FZ_OK, or
 * FZ_NOTFOUND with a Chinese reason in why. */
int review_rubric_check(const defs *ds, char *why, size_t n);

int review_campaign_create(store_conn *w, review_ctx *x, const review_spec *s, int64_t *id);
/* Draws the sample (draft -> open). */
int review_campaign_draw(store_conn *w, review_ctx *x, const defs *ds, int64_t id);
/* 集中点评 and close (open -> closed): every file scored, no 申辩 waiting. */
int review_campaign_close(store_conn *w, review_ctx *x, int64_t id, const char *summary);

/* marks: file_review_score's input; remark optional. */
int review_file_score(store_conn *w, review_ctx *x, int64_t cid, int64_t fid, const json_t *marks,
                      const char *remark);
/* 陈述申辩 of the file's unit (once per file, while the campaign is open). */
int review_file_statement(store_conn *w, review_ctx *x, int64_t cid, int64_t fid, const char *text);
/* A new score with a reason (marks), or, after a 陈述申辩, keeping the score
 * with a reason (marks NULL). */
int review_file_adjust(store_conn *w, review_ctx *x, int64_t cid, int64_t fid, const json_t *marks,
                       const char *reason);
int review_file_retrospect(store_conn *w, review_ctx *x, int64_t cid, int64_t fid, const char *note);
int review_file_refer(store_conn *w, review_ctx *x, int64_t cid, int64_t fid, const char *to, const char *note);

typedef struct review_outcome {
    int filed;          /* 立案 */
    int64_t sanctioned; /* 党纪政务处分 N 人 */
    int64_t first_form; /* 第一种形态处理 N 人 */
    const char *advice; /* 监察建议 ("" none) */
} review_outcome;
/* Records (or updates) the outcome of a referred file. */
int review_file_outcome(store_conn *w, review_ctx *x, int64_t cid, int64_t fid, const review_outcome *o);

/* ---- reads (review_view.c) ---- */

/* Campaigns, newest first: {"total", "rows"}. Campaigns are county-wide
 * (their files are scoped). */
int review_campaign_list(store_conn *c, const defs *ds, int64_t page, int64_t size, json_t **out);
/* The campaign with its rubric and results over the files p may see
 * (case:view scope): per unit and overall, counts per band, follow-ups.
 * NULL when absent. New reference. */
json_t *review_campaign_json(store_conn *c, const defs *ds, const principal *p, int64_t id);
/* The drawn files p may see, by unit and rank: {"total", "rows"}.
 * FZ_NOTFOUND when the campaign does not exist. */
int review_files_list(store_conn *c, const principal *p, int64_t cid, json_t **out);
/* One file with its marks and its events; NULL when absent. */
json_t *review_file_json(store_conn *c, int64_t cid, int64_t fid);
/* The file's unit (for the scope check); FZ_NOTFOUND. */
int review_file_unit(store_conn *c, int64_t cid, int64_t fid, int64_t *unit_id);
/* 1 when unit_id is p's unit or below it. */
int review_unit_within(store_conn *c, const principal *p, int64_t unit_id);

#endif
