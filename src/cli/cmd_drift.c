/*
 * strata drift: the live database's schema against the one its
 * migrations (or a dump file) make in a scratch database, object by
 * object (strata_drift): added, removed and changed objects, as lines or
 * JSON. Exit 3 when the database has drifted.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "json.h"
#include "options.h"
#include "output.h"

static const char *const change_word[] = { "added", "removed", "changed" };

static const char *value_text(const char *v)
{
	return v ? v : "(none)";
}

static void print_lines(struct cli *cli, const strata_drift_report *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		const strata_drift_item *it = &r->items[i];
		const char *color = it->change == STRATA_DRIFT_ADDED ? "green" :
		                    it->change == STRATA_DRIFT_REMOVED ?
		                                                       "red" :
		                                                       "yellow";

		printf("%s%s%s %s %s", cli_c(cli, color),
		       change_word[it->change], cli_c(cli, "reset"),
		       cli_esc(it->kind), cli_esc(it->name));
		if (it->attribute) {
			printf(": %s %s", cli_esc(it->attribute),
			       cli_esc(value_text(it->expected)));
			printf(" -> %s", cli_esc(value_text(it->actual)));
		}
		putchar('\n');
	}
}

static json_t *json_value(const char *v)
{
	return v ? cli_json_string(v) : json_null();
}

static void print_json(struct cli *cli, const strata_drift_report *r)
{
	json_t *lists[3];
	size_t i;

	for (i = 0; i < 3; i++)
		lists[i] = json_array();
	for (i = 0; i < r->n; i++) {
		const strata_drift_item *it = &r->items[i];
		json_t *o = json_object();

		json_object_set_new(o, "kind", cli_json_string(it->kind));
		json_object_set_new(o, "name", cli_json_string(it->name));
		if (it->change == STRATA_DRIFT_CHANGED) {
			json_object_set_new(o, "attribute",
			                    cli_json_string(it->attribute));
			json_object_set_new(o, "expected",
			                    json_value(it->expected));
			json_object_set_new(o, "actual",
			                    json_value(it->actual));
		}
		json_array_append_new(lists[it->change], o);
	}
	cli_json_set(cli, "drift", json_boolean(r->n > 0));
	cli_json_set(cli, "added", lists[0]);
	cli_json_set(cli, "removed", lists[1]);
	cli_json_set(cli, "changed", lists[2]);
}

static int cmd_drift(struct cli *cli, int argc, char **argv)
{
	strata_drift_options o;
	strata_drift_report *r = NULL;
	int rc;

	(void)argv;
	if (argc)
		return cli_usage_error(cli, "drift takes no arguments");
	if (cli->drift_from && !cli->drift_from[0])
		return cli_usage_error(cli, "--from: name a dump file");
	if (cli->drift_from && cli->all)
		return cli_usage_error(cli, "--from and --all: the dump file "
		                            "is the schema compared with; "
		                            "leave one out");
	memset(&o, 0, sizeof(o));
	o.from = cli->drift_from;
	o.all = cli->all;
	o.shadow_url = cli->shadow;
	/* Ctrl-C stops the scratch database's migrations; a temporary
	 * database is dropped all the same */
	cli_catch_signals(cli->ctx);
	rc = strata_drift(&r, cli->ctx, &o);
	cli_release_signals();
	if (rc < 0)
		return cli_report_error(cli, rc);
	rc = EXIT_OK;
	if (cli->json)
		print_json(cli, r);
	else
		print_lines(cli, r);
	if (!cli->json && r->n)
		cli_note(cli, "drift: %zu added, %zu removed, %zu changed",
		         r->n_added, r->n_removed, r->n_changed);
	else if (!cli->json)
		cli_note(cli, "no drift: the database's schema is the one %s",
		         o.from ? "the dump file makes" :
		         o.all  ? "every migration of the folder makes" :
		                  "its applied migrations make");
	/* drift found is the answer, not a failure */
	if (rc == EXIT_OK && r->n)
		rc = cli_json_verdict(cli, EXIT_STATE);
	strata_drift_free(r);
	return rc;
}

static const struct cli_opt drift_options[] = {
	CLI_OPT_STRING(0, "from", drift_from, "FILE",
	               "compare with a file 'strata dump' wrote instead of "
	               "the folder"),
	CLI_OPT_FLAG(0, "all", all,
	             "apply every migration of the folder, pending ones too"),
	CLI_OPT_END
};

const struct cmd cli_cmd_drift = {
	"drift",
	cmd_drift,
	drift_options,
	"[--from FILE | --all]",
	"compare the database's schema with the one its migrations make",
	"Applies the migrations the history says are applied (all of them "
	"with\n--all, or the file of --from) to a scratch database: SQLite in "
	"memory, or\na temporary database strata creates and drops on the "
	"same server, or the\nshadow database strata.conf names (emptied "
	"before and after). Then compares\nboth catalogues object by object: "
	"tables, columns (type, default, not null),\nindexes, constraints, "
	"views, functions, triggers, sequences, extensions;\nthe history "
	"table is left out. Prints each object added (in the database,\nnot "
	"made by the migrations), removed (made by them, not in the "
	"database)\nand changed (with what differs, the migrations' value "
	"first). Pending\nmigrations are not drift. Exit 3 when the database "
	"has drifted.",
	CMD_FLEET
};
