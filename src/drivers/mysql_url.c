/*
 * mysql:// and mariadb:// URLs: user, password, host and database
 * percent-decoded, [IPv6] hosts, socket=, the TLS parameters, the
 * timeouts and local_infile. Errors name a parameter, never its value;
 * the password is wiped when freed.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mysql_int.h"
#include "../util/alloc.h"
#include "../util/buf.h"

/* ---- URL ------------------------------------------------------------ */

static int hexval(unsigned char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/*
 * Percent-decode s[0, n) into a new string. Returns 0, STRATA_ENOMEM, or
 * STRATA_EINVALID for a bad escape or an encoded NUL.
 */
static int pct_decode(char **out, const char *s, size_t n)
{
	char *d = strata__malloc(n + 1);
	size_t i, k = 0;

	*out = NULL;
	if (!d)
		return STRATA_ENOMEM;
	for (i = 0; i < n; i++) {
		if (s[i] != '%') {
			d[k++] = s[i];
			continue;
		}
		if (i + 2 >= n || hexval((unsigned char)s[i + 1]) < 0 ||
		    hexval((unsigned char)s[i + 2]) < 0 ||
		    (s[i + 1] == '0' && s[i + 2] == '0')) {
			strata__free(d);
			return STRATA_EINVALID;
		}
		d[k++] = (char)(hexval((unsigned char)s[i + 1]) * 16 +
		                hexval((unsigned char)s[i + 2]));
		i += 2;
	}
	d[k] = '\0';
	*out = d;
	return 0;
}

/* Decode one part of the URL; what names it in a message (never the
 * value: it may be the password). */
static int url_part(struct strata_driver_conn *c, char **out, const char *s,
                    size_t n, const char *what)
{
	int rc = pct_decode(out, s, n);

	if (rc == STRATA_ENOMEM)
		return strata__my_oom(c);
	if (rc < 0)
		return strata_driver_set_error(
		        c, STRATA_EINVALID, NULL, 0, -1,
		        "invalid percent-encoding in the %s of the mysql URL",
		        what);
	return 0;
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

void strata__my_url_free(struct my_url *u)
{
	strata__free(u->user);
	wipe_free(u->password);
	strata__free(u->host);
	strata__free(u->db);
	strata__free(u->socket);
	strata__free(u->ssl_ca);
	strata__free(u->ssl_cert);
	strata__free(u->ssl_key);
	strata__free(u->ssl_capath);
	strata__free(u->ssl_cipher);
	memset(u, 0, sizeof(*u));
}

static int parse_uint(const char *s, unsigned long max, unsigned int *out)
{
	char *end;
	unsigned long v;

	if (!s[0] || s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v == 0 || v > max)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

/* Seconds, 0 (no limit) included. */
static int parse_seconds(const char *s, int *out)
{
	unsigned int v;

	if (strcmp(s, "0") == 0) {
		*out = 0;
		return 0;
	}
	if (parse_uint(s, 31536000, &v) < 0)
		return -1;
	*out = (int)v;
	return 0;
}

static int parse_bool(const char *s, int *out)
{
	static const char *const yes[] = { "1", "true", "on", "yes" };
	static const char *const no[] = { "0", "false", "off", "no" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

static int parse_ssl_mode(const char *v, enum ssl_mode *out)
{
	static const struct {
		const char *name;
		enum ssl_mode mode;
	} modes[] = {
		{ "DISABLED", SSL_DISABLED },
		{ "PREFERRED", SSL_PREFERRED },
		{ "REQUIRED", SSL_REQUIRED },
		{ "VERIFY_CA", SSL_VERIFY_CA },
		{ "VERIFY_IDENTITY", SSL_VERIFY_IDENTITY },
	};
	size_t i, j, n = strlen(v);

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		const char *m = modes[i].name;

		if (strlen(m) != n)
			continue;
		/* case-insensitive; '-' for '_' too (verify-ca) */
		for (j = 0; j < n; j++) {
			unsigned char ch =
			        (unsigned char)toupper((unsigned char)v[j]);

			if (ch == '-')
				ch = '_';
			if (ch != (unsigned char)m[j])
				break;
		}
		if (j == n) {
			*out = modes[i].mode;
			return 0;
		}
	}
	return -1;
}

/* One query parameter, key and value decoded. */
static int url_param(struct strata_driver_conn *c, struct my_url *u, char *key,
                     char **value)
{
	char **slot = NULL;
	char *k;

	/* ssl_ca and ssl-ca, connect-timeout and connect_timeout */
	for (k = key; *k; k++)
		if (*k == '_')
			*k = '-';
	if (strcmp(key, "socket") == 0)
		slot = &u->socket;
	else if (strcmp(key, "ssl-ca") == 0)
		slot = &u->ssl_ca;
	else if (strcmp(key, "ssl-cert") == 0)
		slot = &u->ssl_cert;
	else if (strcmp(key, "ssl-key") == 0)
		slot = &u->ssl_key;
	else if (strcmp(key, "ssl-capath") == 0)
		slot = &u->ssl_capath;
	else if (strcmp(key, "ssl-cipher") == 0)
		slot = &u->ssl_cipher;
	if (slot) {
		if (!(*value)[0])
			return strata_driver_set_error(
			        c, STRATA_EINVALID, NULL, 0, -1,
			        "mysql URL parameter '%s' needs a value", key);
		strata__free(*slot);
		*slot = *value;
		*value = NULL;
		return 0;
	}
	if (strcmp(key, "ssl-mode") == 0 || strcmp(key, "sslmode") == 0) {
		if (parse_ssl_mode(*value, &u->ssl_mode) < 0)
			return strata_driver_set_error(
			        c, STRATA_EINVALID, NULL, 0, -1,
			        "mysql URL parameter %s='%s': use DISABLED, "
			        "PREFERRED, REQUIRED, VERIFY_CA or "
			        "VERIFY_IDENTITY",
			        key, *value);
		return 0;
	}
	if (strcmp(key, "connect-timeout") == 0) {
		if (parse_uint(*value, 31536000, &u->connect_timeout) < 0)
			return strata_driver_set_error(
			        c, STRATA_EINVALID, NULL, 0, -1,
			        "mysql URL parameter connect_timeout='%s': "
			        "expected a number of seconds",
			        *value);
		return 0;
	}
	if (strcmp(key, "read-timeout") == 0 ||
	    strcmp(key, "write-timeout") == 0) {
		if (parse_seconds(*value, key[0] == 'r' ?
		                                  &u->read_timeout :
		                                  &u->write_timeout) < 0)
			return strata_driver_set_error(
			        c, STRATA_EINVALID, NULL, 0, -1,
			        "mysql URL parameter %s_timeout='%s': expected "
			        "a number of seconds (0: no limit)",
			        key[0] == 'r' ? "read" : "write", *value);
		return 0;
	}
	if (strcmp(key, "local-infile") == 0) {
		if (parse_bool(*value, &u->local_infile) < 0)
			return strata_driver_set_error(
			        c, STRATA_EINVALID, NULL, 0, -1,
			        "mysql URL parameter local_infile='%s': use 1 "
			        "or 0 (true or false)",
			        *value);
		return 0;
	}
	return strata_driver_set_error(
	        c, STRATA_EINVALID, NULL, 0, -1,
	        "unknown parameter '%s' in the mysql URL (known: socket, "
	        "ssl-mode, ssl-ca, ssl-cert, ssl-key, ssl-capath, ssl-cipher, "
	        "connect_timeout, read_timeout, write_timeout, local_infile)",
	        key);
}

static int url_params(struct strata_driver_conn *c, struct my_url *u,
                      const char *q, size_t n)
{
	const char *end = q + n;
	int rc = 0;

	while (rc == 0 && q < end) {
		const char *amp = memchr(q, '&', (size_t)(end - q));
		const char *stop = amp ? amp : end;
		const char *eq = memchr(q, '=', (size_t)(stop - q));
		char *key = NULL, *value = NULL;

		if (stop > q) {
			rc = url_part(c, &key, q,
			              (size_t)((eq ? eq : stop) - q),
			              "parameters");
			if (rc == 0)
				rc = url_part(c, &value, eq ? eq + 1 : stop,
				              eq ? (size_t)(stop - eq - 1) : 0,
				              "parameters");
			if (rc == 0)
				rc = url_param(c, u, key, &value);
		}
		strata__free(key);
		wipe_free(value);
		q = stop + (amp ? 1 : 0);
	}
	return rc;
}

static int url_hostport(struct strata_driver_conn *c, struct my_url *u,
                        const char *s, size_t n)
{
	const char *end = s + n, *port = NULL;
	size_t hn;
	int rc;

	if (n && s[0] == '[') {
		const char *close = memchr(s, ']', n);

		if (!close || (close + 1 < end && close[1] != ':'))
			return strata_driver_set_error(
			        c, STRATA_EINVALID, NULL, 0, -1,
			        "bad IPv6 address in the mysql URL: use "
			        "mysql://user@[::1]:3306/db");
		rc = url_part(c, &u->host, s + 1, (size_t)(close - s - 1),
		              "host");
		if (rc < 0)
			return rc;
		u->ipv6 = 1;
		if (close + 1 < end)
			port = close + 2;
	} else {
		const char *colon = memchr(s, ':', n);

		if (colon && memchr(colon + 1, ':', (size_t)(end - colon - 1)))
			return strata_driver_set_error(
			        c, STRATA_EINVALID, NULL, 0, -1,
			        "an IPv6 address in the mysql URL must be in "
			        "brackets: mysql://user@[::1]:3306/db");
		hn = colon ? (size_t)(colon - s) : n;
		rc = url_part(c, &u->host, s, hn, "host");
		if (rc < 0)
			return rc;
		if (colon)
			port = colon + 1;
	}
	if (port) {
		char digits[8] = "";
		size_t pn = (size_t)(end - port);

		if (pn < sizeof(digits))
			memcpy(digits, port, pn);
		if (pn >= sizeof(digits) ||
		    parse_uint(digits, 65535, &u->port) < 0)
			return strata_driver_set_error(
			        c, STRATA_EINVALID, NULL, 0, -1,
			        "bad port in the mysql URL: expected 1 to "
			        "65535");
	}
	return 0;
}

/*
 * mysql://[user[:password]@][host][:port]/database[?params], also with
 * mariadb://. User, password, host and database are percent-decoded.
 */
int strata__my_url_parse(struct strata_driver_conn *c, const char *url,
                         struct my_url *u)
{
	const char *auth = strstr(url, "://"), *end, *at = NULL, *p, *q;
	int rc;

	u->read_timeout = u->write_timeout = -1;
	if (!auth)
		return strata_driver_set_error(
		        c, STRATA_EINVALID, NULL, 0, -1,
		        "a mysql URL looks like "
		        "mysql://user:password@host:3306/database");
	auth += 3;
	end = auth + strcspn(auth, "/?#");
	/* the last '@' ends the user info: a password may hold '@' */
	for (p = auth; p < end; p++)
		if (*p == '@')
			at = p;
	if (at) {
		const char *colon = memchr(auth, ':', (size_t)(at - auth));

		rc = url_part(c, &u->user, auth,
		              (size_t)((colon ? colon : at) - auth), "user");
		if (rc == 0 && colon)
			rc = url_part(c, &u->password, colon + 1,
			              (size_t)(at - colon - 1), "password");
		if (rc < 0)
			return rc;
	}
	p = at ? at + 1 : auth;
	rc = url_hostport(c, u, p, (size_t)(end - p));
	if (rc < 0)
		return rc;
	p = end;
	if (*p == '/') {
		p++;
		q = p + strcspn(p, "?#");
		rc = url_part(c, &u->db, p, (size_t)(q - p), "database name");
		if (rc < 0)
			return rc;
		p = q;
	}
	if (*p == '?') {
		p++;
		q = p + strcspn(p, "#");
		rc = url_params(c, u, p, (size_t)(q - p));
		if (rc < 0)
			return rc;
		p = q;
	}
	if (*p == '#')
		return strata_driver_set_error(
		        c, STRATA_EINVALID, NULL, 0, -1,
		        "the mysql URL has a '#' fragment: percent-encode a "
		        "'#' in the password as %%23");
	if (!u->db || !u->db[0])
		return strata_driver_set_error(
		        c, STRATA_EINVALID, NULL, 0, -1,
		        "the mysql URL names no database: use "
		        "mysql://user:password@host:3306/DATABASE");
	return 0;
}
