/*
 * strata force VERSION and strata repair.
 */
#include "commands.h"
#include "options.h"
#include "output.h"

static int cmd_force(struct cli *cli, int argc, char **argv)
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

static int cmd_repair(struct cli *cli, int argc, char **argv)
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

static int cmd_baseline(struct cli *cli, int argc, char **argv)
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

const struct cmd cli_cmd_force = {
	"force",
	cmd_force,
	NULL,
	"VERSION",
	"declare the database to be at VERSION without running anything",
	"Clears the dirty mark, records every migration up to VERSION as "
	"applied\n(without running it) and forgets later ones. VERSION 0 "
	"means: nothing applied.\nUse it after fixing a failed migration by "
	"hand.",
	CMD_WRITES
};

static const struct cli_opt repair_options[] = {
	CLI_OPT_FLAG(0, "prune", prune,
	             "also forget applied migrations whose files are gone"),
	CLI_OPT_END
};

const struct cmd cli_cmd_repair = {
	"repair",
	cmd_repair,
	repair_options,
	"[--prune]",
	"record the new checksums of deliberately edited migrations",
	"After a deliberate edit of an applied migration, records the file's "
	"new\nchecksum (and the new name of a renamed one). With --prune, "
	"also forgets\napplied migrations whose files are gone, listing each "
	"first.",
	CMD_WRITES
};

const struct cmd cli_cmd_baseline = {
	"baseline",
	cmd_baseline,
	NULL,
	"VERSION",
	"mark an existing database as being at VERSION",
	"For a database that existed before strata: records every migration "
	"up to\nVERSION as applied (kind baseline) without running it. "
	"Refused when the\ndatabase already has a strata history (use "
	"force).",
	CMD_WRITES
};

const struct cmd cli_cmd_stamp = { "stamp",   cmd_baseline,           NULL,
	                           "VERSION", "the same as baseline", NULL,
	                           CMD_WRITES };
