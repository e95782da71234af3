/*
 * Versions: digit strings of any length, or dotted Flyway versions (1.2.3),
 * ordered numerically part by part. A version's identity is its canonical
 * text: leading zeros of each part dropped, trailing zero parts dropped
 * (Flyway: 1.0 is 1), parts joined by '.'. So "0004" is "4", "1.00.2" is
 * "1.0.2", and "" is no version at all (repeatable migrations).
 */
#include "common.h"
#include "source.h"

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int strata__version_parse(char out[STRATA_VERSION_SIZE], const char *s,
                          size_t len)
{
	size_t i = 0, o = 0, zeros = 0; /* zero parts not written yet */
	int first = 1;

	for (;;) {
		size_t start = i, nz, n;

		while (i < len && s[i] == '0')
			i++;
		nz = i;
		while (i < len && is_digit(s[i]))
			i++;
		if (i == start)
			return STRATA_EPARSE; /* an empty part, or no digit */
		n = i - nz;
		if (n == 0 && !first) {
			zeros++; /* written only if a later part is not 0 */
		} else {
			/* ".0" per zero part before, ".", the digits */
			if (o + zeros * 2 + !first + (n ? n : 1) >
			    STRATA_VERSION_MAX)
				return STRATA_EINVALID;
			for (; zeros; zeros--) {
				out[o++] = '.';
				out[o++] = '0';
			}
			if (!first)
				out[o++] = '.';
			if (n)
				memcpy(out + o, s + nz, n);
			else
				out[o] = '0';
			o += n ? n : 1;
		}
		first = 0;
		if (i == len)
			break;
		if (s[i] != '.' && s[i] != '_')
			return STRATA_EPARSE;
		i++;
	}
	out[o] = '\0';
	return 0;
}

/* The next part of the version at *p: its significant digits d[0, n) (n
 * is 0 for a zero part); *p moves past it and its separator. Any other
 * character separates parts too, so that any text compares. @return 0
 * when there is no part left. */
static int next_part(const char **p, const char **d, size_t *n)
{
	const char *s = *p;

	if (!*s)
		return 0;
	while (*s == '0')
		s++;
	*d = s;
	while (is_digit(*s))
		s++;
	*n = (size_t)(s - *d);
	if (*s)
		s++;
	*p = s;
	return 1;
}

int strata__version_cmp(const char *a, const char *b)
{
	const char *da = "", *db = "";
	size_t na, nb;

	/* no version (a repeatable) comes before every version */
	if (!*a || !*b)
		return (*a != '\0') - (*b != '\0');
	for (;;) {
		int ha = next_part(&a, &da, &na), hb = next_part(&b, &db, &nb);
		int c;

		if (!ha && !hb)
			return 0;
		if (!ha)
			na = 0; /* a part that is not there is 0 */
		if (!hb)
			nb = 0;
		if (na != nb)
			return na < nb ? -1 : 1;
		c = memcmp(da, db, na);
		if (c)
			return c < 0 ? -1 : 1;
	}
}

void strata__version_key(char out[STRATA_VERSION_KEY_SIZE], const char *v)
{
	size_t o = 0;

	while (*v) {
		size_t n = strcspn(v, ".");

		/* canonical: a part has 1 to STRATA_VERSION_MAX digits */
		if (o)
			out[o++] = '.';
		out[o++] = (char)('0' + n / 10 % 10);
		out[o++] = (char)('0' + n % 10);
		memcpy(out + o, v, n);
		o += n;
		v += n;
		if (*v)
			v++;
	}
	out[o] = '\0';
}

int strata__version_next(char out[STRATA_VERSION_SIZE], const char *v)
{
	char t[STRATA_VERSION_MAX + 2];
	size_t n = strcspn(v, "."), i;
	const char *r;

	/* the first part plus one, in decimal of any length */
	if (n > STRATA_VERSION_MAX)
		return STRATA_EINVALID;
	t[0] = '0';
	memcpy(t + 1, v, n);
	t[n + 1] = '\0';
	for (i = n + 1; i-- > 0;) {
		if (t[i] != '9') {
			t[i]++;
			break;
		}
		t[i] = '0';
	}
	r = t[0] == '0' ? t + 1 : t; /* no carry into the extra digit */
	if (strlen(r) > STRATA_VERSION_MAX)
		return STRATA_EINVALID;
	memcpy(out, r, strlen(r) + 1);
	return 0;
}

int strata_version_parse(strata_buf *out, const char *text)
{
	char v[STRATA_VERSION_SIZE];

	if (!out || !text || strata__version_parse(v, text, strlen(text)) < 0)
		return STRATA_EINVALID;
	strata__buf_clear(out);
	return strata__buf_puts(out, v) < 0 ? STRATA_ENOMEM : 0;
}

int strata_version_cmp(const char *a, const char *b)
{
	return strata__version_cmp(a ? a : "", b ? b : "");
}
