/*
 * Running a fleet's members (fleet_int.h). Each member runs in a process
 * apart, its output captured, so members never mix their lines. By
 * default each member has a process of its own; with workers
 * (fleet_reuse) each --jobs slot is a process that runs member after
 * member, handing its connection on. A failed member stops only itself
 * unless --fail-fast, which starts no more and stops the running ones
 * (SIGTERM: each stops as on Ctrl-C, before its next migration or by
 * cancelling its statement).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fleet_int.h"
#include "output.h"

/* ---- running them ---------------------------------------------------- */

struct slot {
	pid_t pid;
	size_t member;
	FILE *out, *err;
	long long t0;
	/* a worker (reuse): the pipes that name its next member and bring
	 * back that member's exit code; busy: it runs member */
	int cmd, res;
	int busy;
};

/* A signal asked the fleet to stop: SIGINT from a terminal reaches every
 * member too (one process group), so only SIGTERM, sent to strata alone
 * (docker stop, a supervisor), is passed on to them. */
static volatile sig_atomic_t stop_asked, pass_on;

static void on_stop(int sig)
{
	stop_asked = 1;
	if (sig == SIGTERM)
		pass_on = 1;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The command on member m, as a target of its own. */
static int run_here(struct cli *cli, struct fleet *f, struct member *m,
                    int argc, char **argv, cli_member_fn run_member)
{
	struct cli_target mt = *f->t;
	int rc;

	/* the history rows carry the target's name, the same on every
	 * member: a member renamed in the list keeps its history */
	cli->fleet_member = m->name;
	mt.url = m->url;
	mt.url_line = f->t->fleet_line;
	if (m->schema)
		mt.schema = m->schema;
	mt.fleet = NULL;
	rc = run_member(cli, &mt, argc, argv);
	cli->tgt = NULL; /* mt is gone */
	fflush(stdout);
	fflush(stderr);
	return rc;
}

/* The child: one member. */
static void run_child(struct cli *cli, struct fleet *f, struct member *m,
                      int argc, char **argv, cli_member_fn run_member)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	_exit(run_here(cli, f, m, argc, argv, run_member));
}

/* gcc 12's -fanalyzer loses what is stored through an element of a
 * realloc()ed or calloc()ed array (the members, the slots) and calls it
 * leaked; release() and finish() free it. As in config_read.c. */
#if defined(__GNUC__) && __GNUC__ >= 10 && !defined(__clang__)
# pragma GCC diagnostic push
# pragma GCC diagnostic ignored "-Wanalyzer-malloc-leak"
#endif
/* A slot's capture files closed, the slot free. */
static void slot_clear(struct slot *s)
{
	if (s->out)
		fclose(s->out);
	if (s->err)
		fclose(s->err);
	s->out = s->err = NULL;
	s->pid = 0;
}

static int start(struct cli *cli, struct fleet *f, struct slot *s, size_t i,
                 int argc, char **argv, cli_member_fn run_member)
{
	pid_t pid;

	s->out = tmpfile();
	s->err = tmpfile();
	if (!s->out || !s->err) {
		slot_clear(s);
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	s->t0 = now_ms();
	s->member = i;
	pid = fork();
	if (pid < 0) {
		slot_clear(s);
		return -1;
	}
	if (pid == 0) {
		dup2(fileno(s->out), 1);
		dup2(fileno(s->err), 2);
		run_child(cli, f, &f->v[i], argc, argv, run_member);
	}
	s->pid = pid;
	f->v[i].state = 1;
	return 0;
}

/* Copy what a finished member wrote, and keep its word for the summary:
 * from stderr its first error ("FILE:LINE:COL: error: ..." or "strata:
 * error: ..."), else its last "strata: ..." line; from stdout its last
 * line. */
static void copy_out(FILE *from, FILE *to, char *last, size_t n, int strata,
                     int keep)
{
	char line[4096];
	const char *e;
	int have_error = 0;

	rewind(from);
	while (fgets(line, sizeof(line), from)) {
		fputs(line, to);
		line[strcspn(line, "\n")] = '\0';
		if (!line[0] || have_error)
			continue;
		if (!strata) {
			snprintf(last, n, "%.*s", (int)n - 1, line);
		} else if ((e = strstr(line, "error: ")) != NULL &&
		           line[0] != ' ') {
			snprintf(last, n, "%.*s", (int)n - 1, e);
			have_error = 1;
		} else if (strncmp(line, "strata: ", 8) == 0) {
			snprintf(last, n, "%.*s", (int)n - 1, line + 8);
		}
	}
	if (!keep)
		fclose(from);
}

/* "3 migrations applied (postgres://...)": without the database */
static void trim_database(char *s)
{
	size_t n = strlen(s);
	char *open;

	if (n && s[n - 1] == ')' && (open = strrchr(s, '(')) != NULL &&
	    open > s && open[-1] == ' ' && strchr(open, ':'))
		open[-1] = '\0';
}

static int exit_code(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The slot's member ended with rc: its output shown, its summary kept.
 * keep: the slot's files stay open for its worker's next member. */
static void finish_rc(struct cli *cli, struct fleet *f, struct slot *s, int rc,
                      int keep)
{
	struct member *m = &f->v[s->member];
	char err_last[600] = "", out_last[600] = "";

	m->state = 2;
	m->ms = now_ms() - s->t0;
	m->rc = rc;
	if (!cli->json && !cli->quiet)
		printf("%s== %s/%s ==%s\n", cli_c(cli, "bold"), f->t->name,
		       m->name, cli_c(cli, "reset"));
	fflush(stdout);
	copy_out(s->out, stdout, out_last, sizeof(out_last), 0, keep);
	fflush(stdout);
	copy_out(s->err, stderr, err_last, sizeof(err_last), 1, keep);
	fflush(stderr);
	trim_database(err_last);
	trim_database(out_last);
	m->summary = strdup(err_last[0] ? err_last : out_last);
	s->busy = 0;
	if (keep)
		return;
	s->out = s->err = NULL; /* closed by copy_out */
	s->pid = 0;
}

static void finish(struct cli *cli, struct fleet *f, struct slot *s, int status)
{
	finish_rc(cli, f, s, exit_code(status), 0);
}

#if defined(__GNUC__) && __GNUC__ >= 10 && !defined(__clang__)
# pragma GCC diagnostic pop
#endif

static void stop_running(struct slot *slots, int jobs)
{
	int i;

	for (i = 0; i < jobs; i++)
		if (slots[i].pid > 0)
			kill(slots[i].pid, SIGTERM);
}

/* The pool: up to jobs members at once. */
static void run_pool(struct cli *cli, struct fleet *f, int argc, char **argv,
                     cli_member_fn run_member)
{
	int jobs = cli->jobs > 0 ? cli->jobs : 1, running = 0, i, status;
	struct slot *slots = calloc((size_t)jobs, sizeof(*slots));
	size_t next = 0;
	int stopping = 0;
	pid_t pid;

	if (!slots) {
		cli_fleet_error(cli, f, NULL, 0, "out of memory");
		return;
	}
	while (next < f->n || running > 0) {
		if (stop_asked && !stopping) {
			stopping = 1;
			if (pass_on)
				stop_running(slots, jobs);
		}
		for (i = 0; !stopping && i < jobs && next < f->n; i++) {
			if (slots[i].pid)
				continue;
			if (start(cli, f, &slots[i], next++, argc, argv,
			          run_member) < 0) {
				cli_fleet_error(cli, f, NULL, 0,
				                "cannot start a process: %s",
				                strerror(errno));
				stopping = 1;
				break;
			}
			running++;
		}
		if (running == 0)
			break;
		pid = waitpid(-1, &status, 0);
		if (pid < 0)
			continue; /* EINTR: a signal asked to stop */
		for (i = 0; i < jobs; i++)
			if (slots[i].pid == pid)
				break;
		if (i == jobs)
			continue;
		running--;
		finish(cli, f, &slots[i], status);
		if (f->v[slots[i].member].rc != EXIT_OK && cli->fail_fast &&
		    !stopping) {
			stopping = 1;
			stop_running(slots, jobs);
		}
	}
	free(slots);
}

/* ---- workers: one connection for many members ------------------------ */

/*
 * With reuse, each of the --jobs slots is a worker process that runs
 * member after member, as the parent names them, keeping the last
 * member's connection for the next (strata_ctx_reuse_connection). The
 * parent writes a member's index on the worker's cmd pipe and reads its
 * exit code back on res; the member's output goes to the slot's files,
 * which the worker empties before each member and the parent reads after
 * it, strictly in turn. A worker that dies takes only its member with it
 * (an exit code of 128 + the signal, as a member's own process would);
 * the next member gets a new worker. Closing cmd ends a worker.
 */

static int full_io(int fd, void *p, size_t n, int out)
{
	char *b = p;

	while (n > 0) {
		ssize_t k = out ? write(fd, b, n) : read(fd, b, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

/* The worker: its slot's files are its stdout and stderr. */
static void worker_main(struct cli *cli, struct fleet *f, int cmd, int res,
                        int argc, char **argv, cli_member_fn run_member)
{
	size_t i;
	int rc;

	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	cli->keep_ctx = 1;
	while (full_io(cmd, &i, sizeof(i), 0) == 0 && i < f->n) {
		/* this member's output only */
		if (ftruncate(1, 0) < 0 || ftruncate(2, 0) < 0 ||
		    fseek(stdout, 0, SEEK_SET) < 0 ||
		    fseek(stderr, 0, SEEK_SET) < 0)
			_exit(EXIT_FAILED);
		rc = run_here(cli, f, &f->v[i], argc, argv, run_member);
		if (full_io(res, &rc, sizeof(rc), 1) < 0)
			break;
	}
	strata_ctx_free(cli->spare);
	_exit(EXIT_OK);
}

#if defined(__GNUC__) && __GNUC__ >= 10 && !defined(__clang__)
# pragma GCC diagnostic push
# pragma GCC diagnostic ignored "-Wanalyzer-malloc-leak"
#endif
/* A worker gone or told to go: reaped, its pipes and files closed. */
static int worker_end(struct slot *s)
{
	int status = 0;

	if (s->cmd >= 0)
		close(s->cmd);
	s->cmd = -1;
	while (s->pid > 0 && waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
		;
	if (s->res >= 0)
		close(s->res);
	s->res = -1;
	slot_clear(s);
	return status;
}

static int worker_start(struct cli *cli, struct fleet *f, struct slot *slots,
                        int jobs, struct slot *s, int argc, char **argv,
                        cli_member_fn run_member)
{
	int cmd[2], res[2], i;
	pid_t pid;

	s->out = tmpfile();
	s->err = tmpfile();
	if (!s->out || !s->err) {
		slot_clear(s);
		return -1;
	}
	if (pipe(cmd) < 0) {
		slot_clear(s);
		return -1;
	}
	if (pipe(res) < 0) {
		close(cmd[0]);
		close(cmd[1]);
		slot_clear(s);
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		close(cmd[0]);
		close(cmd[1]);
		close(res[0]);
		close(res[1]);
		slot_clear(s);
		return -1;
	}
	if (pid == 0) {
		/* the other workers' pipes: held here, their cmd would never
		 * end */
		for (i = 0; i < jobs; i++) {
			if (slots[i].cmd >= 0)
				close(slots[i].cmd);
			if (slots[i].res >= 0)
				close(slots[i].res);
		}
		close(cmd[1]);
		close(res[0]);
		dup2(fileno(s->out), 1);
		dup2(fileno(s->err), 2);
		worker_main(cli, f, cmd[0], res[1], argc, argv, run_member);
	}
	close(cmd[0]);
	close(res[1]);
	s->pid = pid;
	s->cmd = cmd[1];
	s->res = res[0];
	return 0;
}
#if defined(__GNUC__) && __GNUC__ >= 10 && !defined(__clang__)
# pragma GCC diagnostic pop
#endif

/* Member i to the slot's worker, started first if need be. */
static int dispatch(struct cli *cli, struct fleet *f, struct slot *slots,
                    int jobs, struct slot *s, size_t i, int argc, char **argv,
                    cli_member_fn run_member)
{
	int tries;

	for (tries = 0; tries < 2; tries++) {
		if (!s->pid && worker_start(cli, f, slots, jobs, s, argc, argv,
		                            run_member) < 0)
			return -1;
		s->t0 = now_ms();
		s->member = i;
		if (full_io(s->cmd, &i, sizeof(i), 1) == 0) {
			s->busy = 1;
			f->v[i].state = 1;
			return 0;
		}
		worker_end(s); /* it died while idle: a new one */
	}
	return -1;
}

/* The slot's worker has answered (or died). */
static void worker_done(struct cli *cli, struct fleet *f, struct slot *s)
{
	int rc;

	if (full_io(s->res, &rc, sizeof(rc), 0) == 0) {
		finish_rc(cli, f, s, rc, 1);
		return;
	}
	/* it died with the member: what it wrote is still in the files */
	if (s->cmd >= 0)
		close(s->cmd);
	s->cmd = -1;
	rc = 0;
	while (waitpid(s->pid, &rc, 0) < 0 && errno == EINTR)
		;
	s->pid = 0;
	finish_rc(cli, f, s, exit_code(rc), 1);
	worker_end(s);
}

static void stop_busy(struct slot *slots, int jobs)
{
	int i;

	for (i = 0; i < jobs; i++)
		if (slots[i].busy && slots[i].pid > 0)
			kill(slots[i].pid, SIGTERM);
}

/* The pool of workers: up to jobs members at once, as run_pool. */
static void run_workers(struct cli *cli, struct fleet *f, int argc, char **argv,
                        cli_member_fn run_member)
{
	int jobs = cli->jobs > 0 ? cli->jobs : 1, running = 0, i, n;
	struct slot *slots = calloc((size_t)jobs, sizeof(*slots));
	struct pollfd *fds = calloc((size_t)jobs, sizeof(*fds));
	int *at = calloc((size_t)jobs, sizeof(*at));
	struct sigaction ign, old_pipe;
	size_t next = 0;
	int stopping = 0;

	if (!slots || !fds || !at) {
		cli_fleet_error(cli, f, NULL, 0, "out of memory");
		free(slots);
		free(fds);
		free(at);
		return;
	}
	for (i = 0; i < jobs; i++)
		slots[i].cmd = slots[i].res = -1;
	/* a worker that died makes the next write to it fail, not kill */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old_pipe);
	while (next < f->n || running > 0) {
		if (stop_asked && !stopping) {
			stopping = 1;
			if (pass_on)
				stop_busy(slots, jobs);
		}
		for (i = 0; !stopping && i < jobs && next < f->n; i++) {
			if (slots[i].busy)
				continue;
			if (dispatch(cli, f, slots, jobs, &slots[i], next++,
			             argc, argv, run_member) < 0) {
				cli_fleet_error(cli, f, NULL, 0,
				                "cannot start a process: %s",
				                strerror(errno));
				stopping = 1;
				break;
			}
			running++;
		}
		if (running == 0)
			break;
		for (i = 0, n = 0; i < jobs; i++)
			if (slots[i].busy) {
				fds[n].fd = slots[i].res;
				fds[n].events = POLLIN;
				fds[n].revents = 0;
				at[n++] = i;
			}
		if (poll(fds, (nfds_t)n, -1) < 0)
			continue; /* EINTR: a signal asked to stop */
		for (i = 0; i < n; i++) {
			struct slot *s = &slots[at[i]];

			if (!fds[i].revents)
				continue;
			running--;
			worker_done(cli, f, s);
			if (f->v[s->member].rc != EXIT_OK && cli->fail_fast &&
			    !stopping) {
				stopping = 1;
				stop_busy(slots, jobs);
			}
		}
	}
	for (i = 0; i < jobs; i++)
		if (slots[i].pid > 0 || slots[i].out)
			worker_end(&slots[i]);
	sigaction(SIGPIPE, &old_pipe, NULL);
	free(slots);
	free(fds);
	free(at);
}

int cli_fleet_stopped(void)
{
	return stop_asked;
}

void cli_fleet_run(struct cli *cli, struct fleet *f, int argc, char **argv,
                   cli_member_fn run_member, int workers)
{
	struct sigaction sa, old_int, old_term;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	if (workers)
		run_workers(cli, f, argc, argv, run_member);
	else
		run_pool(cli, f, argc, argv, run_member);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
}
