/* demo_cases.c: the demonstration county's penalty cases and disclosure
 * requests, planned as steps in time (see demo_gen.h); cmd_demo.c runs them
 * through case_create and case_act. */
#include "app/demo_gen.h"

#include <stdlib.h>

/* A time on day at a random working hour, after prev when on the same day. */
static int64_t when(int64_t day, int64_t prev)
{
    int64_t t = at_ms(day, 9, rr(0, 420));
    if (prev && t <= prev)
        t = prev + (int64_t)rr(10, 60) * 60000;
    return t;
}

/* The trades a violation field's parties come from, and how many of them are
 * natural persons (percent). */
static const struct {
    const char *field, *trades[4];
    int persons;
    const char *short_name; /* decision number prefix */
} PARTIES[] = {
    {"市场监管", {"超市", "食品店", "餐饮管理有限公司", "商贸有限公司"}, 35, "X市监"},
    {"文化市场", {"网吧", "网吧", "文化传播有限公司", "网吧"}, 5, "X文执"},
    {"农业", {"种子经营部", "农业科技有限公司", "茶叶专业合作社", "农资经营部"}, 40, "X农执"},
    {"生态环境", {"建筑工程有限公司", "石材加工厂", "建筑工程有限公司", "砖厂"}, 45, "X环执"},
    {"交通运输", {"运输有限公司", "物流有限公司", "运输有限公司", "砂石经营部"}, 60, "X交执"},
    {"应急管理", {"石材加工厂", "木材加工厂", "商贸有限公司", "液化气站"}, 10, "X应急执"},
    {"城市管理", {"餐饮管理有限公司", "建材经营部", "超市", "建筑工程有限公司"}, 70, "X城管执"},
    {"自然资源、林业和草原", {"木材加工厂", "农业科技有限公司", "石材加工厂", "建筑工程有限公司"}, 60, "X综执"},
    {"乡镇", {"农业专业合作社", "建材经营部", "餐饮店", "养殖场"}, 85, NULL},
};

static int party_kind(const char *field)
{
    for (int i = 0; i < (int)(sizeof(PARTIES) / sizeof(PARTIES[0])); i++)
        if (!strcmp(PARTIES[i].field, field))
            return i;
    return 0;
}

static json_t *party(const char *field)
{
    int k = party_kind(field);
    if (chance(PARTIES[k].persons)) {
        char nm[32];
        return json_pack("{s:s, s:s}", "name", person_name(nm), "kind", "自然人");
    }
    const char *trade = PARTIES[k].trades[rr(0, 3)];
    char nm[200];
    snprintf(nm, sizeof(nm), "%s%s%s", DEMO_COUNTY, demo_firm_words[rr(0, demo_nfirm_words - 1)], trade);
    int legal = strstr(trade, "公司") || strstr(trade, "合作社");
    return json_pack("{s:s, s:s}", "name", nm, "kind", legal ? "法人" : "其他组织");
}

/* The year whose cases are being planned (decision and archive numbers). */
static int plan_year;

static void add_step(plan *p, int64_t day, const char *action, int who, json_t *values)
{
    int64_t prev = p->n ? p->s[p->n - 1].t : 0;
    if (prev && at_ms(day, 16, 0) < prev)
        day = (prev + 8 * 3600000) / 86400000; /* never before the previous step */
    p->s[p->n++] = (step){.t = when(day, prev), .action = action, .who = who, .values = values};
}

static int64_t step_day(const plan *p)
{
    /* Beijing date of the last step. */
    return (p->s[p->n - 1].t + 8 * 3600000) / 86400000;
}

static void plan_penalty(demo *g, plan *p, int64_t d, int kind)
{
    enf_unit *e = &g->enf[p->enf];
    const demo_violation *v = &demo_violations[e->viol[rr(0, e->nviol - 1)]];
    json_t *pty = party(e->field);
    int citizen = !strcmp(json_string_value(json_object_get(pty, "kind")), "自然人");
    char facts[600], vday[11], fday[11], today[11], no[120], basis[300];
    snprintf(facts, sizeof(facts), "经查，当事人%s。", v->facts);
    int64_t vd = d - rr(1, 30);
    day_text(vd, vday);
    day_text(d - rr(0, 1) < vd ? vd : d - rr(0, 1), fday);
    snprintf(basis, sizeof(basis), "%s", v->penalty_basis);
    static const char *const sources[] = {"监督检查", "监督检查", "投诉举报", "上级交办", "有关部门移送", "其他"};
    const char *c1 = g->off[e->certified[0]].cert, *c2 = g->off[e->certified[1 + rr(0, e->ncert - 2)]].cert;
    add_step(p, d, NULL, 0,
             json_pack("{s:o, s:s, s:s}", "party", pty, "source", sources[rr(0, 5)], "facts", facts));
    p->kind = kind;
    if (kind == 2) { /* 柔性执法 */
        static const char *const soft[] = {"说服教育", "劝导示范", "警示告诫", "指导约谈"};
        const char *m = soft[rr(0, 3)];
        char note[300];
        snprintf(note, sizeof(note), "违法行为轻微并及时改正，没有造成危害后果，经%s，当事人当场改正。", m);
        add_step(p, add_wd(d, rr(0, 2)), "soft_close", 0, json_pack("{s:s, s:s}", "soft_measure", m, "soft_note", note));
        return;
    }
    if (kind == 3) {
        add_step(p, add_wd(d, rr(1, 3)), "not_file", 2,
                 json_pack("{s:s}", "not_filed_reason", "经核查，反映的违法事实不存在，不予立案。"));
        return;
    }
    if (kind == 1) { /* 简易程序 */
        int64_t hi = v->legal_max * 5 / 100; /* 减轻 range, yuan */
        int64_t lim = citizen ? 200 : 3000, fine = hi < lim ? hi : lim;
        fine = fine / 50 * 50;
        e->nsimple++;
        snprintf(no, sizeof(no), "%s当罚〔%d〕%d号", e->town >= 0 ? e->name : PARTIES[party_kind(e->field)].short_name,
                 plan_year, e->nsimple);
        day_text(d, today);
        add_step(p, d, "simple_decide", 0,
                 json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:b, s:s, s:s, s:s}", "facts", facts,
                           "violation_code", v->code, "violation_on", vday, "investigator1_cert", c1,
                           "investigator2_cert", c2, "circumstance", "减轻", "decision", "处罚", "decision_no", no,
                           "decided_on", today, "fine", (json_int_t)(fine * 100), "warning", 1, "legal_basis", basis,
                           "served_on", today, "service_method", "当场交付"));
        int64_t pd = d + rr(0, 10);
        char paid[11];
        day_text(pd, paid);
        add_step(p, pd, "execute", 0,
                 fine ? json_pack("{s:s, s:I, s:s}", "paid_on", paid, "paid_amount", (json_int_t)(fine * 100),
                                  "execution_note", "当事人已缴纳罚款")
                      : json_pack("{s:s}", "execution_note", "警告已当场执行"));
        add_step(p, add_wd(step_day(p), rr(1, 3)), "close", 0, json_object());
        char ano[80];
        snprintf(ano, sizeof(ano), "%d-%s-%03d", plan_year, e->abbr, ++e->narch);
        add_step(p, add_wd(step_day(p), rr(3, 10)), "archive", 2, json_pack("{s:s}", "archive_no", ano));
        return;
    }
    add_step(p, d, "file", 0, json_pack("{s:s, s:s, s:s}", "violation_code", v->code, "violation_on", vday,
                                         "discovered_on", fday));
    add_step(p, add_wd(d, rr(1, 4)), "investigate", 0,
             json_pack("{s:s, s:s, s:s}", "investigator1_cert", c1, "investigator2_cert", c2, "evidence",
                       "现场检查笔录、询问笔录、现场照片及执法记录仪音视频"));
    if (kind == 4) {
        int police = chance(60);
        add_step(p, add_wd(step_day(p), rr(3, 10)), "transfer_out", 0,
                 json_pack("{s:s, s:s, s:s}", "transfer_to", police ? "司法机关" : "其他行政机关", "transfer_org",
                           police ? "X县公安局" : "州市场监督管理局", "transfer_reason",
                           police ? "涉嫌构成犯罪，依法移送公安机关（第二十七条）" : "不属于本机关管辖，依法移送有管辖权的机关"));
        return;
    }
    /* General procedure. */
    static const char *const circs[] = {"减轻", "从轻", "一般", "从重"};
    static const int lo_pct[] = {0, 5, 30, 60}, hi_pct[] = {5, 30, 60, 100};
    int c = citizen ? (chance(70) ? 1 : rr(0, 2)) : rr(1, 3);
    int64_t lo = v->legal_max * lo_pct[c] / 100, hi = v->legal_max * hi_pct[c] / 100;
    int64_t fine = (lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1))) / 100 * 100;
    if (fine < lo)
        fine += 100;
    if (fine <= 0)
        fine = 0;
    int warning = c <= 2 && chance(40);
    if (!fine && !warning)
        warning = 1;
    int64_t hearing_at = citizen ? 10000 : 100000;
    int64_t d3 = add_wd(step_day(p), p->late_handling ? rr(62, 66) : rr(3, 12));
    day_text(d3, today);
    add_step(p, d3, "inform", 0,
             json_pack("{s:s, s:I, s:b, s:s, s:b, s:b, s:b}", "circumstance", circs[c], "proposed_fine",
                       (json_int_t)(fine * 100), "proposed_warning", warning, "informed_on", today, "hearing_notified",
                       fine >= hearing_at, "collective_required", c == 3, "major_case", c == 3 || fine >= hearing_at));
    if (chance(30))
        add_step(p, add_wd(d3, rr(1, 3)), "record_statement", 0,
                 json_pack("{s:s}", "statement", "当事人对违法事实无异议，请求从轻处理；经复核，维持拟处罚意见。"));
    add_step(p, add_wd(d3, rr(5, 7)), "submit_review", 1, json_object());
    add_step(p, add_wd(step_day(p), rr(1, 3)), "review_approve", 3,
             json_pack("{s:s, s:s}", "review_opinion", "同意", "review_note", "事实清楚，证据确凿，程序合法，适用依据正确，裁量适当。"));
    if (c == 3) {
        int64_t dd = add_wd(step_day(p), rr(1, 3));
        day_text(dd, today);
        add_step(p, dd, "discuss", 2,
                 json_pack("{s:s, s:s}", "collective_discussion", "经负责人集体讨论，同意按拟处罚意见作出处罚决定。",
                           "discussed_on", today));
    }
    int64_t d7 = add_wd(step_day(p), rr(1, 3));
    day_text(d7, today);
    e->nseq++;
    if (e->town >= 0)
        snprintf(no, sizeof(no), "%s罚决〔%d〕%d号", e->name, plan_year, e->nseq);
    else
        snprintf(no, sizeof(no), "%s罚决〔%d〕%d号", PARTIES[party_kind(e->field)].short_name, plan_year, e->nseq);
    add_step(p, d7, "decide", 2,
             json_pack("{s:s, s:s, s:s, s:I, s:b, s:s}", "decision", "处罚", "decision_no", no, "decided_on", today,
                       "fine", (json_int_t)(fine * 100), "warning", warning, "legal_basis", basis));
    int64_t ds = add_wd(d7, rr(0, 2));
    day_text(ds, today);
    add_step(p, ds, "serve", 1, json_pack("{s:s, s:s}", "served_on", today, "service_method", chance(80) ? "直接送达" : "邮寄送达"));
    int64_t dp = add_wd(d7, p->late_publish ? rr(9, 14) : rr(1, 5));
    int64_t dx = ds + rr(3, 14);
    char paid[11];
    day_text(dx, paid);
    int pub_before = dp <= dx;
    if (pub_before)
        add_step(p, dp < ds ? ds : dp, "publish", 0, json_object());
    add_step(p, dx, "execute", 0,
             fine ? json_pack("{s:s, s:I, s:s}", "paid_on", paid, "paid_amount", (json_int_t)(fine * 100),
                              "execution_note", "当事人已按期缴纳罚款")
                  : json_pack("{s:s}", "execution_note", "警告已执行"));
    if (!pub_before)
        add_step(p, dp, "publish", 0, json_object());
    add_step(p, add_wd(step_day(p), rr(1, 5)), "close", 0, json_object());
    char ano[80];
    snprintf(ano, sizeof(ano), "%d-%s-%03d", plan_year, e->abbr, ++e->narch);
    add_step(p, add_wd(step_day(p), rr(3, 15)), "archive", 2, json_pack("{s:s}", "archive_no", ano));
}

static void plan_disclosure(demo *g, plan *p, int64_t d, int late)
{
    static const char *const topics[] = {"本县2022年度财政预算执行情况", "某村土地征收补偿安置方案",
                                         "县城污水处理厂环境影响评价批复", "本县农村危房改造补助名单",
                                         "县城老旧小区改造项目招标文件", "本县2023年度重大行政决策事项目录"};
    static const char *const outcomes[] = {"予以公开", "予以公开", "部分公开", "无法提供", "不予处理"};
    char nm[32], content[300], today[11];
    snprintf(content, sizeof(content), "申请公开%s。", topics[rr(0, 5)]);
    day_text(d, today);
    person_name(nm); /* one draw per statement: argument order is unspecified */
    const char *channel = chance(60) ? "网络" : "当面";
    add_step(p, d, NULL, 0,
             json_pack("{s:{s:s, s:s}, s:s, s:s, s:s, s:s}", "applicant", "name", nm, "kind", "自然人",
                       "applicant_type", "自然人", "channel", channel, "received_on", today, "content", content));
    add_step(p, add_wd(d, rr(0, 1)), "register", 0, json_object());
    const char *o = outcomes[rr(0, 4)];
    add_step(p, add_wd(d, late ? 23 : rr(5, 17)), "answer", 0,
             json_pack("{s:s, s:s, s:s}", "outcome", o, "outcome_detail", "已按申请人要求的形式提供并告知。",
                       "outcome_basis", "《中华人民共和国政府信息公开条例》第三十六条"));
    add_step(p, add_wd(step_day(p), rr(1, 3)), "close", 0, json_object());
    (void)g;
}

/* The cases of year y: total penalty cases by unit weight (a township team
 * only from the delegation of 1 July in the previous year) and the
 * disclosure requests. stats: the demonstration year's, counted. */
void demo_plan_cases(demo *g, int y, int total, int disclosures, int stats)
{
    int W = 0, cnt[N_ENF] = {0}, sum = 0;
    for (int i = 0; i < N_ENF; i++)
        W += g->enf[i].weight;
    for (int i = 0; i < N_ENF; i++)
        sum += cnt[i] = total * g->enf[i].weight / W;
    for (int i = 0; sum < total; i = (i + 1) % N_ENF)
        cnt[i]++, sum++;
    plan_year = y;
    for (int i = 0; i < N_ENF; i++)
        g->enf[i].nseq = g->enf[i].nsimple = g->enf[i].narch = 0;
    /* The previous year starts once the officers are registered (15 March). */
    int prev = y < g->year;
    int64_t first = prev ? dayn(y, 4, 6) : dayn(y, 1, 4), last = dayn(y, 12, 8);
    int late_h = 0;
    for (int i = 0; i < N_ENF; i++) {
        int64_t from = prev && g->enf[i].town >= 0 ? dayn(y, 7, 4) : first;
        for (int k = 0; k < cnt[i]; k++) {
            plan *p = &g->cases[g->ncases++];
            p->enf = i;
            int64_t d = add_wd(from + rr(0, (int)(last - from)), 0);
            int r = rr(1, 100);
            int kind = r <= 70 ? 0 : r <= 82 ? 1 : r <= 91 ? 2 : r <= 95 ? 3 : 4;
            if (kind == 0) {
                p->late_publish = chance(8);
                p->late_handling = late_h < 3 && d < dayn(y, 9, 1) && chance(10);
                late_h += p->late_handling;
                if (stats) {
                    g->stats_late_publish += p->late_publish;
                    g->stats_late_handling += p->late_handling;
                }
            }
            plan_penalty(g, p, d, kind);
        }
    }
    for (int k = 0; k < disclosures; k++) {
        plan *p = &g->cases[g->ncases++];
        p->kind = 5;
        plan_disclosure(g, p, add_wd(first + rr(0, (int)(last - first)), 0), k == 7);
        if (stats)
            g->ndisc++;
        else
            g->prev_disc++;
    }
    if (!stats)
        g->prev_cases = total;
}

