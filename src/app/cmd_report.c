/* cmd_report.c: `fazhi report annual --data DIR --year YYYY --format
 * html|docx|xlsx --out FILE`: 《XX县YYYY年度法治政府建设情况报告》 from the
 * record (engine/report.h, docs/report.md). The file is written under a
 * temporary name next to FILE and renamed into place, so a failure leaves no
 * partial file. Exit 2 on bad options, 1 when the report cannot be made. */
#include "app/cli.h"
#include "engine/report.h"
#include "engine/schema.h"
#include "store/store.h"
#include "core/status.h"
#include "core/timeutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define USAGE "用法：fazhi report annual --data DIR --year YYYY --format html|docx|xlsx --out FILE\n"

static const char *const FLAGS[] = {"--year", "--format", "--out", NULL};

typedef struct job {
    const defs *d;
    report_opts o;
    json_t *model;
    int rc;
    char msg[600];
} job;

static int build(store_conn *w, void *ctx)
{
    job *j = ctx;
    /* New catalogs (external_results) get their tables as `serve` would. */
    int rc = schema_sync(w, j->d, j->msg, sizeof(j->msg));
    if (rc)
        return rc;
    j->rc = report_annual_model(w, j->d, &j->o, &j->model);
    return j->rc;
}

static int parse_year(const char *s, int *out)
{
    if (!s || strlen(s) != 4)
        return -1;
    for (int i = 0; i < 4; i++)
        if (s[i] < '0' || s[i] > '9')
            return -1;
    int v = 0;
    for (int i = 0; i < 4; i++)
        v = v * 10 + (s[i] - '0');
    *out = v;
    return 0;
}

int cmd_report(int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "annual") != 0) {
        fprintf(stderr, "错误：未知的报告类型%s%s\n" USAGE, argc ? " " : "", argc ? argv[0] : "");
        return 2;
    }
    config cfg;
    const char *pos[1], *x[3];
    int npos;
    if (cli_parse(argc - 1, argv + 1, &cfg, 1, pos, 0, &npos, FLAGS, x))
        return 2;
    int today = today_yyyymmdd(), year = 0;
    if (!x[0]) {
        fprintf(stderr, "错误：缺少 --year（报告年度，如 --year %d）\n" USAGE, today / 10000 - 1);
        return 2;
    }
    if (parse_year(x[0], &year) || year < 2000 || year > today / 10000) {
        fprintf(stderr, "错误：--year 的值“%s”无效：须为 2000 年至今年（%d）之间的四位年份\n", x[0], today / 10000);
        return 2;
    }
    const char *fmt = x[1];
    if (!fmt || (strcmp(fmt, "html") != 0 && strcmp(fmt, "docx") != 0 && strcmp(fmt, "xlsx") != 0)) {
        fprintf(stderr, "错误：--format 的值“%s”无效：须为 html、docx 或 xlsx\n", fmt ? fmt : "");
        return 2;
    }
    const char *out = x[2];
    if (!out || !*out) {
        fprintf(stderr, "错误：缺少 --out（输出文件）\n" USAGE);
        return 2;
    }
    /* Writable? A temporary file next to the output, renamed at the end. */
    size_t tl = strlen(out) + 16;
    char *tmp = malloc(tl);
    if (!tmp)
        return 1;
    snprintf(tmp, tl, "%s.tmp-XXXXXX", out);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        fprintf(stderr, "错误：--out 指定的文件 %s 无法写入（%s）\n", out, strerror(errno));
        free(tmp);
        return 1;
    }
    close(fd);
    unlink(tmp);

    defs *d = NULL;
    if (cli_load_defs(&cfg, &d)) {
        free(tmp);
        return 1;
    }
    char err[512];
    store_opts so = {.url = cfg.store, .dir = cfg.data, .ledger = cfg.region_code, .batch_max = 1};
    store *s = NULL;
    if (store_open(&so, &s, err, sizeof(err)) != FZ_OK) {
        fprintf(stderr, "错误：%s\n", err);
        defs_free(d);
        free(tmp);
        return 1;
    }
    job j = {.d = d,
             .o = {.region_code = cfg.region_code,
                   .year = year,
                   .today_ymd = today,
                   .required_hours = cfg.training_hours_required}};
    int rc = store_write(s, build, &j);
    store_close(s);
    if (rc || !j.model) {
        fprintf(stderr, "错误：生成报告失败%s%s\n", j.msg[0] ? "：" : "", j.msg);
        defs_free(d);
        free(tmp);
        return 1;
    }
    err[0] = '\0';
    if (strcmp(fmt, "html") == 0)
        rc = report_render_html(j.model, tmp, err, sizeof(err));
    else if (strcmp(fmt, "docx") == 0)
        rc = report_render_docx(j.model, tmp, err, sizeof(err));
    else
        rc = report_render_xlsx(j.model, tmp, err, sizeof(err));
    if (rc == FZ_OK && rename(tmp, out) != 0) {
        snprintf(err, sizeof(err), "%s", strerror(errno));
        rc = FZ_ERR;
    }
    if (rc != FZ_OK) {
        unlink(tmp);
        fprintf(stderr, "错误：--out 指定的文件 %s 写入失败：%s\n", out, err);
    } else
        printf("OK 已生成《%s》：%s\n", json_string_value(json_object_get(j.model, "title")), out);
    json_decref(j.model);
    defs_free(d);
    free(tmp);
    return rc == FZ_OK ? 0 : 1;
}
