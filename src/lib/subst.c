/*
 * Substitutions other tools make in a migration's text before it runs,
 * made the same way: goose's -- +goose ENVSUB ON (environment variables in
 * the lines between ON and OFF, with the expansions of goose's
 * interpolation library, github.com/mfridman/interpolate) and Flyway's
 * placeholders (${name} anywhere in a V, U or R file, values from
 * strata.conf's [placeholders], and ${flyway:filename}).
 *
 * The checksum stays that of the file's text: a different environment or
 * placeholder value does not make an applied migration look edited. The
 * substituted text replaces the migration's text once its checksum is
 * known, just before its parts are checked and run; the parts' offsets
 * are moved with it. Line numbers of later errors are those of the file
 * unless a value holds a line break; columns are those of the
 * substituted line.
 */
#include <ctype.h>
#include <errno.h>
#include <strings.h>

#include "common.h"
#include "ctx.h"
#include "markers.h"
#include "source.h"

/* Offsets of the original text to move to the substituted one: the new
 * values are written to their slots only once all went well. */
struct remap {
	size_t *slot[8];
	size_t orig[8], newv[8];
	int done[8];
	size_t n;
	size_t in, out; /* the original offset reached, and its new one */
};

static void remap_add(struct remap *r, size_t *slot)
{
	if (r->n < ARRAY_SIZE(r->slot)) {
		r->slot[r->n] = slot;
		r->orig[r->n] = *slot;
		r->done[r->n] = 0;
		r->n++;
	}
}

/* The original [r->in, r->in + len) became out_len bytes of output. */
static void remap_step(struct remap *r, size_t len, size_t out_len,
                       int verbatim)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		if (r->done[i] || r->orig[i] < r->in ||
		    r->orig[i] >= r->in + len)
			continue;
		r->newv[i] = r->out + (verbatim ? r->orig[i] - r->in : 0);
		r->done[i] = 1;
	}
	r->in += len;
	r->out += out_len;
}

static void remap_end(struct remap *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		*r->slot[i] = r->done[i] ? r->newv[i] : r->out;
}

/* Copy t[r->in, r->in + len) as it is. */
static int copy(strata_buf *out, struct remap *r, const char *t, size_t len)
{
	if (strata__buf_put(out, t + r->in, len) < 0)
		return STRATA_ENOMEM;
	remap_step(r, len, len, 1);
	return 0;
}

/* Replace t[r->in, r->in + len) with value. */
static int replace(strata_buf *out, struct remap *r, size_t len,
                   const char *value, size_t vlen)
{
	if (strata__buf_put(out, value, vlen) < 0)
		return STRATA_ENOMEM;
	remap_step(r, len, vlen, 0);
	return 0;
}

static int error_at(strata_ctx *ctx, const char *path, const char *t, size_t n,
                    size_t off, const char *msg)
{
	int line, col;

	strata__offset_to_pos(t, n, off, &line, &col);
	strata__error_set(ctx, STRATA_EPARSE, "%s", msg);
	strata__error_at(ctx, path, line, col);
	return STRATA_EPARSE;
}

/* ---- goose ENVSUB: interpolate's grammar ------------------------------- */

struct interp {
	strata_ctx *ctx;
	const char *s; /* the line */
	size_t n, pos;
	strata_buf *out; /* NULL: parse only (a default not taken) */
	char why[300];   /* what went wrong, at s + pos */
	size_t why_at;
	const char *path;
	int line;
};

static int peek(const struct interp *p)
{
	return p->pos < p->n ? (unsigned char)p->s[p->pos] : -1;
}

/* interpolate checks unicode.IsLetter: bytes of a multi-byte character
 * count as letters here */
static int is_letter(int c)
{
	return c >= 0 && (isalpha(c) || c >= 0x80);
}

static int fail(struct interp *p, const char *what)
{
	int c = peek(p);

	p->why_at = p->pos;
	if (c < 0)
		snprintf(p->why, sizeof(p->why), "%s, got the end of the line",
		         what);
	else
		snprintf(p->why, sizeof(p->why), "%s, got '%c'", what, c);
	return STRATA_EPARSE;
}

static int emit(struct interp *p, const char *s, size_t n)
{
	if (p->out && strata__buf_put(p->out, s, n) < 0)
		return STRATA_ENOMEM;
	return 0;
}

static int identifier(struct interp *p, size_t *o, size_t *len)
{
	if (!is_letter(peek(p)))
		return fail(p,
		            "expected a variable name starting with a letter "
		            "(write $$ for a '$' of its own)");
	*o = p->pos;
	while (p->pos < p->n &&
	       (is_letter(peek(p)) || isdigit(peek(p)) || peek(p) == '_'))
		p->pos++;
	*len = p->pos - *o;
	return 0;
}

static const char *lookup(const struct interp *p, size_t o, size_t len,
                          char *name, size_t name_size)
{
	snprintf(name, name_size, "%.*s", (int)len, p->s + o);
	return getenv(name);
}

static int expression(struct interp *p, int stop);

/* Go's strconv.Atoi of the trimmed text */
static int atoi_go(const char *s, size_t n, long long *out)
{
	char buf[32], *end;

	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (!n || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (!isdigit((unsigned char)buf[buf[0] == '-' || buf[0] == '+']))
		return -1;
	errno = 0;
	*out = strtoll(buf, &end, 10);
	return *end || errno ? -1 : 0;
}

static int substring(struct interp *p, const char *val)
{
	size_t o = p->pos, vlen = val ? strlen(val) : 0;
	long long from, to = 0;
	int has_len = 0;

	while (p->pos < p->n && peek(p) != ':' && peek(p) != '}')
		p->pos++;
	if (atoi_go(p->s + o, p->pos - o, &from) < 0) {
		p->pos = o;
		return fail(p, "expected a number (${NAME:offset:length})");
	}
	if (peek(p) == ':') {
		p->pos++;
		o = p->pos;
		while (p->pos < p->n && peek(p) != '}')
			p->pos++;
		if (atoi_go(p->s + o, p->pos - o, &to) < 0) {
			p->pos = o;
			return fail(
			        p, "expected a number (${NAME:offset:length})");
		}
		has_len = 1;
	}
	if (from < 0)
		from += (long long)vlen;
	if (from < 0)
		from = 0;
	if (from > (long long)vlen)
		from = (long long)vlen;
	if (!has_len)
		to = (long long)vlen;
	else if (to >= 0)
		to += from;
	else if ((to += (long long)vlen) < from)
		to = from;
	if (to > (long long)vlen)
		to = (long long)vlen;
	return emit(p, val ? val + from : "", (size_t)(to - from));
}

/* ${NAME}, ${NAME:-w}, ${NAME-w}, ${NAME:o:l}, ${NAME?w}: p->pos at '{' */
static int brace(struct interp *p, size_t dollar)
{
	strata_buf *out = p->out;
	char name[128];
	const char *val;
	size_t o, len;
	int rc, op;

	p->pos++;
	rc = identifier(p, &o, &len);
	if (rc < 0)
		return rc;
	val = lookup(p, o, len, name, sizeof(name));
	if (peek(p) == '}') {
		p->pos++;
		if (!val && out)
			strata__emitf(p->ctx, STRATA_EVENT_WARNING,
			              "%s:%d: ${%s} is not set in the "
			              "environment: replaced by nothing, as "
			              "goose does",
			              p->path, p->line, name);
		return emit(p, val ? val : "", val ? strlen(val) : 0);
	}
	op = peek(p);
	if (op == ':' || op == '-' || op == '?')
		p->pos++;
	else
		return fail(p, "expected '}', ':-', '-', '?' or ':' after the "
		               "variable name");
	if (op == ':' && peek(p) == '-') {
		p->pos++;
		op = 'e'; /* ":-": unset or empty */
	}
	if (op == ':') {
		rc = substring(p, out ? val : NULL);
	} else if (op == '?') {
		strata_buf msg = STRATA_BUF_INIT;

		if (val || !out) {
			p->out = NULL;
			rc = expression(p, '}');
			p->out = out;
			if (rc == 0)
				rc = emit(p, val ? val : "",
				          val ? strlen(val) : 0);
		} else {
			p->out = &msg;
			rc = expression(p, '}');
			p->out = out;
			if (rc == 0) {
				p->why_at = dollar;
				snprintf(p->why, sizeof(p->why),
				         "$%s: %s (the environment has no %s)",
				         name, msg.len ? msg.ptr : "not set",
				         name);
				rc = STRATA_EPARSE;
			}
		}
		strata_buf_release(&msg);
	} else {
		/* ":-" takes the default when unset or empty, "-" when unset */
		int take = op == 'e' ? !val || !val[0] : !val;

		if (!take && out)
			rc = emit(p, val, strlen(val));
		else
			rc = 0;
		if (rc == 0) {
			p->out = take ? out : NULL;
			rc = expression(p, '}');
			p->out = out;
		}
	}
	if (rc < 0)
		return rc;
	if (peek(p) != '}')
		return fail(p, "expected '}' to end the ${...}");
	p->pos++;
	return 0;
}

static int expansion(struct interp *p)
{
	size_t dollar = p->pos, o, len;
	char name[128];
	const char *val;
	int rc;

	p->pos++;
	if (peek(p) == '{')
		return brace(p, dollar);
	rc = identifier(p, &o, &len);
	if (rc < 0)
		return rc;
	val = lookup(p, o, len, name, sizeof(name));
	if (!val && p->out)
		strata__emitf(p->ctx, STRATA_EVENT_WARNING,
		              "%s:%d: $%s is not set in the environment: "
		              "replaced by nothing, as goose does",
		              p->path, p->line, name);
	return emit(p, val ? val : "", val ? strlen(val) : 0);
}

/* interpolate's parseExpression: text and expansions up to stop (or the
 * end of the line when stop is 0) */
static int expression(struct interp *p, int stop)
{
	int rc;

	while (p->pos < p->n && peek(p) != stop) {
		const char *s = p->s + p->pos;
		size_t left = p->n - p->pos, o;

		if (left >= 2 && s[0] == '\\' && s[1] == '\\') {
			rc = emit(p, "\\\\", 2);
			p->pos += 2;
		} else if (left >= 2 && (s[0] == '\\' || s[0] == '$') &&
		           s[1] == '$') {
			rc = emit(p, "$", 1);
			p->pos += 2;
		} else if (left >= 2 && s[0] == '$' && s[1] == '(') {
			rc = emit(p, "$(", 2);
			p->pos += 2;
		} else if (s[0] == '$' && left > 1) {
			rc = expansion(p);
		} else {
			o = p->pos++;
			while (p->pos < p->n && peek(p) != '$' &&
			       peek(p) != '\\' && peek(p) != stop)
				p->pos++;
			rc = emit(p, p->s + o, p->pos - o);
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Trimmed, does the line start with "--"? */
static int comment_line(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && isspace((unsigned char)s[i]))
		i++;
	return n - i >= 2 && s[i] == '-' && s[i + 1] == '-';
}

/* goose's endsWithSemicolon: the last word before a "--" word ends in ';' */
static int ends_with_semicolon(const char *s, size_t n)
{
	size_t i = 0, o, last_o = 0, last_len = 0;

	for (;;) {
		while (i < n && isspace((unsigned char)s[i]))
			i++;
		if (i >= n)
			break;
		o = i;
		while (i < n && !isspace((unsigned char)s[i]))
			i++;
		if (i - o >= 2 && s[o] == '-' && s[o + 1] == '-')
			break;
		last_o = o;
		last_len = i - o;
	}
	return last_len && s[last_o + last_len - 1] == ';';
}

/*
 * goose's parser (internal/sqlparser): between ENVSUB ON and OFF, each
 * line it keeps for a statement is interpolated; comments and blank
 * lines before a statement are dropped, and not interpolated.
 */
static int goose_envsub(strata_ctx *ctx, struct migration *m, strata_buf *out,
                        struct remap *r, int *changed)
{
	const char *t = m->text;
	size_t n = m->text_len, pos = 0;
	int on = 0, section = 0, in_block = 0, buf_empty = 1, rc = 0;
	int lineno = 0;
	struct line l;
	struct marker mk;
	strata_buf line = STRATA_BUF_INIT;

	while (rc == 0 && strata__next_line(t, n, pos, &l)) {
		const char *s = t + l.off;
		enum mark k = strata__marker_classify(t, &l, &mk);
		struct interp p;

		pos = l.next;
		lineno++;
		if (strata__marker_format(k) == 'g') {
			if (k == MK_GOOSE_UP || k == MK_GOOSE_DOWN) {
				section = 1;
				buf_empty = 1;
			}
			if (k == MK_GOOSE_BEGIN)
				in_block = 1;
			if (k == MK_GOOSE_END) {
				in_block = 0;
				buf_empty = 1;
			}
			if (k == MK_GOOSE_ENVSUB_ON || k == MK_GOOSE_ENVSUB_OFF)
				on = k == MK_GOOSE_ENVSUB_ON;
			rc = copy(out, r, t, l.next - l.off);
			continue;
		}
		/* before a statement, comments and blank lines are dropped */
		if (!section ||
		    (buf_empty && (l.len == 0 || comment_line(s, l.len)))) {
			rc = copy(out, r, t, l.next - l.off);
			continue;
		}
		buf_empty = 0;
		if (!on) {
			if (!in_block && ends_with_semicolon(s, l.len))
				buf_empty = 1;
			rc = copy(out, r, t, l.next - l.off);
			continue;
		}
		memset(&p, 0, sizeof(p));
		p.ctx = ctx;
		p.s = s;
		p.n = l.len;
		p.path = m->up_path;
		p.line = lineno;
		strata__buf_clear(&line);
		p.out = &line;
		rc = expression(&p, 0);
		if (rc == STRATA_EPARSE) {
			char msg[400];

			snprintf(msg, sizeof(msg),
			         "cannot substitute the environment in this "
			         "line (-- +goose ENVSUB ON): %s",
			         p.why);
			rc = error_at(ctx, m->up_path, t, n, l.off + p.why_at,
			              msg);
			break;
		}
		if (rc < 0)
			break;
		if (!in_block && ends_with_semicolon(line.ptr, line.len))
			buf_empty = 1;
		if (line.len != l.len || memcmp(line.ptr, s, l.len) != 0)
			*changed = 1;
		rc = replace(out, r, l.len, line.ptr, line.len);
		if (rc == 0 && l.next > l.off + l.len)
			rc = copy(out, r, t, l.next - l.off - l.len);
	}
	strata_buf_release(&line);
	return rc;
}

/* ---- Flyway placeholders ----------------------------------------------- */

static const char *placeholder(strata_ctx *ctx, const char *path,
                               const char *name, size_t len)
{
	char *const *e;

	if (len == strlen("flyway:filename") &&
	    strncasecmp(name, "flyway:filename", len) == 0) {
		const char *b = strrchr(path, '/');

		return b ? b + 1 : path;
	}
	for (e = ctx->placeholders; e && *e; e++)
		if (strncasecmp(*e, name, len) == 0 && (*e)[len] == '=')
			return *e + len + 1;
	return NULL;
}

/*
 * Flyway's PlaceholderReplacingReader: every "${" opens a placeholder that
 * ends at the next "}", in SQL, strings and comments alike; a name with
 * no value stops the migration.
 */
static int flyway_placeholders(strata_ctx *ctx, const char *path, const char *t,
                               size_t n, strata_buf *out, struct remap *r,
                               int *changed)
{
	const char *at, *end;
	size_t o;
	int rc;

	while ((at = n > r->in ? strstr(t + r->in, "${") : NULL) != NULL) {
		const char *value;
		char msg[400];

		o = (size_t)(at - t);
		end = memchr(at + 2, '}', n - o - 2);
		rc = copy(out, r, t, o - r->in);
		if (rc < 0)
			return rc;
		if (!end)
			return error_at(ctx, path, t, n, o,
			                "a Flyway placeholder '${' without its "
			                "'}'");
		value = placeholder(ctx, path, at + 2, (size_t)(end - at) - 2);
		if (!value) {
			int len = (int)(end - at - 2) > 60 ?
			                  60 :
			                  (int)(end - at - 2);

			if (strncasecmp(at + 2, "flyway:", 7) == 0)
				snprintf(
				        msg, sizeof(msg),
				        "Flyway's placeholder '${%.*s}' is not "
				        "one strata fills in (it fills in "
				        "${flyway:filename}): set a placeholder "
				        "of your own in strata.conf under "
				        "[placeholders] and use it",
				        len, at + 2);
			else
				snprintf(
				        msg, sizeof(msg),
				        "no value for the Flyway placeholder "
				        "'${%.*s}': set it in strata.conf under "
				        "[placeholders] (%.*s = value)",
				        len, at + 2, len, at + 2);
			return error_at(ctx, path, t, n, o, msg);
		}
		*changed = 1;
		rc = replace(out, r, (size_t)(end - at) + 1, value,
		             strlen(value));
		if (rc < 0)
			return rc;
	}
	return copy(out, r, t, n - r->in);
}

/* ---- the migration's text ---------------------------------------------- */

static void add_part(struct remap *r, struct part *p, size_t *end)
{
	if (!p->present)
		return;
	*end = p->off + p->len;
	remap_add(r, &p->off);
	remap_add(r, end);
	if (p->has_mark)
		remap_add(r, &p->mark_at);
	if (p->empty_ok)
		remap_add(r, &p->empty_at);
}

/* Substitute in one of m's texts (down: the separate down file's). */
static int expand_text(strata_ctx *ctx, struct migration *m, int down)
{
	strata_buf out = STRATA_BUF_INIT;
	struct remap r;
	size_t up_end = 0, down_end = 0;
	char **text = down ? &m->down_text : &m->text;
	size_t *len = down ? &m->down_text_len : &m->text_len;
	int changed = 0, rc;

	memset(&r, 0, sizeof(r));
	if (!down)
		add_part(&r, &m->up, &up_end);
	if (down || m->single_file)
		add_part(&r, &m->down, &down_end);
	if (strcmp(m->format, "goose") == 0)
		rc = goose_envsub(ctx, m, &out, &r, &changed);
	else
		rc = flyway_placeholders(ctx, down ? m->down_path : m->up_path,
		                         *text, *len, &out, &r, &changed);
	if (rc == STRATA_ENOMEM)
		rc = strata__oom(ctx);
	if (rc < 0 || !changed) {
		strata_buf_release(&out);
		return rc;
	}
	remap_end(&r);
	if (!down)
		m->up.len = up_end - m->up.off;
	if ((down || m->single_file) && m->down.present)
		m->down.len = down_end - m->down.off;
	strata__free(*text);
	*len = out.len;
	*text = strata__buf_detach(&out);
	return *text ? 0 : strata__oom(ctx);
}

int strata__migration_expand(strata_ctx *ctx, struct migration *m, int down)
{
	int which = down && !m->single_file ? EXPAND_DOWN_TEXT : EXPAND_TEXT;
	int rc;
	int flyway = m->format && strcmp(m->format, "flyway") == 0;
	int goose = m->format && strcmp(m->format, "goose") == 0;

	if ((m->expanded & which) || !m->loaded || (!flyway && !goose))
		return 0;
	if (which == EXPAND_DOWN_TEXT && (m->down_deferred || !m->down_text))
		return 0;
	rc = expand_text(ctx, m, which == EXPAND_DOWN_TEXT);
	if (rc == 0)
		m->expanded |= which;
	return rc;
}
