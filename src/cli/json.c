/*
 * --json: the result object of a command on a target, its error, and the
 * data library events carry (migrations run, SQL written). One result is
 * built at a time (the command-line tool runs targets one after the
 * other), so it lives here rather than in every command.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "output.h"
#include "../util/buf.h"
#include "../util/quote.h"

static json_t *result; /* the result being built, or NULL */
static json_t *error;  /* its error, or NULL */
static int printed;    /* results printed by this run */
static int verdict;    /* an exit code that is the result's answer */

/* A result with the fields every one has (no error: it stays). */
static void new_result(const struct cli *cli, const char *target)
{
	json_decref(result);
	result = json_object();
	json_object_set_new(result, "command",
	                    cli->cmd ? json_string(cli->cmd->name) :
	                               json_null());
	json_object_set_new(result, "target", cli_json_text(target));
	/* a fleet's member (fleet.c); null elsewhere */
	json_object_set_new(result, "member", cli_json_text(cli->fleet_member));
	json_object_set_new(result, "database", json_null());
	json_object_set_new(result, "ok", json_true());
}

void cli_json_begin(const struct cli *cli, const char *target)
{
	if (!cli->json)
		return;
	json_decref(error);
	error = NULL;
	verdict = EXIT_OK;
	new_result(cli, target);
}

json_t *cli_json_result(const struct cli *cli)
{
	if (!cli->json)
		return NULL;
	if (!result)
		new_result(cli, cli->tgt ? cli->tgt->name : NULL);
	return result;
}

void cli_json_set(const struct cli *cli, const char *key, json_t *v)
{
	json_t *r = cli_json_result(cli);

	if (r)
		json_object_set_new(r, key, v);
	else
		json_decref(v);
}

void cli_json_run_fields(const struct cli *cli)
{
	cli_json_set(cli, "dry_run", json_boolean(cli->dry_run));
	cli_json_set(cli, "migrations", json_array());
	cli_json_set(cli, "steps", json_array());
	cli_json_set(cli, "retries", json_array());
}

/* What an exit code means, for a failure nothing described. */
static const char *exit_meaning(int rc)
{
	switch (rc) {
	case EXIT_USAGE:
		return "usage or input error";
	case EXIT_STATE:
		return "the database state forbids it";
	case EXIT_LOCK:
		return "the lock was not had in time";
	case EXIT_CONNECT:
		return "the database could not be reached";
	case EXIT_SCHEMA_FILE:
		return "migrated, but the schema file was not written";
	case EXIT_INTERRUPTED:
		return "interrupted";
	default:
		return "a migration or statement failed";
	}
}

/* The error object with its message; the rest null until known. */
static json_t *new_error(const char *message)
{
	json_t *e = json_object();

	json_object_set_new(e, "message", cli_json_string(message));
	json_object_set_new(e, "exit_code", json_integer(EXIT_FAILED));
	json_object_set_new(e, "code", json_null());
	json_object_set_new(e, "file", json_null());
	json_object_set_new(e, "line", json_null());
	json_object_set_new(e, "column", json_null());
	json_object_set_new(e, "sqlstate", json_null());
	json_object_set_new(e, "detail", json_null());
	return e;
}

int cli_json_verdict(const struct cli *cli, int rc)
{
	(void)cli;
	verdict = rc;
	return rc;
}

int cli_json_end(const struct cli *cli, int rc)
{
	int ok = rc == EXIT_OK || rc == verdict;
	char *s;

	if (!cli->json)
		return rc;
	cli_json_result(cli);
	if (cli->ctx)
		json_object_set_new(
		        result, "database",
		        cli_json_string(strata_ctx_url_redacted(cli->ctx)));
	json_object_set_new(result, "ok", json_boolean(ok));
	if (!ok && !error)
		error = new_error(exit_meaning(rc));
	if (!ok)
		json_object_set_new(error, "exit_code", json_integer(rc));
	json_object_set_new(result, "error",
	                    ok || !error ? json_null() : error);
	if (ok)
		json_decref(error);
	error = NULL;
	verdict = EXIT_OK;
	s = json_dumps(result, JSON_PRESERVE_ORDER);
	json_decref(result);
	result = NULL;
	if (!s)
		return rc ? rc : EXIT_FAILED;
	puts(s);
	free(s);
	fflush(stdout);
	printed++;
	return rc;
}

void cli_json_print(json_t *o)
{
	char *s = json_dumps(o, JSON_PRESERVE_ORDER);

	json_decref(o);
	if (!s)
		return;
	puts(s);
	free(s);
	fflush(stdout);
	printed++;
}

int cli_json_finish(const struct cli *cli, int rc)
{
	if (cli->json && (!printed || result))
		return cli_json_end(cli, rc);
	return rc;
}

void cli_json_vfail(const struct cli *cli, const char *file, int line,
                    const char *fmt, va_list ap)
{
	strata_buf b = STRATA_BUF_INIT;
	/* callers print strerror(errno) next */
	int saved = errno;

	if (!cli->json || error)
		return;
	if (strata__buf_vprintf(&b, fmt, ap) == 0)
		error = new_error(b.ptr);
	strata_buf_release(&b);
	if (error && file && file[0]) {
		json_object_set_new(error, "file", cli_json_string(file));
		json_object_set_new(error, "line",
		                    cli_json_int_or_null(line > 0, line));
	}
	errno = saved;
}

void cli_json_fail(const struct cli *cli, const char *file, int line,
                   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_json_vfail(cli, file, line, fmt, ap);
	va_end(ap);
}

static const char *code_name(int rc)
{
	switch (rc) {
#define X(name, value, text) \
 case name:                  \
  return #name;
		STRATA_ERROR_CODES(X)
#undef X
	}
	return NULL;
}

void cli_json_fail_lib(const struct cli *cli, int rc)
{
	const strata_error *e = cli->ctx ? strata_error_last(cli->ctx) : NULL;

	if (!cli->json || error)
		return;
	error = new_error(e && e->message[0] ? e->message :
	                                       strata_strerror(rc));
	json_object_set_new(error, "code",
	                    code_name(rc) ? json_string(code_name(rc)) :
	                                    json_null());
	if (!e)
		return;
	json_object_set_new(error, "file", cli_json_text(e->file));
	json_object_set_new(error, "line",
	                    cli_json_int_or_null(e->line > 0, e->line));
	json_object_set_new(error, "column",
	                    cli_json_int_or_null(e->column > 0, e->column));
	json_object_set_new(error, "sqlstate", cli_json_text(e->sqlstate));
	json_object_set_new(error, "detail", cli_json_text(e->detail));
}

json_t *cli_json_string(const char *s)
{
	strata_buf b = STRATA_BUF_INIT;
	json_t *j = json_string(s);

	/* jansson refuses invalid UTF-8: each bad byte becomes U+FFFD
	 * rather than the member vanishing */
	if (j || !s)
		return j;
	if (strata__utf8_put_valid(&b, s, strlen(s)) == 0)
		j = json_string(b.ptr);
	strata_buf_release(&b);
	return j ? j : json_string("");
}

json_t *cli_json_text(const char *s)
{
	return s && s[0] ? cli_json_string(s) : json_null();
}

json_t *cli_json_time(const char *s)
{
	char iso[32];

	if (!s || !s[0])
		return json_null();
	/* the history keeps "YYYY-MM-DD HH:MM:SS" in UTC */
	if (strlen(s) != 19 || (s[10] != ' ' && s[10] != 'T'))
		return cli_json_string(s);
	snprintf(iso, sizeof(iso), "%.10sT%.8sZ", s, s + 11);
	return json_string(iso);
}

json_t *cli_json_version(const strata_migration *m)
{
	if (m->version_text && m->version_text[0])
		return cli_json_string(m->version_text);
	return cli_json_text(m->version);
}

json_t *cli_json_int_or_null(int known, long long v)
{
	return known ? json_integer((json_int_t)v) : json_null();
}

/* The array field key of the result, made when missing. */
static json_t *result_array(const struct cli *cli, const char *key)
{
	json_t *r = cli_json_result(cli), *a = json_object_get(r, key);

	if (!json_is_array(a)) {
		a = json_array();
		json_object_set_new(r, key, a);
	}
	return a;
}

/* A migration applied, rolled back or skipped. */
static json_t *run_item(const strata_event *ev)
{
	const strata_migration *m = ev->migration;
	int down = ev->kind == STRATA_EVENT_REVERT_DONE;
	json_t *o = json_object();

	json_object_set_new(o, "version",
	                    m ? cli_json_version(m) : json_null());
	json_object_set_new(o, "name",
	                    m ? cli_json_string(m->name) : json_null());
	json_object_set_new(o, "kind",
	                    m ? json_string(strata_kind_name(m->kind)) :
	                        json_null());
	json_object_set_new(o, "file",
	                    m ? cli_json_text(down ? m->down_file :
	                                             m->up_file) :
	                        json_null());
	json_object_set_new(o, "action",
	                    json_string(ev->kind == STRATA_EVENT_SKIP ?
	                                        "skipped" :
	                                down ? "rolled_back" :
	                                       "applied"));
	json_object_set_new(o, "execution_ms",
	                    cli_json_int_or_null(ev->kind != STRATA_EVENT_SKIP,
	                                         (long long)ev->elapsed_ms));
	json_object_set_new(o, "detail",
	                    ev->kind == STRATA_EVENT_SKIP ?
	                            cli_json_text(ev->message) :
	                            json_null());
	json_object_set_new(o, "backup", cli_json_text(ev->backup));
	return o;
}

/* SQL a dry run or plan writes: a migration's part, or the script's own
 * lines (its heading, the history table) with no migration. */
static json_t *step(const strata_event *ev)
{
	const strata_migration *m = ev->migration;
	const char *sql = ev->message ? ev->message : "";
	/* script.c opens a migration's part with "-- roll back" or
	 * "-- apply" */
	int down = strncmp(sql, "-- roll back ", 13) == 0;
	json_t *o = json_object();

	json_object_set_new(o, "version",
	                    m ? cli_json_version(m) : json_null());
	json_object_set_new(o, "name",
	                    m ? cli_json_string(m->name) : json_null());
	json_object_set_new(o, "direction",
	                    m ? json_string(down ? "down" : "up") :
	                        json_null());
	json_object_set_new(o, "file",
	                    m ? cli_json_text(down ? m->down_file :
	                                             m->up_file) :
	                        json_null());
	json_object_set_new(o, "sql", cli_json_string(sql));
	return o;
}

/* A migration tried again after a lock timeout. */
static json_t *retry_item(const strata_event *ev)
{
	const strata_migration *m = ev->migration;
	json_t *o = json_object();

	json_object_set_new(o, "version",
	                    m ? cli_json_version(m) : json_null());
	json_object_set_new(o, "name",
	                    m ? cli_json_string(m->name) : json_null());
	json_object_set_new(o, "file", cli_json_text(ev->file));
	json_object_set_new(o, "line", json_integer(ev->line));
	json_object_set_new(o, "retry", json_integer((json_int_t)ev->position));
	json_object_set_new(o, "retries", json_integer((json_int_t)ev->total));
	json_object_set_new(o, "wait_ms", json_integer(ev->elapsed_ms));
	json_object_set_new(o, "message", cli_json_text(ev->message));
	return o;
}

int cli_json_event(const struct cli *cli, const strata_event *ev)
{
	if (!cli->json)
		return 0;
	switch (ev->kind) {
	case STRATA_EVENT_APPLY_DONE:
	case STRATA_EVENT_REVERT_DONE:
	case STRATA_EVENT_SKIP:
		json_array_append_new(result_array(cli, "migrations"),
		                      run_item(ev));
		return 1;
	case STRATA_EVENT_SQL:
		json_array_append_new(result_array(cli, "steps"), step(ev));
		return 1;
	case STRATA_EVENT_RETRY:
		json_array_append_new(result_array(cli, "retries"),
		                      retry_item(ev));
		return 1;
	default:
		return 0;
	}
}
