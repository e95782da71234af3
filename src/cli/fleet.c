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
 * fleet_run.c runs them; the output is shown member by member as each
 * ends, then a summary here. A re-run goes on where the last stopped:
 * each member's history says what it has.
 */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleet_int.h"
#include "json.h"
#include "output.h"

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
 * leaked; release() and finish() free it. As in config_read.c. */
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
			cli_fleet_error(cli, f, file, line,
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
		cli_fleet_error(cli, f, path, line,
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
		cli_fleet_error(cli, f, NULL, 0, "cannot read '%s': %s", path,
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
		cli_fleet_error(
		        cli, f, NULL, 0,
		        "glob: lists SQLite files; this target's type is %s",
		        f->t->type);
		return -1;
	}
	r = glob(pattern, 0, NULL, &g);
	if (r == GLOB_NOMATCH)
		return 0;
	if (r != 0) {
		cli_fleet_error(cli, f, NULL, 0,
		                "cannot read the files of '%s'", pattern);
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
		cli_fleet_error(r->cli, r->f, NULL, 0,
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
		cli_fleet_error(cli, f, NULL, 0,
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
		cli_fleet_error(cli, f, NULL, 0, "%s",
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
		cli_fleet_error(cli, f, NULL, 0,
		                "schemas: lists the schemas of a PostgreSQL "
		                "database; this target's type is %s",
		                f->t->type);
		return -1;
	}
	if (strlen(pattern) > 256) {
		cli_fleet_error(cli, f, NULL, 0, "schemas: pattern too long");
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
		cli_fleet_error(
		        cli, f, NULL, 0,
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
		cli_fleet_error(
		        cli, f, NULL, 0,
		        "'%.*s': expected file:, glob:, query: or schemas:",
		        (int)(arg - spec), spec);
		return -1;
	}
	if (rc < 0 && !f->bad)
		cli_fleet_error(cli, f, NULL, 0, "out of memory");
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
		rc = cli_fleet_stopped() ? EXIT_INTERRUPTED : EXIT_FAILED;
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
	cli_fleet_error(cli, f, NULL, 0, "no member '%s' (%zu members)",
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
	int rc;

	if (cli->flag.database) {
		cli_fleet_error(
		        cli, &f, NULL, 0,
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
		cli_fleet_error(cli, &f, NULL, 0,
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
	cli_fleet_run(cli, &f, argc, argv, run_member, reuse(t));
	rc = f.bad ? EXIT_USAGE : summary(cli, &f);
	release(&f);
	return rc;
}
