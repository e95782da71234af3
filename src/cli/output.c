/*
 * Output: colours (only on a terminal, never with NO_COLOR), progress
 * lines from library events, and error reports with the file position,
 * the offending line and a caret.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

void cli_init_color(struct cli *cli, int no_color_flag)
{
	const char *nc = getenv("NO_COLOR");
	const char *term = getenv("TERM");
	int ok = !no_color_flag && !(nc && nc[0]) &&
	         !(term && strcmp(term, "dumb") == 0);

	cli->color = ok && isatty(STDOUT_FILENO);
	cli->color_err = ok && isatty(STDERR_FILENO);
}

const char *cli_c(const struct cli *cli, const char *what)
{
	int err = strcmp(what, "err") == 0 || strcmp(what, "warn") == 0 ||
	          strcmp(what, "reset") == 0;

	if (!(err ? cli->color_err || cli->color : cli->color))
		return "";
	if (strcmp(what, "err") == 0 || strcmp(what, "red") == 0)
		return "\033[31m";
	if (strcmp(what, "warn") == 0 || strcmp(what, "yellow") == 0)
		return "\033[33m";
	if (strcmp(what, "green") == 0)
		return "\033[32m";
	if (strcmp(what, "dim") == 0)
		return "\033[2m";
	if (strcmp(what, "bold") == 0)
		return "\033[1m";
	return "\033[0m";
}

int cli_exit_code(int rc)
{
	switch (rc) {
	case 0:
		return EXIT_OK;
	case STRATA_EPARSE:
	case STRATA_EINVALID:
	case STRATA_EIO:
	case STRATA_EEXISTS:
		return EXIT_USAGE;
	case STRATA_ESTATE:
		return EXIT_STATE;
	case STRATA_ELOCKED:
		return EXIT_LOCK;
	case STRATA_ECONNECT:
		return EXIT_CONNECT;
	case STRATA_EINTERRUPTED:
		return EXIT_INTERRUPTED;
	default:
		return EXIT_FAILED;
	}
}

/* Print line `line` of path with a caret under column col. */
static void show_line(const struct cli *cli, const char *path, int line,
                      int col)
{
	FILE *f = fopen(path, "r");
	char buf[1024];
	int n = 1, i, chars = 0;

	if (!f)
		return;
	while (fgets(buf, sizeof(buf), f)) {
		size_t len = strlen(buf);
		int whole = len && buf[len - 1] == '\n';

		if (n == line) {
			buf[strcspn(buf, "\r\n")] = '\0';
			fprintf(stderr, " %5d | %s\n", line, buf);
			if (col > 0) {
				fprintf(stderr, "       | ");
				/* col counts characters; tabs stay tabs so
				 * the caret lines up */
				for (i = 0; buf[i] && chars < col - 1; i++) {
					unsigned char c = (unsigned char)buf[i];

					if ((c & 0xC0) == 0x80)
						continue;
					fputc(c == '\t' ? '\t' : ' ', stderr);
					chars++;
				}
				fprintf(stderr, "%s^%s\n", cli_c(cli, "err"),
				        cli_c(cli, "reset"));
			}
			break;
		}
		if (whole)
			n++;
	}
	fclose(f);
}

static void print_detail(const char *detail)
{
	const char *p = detail;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		int n = nl ? (int)(nl - p) : (int)strlen(p);

		fprintf(stderr, "  %.*s\n", n, p);
		p = nl ? nl + 1 : NULL;
	}
}

int cli_report_error(const struct cli *cli, int rc)
{
	const strata_error *e = cli->ctx ? strata_error_last(cli->ctx) : NULL;
	const char *msg = e && e->message[0] ? e->message : strata_strerror(rc);
	const char *red = cli_c(cli, "err"), *reset = cli_c(cli, "reset");

	if (e && e->file[0] && e->line > 0 && e->column > 0)
		fprintf(stderr, "%s:%d:%d: %serror%s: %s\n", e->file, e->line,
		        e->column, red, reset, msg);
	else if (e && e->file[0] && e->line > 0)
		fprintf(stderr, "%s:%d: %serror%s: %s\n", e->file, e->line, red,
		        reset, msg);
	else if (e && e->file[0])
		fprintf(stderr, "%s: %serror%s: %s\n", e->file, red, reset,
		        msg);
	else
		fprintf(stderr, "strata: %serror%s: %s\n", red, reset, msg);
	if (e && e->file[0] && e->line > 0)
		show_line(cli, e->file, e->line, e->column);
	if (e)
		print_detail(e->detail);
	return cli_exit_code(rc);
}

__attribute__((format(printf, 4, 0))) static void
vmsg(const struct cli *cli, const char *level, const char *color,
     const char *fmt, va_list ap)
{
	fprintf(stderr, "strata: %s%s%s: ", cli_c(cli, color), level,
	        cli_c(cli, "reset"));
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cli_warn(const struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(cli, "warning", "warn", fmt, ap);
	va_end(ap);
}

void cli_note(const struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	if (cli->quiet)
		return;
	va_start(ap, fmt);
	fputs("strata: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void cli_format_ms(char *out, size_t n, int64_t ms)
{
	if (ms >= 0 && ms < 1000 && n >= 8) {
		/* the common case, without snprintf: "123 ms" */
		char *p = out;

		if (ms >= 100)
			*p++ = (char)('0' + ms / 100);
		if (ms >= 10)
			*p++ = (char)('0' + ms / 10 % 10);
		*p++ = (char)('0' + ms % 10);
		memcpy(p, " ms", 4);
	} else if (ms < 1000)
		snprintf(out, n, "%lld ms", (long long)ms);
	else if (ms < 60000)
		snprintf(out, n, "%.1f s", (double)ms / 1000.0);
	else
		snprintf(out, n, "%lldm%02llds", (long long)(ms / 60000),
		         (long long)(ms / 1000 % 60));
}

static void label(const strata_migration *m, char *out, size_t n)
{
	if (m->version_text && m->version_text[0])
		snprintf(out, n, "%s_%s", m->version_text, m->name);
	else if (m->kind == STRATA_KIND_REPEATABLE)
		snprintf(out, n, "%s (repeatable)", m->name);
	else
		snprintf(out, n, "%llu_%s", (unsigned long long)m->version,
		         m->name);
}

void cli_on_event(const strata_event *ev, void *payload)
{
	const struct cli *cli = payload;
	char name[300], t[32];

	if (ev->migration)
		label(ev->migration, name, sizeof(name));
	switch (ev->kind) {
	case STRATA_EVENT_APPLY_START:
	case STRATA_EVENT_REVERT_START:
		if (cli->verbose && !cli->quiet)
			fprintf(stderr, "strata: %s %s ...\n",
			        ev->kind == STRATA_EVENT_APPLY_START ?
			                "applying" :
			                "rolling back",
			        name);
		break;
	case STRATA_EVENT_APPLY_DONE:
	case STRATA_EVENT_REVERT_DONE:
		if (cli->quiet)
			break;
		cli_format_ms(t, sizeof(t), ev->elapsed_ms);
		printf("%s%-11s%s %s %s(%s)%s\n", cli_c(cli, "green"),
		       ev->kind == STRATA_EVENT_APPLY_DONE ? "applied" :
		                                             "rolled back",
		       cli_c(cli, "reset"), name, cli_c(cli, "dim"), t,
		       cli_c(cli, "reset"));
		fflush(stdout);
		break;
	case STRATA_EVENT_SKIP:
		if (!cli->quiet)
			printf("%-11s %s: %s\n", "skipped", name, ev->message);
		break;
	case STRATA_EVENT_SQL:
		fputs(ev->message, stdout);
		fputc('\n', stdout);
		break;
	case STRATA_EVENT_NOTICE:
		if (cli->verbose)
			fprintf(stderr, "%s\n", ev->message);
		break;
	case STRATA_EVENT_INFO:
		if (!cli->quiet)
			fprintf(stderr, "strata: %s\n", ev->message);
		break;
	case STRATA_EVENT_WARNING:
		cli_warn(cli, "%s", ev->message);
		break;
	}
}

int cli_open(struct cli *cli)
{
	strata_options o;
	int rc;

	memset(&o, 0, sizeof(o));
	o.database_url = cli->database;
	o.migrations_dir = cli->dir;
	o.table = cli->table;
	o.schema = cli->schema;
	o.target = cli->target;
	o.lock_timeout_ms =
	        cli->lock_timeout_s < 0 ? -1 : cli->lock_timeout_s * 1000;
	o.verbose = cli->verbose;
	if (cli->tgt && strcmp(cli->tgt->type, "exec") == 0) {
		o.exec = 1;
		o.exec_command = cli->tgt->command;
		o.exec_env = (const char *const *)cli->tgt->env;
		o.exec_extension = cli->tgt->extension;
	}
	o.on_event = cli_on_event;
	o.payload = cli;
	rc = strata_ctx_new(&cli->ctx, &o);
	if (rc < 0) {
		fprintf(stderr, "strata: error: %s\n", strata_strerror(rc));
		return EXIT_FAILED;
	}
	if (strcmp(cli->database_from, "default") == 0 && !cli->json)
		cli_note(cli,
		         "using the default database sqlite:strata.db (set "
		         "--database, DATABASE_URL, .env or strata.conf)");
	return 0;
}

int cli_parse_version(struct cli *cli, const char *what, const char *text,
                      uint64_t *out)
{
	if (strcmp(text, "0") == 0) {
		*out = 0;
		return 0;
	}
	if (strata_version_parse(out, text) < 0) {
		cli_usage_error(cli, "%s '%s': expected a version (digits)",
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
