/*
 * Client libraries loaded at run time, on first use: a command that never
 * talks to PostgreSQL does not pay for mapping libpq (and the TLS,
 * Kerberos and LDAP libraries it pulls in), nor MySQL's, libpg_query or
 * libcrypto.
 *
 * Each library has a macro list of the functions strata calls; it makes
 * a struct of function pointers (typed from the library's own header), a
 * table of names for dlsym, and the one global instance that callers
 * call through once strata__dl_load() has returned 0:
 *
 *   #define STRATA_PQ_FUNCS(X) X(PQexec) X(PQclear)
 *   struct strata_pq { STRATA_PQ_FUNCS(STRATA_DL_MEMBER) };
 *
 * A library is opened with RTLD_NOW | RTLD_LOCAL, every function is
 * resolved at once, and it is never closed (libraries register atexit
 * handlers). Loading happens once per process, under a lock, and its
 * outcome (success or the error) is kept for every later call.
 */
#ifndef STRATA_UTIL_DL_H
#define STRATA_UTIL_DL_H

#include <pthread.h>
#include <stddef.h>

/* struct member for function f, of the type its header declares */
#define STRATA_DL_MEMBER(f) __typeof__(f) *f;
/* its name, for dlsym */
#define STRATA_DL_NAME(f) #f,

struct strata_dl {
	const char *file;    /* the file to open: the SONAME of the build */
	const char *env;     /* an environment variable naming another file */
	const char *what;    /* "PostgreSQL client library" */
	const char *package; /* the Debian package that has it */
	const char *const *names; /* the functions, in the struct's order */
	size_t n;
	void *table; /* struct of n function pointers, filled by the load */
	/* functions used when the library has them: their pointers are left
	 * NULL when it does not, and the load still succeeds */
	const char *const *optional;
	size_t n_optional;
	void *optional_table;

	pthread_mutex_t lock;
	int state; /* 0: not tried yet, 1: loaded, -1: failed */
	char error[512];
};

/* The table has exactly one pointer per name. */
#define STRATA_DL_CHECK(type, names)                                         \
 _Static_assert(sizeof(type) ==                                              \
	                sizeof(names) / sizeof((names)[0]) * sizeof(void *), \
	        "one function pointer per name")

/*
 * Load d's library and fill its table, the first time; later calls
 * return the first one's outcome. @return 0, or STRATA_ENOTSUPP with a
 * message in *why ("cannot load libpq.so.5 (PostgreSQL client library):
 * ...; install the Debian package libpq5 ..."), valid for ever. why may
 * be NULL.
 */
int strata__dl_load(struct strata_dl *d, const char **why);

/*
 * The message of the first library that could not be loaded, for a
 * caller given only STRATA_ENOTSUPP (a statement splitter), or NULL.
 */
const char *strata__dl_failure(void);

#endif
