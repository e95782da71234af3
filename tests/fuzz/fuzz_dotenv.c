/*
 * libFuzzer target for .env files (src/util/dotenv.c), the file whose
 * DATABASE_URL names the database when the environment does not.
 *
 * The first byte picks a mode. Raw: the rest is the file. Quoted: the
 * rest is put between single quotes as K='...', and must come back as it
 * is when it holds no quote or line end. Unquoted: the rest as K=...,
 * which must come back as it is when it holds nothing a value treats
 * specially ('$', '#', quotes first, blanks at either end, line ends).
 * Invariants: the parse returns 0 or the line of the first error (never
 * past the last line), with a message and nothing kept; every name kept
 * is letters, digits, '_', '.' and '-', not a digit first, once; every value
 * is found again by its name.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/dotenv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)  \
 do {                \
  if (!(cond))       \
   __builtin_trap(); \
 } while (0)

static void check_parse(const char *text, size_t n)
{
	struct strata__dotenv env;
	char err[512];
	size_t i, j, lines = 1;
	int rc;

	for (i = 0; i < n; i++)
		lines += text[i] == '\n';
	rc = strata__dotenv_parse(&env, text, n, err, sizeof(err));
	CHECK(rc >= 0); /* -1: out of memory, which the fuzzer never runs out of
	                 */
	if (rc > 0) {
		CHECK((size_t)rc <= lines);
		CHECK(err[0] != '\0');
		CHECK(env.n == 0 && env.vars == NULL);
		return;
	}
	for (i = 0; i < env.n; i++) {
		const char *name = env.vars[i].name;

		CHECK(name[0] && !(name[0] >= '0' && name[0] <= '9'));
		for (j = 0; name[j]; j++)
			CHECK((name[j] >= 'a' && name[j] <= 'z') ||
			      (name[j] >= 'A' && name[j] <= 'Z') ||
			      (name[j] >= '0' && name[j] <= '9') ||
			      name[j] == '_' || name[j] == '.' ||
			      name[j] == '-');
		CHECK(strata__dotenv_find(&env, name) == &env.vars[i]);
		CHECK(env.vars[i].value != NULL);
		CHECK(env.vars[i].line >= 1 &&
		      (size_t)env.vars[i].line <= lines);
	}
	strata__dotenv_release(&env);
}

/* K='value' or K=value must give value back. */
static void round_trip(const char *value, size_t n, int quoted)
{
	struct strata__dotenv env;
	const struct strata__dotenv_var *v;
	char *text = malloc(n + 8), err[512];
	int rc;

	CHECK(text != NULL);
	if (quoted)
		snprintf(text, n + 8, "K='%s'\n", value);
	else
		snprintf(text, n + 8, "K=%s\n", value);
	rc = strata__dotenv_parse(&env, text, strlen(text), err, sizeof(err));
	CHECK(rc == 0);
	v = strata__dotenv_find(&env, "K");
	CHECK(v && strcmp(v->value, value) == 0 && v->line == 1);
	strata__dotenv_release(&env);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;
	size_t n;

	if (size < 1)
		return 0;
	n = size - 1;
	text = malloc(n + 1);
	CHECK(text != NULL);
	memcpy(text, data + 1, n);
	text[n] = '\0';
	check_parse(text, n);
	if (data[0] % 3 == 1 && strlen(text) == n && !strpbrk(text, "'\r\n"))
		round_trip(text, n, 1);
	if (data[0] % 3 == 2 && strlen(text) == n &&
	    !strpbrk(text, "$#'\"`\r\n") &&
	    (n == 0 || (text[0] != ' ' && text[0] != '\t' &&
	                text[n - 1] != ' ' && text[n - 1] != '\t')))
		round_trip(text, n, 0);
	free(text);
	return 0;
}
