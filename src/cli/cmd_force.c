/*
 * strata force VERSION and strata repair.
 */
#include "cli.h"

int cmd_force(struct cli *cli, int argc, char **argv)
{
	uint64_t v;
	int rc;

	if (argc != 1)
		return cli_usage_error(cli, "force needs exactly one VERSION");
	if (cli_parse_version(cli, "VERSION", argv[0], &v) < 0)
		return EXIT_USAGE;
	rc = strata_force(cli->ctx, v);
	if (rc < 0)
		return cli_report_error(cli, rc);
	if (v)
		cli_note(cli,
		         "the database is now recorded at version %s; "
		         "nothing was run",
		         argv[0]);
	else
		cli_note(cli, "no migration is recorded as applied now; "
		              "nothing was run");
	return EXIT_OK;
}

int cmd_repair(struct cli *cli, int argc, char **argv)
{
	size_t n = 0;
	int rc;

	(void)argv;
	if (argc)
		return cli_usage_error(cli, "repair takes no arguments");
	rc = strata_repair(cli->ctx, cli->prune, &n);
	if (rc < 0)
		return cli_report_error(cli, rc);
	cli_note(cli, "%zu history row%s repaired", n, n == 1 ? "" : "s");
	return EXIT_OK;
}

int cmd_baseline(struct cli *cli, int argc, char **argv)
{
	uint64_t v;
	size_t n = 0;
	int rc;

	if (argc != 1)
		return cli_usage_error(cli, "needs exactly one VERSION");
	if (cli_parse_version(cli, "VERSION", argv[0], &v) < 0)
		return EXIT_USAGE;
	if (v == 0)
		return cli_usage_error(cli, "VERSION must be 1 or more");
	rc = strata_baseline(cli->ctx, v, &n);
	if (rc < 0)
		return cli_report_error(cli, rc);
	cli_note(cli,
	         "%zu migration%s recorded as applied without running "
	         "(up to %s)",
	         n, n == 1 ? "" : "s", argv[0]);
	return EXIT_OK;
}
