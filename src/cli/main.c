/*
 * strata's entry point: find the command, parse global and command
 * options together (they may come before or after the command), resolve
 * the settings and run the command.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h> /* optind */

#include "commands.h"
#include "complete.h"
#include "config.h"
#include "json.h"
#include "options.h"
#include "output.h"
#include "targets.h"

int main(int argc, char **argv)
{
	struct cli cli;
	char **args;
	int i, cmd_at = 0, rc, n = 0;

	/* The command-line tool has one thread: SQLite's mutexes and its
	 * memory statistics (a mutex per allocation) are pure cost here. */
	strata_init(STRATA_INIT_SINGLE_THREAD);
	/* hidden, for the shell completion scripts: not a command of the
	 * help, nor a name "did you mean" offers */
	if (argc >= 2 && strcmp(argv[1], "__complete") == 0)
		return cli_complete(argc - 2, argv + 2, 0);
	if (argc >= 2 && strcmp(argv[1], "__complete-describe") == 0)
		return cli_complete(argc - 2, argv + 2, 1);
	memset(&cli, 0, sizeof(cli));
	cli_set_color(&cli, CLI_COLOR_AUTO);
	cli_early_color(&cli, argc, argv);
	/* errors before --json is read are JSON too */
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--json") == 0)
			cli.json = 1;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (argv[i][0] == '-' && argv[i][1]) {
			if (strcmp(argv[i], "--version") == 0) {
				cli.cmd = &cli_cmd_version;
				return cli_json_finish(
				        &cli,
				        cli_cmd_version.run(&cli, 0, NULL));
			}
			if (cli_global_takes_arg(argv[i]))
				i++;
			continue;
		}
		cmd_at = i;
		break;
	}
	if (cmd_at) {
		cli.cmd = cli_find_command(argv[cmd_at]);
		/* "--databse x status": x was the misspelt option's value */
		if (!cli.cmd && cmd_at > 1 &&
		    !cli_known_option(argv[cmd_at - 1]))
			return cli_json_finish(
			        &cli,
			        cli_unknown_option(&cli, argv[cmd_at - 1]));
		if (!cli.cmd)
			return cli_json_finish(
			        &cli, cli_unknown_command(&cli, argv[cmd_at]));
	}
	/* the argument vector without the command word */
	args = calloc((size_t)argc + 1, sizeof(*args));
	if (!args)
		return EXIT_FAILED;
	for (i = 0; i < argc; i++)
		if (i == 0 || i != cmd_at)
			args[n++] = argv[i];
	rc = cli_parse_options(&cli, n, args);
	if (rc) {
		free(args);
		return cli_json_finish(&cli, rc);
	}
	if (cli.json && (cli.help || !cli.cmd)) {
		rc = cli_usage_error(&cli, "%s",
		                     cli.help ? "--help has no JSON output" :
		                                "no command given");
		free(args);
		return cli_json_finish(&cli, rc);
	}
	if (!cli.cmd) {
		cli_print_main_help(cli.help ? stdout : stderr);
		free(args);
		return cli.help ? EXIT_OK : EXIT_USAGE;
	}
	if (cli.help) {
		cli_print_command_help(cli.cmd, stdout);
		free(args);
		return EXIT_OK;
	}
	if (!(cli.cmd->flags & CMD_NO_PROJECT))
		rc = cli_run_targets(&cli, n - optind, args + optind);
	else
		rc = cli.cmd->run(&cli, n - optind, args + optind);
	rc = cli_json_finish(&cli, rc);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "strata: error: cannot write output\n");
		rc = rc ? rc : EXIT_FAILED;
	}
	cli_settings_release(&cli);
	free(args);
	return rc;
}
