/* table_reader.c: the format-neutral half of the table reader (see
 * table_reader.h): opening and format detection, the row under construction
 * with its caps, sticky errors, and the header-to-field mapping. The CSV and
 * xlsx back ends live in csv_reader.c and xlsx_reader.c. */
#define TABLE_READER_INTERNAL
#include "engine/table_reader.h"
#include "core/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int code_status(tr_code c)
{
    switch (c) {
    case TR_E_NONE:
        return FZ_OK;
    case TR_E_IO:
        return FZ_ERR;
    case TR_E_NOMEM:
    case TR_E_ZIP_BOMB:
    case TR_E_ROWS:
    case TR_E_COLS:
    case TR_E_CELLS:
    case TR_E_CELL_SIZE:
        return FZ_NOMEM;
    default:
        return FZ_INVALID;
    }
}

int tr_fail(table_reader *r, tr_code code, long row, int col, const char *fmt, ...)
{
    /* The first error wins: later ones are usually its consequences. */
    if (r->err.code != TR_E_NONE)
        return code_status(r->err.code);
    r->err.code = code;
    r->err.row = row;
    r->err.col = col;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(r->err.msg, sizeof r->err.msg, fmt, ap);
    va_end(ap);
    /* A message cut short (long part names) must not end mid-character. */
    if (n >= (int)sizeof r->err.msg) {
        size_t len = sizeof r->err.msg - 1, i = len;
        while (i > 0 && ((unsigned char)r->err.msg[i - 1] & 0xC0) == 0x80)
            i--;
        if (i > 0) {
            unsigned char lead = (unsigned char)r->err.msg[i - 1];
            size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
            if (i - 1 + need > len)
                r->err.msg[i - 1] = '\0';
        }
    }
    return code_status(code);
}

void tr_row_reset(table_reader *r, long rownum)
{
    strbuf_reset(&r->cells);
    r->ncols = 0;
    r->rownum = rownum;
}

int tr_row_add(table_reader *r, const char *s, size_t n)
{
    if (r->ncols >= r->lim.max_cols)
        return tr_fail(r, TR_E_COLS, r->rownum, (int)r->ncols + 1, "第 %ld 行超过 %zu 列的上限", r->rownum,
                       r->lim.max_cols);
    if (r->cells_total >= r->lim.max_cells)
        return tr_fail(r, TR_E_CELLS, r->rownum, (int)r->ncols + 1, "单元格总数超过 %zu 的上限（第 %ld 行）",
                       r->lim.max_cells, r->rownum);
    if (n > r->lim.max_cell_bytes)
        return tr_fail(r, TR_E_CELL_SIZE, r->rownum, (int)r->ncols + 1,
                       "第 %ld 行第 %zu 列的内容超过 %zu 字节的上限", r->rownum, r->ncols + 1, r->lim.max_cell_bytes);
    if (r->ncols == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        size_t *offs = realloc(r->offs, cap * sizeof *offs);
        if (!offs)
            return tr_fail(r, TR_E_NOMEM, r->rownum, 0, "内存不足");
        r->offs = offs;
        const char **ptrs = realloc(r->ptrs, cap * sizeof *ptrs);
        if (!ptrs)
            return tr_fail(r, TR_E_NOMEM, r->rownum, 0, "内存不足");
        r->ptrs = ptrs;
        r->cap = cap;
    }
    r->offs[r->ncols++] = r->cells.len;
    r->cells_total++;
    strbuf_append(&r->cells, s, n);
    strbuf_putc(&r->cells, '\0');
    if (!strbuf_ok(&r->cells))
        return tr_fail(r, TR_E_NOMEM, r->rownum, 0, "内存不足");
    return FZ_OK;
}

int tr_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        unsigned c = *p;
        size_t k;
        unsigned min;
        if (c == 0)
            return 0;
        if (c < 0x80) {
            p++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            k = 1;
            min = 0x80;
        } else if (c >= 0xE0 && c <= 0xEF) {
            k = 2;
            min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            k = 3;
            min = 0x10000;
        } else {
            return 0;
        }
        if ((size_t)(end - p) <= k)
            return 0;
        unsigned cp = c & (0x3F >> k);
        for (size_t i = 1; i <= k; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        /* Overlong forms, UTF-16 surrogates and code points past U+10FFFF. */
        if (cp < min || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
            return 0;
        p += k + 1;
    }
    return 1;
}

static void limits_default(tr_limits *l, const tr_limits *in)
{
    if (in)
        *l = *in;
    else
        memset(l, 0, sizeof *l);
    if (!l->max_rows)
        l->max_rows = 1048576; /* an Excel sheet's rows */
    if (!l->max_cols)
        l->max_cols = 1024;
    if (!l->max_cells)
        l->max_cells = 20000000;
    if (!l->max_cell_bytes)
        l->max_cell_bytes = 131072;
    if (!l->max_unzipped)
        l->max_unzipped = 200u * 1024 * 1024;
    if (!l->max_ratio)
        l->max_ratio = 200;
    if (!l->delim)
        l->delim = ',';
}

static int name_ends(const char *path, const char *ext)
{
    size_t n = strlen(path), e = strlen(ext);
    return n >= e && strcasecmp(path + n - e, ext) == 0;
}

/* Sniffs the first bytes: a zip is xlsx; OLE2 is an old .xls or an
 * encrypted workbook, which we cannot read either way. */
static int detect(table_reader *r, const char *path, tr_format *fmt)
{
    unsigned char m[8] = {0};
    FILE *f = fopen(path, "rb");
    if (!f)
        return tr_fail(r, TR_E_IO, 0, 0, "无法打开文件");
    size_t n = fread(m, 1, sizeof m, f);
    fclose(f);
    static const unsigned char ole[8] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};
    if (n == 8 && memcmp(m, ole, 8) == 0)
        return tr_fail(r, TR_E_FORMAT, 0, 0, "不支持旧版 .xls 或加密的工作簿，请另存为 .xlsx 或 CSV（UTF-8）后再导入");
    if (*fmt != TR_FMT_AUTO)
        return FZ_OK;
    if (n >= 4 && m[0] == 'P' && m[1] == 'K' && m[2] == 3 && m[3] == 4)
        *fmt = TR_FMT_XLSX;
    else if (name_ends(path, ".xlsx") || name_ends(path, ".xlsm"))
        *fmt = TR_FMT_XLSX;
    else
        *fmt = TR_FMT_CSV;
    return FZ_OK;
}

static void copy_err(const table_reader *r, tr_error *err)
{
    if (err)
        *err = r->err;
}

int table_open(const char *path, tr_format fmt, const tr_limits *lim, table_reader **out, tr_error *err)
{
    *out = NULL;
    if (err)
        memset(err, 0, sizeof *err);
    table_reader *r = calloc(1, sizeof *r);
    if (!r) {
        if (err) {
            err->code = TR_E_NOMEM;
            snprintf(err->msg, sizeof err->msg, "内存不足");
        }
        return FZ_NOMEM;
    }
    limits_default(&r->lim, lim);
    strbuf_init(&r->cells);
    int rc = detect(r, path, &fmt);
    if (rc == FZ_OK) {
        r->fmt = fmt;
        rc = fmt == TR_FMT_XLSX ? xlsx_reader_open(r, path) : csv_reader_open(r, path);
    }
    if (rc != FZ_OK) {
        copy_err(r, err);
        table_close(r);
        return rc;
    }
    *out = r;
    return FZ_OK;
}

static int row_blank(const table_reader *r)
{
    for (size_t i = 0; i < r->ncols; i++)
        if (r->cells.data[r->offs[i]] != '\0')
            return 0;
    return 1;
}

int table_next(table_reader *r, tr_row *row, tr_error *err)
{
    memset(row, 0, sizeof *row);
    if (r->err.code != TR_E_NONE) {
        copy_err(r, err);
        return code_status(r->err.code);
    }
    for (;;) {
        int rc = r->next(r);
        if (rc == FZ_NOTFOUND)
            return rc;
        if (rc != FZ_OK) {
            if (r->err.code == TR_E_NONE)
                tr_fail(r, TR_E_IO, r->rownum, 0, "读取文件失败");
            copy_err(r, err);
            return code_status(r->err.code);
        }
        if (!row_blank(r))
            break;
    }
    if (++r->rows_out > r->lim.max_rows) {
        tr_fail(r, TR_E_ROWS, r->rownum, 0, "行数超过 %zu 行的上限（第 %ld 行）", r->lim.max_rows, r->rownum);
        copy_err(r, err);
        return code_status(r->err.code);
    }
    /* Pointers are taken only now: the buffer may move while a row grows. */
    for (size_t i = 0; i < r->ncols; i++)
        r->ptrs[i] = r->cells.data + r->offs[i];
    row->num = r->rownum;
    row->ncols = r->ncols;
    row->cells = r->ptrs;
    return FZ_OK;
}

tr_format table_format(const table_reader *r)
{
    return r->fmt;
}

void table_close(table_reader *r)
{
    if (!r)
        return;
    if (r->free_impl && r->impl)
        r->free_impl(r->impl);
    strbuf_free(&r->cells);
    free(r->offs);
    free(r->ptrs);
    free(r);
}

/* ---- header mapping ---- */

/* Strips white space a spreadsheet user cannot see: ASCII, U+00A0, U+3000, U+FEFF. */
static void trim(const char **s, size_t *n)
{
    const unsigned char *p = (const unsigned char *)*s, *e = p + *n;
    for (;;) {
        if (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
            p++;
        else if (e - p >= 2 && p[0] == 0xC2 && p[1] == 0xA0)
            p += 2;
        else if (e - p >= 3 && p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80)
            p += 3;
        else if (e - p >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
            p += 3;
        else
            break;
    }
    for (;;) {
        if (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
            e--;
        else if (e - p >= 2 && e[-2] == 0xC2 && e[-1] == 0xA0)
            e -= 2;
        else if (e - p >= 3 && e[-3] == 0xE3 && e[-2] == 0x80 && e[-1] == 0x80)
            e -= 3;
        else if (e - p >= 3 && e[-3] == 0xEF && e[-2] == 0xBB && e[-1] == 0xBF)
            e -= 3;
        else
            break;
    }
    *s = (const char *)p;
    *n = (size_t)(e - p);
}

static int field_match(const tr_field *f, const char *s, size_t n)
{
    if (f->label && strlen(f->label) == n && memcmp(f->label, s, n) == 0)
        return 1;
    return f->name && strlen(f->name) == n && strncasecmp(f->name, s, n) == 0;
}

static void list_add(strbuf *b, const char *s, size_t n)
{
    if (b->len)
        strbuf_puts(b, "、");
    strbuf_append(b, s, n);
}

int table_map_header(const tr_row *header, const tr_field *fields, size_t nfields, int flags, int *col_of_field,
                     tr_error *err)
{
    strbuf unknown = STRBUF_INIT, dup = STRBUF_INIT, missing = STRBUF_INIT;
    for (size_t i = 0; i < nfields; i++)
        col_of_field[i] = -1;
    for (size_t c = 0; c < header->ncols; c++) {
        const char *s = header->cells[c];
        size_t n = strlen(s);
        trim(&s, &n);
        if (n == 0)
            continue;
        size_t i = 0;
        while (i < nfields && !field_match(&fields[i], s, n))
            i++;
        if (i == nfields) {
            if (!(flags & TR_MAP_IGNORE_UNKNOWN))
                list_add(&unknown, s, n);
        } else if (col_of_field[i] >= 0) {
            list_add(&dup, s, n);
        } else {
            col_of_field[i] = (int)c;
        }
    }
    for (size_t i = 0; i < nfields; i++)
        if (fields[i].required && col_of_field[i] < 0)
            list_add(&missing, fields[i].label ? fields[i].label : fields[i].name,
                     strlen(fields[i].label ? fields[i].label : fields[i].name));
    int rc = FZ_OK;
    if (!strbuf_ok(&unknown) || !strbuf_ok(&dup) || !strbuf_ok(&missing)) {
        rc = FZ_NOMEM;
        if (err) {
            memset(err, 0, sizeof *err);
            err->code = TR_E_NOMEM;
            snprintf(err->msg, sizeof err->msg, "内存不足");
        }
    } else if (unknown.len || dup.len || missing.len) {
        rc = FZ_INVALID;
        if (err) {
            strbuf m = STRBUF_INIT;
            strbuf_printf(&m, "第 %ld 行表头有误：", header->num);
            const char *sep = "";
            if (unknown.len) {
                strbuf_printf(&m, "无法识别的列：%s", unknown.data);
                sep = "；";
            }
            if (dup.len) {
                strbuf_printf(&m, "%s重复的列：%s", sep, dup.data);
                sep = "；";
            }
            if (missing.len)
                strbuf_printf(&m, "%s缺少必填列：%s", sep, missing.data);
            memset(err, 0, sizeof *err);
            err->code = TR_E_HEADER;
            err->row = header->num;
            snprintf(err->msg, sizeof err->msg, "%s", strbuf_ok(&m) ? m.data : "表头有误");
            strbuf_free(&m);
        }
    }
    strbuf_free(&unknown);
    strbuf_free(&dup);
    strbuf_free(&missing);
    return rc;
}
