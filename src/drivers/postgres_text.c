/*
 * The PostgreSQL driver's SQL text (postgres.h): skipping the blanks and
 * comments before a statement, and a statement made to change one row.
 * Calls nothing of the driver.
 */
#include <stdio.h>
#include <string.h>

#include "postgres.h"
#include "../util/buf.h"

static int is_blank(unsigned char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' ||
	       ch == '\f' || ch == '\v';
}

/* Skip blanks and comments (-- to the end of the line, nested slash-star). */
size_t strata__pg_skip_space(const char *s, size_t len, size_t i)
{
	while (i < len) {
		if (is_blank((unsigned char)s[i])) {
			i++;
		} else if (s[i] == '-' && i + 1 < len && s[i + 1] == '-') {
			while (i < len && s[i] != '\n')
				i++;
		} else if (s[i] == '/' && i + 1 < len && s[i + 1] == '*') {
			int depth = 1;

			i += 2;
			while (i < len && depth > 0) {
				if (s[i] == '/' && i + 1 < len &&
				    s[i + 1] == '*') {
					depth++;
					i += 2;
				} else if (s[i] == '*' && i + 1 < len &&
				           s[i + 1] == '/') {
					depth--;
					i += 2;
				} else {
					i++;
				}
			}
		} else {
			break;
		}
	}
	return i;
}

/* Does the n bytes of needle occur in s (len bytes)? */
static int contains(const char *s, size_t len, const char *needle, size_t n)
{
	size_t i;

	for (i = 0; i + n <= len; i++)
		if (memcmp(s + i, needle, n) == 0)
			return 1;
	return 0;
}

/*
 * A DO block: the statement, then its row count checked. The body is
 * dollar-quoted with a tag the statement does not hold (a history row's
 * name may hold anything a file name can).
 */
int strata__pg_one_row_sql(struct strata_driver_conn *c, strata_buf *out,
                           const char *stmt, size_t len)
{
	char tag[32];
	unsigned i;
	int rc;

	(void)c;
	for (i = 0; i < 100; i++) {
		snprintf(tag, sizeof(tag), i ? "$strata%u$" : "$strata$", i);
		if (!contains(stmt, len, tag, strlen(tag)))
			break;
	}
	if (i == 100)
		return STRATA_EINVALID;
	rc = strata__buf_printf(out, "DO %sDECLARE n bigint; BEGIN ", tag);
	if (rc == 0)
		rc = strata__buf_put(out, stmt, len);
	if (rc == 0)
		rc = strata__buf_printf(
		        out,
		        ";\nGET DIAGNOSTICS n = ROW_COUNT; IF n <> 1 THEN "
		        "RAISE EXCEPTION USING ERRCODE = '%s', MESSAGE = "
		        "'rows changed: ' || n; END IF; END%s;\n",
		        STRATA_SQLSTATE_ROW_COUNT, tag);
	return rc;
}
