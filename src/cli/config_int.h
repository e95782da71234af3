/*
 * Shared by the two halves of the settings: config_read.c reads .env and
 * strata.conf once, config_resolve.c resolves a run's settings from the
 * flags, the environment and what was read. config.h is the interface
 * for the rest of the CLI.
 */
#ifndef STRATA_CLI_CONFIG_INT_H
#define STRATA_CLI_CONFIG_INT_H

#include "cli.h"
#include "../util/dotenv.h"

/* The [strata] section, kept for the whole run. */
struct file_settings {
	char *database, *dir, *table, *schema, *lock_timeout, *registry;
	char *schema_file;
	char *shadow;   /* drift's scratch database */
	char *ddl_lock; /* ddl_lock_timeout = DURATION [retries=N] */
	int ddl_lock_line;
	int database_line, dir_line, registry_line, schema_file_line;
	int local_time;          /* time = local */
	int backup, backup_line; /* backup = on (1) | off (0), -1: unset */
};

/* What strata.conf's [strata] section set. */
const struct file_settings *cli_conf_file(void);
/* The .env file's variables (none when there is no .env). */
const struct strata__dotenv *cli_conf_dotenv(void);
/* Were strata.conf and .env read? */
int cli_conf_found(void);
int cli_dotenv_found(void);

/* strata.conf, or the file --config names */
const char *cli_conf_path(const struct cli *cli);

/* "FILE:LINE: error: ..." (or "strata: error: ..." without a file), on
 * stderr and in --json; returns the exit code of a usage error. */
__attribute__((format(printf, 4, 5))) int
cli_setting_error(const struct cli *cli, const char *file, int line,
                  const char *fmt, ...);

/* A target whose settings could not all be expanded: the error, naming
 * the file and line, as a usage error (EXIT_USAGE); 0 when it is fine. */
int cli_target_unusable(const struct cli *cli, const struct cli_target *t);

#endif
