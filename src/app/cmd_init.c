/* cmd_init.c: `fazhi init --data DIR`: creates the data directory, its
 * config file, the field-encryption key file (mode 0600, outside the
 * database), the database, and the first event of the chain. */
#include "app/cli.h"
#include "engine/events.h"
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
} init_job;

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
    if (rc)
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

int cmd_init(int argc, char **argv)
{
    config cfg;
    const char *pos[1];
    int npos;
    if (cli_parse(argc, argv, &cfg, 0, pos, 0, &npos, NULL, NULL))
        return 2;
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
    if (cli_parse(argc, argv, &cfg, 1, pos, 0, &npos, NULL, NULL))
        return 2;
    if (write_key_file(cfg.data)) {
        fprintf(stderr, "错误：无法创建密钥文件 %s/fazhi.key\n", cfg.data);
        return 1;
    }
    store_opts o = {.dir = cfg.data, .batch_max = 1, .create = 1};
    store *s;
    if (store_open(&o, &s, err, sizeof(err)) != FZ_OK) {
        fprintf(stderr, "错误：%s\n", err);
        return 1;
    }
    init_job j = {.cfg = &cfg};
    int latest;
    store_schema(s, &j.schema, &latest);
    int rc = store_write(s, init_write, &j);
    store_close(s);
    if (rc != FZ_OK) {
        fprintf(stderr, "错误：写入初始化事件失败\n");
        return 1;
    }
    printf("已初始化数据目录 %s（账本 %s，事件链首个哈希 %s）\n", cfg.data, cfg.region_code, j.ev.hash);
    return 0;
}
