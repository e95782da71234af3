/*
 * Database URLs, taken apart once into one structure that the engine and
 * the drivers read: the scheme that picks the driver, the user, password,
 * hosts, path and parameters, each as written and percent-decoded. The
 * copy strata prints and the password it masks in messages come from the
 * same parse, so that what one part of strata takes for the password,
 * every part does. When in doubt, more is masked, never less.
 */
#ifndef STRATA_UTIL_URL_H
#define STRATA_UTIL_URL_H

#include <stddef.h>

#include "strata/buf.h"

/* Bytes of the URL as written: p points into struct strata__url's text,
 * and is NULL when the part is absent (n 0 with p set: present, empty). */
struct strata__url_span {
	const char *p;
	size_t n;
};

struct strata__url_host {
	char *name;    /* decoded, without the brackets; may be "" */
	unsigned port; /* 1 to 65535; 0 when the URL gives none */
	int ipv6;      /* written in brackets: [::1] */
};

struct strata__url_param {
	char *key, *value;                 /* decoded; value "" without '=' */
	struct strata__url_span raw_value; /* as written */
};

/* The parts of a URL, for bad_encoding and strata__url_explain(). */
#define STRATA_URL_USER     (1u << 0)
#define STRATA_URL_PASSWORD (1u << 1)
#define STRATA_URL_HOST     (1u << 2)
#define STRATA_URL_PATH     (1u << 3)
#define STRATA_URL_PARAMS   (1u << 4)
#define STRATA_URL_ALL      0x1fu

enum strata__url_host_problem {
	STRATA_URL_HOST_OK,
	STRATA_URL_BAD_PORT,    /* not a number from 1 to 65535 */
	STRATA_URL_BAD_IPV6,    /* '[' without ']', or after ']' not :port */
	STRATA_URL_UNBRACKETED, /* two ':' in a host: IPv6 without [ ] */
};

/*
 * scheme:[//[user[:password]@]host[:port][,host[:port]...]][path][?query]
 * [#fragment]. The rules, where URLs in the wild bend RFC 3986:
 *  - The scheme is 1 to 31 letters, digits, '+', '-' or '.' before the
 *    first ':'. Text without one (libpq's "host=h password=p" conninfo)
 *    is read as keyword=value words: params, with quoted values.
 *  - The user info ends at the last '@' before the first '?' or '#', so a
 *    password may hold '@' and '/' as they are. A URL with no '@' there
 *    but one further on is malformed (a password with a raw '?' or '#'):
 *    doubt then spans from the first ':' after "//" to that last '@'. It
 *    is masked as a password and read as nothing else.
 *  - The query starts at the first '?' after the user info, whatever
 *    comes before it: a '#' before it belongs to the path (a file name
 *    may hold one). The fragment starts at the first '#' after the query,
 *    or, without a query, at the first '#' after the user info.
 *  - Parameters are separated by '&'; empty ones (a&&b) are skipped.
 *  - %XX escapes are decoded in the user, password, host names, path and
 *    parameters. An invalid one (%zz, a cut %4, %00) is kept as written
 *    and its part's bit set in bad_encoding.
 */
struct strata__url {
	char *text;    /* the URL as given */
	char *scheme;  /* lower case; NULL: the text is not a URL */
	int authority; /* "scheme://": user info, hosts, path */
	/* after "scheme:", up to the query's '?' (or the end), as written:
	 * what a URL naming a file (sqlite:FILE) names */
	struct strata__url_span body;

	char *user;     /* decoded; NULL: no user info */
	char *password; /* decoded; NULL: none ("u@h"), "" for "u:@h" */
	struct strata__url_span password_raw;
	struct strata__url_span doubt; /* see above: masked, else ignored */

	struct strata__url_span hosts_raw; /* host[:port],... as written */
	struct strata__url_host *hosts;    /* n_hosts of them; 0: no host */
	size_t n_hosts;

	char *path; /* decoded, with its leading '/' after a host; or NULL */
	struct strata__url_span path_raw;

	struct strata__url_span query; /* after '?', up to the fragment */
	struct strata__url_param *params;
	size_t n_params;
	struct strata__url_span fragment; /* after '#' */

	unsigned bad_encoding; /* STRATA_URL_* parts with a bad %-escape */
	enum strata__url_host_problem host_problem; /* the first one */
};

/*
 * Take text apart into out. Returns 0; STRATA_EINVALID when a part is
 * malformed (bad_encoding, host_problem: strata__url_explain() words it),
 * with out filled as far as it goes, so that a malformed URL is masked as
 * well as a good one; or STRATA_ENOMEM, with out released. Release out in
 * every case (a zeroed struct is released too).
 */
int strata__url_parse(struct strata__url *out, const char *text);

/* Free what parse allocated, wiping the text and the password. */
void strata__url_release(struct strata__url *u);

/* The decoded value of the last parameter named key, or NULL. */
const char *strata__url_param(const struct strata__url *u, const char *key);

/* How a driver's messages name its URL and the URL's path. */
struct strata__url_words {
	const char *kind;    /* "mysql": "... in the mysql URL" */
	const char *path;    /* what the path is: "database name" */
	const char *example; /* a URL with an IPv6 host in brackets, or NULL */
};

/*
 * Write to out (size bytes) what is wrong with the parts of u that parts
 * names (STRATA_URL_*), the first in the URL's order, as one line that
 * never repeats a value ("invalid percent-encoding in the password of the
 * mysql URL"). @return 1 when something was, else 0 (out is then "").
 */
int strata__url_explain(char *out, size_t size, const struct strata__url *u,
                        unsigned parts, const struct strata__url_words *w);

/*
 * The one password finder: append to out the text of u with every
 * password masked as "***": the user info's (even when empty), doubt, and
 * the value of every password parameter (decoded key "password", any
 * case), and of "password=" after the start, '?', '&', ';' or a space
 * anywhere (a conninfo keyword, a parameter inside another's value).
 */
int strata__url_redact(strata_buf *out, const struct strata__url *u);

/*
 * The first non-empty password the finder sees (the user info's, doubt,
 * then the parameters in the URL's order), as written and decoded, as two
 * malloc'd strings, both NULL when there is none. 0 or STRATA_ENOMEM.
 */
int strata__url_secret(const struct strata__url *u, char **raw, char **decoded);

#endif
