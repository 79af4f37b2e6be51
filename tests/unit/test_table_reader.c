/* test_table_reader.c: the CSV/xlsx import reader. Every fixture is made at
 * run time in a temporary directory: CSV bytes (UTF-8, BOM, GBK, broken
 * quoting), xlsx written by libxlsxwriter (shared and inline strings, dates,
 * a second sheet) and hostile or odd xlsx packages assembled with libzip
 * (billion laughs, zip bomb, missing sheet, cells without r=, rich text,
 * 1900 leap-year bug, 1904 epoch). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <xlsxwriter.h>
#include <zip.h>

#include "core/status.h"
#include "core/strbuf.h"
#define TABLE_READER_INTERNAL /* for tr_utf8_valid */
#include "engine/table_reader.h"

static char g_dir[256];

static const char *tmp_path(const char *name)
{
    static char path[8][512];
    static int slot;
    slot = (slot + 1) % 8;
    snprintf(path[slot], sizeof path[slot], "%s/%s", g_dir, name);
    return path[slot];
}

static const char *write_bytes(const char *name, const char *data, size_t n)
{
    const char *p = tmp_path(name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
    return p;
}

#define WRITE_STR(name, lit) write_bytes(name, lit, sizeof lit - 1)

/* Reads every row into "num:a|b|c\n" lines; returns the final status. */
static int read_all(const char *path, tr_format fmt, const tr_limits *lim, strbuf *out, tr_error *err)
{
    table_reader *r;
    strbuf_reset(out);
    int rc = table_open(path, fmt, lim, &r, err);
    if (rc != FZ_OK)
        return rc;
    tr_row row;
    while ((rc = table_next(r, &row, err)) == FZ_OK) {
        strbuf_printf(out, "%ld:", row.num);
        for (size_t i = 0; i < row.ncols; i++) {
            assert_non_null(row.cells[i]);
            strbuf_printf(out, "%s%s", i ? "|" : "", row.cells[i]);
        }
        strbuf_putc(out, '\n');
    }
    /* The error is sticky. */
    if (rc != FZ_NOTFOUND) {
        tr_error again;
        assert_int_equal(table_next(r, &row, &again), rc);
        assert_int_equal(again.code, err->code);
    }
    table_close(r);
    assert_true(strbuf_ok(out));
    return rc == FZ_NOTFOUND ? FZ_OK : rc;
}

static void expect_rows(const char *path, tr_format fmt, const tr_limits *lim, const char *want)
{
    strbuf out = STRBUF_INIT;
    tr_error err;
    int rc = read_all(path, fmt, lim, &out, &err);
    if (rc != FZ_OK)
        fail_msg("%s: rc %d code %d: %s", path, rc, err.code, err.msg);
    assert_string_equal(out.data ? out.data : "", want);
    strbuf_free(&out);
}

static void expect_error(const char *path, tr_format fmt, const tr_limits *lim, int want_rc, tr_code code, long row,
                         const char *msg)
{
    strbuf out = STRBUF_INIT;
    tr_error err;
    memset(&err, 0, sizeof err);
    int rc = read_all(path, fmt, lim, &out, &err);
    assert_int_equal(rc, want_rc);
    assert_int_equal(err.code, code);
    assert_int_equal(err.row, row);
    if (msg)
        assert_string_equal(err.msg, msg);
    strbuf_free(&out);
}

/* ---- CSV ---- */

static void test_csv_rfc4180(void **state)
{
    const char *p = WRITE_STR("a.csv", "\xEF\xBB\xBF"
                                       "姓名,金额,备注\r\n"
                                       "张三,12.5,\"含,逗号\"\r\n"
                                       "李四,3,\"多\n行\"\"引号\"\"\"\r\n"
                                       "\r\n"
                                       ",,\n"
                                       "王五,,x");
    expect_rows(p, TR_FMT_AUTO, NULL,
                "1:姓名|金额|备注\n2:张三|12.5|含,逗号\n3:李四|3|多\n行\"引号\"\n6:王五||x\n");
    /* CR-only line ends, another delimiter, quotes inside an unquoted field. */
    p = WRITE_STR("b.csv", "a;b\rx\"y;\"\"\"\"\r");
    tr_limits l = {.delim = ';'};
    expect_rows(p, TR_FMT_CSV, &l, "1:a|b\n2:x\"y|\"\n");
}

static void test_csv_ragged_and_quotes(void **state)
{
    const char *p = WRITE_STR("r.csv", "a,b,c\n1,2,3\n4,5\n");
    expect_error(p, TR_FMT_CSV, NULL, FZ_INVALID, TR_E_RAGGED, 3, "第 3 行有 2 列，与表头的 3 列不一致");
    tr_limits l = {.allow_ragged = 1};
    expect_rows(p, TR_FMT_CSV, &l, "1:a|b|c\n2:1|2|3\n3:4|5\n");

    p = WRITE_STR("q1.csv", "a,b\n1,\"open\nstill open");
    expect_error(p, TR_FMT_CSV, NULL, FZ_INVALID, TR_E_QUOTE, 2, "第 2 行第 2 列的引号没有闭合");
    p = WRITE_STR("q2.csv", "a,b\n\"x\"y,1\n");
    expect_error(p, TR_FMT_CSV, NULL, FZ_INVALID, TR_E_QUOTE, 2,
                 "第 2 行第 1 列的右引号后还有其他字符（引号内的引号应写成两个引号）");
}

static void test_csv_encodings(void **state)
{
    /* 姓名,金额 / 张三,5 saved by Chinese Excel as GBK. */
    static const char gbk[] = "\xd0\xd5\xc3\xfb,\xbd\xf0\xb6\xee\r\n\xd5\xc5\xc8\xfd,5\r\n";
    const char *p = write_bytes("gbk.csv", gbk, sizeof gbk - 1);
    expect_rows(p, TR_FMT_AUTO, NULL, "1:姓名|金额\n2:张三|5\n");
    tr_limits l = {.encoding = TR_ENC_GB18030};
    expect_rows(p, TR_FMT_CSV, &l, "1:姓名|金额\n2:张三|5\n");
    tr_limits u = {.encoding = TR_ENC_UTF8};
    expect_error(p, TR_FMT_CSV, &u, FZ_INVALID, TR_E_UTF8, 1, "第 1 行第 1 列含有无效的 UTF-8 字节或空字符");

    /* Valid in neither encoding: a lone 0xFF on row 2. */
    p = WRITE_STR("bad.csv", "a,b\n\xff,1\n");
    expect_error(p, TR_FMT_AUTO, NULL, FZ_INVALID, TR_E_ENCODING, 2,
                 "第 2 行含有无法识别的字符：文件既不是 UTF-8 也不是 GBK/GB18030 编码，请另存为“CSV UTF-8”后再导入");
    /* A BOM promises UTF-8, so bad bytes are reported, not reinterpreted. */
    p = WRITE_STR("bom.csv", "\xEF\xBB\xBF"
                             "a\n\xd5\xc5\n");
    expect_error(p, TR_FMT_AUTO, NULL, FZ_INVALID, TR_E_UTF8, 2, "第 2 行第 1 列含有无效的 UTF-8 字节或空字符");
    /* Mostly good UTF-8 with one stray byte is damaged UTF-8, not GBK. */
    p = WRITE_STR("damaged.csv", "姓名,备注\n张三,行政处罚决定书\n李四,\xd5行政许可\n");
    expect_error(p, TR_FMT_AUTO, NULL, FZ_INVALID, TR_E_UTF8, 3, "第 3 行第 2 列含有无效的 UTF-8 字节或空字符");
    p = WRITE_STR("empty.csv", "");
    expect_rows(p, TR_FMT_AUTO, NULL, "");
    p = write_bytes("nul.csv", "a\nx\0y\n", 6);
    expect_error(p, TR_FMT_AUTO, NULL, FZ_INVALID, TR_E_UTF8, 2, NULL);
    p = WRITE_STR("u16.csv", "\xff\xfe"
                             "a\0,\0b\0");
    expect_error(p, TR_FMT_AUTO, NULL, FZ_INVALID, TR_E_FORMAT, 0,
                 "文件是 UTF-16 编码（Unicode 文本），请另存为“CSV UTF-8”后再导入");
    /* Overlong and surrogate encodings are not UTF-8 either. */
    assert_false(tr_utf8_valid("\xc0\xaf", 2));
    assert_false(tr_utf8_valid("\xed\xa0\x80", 3));
    assert_false(tr_utf8_valid("\xe6\xb3", 2));
    assert_true(tr_utf8_valid("法治\xf0\x9f\x98\x80", 10));
}

static void test_csv_caps(void **state)
{
    const char *p = WRITE_STR("caps.csv", "a,b\n1,2\n3,4\n");
    tr_limits rows = {.max_rows = 2};
    expect_error(p, TR_FMT_CSV, &rows, FZ_NOMEM, TR_E_ROWS, 3, "行数超过 2 行的上限（第 3 行）");
    tr_limits cols = {.max_cols = 1};
    expect_error(p, TR_FMT_CSV, &cols, FZ_NOMEM, TR_E_COLS, 1, "第 1 行超过 1 列的上限");
    tr_limits cells = {.max_cells = 5};
    expect_error(p, TR_FMT_CSV, &cells, FZ_NOMEM, TR_E_CELLS, 3, "单元格总数超过 5 的上限（第 3 行）");
    p = WRITE_STR("big.csv", "a\n\"12345\"\n");
    tr_limits size = {.max_cell_bytes = 4};
    expect_error(p, TR_FMT_CSV, &size, FZ_NOMEM, TR_E_CELL_SIZE, 2, "第 2 行第 1 列的内容超过 4 字节的上限");
    expect_error(tmp_path("none.csv"), TR_FMT_AUTO, NULL, FZ_ERR, TR_E_IO, 0, "无法打开文件");
}

/* ---- xlsx from libxlsxwriter ---- */

static const char *write_workbook(const char *name, int constant_memory)
{
    const char *p = tmp_path(name);
    lxw_workbook_options opt = {.constant_memory = constant_memory ? LXW_TRUE : LXW_FALSE, .tmpdir = g_dir};
    lxw_workbook *wb = workbook_new_opt(p, &opt);
    assert_non_null(wb);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "数据");
    lxw_worksheet *other = workbook_add_worksheet(wb, "忽略");
    lxw_format *date = workbook_add_format(wb);
    format_set_num_format(date, "yyyy-mm-dd");
    lxw_format *cn_date = workbook_add_format(wb);
    format_set_num_format(cn_date, "yyyy\"年\"m\"月\"d\"日\"");
    lxw_format *stamp = workbook_add_format(wb);
    format_set_num_format(stamp, "yyyy-mm-dd hh:mm");
    lxw_format *builtin = workbook_add_format(wb);
    format_set_num_format_index(builtin, 14);
    lxw_format *money = workbook_add_format(wb);
    format_set_num_format(money, "#,##0.00");

    const char *hdr[] = {"姓名", "金额", "日期", "备注"};
    for (int c = 0; c < 4; c++)
        worksheet_write_string(ws, 0, (lxw_col_t)c, hdr[c], NULL);
    lxw_datetime d1 = {2024, 3, 15, 0, 0, 0};
    worksheet_write_string(ws, 1, 0, "张三", NULL);
    worksheet_write_number(ws, 1, 1, 1234.5, money);
    worksheet_write_datetime(ws, 1, 2, &d1, date);
    worksheet_write_string(ws, 1, 3, "第一行，含“引号”", NULL);
    worksheet_write_string(ws, 2, 0, "李四", NULL);
    worksheet_write_number(ws, 2, 1, 42, NULL);
    /* C3 left empty */
    worksheet_write_string(ws, 2, 3, "中间空", NULL);
    /* row 4 blank */
    worksheet_write_string(ws, 4, 0, "王五", NULL);
    worksheet_write_number(ws, 4, 1, 0.1 + 0.2, NULL);
    lxw_datetime d2 = {2023, 12, 31, 8, 30, 0};
    worksheet_write_datetime(ws, 4, 2, &d2, stamp);
    worksheet_write_boolean(ws, 4, 3, 1, NULL);
    worksheet_write_datetime(ws, 5, 0, &d1, cn_date);
    worksheet_write_number(ws, 5, 1, 45366, builtin);
    worksheet_write_number(ws, 5, 2, -7, NULL);
    worksheet_write_formula_str(ws, 5, 3, "=\"甲\"&\"乙\"", NULL, "甲乙");
    worksheet_write_string(other, 0, 0, "不应读取", NULL);
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
    return p;
}

static const char *const WORKBOOK_ROWS = "1:姓名|金额|日期|备注\n"
                                         "2:张三|1234.5|2024-03-15|第一行，含“引号”\n"
                                         "3:李四|42||中间空\n"
                                         "5:王五|0.3|2023-12-31 08:30:00|TRUE\n"
                                         "6:2024-03-15|2024-03-15|-7|甲乙\n";

static void test_xlsx_libxlsxwriter(void **state)
{
    const char *p = write_workbook("w.xlsx", 0); /* shared strings */
    expect_rows(p, TR_FMT_AUTO, NULL, WORKBOOK_ROWS);
    p = write_workbook("wc.xlsx", 1); /* constant_memory: inline strings */
    expect_rows(p, TR_FMT_XLSX, NULL, WORKBOOK_ROWS);

    table_reader *r;
    tr_error err;
    assert_int_equal(table_open(p, TR_FMT_AUTO, NULL, &r, &err), FZ_OK);
    assert_int_equal(table_format(r), TR_FMT_XLSX);
    table_close(r);

    tr_limits rows = {.max_rows = 3};
    expect_error(p, TR_FMT_XLSX, &rows, FZ_NOMEM, TR_E_ROWS, 5, "行数超过 3 行的上限（第 5 行）");
    tr_limits cols = {.max_cols = 3};
    expect_error(p, TR_FMT_XLSX, &cols, FZ_NOMEM, TR_E_COLS, 1, "第 1 行超过 3 列的上限");
}

/* ---- crafted packages ---- */

static const char WB_XML[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
    "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
    "<workbookPr/><sheets><sheet name=\"表\" sheetId=\"1\" r:id=\"rId7\"/></sheets></workbook>";
static const char WB_1904[] =
    "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
    "xmlns:rel=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
    "<workbookPr date1904=\"1\"/><sheets><sheet name=\"a\" sheetId=\"1\" rel:id=\"rId7\"/></sheets></workbook>";
static const char RELS_XML[] =
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" "
    "Target=\"styles.xml\"/>"
    "<Relationship Id=\"rId2\" "
    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" "
    "Target=\"/xl/strings.xml\"/>"
    "<Relationship Id=\"rId7\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" "
    "Target=\"worksheets/data.xml\"/></Relationships>";
static const char STYLES_XML[] =
    "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
    "<numFmts count=\"1\"><numFmt numFmtId=\"170\" formatCode=\"[$-804]yyyy/m/d;@\"/></numFmts>"
    "<cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs>"
    "<cellXfs count=\"4\"><xf numFmtId=\"0\"/><xf numFmtId=\"170\"/><xf numFmtId=\"21\"/><xf numFmtId=\"4\"/>"
    "</cellXfs></styleSheet>";
static const char SST_XML[] =
    "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"2\" uniqueCount=\"2\">"
    "<si><t>案由</t></si>"
    "<si><r><rPr><b/></rPr><t>行政</t></r><r><t xml:space=\"preserve\"> 处罚</t></r>"
    "<rPh sb=\"0\" eb=\"2\"><t>xingzheng</t></rPh></si></sst>";

#define SHEET_HEAD "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
#define SHEET_TAIL "</sheetData></worksheet>"

typedef struct part {
    const char *name;
    const char *data;
    size_t len; /* 0: strlen */
} part;

static const char *write_zip(const char *name, const part *parts, size_t n)
{
    const char *p = tmp_path(name);
    int ze = 0;
    zip_t *z = zip_open(p, ZIP_CREATE | ZIP_TRUNCATE, &ze);
    assert_non_null(z);
    for (size_t i = 0; i < n; i++) {
        size_t len = parts[i].len ? parts[i].len : strlen(parts[i].data);
        zip_source_t *s = zip_source_buffer(z, parts[i].data, len, 0);
        assert_non_null(s);
        assert_true(zip_file_add(z, parts[i].name, s, ZIP_FL_ENC_UTF_8) >= 0);
    }
    assert_int_equal(zip_close(z), 0);
    return p;
}

static const char *write_pkg(const char *name, const char *wb, const char *sheet)
{
    part parts[] = {{"xl/workbook.xml", wb, 0},
                    {"xl/_rels/workbook.xml.rels", RELS_XML, 0},
                    {"xl/styles.xml", STYLES_XML, 0},
                    {"xl/strings.xml", SST_XML, 0},
                    {"xl/worksheets/data.xml", sheet, 0}};
    return write_zip(name, parts, 5);
}

static void test_xlsx_cell_kinds(void **state)
{
    const char *p = write_pkg(
        "k.xlsx", WB_XML,
        SHEET_HEAD "<row r=\"1\"><c t=\"s\"><v>0</v></c><c t=\"s\"><v>1</v></c><c t=\"b\"><v>0</v></c>"
                   "<c t=\"e\"><v>#N/A</v></c><c t=\"str\"><f>A1</f><v>案由</v></c></row>"
                   "<row><c r=\"B2\" t=\"inlineStr\"><is><r><t>内</t></r><r><t>联</t></r>"
                   "<rPh><t>nei</t></rPh></is></c><c r=\"D2\"><v>42.0</v></c><c><v>1E-3</v></c>"
                   "<c><v>6222020200112230</v></c><c><v>-0</v></c><c><v>1.5E+20</v></c></row>"
                   "<row r=\"4\"><c r=\"A4\" s=\"1\"><v>59</v></c><c s=\"1\"><v>60</v></c><c s=\"1\"><v>61</v></c>"
                   "<c s=\"2\"><v>0.75</v></c><c s=\"3\"><v>3.50</v></c><c s=\"1\"><v>abc</v></c>"
                   "<c s=\"1\"><v>45366.999999</v></c><c s=\"1\"/></row>"
                   "<row r=\"5\"><c r=\"C5\" t=\"d\"><v>2024-01-02T00:00:00</v></c></row>" SHEET_TAIL);
    expect_rows(p, TR_FMT_AUTO, NULL,
                "1:案由|行政 处罚|FALSE|#N/A|案由\n"
                "2:|内联||42|0.001|6222020200112230|0|1.5E+20\n"
                "4:1900-02-28|1900-02-29|1900-03-01|18:00:00|3.5|abc|2024-03-16|\n"
                "5:||2024-01-02\n");

    p = write_pkg("e.xlsx", WB_1904,
                  SHEET_HEAD "<row r=\"1\"><c s=\"1\"><v>0</v></c><c s=\"1\"><v>43904</v></c></row>" SHEET_TAIL);
    expect_rows(p, TR_FMT_XLSX, NULL, "1:1904-01-01|2024-03-15\n");

    p = write_pkg("bad_ss.xlsx", WB_XML, SHEET_HEAD "<row r=\"3\"><c t=\"s\"><v>9</v></c></row>" SHEET_TAIL);
    expect_error(p, TR_FMT_XLSX, NULL, FZ_INVALID, TR_E_XML, 3, "共享字符串编号无效（9）");
    p = write_pkg("order.xlsx", WB_XML, SHEET_HEAD "<row r=\"2\"><c r=\"C2\"/><c r=\"A2\"/></row>" SHEET_TAIL);
    expect_error(p, TR_FMT_XLSX, NULL, FZ_INVALID, TR_E_XML, 2, "单元格位置无效或顺序错误（A2）");
    p = write_pkg("broken.xlsx", WB_XML, SHEET_HEAD "<row r=\"1\"><c><v>1</c></row>" SHEET_TAIL);
    expect_error(p, TR_FMT_XLSX, NULL, FZ_INVALID, TR_E_XML, 1, NULL);
}

/* The workbook found through _rels/.rels, relative targets with "../", and a
 * chart sheet listed first, which is not a worksheet and is passed over. */
static void test_xlsx_package_paths(void **state)
{
    static const char root[] =
        "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        "<Relationship Id=\"rId1\" "
        "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" "
        "Target=\"book/wb.xml\"/></Relationships>";
    static const char wb[] =
        "<x:workbook xmlns:x=\"http://purl.oclc.org/ooxml/spreadsheetml/main\" "
        "xmlns:r=\"http://purl.oclc.org/ooxml/officeDocument/relationships\"><x:sheets>"
        "<x:sheet name=\"图\" sheetId=\"2\" r:id=\"c1\"/><x:sheet name=\"表\" sheetId=\"1\" r:id=\"s1\"/>"
        "</x:sheets></x:workbook>";
    static const char rels[] =
        "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        "<Relationship Id=\"c1\" Type=\"http://purl.oclc.org/ooxml/officeDocument/relationships/chartsheet\" "
        "Target=\"charts/c.xml\"/>"
        "<Relationship Id=\"s1\" Type=\"http://purl.oclc.org/ooxml/officeDocument/relationships/worksheet\" "
        "Target=\"../data/s.xml\"/>"
        "<Relationship Id=\"x\" Type=\"http://purl.oclc.org/ooxml/officeDocument/relationships/sharedStrings\" "
        "Target=\"strs.xml\"/></Relationships>";
    static const char sheet[] = "<x:worksheet xmlns:x=\"http://purl.oclc.org/ooxml/spreadsheetml/main\"><x:sheetData>"
                                "<x:row r=\"3\"><x:c r=\"B3\" t=\"s\"><x:v>0</x:v></x:c></x:row>"
                                "</x:sheetData></x:worksheet>";
    part parts[] = {{"_rels/.rels", root, 0},
                    {"book/wb.xml", wb, 0},
                    {"book/_rels/wb.xml.rels", rels, 0},
                    {"book/strs.xml", "<sst><si><t>严格格式</t></si></sst>", 0},
                    {"data/s.xml", sheet, 0}};
    const char *p = write_zip("strict.xlsx", parts, 5);
    expect_rows(p, TR_FMT_XLSX, NULL, "3:|严格格式\n");
}

static const char LAUGHS[] = "<?xml version=\"1.0\"?>"
                             "<!DOCTYPE lolz [<!ENTITY lol \"lol\">"
                             "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
                             "<!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">"
                             "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>"
                             "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
                             "<sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>&lol3;</t></is></c></row>"
                             "</sheetData></worksheet>";
static const char XXE[] = "<?xml version=\"1.0\"?><!DOCTYPE sst [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                          "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
                          "<si><t>&x;</t></si></sst>";

static void test_xlsx_hostile_xml(void **state)
{
    const char *p = write_pkg("lol.xlsx", WB_XML, LAUGHS);
    expect_error(p, TR_FMT_XLSX, NULL, FZ_INVALID, TR_E_DTD, 0,
                 "xlsx 文件中的 xl/worksheets/data.xml 含有 DOCTYPE 声明，出于安全原因拒绝读取");
    part parts[] = {{"xl/workbook.xml", WB_XML, 0},
                    {"xl/_rels/workbook.xml.rels", RELS_XML, 0},
                    {"xl/strings.xml", XXE, 0},
                    {"xl/worksheets/data.xml", SHEET_HEAD SHEET_TAIL, 0}};
    p = write_zip("xxe.xlsx", parts, 4);
    expect_error(p, TR_FMT_XLSX, NULL, FZ_INVALID, TR_E_DTD, 0,
                 "xlsx 文件中的 xl/strings.xml 含有 DOCTYPE 声明，出于安全原因拒绝读取");
}

static void test_xlsx_zip_bomb(void **state)
{
    /* 3 MiB of blanks inside the sheet: deflates about a thousandfold. */
    size_t pad = 3u << 20;
    char *sheet = malloc(pad + 256);
    assert_non_null(sheet);
    size_t n = (size_t)snprintf(sheet, 256, "%s<row r=\"1\"><c><v>1</v></c></row>", SHEET_HEAD);
    memset(sheet + n, ' ', pad);
    n += pad;
    n += (size_t)snprintf(sheet + n, 256, "%s", SHEET_TAIL);
    part parts[] = {{"xl/workbook.xml", WB_XML, 0},
                    {"xl/_rels/workbook.xml.rels", RELS_XML, 0},
                    {"xl/worksheets/data.xml", sheet, n}};
    const char *p = write_zip("bomb.xlsx", parts, 3);
    free(sheet);
    expect_error(p, TR_FMT_XLSX, NULL, FZ_NOMEM, TR_E_ZIP_BOMB, 0,
                 "xlsx 文件中 xl/worksheets/data.xml 的压缩比异常，拒绝读取（疑似压缩炸弹）");
    tr_limits total = {.max_unzipped = 1u << 20, .max_ratio = 100000};
    expect_error(p, TR_FMT_XLSX, &total, FZ_NOMEM, TR_E_ZIP_BOMB, 0,
                 "xlsx 文件解压后超过 1 MB 的上限，拒绝读取（疑似压缩炸弹）");
    tr_limits loose = {.max_ratio = 100000};
    expect_rows(p, TR_FMT_XLSX, &loose, "1:1\n");
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

/* Rewrites the uncompressed size of one entry in both its local and central
 * headers, as a crafted bomb would, to hide how much it inflates to. */
static void zip_lie_size(const char *path, const char *entry, uint32_t size)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static unsigned char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    assert_true(n < sizeof buf);
    size_t elen = strlen(entry);
    int patched = 0;
    for (size_t i = 0; i + 46 + elen <= n; i++) {
        if (memcmp(buf + i, "PK\3\4", 4) == 0 && buf[i + 26] == elen && memcmp(buf + i + 30, entry, elen) == 0) {
            put32(buf + i + 22, size);
            patched++;
        } else if (memcmp(buf + i, "PK\1\2", 4) == 0 && buf[i + 28] == elen &&
                   memcmp(buf + i + 46, entry, elen) == 0) {
            put32(buf + i + 24, size);
            patched++;
        }
    }
    assert_int_equal(patched, 2);
    write_bytes(strrchr(path, '/') + 1, (const char *)buf, n);
}

static void test_xlsx_lying_size(void **state)
{
    size_t pad = 2u << 20;
    char *sheet = malloc(pad + 256);
    assert_non_null(sheet);
    size_t n = (size_t)snprintf(sheet, 256, "%s<row r=\"1\"><c><v>1</v></c></row>", SHEET_HEAD);
    memset(sheet + n, ' ', pad);
    n += pad;
    n += (size_t)snprintf(sheet + n, 256, "%s", SHEET_TAIL);
    part parts[] = {{"xl/workbook.xml", WB_XML, 0},
                    {"xl/_rels/workbook.xml.rels", RELS_XML, 0},
                    {"xl/worksheets/data.xml", sheet, n}};
    const char *p = write_zip("liar.xlsx", parts, 3);
    free(sheet);
    zip_lie_size(p, "xl/worksheets/data.xml", 4000);
    /* Declared 4000 bytes passes the checks at open; inflating does not. */
    expect_error(p, TR_FMT_XLSX, NULL, FZ_NOMEM, TR_E_ZIP_BOMB, 0,
                 "xlsx 文件中 xl/worksheets/data.xml 解压后的大小与声明不符，拒绝读取（疑似压缩炸弹）");
}

static void test_xlsx_not_a_workbook(void **state)
{
    const char *p = WRITE_STR("fake.xlsx", "姓名,金额\n");
    expect_error(p, TR_FMT_AUTO, NULL, FZ_INVALID, TR_E_FORMAT, 0,
                 "文件不是有效的 xlsx 工作簿（不是 zip 格式或已损坏）");
    p = WRITE_STR("old.xls", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest");
    expect_error(p, TR_FMT_AUTO, NULL, FZ_INVALID, TR_E_FORMAT, 0,
                 "不支持旧版 .xls 或加密的工作簿，请另存为 .xlsx 或 CSV（UTF-8）后再导入");

    /* The sheet the workbook names is not in the package. */
    part missing[] = {{"xl/workbook.xml", WB_XML, 0}, {"xl/_rels/workbook.xml.rels", RELS_XML, 0}};
    p = write_zip("nosheet.xlsx", missing, 2);
    expect_error(p, TR_FMT_XLSX, NULL, FZ_INVALID, TR_E_NO_SHEET, 0,
                 "xlsx 文件缺少 xl/worksheets/data.xml，无法找到工作表");
    /* No sheets listed at all. */
    part empty[] = {{"xl/workbook.xml", "<workbook><sheets/></workbook>", 0},
                    {"xl/_rels/workbook.xml.rels", RELS_XML, 0}};
    p = write_zip("nosheets.xlsx", empty, 2);
    expect_error(p, TR_FMT_XLSX, NULL, FZ_INVALID, TR_E_NO_SHEET, 0, "xlsx 工作簿中没有工作表");
    /* A zip that is not a workbook. */
    part other[] = {{"readme.txt", "hello", 0}};
    p = write_zip("other.xlsx", other, 1);
    expect_error(p, TR_FMT_AUTO, NULL, FZ_INVALID, TR_E_NO_SHEET, 0, "xlsx 文件缺少 xl/workbook.xml，无法找到工作表");
}

/* Many rows: chunk boundaries in the zip stream, in expat's suspend/resume,
 * in the UTF-8 sniffer and in iconv's multi-byte sequences. */
static void test_large_files(void **state)
{
    enum { N = 20000 };
    const char *p = tmp_path("big.xlsx");
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = g_dir};
    lxw_workbook *wb = workbook_new_opt(p, &opt);
    assert_non_null(wb);
    lxw_worksheet *ws = workbook_add_worksheet(wb, NULL);
    for (int i = 0; i < N; i++) {
        char s[32];
        snprintf(s, sizeof s, "案件%d", i);
        worksheet_write_string(ws, (lxw_row_t)i, 0, s, NULL);
        worksheet_write_number(ws, (lxw_row_t)i, 2, i * 0.5, NULL);
    }
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);

    strbuf csv_utf8 = STRBUF_INIT, want = STRBUF_INIT;
    for (int i = 0; i < N; i++) {
        strbuf_printf(&csv_utf8, "张三%d,\"备注\n第二行\",%d\r\n", i, i);
        strbuf_printf(&want, "%d:张三%d|备注\n第二行|%d\n", i + 1, i, i);
    }
    assert_true(strbuf_ok(&csv_utf8));
    const char *u8 = write_bytes("big.csv", csv_utf8.data, csv_utf8.len);
    expect_rows(u8, TR_FMT_AUTO, NULL, want.data);
    /* The same text in GB18030, converted here with the same glibc iconv. */
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "iconv -f UTF-8 -t GB18030 '%s' > '%s'", u8, tmp_path("bigg.csv"));
    assert_int_equal(system(cmd), 0);
    expect_rows(tmp_path("bigg.csv"), TR_FMT_AUTO, NULL, want.data);
    strbuf_free(&csv_utf8);
    strbuf_free(&want);

    table_reader *r;
    tr_error err;
    tr_row row;
    assert_int_equal(table_open(p, TR_FMT_AUTO, NULL, &r, &err), FZ_OK);
    int n = 0;
    while (table_next(r, &row, &err) == FZ_OK) {
        char s[32], v[32];
        snprintf(s, sizeof s, "案件%d", n);
        snprintf(v, sizeof v, "%g", n * 0.5);
        assert_int_equal(row.num, n + 1);
        assert_int_equal(row.ncols, 3);
        assert_string_equal(row.cells[0], s);
        assert_string_equal(row.cells[1], "");
        assert_string_equal(row.cells[2], v);
        n++;
    }
    assert_int_equal(err.code, TR_E_NONE);
    assert_int_equal(n, N);
    table_close(r);
}

/* Messages that overflow tr_error.msg are cut on a character boundary. */
static void test_long_message(void **state)
{
    static char rels[4096];
    char target[700] = "";
    for (size_t i = 0; i + 3 < 600; i += 3)
        memcpy(target + i, "中", 3);
    snprintf(rels, sizeof rels,
             "<Relationships><Relationship Id=\"rId7\" Target=\"%s\" "
             "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\"/>"
             "</Relationships>",
             target);
    part parts[] = {{"xl/workbook.xml", WB_XML, 0}, {"xl/_rels/workbook.xml.rels", rels, 0}};
    const char *p = write_zip("long.xlsx", parts, 2);
    strbuf out = STRBUF_INIT;
    tr_error err;
    assert_int_equal(read_all(p, TR_FMT_XLSX, NULL, &out, &err), FZ_INVALID);
    assert_int_equal(err.code, TR_E_NO_SHEET);
    assert_true(strlen(err.msg) > 400);
    assert_true(tr_utf8_valid(err.msg, strlen(err.msg)));
    strbuf_free(&out);
}

/* ---- header mapping ---- */

static const tr_field FIELDS[] = {
    {"name", "姓名", 1},
    {"amount", "金额", 1},
    {"note", "备注", 0},
    {"date", "日期", 0},
};

static void test_header_map(void **state)
{
    const char *cells[] = {"\xE3\x80\x80姓名 ", "AMOUNT", "", "\t备注\xE3\x80\x80", "\xC2\xA0"};
    tr_row h = {1, 5, cells};
    int col[4];
    tr_error err;
    assert_int_equal(table_map_header(&h, FIELDS, 4, 0, col, &err), FZ_OK);
    assert_int_equal(col[0], 0);
    assert_int_equal(col[1], 1);
    assert_int_equal(col[2], 3);
    assert_int_equal(col[3], -1);

    const char *bad[] = {"姓名", "籍贯", "姓名", "日期", "电话"};
    tr_row b = {2, 5, bad};
    assert_int_equal(table_map_header(&b, FIELDS, 4, 0, col, &err), FZ_INVALID);
    assert_int_equal(err.code, TR_E_HEADER);
    assert_int_equal(err.row, 2);
    assert_string_equal(err.msg, "第 2 行表头有误：无法识别的列：籍贯、电话；重复的列：姓名；缺少必填列：金额");
    assert_int_equal(table_map_header(&b, FIELDS, 4, TR_MAP_IGNORE_UNKNOWN, col, &err), FZ_INVALID);
    assert_string_equal(err.msg, "第 2 行表头有误：重复的列：姓名；缺少必填列：金额");

    const char *extra[] = {"name", "金额", "籍贯"};
    tr_row e = {1, 3, extra};
    assert_int_equal(table_map_header(&e, FIELDS, 4, TR_MAP_IGNORE_UNKNOWN, col, &err), FZ_OK);
    assert_int_equal(col[0], 0);
    assert_int_equal(col[1], 1);
}

/* The reader used end to end, as an importer would: header, then data rows. */
static void test_import_flow(void **state)
{
    const char *p = write_workbook("flow.xlsx", 0);
    table_reader *r;
    tr_error err;
    tr_row row;
    int col[4];
    assert_int_equal(table_open(p, TR_FMT_AUTO, NULL, &r, &err), FZ_OK);
    assert_int_equal(table_next(r, &row, &err), FZ_OK);
    assert_int_equal(table_map_header(&row, FIELDS, 4, 0, col, &err), FZ_OK);
    assert_int_equal(col[3], 2);
    int n = 0;
    while (table_next(r, &row, &err) == FZ_OK) {
        n++;
        if (n == 2) {
            assert_int_equal(row.num, 3);
            assert_string_equal(row.cells[col[0]], "李四");
            assert_string_equal(row.cells[col[3]], "");
        }
    }
    assert_int_equal(n, 4);
    assert_int_equal(table_next(r, &row, &err), FZ_NOTFOUND);
    table_close(r);
    table_close(NULL);
}

static int setup(void **state)
{
    snprintf(g_dir, sizeof g_dir, "%s/fz_table_XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    return mkdtemp(g_dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_rfc4180),        cmocka_unit_test(test_csv_ragged_and_quotes),
        cmocka_unit_test(test_csv_encodings),      cmocka_unit_test(test_csv_caps),
        cmocka_unit_test(test_xlsx_libxlsxwriter), cmocka_unit_test(test_xlsx_cell_kinds),
        cmocka_unit_test(test_xlsx_hostile_xml),   cmocka_unit_test(test_xlsx_zip_bomb),
        cmocka_unit_test(test_xlsx_not_a_workbook), cmocka_unit_test(test_header_map),
        cmocka_unit_test(test_import_flow),        cmocka_unit_test(test_large_files),
        cmocka_unit_test(test_long_message),       cmocka_unit_test(test_xlsx_lying_size),
        cmocka_unit_test(test_xlsx_package_paths),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
