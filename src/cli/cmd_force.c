/*
 * strata force VERSION and strata repair.
 */
#include <string.h>

#include "commands.h"
#include "json.h"
#include "options.h"
#include "output.h"
#include "../util/buf.h"

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

/* The INVALID indexes repair would drop: listed, and the user's yes
 * (--yes, or typed on the terminal). 1: go on, 0: refused. */
static int indexes_confirmed(struct cli *cli, const char *const *idx, size_t n)
{
	strata_buf what = STRATA_BUF_INIT, prompt = STRATA_BUF_INIT;
	size_t i;
	int ok = 0, rc;

	if (!n || cli->yes)
		return 1;
	rc = strata__buf_printf(&what, "repair drops %zu INVALID index%s", n,
	                        n == 1 ? "" : "es");
	if (rc == 0)
		rc = strata__buf_puts(&prompt,
		                      "A failed CREATE INDEX CONCURRENTLY left "
		                      "these indexes INVALID:\n");
	for (i = 0; rc == 0 && i < n; i++)
		rc = strata__buf_printf(&prompt, "  %s\n", cli_esc(idx[i]));
	if (rc == 0)
		rc = strata__buf_puts(&prompt,
		                      "repair drops them (DROP INDEX "
		                      "CONCURRENTLY), so that the next 'strata "
		                      "up' builds them again.");
	if (rc == 0)
		ok = cli_confirm(cli, what.ptr, prompt.ptr, "DROP", "--yes");
	strata_buf_release(&what);
	strata_buf_release(&prompt);
	return ok;
}

/* Drop the INVALID indexes listed and agreed to. */
static int drop_indexes(struct cli *cli, const char *const *idx, size_t n)
{
	json_t *a = json_array();
	size_t i, dropped = 0;
	int rc = n ? strata_drop_invalid_indexes(cli->ctx, &dropped) : 0;

	for (i = 0; i < n; i++)
		json_array_append_new(a, cli_json_text(idx[i]));
	cli_json_set(cli, "invalid_indexes", a);
	cli_json_set(cli, "indexes_dropped", json_integer((json_int_t)dropped));
	if (rc < 0)
		return cli_report_error(cli, rc);
	if (n)
		cli_note(cli, "%zu INVALID index%s dropped", dropped,
		         dropped == 1 ? "" : "es");
	return EXIT_OK;
}

static int cmd_repair(struct cli *cli, int argc, char **argv)
{
	const char *const *idx = NULL;
	size_t n = 0, n_idx = 0;
	int rc;

	(void)argv;
	if (argc)
		return cli_usage_error(cli, "repair takes no arguments");
	rc = strata_invalid_indexes(&idx, &n_idx, cli->ctx);
	if (rc < 0)
		return cli_report_error(cli, rc);
	if (!indexes_confirmed(cli, idx, n_idx))
		return EXIT_USAGE;
	rc = strata_repair(cli->ctx, cli->prune, &n);
	if (rc < 0)
		return cli_report_error(cli, rc);
	cli_json_set(cli, "repaired", json_integer((json_int_t)n));
	cli_note(cli, "%zu history row%s repaired", n, n == 1 ? "" : "s");
	return drop_indexes(cli, idx, n_idx);
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
	CLI_OPT_FLAG(0, "yes", yes,
	             "drop INVALID indexes without asking (PostgreSQL)"),
	CLI_OPT_END
};

const struct cmd cli_cmd_repair = {
	"repair",
	cmd_repair,
	repair_options,
	"[--prune] [--yes]",
	"record the new checksums of deliberately edited migrations",
	"After a deliberate edit of an applied migration, records the file's "
	"new\nchecksum (and the new name of a renamed one). With --prune, "
	"also forgets\napplied migrations whose files are gone, listing each "
	"first. On PostgreSQL,\nit also offers to drop the INVALID indexes a "
	"failed CREATE INDEX\nCONCURRENTLY left behind (--yes: without "
	"asking), so that the next up\nbuilds them again.",
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
