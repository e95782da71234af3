/*
 * mysql:// and mariadb:// URLs, read from the one parse (src/util/url.h):
 * user, password, host and database, [IPv6] hosts, socket=, the TLS
 * parameters, the timeouts and local_infile. Errors name a parameter,
 * never its value; the password is wiped when freed.
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
#include "../util/url.h"

/* ---- URL ------------------------------------------------------------ */

static const struct strata__url_words url_words = {
	.kind = "mysql",
	.path = "database name",
	.example = "mysql://user@[::1]:3306/db",
};

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
	if (strcmp(key, "lock-lease") == 0) {
		if (parse_uint(*value, 86400, &u->lock_lease) < 0 ||
		    u->lock_lease == 0)
			return strata_driver_set_error(
			        c, STRATA_EINVALID, NULL, 0, -1,
			        "mysql URL parameter lock_lease='%s': expected "
			        "a number of seconds from 1 to 86400",
			        *value);
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
	        "connect_timeout, read_timeout, write_timeout, local_infile, "
	        "lock_lease)",
	        key);
}

/* A copy of s (NULL stays NULL). */
static int dup_part(struct strata_driver_conn *c, char **out, const char *s)
{
	*out = NULL;
	if (s && !(*out = strata__strdup(s)))
		return strata__my_oom(c);
	return 0;
}

static int url_params(struct strata_driver_conn *c, struct my_url *u,
                      const struct strata__url *g)
{
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < g->n_params; i++) {
		char *key = strata__strdup(g->params[i].key);
		char *value = strata__strdup(g->params[i].value);

		rc = key && value ? url_param(c, u, key, &value) :
		                    strata__my_oom(c);
		strata__free(key);
		wipe_free(value);
	}
	return rc;
}

static int url_fields(struct strata_driver_conn *c, struct my_url *u,
                      const struct strata__url *g)
{
	const struct strata__url_host *h = g->n_hosts ? &g->hosts[0] : NULL;
	int rc;

	if (g->n_hosts > 1)
		return strata_driver_set_error(
		        c, STRATA_EINVALID, NULL, 0, -1,
		        "the mysql URL names %zu hosts: strata connects to "
		        "one",
		        g->n_hosts);
	rc = dup_part(c, &u->user, g->user);
	if (rc == 0)
		rc = dup_part(c, &u->password, g->password);
	if (rc == 0)
		rc = dup_part(c, &u->host, h ? h->name : "");
	if (rc == 0 && g->path && g->path[0] == '/')
		rc = dup_part(c, &u->db, g->path + 1);
	if (h) {
		u->port = h->port;
		u->ipv6 = h->ipv6;
	}
	return rc;
}

/*
 * mysql://[user[:password]@][host][:port]/database[?params], also with
 * mariadb://. User, password, host and database are percent-decoded.
 */
int strata__my_url_parse(struct strata_driver_conn *c, const char *url,
                         struct my_url *u)
{
	struct strata__url g;
	char why[200];
	int rc = strata__url_parse(&g, url);

	u->read_timeout = u->write_timeout = -1;
	if (rc == STRATA_ENOMEM)
		return strata__my_oom(c);
	if (!g.scheme || !g.authority)
		rc = strata_driver_set_error(
		        c, STRATA_EINVALID, NULL, 0, -1,
		        "a mysql URL looks like "
		        "mysql://user:password@host:3306/database");
	else if (strata__url_explain(why, sizeof(why), &g, STRATA_URL_ALL,
	                             &url_words))
		rc = strata_driver_set_error(c, STRATA_EINVALID, NULL, 0, -1,
		                             "%s", why);
	else
		rc = url_fields(c, u, &g);
	if (rc == 0)
		rc = url_params(c, u, &g);
	if (rc == 0 && g.fragment.p)
		rc = strata_driver_set_error(
		        c, STRATA_EINVALID, NULL, 0, -1,
		        "the mysql URL has a '#' fragment: percent-encode a "
		        "'#' in the password as %%23");
	if (rc == 0 && (!u->db || !u->db[0]))
		rc = strata_driver_set_error(
		        c, STRATA_EINVALID, NULL, 0, -1,
		        "the mysql URL names no database: use "
		        "mysql://user:password@host:3306/DATABASE");
	strata__url_release(&g);
	return rc;
}
