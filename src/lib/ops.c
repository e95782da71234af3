/*
 * The operations: up, down, redo, force, repair and history. Each one
 * decides what to run from the merged view, checks every part first, and
 * only then runs them (run.c).
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

/* A version as the user wrote it in the file name when known. */
static const char *version_label(const strata_migration *v)
{
	if (v->version_text && v->version_text[0])
		return v->version_text;
	return v->version;
}

static int state_error(strata_ctx *ctx, const strata_migration *v)
{
	const char *what = v->up_file ? v->up_file : v->name;

	switch (v->state) {
	case STRATA_STATE_DIRTY:
		strata__error_set(ctx, STRATA_ESTATE,
		                  "migration %s (%s) is dirty: it stopped at "
		                  "statement %d on an earlier run; statements "
		                  "before it took effect",
		                  version_label(v), v->name, v->dirty);
		strata__error_detail(
		        ctx,
		        "fix the schema by hand, then run 'strata force %s' "
		        "if it is now fully applied, or 'strata force' with "
		        "the previous version if it is fully undone",
		        version_label(v));
		return STRATA_ESTATE;
	case STRATA_STATE_MODIFIED:
		strata__error_set(ctx, STRATA_ESTATE,
		                  "%s was changed after it was applied (its "
		                  "checksum differs from the one recorded)",
		                  what);
		strata__error_detail(
		        ctx, "restore the file as it was applied; if the edit "
		             "was deliberate and the database matches it, run "
		             "'strata repair' to record the new checksum");
		return STRATA_ESTATE;
	default:
		return 0;
	}
}

int strata__check_blockers(strata_ctx *ctx, int allow_modified)
{
	size_t i;
	int rc;

	for (i = 0; i < ctx->n_view; i++) {
		const strata_migration *v = &ctx->view[i];

		if (v->state == STRATA_STATE_DIRTY ||
		    (!allow_modified && v->state == STRATA_STATE_MODIFIED)) {
			rc = state_error(ctx, v);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

static const strata_migration *newest_applied(strata_ctx *ctx)
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

static int known_version(strata_ctx *ctx, const char *version)
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
static int caller_version(strata_ctx *ctx, const char *what, const char *text,
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
	const strata_migration *newest = newest_applied(ctx);
	char to[STRATA_VERSION_SIZE];
	size_t i, n = 0;
	int rc;

	if (o->to) {
		rc = caller_version(ctx,
		                    strata__setting(ctx, STRATA_SETTING_TO),
		                    o->to, to);
		if (rc < 0)
			return rc;
		if (!known_version(ctx, to))
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

/* After an early stop, make the run's asynchronous commits durable,
 * keeping the error that stopped it. */
static void flush_async(strata_ctx *ctx, size_t done)
{
	struct saved_error saved;

	if (!done || !ctx->conn ||
	    !strata__driver_text(ctx, STRATA_DRV_ASYNC_COMMIT_SQL) ||
	    !strata__driver_text(ctx, STRATA_DRV_FLUSH_SQL) ||
	    !strata__driver_can(ctx, STRATA_DRIVER_CAP_BATCH))
		return;
	strata__error_save(ctx, &saved);
	strata__conn_exec(
	        ctx, strata__driver_text(ctx, STRATA_DRV_FLUSH_SQL),
	        strlen(strata__driver_text(ctx, STRATA_DRV_FLUSH_SQL)));
	strata__error_restore(ctx, &saved);
}

static int run_each(strata_ctx *ctx, const size_t *sel, size_t n, int down,
                    size_t *n_done)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < n; i++) {
		const strata_migration *v = &ctx->view[sel[i]];

		if (ctx->interrupted) {
			flush_async(ctx, i);
			return strata__error_set(
			        ctx, STRATA_EINTERRUPTED,
			        "interrupted: stopped before %s; %zu of %zu "
			        "done, the database is consistent",
			        v->name, i, n);
		}
		ctx->run_done = i;
		ctx->run_total = n;
		rc = strata__run_part(ctx, v, strata__view_source(ctx, v), down,
		                      i + 1 == n ? STRATA_PART_LAST : 0);
		/* a statement stopped: run.c said what became of the part */
		if (rc == STRATA_EINTERRUPTED && ctx->err.sqlstate[0]) {
			flush_async(ctx, i);
			return rc;
		}
		if (rc == STRATA_EINTERRUPTED) {
			/* the user gave up waiting for another runner's lock */
			flush_async(ctx, i);
			return strata__error_set(
			        ctx, STRATA_EINTERRUPTED,
			        "interrupted while waiting for the database "
			        "lock: stopped before %s; %zu of %zu done, the "
			        "database is consistent",
			        v->name, i, n);
		}
		if (rc < 0) {
			flush_async(ctx, i);
			return rc;
		}
		if (rc == 1)
			return 1; /* the plan is stale: plan again */
		if (n_done)
			(*n_done)++;
	}
	return 0;
}

/* Run the n selected parts; events and messages meanwhile say which of
 * the n each one is (ctx->run_done, run_total), and nothing after. */
static int run_selected(strata_ctx *ctx, const size_t *sel, size_t n, int down,
                        size_t *n_done)
{
	int rc = run_each(ctx, sel, n, down, n_done);

	ctx->run_total = 0;
	ctx->run_done = 0;
	return rc;
}

static int any_dirty(const strata_ctx *ctx)
{
	size_t i;

	for (i = 0; i < ctx->n_view; i++)
		if (ctx->view[i].state == STRATA_STATE_DIRTY)
			return 1;
	return 0;
}

/*
 * Behind a transaction pooler each statement outside a transaction may
 * run on another server session, where no lock of this runner holds
 * (driver.h): a part that must run outside a transaction is refused
 * before anything runs, naming its file.
 */
static int refuse_pooled(strata_ctx *ctx, const size_t *sel, size_t n, int down)
{
	size_t i;

	if (!ctx->conn || !ctx->conn->pooled)
		return 0;
	for (i = 0; i < n; i++) {
		struct migration *m =
		        strata__view_source(ctx, &ctx->view[sel[i]]);

		if (!m || strata__part_transactional(ctx, m, down))
			continue;
		strata__error_set(ctx, STRATA_EINVALID,
		                  "%s must run outside a transaction, which "
		                  "strata does not do through a transaction "
		                  "pooler: nothing was applied",
		                  strata__part(m, down)->path);
		strata__error_detail(
		        ctx, "run it on a direct connection to the server (or "
		             "through a pooler in session mode, with "
		             "pooler=none in the URL); see docs/SCALE.md");
		return STRATA_EINVALID;
	}
	return 0;
}

typedef int (*select_fn)(strata_ctx *ctx, const strata_run_options *o,
                         size_t *sel, size_t *n_sel);

/* Plans made again, at most, when other runners keep changing the
 * history of a database without a runner lock (see run.c). */
#define MAX_REPLANS 1000

/*
 * The phases of a run, in order; a stale plan goes back from APPLY to
 * LOCKED. Each step asserts the phase it belongs to (SQLite's pager
 * keeps one such state).
 *
 * LOOK decides and checks everything with a read-only look first, so
 * that a bad file or a refused state leaves the database exactly as it
 * was (not even a history table created). LOCKED connects for writing,
 * takes the runner lock, reads the history again and decides again:
 * another runner may have moved the database on meanwhile. APPLY runs
 * what was decided (or, dry, prints it). Without a runner lock (SQLite)
 * the history may still change before a migration's transaction; the
 * run then stops before that migration and plans again from LOCKED.
 */
enum run_phase {
	RUN_LOOK,
	RUN_LOCKED,
	RUN_APPLY,
	RUN_DONE
};

struct run {
	strata_ctx *ctx;
	const strata_run_options *o;
	select_fn select;
	int down;
	enum run_phase phase;
	size_t *sel, n; /* what was decided: indexes into the view */
	int replans;
	size_t *n_done;
};

/* Read the history (a read-only look may take the cached one), merge it
 * with the folder and decide. @return 1: a look that leaves the decision
 * to the locked phase */
static int decide(struct run *r)
{
	strata_ctx *ctx = r->ctx;
	int look = r->phase == RUN_LOOK;
	int rc;

	STRATA_ASSERT(ctx, r->phase == RUN_LOOK || r->phase == RUN_LOCKED);
	r->n = 0;
	/* a look that finds nothing to do may use the cached history;
	 * whatever runs reads it again under the lock */
	if (look)
		rc = !r->down && !r->o->dry_run ? strata__open_look(ctx) :
		                                  strata__open_read(ctx);
	else
		rc = strata__open_write(ctx);
	if (rc == 0)
		rc = strata__driver_resolve(ctx);
	if (rc == 0)
		rc = strata__build_view(ctx);
	/* a dirty row may be another runner at work (MySQL, no-transaction
	 * files): decide that under the lock */
	if (rc == 0 && look && !r->o->dry_run &&
	    strata__driver_can(ctx, STRATA_DRIVER_CAP_LOCK) && any_dirty(ctx))
		return 1;
	/* a squash to record in the history: under the lock */
	if (rc == 0 && !r->down && !r->o->dry_run &&
	    strata__squash_unrecorded(ctx)) {
		size_t n;

		if (look)
			return 1;
		rc = strata__squash_record(ctx, &n);
	}
	if (rc == 0)
		rc = strata__check_blockers(ctx, r->down);
	if (rc == 0) {
		strata__free(r->sel);
		r->sel = strata__calloc(ctx->n_view + 1, sizeof(*r->sel));
		rc = r->sel ? r->select(ctx, r->o, r->sel, &r->n) :
		              strata__oom(ctx);
	}
	if (rc == 0 && !r->o->dry_run)
		rc = refuse_pooled(ctx, r->sel, r->n, r->down);
	return rc;
}

/* A rollback destroys data: keep a copy first, under the runner lock: a
 * copy taken before the wait could miss what the runner waited for
 * applied, and a run that gives up on the lock leaves no copy behind. */
static int backup_first(struct run *r)
{
	const char *path;
	int rc;

	STRATA_ASSERT(r->ctx, r->phase == RUN_LOCKED);
	strata__buf_clear(&r->ctx->run_backup);
	if (!r->down || r->o->no_backup || !r->ctx->conn)
		return 0;
	rc = strata_backup(&path, r->ctx, r->o->backup_suffix);
	if (rc == 0 && strata__buf_puts(&r->ctx->run_backup, path) < 0)
		rc = strata__oom(r->ctx);
	if (rc == 0)
		strata__emitf(r->ctx, STRATA_EVENT_INFO,
		              "backup written to %s (skip with %s)", path,
		              strata__setting(r->ctx,
		                              STRATA_SETTING_NO_BACKUP));
	return rc;
}

/* Run (or print) what was decided. @return 1: the plan is stale */
static int apply(struct run *r)
{
	strata_ctx *ctx = r->ctx;
	const strata_run_options *o = r->o;

	STRATA_ASSERT(ctx, r->phase == RUN_APPLY);
	/* with a change counter, open_write noted it before reading */
	if (r->n && !o->dry_run &&
	    !strata__driver_text(ctx, STRATA_DRV_CHANGE_COUNTER_SQL) &&
	    strata__history_fingerprint(&ctx->plan_history, &ctx->history) < 0)
		return strata__oom(ctx);
	/* a dry run prints the script `plan` writes */
	if (o->dry_run)
		return strata__script_write(ctx, r->sel, r->n, r->down,
		                            r->n_done);
	strata__testpoint("after_plan");
	if (o->single_transaction && !r->down && r->n)
		return strata__run_single(ctx, r->sel, r->n, r->n_done);
	return run_selected(ctx, r->sel, r->n, r->down, r->n_done);
}

/* One step: the phase's work, and the phase that follows. */
static int step(struct run *r)
{
	int rc;

	switch (r->phase) {
	case RUN_LOOK:
		rc = decide(r);
		if (rc == 1)
			r->phase = RUN_LOCKED;
		else if (rc == 0)
			r->phase = r->n && !r->o->dry_run ? RUN_LOCKED :
			                                    RUN_APPLY;
		return rc < 0 ? rc : 0;
	case RUN_LOCKED:
		rc = decide(r);
		if (rc == 0 && r->n)
			rc = backup_first(r);
		if (rc == 0)
			r->phase = RUN_APPLY;
		return rc;
	case RUN_APPLY:
		rc = apply(r);
		r->phase = RUN_DONE;
		if (rc != 1)
			return rc;
		if (++r->replans > MAX_REPLANS)
			return strata__error_set(
			        r->ctx, STRATA_ELOCKED,
			        "gave up after planning %d times: other "
			        "runners kept changing the history table '%s'",
			        MAX_REPLANS, r->ctx->table);
		/* another runner changed the history: plan again */
		r->phase = RUN_LOCKED;
		return 0;
	case RUN_DONE:
		break;
	}
	STRATA_ASSERT(r->ctx, r->phase != RUN_DONE);
	return 0;
}

static int plan_and_run(strata_ctx *ctx, const strata_run_options *o,
                        select_fn select, int down, size_t *n_done)
{
	struct run r;
	int rc = 0;

	memset(&r, 0, sizeof(r));
	r.ctx = ctx;
	r.o = o;
	r.select = select;
	r.down = down;
	r.n_done = n_done;
	r.phase = RUN_LOOK;
	while (rc == 0 && r.phase != RUN_DONE)
		rc = step(&r);
	strata__free(r.sel);
	strata__close_write(ctx);
	return rc;
}

int strata_up(strata_ctx *ctx, const strata_run_options *opts, size_t *n_done)
{
	strata_run_options none;

	if (n_done)
		*n_done = 0;
	if (!opts) {
		memset(&none, 0, sizeof(none));
		opts = &none;
	}
	strata__error_clear(ctx);
	return plan_and_run(ctx, opts, strata__select_up, 0, n_done);
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
		rc = caller_version(ctx,
		                    strata__setting(ctx, STRATA_SETTING_TO),
		                    o->to, to);
		if (rc < 0)
			return rc;
		if (strcmp(to, "0") != 0 && !known_version(ctx, to) &&
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
		if (strcmp(to, "0") != 0 && !known_version(ctx, to))
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

int strata_down(strata_ctx *ctx, const strata_run_options *opts, size_t *n_done)
{
	strata_run_options none;

	if (n_done)
		*n_done = 0;
	if (!opts) {
		memset(&none, 0, sizeof(none));
		opts = &none;
	}
	strata__error_clear(ctx);
	return plan_and_run(ctx, opts, strata__select_down, 1, n_done);
}

int strata_redo(strata_ctx *ctx, const strata_run_options *opts)
{
	strata_run_options o;
	const strata_migration *newest;
	char version[STRATA_VERSION_SIZE];
	size_t done = 0;
	int rc;

	memset(&o, 0, sizeof(o));
	o.dry_run = opts ? opts->dry_run : 0;
	o.no_backup = opts ? opts->no_backup : 0;
	o.backup_suffix = opts ? opts->backup_suffix : NULL;
	o.count = 1;
	rc = strata__open_read(ctx);
	if (rc == 0)
		rc = strata__build_view(ctx);
	if (rc < 0)
		return rc;
	newest = newest_applied(ctx);
	if (!newest)
		return strata__error_set(ctx, STRATA_ESTATE,
		                         "nothing to redo: no migration is "
		                         "applied");
	/* the view is made again by what follows */
	memcpy(version, newest->version, strlen(newest->version) + 1);
	rc = strata_down(ctx, &o, &done);
	if (rc < 0 || o.dry_run) {
		if (rc == 0 && o.dry_run) {
			/* show the up that would follow */
			struct migration *m =
			        strata__source_find(&ctx->source, version);
			size_t i;

			for (i = 0; m && i < ctx->n_view; i++)
				if (ctx->view[i].kind !=
				            STRATA_KIND_REPEATABLE &&
				    strcmp(ctx->view[i].version, version) == 0)
					rc = strata__run_part(
					        ctx, &ctx->view[i], m, 0,
					        STRATA_PART_DRY_RUN);
		}
		return rc;
	}
	o.to = version;
	o.count = 0;
	return strata_up(ctx, &o, NULL);
}

/* Log what force or repair does to v's row (its log row goes before
 * the statement that changes it). */
static int log_view(strata_ctx *ctx, strata_buf *sql, const char *action,
                    const strata_migration *v, const char *checksum,
                    const char *detail)
{
	struct log_event e;

	memset(&e, 0, sizeof(e));
	e.action = action;
	e.version = v->version;
	e.name = v->name;
	e.kind = v->kind;
	e.checksum = checksum;
	e.detail = detail;
	return strata__log_sql(ctx, sql, &e);
}

/* version: canonical; NULL: nothing applied. action: what the log
 * says ("force", "baseline"). */
static int force_sql(strata_ctx *ctx, strata_buf *sql, const char *version,
                     const char *action)
{
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < ctx->n_view; i++) {
		const strata_migration *v = &ctx->view[i];
		struct migration *m;
		int recorded = v->state != STRATA_STATE_PENDING &&
		               v->state != STRATA_STATE_OUT_OF_ORDER;

		if (v->kind == STRATA_KIND_REPEATABLE)
			continue;
		if (!version || strata__version_cmp(v->version, version) > 0) {
			if (recorded)
				rc = log_view(ctx, sql, action, v,
				              v->applied_checksum,
				              "row deleted");
			if (recorded && rc == 0)
				rc = strata__history_sql_delete(
				        ctx, sql, v->version, NULL);
			continue;
		}
		if (v->state == STRATA_STATE_DIRTY) {
			rc = log_view(ctx, sql, action, v, v->applied_checksum,
			              "dirty cleared");
			if (rc == 0)
				rc = strata__history_sql_clean(
				        ctx, sql, v->version, NULL);
			continue;
		}
		if (recorded)
			continue;
		m = strata__view_source(ctx, v);
		rc = strata__migration_load(ctx, m);
		if (rc == 0)
			rc = strata__history_record_as(ctx, sql, m,
			                               HISTORY_BASELINE, 0,
			                               action,
			                               "marked applied");
	}
	return rc;
}

static int exec_in_txn(strata_ctx *ctx, const strata_buf *sql)
{
	struct txn t;
	int rc;

	if (!sql->len)
		return 0;
	rc = strata__txn_begin(&t, ctx);
	if (rc == 0)
		rc = strata__txn_end(&t, strata__conn_exec(ctx, sql->ptr,
		                                           sql->len));
	return rc;
}

int strata_force(strata_ctx *ctx, const char *version)
{
	return strata__force(ctx, version, "force");
}

int strata__force(strata_ctx *ctx, const char *version, const char *action)
{
	strata_buf sql = STRATA_BUF_INIT;
	char v[STRATA_VERSION_SIZE];
	int rc = 0;

	strata__error_clear(ctx);
	/* "0": nothing older is applied, whether a migration has 0 or not */
	if (version)
		rc = caller_version(ctx, "version", version, v);
	if (rc == 0)
		rc = strata__open_read(ctx);
	if (rc == 0)
		rc = strata__build_view(ctx);
	if (rc == 0 && version && strcmp(v, "0") != 0 && !known_version(ctx, v))
		rc = strata__error_set(ctx, STRATA_EINVALID,
		                       "no migration has version %s (use 0, or "
		                       "'none' when a migration has version 0, "
		                       "to declare that nothing is applied)",
		                       v);
	if (rc == 0)
		rc = strata__open_write(ctx);
	if (rc == 0)
		rc = strata__build_view(ctx);
	if (rc == 0)
		rc = force_sql(ctx, &sql, version ? v : NULL, action);
	if (rc == 0)
		rc = exec_in_txn(ctx, &sql);
	strata_buf_release(&sql);
	strata__close_write(ctx);
	return rc;
}

/* The log row of a repair that records v's new name or checksum. */
static int repair_log(strata_ctx *ctx, strata_buf *sql,
                      const strata_migration *v, const char *checksum)
{
	strata_buf detail = STRATA_BUF_INIT;
	int renamed = v->kind != STRATA_KIND_REPEATABLE &&
	              strcmp(v->applied_name, v->name) != 0;
	int rc;

	if (renamed)
		rc = strata__buf_printf(&detail,
		                        "new name recorded (applied as '%s')%s",
		                        v->applied_name,
		                        v->state == STRATA_STATE_MODIFIED ?
		                                " and new checksum" :
		                                "");
	else
		rc = strata__buf_printf(
		        &detail, "new checksum recorded (was %.12s)",
		        v->applied_checksum ? v->applied_checksum : "none");
	if (rc == 0)
		rc = log_view(ctx, sql, "repair", v, checksum, detail.ptr);
	strata_buf_release(&detail);
	return rc == STRATA_ENOMEM ? strata__oom(ctx) : rc;
}

int strata_repair(strata_ctx *ctx, int prune, size_t *n_fixed)
{
	strata_buf sql = STRATA_BUF_INIT;
	size_t i, n = 0;
	int rc;

	*n_fixed = 0;
	strata__error_clear(ctx);
	rc = strata__open_write(ctx);
	if (rc == 0)
		rc = strata__build_view(ctx);
	for (i = 0; rc == 0 && i < ctx->n_view; i++) {
		const strata_migration *v = &ctx->view[i];
		struct migration *m;
		const char *file;

		if (prune && v->state == STRATA_STATE_MISSING) {
			strata__emitf(ctx, STRATA_EVENT_INFO,
			              "forgetting migration %s (%s): its "
			              "file is gone",
			              v->version, v->name);
			rc = log_view(ctx, &sql, "repair", v,
			              v->applied_checksum,
			              "row deleted: its file is gone");
			if (rc == 0)
				rc = strata__history_sql_delete(
				        ctx, &sql, v->version, v->name);
			n++;
			continue;
		}
		if (v->state != STRATA_STATE_MODIFIED &&
		    v->state != STRATA_STATE_RENAMED)
			continue;
		m = strata__view_source(ctx, v);
		file = strrchr(m->up_path, '/') ? strrchr(m->up_path, '/') + 1 :
		                                  m->up_path;
		rc = repair_log(ctx, &sql, v, m->checksum);
		if (rc < 0)
			break;
		if (v->kind != STRATA_KIND_REPEATABLE &&
		    strcmp(v->applied_name, v->name) != 0) {
			rc = strata__history_sql_rename(ctx, &sql, v->version,
			                                m->name, m->checksum,
			                                file);
			if (rc == 0)
				strata__emitf(
				        ctx, STRATA_EVENT_INFO,
				        "recorded the new name of %s "
				        "(applied as '%s')%s",
				        m->up_path, v->applied_name,
				        v->state == STRATA_STATE_MODIFIED ?
				                " and its new checksum" :
				                "");
		} else {
			rc = strata__history_sql_checksum(
			        ctx, &sql, v->version,
			        v->kind == STRATA_KIND_REPEATABLE ? v->name :
			                                            NULL,
			        m->checksum, file);
			if (rc == 0)
				strata__emitf(ctx, STRATA_EVENT_INFO,
				              "recorded the new checksum of %s",
				              m->up_path);
		}
		n++;
	}
	if (rc == 0)
		rc = exec_in_txn(ctx, &sql);
	strata_buf_release(&sql);
	strata__close_write(ctx);
	if (rc == 0)
		*n_fixed = n;
	return rc;
}

/* oldest first: by time applied, then version */
static int entry_cmp(const void *a, const void *b)
{
	const strata_history_entry *x = a, *y = b;
	int c = strcmp(x->applied_at, y->applied_at);

	if (c)
		return c;
	return strata__version_cmp(x->version, y->version);
}

int strata_history(const strata_history_entry **out, size_t *n, strata_ctx *ctx)
{
	size_t i;
	int rc;

	*out = NULL;
	*n = 0;
	strata__error_clear(ctx);
	rc = strata__open_read(ctx);
	if (rc < 0)
		return rc;
	strata__free(ctx->entries);
	ctx->entries =
	        strata__calloc(ctx->history.n + 1, sizeof(*ctx->entries));
	if (!ctx->entries)
		return strata__oom(ctx);
	for (i = 0; i < ctx->history.n; i++) {
		const struct history_row *r = &ctx->history.v[i];
		strata_history_entry *e = &ctx->entries[i];

		e->version = r->version;
		e->name = r->name;
		e->kind = r->kind;
		e->file = r->file;
		e->checksum = r->checksum;
		e->checksum_algorithm = r->checksum_algorithm;
		e->applied_at = r->applied_at;
		e->execution_ms = r->execution_ms;
		e->applied_by = r->applied_by;
		e->target = r->target;
		e->database_type = r->database_type;
		e->dirty = r->dirty;
		e->version_text = r->version;
		if (r->kind != STRATA_KIND_REPEATABLE) {
			const struct migration *m =
			        strata__source_find(&ctx->source, r->version);

			if (m)
				e->version_text = m->version_text;
		}
	}
	ctx->n_entries = ctx->history.n;
	if (ctx->n_entries > 1)
		qsort(ctx->entries, ctx->n_entries, sizeof(*ctx->entries),
		      entry_cmp);
	*out = ctx->entries;
	*n = ctx->n_entries;
	return 0;
}

int strata_history_log(const strata_log_entry **out, size_t *n, strata_ctx *ctx)
{
	size_t i;
	int rc;

	*out = NULL;
	*n = 0;
	strata__error_clear(ctx);
	rc = strata__open_read(ctx);
	if (rc == 0 && ctx->conn)
		rc = strata__log_read(ctx);
	else
		strata__log_release(ctx);
	if (rc < 0)
		return rc;
	for (i = 0; i < ctx->n_log; i++) {
		strata_log_entry *e = &ctx->log[i];
		const struct migration *m =
		        e->version[0] ?
		                strata__source_find(&ctx->source, e->version) :
		                NULL;

		if (m && e->kind != STRATA_KIND_REPEATABLE)
			e->version_text = m->version_text;
	}
	*out = ctx->log;
	*n = ctx->n_log;
	return 0;
}
