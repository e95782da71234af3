/*
 * strata_ctx_reuse_connection: a context done with its connection hands
 * it to the next one when the driver's reuse accepts (called with the old
 * URL and the new context's parameters, after the engine's own lock is
 * released); when the driver refuses, or has no reuse, the next context
 * connects anew and the old connection is not left half reset.
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
#include "lib/driver.h"

static const char *const reuse_schemes[] = { "reuselite", NULL };
static int connects, reuses, reuse_rc;
static char seen_old[300], seen_new[300];

/* The SQLite driver under another scheme: its URL as sqlite's. */
static int fake_connect(struct strata_driver_conn *c,
                        const struct strata_connect_params *p)
{
	struct strata_connect_params q = *p;
	char url[300];

	connects++;
	snprintf(url, sizeof(url), "sqlite:%s", p->url + strlen("reuselite:"));
	q.url = url;
	return strata__driver_sqlite.connect(c, &q);
}

static int fake_reuse(struct strata_driver_conn *c, const char *old_url,
                      const struct strata_connect_params *p)
{
	(void)c;
	reuses++;
	snprintf(seen_old, sizeof(seen_old), "%s", old_url);
	snprintf(seen_new, sizeof(seen_new), "%s", p->url);
	return reuse_rc;
}

static struct strata_driver drv;
static char dir[] = "/tmp/strata-reuse-XXXXXX";
static char mdir[80], url[120];

static int setup(void **state)
{
	char path[120];
	FILE *f;

	(void)state;
	drv = strata__driver_sqlite;
	drv.name = "reuselite";
	drv.schemes = reuse_schemes;
	drv.connect = fake_connect;
	drv.reuse = fake_reuse;
	drv.state_key = NULL;
	drv.backup = NULL;
	drv.restore = NULL;
	drv.backup_extension = NULL;
	drv.restore_check = NULL;
	if (strata_driver_register(&drv) != 0 || !mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/cache", dir);
	setenv("XDG_CACHE_HOME", path, 1);
	snprintf(mdir, sizeof(mdir), "%s/m", dir);
	if (mkdir(mdir, 0700) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/1_t.up.sql", mdir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs("CREATE TABLE t (id INTEGER);\n", f);
	fclose(f);
	snprintf(url, sizeof(url), "reuselite:%s/db", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[200];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A context on the test's database, its history read (connected). */
static strata_ctx *connected(void)
{
	strata_options o = { 0 };
	strata_run_options ro = { 0 };
	strata_ctx *ctx = NULL;
	size_t done = 0;

	o.database_url = url;
	o.migrations_dir = mdir;
	assert_int_equal(strata_ctx_new(&ctx, &o), 0);
	assert_int_equal(strata_up(ctx, &ro, &done), 0);
	return ctx;
}

static strata_ctx *fresh(void)
{
	strata_options o = { 0 };
	strata_ctx *ctx = NULL;

	o.database_url = url;
	o.migrations_dir = mdir;
	assert_int_equal(strata_ctx_new(&ctx, &o), 0);
	return ctx;
}

static void check_status(strata_ctx *ctx)
{
	const strata_migration *m;
	size_t n = 0;

	assert_int_equal(strata_status(&m, &n, ctx, 0), 0);
	assert_int_equal(n, 1);
	assert_int_equal(m[0].state, STRATA_STATE_APPLIED);
}

static void test_reuse__taken_when_the_driver_accepts(void **state)
{
	strata_ctx *from = connected(), *ctx = fresh(), *other;
	int before;

	(void)state;
	reuse_rc = 0;
	reuses = 0;
	before = connects;
	assert_int_equal(strata_ctx_reuse_connection(ctx, from), 1);
	assert_int_equal(reuses, 1);
	assert_string_equal(seen_old, url);
	assert_string_equal(seen_new, url);
	/* the next context works on it, without connecting */
	check_status(ctx);
	assert_int_equal(connects, before);
	/* from has none left to give */
	other = fresh();
	assert_int_equal(strata_ctx_reuse_connection(other, from), 0);
	assert_int_equal(reuses, 1);
	strata_ctx_free(other);
	strata_ctx_free(from);
	strata_ctx_free(ctx);
}

static void test_reuse__not_offered_where_the_schema_cannot_be(void **state)
{
	strata_ctx *from = connected(), *ctx;
	strata_options o = { 0 };

	(void)state;
	o.database_url = url;
	o.migrations_dir = mdir;
	o.schema = "tenant_b";
	assert_int_equal(strata_ctx_new(&ctx, &o), 0);
	reuse_rc = 0;
	reuses = 0;
	/* SQLite has no schemas: a context with one is not offered the
	 * connection (its own connect refuses it, as always) */
	assert_int_equal(strata_ctx_reuse_connection(ctx, from), 0);
	assert_int_equal(reuses, 0);
	strata_ctx_free(ctx);
	strata_ctx_free(from);
}

static void test_reuse__refused_the_next_connects_anew(void **state)
{
	strata_ctx *from = connected(), *ctx = fresh(), *other;
	int before;

	(void)state;
	reuse_rc = STRATA_ENOTSUPP;
	reuses = 0;
	before = connects;
	assert_int_equal(strata_ctx_reuse_connection(ctx, from), 0);
	assert_int_equal(reuses, 1);
	/* no error is left on ctx, which connects as usual */
	assert_int_equal(strata_error_last(ctx)->code, 0);
	check_status(ctx);
	assert_int_equal(connects, before + 1);
	/* the connection the driver could not reset was closed */
	other = fresh();
	assert_int_equal(strata_ctx_reuse_connection(other, from), 0);
	assert_int_equal(reuses, 1);
	strata_ctx_free(other);
	strata_ctx_free(from);
	strata_ctx_free(ctx);
}

static void test_reuse__another_driver_is_not_offered(void **state)
{
	strata_options o = { 0 };
	strata_ctx *from = connected(), *ctx = NULL;
	char sqlite_url[140];

	(void)state;
	snprintf(sqlite_url, sizeof(sqlite_url), "sqlite:%s/db", dir);
	o.database_url = sqlite_url;
	o.migrations_dir = mdir;
	assert_int_equal(strata_ctx_new(&ctx, &o), 0);
	reuse_rc = 0;
	reuses = 0;
	assert_int_equal(strata_ctx_reuse_connection(ctx, from), 0);
	assert_int_equal(reuses, 0);
	check_status(ctx);
	strata_ctx_free(ctx);
	strata_ctx_free(from);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reuse__taken_when_the_driver_accepts),
		cmocka_unit_test(
		        test_reuse__not_offered_where_the_schema_cannot_be),
		cmocka_unit_test(test_reuse__refused_the_next_connects_anew),
		cmocka_unit_test(test_reuse__another_driver_is_not_offered),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
