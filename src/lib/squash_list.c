/*
 * A squash file's list (squash.h): its -- strata:squash lines read into
 * the migration, and the questions asked of that list. Apart from
 * squash_read.c, which plans with it, so that reading the folder
 * (source.c) and merging it with the history (plan.c) call no file that
 * calls them back.
 */
#include <ctype.h>
#include <strings.h>

#include "common.h"
#include "ctx.h"
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
	/* as the history records it: lower case */
	for (k = 0; k < 64; k++)
		e->checksum[k] = (char)tolower((unsigned char)sum[k]);
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
		/* the directive alone is a line without a version */
		if (bl < dl || strncasecmp(b, SQUASH_DIRECTIVE, dl) != 0 ||
		    (bl > dl && !isspace((unsigned char)b[dl])))
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
