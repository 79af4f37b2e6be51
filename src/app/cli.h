/* cli.h: shared pieces of the subcommands: option parsing into a config,
 * and the command entry points (one file each). */
#ifndef FZ_CLI_H
#define FZ_CLI_H

#include "engine/config.h"
#include "engine/defs.h"

/* Parses argv (after the subcommand) into cfg: defaults, then DIR/fazhi.conf
 * (when load_file), then FAZHI_* environment, then --key value / --key=value
 * flags for every config key. Arguments that are not flags are collected in
 * pos (at most npos_max). Unknown flags are errors unless listed in extra
 * (NULL-terminated list of "--flag" names taking a value; their values are
 * returned in extra_vals in the same order, NULL when absent). Prints the
 * error in Chinese and returns -1 on failure. */
int cli_parse(int argc, char **argv, config *cfg, int load_file, const char **pos, int npos_max,
              int *npos, const char *const *extra, const char **extra_vals);

/* Loads the definitions in cfg->defs the way `serve` does: an invalid set
 * prints every problem (file, JSON path, reason) and fails; a missing
 * directory is a warning and an empty set. 0 with *out set, or -1. */
int cli_load_defs(const config *cfg, defs **out);

int cmd_init(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_defs(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_laws(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_calendar(int argc, char **argv);
int cmd_migrate_store(int argc, char **argv);
int cmd_indicators(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_report(int argc, char **argv);

#endif
