/*
 * dlopen and dlsym of a table of functions, once per library (see dl.h).
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strata/errors.h"
#include "dl.h"

/* The first failure's message, for callers that have no other way to
 * pass it on (a statement splitter returns only a code). */
static pthread_mutex_t failure_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *failure;

/* Fill d->error; dlerror() says what failed (which file, which name). */
static void failed(struct strata_dl *d, const char *file, int by_env,
                   int opened)
{
	const char *why = dlerror();
	int n;

	n = snprintf(d->error, sizeof(d->error), "cannot load %s (%s", file,
	             d->what);
	if (by_env && n > 0 && (size_t)n < sizeof(d->error))
		n += snprintf(d->error + n, sizeof(d->error) - (size_t)n,
		              ", named by %s", d->env);
	if (n > 0 && (size_t)n < sizeof(d->error))
		snprintf(d->error + n, sizeof(d->error) - (size_t)n,
		         "): %s; %s the Debian package %s, or name the "
		         "library's file in %s",
		         why ? why : "unknown error",
		         opened ? "it is not the version strata was built "
		                  "with: install or upgrade" :
		                  "install",
		         d->package, d->env);
	d->state = -1;
	pthread_mutex_lock(&failure_lock);
	if (!failure)
		failure = d->error;
	pthread_mutex_unlock(&failure_lock);
}

static void load(struct strata_dl *d)
{
	const char *env = d->env ? getenv(d->env) : NULL;
	const char *file = env && env[0] ? env : d->file;
	void *h, *sym;
	size_t i;

	dlerror();
	h = dlopen(file, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		failed(d, file, file == env, 0);
		return;
	}
	for (i = 0; i < d->n; i++) {
		dlerror();
		sym = dlsym(h, d->names[i]);
		if (!sym) {
			/* kept open: it may have registered atexit handlers */
			failed(d, file, file == env, 1);
			return;
		}
		/* POSIX: dlsym's pointer holds a function's address */
		memcpy((char *)d->table + i * sizeof(void *), &sym,
		       sizeof(sym));
	}
	for (i = 0; i < d->n_optional; i++) {
		sym = dlsym(h, d->optional[i]);
		memcpy((char *)d->optional_table + i * sizeof(void *), &sym,
		       sizeof(sym));
	}
	d->state = 1;
}

int strata__dl_load(struct strata_dl *d, const char **why)
{
	int state;

	pthread_mutex_lock(&d->lock);
	if (d->state == 0)
		load(d);
	state = d->state;
	pthread_mutex_unlock(&d->lock);
	if (state > 0)
		return 0;
	if (why)
		*why = d->error;
	return STRATA_ENOTSUPP;
}

const char *strata__dl_failure(void)
{
	const char *f;

	pthread_mutex_lock(&failure_lock);
	f = failure;
	pthread_mutex_unlock(&failure_lock);
	return f;
}
