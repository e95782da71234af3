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

#endif
