/*
 * strata backup, restore and fresh: the commands that keep or destroy
 * data. fresh asks for "DELETE ALL DATA" to be typed, restore for
 * "REPLACE DATA", after showing a file strata's backup did not write.
 */
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "config.h"
#include "json.h"
#include "options.h"
#include "output.h"
#include "../util/buf.h"

#define CONFIRM_RESTORE "REPLACE DATA"

/* --json: the file written (null with --list), and each backup (with
 * --list, every one; else the one written) with its size and time. */
static int backups_json(struct cli *cli, const char *written,
                        const char *const *v, size_t n)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < n; i++) {
		json_t *o = json_object();
		struct stat st;
		int known = stat(v[i], &st) == 0;
		char at[32] = "";

		if (known)
			strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ",
			         gmtime(&st.st_mtime));
		json_object_set_new(o, "file", cli_json_string(v[i]));
		json_object_set_new(o, "size",
		                    cli_json_int_or_null(known, st.st_size));
		json_object_set_new(o, "modified_at", cli_json_text(at));
		json_array_append_new(arr, o);
	}
	cli_json_set(cli, "file", cli_json_text(written));
	cli_json_set(cli, "backups", arr);
	return EXIT_OK;
}

static int cmd_backup(struct cli *cli, int argc, char **argv)
{
	const char *path;
	int rc;

	(void)argv;
	if (argc)
		return cli_usage_error(cli, "backup takes no arguments");
	if (cli->list) {
		const char *const *v;
		size_t n, i;

		rc = strata_backup_list(&v, &n, cli->ctx);
		if (rc < 0)
			return cli_report_error(cli, rc);
		if (cli->json)
			return backups_json(cli, NULL, v, n);
		for (i = 0; i < n; i++)
			printf("%s\n", cli_q(v[i]));
		if (!n)
			cli_note(cli, "no backups under backups/");
		return EXIT_OK;
	}
	rc = strata_backup(&path, cli->ctx, cli->suffix);
	if (rc < 0)
		return cli_report_error(cli, rc);
	if (cli->json)
		return backups_json(cli, path, &path, 1);
	printf("%s\n", cli_q(path));
	return EXIT_OK;
}

/* What a file strata's backup did not write is, before it is restored. */
static void show_file(const char *path, const strata_restore_file *f)
{
	const char *p = f->head;

	fprintf(stderr, "%s is not a strata backup: it is %s, %llu bytes%s\n",
	        path, f->what, (unsigned long long)f->size,
	        p[0] ? ", and begins:" : "");
	while (p && p[0]) {
		const char *nl = strchr(p, '\n');
		int n = nl ? (int)(nl - p) : (int)strlen(p);

		fprintf(stderr, "  | %.*s\n", n, p);
		p = nl ? nl + 1 : NULL;
	}
}

static int restore_confirmed(struct cli *cli, const char *path,
                             const strata_restore_file *f, int ask_file)
{
	if (!isatty(STDIN_FILENO)) {
		cli_json_fail(cli, NULL, 0,
		              ask_file ?
		                      "%s is not a strata backup: to restore "
		                      "it anyway, pass --any-file" :
		                      "restore replaces the data with %s: "
		                      "without a terminal, pass "
		                      "--yes-replace-data",
		              path);
		if (ask_file)
			fprintf(stderr,
			        "strata: %serror%s: %s is not a strata backup: "
			        "it is %s (%llu bytes); to restore it anyway, "
			        "pass --any-file\n",
			        cli_ce(cli, "err"), cli_ce(cli, "reset"), path,
			        f->what, (unsigned long long)f->size);
		else
			fprintf(stderr,
			        "strata: %serror%s: restore replaces the data "
			        "of %s with %s: it asks you to type '%s' on a "
			        "terminal; without one, pass --yes-replace-data"
			        "\n",
			        cli_ce(cli, "err"), cli_ce(cli, "reset"),
			        strata_ctx_url_redacted(cli->ctx), path,
			        CONFIRM_RESTORE);
		return 0;
	}
	if (!f->is_backup)
		show_file(path, f);
	else
		fprintf(stderr, "%s is %s, %llu bytes\n", path, f->what,
		        (unsigned long long)f->size);
	fprintf(stderr,
	        "This replaces the tables, data and history of\n  %s\nwith "
	        "what %s holds%s. Type %s to go on: ",
	        strata_ctx_url_redacted(cli->ctx), path,
	        cli_no_backup(cli, 0) ? "" : " (a backup is written first)",
	        CONFIRM_RESTORE);
	return cli_typed(CONFIRM_RESTORE);
}

static int cmd_restore(struct cli *cli, int argc, char **argv)
{
	strata_restore_options o;
	strata_restore_file f;
	int rc, ask_file;

	if (argc != 1)
		return cli_usage_error(cli, "restore needs exactly one FILE");
	/* refused files are refused before anything is asked */
	rc = strata_restore_inspect(&f, cli->ctx, argv[0]);
	if (rc < 0)
		return cli_report_error(cli, rc);
	ask_file = !f.is_backup && !cli->any_file;
	if ((ask_file || !cli->yes_replace) &&
	    !restore_confirmed(cli, argv[0], &f, ask_file))
		return EXIT_USAGE;
	memset(&o, 0, sizeof(o));
	/* said yes to: with --any-file, or on the terminal */
	o.any_file = !f.is_backup;
	o.no_backup = cli_no_backup(cli, 1);
	o.backup_suffix = cli->suffix;
	rc = strata_restore(cli->ctx, argv[0], &o);
	if (rc < 0)
		return cli_report_error(cli, rc);
	cli_json_set(cli, "file", cli_json_string(argv[0]));
	cli_note(cli, "restored %s into %s", argv[0],
	         strata_ctx_url_redacted(cli->ctx));
	return EXIT_OK;
}

static int confirmed(struct cli *cli)
{
	if (cli->yes_delete || cli->dry_run)
		return 1;
	return cli_confirm_delete(cli, "fresh deletes all data of",
	                          "This drops every table, view, type, "
	                          "function and sequence of",
	                          "and applies every migration again.");
}

static int cmd_fresh(struct cli *cli, int argc, char **argv)
{
	strata_run_options o;
	size_t done = 0;
	int rc;

	(void)argv;
	if (argc)
		return cli_usage_error(cli, "fresh takes no arguments");
	if (!confirmed(cli))
		return EXIT_USAGE;
	memset(&o, 0, sizeof(o));
	o.dry_run = cli->dry_run;
	o.no_backup = cli_no_backup(cli, 1);
	o.backup_suffix = cli->suffix;
	cli_json_run_fields(cli);
	cli_catch_signals(cli->ctx);
	rc = strata_fresh(cli->ctx, &o, &done);
	cli_release_signals();
	if (rc < 0)
		return cli_report_error(cli, rc);
	if (cli->dry_run)
		cli_note(cli, "dry run: nothing was changed");
	else
		cli_note(cli,
		         "fresh: everything dropped, %zu migration%s "
		         "applied",
		         done, done == 1 ? "" : "s");
	return EXIT_OK;
}

static const struct cli_opt backup_options[] = {
	CLI_OPT_STRING(0, "suffix", suffix, "TEXT",
	               "added to the file name: before_mood_tracking"),
	CLI_OPT_FLAG(0, "list", list, "list the backups instead"), CLI_OPT_END
};

const struct cmd cli_cmd_backup = {
	"backup",
	cmd_backup,
	backup_options,
	"[--suffix TEXT] [--list]",
	"write a backup of the database (or list them)",
	"Writes backups/YYYY-MM-DD/<database>-<HHMMSS>[-TEXT].sql (SQLite: "
	".db, a\ncopy made with its online backup API; PostgreSQL: pg_dump; "
	"MySQL:\nmysqldump), folders 0700 and the file 0600. down and fresh "
	"write one first\nunless --no-backup.",
	0
};

static const struct cli_opt restore_options[] = {
	CLI_OPT_FLAG(0, "yes-replace-data", yes_replace,
	             "do not ask (needed without a terminal)"),
	CLI_OPT_FLAG(
	        0, "any-file", any_file,
	        "also a file strata's backup did not write (needed without a "
	        "terminal)"),
	CLI_OPT_FLAG(0, "no-backup", no_backup, "do not write a backup first"),
	CLI_OPT_STRING(
	        0, "suffix", suffix, "TEXT",
	        "added to that backup's file name (default: before-restore)"),
	CLI_OPT_END
};

const struct cmd cli_cmd_restore = {
	"restore",
	cmd_restore,
	restore_options,
	"FILE [--yes-replace-data] [--any-file] [--no-backup]",
	"restore the database from a backup file",
	"Restores a file strata's backup wrote for this kind of database "
	"(SQLite: a copy\nholding the history table; PostgreSQL and MySQL: "
	"a dump whose first line\nnames it). Another file is shown and "
	"restored only when you say so, on a\nterminal or with --any-file. "
	"A file holding commands the database's client\nwould run itself "
	"(psql's \\! or \\copy, the mysql client's system or source) is\n"
	"refused at its line. It asks you to type REPLACE DATA; without a "
	"terminal it\nrefuses unless --yes-replace-data. A backup of the "
	"database is written first\nunless --no-backup.",
	0
};

static const struct cli_opt fresh_options[] = {
	CLI_OPT_FLAG(0, "yes-delete-all-data", yes_delete,
	             "do not ask (needed without a terminal)"),
	CLI_OPT_FLAG(0, "no-backup", no_backup, "do not write a backup first"),
	CLI_OPT_FLAG(0, "dry-run", dry_run,
	             "print what would be dropped and run, change nothing"),
	CLI_OPT_STRING(0, "suffix", suffix, "TEXT",
	               "added to the backup's file name"),
	CLI_OPT_END
};

const struct cmd cli_cmd_fresh = {
	"fresh",
	cmd_fresh,
	fresh_options,
	"[--yes-delete-all-data] [--dry-run]",
	"drop everything and apply every migration again",
	"Drops every table, view, type, function and sequence of the "
	"database (or\nschema), the history included, then applies every "
	"migration. It asks you to\ntype DELETE ALL DATA; without a "
	"terminal it refuses unless\n--yes-delete-all-data. A backup is "
	"written first unless --no-backup.",
	CMD_WRITES
};
