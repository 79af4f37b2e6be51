/* cmd_migrate_store.c: `fazhi migrate-store --from sqlite:DIR --to
 * postgresql://… [--data DIR]`: copies a county's data from SQLite into a new,
 * empty PostgreSQL database (docs/architecture.md, "Moving a county to
 * PostgreSQL").
 *
 * The source chain must verify first; the target is opened (and so migrated)
 * by store_open, gets the definition tables exactly as `serve` creates them
 * (schema_sync, from the config's defs), then every row in one transaction
 * (store/copy.c). Afterwards both chains are verified again and must agree:
 * the same events and the same head per ledger. Configuration (defs,
 * region_code) is read from --data's fazhi.conf, or the --from directory's. */
#include "app/cli.h"
#include "engine/events.h"
#include "engine/schema.h"
#include "store/copy.h"
#include "store/store.h"
#include "core/status.h"
#include "core/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const FLAGS[] = {"--from", "--to", NULL};

/* The value of --name VALUE / --name=VALUE in argv, or NULL. */
static const char *flag_value(int argc, char **argv, const char *name, int *present)
{
    size_t n = strlen(name);
    const char *v = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], name) == 0) {
            *present = 1;
            v = i + 1 < argc ? argv[i + 1] : NULL;
            i++;
        } else if (strncmp(argv[i], name, n) == 0 && argv[i][n] == '=') {
            *present = 1;
            v = argv[i] + n + 1;
        }
    }
    return v;
}

static int is_pg_url(const char *u)
{
    return strncmp(u, "postgresql://", 13) == 0 || strncmp(u, "postgres://", 11) == 0;
}

/* The URL with its password (user:PASSWORD@ or password=...) hidden, for
 * printing. */
static void mask_url(const char *url, char *out, size_t n)
{
    const char *s = strstr(url, "://");
    const char *at = s ? strchr(s + 3, '@') : NULL;
    const char *slash = s ? strchr(s + 3, '/') : NULL;
    const char *colon = at ? memchr(s + 3, ':', (size_t)(at - (s + 3))) : NULL;
    if (at && colon && (!slash || at < slash))
        snprintf(out, n, "%.*s:***%s", (int)(colon - url), url, at);
    else
        snprintf(out, n, "%s", url);
    char *pw = strstr(out, "password=");
    if (pw) {
        char *end = strchr(pw, '&');
        char rest[1024];
        snprintf(rest, sizeof(rest), "%s", end ? end : "");
        snprintf(pw + 9, n - (size_t)(pw + 9 - out), "***%s", rest);
    }
}

typedef struct setup_ctx {
    const defs *defs;
    int64_t last_ms; /* when the previous step ended (progress) */
} setup_ctx;

/* The definition tables, as `serve` creates them (runs inside the copy's
 * transaction on the target). */
static int setup_schema(store_conn *w, void *ctx, char *msg, size_t msglen)
{
    setup_ctx *c = ctx;
    return schema_sync(w, c->defs, msg, msglen);
}

static void progress(void *ctx, const char *what, int64_t rows)
{
    setup_ctx *c = ctx;
    int64_t now = time_mono_ms();
    double secs = (double)(now - c->last_ms) / 1000.0;
    c->last_ms = now;
    if (strncmp(what, "search:", 7) == 0)
        printf("  检索索引 %s：%lld 篇文档（%.2f 秒）\n", what + 7, (long long)rows, secs);
    else
        printf("  表 %s：%lld 行（%.2f 秒）\n", what, (long long)rows, secs);
    fflush(stdout);
}

/* The step before the first table: the emptiness check and the definition
 * tables, timed from here. */
static int setup_timed(store_conn *w, void *ctx, char *msg, size_t msglen)
{
    setup_ctx *c = ctx;
    int rc = setup_schema(w, ctx, msg, msglen);
    c->last_ms = time_mono_ms();
    return rc;
}

/* The ledger to show as "the" head: the county's, or the only one. */
static const verify_ledger *main_ledger(const verify_result *r, const char *region)
{
    for (int i = 0; i < r->nledgers && i < 64; i++)
        if (r->nledgers == 1 || strcmp(r->ledgers[i].ledger, region) == 0)
            return &r->ledgers[i];
    return NULL;
}

static int same_chains(const verify_result *a, const verify_result *b)
{
    if (a->count != b->count || a->nledgers != b->nledgers)
        return 0;
    for (int i = 0; i < a->nledgers && i < 64; i++) {
        const verify_ledger *x = &a->ledgers[i], *y = &b->ledgers[i];
        if (strcmp(x->ledger, y->ledger) || x->count != y->count || strcmp(x->head, y->head))
            return 0;
    }
    return 1;
}

static int verify_store(store *s, const char *which, verify_result *r)
{
    int rc = events_verify(s, r);
    if (rc != FZ_OK || !r->ok) {
        if (r->bad_seq)
            fprintf(stderr, "错误：%s事件链校验失败（事件 seq %lld）：%s\n", which, (long long)r->bad_seq, r->reason);
        else
            fprintf(stderr, "错误：%s事件链校验失败：%s\n", which, r->reason[0] ? r->reason : "无法读取事件表");
        return -1;
    }
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "用法：fazhi migrate-store --from sqlite:目录 --to postgresql://… [--data 目录]\n");
}

int cmd_migrate_store(int argc, char **argv)
{
    int has_from = 0, has_to = 0, has_data = 0;
    const char *from = flag_value(argc, argv, "--from", &has_from);
    const char *to = flag_value(argc, argv, "--to", &has_to);
    flag_value(argc, argv, "--data", &has_data);
    if (!from || !*from) {
        fprintf(stderr, "错误：缺少 --from sqlite:目录（要迁出的 SQLite 数据目录）\n");
        usage();
        return 1;
    }
    if (strncmp(from, "sqlite:", 7) != 0 || !from[7]) {
        fprintf(stderr, "错误：--from 无效：%s（应为 sqlite:目录；只支持从 SQLite 迁出）\n", from);
        return 1;
    }
    if (!to || !*to) {
        fprintf(stderr, "错误：缺少 --to postgresql://…（新建的空 PostgreSQL 数据库）\n");
        usage();
        return 1;
    }
    if (!is_pg_url(to)) {
        fprintf(stderr, "错误：--to 无效：%s（应为 postgresql://… 地址；只支持迁入 PostgreSQL）\n", to);
        return 1;
    }
    const char *src_dir = from + 7;
    /* Configuration from --data, else from the source directory. */
    char **args = calloc((size_t)argc + 3, sizeof(char *));
    if (!args)
        return 1;
    memcpy(args, argv, (size_t)argc * sizeof(char *));
    int nargs = argc;
    if (!has_data) {
        args[nargs++] = "--data";
        args[nargs++] = (char *)src_dir;
    }
    config cfg;
    const char *pos[1], *x[2];
    int npos;
    int prc = cli_parse(nargs, args, &cfg, 1, pos, 0, &npos, FLAGS, x);
    free(args);
    if (prc)
        return 2;

    int64_t t0 = time_mono_ms();
    defs *d = NULL;
    if (cli_load_defs(&cfg, &d))
        return 1;
    char err[1024];
    char shown[1200];
    mask_url(to, shown, sizeof(shown));
    store *src = NULL, *dst = NULL;
    int rc = 1;

    store_opts so = {.url = from, .dir = src_dir, .ledger = cfg.region_code, .no_writer = 1};
    if (store_open(&so, &src, err, sizeof(err)) != FZ_OK) {
        fprintf(stderr, "错误：无法打开源数据库：%s\n", err);
        goto out;
    }
    verify_result *before = calloc(1, sizeof(*before)), *after = calloc(1, sizeof(*after)),
                  *target = calloc(1, sizeof(*target));
    if (!before || !after || !target)
        goto out_free;
    if (verify_store(src, "源库", before)) {
        fprintf(stderr, "拒绝迁移：源库的事件链必须完整无误（先用 fazhi verify --data %s 查明原因）\n", src_dir);
        goto out_free;
    }
    printf("源库 %s/fazhi.db：事件链校验通过，%lld 个事件\n", src_dir, (long long)before->count);

    /* No ledger: the copy brings the ledgers table as it is. */
    store_opts to_opts = {.url = to, .dir = cfg.data, .batch_max = 1};
    if (store_open(&to_opts, &dst, err, sizeof(err)) != FZ_OK) {
        fprintf(stderr, "错误：无法打开目标数据库 %s：%s\n", shown, err);
        goto out_free;
    }
    printf("目标库 %s：已连接，表结构为最新版本；开始复制（一个事务，全部成功或全部不写入）\n", shown);
    fflush(stdout);
    setup_ctx sc = {.defs = d, .last_ms = time_mono_ms()};
    store_copy_report rep;
    int crc = store_copy_into(src, dst, setup_timed, progress, &sc, &rep, err, sizeof(err));
    if (crc == FZ_CONFLICT) {
        fprintf(stderr, "错误：%s\n", err);
        goto out_free;
    }
    if (crc != FZ_OK) {
        fprintf(stderr, "错误：迁移失败，已全部回滚，目标库未写入任何数据：%s\n", err);
        goto out_free;
    }

    /* Both chains again: the target must hold exactly the source's. */
    if (verify_store(dst, "目标库", target) || verify_store(src, "源库", after)) {
        fprintf(stderr, "目标库中的数据不可用：请删除并重建目标库后重新迁移\n");
        goto out_free;
    }
    if (!same_chains(before, after)) {
        fprintf(stderr,
                "错误：源库在迁移期间有新的写入（事件 %lld → %lld）：目标库缺少这些数据，不可使用。"
                "请先停止使用源数据目录的 fazhi serve，再删除并重建目标库后重新迁移\n",
                (long long)before->count, (long long)after->count);
        goto out_free;
    }
    if (!same_chains(after, target)) {
        const verify_ledger *a = main_ledger(after, cfg.region_code), *b = main_ledger(target, cfg.region_code);
        fprintf(stderr,
                "错误：迁移后两边的事件链不一致（源库 %lld 个事件，链头 %s；目标库 %lld 个事件，链头 %s）："
                "目标库不可使用，请删除并重建后重新迁移\n",
                (long long)after->count, a ? a->head : "-", (long long)target->count, b ? b->head : "-");
        goto out_free;
    }
    const verify_ledger *head = main_ledger(target, cfg.region_code);
    double secs = (double)(time_mono_ms() - t0) / 1000.0;
    printf("迁移完成：SQLite %s/fazhi.db → PostgreSQL %s\n", src_dir, shown);
    printf("  数据表 %d 张，共 %lld 行；检索索引 %d 个，共 %lld 篇文档\n", rep.tables, (long long)rep.rows,
           rep.indexes, (long long)rep.docs);
    printf("  事件 %lld 个，两边事件链校验一致\n", (long long)target->count);
    for (int i = 0; i < target->nledgers && i < 64; i++)
        printf("  账本 %s：%lld 个事件，链头 %s\n", target->ledgers[i].ledger, (long long)target->ledgers[i].count,
               target->ledgers[i].head);
    printf("  用时 %.2f 秒\n", secs);
    printf("下一步：把 %s/fazhi.conf 中的 store 改为目标库地址后启动 fazhi serve；"
           "附件（attachments/）与密钥文件 fazhi.key 仍在数据目录中，照常使用。\n",
           cfg.data);
    printf("OK %lld %s\n", (long long)target->count, head ? head->head : "");
    rc = 0;
out_free:
    free(before);
    free(after);
    free(target);
out:
    store_close(dst);
    store_close(src);
    defs_free(d);
    return rc;
}
