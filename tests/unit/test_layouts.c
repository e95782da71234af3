/*
 * Unit tests of the other tools' formats read as those tools read them:
 * sql-migrate's markers, sqlx's -- no-transaction, goose's ENVSUB
 * substitution, Flyway's placeholders and refused files (callbacks,
 * script configuration), Prisma's and Diesel's migration folders and
 * Diesel's metadata.toml, one layout per folder, and the hints that name
 * the file a missing down part goes in.
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
#include "lib/source.h"

static strata_ctx *ctx;

static const char *const placeholders[] = { "Schema=app", "empty=", NULL };

static int setup(void **state)
{
	strata_options o;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.database_url = "sqlite::memory:";
	o.migrations_dir = "migrations";
	o.placeholders = placeholders;
	if (strata_ctx_new(&ctx, &o) < 0)
		return -1;
	return strata__driver_resolve(ctx) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	strata__source_release(&ctx->source);
	strata_ctx_free(ctx);
	return 0;
}

/* An in-memory migration: a single file of the format, or an up file
 * (and a down file). */
struct mig {
	struct migration m;
	int rc, line;
	char message[512];
};

static void load(struct mig *t, const char *format, int single,
                 const char *path, const char *up, const char *down)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->m.version, "1", 2);
	t->m.version_text = strata__strdup("1");
	t->m.name = strata__strdup("x");
	t->m.kind = STRATA_KIND_VERSIONED;
	t->m.format = format;
	t->m.single_file = single;
	t->m.up_path = strata__strdup(path);
	t->m.text = strata__strdup(up);
	t->m.text_len = strlen(up);
	if (down) {
		t->m.down_path = strata__strdup("migrations/U1__x.sql");
		t->m.down_text = strata__strdup(down);
		t->m.down_text_len = strlen(down);
	}
	strata__error_clear(ctx);
	t->rc = strata__sections_parse(ctx, &t->m);
	t->m.loaded = t->rc == 0;
	t->line = strata_error_last(ctx)->line;
	snprintf(t->message, sizeof(t->message), "%s",
	         strata_error_last(ctx)->message);
}

static void expand(struct mig *t, int down)
{
	strata__error_clear(ctx);
	t->rc = strata__migration_expand(ctx, &t->m, down);
	t->line = strata_error_last(ctx)->line;
	snprintf(t->message, sizeof(t->message), "%s",
	         strata_error_last(ctx)->message);
	if (getenv("TEST_DEBUG"))
		fprintf(stderr, "expand: %d %d %s\n", t->rc, t->line,
		        t->message);
}

static void release(struct mig *t)
{
	strata__free(t->m.version_text);
	strata__free(t->m.name);
	strata__free(t->m.text);
	strata__free(t->m.down_text);
	strata__free(t->m.up_path);
	strata__free(t->m.down_path);
}

/* The part's text, as a new string (free it). */
static char *part_text(const struct mig *t, int down)
{
	const struct part *p = down ? &t->m.down : &t->m.up;
	const char *base = down && !t->m.single_file ? t->m.down_text :
	                                               t->m.text;

	return strata__strndup(base + p->off, p->len);
}

static void expect_part(const struct mig *t, int down, const char *want)
{
	char *got = part_text(t, down);

	if (strcmp(got, want) != 0)
		fail_msg("%s part: expected '%s', got '%s'",
		         down ? "down" : "up", want, got);
	strata__free(got);
}

static void expect_error(const struct mig *t, int line, const char *what)
{
	if (t->rc != STRATA_EPARSE)
		fail_msg("expected an error '%s', got rc %d", what, t->rc);
	if (!strstr(t->message, what))
		fail_msg("expected '%s' in '%s'", what, t->message);
	assert_int_equal(t->line, line);
}

static void single(struct mig *t, const char *text)
{
	load(t, "strata", 1, "migrations/0001_x.sql", text, NULL);
}

static void test_layouts__sqlmigrate_markers(void **state)
{
	struct mig t;

	(void)state;
	single(&t, "-- +migrate Up notransaction\nCREATE TABLE a (id INT);\n"
	           "-- +migrate StatementBegin\nCREATE FUNCTION f() ...;\n"
	           "-- +migrate StatementEnd\n"
	           "-- +migrate Down\nDROP TABLE a;\n");
	assert_int_equal(t.rc, 0);
	assert_string_equal(t.m.format, "sql-migrate");
	assert_true(t.m.up.no_transaction);
	assert_false(t.m.down.no_transaction);
	expect_part(&t, 1, "DROP TABLE a;\n");
	release(&t);
	/* sql-migrate reads a Down section before the Up one */
	single(&t, "-- +migrate Down notransaction\nDROP TABLE a;\n\n"
	           "-- +migrate  Up\nCREATE TABLE a (id INT);\n");
	assert_int_equal(t.rc, 0);
	expect_part(&t, 0, "CREATE TABLE a (id INT);\n");
	expect_part(&t, 1, "DROP TABLE a;\n\n");
	assert_true(t.m.down.no_transaction);
	assert_false(t.m.up.no_transaction);
	release(&t);
}

static void test_layouts__sqlmigrate_near_misses(void **state)
{
	static const struct {
		const char *text;
		int line;
		const char *what;
	} bad[] = {
		{ "-- +migrate Up\nSELECT 1;\n-- +migrate down\nSELECT 2;\n", 3,
		  "in this case only: '-- +migrate Down'" },
		{ "--+migrate Up\nSELECT 1;\n", 1,
		  "unknown sql-migrate marker '--+migrate Up'" },
		{ "-- +Migrate Up\nSELECT 1;\n", 1, "unknown sql-migrate" },
		{ "  -- +migrate Up\nSELECT 1;\n", 1, "beginning of its line" },
		{ "-- +migrate Up notx\nSELECT 1;\n", 1,
		  "unknown sql-migrate option 'notx'" },
		{ "-- +migrate Sideways\nSELECT 1;\n", 1,
		  "unknown sql-migrate marker" },
		{ "-- +migrate\nSELECT 1;\n", 1, "without a command" },
		{ "-- + migrate Up\nSELECT 1;\n", 1, "unknown sql-migrate" },
		{ "-- migrate up\nSELECT 1;\n", 1, "unknown sql-migrate" },
		{ "-- +migrate Up\nSELECT 1;\n-- +migrate StatementBegin "
		  "notransaction\nSELECT 2;\n",
		  3, "unknown sql-migrate option" },
		/* files sql-migrate itself refuses, or half-reads */
		{ "-- +migrate Up\nSELECT 1;\n-- +migrate Up\nSELECT 2;\n", 3,
		  "a second '-- +migrate Up'" },
		{ "-- +migrate Up\n-- +migrate StatementBegin\nSELECT 1;\n", 2,
		  "StatementBegin without a StatementEnd" },
		{ "-- +migrate Up\nSELECT 1;\n-- +migrate StatementEnd\n", 3,
		  "StatementEnd without a StatementBegin" },
		{ "-- +migrate Up\n-- +migrate StatementBegin\nSELECT 1;\n"
		  "-- +migrate Down\n-- +migrate StatementEnd\n",
		  4, "inside a StatementBegin/StatementEnd block" },
		{ "SELECT 0;\n-- +migrate Up\nSELECT 1;\n", 1,
		  "belongs to no section" },
		{ "-- +migrate Up\nSELECT 1;\n-- +goose Down\nSELECT 2;\n", 3,
		  "goose marker '-- +goose Down' in a sql-migrate file" },
	};
	struct mig t;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		single(&t, bad[i].text);
		expect_error(&t, bad[i].line, bad[i].what);
		release(&t);
	}
	/* a pair file holds no sections of any tool */
	load(&t, "strata", 0, "migrations/0001_x.up.sql",
	     "-- +migrate Up\nSELECT 1;\n", NULL);
	expect_error(&t, 1, "in a file of an up/down pair");
	release(&t);
	/* sql-migrate's own names, <version>-<name>.sql, are its files */
	single(&t, "SELECT 1;\n");
	t.m.sqlm_name = 1;
	strata__error_clear(ctx);
	t.rc = strata__sections_parse(ctx, &t.m);
	assert_int_equal(t.rc, STRATA_EPARSE);
	assert_non_null(
	        strstr(strata_error_last(ctx)->message, "no '-- +migrate Up'"));
	release(&t);
}

static void test_layouts__sqlx_no_transaction(void **state)
{
	struct mig t;

	(void)state;
	single(&t,
	       "-- no-transaction\nCREATE INDEX CONCURRENTLY i ON a (x);\n");
	assert_int_equal(t.rc, 0);
	assert_true(t.m.up.no_transaction);
	release(&t);
	load(&t, "strata", 0, "migrations/0001_x.up.sql",
	     "-- no-transaction\nSELECT 1;\n", NULL);
	assert_int_equal(t.rc, 0);
	assert_true(t.m.up.no_transaction);
	release(&t);
	single(&t, "-- a comment\n-- no-transaction\nSELECT 1;\n");
	expect_error(&t, 2, "only as the very start of the file");
	release(&t);
	single(&t, "--no-transaction\nSELECT 1;\n");
	expect_error(&t, 1, "is not sqlx's directive");
	release(&t);
	single(&t, "-- No Transaction\nSELECT 1;\n");
	expect_error(&t, 1, "is not sqlx's directive");
	release(&t);
	single(&t, "-- no-transaction\n-- +goose Up\nSELECT 1;\n");
	expect_error(&t, 1, "-- +goose NO TRANSACTION");
	release(&t);
	/* prose is not a directive */
	single(&t, "-- no transaction is needed here\nSELECT 1;\n");
	assert_int_equal(t.rc, 0);
	assert_false(t.m.up.no_transaction);
	release(&t);
}

static void test_layouts__goose_envsub(void **state)
{
	struct mig t;
	char *up;

	(void)state;
	setenv("STRATA_T_TBL", "users", 1);
	setenv("STRATA_T_EMPTY", "", 1);
	unsetenv("STRATA_T_UNSET");
	load(&t, "goose", 1, "migrations/0001_x.sql",
	     "-- +goose Up\n"
	     "-- +goose ENVSUB ON\n"
	     "-- ${STRATA_T_TBL} in a leading comment stays\n"
	     "CREATE TABLE ${STRATA_T_TBL} (a TEXT DEFAULT "
	     "'$STRATA_T_TBL', b TEXT DEFAULT '${STRATA_T_UNSET:-d1}',\n"
	     "  -- ${STRATA_T_TBL} inside a statement changes\n"
	     "  c TEXT DEFAULT '${STRATA_T_EMPTY:-d2}${STRATA_T_EMPTY-d3}"
	     "${STRATA_T_UNSET-d4}',\n"
	     "  d TEXT DEFAULT '${STRATA_T_TBL:1:2}${STRATA_T_TBL: -2}"
	     "$$ \\$ \\\\ $(x)' -- 5$\n"
	     ");\n"
	     "-- +goose ENVSUB OFF\n"
	     "SELECT '${STRATA_T_TBL}';\n"
	     "-- +goose Down\n"
	     "-- +goose ENVSUB ON\n"
	     "DROP TABLE ${STRATA_T_TBL};\n",
	     NULL);
	assert_int_equal(t.rc, 0);
	expand(&t, 0);
	assert_int_equal(t.rc, 0);
	up = part_text(&t, 0);
	assert_string_equal(
	        up, "-- +goose ENVSUB ON\n"
	            "-- ${STRATA_T_TBL} in a leading comment stays\n"
	            "CREATE TABLE users (a TEXT DEFAULT 'users', b TEXT "
	            "DEFAULT 'd1',\n"
	            "  -- users inside a statement changes\n"
	            "  c TEXT DEFAULT 'd2d4',\n"
	            "  d TEXT DEFAULT 'sers$ $ \\\\ $(x)' -- 5$\n"
	            ");\n"
	            "-- +goose ENVSUB OFF\n"
	            "SELECT '${STRATA_T_TBL}';\n");
	strata__free(up);
	expect_part(&t, 1, "-- +goose ENVSUB ON\nDROP TABLE users;\n");
	/* once: the down part of the same text is substituted already */
	expand(&t, 1);
	assert_int_equal(t.rc, 0);
	expect_part(&t, 1, "-- +goose ENVSUB ON\nDROP TABLE users;\n");
	release(&t);
}

static void test_layouts__goose_envsub_errors(void **state)
{
	static const struct {
		const char *line;
		const char *what;
	} bad[] = {
		{ "DROP TABLE ${STRATA_T_UNSET?needs a table};",
		  "$STRATA_T_UNSET: needs a table" },
		{ "DROP TABLE ${STRATA_T_UNSET?};",
		  "$STRATA_T_UNSET: not set" },
		{ "SELECT $1;", "starting with a letter" },
		{ "SELECT ${1};", "starting with a letter" },
		{ "SELECT ${STRATA_T_TBL:x};", "expected a number" },
		{ "SELECT ${STRATA_T_TBL!};", "expected '}', ':-'" },
		{ "SELECT ${STRATA_T_TBL:-d;", "expected '}' to end" },
	};
	struct mig t;
	char text[300];
	size_t i;

	(void)state;
	setenv("STRATA_T_TBL", "users", 1);
	unsetenv("STRATA_T_UNSET");
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(text, sizeof(text),
		         "-- +goose Up\nSELECT 1;\n-- +goose Down\n"
		         "-- +goose ENVSUB ON\n%s\n",
		         bad[i].line);
		load(&t, "goose", 1, "migrations/0001_x.sql", text, NULL);
		assert_int_equal(t.rc, 0);
		expand(&t, 0);
		expect_error(&t, 5, bad[i].what);
		/* nothing changed: the text and its parts are as read */
		expect_part(&t, 0, "SELECT 1;\n");
		release(&t);
	}
}

static void test_layouts__flyway_placeholders(void **state)
{
	struct mig t;

	(void)state;
	load(&t, "flyway", 0, "migrations/V1__x.sql",
	     "-- for ${schema}\nCREATE TABLE ${SCHEMA}.t (a TEXT DEFAULT "
	     "'${flyway:filename}${empty}');\n-- end\n",
	     "DROP TABLE ${schema}.t;\n");
	assert_int_equal(t.rc, 0);
	expand(&t, 0);
	assert_int_equal(t.rc, 0);
	expect_part(&t, 0,
	            "-- for app\nCREATE TABLE app.t (a TEXT DEFAULT "
	            "'V1__x.sql');\n-- end\n");
	expand(&t, 1);
	assert_int_equal(t.rc, 0);
	expect_part(&t, 1, "DROP TABLE app.t;\n");
	release(&t);
	load(&t, "flyway", 0, "migrations/V1__x.sql",
	     "SELECT 1;\nSELECT '${nope}';\n", NULL);
	expand(&t, 0);
	expect_error(&t, 2, "no value for the Flyway placeholder '${nope}'");
	expect_part(&t, 0, "SELECT 1;\nSELECT '${nope}';\n");
	release(&t);
	load(&t, "flyway", 0, "migrations/V1__x.sql",
	     "SELECT '${flyway:user}';\n", NULL);
	expand(&t, 0);
	expect_error(&t, 1, "'${flyway:user}' is not one strata fills in");
	release(&t);
	load(&t, "flyway", 0, "migrations/V1__x.sql", "SELECT '${x';\n", NULL);
	expand(&t, 0);
	expect_error(&t, 1, "without its '}'");
	release(&t);
	/* files of other formats are left as they are */
	load(&t, "strata", 0, "migrations/0001_x.up.sql", "SELECT '${x}';\n",
	     NULL);
	expand(&t, 0);
	assert_int_equal(t.rc, 0);
	expect_part(&t, 0, "SELECT '${x}';\n");
	release(&t);
}

static void test_layouts__names(void **state)
{
	static const char *const refused[] = {
		"beforeMigrate.sql",     "afterMigrate.sql",
		"beforeEachMigrate.sql", "afterEachMigrate__grants.sql",
		"beforeConnect.SQL",     "V1__x.sql.conf",
		"R__views.sql.conf",
	};
	static const char *const not_callbacks[] = {
		"BeforeMigrate.sql",
		"beforeMigrateX.sql",
		"afterMigrate_x.sql",
		"beforeMigrate.txt",
	};
	struct filename fn;
	char why[512], vtext[64];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(refused); i++) {
		assert_int_equal(strata__filename_parse(&fn, refused[i], why,
		                                        sizeof(why)),
		                 2);
		assert_true(why[0] != '\0');
	}
	for (i = 0; i < ARRAY_SIZE(not_callbacks); i++)
		assert_int_equal(strata__filename_parse(&fn, not_callbacks[i],
		                                        why, sizeof(why)),
		                 1);
	/* sql-migrate's own names */
	assert_int_equal(strata__filename_parse(&fn,
	                                        "20160101120000-create.sql",
	                                        why, sizeof(why)),
	                 0);
	assert_int_equal(fn.role, ROLE_SINGLE);
	assert_true(fn.sqlm_name);
	assert_int_equal(fn.version_len, 14);
	assert_int_equal(strata__filename_parse(&fn, "0001-x.up.sql", why,
	                                        sizeof(why)),
	                 STRATA_EPARSE);
	/* folders: Prisma's, Diesel's (dashes in the version) */
	assert_int_equal(strata__dirname_parse(&fn, vtext, sizeof(vtext),
	                                       "20240101120000_init", why,
	                                       sizeof(why)),
	                 0);
	assert_string_equal(vtext, "20240101120000");
	assert_int_equal(fn.name_off, 15);
	assert_int_equal(strata__dirname_parse(&fn, vtext, sizeof(vtext),
	                                       "2017-12-05-004412_create_users",
	                                       why, sizeof(why)),
	                 0);
	assert_string_equal(vtext, "20171205004412");
	assert_string_equal(fn.version, "20171205004412");
	assert_int_equal(fn.name_len, strlen("create_users"));
	assert_int_equal(strata__dirname_parse(&fn, vtext, sizeof(vtext),
	                                       "seeds", why, sizeof(why)),
	                 1);
	assert_int_equal(strata__dirname_parse(&fn, vtext, sizeof(vtext),
	                                       "20240101", why, sizeof(why)),
	                 STRATA_EPARSE);
	assert_int_equal(strata__dirname_parse(&fn, vtext, sizeof(vtext),
	                                       "2024a_x", why, sizeof(why)),
	                 STRATA_EPARSE);
}

/* A folder of files: path relative to the test's temporary folder. */
static char tmp[64];

static void put(const char *path, const char *text)
{
	char p[256], *s;
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", tmp, path);
	for (s = p + strlen(tmp) + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static strata_ctx *folder_ctx(void)
{
	strata_options o;
	strata_ctx *c;

	memset(&o, 0, sizeof(o));
	o.database_url = "sqlite::memory:";
	o.migrations_dir = tmp;
	setenv("STRATA_NO_CACHE", "1", 1);
	assert_int_equal(strata_ctx_new(&c, &o), 0);
	return c;
}

static int has_problem(const struct source *s, int severity, const char *file,
                       const char *what)
{
	size_t i;

	for (i = 0; i < s->n_problems; i++)
		if (s->problems[i].severity == severity &&
		    strstr(s->problems[i].file, file) &&
		    strstr(s->problems[i].message, what))
			return 1;
	return 0;
}

static void clean(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	assert_int_equal(system(cmd), 0);
}

static void test_layouts__folders(void **state)
{
	strata_ctx *c;
	struct migration *m;

	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/strata-layouts-XXXXXX");
	assert_non_null(mkdtemp(tmp));
	put("migration_lock.toml", "provider = \"sqlite\"\n");
	put("20240101120000_init/migration.sql", "CREATE TABLE a (id INT);\n");
	put("20240102120000_two/migration.sql", "CREATE TABLE b (id INT);\n");
	put("20240102120000_two/down.sql", "DROP TABLE b;\n");
	put("20240102120000_two/notes.sql", "-- notes\n");
	put("20240103120000_nothing/README.md", "nothing\n");
	put("seeds/data.sql", "INSERT INTO a VALUES (1);\n");
	put("init/migration.sql", "SELECT 1;\n");
	c = folder_ctx();
	assert_int_equal(strata__source_load(c, &c->source, tmp), 0);
	assert_int_equal(c->source.n, 2);
	m = &c->source.v[1];
	assert_string_equal(m->format, "prisma");
	assert_int_equal(m->layout, LAYOUT_PRISMA);
	assert_string_equal(m->version_text, "20240102120000");
	assert_string_equal(m->name, "two");
	assert_non_null(strstr(m->up_path, "20240102120000_two/migration.sql"));
	assert_non_null(strstr(m->down_path, "20240102120000_two/down.sql"));
	assert_null(c->source.v[0].down_path);
	assert_true(has_problem(&c->source, 1, "notes.sql", "not read"));
	assert_true(has_problem(&c->source, 1, "20240103120000_nothing",
	                        "not read as a migration"));
	assert_true(has_problem(&c->source, 1, "init/migration.sql",
	                        "<version>_<name>"));
	assert_false(has_problem(&c->source, 1, "seeds", ""));
	assert_false(has_problem(&c->source, 1, "migration_lock.toml", ""));
	strata_ctx_free(c);

	/* one tool's files per folder; one layout per migrations folder */
	put("20240104120000_both/migration.sql", "SELECT 1;\n");
	put("20240104120000_both/up.sql", "SELECT 1;\n");
	c = folder_ctx();
	assert_int_equal(strata__source_load(c, &c->source, tmp),
	                 STRATA_EPARSE);
	assert_true(has_problem(&c->source, 2, "20240104120000_both",
	                        "both migration.sql"));
	strata_ctx_free(c);
	clean();

	snprintf(tmp, sizeof(tmp), "/tmp/strata-layouts-XXXXXX");
	assert_non_null(mkdtemp(tmp));
	put("2017-12-05-004412_create_users/up.sql",
	    "CREATE TABLE u (i INT);\n");
	put("2017-12-05-004412_create_users/down.sql", "DROP TABLE u;\n");
	put("2018-01-01-000000_idx/up.sql", "CREATE INDEX i ON u (i);\n");
	put("2018-01-01-000000_idx/metadata.toml",
	    "# Diesel\n\"run_in_transaction\" = false # no CIC in a txn\n");
	put("add_users.sql", "DROP TABLE u;\n");
	c = folder_ctx();
	assert_int_equal(strata__source_load(c, &c->source, tmp), 0);
	assert_int_equal(c->source.n, 2);
	m = &c->source.v[0];
	assert_string_equal(m->format, "diesel");
	assert_string_equal(m->version_text, "20171205004412");
	assert_string_equal(m->name, "create_users");
	assert_null(m->meta_path);
	m = &c->source.v[1];
	assert_non_null(m->meta_path);
	assert_int_equal(strata__migration_load(c, m), 0);
	assert_true(m->up.no_transaction);
	assert_true(has_problem(&c->source, 1, "add_users.sql",
	                        "not read as a migration"));
	strata_ctx_free(c);

	put("0005_flat.up.sql", "SELECT 1;\n");
	c = folder_ctx();
	assert_int_equal(strata__source_load(c, &c->source, tmp),
	                 STRATA_EPARSE);
	assert_true(has_problem(&c->source, 2, "", "mixed layouts"));
	strata_ctx_free(c);
	clean();
}

static void test_layouts__diesel_metadata(void **state)
{
	static const struct {
		const char *text;
		int rc, no_txn;
		const char *what;
	} cases[] = {
		{ "run_in_transaction = false\n", 0, 1, NULL },
		{ "run_in_transaction=true\n", 0, 0, NULL },
		{ "\n# c\n  run_in_transaction = false   # why\n", 0, 1, NULL },
		{ "", STRATA_EPARSE, 0, "does not set run_in_transaction" },
		{ "run_in_transaction = \"false\"\n", STRATA_EPARSE, 0,
		  "TOML boolean" },
		{ "run_in_txn = false\n", STRATA_EPARSE, 0, "one setting" },
		{ "[table]\n", STRATA_EPARSE, 0, "one setting" },
		{ "run_in_transaction = false\nrun_in_transaction = true\n",
		  STRATA_EPARSE, 0, "set twice" },
	};
	struct migration m;
	char path[128];
	size_t i;

	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/strata-layouts-XXXXXX");
	assert_non_null(mkdtemp(tmp));
	snprintf(path, sizeof(path), "%s/metadata.toml", tmp);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		put("metadata.toml", cases[i].text);
		memset(&m, 0, sizeof(m));
		m.meta_path = path;
		strata__error_clear(ctx);
		assert_int_equal(strata__layout_metadata(ctx, &m), cases[i].rc);
		assert_int_equal(m.up.no_transaction, cases[i].no_txn);
		assert_int_equal(m.down.no_transaction, cases[i].no_txn);
		if (cases[i].what &&
		    !strstr(strata_error_last(ctx)->message, cases[i].what))
			fail_msg("%s: expected '%s', got '%s'", cases[i].text,
			         cases[i].what,
			         strata_error_last(ctx)->message);
	}
	clean();
}

static void test_layouts__down_hints(void **state)
{
	static const struct {
		const char *format;
		int layout, single;
		const char *path, *want;
	} cases[] = {
		{ "flyway", LAYOUT_FLAT, 0, "migrations/V3__add.sql",
		  "(migrations/U3__add.sql)" },
		{ "dbmate", LAYOUT_FLAT, 1, "m/3_add.sql",
		  "'-- migrate:down'" },
		{ "goose", LAYOUT_FLAT, 1, "m/3_add.sql", "'-- +goose Down'" },
		{ "sql-migrate", LAYOUT_FLAT, 1, "m/3-add.sql",
		  "'-- +migrate Down'" },
		{ "prisma", LAYOUT_PRISMA, 0, "m/3_add/migration.sql",
		  "m/3_add/down.sql" },
		{ "diesel", LAYOUT_DIESEL, 0, "m/3_add/up.sql",
		  "m/3_add/down.sql" },
		{ "strata", LAYOUT_FLAT, 1, "m/3_add.sql",
		  "rename it m/3_add.up.sql" },
		{ "strata", LAYOUT_FLAT, 0, "m/3_add.up.sql",
		  "(m/3_add.down.sql)" },
	};
	struct migration m;
	char hint[600];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(&m, 0, sizeof(m));
		m.format = cases[i].format;
		m.layout = cases[i].layout;
		m.single_file = cases[i].single;
		m.up_path = (char *)cases[i].path;
		m.version_text = (char *)"3";
		m.name = (char *)"add";
		strata__layout_down_hint(&m, hint, sizeof(hint));
		if (!strstr(hint, cases[i].want))
			fail_msg("%s: expected '%s' in '%s'", cases[i].format,
			         cases[i].want, hint);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layouts__sqlmigrate_markers),
		cmocka_unit_test(test_layouts__sqlmigrate_near_misses),
		cmocka_unit_test(test_layouts__sqlx_no_transaction),
		cmocka_unit_test(test_layouts__goose_envsub),
		cmocka_unit_test(test_layouts__goose_envsub_errors),
		cmocka_unit_test(test_layouts__flyway_placeholders),
		cmocka_unit_test(test_layouts__names),
		cmocka_unit_test(test_layouts__folders),
		cmocka_unit_test(test_layouts__diesel_metadata),
		cmocka_unit_test(test_layouts__down_hints),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
