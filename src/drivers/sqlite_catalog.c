/*
 * SQLite's catalogue for `strata drift`: tables, columns, indexes and
 * foreign keys from the table-valued pragmas (table_xinfo, index_list,
 * index_xinfo, foreign_key_list), so that a column added by ALTER TABLE
 * compares equal to one written in CREATE TABLE; views and triggers as
 * their SQL text. CHECK constraints live only in a table's text and are
 * not compared.
 */
#include "catalog.h"

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

int strata__sq_catalog(struct strata_driver_conn *c, const char *schema,
                       strata_row_cb cb, void *payload)
{
	/* one schema per database file: main */
	(void)schema;
	return strata__catalog_run(c, NULL, "'main'", queries, cb, payload);
}
