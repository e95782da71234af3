/*
 * The .env parser. One pass over the text with a cursor that counts
 * lines; values are built in a growing string. Strings are malloc'd, for
 * the caller to free() (as src/util/conf.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dotenv.h"

struct str {
	char *p;
	size_t n, cap;
};

struct cursor {
	const char *s, *end;
	int line;
	struct strata__dotenv *env;
	char *err;
	size_t err_len;
	int oom;
};

static int put(struct cursor *c, struct str *v, const char *s, size_t n)
{
	if (v->n + n + 1 > v->cap) {
		size_t cap = (v->n + n + 1) * 2;
		char *p = realloc(v->p, cap);

		if (!p) {
			c->oom = 1;
			return -1;
		}
		v->p = p;
		v->cap = cap;
	}
	memcpy(v->p + v->n, s, n);
	v->n += n;
	v->p[v->n] = '\0';
	return 0;
}

__attribute__((format(printf, 2, 3))) static int fail(struct cursor *c,
                                                      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, c->err_len, fmt, ap);
	va_end(ap);
	return -1;
}

static int is_name_start(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       ch == '_';
}

static int is_name_char(char ch)
{
	return is_name_start(ch) || (ch >= '0' && ch <= '9');
}

/* A name set in .env may hold '.' and '-' too (app.db-url=...), as
 * dotenv allows; ${...} and $NAME refer to shell-like names only. */
static int is_key_char(char ch)
{
	return is_name_char(ch) || ch == '.' || ch == '-';
}

static void skip_blanks(struct cursor *c)
{
	while (c->s < c->end && (*c->s == ' ' || *c->s == '\t'))
		c->s++;
}

/* At a line end: "\n", "\r\n", or the end of the text. */
static int at_eol(const struct cursor *c)
{
	return c->s == c->end || *c->s == '\n' ||
	       (*c->s == '\r' && (c->s + 1 == c->end || c->s[1] == '\n'));
}

static void skip_line(struct cursor *c)
{
	while (c->s < c->end && *c->s != '\n')
		c->s++;
	if (c->s < c->end) {
		c->s++;
		c->line++;
	}
}

const struct strata__dotenv_var *
strata__dotenv_find(const struct strata__dotenv *env, const char *name)
{
	size_t i;

	for (i = 0; env && i < env->n; i++)
		if (strcmp(env->vars[i].name, name) == 0)
			return &env->vars[i];
	return NULL;
}

/* Append the value of variable name[0, n): the environment first, then
 * the variables above; one set nowhere is noted in *unset. */
static int expand_var(struct cursor *c, struct str *v, const char *name,
                      size_t n, char **unset)
{
	char key[256];
	const struct strata__dotenv_var *var;
	const char *val;

	if (n >= sizeof(key))
		return fail(c, "variable name too long in a ${...}");
	memcpy(key, name, n);
	key[n] = '\0';
	val = getenv(key);
	if (!val && (var = strata__dotenv_find(c->env, key)) != NULL) {
		val = var->value;
		if (var->unset && !*unset && !(*unset = strdup(var->unset))) {
			c->oom = 1;
			return -1;
		}
	}
	if (!val) {
		if (!*unset && !(*unset = strdup(key))) {
			c->oom = 1;
			return -1;
		}
		return 0;
	}
	return put(c, v, val, strlen(val));
}

/* At a '$': ${NAME}, $NAME, or a '$' that is just a '$'. */
static int dollar(struct cursor *c, struct str *v, const char *what,
                  char **unset)
{
	const char *p = c->s + 1, *q;

	if (p < c->end && *p == '{') {
		for (q = p + 1; q < c->end && is_name_char(*q); q++)
			;
		if (q == c->end || *q != '}' || q == p + 1 ||
		    !is_name_start(p[1]))
			return fail(
			        c,
			        "bad variable reference in the value of %s: "
			        "use ${NAME} (letters, digits, '_'), or \\$ "
			        "or single quotes for a '$'",
			        what);
		c->s = q + 1;
		return expand_var(c, v, p + 1, (size_t)(q - p - 1), unset);
	}
	if (p < c->end && is_name_start(*p)) {
		for (q = p; q < c->end && is_name_char(*q); q++)
			;
		c->s = q;
		return expand_var(c, v, p, (size_t)(q - p), unset);
	}
	c->s++;
	return put(c, v, "$", 1);
}

/* 'text': as it is, up to the next quote, lines included. */
static int single_quoted(struct cursor *c, struct str *v, const char *what)
{
	int start = c->line;

	for (c->s++; c->s < c->end && *c->s != '\''; c->s++) {
		if (*c->s == '\r' && c->s + 1 < c->end && c->s[1] == '\n')
			continue; /* CRLF inside: one line end */
		if (*c->s == '\n')
			c->line++;
		if (put(c, v, c->s, 1) < 0)
			return -1;
	}
	if (c->s == c->end) {
		c->line = start;
		return fail(c,
		            "the single-quoted value of %s has no closing "
		            "quote",
		            what);
	}
	c->s++;
	return 0;
}

/* "text": escapes and variables, up to an unescaped quote. */
static int double_quoted(struct cursor *c, struct str *v, const char *what,
                         char **unset)
{
	int start = c->line, rc = 0;

	c->s++;
	while (rc == 0 && c->s < c->end && *c->s != '"') {
		char ch = *c->s;

		if (ch == '\\' && c->s + 1 < c->end) {
			const char *sub = NULL;

			switch (c->s[1]) {
			case 'n':
				sub = "\n";
				break;
			case 'r':
				sub = "\r";
				break;
			case 't':
				sub = "\t";
				break;
			case '"':
				sub = "\"";
				break;
			case '\\':
				sub = "\\";
				break;
			case '$':
				sub = "$";
				break;
			}
			if (sub) {
				rc = put(c, v, sub, 1);
				c->s += 2;
				continue;
			}
		}
		if (ch == '$') {
			rc = dollar(c, v, what, unset);
			continue;
		}
		if (ch == '\r' && c->s + 1 < c->end && c->s[1] == '\n') {
			c->s++;
			continue;
		}
		if (ch == '\n')
			c->line++;
		rc = put(c, v, c->s++, 1);
	}
	if (rc < 0)
		return rc;
	if (c->s == c->end) {
		c->line = start;
		return fail(c,
		            "the double-quoted value of %s has no closing "
		            "quote",
		            what);
	}
	c->s++;
	return 0;
}

/* Unquoted: to the line's end or a " #" comment, blanks trimmed. */
static int unquoted(struct cursor *c, struct str *v, const char *what,
                    char **unset)
{
	int rc = 0;

	while (rc == 0 && !at_eol(c)) {
		if (*c->s == '#' && (c->s[-1] == ' ' || c->s[-1] == '\t')) {
			while (!at_eol(c))
				c->s++;
			break;
		}
		if (*c->s == '$')
			rc = dollar(c, v, what, unset);
		else
			rc = put(c, v, c->s++, 1);
	}
	while (rc == 0 && v->n &&
	       (v->p[v->n - 1] == ' ' || v->p[v->n - 1] == '\t'))
		v->p[--v->n] = '\0';
	return rc;
}

static int store(struct cursor *c, char *name, struct str *v, char *unset,
                 int line)
{
	struct strata__dotenv *env = c->env;
	struct strata__dotenv_var *var, *vars;
	size_t i;

	for (i = 0; i < env->n && strcmp(env->vars[i].name, name) != 0; i++)
		;
	if (i == env->n) {
		vars = realloc(env->vars, (env->n + 1) * sizeof(*vars));
		if (!vars) {
			c->oom = 1;
			return -1;
		}
		env->vars = vars;
		memset(&vars[env->n], 0, sizeof(*vars));
		vars[env->n].name = name;
		env->n++;
	} else {
		free(name);
	}
	var = &env->vars[i];
	free(var->value);
	free(var->unset);
	var->value = v->p ? v->p : strdup("");
	var->unset = unset;
	var->line = line;
	v->p = NULL;
	if (!var->value) {
		c->oom = 1;
		return -1;
	}
	return 0;
}

/* One NAME=value line (the cursor after its leading blanks). */
static int assignment(struct cursor *c)
{
	const char *name = c->s;
	struct str v = { NULL, 0, 0 };
	char *key, *unset = NULL;
	int line = c->line, rc;
	size_t n;

	if (!is_name_start(*c->s))
		return fail(c, "expected NAME=value (a name is letters, "
		               "digits, '_', '.' and '-', not a digit first)");
	while (c->s < c->end && is_key_char(*c->s))
		c->s++;
	n = (size_t)(c->s - name);
	skip_blanks(c);
	if (c->s == c->end || *c->s != '=')
		return fail(c, "expected '=' after %.*s", (int)n, name);
	c->s++;
	skip_blanks(c);
	key = strndup(name, n);
	if (!key) {
		c->oom = 1;
		return -1;
	}
	if (c->s < c->end && *c->s == '\'')
		rc = single_quoted(c, &v, key);
	else if (c->s < c->end && *c->s == '"')
		rc = double_quoted(c, &v, key, &unset);
	else
		rc = unquoted(c, &v, key, &unset);
	if (rc == 0) {
		/* after a quoted value: blanks, a comment, the line's end */
		skip_blanks(c);
		if (c->s < c->end && *c->s == '#')
			while (!at_eol(c))
				c->s++;
		if (!at_eol(c))
			rc = fail(c, "unexpected text after the value of %s",
			          key);
	}
	if (rc == 0)
		rc = store(c, key, &v, unset, line);
	else {
		free(key);
		free(unset);
	}
	free(v.p);
	return rc;
}

int strata__dotenv_parse(struct strata__dotenv *env, const char *text,
                         size_t len, char *err, size_t err_len)
{
	struct cursor c;
	int rc = 0;

	memset(env, 0, sizeof(*env));
	memset(&c, 0, sizeof(c));
	c.s = text;
	c.end = text + len;
	c.line = 1;
	c.env = env;
	c.err = err;
	c.err_len = err_len;
	if (err_len)
		err[0] = '\0';
	if (memchr(text, '\0', len)) {
		const char *nul = memchr(text, '\0', len), *p;

		for (p = text; p < nul; p++)
			c.line += *p == '\n';
		rc = fail(&c, "a NUL byte: this is not a text file");
	}
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		c.s += 3;
	while (rc == 0 && c.s < c.end) {
		skip_blanks(&c);
		if (at_eol(&c) || *c.s == '#') {
			skip_line(&c);
			continue;
		}
		if (c.end - c.s > 7 && memcmp(c.s, "export", 6) == 0 &&
		    (c.s[6] == ' ' || c.s[6] == '\t')) {
			const char *at = c.s;

			c.s += 6;
			skip_blanks(&c);
			if (c.s < c.end && *c.s == '=')
				c.s = at; /* a variable called export */
		}
		rc = assignment(&c);
		if (rc == 0)
			skip_line(&c);
	}
	if (rc == 0)
		return 0;
	strata__dotenv_release(env);
	if (c.oom) {
		if (err_len)
			snprintf(err, err_len, "out of memory");
		return -1;
	}
	return c.line;
}

void strata__dotenv_release(struct strata__dotenv *env)
{
	size_t i;

	for (i = 0; i < env->n; i++) {
		free(env->vars[i].name);
		free(env->vars[i].value);
		free(env->vars[i].unset);
	}
	free(env->vars);
	env->vars = NULL;
	env->n = 0;
}
