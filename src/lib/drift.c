/*
 * strata drift: the live database's schema against the one the folder
 * makes. The folder's migrations (those the history says are applied, or
 * all of them) or a dump file are applied to a scratch database: an
 * in-memory SQLite database, a temporary database strata creates and
 * drops on the live one's server, or a shadow database the user names.
 * Both catalogues (the driver's catalog(): one row per fact of an object)
 * are then compared object by object.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>

#include "common.h"
#include "ctx.h"
#include "driver.h"
#include "engine.h"
#include "history.h"
#include "part.h"
#include "source.h"
#include "../util/sqlite_url.h"

/* One fact of the catalogue: its five columns in one allocation. */
struct fact {
	const char *kind, *table, *name, *attr, *value; /* value may be NULL */
};

struct catalog {
	struct fact *v;
	size_t n, alloc;
	strata_ctx *ctx;
	const char *skip_table; /* the history table */
	char *skip_log;         /* and its log */
	int oom;
};

struct item_vec {
	strata_drift_item *v;
	size_t n, alloc;
};

/* How a kind ranks in the report: tables first, then what they hold. */
static int kind_rank(const char *kind)
{
	static const char *const order[] = {
		"extension",       "type",      "sequence",
		"table",           "column",    "index",
		"constraint",      "view",      "materialized view",
		"function",        "procedure", "aggregate",
		"window function", "trigger"
	};
	size_t i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (strcmp(kind, order[i]) == 0)
			return (int)i;
	return (int)i;
}

/* value with every run of white space made one space, trimmed; NULL
 * stays NULL. The catalogue's texts keep the layout they were written
 * with (SQLite's SQL, MySQL's bodies), which is not a difference. */
static char *fold(const char *s)
{
	char *out, *o;
	int space = 0;

	if (!s)
		return NULL;
	out = strata__malloc(strlen(s) + 1);
	if (!out)
		return NULL;
	o = out;
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
			space = o != out;
			continue;
		}
		if (space)
			*o++ = ' ';
		space = 0;
		*o++ = *s;
	}
	*o = '\0';
	return out;
}

/* A catalogue row (kind, table, name, ...) of table, or table itself. */
static int is_strata_table(const char *const *v, const char *table)
{
	return table &&
	       (strcmp(v[1], table) == 0 ||
	        (strcmp(v[0], "table") == 0 && strcmp(v[2], table) == 0));
}

static int add_fact(void *payload, int ncols, const char *const *values)
{
	struct catalog *c = payload;
	const char *const *v = values;
	struct fact *f;
	size_t len[4], i, total = 0;
	char *mem, *value = NULL;

	if (ncols < 5 || !v[0] || !v[1] || !v[2] || !v[3])
		return strata__error_set(c->ctx, STRATA_EINTERNAL,
		                         "the driver's catalogue gave a row "
		                         "without kind, table, name or "
		                         "attribute");
	/* the history table, its log and all they hold are strata's */
	if (is_strata_table(v, c->skip_table) ||
	    is_strata_table(v, c->skip_log))
		return 0;
	if (c->n == c->alloc) {
		size_t want = c->alloc ? c->alloc * 2 : 64;
		struct fact *nv = strata__reallocarray(c->v, want, sizeof(*nv));

		if (!nv)
			return strata__oom(c->ctx);
		c->v = nv;
		c->alloc = want;
	}
	for (i = 0; i < 4; i++) {
		len[i] = strlen(v[i]) + 1;
		total += len[i];
	}
	if (v[4]) {
		value = fold(v[4]);
		if (!value)
			return strata__oom(c->ctx);
	}
	mem = strata__malloc(total);
	if (!mem) {
		strata__free(value);
		return strata__oom(c->ctx);
	}
	f = &c->v[c->n++];
	f->kind = mem;
	memcpy(mem, v[0], len[0]);
	f->table = mem += len[0];
	memcpy(mem, v[1], len[1]);
	f->name = mem += len[1];
	memcpy(mem, v[2], len[2]);
	f->attr = mem += len[2];
	memcpy(mem, v[3], len[3]);
	f->value = value;
	return 0;
}

static void catalog_release(struct catalog *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		strata__free((char *)c->v[i].kind);
		strata__free((char *)c->v[i].value);
	}
	strata__free(c->v);
	strata__free(c->skip_log);
	memset(c, 0, sizeof(*c));
}

static int fact_cmp(const void *a, const void *b)
{
	const struct fact *x = a, *y = b;
	int c = kind_rank(x->kind) - kind_rank(y->kind);

	if (!c)
		c = strcmp(x->kind, y->kind);
	if (!c)
		c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->attr, y->attr);
}

/* Read ctx's catalogue into c, sorted. */
static int catalog_read(struct catalog *c, strata_ctx *ctx)
{
	strata_buf log = STRATA_BUF_INIT;
	int rc;

	memset(c, 0, sizeof(*c));
	c->ctx = ctx;
	c->skip_table = ctx->table;
	rc = strata__log_name(ctx, &log);
	if (rc < 0) {
		strata_buf_release(&log);
		return rc;
	}
	c->skip_log = strata__buf_detach(&log);
	if (!strata__driver_has(ctx, STRATA_DRV_CATALOG))
		return strata__error_set(ctx, STRATA_ENOTSUPP,
		                         "drift is not available for %s",
		                         strata__driver_name(ctx));
	rc = strata__conn_catalog(ctx, strata__schema(ctx), add_fact, c);
	if (rc < 0)
		return rc;
	if (c->n)
		qsort(c->v, c->n, sizeof(*c->v), fact_cmp);
	return 0;
}

/* ---- the comparison ---- */

static int same_object(const struct fact *a, const struct fact *b)
{
	return strcmp(a->kind, b->kind) == 0 && strcmp(a->name, b->name) == 0;
}

/* the end of the object starting at i */
static size_t object_end(const struct catalog *c, size_t i)
{
	size_t j = i + 1;

	while (j < c->n && same_object(&c->v[i], &c->v[j]))
		j++;
	return j;
}

static int same_value(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

static int push(strata_ctx *ctx, struct item_vec *iv, strata_drift_change ch,
                const struct fact *f, const char *attr, const char *expected,
                const char *actual)
{
	strata_drift_item *it;

	if (iv->n == iv->alloc) {
		size_t want = iv->alloc ? iv->alloc * 2 : 16;
		strata_drift_item *nv =
		        strata__reallocarray(iv->v, want, sizeof(*nv));

		if (!nv)
			return strata__oom(ctx);
		iv->v = nv;
		iv->alloc = want;
	}
	it = &iv->v[iv->n];
	memset(it, 0, sizeof(*it));
	it->change = ch;
	it->kind = strata__strdup(f->kind);
	it->name = strata__strdup(f->name);
	if (attr) {
		it->attribute = strata__strdup(attr);
		it->expected = expected ? strata__strdup(expected) : NULL;
		it->actual = actual ? strata__strdup(actual) : NULL;
	}
	iv->n++;
	if (!it->kind || !it->name || (attr && !it->attribute) ||
	    (expected && !it->expected) || (actual && !it->actual))
		return strata__oom(ctx);
	return 0;
}

/* Whether the table an object of c belongs to is itself only in c
 * (added or removed whole): its parts are not listed apart. */
static int table_only_in(const struct fact *f, const struct catalog *other)
{
	size_t i;

	if (!f->table[0] || strcmp(f->kind, "table") == 0)
		return 0;
	for (i = 0; i < other->n; i++)
		if (strcmp(other->v[i].kind, "table") == 0 &&
		    strcmp(other->v[i].name, f->table) == 0)
			return 0;
	return 1;
}

/* The changed attributes of one object: a[ai..ae) expected, b[bi..be)
 * actual, both sorted by attribute. */
static int compare_object(strata_ctx *ctx, struct item_vec *iv,
                          const struct catalog *e, size_t ei, size_t ee,
                          const struct catalog *a, size_t ai, size_t ae)
{
	const struct fact *obj = &e->v[ei];
	int rc = 0;

	while (rc == 0 && (ei < ee || ai < ae)) {
		int c = ei == ee ? 1 :
		        ai == ae ? -1 :
		                   strcmp(e->v[ei].attr, a->v[ai].attr);

		if (c == 0) {
			if (!same_value(e->v[ei].value, a->v[ai].value))
				rc = push(ctx, iv, STRATA_DRIFT_CHANGED, obj,
				          e->v[ei].attr, e->v[ei].value,
				          a->v[ai].value);
			ei++;
			ai++;
		} else if (c < 0) {
			if (e->v[ei].value)
				rc = push(ctx, iv, STRATA_DRIFT_CHANGED, obj,
				          e->v[ei].attr, e->v[ei].value, NULL);
			ei++;
		} else {
			if (a->v[ai].value)
				rc = push(ctx, iv, STRATA_DRIFT_CHANGED, obj,
				          a->v[ai].attr, NULL, a->v[ai].value);
			ai++;
		}
	}
	return rc;
}

static int compare(strata_ctx *ctx, struct item_vec *iv,
                   const struct catalog *e, const struct catalog *a)
{
	size_t ei = 0, ai = 0;
	int rc = 0;

	while (rc == 0 && (ei < e->n || ai < a->n)) {
		size_t ee = ei < e->n ? object_end(e, ei) : ei;
		size_t ae = ai < a->n ? object_end(a, ai) : ai;
		int c = ei == e->n ? 1 :
		        ai == a->n ? -1 :
		                     fact_cmp(&e->v[ei], &a->v[ai]);

		/* fact_cmp orders by attribute last: equal objects may
		 * differ there */
		if (ei < e->n && ai < a->n && same_object(&e->v[ei], &a->v[ai]))
			c = 0;
		if (c == 0) {
			rc = compare_object(ctx, iv, e, ei, ee, a, ai, ae);
			ei = ee;
			ai = ae;
		} else if (c < 0) {
			if (!table_only_in(&e->v[ei], a))
				rc = push(ctx, iv, STRATA_DRIFT_REMOVED,
				          &e->v[ei], NULL, NULL, NULL);
			ei = ee;
		} else {
			if (!table_only_in(&a->v[ai], e))
				rc = push(ctx, iv, STRATA_DRIFT_ADDED,
				          &a->v[ai], NULL, NULL, NULL);
			ai = ae;
		}
	}
	return rc;
}

/* ---- the scratch database ---- */

struct scratch {
	strata_ctx *ctx;
	char *url;     /* the scratch database's */
	int temporary; /* created here: dropped at the end */
	int created;   /* ... and it was */
	int shadow;    /* the user's: emptied before and after */
};

/* a name no other run picks: 12 random hex digits */
static int temp_name(char *out, size_t size)
{
	unsigned char r[6];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t got = fd >= 0 ? read(fd, r, sizeof(r)) : -1;
	size_t i;

	if (fd >= 0)
		close(fd);
	if (got != (ssize_t)sizeof(r))
		return -1;
	if (size < sizeof("strata_drift_") + 2 * sizeof(r))
		return -1;
	memcpy(out, "strata_drift_", sizeof("strata_drift_"));
	for (i = 0; i < sizeof(r); i++)
		snprintf(out + strlen("strata_drift_") + 2 * i, 3, "%02x",
		         r[i]);
	return 0;
}

/* The live URL with its database name replaced by name. */
static int temp_url(strata_ctx *ctx, strata_buf *out, const char *name)
{
	const struct strata__url *u = &ctx->url_parts;
	const char *text = u->text, *at, *rest;

	if (!u->scheme || !u->authority || !u->hosts_raw.p)
		return strata__error_set(
		        ctx, STRATA_EINVALID,
		        "drift: cannot name a temporary database beside %s; "
		        "set shadow in strata.conf to a "
		        "database strata may empty",
		        ctx->url_redacted);
	if (u->path_raw.p) {
		at = u->path_raw.p;
		rest = u->path_raw.p + u->path_raw.n;
	} else {
		at = rest = u->hosts_raw.p + u->hosts_raw.n;
	}
	if (strata__buf_put(out, text, (size_t)(at - text)) < 0 ||
	    strata__buf_printf(out, "/%s%s", name, rest) < 0)
		return strata__oom(ctx);
	return 0;
}

/* Copy the scratch context's error onto ctx, naming what it was. */
static int take_error(strata_ctx *ctx, strata_ctx *from, int rc,
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

/* 1 when two sqlite: URLs name one file (the shadow's need not exist) */
static int same_sqlite_file(const char *a, const char *b)
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

/*
 * Before the shadow database is emptied: make sure it is not the live
 * one under another URL (another host name, other parameters). The live
 * connection holds the runner lock; the shadow's key is the same only in
 * the same database, where taking it without waiting then fails. SQLite
 * has no such lock: its files are compared.
 */
static int check_not_live(strata_ctx *ctx, strata_ctx *s)
{
	int rc, timeout = s->lock_timeout_ms;

	if (strcmp(strata__driver_name(s), "sqlite") == 0 &&
	    strcmp(strata__driver_name(ctx), "sqlite") == 0)
		rc = same_sqlite_file(ctx->url, s->url) ? STRATA_ELOCKED : 0;
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

static int scratch_open(strata_ctx *ctx, struct scratch *s,
                        const strata_drift_options *o)
{
	strata_buf url = STRATA_BUF_INIT;
	strata_options so;
	char name[64];
	int rc = 0;

	memset(s, 0, sizeof(*s));
	if (o->shadow_url && o->shadow_url[0]) {
		if (strcmp(o->shadow_url, ctx->url) == 0)
			return strata__error_set(
			        ctx, STRATA_EINVALID,
			        "drift: the shadow database is the database "
			        "itself; name another one, which strata "
			        "empties");
		rc = strata__buf_puts(&url, o->shadow_url) < 0 ? STRATA_ENOMEM :
		                                                 0;
		s->shadow = 1;
	} else if (strcmp(strata__driver_name(ctx), "sqlite") == 0) {
		rc = strata__buf_puts(&url, "sqlite::memory:") < 0 ?
		             STRATA_ENOMEM :
		             0;
	} else {
		if (temp_name(name, sizeof(name)) < 0) {
			rc = strata__error_set(ctx, STRATA_EIO,
			                       "drift: cannot read "
			                       "/dev/urandom to name a "
			                       "temporary database");
			goto done;
		}
		rc = temp_url(ctx, &url, name);
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
		                       "drift: cannot open the scratch "
		                       "database");
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
			rc = take_error(ctx, s->ctx, rc,
			                "drift: cannot create a temporary "
			                "database (set shadow in strata.conf "
			                "to one strata may empty)");
	} else if (s->shadow) {
		rc = empty_shadow(ctx, s->ctx);
		if (rc < 0)
			rc = take_error(ctx, s->ctx, rc,
			                "drift: cannot empty the shadow "
			                "database");
	}
done:
	strata_buf_release(&url);
	return rc;
}

/* Close the scratch database: empty a shadow one, drop a temporary one
 * (on a context of its own, not interrupted), whatever happened before.
 * rc: the outcome so far, returned unless it was 0 and this fails. */
static int scratch_close(strata_ctx *ctx, struct scratch *s, int rc)
{
	strata_ctx *dropper = NULL;
	strata_options so;
	int drc;

	ctx->child = NULL;
	if (s->shadow && s->ctx && !ctx->interrupted) {
		drc = empty_shadow(ctx, s->ctx);
		if (drc < 0 && rc == 0)
			rc = take_error(ctx, s->ctx, drc,
			                "drift: cannot empty the shadow "
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
				rc = dropper ? take_error(ctx, dropper, drc,
				                          "drift: cannot drop "
				                          "the temporary "
				                          "database") :
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

/* Warn of what the history says is applied and the scratch database
 * cannot have: a migration whose file is gone, one that stopped halfway.
 * @return how many migrations the history says are applied */
static size_t warn_unbuildable(strata_ctx *ctx)
{
	size_t i, n = 0;

	for (i = 0; i < ctx->n_view; i++) {
		const strata_migration *v = &ctx->view[i];

		if (v->applied_at && v->applied_at[0])
			n++;
		if (v->state == STRATA_STATE_MISSING)
			strata__emitf(ctx, STRATA_EVENT_WARNING,
			              "migration %s (%s) is applied but its "
			              "file is gone: what it made shows as "
			              "added",
			              v->version, v->name);
		else if (v->state == STRATA_STATE_DIRTY)
			strata__emitf(ctx, STRATA_EVENT_WARNING,
			              "migration %s (%s) is dirty: it "
			              "stopped halfway, and the scratch "
			              "database does not have it",
			              v->version, v->name);
	}
	return n;
}

/* Whether the live history has a clean row for the scratch folder's
 * migration v (versioned: its version; repeatable: its name). */
static int applied_live(const strata_ctx *ctx, const strata_migration *v)
{
	size_t i;

	for (i = 0; i < ctx->n_view; i++) {
		const strata_migration *l = &ctx->view[i];

		if (l->kind != v->kind)
			continue;
		if (v->kind == STRATA_KIND_REPEATABLE ?
		            strcmp(l->name, v->name) != 0 :
		            strcmp(l->version, v->version) != 0)
			continue;
		return l->applied_at && l->applied_at[0] && !l->dirty;
	}
	return 0;
}

/* Apply to the scratch database s exactly the migrations the live
 * history says are applied, versioned ones in order, then repeatable
 * ones: out-of-order pending ones stay out. */
static int apply_applied(strata_ctx *ctx, strata_ctx *s, size_t *n_done)
{
	size_t *sel = NULL, n = 0, i;
	int rc, pass;

	rc = strata__open_write(s);
	if (rc == 0)
		rc = strata__build_view(s);
	if (rc == 0) {
		sel = strata__calloc(s->n_view + 1, sizeof(*sel));
		if (!sel)
			rc = strata__oom(s);
	}
	for (pass = 0; rc == 0 && pass < 2; pass++) {
		for (i = 0; rc == 0 && i < s->n_view; i++) {
			strata_migration *v = &s->view[i];
			struct migration *m;

			if ((v->kind == STRATA_KIND_REPEATABLE) != pass ||
			    !applied_live(ctx, v))
				continue;
			m = strata__view_source(s, v);
			if (!m)
				continue;
			rc = strata__migration_load_up(s, m);
			if (rc == 0)
				rc = strata__part_check(s, m, 0, 0);
			v->format = m->format;
			v->no_transaction = m->up.no_transaction;
			sel[n++] = i;
		}
	}
	for (i = 0; rc == 0 && i < n; i++) {
		const strata_migration *v = &s->view[sel[i]];

		if (s->interrupted) {
			rc = strata__error_set(s, STRATA_EINTERRUPTED,
			                       "interrupted");
			break;
		}
		s->run_done = i;
		s->run_total = n;
		rc = strata__run_part(s, v, strata__view_source(s, v), 0,
		                      i + 1 == n ? STRATA_PART_LAST : 0);
		if (rc > 0)
			rc = strata__error_set(s, STRATA_ELOCKED,
			                       "another runner changed the "
			                       "scratch database");
		if (rc == 0)
			(*n_done)++;
	}
	strata__free(sel);
	strata__close_write(s);
	return rc;
}

/* Build the expected schema in the scratch database. */
static int scratch_fill(strata_ctx *ctx, struct scratch *s,
                        const strata_drift_options *o, size_t *n_done)
{
	strata_run_options ro;
	int rc;

	*n_done = 0;
	if (o->from) {
		strata_restore_options rs;

		memset(&rs, 0, sizeof(rs));
		rs.no_backup = 1;
		rc = strata_restore(s->ctx, o->from, &rs);
		if (rc < 0)
			return take_error(
			        ctx, s->ctx, rc,
			        "drift: cannot load the dump into the "
			        "scratch database");
		return 0;
	}
	if (o->all) {
		memset(&ro, 0, sizeof(ro));
		ro.allow_out_of_order = 1;
		rc = strata_up(s->ctx, &ro, n_done);
	} else if (warn_unbuildable(ctx) == 0) {
		rc = strata__connect(s->ctx, 1);
	} else {
		rc = apply_applied(ctx, s->ctx, n_done);
	}
	if (rc == STRATA_EINTERRUPTED)
		return take_error(ctx, s->ctx, rc,
		                  "drift stopped, the database itself "
		                  "untouched");
	if (rc < 0)
		return take_error(ctx, s->ctx, rc,
		                  "drift: a migration does not apply to the "
		                  "scratch database");
	return strata__connect(s->ctx, 0);
}

static void items_free(strata_drift_item *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		strata__free((char *)v[i].kind);
		strata__free((char *)v[i].name);
		strata__free((char *)v[i].attribute);
		strata__free((char *)v[i].expected);
		strata__free((char *)v[i].actual);
	}
	strata__free(v);
}

int strata_drift(strata_drift_report **out, strata_ctx *ctx,
                 const strata_drift_options *opts)
{
	strata_drift_options none;
	struct catalog live, want;
	struct item_vec iv = { NULL, 0, 0 };
	struct scratch s;
	strata_drift_report *r = NULL;
	size_t i, n_done = 0;
	int rc;

	*out = NULL;
	memset(&live, 0, sizeof(live));
	memset(&want, 0, sizeof(want));
	memset(&s, 0, sizeof(s));
	if (!opts) {
		memset(&none, 0, sizeof(none));
		opts = &none;
	}
	strata__error_clear(ctx);
	if (ctx->exec)
		return strata__error_set(ctx, STRATA_ENOTSUPP,
		                         "drift needs a database: an exec "
		                         "target's migrations are programs");
	rc = strata__connect(ctx, 0);
	if (rc == STRATA_ENOTFOUND)
		return strata__error_set(ctx, STRATA_ENOTFOUND,
		                         "no drift to find: the database does "
		                         "not exist yet");
	if (rc == 0)
		rc = strata__open_read(ctx);
	/* no runner migrates the database while it is read; and a shadow
	 * URL naming it is found out by this lock (check_not_live) */
	if (rc == 0)
		rc = strata__lock_runner(ctx);
	if (rc == 0)
		rc = strata__build_view(ctx);
	if (rc == 0)
		rc = catalog_read(&live, ctx);
	if (rc < 0)
		goto done;
	rc = scratch_open(ctx, &s, opts);
	if (rc == 0)
		rc = scratch_fill(ctx, &s, opts, &n_done);
	if (rc == 0) {
		rc = catalog_read(&want, s.ctx);
		if (rc < 0)
			rc = take_error(ctx, s.ctx, rc,
			                "drift: cannot read the scratch "
			                "database's catalogue");
	}
	rc = scratch_close(ctx, &s, rc);
	if (rc == 0 && ctx->interrupted)
		rc = strata__error_set(ctx, STRATA_EINTERRUPTED,
		                       "drift interrupted");
	if (rc == 0)
		rc = compare(ctx, &iv, &want, &live);
	if (rc < 0)
		goto done;
	r = strata__calloc(1, sizeof(*r));
	if (!r) {
		rc = strata__oom(ctx);
		goto done;
	}
	r->items = iv.v;
	r->n = iv.n;
	r->n_applied = n_done;
	for (i = 0; iv.v && i < iv.n; i++) {
		if (iv.v[i].change == STRATA_DRIFT_ADDED)
			r->n_added++;
		else if (iv.v[i].change == STRATA_DRIFT_REMOVED)
			r->n_removed++;
		else
			r->n_changed++;
	}
	iv.v = NULL;
	iv.n = 0;
	*out = r;
done:
	if (s.ctx || s.created)
		rc = scratch_close(ctx, &s, rc);
	strata__close_write(ctx);
	if (rc < 0 && *out) {
		strata_drift_free(*out);
		*out = NULL;
	}
	catalog_release(&live);
	catalog_release(&want);
	items_free(iv.v, iv.n);
	return rc;
}

void strata_drift_free(strata_drift_report *report)
{
	if (!report)
		return;
	items_free((strata_drift_item *)report->items, report->n);
	strata__free(report);
}
