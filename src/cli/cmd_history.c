/*
 * strata history: the applied log as a table or JSON; with --log, the
 * history log (every change strata made to the history).
 */
#include <string.h>

#include "commands.h"
#include "json.h"
#include "options.h"
#include "output.h"

static int print_json(struct cli *cli, const strata_history_entry *e, size_t n)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < n; i++) {
		json_t *o = json_object();

		/* as the file writes it, as status gives it */
		json_object_set_new(o, "version",
		                    cli_json_text(e[i].version_text));
		json_object_set_new(o, "name", cli_json_string(e[i].name));
		json_object_set_new(o, "kind",
		                    json_string(strata_kind_name(e[i].kind)));
		json_object_set_new(o, "file", cli_json_text(e[i].file));
		json_object_set_new(o, "checksum",
		                    cli_json_text(e[i].checksum));
		json_object_set_new(o, "checksum_algorithm",
		                    cli_json_text(e[i].checksum_algorithm));
		json_object_set_new(o, "applied_at",
		                    cli_json_time(e[i].applied_at));
		json_object_set_new(
		        o, "execution_ms",
		        json_integer((json_int_t)e[i].execution_ms));
		json_object_set_new(o, "applied_by",
		                    cli_json_string(e[i].applied_by));
		json_object_set_new(o, "target", cli_json_text(e[i].target));
		json_object_set_new(o, "database_type",
		                    cli_json_text(e[i].database_type));
		json_object_set_new(o, "dirty", json_boolean(e[i].dirty));
		json_object_set_new(o, "dirty_statement",
		                    cli_json_int_or_null(e[i].dirty > 0,
		                                         e[i].dirty));
		json_array_append_new(arr, o);
	}
	cli_json_set(cli, "history", arr);
	cli_json_set(cli, "log", json_null());
	return EXIT_OK;
}

/* The version as status shows it: as its file writes it, R for a
 * repeatable migration. */
static const char *version_of(const strata_history_entry *e)
{
	if (e->version_text && e->version_text[0])
		return e->version_text;
	return e->version[0] ? e->version : "R";
}

static size_t widest(size_t w, const char *s)
{
	size_t k = strlen(s);

	return k > w ? k : w;
}

/* Every column as wide as its widest value: names are never cut. */
static int print_table(struct cli *cli, const strata_history_entry *e, size_t n)
{
	size_t i, wat = 10, wver = 7, wname = 4, wby = 2;
	char at[64];

	for (i = 0; i < n; i++) {
		wat = widest(wat,
		             cli_time(cli, e[i].applied_at, at, sizeof(at)));
		wver = widest(wver, cli_q(version_of(&e[i])));
		wname = widest(wname, cli_q(e[i].name));
		wby = widest(wby, cli_q(e[i].applied_by));
	}
	printf("%s%-*s  %-*s  %-*s  %-10s  %8s  %-*s  %s%s\n",
	       cli_c(cli, "bold"), (int)wat, "APPLIED AT", (int)wver, "VERSION",
	       (int)wname, "NAME", "KIND", "TIME", (int)wby, "BY", "CHECKSUM",
	       cli_c(cli, "reset"));
	for (i = 0; i < n; i++) {
		/* every text column comes from the database: quoted when it
		 * must be; the checksum is cut to 12, as git cuts a hash */
		const char *sum;
		char t[32];

		cli_format_ms(t, sizeof(t), e[i].execution_ms);
		printf("%-*s  ", (int)wat,
		       cli_time(cli, e[i].applied_at, at, sizeof(at)));
		printf("%-*s  ", (int)wver, cli_q(version_of(&e[i])));
		printf("%-*s  ", (int)wname, cli_q(e[i].name));
		printf("%-10s  %8s  ", strata_kind_name(e[i].kind), t);
		printf("%-*s  ", (int)wby, cli_q(e[i].applied_by));
		sum = cli_q(e[i].checksum);
		printf("%.*s%s\n", (int)cli_fit(sum, 12), sum,
		       e[i].dirty ? "  DIRTY" : "");
	}
	return EXIT_OK;
}

static json_t *log_json(const strata_log_entry *e)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_integer((json_int_t)e->id));
	json_object_set_new(o, "at", cli_json_time(e->at));
	json_object_set_new(o, "action", cli_json_string(e->action));
	json_object_set_new(o, "version", cli_json_text(e->version_text));
	json_object_set_new(o, "name", cli_json_string(e->name));
	json_object_set_new(o, "kind", json_string(strata_kind_name(e->kind)));
	json_object_set_new(o, "checksum", cli_json_text(e->checksum));
	json_object_set_new(o, "by", cli_json_string(e->by));
	json_object_set_new(o, "target", cli_json_text(e->target));
	json_object_set_new(o, "detail", cli_json_text(e->detail));
	return o;
}

static const char *log_version(const strata_log_entry *e)
{
	if (e->version_text && e->version_text[0])
		return e->version_text;
	return e->kind == STRATA_KIND_REPEATABLE ? "R" : "-";
}

/* The log, oldest first: one line per change to the history. */
static void print_log(struct cli *cli, const strata_log_entry *e, size_t n)
{
	size_t i, wat = 2, wact = 6, wver = 7, wname = 4, wby = 2;
	char at[64];

	for (i = 0; i < n; i++) {
		wat = widest(wat, cli_time(cli, e[i].at, at, sizeof(at)));
		wact = widest(wact, cli_q(e[i].action));
		wver = widest(wver, cli_q(log_version(&e[i])));
		wname = widest(wname, cli_q(e[i].name));
		wby = widest(wby, cli_q(e[i].by));
	}
	printf("%s%-*s  %-*s  %-*s  %-*s  %-*s  %s%s\n", cli_c(cli, "bold"),
	       (int)wat, "AT", (int)wact, "ACTION", (int)wver, "VERSION",
	       (int)wname, "NAME", (int)wby, "BY", "DETAIL",
	       cli_c(cli, "reset"));
	for (i = 0; i < n; i++) {
		printf("%-*s  ", (int)wat,
		       cli_time(cli, e[i].at, at, sizeof(at)));
		printf("%-*s  ", (int)wact, cli_q(e[i].action));
		printf("%-*s  ", (int)wver, cli_q(log_version(&e[i])));
		printf("%-*s  ", (int)wname, cli_q(e[i].name));
		printf("%-*s  ", (int)wby, cli_q(e[i].by));
		printf("%s\n", cli_q(e[i].detail));
	}
}

static int cmd_history_log(struct cli *cli)
{
	const strata_log_entry *e;
	size_t n, i;
	int rc = strata_history_log(&e, &n, cli->ctx);

	if (rc < 0)
		return cli_report_error(cli, rc);
	if (cli->json) {
		json_t *arr = json_array();

		for (i = 0; i < n; i++)
			json_array_append_new(arr, log_json(&e[i]));
		cli_json_set(cli, "history", json_null());
		cli_json_set(cli, "log", arr);
		return EXIT_OK;
	}
	if (n == 0) {
		cli_note(cli, "the history log of %s is empty",
		         strata_ctx_url_redacted(cli->ctx));
		return EXIT_OK;
	}
	print_log(cli, e, n);
	return EXIT_OK;
}

static int cmd_history(struct cli *cli, int argc, char **argv)
{
	const strata_history_entry *e;
	size_t n;
	int rc;

	(void)argv;
	if (argc)
		return cli_usage_error(cli, "history takes no arguments");
	if (cli->log)
		return cmd_history_log(cli);
	rc = strata_history(&e, &n, cli->ctx);
	if (rc < 0)
		return cli_report_error(cli, rc);
	if (cli->json)
		return print_json(cli, e, n);
	if (n == 0) {
		cli_note(cli, "no migration has been applied to %s",
		         strata_ctx_url_redacted(cli->ctx));
		return EXIT_OK;
	}
	return print_table(cli, e, n);
}

static const struct cli_opt history_options[] = {
	CLI_OPT_FLAG(0, "log", log,
	             "show the history log: every apply, rollback, force, "
	             "repair, baseline, adopt and fresh, oldest first"),
	CLI_OPT_END
};

const struct cmd cli_cmd_history = {
	"history",
	cmd_history,
	history_options,
	"[--log]",
	"show the applied log: who, when, how long, checksum",
	"Without options: the history table, one row per applied migration "
	"(what is\napplied now). With --log: the history log beside it, "
	"<table>_log, one row per\nchange strata made to the history (who, "
	"when, what), never rewritten.",
	CMD_ALL_TARGETS | CMD_FLEET
};
