/*
 * Positions in text: byte offsets to 1-based line and column, and a
 * UTF-8 validity check.
 */
#include "common.h"
#include "source.h"

void strata__offset_to_pos(const char *text, size_t len, size_t off, int *line,
                           int *col)
{
	size_t i;
	int l = 1, c = 1;

	if (off > len)
		off = len;
	for (i = 0; i < off; i++) {
		if (text[i] == '\n') {
			l++;
			c = 1;
		} else if (((unsigned char)text[i] & 0xC0) != 0x80) {
			c++; /* count characters, not continuation bytes */
		}
	}
	*line = l;
	*col = c;
}

long strata__utf8_check(const char *text, size_t len, int *is_nul)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0;

	*is_nul = 0;
	while (i < len) {
		unsigned char c = s[i];
		size_t need, k;
		uint32_t cp;

		if (c == 0) {
			*is_nul = 1;
			return (long)i;
		}
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			need = 1;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			need = 2;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			need = 3;
			cp = c & 0x07;
		} else {
			return (long)i;
		}
		if (need >= len - i) /* truncated sequence */
			return (long)i;
		for (k = 1; k <= need; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return (long)i;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if ((need == 2 &&
		     (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
		    (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
			return (long)i;
		i += need + 1;
	}
	return -1;
}
