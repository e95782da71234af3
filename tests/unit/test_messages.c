/*
 * The library's messages name the settings to change with the caller's
 * words (strata_options.setting_name), by default the library's own
 * option members, never the CLI's options.
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

#include "strata/strata.h"

struct project {
	char dir[64];
	char url[128];
	char migrations[96];
};

static int project_setup(void **state)
{
	struct project *p = calloc(1, sizeof(*p));
	FILE *f;
	char path[160];

	if (!p)
		return -1;
	snprintf(p->dir, sizeof(p->dir), "/tmp/strata-msg.XXXXXX");
	if (!mkdtemp(p->dir))
		return -1;
	snprintf(p->url, sizeof(p->url), "sqlite:%s/t.db", p->dir);
	snprintf(p->migrations, sizeof(p->migrations), "%s/m", p->dir);
	mkdir(p->migrations, 0700);
	snprintf(path, sizeof(path), "%s/0001_a.up.sql", p->migrations);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs("CREATE TABLE a (x INTEGER);\n", f);
	fclose(f);
	*state = p;
	return 0;
}

static int project_teardown(void **state)
{
	struct project *p = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", p->dir);
	if (system(cmd) != 0)
		return -1;
	free(p);
	return 0;
}

/* strata_up to a version no migration has: the message names the
 * setting that asked for it */
static const char *up_to_unknown(struct project *p, strata_setting_name_cb cb)
{
	static char message[512];
	strata_options o = { 0 };
	strata_run_options r = { 0 };
	strata_ctx *ctx;
	size_t done = 0;

	o.database_url = p->url;
	o.migrations_dir = p->migrations;
	o.setting_name = cb;
	assert_int_equal(strata_ctx_new(&ctx, &o), 0);
	r.to = "9";
	assert_int_equal(strata_up(ctx, &r, &done), STRATA_EINVALID);
	snprintf(message, sizeof(message), "%s",
	         strata_error_last(ctx)->message);
	strata_ctx_free(ctx);
	return message;
}

static void test_messages__library_names_its_own_settings(void **state)
{
	const char *m = up_to_unknown(*state, NULL);

	assert_non_null(strstr(m, "strata_run_options.to 9: no migration"));
	assert_null(strstr(m, "--"));
}

static const char *my_names(strata_setting s, void *payload)
{
	(void)payload;
	return s == STRATA_SETTING_TO ? "the 'target version' field" : NULL;
}

static void test_messages__caller_words_are_used(void **state)
{
	const char *m = up_to_unknown(*state, my_names);

	assert_non_null(
	        strstr(m, "the 'target version' field 9: no migration"));
}

static void test_messages__every_setting_has_a_library_name(void **state)
{
	int s;

	(void)state;
	for (s = 0; s < STRATA_SETTING_COUNT; s++) {
		const char *n = strata_setting_default_name((strata_setting)s);

		assert_non_null(n);
		assert_non_null(strstr(n, "strata_"));
		assert_null(strstr(n, "--"));
	}
	assert_null(strata_setting_default_name(STRATA_SETTING_COUNT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		        test_messages__library_names_its_own_settings,
		        project_setup, project_teardown),
		cmocka_unit_test_setup_teardown(
		        test_messages__caller_words_are_used, project_setup,
		        project_teardown),
		cmocka_unit_test(
		        test_messages__every_setting_has_a_library_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
