/* cmd_defs.c: `fazhi defs check [DIR]`: validates definition files.
 * Today it checks what the directory holds: every *.json must be a strict
 * JSON object (duplicate keys rejected); errors name the file, line and
 * column. The definition formats and their validator arrive with the
 * procedure engine (issue 5) and extend this command. */
#include "app/cli.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_json(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".json") == 0;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int cmd_defs(int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "check") != 0) {
        fprintf(stderr, "用法：fazhi defs check [DIR]\n");
        return 2;
    }
    const char *dir = argc > 1 ? argv[1] : "defs";
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "错误：无法打开定义目录 %s\n", dir);
        return 1;
    }
    char *names[4096];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 4096)
        if (is_json(e->d_name))
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, (size_t)n, sizeof(names[0]), name_cmp);
    int bad = 0;
    for (int i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        json_error_t err;
        json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
        if (!j) {
            printf("%s:%d:%d: JSON 格式错误：%s\n", path, err.line, err.column, err.text);
            bad++;
        } else if (!json_is_object(j)) {
            printf("%s: $: 顶层须为 JSON 对象\n", path);
            bad++;
        }
        json_decref(j);
        free(names[i]);
    }
    if (bad) {
        printf("FAIL %d 个文件有错误（共 %d 个）\n", bad, n);
        return 1;
    }
    printf("OK %d 个定义文件\n", n);
    return 0;
}
