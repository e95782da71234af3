/*
 * Settings from flags, the environment, .env and strata.conf, and the
 * targets strata.conf names.
 */
#ifndef STRATA_CLI_CONFIG_H
#define STRATA_CLI_CONFIG_H

#include "cli.h"

int cli_load_config(struct cli *cli, int missing_ok); /* missing_ok: init */
int cli_resolve_settings(struct cli *cli, const struct cli_target *t);
int cli_resolve_dir(struct cli *cli, const struct cli_target *t);
void cli_settings_release(struct cli *cli);
/* "sqlite, postgres, mysql or exec": the types a target may have, from
 * the drivers strata knows; for messages and the strata.conf template. */
const char *cli_type_list(void);
/* strata.conf's [placeholders], "name=value", NULL-terminated, or NULL */
const char *const *cli_placeholders(void);
/* strata.conf's [lint] levels, "rule=level", NULL-terminated, or NULL */
const char *const *cli_lint_levels(void);
const struct cli_target *cli_find_target(const struct cli *cli,
                                         const char *name);
/* No automatic backup first: --no-backup, or backup = off in strata.conf
 * for the target at hand (said in a note when announce is set). */
int cli_no_backup(const struct cli *cli, int announce);

#endif
