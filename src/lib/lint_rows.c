/*
 * The estimated rows of the tables lint reports on, from the database's
 * statistics: PostgreSQL's pg_class.reltuples (a count(*) for a small
 * table never analysed), MariaDB's information_schema.TABLES.TABLE_ROWS,
 * SQLite's count(*). A table the database does not have gets none.
 */
#include <stdlib.h>
#include <strings.h>

#include "common.h"
#include "ctx.h"
#include "driver.h"
#include "lint.h"

static int one_value(void *payload, int ncols, const char *const *values)
{
	int64_t *v = payload;

	if (ncols >= 1 && values[0])
		*v = strtoll(values[0], NULL, 10);
	return 0;
}

static int64_t query_number(strata_ctx *ctx, const char *sql)
{
	int64_t v = -1;

	if (strata__conn_query(ctx, sql, one_value, &v) < 0) {
		strata__error_clear(ctx);
		return -1;
	}
	return v;
}

/* count(*) of the table, whose quoted name is q */
static int64_t count_rows(strata_ctx *ctx, const char *q)
{
	strata_buf sql = STRATA_BUF_INIT;
	int64_t v = -1;

	if (strata__buf_printf(&sql, "SELECT count(*) FROM %s", q) == 0)
		v = query_number(ctx, sql.ptr);
	strata_buf_release(&sql);
	return v;
}

static int64_t table_rows(strata_ctx *ctx, const char *driver,
                          const char *table)
{
	strata_buf lit = STRATA_BUF_INIT, id = STRATA_BUF_INIT;
	strata_buf sql = STRATA_BUF_INIT;
	int64_t v = -1;

	if (strata__conn_quote_literal(ctx, &lit, table) < 0 ||
	    strata__conn_quote_ident(ctx, &id, table) < 0) {
		strata__error_clear(ctx);
		goto done;
	}
	if (strcmp(driver, "postgres") == 0) {
		/* reltuples is -1 until the table is analysed: count a
		 * small one (under 1000 pages) */
		if (strata__buf_printf(&sql,
		                       "SELECT CASE WHEN reltuples >= 0 THEN "
		                       "reltuples::bigint WHEN relpages < 1000 "
		                       "THEN -2 ELSE -1 END FROM pg_class "
		                       "WHERE oid = to_regclass(%s)",
		                       lit.ptr) < 0)
			goto done;
		v = query_number(ctx, sql.ptr);
		if (v == -2)
			v = count_rows(ctx, id.ptr);
	} else if (strcmp(driver, "mysql") == 0) {
		if (strata__buf_printf(&sql,
		                       "SELECT TABLE_ROWS FROM "
		                       "information_schema.TABLES WHERE "
		                       "TABLE_SCHEMA = DATABASE() AND "
		                       "TABLE_NAME = %s",
		                       lit.ptr) < 0)
			goto done;
		v = query_number(ctx, sql.ptr);
	} else if (strcmp(driver, "sqlite") == 0) {
		if (strata__buf_printf(&sql,
		                       "SELECT count(*) FROM sqlite_master "
		                       "WHERE type = 'table' AND name = %s "
		                       "COLLATE NOCASE",
		                       lit.ptr) < 0)
			goto done;
		if (query_number(ctx, sql.ptr) == 1)
			v = count_rows(ctx, id.ptr);
	}
done:
	strata_buf_release(&lit);
	strata_buf_release(&id);
	strata_buf_release(&sql);
	return v;
}

void strata__lint_rows(struct lint_run *r)
{
	strata_ctx *ctx = r->ctx;
	const char *driver;
	size_t i, k;

	if (!ctx->conn && strata__connect(ctx, 0) < 0) {
		strata__error_clear(ctx);
		return;
	}
	driver = strata__driver_name(ctx);
	for (i = 0; i < r->n; i++) {
		struct lint_item *it = &r->v[i];

		if (!it->table || it->suppressed || it->rule < 0)
			continue;
		/* once per table */
		for (k = 0; k < i; k++)
			if (r->v[k].table && !r->v[k].suppressed &&
			    r->v[k].rule >= 0 &&
			    strcmp(r->v[k].table, it->table) == 0)
				break;
		it->rows = k < i ? r->v[k].rows :
		                   table_rows(ctx, driver, it->table);
	}
}
