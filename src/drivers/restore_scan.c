/*
 * The scanner's front (restore_scan.h): starting, and handing the bytes to
 * the dialect's reader (restore_psql.c, restore_mysql.c), psql's byte by
 * byte (COPY data and comments in runs).
 */
#include <string.h>

#include "restore_scan.h"

void strata__scan_init(struct restore_scan *s, int dialect)
{
	memset(s, 0, sizeof(*s));
	s->dialect = dialect;
	s->line = 1;
	s->hold = SCAN_NO_HOLD;
	s->delim[0] = ';';
	s->dlen = 1;
	s->line_clean = 1;
}

static void count(struct restore_scan *s, unsigned char c)
{
	s->off++;
	s->prev = c;
	if (c == '\n') {
		s->line++;
		s->col = 0;
	} else {
		s->col++;
	}
}

int strata__scan_feed(struct restore_scan *s, const char *p, size_t n)
{
	size_t i = 0;

	if (s->dialect == SCAN_MYSQL)
		return strata__scan_mysql_feed(s, p, n);
	while (i < n) {
		unsigned char c = (unsigned char)p[i];

		if (c != '\n' && c != '\r' && strata__scan_psql_inert(s)) {
			const char *nl = memchr(p + i, '\n', n - i);
			size_t k = (size_t)((nl ? nl : p + n) - (p + i));
			const char *cr = memchr(p + i, '\r', k);

			if (cr)
				k = (size_t)(cr - (p + i));
			if (k > 0) {
				s->off += k;
				s->col += k;
				s->prev = (unsigned char)p[i + k - 1];
				i += k;
				continue;
			}
		}
		if (strata__scan_psql(s, c) < 0)
			return -1;
		count(s, c);
		i++;
	}
	return 0;
}

int strata__scan_end(struct restore_scan *s)
{
	return s->dialect == SCAN_MYSQL ? strata__scan_mysql_end(s) :
	                                  strata__scan_psql_end(s);
}
