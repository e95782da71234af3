/*
 * The commands: each is defined next to its code (cmd_<name>.c) with its
 * options, and listed here in the order of 'strata help'.
 */
#ifndef STRATA_CLI_COMMANDS_H
#define STRATA_CLI_COMMANDS_H

#include <stdio.h>

#include "cli.h"

extern const struct cmd cli_cmd_init;
extern const struct cmd cli_cmd_new;
extern const struct cmd cli_cmd_up;
extern const struct cmd cli_cmd_down;
extern const struct cmd cli_cmd_redo;
extern const struct cmd cli_cmd_status;
extern const struct cmd cli_cmd_check;
extern const struct cmd cli_cmd_history;
extern const struct cmd cli_cmd_validate;
extern const struct cmd cli_cmd_lint;
extern const struct cmd cli_cmd_force;
extern const struct cmd cli_cmd_repair;
extern const struct cmd cli_cmd_plan;
extern const struct cmd cli_cmd_baseline;
extern const struct cmd cli_cmd_stamp;
extern const struct cmd cli_cmd_adopt;
extern const struct cmd cli_cmd_backup;
extern const struct cmd cli_cmd_restore;
extern const struct cmd cli_cmd_dump;
extern const struct cmd cli_cmd_drift;
extern const struct cmd cli_cmd_squash;
extern const struct cmd cli_cmd_fresh;
extern const struct cmd cli_cmd_config;
extern const struct cmd cli_cmd_wait;
extern const struct cmd cli_cmd_create;
extern const struct cmd cli_cmd_drop;
extern const struct cmd cli_cmd_version;
extern const struct cmd cli_cmd_help;

/* Every command, in order, ending with NULL. */
extern const struct cmd *const cli_commands[];
const struct cmd *cli_find_command(const char *name);
/* "unknown command", with the nearest name; returns EXIT_USAGE. */
int cli_unknown_command(const struct cli *cli, const char *name);
/* Whether word is a short option, or a long one of any table (a
 * command's option may come before the command). */
int cli_known_option(const char *word);
void cli_print_main_help(FILE *f);
/* After up, down or redo changed the database: the dump written to the
 * schema_file setting, when there is one (cmd_dump.c). EXIT_OK, or
 * EXIT_SCHEMA_FILE after reporting why it was not written. */
int cli_write_schema_file(struct cli *cli);

#endif
