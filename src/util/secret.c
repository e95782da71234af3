/*
 * The mask (secret.h).
 */
#include <string.h>

#include "alloc.h"
#include "secret.h"

static void mask_exact(strata_buf *text, const char *secret)
{
	size_t k = strlen(secret), from = 0;
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

void strata__mask_secret(strata_buf *text, const char *secret)
{
	const char *p, *at;
	char small[128];

	if (!secret)
		return;
	mask_exact(text, secret);
	for (p = secret; strpbrk(secret, "@/"); p = at + 1) {
		size_t n;

		at = strpbrk(p, "@/");
		n = at ? (size_t)(at - p) : strlen(p);
		if (n >= 3 && n < sizeof(small)) {
			memcpy(small, p, n);
			small[n] = '\0';
			mask_exact(text, small);
		} else if (n >= 3) {
			char *part = strata__strndup(p, n);

			if (part)
				mask_exact(text, part);
			strata__free(part);
		}
		if (!at)
			break;
	}
}
