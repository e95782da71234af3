/*
 * The lint rules: their names, levels and where they apply; the report of
 * a finding, which decides whether it is shown, suppressed or dropped;
 * and the sets of names a run tracks.
 */
#include <ctype.h>
#include <stdarg.h>
#include <strings.h>

#include "common.h"
#include "ctx.h"
#include "lint.h"

#define LINT_ROW(id, name, level, dialects, kind, summary) \
 { name, level, dialects, kind, summary },

static const struct rule_row {
	const char *name;
	int level;
	unsigned dialects;
	int kind;
	const char *summary;
} rules[] = { STRATA_LINT_RULES(LINT_ROW) };

#undef LINT_ROW

/* where a rule applies, as strata_lint_rule.dialects says it */
#define DIALECT_WORDS(d)                          \
 ((d) == LINT_PG             ? "postgres" :       \
  (d) == LINT_MY             ? "mysql" :          \
  (d) == LINT_SL             ? "sqlite" :         \
  (d) == (LINT_PG | LINT_MY) ? "postgres mysql" : \
	                       "postgres mysql sqlite")
#define PUBLIC_ROW(id, name, level, dialects, kind, summary) \
 { name, level, DIALECT_WORDS(dialects), summary },

static const strata_lint_rule public_rules[] = { STRATA_LINT_RULES(
	PUBLIC_ROW) };

#undef PUBLIC_ROW

const strata_lint_rule *strata_lint_rule_at(size_t i)
{
	return i < LINT_N_RULES ? &public_rules[i] : NULL;
}

int strata_lint_level_parse(const char *name)
{
	if (!name)
		return -1;
	if (strcmp(name, "error") == 0)
		return 2;
	if (strcmp(name, "warning") == 0)
		return 1;
	if (strcmp(name, "off") == 0)
		return 0;
	return -1;
}

const char *strata__lint_rule_name(int rule)
{
	return rule >= 0 && rule < LINT_N_RULES ? rules[rule].name : "";
}

/* other names of rules: squawk's current ones where they differ */
static const struct {
	const char *name;
	int rule;
} aliases[] = {
	{ "prefer-timestamp-tz", LINT_PREFER_TIMESTAMPTZ },
};

int strata__lint_rule_find(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < LINT_N_RULES; i++)
		if (strlen(rules[i].name) == n &&
		    strncasecmp(rules[i].name, name, n) == 0)
			return (int)i;
	for (i = 0; i < ARRAY_SIZE(aliases); i++)
		if (strlen(aliases[i].name) == n &&
		    strncasecmp(aliases[i].name, name, n) == 0)
			return aliases[i].rule;
	return -1;
}

int strata_lint_rule_find(const char *name)
{
	return name ? strata__lint_rule_find(name, strlen(name)) : -1;
}

int strata__lint_rule_kind(int rule)
{
	return rules[rule].kind;
}

int strata__lint_rule_dialects(int rule)
{
	return (int)rules[rule].dialects;
}

int strata__lint_level(const struct lint_run *r, int rule)
{
	if (r->levels && r->levels[rule] >= 0)
		return r->levels[rule];
	return rules[rule].level;
}

int strata__lint_levels_parse(signed char *levels, const char *const *list,
                              char *why, size_t why_size)
{
	size_t i;

	memset(levels, -1, LINT_N_RULES);
	for (i = 0; list && list[i]; i++) {
		const char *eq = strchr(list[i], '=');
		int rule, level;

		if (!eq) {
			snprintf(why, why_size,
			         "lint level '%.80s' is not rule=level",
			         list[i]);
			return -1;
		}
		rule = strata__lint_rule_find(list[i], (size_t)(eq - list[i]));
		if (rule < 0) {
			snprintf(why, why_size,
			         "unknown lint rule '%.*s' (strata lint "
			         "--rules lists them)",
			         (int)(eq - list[i] > 80 ? 80 : eq - list[i]),
			         list[i]);
			return -1;
		}
		level = strata_lint_level_parse(eq + 1);
		if (level < 0) {
			snprintf(why, why_size,
			         "lint rule '%s': level '%.40s' is none of "
			         "error, warning, off",
			         rules[rule].name, eq + 1);
			return -1;
		}
		levels[rule] = (signed char)level;
	}
	return 0;
}

/* ---- sets of names ------------------------------------------------ */

static int quote_char(char c)
{
	return c == '"' || c == '`' || c == '[' || c == ']';
}

/* Where the last part of a dotted name starts (dots in quotes do not
 * count). */
static size_t last_part(const char *name, size_t n)
{
	size_t i, start = 0;
	int q = 0;

	for (i = 0; i < n; i++) {
		if (quote_char(name[i]))
			q = !q;
		else if (name[i] == '.' && !q)
			start = i + 1;
	}
	return start;
}

/* the last part of a dotted name, without quotes, lower-cased */
static char *norm_name(const char *name, size_t n)
{
	size_t i, k = 0, start = last_part(name, n);
	char *s = strata__malloc(n - start + 1);

	if (!s)
		return NULL;
	for (i = start; i < n; i++)
		if (!quote_char(name[i]))
			s[k++] = (char)tolower((unsigned char)name[i]);
	s[k] = '\0';
	return s;
}

/* Is k (a norm_name) the name name[0, n)? Allocates nothing. */
static int same_name(const char *k, const char *name, size_t n)
{
	size_t i;

	for (i = last_part(name, n); i < n; i++) {
		if (quote_char(name[i]))
			continue;
		if (*k != (char)tolower((unsigned char)name[i]))
			return 0;
		k++;
	}
	return *k == '\0';
}

static int names_index(const struct lint_names *s, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (same_name(s->v[i], name, n))
			return (int)i;
	return -1;
}

int strata__lint_names_add(struct lint_names *s, const char *name, size_t n)
{
	char *k;

	if (names_index(s, name, n) >= 0)
		return 0;
	if (s->n == s->alloc) {
		size_t a = s->alloc ? s->alloc * 2 : 16;
		char **v = strata__reallocarray(s->v, a, sizeof(*v));

		if (!v)
			return STRATA_ENOMEM;
		s->v = v;
		s->alloc = a;
	}
	k = norm_name(name, n);
	if (!k)
		return STRATA_ENOMEM;
	s->v[s->n++] = k;
	return 0;
}

int strata__lint_names_has(const struct lint_names *s, const char *name,
                           size_t n)
{
	return names_index(s, name, n) >= 0;
}

void strata__lint_names_remove(struct lint_names *s, const char *name, size_t n)
{
	int i = names_index(s, name, n);

	if (i < 0)
		return;
	strata__free(s->v[i]);
	s->v[i] = s->v[--s->n];
}

void strata__lint_names_release(struct lint_names *s)
{
	while (s->n)
		strata__free(s->v[--s->n]);
	strata__free(s->v);
	memset(s, 0, sizeof(*s));
}

/* ---- findings ----------------------------------------------------- */

static struct lint_item *new_item(struct lint_run *r)
{
	struct lint_item *it;

	if (r->n == r->alloc) {
		size_t a = r->alloc ? r->alloc * 2 : 32;
		struct lint_item *v = strata__reallocarray(r->v, a, sizeof(*v));

		if (!v)
			return NULL;
		r->v = v;
		r->alloc = a;
	}
	it = &r->v[r->n];
	memset(it, 0, sizeof(*it));
	it->rows = -1;
	return it;
}

/* the statement's first line, at most 200 bytes, control bytes as
 * blanks */
static char *first_line(const struct lint_stmt *st)
{
	size_t n = 0, i;
	char *s;

	while (n < st->len && n < 200 && st->sql[n] != '\n' &&
	       st->sql[n] != '\r')
		n++;
	s = strata__strndup(st->sql, n);
	for (i = 0; s && i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			s[i] = ' ';
	return s;
}

static int fill(struct lint_run *r, struct lint_item *it, int line, int col,
                const char *fmt, va_list ap) STRATA_VPRINTF(5);

static int fill(struct lint_run *r, struct lint_item *it, int line, int col,
                const char *fmt, va_list ap)
{
	strata_buf b = STRATA_BUF_INIT;
	const struct lint_stmt *st = r->st;

	it->file = strata__strdup(r->path ? r->path : "");
	it->line = line ? line : st->line;
	it->column = line ? col : st->column;
	it->end_line = line ? line : st->end_line;
	it->statement = first_line(st);
	if (strata__buf_vprintf(&b, fmt, ap) < 0 || !it->file ||
	    !it->statement) {
		strata_buf_release(&b);
		strata__free(it->file);
		strata__free(it->statement);
		return STRATA_ENOMEM;
	}
	it->message = strata__buf_detach(&b);
	r->n++;
	return 0;
}

int strata__lint_report(struct lint_run *r, int rule, const char *table,
                        const char *fmt, ...)
{
	struct lint_item *it;
	va_list ap;
	int level = strata__lint_level(r, rule), rc;

	if (!(rules[rule].dialects & r->dialect) || level == 0 ||
	    (r->errors_only && level < 2))
		return 0;
	it = new_item(r);
	if (!it)
		return STRATA_ENOMEM;
	it->rule = rule;
	it->level = level;
	if (r->ignored[rule])
		it->suppressed = "ignored";
	else if (table && rules[rule].kind == LINT_OLD_TABLE &&
	         strata__lint_names_has(&r->new_tables, table, strlen(table)))
		it->suppressed = "new-table";
	if (table) {
		it->table = norm_name(table, strlen(table));
		if (!it->table)
			return STRATA_ENOMEM;
	}
	va_start(ap, fmt);
	rc = fill(r, it, 0, 0, fmt, ap);
	va_end(ap);
	if (rc < 0)
		strata__free(it->table);
	return rc;
}

int strata__lint_need_lock_timeout(struct lint_run *r, const char *table,
                                   const char *what)
{
	size_t n = r->n;
	int rc;

	if (r->lock_timeout || r->lock_reported)
		return 0;
	rc = strata__lint_report(r, LINT_REQUIRE_LOCK_TIMEOUT, table,
	                         "no lock timeout before the first statement "
	                         "that waits for %s on %s: %s, or "
	                         "'-- strata:lock-timeout 2s' before the "
	                         "first statement",
	                         what, table,
	                         r->dialect == LINT_MY ?
	                                 "SET SESSION lock_wait_timeout" :
	                                 "SET lock_timeout");
	if (rc == 0 && r->n > n && !r->v[n].suppressed)
		r->lock_reported = 1;
	return rc;
}

int strata__lint_input(struct lint_run *r, int line, int col, const char *fmt,
                       ...)
{
	struct lint_item *it = new_item(r);
	va_list ap;
	int rc;

	if (!it)
		return STRATA_ENOMEM;
	it->rule = -1;
	it->level = 2;
	va_start(ap, fmt);
	rc = fill(r, it, line, col, fmt, ap);
	va_end(ap);
	if (rc == 0)
		r->n_input++;
	return rc;
}

void strata__lint_release(strata_ctx *ctx)
{
	size_t i;

	for (i = 0; i < ctx->n_lint_items; i++) {
		struct lint_item *it = &ctx->lint_items[i];

		strata__free(it->file);
		strata__free(it->message);
		strata__free(it->statement);
		strata__free(it->table);
	}
	strata__free(ctx->lint_items);
	strata__free(ctx->lint_findings);
	ctx->lint_items = NULL;
	ctx->lint_findings = NULL;
	ctx->n_lint_items = ctx->n_lint_findings = 0;
}
