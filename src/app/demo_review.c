/* demo_review.c: the demonstration county's 案卷评查 (see demo_gen.h): for
 * a reviewed year, the rubric (February of the next year), the campaign in
 * March over the year's closed penalty files, the scores, the units'
 * 陈述申辩 and their review, the 集中点评, the 复盘 of failed files, the
 * referrals to 县纪委监委 and their outcomes (纪府联动), all through
 * engine/review_campaign.h, each step at its own simulated time. */
#include "app/demo_gen.h"
#include "engine/review_campaign.h"
#include "core/strbuf.h"

static const char *const RUBRIC[][5] = {
    {"A1", "执法主体", "执法主体不合法或超越法定职权", "否决", ""},
    {"A2", "执法资格", "执法人员少于两人或不具有行政执法资格", "否决", ""},
    {"A3", "事实证据", "违法事实不清、主要证据不足", "否决", ""},
    {"A4", "定性与法律适用", "定性错误或适用法律、法规、规章错误", "否决", ""},
    {"A5", "执法程序", "违反法定程序（应告知听证权利而未告知、应法制审核而未审核等）", "否决", ""},
    {"B1", "事实证据", "证据收集不全面，或证据之间有矛盾未作说明", "扣分", "10"},
    {"B2", "事实证据", "证据未注明来源、调取时间，或未经当事人确认", "扣分", "5"},
    {"C1", "法律适用", "引用法律条文不具体（未引至条、款、项）", "扣分", "5"},
    {"C2", "裁量", "未说明裁量理由，或偏离裁量基准未说明理由", "扣分", "10"},
    {"D1", "执法程序", "告知书、决定书等送达不规范", "扣分", "5"},
    {"D2", "执法程序", "超过办案期限未说明理由", "扣分", "5"},
    {"E1", "文书制作", "决定书说理不充分", "扣分", "10"},
    {"E2", "文书制作", "文书格式不规范、要素不全", "扣分", "5"},
    {"E3", "文书制作", "文书有错别字、涂改，或签名、日期、印章缺漏", "扣分", "2"},
    {"G1", "卷面", "卷内目录不全、材料排列不规范", "扣分", "2"},
    {"G2", "卷面", "未按规定立卷归档", "扣分", "1"},
};
#define N_RUBRIC (int)(sizeof(RUBRIC) / sizeof(RUBRIC[0]))

/* The outcomes of the referred files, in order (纪府联动): 立案, 党纪政务处分,
 * 第一种形态处理, 监察建议. Five files handle 13 people with one 监察建议:
 * the speech's 「移送县纪委监委问题线索5件，处理13人，发出监察建议1份」. */
static const struct {
    int filed, sanctioned, first_form;
    const char *advice;
} OUTCOMES[] = {
    {1, 1, 2, ""},
    {0, 0, 3, ""},
    {1, 1, 1, "向该单位发出监察建议书：健全重大执法决定法制审核和案卷管理制度，对承办人员加强执法培训，限期整改并书面报告。"},
    {0, 0, 2, ""},
    {0, 0, 3, ""},
};
#define N_OUTCOMES (int)(sizeof(OUTCOMES) / sizeof(OUTCOMES[0]))

#define MIN_CANDIDATES 3 /* a unit is drawn from only with at least this many closed files */
#define N_STATEMENTS 3   /* 陈述申辩: two failed files (maintained) and one deducted file (adjusted) */

/* A step: its kind in the high bits, the file (or referral) index in the low. */
enum { RV_RUBRIC, RV_CREATE, RV_DRAW, RV_SCORE, RV_STATEMENT, RV_ADJUST, RV_CLOSE, RV_RETRO, RV_REFER, RV_OUTCOME };
#define STEP(op, i) ((op) << 10 | (i))
#define STEP_OP(s) ((s) >> 10)
#define STEP_I(s) ((s) & 1023)

typedef void (*step_fn)(void *ctx, int64_t t, int sk);

/* The steps of campaign c with kinds first..last, in time order, for n files
 * drawn, nf failed and nr referred: the rubric in February, the campaign
 * from the first working day of March, a dozen files scored a day, the
 * statements and their review, the 集中点评, the 复盘, the referrals, and
 * their outcomes about two months later. */
static void schedule(const demo_campaign *c, int n, int nf, int nr, int first, int last, step_fn fn, void *ctx)
{
    int y = c->year, s = 2 + (n + 11) / 12, r = s + 9 + (nf + 3) / 4 + 2;
    int64_t day = add_wd(dayn(y + 1, 3, 1), 0);
    for (int op = first; op <= last; op++) {
        int count = op == RV_SCORE                            ? n
                    : op == RV_STATEMENT || op == RV_ADJUST   ? N_STATEMENTS
                    : op == RV_RETRO                          ? nf
                    : op == RV_REFER                          ? nr
                    : op == RV_OUTCOME                        ? (c->outcomes ? nr : 0)
                                                              : 1;
        for (int i = 0; i < count; i++) {
            int64_t t = op == RV_RUBRIC      ? at_ms(add_wd(dayn(y + 1, 2, 20), 0), 10, 0)
                        : op == RV_CREATE    ? at_ms(day, 9, 30)
                        : op == RV_DRAW      ? at_ms(day, 10, 0)
                        : op == RV_SCORE     ? at_ms(add_wd(day, 2 + i / 12), 9, 30 + (i % 12) * 30)
                        : op == RV_STATEMENT ? at_ms(add_wd(day, s + 1), 10, i * 40)
                        : op == RV_ADJUST    ? at_ms(add_wd(day, s + 4), 10, i * 40)
                        : op == RV_CLOSE     ? at_ms(add_wd(day, s + 6), 15, 0)
                        : op == RV_RETRO     ? at_ms(add_wd(day, s + 9 + i / 4), 10, (i % 4) * 60)
                        : op == RV_REFER     ? at_ms(add_wd(day, r + i / 2), 10, (i % 2) * 120)
                                             : at_ms(add_wd(day, r + 40 + 5 * i), 16, 0);
            fn(ctx, t, STEP(op, i));
        }
    }
}

typedef struct plan_ctx {
    void (*add)(int64_t t, int c, int sk);
    int c;
} plan_ctx;

static void plan_add(void *ctx, int64_t t, int sk)
{
    plan_ctx *p = ctx;
    p->add(t, p->c, sk);
}

void demo_review_plan(demo *g, int ci, void (*add)(int64_t t, int c, int sk))
{
    demo_campaign *c = &g->review[ci];
    int nf = c->fail < c->files ? c->fail : c->files / 10, nr = c->referred < nf ? c->referred : nf;
    plan_ctx p = {add, ci};
    schedule(c, c->files, nf, nr, RV_RUBRIC, RV_OUTCOME, plan_add, &p);
}

static void rubric_name(const demo_campaign *c, char out[80])
{
    snprintf(out, 80, "行政处罚案卷评查标准（%d）", c->year);
}

/* The units to draw from when the campaign is to hold exactly c->files files:
 * each unit with at least MIN_CANDIDATES closed files decided in the year
 * gives min(candidates, per_unit); in the order of those numbers (largest
 * first, then by unit id), the first subset making c->files (or the most
 * files below it) is taken. The candidates are counted as the draw counts
 * them (review_campaign.c candidates(): state closed or archived, decided_on
 * within the period). units: ",3,5,". */
static int choose_units(store_conn *w, demo *g, const demo_campaign *c, const char *from, const char *to,
                        strbuf *units)
{
    enum { MAXU = 64 };
    int64_t id[MAXU];
    int v[MAXU], m = 0;
    store_stmt *st;
    if (store_prepare(w,
                      "SELECT unit_id, count(*) FROM case_penalty WHERE state IN ('closed', 'archived')"
                      " AND f_decided_on >= ? AND f_decided_on <= ? GROUP BY unit_id ORDER BY unit_id",
                      &st))
        return fail(g, "案卷评查", "统计候选案卷");
    store_bind_text(st, 1, from);
    store_bind_text(st, 2, to);
    int s;
    while ((s = store_step(st)) == STORE_ROW && m < MAXU) {
        int64_t n = store_col_int(st, 1);
        if (n < MIN_CANDIDATES)
            continue;
        int val = n < c->per_unit ? (int)n : c->per_unit, k = m++;
        /* insertion: value descending, unit id ascending */
        while (k > 0 && v[k - 1] < val) {
            v[k] = v[k - 1], id[k] = id[k - 1];
            k--;
        }
        v[k] = val, id[k] = store_col_int(st, 0);
    }
    store_done(st);
    if (s != STORE_ROW && s != STORE_DONE)
        return fail(g, "案卷评查", "统计候选案卷");
    /* ok[k][n]: units k.. can give exactly n files */
    unsigned char ok[MAXU + 1][DEMO_REVIEW_MAX + 1];
    memset(ok, 0, sizeof(ok));
    ok[m][0] = 1;
    for (int k = m - 1; k >= 0; k--)
        for (int n = 0; n <= DEMO_REVIEW_MAX; n++)
            ok[k][n] = ok[k + 1][n] || (n >= v[k] && ok[k + 1][n - v[k]]);
    int need = c->files < DEMO_REVIEW_MAX ? c->files : DEMO_REVIEW_MAX;
    while (need > 0 && !ok[0][need])
        need--;
    int take[MAXU] = {0};
    for (int k = 0; k < m; k++)
        if (need >= v[k] && ok[k + 1][need - v[k]]) {
            take[k] = 1;
            need -= v[k];
        }
    /* ascending unit ids */
    strbuf_putc(units, ',');
    for (;;) {
        int best = -1;
        for (int k = 0; k < m; k++)
            if (take[k] == 1 && (best < 0 || id[k] < id[best]))
                best = k;
        if (best < 0)
            break;
        take[best] = 2;
        strbuf_printf(units, "%lld,", (long long)id[best]);
    }
    return strbuf_ok(units) ? FZ_OK : fail(g, "案卷评查", "内存不足");
}

static int put_rubric(store_conn *w, demo *g, const demo_campaign *c)
{
    char rubric[80];
    rubric_name(c, rubric);
    for (int i = 0; i < N_RUBRIC; i++) {
        json_t *v = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s}", "rubric", rubric, "seq", i + 1, "code", RUBRIC[i][0],
                              "category", RUBRIC[i][1], "label", RUBRIC[i][2], "kind", RUBRIC[i][3]);
        if (*RUBRIC[i][4])
            json_object_set_new(v, "points", json_string(RUBRIC[i][4]));
        if (demo_cat_put(w, g, REVIEW_RUBRIC_CATALOG, v, g->unit_ids[0], NULL))
            return FZ_ERR;
    }
    return FZ_OK;
}

static int create(store_conn *w, demo *g, demo_campaign *c, review_ctx *x)
{
    char rubric[80], name[120], from[11], to[11], seed[32];
    rubric_name(c, rubric);
    snprintf(name, sizeof(name), "%d年度行政执法案卷评查", c->year);
    date_format(c->year, 1, 1, from);
    date_format(c->year, 12, 31, to);
    snprintf(seed, sizeof(seed), "%llu", (unsigned long long)(rnd() % 1000000));
    strbuf units = STRBUF_INIT;
    if (c->files && choose_units(w, g, c, from, to, &units)) {
        strbuf_free(&units);
        return FZ_ERR;
    }
    review_spec sp = {.name = name, .d = defs_find(g->d, DEF_PROCEDURE, "penalty"), .states = ",closed,archived,",
                      .date_field = "decided_on", .period_from = from, .period_to = to, .per_unit = c->per_unit,
                      .seed = seed, .units = units.data ? units.data : "", .rubric = rubric};
    int rc = sp.d ? review_campaign_create(w, x, &sp, &c->cid) : FZ_NOTFOUND;
    strbuf_free(&units);
    return rc ? fail(g, "案卷评查", sp.d ? x->message : "定义目录中没有 penalty 程序") : FZ_OK;
}

/* The draw, then the sample read back in draw order; the failed files and
 * the statements chosen. */
static int draw(store_conn *w, demo *g, demo_campaign *c, review_ctx *x)
{
    if (review_campaign_draw(w, x, g->d, c->cid))
        return fail(g, "案卷评查抽样", x->message);
    store_stmt *st;
    if (store_prepare(w, "SELECT id, unit_id FROM review_files WHERE campaign_id = ? ORDER BY id", &st))
        return fail(g, "案卷评查", "读取样本");
    store_bind_int(st, 1, c->cid);
    c->n = 0;
    while (store_step(st) == STORE_ROW && c->n < DEMO_REVIEW_MAX) {
        c->fid[c->n] = store_col_int(st, 0);
        c->unit[c->n] = store_col_int(st, 1);
        c->n++;
    }
    store_done(st);
    int n = c->n, idx[DEMO_REVIEW_MAX];
    c->nf = c->fail < n ? c->fail : n / 10;
    for (int i = 0; i < n; i++)
        idx[i] = i;
    for (int k = 0; k < c->nf + 1 && k < n; k++) { /* partial shuffle: nf failed, then one passed */
        int r = k + rr(0, n - k - 1), tmp = idx[k];
        idx[k] = idx[r];
        idx[r] = tmp;
    }
    for (int k = 0; k < c->nf; k++) /* in draw order */
        c->failed[k] = idx[k];
    for (int k = 1; k < c->nf; k++)
        for (int j = k; j > 0 && c->failed[j - 1] > c->failed[j]; j--) {
            int tmp = c->failed[j];
            c->failed[j] = c->failed[j - 1];
            c->failed[j - 1] = tmp;
        }
    c->stmt[0] = c->nf > 0 ? c->failed[0] : -1;
    c->stmt[1] = c->nf < n ? idx[c->nf] : -1;
    c->stmt[2] = c->nf > 1 ? c->failed[c->nf - 1] : -1;
    return FZ_OK;
}

static int is_failed(const demo_campaign *c, int i)
{
    for (int k = 0; k < c->nf; k++)
        if (c->failed[k] == i)
            return 1;
    return 0;
}

static int score(store_conn *w, demo *g, demo_campaign *c, review_ctx *x, int i)
{
    static const char *const deducts[] = {"B2", "C1", "D1", "E2", "E3", "G1", "G2"};
    json_t *marks = json_array();
    if (is_failed(c, i)) {
        json_array_append_new(marks, json_pack("{s:s, s:b, s:s}", "code", chance(50) ? "A3" : "A5", "veto", 1, "note",
                                               "主要证据不足 / 程序缺失，见评查意见"));
    } else if (i == c->stmt[1]) {
        /* the file whose unit will dispute B2 (adjusted after its statement) */
        json_array_append_new(marks, json_pack("{s:s, s:i}", "code", "B2", "deduct", 3));
        json_array_append_new(marks, json_pack("{s:s, s:i}", "code", "E2", "deduct", 2));
    } else {
        int k = rr(0, 3);
        for (int m = 0; m < k; m++) {
            const char *code = deducts[(i + m * 3) % 7];
            int pts = !strcmp(code, "G2") ? 1 : !strcmp(code, "E3") || !strcmp(code, "G1") ? rr(1, 2) : rr(1, 5);
            json_array_append_new(marks, json_pack("{s:s, s:i}", "code", code, "deduct", pts));
        }
    }
    int rc = review_file_score(w, x, c->cid, c->fid[i], marks, "经评查，见各项评分。");
    json_decref(marks);
    return rc ? fail(g, "案卷评分", x->message) : FZ_OK;
}

/* 陈述申辩 by the head of the file's unit (as api/reviews_api.c allows). */
static int statement(store_conn *w, demo *g, demo_campaign *c, review_ctx *x, int k)
{
    int i = c->stmt[k];
    const enf_unit *e = NULL;
    for (int u = 0; u < N_ENF && i >= 0; u++)
        if (g->enf[u].unit_id == c->unit[i])
            e = &g->enf[u];
    if (!e) {
        c->stmt[k] = -1; /* no unit head to state it: nothing to review either */
        return FZ_OK;
    }
    review_ctx xu = {.who = &e->p_head, .ledger = x->ledger};
    const char *text = k == 1 ? "对 B2 项扣分有异议：证据来源、调取时间已在证据清单中逐项注明，请求复核。"
                              : "对评查结论有异议：认定违法事实的证据已在卷内附齐，办案程序合法，请求复核。";
    if (review_file_statement(w, &xu, c->cid, c->fid[i], text))
        return fail(g, "陈述申辩", xu.message);
    return FZ_OK;
}

static int adjust(store_conn *w, demo *g, demo_campaign *c, review_ctx *x, int k)
{
    int i = c->stmt[k], rc;
    if (i < 0 || i >= c->n)
        return FZ_OK;
    if (k == 1) {
        json_t *marks = json_pack("[{s:s, s:i}]", "code", "E2", "deduct", 2);
        rc = review_file_adjust(w, x, c->cid, c->fid[i], marks, "经复核，证据清单已注明证据来源和调取时间，撤销 B2 项扣分。");
        json_decref(marks);
    } else {
        rc = review_file_adjust(w, x, c->cid, c->fid[i], NULL, "经复核，卷内仍缺少认定违法事实的主要证据，申辩理由不成立，维持原评查结论。");
    }
    return rc ? fail(g, "申辩复核", x->message) : FZ_OK;
}

int demo_review_step(store_conn *w, demo *g, int ci, int sk)
{
    demo_campaign *c = &g->review[ci];
    review_ctx x = {.who = &g->p_sup, .ledger = g->cfg.region_code};
    int op = STEP_OP(sk), i = STEP_I(sk);
    int nr = c->referred < c->nf ? c->referred : c->nf;
    switch (op) {
    case RV_RUBRIC:
        return put_rubric(w, g, c);
    case RV_CREATE:
        return create(w, g, c, &x);
    case RV_DRAW:
        return draw(w, g, c, &x);
    case RV_SCORE:
        return i < c->n ? score(w, g, c, &x, i) : FZ_OK;
    case RV_STATEMENT:
        return c->stmt[i] >= 0 && c->stmt[i] < c->n ? statement(w, g, c, &x, i) : FZ_OK;
    case RV_ADJUST:
        return adjust(w, g, c, &x, i);
    case RV_CLOSE: {
        char summary[400];
        snprintf(summary, sizeof(summary),
                 "集中点评：本次评查%d年度行政处罚案卷%d件，不合格%d件。案卷总体规范，主要问题为证据未注明来源、"
                 "文书要素不全和卷面不规范；不合格案卷须复盘整改。",
                 c->year, c->n, c->nf);
        return review_campaign_close(w, &x, c->cid, summary) ? fail(g, "集中点评", x.message) : FZ_OK;
    }
    case RV_RETRO:
        if (i < c->nf && review_file_retrospect(w, &x, c->cid, c->fid[c->failed[i]],
                                                "已组织承办单位复盘，查找证据收集与程序问题并整改。"))
            return fail(g, "复盘", x.message);
        return FZ_OK;
    case RV_REFER:
        if (i < nr && review_file_refer(w, &x, c->cid, c->fid[c->failed[i]], "县纪委监委", "移送执法领域作风问题线索。"))
            return fail(g, "线索移送", x.message);
        return FZ_OK;
    case RV_OUTCOME:
        if (i < nr && i < N_OUTCOMES) {
            review_outcome o = {.filed = OUTCOMES[i].filed, .sanctioned = OUTCOMES[i].sanctioned,
                                .first_form = OUTCOMES[i].first_form, .advice = OUTCOMES[i].advice};
            if (review_file_outcome(w, &x, c->cid, c->fid[c->failed[i]], &o))
                return fail(g, "处理结果", x.message);
            c->people += o.sanctioned + o.first_form;
            c->advice += *o.advice != '\0';
        }
        return FZ_OK;
    }
    return fail(g, "案卷评查", "未知步骤");
}

typedef struct run_ctx {
    store_conn *w;
    demo *g;
    int c, rc;
} run_ctx;

static void run_step(void *ctx, int64_t t, int sk)
{
    run_ctx *r = ctx;
    if (r->rc)
        return;
    set_now(t);
    r->rc = demo_review_step(r->w, r->g, r->c, sk);
}

int demo_review_run(store_conn *w, demo *g, int ci)
{
    demo_campaign *c = &g->review[ci];
    run_ctx r = {w, g, ci, FZ_OK};
    schedule(c, 0, 0, 0, RV_RUBRIC, RV_DRAW, run_step, &r);
    if (!r.rc)
        schedule(c, c->n, c->nf, c->referred < c->nf ? c->referred : c->nf, RV_SCORE, RV_OUTCOME, run_step, &r);
    return r.rc;
}
