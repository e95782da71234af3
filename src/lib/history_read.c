/*
 * Reading the history table: every row is checked as it is read (a row
 * strata cannot read exactly stops the command, never a reason to run a
 * migration again), then the rows are sorted and looked up by version.
 */
#include <limits.h>
#include <strings.h>

#include "common.h"
#include "ctx.h"
#include "driver.h"
#include "history.h"

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

/* The version of a row: canonical text, "" for a repeatable (0 in a
 * table of the format before versions were text). NULL: it is good. */
static const char *version_problem(const char *v, struct history_row *r,
                                   int old_format)
{
	int rc;

	if (r->kind == STRATA_KIND_REPEATABLE) {
		if (!v[0] || (old_format && strcmp(v, "0") == 0)) {
			r->version[0] = '\0';
			return NULL;
		}
		return "a repeatable migration's row has a version (it "
		       "must be empty)";
	}
	if (!v[0])
		return "the version is empty (only a repeatable migration's "
		       "row has none)";
	if (v[0] == '-')
		return "the version is negative";
	rc = strata__version_parse(r->version, v, strlen(v));
	if (rc == STRATA_EINVALID)
		return "the version is too long (at most 64 characters)";
	if (rc < 0)
		return "the version is not digits, in parts separated by "
		       "'.'";
	/* rows are picked by the canonical text: "0004" would never be */
	if (strcmp(r->version, v) != 0)
		return "the version is not written as strata writes it "
		       "(without leading zeros or trailing .0 parts)";
	return NULL;
}

/* What is wrong with a row (NULL: nothing); r->version and r->kind are
 * set as far as they could be read. */
static const char *row_problem(const char *const *v, struct history_row *r,
                               int *dirty, int old_format)
{
	const char *why;
	int64_t n;

	if (!v[HCOL_VERSION])
		return "the version is NULL";
	if (strata__kind_parse(v[HCOL_KIND], &r->kind) < 0) {
		/* a bad version first, as it is the likelier edit */
		r->kind = STRATA_KIND_VERSIONED;
		why = version_problem(v[HCOL_VERSION], r, old_format);
		return why ? why :
		             "the kind is not versioned, repeatable or "
		             "baseline";
	}
	why = version_problem(v[HCOL_VERSION], r, old_format);
	if (why)
		return why;
	if (!v[HCOL_NAME] || !v[HCOL_NAME][0])
		return v[HCOL_NAME] ? "the name is empty" : "the name is NULL";
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
	why = row_problem(v, r, &dirty, h->old_format);
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
	int c = strata__version_cmp(x->version, y->version);

	return c ? c : strcmp(x->name, y->name);
}

/* Files and rows are matched by version: two rows of one version (under
 * two names) would make that match a guess. */
static int check_duplicates(strata_ctx *ctx, const struct history *h)
{
	size_t i;

	for (i = 1; i < h->n; i++) {
		const struct history_row *a = &h->v[i - 1], *b = &h->v[i];
		size_t more = 0;

		if (strcmp(a->version, b->version) != 0 ||
		    a->kind == STRATA_KIND_REPEATABLE)
			continue;
		while (i + 1 + more < h->n &&
		       strcmp(h->v[i + 1 + more].version, a->version) == 0)
			more++;
		strata__error_set(ctx, STRATA_ESTATE,
		                  "history table '%s' has %zu rows for version "
		                  "%s: '%s' and '%s'%s",
		                  ctx->table, 2 + more, a->version, a->name,
		                  b->name, more ? " and more" : "");
		strata__error_detail(
		        ctx,
		        "strata matches history rows to files by version: keep "
		        "the row of the migration that was applied and delete "
		        "the other with SQL (DELETE FROM %s WHERE version = "
		        "'%s' AND name = '...'), then run the command again",
		        ctx->table, a->version);
		return STRATA_ESTATE;
	}
	return 0;
}

int strata__history_read_into(strata_ctx *ctx, struct history *h)
{
	strata_buf sql = STRATA_BUF_INIT;
	int rc;

	strata__history_release(h);
	h->old_format = ctx->history_old_format;
	/* a table of the old format has no version_sort: never read */
	rc = strata__buf_puts(
	        &sql, h->old_format ? "SELECT " HISTORY_COLUMN_LIST_V1
	                              ", '' FROM " :
	                              "SELECT " HISTORY_COLUMN_LIST " FROM ");
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
		rc = strata__buf_printf(out, "%s|%s|%d|%s|%d\n",
		                        h->v[i].version, h->v[i].name,
		                        (int)h->v[i].kind, h->v[i].checksum,
		                        h->v[i].dirty);
	return rc;
}

struct history_row *strata__history_find(const struct history *h,
                                         const char *version)
{
	size_t lo = 0, hi = h->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strata__version_cmp(h->v[mid].version, version) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo < h->n && strcmp(h->v[lo].version, version) == 0) {
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

	for (i = 0; i < h->n && !h->v[i].version[0]; i++)
		if (strcmp(h->v[i].name, name) == 0)
			return &h->v[i];
	return NULL;
}
