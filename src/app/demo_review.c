/* demo_review.c: the demonstration county's 案卷评查 (see demo_gen.h):
 * the rubric, the campaign over the year's closed files next March, the
 * scores, the 集中点评, the 复盘 of failed files and the referrals, all
 * through engine/review_campaign.h. */
#include "app/demo_gen.h"
#include "engine/review_campaign.h"

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

static int64_t review_cid;

int demo_review(store_conn *w, demo *g)
{
    int y = g->year;
    char rubric[80], name[120], from[11], to[11], seed[32];
    snprintf(rubric, sizeof(rubric), "行政处罚案卷评查标准（%d）", y);
    set_now(at_ms(add_wd(dayn(y + 1, 2, 20), 0), 10, 0));
    for (int i = 0; i < N_RUBRIC; i++) {
        json_t *v = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s}", "rubric", rubric, "seq", i + 1, "code", RUBRIC[i][0],
                              "category", RUBRIC[i][1], "label", RUBRIC[i][2], "kind", RUBRIC[i][3]);
        if (*RUBRIC[i][4])
            json_object_set_new(v, "points", json_string(RUBRIC[i][4]));
        if (demo_cat_put(w, g, REVIEW_RUBRIC_CATALOG, v, g->unit_ids[0], NULL))
            return FZ_ERR;
    }
    snprintf(name, sizeof(name), "%d年度行政执法案卷评查", y);
    date_format(y, 1, 1, from);
    date_format(y, 12, 31, to);
    snprintf(seed, sizeof(seed), "%llu", (unsigned long long)(rnd() % 1000000));
    review_spec sp = {.name = name, .d = defs_find(g->d, DEF_PROCEDURE, "penalty"), .states = ",closed,archived,",
                      .date_field = "decided_on", .period_from = from, .period_to = to, .per_unit = 3, .seed = seed,
                      .units = "", .rubric = rubric};
    review_ctx x = {.who = &g->p_sup, .ledger = g->cfg.region_code};
    int64_t day = add_wd(dayn(y + 1, 3, 1), 0);
    set_now(at_ms(day, 9, 30));
    if (review_campaign_create(w, &x, &sp, &review_cid))
        return fail(g, "案卷评查", x.message);
    set_now(at_ms(day, 10, 0));
    if (review_campaign_draw(w, &x, g->d, review_cid))
        return fail(g, "案卷评查抽样", x.message);
    int64_t fids[200];
    int n = 0;
    store_stmt *st;
    if (store_prepare(w, "SELECT id FROM review_files WHERE campaign_id = ? ORDER BY id", &st))
        return fail(g, "案卷评查", "读取样本");
    store_bind_int(st, 1, review_cid);
    while (store_step(st) == STORE_ROW && n < 200)
        fids[n++] = store_col_int(st, 0);
    store_done(st);
    static const char *const deducts[] = {"B2", "C1", "D1", "E2", "E3", "G1", "G2"};
    int failed[200], nf = 0;
    for (int i = 0; i < n; i++) {
        set_now(at_ms(add_wd(day, 2 + i / 12), 9, 30 + (i % 12) * 30));
        json_t *marks = json_array();
        if (chance(10)) {
            json_array_append_new(marks, json_pack("{s:s, s:b, s:s}", "code", chance(50) ? "A3" : "A5", "veto", 1,
                                                   "note", "主要证据不足 / 程序缺失，见评查意见"));
            failed[nf++] = i;
        } else {
            int k = rr(0, 3);
            for (int m = 0; m < k; m++) {
                const char *c = deducts[(i + m * 3) % 7];
                int pts = !strcmp(c, "G2") ? 1 : !strcmp(c, "E3") || !strcmp(c, "G1") ? rr(1, 2) : rr(1, 5);
                json_array_append_new(marks, json_pack("{s:s, s:i}", "code", c, "deduct", pts));
            }
        }
        int rc = review_file_score(w, &x, review_cid, fids[i], marks, "经评查，见各项评分。");
        json_decref(marks);
        if (rc)
            return fail(g, "案卷评分", x.message);
    }
    set_now(at_ms(add_wd(day, 8 + n / 12), 15, 0));
    if (review_campaign_close(w, &x, review_cid,
                              "集中点评：本次评查案卷总体规范，主要问题为证据未注明来源、文书要素不全和卷面不规范；"
                              "不合格案卷须复盘整改。"))
        return fail(g, "集中点评", x.message);
    for (int i = 0; i < nf; i++) {
        set_now(at_ms(add_wd(day, 12 + n / 12 + i), 10, 0));
        if (review_file_retrospect(w, &x, review_cid, fids[failed[i]], "已组织承办单位复盘，查找证据收集与程序问题并整改。"))
            return fail(g, "复盘", x.message);
        if (i % 2 == 0) {
            set_now(at_ms(add_wd(day, 13 + n / 12 + i), 10, 0));
            if (review_file_refer(w, &x, review_cid, fids[failed[i]], "县纪委监委", "移送执法领域作风问题线索。"))
                return fail(g, "线索移送", x.message);
        }
    }
    g->review_files = n;
    g->review_failed = nf;
    return FZ_OK;
}

