/* checks.c: the registry of named checks (see checks.h). Only what the law
 * needs computed belongs here; counts and limits of a step are data in the
 * definition ("times", "within"). The 行政处罚 checks read the case's fields
 * and the catalogs (cat_officers, cat_discretion, cat_penalty_thresholds:
 * names from validated definitions, values bound) and leave the arithmetic
 * to engine/penalty.c. A catalog a check needs but the definitions lack is a
 * refusal saying so, never a store error. */
#include "engine/checks.h"
#include "engine/fieldcrypt.h"
#include "engine/penalty.h"
#include "store/store.h"
#include "core/status.h"
#include "core/timeutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- reading the case's fields ---- */

static const char *sval(const json_t *f, const char *k)
{
    const char *s = json_string_value(json_object_get(f, k));
    return s ? s : "";
}

static int64_t ival(const json_t *f, const char *k)
{
    json_t *v = json_object_get(f, k);
    return json_is_integer(v) ? json_integer_value(v) : 0;
}

static int bval(const json_t *f, const char *k)
{
    return json_is_true(json_object_get(f, k));
}

/* "YYYY-MM-DD" as a day number: 1 when valid, else 0. */
static int dparse(const char *s, int64_t *day)
{
    int y, m, d;
    if (!s || date_parse(s, &y, &m, &d) != FZ_OK)
        return 0;
    *day = days_from_civil(y, m, d);
    return 1;
}

/* The date field k as a day number: 1 when set and valid, else 0. */
static int dval(const json_t *f, const char *k, int64_t *day)
{
    return dparse(sval(f, k), day);
}

static void day_text(int64_t day, char out[11])
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    date_format(y, m, d, out);
}

static pen_party party_of(const json_t *f)
{
    json_t *p = json_object_get(f, "party");
    return pen_party_kind(json_is_object(p) ? json_string_value(json_object_get(p, "kind")) : NULL);
}

/* The proposal (prefix "proposed_") or the decision (no prefix). */
static void measures_of(const json_t *f, int proposed, pen_measures *m)
{
    if (proposed)
        *m = (pen_measures){.fine = ival(f, "proposed_fine"),
                            .confiscation = ival(f, "proposed_confiscation"),
                            .warning = bval(f, "proposed_warning"),
                            .license = sval(f, "proposed_license"),
                            .business = sval(f, "proposed_business"),
                            .other_serious = bval(f, "proposed_other_serious")};
    else
        *m = (pen_measures){.fine = ival(f, "fine"),
                            .confiscation = ival(f, "confiscation"),
                            .warning = bval(f, "warning"),
                            .license = sval(f, "license_measure"),
                            .business = sval(f, "business_measure")};
}

static int refuse(char *why, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int refuse(char *why, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, n, fmt, ap);
    va_end(ap);
    pen_text_fit(why);
    return 1;
}

/* Copies catalog text into a fixed buffer, cut at a character. */
static void copy_text(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src);
    pen_text_fit(dst);
}

/* Whether the definitions made table tbl with every column in cols
 * (NULL-terminated), per def_columns: *ok 1 or 0. */
static int has_columns(store_conn *w, const char *tbl, const char *const *cols, int *ok)
{
    *ok = 0;
    for (int i = 0; cols[i]; i++) {
        int64_t k = 0;
        if (store_query_int(w, &k, 0, "SELECT count(*) FROM def_columns WHERE tbl = ? AND col = ?", "ss", tbl, cols[i]))
            return FZ_ERR;
        if (!k)
            return FZ_OK;
    }
    *ok = 1;
    return FZ_OK;
}

/* ---- two_certified_officers (第四十二条) ---- */

typedef struct officer {
    int found;
    int64_t row_id;
    char name[160], status[40], issued[16], expires[16], idno[40];
} officer;

/* The ID number is sealed at rest (a sensitive field, fields_sealed). */
static int officer_load(store_conn *w, const field_keys *keys, const char *cert, officer *o)
{
    *o = (officer){0};
    store_stmt *st;
    if (store_prepare(w, "SELECT row_id, f_name, f_cert_status, f_cert_issued_on, f_cert_expires_on, f_id_number"
                         " FROM cat_officers WHERE valid_to = 0 AND f_cert_no = ? ORDER BY row_id LIMIT 1", &st))
        return FZ_ERR;
    store_bind_text(st, 1, cert);
    int rc = store_step(st);
    if (rc == STORE_ROW) {
        o->found = 1;
        o->row_id = store_col_int(st, 0);
        copy_text(o->name, sizeof(o->name), store_col_text(st, 1));
        snprintf(o->status, sizeof(o->status), "%s", store_col_text(st, 2));
        snprintf(o->issued, sizeof(o->issued), "%s", store_col_text(st, 3));
        snprintf(o->expires, sizeof(o->expires), "%s", store_col_text(st, 4));
        size_t len;
        const void *blob = store_col_blob(st, 5, &len);
        char *plain = NULL;
        if (keys && blob && len && fieldcrypt_open(keys, blob, len, &plain) == FZ_OK)
            snprintf(o->idno, sizeof(o->idno), "%s", plain);
        free(plain);
    }
    store_done(st);
    return rc == STORE_ROW || rc == STORE_DONE ? FZ_OK : FZ_ERR;
}

/* Why officer o (执法证号 cert) may not act today, or 0. */
static int officer_refuse(const officer *o, const char *cert, int64_t today, char *why, size_t n)
{
    int64_t expires, issued;
    char t[11];
    if (!o->found)
        return refuse(why, n, "执法证号 %s 在执法人员名录中不存在（第四十二条：执法人员应当具有行政执法资格）", cert);
    if (strcmp(o->status, "有效"))
        return refuse(why, n, "执法证号 %s（%s）的证件状态为「%s」，不能从事执法", cert, o->name,
                      o->status[0] ? o->status : "未填写");
    if (!dparse(o->expires, &expires))
        return refuse(why, n, "执法证号 %s（%s）未登记有效期，无法确认执法资格", cert, o->name);
    if (expires < today) {
        day_text(expires, t);
        return refuse(why, n, "执法证号 %s（%s）的证件有效期至 %s，已过期", cert, o->name, t);
    }
    if (dparse(o->issued, &issued) && issued > today) {
        day_text(issued, t);
        return refuse(why, n, "执法证号 %s（%s）的证件 %s 才发证，今天尚不能使用", cert, o->name, t);
    }
    return 0;
}

static int check_two_officers(const check_arg *a, char *why, size_t n)
{
    static const char *const cols[] = {"f_cert_no", "f_name", "f_cert_status", "f_cert_issued_on",
                                       "f_cert_expires_on", "f_id_number", NULL};
    const char *c1 = sval(a->fields, "investigator1_cert"), *c2 = sval(a->fields, "investigator2_cert");
    if (!*c1 && !*c2)
        return refuse(why, n, "须填写两名执法人员的执法证号（investigator1_cert、investigator2_cert），"
                              "执法人员不得少于两人（第四十二条）");
    if (!*c1 || !*c2)
        return refuse(why, n, "只有一名执法人员（执法证号 %s），执法人员不得少于两人（第四十二条）", *c1 ? c1 : c2);
    if (!strcmp(c1, c2))
        return refuse(why, n, "两名执法人员是同一人（执法证号均为 %s），执法人员不得少于两人（第四十二条）", c1);
    int ok;
    if (has_columns(a->w, "cat_officers", cols, &ok))
        return FZ_ERR;
    if (!ok)
        return refuse(why, n, "执法人员名录（officers）未定义，无法核验执法证（第四十二条）");
    officer o1, o2;
    if (officer_load(a->w, a->keys, c1, &o1) || officer_load(a->w, a->keys, c2, &o2))
        return FZ_ERR;
    if (officer_refuse(&o1, c1, a->today, why, n) || officer_refuse(&o2, c2, a->today, why, n))
        return 1;
    if (o1.row_id == o2.row_id || (o1.idno[0] && !strcmp(o1.idno, o2.idno)))
        return refuse(why, n, "执法证号 %s 与 %s 属于同一人（%s），执法人员不得少于两人（第四十二条）", c1, c2, o1.name);
    return 0;
}

/* ---- amounts set as data: the penalty_thresholds catalog ---- */

void checks_thresholds_free(checks_thresholds *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i].basis);
    free(t->v);
    *t = (checks_thresholds){0};
}

/* PEN_T_* of the catalog's word for an item, -1 for another word. */
static int item_of(const char *s)
{
    for (int k = PEN_T_FINE; k <= PEN_T_REVIEW; k++)
        if (!strcmp(s, pen_threshold_item(k)))
            return k;
    return -1;
}

static int party_of_label(const char *s)
{
    return !strcmp(s, pen_party_label(PEN_CITIZEN)) ? PEN_CITIZEN : !strcmp(s, pen_party_label(PEN_ORG)) ? PEN_ORG : -1;
}

int checks_thresholds_load(store_conn *w, int item, int party, checks_thresholds *t)
{
    static const char *const cols[] = {"f_item", "f_party_kind", "f_amount", "f_basis", NULL};
    *t = (checks_thresholds){0};
    int ok;
    if (has_columns(w, "cat_penalty_thresholds", cols, &ok))
        return FZ_ERR;
    if (!ok)
        return FZ_OK;
    store_stmt *st;
    if (store_prepare(w,
                      item < 0 ? "SELECT row_id, valid_from, valid_to, f_amount, f_basis, f_item, f_party_kind"
                                 " FROM cat_penalty_thresholds WHERE f_amount IS NOT NULL"
                               : "SELECT row_id, valid_from, valid_to, f_amount, f_basis, f_item, f_party_kind"
                                 " FROM cat_penalty_thresholds"
                                 " WHERE f_item = ? AND f_party_kind = ? AND f_amount IS NOT NULL",
                      &st))
        return FZ_ERR;
    if (item >= 0) {
        store_bind_text(st, 1, pen_threshold_item(item));
        store_bind_text(st, 2, pen_party_label((pen_party)party));
    }
    int rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        checks_threshold r = {.row_id = store_col_int(st, 0),
                              .valid_from = store_col_int(st, 1),
                              .valid_to = store_col_int(st, 2),
                              .amount = store_col_int(st, 3),
                              .item = item_of(store_col_text(st, 5)),
                              .party = party_of_label(store_col_text(st, 6))};
        if (r.item < 0 || r.party < 0)
            continue; /* a word no lookup asks for */
        r.basis = strdup(store_col_text(st, 4));
        checks_threshold *v = r.basis ? realloc(t->v, (t->n + 1) * sizeof(*v)) : NULL;
        if (!v) {
            free(r.basis);
            rc = FZ_NOMEM;
            break;
        }
        t->v = v;
        t->v[t->n++] = r;
    }
    store_done(st);
    if (rc != STORE_DONE) {
        checks_thresholds_free(t);
        return rc == FZ_NOMEM ? FZ_NOMEM : FZ_ERR;
    }
    return FZ_OK;
}

const checks_threshold *checks_threshold_in_force(const checks_thresholds *t, int item, int party, int64_t as_of)
{
    const checks_threshold *best = NULL;
    for (size_t i = 0; i < t->n; i++) {
        const checks_threshold *r = &t->v[i];
        if (r->item != item || r->party != party)
            continue;
        int in_force = as_of == 0 ? r->valid_to == 0
                                  : as_of > 0 && r->valid_from <= as_of && (r->valid_to == 0 || r->valid_to > as_of);
        if (in_force && (!best || r->row_id > best->row_id))
            best = r;
    }
    return best;
}

/* The amount in force for item and party at as_of (ms; 0: now), and where
 * it comes from (src). */
static int threshold_at(store_conn *w, int item, pen_party p, int64_t as_of, int64_t *amount, char *src, size_t n)
{
    checks_thresholds t;
    int rc = checks_thresholds_load(w, item, (int)p, &t);
    if (rc)
        return rc;
    const checks_threshold *r = checks_threshold_in_force(&t, item, (int)p, as_of);
    if (r) {
        *amount = r->amount;
        snprintf(src, n, "依%s", r->basis);
        pen_text_fit(src);
    } else {
        *amount = pen_threshold_default(item, p);
        snprintf(src, n, "系统默认示例值，应按本省规定在「行政处罚数额标准」名录中设置");
    }
    checks_thresholds_free(&t);
    return FZ_OK;
}

static int threshold(store_conn *w, int item, pen_party p, int64_t *amount, char *src, size_t n)
{
    return threshold_at(w, item, p, 0, amount, src, n);
}

const check_field checks_hearing_fields[] = {
    {"proposed_fine", "money"},     {"proposed_confiscation", "money"},  {"proposed_license", "enum"},
    {"proposed_business", "enum"},  {"proposed_other_serious", "bool"},  {"party", "party"},
    {NULL, NULL}};

int checks_hearing_applies(const checks_thresholds *t, const char *party_kind, const pen_measures *m, int64_t as_of)
{
    pen_party p = pen_party_kind(party_kind);
    const checks_threshold *fine = checks_threshold_in_force(t, PEN_T_FINE, (int)p, as_of);
    const checks_threshold *conf = checks_threshold_in_force(t, PEN_T_CONFISCATION, (int)p, as_of);
    return pen_hearing_triggers(m, fine ? fine->amount : pen_threshold_default(PEN_T_FINE, p),
                                conf ? conf->amount : pen_threshold_default(PEN_T_CONFISCATION, p)) != 0;
}

/* ---- hearing_rights (第六十三条, 第六十四条第一项) ---- */

static int check_hearing_rights(const check_arg *a, char *why, size_t n)
{
    pen_party p = party_of(a->fields);
    pen_measures m;
    measures_of(a->fields, 1, &m);
    int64_t fine_at, conf_at;
    char src1[240], src2[240], what[400], amt[32];
    if (threshold(a->w, PEN_T_FINE, p, &fine_at, src1, sizeof(src1)) ||
        threshold(a->w, PEN_T_CONFISCATION, p, &conf_at, src2, sizeof(src2)))
        return FZ_ERR;
    int t = pen_hearing_triggers(&m, fine_at, conf_at);
    pen_hearing_describe(t, &m, fine_at, conf_at, what, sizeof(what));
    const char *src = t & PEN_H_FINE ? src1 : t & PEN_H_CONFISCATION ? src2 : "";
    if (json_object_get(a->values, "hearing_requested_on")) {
        if (!t) {
            pen_money_text(fine_at, amt);
            return refuse(why, n, "拟作出的处罚不属第六十三条应当告知听证权利的情形（对%s，较大数额罚款为 %s 元，%s），"
                                  "当事人可以陈述、申辩，但不能要求听证",
                          pen_party_label(p), amt, src1);
        }
        if (!bval(a->fields, "hearing_notified"))
            return refuse(why, n, "告知时未告知听证权利（hearing_notified），应先补正告知");
        return 0;
    }
    if (t && !bval(a->fields, "hearing_notified"))
        return refuse(why, n, "拟作出的处罚属第六十三条应当告知听证权利的情形：%s%s%s%s。告知时须告知当事人有要求听证的权利"
                              "（hearing_notified）",
                      what, *src ? "（" : "", src, *src ? "）" : "");
    return 0;
}

/* ---- hearing_notice (第六十四条第二项) ---- */

static int check_hearing_notice(const check_arg *a, char *why, size_t n)
{
    int64_t notice, hearing, count, earliest;
    char t1[11], t2[11], t3[11];
    if (!dval(a->fields, "hearing_notice_on", &notice) || !dval(a->fields, "hearing_on", &hearing))
        return refuse(why, n, "须填写听证通知日期（hearing_notice_on）和听证日期（hearing_on）");
    if (!a->cal || pen_hearing_notice(a->cal, notice, hearing, &count, &earliest) != FZ_OK)
        return refuse(why, n, "听证日期超出工作日历的范围，无法核验通知期限");
    if (count >= PEN_HEARING_NOTICE_WD)
        return 0;
    day_text(notice, t1);
    day_text(hearing, t2);
    day_text(earliest, t3);
    return refuse(why, n, "应在举行听证的七个工作日前通知当事人（第六十四条第二项、第八十五条）：%s 通知、%s 举行只隔 %lld 个工作日，"
                          "最早可定于 %s",
                  t1, t2, (long long)(count > 0 ? count : 0), t3);
}

/* ---- legal_review_approved (第五十八条) ---- */

static int is_approval(const char *opinion)
{
    return !strcmp(opinion, "同意") || !strcmp(opinion, "修改后同意");
}

/* The proposal's fields: a change to any of them after the review needs a
 * new review. */
static const char *const PROPOSAL_FIELDS[] = {"violation_code", "circumstance", "proposed_fine",
                                              "proposed_confiscation", "proposed_warning", "proposed_license",
                                              "proposed_business", "proposed_other_serious", NULL};

typedef struct review_state {
    int64_t changed_seq;  /* the last event that changed the proposal */
    int64_t review_seq;   /* the last event that recorded an opinion */
    char opinion[40], reviewer[100];
} review_state;

/* Walks the case's record: the last change of the proposal and the last
 * opinion. A step taken back (撤回, payload "withdrawn") is undone here too. */
static int review_scan(const check_arg *a, review_state *out)
{
    store_stmt *st;
    if (store_prepare(a->w, "SELECT seq, actor, action, payload FROM events WHERE subject_kind = ? AND subject_id = ?"
                            " AND action LIKE 'case.%' ORDER BY seq", &st))
        return FZ_ERR;
    store_bind_text(st, 1, a->subject_kind);
    store_bind_text(st, 2, a->subject_id);
    review_state cur = {0}, before = {0};
    json_t *proposal = json_object(), *prev_proposal = json_object();
    int rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        const char *action = store_col_text(st, 2);
        if (!strcmp(action, "case.comment") || !strcmp(action, "case.assigned"))
            continue;
        json_t *payload = json_loads(store_col_text(st, 3), 0, NULL);
        if (json_object_get(payload, "withdrawn")) {
            cur = before;
            json_object_clear(proposal);
            json_object_update(proposal, prev_proposal);
            json_decref(payload);
            continue;
        }
        before = cur;
        json_object_clear(prev_proposal);
        json_object_update(prev_proposal, proposal);
        int64_t seq = store_col_int(st, 0);
        json_t *values = json_object_get(payload, "values");
        for (int i = 0; PROPOSAL_FIELDS[i]; i++) {
            json_t *v = json_object_get(values, PROPOSAL_FIELDS[i]);
            json_t *old = json_object_get(proposal, PROPOSAL_FIELDS[i]);
            if (!v || (old ? json_equal(old, v) : json_is_null(v)))
                continue;
            json_object_set(proposal, PROPOSAL_FIELDS[i], v);
            cur.changed_seq = seq;
        }
        const char *op = json_string_value(json_object_get(values, "review_opinion"));
        if (op) {
            cur.review_seq = seq;
            snprintf(cur.opinion, sizeof(cur.opinion), "%s", op);
            snprintf(cur.reviewer, sizeof(cur.reviewer), "%s", store_col_text(st, 1));
        }
        json_decref(payload);
    }
    store_done(st);
    json_decref(proposal);
    json_decref(prev_proposal);
    *out = cur;
    return rc == STORE_DONE ? FZ_OK : FZ_ERR;
}

static int check_legal_review(const check_arg *a, char *why, size_t n)
{
    /* The review step itself: the opinion must fit the step. */
    const char *given = json_string_value(json_object_get(a->values, "review_opinion"));
    if (given) {
        int back = a->kind && !strcmp(a->kind, "reject");
        if (back && is_approval(given))
            return refuse(why, n, "审核意见为「%s」，不应退回；同意或修改后同意请办理法制审核通过", given);
        if (!back && !is_approval(given))
            return refuse(why, n, "审核意见为「%s」，未通过法制审核的不得作出决定（第五十八条），请办理法制审核退回", given);
        if (!strcmp(given, "修改后同意") && !*sval(a->fields, "review_note"))
            return refuse(why, n, "「修改后同意」须写明修改意见（review_note）");
        return 0;
    }
    /* The decision: does 第五十八条 apply? */
    pen_party p = party_of(a->fields);
    int64_t review_at, fine = ival(a->fields, "fine"), proposed = ival(a->fields, "proposed_fine");
    char src[200], reasons[500];
    if (threshold(a->w, PEN_T_REVIEW, p, &review_at, src, sizeof(src)))
        return FZ_ERR;
    if (proposed > fine)
        fine = proposed;
    int r = pen_review_required(*sval(a->fields, "hearing_held_on") != '\0', bval(a->fields, "major_case"),
                                bval(a->fields, "collective_required"), fine, review_at);
    if (!r)
        return 0;
    pen_review_describe(r, fine, review_at, reasons, sizeof(reasons));
    review_state s;
    if (review_scan(a, &s))
        return FZ_ERR;
    if (!s.review_seq)
        return refuse(why, n, "本案须经法制审核（%s），尚无法制审核意见，不得作出决定（第五十八条）", reasons);
    if (!is_approval(s.opinion))
        return refuse(why, n, "本案须经法制审核（%s），最近的审核意见为「%s」，审核未通过的不得作出决定（第五十八条）", reasons,
                      s.opinion);
    if (s.changed_seq > s.review_seq)
        return refuse(why, n, "法制审核（事件 %lld）之后拟处罚内容又有修改（事件 %lld），须重新法制审核（第五十八条）",
                      (long long)s.review_seq, (long long)s.changed_seq);
    int64_t k = 0;
    if (store_query_int(a->w, &k, 0,
                        "SELECT count(*) FROM users u JOIN user_roles ur ON ur.user_id = u.id"
                        " JOIN roles r ON r.id = ur.role_id WHERE u.username = ? AND r.key = 'reviewer'",
                        "s", s.reviewer))
        return FZ_ERR;
    if (!k)
        return refuse(why, n, "审核意见由 %s 作出，其不是法制审核员，不能作为法制审核意见（第五十八条）", s.reviewer);
    return 0;
}

/* ---- collective_discussion (第五十七条第二款) ---- */

static int check_collective(const check_arg *a, char *why, size_t n)
{
    if (bval(a->fields, "collective_required") && !*sval(a->fields, "collective_discussion"))
        return refuse(why, n, "本案情节复杂或属重大违法行为，应由行政机关负责人集体讨论决定（第五十七条第二款），"
                              "尚无集体讨论意见（collective_discussion）");
    return 0;
}

/* ---- discretion_range (第三十四条) ---- */

/* The row for (code, circumstance), and legal_max from any row of code when
 * that one is missing. *known: the code is in the catalog at all. */
static int range_load(store_conn *w, const char *code, const char *circ, pen_range *r, char *basis, size_t bn,
                      int *known)
{
    store_stmt *st;
    *r = (pen_range){.fine_min = -1, .fine_max = -1, .legal_max = -1, .penalty_basis = basis};
    *known = 0;
    basis[0] = '\0';
    if (store_prepare(w, "SELECT f_circumstance, f_fine_min, f_fine_max, f_warning, f_confiscate, f_suspend_revoke,"
                         " f_stop_business, f_first_offense_exempt, f_legal_max, f_penalty_basis FROM cat_discretion"
                         " WHERE valid_to = 0 AND f_code = ? ORDER BY row_id", &st))
        return FZ_ERR;
    store_bind_text(st, 1, code);
    int rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        int mine = !strcmp(store_col_text(st, 0), circ);
        if (*known && !mine)
            continue;
        *known = 1;
        r->legal_max = store_col_is_null(st, 8) ? -1 : store_col_int(st, 8);
        copy_text(basis, bn, store_col_text(st, 9));
        if (!mine)
            continue;
        r->found = 1;
        r->fine_min = store_col_is_null(st, 1) ? -1 : store_col_int(st, 1);
        r->fine_max = store_col_is_null(st, 2) ? -1 : store_col_int(st, 2);
        r->warning = (int)store_col_int(st, 3);
        r->confiscate = (int)store_col_int(st, 4);
        r->suspend_revoke = (int)store_col_int(st, 5);
        r->stop_business = (int)store_col_int(st, 6);
        r->first_offense_exempt = (int)store_col_int(st, 7);
        break;
    }
    store_done(st);
    return rc == STORE_ROW || rc == STORE_DONE ? FZ_OK : FZ_ERR;
}

static int check_discretion(const check_arg *a, char *why, size_t n)
{
    static const char *const cols[] = {"f_code", "f_circumstance", "f_fine_min", "f_fine_max", "f_warning",
                                       "f_confiscate", "f_suspend_revoke", "f_stop_business",
                                       "f_first_offense_exempt", "f_legal_max", "f_penalty_basis", NULL};
    int kind = pen_decision_kind(sval(a->fields, "decision"));
    if (kind < 0)
        return refuse(why, n, "须填写决定（decision）：处罚、不予处罚或不予处罚（违法事实不能成立）");
    pen_measures m;
    measures_of(a->fields, 0, &m);
    const char *code = sval(a->fields, "violation_code"), *circ = sval(a->fields, "circumstance");
    pen_range r = {.fine_min = -1, .fine_max = -1, .legal_max = -1};
    char basis[300] = "", judged[700];
    if (kind != PEN_DECIDE_NO_FACTS) {
        if (!*code)
            return refuse(why, n, "须填写违法行为编码（violation_code），以适用裁量基准（第三十四条）");
        int ok, known;
        if (has_columns(a->w, "cat_discretion", cols, &ok))
            return FZ_ERR;
        if (!ok)
            return refuse(why, n, "裁量基准名录（discretion）未定义，无法核验裁量范围（第三十四条）");
        if (range_load(a->w, code, circ, &r, basis, sizeof(basis), &known))
            return FZ_ERR;
        if (!known)
            return refuse(why, n, "裁量基准中没有违法行为编码 %s，请先在裁量基准名录中登记（第三十四条）", code);
    }
    int verdict = pen_discretion_judge(kind, circ, &m, &r, judged, sizeof(judged));
    if (verdict == PEN_DR_REFUSE)
        return refuse(why, n, "%s", judged);
    if (verdict == PEN_DR_REASON && !*sval(a->fields, "deviation_reason"))
        return refuse(why, n, "%s；超出裁量基准的须写明理由（deviation_reason）", judged);
    return 0;
}

/* ---- simple_procedure_limit (第五十一条) ---- */

static int check_simple(const check_arg *a, char *why, size_t n)
{
    pen_measures m;
    measures_of(a->fields, 0, &m);
    return pen_simple_check(party_of(a->fields), pen_decision_kind(sval(a->fields, "decision")), &m, why, n);
}

/* ---- limitation_period (第三十六条) ---- */

static int check_limitation(const check_arg *a, char *why, size_t n)
{
    int64_t act, found = a->today;
    char t1[11], t2[11], t3[11];
    if (!dval(a->fields, "violation_on", &act))
        return refuse(why, n, "须填写违法行为发生日期（violation_on），以核验追责时效（第三十六条）");
    int discovered = dval(a->fields, "discovered_on", &found);
    day_text(act, t1);
    day_text(found, t2);
    if (act > a->today)
        return refuse(why, n, "违法行为发生日期 %s 晚于今天", t1);
    if (found > a->today)
        return refuse(why, n, "发现日期 %s 晚于今天", t2);
    if (found < act)
        return refuse(why, n, "发现日期 %s 早于违法行为发生日期 %s", t2, t1);
    int harm = bval(a->fields, "life_or_finance_harm"), years = pen_limitation_years(harm);
    int64_t last = pen_limitation_last_day(act, years);
    if (found <= last)
        return 0;
    day_text(last, t3);
    return refuse(why, n, "违法行为发生于 %s（有连续或继续状态的，为行为终了之日），至%s %s 已超过%s年（最后一日 %s），"
                          "依第三十六条不再给予行政处罚%s",
                  t1, discovered ? "发现之日" : "今天", t2, years == 5 ? "五" : "二", t3,
                  harm ? "" : "（涉及公民生命健康安全、金融安全且有危害后果的为五年：life_or_finance_harm）");
}

static const check_def CHECKS[] = {
    {"two_certified_officers", "两名以上持证执法人员（行政处罚法第四十二条）", check_two_officers},
    {"hearing_rights", "告知听证权利（行政处罚法第六十三条）", check_hearing_rights},
    {"hearing_notice", "听证七日前通知（行政处罚法第六十四条第二项）", check_hearing_notice},
    {"legal_review_approved", "法制审核通过（行政处罚法第五十八条）", check_legal_review},
    {"collective_discussion", "负责人集体讨论（行政处罚法第五十七条第二款）", check_collective},
    {"discretion_range", "在裁量基准范围内（行政处罚法第三十四条）", check_discretion},
    {"simple_procedure_limit", "简易程序的限额（行政处罚法第五十一条）", check_simple},
    {"limitation_period", "追责时效（行政处罚法第三十六条）", check_limitation},
    {0},
};

const check_def *check_find(const char *name)
{
    for (const check_def *c = CHECKS; name && c->name; c++)
        if (!strcmp(c->name, name))
            return c;
    return NULL;
}
