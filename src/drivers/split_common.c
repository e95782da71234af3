/*
 * What the statement splitters share.
 */
#include "split.h"

int strata__split_keyword(const char *s, size_t n, const char *kw,
                          size_t kw_len)
{
	if (n != kw_len)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 'a' && c <= 'z')
			c = (unsigned char)(c - 'a' + 'A');
		if (c != (unsigned char)kw[i])
			return 0;
	}
	return 1;
}
