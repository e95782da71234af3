/*
 * fork/exec with an argument vector. The child's stderr is read through a
 * pipe into a capped buffer so that a failing tool's own message can be
 * shown; its stdout, when asked, through another pipe that we copy into
 * the output file, so that a write that fails is seen here.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "spawn.h"

#define ERR_CAP 8192

static void child(const struct spawn *s, int outfd, int errfd)
{
	const char *const *e;
	int null;

	if (s->stdin_fd >= 0) {
		dup2(s->stdin_fd, 0);
	} else if ((null = open("/dev/null", O_RDONLY)) >= 0) {
		dup2(null, 0);
		close(null);
	}
	if (outfd >= 0)
		dup2(outfd, 1);
	if (errfd >= 0)
		dup2(errfd, 2);
	for (e = s->env; e && *e; e++)
		putenv((char *)*e);
	execvp(s->argv[0], (char *const *)s->argv);
	fprintf(stderr, "cannot run %s: %s\n", s->argv[0], strerror(errno));
	_exit(127);
}

/* A pipe whose ends are closed on exec (dup2 clears that on the copy). */
static int cloexec_pipe(int fd[2])
{
	if (pipe(fd) < 0)
		return -1;
	fcntl(fd[0], F_SETFD, FD_CLOEXEC);
	fcntl(fd[1], F_SETFD, FD_CLOEXEC);
	return 0;
}

static void close_pair(int fd[2])
{
	if (fd[0] >= 0)
		close(fd[0]);
	if (fd[1] >= 0)
		close(fd[1]);
	fd[0] = fd[1] = -1;
}

/* Write all of p; 0, or the errno of the failure. */
static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno;
		if (w == 0)
			return EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Read the child's stderr (errfd) into s->err and its stdout (outfd) into
 * s->stdout_fd until both are at their end. A failed copy closes outfd:
 * the child's next write gets EPIPE.
 */
static void collect(struct spawn *s, int errfd, int outfd)
{
	char buf[4096];
	int err_ok = 1;

	while (errfd >= 0 || outfd >= 0) {
		struct pollfd pf[2];
		nfds_t n = 0;
		int ie = -1, io = -1;
		ssize_t r;

		if (errfd >= 0) {
			pf[n].fd = errfd;
			pf[n].events = POLLIN;
			ie = (int)n++;
		}
		if (outfd >= 0) {
			pf[n].fd = outfd;
			pf[n].events = POLLIN;
			io = (int)n++;
		}
		if (poll(pf, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (ie >= 0 && pf[ie].revents) {
			r = read(errfd, buf, sizeof(buf));
			if (r < 0 && errno == EINTR)
				continue;
			/* out of memory: the message stops, reading goes on */
			if (r <= 0) {
				close(errfd);
				errfd = -1;
			} else if (err_ok && s->err->len < ERR_CAP &&
			           strata__buf_put(s->err, buf, (size_t)r) <
			                   0) {
				err_ok = 0;
			}
		}
		if (io >= 0 && pf[io].revents) {
			r = read(outfd, buf, sizeof(buf));
			if (r < 0 && errno == EINTR)
				continue;
			if (r > 0)
				s->copy_errno =
				        write_all(s->stdout_fd, buf, (size_t)r);
			if (r <= 0 || s->copy_errno) {
				close(outfd);
				outfd = -1;
			}
		}
	}
	if (errfd >= 0)
		close(errfd);
	if (outfd >= 0)
		close(outfd);
}

int strata__spawn(struct spawn *s)
{
	int errp[2] = { -1, -1 }, outp[2] = { -1, -1 }, status;
	pid_t pid;

	s->copy_errno = 0;
	fflush(stdout);
	fflush(stderr);
	if (s->err && cloexec_pipe(errp) < 0)
		return -1;
	if (s->copy_stdout && cloexec_pipe(outp) < 0) {
		close_pair(errp);
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		close_pair(errp);
		close_pair(outp);
		return -1;
	}
	if (pid == 0)
		child(s, s->copy_stdout ? outp[1] : s->stdout_fd, errp[1]);
	if (errp[1] >= 0)
		close(errp[1]);
	if (outp[1] >= 0)
		close(outp[1]);
	collect(s, errp[0], outp[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}
