/* report_api.c: 法治政府建设年度报告 over HTTP (docs/report.md §4,
 * engine/report.h). The same model and renderers as `fazhi report annual`.
 *
 *   GET /api/reports/annual?year=YYYY
 *       the report's JSON model (title, sections 一–五 with their figures,
 *       indicators, shortcomings, external results).
 *   GET /api/reports/annual?year=YYYY&format=html|docx|xlsx
 *       the rendered file as a download named 《<title>》.<ext>.
 *
 * year defaults to the previous year (the report is on the year before);
 * 2000 to this year, as on the command line. Read-only: the model is built on
 * the worker's reader connection (the server synced the schema at start, so
 * the CLI's schema_sync is not needed). Renderers write to a path, so the file
 * goes to a private temp file under DIR/tmp (mkstemp, 0600) that
 * req_reply_file streams and unlinks.
 *
 * The report is the county's published statistics, like the 指标看板: every
 * holder of case:view may read it (routes.c). */
#include "api/app.h"
#include "api/routes.h"
#include "api/util.h"
#include "engine/report.h"
#include "core/log.h"
#include "core/status.h"
#include "core/timeutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef int (*render_fn)(const json_t *m, const char *path, char *err, size_t n);

typedef struct fmt_def {
    const char *name;
    const char *mime;
    render_fn render;
} fmt_def;

static const fmt_def FORMATS[] = {
    {"html", "text/html; charset=utf-8", report_render_html},
    {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", report_render_docx},
    {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", report_render_xlsx},
};

/* year: exactly four digits, 2000..this year; absent or empty: last year. */
static int query_year(req *r, int today, int *year)
{
    const char *v = req_query(r, "year");
    *year = today / 10000 - 1;
    if (!v || !*v)
        return FZ_OK;
    int ok = strlen(v) == 4, y = 0;
    for (int i = 0; ok && i < 4; i++) {
        ok = v[i] >= '0' && v[i] <= '9';
        y = y * 10 + (v[i] - '0');
    }
    if (!ok || y < 2000 || y > today / 10000) {
        char reason[96];
        snprintf(reason, sizeof(reason), "应为 2000 年至今年（%d）之间的四位年份", today / 10000);
        return api_invalid(r, "year", "报告年度", reason);
    }
    *year = y;
    return FZ_OK;
}

/* Renders m in format f into a temp file and replies with it. */
static int reply_rendered(req *r, const json_t *m, const fmt_def *f)
{
    app *a = req_app(r);
    char dir[1100], path[1200], err[512] = "";
    snprintf(dir, sizeof(dir), "%s/tmp", a->cfg.data);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        log_error("report: mkdir %s: %s", dir, strerror(errno));
        return req_reply_error(r, 500, "internal", "无法创建临时目录", NULL);
    }
    snprintf(path, sizeof(path), "%s/report-XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd < 0) {
        log_error("report: mkstemp in %s: %s", dir, strerror(errno));
        return req_reply_error(r, 500, "internal", "无法创建临时文件", NULL);
    }
    close(fd);
    if (f->render(m, path, err, sizeof(err)) != FZ_OK) {
        log_error("report: rendering %s: %s", f->name, err);
        unlink(path);
        return req_reply_error(r, 500, "internal", "生成报告文件失败", NULL);
    }
    const char *title = json_string_value(json_object_get(m, "title"));
    char name[400];
    snprintf(name, sizeof(name), "《%s》.%s", title ? title : "法治政府建设情况报告", f->name);
    return req_reply_file(r, path, f->mime, name);
}

int api_report_annual(req *r)
{
    app *a = req_app(r);
    int today = today_yyyymmdd(), year;
    if (query_year(r, today, &year))
        return FZ_OK;
    const char *format;
    if (api_query_text(r, "format", &format))
        return FZ_OK;
    const fmt_def *f = NULL;
    for (size_t i = 0; *format && i < sizeof(FORMATS) / sizeof(FORMATS[0]); i++)
        if (!strcmp(format, FORMATS[i].name))
            f = &FORMATS[i];
    if (*format && !f)
        return api_invalid(r, "format", "报告格式", "应为 html、docx 或 xlsx（不给出时返回 JSON 模型）");
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    report_opts o = {.region_code = a->cfg.region_code,
                     .year = year,
                     .today_ymd = today,
                     .required_hours = a->cfg.training_hours_required};
    json_t *m = NULL;
    int rc = report_annual_model(c, a->defs, &o, &m);
    if (rc == FZ_INVALID)
        return api_invalid(r, "year", "报告年度", "不能晚于今年");
    if (rc != FZ_OK || !m) {
        json_decref(m);
        return api_store_error(r);
    }
    if (!f)
        return req_reply_json(r, 200, m);
    rc = reply_rendered(r, m, f);
    json_decref(m);
    return rc;
}
