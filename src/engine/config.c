/* config.c: configuration keys, their defaults, and the three sources that
 * override them (see config.h). The key table below is the single list the
 * parser, the environment, the flags and `fazhi --help` all use. */
#include "engine/config.h"
#include "core/parse.h"
#include "core/status.h"
#include "core/validate.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef enum { K_STR, K_INT } ktype;

typedef struct key_def {
    const char *name;
    ktype type;
    size_t off;      /* offset into config */
    size_t size;     /* buffer size for K_STR; for K_INT: sizeof(int) or sizeof(long) */
    int64_t min, max;
    const char *def; /* default as text */
    const char *help;
} key_def;

#define STR(f, d, h) {#f, K_STR, offsetof(config, f), sizeof(((config *)0)->f), 0, 0, d, h}
#define INT(f, lo, hi, d, h) {#f, K_INT, offsetof(config, f), sizeof(((config *)0)->f), lo, hi, d, h}

static const key_def keys[] = {
    STR(data, "./data", "数据目录（数据库、密钥、附件）"),
    STR(store, "",
        "数据库：留空即数据目录内的 SQLite；sqlite:目录；或 postgresql://用户@主机:端口/库名（多节点部署，见 docs/deploy.md）"),
    STR(listen, "127.0.0.1:8080", "监听地址 host:port"),
    INT(threads, 0, 256, "0", "HTTP 工作线程数，0 表示 CPU 核数的 4 倍"),
    STR(region_code, "000000000000", "本县 12 位统计用区划代码，即事件链的账本编码"),
    INT(max_body_kb, 1, 1048576, "1024", "JSON 请求体上限（KB），超出返回 413"),
    INT(upload_max_mb, 1, 4096, "50", "附件上传大小上限（MB），超出返回 413"),
    INT(conn_timeout_s, 1, 3600, "30", "慢客户端/空闲连接超时（秒）"),
    INT(conn_limit, 16, 100000, "1024", "最大并发连接数"),
    INT(commit_batch_max, 1, 100000, "256", "每次组提交最多合并的写操作数，1 表示每次写单独提交"),
    STR(log_level, "info", "日志级别：debug|info|warn|error|off"),
    STR(access_log, "stderr", "访问日志：stderr、off 或文件路径（每请求一行 JSON）"),
    STR(ui_dir, "", "开发用：从该目录提供界面文件（如 ui/dist），为空则用内嵌界面"),
    INT(cookie_secure, 0, 1, "0", "会话 Cookie 是否加 Secure（经 HTTPS 反向代理部署时设为 1）"),
    STR(trusted_proxies, "",
        "可信反向代理地址（逗号分隔，如 127.0.0.1）：来自这些地址的请求以 X-Forwarded-For 的最后一个地址为客户端地址（登录日志、按 IP 限流）"),
    STR(defs, "defs", "定义文件目录（程序、名录、指标，见 docs/definitions.md）；定义有误时拒绝启动"),
    INT(training_hours_required, 0, 1000, "60",
        "行政执法人员每年应完成的培训学时（执法人员状况按此计算学时是否达标、差额；各地要求不一，按本地规定设置）"),
    INT(cert_expiry_warn_days, 0, 3650, "90", "执法证有效期在此天数内到期的，执法人员状况中标为“即将到期”"),
    INT(auth_cache_ms, 0, 60000, "2000",
        "登录身份缓存时长（毫秒）；本进程内的权限变更立即生效，其他节点或命令行的变更在此时长内生效；0 为关闭"),
};

#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

static const key_def *find_key(const char *name)
{
    for (size_t i = 0; i < N_KEYS; i++)
        if (strcmp(keys[i].name, name) == 0)
            return &keys[i];
    return NULL;
}

int config_known(const char *key)
{
    return find_key(key) != NULL;
}

static int check_value(const key_def *k, config *c, char *err, size_t errlen)
{
    if (strcmp(k->name, "log_level") == 0) {
        const char *v = c->log_level;
        if (strcmp(v, "debug") && strcmp(v, "info") && strcmp(v, "warn") && strcmp(v, "error") &&
            strcmp(v, "off")) {
            snprintf(err, errlen, "配置项 log_level 的值无效：应为 debug、info、warn、error 或 off");
            return -1;
        }
    } else if (strcmp(k->name, "region_code") == 0) {
        char norm[13] = "000000000000";
        /* All zeros means "county not set yet": a valid, if anonymous, ledger. */
        int unset = strcmp(c->region_code, "000000000000") == 0;
        if (!unset && (region_code_normalize(c->region_code, norm) != FZ_OK ||
                       region_code_validate(norm) != FZ_OK)) {
            snprintf(err, errlen, "配置项 region_code 的值无效：应为 6、9 或 12 位行政区划代码");
            return -1;
        }
        memcpy(c->region_code, norm, sizeof(norm));
    } else if (strcmp(k->name, "store") == 0) {
        const char *v = c->store;
        if (*v && strncmp(v, "sqlite:", 7) != 0 && strncmp(v, "postgresql://", 13) != 0 &&
            strncmp(v, "postgres://", 11) != 0) {
            snprintf(err, errlen, "配置项 store 的值无效：应为空、sqlite:目录 或 postgresql://…");
            return -1;
        }
        if (strncmp(v, "sqlite:", 7) == 0 && !v[7]) {
            snprintf(err, errlen, "配置项 store 的值无效：sqlite: 后须写数据库所在目录");
            return -1;
        }
    } else if (strcmp(k->name, "trusted_proxies") == 0) {
        char copy[256];
        snprintf(copy, sizeof(copy), "%s", c->trusted_proxies);
        for (char *save = NULL, *tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
            unsigned char addr[16];
            if (inet_pton(AF_INET, tok, addr) != 1 && inet_pton(AF_INET6, tok, addr) != 1) {
                snprintf(err, errlen, "配置项 trusted_proxies 的值无效：%.60s 不是 IP 地址", tok);
                return -1;
            }
        }
    } else if (strcmp(k->name, "listen") == 0) {
        const char *colon = strrchr(c->listen, ':');
        int64_t port;
        if (!colon || colon == c->listen || parse_i64(colon + 1, 1, 65535, &port) != FZ_OK) {
            snprintf(err, errlen, "配置项 listen 的值无效：应为 host:port，如 127.0.0.1:8080");
            return -1;
        }
    }
    return 0;
}

int config_set(config *c, const char *key, const char *value, char *err, size_t errlen)
{
    const key_def *k = find_key(key);
    if (!k) {
        snprintf(err, errlen, "未知的配置项 %s", key);
        return -1;
    }
    char *field = (char *)c + k->off;
    /* Keep the old value so a rejected one never stays in the config. */
    char saved[1024];
    memcpy(saved, field, k->size < sizeof(saved) ? k->size : sizeof(saved));
    if (k->type == K_STR) {
        size_t n = strlen(value);
        if (n >= k->size) {
            snprintf(err, errlen, "配置项 %s 的值过长（最多 %zu 字节）", key, k->size - 1);
            return -1;
        }
        memcpy(field, value, n + 1);
    } else {
        int64_t v;
        if (parse_i64(value, k->min, k->max, &v) != FZ_OK) {
            snprintf(err, errlen, "配置项 %s 的值无效：应为 %lld 到 %lld 之间的整数", key,
                     (long long)k->min, (long long)k->max);
            return -1;
        }
        if (k->size == sizeof(int))
            *(int *)field = (int)v;
        else
            *(long *)field = (long)v;
    }
    if (check_value(k, c, err, errlen)) {
        memcpy(field, saved, k->size < sizeof(saved) ? k->size : sizeof(saved));
        return -1;
    }
    return 0;
}

void config_defaults(config *c)
{
    memset(c, 0, sizeof(*c));
    char err[256];
    for (size_t i = 0; i < N_KEYS; i++) {
        int rc = config_set(c, keys[i].name, keys[i].def, err, sizeof(err));
        (void)rc;
    }
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

int config_load_file(config *c, const char *dir, char *err, size_t errlen)
{
    char path[1200];
    snprintf(path, sizeof(path), "%s/fazhi.conf", dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT)
            return 0;
        snprintf(err, errlen, "无法读取配置文件 %s：%s", path, strerror(errno));
        return -1;
    }
    sm3_ctx *h = sm3_new();
    char *line = NULL, msg[256];
    size_t cap = 0;
    ssize_t len;
    int lineno = 0, rc = 0;
    /* getline: a line of any length is one line (a long comment must not
     * spill over into a bogus second "line"). */
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (h)
            sm3_update(h, line, (size_t)len);
        char *s = trim(line);
        if (!*s || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(err, errlen, "配置文件 %s 第 %d 行格式错误：应为 key = value", path, lineno);
            rc = -1;
            break;
        }
        *eq = '\0';
        char *key = trim(s), *val = trim(eq + 1);
        if (strcmp(key, "data") == 0) {
            snprintf(err, errlen, "配置文件 %s 第 %d 行：data 不能在数据目录内的配置文件中设置", path,
                     lineno);
            rc = -1;
            break;
        }
        if (config_set(c, key, val, msg, sizeof(msg))) {
            snprintf(err, errlen, "配置文件 %s 第 %d 行：%s", path, lineno, msg);
            rc = -1;
            break;
        }
    }
    free(line);
    fclose(f);
    unsigned char d[SM3_LEN];
    if (h && sm3_final(h, d) == FZ_OK)
        sm3_hex(d, c->file_digest);
    return rc;
}

int config_load_env(config *c, char *err, size_t errlen)
{
    char name[64], msg[256];
    for (size_t i = 0; i < N_KEYS; i++) {
        size_t n = 0;
        n += (size_t)snprintf(name, sizeof(name), "FAZHI_");
        for (const char *p = keys[i].name; *p && n < sizeof(name) - 1; p++)
            name[n++] = (char)toupper((unsigned char)*p);
        name[n] = '\0';
        const char *v = getenv(name);
        if (!v)
            continue;
        if (config_set(c, keys[i].name, v, msg, sizeof(msg))) {
            snprintf(err, errlen, "环境变量 %s：%s", name, msg);
            return -1;
        }
    }
    return 0;
}

void config_help(FILE *out)
{
    fprintf(out, "配置项（默认值；文件 DIR/fazhi.conf，环境变量 FAZHI_<KEY>，参数 --key 值）：\n");
    for (size_t i = 0; i < N_KEYS; i++) {
        char env[64];
        size_t n = (size_t)snprintf(env, sizeof(env), "FAZHI_");
        for (const char *p = keys[i].name; *p && n < sizeof(env) - 1; p++)
            env[n++] = (char)toupper((unsigned char)*p);
        env[n] = '\0';
        fprintf(out, "  %-18s %-22s %s  [默认: %s]\n", keys[i].name, env, keys[i].help,
                *keys[i].def ? keys[i].def : "空");
    }
}

int config_write_default(const config *c, const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "无法创建配置文件 %s：%s", path, strerror(errno));
        return -1;
    }
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        snprintf(err, errlen, "无法写入配置文件 %s", path);
        return -1;
    }
    fprintf(f, "# fazhi 配置文件。格式：key = value；# 开头为注释。\n"
               "# 环境变量 FAZHI_<KEY> 与命令行参数 --key 值 可覆盖此处设置。\n\n");
    for (size_t i = 0; i < N_KEYS; i++) {
        if (strcmp(keys[i].name, "data") == 0)
            continue;
        fprintf(f, "# %s\n", keys[i].help);
        if (strcmp(keys[i].name, "region_code") == 0)
            fprintf(f, "%s = %s\n\n", keys[i].name, c->region_code);
        else if (strcmp(keys[i].name, "store") == 0 && c->store[0])
            fprintf(f, "%s = %s\n\n", keys[i].name, c->store);
        else
            fprintf(f, "# %s = %s\n\n", keys[i].name, keys[i].def);
    }
    int bad = ferror(f);
    if (fsync(fileno(f)) != 0)
        bad = 1;
    if (fclose(f) != 0 || bad) {
        snprintf(err, errlen, "写入配置文件 %s 失败", path);
        return -1;
    }
    return 0;
}
