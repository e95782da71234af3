/*
 * The PostgreSQL runner lock: a session-level advisory lock keyed by the
 * history table's qualified name, polled with pg_try_advisory_lock so
 * that it can time out and never deadlocks with CREATE INDEX
 * CONCURRENTLY.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "postgres.h"
#include "../util/clock.h"
#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/testpoint.h"

/* Lock polling: the first pause, the longest one (milliseconds). */
#define LOCK_POLL_FIRST 50
#define LOCK_POLL_MAX   500
/* After this long waiting, say whose lock it is (milliseconds) */
#define LOCK_SAY_WHO 1000

/* ------------------------------------------------------------------ */
/* The runner lock                                                    */

/* Ctrl-C (or SIGTERM) ends the wait at once, whatever --lock-timeout
 * says: nothing has changed yet. */
static int lock_interrupted(struct strata_driver_conn *c, const char *key)
{
	return strata_driver_set_error(c, STRATA_EINTERRUPTED, NULL, 0, -1,
	                               "interrupted while waiting for the "
	                               "migration lock '%s': nothing was "
	                               "changed",
	                               key);
}

/* 1: taken, 0: held by another session, <0: error (recorded). Behind a
 * transaction pooler, the lock of the transaction begin() opened. */
static int try_lock(struct strata_driver_conn *c, const char *key)
{
	PGresult *res = strata__pg_params_query(
	        c,
	        c->pooled ? "SELECT pg_catalog.pg_try_advisory_xact_lock("
	                    "pg_catalog.hashtextextended($1, 0))" :
	                    "SELECT pg_catalog.pg_try_advisory_lock("
	                    "pg_catalog.hashtextextended($1, 0))",
	        1, &key, 0);
	int got;

	if (!res)
		return STRATA_EDB;
	got = strata__pq.PQntuples(res) == 1 &&
	      strata__pq.PQgetvalue(res, 0, 0)[0] == 't';
	strata__pq.PQclear(res);
	return got;
}

/* Who holds the advisory lock of key, as text for a message. */
static void describe_holder(struct strata_driver_conn *c, const char *key,
                            strata_buf *out)
{
	static const char sql[] =
	        "WITH k AS (SELECT pg_catalog.hashtextextended($1, 0) AS h)"
	        " SELECT l.pid, coalesce(a.application_name, ''),"
	        " coalesce(a.usename::text, ''),"
	        " coalesce(host(a.client_addr), 'local socket'),"
	        " coalesce(to_char(a.backend_start AT TIME ZONE 'UTC',"
	        " 'YYYY-MM-DD HH24:MI:SS'), '')"
	        " FROM pg_catalog.pg_locks l CROSS JOIN k"
	        " LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid"
	        " WHERE l.locktype = 'advisory' AND l.granted"
	        " AND l.objsubid = 1"
	        " AND l.database = (SELECT oid FROM pg_catalog.pg_database"
	        " WHERE datname = pg_catalog.current_database())"
	        " AND l.classid::bigint = (k.h >> 32) & 4294967295"
	        " AND l.objid::bigint = k.h & 4294967295"
	        " LIMIT 1";
	PGresult *res = strata__pg_params_query(c, sql, 1, &key, 1);
	int rc;

	if (res && strata__pq.PQntuples(res) == 1) {
		const char *app = strata__pq.PQgetvalue(res, 0, 1);

		rc = strata__buf_printf(
		        out,
		        "held by server process %s (application '%s', user "
		        "%s, from %s, connected since %s UTC)",
		        strata__pq.PQgetvalue(res, 0, 0), app[0] ? app : "?",
		        strata__pq.PQgetvalue(res, 0, 2)[0] ?
		                strata__pq.PQgetvalue(res, 0, 2) :
		                "?",
		        strata__pq.PQgetvalue(res, 0, 3),
		        strata__pq.PQgetvalue(res, 0, 4));
	} else {
		rc = strata__buf_puts(out, "held by another session");
	}
	(void)rc; /* a shorter message is fine when memory runs out */
	strata__pq.PQclear(res);
}

/* A runner that has waited a while says whose lock it waits for. */
static void say_who(struct strata_driver_conn *c, const char *key,
                    int timeout_ms)
{
	strata_buf who = STRATA_BUF_INIT, msg = STRATA_BUF_INIT;

	describe_holder(c, key, &who);
	if (who.len &&
	    strata__buf_printf(&msg,
	                       "waiting for the migration lock '%s', %s (up "
	                       "to %d s)",
	                       key, who.ptr, timeout_ms / 1000) == 0)
		strata_driver_info(c, msg.ptr);
	strata_buf_release(&who);
	strata_buf_release(&msg);
}

/*
 * The key "strata:\"table\"" names the history table through search_path;
 * "strata:\"public\".\"table\"" (from --schema public) names the same
 * table. Qualify the first with the schema the name resolves to, so that
 * both runners take the same lock. NULL when out of memory.
 */
static char *qualify_key(struct strata_driver_conn *c, const char *key)
{
	static const char sql[] =
	        "SELECT '\"' || replace(coalesce((SELECT n.nspname"
	        " FROM pg_catalog.pg_class t"
	        " JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace"
	        " WHERE t.oid = to_regclass($1)),"
	        " pg_catalog.current_schema()), '\"', '\"\"') || '\".' || $1";
	const char *name, *p;
	strata_buf b = STRATA_BUF_INIT;
	PGresult *res;

	if (strncmp(key, "strata:", 7) != 0 || key[7] != '"')
		return strata__strdup(key);
	name = key + 7;
	/* one quoted name and nothing after it */
	for (p = name + 1; *p && !(p[0] == '"' && p[1] != '"'); p++)
		if (p[0] == '"')
			p++;
	if (p[0] != '"' || p[1])
		return strata__strdup(key);
	res = strata__pg_params_query(c, sql, 1, &name, 1);
	if (!res || strata__pq.PQntuples(res) != 1 ||
	    strata__pq.PQgetisnull(res, 0, 0)) {
		strata__pq.PQclear(res);
		return strata__strdup(key); /* no schema: keep it as it is */
	}
	if (strata__buf_puts(&b, "strata:") < 0 ||
	    strata__buf_puts(&b, strata__pq.PQgetvalue(res, 0, 0)) < 0)
		strata_buf_release(&b);
	strata__pq.PQclear(res);
	return b.len ? strata__buf_detach(&b) : NULL;
}

int strata__pg_lock_wait(struct strata_driver_conn *c, const char *key,
                         int timeout_ms)
{
	long long start = strata__now_ms(), waited;
	long pause = LOCK_POLL_FIRST;
	strata_buf who = STRATA_BUF_INIT;
	unsigned seed = (unsigned)getpid();
	int rc, waiting = 0, told = 0;

	/*
	 * Poll pg_try_advisory_lock with back-off rather than wait in
	 * pg_advisory_lock: a session waiting inside the server holds a
	 * snapshot that CREATE INDEX CONCURRENTLY in the lock holder's
	 * session waits for, a deadlock (flyway#1654, golang-migrate#960).
	 * Between polls this session is idle, in no transaction (behind
	 * a pooler: in the transaction the lock is for, which holds no
	 * snapshot between statements).
	 */
	for (;;) {
		long left, nap;

		rc = try_lock(c, key);
		if (rc == STRATA_EINTERRUPTED)
			return lock_interrupted(c, key);
		if (rc < 0)
			return rc;
		if (rc == 1)
			return 0;
		waited = strata__now_ms() - start;
		left = (long)(timeout_ms - waited);
		if (timeout_ms <= 0 || left <= 0)
			break;
		if (!waiting) {
			waiting = 1;
			strata__testpoint("lock_wait");
		}
		if (!told && waited >= LOCK_SAY_WHO) {
			told = 1;
			say_who(c, key, timeout_ms);
			strata__testpoint("lock_told");
		}
		/* a little jitter keeps many waiters from polling in step */
		seed = seed * 1103515245u + 12345u;
		nap = pause + (long)((seed >> 16) % (unsigned)(pause / 4 + 1));
		if (strata__pg_nap(c, nap < left ? nap : left))
			return lock_interrupted(c, key);
		pause = pause * 3 / 2 < LOCK_POLL_MAX ? pause * 3 / 2 :
		                                        LOCK_POLL_MAX;
	}
	describe_holder(c, key, &who);
	rc = strata_driver_set_error(
	        c, STRATA_ELOCKED, "55P03", 0, -1,
	        "another runner holds the migration lock '%s': %s; gave up "
	        "after %.1f s",
	        key, who.ptr, (double)waited / 1000.0);
	strata_buf_release(&who);
	if (strata__buf_printf(
	            &who,
	            "wait for it to finish, or raise %s; if that "
	            "session is left over from a crashed run, end "
	            "it with SELECT pg_terminate_backend(pid)",
	            strata_driver_setting(c, STRATA_SETTING_LOCK_TIMEOUT)) == 0)
		strata_driver_add_detail(c, who.ptr);
	strata_buf_release(&who);
	return rc;
}

/*
 * Take the lock (its key qualified), then make sure the --schema exists.
 * The engine looks
 * (connect with create == 0) before it writes, and reuses that connection
 * for writing, so ensure_schema() may never have been called: the lock is
 * the first sign of an intent to write.
 */
int strata__pg_lock(struct strata_driver_conn *c, const char *key,
                    int timeout_ms)
{
	int rc;

	strata__free(pc(c)->key_in);
	strata__free(pc(c)->key);
	pc(c)->key_in = strata__strdup(key);
	pc(c)->key = qualify_key(c, key);
	if (!pc(c)->key_in || !pc(c)->key)
		return strata__pg_oom(c);
	/* behind a pooler begin() takes it, in each transaction */
	pc(c)->lock_timeout_ms = timeout_ms;
	if (c->pooled)
		return 0;
	rc = strata__pg_lock_wait(c, pc(c)->key, timeout_ms);
	if (rc == 0 && pc(c)->schema) {
		rc = strata__pg_ensure_schema(c, pc(c)->schema);
		if (rc < 0)
			strata__pg_unlock(c, key);
	}
	return rc;
}

int strata__pg_unlock(struct strata_driver_conn *c, const char *key)
{
	PGresult *res;

	if (!strata__pg_live(c))
		return STRATA_EDB; /* the lock went with the session */
	if (pc(c)->key_in && strcmp(key, pc(c)->key_in) == 0)
		key = pc(c)->key;
	/* a no-transaction file's own BEGIN, failed: nothing runs in it */
	if (strata__pq.PQtransactionStatus(pc(c)->pg) == PQTRANS_INERROR)
		strata__pg_simple(c, "ROLLBACK", 1);
	if (c->pooled)
		return 0; /* a transaction's lock ends with it */
	res = strata__pg_params_query(c,
	                              "SELECT pg_catalog.pg_advisory_unlock("
	                              "pg_catalog.hashtextextended($1, 0))",
	                              1, &key, 1);
	if (!res)
		return STRATA_EDB;
	strata__pq.PQclear(res);
	return 0;
}
