/* cli.c: argument parsing shared by the subcommands (see cli.h). */
#include "app/cli.h"
#include "engine/officer_stock.h"
#include "core/log.h"
#include "core/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "--max-body-kb" -> "max_body_kb" */
static void flag_to_key(const char *flag, char *key, size_t n)
{
    size_t i = 0;
    for (const char *p = flag + 2; *p && *p != '=' && i + 1 < n; p++)
        key[i++] = *p == '-' ? '_' : *p;
    key[i] = '\0';
}

int cli_parse(int argc, char **argv, config *cfg, int load_file, const char **pos, int npos_max,
              int *npos, const char *const *extra, const char **extra_vals)
{
    char err[512], key[64];
    config_defaults(cfg);
    *npos = 0;
    for (int k = 0; extra && extra[k]; k++)
        extra_vals[k] = NULL;
    /* The data directory decides which file to read, so find it first. */
    const char *data = getenv("FAZHI_DATA");
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
            data = argv[i + 1];
        else if (strncmp(argv[i], "--data=", 7) == 0)
            data = argv[i] + 7;
    }
    if (data && config_set(cfg, "data", data, err, sizeof(err))) {
        fprintf(stderr, "错误：%s\n", err);
        return -1;
    }
    if (load_file && config_load_file(cfg, cfg->data, err, sizeof(err))) {
        fprintf(stderr, "错误：%s\n", err);
        return -1;
    }
    if (config_load_env(cfg, err, sizeof(err))) {
        fprintf(stderr, "错误：%s\n", err);
        return -1;
    }
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0 || strlen(a) == 2) {
            if (*npos >= npos_max) {
                fprintf(stderr, "错误：多余的参数 %s\n", a);
                return -1;
            }
            pos[(*npos)++] = a;
            continue;
        }
        const char *eq = strchr(a, '=');
        const char *val = eq ? eq + 1 : (i + 1 < argc ? argv[i + 1] : NULL);
        size_t flen = eq ? (size_t)(eq - a) : strlen(a);
        int handled = 0;
        for (int k = 0; extra && extra[k]; k++) {
            if (strlen(extra[k]) == flen && strncmp(extra[k], a, flen) == 0) {
                if (!val) {
                    fprintf(stderr, "错误：参数 %s 缺少值\n", extra[k]);
                    return -1;
                }
                extra_vals[k] = val;
                handled = 1;
            }
        }
        if (!handled) {
            flag_to_key(a, key, sizeof(key));
            if (!config_known(key)) {
                fprintf(stderr, "错误：未知参数 %.*s（见 fazhi --help）\n", (int)flen, a);
                return -1;
            }
            if (!val) {
                fprintf(stderr, "错误：参数 %.*s 缺少值\n", (int)flen, a);
                return -1;
            }
            if (config_set(cfg, key, val, err, sizeof(err))) {
                fprintf(stderr, "错误：参数 --%s：%s\n", key, err);
                return -1;
            }
        }
        if (!eq)
            i++;
    }
    /* The officer stock timeline counts the hours of this configuration. */
    stock_configure(cfg->training_hours_required);
    return 0;
}

int cli_load_defs(const config *cfg, defs **out)
{
    *out = NULL;
    defs_report *rep = calloc(1, sizeof(*rep));
    int rc = rep ? defs_load(cfg->defs, out, rep) : FZ_NOMEM;
    if (rc == FZ_NOTFOUND) {
        log_warn("定义目录 %s 不存在：没有可用的程序与名录", cfg->defs);
        *out = calloc(1, sizeof(**out));
        rc = *out ? FZ_OK : FZ_NOMEM;
    } else if (rc != FZ_OK) {
        fprintf(stderr, "错误：定义文件有误，拒绝启动：\n");
        for (int i = 0; rep && i < rep->nerrors; i++)
            fprintf(stderr, "  %s: %s: %s\n", rep->errors[i].file, rep->errors[i].path, rep->errors[i].reason);
    }
    free(rep);
    return rc == FZ_OK ? 0 : -1;
}
