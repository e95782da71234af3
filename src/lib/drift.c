/*
 * strata drift: the live database's schema against the one the folder
 * makes. The folder's migrations (those the history says are applied, or
 * all of them) or a dump file are applied to a scratch database: an
 * in-memory SQLite database, a temporary database strata creates and
 * drops on the live one's server, or a shadow database the user names.
 * Both catalogues (the driver's catalog(): one row per fact of an object)
 * are then compared object by object.
 */
#include <stdlib.h>

#include "common.h"
#include "ctx.h"
#include "driver.h"
#include "engine.h"
#include "history.h"
#include "part.h"
#include "scratch.h"
#include "source.h"

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
			return strata__scratch_error(
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
		return strata__scratch_error(
		        ctx, s->ctx, rc,
		        "drift stopped, the database itself "
		        "untouched");
	if (rc < 0)
		return strata__scratch_error(
		        ctx, s->ctx, rc,
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
	rc = strata__scratch_open(ctx, &s, "drift", opts->shadow_url);
	if (rc == 0)
		rc = scratch_fill(ctx, &s, opts, &n_done);
	if (rc == 0) {
		rc = catalog_read(&want, s.ctx);
		if (rc < 0)
			rc = strata__scratch_error(
			        ctx, s.ctx, rc,
			        "drift: cannot read the scratch "
			        "database's catalogue");
	}
	rc = strata__scratch_close(ctx, &s, rc);
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
		rc = strata__scratch_close(ctx, &s, rc);
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
