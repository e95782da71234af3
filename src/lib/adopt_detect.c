/*
 * Finding the other tool's history table: every table a known tool would
 * have made is looked at (by name, then by its exact shape), preferring
 * the tool whose file format the folder has; and reading its rows with
 * the tool's descriptor.
 */
#include <strings.h>

#include "common.h"
#include "ctx.h"
#include "driver.h"
#include "adopt.h"

struct probe {
	char name[128];
	int found;
	char cols[24][64]; /* lower case; a table of more is no tool's */
	int n;
};

static int col_cb(void *payload, int ncols, const char *const *v)
{
	struct probe *p = payload;
	size_t i;

	if (ncols < 1 || !v[0])
		return 0;
	if (p->n == (int)ARRAY_SIZE(p->cols)) {
		p->n++; /* too many: matches no shape */
		return 0;
	}
	if (p->n > (int)ARRAY_SIZE(p->cols))
		return 0;
	for (i = 0; v[0][i] && i + 1 < sizeof(p->cols[0]); i++)
		p->cols[p->n][i] = (char)(v[0][i] >= 'A' && v[0][i] <= 'Z' ?
		                                  v[0][i] + 32 :
		                                  v[0][i]);
	p->cols[p->n][i] = '\0';
	p->n++;
	return 0;
}

static int probe(strata_ctx *ctx, struct probe *p, const char *name)
{
	int rc;

	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	rc = strata__conn_table_columns(ctx, strata__schema(ctx), name, col_cb,
	                                p);
	if (rc == STRATA_ENOTFOUND) {
		strata__error_clear(ctx);
		return 0;
	}
	if (rc < 0)
		return rc;
	p->found = 1;
	return 0;
}

static int has_col(const struct probe *p, const char *col)
{
	int i;

	for (i = 0; i < p->n && i < (int)ARRAY_SIZE(p->cols); i++)
		if (strcmp(p->cols[i], col) == 0)
			return 1;
	return 0;
}

static int shape_of(const struct probe *p, const struct adopt_tool *t)
{
	int n = 0;

	if (!p->found)
		return 0;
	for (; t->columns[n]; n++)
		if (!has_col(p, t->columns[n]))
			return 0;
	return !t->exact || p->n == n;
}

/* strata's own table (history.c checks it exactly before writing) */
static int is_strata(const struct probe *p)
{
	static const char *const cols[] = { "version", "name",
		                            "kind",    "checksum_algorithm",
		                            "target",  "dirty" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cols); i++)
		if (!has_col(p, cols[i]))
			return 0;
	return 1;
}

/* the missing or extra column that makes p no t's */
static void why_not(const struct probe *p, const struct adopt_tool *t,
                    char *out, size_t n)
{
	int i;

	for (i = 0; t->columns[i]; i++)
		if (!has_col(p, t->columns[i])) {
			snprintf(out, n, "no column '%s'", t->columns[i]);
			return;
		}
	for (i = 0; i < p->n && i < (int)ARRAY_SIZE(p->cols); i++) {
		int j, known = 0;

		for (j = 0; t->columns[j]; j++)
			known |= strcmp(t->columns[j], p->cols[i]) == 0;
		if (!known) {
			snprintf(out, n, "a column '%s'", p->cols[i]);
			return;
		}
	}
	snprintf(out, n, "its columns");
}

struct found {
	const struct adopt_tool *tool;
	char at[128];
	int moved;
};

/* Does the folder have a file of a format t reads? */
static int folder_fits(strata_ctx *ctx, const struct adopt_tool *t)
{
	char want[40];
	size_t i;

	for (i = 0; i < ctx->source.n; i++) {
		snprintf(want, sizeof(want), " %s ", ctx->source.v[i].format);
		if (strstr(t->formats, want))
			return 1;
	}
	return 0;
}

static int set_found(struct adopt *a, const struct found *f)
{
	strata_ctx *ctx = a->ctx;
	strata_buf b = STRATA_BUF_INIT;

	a->tool = f->tool;
	a->at = strata__strdup(f->at);
	a->already_moved = f->moved;
	if (strcmp(f->tool->table, ctx->table) == 0 &&
	    strata__buf_printf(&b, "%s_%s", ctx->table, f->tool->slug) == 0)
		a->renamed = strata__buf_detach(&b);
	strata_buf_release(&b);
	if (!a->at || (strcmp(f->tool->table, ctx->table) == 0 && !a->renamed))
		return strata__oom(ctx);
	return 0;
}

static int refuse_unknown(strata_ctx *ctx, const struct probe *p,
                          const struct adopt_tool *t)
{
	strata_buf cols = STRATA_BUF_INIT, tools = STRATA_BUF_INIT;
	const struct adopt_tool *u;
	char why[96];
	int i, rc = 0;

	why_not(p, t, why, sizeof(why));
	for (i = 0; rc == 0 && i < p->n && i < (int)ARRAY_SIZE(p->cols); i++)
		rc = strata__buf_printf(&cols, "%s%s", i ? ", " : "",
		                        p->cols[i]);
	for (u = strata__adopt_tools; rc == 0 && u->name; u++)
		if (strcmp(u->table, p->name) == 0)
			rc = strata__buf_printf(&tools, "%s%s",
			                        tools.len ? " or " : "",
			                        u->name);
	if (rc < 0) {
		strata_buf_release(&cols);
		strata_buf_release(&tools);
		return strata__oom(ctx);
	}
	strata__error_set(ctx, STRATA_ESTATE,
	                  "table '%s' has the name %s gives its history but "
	                  "not its shape (columns %s; for %s: %s): strata "
	                  "adopts only tables it can read exactly",
	                  p->name, tools.ptr, cols.ptr, t->name, why);
	strata__error_detail(ctx,
	                     "nothing was written; if another tool made it, "
	                     "record the state by hand ('strata baseline V')");
	strata_buf_release(&cols);
	strata_buf_release(&tools);
	return STRATA_ESTATE;
}

int strata__adopt_detect(struct adopt *a)
{
	strata_ctx *ctx = a->ctx;
	const struct adopt_tool *t, *want = NULL;
	struct found f[16];
	struct probe *p = NULL;
	const struct probe *unknown = NULL;
	const struct adopt_tool *unknown_tool = NULL;
	size_t n_found = 0, n_p = 0, i, fit = 0, pick = 0;
	int rc = 0;

	if (a->opts->from) {
		want = strata__adopt_tool_find(a->opts->from);
		if (!want)
			return strata__error_set(
			        ctx, STRATA_EINVALID,
			        "%s: unknown tool '%s' (golang-migrate, "
			        "dbmate, goose, flyway, sql-migrate, sqlx, "
			        "prisma, diesel, migrate.sh, alembic)",
			        strata__setting(ctx, STRATA_SETTING_ADOPT_FROM),
			        a->opts->from);
	}
	p = strata__calloc(32, sizeof(*p));
	if (!p)
		return strata__oom(ctx);
	/* strata's own table first: its shape decides what its name is */
	rc = probe(ctx, &p[n_p++], ctx->table);
	if (rc == 0 && p[0].found && is_strata(&p[0]))
		a->strata_exists = 1;
	for (t = strata__adopt_tools; rc == 0 && t->name; t++) {
		const char *names[2];
		strata_buf moved = STRATA_BUF_INIT;
		int k;

		if (want && t != want)
			continue;
		names[0] = t->table;
		names[1] = NULL;
		if (strcmp(t->table, ctx->table) == 0) {
			if (strata__buf_printf(&moved, "%s_%s", ctx->table,
			                       t->slug) < 0) {
				rc = strata__oom(ctx);
				break;
			}
			names[1] = moved.ptr;
		}
		for (k = 0; rc == 0 && k < 2 && names[k]; k++) {
			struct probe *q = NULL;

			for (i = 0; i < n_p; i++)
				if (strcmp(p[i].name, names[k]) == 0)
					q = &p[i];
			if (!q && n_p < 32) {
				q = &p[n_p++];
				rc = probe(ctx, q, names[k]);
			}
			if (rc < 0 || !q || !q->found)
				continue;
			if (shape_of(q, t) && !(k == 0 && is_strata(q))) {
				if (n_found < ARRAY_SIZE(f)) {
					f[n_found].tool = t;
					snprintf(f[n_found].at,
					         sizeof(f[n_found].at), "%s",
					         names[k]);
					f[n_found].moved = k == 1;
					n_found++;
				}
			} else if (!is_strata(q) && !unknown) {
				unknown = q;
				unknown_tool = t;
			}
		}
		strata_buf_release(&moved);
	}
	if (rc < 0)
		goto done;
	/* a table that another tool's shape explains is not unknown */
	if (unknown)
		for (i = 0; i < n_found; i++)
			if (strcmp(f[i].at, unknown->name) == 0)
				unknown = NULL;
	if (n_found == 0 && unknown) {
		rc = refuse_unknown(ctx, unknown, unknown_tool);
		goto done;
	}
	if (n_found == 0) {
		rc = strata__error_set(
		        ctx, STRATA_ESTATE,
		        want ? "no history table of %s ('%s') in the database" :
		               "no other tool's history table in the "
		               "database%s%s",
		        want ? want->name : "", want ? want->table : "");
		if (!want)
			strata__error_detail(
			        ctx,
			        "looked for schema_migrations (golang-migrate, "
			        "dbmate, migrate.sh), goose_db_version, "
			        "flyway_schema_history, gorp_migrations, "
			        "_sqlx_migrations, _prisma_migrations, "
			        "__diesel_schema_migrations and "
			        "alembic_version");
		goto done;
	}
	if (n_found > 1) {
		for (i = 0; i < n_found; i++)
			if (folder_fits(ctx, f[i].tool)) {
				fit++;
				pick = i;
			}
		if (fit != 1) {
			strata_buf list = STRATA_BUF_INIT;

			for (i = 0; i < n_found; i++)
				if (strata__buf_printf(
				            &list, "%s%s ('%s')", i ? ", " : "",
				            f[i].tool->name, f[i].at) < 0)
					break;
			rc = strata__error_set(
			        ctx, STRATA_ESTATE,
			        "the history tables of several tools are here: "
			        "%s; say which to adopt with %s",
			        list.ptr,
			        strata__setting(ctx,
			                        STRATA_SETTING_ADOPT_FROM));
			strata_buf_release(&list);
			goto done;
		}
	}
	rc = set_found(a, &f[pick]);
	if (rc == 0)
		a->name_taken = p[0].found && !is_strata(&p[0]) &&
		                strcmp(a->at, ctx->table) != 0;
done:
	strata__free(p);
	return rc;
}

int strata__adopt_qualified(strata_ctx *ctx, strata_buf *out, const char *name)
{
	const char *schema = strata__schema(ctx);
	int rc = 0;

	if (schema && schema[0]) {
		rc = strata__conn_quote_ident(ctx, out, schema);
		if (rc == 0)
			rc = strata__buf_putc(out, '.');
	}
	if (rc == 0)
		rc = strata__conn_quote_ident(ctx, out, name);
	if (rc == STRATA_ENOMEM)
		return strata__oom(ctx);
	if (rc < 0)
		return strata__error_set(ctx, STRATA_EINVALID,
		                         "table name '%s' is too long or "
		                         "invalid for %s",
		                         name, strata__driver_name(ctx));
	return 0;
}

struct reading {
	struct adopt *a;
	int ncols;
	int rc;
};

static int row_cb(void *payload, int ncols, const char *const *v)
{
	struct reading *r = payload;

	r->a->n_raw++;
	if (ncols != r->ncols)
		return strata__adopt_bad(r->a, "%d columns in a row", ncols);
	r->rc = r->a->tool->row(r->a, ncols, v);
	return r->rc < 0 ? r->rc : 0;
}

/* The select list, a binary column read as hex text. */
static int select_sql(struct adopt *a, strata_buf *sql, int *ncols)
{
	const struct adopt_tool *t = a->tool;
	const char *s = t->select;
	int rc = strata__buf_puts(sql, "SELECT "), col = 0;

	while (rc == 0 && *s) {
		size_t n = strcspn(s, ",");

		col++;
		if (col > 1)
			rc = strata__buf_puts(sql, ", ");
		if (rc == 0 && col == t->hex_col)
			rc = strata__buf_printf(
			        sql,
			        (strata__driver_dialect(a->ctx) &
			         STRATA_DIALECT_BYTEA) ?
			                "encode(%.*s, 'hex')" :
			                "lower(hex(%.*s))",
			        (int)n, s);
		else if (rc == 0)
			rc = strata__buf_put(sql, s, n);
		s += n;
		while (*s == ',' || *s == ' ')
			s++;
	}
	*ncols = col;
	if (rc == 0)
		rc = strata__buf_puts(sql, " FROM ");
	if (rc < 0)
		return strata__oom(a->ctx);
	rc = strata__adopt_qualified(a->ctx, sql, a->at);
	if (rc == 0 && t->order &&
	    strata__buf_printf(sql, " ORDER BY %s", t->order) < 0)
		rc = strata__oom(a->ctx);
	return rc;
}

int strata__adopt_read(struct adopt *a)
{
	strata_ctx *ctx = a->ctx;
	strata_buf sql = STRATA_BUF_INIT;
	struct reading r = { a, 0, 0 };
	int rc = select_sql(a, &sql, &r.ncols);

	if (rc == 0)
		rc = strata__conn_query(ctx, sql.ptr, row_cb, &r);
	strata_buf_release(&sql);
	if (rc == 0 && r.rc < 0)
		rc = r.rc;
	if (rc == STRATA_ENOMEM)
		return strata__oom(ctx);
	if (rc < 0) {
		strata__error_prefix(ctx, "cannot read %s's table '%s'",
		                     a->tool->name, a->at);
		return rc;
	}
	if (!a->bad && a->tool->finish) {
		rc = a->tool->finish(a);
		if (rc < 0)
			return rc == STRATA_ENOMEM ? strata__oom(ctx) : rc;
	}
	if (a->bad) {
		strata__error_set(ctx, STRATA_ESTATE,
		                  "%s's table '%s' holds %s: strata will not "
		                  "guess what it means",
		                  a->tool->name, a->at, a->bad_why);
		strata__error_detail(ctx, "nothing was written");
		return STRATA_ESTATE;
	}
	return 0;
}
