/*
 * strata adopt: record, in strata's history, every migration another
 * tool's history table says is applied, without running anything. The
 * rows are matched with the folder (adopt_tools.c reads them, adopt_sum.c
 * proves their checksums); every refusal is decided before anything is
 * written, and the writing is one transaction where the database has
 * transactional DDL (on MySQL the steps are ordered so that a failure
 * leaves the other tool's table where it was, or strata's table whole).
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "common.h"
#include "ctx.h"
#include "driver.h"
#include "engine.h"
#include "history.h"
#include "adopt.h"

static int add_item(struct adopt *a, strata_adopt_action act,
                    struct migration *m, const struct foreign_row *r,
                    const char *detail)
{
	struct adopt_plan_item *it;

	if (a->n_items == a->alloc_items) {
		size_t n = a->alloc_items ? a->alloc_items * 2 : 32;
		void *p = strata__realloc(a->items, n * sizeof(*it));

		if (!p)
			return strata__oom(a->ctx);
		a->items = p;
		a->alloc_items = n;
	}
	it = &a->items[a->n_items++];
	memset(it, 0, sizeof(*it));
	it->action = act;
	it->m = m;
	it->row = r;
	it->version_text = strata__strdup(m               ? m->version_text :
	                                  r && r->version ? r->version :
	                                                    "");
	it->name = strata__strdup(m ? m->name : r ? r->key : "");
	it->detail = strata__strdup(detail ? detail : "");
	if (!it->version_text || !it->name || !it->detail)
		return strata__oom(a->ctx);
	if (act >= STRATA_ADOPT_MISSING)
		a->n_refused++;
	if (act == STRATA_ADOPT_RECORD || act == STRATA_ADOPT_BASELINE)
		a->n_recorded++;
	return 0;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* The migration a row names: by version, a repeatable by its file. */
static struct migration *row_migration(struct adopt *a,
                                       const struct foreign_row *r)
{
	struct source *src = &a->ctx->source;
	char v[STRATA_VERSION_SIZE];
	size_t i;

	if (r->repeatable) {
		for (i = 0; i < src->n; i++)
			if (src->v[i].kind == STRATA_KIND_REPEATABLE &&
			    strcmp(base_name(src->v[i].up_path),
			           base_name(r->key)) == 0)
				return &src->v[i];
		return NULL;
	}
	if (strata__adopt_version(r->version, a->tool->lead, v) < 0)
		return NULL;
	return strata__source_find(src, v);
}

static int missing(struct adopt *a, const struct foreign_row *r)
{
	char v[STRATA_VERSION_SIZE], why[160];

	if (!r->repeatable &&
	    strata__adopt_version(r->version, a->tool->lead, v) < 0)
		snprintf(why, sizeof(why),
		         "'%s' is not a version strata reads yet: no file of "
		         "the folder is this migration",
		         r->version ? r->version : "");
	else
		snprintf(why, sizeof(why),
		         "%s says it is applied and no file of the folder is "
		         "this migration",
		         a->tool->name);
	return add_item(
	        a, a->opts->prune ? STRATA_ADOPT_PRUNED : STRATA_ADOPT_MISSING,
	        NULL, r, why);
}

/* An applied row with its file: proved, then recorded. */
static int applied(struct adopt *a, const struct foreign_row *r,
                   struct migration *m, char *seen)
{
	strata_buf sum = STRATA_BUF_INIT, why = STRATA_BUF_INIT;
	int rc = strata__adopt_sum_check(a->ctx, a->tool->sum, m->up_path,
	                                 r->checksum, &sum);

	seen[m - a->ctx->source.v] = 1;
	if (rc == 1) {
		rc = add_item(a, STRATA_ADOPT_RECORD, m, r, NULL);
	} else if (rc == 0) {
		rc = strata__buf_printf(
		        &why,
		        "the file's %s is %s and %s recorded %s: the file is "
		        "not the one that was applied",
		        strata__adopt_sum_name(a->tool->sum, r->checksum),
		        sum.ptr, a->tool->name, r->checksum);
		if (rc == 0 && r->repeatable)
			rc = strata__buf_puts(
			        &why, "; it is run again by 'strata up', as "
			              "the other tool would");
		rc = rc < 0 ? strata__oom(a->ctx) :
		              add_item(a,
		                       r->repeatable ? STRATA_ADOPT_PENDING :
		                                       STRATA_ADOPT_MISMATCH,
		                       m, r, why.ptr);
	}
	strata_buf_release(&sum);
	strata_buf_release(&why);
	return rc;
}

/* golang-migrate: every file up to the version is applied. */
static int upto(struct adopt *a, const struct foreign_row *r, char *seen)
{
	struct source *src = &a->ctx->source;
	char v[STRATA_VERSION_SIZE];
	size_t i;
	int rc = 0, ok = strata__adopt_version(r->version, 0, v) == 0;

	if (!ok || !strata__source_find(src, v))
		rc = missing(a, r);
	for (i = 0; rc == 0 && ok && i < src->n; i++)
		if (src->v[i].kind != STRATA_KIND_REPEATABLE && !seen[i] &&
		    strata__version_cmp(src->v[i].version, v) <= 0) {
			seen[i] = 1;
			rc = add_item(a, STRATA_ADOPT_RECORD, &src->v[i], r,
			              NULL);
		}
	return rc;
}

static int failed(struct adopt *a, const struct foreign_row *r, char *seen)
{
	struct migration *m = row_migration(a, r);
	strata_buf why = STRATA_BUF_INIT;
	int rc = strata__buf_printf(&why, "%s", r->why ? r->why : "failed");

	if (rc == 0 && a->tool->recover)
		rc = strata__buf_printf(&why, "; to go on: %s",
		                        a->tool->recover);
	if (m)
		seen[m - a->ctx->source.v] = 1;
	rc = rc < 0 ? strata__oom(a->ctx) :
	              add_item(a, STRATA_ADOPT_FAILED, m, r, why.ptr);
	strata_buf_release(&why);
	return rc;
}

static int item_cmp(const void *x, const void *y)
{
	const struct adopt_plan_item *a = x, *b = y;
	int ra = a->m && a->m->kind == STRATA_KIND_REPEATABLE,
	    rb = b->m && b->m->kind == STRATA_KIND_REPEATABLE, c;

	if (ra != rb)
		return ra - rb;
	/* rows without a file last */
	if (!a->m != !b->m)
		return !a->m ? 1 : -1;
	c = a->m ? strata__version_cmp(a->m->version, b->m->version) : 0;
	if (c)
		return c;
	return strcmp(a->version_text, b->version_text) ?
	               strcmp(a->version_text, b->version_text) :
	               strcmp(a->name, b->name);
}

/* Match the rows with the folder: one item per migration or row. */
static int plan(struct adopt *a)
{
	struct source *src = &a->ctx->source;
	const struct foreign_row *folder = NULL;
	char base[STRATA_VERSION_SIZE] = "";
	char *seen = strata__calloc(src->n + 1, 1);
	size_t i;
	int rc = 0;

	if (!seen)
		return strata__oom(a->ctx);

	for (i = 0; rc == 0 && i < a->n_rows; i++) {
		const struct foreign_row *r = &a->rows[i];
		struct migration *m;
		char v[STRATA_VERSION_SIZE];

		switch (r->state) {
		case FS_GONE:
			break;
		case FS_FAILED:
			rc = failed(a, r, seen);
			break;
		case FS_FOLDER:
			folder = r;
			break;
		case FS_UPTO:
			rc = upto(a, r, seen);
			break;
		case FS_BASELINE:
			if (strata__adopt_version(r->version, a->tool->lead,
			                          v) == 0 &&
			    strata__version_cmp(v, base) > 0)
				memcpy(base, v, sizeof(base));
			break;
		case FS_APPLIED:
			m = row_migration(a, r);
			if (!m)
				rc = missing(a, r);
			else if (!seen[m - src->v])
				rc = applied(a, r, m, seen);
			break;
		}
	}
	/* the rest of the folder: baselines, or pending */
	for (i = 0; rc == 0 && i < src->n; i++) {
		struct migration *m = &src->v[i];
		int below = m->kind != STRATA_KIND_REPEATABLE &&
		            (folder ||
		             (base[0] &&
		              strata__version_cmp(m->version, base) <= 0));

		if (seen[i])
			continue;
		rc = add_item(
		        a, below ? STRATA_ADOPT_BASELINE : STRATA_ADOPT_PENDING,
		        m, NULL, NULL);
	}
	strata__free(seen);
	if (rc == 0 && a->n_items > 1)
		qsort(a->items, a->n_items, sizeof(*a->items), item_cmp);
	return rc;
}

/* Alembic with an empty folder: the baseline file, to be written. */
static int alembic_file(struct adopt *a, strata_buf *path)
{
	const struct foreign_row *r = NULL;
	size_t i;
	int rc;

	for (i = 0; i < a->n_rows; i++)
		if (a->rows[i].state == FS_FOLDER)
			r = &a->rows[i];
	if (!r || a->ctx->source.n)
		return 0;
	rc = strata__buf_printf(path, "%s/0001_alembic_", a->ctx->dir);
	for (i = 0; rc == 0 && r->key[i] && i < 40; i++) {
		char c = r->key[i];
		int ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		         (c >= 'A' && c <= 'Z');

		rc = strata__buf_putc(path, ok ? c : '_');
	}
	if (rc == 0)
		rc = strata__buf_puts(path, ".up.sql");
	return rc < 0 ? strata__oom(a->ctx) : 1;
}

static int dry_alembic_item(struct adopt *a, const char *path)
{
	struct adopt_plan_item *it;
	int rc = add_item(a, STRATA_ADOPT_BASELINE, NULL, NULL,
	                  "the baseline file, written by the run");

	if (rc < 0)
		return rc;
	it = &a->items[a->n_items - 1];
	strata__free(it->name);
	strata__free(it->version_text);
	it->name = strata__strdup(base_name(path));
	it->version_text = strata__strdup("0001");
	return it->name && it->version_text ? 0 : strata__oom(a->ctx);
}

static int write_alembic_file(struct adopt *a, const char *path)
{
	const struct foreign_row *r = NULL;
	strata_buf text = STRATA_BUF_INIT;
	size_t i, off = 0;
	int fd, rc;

	for (i = 0; i < a->n_rows; i++)
		if (a->rows[i].state == FS_FOLDER)
			r = &a->rows[i];
	rc = strata__buf_printf(
	        &text,
	        "-- strata:empty\n"
	        "-- The schema as Alembic left it at revision %s (table\n"
	        "-- alembic_version), recorded as applied by 'strata adopt'.\n"
	        "-- A new database gets nothing from this file: put the\n"
	        "-- schema here (pg_dump --schema-only, mysqldump --no-data,\n"
	        "-- sqlite3 .schema) in place of these lines, then record\n"
	        "-- the edit with 'strata repair'.\n",
	        r ? r->key : "");
	if (rc < 0)
		return strata__oom(a->ctx);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	while (fd >= 0 && off < text.len) {
		ssize_t w = write(fd, text.ptr + off, text.len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (fd < 0 || off < text.len || close(fd) < 0) {
		strata__error_set(a->ctx, STRATA_EIO, "cannot write: %s",
		                  strerror(errno));
		strata__error_at(a->ctx, path, 0, 0);
		if (fd >= 0)
			unlink(path);
		rc = STRATA_EIO;
	}
	strata_buf_release(&text);
	return rc;
}

/* The folder again, with the baseline file in it. */
static int reload_folder(struct adopt *a)
{
	strata_ctx *ctx = a->ctx;
	int rc;

	strata__adopt_items_release(a);
	a->n_recorded = a->n_refused = 0;
	strata__source_release(&ctx->source);
	ctx->source_loaded = 0;
	rc = strata__source_load(ctx, &ctx->source, ctx->dir);
	ctx->source_loaded = rc == 0;
	if (rc == 0 && ctx->source.n)
		rc = strata__migration_load(ctx, &ctx->source.v[0]);
	return rc < 0 ? rc : plan(a);
}

static int refuse(struct adopt *a)
{
	strata_ctx *ctx = a->ctx;
	const struct adopt_plan_item *first = NULL;
	size_t i;

	for (i = 0; i < a->n_items; i++)
		if (a->items[i].action >= STRATA_ADOPT_MISSING) {
			first = &a->items[i];
			break;
		}
	if (!first)
		return 0;
	strata__error_set(
	        ctx, STRATA_ESTATE, "cannot adopt %s's history: %s %s: %s",
	        a->tool->name, first->m ? "migration" : "row",
	        first->version_text[0] ? first->version_text : first->name,
	        first->detail);
	if (first->m)
		strata__error_at(ctx, first->m->up_path, 0, 0);
	if (a->n_refused > 1)
		strata__error_detail(ctx, "%zu refusals in all: see the list",
		                     a->n_refused);
	if (first->action == STRATA_ADOPT_MISSING)
		strata__error_detail(
		        ctx,
		        "restore the file, or leave the row out with %s "
		        "(the row stays in %s's table)",
		        strata__setting(ctx, STRATA_SETTING_ADOPT_PRUNE),
		        a->tool->name);
	strata__error_detail(ctx, "nothing was written");
	return STRATA_ESTATE;
}

/* The history rows, written as the one history writer writes them. */
static int rows_sql(struct adopt *a, strata_buf *out)
{
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < a->n_items; i++) {
		struct adopt_plan_item *it = &a->items[i];

		if (it->action == STRATA_ADOPT_RECORD)
			rc = strata__history_record_as(a->ctx, out, it->m,
			                               HISTORY_APPLIED, 0,
			                               "adopt",
			                               "recorded as applied");
		else if (it->action == STRATA_ADOPT_BASELINE)
			rc = strata__history_record_as(
			        a->ctx, out, it->m, HISTORY_BASELINE, 0,
			        "adopt", "recorded as a baseline");
	}
	return rc;
}

static int exec_buf(strata_ctx *ctx, const strata_buf *b)
{
	return b->len ? strata__conn_exec(ctx, b->ptr, b->len) : 0;
}

/* SQLite, PostgreSQL: rename, create and record in one transaction. */
static int write_txn(struct adopt *a)
{
	strata_ctx *ctx = a->ctx;
	strata_buf sql = STRATA_BUF_INIT;
	struct txn t;
	int rc = 0;

	if (a->renamed && !a->already_moved)
		rc = strata__adopt_rename_sql(a, &sql, a->at, a->renamed);
	if (rc == 0)
		rc = strata__history_sql_create(ctx, &sql);
	if (rc == 0)
		rc = rows_sql(a, &sql);
	if (rc == 0)
		rc = strata__txn_begin(&t, ctx);
	if (rc == 0)
		rc = strata__txn_end(&t, exec_buf(ctx, &sql));
	strata_buf_release(&sql);
	return rc;
}

/*
 * MySQL, where DDL commits by itself: strata's table is made whole
 * under a scratch name first, and only then do the two tables swap
 * names in one RENAME TABLE (atomic): a failure before leaves the other
 * tool's table as it was, and the scratch table is dropped on the next
 * try. Without a rename, an empty strata table is all a failure leaves.
 */
static int write_steps(struct adopt *a)
{
	strata_ctx *ctx = a->ctx;
	strata_buf scratch = STRATA_BUF_INIT, sql = STRATA_BUF_INIT,
	           rows = STRATA_BUF_INIT;
	char *home = ctx->table;
	int swap = a->renamed && !a->already_moved;
	struct txn t;
	int rc = 0;

	if (swap) {
		rc = strata__buf_printf(&scratch, "%s_strata_adopt", home);
		if (rc < 0)
			return strata__oom(ctx);
		ctx->table = scratch.ptr;
		ctx->log_home = home; /* the log keeps its name */
		rc = strata__buf_puts(&sql, "DROP TABLE IF EXISTS ");
		if (rc == 0)
			rc = strata__history_qualified(ctx, &sql);
		if (rc == 0)
			rc = exec_buf(ctx, &sql);
		strata__buf_clear(&sql);
	}
	if (rc == 0)
		rc = strata__history_sql_create(ctx, &sql);
	if (rc == 0)
		rc = rows_sql(a, &rows);
	if (rc == 0)
		rc = exec_buf(ctx, &sql);
	if (rc == 0)
		rc = strata__txn_begin(&t, ctx);
	if (rc == 0)
		rc = strata__txn_end(&t, exec_buf(ctx, &rows));
	ctx->table = home;
	ctx->log_home = NULL;
	if (rc == 0 && swap) {
		strata__buf_clear(&sql);
		rc = strata__buf_puts(&sql, "RENAME TABLE ");
		if (rc == 0)
			rc = strata__adopt_qualified(ctx, &sql, a->at);
		if (rc == 0)
			rc = strata__buf_puts(&sql, " TO ");
		if (rc == 0)
			rc = strata__adopt_qualified(ctx, &sql, a->renamed);
		if (rc == 0)
			rc = strata__buf_puts(&sql, ", ");
		if (rc == 0)
			rc = strata__adopt_qualified(ctx, &sql, scratch.ptr);
		if (rc == 0)
			rc = strata__buf_puts(&sql, " TO ");
		if (rc == 0)
			rc = strata__history_qualified(ctx, &sql);
		if (rc == 0)
			rc = exec_buf(ctx, &sql);
	}
	strata_buf_release(&scratch);
	strata_buf_release(&sql);
	strata_buf_release(&rows);
	return rc == STRATA_ENOMEM ? strata__oom(ctx) : rc;
}

static int write_history(struct adopt *a)
{
	strata_ctx *ctx = a->ctx;
	strata_buf path = STRATA_BUF_INIT;
	int rc = alembic_file(a, &path);

	if (rc > 0) {
		rc = write_alembic_file(a, path.ptr);
		a->baseline_file = rc == 0 ? strata__buf_detach(&path) : NULL;
		if (rc == 0)
			rc = reload_folder(a);
	}
	strata_buf_release(&path);
	if (rc < 0)
		return rc;
	rc = strata__driver_can(ctx, STRATA_DRIVER_CAP_TXN_DDL) ?
	             write_txn(a) :
	             write_steps(a);
	if (rc < 0) {
		strata__error_prefix(ctx, "cannot record %s's history in '%s'",
		                     a->tool->name, ctx->table);
		strata__error_detail(
		        ctx, "%s",
		        strata__driver_can(ctx, STRATA_DRIVER_CAP_TXN_DDL) ?
		                "nothing was written (the transaction was "
		                "rolled back)" :
		                "the other tool's table is where it was; run "
		                "'strata adopt' again");
	}
	return rc;
}

static int next_steps(struct adopt *a)
{
	const char *rev = NULL;
	size_t i;
	int rc = 0;

	for (i = 0; i < a->n_rows; i++)
		if (a->rows[i].state == FS_FOLDER)
			rev = a->rows[i].key;
	if (!rev && a->tool->finish && strcmp(a->tool->name, "alembic") == 0)
		rc = strata__buf_puts(&a->next,
		                      "alembic_version is empty (nothing "
		                      "applied): 'strata up' applies the "
		                      "folder's SQL files");
	else if (rev)
		rc = strata__buf_printf(
		        &a->next,
		        "Alembic revision %s is recorded as strata's baseline%s%s"
		        "; go on with SQL files: 'strata new NAME' writes the "
		        "next migration and 'strata up' applies it (Alembic's "
		        "Python revisions are not run). alembic_version is "
		        "left as it was",
		        rev, a->baseline_file ? " in " : "",
		        a->baseline_file ? a->baseline_file : "");
	return rc < 0 ? strata__oom(a->ctx) : 0;
}

static int publish(struct adopt *a)
{
	strata_adopt_result *res = &a->result;
	size_t i;

	strata__free(a->out_items);
	a->out_items = strata__calloc(a->n_items + 1, sizeof(*a->out_items));
	if (!a->out_items)
		return strata__oom(a->ctx);
	for (i = 0; i < a->n_items; i++) {
		const struct adopt_plan_item *it = &a->items[i];
		strata_adopt_item *o = &a->out_items[i];

		o->action = it->action;
		o->version_text = it->version_text;
		o->name = it->name;
		o->file = it->m ? it->m->up_path : "";
		o->detail = it->detail;
	}
	res->tool = a->tool->name;
	res->table = a->tool->table;
	res->renamed_to = a->renamed ? a->renamed : "";
	res->items = a->out_items;
	res->n_items = a->n_items;
	res->n_recorded = a->n_recorded;
	res->undo_sql = a->undo_sql.ptr;
	res->next = a->next.ptr;
	return 0;
}

/* Every file read and checked, as `up` would before applying. */
static int load_folder(strata_ctx *ctx)
{
	size_t i;
	int rc = 0;

	if (!ctx->source_loaded) {
		rc = strata__source_load(ctx, &ctx->source, ctx->dir);
		ctx->source_loaded = rc == 0;
	}
	for (i = 0; rc == 0 && i < ctx->source.n; i++)
		rc = strata__migration_load(ctx, &ctx->source.v[i]);
	return rc;
}

static int already_kept(struct adopt *a)
{
	strata_ctx *ctx = a->ctx;

	if (!ctx->history.n && !ctx->history.n_bad)
		return 0;
	strata__error_set(ctx, STRATA_ESTATE,
	                  "strata already keeps a history in '%s' (%zu "
	                  "rows): adopt takes over a database another "
	                  "tool has managed so far",
	                  ctx->table, ctx->history.n_seen);
	strata__error_detail(ctx, "to give it back to %s: %s", a->tool->name,
	                     strata__setting(ctx, STRATA_SETTING_ADOPT_UNDO));
	return STRATA_ESTATE;
}

static int open_adopt(struct adopt *a)
{
	strata_ctx *ctx = a->ctx;
	int rc = load_folder(ctx);

	if (rc == 0)
		rc = strata__connect(ctx, 0);
	if (rc == STRATA_ENOTFOUND) {
		strata__error_clear(ctx);
		return strata__error_set(ctx, STRATA_ESTATE,
		                         "the database %s does not exist: "
		                         "there is no history to adopt",
		                         ctx->url_redacted);
	}
	if (rc == 0)
		rc = strata__lock_runner(ctx);
	if (rc == 0)
		rc = strata__adopt_detect(a);
	if (rc == 0 && a->strata_exists)
		rc = strata__history_read(ctx);
	if (rc == 0 && a->name_taken)
		rc = strata__error_set(
		        ctx, STRATA_ESTATE,
		        "table '%s' exists and is neither strata's nor %s's: "
		        "strata's history needs another name (%s)",
		        ctx->table, a->tool->name,
		        strata__setting(ctx, STRATA_SETTING_TABLE));
	if (rc == 0)
		rc = strata__adopt_read(a);
	return rc;
}

int strata_adopt(const strata_adopt_result **out, strata_ctx *ctx,
                 const strata_adopt_options *opts)
{
	strata_adopt_options none;
	struct adopt *a;
	int rc;

	*out = NULL;
	if (!opts) {
		memset(&none, 0, sizeof(none));
		opts = &none;
	}
	strata__error_clear(ctx);
	strata__adopt_free(ctx);
	a = strata__calloc(1, sizeof(*a));
	if (!a)
		return strata__oom(ctx);
	ctx->adopt = a;
	a->ctx = ctx;
	a->undo_sql = (strata_buf)STRATA_BUF_INIT;
	a->next = (strata_buf)STRATA_BUF_INIT;
	a->opts = opts;
	rc = open_adopt(a);
	if (rc == 0 && !opts->undo)
		rc = already_kept(a);
	if (rc == 0)
		rc = plan(a);
	if (rc == 0 && !opts->undo) {
		strata_buf path = STRATA_BUF_INIT;

		/* a dry run shows the Alembic baseline file it would write */
		if (opts->dry_run && alembic_file(a, &path) > 0)
			rc = dry_alembic_item(a, path.ptr);
		strata_buf_release(&path);
	}
	if (rc == 0 && opts->undo) {
		rc = strata__adopt_undo(a);
		goto done;
	}
	if (rc == 0)
		rc = refuse(a);
	if (rc == 0 && !opts->dry_run)
		rc = write_history(a);
	if (rc == 0)
		rc = strata__adopt_undo_sql(a, &a->undo_sql, 1);
	if (rc == 0)
		rc = next_steps(a);
done:
	if (a->tool && publish(a) == 0)
		*out = &a->result;
	strata__close_write(ctx);
	return rc;
}
