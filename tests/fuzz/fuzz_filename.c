/*
 * libFuzzer target for migration file names (strata__filename_parse and
 * its exec-target variant), migration folder names (Prisma's and
 * Diesel's, strata__dirname_parse) and versions (strata__version_parse).
 * The input is a file name (up to 255 bytes, cut at the first NUL).
 * Invariants: the result is 0, 1 or STRATA_EPARSE (or 2, a Flyway
 * callback refused); a refusal says why; an
 * accepted name's version and name lie inside it, the version is the
 * decimal value of its digits (1 .. UINT64_MAX) and the name uses only
 * letters, digits, '_', '-' and '.'; the role matches the suffix.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "lib/common.h"
#include "lib/source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)  \
 do {                \
  if (!(cond))       \
   __builtin_trap(); \
 } while (0)

/* Suffixes are read in any case (.SQL, .UP.sql). */
static int ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && strncasecmp(s + n - k, suffix, k) == 0;
}

/* The decimal value of digits, or 0 when it overflows 64 bits. */
static uint64_t decimal(const char *s, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (v > (UINT64_MAX - d) / 10)
			return 0;
		v = v * 10 + d;
	}
	return v;
}

static void check(const char *name, int exec)
{
	struct filename fn;
	char why[200];
	size_t n = strlen(name), i;
	int rc;

	memset(why, 'x', sizeof(why));
	rc = exec ? strata__filename_parse_exec(&fn, name, why, sizeof(why)) :
	            strata__filename_parse(&fn, name, why, sizeof(why));
	CHECK(rc == 0 || rc == 1 || rc == STRATA_EPARSE || (rc == 2 && !exec));
	CHECK(memchr(why, '\0', sizeof(why)) != NULL);
	if (rc == STRATA_EPARSE || rc == 2)
		CHECK(why[0] != '\0');
	if (rc == 2) /* Flyway's callbacks and script configuration */
		return;
	if (rc == 1) {
		/* ignored: hidden files and names without a version; a
		 * warning (why) only for a name that is not hidden */
		CHECK(n == 0 || name[0] == '.' ||
		      !isdigit((unsigned char)name[0]));
		if (why[0])
			CHECK(n > 0 && name[0] != '.');
		/* a name ending in .up.sql or .down.sql is never ignored
		 * in silence */
		if (!exec && n && name[0] != '.' &&
		    (ends_with(name, n, ".up.sql") ||
		     ends_with(name, n, ".down.sql")))
			CHECK(why[0] != '\0');
		return;
	}
	if (rc != 0)
		return;
	CHECK(fn.format != NULL);
	CHECK(fn.name_len > 0);
	CHECK(fn.name_off <= n && fn.name_len <= n - fn.name_off);
	CHECK(fn.version_off <= n && fn.version_len <= n - fn.version_off);
	for (i = 0; i < fn.name_len; i++) {
		unsigned char c = (unsigned char)name[fn.name_off + i];

		CHECK(isalnum(c) || c == '_' || c == '-' || c == '.');
	}
	if (fn.role == ROLE_REPEATABLE) {
		CHECK(!exec);
		return;
	}
	CHECK(fn.version_len > 0);
	for (i = 0; i < fn.version_len; i++)
		CHECK(isdigit((unsigned char)name[fn.version_off + i]));
	CHECK(fn.version != 0);
	CHECK(fn.version == decimal(name + fn.version_off, fn.version_len));
	/* the version and the name do not overlap */
	CHECK(fn.version_off + fn.version_len < fn.name_off);
	if (!exec && strcmp(fn.format, "strata") == 0) {
		CHECK(ends_with(name, n, ".sql"));
		if (fn.role == ROLE_UP)
			CHECK(ends_with(name, n, ".up.sql"));
		if (fn.role == ROLE_DOWN)
			CHECK(ends_with(name, n, ".down.sql"));
	}
	if (!exec && strcmp(fn.format, "flyway") == 0)
		CHECK(name[0] == (fn.role == ROLE_UP ? 'V' : 'U'));
}

/* A Prisma or Diesel migration's folder name. */
static void check_folder(const char *name)
{
	struct filename fn;
	char why[200], vtext[64];
	size_t n = strlen(name), i, k = 0;
	int rc = strata__dirname_parse(&fn, vtext, sizeof(vtext), name, why,
	                               sizeof(why));

	CHECK(rc == 0 || rc == 1 || rc == STRATA_EPARSE);
	if (rc == 1)
		CHECK(n == 0 || !isdigit((unsigned char)name[0]));
	if (rc == STRATA_EPARSE)
		CHECK(why[0] != '\0');
	if (rc != 0)
		return;
	/* the version: the digits before the first '_', dashes dropped */
	for (i = 0; name[i] != '_'; i++)
		if (name[i] != '-')
			CHECK(vtext[k++] == name[i]);
	CHECK(vtext[k] == '\0' && k == fn.version_len);
	CHECK(fn.version == decimal(vtext, k));
	CHECK(fn.name_off == i + 1 && fn.name_len == n - i - 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[256];
	uint64_t v = 0;
	int rc;

	if (size > sizeof(name) - 1)
		size = sizeof(name) - 1;
	memcpy(name, data, size);
	name[size] = '\0';
	check(name, 0);
	check(name, 1);
	check_folder(name);

	/* versions as given on the command line (--to, force) */
	rc = strata__version_parse(&v, name, strlen(name));
	CHECK(rc == 0 || rc == STRATA_EPARSE || rc == STRATA_EINVALID ||
	      rc == STRATA_ERROR);
	if (rc == 0) {
		CHECK(v != 0);
		CHECK(v == decimal(name, strlen(name)));
	}
	CHECK((strata_version_parse(&v, name) == 0) == (rc == 0));
	return 0;
}
