/*
 * Allocation failure (issue 7): a full cycle of the library (status,
 * validate, up, history, redo, down, up N, force, repair) against a SQLite
 * file, with the k-th allocation made through strata_set_allocator()
 * failing, for every k until a cycle gets through. Each failing cycle must
 * return an error code (STRATA_ENOMEM) instead of crashing, free every
 * allocation it made, and leave the database consistent: each migration
 * whole or not at all (the no-transaction one may be marked dirty), and a
 * normal run afterwards completes. Run once failing only the k-th
 * allocation, once failing every allocation from the k-th on. Then drift
 * the same way, with its in-memory scratch database, and lint (every
 * dialect, on the folder and on a file of findings).
 * SQLite's and OpenSSL's own allocations do not go through the hook.
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

#include <sqlite3.h>

#include "strata/strata.h"

/* --- the allocator: counts, fails, and tracks what is still allocated --- */

static long n_allocs;  /* allocations attempted in this cycle */
static long fail_at;   /* 0: none fails */
static int fail_after; /* 1: every allocation from fail_at on fails */
static long live;      /* allocated and not yet freed */
static long n_failed;  /* allocations refused in this cycle */

static int refuse(void)
{
	n_allocs++;
	if (fail_at &&
	    (n_allocs == fail_at || (fail_after && n_allocs > fail_at))) {
		n_failed++;
		return 1;
	}
	return 0;
}

static void *t_malloc(size_t n)
{
	void *p;

	if (refuse())
		return NULL;
	p = malloc(n);
	if (p)
		live++;
	return p;
}

static void *t_realloc(void *p, size_t n)
{
	void *q;

	if (refuse())
		return NULL;
	q = realloc(p, n);
	if (q && !p)
		live++;
	return q;
}

static void t_free(void *p)
{
	if (p)
		live--;
	free(p);
}

/* --- a project on disk ---------------------------------------------------- */

static char dir[128], mdir[160], db[160], url[200], cwd[4096];

static void put(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", mdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	/* tmpfs when there is one: thousands of cycles, each with commits */
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

	(void)state;
	if (!getcwd(cwd, sizeof(cwd)))
		return -1;
	snprintf(dir, sizeof(dir), "%s/strata-oom.XXXXXX", base);
	if (!mkdtemp(dir))
		return -1;
	snprintf(mdir, sizeof(mdir), "%s/migrations", dir);
	/* a cache of this test's own, removed with the folder */
	snprintf(db, sizeof(db), "%s/cache", dir);
	if (setenv("XDG_CACHE_HOME", db, 1) < 0)
		return -1;
	snprintf(db, sizeof(db), "%s/oom.db", dir);
	snprintf(url, sizeof(url), "sqlite:%s", db);
	if (mkdir(mdir, 0700) < 0 || chdir(dir) < 0)
		return -1;
	put("0001_a.up.sql",
	    "CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT);\n"
	    "INSERT INTO a (id, v) VALUES (1, 'x');\n");
	put("0001_a.down.sql", "DROP TABLE a;\n");
	put("0002_b.sql", "-- migrate:up\nCREATE TABLE b (id INTEGER);\n"
	                  "CREATE INDEX b_id ON b (id);\n"
	                  "-- migrate:down\nDROP TABLE b;\n");
	put("0003_c.up.sql", "-- strata:no-transaction\n"
	                     "CREATE TABLE c (id INTEGER);\n"
	                     "INSERT INTO c (id) VALUES (3);\n");
	put("0003_c.down.sql", "DROP TABLE c;\n");
	put("0004_d.up.sql", "CREATE TABLE d (id INTEGER);\n");
	put("0004_d.down.sql", "DROP TABLE d;\n");
	put("R__view.sql", "DROP VIEW IF EXISTS v_a;\n"
	                   "CREATE VIEW v_a AS SELECT id FROM a;\n");
	return 0;
}

static int teardown(void **state)
{
	char cmd[200];

	(void)state;
	if (chdir(cwd) < 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void reset_db(void)
{
	char p[200];

	unlink(db);
	snprintf(p, sizeof(p), "%s-journal", db);
	unlink(p);
}

/* --- the database, checked with SQLite directly ------------------------- */

static int query_int(sqlite3 *h, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int v = -1;

	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/*
 * Each migration is applied whole (its history row, its table) or not at
 * all; 3 (no transaction) may be dirty instead. @return the version of a
 * dirty row, or 0
 */
static int check_consistent(long k)
{
	static const char *const tables[] = { "a", "b", "c", "d" };
	char sql[200], what[64];
	sqlite3 *h = NULL;
	int i, has_hist, dirty = 0;
	struct stat st;

	if (stat(db, &st) < 0)
		return 0; /* never created */
	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL),
	                 SQLITE_OK);
	{
		sqlite3_stmt *s = NULL;

		assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA integrity_check",
		                                    -1, &s, NULL),
		                 SQLITE_OK);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(s, 0),
		                    "ok");
		sqlite3_finalize(s);
	}
	has_hist = query_int(h, "SELECT count(*) FROM sqlite_master WHERE "
	                        "name = 'schema_migrations'");
	for (i = 0; i < 4; i++) {
		int row = -1, tab;

		snprintf(sql, sizeof(sql),
		         "SELECT count(*) FROM sqlite_master WHERE type = "
		         "'table' AND name = '%s'",
		         tables[i]);
		tab = query_int(h, sql);
		if (has_hist) {
			snprintf(sql, sizeof(sql),
			         "SELECT coalesce(max(dirty), -1) FROM "
			         "schema_migrations WHERE version = '%d'",
			         i + 1);
			row = query_int(h, sql);
		}
		snprintf(what, sizeof(what), "k=%ld migration %d", k, i + 1);
		if (row > 0) {
			/* dirty: only the no-transaction migration */
			if (i + 1 != 3)
				fail_msg("%s: dirty but transactional", what);
			dirty = 3;
			continue;
		}
		if ((row == 0) != (tab == 1))
			fail_msg("%s: history row %d, table %d: not whole",
			         what, row, tab);
	}
	sqlite3_close(h);
	return dirty;
}

/* History rows of applied migrations (the repeatable included). */
static int count_applied(void)
{
	sqlite3 *h = NULL;
	int n;

	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL),
	                 SQLITE_OK);
	n = query_int(h, "SELECT count(*) FROM schema_migrations WHERE "
	                 "dirty = 0");
	sqlite3_close(h);
	return n;
}

/* --- the cycle -------------------------------------------------------------
 */

/* Every step, in order; stops at the first failure and returns it. */
static int cycle(int *step)
{
	strata_options o;
	strata_run_options ro;
	strata_ctx *ctx = NULL;
	const strata_migration *m;
	const strata_problem *p;
	const strata_history_entry *h;
	size_t n, done;
	int rc;

	memset(&o, 0, sizeof(o));
	o.database_url = url;
	o.migrations_dir = mdir;
	*step = 0;
	rc = strata_ctx_new(&ctx, &o);
	if (rc < 0) {
		assert_null(ctx);
		return rc;
	}
	memset(&ro, 0, sizeof(ro));
	ro.no_backup = 1; /* down and redo would write backups/ here */
#define STEP(call) \
 do {              \
  ++*step;         \
  rc = (call);     \
  if (rc < 0)      \
   goto done;      \
 } while (0)
	STEP(strata_status(&m, &n, ctx, 1));
	STEP(strata_status(&m, &n, ctx, 0));
	STEP(strata_validate(&p, &n, ctx, 0));
	ro.dry_run = 1;
	STEP(strata_up(ctx, &ro, &done));
	ro.dry_run = 0;
	STEP(strata_up(ctx, &ro, &done));
	STEP(strata_status(&m, &n, ctx, 0));
	STEP(strata_history(&h, &n, ctx));
	STEP(strata_redo(ctx, &ro));
	ro.all = 1;
	STEP(strata_down(ctx, &ro, &done));
	ro.all = 0;
	STEP(strata_force(ctx, 0));
	ro.count = 2;
	STEP(strata_up(ctx, &ro, &done));
	STEP(strata_repair(ctx, 0, &n));
	ro.count = 0;
	STEP(strata_up(ctx, &ro, &done));
#undef STEP
done:
	if (rc < 0) {
		/* the error detail is readable and consistent */
		const strata_error *e = strata_error_last(ctx);

		assert_non_null(e->message);
		assert_non_null(e->detail);
		assert_non_null(e->file);
		assert_int_equal(e->code, rc);
	}
	strata_ctx_free(ctx);
	return rc;
}

/* After a failed cycle, with the normal allocator: recover as documented
 * (a dirty no-transaction migration: fix by hand, force back) and apply
 * everything. */
static void recover(long k, int dirty)
{
	strata_options o;
	strata_ctx *ctx;
	size_t done;
	int rc;

	memset(&o, 0, sizeof(o));
	o.database_url = url;
	o.migrations_dir = mdir;
	assert_int_equal(strata_ctx_new(&ctx, &o), 0);
	if (dirty) {
		char prev[24];
		sqlite3 *h;

		assert_int_equal(strata_up(ctx, NULL, &done), STRATA_ESTATE);
		assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
		sqlite3_exec(h, "DROP TABLE IF EXISTS c", NULL, NULL, NULL);
		sqlite3_close(h);
		snprintf(prev, sizeof(prev), "%d", dirty - 1);
		assert_int_equal(strata_force(ctx, prev), 0);
	}
	rc = strata_up(ctx, NULL, &done);
	if (rc < 0)
		fail_msg("k=%ld: recovery failed: %s", k,
		         strata_error_last(ctx)->message);
	strata_ctx_free(ctx);
	assert_int_equal(check_consistent(k), 0);
}

/* Every k from 1 until a cycle gets through. */
static void sweep(int after)
{
	long k, total;
	int step, rc;

	/* count the allocations of a whole cycle */
	reset_db();
	strata_set_allocator(t_malloc, t_realloc, t_free);
	fail_at = 0;
	n_allocs = live = 0;
	assert_int_equal(cycle(&step), 0);
	assert_int_equal(live, 0);
	total = n_allocs;
	assert_true(total > 100);
	for (k = 1;; k++) {
		reset_db();
		fail_at = k;
		fail_after = after;
		n_allocs = live = n_failed = 0;
		rc = cycle(&step);
		if (live != 0)
			fail_msg("k=%ld (step %d): %ld allocations leaked", k,
			         step, live);
		if (n_failed == 0) {
			/* past the last allocation: the cycle got through */
			assert_int_equal(rc, 0);
			break;
		}
		if (rc == 0) {
			/* a failure absorbed on the way (an event's text):
			 * the cycle must still have done everything */
			assert_int_equal(check_consistent(k), 0);
			assert_int_equal(count_applied(), 5);
		} else if (rc != STRATA_ENOMEM) {
			fail_msg("k=%ld (step %d): returned %d (%s), not "
			         "STRATA_ENOMEM",
			         k, step, rc, strata_strerror(rc));
		}
		strata_set_allocator(NULL, NULL, NULL);
		recover(k, check_consistent(k));
		strata_set_allocator(t_malloc, t_realloc, t_free);
	}
	strata_set_allocator(NULL, NULL, NULL);
	/* no_backup was asked for: down and redo wrote no backups/ (the
	 * test runs in its folder) */
	assert_int_equal(access("backups", F_OK), -1);
	print_message("%s: %ld allocations per cycle, k = 1..%ld\n",
	              after ? "from k on" : "k-th only", total, k);
	assert_true(k > total);
}

static void test_oom__kth_allocation_fails(void **state)
{
	(void)state;
	sweep(0);
}

static void test_oom__every_allocation_from_k_fails(void **state)
{
	(void)state;
	sweep(1);
}

/* strata drift of the database a normal run migrated, against an
 * in-memory scratch database: ENOMEM or a whole report (no drift), every
 * allocation freed either way. */
static int drift_once(size_t *n_drift)
{
	strata_options o;
	strata_ctx *ctx = NULL;
	strata_drift_report *r = NULL;
	int rc;

	memset(&o, 0, sizeof(o));
	o.database_url = url;
	o.migrations_dir = mdir;
	rc = strata_ctx_new(&ctx, &o);
	if (rc < 0)
		return rc;
	rc = strata_drift(&r, ctx, NULL);
	if (rc == 0) {
		assert_non_null(r);
		*n_drift = r->n;
	} else {
		assert_null(r);
		assert_int_equal(strata_error_last(ctx)->code, rc);
	}
	strata_drift_free(r);
	strata_ctx_free(ctx);
	return rc;
}

static void drift_sweep(int after)
{
	strata_ctx *ctx;
	strata_options o;
	size_t done, n_drift = 0;
	long k;
	int rc;

	reset_db();
	memset(&o, 0, sizeof(o));
	o.database_url = url;
	o.migrations_dir = mdir;
	assert_int_equal(strata_ctx_new(&ctx, &o), 0);
	assert_int_equal(strata_up(ctx, NULL, &done), 0);
	strata_ctx_free(ctx);
	strata_set_allocator(t_malloc, t_realloc, t_free);
	for (k = 1;; k++) {
		fail_at = k;
		fail_after = after;
		n_allocs = live = n_failed = 0;
		n_drift = 99;
		rc = drift_once(&n_drift);
		if (live != 0)
			fail_msg("drift k=%ld: %ld allocations leaked", k,
			         live);
		if (rc == 0)
			assert_int_equal(n_drift, 0);
		else if (rc != STRATA_ENOMEM)
			fail_msg("drift k=%ld: returned %d (%s), not "
			         "STRATA_ENOMEM",
			         k, rc, strata_strerror(rc));
		if (n_failed == 0)
			break;
	}
	strata_set_allocator(NULL, NULL, NULL);
	assert_int_equal(rc, 0);
	print_message("drift, %s: k = 1..%ld\n",
	              after ? "from k on" : "k-th only", k);
}

static void test_oom__drift(void **state)
{
	(void)state;
	drift_sweep(0);
	drift_sweep(1);
}

/* strata lint of the folder and of lint.sql, offline, as dialect:
 * ENOMEM, or every finding (*n), every allocation freed either way. */
static int lint_once(const char *dialect, size_t *n)
{
	static const char *const files[] = { "lint.sql" };
	const strata_lint_finding *f;
	strata_lint_options lo;
	strata_options o;
	strata_ctx *ctx = NULL;
	size_t n1 = 0;
	int rc;

	memset(&o, 0, sizeof(o));
	o.database_url = url;
	o.migrations_dir = mdir;
	rc = strata_ctx_new(&ctx, &o);
	if (rc < 0)
		return rc;
	memset(&lo, 0, sizeof(lo));
	lo.offline = 1;
	lo.all = 1;
	lo.dialect = dialect;
	rc = strata_lint(&f, &n1, ctx, &lo);
	if (rc == 0) {
		lo.all = 0;
		lo.files = files;
		lo.n_files = 1;
		rc = strata_lint(&f, n, ctx, &lo);
		*n += n1;
	}
	if (rc < 0)
		assert_int_equal(strata_error_last(ctx)->code, rc);
	strata_ctx_free(ctx);
	return rc;
}

static void lint_sweep(const char *dialect, int after)
{
	size_t n = 0, want = 0;
	long k;
	int rc;

	assert_int_equal(lint_once(dialect, &want), 0);
	assert_true(want >= 5);
	strata_set_allocator(t_malloc, t_realloc, t_free);
	for (k = 1;; k++) {
		fail_at = k;
		fail_after = after;
		n_allocs = live = n_failed = 0;
		n = 0;
		rc = lint_once(dialect, &n);
		if (live != 0)
			fail_msg("lint %s k=%ld: %ld allocations leaked",
			         dialect, k, live);
		if (rc == 0 && n != want)
			fail_msg("lint %s k=%ld: %zu findings, not %zu",
			         dialect, k, n, want);
		else if (rc != 0 && rc != STRATA_ENOMEM)
			fail_msg("lint %s k=%ld: returned %d (%s), not "
			         "STRATA_ENOMEM",
			         dialect, k, rc, strata_strerror(rc));
		if (n_failed == 0)
			break;
	}
	strata_set_allocator(NULL, NULL, NULL);
	assert_int_equal(rc, 0);
	print_message("lint %s, %s: k = 1..%ld\n", dialect,
	              after ? "from k on" : "k-th only", k);
}

static void test_oom__lint(void **state)
{
	static const char *const dialects[] = { "postgres", "mysql", "sqlite" };
	FILE *f = fopen("lint.sql", "w");
	size_t i;

	(void)state;
	assert_non_null(f);
	fputs("ALTER TABLE a DROP COLUMN v;\n"
	      "-- strata:lint-ignore ban-drop-table gone since 0003\n"
	      "DROP TABLE a;\n"
	      "CREATE TABLE n (id int, c char(2));\n"
	      "ALTER TABLE n RENAME TO m;\n"
	      "ALTER TABLE m DROP COLUMN id;\n"
	      "TRUNCATE TABLE d;\n"
	      "DROP DATABASE x;\n",
	      f);
	fclose(f);
	for (i = 0; i < sizeof(dialects) / sizeof(dialects[0]); i++) {
		lint_sweep(dialects[i], 0);
		lint_sweep(dialects[i], 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_oom__kth_allocation_fails,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(
		        test_oom__every_allocation_from_k_fails, setup,
		        teardown),
		cmocka_unit_test_setup_teardown(test_oom__drift, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_oom__lint, setup,
		                                teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
