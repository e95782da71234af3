/*
 * fork/exec with an argument vector. The child's stderr is read through a
 * pipe into a capped buffer so that a failing tool's own message can be
 * shown.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "spawn.h"

#define ERR_CAP 8192

static void child(const struct spawn *s, int errfd)
{
	const char *const *e;
	int null;

	if (s->stdin_fd >= 0) {
		dup2(s->stdin_fd, 0);
	} else if ((null = open("/dev/null", O_RDONLY)) >= 0) {
		dup2(null, 0);
		close(null);
	}
	if (s->stdout_fd >= 0)
		dup2(s->stdout_fd, 1);
	if (errfd >= 0)
		dup2(errfd, 2);
	for (e = s->env; e && *e; e++)
		putenv((char *)*e);
	execvp(s->argv[0], (char *const *)s->argv);
	fprintf(stderr, "cannot run %s: %s\n", s->argv[0], strerror(errno));
	_exit(127);
}

int strata__spawn(const struct spawn *s)
{
	int pipefd[2] = { -1, -1 }, status;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	if (s->err && pipe(pipefd) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		if (s->err) {
			close(pipefd[0]);
			close(pipefd[1]);
		}
		return -1;
	}
	if (pid == 0) {
		if (s->err)
			close(pipefd[0]);
		child(s, s->err ? pipefd[1] : -1);
	}
	if (s->err) {
		char buf[1024];
		ssize_t n;

		close(pipefd[1]);
		while ((n = read(pipefd[0], buf, sizeof(buf))) != 0) {
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				break;
			if (s->err->len < ERR_CAP &&
			    strata__buf_put(s->err, buf, (size_t)n) < 0)
				break;
		}
		close(pipefd[0]);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}
