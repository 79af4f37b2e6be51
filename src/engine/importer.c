/* importer.c: all-or-nothing imports of catalog rows and historic cases from
 * CSV or xlsx (see importer.h). Every row is read and checked before anything
 * is written; any bad row means nothing is written and every bad row is
 * reported with its row number, its column and the reason. */
#include "engine/importer.h"
#include "engine/catalogs.h"
#include "engine/cases.h"
#include "engine/fields.h"
#include "engine/publish.h"
#include "engine/scheduler.h"
#include "engine/table_reader.h"
#include "store/store.h"
#include "core/parse.h"
#include "core/status.h"
#include "core/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add_error(import_report *rep, long row, const char *column, const char *reason)
{
    rep->total_errors++;
    if (rep->nerrors >= IMPORT_MAX_ERRORS)
        return;
    import_error *e = &rep->errors[rep->nerrors++];
    e->row = row;
    snprintf(e->column, sizeof(e->column), "%s", column ? column : "");
    snprintf(e->reason, sizeof(e->reason), "%s", reason);
}

/* A cell as the field's JSON value; NULL with *why when it cannot be. */
static json_t *convert(json_t *f, const char *cell, const char **why)
{
    const char *t = json_string_value(json_object_get(f, "type"));
    *why = NULL;
    if (!strcmp(t, "int") || !strcmp(t, "user") || !strcmp(t, "unit")) {
        int64_t v;
        if (parse_i64(cell, INT64_MIN / 2, INT64_MAX / 2, &v) != FZ_OK) {
            *why = "应为整数";
            return NULL;
        }
        return json_integer(v);
    }
    if (!strcmp(t, "money")) {
        /* 元 with at most two decimals, stored in 分. */
        char whole[32] = "", frac[3] = "00";
        const char *dot = strchr(cell, '.');
        size_t wl = dot ? (size_t)(dot - cell) : strlen(cell);
        size_t fl = dot ? strlen(dot + 1) : 0;
        int64_t yuan;
        if (wl == 0 || wl >= sizeof(whole) || fl > 2) {
            *why = "应为金额（元，最多两位小数）";
            return NULL;
        }
        memcpy(whole, cell, wl);
        for (size_t i = 0; i < fl; i++)
            frac[i] = dot[1 + i];
        int64_t fen;
        if (parse_i64(whole, 0, INT64_MAX / 1000, &yuan) != FZ_OK || parse_i64(frac, 0, 99, &fen) != FZ_OK) {
            *why = "应为金额（元，最多两位小数）";
            return NULL;
        }
        return json_integer(yuan * 100 + fen);
    }
    if (!strcmp(t, "bool")) {
        if (!strcmp(cell, "是") || !strcmp(cell, "true") || !strcmp(cell, "1"))
            return json_true();
        if (!strcmp(cell, "否") || !strcmp(cell, "false") || !strcmp(cell, "0"))
            return json_false();
        *why = "应为 是 或 否";
        return NULL;
    }
    if (!strcmp(t, "party")) {
        /* "名称" or "名称|证件号" */
        const char *bar = strchr(cell, '|');
        if (!bar)
            return json_string(cell);
        json_t *p = json_object();
        json_object_set_new(p, "name", json_stringn(cell, (size_t)(bar - cell)));
        json_object_set_new(p, "id_number", json_string(bar + 1));
        return p;
    }
    return json_string(cell);
}

/* A step-date column of a procedure (import --history): "<action label>日期"
 * (ASCII "<action>_on") for each action that is a step of its own (not a
 * 撤回 or an opinion), unless a field answers to that label or name: the
 * field is the column then (送达日期 is the field served_on). */
typedef struct step_col {
    const char *action;
    char label[160];
    char name[72];
} step_col;

static int field_answers(json_t *fields, const char *s)
{
    size_t i;
    json_t *f;
    json_array_foreach(fields, i, f)
    {
        if (!strcmp(json_string_value(json_object_get(f, "name")), s) ||
            !strcmp(json_string_value(json_object_get(f, "label")), s))
            return 1;
    }
    return 0;
}

/* The step-date columns of d (*n of them, caller frees). */
static step_col *step_cols(const def *d, size_t *n)
{
    json_t *acts = json_object_get(d->json, "actions"), *fields = json_object_get(d->json, "fields"), *a;
    step_col *sc = calloc(json_array_size(acts) + 1, sizeof(*sc));
    size_t i;
    *n = 0;
    if (!sc)
        return NULL;
    json_array_foreach(acts, i, a)
    {
        const char *kind = json_string_value(json_object_get(a, "kind"));
        step_col *c = &sc[*n];
        if (kind && (!strcmp(kind, "withdraw") || !strcmp(kind, "comment")))
            continue;
        c->action = json_string_value(json_object_get(a, "name"));
        snprintf(c->label, sizeof(c->label), "%s日期", json_string_value(json_object_get(a, "label")));
        snprintf(c->name, sizeof(c->name), "%s_on", c->action);
        if (!field_answers(fields, c->label) && !field_answers(fields, c->name))
            (*n)++;
    }
    return sc;
}

typedef struct hist_entry {
    const char *on;
    size_t order;
    json_t *payload;
} hist_entry;

static int hist_cmp(const void *a, const void *b)
{
    const hist_entry *x = a, *y = b;
    int c = strcmp(x->on, y->on);
    return c ? c : x->order < y->order ? -1 : x->order > y->order;
}

/* The history of one row (import --history): one entry per filled date
 * field not after today (a later one, such as a hearing still to come, is
 * kept as the field but is no step yet) and per filled step-date column
 * (checked: a real date, not after today), ordered by date, ties in column
 * order. Out-of-order dates are not refused (docs/architecture.md). Sets
 * item "history"; 0, or 1 after reporting a bad cell. */
static int row_history(const def *d, const tr_row *row, const int *scol, const step_col *sc, size_t nsc,
                       const char *today, json_t *item, import_report *rep)
{
    json_t *fields = json_object_get(d->json, "fields"), *values = json_object_get(item, "values"), *f;
    size_t nf = json_array_size(fields), n = 0, i;
    hist_entry *e = calloc(nf + nsc + 1, sizeof(*e));
    int bad = 0, y, m, dd;
    if (!e) {
        add_error(rep, row->num, "", "内存不足");
        return 1;
    }
    json_array_foreach(fields, i, f)
    {
        const char *name = json_string_value(json_object_get(f, "name"));
        const char *on = json_string_value(json_object_get(values, name));
        if (!on || strcmp(json_string_value(json_object_get(f, "type")), "date") || strcmp(on, today) > 0)
            continue;
        e[n] = (hist_entry){on, n, json_pack("{s:s, s:s, s:s}", "on", on, "label",
                                             json_string_value(json_object_get(f, "label")), "field", name)};
        n++;
    }
    for (i = 0; i < nsc; i++) {
        const char *on = scol[i] >= 0 && (size_t)scol[i] < row->ncols ? row->cells[scol[i]] : "";
        char why[160];
        if (!*on)
            continue;
        if (date_parse(on, &y, &m, &dd) != FZ_OK)
            snprintf(why, sizeof(why), "「%s」不是有效日期，应为 YYYY-MM-DD", on);
        else if (strcmp(on, today) > 0)
            snprintf(why, sizeof(why), "%s 晚于今天（%s）：已办理的步骤不能在将来", on, today);
        else {
            e[n] = (hist_entry){on, n, json_pack("{s:s, s:s, s:s}", "on", on, "label", sc[i].label, "step",
                                                 sc[i].action)};
            n++;
            continue;
        }
        add_error(rep, row->num, sc[i].label, why);
        bad = 1;
    }
    qsort(e, n, sizeof(*e), hist_cmp);
    json_t *h = json_array();
    for (i = 0; i < n; i++)
        json_array_append_new(h, e[i].payload);
    json_object_set_new(item, "history", h);
    free(e);
    return bad;
}

/* The state column of a historic case: a state name or its label. */
static const char *state_of(const def *d, const char *cell)
{
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(d->json, "states"), i, s)
    {
        const char *name = json_string_value(json_object_get(s, "name"));
        if (!strcmp(name, cell) || !strcmp(json_string_value(json_object_get(s, "label")), cell))
            return name;
    }
    return NULL;
}

int import_read(const def *d, const char *path, int history, json_t **rows_out, import_report *rep)
{
    memset(rep, 0, sizeof(*rep));
    *rows_out = NULL;
    json_t *fields = json_object_get(d->json, "fields");
    size_t nsc = 0;
    step_col *sc = d->type == DEF_PROCEDURE ? step_cols(d, &nsc) : NULL;
    size_t nf = json_array_size(fields), nextra = d->type == DEF_PROCEDURE ? 3 + nsc : 0;
    tr_field *map = calloc(nf + nextra + 1, sizeof(tr_field));
    int *col = calloc(nf + nextra + 1, sizeof(int));
    if (!map || !col || (d->type == DEF_PROCEDURE && !sc)) {
        free(map);
        free(col);
        free(sc);
        return FZ_NOMEM;
    }
    size_t i;
    json_t *f;
    json_array_foreach(fields, i, f)
    {
        map[i].name = json_string_value(json_object_get(f, "name"));
        map[i].label = json_string_value(json_object_get(f, "label"));
        map[i].required = json_is_true(json_object_get(f, "required"));
    }
    if (nextra) {
        map[nf] = (tr_field){"state", "状态", 0};
        map[nf + 1] = (tr_field){"no", "编号", 0};
        map[nf + 2] = (tr_field){"unit_id", "单位编号", 0};
        for (i = 0; i < nsc; i++)
            map[nf + 3 + i] = (tr_field){sc[i].name, sc[i].label, 0};
    }
    table_reader *r = NULL;
    tr_error err;
    tr_row row;
    int rc = table_open(path, TR_FMT_AUTO, NULL, &r, &err);
    if (rc == FZ_OK && (rc = table_next(r, &row, &err)) == FZ_NOTFOUND) {
        snprintf(err.msg, sizeof(err.msg), "文件没有表头行");
        rc = FZ_INVALID;
    }
    if (rc == FZ_OK)
        rc = table_map_header(&row, map, nf + nextra, 0, col, &err);
    /* A step date without --history would be dropped: refused instead. */
    size_t at = 0;
    for (i = 0; rc == FZ_OK && !history && i < nsc; i++)
        if (col[nf + 3 + i] >= 0 && at < sizeof(err.msg))
            at += (size_t)snprintf(err.msg + at, sizeof(err.msg) - at, "%s「%s」", at ? "" : "列", sc[i].label);
    if (rc == FZ_OK && at) {
        if (at < sizeof(err.msg))
            snprintf(err.msg + at, sizeof(err.msg) - at, "是办理步骤的日期，只在导入历史（--history 1）时写入");
        rc = FZ_INVALID;
    }
    if (rc) {
        snprintf(rep->fatal, sizeof(rep->fatal), "%s", err.msg);
        table_close(r);
        free(map);
        free(col);
        free(sc);
        return rc;
    }
    char today[11];
    int td = today_yyyymmdd();
    date_format(td / 10000, td / 100 % 100, td % 100, today);
    json_t *rows = json_array();
    while ((rc = table_next(r, &row, &err)) == FZ_OK) {
        json_t *values = json_object();
        int bad = 0;
        for (i = 0; i < nf; i++) {
            if (col[i] < 0 || (size_t)col[i] >= row.ncols || !row.cells[col[i]][0])
                continue;
            const char *why;
            json_t *v = convert(json_array_get(fields, i), row.cells[col[i]], &why);
            if (!v) {
                add_error(rep, row.num, map[i].label, why);
                bad = 1;
                continue;
            }
            json_object_set_new(values, map[i].name, v);
        }
        field_err fe;
        if (!bad && fields_check(d, values, 1, &fe) != FZ_OK) {
            json_t *fd = fields_find(d, fe.field);
            add_error(rep, row.num, fd ? json_string_value(json_object_get(fd, "label")) : fe.field, fe.message);
            bad = 1;
        }
        json_t *item = json_pack("{s:I, s:o}", "row", (json_int_t)row.num, "values", values);
        if (nextra) {
            int stc = col[nf], nc = col[nf + 1];
            if (stc >= 0 && (size_t)stc < row.ncols && row.cells[stc][0]) {
                const char *st = state_of(d, row.cells[stc]);
                if (!st) {
                    add_error(rep, row.num, "状态", "不是该程序定义的状态");
                    bad = 1;
                } else {
                    json_object_set_new(item, "state", json_string(st));
                }
            }
            if (nc >= 0 && (size_t)nc < row.ncols && row.cells[nc][0])
                json_object_set_new(item, "no", json_string(row.cells[nc]));
            int uc = col[nf + 2];
            int64_t u;
            if (uc >= 0 && (size_t)uc < row.ncols && row.cells[uc][0]) {
                if (parse_i64(row.cells[uc], 1, INT64_MAX, &u) != FZ_OK) {
                    add_error(rep, row.num, "单位编号", "应为正整数");
                    bad = 1;
                } else {
                    json_object_set_new(item, "unit_id", json_integer(u));
                }
            }
            if (history && row_history(d, &row, col + nf + 3, sc, nsc, today, item, rep))
                bad = 1;
        }
        if (!bad)
            rep->ok_rows++;
        json_array_append_new(rows, item);
    }
    table_close(r);
    free(map);
    free(col);
    free(sc);
    if (rc != FZ_NOTFOUND) {
        snprintf(rep->fatal, sizeof(rep->fatal), "%s", err.msg);
        json_decref(rows);
        return rc;
    }
    if (rep->total_errors) {
        json_decref(rows);
        return FZ_INVALID;
    }
    *rows_out = rows;
    return FZ_OK;
}

/* The procedure's "publish" action when the case's state is one it starts
 * from, else NULL. */
static json_t *publish_action(const def *d, const char *state)
{
    size_t i, k;
    json_t *a, *s;
    if (!state || !json_object_get(d->json, "publication"))
        return NULL;
    json_array_foreach(json_object_get(d->json, "actions"), i, a)
    {
        const char *kind = json_string_value(json_object_get(a, "kind"));
        if (!kind || strcmp(kind, "publish"))
            continue;
        json_array_foreach(json_object_get(a, "from"), k, s)
        {
            if (!strcmp(json_string_value(s), state))
                return a;
        }
    }
    return NULL;
}

/* Publishes an imported case as its publish step would (engine/publish.h),
 * when it has every field that step requires. A party read as a bare name
 * becomes {"name": …}, the shape the step reads back from the case. */
static int publish_imported(store_conn *w, import_job *j, int64_t id, const char *no, int64_t unit_id,
                            const char *state, json_t *values)
{
    json_t *a = publish_action(j->d, state), *f;
    size_t i;
    if (!a)
        return FZ_OK;
    json_array_foreach(json_object_get(a, "requires"), i, f)
    {
        if (!json_object_get(values, json_string_value(f)))
            return FZ_OK;
    }
    char kind[64], sid[24], why[300] = "";
    case_subject_kind(j->d, kind);
    snprintf(sid, sizeof(sid), "%lld", (long long)id);
    json_t *fields = json_copy(values);
    json_array_foreach(json_object_get(j->d->json, "fields"), i, f)
    {
        const char *name = json_string_value(json_object_get(f, "name"));
        json_t *v = json_object_get(fields, name);
        if (json_is_string(v) && !strcmp(json_string_value(json_object_get(f, "type")), "party"))
            json_object_set_new(fields, name, json_pack("{s:O}", "name", v));
    }
    publish_in in = {.d = j->d, .subject_kind = kind, .subject_id = sid, .case_no = no, .unit_id = unit_id,
                     .region_code = j->ledger, .ledger = j->ledger,
                     .actor = j->who ? j->who->username : "system", .fields = fields, .today = scheduler_today()};
    int64_t pid;
    int rc = fields ? publish_create(w, &in, &pid, why, sizeof(why)) : FZ_NOMEM;
    json_decref(fields);
    if (rc == FZ_OK)
        j->published++;
    return rc;
}

int import_write(store_conn *w, void *ctx)
{
    import_job *j = ctx;
    size_t i;
    json_t *item;
    json_array_foreach(j->rows, i, item)
    {
        json_t *values = json_object_get(item, "values");
        int64_t id;
        int rc;
        if (j->d->type == DEF_CATALOG) {
            cat_ctx x = {.d = j->d, .keys = j->keys, .ledger = j->ledger};
            rc = catalog_insert(w, &x, values, j->unit_id, &id);
        } else {
            case_ctx x = {.d = j->d, .who = j->who, .keys = j->keys, .ledger = j->ledger};
            char no[80];
            const char *state = json_string_value(json_object_get(item, "state"));
            json_t *u = json_object_get(item, "unit_id");
            int64_t unit = u ? (int64_t)json_integer_value(u) : j->unit_id, known = 0;
            if (u && unit != j->checked_unit) {
                if ((rc = store_query_int(w, &known, 0, "SELECT count(*) FROM units WHERE id = ?", "i", unit)))
                    return rc;
                if (!known) {
                    snprintf(j->why, sizeof(j->why), "第 %lld 行：单位编号 %lld 不存在",
                             (long long)json_integer_value(json_object_get(item, "row")), (long long)unit);
                    return FZ_INVALID;
                }
                j->checked_unit = unit;
            }
            rc = case_import(w, &x, values, unit, state, json_string_value(json_object_get(item, "no")), &id, no);
            size_t k;
            json_t *h;
            json_array_foreach(json_object_get(item, "history"), k, h) if (!rc && !(rc = case_history(w, &x, id, unit, h)))
                j->history_events++;
            if (!rc && j->publish)
                rc = publish_imported(w, j, id, no, unit, state, values);
            if (rc && x.message[0])
                snprintf(j->why, sizeof(j->why), "第 %lld 行：%s", (long long)json_integer_value(json_object_get(item, "row")),
                         x.message);
        }
        if (rc)
            return rc;
        j->written++;
    }
    return FZ_OK;
}
