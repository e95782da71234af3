/*
 * Running a database's own command-line tool (pg_dump, psql, mysqldump,
 * mysql) for backups and restores.
 */
#ifndef STRATA_DRIVERS_TOOL_H
#define STRATA_DRIVERS_TOOL_H

#include "strata/sys/driver.h"

/*
 * Run argv (argv[0] looked up in PATH) with env_pw ("PGPASSWORD=...",
 * "MYSQL_PWD=...", or NULL) added to its environment, stdin from in_fd and
 * stdout to out_fd (-1: /dev/null). With copy, strata copies the tool's
 * output into out_fd itself, so that a failed write is seen even when the
 * tool ignores it. A failure is set on c: STRATA_EIO for the copy,
 * STRATA_EDB naming the tool, its exit status and its stderr.
 */
int strata__run_tool(struct strata_driver_conn *c, const char *const *argv,
                     const char *env_pw, int in_fd, int out_fd, int copy);

/*
 * The same with the tool's stdin fed by feed(payload, buf) (struct spawn
 * in src/util/spawn.h) and its stdout to out_fd (-1: ours). A feed
 * failure is returned as it is (the feed set the error); in a failing
 * tool's message "<stdin>" becomes input_name. The tool's stderr is
 * copied into *err when err is not NULL.
 */
int strata__run_tool_fed(struct strata_driver_conn *c, const char *const *argv,
                         const char *env_pw,
                         int (*feed)(void *payload, strata_buf *buf),
                         void *payload, int out_fd, const char *input_name,
                         strata_buf *err);

/*
 * The same with no input, and what the tool wrote to stdout appended to
 * out (at most max bytes, else STRATA_EIO): for a schema dump. The output
 * goes through an unlinked temporary file, never a pipe that could fill.
 */
int strata__run_tool_capture(struct strata_driver_conn *c,
                             const char *const *argv, const char *env_pw,
                             strata_buf *out, size_t max);

/* Also remove " AUTO_INCREMENT=N" from ") ENGINE=" lines (mysqldump's
 * next value of a counter: data, not schema). */
#define STRATA_TOOL_CLEAN_AUTO_INCREMENT (1u << 0)

/*
 * A dump tool's output made deterministic: append text[0, len) to out
 * without the lines that begin with one of drop (NULL-terminated; the
 * tool's banners, dates, random tokens), without the blank line a dropped
 * line leaves behind, without leading blank lines, ending in exactly one
 * newline. Other lines are kept byte for byte. STRATA_ENOMEM or 0.
 */
/* Also remove every "DEFINER=`user`@`host`": the account that made a view,
 * trigger, routine or event (pg_dump's --no-owner); it then belongs to
 * the account that restores it, as with PostgreSQL. */
#define STRATA_TOOL_CLEAN_DEFINER (1u << 1)

int strata__tool_output_clean(strata_buf *out, const char *text, size_t len,
                              const char *const *drop, unsigned flags);

#endif
