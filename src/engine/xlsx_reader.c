/* xlsx_reader.c: the xlsx back end of table_reader.h (libzip + expat).
 *
 * Opening reads the small parts whole: _rels/.rels (where the workbook is),
 * xl/workbook.xml (the first worksheet and the 1904 flag), its relationships
 * (where that sheet, the shared strings and the styles live), xl/styles.xml
 * (which cell styles are dates) and the shared strings. The worksheet itself is streamed: expat is suspended at every
 * </row> so one row at a time is in memory.
 *
 * An xlsx is untrusted: every zip entry is checked against its declared size,
 * a running total and a compression ratio before and while it is inflated,
 * and every XML parser rejects a DOCTYPE, which rules out entity expansion
 * (billion laughs) and external entities; expat's own amplification limits
 * stay on as a second fence. */
#define TABLE_READER_INTERNAL
#include "engine/table_reader.h"
#include "core/status.h"

#include <assert.h>
#include <expat.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#define NS_SEP '|'
#define MAX_SHEETS 256
#define MAX_RELS 1024
#define MAX_XF 65536
#define MAX_NUMFMT 4096

enum { DK_NONE = 0, DK_DATE, DK_DATETIME, DK_TIME };

typedef struct xlsx xlsx;
typedef void (*xstart)(xlsx *x, const char *name, const char **atts);
typedef void (*xend)(xlsx *x, const char *name);

struct xlsx {
    table_reader *r;
    zip_t *z;
    XML_Parser p;  /* parser of the part being read */
    const char *part;
    xstart on_start;
    xend on_end;
    uint64_t unzipped; /* bytes inflated so far, all parts */
    int date1904;

    /* workbook + rels */
    char *sheet_rid[MAX_SHEETS];
    int nsheets;
    char *rel_id[MAX_RELS], *rel_target[MAX_RELS];
    int nrels;
    char *ss_path, *styles_path;
    int root_rels;      /* reading _rels/.rels rather than the workbook's rels */
    char wb_path[512];  /* the workbook part, normally xl/workbook.xml */
    char base[512];     /* its directory with a trailing '/', e.g. "xl/" */

    /* styles */
    int in_numfmts, in_cellxfs;
    int fmt_id[MAX_NUMFMT];
    unsigned char fmt_kind[MAX_NUMFMT];
    int nfmts;
    unsigned char *xf_kind;
    size_t nxf;

    /* shared strings and cell text */
    strbuf ss;   /* strings separated by NUL */
    size_t *ss_off;
    size_t nss, ss_cap;
    int in_si, in_t, in_rph, in_v, in_is;
    strbuf text;

    /* worksheet */
    zip_file_t *sheet;
    uint64_t sheet_size, sheet_read;
    int in_sheetdata, in_row, in_c, row_ready, suspended, done;
    long row_num;
    long col;      /* last column written in this row, 0-based; -1 before the first */
    long cell_col;
    char cell_t[16];
    long cell_s;
};

/* ---- small helpers ---- */

static const char *local(const char *name)
{
    const char *s = strrchr(name, NS_SEP);
    return s ? s + 1 : name;
}

static const char *attr(const char **atts, const char *want)
{
    for (size_t i = 0; atts[i]; i += 2)
        if (strcmp(local(atts[i]), want) == 0)
            return atts[i + 1];
    return NULL;
}

/* r:id is the only namespaced "id" we look for; plain Id is the rels form. */
static const char *attr_rid(const char **atts)
{
    for (size_t i = 0; atts[i]; i += 2)
        if (strchr(atts[i], NS_SEP) && strcmp(local(atts[i]), "id") == 0)
            return atts[i + 1];
    return NULL;
}

static int fail(xlsx *x, tr_code code, long row, const char *fmt, const char *arg)
{
    int rc = tr_fail(x->r, code, row, 0, fmt, arg);
    if (x->p)
        XML_StopParser(x->p, XML_FALSE);
    return rc;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* ---- guarded zip entries ---- */

static int entry_open(xlsx *x, const char *name, int required, zip_file_t **out, uint64_t *size)
{
    const tr_limits *l = &x->r->lim;
    *out = NULL;
    zip_int64_t idx = zip_name_locate(x->z, name, 0);
    if (idx < 0)
        idx = zip_name_locate(x->z, name, ZIP_FL_NOCASE);
    if (idx < 0) {
        if (!required)
            return FZ_OK;
        return tr_fail(x->r, TR_E_NO_SHEET, 0, 0, "xlsx 文件缺少 %s，无法找到工作表", name);
    }
    zip_stat_t st;
    if (zip_stat_index(x->z, (zip_uint64_t)idx, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE) ||
        !(st.valid & ZIP_STAT_COMP_SIZE))
        return tr_fail(x->r, TR_E_FORMAT, 0, 0, "xlsx 文件已损坏（%s）", name);
    if (st.size > l->max_unzipped - x->unzipped)
        return tr_fail(x->r, TR_E_ZIP_BOMB, 0, 0, "xlsx 文件解压后超过 %llu MB 的上限，拒绝读取（疑似压缩炸弹）",
                       (unsigned long long)(l->max_unzipped >> 20));
    /* Real sheets compress 5-30x; thousands-fold means crafted filler. */
    if (st.size > (1u << 20) && (st.comp_size == 0 || st.size / st.comp_size > l->max_ratio))
        return tr_fail(x->r, TR_E_ZIP_BOMB, 0, 0, "xlsx 文件中 %s 的压缩比异常，拒绝读取（疑似压缩炸弹）", name);
    *out = zip_fopen_index(x->z, (zip_uint64_t)idx, 0);
    if (!*out)
        return tr_fail(x->r, TR_E_FORMAT, 0, 0, "xlsx 文件已损坏或已加密（%s）", name);
    *size = st.size;
    return FZ_OK;
}

/* Reads from an entry; the declared size may lie, so count what inflates. */
static zip_int64_t entry_read(xlsx *x, zip_file_t *f, void *buf, size_t n, uint64_t size, uint64_t *done)
{
    zip_int64_t k = zip_fread(f, buf, n);
    if (k < 0) {
        tr_fail(x->r, TR_E_FORMAT, x->row_num, 0, "xlsx 文件已损坏（%s）", x->part);
        return -1;
    }
    *done += (uint64_t)k;
    x->unzipped += (uint64_t)k;
    if (*done > size) {
        tr_fail(x->r, TR_E_ZIP_BOMB, x->row_num, 0, "xlsx 文件中 %s 解压后的大小与声明不符，拒绝读取（疑似压缩炸弹）",
                x->part);
        return -1;
    }
    if (x->unzipped > x->r->lim.max_unzipped) {
        tr_fail(x->r, TR_E_ZIP_BOMB, x->row_num, 0, "xlsx 文件解压后超过 %llu MB 的上限，拒绝读取（疑似压缩炸弹）",
                (unsigned long long)(x->r->lim.max_unzipped >> 20));
        return -1;
    }
    return k;
}

/* ---- guarded XML ---- */

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sys, const XML_Char *pub, int internal)
{
    xlsx *x = ud;
    fail(x, TR_E_DTD, 0, "xlsx 文件中的 %s 含有 DOCTYPE 声明，出于安全原因拒绝读取", x->part);
}

static void XMLCALL on_entity(void *ud, const XML_Char *name, int pe, const XML_Char *value, int len,
                              const XML_Char *base, const XML_Char *sys, const XML_Char *pub, const XML_Char *notation)
{
    xlsx *x = ud;
    fail(x, TR_E_DTD, 0, "xlsx 文件中的 %s 含有实体声明，出于安全原因拒绝读取", x->part);
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    xlsx *x = ud;
    x->on_start(x, local(name), atts);
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
    xlsx *x = ud;
    if (x->on_end)
        x->on_end(x, local(name));
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
    xlsx *x = ud;
    if (!(x->in_t || x->in_v) || x->in_rph)
        return;
    if (x->text.len + (size_t)len > x->r->lim.max_cell_bytes) {
        fail(x, TR_E_CELL_SIZE, x->row_num, "单元格内容超过大小上限（%s）", x->part);
        return;
    }
    strbuf_append(&x->text, s, (size_t)len);
}

static int xml_new(xlsx *x, const char *part, xstart s, xend e)
{
    if (x->p)
        XML_ParserFree(x->p);
    x->p = XML_ParserCreateNS(NULL, NS_SEP);
    if (!x->p)
        return tr_fail(x->r, TR_E_NOMEM, 0, 0, "内存不足");
    x->part = part;
    x->on_start = s;
    x->on_end = e;
    XML_SetUserData(x->p, x);
    XML_SetElementHandler(x->p, on_start, on_end);
    XML_SetCharacterDataHandler(x->p, on_text);
    XML_SetStartDoctypeDeclHandler(x->p, on_doctype);
    XML_SetEntityDeclHandler(x->p, on_entity);
    XML_SetParamEntityParsing(x->p, XML_PARAM_ENTITY_PARSING_NEVER);
#ifdef XML_DTD
    XML_SetBillionLaughsAttackProtectionMaximumAmplification(x->p, 50.0f);
    XML_SetBillionLaughsAttackProtectionActivationThreshold(x->p, 1u << 20);
#endif
    return FZ_OK;
}

static int xml_error(xlsx *x)
{
    if (x->r->err.code != TR_E_NONE)
        return tr_fail(x->r, x->r->err.code, 0, 0, "%s", "");
    char msg[160];
    snprintf(msg, sizeof msg, "%s 第 %lu 行：%s", x->part, (unsigned long)XML_GetCurrentLineNumber(x->p),
             XML_ErrorString(XML_GetErrorCode(x->p)));
    return tr_fail(x->r, TR_E_XML, x->row_num, 0, "xlsx 文件的 XML 格式错误（%s）", msg);
}

/* Parses a whole part. A missing optional part is not an error. */
static int xml_parse_part(xlsx *x, const char *part, int required, xstart s, xend e)
{
    zip_file_t *f;
    uint64_t size, done = 0;
    int rc = entry_open(x, part, required, &f, &size);
    if (rc != FZ_OK || !f)
        return rc;
    rc = xml_new(x, part, s, e);
    while (rc == FZ_OK) {
        void *buf = XML_GetBuffer(x->p, 65536);
        if (!buf) {
            rc = tr_fail(x->r, TR_E_NOMEM, 0, 0, "内存不足");
            break;
        }
        zip_int64_t k = entry_read(x, f, buf, 65536, size, &done);
        if (k < 0) {
            rc = FZ_INVALID;
            break;
        }
        if (XML_ParseBuffer(x->p, (int)k, k == 0) != XML_STATUS_OK)
            rc = xml_error(x);
        else if (k == 0)
            break;
    }
    zip_fclose(f);
    if (rc == FZ_OK && x->r->err.code != TR_E_NONE)
        rc = tr_fail(x->r, x->r->err.code, 0, 0, "%s", "");
    return rc;
}

static char *dupstr(xlsx *x, const char *s)
{
    char *d = strdup(s);
    if (!d)
        fail(x, TR_E_NOMEM, 0, "%s", "内存不足");
    return d;
}

/* ---- workbook.xml and its rels ---- */

static void wb_start(xlsx *x, const char *name, const char **atts)
{
    if (strcmp(name, "workbookPr") == 0) {
        const char *v = attr(atts, "date1904");
        x->date1904 = v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
    } else if (strcmp(name, "sheet") == 0 && x->nsheets < MAX_SHEETS) {
        const char *rid = attr_rid(atts);
        if (rid && (x->sheet_rid[x->nsheets] = dupstr(x, rid)))
            x->nsheets++;
    }
}

/* A relationship target is relative to the directory of the part that owns
 * the rels (x->base, "" for the package root) unless it starts with '/'. */
static void resolve(const xlsx *x, const char *target, char *out, size_t n)
{
    if (target[0] == '/') {
        snprintf(out, n, "%s", target + 1);
        return;
    }
    size_t blen = strlen(x->base);
    while (strncmp(target, "../", 3) == 0) {
        target += 3;
        if (blen > 0)
            blen--; /* the trailing '/' */
        while (blen > 0 && x->base[blen - 1] != '/')
            blen--;
    }
    snprintf(out, n, "%.*s%s", (int)blen, x->base, target);
}

static void rels_start(xlsx *x, const char *name, const char **atts)
{
    if (strcmp(name, "Relationship") != 0)
        return;
    const char *id = attr(atts, "Id"), *target = attr(atts, "Target"), *type = attr(atts, "Type");
    const char *mode = attr(atts, "TargetMode");
    if (!id || !target || !type || (mode && strcmp(mode, "External") == 0))
        return;
    char path[sizeof x->wb_path];
    resolve(x, target, path, sizeof path);
    if (x->root_rels) {
        if (ends_with(type, "/officeDocument") && !x->wb_path[0])
            snprintf(x->wb_path, sizeof x->wb_path, "%s", path);
        return;
    }
    if (ends_with(type, "/sharedStrings")) {
        free(x->ss_path);
        x->ss_path = dupstr(x, path);
    } else if (ends_with(type, "/styles")) {
        free(x->styles_path);
        x->styles_path = dupstr(x, path);
    } else if (ends_with(type, "/worksheet") && x->nrels < MAX_RELS) {
        char *i = dupstr(x, id), *t = dupstr(x, path);
        if (i && t) {
            x->rel_id[x->nrels] = i;
            x->rel_target[x->nrels++] = t;
        } else {
            free(i);
            free(t);
        }
    }
}

/* ---- styles.xml: which cell formats are dates ---- */

static int builtin_kind(long id)
{
    /* Built-in ids as Excel assigns them in a zh-CN locale (ECMA-376 18.8.30). */
    if ((id >= 14 && id <= 17) || (id >= 27 && id <= 31) || id == 36 || (id >= 50 && id <= 54) || id == 57 ||
        id == 58)
        return DK_DATE;
    if (id == 22)
        return DK_DATETIME;
    if ((id >= 18 && id <= 21) || (id >= 32 && id <= 35) || (id >= 45 && id <= 47) || id == 55 || id == 56)
        return DK_TIME;
    return DK_NONE;
}

/* Classifies a custom format code by its first section, skipping literals
 * ("..", \x, _x, *x) and bracketed colours/locales, but not [h]/[mm]/[ss]. */
static int code_kind(const char *s)
{
    int date = 0, time = 0, month = 0;
    if (strncmp(s, "General", 7) == 0)
        return DK_NONE;
    for (; *s && *s != ';'; s++) {
        char c = *s;
        if (c == '"') {
            while (s[1] && s[1] != '"')
                s++;
            if (s[1])
                s++;
        } else if (c == '\\' || c == '_' || c == '*') {
            if (s[1])
                s++;
        } else if (c == '[') {
            const char *e = strchr(s, ']');
            if (!e)
                break;
            if (s[1] == 'h' || s[1] == 'H' || s[1] == 'm' || s[1] == 'M' || s[1] == 's' || s[1] == 'S')
                time = 1;
            s = e;
        } else if (c == 'y' || c == 'Y' || c == 'd' || c == 'D') {
            date = 1;
        } else if (c == 'h' || c == 'H' || c == 's' || c == 'S') {
            time = 1;
        } else if (c == 'm' || c == 'M') {
            month = 1;
        }
    }
    /* A lone m is a month (m月); beside h or s it is minutes. */
    if (month && !time)
        date = 1;
    if (date && time)
        return DK_DATETIME;
    return date ? DK_DATE : time ? DK_TIME : DK_NONE;
}

static void styles_start(xlsx *x, const char *name, const char **atts)
{
    if (strcmp(name, "numFmts") == 0) {
        x->in_numfmts = 1;
    } else if (strcmp(name, "cellXfs") == 0) {
        x->in_cellxfs = 1;
    } else if (x->in_numfmts && strcmp(name, "numFmt") == 0 && x->nfmts < MAX_NUMFMT) {
        const char *id = attr(atts, "numFmtId"), *code = attr(atts, "formatCode");
        if (id && code) {
            x->fmt_id[x->nfmts] = (int)strtol(id, NULL, 10);
            x->fmt_kind[x->nfmts] = (unsigned char)code_kind(code);
            x->nfmts++;
        }
    } else if (x->in_cellxfs && strcmp(name, "xf") == 0 && x->nxf < MAX_XF) {
        const char *v = attr(atts, "numFmtId");
        long id = v ? strtol(v, NULL, 10) : 0;
        int kind = builtin_kind(id);
        for (int i = 0; i < x->nfmts; i++)
            if (x->fmt_id[i] == id)
                kind = x->fmt_kind[i];
        x->xf_kind[x->nxf++] = (unsigned char)kind;
    }
}

static void styles_end(xlsx *x, const char *name)
{
    if (strcmp(name, "numFmts") == 0)
        x->in_numfmts = 0;
    else if (strcmp(name, "cellXfs") == 0)
        x->in_cellxfs = 0;
}

/* ---- sharedStrings.xml ---- */

static void text_start(xlsx *x, const char *name)
{
    if (strcmp(name, "t") == 0 && (x->in_si || x->in_is))
        x->in_t = 1;
    else if (strcmp(name, "rPh") == 0)
        x->in_rph++; /* phonetic guide (furigana/pinyin), not cell text */
}

static void text_end(xlsx *x, const char *name)
{
    if (strcmp(name, "t") == 0)
        x->in_t = 0;
    else if (strcmp(name, "rPh") == 0 && x->in_rph > 0)
        x->in_rph--;
}

static void ss_start(xlsx *x, const char *name, const char **atts)
{
    if (strcmp(name, "si") == 0) {
        x->in_si = 1;
        strbuf_reset(&x->text);
    } else {
        text_start(x, name);
    }
}

static void ss_end(xlsx *x, const char *name)
{
    if (strcmp(name, "si") != 0) {
        text_end(x, name);
        return;
    }
    x->in_si = 0;
    if (x->nss == x->ss_cap) {
        size_t cap = x->ss_cap ? x->ss_cap * 2 : 1024;
        size_t *o = realloc(x->ss_off, cap * sizeof *o);
        if (!o) {
            fail(x, TR_E_NOMEM, 0, "%s", "内存不足");
            return;
        }
        x->ss_off = o;
        x->ss_cap = cap;
    }
    x->ss_off[x->nss++] = x->ss.len;
    strbuf_append(&x->ss, x->text.data ? x->text.data : "", x->text.len);
    strbuf_putc(&x->ss, '\0');
    if (!strbuf_ok(&x->ss) || !strbuf_ok(&x->text))
        fail(x, TR_E_NOMEM, 0, "%s", "内存不足");
}

/* ---- worksheet ---- */

/* "BC12" -> column 54 (0-based); -1 if malformed or past XFD. */
static long ref_col(const char *ref)
{
    long col = 0;
    int n = 0;
    for (; (*ref >= 'A' && *ref <= 'Z') || (*ref >= 'a' && *ref <= 'z'); ref++, n++) {
        int c = *ref >= 'a' ? *ref - 'a' : *ref - 'A';
        col = col * 26 + c + 1;
        if (n >= 3)
            return -1;
    }
    return n == 0 || col > 16384 ? -1 : col - 1;
}

/* Days from 1970-01-01 to a civil date (H. Hinnant's algorithm), inverted. */
static void civil_from_days(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* Formats an Excel serial date. Excel's 1900 system counts 1900-02-29, a day
 * that never was (Lotus compatibility), so serials from 61 on are one day
 * ahead of the real calendar and 60 prints as that phantom day. */
static int format_serial(char *out, size_t n, double v, int kind, int date1904)
{
    assert(n >= 64);
    if (!(v >= 0 && v < 2958466)) /* up to 9999-12-31 */
        return 0;
    long days = (long)floor(v);
    long secs = lround((v - (double)days) * 86400.0);
    if (secs >= 86400) {
        days++;
        secs -= 86400;
    }
    char date[32] = "", time[48] = "";
    if (kind != DK_TIME) {
        int y, m, d;
        if (!date1904 && days == 60) {
            y = 1900, m = 2, d = 29;
        } else if (!date1904 && days == 0) {
            return 0; /* "1900-01-00": not a date */
        } else {
            /* 1899-12-31 + days before the phantom day, 1899-12-30 + days after it. */
            long base = date1904 ? -24107 : days < 60 ? -25568 : -25569;
            civil_from_days(base + days, &y, &m, &d);
        }
        snprintf(date, sizeof date, "%04d-%02d-%02d", y, m, d);
    }
    if (kind != DK_DATE)
        snprintf(time, sizeof time, "%02ld:%02ld:%02ld", secs / 3600, secs / 60 % 60, secs % 60);
    snprintf(out, n, "%s%s%s", date, *date && *time ? " " : "", time);
    return 1;
}

/* Numbers print as Excel shows them in General: 15 significant digits, no
 * trailing ".0" (some writers store 42 as "42.0"). */
static int format_number(char *out, size_t n, const char *v)
{
    char *end;
    double d = strtod(v, &end);
    if (end == v || *end != '\0' || !isfinite(d))
        return 0;
    if (d == 0)
        d = 0; /* no "-0" */
    /* Whole numbers print in full while exact (a 16-digit account number
     * should not become 6.22202020011223e+15). */
    if (d == floor(d) && fabs(d) < 9007199254740992.0)
        snprintf(out, n, "%.0f", d);
    else
        snprintf(out, n, "%.15G", d);
    return 1;
}

static int cell_emit(xlsx *x)
{
    const char *v = x->text.len ? x->text.data : "";
    size_t len = x->text.len;
    char buf[96];
    const char *t = x->cell_t;
    if (len == 0)
        return tr_row_add(x->r, "", 0);
    if (strcmp(t, "s") == 0) {
        char *end;
        unsigned long i = strtoul(v, &end, 10);
        if (end == v || *end != '\0' || i >= x->nss)
            return fail(x, TR_E_XML, x->row_num, "共享字符串编号无效（%s）", v);
        v = x->ss.data + x->ss_off[i];
        len = strlen(v);
    } else if (strcmp(t, "b") == 0) {
        v = strcmp(v, "1") == 0 ? "TRUE" : "FALSE";
        len = strlen(v);
    } else if (strcmp(t, "d") == 0) {
        len = len > 10 && v[10] == 'T' ? 10 : len; /* ISO 8601; keep the date */
    } else if (*t == '\0' || strcmp(t, "n") == 0) {
        int kind = x->cell_s >= 0 && (size_t)x->cell_s < x->nxf ? x->xf_kind[x->cell_s] : DK_NONE;
        char *end;
        double d = strtod(v, &end);
        if (kind != DK_NONE && *end == '\0' && format_serial(buf, sizeof buf, d, kind, x->date1904)) {
            v = buf;
            len = strlen(buf);
        } else if (format_number(buf, sizeof buf, v)) {
            v = buf;
            len = strlen(buf);
        }
    }
    /* "str", "inlineStr" and "e" (#N/A, #DIV/0! ...) are text as stored. */
    if (!tr_utf8_valid(v, len))
        return fail(x, TR_E_XML, x->row_num, "单元格含有无效字符（%s）", x->part);
    return tr_row_add(x->r, v, len);
}

static void sheet_start(xlsx *x, const char *name, const char **atts)
{
    if (strcmp(name, "sheetData") == 0) {
        x->in_sheetdata = 1;
    } else if (!x->in_sheetdata) {
        return;
    } else if (strcmp(name, "row") == 0) {
        const char *rn = attr(atts, "r");
        long n = rn ? strtol(rn, NULL, 10) : x->row_num + 1;
        x->row_num = n > x->row_num ? n : x->row_num + 1;
        x->in_row = 1;
        x->col = -1;
        tr_row_reset(x->r, x->row_num);
    } else if (x->in_row && strcmp(name, "c") == 0) {
        const char *ref = attr(atts, "r"), *t = attr(atts, "t"), *s = attr(atts, "s");
        long col = ref ? ref_col(ref) : x->col + 1;
        if (col < 0 || col <= x->col) {
            fail(x, TR_E_XML, x->row_num, "单元格位置无效或顺序错误（%s）", ref ? ref : "");
            return;
        }
        snprintf(x->cell_t, sizeof x->cell_t, "%s", t ? t : "");
        x->cell_s = s ? strtol(s, NULL, 10) : -1;
        x->cell_col = col;
        x->in_c = 1;
        strbuf_reset(&x->text);
        /* Cells Excel left out are empty. */
        while (x->col + 1 < col) {
            if (tr_row_add(x->r, "", 0) != FZ_OK) {
                XML_StopParser(x->p, XML_FALSE);
                return;
            }
            x->col++;
        }
    } else if (x->in_c && strcmp(name, "v") == 0) {
        x->in_v = 1;
    } else if (x->in_c && strcmp(name, "is") == 0) {
        x->in_is = 1;
    } else if (x->in_c) {
        text_start(x, name);
    }
}

static void sheet_end(xlsx *x, const char *name)
{
    if (strcmp(name, "sheetData") == 0) {
        x->in_sheetdata = 0;
    } else if (strcmp(name, "v") == 0) {
        x->in_v = 0;
    } else if (strcmp(name, "is") == 0) {
        x->in_is = 0;
    } else if (strcmp(name, "c") == 0 && x->in_c) {
        x->in_c = 0;
        if (!strbuf_ok(&x->text)) {
            fail(x, TR_E_NOMEM, x->row_num, "%s", "内存不足");
            return;
        }
        if (cell_emit(x) != FZ_OK) {
            XML_StopParser(x->p, XML_FALSE);
            return;
        }
        x->col = x->cell_col;
    } else if (strcmp(name, "row") == 0 && x->in_row) {
        x->in_row = 0;
        x->row_ready = 1;
        XML_StopParser(x->p, XML_TRUE); /* hand this row out before parsing on */
    } else if (x->in_c) {
        text_end(x, name);
    }
}

static int xlsx_next(table_reader *r)
{
    xlsx *x = r->impl;
    x->row_ready = 0;
    for (;;) {
        enum XML_Status st;
        if (x->suspended) {
            x->suspended = 0;
            st = XML_ResumeParser(x->p);
        } else if (x->done) {
            return FZ_NOTFOUND;
        } else {
            void *buf = XML_GetBuffer(x->p, 65536);
            if (!buf)
                return tr_fail(r, TR_E_NOMEM, x->row_num, 0, "内存不足");
            zip_int64_t k = entry_read(x, x->sheet, buf, 65536, x->sheet_size, &x->sheet_read);
            if (k < 0)
                return FZ_INVALID;
            x->done = k == 0;
            st = XML_ParseBuffer(x->p, (int)k, x->done);
        }
        if (st == XML_STATUS_ERROR)
            return xml_error(x);
        if (r->err.code != TR_E_NONE)
            return tr_fail(r, r->err.code, 0, 0, "%s", "");
        if (st == XML_STATUS_SUSPENDED) {
            x->suspended = 1;
            if (x->row_ready)
                return FZ_OK;
        }
    }
}

static void xlsx_free(void *p)
{
    xlsx *x = p;
    if (x->p)
        XML_ParserFree(x->p);
    if (x->sheet)
        zip_fclose(x->sheet);
    if (x->z)
        zip_discard(x->z);
    for (int i = 0; i < x->nsheets; i++)
        free(x->sheet_rid[i]);
    for (int i = 0; i < x->nrels; i++) {
        free(x->rel_id[i]);
        free(x->rel_target[i]);
    }
    free(x->ss_path);
    free(x->styles_path);
    free(x->xf_kind);
    free(x->ss_off);
    strbuf_free(&x->ss);
    strbuf_free(&x->text);
    free(x);
}

static const char *first_sheet(xlsx *x)
{
    for (int s = 0; s < x->nsheets; s++)
        for (int i = 0; i < x->nrels; i++)
            if (strcmp(x->sheet_rid[s], x->rel_id[i]) == 0)
                return x->rel_target[i];
    return NULL;
}

int xlsx_reader_open(table_reader *r, const char *path)
{
    xlsx *x = calloc(1, sizeof *x);
    if (!x)
        return tr_fail(r, TR_E_NOMEM, 0, 0, "内存不足");
    r->impl = x;
    r->free_impl = xlsx_free;
    r->next = xlsx_next;
    x->r = r;
    strbuf_init(&x->ss);
    strbuf_init(&x->text);
    x->xf_kind = calloc(MAX_XF, 1);
    if (!x->xf_kind)
        return tr_fail(r, TR_E_NOMEM, 0, 0, "内存不足");

    int ze = 0;
    x->z = zip_open(path, ZIP_RDONLY, &ze);
    if (!x->z) {
        if (ze == ZIP_ER_OPEN || ze == ZIP_ER_READ || ze == ZIP_ER_NOENT)
            return tr_fail(r, TR_E_IO, 0, 0, "无法打开文件");
        if (ze == ZIP_ER_MEMORY)
            return tr_fail(r, TR_E_NOMEM, 0, 0, "内存不足");
        return tr_fail(r, TR_E_FORMAT, 0, 0, "文件不是有效的 xlsx 工作簿（不是 zip 格式或已损坏）");
    }
    /* The package root names the workbook part; Excel's is xl/workbook.xml. */
    x->root_rels = 1;
    int rc = xml_parse_part(x, "_rels/.rels", 0, rels_start, NULL);
    x->root_rels = 0;
    if (rc != FZ_OK)
        return rc;
    if (!x->wb_path[0])
        snprintf(x->wb_path, sizeof x->wb_path, "xl/workbook.xml");
    const char *slash = strrchr(x->wb_path, '/');
    size_t dir = slash ? (size_t)(slash - x->wb_path) + 1 : 0;
    char wb_rels[sizeof x->wb_path + 16];
    snprintf(x->base, sizeof x->base, "%.*s", (int)dir, x->wb_path);
    snprintf(wb_rels, sizeof wb_rels, "%.*s_rels/%s.rels", (int)dir, x->wb_path, x->wb_path + dir);
    rc = xml_parse_part(x, x->wb_path, 1, wb_start, NULL);
    if (rc == FZ_OK)
        rc = xml_parse_part(x, wb_rels, 1, rels_start, NULL);
    if (rc != FZ_OK)
        return rc;
    const char *sheet = first_sheet(x);
    if (!sheet)
        return tr_fail(r, TR_E_NO_SHEET, 0, 0, "xlsx 工作簿中没有工作表");
    rc = xml_parse_part(x, x->styles_path ? x->styles_path : "xl/styles.xml", 0, styles_start, styles_end);
    if (rc == FZ_OK)
        rc = xml_parse_part(x, x->ss_path ? x->ss_path : "xl/sharedStrings.xml", 0, ss_start, ss_end);
    if (rc != FZ_OK)
        return rc;
    rc = entry_open(x, sheet, 1, &x->sheet, &x->sheet_size);
    if (rc != FZ_OK)
        return rc;
    x->in_t = x->in_v = x->in_rph = 0;
    return xml_new(x, sheet, sheet_start, sheet_end);
}
