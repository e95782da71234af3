/*
 * strata force VERSION and strata repair.
 */
#include <string.h>

#include "commands.h"
#include "json.h"
#include "options.h"
#include "output.h"

static int cmd_force(struct cli *cli, int argc, char **argv)
{
	/* none: nothing applied, even where a migration has version 0 */
	const char *v = argc == 1 && strcmp(argv[0], "none") == 0 ? NULL :
	                                                            argv[0];
	int rc;

	if (argc != 1)
		return cli_usage_error(cli, "force needs exactly one VERSION");
	if (v && cli_parse_version(cli, "VERSION", v) < 0)
		return EXIT_USAGE;
	rc = strata_force(cli->ctx, v);
	if (rc < 0)
		return cli_report_error(cli, rc);
	cli_json_set(cli, "version", cli_json_text(v));
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
	cli_json_set(cli, "repaired", json_integer((json_int_t)n));
	cli_note(cli, "%zu history row%s repaired", n, n == 1 ? "" : "s");
	return EXIT_OK;
}

static int cmd_baseline(struct cli *cli, int argc, char **argv)
{
	size_t n = 0;
	int rc;

	if (argc != 1)
		return cli_usage_error(cli, "needs exactly one VERSION");
	if (cli_parse_version(cli, "VERSION", argv[0]) < 0)
		return EXIT_USAGE;
	rc = strata_baseline(cli->ctx, argv[0], &n);
	if (rc < 0)
		return cli_report_error(cli, rc);
	cli_json_set(cli, "version", cli_json_string(argv[0]));
	cli_json_set(cli, "recorded", json_integer((json_int_t)n));
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
	"means: nothing applied\n(unless a migration has version 0; 'none' "
	"always means it). Use it after\nfixing a failed migration by hand.",
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
