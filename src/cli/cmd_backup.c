/*
 * strata backup, restore and fresh: the commands that keep or destroy
 * data. fresh asks for "DELETE ALL DATA" to be typed.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define CONFIRM "DELETE ALL DATA"

int cmd_backup(struct cli *cli, int argc, char **argv)
{
	const char *path;
	int rc;

	(void)argv;
	if (argc)
		return cli_usage_error(cli, "backup takes no arguments");
	if (cli->list) {
		const char *const *v;
		size_t n, i;

		rc = strata_backup_list(&v, &n, cli->ctx);
		if (rc < 0)
			return cli_report_error(cli, rc);
		for (i = 0; i < n; i++)
			printf("%s\n", cli_q(v[i]));
		if (!n)
			cli_note(cli, "no backups under backups/");
		return EXIT_OK;
	}
	rc = strata_backup(&path, cli->ctx, cli->suffix);
	if (rc < 0)
		return cli_report_error(cli, rc);
	printf("%s\n", cli_q(path));
	return EXIT_OK;
}

int cmd_restore(struct cli *cli, int argc, char **argv)
{
	int rc;

	if (argc != 1)
		return cli_usage_error(cli, "restore needs exactly one FILE");
	rc = strata_restore(cli->ctx, argv[0]);
	if (rc < 0)
		return cli_report_error(cli, rc);
	cli_note(cli, "restored %s into %s", argv[0],
	         strata_ctx_url_redacted(cli->ctx));
	return EXIT_OK;
}

static int confirmed(struct cli *cli)
{
	char line[128];

	if (cli->yes_delete || cli->dry_run)
		return 1;
	if (!isatty(STDIN_FILENO)) {
		fprintf(stderr,
		        "strata: %serror%s: fresh deletes all data of %s: it "
		        "asks you to type '%s' on a terminal; without one, "
		        "pass --yes-delete-all-data\n",
		        cli_c(cli, "err"), cli_c(cli, "reset"),
		        cli_esc(strata_ctx_url_redacted(cli->ctx)), CONFIRM);
		return 0;
	}
	fprintf(stderr,
	        "This drops every table, view, type, function and sequence "
	        "of\n  %s\nand applies every migration again. Type %s to go "
	        "on: ",
	        cli_esc(strata_ctx_url_redacted(cli->ctx)), CONFIRM);
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin))
		return 0;
	line[strcspn(line, "\r\n")] = '\0';
	if (strcmp(line, CONFIRM) != 0) {
		fprintf(stderr, "strata: not confirmed: nothing was changed\n");
		return 0;
	}
	return 1;
}

int cmd_fresh(struct cli *cli, int argc, char **argv)
{
	strata_run_options o;
	size_t done = 0;
	int rc;

	(void)argv;
	if (argc)
		return cli_usage_error(cli, "fresh takes no arguments");
	if (!confirmed(cli))
		return EXIT_USAGE;
	memset(&o, 0, sizeof(o));
	o.dry_run = cli->dry_run;
	o.no_backup = cli->no_backup;
	o.backup_suffix = cli->suffix;
	cli_catch_signals(cli->ctx);
	rc = strata_fresh(cli->ctx, &o, &done);
	cli_release_signals();
	if (rc < 0)
		return cli_report_error(cli, rc);
	if (cli->dry_run)
		cli_note(cli, "dry run: nothing was changed");
	else
		cli_note(cli,
		         "fresh: everything dropped, %zu migration%s "
		         "applied",
		         done, done == 1 ? "" : "s");
	return EXIT_OK;
}
