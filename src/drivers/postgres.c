/*
 * The PostgreSQL driver, over libpq (loaded at run time by connect()): its
 * vtable and the thin methods it holds itself (queries with a callback,
 * transactions, a table's columns). One runner at a time through a
 * session-level advisory lock that is polled (never waited for inside the
 * server, which deadlocks with CREATE INDEX CONCURRENTLY); DDL is
 * transactional, so each migration commits with its history row. Server
 * errors keep their SQLSTATE, DETAIL, HINT and CONTEXT, and their position
 * is turned into a byte offset the engine maps to file:line:col.
 *
 * The top of the driver's files (postgres.h): it calls the others, which
 * call only further down: lock > schema > exec > index > query > wait, with
 * quote (under schema) and text (under exec and index) beside them.
 */
#include <string.h>

#include "strata/sys/driver.h"
#include "../util/alloc.h"
#include "split.h"

#include "postgres.h"

static int64_t pg_changes(struct strata_driver_conn *c)
{
	return pc(c)->changes;
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
	for (r = 0; vals && r < rows && rc == 0; r++) {
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
	if (c->pooled)
		return strata__pg_pooled_begin(c);
	return strata__pg_simple(c, "BEGIN", 0);
}

static int pg_commit(struct strata_driver_conn *c)
{
	PGconn *pg = pc(c)->pg;
	PGresult *res;
	int rc = 0;

	if (!pg)
		return strata__pg_conn_error(c, "COMMIT");
	res = strata__pg_exec_wait(c, "COMMIT", -1, NULL, &rc);
	pc(c)->txn_pid = 0;
	if (rc < 0)
		return rc;
	if (strata__pq.PQresultStatus(res) != PGRES_COMMAND_OK) {
		rc = res ? strata__pg_result_error(c, res, -1) :
		           strata__pg_conn_error(c, "COMMIT");
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

	pc(c)->txn_pid = 0;
	if (!pg || strata__pq.PQstatus(pg) != CONNECTION_OK ||
	    strata__pq.PQtransactionStatus(pg) == PQTRANS_IDLE)
		return 0;
	return strata__pg_simple(c, "ROLLBACK", 1);
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

static const char *const pg_schemes[] = { "postgres", "postgresql", NULL };

const struct strata_driver strata__driver_postgres = {
	.version = STRATA_DRIVER_VERSION,
	.name = "postgres",
	.dialect = STRATA_DIALECT_BYTEA | STRATA_DIALECT_PKEY_INDEX,
	.schemes = pg_schemes,
	.caps = STRATA_DRIVER_CAP_TXN_DDL | STRATA_DRIVER_CAP_LOCK |
	        STRATA_DRIVER_CAP_SCHEMA | STRATA_DRIVER_CAP_BATCH,
	.conn_size = sizeof(struct pg_conn),
	/* required */
	.timestamp_type = "TIMESTAMPTZ",
	.connect = strata__pg_connect,
	.disconnect = strata__pg_disconnect,
	.exec = strata__pg_pooled_exec,
	.query = pg_query,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.quote_ident = strata__pg_quote_ident,
	.quote_literal = strata__pg_quote_literal,
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
	.schema_sql = strata__pg_schema_sql,
	/* several migrations to a message: the server's clock read after
	 * each, returned to strata, which records the differences */
	.message_clock_sql =
	        "SELECT extract(epoch FROM "
	        "pg_catalog.statement_timestamp()) AS strata_clock",
	.clock_sql = "SELECT extract(epoch FROM pg_catalog.clock_timestamp()) "
	             "AS strata_clock",
	.exec_clocked = strata__pg_exec_clocked,
	.changes = pg_changes,
	.drop_all_sql = strata__pg_drop_all_sql,
	.backup = strata__pg_backup,
	.restore = strata__pg_restore,
	.backup_extension = ".sql",
	.restore_check = strata__pg_restore_check,
	.one_row_sql = strata__pg_one_row_sql,
	.database = strata__pg_database,
	.dump = strata__pg_dump,
	.wait_replicas = strata__pg_wait_replicas,
	.catalog = strata__pg_catalog,
	.reuse = strata__pg_reuse,
	.lock_wait_sql = strata__pg_lock_wait_sql,
	.lock_wait_gave_up = strata__pg_lock_wait_gave_up,
	.invalid_indexes = strata__pg_invalid_indexes,
	.drop_index_sql = "DROP INDEX CONCURRENTLY IF EXISTS ",
	.dump_local_sql = strata__pg_dump_local_sql,
};
