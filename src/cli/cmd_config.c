/*
 * strata config: the resolved settings, passwords masked.
 */
#include <jansson.h>
#include <string.h>

#include "commands.h"
#include "options.h"
#include "output.h"

static int cmd_config(struct cli *cli, int argc, char **argv)
{
	const struct cli_target *t = cli->tgt;
	const char *type = t ? t->type : "";
	int exec = t && strcmp(t->type, "exec") == 0;

	(void)argv;
	if (argc)
		return cli_usage_error(cli, "config takes no arguments");
	if (cli->json) {
		json_t *o = json_object();
		char *s;

		json_object_set_new(o, "target",
		                    t ? cli_json_string(t->name) : json_null());
		json_object_set_new(o, "type", json_string(type));
		json_object_set_new(
		        o, exec ? "registry" : "database",
		        cli_json_string(strata_ctx_url_redacted(cli->ctx)));
		json_object_set_new(o, "database_from",
		                    json_string(cli->database_from));
		json_object_set_new(o, "dir",
		                    cli_json_string(cli->dir ? cli->dir :
		                                               "migrations"));
		json_object_set_new(o, "dir_from", json_string(cli->dir_from));
		json_object_set_new(
		        o, "table",
		        cli_json_string(cli->table ? cli->table :
		                                     "schema_migrations"));
		json_object_set_new(o, "schema",
		                    cli->schema ? cli_json_string(cli->schema) :
		                                  json_null());
		json_object_set_new(o, "lock_timeout",
		                    json_integer(cli->lock_timeout_s > 0 ?
		                                         cli->lock_timeout_s :
		                                 cli->lock_timeout_s < 0 ? 0 :
		                                                           60));
		if (exec)
			json_object_set_new(
			        o, "command",
			        t->command_raw ?
			                cli_json_string(t->command_raw) :
			                json_null());
		s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		json_decref(o);
		if (!s)
			return EXIT_FAILED;
		fputs(s, stdout);
		fputc('\n', stdout);
		free(s);
		return EXIT_OK;
	}
	if (t)
		printf("%-12s %s\n", "type", type);
	/* names quoted as in every table (cli_q); the URL and the
	 * command are text */
	printf("%-12s %s (from %s)\n", exec ? "registry" : "database",
	       cli_esc(strata_ctx_url_redacted(cli->ctx)), cli->database_from);
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
	CMD_ALL_TARGETS
};
