/* cmd_demo.c: `fazhi demo --data DIR [--year 2023] [--seed N]`: a
 * deterministic demonstration county (docs/demo.md). Every record goes
 * through the engine's own write paths inside store_write jobs (catalog
 * rows through catalog_insert/catalog_update, cases through case_create and
 * case_act, users through user_insert), each with its chained event; the
 * simulated clock (core/timeutil.h time_set_override_ms) makes events,
 * clocks and case numbers carry their historic dates. Regions and units are
 * written the way api/org_api.c writes them (that code lives in the API
 * layer; see docs/demo.md).
 *
 * The same seed on a fresh directory gives the same chain head. */
#include "app/cli.h"
#include "app/demo_data.h"
#include "engine/authz.h"
#include "engine/cases.h"
#include "engine/catalogs.h"
#include "engine/events.h"
#include "engine/fieldcrypt.h"
#include "engine/holidays.h"
#include "engine/indicators.h"
#include "engine/passwd.h"
#include "engine/policy.h"
#include "engine/review_campaign.h"
#include "engine/scheduler.h"
#include "engine/schema.h"
#include "engine/users.h"
#include "store/store.h"
#include "core/arena.h"
#include "core/calfile.h"
#include "core/parse.h"
#include "core/status.h"
#include "core/timeutil.h"
#include "core/validate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- deterministic randomness (xorshift64*) ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * UINT64_C(2685821657736338717);
}

/* Uniform in lo..hi (inclusive). */
static int rr(int lo, int hi)
{
    return hi <= lo ? lo : lo + (int)(rnd() % (uint64_t)(hi - lo + 1));
}

/* 1 with probability pct/100. */
static int chance(int pct)
{
    return rr(1, 100) <= pct;
}

/* ---- simulated time: Beijing wall-clock time of a day number ---- */

static int64_t at_ms(int64_t day, int hh, int mm)
{
    return day * 86400000 + ((int64_t)(hh - 8) * 60 + mm) * 60000;
}

static void set_now(int64_t ms)
{
    time_set_override_ms(ms);
}

static int64_t dayn(int y, int m, int d)
{
    return days_from_civil(y, m, d);
}

static void day_text(int64_t day, char out[11])
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    date_format(y, m, d, out);
}

/* Working days of 2023 (国办发明电〔2022〕16号) and, outside 2023, Monday to
 * Friday except 1 January and the 2024 Spring Festival. */
static int workday(int64_t day)
{
    static const char *const off[] = {"2023-01-02", "2023-01-23", "2023-01-24", "2023-01-25", "2023-01-26",
                                      "2023-01-27", "2023-04-05", "2023-05-01", "2023-05-02", "2023-05-03",
                                      "2023-06-22", "2023-06-23", "2023-09-29", "2023-10-02", "2023-10-03",
                                      "2023-10-04", "2023-10-05", "2023-10-06", "2024-01-01", "2024-02-12",
                                      "2024-02-13", "2024-02-14", "2024-02-15", "2024-02-16", NULL};
    static const char *const on[] = {"2023-01-28", "2023-01-29", "2023-04-23", "2023-05-06",
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
static int64_t add_wd(int64_t day, int n)
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
    int64_t town_gov[11], town_team[11];
    char town_code[11][13];
    enf_unit enf[N_ENF];
    officer off[MAX_OFFICERS];
    int noff, noff_prev;    /* all / those at the end of the previous year */
    plan cases[MAX_CASES];
    int ncases, ndisc;
    int stats_exams, stats_trainings, stats_training_records, stats_powers, stats_delegations, stats_discretion;
    int stats_late_publish, stats_late_handling;
    /* the job in progress */
    int (*fn)(store_conn *w, struct demo *g);
} demo;

static int fail(demo *g, const char *what, const char *msg)
{
    if (!g->err[0])
        snprintf(g->err, sizeof(g->err), "%s：%s", what, msg && *msg ? msg : "写入失败");
    return FZ_ERR;
}

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

static const char *person_name(char out[32])
{
    snprintf(out, 32, "%s%s", demo_surnames[rr(0, demo_nsurnames - 1)], demo_given[rr(0, demo_ngiven - 1)]);
    return out;
}

/* ---- regions and units (as api/org_api.c writes them) ---- */

static int org_event(store_conn *w, demo *g, const char *kind, const char *id, const char *action, json_t *payload)
{
    event e = {.ledger = g->cfg.region_code, .actor = g->p_admin.username, .unit_id = g->p_admin.unit_id,
               .subject_kind = kind, .subject_id = id, .action = action};
    int rc = event_append(w, &e, payload);
    json_decref(payload);
    return rc;
}

static int region_add(store_conn *w, demo *g, const char *code, const char *name, int level, const char *parent)
{
    int rc = store_run(w, "INSERT INTO regions (code, name, level, parent_code) VALUES (?, ?, ?, ?)", "ssis", code,
                       name, (int64_t)level, parent);
    if (rc)
        return fail(g, "区划", name);
    return org_event(w, g, "region", code, "region.created",
                     json_pack("{s:s, s:s, s:i, s:s}", "code", code, "name", name, "level", level, "parent_code",
                               parent));
}

static int unit_add(store_conn *w, demo *g, const char *name, const char *type, const char *legal,
                    const char *region, int64_t parent_id, int64_t *id)
{
    char parent_path[512] = "/";
    store_stmt *st;
    if (parent_id) {
        if (store_prepare(w, "SELECT path FROM units WHERE id = ?", &st))
            return fail(g, "单位", name);
        store_bind_int(st, 1, parent_id);
        int found = store_step(st) == STORE_ROW;
        if (found)
            snprintf(parent_path, sizeof(parent_path), "%s", store_col_text(st, 0));
        store_done(st);
        if (!found)
            return fail(g, "单位", name);
    }
    if (store_prepare(w, "INSERT INTO units (name, type, legal_status, region_code, parent_id, path, created_at)"
                         " VALUES (?, ?, ?, ?, ?, '', ?) RETURNING id", &st))
        return fail(g, "单位", name);
    store_bind_text(st, 1, name);
    store_bind_text(st, 2, type);
    store_bind_text(st, 3, legal);
    store_bind_text(st, 4, region);
    store_bind_int(st, 5, parent_id);
    store_bind_int(st, 6, time_now_ms());
    int rc = store_step(st);
    if (rc == STORE_ROW) {
        *id = store_col_int(st, 0);
        rc = store_step(st) == STORE_DONE ? FZ_OK : FZ_ERR;
    } else {
        rc = FZ_ERR;
    }
    store_done(st);
    if (rc)
        return fail(g, "单位", name);
    char path[600], sid[24];
    snprintf(path, sizeof(path), "%s%lld/", parent_path, (long long)*id);
    if (store_run(w, "UPDATE units SET path = ? WHERE id = ?", "si", path, *id))
        return fail(g, "单位", name);
    snprintf(sid, sizeof(sid), "%lld", (long long)*id);
    return org_event(w, g, "unit", sid, "unit.created",
                     json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:s}", "id", (json_int_t)*id, "name", name, "type",
                               type, "legal_status", legal, "region_code", region, "parent_id",
                               (json_int_t)parent_id, "path", path));
}

/* ---- users ---- */

static int user_add(store_conn *w, demo *g, const char *username, const char *name, int64_t unit, const char *role,
                    int64_t *id)
{
    const char *roles[1] = {role};
    user_input in = {.username = username, .name = name, .unit_id = unit, .roles = roles, .nroles = 1,
                     .set_roles = 1, .pw_hash = g->pw_hash, .must_change_pw = 0, .disabled = 0};
    int64_t tmp;
    if (user_insert(w, &g->keys, &in, g->p_admin.username, g->cfg.region_code, id ? id : &tmp))
        return fail(g, "用户", username);
    return FZ_OK;
}

static int load_p(store_conn *w, demo *g, int64_t uid, principal *p)
{
    return authz_load_user(w, &g->ar, uid, p) ? fail(g, "用户", "无法读取权限") : FZ_OK;
}

/* ---- catalogs ---- */

static int cat_put(store_conn *w, demo *g, const char *name, json_t *values, int64_t unit, int64_t *row)
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

/* ---- phase 1: identity (2022-01-04) ---- */

static int ph_identity(store_conn *w, demo *g)
{
    int64_t uid;
    if (user_id_by_name(w, "admin", &uid) || !uid)
        return fail(g, "系统管理员", "数据目录中没有 admin 账户");
    if (load_p(w, g, uid, &g->p_admin))
        return FZ_ERR;
    /* The demo accounts share one known password that does not expire. */
    user_input upd = {.pw_hash = g->pw_hash, .must_change_pw = 0, .disabled = -1};
    if (user_update(w, &g->keys, uid, &upd, "admin", g->cfg.region_code))
        return fail(g, "系统管理员", "无法设置演示密码");
    sec_policy pol;
    if (policy_load(w, &pol))
        return fail(g, "安全策略", "无法读取");
    pol.password_max_age_days = 0;
    if (policy_save(w, &pol))
        return fail(g, "安全策略", "无法写入");
    json_t *pp = policy_to_json(&pol);
    event pe = {.ledger = g->cfg.region_code, .actor = "admin", .unit_id = 1, .subject_kind = "policy",
                .subject_id = "security", .action = "policy.updated"};
    int rc = event_append(w, &pe, pp);
    json_decref(pp);
    if (rc)
        return fail(g, "安全策略", "事件");
    /* Regions: the county row exists (init); 11 townships and their villages. */
    const char *county = g->cfg.region_code;
    int vh = 0;
    for (int t = 0; t < 11; t++) {
        char code[24];
        snprintf(code, sizeof(code), "%.6s%03d000", county, (100 + t + 1) % 1000);
        snprintf(g->town_code[t], 13, "%.12s", code);
        if (region_add(w, g, code, demo_towns[t].name, 4, county))
            return FZ_ERR;
        for (int v = 0; v < demo_towns[t].villages; v++) {
            char vc[24], vn[64];
            snprintf(vc, sizeof(vc), "%.9s%03d", code, ((t == 0 && v < 3) ? 1 + v : 200 + v + 1) % 1000);
            if (t == 0 && v < 3)
                snprintf(vn, sizeof(vn), "%s社区", (const char *[]){"城东", "城西", "城南"}[v]);
            else
                snprintf(vn, sizeof(vn), "%s村", demo_village_heads[(vh++) % demo_nvillage_heads]);
            if (region_add(w, g, vc, vn, 5, code))
                return FZ_ERR;
        }
    }
    /* Units: departments and teams, then township governments and teams. */
    for (int i = 0; i < demo_nunits; i++) {
        const demo_unit *u = &demo_units[i];
        int64_t parent = u->parent < 0 ? 1 : g->unit_ids[u->parent];
        if (unit_add(w, g, u->name, u->type, u->legal, county, parent, &g->unit_ids[i]))
            return FZ_ERR;
    }
    for (int t = 0; t < 11; t++) {
        char n1[64], n2[96];
        snprintf(n1, sizeof(n1), "%s人民政府", demo_towns[t].name);
        snprintf(n2, sizeof(n2), "%s综合行政执法队", demo_towns[t].name);
        if (unit_add(w, g, n1, "乡镇", "行政机关", g->town_code[t], 1, &g->town_gov[t]) ||
            unit_add(w, g, n2, "综合执法队", "受委托组织", g->town_code[t], g->town_gov[t], &g->town_team[t]))
            return FZ_ERR;
    }
    /* Enforcement units and their accounts. */
    int k = 0;
    for (int i = 0; i < demo_nunits; i++) {
        if (!demo_units[i].enforce)
            continue;
        enf_unit *e = &g->enf[k++];
        e->unit_id = g->unit_ids[i];
        e->name = demo_units[i].name;
        e->field = demo_units[i].field;
        e->abbr = demo_units[i].abbr;
        e->weight = demo_units[i].weight;
        e->officers = demo_units[i].officers2022;
        e->town = -1;
    }
    for (int t = 0; t < 11; t++) {
        enf_unit *e = &g->enf[k++];
        e->unit_id = g->town_team[t];
        e->name = demo_towns[t].name;
        e->field = "乡镇";
        e->abbr = demo_towns[t].abbr;
        e->weight = 5;
        e->officers = 7;
        e->town = t;
    }
    for (int i = 0; i < N_ENF; i++) {
        enf_unit *e = &g->enf[i];
        char un[64], nm[32];
        const char *sfx = e->town >= 0 ? "zfd" : "";
        snprintf(un, sizeof(un), "%s%s_fzr", e->abbr, sfx);
        if (user_add(w, g, un, person_name(nm), e->unit_id, "unit_head", &e->head))
            return FZ_ERR;
        snprintf(un, sizeof(un), "%s%s_fzsh", e->abbr, sfx);
        if (user_add(w, g, un, person_name(nm), e->unit_id, "reviewer", &e->reviewer))
            return FZ_ERR;
        snprintf(un, sizeof(un), "%s%s_zf1", e->abbr, sfx);
        if (user_add(w, g, un, person_name(nm), e->unit_id, "officer", &e->off1))
            return FZ_ERR;
        snprintf(un, sizeof(un), "%s%s_zf2", e->abbr, sfx);
        if (user_add(w, g, un, person_name(nm), e->unit_id, "officer", &e->off2))
            return FZ_ERR;
        if (load_p(w, g, e->head, &e->p_head) || load_p(w, g, e->reviewer, &e->p_rev) ||
            load_p(w, g, e->off1, &e->p_off1) || load_p(w, g, e->off2, &e->p_off2))
            return FZ_ERR;
        /* The unit's violations. */
        for (int v = 0; v < demo_nviolations && e->nviol < 8; v++)
            if (!strcmp(demo_violations[v].field, e->field))
                e->viol[e->nviol++] = v;
    }
    int64_t id_sec, id_aud, id_sup, id_lead, id_xf, id_zw, id_do, id_dh;
    char nm[32];
    if (user_add(w, g, "secadmin", "安全管理员", 1, "sec_admin", &id_sec) ||
        user_add(w, g, "auditor", "审计管理员", 1, "audit_admin", &id_aud) ||
        user_add(w, g, "sfj_jdy", person_name(nm), g->unit_ids[0], "supervisor", &id_sup) ||
        user_add(w, g, "xzf_ld", person_name(nm), 1, "leader", &id_lead) ||
        user_add(w, g, "xfj_jdy", person_name(nm), g->unit_ids[2], "supervisor", &id_xf) ||
        user_add(w, g, "zwfw_ld", person_name(nm), g->unit_ids[1], "leader", &id_zw) ||
        user_add(w, g, "zfb_gk1", person_name(nm), g->unit_ids[18], "officer", &id_do) ||
        user_add(w, g, "zfb_fzr", person_name(nm), g->unit_ids[18], "unit_head", &id_dh))
        return FZ_ERR;
    if (load_p(w, g, id_sec, &g->p_sec) || load_p(w, g, id_sup, &g->p_sup) || load_p(w, g, id_do, &g->p_disc_off) ||
        load_p(w, g, id_dh, &g->p_disc_head))
        return FZ_ERR;
    return FZ_OK;
}

/* ---- phase 2: laws, 权责清单, 赋权, 裁量基准 (2022) ---- */

static int ph_catalogs(store_conn *w, demo *g)
{
    for (int i = 0; i < demo_nlaws; i++) {
        const demo_law *l = &demo_laws[i];
        if (cat_put(w, g, "laws",
                    json_pack("{s:s, s:s, s:s, s:s, s:i}", "title", l->title, "level", l->level, "promulgated_on",
                              l->promulgated, "effective_on", l->effective, "articles", l->articles),
                    g->unit_ids[0], NULL))
            return FZ_ERR;
    }
    /* The township powers: 86 基本目录, 39 共性, 1 个性 (the speech's split). */
    static const char *const domains[] = {"", "（集镇规划区）", "（村庄规划区）", "（林区）", "（边境管理区）"};
    static const char *const ptype[] = {"行政处罚", "行政检查"};
    char code[40], name[400];
    const char *basis = "《中华人民共和国行政处罚法》第二十四条";
    char approval[64], from_on[11];
    snprintf(approval, sizeof(approval), "X政发〔%d〕18号", g->year - 1);
    date_format(g->year - 1, 7, 1, from_on);
    for (int cat = 0; cat < 3; cat++) {
        int n = cat == 0 ? 86 : cat == 1 ? 39 : 1;
        for (int i = 0; i < n; i++) {
            int o = (i + cat * 7) % demo_npower_objects;
            if (cat == 2)
                snprintf(name, sizeof(name), "对边民互市贸易点内经营秩序的行政检查");
            else
                snprintf(name, sizeof(name), "%s%s", demo_power_objects[o], domains[(i / demo_npower_objects) % 5]);
            snprintf(code, sizeof(code), "XZ-%s-%03d", cat == 0 ? "JB" : cat == 1 ? "GX" : "GXH", i + 1);
            const char *type = strstr(name, "处罚") ? ptype[0] : ptype[1];
            int64_t unit = g->unit_ids[3];
            if (cat == 0)
                snprintf(name + strlen(name), sizeof(name) - strlen(name), "（基本目录第%d项）", i + 1);
            if (cat_put(w, g, "powers",
                        json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s}", "code", code, "name", name, "type",
                                  type, "basis", basis, "unit", (json_int_t)unit, "duties",
                                  "受理、调查、决定、送达、执行等责任", "status", "有效", "adjust_reason",
                                  "乡镇赋权，首次公布", "adjust_approval", approval),
                        unit, NULL))
                return FZ_ERR;
            g->stats_powers++;
            int towns_from = cat == 2 ? 7 : 0, towns_to = cat == 2 ? 7 : 10; /* 个性: 界河镇 only */
            for (int t = towns_from; t <= towns_to; t++) {
                if (cat_put(w, g, "power_delegations",
                            json_pack("{s:s, s:I, s:s, s:s, s:s, s:s}", "power_code", code, "township",
                                      (json_int_t)g->town_gov[t], "category",
                                      cat == 0 ? "基本目录" : cat == 1 ? "共性" : "个性", "approval",
                                      approval, "from_on", from_on, "status", "有效"),
                            g->town_gov[t], NULL))
                    return FZ_ERR;
                g->stats_delegations++;
            }
        }
    }
    /* County powers and discretion rows for every violation code used. */
    static const char *const circs[] = {"减轻", "从轻", "一般", "从重"};
    static const int lo_pct[] = {0, 5, 30, 60}, hi_pct[] = {5, 30, 60, 100};
    for (int v = 0; v < demo_nviolations; v++) {
        const demo_violation *x = &demo_violations[v];
        int64_t unit = g->unit_ids[3];
        for (int i = 0; i < N_ENF; i++)
            if (!strcmp(g->enf[i].field, x->field)) {
                unit = g->enf[i].unit_id;
                break;
            }
        snprintf(code, sizeof(code), "CF-%s", x->code);
        snprintf(name, sizeof(name), "对%s的行政处罚", x->name);
        if (cat_put(w, g, "powers",
                    json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s}", "code", code, "name", name, "type",
                              "行政处罚", "basis", x->penalty_basis, "unit", (json_int_t)unit, "duties",
                              "立案、调查、审查、告知、决定、送达、执行", "status", "有效", "adjust_reason",
                              "权责清单动态调整"),
                    unit, NULL))
            return FZ_ERR;
        g->stats_powers++;
        for (int c = 0; c < 4; c++) {
            int64_t lo = x->legal_max * lo_pct[c] / 100 * 100, hi = x->legal_max * hi_pct[c] / 100 * 100;
            char cond[200];
            snprintf(cond, sizeof(cond), "%s", c == 0 ? "有第三十二条规定的减轻情形" : c == 1 ? "初次违法、及时改正、危害较小"
                                               : c == 2 ? "无从轻、从重情节"
                                                        : "多次违法或拒不改正、造成较大危害后果");
            if (cat_put(w, g, "discretion",
                        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:b, s:I, s:b}", "code", x->code,
                                  "violation", x->name, "power_code", code, "basis", x->basis, "penalty_basis",
                                  x->penalty_basis, "circumstance", circs[c], "conditions", cond, "fine_min",
                                  (json_int_t)lo, "fine_max", (json_int_t)hi, "warning", c <= 2, "legal_max",
                                  (json_int_t)(x->legal_max * 100), "first_offense_exempt", 0),
                        g->unit_ids[0], NULL))
                return FZ_ERR;
            g->stats_discretion++;
        }
        if (cat_put(w, g, "discretion",
                    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:b}", "code", x->code, "violation", x->name,
                              "power_code", code, "basis", x->basis, "penalty_basis", x->penalty_basis,
                              "circumstance", "不予处罚", "conditions", "初次违法且危害后果轻微并及时改正（首违不罚）",
                              "legal_max", (json_int_t)(x->legal_max * 100), "first_offense_exempt", 1),
                    g->unit_ids[0], NULL))
            return FZ_ERR;
        g->stats_discretion++;
    }
    return FZ_OK;
}

/* ---- phase 3: the officers at the end of the previous year ---- */

static void cert_no(demo *g, int enf, int n, char out[24])
{
    snprintf(out, 24, "%.6s%02d%04d", g->cfg.region_code, (enf + 1) % 100, n % 10000);
}

/* Classifies the previous year's officers so that the certified rate is
 * 130/238 = 54.62% at its end and 237/272 = 87.13% at the end of the year:
 * certified officers spread evenly over the units (every unit keeps at least
 * two for its cases), three of them expire during the year; of the 108
 * without a valid certificate 80 re-qualify; 34 officers join (30 certified
 * in the year, 4 whose certificates are issued next January). */
static void plan_officers(demo *g)
{
    int k = 0, c = 0, j = 0;
    for (int e = 0; e < N_ENF; e++) {
        for (int i = 0; i < g->enf[e].officers; i++, k++) {
            officer *o = &g->off[g->noff++];
            o->enf = e;
            cert_no(g, e, i + 1, o->cert);
            person_name(o->name);
            int certified = (k + 1) * 130 / 238 > k * 130 / 238;
            if (certified) {
                o->cls = c % 43 == 21 ? 1 : 0;
                if (!o->cls && g->enf[e].ncert < 64)
                    g->enf[e].certified[g->enf[e].ncert++] = g->noff - 1;
                c++;
            } else {
                o->cls = j % 14 == 0 ? 3 : 2;
                o->renew = !(j % 4 == 3 || j == 0);
                j++;
            }
        }
    }
    g->noff_prev = g->noff;
    for (int i = 0; i < 34; i++) {
        officer *o = &g->off[g->noff++];
        o->enf = (i * 7) % N_ENF;
        cert_no(g, o->enf, 100 + i, o->cert);
        person_name(o->name);
        o->cls = 4;
        o->pending = i % 8 == 7;
    }
}

static int ph_officers(store_conn *w, demo *g)
{
    int y = g->year;
    int64_t base = dayn(y - 1, 3, 15);
    for (int i = 0; i < g->noff_prev; i++) {
        officer *o = &g->off[i];
        set_now(at_ms(base, 9, 0) + (int64_t)i * 45000);
        int iy, im = rr(1, 12), id = rr(1, 28);
        if (o->cls == 0)
            iy = y - rr(2, 4);
        else if (o->cls == 1)
            iy = y - 5, im = rr(1, 6);
        else
            iy = y - 6;
        char issued[11], expires[11];
        date_format(iy, im, id, issued);
        day_text(dayn(iy + 5, im, id) - 1, expires);
        if (cat_put(w, g, "officers",
                    json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s}", "name", o->name, "unit",
                              (json_int_t)g->enf[o->enf].unit_id, "cert_no", o->cert, "cert_field",
                              g->enf[o->enf].field, "cert_issued_on", issued, "cert_expires_on", expires,
                              "cert_status", o->cls == 3 ? "注销" : "有效"),
                    g->enf[o->enf].unit_id, &o->row_id))
            return FZ_ERR;
    }
    return FZ_OK;
}

/* ---- the year: one time-ordered list of everything that happens ---- */

enum { IT_CASE = 1, IT_TRAIN, IT_EXAM, IT_RENEW, IT_JOIN };

typedef struct item {
    int64_t t;
    int seq, type, a, b;
} item;

#define N_SESSIONS 43
#define N_EXAMINEES 1234

typedef struct year_plan {
    item *it;
    int n, cap;
    int64_t sess_day[N_SESSIONS];
    int sess_hours[N_SESSIONS], sess_course[N_SESSIONS];
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

/* A time on day at a random working hour, after prev when on the same day. */
static int64_t when(int64_t day, int64_t prev)
{
    int64_t t = at_ms(day, 9, rr(0, 420));
    if (prev && t <= prev)
        t = prev + (int64_t)rr(10, 60) * 60000;
    return t;
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
    /* 43 training sessions, about 2000 attendances in all. */
    int *pool = calloc((size_t)g->noff, sizeof(int));
    for (int s = 0; s < N_SESSIONS; s++) {
        int64_t day = add_wd(dayn(y, 2, 13), s * 5 + rr(0, 3));
        yp.sess_day[s] = day;
        yp.sess_hours[s] = s == 0 ? 24 : rr(1, 4) * 4;
        yp.sess_course[s] = s % demo_ncourses;
        int np = 0;
        for (int i = 0; i < g->noff; i++)
            if (yp.join_day[i] && yp.join_day[i] <= day)
                pool[np++] = i;
        int size = s == 0 ? np : rr(30, 62);
        if (size > np)
            size = np;
        for (int k = 0; k < size; k++) {
            int r = k + rr(0, np - k - 1), tmp = pool[k];
            pool[k] = pool[r];
            pool[r] = tmp;
            add_item(at_ms(add_wd(day + 3, 0), 14, k % 200), IT_TRAIN, s, pool[k]);
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
    return cat_put(w, g, "officer_exams",
                   json_pack("{s:s, s:s, s:s, s:i, s:b}", "cert_no", yp.ex_cert[n], "exam", exam, "held_on", held,
                             "score", yp.ex_score[n], "passed", yp.ex_score[n] >= 60),
                   g->unit_ids[0], NULL);
}

static int do_train(store_conn *w, demo *g, int s, int oi)
{
    officer *o = &g->off[oi];
    char held[11], course[240];
    day_text(yp.sess_day[s], held);
    snprintf(course, sizeof(course), "%s（第%d期）", demo_courses[yp.sess_course[s]], s + 1);
    const char *org = s % 3 == 0 ? "县司法局" : g->enf[(s * 5) % N_ENF].name;
    return cat_put(w, g, "officer_trainings",
                   json_pack("{s:s, s:s, s:i, s:i, s:s, s:s}", "cert_no", o->cert, "course", course, "hours",
                             yp.sess_hours[s], "year", g->year, "held_on", held, "organizer", org),
                   g->enf[o->enf].unit_id, NULL);
}

static int do_cert(store_conn *w, demo *g, int oi, int join)
{
    officer *o = &g->off[oi];
    char issued[11], expires[11];
    day_text(yp.cert_day[oi], issued);
    day_text(yp.cert_day[oi] + 5 * 365 + 1, expires);
    if (join)
        return cat_put(w, g, "officers",
                       json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s}", "name", o->name, "unit",
                                 (json_int_t)g->enf[o->enf].unit_id, "cert_no", o->cert, "cert_field",
                                 g->enf[o->enf].field, "cert_issued_on", issued, "cert_expires_on", expires,
                                 "cert_status", "有效"),
                       g->enf[o->enf].unit_id, &o->row_id);
    return cat_set(w, g, "officers", o->row_id,
                   json_pack("{s:s, s:s, s:s}", "cert_issued_on", issued, "cert_expires_on", expires, "cert_status",
                             "有效"));
}

/* ---- cases ---- */

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
                 g->year, e->nsimple);
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
        snprintf(ano, sizeof(ano), "%d-%s-%03d", g->year, e->abbr, ++e->narch);
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
             json_pack("{s:s, s:I, s:b, s:s, s:b, s:b}", "circumstance", circs[c], "proposed_fine",
                       (json_int_t)(fine * 100), "proposed_warning", warning, "informed_on", today, "hearing_notified",
                       fine >= hearing_at, "collective_required", c == 3));
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
        snprintf(no, sizeof(no), "%s罚决〔%d〕%d号", e->name, g->year, e->nseq);
    else
        snprintf(no, sizeof(no), "%s罚决〔%d〕%d号", PARTIES[party_kind(e->field)].short_name, g->year, e->nseq);
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
    snprintf(ano, sizeof(ano), "%d-%s-%03d", g->year, e->abbr, ++e->narch);
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
    add_step(p, d, NULL, 0,
             json_pack("{s:{s:s, s:s}, s:s, s:s, s:s, s:s}", "applicant", "name", person_name(nm), "kind", "自然人",
                       "applicant_type", "自然人", "channel", chance(60) ? "网络" : "当面", "received_on", today,
                       "content", content));
    add_step(p, add_wd(d, rr(0, 1)), "register", 0, json_object());
    const char *o = outcomes[rr(0, 4)];
    add_step(p, add_wd(d, late ? 23 : rr(5, 17)), "answer", 0,
             json_pack("{s:s, s:s, s:s}", "outcome", o, "outcome_detail", "已按申请人要求的形式提供并告知。",
                       "outcome_basis", "《中华人民共和国政府信息公开条例》第三十六条"));
    add_step(p, add_wd(step_day(p), rr(1, 3)), "close", 0, json_object());
    (void)g;
}

static void plan_cases(demo *g, int total, int disclosures)
{
    int y = g->year, W = 0, cnt[N_ENF] = {0}, sum = 0;
    for (int i = 0; i < N_ENF; i++)
        W += g->enf[i].weight;
    for (int i = 0; i < N_ENF; i++)
        sum += cnt[i] = total * g->enf[i].weight / W;
    for (int i = 0; sum < total; i = (i + 1) % N_ENF)
        cnt[i]++, sum++;
    int64_t first = dayn(y, 1, 4), last = dayn(y, 12, 8);
    int late_h = 0;
    for (int i = 0; i < N_ENF; i++) {
        for (int k = 0; k < cnt[i]; k++) {
            plan *p = &g->cases[g->ncases++];
            p->enf = i;
            int64_t d = add_wd(first + rr(0, (int)(last - first)), 0);
            int r = rr(1, 100);
            int kind = r <= 70 ? 0 : r <= 82 ? 1 : r <= 91 ? 2 : r <= 95 ? 3 : 4;
            if (kind == 0) {
                p->late_publish = chance(8);
                p->late_handling = late_h < 3 && d < dayn(y, 9, 1) && chance(10);
                late_h += p->late_handling;
                g->stats_late_publish += p->late_publish;
                g->stats_late_handling += p->late_handling;
            }
            plan_penalty(g, p, d, kind);
        }
    }
    for (int k = 0; k < disclosures; k++) {
        plan *p = &g->cases[g->ncases++];
        p->kind = 5;
        plan_disclosure(g, p, add_wd(first + rr(0, (int)(last - first)), 0), k == 7);
        g->ndisc++;
    }
    for (int c = 0; c < g->ncases; c++)
        for (int s = 0; s < g->cases[c].n; s++)
            add_item(g->cases[c].s[s].t, IT_CASE, c, s);
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
    return FZ_OK;
}

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
                                        : do_cert(w, g, it->a, it->type == IT_JOIN);
        if (rc)
            return rc;
    }
    return FZ_OK;
}

static int ph_holidays(store_conn *w, demo *g)
{
    calfile f;
    char err[300];
    if (calfile_parse(demo_holidays_2023, strlen(demo_holidays_2023), &f, err, sizeof(err))) {
        calfile_free(&f);
        return fail(g, "节假日安排", err);
    }
    holidays_import_job j = {.ledger = g->cfg.region_code, .actor = "admin", .unit_id = 1, .file = &f,
                             .origin = "import", .today = scheduler_today()};
    int rc = holidays_import_job_fn(w, &j);
    calfile_free(&f);
    return rc ? fail(g, "节假日安排", j.err) : FZ_OK;
}

static int ph_schema(store_conn *w, demo *g)
{
    char msg[600] = "";
    int rc = schema_sync(w, g->d, msg, sizeof(msg));
    return rc ? fail(g, "数据表", msg) : FZ_OK;
}

/* ---- 案卷评查: the year's closed files, drawn and scored next March ---- */

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
static int review_files, review_failed;

static int ph_review(store_conn *w, demo *g)
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
        if (cat_put(w, g, REVIEW_RUBRIC_CATALOG, v, g->unit_ids[0], NULL))
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
    review_files = n;
    review_failed = nf;
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
        if (self_init(g->cfg.data, g->cfg.store, at_ms(dayn(g->year - 1, 1, 4), 9, 0))) {
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
    rng_state = ((uint64_t)seed + 1) * UINT64_C(0x9E3779B97F4A7C15);
    if (!rng_state)
        rng_state = 1;
    arena_init(&g->ar, 1 << 16);
    ind_set_defs(g->d);
    int y = g->year;
    set_now(at_ms(dayn(y - 1, 1, 4), 9, 30));
    if (job(g, ph_schema) || job(g, ph_identity))
        goto fail;
    set_now(at_ms(dayn(y - 1, 2, 10), 10, 0));
    if (job(g, ph_catalogs))
        goto fail;
    plan_officers(g);
    if (job(g, ph_officers))
        goto fail;
    if (y == 2023) {
        set_now(at_ms(dayn(y - 1, 12, 20), 10, 0));
        if (job(g, ph_holidays))
            goto fail;
    }
    plan_people(g);
    plan_cases(g, 221, 24);
    qsort(yp.it, (size_t)yp.n, sizeof(item), item_cmp);
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
    int npen = g->ncases - g->ndisc;
    printf("OK 演示数据已生成：%s（%s，%d 年，种子 %lld，用时 %.1f 秒）\n", g->cfg.data, g->cfg.region_code, y,
           (long long)seed, (double)(time_mono_ms() - t0) / 1000.0);
    printf("  区划：11 个乡镇（8 个边境乡镇）及其村（社区）；单位：%d 个；执法人员：%d 名（%d 年末 %d 名）\n",
           demo_nunits + 23, g->noff, y - 1, g->noff_prev);
    printf("  权责清单 %d 项，乡镇赋权 %d 条（基本目录 86 项、共性 39 项、个性 1 项），裁量基准 %d 条\n", g->stats_powers,
           g->stats_delegations, g->stats_discretion);
    printf("  培训 %d 期 %d 人次；执法资格考试 %d 人；行政处罚案件 %d 件（公示超期 %d 件，办案超期 %d 件）；政府信息公开申请 %d 件\n",
           g->stats_trainings, g->stats_training_records, g->stats_exams, npen, g->stats_late_publish,
           g->stats_late_handling, g->ndisc);
    printf("  案卷评查：%d 年度 %d 件（不合格 %d 件，已复盘）\n", y, review_files, review_failed);
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
