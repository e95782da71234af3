/*
 * URL helpers. Redaction must never leak: when in doubt, mask more.
 */
#include <ctype.h>
#include <strings.h>

#include "common.h"
#include "url.h"
#include "../util/secret.h"

int strata__url_scheme(char *out, size_t out_len, const char *url)
{
	size_t i;

	for (i = 0; url[i] && url[i] != ':'; i++) {
		unsigned char c = (unsigned char)url[i];

		if (!(isalnum(c) || c == '+' || c == '-' || c == '.') ||
		    i + 1 >= out_len)
			return STRATA_EINVALID;
		out[i] = (char)tolower(c);
	}
	if (url[i] != ':' || i == 0)
		return STRATA_EINVALID;
	out[i] = '\0';
	return 0;
}

/* Mask "password=VALUE" (query parameter or conninfo keyword). */
static int put_masked_params(strata_buf *out, const char *s, size_t n)
{
	size_t i = 0;
	int rc = 0;

	while (rc == 0 && i < n) {
		int at_key = i == 0 || s[i - 1] == '?' || s[i - 1] == '&' ||
		             s[i - 1] == ' ' || s[i - 1] == ';';

		if (at_key && n - i >= 9 &&
		    strncasecmp(s + i, "password=", 9) == 0) {
			rc = strata__buf_put(out, s + i, 9);
			if (rc == 0)
				rc = strata__buf_puts(out, "***");
			i += 9;
			while (i < n && s[i] != '&' && s[i] != ' ' &&
			       s[i] != ';')
				i++;
			continue;
		}
		rc = strata__buf_putc(out, s[i++]);
	}
	return rc;
}

int strata__url_redact(strata_buf *out, const char *url)
{
	const char *auth = strstr(url, "://"), *at, *colon, *end;
	int rc;

	if (!auth)
		return put_masked_params(out, url, strlen(url));
	auth += 3;
	/* the authority ends at the first '/', '?' or '#', but a password
	 * may hold '@' and '/' unencoded (p@ss/w): the last '@' before the
	 * query ends the user info. A '@' in the path masks more than the
	 * password, never less. */
	end = auth + strcspn(auth, "?#");
	at = NULL;
	for (const char *p = auth; p < end; p++)
		if (*p == '@')
			at = p;
	if (!at) {
		/* a malformed authority may still hold "user:pass@": mask
		 * everything after the first ':' up to the last '@' */
		const char *last_at = strrchr(auth, '@');

		if (!last_at)
			return put_masked_params(out, url, strlen(url));
		at = last_at;
		end = last_at + 1;
	}
	colon = memchr(auth, ':', (size_t)(at - auth));
	rc = strata__buf_put(out, url, (size_t)(auth - url));
	if (rc == 0 && colon) {
		rc = strata__buf_put(out, auth, (size_t)(colon - auth));
		if (rc == 0)
			rc = strata__buf_puts(out, ":***");
	} else if (rc == 0) {
		rc = strata__buf_put(out, auth, (size_t)(at - auth));
	}
	if (rc == 0)
		rc = put_masked_params(out, at, strlen(at));
	return rc;
}

void strata__redact_secret(strata_buf *text, const char *secret)
{
	const char *p, *at;
	char small[128];

	if (!secret)
		return;
	strata__mask_secret(text, secret);
	/*
	 * A raw '@' or '/' in a password (p@ss/w): libpq and libmariadb end
	 * the user info at the first '@' and read the rest as host and
	 * database names, which their errors print. Mask each part between
	 * '@' and '/' of 3 bytes or more as well.
	 */
	for (p = secret; strpbrk(secret, "@/"); p = at + 1) {
		size_t n;

		at = strpbrk(p, "@/");
		n = at ? (size_t)(at - p) : strlen(p);
		if (n >= 3 && n < sizeof(small)) {
			memcpy(small, p, n);
			small[n] = '\0';
			strata__mask_secret(text, small);
		} else if (n >= 3) {
			char *part = strata__strndup(p, n);

			if (part)
				strata__mask_secret(text, part);
			strata__free(part);
		}
		if (!at)
			break;
	}
}

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

static char *percent_decode(const char *s, size_t n)
{
	char *out = strata__malloc(n + 1);
	size_t i, k = 0;

	if (!out)
		return NULL;
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

int strata__url_secrets(const char *url, char **raw, char **decoded)
{
	const char *pw;
	size_t n;

	*raw = *decoded = NULL;
	if (!strata__url_password(url, &pw, &n))
		return 0;
	*raw = strata__strndup(pw, n);
	*decoded = percent_decode(pw, n);
	if (!*raw || !*decoded) {
		strata__free(*raw);
		strata__free(*decoded);
		*raw = *decoded = NULL;
		return STRATA_ENOMEM;
	}
	return 0;
}
