/* cmd_laws.c: `fazhi laws import DIR --data D`: loads statutes written in
 * Markdown (the layout of shared/laws: "# 标题", articles "第N条 …", the
 * promulgation date in the file name "名称(YYYY-MM-DD).md") into the 法律法规
 * catalog through the catalog engine, so every row is versioned and every
 * change an event. A statute already present (same title and date) gets a
 * new version only when its text changed. All files are read and checked
 * before anything is written; then one transaction writes them all. */
#include "app/cli.h"
#include "engine/catalogs.h"
#include "engine/defs.h"
#include "engine/fieldcrypt.h"
#include "engine/schema.h"
#include "store/store.h"
#include "core/status.h"
#include "core/strbuf.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct law {
    char *file;
    json_t *values;
} law;

typedef struct laws_job {
    cat_ctx x;
    law *items;
    int n;
    int added, amended, same;
    const defs *d;
    char msg[600];
} laws_job;

static int is_numeral(const char *p, const char *end)
{
    static const char *const digits[] = {"零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "百", "千", NULL};
    if (p >= end)
        return 0;
    while (p < end) {
        int ok = 0;
        for (int i = 0; digits[i] && !ok; i++)
            if ((size_t)(end - p) >= strlen(digits[i]) && !strncmp(p, digits[i], strlen(digits[i]))) {
                p += strlen(digits[i]);
                ok = 1;
            }
        if (!ok)
            return 0;
    }
    return 1;
}

/* A line starting "第<数字>条" followed by a space opens an article. */
static int article_line(const char *line)
{
    if (strncmp(line, "第", 3) != 0)
        return 0;
    const char *tiao = strstr(line, "条");
    return tiao && tiao - line <= 3 + 3 * 12 && is_numeral(line + 3, tiao) &&
           (tiao[3] == ' ' || !strncmp(tiao + 3, "　", 3));
}

static const char *level_of(const char *title)
{
    if (strstr(title, "最高人民法院") || strstr(title, "最高人民检察院"))
        return "司法解释";
    size_t n = strlen(title);
    if (n >= 3 && !strcmp(title + n - 3, "法"))
        return "法律";
    if (strstr(title, "条例"))
        return "行政法规";
    if (strstr(title, "规定") || strstr(title, "办法"))
        return "部门规章";
    return "法律";
}

/* "本法自2021年7月15日起施行" -> "2021-07-15" (or NULL). */
static json_t *effective_of(const char *body)
{
    const char *p = strstr(body, "起施行");
    if (!p)
        return NULL;
    const char *start = p;
    while (start > body && (unsigned char)start[-1] != 0xE8 /* 自 = E8 87 AA */)
        start--;
    int y, m, d;
    if (start > body && sscanf(start + 2, "%d年%d月%d日", &y, &m, &d) == 3 && y > 1900 && m >= 1 && m <= 12 && d >= 1 &&
        d <= 31) {
        char out[32];
        snprintf(out, sizeof(out), "%04d-%02d-%02d", y, m, d);
        return json_string(out);
    }
    return NULL;
}

static int parse_law(const char *dir, const char *name, law *out, char *err, size_t errlen)
{
    char path[2048];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%.400s：无法读取", path);
        return FZ_ERR;
    }
    strbuf body = STRBUF_INIT;
    char *line = NULL, *title = NULL;
    size_t cap = 0;
    ssize_t len;
    int articles = 0;
    while ((len = getline(&line, &cap, f)) >= 0) {
        strbuf_append(&body, line, (size_t)len);
        if (!title && !strncmp(line, "# ", 2)) {
            line[strcspn(line, "\r\n")] = '\0';
            title = strdup(line + 2);
        } else if (article_line(line)) {
            articles++;
        }
    }
    free(line);
    fclose(f);
    const char *lp = strrchr(name, '('), *rp = lp ? strchr(lp, ')') : NULL;
    int y = 0, m = 0, d = 0;
    if (!title || !strbuf_ok(&body) || !lp || !rp || sscanf(lp + 1, "%d-%d-%d", &y, &m, &d) != 3) {
        snprintf(err, errlen, "%.400s：须有“# 标题”一行，文件名须为“名称(YYYY-MM-DD).md”", path);
        free(title);
        strbuf_free(&body);
        return FZ_INVALID;
    }
    char date[32];
    snprintf(date, sizeof(date), "%04d-%02d-%02d", y, m, d);
    json_t *eff = effective_of(body.data);
    out->values = json_pack("{s:s, s:s, s:s, s:i, s:s}", "title", title, "level", level_of(title), "promulgated_on",
                            date, "articles", articles, "body", body.data);
    if (eff)
        json_object_set_new(out->values, "effective_on", eff);
    out->file = strdup(path);
    free(title);
    strbuf_free(&body);
    return out->values ? FZ_OK : FZ_INVALID;
}

static int import_write(store_conn *w, void *ctx)
{
    laws_job *j = ctx;
    int rc = schema_sync(w, j->d, j->msg, sizeof(j->msg));
    for (int i = 0; !rc && i < j->n; i++) {
        int64_t row = 0, v;
        if ((rc = catalog_find_key(w, &j->x, j->items[i].values, &row)))
            break;
        if (!row) {
            rc = catalog_insert(w, &j->x, j->items[i].values, 1, &row);
            j->added++;
            continue;
        }
        json_t *cur = catalog_get(w, &j->x, row, 0);
        const char *old = json_string_value(json_object_get(json_object_get(cur, "fields"), "body"));
        const char *now = json_string_value(json_object_get(j->items[i].values, "body"));
        int same = old && now && !strcmp(old, now);
        json_decref(cur);
        if (same) {
            j->same++;
        } else {
            rc = catalog_update(w, &j->x, row, j->items[i].values, &v);
            j->amended++;
        }
    }
    if (rc && !j->msg[0])
        snprintf(j->msg, sizeof(j->msg), "%s", j->x.message[0] ? j->x.message : "写入失败");
    return rc;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int cmd_laws(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[0], "import") != 0) {
        fprintf(stderr, "用法：fazhi laws import DIR --data D\n");
        return 2;
    }
    config cfg;
    const char *pos[1];
    int npos;
    if (cli_parse(argc - 1, argv + 1, &cfg, 1, pos, 1, &npos, NULL, NULL) || npos != 1)
        return 2;
    const char *dir = pos[0];
    defs *d = NULL;
    defs_report *rep = calloc(1, sizeof(*rep));
    if (!rep || defs_load(cfg.defs, &d, rep) != FZ_OK || !defs_find(d, DEF_CATALOG, "laws")) {
        fprintf(stderr, "错误：定义目录 %s 无效或没有 laws 名录（fazhi defs check %s）\n", cfg.defs, cfg.defs);
        free(rep);
        defs_free(d);
        return 1;
    }
    free(rep);
    DIR *dh = opendir(dir);
    if (!dh) {
        fprintf(stderr, "错误：无法打开目录 %s\n", dir);
        defs_free(d);
        return 1;
    }
    char *names[1024];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dh)) && n < 1024) {
        size_t l = strlen(e->d_name);
        if (l > 3 && !strcmp(e->d_name + l - 3, ".md"))
            names[n++] = strdup(e->d_name);
    }
    closedir(dh);
    qsort(names, (size_t)n, sizeof(char *), name_cmp);
    laws_job j = {.d = d};
    j.items = calloc((size_t)(n ? n : 1), sizeof(law));
    char err[600];
    int rc = FZ_OK;
    field_keys keys;
    if (fieldcrypt_load(cfg.data, &keys, err, sizeof(err))) {
        fprintf(stderr, "错误：%s\n", err);
        rc = FZ_ERR;
    }
    j.x = (cat_ctx){.d = defs_find(d, DEF_CATALOG, "laws"), .keys = &keys, .ledger = cfg.region_code};
    for (int i = 0; i < n && !rc; i++) {
        if ((rc = parse_law(dir, names[i], &j.items[j.n], err, sizeof(err)))) {
            fprintf(stderr, "错误：%s（未导入任何文件）\n", err);
            break;
        }
        if (catalog_check(&j.x, j.items[j.n].values, 1)) {
            fprintf(stderr, "错误：%s：%s（未导入任何文件）\n", j.items[j.n].file, j.x.message);
            rc = FZ_INVALID;
            json_decref(j.items[j.n].values);
            free(j.items[j.n].file);
            break;
        }
        j.n++;
    }
    if (!rc) {
        store_opts o = {.url = cfg.store, .dir = cfg.data, .ledger = cfg.region_code, .batch_max = 1};
        store *s;
        if (store_open(&o, &s, err, sizeof(err)) != FZ_OK) {
            fprintf(stderr, "错误：%s\n", err);
            rc = FZ_ERR;
        } else {
            rc = store_write(s, import_write, &j);
            store_close(s);
            if (rc)
                fprintf(stderr, "错误：%s（未导入任何文件）\n", j.msg);
            else
                printf("OK 新增 %d，修订 %d，未变 %d（共 %d 个文件）\n", j.added, j.amended, j.same, j.n);
        }
    }
    for (int i = 0; i < j.n; i++) {
        json_decref(j.items[i].values);
        free(j.items[i].file);
    }
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(j.items);
    defs_free(d);
    return rc ? 1 : 0;
}
