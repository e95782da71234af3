/*
 * Whether two sqlite: URLs name one database, before strata empties a
 * shadow database (drift, squash): the same file under two paths (a
 * link, another spelling). A database in memory, or a file that does
 * not exist yet, is no other's.
 */
#include <string.h>
#include <sys/stat.h>

#include "sqlite_int.h"
#include "../util/sqlite_url.h"

int strata__sq_same_database(const char *a, const char *b)
{
	struct strata__sqlite_url ua, ub;
	struct stat sa, sb;
	char err[200];
	int same = 0;

	memset(&ua, 0, sizeof(ua));
	memset(&ub, 0, sizeof(ub));
	if (strata__sqlite_url_parse(&ua, a, err, sizeof(err)) == 0 &&
	    strata__sqlite_url_parse(&ub, b, err, sizeof(err)) == 0 &&
	    !ua.memory && !ub.memory && stat(ua.path, &sa) == 0 &&
	    stat(ub.path, &sb) == 0)
		same = sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	strata__sqlite_url_release(&ua);
	strata__sqlite_url_release(&ub);
	return same;
}
