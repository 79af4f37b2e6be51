/* fields.c: typed field values of definitions (see fields.h): checking
 * JSON input against a field's type, binding it to columns (a party's ID
 * number sealed), reading it back (masked unless sensitive), and the masked
 * copy recorded in events. Shared by cases and catalogs. */
#include "engine/fields.h"
#include "core/jsonw.h"
#include "engine/schema.h"
#include "store/store.h"
#include "core/status.h"
#include "core/timeutil.h"
#include "core/validate.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int bad(field_err *x, const char *field, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int bad(field_err *x, const char *field, const char *fmt, ...)
{
    snprintf(x->field, sizeof(x->field), "%s", field);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->message, sizeof(x->message), fmt, ap);
    va_end(ap);
    return FZ_INVALID;
}

json_t *fields_find(const def *d, const char *name)
{
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(d->json, "fields"), i, f) if (strcmp(json_string_value(json_object_get(f, "name")),
                                                                            name) == 0) return f;
    return NULL;
}

static const char *ftype(json_t *f)
{
    return json_string_value(json_object_get(f, "type"));
}

static const char *flabel(json_t *f)
{
    return json_string_value(json_object_get(f, "label"));
}

static int in_array(json_t *arr, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) if (json_is_string(v) && strcmp(json_string_value(v), s) == 0) return 1;
    return 0;
}


int fields_empty(const json_t *v)
{
    return !v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0) ||
           (json_is_object(v) && json_object_size(v) == 0);
}

int fields_check_one(json_t *f, const char *name, json_t *v, field_err *x)
{
    const char *t = ftype(f), *label = flabel(f);
    json_t *max = json_object_get(f, "max");
    if (fields_empty(v))
        return FZ_OK;
    if (!strcmp(t, "string") || !strcmp(t, "text") || !strcmp(t, "legal_basis")) {
        if (!json_is_string(v))
            return bad(x, name, "%s（%s）：须为文本", label, name);
        size_t chars = 0;
        utf8_count(json_string_value(v), json_string_length(v), &chars);
        int64_t lim = max ? json_integer_value(max) : !strcmp(t, "text") ? 20000 : 200;
        if ((int64_t)chars > lim)
            return bad(x, name, "%s（%s）：最多 %lld 个字", label, name, (long long)lim);
    } else if (!strcmp(t, "int") || !strcmp(t, "money") || !strcmp(t, "user") || !strcmp(t, "unit")) {
        if (!json_is_integer(v) || (strcmp(t, "int") && json_integer_value(v) < 0))
            return bad(x, name, "%s（%s）：须为%s整数", label, name,
                          strcmp(t, "int") ? "非负" : "");
        if (max && json_integer_value(v) > json_integer_value(max))
            return bad(x, name, "%s（%s）：不能超过 %lld", label, name,
                          (long long)json_integer_value(max));
        json_t *min = json_object_get(f, "min");
        if (min && json_integer_value(v) < json_integer_value(min))
            return bad(x, name, "%s（%s）：不能小于 %lld", label, name,
                          (long long)json_integer_value(min));
    } else if (!strcmp(t, "bool")) {
        if (!json_is_boolean(v))
            return bad(x, name, "%s（%s）：须为 true 或 false", label, name);
    } else if (!strcmp(t, "date")) {
        int y, m, dd;
        if (!json_is_string(v) || date_parse(json_string_value(v), &y, &m, &dd) != FZ_OK)
            return bad(x, name, "%s（%s）：须为有效日期 YYYY-MM-DD", label, name);
    } else if (!strcmp(t, "datetime")) {
        int64_t ms;
        if (!json_is_string(v) || time_parse_rfc3339(json_string_value(v), &ms) != FZ_OK)
            return bad(x, name, "%s（%s）：须为 RFC 3339 时间", label, name);
    } else if (!strcmp(t, "enum")) {
        if (!json_is_string(v) || !in_array(json_object_get(f, "options"), json_string_value(v)))
            return bad(x, name, "%s（%s）：须为规定的选项之一", label, name);
    } else if (!strcmp(t, "region")) {
        char norm[13];
        if (!json_is_string(v) || region_code_normalize(json_string_value(v), norm) != FZ_OK ||
            region_code_validate(norm) != FZ_OK)
            return bad(x, name, "%s（%s）：须为有效的区划代码", label, name);
    } else if (!strcmp(t, "party")) {
        json_t *pn = json_is_string(v) ? v : json_object_get(v, "name");
        json_t *kind = json_is_object(v) ? json_object_get(v, "kind") : NULL;
        json_t *idno = json_is_object(v) ? json_object_get(v, "id_number") : NULL;
        if (!json_is_string(pn) || json_string_length(pn) == 0 || json_string_length(pn) > 600)
            return bad(x, name, "%s（%s）：须有名称", label, name);
        if (kind && (!json_is_string(kind) || (strcmp(json_string_value(kind), "自然人") &&
                                               strcmp(json_string_value(kind), "法人") &&
                                               strcmp(json_string_value(kind), "其他组织"))))
            return bad(x, name, "%s（%s）：类型须为 自然人、法人 或 其他组织", label, name);
        if (idno && !fields_empty(idno)) {
            const char *reason = NULL;
            int natural = !kind || !strcmp(json_string_value(kind), "自然人");
            int ok = json_is_string(idno) && json_string_length(idno) <= 18;
            if (ok && natural)
                ok = validate_idcard(json_string_value(idno), today_yyyymmdd(), &reason) == FZ_OK;
            else if (ok) {
                int check_ok = 0;
                ok = validate_uscc(json_string_value(idno), &check_ok) == FZ_OK;
            }
            if (!ok)
                return bad(x, name, "%s（%s）的证件号无效：%s", label, name,
                              reason ? reason : natural ? "不符合 GB 11643" : "不符合 GB 32100");
        }
    }
    return FZ_OK;
}


int fields_check(const def *d, const json_t *values, int creating, field_err *x)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)values, key, v)
    {
        json_t *f = fields_find(d, key);
        if (!f)
            return bad(x, key, "未知字段 %s", key);
        int rc = fields_check_one(f, key, v, x);
        if (rc)
            return rc;
    }
    if (creating) {
        size_t i;
        json_t *f;
        json_array_foreach(json_object_get(d->json, "fields"), i, f)
        {
            const char *name = json_string_value(json_object_get(f, "name"));
            if (json_is_true(json_object_get(f, "required")) && fields_empty(json_object_get(values, name)))
                return bad(x, name, "%s（%s）：必填", flabel(f), name);
        }
    }
    return FZ_OK;
}

int fields_sealed(const json_t *f)
{
    const char *t = json_string_value(json_object_get(f, "type"));
    return t && json_is_true(json_object_get(f, "sensitive")) && strcmp(t, "party") &&
           !strcmp(schema_sql_type(t), "TEXT");
}

/* Binds a sealed value at idx and its masked copy at idx + 1 (a masked
 * list or detail then needs no decryption: the copy is what every reader
 * without the right to see the value whole is shown). Neither is the clear
 * text: when sealing fails, both are NULL. */
static void bind_sealed(const field_keys *keys, store_stmt *st, int idx, const char *text, size_t n)
{
    unsigned char *blob = NULL;
    size_t len = 0;
    char *m = malloc(n + 1);
    if (m && fieldcrypt_seal(keys, text, n, &blob, &len) == FZ_OK) {
        mask_idcard(text, m);
        store_bind_blob(st, idx, blob, len);
        store_bind_text(st, idx + 1, m);
    } else {
        store_bind_null(st, idx);
        store_bind_null(st, idx + 1);
    }
    free(blob);
    free(m);
}

/* Binds value v of field f at idx (a sealed field: and idx+1, its masked
 * copy; a party: idx+1 its kind, idx+2 the sealed ID number, idx+3 its
 * masked copy). Returns the number of parameters used (fields_params). */
int fields_bind(const field_keys *keys, store_stmt *st, int idx, json_t *f, json_t *v)
{
    const char *t = ftype(f);
    int party = !strcmp(t, "party");
    if (!party && fields_sealed(f)) {
        if (json_is_string(v) && json_string_length(v))
            bind_sealed(keys, st, idx, json_string_value(v), json_string_length(v));
        else {
            store_bind_null(st, idx);
            store_bind_null(st, idx + 1);
        }
        return 2;
    }
    if (fields_empty(v)) {
        store_bind_null(st, idx);
        if (party) {
            store_bind_null(st, idx + 1);
            store_bind_null(st, idx + 2);
            store_bind_null(st, idx + 3);
        }
        return party ? 4 : 1;
    }
    if (party) {
        json_t *pn = json_is_string(v) ? v : json_object_get(v, "name");
        json_t *kind = json_is_object(v) ? json_object_get(v, "kind") : NULL;
        json_t *idno = json_is_object(v) ? json_object_get(v, "id_number") : NULL;
        store_bind_text(st, idx, json_string_value(pn));
        store_bind_text(st, idx + 1, kind ? json_string_value(kind) : "自然人");
        if (idno && !fields_empty(idno))
            bind_sealed(keys, st, idx + 2, json_string_value(idno), json_string_length(idno));
        else {
            store_bind_null(st, idx + 2);
            store_bind_null(st, idx + 3);
        }
        return 4;
    }
    if (json_is_string(v))
        store_bind_text(st, idx, json_string_value(v));
    else if (json_is_integer(v))
        store_bind_int(st, idx, json_integer_value(v));
    else if (json_is_boolean(v))
        store_bind_int(st, idx, json_is_true(v));
    else
        store_bind_null(st, idx);
    return 1;
}

/* Appends the columns of field f: "f_x"; for a sealed field
 * "f_x, f_x__mask"; for a party "f_x, f_x__kind, f_x__idno, f_x__idmask";
 * with setters, "f_x = ?" and so on. */
void fields_columns(strbuf *b, json_t *f, int setters)
{
    const char *name = json_string_value(json_object_get(f, "name"));
    const char *eq = setters ? " = ?" : "";
    if (!strcmp(ftype(f), "party"))
        strbuf_printf(b, "f_%s%s, f_%s__kind%s, f_%s__idno%s, f_%s__idmask%s", name, eq, name, eq, name, eq, name, eq);
    else if (fields_sealed(f))
        strbuf_printf(b, "f_%s%s, f_%s__mask%s", name, eq, name, eq);
    else
        strbuf_printf(b, "f_%s%s", name, eq);
}

int fields_params(json_t *f)
{
    return !strcmp(ftype(f), "party") ? 4 : fields_sealed(f) ? 2 : 1;
}

/* A text value of a "sensitive" field as shown to those who may not see it
 * whole (the ID-number mask: head and tail kept only while 4 or more
 * characters stay hidden). */
static json_t *masked(const char *v)
{
    char *m = malloc(strlen(v) + 1);
    if (!m)
        return json_null();
    mask_idcard(v, m);
    json_t *o = json_string(m);
    free(m);
    return o;
}

void fields_mask_sensitive(const def *d, json_t *values)
{
    for (void *it = json_object_iter(values); it; it = json_object_iter_next(values, it)) {
        json_t *f = fields_find(d, json_object_iter_key(it)), *v = json_object_iter_value(it);
        if (f && json_is_true(json_object_get(f, "sensitive")) && json_is_string(v))
            json_object_iter_set_new(values, it, masked(json_string_value(v)));
    }
}

/* How a field is read back (fields_plan): decided once per definition, not
 * per row. */
enum { FK_PARTY, FK_SEALED, FK_MASKED, FK_BOOL, FK_INT, FK_TEXT };

struct fields_plan {
    int n;
    struct fplan_field {
        char *name;
        char *key;        /* "name": as fields_write_plan writes it (jw_key), made once */
        size_t klen;
        int kind;         /* FK_*, as read by a reader who may not see sensitive values */
        int kind_whole;   /* ... by one who may */
    } *f;
};

static int listed(const json_t *names, const char *name)
{
    size_t i;
    json_t *n;
    json_array_foreach(names, i, n) if (!strcmp(json_string_value(n), name)) return 1;
    return 0;
}

fields_plan *fields_plan_new(const def *d)
{
    return fields_plan_some(d, NULL);
}

fields_plan *fields_plan_some(const def *d, const json_t *names)
{
    json_t *fs = json_object_get(d->json, "fields");
    fields_plan *p = calloc(1, sizeof(*p));
    if (!p || !(p->f = calloc(json_array_size(fs) + 1, sizeof(*p->f)))) {
        free(p);
        return NULL;
    }
    size_t i;
    json_t *f;
    json_array_foreach(fs, i, f)
    {
        if (names && !listed(names, json_string_value(json_object_get(f, "name"))))
            continue;
        const char *t = ftype(f);
        int integer = !strcmp(schema_sql_type(t), "INTEGER");
        int whole = !strcmp(t, "party") ? FK_PARTY
                    : fields_sealed(f)  ? FK_SEALED
                    : integer           ? (!strcmp(t, "bool") ? FK_BOOL : FK_INT)
                                        : FK_TEXT;
        int kind = whole == FK_TEXT && json_is_true(json_object_get(f, "sensitive")) ? FK_MASKED : whole;
        char *name = strdup(json_string_value(json_object_get(f, "name")));
        strbuf key = STRBUF_INIT;
        jw_key(&key, name ? name : "");
        if (!name || !strbuf_ok(&key)) {
            free(name);
            strbuf_free(&key);
            fields_plan_free(p);
            return NULL;
        }
        p->f[p->n++] = (struct fplan_field){name, key.data, key.len, kind, whole};
    }
    return p;
}

void fields_plan_columns(strbuf *b, const fields_plan *p)
{
    for (int i = 0; i < p->n; i++) {
        const char *n = p->f[i].name;
        if (p->f[i].kind_whole == FK_PARTY)
            strbuf_printf(b, ", f_%s, f_%s__kind, f_%s__idno, f_%s__idmask", n, n, n, n);
        else if (p->f[i].kind_whole == FK_SEALED)
            strbuf_printf(b, ", f_%s, f_%s__mask", n, n);
        else
            strbuf_printf(b, ", f_%s", n);
    }
}

void fields_plan_free(fields_plan *p)
{
    for (int i = 0; p && i < p->n; i++) {
        free(p->f[i].name);
        free(p->f[i].key);
    }
    if (p)
        free(p->f);
    free(p);
}

/* One field's value as read from a row: what both writers (JSON objects,
 * JSON text) put out, decided in one place. */
typedef struct fval {
    enum { FV_NULL, FV_STR, FV_INT, FV_BOOL, FV_PARTY } kind;
    const char *s;     /* FV_STR: the text; FV_PARTY: the name */
    const char *pkind; /* FV_PARTY: its kind */
    const char *id;    /* FV_PARTY: the ID number (NULL: none recorded) */
    int64_t i;
    char *own[2];      /* freed by fval_free */
} fval;

static void fval_free(fval *v)
{
    free(v->own[0]);
    free(v->own[1]);
}

/* The masked copy of v (fval owns it), or NULL. */
static const char *fval_mask(fval *v, int slot, const char *plain)
{
    char *m = malloc(strlen(plain) + 1);
    if (m)
        mask_idcard(plain, m);
    v->own[slot] = m;
    return m;
}

/* A sealed value (column col) or its masked copy (col + 1) as the reader
 * may see it; NULL when none. The copy is read as stored; a row from before
 * the copies were kept (NULL copy) is opened and masked here. An empty copy
 * marks a value that did not open when the copies were filled (a value is
 * never sealed empty): nothing, as opening it gives. */
static const char *sealed_read(const field_keys *keys, store_stmt *st, int col, int sensitive, fval *v)
{
    if (!sensitive && !store_col_is_null(st, col + 1)) {
        const char *m = store_col_text(st, col + 1);
        return m && *m ? m : NULL;
    }
    size_t len;
    const void *blob = store_col_blob(st, col, &len);
    char *plain = NULL;
    if (!blob || !len || fieldcrypt_open(keys, blob, len, &plain) != FZ_OK)
        return NULL;
    v->own[0] = plain;
    return sensitive ? plain : fval_mask(v, 1, plain);
}

/* Reads the field of plan entry pf from column col of st (unmasked when
 * sensitive). Returns the next column. */
static int fval_read(const field_keys *keys, store_stmt *st, int col, const struct fplan_field *pf, int sensitive,
                     fval *v)
{
    *v = (fval){FV_NULL};
    int kind = sensitive ? pf->kind_whole : pf->kind;
    if (kind == FK_PARTY) {
        if (!store_col_is_null(st, col)) {
            v->kind = FV_PARTY;
            v->s = store_col_text(st, col);
            v->pkind = store_col_text(st, col + 1);
            v->id = sealed_read(keys, st, col + 2, sensitive, v);
        }
        return col + 4;
    }
    if (kind == FK_SEALED) {
        v->s = sealed_read(keys, st, col, sensitive, v);
        v->kind = v->s ? FV_STR : FV_NULL;
        return col + 2;
    }
    if (store_col_is_null(st, col))
        return col + 1;
    if (kind == FK_MASKED) {
        v->s = fval_mask(v, 0, store_col_text(st, col));
        v->kind = v->s ? FV_STR : FV_NULL;
    } else if (kind == FK_BOOL || kind == FK_INT) {
        v->kind = kind == FK_BOOL ? FV_BOOL : FV_INT;
        v->i = store_col_int(st, col);
    } else {
        v->kind = FV_STR;
        v->s = store_col_text(st, col);
    }
    return col + 1;
}

static json_t *fval_json(const fval *v)
{
    switch (v->kind) {
    case FV_STR:
        return json_string(v->s);
    case FV_INT:
        return json_integer(v->i);
    case FV_BOOL:
        return json_boolean(v->i);
    case FV_PARTY: {
        json_t *p = json_pack("{s:s, s:s}", "name", v->s, "kind", v->pkind);
        if (v->id)
            json_object_set_new(p, "id_number", json_string(v->id));
        return p;
    }
    default:
        return json_null();
    }
}

static void fval_text(strbuf *b, const fval *v)
{
    switch (v->kind) {
    case FV_STR:
        jw_str(b, v->s);
        break;
    case FV_INT:
        jw_int(b, v->i);
        break;
    case FV_BOOL:
        strbuf_puts(b, v->i ? "true" : "false");
        break;
    case FV_PARTY:
        strbuf_puts(b, "{\"name\":");
        jw_str(b, v->s);
        strbuf_puts(b, ",\"kind\":");
        jw_str(b, v->pkind);
        if (v->id) {
            strbuf_puts(b, ",\"id_number\":");
            jw_str(b, v->id);
        }
        strbuf_putc(b, '}');
        break;
    default:
        strbuf_puts(b, "null");
    }
}

json_t *fields_read_plan(const fields_plan *p, const field_keys *keys, store_stmt *st, int col, int sensitive)
{
    json_t *out = json_object();
    for (int i = 0; i < p->n; i++) {
        fval v;
        col = fval_read(keys, st, col, &p->f[i], sensitive, &v);
        json_object_set_new(out, p->f[i].name, fval_json(&v));
        fval_free(&v);
    }
    return out;
}

void fields_write_plan(strbuf *b, const fields_plan *p, const field_keys *keys, store_stmt *st, int col, int sensitive)
{
    strbuf_putc(b, '{');
    for (int i = 0; i < p->n; i++) {
        fval v;
        col = fval_read(keys, st, col, &p->f[i], sensitive, &v);
        if (i)
            strbuf_putc(b, ',');
        strbuf_append(b, p->f[i].key, p->f[i].klen);
        fval_text(b, &v);
        fval_free(&v);
    }
    strbuf_putc(b, '}');
}

/* Values as recorded in events: a party's ID number masked, never plain. */
json_t *fields_event_values(const json_t *values)
{
    json_t *out = json_deep_copy(values);
    const char *key;
    json_t *v;
    json_object_foreach(out, key, v)
    {
        json_t *idno = json_is_object(v) ? json_object_get(v, "id_number") : NULL;
        if (json_is_string(idno)) {
            char m[32];
            if (json_string_length(idno) < sizeof(m)) {
                mask_idcard(json_string_value(idno), m);
                json_object_set_new(v, "id_number", json_string(m));
            }
        }
    }
    return out;
}


int fields_prepare_insert(store_conn *c, const def *d, const char *table, const char *meta, int nmeta,
                          store_stmt **st)
{
    strbuf b = STRBUF_INIT;
    strbuf_printf(&b, "INSERT INTO %s (%s", table, meta);
    int n = nmeta;
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(d->json, "fields"), i, f)
    {
        strbuf_puts(&b, ", ");
        fields_columns(&b, f, 0);
        n += fields_params(f);
    }
    strbuf_puts(&b, ") VALUES (");
    for (int k = 0; k < n; k++)
        strbuf_puts(&b, k ? ", ?" : "?");
    strbuf_puts(&b, ") RETURNING id");
    int rc = strbuf_ok(&b) ? store_prepare(c, b.data, st) : FZ_NOMEM;
    strbuf_free(&b);
    return rc;
}

void fields_bind_all(const field_keys *keys, store_stmt *st, int idx, const def *d, const json_t *values)
{
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(d->json, "fields"), i, f) idx += fields_bind(
        keys, st, idx, f, json_object_get(values, json_string_value(json_object_get(f, "name"))));
}

void fields_select(strbuf *b, const def *d, const char *meta, const char *tbl)
{
    strbuf_printf(b, "SELECT %s", meta);
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(d->json, "fields"), i, f)
    {
        strbuf_puts(b, ", ");
        fields_columns(b, f, 0);
    }
    strbuf_printf(b, " FROM %s t", tbl);
}

json_t *fields_read_all(const field_keys *keys, store_stmt *st, int col, const def *d, int sensitive)
{
    fields_plan *p = fields_plan_new(d);
    json_t *out = p ? fields_read_plan(p, keys, st, col, sensitive) : json_object();
    fields_plan_free(p);
    return out;
}
