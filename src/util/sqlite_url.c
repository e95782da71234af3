/*
 * sqlite: URLs. The file part of sqlite:FILE is taken as written, up to a
 * '?'; sqlite:file:URI is decoded as SQLite decodes URIs. With parameters,
 * or a file: URI, the database is opened through a URI strata builds from
 * the decoded parts, so SQLite sees exactly the file and the parameters
 * checked here.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "strata/errors.h"
#include "alloc.h"
#include "buf.h"
#include "sqlite_url.h"

static const char *const known_params[] = { "mode",   "cache", "immutable",
	                                    "nolock", "psow",  "vfs" };

#define N_PARAMS (sizeof(known_params) / sizeof(known_params[0]))

struct parse {
	struct strata__sqlite_url *u;
	char *err;
	size_t err_len;
	char *value[N_PARAMS]; /* decoded, or NULL when not given */
};

STRATA_PRINTF(2, 3) static int fail(struct parse *ps, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ps->err, ps->err_len, fmt, ap);
	va_end(ap);
	return STRATA_EINVALID;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* s[0, n) percent-decoded (decode) or copied, into a new string; NULL
 * with *rc set on error. */
static char *part(struct parse *ps, int *rc, const char *s, size_t n,
                  int decode, const char *what)
{
	char *d = strata__malloc(n + 1);
	size_t i, k = 0;

	*rc = STRATA_ENOMEM;
	if (!d)
		return NULL;
	for (i = 0; i < n; i++) {
		if (!decode || s[i] != '%') {
			d[k++] = s[i];
			continue;
		}
		if (i + 2 >= n || hexval(s[i + 1]) < 0 ||
		    hexval(s[i + 2]) < 0 ||
		    (s[i + 1] == '0' && s[i + 2] == '0')) {
			strata__free(d);
			*rc = fail(ps,
			           "invalid percent-encoding in the %s of the "
			           "sqlite URL",
			           what);
			return NULL;
		}
		d[k++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
		i += 2;
	}
	d[k] = '\0';
	*rc = 0;
	return d;
}

static int is_boolean(const char *v)
{
	static const char *const words[] = { "0",  "1",   "true", "false",
		                             "on", "off", "yes",  "no" };
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasecmp(v, words[i]) == 0)
			return 1;
	return 0;
}

static int truthy(const char *v)
{
	return v && (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0 ||
	             strcasecmp(v, "on") == 0 || strcasecmp(v, "yes") == 0);
}

/* One key=value, decoded, checked, kept in ps->value. */
static int param(struct parse *ps, char *key, char **value)
{
	size_t i;

	if (!key[0])
		return fail(ps, "an empty parameter name in the sqlite URL");
	for (i = 0; i < N_PARAMS && strcmp(key, known_params[i]) != 0; i++)
		;
	if (i == N_PARAMS)
		return fail(ps,
		            "unknown parameter '%s' in the sqlite URL (known: "
		            "mode, cache, immutable, nolock, psow, vfs)",
		            key);
	if (ps->value[i])
		return fail(ps, "parameter '%s' given twice in the sqlite URL",
		            key);
	if (strcmp(key, "mode") == 0 && strcmp(*value, "ro") != 0 &&
	    strcmp(*value, "rw") != 0 && strcmp(*value, "rwc") != 0 &&
	    strcmp(*value, "memory") != 0)
		return fail(
		        ps,
		        "sqlite URL parameter mode='%s': use ro, rw, rwc or "
		        "memory",
		        *value);
	if (strcmp(key, "cache") == 0 && strcmp(*value, "shared") != 0 &&
	    strcmp(*value, "private") != 0)
		return fail(ps,
		            "sqlite URL parameter cache='%s': use shared or "
		            "private",
		            *value);
	if (strcmp(key, "vfs") == 0 && !(*value)[0])
		return fail(ps, "sqlite URL parameter '%s' needs a value", key);
	if ((strcmp(key, "immutable") == 0 || strcmp(key, "nolock") == 0 ||
	     strcmp(key, "psow") == 0) &&
	    !is_boolean(*value))
		return fail(ps,
		            "sqlite URL parameter '%s' takes 1 or 0 (true, "
		            "false, on, off, yes, no)",
		            key);
	ps->value[i] = *value;
	*value = NULL;
	return 0;
}

/* q[0, n): key=value pairs separated by '&', percent-decoded. */
static int params(struct parse *ps, const char *q, size_t n)
{
	const char *end = q + n;
	int rc = 0;

	while (rc == 0 && q < end) {
		const char *amp = memchr(q, '&', (size_t)(end - q));
		const char *stop = amp ? amp : end;
		const char *eq = memchr(q, '=', (size_t)(stop - q));
		char *key = NULL, *value = NULL;

		if (stop > q) {
			key = part(ps, &rc, q, (size_t)((eq ? eq : stop) - q),
			           1, "parameters");
			if (key)
				value = part(ps, &rc, eq ? eq + 1 : stop,
				             eq ? (size_t)(stop - eq - 1) : 0,
				             1, "parameters");
			if (key && value)
				rc = param(ps, key, &value);
			ps->u->params = 1;
		}
		strata__free(key);
		strata__free(value);
		q = stop + (amp ? 1 : 0);
	}
	return rc;
}

/* Append s percent-encoded but for the characters a URI path or value
 * may hold as they are. */
static int put_encoded(strata_buf *b, const char *s, int in_path)
{
	int rc = 0;

	for (; rc == 0 && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c) ||
		    (in_path && (c == '/' || c == ':')))
			rc = strata__buf_putc(b, (char)c);
		else
			rc = strata__buf_printf(b, "%%%02X", c);
	}
	return rc;
}

/* file:PATH?k=v&..., from the decoded parts: what SQLite decodes back. */
static int build_uri(struct parse *ps)
{
	struct strata__sqlite_url *u = ps->u;
	strata_buf b = STRATA_BUF_INIT;
	char sep = '?';
	size_t i;
	int rc;

	rc = strata__buf_puts(&b, u->path[0] == '/' ? "file://" : "file:");
	if (rc == 0)
		rc = put_encoded(&b, u->path, 1);
	for (i = 0; rc == 0 && i < N_PARAMS; i++) {
		if (!ps->value[i])
			continue;
		rc = strata__buf_printf(&b, "%c%s=", sep, known_params[i]);
		if (rc == 0)
			rc = put_encoded(&b, ps->value[i], 0);
		sep = '&';
	}
	if (rc < 0) {
		strata_buf_release(&b);
		return STRATA_ENOMEM;
	}
	u->open_name = strata__buf_detach(&b);
	u->uri = 1;
	return u->open_name ? 0 : STRATA_ENOMEM;
}

/* file:[//localhost]PATH[?QUERY][#FRAGMENT], as SQLite reads it. */
static int parse_file_uri(struct parse *ps, const char *s)
{
	const char *end, *q;
	int rc;

	if (strncmp(s, "//", 2) == 0) {
		const char *host = s + 2;
		size_t n = strcspn(host, "/?#");

		if (n && !(n == 9 && strncasecmp(host, "localhost", 9) == 0))
			return fail(ps, "a file: URI in a sqlite URL names a "
			                "host: use file:/path or file:///path");
		s = host + n;
	}
	end = s + strcspn(s, "?#");
	ps->u->path = part(ps, &rc, s, (size_t)(end - s), 1, "file name");
	if (rc == 0 && *end == '?') {
		q = end + 1;
		rc = params(ps, q, strcspn(q, "#"));
	}
	return rc;
}

int strata__sqlite_url_parse(struct strata__sqlite_url *out, const char *url,
                             char *err, size_t err_len)
{
	struct parse ps;
	const char *p = strchr(url, ':'), *q;
	size_t i;
	int rc, file_uri = 0;

	memset(out, 0, sizeof(*out));
	memset(&ps, 0, sizeof(ps));
	ps.u = out;
	ps.err = err;
	ps.err_len = err_len;
	if (err_len)
		err[0] = '\0';
	p = p ? p + 1 : url;
	if (strncmp(p, "file:", 5) == 0) {
		file_uri = 1;
		rc = parse_file_uri(&ps, p + 5);
	} else {
		if (strncmp(p, "//", 2) == 0)
			p += 2;
		q = strchr(p, '?');
		out->path = part(&ps, &rc, p, q ? (size_t)(q - p) : strlen(p),
		                 0, "file name");
		if (rc == 0 && q)
			rc = params(&ps, q + 1, strlen(q + 1));
	}
	if (rc == 0 && !out->path[0])
		rc = fail(&ps, "sqlite URL names no file: use "
		               "sqlite:path/to/file.db");
	if (rc == 0) {
		const char *mode = ps.value[0];

		out->memory = strcmp(out->path, ":memory:") == 0 ||
		              (mode && strcmp(mode, "memory") == 0);
		out->read_only = (mode && strcmp(mode, "ro") == 0) ||
		                 truthy(ps.value[2]);
		out->must_exist = mode && (strcmp(mode, "ro") == 0 ||
		                           strcmp(mode, "rw") == 0);
		out->mode = !mode                    ? NULL :
		            strcmp(mode, "ro") == 0  ? "ro" :
		            strcmp(mode, "rw") == 0  ? "rw" :
		            strcmp(mode, "rwc") == 0 ? "rwc" :
		                                       "memory";
		if (file_uri || out->params)
			rc = build_uri(&ps);
		else if (!(out->open_name = strata__strdup(out->path)))
			rc = STRATA_ENOMEM;
	}
	for (i = 0; i < N_PARAMS; i++)
		strata__free(ps.value[i]);
	if (rc == STRATA_ENOMEM && err_len)
		snprintf(err, err_len, "out of memory");
	if (rc < 0)
		strata__sqlite_url_release(out);
	return rc;
}

void strata__sqlite_url_release(struct strata__sqlite_url *u)
{
	strata__free(u->path);
	strata__free(u->open_name);
	memset(u, 0, sizeof(*u));
}
