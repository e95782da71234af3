/*
 * Options: the global table, the parser (getopt_long over the global
 * options and the command's), usage and help text from the tables, and
 * the parsers of VERSION and N arguments.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "options.h"
#include "output.h"

static int *int_field(struct cli *cli, const struct cli_opt *o)
{
	return (int *)(void *)((char *)cli + o->offset);
}

int cli_opt_flag(struct cli *cli, const struct cli_opt *o, const char *arg)
{
	(void)arg;
	*int_field(cli, o) = 1;
	return 0;
}

int cli_opt_count(struct cli *cli, const struct cli_opt *o, const char *arg)
{
	(void)arg;
	(*int_field(cli, o))++;
	return 0;
}

int cli_opt_string(struct cli *cli, const struct cli_opt *o, const char *arg)
{
	*(const char **)(void *)((char *)cli + o->offset) = arg;
	return 0;
}

int cli_opt_to(struct cli *cli, const struct cli_opt *o, const char *arg)
{
	(void)o;
	cli->has_to = 1;
	cli->to = arg;
	return cli_parse_version(cli, "--to", arg) < 0 ? EXIT_USAGE : 0;
}

/* Seconds, 0 to 86400, for option --NAME; -1 after a usage error. */
static int parse_seconds(struct cli *cli, const char *name, const char *arg)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (!arg[0] || *end || v < 0 || v > 86400) {
		cli_usage_error(cli, "--%s '%s': expected seconds, 0 to 86400",
		                name, arg);
		return -1;
	}
	return (int)v;
}

static int opt_lock_timeout(struct cli *cli, const struct cli_opt *o,
                            const char *arg)
{
	int v = parse_seconds(cli, o->long_name, arg);

	if (v < 0)
		return EXIT_USAGE;
	cli->flag.lock_timeout_s = v == 0 ? -1 : v;
	return 0;
}

/* --jobs N: 1 to 256 members of a fleet at once */
static int opt_jobs(struct cli *cli, const struct cli_opt *o, const char *arg)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (!arg[0] || *end || v < 1 || v > 256)
		return cli_usage_error(cli,
		                       "--%s '%s': expected a number, 1 to 256",
		                       o->long_name, arg);
	cli->jobs = (int)v;
	return 0;
}

int cli_opt_wait_timeout(struct cli *cli, const struct cli_opt *o,
                         const char *arg)
{
	int v = parse_seconds(cli, o->long_name, arg);

	if (v < 0)
		return EXIT_USAGE;
	cli->wait_timeout_s = v == 0 ? -1 : v;
	return 0;
}

int cli_opt_wait_replicas(struct cli *cli, const struct cli_opt *o,
                          const char *arg)
{
	int v = arg ? parse_seconds(cli, o->long_name, arg) : 60;

	if (v < 0)
		return EXIT_USAGE;
	cli->wait_replicas_ms = v * 1000;
	cli->wait_replicas = 1;
	return 0;
}

static int opt_no_color(struct cli *cli, const struct cli_opt *o,
                        const char *arg)
{
	(void)o;
	(void)arg;
	cli_set_color(cli, CLI_COLOR_NEVER);
	return 0;
}

/* in the order of enum cli_color */
const char *const cli_color_modes[] = { "auto", "always", "never", NULL };

/* The enum cli_color arg names, or -1. */
static int color_mode(const char *arg)
{
	size_t i;

	for (i = 0; cli_color_modes[i]; i++)
		if (strcmp(arg, cli_color_modes[i]) == 0)
			return (int)i;
	return -1;
}

static int opt_color(struct cli *cli, const struct cli_opt *o, const char *arg)
{
	int mode = color_mode(arg);

	(void)o;
	if (mode < 0)
		return cli_usage_error(cli,
		                       "--color '%s': expected always, never "
		                       "or auto",
		                       arg);
	cli_set_color(cli, (enum cli_color)mode);
	return 0;
}

void cli_early_color(struct cli *cli, int argc, char **argv)
{
	int i, mode;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *arg = NULL;

		if (strcmp(argv[i], "--no-color") == 0)
			arg = "never";
		else if (strncmp(argv[i], "--color=", 8) == 0)
			arg = argv[i] + 8;
		else if (strcmp(argv[i], "--color") == 0 && i + 1 < argc)
			arg = argv[++i];
		mode = arg ? color_mode(arg) : -1;
		if (mode >= 0)
			cli_set_color(cli, (enum cli_color)mode);
	}
}

const struct cli_opt cli_global_opts[] = {
	CLI_OPT_STRING('d', "database", flag.database, "URL",
	               "database URL: sqlite:FILE, postgres://..., mysql://..."),
	CLI_OPT_STRING('m', "dir", flag.dir, "DIR",
	               "migrations folder (default: migrations)"),
	CLI_OPT_STRING(0, "table", flag.table, "NAME",
	               "history table (default: schema_migrations)"),
	CLI_OPT_STRING(0, "schema", flag.schema, "NAME",
	               "schema holding the history table; migrations run in it"),
	CLI_OPT_STRING(
	        0, "config", config, "FILE",
	        "configuration file (default: ./strata.conf when present)"),
	CLI_OPT_STRING(0, "target", target, "NAME",
	               "a target named in the configuration file"),
	CLI_OPT_CALLBACK(
	        0, "lock-timeout", "SECONDS", opt_lock_timeout,
	        "wait at most this long for another runner (default: 60)"),
	CLI_OPT_CALLBACK(0, "jobs", "N", opt_jobs,
	                 "a fleet: run on N members at once (default: 1)"),
	CLI_OPT_FLAG(0, "fail-fast", fail_fast,
	             "a fleet: stop every member once one fails"),
	CLI_OPT_STRING(0, "member", member, "NAME",
	               "a fleet: run on this member only"),
	CLI_OPT_FLAG(0, "json", json,
	             "print the result as JSON, one object per target per "
	             "line (docs/JSON.md)"),
	CLI_OPT_CALLBACK(0, "color", "WHEN", opt_color,
	                 "always, never, or auto: on each output that is a "
	                 "terminal, unless NO_COLOR is set (the default)"),
	CLI_OPT_CALLBACK(0, "no-color", NULL, opt_no_color,
	                 "the same as --color=never"),
	CLI_OPT_FLAG(0, "local-time", flag.local_time,
	             "show times in the local time zone (default: UTC)"),
	CLI_OPT_FLAG(0, "utc", flag.utc,
	             "show times in UTC, whatever strata.conf says"),
	CLI_OPT_FLAG('q', "quiet", quiet, "print only errors and results"),
	CLI_OPT_COUNT('v', "verbose", verbose,
	              "more detail, including server notices"),
	CLI_OPT_FLAG('h', "help", help, "show help"),
	CLI_OPT_END
};

void cli_print_opts(const struct cli_opt *o, FILE *f)
{
	for (; o && o->long_name; o++) {
		char left[64];

		const char *sep = cli_opt_takes_next(o) ? " " : "";

		if (o->short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s",
			         o->short_name, o->long_name, sep,
			         o->arg_name ? o->arg_name : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s",
			         o->long_name, sep,
			         o->arg_name ? o->arg_name : "");
		fprintf(f, "  %-30s %s\n", left, o->help);
	}
}

/* Is option o written in args already ("[--down [--all]]")? */
static int in_args(const char *args, const struct cli_opt *o)
{
	size_t n = strlen(o->long_name);
	const char *p;

	for (p = args; (p = strstr(p, "--")) != NULL; p += 2)
		if (strncmp(p + 2, o->long_name, n) == 0 &&
		    !(p[2 + n] >= 'a' && p[2 + n] <= 'z') && p[2 + n] != '-')
			return 1;
	return 0;
}

/* "up [N] [--to VERSION] [--dry-run] ...": the command's arguments as
 * its table writes them, then every option of its own they leave out,
 * so that a usage line never forgets one. */
static void print_usage(const struct cmd *c, FILE *f)
{
	const struct cli_opt *o;

	fprintf(f, "strata %s%s%s", c->name, c->args[0] ? " " : "", c->args);
	for (o = c->opts; o && o->long_name; o++) {
		if (in_args(c->args, o))
			continue;
		fputs(" [", f);
		if (o->short_name)
			fprintf(f, "-%c|", o->short_name);
		fprintf(f, "--%s%s%s]", o->long_name,
		        cli_opt_takes_next(o) ? " " : "",
		        o->arg_name ? o->arg_name : "");
	}
}

void cli_print_command_help(const struct cmd *c, FILE *f)
{
	fputs("usage: ", f);
	print_usage(c, f);
	fprintf(f, "\n\n%s\n", c->summary);
	if (c->help)
		fprintf(f, "\n%s\n", c->help);
	if (c->opts) {
		fputs("\noptions:\n", f);
		cli_print_opts(c->opts, f);
	}
	fputs("\nglobal options:\n", f);
	cli_print_opts(cli_global_opts, f);
}

int cli_usage_error(const struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "strata: %serror%s: ", cli_ce(cli, "err"),
	        cli_ce(cli, "reset"));
	va_start(ap, fmt);
	cli_vput(fmt, ap);
	va_end(ap);
	va_start(ap, fmt);
	cli_json_vfail(cli, NULL, 0, fmt, ap);
	va_end(ap);
	if (cli->cmd) {
		fputs("\nusage: ", stderr);
		print_usage(cli->cmd, stderr);
		fprintf(stderr, " (see 'strata help %s')\n", cli->cmd->name);
	} else
		fputs("\nsee 'strata help'\n", stderr);
	return EXIT_USAGE;
}

int cli_edit_distance(const char *a, const char *b)
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

/* The known long option nearest to word ("--jsn"), or NULL. */
static const char *nearest_long(const char *word,
                                const struct cli_opt *const *tables, size_t n)
{
	const char *best = NULL, *name = word + 2;
	size_t i, len = strcspn(name, "=");
	char key[32];
	int bd = 3;

	if (len >= sizeof(key))
		return NULL;
	memcpy(key, name, len);
	key[len] = '\0';
	for (i = 0; i < n; i++) {
		const struct cli_opt *o;

		for (o = tables[i]; o && o->long_name; o++) {
			int e = cli_edit_distance(key, o->long_name);

			/* a short word is near everything short */
			if (e < bd && e * 3 <= (int)len) {
				bd = e;
				best = o->long_name;
			}
		}
	}
	return best;
}

int cli_unknown_option(const struct cli *cli, const char *word)
{
	const struct cli_opt *tables[2] = { cli_global_opts,
		                            cli->cmd ? cli->cmd->opts : NULL };
	const char *best = word[0] == '-' && word[1] == '-' ?
	                           nearest_long(word, tables, 2) :
	                           NULL;

	if (best)
		return cli_usage_error(cli,
		                       "unknown option '%s': did you mean "
		                       "'--%s'?",
		                       word, best);
	return cli_usage_error(cli, "unknown option '%s'", word);
}

int cli_global_takes_arg(const char *word)
{
	const struct cli_opt *o;

	for (o = cli_global_opts; o->long_name; o++) {
		if (word[1] != '-') {
			if (word[2] == '\0' && word[1] == o->short_name)
				return cli_opt_takes_next(o);
		} else if (strchr(word, '=')) {
			return 0;
		} else if (strcmp(word + 2, o->long_name) == 0) {
			return cli_opt_takes_next(o);
		}
	}
	return 0;
}

/* The options getopt_long knows; an option's val is 256 + its index in
 * opts[], a short option is its character. */
struct opt_set {
	const struct cli_opt *opts[64];
	struct option lo[65];
	char shorts[64];
	size_t n, ns;
};

static void add_opts(struct opt_set *s, const struct cli_opt *o)
{
	for (; o && o->long_name; o++) {
		if (s->n >= sizeof(s->opts) / sizeof(s->opts[0]) ||
		    s->ns + 3 > sizeof(s->shorts))
			abort(); /* the tables are ours: make them fit */
		s->opts[s->n] = o;
		s->lo[s->n].name = o->long_name;
		s->lo[s->n].has_arg = cli_opt_value_optional(o) ?
		                              optional_argument :
		                      o->arg_name ? required_argument :
		                                    no_argument;
		s->lo[s->n].flag = NULL;
		s->lo[s->n].val = 256 + (int)s->n;
		s->n++;
		if (o->short_name) {
			s->shorts[s->ns++] = o->short_name;
			if (cli_opt_value_optional(o))
				abort(); /* short options always take theirs */
			if (o->arg_name)
				s->shorts[s->ns++] = ':';
		}
	}
}

static const struct cli_opt *find_opt(const struct opt_set *s, int c)
{
	size_t i;

	if (c >= 256)
		return (size_t)(c - 256) < s->n ? s->opts[c - 256] : NULL;
	for (i = 0; i < s->n; i++)
		if (s->opts[i]->short_name == c)
			return s->opts[i];
	return NULL;
}

int cli_parse_options(struct cli *cli, int argc, char **argv)
{
	struct opt_set s;
	int c;

	memset(&s, 0, sizeof(s));
	s.shorts[s.ns++] = ':'; /* a leading ':' reports missing values */
	add_opts(&s, cli_global_opts);
	if (cli->cmd)
		add_opts(&s, cli->cmd->opts);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, s.shorts, s.lo, NULL)) != -1) {
		const struct cli_opt *o;
		int rc;

		if (c == '?') {
			if (optopt)
				return cli_usage_error(cli,
				                       "unknown option "
				                       "'-%c'",
				                       optopt);
			return cli_unknown_option(cli, argv[optind - 1]);
		}
		if (c == ':')
			return cli_usage_error(cli, "option '%s' needs a value",
			                       argv[optind - 1]);
		o = find_opt(&s, c);
		if (!o)
			return EXIT_USAGE;
		rc = o->set(cli, o, optarg);
		if (rc)
			return rc;
	}
	return 0;
}

int cli_parse_version(struct cli *cli, const char *what, const char *text)
{
	strata_buf v = STRATA_BUF_INIT;
	int rc = strata_version_parse(&v, text);

	strata_buf_release(&v);
	if (rc < 0) {
		cli_usage_error(cli,
		                "%s '%s': expected a version (digits, in parts "
		                "separated by '.', at most 64 characters "
		                "without leading zeros)",
		                what, text);
		return -1;
	}
	return 0;
}

int cli_parse_count(struct cli *cli, const char *text, unsigned *out)
{
	char *end;
	unsigned long v = strtoul(text, &end, 10);

	if (!text[0] || *end || text[0] == '-' || v == 0 || v > 1000000) {
		cli_usage_error(cli, "'%s': expected a number of migrations",
		                text);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

const char *cli_setting_name(strata_setting s, void *payload)
{
	static const char *const names[STRATA_SETTING_COUNT] = {
		[STRATA_SETTING_DATABASE] = "--database",
		[STRATA_SETTING_DIR] = "--dir",
		[STRATA_SETTING_TABLE] = "--table",
		[STRATA_SETTING_SCHEMA] = "--schema",
		[STRATA_SETTING_LOCK_TIMEOUT] = "--lock-timeout",
		[STRATA_SETTING_TO] = "--to",
		[STRATA_SETTING_ALLOW_OUT_OF_ORDER] = "--allow-out-of-order",
		[STRATA_SETTING_NO_BACKUP] = "--no-backup",
		[STRATA_SETTING_BACKUP_SUFFIX] = "--suffix",
		[STRATA_SETTING_SINGLE_TRANSACTION] = "--single-transaction",
		[STRATA_SETTING_ANY_FILE] = "--any-file",
		[STRATA_SETTING_ADOPT_FROM] = "--from",
		[STRATA_SETTING_ADOPT_UNDO] = "'strata adopt --undo'",
		[STRATA_SETTING_ADOPT_PRUNE] = "'strata adopt --prune'",
		[STRATA_SETTING_DDL_LOCK_TIMEOUT] =
		        "ddl_lock_timeout (strata.conf)",
	};

	(void)payload;
	return (unsigned)s < STRATA_SETTING_COUNT ? names[s] : NULL;
}
