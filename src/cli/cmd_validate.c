/*
 * strata validate: problems as file:line: level: message, or JSON.
 */
#include <string.h>

#include "commands.h"
#include "json.h"
#include "options.h"
#include "output.h"
#include "../util/spawn.h"

static int print_json(struct cli *cli, const strata_problem *p, size_t n,
                      int rc)
{
	json_t *arr = json_array();
	size_t i, errors = 0;

	for (i = 0; i < n; i++) {
		json_t *o = json_object();

		errors += p[i].severity >= 2;
		json_object_set_new(
		        o, "severity",
		        json_string(p[i].severity >= 2 ? "error" : "warning"));
		json_object_set_new(o, "file", cli_json_text(p[i].file));
		json_object_set_new(o, "line",
		                    cli_json_int_or_null(p[i].line > 0,
		                                         p[i].line));
		json_object_set_new(o, "message",
		                    cli_json_string(p[i].message));
		json_array_append_new(arr, o);
	}
	cli_json_set(cli, "offline", json_boolean(cli->offline));
	cli_json_set(cli, "valid", json_boolean(rc == 0));
	cli_json_set(cli, "errors", json_integer((json_int_t)errors));
	cli_json_set(cli, "warnings", json_integer((json_int_t)(n - errors)));
	cli_json_set(cli, "problems", arr);
	if (rc < 0)
		cli_json_fail(cli, NULL, 0, "%zu error%s in the migrations",
		              errors, errors == 1 ? "" : "s");
	return cli_exit_code(rc);
}

/*
 * An exec target's command: does its program exist (on PATH, or as the
 * path written)? Said once for the target, with strata.conf's line, as
 * a migration's runner would fail to start. @return 1 when it does not.
 */
static int runner_missing(struct cli *cli)
{
	const struct cli_target *t = cli->tgt;
	char prog[4096];
	const char *c;
	size_t n = 0;
	int quote = 0, found;

	if (!t || strcmp(t->type, "exec") != 0 || !t->command)
		return 0;
	/* the first word, with '...' and "..." as execrun.c reads it */
	for (c = t->command; *c == ' ' || *c == '\t'; c++)
		;
	for (; *c && (quote || (*c != ' ' && *c != '\t')); c++) {
		if (!quote && (*c == '\'' || *c == '"'))
			quote = *c;
		else if (quote && *c == quote)
			quote = 0;
		else if (n + 1 < sizeof(prog))
			prog[n++] = *c;
	}
	prog[n] = '\0';
	if (!n)
		return 0; /* the run says the command is empty */
	found = strata__spawn_find(prog);
	if (found != 0)
		return 0;
	cli_json_fail(cli, cli->config ? cli->config : "strata.conf",
	              t->command_line,
	              "target '%s': the command's program '%s' %s: no "
	              "migration of this target can run",
	              t->name, prog,
	              strchr(prog, '/') ? "is not an executable file" :
	                                  "is not found on PATH");
	fprintf(stderr,
	        "%s:%d: %serror%s: target '%s': the command's program "
	        "'%s' %s: no migration of this target can run\n",
	        cli_q(cli->config ? cli->config : "strata.conf"),
	        t->command_line, cli_ce(cli, "err"), cli_ce(cli, "reset"),
	        t->name, cli_esc(prog),
	        strchr(prog, '/') ? "is not an executable file" :
	                            "is not found on PATH");
	return 1;
}

static int cmd_validate(struct cli *cli, int argc, char **argv)
{
	const strata_problem *p;
	size_t n, i, errors = 0, warnings = 0;
	int rc;

	(void)argv;
	if (argc)
		return cli_usage_error(cli, "validate takes no arguments");
	rc = strata_validate(&p, &n, cli->ctx, cli->offline);
	if (rc < 0 && !p)
		return cli_report_error(cli, rc);
	if (runner_missing(cli)) {
		errors++;
		if (rc == 0)
			rc = STRATA_EINVALID;
	}
	if (cli->json)
		return print_json(cli, p, n, rc);
	for (i = 0; i < n; i++) {
		const char *lvl = p[i].severity >= 2 ? "error" : "warning";
		const char *col = p[i].severity >= 2 ? "err" : "warn";

		if (p[i].severity >= 2)
			errors++;
		else
			warnings++;
		if (p[i].file[0] && p[i].line)
			fprintf(stderr, "%s:%d: ", cli_q(p[i].file), p[i].line);
		else if (p[i].file[0])
			fprintf(stderr, "%s: ", cli_q(p[i].file));
		else
			fprintf(stderr, "strata: ");
		fprintf(stderr, "%s%s%s: %s\n", cli_ce(cli, col), lvl,
		        cli_ce(cli, "reset"), cli_esc(p[i].message));
	}
	if (rc == 0 && warnings)
		cli_note(cli, "valid: no errors, %zu warning%s", warnings,
		         warnings == 1 ? "" : "s");
	else if (rc == 0)
		cli_note(cli, "valid: no problems");
	else
		fprintf(stderr, "strata: %zu error%s, %zu warning%s\n", errors,
		        errors == 1 ? "" : "s", warnings,
		        warnings == 1 ? "" : "s");
	return cli_exit_code(rc);
}

static const struct cli_opt validate_options[] = {
	CLI_OPT_FLAG(0, "offline", offline, "do not connect to the database"),
	CLI_OPT_END
};

const struct cmd cli_cmd_validate = {
	"validate",
	cmd_validate,
	validate_options,
	"",
	"check the files, and the files against the database",
	"Checks names, duplicate versions, downs without ups, unreadable "
	"files and\nstatements that would be refused. When the database can "
	"be reached, also\nchecks it: dirty, modified, missing and out-of-"
	"order migrations, and renamed\nones as a warning. Exits non-zero on "
	"any error.",
	CMD_ALL_TARGETS | CMD_FLEET
};
