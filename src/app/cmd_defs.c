/* cmd_defs.c: `fazhi defs check [DIR]`: validates definition files
 * (docs/definitions.md) and prints every problem as FILE: PATH: REASON. */
#include "app/cli.h"
#include "engine/defs.h"
#include "core/status.h"

#include <stdio.h>
#include <string.h>

int cmd_defs(int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "check") != 0) {
        fprintf(stderr, "用法：fazhi defs check [DIR]\n");
        return 2;
    }
    const char *dir = argc > 1 ? argv[1] : "defs";
    defs *d = NULL;
    defs_report rep;
    int rc = defs_load(dir, &d, &rep);
    if (rc == FZ_NOTFOUND) {
        fprintf(stderr, "错误：无法打开定义目录 %s\n", dir);
        return 1;
    }
    if (rc != FZ_OK) {
        for (int i = 0; i < rep.nerrors; i++)
            printf("%s: %s: %s\n", rep.errors[i].file, rep.errors[i].path, rep.errors[i].reason);
        if (rep.total > rep.nerrors)
            printf("……另有 %d 个错误未列出\n", rep.total - rep.nerrors);
        printf("FAIL %d 个错误（%d 个定义文件）\n", rep.total, rep.files);
        return 1;
    }
    int np = 0, nc = 0, ni = 0;
    for (int i = 0; i < d->n; i++)
        d->items[i].type == DEF_PROCEDURE ? np++ : d->items[i].type == DEF_CATALOG ? nc++ : ni++;
    printf("OK %d 个定义文件（程序 %d，名录 %d，指标 %d）\n", d->n, np, nc, ni);
    defs_free(d);
    return 0;
}
