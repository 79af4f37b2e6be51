/* main.c: the `fazhi` command: dispatches to the subcommands. */
#include "app/cli.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out,
            "fazhi %s — 法治政府建设综合管理平台\n\n"
            "用法：fazhi 命令 [参数]\n\n"
            "命令：\n"
            "  version                         显示版本\n"
            "  init   --data DIR [--region-code 代码] [--county-name 名称] [--admin-user 用户名]\n"
            "         [--admin-password-file 文件]   初始化数据目录（配置、密钥、数据库、首个事件、首个系统管理员）\n"
            "  serve  --data DIR [--listen 地址] [--threads N] [--ui-dir 目录] …  启动服务\n"
            "  verify --data DIR               校验事件链，输出 OK <事件数> <链头哈希>\n"
            "  backup --data DIR FILE          在线备份数据库到 FILE，输出其 SM3 摘要\n"
            "  migrate-store --from sqlite:DIR --to postgresql://… [--data DIR]\n"
            "         把 SQLite 中的全部数据复制到新建的空 PostgreSQL 库（一个事务；先后校验两边事件链并比对）；\n"
            "         定义与区划代码读自 --data（默认为 --from 的目录）的 fazhi.conf\n"
            "  indicators recompute --data DIR [--check | --records]\n"
            "         按记录重算全部指标（--check 只比对增量维护的结果，有差异时列出并以 1 退出；\n"
            "         --records 先按办理事件与附件重新生成每件案件的全过程记录列）\n"
            "  report annual --data DIR --year YYYY --format html|docx|xlsx --out FILE\n"
            "         生成《XX县YYYY年度法治政府建设情况报告》（数字均取自记录，未接入的写“数据未接入”；见 docs/report.md）\n"
            "  demo   --data DIR [--year 2023] [--seed N]\n"
            "         生成演示县的全年数据（区划、单位、账号、执法人员、清单、案件…，均经业务引擎写入）；\n"
            "         DIR 不存在时先初始化；拒绝已有业务数据的目录（见 docs/demo.md）\n"
            "  defs check [DIR]                校验定义文件（默认 ./defs）\n"
            "  user add --data DIR --username U [--name 姓名] [--unit-id N] [--roles a,b] [--password-file F]\n"
            "  user passwd|disable|enable --data DIR --username U [--password-file F]\n"
            "  user list --data DIR            账户管理（首个账户与账户恢复）\n"
            "  laws import DIR --data D        导入 Markdown 格式的法律法规（# 标题，第N条，文件名含公布日期）\n"
            "  import --data D KIND FILE [--unit-id N] [--publish 0|1] [--history 0|1] [--analyze 0|1]\n"
            "         从 CSV 或 xlsx 导入名录记录或历史案件（全部成功才写入；可有“单位编号”列；--publish 1 同时写入\n"
            "         应公示案件的公示；--history 1 把每件的日期字段与步骤日期列（立案日期、结案日期……）按日期先后\n"
            "         记为 case.history 事件；--analyze 0 跳过导入后的统计信息更新）\n"
            "  calendar add 日期 N{wd|d|m} [--roll] [--data DIR]  期限计算：起算日不计入，只输出届满日 YYYY-MM-DD\n"
            "         （wd 工作日；d 日，--roll 届满日遇休息日顺延；m 月，无对应日取月末）\n"
            "  calendar count 起日 止日 [--data DIR]  起日之后至止日（含）的工作日数\n"
            "  calendar show 年份 [--data DIR]       按月显示全年日历，标出休息日与调休上班日\n"
            "  calendar import 文件 [--data DIR] [--check]  导入节假日安排（JSON 或 CSV，全部成功或全部不导入）\n"
            "         add/count/show 不给 --data 时使用内置的 2024–2026 年安排\n\n"
            "每个配置项都可作为参数 --key 值 使用（下划线可写作连字符）。\n\n",
            FAZHI_VERSION);
    config_help(out);
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *cmd = argv[1];
    int n = argc - 2;
    char **rest = argv + 2;
    for (int i = 0; i < n; i++) {
        if (strcmp(rest[i], "--help") == 0) {
            usage(stdout);
            return 0;
        }
    }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("fazhi %s\n", FAZHI_VERSION);
        return 0;
    }
    if (strcmp(cmd, "init") == 0)
        return cmd_init(n, rest);
    if (strcmp(cmd, "serve") == 0)
        return cmd_serve(n, rest);
    if (strcmp(cmd, "verify") == 0)
        return cmd_verify(n, rest);
    if (strcmp(cmd, "backup") == 0)
        return cmd_backup(n, rest);
    if (strcmp(cmd, "defs") == 0)
        return cmd_defs(n, rest);
    if (strcmp(cmd, "user") == 0)
        return cmd_user(n, rest);
    if (strcmp(cmd, "laws") == 0)
        return cmd_laws(n, rest);
    if (strcmp(cmd, "import") == 0)
        return cmd_import(n, rest);
    if (strcmp(cmd, "calendar") == 0)
        return cmd_calendar(n, rest);
    if (strcmp(cmd, "migrate-store") == 0)
        return cmd_migrate_store(n, rest);
    if (strcmp(cmd, "indicators") == 0)
        return cmd_indicators(n, rest);
    if (strcmp(cmd, "demo") == 0)
        return cmd_demo(n, rest);
    if (strcmp(cmd, "report") == 0)
        return cmd_report(n, rest);
    fprintf(stderr, "错误：未知命令 %s（见 fazhi --help）\n", cmd);
    return 2;
}
