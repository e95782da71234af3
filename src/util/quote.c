/*
 * Quoting of names and escaping of text for printing (quote.h): git's
 * quote_c_style with core.quotePath=false, plus invalid UTF-8 and the C1
 * controls, which git leaves as they are.
 */
#include <string.h>

#include "strata/strata.h"
#include "quote.h"

/* The length of the valid UTF-8 sequence at s (s[0] >= 0x80), or 0. */
static size_t utf8_len(const unsigned char *s, size_t len)
{
	size_t need, k;

	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		need = 2;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		need = 3;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		need = 4;
	else
		return 0;
	if (len < need)
		return 0;
	for (k = 1; k < need; k++)
		if ((s[k] & 0xC0) != 0x80)
			return 0;
	/* overlong forms, surrogates and code points above U+10FFFF */
	if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F) ||
	    (s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] > 0x8F))
		return 0;
	return need;
}

/* Bytes from s that print as they are: 0 when s[0] must be escaped. */
static size_t plain_len(const unsigned char *s, size_t len, int name)
{
	size_t n;

	if (s[0] < 0x20 || s[0] == 0x7f)
		return 0;
	if (name && (s[0] == '"' || s[0] == '\\'))
		return 0;
	if (s[0] < 0x80)
		return 1;
	n = utf8_len(s, len);
	/* U+0080 to U+009F: C1 controls (0x9B is a CSI on some terminals) */
	if (n == 2 && s[0] == 0xC2 && s[1] < 0xA0)
		return 0;
	return n;
}

static int needs_escape(const char *s, size_t len, int name)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		n = plain_len(u + i, len - i, name);
		if (!n)
			return 1;
		i += n;
	}
	return 0;
}

int strata__quote_needed(const char *s, size_t len)
{
	return needs_escape(s, len, 1);
}

static int put_escape(strata_buf *out, unsigned char c)
{
	static const char letters[] = "abtnvfr";
	char e[5];

	if (c >= '\a' && c <= '\r') {
		e[0] = '\\';
		e[1] = letters[c - '\a'];
		return strata__buf_put(out, e, 2);
	}
	if (c == '"' || c == '\\') {
		e[0] = '\\';
		e[1] = (char)c;
		return strata__buf_put(out, e, 2);
	}
	e[0] = '\\';
	e[1] = (char)('0' + (c >> 6));
	e[2] = (char)('0' + ((c >> 3) & 7));
	e[3] = (char)('0' + (c & 7));
	return strata__buf_put(out, e, 4);
}

/* Append s with what must be escaped escaped; runs of plain bytes are
 * copied whole. */
static int put_escaped(strata_buf *out, const char *s, size_t len, int name)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run = 0, n;
	int rc = 0;

	while (rc == 0 && i < len) {
		n = plain_len(u + i, len - i, name);
		if (n) {
			i += n;
			continue;
		}
		rc = strata__buf_put(out, s + run, i - run);
		if (rc == 0 && u[i] >= 0x80 && u[i] != 0xC2) {
			rc = put_escape(out, u[i]);
			i++;
		} else if (rc == 0 && u[i] == 0xC2 && i + 1 < len &&
		           u[i + 1] >= 0x80 && u[i + 1] < 0xA0) {
			/* a C1 control: both of its bytes */
			rc = put_escape(out, u[i]);
			if (rc == 0)
				rc = put_escape(out, u[i + 1]);
			i += 2;
		} else if (rc == 0) {
			rc = put_escape(out, u[i]);
			i++;
		}
		run = i;
	}
	if (rc == 0)
		rc = strata__buf_put(out, s + run, i - run);
	return rc;
}

int strata__quote_put(strata_buf *out, const char *s, size_t len)
{
	size_t old = out->len;
	int rc;

	if (!needs_escape(s, len, 1))
		return strata__buf_put(out, s, len);
	rc = strata__buf_putc(out, '"');
	if (rc == 0)
		rc = put_escaped(out, s, len, 1);
	if (rc == 0)
		rc = strata__buf_putc(out, '"');
	if (rc < 0)
		strata__buf_truncate(out, old);
	return rc;
}

int strata__escape_put(strata_buf *out, const char *s, size_t len)
{
	size_t old = out->len;
	int rc = put_escaped(out, s, len, 0);

	if (rc < 0)
		strata__buf_truncate(out, old);
	return rc;
}

int strata__escape_buf(strata_buf *buf, size_t from)
{
	strata_buf t = STRATA_BUF_INIT;
	int rc;

	if (from > buf->len ||
	    !needs_escape(buf->ptr + from, buf->len - from, 0))
		return 0;
	rc = strata__buf_put(&t, buf->ptr, from);
	if (rc == 0)
		rc = put_escaped(&t, buf->ptr + from, buf->len - from, 0);
	if (rc < 0) {
		strata_buf_release(&t);
		return rc;
	}
	strata_buf_release(buf);
	*buf = t;
	return 0;
}

const char *strata__quoted(strata_buf *tmp, const char *s)
{
	size_t len = strlen(s);

	if (!needs_escape(s, len, 1))
		return s;
	strata__buf_clear(tmp);
	if (strata__quote_put(tmp, s, len) < 0)
		return "\"?\"";
	return tmp->ptr;
}

int strata__utf8_put_valid(strata_buf *out, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t old = out->len, i = 0, run = 0, n;
	int rc = 0;

	while (rc == 0 && i < len) {
		n = u[i] < 0x80 ? 1 : utf8_len(u + i, len - i);
		if (n) {
			i += n;
			continue;
		}
		rc = strata__buf_put(out, s + run, i - run);
		if (rc == 0)
			rc = strata__buf_puts(out, "\xEF\xBF\xBD");
		run = ++i;
	}
	if (rc == 0)
		rc = strata__buf_put(out, s + run, i - run);
	if (rc < 0)
		strata__buf_truncate(out, old);
	return rc;
}
