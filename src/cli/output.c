/*
 * Output: colours (only on a terminal, never with NO_COLOR), progress
 * lines from library events, error reports with the file position, the
 * offending line and a caret, and names made safe to print.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "output.h"
#include "../util/clock.h"
#include "../util/quote.h"

/*
 * The strings cli_q() and cli_esc() hand out live in a ring of buffers,
 * so that a few can be used in one printf; they are kept for the next
 * calls rather than freed.
 */
static strata_buf ring[8] = { STRATA_BUF_INIT, STRATA_BUF_INIT, STRATA_BUF_INIT,
	                      STRATA_BUF_INIT, STRATA_BUF_INIT, STRATA_BUF_INIT,
	                      STRATA_BUF_INIT, STRATA_BUF_INIT };
static unsigned ring_next;

static strata_buf *ring_buf(void)
{
	strata_buf *b = &ring[ring_next++ % (sizeof(ring) / sizeof(ring[0]))];

	strata__buf_clear(b);
	return b;
}

const char *cli_q(const char *s)
{
	if (!s)
		return "";
	if (!strata__quote_needed(s, strlen(s)))
		return s;
	return strata__quoted(ring_buf(), s);
}

const char *cli_esc(const char *s)
{
	strata_buf *b;

	if (!s)
		return "";
	b = ring_buf();
	return strata__escape_put(b, s, strlen(s)) == 0 ? b->ptr : "?";
}

size_t cli_fit(const char *s, size_t max)
{
	size_t i = 0, unit;

	while (s[i]) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\') /* \ooo or \n: as cli_q writes them */
			unit = s[i + 1] >= '0' && s[i + 1] <= '7' ? 4 : 2;
		else if (c >= 0xF0)
			unit = 4;
		else if (c >= 0xE0)
			unit = 3;
		else if (c >= 0xC0)
			unit = 2;
		else
			unit = 1;
		if (i + unit > max || strnlen(s + i, unit) < unit)
			break;
		i += unit;
	}
	return i;
}

/*
 * The progress of a run of several parts on a terminal: one line on
 * stderr, "[2/5 0:03] applying NAME ...", written over by the next and
 * cleared before anything else is printed.
 */
static int progress_shown;
static int64_t progress_t0;

void cli_progress_clear(void)
{
	if (!progress_shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	progress_shown = 0;
}

static void progress(const struct cli *cli, const strata_event *ev,
                     const char *verb, const char *name)
{
	const char *term = getenv("TERM");
	int64_t s;

	if (ev->total < 2 || cli->quiet || cli->json ||
	    !isatty(STDERR_FILENO) || (term && strcmp(term, "dumb") == 0))
		return;
	if (ev->position == 1)
		progress_t0 = strata__now_ms();
	s = (strata__now_ms() - progress_t0) / 1000;
	fprintf(stderr, "\r\033[K[%zu/%zu %lld:%02lld] %s %s ...", ev->position,
	        ev->total, (long long)(s / 60), (long long)(s % 60), verb,
	        name);
	fflush(stderr);
	progress_shown = 1;
}

/* vfprintf to stderr, the result made safe (it may quote names). */
void cli_vput(const char *fmt, va_list ap)
{
	strata_buf b = STRATA_BUF_INIT;

	if (strata__buf_vprintf(&b, fmt, ap) == 0 &&
	    strata__escape_buf(&b, 0) == 0)
		fputs(b.ptr, stderr);
	strata_buf_release(&b);
}

int cli_typed(const char *phrase)
{
	char line[128];

	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin))
		return 0;
	line[strcspn(line, "\r\n")] = '\0';
	if (strcmp(line, phrase) != 0) {
		fprintf(stderr, "strata: not confirmed: nothing was changed\n");
		return 0;
	}
	return 1;
}

int cli_confirm(const struct cli *cli, const char *what, const char *prompt,
                const char *phrase, const char *flag)
{
	if (!isatty(STDIN_FILENO)) {
		cli_json_fail(cli, NULL, 0,
		              "%s: it asks you to type '%s' on a terminal; "
		              "without one, pass %s",
		              what, phrase, flag);
		fprintf(stderr,
		        "strata: %serror%s: %s: it asks you to type '%s' on a "
		        "terminal; without one, pass %s\n",
		        cli_ce(cli, "err"), cli_ce(cli, "reset"), what, phrase,
		        flag);
		return 0;
	}
	fprintf(stderr, "%s Type %s to go on: ", prompt, phrase);
	return cli_typed(phrase);
}

int cli_confirm_delete(const struct cli *cli, const char *what,
                       const char *before, const char *after)
{
	const char *url = cli_esc(strata_ctx_url_redacted(cli->ctx));
	strata_buf w = STRATA_BUF_INIT, prompt = STRATA_BUF_INIT;
	int ok = 0;

	if (strata__buf_printf(&w, "%s %s", what, url) == 0 &&
	    strata__buf_printf(&prompt, "%s\n  %s\n%s", before, url, after) ==
	            0)
		ok = cli_confirm(cli, w.ptr, prompt.ptr, CLI_DELETE_PHRASE,
		                 CLI_DELETE_FLAG);
	strata_buf_release(&w);
	strata_buf_release(&prompt);
	return ok;
}

int cli_color_wanted(enum cli_color mode, int tty, const char *no_color,
                     const char *term)
{
	if (mode != CLI_COLOR_AUTO)
		return mode == CLI_COLOR_ALWAYS;
	return tty && !(no_color && no_color[0]) &&
	       !(term && strcmp(term, "dumb") == 0);
}

void cli_set_color(struct cli *cli, enum cli_color mode)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	/* each stream on its own: stdout to a file while stderr is a
	 * terminal gets no escape codes, and the reverse */
	cli->color = cli_color_wanted(mode, isatty(STDOUT_FILENO), nc, term);
	cli->color_err =
	        cli_color_wanted(mode, isatty(STDERR_FILENO), nc, term);
}

static const char *color_code(int on, const char *what)
{
	if (!on)
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

const char *cli_c(const struct cli *cli, const char *what)
{
	return color_code(cli->color, what);
}

const char *cli_ce(const struct cli *cli, const char *what)
{
	return color_code(cli->color_err, what);
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
	case STRATA_ETIMEOUT:
		return EXIT_LOCK;
	case STRATA_ECONNECT:
		return EXIT_CONNECT;
	case STRATA_EINTERRUPTED:
		return EXIT_INTERRUPTED;
	default:
		return EXIT_FAILED;
	}
}

/* A line of a file made safe to show, its tabs kept so that the caret
 * lines up under them. */
static void safe_line(strata_buf *out, const char *s, size_t n)
{
	const char *tab;

	while ((tab = memchr(s, '\t', n)) != NULL) {
		if (strata__escape_put(out, s, (size_t)(tab - s)) < 0 ||
		    strata__buf_putc(out, '\t') < 0)
			return;
		n -= (size_t)(tab - s) + 1;
		s = tab + 1;
	}
	if (strata__escape_put(out, s, n) < 0)
		return;
}

/* Print line `line` of path with a caret under column col. */
static void show_line(const struct cli *cli, const char *path, int line,
                      int col)
{
	FILE *f = fopen(path, "r");
	strata_buf before = STRATA_BUF_INIT, rest = STRATA_BUF_INIT;
	char buf[1024];
	int n = 1, chars = 0;
	size_t i;

	if (!f)
		return;
	while (fgets(buf, sizeof(buf), f)) {
		size_t len = strlen(buf);
		int whole = len && buf[len - 1] == '\n';

		if (n == line) {
			buf[strcspn(buf, "\r\n")] = '\0';
			len = strlen(buf);
			/* col counts characters: the bytes before it */
			for (i = 0; i < len; i++) {
				if (((unsigned char)buf[i] & 0xC0) == 0x80)
					continue;
				if (chars == col - 1)
					break;
				chars++;
			}
			safe_line(&before, buf, col > 0 ? i : 0);
			safe_line(&rest, buf + (col > 0 ? i : 0),
			          len - (col > 0 ? i : 0));
			fprintf(stderr, " %5d | %s%s\n", line, before.ptr,
			        rest.ptr);
			if (col > 0) {
				fprintf(stderr, "       | ");
				/* what is shown before the caret, blanked;
				 * tabs stay tabs */
				for (i = 0; i < before.len; i++) {
					unsigned char c =
					        (unsigned char)before.ptr[i];

					if ((c & 0xC0) != 0x80)
						fputc(c == '\t' ? '\t' : ' ',
						      stderr);
				}
				fprintf(stderr, "%s^%s\n", cli_ce(cli, "err"),
				        cli_ce(cli, "reset"));
			}
			break;
		}
		if (whole)
			n++;
	}
	strata_buf_release(&before);
	strata_buf_release(&rest);
	fclose(f);
}

static void print_detail(const char *detail)
{
	const char *p = detail;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		int n = nl ? (int)(nl - p) : (int)strlen(p);

		strata_buf b = STRATA_BUF_INIT;

		if (strata__escape_put(&b, p, (size_t)n) == 0)
			fprintf(stderr, "  %s\n", b.ptr);
		strata_buf_release(&b);
		p = nl ? nl + 1 : NULL;
	}
}

int cli_report_error(const struct cli *cli, int rc)
{
	const strata_error *e = cli->ctx ? strata_error_last(cli->ctx) : NULL;
	const char *msg =
	        cli_esc(e && e->message[0] ? e->message : strata_strerror(rc));
	const char *red = cli_ce(cli, "err"), *reset = cli_ce(cli, "reset");
	const char *file = e ? cli_q(e->file) : "";

	cli_progress_clear();
	cli_json_fail_lib(cli, rc);
	if (e && e->file[0] && e->line > 0 && e->column > 0)
		fprintf(stderr, "%s:%d:%d: %serror%s: %s\n", file, e->line,
		        e->column, red, reset, msg);
	else if (e && e->file[0] && e->line > 0)
		fprintf(stderr, "%s:%d: %serror%s: %s\n", file, e->line, red,
		        reset, msg);
	else if (e && e->file[0])
		fprintf(stderr, "%s: %serror%s: %s\n", file, red, reset, msg);
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
	cli_progress_clear();
	fprintf(stderr, "strata: %s%s%s: ", cli_ce(cli, color), level,
	        cli_ce(cli, "reset"));
	cli_vput(fmt, ap);
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
	cli_progress_clear();
	fputs("strata: ", stderr);
	cli_vput(fmt, ap);
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

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (Howard Hinnant's days_from_civil): timegm() is not POSIX. */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

/* The number in the n digits at s, or -1 if one is not a digit. */
static int digits(const char *s, int n)
{
	int v = 0;

	while (n-- > 0) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s++ - '0');
	}
	return v;
}

/* Split "YYYY-MM-DD HH:MM:SS" into f[6]; 0 when utc has another shape.
 * By hand: sscanf cost a third of a whole `status` on 1000 rows. */
static int parse_utc(const char *utc, int f[6])
{
	static const char seps[] = "-- ::";
	int i;

	if (strlen(utc) != 19)
		return 0;
	f[0] = digits(utc, 4);
	for (i = 0; i < 5; i++) {
		if (utc[4 + 3 * i] != seps[i])
			return 0;
		f[i + 1] = digits(utc + 5 + 3 * i, 2);
	}
	for (i = 0; i < 6; i++)
		if (f[i] < 0)
			return 0;
	return f[1] >= 1 && f[1] <= 12 && f[2] >= 1 && f[2] <= 31;
}

const char *cli_time(const struct cli *cli, const char *utc, char *out,
                     size_t n)
{
	int f[6];
	struct tm tm;
	time_t t;

	if (!utc[0])
		return "";
	if (!parse_utc(utc, f)) {
		snprintf(out, n, "%s", cli_q(utc));
		return out;
	}
	if (!cli->local_time) {
		snprintf(out, n, "%s UTC", utc);
		return out;
	}
	t = (time_t)(days_from_civil(f[0], (unsigned)f[1], (unsigned)f[2]) *
	                     86400 +
	             f[3] * 3600 + f[4] * 60 + f[5]);
	tzset();
	if (!localtime_r(&t, &tm) ||
	    strftime(out, n, "%Y-%m-%d %H:%M:%S %Z", &tm) == 0)
		snprintf(out, n, "%s UTC", utc);
	return out;
}

/* 0001_name, as the file is named, quoted as a whole if need be */
static void label(const strata_migration *m, char *out, size_t n)
{
	char raw[300];

	if (m->version_text && m->version_text[0])
		snprintf(raw, sizeof(raw), "%s_%s", m->version_text, m->name);
	else if (m->kind == STRATA_KIND_REPEATABLE)
		snprintf(raw, sizeof(raw), "%s", m->name);
	else
		snprintf(raw, sizeof(raw), "%s_%s", m->version, m->name);
	snprintf(out, n, "%s%s", cli_q(raw),
	         m->kind == STRATA_KIND_REPEATABLE &&
	                         !(m->version_text && m->version_text[0]) ?
	                 " (repeatable)" :
	                 "");
}

void cli_on_event(const strata_event *ev, void *payload)
{
	const struct cli *cli = payload;
	char name[1024], t[32];

	if (ev->migration)
		label(ev->migration, name, sizeof(name));
	if (ev->kind != STRATA_EVENT_APPLY_START &&
	    ev->kind != STRATA_EVENT_REVERT_START)
		cli_progress_clear();
	if (cli_json_event(cli, ev))
		return;
	switch (ev->kind) {
	case STRATA_EVENT_APPLY_START:
	case STRATA_EVENT_REVERT_START:
		progress(cli, ev,
		         ev->kind == STRATA_EVENT_APPLY_START ? "applying" :
		                                                "rolling back",
		         name);
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
			printf("%-11s %s: %s\n", "skipped", name,
			       cli_esc(ev->message));
		break;
	case STRATA_EVENT_SQL:
		fputs(ev->message, stdout);
		fputc('\n', stdout);
		break;
	case STRATA_EVENT_NOTICE:
		/* a server's text: its lines after the first indented, so
		 * that none passes for one of strata's */
		if (cli->verbose) {
			const char *p = ev->message, *nl;

			for (; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
				strata_buf b = STRATA_BUF_INIT;

				if (strata__escape_put(&b, p,
				                       (size_t)(nl - p)) == 0)
					fprintf(stderr, "%s%s\n",
					        p == ev->message ? "" : "  ",
					        b.ptr);
				strata_buf_release(&b);
			}
			fprintf(stderr, "%s%s\n", p == ev->message ? "" : "  ",
			        cli_esc(p));
		}
		break;
	case STRATA_EVENT_INFO:
		if (!cli->quiet)
			fprintf(stderr, "strata: %s\n", cli_esc(ev->message));
		break;
	case STRATA_EVENT_WARNING:
		cli_warn(cli, "%s", ev->message);
		break;
	case STRATA_EVENT_RETRY:
		/* said even with -q: a run that takes longer says why */
		fprintf(stderr, "strata: %s\n", cli_esc(ev->message));
		break;
	}
}
