/* file_review.h: 案卷评查 (file review, DOMAIN §8.4), the pure parts:
 *
 *  - the rubric as data: items of a catalog (defs/review_rubric.json), each a
 *    veto item (否决) or a deduction item (扣分) worth at most its points;
 *  - the reproducible sample: every candidate case gets the key
 *    SM3(seed || case number) (UTF-8 bytes, no separator, lower-case hex);
 *    within each unit the candidates are ordered by key (ties, which need an
 *    SM3 collision, by case id) and the first N are drawn;
 *  - a file's score: 0 when a veto item is hit, else 100 minus the
 *    deductions (never below 0); bands 优秀 >= 90, 合格 60 to < 90,
 *    不合格 < 60;
 *  - a unit's score: the mean of its scored files.
 *
 * Points are counted in half points (int): 0.5 is the smallest deduction of
 * the local models (DOMAIN §8.4), so every score and comparison is exact.
 * Nothing here touches the store (tests/unit/test_file_review.c);
 * engine/review_campaign.c keeps campaigns and files in it. */
#ifndef FZ_FILE_REVIEW_H
#define FZ_FILE_REVIEW_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/sm.h"

#define FR_FULL2 200 /* 100 points, in half points */

typedef enum { FR_VETO = 1, FR_DEDUCTION = 2 } fr_kind;

typedef enum { FR_BAND_NONE = 0, FR_EXCELLENT = 1, FR_PASS = 2, FR_FAIL = 3 } fr_band;

/* One rubric item; strings borrowed from the rubric's JSON. */
typedef struct fr_item {
    const char *code, *category, *label;
    fr_kind kind;
    int points2; /* a deduction item's most, in half points (1..200); 0 for a veto item */
} fr_item;

/* "10", "2.5", "0.5", "10.0" -> half points. FZ_INVALID unless a multiple of
 * 0.5 within [0, 100] written with at most one decimal. */
int file_review_parse_points(const char *s, int *points2);
/* A JSON number -> half points: a multiple of 0.5 within [0, 100]. */
int file_review_json_points(const json_t *v, int *points2);
/* Half points as a JSON number (90 -> 90, 119 -> 59.5). New reference. */
json_t *file_review_points_json(int points2);
/* Half points as text: "90", "59.5". */
void file_review_points_text(int points2, char out[16]);

/* Rubric item kind from its catalog text (否决 / 扣分); 0 when neither. */
fr_kind file_review_kind(const char *text);
const char *file_review_kind_code(fr_kind k); /* "veto" | "deduction" */

/* The draw key: lower-case hex SM3 of seed || case_no. FZ_OK or FZ_ERR. */
int file_review_draw_key(const char *seed, const char *case_no, char out[SM3_HEX_LEN + 1]);

typedef struct fr_candidate {
    int64_t case_id, unit_id;
    const char *case_no; /* borrowed */
    char key[SM3_HEX_LEN + 1];
    int rank;            /* out: 1-based position within its unit */
    int sampled;         /* out: rank <= per_unit */
} fr_candidate;

/* Keys every candidate, orders c by (unit_id, key, case_id) and marks the
 * first per_unit of each unit. Returns the number drawn, or -1 (FZ_ERR) when
 * a digest fails. The result depends only on the seed and the set of
 * candidates, never on their order in c. */
int file_review_sample(fr_candidate *c, size_t n, const char *seed, int per_unit);

fr_band file_review_band(int score2);
const char *file_review_band_code(fr_band b);  /* "excellent" | "pass" | "fail" | "" */
const char *file_review_band_label(fr_band b); /* 优秀 | 合格 | 不合格 | "" */
fr_band file_review_band_parse(const char *code);

typedef struct fr_result {
    int score2;
    int veto;     /* a veto item was hit */
    fr_band band;
} fr_result;

/* Checks a file's marks against the rubric and scores it. marks is an array
 * of {"code", "veto": bool (veto items) | "deduct": number (deduction items),
 * "note"?}; items not named count as not hit / nothing deducted. On success
 * *norm is a new array of the marks as stored ({code, kind, veto | deduct,
 * note}, in rubric order). On a refusal returns FZ_INVALID with field (e.g.
 * "items[2].deduct") and a Chinese reason set. */
int file_review_score(const fr_item *items, size_t nitems, const json_t *marks, json_t **norm, fr_result *res,
                      char field[64], char reason[256]);

/* A stored list ",a,b," as a JSON array (strings, or integers when numeric).
 * New reference. */
json_t *file_review_list_json(const char *list, int numeric);

/* Files of a unit or a campaign, for the mean and the counts per band. */
typedef struct fr_tally {
    int64_t files, scored, sum2;
    int64_t bands[4]; /* indexed by fr_band */
} fr_tally;

void file_review_tally_add(fr_tally *t, int scored, int score2);
/* The mean of the scored files with two decimals, rounded half up in
 * integer arithmetic ("87.25"); "" when none is scored. */
void file_review_mean_text(const fr_tally *t, char out[24]);
/* The band of the exact mean (FR_BAND_NONE when none is scored). */
fr_band file_review_mean_band(const fr_tally *t);

#endif
