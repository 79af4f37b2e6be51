/* demo_history.c: a month of the demonstration county's 行政检查 results,
 * imported and published through the engine (see demo_history.h). */
#include "app/demo_history.h"
#include "app/demo_data.h"
#include "engine/cases.h"
#include "engine/publish.h"
#include "store/store.h"
#include "core/status.h"
#include "core/timeutil.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static uint64_t rnd(demo_history *h)
{
    uint64_t x = h->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    h->rng = x;
    return x * UINT64_C(2685821657736338717);
}

static int rr(demo_history *h, int lo, int hi)
{
    return hi <= lo ? lo : lo + (int)(rnd(h) % (uint64_t)(hi - lo + 1));
}

static void day_text(int64_t day, char out[11])
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    date_format(y, m, d, out);
}

/* The checked party: mostly businesses of the unit's field, some persons. */
static json_t *party(demo_history *h, const char *field)
{
    static const char *const trades[] = {"超市", "商贸有限公司", "餐饮店", "建材经营部", "农资经营部", "运输有限公司",
                                         "网吧", "建筑工程有限公司", "石材加工厂", "养殖场", "茶叶专业合作社",
                                         "木材加工厂", "液化气站", "宾馆"};
    char nm[200];
    if (rr(h, 1, 100) <= (strcmp(field, "乡镇") ? 15 : 40)) {
        const char *sur = demo_surnames[rr(h, 0, demo_nsurnames - 1)];
        snprintf(nm, sizeof(nm), "%s%s", sur, demo_given[rr(h, 0, demo_ngiven - 1)]);
        return json_pack("{s:s, s:s}", "name", nm, "kind", "自然人");
    }
    const char *t = trades[rr(h, 0, (int)(sizeof(trades) / sizeof(trades[0])) - 1)];
    const char *word = demo_firm_words[rr(h, 0, demo_nfirm_words - 1)];
    snprintf(nm, sizeof(nm), "%s%s%s", DEMO_COUNTY, word, t);
    return json_pack("{s:s, s:s}", "name", nm, "kind", strstr(t, "公司") || strstr(t, "合作社") ? "法人" : "其他组织");
}

static json_t *row_values(demo_history *h, const demo_insp_unit *u, int64_t first, int64_t last)
{
    static const char *const selection[] = {"双随机", "双随机", "双随机", "双随机", "专项", "投诉举报"};
    char planned[11], checked[11], due[11];
    /* One draw per statement: the order of a call's arguments is unspecified. */
    int64_t pd = first + rr(h, 0, (int)(last - first)), cd = pd + rr(h, 0, 2);
    day_text(pd, planned);
    day_text(cd > last ? last : cd, checked);
    json_t *who = party(h, u->field);
    const char *how = selection[rr(h, 0, 5)];
    json_t *v = json_pack("{s:o, s:s, s:s, s:s, s:s, s:s}", "party", who, "power_code", u->power_code, "power_name",
                          u->power_name, "selection", how, "planned_on", planned, "checked_on", checked);
    if (rr(h, 1, 100) <= 88) {
        json_object_set_new(v, "findings", json_string("检查经营（生产）场所、台账和相关资料，未发现违法行为。"));
        json_object_set_new(v, "result", json_string("未发现问题"));
    } else {
        day_text(pd + 15, due);
        json_object_set_new(v, "findings", json_string("检查中发现台账记录不全、部分制度未落实。"));
        json_object_set_new(v, "result", json_string("责令改正"));
        json_object_set_new(v, "rectify_items", json_string("完善台账记录，落实相关管理制度。"));
        json_object_set_new(v, "rectify_due_on", json_string(due));
    }
    return v;
}

/* One inspection: imported as a historic case whose result is public
 * (case_import: case.imported) and its publication written by the publish
 * module (publication.published), as the "publish" step would. */
static int one(store_conn *w, demo_history *h, const demo_insp_unit *u, json_t *v, int64_t day)
{
    case_ctx x = {.d = h->d, .who = u->officer, .keys = h->keys, .ledger = h->ledger};
    int64_t id, pid;
    char no[80], kind[64], sid[24], why[300] = "";
    int rc = case_check_values(&x, v, 1);
    if (!rc)
        rc = case_import(w, &x, v, u->unit_id, "published", NULL, &id, no);
    if (rc) {
        snprintf(h->err, sizeof(h->err), "行政检查导入：%s %s", x.field, x.message);
        return rc;
    }
    case_subject_kind(h->d, kind);
    snprintf(sid, sizeof(sid), "%lld", (long long)id);
    publish_in in = {.d = h->d, .subject_kind = kind, .subject_id = sid, .case_no = no, .unit_id = u->unit_id,
                     .region_code = h->ledger, .ledger = h->ledger,
                     .actor = u->officer->username, .fields = v, .today = day};
    rc = publish_create(w, &in, &pid, why, sizeof(why));
    if (rc)
        snprintf(h->err, sizeof(h->err), "公开检查结果（%s）：%s", no, why[0] ? why : "写入失败");
    else
        h->published++;
    return rc;
}

int demo_history_month(store_conn *w, demo_history *h, int64_t day, int n)
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    int64_t first = days_from_civil(y, m, 1), last = day - 1;
    int elig[DEMO_INSP_UNITS], ne = 0, wsum = 0;
    for (int k = 0; k < h->nunits; k++)
        if (h->units[k].since <= first) {
            elig[ne++] = k;
            wsum += h->units[k].weight;
        }
    if (!ne || !wsum) {
        snprintf(h->err, sizeof(h->err), "%d 年 %d 月没有实施检查的单位", y, m);
        return FZ_ERR;
    }
    /* Shares by weight; the remainder goes round from a random unit. */
    int cnt[DEMO_INSP_UNITS] = {0}, sum = 0;
    for (int i = 0; i < ne; i++)
        sum += cnt[i] = n * h->units[elig[i]].weight / wsum;
    for (int i = rr(h, 0, ne - 1); sum < n; i = (i + 1) % ne)
        cnt[i]++, sum++;
    int rc = FZ_OK;
    for (int i = 0; i < ne && !rc; i++) {
        const demo_insp_unit *u = &h->units[elig[i]];
        for (int k = 0; k < cnt[i] && !rc; k++) {
            json_t *v = row_values(h, u, first, last);
            rc = one(w, h, u, v, day);
            json_decref(v);
        }
    }
    return rc;
}
