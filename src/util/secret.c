/*
 * The password finder and the mask (secret.h).
 */
#include <string.h>

#include "secret.h"

int strata__url_password(const char *url, const char **pw, size_t *n)
{
	const char *auth = strstr(url, "://"), *at = NULL, *colon, *end, *p;

	*pw = NULL;
	*n = 0;
	if (auth) {
		auth += 3;
		end = auth + strcspn(auth, "?#");
		for (p = auth; p < end; p++)
			if (*p == '@')
				at = p;
		if (!at)
			at = strrchr(auth, '@');
		if (at) {
			colon = memchr(auth, ':', (size_t)(at - auth));
			if (colon) {
				*pw = colon + 1;
				*n = (size_t)(at - *pw);
			}
		}
	}
	if (!*pw) {
		p = strstr(url, "password=");
		if (p) {
			*pw = p + 9;
			*n = strcspn(*pw, "& ;");
		}
	}
	return *pw && *n;
}

void strata__mask_secret(strata_buf *text, const char *secret)
{
	size_t k = secret ? strlen(secret) : 0, from = 0;
	char *p;

	if (k < 2)
		return; /* masking one character would garble the text */
	if (strspn(secret, "*") == k)
		return; /* the mask itself: masking would never end */
	while ((p = strstr(text->ptr + from, secret)) != NULL) {
		size_t at = (size_t)(p - text->ptr);

		if (k >= 3) {
			memcpy(p, "***", 3);
			memmove(p + 3, p + k, text->len - at - k + 1);
			text->len -= k - 3;
			from = at + 3;
		} else {
			memset(p, '*', k);
			from = at + k;
		}
	}
}
