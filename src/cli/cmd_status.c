/*
 * strata status: every migration with its state, as a table or JSON.
 */
#include <jansson.h>
#include <string.h>

#include "commands.h"
#include "json.h"
#include "options.h"
#include "output.h"

#define N_STATES (STRATA_STATE_RENAMED + 1)

static const char *state_color(strata_state s)
{
	switch (s) {
	case STRATA_STATE_APPLIED:
		return "green";
	case STRATA_STATE_PENDING:
	case STRATA_STATE_RENAMED:
		return "yellow";
	default:
		return "red";
	}
}

static void note_of(const strata_migration *m, char *out, size_t n)
{
	out[0] = '\0';
	if (m->state == STRATA_STATE_DIRTY && m->dirty > 0)
		snprintf(out, n, "stopped at statement %d", m->dirty);
	else if (m->up_file && m->applied_name && m->applied_name[0] &&
	         strcmp(m->applied_name, m->name) != 0)
		snprintf(out, n, "applied as '%.60s'", m->applied_name);
	else if (m->kind == STRATA_KIND_REPEATABLE)
		snprintf(out, n, "repeatable");
	else if (m->kind == STRATA_KIND_BASELINE)
		snprintf(out, n, "recorded without running");
	else if (m->up_file && !m->reversible)
		snprintf(out, n, "irreversible");
	if (m->format && strcmp(m->format, "strata") != 0 && m->format[0]) {
		size_t k = strlen(out);

		snprintf(out + k, n - k, "%s%s format", k ? ", " : "",
		         m->format);
	}
}

/* A state's name as a JSON key or value: "out-of-order" is out_of_order,
 * so that counts[state] finds it. */
static json_t *state_key(strata_state s)
{
	char key[32];
	size_t k;

	snprintf(key, sizeof(key), "%s", strata_state_name(s));
	for (k = 0; key[k]; k++)
		if (key[k] == '-')
			key[k] = '_';
	return json_string(key);
}

/* Pending rows have the fields applied rows have, null until applied. */
static json_t *migration_json(const strata_migration *m)
{
	int applied = m->applied_at && m->applied_at[0];
	json_t *o = json_object();

	/* as the file writes it: versions have any length (and dots) */
	json_object_set_new(o, "version", cli_json_version(m));
	json_object_set_new(o, "name", cli_json_string(m->name));
	json_object_set_new(o, "state", state_key(m->state));
	json_object_set_new(o, "kind", json_string(strata_kind_name(m->kind)));
	json_object_set_new(o, "file", cli_json_text(m->up_file));
	json_object_set_new(o, "down_file", cli_json_text(m->down_file));
	json_object_set_new(o, "reversible", json_boolean(m->reversible));
	json_object_set_new(o, "format", cli_json_text(m->format));
	json_object_set_new(o, "checksum", cli_json_text(m->checksum));
	json_object_set_new(o, "applied_at", cli_json_time(m->applied_at));
	json_object_set_new(o, "execution_ms",
	                    cli_json_int_or_null(applied,
	                                         (long long)m->execution_ms));
	json_object_set_new(o, "applied_by",
	                    applied ? cli_json_string(m->applied_by) :
	                              json_null());
	json_object_set_new(o, "applied_checksum",
	                    applied ? cli_json_text(m->applied_checksum) :
	                              json_null());
	json_object_set_new(o, "applied_name",
	                    applied ? cli_json_text(m->applied_name) :
	                              json_null());
	json_object_set_new(o, "dirty_statement",
	                    cli_json_int_or_null(m->dirty > 0, m->dirty));
	return o;
}

/* How many migrations need something done: to be applied, fixed or
 * restored (check, status --exit-code). Renamed ones are only noted. */
static int unclean(const int c[N_STATES])
{
	return c[STRATA_STATE_PENDING] + c[STRATA_STATE_MODIFIED] +
	       c[STRATA_STATE_MISSING] + c[STRATA_STATE_DIRTY] +
	       c[STRATA_STATE_OUT_OF_ORDER];
}

static int print_json(struct cli *cli, const strata_migration *v, size_t n,
                      const int c[N_STATES])
{
	json_t *arr = json_array(), *counts = json_object();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(arr, migration_json(&v[i]));
	cli_json_set(cli, "offline", json_boolean(cli->offline));
	cli_json_set(cli, "migrations", arr);
	for (i = 0; i < N_STATES; i++) {
		json_t *key = state_key((strata_state)i);

		json_object_set_new(counts, json_string_value(key),
		                    json_integer(c[i]));
		json_decref(key);
	}
	cli_json_set(cli, "counts", counts);
	cli_json_set(cli, "clean", json_boolean(unclean(c) == 0));
	return EXIT_OK;
}

/* One cell of the table: s padded to width. printf's format parsing
 * would cost more than the rest of a status. */
static void cell(const char *s, size_t width)
{
	static const char spaces[] = "                                        ";
	size_t n = strlen(s);

	fwrite(s, 1, n, stdout);
	while (n < width) {
		size_t k = width - n < sizeof(spaces) - 1 ? width - n :
		                                            sizeof(spaces) - 1;

		fwrite(spaces, 1, k, stdout);
		n += k;
	}
}

static void cell_right(const char *s, size_t width)
{
	size_t n = strlen(s);

	if (n < width)
		cell("", width - n);
	fputs(s, stdout);
}

static int print_table(struct cli *cli, const strata_migration *v, size_t n,
                       const int c[N_STATES])
{
	size_t i, wname = 4, wver = 7, wat = 10;
	char at[64];

	/* names from the database may need quoting (cli_q) */
	for (i = 0; i < n; i++) {
		size_t k = strlen(cli_q(v[i].name)),
		       vl = strlen(v[i].version_text[0] ? v[i].version_text :
		                                          v[i].version),
		       al = strlen(
		               cli_time(cli, v[i].applied_at, at, sizeof(at)));

		/* names are never cut, as history prints them */
		if (k > wname)
			wname = k;
		if (vl > wver)
			wver = vl;
		if (al > wat)
			wat = al;
	}
	printf("%s%-*s  %-*s  %-12s  %-*s  %8s  %s%s\n", cli_c(cli, "bold"),
	       (int)wver, "VERSION", (int)wname, "NAME", "STATE", (int)wat,
	       "APPLIED AT", "TIME", "NOTE", cli_c(cli, "reset"));
	for (i = 0; i < n; i++) {
		const strata_migration *m = &v[i];
		char t[32] = "", note[128];
		const char *ver = m->version_text;

		if (!ver[0] && m->kind == STRATA_KIND_REPEATABLE)
			ver = "R";
		else if (!ver[0])
			ver = m->version;
		if (m->applied_at[0])
			cli_format_ms(t, sizeof(t), m->execution_ms);
		note_of(m, note, sizeof(note));
		/* "%-*s  %-*s  %s%-12s%s  %-*s  %8s  %s\n" */
		cell(cli_q(ver), wver);
		fputs("  ", stdout);
		cell(cli_q(m->name), wname);
		fputs("  ", stdout);
		fputs(cli_c(cli, state_color(m->state)), stdout);
		cell(strata_state_name(m->state), 12);
		fputs(cli_c(cli, "reset"), stdout);
		fputs("  ", stdout);
		cell(cli_time(cli, m->applied_at, at, sizeof(at)), wat);
		fputs("  ", stdout);
		cell_right(t, 8);
		fputs("  ", stdout);
		fputs(note, stdout);
		putchar('\n');
	}
	if (!cli->quiet) {
		printf("\n%s: %d applied, %d pending",
		       cli->offline ?
		               "offline" :
		               cli_esc(strata_ctx_url_redacted(cli->ctx)),
		       c[STRATA_STATE_APPLIED], c[STRATA_STATE_PENDING]);
		for (i = STRATA_STATE_MODIFIED; i < N_STATES; i++)
			if (c[i])
				printf(", %d %s", c[i],
				       strata_state_name((strata_state)i));
		printf("\n");
	}
	return EXIT_OK;
}

static int cmd_status(struct cli *cli, int argc, char **argv)
{
	const strata_migration *v;
	size_t n, i;
	int c[N_STATES] = { 0 }, rc;

	(void)argv;
	if (argc)
		return cli_usage_error(cli, "%s takes no arguments",
		                       cli->cmd->name);
	rc = strata_status(&v, &n, cli->ctx, cli->offline);
	/* JSON gives every file's checksum, pending ones' too */
	if (rc == 0 && cli->json)
		rc = strata_status_checksums(cli->ctx);
	if (rc < 0)
		return cli_report_error(cli, rc);
	for (i = 0; i < n; i++)
		c[v[i].state]++;
	rc = cli->json ? print_json(cli, v, n, c) : print_table(cli, v, n, c);
	if (rc == EXIT_OK && cli->exit_code && unclean(c))
		rc = cli_json_verdict(cli, EXIT_UNCLEAN);
	return rc;
}

static int cmd_check(struct cli *cli, int argc, char **argv)
{
	cli->exit_code = 1;
	return cmd_status(cli, argc, argv);
}

static const struct cli_opt status_options[] = {
	CLI_OPT_FLAG(0, "offline", offline, "do not connect to the database"),
	CLI_OPT_FLAG(0, "exit-code", exit_code,
	             "exit 6 when anything is pending, dirty, modified or "
	             "missing"),
	CLI_OPT_END
};

const struct cmd cli_cmd_status = {
	"status",
	cmd_status,
	status_options,
	"",
	"show every migration: applied, pending, modified, missing, dirty, "
	"renamed",
	"Lists every migration with its state, when it was applied and how "
	"long it took.\nStates: applied, pending, modified (the file changed "
	"after it was applied),\nmissing (applied, file gone), dirty (failed "
	"part-way), out-of-order (pending,\nolder than the newest applied), "
	"renamed (applied under another name: the\nhistory is matched with "
	"the files by version). Files without a down are\nmarked "
	"irreversible. With --exit-code, exits 6 when a migration is pending "
	"(or out\nof order), dirty, modified or missing, 0 when all is "
	"applied.",
	CMD_ALL_TARGETS | CMD_FLEET
};

const struct cmd cli_cmd_check = {
	"check",
	cmd_check,
	status_options,
	"",
	"status --exit-code: exit 6 unless every migration is applied",
	"Shows what status shows and exits 6 when a migration is pending (or "
	"out of\norder), dirty, modified (the file changed after it was "
	"applied) or missing\n(applied, file gone); 0 when every migration is "
	"applied as its file says.\nFor CI and deployment checks; --json "
	"works with it (\"clean\": true or false).",
	CMD_ALL_TARGETS | CMD_FLEET
};
