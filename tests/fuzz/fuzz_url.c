/*
 * libFuzzer target for database URLs, taken apart by the one parser
 * (strata__url_parse): the scheme, the redacted copy that strata prints
 * (strata__url_redact), the password it masks in error messages
 * (strata__url_secret, strata__mask_secret).
 *
 * The first byte picks a mode. Raw: the input is the URL. Planted: the
 * input is cut into user, password and rest, and the URL is built as
 * SCHEME://user:password@rest or SCHEME://user@rest?password=password.
 * Invariants:
 *  - a planted password (raw, and percent-decoded) never appears in the
 *    redacted URL, unless it also appears in the URL with the password
 *    itself replaced by the mask (then it is not the password that shows);
 *  - an error message that repeats the URL whole (libpq does) shows no
 *    password once masked with the secrets strata found;
 *  - the redacted URL is a proper string, and redaction is idempotent;
 *  - read as the file part of a sqlite: URL (strata__sqlite_url_parse),
 *    the input names a file without the parameters in it, and the URI
 *    strata would open, read back as sqlite:URI, names the same file.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/common.h"
#include "util/secret.h"
#include "util/sqlite_url.h"
#include "util/url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)  \
 do {                \
  if (!(cond))       \
   __builtin_trap(); \
 } while (0)

static const char *const schemes[] = { "postgres", "postgresql", "mysql",
	                               "mariadb",  "sqlite",     "x" };

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* %XX decoded, as a client library would */
static char *decode(const char *s)
{
	size_t n = strlen(s), i, k = 0;
	char *out = malloc(n + 1);

	CHECK(out != NULL);
	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
		    hexval(s[i + 2]) >= 0) {
			out[k++] = (char)(hexval(s[i + 1]) * 16 +
			                  hexval(s[i + 2]));
			i += 2;
		} else {
			out[k++] = s[i];
		}
	}
	out[k] = '\0';
	return out;
}

static int masked_entirely(const char *s)
{
	return strspn(s, "*") == strlen(s);
}

/* The redacted URL is a string; redacting it again changes nothing that
 * matters (no password comes back). */
static void redact(strata_buf *out, const char *url)
{
	struct strata__url u;

	CHECK(strata__url_parse(&u, url) != STRATA_ENOMEM);
	CHECK(strata__url_redact(out, &u) == 0);
	CHECK(out->len == strlen(out->ptr));
	strata__url_release(&u);
}

/* An error that repeats the URL whole, masked as error.c masks it. */
static void check_echo(const char *url, const char *pw, int strict)
{
	strata_buf echo = STRATA_BUF_INIT;
	struct strata__url u;
	char *raw = NULL, *dec = NULL;

	CHECK(strata__url_parse(&u, url) != STRATA_ENOMEM);
	CHECK(strata__url_secret(&u, &raw, &dec) == 0);
	strata__url_release(&u);
	CHECK((raw == NULL) == (dec == NULL));
	CHECK(strata__buf_puts(&echo, "invalid URI: \"") == 0);
	CHECK(strata__buf_puts(&echo, url) == 0);
	CHECK(strata__buf_puts(&echo, "\"") == 0);
	strata__mask_secret(&echo, raw);
	strata__mask_secret(&echo, dec);
	CHECK(echo.len == strlen(echo.ptr));
	if (raw && strlen(raw) >= 2 && !masked_entirely(raw))
		CHECK(strstr(echo.ptr, raw) == NULL);
	if (strict && pw)
		CHECK(strstr(echo.ptr, pw) == NULL);
	strata_buf_release(&echo);
	strata__free(raw);
	strata__free(dec);
}

static void planted(const uint8_t *data, size_t size, int query)
{
	strata_buf url = STRATA_BUF_INIT, red = STRATA_BUF_INIT;
	strata_buf clean = STRATA_BUF_INIT;
	const char *scheme = schemes[size ? data[0] % 6 : 0];
	char *user, *pw, *rest, *dec;
	size_t a, b, i;

	if (size < 3)
		return;
	a = data[1] % (size - 2);
	b = a + data[2] % (size - 2 - a + 1);
	data += 3;
	size -= 3;
	if (b > size)
		b = size;
	if (a > b)
		a = b;
	user = strndup((const char *)data, a);
	pw = strndup((const char *)data + a, b - a);
	rest = strndup((const char *)data + b, size - b);
	CHECK(user && pw && rest);
	/* a user name without the delimiters of the user info */
	for (i = 0; user[i]; i++)
		if (strchr(":@/?#", user[i]))
			user[i] = 'u';
	if (query) {
		/* a parameter value ends at '&', ' ' or ';' */
		for (i = 0; pw[i]; i++)
			if (strchr("& ;#", pw[i]))
				pw[i] = 'p';
		for (i = 0; rest[i]; i++)
			if (strchr("?#", rest[i]))
				rest[i] = 'r';
	}
	if (!pw[0] || strlen(pw) < 3 || strchr(pw, '*'))
		goto done; /* too short, or like the mask ("password=***") */
	/* '@' then '?' or '#' unencoded: no reading can tell the password
	 * from a query (percent-encode them); the rest is unambiguous */
	if (strchr(pw, '@') && strpbrk(strchr(pw, '@'), "?#"))
		goto done;
	if (query) {
		CHECK(strata__buf_printf(&url, "%s://%s@%s?password=%s", scheme,
		                         user, rest, pw) == 0);
		CHECK(strata__buf_printf(&clean, "%s://%s@%s?password=***",
		                         scheme, user, rest) == 0);
	} else {
		CHECK(strata__buf_printf(&url, "%s://%s:%s@%s", scheme, user,
		                         pw, rest) == 0);
		CHECK(strata__buf_printf(&clean, "%s://%s:***@%s", scheme, user,
		                         rest) == 0);
	}
	redact(&red, url.ptr);
	if (!strstr(clean.ptr, pw))
		CHECK(strstr(red.ptr, pw) == NULL);
	dec = decode(pw);
	if (strcmp(dec, pw) != 0 && strlen(dec) >= 3 && !masked_entirely(dec) &&
	    !strstr(clean.ptr, dec))
		CHECK(strstr(red.ptr, dec) == NULL);
	free(dec);
	/* a '@' in the password, as libpq reads it, makes "password" of
	 * what follows the first '@' less sure: check the echo loosely */
	check_echo(url.ptr, pw,
	           !query && !strchr(pw, '@') && !strchr(pw, '/') &&
	                   !strchr(pw, '?') && !strchr(pw, '#') &&
	                   !strchr(rest, '@') && !strchr(rest, ':') &&
	                   !strstr(clean.ptr, pw));
done:
	strata_buf_release(&url);
	strata_buf_release(&red);
	strata_buf_release(&clean);
	free(user);
	free(pw);
	free(rest);
}

/* sqlite:TEXT: the file never holds the parameters, and the name it is
 * opened by leads back to the same file. */
static void sqlite_url(const char *text)
{
	struct strata__sqlite_url u, again;
	strata_buf url = STRATA_BUF_INIT, uri = STRATA_BUF_INIT;
	char err[256];

	CHECK(strata__buf_printf(&url, "sqlite:%s", text) == 0);
	if (strata__sqlite_url_parse(&u, url.ptr, err, sizeof(err)) != 0) {
		CHECK(err[0] != '\0');
		strata_buf_release(&url);
		return;
	}
	CHECK(u.path[0] != '\0');
	if (strncmp(text, "file:", 5) != 0)
		CHECK(strchr(u.path, '?') == NULL);
	if (!u.uri) {
		CHECK(strcmp(u.open_name, u.path) == 0);
	} else {
		CHECK(strncmp(u.open_name, "file:", 5) == 0);
		CHECK(strata__buf_printf(&uri, "sqlite:%s", u.open_name) == 0);
		CHECK(strata__sqlite_url_parse(&again, uri.ptr, err,
		                               sizeof(err)) == 0);
		CHECK(strcmp(again.path, u.path) == 0);
		CHECK(strcmp(again.open_name, u.open_name) == 0);
		CHECK(again.read_only == u.read_only &&
		      again.memory == u.memory);
		strata__sqlite_url_release(&again);
	}
	strata__sqlite_url_release(&u);
	strata_buf_release(&url);
	strata_buf_release(&uri);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	strata_buf red = STRATA_BUF_INIT, again = STRATA_BUF_INIT;
	struct strata__url u;
	char *url, *scheme;
	size_t i;

	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 1:
		planted(data + 1, size - 1, 0);
		return 0;
	case 2:
		planted(data + 1, size - 1, 1);
		return 0;
	}
	url = strndup((const char *)data + 1, size - 1);
	CHECK(url != NULL);
	CHECK(strata__url_parse(&u, url) != STRATA_ENOMEM);
	scheme = u.scheme;
	if (scheme) {
		CHECK(scheme[0] != '\0');
		for (i = 0; scheme[i]; i++)
			CHECK(!(scheme[i] >= 'A' && scheme[i] <= 'Z'));
		CHECK(strncasecmp(url, scheme, strlen(scheme)) == 0);
		CHECK(url[strlen(scheme)] == ':');
		/* the parts are where the text has them */
		CHECK(!u.body.p ||
		      (u.body.p > u.text &&
		       u.body.p + u.body.n <= u.text + strlen(url)));
		CHECK(!u.path_raw.p ||
		      u.path_raw.p + u.path_raw.n <= u.text + strlen(url));
	}
	for (i = 0; i < u.n_hosts; i++)
		CHECK(u.hosts[i].name != NULL);
	for (i = 0; i < u.n_params; i++)
		CHECK(u.params[i].key && u.params[i].value);
	strata__url_release(&u);
	redact(&red, url);
	redact(&again, red.ptr);
	check_echo(url, NULL, 0);
	sqlite_url(url);
	strata_buf_release(&red);
	strata_buf_release(&again);
	free(url);
	return 0;
}
