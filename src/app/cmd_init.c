/* cmd_init.c: `fazhi init --data DIR`: creates the data directory, its
 * config file, the field-encryption key file (mode 0600, outside the
 * database), the database, and the first event of the chain. */
#include "app/cli.h"
#include "engine/events.h"
#include "engine/fieldcrypt.h"
#include "engine/passwd.h"
#include "engine/users.h"
#include "store/store.h"
#include "core/sm.h"
#include "core/status.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct init_job {
    const config *cfg;
    int schema;
    event ev;
    const char *admin_user;
    const char *county_name;
    char pw_hash[PASSWD_HASH_MAX];
    field_keys keys;
} init_job;

/* The county's region row, its top unit, and the first 系统管理员. */
static int init_identity(store_conn *w, init_job *j)
{
    const char *code = j->cfg->region_code;
    int rc;
    if (strcmp(code, "000000000000") != 0 &&
        (rc = store_run(w, "INSERT INTO regions (code, name, level, parent_code) VALUES (?, ?, 3, '')", "ss", code,
                        j->county_name)))
        return rc;
    char unit_name[200];
    snprintf(unit_name, sizeof(unit_name), "%s人民政府", j->county_name);
    /* The first unit of an empty table: id 1 on both backends. */
    if ((rc = store_run(w, "INSERT INTO units (name, type, legal_status, region_code, parent_id, path, created_at)"
                           " VALUES (?, '部门', '行政机关', ?, 0, '/1/', ?)", "ssi", unit_name, code, j->ev.at)))
        return rc;
    static const char *const roles[] = {"sys_admin"};
    user_input in = {.username = j->admin_user, .name = "系统管理员", .unit_id = 1, .roles = roles, .nroles = 1,
                     .set_roles = 1, .pw_hash = j->pw_hash, .must_change_pw = 1, .disabled = 0};
    int64_t id;
    return user_insert(w, &j->keys, &in, "system", code, &id);
}

static int init_write(store_conn *w, void *ctx)
{
    init_job *j = ctx;
    json_t *p = json_pack("{s:s, s:s, s:i, s:s}", "version", FAZHI_VERSION, "config_digest",
                          j->cfg->file_digest, "schema_version", j->schema, "region_code",
                          j->cfg->region_code);
    j->ev = (event){.ledger = j->cfg->region_code, .actor = "system", .subject_kind = "system",
                    .subject_id = j->cfg->region_code, .action = "system.init"};
    int rc = event_append(w, &j->ev, p);
    json_decref(p);
    if (rc || (rc = init_identity(w, j)))
        return rc;
    store_stmt *st;
    if (store_prepare(w, "INSERT INTO meta (key, value) VALUES ('config_digest', ?)", &st))
        return FZ_ERR;
    store_bind_text(st, 1, j->cfg->file_digest);
    rc = store_step(st) == STORE_DONE ? FZ_OK : FZ_ERR;
    store_done(st);
    return rc;
}

static int mkdirs(const char *path)
{
    char buf[1024];
    snprintf(buf, sizeof(buf), "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0700) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(buf, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

static int write_key_file(const char *dir)
{
    char path[1200];
    snprintf(path, sizeof(path), "%s/fazhi.key", dir);
    unsigned char key[64];
    char hex[129];
    if (sm_random(key, sizeof(key)))
        return -1;
    for (size_t i = 0; i < sizeof(key); i++)
        snprintf(hex + 2 * i, 3, "%02x", key[i]);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        return errno == EEXIST ? 0 : -1; /* keep an existing key: data may depend on it */
    int ok = write(fd, hex, 128) == 128 && write(fd, "\n", 1) == 1 && fsync(fd) == 0;
    return close(fd) == 0 && ok ? 0 : -1;
}

/* First line of a file, trimmed, into out. */
static int read_password_file(const char *path, char *out, size_t n)
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

static const char *const INIT_FLAGS[] = {"--admin-user", "--admin-password-file", "--county-name", NULL};

int cmd_init(int argc, char **argv)
{
    config cfg;
    const char *pos[1], *extra[3];
    int npos;
    if (cli_parse(argc, argv, &cfg, 0, pos, 0, &npos, INIT_FLAGS, extra))
        return 2;
    const char *admin = extra[0] ? extra[0] : "admin";
    char password[160] = "";
    if (extra[1] && read_password_file(extra[1], password, sizeof(password))) {
        fprintf(stderr, "错误：无法从 %s 读取管理员密码（取第一行，不能为空）\n", extra[1]);
        return 2;
    }
    if (extra[1]) {
        pw_policy pp = {10, 3};
        const char *reason = NULL;
        if (passwd_check_policy(&pp, admin, password, &reason) != FZ_OK) {
            fprintf(stderr, "错误：管理员密码不符合口令策略：%s\n", reason ? reason : "");
            return 2;
        }
    } else if (passwd_generate(password, sizeof(password), 16)) {
        fprintf(stderr, "错误：无法生成随机密码\n");
        return 1;
    }
    char db[1200], conf[1200], err[512];
    snprintf(db, sizeof(db), "%s/fazhi.db", cfg.data);
    struct stat sb;
    if (stat(db, &sb) == 0) {
        fprintf(stderr, "错误：数据目录 %s 已初始化（已有 fazhi.db），拒绝覆盖\n", cfg.data);
        return 1;
    }
    if (mkdirs(cfg.data)) {
        fprintf(stderr, "错误：无法创建数据目录 %s：%s\n", cfg.data, strerror(errno));
        return 1;
    }
    snprintf(conf, sizeof(conf), "%s/fazhi.conf", cfg.data);
    if (stat(conf, &sb) != 0 && config_write_default(&cfg, conf, err, sizeof(err))) {
        fprintf(stderr, "错误：%s\n", err);
        return 1;
    }
    /* Re-read what is now on disk so the digest covers the real file. */
    config_defaults(&cfg);
    if (cli_parse(argc, argv, &cfg, 1, pos, 0, &npos, INIT_FLAGS, extra))
        return 2;
    init_job j = {.cfg = &cfg, .admin_user = admin, .county_name = extra[2] ? extra[2] : "本县"};
    if (write_key_file(cfg.data)) {
        fprintf(stderr, "错误：无法创建密钥文件 %s/fazhi.key\n", cfg.data);
        return 1;
    }
    if (fieldcrypt_load(cfg.data, &j.keys, err, sizeof(err))) {
        fprintf(stderr, "错误：%s\n", err);
        return 1;
    }
    if (passwd_hash(PW_ARGON2ID, password, j.pw_hash)) {
        fprintf(stderr, "错误：无法计算密码哈希\n");
        return 1;
    }
    store_opts o = {.url = cfg.store, .dir = cfg.data, .ledger = cfg.region_code, .batch_max = 1, .create = 1};
    store *s;
    if (store_open(&o, &s, err, sizeof(err)) != FZ_OK) {
        fprintf(stderr, "错误：%s\n", err);
        return 1;
    }
    int latest;
    store_schema(s, &j.schema, &latest);
    /* A PostgreSQL database has no fazhi.db to find: its events say it. */
    int64_t seen = 0;
    store_conn *rd = store_reader(s);
    if (!rd || store_query_int(rd, &seen, 0, "SELECT count(*) FROM events", "") || seen) {
        fprintf(stderr, "错误：%s\n", rd && !seen ? "无法读取数据库" : "数据库已初始化（已有事件记录），拒绝覆盖");
        store_close(s);
        return 1;
    }
    int rc = store_write(s, init_write, &j);
    store_close(s);
    if (rc != FZ_OK) {
        fprintf(stderr, "错误：写入初始化事件失败\n");
        return 1;
    }
    printf("已初始化数据目录 %s（账本 %s，事件链首个哈希 %s）\n", cfg.data, cfg.region_code, j.ev.hash);
    if (extra[1])
        printf("系统管理员账号：%s（密码取自 %s；首次登录须修改密码）\n", admin, extra[1]);
    else
        printf("系统管理员账号：%s  初始密码：%s\n（初始密码只显示这一次；首次登录须修改密码。"
               "遗失时运行 fazhi user passwd --data %s --username %s）\n",
               admin, password, cfg.data, admin);
    return 0;
}
