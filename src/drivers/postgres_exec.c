/*
 * Running a migration's text on PostgreSQL (postgres.h): as one message,
 * or several cut between statements for a long text inside a transaction
 * block; every statement's result read, the rows changed and the
 * strata_clock values kept, and a failure placed at its statement (the
 * server's position turned into a byte offset). CREATE INDEX heads are
 * checked before and explained after (postgres_index.c).
 */
#include <stdlib.h>
#include <string.h>

#include "strata/sys/driver.h"
#include "../util/alloc.h"
#include "split.h"

#include "postgres.h"

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
		return strata__pg_conn_error(c, "cannot send the statement");
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
		return strata__pg_conn_error(
		        c, "lost the connection to the server");
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
		rc = strata__pg_result_error(
		        c, err, offset < 0 ? -1 : offset + (long)base);
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
		return strata__pg_conn_error(c, "cannot run the statement");
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

int strata__pg_exec(struct strata_driver_conn *c, const char *sql, size_t len)
{
	return run_text(c, sql, len, NULL);
}

int strata__pg_exec_clocked(struct strata_driver_conn *c, const char *sql,
                            size_t len, double *clocks, size_t max, size_t *n)
{
	struct clocks k = { clocks, max, 0 };
	int rc = run_text(c, sql, len, &k);

	*n = k.n;
	return rc;
}
