/* export.c: CSV and xlsx writers (see export.h). */
#include "engine/export.h"
#include "core/status.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

struct exporter {
    export_format f;
    int ncols;
    FILE *csv;
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *bold;
    lxw_row_t row;
    int failed;
};

int export_format_parse(const char *s)
{
    if (s && strcmp(s, "csv") == 0)
        return EXPORT_CSV;
    if (s && strcmp(s, "xlsx") == 0)
        return EXPORT_XLSX;
    return -1;
}

const char *export_mime(export_format f)
{
    return f == EXPORT_XLSX ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                            : "text/csv; charset=utf-8";
}

const char *export_ext(export_format f)
{
    return f == EXPORT_XLSX ? "xlsx" : "csv";
}

/* Spreadsheet programs run cells starting with these as formulas (CSV
 * injection); a leading apostrophe keeps them text. */
static int formula_like(const char *s)
{
    return s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r';
}

static void csv_cell(FILE *f, const char *s)
{
    if (!s)
        s = "";
    int quote = strpbrk(s, ",\"\r\n") != NULL || formula_like(s);
    if (!quote) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    if (formula_like(s))
        fputc('\'', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

exporter *export_open(export_format f, const char *path, const char *sheet, const char *const *headers, int ncols)
{
    exporter *e = calloc(1, sizeof(*e));
    if (!e)
        return NULL;
    e->f = f;
    e->ncols = ncols;
    if (f == EXPORT_CSV) {
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        e->csv = fd >= 0 ? fdopen(fd, "w") : NULL;
        if (!e->csv) {
            if (fd >= 0)
                close(fd);
            free(e);
            return NULL;
        }
        fputs("\xEF\xBB\xBF", e->csv); /* BOM: Excel and WPS then read UTF-8 */
    } else {
        lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
        e->wb = workbook_new_opt(path, &opt);
        e->ws = e->wb ? workbook_add_worksheet(e->wb, sheet) : NULL;
        if (!e->ws) {
            if (e->wb)
                workbook_close(e->wb);
            free(e);
            return NULL;
        }
        e->bold = workbook_add_format(e->wb);
        format_set_bold(e->bold);
    }
    if (export_row(e, headers)) {
        export_close(e);
        return NULL;
    }
    return e;
}

int export_row(exporter *e, const char *const *cells)
{
    if (e->f == EXPORT_CSV) {
        for (int i = 0; i < e->ncols; i++) {
            if (i)
                fputc(',', e->csv);
            csv_cell(e->csv, cells[i]);
        }
        fputs("\r\n", e->csv);
        if (ferror(e->csv))
            e->failed = 1;
    } else {
        for (int i = 0; i < e->ncols; i++) {
            const char *s = cells[i] ? cells[i] : "";
            if (worksheet_write_string(e->ws, e->row, (lxw_col_t)i, s, e->row == 0 ? e->bold : NULL) !=
                LXW_NO_ERROR)
                e->failed = 1;
        }
        e->row++;
    }
    return e->failed ? FZ_ERR : FZ_OK;
}

int export_close(exporter *e)
{
    int rc = e->failed ? FZ_ERR : FZ_OK;
    if (e->csv) {
        if (fflush(e->csv) || fsync(fileno(e->csv)))
            rc = FZ_ERR;
        if (fclose(e->csv))
            rc = FZ_ERR;
    }
    if (e->wb && workbook_close(e->wb) != LXW_NO_ERROR)
        rc = FZ_ERR;
    free(e);
    return rc;
}
