/*
 * strata squash --to V: the migrations up to V replaced by one squash
 * file made from the schema they produce (strata_squash); --dry-run says
 * what would change, --keep DIR moves the replaced files there instead
 * of deleting them, --force goes on past data statements.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "json.h"
#include "options.h"
#include "output.h"

static json_t *string_list(const char *const *v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, cli_json_string(v[i]));
	return a;
}

static void print_json(struct cli *cli, const strata_squash_result *r)
{
	cli_json_set(cli, "dry_run", json_boolean(!r->written));
	cli_json_set(cli, "file", cli_json_string(r->file));
	cli_json_set(cli, "version", cli_json_string(r->version));
	cli_json_set(cli, "replaced", string_list(r->versions, r->n_versions));
	cli_json_set(cli, "files", string_list(r->files, r->n_files));
	cli_json_set(cli, "kept_in",
	             cli->keep ? cli_json_string(cli->keep) : json_null());
	cli_json_set(cli, "data_files",
	             string_list(r->data_files, r->n_data_files));
	cli_json_set(cli, "sql", cli_json_string(r->text));
}

static void print_lines(struct cli *cli, const strata_squash_result *r)
{
	const char *would = r->written ? "" : "would ";
	size_t i;

	printf("%s%s %s\n", would, r->written ? "wrote" : "write",
	       cli_esc(r->file));
	for (i = 0; i < r->n_files; i++) {
		if (cli->keep) {
			const char *base = strrchr(r->files[i], '/');

			printf("%s%s %s -> %s/%s\n", would,
			       r->written ? "moved" : "move",
			       cli_esc(r->files[i]), cli_esc(cli->keep),
			       cli_esc(base ? base + 1 : r->files[i]));
		} else {
			printf("%s%s %s\n", would,
			       r->written ? "removed" : "remove",
			       cli_esc(r->files[i]));
		}
	}
}

static int cmd_squash(struct cli *cli, int argc, char **argv)
{
	strata_squash_options o;
	strata_squash_result *r = NULL;
	int rc;

	(void)argv;
	if (argc)
		return cli_usage_error(cli, "squash takes no arguments");
	if (!cli->has_to)
		return cli_usage_error(cli, "squash: name the newest version "
		                            "to replace with --to V");
	if (cli->keep && !cli->keep[0])
		return cli_usage_error(cli, "--keep: name a folder");
	memset(&o, 0, sizeof(o));
	o.to = cli->to;
	o.keep_dir = cli->keep;
	o.dry_run = cli->dry_run;
	o.force = cli->force;
	o.shadow_url = cli->shadow;
	cli_catch_signals(cli->ctx);
	rc = strata_squash(&r, cli->ctx, &o);
	cli_release_signals();
	if (rc < 0)
		return cli_report_error(cli, rc);
	if (cli->json)
		print_json(cli, r);
	else
		print_lines(cli, r);
	if (r->written)
		cli_note(cli,
		         "%zu migration%s squashed into %s; databases where "
		         "they ran record the squash on their next 'strata "
		         "up'",
		         r->n_versions, r->n_versions == 1 ? "" : "s",
		         cli_q(r->file));
	else
		cli_note(cli, "dry run: nothing was changed");
	strata_squash_free(r);
	return EXIT_OK;
}

static const struct cli_opt squash_options[] = {
	CLI_OPT_CALLBACK(0, "to", "VERSION", cli_opt_to,
	                 "replace the migrations up to and including VERSION"),
	CLI_OPT_FLAG(0, "dry-run", dry_run,
	             "say what would change, change nothing"),
	CLI_OPT_STRING(0, "keep", keep, "DIR",
	               "move the replaced files to DIR instead of deleting "
	               "them"),
	CLI_OPT_FLAG(0, "force", force,
	             "squash files with data statements too (their rows are "
	             "lost)"),
	CLI_OPT_END
};

const struct cmd cli_cmd_squash = {
	"squash",
	cmd_squash,
	squash_options,
	"--to V [--dry-run] [--keep DIR] [--force]",
	"replace the migrations up to V with one file of their schema",
	"Applies the migrations up to V to a scratch database (as drift: "
	"SQLite in\nmemory, a temporary database on the same server, or the "
	"shadow database\nof strata.conf), dumps its schema as 'strata dump' "
	"does, without the\nhistory table and its log, and writes it as one "
	"migration at version V\n(V_squashed.up.sql, V_squashed.sql or "
	"VV__squashed.sql, as the folder\nnames its files), listing what it "
	"replaced. The replaced files are\ndeleted, or moved to --keep DIR. "
	"Every migration up to V must be applied,\nunchanged, on the "
	"database. A database where they ran takes the squash\nfile as "
	"applied and records the squash on its next 'strata up'; an "
	"empty\ndatabase runs it first. Files with data statements (INSERT, "
	"UPDATE,\nDELETE ...) are refused without --force: a schema dump "
	"has no rows.\nExit 2 for a bad --to, data statements or a name "
	"taken; 3 when a\nmigration up to V is pending, dirty, changed or "
	"missing.",
	CMD_WRITES
};
