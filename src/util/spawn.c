/*
 * fork/exec with an argument vector. The child's stderr is read through a
 * pipe into a capped buffer so that a failing tool's own message can be
 * shown; its stdout, when asked, through another pipe that we copy into
 * the output file, so that a write that fails is seen here; its stdin,
 * when fed, from a socket we write what the caller hands us into.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "spawn.h"
#include "fdio.h"

#define ERR_CAP 8192

static void child(const struct spawn *s, int infd, int outfd, int errfd)
{
	const char *const *e;
	int null;

	if (infd >= 0) {
		dup2(infd, 0);
	} else if (s->stdin_fd >= 0) {
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

/* The child's stdin when fed: what feed handed out, sent piece by piece. */
struct feeding {
	int fd;     /* our end of the socket, or -1 */
	int active; /* still sending */
	int done;   /* feed said: that was the end */
	strata_buf buf;
	size_t sent;
};

/*
 * More for the child once all of buf is sent: the end closes our end (the
 * child reads its end of input); a feed failure kills the child first, so
 * that it never sees an end of input it could take for a whole one.
 */
static void feed_more(struct spawn *s, struct feeding *f, pid_t pid)
{
	int r;

	while (f->active && f->sent == f->buf.len) {
		strata__buf_clear(&f->buf);
		f->sent = 0;
		if (f->done) {
			close(f->fd);
			f->fd = -1;
			f->active = 0;
			return;
		}
		r = s->feed(s->feed_payload, &f->buf);
		if (r < 0) {
			s->feed_rc = r;
			kill(pid, SIGKILL);
			f->active = 0;
			return;
		}
		f->done = r == 1;
	}
}

/* Send what the socket takes now; a child that stopped reading ends it. */
static void feed_send(struct feeding *f)
{
	ssize_t w = send(f->fd, f->buf.ptr + f->sent, f->buf.len - f->sent,
	                 MSG_NOSIGNAL);

	if (w > 0)
		f->sent += (size_t)w;
	else if (w < 0 && errno != EINTR && errno != EAGAIN &&
	         errno != EWOULDBLOCK)
		f->active = 0;
}

/*
 * Read the child's stderr (errfd) into s->err and its stdout (outfd) into
 * s->stdout_fd until both are at their end, feeding its stdin meanwhile.
 * A failed copy closes outfd: the child's next write gets EPIPE.
 */
static void collect(struct spawn *s, int errfd, int outfd, struct feeding *f,
                    pid_t pid)
{
	char buf[4096];
	int err_ok = 1;

	feed_more(s, f, pid);
	while (errfd >= 0 || outfd >= 0 || f->active) {
		struct pollfd pf[3];
		nfds_t n = 0;
		int ie = -1, io = -1, ii = -1;
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
		if (f->active) {
			pf[n].fd = f->fd;
			pf[n].events = POLLOUT;
			ii = (int)n++;
		}
		if (poll(pf, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (ii >= 0 && pf[ii].revents) {
			feed_send(f);
			feed_more(s, f, pid);
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
				s->copy_errno = strata__write_all(
				        s->stdout_fd, buf, (size_t)r);
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
	/* poll failed: a child still waiting for input would never end */
	if (f->active) {
		kill(pid, SIGKILL);
		f->active = 0;
	}
}

/* A socket pair for the child's stdin, both ends closed on exec; ours
 * does not block. */
static int feed_socket(int fd[2])
{
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, fd) < 0)
		return -1;
	fcntl(fd[0], F_SETFD, FD_CLOEXEC);
	fcntl(fd[1], F_SETFD, FD_CLOEXEC);
	fcntl(fd[0], F_SETFL, fcntl(fd[0], F_GETFL) | O_NONBLOCK);
	return 0;
}

int strata__spawn(struct spawn *s)
{
	int errp[2] = { -1, -1 }, outp[2] = { -1, -1 }, inp[2] = { -1, -1 };
	struct feeding f;
	int status, rc;
	pid_t pid;

	s->copy_errno = 0;
	s->feed_rc = 0;
	memset(&f, 0, sizeof(f));
	f.fd = -1;
	f.buf = (strata_buf)STRATA_BUF_INIT;
	fflush(stdout);
	fflush(stderr);
	if (s->err && cloexec_pipe(errp) < 0)
		return -1;
	if ((s->copy_stdout && cloexec_pipe(outp) < 0) ||
	    (s->feed && feed_socket(inp) < 0)) {
		close_pair(errp);
		close_pair(outp);
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		close_pair(errp);
		close_pair(outp);
		close_pair(inp);
		return -1;
	}
	if (pid == 0)
		child(s, inp[1], s->copy_stdout ? outp[1] : s->stdout_fd,
		      errp[1]);
	if (errp[1] >= 0)
		close(errp[1]);
	if (outp[1] >= 0)
		close(outp[1]);
	if (inp[1] >= 0)
		close(inp[1]);
	f.fd = inp[0];
	f.active = f.fd >= 0;
	collect(s, errp[0], outp[0], &f, pid);
	rc = 0;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			rc = -1;
			break;
		}
	/* closed only now: a child killed for a feed failure is gone
	 * before it could read the end of its input */
	if (f.fd >= 0)
		close(f.fd);
	strata_buf_release(&f.buf);
	if (rc < 0)
		return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

static int is_program(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	       access(path, X_OK) == 0;
}

int strata__spawn_find(const char *name)
{
	strata_buf dirs = STRATA_BUF_INIT, path = STRATA_BUF_INIT;
	const char *env = getenv("PATH"), *p, *end;
	int found = 0;

	if (strchr(name, '/'))
		return is_program(name);
	if (!env) {
		size_t n = confstr(_CS_PATH, NULL, 0);

		if (n == 0 || strata__buf_grow(&dirs, n) < 0)
			return n == 0 ? 0 : -1;
		confstr(_CS_PATH, dirs.ptr, n);
		dirs.len = strlen(dirs.ptr);
		env = dirs.ptr;
	}
	for (p = env; !found; p = end + 1) {
		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		strata__buf_clear(&path);
		if ((end > p &&
		     (strata__buf_put(&path, p, (size_t)(end - p)) < 0 ||
		      strata__buf_puts(&path, "/") < 0)) ||
		    strata__buf_puts(&path, name) < 0) {
			found = -1;
			break;
		}
		found = is_program(path.ptr);
		if (!*end)
			break;
	}
	strata_buf_release(&path);
	strata_buf_release(&dirs);
	return found;
}
