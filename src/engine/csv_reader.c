/* csv_reader.c: the CSV back end of table_reader.h.
 *
 * RFC 4180 records (quoted fields with "" escapes and embedded line breaks;
 * CRLF, LF or CR line ends), read in constant memory. Chinese Excel saves
 * "CSV" in the ANSI code page, i.e. GBK, so in TR_ENC_AUTO mode a first pass
 * checks whether the whole file is UTF-8 and otherwise the bytes go through
 * iconv from GB18030 (a superset of GBK) on the second pass. Row numbers are
 * record numbers, which is what Excel shows even when a cell holds a line
 * break. */
#define TABLE_READER_INTERNAL
#include "engine/table_reader.h"
#include "core/status.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CSV_EOF (-1)
#define CSV_ERR (-2)

typedef struct csv {
    FILE *f;
    iconv_t cd;
    int conv;     /* decoding GB18030 through cd */
    int raw_eof;
    int pushback; /* one byte of look-ahead after CR, or CSV_EOF for none */
    long record;  /* record being parsed, 1-based */
    size_t width; /* fields in the first non-blank record */
    size_t in_len, out_len, out_pos;
    strbuf field;
    char in[32768];
    char out[98304];
} csv;

static void csv_free(void *p)
{
    csv *c = p;
    if (c->f)
        fclose(c->f);
    if (c->conv)
        iconv_close(c->cd);
    strbuf_free(&c->field);
    free(c);
}

/* Refills c->out. Returns 1 with bytes, 0 at end of file, or CSV_ERR. */
static int csv_fill(table_reader *r, csv *c)
{
    c->out_pos = c->out_len = 0;
    if (!c->conv) {
        size_t n = fread(c->out, 1, sizeof c->out, c->f);
        if (n == 0 && ferror(c->f))
            return tr_fail(r, TR_E_IO, c->record, 0, "读取文件失败"), CSV_ERR;
        c->out_len = n;
        return n > 0;
    }
    for (;;) {
        if (!c->raw_eof && c->in_len < sizeof c->in) {
            size_t n = fread(c->in + c->in_len, 1, sizeof c->in - c->in_len, c->f);
            if (n == 0 && ferror(c->f))
                return tr_fail(r, TR_E_IO, c->record, 0, "读取文件失败"), CSV_ERR;
            if (n == 0)
                c->raw_eof = 1;
            c->in_len += n;
        }
        if (c->in_len == 0)
            return 0;
        char *ip = c->in, *op = c->out;
        size_t il = c->in_len, ol = sizeof c->out;
        size_t k = iconv(c->cd, &ip, &il, &op, &ol);
        int e = errno;
        memmove(c->in, ip, il);
        c->in_len = il;
        c->out_len = sizeof c->out - ol;
        if (c->out_len > 0)
            return 1; /* a decoding error, if any, surfaces on the next call */
        if (k == (size_t)-1 && e == EILSEQ)
            break;
        if (c->raw_eof)
            break; /* a multi-byte sequence cut off by the end of the file */
    }
    return tr_fail(r, TR_E_ENCODING, c->record, 0,
                   "第 %ld 行含有无法识别的字符：文件既不是 UTF-8 也不是 GBK/GB18030 编码，请另存为“CSV UTF-8”后再导入",
                   c->record),
           CSV_ERR;
}

static int csv_getc(table_reader *r, csv *c)
{
    if (c->pushback != CSV_EOF) {
        int ch = c->pushback;
        c->pushback = CSV_EOF;
        return ch;
    }
    if (c->out_pos == c->out_len) {
        int rc = csv_fill(r, c);
        if (rc <= 0)
            return rc == 0 ? CSV_EOF : CSV_ERR;
    }
    return (unsigned char)c->out[c->out_pos++];
}

static int field_put(table_reader *r, csv *c, int ch)
{
    if (c->field.len >= r->lim.max_cell_bytes)
        return tr_fail(r, TR_E_CELL_SIZE, c->record, (int)r->ncols + 1, "第 %ld 行第 %zu 列的内容超过 %zu 字节的上限",
                       c->record, r->ncols + 1, r->lim.max_cell_bytes);
    strbuf_putc(&c->field, (char)ch);
    return FZ_OK;
}

static int field_end(table_reader *r, csv *c)
{
    if (!strbuf_ok(&c->field))
        return tr_fail(r, TR_E_NOMEM, c->record, 0, "内存不足");
    const char *s = c->field.len ? c->field.data : "";
    if (!tr_utf8_valid(s, c->field.len))
        return tr_fail(r, TR_E_UTF8, c->record, (int)r->ncols + 1, "第 %ld 行第 %zu 列含有无效的 UTF-8 字节或空字符",
                       c->record, r->ncols + 1);
    int rc = tr_row_add(r, s, c->field.len);
    strbuf_reset(&c->field);
    return rc;
}

/* Parses one record, whose first byte is ch, into the row; consumes its line end. */
static int csv_record(table_reader *r, csv *c, int ch)
{
    const int delim = (unsigned char)r->lim.delim;
    for (;;) {
        int rc;
        if (ch == '"') {
            long start = c->record;
            for (;;) {
                ch = csv_getc(r, c);
                if (ch == CSV_ERR)
                    return FZ_ERR;
                if (ch == CSV_EOF)
                    return tr_fail(r, TR_E_QUOTE, start, (int)r->ncols + 1, "第 %ld 行第 %zu 列的引号没有闭合", start,
                                   r->ncols + 1);
                if (ch == '"') {
                    ch = csv_getc(r, c);
                    if (ch != '"')
                        break;
                }
                if ((rc = field_put(r, c, ch)) != FZ_OK)
                    return rc;
            }
            if (ch == CSV_ERR)
                return FZ_ERR;
            if (ch != delim && ch != '\r' && ch != '\n' && ch != CSV_EOF)
                return tr_fail(r, TR_E_QUOTE, c->record, (int)r->ncols + 1,
                               "第 %ld 行第 %zu 列的右引号后还有其他字符（引号内的引号应写成两个引号）", c->record,
                               r->ncols + 1);
        } else {
            /* A quote inside an unquoted field stays literal, as Excel reads it. */
            while (ch != delim && ch != '\r' && ch != '\n' && ch != CSV_EOF) {
                if (ch == CSV_ERR)
                    return FZ_ERR;
                if ((rc = field_put(r, c, ch)) != FZ_OK)
                    return rc;
                ch = csv_getc(r, c);
            }
            if (ch == CSV_ERR)
                return FZ_ERR;
        }
        if ((rc = field_end(r, c)) != FZ_OK)
            return rc;
        if (ch != delim)
            break;
        ch = csv_getc(r, c);
    }
    if (ch == '\r') {
        int nx = csv_getc(r, c);
        if (nx == CSV_ERR)
            return FZ_ERR;
        if (nx != '\n')
            c->pushback = nx;
    }
    return FZ_OK;
}

static int csv_next(table_reader *r)
{
    csv *c = r->impl;
    c->record++;
    tr_row_reset(r, c->record);
    int ch = csv_getc(r, c);
    if (ch == CSV_ERR)
        return FZ_ERR;
    if (ch == CSV_EOF)
        return FZ_NOTFOUND;
    int rc = csv_record(r, c, ch);
    if (rc != FZ_OK)
        return rc;
    int blank = 1;
    for (size_t i = 0; i < r->ncols && blank; i++)
        blank = r->cells.data[r->offs[i]] == '\0';
    if (blank || r->lim.allow_ragged)
        return FZ_OK;
    if (c->width == 0)
        c->width = r->ncols;
    else if (r->ncols != c->width)
        return tr_fail(r, TR_E_RAGGED, c->record, 0, "第 %ld 行有 %zu 列，与表头的 %zu 列不一致", c->record, r->ncols,
                       c->width);
    return FZ_OK;
}

/* Length of the UTF-8 sequence a lead byte starts, 0 if it cannot lead. */
static size_t lead_len(unsigned char b)
{
    if (b < 0x80)
        return 1;
    if (b >= 0xC2 && b <= 0xDF)
        return 2;
    if (b >= 0xE0 && b <= 0xEF)
        return 3;
    if (b >= 0xF0 && b <= 0xF4)
        return 4;
    return 0;
}

/* First pass over the whole file: counts well-formed multi-byte UTF-8
 * sequences (*mb) and bytes that cannot start one (*bad). NUL counts as
 * valid so that field_end reports it with its row. */
static int sniff_utf8(table_reader *r, csv *c, size_t *mb, size_t *bad)
{
    unsigned char *buf = (unsigned char *)c->out;
    size_t carry = 0;
    *mb = *bad = 0;
    for (;;) {
        size_t n = fread(buf + carry, 1, sizeof c->out - carry, c->f);
        if (n == 0 && ferror(c->f))
            return tr_fail(r, TR_E_IO, 0, 0, "读取文件失败");
        if (n == 0) {
            *bad += carry > 0;
            break;
        }
        size_t total = carry + n, i = 0;
        while (i < total) {
            size_t k = lead_len(buf[i]);
            if (k == 1) {
                i++;
            } else if (k == 0) {
                (*bad)++;
                i++;
            } else if (i + k > total) {
                break;
            } else if (tr_utf8_valid((const char *)buf + i, k)) {
                (*mb)++;
                i += k;
            } else {
                (*bad)++;
                i++;
            }
        }
        carry = total - i;
        memmove(buf, buf + i, carry);
    }
    rewind(c->f);
    return FZ_OK;
}

int csv_reader_open(table_reader *r, const char *path)
{
    csv *c = calloc(1, sizeof *c);
    if (!c)
        return tr_fail(r, TR_E_NOMEM, 0, 0, "内存不足");
    r->impl = c;
    r->free_impl = csv_free;
    r->next = csv_next;
    c->pushback = CSV_EOF;
    strbuf_init(&c->field);
    c->f = fopen(path, "rb");
    if (!c->f)
        return tr_fail(r, TR_E_IO, 0, 0, "无法打开文件");

    unsigned char bom[3] = {0};
    size_t n = fread(bom, 1, 3, c->f);
    if (n >= 2 && ((bom[0] == 0xFF && bom[1] == 0xFE) || (bom[0] == 0xFE && bom[1] == 0xFF)))
        return tr_fail(r, TR_E_FORMAT, 0, 0, "文件是 UTF-16 编码（Unicode 文本），请另存为“CSV UTF-8”后再导入");
    int has_bom = n == 3 && bom[0] == 0xEF && bom[1] == 0xBB && bom[2] == 0xBF;
    rewind(c->f);

    tr_encoding enc = r->lim.encoding;
    if (enc == TR_ENC_AUTO) {
        size_t mb, bad;
        int rc = sniff_utf8(r, c, &mb, &bad);
        if (rc != FZ_OK)
            return rc;
        /* GBK text is mostly invalid as UTF-8 (about one hanzi in four happens
         * to form a valid pair). Damaged UTF-8 is mostly valid: reporting its
         * bad bytes by row beats importing it as GBK mojibake. A BOM is a
         * promise of UTF-8 too. */
        enc = bad == 0 || has_bom || mb >= 8 * bad ? TR_ENC_UTF8 : TR_ENC_GB18030;
    }
    if (enc == TR_ENC_GB18030) {
        c->cd = iconv_open("UTF-8", "GB18030");
        if (c->cd == (iconv_t)-1)
            return tr_fail(r, TR_E_ENCODING, 0, 0, "系统不支持 GB18030 编码转换，请另存为“CSV UTF-8”后再导入");
        c->conv = 1;
    } else if (has_bom && fseek(c->f, 3, SEEK_SET) != 0) {
        return tr_fail(r, TR_E_IO, 0, 0, "读取文件失败");
    }
    return FZ_OK;
}
