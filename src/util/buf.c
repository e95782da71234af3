/*
 * strata_buf: growable NUL-terminated buffer.
 */
#include <stdio.h>
#include <string.h>

#include "strata/strata.h"
#include "alloc.h"
#include "buf.h"

char strata__buf_empty[1];

void strata_buf_release(strata_buf *buf)
{
	if (!buf)
		return;
	if (buf->alloc)
		strata__free(buf->ptr);
	buf->ptr = strata__buf_empty;
	buf->len = buf->alloc = 0;
}

int strata__buf_grow(strata_buf *buf, size_t extra)
{
	size_t need, n;
	char *p;

	if (extra > SIZE_MAX - buf->len - 1)
		return STRATA_ENOMEM;
	need = buf->len + extra + 1;
	if (need <= buf->alloc)
		return 0;
	n = buf->alloc ? buf->alloc : 64;
	while (n < need)
		n = n > SIZE_MAX / 2 ? need : n * 2;
	p = strata__realloc(buf->alloc ? buf->ptr : NULL, n);
	if (!p)
		return STRATA_ENOMEM;
	if (!buf->alloc)
		p[0] = '\0';
	buf->ptr = p;
	buf->alloc = n;
	return 0;
}

int strata__buf_put(strata_buf *buf, const char *data, size_t len)
{
	if (strata__buf_grow(buf, len) < 0)
		return STRATA_ENOMEM;
	if (len)
		memmove(buf->ptr + buf->len, data, len);
	buf->len += len;
	buf->ptr[buf->len] = '\0';
	return 0;
}

int strata__buf_puts(strata_buf *buf, const char *s)
{
	return strata__buf_put(buf, s, strlen(s));
}

int strata__buf_putc(strata_buf *buf, char c)
{
	return strata__buf_put(buf, &c, 1);
}

int strata__buf_vprintf(strata_buf *buf, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return STRATA_EINVALID;
	if (strata__buf_grow(buf, (size_t)n) < 0)
		return STRATA_ENOMEM;
	vsnprintf(buf->ptr + buf->len, (size_t)n + 1, fmt, ap);
	buf->len += (size_t)n;
	return 0;
}

int strata__buf_printf(strata_buf *buf, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = strata__buf_vprintf(buf, fmt, ap);
	va_end(ap);
	return rc;
}

void strata__buf_truncate(strata_buf *buf, size_t len)
{
	if (len >= buf->len)
		return;
	buf->len = len;
	buf->ptr[len] = '\0';
}

void strata__buf_clear(strata_buf *buf)
{
	strata__buf_truncate(buf, 0);
}

char *strata__buf_detach(strata_buf *buf)
{
	char *p = buf->alloc ? buf->ptr : strata__strdup("");

	buf->ptr = strata__buf_empty;
	buf->len = buf->alloc = 0;
	return p;
}
