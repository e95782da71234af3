/*
 * --json: each command's report is one JSON object per target, printed
 * as one line of stdout (JSON Lines) when the target is done: the fields
 * every result has (command, target, database, ok), the command's own,
 * and last the error, an object when the command failed. A failure
 * before any target ran still prints one such object. docs/JSON.md
 * describes every object and field.
 */
#ifndef STRATA_CLI_JSON_H
#define STRATA_CLI_JSON_H

#include <jansson.h>
#include <stdarg.h>

#include "cli.h"

/* Start the result of cli->cmd on target (NULL: none configured). Does
 * nothing without --json, as every function here. */
void cli_json_begin(const struct cli *cli, const char *target);
/* The result being built, for the command to add its fields to; NULL
 * without --json. */
json_t *cli_json_result(const struct cli *cli);
/* The fields of up, down, redo and fresh, before events fill them:
 * dry_run, migrations (run), steps (SQL of a dry run). */
void cli_json_run_fields(const struct cli *cli);
/* Set a field of the result (takes v, as json_object_set_new). */
void cli_json_set(const struct cli *cli, const char *key, json_t *v);
/* rc is the command's answer, not a failure (check: 6, drift: 3): the
 * result stays ok. Returns rc. */
int cli_json_verdict(const struct cli *cli, int rc);
/* Finish the result (database, ok, error with exit code rc) and print it
 * on one line; returns rc. */
int cli_json_end(const struct cli *cli, int rc);
/* Print o on one line as a result of its own (a fleet's summary); takes
 * o. */
void cli_json_print(json_t *o);
/* At exit: when no result was printed yet (an error before the command
 * ran, or a command outside the targets), print one; returns rc. */
int cli_json_finish(const struct cli *cli, int rc);

/* Record why the command fails (the first reason recorded counts), with
 * the file and position when known (file NULL, line 0: none). */
void cli_json_fail(const struct cli *cli, const char *file, int line,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void cli_json_vfail(const struct cli *cli, const char *file, int line,
                    const char *fmt, va_list ap)
        __attribute__((format(printf, 4, 0)));
/* The same from the context's error detail, for library code rc. */
void cli_json_fail_lib(const struct cli *cli, int rc);

/*
 * A library event that --json turns into data: a migration applied,
 * rolled back or skipped (the result's "migrations") or SQL a dry run or
 * plan writes ("steps"). Returns 1 when it took the event (nothing is to
 * be printed), 0 for the others (notes, warnings: stderr as always).
 */
int cli_json_event(const struct cli *cli, const strata_event *ev);

/* A JSON string for s even when s is not valid UTF-8 (U+FFFD). */
json_t *cli_json_string(const char *s);
/* Values: text, null when s is NULL or ""; a time of the history
 * ("YYYY-MM-DD HH:MM:SS", UTC) as ISO 8601 with its zone, or null; the
 * version of m as its file writes it ("0001"), null for a repeatable. */
json_t *cli_json_text(const char *s);
json_t *cli_json_time(const char *s);
json_t *cli_json_version(const strata_migration *m);
/* An integer, or null when !known. */
json_t *cli_json_int_or_null(int known, long long v);

#endif
