/*
 * The --schema of a PostgreSQL connection (postgres.h): made if missing
 * and put first on the search_path, by strata itself or (schema_sql) by
 * a script psql runs.
 */
#include <string.h>

#include "strata/sys/driver.h"
#include "../util/alloc.h"
#include "../util/buf.h"

#include "postgres.h"

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
		rc = strata__pg_quote_ident(c, &sql, schema);
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
				rc = res ? strata__pg_result_error(c, res, -1) :
				           strata__pg_conn_error(
				                   c, "CREATE SCHEMA");
		}
		strata__pq.PQclear(res);
	}
	if (rc == 0) {
		strata__buf_clear(&sql);
		rc = strata__buf_puts(&sql, "SET search_path TO ");
		if (rc == 0)
			rc = strata__pg_quote_ident(c, &sql, schema);
		if (rc == 0)
			rc = strata__pg_exec(c, sql.ptr, sql.len);
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
int strata__pg_schema_sql(struct strata_driver_conn *c, const char *schema,
                          strata_buf *out)
{
	strata_buf body = STRATA_BUF_INIT, tag = STRATA_BUF_INIT;
	int rc, i = 0;

	rc = strata__buf_puts(&body,
	                      "BEGIN\n\tIF NOT EXISTS (SELECT 1 FROM "
	                      "pg_catalog.pg_namespace WHERE nspname = ");
	if (rc == 0)
		rc = strata__pg_quote_literal(c, &body, schema);
	if (rc == 0)
		rc = strata__buf_puts(&body, ") THEN\n\t\tCREATE SCHEMA ");
	if (rc == 0)
		rc = strata__pg_quote_ident(c, &body, schema);
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
		rc = strata__pg_quote_ident(c, out, schema);
	if (rc == 0)
		rc = strata__buf_puts(out, ";\n");
	strata_buf_release(&body);
	strata_buf_release(&tag);
	return rc;
}
