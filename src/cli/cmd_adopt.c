/*
 * strata adopt: take over another tool's history table (golang-migrate,
 * dbmate, goose, Flyway, sql-migrate, sqlx, Prisma, Diesel, migrate.sh,
 * Alembic) in place, and --undo to give it back.
 */
#include <string.h>

#include "commands.h"
#include "json.h"
#include "options.h"
#include "output.h"

static const char *action_name(strata_adopt_action a)
{
	switch (a) {
	case STRATA_ADOPT_RECORD:
		return "record";
	case STRATA_ADOPT_BASELINE:
		return "baseline";
	case STRATA_ADOPT_PENDING:
		return "pending";
	case STRATA_ADOPT_PRUNED:
		return "pruned";
	case STRATA_ADOPT_MISSING:
		return "missing";
	case STRATA_ADOPT_MISMATCH:
		return "mismatch";
	case STRATA_ADOPT_FAILED:
		return "failed";
	}
	return "?";
}

static int print_json(struct cli *cli, const strata_adopt_result *r, int rc)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; r && i < r->n_items; i++) {
		const strata_adopt_item *it = &r->items[i];
		json_t *o = json_object();

		json_object_set_new(o, "action",
		                    json_string(action_name(it->action)));
		json_object_set_new(o, "version",
		                    cli_json_text(it->version_text));
		json_object_set_new(o, "name", cli_json_string(it->name));
		json_object_set_new(o, "file", cli_json_text(it->file));
		json_object_set_new(o, "detail", cli_json_text(it->detail));
		json_array_append_new(arr, o);
	}
	cli_json_set(cli, "dry_run", json_boolean(cli->dry_run));
	cli_json_set(cli, "undo", json_boolean(cli->undo));
	cli_json_set(cli, "tool", r ? cli_json_text(r->tool) : json_null());
	cli_json_set(cli, "table", r ? cli_json_text(r->table) : json_null());
	cli_json_set(cli, "renamed_to",
	             r ? cli_json_text(r->renamed_to) : json_null());
	cli_json_set(cli, "recorded",
	             json_integer(r ? (json_int_t)r->n_recorded : 0));
	cli_json_set(cli, "items", arr);
	cli_json_set(cli, "undo_sql",
	             r ? cli_json_text(r->undo_sql) : json_null());
	cli_json_set(cli, "next", r ? cli_json_text(r->next) : json_null());
	if (rc < 0)
		return cli_report_error(cli, rc);
	return EXIT_OK;
}

static void print_items(struct cli *cli, const strata_adopt_result *r)
{
	size_t i;

	for (i = 0; i < r->n_items; i++) {
		const strata_adopt_item *it = &r->items[i];
		int bad = it->action >= STRATA_ADOPT_MISSING;
		const char *name = cli_q(it->name);

		printf("%s%-9s%s %-14s %-.*s%*s%s%s\n",
		       cli_c(cli, bad             ? "err" :
		                  it->action <= 1 ? "green" :
		                                    "dim"),
		       action_name(it->action), cli_c(cli, "reset"),
		       cli_q(it->version_text), (int)cli_fit(name, 40), name,
		       it->detail[0] ? 40 - (int)cli_fit(name, 40) : 0, "",
		       it->detail[0] ? "  " : "", cli_esc(it->detail));
	}
}

static int cmd_adopt(struct cli *cli, int argc, char **argv)
{
	strata_adopt_options o;
	const strata_adopt_result *r = NULL;
	int rc;

	(void)argv;
	if (argc)
		return cli_usage_error(cli, "adopt takes no arguments");
	memset(&o, 0, sizeof(o));
	o.dry_run = cli->dry_run;
	o.prune = cli->prune;
	o.undo = cli->undo;
	o.from = cli->from;
	rc = strata_adopt(&r, cli->ctx, &o);
	if (cli->json)
		return print_json(cli, r, rc);
	if (r && !cli->undo)
		print_items(cli, r);
	if (rc < 0)
		return cli_report_error(cli, rc);
	if (cli->undo) {
		if (cli->dry_run)
			fputs(r->undo_sql, stdout);
		else
			cli_note(cli,
			         "%s's table '%s' is back and strata's %zu "
			         "history row%s are gone: run %s again",
			         r->tool, r->table, r->n_recorded,
			         r->n_recorded == 1 ? "" : "s", r->tool);
		return EXIT_OK;
	}
	cli_note(cli,
	         "%s%zu migration%s %s as applied from %s's table '%s'; "
	         "nothing was run",
	         cli->dry_run ? "dry run: " : "", r->n_recorded,
	         r->n_recorded == 1 ? "" : "s",
	         cli->dry_run ? "would be recorded" : "recorded", r->tool,
	         r->table);
	if (r->renamed_to[0])
		cli_note(cli,
		         "%s '%s' %s renamed to '%s', since strata keeps its "
		         "history under that name",
		         r->tool, r->table, cli->dry_run ? "would be" : "was",
		         r->renamed_to);
	if (r->next[0])
		cli_note(cli, "%s", r->next);
	if (!cli->dry_run && !cli->quiet) {
		cli_note(cli,
		         "to give the database back to %s: 'strata adopt "
		         "--undo', or this SQL:",
		         r->tool);
		fputs(r->undo_sql, stderr);
	}
	return EXIT_OK;
}

static const struct cli_opt adopt_options[] = {
	CLI_OPT_FLAG(0, "dry-run", dry_run,
	             "show what would be recorded, write nothing"),
	CLI_OPT_FLAG(0, "prune", prune,
	             "leave out the other tool's rows whose files are gone"),
	CLI_OPT_FLAG(0, "undo", undo,
	             "give the database back: the other tool's table as it "
	             "was, strata's rows gone"),
	CLI_OPT_STRING(0, "from", from, "TOOL",
	               "the tool to adopt from, when several tables are "
	               "there"),
	CLI_OPT_END
};

const struct cmd cli_cmd_adopt = {
	"adopt",
	cmd_adopt,
	adopt_options,
	"[--dry-run] [--prune] [--undo] [--from TOOL]",
	"take over another tool's history table in place",
	"Finds the history table of the tool the folder was written for\n"
	"(golang-migrate, dbmate, goose, flyway, sql-migrate, sqlx, prisma,\n"
	"diesel, migrate.sh, alembic) and records every migration it says is\n"
	"applied as applied in strata's history, running nothing. Checksums\n"
	"the tool recorded are checked against the files. Refused, with\n"
	"nothing written, for a failed or dirty row, a file that does not\n"
	"match, a row without a file (unless --prune) or a table strata\n"
	"cannot read exactly. The other tool's table is kept, or renamed when\n"
	"strata needs its name; --undo puts it back.",
	CMD_WRITES
};
