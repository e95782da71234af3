/*
 * libpg_query at run time. STRATA_LIBPG_QUERY_SONAME is the SONAME of the
 * libpg_query the build found (Makefile); STRATA_LIBPG_QUERY names
 * another file.
 */
#include "pgquery_load.h"

#ifndef STRATA_LIBPG_QUERY_SONAME
# define STRATA_LIBPG_QUERY_SONAME "libpg_query.so.1504.0"
#endif
#ifndef STRATA_LIBPG_QUERY_PACKAGE
# define STRATA_LIBPG_QUERY_PACKAGE "libpg-query1504.0"
#endif

struct strata_pgq strata__pgq;

static const char *const names[] = { STRATA_PGQ_FUNCS(STRATA_DL_NAME) };
STRATA_DL_CHECK(struct strata_pgq, names);

static struct strata_dl lib = {
	.file = STRATA_LIBPG_QUERY_SONAME,
	.env = "STRATA_LIBPG_QUERY",
	.what = "PostgreSQL parser library",
	.package = STRATA_LIBPG_QUERY_PACKAGE,
	.names = names,
	.n = sizeof(names) / sizeof(names[0]),
	.table = &strata__pgq,
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

int strata__pgq_load(const char **why)
{
	return strata__dl_load(&lib, why);
}
