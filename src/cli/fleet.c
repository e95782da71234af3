/*
 * Fleets (fleet.h). The members come from the target's `fleet` setting:
 *
 *   file:PATH        one member per line: "URL" or "NAME URL"; '#' starts
 *                    a comment
 *   glob:PATTERN     every SQLite file matching PATTERN, in name order
 *   query:SQL        the rows of SQL on the target's fleet_url (else its
 *                    url): (URL) or (NAME, URL)
 *   schemas:PATTERN  every schema of the target's PostgreSQL database
 *                    whose name matches PATTERN (LIKE), one member each
 *
 * Each member runs in a child process with its output captured, so
 * members never mix their lines; the output is shown member by member as
 * each ends, then a summary. A failed member stops only itself unless
 * --fail-fast, which starts no more and stops the running ones (SIGTERM:
 * each stops as on Ctrl-C, before its next migration or by cancelling
 * its statement). A re-run goes on where the last stopped: each member's
 * history says what it has.
 */
#include <errno.h>
#include <glob.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fleet.h"
#include "json.h"
#include "output.h"

struct member {
	char *name; /* the block that holds url and schema too */
	char *url;
	char *schema; /* schemas: its schema; else NULL */
	int line;     /* file: its line */
	/* the run */
	int state; /* 0 not run, 1 running, 2 done */
	int rc;
	long long ms;
	char *summary;
};

struct fleet {
	const struct cli_target *t;
	struct member *v;
	size_t n, alloc;
	int bad; /* an error was printed */
};

/* ---- errors ------------------------------------------------------- */

static void fleet_error(struct cli *cli, struct fleet *f, const char *file,
                        int line, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));

/* "strata.conf:8: error: target 't': fleet: ..." (or FILE:LINE of a
 * list file) */
static void fleet_error(struct cli *cli, struct fleet *f, const char *file,
                        int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!file) {
		file = cli->config ? cli->config : "strata.conf";
		line = f->t->fleet_line;
	}
	cli_json_fail(cli, file, line, "target '%s': fleet: %s", f->t->name,
	              msg);
	fprintf(stderr, "%s:%d: %serror%s: target '%s': fleet: %s\n",
	        cli_q(file), line, cli_ce(cli, "err"), cli_ce(cli, "reset"),
	        cli_esc(f->t->name), cli_esc(msg));
	f->bad = 1;
}

/* ---- members ------------------------------------------------------ */

static char *dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* A member's name from its URL: the database (the path's last part,
 * without parameters), or a SQLite file's path. */
static char *name_of(const char *url)
{
	const char *end = url + strcspn(url, "?#"), *p = end;

	if (strncmp(url, "sqlite:", 7) == 0 ||
	    strncmp(url, "sqlite3:", 8) == 0) {
		p = strchr(url, ':') + 1;
		while (*p == '/' && p[1] == '/')
			p++;
		return dup_n(p, (size_t)(end - p));
	}
	while (p > url && p[-1] != '/')
		p--;
	if (p == end)
		return strdup(url);
	return dup_n(p, (size_t)(end - p));
}

/* gcc 12's -fanalyzer loses what is stored through an element of a
 * realloc()ed or calloc()ed array (the members, the slots) and calls it
 * leaked; release() and finish() free it. As in config.c. */
#if defined(__GNUC__) && __GNUC__ >= 10 && !defined(__clang__)
# pragma GCC diagnostic push
# pragma GCC diagnostic ignored "-Wanalyzer-malloc-leak"
#endif
static int add(struct cli *cli, struct fleet *f, const char *name,
               const char *url, const char *schema, const char *file, int line)
{
	struct member *m;
	size_t i, nn, nu, ns;
	char *block;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->v[i].name, name) == 0) {
			fleet_error(cli, f, file, line,
			            "member '%s' is listed twice", name);
			return -1;
		}
	if (f->n == f->alloc) {
		size_t na = f->alloc ? f->alloc * 2 : 16;
		struct member *v = realloc(f->v, na * sizeof(*v));

		if (!v)
			return -1;
		f->v = v;
		f->alloc = na;
	}
	/* one block: name, url and schema end to end */
	nn = strlen(name) + 1;
	nu = strlen(url) + 1;
	ns = schema ? strlen(schema) + 1 : 0;
	block = malloc(nn + nu + ns);
	if (!block)
		return -1;
	m = &f->v[f->n++];
	memset(m, 0, sizeof(*m));
	m->name = memcpy(block, name, nn);
	m->url = memcpy(block + nn, url, nu);
	m->schema = schema ? memcpy(block + nn + nu, schema, ns) : NULL;
	m->line = line;
	return 0;
}

/* "NAME URL" or "URL" (with nothing else on the line) */
static int file_line(struct cli *cli, struct fleet *f, char *s,
                     const char *path, int line)
{
	char *words[3], *name;
	int n = 0, rc;

	/* up to three words, split at blanks */
	while (n < 3) {
		s += strspn(s, " \t\r");
		if (!*s)
			break;
		words[n++] = s;
		s += strcspn(s, " \t\r");
		if (*s)
			*s++ = '\0';
	}
	if (n == 0)
		return 0;
	if (n == 3) {
		fleet_error(cli, f, path, line,
		            "expected 'URL' or 'NAME URL', found more");
		return -1;
	}
	if (n == 2)
		return add(cli, f, words[0], words[1], NULL, path, line);
	name = name_of(words[0]);
	if (!name)
		return -1;
	rc = add(cli, f, name, words[0], NULL, path, line);
	free(name);
	return rc;
}

#if defined(__GNUC__) && __GNUC__ >= 10 && !defined(__clang__)
# pragma GCC diagnostic pop
#endif

static int from_file(struct cli *cli, struct fleet *f, const char *path)
{
	FILE *in = fopen(path, "r");
	char buf[8192];
	int line = 0, rc = 0;

	if (!in) {
		fleet_error(cli, f, NULL, 0, "cannot read '%s': %s", path,
		            strerror(errno));
		return -1;
	}
	while (rc == 0 && fgets(buf, sizeof(buf), in)) {
		line++;
		buf[strcspn(buf, "#\n")] = '\0';
		rc = file_line(cli, f, buf, path, line);
	}
	fclose(in);
	return rc;
}

static int from_glob(struct cli *cli, struct fleet *f, const char *pattern)
{
	glob_t g;
	size_t i;
	int rc = 0, r;
	char *url;

	if (strcmp(f->t->type, "sqlite") != 0) {
		fleet_error(
		        cli, f, NULL, 0,
		        "glob: lists SQLite files; this target's type is %s",
		        f->t->type);
		return -1;
	}
	r = glob(pattern, 0, NULL, &g);
	if (r == GLOB_NOMATCH)
		return 0;
	if (r != 0) {
		fleet_error(cli, f, NULL, 0, "cannot read the files of '%s'",
		            pattern);
		return -1;
	}
	for (i = 0; rc == 0 && i < g.gl_pathc; i++) {
		size_t n = strlen(g.gl_pathv[i]) + 8;

		url = malloc(n);
		if (!url) {
			rc = -1;
			break;
		}
		snprintf(url, n, "sqlite:%s", g.gl_pathv[i]);
		rc = add(cli, f, g.gl_pathv[i], url, NULL, NULL, 0);
		free(url);
	}
	globfree(&g);
	return rc;
}

struct rows {
	struct cli *cli;
	struct fleet *f;
	int schemas; /* rows are schema names */
	int rc;
};

static int row_cb(void *payload, int ncols, const char *const *v)
{
	struct rows *r = payload;
	const char *url = ncols > 1 ? v[1] : v[0];
	char *name;

	if (r->rc)
		return 0;
	if (ncols < 1 || !v[0] || (ncols > 1 && !v[1])) {
		fleet_error(r->cli, r->f, NULL, 0,
		            "the query answered a row with a NULL");
		r->rc = -1;
		return 0;
	}
	if (r->schemas) {
		r->rc = add(r->cli, r->f, v[0], r->f->t->url, v[0], NULL, 0);
		return 0;
	}
	name = ncols > 1 ? strdup(v[0]) : name_of(url);
	r->rc = name ? add(r->cli, r->f, name, url, NULL, NULL, 0) : -1;
	free(name);
	return 0;
}

/* SQL on the target's database, each row a member */
static int from_query(struct cli *cli, struct fleet *f, const char *sql,
                      int schemas)
{
	struct rows r = { cli, f, schemas, 0 };
	const char *url = f->t->fleet_url && !schemas ? f->t->fleet_url :
	                                                f->t->url;
	strata_options o;
	strata_ctx *ctx = NULL;
	int rc;

	if (!url) {
		fleet_error(cli, f, NULL, 0,
		            "the query needs a database to run on: set %s",
		            schemas ? "url" : "fleet_url (or url)");
		return -1;
	}
	memset(&o, 0, sizeof(o));
	o.database_url = url;
	o.migrations_dir = ".";
	rc = strata_ctx_new(&ctx, &o);
	if (rc == 0)
		rc = strata_select(ctx, sql, row_cb, &r);
	if (rc < 0)
		fleet_error(cli, f, NULL, 0, "%s",
		            ctx && strata_error_last(ctx) ?
		                    strata_error_last(ctx)->message :
		                    strata_strerror(rc));
	strata_ctx_free(ctx);
	return rc < 0 ? -1 : r.rc;
}

/* schemas:PATTERN: a LIKE pattern, quoted as a string literal */
static int from_schemas(struct cli *cli, struct fleet *f, const char *pattern)
{
	static const char head[] =
	        "SELECT nspname FROM pg_catalog.pg_namespace "
	        "WHERE nspname LIKE '";
	char sql[1200], *p = sql;
	const char *s;

	if (strcmp(f->t->type, "postgres") != 0) {
		fleet_error(cli, f, NULL, 0,
		            "schemas: lists the schemas of a PostgreSQL "
		            "database; this target's type is %s",
		            f->t->type);
		return -1;
	}
	if (strlen(pattern) > 256) {
		fleet_error(cli, f, NULL, 0, "schemas: pattern too long");
		return -1;
	}
	memcpy(p, head, sizeof(head) - 1);
	p += sizeof(head) - 1;
	for (s = pattern; *s; s++) {
		if (*s == '\'')
			*p++ = '\'';
		*p++ = *s;
	}
	snprintf(p, sizeof(sql) - (size_t)(p - sql), "' ORDER BY 1");
	return from_query(cli, f, sql, 1);
}

static int load(struct cli *cli, struct fleet *f)
{
	const char *spec = f->t->fleet, *arg = strchr(spec, ':');
	int rc;

	if (!arg || !arg[1]) {
		fleet_error(cli, f, NULL, 0,
		            "'%s': expected file:PATH, glob:PATTERN, query:SQL "
		            "or schemas:PATTERN",
		            spec);
		return -1;
	}
	arg++;
	if (strncmp(spec, "file:", 5) == 0)
		rc = from_file(cli, f, arg);
	else if (strncmp(spec, "glob:", 5) == 0)
		rc = from_glob(cli, f, arg);
	else if (strncmp(spec, "query:", 6) == 0)
		rc = from_query(cli, f, arg, 0);
	else if (strncmp(spec, "schemas:", 8) == 0)
		rc = from_schemas(cli, f, arg);
	else {
		fleet_error(cli, f, NULL, 0,
		            "'%.*s': expected file:, glob:, query: or schemas:",
		            (int)(arg - spec), spec);
		return -1;
	}
	if (rc < 0 && !f->bad)
		fleet_error(cli, f, NULL, 0, "out of memory");
	return rc;
}

static void member_free(struct member *m)
{
	free(m->name); /* and url, schema: one block (add) */
	free(m->summary);
}

static void release(struct fleet *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		member_free(&f->v[i]);
	free(f->v);
}

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
 * leaked; release() and finish() free it. As in config.c. */
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
		fleet_error(cli, f, NULL, 0, "out of memory");
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
				fleet_error(cli, f, NULL, 0,
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
		fleet_error(cli, f, NULL, 0, "out of memory");
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
				fleet_error(cli, f, NULL, 0,
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

/* ---- the summary ----------------------------------------------------- */

/* The last line under --json: a result of the command whose own fields
 * are the fleet's members and counts (docs/JSON.md, object fleet). */
static void print_json(struct cli *cli, struct fleet *f, int rc,
                       json_t *members, size_t ok, size_t failed,
                       size_t not_run)
{
	json_t *o = json_object(), *err = json_null();

	if (rc != EXIT_OK)
		err = json_pack("{s:s,s:i,s:n,s:n,s:n,s:n,s:n,s:n}", "message",
		                failed ? "a member failed" :
		                         "some members were not run",
		                "exit_code", rc, "code", "file", "line",
		                "column", "sqlstate", "detail");
	json_object_set_new(o, "command", json_string(cli->cmd->name));
	json_object_set_new(o, "target", cli_json_string(f->t->name));
	json_object_set_new(o, "member", json_null());
	json_object_set_new(o, "database", json_null());
	json_object_set_new(o, "ok", json_boolean(rc == EXIT_OK));
	json_object_set_new(o, "members", members);
	json_object_set_new(o, "counts",
	                    json_pack("{s:I,s:I,s:I}", "ok", (json_int_t)ok,
	                              "failed", (json_int_t)failed, "not_run",
	                              (json_int_t)not_run));
	json_object_set_new(o, "error", err ? err : json_null());
	cli_json_print(o);
}

static int summary(struct cli *cli, struct fleet *f)
{
	size_t i, w = 6, ok = 0, failed = 0, not_run = 0;
	int rc = EXIT_OK;
	json_t *members = cli->json ? json_array() : NULL;

	for (i = 0; i < f->n; i++) {
		struct member *m = &f->v[i];

		if (strlen(m->name) > w)
			w = strlen(m->name);
		if (m->state != 2)
			not_run++;
		else if (m->rc == EXIT_OK)
			ok++;
		else {
			failed++;
			if (rc == EXIT_OK)
				rc = m->rc;
		}
	}
	if (not_run && rc == EXIT_OK)
		rc = stop_asked ? EXIT_INTERRUPTED : EXIT_FAILED;
	for (i = 0; i < f->n; i++) {
		struct member *m = &f->v[i];
		const char *what = m->state != 2    ? "not run" :
		                   m->rc == EXIT_OK ? "ok" :
		                                      "failed";
		char t[32] = "";

		if (m->state == 2)
			cli_format_ms(t, sizeof(t), m->ms);
		if (members) {
			json_t *o = json_object();

			json_object_set_new(o, "member",
			                    cli_json_string(m->name));
			json_object_set_new(o, "result", json_string(what));
			json_object_set_new(o, "exit_code",
			                    cli_json_int_or_null(m->state == 2,
			                                         m->rc));
			json_object_set_new(o, "ms",
			                    cli_json_int_or_null(m->state == 2,
			                                         m->ms));
			json_object_set_new(o, "summary",
			                    cli_json_text(m->summary));
			json_array_append_new(members, o);
			continue;
		}
		if (i == 0 && !cli->quiet)
			printf("\n%s%-*s  %-7s  %8s  %s%s\n",
			       cli_c(cli, "bold"), (int)w, "MEMBER", "RESULT",
			       "TIME", "SUMMARY", cli_c(cli, "reset"));
		if (!cli->quiet || m->state != 2 || m->rc != EXIT_OK)
			printf("%-*s  %s%-7s%s  %8s  %s\n", (int)w, m->name,
			       cli_c(cli, m->state == 2 && m->rc == EXIT_OK ?
			                          "green" :
			                          "red"),
			       what, cli_c(cli, "reset"), t,
			       m->summary ? m->summary : "");
	}
	if (members)
		print_json(cli, f, rc, members, ok, failed, not_run);
	else if (!cli->quiet || rc != EXIT_OK) {
		fprintf(stderr,
		        "strata: fleet %s: %zu member%s: %zu ok, %zu failed, "
		        "%zu not run\n",
		        f->t->name, f->n, f->n == 1 ? "" : "s", ok, failed,
		        not_run);
	}
	return rc;
}

static int pick_member(struct cli *cli, struct fleet *f)
{
	size_t i;

	struct member keep;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->v[i].name, cli->member) == 0)
			break;
	if (i < f->n) {
		/* the one member to run first, the others gone */
		keep = f->v[i];
		f->v[i] = f->v[0];
		f->v[0] = keep;
		for (i = 1; i < f->n; i++)
			member_free(&f->v[i]);
		f->n = 1;
		return 0;
	}
	fleet_error(cli, f, NULL, 0, "no member '%s' (%zu members)",
	            cli->member, f->n);
	return -1;
}

/* fleet_reuse: on by default for schemas: (the schemas of one database,
 * which one connection reaches) */
static int reuse(const struct cli_target *t)
{
	if (t->fleet_reuse >= 0)
		return t->fleet_reuse;
	return strncmp(t->fleet, "schemas:", 8) == 0;
}

int cli_run_fleet(struct cli *cli, const struct cli_target *t, int argc,
                  char **argv, cli_member_fn run_member)
{
	struct fleet f = { t, NULL, 0, 0, 0 };
	struct sigaction sa, old_int, old_term;
	int rc;

	if (cli->flag.database) {
		fleet_error(cli, &f, NULL, 0,
		            "target '%s' is a fleet: its databases come from "
		            "the fleet setting, not --database",
		            t->name);
		return EXIT_USAGE;
	}
	/* new, config: the folder and the settings, the same for all */
	if (cli->cmd->flags & CMD_FOLDER) {
		return run_member(cli, t, argc, argv);
	}
	if (!cli->member && !(cli->cmd->flags & CMD_FLEET)) {
		fleet_error(cli, &f, NULL, 0,
		            "'%s' runs on one database: name a member with "
		            "--member",
		            cli->cmd->name);
		return EXIT_USAGE;
	}
	if (load(cli, &f) < 0 || (cli->member && pick_member(cli, &f) < 0)) {
		release(&f);
		return EXIT_USAGE;
	}
	if (f.n == 0 && !cli->quiet)
		fprintf(stderr, "strata: fleet %s: no members (%s)\n", t->name,
		        t->fleet);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	if (reuse(t))
		run_workers(cli, &f, argc, argv, run_member);
	else
		run_pool(cli, &f, argc, argv, run_member);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	rc = f.bad ? EXIT_USAGE : summary(cli, &f);
	release(&f);
	return rc;
}
