/*
 * The URL parser (url.h), and the redaction and password finder built on
 * what it finds. Parsing never fails on a malformed URL: it records what
 * is wrong and goes on, so that the password of a URL a driver refuses is
 * found and masked all the same.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "strata/errors.h"
#include "alloc.h"
#include "buf.h"
#include "url.h"

#define SCHEME_MAX 31

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

static struct strata__url_span span(const char *p, size_t n)
{
	struct strata__url_span s = { p, n };

	return s;
}

/*
 * s[0, n) percent-decoded into a new string. An escape that is not two
 * hex digits, or that decodes to NUL, is kept as written and sets part in
 * u->bad_encoding. NULL when out of memory.
 */
static char *decode(struct strata__url *u, unsigned part, const char *s,
                    size_t n)
{
	char *d = strata__malloc(n + 1);
	size_t i, k = 0;

	if (!d)
		return NULL;
	for (i = 0; i < n; i++) {
		if (s[i] != '%') {
			d[k++] = s[i];
		} else if (i + 2 < n && hexval(s[i + 1]) >= 0 &&
		           hexval(s[i + 2]) >= 0 &&
		           !(s[i + 1] == '0' && s[i + 2] == '0')) {
			d[k++] = (char)(hexval(s[i + 1]) * 16 +
			                hexval(s[i + 2]));
			i += 2;
		} else {
			u->bad_encoding |= part;
			d[k++] = s[i];
		}
	}
	d[k] = '\0';
	return d;
}

/* Length of the scheme at the start of t, or 0 when there is none. */
static size_t scheme_len(const char *t)
{
	size_t i;

	for (i = 0; t[i] && t[i] != ':'; i++) {
		char c = t[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '+' || c == '-' ||
		      c == '.') ||
		    i >= SCHEME_MAX)
			return 0;
	}
	return t[i] == ':' ? i : 0;
}

static void host_problem(struct strata__url *u, enum strata__url_host_problem p)
{
	if (u->host_problem == STRATA_URL_HOST_OK)
		u->host_problem = p;
}

/* 1 to 65535, in at most 5 digits. */
static unsigned parse_port(const char *s, size_t n)
{
	unsigned long v = 0;
	size_t i;

	if (n == 0 || n > 5)
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	return v <= 65535 ? (unsigned)v : 0;
}

/* One host[:port] or [v6][:port] of s[0, n). */
static int parse_host(struct strata__url *u, struct strata__url_host *h,
                      const char *s, size_t n)
{
	const char *end = s + n, *port = NULL, *name = s;
	size_t name_n = n;

	if (n && s[0] == '[') {
		const char *close = memchr(s, ']', n);

		h->ipv6 = 1;
		if (!close || (close + 1 < end && close[1] != ':')) {
			host_problem(u, STRATA_URL_BAD_IPV6);
		} else {
			name = s + 1;
			name_n = (size_t)(close - name);
			if (close + 1 < end)
				port = close + 2;
		}
	} else {
		const char *colon = memchr(s, ':', n);

		if (colon && memchr(colon + 1, ':', (size_t)(end - colon - 1)))
			host_problem(u, STRATA_URL_UNBRACKETED);
		else if (colon)
			port = colon + 1;
		if (colon)
			name_n = (size_t)(colon - s);
	}
	if (port) {
		h->port = parse_port(port, (size_t)(end - port));
		if (!h->port)
			host_problem(u, STRATA_URL_BAD_PORT);
	}
	h->name = decode(u, STRATA_URL_HOST, name, name_n);
	return h->name ? 0 : STRATA_ENOMEM;
}

/* host[:port],host[:port]... of s[0, n) */
static int parse_hosts(struct strata__url *u, const char *s, size_t n)
{
	const char *end = s + n, *p;
	size_t count = 1, i = 0;
	int rc = 0;

	u->hosts_raw = span(s, n);
	if (n == 0)
		return 0;
	for (p = s; p < end; p++)
		count += *p == ',';
	u->hosts = strata__calloc(count, sizeof(*u->hosts));
	if (!u->hosts)
		return STRATA_ENOMEM;
	u->n_hosts = count;
	for (p = s; rc == 0 && i < count; i++) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *stop = comma ? comma : end;

		rc = parse_host(u, &u->hosts[i], p, (size_t)(stop - p));
		p = stop + 1;
	}
	return rc;
}

static int add_param(struct strata__url *u, char *key, char *value,
                     struct strata__url_span raw_value)
{
	struct strata__url_param *grown;

	if (!key || !value) {
		strata__free(key);
		strata__free(value);
		return STRATA_ENOMEM;
	}
	grown = strata__reallocarray(u->params, u->n_params + 1,
	                             sizeof(*u->params));
	if (!grown) {
		strata__free(key);
		strata__free(value);
		return STRATA_ENOMEM;
	}
	u->params = grown;
	u->params[u->n_params].key = key;
	u->params[u->n_params].value = value;
	u->params[u->n_params].raw_value = raw_value;
	u->n_params++;
	return 0;
}

/* key=value pairs of q[0, n), separated by '&', percent-decoded. */
static int parse_query(struct strata__url *u, const char *q, size_t n)
{
	const char *end = q + n;
	int rc = 0;

	while (rc == 0 && q < end) {
		const char *amp = memchr(q, '&', (size_t)(end - q));
		const char *stop = amp ? amp : end;
		const char *eq = memchr(q, '=', (size_t)(stop - q));

		if (stop > q) {
			const char *v = eq ? eq + 1 : stop;

			rc = add_param(u,
			               decode(u, STRATA_URL_PARAMS, q,
			                      (size_t)((eq ? eq : stop) - q)),
			               decode(u, STRATA_URL_PARAMS, v,
			                      (size_t)(stop - v)),
			               span(v, (size_t)(stop - v)));
		}
		q = stop + (amp ? 1 : 0);
	}
	return rc;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

/*
 * Text that is not a URL: keyword=value words as libpq's conninfo has
 * them (spaces around '=' allowed; a value in single quotes with
 * backslash escapes). Nothing is decoded.
 */
static int parse_keywords(struct strata__url *u)
{
	const char *p = u->text;
	int rc = 0;

	while (rc == 0 && *p) {
		const char *key, *v;
		char *value;
		size_t k = 0;

		while (is_space(*p))
			p++;
		if (!*p)
			break;
		key = p;
		while (*p && !is_space(*p) && *p != '=')
			p++;
		k = (size_t)(p - key);
		while (is_space(*p))
			p++;
		if (*p != '=') {
			rc = add_param(u, strata__strndup(key, k),
			               strata__strdup(""), span(p, 0));
			continue;
		}
		p++;
		while (is_space(*p))
			p++;
		v = p;
		if (*p == '\'') {
			size_t j = 0;

			value = strata__malloc(strlen(p) + 1);
			for (p++; *p && *p != '\''; p++) {
				if (*p == '\\' && p[1])
					p++;
				if (value)
					value[j++] = *p;
			}
			if (value)
				value[j] = '\0';
			if (*p)
				p++;
		} else {
			while (*p && !is_space(*p))
				p++;
			value = strata__strndup(v, (size_t)(p - v));
		}
		rc = add_param(u, strata__strndup(key, k), value,
		               span(v, (size_t)(p - v)));
	}
	return rc;
}

/*
 * [user[:password]@]hosts after "//" at a; returns where the hosts end
 * (at '/', '?', '#' or the end) in *out.
 */
static int parse_authority(struct strata__url *u, const char *a,
                           const char **out)
{
	const char *q = a + strcspn(a, "?#"), *at = NULL, *p, *h, *colon;
	int rc = 0;

	for (p = a; p < q; p++)
		if (*p == '@')
			at = p;
	if (at) {
		colon = memchr(a, ':', (size_t)(at - a));
		u->user = decode(u, STRATA_URL_USER, a,
		                 (size_t)((colon ? colon : at) - a));
		if (!u->user)
			return STRATA_ENOMEM;
		if (colon) {
			u->password_raw =
			        span(colon + 1, (size_t)(at - colon - 1));
			u->password = decode(u, STRATA_URL_PASSWORD, colon + 1,
			                     u->password_raw.n);
			if (!u->password)
				return STRATA_ENOMEM;
		}
	} else if ((p = strrchr(a, '@')) != NULL &&
	           (colon = memchr(a, ':', (size_t)(p - a))) != NULL) {
		u->doubt = span(colon + 1, (size_t)(p - colon - 1));
	}
	h = at ? at + 1 : a;
	p = h + strcspn(h, strchr(h, '?') ? "/?" : "/#");
	rc = parse_hosts(u, h, (size_t)(p - h));
	*out = p;
	return rc;
}

static int parse_url(struct strata__url *u, size_t n)
{
	const char *p = u->text + n + 1, *qpos, *end, *path_end;
	size_t i;
	int rc = 0;

	u->scheme = strata__strndup(u->text, n);
	if (!u->scheme)
		return STRATA_ENOMEM;
	for (i = 0; i < n; i++)
		if (u->scheme[i] >= 'A' && u->scheme[i] <= 'Z')
			u->scheme[i] = (char)(u->scheme[i] - 'A' + 'a');
	end = p + strlen(p);
	if (p[0] == '/' && p[1] == '/') {
		u->authority = 1;
		rc = parse_authority(u, p + 2, &p);
		if (rc < 0)
			return rc;
	}
	qpos = strchr(p, '?');
	u->body = span(u->text + n + 1,
	               (size_t)((qpos ? qpos : end) - (u->text + n + 1)));
	path_end = qpos ? qpos : p + strcspn(p, "#");
	if (path_end > p || !u->authority) {
		u->path_raw = span(p, (size_t)(path_end - p));
		u->path = decode(u, STRATA_URL_PATH, p, u->path_raw.n);
		if (!u->path)
			return STRATA_ENOMEM;
	}
	if (qpos) {
		const char *hash = strchr(qpos, '#');

		u->query = span(qpos + 1,
		                (size_t)((hash ? hash : end) - qpos - 1));
		rc = parse_query(u, u->query.p, u->query.n);
		if (hash)
			u->fragment = span(hash + 1, (size_t)(end - hash - 1));
	} else if (*path_end == '#') {
		u->fragment = span(path_end + 1, (size_t)(end - path_end - 1));
	}
	return rc;
}

int strata__url_parse(struct strata__url *out, const char *text)
{
	size_t n;
	int rc;

	memset(out, 0, sizeof(*out));
	out->text = strata__strdup(text ? text : "");
	if (!out->text)
		return STRATA_ENOMEM;
	n = scheme_len(out->text);
	rc = n ? parse_url(out, n) : parse_keywords(out);
	if (rc < 0) {
		strata__url_release(out);
		return rc;
	}
	return out->bad_encoding || out->host_problem ? STRATA_EINVALID : 0;
}

static void wipe_free(char *s)
{
	if (s) {
		volatile char *p = s;

		while (*p)
			*p++ = '\0';
	}
	strata__free(s);
}

void strata__url_release(struct strata__url *u)
{
	size_t i;

	wipe_free(u->text);
	strata__free(u->scheme);
	strata__free(u->user);
	wipe_free(u->password);
	for (i = 0; i < u->n_hosts; i++)
		strata__free(u->hosts[i].name);
	strata__free(u->hosts);
	strata__free(u->path);
	for (i = 0; i < u->n_params; i++) {
		strata__free(u->params[i].key);
		wipe_free(u->params[i].value);
	}
	strata__free(u->params);
	memset(u, 0, sizeof(*u));
}

const char *strata__url_param(const struct strata__url *u, const char *key)
{
	const char *v = NULL;
	size_t i;

	for (i = 0; i < u->n_params; i++)
		if (strcmp(u->params[i].key, key) == 0)
			v = u->params[i].value;
	return v;
}

/* ---- what is wrong ---------------------------------------------------- */

static int encoding(char *out, size_t size, const struct strata__url *u,
                    unsigned parts, unsigned part, const char *name,
                    const char *kind)
{
	if (!(parts & part & u->bad_encoding))
		return 0;
	snprintf(out, size, "invalid percent-encoding in the %s of the %s URL",
	         name, kind);
	return 1;
}

static int host_text(char *out, size_t size, const struct strata__url *u,
                     const struct strata__url_words *w)
{
	const char *ex = w->example;

	switch (u->host_problem) {
	case STRATA_URL_BAD_IPV6:
		snprintf(out, size, "bad IPv6 address in the %s URL%s%s",
		         w->kind, ex ? ": use " : "", ex ? ex : "");
		return 1;
	case STRATA_URL_UNBRACKETED:
		snprintf(
		        out, size,
		        "an IPv6 address in the %s URL must be in brackets%s%s",
		        w->kind, ex ? ": " : "", ex ? ex : "");
		return 1;
	case STRATA_URL_BAD_PORT:
		snprintf(out, size,
		         "bad port in the %s URL: expected 1 to 65535",
		         w->kind);
		return 1;
	case STRATA_URL_HOST_OK:
		break;
	}
	return 0;
}

int strata__url_explain(char *out, size_t size, const struct strata__url *u,
                        unsigned parts, const struct strata__url_words *w)
{
	const char *kind = w->kind;

	if (size)
		out[0] = '\0';
	return encoding(out, size, u, parts, STRATA_URL_USER, "user", kind) ||
	       encoding(out, size, u, parts, STRATA_URL_PASSWORD, "password",
	                kind) ||
	       ((parts & STRATA_URL_HOST) && host_text(out, size, u, w)) ||
	       encoding(out, size, u, parts, STRATA_URL_HOST, "host", kind) ||
	       encoding(out, size, u, parts, STRATA_URL_PATH,
	                w->path ? w->path : "path", kind) ||
	       encoding(out, size, u, parts, STRATA_URL_PARAMS, "parameters",
	                kind);
}

/* ---- the password finder ---------------------------------------------- */

/* Offsets of the bytes to mask, in the text. */
struct spans {
	struct secret {
		size_t off, n;
		const char *decoded; /* a parameter's value, or NULL */
	} * v;
	size_t n;
};

static int add_span(struct spans *s, const struct strata__url *u,
                    struct strata__url_span sp, const char *decoded)
{
	struct secret *grown;

	if (!sp.p)
		return 0;
	grown = strata__reallocarray(s->v, s->n + 1, sizeof(*s->v));
	if (!grown)
		return STRATA_ENOMEM;
	s->v = grown;
	s->v[s->n].off = (size_t)(sp.p - u->text);
	s->v[s->n].n = sp.n;
	s->v[s->n].decoded = decoded;
	s->n++;
	return 0;
}

/* "password=" at a keyword's start, anywhere in the text. */
static int scan_keywords(struct spans *s, const struct strata__url *u)
{
	const char *t = u->text, *p;
	int rc = 0;

	for (p = t; rc == 0 && (p = strchr(p, '=')) != NULL; p++) {
		const char *k, *v = p + 1;

		if (p - t < 8)
			continue;
		k = p - 8;
		if (strncasecmp(k, "password", 8) != 0 ||
		    !(k == t || strchr("?&; ", k[-1])))
			continue;
		rc = add_span(s, u, span(v, strcspn(v, "& ;")), NULL);
	}
	return rc;
}

static int by_offset(const void *a, const void *b)
{
	const struct secret *x = a, *y = b;

	/* at one offset, a parameter's first: it knows its decoded value */
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return (y->decoded != NULL) - (x->decoded != NULL);
}

/* Every password of u, in the text's order. */
static int find_secrets(struct spans *s, const struct strata__url *u)
{
	size_t i;
	int rc;

	memset(s, 0, sizeof(*s));
	if (!u->text)
		return 0; /* a zeroed struct */
	rc = add_span(s, u, u->password_raw, u->password);
	if (rc == 0)
		rc = add_span(s, u, u->doubt, NULL);
	for (i = 0; rc == 0 && i < u->n_params; i++)
		if (strcasecmp(u->params[i].key, "password") == 0)
			rc = add_span(s, u, u->params[i].raw_value,
			              u->params[i].value);
	if (rc == 0)
		rc = scan_keywords(s, u);
	if (rc < 0) {
		strata__free(s->v);
		memset(s, 0, sizeof(*s));
		return rc;
	}
	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), by_offset);
	return 0;
}

int strata__url_redact(strata_buf *out, const struct strata__url *u)
{
	struct spans s;
	size_t i, at = 0;
	int rc = find_secrets(&s, u);

	for (i = 0; rc == 0 && i < s.n; i++) {
		size_t end = s.v[i].off + s.v[i].n;

		if (s.v[i].off < at) { /* overlaps the one masked before */
			at = end > at ? end : at;
			continue;
		}
		rc = strata__buf_put(out, u->text + at, s.v[i].off - at);
		if (rc == 0)
			rc = strata__buf_puts(out, "***");
		at = end;
	}
	if (rc == 0 && u->text)
		rc = strata__buf_puts(out, u->text + at);
	strata__free(s.v);
	return rc;
}

int strata__url_secret(const struct strata__url *u, char **raw, char **decoded)
{
	struct spans s;
	struct strata__url scratch;
	size_t i;
	int rc = find_secrets(&s, u);

	*raw = *decoded = NULL;
	/* in the text's order: the user info's (or doubt) comes first */
	for (i = 0; rc == 0 && i < s.n && !s.v[i].n; i++)
		;
	if (rc == 0 && i < s.n) {
		const struct secret *first = &s.v[i];

		memset(&scratch, 0, sizeof(scratch));
		*raw = strata__strndup(u->text + first->off, first->n);
		*decoded = first->decoded ?
		                   strata__strdup(first->decoded) :
		                   decode(&scratch, 0, u->text + first->off,
		                          first->n);
		if (!*raw || !*decoded) {
			wipe_free(*raw);
			wipe_free(*decoded);
			*raw = *decoded = NULL;
			rc = STRATA_ENOMEM;
		}
	}
	strata__free(s.v);
	return rc;
}
