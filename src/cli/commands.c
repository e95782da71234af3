/*
 * The list of commands, the main help, and the help and version commands.
 */
#include <string.h>

#include "commands.h"
#include "json.h"
#include "options.h"
#include "output.h"

/* one a line, as 'strata help' lists them */
/* clang-format off */
const struct cmd *const cli_commands[] = { &cli_cmd_init,
	                                   &cli_cmd_new,
	                                   &cli_cmd_up,
	                                   &cli_cmd_down,
	                                   &cli_cmd_redo,
	                                   &cli_cmd_status,
	                                   &cli_cmd_check,
	                                   &cli_cmd_history,
	                                   &cli_cmd_validate,
	                                   &cli_cmd_lint,
	                                   &cli_cmd_force,
	                                   &cli_cmd_repair,
	                                   &cli_cmd_plan,
	                                   &cli_cmd_baseline,
	                                   &cli_cmd_stamp,
	                                   &cli_cmd_adopt,
	                                   &cli_cmd_backup,
	                                   &cli_cmd_restore,
	                                   &cli_cmd_dump,
	                                   &cli_cmd_drift,
	                                   &cli_cmd_squash,
	                                   &cli_cmd_fresh,
	                                   &cli_cmd_wait,
	                                   &cli_cmd_create,
	                                   &cli_cmd_drop,
	                                   &cli_cmd_config,
	                                   &cli_cmd_version,
	                                   &cli_cmd_help,
	                                   NULL };
/* clang-format on */

const struct cmd *cli_find_command(const char *name)
{
	const struct cmd *const *c;

	for (c = cli_commands; *c; c++)
		if (strcmp((*c)->name, name) == 0)
			return *c;
	return NULL;
}

void cli_print_main_help(FILE *f)
{
	const struct cmd *const *c;

	fputs("usage: strata [options] <command> [arguments]\n\n"
	      "strata evolves a database schema through versioned SQL files "
	      "and keeps\nan auditable history of what ran where.\n\n"
	      "commands:\n",
	      f);
	for (c = cli_commands; *c; c++)
		fprintf(f, "  %-10s %s\n", (*c)->name, (*c)->summary);
	fputs("\noptions:\n", f);
	cli_print_opts(cli_global_opts, f);
	fputs("\nThe database is taken from --database, DATABASE_URL, a .env "
	      "file or\nstrata.conf, in that order. Without any configuration, "
	      "strata uses\nsqlite:strata.db; with some, commands that write "
	      "need a database named.\n\nexit codes: 0 success, 1 a migration or "
	      "statement failed, 2 usage or input\nerror, 3 the database state "
	      "forbids it, 4 lock not had in time, 5 database\nnot reachable, "
	      "6 check: not up to date, 7 migrated but schema_file not\nwritten, 130 interrupted.\n\n'strata help COMMAND' shows a command's "
	      "options.\n",
	      f);
}

int cli_known_option(const char *word)
{
	const struct cmd *const *c;
	const char *name = word + 2;
	size_t len = strcspn(name, "=");
	const struct cli_opt *o;

	if (word[0] != '-' || word[1] != '-')
		return 1; /* short options: not guessed at */
	for (o = cli_global_opts; o->long_name; o++)
		if (strlen(o->long_name) == len &&
		    strncmp(o->long_name, name, len) == 0)
			return 1;
	for (c = cli_commands; *c; c++)
		for (o = (*c)->opts; o && o->long_name; o++)
			if (strlen(o->long_name) == len &&
			    strncmp(o->long_name, name, len) == 0)
				return 1;
	return 0;
}

/* Other tools' words for strata's commands (Flyway, Liquibase, goose,
 * golang-migrate, Rails, Laravel...). */
static const char *const other_words[][2] = {
	{ "info", "status" },
	{ "rollback", "down" },
	{ "clean", "fresh" },
	{ "migrate", "up" },
};

int cli_unknown_command(const struct cli *cli, const char *name)
{
	const struct cmd *const *c, *best = NULL;
	size_t i;
	int bd = 3;

	for (i = 0; i < sizeof(other_words) / sizeof(other_words[0]); i++)
		if (strcmp(name, other_words[i][0]) == 0) {
			cli_json_fail(
			        cli, NULL, 0,
			        "strata has no command '%s': did you mean "
			        "'%s'?",
			        name, other_words[i][1]);
			fprintf(stderr,
			        "strata: %serror%s: strata has no command '%s': "
			        "did you mean '%s'?\n",
			        cli_ce(cli, "err"), cli_ce(cli, "reset"), name,
			        other_words[i][1]);
			fputs("see 'strata help' for the commands\n", stderr);
			return EXIT_USAGE;
		}
	for (c = cli_commands; *c; c++) {
		int e = cli_edit_distance(name, (*c)->name);

		if (e < bd) {
			bd = e;
			best = *c;
		}
	}
	cli_json_fail(cli, NULL, 0, "unknown command '%s'", name);
	fprintf(stderr, "strata: %serror%s: unknown command '%s'\n",
	        cli_ce(cli, "err"), cli_ce(cli, "reset"), cli_esc(name));
	if (best)
		fprintf(stderr, "did you mean '%s'?\n", best->name);
	fputs("see 'strata help' for the commands\n", stderr);
	return EXIT_USAGE;
}

static int cmd_help(struct cli *cli, int argc, char **argv)
{
	const struct cmd *c;

	if (cli->json)
		return cli_usage_error(cli,
		                       "help has no JSON output (docs/JSON.md "
		                       "describes every command's)");
	if (argc == 0) {
		cli_print_main_help(stdout);
		return EXIT_OK;
	}
	c = cli_find_command(argv[0]);
	if (!c)
		return cli_unknown_command(cli, argv[0]);
	cli_print_command_help(c, stdout);
	return EXIT_OK;
}

static int cmd_version(struct cli *cli, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (cli->json)
		cli_json_set(cli, "version", json_string(strata_version()));
	else
		printf("strata %s\n", strata_version());
	return EXIT_OK;
}

const struct cmd cli_cmd_version = {
	"version", cmd_version,   NULL, "", "print strata's version",
	NULL,      CMD_NO_PROJECT
};

const struct cmd cli_cmd_help = {
	"help", cmd_help,      NULL, "[COMMAND]", "show help for a command",
	NULL,   CMD_NO_PROJECT
};
