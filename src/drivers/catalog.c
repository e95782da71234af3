/*
 * The catalogue queries of `strata drift` (catalog.h), run with the
 * schema they describe filled in as a quoted literal.
 */
#include <string.h>

#include "catalog.h"
#include "../util/buf.h"

#define SCHEMA_MARK "@S@"

static int fill(struct strata_driver_conn *c, strata_buf *out, const char *sql,
                const char *schema, const char *current)
{
	const char *p;
	int rc;

	strata__buf_clear(out);
	while ((p = strstr(sql, SCHEMA_MARK)) != NULL) {
		if (strata__buf_put(out, sql, (size_t)(p - sql)) < 0)
			return STRATA_ENOMEM;
		if (schema)
			rc = c->driver->quote_literal(c, out, schema);
		else
			rc = strata__buf_puts(out, current);
		if (rc < 0)
			return rc;
		sql = p + strlen(SCHEMA_MARK);
	}
	return strata__buf_puts(out, sql) < 0 ? STRATA_ENOMEM : 0;
}

int strata__catalog_run(struct strata_driver_conn *c, const char *schema,
                        const char *current, const char *const *queries,
                        strata_row_cb cb, void *payload)
{
	strata_buf sql = STRATA_BUF_INIT;
	int rc = 0;

	for (; rc == 0 && *queries; queries++) {
		rc = fill(c, &sql, *queries, schema, current);
		if (rc < 0)
			rc = strata_driver_set_error(
			        c, rc, NULL, 0, -1,
			        rc == STRATA_ENOMEM ? "out of memory" :
			                              "cannot quote the schema "
			                              "name");
		if (rc == 0)
			rc = c->driver->query(c, sql.ptr, cb, payload);
	}
	strata_buf_release(&sql);
	return rc;
}
