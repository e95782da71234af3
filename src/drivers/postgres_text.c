/*
 * The PostgreSQL driver's reading of SQL text (postgres.h): skipping the
 * blanks and comments before a statement. Calls nothing of the driver.
 */
#include <stddef.h>

#include "postgres.h"

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
