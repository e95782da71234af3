/*
 * libFuzzer target for the text of migration files: sections (native,
 * dbmate, goose, sql-migrate) and directives (strata__sections_parse),
 * goose's ENVSUB and Flyway's placeholders (strata__migration_expand), the
 * checks run before a part may run (strata__part_check, with the SQLite
 * splitter), text positions, the UTF-8 check and the checksum. The first
 * byte picks the file's kind (a single file, or an up file with or
 * without a down file), whether it is a Flyway file, and the second where
 * the input is cut between up and down text.
 * Invariants: results are 0 or STRATA_EPARSE; sections lie inside their
 * text and do not overlap, before and after substitution; an error names
 * the file and a line inside it; the checksum ignores CR/LF differences;
 * no part that is read holds a line that looks like a dbmate, goose or
 * sql-migrate down marker (a file of a pair holds no marker-like line at
 * all).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/common.h"
#include "lib/ctx.h"
#include "lib/driver.h"
#include "lib/engine.h"
#include "lib/source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int strata__sections_parse(strata_ctx *ctx, struct migration *m);

#define CHECK(cond)  \
 do {                \
  if (!(cond))       \
   __builtin_trap(); \
 } while (0)

static strata_ctx *ctx;

static int lines(const char *t, size_t n)
{
	int k = 1;
	size_t i;

	for (i = 0; i < n; i++)
		k += t[i] == '\n';
	return k;
}

static char *dup_n(const uint8_t *p, size_t n)
{
	char *s = strata__malloc(n + 1);

	CHECK(s != NULL);
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* The error just set names one of the migration's files and a line of
 * that file's text (or line 0). */
static void check_error(const struct migration *m)
{
	const strata_error *e = strata_error_last(ctx);
	int down = m->down_text && strcmp(e->file, m->down_path) == 0;

	CHECK(e->code == STRATA_EPARSE);
	CHECK(e->message[0] != '\0');
	CHECK(strcmp(e->file, m->up_path) == 0 || down);
	CHECK(e->line >= 0 &&
	      e->line <= (down ? lines(m->down_text, m->down_text_len) :
	                         lines(m->text, m->text_len)));
}

static void check_text(const char *t, size_t n)
{
	char a[65], b[65], *norm;
	size_t i, k = 0;
	int is_nul, line, col;
	long bad;

	bad = strata__utf8_check(t, n, &is_nul);
	CHECK(bad >= -1 && bad < (long)n);
	if (bad >= 0 && is_nul)
		CHECK(t[bad] == '\0');
	strata__offset_to_pos(t, n, n, &line, &col);
	CHECK(line == lines(t, n) && col >= 1);
	/* CRLF and CR read as LF */
	norm = strata__malloc(n + 1);
	CHECK(norm != NULL);
	for (i = 0; i < n; i++) {
		if (t[i] == '\r') {
			norm[k++] = '\n';
			if (i + 1 < n && t[i + 1] == '\n')
				i++;
		} else {
			norm[k++] = t[i];
		}
	}
	CHECK(strata__checksum(a, t, n) == 0);
	CHECK(strata__checksum(b, norm, k) == 0);
	CHECK(strcmp(a, b) == 0);
	strata__free(norm);
}

/* Does t[0..n) hold a "--" line that looks like a section marker (any
 * marker when down_only is 0, else a down marker)? */
static int has_marker_line(const char *t, size_t n, int down_only)
{
	size_t pos = 0;

	while (pos < n) {
		const char *nl = memchr(t + pos, '\n', n - pos);
		size_t end = nl ? (size_t)(nl - t) : n, i = pos, k;

		while (i < end && (t[i] == ' ' || t[i] == '\t'))
			i++;
		if (i + 1 < end && t[i] == '-' && t[i + 1] == '-') {
			for (i += 2; i < end && (t[i] == ' ' || t[i] == '\t');
			     i++)
				;
			if (end - i >= 12 &&
			    strncasecmp(t + i, "migrate:down", 12) == 0)
				return 1;
			if (!down_only && end - i >= 8 &&
			    strncasecmp(t + i, "migrate:", 8) == 0)
				return 1;
			for (k = i; k + 6 <= end; k++)
				if (strncasecmp(t + k, "+goose", 6) == 0 &&
				    (!down_only ||
				     (end - k >= 11 &&
				      strncasecmp(t + k + 6, " down", 5) == 0)))
					return 1;
			if (end - i >= 8 &&
			    strncasecmp(t + i, "+migrate", 8) == 0 &&
			    (!down_only ||
			     (end - i >= 13 &&
			      strncasecmp(t + i + 8, " down", 5) == 0)))
				return 1;
		}
		pos = end + 1;
	}
	return 0;
}

static void check_part(const struct part *p, size_t text_len)
{
	if (!p->present)
		return;
	CHECK(p->path != NULL);
	CHECK(p->off <= text_len && p->len <= text_len - p->off);
}

static void check_parts(const struct migration *m)
{
	check_part(&m->up, m->text_len);
	check_part(&m->down, m->single_file ? m->text_len : m->down_text_len);
	if (m->single_file && m->down.present)
		/* dbmate/goose: up first; sql-migrate: either first */
		CHECK(m->up.off + m->up.len <= m->down.off ||
		      m->down.off + m->down.len <= m->up.off);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct migration m;
	unsigned kind, flyway;
	size_t cut;
	int rc;

	if (!ctx) {
		static const char *const values[] = { "a=x", "B=", "c=${a}",
			                              NULL };
		strata_options o;

		memset(&o, 0, sizeof(o));
		o.database_url = "sqlite::memory:";
		o.migrations_dir = "migrations";
		o.placeholders = values;
		CHECK(strata_ctx_new(&ctx, &o) == 0);
		CHECK(strata__driver_resolve(ctx) == 0);
		/* for ENVSUB */
		setenv("A", "x", 1);
		setenv("B", "", 1);
		setenv("C", "$A\n-- +goose Down", 1);
	}
	if (size < 2)
		return 0;
	kind = data[0] % 3; /* 0 single file, 1 up only, 2 up and down */
	flyway = kind != 0 && (data[0] / 3) % 2; /* V and U files */
	cut = data[1] * (size - 2) / 255;
	data += 2;
	size -= 2;
	check_text((const char *)data, size);
	/* a file with a NUL byte never gets here (read_file refuses it) */
	if (memchr(data, '\0', size))
		return 0;

	memset(&m, 0, sizeof(m));
	memcpy(m.version, "1", 2);
	m.kind = STRATA_KIND_VERSIONED;
	m.format = flyway ? "flyway" : "strata";
	m.single_file = kind == 0;
	m.up_path = strata__strdup(kind == 0 ? "migrations/0001_x.sql" :
	                                       "migrations/0001_x.up.sql");
	if (kind == 2) {
		m.down_path = strata__strdup("migrations/0001_x.down.sql");
		m.text = dup_n(data, cut);
		m.text_len = cut;
		m.down_text = dup_n(data + cut, size - cut);
		m.down_text_len = size - cut;
	} else {
		m.text = dup_n(data, size);
		m.text_len = size;
	}
	CHECK(m.up_path && (kind != 2 || m.down_path));

	strata__error_clear(ctx);
	rc = strata__sections_parse(ctx, &m);
	CHECK(rc == 0 || rc == STRATA_EPARSE);
	if (rc < 0) {
		check_error(&m);
		goto done;
	}
	CHECK(m.up.present);
	check_parts(&m);
	if (m.single_file && m.down.present)
		CHECK(m.down_path && strcmp(m.down_path, m.up_path) == 0);
	if (kind == 2)
		CHECK(m.down.present && m.down.len == m.down_text_len);
	if (kind == 1)
		CHECK(!m.down.present);
	/* the down part never runs as part of the up */
	CHECK(!has_marker_line(m.text + m.up.off, m.up.len, 1));
	if (kind != 0) {
		CHECK(!has_marker_line(m.text, m.text_len, 0));
		if (kind == 2)
			CHECK(!has_marker_line(m.down_text, m.down_text_len,
			                       0));
	}

	/* goose's ENVSUB, Flyway's placeholders: the parts move with the
	 * text (a value may hold a line break, or a marker) */
	m.loaded = 1;
	rc = strata__migration_expand(ctx, &m, 0);
	CHECK(rc == 0 || rc == STRATA_EPARSE);
	if (rc == 0 && m.down.present)
		rc = strata__migration_expand(ctx, &m, 1);
	CHECK(rc == 0 || rc == STRATA_EPARSE);
	if (rc < 0) {
		check_error(&m);
		goto done;
	}
	check_parts(&m);

	/* the checks before running, as up and as validate do them */
	rc = strata__part_check(ctx, &m, 0, 0);
	CHECK(rc == 0 || rc == STRATA_EPARSE);
	if (rc < 0)
		check_error(&m);
	if (m.down.present) {
		strata__error_clear(ctx);
		rc = strata__part_check(ctx, &m, 1, 0);
		CHECK(rc == 0 || rc == STRATA_EPARSE);
		if (rc < 0)
			check_error(&m);
	}
	rc = strata__part_check(ctx, &m, 0, 1);
	CHECK(rc == 0);
	(void)strata__part_transactional(ctx, &m, 0);
done:
	strata__free(m.text);
	strata__free(m.down_text);
	strata__free(m.up_path);
	strata__free(m.down_path);
	strata__error_clear(ctx);
	/* problems reported by part_check(report = 1) */
	strata__source_release(&ctx->source);
	return 0;
}
