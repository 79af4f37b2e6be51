/* cmd_indicators.c: `fazhi indicators recompute --data DIR [--check |
 * --records]`: rebuilds every indicator fact and value from the record
 * (engine/indicators.h) in one write job, or with --check only compares them
 * with what the incremental maintenance stored, printing each difference
 * (exit 1 when there is any). 全过程记录率 reads each case's records column
 * (engine/reccol.h); --check derives the records from the events and
 * attachments instead and reports every case whose column differs;
 * --records re-derives and rewrites the column of every case first. Safe
 * while the server runs: the job holds the write lock, so it sees one
 * consistent record. */
#include "app/cli.h"
#include "engine/indicators.h"
#include "store/store.h"
#include "core/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define USAGE "用法：fazhi indicators recompute --data DIR [--check | --records]\n"

typedef struct job {
    const defs *d;
    store *s;
    int flags;
    int64_t facts, diff, records;
} job;

/* The only job of its commit (batch_max 1) and nothing written before the
 * recompute reads: a read connection sees what the job sees. */
static int run(store_conn *w, void *ctx)
{
    job *j = ctx;
    return ind_recompute(w, j->s, j->d, j->flags, stdout, &j->facts, &j->diff, &j->records);
}

int cmd_indicators(int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "recompute") != 0) {
        fprintf(stderr, USAGE);
        return 2;
    }
    int flags = 0, n = 0;
    char **rest = calloc((size_t)argc, sizeof(char *));
    if (!rest)
        return 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--check") == 0)
            flags |= IND_RECOMPUTE_CHECK;
        else if (strcmp(argv[i], "--records") == 0)
            flags |= IND_RECOMPUTE_RECORDS;
        else
            rest[n++] = argv[i];
    }
    config cfg;
    const char *pos[1];
    int npos;
    int bad = cli_parse(n, rest, &cfg, 1, pos, 0, &npos, NULL, NULL);
    free(rest);
    if (!bad && flags == (IND_RECOMPUTE_CHECK | IND_RECOMPUTE_RECORDS)) {
        fprintf(stderr, "--check 只核对，不能与 --records 同用\n" USAGE);
        bad = 1;
    }
    if (bad)
        return 2;
    /* Without its definitions a recompute would compute nothing and drop
     * every stored value (a command run from the wrong directory): refuse. */
    struct stat sb;
    if (stat(cfg.defs, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        fprintf(stderr, "错误：定义目录 %s 不存在（defs，可用 --defs 指定）：重算需要指标与程序的定义，未做任何改动\n",
                cfg.defs);
        return 1;
    }
    defs *d = NULL;
    if (cli_load_defs(&cfg, &d))
        return 1;
    char err[512];
    store_opts o = {.url = cfg.store, .dir = cfg.data, .ledger = cfg.region_code, .batch_max = 1};
    store *s = NULL;
    if (store_open(&o, &s, err, sizeof(err)) != FZ_OK) {
        fprintf(stderr, "错误：%s\n", err);
        defs_free(d);
        return 1;
    }
    job j = {.d = d, .s = s, .flags = flags};
    int rc = store_write(s, run, &j);
    store_close(s);
    defs_free(d);
    if (rc) {
        fprintf(stderr, "错误：重算指标失败\n");
        return 1;
    }
    if (flags & IND_RECOMPUTE_CHECK) {
        if (j.diff) {
            printf("FAIL %lld 处差异（%lld 条事实；其中全过程记录列 %lld 处）\n", (long long)j.diff,
                   (long long)j.facts, (long long)j.records);
            return 1;
        }
        printf("OK 无差异（%lld 条事实；全过程记录列已按办理事件与附件核对）\n", (long long)j.facts);
        return 0;
    }
    printf("OK 已重算 %lld 条事实（此前 %lld 处差异；全过程记录列改正 %lld 件案件）\n", (long long)j.facts,
           (long long)j.diff, (long long)j.records);
    return 0;
}
