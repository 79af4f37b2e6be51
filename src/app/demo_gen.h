/* demo_gen.h: the state and helpers `fazhi demo` shares among its files
 * (cmd_demo.c: the timeline and the command; demo_setup.c: the standing
 * data; demo_cases.c: the cases; demo_review.c: 案卷评查). Private to src/app/demo*.c. The helpers are
 * static inline: the one random stream (demo_rng_state) and the simulated
 * clock are what make the demo deterministic. */
#ifndef FZ_DEMO_GEN_H
#define FZ_DEMO_GEN_H

#include "app/cli.h"
#include "app/demo_data.h"
#include "app/demo_history.h"
#include "engine/authz.h"
#include "engine/defs.h"
#include "engine/fieldcrypt.h"
#include "engine/passwd.h"
#include "store/store.h"
#include "core/arena.h"
#include "core/status.h"
#include "core/timeutil.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- deterministic randomness (xorshift64*) ---- */

extern uint64_t demo_rng_state; /* cmd_demo.c */

static inline uint64_t rnd(void)
{
    uint64_t x = demo_rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    demo_rng_state = x;
    return x * UINT64_C(2685821657736338717);
}

/* Uniform in lo..hi (inclusive). */
static inline int rr(int lo, int hi)
{
    return hi <= lo ? lo : lo + (int)(rnd() % (uint64_t)(hi - lo + 1));
}

/* 1 with probability pct/100. */
static inline int chance(int pct)
{
    return rr(1, 100) <= pct;
}

/* ---- simulated time: Beijing wall-clock time of a day number ---- */

static inline int64_t at_ms(int64_t day, int hh, int mm)
{
    return day * 86400000 + ((int64_t)(hh - 8) * 60 + mm) * 60000;
}

static inline void set_now(int64_t ms)
{
    time_set_override_ms(ms);
}

static inline int64_t dayn(int y, int m, int d)
{
    return days_from_civil(y, m, d);
}

static inline void day_text(int64_t day, char out[11])
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    date_format(y, m, d, out);
}

/* Working days of 2022 (国办发明电〔2021〕11号) and 2023 (国办发明电〔2022〕16号)
 * and, outside them, Monday to Friday except 1 January and the 2024 Spring
 * Festival. */
static inline int workday(int64_t day)
{
    static const char *const off[] = {"2022-01-03", "2022-01-31", "2022-02-01", "2022-02-02", "2022-02-03",
                                      "2022-02-04", "2022-04-04", "2022-04-05", "2022-05-02", "2022-05-03",
                                      "2022-05-04", "2022-06-03", "2022-09-12", "2022-10-03", "2022-10-04",
                                      "2022-10-05", "2022-10-06", "2022-10-07", "2023-01-02", "2023-01-23", "2023-01-24", "2023-01-25", "2023-01-26",
                                      "2023-01-27", "2023-04-05", "2023-05-01", "2023-05-02", "2023-05-03",
                                      "2023-06-22", "2023-06-23", "2023-09-29", "2023-10-02", "2023-10-03",
                                      "2023-10-04", "2023-10-05", "2023-10-06", "2024-01-01", "2024-02-12",
                                      "2024-02-13", "2024-02-14", "2024-02-15", "2024-02-16", NULL};
    static const char *const on[] = {"2022-01-29", "2022-01-30", "2022-04-02", "2022-04-24", "2022-05-07",
                                     "2022-10-08", "2022-10-09", "2023-01-28", "2023-01-29", "2023-04-23", "2023-05-06",
                                     "2023-06-25", "2023-10-07", "2023-10-08", "2024-02-04", NULL};
    char t[11];
    day_text(day, t);
    for (int i = 0; on[i]; i++)
        if (!strcmp(t, on[i]))
            return 1;
    for (int i = 0; off[i]; i++)
        if (!strcmp(t, off[i]))
            return 0;
    int wd = weekday_from_days(day);
    return wd != 0 && wd != 6;
}

/* The n-th working day after day (n = 0: day itself or the next working day). */
static inline int64_t add_wd(int64_t day, int n)
{
    while (!workday(day))
        day++;
    while (n-- > 0) {
        day++;
        while (!workday(day))
            day++;
    }
    return day;
}

/* ---- the generator's state ---- */

#define MAX_OFFICERS 400
#define MAX_CASES 600
#define MAX_STEPS 16
#define N_ENF 19 /* 8 county enforcement units + 11 township teams */

typedef struct officer {
    char cert[24], name[32];
    int enf;          /* index into the enforcement units */
    int64_t row_id;
    int cls;          /* 0 certified through the year, 1 expires during the year, 2 expired, 3 注销, 4 new */
    int renew;        /* re-qualifies during the year */
    int pending;      /* new: certificate issued only next January */
} officer;

typedef struct enf_unit {
    int64_t unit_id;
    const char *name, *field, *abbr;
    int weight, officers;
    int town;               /* -1 for county units */
    int64_t head, reviewer, off1, off2; /* user ids */
    principal p_head, p_rev, p_off1, p_off2;
    int certified[64];      /* officer indices certified all year */
    int ncert;
    int nviol, viol[8];
    int nseq, nsimple, narch; /* decision numbers (general, simple), archive numbers */
} enf_unit;

typedef struct step {
    int64_t t;
    const char *action;     /* NULL: case_create */
    int who;                /* 0 officer1, 1 officer2, 2 head, 3 reviewer */
    json_t *values;
    const char *comment;
} step;

typedef struct plan {
    int enf, kind;          /* kind: 0 general, 1 simple, 2 soft, 3 not filed, 4 transfer, 5 disclosure */
    int n;
    step s[MAX_STEPS];
    int64_t id;
    int late_publish, late_handling;
} plan;

/* One 案卷评查 campaign (demo_review.c): the year's closed penalty files,
 * reviewed next March. */
#define DEMO_CAMPAIGNS 2
#define DEMO_REVIEW_MAX 120 /* files of one campaign */

typedef struct demo_campaign {
    /* the plan */
    int year;           /* the reviewed year: penalty files decided in it */
    int per_unit;
    int files;          /* 0: every unit; else exactly this many files, the units chosen to give them */
    int fail, referred; /* files failed (否决项), and of them referred to 县纪委监委 */
    int outcomes;       /* record the referrals' outcomes (纪府联动: 处理 13 人, 监察建议 1 份) */
    /* while it runs */
    int64_t cid;
    int n, nf;                       /* files drawn, failed */
    int64_t fid[DEMO_REVIEW_MAX];    /* in draw order (review_files.id) */
    int64_t unit[DEMO_REVIEW_MAX];   /* each file's unit */
    int stmt[3];                     /* files whose unit states its case (陈述申辩), -1 none */
    int failed[DEMO_REVIEW_MAX];     /* indices into fid */
    int64_t people, advice;          /* recorded outcomes: people handled, 监察建议 */
} demo_campaign;

typedef struct demo {
    config cfg;
    defs *d;
    field_keys keys;
    store *s;
    arena ar;
    int year;
    char pw_hash[PASSWD_HASH_MAX];
    char err[1600];
    principal p_admin, p_sec, p_sup, p_disc_off, p_disc_head;
    int64_t unit_ids[32];   /* demo_units -> unit id */
    demo_history hist;      /* 行政检查 results (demo_history.h) */
    char insp_code[N_ENF][24], insp_name[N_ENF][160];
    int64_t town_gov[11], town_team[11];
    char town_code[11][13];
    enf_unit enf[N_ENF];
    officer off[MAX_OFFICERS];
    int noff, noff_prev;    /* all / those at the end of the previous year */
    plan cases[MAX_CASES];
    int ncases, ndisc;
    int prev_cases, prev_disc; /* of the previous year, planned first */
    int pub_by_year_end;    /* penalty publications up to the end of the year */
    int insp_total;         /* inspections imported and published */
    int stats_exams, stats_trainings, stats_training_records, stats_powers, stats_delegations, stats_discretion;
    int stats_late_publish, stats_late_handling, stats_training_prev;
    demo_campaign review[DEMO_CAMPAIGNS]; /* 案卷评查 (demo_review.c) */
    /* the job in progress */
    int (*fn)(store_conn *w, struct demo *g);
} demo;

static inline int fail(demo *g, const char *what, const char *msg)
{
    if (!g->err[0])
        snprintf(g->err, sizeof(g->err), "%s：%s", what, msg && *msg ? msg : "写入失败");
    return FZ_ERR;
}

static inline const char *person_name(char out[32])
{
    /* One draw per statement: the order of a call's arguments is unspecified. */
    const char *sur = demo_surnames[rr(0, demo_nsurnames - 1)];
    snprintf(out, 32, "%s%s", sur, demo_given[rr(0, demo_ngiven - 1)]);
    return out;
}

/* A catalog row through catalog_check + catalog_insert (cmd_demo.c);
 * takes values. */
int demo_cat_put(store_conn *w, demo *g, const char *name, json_t *values, int64_t unit, int64_t *row);

/* demo_setup.c: the policy, regions, units and accounts (a store write
 * job, on the day the platform goes live); the inspection powers the teams
 * cite; laws, 权责清单, 赋权, 裁量基准 (a job); the officers at the end of the
 * previous year, planned (certified rates 54.62% / 87.13%) and registered
 * (a job). */
int demo_identity(store_conn *w, demo *g);
void demo_insp_powers(demo *g);
int demo_catalogs(store_conn *w, demo *g);
void demo_plan_officers(demo *g);
int demo_officers(store_conn *w, demo *g);

/* The cases of year y (demo_cases.c): total penalty cases by unit weight
 * and the disclosure requests; stats: the demonstration year's, counted. */
void demo_plan_cases(demo *g, int y, int total, int disclosures, int stats);

/* 案卷评查 (demo_review.c). Campaign c (g->review[c], its plan filled in)
 * runs as steps at their own times: demo_review_plan gives each step's time
 * (the files expected: c's files) to add, for the timeline; demo_review_step
 * runs one (a step beyond the files actually drawn does nothing).
 * demo_review_run runs every step of c in one store write job, timed by the
 * files actually drawn (the last campaign, after the timeline). */
void demo_review_plan(demo *g, int c, void (*add)(int64_t t, int c, int sk));
int demo_review_step(store_conn *w, demo *g, int c, int sk);
int demo_review_run(store_conn *w, demo *g, int c);

#endif
