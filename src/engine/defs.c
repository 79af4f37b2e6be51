/* defs.c: loading and validating definition files (see defs.h and
 * docs/definitions.md). The validator walks each document with its JSON path
 * in hand, so every message says exactly where the problem is. */
#include "engine/defs.h"
#include "engine/attach.h"
#include "engine/checks.h"
#include "engine/clock.h"
#include "engine/fields.h"
#include "engine/ind_module.h"
#include "engine/officers.h"
#include "core/status.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const ROLE_KEYS[] = {"sys_admin", "sec_admin", "audit_admin", "officer",
                                        "reviewer",  "unit_head", "supervisor",  "leader", NULL};
static const char *const FIELD_TYPES[] = {"string", "text", "int",   "money",       "date", "datetime", "bool",
                                          "enum",   "party", "legal_basis", "user", "unit", "region", NULL};
static const char *const RESERVED_ACTIONS[] = {"created", "imported", "history", "assigned", NULL};
static const char *const ACTION_KINDS[] = {"transition", "reject", "transfer", "withdraw", "comment",
                                           "publish",    "unpublish", NULL};
/* Columns every case and catalog row has besides its fields. */
static const char *const BUILTIN_COLUMNS[] = {"state", "unit_id", "created_at", "updated_at", "no", NULL};

typedef struct vctx {
    defs_report *rep;
    const char *file;
} vctx;

static void verr(vctx *v, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void verr(vctx *v, const char *path, const char *fmt, ...)
{
    v->rep->total++;
    if (v->rep->nerrors >= DEFS_MAX_ERRORS)
        return;
    defs_error *e = &v->rep->errors[v->rep->nerrors++];
    snprintf(e->file, sizeof(e->file), "%s", v->file);
    snprintf(e->path, sizeof(e->path), "%s", path);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->reason, sizeof(e->reason), fmt, ap);
    va_end(ap);
}

static int in_list(const char *s, const char *const *list)
{
    for (int i = 0; s && list[i]; i++)
        if (strcmp(s, list[i]) == 0)
            return 1;
    return 0;
}

static int valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 40 || s[0] < 'a' || s[0] > 'z')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

/* Appends parts to buf (size n), truncating quietly: paths are messages. */
static const char *join(char *buf, size_t n, const char *path, const char *a, const char *b, const char *c)
{
    const char *parts[4] = {path, a, b, c};
    size_t used = 0;
    for (int i = 0; i < 4; i++) {
        size_t len = parts[i] ? strlen(parts[i]) : 0;
        if (used + len >= n)
            len = n - 1 - used;
        memmove(buf + used, parts[i] ? parts[i] : "", len);
        used += len;
    }
    buf[used] = '\0';
    return buf;
}

/* path + ".key" or path + "[i]" into buf (buf may not be path). */
static const char *sub(char *buf, size_t n, const char *path, const char *key)
{
    return join(buf, n, path, ".", key, NULL);
}

static const char *idx(char *buf, size_t n, const char *path, size_t i)
{
    char num[32];
    int len = snprintf(num, sizeof(num), "[%zu]", i);
    (void)len;
    return join(buf, n, path, num, NULL, NULL);
}

static void only_keys(vctx *v, json_t *o, const char *path, const char *const *allowed)
{
    const char *key;
    json_t *val;
    char p[200];
    json_object_foreach(o, key, val) if (!in_list(key, allowed)) verr(v, sub(p, sizeof(p), path, key), "未知键");
}

/* A string member; reports when required and absent, or not a string. */
static const char *str(vctx *v, json_t *o, const char *key, const char *path, int required)
{
    json_t *x = json_object_get(o, key);
    char p[200];
    if (!x) {
        if (required)
            verr(v, sub(p, sizeof(p), path, key), "必填");
        return NULL;
    }
    if (!json_is_string(x) || json_string_length(x) == 0) {
        verr(v, sub(p, sizeof(p), path, key), "应为非空文本");
        return NULL;
    }
    return json_string_value(x);
}

static int boolean(vctx *v, json_t *o, const char *key, const char *path)
{
    json_t *x = json_object_get(o, key);
    char p[200];
    if (x && !json_is_boolean(x))
        verr(v, sub(p, sizeof(p), path, key), "应为 true 或 false");
    return json_is_true(x);
}

static json_t *array(vctx *v, json_t *o, const char *key, const char *path, int required)
{
    json_t *x = json_object_get(o, key);
    char p[200];
    if (!x) {
        if (required)
            verr(v, sub(p, sizeof(p), path, key), "必填");
        return NULL;
    }
    if (!json_is_array(x) || (required && json_array_size(x) == 0)) {
        verr(v, sub(p, sizeof(p), path, key), required ? "应为非空数组" : "应为数组");
        return NULL;
    }
    return x;
}

/* Names defined in an array of objects with "name" (fields, states, clocks). */
static int has_name(json_t *arr, const char *name)
{
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x) if (json_is_object(x) && json_is_string(json_object_get(x, "name")) &&
                                      strcmp(json_string_value(json_object_get(x, "name")), name) == 0) return 1;
    return 0;
}

/* Is name one of the strings in arr? */
static int has_name_str(json_t *arr, const char *name)
{
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x) if (json_is_string(x) && strcmp(json_string_value(x), name) == 0) return 1;
    return 0;
}

static int field_known(json_t *fields, const char *name)
{
    return has_name(fields, name) || in_list(name, BUILTIN_COLUMNS);
}

/* An array of names each of which must satisfy ok(); otherwise "what" in the message. */
static void name_refs(vctx *v, json_t *o, const char *key, const char *path, json_t *pool, const char *what,
                      int (*ok)(json_t *, const char *))
{
    json_t *a = array(v, o, key, path, 0);
    size_t i;
    json_t *x;
    char p[200], q[220];
    json_array_foreach(a, i, x)
    {
        idx(q, sizeof(q), sub(p, sizeof(p), path, key), i);
        if (!json_is_string(x))
            verr(v, q, "应为文本");
        else if (!ok(pool, json_string_value(x)))
            verr(v, q, "%s \"%s\" 未定义", what, json_string_value(x));
    }
}

static void validate_fields(vctx *v, json_t *doc, const char *path)
{
    static const char *const keys[] = {"name",      "label", "type", "required", "filter", "sort",     "publish",
                                       "sensitive", "personal", "max", "min",      "options", "help", NULL};
    json_t *fields = array(v, doc, "fields", path, 1);
    size_t i;
    json_t *f;
    char p[200], q[220];
    json_array_foreach(fields, i, f)
    {
        idx(p, sizeof(p), "$.fields", i);
        if (!json_is_object(f)) {
            verr(v, p, "应为对象");
            continue;
        }
        only_keys(v, f, p, keys);
        const char *name = str(v, f, "name", p, 1), *type = str(v, f, "type", p, 1);
        str(v, f, "label", p, 1);
        str(v, f, "help", p, 0);
        boolean(v, f, "required", p);
        boolean(v, f, "filter", p);
        boolean(v, f, "sort", p);
        boolean(v, f, "publish", p);
        boolean(v, f, "sensitive", p);
        boolean(v, f, "personal", p);
        /* Sealed at rest (fields_sealed): nothing can compare or order it. */
        if (json_is_true(json_object_get(f, "sensitive")) &&
            (json_is_true(json_object_get(f, "filter")) || json_is_true(json_object_get(f, "sort"))))
            verr(v, p, "sensitive 字段加密存储，不能设为 filter 或 sort");
        if (name && (!valid_name(name) || in_list(name, BUILTIN_COLUMNS) || strcmp(name, "id") == 0))
            verr(v, sub(q, sizeof(q), p, "name"), "字段名应为小写字母开头的 [a-z0-9_]，且不能是 id、state、unit_id 等保留名");
        for (size_t k = 0; name && k < i; k++) {
            json_t *other = json_object_get(json_array_get(fields, k), "name");
            if (json_is_string(other) && strcmp(json_string_value(other), name) == 0)
                verr(v, sub(q, sizeof(q), p, "name"), "字段名重复：%s", name);
        }
        if (type && !in_list(type, FIELD_TYPES))
            verr(v, sub(q, sizeof(q), p, "type"), "未知类型 \"%s\"", type);
        json_t *max = json_object_get(f, "max");
        if (max && (!json_is_integer(max) || json_integer_value(max) <= 0))
            verr(v, sub(q, sizeof(q), p, "max"), "应为正整数");
        /* min: the smallest value of an int (hours, scores, years cannot be
         * negative; a negative entry would silently lower a computed sum). */
        json_t *min = json_object_get(f, "min");
        if (min && (!json_is_integer(min) || !type || strcmp(type, "int") != 0))
            verr(v, sub(q, sizeof(q), p, "min"), "只有 int 字段可以有 min，且应为整数");
        else if (min && json_is_integer(max) && json_integer_value(min) > json_integer_value(max))
            verr(v, sub(q, sizeof(q), p, "min"), "不能大于 max");
        json_t *opts = json_object_get(f, "options");
        if (type && strcmp(type, "enum") == 0 && (!json_is_array(opts) || json_array_size(opts) == 0))
            verr(v, sub(q, sizeof(q), p, "options"), "enum 字段须给出非空的 options");
        else if (opts && (!type || strcmp(type, "enum") != 0))
            verr(v, sub(q, sizeof(q), p, "options"), "只有 enum 字段可以有 options");
    }
}

/* "20wd", "15d", "3m": a positive count and a unit. */
static int valid_rule(const char *s)
{
    if (!s || !*s)
        return 0;
    const char *p = s;
    while (*p >= '0' && *p <= '9')
        p++;
    return p != s && s[0] != '0' && (strcmp(p, "wd") == 0 || strcmp(p, "d") == 0 || strcmp(p, "m") == 0);
}

/* name, when given, must be a field of type date. */
static void date_field_ref(vctx *v, json_t *fields, const char *name, const char *path)
{
    size_t i;
    json_t *f;
    const char *type = NULL;
    json_array_foreach(fields, i, f) if (name && json_is_string(json_object_get(f, "name")) &&
                                         !strcmp(json_string_value(json_object_get(f, "name")), name))
        type = json_string_value(json_object_get(f, "type"));
    if (name && (!type || strcmp(type, "date")))
        verr(v, path, "应为 date 类型的字段名：%s", name);
}

static void validate_clocks(vctx *v, json_t *doc)
{
    static const char *const keys[] = {"name", "label", "limit", "warn", "basis", "roll", "extend", "from", NULL};
    static const char *const ext_keys[] = {"max", "times", "role", NULL};
    json_t *clocks = array(v, doc, "clocks", "$", 0);
    size_t i;
    json_t *c;
    char p[200], q[220];
    json_array_foreach(clocks, i, c)
    {
        idx(p, sizeof(p), "$.clocks", i);
        if (!json_is_object(c)) {
            verr(v, p, "应为对象");
            continue;
        }
        only_keys(v, c, p, keys);
        const char *name = str(v, c, "name", p, 1);
        if (name && !valid_name(name))
            verr(v, sub(q, sizeof(q), p, "name"), "期限名应为小写字母开头的 [a-z0-9_]");
        str(v, c, "label", p, 1);
        str(v, c, "basis", p, 0);
        boolean(v, c, "roll", p);
        date_field_ref(v, json_object_get(doc, "fields"), str(v, c, "from", p, 0), sub(q, sizeof(q), p, "from"));
        const char *limit = str(v, c, "limit", p, 1), *warn = str(v, c, "warn", p, 0);
        if (limit && !valid_rule(limit))
            verr(v, sub(q, sizeof(q), p, "limit"), "期限应写作 正整数+单位（wd 工作日、d 日、m 月），如 20wd");
        if (warn && !valid_rule(warn))
            verr(v, sub(q, sizeof(q), p, "warn"), "预警应写作 正整数+单位，如 5wd");
        json_t *ext = json_object_get(c, "extend");
        if (ext) {
            sub(q, sizeof(q), p, "extend");
            if (!json_is_object(ext)) {
                verr(v, q, "应为对象");
                continue;
            }
            only_keys(v, ext, q, ext_keys);
            const char *max = str(v, ext, "max", q, 1), *role = str(v, ext, "role", q, 0);
            char r[240];
            if (max && !valid_rule(max))
                verr(v, sub(r, sizeof(r), q, "max"), "延长上限应写作 正整数+单位，如 20wd");
            json_t *times = json_object_get(ext, "times");
            if (times && (!json_is_integer(times) || json_integer_value(times) < 1 || json_integer_value(times) > 10))
                verr(v, sub(r, sizeof(r), q, "times"), "应为 1 到 10 之间的整数");
            if (role && !in_list(role, ROLE_KEYS))
                verr(v, sub(r, sizeof(r), q, "role"), "未知角色 \"%s\"", role);
        }
    }
}

static int state_known(json_t *states, const char *name)
{
    return has_name(states, name);
}

static int clock_known(json_t *clocks, const char *name)
{
    return clocks && has_name(clocks, name);
}

static int role_known(json_t *unused, const char *name)
{
    return in_list(name, ROLE_KEYS);
}

static int check_known(json_t *unused, const char *name)
{
    return check_find(name) != NULL;
}

/* "times": how often the action may be taken on one case; "within": a
 * statutory limit counted from a date field ({"from", "limit", "basis"}). */
static void validate_action_limits(vctx *v, json_t *a, const char *path, json_t *fields)
{
    static const char *const keys[] = {"from", "limit", "basis", NULL};
    char p[220], q[240];
    json_t *times = json_object_get(a, "times");
    if (times && (!json_is_integer(times) || json_integer_value(times) < 1 || json_integer_value(times) > 100))
        verr(v, sub(p, sizeof(p), path, "times"), "应为 1 到 100 之间的整数");
    json_t *w = json_object_get(a, "within");
    if (!w)
        return;
    sub(p, sizeof(p), path, "within");
    if (!json_is_object(w)) {
        verr(v, p, "应为对象");
        return;
    }
    only_keys(v, w, p, keys);
    const char *from = str(v, w, "from", p, 1), *limit = str(v, w, "limit", p, 1);
    str(v, w, "basis", p, 0);
    date_field_ref(v, fields, from, sub(q, sizeof(q), p, "from"));
    if (limit && !valid_rule(limit))
        verr(v, sub(q, sizeof(q), p, "limit"), "期限应写作 正整数+单位（wd 工作日、d 日、m 月），如 7wd");
}

static void validate_action_clock(vctx *v, json_t *a, const char *path, json_t *clocks)
{
    static const char *const keys[] = {"start", "stop", "pause", "resume", "restart", "extend", NULL};
    json_t *c = json_object_get(a, "clock");
    char p[200], q[220], r[240];
    if (!c)
        return;
    sub(p, sizeof(p), path, "clock");
    if (!json_is_object(c)) {
        verr(v, p, "应为对象");
        return;
    }
    only_keys(v, c, p, keys);
    name_refs(v, c, "start", p, clocks, "期限", clock_known);
    name_refs(v, c, "stop", p, clocks, "期限", clock_known);
    name_refs(v, c, "resume", p, clocks, "期限", clock_known);
    name_refs(v, c, "restart", p, clocks, "期限", clock_known);
    json_t *pause = json_object_get(c, "pause");
    if (pause) {
        sub(q, sizeof(q), p, "pause");
        static const char *const pkeys[] = {"clock", "reason", NULL};
        if (!json_is_object(pause)) {
            verr(v, q, "应为对象 {\"clock\", \"reason\"}");
        } else {
            only_keys(v, pause, q, pkeys);
            const char *clock = str(v, pause, "clock", q, 1), *reason = str(v, pause, "reason", q, 1);
            if (clock && !clock_known(clocks, clock))
                verr(v, sub(r, sizeof(r), q, "clock"), "期限 \"%s\" 未在 clocks 中定义", clock);
            if (reason && !clock_reason_find(reason))
                verr(v, sub(r, sizeof(r), q, "reason"), "未知的暂停原因 \"%s\"", reason);
        }
    }
    json_t *ext = json_object_get(c, "extend");
    if (ext) {
        sub(q, sizeof(q), p, "extend");
        static const char *const ekeys[] = {"clock", "by", NULL};
        if (!json_is_object(ext)) {
            verr(v, q, "应为对象 {\"clock\", \"by\"}");
        } else {
            only_keys(v, ext, q, ekeys);
            const char *clock = str(v, ext, "clock", q, 1), *by = str(v, ext, "by", q, 1);
            if (clock && !clock_known(clocks, clock))
                verr(v, sub(r, sizeof(r), q, "clock"), "期限 \"%s\" 未在 clocks 中定义", clock);
            if (by && !valid_rule(by))
                verr(v, sub(r, sizeof(r), q, "by"), "应写作 正整数+单位，如 20wd");
        }
    }
}

static int fields_known(json_t *fields, const char *name)
{
    return field_known(fields, name);
}

/* "records": the documents (attachment categories) that should accompany the
 * step without blocking it (全过程记录, 行政处罚法第四十七条); the case shows
 * those missing. Each a category name as an upload would carry it. */
static void validate_action_records(vctx *v, json_t *a, const char *path)
{
    json_t *rec = array(v, a, "records", path, 0);
    size_t k;
    json_t *x;
    char p[220], q[240];
    sub(p, sizeof(p), path, "records");
    json_array_foreach(rec, k, x)
    {
        idx(q, sizeof(q), p, k);
        if (!json_is_string(x) || attach_check_category(json_string_value(x), json_string_length(x)) != FZ_OK) {
            verr(v, q, "应为附件类别名称（1 到 %d 个字，不含控制字符）", ATTACH_CATEGORY_MAX);
            continue;
        }
        for (size_t j = 0; j < k; j++)
            if (json_equal(json_array_get(rec, j), x))
                verr(v, q, "类别重复：%s", json_string_value(x));
        if (has_name_str(json_object_get(a, "attachments"), json_string_value(x)))
            verr(v, q, "「%s」已在 attachments 中（必须上传），不必再列入 records", json_string_value(x));
    }
}

/* "set": values the step itself records, {field: value} — an outcome that
 * is the step (纠正 / 问责 / 不成立 each its own step with its own form).
 * Only fields with a fixed value make sense: enum, bool, string, text, int,
 * money; each value is checked as a form value would be, and a field the
 * form also fills is refused (which would win?). */
static void validate_action_set(vctx *v, json_t *a, const char *path, json_t *fields)
{
    static const char *const types[] = {"enum", "bool", "string", "text", "int", "money", NULL};
    json_t *set = json_object_get(a, "set");
    char p[220], q[240];
    if (!set)
        return;
    sub(p, sizeof(p), path, "set");
    if (!json_is_object(set) || json_object_size(set) == 0) {
        verr(v, p, "应为非空对象 {字段名: 值}");
        return;
    }
    const char *key;
    json_t *val;
    json_object_foreach(set, key, val)
    {
        sub(q, sizeof(q), p, key);
        json_t *f = NULL;
        size_t i;
        json_t *x;
        json_array_foreach(fields, i, x) if (json_is_string(json_object_get(x, "name")) &&
                                             !strcmp(json_string_value(json_object_get(x, "name")), key)) f = x;
        const char *type = json_string_value(json_object_get(f, "type"));
        if (!f) {
            verr(v, q, "字段 \"%s\" 未定义", key);
            continue;
        }
        if (!in_list(type, types)) {
            verr(v, q, "只能为 enum、bool、string、text、int、money 类型的字段设定固定值");
            continue;
        }
        if (has_name_str(json_object_get(a, "form"), key))
            verr(v, q, "字段 %s 已在本动作的 form 中，不能同时设定固定值", key);
        field_err e;
        if (fields_empty(val) || fields_check_one(f, key, val, &e) != FZ_OK)
            verr(v, q, "值不符合字段定义%s%s", fields_empty(val) ? "：不能为空" : "：", fields_empty(val) ? "" : e.message);
    }
}

static void validate_actions(vctx *v, json_t *doc, json_t *states)
{
    static const char *const keys[] = {"name",  "label",  "from",   "to",   "roles", "requires", "attachments",
                                       "records", "checks", "form", "clock", "kind",  "times",    "within",
                                       "set",     NULL};
    json_t *actions = array(v, doc, "actions", "$", 1);
    json_t *fields = json_object_get(doc, "fields"), *clocks = json_object_get(doc, "clocks");
    size_t i;
    json_t *a;
    char p[200], q[220];
    json_array_foreach(actions, i, a)
    {
        idx(p, sizeof(p), "$.actions", i);
        if (!json_is_object(a)) {
            verr(v, p, "应为对象");
            continue;
        }
        only_keys(v, a, p, keys);
        const char *name = str(v, a, "name", p, 1), *to = str(v, a, "to", p, 0), *kind = str(v, a, "kind", p, 0);
        str(v, a, "label", p, 1);
        if (name && !valid_name(name))
            verr(v, sub(q, sizeof(q), p, "name"), "动作名应为小写字母开头的 [a-z0-9_]");
        /* Event actions case.<name> the engine writes itself: a step of the
         * same name would be taken for them, and they for it. */
        else if (name && in_list(name, RESERVED_ACTIONS))
            verr(v, sub(q, sizeof(q), p, "name"), "动作名 %s 为系统保留（created、imported、history、assigned）", name);
        for (size_t k = 0; name && k < i; k++) {
            json_t *other = json_object_get(json_array_get(actions, k), "name");
            if (json_is_string(other) && strcmp(json_string_value(other), name) == 0)
                verr(v, sub(q, sizeof(q), p, "name"), "动作名重复：%s", name);
        }
        if (kind && !in_list(kind, ACTION_KINDS))
            verr(v, sub(q, sizeof(q), p, "kind"), "未知动作类型 \"%s\"", kind);
        if (to && !state_known(states, to))
            verr(v, sub(q, sizeof(q), p, "to"), "状态 \"%s\" 未在 states 中定义", to);
        name_refs(v, a, "from", p, states, "状态", state_known);
        name_refs(v, a, "roles", p, NULL, "角色", role_known);
        name_refs(v, a, "requires", p, fields, "字段", fields_known);
        name_refs(v, a, "form", p, fields, "字段", fields_known);
        name_refs(v, a, "checks", p, NULL, "检查", check_known);
        validate_action_limits(v, a, p, fields);
        json_t *att = array(v, a, "attachments", p, 0);
        size_t k;
        json_t *x;
        char r[240];
        json_array_foreach(att, k, x) if (!json_is_string(x))
            verr(v, idx(q, sizeof(q), sub(r, sizeof(r), p, "attachments"), k), "应为附件类别名称");
        validate_action_records(v, a, p);
        validate_action_set(v, a, p, fields);
        validate_action_clock(v, a, p, clocks);
    }
}

/* Every state must be reachable from initial through the actions. */
static void check_reachable(vctx *v, json_t *doc, json_t *states, const char *initial)
{
    size_t n = json_array_size(states);
    if (n == 0 || n > 256 || !initial)
        return;
    int seen[256] = {0};
    size_t i;
    json_t *s;
    json_array_foreach(states, i, s)
    {
        const char *name = json_string_value(json_object_get(s, "name"));
        if (name && strcmp(name, initial) == 0)
            seen[i] = 1;
    }
    json_t *actions = json_object_get(doc, "actions");
    for (int changed = 1; changed;) {
        changed = 0;
        size_t k;
        json_t *a;
        json_array_foreach(actions, k, a)
        {
            const char *to = json_string_value(json_object_get(a, "to"));
            if (!to)
                continue;
            json_t *from = json_object_get(a, "from");
            int can = 0;
            json_array_foreach(states, i, s)
            {
                if (!seen[i] || json_is_true(json_object_get(s, "final")))
                    continue;
                const char *name = json_string_value(json_object_get(s, "name"));
                if (!from || (name && has_name_str(from, name)))
                    can = 1;
            }
            json_array_foreach(states, i, s)
            {
                const char *name = json_string_value(json_object_get(s, "name"));
                if (can && name && strcmp(name, to) == 0 && !seen[i]) {
                    seen[i] = 1;
                    changed = 1;
                }
            }
        }
    }
    char p[200];
    json_array_foreach(states, i, s)
    {
        const char *name = json_string_value(json_object_get(s, "name"));
        if (name && !seen[i])
            verr(v, idx(p, sizeof(p), "$.states", i), "状态 \"%s\" 从初始状态不可达", name);
    }
}

static void validate_states(vctx *v, json_t *doc, json_t **states_out, const char **initial_out)
{
    static const char *const keys[] = {"name", "label", "final", NULL};
    json_t *states = array(v, doc, "states", "$", 1);
    size_t i;
    json_t *st;
    char p[200], q[220];
    json_array_foreach(states, i, st)
    {
        idx(p, sizeof(p), "$.states", i);
        if (!json_is_object(st)) {
            verr(v, p, "应为对象 {\"name\", \"label\"}");
            continue;
        }
        only_keys(v, st, p, keys);
        const char *name = str(v, st, "name", p, 1);
        str(v, st, "label", p, 1);
        boolean(v, st, "final", p);
        if (name && !valid_name(name))
            verr(v, sub(q, sizeof(q), p, "name"), "状态名应为小写字母开头的 [a-z0-9_]");
        for (size_t k = 0; name && k < i; k++) {
            json_t *other = json_object_get(json_array_get(states, k), "name");
            if (json_is_string(other) && strcmp(json_string_value(other), name) == 0)
                verr(v, sub(q, sizeof(q), p, "name"), "状态名重复：%s", name);
        }
    }
    if (states && json_array_size(states) < 2)
        verr(v, "$.states", "至少要有两个状态");
    const char *initial = str(v, doc, "initial", "$", 1);
    if (initial && states && !state_known(states, initial))
        verr(v, "$.initial", "初始状态 \"%s\" 未在 states 中定义", initial);
    *states_out = states;
    *initial_out = initial;
}

/* "publication": what a publish step makes public (engine/publish.c):
 * {"title", "retention_months": {"person", "organisation"}, "columns": [...]}.
 * Required when an action is of kind publish. */
static void validate_publication(vctx *v, json_t *doc)
{
    static const char *const keys[] = {"title", "retention_months", "columns", NULL};
    static const char *const rkeys[] = {"person", "organisation", NULL};
    static const char *const ckeys[] = {"label", "field", "money", NULL};
    static const char *const specials[] = {"$no", "$party_name", "$party_kind", "$party_id", "$unit_name",
                                           "$published_on", "$offline_on", NULL};
    json_t *pub = json_object_get(doc, "publication");
    int needed = 0;
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(doc, "actions"), i, a)
    {
        const char *k = json_string_value(json_object_get(a, "kind"));
        needed |= k && (!strcmp(k, "publish") || !strcmp(k, "unpublish"));
    }
    if (!pub) {
        if (needed)
            verr(v, "$.publication", "有公示类动作（publish/unpublish）时必填");
        return;
    }
    if (!json_is_object(pub)) {
        verr(v, "$.publication", "应为对象");
        return;
    }
    only_keys(v, pub, "$.publication", keys);
    str(v, pub, "title", "$.publication", 1);
    json_t *r = json_object_get(pub, "retention_months");
    if (!json_is_object(r)) {
        verr(v, "$.publication.retention_months", "必填，应为对象 {\"person\": 月数, \"organisation\": 月数}");
    } else {
        only_keys(v, r, "$.publication.retention_months", rkeys);
        for (int k = 0; rkeys[k]; k++) {
            json_t *m = json_object_get(r, rkeys[k]);
            if (!json_is_integer(m) || json_integer_value(m) < 1 || json_integer_value(m) > 600)
                verr(v, "$.publication.retention_months", "%s 应为 1 到 600 之间的月数", rkeys[k]);
        }
    }
    json_t *cols = array(v, pub, "columns", "$.publication", 0);
    char p[200], q[220];
    json_t *c;
    json_array_foreach(cols, i, c)
    {
        idx(p, sizeof(p), "$.publication.columns", i);
        if (!json_is_object(c)) {
            verr(v, p, "应为对象");
            continue;
        }
        only_keys(v, c, p, ckeys);
        str(v, c, "label", p, 1);
        const char *f = str(v, c, "field", p, 1), *money = str(v, c, "money", p, 0);
        if (f && f[0] == '$' ? !in_list(f, specials) : f && !fields_known(json_object_get(doc, "fields"), f))
            verr(v, sub(q, sizeof(q), p, "field"), "字段 \"%s\" 未定义（或不是 $no、$party_name 等内置列）", f);
        if (money && strcmp(money, "yuan") && strcmp(money, "wan"))
            verr(v, sub(q, sizeof(q), p, "money"), "应为 yuan（元）或 wan（万元）");
    }
}

static void validate_procedure(vctx *v, json_t *doc)
{
    static const char *const keys[] = {"type",   "kind",   "title",   "basis",  "version",     "no_prefix",
                                       "fields", "states", "initial", "clocks", "actions", "publication", NULL};
    only_keys(v, doc, "$", keys);
    const char *kind = str(v, doc, "kind", "$", 1);
    if (kind && !valid_name(kind))
        verr(v, "$.kind", "程序类型名应为小写字母开头的 [a-z0-9_]，最多 40 个字符");
    str(v, doc, "title", "$", 1);
    str(v, doc, "basis", "$", 1);
    str(v, doc, "version", "$", 0);
    str(v, doc, "no_prefix", "$", 0);
    validate_fields(v, doc, "$");
    json_t *states;
    const char *initial;
    validate_states(v, doc, &states, &initial);
    validate_clocks(v, doc);
    validate_actions(v, doc, states);
    validate_publication(v, doc);
    check_reachable(v, doc, states, initial);
}

static void validate_catalog(vctx *v, json_t *doc)
{
    static const char *const keys[] = {"type",       "name",   "title", "basis", "fields", "key",
                                       "edit_roles", "search", "public", NULL};
    only_keys(v, doc, "$", keys);
    boolean(v, doc, "public", "$");
    const char *name = str(v, doc, "name", "$", 1);
    if (name && !valid_name(name))
        verr(v, "$.name", "名录名应为小写字母开头的 [a-z0-9_]，最多 40 个字符");
    str(v, doc, "title", "$", 1);
    str(v, doc, "basis", "$", 0);
    validate_fields(v, doc, "$");
    json_t *fields = json_object_get(doc, "fields");
    name_refs(v, doc, "key", "$", fields, "字段", fields_known);
    name_refs(v, doc, "search", "$", fields, "字段", fields_known);
    static const char *const refs[] = {"key", "search", NULL};
    for (int k = 0; refs[k]; k++) {
        size_t i;
        json_t *n;
        json_array_foreach(json_object_get(doc, refs[k]), i, n)
        {
            const json_t *f = NULL;
            size_t j;
            json_t *x;
            json_array_foreach(fields, j, x) if (json_is_string(n) && json_equal(json_object_get(x, "name"), n)) f = x;
            if (f && json_is_true(json_object_get(f, "sensitive")))
                verr(v, "$", "%s 中的字段 %s 是 sensitive（加密存储），不能作业务键或全文检索字段", refs[k],
                     json_string_value(n));
        }
    }
    name_refs(v, doc, "edit_roles", "$", NULL, "角色", role_known);
}

/* The conditions of a measure or of one of its "any" alternatives at path
 * p: where, state, clock, clock_state, event. */
static void validate_conditions(vctx *v, json_t *m, const char *p)
{
    static const char *const wkeys[] = {"field", "in", "eq", "not_in", NULL};
    static const char *const ekeys[] = {"action", "within", "after", NULL};
    char q[220], r[240];
    json_t *where = array(v, m, "where", p, 0);
    size_t i;
    json_t *w;
    json_array_foreach(where, i, w)
    {
        idx(q, sizeof(q), sub(r, sizeof(r), p, "where"), i);
        if (!json_is_object(w)) {
            verr(v, q, "应为对象");
            continue;
        }
        only_keys(v, w, q, wkeys);
        str(v, w, "field", q, 1);
        int ops = !!json_object_get(w, "in") + !!json_object_get(w, "eq") + !!json_object_get(w, "not_in");
        if (ops != 1)
            verr(v, q, "须给出 in、eq、not_in 之一");
        json_t *in = json_object_get(w, "in"), *nin = json_object_get(w, "not_in");
        if ((in && !json_is_array(in)) || (nin && !json_is_array(nin)))
            verr(v, q, "in、not_in 应为数组");
    }
    array(v, m, "state", p, 0);
    const char *clk = str(v, m, "clock", p, 0);
    json_t *cs = array(v, m, "clock_state", p, 0);
    static const char *const cstates[] = {"running", "warned", "overdue", "paused", "stopped_in_time", "stopped_late",
                                          NULL};
    json_array_foreach(cs, i, w)
    {
        idx(q, sizeof(q), sub(r, sizeof(r), p, "clock_state"), i);
        if (!json_is_string(w) || !in_list(json_string_value(w), cstates))
            verr(v, q, "应为 running、warned、overdue、paused、stopped_in_time 或 stopped_late");
    }
    if (cs && !clk)
        verr(v, p, "clock_state 须与 clock 同用");
    const char *rule = str(v, m, "rule", p, 0);
    if (rule && strcmp(rule, "hearing_right") != 0 && strcmp(rule, "full_record") != 0)
        verr(v, sub(q, sizeof(q), p, "rule"),
             "未知规则 \"%s\"（可用：hearing_right，第六十三条应告知听证的情形；full_record，"
             "各步骤应附的全过程记录齐全，第四十七条）",
             rule);
    json_t *ev = json_object_get(m, "event");
    if (ev) {
        sub(q, sizeof(q), p, "event");
        if (!json_is_object(ev)) {
            verr(v, q, "应为对象");
        } else {
            only_keys(v, ev, q, ekeys);
            str(v, ev, "action", q, 1);
            str(v, ev, "after", q, 0);
            const char *within = str(v, ev, "within", q, 0);
            if (within && !valid_rule(within))
                verr(v, sub(r, sizeof(r), q, "within"), "应写作 正整数+单位，如 7wd");
            /* The deadline is the clock's business: "on time" is a clock
             * state, so the rule and the calendar live in one place. */
            if (within || json_object_get(ev, "after"))
                verr(v, q, "within/after 尚不计算：期限请用 clock 与 clock_state 表达");
        }
    }
}

/* One side of a ratio: {"procedure"|"catalog", "where", "event", …,
 * "any": [alternatives]}: every condition holds and, when "any" is given,
 * at least one of its alternatives (each an object of the same conditions).
 * Names are resolved against the other definitions in the second pass. */
static void validate_measure(vctx *v, json_t *doc, const char *key)
{
    static const char *const keys[] = {"procedure", "catalog",     "where", "event", "state", "date",
                                       "clock",     "clock_state", "any",   "rule",  NULL};
    static const char *const akeys[] = {"where", "event", "state", "clock", "clock_state", "rule", NULL};
    char p[200], q[220];
    json_t *m = json_object_get(doc, key);
    snprintf(p, sizeof(p), "$.%s", key);
    if (!m) {
        verr(v, p, "必填");
        return;
    }
    if (!json_is_object(m)) {
        verr(v, p, "应为对象");
        return;
    }
    only_keys(v, m, p, keys);
    const char *proc = str(v, m, "procedure", p, 0), *cat = str(v, m, "catalog", p, 0);
    if (!proc == !cat)
        verr(v, p, "须指定 procedure 或 catalog 之一");
    validate_conditions(v, m, p);
    str(v, m, "date", p, 0);
    json_t *any = array(v, m, "any", p, 0);
    if (any && json_array_size(any) < 2)
        verr(v, sub(q, sizeof(q), p, "any"), "至少给出两个备选条件（“或”）");
    size_t i;
    json_t *alt;
    json_array_foreach(any, i, alt)
    {
        char r[240];
        snprintf(r, sizeof(r), "%s.any[%zu]", p, i);
        if (!json_is_object(alt) || !json_object_size(alt)) {
            verr(v, r, "应为非空对象");
            continue;
        }
        only_keys(v, alt, r, akeys);
        validate_conditions(v, alt, r);
    }
    if (cat && (json_object_get(m, "clock") || json_object_get(m, "event") || json_object_get(m, "state") ||
                json_object_get(m, "date") || json_object_get(m, "rule") || any))
        verr(v, p, "名录上的筛选只能用 where（指标计算目前只支持程序）");
}

static void validate_indicator(vctx *v, json_t *doc)
{
    static const char *const keys[] = {"type",   "name",  "title",  "basis",     "numerator", "denominator", "source",
                                       "measure", "period", "group", "target", "direction", "weight", "unit", NULL};
    static const char *const periods[] = {"year", "quarter", "month", "custom", NULL};
    static const char *const groups[] = {"unit", "unit_type", "township", "region", "county", NULL};
    only_keys(v, doc, "$", keys);
    const char *name = str(v, doc, "name", "$", 1);
    if (name && !valid_name(name))
        verr(v, "$.name", "指标名应为小写字母开头的 [a-z0-9_]，最多 40 个字符");
    str(v, doc, "title", "$", 1);
    str(v, doc, "basis", "$", 0);
    str(v, doc, "unit", "$", 0);
    if (json_object_get(doc, "source") || json_object_get(doc, "measure")) {
        /* Computed by a module from its registry (engine/ind_module.h). */
        const char *src = str(v, doc, "source", "$", 1), *ms = str(v, doc, "measure", "$", 1);
        if (json_object_get(doc, "numerator") || json_object_get(doc, "denominator"))
            verr(v, "$.source", "给出 source 的指标由模块计算，不能再写 numerator、denominator");
        else if (src && ms && !ind_module_known(src, ms))
            verr(v, "$.measure", "未知的模块度量 %s.%s（可用：officers.certified、officers.training、file_review.pass）", src, ms);
    } else {
        validate_measure(v, doc, "numerator");
        if (json_object_get(doc, "denominator"))
            validate_measure(v, doc, "denominator");
    }
    const char *period = str(v, doc, "period", "$", 1), *group = str(v, doc, "group", "$", 1),
               *dir = str(v, doc, "direction", "$", 1);
    if (period && !in_list(period, periods))
        verr(v, "$.period", "应为 year、quarter、month 或 custom");
    if (group && !in_list(group, groups))
        verr(v, "$.group", "应为 unit、unit_type、township、region 或 county");
    if (dir && strcmp(dir, ">=") != 0 && strcmp(dir, "<=") != 0)
        verr(v, "$.direction", "应为 >= 或 <=");
    json_t *target = json_object_get(doc, "target"), *weight = json_object_get(doc, "weight");
    if (!json_is_number(target))
        verr(v, "$.target", target ? "应为数值" : "必填");
    if (weight && (!json_is_number(weight) || json_number_value(weight) < 0))
        verr(v, "$.weight", "应为不小于 0 的数值");
}

/* Second pass: the references of one set of conditions (at path p) to the
 * fields, states, clocks and actions of target (proc: it is a procedure). */
static void check_condition_refs(vctx *v, const def *target, int proc, json_t *m, const char *p)
{
    char q[260];
    json_t *fields = json_object_get(target->json, "fields");
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(m, "where"), i, w)
    {
        const char *f = json_string_value(json_object_get(w, "field"));
        snprintf(q, sizeof(q), "%s.where[%zu].field", p, i);
        if (f && !field_known(fields, f))
            verr(v, q, "字段 \"%s\" 未在 %s 中定义", f, target->name);
        json_t *fd;
        size_t j;
        json_array_foreach(fields, j, fd)
        {
            const char *fn = json_string_value(json_object_get(fd, "name"));
            const char *ft = json_string_value(json_object_get(fd, "type"));
            if (f && fn && !strcmp(fn, f) &&
                (json_is_true(json_object_get(fd, "sensitive")) || (ft && !strcmp(ft, "party"))))
                verr(v, q, "字段 \"%s\" 加密存储或为当事人，不能作指标筛选", f);
        }
    }
    const char *clk = json_string_value(json_object_get(m, "clock"));
    if (clk && proc && !has_name(json_object_get(target->json, "clocks"), clk)) {
        snprintf(q, sizeof(q), "%s.clock", p);
        verr(v, q, "期限 \"%s\" 未在程序 %s 中定义", clk, target->name);
    }
    json_array_foreach(json_object_get(m, "state"), i, w)
    {
        snprintf(q, sizeof(q), "%s.state[%zu]", p, i);
        if (!json_is_string(w) || !has_name(json_object_get(target->json, "states"), json_string_value(w)))
            verr(v, q, "状态未在 %s 中定义", target->name);
    }
    /* Rule hearing_right reads the proposal and the party (engine/checks.h). */
    const check_field *hearing = checks_hearing_fields;
    const char *rule = json_string_value(json_object_get(m, "rule"));
    if (rule && !strcmp(rule, "full_record")) {
        /* Rule full_record reads the actions' "records". */
        size_t nrec = 0;
        json_t *ad;
        json_array_foreach(json_object_get(target->json, "actions"), i, ad) nrec +=
            json_array_size(json_object_get(ad, "records"));
        if (!proc || !nrec) {
            snprintf(q, sizeof(q), "%s.rule", p);
            verr(v, q, "规则 full_record 需要程序 %s 的步骤列出应附记录（records）", target->name);
        }
        rule = NULL;
    }
    for (size_t k = 0; rule && hearing[k].name; k++) {
        json_t *fd, *hit = NULL;
        json_array_foreach(fields, i, fd) if (!strcmp(json_string_value(json_object_get(fd, "name")), hearing[k].name)) hit = fd;
        const char *ht = hit ? json_string_value(json_object_get(hit, "type")) : NULL;
        if (!proc || !ht || strcmp(ht, hearing[k].type) != 0) {
            snprintf(q, sizeof(q), "%s.rule", p);
            verr(v, q, "规则 %s 需要程序中有 %s 类型的字段 %s", rule, hearing[k].type, hearing[k].name);
            break;
        }
    }
    json_t *ev = json_object_get(m, "event");
    const char *acts[2] = {json_string_value(json_object_get(ev, "action")),
                           json_string_value(json_object_get(ev, "after"))};
    for (int k = 0; k < 2 && proc; k++) {
        snprintf(q, sizeof(q), "%s.event.%s", p, k ? "after" : "action");
        if (acts[k] && !has_name(json_object_get(target->json, "actions"), acts[k]))
            verr(v, q, "动作 \"%s\" 未在程序 %s 中定义", acts[k], target->name);
    }
}

/* Second pass: indicator references to procedures/catalogs and their fields. */
static void check_measure_refs(vctx *v, const defs *d, json_t *doc, const char *key)
{
    json_t *m = json_object_get(doc, key);
    if (!json_is_object(m))
        return;
    const char *proc = json_string_value(json_object_get(m, "procedure"));
    const char *cat = json_string_value(json_object_get(m, "catalog"));
    const def *target = proc ? defs_find(d, DEF_PROCEDURE, proc) : cat ? defs_find(d, DEF_CATALOG, cat) : NULL;
    char p[200];
    if (!target) {
        snprintf(p, sizeof(p), "$.%s.%s", key, proc ? "procedure" : "catalog");
        if (proc || cat)
            verr(v, p, "未知%s \"%s\"", proc ? "程序" : "名录", proc ? proc : cat);
        return;
    }
    snprintf(p, sizeof(p), "$.%s", key);
    check_condition_refs(v, target, proc != NULL, m, p);
    size_t i;
    json_t *alt;
    json_array_foreach(json_object_get(m, "any"), i, alt)
    {
        char q[220];
        snprintf(q, sizeof(q), "$.%s.any[%zu]", key, i);
        check_condition_refs(v, target, proc != NULL, alt, q);
    }
    json_t *fields = json_object_get(target->json, "fields");
    const char *date = json_string_value(json_object_get(m, "date"));
    if (date && strcmp(date, "created") != 0) {
        json_t *fd = NULL, *f2;
        json_array_foreach(fields, i, f2) if (!strcmp(json_string_value(json_object_get(f2, "name")), date)) fd = f2;
        snprintf(p, sizeof(p), "$.%s.date", key);
        if (!fd || strcmp(json_string_value(json_object_get(fd, "type")), "date") != 0)
            verr(v, p, "应为 created 或 %s 中 date 类型的字段名：%s", target->name, date);
    }
}

/* ---- loading ---- */

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_def(defs *d, def_type t, const char *name, const char *file, json_t *doc, const char *digest)
{
    def *x = &d->items[d->n++];
    x->type = t;
    x->json = doc;
    x->name = json_string_value(json_object_get(doc, t == DEF_PROCEDURE ? "kind" : "name"));
    x->file = strdup(file);
    snprintf(x->digest, sizeof(x->digest), "%s", digest);
    (void)name;
}

static int validate_file(vctx *v, const char *path, defs *d)
{
    json_error_t je;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!doc) {
        char where[64];
        snprintf(where, sizeof(where), "第 %d 行第 %d 列", je.line, je.column);
        verr(v, where, "JSON 格式错误：%s", je.text);
        return FZ_INVALID;
    }
    if (!json_is_object(doc)) {
        verr(v, "$", "顶层须为 JSON 对象");
        json_decref(doc);
        return FZ_INVALID;
    }
    int before = v->rep->total;
    const char *type = str(v, doc, "type", "$", 1);
    def_type t = DEF_PROCEDURE;
    if (type && strcmp(type, "procedure") == 0)
        validate_procedure(v, doc);
    else if (type && strcmp(type, "catalog") == 0)
        t = DEF_CATALOG, validate_catalog(v, doc);
    else if (type && strcmp(type, "indicator") == 0)
        t = DEF_INDICATOR, validate_indicator(v, doc);
    else if (type)
        verr(v, "$.type", "应为 procedure、catalog 或 indicator");
    const char *name = json_string_value(json_object_get(doc, t == DEF_PROCEDURE ? "kind" : "name"));
    if (v->rep->total != before || !type || !name) {
        json_decref(doc);
        return FZ_INVALID;
    }
    if (defs_find(d, t, name)) {
        verr(v, t == DEF_PROCEDURE ? "$.kind" : "$.name", "与其他定义文件重名：%s", name);
        json_decref(doc);
        return FZ_INVALID;
    }
    unsigned char dg[SM3_LEN];
    char hex[SM3_HEX_LEN + 1] = "";
    if (sm3_file(path, dg, NULL) == FZ_OK)
        sm3_hex(dg, hex);
    add_def(d, t, name, path, doc, hex);
    return FZ_OK;
}

int defs_load(const char *dir, defs **out, defs_report *rep)
{
    memset(rep, 0, sizeof(*rep));
    *out = NULL;
    DIR *dh = opendir(dir);
    if (!dh)
        return FZ_NOTFOUND;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(dh))) {
        size_t len = strlen(e->d_name);
        if (len <= 5 || strcmp(e->d_name + len - 5, ".json") != 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **nn = realloc(names, cap * sizeof(char *));
            if (!nn)
                break;
            names = nn;
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(dh);
    if (n)
        qsort(names, n, sizeof(char *), name_cmp);
    defs *d = calloc(1, sizeof(*d));
    d->items = calloc(n ? n : 1, sizeof(def));
    for (size_t i = 0; i < n; i++) {
        char path[1400];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        vctx v = {rep, path};
        validate_file(&v, path, d);
        rep->files++;
        free(names[i]);
    }
    free(names);
    for (int i = 0; i < d->n; i++) {
        if (d->items[i].type != DEF_INDICATOR)
            continue;
        vctx v = {rep, d->items[i].file};
        const char *src = json_string_value(json_object_get(d->items[i].json, "source"));
        char why[300];
        if (src && !strcmp(src, "officers") && officers_defs_check(d, why, sizeof(why)) != FZ_OK)
            verr(&v, "$.source", "%s", why);
        check_measure_refs(&v, d, d->items[i].json, "numerator");
        check_measure_refs(&v, d, d->items[i].json, "denominator");
    }
    if (rep->total) {
        defs_free(d);
        return FZ_INVALID;
    }
    *out = d;
    return FZ_OK;
}

void defs_free(defs *d)
{
    if (!d)
        return;
    for (int i = 0; i < d->n; i++) {
        json_decref(d->items[i].json);
        free((char *)d->items[i].file);
    }
    free(d->items);
    free(d);
}

const def *defs_find(const defs *d, def_type type, const char *name)
{
    for (int i = 0; d && name && i < d->n; i++)
        if (d->items[i].type == type && d->items[i].name && strcmp(d->items[i].name, name) == 0)
            return &d->items[i];
    return NULL;
}
