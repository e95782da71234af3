/*
 * PostgreSQL's lock-safe DDL and INVALID indexes. A migration's
 * statements wait for table locks at most lock_timeout (SET LOCAL in its
 * transaction, SET and RESET around a part run outside one), and give up
 * with SQLSTATE 55P03. A CREATE INDEX CONCURRENTLY that failed leaves its
 * index INVALID: listed here, from the catalogue, for `strata repair`,
 * which drops it with DROP INDEX CONCURRENTLY. An index being built right
 * now (pg_stat_progress_create_index names it) is INVALID too, and is
 * left out.
 */
#include <string.h>

#include "postgres.h"
#include "../util/buf.h"

int strata__pg_lock_wait_sql(struct strata_driver_conn *c, strata_buf *out,
                             int timeout_ms, int local)
{
	int rc;

	(void)c;
	if (timeout_ms > 0)
		rc = strata__buf_printf(out, "SET %slock_timeout = '%dms'",
		                        local ? "LOCAL " : "", timeout_ms);
	else
		rc = strata__buf_puts(out, local ? "SET LOCAL lock_timeout TO "
		                                   "DEFAULT" :
		                                   "RESET lock_timeout");
	return rc < 0 ? STRATA_ENOMEM : 0;
}

int strata__pg_lock_wait_gave_up(const char *sqlstate, int native_code)
{
	(void)native_code;
	return sqlstate && strcmp(sqlstate, "55P03") == 0;
}

/* The query, around the schema's name (a literal, or current_schema()) */
static const char list_head[] =
        "SELECT format('%I.%I', n.nspname, c.relname)"
        " FROM pg_catalog.pg_index i"
        " JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid"
        " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        " WHERE NOT i.indisvalid AND n.nspname = ";
static const char list_tail[] =
        " AND NOT EXISTS (SELECT 1"
        " FROM pg_catalog.pg_stat_progress_create_index p"
        " WHERE p.index_relid = c.oid)"
        " ORDER BY 1";

int strata__pg_invalid_indexes(struct strata_driver_conn *c, const char *schema,
                               strata_row_cb cb, void *payload)
{
	strata_buf sql = STRATA_BUF_INIT;
	int rc = strata__buf_puts(&sql, list_head) < 0 ? STRATA_ENOMEM : 0;

	if (rc == 0 && schema)
		rc = strata__pg_quote_literal(c, &sql, schema);
	else if (rc == 0 && strata__buf_puts(&sql, "current_schema()") < 0)
		rc = STRATA_ENOMEM;
	if (rc == 0 && strata__buf_puts(&sql, list_tail) < 0)
		rc = STRATA_ENOMEM;
	if (rc == STRATA_ENOMEM)
		rc = strata__pg_oom(c);
	else if (rc == STRATA_EINVALID)
		rc = strata_driver_set_error(c, rc, NULL, 0, -1,
		                             "cannot quote the schema name "
		                             "'%s'",
		                             schema);
	if (rc == 0)
		rc = c->driver->query(c, sql.ptr, cb, payload);
	strata_buf_release(&sql);
	return rc;
}
