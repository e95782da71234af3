/*
 * libmariadb at run time. STRATA_LIBMARIADB_SONAME is the SONAME of the
 * libmariadb the build found (Makefile); STRATA_LIBMARIADB names another
 * file.
 */
#include "mysql_load.h"

#ifndef STRATA_LIBMARIADB_SONAME
# define STRATA_LIBMARIADB_SONAME "libmariadb.so.3"
#endif
#ifndef STRATA_LIBMARIADB_PACKAGE
# define STRATA_LIBMARIADB_PACKAGE "libmariadb3"
#endif

struct strata_my strata__my;

static const char *const names[] = { STRATA_MY_FUNCS(STRATA_DL_NAME) };
STRATA_DL_CHECK(struct strata_my, names);

static struct strata_dl lib = {
	.file = STRATA_LIBMARIADB_SONAME,
	.env = "STRATA_LIBMARIADB",
	.what = "MySQL/MariaDB client library",
	.package = STRATA_LIBMARIADB_PACKAGE,
	.names = names,
	.n = sizeof(names) / sizeof(names[0]),
	.table = &strata__my,
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

int strata__my_load(const char **why)
{
	return strata__dl_load(&lib, why);
}
