/*
 * strata dump: the database's schema and history as SQL (strata_dump),
 * to stdout or a file; and the schema_file setting, the same file
 * written after every up, down or redo that changed the database.
 */
#include <stdio.h>

#include "commands.h"
#include "json.h"
#include "options.h"
#include "output.h"

static int cmd_dump(struct cli *cli, int argc, char **argv)
{
	strata_buf text = STRATA_BUF_INIT;
	int rc, changed;

	(void)argv;
	if (argc)
		return cli_usage_error(cli, "dump takes no arguments");
	strata_dump_include_log(cli->ctx, cli->log);
	if (cli->output) {
		if (!cli->output[0])
			return cli_usage_error(cli, "-o: name a file");
		rc = strata_dump_write(cli->ctx, cli->output, &changed);
		if (rc < 0)
			return cli_report_error(cli, rc);
		cli_json_set(cli, "file", cli_json_string(cli->output));
		cli_json_set(cli, "changed", json_boolean(changed));
		cli_json_set(cli, "sql", json_null());
		cli_note(cli, "%s %s",
		         changed ? "schema written to" : "schema unchanged in",
		         cli_q(cli->output));
		return EXIT_OK;
	}
	rc = strata_dump(&text, cli->ctx);
	if (rc < 0) {
		strata_buf_release(&text);
		return cli_report_error(cli, rc);
	}
	cli_json_set(cli, "file", json_null());
	cli_json_set(cli, "changed", json_null());
	cli_json_set(cli, "sql", cli_json_string(text.ptr));
	if (!cli->json)
		fwrite(text.ptr, 1, text.len, stdout);
	strata_buf_release(&text);
	return EXIT_OK;
}

int cli_write_schema_file(struct cli *cli)
{
	int rc, changed = 0;

	if (!cli->schema_file)
		return EXIT_OK;
	rc = strata_dump_write(cli->ctx, cli->schema_file, &changed);
	if (rc < 0) {
		cli_report_error(cli, rc);
		fprintf(stderr,
		        "strata: the migrations stay applied; the schema "
		        "file %s was not written (run 'strata dump -o %s')\n",
		        cli_q(cli->schema_file), cli_q(cli->schema_file));
		return EXIT_SCHEMA_FILE;
	}
	if (changed)
		cli_note(cli, "schema written to %s", cli_q(cli->schema_file));
	return EXIT_OK;
}

static const struct cli_opt dump_options[] = {
	CLI_OPT_STRING('o', "output", output, "FILE",
	               "write FILE (whole, or not at all) instead of stdout"),
	CLI_OPT_FLAG(0, "log", log,
	             "also the history log's rows, with their times and "
	             "users"),
	CLI_OPT_END
};

const struct cmd cli_cmd_dump = {
	"dump",
	cmd_dump,
	dump_options,
	"",
	"write the database's schema and history as SQL",
	"Writes the schema as the database's own dumper sees it (PostgreSQL: "
	"pg_dump\n--schema-only --no-owner --no-privileges; MySQL: mysqldump "
	"--no-data with\nroutines, triggers and events; SQLite: sqlite_master, "
	"tables, indexes, views,\ntriggers, each by name), then the history's "
	"rows as INSERT statements in\nversion order. The same schema always "
	"gives the same bytes: no dates,\nversions or random tokens, and the "
	"rows leave out when, by whom and how long\n(a restore stamps its "
	"own). 'strata restore FILE' into an empty database\nrecreates both. "
	"The schema_file setting of strata.conf writes this file\nafter every "
	"up, down and redo that changed something. With --log, the\nhistory "
	"log's rows follow, every value kept (ids, times, users): restored,\n"
	"the log is as it was; such a dump is no longer the same bytes for "
	"the\nsame schema.",
	0
};
