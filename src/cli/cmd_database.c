/*
 * strata wait, create and drop: the database the URL names, seen from its
 * server (as dbmate's commands of those names), for start-up scripts and
 * containers that come up together.
 */
#include <time.h>

#include "commands.h"
#include "json.h"
#include "options.h"
#include "output.h"
#include "../util/buf.h"

/* Monotonic milliseconds. */
static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void nap_ms(long long ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

static int cmd_wait(struct cli *cli, int argc, char **argv)
{
	int timeout_s = cli->wait_timeout_s ? cli->wait_timeout_s : 60;
	long long deadline;
	int rc;

	(void)argv;
	if (argc)
		return cli_usage_error(cli, "wait takes no arguments");
	if (timeout_s < 0)
		timeout_s = 0;
	deadline = now_ms() + (long long)timeout_s * 1000;
	for (;;) {
		long long left;

		rc = strata_database(cli->ctx, STRATA_DATABASE_PING);
		left = deadline - now_ms();
		if (rc != STRATA_ECONNECT || left <= 0)
			break;
		nap_ms(left < 1000 ? left : 1000);
	}
	cli_json_set(cli, "answered", json_boolean(rc == 0));
	if (rc == 0) {
		cli_note(cli, "%s answers", strata_ctx_url_redacted(cli->ctx));
		return EXIT_OK;
	}
	cli_report_error(cli, rc);
	if (rc != STRATA_ECONNECT)
		return cli_exit_code(rc);
	fprintf(stderr,
	        "strata: %serror%s: %s did not answer within %d second%s\n",
	        cli_ce(cli, "err"), cli_ce(cli, "reset"),
	        cli_esc(strata_ctx_url_redacted(cli->ctx)), timeout_s,
	        timeout_s == 1 ? "" : "s");
	return EXIT_CONNECT;
}

static const struct cli_opt wait_options[] = {
	CLI_OPT_CALLBACK(0, "timeout", "SECONDS", cli_opt_wait_timeout,
	                 "give up after this long (default: 60; 0: try once)"),
	CLI_OPT_END
};

const struct cmd cli_cmd_wait = {
	"wait",
	cmd_wait,
	wait_options,
	"[--timeout SECONDS]",
	"wait until the database server answers",
	"Tries to connect to the database's server every second until it "
	"answers, as\ndbmate wait does (PostgreSQL: its maintenance database "
	"postgres; MySQL: no\ndatabase; SQLite: at once), so the database "
	"itself need not exist yet.\nExits 5, naming the URL with its password "
	"masked, when it has not answered\nwithin --timeout.",
	0
};

static int cmd_create(struct cli *cli, int argc, char **argv)
{
	int rc;

	(void)argv;
	if (argc)
		return cli_usage_error(cli, "create takes no arguments");
	rc = strata_database(cli->ctx, STRATA_DATABASE_CREATE);
	if (rc == STRATA_EEXISTS) {
		/* as dbmate: an error, and one scripts can tell apart */
		cli_report_error(cli, rc);
		return EXIT_STATE;
	}
	if (rc < 0)
		return cli_report_error(cli, rc);
	cli_json_set(cli, "created", json_true());
	cli_note(cli, "created %s", strata_ctx_url_redacted(cli->ctx));
	return EXIT_OK;
}

static int drop_confirmed(struct cli *cli)
{
	if (cli->yes_delete)
		return 1;
	return cli_confirm_delete(cli, "drop deletes the database",
	                          "This drops the database",
	                          "with everything in it; no backup is "
	                          "written.");
}

static int cmd_drop(struct cli *cli, int argc, char **argv)
{
	int rc;

	(void)argv;
	if (argc)
		return cli_usage_error(cli, "drop takes no arguments");
	if (!drop_confirmed(cli))
		return EXIT_USAGE;
	rc = strata_database(cli->ctx, STRATA_DATABASE_DROP);
	cli_json_set(cli, "dropped", json_boolean(rc == 0));
	if (rc == STRATA_ENOTFOUND) {
		/* as dbmate: dropping what is not there leaves it not there */
		cli_note(cli, "%s: nothing dropped",
		         strata_error_last(cli->ctx)->message);
		return EXIT_OK;
	}
	if (rc < 0)
		return cli_report_error(cli, rc);
	cli_note(cli, "dropped %s", strata_ctx_url_redacted(cli->ctx));
	return EXIT_OK;
}

static const struct cli_opt drop_options[] = {
	CLI_OPT_FLAG(0, "yes-delete-all-data", yes_delete,
	             "do not ask (needed without a terminal)"),
	CLI_OPT_END
};

const struct cmd cli_cmd_create = {
	"create",
	cmd_create,
	NULL,
	"",
	"create the database the URL names",
	"Creates the database, as dbmate create does: PostgreSQL from its "
	"maintenance\ndatabase postgres, MySQL on a connection without a "
	"database, SQLite as an\nempty file. A database that exists already "
	"is an error (exit code 3).",
	CMD_WRITES
};

const struct cmd cli_cmd_drop = {
	"drop",
	cmd_drop,
	drop_options,
	"[--yes-delete-all-data]",
	"drop the database the URL names, with everything in it",
	"Drops the database, as dbmate drop does (SQLite: removes the file and "
	"its\n-wal, -shm and -journal files); no backup is written. Asks you "
	"to type\nDELETE ALL DATA; without a terminal it refuses unless\n"
	"--yes-delete-all-data. A database that does not exist is not an "
	"error.",
	CMD_WRITES
};
