/*
 * up --wait-replicas: wait until the streaming standbys have replayed
 * the run. The server's WAL position is read once, after the run's last
 * commit; then pg_stat_replication is read until every standby's replay
 * position has passed it, with a short sleep in the server between reads
 * (a sleep there is interrupted as any statement is: postgres_wait.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "postgres.h"
#include "../util/buf.h"
#include "../util/clock.h"

/* How long the server sleeps between two reads of the standbys */
#define POLL_SQL "SELECT pg_catalog.pg_sleep(0.02)"

/* Columns of a standby: as the driver interface says, then its pid */
enum {
	R_NAME,
	R_ADDR,
	R_STATE,
	R_BEHIND,
	R_LAG_MS,
	R_N
};

/* The standbys, and how far each is from lsn (a text the server gave). */
static int replicas_sql(strata_buf *sql, const char *lsn)
{
	return strata__buf_printf(
	        sql,
	        "SELECT COALESCE(NULLIF(application_name, ''), "
	        "'walreceiver'), "
	        "COALESCE(pg_catalog.host(client_addr), 'local socket'), "
	        "state, "
	        "pg_catalog.pg_wal_lsn_diff('%s', replay_lsn)::bigint, "
	        "(extract(epoch FROM replay_lag) * 1000)::bigint "
	        "FROM pg_catalog.pg_stat_replication "
	        "ORDER BY 1, 2, pid",
	        lsn);
}

static int caught_up(const PGresult *res, int row)
{
	return !strata__pq.PQgetisnull(res, row, R_BEHIND) &&
	       strtoll(strata__pq.PQgetvalue(res, row, R_BEHIND), NULL, 10) <=
	               0;
}

/* The number of standbys not caught up; *hidden: how many of them show
 * no state, which the server hides from a role without pg_monitor. */
static int count_behind(const PGresult *res, int *hidden)
{
	int i, n = 0;

	*hidden = 0;
	for (i = 0; i < strata__pq.PQntuples(res); i++) {
		if (caught_up(res, i))
			continue;
		n++;
		if (strata__pq.PQgetisnull(res, i, R_STATE))
			(*hidden)++;
	}
	return n;
}

static int report(const PGresult *res, strata_row_cb cb, void *payload)
{
	const char *v[R_N + 1];
	int i, j, rc = 0;

	for (i = 0; rc == 0 && i < strata__pq.PQntuples(res); i++) {
		for (j = 0; j < R_N; j++)
			v[j] = strata__pq.PQgetisnull(res, i, j) ?
			               NULL :
			               strata__pq.PQgetvalue(res, i, j);
		v[R_N] = caught_up(res, i) ? "1" : "0";
		rc = cb(payload, R_N + 1, v);
	}
	return rc;
}

/* The error that names the standbys still behind. */
static int behind_error(struct strata_driver_conn *c, const PGresult *res,
                        int timeout_ms, int hidden)
{
	strata_buf who = STRATA_BUF_INIT;
	int i, rc = 0;

	for (i = 0; rc == 0 && i < strata__pq.PQntuples(res); i++) {
		if (caught_up(res, i))
			continue;
		rc = strata__buf_printf(
		        &who, "%s%s (%s, %s bytes behind)", who.len ? ", " : "",
		        strata__pq.PQgetvalue(res, i, R_NAME),
		        strata__pq.PQgetvalue(res, i, R_ADDR),
		        strata__pq.PQgetisnull(res, i, R_BEHIND) ?
		                "unknown" :
		                strata__pq.PQgetvalue(res, i, R_BEHIND));
	}
	if (hidden)
		rc = strata_driver_set_error(
		        c, STRATA_ETIMEOUT, NULL, 0, -1,
		        "cannot tell whether the standbys have replayed the "
		        "run: the server hides their progress from this role "
		        "(%s)",
		        who.ptr ? who.ptr : "out of memory");
	else
		rc = strata_driver_set_error(
		        c, STRATA_ETIMEOUT, NULL, 0, -1,
		        "after %d.%03d s, not every standby has replayed the "
		        "run: %s",
		        timeout_ms / 1000, timeout_ms % 1000,
		        who.ptr ? who.ptr : "(out of memory)");
	strata_buf_release(&who);
	if (hidden)
		strata_driver_add_detail(c, "grant the role pg_monitor (or "
		                            "connect as one that has it) to "
		                            "wait for the standbys");
	return rc;
}

int strata__pg_wait_replicas(struct strata_driver_conn *c, int timeout_ms,
                             strata_row_cb cb, void *payload)
{
	strata_buf sql = STRATA_BUF_INIT;
	PGresult *res;
	int64_t t0 = strata__now_ms();
	int rc, behind, hidden;

	res = strata__pg_exec_query(c,
	                            "SELECT pg_catalog.pg_current_wal_lsn()");
	if (!res)
		return STRATA_EDB;
	rc = replicas_sql(&sql, strata__pq.PQgetvalue(res, 0, 0));
	strata__pq.PQclear(res);
	if (rc < 0)
		return strata__pg_oom(c);
	for (;;) {
		res = strata__pg_exec_query(c, sql.ptr);
		if (!res) {
			strata_buf_release(&sql);
			return STRATA_EDB;
		}
		behind = count_behind(res, &hidden);
		/* a hidden standby never shows progress: no use waiting */
		if (!behind || hidden ||
		    strata__now_ms() - t0 >= (int64_t)timeout_ms)
			break;
		strata__pq.PQclear(res);
		rc = strata__pg_simple(c, POLL_SQL, 0);
		if (rc < 0) {
			strata_buf_release(&sql);
			return rc;
		}
	}
	strata_buf_release(&sql);
	rc = report(res, cb, payload);
	if (rc == 0 && behind)
		rc = behind_error(c, res, timeout_ms, hidden);
	strata__pq.PQclear(res);
	return rc;
}
