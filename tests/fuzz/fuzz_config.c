/*
 * libFuzzer target for strata.conf: inih's parser (ini_parse_string) with
 * a handler that follows the CLI's rules in src/cli/config_read.c: a [strata]
 * section and [target "name"] sections, their known keys, env.NAME keys,
 * and ${VAR} expansion from the environment (an unset variable is an
 * error). The expansion and the section names are the CLI's own code
 * (src/util/conf.c); the handler mirrors the CLI's (src/cli/config_read.c,
 * which holds the command-line tool's global settings).
 * Invariants: the parse returns 0 or the line of the first error (never
 * past the end, when no line is longer than inih's 200 bytes); a refused line
 * has a message; an expanded value holds no
 * ${VAR} of a variable that is set, and a value without '$' is unchanged;
 * a target's name uses only letters, digits, '_', '-' and '.'.
 */
#include <ctype.h>
#include <ini.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)  \
 do {                \
  if (!(cond))       \
   __builtin_trap(); \
 } while (0)

#define MAX_TARGETS 64

struct state {
	char error[512];
	char *strata[6]; /* database, dir, table, schema, lock_timeout, registry
	                  */
	struct {
		char *name;
		char *values[9];
		size_t n_env;
	} targets[MAX_TARGETS];
	size_t n_targets;
};

/* the CLI's own rules (src/util/conf.c) */
static char *expand(struct state *st, const char *v)
{
	return strata__conf_expand(v, NULL, st->error, sizeof(st->error));
}

#define target_name strata__conf_target_name

/* The value as stored, checked against the text it came from. */
static int set_slot(struct state *st, char **slot, const char *value)
{
	char *v = expand(st, value);

	if (!v) {
		CHECK(st->error[0] != '\0');
		return 0;
	}
	if (!strchr(value, '$'))
		CHECK(strcmp(v, value) == 0);
	/* the variables set in main() never survive expansion */
	if (strstr(value, "${FUZZ_A}"))
		CHECK(!strstr(v, "${FUZZ_A}") ||
		      strstr(getenv("FUZZ_A"), "${FUZZ_A}"));
	free(*slot);
	*slot = v;
	return 1;
}

static int strata_key(struct state *st, const char *name, const char *value)
{
	static const char *const keys[] = { "database",     "dir",
		                            "table",        "schema",
		                            "lock_timeout", "registry" };
	size_t i;

	if (strcmp(name, "url") == 0)
		name = "database";
	for (i = 0; i < 6; i++)
		if (strcmp(name, keys[i]) == 0)
			return set_slot(st, &st->strata[i], value);
	snprintf(st->error, sizeof(st->error), "unknown setting '%s'", name);
	return 0;
}

static int target_key(struct state *st, size_t t, const char *name,
                      const char *value)
{
	static const char *const keys[] = {
		"type",         "url",      "dir",       "table",  "schema",
		"lock_timeout", "registry", "extension", "command"
	};
	size_t i;

	if (strcmp(name, "database") == 0)
		name = "url";
	for (i = 0; i < 9; i++)
		if (strcmp(name, keys[i]) == 0)
			return set_slot(st, &st->targets[t].values[i], value);
	if (strncmp(name, "env.", 4) == 0 && name[4]) {
		char *v = expand(st, value);

		if (!v)
			return 0;
		free(v);
		st->targets[t].n_env++;
		return 1;
	}
	snprintf(st->error, sizeof(st->error), "unknown setting '%s'", name);
	return 0;
}

static int on_setting(void *user, const char *section, const char *name,
                      const char *value)
{
	struct state *st = user;
	char *tname;
	size_t t, i;

	CHECK(section && name && value);
	if (strcmp(section, "strata") == 0)
		return strata_key(st, name, value);
	tname = target_name(section);
	if (!tname) {
		snprintf(st->error, sizeof(st->error), "unknown section [%s]",
		         section);
		return 0;
	}
	CHECK(tname[0] != '\0');
	for (i = 0; tname[i]; i++)
		CHECK(isalnum((unsigned char)tname[i]) ||
		      strchr("_-.", tname[i]));
	for (t = 0; t < st->n_targets; t++)
		if (strcmp(st->targets[t].name, tname) == 0)
			break;
	if (t == st->n_targets) {
		if (t == MAX_TARGETS) {
			free(tname);
			snprintf(st->error, sizeof(st->error), "too many");
			return 0;
		}
		st->targets[t].name = tname;
		st->n_targets++;
	} else {
		free(tname);
	}
	return target_key(st, t, name, value);
}

/* Lines in the text, or -1 when one is too long for inih to read whole:
 * it then reads a long line as several (the CLI's "strata.conf:N" points
 * past it; see docs/RELIABILITY.md). */
static int lines(const uint8_t *data, size_t size)
{
	size_t i, len = 0;
	int k = 1;

	for (i = 0; i < size; i++) {
		if (data[i] == '\n') {
			k++;
			len = 0;
		} else if (++len >= 199) {
			return -1;
		}
	}
	return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int once;
	struct state st;
	char *text;
	size_t i, j;
	int rc;

	if (!once) {
		setenv("FUZZ_A", "value-a", 1);
		setenv("FUZZ_EMPTY", "", 1);
		setenv("FUZZ_SELF", "${FUZZ_SELF}", 1);
		once = 1;
	}
	text = strndup((const char *)data, size);
	CHECK(text != NULL);
	memset(&st, 0, sizeof(st));
	rc = ini_parse_string(text, on_setting, &st);
	/* 0, -2 (out of memory), or the line of the first error */
	CHECK(rc == 0 || rc == -2 || rc >= 1);
	if (rc >= 1 && lines(data, size) > 0)
		CHECK(rc <= lines(data, size));
	for (i = 0; i < 6; i++)
		free(st.strata[i]);
	for (i = 0; i < st.n_targets; i++) {
		free(st.targets[i].name);
		for (j = 0; j < 9; j++)
			free(st.targets[i].values[j]);
	}
	free(text);
	return 0;
}
