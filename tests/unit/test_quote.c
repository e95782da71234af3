/*
 * Unit tests of names and text made safe to print (src/util/quote.h):
 * git's quoting of paths, the escaping of messages, U+FFFD for JSON, and
 * the library's error messages, details, problems and events built with
 * them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "lib/common.h"
#include "lib/ctx.h"
#include "lib/source.h"

static void quoted_is(const char *in, const char *want)
{
	strata_buf b = STRATA_BUF_INIT;

	assert_int_equal(strata__quote_put(&b, in, strlen(in)), 0);
	assert_string_equal(b.ptr, want);
	assert_int_equal(strata__quote_needed(in, strlen(in)),
	                 strcmp(in, want) != 0);
	strata_buf_release(&b);
}

static void escaped_is(const char *in, const char *want)
{
	strata_buf b = STRATA_BUF_INIT;

	assert_int_equal(strata__escape_put(&b, in, strlen(in)), 0);
	assert_string_equal(b.ptr, want);
	strata_buf_release(&b);
}

static void test_quote__plain_names_unchanged(void **state)
{
	(void)state;
	quoted_is("", "");
	quoted_is("0001_create_users.up.sql", "0001_create_users.up.sql");
	quoted_is("migrations/V2__a b.sql", "migrations/V2__a b.sql");
	quoted_is("it's", "it's");
	/* valid UTF-8 is shown as it is (core.quotePath=false) */
	quoted_is("0002_caf\xc3\xa9.up.sql", "0002_caf\xc3\xa9.up.sql");
	quoted_is("\xe6\x97\xa5\xe6\x9c\xac", "\xe6\x97\xa5\xe6\x9c\xac");
	quoted_is("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80");
}

static void test_quote__control_characters(void **state)
{
	(void)state;
	quoted_is("a\033[31mb", "\"a\\033[31mb\"");
	quoted_is("0003_c\nstrata: applied everything.up.sql",
	          "\"0003_c\\nstrata: applied everything.up.sql\"");
	quoted_is("a\tb", "\"a\\tb\"");
	quoted_is("\a\b\t\n\v\f\r", "\"\\a\\b\\t\\n\\v\\f\\r\"");
	quoted_is("\x01\x1f\x7f", "\"\\001\\037\\177\"");
	quoted_is("a\"b", "\"a\\\"b\"");
	quoted_is("a\\b", "\"a\\\\b\"");
	/* C1 controls (U+009B is a CSI on some terminals): both bytes */
	quoted_is("a\xc2\x9b"
	          "2J",
	          "\"a\\302\\2332J\"");
	quoted_is("\xc2\xa0", "\xc2\xa0"); /* U+00A0 is not one */
}

static void test_quote__invalid_utf8(void **state)
{
	(void)state;
	quoted_is("0004_\xff.up.sql", "\"0004_\\377.up.sql\"");
	quoted_is("\xc3", "\"\\303\"");          /* cut short */
	quoted_is("\xc3(", "\"\\303(\"");        /* bad continuation */
	quoted_is("\xc0\xaf", "\"\\300\\257\""); /* overlong '/' */
	quoted_is("\xe0\x80\xaf", "\"\\340\\200\\257\"");
	quoted_is("\xed\xa0\x80", "\"\\355\\240\\200\""); /* a surrogate */
	quoted_is("\xf4\x90\x80\x80", "\"\\364\\220\\200\\200\"");
	quoted_is("\x80", "\"\\200\"");
}

static void test_quote__text_escaped_without_quotes(void **state)
{
	(void)state;
	escaped_is("near \"x\": syntax error", "near \"x\": syntax error");
	escaped_is("a client meta-command (\\set)", "a client meta-command "
	                                            "(\\set)");
	escaped_is("file 'a\033b'\nstrata: forged",
	           "file 'a\\033b'\\nstrata: forged");
	escaped_is("bad \xff byte \xc3\xa9", "bad \\377 byte \xc3\xa9");
}

static void test_quote__escape_buf_and_quoted(void **state)
{
	strata_buf b = STRATA_BUF_INIT, tmp = STRATA_BUF_INIT;
	const char *plain = "0001_a.up.sql";

	(void)state;
	assert_int_equal(strata__buf_puts(&b, "keep\n: a\nb"), 0);
	assert_int_equal(strata__escape_buf(&b, 6), 0);
	assert_string_equal(b.ptr, "keep\n: a\\nb");
	assert_int_equal(b.len, strlen(b.ptr));
	/* escaping what is escaped changes nothing */
	assert_int_equal(strata__escape_buf(&b, 0), 0);
	assert_string_equal(b.ptr, "keep\\n: a\\nb");
	assert_int_equal(strata__escape_buf(&b, 0), 0);
	assert_string_equal(b.ptr, "keep\\n: a\\nb");
	/* no allocation for a name printed as it is */
	assert_ptr_equal(strata__quoted(&tmp, plain), plain);
	assert_int_equal(tmp.alloc, 0);
	assert_string_equal(strata__quoted(&tmp, "a\nb"), "\"a\\nb\"");
	assert_string_equal(strata__quoted(&tmp, "c\td"), "\"c\\td\"");
	strata_buf_release(&tmp);
	strata_buf_release(&b);
}

static void test_quote__utf8_made_valid_for_json(void **state)
{
	strata_buf b = STRATA_BUF_INIT;

	(void)state;
	assert_int_equal(strata__utf8_put_valid(&b,
	                                        "a\xff"
	                                        "b\xc3\xa9\xc3",
	                                        6),
	                 0);
	assert_string_equal(b.ptr, "a\xef\xbf\xbd"
	                           "b\xc3\xa9\xef\xbf\xbd");
	strata__buf_clear(&b);
	/* control characters are JSON's to escape: kept */
	assert_int_equal(strata__utf8_put_valid(&b, "\033\n", 2), 0);
	assert_string_equal(b.ptr, "\033\n");
	strata_buf_release(&b);
}

/* The library's messages: one line, no control character, valid UTF-8,
 * whatever the names in them. */
static const char *last_event;
static char event_text[256];

static void on_event(const strata_event *ev, void *payload)
{
	(void)payload;
	snprintf(event_text, sizeof(event_text), "%s",
	         ev->message ? ev->message : "");
	last_event = event_text;
}

static void test_quote__library_messages_are_safe(void **state)
{
	strata_options o;
	strata_ctx *ctx;
	struct source src;
	const char *name = "0002_b\033[31m\nstrata: applied everything\xff";

	(void)state;
	memset(&o, 0, sizeof(o));
	o.migrations_dir = "migrations";
	o.database_url = "sqlite::memory:";
	o.on_event = on_event;
	assert_int_equal(strata_ctx_new(&ctx, &o), 0);

	strata__error_set(ctx, STRATA_EIO, "cannot read '%s'", name);
	assert_string_equal(strata_error_last(ctx)->message,
	                    "cannot read '0002_b\\033[31m\\nstrata: applied "
	                    "everything\\377'");
	/* the file of the position stays as it is: it is opened */
	strata__error_at(ctx, name, 1, 1);
	assert_string_equal(strata_error_last(ctx)->file, name);
	strata__error_detail(ctx, "first %s", "x\ny");
	strata__error_detail(ctx, "second");
	assert_string_equal(strata_error_last(ctx)->detail,
	                    "first x\\ny\nsecond");
	strata__error_prefix(ctx, "in %s", "\033");
	assert_string_equal(strata_error_last(ctx)->message,
	                    "in \\033: cannot read '0002_b\\033[31m\\nstrata: "
	                    "applied everything\\377'");

	strata__emitf(ctx, STRATA_EVENT_WARNING, "gone: %s", name);
	assert_string_equal(last_event, "gone: 0002_b\\033[31m\\nstrata: "
	                                "applied everything\\377");
	/* a SQL event is the script itself: as it is */
	strata__emit(ctx, STRATA_EVENT_SQL, NULL, "SELECT 1;\nSELECT 2;\n", 0);
	assert_string_equal(last_event, "SELECT 1;\nSELECT 2;\n");
	/* a notice keeps its lines, each made safe */
	strata__emit(ctx, STRATA_EVENT_NOTICE, NULL, "NOTICE: a\033\nb", 0);
	assert_string_equal(last_event, "NOTICE: a\\033\nb");

	memset(&src, 0, sizeof(src));
	assert_int_equal(
	        strata__problem_add(&src, 2, name, 0, "bad name: %s", name), 0);
	assert_string_equal(src.problems[0].message,
	                    "bad name: 0002_b\\033[31m\\nstrata: applied "
	                    "everything\\377");
	assert_string_equal(src.problems[0].file, name);
	strata__source_release(&src);
	strata_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote__plain_names_unchanged),
		cmocka_unit_test(test_quote__control_characters),
		cmocka_unit_test(test_quote__invalid_utf8),
		cmocka_unit_test(test_quote__text_escaped_without_quotes),
		cmocka_unit_test(test_quote__escape_buf_and_quoted),
		cmocka_unit_test(test_quote__utf8_made_valid_for_json),
		cmocka_unit_test(test_quote__library_messages_are_safe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
