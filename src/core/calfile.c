/* calfile.c: holiday schedule files (see calfile.h). Both formats are first
 * read into raw entries (a day or a range, with where it came from); one
 * checker then expands them per year and applies every rule, so JSON and CSV
 * are judged alike. */
#include "core/calfile.h"
#include "core/calendar.h"
#include "core/status.h"
#include "core/strbuf.h"
#include "core/timeutil.h"
#include "core/validate.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct rawent {
    int64_t from, to;
    int kind;
    char name[128];
    char where[64];
} rawent;

typedef struct rawyear {
    int year;
    char source[640];
    char where[64];
    rawent *e;
    size_t n, cap;
} rawyear;

typedef struct raw {
    rawyear *y;
    size_t n, cap;
} raw;

static const char *const WEEKDAY_ZH[] = {"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"};

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return FZ_INVALID;
}

static void raw_free(raw *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->y[i].e);
    free(r->y);
}

static rawyear *raw_year(raw *r, int year, int create)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->y[i].year == year)
            return &r->y[i];
    if (!create)
        return NULL;
    if (r->n == r->cap) {
        size_t ncap = r->cap ? r->cap * 2 : 4;
        rawyear *ny = realloc(r->y, ncap * sizeof(*ny));
        if (!ny)
            return NULL;
        r->y = ny;
        r->cap = ncap;
    }
    rawyear *y = &r->y[r->n++];
    memset(y, 0, sizeof(*y));
    y->year = year;
    return y;
}

static int year_add(rawyear *y, const rawent *e)
{
    if (y->n == y->cap) {
        size_t ncap = y->cap ? y->cap * 2 : 32;
        rawent *ne = realloc(y->e, ncap * sizeof(*ne));
        if (!ne)
            return FZ_NOMEM;
        y->e = ne;
        y->cap = ncap;
    }
    y->e[y->n++] = *e;
    return FZ_OK;
}

static int year_of(int64_t day)
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    return y;
}

static void fmt_day(int64_t day, char out[11])
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    date_format(y, m, d, out);
}

/* Name: valid UTF-8, no control characters, 1..CALFILE_NAME_MAX characters
 * (empty allowed when optional). */
static int check_name(const char *s, int required, const char *where, char *err, size_t errlen)
{
    size_t len = strlen(s), chars = 0;
    if (!utf8_valid(s, len))
        return fail(err, errlen, "%s：名称不是有效的 UTF-8 文本", where);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return fail(err, errlen, "%s：名称含控制字符", where);
    utf8_count(s, len, &chars);
    if (required && chars == 0)
        return fail(err, errlen, "%s：名称必填（如“春节”）", where);
    if (chars > CALFILE_NAME_MAX)
        return fail(err, errlen, "%s：名称过长，最多 %d 个字符", where, CALFILE_NAME_MAX);
    return FZ_OK;
}

static int parse_day(const char *s, int64_t *day)
{
    int y, m, d;
    if (date_parse(s, &y, &m, &d) != FZ_OK)
        return FZ_INVALID;
    *day = days_from_civil(y, m, d);
    return FZ_OK;
}

static int bad_date(const char *where, const char *text, char *err, size_t errlen)
{
    return fail(err, errlen, "%s：日期“%.32s”无效，应为 YYYY-MM-DD 格式的真实日期", where, text);
}

static int check_span_year(int year, const char *where, char *err, size_t errlen)
{
    if (year < CAL_FIRST_YEAR || year > CAL_LAST_YEAR)
        return fail(err, errlen, "%s：年份 %d 超出系统支持的范围（%d–%d 年）", where, year, CAL_FIRST_YEAR,
                    CAL_LAST_YEAR);
    return FZ_OK;
}

/* ---- the common checker ---- */

static int cmp_year(const void *a, const void *b)
{
    const calfile_year *x = a, *y = b;
    return (x->year > y->year) - (x->year < y->year);
}

/* Checks one year's entries in file order and expands them into days. Each
 * day of the year remembers the entry that claimed it, so the first day
 * claimed twice is reported with both entries, in O(days) time and without
 * expanding more than one year can hold. */
static int finish_year(const rawyear *ry, int declared, calfile_year *out, char *err, size_t errlen)
{
    int64_t jan1 = days_from_civil(ry->year, 1, 1);
    int ndays = date_leap(ry->year) ? 366 : 365, rests = 0;
    size_t owner[366];
    for (int i = 0; i < ndays; i++)
        owner[i] = SIZE_MAX;
    size_t total = 0;
    for (size_t i = 0; i < ry->n; i++) {
        const rawent *e = &ry->e[i];
        if (e->to < e->from) {
            char a[11], b[11];
            fmt_day(e->from, a);
            fmt_day(e->to, b);
            return fail(err, errlen, "%s：结束日期 %s 早于开始日期 %s（区间不能为负）", e->where, b, a);
        }
        if (e->to - e->from + 1 > CALFILE_MAX_RANGE)
            return fail(err, errlen, "%s：假期区间长达 %lld 天，超过 %d 天，疑为输入错误", e->where,
                        (long long)(e->to - e->from + 1), CALFILE_MAX_RANGE);
        for (int64_t d = e->from; d <= e->to; d++) {
            char ds[11];
            fmt_day(d, ds);
            if (d < jan1 || d >= jan1 + ndays) {
                if (declared)
                    return fail(err, errlen, "%s：日期 %s 不在 %d 年内（跨年的日期请写进它所在年份的安排）", e->where,
                                ds, ry->year);
                return fail(err, errlen, "%s：日期 %s 不在 %d 年内", e->where, ds, ry->year);
            }
            if (e->kind == CAL_MARK_WORK) {
                int wd = weekday_from_days(d);
                if (wd != 0 && wd != 6)
                    return fail(err, errlen, "%s：%s 是%s，本就是工作日，不能标为调休上班（班）", e->where, ds,
                                WEEKDAY_ZH[wd]);
            }
            size_t *o = &owner[d - jan1];
            if (*o != SIZE_MAX) {
                const rawent *a = &ry->e[*o];
                if (a->kind != e->kind)
                    return fail(err, errlen, "%s：%s 同时被标为休和班（另见 %s），安排自相矛盾", e->where, ds,
                                a->where);
                return fail(err, errlen, "%s：%s 与 %s 重叠（同一天出现两次）", e->where, ds, a->where);
            }
            *o = i;
            total++;
        }
        rests += e->kind == CAL_MARK_REST;
    }
    if (!rests)
        return fail(err, errlen, "%s：%d 年的安排里没有任何节假日（休）", ry->where, ry->year);
    out->year = ry->year;
    snprintf(out->source, sizeof(out->source), "%s", ry->source);
    out->days = calloc(total, sizeof(calfile_day));
    if (!out->days)
        return fail(err, errlen, "内存不足");
    size_t k = 0;
    for (int i = 0; i < ndays; i++) {
        if (owner[i] == SIZE_MAX)
            continue;
        const rawent *e = &ry->e[owner[i]];
        calfile_day *d = &out->days[k++];
        d->day = jan1 + i;
        d->kind = e->kind;
        snprintf(d->name, sizeof(d->name), "%s", e->name[0] ? e->name : (e->kind == CAL_MARK_WORK ? "调休上班" : ""));
        snprintf(d->where, sizeof(d->where), "%s", e->where);
    }
    out->ndays = total;
    return FZ_OK;
}

static int finish(raw *r, int declared, calfile *out, char *err, size_t errlen)
{
    if (r->n == 0)
        return fail(err, errlen, "文件中没有任何日期");
    out->years = calloc(r->n, sizeof(calfile_year));
    if (!out->years)
        return fail(err, errlen, "内存不足");
    for (size_t i = 0; i < r->n; i++) {
        int rc = finish_year(&r->y[i], declared, &out->years[out->nyears], err, errlen);
        if (rc)
            return rc;
        out->nyears++;
    }
    qsort(out->years, out->nyears, sizeof(calfile_year), cmp_year);
    return FZ_OK;
}

/* ---- JSON ---- */

static int json_only_keys(json_t *o, const char *const *keys, const char *where, char *err, size_t errlen)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        int ok = 0;
        for (int i = 0; keys[i]; i++)
            ok |= strcmp(keys[i], k) == 0;
        if (!ok)
            return fail(err, errlen, "%s%s%.40s：未知字段", where, *where ? "." : "", k);
    }
    return FZ_OK;
}

static int json_day(json_t *o, const char *key, const char *where, int64_t *day, char *err, size_t errlen)
{
    char w[96];
    snprintf(w, sizeof(w), "%s.%s", where, key);
    json_t *v = json_object_get(o, key);
    if (!v)
        return fail(err, errlen, "%s：必填", w);
    if (!json_is_string(v))
        return fail(err, errlen, "%s：应为 \"YYYY-MM-DD\" 文本", w);
    if (parse_day(json_string_value(v), day))
        return bad_date(w, json_string_value(v), err, errlen);
    return FZ_OK;
}

static int json_entry(json_t *o, int kind, const char *where, rawyear *y, char *err, size_t errlen)
{
    static const char *const hkeys[] = {"name", "date", "from", "to", NULL};
    static const char *const wkeys[] = {"name", "date", NULL};
    if (!json_is_object(o))
        return fail(err, errlen, "%s：应为对象", where);
    if (json_only_keys(o, kind == CAL_MARK_REST ? hkeys : wkeys, where, err, errlen))
        return FZ_INVALID;
    rawent e = {.kind = kind};
    snprintf(e.where, sizeof(e.where), "%s", where);
    json_t *name = json_object_get(o, "name");
    if (name && !json_is_string(name))
        return fail(err, errlen, "%s.name：应为文本", where);
    snprintf(e.name, sizeof(e.name), "%s", name ? json_string_value(name) : "");
    if (name && strlen(json_string_value(name)) >= sizeof(e.name))
        return fail(err, errlen, "%s.name：名称过长，最多 %d 个字符", where, CALFILE_NAME_MAX);
    char w[96];
    snprintf(w, sizeof(w), "%s.name", where);
    if (check_name(e.name, kind == CAL_MARK_REST, w, err, errlen))
        return FZ_INVALID;
    int has_date = json_object_get(o, "date") != NULL;
    int has_range = json_object_get(o, "from") || json_object_get(o, "to");
    if (has_date && has_range)
        return fail(err, errlen, "%s：date 与 from/to 只能二选一", where);
    if (has_date || kind == CAL_MARK_WORK) {
        if (json_day(o, "date", where, &e.from, err, errlen))
            return FZ_INVALID;
        e.to = e.from;
    } else if (json_day(o, "from", where, &e.from, err, errlen) || json_day(o, "to", where, &e.to, err, errlen)) {
        return FZ_INVALID;
    }
    return year_add(y, &e) ? fail(err, errlen, "内存不足") : FZ_OK;
}

static int json_list(json_t *year_obj, const char *key, int kind, const char *prefix, int required, rawyear *y,
                     char *err, size_t errlen)
{
    json_t *a = json_object_get(year_obj, key);
    if (!a) {
        if (required)
            return fail(err, errlen, "%s%s：必填", prefix, key);
        return FZ_OK;
    }
    if (!json_is_array(a))
        return fail(err, errlen, "%s%s：应为数组", prefix, key);
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v)
    {
        char where[64];
        snprintf(where, sizeof(where), "%s%s[%zu]", prefix, key, i);
        if (json_entry(v, kind, where, y, err, errlen))
            return FZ_INVALID;
    }
    return FZ_OK;
}

static int json_year(json_t *o, const char *prefix, raw *r, char *err, size_t errlen)
{
    static const char *const keys[] = {"year", "source", "holidays", "workdays", NULL};
    char where[32];
    snprintf(where, sizeof(where), "%.*s", prefix[0] ? (int)strlen(prefix) - 1 : 0, prefix);
    if (!json_is_object(o))
        return fail(err, errlen, "%s：应为对象（一年的安排）", where[0] ? where : "顶层");
    if (json_only_keys(o, keys, where, err, errlen))
        return FZ_INVALID;
    json_t *yv = json_object_get(o, "year");
    if (!yv)
        return fail(err, errlen, "%syear：必填", prefix);
    if (!json_is_integer(yv))
        return fail(err, errlen, "%syear：应为整数年份", prefix);
    json_int_t year = json_integer_value(yv);
    char yw[64];
    snprintf(yw, sizeof(yw), "%syear", prefix);
    if (year < CAL_FIRST_YEAR || year > CAL_LAST_YEAR)
        return fail(err, errlen, "%s：年份 %lld 超出系统支持的范围（%d–%d 年）", yw, (long long)year,
                    CAL_FIRST_YEAR, CAL_LAST_YEAR);
    if (raw_year(r, (int)year, 0))
        return fail(err, errlen, "%s：%lld 年在文件中出现了两次", yw, (long long)year);
    rawyear *y = raw_year(r, (int)year, 1);
    if (!y)
        return fail(err, errlen, "内存不足");
    snprintf(y->where, sizeof(y->where), "%s", yw);
    json_t *src = json_object_get(o, "source");
    if (src) {
        size_t chars = 0;
        if (!json_is_string(src))
            return fail(err, errlen, "%ssource：应为文本", prefix);
        utf8_count(json_string_value(src), strlen(json_string_value(src)), &chars);
        if (chars > CALFILE_SOURCE_MAX || strlen(json_string_value(src)) >= sizeof(y->source))
            return fail(err, errlen, "%ssource：过长，最多 %d 个字符", prefix, CALFILE_SOURCE_MAX);
        snprintf(y->source, sizeof(y->source), "%s", json_string_value(src));
    }
    if (json_list(o, "holidays", CAL_MARK_REST, prefix, 1, y, err, errlen) ||
        json_list(o, "workdays", CAL_MARK_WORK, prefix, 0, y, err, errlen))
        return FZ_INVALID;
    return FZ_OK;
}

static int parse_json(const char *text, size_t len, calfile *out, char *err, size_t errlen)
{
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return fail(err, errlen, "第 %d 行第 %d 列：JSON 格式错误：%s", je.line, je.column, je.text);
    raw r = {0};
    int rc = FZ_OK;
    if (json_is_array(root)) {
        size_t i;
        json_t *v;
        if (json_array_size(root) == 0)
            rc = fail(err, errlen, "文件中没有任何年份");
        json_array_foreach(root, i, v)
        {
            char prefix[32];
            snprintf(prefix, sizeof(prefix), "[%zu].", i);
            if ((rc = json_year(v, prefix, &r, err, errlen)))
                break;
        }
    } else {
        rc = json_year(root, "", &r, err, errlen);
    }
    json_decref(root);
    if (!rc)
        rc = finish(&r, 1, out, err, errlen);
    raw_free(&r);
    return rc;
}

/* ---- CSV ---- */

/* Trims spaces and tabs, and one pair of surrounding double quotes. */
static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        s[n - 1] = '\0';
        s++;
    }
    return s;
}

static int csv_kind(const char *s)
{
    static const char *const rest[] = {"休", "休息", "rest", "holiday", NULL};
    static const char *const work[] = {"班", "上班", "work", "workday", NULL};
    for (int i = 0; rest[i]; i++)
        if (strcmp(s, rest[i]) == 0)
            return CAL_MARK_REST;
    for (int i = 0; work[i]; i++)
        if (strcmp(s, work[i]) == 0)
            return CAL_MARK_WORK;
    return 0;
}

static int csv_comment_source(const char *s, char *source, size_t n)
{
    static const char *const prefixes[] = {"source:", "来源：", "来源:", NULL};
    while (*s == '#' || *s == ' ')
        s++;
    for (int i = 0; prefixes[i]; i++) {
        size_t pl = strlen(prefixes[i]);
        if (strncmp(s, prefixes[i], pl) == 0) {
            const char *v = s + pl;
            while (*v == ' ')
                v++;
            snprintf(source, n, "%s", v);
            return 1;
        }
    }
    return 0;
}

static int csv_line(char *line, int lineno, int *seen_header, const char *source, raw *r, char *err, size_t errlen)
{
    char where[64];
    snprintf(where, sizeof(where), "第 %d 行", lineno);
    char *fields[4];
    int nf = 0;
    for (char *p = line;;) {
        char *comma = strchr(p, ',');
        if (nf == 4)
            break;
        fields[nf++] = p;
        if (!comma)
            break;
        *comma = '\0';
        p = comma + 1;
    }
    if (nf > 3)
        return fail(err, errlen, "%s：应为 3 列（日期,类型,名称），多了逗号", where);
    for (int i = 0; i < nf; i++) {
        fields[i] = trim(fields[i]);
        if (strchr(fields[i], '"'))
            return fail(err, errlen, "%s：第 %d 列含引号；名称中不要使用引号和逗号", where, i + 1);
    }
    if (!*seen_header) {
        if (nf >= 2 && ((strcmp(fields[0], "date") == 0 && strcmp(fields[1], "kind") == 0) ||
                        (strcmp(fields[0], "日期") == 0 && strcmp(fields[1], "类型") == 0))) {
            *seen_header = 1;
            return FZ_OK;
        }
        return fail(err, errlen, "%s：缺少表头，第一行应为 date,kind,name（或 日期,类型,名称）", where);
    }
    if (nf < 2)
        return fail(err, errlen, "%s：应为 3 列（日期,类型,名称）", where);
    rawent e = {0};
    snprintf(e.where, sizeof(e.where), "%s", where);
    if (parse_day(fields[0], &e.from))
        return bad_date(where, fields[0], err, errlen);
    e.to = e.from;
    e.kind = csv_kind(fields[1]);
    if (!e.kind)
        return fail(err, errlen, "%s：类型“%.24s”无效，应为 休 或 班", where, fields[1]);
    const char *name = nf > 2 ? fields[2] : "";
    if (strlen(name) >= sizeof(e.name))
        return fail(err, errlen, "%s：名称过长，最多 %d 个字符", where, CALFILE_NAME_MAX);
    snprintf(e.name, sizeof(e.name), "%s", name);
    if (check_name(e.name, e.kind == CAL_MARK_REST, where, err, errlen))
        return FZ_INVALID;
    int year = year_of(e.from);
    if (check_span_year(year, where, err, errlen))
        return FZ_INVALID;
    rawyear *y = raw_year(r, year, 1);
    if (!y)
        return fail(err, errlen, "内存不足");
    if (!y->where[0])
        snprintf(y->where, sizeof(y->where), "%s", where);
    snprintf(y->source, sizeof(y->source), "%s", source);
    return year_add(y, &e) ? fail(err, errlen, "内存不足") : FZ_OK;
}

static int parse_csv(const char *text, size_t len, calfile *out, char *err, size_t errlen)
{
    if (!utf8_valid(text, len))
        return fail(err, errlen, "文件不是有效的 UTF-8 文本（请另存为 UTF-8 编码的 CSV）");
    if (memchr(text, '\0', len))
        return fail(err, errlen, "文件含 NUL 字节，不是文本文件");
    raw r = {0};
    char source[640] = "";
    int seen_header = 0, lineno = 0, rc = FZ_OK;
    size_t pos = 0;
    strbuf line = STRBUF_INIT;
    while (pos < len && rc == FZ_OK) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
        lineno++;
        strbuf_reset(&line);
        strbuf_append(&line, text + pos, n);
        pos += n + (nl ? 1 : 0);
        if (!strbuf_ok(&line)) {
            rc = fail(err, errlen, "内存不足");
            break;
        }
        if (line.len && line.data[line.len - 1] == '\r')
            line.data[--line.len] = '\0';
        char *s = line.data ? line.data : (char *)"";
        char *t = s;
        while (*t == ' ' || *t == '\t')
            t++;
        if (*t == '\0')
            continue;
        if (*t == '#') {
            csv_comment_source(t, source, sizeof(source));
            continue;
        }
        rc = csv_line(t, lineno, &seen_header, source, &r, err, errlen);
    }
    strbuf_free(&line);
    if (!rc)
        rc = finish(&r, 0, out, err, errlen);
    raw_free(&r);
    return rc;
}

int calfile_parse(const char *text, size_t len, calfile *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    size_t i = 0;
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
        i++;
    if (i == len)
        return fail(err, errlen, "文件为空");
    if (text[i] == '{' || text[i] == '[')
        return parse_json(text, len, out, err, errlen);
    return parse_csv(text, len, out, err, errlen);
}

void calfile_free(calfile *f)
{
    for (size_t i = 0; i < f->nyears; i++)
        free(f->years[i].days);
    free(f->years);
    memset(f, 0, sizeof(*f));
}

int calfile_check_range(const calfile *f, int lo, int hi, char *err, size_t errlen)
{
    int min = lo - CALFILE_BACK_YEARS, max = hi + CALFILE_AHEAD_YEARS;
    for (size_t i = 0; i < f->nyears; i++) {
        const calfile_year *y = &f->years[i];
        if (y->year < min || y->year > max)
            return fail(err, errlen,
                        "%s：%d 年远在已加载的日历（%d–%d 年）之外，只能导入 %d–%d 年的安排；请检查年份是否写错",
                        y->ndays ? y->days[0].where : "文件", y->year, lo, hi, min, max);
    }
    return FZ_OK;
}

void calfile_digest(const calfile_year *y, char hex[SM3_HEX_LEN + 1])
{
    strbuf b = STRBUF_INIT;
    strbuf_printf(&b, "FZCAL1\n%d\n", y->year);
    for (size_t i = 0; i < y->ndays; i++) {
        char ds[11];
        fmt_day(y->days[i].day, ds);
        strbuf_printf(&b, "%s,%s,%s\n", ds, y->days[i].kind == CAL_MARK_REST ? "rest" : "work", y->days[i].name);
    }
    unsigned char d[SM3_LEN];
    if (!strbuf_ok(&b) || sm3(b.data, b.len, d) != FZ_OK)
        memset(d, 0, sizeof(d));
    sm3_hex(d, hex);
    strbuf_free(&b);
}

void calfile_counts(const calfile_year *y, int *rest, int *work)
{
    *rest = *work = 0;
    for (size_t i = 0; i < y->ndays; i++) {
        if (y->days[i].kind == CAL_MARK_REST)
            (*rest)++;
        else
            (*work)++;
    }
}
