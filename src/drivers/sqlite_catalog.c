/*
 * SQLite's catalogue for `strata drift`: tables, columns, indexes and
 * foreign keys from the table-valued pragmas (table_xinfo, index_list,
 * index_xinfo, foreign_key_list), so that a column added by ALTER TABLE
 * compares equal to one written in CREATE TABLE; views and triggers as
 * their SQL text. CHECK constraints live only in a table's text: they
 * are read from it (a named one by its name, an unnamed one by its
 * expression).
 */
#include <ctype.h>
#include <string.h>

#include "catalog.h"
#include "../util/buf.h"

/* a table of the database, not one of SQLite's own */
#define TABLES                                                       \
 " FROM sqlite_master m WHERE m.type = 'table' AND m.name NOT LIKE " \
 "'sqlite\\_%' ESCAPE '\\'"

/* the key columns of index l, in order */
#define INDEX_COLUMNS                                              \
 "(SELECT group_concat(coalesce(x.name, '(expression)') || CASE "  \
 "WHEN x.\"desc\" THEN ' DESC' ELSE '' END, ', ') FROM (SELECT * " \
 "FROM pragma_index_xinfo(l.name) WHERE key ORDER BY seqno) x)"

static const char *const queries[] = {
	"SELECT 'table', '', m.name, 'kind', 'table'" TABLES,
	"SELECT 'column', m.name, m.name || '.' || c.name, k.column1, CASE "
	"k.column1 WHEN 'type' THEN c.type WHEN 'default' THEN c.dflt_value "
	"WHEN 'not null' THEN CASE WHEN c.\"notnull\" THEN 'yes' ELSE 'no' "
	"END WHEN 'primary key' THEN NULLIF(c.pk, 0) WHEN 'generated' THEN "
	"CASE c.hidden WHEN 2 THEN 'virtual' WHEN 3 THEN 'stored' END END "
	"FROM sqlite_master m JOIN pragma_table_xinfo(m.name) c JOIN (VALUES "
	"('type'), ('default'), ('not null'), ('primary key'), "
	"('generated')) k WHERE m.type = 'table' AND m.name NOT LIKE "
	"'sqlite\\_%' ESCAPE '\\' AND c.hidden IN (0, 2, 3)",
	/* indexes made by CREATE INDEX; a partial one as its text */
	"SELECT 'index', m.name, m.name || '.' || l.name, 'definition', CASE "
	"WHEN l.partial THEN (SELECT s.sql FROM sqlite_master s WHERE s.type "
	"= 'index' AND s.name = l.name) ELSE CASE WHEN l.\"unique\" THEN "
	"'UNIQUE ' ELSE '' END || '(' || " INDEX_COLUMNS " || ')' END FROM "
	"sqlite_master m JOIN pragma_index_list(m.name) l WHERE m.type = "
	"'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND l.origin = "
	"'c'",
	/* UNIQUE constraints, named by their columns (SQLite's own names
	 * count them) */
	"SELECT 'constraint', m.name, m.name || '.unique(' || " INDEX_COLUMNS
	" || ')', 'definition', 'UNIQUE (' || " INDEX_COLUMNS " || ')' FROM "
	"sqlite_master m JOIN pragma_index_list(m.name) l WHERE m.type = "
	"'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND l.origin = "
	"'u'",
	/* foreign keys, named by their columns */
	"SELECT 'constraint', m.name, m.name || '.foreign key(' || "
	"group_concat(f.\"from\", ', ') || ')', 'definition', 'FOREIGN KEY "
	"(' || group_concat(f.\"from\", ', ') || ') REFERENCES ' || "
	"f.\"table\" || ' (' || group_concat(coalesce(f.\"to\", ''), ', ') "
	"|| ') ON UPDATE ' || f.on_update || ' ON DELETE ' || f.on_delete "
	"FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f WHERE "
	"m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' GROUP "
	"BY m.name, f.id",
	"SELECT 'view', '', m.name, 'definition', m.sql FROM sqlite_master m "
	"WHERE m.type = 'view'",
	"SELECT 'trigger', m.tbl_name, m.tbl_name || '.' || m.name, "
	"'definition', m.sql FROM sqlite_master m WHERE m.type = 'trigger'",
	NULL
};

struct checks {
	strata_row_cb cb;
	void *payload;
};

/* the end of the quoted name, string or comment starting at p, or p */
static const char *skip_quoted(const char *p, const char *end)
{
	char close = *p == '[' ? ']' : *p;

	if (*p == '\'' || *p == '"' || *p == '`' || *p == '[') {
		for (p++; p < end; p++)
			if (*p == close) {
				if (close != ']' && p + 1 < end &&
				    p[1] == close)
					p++;
				else
					return p + 1;
			}
		return end;
	}
	if (*p == '-' && p + 1 < end && p[1] == '-') {
		while (p < end && *p != '\n')
			p++;
		return p;
	}
	if (*p == '/' && p + 1 < end && p[1] == '*') {
		const char *e = strstr(p + 2, "*/");

		return e && e + 2 <= end ? e + 2 : end;
	}
	return p;
}

static int word_at(const char *s, const char *p, const char *end, const char *w)
{
	size_t n = strlen(w), i;

	if ((size_t)(end - p) < n ||
	    (p > s && (isalnum((unsigned char)p[-1]) || p[-1] == '_')))
		return 0;
	for (i = 0; i < n; i++)
		if (toupper((unsigned char)p[i]) != w[i])
			return 0;
	return p + n == end || !(isalnum((unsigned char)p[n]) || p[n] == '_');
}

/* Append the quoted name q[0, n) (its quotes included) without its
 * quotes, a doubled closing quote inside it as one. */
static int put_unquoted(strata_buf *out, const char *q, size_t n)
{
	char close = q[n - 1];
	size_t i;

	for (i = 1; i + 1 < n; i++) {
		if (close != ']' && q[i] == close)
			i++; /* the first of a doubled quote */
		if (strata__buf_putc(out, q[i]) < 0)
			return STRATA_ENOMEM;
	}
	return 0;
}

/* The name after CONSTRAINT, when the words before CHECK at p are
 * CONSTRAINT <name>: appended to out (quotes removed). @return 1 when
 * so, 0 when the CHECK has no name, STRATA_ENOMEM */
static int constraint_name(const char *s, const char *p, strata_buf *out)
{
	const char *e = p, *b;

	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	b = e;
	if (b > s && (b[-1] == '"' || b[-1] == '`' || b[-1] == ']')) {
		char open = b[-1] == ']' ? '[' : b[-1];

		b--;
		for (;;) {
			while (b > s && b[-1] != open)
				b--;
			if (b == s)
				return 0;
			/* a doubled quote is part of the name */
			if (open == '[' || b - 1 == s || b[-2] != open)
				break;
			b -= 2;
		}
		b--;
	} else {
		while (b > s && (isalnum((unsigned char)b[-1]) || b[-1] == '_'))
			b--;
	}
	if (b == e)
		return 0;
	{
		const char *k = b;

		while (k > s && isspace((unsigned char)k[-1]))
			k--;
		if (k - s < 10 || !word_at(s, k - 10, k, "CONSTRAINT"))
			return 0;
	}
	if (*b == '"' || *b == '`' || *b == '[')
		return put_unquoted(out, b, (size_t)(e - b)) < 0 ?
		               STRATA_ENOMEM :
		               1;
	return strata__buf_put(out, b, (size_t)(e - b)) < 0 ? STRATA_ENOMEM : 1;
}

int strata__sq_checks(const char *table, const char *sql, strata_row_cb cb,
                      void *payload)
{
	const char *s = sql, *p, *end = sql + strlen(sql);
	strata_buf name = STRATA_BUF_INIT, def = STRATA_BUF_INIT;
	int depth = 0, rc = 0;

	for (p = s; rc == 0 && p < end;) {
		const char *q = skip_quoted(p, end), *open, *c;
		int d;

		if (q != p) {
			p = q;
			continue;
		}
		if (*p == '(' || *p == ')') {
			depth += *p == '(' ? 1 : -1;
			p++;
			continue;
		}
		if (depth != 1 || !word_at(s, p, end, "CHECK")) {
			p++;
			continue;
		}
		for (open = p + 5; open < end && isspace((unsigned char)*open);)
			open++;
		if (open == end || *open != '(') {
			p += 5;
			continue;
		}
		for (c = open, d = 0; c < end;) {
			q = skip_quoted(c, end);
			if (q != c) {
				c = q;
				continue;
			}
			d += *c == '(' ? 1 : *c == ')' ? -1 : 0;
			c++;
			if (d == 0)
				break;
		}
		strata__buf_clear(&name);
		strata__buf_clear(&def);
		if (strata__buf_printf(&name, "%s.", table) < 0 ||
		    strata__buf_puts(&def, "CHECK ") < 0 ||
		    strata__buf_put(&def, open, (size_t)(c - open)) < 0)
			rc = STRATA_ENOMEM;
		if (rc == 0)
			rc = constraint_name(s, p, &name);
		if (rc == 0 &&
		    strata__buf_printf(&name, "check %s", def.ptr + 6) < 0)
			rc = STRATA_ENOMEM;
		if (rc == 1)
			rc = 0;
		if (rc == 0) {
			const char *row[5] = { "constraint", table, name.ptr,
				               "definition", def.ptr };

			rc = cb(payload, 5, row);
		}
		p = c;
	}
	strata_buf_release(&name);
	strata_buf_release(&def);
	return rc;
}

/* Each CHECK of one CREATE TABLE text (table, sql) as a catalogue row. */
static int table_checks(void *payload, int ncols, const char *const *v)
{
	struct checks *k = payload;

	if (ncols < 2 || !v[0] || !v[1])
		return 0;
	return strata__sq_checks(v[0], v[1], k->cb, k->payload);
}

int strata__sq_catalog(struct strata_driver_conn *c, const char *schema,
                       strata_row_cb cb, void *payload)
{
	struct checks k = { cb, payload };
	int rc;

	/* one schema per database file: main */
	(void)schema;
	rc = strata__catalog_run(c, NULL, "'main'", queries, cb, payload);
	if (rc == 0)
		rc = c->driver->query(c, "SELECT m.name, m.sql" TABLES,
		                      table_checks, &k);
	return rc;
}
