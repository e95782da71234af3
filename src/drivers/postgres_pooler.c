/*
 * PostgreSQL behind a transaction pooler (PgBouncer's pool_mode =
 * transaction, and the poolers that work like it): each transaction of
 * strata's connection may run on another server session, so nothing of a
 * session lasts: no session advisory lock, no SET. The URL's pooler=
 * parameter says whether strata is behind one (transaction, none) or lets
 * connect() find out (auto, the default): a pooler answers the startup
 * with a cancel key of its own, whose process id is not the one of the
 * server process that runs the first query. That costs no round trip: the
 * query is the session set-up's own.
 *
 * Behind a pooler the runner lock is a transaction-level advisory lock
 * that begin() takes in every transaction, polled as the session lock is
 * (postgres_lock.c); the engine then reads the history again inside it
 * (driver.h). And a statement the engine sends
 * outside a transaction once it intends to write (the history table's
 * creation) gets a locked transaction of its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "postgres.h"
#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/url.h"

/* ------------------------------------------------------------------ */
/* The URL's pooler= parameter                                        */

int strata__pg_pooler_mode(struct strata_driver_conn *c,
                           const struct strata__url *u)
{
	const char *v = strata__url_param(u, "pooler");

	if (!v || strcmp(v, "auto") == 0)
		pc(c)->pooler = PG_POOLER_AUTO;
	else if (strcmp(v, "transaction") == 0)
		pc(c)->pooler = PG_POOLER_TRANSACTION;
	else if (strcmp(v, "none") == 0)
		pc(c)->pooler = PG_POOLER_NONE;
	else
		return strata_driver_set_error(
		        c, STRATA_ECONNECT, NULL, 0, -1,
		        "pooler=%s in the PostgreSQL URL: expected auto, "
		        "transaction or none",
		        v);
	return 0;
}

/* Is the query parameter s (n bytes, "key" or "key=value") key? */
static int is_key(const char *s, size_t n, const char *key)
{
	size_t k = strlen(key);

	return n >= k && memcmp(s, key, k) == 0 && (n == k || s[k] == '=');
}

/*
 * Remove every parameter key from the query of url, which starts at byte
 * off (after the '?') and is n bytes long: libpq refuses parameters it
 * does not know. The '?' goes too when nothing is left after it. The
 * bytes freed are zeroed (the URL may hold a password).
 */
void strata__pg_strip_param(strata_buf *url, size_t off, size_t n,
                            const char *key)
{
	char *s = url->ptr;
	size_t i = off, w = off, end = off + n, len = url->len, j;

	while (i < end) {
		for (j = i; j < end && s[j] != '&'; j++)
			;
		if (j > i && !is_key(s + i, j - i, key)) {
			if (w > off)
				s[w++] = '&';
			memmove(s + w, s + i, j - i);
			w += j - i;
		}
		i = j + 1;
	}
	if (w == off && off > 0 && s[off - 1] == '?')
		w--;
	memmove(s + w, s + end, len - end);
	w += len - end;
	memset(s + w, 0, len - w);
	strata__buf_truncate(url, w);
}

char *strata__pg_libpq_url(const char *url)
{
	struct strata__url u;
	strata_buf b = STRATA_BUF_INIT;
	char *out = NULL;

	if (strata__url_parse(&u, url) == STRATA_ENOMEM)
		return NULL;
	if (strata__buf_puts(&b, url) == 0) {
		if (u.scheme && u.query.p && strata__url_param(&u, "pooler"))
			strata__pg_strip_param(&b, (size_t)(u.query.p - u.text),
			                       u.query.n, "pooler");
		out = strata__buf_detach(&b);
	}
	strata__url_release(&u);
	return out;
}

void strata__pg_wipe_free(char *s)
{
	volatile char *v = s;

	while (v && *v)
		*v++ = '\0';
	strata__free(s);
}

/* ------------------------------------------------------------------ */
/* Detection                                                          */

/*
 * SQL that keeps its effect only on a direct connection: a condition
 * true when the server process is the one whose id libpq was given at
 * the start (a pooler gives its own), appended to out; "true" or "false"
 * when the URL says which it is.
 */
int strata__pg_direct_only(struct strata_driver_conn *c, strata_buf *out)
{
	switch (pc(c)->pooler) {
	case PG_POOLER_NONE:
		return strata__buf_puts(out, "true");
	case PG_POOLER_TRANSACTION:
		return strata__buf_puts(out, "false");
	default:
		return strata__buf_printf(out,
		                          "pg_catalog.pg_backend_pid() = %d",
		                          strata__pq.PQbackendPID(pc(c)->pg));
	}
}

void strata__pg_pooler_detect(struct strata_driver_conn *c, int server_pid)
{
	if (pc(c)->pooler == PG_POOLER_AUTO)
		c->pooled = server_pid != strata__pq.PQbackendPID(pc(c)->pg);
	else
		c->pooled = pc(c)->pooler == PG_POOLER_TRANSACTION;
	if (c->pooled && c->verbose)
		strata_driver_info(c, pc(c)->pooler == PG_POOLER_AUTO ?
		                              "connected through a pooler "
		                              "(its process id is not the "
		                              "server's): each transaction "
		                              "takes the migration lock" :
		                              "pooler=transaction: each "
		                              "transaction takes the "
		                              "migration lock");
}

/* ------------------------------------------------------------------ */
/* The lock of each transaction                                       */

/* BEGIN, and the server process that runs the transaction, for a stop
 * (postgres_wait.c), in txn_pid. */
static int begin_noting_pid(struct strata_driver_conn *c)
{
	PGresult *res = strata__pg_exec_query(
	        c, "BEGIN; SELECT pg_catalog.pg_backend_pid()");

	if (!res)
		return STRATA_EDB;
	pc(c)->txn_pid = strata__pq.PQntuples(res) == 1 ?
	                         atoi(strata__pq.PQgetvalue(res, 0, 0)) :
	                         0;
	strata__pq.PQclear(res);
	return 0;
}

int strata__pg_pooled_begin(struct strata_driver_conn *c)
{
	int rc = begin_noting_pid(c);

	if (rc == 0 && pc(c)->key)
		rc = strata__pg_lock_wait(c, pc(c)->key,
		                          pc(c)->lock_timeout_ms);
	if (rc < 0) {
		strata__pg_simple(c, "ROLLBACK", 1);
		pc(c)->txn_pid = 0;
	}
	return rc;
}

/* ------------------------------------------------------------------ */
/* Statements outside a transaction                                   */

static int has_txn_control(void *payload, size_t off, size_t len,
                           unsigned flags)
{
	(void)off;
	(void)len;
	if (flags & STRATA_STMT_TXN_CONTROL) {
		*(int *)payload = 1;
		return 1; /* stop */
	}
	return 0;
}

/*
 * Once lock() has named the key (the engine means to write), a text sent
 * outside a transaction runs in a locked one of its own: without it, two
 * runners that create the history table at once collide in the catalog.
 * A text that has its own BEGIN or COMMIT is sent as it is.
 */
int strata__pg_pooled_exec(struct strata_driver_conn *c, const char *sql,
                           size_t len)
{
	int own = 0, rc;

	if (!c->pooled || !pc(c)->key || !strata__pg_live(c) ||
	    strata__pq.PQtransactionStatus(pc(c)->pg) != PQTRANS_IDLE)
		return strata__pg_exec(c, sql, len);
	c->driver->split(sql, len, has_txn_control, &own);
	if (own)
		return strata__pg_exec(c, sql, len);
	rc = strata__pg_pooled_begin(c);
	if (rc == 0)
		rc = strata__pg_exec(c, sql, len);
	if (rc == 0)
		rc = c->driver->commit(c);
	else
		c->driver->rollback(c);
	pc(c)->txn_pid = 0;
	return rc;
}
