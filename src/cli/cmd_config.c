/*
 * strata config: the resolved settings, passwords masked.
 */
#include <string.h>

#include "commands.h"
#include "json.h"
#include "options.h"
#include "output.h"
#include "../util/lockspec.h"

/* The target's or run's settings; the result has the database. */
static int print_json(struct cli *cli)
{
	const struct cli_target *t = cli->tgt;
	int exec = t && strcmp(t->type, "exec") == 0;
	const char *type = t ? t->type :
	                       strata_url_database_type(cli->database);

	cli_json_set(cli, "type", cli_json_text(type));
	cli_json_set(cli, "database_from", json_string(cli->database_from));
	cli_json_set(cli, "dir",
	             cli_json_string(cli->dir ? cli->dir : "migrations"));
	cli_json_set(cli, "dir_from", json_string(cli->dir_from));
	cli_json_set(cli, "table",
	             cli_json_string(cli->table ? cli->table :
	                                          "schema_migrations"));
	cli_json_set(cli, "schema", cli_json_text(cli->schema));
	cli_json_set(cli, "lock_timeout",
	             json_integer(cli->lock_timeout_s > 0 ?
	                                  cli->lock_timeout_s :
	                          cli->lock_timeout_s < 0 ? 0 :
	                                                    60));
	cli_json_set(cli, "ddl_lock_timeout_ms",
	             cli_json_int_or_null(cli->ddl_lock_ms > 0,
	                                  cli->ddl_lock_ms));
	cli_json_set(cli, "ddl_lock_retries",
	             json_integer(cli->ddl_lock_retries));
	/* exec: the database keeps the history; the command runs files */
	cli_json_set(cli, "exec_command",
	             exec ? cli_json_text(t->command_raw) : json_null());
	cli_json_set(cli, "fleet", cli_json_text(t ? t->fleet : NULL));
	return EXIT_OK;
}

static int cmd_config(struct cli *cli, int argc, char **argv)
{
	const struct cli_target *t = cli->tgt;
	const char *type = t ? t->type : "";
	int exec = t && strcmp(t->type, "exec") == 0;

	(void)argv;
	if (argc)
		return cli_usage_error(cli, "config takes no arguments");
	if (cli->json)
		return print_json(cli);
	if (t)
		printf("%-12s %s\n", "type", type);
	/* names quoted as in every table (cli_q); the URL and the
	 * command are text. A fleet's databases are its members'. */
	if (t && t->fleet)
		printf("%-12s %s (from %s:%d)\n", "fleet", cli_esc(t->fleet),
		       cli->config ? cli_q(cli->config) : "strata.conf",
		       t->fleet_line);
	else
		printf("%-12s %s (from %s)\n", exec ? "registry" : "database",
		       cli_esc(strata_ctx_url_redacted(cli->ctx)),
		       cli->database_from);
	printf("%-12s %s (from %s)\n", "dir",
	       cli->dir ? cli_q(cli->dir) : "migrations", cli->dir_from);
	printf("%-12s %s\n", "table",
	       cli->table ? cli_q(cli->table) : "schema_migrations");
	if (cli->schema)
		printf("%-12s %s\n", "schema", cli_q(cli->schema));
	if (cli->lock_timeout_s < 0)
		printf("%-12s %s\n", "lock_timeout", "0 (do not wait)");
	else
		printf("%-12s %d s\n", "lock_timeout",
		       cli->lock_timeout_s ? cli->lock_timeout_s : 60);
	if (cli->backup_off)
		printf("%-12s off (from %s)\n", "backup", cli->backup_off);
	else
		printf("%-12s on\n", "backup");
	printf("%-12s %s\n", "time", cli->local_time ? "local" : "utc");
	if (cli->ddl_lock_ms > 0) {
		char wait[32];

		strata__lockspec_format(wait, sizeof(wait), cli->ddl_lock_ms);
		printf("%-12s %s retries=%d\n", "ddl_lock_timeout", wait,
		       cli->ddl_lock_retries);
	}
	if (exec)
		printf("%-12s %s\n", "command",
		       t->command_raw ? cli_esc(t->command_raw) :
		                        "(each file runs itself: .py with "
		                        "python3, .sh with sh)");
	return EXIT_OK;
}

const struct cmd cli_cmd_config = {
	"config",
	cmd_config,
	NULL,
	"",
	"print the resolved settings of every target, passwords masked",
	"Shows where each setting came from: flags, the environment, .env "
	"or\nstrata.conf. Passwords in URLs are masked; commands are shown "
	"as written,\nbefore ${VAR} expansion.",
	CMD_ALL_TARGETS | CMD_FOLDER
};
