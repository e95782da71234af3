/*
 * Running a database's own command-line tool, for the drivers' backups,
 * restores and schema dumps (tool.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* An anonymous file for a tool's output: created in TMPDIR (or /tmp)
 * and unlinked at once, so that nothing is left behind. */
static int anon_file(struct strata_driver_conn *c)
{
	const char *dir = getenv("TMPDIR");
	strata_buf name = STRATA_BUF_INIT;
	int fd = -1;

	if (!dir || dir[0] != '/')
		dir = "/tmp";
	if (strata__buf_printf(&name, "%s/strata-dump-XXXXXX", dir) < 0)
		return strata_driver_set_error(c, STRATA_ENOMEM, NULL, 0, -1,
		                               "out of memory");
	fd = mkstemp(name.ptr);
	if (fd < 0)
		strata_driver_set_error(c, STRATA_EIO, NULL, 0, -1,
		                        "cannot create a file in %s: %s", dir,
		                        strerror(errno));
	else
		unlink(name.ptr);
	strata_buf_release(&name);
	return fd < 0 ? STRATA_EIO : fd;
}

int strata__run_tool_capture(struct strata_driver_conn *c,
                             const char *const *argv, const char *env_pw,
                             strata_buf *out, size_t max)
{
	char chunk[65536];
	off_t off = 0;
	int fd = anon_file(c), rc;

	if (fd < 0)
		return fd;
	rc = strata__run_tool(c, argv, env_pw, -1, fd, 1);
	while (rc == 0) {
		ssize_t r = pread(fd, chunk, sizeof(chunk), off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			rc = strata_driver_set_error(c, STRATA_EIO, NULL, 0, -1,
			                             "cannot read what %s "
			                             "wrote: %s",
			                             argv[0], strerror(errno));
		else if (r == 0)
			break;
		else if ((size_t)off + (size_t)r > max)
			rc = strata_driver_set_error(
			        c, STRATA_EIO, NULL, 0, -1,
			        "%s wrote more than %zu bytes", argv[0], max);
		else if (strata__buf_put(out, chunk, (size_t)r) < 0)
			rc = strata_driver_set_error(c, STRATA_ENOMEM, NULL, 0,
			                             -1, "out of memory");
		else
			off += r;
	}
	close(fd);
	return rc;
}

static int starts_with(const char *p, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && memcmp(p, prefix, k) == 0;
}

/* " AUTO_INCREMENT=<digits>" in a table's options line, or NULL */
static const char *auto_increment(const char *p, size_t n, size_t *len)
{
	static const char word[] = " AUTO_INCREMENT=";
	size_t k = sizeof(word) - 1, i, j;

	for (i = 0; i + k < n; i++) {
		if (memcmp(p + i, word, k) != 0)
			continue;
		for (j = i + k; j < n && p[j] >= '0' && p[j] <= '9'; j++)
			;
		if (j > i + k) {
			*len = j - i;
			return p + i;
		}
	}
	return NULL;
}

/* The end of the `name` that begins at p[i], a backquote ("``" inside is
 * one), or 0 when it does not end on the line. */
static size_t quoted_end(const char *p, size_t n, size_t i)
{
	for (i++; i < n; i++) {
		if (p[i] != '`')
			continue;
		if (i + 1 < n && p[i + 1] == '`')
			i++;
		else
			return i + 1;
	}
	return 0;
}

/* The line without every "DEFINER=`user`@`host`" (or a role's
 * "DEFINER=`role`") and the space after it, appended to out. */
static int put_without_definer(strata_buf *out, const char *p, size_t n)
{
	static const char word[] = "DEFINER=`";
	size_t k = sizeof(word) - 1, i = 0, from = 0, e;
	int rc = 0;

	while (rc == 0 && i + k <= n) {
		if (memcmp(p + i, word, k) != 0 ||
		    (e = quoted_end(p, n, i + k - 1)) == 0) {
			i++;
			continue;
		}
		if (e + 1 < n && p[e] == '@' && p[e + 1] == '`') {
			size_t h = quoted_end(p, n, e + 1);

			if (!h) {
				i++;
				continue;
			}
			e = h;
		}
		if (e < n && p[e] == ' ')
			e++;
		rc = strata__buf_put(out, p + from, i - from);
		from = i = e;
	}
	return rc == 0 ? strata__buf_put(out, p + from, n - from) : rc;
}

int strata__tool_output_clean(strata_buf *out, const char *text, size_t len,
                              const char *const *drop, unsigned flags)
{
	const char *p = text, *end = text + len;
	size_t start = out->len;
	int rc = 0, dropped = 0;

	while (rc == 0 && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p), i;
		int skip = 0, blank;

		if (n && p[n - 1] == '\r')
			n--; /* never written by the tools on Linux; tolerated
			      */
		for (i = 0; drop && drop[i]; i++)
			if (starts_with(p, n, drop[i]))
				skip = 1;
		blank = n == 0;
		/* a line dropped leaves no run of blank lines behind it, and
		 * the text begins with no blank line */
		if (blank && (out->len == start || dropped))
			skip = 1;
		if (skip) {
			dropped = dropped || !blank;
		} else if ((flags & STRATA_TOOL_CLEAN_AUTO_INCREMENT) &&
		           starts_with(p, n, ") ENGINE=")) {
			size_t k = 0;
			const char *ai = auto_increment(p, n, &k);

			rc = ai ? strata__buf_put(out, p, (size_t)(ai - p)) :
			          strata__buf_put(out, p, n);
			if (rc == 0 && ai)
				rc = strata__buf_put(
				        out, ai + k,
				        (size_t)(p + n - (ai + k)));
			if (rc == 0)
				rc = strata__buf_putc(out, '\n');
			dropped = 0;
		} else {
			rc = flags & STRATA_TOOL_CLEAN_DEFINER ?
			             put_without_definer(out, p, n) :
			             strata__buf_put(out, p, n);
			if (rc == 0)
				rc = strata__buf_putc(out, '\n');
			dropped = 0;
		}
		p = nl ? nl + 1 : end;
	}
	/* and ends with one newline */
	while (rc == 0 && out->len > start + 1 &&
	       out->ptr[out->len - 1] == '\n' && out->ptr[out->len - 2] == '\n')
		strata__buf_truncate(out, out->len - 1);
	return rc;
}
