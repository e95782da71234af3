/*
 * Rules of strata.conf shared by the command-line tool and its fuzz
 * target: ${VAR} expansion and [target "name"] section names. Strings
 * are malloc'd, for the caller to free().
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "dotenv.h"

char *strata__conf_expand(const char *v, const struct strata__dotenv *dotenv,
                          char *err, size_t err_len)
{
	size_t cap = strlen(v) + 1, n = 0;
	char *out = malloc(cap);

	if (!out)
		return NULL;
	while (*v) {
		const struct strata__dotenv_var *var;
		const char *val = NULL, *end;
		size_t k;

		if (v[0] == '$' && v[1] == '{' && (end = strchr(v, '}'))) {
			char name[128];

			k = (size_t)(end - v - 2);
			if (k == 0 || k >= sizeof(name)) {
				snprintf(err, err_len,
				         "bad variable reference in '%s'", v);
				free(out);
				return NULL;
			}
			memcpy(name, v + 2, k);
			name[k] = '\0';
			val = getenv(name);
			var = val ? NULL : strata__dotenv_find(dotenv, name);
			if (var && var->unset) {
				snprintf(err, err_len,
				         "${%s} (.env:%d) uses ${%s}, which is "
				         "not set",
				         name, var->line, var->unset);
				free(out);
				return NULL;
			}
			if (var)
				val = var->value;
			if (!val) {
				snprintf(
				        err, err_len,
				        "${%s} is not set in the environment%s",
				        name, dotenv ? " or .env" : "");
				free(out);
				return NULL;
			}
			v = end + 1;
		}
		k = val ? strlen(val) : 1;
		if (n + k + 1 > cap) {
			char *p;

			cap = (n + k + 1) * 2;
			p = realloc(out, cap);
			if (!p) {
				free(out);
				return NULL;
			}
			out = p;
		}
		if (val)
			memcpy(out + n, val, k);
		else
			out[n] = *v++;
		n += k;
	}
	out[n] = '\0';
	return out;
}

char *strata__conf_target_name(const char *section)
{
	size_t n = strlen(section);
	const char *q;

	if (strncmp(section, "target \"", 8) != 0 || n < 10 ||
	    section[n - 1] != '"')
		return NULL;
	q = section + 8;
	for (size_t i = 0; i < n - 9; i++)
		if (!(isalnum((unsigned char)q[i]) || q[i] == '_' ||
		      q[i] == '-' || q[i] == '.'))
			return NULL;
	return strndup(q, n - 9);
}
