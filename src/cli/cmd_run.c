/*
 * strata up, down and redo.
 */
#include <string.h>

#include "commands.h"
#include "config.h"
#include "json.h"
#include "options.h"
#include "output.h"

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
	o->to = cli->has_to ? cli->to : NULL;
	o->all = cli->all;
	o->dry_run = cli->dry_run;
	o->allow_out_of_order = cli->allow_out_of_order;
	o->no_backup = cli_no_backup(cli, 0);
	o->single_transaction = cli->single_transaction;
	o->backup_suffix = cli->suffix;
	/* plan writes a script: steps alone */
	if (cli->cmd == &cli_cmd_plan)
		cli_json_set(cli, "steps", json_array());
	else
		cli_json_run_fields(cli);
	return 0;
}

static int finish(struct cli *cli, int rc, size_t done, const char *verb,
                  const char *none)
{
	cli_release_signals();
	cli_progress_clear();
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
	return done ? cli_write_schema_file(cli) : EXIT_OK;
}

struct replicas_seen {
	struct cli *cli;
	size_t n;
};

/* One standby after up --wait-replicas, on stderr as the notes are. */
static void replica_line(const strata_replica *r, void *payload)
{
	struct replicas_seen *seen = payload;
	struct cli *cli = seen->cli;

	seen->n++;
	if (r->caught_up && r->replay_lag_ms >= 0)
		cli_note(
		        cli,
		        "standby %s (%s): replayed the run, replay lag %lld ms",
		        r->name, r->address, (long long)r->replay_lag_ms);
	else if (r->caught_up)
		cli_note(cli, "standby %s (%s): replayed the run", r->name,
		         r->address);
	else if (r->behind_bytes >= 0)
		cli_note(cli, "standby %s (%s): %lld bytes behind", r->name,
		         r->address, (long long)r->behind_bytes);
	else
		cli_note(cli, "standby %s (%s): progress unknown", r->name,
		         r->address);
}

/* up --wait-replicas, once the run has committed */
static int wait_replicas(struct cli *cli)
{
	struct replicas_seen seen = { cli, 0 };
	int rc = strata_wait_replicas(cli->ctx, cli->wait_replicas_ms,
	                              replica_line, &seen);

	if (rc < 0)
		return cli_report_error(cli, rc);
	if (!seen.n)
		cli_note(cli, "no streaming standby is connected to the "
		              "server: nothing to wait for");
	return EXIT_OK;
}

static int cmd_up(struct cli *cli, int argc, char **argv)
{
	strata_run_options o;
	size_t done = 0;
	int rc = run_opts(cli, argc, argv, &o);

	if (rc)
		return rc;
	/* refused before anything runs */
	if (cli->wait_replicas && !strata_replicas_supported(cli->ctx))
		return cli_usage_error(cli,
		                       "--wait-replicas: strata waits for "
		                       "PostgreSQL's streaming standbys; this "
		                       "database has none it can wait for");
	cli_catch_signals(cli->ctx);
	rc = strata_up(cli->ctx, &o, &done);
	rc = finish(cli, rc, done,
	            cli->dry_run ? "would be applied" : "applied",
	            "nothing to apply: the database is up to date");
	if (cli->wait_replicas && !cli->dry_run &&
	    (rc == EXIT_OK || rc == EXIT_SCHEMA_FILE)) {
		int w = wait_replicas(cli);

		rc = w == EXIT_OK ? rc : w;
	}
	return rc;
}

static int cmd_down(struct cli *cli, int argc, char **argv)
{
	strata_run_options o;
	size_t done = 0;
	int rc = run_opts(cli, argc, argv, &o);

	if (rc)
		return rc;
	cli_catch_signals(cli->ctx);
	rc = strata_down(cli->ctx, &o, &done);
	if (done)
		(void)cli_no_backup(cli, 1); /* say why none was written */
	return finish(cli, rc, done, "rolled back",
	              "nothing to roll back: no migration is applied");
}

static int cmd_redo(struct cli *cli, int argc, char **argv)
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
	if (rc < 0)
		return cli_report_error(cli, rc);
	(void)cli_no_backup(cli, 1); /* say why none was written */
	return cli->dry_run ? EXIT_OK : cli_write_schema_file(cli);
}

static int cmd_plan(struct cli *cli, int argc, char **argv)
{
	strata_run_options o;
	size_t n = 0;
	int rc;

	cli->dry_run = 1;
	cli_json_set(cli, "direction", json_string(cli->down ? "down" : "up"));
	cli_json_set(cli, "offline", json_boolean(cli->offline));
	rc = run_opts(cli, argc, argv, &o);
	if (rc)
		return rc;
	if (cli->all && !cli->down)
		return cli_usage_error(cli, "--all goes with --down");
	rc = strata_plan(cli->ctx, &o, cli->down, cli->offline, &n);
	cli_json_set(cli, "count", json_integer((json_int_t)n));
	if (rc < 0)
		return cli_report_error(cli, rc);
	cli_note(cli, "plan: %zu migration%s; nothing was changed", n,
	         n == 1 ? "" : "s");
	return EXIT_OK;
}

static const struct cli_opt up_options[] = {
	CLI_OPT_CALLBACK(0, "to", "VERSION", cli_opt_to,
	                 "apply up to and including VERSION"),
	CLI_OPT_FLAG(0, "dry-run", dry_run,
	             "print the SQL that would run, change nothing"),
	CLI_OPT_FLAG(
	        0, "allow-out-of-order", allow_out_of_order,
	        "apply pending migrations older than the newest applied one"),
	CLI_OPT_FLAG(0, "single-transaction", single_transaction,
	             "all of them in one transaction: all applied or none"),
	CLI_OPT_CALLBACK(0, "wait-replicas", "[=SECONDS]",
	                 cli_opt_wait_replicas,
	                 "then wait (60 s by default) until every streaming "
	                 "standby has replayed the run"),
	CLI_OPT_END
};

const struct cmd cli_cmd_up = {
	"up",
	cmd_up,
	up_options,
	"[N] [--to VERSION]",
	"apply pending migrations",
	"Applies pending migrations in version order, each with its history "
	"row in one\ntransaction. N limits the run to the next N migrations. "
	"Refuses to start when a\nmigration is dirty or was edited after it "
	"was applied, when a pending one is\nolder than the newest applied "
	"one, or when an applied one's file is gone.",
	CMD_ALL_TARGETS | CMD_WRITES | CMD_FLEET
};

static const struct cli_opt down_options[] = {
	CLI_OPT_CALLBACK(
	        0, "to", "VERSION", cli_opt_to,
	        "roll back every migration newer than VERSION (0: all)"),
	CLI_OPT_FLAG(0, "all", all, "roll back every applied migration"),
	CLI_OPT_FLAG(0, "dry-run", dry_run,
	             "print the SQL that would run, change nothing"),
	CLI_OPT_FLAG(0, "no-backup", no_backup, "do not write a backup first"),
	CLI_OPT_STRING(0, "suffix", suffix, "TEXT",
	               "added to the backup's file name"),
	CLI_OPT_END
};

const struct cmd cli_cmd_down = {
	"down",
	cmd_down,
	down_options,
	"[N] [--to VERSION] [--all]",
	"roll back applied migrations, newest first",
	"Rolls back the newest applied migration (or N of them, or all "
	"newer than\nVERSION, or --all) with their down files. A migration "
	"without a down file\nstops the command before anything runs.",
	CMD_ALL_TARGETS | CMD_REVERSE | CMD_WRITES
};

static const struct cli_opt redo_options[] = {
	CLI_OPT_FLAG(0, "dry-run", dry_run,
	             "print the SQL that would run, change nothing"),
	CLI_OPT_FLAG(0, "no-backup", no_backup, "do not write a backup first"),
	CLI_OPT_STRING(0, "suffix", suffix, "TEXT",
	               "added to the backup's file name"),
	CLI_OPT_END
};

const struct cmd cli_cmd_redo = {
	"redo",
	cmd_redo,
	redo_options,
	"[--dry-run] [--no-backup]",
	"roll back the newest migration and apply it again",
	"Like down then up for the newest migration; a backup is written "
	"first\nunless --no-backup.",
	CMD_WRITES
};

static const struct cli_opt plan_options[] = {
	CLI_OPT_CALLBACK(
	        0, "to", "VERSION", cli_opt_to,
	        "up to and including VERSION (with --down: newer than VERSION)"),
	CLI_OPT_FLAG(0, "down", down,
	             "the script of a rollback (one by default)"),
	CLI_OPT_FLAG(0, "all", all, "with --down: roll back everything"),
	CLI_OPT_FLAG(0, "offline", offline,
	             "do not connect: assume nothing is applied"),
	CLI_OPT_FLAG(
	        0, "allow-out-of-order", allow_out_of_order,
	        "include pending migrations older than the newest applied one"),
	CLI_OPT_END
};

const struct cmd cli_cmd_plan = {
	"plan",
	cmd_plan,
	plan_options,
	"[N] [--to VERSION] [--down] [--offline]",
	"write the SQL script that up (or down) would run",
	"Prints, as one script, exactly the SQL that 'up' (or with --down, "
	"'down')\nwould run, with the history table's statements, for a DBA "
	"to review and\nrun with psql, sqlite3 or mysql: strata plan > "
	"release.sql. History rows\nin the script take the database's clock "
	"when it runs.",
	CMD_FLEET
};
