/*
 * strata's entry point: find the command, parse global and command
 * options together (they may come before or after the command), resolve
 * the settings and run the command.
 */
#include <getopt.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct cli_opt global_opts[] = {
	{ "database", OPT_DATABASE, 1, "URL",
	  "database URL: sqlite:FILE, postgres://..., mysql://..." },
	{ "dir", OPT_DIR, 1, "DIR", "migrations folder (default: migrations)" },
	{ "table", OPT_TABLE, 1, "NAME",
	  "history table (default: schema_migrations)" },
	{ "schema", OPT_SCHEMA, 1, "NAME",
	  "schema holding the history table; migrations run in it" },
	{ "config", OPT_CONFIG, 1, "FILE",
	  "configuration file (default: ./strata.conf when present)" },
	{ "target", OPT_TARGET, 1, "NAME",
	  "a target named in the configuration file" },
	{ "lock-timeout", OPT_LOCK_TIMEOUT, 1, "SECONDS",
	  "wait at most this long for another runner (default: 60)" },
	{ "json", OPT_JSON, 0, NULL, "print JSON (status, history, validate)" },
	{ "no-color", OPT_NO_COLOR, 0, NULL,
	  "no colours (also: NO_COLOR in the environment)" },
	{ "quiet", OPT_QUIET, 0, NULL, "print only errors and results" },
	{ "verbose", OPT_VERBOSE, 0, NULL,
	  "more detail, including server notices" },
	{ "help", OPT_HELP, 0, NULL, "show help" },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cli_opt up_opts[] = {
	{ "to", OPT_TO, 1, "VERSION", "apply up to and including VERSION" },
	{ "dry-run", OPT_DRY_RUN, 0, NULL,
	  "print the SQL that would run, change nothing" },
	{ "allow-out-of-order", OPT_ALLOW_OOO, 0, NULL,
	  "apply pending migrations older than the newest applied one" },
	{ "single-transaction", OPT_SINGLE_TXN, 0, NULL,
	  "all of them in one transaction: all applied or none" },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cli_opt down_opts[] = {
	{ "to", OPT_TO, 1, "VERSION",
	  "roll back every migration newer than VERSION (0: all)" },
	{ "all", OPT_ALL, 0, NULL, "roll back every applied migration" },
	{ "dry-run", OPT_DRY_RUN, 0, NULL,
	  "print the SQL that would run, change nothing" },
	{ "no-backup", OPT_NO_BACKUP, 0, NULL, "do not write a backup first" },
	{ "suffix", OPT_SUFFIX, 1, "TEXT", "added to the backup's file name" },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cli_opt backup_opts[] = {
	{ "suffix", OPT_SUFFIX, 1, "TEXT",
	  "added to the file name: before_mood_tracking" },
	{ "list", OPT_LIST, 0, NULL, "list the backups instead" },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cli_opt fresh_opts[] = {
	{ "yes-delete-all-data", OPT_YES_DELETE, 0, NULL,
	  "do not ask (needed without a terminal)" },
	{ "no-backup", OPT_NO_BACKUP, 0, NULL, "do not write a backup first" },
	{ "dry-run", OPT_DRY_RUN, 0, NULL,
	  "print what would be dropped and run, change nothing" },
	{ "suffix", OPT_SUFFIX, 1, "TEXT", "added to the backup's file name" },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cli_opt restore_opts[] = {
	{ "yes-replace-data", OPT_YES_REPLACE, 0, NULL,
	  "do not ask (needed without a terminal)" },
	{ "any-file", OPT_ANY_FILE, 0, NULL,
	  "also a file strata's backup did not write (needed without a "
	  "terminal)" },
	{ "no-backup", OPT_NO_BACKUP, 0, NULL, "do not write a backup first" },
	{ "suffix", OPT_SUFFIX, 1, "TEXT",
	  "added to that backup's file name (default: before-restore)" },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cli_opt redo_opts[] = {
	{ "dry-run", OPT_DRY_RUN, 0, NULL,
	  "print the SQL that would run, change nothing" },
	{ "no-backup", OPT_NO_BACKUP, 0, NULL, "do not write a backup first" },
	{ "suffix", OPT_SUFFIX, 1, "TEXT", "added to the backup's file name" },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cli_opt new_opts[] = {
	{ "seq", OPT_SEQ, 0, NULL,
	  "next sequential number (0001, 0002 ...) instead of a timestamp" },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cli_opt plan_opts[] = {
	{ "to", OPT_TO, 1, "VERSION",
	  "up to and including VERSION (with --down: newer than VERSION)" },
	{ "down", OPT_DOWN, 0, NULL,
	  "the script of a rollback (one by default)" },
	{ "all", OPT_ALL, 0, NULL, "with --down: roll back everything" },
	{ "offline", OPT_OFFLINE, 0, NULL,
	  "do not connect: assume nothing is applied" },
	{ "allow-out-of-order", OPT_ALLOW_OOO, 0, NULL,
	  "include pending migrations older than the newest applied one" },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cli_opt repair_opts[] = {
	{ "prune", OPT_PRUNE, 0, NULL,
	  "also forget applied migrations whose files are gone" },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cli_opt offline_opts[] = {
	{ "offline", OPT_OFFLINE, 0, NULL, "do not connect to the database" },
	{ NULL, 0, 0, NULL, NULL }
};

const struct cmd cli_commands[] = {
	{ "init", cmd_init, NULL, "",
	  "create the migrations folder and a commented strata.conf",
	  "Creates the migrations folder (--dir) and, unless one exists, a "
	  "strata.conf\nwith every setting explained.",
	  CMD_NO_PROJECT },
	{ "new", cmd_new, new_opts, "NAME",
	  "create an up/down pair of migration files",
	  "Creates <version>_NAME.up.sql and .down.sql in the migrations "
	  "folder. The\nversion is the current UTC time (20261123101500), or "
	  "with --seq the next\nnumber in the width the folder already uses "
	  "(0001, 0002 ...).",
	  0 },
	{ "up", cmd_up, up_opts, "[N] [--to VERSION]",
	  "apply pending migrations",
	  "Applies pending migrations in version order, each with its history "
	  "row in one\ntransaction. N limits the run to the next N migrations. "
	  "Refuses to start when a\nmigration is dirty or was edited after it "
	  "was applied, when a pending one is\nolder than the newest applied "
	  "one, or when an applied one's file is gone.",
	  CMD_ALL_TARGETS | CMD_WRITES },
	{ "down", cmd_down, down_opts, "[N] [--to VERSION] [--all]",
	  "roll back applied migrations, newest first",
	  "Rolls back the newest applied migration (or N of them, or all "
	  "newer than\nVERSION, or --all) with their down files. A migration "
	  "without a down file\nstops the command before anything runs.",
	  CMD_ALL_TARGETS | CMD_REVERSE | CMD_WRITES },
	{ "redo", cmd_redo, redo_opts, "[--dry-run] [--no-backup]",
	  "roll back the newest migration and apply it again",
	  "Like down then up for the newest migration; a backup is written "
	  "first\nunless --no-backup.",
	  CMD_WRITES },
	{ "status", cmd_status, offline_opts, "",
	  "show every migration: applied, pending, modified, missing, dirty, "
	  "renamed",
	  "Lists every migration with its state, when it was applied and how "
	  "long it took.\nStates: applied, pending, modified (the file changed "
	  "after it was applied),\nmissing (applied, file gone), dirty (failed "
	  "part-way), out-of-order (pending,\nolder than the newest applied), "
	  "renamed (applied under another name: the\nhistory is matched with "
	  "the files by version). Files without a down are\nmarked "
	  "irreversible.",
	  CMD_ALL_TARGETS },
	{ "history", cmd_history, NULL, "",
	  "show the applied log: who, when, how long, checksum", NULL,
	  CMD_ALL_TARGETS },
	{ "validate", cmd_validate, offline_opts, "",
	  "check the files, and the files against the database",
	  "Checks names, duplicate versions, downs without ups, unreadable "
	  "files and\nstatements that would be refused. When the database can "
	  "be reached, also\nchecks it: dirty, modified, missing and out-of-"
	  "order migrations, and renamed\nones as a warning. Exits non-zero on "
	  "any error.",
	  CMD_ALL_TARGETS },
	{ "force", cmd_force, NULL, "VERSION",
	  "declare the database to be at VERSION without running anything",
	  "Clears the dirty mark, records every migration up to VERSION as "
	  "applied\n(without running it) and forgets later ones. VERSION 0 "
	  "means: nothing applied.\nUse it after fixing a failed migration by "
	  "hand.",
	  CMD_WRITES },
	{ "repair", cmd_repair, repair_opts, "[--prune]",
	  "record the new checksums of deliberately edited migrations",
	  "After a deliberate edit of an applied migration, records the file's "
	  "new\nchecksum (and the new name of a renamed one). With --prune, "
	  "also forgets\napplied migrations whose files are gone, listing each "
	  "first.",
	  CMD_WRITES },
	{ "plan", cmd_plan, plan_opts,
	  "[N] [--to VERSION] [--down] [--offline]",
	  "write the SQL script that up (or down) would run",
	  "Prints, as one script, exactly the SQL that 'up' (or with --down, "
	  "'down')\nwould run, with the history table's statements, for a DBA "
	  "to review and\nrun with psql, sqlite3 or mysql: strata plan > "
	  "release.sql. History rows\nin the script take the database's clock "
	  "when it runs.",
	  0 },
	{ "baseline", cmd_baseline, NULL, "VERSION",
	  "mark an existing database as being at VERSION",
	  "For a database that existed before strata: records every migration "
	  "up to\nVERSION as applied (kind baseline) without running it. "
	  "Refused when the\ndatabase already has a strata history (use "
	  "force).",
	  CMD_WRITES },
	{ "stamp", cmd_baseline, NULL, "VERSION", "the same as baseline", NULL,
	  CMD_WRITES },
	{ "backup", cmd_backup, backup_opts, "[--suffix TEXT] [--list]",
	  "write a backup of the database (or list them)",
	  "Writes backups/YYYY-MM-DD/<database>-<HHMMSS>[-TEXT].sql (SQLite: "
	  ".db, a\ncopy made with its online backup API; PostgreSQL: pg_dump; "
	  "MySQL:\nmysqldump), folders 0700 and the file 0600. down and fresh "
	  "write one first\nunless --no-backup.",
	  0 },
	{ "restore", cmd_restore, restore_opts,
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
	  0 },
	{ "fresh", cmd_fresh, fresh_opts, "[--yes-delete-all-data] [--dry-run]",
	  "drop everything and apply every migration again",
	  "Drops every table, view, type, function and sequence of the "
	  "database (or\nschema), the history included, then applies every "
	  "migration. It asks you to\ntype DELETE ALL DATA; without a "
	  "terminal it refuses unless\n--yes-delete-all-data. A backup is "
	  "written first unless --no-backup.",
	  CMD_WRITES },
	{ "config", cmd_config, NULL, "",
	  "print the resolved settings of every target, passwords masked",
	  "Shows where each setting came from: flags, the environment, .env "
	  "or\nstrata.conf. Passwords in URLs are masked; commands are shown "
	  "as written,\nbefore ${VAR} expansion.",
	  CMD_ALL_TARGETS },
	{ "version", cmd_version, NULL, "", "print strata's version", NULL,
	  CMD_NO_PROJECT },
	{ "help", cmd_help, NULL, "[COMMAND]", "show help for a command", NULL,
	  CMD_NO_PROJECT },
	{ NULL, NULL, NULL, NULL, NULL, NULL, 0 }
};

const struct cmd *cli_find_command(const char *name)
{
	const struct cmd *c;

	for (c = cli_commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static void print_opts(const struct cli_opt *o, FILE *f)
{
	for (; o && o->long_name; o++) {
		char left[64];

		if (o->id < 256)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->id,
			         o->long_name, o->has_arg ? " " : "",
			         o->has_arg ? o->arg_name : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s",
			         o->long_name, o->has_arg ? " " : "",
			         o->has_arg ? o->arg_name : "");
		fprintf(f, "  %-30s %s\n", left, o->help);
	}
}

static void print_main_help(FILE *f)
{
	const struct cmd *c;

	fputs("usage: strata [options] <command> [arguments]\n\n"
	      "strata evolves a database schema through versioned SQL files "
	      "and keeps\nan auditable history of what ran where.\n\n"
	      "commands:\n",
	      f);
	for (c = cli_commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fputs("\noptions:\n", f);
	print_opts(global_opts, f);
	fputs("\nThe database is taken from --database, DATABASE_URL, a .env "
	      "file or\nstrata.conf, in that order. Without any configuration, "
	      "strata uses\nsqlite:strata.db; with some, commands that write "
	      "need a database named.\n\nexit codes: 0 success, 1 a migration or "
	      "statement failed, 2 usage or input\nerror, 3 the database state "
	      "forbids it, 4 lock not had in time, 5 database\nnot reachable, "
	      "130 interrupted.\n\n'strata help COMMAND' shows a command's "
	      "options.\n",
	      f);
}

void cli_print_command_help(const struct cli *cli, const struct cmd *c, FILE *f)
{
	(void)cli;
	fprintf(f, "usage: strata %s%s%s\n\n%s\n", c->name,
	        c->args[0] ? " " : "", c->args, c->summary);
	if (c->help)
		fprintf(f, "\n%s\n", c->help);
	if (c->opts) {
		fputs("\noptions:\n", f);
		print_opts(c->opts, f);
	}
	fputs("\nglobal options:\n", f);
	print_opts(global_opts, f);
}

int cli_usage_error(const struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "strata: %serror%s: ", cli_c(cli, "err"),
	        cli_c(cli, "reset"));
	va_start(ap, fmt);
	cli_vput(fmt, ap);
	va_end(ap);
	if (cli->cmd)
		fprintf(stderr,
		        "\nusage: strata %s %s (see 'strata help %s')\n",
		        cli->cmd->name, cli->cmd->args, cli->cmd->name);
	else
		fputs("\nsee 'strata help'\n", stderr);
	return EXIT_USAGE;
}

static int edit_distance(const char *a, const char *b)
{
	int d[32][32];
	size_t n = strlen(a), m = strlen(b), i, j;

	if (n > 30 || m > 30)
		return 99;
	for (i = 0; i <= n; i++)
		d[i][0] = (int)i;
	for (j = 0; j <= m; j++)
		d[0][j] = (int)j;
	for (i = 1; i <= n; i++)
		for (j = 1; j <= m; j++) {
			int c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1 < c)
				c = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < c)
				c = d[i][j - 1] + 1;
			d[i][j] = c;
		}
	return d[n][m];
}

static int unknown_command(struct cli *cli, const char *name)
{
	const struct cmd *c, *best = NULL;
	int bd = 3;

	for (c = cli_commands; c->name; c++) {
		int e = edit_distance(name, c->name);

		if (e < bd) {
			bd = e;
			best = c;
		}
	}
	fprintf(stderr, "strata: %serror%s: unknown command '%s'\n",
	        cli_c(cli, "err"), cli_c(cli, "reset"), cli_esc(name));
	if (best)
		fprintf(stderr, "did you mean '%s'?\n", best->name);
	fputs("see 'strata help' for the commands\n", stderr);
	return EXIT_USAGE;
}

/* Does this global option take a value (so the next word is not the
 * command)? */
static int global_takes_arg(const char *arg)
{
	const struct cli_opt *o;

	if (arg[1] != '-')
		return arg[2] == '\0' && (arg[1] == 'd' || arg[1] == 'm');
	if (strchr(arg, '='))
		return 0;
	for (o = global_opts; o->long_name; o++)
		if (strcmp(arg + 2, o->long_name) == 0)
			return o->has_arg;
	return 0;
}

static int set_option(struct cli *cli, int id, const char *arg)
{
	char *end;
	long v;

	switch (id) {
	case OPT_DATABASE:
		cli->flag.database = arg;
		break;
	case OPT_DIR:
		cli->flag.dir = arg;
		break;
	case OPT_TABLE:
		cli->flag.table = arg;
		break;
	case OPT_SCHEMA:
		cli->flag.schema = arg;
		break;
	case OPT_CONFIG:
		cli->config = arg;
		break;
	case OPT_TARGET:
		cli->target = arg;
		break;
	case OPT_LOCK_TIMEOUT:
		v = strtol(arg, &end, 10);
		if (!arg[0] || *end || v < 0 || v > 86400)
			return cli_usage_error(cli,
			                       "--lock-timeout '%s': expected "
			                       "seconds, 0 to 86400",
			                       arg);
		cli->flag.lock_timeout_s = v == 0 ? -1 : (int)v;
		break;
	case OPT_JSON:
		cli->json = 1;
		break;
	case OPT_NO_COLOR:
		cli->color = cli->color_err = 0;
		break;
	case OPT_QUIET:
		cli->quiet = 1;
		break;
	case OPT_VERBOSE:
		cli->verbose++;
		break;
	case OPT_DRY_RUN:
		cli->dry_run = 1;
		break;
	case OPT_ALL:
		cli->all = 1;
		break;
	case OPT_SEQ:
		cli->seq = 1;
		break;
	case OPT_ALLOW_OOO:
		cli->allow_out_of_order = 1;
		break;
	case OPT_OFFLINE:
		cli->offline = 1;
		break;
	case OPT_DOWN:
		cli->down = 1;
		break;
	case OPT_PRUNE:
		cli->prune = 1;
		break;
	case OPT_SUFFIX:
		cli->suffix = arg;
		break;
	case OPT_LIST:
		cli->list = 1;
		break;
	case OPT_NO_BACKUP:
		cli->no_backup = 1;
		break;
	case OPT_YES_DELETE:
		cli->yes_delete = 1;
		break;
	case OPT_YES_REPLACE:
		cli->yes_replace = 1;
		break;
	case OPT_ANY_FILE:
		cli->any_file = 1;
		break;
	case OPT_SINGLE_TXN:
		cli->single_transaction = 1;
		break;
	case OPT_TO:
		cli->has_to = 1;
		return cli_parse_version(cli, "--to", arg, &cli->to) < 0 ?
		               EXIT_USAGE :
		               0;
	default:
		return EXIT_USAGE;
	}
	return 0;
}

static void add_opts(struct option *lo, size_t *n, char *shorts, size_t *ns,
                     const struct cli_opt *o)
{
	for (; o && o->long_name; o++) {
		lo[*n].name = o->long_name;
		lo[*n].has_arg = o->has_arg ? required_argument : no_argument;
		lo[*n].flag = NULL;
		lo[*n].val = o->id;
		(*n)++;
		if (o->id < 256) {
			shorts[(*ns)++] = (char)o->id;
			if (o->has_arg)
				shorts[(*ns)++] = ':';
		}
	}
}

/* Parse options anywhere in argv; leaves positional arguments in
 * argv[optind..]. */
static int parse_options(struct cli *cli, int argc, char **argv, int *help)
{
	struct option lo[64];
	char shorts[64] = ":"; /* leading ':' reports missing arguments */
	size_t n = 0, ns = 1;
	int c;

	add_opts(lo, &n, shorts, &ns, global_opts);
	if (cli->cmd)
		add_opts(lo, &n, shorts, &ns, cli->cmd->opts);
	memset(&lo[n], 0, sizeof(lo[n]));
	shorts[ns] = '\0';
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
		int rc;

		if (c == '?') {
			if (optopt)
				return cli_usage_error(cli,
				                       "unknown option "
				                       "'-%c'",
				                       optopt);
			return cli_usage_error(cli, "unknown option '%s'",
			                       argv[optind - 1]);
		}
		if (c == ':')
			return cli_usage_error(cli, "option '%s' needs a value",
			                       argv[optind - 1]);
		if (c == OPT_HELP) {
			*help = 1;
			continue;
		}
		rc = set_option(cli, c, optarg);
		if (rc)
			return rc;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct cli cli;
	char **args;
	int i, cmd_at = 0, help = 0, rc, n = 0;

	/* The command-line tool has one thread: SQLite's mutexes and its
	 * memory statistics (a mutex per allocation) are pure cost here. An
	 * application embedding libstrata keeps its own SQLite settings. */
	sqlite3_config(SQLITE_CONFIG_SINGLETHREAD);
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	memset(&cli, 0, sizeof(cli));
	cli_init_color(&cli, 0);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (argv[i][0] == '-' && argv[i][1]) {
			if (strcmp(argv[i], "--version") == 0)
				return cmd_version(&cli, 0, NULL);
			if (global_takes_arg(argv[i]))
				i++;
			continue;
		}
		cmd_at = i;
		break;
	}
	if (cmd_at) {
		cli.cmd = cli_find_command(argv[cmd_at]);
		if (!cli.cmd)
			return unknown_command(&cli, argv[cmd_at]);
	}
	/* the argument vector without the command word */
	args = calloc((size_t)argc + 1, sizeof(*args));
	if (!args)
		return EXIT_FAILED;
	for (i = 0; i < argc; i++)
		if (i == 0 || i != cmd_at)
			args[n++] = argv[i];
	rc = parse_options(&cli, n, args, &help);
	if (rc) {
		free(args);
		return rc;
	}
	if (!cli.cmd) {
		print_main_help(help ? stdout : stderr);
		free(args);
		return help ? EXIT_OK : EXIT_USAGE;
	}
	if (help) {
		cli_print_command_help(&cli, cli.cmd, stdout);
		free(args);
		return EXIT_OK;
	}
	if (!(cli.cmd->flags & CMD_NO_PROJECT))
		rc = cli_run_targets(&cli, n - optind, args + optind);
	else
		rc = cli.cmd->run(&cli, n - optind, args + optind);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "strata: error: cannot write output\n");
		rc = rc ? rc : EXIT_FAILED;
	}
	cli_settings_release(&cli);
	free(args);
	return rc;
}

int cmd_help(struct cli *cli, int argc, char **argv)
{
	const struct cmd *c;

	if (argc == 0) {
		print_main_help(stdout);
		return EXIT_OK;
	}
	c = cli_find_command(argv[0]);
	if (!c)
		return unknown_command(cli, argv[0]);
	cli_print_command_help(cli, c, stdout);
	return EXIT_OK;
}

int cmd_version(struct cli *cli, int argc, char **argv)
{
	(void)cli;
	(void)argc;
	(void)argv;
	printf("strata %s\n", strata_version());
	return EXIT_OK;
}
