/*
 * The history table, one row per applied migration:
 *
 *   version, name, kind, file, checksum, checksum_algorithm, applied_at,
 *   execution_ms, applied_by, target, database_type, dirty
 *
 * All SQL is built as text with the driver's own quoting, so that a dry
 * run and `plan` can print exactly what `up` executes.
 */
#include <limits.h>
#include <pwd.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "ctx.h"
#include "driver.h"
#include "history.h"
#include "source.h"

#define CHECKSUM_ALGORITHM "sha256"

static const char *const strata_columns[HISTORY_COLUMNS] = {
	"version",    "name",          "kind",
	"file",       "checksum",      "checksum_algorithm",
	"applied_at", "execution_ms",  "applied_by",
	"target",     "database_type", "dirty",
};

#define SELECT_COLUMNS                                           \
 "version, name, kind, file, checksum, checksum_algorithm, "     \
 "applied_at, execution_ms, applied_by, target, database_type, " \
 "dirty"

int strata__history_qualified(strata_ctx *ctx, strata_buf *out)
{
	const char *schema = strata__schema(ctx);
	int rc = 0;

	if (schema && schema[0]) {
		rc = strata__conn_quote_ident(ctx, out, schema);
		if (rc == 0)
			rc = strata__buf_putc(out, '.');
	}
	if (rc == 0)
		rc = strata__conn_quote_ident(ctx, out, ctx->table);
	if (rc == STRATA_EINVALID)
		return strata__error_set(ctx, rc,
		                         "--table/--schema name '%s' is too "
		                         "long or invalid for %s",
		                         ctx->schema && ctx->schema[0] ?
		                                 ctx->schema :
		                                 ctx->table,
		                         strata__driver_name(ctx));
	return rc < 0 ? strata__oom(ctx) : 0;
}

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

int strata__history_check(strata_ctx *ctx, int widen)
{
	struct columns cols;
	size_t i, have = 0;
	int rc;

	memset(&cols, 0, sizeof(cols));
	rc = strata__conn_table_columns(ctx, strata__schema(ctx), ctx->table,
	                                column_cb, &cols);
	if (rc == STRATA_ENOTFOUND) {
		strata__error_clear(ctx);
		return 0;
	}
	if (rc < 0)
		return rc;
	for (i = 0; i < ARRAY_SIZE(strata_columns); i++)
		have += (size_t)cols.seen[i];
	if (have == ARRAY_SIZE(strata_columns)) {
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
	strata__error_detail(ctx, "keep strata's history in another table with "
	                          "--table NAME (for example --table "
	                          "strata_migrations)");
	return rc;
}

int strata__history_sql_create(strata_ctx *ctx, strata_buf *out)
{
	int rc = 0;

	rc = strata__buf_puts(out, "CREATE TABLE IF NOT EXISTS ");
	if (rc == 0)
		rc = strata__history_qualified(ctx, out);
	if (rc == 0)
		rc = strata__buf_printf(
		        out,
		        " (\n"
		        "    version            BIGINT       NOT NULL,\n"
		        "    name               VARCHAR(255) NOT NULL,\n"
		        "    kind               VARCHAR(16)  NOT NULL,\n"
		        "    file               VARCHAR(1024) NOT NULL,\n"
		        "    checksum           VARCHAR(128),\n"
		        "    checksum_algorithm VARCHAR(16)  NOT NULL,\n"
		        "    applied_at         %s NOT NULL,\n"
		        "    execution_ms       BIGINT       NOT NULL,\n"
		        "    applied_by         VARCHAR(255) NOT NULL,\n"
		        "    target             VARCHAR(64)  NOT NULL,\n"
		        "    database_type      VARCHAR(32)  NOT NULL,\n"
		        "    dirty              BIGINT       NOT NULL,\n"
		        "    PRIMARY KEY (target, version, name)\n"
		        ");\n",
		        strata__driver_text(ctx, STRATA_DRV_TIMESTAMP_TYPE));
	return rc == STRATA_ENOMEM ? strata__oom(ctx) : rc;
}

void strata__history_release(struct history *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		struct history_row *r = &h->v[i];

		strata__free(r->name); /* and the other strings with it */
	}
	strata__free(h->v);
	strata__free(h->bad);
	memset(h, 0, sizeof(*h));
}

static int kind_from(const char *s, strata_kind *out)
{
	if (!s)
		return -1;
	if (strcmp(s, "versioned") == 0)
		*out = STRATA_KIND_VERSIONED;
	else if (strcmp(s, "repeatable") == 0)
		*out = STRATA_KIND_REPEATABLE;
	else if (strcmp(s, "baseline") == 0)
		*out = STRATA_KIND_BASELINE;
	else
		return -1;
	return 0;
}

/* A whole number as strata writes it: digits only, '-' first if
 * negative is allowed, no blank, sign or fraction otherwise. */
static int parse_int64(const char *s, int negative, int64_t max, int64_t *out)
{
	int neg = negative && s[0] == '-';
	uint64_t v = 0, lim = neg ? (uint64_t)max + 1 : (uint64_t)max;
	const char *p = s + neg;

	if (!*p)
		return -1;
	for (; *p; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (*p < '0' || *p > '9' || v > (lim - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = neg ? (v == lim ? -max - 1 : -(int64_t)v) : (int64_t)v;
	return 0;
}

/* A value of a row that cannot be read, quoted for a one-line message:
 * NULL, or cut and without control characters. */
static int put_value(strata_buf *out, const char *s)
{
	size_t i, n;
	int rc;

	if (!s)
		return strata__buf_puts(out, "NULL");
	n = strlen(s);
	rc = strata__buf_putc(out, '\'');
	for (i = 0; rc == 0 && i < n && i < 60; i++)
		rc = strata__buf_putc(
		        out, (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' :
		                                                          s[i]);
	if (rc == 0)
		rc = strata__buf_puts(out, n > 60 ? "...'" : "'");
	return rc;
}

/* What is wrong with a row (NULL: nothing); r->version and r->kind are
 * set as far as they could be read. */
static const char *row_problem(const char *const *v, struct history_row *r,
                               int *dirty)
{
	int64_t n;
	int rc;

	if (!v[HCOL_VERSION])
		return "the version is NULL";
	if (v[HCOL_VERSION][0] == '-')
		return "the version is negative";
	rc = strata__version_parse(&r->version, v[HCOL_VERSION],
	                           strlen(v[HCOL_VERSION]));
	if (rc == STRATA_EPARSE)
		return "the version is not a whole number";
	if (rc == STRATA_EINVALID)
		return "the version is too large (at most 2^64 - 1)";
	if (rc < 0)
		r->version = 0;
	if (!v[HCOL_NAME] || !v[HCOL_NAME][0])
		return v[HCOL_NAME] ? "the name is empty" : "the name is NULL";
	if (kind_from(v[HCOL_KIND], &r->kind) < 0)
		return "the kind is not versioned, repeatable or baseline";
	if (r->kind == STRATA_KIND_REPEATABLE && r->version != 0)
		return "a repeatable migration's row has a version (only 0 "
		       "is allowed)";
	if (r->kind != STRATA_KIND_REPEATABLE && r->version == 0)
		return "version 0 is not allowed (only repeatable "
		       "migrations have it)";
	if (!v[HCOL_EXECUTION_MS] ||
	    parse_int64(v[HCOL_EXECUTION_MS], 1, INT64_MAX, &r->execution_ms) <
	            0)
		return "execution_ms is not a whole number";
	/* dirty holds the statement a failed run reached (0: clean) */
	if (!v[HCOL_DIRTY] || parse_int64(v[HCOL_DIRTY], 0, INT_MAX, &n) < 0)
		return "dirty is not a statement number (0 when clean)";
	*dirty = (int)n;
	return NULL;
}

/* Keep the first bad row's description; count them all. */
static int note_bad(struct history *h, const char *const *v, const char *why)
{
	strata_buf b = STRATA_BUF_INIT;
	int rc = 0;

	h->n_bad++;
	if (h->bad)
		return 0;
	rc = strata__buf_printf(&b, "row %zu (version ", h->n_seen);
	if (rc == 0)
		rc = put_value(&b, v[HCOL_VERSION]);
	if (rc == 0)
		rc = strata__buf_puts(&b, ", name ");
	if (rc == 0)
		rc = put_value(&b, v[HCOL_NAME]);
	if (rc == 0)
		rc = strata__buf_printf(&b, "): %s", why);
	if (rc == 0)
		h->bad = strata__buf_detach(&b);
	strata_buf_release(&b);
	return rc;
}

/* The row's eight strings live in one allocation, r->name first. */
static int set_strings(struct history_row *r, const char *const *v)
{
	/* name, file, checksum, algorithm, applied_at, by, target, type */
	static const int col[8] = { HCOL_NAME,       HCOL_FILE,
		                    HCOL_CHECKSUM,   HCOL_CHECKSUM_ALGORITHM,
		                    HCOL_APPLIED_AT, HCOL_APPLIED_BY,
		                    HCOL_TARGET,     HCOL_DATABASE_TYPE };
	char **dst[8] = { &r->name,       &r->file,
		          &r->checksum,   &r->checksum_algorithm,
		          &r->applied_at, &r->applied_by,
		          &r->target,     &r->database_type };
	size_t len[8], total = 0;
	char *block;
	int i;

	for (i = 0; i < 8; i++) {
		const char *s = v[col[i]];

		len[i] = s ? strlen(s) : 0;
		/* keep "YYYY-MM-DD HH:MM:SS"; drivers differ in what follows */
		if (col[i] == HCOL_APPLIED_AT && len[i] > 19)
			len[i] = 19;
		total += len[i] + 1;
	}
	block = strata__malloc(total);
	if (!block)
		return STRATA_ENOMEM;
	for (i = 0; i < 8; i++) {
		if (len[i])
			memcpy(block, v[col[i]], len[i]);
		block[len[i]] = '\0';
		*dst[i] = block;
		block += len[i] + 1;
	}
	if (len[4] > 10)
		r->applied_at[10] = ' ';
	return 0;
}

int strata__history_add_row(void *payload, int ncols, const char *const *v)
{
	struct history *h = payload;
	struct history_row *r;
	const char *why;
	int dirty = 0;

	if (ncols < HISTORY_COLUMNS)
		return STRATA_EINTERNAL;
	if (h->n == h->alloc) {
		size_t n = h->alloc ? h->alloc * 2 : 64;

		r = strata__reallocarray(h->v, n, sizeof(*r));
		if (!r)
			return STRATA_ENOMEM;
		h->v = r;
		h->alloc = n;
	}
	r = &h->v[h->n];
	memset(r, 0, sizeof(*r));
	h->n_seen++;
	why = row_problem(v, r, &dirty);
	if (why)
		return note_bad(h, v, why);
	r->dirty = dirty;
	if (set_strings(r, v) < 0)
		return STRATA_ENOMEM;
	h->n++;
	return 0;
}

static int row_cmp(const void *a, const void *b)
{
	const struct history_row *x = a, *y = b;

	if (x->version != y->version)
		return x->version < y->version ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Files and rows are matched by version: two rows of one version (under
 * two names) would make that match a guess. */
static int check_duplicates(strata_ctx *ctx, const struct history *h)
{
	size_t i;

	for (i = 1; i < h->n; i++) {
		const struct history_row *a = &h->v[i - 1], *b = &h->v[i];
		size_t more = 0;

		if (a->version != b->version ||
		    a->kind == STRATA_KIND_REPEATABLE)
			continue;
		while (i + 1 + more < h->n &&
		       h->v[i + 1 + more].version == a->version)
			more++;
		strata__error_set(ctx, STRATA_ESTATE,
		                  "history table '%s' has %zu rows for version "
		                  "%llu: '%s' and '%s'%s",
		                  ctx->table, 2 + more,
		                  (unsigned long long)a->version, a->name,
		                  b->name, more ? " and more" : "");
		strata__error_detail(
		        ctx,
		        "strata matches history rows to files by version: keep "
		        "the row of the migration that was applied and delete "
		        "the other with SQL (DELETE FROM %s WHERE version = %llu "
		        "AND name = '...'), then run the command again",
		        ctx->table, (unsigned long long)a->version);
		return STRATA_ESTATE;
	}
	return 0;
}

int strata__history_read_into(strata_ctx *ctx, struct history *h)
{
	strata_buf sql = STRATA_BUF_INIT;
	int rc;

	strata__history_release(h);
	rc = strata__buf_puts(&sql, "SELECT " SELECT_COLUMNS " FROM ");
	if (rc == 0)
		rc = strata__history_qualified(ctx, &sql);
	if (rc == 0)
		rc = strata__buf_puts(&sql, " WHERE target = ");
	if (rc == 0)
		rc = strata__conn_quote_literal(ctx, &sql, ctx->target);
	if (rc == 0)
		rc = strata__conn_query(ctx, sql.ptr, strata__history_add_row,
		                        h);
	strata_buf_release(&sql);
	if (rc == STRATA_ENOMEM)
		return strata__oom(ctx);
	if (rc < 0)
		return rc;
	h->exists = 1;
	if (h->n_bad) {
		strata__error_set(
		        ctx, STRATA_ESTATE, "history table '%s': %s%s",
		        ctx->table, h->bad ? h->bad : "a bad row",
		        h->n_bad > 1 ? " (and more rows like it)" : "");
		strata__error_detail(ctx,
		                     "strata will not guess what such a row "
		                     "means (it could run a migration twice): "
		                     "correct it or delete it with SQL, then "
		                     "run the command again");
		return STRATA_ESTATE;
	}
	/* sorted here, not by the database: collations differ */
	if (h->n > 1)
		qsort(h->v, h->n, sizeof(*h->v), row_cmp);
	return check_duplicates(ctx, h);
}

int strata__history_read(strata_ctx *ctx)
{
	return strata__history_read_into(ctx, &ctx->history);
}

int strata__history_fingerprint(strata_buf *out, const struct history *h)
{
	size_t i;
	int rc = 0;

	strata__buf_clear(out);
	for (i = 0; rc == 0 && i < h->n; i++)
		rc = strata__buf_printf(out, "%llu|%s|%d|%s|%d\n",
		                        (unsigned long long)h->v[i].version,
		                        h->v[i].name, (int)h->v[i].kind,
		                        h->v[i].checksum, h->v[i].dirty);
	return rc;
}

struct history_row *strata__history_find(const struct history *h,
                                         uint64_t version)
{
	size_t lo = 0, hi = h->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (h->v[mid].version < version)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo < h->n && h->v[lo].version == version) {
		if (h->v[lo].kind != STRATA_KIND_REPEATABLE)
			return &h->v[lo];
		lo++;
	}
	return NULL;
}

struct history_row *strata__history_find_name(const struct history *h,
                                              const char *name)
{
	size_t i;

	for (i = 0; i < h->n && h->v[i].version == 0; i++)
		if (strcmp(h->v[i].name, name) == 0)
			return &h->v[i];
	return NULL;
}

static int put_lit(strata_ctx *ctx, strata_buf *out, const char *s)
{
	return strata__conn_quote_literal(ctx, out, s);
}

/* " WHERE target = '..' AND version = N AND name = '..'" */
static int where_key(strata_ctx *ctx, strata_buf *out, uint64_t version,
                     const char *name)
{
	int rc = strata__buf_puts(out, " WHERE target = ");

	if (rc == 0)
		rc = put_lit(ctx, out, ctx->target);
	if (rc == 0)
		rc = strata__buf_printf(out, " AND version = %llu",
		                        (unsigned long long)version);
	if (rc == 0 && name) {
		rc = strata__buf_puts(out, " AND name = ");
		if (rc == 0)
			rc = put_lit(ctx, out, name);
	}
	return rc;
}

static int finish(strata_ctx *ctx, int rc)
{
	if (rc == STRATA_ENOMEM)
		return strata__oom(ctx);
	return rc;
}

static int sql_insert(strata_ctx *ctx, strata_buf *out,
                      const struct history_row *r)
{
	int rc = strata__buf_puts(out, "INSERT INTO ");

	if (rc == 0)
		rc = strata__history_qualified(ctx, out);
	if (rc == 0)
		rc = strata__buf_printf(out,
		                        " (" SELECT_COLUMNS ") VALUES (%llu, ",
		                        (unsigned long long)r->version);
	if (rc == 0)
		rc = put_lit(ctx, out, r->name);
	if (rc == 0)
		rc = strata__buf_printf(out, ", '%s', ",
		                        strata_kind_name(r->kind));
	if (rc == 0)
		rc = put_lit(ctx, out, r->file);
	if (rc == 0)
		rc = strata__buf_puts(out, ", ");
	if (rc == 0)
		rc = put_lit(ctx, out, r->checksum);
	/* no applied_at: the database's clock (a script run later) */
	if (rc == 0 && r->applied_at)
		rc = strata__buf_printf(out, ", '%s', '%s', ",
		                        CHECKSUM_ALGORITHM, r->applied_at);
	else if (rc == 0)
		rc = strata__buf_printf(
		        out, ", '%s', %s, ", CHECKSUM_ALGORITHM,
		        strata__driver_text(ctx, STRATA_DRV_NOW_SQL) ?
		                strata__driver_text(ctx, STRATA_DRV_NOW_SQL) :
		                "CURRENT_TIMESTAMP");
	/* a negative time: measured by the database (batched runs) */
	if (rc == 0 && r->execution_ms < 0 &&
	    strata__driver_text(ctx, STRATA_DRV_ELAPSED_MS_SQL))
		rc = strata__buf_printf(
		        out, "%s, ",
		        strata__driver_text(ctx, STRATA_DRV_ELAPSED_MS_SQL));
	else if (rc == 0)
		rc = strata__buf_printf(
		        out, "%lld, ",
		        (long long)(r->execution_ms < 0 ? 0 : r->execution_ms));
	if (rc == 0)
		rc = put_lit(ctx, out, r->applied_by);
	if (rc == 0)
		rc = strata__buf_puts(out, ", ");
	if (rc == 0)
		rc = put_lit(ctx, out, ctx->target);
	if (rc == 0)
		rc = strata__buf_printf(out, ", '%s', %d);\n",
		                        ctx->exec ? "exec" :
		                                    strata__driver_name(ctx),
		                        r->dirty);
	return finish(ctx, rc);
}

static int insert_params_sql(strata_ctx *ctx, strata_buf *out)
{
	int rc = strata__buf_puts(out, "INSERT INTO ");
	int i;

	if (rc == 0)
		rc = strata__history_qualified(ctx, out);
	if (rc == 0)
		rc = strata__buf_puts(out, " (" SELECT_COLUMNS ") VALUES (");
	for (i = 1; rc == 0 && i <= HISTORY_COLUMNS; i++)
		rc = strata__buf_printf(out, "?%d%s", i,
		                        i < HISTORY_COLUMNS ? ", " : ")");
	return finish(ctx, rc);
}

/*
 * Record a row stamped with strata's clock (row->applied_at set) now,
 * through the driver's exec_params when it has one (the statement is then
 * prepared once per run), else as literal SQL through exec().
 */
static int insert_now(strata_ctx *ctx, const struct history_row *r)
{
	char version[24], ms[24], dirty[12];
	const char *values[HISTORY_COLUMNS];
	strata_buf b = STRATA_BUF_INIT;
	int rc;

	if (!strata__driver_has(ctx, STRATA_DRV_EXEC_PARAMS) ||
	    !r->applied_at) {
		rc = sql_insert(ctx, &b, r);
		if (rc == 0)
			rc = strata__conn_exec(ctx, b.ptr, b.len);
		strata_buf_release(&b);
		return rc;
	}
	if (!ctx->insert_sql.len) {
		rc = insert_params_sql(ctx, &ctx->insert_sql);
		if (rc < 0) {
			strata__buf_clear(&ctx->insert_sql);
			return rc;
		}
	}
	snprintf(version, sizeof(version), "%llu",
	         (unsigned long long)r->version);
	snprintf(ms, sizeof(ms), "%lld",
	         (long long)(r->execution_ms < 0 ? 0 : r->execution_ms));
	snprintf(dirty, sizeof(dirty), "%d", r->dirty);
	values[HCOL_VERSION] = version;
	values[HCOL_NAME] = r->name;
	values[HCOL_KIND] = strata_kind_name(r->kind);
	values[HCOL_FILE] = r->file;
	values[HCOL_CHECKSUM] = r->checksum;
	values[HCOL_CHECKSUM_ALGORITHM] = CHECKSUM_ALGORITHM;
	values[HCOL_APPLIED_AT] = r->applied_at;
	values[HCOL_EXECUTION_MS] = ms;
	values[HCOL_APPLIED_BY] = r->applied_by;
	values[HCOL_TARGET] = ctx->target;
	values[HCOL_DATABASE_TYPE] = ctx->exec ? "exec" :
	                                         strata__driver_name(ctx);
	values[HCOL_DIRTY] = dirty;
	return strata__conn_exec_params(ctx, ctx->insert_sql.ptr,
	                                HISTORY_COLUMNS, values);
}

int strata__history_sql_delete(strata_ctx *ctx, strata_buf *out,
                               uint64_t version, const char *name)
{
	int rc = strata__buf_puts(out, "DELETE FROM ");

	if (rc == 0)
		rc = strata__history_qualified(ctx, out);
	if (rc == 0)
		rc = where_key(ctx, out, version, name);
	if (rc == 0)
		rc = strata__buf_puts(out, ";\n");
	return finish(ctx, rc);
}

static int update(strata_ctx *ctx, strata_buf *out, const char *set,
                  uint64_t version, const char *name)
{
	int rc = strata__buf_puts(out, "UPDATE ");

	if (rc == 0)
		rc = strata__history_qualified(ctx, out);
	if (rc == 0)
		rc = strata__buf_printf(out, " SET %s", set);
	if (rc == 0)
		rc = where_key(ctx, out, version, name);
	if (rc == 0)
		rc = strata__buf_puts(out, ";\n");
	return finish(ctx, rc);
}

int strata__history_sql_finish(strata_ctx *ctx, strata_buf *out,
                               uint64_t version, const char *name,
                               int64_t execution_ms)
{
	char set[64];

	snprintf(set, sizeof(set), "dirty = 0, execution_ms = %lld",
	         (long long)execution_ms);
	return update(ctx, out, set, version, name);
}

int strata__history_sql_dirty(strata_ctx *ctx, strata_buf *out,
                              uint64_t version, const char *name, size_t stmt)
{
	char set[48];

	snprintf(set, sizeof(set), "dirty = %zu", stmt > 0 ? stmt : 1);
	return update(ctx, out, set, version, name);
}

int strata__history_sql_clean(strata_ctx *ctx, strata_buf *out,
                              uint64_t version, const char *name)
{
	return update(ctx, out, "dirty = 0", version, name);
}

int strata__history_sql_checksum(strata_ctx *ctx, strata_buf *out,
                                 uint64_t version, const char *name,
                                 const char *checksum, const char *file)
{
	strata_buf set = STRATA_BUF_INIT;
	int rc = strata__buf_puts(&set, "checksum = ");

	if (rc == 0)
		rc = put_lit(ctx, &set, checksum);
	if (rc == 0)
		rc = strata__buf_puts(&set, ", file = ");
	if (rc == 0)
		rc = put_lit(ctx, &set, file);
	if (rc == 0)
		rc = update(ctx, out, set.ptr, version, name);
	strata_buf_release(&set);
	return finish(ctx, rc);
}

int strata__history_sql_rename(strata_ctx *ctx, strata_buf *out,
                               uint64_t version, const char *new_name,
                               const char *checksum, const char *file)
{
	strata_buf set = STRATA_BUF_INIT;
	int rc = strata__buf_puts(&set, "name = ");

	if (rc == 0)
		rc = put_lit(ctx, &set, new_name);
	if (rc == 0)
		rc = strata__buf_puts(&set, ", checksum = ");
	if (rc == 0)
		rc = put_lit(ctx, &set, checksum);
	if (rc == 0)
		rc = strata__buf_puts(&set, ", file = ");
	if (rc == 0)
		rc = put_lit(ctx, &set, file);
	if (rc == 0)
		rc = update(ctx, out, set.ptr, version, NULL);
	strata_buf_release(&set);
	return finish(ctx, rc);
}

int strata__history_sql_probe(strata_ctx *ctx, strata_buf *out,
                              uint64_t version, const char *name)
{
	int rc = strata__buf_puts(out, "SELECT dirty FROM ");

	if (rc == 0)
		rc = strata__history_qualified(ctx, out);
	if (rc == 0)
		rc = where_key(ctx, out, version, name);
	return finish(ctx, rc);
}

void strata__now_utc(char out[32])
{
	struct timeval tv;
	struct tm tm;

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(out, 24, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(out + 19, 13, ".%03d", (int)(tv.tv_usec / 1000) % 1000);
}

const char *strata__applied_by(void)
{
	static char who[300];
	char host[256] = "";
	const char *user = getenv("USER");

	if (who[0])
		return who;
	if (!user || !user[0]) {
		struct passwd *pw = getpwuid(geteuid());

		user = pw ? pw->pw_name : "unknown";
	}
	if (gethostname(host, sizeof(host) - 1) < 0)
		host[0] = '\0';
	snprintf(who, sizeof(who), "%.40s%s%.200s", user, host[0] ? "@" : "",
	         host);
	return who;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/*
 * The name that, with the version, picks a migration's history row:
 * rows and files are matched by version (a renamed file keeps its row,
 * under the old name), so only a repeatable's row is picked by name.
 */
static const char *row_key_name(const struct migration *m)
{
	return m->kind == STRATA_KIND_REPEATABLE ? m->name : NULL;
}

/* The row of m; ts receives the time. A script's rows take the clock of
 * the database that runs it. */
static void fill_row(strata_ctx *ctx, struct history_row *r,
                     const struct migration *m, strata_kind kind, int dirty,
                     int64_t ms, char ts[32])
{
	strata__now_utc(ts);
	memset(r, 0, sizeof(*r));
	r->version = m->version;
	r->name = m->name;
	r->kind = kind;
	r->file = (char *)base_name(m->up_path);
	r->checksum = (char *)m->checksum;
	r->applied_at = ctx->script ? NULL : ts;
	r->execution_ms = ms;
	r->applied_by = (char *)strata__applied_by();
	r->dirty = dirty; /* the statement reached: 1 before the first */
}

/* The statements that record ev, appended to out. */
static int record_sql(strata_ctx *ctx, strata_buf *out, struct migration *m,
                      enum history_event ev, int64_t n)
{
	struct history_row r;
	char ts[32];
	int rc = 0;

	switch (ev) {
	case HISTORY_REVERTED:
		return strata__history_sql_delete(ctx, out, m->version,
		                                  row_key_name(m));
	case HISTORY_REVERTING:
		return strata__history_sql_dirty(ctx, out, m->version,
		                                 row_key_name(m), 1);
	case HISTORY_REACHED:
		return strata__history_sql_dirty(ctx, out, m->version,
		                                 row_key_name(m), (size_t)n);
	case HISTORY_FINISHED:
		return strata__history_sql_finish(ctx, out, m->version,
		                                  row_key_name(m), n);
	case HISTORY_BASELINE:
		fill_row(ctx, &r, m, STRATA_KIND_BASELINE, 0, n, ts);
		return sql_insert(ctx, out, &r);
	case HISTORY_APPLIED:
	case HISTORY_APPLYING:
		break;
	}
	fill_row(ctx, &r, m, m->kind, ev == HISTORY_APPLYING, n, ts);
	/* one row per repeatable: replace it */
	if (m->kind == STRATA_KIND_REPEATABLE)
		rc = strata__history_sql_delete(ctx, out, 0, m->name);
	return rc < 0 ? rc : sql_insert(ctx, out, &r);
}

int strata__history_record(strata_ctx *ctx, strata_buf *out,
                           struct migration *m, enum history_event ev,
                           int64_t n)
{
	strata_buf sql = STRATA_BUF_INIT;
	int rc;

	if (out)
		return record_sql(ctx, out, m, ev, n);
	if (ev == HISTORY_APPLIED && m->kind != STRATA_KIND_REPEATABLE &&
	    !ctx->script && strata__driver_has(ctx, STRATA_DRV_EXEC_PARAMS)) {
		struct history_row r;
		char ts[32];

		fill_row(ctx, &r, m, m->kind, 0, n, ts);
		return insert_now(ctx, &r);
	}
	rc = record_sql(ctx, &sql, m, ev, n);
	if (rc == 0)
		rc = strata__conn_exec(ctx, sql.ptr, sql.len);
	strata_buf_release(&sql);
	return rc;
}

void strata__history_record_failed(strata_ctx *ctx, const char *path)
{
	strata__error_prefix(ctx, "cannot record %s in '%s'", base_name(path),
	                     ctx->table);
}

static int count_cb(void *payload, int ncols, const char *const *v)
{
	(void)v;
	if (ncols > 0)
		(*(int64_t *)payload)++;
	return 0;
}

int strata__history_check_changed(strata_ctx *ctx, struct migration *m,
                                  int gone, const char *what)
{
	strata_buf sql = STRATA_BUF_INIT;
	int64_t n = strata__conn_changes(ctx);
	int rc = 0;

	if (n < 0) {
		/* not known: count the rows of the version left */
		int64_t left = 0;

		rc = strata__history_sql_probe(ctx, &sql, m->version,
		                               row_key_name(m));
		if (rc == 0)
			rc = strata__conn_query(ctx, sql.ptr, count_cb, &left);
		strata_buf_release(&sql);
		if (rc < 0)
			return rc == STRATA_ENOMEM ? strata__oom(ctx) : rc;
		n = gone ? 1 - left : left;
	}
	if (n == 1)
		return 0;
	strata__error_set(ctx, STRATA_ESTATE,
	                  "the history row of migration %s (%s) in '%s' was "
	                  "not %s: %lld rows matched; %s",
	                  m->version_text, m->name, ctx->table,
	                  gone ? "removed" : "marked", (long long)n, what);
	strata__error_detail(ctx,
	                     "the history changed under strata (did the "
	                     "migration itself change '%s'?): see 'strata "
	                     "status', and 'strata force' to declare the "
	                     "version by hand",
	                     ctx->table);
	return STRATA_ESTATE;
}
