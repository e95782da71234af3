/*
 * Targets: with --target, a command runs on that target; with several
 * targets configured and none named, up, status, validate, history and
 * config run on every target in the order of strata.conf (down in
 * reverse), and a failure stops the run, saying which targets were done.
 * With --json, each target's result is printed when it is done.
 */
#include <string.h>

#include "config.h"
#include "fleet.h"
#include "json.h"
#include "options.h"
#include "output.h"
#include "targets.h"

/* The context for the settings resolved (cli_resolve_settings). */
static int open_ctx(struct cli *cli)
{
	strata_options o;
	int rc;

	memset(&o, 0, sizeof(o));
	o.database_url = cli->database;
	o.migrations_dir = cli->dir;
	o.table = cli->table;
	o.schema = cli->schema;
	o.target = cli->target;
	o.lock_timeout_ms =
	        cli->lock_timeout_s < 0 ? -1 : cli->lock_timeout_s * 1000;
	o.ddl_lock_timeout_ms = cli->ddl_lock_ms;
	o.ddl_lock_retries = cli->ddl_lock_retries;
	o.verbose = cli->verbose;
	o.placeholders = cli_placeholders();
	o.lint_levels = cli_lint_levels();
	if (cli->tgt && strcmp(cli->tgt->type, "exec") == 0) {
		o.exec = 1;
		o.exec_command = cli->tgt->command;
		o.exec_env = (const char *const *)cli->tgt->env;
		o.exec_extension = cli->tgt->extension;
	}
	o.on_event = cli_on_event;
	o.payload = cli;
	o.setting_name = cli_setting_name;
	rc = strata_ctx_new(&cli->ctx, &o);
	/* a fleet's worker: the last member's connection, if it can serve */
	if (rc == 0 && cli->spare) {
		rc = strata_ctx_reuse_connection(cli->ctx, cli->spare);
		strata_ctx_free(cli->spare);
		cli->spare = NULL;
		if (rc > 0)
			rc = 0;
	}
	if (rc < 0) {
		cli_json_fail(cli, NULL, 0, "%s", strata_strerror(rc));
		fprintf(stderr, "strata: error: %s\n", strata_strerror(rc));
		return EXIT_FAILED;
	}
	if (strcmp(cli->database_from, "default") == 0 && !cli->json)
		cli_note(cli,
		         "using the default database sqlite:strata.db (set "
		         "--database, DATABASE_URL, .env or strata.conf)");
	return 0;
}

/* The command on one database. */
static int run_database(struct cli *cli, const struct cli_target *t, int argc,
                        char **argv)
{
	int rc;

	cli_json_begin(cli, t ? t->name : NULL);
	rc = cli_resolve_settings(cli, t);
	if (rc == 0)
		rc = open_ctx(cli);
	if (rc == 0)
		rc = cli->cmd->run(cli, argc, argv);
	rc = cli_json_end(cli, rc);
	if (cli->keep_ctx && !cli->spare)
		cli->spare = cli->ctx;
	else
		strata_ctx_free(cli->ctx);
	cli->ctx = NULL;
	return rc;
}

static int run_one(struct cli *cli, const struct cli_target *t, int argc,
                   char **argv)
{
	if (t && t->fleet)
		return cli_run_fleet(cli, t, argc, argv, run_database);
	if (cli->member) {
		cli_json_fail(cli, NULL, 0,
		              "--member: target '%s' is not a fleet",
		              t ? t->name : "default");
		fprintf(stderr,
		        "strata: %serror%s: --member names a member of a "
		        "fleet; target '%s' is not one (no fleet setting)\n",
		        cli_ce(cli, "err"), cli_ce(cli, "reset"),
		        t ? cli_esc(t->name) : "default");
		return EXIT_USAGE;
	}
	return run_database(cli, t, argc, argv);
}

static void list_targets(const struct cli *cli, FILE *f)
{
	size_t i;

	for (i = 0; i < cli->n_targets; i++)
		fprintf(f, "%s%s", i ? ", " : "", cli->targets[i].name);
}

static int run_all(struct cli *cli, int argc, char **argv)
{
	int reverse = (cli->cmd->flags & CMD_REVERSE) != 0;
	size_t i, k;
	int rc = 0;

	for (k = 0; k < cli->n_targets; k++) {
		const struct cli_target *t =
		        &cli->targets[reverse ? cli->n_targets - 1 - k : k];

		if (!cli->json && !cli->quiet)
			printf("%s== target %s (%s) ==%s\n", cli_c(cli, "bold"),
			       t->name, t->type, cli_c(cli, "reset"));
		fflush(stdout);
		rc = run_one(cli, t, argc, argv);
		if (!cli->json && !cli->quiet && k + 1 < cli->n_targets)
			printf("\n");
		if (rc != EXIT_OK) {
			fprintf(stderr, "strata: stopped at target '%s'",
			        t->name);
			fprintf(stderr, "; done: ");
			for (i = 0; i < k; i++)
				fprintf(stderr, "%s%s", i ? ", " : "",
				        cli->targets[reverse ? cli->n_targets -
				                                       1 - i :
				                               i]
				                .name);
			if (!k)
				fprintf(stderr, "none");
			fprintf(stderr, "; not run: ");
			for (i = k + 1; i < cli->n_targets; i++)
				fprintf(stderr, "%s%s", i > k + 1 ? ", " : "",
				        cli->targets[reverse ? cli->n_targets -
				                                       1 - i :
				                               i]
				                .name);
			if (k + 1 == cli->n_targets)
				fprintf(stderr, "none");
			fprintf(stderr, "\n");
			break;
		}
	}
	return rc;
}

int cli_run_targets(struct cli *cli, int argc, char **argv)
{
	const char *wanted = cli->target;
	const struct cli_target *t;
	int rc = cli_load_config(cli, 0);

	if (rc)
		return rc;
	if (wanted) {
		t = cli_find_target(cli, wanted);
		if (!t) {
			cli_json_fail(
			        cli, NULL, 0, "no target '%s' in %s", wanted,
			        cli->config ? cli->config : "strata.conf");
			fprintf(stderr,
			        "strata: %serror%s: no target '%s' in "
			        "%s",
			        cli_ce(cli, "err"), cli_ce(cli, "reset"),
			        cli_esc(wanted),
			        cli->config ? cli_q(cli->config) :
			                      "strata.conf");
			if (cli->n_targets) {
				fprintf(stderr, " (targets: ");
				list_targets(cli, stderr);
				fprintf(stderr, ")");
			}
			fprintf(stderr, "\n");
			return EXIT_USAGE;
		}
		return run_one(cli, t, argc, argv);
	}
	if (cli->n_targets == 0)
		return run_one(cli, NULL, argc, argv);
	if (cli->n_targets == 1)
		return run_one(cli, &cli->targets[0], argc, argv);
	if (!(cli->cmd->flags & CMD_ALL_TARGETS)) {
		cli_json_fail(cli, NULL, 0,
		              "strata.conf has several targets: name one with "
		              "--target for '%s'",
		              cli->cmd->name);
		fprintf(stderr,
		        "strata: %serror%s: strata.conf has several targets (",
		        cli_ce(cli, "err"), cli_ce(cli, "reset"));
		list_targets(cli, stderr);
		fprintf(stderr, "): name one with --target for '%s'\n",
		        cli->cmd->name);
		return EXIT_USAGE;
	}
	return run_all(cli, argc, argv);
}
