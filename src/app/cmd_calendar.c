/* cmd_calendar.c: `fazhi calendar add|count|show|import`: deadline arithmetic
 * for officials and for checks, the year as month grids, and importing the
 * State Council's next schedule (docs/deadlines.md).
 *
 * add, count and show use the shipped schedules unless --data DIR is given
 * (then the data directory's calendar in force, read-only). They print only
 * the answer on stdout; a provisional answer (a year without a schedule was
 * involved) is flagged on stderr. import needs --data (or FAZHI_DATA) and
 * writes through the store, recomputing open clocks, like the admin UI.
 * Exit codes: 0 done, 1 refused or failed, 2 bad command line. */
#include "app/cli.h"
#include "engine/indicators.h"
#include "engine/holidays.h"
#include "engine/scheduler.h"
#include "store/store.h"
#include "core/calendar.h"
#include "core/calfile.h"
#include "core/deadline.h"
#include "core/parse.h"
#include "core/status.h"
#include "core/strbuf.h"
#include "core/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USAGE                                                                                                  \
    "用法：fazhi calendar add 日期 N{wd|d|m} [--roll] [--data DIR]\n"                                          \
    "      fazhi calendar count 起日 止日 [--data DIR]\n"                                                      \
    "      fazhi calendar show 年份 [--data DIR]\n"                                                            \
    "      fazhi calendar import 文件 [--data DIR] [--check]\n"

typedef struct cal_args {
    const char *pos[3];
    int npos;
    int roll;
    const char *data;
} cal_args;

/* add/count/show: positionals, --roll, --data DIR. */
static int parse_simple(int argc, char **argv, int maxpos, int allow_roll, cal_args *a)
{
    memset(a, 0, sizeof(*a));
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i];
        if (allow_roll && strcmp(s, "--roll") == 0) {
            a->roll = 1;
        } else if (strcmp(s, "--data") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "错误：参数 --data 缺少值\n");
                return -1;
            }
            a->data = argv[++i];
        } else if (strncmp(s, "--data=", 7) == 0) {
            a->data = s + 7;
        } else if (strncmp(s, "--", 2) == 0) {
            fprintf(stderr, "错误：未知参数 %s\n" USAGE, s);
            return -1;
        } else if (a->npos < maxpos) {
            a->pos[a->npos++] = s;
        } else {
            fprintf(stderr, "错误：多余的参数 %s\n" USAGE, s);
            return -1;
        }
    }
    if (a->npos != maxpos) {
        fprintf(stderr, "错误：参数不足\n" USAGE);
        return -1;
    }
    return 0;
}

static int load_cal(const char *data, cal **out)
{
    if (!data) {
        if (holidays_build_shipped(out) == FZ_OK)
            return 0;
        fprintf(stderr, "错误：内置节假日安排无法读取\n");
        return -1;
    }
    char err[512];
    config cfg; /* the data directory's own fazhi.conf says where its database is */
    config_defaults(&cfg);
    if (config_load_file(&cfg, data, err, sizeof(err)) || config_load_env(&cfg, err, sizeof(err))) {
        fprintf(stderr, "错误：%s\n", err);
        return -1;
    }
    store_opts o = {.url = cfg.store, .dir = data, .no_writer = 1};
    store *s = NULL;
    if (store_open(&o, &s, err, sizeof(err)) != FZ_OK) {
        fprintf(stderr, "错误：%s\n", err);
        return -1;
    }
    store_conn *c = store_reader(s);
    int rc = c ? holidays_build(c, out) : FZ_ERR;
    store_close(s);
    if (rc) {
        fprintf(stderr, "错误：无法读取数据目录 %s 的工作日历（数据库结构可能过旧：请先用本版本的 fazhi serve 启动一次）\n",
                data);
        return -1;
    }
    return 0;
}

static int parse_date_arg(const char *s, const char *what, int64_t *day)
{
    int y, m, d;
    if (date_parse(s, &y, &m, &d) != FZ_OK) {
        fprintf(stderr, "错误：%s“%s”无效，应为 YYYY-MM-DD 格式的真实日期\n", what, s);
        return -1;
    }
    *day = days_from_civil(y, m, d);
    if (!cal_in_span(*day)) {
        fprintf(stderr, "错误：%s %s 超出日历范围（%d–%d 年）\n", what, s, CAL_FIRST_YEAR, CAL_LAST_YEAR);
        return -1;
    }
    return 0;
}

static void warn_provisional(const cal *c, int64_t a, int64_t b)
{
    if (a > b) {
        int64_t t = a;
        a = b;
        b = t;
    }
    int y0, y1, m, d;
    civil_from_days(a, &y0, &m, &d);
    civil_from_days(b, &y1, &m, &d);
    strbuf s = STRBUF_INIT;
    for (int y = y0; y <= y1; y++)
        if (!cal_year_official(c, y))
            strbuf_printf(&s, "%s%d", s.len ? "、" : "", y);
    if (s.len)
        fprintf(stderr, "注意：%s 年的节假日安排未加载，仅按周末计算，结果为暂定（日历未发布，期限为暂定）\n", s.data);
    strbuf_free(&s);
}

static int cmd_add(int argc, char **argv)
{
    cal_args a;
    if (parse_simple(argc, argv, 2, 1, &a))
        return 2;
    int64_t start;
    dl_rule rule;
    const char *why = NULL;
    if (parse_date_arg(a.pos[0], "日期", &start))
        return 2;
    if (dl_rule_parse(a.pos[1], &rule, &why) != FZ_OK) {
        fprintf(stderr, "错误：期限“%s”无效：%s\n", a.pos[1], why);
        return 2;
    }
    if (a.roll && rule.unit == DL_WD) {
        fprintf(stderr, "错误：--roll 只用于日（d）或月（m）；按工作日计算的届满日必是工作日\n");
        return 2;
    }
    cal *c;
    if (load_cal(a.data, &c))
        return 1;
    int64_t out;
    int prov = 0;
    int rc = dl_add(c, start, rule, a.roll, &out, &prov);
    if (rc) {
        fprintf(stderr, "错误：结果超出日历范围（%d–%d 年）\n", CAL_FIRST_YEAR, CAL_LAST_YEAR);
        cal_free(c);
        return 1;
    }
    int y, m, d;
    char s[11];
    civil_from_days(out, &y, &m, &d);
    date_format(y, m, d, s);
    printf("%s\n", s);
    if (prov)
        warn_provisional(c, start, out);
    cal_free(c);
    return 0;
}

static int cmd_count(int argc, char **argv)
{
    cal_args a;
    if (parse_simple(argc, argv, 2, 0, &a))
        return 2;
    int64_t from, to;
    if (parse_date_arg(a.pos[0], "起日", &from) || parse_date_arg(a.pos[1], "止日", &to))
        return 2;
    cal *c;
    if (load_cal(a.data, &c))
        return 1;
    int64_t n;
    int prov = 0;
    cal_count_workdays(c, from, to, &n, &prov);
    printf("%lld\n", (long long)n);
    if (prov)
        warn_provisional(c, from + (from < to), to);
    cal_free(c);
    return 0;
}

/* ---- show ---- */

#define CELL_COLS 4
#define MONTH_COLS (7 * CELL_COLS)

/* Appends s and pads it with spaces to `cols` display columns; CJK
 * characters (3-byte UTF-8 here) are two columns wide. */
static void put_padded(strbuf *b, const char *s, int cols)
{
    int w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        if (*p < 0x80) {
            w++;
            p++;
        } else {
            w += 2;
            p += (*p >= 0xF0) ? 4 : (*p >= 0xE0) ? 3 : 2;
        }
    }
    strbuf_puts(b, s);
    for (; w < cols; w++)
        strbuf_putc(b, ' ');
}

/* Line `line` (0 = title, 1 = weekday header, 2.. = weeks) of month m. */
static void month_line(const cal *c, int year, int m, int line, strbuf *b)
{
    static const char *const head[] = {" 一 ", " 二 ", " 三 ", " 四 ", " 五 ", " 六 ", " 日 "};
    if (line == 0) {
        char t[16];
        snprintf(t, sizeof(t), "     %d月", m);
        put_padded(b, t, MONTH_COLS);
        return;
    }
    if (line == 1) {
        for (int i = 0; i < 7; i++)
            strbuf_puts(b, head[i]);
        return;
    }
    int64_t first = days_from_civil(year, m, 1);
    int lead = (weekday_from_days(first) + 6) % 7; /* Monday first */
    int ndays = date_days_in_month(year, m);
    for (int col = 0; col < 7; col++) {
        int day = (line - 2) * 7 + col - lead + 1;
        if (day < 1 || day > ndays) {
            strbuf_puts(b, "    ");
            continue;
        }
        int64_t dn = first + day - 1;
        int mark = cal_mark_of(c, dn), work = cal_is_workday(c, dn) == 1;
        const char *tag = mark == CAL_MARK_REST ? "休" : mark == CAL_MARK_WORK ? "班" : work ? "  " : "* ";
        strbuf_printf(b, "%2d%s", day, tag);
    }
}

static void rstrip(strbuf *b)
{
    while (b->len && b->data[b->len - 1] == ' ')
        b->data[--b->len] = '\0';
}

static int cmd_show(int argc, char **argv)
{
    cal_args a;
    if (parse_simple(argc, argv, 1, 0, &a))
        return 2;
    int year;
    if (parse_int(a.pos[0], CAL_FIRST_YEAR, CAL_LAST_YEAR, &year) != FZ_OK) {
        fprintf(stderr, "错误：年份“%s”无效，应为 %d 到 %d 之间的整数\n", a.pos[0], CAL_FIRST_YEAR, CAL_LAST_YEAR);
        return 2;
    }
    cal *c;
    if (load_cal(a.data, &c))
        return 1;
    if (cal_year_official(c, year))
        printf("%d 年工作日历：全年工作日 %d 天（已加载国务院办公厅节假日安排）\n", year, cal_year_workdays(c, year));
    else
        printf("%d 年工作日历：全年工作日 %d 天（暂定：节假日安排未加载，仅按周末计算）\n", year,
               cal_year_workdays(c, year));
    printf("标记：休 = 法定节假日休息，班 = 调休上班，* = 周末休息\n");
    strbuf b = STRBUF_INIT;
    for (int q = 0; q < 4; q++) {
        for (int line = 0; line < 8; line++) {
            strbuf_reset(&b);
            for (int k = 0; k < 3; k++) {
                if (k)
                    strbuf_puts(&b, "   ");
                size_t before = b.len;
                month_line(c, year, q * 3 + k + 1, line, &b);
                /* Keep the columns of the next month aligned. */
                if (b.len == before)
                    put_padded(&b, "", MONTH_COLS);
            }
            rstrip(&b);
            if (line == 0)
                printf("\n");
            if (line < 2 || b.len)
                printf("%s\n", b.data ? b.data : "");
        }
    }
    strbuf_free(&b);
    cal_free(c);
    return 0;
}

/* ---- import ---- */

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    strbuf b = STRBUF_INIT;
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0 && b.len < 8 * 1024 * 1024)
        strbuf_append(&b, buf, n);
    int bad = ferror(f) || b.len >= 8 * 1024 * 1024;
    fclose(f);
    if (bad || !strbuf_ok(&b)) {
        strbuf_free(&b);
        return NULL;
    }
    return strbuf_detach(&b, len);
}

static void print_years(const calfile *f)
{
    for (size_t i = 0; i < f->nyears; i++) {
        int rest, work;
        calfile_counts(&f->years[i], &rest, &work);
        printf("%d 年：休 %d 天、调休上班 %d 天，全年工作日 %d 天%s%s\n", f->years[i].year, rest, work,
               holidays_year_workdays(&f->years[i]), f->years[i].source[0] ? "；来源：" : "", f->years[i].source);
    }
}

static int cal_cmd_import(int argc, char **argv)
{
    int check = 0, n = 0, has_data = getenv("FAZHI_DATA") != NULL;
    char **rest = calloc((size_t)argc + 1, sizeof(char *));
    if (!rest)
        return 1;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--check") == 0)
            check = 1;
        else
            rest[n++] = argv[i];
        has_data |= strcmp(argv[i], "--data") == 0 || strncmp(argv[i], "--data=", 7) == 0;
    }
    if (!check && !has_data) {
        free(rest);
        fprintf(stderr, "错误：导入需要数据目录 --data DIR（只检查文件请加 --check）\n" USAGE);
        return 2;
    }
    config cfg;
    const char *pos[1];
    int npos;
    int bad = cli_parse(n, rest, &cfg, !check, pos, 1, &npos, NULL, NULL);
    free(rest);
    if (bad)
        return 2;
    if (npos != 1) {
        fprintf(stderr, "错误：请给出要导入的文件\n" USAGE);
        return 2;
    }
    size_t len;
    char *text = read_file(pos[0], &len);
    if (!text) {
        fprintf(stderr, "错误：无法读取文件 %s（不存在、不可读或超过 8 MB）\n", pos[0]);
        return 1;
    }
    calfile f;
    char err[512];
    int rc = calfile_parse(text, len, &f, err, sizeof(err));
    free(text);
    if (rc) {
        fprintf(stderr, "错误：%s：%s；未导入任何内容\n", pos[0], err);
        calfile_free(&f);
        return 1;
    }
    if (check) {
        printf("检查通过：\n");
        print_years(&f);
        calfile_free(&f);
        return 0;
    }
    store_opts o = {.url = cfg.store, .dir = cfg.data, .ledger = cfg.region_code, .batch_max = cfg.commit_batch_max};
    store *s = NULL;
    if (store_open(&o, &s, err, sizeof(err)) != FZ_OK) {
        fprintf(stderr, "错误：%s\n", err);
        calfile_free(&f);
        return 1;
    }
    /* Shipped years first, as `serve` does, so that the range check and the
     * recompute see the same calendar the server will. */
    holidays_import_job seed = {.ledger = cfg.region_code, .actor = "cli", .today = scheduler_today()};
    holidays_import_job j = {.ledger = cfg.region_code, .actor = "cli", .file = &f, .origin = "import",
                             .today = scheduler_today(), .check_range = 1};
    /* Recomputed clocks may change state: the indicators follow in the same
     * job (engine/indicators.h); without valid definitions they are left to
     * `fazhi indicators recompute`. */
    defs *d = NULL;
    rc = cli_load_defs(&cfg, &d) == 0 ? ind_attach(s, d, NULL) : FZ_OK;
    if (!rc)
        rc = store_write(s, holidays_seed_job, &seed);
    if (!rc)
        rc = store_write(s, holidays_import_job_fn, &j);
    store_close(s);
    ind_set_defs(NULL);
    defs_free(d);
    holidays_cache_clear();
    if (rc == FZ_INVALID) {
        fprintf(stderr, "错误：%s：%s；未导入任何内容\n", pos[0], j.err);
        calfile_free(&f);
        return 1;
    }
    if (rc) {
        fprintf(stderr, "错误：写入数据库失败，未导入任何内容\n");
        calfile_free(&f);
        return 1;
    }
    print_years(&f);
    printf("已导入 %d 个年份，%d 个年份与已有安排相同未变动；重新计算后 %d 个未结期限的届满日发生变化（均已记录事件）\n",
           j.imported, j.unchanged, j.clocks_changed);
    calfile_free(&f);
    return 0;
}

int cmd_calendar(int argc, char **argv)
{
    if (argc < 1) {
        fprintf(stderr, USAGE);
        return 2;
    }
    const char *sub = argv[0];
    if (strcmp(sub, "add") == 0)
        return cmd_add(argc - 1, argv + 1);
    if (strcmp(sub, "count") == 0)
        return cmd_count(argc - 1, argv + 1);
    if (strcmp(sub, "show") == 0)
        return cmd_show(argc - 1, argv + 1);
    if (strcmp(sub, "import") == 0)
        return cal_cmd_import(argc - 1, argv + 1);
    fprintf(stderr, "错误：未知子命令 calendar %s\n" USAGE, sub);
    return 2;
}
