/*
 * sqlite: URLs, read from the one parse (url.h). The file part of
 * sqlite:FILE is taken as written, up to a '?'; sqlite:file:URI is decoded
 * as SQLite decodes URIs. With parameters, or a file: URI, the database is
 * opened through a URI strata builds from the decoded parts, so SQLite
 * sees exactly the file and the parameters checked here.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "strata/errors.h"
#include "alloc.h"
#include "buf.h"
#include "sqlite_url.h"
#include "url.h"

static const char *const known_params[] = { "mode",   "cache", "immutable",
	                                    "nolock", "psow",  "vfs" };

#define N_PARAMS (sizeof(known_params) / sizeof(known_params[0]))

static const struct strata__url_words url_words = {
	.kind = "sqlite",
	.path = "file name",
	.example = NULL,
};

struct parse {
	struct strata__sqlite_url *u;
	char *err;
	size_t err_len;
	const char *value[N_PARAMS]; /* decoded, or NULL when not given */
};

STRATA_PRINTF(2, 3) static int fail(struct parse *ps, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ps->err, ps->err_len, fmt, ap);
	va_end(ap);
	return STRATA_EINVALID;
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
static int param(struct parse *ps, const char *key, const char *value)
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
	if (strcmp(key, "mode") == 0 && strcmp(value, "ro") != 0 &&
	    strcmp(value, "rw") != 0 && strcmp(value, "rwc") != 0 &&
	    strcmp(value, "memory") != 0)
		return fail(
		        ps,
		        "sqlite URL parameter mode='%s': use ro, rw, rwc or "
		        "memory",
		        value);
	if (strcmp(key, "cache") == 0 && strcmp(value, "shared") != 0 &&
	    strcmp(value, "private") != 0)
		return fail(ps,
		            "sqlite URL parameter cache='%s': use shared or "
		            "private",
		            value);
	if (strcmp(key, "vfs") == 0 && !value[0])
		return fail(ps, "sqlite URL parameter '%s' needs a value", key);
	if ((strcmp(key, "immutable") == 0 || strcmp(key, "nolock") == 0 ||
	     strcmp(key, "psow") == 0) &&
	    !is_boolean(value))
		return fail(ps,
		            "sqlite URL parameter '%s' takes 1 or 0 (true, "
		            "false, on, off, yes, no)",
		            key);
	ps->value[i] = value;
	return 0;
}

/* The parameters of g, checked; a bad %-escape in one is refused. */
static int params(struct parse *ps, const struct strata__url *g)
{
	char why[200];
	size_t i;
	int rc = 0;

	if (strata__url_explain(why, sizeof(why), g, STRATA_URL_PARAMS,
	                        &url_words))
		return fail(ps, "%s", why);
	for (i = 0; rc == 0 && i < g->n_params; i++)
		rc = param(ps, g->params[i].key, g->params[i].value);
	ps->u->params = g->n_params > 0;
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

/*
 * file:[//localhost]PATH[?QUERY][#FRAGMENT], as SQLite reads it: the URL
 * text after "sqlite:", taken apart on its own.
 */
static int parse_file_uri(struct parse *ps, struct strata__url *f,
                          const char *text)
{
	char why[200];
	int rc = strata__url_parse(f, text);

	if (rc == STRATA_ENOMEM)
		return rc;
	if (f->authority &&
	    (f->user || f->doubt.p ||
	     (f->hosts_raw.n &&
	      !(f->hosts_raw.n == 9 &&
	        strncasecmp(f->hosts_raw.p, "localhost", 9) == 0))))
		return fail(ps, "a file: URI in a sqlite URL names a host: "
		                "use file:/path or file:///path");
	if (strata__url_explain(why, sizeof(why), f, STRATA_URL_PATH,
	                        &url_words))
		return fail(ps, "%s", why);
	ps->u->path = strata__strdup(f->path ? f->path : "");
	return ps->u->path ? params(ps, f) : STRATA_ENOMEM;
}

/* sqlite:FILE, sqlite://FILE: the file as written, up to the '?'. */
static int parse_plain(struct parse *ps, const struct strata__url *g)
{
	const char *p = g->body.p;
	size_t n = g->body.n;

	if (n >= 2 && p[0] == '/' && p[1] == '/') {
		p += 2;
		n -= 2;
	}
	if (g->query.p && g->fragment.p)
		return fail(ps, "a '#' in the parameters of the sqlite URL: "
		                "percent-encode it as %%23");
	ps->u->path = strata__strndup(p, n);
	return ps->u->path ? params(ps, g) : STRATA_ENOMEM;
}

int strata__sqlite_url_parse(struct strata__sqlite_url *out, const char *url,
                             char *err, size_t err_len)
{
	struct strata__url g, f;
	struct parse ps;
	int rc, file_uri = 0;

	memset(out, 0, sizeof(*out));
	memset(&ps, 0, sizeof(ps));
	memset(&f, 0, sizeof(f));
	ps.u = out;
	ps.err = err;
	ps.err_len = err_len;
	if (err_len)
		err[0] = '\0';
	rc = strata__url_parse(&g, url);
	if (rc != STRATA_ENOMEM && !g.scheme)
		rc = fail(&ps,
		          "a sqlite URL looks like sqlite:path/to/file.db");
	else if (rc != STRATA_ENOMEM && strncmp(g.body.p, "file:", 5) == 0) {
		file_uri = 1;
		rc = parse_file_uri(&ps, &f, g.body.p);
	} else if (rc != STRATA_ENOMEM) {
		rc = parse_plain(&ps, &g);
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
	strata__url_release(&f);
	strata__url_release(&g);
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
