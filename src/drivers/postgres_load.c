/*
 * libpq at run time. STRATA_LIBPQ_SONAME is the SONAME of the libpq the
 * build found (Makefile); STRATA_LIBPQ names another file.
 */
#include "postgres_load.h"

#ifndef STRATA_LIBPQ_SONAME
# define STRATA_LIBPQ_SONAME "libpq.so.5"
#endif
#ifndef STRATA_LIBPQ_PACKAGE
# define STRATA_LIBPQ_PACKAGE "libpq5"
#endif

struct strata_pq strata__pq;

static const char *const names[] = { STRATA_PQ_FUNCS(STRATA_DL_NAME) };
STRATA_DL_CHECK(struct strata_pq, names);

static struct strata_dl lib = {
	.file = STRATA_LIBPQ_SONAME,
	.env = "STRATA_LIBPQ",
	.what = "PostgreSQL client library",
	.package = STRATA_LIBPQ_PACKAGE,
	.names = names,
	.n = sizeof(names) / sizeof(names[0]),
	.table = &strata__pq,
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

int strata__pq_load(const char **why)
{
	return strata__dl_load(&lib, why);
}
