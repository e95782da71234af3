/*
 * validate: the folder alone (names, duplicates, missing downs, files that
 * cannot be read or would be refused when run) and, when the database can
 * be reached, the folder against the history (dirty, modified, missing,
 * out of order; renamed, as a warning).
 */
#include "common.h"
#include "ctx.h"
#include "driver.h"
#include "engine.h"
#include "history.h"
#include "lint.h"
#include "source.h"

/* Turn the context's current error into a problem and clear it. */
static int error_to_problem(strata_ctx *ctx)
{
	int rc = strata__problem_add(&ctx->source, 2, ctx->err.file,
	                             ctx->err.line, "%s", ctx->err.message);

	strata__error_clear(ctx);
	return rc;
}

static int check_files(strata_ctx *ctx)
{
	size_t i;
	int rc = 0;

	for (i = 0; rc >= 0 && i < ctx->source.n; i++) {
		struct migration *m = &ctx->source.v[i];

		if (strata__migration_load(ctx, m) < 0) {
			if (ctx->err.code == STRATA_ENOMEM)
				return STRATA_ENOMEM;
			rc = error_to_problem(ctx);
			continue;
		}
		rc = strata__part_check(ctx, m, 0, 1);
		if (rc >= 0 && m->down.present)
			rc = strata__part_check(ctx, m, 1, 1);
		if (rc >= 0 && !m->down.present &&
		    m->kind == STRATA_KIND_VERSIONED) {
			char hint[600];

			strata__layout_down_hint(m, hint, sizeof(hint));
			rc = strata__problem_add(&ctx->source, 1, m->up_path, 0,
			                         "no down migration: it cannot "
			                         "be rolled back; %s",
			                         hint);
		}
	}
	return rc;
}

static int check_against_db(strata_ctx *ctx)
{
	const strata_migration *newest = NULL;
	size_t i;
	int rc = 0;

	for (i = 0; i < ctx->n_view; i++)
		if (ctx->view[i].state != STRATA_STATE_PENDING &&
		    ctx->view[i].state != STRATA_STATE_OUT_OF_ORDER &&
		    ctx->view[i].kind != STRATA_KIND_REPEATABLE)
			newest = &ctx->view[i];
	for (i = 0; rc >= 0 && i < ctx->n_view; i++) {
		const strata_migration *v = &ctx->view[i];
		const char *f = v->up_file ? v->up_file : "";

		switch (v->state) {
		case STRATA_STATE_DIRTY:
			rc = strata__problem_add(
			        &ctx->source, 2, f, 0,
			        "migration %s (%s) is dirty in the database: "
			        "it failed part-way; fix the schema, then "
			        "'strata force'",
			        v->version, v->name);
			break;
		case STRATA_STATE_MODIFIED:
			rc = strata__problem_add(
			        &ctx->source, 2, f, 0,
			        "changed after it was applied (checksum %.12s "
			        "recorded, %.12s now)",
			        v->applied_checksum, v->checksum);
			break;
		case STRATA_STATE_RENAMED:
			/* matched by version: up and down still work */
			rc = strata__problem_add(
			        &ctx->source, 1, f, 0,
			        "migration %s was applied as '%s' and is now "
			        "named '%s' (rows and files are matched by "
			        "version; 'strata repair' records the new name)",
			        v->version_text, v->applied_name, v->name);
			break;
		case STRATA_STATE_MISSING:
			rc = strata__problem_add(
			        &ctx->source, 2, "", 0,
			        "migration %s (%s) is applied in the database "
			        "but has no file",
			        v->version, v->name);
			break;
		case STRATA_STATE_OUT_OF_ORDER:
			rc = strata__problem_add(
			        &ctx->source, 2, f, 0,
			        "pending but older than the newest applied "
			        "migration %s (%s)",
			        newest ? newest->version : "",
			        newest ? newest->name : "");
			break;
		default:
			break;
		}
	}
	return rc;
}

/*
 * lint's error-level rules on the pending migrations (every migration
 * without the history), as problems at the statements' lines. What lint
 * cannot read is left to lint itself: a statement the database's parser
 * refuses is the database's to report.
 */
static int check_lint(strata_ctx *ctx, int viewed)
{
	strata_lint_options o;
	size_t i;
	int rc;

	if (ctx->exec)
		return 0;
	memset(&o, 0, sizeof(o));
	o.offline = 1;
	o.errors_only = 1;
	rc = strata__lint_run(ctx, &o, viewed, 0);
	if (rc == STRATA_ENOMEM)
		return rc;
	strata__error_clear(ctx);
	for (i = 0; i < ctx->n_lint_findings; i++) {
		const strata_lint_finding *f = &ctx->lint_findings[i];

		if (f->suppressed || !f->rule[0] || f->level < 2)
			continue;
		rc = strata__problem_add(&ctx->source, 2, f->file, f->line,
		                         "lint %s: %s (strata lint says more)",
		                         f->rule, f->message);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int strata_validate(const strata_problem **out, size_t *n, strata_ctx *ctx,
                    int offline)
{
	int viewed = 0;
	struct source *s = &ctx->source;
	int rc, worst = 0;
	size_t i;

	*out = NULL;
	*n = 0;
	strata__error_clear(ctx);
	rc = strata__source_load(ctx, s, ctx->dir);
	if (rc == STRATA_EIO || rc == STRATA_ENOMEM)
		return rc;
	strata__error_clear(ctx);
	ctx->source_loaded = 1;
	rc = strata__driver_resolve(ctx);
	if (rc < 0)
		return rc;
	rc = check_files(ctx);
	if (rc == STRATA_ENOMEM)
		return strata__oom(ctx);
	if (rc < 0) /* a library the splitter needs: error set */
		return rc;
	if (!offline && s->n_errors == 0) {
		rc = strata__open_look(ctx);
		if (rc == STRATA_ECONNECT) {
			strata__emitf(ctx, STRATA_EVENT_WARNING,
			              "database not reachable (%s): checked "
			              "the folder only",
			              ctx->err.message);
			strata__error_clear(ctx);
		} else if (rc == STRATA_ESTATE) {
			rc = error_to_problem(ctx);
			worst = STRATA_ESTATE;
		} else if (rc < 0) {
			return rc;
		} else {
			rc = strata__build_view(ctx);
			if (rc < 0)
				return rc;
			viewed = 1;
			i = s->n_errors;
			rc = check_against_db(ctx);
			if ((size_t)s->n_errors > i)
				worst = STRATA_ESTATE;
		}
		if (rc == STRATA_ENOMEM)
			return strata__oom(ctx);
	}
	if (s->n_errors == 0 && check_lint(ctx, viewed) == STRATA_ENOMEM)
		return strata__oom(ctx);
	strata__free(ctx->problems);
	ctx->problems =
	        strata__calloc(s->n_problems + 1, sizeof(*ctx->problems));
	if (!ctx->problems)
		return strata__oom(ctx);
	for (i = 0; i < s->n_problems; i++) {
		ctx->problems[i].severity = s->problems[i].severity;
		ctx->problems[i].file = s->problems[i].file;
		ctx->problems[i].line = s->problems[i].line;
		ctx->problems[i].message = s->problems[i].message;
	}
	ctx->n_problems = s->n_problems;
	*out = ctx->problems;
	*n = ctx->n_problems;
	if (s->n_errors == 0)
		return 0;
	if (worst)
		return strata__error_set(ctx, worst,
		                         "the database does not match the "
		                         "migrations folder");
	return strata__error_set(ctx, STRATA_EPARSE,
	                         "the migrations folder has problems");
}
