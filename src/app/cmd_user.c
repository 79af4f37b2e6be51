/* cmd_user.c: `fazhi user add|passwd|disable|enable|list`: account recovery
 * and the first accounts, from the shell of the server (DIR access is the
 * credential). Every change is an event with actor "cli". */
#include "app/cli.h"
#include "engine/authz.h"
#include "engine/fieldcrypt.h"
#include "engine/passwd.h"
#include "engine/users.h"
#include "store/store.h"
#include "core/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const USER_FLAGS[] = {"--username", "--name", "--unit-id", "--roles", "--password-file", NULL};

typedef struct cli_job {
    const config *cfg;
    field_keys keys;
    user_input in;
    int64_t id;
    char pw_hash[PASSWD_HASH_MAX];
} cli_job;

static int add_job(store_conn *w, void *ctx)
{
    cli_job *j = ctx;
    return user_insert(w, &j->keys, &j->in, "cli", j->cfg->region_code, &j->id);
}

static int update_job(store_conn *w, void *ctx)
{
    cli_job *j = ctx;
    return user_update(w, &j->keys, j->id, &j->in, "cli", j->cfg->region_code);
}

static int read_first_line(const char *path, char *out, size_t n)
{
    FILE *f = fopen(path, "r");
    if (!f || !fgets(out, (int)n, f)) {
        if (f)
            fclose(f);
        return -1;
    }
    fclose(f);
    out[strcspn(out, "\r\n")] = '\0';
    return out[0] ? 0 : -1;
}

/* Password from --password-file (checked against the default policy) or generated. */
static int get_password(const char *file, const char *username, char *out, size_t n, int *generated)
{
    *generated = !file;
    if (!file)
        return passwd_generate(out, n, 16);
    if (read_first_line(file, out, n)) {
        fprintf(stderr, "错误：无法从 %s 读取密码（取第一行，不能为空）\n", file);
        return -1;
    }
    pw_policy pp = {10, 3};
    const char *reason = NULL;
    if (passwd_check_policy(&pp, username, out, &reason) != FZ_OK) {
        fprintf(stderr, "错误：密码不符合口令策略：%s\n", reason ? reason : "");
        return -1;
    }
    return 0;
}

static void list_users(store *s)
{
    store_conn *c = store_reader(s);
    store_stmt *st;
    if (!c || store_prepare(c, "SELECT u.id, u.username, u.name, u.unit_id, u.disabled,"
                               " (SELECT group_concat(r.key, ',') FROM user_roles ur JOIN roles r ON r.id = ur.role_id"
                               "  WHERE ur.user_id = u.id) FROM users u ORDER BY u.id", &st))
        return;
    printf("%-6s %-20s %-16s %-8s %-6s %s\n", "编号", "用户名", "姓名", "单位", "状态", "角色");
    while (store_step(st) == STORE_ROW)
        printf("%-6lld %-20s %-16s %-8lld %-6s %s\n", (long long)store_col_int(st, 0), store_col_text(st, 1),
               store_col_text(st, 2), (long long)store_col_int(st, 3), store_col_int(st, 4) ? "停用" : "正常",
               store_col_text(st, 5));
    store_done(st);
}

/* Splits "a,b" into j->in.roles (pointers into a static copy). */
static int parse_roles(store_conn *c, const char *csv, cli_job *j, const char **keys, char *buf, size_t buflen)
{
    snprintf(buf, buflen, "%s", csv);
    int n = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t && n < 16; t = strtok_r(NULL, ",", &save))
        keys[n++] = t;
    char msg[200];
    if (authz_check_separation(c, keys, n, msg, sizeof(msg)) != FZ_OK) {
        fprintf(stderr, "错误：%s\n", msg);
        return -1;
    }
    j->in.roles = keys;
    j->in.nroles = n;
    j->in.set_roles = 1;
    return 0;
}

int cmd_user(int argc, char **argv)
{
    if (argc < 1) {
        fprintf(stderr, "用法：fazhi user add|passwd|disable|enable|list --data DIR [--username 用户名] …\n");
        return 2;
    }
    const char *sub = argv[0];
    config cfg;
    const char *pos[1], *x[5];
    int npos;
    if (cli_parse(argc - 1, argv + 1, &cfg, 1, pos, 0, &npos, USER_FLAGS, x))
        return 2;
    cli_job j = {.cfg = &cfg};
    j.in.disabled = -1;
    char err[512];
    if (fieldcrypt_load(cfg.data, &j.keys, err, sizeof(err))) {
        fprintf(stderr, "错误：%s\n", err);
        return 1;
    }
    store_opts o = {.url = cfg.store, .dir = cfg.data, .ledger = cfg.region_code, .batch_max = 1};
    store *s;
    if (store_open(&o, &s, err, sizeof(err)) != FZ_OK) {
        fprintf(stderr, "错误：%s\n", err);
        return 1;
    }
    int rc = 2;
    if (strcmp(sub, "list") == 0) {
        list_users(s);
        rc = 0;
        goto out;
    }
    if (!x[0]) {
        fprintf(stderr, "错误：缺少 --username\n");
        goto out;
    }
    store_conn *c = store_reader(s);
    if (!c || user_id_by_name(c, x[0], &j.id)) {
        fprintf(stderr, "错误：无法读取数据库\n");
        rc = 1;
        goto out;
    }
    char password[160], rolebuf[512];
    const char *keys[16];
    int generated = 0;
    if (strcmp(sub, "add") == 0) {
        if (j.id) {
            fprintf(stderr, "错误：用户名 %s 已存在\n", x[0]);
            rc = 1;
            goto out;
        }
        int64_t unit = 1;
        if (x[2] && (unit = strtoll(x[2], NULL, 10)) <= 0) {
            fprintf(stderr, "错误：--unit-id 应为正整数\n");
            goto out;
        }
        if (parse_roles(c, x[3] ? x[3] : "", &j, keys, rolebuf, sizeof(rolebuf)) ||
            get_password(x[4], x[0], password, sizeof(password), &generated) ||
            passwd_hash(PW_ARGON2ID, password, j.pw_hash))
            goto out;
        j.in.username = x[0];
        j.in.name = x[1] ? x[1] : x[0];
        j.in.unit_id = unit;
        j.in.pw_hash = j.pw_hash;
        j.in.must_change_pw = 1;
        j.in.disabled = 0;
        rc = store_write(s, add_job, &j);
        if (rc == FZ_INVALID)
            fprintf(stderr, "错误：角色不存在\n");
    } else if (strcmp(sub, "passwd") == 0 || strcmp(sub, "disable") == 0 || strcmp(sub, "enable") == 0) {
        if (!j.id) {
            fprintf(stderr, "错误：用户 %s 不存在\n", x[0]);
            rc = 1;
            goto out;
        }
        if (strcmp(sub, "passwd") == 0) {
            if (get_password(x[4], x[0], password, sizeof(password), &generated) ||
                passwd_hash(PW_ARGON2ID, password, j.pw_hash))
                goto out;
            j.in.pw_hash = j.pw_hash;
            j.in.must_change_pw = 1;
        } else {
            j.in.disabled = strcmp(sub, "disable") == 0;
        }
        rc = store_write(s, update_job, &j);
    } else {
        fprintf(stderr, "错误：未知子命令 user %s\n", sub);
        goto out;
    }
    if (rc != FZ_OK) {
        fprintf(stderr, "错误：写入失败\n");
        rc = 1;
        goto out;
    }
    printf("已完成：user %s %s\n", sub, x[0]);
    if (generated)
        printf("初始密码：%s（只显示这一次；登录后须修改）\n", password);
out:
    store_close(s);
    return rc;
}
