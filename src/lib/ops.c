/*
 * The operations up, down and redo: each one decides what to run
 * (choose.c), checks every part first, and only then runs them (run.c),
 * under the runner lock. force and repair: repair.c; the history as read:
 * history_list.c.
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
	newest = strata__newest_applied(ctx);
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
