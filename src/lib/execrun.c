/*
 * Exec targets: a migration file handed to a command (cypher-shell,
 * redis-cli ...) or run as a program (.py, .sh). Started with fork and
 * execvp on an argument vector, never through a shell, with the target's
 * settings in the environment; its output goes straight to ours, and its
 * exit status decides.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "ctx.h"
#include "part.h"
#include "source.h"
#include "../util/spawn.h"

struct argv_buf {
	char **v;
	size_t n, alloc;
};

static int push(struct argv_buf *a, char *s)
{
	if (!s)
		return STRATA_ENOMEM;
	if (a->n + 2 > a->alloc) {
		size_t n = a->alloc ? a->alloc * 2 : 8;
		char **v = strata__reallocarray(a->v, n, sizeof(char *));

		if (!v) {
			strata__free(s);
			return STRATA_ENOMEM;
		}
		a->v = v;
		a->alloc = n;
	}
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
	return 0;
}

static void argv_free(struct argv_buf *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		strata__free(a->v[i]);
	strata__free(a->v);
	memset(a, 0, sizeof(*a));
}

/* Words of cmd, with '...' and "..." quoting; {file} becomes path. */
static int split_command(struct argv_buf *a, const char *cmd, const char *path)
{
	const char *p = cmd;
	int rc = 0;

	while (rc == 0 && *p) {
		strata_buf w = STRATA_BUF_INIT;
		int quote = 0, any = 0;

		while (*p == ' ' || *p == '\t')
			p++;
		while (rc == 0 && *p && (quote || (*p != ' ' && *p != '\t'))) {
			if (!quote && (*p == '\'' || *p == '"')) {
				quote = *p++;
				any = 1;
			} else if (quote && *p == quote) {
				quote = 0;
				p++;
			} else if (strncmp(p, "{file}", 6) == 0) {
				rc = strata__buf_puts(&w, path);
				p += 6;
				any = 1;
			} else {
				rc = strata__buf_putc(&w, *p++);
				any = 1;
			}
		}
		if (quote)
			rc = STRATA_EINVALID;
		if (rc == 0 && any)
			rc = push(a, strata__buf_detach(&w));
		strata_buf_release(&w);
	}
	return rc;
}

static const char *ext_of(const char *path)
{
	const char *d = strrchr(path, '.');

	return d ? d : "";
}

/* The argument vector for one file. */
static int build_argv(strata_ctx *ctx, struct argv_buf *a, const char *path)
{
	struct stat st;
	int rc;

	if (ctx->exec_command) {
		rc = split_command(a, ctx->exec_command, path);
		if (rc == STRATA_EINVALID)
			return strata__error_set(ctx, rc,
			                         "command has an unterminated "
			                         "quote: %s",
			                         ctx->exec_command);
		if (rc == 0 && a->n == 0)
			return strata__error_set(
			        ctx, STRATA_EINVALID,
			        "the target's command is empty");
		return rc;
	}
	if (strcmp(ext_of(path), ".py") == 0)
		rc = push(a, strata__strdup("python3"));
	else if (strcmp(ext_of(path), ".sh") == 0)
		rc = push(a, strata__strdup("sh"));
	else if (stat(path, &st) == 0 && (st.st_mode & S_IXUSR))
		rc = 0;
	else
		return strata__error_set(
		        ctx, STRATA_EINVALID,
		        "%s: no command runs '%s' files: set 'command' for the "
		        "target (e.g. command = cypher-shell --file {file}), or "
		        "make the file executable",
		        path, ext_of(path));
	if (rc == 0)
		rc = push(a, strata__strdup(path));
	return rc;
}

/* build_argv into a, which is left empty on failure. */
static int part_argv(strata_ctx *ctx, struct argv_buf *a, const char *path)
{
	int rc;

	memset(a, 0, sizeof(*a));
	rc = build_argv(ctx, a, path);
	if (rc < 0) {
		argv_free(a);
		return rc == STRATA_ENOMEM ? strata__oom(ctx) : rc;
	}
	return 0;
}

/* The error of a runner that did not start: nothing ran. */
static int not_started(strata_ctx *ctx, const struct migration *m,
                       const char *path, const char *why)
{
	int rc = strata__error_set(ctx, STRATA_EINVALID,
	                           "the runner of migration %s could not be "
	                           "started: %s",
	                           m->version_text, why);

	strata__error_at(ctx, path, 0, 0);
	strata__error_detail(ctx,
	                     "nothing ran: the store and the history in '%s' "
	                     "are as they were; install the program or fix "
	                     "'command' for target '%s' in strata.conf",
	                     ctx->table, ctx->target ? ctx->target : "");
	return rc;
}

int strata__exec_check(strata_ctx *ctx, const struct migration *m, int down)
{
	const char *path = down ? m->down.path : m->up.path;
	struct argv_buf a;
	char why[600];
	int rc;

	rc = part_argv(ctx, &a, path);
	if (rc < 0)
		return rc;
	rc = strata__spawn_find(a.v[0]);
	if (rc < 0) {
		rc = strata__oom(ctx);
	} else if (rc == 0) {
		snprintf(why, sizeof(why),
		         strchr(a.v[0], '/') ? "'%.500s' is not an executable "
		                               "file" :
		                               "'%.500s' is not found on PATH",
		         a.v[0]);
		rc = not_started(ctx, m, path, why);
	} else {
		rc = 0;
	}
	argv_free(&a);
	return rc;
}

static int set_env(strata_ctx *ctx, const struct migration *m, const char *path,
                   int down)
{
	char **e;

	if (setenv("STRATA_TARGET", ctx->target, 1) < 0 ||
	    setenv("STRATA_DIRECTION", down ? "down" : "up", 1) < 0 ||
	    setenv("STRATA_VERSION", m->version, 1) < 0 ||
	    setenv("STRATA_NAME", m->name, 1) < 0 ||
	    setenv("STRATA_FILE", path, 1) < 0)
		return -1;
	for (e = ctx->exec_env; e && *e; e++)
		if (putenv(*e) < 0)
			return -1;
	return 0;
}

int strata__exec_describe(strata_ctx *ctx, strata_buf *out, const char *path)
{
	struct argv_buf a;
	size_t i;
	int rc;

	memset(&a, 0, sizeof(a));
	rc = build_argv(ctx, &a, path);
	/* each word quoted when it must be: the line is a plan's comment */
	for (i = 0; rc == 0 && i < a.n; i++) {
		rc = i ? strata__buf_putc(out, ' ') : 0;
		if (rc == 0)
			rc = strata__quote_put(out, a.v[i], strlen(a.v[i]));
	}
	argv_free(&a);
	return rc;
}

/* Read what the child wrote on the close-on-exec pipe: an errno from a
 * failed execvp, or nothing (EOF) when the program started. */
static int exec_errno(int fd)
{
	int err = 0;
	ssize_t n;

	do
		n = read(fd, &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(err) ? err : 0;
}

int strata__exec_part(strata_ctx *ctx, const struct migration *m, int down)
{
	const char *path = down ? m->down.path : m->up.path;
	struct argv_buf a;
	int rc, status, fds[2], err;
	char why[600];
	pid_t pid;

	rc = part_argv(ctx, &a, path);
	if (rc < 0)
		return rc;
	/* the child says through this pipe when execvp fails */
	if (pipe(fds) < 0 || fcntl(fds[0], F_SETFD, FD_CLOEXEC) < 0 ||
	    fcntl(fds[1], F_SETFD, FD_CLOEXEC) < 0) {
		rc = strata__error_set(ctx, STRATA_ERROR,
		                       "cannot start %s: pipe: %s", a.v[0],
		                       strerror(errno));
		argv_free(&a);
		return rc;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		/* the message names the program: set it before freeing */
		err = errno;
		close(fds[0]);
		close(fds[1]);
		snprintf(why, sizeof(why), "cannot fork: %s", strerror(err));
		(void)not_started(ctx, m, path, why);
		argv_free(&a);
		return STRATA_EXEC_NOT_STARTED;
	}
	if (pid == 0) {
		/* the child: stdin closed, stdout and stderr shared */
		ssize_t w;

		close(fds[0]);
		if (set_env(ctx, m, path, down) == 0)
			execvp(a.v[0], a.v);
		err = errno;
		/* if this fails, the parent sees exit status 127 */
		w = write(fds[1], &err, sizeof(err));
		(void)w;
		_exit(127);
	}
	close(fds[1]);
	err = exec_errno(fds[0]);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			status = -1;
			break;
		}
	}
	if (err) {
		snprintf(why, sizeof(why), "cannot run %.500s: %s", a.v[0],
		         strerror(err));
		(void)not_started(ctx, m, path, why);
		rc = STRATA_EXEC_NOT_STARTED;
	} else if (status != -1 && WIFEXITED(status) &&
	           WEXITSTATUS(status) == 0) {
		rc = 0;
	} else if (status != -1 && WIFEXITED(status) &&
	           WEXITSTATUS(status) == 127) {
		/* the shell's "command not found" */
		snprintf(why, sizeof(why),
		         "%.500s exited with status 127, a shell's 'command "
		         "not found'",
		         a.v[0]);
		(void)not_started(ctx, m, path, why);
		rc = STRATA_EXEC_NOT_STARTED;
	} else if (status != -1 && WIFSIGNALED(status)) {
		rc = strata__error_set(ctx, STRATA_EDB,
		                       "%s was killed by signal %d", a.v[0],
		                       WTERMSIG(status));
	} else {
		rc = strata__error_set(ctx, STRATA_EDB,
		                       "%s exited with status %d", a.v[0],
		                       status == -1 ? -1 : WEXITSTATUS(status));
	}
	if (rc < 0)
		strata__error_at(ctx, path, 0, 0);
	argv_free(&a);
	return rc;
}
