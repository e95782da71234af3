/*
 * strata squash: the migrations up to V replaced by one squash file at
 * V, made from the schema they produce. They are applied to a scratch
 * database (scratch.c, as drift builds one), its history table and log
 * dropped, and the driver's dump (strata dump without the history's
 * rows) written after leading comments listing what was replaced
 * (squash.h). squash_files.c names, writes and moves the files.
 */
#include <ctype.h>
#include <strings.h>

#include "common.h"
#include "ctx.h"
#include "driver.h"
#include "engine.h"
#include "history.h"
#include "scratch.h"
#include "source.h"
#include "squash.h"
#include "squash_files.h"

/* A growing list of strings the result owns. */
struct strvec {
	char **v;
	size_t n;
};

static int strvec_add(strata_ctx *ctx, struct strvec *s, const char *text)
{
	char **nv = strata__reallocarray(s->v, s->n + 2, sizeof(*nv));

	if (!nv)
		return strata__oom(ctx);
	s->v = nv;
	nv[s->n] = strata__strdup(text);
	if (!nv[s->n])
		return strata__oom(ctx);
	nv[++s->n] = NULL;
	return 0;
}

static void strvec_free(struct strvec *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		strata__free(s->v[i]);
	strata__free(s->v);
	s->v = NULL;
	s->n = 0;
}

struct plan {
	char to[STRATA_VERSION_SIZE];
	struct migration *last;   /* the migration at V */
	struct strvec versions;   /* replaced, in order */
	struct strvec files;      /* their files */
	struct strvec data_files; /* those with data statements */
	strata_buf entries;       /* the -- strata:squash lines */
};

/* ---- checks ---- */

static int state_refusal(strata_ctx *ctx, const strata_migration *v,
                         const char *to)
{
	const char *file = v->up_file ? v->up_file : v->name;

	switch (v->state) {
	case STRATA_STATE_PENDING:
	case STRATA_STATE_OUT_OF_ORDER:
		strata__error_set(ctx, STRATA_ESTATE,
		                  "squash: %s is pending on this database; "
		                  "only migrations it has applied can be "
		                  "squashed",
		                  file);
		strata__error_detail(ctx,
		                     "apply them first ('strata up --to %s'), "
		                     "or squash to an older version",
		                     to);
		return STRATA_ESTATE;
	case STRATA_STATE_MISSING:
		strata__error_set(ctx, STRATA_ESTATE,
		                  "squash: migration %s (%s) is applied but "
		                  "its file is gone: the folder has a gap "
		                  "below %s",
		                  v->version, v->name, to);
		strata__error_detail(ctx, "restore the file, or run 'strata "
		                          "repair --prune' to forget it");
		return STRATA_ESTATE;
	case STRATA_STATE_DIRTY:
		return strata__error_set(ctx, STRATA_ESTATE,
		                         "squash: migration %s (%s) is dirty "
		                         "on this database",
		                         v->version, v->name);
	case STRATA_STATE_MODIFIED:
		strata__error_set(ctx, STRATA_ESTATE,
		                  "squash: %s was changed after it was applied "
		                  "(its checksum differs from the one "
		                  "recorded)",
		                  file);
		strata__error_detail(ctx,
		                     "restore the file as it was applied, or "
		                     "run 'strata repair' if the database "
		                     "matches it");
		return STRATA_ESTATE;
	default:
		return 0;
	}
}

/* the first keyword of a statement, past comments and blanks */
static const char *first_word(const char *s, const char *end, size_t *n)
{
	while (s < end) {
		if (isspace((unsigned char)*s) || *s == '(') {
			s++;
		} else if (*s == '-' && s + 1 < end && s[1] == '-') {
			while (s < end && *s != '\n')
				s++;
		} else if (*s == '/' && s + 1 < end && s[1] == '*' &&
		           !(s + 2 < end && s[2] == '!')) {
			s += 2;
			while (s + 1 < end && !(s[0] == '*' && s[1] == '/'))
				s++;
			s += 2;
		} else {
			break;
		}
	}
	for (*n = 0; s + *n < end && isalpha((unsigned char)s[*n]);)
		(*n)++;
	return s;
}

struct dml_scan {
	const char *text;
	int found;
};

static int dml_cb(void *payload, size_t off, size_t len, unsigned flags)
{
	static const char *const words[] = { "INSERT",  "UPDATE",  "DELETE",
		                             "MERGE",   "REPLACE", "COPY",
		                             "TRUNCATE" };
	struct dml_scan *d = payload;
	const char *end = d->text + off + len, *w;
	size_t n, i;

	(void)flags;
	w = first_word(d->text + off, end, &n);
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (n == strlen(words[i]) && strncasecmp(w, words[i], n) == 0) {
			d->found = 1;
			return 1;
		}
	return 0;
}

/* 1 when m's up part holds a data statement */
static int has_data(strata_ctx *ctx, const struct migration *m)
{
	struct dml_scan d = { m->text + m->up.off, 0 };
	int rc;

	if (!m->up.present || !m->up.len)
		return 0;
	rc = strata__driver_split(ctx, m->text + m->up.off, m->up.len, dml_cb,
	                          &d);
	if (rc < 0 && rc != 1)
		strata__error_clear(ctx);
	return d.found;
}

static int add_line(strata_ctx *ctx, struct plan *p, const char *version,
                    const char *checksum, const char *name)
{
	if (!checksum || strlen(checksum) != 64)
		return 0;
	if (strata__buf_printf(&p->entries,
	                       "-- " SQUASH_DIRECTIVE " %s %s %s\n", version,
	                       checksum, name) < 0)
		return strata__oom(ctx);
	return 0;
}

/* What one replaced migration adds to the plan. */
static int take(strata_ctx *ctx, struct plan *p, const strata_migration *v,
                struct migration *m)
{
	size_t i;
	int rc = strata__migration_load(ctx, m);

	/* what an earlier squash file replaced, it replaces too */
	for (i = 0; rc == 0 && i < m->n_squashed; i++)
		rc = add_line(ctx, p, m->squashed[i].version,
		              m->squashed[i].checksum, "(squashed before)");
	if (rc == 0)
		rc = add_line(ctx, p, m->version, m->checksum, m->name);
	if (rc == 0 && strcmp(v->applied_checksum, m->checksum) != 0)
		rc = add_line(ctx, p, m->version, v->applied_checksum,
		              v->applied_name);
	if (rc == 0)
		rc = strvec_add(ctx, &p->versions, m->version);
	if (rc == 0)
		rc = strvec_add(ctx, &p->files, m->up_path);
	if (rc == 0 && m->down_path && strcmp(m->down_path, m->up_path) != 0)
		rc = strvec_add(ctx, &p->files, m->down_path);
	if (rc == 0 && has_data(ctx, m))
		rc = strvec_add(ctx, &p->data_files, m->up_path);
	return rc;
}

static int plan_squash(strata_ctx *ctx, struct plan *p,
                       const strata_squash_options *o)
{
	size_t i;
	int rc;

	rc = strata__version_parse(p->to, o->to, strlen(o->to));
	if (rc < 0)
		return strata__error_set(ctx, STRATA_EINVALID,
		                         "squash --to '%s': not a version",
		                         o->to);
	for (i = 0; i < ctx->n_view; i++) {
		const strata_migration *v = &ctx->view[i];

		if (v->kind != STRATA_KIND_REPEATABLE && v->up_file &&
		    strcmp(v->version, p->to) == 0)
			p->last = strata__view_source(ctx, v);
	}
	if (!p->last)
		return strata__error_set(ctx, STRATA_EINVALID,
		                         "squash --to %s: no migration of %s "
		                         "has that version",
		                         o->to, ctx->dir);
	if (p->last->layout != LAYOUT_FLAT)
		return strata__error_set(ctx, STRATA_ENOTSUPP,
		                         "squash: %s is a folder per migration "
		                         "(Prisma, Diesel); strata squashes "
		                         "migration files only",
		                         p->last->up_path);
	for (i = 0; i < ctx->n_view; i++) {
		const strata_migration *v = &ctx->view[i];

		if (v->kind == STRATA_KIND_REPEATABLE ||
		    strata__version_cmp(v->version, p->to) > 0)
			continue;
		rc = state_refusal(ctx, v, o->to);
		if (rc < 0)
			return rc;
	}
	for (i = 0; i < ctx->n_view; i++) {
		const strata_migration *v = &ctx->view[i];

		if (v->kind == STRATA_KIND_REPEATABLE ||
		    strata__version_cmp(v->version, p->to) > 0)
			continue;
		rc = take(ctx, p, v, strata__view_source(ctx, v));
		if (rc < 0)
			return rc;
	}
	if (p->versions.n == 1 && p->last->n_squashed)
		return strata__error_set(ctx, STRATA_EINVALID,
		                         "squash --to %s: nothing to squash, "
		                         "%s is a squash file already",
		                         o->to, p->last->up_path);
	if (p->data_files.n && !o->force) {
		strata_buf list = STRATA_BUF_INIT;

		for (i = 0; i < p->data_files.n; i++)
			if (strata__buf_printf(&list, "%s%s", i ? ", " : "",
			                       p->data_files.v[i]) < 0)
				break;
		strata__error_set(ctx, STRATA_EINVALID,
		                  "squash: %zu replaced file%s hold%s data "
		                  "statements (INSERT, UPDATE, DELETE ...) "
		                  "that a schema dump does not keep: %s",
		                  p->data_files.n,
		                  p->data_files.n == 1 ? "" : "s",
		                  p->data_files.n == 1 ? "s" : "", list.ptr);
		strata__error_detail(ctx,
		                     "move that data to a seed file or a "
		                     "migration after %s, or squash anyway "
		                     "with --force (a fresh database then "
		                     "lacks those rows)",
		                     o->to);
		strata_buf_release(&list);
		return STRATA_EINVALID;
	}
	return 0;
}

/* ---- the schema ---- */

/* The schema the migrations up to V make, into out. */
static int build_schema(strata_ctx *ctx, const struct plan *p,
                        const strata_squash_options *o, strata_buf *out)
{
	strata_buf sql = STRATA_BUF_INIT, dump = STRATA_BUF_INIT;
	strata_run_options ro;
	struct scratch s;
	size_t n = 0;
	int rc;

	rc = strata__scratch_open(ctx, &s, "squash", o->shadow_url);
	if (rc < 0)
		return strata__scratch_close(ctx, &s, rc);
	{
		memset(&ro, 0, sizeof(ro));
		ro.to = p->to;
		rc = strata_up(s.ctx, &ro, &n);
		if (rc < 0) {
			rc = strata__scratch_error(
			        ctx, s.ctx, rc,
			        "squash: a migration does not apply to the "
			        "scratch database");
			return strata__scratch_close(ctx, &s, rc);
		}
	}
	/* the history table and its log are strata's, not the schema */
	if (rc == 0)
		rc = strata__connect(s.ctx, 0);
	if (rc == 0 && (strata__buf_puts(&sql, "DROP TABLE ") < 0 ||
	                strata__history_qualified(s.ctx, &sql) < 0 ||
	                strata__buf_puts(&sql, ";\nDROP TABLE ") < 0 ||
	                strata__log_qualified(s.ctx, &sql) < 0 ||
	                strata__buf_puts(&sql, ";\n") < 0))
		rc = strata__oom(s.ctx);
	if (rc == 0)
		rc = strata__conn_exec(s.ctx, sql.ptr, sql.len);
	if (rc == 0 && !strata__driver_has(s.ctx, STRATA_DRV_DUMP))
		rc = strata__error_set(s.ctx, STRATA_ENOTSUPP,
		                       "dump is not available for %s",
		                       strata__driver_name(s.ctx));
	if (rc == 0)
		rc = strata__conn_dump(s.ctx, &dump);
	if (rc < 0)
		rc = strata__scratch_error(ctx, s.ctx, rc,
		                           "squash: cannot dump the scratch "
		                           "database");
	/* its session settings made the squash file's transaction's own */
	if (rc == 0 &&
	    strata__conn_dump_local_sql(ctx, out, dump.ptr, dump.len) < 0)
		rc = strata__oom(ctx);
	rc = strata__scratch_close(ctx, &s, rc);
	strata_buf_release(&sql);
	strata_buf_release(&dump);
	return rc;
}

static int compose(strata_ctx *ctx, const struct plan *p,
                   const strata_buf *schema, strata_buf *out)
{
	const char *first = p->versions.v[0];

	if (strata__buf_printf(
	            out,
	            "-- strata squash: migrations %s%s%s (%zu of them) "
	            "replaced by the\n-- schema they make, as 'strata "
	            "dump' writes it. Rows their files\n-- inserted are "
	            "not in it. A database where they ran takes this\n"
	            "-- file as applied; an empty one runs it first.\n",
	            first, strcmp(first, p->to) ? " to " : "",
	            strcmp(first, p->to) ? p->to : "", p->versions.n) < 0 ||
	    strata__buf_put(out, p->entries.ptr, p->entries.len) < 0 ||
	    strata__buf_puts(out, "\n") < 0 ||
	    strata__buf_put(out, schema->ptr, schema->len) < 0)
		return strata__oom(ctx);
	return 0;
}

/* ---- the result ---- */

static int result_new(strata_ctx *ctx, struct plan *p, const char *file,
                      strata_buf *text, int written, strata_squash_result **out)
{
	strata_squash_result *r = strata__calloc(1, sizeof(*r));
	char *f = strata__strdup(file), *v = strata__strdup(p->to);

	if (!r || !f || !v) {
		strata__free(r);
		strata__free(f);
		strata__free(v);
		return strata__oom(ctx);
	}
	r->file = f;
	r->version = v;
	r->text = strata__buf_detach(text);
	r->versions = (const char *const *)p->versions.v;
	r->n_versions = p->versions.n;
	r->files = (const char *const *)p->files.v;
	r->n_files = p->files.n;
	r->data_files = (const char *const *)p->data_files.v;
	r->n_data_files = p->data_files.n;
	r->written = written;
	memset(&p->versions, 0, sizeof(p->versions));
	memset(&p->files, 0, sizeof(p->files));
	memset(&p->data_files, 0, sizeof(p->data_files));
	if (!r->text) {
		strata_squash_free(r);
		return strata__oom(ctx);
	}
	*out = r;
	return 0;
}

int strata_squash(strata_squash_result **out, strata_ctx *ctx,
                  const strata_squash_options *o)
{
	strata_buf schema = STRATA_BUF_INIT, text = STRATA_BUF_INIT,
	           path = STRATA_BUF_INIT;
	struct plan p;
	size_t i;
	int rc;

	*out = NULL;
	memset(&p, 0, sizeof(p));
	strata__error_clear(ctx);
	if (!o || !o->to || !o->to[0])
		return strata__error_set(ctx, STRATA_EINVALID,
		                         "squash: name the newest version to "
		                         "replace (--to V)");
	if (ctx->exec)
		return strata__error_set(ctx, STRATA_ENOTSUPP,
		                         "squash needs a database: an exec "
		                         "target's migrations are programs");
	rc = strata__open_read(ctx);
	if (rc == 0)
		rc = strata__driver_resolve(ctx);
	if (rc == 0)
		rc = strata__build_view(ctx);
	if (rc == 0)
		rc = plan_squash(ctx, &p, o);
	if (rc == 0)
		rc = strata__squash_path(ctx, &path, p.last);
	if (rc == 0)
		rc = strata__squash_files_check(ctx, path.ptr,
		                                (const char *const *)p.files.v,
		                                p.files.n, o->keep_dir);
	for (i = 0; rc == 0 && i < p.data_files.n; i++)
		strata__emitf(ctx, STRATA_EVENT_WARNING,
		              "%s holds data statements: their rows are not "
		              "in the squash file",
		              p.data_files.v[i]);
	if (rc == 0)
		rc = build_schema(ctx, &p, o, &schema);
	if (rc == 0)
		rc = compose(ctx, &p, &schema, &text);
	if (rc == 0 && !o->dry_run)
		rc = strata__squash_files_write(ctx, path.ptr, &text,
		                                (const char *const *)p.files.v,
		                                p.files.n, o->keep_dir);
	if (rc == 0)
		rc = result_new(ctx, &p, path.ptr, &text, !o->dry_run, out);
	/* the folder changed: read again when next needed */
	if (rc == 0 && !o->dry_run) {
		strata__ctx_release_view(ctx);
		strata__source_release(&ctx->source);
		ctx->source_loaded = 0;
	}
	strvec_free(&p.versions);
	strvec_free(&p.files);
	strvec_free(&p.data_files);
	strata_buf_release(&p.entries);
	strata_buf_release(&schema);
	strata_buf_release(&text);
	strata_buf_release(&path);
	return rc;
}

void strata_squash_free(strata_squash_result *r)
{
	struct strvec s;

	if (!r)
		return;
	s.v = (char **)r->versions;
	s.n = r->n_versions;
	strvec_free(&s);
	s.v = (char **)r->files;
	s.n = r->n_files;
	strvec_free(&s);
	s.v = (char **)r->data_files;
	s.n = r->n_data_files;
	strvec_free(&s);
	strata__free((char *)r->file);
	strata__free((char *)r->version);
	strata__free((char *)r->text);
	strata__free(r);
}
