/*
 * strata lint: the findings of the library's lint as
 * file:line:col: level: rule: message and the statement's first line, or
 * JSON. Exit 3 when a finding is an error, 2 when some input could not
 * be read (a statement that does not parse, an unknown rule in a marker).
 */
#include <string.h>

#include "commands.h"
#include "json.h"
#include "options.h"
#include "output.h"

static void print_rules(struct cli *cli)
{
	const strata_lint_rule *r;
	json_t *arr = cli->json ? json_array() : NULL;
	size_t i;

	for (i = 0; (r = strata_lint_rule_at(i)); i++) {
		const char *lvl = r->level == 2 ? "error" :
		                  r->level == 1 ? "warning" :
		                                  "off";

		if (arr) {
			json_t *o = json_object();

			json_object_set_new(o, "name", json_string(r->name));
			json_object_set_new(o, "level", json_string(lvl));
			json_object_set_new(o, "dialects",
			                    json_string(r->dialects));
			json_object_set_new(o, "summary",
			                    json_string(r->summary));
			json_array_append_new(arr, o);
		} else {
			printf("%-34s %-7s %-22s %s\n", r->name, lvl,
			       r->dialects, r->summary);
		}
	}
	if (!arr)
		return;
	cli_json_set(cli, "offline", json_boolean(cli->offline));
	cli_json_set(cli, "errors", json_integer(0));
	cli_json_set(cli, "warnings", json_integer(0));
	cli_json_set(cli, "suppressed", json_integer(0));
	cli_json_set(cli, "findings", json_array());
	cli_json_set(cli, "rules", arr);
}

static json_t *finding_json(const strata_lint_finding *f)
{
	json_t *o = json_object();

	json_object_set_new(o, "rule", cli_json_text(f->rule));
	json_object_set_new(o, "level",
	                    json_string(f->level >= 2 ? "error" : "warning"));
	json_object_set_new(o, "file", cli_json_string(f->file));
	json_object_set_new(o, "line", json_integer(f->line));
	json_object_set_new(o, "column", json_integer(f->column));
	json_object_set_new(o, "end_line", json_integer(f->end_line));
	json_object_set_new(o, "message", cli_json_string(f->message));
	json_object_set_new(o, "statement", cli_json_string(f->statement));
	json_object_set_new(o, "table", cli_json_text(f->table));
	json_object_set_new(o, "rows",
	                    cli_json_int_or_null(f->rows >= 0, f->rows));
	json_object_set_new(o, "suppressed", cli_json_text(f->suppressed));
	return o;
}

static void print_finding(const struct cli *cli, const strata_lint_finding *f)
{
	const char *col = f->level >= 2 ? "err" : "warn";

	printf("%s:%d:%d: %s%s%s: ", cli_q(f->file), f->line, f->column,
	       cli_c(cli, col), f->level >= 2 ? "error" : "warning",
	       cli_c(cli, "reset"));
	if (f->rule[0])
		printf("%s: ", f->rule);
	printf("%s", cli_esc(f->message));
	if (f->rows >= 0)
		printf(" (%s: about %lld row%s)", cli_esc(f->table),
		       (long long)f->rows, f->rows == 1 ? "" : "s");
	printf("\n");
	if (f->statement[0])
		printf("    %s\n", cli_esc(f->statement));
}

static int cmd_lint(struct cli *cli, int argc, char **argv)
{
	const strata_lint_finding *f;
	strata_lint_options o;
	size_t n, i, errors = 0, warnings = 0, suppressed = 0, input = 0;
	json_t *arr;
	int rc;

	if (cli->rules) {
		print_rules(cli);
		return EXIT_OK;
	}
	if (argc && cli->all)
		return cli_usage_error(cli, "--all and files: lint one or the "
		                            "other");
	memset(&o, 0, sizeof(o));
	o.all = cli->all;
	o.files = (const char *const *)argv;
	o.n_files = (size_t)argc;
	o.dialect = cli->dialect;
	o.offline = cli->offline;
	if (o.dialect && strcmp(o.dialect, "postgres") != 0 &&
	    strcmp(o.dialect, "mysql") != 0 && strcmp(o.dialect, "sqlite") != 0)
		return cli_usage_error(cli,
		                       "--dialect '%s': expected postgres, "
		                       "mysql or sqlite",
		                       cli_esc(o.dialect));
	rc = strata_lint(&f, &n, cli->ctx, &o);
	if (rc < 0 && rc != STRATA_EPARSE)
		return cli_report_error(cli, rc);
	arr = cli->json ? json_array() : NULL;
	for (i = 0; i < n; i++) {
		if (arr)
			json_array_append_new(arr, finding_json(&f[i]));
		if (f[i].suppressed) {
			suppressed++;
			continue;
		}
		if (!f[i].rule[0])
			input++;
		else if (f[i].level >= 2)
			errors++;
		else
			warnings++;
		if (!arr)
			print_finding(cli, &f[i]);
	}
	if (arr) {
		cli_json_set(cli, "offline", json_boolean(cli->offline));
		cli_json_set(cli, "errors",
		             json_integer((json_int_t)(errors + input)));
		cli_json_set(cli, "warnings",
		             json_integer((json_int_t)warnings));
		cli_json_set(cli, "suppressed",
		             json_integer((json_int_t)suppressed));
		cli_json_set(cli, "findings", arr);
		cli_json_set(cli, "rules", json_null());
	} else {
		cli_note(cli,
		         "lint: %zu error%s, %zu warning%s (%zu not reported: "
		         "tables the run creates, or lint-ignore)",
		         errors + input, errors + input == 1 ? "" : "s",
		         warnings, warnings == 1 ? "" : "s", suppressed);
	}
	if (rc == STRATA_EPARSE) {
		cli_json_fail_lib(cli, rc);
		return EXIT_USAGE;
	}
	if (errors)
		return cli_json_verdict(cli, EXIT_STATE);
	return EXIT_OK;
}

static const struct cli_opt lint_options[] = {
	CLI_OPT_FLAG(0, "all", all,
	             "every migration of the folder, not only pending ones"),
	CLI_OPT_FLAG(0, "offline", offline,
	             "do not connect: every migration, no row counts"),
	CLI_OPT_STRING(0, "dialect", dialect, "NAME",
	               "postgres, mysql or sqlite (default: the database's)"),
	CLI_OPT_FLAG(0, "rules", rules, "list the rules and their levels"),
	CLI_OPT_END
};

const struct cmd cli_cmd_lint = {
	"lint",
	cmd_lint,
	lint_options,
	"[--all | FILE...]",
	"flag statements that lock, rewrite or lose data",
	"Reads the pending migrations (or every one, or the files named) "
	"statement by\nstatement, as the database's dialect, and reports "
	"what would lock or rewrite\na table, lose data or not run: "
	"file:line:col: level: rule: message. A\nrule about an existing "
	"table does not fire on one the same run creates\nfirst. "
	"'-- strata:lint-ignore RULE reason' before a statement silences a "
	"rule\nthere; strata.conf's [lint] section sets levels (RULE = "
	"error|warning|off).\nExits 3 when a finding is an error, 2 when a "
	"statement cannot be read.",
	CMD_ALL_TARGETS
};
