/* cmd_demo.c: `fazhi demo --data DIR [--year 2023] [--seed N]`: a
 * deterministic demonstration county (docs/demo.md). Every record goes
 * through the engine's own write paths inside store_write jobs (regions and
 * units through engine/org.c, users through user_insert, catalog rows
 * through catalog_insert/catalog_update, cases through case_create and
 * case_act, historic 行政检查 through case_import and publish_create), each
 * with its chained event; the simulated clock (core/timeutil.h
 * time_set_override_ms) makes events, clocks and case numbers carry their
 * historic dates. This file holds the timeline and the command; the parts
 * are in demo_setup.c, demo_cases.c, demo_history.c and demo_review.c.
 *
 * The timeline: the platform goes live four years before the year; the
 * catalogs and officers are registered in the previous year; that year's
 * cases, disclosure requests and trainings give the indicators their 同比;
 * every month's 行政检查 results are imported and published (demo_history.c)
 * so that the 公示 up to the year's end total the speech's 10236; the
 * year itself, with its March's 案卷评查 of the previous year's files; then
 * next March's 案卷评查 of the year's files.
 *
 * The same seed on a fresh directory gives the same chain head. */
#include "app/demo_gen.h"
#include "engine/attach.h"
#include "engine/cases.h"
#include "engine/catalogs.h"
#include "engine/fieldcrypt.h"
#include "engine/holidays.h"
#include "engine/indicators.h"
#include "engine/passwd.h"
#include "engine/scheduler.h"
#include "engine/schema.h"
#include "store/store.h"
#include "core/arena.h"
#include "core/sm.h"
#include "core/calfile.h"
#include "core/parse.h"
#include "core/status.h"
#include "core/timeutil.h"
#include "core/validate.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int run_job(store_conn *w, void *ctx)
{
    demo *g = ctx;
    return g->fn(w, g);
}

static int job(demo *g, int (*fn)(store_conn *w, demo *g))
{
    g->fn = fn;
    int rc = store_write(g->s, run_job, g);
    if (rc && !g->err[0])
        snprintf(g->err, sizeof(g->err), "写入失败（%d）", rc);
    return rc;
}

uint64_t demo_rng_state;

/* ---- catalogs ---- */

int demo_cat_put(store_conn *w, demo *g, const char *name, json_t *values, int64_t unit, int64_t *row)
{
    const def *d = defs_find(g->d, DEF_CATALOG, name);
    if (!d) {
        json_decref(values);
        return fail(g, name, "定义目录中没有该名录");
    }
    cat_ctx x = {.d = d, .who = &g->p_admin, .keys = &g->keys, .ledger = g->cfg.region_code};
    int64_t tmp;
    int rc = catalog_check(&x, values, 1);
    if (!rc)
        rc = catalog_insert(w, &x, values, unit, row ? row : &tmp);
    json_decref(values);
    if (rc) {
        char m[400];
        snprintf(m, sizeof(m), "%s %s", x.field, x.message);
        return fail(g, name, m);
    }
    return FZ_OK;
}

static int cat_set(store_conn *w, demo *g, const char *name, int64_t row, json_t *values)
{
    cat_ctx x = {.d = defs_find(g->d, DEF_CATALOG, name), .who = &g->p_admin, .keys = &g->keys,
                 .ledger = g->cfg.region_code};
    int64_t v;
    int rc = catalog_check(&x, values, 0);
    if (!rc)
        rc = catalog_update(w, &x, row, values, &v);
    json_decref(values);
    return rc ? fail(g, name, x.message) : FZ_OK;
}

/* ---- the year: one time-ordered list of everything that happens ---- */

enum { IT_CASE = 1, IT_TRAIN, IT_EXAM, IT_RENEW, IT_JOIN, IT_INSP, IT_PHASE, IT_REVIEW };

typedef struct item {
    int64_t t;
    int seq, type, a, b;
} item;

#define N_SESSIONS 43      /* the year's training sessions (the speech) */
#define N_SESSIONS_PREV 28 /* the previous year's (invented) */
#define N_EXAMINEES 1234
#define N_PUBLISHED 10236  /* 累计公示行政案件 up to the end of the year (the speech) */
#define PREV_CASES 187     /* the previous year's penalty cases (invented) */
#define PREV_DISCLOSURES 19
/* 案卷评查 (the speech, part one): in March of the year, 60 files of the
 * previous year reviewed, 11 of them 不合格 and retrospected, 5 referred to
 * 县纪委监委 (13 people handled, 1 监察建议: demo_review.c); part two: the
 * year's files reviewed next March, 12 不合格 retrospected, 4 to refer. */
#define REVIEW_PREV_FILES 60
#define REVIEW_PREV_PER_UNIT 5
#define REVIEW_PREV_FAILED 11
#define REVIEW_PREV_REFERRED 5
#define REVIEW_PER_UNIT 3
#define REVIEW_FAILED 12
#define REVIEW_REFERRED 4

typedef struct year_plan {
    item *it;
    int n, cap;
    int64_t sess_day[N_SESSIONS + N_SESSIONS_PREV];
    int sess_hours[N_SESSIONS + N_SESSIONS_PREV], sess_course[N_SESSIONS + N_SESSIONS_PREV];
    int sess_year[N_SESSIONS + N_SESSIONS_PREV], sess_no[N_SESSIONS + N_SESSIONS_PREV];
    char (*ex_cert)[24];
    int *ex_score;
    int64_t *ex_day;
    int64_t join_day[MAX_OFFICERS], cert_day[MAX_OFFICERS];
} year_plan;

static year_plan yp;

static void add_item(int64_t t, int type, int a, int b)
{
    if (yp.n == yp.cap) {
        yp.cap = yp.cap ? yp.cap * 2 : 4096;
        yp.it = realloc(yp.it, (size_t)yp.cap * sizeof(item));
        if (!yp.it)
            abort();
    }
    yp.it[yp.n] = (item){.t = t, .seq = yp.n, .type = type, .a = a, .b = b};
    yp.n++;
}

static int item_cmp(const void *x, const void *y)
{
    const item *a = x, *b = y;
    if (a->t != b->t)
        return a->t < b->t ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void plan_people(demo *g)
{
    int y = g->year;
    /* Exams: two sittings; results entered ten days later. */
    yp.ex_cert = calloc(N_EXAMINEES, 24);
    yp.ex_score = calloc(N_EXAMINEES, sizeof(int));
    yp.ex_day = calloc(N_EXAMINEES, sizeof(int64_t));
    int64_t sit1 = dayn(y, 6, 17), sit2 = dayn(y, 11, 18);
    int n = 0;
    for (int i = 0; i < g->noff; i++) {
        officer *o = &g->off[i];
        if (!(o->renew || o->cls == 4))
            continue;
        int64_t sit = o->pending ? sit2 : sit1;
        snprintf(yp.ex_cert[n], 24, "%s", o->cert);
        yp.ex_score[n] = rr(62, 96);
        yp.ex_day[n] = sit;
        add_item(at_ms(add_wd(sit + 10, 0), 10, n % 300), IT_EXAM, n, 0);
        n++;
        /* Certificates are issued about five weeks after the exam. */
        int64_t issue = o->pending ? dayn(y + 1, 1, 10) : add_wd(sit + 35 + rr(0, 10), 0);
        yp.cert_day[i] = issue;
        if (o->cls == 4) {
            yp.join_day[i] = o->pending ? add_wd(dayn(y, 12, 11), rr(0, 5)) : issue;
            add_item(at_ms(yp.join_day[i], 15, i % 120), IT_JOIN, i, 0);
        } else {
            add_item(at_ms(issue, 15, i % 120), IT_RENEW, i, 0);
        }
    }
    for (int k = 0; n < N_EXAMINEES; n++, k++) {
        snprintf(yp.ex_cert[n], 24, "KS%d%05d", y, k + 1);
        yp.ex_score[n] = rr(30, 98);
        yp.ex_day[n] = k % 2 ? sit2 : sit1;
        add_item(at_ms(add_wd(yp.ex_day[n] + 10, 0), 10, n % 300), IT_EXAM, n, 0);
    }
    for (int i = 0; i < g->noff_prev; i++)
        yp.join_day[i] = dayn(y - 1, 3, 15);
    /* The previous year's 28 sessions from April (after the officers were
     * registered), then the year's 43, about 2000 attendances in all, the
     * first a 24-hour course for everyone. */
    int *pool = calloc((size_t)g->noff, sizeof(int));
    for (int s = 0; s < N_SESSIONS + N_SESSIONS_PREV; s++) {
        int prev = s >= N_SESSIONS, no = prev ? s - N_SESSIONS : s;
        int64_t day = prev ? add_wd(dayn(y - 1, 4, 11), no * 6 + rr(0, 3)) : add_wd(dayn(y, 2, 13), no * 5 + rr(0, 3));
        yp.sess_day[s] = day;
        yp.sess_year[s] = prev ? y - 1 : y;
        yp.sess_no[s] = no + 1;
        yp.sess_hours[s] = s == 0 ? 24 : rr(1, 4) * 4;
        yp.sess_course[s] = (no + (prev ? 3 : 0)) % demo_ncourses;
        int np = 0;
        for (int i = 0; i < g->noff; i++)
            if (yp.join_day[i] && yp.join_day[i] <= day)
                pool[np++] = i;
        int size = s == 0 ? np : prev ? rr(25, 55) : rr(30, 62);
        if (size > np)
            size = np;
        for (int k = 0; k < size; k++) {
            int r = k + rr(0, np - k - 1), tmp = pool[k];
            pool[k] = pool[r];
            pool[r] = tmp;
            add_item(at_ms(add_wd(day + 3, 0), 14, k % 200), IT_TRAIN, s, pool[k]);
            if (prev)
                g->stats_training_prev++;
            else
                g->stats_training_records++;
        }
    }
    free(pool);
    g->stats_trainings = N_SESSIONS;
    g->stats_exams = N_EXAMINEES;
}

static int do_exam(store_conn *w, demo *g, int n)
{
    char held[11], exam[80];
    day_text(yp.ex_day[n], held);
    snprintf(exam, sizeof(exam), "%d年行政执法资格考试", g->year);
    return demo_cat_put(w, g, "officer_exams",
                   json_pack("{s:s, s:s, s:s, s:i, s:b}", "cert_no", yp.ex_cert[n], "exam", exam, "held_on", held,
                             "score", yp.ex_score[n], "passed", yp.ex_score[n] >= 60),
                   g->unit_ids[0], NULL);
}

static int do_train(store_conn *w, demo *g, int s, int oi)
{
    officer *o = &g->off[oi];
    char held[11], course[240];
    day_text(yp.sess_day[s], held);
    snprintf(course, sizeof(course), "%s（第%d期）", demo_courses[yp.sess_course[s]], yp.sess_no[s]);
    const char *org = s % 3 == 0 ? "县司法局" : g->enf[(s * 5) % N_ENF].name;
    return demo_cat_put(w, g, "officer_trainings",
                   json_pack("{s:s, s:s, s:i, s:i, s:s, s:s}", "cert_no", o->cert, "course", course, "hours",
                             yp.sess_hours[s], "year", yp.sess_year[s], "held_on", held, "organizer", org),
                   g->enf[o->enf].unit_id, NULL);
}

static int do_cert(store_conn *w, demo *g, int oi, int join)
{
    officer *o = &g->off[oi];
    char issued[11], expires[11];
    day_text(yp.cert_day[oi], issued);
    day_text(yp.cert_day[oi] + 5 * 365 + 1, expires);
    if (join)
        return demo_cat_put(w, g, "officers",
                       json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s}", "name", o->name, "unit",
                                 (json_int_t)g->enf[o->enf].unit_id, "cert_no", o->cert, "cert_field",
                                 g->enf[o->enf].field, "cert_issued_on", issued, "cert_expires_on", expires,
                                 "cert_status", "有效"),
                       g->enf[o->enf].unit_id, &o->row_id);
    return cat_set(w, g, "officers", o->row_id,
                   json_pack("{s:s, s:s, s:s}", "cert_issued_on", issued, "cert_expires_on", expires, "cert_status",
                             "有效"));
}

/* Every case step into the time-ordered list; the penalty publications up to
 * the end of the year counted for 累计公示. */
static void plan_case_items(demo *g)
{
    int64_t end = at_ms(dayn(g->year + 1, 1, 1), 0, 0);
    for (int c = 0; c < g->ncases; c++)
        for (int s = 0; s < g->cases[c].n; s++) {
            step *st = &g->cases[c].s[s];
            add_item(st->t, IT_CASE, c, s);
            if (st->action && !strcmp(st->action, "publish") && st->t < end)
                g->pub_by_year_end++;
        }
}

/* 行政检查 results, imported and published at each month's last working day
 * from January four years back to December of the year, so that everything
 * published up to the year's end comes to N_PUBLISHED (the speech's 累计公示):
 * rising yearly totals, the last year taking the rest. */
static void plan_inspections(demo *g)
{
    int y = g->year, total = N_PUBLISHED - g->pub_by_year_end;
    static const int share[] = {17, 18, 20, 21}; /* percent of the total, years y-4 .. y-1 */
    int rest = total;
    for (int k = 0; k < 5; k++) {
        int n = k < 4 ? total * share[k] / 100 : rest;
        rest -= n;
        for (int m = 1; m <= 12; m++) {
            int nm = n / 12 + (m <= n % 12);
            int64_t next = m == 12 ? dayn(y - 4 + k + 1, 1, 1) : dayn(y - 4 + k, m + 1, 1), day = next - 1;
            while (!workday(day))
                day--;
            add_item(at_ms(day, 16, 30), IT_INSP, nm, 0);
        }
    }
    g->insp_total = total;
}

/* 全过程记录 (行政处罚法第四十七条): the documents each step lists in
 * "records" attached to the case through the engine (attach_store_file,
 * attach_add: as an upload does), one small file per category stored once
 * under its content address  (a PDF; the 执法音视频记录 an MP4 header). About
 * one case in seven with a 调查取证 lacks its 执法音视频记录, chosen from
 * the case's place in the plan (no draw of the generator, so nothing else
 * moves). */
#define DEMO_AV "执法音视频记录"

typedef struct demo_file {
    char cat[64], name[96], sm3[SM3_HEX_LEN + 1];
    const char *mime;
    int64_t size;
} demo_file;

static demo_file demo_files[48];
static int demo_nfiles;

static const demo_file *demo_file_for(demo *g, const char *cat)
{
    for (int i = 0; i < demo_nfiles; i++)
        if (!strcmp(demo_files[i].cat, cat))
            return &demo_files[i];
    if (demo_nfiles == (int)(sizeof(demo_files) / sizeof(demo_files[0])))
        return NULL;
    demo_file *f = &demo_files[demo_nfiles];
    unsigned char buf[512];
    size_t n;
    int av = !strcmp(cat, DEMO_AV);
    if (av) {
        static const unsigned char mp4[] = {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'm', 'p', '4', '2', 0,   0,   0,   0,
                                            'm', 'p', '4', '2', 'i', 's', 'o', 'm', 0, 0, 0, 8,   'f', 'r', 'e', 'e'};
        memcpy(buf, mp4, sizeof(mp4));
        n = sizeof(mp4);
    } else {
        int k = snprintf((char *)buf, sizeof(buf),
                         "%%PDF-1.4\n%% %s（演示）\n1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj\n"
                         "2 0 obj <</Type/Pages/Kids[]/Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%%%EOF\n",
                         cat);
        if (k < 0 || (size_t)k >= sizeof(buf))
            return NULL;
        n = (size_t)k;
    }
    const char *mime = attach_sniff(buf, n, 1, av ? "record.mp4" : "record.pdf");
    unsigned char d[SM3_LEN];
    char dir[1200], tmp[1300];
    snprintf(dir, sizeof(dir), "%s/attachments", g->cfg.data);
    mkdir(dir, 0700);
    snprintf(tmp, sizeof(tmp), "%s/attachments/demo-%d.part", g->cfg.data, demo_nfiles);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (!mime || fd < 0 || sm3(buf, n, d) != FZ_OK) {
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    int ok = write(fd, buf, n) == (ssize_t)n;
    close(fd);
    sm3_hex(d, f->sm3);
    if (!ok || attach_store_file(g->cfg.data, tmp, f->sm3) != FZ_OK) {
        unlink(tmp);
        return NULL;
    }
    snprintf(f->cat, sizeof(f->cat), "%s", cat);
    snprintf(f->name, sizeof(f->name), "%s.%s", cat, av ? "mp4" : "pdf");
    f->mime = mime;
    f->size = (int64_t)n;
    demo_nfiles++;
    return f;
}

/* 1 when the case at index i of the plan lacks its 执法音视频记录. */
static int demo_lacks_av(int i)
{
    return ((uint32_t)i * UINT32_C(2654435761)) % 100 < 15;
}

static int demo_attach_records(store_conn *w, demo *g, plan *p, const def *d, const char *action,
                               const principal *who, int64_t unit, int last)
{
    json_t *ad = NULL, *a;
    size_t i;
    json_array_foreach(json_object_get(d->json, "actions"), i, a) if (!strcmp(json_string_value(json_object_get(a, "name")),
                                                                           action)) ad = a;
    json_t *recs = json_object_get(ad, "records"), *c;
    if (!json_array_size(recs))
        return FZ_OK;
    char skind[64], sid[24];
    case_subject_kind(d, skind);
    snprintf(sid, sizeof(sid), "%lld", (long long)p->id);
    int added = 0;
    json_array_foreach(recs, i, c)
    {
        const char *cat = json_string_value(c);
        if (!strcmp(cat, DEMO_AV) && demo_lacks_av((int)(p - g->cases)))
            continue;
        const demo_file *f = demo_file_for(g, cat);
        if (!f)
            return fail(g, "附件", "演示附件无法保存");
        attach_rec r = {.ledger = g->cfg.region_code, .subject_kind = skind, .subject_id = sid, .unit_id = unit,
                        .def_digest = d->digest, .proc = d, .category = f->cat, .name = f->name, .mime = f->mime,
                        .sm3 = f->sm3, .size = f->size, .uploader = who->username};
        int rc = attach_add(w, &r);
        if (rc)
            return fail(g, "附件", "演示附件无法登记");
        added++;
    }
    /* The case's indicator facts for the step's attachments (as an upload
     * does, engine/attach.h): only after the case's last step, since every
     * later step re-evaluates the case (case_act -> ind_on_case), reading
     * the attachments then. */
    return added && last && ind_on_subject(w, skind, sid) ? fail(g, "附件", "指标维护失败") : FZ_OK;
}

static int do_case(store_conn *w, demo *g, plan *p, int si)
{
    step *s = &p->s[si];
    const def *d = defs_find(g->d, DEF_PROCEDURE, p->kind == 5 ? "disclosure_request" : "penalty");
    if (!d)
        return fail(g, "案件", "定义目录中没有 penalty / disclosure_request 程序");
    const principal *who;
    int64_t unit;
    if (p->kind == 5) {
        who = s->who == 2 ? &g->p_disc_head : &g->p_disc_off;
        unit = g->unit_ids[18];
    } else {
        enf_unit *e = &g->enf[p->enf];
        who = s->who == 0 ? &e->p_off1 : s->who == 1 ? &e->p_off2 : s->who == 2 ? &e->p_head : &e->p_rev;
        unit = e->unit_id;
    }
    case_ctx x = {.d = d, .who = who, .keys = &g->keys, .ledger = g->cfg.region_code};
    char no[80];
    int rc = case_check_values(&x, s->values, s->action == NULL);
    if (!rc)
        rc = s->action ? case_act(w, &x, p->id, s->action, s->values, s->comment ? s->comment : "")
                       : case_create(w, &x, s->values, unit, &p->id, no);
    if (rc) {
        char m[1400], t[32];
        time_format_rfc3339(s->t, t);
        snprintf(m, sizeof(m), "%s 第 %d 件 %s（%s）：%s %s", t, (int)(p - g->cases) + 1,
                 s->action ? s->action : "create", who->username, x.field, x.message);
        return fail(g, "案件", m);
    }
    return s->action ? demo_attach_records(w, g, p, d, s->action, who, unit, si == p->n - 1) : FZ_OK;
}

static int run_phase(store_conn *w, demo *g, int ph);
static int do_insp(store_conn *w, demo *g, int64_t t, int n);

/* Runs the items [from, to) in one job, each at its own time. */
static int run_from, run_to;

static int ph_items(store_conn *w, demo *g)
{
    for (int i = run_from; i < run_to; i++) {
        item *it = &yp.it[i];
        set_now(it->t);
        int rc = it->type == IT_CASE    ? do_case(w, g, &g->cases[it->a], it->b)
                 : it->type == IT_TRAIN ? do_train(w, g, it->a, it->b)
                 : it->type == IT_EXAM  ? do_exam(w, g, it->a)
                 : it->type == IT_INSP  ? do_insp(w, g, it->t, it->a)
                 : it->type == IT_PHASE ? run_phase(w, g, it->a)
                 : it->type == IT_REVIEW ? demo_review_step(w, g, it->a, it->b)
                                        : do_cert(w, g, it->a, it->type == IT_JOIN);
        if (rc)
            return rc;
    }
    return FZ_OK;
}

static int holidays_file(store_conn *w, demo *g, const char *text)
{
    calfile f;
    char err[300];
    if (calfile_parse(text, strlen(text), &f, err, sizeof(err))) {
        calfile_free(&f);
        return fail(g, "节假日安排", err);
    }
    holidays_import_job j = {.ledger = g->cfg.region_code, .actor = "admin", .unit_id = 1, .file = &f,
                             .origin = "import", .today = scheduler_today()};
    int rc = holidays_import_job_fn(w, &j);
    calfile_free(&f);
    return rc ? fail(g, "节假日安排", j.err) : FZ_OK;
}

static int ph_holidays_prev(store_conn *w, demo *g)
{
    return holidays_file(w, g, demo_holidays_2022);
}

static int ph_holidays(store_conn *w, demo *g)
{
    return holidays_file(w, g, demo_holidays_2023);
}

/* The phases that happen on one day amid the items (IT_PHASE, a = index). */
enum { PH_CATALOGS, PH_OFFICERS, PH_HOLIDAYS_PREV, PH_HOLIDAYS };

static int run_phase(store_conn *w, demo *g, int ph)
{
    return ph == PH_CATALOGS ? demo_catalogs(w, g)
           : ph == PH_OFFICERS ? demo_officers(w, g)
           : ph == PH_HOLIDAYS_PREV ? ph_holidays_prev(w, g)
                                     : ph_holidays(w, g);
}

static int do_insp(store_conn *w, demo *g, int64_t t, int n)
{
    int rc = demo_history_month(w, &g->hist, (t + 8 * 3600000) / 86400000, n);
    return rc ? fail(g, "行政检查", g->hist.err) : FZ_OK;
}

static void add_review(int64_t t, int c, int sk)
{
    add_item(t, IT_REVIEW, c, sk);
}

/* The campaign over the year's files, next March: after the timeline. */
static int ph_review(store_conn *w, demo *g)
{
    return demo_review_run(w, g, 1);
}

static int ph_schema(store_conn *w, demo *g)
{
    char msg[600] = "";
    int rc = schema_sync(w, g->d, msg, sizeof(msg));
    return rc ? fail(g, "数据表", msg) : FZ_OK;
}

/* ---- 行政检查 results (demo_history.c) ---- */

/* The inspecting units: the county teams from the first history year, the
 * township teams from the delegation of 1 July of the previous year. */
static int plan_history(demo *g)
{
    demo_history *h = &g->hist;
    h->d = defs_find(g->d, DEF_PROCEDURE, "inspection");
    if (!h->d) {
        fail(g, "行政检查", "定义目录中没有 inspection 程序");
        return FZ_ERR;
    }
    h->keys = &g->keys;
    h->ledger = g->cfg.region_code;
    h->rng = rnd() | 1;
    for (int i = 0; i < N_ENF; i++) {
        enf_unit *e = &g->enf[i];
        h->units[h->nunits++] = (demo_insp_unit){
            .unit_id = e->unit_id, .officer = &e->p_off1, .field = e->field, .power_code = g->insp_code[i],
            .power_name = g->insp_name[i], .weight = e->weight,
            .since = e->town >= 0 ? dayn(g->year - 1, 7, 1) : dayn(g->year - 4, 1, 1)};
    }
    return FZ_OK;
}

/* ---- the command ---- */

static const char *const FLAGS[] = {"--year", "--seed", NULL};

static int self_init(const char *dir, const char *store_url, int64_t t)
{
    char pwfile[] = "/tmp/fazhi-demo-XXXXXX";
    int fd = mkstemp(pwfile);
    if (fd < 0)
        return 1;
    int ok = write(fd, DEMO_PASSWORD "\n", sizeof(DEMO_PASSWORD)) == (ssize_t)sizeof(DEMO_PASSWORD);
    close(fd);
    if (!ok) {
        unlink(pwfile);
        return 1;
    }
    char *argv[] = {"--data", (char *)dir, "--region-code", DEMO_REGION, "--county-name", DEMO_COUNTY,
                    "--admin-password-file", pwfile, "--store", (char *)store_url, NULL};
    int argc = store_url && *store_url ? 10 : 8;
    /* init's own report names the temporary password file: not shown. */
    fflush(stdout);
    int saved = dup(STDOUT_FILENO), devnull = open("/dev/null", O_WRONLY);
    if (saved >= 0 && devnull >= 0)
        dup2(devnull, STDOUT_FILENO);
    set_now(t);
    int rc = cmd_init(argc, argv);
    set_now(0);
    fflush(stdout);
    if (saved >= 0) {
        dup2(saved, STDOUT_FILENO);
        close(saved);
    }
    if (devnull >= 0)
        close(devnull);
    if (!rc)
        printf("已初始化数据目录 %s（账本 %s，%s）\n", dir, DEMO_REGION, DEMO_COUNTY);
    unlink(pwfile);
    return rc;
}

static int has_data(store *s, int64_t *units, int64_t *cases)
{
    store_conn *rd = store_reader(s);
    if (!rd || store_query_int(rd, units, 0, "SELECT count(*) FROM units", "") ||
        store_query_int(rd, cases, 0, "SELECT count(*) FROM events WHERE action LIKE 'case.%' OR action LIKE 'catalog.%'", ""))
        return -1;
    return 0;
}

static void print_logins(demo *g)
{
    printf("\n演示账号（密码均为 %s，不要求首次修改，口令有效期已设为不限）：\n", DEMO_PASSWORD);
    printf("  %-18s %-14s %s\n", "用户名", "角色", "单位");
    printf("  %-15s %-12s %s\n", "admin", "系统管理员", DEMO_COUNTY "人民政府");
    printf("  %-15s %-12s %s\n", "secadmin", "安全管理员", DEMO_COUNTY "人民政府");
    printf("  %-15s %-12s %s\n", "auditor", "审计管理员", DEMO_COUNTY "人民政府");
    printf("  %-15s %-12s %s\n", "xzf_ld", "领导", DEMO_COUNTY "人民政府");
    printf("  %-15s %-12s %s\n", "sfj_jdy", "监督员", "县司法局");
    printf("  %-15s %-12s %s\n", "xfj_jdy", "监督员", "县信访局");
    printf("  %-15s %-12s %s\n", "zwfw_ld", "领导", "县政务服务中心");
    printf("  %-15s %-12s %s\n", "zfb_gk1 / zfb_fzr", "执法人员 / 单位负责人", "县人民政府办公室（政府信息公开申请）");
    for (int i = 0; i < N_ENF; i++) {
        const enf_unit *e = &g->enf[i];
        char nm[160];
        snprintf(nm, sizeof(nm), "%s%s", e->name, e->town >= 0 ? "综合行政执法队" : "");
        printf("  %s / %s / %s / %s  单位负责人 / 法制审核员 / 执法人员 ×2  %s\n", e->p_head.username,
               e->p_rev.username, e->p_off1.username, e->p_off2.username, nm);
    }
}

int cmd_demo(int argc, char **argv)
{
    demo *g = calloc(1, sizeof(*g));
    if (!g)
        return 1;
    const char *pos[1], *x[2];
    int npos, rc = 1;
    if (cli_parse(argc, argv, &g->cfg, 0, pos, 0, &npos, FLAGS, x)) {
        free(g);
        return 2;
    }
    int64_t year = 2023, seed = 1;
    int cur_year = today_yyyymmdd() / 10000;
    if ((x[0] && parse_i64(x[0], 2000, cur_year - 1, &year) != FZ_OK) ||
        (x[1] && parse_i64(x[1], 0, INT64_MAX, &seed) != FZ_OK)) {
        fprintf(stderr, "错误：--year 应为 2000 到 %d 之间的年份，--seed 应为非负整数\n", cur_year - 1);
        free(g);
        return 2;
    }
    g->year = (int)year;
    int64_t t0 = time_mono_ms();
    char conf[1200];
    snprintf(conf, sizeof(conf), "%s/fazhi.conf", g->cfg.data);
    struct stat sb;
    if (stat(conf, &sb) != 0) {
        /* A new data directory: initialised here, on the simulated clock, so
         * that the same seed gives the same chain. */
        if (self_init(g->cfg.data, g->cfg.store, at_ms(dayn(g->year - 4, 1, 2), 9, 0))) {
            free(g);
            return 1;
        }
    }
    config_defaults(&g->cfg);
    if (cli_parse(argc, argv, &g->cfg, 1, pos, 0, &npos, FLAGS, x) || cli_load_defs(&g->cfg, &g->d)) {
        free(g);
        return 2;
    }
    if (region_code_level(g->cfg.region_code) != 3) {
        fprintf(stderr, "错误：演示数据需要县级区划代码（fazhi.conf 的 region_code，如 %s）\n", DEMO_REGION);
        goto out;
    }
    store_opts o = {.url = g->cfg.store, .dir = g->cfg.data, .ledger = g->cfg.region_code, .batch_max = 1};
    if (fieldcrypt_load(g->cfg.data, &g->keys, g->err, sizeof(g->err)) ||
        store_open(&o, &g->s, g->err, sizeof(g->err)) != FZ_OK) {
        fprintf(stderr, "错误：%s\n", g->err);
        goto out;
    }
    int64_t units = 0, cases = 0;
    if (has_data(g->s, &units, &cases) || units > 1 || cases) {
        fprintf(stderr, "错误：数据目录 %s 不是新初始化的（已有单位或业务记录），演示数据只写入新目录\n", g->cfg.data);
        goto out;
    }
    if (passwd_hash(PW_ARGON2ID, DEMO_PASSWORD, g->pw_hash)) {
        fprintf(stderr, "错误：无法计算密码哈希\n");
        goto out;
    }
    demo_rng_state = ((uint64_t)seed + 1) * UINT64_C(0x9E3779B97F4A7C15);
    if (!demo_rng_state)
        demo_rng_state = 1;
    arena_init(&g->ar, 1 << 16);
    ind_set_defs(g->d);
    demo_nfiles = 0;
    int y = g->year;
    /* The platform goes live four years back (its 公示 since then count). */
    set_now(at_ms(dayn(y - 4, 1, 2), 9, 30));
    if (job(g, ph_schema) || job(g, demo_identity))
        goto fail;
    /* Record which indicator definitions the values follow, so `serve` does
     * not recompute them on its first start (engine/indicators.h). */
    if (ind_attach(g->s, g->d, NULL))
        goto fail;
    demo_plan_officers(g);
    demo_insp_powers(g);
    if (plan_history(g))
        goto fail;
    add_item(at_ms(dayn(y - 1, 2, 10), 10, 0), IT_PHASE, PH_CATALOGS, 0);
    add_item(at_ms(dayn(y - 1, 3, 15), 9, 0), IT_PHASE, PH_OFFICERS, 0);
    if (y == 2023) {
        add_item(at_ms(dayn(y - 2, 12, 20), 10, 0), IT_PHASE, PH_HOLIDAYS_PREV, 0);
        add_item(at_ms(dayn(y - 1, 12, 20), 10, 0), IT_PHASE, PH_HOLIDAYS, 0);
    }
    plan_people(g);
    demo_plan_cases(g, y - 1, PREV_CASES, PREV_DISCLOSURES, 0);
    demo_plan_cases(g, y, 221, 24, 1);
    plan_case_items(g);
    plan_inspections(g);
    g->review[0] = (demo_campaign){.year = y - 1, .per_unit = REVIEW_PREV_PER_UNIT, .files = REVIEW_PREV_FILES,
                                   .fail = REVIEW_PREV_FAILED, .referred = REVIEW_PREV_REFERRED, .outcomes = 1};
    g->review[1] =
        (demo_campaign){.year = y, .per_unit = REVIEW_PER_UNIT, .fail = REVIEW_FAILED, .referred = REVIEW_REFERRED};
    demo_review_plan(g, 0, add_review);
    qsort(yp.it, (size_t)yp.n, sizeof(item), item_cmp);
    int analysed = 0;
    for (int i = 0; i < yp.n;) {
        int64_t day = (yp.it[i].t + 8 * 3600000) / 86400000, monday = day + 1;
        while (weekday_from_days(monday) != 1)
            monday++;
        int64_t limit = at_ms(monday, 0, 0);
        int j = i;
        while (j < yp.n && yp.it[j].t < limit)
            j++;
        run_from = i;
        run_to = j;
        if (job(g, ph_items))
            goto fail;
        /* The first batch of 行政检查 gives the tables their first hundreds of
         * rows: statistics now, or SQLite's planner, guessing without them,
         * scans every publication when it looks one up by its case. A
         * connection reads them when it opens: the store is reopened. */
        if (g->hist.published && !analysed++) {
            if (store_analyze(g->s) != FZ_OK)
                fprintf(stderr, "提示：更新数据库统计信息失败（不影响数据）\n");
            store_close(g->s);
            g->s = NULL;
            if (store_open(&o, &g->s, g->err, sizeof(g->err)) != FZ_OK)
                goto fail;
        }
        set_now(at_ms(monday - 1, 22, 0));
        if (scheduler_run(g->s, g->cfg.region_code, monday - 1, NULL))
            goto fail;
        i = j;
    }
    if (job(g, ph_review))
        goto fail;
    set_now(0);
    if (store_analyze(g->s) != FZ_OK)
        fprintf(stderr, "提示：更新数据库统计信息失败（不影响数据）\n");
    rc = 0;
    int npen = g->ncases - g->ndisc - g->prev_cases - g->prev_disc;
    printf("OK 演示数据已生成：%s（%s，%d 年，种子 %lld，用时 %.1f 秒）\n", g->cfg.data, g->cfg.region_code, y,
           (long long)seed, (double)(time_mono_ms() - t0) / 1000.0);
    printf("  区划：11 个乡镇（8 个边境乡镇）及其村（社区）；单位：%d 个；执法人员：%d 名（%d 年末 %d 名）\n",
           demo_nunits + 23, g->noff, y - 1, g->noff_prev);
    printf("  权责清单 %d 项，乡镇赋权 %d 条（基本目录 86 项、共性 39 项、个性 1 项），裁量基准 %d 条\n", g->stats_powers,
           g->stats_delegations, g->stats_discretion);
    printf("  培训 %d 期 %d 人次；执法资格考试 %d 人；行政处罚案件 %d 件（公示超期 %d 件，办案超期 %d 件）；政府信息公开申请 %d 件\n",
           g->stats_trainings, g->stats_training_records, g->stats_exams, npen, g->stats_late_publish,
           g->stats_late_handling, g->ndisc);
    printf("  %d 年（对比年度）：行政处罚案件 %d 件；政府信息公开申请 %d 件；培训 %d 期 %d 人次\n", y - 1, g->prev_cases,
           g->prev_disc, N_SESSIONS_PREV, g->stats_training_prev);
    printf("  行政检查结果 %d 件（%d—%d 年按月导入并公示）；截至 %d 年末累计公示行政执法决定 %d 件\n", g->insp_total,
           y - 4, y, y, g->hist.published + g->pub_by_year_end);
    for (int k = 0; k < DEMO_CAMPAIGNS; k++) {
        const demo_campaign *c = &g->review[k];
        int nr = c->referred < c->nf ? c->referred : c->nf;
        printf("  案卷评查：%d 年 3 月评查 %d 年度案卷 %d 件（不合格 %d 件，均已复盘；移送县纪委监委问题线索 %d 件", c->year + 1,
               c->year, c->n, c->nf, nr);
        if (c->outcomes)
            printf("，处理 %lld 人，发出监察建议 %lld 份", (long long)c->people, (long long)c->advice);
        printf("）\n");
    }
    print_logins(g);
    goto out;
fail:
    set_now(0);
    fprintf(stderr, "错误：%s\n", g->err[0] ? g->err : "写入失败");
out:
    set_now(0);
    ind_set_defs(NULL);
    if (g->s)
        store_close(g->s);
    if (g->d)
        defs_free(g->d);
    for (int c = 0; c < g->ncases; c++)
        for (int s = 0; s < g->cases[c].n; s++)
            json_decref(g->cases[c].s[s].values);
    free(yp.it);
    free(yp.ex_cert);
    free(yp.ex_score);
    free(yp.ex_day);
    memset(&yp, 0, sizeof(yp));
    arena_free(&g->ar);
    free(g);
    return rc;
}
