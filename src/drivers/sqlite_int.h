/*
 * What the SQLite driver's files share (sqlite.c, sqlite_backup.c): its
 * connection and the calls both make.
 */
#ifndef STRATA_DRIVERS_SQLITE_INT_H
#define STRATA_DRIVERS_SQLITE_INT_H

#include <sqlite3.h>
#include <sys/types.h>

#include "strata/sys/driver.h"
#include "../util/buf.h"

/* Statements run once per migration (the history INSERT, the change
 * counter) are prepared once per connection. */
#define CACHED_STATEMENTS 4

struct cached_stmt {
	char *sql;
	sqlite3_stmt *st;
};

struct sqlite_conn {
	struct strata_driver_conn base; /* first: see driver.h */
	sqlite3 *db;
	int busy_ms;
	long long busy_since;  /* when the current wait began (ms) */
	int told_holder;       /* a wait said whose lock it was */
	const char *read_only; /* why the URL opens it read-only, or NULL */
	struct cached_stmt cache[CACHED_STATEMENTS];
	strata_buf window;       /* statements are prepared from it (sq_exec) */
	const char *window_from; /* the text it copies starts here */
};

static inline struct sqlite_conn *sq(struct strata_driver_conn *c)
{
	return (struct sqlite_conn *)c;
}

/* sqlite_backup.c: the driver's backup, dump, restore and restore_check */
int strata__sq_backup(struct strata_driver_conn *c, const char *url,
                      const char *path, int fd);
int strata__sq_dump(struct strata_driver_conn *c, const char *url,
                    strata_buf *out);
int strata__sq_restore(struct strata_driver_conn *c, const char *url,
                       const char *path);
int strata__sq_restore_check(const char *path, int fd, const char *table,
                             strata_buf *what, unsigned long *line);

/* sqlite_same.c: whether two URLs name one database file */
int strata__sq_same_database(const char *a, const char *b);

#endif
