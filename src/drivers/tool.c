/*
 * Running a database's own command-line tool, for the drivers' backups
 * and restores (tool.h).
 */
#include <string.h>

#include "tool.h"
#include "../util/buf.h"
#include "../util/spawn.h"

int strata__run_tool(struct strata_driver_conn *c, const char *const *argv,
                     const char *env_pw, int in_fd, int out_fd, int copy)
{
	const char *env[2] = { env_pw && env_pw[0] ? env_pw : NULL, NULL };
	strata_buf err = STRATA_BUF_INIT;
	struct spawn s;
	int st;

	memset(&s, 0, sizeof(s));
	s.argv = argv;
	s.env = env;
	s.stdin_fd = in_fd;
	s.stdout_fd = out_fd;
	s.err = &err;
	/* the backup: copied by us, so that a failed write is seen */
	s.copy_stdout = copy;
	st = strata__spawn(&s);
	if (s.copy_errno) {
		strata_buf_release(&err);
		return strata_driver_set_error(c, STRATA_EIO, NULL, 0, -1,
		                               "cannot write the backup: %s",
		                               strerror(s.copy_errno));
	}
	if (st != 0) {
		while (err.len && err.ptr[err.len - 1] == '\n')
			strata__buf_truncate(&err, err.len - 1);
		strata_driver_set_error(
		        c, STRATA_EDB, NULL, st, -1, "%s failed (%s %d)%s%s",
		        argv[0], st < 0 ? "could not start" : "exit status", st,
		        err.len ? ": " : "", err.ptr);
		strata_buf_release(&err);
		return STRATA_EDB;
	}
	strata_buf_release(&err);
	return 0;
}
