/* cmd_import.c: `fazhi import --data DIR KIND FILE [--unit-id N]
 * [--publish 1] [--history 1] [--analyze 0]`: loads a CSV or xlsx file into a
 * catalog (KIND = its name) or as historic cases of a procedure (KIND = its
 * kind), all or nothing (engine/importer.h). Every bad row is printed as
 * 第 N 行，列「X」：reason and nothing is written. --publish 1 also writes the
 * 公示 of every imported case in a state its publish step starts from (bulk
 * loads of history, bench/gen); --history 1 also writes each case's step
 * history (its date fields and step-date columns) as case.history events
 * after its case.imported; --analyze 0 skips refreshing the planner's
 * statistics afterwards (a load in many files refreshes them once, at the
 * end). */
#include "app/cli.h"
#include "engine/indicators.h"
#include "engine/fieldcrypt.h"
#include "engine/importer.h"
#include "engine/schema.h"
#include "store/store.h"
#include "core/parse.h"
#include "core/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const FLAGS[] = {"--unit-id", "--publish", "--analyze", "--history", NULL};

typedef struct job {
    import_job in;
    const defs *d;
    char msg[600];
} job;

static int write_all(store_conn *w, void *ctx)
{
    job *j = ctx;
    int64_t refacts;
    int rc = schema_sync(w, j->d, j->msg, sizeof(j->msg));
    if (!rc)
        rc = ind_sync(w, j->d, &refacts);
    return rc ? rc : import_write(w, &j->in);
}

int cmd_import(int argc, char **argv)
{
    config cfg;
    const char *pos[2], *x[4];
    int npos;
    if (cli_parse(argc, argv, &cfg, 1, pos, 2, &npos, FLAGS, x))
        return 2;
    if (npos != 2) {
        fprintf(stderr, "用法：fazhi import --data DIR KIND FILE [--unit-id N] [--publish 0|1] [--history 0|1]"
                        " [--analyze 0|1]\n");
        return 2;
    }
    int64_t unit = 1, publish = 0, analyze = 1, history = 0;
    if (x[0] && parse_i64(x[0], 1, INT64_MAX, &unit) != FZ_OK) {
        fprintf(stderr, "错误：--unit-id 应为正整数\n");
        return 2;
    }
    if ((x[1] && parse_i64(x[1], 0, 1, &publish) != FZ_OK) || (x[2] && parse_i64(x[2], 0, 1, &analyze) != FZ_OK) ||
        (x[3] && parse_i64(x[3], 0, 1, &history) != FZ_OK)) {
        fprintf(stderr, "错误：--publish、--history 与 --analyze 应为 0 或 1\n");
        return 2;
    }
    defs *d = NULL;
    defs_report *drep = calloc(1, sizeof(*drep));
    int rc = drep ? defs_load(cfg.defs, &d, drep) : FZ_NOMEM;
    free(drep);
    if (rc) {
        fprintf(stderr, "错误：定义目录 %s 无效（fazhi defs check %s）\n", cfg.defs, cfg.defs);
        return 1;
    }
    const def *target = defs_find(d, DEF_CATALOG, pos[0]);
    if (!target)
        target = defs_find(d, DEF_PROCEDURE, pos[0]);
    if (!target) {
        fprintf(stderr, "错误：没有名为 %s 的名录或程序\n", pos[0]);
        defs_free(d);
        return 1;
    }
    if (history && target->type != DEF_PROCEDURE) {
        fprintf(stderr, "错误：--history 只用于导入历史案件（%s 是名录）\n", pos[0]);
        defs_free(d);
        return 2;
    }
    import_report *rep = calloc(1, sizeof(*rep));
    json_t *rows = NULL;
    rc = rep ? import_read(target, pos[1], (int)history, &rows, rep) : FZ_NOMEM;
    if (rc) {
        if (rep && rep->fatal[0])
            fprintf(stderr, "错误：%s：%s\n", pos[1], rep->fatal);
        for (int i = 0; rep && i < rep->nerrors; i++)
            fprintf(stderr, "第 %ld 行，列「%s」：%s\n", rep->errors[i].row, rep->errors[i].column, rep->errors[i].reason);
        if (rep && rep->total_errors)
            fprintf(stderr, "FAIL %d 处错误，未导入任何记录\n", rep->total_errors);
        free(rep);
        defs_free(d);
        return 1;
    }
    char err[600];
    field_keys keys;
    store *s = NULL;
    store_opts o = {.url = cfg.store, .dir = cfg.data, .ledger = cfg.region_code, .batch_max = 1,
                    .bulk = 1};
    if (fieldcrypt_load(cfg.data, &keys, err, sizeof(err)) || store_open(&o, &s, err, sizeof(err)) != FZ_OK) {
        fprintf(stderr, "错误：%s\n", err);
        json_decref(rows);
        free(rep);
        defs_free(d);
        return 1;
    }
    job j = {.in = {.d = target, .rows = rows, .keys = &keys, .ledger = cfg.region_code, .unit_id = unit,
                     .publish = (int)publish}, .d = d};
    ind_set_defs(d);
    rc = store_write(s, write_all, &j);
    ind_set_defs(NULL);
    if (rc == FZ_OK && analyze && store_analyze(s) != FZ_OK)
        fprintf(stderr, "提示：导入已完成，但更新数据库统计信息失败（不影响数据）\n");
    store_close(s);
    if (rc)
        fprintf(stderr, "错误：%s（未导入任何记录）\n", j.in.why[0] ? j.in.why : j.msg[0] ? j.msg : "写入失败");
    else {
        printf("OK 导入 %d 条（%s）", j.in.written, json_string_value(json_object_get(target->json, "title")));
        if (j.in.published)
            printf("，公示 %d 条", j.in.published);
        if (history)
            printf("，历史步骤 %d 条", j.in.history_events);
        printf("\n");
    }
    json_decref(rows);
    free(rep);
    defs_free(d);
    return rc ? 1 : 0;
}
