/*
 * The PostgreSQL driver's simple statements and queries (postgres.h), and
 * its errors: the server's (SQLSTATE, DETAIL, HINT, CONTEXT) and the
 * connection's, with the password masked; out of memory. Waits for the
 * server through postgres_wait.c; the driver's other files build on it.
 */
#include <stdlib.h>
#include <string.h>

#include "strata/sys/driver.h"
#include "../util/buf.h"
#include "../util/secret.h"

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

/* Report the error of res; offset is a byte offset in sql or -1. */
int strata__pg_result_error(struct strata_driver_conn *c, const PGresult *res,
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
int strata__pg_conn_error(struct strata_driver_conn *c, const char *what)
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
		return quiet ? STRATA_EDB : strata__pg_conn_error(c, sql);
	res = strata__pg_exec_wait(c, sql, -1, NULL, &rc);
	if (rc < 0)
		return rc;
	st = strata__pq.PQresultStatus(res);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK &&
	    st != PGRES_EMPTY_QUERY) {
		rc = STRATA_EDB;
		if (!quiet && res)
			rc = strata__pg_result_error(c, res, -1);
		else if (!quiet)
			rc = strata__pg_conn_error(c, sql);
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
			strata__pg_conn_error(c, "query");
		return NULL;
	}
	res = strata__pg_exec_wait(c, sql, n < 0 ? 0 : n, values, &rc);
	if (rc < 0)
		return NULL;
	if (strata__pq.PQresultStatus(res) == PGRES_TUPLES_OK ||
	    strata__pq.PQresultStatus(res) == PGRES_COMMAND_OK)
		return res;
	if (!quiet && res)
		strata__pg_result_error(c, res, -1);
	else if (!quiet)
		strata__pg_conn_error(c, "query");
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
		strata__pg_conn_error(c, "query");
		return NULL;
	}
	res = strata__pg_exec_wait(c, sql, -1, NULL, &rc);
	if (rc < 0)
		return NULL;
	if (strata__pq.PQresultStatus(res) == PGRES_TUPLES_OK)
		return res;
	if (res)
		strata__pg_result_error(c, res, -1);
	else
		strata__pg_conn_error(c, "query");
	strata__pq.PQclear(res);
	return NULL;
}

int strata__pg_bad_schema(struct strata_driver_conn *c, const char *schema)
{
	return strata_driver_set_error(
	        c, STRATA_EINVALID, NULL, 0, -1,
	        "%s name '%s' is empty or longer "
	        "than PostgreSQL's limit of %d bytes",
	        strata_driver_setting(c, STRATA_SETTING_SCHEMA), schema,
	        strata__pg_max_ident(c));
}
