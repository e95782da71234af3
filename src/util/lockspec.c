/*
 * The lock-timeout setting's syntax (lockspec.h).
 */
#include <stdio.h>
#include <string.h>

#include "lockspec.h"

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* A whole number at s[*i..n), at most max; -1 when none or too big. */
static long number(const char *s, size_t n, size_t *i, long max)
{
	long v = 0;
	size_t start = *i;

	while (*i < n && s[*i] >= '0' && s[*i] <= '9') {
		v = v * 10 + (s[*i] - '0');
		if (v > max)
			return -1;
		(*i)++;
	}
	return *i > start ? v : -1;
}

/* The unit's milliseconds, the unit being s[start..*i), or 0. */
static long unit_ms(const char *s, size_t n, size_t *i)
{
	size_t start = *i, k;

	while (*i < n && !is_blank(s[*i]))
		(*i)++;
	k = *i - start;
	if (k == 2 && strncmp(s + start, "ms", 2) == 0)
		return 1;
	if (k == 1 && s[start] == 's')
		return 1000;
	if (k == 3 && strncmp(s + start, "min", 3) == 0)
		return 60000;
	if (k == 1 && s[start] == 'h')
		return 3600000;
	return 0;
}

static int duration(struct strata__lockspec *out, const char *s, size_t n,
                    size_t *i, char *why, size_t why_size)
{
	size_t start = *i;
	long v = number(s, n, i, STRATA_LOCKSPEC_MAX_MS), unit;

	unit = v >= 0 ? unit_ms(s, n, i) : 0;
	if (v <= 0 || unit == 0 || v > STRATA_LOCKSPEC_MAX_MS / unit) {
		while (*i < n && !is_blank(s[*i]))
			(*i)++;
		snprintf(why, why_size,
		         "bad lock timeout '%.*s': expected a duration "
		         "from 1ms to 24h such as 100ms, 2s, 1min or 1h",
		         (int)(*i - start > 40 ? 40 : *i - start), s + start);
		return -1;
	}
	out->timeout_ms = (int)(v * unit);
	return 0;
}

static int retries(struct strata__lockspec *out, const char *s, size_t n,
                   size_t *i, char *why, size_t why_size)
{
	size_t start = *i;
	long v = -1;

	if (n - *i >= 8 && strncmp(s + *i, "retries=", 8) == 0) {
		*i += 8;
		v = number(s, n, i, STRATA_LOCKSPEC_MAX_RETRIES);
	}
	if (v < 0 || (*i < n && !is_blank(s[*i]))) {
		while (*i < n && !is_blank(s[*i]))
			(*i)++;
		snprintf(why, why_size,
		         "bad '%.*s' after the lock timeout: expected "
		         "retries=N, N from 0 to %d",
		         (int)(*i - start > 40 ? 40 : *i - start), s + start,
		         STRATA_LOCKSPEC_MAX_RETRIES);
		return -1;
	}
	out->retries = (int)v;
	return 0;
}

int strata__lockspec_parse(struct strata__lockspec *out, const char *s,
                           size_t n, char *why, size_t why_size)
{
	size_t i = 0;

	memset(out, 0, sizeof(*out));
	why[0] = '\0';
	while (i < n && is_blank(s[i]))
		i++;
	if (i == n) {
		snprintf(why, why_size,
		         "lock timeout missing: expected a duration such as "
		         "2s, and optionally retries=N");
		return -1;
	}
	if (duration(out, s, n, &i, why, why_size) < 0)
		return -1;
	while (i < n && is_blank(s[i]))
		i++;
	if (i < n && retries(out, s, n, &i, why, why_size) < 0)
		return -1;
	while (i < n && is_blank(s[i]))
		i++;
	if (i < n) {
		snprintf(why, why_size,
		         "unexpected '%.*s' after the lock timeout's retries",
		         (int)(n - i > 40 ? 40 : n - i), s + i);
		return -1;
	}
	return 0;
}

void strata__lockspec_format(char *out, size_t n, int timeout_ms)
{
	if (timeout_ms % 3600000 == 0)
		snprintf(out, n, "%dh", timeout_ms / 3600000);
	else if (timeout_ms % 60000 == 0)
		snprintf(out, n, "%dmin", timeout_ms / 60000);
	else if (timeout_ms % 1000 == 0)
		snprintf(out, n, "%ds", timeout_ms / 1000);
	else
		snprintf(out, n, "%dms", timeout_ms);
}
