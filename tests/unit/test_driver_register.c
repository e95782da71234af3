/*
 * strata_driver_register and strata_driver_check: a driver built for an
 * older layout of struct strata_driver is refused with a message and
 * never read; one built for this layout is found by its URL scheme and
 * runs migrations; a missing required member, or one without the member
 * it goes with, is refused by name.
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

static const char *const fake_schemes[] = { "fakelite", NULL };
static int fake_connects;

/* The SQLite driver under another scheme: its URL as sqlite's. */
static int fake_connect(struct strata_driver_conn *c,
                        const struct strata_connect_params *p)
{
	struct strata_connect_params q = *p;
	char url[300];

	fake_connects++;
	snprintf(url, sizeof(url), "sqlite:%s", p->url + strlen("fakelite:"));
	q.url = url;
	return strata__driver_sqlite.connect(c, &q);
}

static int fake_waits[4];

/* A lock wait a SQLite connection can run: the timeout asked, as a
 * query's value, counted. */
static int fake_lock_wait_sql(struct strata_driver_conn *c, strata_buf *out,
                              int timeout_ms, int local)
{
	(void)c;
	fake_waits[timeout_ms > 0 ? local : 2 + local]++;
	return strata__buf_printf(out, "SELECT %d", timeout_ms);
}

static int fake_lock_wait_gave_up(const char *sqlstate, int native_code)
{
	(void)sqlstate;
	return native_code == 12345;
}

/* A good driver of this layout, with the members that read the URL left
 * out (they are optional). */
static struct strata_driver fake(void)
{
	struct strata_driver d = strata__driver_sqlite;

	d.name = "fakelite";
	d.schemes = fake_schemes;
	d.connect = fake_connect;
	d.state_key = NULL;
	d.backup = NULL;
	d.restore = NULL;
	d.backup_extension = NULL;
	d.restore_check = NULL;
	return d;
}

static void test_driver_register__builtins_pass_the_check(void **state)
{
	char why[200];

	(void)state;
	assert_int_equal(strata_driver_check(&strata__driver_sqlite, why,
	                                     sizeof(why)),
	                 0);
	assert_string_equal(why, "");
#if STRATA_HAVE_POSTGRES
	assert_int_equal(strata_driver_check(&strata__driver_postgres, why,
	                                     sizeof(why)),
	                 0);
#endif
#if STRATA_HAVE_MYSQL
	assert_int_equal(strata_driver_check(&strata__driver_mysql, why,
	                                     sizeof(why)),
	                 0);
#endif
}

static void test_driver_register__old_version_refused(void **state)
{
	static const char *const old_schemes[] = { "oldlite", NULL };
	static struct strata_driver old;
	char why[300], want[200];

	(void)state;
	old = fake();
	old.version = 1;
	old.name = "oldlite";
	old.schemes = old_schemes;
	assert_int_equal(strata_driver_check(&old, why, sizeof(why)),
	                 STRATA_EINVALID);
	snprintf(want, sizeof(want),
	         "driver 'oldlite' was built for driver interface version 1; "
	         "this strata reads version %d only",
	         STRATA_DRIVER_VERSION);
	assert_non_null(strstr(why, want));
	assert_int_equal(strata_driver_register(&old), STRATA_EINVALID);
	assert_null(strata__driver_find("oldlite"));
	/* the layout just before this one (8: without lock_wait_sql,
	 * lock_wait_gave_up, invalid_indexes, drop_index_sql,
	 * dump_local_sql, scratch_url and same_database at the end) is
	 * refused the same way: its struct is shorter than this one */
	assert_int_equal(STRATA_DRIVER_VERSION, 9);
	old.version = 8;
	assert_int_equal(strata_driver_check(&old, why, sizeof(why)),
	                 STRATA_EINVALID);
	assert_non_null(strstr(why, "built for driver interface version 8; "
	                            "this strata reads version 9 only"));
	assert_int_equal(strata_driver_register(&old), STRATA_EINVALID);
	assert_null(strata__driver_find("oldlite"));
	/* a newer one is no better */
	old.version = STRATA_DRIVER_VERSION + 1;
	assert_int_equal(strata_driver_register(&old), STRATA_EINVALID);
	assert_null(strata__driver_find("oldlite"));
}

static void test_driver_register__missing_required_named(void **state)
{
	struct strata_driver d;
	char why[200];

	(void)state;
	d = fake();
	d.split = NULL;
	assert_int_equal(strata_driver_check(&d, why, sizeof(why)),
	                 STRATA_EINVALID);
	assert_string_equal(why, "driver 'fakelite' has no split, which is "
	                         "required");
	assert_int_equal(strata_driver_register(&d), STRATA_EINVALID);

	d = fake();
	d.timestamp_type = NULL;
	assert_int_equal(strata_driver_check(&d, why, sizeof(why)),
	                 STRATA_EINVALID);
	assert_string_equal(why, "driver 'fakelite' has no timestamp_type, "
	                         "which is required");

	d = fake();
	d.caps |= STRATA_DRIVER_CAP_LOCK;
	assert_int_equal(strata_driver_check(&d, why, sizeof(why)),
	                 STRATA_EINVALID);
	assert_string_equal(why, "driver 'fakelite' has CAP_LOCK and no lock");

	d = fake();
	d.delimiter_reset = "DELIMITER ;\n";
	assert_int_equal(strata_driver_check(&d, why, sizeof(why)),
	                 STRATA_EINVALID);
	assert_string_equal(why, "driver 'fakelite' has delimiter_reset and "
	                         "no delimiters, which goes with it");

	/* the lock-safe DDL members go together, and so do the INVALID
	 * index ones */
	d = fake();
	d.lock_wait_sql = fake_lock_wait_sql;
	assert_int_equal(strata_driver_check(&d, why, sizeof(why)),
	                 STRATA_EINVALID);
	assert_string_equal(why, "driver 'fakelite' has lock_wait_sql and "
	                         "no lock_wait_gave_up, which goes with it");

	d = fake();
	d.drop_index_sql = "DROP INDEX ";
	assert_int_equal(strata_driver_check(&d, why, sizeof(why)),
	                 STRATA_EINVALID);
	assert_string_equal(why, "driver 'fakelite' has drop_index_sql and "
	                         "no invalid_indexes, which goes with it");

	d = fake();
	d.conn_size = 1;
	assert_int_equal(strata_driver_check(&d, why, sizeof(why)),
	                 STRATA_EINVALID);
	assert_non_null(strstr(why, "conn_size 1"));

	/* the message is cut to the buffer, NUL included */
	d = fake();
	d.exec = NULL;
	assert_int_equal(strata_driver_check(&d, why, 10), STRATA_EINVALID);
	assert_string_equal(why, "driver 'f");
	assert_int_equal(strata_driver_check(NULL, NULL, 0), STRATA_EINVALID);
	assert_null(strata__driver_find("fakelite"));
}

static void test_driver_register__new_version_usable(void **state)
{
	static struct strata_driver d;
	char dir[] = "/tmp/strata-drvreg-XXXXXX", mdir[80], path[120];
	char url[120];
	strata_options o = { 0 };
	strata_run_options ro = { 0 };
	const strata_migration *m;
	strata_ctx *ctx = NULL;
	size_t n = 0, done = 0;
	FILE *f;

	(void)state;
	d = fake();
	assert_int_equal(strata_driver_register(&d), 0);
	assert_ptr_equal(strata__driver_find("fakelite"), &d);
	/* its name is a database type, first, and its scheme picks it */
	assert_string_equal(strata_database_type(0), "fakelite");
	assert_string_equal(strata_url_database_type("FakeLite:x.db"),
	                    "fakelite");

	assert_non_null(mkdtemp(dir));
	/* a cache of this test's own */
	snprintf(path, sizeof(path), "%s/cache", dir);
	assert_int_equal(setenv("XDG_CACHE_HOME", path, 1), 0);
	snprintf(mdir, sizeof(mdir), "%s/m", dir);
	assert_int_equal(mkdir(mdir, 0700), 0);
	snprintf(path, sizeof(path), "%s/1_t.up.sql", mdir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("CREATE TABLE t (id INTEGER);\n", f);
	fclose(f);
	snprintf(url, sizeof(url), "fakelite:%s/db", dir);

	o.database_url = url;
	o.migrations_dir = mdir;
	assert_int_equal(strata_ctx_new(&ctx, &o), 0);
	assert_int_equal(strata_up(ctx, &ro, &done), 0);
	assert_int_equal(done, 1);
	assert_true(fake_connects > 0);
	strata_ctx_free(ctx);

	/* the history it wrote is read back through the same driver */
	assert_int_equal(strata_ctx_new(&ctx, &o), 0);
	assert_int_equal(strata_status(&m, &n, ctx, 0), 0);
	assert_int_equal(n, 1);
	assert_int_equal(m[0].state, STRATA_STATE_APPLIED);
	strata_ctx_free(ctx);

	unlink(path);
	rmdir(mdir);
	snprintf(path, sizeof(path), "%s/db", dir);
	unlink(path);
	rmdir(dir);
}

/* Up of one migration with a lock-timeout directive through the driver
 * of scheme; its code, and the error's message in msg. */
static int up_with_lock_timeout(const char *scheme, char *msg, size_t size)
{
	char dir[] = "/tmp/strata-drvwait-XXXXXX", mdir[80], path[120];
	char url[200], dbpath[120];
	strata_options o = { 0 };
	strata_run_options ro = { 0 };
	strata_ctx *ctx = NULL;
	size_t done = 0;
	FILE *f;
	int rc;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/cache", dir);
	assert_int_equal(setenv("XDG_CACHE_HOME", path, 1), 0);
	snprintf(mdir, sizeof(mdir), "%s/m", dir);
	assert_int_equal(mkdir(mdir, 0700), 0);
	snprintf(path, sizeof(path), "%s/1_t.up.sql", mdir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("-- strata:lock-timeout 2s retries=1\n"
	      "CREATE TABLE t (id INTEGER);\n",
	      f);
	fclose(f);
	snprintf(dbpath, sizeof(dbpath), "%s/db", dir);
	snprintf(url, sizeof(url), "%s:%s", scheme, dbpath);
	o.database_url = url;
	o.migrations_dir = mdir;
	assert_int_equal(strata_ctx_new(&ctx, &o), 0);
	rc = strata_up(ctx, &ro, &done);
	snprintf(msg, size, "%s",
	         rc < 0 ? strata_error_last(ctx)->message : "");
	strata_ctx_free(ctx);
	unlink(path);
	rmdir(mdir);
	unlink(dbpath);
	rmdir(dir);
	return rc;
}

/* The engine asks the driver's vtable, never its name, whether a
 * migration's statements can be given a lock timeout and how. */
static void test_driver_register__lock_wait_from_the_vtable(void **state)
{
	static const char *const wait_schemes[] = { "waitlite", NULL };
	static struct strata_driver d;
	char msg[400];

	(void)state;
	d = fake();
	d.name = "waitlite";
	d.schemes = wait_schemes;
	d.lock_wait_sql = fake_lock_wait_sql;
	d.lock_wait_gave_up = fake_lock_wait_gave_up;
	assert_int_equal(strata_driver_register(&d), 0);
	memset(fake_waits, 0, sizeof(fake_waits));
	assert_int_equal(up_with_lock_timeout("waitlite", msg, sizeof(msg)), 0);
	/* set once for the migration's own transaction, never for the
	 * session */
	assert_int_equal(fake_waits[1], 1);
	assert_int_equal(fake_waits[0], 0);
	assert_int_equal(fake_waits[2] + fake_waits[3], 0);

	/* the same driver without them: refused before anything runs */
	memset(fake_waits, 0, sizeof(fake_waits));
	assert_int_equal(up_with_lock_timeout("fakelite", msg, sizeof(msg)),
	                 STRATA_EINVALID);
	assert_string_equal(msg, "strata:lock-timeout: fakelite has no lock "
	                         "timeout for a migration's statements "
	                         "(strata holds its write lock for the whole "
	                         "migration): remove the directive");
	assert_int_equal(fake_waits[0] + fake_waits[1], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_driver_register__builtins_pass_the_check),
		cmocka_unit_test(test_driver_register__old_version_refused),
		cmocka_unit_test(test_driver_register__missing_required_named),
		cmocka_unit_test(test_driver_register__new_version_usable),
		cmocka_unit_test(
		        test_driver_register__lock_wait_from_the_vtable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
