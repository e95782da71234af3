/*
 * Unit tests of the planner: the merged view of folder and history
 * (strata__build_view) and what up and down pick from it
 * (strata__select_up, strata__select_down), on a real SQLite database in
 * a temporary folder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/common.h"
#include "lib/ctx.h"
#include "lib/driver.h"
#include "lib/engine.h"

static char dir[128], mdir[160], url[200];

static void write_file(const char *name, const char *text)
{
	char path[400];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", mdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void remove_file(const char *name)
{
	char path[400];

	snprintf(path, sizeof(path), "%s/%s", mdir, name);
	assert_int_equal(unlink(path), 0);
}

/* Migration v, named name, creating table t<v>, with its down. */
static void mig(int v, const char *name)
{
	char f[200], sql[200];

	snprintf(f, sizeof(f), "%d_%s.up.sql", v, name);
	snprintf(sql, sizeof(sql), "CREATE TABLE t%d (id INTEGER);\n", v);
	write_file(f, sql);
	snprintf(f, sizeof(f), "%d_%s.down.sql", v, name);
	snprintf(sql, sizeof(sql), "DROP TABLE t%d;\n", v);
	write_file(f, sql);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "%s/strata-planner.XXXXXX",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	snprintf(mdir, sizeof(mdir), "%s/m", dir);
	snprintf(url, sizeof(url), "sqlite:%s/t.db", dir);
	/* no cache outside the folder */
	setenv("STRATA_NO_CACHE", "1", 1);
	return mkdir(mdir, 0700);
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static strata_ctx *open_ctx(void)
{
	strata_options o;
	strata_ctx *ctx = NULL;

	memset(&o, 0, sizeof(o));
	o.database_url = url;
	o.migrations_dir = mdir;
	assert_int_equal(strata_ctx_new(&ctx, &o), 0);
	return ctx;
}

/* strata up with count (0: all), on a context of its own */
static void up(unsigned count)
{
	strata_run_options o;
	strata_ctx *ctx = open_ctx();

	memset(&o, 0, sizeof(o));
	o.count = count;
	assert_int_equal(strata_up(ctx, &o, NULL), 0);
	strata_ctx_free(ctx);
}

static void exec_sql(const char *sql)
{
	strata_ctx *ctx = open_ctx();

	assert_int_equal(strata__connect(ctx, 1), 0);
	assert_int_equal(strata__conn_exec(ctx, sql, strlen(sql)), 0);
	strata_ctx_free(ctx);
}

/* A context whose view is built from the folder and the history. */
static strata_ctx *view(void)
{
	strata_ctx *ctx = open_ctx();

	assert_int_equal(strata__open_read(ctx), 0);
	assert_int_equal(strata__build_view(ctx), 0);
	return ctx;
}

/* The versions of the view entries sel picked, as "v1 v2 ..." (R: a
 * repeatable, which has none) */
static const char *picked(strata_ctx *ctx, const size_t *sel, size_t n)
{
	static char out[200];
	size_t i, len = 0;

	out[0] = '\0';
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s",
		                        i ? " " : "",
		                        ctx->view[sel[i]].version[0] ?
		                                ctx->view[sel[i]].version :
		                                "R");
	return out;
}

static int select_up(strata_ctx *ctx, const strata_run_options *o,
                     const char **got)
{
	size_t sel[16], n = 0;
	int rc;

	assert_true(ctx->n_view < ARRAY_SIZE(sel));
	rc = strata__select_up(ctx, o, sel, &n);
	*got = rc == 0 ? picked(ctx, sel, n) : "";
	return rc;
}

static int select_down(strata_ctx *ctx, const strata_run_options *o,
                       const char **got)
{
	size_t sel[16], n = 0;
	int rc;

	assert_true(ctx->n_view < ARRAY_SIZE(sel));
	rc = strata__select_down(ctx, o, sel, &n);
	*got = rc == 0 ? picked(ctx, sel, n) : "";
	return rc;
}

static void test_planner__pending_and_applied(void **state)
{
	strata_run_options o;
	strata_ctx *ctx;
	const char *got;

	(void)state;
	mig(1, "a");
	mig(2, "b");
	mig(3, "c");
	mig(4, "d");
	up(2);
	ctx = view();
	assert_int_equal(ctx->n_view, 4);
	assert_int_equal(ctx->view[0].state, STRATA_STATE_APPLIED);
	assert_int_equal(ctx->view[1].state, STRATA_STATE_APPLIED);
	assert_int_equal(ctx->view[2].state, STRATA_STATE_PENDING);
	assert_int_equal(ctx->view[3].state, STRATA_STATE_PENDING);
	assert_string_equal(ctx->view[1].applied_name, "b");
	assert_int_equal(strata__check_blockers(ctx, 0), 0);

	memset(&o, 0, sizeof(o));
	assert_int_equal(select_up(ctx, &o, &got), 0);
	assert_string_equal(got, "3 4");
	/* N */
	o.count = 1;
	assert_int_equal(select_up(ctx, &o, &got), 0);
	assert_string_equal(got, "3");
	/* --to, inclusive */
	memset(&o, 0, sizeof(o));
	o.to = "3";
	assert_int_equal(select_up(ctx, &o, &got), 0);
	assert_string_equal(got, "3");
	o.to = "2";
	assert_int_equal(select_up(ctx, &o, &got), 0);
	assert_string_equal(got, "");
	o.to = "99";
	assert_int_equal(select_up(ctx, &o, &got), STRATA_EINVALID);

	/* down: the newest applied one by default, newest first */
	memset(&o, 0, sizeof(o));
	assert_int_equal(select_down(ctx, &o, &got), 0);
	assert_string_equal(got, "2");
	o.count = 2;
	assert_int_equal(select_down(ctx, &o, &got), 0);
	assert_string_equal(got, "2 1");
	o.count = 5;
	assert_int_equal(select_down(ctx, &o, &got), 0);
	assert_string_equal(got, "2 1");
	memset(&o, 0, sizeof(o));
	o.all = 1;
	assert_int_equal(select_down(ctx, &o, &got), 0);
	assert_string_equal(got, "2 1");
	/* --to: down to that version, exclusive; 0: everything */
	memset(&o, 0, sizeof(o));
	o.to = "1";
	assert_int_equal(select_down(ctx, &o, &got), 0);
	assert_string_equal(got, "2");
	o.to = "0";
	assert_int_equal(select_down(ctx, &o, &got), 0);
	assert_string_equal(got, "2 1");
	o.to = "42";
	assert_int_equal(select_down(ctx, &o, &got), STRATA_EINVALID);
	strata_ctx_free(ctx);
}

static void test_planner__nothing_applied(void **state)
{
	strata_run_options o;
	strata_ctx *ctx;
	const char *got;

	(void)state;
	mig(1, "a");
	mig(2, "b");
	/* no database file yet: an empty history */
	ctx = view();
	assert_int_equal(ctx->n_view, 2);
	assert_false(ctx->history.exists);
	memset(&o, 0, sizeof(o));
	assert_int_equal(select_up(ctx, &o, &got), 0);
	assert_string_equal(got, "1 2");
	assert_int_equal(select_down(ctx, &o, &got), 0);
	assert_string_equal(got, "");
	strata_ctx_free(ctx);
}

static void test_planner__out_of_order(void **state)
{
	strata_run_options o;
	strata_ctx *ctx;
	const char *got;

	(void)state;
	mig(1, "a");
	mig(3, "c");
	up(0);
	mig(2, "b"); /* a merged branch */
	mig(4, "d");
	ctx = view();
	assert_int_equal(ctx->n_view, 4);
	assert_string_equal(ctx->view[1].version, "2");
	assert_int_equal(ctx->view[1].state, STRATA_STATE_OUT_OF_ORDER);
	assert_int_equal(ctx->view[3].state, STRATA_STATE_PENDING);
	memset(&o, 0, sizeof(o));
	assert_int_equal(select_up(ctx, &o, &got), STRATA_ESTATE);
	assert_non_null(strstr(strata_error_last(ctx)->message,
	                       "older than the newest applied"));
	o.allow_out_of_order = 1;
	assert_int_equal(select_up(ctx, &o, &got), 0);
	assert_string_equal(got, "2 4");
	/* down does not count it as applied */
	memset(&o, 0, sizeof(o));
	o.all = 1;
	assert_int_equal(select_down(ctx, &o, &got), 0);
	assert_string_equal(got, "3 1");
	strata_ctx_free(ctx);
}

static void test_planner__dirty(void **state)
{
	strata_run_options o;
	strata_ctx *ctx;
	const char *got;

	(void)state;
	mig(1, "a");
	mig(2, "b");
	up(0);
	exec_sql("UPDATE schema_migrations SET dirty = 3 WHERE version = 2");
	ctx = view();
	assert_int_equal(ctx->view[1].state, STRATA_STATE_DIRTY);
	assert_int_equal(ctx->view[1].dirty, 3);
	/* up and down both refuse to run */
	assert_int_equal(strata__check_blockers(ctx, 0), STRATA_ESTATE);
	assert_non_null(strstr(strata_error_last(ctx)->message, "is dirty"));
	assert_int_equal(strata__check_blockers(ctx, 1), STRATA_ESTATE);
	/* the planner alone does not pick it either way */
	memset(&o, 0, sizeof(o));
	assert_int_equal(select_up(ctx, &o, &got), 0);
	assert_string_equal(got, "");
	assert_int_equal(select_down(ctx, &o, &got), 0);
	assert_string_equal(got, "1");
	strata_ctx_free(ctx);
}

static void test_planner__missing(void **state)
{
	strata_run_options o;
	strata_ctx *ctx;
	const char *got;

	(void)state;
	mig(1, "a");
	mig(2, "b");
	up(0);
	remove_file("2_b.up.sql");
	remove_file("2_b.down.sql");
	ctx = view();
	assert_int_equal(ctx->n_view, 2);
	assert_int_equal(ctx->view[1].state, STRATA_STATE_MISSING);
	assert_string_equal(ctx->view[1].name, "b");
	assert_null(ctx->view[1].up_file);
	memset(&o, 0, sizeof(o));
	assert_int_equal(select_up(ctx, &o, &got), STRATA_ESTATE);
	assert_non_null(
	        strstr(strata_error_last(ctx)->message, "its file is gone"));
	assert_int_equal(select_down(ctx, &o, &got), STRATA_ESTATE);
	assert_non_null(
	        strstr(strata_error_last(ctx)->message, "its down cannot run"));
	/* below it, down still finds the one before */
	o.to = "2";
	assert_int_equal(select_down(ctx, &o, &got), 0);
	assert_string_equal(got, "");
	strata_ctx_free(ctx);
}

static void test_planner__renamed_and_modified(void **state)
{
	strata_run_options o;
	strata_ctx *ctx;
	const char *got;

	(void)state;
	mig(1, "a");
	mig(2, "b");
	up(0);
	/* 1 renamed, same text; 2 edited after it was applied */
	remove_file("1_a.up.sql");
	remove_file("1_a.down.sql");
	mig(1, "first");
	write_file("2_b.up.sql", "CREATE TABLE t2 (id INTEGER, x TEXT);\n");
	ctx = view();
	assert_int_equal(ctx->n_view, 2);
	assert_int_equal(ctx->view[0].state, STRATA_STATE_RENAMED);
	assert_string_equal(ctx->view[0].name, "first");
	assert_string_equal(ctx->view[0].applied_name, "a");
	assert_int_equal(ctx->view[1].state, STRATA_STATE_MODIFIED);
	/* up refuses the edit; down only warns */
	assert_int_equal(strata__check_blockers(ctx, 0), STRATA_ESTATE);
	assert_int_equal(strata__check_blockers(ctx, 1), 0);
	memset(&o, 0, sizeof(o));
	assert_int_equal(select_up(ctx, &o, &got), 0);
	assert_string_equal(got, "");
	o.all = 1;
	assert_int_equal(select_down(ctx, &o, &got), 0);
	assert_string_equal(got, "2 1");
	strata_ctx_free(ctx);
}

static void test_planner__repeatable_runs_last(void **state)
{
	strata_run_options o;
	strata_ctx *ctx;
	const char *got;

	(void)state;
	mig(1, "a");
	mig(2, "b");
	write_file("R__view.sql", "CREATE VIEW IF NOT EXISTS v AS SELECT 1;\n");
	ctx = view();
	assert_int_equal(ctx->n_view, 3);
	assert_int_equal(ctx->view[2].kind, STRATA_KIND_REPEATABLE);
	memset(&o, 0, sizeof(o));
	assert_int_equal(select_up(ctx, &o, &got), 0);
	assert_string_equal(got, "1 2 R");
	/* a limited run leaves the repeatables for a full one */
	o.count = 1;
	assert_int_equal(select_up(ctx, &o, &got), 0);
	assert_string_equal(got, "1");
	strata_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		        test_planner__pending_and_applied, setup, teardown),
		cmocka_unit_test_setup_teardown(test_planner__nothing_applied,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(test_planner__out_of_order,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(test_planner__dirty, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_planner__missing, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(
		        test_planner__renamed_and_modified, setup, teardown),
		cmocka_unit_test_setup_teardown(
		        test_planner__repeatable_runs_last, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
