/*
 * The scratch database of drift and squash (scratch.h): the driver's own
 * (SQLite in memory), a temporary database created and dropped beside
 * the live one, or the user's shadow database, emptied before and after.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "common.h"
#include "ctx.h"
#include "driver.h"
#include "engine.h"
#include "history.h"
#include "scratch.h"

/* a name no other run picks: strata_<what>_ and 12 random hex digits */
static int temp_name(char *out, size_t size, const char *what)
{
	unsigned char r[6];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t got = fd >= 0 ? read(fd, r, sizeof(r)) : -1;
	size_t i;

	if (fd >= 0)
		close(fd);
	if (got != (ssize_t)sizeof(r))
		return -1;
	if (size < strlen("strata__") + strlen(what) + 2 * sizeof(r) + 1)
		return -1;
	snprintf(out, size, "strata_%s_", what);
	for (i = 0; i < sizeof(r); i++)
		snprintf(out + strlen(out), 3, "%02x", r[i]);
	return 0;
}

/* Append the query q[0, n) to out, "?" first, without its dbname
 * parameters: in a PostgreSQL URL, ?dbname= names the database and wins
 * over the path, so a scratch URL keeping it would name the live one. */
static int put_query(strata_buf *out, const char *q, size_t n)
{
	const char *end = q + n, *p = q;
	int first = 1;

	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		size_t len = (size_t)((amp ? amp : end) - p);

		if (!(len >= 7 && strncmp(p, "dbname=", 7) == 0) && len) {
			if (strata__buf_putc(out, first ? '?' : '&') < 0 ||
			    strata__buf_put(out, p, len) < 0)
				return -1;
			first = 0;
		}
		p += len + (amp ? 1 : 0);
	}
	return 0;
}

/* The live URL with its database name replaced by name: in the path,
 * also when the URL names none there (postgres:///, ?dbname=). */
static int temp_url(strata_ctx *ctx, strata_buf *out, const char *what,
                    const char *name)
{
	const struct strata__url *u = &ctx->url_parts;
	const char *text = u->text, *at, *rest;

	if (!u->scheme || !u->authority || !u->hosts_raw.p)
		return strata__error_set(
		        ctx, STRATA_EINVALID,
		        "%s: cannot name a temporary database beside %s; "
		        "set shadow in strata.conf to a "
		        "database strata may empty",
		        what, ctx->url_redacted);
	if (u->path_raw.p)
		at = u->path_raw.p;
	else
		at = u->hosts_raw.p + u->hosts_raw.n;
	/* the query, then the fragment, as written */
	rest = u->query.p    ? u->query.p + u->query.n :
	       u->path_raw.p ? u->path_raw.p + u->path_raw.n :
	                       at;
	if (strata__buf_put(out, text, (size_t)(at - text)) < 0 ||
	    strata__buf_printf(out, "/%s", name) < 0 ||
	    (u->query.p && put_query(out, u->query.p, u->query.n) < 0) ||
	    strata__buf_puts(out, rest) < 0)
		return strata__oom(ctx);
	return 0;
}

/* Copy the scratch context's error onto ctx, naming what it was. */
int strata__scratch_error(strata_ctx *ctx, strata_ctx *from, int rc,
                          const char *what)
{
	const strata_error *e = strata_error_last(from);

	strata__error_set(ctx, rc, "%s: %s", what,
	                  e->message && e->message[0] ? e->message :
	                                                strata_strerror(rc));
	if (e->file && e->file[0])
		strata__error_at(ctx, e->file, e->line, e->column);
	if (e->detail && e->detail[0])
		strata__error_detail(ctx, "%s", e->detail);
	if (e->sqlstate[0])
		strata__error_sqlstate(ctx, e->sqlstate);
	return rc;
}

/* strata__scratch_error with "<what>: why" */
static int scratch_error_as(strata_ctx *ctx, struct scratch *s, int rc,
                            const char *why)
{
	char what[200];

	snprintf(what, sizeof(what), "%s: %s", s->what, why);
	return strata__scratch_error(ctx, s->ctx, rc, what);
}

static int drop_error(strata_ctx *ctx, struct scratch *s, strata_ctx *dropper,
                      int rc)
{
	char what[200];

	snprintf(what, sizeof(what), "%s: cannot drop the temporary database",
	         s->what);
	return strata__scratch_error(ctx, dropper, rc, what);
}

/*
 * Before the shadow database is emptied: make sure it is not the live
 * one under another URL (another host name, other parameters). The
 * driver tells, when it can (SQLite: the files are compared); else the
 * live connection holds the runner lock, and the shadow's key is the
 * same only in the same database, where taking it without waiting then
 * fails.
 */
static int check_not_live(strata_ctx *ctx, strata_ctx *s)
{
	int rc, timeout = s->lock_timeout_ms;
	int same = strata__driver_same_database(ctx, s);

	if (same >= 0)
		rc = same ? STRATA_ELOCKED : 0;
	else {
		s->lock_timeout_ms = -1;
		rc = strata__lock_runner(s);
		s->lock_timeout_ms = timeout;
	}
	if (rc == STRATA_ELOCKED)
		return strata__error_set(s, STRATA_EINVALID,
		                         "it is the database itself (or "
		                         "another strata run holds its lock); "
		                         "name another one, which strata "
		                         "empties");
	return rc;
}

/* Drop everything in the shadow database (fresh's drop, without its
 * backup: the shadow database is strata's to empty). */
static int empty_shadow(strata_ctx *ctx, strata_ctx *s)
{
	strata_buf sql = STRATA_BUF_INIT;
	int rc = strata__connect(s, 1);

	if (rc == 0)
		rc = check_not_live(ctx, s);

	if (rc == 0 && !strata__driver_has(s, STRATA_DRV_DROP_ALL))
		rc = strata__error_set(s, STRATA_ENOTSUPP,
		                       "cannot empty a %s database",
		                       strata__driver_name(s));
	if (rc == 0)
		rc = strata__conn_drop_all_sql(s, strata__schema(s), &sql);
	if (rc == STRATA_ENOMEM)
		rc = strata__oom(s);
	if (rc == 0 && sql.len)
		rc = strata__conn_exec(s, sql.ptr, sql.len);
	strata_buf_release(&sql);
	/* the history went too: read again when next needed */
	strata__history_release(&s->history);
	strata__close_write(s);
	return rc;
}

int strata__scratch_open(strata_ctx *ctx, struct scratch *s, const char *what,
                         const char *shadow_url)
{
	const char *own = strata__driver_text(ctx, STRATA_DRV_SCRATCH_URL);
	strata_buf url = STRATA_BUF_INIT;
	strata_options so;
	char name[64];
	int rc = 0;

	memset(s, 0, sizeof(*s));
	s->what = what;
	if (shadow_url && shadow_url[0]) {
		if (strcmp(shadow_url, ctx->url) == 0)
			return strata__error_set(
			        ctx, STRATA_EINVALID,
			        "%s: the shadow database is the database "
			        "itself; name another one, which strata "
			        "empties",
			        what);
		rc = strata__buf_puts(&url, shadow_url) < 0 ? STRATA_ENOMEM : 0;
		s->shadow = 1;
	} else if (own) {
		/* the driver's own, gone with its connection */
		rc = strata__buf_puts(&url, own) < 0 ? STRATA_ENOMEM : 0;
	} else {
		if (temp_name(name, sizeof(name), what) < 0) {
			rc = strata__error_set(ctx, STRATA_EIO,
			                       "%s: cannot read "
			                       "/dev/urandom to name a "
			                       "temporary database",
			                       what);
			goto done;
		}
		rc = temp_url(ctx, &url, what, name);
		s->temporary = 1;
	}
	if (rc == STRATA_ENOMEM)
		rc = strata__oom(ctx);
	if (rc < 0)
		goto done;
	memset(&so, 0, sizeof(so));
	so.database_url = url.ptr;
	so.migrations_dir = ctx->dir;
	so.table = ctx->table;
	so.schema = ctx->schema;
	so.target = ctx->target;
	so.lock_timeout_ms = ctx->lock_timeout_ms;
	so.placeholders = (const char *const *)ctx->placeholders;
	rc = strata_ctx_new(&s->ctx, &so);
	if (rc < 0) {
		rc = strata__error_set(ctx, rc,
		                       "%s: cannot open the scratch "
		                       "database",
		                       what);
		goto done;
	}
	s->url = strata__buf_detach(&url);
	if (!s->url) {
		rc = strata__oom(ctx);
		goto done;
	}
	ctx->child = s->ctx;
	if (ctx->interrupted)
		strata_ctx_interrupt(s->ctx);
	if (s->temporary) {
		rc = strata_database(s->ctx, STRATA_DATABASE_CREATE);
		if (rc == 0)
			s->created = 1;
		else
			rc = scratch_error_as(ctx, s, rc,
			                      "cannot create a temporary "
			                      "database (set shadow in "
			                      "strata.conf to one strata may "
			                      "empty)");
	} else if (s->shadow) {
		rc = empty_shadow(ctx, s->ctx);
		if (rc < 0)
			rc = scratch_error_as(ctx, s, rc,
			                      "cannot empty the shadow "
			                      "database");
	}
done:
	strata_buf_release(&url);
	return rc;
}

/* Close the scratch database: empty a shadow one, drop a temporary one
 * (on a context of its own, not interrupted), whatever happened before.
 * rc: the outcome so far, returned unless it was 0 and this fails. */
int strata__scratch_close(strata_ctx *ctx, struct scratch *s, int rc)
{
	strata_ctx *dropper = NULL;
	strata_options so;
	int drc;

	ctx->child = NULL;
	if (s->shadow && s->ctx && !ctx->interrupted) {
		drc = empty_shadow(ctx, s->ctx);
		if (drc < 0 && rc == 0)
			rc = scratch_error_as(ctx, s, drc,
			                      "cannot empty the shadow "
			                      "database afterwards");
	}
	strata_ctx_free(s->ctx);
	s->ctx = NULL;
	if (s->created) {
		memset(&so, 0, sizeof(so));
		so.database_url = s->url;
		drc = strata_ctx_new(&dropper, &so);
		if (drc == 0)
			drc = strata_database(dropper, STRATA_DATABASE_DROP);
		if (drc < 0) {
			if (rc == 0)
				rc = dropper ?
				             drop_error(ctx, s, dropper, drc) :
				             strata__oom(ctx);
			else
				strata__emitf(ctx, STRATA_EVENT_WARNING,
				              "the temporary database %s may "
				              "be left: drop it by hand",
				              dropper ? strata_ctx_url_redacted(
				                                dropper) :
				                        "");
		}
		strata_ctx_free(dropper);
		s->created = 0;
	}
	strata__free(s->url);
	s->url = NULL;
	return rc;
}
