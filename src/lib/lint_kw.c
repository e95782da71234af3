/*
 * MySQL's and SQLite's lint rules, on a keyword reading of each
 * statement: no parser of theirs is at hand, so a statement is read as
 * words, quoted names and punctuation, and only the shapes the rules need
 * are recognised (CREATE/DROP/ALTER/RENAME TABLE, TRUNCATE, DROP
 * DATABASE, SET lock_wait_timeout, SOURCE). Anything else is left alone.
 */
#include <ctype.h>
#include <strings.h>

#include "common.h"
#include "lint.h"

enum tk {
	T_WORD,
	T_NAME,
	T_STR,
	T_PUNCT
};

struct tok {
	enum tk kind;
	const char *s;
	size_t n;
};

#define MAX_TOKS 4096

struct toks {
	struct tok v[MAX_TOKS];
	size_t n;
};

static int word_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

/* past a quoted run starting at i (the quote q), doubled quotes and, in
 * MySQL strings, backslashes escaping */
static size_t skip_quoted(const char *s, size_t n, size_t i, char q, int bs)
{
	char close = q == '[' ? ']' : q;

	for (i++; i < n; i++) {
		if (bs && s[i] == '\\') {
			i++;
			continue;
		}
		if (s[i] == close) {
			if (i + 1 < n && s[i + 1] == close && close != ']') {
				i++;
				continue;
			}
			return i + 1;
		}
	}
	return n;
}

static void tokenize(struct toks *t, const char *s, size_t n, int mysql)
{
	size_t i = 0;

	t->n = 0;
	while (i < n && t->n < MAX_TOKS) {
		unsigned char c = (unsigned char)s[i];
		size_t j;

		if (isspace(c)) {
			i++;
		} else if ((c == '-' && i + 1 < n && s[i + 1] == '-') ||
		           (c == '#' && mysql)) {
			while (i < n && s[i] != '\n')
				i++;
		} else if (c == '/' && i + 1 < n && s[i + 1] == '*') {
			for (i += 2;
			     i + 1 < n && !(s[i] == '*' && s[i + 1] == '/');
			     i++)
				;
			i += 2;
		} else if (c == '\'' || (c == '"' && mysql)) {
			j = skip_quoted(s, n, i, (char)c, mysql);
			t->v[t->n++] = (struct tok){ T_STR, s + i, j - i };
			i = j;
		} else if (c == '"' || c == '`' || (c == '[' && !mysql)) {
			j = skip_quoted(s, n, i, (char)c, 0);
			t->v[t->n++] =
			        (struct tok){ T_NAME, s + i + 1,
				              j - i >= 2 ? j - i - 2 : 0 };
			i = j;
		} else if (word_char(c)) {
			for (j = i; j < n && word_char((unsigned char)s[j]);
			     j++)
				;
			t->v[t->n++] = (struct tok){ T_WORD, s + i, j - i };
			i = j;
		} else {
			t->v[t->n++] = (struct tok){ T_PUNCT, s + i, 1 };
			i++;
		}
	}
}

static int kw(const struct toks *t, size_t i, const char *w)
{
	return i < t->n && t->v[i].kind == T_WORD && t->v[i].n == strlen(w) &&
	       strncasecmp(t->v[i].s, w, t->v[i].n) == 0;
}

static int punct(const struct toks *t, size_t i, char c)
{
	return i < t->n && t->v[i].kind == T_PUNCT && t->v[i].s[0] == c;
}

/*
 * A (qualified) name at i: its last part, NUL-terminated in out; i moves
 * past it. @return 0 when there is none
 */
static int name_at(const struct toks *t, size_t *i, char *out, size_t size)
{
	const struct tok *k;

	if (*i >= t->n || (t->v[*i].kind != T_WORD && t->v[*i].kind != T_NAME))
		return 0;
	k = &t->v[*i];
	(*i)++;
	while (punct(t, *i, '.') && *i + 1 < t->n &&
	       (t->v[*i + 1].kind == T_WORD || t->v[*i + 1].kind == T_NAME)) {
		k = &t->v[*i + 1];
		*i += 2;
	}
	snprintf(out, size, "%.*s", (int)(k->n > 200 ? 200 : k->n), k->s);
	return 1;
}

static size_t if_exists(const struct toks *t, size_t i)
{
	if (kw(t, i, "IF") && kw(t, i + 1, "EXISTS"))
		return i + 2;
	if (kw(t, i, "IF") && kw(t, i + 1, "NOT") && kw(t, i + 2, "EXISTS"))
		return i + 3;
	return i;
}

static int need_lock_timeout(struct lint_run *r, const char *table)
{
	if (r->dialect != LINT_MY)
		return 0;
	return strata__lint_need_lock_timeout(r, table, "the metadata lock");
}

static int create_table(struct lint_run *r, const struct toks *t, size_t i)
{
	char name[256];

	while (kw(t, i, "TEMP") || kw(t, i, "TEMPORARY") || kw(t, i, "VIRTUAL"))
		i++;
	if (!kw(t, i, "TABLE"))
		return 0;
	i = if_exists(t, i + 1);
	if (!name_at(t, &i, name, sizeof(name)))
		return 0;
	return strata__lint_names_add(&r->new_tables, name, strlen(name));
}

static int drop_table(struct lint_run *r, const struct toks *t, size_t i)
{
	char name[256];
	int rc = 0;

	if (kw(t, i, "TEMPORARY"))
		i++;
	if (!kw(t, i, "TABLE"))
		return 0;
	i = if_exists(t, i + 1);
	while (rc >= 0 && name_at(t, &i, name, sizeof(name))) {
		int was_new = strata__lint_names_has(&r->new_tables, name,
		                                     strlen(name));

		rc = strata__lint_report(r, LINT_BAN_DROP_TABLE, name,
		                         "dropping table %s loses its data",
		                         name);
		if (rc >= 0 && !was_new)
			rc = strata__lint_names_add(&r->old_dropped, name,
			                            strlen(name));
		strata__lint_names_remove(&r->new_tables, name, strlen(name));
		if (!punct(t, i, ','))
			break;
		i++;
	}
	return rc;
}

/*
 * SQLite's rebuild: a table renamed to the name of a table the run
 * dropped holds that table's rows. The drop's finding in this part
 * becomes the rebuild's; the table stays an existing one.
 */
static int rebuilt(struct lint_run *r, const char *from, const char *to)
{
	size_t k;

	if (r->dialect != LINT_SL ||
	    !strata__lint_names_has(&r->old_dropped, to, strlen(to)))
		return 0;
	for (k = r->part_first; k < r->n; k++) {
		struct lint_item *it = &r->v[k];
		char *msg;

		if (it->rule != LINT_BAN_DROP_TABLE || !it->table ||
		    strcasecmp(it->table, to) != 0)
			continue;
		msg = strata__strdup("table is rebuilt (create, copy, drop, "
		                     "rename): check that foreign keys are "
		                     "off (PRAGMA foreign_keys) and that its "
		                     "indexes, triggers and views are made "
		                     "again");
		if (!msg)
			return STRATA_ENOMEM;
		strata__free(it->message);
		it->message = msg;
		it->rule = LINT_SQLITE_TABLE_REBUILD;
		/* off: level 0, left out of what strata_lint hands out */
		it->level = strata__lint_level(r, LINT_SQLITE_TABLE_REBUILD);
	}
	strata__lint_names_remove(&r->new_tables, from, strlen(from));
	return 1;
}

static int rename_table(struct lint_run *r, const char *from, const char *to)
{
	int was_new, rc = rebuilt(r, from, to);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	was_new = strata__lint_names_has(&r->new_tables, from, strlen(from));
	rc = strata__lint_report(r, LINT_RENAMING_TABLE, from,
	                         "renaming table %s to %s breaks the "
	                         "queries of the running application",
	                         from, to);
	strata__lint_names_remove(&r->new_tables, from, strlen(from));
	if (rc >= 0 && was_new)
		rc = strata__lint_names_add(&r->new_tables, to, strlen(to));
	return rc;
}

/* ADD [COLUMN] c type ... on SQLite: NOT NULL needs a non-NULL default */
static int sqlite_add(struct lint_run *r, const struct toks *t, size_t i,
                      size_t end, const char *table)
{
	char col[256];
	int not_null = 0, def = 0;

	if (kw(t, i, "COLUMN"))
		i++;
	if (!name_at(t, &i, col, sizeof(col)))
		return 0;
	for (; i < end; i++) {
		if (kw(t, i, "NOT") && kw(t, i + 1, "NULL"))
			not_null = 1;
		if (kw(t, i, "DEFAULT") && !kw(t, i + 1, "NULL"))
			def = 1;
	}
	if (!not_null || def)
		return 0;
	return strata__lint_report(r, LINT_SQLITE_ADDING_REQUIRED_FIELD, table,
	                           "SQLite refuses to add column %s NOT NULL "
	                           "without a default other than NULL",
	                           col);
}

static int is_index_word(const struct toks *t, size_t i)
{
	static const char *const w[] = { "INDEX",     "KEY",        "PRIMARY",
		                         "FOREIGN",   "CONSTRAINT", "CHECK",
		                         "UNIQUE",    "FULLTEXT",   "SPATIAL",
		                         "PARTITION", "PERIOD",     "SYSTEM" };
	size_t k;

	for (k = 0; k < ARRAY_SIZE(w); k++)
		if (kw(t, i, w[k]))
			return 1;
	return 0;
}

/* One clause of ALTER TABLE, t[i, end). */
static int alter_clause(struct lint_run *r, const struct toks *t, size_t i,
                        size_t end, const char *table)
{
	char a[256], b[256];
	size_t j;

	if (kw(t, i, "RENAME")) {
		j = i + 1;
		if (kw(t, j, "COLUMN")) {
			j++;
			if (!name_at(t, &j, a, sizeof(a)))
				return 0;
			return strata__lint_report(
			        r, LINT_RENAMING_COLUMN, table,
			        "renaming %s.%s breaks the queries of the "
			        "running application",
			        table, a);
		}
		if (is_index_word(t, j))
			return 0;
		if (kw(t, j, "TO") || kw(t, j, "AS"))
			j++;
		if (!name_at(t, &j, b, sizeof(b)))
			return 0;
		return rename_table(r, table, b);
	}
	if (kw(t, i, "DROP")) {
		j = i + 1;
		if (kw(t, j, "PRIMARY") && r->dialect == LINT_MY)
			return strata__lint_report(
			        r, LINT_MYSQL_TABLE_REBUILD, table,
			        "dropping the primary key copies table %s",
			        table);
		if (is_index_word(t, j))
			return 0;
		if (kw(t, j, "COLUMN"))
			j++;
		j = if_exists(t, j);
		if (!name_at(t, &j, a, sizeof(a)))
			return 0;
		return strata__lint_report(
		        r, LINT_BAN_DROP_COLUMN, table,
		        "dropping column %s of %s loses its data%s", a, table,
		        r->dialect == LINT_SL ? " (and SQLite rewrites the "
		                                "table)" :
		                                "");
	}
	if (kw(t, i, "ADD")) {
		if (r->dialect == LINT_SL)
			return sqlite_add(r, t, i + 1, end, table);
		if (kw(t, i + 1, "PRIMARY"))
			return strata__lint_report(
			        r, LINT_MYSQL_TABLE_REBUILD, table,
			        "adding a primary key copies table %s", table);
		return 0;
	}
	if (r->dialect != LINT_MY)
		return 0;
	if (kw(t, i, "MODIFY") || kw(t, i, "CHANGE")) {
		j = i + 1;
		if (kw(t, j, "COLUMN"))
			j++;
		j = if_exists(t, j);
		if (!name_at(t, &j, a, sizeof(a)))
			return 0;
		return strata__lint_report(
		        r, LINT_CHANGING_COLUMN_TYPE, table,
		        "%s of %s.%s: a changed type copies the whole table "
		        "(ALGORITHM=COPY) while writes wait",
		        kw(t, i, "MODIFY") ? "MODIFY" : "CHANGE", table, a);
	}
	for (j = i; j < end; j++)
		if ((kw(t, j, "ENGINE") || kw(t, j, "FORCE") ||
		     (kw(t, j, "CONVERT") && kw(t, j + 1, "TO")) ||
		     (kw(t, j, "ALGORITHM") && kw(t, j + 2, "COPY"))) &&
		    j == i)
			return strata__lint_report(
			        r, LINT_MYSQL_TABLE_REBUILD, table,
			        "%.*s copies the whole table %s",
			        (int)t->v[j].n, t->v[j].s, table);
	return 0;
}

static int alter_table(struct lint_run *r, const struct toks *t, size_t i)
{
	char table[256];
	int rc = 0;
	int depth = 0;
	size_t start;

	while (kw(t, i, "ONLINE") || kw(t, i, "IGNORE"))
		i++;
	if (!kw(t, i, "TABLE"))
		return 0;
	i = if_exists(t, i + 1);
	if (!name_at(t, &i, table, sizeof(table)))
		return 0;
	rc = need_lock_timeout(r, table);
	for (start = i; rc >= 0 && i <= t->n; i++) {
		if (i < t->n && punct(t, i, '('))
			depth++;
		else if (i < t->n && punct(t, i, ')'))
			depth--;
		if (i == t->n || (depth == 0 && punct(t, i, ','))) {
			rc = alter_clause(r, t, start, i, table);
			start = i + 1;
		}
	}
	return rc;
}

/* SET [SESSION|LOCAL|@@session.]lock_wait_timeout = N */
static void set_stmt(struct lint_run *r, const struct toks *t)
{
	size_t i;

	for (i = 1; i + 2 < t->n; i++)
		if (kw(t, i, "lock_wait_timeout") && punct(t, i + 1, '=')) {
			r->lock_timeout = 1;
			return;
		}
}

int strata__lint_kw(struct lint_run *r)
{
	const struct lint_stmt *st = r->st;
	struct toks *t = strata__malloc(sizeof(*t));
	char a[256], b[256];
	size_t i;
	int rc = 0;

	if (!t)
		return STRATA_ENOMEM;
	tokenize(t, st->sql, st->len, r->dialect == LINT_MY);
	if (kw(t, 0, "CREATE")) {
		i = 1;
		if (kw(t, i, "OR") && kw(t, i + 1, "REPLACE"))
			i += 2;
		rc = create_table(r, t, i);
	} else if (kw(t, 0, "DROP") &&
	           (kw(t, 1, "DATABASE") || kw(t, 1, "SCHEMA"))) {
		i = if_exists(t, 2);
		if (name_at(t, &i, a, sizeof(a)))
			rc = strata__lint_report(r, LINT_BAN_DROP_DATABASE,
			                         NULL,
			                         "dropping database %s loses "
			                         "everything in it",
			                         a);
	} else if (kw(t, 0, "DROP")) {
		rc = drop_table(r, t, 1);
	} else if (kw(t, 0, "ALTER")) {
		rc = alter_table(r, t, 1);
	} else if (kw(t, 0, "TRUNCATE")) {
		i = kw(t, 1, "TABLE") ? 2 : 1;
		if (name_at(t, &i, a, sizeof(a)))
			rc = strata__lint_report(
			        r, LINT_BAN_TRUNCATE, a,
			        "TRUNCATE deletes every row of "
			        "%s",
			        a);
	} else if (kw(t, 0, "RENAME") && kw(t, 1, "TABLE")) {
		i = 2;
		while (rc >= 0 && name_at(t, &i, a, sizeof(a)) &&
		       kw(t, i, "TO")) {
			i++;
			if (!name_at(t, &i, b, sizeof(b)))
				break;
			rc = need_lock_timeout(r, a);
			if (rc >= 0)
				rc = rename_table(r, a, b);
			if (!punct(t, i, ','))
				break;
			i++;
		}
	} else if (kw(t, 0, "SET")) {
		set_stmt(r, t);
	} else if (kw(t, 0, "SOURCE") && r->dialect == LINT_MY) {
		rc = strata__lint_report(r, LINT_CLIENT_COMMAND, NULL,
		                         "SOURCE is a command of the mysql "
		                         "client, not SQL the server runs");
	}
	strata__free(t);
	return rc;
}
