/*
 * The small records the folder readers share: problems found in the
 * folder, the listing of its files, and joined paths. Kept apart from
 * source.c so that the layout readers (layout.c) and the folder reader
 * both build on them without calling each other.
 */
#include <stdarg.h>

#include "common.h"
#include "source.h"

int strata__problem_add(struct source *src, int severity, const char *file,
                        int line, const char *fmt, ...)
{
	strata_buf b = STRATA_BUF_INIT;
	struct problem *p;
	va_list ap;
	int rc;

	if (src->n_problems == src->alloc_problems) {
		size_t n = src->alloc_problems ? src->alloc_problems * 2 : 8;

		p = strata__reallocarray(src->problems, n, sizeof(*p));
		if (!p)
			return STRATA_ENOMEM;
		src->problems = p;
		src->alloc_problems = n;
	}
	va_start(ap, fmt);
	rc = strata__buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (rc == 0) /* one line, shown as error messages are (error.c) */
		rc = strata__escape_buf(&b, 0);
	p = &src->problems[src->n_problems];
	p->file = strata__strdup(file ? file : "");
	if (rc < 0 || !p->file) {
		strata__free(p->file);
		strata_buf_release(&b);
		return STRATA_ENOMEM;
	}
	p->message = strata__buf_detach(&b);
	if (!p->message) {
		strata__free(p->file);
		return STRATA_ENOMEM;
	}
	p->severity = severity;
	p->line = line;
	src->n_problems++;
	if (severity >= 2)
		src->n_errors++;
	return 0;
}

char *strata__join_path(const char *dir, const char *name)
{
	size_t n = strlen(dir), k = strlen(name);
	int slash = n && dir[n - 1] != '/';
	char *p = strata__malloc(n + (size_t)slash + k + 1);

	/* one allocation each: 2000 paths are joined on every run */
	if (!p)
		return NULL;
	memcpy(p, dir, n);
	if (slash)
		p[n] = '/';
	memcpy(p + n + (size_t)slash, name, k + 1);
	return p;
}

int strata__listing_add(struct listing *l, const char *fname,
                        const struct filename *fn, const char *vtext,
                        int has_meta)
{
	struct entry *e;

	if (l->n == l->alloc) {
		size_t alloc = l->alloc ? l->alloc * 2 : 64;
		struct entry *nv =
		        strata__reallocarray(l->v, alloc, sizeof(*nv));

		if (!nv)
			return STRATA_ENOMEM;
		l->v = nv;
		l->alloc = alloc;
	}
	e = &l->v[l->n];
	memset(e, 0, sizeof(*e));
	e->fname = strata__strdup(fname);
	e->vtext = vtext ? strata__strdup(vtext) : NULL;
	if (!e->fname || (vtext && !e->vtext)) {
		strata__free(e->fname);
		strata__free(e->vtext);
		return STRATA_ENOMEM;
	}
	e->fn = *fn;
	e->has_meta = has_meta;
	l->n++;
	return 0;
}

void strata__listing_release(struct listing *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		strata__free(l->v[i].fname);
		strata__free(l->v[i].vtext);
	}
	strata__free(l->v);
	strata_buf_release(&l->dirs);
	strata_buf_release(&l->unread);
	memset(l, 0, sizeof(*l));
}
