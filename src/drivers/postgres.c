/*
 * The PostgreSQL driver, over libpq (loaded at run time by connect()). One
 * runner at a time through a session-level advisory lock that is polled (never
 * waited for inside the server, which deadlocks with CREATE INDEX
 * CONCURRENTLY); DDL is transactional, so each migration commits with its
 * history row. Server errors keep their SQLSTATE, DETAIL, HINT and CONTEXT, and
 * their position is turned into a byte offset the engine maps to file:line:col.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "strata/sys/driver.h"
#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/secret.h"
#include "split.h"

#include "postgres.h"

/* The server's identifier limit, once connected; PostgreSQL's default. */
int strata__pg_max_ident(struct strata_driver_conn *c)
{
	return c && pc(c)->max_ident > 0 ? pc(c)->max_ident : PG_MAX_IDENT;
}

PGconn *strata__pg_live(struct strata_driver_conn *c)
{
	PGconn *pg = c ? pc(c)->pg : NULL;

	return pg && strata__pq.PQstatus(pg) == CONNECTION_OK ? pg : NULL;
}

/* ------------------------------------------------------------------ */
/* Text helpers                                                       */

static int is_blank(unsigned char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' ||
	       ch == '\f' || ch == '\v';
}

/* Skip blanks and comments (-- to the end of the line, nested slash-star). */
size_t strata__pg_skip_space(const char *s, size_t len, size_t i)
{
	while (i < len) {
		if (is_blank((unsigned char)s[i])) {
			i++;
		} else if (s[i] == '-' && i + 1 < len && s[i + 1] == '-') {
			while (i < len && s[i] != '\n')
				i++;
		} else if (s[i] == '/' && i + 1 < len && s[i + 1] == '*') {
			int depth = 1;

			i += 2;
			while (i < len && depth > 0) {
				if (s[i] == '/' && i + 1 < len &&
				    s[i + 1] == '*') {
					depth++;
					i += 2;
				} else if (s[i] == '*' && i + 1 < len &&
				           s[i + 1] == '/') {
					depth--;
					i += 2;
				} else {
					i++;
				}
			}
		} else {
			break;
		}
	}
	return i;
}

/*
 * The server reports a 1-based position in characters of the query
 * string; the engine wants a byte offset. Query strings are UTF-8 (the
 * session's client_encoding is forced to UTF8).
 */
static long char_to_byte(const char *s, size_t len, long pos)
{
	long ch = 0;
	size_t i;

	if (pos < 1)
		return -1;
	for (i = 0; i < len; i++) {
		if (((unsigned char)s[i] & 0xC0) != 0x80 && ++ch == pos)
			return (long)i;
	}
	return (long)len; /* "at end of input" points past the last byte */
}

/* Set an error whose text comes from libpq, with the password masked. */
int strata__pg_set_error_text(struct strata_driver_conn *c, int code,
                              const char *sqlstate, long offset,
                              const char *prefix, const char *text)
{
	strata_buf b = STRATA_BUF_INIT;
	const char *pw = pc(c)->pg ? strata__pq.PQpass(pc(c)->pg) : NULL;
	int rc;

	if (strata__buf_puts(&b, prefix ? prefix : "") < 0 ||
	    strata__buf_puts(&b, text ? text : "") < 0) {
		strata_buf_release(&b);
		return strata_driver_set_error(c, STRATA_ENOMEM, NULL, 0, -1,
		                               "out of memory");
	}
	if (pw && pw[0])
		strata__mask_secret(&b, pw);
	rc = strata_driver_set_error(c, code, sqlstate, 0, offset, "%s", b.ptr);
	strata_buf_release(&b);
	return rc;
}

int strata__pg_oom(struct strata_driver_conn *c)
{
	return strata_driver_set_error(c, STRATA_ENOMEM, NULL, 0, -1,
	                               "out of memory");
}

/* Add "label: text" as detail lines, if text is there. */
static void add_field(struct strata_driver_conn *c, const char *label,
                      const char *text)
{
	strata_buf b = STRATA_BUF_INIT;

	if (!text || !text[0])
		return;
	if (strata__buf_printf(&b, "%s: %s", label, text) == 0)
		strata_driver_add_detail(c, b.ptr);
	strata_buf_release(&b);
}

/* ------------------------------------------------------------------ */
/* Statements: which one failed, and CREATE INDEX heads                */

struct nth_stmt {
	size_t want, seen;
	size_t off, len;
	int found;
};

static int nth_cb(void *payload, size_t off, size_t len, unsigned flags)
{
	struct nth_stmt *n = payload;

	(void)flags;
	if (n->seen++ != n->want)
		return 0;
	n->off = off;
	n->len = len;
	n->found = 1;
	return 1; /* stop */
}

/* Offset and length of statement k (0-based) of sql, or -1. */
static long nth_statement(const char *sql, size_t len, size_t k,
                          size_t *stmt_len)
{
	struct nth_stmt n;

	memset(&n, 0, sizeof(n));
	n.want = k;
	if (strata__split_postgres(sql, len, nth_cb, &n) < 0 || !n.found)
		return -1;
	*stmt_len = n.len;
	return (long)n.off;
}

/* ------------------------------------------------------------------ */
/* Running SQL                                                        */

/* Report the error of res; offset is a byte offset in sql or -1. */
static int result_error(struct strata_driver_conn *c, const PGresult *res,
                        long offset)
{
	const char *primary =
	        strata__pq.PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *state =
	        strata__pq.PQresultErrorField(res, PG_DIAG_SQLSTATE);
	int rc;

	if (!primary || !primary[0])
		primary = strata__pq.PQresultErrorMessage(res);
	if (!primary || !primary[0])
		primary = strata__pq.PQerrorMessage(pc(c)->pg);
	/* a statement the user's interrupt stopped */
	rc = strata__pg_stop_error(c, state, offset);
	if (rc < 0)
		return rc;
	rc = strata__pg_set_error_text(c, STRATA_EDB, state, offset, NULL,
	                               primary);
	add_field(c, "detail",
	          strata__pq.PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL));
	add_field(c, "hint",
	          strata__pq.PQresultErrorField(res, PG_DIAG_MESSAGE_HINT));
	add_field(c, "context",
	          strata__pq.PQresultErrorField(res, PG_DIAG_CONTEXT));
	return rc;
}

/* An error of the connection itself (no result). */
static int conn_error(struct strata_driver_conn *c, const char *what)
{
	PGconn *pg = pc(c)->pg;
	const char *msg = pg ? strata__pq.PQerrorMessage(pg) : "";
	strata_buf pre = STRATA_BUF_INIT;
	int rc;

	/* lost after strata asked the server to end the session */
	rc = pg ? strata__pg_stop_error(c, NULL, -1) : 0;
	if (rc < 0)
		return rc;
	if (strata__buf_printf(&pre, "%s: ", what) < 0)
		return strata__pg_oom(c);
	rc = strata__pg_set_error_text(c, STRATA_EDB, NULL, -1, pre.ptr,
	                               msg[0] ? msg :
	                                        "no connection to the server");
	strata_buf_release(&pre);
	return rc;
}

/*
 * Run one command that returns no rows (or rows nobody needs). quiet: do
 * not record an error (a failing ROLLBACK must not hide the error that
 * led to it).
 */
int strata__pg_simple(struct strata_driver_conn *c, const char *sql, int quiet)
{
	PGconn *pg = pc(c)->pg;
	PGresult *res;
	ExecStatusType st;
	int rc = 0;

	if (!pg)
		return quiet ? STRATA_EDB : conn_error(c, sql);
	res = strata__pg_exec_wait(c, sql, -1, NULL, &rc);
	if (rc < 0)
		return rc;
	st = strata__pq.PQresultStatus(res);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK &&
	    st != PGRES_EMPTY_QUERY) {
		rc = STRATA_EDB;
		if (!quiet && res)
			rc = result_error(c, res, -1);
		else if (!quiet)
			rc = conn_error(c, sql);
	}
	strata__pq.PQclear(res);
	return rc;
}

/* Run a query with text parameters; the caller clears the result. NULL
 * (and an error recorded unless quiet) when it failed. */
PGresult *strata__pg_params_query(struct strata_driver_conn *c, const char *sql,
                                  int n, const char *const *values, int quiet)
{
	PGconn *pg = pc(c)->pg;
	PGresult *res;
	int rc;

	if (!pg) {
		if (!quiet)
			conn_error(c, "query");
		return NULL;
	}
	res = strata__pg_exec_wait(c, sql, n < 0 ? 0 : n, values, &rc);
	if (rc < 0)
		return NULL;
	if (strata__pq.PQresultStatus(res) == PGRES_TUPLES_OK ||
	    strata__pq.PQresultStatus(res) == PGRES_COMMAND_OK)
		return res;
	if (!quiet && res)
		result_error(c, res, -1);
	else if (!quiet)
		conn_error(c, "query");
	strata__pq.PQclear(res);
	return NULL;
}

/* Run several statements in one message, the last a query; its result,
 * which the caller clears, or NULL with the error that stopped them. */
PGresult *strata__pg_exec_query(struct strata_driver_conn *c, const char *sql)
{
	PGconn *pg = pc(c)->pg;
	PGresult *res;
	int rc;

	if (!pg) {
		conn_error(c, "query");
		return NULL;
	}
	res = strata__pg_exec_wait(c, sql, -1, NULL, &rc);
	if (rc < 0)
		return NULL;
	if (strata__pq.PQresultStatus(res) == PGRES_TUPLES_OK)
		return res;
	if (res)
		result_error(c, res, -1);
	else
		conn_error(c, "query");
	strata__pq.PQclear(res);
	return NULL;
}

/* Drain and discard what a COPY TO STDOUT sends. */
static void drain_copy_out(PGconn *pg)
{
	char *buf = NULL;

	while (strata__pq.PQgetCopyData(pg, &buf, 0) > 0) {
		strata__pq.PQfreemem(buf);
		buf = NULL;
	}
}

/* The strata_clock values a text's statements return (exec_clocked). */
struct clocks {
	double *v;
	size_t max, n;
};

/* A result of one row and one column named strata_clock: keep its value. */
static void keep_clock(struct clocks *k, const PGresult *res)
{
	if (!k || strata__pq.PQntuples(res) != 1 ||
	    strata__pq.PQnfields(res) != 1 ||
	    strcmp(strata__pq.PQfname(res, 0), "strata_clock") != 0)
		return;
	if (k->n < k->max)
		k->v[k->n] = strtod(strata__pq.PQgetvalue(res, 0, 0), NULL);
	k->n++;
}

/* The rows a statement changed, as its command tag says ("DELETE 1");
 * -1 for a statement without a count. */
static void note_changes(struct strata_driver_conn *c, PGresult *res)
{
	const char *n = strata__pq.PQcmdTuples(res);

	pc(c)->changes = n && n[0] ? strtoll(n, NULL, 10) : -1;
}

static int64_t pg_changes(struct strata_driver_conn *c)
{
	return pc(c)->changes;
}

/*
 * Send sql[0, len) as one message and read every result; an error's
 * offset is in the caller's text, where sql starts at byte base.
 */
static int run_message(struct strata_driver_conn *c, const char *sql,
                       size_t len, size_t base, struct clocks *k)
{
	PGconn *pg = pc(c)->pg;
	PGresult *res, *err = NULL;
	size_t done = 0, stmt_len = 0;
	long offset = -1;
	char *q;
	int rc = 0;

	q = strata__strndup(sql, len);
	if (!q)
		return strata__pg_oom(c);
	pc(c)->changes = -1;
	/*
	 * PQexec would return only the last result; every statement of a
	 * multi-statement text has its own, and the error is the one that
	 * matters. Counting the successes tells which statement failed.
	 */
	if (strata__pg_send(c, q, -1, NULL) < 0) {
		strata__free(q);
		return conn_error(c, "cannot send the statement");
	}
	strata__free(q);
	while ((res = strata__pg_result(c, &rc)) != NULL) {
		switch (strata__pq.PQresultStatus(res)) {
		case PGRES_TUPLES_OK:
			keep_clock(k, res);
			/* fall through */
		case PGRES_COMMAND_OK:
		case PGRES_EMPTY_QUERY:
			if (!err) {
				done++;
				note_changes(c, res);
			}
			strata__pq.PQclear(res);
			break;
		case PGRES_COPY_IN:
			strata__pq.PQputCopyEnd(
			        pg, "strata migrations cannot use COPY "
			            "FROM STDIN: put the rows in INSERT "
			            "statements");
			strata__pq.PQclear(res);
			break;
		case PGRES_COPY_OUT:
			drain_copy_out(pg);
			strata__pq.PQclear(res);
			break;
		default:
			if (!err)
				err = res;
			else
				strata__pq.PQclear(res);
			break;
		}
		if (strata__pq.PQstatus(pg) == CONNECTION_BAD && !err)
			break;
	}
	if (rc < 0) {
		/* given up after an interrupt: the connection is closed */
		strata__pq.PQclear(err);
		return rc;
	}
	if (!err && strata__pq.PQstatus(pg) == CONNECTION_BAD)
		return conn_error(c, "lost the connection to the server");
	if (!err)
		return 0;

	{
		const char *pos = strata__pq.PQresultErrorField(
		        err, PG_DIAG_STATEMENT_POSITION);
		long stmt = nth_statement(sql, len, done, &stmt_len);

		if (pos)
			offset = char_to_byte(sql, len, strtol(pos, NULL, 10));
		else if (stmt >= 0)
			offset = (long)strata__pg_skip_space(sql, len,
			                                     (size_t)stmt);
		rc = result_error(c, err,
		                  offset < 0 ? -1 : offset + (long)base);
		strata__pq.PQclear(err);
		if (stmt >= 0 &&
		    strata__pq.PQtransactionStatus(pg) == PQTRANS_IDLE)
			strata__pg_explain_failed_cic(c, sql + stmt, stmt_len);
	}
	return rc;
}

/*
 * A text longer than MESSAGE_BYTES, run inside a transaction block, goes
 * to the server in messages of about that size, cut between statements:
 * as one message, libpq kept a copy of a 200 MB seed file, strata
 * another, and the server parsed every statement before running the
 * first. Inside a transaction block, statements mean the same in one
 * message or in several; a statement that begins or ends a transaction
 * sends the rest of the text as one message, as it was written.
 */
#define MESSAGE_BYTES (1024 * 1024)

struct messages {
	struct strata_driver_conn *c;
	const char *sql;
	struct clocks *k;
	size_t from; /* the next message starts here */
	int rc;
};

static int message_stmt(void *payload, size_t off, size_t len, unsigned flags)
{
	struct messages *ms = payload;

	if (flags & STRATA_STMT_TXN_CONTROL)
		return 1; /* the rest in one message */
	if (off + len - ms->from <= MESSAGE_BYTES || off == ms->from)
		return 0;
	/* the message is full without this statement: send it */
	ms->rc = run_message(ms->c, ms->sql + ms->from, off - ms->from,
	                     ms->from, ms->k);
	if (ms->rc < 0)
		return ms->rc;
	ms->from = off;
	return strata__pq.PQtransactionStatus(pc(ms->c)->pg) != PQTRANS_INTRANS;
}

static int run_text(struct strata_driver_conn *c, const char *sql, size_t len,
                    struct clocks *k)
{
	PGconn *pg = pc(c)->pg;
	struct messages ms = { c, sql, k, 0, 0 };
	int rc;

	if (!pg)
		return conn_error(c, "cannot run the statement");
	if (memchr(sql, '\0', len))
		return strata_driver_set_error(
		        c, STRATA_EINVALID, NULL, 0,
		        (long)((const char *)memchr(sql, '\0', len) - sql),
		        "the SQL holds a NUL byte, which PostgreSQL cannot "
		        "take");
	/* before anything runs: an IF NOT EXISTS that would skip an INVALID
	 * index is refused (a batch commits before a check after it) */
	rc = strata__pg_check_if_not_exists(c, sql, len);
	if (rc < 0)
		return rc;
	if (len > MESSAGE_BYTES &&
	    strata__pq.PQtransactionStatus(pg) == PQTRANS_INTRANS) {
		rc = strata__split_postgres(sql, len, message_stmt, &ms);
		if (ms.rc < 0)
			return ms.rc;
		if (rc == STRATA_ENOMEM)
			return strata__pg_oom(c);
	}
	return run_message(c, sql + ms.from, len - ms.from, ms.from, k);
}

static int pg_exec(struct strata_driver_conn *c, const char *sql, size_t len)
{
	return run_text(c, sql, len, NULL);
}

static int pg_exec_clocked(struct strata_driver_conn *c, const char *sql,
                           size_t len, double *clocks, size_t max, size_t *n)
{
	struct clocks k = { clocks, max, 0 };
	int rc = run_text(c, sql, len, &k);

	*n = k.n;
	return rc;
}

static int pg_query(struct strata_driver_conn *c, const char *sql,
                    strata_row_cb cb, void *payload)
{
	PGresult *res = strata__pg_params_query(c, sql, 0, NULL, 0);
	const char **vals = NULL;
	int rows, cols, r, i, rc = 0;

	if (!res)
		return STRATA_EDB;
	rows = strata__pq.PQntuples(res);
	cols = strata__pq.PQnfields(res);
	if (rows > 0 && cols > 0) {
		vals = strata__calloc((size_t)cols, sizeof(*vals));
		if (!vals) {
			strata__pq.PQclear(res);
			return strata__pg_oom(c);
		}
	}
	for (r = 0; r < rows && cols > 0 && rc == 0; r++) {
		for (i = 0; i < cols; i++)
			vals[i] = strata__pq.PQgetisnull(res, r, i) ?
			                  NULL :
			                  strata__pq.PQgetvalue(res, r, i);
		rc = cb(payload, cols, vals);
	}
	strata__free(vals);
	strata__pq.PQclear(res);
	return rc;
}

static int pg_begin(struct strata_driver_conn *c)
{
	return strata__pg_simple(c, "BEGIN", 0);
}

static int pg_commit(struct strata_driver_conn *c)
{
	PGconn *pg = pc(c)->pg;
	PGresult *res;
	int rc = 0;

	if (!pg)
		return conn_error(c, "COMMIT");
	res = strata__pg_exec_wait(c, "COMMIT", -1, NULL, &rc);
	if (rc < 0)
		return rc;
	if (strata__pq.PQresultStatus(res) != PGRES_COMMAND_OK) {
		rc = res ? result_error(c, res, -1) : conn_error(c, "COMMIT");
	} else if (strcmp(strata__pq.PQcmdStatus(res), "ROLLBACK") == 0) {
		/* COMMIT of a failed transaction rolls it back */
		rc = strata_driver_set_error(c, STRATA_EDB, "25P02", 0, -1,
		                             "the transaction had failed and "
		                             "was rolled back instead of "
		                             "committed");
	}
	strata__pq.PQclear(res);
	return rc;
}

static int pg_rollback(struct strata_driver_conn *c)
{
	PGconn *pg = pc(c)->pg;

	if (!pg || strata__pq.PQstatus(pg) != CONNECTION_OK ||
	    strata__pq.PQtransactionStatus(pg) == PQTRANS_IDLE)
		return 0;
	return strata__pg_simple(c, "ROLLBACK", 1);
}

/* ------------------------------------------------------------------ */
/* Quoting                                                            */

static int pg_quote_ident(struct strata_driver_conn *c, strata_buf *out,
                          const char *ident)
{
	PGconn *pg = strata__pg_live(c);
	size_t n = strlen(ident);
	int max = strata__pg_max_ident(c);
	const char *p;
	int rc;

	if (n == 0 || n > (size_t)max)
		return STRATA_EINVALID;
	if (pg) {
		char *q = strata__pq.PQescapeIdentifier(pg, ident, n);

		if (!q)
			return STRATA_EINVALID; /* invalid in the encoding */
		rc = strata__buf_puts(out, q);
		strata__pq.PQfreemem(q);
		return rc;
	}
	rc = strata__buf_putc(out, '"');
	for (p = ident; rc == 0 && *p; p++) {
		if (*p == '"')
			rc = strata__buf_putc(out, '"');
		if (rc == 0)
			rc = strata__buf_putc(out, *p);
	}
	if (rc == 0)
		rc = strata__buf_putc(out, '"');
	return rc;
}

static int pg_quote_literal(struct strata_driver_conn *c, strata_buf *out,
                            const char *s)
{
	PGconn *pg = strata__pg_live(c);
	const char *p;
	int rc;

	if (pg) {
		char *q = strata__pq.PQescapeLiteral(pg, s, strlen(s));

		if (!q)
			return STRATA_EINVALID;
		rc = strata__buf_puts(out, q);
		strata__pq.PQfreemem(q);
		return rc;
	}
	/* as PQescapeLiteral does with standard_conforming_strings on */
	rc = strata__buf_puts(out, strchr(s, '\\') ? "E'" : "'");
	for (p = s; rc == 0 && *p; p++) {
		if (*p == '\'' || *p == '\\')
			rc = strata__buf_putc(out, *p);
		if (rc == 0)
			rc = strata__buf_putc(out, *p);
	}
	if (rc == 0)
		rc = strata__buf_putc(out, '\'');
	return rc;
}

/* ------------------------------------------------------------------ */
/* Catalogue                                                          */

static int pg_table_columns(struct strata_driver_conn *c, const char *schema,
                            const char *table, strata_row_cb cb, void *payload)
{
	/*
	 * Resolved like the engine's SQL resolves the name: qualified with
	 * the schema, or through search_path.
	 */
	static const char sql[] =
	        "SELECT a.attname,"
	        " pg_catalog.format_type(a.atttypid, a.atttypmod)"
	        " FROM pg_catalog.pg_attribute a"
	        " WHERE a.attrelid = to_regclass(CASE WHEN $1::text IS NULL"
	        " THEN pg_catalog.quote_ident($2)"
	        " ELSE pg_catalog.quote_ident($1) || '.' ||"
	        " pg_catalog.quote_ident($2) END)"
	        " AND a.attnum > 0 AND NOT a.attisdropped"
	        " ORDER BY a.attnum";
	const char *v[2];
	const char *vals[2];
	PGresult *res;
	int i, rc = 0;

	v[0] = schema && schema[0] ? schema : NULL;
	v[1] = table;
	/* the server would look up a truncated name: refuse it here too */
	for (i = 0; i < 2; i++)
		if (v[i] && (!v[i][0] ||
		             strlen(v[i]) > (size_t)strata__pg_max_ident(c)))
			return strata_driver_set_error(
			        c, STRATA_EINVALID, NULL, 0, -1,
			        "name '%s' is empty or longer than "
			        "PostgreSQL's limit of %d bytes (the server "
			        "would cut it short)",
			        v[i], strata__pg_max_ident(c));
	res = strata__pg_params_query(c, sql, 2, v, 0);
	if (!res)
		return STRATA_EDB;
	if (strata__pq.PQntuples(res) == 0) {
		strata__pq.PQclear(res);
		return strata_driver_set_error(c, STRATA_ENOTFOUND, NULL, 0, -1,
		                               "table '%s' does not exist",
		                               table);
	}
	for (i = 0; i < strata__pq.PQntuples(res) && rc == 0; i++) {
		vals[0] = strata__pq.PQgetvalue(res, i, 0);
		vals[1] = strata__pq.PQgetvalue(res, i, 1);
		rc = cb(payload, 2, vals);
	}
	strata__pq.PQclear(res);
	return rc;
}

int strata__pg_bad_schema(struct strata_driver_conn *c, const char *schema)
{
	return strata_driver_set_error(c, STRATA_EINVALID, NULL, 0, -1,
	                               "--schema name '%s' is empty or longer "
	                               "than PostgreSQL's limit of %d bytes",
	                               schema, strata__pg_max_ident(c));
}

int strata__pg_ensure_schema(struct strata_driver_conn *c, const char *schema)
{
	strata_buf sql = STRATA_BUF_INIT;
	PGresult *res;
	int rc, exists;

	/*
	 * Look before creating: CREATE SCHEMA IF NOT EXISTS needs the
	 * CREATE privilege on the database even when the schema is there,
	 * and two runners creating it at once (the engine may call this
	 * before taking the lock) collide on the catalogue's unique index.
	 */
	res = strata__pg_params_query(c,
	                              "SELECT 1 FROM pg_catalog.pg_namespace "
	                              "WHERE nspname = $1",
	                              1, &schema, 0);
	if (!res)
		return STRATA_EDB;
	exists = strata__pq.PQntuples(res) > 0;
	strata__pq.PQclear(res);
	rc = strata__buf_puts(&sql, "CREATE SCHEMA IF NOT EXISTS ");
	if (rc == 0)
		rc = pg_quote_ident(c, &sql, schema);
	if (rc == STRATA_EINVALID) {
		strata_buf_release(&sql);
		return strata__pg_bad_schema(c, schema);
	}
	if (rc == 0 && !exists) {
		res = strata__pg_exec_wait(c, sql.ptr, -1, NULL, &rc);
		if (rc == 0 &&
		    strata__pq.PQresultStatus(res) != PGRES_COMMAND_OK) {
			const char *st = strata__pq.PQresultErrorField(
			        res, PG_DIAG_SQLSTATE);

			/* created meanwhile by another runner: fine */
			if (!st || (strcmp(st, "23505") != 0 &&
			            strcmp(st, "42P06") != 0))
				rc = res ? result_error(c, res, -1) :
				           conn_error(c, "CREATE SCHEMA");
		}
		strata__pq.PQclear(res);
	}
	if (rc == 0) {
		strata__buf_clear(&sql);
		rc = strata__buf_puts(&sql, "SET search_path TO ");
		if (rc == 0)
			rc = pg_quote_ident(c, &sql, schema);
		if (rc == 0)
			rc = pg_exec(c, sql.ptr, sql.len);
	}
	strata_buf_release(&sql);
	if (rc == 0) {
		strata__free(pc(c)->schema);
		pc(c)->schema = NULL;
	}
	return rc == STRATA_ENOMEM ? strata__pg_oom(c) : rc;
}

/*
 * For scripts: what strata__pg_ensure_schema does, as psql runs it. The
 * schema is looked up before it is created, for the same reason: CREATE
 * SCHEMA IF NOT EXISTS needs the CREATE privilege on the database even
 * when the schema is there.
 */
static int pg_schema_sql(struct strata_driver_conn *c, const char *schema,
                         strata_buf *out)
{
	strata_buf body = STRATA_BUF_INIT, tag = STRATA_BUF_INIT;
	int rc, i = 0;

	rc = strata__buf_puts(&body,
	                      "BEGIN\n\tIF NOT EXISTS (SELECT 1 FROM "
	                      "pg_catalog.pg_namespace WHERE nspname = ");
	if (rc == 0)
		rc = pg_quote_literal(c, &body, schema);
	if (rc == 0)
		rc = strata__buf_puts(&body, ") THEN\n\t\tCREATE SCHEMA ");
	if (rc == 0)
		rc = pg_quote_ident(c, &body, schema);
	if (rc == 0)
		rc = strata__buf_puts(&body, ";\n\tEND IF;\nEND\n");
	/* a dollar-quote tag the body does not hold */
	if (rc == 0)
		rc = strata__buf_puts(&tag, "$strata$");
	while (rc == 0 && strstr(body.ptr, tag.ptr)) {
		strata__buf_clear(&tag);
		rc = strata__buf_printf(&tag, "$strata%d$", ++i);
	}
	if (rc == 0)
		rc = strata__buf_printf(out,
		                        "DO %s\n%s%s;\nSET search_path TO ",
		                        tag.ptr, body.ptr, tag.ptr);
	if (rc == 0)
		rc = pg_quote_ident(c, out, schema);
	if (rc == 0)
		rc = strata__buf_puts(out, ";\n");
	strata_buf_release(&body);
	strata_buf_release(&tag);
	return rc;
}

static const char *const pg_schemes[] = { "postgres", "postgresql", NULL };

const struct strata_driver strata__driver_postgres = {
	.version = STRATA_DRIVER_VERSION,
	.name = "postgres",
	.schemes = pg_schemes,
	.caps = STRATA_DRIVER_CAP_TXN_DDL | STRATA_DRIVER_CAP_LOCK |
	        STRATA_DRIVER_CAP_SCHEMA | STRATA_DRIVER_CAP_BATCH,
	.conn_size = sizeof(struct pg_conn),
	/* required */
	.timestamp_type = "TIMESTAMPTZ",
	.connect = strata__pg_connect,
	.disconnect = strata__pg_disconnect,
	.exec = pg_exec,
	.query = pg_query,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.quote_ident = pg_quote_ident,
	.quote_literal = pg_quote_literal,
	.split = strata__split_postgres,
	.table_columns = pg_table_columns,
	/* tuning */
	.script_client = "psql -v ON_ERROR_STOP=1 -d DATABASE -f FILE",
	.now_sql = "CURRENT_TIMESTAMP",
	/* every migration of a run but the last commits without waiting for
	 * its WAL flush; the last one's flush covers them all */
	.async_commit_sql = "SET LOCAL synchronous_commit TO OFF",
	.elapsed_ms_sql = "(extract(epoch FROM clock_timestamp() - "
	                  "statement_timestamp()) * 1000)::bigint",
	/* an xid makes the commit write WAL and wait for its flush */
	.flush_sql = "BEGIN; SELECT pg_catalog.pg_current_xact_id(); COMMIT;",
	.current_schema_sql = "SELECT pg_catalog.current_schema()",
	.widen_dirty_sql = "ALTER COLUMN dirty TYPE BIGINT",
	/* optional */
	.lock = strata__pg_lock,
	.unlock = strata__pg_unlock,
	.ensure_schema = strata__pg_ensure_schema,
	.schema_sql = pg_schema_sql,
	/* several migrations to a message: the server's clock read after
	 * each, returned to strata, which records the differences */
	.message_clock_sql =
	        "SELECT extract(epoch FROM "
	        "pg_catalog.statement_timestamp()) AS strata_clock",
	.clock_sql = "SELECT extract(epoch FROM pg_catalog.clock_timestamp()) "
	             "AS strata_clock",
	.exec_clocked = pg_exec_clocked,
	.changes = pg_changes,
	.drop_all_sql = strata__pg_drop_all_sql,
	.backup = strata__pg_backup,
	.restore = strata__pg_restore,
	.backup_extension = ".sql",
	.restore_check = strata__pg_restore_check,
};
