/* cli.h: shared pieces of the subcommands: option parsing into a config,
 * and the command entry points (one file each). */
#ifndef FZ_CLI_H
#define FZ_CLI_H

#include "engine/config.h"

/* Parses argv (after the subcommand) into cfg: defaults, then DIR/fazhi.conf
 * (when load_file), then FAZHI_* environment, then --key value / --key=value
 * flags for every config key. Arguments that are not flags are collected in
 * pos (at most npos_max). Unknown flags are errors unless listed in extra
 * (NULL-terminated list of "--flag" names taking a value; their values are
 * returned in extra_vals in the same order, NULL when absent). Prints the
 * error in Chinese and returns -1 on failure. */
int cli_parse(int argc, char **argv, config *cfg, int load_file, const char **pos, int npos_max,
              int *npos, const char *const *extra, const char **extra_vals);

int cmd_init(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_defs(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_laws(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_calendar(int argc, char **argv);

#endif
