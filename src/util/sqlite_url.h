/*
 * sqlite: URLs taken apart: the file they name, and the name and flags to
 * open it with. Parameters (?mode=ro) are SQLite's URI parameters, checked
 * here so that a typo is an error, never a file named "app.db?mode=ro".
 */
#ifndef STRATA_UTIL_SQLITE_URL_H
#define STRATA_UTIL_SQLITE_URL_H

#include <stddef.h>

struct strata__sqlite_url {
	char *path;       /* the file, decoded, or ":memory:" */
	char *open_name;  /* for sqlite3_open_v2: the path, or a file: URI */
	int uri;          /* open_name is a URI: open with SQLITE_OPEN_URI */
	int memory;       /* in memory (:memory:, mode=memory): no file */
	int params;       /* the URL has parameters */
	int read_only;    /* mode=ro, or immutable */
	int must_exist;   /* mode=ro or mode=rw: the file is never created */
	const char *mode; /* the mode= value, or NULL (points into a constant)
	                   */
};

/*
 * Parse url: sqlite:FILE, sqlite://FILE, sqlite:///ABS, sqlite::memory:
 * (sqlite3: too), each with optional ?key=value&... parameters, or
 * sqlite:file:URI as SQLite reads URIs (percent-decoded, an optional
 * //localhost authority). Parameters: mode (ro, rw, rwc, memory), cache
 * (shared, private), immutable, nolock, psow (booleans) and vfs.
 * @return 0, STRATA_EINVALID with err filled in (a one-line message that
 * never repeats the URL), or STRATA_ENOMEM. out is released on failure.
 */
int strata__sqlite_url_parse(struct strata__sqlite_url *out, const char *url,
                             char *err, size_t err_len);

/* Free what parse allocated; accepts a zeroed struct. */
void strata__sqlite_url_release(struct strata__sqlite_url *u);

#endif
