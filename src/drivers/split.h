/*
 * Statement splitters of the built-in drivers: the split() method of
 * struct strata_driver for each dialect. They need no connection, so the
 * engine and the tests can call them on their own. Each
 * src/drivers/split_NAME.c defines strata__split_NAME, declared here from
 * the list the Makefile writes (strata_drivers.h); the top of each file
 * says which rules it follows.
 */
#ifndef STRATA_DRIVERS_SPLIT_H
#define STRATA_DRIVERS_SPLIT_H

#include <stddef.h>

#include "strata/sys/driver.h"

/*
 * Each splitter passes every statement of sql[0, len) to cb, in order, as
 * (offset, len, STRATA_STMT_* flags). A statement's span starts after the
 * previous one's terminator, leading whitespace skipped but leading
 * comments kept, and ends after its terminator (or at the end of input).
 * Empty and comment-only parts are not reported, except that input
 * ending inside a comment is reported with STRATA_STMT_INCOMPLETE. sql
 * need not be NUL-terminated and is never read outside [sql, sql+len).
 *
 * Returns 0, the first non-zero value cb returned (the split stops
 * there), STRATA_ENOMEM, or STRATA_ENOTSUPP when a library it needs
 * cannot be loaded (PostgreSQL: libpg_query; the reason is in
 * strata__dl_failure()).
 */
#define STRATA_DRIVER(name)
#define STRATA_DRIVER_ABSENT(name)
#define STRATA_SPLITTER(name)                                             \
 int strata__split_##name(const char *sql, size_t len, strata_stmt_cb cb, \
	                  void *payload);
#include "strata_drivers.h"
#undef STRATA_DRIVER
#undef STRATA_DRIVER_ABSENT
#undef STRATA_SPLITTER

/* MySQL: the DELIMITER lines of sql, as the delimiters method of struct
 * strata_driver reports them. */
int strata__split_mysql_delimiters(const char *sql, size_t len,
                                   int (*cb)(void *payload, size_t off,
                                             const char *delim, size_t n),
                                   void *payload);

/*
 * Whether s[0, n) is the keyword kw (upper case, kw_len bytes), in any
 * ASCII case. STRATA_SPLIT_KEYWORD takes a literal keyword.
 */
int strata__split_keyword(const char *s, size_t n, const char *kw,
                          size_t kw_len);
#define STRATA_SPLIT_KEYWORD(s, n, kw) \
 strata__split_keyword(s, n, kw, sizeof(kw) - 1)

#endif
