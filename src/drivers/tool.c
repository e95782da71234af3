/*
 * Running a database's own command-line tool, for the drivers' backups
 * and restores (tool.h).
 */
#include <string.h>

#include "tool.h"
#include "../util/buf.h"
#include "../util/spawn.h"

/* err with every "<stdin>" replaced by name */
static void name_input(strata_buf *err, const char *name)
{
	strata_buf b = STRATA_BUF_INIT;
	const char *p = err->ptr, *hit;
	int rc = 0;

	if (!name || !strstr(p, "<stdin>"))
		return;
	while (rc == 0 && (hit = strstr(p, "<stdin>")) != NULL) {
		rc = strata__buf_put(&b, p, (size_t)(hit - p));
		if (rc == 0)
			rc = strata__buf_puts(&b, name);
		p = hit + 7;
	}
	if (rc == 0 && strata__buf_puts(&b, p) == 0) {
		strata_buf_release(err);
		*err = b;
		return;
	}
	strata_buf_release(&b);
}

/*
 * The Debian package each tool comes in: when it is not installed, the
 * message says what to install, rather than "exit status 127".
 */
static const struct {
	const char *tool, *package;
} packages[] = {
	{ "pg_dump", "postgresql-client" },   { "psql", "postgresql-client" },
	{ "mysqldump", "mariadb-client" },    { "mysql", "mariadb-client" },
	{ "mariadb-dump", "mariadb-client" }, { "mariadb", "mariadb-client" },
};

/* 0 when argv[0] can be started; else the error, set on c */
static int find_tool(struct strata_driver_conn *c, const char *tool)
{
	size_t i;
	int found = strata__spawn_find(tool);

	if (found > 0)
		return 0;
	if (found < 0)
		return strata_driver_set_error(c, STRATA_ENOMEM, NULL, 0, -1,
		                               "out of memory");
	for (i = 0; i < sizeof(packages) / sizeof(packages[0]); i++)
		if (strcmp(tool, packages[i].tool) == 0)
			return strata_driver_set_error(
			        c, STRATA_ENOTSUPP, NULL, 0, -1,
			        "cannot run %s: not found on PATH; install "
			        "the Debian package %s, or add the folder "
			        "that has %s to PATH",
			        tool, packages[i].package, tool);
	return strata_driver_set_error(c, STRATA_ENOTSUPP, NULL, 0, -1,
	                               "cannot run %s: not found on PATH",
	                               tool);
}

static int run(struct strata_driver_conn *c, struct spawn *s,
               const char *env_pw, const char *input_name, strata_buf *err_out)
{
	const char *env[2] = { env_pw && env_pw[0] ? env_pw : NULL, NULL };
	strata_buf err = STRATA_BUF_INIT;
	int st;

	st = find_tool(c, s->argv[0]);
	if (st < 0)
		return st;
	s->env = env;
	s->err = &err;
	st = strata__spawn(s);
	s->env = NULL; /* both point into this frame */
	s->err = NULL;
	if (err_out && strata__buf_put(err_out, err.ptr, err.len) < 0)
		strata__buf_clear(err_out);
	if (s->copy_errno) {
		strata_buf_release(&err);
		return strata_driver_set_error(c, STRATA_EIO, NULL, 0, -1,
		                               "cannot write the backup: %s",
		                               strerror(s->copy_errno));
	}
	if (s->feed_rc < 0) {
		strata_buf_release(&err);
		return s->feed_rc;
	}
	if (st != 0) {
		while (err.len && err.ptr[err.len - 1] == '\n')
			strata__buf_truncate(&err, err.len - 1);
		name_input(&err, input_name);
		strata_driver_set_error(
		        c, STRATA_EDB, NULL, st, -1, "%s failed (%s %d)%s%s",
		        s->argv[0], st < 0 ? "could not start" : "exit status",
		        st, err.len ? ": " : "", err.ptr);
		strata_buf_release(&err);
		return STRATA_EDB;
	}
	strata_buf_release(&err);
	return 0;
}

int strata__run_tool(struct strata_driver_conn *c, const char *const *argv,
                     const char *env_pw, int in_fd, int out_fd, int copy)
{
	struct spawn s;

	memset(&s, 0, sizeof(s));
	s.argv = argv;
	s.stdin_fd = in_fd;
	s.stdout_fd = out_fd;
	/* the backup: copied by us, so that a failed write is seen */
	s.copy_stdout = copy;
	return run(c, &s, env_pw, NULL, NULL);
}

int strata__run_tool_fed(struct strata_driver_conn *c, const char *const *argv,
                         const char *env_pw,
                         int (*feed)(void *payload, strata_buf *buf),
                         void *payload, int out_fd, const char *input_name,
                         strata_buf *err)
{
	struct spawn s;

	memset(&s, 0, sizeof(s));
	s.argv = argv;
	s.stdin_fd = -1;
	s.stdout_fd = out_fd;
	s.feed = feed;
	s.feed_payload = payload;
	return run(c, &s, env_pw, input_name, err);
}
