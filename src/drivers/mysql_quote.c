/*
 * Quoting names and strings for MySQL (mysql_int.h): names in backquotes
 * (at most MY_NAME_MAX characters); strings through libmariadb on a live
 * connection, which follows the session's sql_mode.
 */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "strata/sys/driver.h"
#include "../util/buf.h"

#include "mysql_int.h"
#include "mysql_load.h"

int strata__my_quote_ident(struct strata_driver_conn *c, strata_buf *out,
                           const char *ident)
{
	size_t n = strlen(ident);
	int rc;

	(void)c;
	/* MySQL also refuses names that end with a space */
	if (!n || strata__my_utf8_chars(ident) > MY_NAME_MAX ||
	    ident[n - 1] == ' ')
		return STRATA_EINVALID;
	rc = strata__buf_putc(out, '`');
	for (; rc == 0 && *ident; ident++) {
		if (*ident == '`')
			rc = strata__buf_putc(out, '`');
		if (rc == 0)
			rc = strata__buf_putc(out, *ident);
	}
	if (rc == 0)
		rc = strata__buf_putc(out, '`');
	return rc;
}

/*
 * Connected (my set), mysql_real_escape_string() follows the session: it
 * doubles
 * quotes only under NO_BACKSLASH_ESCAPES. Offline, ' is doubled and \
 * escaped, which reads the same under either mode except for '\'.
 */
int strata__my_quote_literal_on(MYSQL *my, strata_buf *out, const char *s)
{
	size_t n = strlen(s);
	unsigned long k;
	int rc;

	if (!my || !strata__my.mysql_get_host_info(my)) {
		rc = strata__buf_putc(out, '\'');
		for (; rc == 0 && *s; s++) {
			if (*s == '\'' || *s == '\\')
				rc = strata__buf_putc(out, *s);
			if (rc == 0)
				rc = strata__buf_putc(out, *s);
		}
		return rc == 0 ? strata__buf_putc(out, '\'') : rc;
	}
	if (n > (SIZE_MAX - 3) / 2 || n > ULONG_MAX / 2)
		return STRATA_ENOMEM;
	rc = strata__buf_grow(out, 2 * n + 3);
	if (rc < 0)
		return rc;
	out->ptr[out->len] = '\'';
	k = strata__my.mysql_real_escape_string(my, out->ptr + out->len + 1, s,
	                                        (unsigned long)n);
	if (k == (unsigned long)-1) {
		out->ptr[out->len] = '\0';
		return STRATA_EINVALID;
	}
	out->ptr[out->len + 1 + k] = '\'';
	out->len += k + 2;
	out->ptr[out->len] = '\0';
	return 0;
}

/* c may be NULL (offline use) */
int strata__my_quote_literal(struct strata_driver_conn *c, strata_buf *out,
                             const char *s)
{
	return strata__my_quote_literal_on(c ? my_conn(c)->my : NULL, out, s);
}
