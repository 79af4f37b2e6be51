/* report_render.c: the annual report's renderers (report.h): printable
 * HTML (inline CSS, A4 print styles), docx (OOXML parts zipped with libzip)
 * and xlsx (the figures, libxlsxwriter). All text is escaped. */
#include "engine/report.h"
#include "core/status.h"
#include "core/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include <zip.h>

#define S(o, k) (json_string_value(json_object_get((o), (k))) ? json_string_value(json_object_get((o), (k))) : "")

static const char *const EXT_HEADING = "外部评价（非系统计算）";
static const char *const EXT_NOTE = "以下结果由上级机关或第三方作出，按来源文件登记（名录 external_results），不是本系统根据记录计算的数字。";

/* &, <, >, ", ' escaped: valid in HTML text, attributes and XML. */
static void esc(strbuf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': strbuf_puts(b, "&amp;"); break;
        case '<': strbuf_puts(b, "&lt;"); break;
        case '>': strbuf_puts(b, "&gt;"); break;
        case '"': strbuf_puts(b, "&quot;"); break;
        case '\'': strbuf_puts(b, "&apos;"); break;
        default:
            /* control characters are not allowed in XML 1.0 */
            if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
                strbuf_putc(b, ' ');
            else
                strbuf_putc(b, *s);
        }
    }
}

static const char *met_text(const json_t *met)
{
    return json_is_true(met) ? "已达标" : json_is_false(met) ? "未达标" : "无数据";
}

static const char *dir_text(const json_t *r)
{
    const char *d = json_string_value(json_object_get(r, "direction"));
    return d && strcmp(d, "<=") == 0 ? "≤" : "≥";
}

static void value_pct(const json_t *r, char out[48])
{
    const char *v = S(r, "value");
    snprintf(out, 48, "%s%s", *v ? v : "—", *v ? "%" : "");
}

static int write_file(const char *path, const strbuf *b, char *err, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        snprintf(err, n, "无法写入文件");
        return FZ_ERR;
    }
    size_t len = b->len;
    int ok = fwrite(b->data, 1, len, f) == len;
    ok = (fclose(f) == 0) && ok;
    if (!ok) {
        unlink(path);
        snprintf(err, n, "写入文件失败");
        return FZ_ERR;
    }
    return FZ_OK;
}

/* ---- HTML ---- */

int report_render_html(const json_t *m, const char *path, char *err, size_t n)
{
    strbuf b = STRBUF_INIT;
    const char *title = S(m, "title");
    strbuf_puts(&b, "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
    esc(&b, title);
    strbuf_puts(&b,
                "</title>\n<style>\n"
                "@page { size: A4; margin: 25mm 22mm 22mm 25mm; }\n"
                "body { font-family: \"FangSong\", \"仿宋\", \"STFangsong\", serif; font-size: 16pt; line-height: 1.8;"
                " color: #000; max-width: 170mm; margin: 0 auto; padding: 10mm 0; }\n"
                "h1 { font-family: \"SimSun\", \"宋体\", serif; font-size: 22pt; text-align: center; margin: 0 0 6mm; }\n"
                "h2 { font-family: \"SimHei\", \"黑体\", sans-serif; font-size: 16pt; margin: 6mm 0 2mm; }\n"
                "p { text-indent: 2em; margin: 0; }\n"
                ".meta { text-align: center; text-indent: 0; font-size: 12pt; color: #333; margin-bottom: 6mm; }\n"
                ".missing { color: #8a6d00; }\n"
                ".src { font-size: 10.5pt; color: #555; }\n"
                "table { border-collapse: collapse; width: 100%; font-size: 11pt; line-height: 1.5; margin: 2mm 0 4mm; }\n"
                "th, td { border: 1px solid #000; padding: 1.5mm 2mm; text-align: left; vertical-align: top; }\n"
                "th { background: #eee; }\n"
                ".external { border: 1.5px dashed #555; padding: 2mm 4mm; margin-top: 6mm; }\n"
                ".note { text-indent: 0; font-size: 11pt; color: #333; }\n"
                "@media print { body { padding: 0; max-width: none; } h2 { page-break-after: avoid; }"
                " table, tr { page-break-inside: avoid; } th { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }\n"
                "</style>\n</head>\n<body>\n<h1>《");
    esc(&b, title);
    strbuf_puts(&b, "》</h1>\n<p class=\"meta\">根据系统记录生成于 ");
    esc(&b, S(m, "generated_on"));
    strbuf_puts(&b, "；标注“" REPORT_MISSING "”的项目系统尚无相应模块，须另行据实填写。</p>\n");

    size_t i, j;
    json_t *sec, *f;
    json_array_foreach(json_object_get(m, "sections"), i, sec)
    {
        strbuf_puts(&b, "<h2>");
        esc(&b, S(sec, "no"));
        strbuf_puts(&b, "、");
        esc(&b, S(sec, "heading"));
        strbuf_puts(&b, "</h2>\n");
        json_array_foreach(json_object_get(sec, "figures"), j, f)
        {
            int avail = json_is_true(json_object_get(f, "available"));
            strbuf_printf(&b, "<p%s>", avail ? "" : " class=\"missing\"");
            esc(&b, S(f, "label"));
            strbuf_puts(&b, "：");
            esc(&b, S(f, "value"));
            strbuf_puts(&b, "。<span class=\"src\">（来源：");
            esc(&b, S(f, "source"));
            strbuf_puts(&b, "）</span></p>\n");
        }
        if (strcmp(S(sec, "no"), "三") == 0) {
            strbuf_puts(&b, "<table>\n<tr><th>指标</th><th>分子/分母</th><th>本年度值</th><th>目标</th><th>情况</th></tr>\n");
            json_t *r;
            json_array_foreach(json_object_get(m, "indicators"), j, r)
            {
                char v[48];
                value_pct(r, v);
                strbuf_puts(&b, "<tr><td>");
                esc(&b, S(r, "title"));
                strbuf_printf(&b, "</td><td>%lld/%lld</td><td>%s</td><td>",
                              (long long)json_integer_value(json_object_get(r, "num")),
                              (long long)json_integer_value(json_object_get(r, "den")), v);
                strbuf_puts(&b, dir_text(r));
                esc(&b, S(r, "target"));
                strbuf_printf(&b, "</td><td>%s</td></tr>\n", met_text(json_object_get(r, "met")));
            }
            strbuf_puts(&b, "</table>\n");
        }
    }

    json_t *sh = json_object_get(m, "shortcomings");
    strbuf_puts(&b, "<h2>六、存在的不足</h2>\n");
    json_t *unmet = json_object_get(sh, "unmet"), *missing = json_object_get(sh, "missing");
    if (json_array_size(unmet) == 0)
        strbuf_puts(&b, "<p>本年度有数据的各项指标均达到目标值。</p>\n");
    else {
        strbuf_printf(&b, "<p>以下 %zu 项指标未达到目标值：</p>\n", json_array_size(unmet));
        json_array_foreach(unmet, j, f)
        {
            strbuf_printf(&b, "<p>（%zu）", j + 1);
            esc(&b, S(f, "title"));
            strbuf_puts(&b, "为 ");
            esc(&b, S(f, "value"));
            strbuf_puts(&b, "，未达到目标 ");
            esc(&b, S(f, "target"));
            strbuf_puts(&b, "。</p>\n");
        }
    }
    if (json_array_size(missing) > 0) {
        strbuf_printf(&b, "<p class=\"missing\">另有 %zu 项工作" REPORT_MISSING "，本报告未能据实反映：", json_array_size(missing));
        json_array_foreach(missing, j, f)
        {
            if (j)
                strbuf_puts(&b, "；");
            esc(&b, json_string_value(f));
        }
        strbuf_puts(&b, "。</p>\n");
    }

    strbuf_puts(&b, "<div class=\"external\">\n<h2>");
    strbuf_puts(&b, EXT_HEADING);
    strbuf_puts(&b, "</h2>\n<p class=\"note\">");
    strbuf_puts(&b, EXT_NOTE);
    strbuf_puts(&b, "</p>\n");
    json_t *ext = json_object_get(m, "external");
    if (json_array_size(ext) == 0)
        strbuf_puts(&b, "<p class=\"note\">本年度未登记外部评价结果。</p>\n");
    else {
        strbuf_puts(&b, "<table>\n<tr><th>评价事项</th><th>结果</th><th>来源</th><th>通报日期</th><th>备注</th></tr>\n");
        json_array_foreach(ext, j, f)
        {
            const char *keys[] = {"item", "value", "source", "reported_on", "notes"};
            strbuf_puts(&b, "<tr>");
            for (int k = 0; k < 5; k++) {
                strbuf_puts(&b, "<td>");
                esc(&b, S(f, keys[k]));
                strbuf_puts(&b, "</td>");
            }
            strbuf_puts(&b, "</tr>\n");
        }
        strbuf_puts(&b, "</table>\n");
    }
    strbuf_puts(&b, "</div>\n</body>\n</html>\n");
    int rc = FZ_ERR;
    if (!strbuf_ok(&b))
        snprintf(err, n, "内存不足");
    else
        rc = write_file(path, &b, err, n);
    strbuf_free(&b);
    return rc;
}

/* ---- docx ---- */

static void w_par(strbuf *b, const char *style, const char *text, const char *color)
{
    strbuf_puts(b, "<w:p>");
    if (style)
        strbuf_printf(b, "<w:pPr><w:pStyle w:val=\"%s\"/></w:pPr>", style);
    strbuf_puts(b, "<w:r>");
    if (color)
        strbuf_printf(b, "<w:rPr><w:color w:val=\"%s\"/></w:rPr>", color);
    strbuf_puts(b, "<w:t xml:space=\"preserve\">");
    esc(b, text);
    strbuf_puts(b, "</w:t></w:r></w:p>");
}

static void w_cell(strbuf *b, const char *text, int header)
{
    strbuf_puts(b, "<w:tc><w:tcPr><w:tcW w:w=\"0\" w:type=\"auto\"/></w:tcPr><w:p><w:pPr><w:pStyle w:val=\"TableText\"/>"
                   "</w:pPr><w:r>");
    if (header)
        strbuf_puts(b, "<w:rPr><w:b/></w:rPr>");
    strbuf_puts(b, "<w:t xml:space=\"preserve\">");
    esc(b, text);
    strbuf_puts(b, "</w:t></w:r></w:p></w:tc>");
}

/* Child elements follow the schema's order (Word rejects others). */
static void w_table_open(strbuf *b)
{
    strbuf_puts(b, "<w:tbl><w:tblPr><w:tblStyle w:val=\"TableGrid\"/><w:tblW w:w=\"5000\" w:type=\"pct\"/>"
                   "<w:tblBorders><w:top w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
                   "<w:left w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
                   "<w:bottom w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
                   "<w:right w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
                   "<w:insideH w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
                   "<w:insideV w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/></w:tblBorders>"
                   "</w:tblPr><w:tblGrid>");
    /* five columns over the A4 text width (11906 - margins = 8844 twips) */
    for (int i = 0; i < 5; i++)
        strbuf_puts(b, "<w:gridCol w:w=\"1768\"/>");
    strbuf_puts(b, "</w:tblGrid>");
}

static void w_row(strbuf *b, const char *const *cells, int n, int header)
{
    strbuf_puts(b, "<w:tr>");
    for (int i = 0; i < n; i++)
        w_cell(b, cells[i], header);
    strbuf_puts(b, "</w:tr>");
}

static void docx_document(const json_t *m, strbuf *b)
{
    char line[2048];
    strbuf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
                   "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>");
    snprintf(line, sizeof(line), "%s", S(m, "title"));
    w_par(b, "Title", line, NULL);
    snprintf(line, sizeof(line), "根据系统记录生成于 %s；标注“" REPORT_MISSING "”的项目系统尚无相应模块，须另行据实填写。",
             S(m, "generated_on"));
    w_par(b, "Note", line, NULL);
    size_t i, j;
    json_t *sec, *f;
    json_array_foreach(json_object_get(m, "sections"), i, sec)
    {
        snprintf(line, sizeof(line), "%s、%s", S(sec, "no"), S(sec, "heading"));
        w_par(b, "Heading1", line, NULL);
        json_array_foreach(json_object_get(sec, "figures"), j, f)
        {
            int avail = json_is_true(json_object_get(f, "available"));
            snprintf(line, sizeof(line), "%s：%s。（来源：%s）", S(f, "label"), S(f, "value"), S(f, "source"));
            w_par(b, NULL, line, avail ? NULL : "8A6D00");
        }
        if (strcmp(S(sec, "no"), "三") == 0) {
            w_par(b, "Note", "表1 指标完成情况", NULL);
            w_table_open(b);
            const char *hdr[] = {"指标", "分子/分母", "本年度值", "目标", "情况"};
            w_row(b, hdr, 5, 1);
            json_t *r;
            json_array_foreach(json_object_get(m, "indicators"), j, r)
            {
                char nd[64], v[48], t[64];
                snprintf(nd, sizeof(nd), "%lld/%lld", (long long)json_integer_value(json_object_get(r, "num")),
                         (long long)json_integer_value(json_object_get(r, "den")));
                value_pct(r, v);
                snprintf(t, sizeof(t), "%s%s", dir_text(r), S(r, "target"));
                const char *cells[] = {S(r, "title"), nd, v, t, met_text(json_object_get(r, "met"))};
                w_row(b, cells, 5, 0);
            }
            strbuf_puts(b, "</w:tbl>");
        }
    }
    w_par(b, "Heading1", "六、存在的不足", NULL);
    json_t *sh = json_object_get(m, "shortcomings");
    json_t *unmet = json_object_get(sh, "unmet"), *missing = json_object_get(sh, "missing");
    if (json_array_size(unmet) == 0)
        w_par(b, NULL, "本年度有数据的各项指标均达到目标值。", NULL);
    else {
        snprintf(line, sizeof(line), "以下 %zu 项指标未达到目标值：", json_array_size(unmet));
        w_par(b, NULL, line, NULL);
        json_array_foreach(unmet, j, f)
        {
            snprintf(line, sizeof(line), "（%zu）%s为 %s，未达到目标 %s。", j + 1, S(f, "title"), S(f, "value"),
                     S(f, "target"));
            w_par(b, NULL, line, NULL);
        }
    }
    if (json_array_size(missing) > 0) {
        strbuf all = STRBUF_INIT;
        strbuf_printf(&all, "另有 %zu 项工作" REPORT_MISSING "，本报告未能据实反映：", json_array_size(missing));
        json_array_foreach(missing, j, f)
        {
            if (j)
                strbuf_puts(&all, "；");
            strbuf_puts(&all, json_string_value(f));
        }
        strbuf_puts(&all, "。");
        w_par(b, NULL, strbuf_ok(&all) ? all.data : "", "8A6D00");
        strbuf_free(&all);
    }
    w_par(b, "Heading1", EXT_HEADING, NULL);
    w_par(b, "Note", EXT_NOTE, NULL);
    json_t *ext = json_object_get(m, "external");
    if (json_array_size(ext) == 0)
        w_par(b, "Note", "本年度未登记外部评价结果。", NULL);
    else {
        w_table_open(b);
        const char *hdr[] = {"评价事项", "结果", "来源", "通报日期", "备注"};
        w_row(b, hdr, 5, 1);
        json_array_foreach(ext, j, f)
        {
            const char *cells[] = {S(f, "item"), S(f, "value"), S(f, "source"), S(f, "reported_on"), S(f, "notes")};
            w_row(b, cells, 5, 0);
        }
        strbuf_puts(b, "</w:tbl>");
        w_par(b, NULL, "", NULL);
    }
    strbuf_puts(b, "<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"2098\" w:right=\"1474\""
                   " w:bottom=\"1984\" w:left=\"1588\" w:header=\"851\" w:footer=\"992\" w:gutter=\"0\"/></w:sectPr>"
                   "</w:body></w:document>");
}

static const char CONTENT_TYPES[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
    "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
    "<Override PartName=\"/word/document.xml\""
    " ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"
    "<Override PartName=\"/word/styles.xml\""
    " ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>"
    "</Types>";

static const char RELS[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\""
    " Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\""
    " Target=\"word/document.xml\"/></Relationships>";

static const char DOC_RELS[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\""
    " Target=\"styles.xml\"/></Relationships>";

#define FONTS(ascii, ea) "<w:rFonts w:ascii=\"" ascii "\" w:hAnsi=\"" ascii "\" w:eastAsia=\"" ea "\"/>"

static const char STYLES[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
    "<w:docDefaults><w:rPrDefault><w:rPr>" FONTS("Times New Roman", "仿宋") "<w:sz w:val=\"32\"/>"
    "<w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\"/></w:rPr></w:rPrDefault>"
    "<w:pPrDefault><w:pPr><w:spacing w:line=\"560\" w:lineRule=\"exact\"/></w:pPr></w:pPrDefault></w:docDefaults>"
    "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/>"
    "<w:pPr><w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/><w:jc w:val=\"both\"/></w:pPr></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Title\"><w:name w:val=\"Title\"/><w:basedOn w:val=\"Normal\"/>"
    "<w:pPr><w:spacing w:before=\"240\" w:after=\"240\" w:line=\"700\" w:lineRule=\"exact\"/>"
    "<w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/><w:jc w:val=\"center\"/></w:pPr>"
    "<w:rPr>" FONTS("Times New Roman", "宋体") "<w:b/><w:sz w:val=\"44\"/></w:rPr></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Heading1\"><w:name w:val=\"heading 1\"/><w:basedOn w:val=\"Normal\"/>"
    "<w:next w:val=\"Normal\"/><w:pPr><w:keepNext/><w:outlineLvl w:val=\"0\"/></w:pPr>"
    "<w:rPr>" FONTS("Times New Roman", "黑体") "<w:sz w:val=\"32\"/></w:rPr></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Note\"><w:name w:val=\"Note\"/><w:basedOn w:val=\"Normal\"/>"
    "<w:pPr><w:spacing w:line=\"400\" w:lineRule=\"exact\"/><w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/></w:pPr>"
    "<w:rPr><w:sz w:val=\"24\"/></w:rPr></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"TableText\"><w:name w:val=\"Table Text\"/><w:basedOn w:val=\"Normal\"/>"
    "<w:pPr><w:spacing w:line=\"360\" w:lineRule=\"exact\"/><w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/>"
    "<w:jc w:val=\"left\"/></w:pPr><w:rPr><w:sz w:val=\"21\"/></w:rPr></w:style>"
    "<w:style w:type=\"table\" w:styleId=\"TableGrid\"><w:name w:val=\"Table Grid\"/></w:style>"
    "</w:styles>";

static int zpart(zip_t *z, const char *name, const char *data, size_t len)
{
    zip_source_t *src = zip_source_buffer(z, data, len, 0);
    if (!src)
        return -1;
    if (zip_file_add(z, name, src, ZIP_FL_OVERWRITE | ZIP_FL_ENC_UTF_8) < 0) {
        zip_source_free(src);
        return -1;
    }
    return 0;
}

int report_render_docx(const json_t *m, const char *path, char *err, size_t n)
{
    strbuf doc = STRBUF_INIT;
    docx_document(m, &doc);
    if (!strbuf_ok(&doc)) {
        strbuf_free(&doc);
        snprintf(err, n, "内存不足");
        return FZ_ERR;
    }
    int zerr = 0;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    if (!z) {
        strbuf_free(&doc);
        snprintf(err, n, "无法写入文件");
        return FZ_ERR;
    }
    int bad = zpart(z, "[Content_Types].xml", CONTENT_TYPES, strlen(CONTENT_TYPES)) ||
              zpart(z, "_rels/.rels", RELS, strlen(RELS)) ||
              zpart(z, "word/_rels/document.xml.rels", DOC_RELS, strlen(DOC_RELS)) ||
              zpart(z, "word/styles.xml", STYLES, strlen(STYLES)) ||
              zpart(z, "word/document.xml", doc.data, doc.len);
    if (bad) {
        zip_discard(z);
        strbuf_free(&doc);
        unlink(path);
        snprintf(err, n, "生成 docx 失败");
        return FZ_ERR;
    }
    int rc = zip_close(z);
    if (rc != 0)
        zip_discard(z);
    strbuf_free(&doc);
    if (rc != 0) {
        unlink(path);
        snprintf(err, n, "写入文件失败");
        return FZ_ERR;
    }
    return FZ_OK;
}

/* ---- xlsx ---- */

int report_render_xlsx(const json_t *m, const char *path, char *err, size_t n)
{
    lxw_workbook_options opt = {.constant_memory = LXW_FALSE, .tmpdir = NULL};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    if (!wb) {
        snprintf(err, n, "无法写入文件");
        return FZ_ERR;
    }
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "数据");
    worksheet_set_column(ws, 0, 0, 24, NULL);
    worksheet_set_column(ws, 1, 1, 36, NULL);
    worksheet_set_column(ws, 2, 2, 40, NULL);
    worksheet_set_column(ws, 3, 3, 8, NULL);
    worksheet_set_column(ws, 4, 4, 60, NULL);
    worksheet_write_string(ws, 0, 0, S(m, "title"), bold);
    const char *hdr[] = {"章节", "项目", "值", "已接入", "来源 / 口径"};
    for (int c = 0; c < 5; c++)
        worksheet_write_string(ws, 2, (lxw_col_t)c, hdr[c], bold);
    lxw_row_t row = 3;
    size_t i, j;
    json_t *sec, *f;
    json_array_foreach(json_object_get(m, "sections"), i, sec)
    {
        char h[128];
        snprintf(h, sizeof(h), "%s、%s", S(sec, "no"), S(sec, "heading"));
        json_array_foreach(json_object_get(sec, "figures"), j, f)
        {
            worksheet_write_string(ws, row, 0, h, NULL);
            worksheet_write_string(ws, row, 1, S(f, "label"), NULL);
            worksheet_write_string(ws, row, 2, S(f, "value"), NULL);
            worksheet_write_string(ws, row, 3, json_is_true(json_object_get(f, "available")) ? "是" : "否", NULL);
            worksheet_write_string(ws, row, 4, S(f, "source"), NULL);
            row++;
        }
    }

    lxw_worksheet *wi = workbook_add_worksheet(wb, "指标");
    worksheet_set_column(wi, 0, 0, 32, NULL);
    worksheet_set_column(wi, 1, 1, 30, NULL);
    const char *ih[] = {"指标", "名称", "分子", "分母", "值（%）", "方向", "目标", "情况", "公式"};
    for (int c = 0; c < 9; c++)
        worksheet_write_string(wi, 0, (lxw_col_t)c, ih[c], bold);
    row = 1;
    json_array_foreach(json_object_get(m, "indicators"), j, f)
    {
        worksheet_write_string(wi, row, 0, S(f, "title"), NULL);
        worksheet_write_string(wi, row, 1, S(f, "name"), NULL);
        worksheet_write_number(wi, row, 2, (double)json_integer_value(json_object_get(f, "num")), NULL);
        worksheet_write_number(wi, row, 3, (double)json_integer_value(json_object_get(f, "den")), NULL);
        worksheet_write_string(wi, row, 4, S(f, "value"), NULL);
        worksheet_write_string(wi, row, 5, S(f, "direction"), NULL);
        worksheet_write_string(wi, row, 6, S(f, "target"), NULL);
        worksheet_write_string(wi, row, 7, met_text(json_object_get(f, "met")), NULL);
        worksheet_write_string(wi, row, 8, "分子 ÷ 分母 × 100，全县各单位之和（indicator_values）", NULL);
        row++;
    }

    lxw_worksheet *we = workbook_add_worksheet(wb, "外部评价（非系统计算）");
    const char *eh[] = {"评价事项", "年度", "结果", "来源", "通报日期", "备注"};
    for (int c = 0; c < 6; c++)
        worksheet_write_string(we, 0, (lxw_col_t)c, eh[c], bold);
    row = 1;
    json_array_foreach(json_object_get(m, "external"), j, f)
    {
        worksheet_write_string(we, row, 0, S(f, "item"), NULL);
        worksheet_write_number(we, row, 1, (double)json_integer_value(json_object_get(f, "year")), NULL);
        worksheet_write_string(we, row, 2, S(f, "value"), NULL);
        worksheet_write_string(we, row, 3, S(f, "source"), NULL);
        worksheet_write_string(we, row, 4, S(f, "reported_on"), NULL);
        worksheet_write_string(we, row, 5, S(f, "notes"), NULL);
        row++;
    }
    if (workbook_close(wb) != LXW_NO_ERROR) {
        unlink(path);
        snprintf(err, n, "写入文件失败");
        return FZ_ERR;
    }
    return FZ_OK;
}
