/*
 * The history table's shape: strata__history_check tells strata's table
 * from another tool's, and brings a table an older strata made up to
 * date (a narrow dirty column is widened). A writer also checks that the
 * name of the history log (<table>_log, history_log.c) is free or
 * strata's: the log is made with the table, or beside an older one by
 * the first command that writes.
 *
 * The history table as strata wrote it before versions were text (version
 * BIGINT, no version_sort; repeatables had version 0) is upgraded in
 * place by the first command that writes, under the runner lock. Reading
 * commands read it as it is.
 *
 * With transactional DDL (PostgreSQL, SQLite) it is one transaction: the
 * rows are copied aside to <table>_strata_old, the table is made again in
 * the new format and filled from the copy, and the copy dropped; a crash
 * or an error at any point leaves the old table as it was. Without it
 * (MySQL, MariaDB: every DDL statement commits) the new table is built
 * beside the old one as <table>_strata_new, swapped in with one atomic
 * RENAME TABLE (the old one becoming <table>_strata_old), and the old
 * one dropped; the next writer removes what a stop left behind: a
 * half-built <table>_strata_new, or the <table>_strata_old of a finished
 * swap. Rows keep every value (applied_at, checksums, names); versions
 * become their text, and version_sort their sort key.
 */
#include <strings.h>

#include "common.h"
#include "ctx.h"
#include "driver.h"
#include "history.h"
#include "../util/testpoint.h"

#define SUFFIX_OLD "_strata_old"
#define SUFFIX_NEW "_strata_new"
/* versions per UPDATE statement that sets the sort keys */
#define KEYS_PER_UPDATE 200

static const char *const strata_columns[HISTORY_COLUMNS] = {
	"version",      "name",          "kind",
	"file",         "checksum",      "checksum_algorithm",
	"applied_at",   "execution_ms",  "applied_by",
	"target",       "database_type", "dirty",
	"version_sort",
};

struct columns {
	int seen[ARRAY_SIZE(strata_columns)];
	int n, n_other, version, dirty;
	char other[64];
	char dirty_type[32]; /* as the driver names it, or "" */
};

static int column_cb(void *payload, int ncols, const char *const *values)
{
	struct columns *cols = payload;
	size_t i;

	if (ncols < 1 || !values[0])
		return 0;
	cols->n++;
	for (i = 0; i < ARRAY_SIZE(strata_columns); i++)
		if (strcasecmp(values[0], strata_columns[i]) == 0) {
			cols->seen[i] = 1;
			if (i == HCOL_DIRTY && ncols >= 2 && values[1])
				snprintf(cols->dirty_type,
				         sizeof(cols->dirty_type), "%s",
				         values[1]);
			return 0;
		}
	if (!cols->n_other++)
		snprintf(cols->other, sizeof(cols->other), "%s", values[0]);
	return 0;
}

/* Integer types too narrow for a statement number: tables made before
 * strata could count past statement 32767 had SMALLINT. */
static int narrow_type(const char *type)
{
	static const char *const narrow[] = { "smallint", "int2", "tinyint",
		                              "mediumint" };
	size_t i, n = strcspn(type, " (");

	for (i = 0; i < ARRAY_SIZE(narrow); i++)
		if (strlen(narrow[i]) == n &&
		    strncasecmp(type, narrow[i], n) == 0)
			return 1;
	return 0;
}

/* Widen the dirty column to BIGINT, in a transaction where DDL is
 * transactional; the caller holds the runner lock. */
static int widen_dirty(strata_ctx *ctx, const char *type)
{
	strata_buf sql = STRATA_BUF_INIT;
	struct txn t = { ctx, 0 };
	int rc = strata__buf_puts(&sql, "ALTER TABLE ");

	if (rc == 0)
		rc = strata__history_qualified(ctx, &sql);
	if (rc == 0)
		rc = strata__buf_printf(
		        &sql, " %s",
		        strata__driver_text(ctx, STRATA_DRV_WIDEN_DIRTY_SQL));
	if (rc < 0) {
		strata_buf_release(&sql);
		return rc == STRATA_ENOMEM ? strata__oom(ctx) : rc;
	}
	if (strata__driver_can(ctx, STRATA_DRIVER_CAP_TXN_DDL))
		rc = strata__txn_begin(&t, ctx);
	if (rc == 0)
		rc = strata__conn_exec(ctx, sql.ptr, sql.len);
	rc = strata__txn_end(&t, rc);
	strata_buf_release(&sql);
	if (rc < 0) {
		strata__error_prefix(ctx,
		                     "cannot widen column 'dirty' (%s) of "
		                     "history table '%s' to BIGINT",
		                     type, ctx->table);
		return rc;
	}
	strata__emitf(ctx, STRATA_EVENT_INFO,
	              "history table '%s': column 'dirty' widened from %s to "
	              "BIGINT, so that it holds any statement number",
	              ctx->table, type);
	return 0;
}

/* The columns of table (no error set when it does not exist). */
static int read_columns(strata_ctx *ctx, const char *table,
                        struct columns *cols)
{
	int rc;

	memset(cols, 0, sizeof(*cols));
	rc = strata__conn_table_columns(ctx, strata__schema(ctx), table,
	                                column_cb, cols);
	if (rc == STRATA_ENOTFOUND)
		strata__error_clear(ctx);
	return rc;
}

/* 1: strata's columns; 2: all of them but version_sort (the format
 * before versions were text); 0: neither */
static int strata_shape(const struct columns *cols)
{
	size_t i, have = 0;

	for (i = 0; i < ARRAY_SIZE(strata_columns); i++)
		have += (size_t)cols->seen[i];
	if (have == ARRAY_SIZE(strata_columns))
		return 1;
	if (have == ARRAY_SIZE(strata_columns) - 1 && !cols->n_other &&
	    !cols->seen[HCOL_VERSION_SORT])
		return 2;
	return 0;
}

int strata__history_shape(strata_ctx *ctx, const char *table)
{
	struct columns cols;
	int rc = read_columns(ctx, table, &cols);

	if (rc == STRATA_ENOTFOUND)
		return 0;
	if (rc < 0)
		return rc;
	rc = strata_shape(&cols);
	return rc ? rc : 3;
}

int strata__history_check(strata_ctx *ctx, int widen)
{
	struct columns cols;
	size_t i;
	int rc, shape;

	ctx->history_old_format = 0;
	/* a writer makes the log beside the table: its name must be free
	 * or strata's */
	if (widen) {
		rc = strata__log_check(ctx);
		if (rc < 0)
			return rc;
		ctx->log_exists = rc;
	}
	rc = read_columns(ctx, ctx->table, &cols);
	if (rc == STRATA_ENOTFOUND)
		return 0;
	if (rc < 0)
		return rc;
	shape = strata_shape(&cols);
	/* the old format with columns of the user's own: read as it is,
	 * but an upgrade would lose them */
	if (shape == 0 && cols.n_other &&
	    (size_t)(cols.n - cols.n_other) == ARRAY_SIZE(strata_columns) - 1 &&
	    !cols.seen[HCOL_VERSION_SORT]) {
		ctx->history_old_format = 1;
		if (!widen)
			return 1;
		strata__error_set(
		        ctx, STRATA_ESTATE,
		        "cannot upgrade history table '%s' to the "
		        "format where versions are text: it has a "
		        "column strata did not make ('%s'), which the "
		        "upgrade would lose",
		        ctx->table, cols.other);
		strata__error_detail(
		        ctx,
		        "keep its values elsewhere and drop the "
		        "column (or give strata another table with "
		        "%s), then run the command again; "
		        "'%s' is unchanged",
		        strata__setting(ctx, STRATA_SETTING_TABLE), ctx->table);
		return STRATA_ESTATE;
	}
	if (shape == 2) {
		ctx->history_old_format = 1;
		if (!widen)
			return 1; /* read as it is */
		/* the new table's dirty column is BIGINT */
		rc = strata__history_upgrade(ctx, 1);
		if (rc == 0)
			ctx->history_old_format = 0;
		return rc < 0 ? rc : 1;
	}
	if (shape == 1) {
		/* what an upgrade without transactional DDL left behind */
		if (widen &&
		    !strata__driver_can(ctx, STRATA_DRIVER_CAP_TXN_DDL)) {
			rc = strata__history_upgrade(ctx, 0);
			if (rc < 0)
				return rc;
		}
		if (widen &&
		    strata__driver_text(ctx, STRATA_DRV_WIDEN_DIRTY_SQL) &&
		    narrow_type(cols.dirty_type)) {
			rc = widen_dirty(ctx, cols.dirty_type);
			if (rc < 0)
				return rc;
		}
		return 1;
	}
	if (cols.n == 2 && cols.seen[HCOL_VERSION] && cols.seen[HCOL_DIRTY])
		rc = strata__error_set(
		        ctx, STRATA_ESTATE,
		        "table '%s' belongs to golang-migrate (columns "
		        "version, dirty): strata will not write into it",
		        ctx->table);
	else if (cols.n == 1 && cols.seen[HCOL_VERSION])
		rc = strata__error_set(
		        ctx, STRATA_ESTATE,
		        "table '%s' belongs to dbmate (column "
		        "version): strata will not write into it",
		        ctx->table);
	else if (cols.n_other)
		rc = strata__error_set(
		        ctx, STRATA_ESTATE,
		        "table '%s' exists but is not a strata "
		        "history table (unexpected column '%s'): "
		        "strata will not write into it",
		        ctx->table, cols.other);
	else {
		/* strata's columns and no other: name one that is missing */
		for (i = 0; cols.seen[i]; i++)
			;
		rc = strata__error_set(
		        ctx, STRATA_ESTATE,
		        "table '%s' exists but is not a strata "
		        "history table (column '%s' is missing): "
		        "strata will not write into it",
		        ctx->table, strata_columns[i]);
	}
	strata__error_detail(ctx,
	                     "keep strata's history in another table with "
	                     "%s (for example strata_migrations)",
	                     strata__setting(ctx, STRATA_SETTING_TABLE));
	return rc;
}

/* Append "<statement start><table+suffix>". */
static int put_table(strata_ctx *ctx, strata_buf *out, const char *before,
                     const char *suffix)
{
	int rc = strata__buf_puts(out, before);

	if (rc == 0)
		rc = strata__history_qualified_as(ctx, out, suffix);
	return rc;
}

/* The sort keys, set by UPDATEs of KEYS_PER_UPDATE versions each. */
struct keys {
	strata_ctx *ctx;
	strata_buf *out;
	const char *suffix; /* of the table being filled */
	strata_buf when, in;
	size_t n;
};

static int flush_keys(struct keys *k)
{
	int rc;

	if (!k->n)
		return 0;
	rc = put_table(k->ctx, k->out, "UPDATE ", k->suffix);
	if (rc == 0)
		rc = strata__buf_printf(
		        k->out,
		        " SET version_sort = CASE version%s END "
		        "WHERE kind <> 'repeatable' AND version "
		        "IN (%s);\n",
		        k->when.ptr, k->in.ptr);
	strata__buf_clear(&k->when);
	strata__buf_clear(&k->in);
	k->n = 0;
	return rc;
}

static int key_cb(void *payload, int ncols, const char *const *v)
{
	struct keys *k = payload;
	char ver[STRATA_VERSION_SIZE], key[STRATA_VERSION_KEY_SIZE];
	int rc;

	/* a version that does not read is kept as it is: reading the table
	 * stops at its row, as it did before */
	if (ncols < 1 || !v[0] ||
	    strata__version_parse(ver, v[0], strlen(v[0])) < 0 ||
	    strcmp(ver, v[0]) != 0)
		return 0;
	strata__version_key(key, ver);
	rc = strata__buf_puts(&k->when, " WHEN ");
	if (rc == 0)
		rc = strata__conn_quote_literal(k->ctx, &k->when, ver);
	if (rc == 0)
		rc = strata__buf_puts(&k->when, " THEN ");
	if (rc == 0)
		rc = strata__conn_quote_literal(k->ctx, &k->when, key);
	if (rc == 0 && k->n)
		rc = strata__buf_puts(&k->in, ", ");
	if (rc == 0)
		rc = strata__conn_quote_literal(k->ctx, &k->in, ver);
	if (rc == 0 && ++k->n == KEYS_PER_UPDATE)
		rc = flush_keys(k);
	return rc < 0 ? STRATA_ENOMEM : 0;
}

/* UPDATEs of table+dst giving every version of table+src (read now) its
 * sort key, appended to out. */
static int sql_keys(strata_ctx *ctx, strata_buf *out, const char *src,
                    const char *dst)
{
	strata_buf sql = STRATA_BUF_INIT;
	struct keys k;
	int rc;

	memset(&k, 0, sizeof(k));
	k.ctx = ctx;
	k.out = out;
	k.suffix = dst;
	k.when = k.in = sql;
	rc = put_table(ctx, &sql, "SELECT DISTINCT version FROM ", src);
	if (rc == 0)
		rc = strata__conn_query(ctx, sql.ptr, key_cb, &k);
	if (rc == 0)
		rc = flush_keys(&k);
	strata_buf_release(&sql);
	strata_buf_release(&k.when);
	strata_buf_release(&k.in);
	return rc == STRATA_ENOMEM ? strata__oom(ctx) : rc;
}

/* Fill table+dst (made in the new format) from table+src (the old). */
static int sql_fill(strata_ctx *ctx, strata_buf *out, const char *src,
                    const char *dst)
{
	int rc = put_table(ctx, out, "INSERT INTO ", dst);

	if (rc == 0)
		rc = strata__buf_puts(out, " (" HISTORY_COLUMN_LIST
		                           ") SELECT " HISTORY_COLUMN_LIST_V1
		                           ", '' FROM ");
	if (rc == 0)
		rc = strata__history_qualified_as(ctx, out, src);
	/* repeatables had version 0; they have none now */
	if (rc == 0)
		rc = put_table(ctx, out, ";\nUPDATE ", dst);
	if (rc == 0)
		rc = strata__buf_puts(out, " SET version = '' WHERE kind = "
		                           "'repeatable';\n");
	/* the versions are read now, before any of this runs */
	if (rc == 0)
		rc = sql_keys(ctx, out, "", dst);
	return rc == STRATA_ENOMEM ? strata__oom(ctx) : rc;
}

/*
 * The statements of the upgrade, in three groups: build (after which the
 * new table is complete, the old one still in place), swap and finish.
 * With transactional DDL all of them run in one transaction, swap is
 * empty, and finish drops the copy.
 */
static int upgrade_sql(strata_ctx *ctx, strata_buf *build, strata_buf *swap,
                       strata_buf *finish)
{
	int rc;

	if (strata__driver_can(ctx, STRATA_DRIVER_CAP_TXN_DDL)) {
		rc = put_table(ctx, build, "CREATE TABLE ", SUFFIX_OLD);
		if (rc == 0)
			rc = put_table(ctx, build, " AS SELECT * FROM ", "");
		if (rc == 0)
			rc = put_table(ctx, build, ";\nDROP TABLE ", "");
		if (rc == 0)
			rc = strata__buf_puts(build, ";\n");
		if (rc == 0)
			rc = strata__history_sql_create(ctx, build);
		if (rc == 0)
			rc = sql_fill(ctx, build, SUFFIX_OLD, "");
		if (rc == 0)
			rc = put_table(ctx, finish, "DROP TABLE ", SUFFIX_OLD);
		if (rc == 0)
			rc = strata__buf_puts(finish, ";\n");
		return rc == STRATA_ENOMEM ? strata__oom(ctx) : rc;
	}
	rc = strata__history_sql_create_as(ctx, build, SUFFIX_NEW);
	if (rc == 0)
		rc = sql_fill(ctx, build, "", SUFFIX_NEW);
	/* MySQL's RENAME TABLE swaps both names in one atomic step */
	if (rc == 0)
		rc = put_table(ctx, swap, "RENAME TABLE ", "");
	if (rc == 0)
		rc = put_table(ctx, swap, " TO ", SUFFIX_OLD);
	if (rc == 0)
		rc = put_table(ctx, swap, ", ", SUFFIX_NEW);
	if (rc == 0)
		rc = put_table(ctx, swap, " TO ", "");
	if (rc == 0)
		rc = strata__buf_puts(swap, ";\n");
	if (rc == 0)
		rc = put_table(ctx, finish, "DROP TABLE ", SUFFIX_OLD);
	if (rc == 0)
		rc = strata__buf_puts(finish, ";\n");
	return rc == STRATA_ENOMEM ? strata__oom(ctx) : rc;
}

int strata__history_sql_upgrade(strata_ctx *ctx, strata_buf *out)
{
	strata_buf swap = STRATA_BUF_INIT, finish = STRATA_BUF_INIT;
	int txn = strata__driver_can(ctx, STRATA_DRIVER_CAP_TXN_DDL);
	int rc = 0;

	if (!ctx->history_old_format)
		return 0;
	rc = strata__buf_printf(out,
	                        "-- upgrade history table %s: versions become "
	                        "text, with their sort key in version_sort\n%s",
	                        ctx->table, txn ? "BEGIN;\n" : "");
	if (rc == 0)
		rc = upgrade_sql(ctx, out, &swap, &finish);
	if (rc == 0)
		rc = strata__buf_put(out, swap.ptr, swap.len);
	if (rc == 0)
		rc = strata__buf_put(out, finish.ptr, finish.len);
	if (rc == 0 && txn)
		rc = strata__buf_puts(out, "COMMIT;\n");
	strata_buf_release(&swap);
	strata_buf_release(&finish);
	return rc == STRATA_ENOMEM ? strata__oom(ctx) : rc;
}

static int exec_buf(strata_ctx *ctx, const strata_buf *sql)
{
	return sql->len ? strata__conn_exec(ctx, sql->ptr, sql->len) : 0;
}

/* The shape of table+suffix, as strata__history_shape says. */
static int shape_of(strata_ctx *ctx, const char *suffix)
{
	strata_buf name = STRATA_BUF_INIT;
	int rc = strata__buf_printf(&name, "%s%s", ctx->table, suffix);

	rc = rc == 0 ? strata__history_shape(ctx, name.ptr) : strata__oom(ctx);
	strata_buf_release(&name);
	return rc;
}

/* The upgrade needs the name table+suffix: refuse while it is taken. */
static int in_the_way(strata_ctx *ctx, const char *suffix)
{
	strata__error_set(ctx, STRATA_ESTATE,
	                  "table '%s%s' exists, and the upgrade needs that "
	                  "name",
	                  ctx->table, suffix);
	strata__error_detail(ctx,
	                     "rename or drop '%s%s' (strata did not make "
	                     "it), then run the command again",
	                     ctx->table, suffix);
	return STRATA_ESTATE;
}

static int drop(strata_ctx *ctx, const char *suffix)
{
	strata_buf sql = STRATA_BUF_INIT;
	int rc = put_table(ctx, &sql, "DROP TABLE ", suffix);

	if (rc == 0)
		rc = strata__conn_exec(ctx, sql.ptr, sql.len);
	strata_buf_release(&sql);
	return rc == STRATA_ENOMEM ? strata__oom(ctx) : rc;
}

static int failed(strata_ctx *ctx, int rc, const char *state)
{
	strata__error_prefix(ctx,
	                     "cannot upgrade history table '%s' to the "
	                     "format where versions are text",
	                     ctx->table);
	strata__error_detail(ctx, "%s", state);
	return rc;
}

static void upgraded(strata_ctx *ctx)
{
	strata__emitf(ctx, STRATA_EVENT_INFO,
	              "history table '%s' upgraded in place: versions are "
	              "text now, and version_sort orders them for SQL; every "
	              "row is kept",
	              ctx->table);
}

/* PostgreSQL, SQLite: all of it in one transaction. */
static int upgrade_txn(strata_ctx *ctx)
{
	strata_buf build = STRATA_BUF_INIT, swap = STRATA_BUF_INIT,
	           finish = STRATA_BUF_INIT;
	struct txn t;
	int rc = strata__txn_begin(&t, ctx), shape = 0;

	/* without a runner lock (SQLite) another runner may have upgraded
	 * it while this one waited for the transaction */
	if (rc == 0) {
		shape = strata__history_shape(ctx, ctx->table);
		rc = shape < 0 ? shape : 0;
	}
	if (rc == 0 && shape == 2) {
		rc = shape_of(ctx, SUFFIX_OLD);
		if (rc > 0)
			rc = in_the_way(ctx, SUFFIX_OLD);
		if (rc == 0)
			rc = upgrade_sql(ctx, &build, &swap, &finish);
		if (rc == 0)
			rc = exec_buf(ctx, &build);
		if (rc == 0)
			strata__testpoint("history_upgrade");
		if (rc == 0)
			rc = exec_buf(ctx, &finish);
	}
	rc = strata__txn_end(&t, rc);
	strata_buf_release(&build);
	strata_buf_release(&swap);
	strata_buf_release(&finish);
	if (rc < 0)
		return failed(ctx, rc,
		              "nothing was changed: the table is as it was");
	if (shape == 2)
		upgraded(ctx);
	return 0;
}

/* MySQL, MariaDB: build beside, swap, drop; each step commits. */
static int upgrade_steps(strata_ctx *ctx, int old_format)
{
	strata_buf build = STRATA_BUF_INIT, swap = STRATA_BUF_INIT,
	           finish = STRATA_BUF_INIT;
	int old = shape_of(ctx, SUFFIX_OLD), rc;

	if (old < 0)
		return old;
	if (!old_format) {
		/* a stop after the swap left the old table */
		if (old != 2)
			return 0;
		rc = drop(ctx, SUFFIX_OLD);
		if (rc < 0)
			return failed(ctx, rc,
			              "the table is upgraded; the old one is "
			              "left beside it");
		strata__emitf(ctx, STRATA_EVENT_INFO,
		              "history table '%s': dropped '%s" SUFFIX_OLD
		              "', the old table an upgrade that stopped left "
		              "behind",
		              ctx->table, ctx->table);
		return 0;
	}
	if (old)
		return failed(ctx, in_the_way(ctx, SUFFIX_OLD),
		              "nothing was changed");
	rc = shape_of(ctx, SUFFIX_NEW);
	if (rc == 1) {
		/* half built by an upgrade that stopped: build it again */
		rc = drop(ctx, SUFFIX_NEW);
		if (rc == 0)
			strata__emitf(
			        ctx, STRATA_EVENT_INFO,
			        "history table '%s': dropped '%s" SUFFIX_NEW
			        "', left half built by an upgrade that "
			        "stopped",
			        ctx->table, ctx->table);
	} else if (rc > 0) {
		rc = in_the_way(ctx, SUFFIX_NEW);
	}
	if (rc == 0)
		rc = upgrade_sql(ctx, &build, &swap, &finish);
	if (rc == 0)
		rc = exec_buf(ctx, &build);
	if (rc == 0)
		strata__testpoint("history_upgrade");
	if (rc == 0)
		rc = exec_buf(ctx, &swap);
	if (rc < 0) {
		failed(ctx, rc,
		       "the table is as it was (a half-built copy beside it "
		       "is dropped by the next command that writes)");
	} else {
		strata__testpoint("history_upgrade_swapped");
		upgraded(ctx);
		/* done: the old table is only in the way now, and one left
		 * is dropped by the next writer */
		if (drop(ctx, SUFFIX_OLD) < 0) {
			strata__emitf(ctx, STRATA_EVENT_WARNING,
			              "cannot drop '%s" SUFFIX_OLD "', the old "
			              "history table, now: %s",
			              ctx->table, ctx->err.message);
			strata__error_clear(ctx);
		}
	}
	strata_buf_release(&build);
	strata_buf_release(&swap);
	strata_buf_release(&finish);
	return rc;
}

int strata__history_upgrade(strata_ctx *ctx, int old_format)
{
	if (!strata__driver_can(ctx, STRATA_DRIVER_CAP_TXN_DDL))
		return upgrade_steps(ctx, old_format);
	return old_format ? upgrade_txn(ctx) : 0;
}
