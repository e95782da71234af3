/*
 * PostgreSQL's dump made a migration (`strata squash`): pg_dump's session
 * settings made local to the squash file's transaction (SET LOCAL,
 * set_config(..., true)), so that the migrations after it in one run
 * keep the session's own (an empty search_path would leave their
 * unqualified names nowhere).
 */
#include <string.h>

#include "postgres.h"
#include "../util/buf.h"

/* where needle starts in s[0, n), or NULL */
static const char *find(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;

	for (i = 0; k <= n && i <= n - k; i++)
		if (memcmp(s + i, needle, k) == 0)
			return s + i;
	return NULL;
}

int strata__pg_dump_local_sql(strata_buf *out, const char *s, size_t n)
{
	static const char cfg[] = "', false);";
	const char *end = s + n;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t len = (size_t)((nl ? nl + 1 : end) - s);
		int rc;

		if (len > 4 && strncmp(s, "SET ", 4) == 0)
			rc = strata__buf_puts(out, "SET LOCAL ") < 0 ||
			     strata__buf_put(out, s + 4, len - 4) < 0;
		else if (strncmp(s, "SELECT pg_catalog.set_config(", 29) == 0 &&
		         find(s, len, cfg)) {
			const char *f = find(s, len, cfg);

			size_t at = (size_t)(f - s) + strlen(cfg);

			rc = strata__buf_put(out, s, (size_t)(f - s)) < 0 ||
			     strata__buf_puts(out, "', true);") < 0 ||
			     strata__buf_put(out, s + at, len - at) < 0;
		} else
			rc = strata__buf_put(out, s, len) < 0;
		if (rc)
			return STRATA_ENOMEM;
		s += len;
	}
	return 0;
}
