/* demo_setup.c: the demonstration county's standing data (see demo_gen.h):
 * the security policy, regions, units and accounts on the day the platform
 * goes live; laws, 权责清单, 乡镇赋权 and 裁量基准; the officers at the end of
 * the previous year. All through the engine (engine/org.h, users.h,
 * catalogs.h, policy.h), each write with its chained event. */
#include "app/demo_gen.h"
#include "engine/catalogs.h"
#include "engine/org.h"
#include "engine/policy.h"
#include "engine/users.h"
#include "core/validate.h"

/* ---- regions and units (engine/org.h, as the HTTP handlers write them) ---- */

static org_ctx org_of(demo *g)
{
    return (org_ctx){.ledger = g->cfg.region_code, .actor = g->p_admin.username, .actor_unit = g->p_admin.unit_id};
}

static int region_add(store_conn *w, demo *g, const char *code, const char *name)
{
    org_ctx x = org_of(g);
    char norm[13];
    if (org_region_code(code, norm) != FZ_OK)
        return fail(g, "区划", code);
    int rc = org_region_create(w, &x, norm, name);
    return rc ? fail(g, "区划", x.why[0] ? x.why : name) : FZ_OK;
}

static int unit_add(store_conn *w, demo *g, const char *name, const char *type, const char *legal,
                    const char *region, int64_t parent_id, int64_t *id)
{
    org_ctx x = org_of(g);
    org_unit u = {.name = name, .type = type, .legal = legal, .region = region, .parent_id = parent_id,
                  .set_parent = 1};
    char norm[13];
    int rc = org_unit_check(&x, &u, norm);
    if (!rc)
        rc = org_unit_create(w, &x, &u, id);
    return rc ? fail(g, "单位", x.why[0] ? x.why : name) : FZ_OK;
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

/* ---- phase 1: identity (the day the platform goes live) ---- */

int demo_identity(store_conn *w, demo *g)
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
    if (policy_save(w, &pol, g->cfg.region_code, "admin", 1))
        return fail(g, "安全策略", "无法写入");
    /* Regions: the county row exists (init); 11 townships and their villages. */
    const char *county = g->cfg.region_code;
    int vh = 0;
    for (int t = 0; t < 11; t++) {
        char code[24];
        snprintf(code, sizeof(code), "%.6s%03d000", county, (100 + t + 1) % 1000);
        snprintf(g->town_code[t], 13, "%.12s", code);
        if (region_add(w, g, code, demo_towns[t].name))
            return FZ_ERR;
        for (int v = 0; v < demo_towns[t].villages; v++) {
            char vc[24], vn[64];
            snprintf(vc, sizeof(vc), "%.9s%03d", code, ((t == 0 && v < 3) ? 1 + v : 200 + v + 1) % 1000);
            if (t == 0 && v < 3)
                snprintf(vn, sizeof(vn), "%s社区", (const char *[]){"城东", "城西", "城南"}[v]);
            else
                snprintf(vn, sizeof(vn), "%s村", demo_village_heads[(vh++) % demo_nvillage_heads]);
            if (region_add(w, g, vc, vn))
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

/* The inspection power each team's 行政检查 results cite: a county team's
 * own (registered with the catalogs), a township team's the delegated
 * 基本目录 item 11 (安全生产 监督检查). */
void demo_insp_powers(demo *g)
{
    for (int i = 0; i < N_ENF; i++) {
        enf_unit *e = &g->enf[i];
        if (e->town >= 0) {
            snprintf(g->insp_code[i], sizeof(g->insp_code[i]), "XZ-JB-%03d", 11);
            snprintf(g->insp_name[i], sizeof(g->insp_name[i]), "%s（基本目录第11项）", demo_power_objects[10]);
        } else {
            snprintf(g->insp_code[i], sizeof(g->insp_code[i]), "JC-%s", e->abbr);
            snprintf(g->insp_name[i], sizeof(g->insp_name[i]), "对%s领域生产经营活动的行政检查", e->field);
        }
    }
}

int demo_catalogs(store_conn *w, demo *g)
{
    for (int i = 0; i < demo_nlaws; i++) {
        const demo_law *l = &demo_laws[i];
        if (demo_cat_put(w, g, "laws",
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
            if (demo_cat_put(w, g, "powers",
                        json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s}", "code", code, "name", name, "type",
                                  type, "basis", basis, "unit", (json_int_t)unit, "duties",
                                  "受理、调查、决定、送达、执行等责任", "status", "有效", "adjust_reason",
                                  "乡镇赋权，首次公布", "adjust_approval", approval),
                        unit, NULL))
                return FZ_ERR;
            g->stats_powers++;
            int towns_from = cat == 2 ? 7 : 0, towns_to = cat == 2 ? 7 : 10; /* 个性: 界河镇 only */
            for (int t = towns_from; t <= towns_to; t++) {
                if (demo_cat_put(w, g, "power_delegations",
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
    /* The county teams' 行政检查 powers (demo_insp_powers). */
    for (int i = 0; i < N_ENF; i++) {
        enf_unit *e = &g->enf[i];
        if (e->town >= 0)
            continue;
        if (demo_cat_put(w, g, "powers",
                    json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s}", "code", g->insp_code[i], "name",
                              g->insp_name[i], "type", "行政检查", "basis", "《中华人民共和国行政处罚法》第五十四条",
                              "unit", (json_int_t)e->unit_id, "duties", "检查、记录、处理、公开", "status", "有效",
                              "adjust_reason", "权责清单动态调整"),
                    e->unit_id, NULL))
            return FZ_ERR;
        g->stats_powers++;
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
        if (demo_cat_put(w, g, "powers",
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
            if (demo_cat_put(w, g, "discretion",
                        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:b, s:I, s:b}", "code", x->code,
                                  "violation", x->name, "power_code", code, "basis", x->basis, "penalty_basis",
                                  x->penalty_basis, "circumstance", circs[c], "conditions", cond, "fine_min",
                                  (json_int_t)lo, "fine_max", (json_int_t)hi, "warning", c <= 2, "legal_max",
                                  (json_int_t)(x->legal_max * 100), "first_offense_exempt", 0),
                        g->unit_ids[0], NULL))
                return FZ_ERR;
            g->stats_discretion++;
        }
        if (demo_cat_put(w, g, "discretion",
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
void demo_plan_officers(demo *g)
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

int demo_officers(store_conn *w, demo *g)
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
        if (demo_cat_put(w, g, "officers",
                    json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s}", "name", o->name, "unit",
                              (json_int_t)g->enf[o->enf].unit_id, "cert_no", o->cert, "cert_field",
                              g->enf[o->enf].field, "cert_issued_on", issued, "cert_expires_on", expires,
                              "cert_status", o->cls == 3 ? "注销" : "有效"),
                    g->enf[o->enf].unit_id, &o->row_id))
            return FZ_ERR;
    }
    return FZ_OK;
}

