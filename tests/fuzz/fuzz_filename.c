/*
 * libFuzzer target for migration file names (strata__filename_parse and
 * its exec-target variant), migration folder names (Prisma's and
 * Diesel's, strata__dirname_parse) and versions (strata__version_parse).
 * The input is a file name (up to 255 bytes, cut at the first NUL).
 * Invariants: the result is 0, 1 or STRATA_EPARSE (or 2, a Flyway
 * callback refused); a refusal says why; an
 * accepted name's version and name lie inside it, the version is the
 * canonical text of the digits written (no leading zeros, no trailing
 * zero part, at most 64 characters) and compares equal to them, and the
 * name uses only letters, digits, '_', '-' and '.'; the role matches the
 * suffix. Versions on their own (the input, and its two halves) parse to
 * canonical text that parses to itself, and compare as their sort keys
 * do bytewise.
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

/* A canonical version: parts of digits joined by '.', no part empty or
 * with a leading zero, no trailing zero part, at most 64 characters. */
static void check_canonical(const char *v)
{
	size_t n = strlen(v), i, part = 0;

	CHECK(n > 0 && n <= STRATA_VERSION_MAX);
	for (i = 0; i <= n; i++) {
		if (i < n && isdigit((unsigned char)v[i])) {
			part++;
			continue;
		}
		CHECK(i == n || v[i] == '.');
		CHECK(part > 0);
		/* a part of several digits does not start with 0 */
		CHECK(part == 1 || v[i - part] != '0');
		part = 0;
	}
	if (strchr(v, '.'))
		CHECK(strcmp(strrchr(v, '.') + 1, "0") != 0);
}

static int sign(int c)
{
	return (c > 0) - (c < 0);
}

static void check(const char *name, int exec)
{
	struct filename fn;
	char why[200], written[256];
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
	for (i = 0; i < fn.version_len; i++) {
		char c = name[fn.version_off + i];

		/* dots and '_' in Flyway's names only */
		CHECK(isdigit((unsigned char)c) ||
		      (strcmp(fn.format, "flyway") == 0 &&
		       (c == '.' || c == '_')));
	}
	check_canonical(fn.version);
	memcpy(written, name + fn.version_off, fn.version_len);
	written[fn.version_len] = '\0';
	CHECK(strata__version_cmp(fn.version, written) == 0);
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
	check_canonical(fn.version);
	CHECK(strata__version_cmp(fn.version, vtext) == 0);
	CHECK(fn.name_off == i + 1 && fn.name_len == n - i - 1);
}

/* A version on its own, as given on the command line (--to, force). */
static int check_version(const char *text, char v[STRATA_VERSION_SIZE])
{
	char again[STRATA_VERSION_SIZE];
	strata_buf b = STRATA_BUF_INIT;
	int rc = strata__version_parse(v, text, strlen(text));

	CHECK(rc == 0 || rc == STRATA_EPARSE || rc == STRATA_EINVALID);
	CHECK((strata_version_parse(&b, text) == 0) == (rc == 0));
	if (rc == 0) {
		check_canonical(v);
		CHECK(strcmp(b.ptr, v) == 0);
		CHECK(strata__version_cmp(v, text) == 0);
		CHECK(strata__version_parse(again, v, strlen(v)) == 0);
		CHECK(strcmp(again, v) == 0);
	}
	strata_buf_release(&b);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[256], a[STRATA_VERSION_SIZE], b[STRATA_VERSION_SIZE];
	char ka[STRATA_VERSION_KEY_SIZE], kb[STRATA_VERSION_KEY_SIZE];
	size_t half;

	if (size > sizeof(name) - 1)
		size = sizeof(name) - 1;
	memcpy(name, data, size);
	name[size] = '\0';
	check(name, 0);
	check(name, 1);
	check_folder(name);

	check_version(name, a);
	/* two versions: their order is their keys' bytewise order */
	half = strlen(name) / 2;
	if (check_version(name + half, b) == 0) {
		name[half] = '\0';
		if (check_version(name, a) == 0) {
			strata__version_key(ka, a);
			strata__version_key(kb, b);
			CHECK(sign(strata__version_cmp(a, b)) ==
			      sign(strcmp(ka, kb)));
			CHECK(strata__version_cmp(a, b) ==
			      -strata__version_cmp(b, a));
			CHECK((strata__version_cmp(a, b) == 0) ==
			      (strcmp(a, b) == 0));
		}
	}
	return 0;
}
