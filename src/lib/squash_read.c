/*
 * Reading squash files (squash.h): their -- strata:squash lines, what
 * the planner asks of them, and recording a squash in the history of a
 * database where the replaced migrations ran.
 */
#include <ctype.h>
#include <strings.h>

#include "common.h"
#include "ctx.h"
#include "driver.h"
#include "engine.h"
#include "history.h"
#include "markers.h"
#include "squash.h"

static int bad_line(strata_ctx *ctx, const struct migration *m, size_t off,
                    const char *why)
{
	int line, col;

	strata__offset_to_pos(m->text, m->text_len, off, &line, &col);
	strata__error_set(ctx, STRATA_EPARSE,
	                  "%s: '-- " SQUASH_DIRECTIVE
	                  " VERSION CHECKSUM NAME' expected",
	                  why);
	strata__error_at(ctx, m->up_path, line, col);
	return STRATA_EPARSE;
}

/* the next word of b[0, n) from *i: its start, length in *len */
static const char *word(const char *b, size_t n, size_t *i, size_t *len)
{
	size_t s;

	while (*i < n && isspace((unsigned char)b[*i]))
		(*i)++;
	s = *i;
	while (*i < n && !isspace((unsigned char)b[*i]))
		(*i)++;
	*len = *i - s;
	return b + s;
}

static int add_entry(strata_ctx *ctx, struct migration *m, const char *b,
                     size_t bl, size_t off)
{
	struct squash_entry *e, *nv;
	const char *v, *sum;
	size_t i = 0, vl, sl, k;

	v = word(b, bl, &i, &vl);
	sum = word(b, bl, &i, &sl);
	nv = strata__reallocarray(m->squashed, m->n_squashed + 1, sizeof(*nv));
	if (!nv)
		return strata__oom(ctx);
	m->squashed = nv;
	e = &nv[m->n_squashed];
	if (!vl || strata__version_parse(e->version, v, vl) < 0)
		return bad_line(ctx, m, off, "a squash line without a version");
	if (sl != 64)
		return bad_line(ctx, m, off,
		                "a squash line without a SHA-256 checksum");
	for (k = 0; k < 64; k++)
		if (!isxdigit((unsigned char)sum[k]))
			return bad_line(ctx, m, off,
			                "a squash line without a SHA-256 "
			                "checksum");
	memcpy(e->checksum, sum, 64);
	e->checksum[64] = '\0';
	m->n_squashed++;
	return 0;
}

int strata__squash_parse(strata_ctx *ctx, struct migration *m)
{
	size_t pos = m->up.off, end = m->up.off + m->up.len;
	size_t dl = strlen(SQUASH_DIRECTIVE);
	struct line l;

	strata__free(m->squashed);
	m->squashed = NULL;
	m->n_squashed = 0;
	if (!m->up.present || !m->text)
		return 0;
	/* leading comments only: sections.c refuses a directive below */
	while (pos < end && strata__next_line(m->text, end, pos, &l)) {
		const char *b;
		size_t bl;
		int rc;

		pos = l.next;
		if (!strata__comment_body(m->text, &l, &b, &bl)) {
			if (strata__blank_line(m->text, &l))
				continue;
			break;
		}
		if (bl <= dl || strncasecmp(b, SQUASH_DIRECTIVE, dl) != 0 ||
		    !isspace((unsigned char)b[dl]))
			continue;
		rc = add_entry(ctx, m, b + dl, bl - dl, l.off);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int strata__squash_covers(const struct migration *m, const char *version,
                          const char *checksum)
{
	size_t i;

	for (i = 0; i < m->n_squashed; i++)
		if (strcmp(m->squashed[i].version, version) == 0 && checksum &&
		    strcmp(m->squashed[i].checksum, checksum) == 0)
			return 1;
	return 0;
}

const struct migration *strata__squash_holding(const strata_ctx *ctx,
                                               const char *version)
{
	size_t i, k;

	for (i = 0; i < ctx->source.n; i++) {
		const struct migration *m = &ctx->source.v[i];

		for (k = 0; k < m->n_squashed; k++)
			if (strcmp(m->squashed[k].version, version) == 0)
				return m;
	}
	return NULL;
}

int strata__squash_check_pending(strata_ctx *ctx, const struct migration *m)
{
	const struct history *h = &ctx->history;
	size_t i;

	for (i = 0; i < m->n_squashed; i++) {
		const struct history_row *r =
		        strata__history_find(h, m->squashed[i].version);

		if (!r)
			continue;
		strata__error_set(
		        ctx, STRATA_ESTATE,
		        "%s replaces migrations this database has "
		        "only partly applied (%s '%s' is, %s is not): "
		        "it would make again what they made",
		        m->up_path, r->version, r->name, m->version_text);
		strata__error_detail(
		        ctx,
		        "apply the replaced migrations up to %s first, with the "
		        "folder as it was before the squash (from version "
		        "control), then run strata up with this folder",
		        m->version_text);
		return STRATA_ESTATE;
	}
	return 0;
}

/* The squash file of view entry v, when it is one taken as applied on
 * a row that is still the replaced migration's. */
static struct migration *unrecorded(strata_ctx *ctx, const strata_migration *v)
{
	struct migration *m;

	if (v->kind == STRATA_KIND_REPEATABLE ||
	    v->state != STRATA_STATE_APPLIED || !v->applied_checksum)
		return NULL;
	m = strata__view_source(ctx, v);
	if (!m || !m->loaded || !m->n_squashed)
		return NULL;
	return strcmp(v->applied_checksum, m->checksum) != 0 ? m : NULL;
}

int strata__squash_unrecorded(strata_ctx *ctx)
{
	size_t i;

	for (i = 0; i < ctx->n_view; i++)
		if (unrecorded(ctx, &ctx->view[i]))
			return 1;
	return 0;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static int record_one(strata_ctx *ctx, strata_buf *sql,
                      const strata_migration *v, struct migration *m)
{
	strata_buf detail = STRATA_BUF_INIT;
	struct log_event e;
	size_t i;
	int rc = strata__buf_printf(&detail, "replaces");

	for (i = 0; rc == 0 && i < m->n_squashed; i++)
		rc = strata__buf_printf(&detail, "%s %s", i ? "," : "",
		                        m->squashed[i].version);
	if (rc == 0)
		rc = strata__buf_printf(&detail, " (applied as '%s', %.12s)",
		                        v->applied_name, v->applied_checksum);
	if (rc < 0) {
		strata_buf_release(&detail);
		return strata__oom(ctx);
	}
	memset(&e, 0, sizeof(e));
	e.action = "squash";
	e.version = v->version;
	e.name = m->name;
	e.kind = v->kind;
	e.checksum = m->checksum;
	e.detail = detail.ptr;
	rc = strata__log_sql(ctx, sql, &e);
	if (rc == 0)
		rc = strata__history_sql_rename(ctx, sql, v->version, m->name,
		                                m->checksum,
		                                base_name(m->up_path));
	strata_buf_release(&detail);
	return rc;
}

int strata__squash_record(strata_ctx *ctx, size_t *n_done)
{
	strata_buf sql = STRATA_BUF_INIT;
	struct txn t = { ctx, 0 };
	size_t i, n = 0;
	int rc = 0;

	*n_done = 0;
	for (i = 0; rc == 0 && i < ctx->n_view; i++) {
		const strata_migration *v = &ctx->view[i];
		struct migration *m = unrecorded(ctx, v);

		if (!m)
			continue;
		rc = record_one(ctx, &sql, v, m);
		if (rc == 0)
			strata__emitf(ctx, STRATA_EVENT_INFO,
			              "recorded the squash of %s (%zu "
			              "migration%s replaced)",
			              m->up_path, m->n_squashed,
			              m->n_squashed == 1 ? "" : "s");
		n++;
	}
	if (rc == 0 && sql.len) {
		rc = strata__txn_begin(&t, ctx);
		if (rc == 0)
			rc = strata__conn_exec(ctx, sql.ptr, sql.len);
		rc = strata__txn_end(&t, rc);
	}
	strata_buf_release(&sql);
	if (rc == 0 && n) {
		rc = strata__history_read(ctx);
		if (rc == 0)
			rc = strata__build_view(ctx);
	}
	if (rc == 0)
		*n_done = n;
	return rc;
}
