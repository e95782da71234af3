/*
 * Choosing what a run takes: the parts up (down) runs, in order, each
 * loaded and checked before anything runs (ops.c runs them).
 */
#include "common.h"
#include "ctx.h"
#include "driver.h"
#include "engine.h"
#include "history.h"
#include "script.h"
#include "source.h"
#include "squash.h"
#include "../util/testpoint.h"

const strata_migration *strata__newest_applied(strata_ctx *ctx)
{
	const strata_migration *best = NULL;
	size_t i;

	for (i = 0; i < ctx->n_view; i++) {
		const strata_migration *v = &ctx->view[i];

		if (v->kind != STRATA_KIND_REPEATABLE &&
		    v->state != STRATA_STATE_PENDING &&
		    v->state != STRATA_STATE_OUT_OF_ORDER)
			best = v;
	}
	return best;
}

int strata__known_version(strata_ctx *ctx, const char *version)
{
	size_t i;

	for (i = 0; i < ctx->n_view; i++)
		if (ctx->view[i].kind != STRATA_KIND_REPEATABLE &&
		    strcmp(ctx->view[i].version, version) == 0)
			return 1;
	return 0;
}

/* A version given by the caller (what, e.g. "--to"), as canonical text
 * in out. */
int strata__caller_version(strata_ctx *ctx, const char *what, const char *text,
                           char out[STRATA_VERSION_SIZE])
{
	int rc = strata__version_parse(out, text, strlen(text));

	if (rc == STRATA_EINVALID)
		return strata__error_set(ctx, rc,
		                         "%s '%s': a version has at most %d "
		                         "characters without leading zeros",
		                         what, text, STRATA_VERSION_MAX);
	if (rc < 0)
		return strata__error_set(ctx, STRATA_EINVALID,
		                         "%s '%s': not a version (digits, in "
		                         "parts separated by '.')",
		                         what, text);
	return 0;
}

/*
 * Applied migrations whose files are gone, the first at view index
 * first: one error for the run, naming every one of them.
 */
static int files_gone(strata_ctx *ctx, size_t first)
{
	strata_buf more = STRATA_BUF_INIT;
	size_t i, n = 0;
	int rc = 0;

	strata__error_set(ctx, STRATA_ESTATE,
	                  "migration %s (%s) is recorded as applied but its "
	                  "file is gone",
	                  ctx->view[first].version, ctx->view[first].name);
	for (i = first + 1; rc == 0 && i < ctx->n_view; i++) {
		const strata_migration *v = &ctx->view[i];

		if (v->state != STRATA_STATE_MISSING)
			continue;
		if (n++ < 10)
			rc = strata__buf_printf(&more, "%s%s (%s)",
			                        n > 1 ? ", " : "", v->version,
			                        v->name);
	}
	if (rc == 0 && n > 10)
		rc = strata__buf_printf(&more, " and %zu more", n - 10);
	if (rc == 0 && n)
		strata__error_detail(ctx, "the files of %s are gone too",
		                     more.ptr);
	strata__error_detail(ctx, n ? "restore the files, or run 'strata "
	                              "repair --prune' to forget them" :
	                              "restore the file, or run 'strata "
	                              "repair --prune' to forget it");
	strata_buf_release(&more);
	return rc == STRATA_ENOMEM ? strata__oom(ctx) : STRATA_ESTATE;
}

/* Pick the parts to run (indexes into the view) and check them all. */
int strata__select_up(strata_ctx *ctx, const strata_run_options *o, size_t *sel,
                      size_t *n_sel)
{
	const strata_migration *newest = strata__newest_applied(ctx);
	char to[STRATA_VERSION_SIZE];
	size_t i, n = 0;
	int rc;

	if (o->to) {
		rc = strata__caller_version(
		        ctx, strata__setting(ctx, STRATA_SETTING_TO), o->to,
		        to);
		if (rc < 0)
			return rc;
		if (!strata__known_version(ctx, to))
			return strata__error_set(
			        ctx, STRATA_EINVALID,
			        "%s %s: no migration has that "
			        "version",
			        strata__setting(ctx, STRATA_SETTING_TO), to);
	}
	for (i = 0; i < ctx->n_view; i++) {
		const strata_migration *v = &ctx->view[i];

		if (v->state == STRATA_STATE_MISSING)
			return files_gone(ctx, i);
		if (v->state == STRATA_STATE_OUT_OF_ORDER &&
		    !o->allow_out_of_order) {
			/* out of order: a newer one is applied */
			STRATA_ASSERT(ctx, newest != NULL);
			strata__error_set(ctx, STRATA_ESTATE,
			                  "%s is pending but older than the "
			                  "newest applied migration, %s (%s)",
			                  v->up_file, newest->version,
			                  newest->name);
			strata__error_detail(
			        ctx,
			        "two branches merged? apply it anyway with "
			        "%s, or give it a "
			        "version newer than %s",
			        strata__setting(
			                ctx, STRATA_SETTING_ALLOW_OUT_OF_ORDER),
			        newest->version);
			return STRATA_ESTATE;
		}
	}
	for (i = 0; i < ctx->n_view; i++) {
		const strata_migration *v = &ctx->view[i];
		int pending = v->state == STRATA_STATE_PENDING ||
		              v->state == STRATA_STATE_OUT_OF_ORDER;

		if (!pending)
			continue;
		if (v->kind == STRATA_KIND_REPEATABLE) {
			/* repeatables run after every versioned one */
			if (o->to || o->count)
				continue;
		} else {
			if (o->to && strata__version_cmp(v->version, to) > 0)
				continue;
			if (o->count && n >= o->count)
				continue;
		}
		sel[n++] = i;
	}
	for (i = 0; i < n; i++) {
		struct migration *m =
		        strata__view_source(ctx, &ctx->view[sel[i]]);

		/* a missing file was refused above */
		STRATA_ASSERT(ctx, m != NULL);
		rc = strata__migration_load_up(ctx, m);
		if (rc == 0 && m->n_squashed)
			rc = strata__squash_check_pending(ctx, m);
		if (rc == 0)
			rc = strata__part_check(ctx, m, 0, 0);
		/* a runner that cannot start: refused before anything is
		 * written (a dry run only prints its command) */
		if (rc == 0 && ctx->exec && !o->dry_run)
			rc = strata__exec_check(ctx, m, 0);
		if (rc < 0)
			return rc;
		/* loading may have learnt the format and reversibility */
		ctx->view[sel[i]].format = m->format;
		ctx->view[sel[i]].no_transaction = m->up.no_transaction;
	}
	*n_sel = n;
	return 0;
}

int strata__select_down(strata_ctx *ctx, const strata_run_options *o,
                        size_t *sel, size_t *n_sel)
{
	unsigned want = o->count ? o->count : 1;
	char to[STRATA_VERSION_SIZE];
	size_t i, n = 0;
	int rc;

	/* 0: roll back everything newer, whether a migration has 0 or not */
	if (o->to) {
		rc = strata__caller_version(
		        ctx, strata__setting(ctx, STRATA_SETTING_TO), o->to,
		        to);
		if (rc < 0)
			return rc;
		if (strcmp(to, "0") != 0 && !strata__known_version(ctx, to) &&
		    strata__squash_holding(ctx, to)) {
			strata__error_set(
			        ctx, STRATA_ESTATE,
			        "%s %s: that migration is squashed "
			        "into %s; strata cannot roll back to "
			        "a version inside a squash",
			        strata__setting(ctx, STRATA_SETTING_TO), to,
			        strata__squash_holding(ctx, to)->up_path);
			strata__error_detail(ctx, "roll back to the squash "
			                          "file's version, or below it "
			                          "when it has a down part");
			return STRATA_ESTATE;
		}
		if (strcmp(to, "0") != 0 && !strata__known_version(ctx, to))
			return strata__error_set(
			        ctx, STRATA_EINVALID,
			        "%s %s: no migration has that "
			        "version",
			        strata__setting(ctx, STRATA_SETTING_TO), to);
	}
	for (i = ctx->n_view; i-- > 0;) {
		const strata_migration *v = &ctx->view[i];
		int applied = v->state == STRATA_STATE_APPLIED ||
		              v->state == STRATA_STATE_MODIFIED ||
		              v->state == STRATA_STATE_RENAMED ||
		              v->state == STRATA_STATE_MISSING;

		if (!applied || v->kind == STRATA_KIND_REPEATABLE)
			continue;
		if (o->to && strata__version_cmp(v->version, to) <= 0)
			break;
		if (!o->all && !o->to && n >= want)
			break;
		sel[n++] = i;
	}
	for (i = 0; i < n; i++) {
		strata_migration *v = &ctx->view[sel[i]];
		struct migration *m = strata__view_source(ctx, v);

		if (!m) {
			strata__error_set(ctx, STRATA_ESTATE,
			                  "migration %s (%s) is applied but "
			                  "its file is gone: its down cannot "
			                  "run",
			                  v->version, v->name);
			strata__error_detail(ctx, "restore the file, or use "
			                          "'strata force' to declare "
			                          "the version by hand");
			return STRATA_ESTATE;
		}
		rc = strata__migration_load(ctx, m);
		if (rc < 0)
			return rc;
		if (!m->down.present && m->n_squashed) {
			strata__error_set(
			        ctx, STRATA_ESTATE,
			        "%s is a squash file without a down "
			        "part: the %zu migrations it replaced "
			        "cannot be rolled back, and nothing "
			        "was",
			        m->up_path, m->n_squashed);
			strata__error_detail(
			        ctx,
			        "give the squash file a down part (a "
			        "%s_squashed.down.sql that drops its "
			        "schema), or use 'strata force' to declare "
			        "the version by hand",
			        m->version_text);
			return STRATA_ESTATE;
		}
		if (!m->down.present) {
			char hint[600];

			strata__layout_down_hint(m, hint, sizeof(hint));
			strata__error_set(ctx, STRATA_ESTATE,
			                  "%s is irreversible: it has no down "
			                  "migration, so nothing was rolled "
			                  "back",
			                  m->up_path);
			strata__error_detail(ctx,
			                     "%s, or use 'strata force' to "
			                     "declare the version by hand",
			                     hint);
			return STRATA_ESTATE;
		}
		if (v->state == STRATA_STATE_MODIFIED)
			strata__emitf(ctx, STRATA_EVENT_WARNING,
			              "%s changed after it was applied; "
			              "rolling back with the current down",
			              m->up_path);
		rc = strata__part_check(ctx, m, 1, 0);
		if (rc == 0 && ctx->exec && !o->dry_run)
			rc = strata__exec_check(ctx, m, 1);
		if (rc < 0)
			return rc;
		v->down_file = m->down.path;
		v->reversible = 1;
	}
	*n_sel = n;
	return 0;
}
