/*
 * -- strata:lint-ignore RULE[, RULE] reason: in the comments before a
 * statement, the rules it names do not report on that statement (their
 * findings are kept as suppressed, "ignored"). An unknown rule is input
 * lint cannot read, at the marker's line.
 */
#include <ctype.h>
#include <strings.h>

#include "common.h"
#include "lint.h"
#include "markers.h"
#include "source.h"

static int is_rule_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_';
}

/* b[0, bl) is past "strata:lint-ignore" */
static int read_rules(struct lint_run *r, const char *t, size_t len, size_t at,
                      const char *b, size_t bl)
{
	size_t i = 0;
	int line, col, n = 0;

	strata__offset_to_pos(t, len, at, &line, &col);
	for (;;) {
		size_t s;
		int rule;

		while (i < bl && (b[i] == ' ' || b[i] == '\t'))
			i++;
		s = i;
		while (i < bl && is_rule_char(b[i]))
			i++;
		if (i == s)
			break;
		rule = strata__lint_rule_find(b + s, i - s);
		if (rule < 0)
			return strata__lint_input(
			        r, line, col,
			        "strata:lint-ignore: unknown rule '%.*s' "
			        "(strata lint --rules lists them)",
			        (int)(i - s > 60 ? 60 : i - s), b + s);
		r->ignored[rule] = 1;
		n++;
		while (i < bl && (b[i] == ' ' || b[i] == '\t'))
			i++;
		if (i < bl && b[i] == ',') {
			i++;
			continue;
		}
		break; /* the reason follows */
	}
	if (!n)
		return strata__lint_input(r, line, col,
		                          "strata:lint-ignore names no rule: "
		                          "write '-- strata:lint-ignore RULE "
		                          "reason'");
	return 0;
}

int strata__lint_ignores(struct lint_run *r, const char *t, size_t len,
                         size_t off, size_t first)
{
	static const char word[] = "strata:lint-ignore";
	struct line l;
	size_t pos = off;

	memset(r->ignored, 0, sizeof(r->ignored));
	while (pos < first && strata__next_line(t, first, pos, &l)) {
		const char *b;
		size_t bl, k = sizeof(word) - 1;
		int rc;

		pos = l.next;
		if (!strata__comment_body(t, &l, &b, &bl))
			continue;
		if (bl < k || strncasecmp(b, word, k) != 0 ||
		    (bl > k && b[k] != ' ' && b[k] != '\t'))
			continue;
		rc = read_rules(r, t, len, l.off, b + k, bl - k);
		if (rc < 0)
			return rc;
	}
	return 0;
}
