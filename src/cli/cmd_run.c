/*
 * strata up, down and redo.
 */
#include <string.h>

#include "cli.h"

static int run_opts(struct cli *cli, int argc, char **argv,
                    strata_run_options *o)
{
	memset(o, 0, sizeof(*o));
	if (argc > 1)
		return cli_usage_error(cli, "too many arguments");
	if (argc == 1 && cli_parse_count(cli, argv[0], &o->count) < 0)
		return EXIT_USAGE;
	if (argc == 1 && (cli->has_to || cli->all))
		return cli_usage_error(cli, "give N or --to/--all, not both");
	if (cli->has_to && cli->all)
		return cli_usage_error(cli, "give --to or --all, not both");
	o->has_to = cli->has_to;
	o->to = cli->to;
	o->all = cli->all;
	o->dry_run = cli->dry_run;
	o->allow_out_of_order = cli->allow_out_of_order;
	o->no_backup = cli->no_backup;
	o->single_transaction = cli->single_transaction;
	o->backup_suffix = cli->suffix;
	return 0;
}

static int finish(struct cli *cli, int rc, size_t done, const char *verb,
                  const char *none)
{
	cli_release_signals();
	if (rc < 0) {
		if (done && !cli->quiet)
			fprintf(stderr,
			        "strata: %zu migration%s %s before the "
			        "error\n",
			        done, done == 1 ? "" : "s", verb);
		return cli_report_error(cli, rc);
	}
	if (cli->dry_run) {
		cli_note(cli, "dry run: nothing was changed");
		return EXIT_OK;
	}
	if (!done)
		cli_note(cli, "%s", none);
	else
		cli_note(cli, "%zu migration%s %s (%s)", done,
		         done == 1 ? "" : "s", verb,
		         strata_ctx_url_redacted(cli->ctx));
	return EXIT_OK;
}

int cmd_up(struct cli *cli, int argc, char **argv)
{
	strata_run_options o;
	size_t done = 0;
	int rc = run_opts(cli, argc, argv, &o);

	if (rc)
		return rc;
	cli_catch_signals(cli->ctx);
	rc = strata_up(cli->ctx, &o, &done);
	return finish(cli, rc, done,
	              cli->dry_run ? "would be applied" : "applied",
	              "nothing to apply: the database is up to date");
}

int cmd_down(struct cli *cli, int argc, char **argv)
{
	strata_run_options o;
	size_t done = 0;
	int rc = run_opts(cli, argc, argv, &o);

	if (rc)
		return rc;
	cli_catch_signals(cli->ctx);
	rc = strata_down(cli->ctx, &o, &done);
	return finish(cli, rc, done, "rolled back",
	              "nothing to roll back: no migration is applied");
}

int cmd_redo(struct cli *cli, int argc, char **argv)
{
	strata_run_options o;
	int rc = run_opts(cli, argc, argv, &o);

	if (rc)
		return rc;
	if (argc)
		return cli_usage_error(cli, "redo takes no arguments");
	cli_catch_signals(cli->ctx);
	rc = strata_redo(cli->ctx, &o);
	cli_release_signals();
	return rc < 0 ? cli_report_error(cli, rc) : EXIT_OK;
}

int cmd_plan(struct cli *cli, int argc, char **argv)
{
	strata_run_options o;
	size_t n = 0;
	int rc;

	cli->dry_run = 1;
	rc = run_opts(cli, argc, argv, &o);
	if (rc)
		return rc;
	if (cli->all && !cli->down)
		return cli_usage_error(cli, "--all goes with --down");
	rc = strata_plan(cli->ctx, &o, cli->down, cli->offline, &n);
	if (rc < 0)
		return cli_report_error(cli, rc);
	cli_note(cli, "plan: %zu migration%s; nothing was changed", n,
	         n == 1 ? "" : "s");
	return EXIT_OK;
}
