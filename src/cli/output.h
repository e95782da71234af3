/*
 * Output: colours, warnings and notes, error reports with the file
 * position, progress lines from library events, and text made safe to
 * print.
 */
#ifndef STRATA_CLI_OUTPUT_H
#define STRATA_CLI_OUTPUT_H

#include <stdarg.h>
#include <stdio.h>

#include "cli.h"

/*
 * Ask before destroying data. Without a terminal on stdin, print
 * "strata: error: WHAT: it asks you to type 'PHRASE' on a terminal;
 * without one, pass FLAG" and return 0. On one, print PROMPT and "Type
 * PHRASE to go on: ", and return cli_typed(phrase).
 */
/* What fresh and drop ask for, and the option that says it instead. */
#define CLI_DELETE_PHRASE "DELETE ALL DATA"
#define CLI_DELETE_FLAG   "--yes-delete-all-data"
int cli_confirm(const struct cli *cli, const char *what, const char *prompt,
                const char *phrase, const char *flag);
/* Read a line from stdin: 1 when it is phrase, else say "not confirmed"
 * and return 0. */
int cli_typed(const char *phrase);
/* cli_confirm with CLI_DELETE_PHRASE for the database of cli's context:
 * WHAT is "<what> URL", PROMPT "<before>\n  URL\n<after>". */
int cli_confirm_delete(const struct cli *cli, const char *what,
                       const char *before, const char *after);

/* --color: always, never, or auto (the default) */
enum cli_color {
	CLI_COLOR_AUTO,
	CLI_COLOR_ALWAYS,
	CLI_COLOR_NEVER
};
/* Whether a stream gets colours: with auto, only when it is a terminal
 * (tty), NO_COLOR is unset or empty and TERM is not dumb. */
int cli_color_wanted(enum cli_color mode, int tty, const char *no_color,
                     const char *term);
/* Decide for stdout (cli->color) and stderr (cli->color_err) apart. */
void cli_set_color(struct cli *cli, enum cli_color mode);
/* The escape code for what ("err", "warn", "red", "yellow", "green",
 * "dim", "bold", "reset"), or "": cli_c for text on stdout, cli_ce for
 * text on stderr. */
const char *cli_c(const struct cli *cli, const char *what);
const char *cli_ce(const struct cli *cli, const char *what);
int cli_report_error(const struct cli *cli, int rc); /* prints; exit code */
void cli_warn(const struct cli *cli, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
void cli_note(const struct cli *cli, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
void cli_on_event(const strata_event *ev, void *payload);
int cli_exit_code(int rc);
void cli_format_ms(char *out, size_t n, int64_t ms);

/* Clear the progress line of a run on a terminal, if one is shown. */
void cli_progress_clear(void);
/*
 * A time from the history ("YYYY-MM-DD HH:MM:SS", UTC) for people: with
 * " UTC" after it, or in the local zone with its name ("... CET") when
 * cli->local_time; "" stays "", and text that is not such a time is
 * given back as it is (made safe to print).
 */
const char *cli_time(const struct cli *cli, const char *utc, char *out,
                     size_t n);
/*
 * Names and text from files, the database or the server, made safe to
 * print (src/util/quote.h). cli_q: a name standing alone (a table cell,
 * the file of file:line:), as it is or quoted as git quotes paths
 * ("0001_a\033b.up.sql"). cli_esc: text, or a name inside a message
 * between its own quotes: control characters and invalid UTF-8 escaped,
 * no quotes added. The result is valid until a few more calls.
 */
const char *cli_q(const char *s);
const char *cli_esc(const char *s);
/* How many bytes of s (as cli_q prints) fit in max without cutting a
 * character or an escape. */
size_t cli_fit(const char *s, size_t max);
/* vfprintf to stderr with the result made safe as cli_esc does. */
void cli_vput(const char *fmt, va_list ap)
        __attribute__((format(printf, 1, 0)));

#endif
