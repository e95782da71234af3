/*
 * Quoting names and strings for PostgreSQL (postgres.h): through libpq on
 * a live connection, else as PQescapeIdentifier and PQescapeLiteral
 * would with standard_conforming_strings on.
 */
#include <string.h>

#include "strata/sys/driver.h"
#include "../util/buf.h"

#include "postgres.h"

int strata__pg_quote_ident(struct strata_driver_conn *c, strata_buf *out,
                           const char *ident)
{
	PGconn *pg = strata__pg_live(c);
	size_t n = strlen(ident);
	int max = strata__pg_max_ident(c);
	const char *p;
	int rc;

	if (n == 0 || n > (size_t)max)
		return STRATA_EINVALID;
	if (pg) {
		char *q = strata__pq.PQescapeIdentifier(pg, ident, n);

		if (!q)
			return STRATA_EINVALID; /* invalid in the encoding */
		rc = strata__buf_puts(out, q);
		strata__pq.PQfreemem(q);
		return rc;
	}
	rc = strata__buf_putc(out, '"');
	for (p = ident; rc == 0 && *p; p++) {
		if (*p == '"')
			rc = strata__buf_putc(out, '"');
		if (rc == 0)
			rc = strata__buf_putc(out, *p);
	}
	if (rc == 0)
		rc = strata__buf_putc(out, '"');
	return rc;
}

int strata__pg_quote_literal(struct strata_driver_conn *c, strata_buf *out,
                             const char *s)
{
	PGconn *pg = strata__pg_live(c);
	const char *p;
	int rc;

	if (pg) {
		char *q = strata__pq.PQescapeLiteral(pg, s, strlen(s));

		if (!q)
			return STRATA_EINVALID;
		rc = strata__buf_puts(out, q);
		strata__pq.PQfreemem(q);
		return rc;
	}
	/* as PQescapeLiteral does with standard_conforming_strings on */
	rc = strata__buf_puts(out, strchr(s, '\\') ? "E'" : "'");
	for (p = s; rc == 0 && *p; p++) {
		if (*p == '\'' || *p == '\\')
			rc = strata__buf_putc(out, *p);
		if (rc == 0)
			rc = strata__buf_putc(out, *p);
	}
	if (rc == 0)
		rc = strata__buf_putc(out, '\'');
	return rc;
}
