/*
 * MySQL's and MariaDB's catalogue for `strata drift`: the objects of one
 * database from information_schema, in the five columns catalog.h
 * describes. Views are stored with every name qualified by the database's
 * own, which is taken out, so that two databases built alike compare
 * equal; character sets and collations, which follow each database's
 * defaults, are left out.
 */
#include <string.h>

#include "mysql_int.h"
#include "catalog.h"

/* a base table of the database (not a view or a sequence) */
#define BASE_TABLE(alias)                                              \
 " AND EXISTS (SELECT 1 FROM information_schema.TABLES bt WHERE "      \
 "bt.TABLE_SCHEMA = " alias ".TABLE_SCHEMA AND bt.TABLE_NAME = " alias \
 ".TABLE_NAME AND bt.TABLE_TYPE IN ('BASE TABLE', 'SYSTEM "            \
 "VERSIONED'))"

/* one attribute of a column */
#define COLUMN(attr, expr)                                                   \
 "SELECT 'column', c.TABLE_NAME, CONCAT(c.TABLE_NAME, '.', "                 \
 "c.COLUMN_NAME), '" attr "', " expr                                         \
 " FROM information_schema.COLUMNS c WHERE c.TABLE_SCHEMA = @S@" BASE_TABLE( \
	 "c")

/* one attribute of a routine */
#define ROUTINE(attr, expr)                                            \
 "SELECT LOWER(r.ROUTINE_TYPE), '', r.ROUTINE_NAME, '" attr "', " expr \
 " FROM information_schema.ROUTINES r WHERE "                          \
 "r.ROUTINE_SCHEMA = @S@"

static const char *const queries[] = {
	"SELECT CASE t.TABLE_TYPE WHEN 'SEQUENCE' THEN 'sequence' ELSE "
	"'table' END, '', t.TABLE_NAME, 'engine', t.ENGINE FROM "
	"information_schema.TABLES t WHERE t.TABLE_SCHEMA = @S@ AND "
	"t.TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED', 'SEQUENCE')",
	COLUMN("type", "c.COLUMN_TYPE"), COLUMN("default", "c.COLUMN_DEFAULT"),
	COLUMN("not null", "IF(c.IS_NULLABLE = 'NO', 'yes', 'no')"),
	COLUMN("extra", "NULLIF(c.EXTRA, '')"),
	COLUMN("generated", "NULLIF(c.GENERATION_EXPRESSION, '')"),
	/* indexes, the primary key's too, as key columns in order */
	"SELECT 'index', s.TABLE_NAME, CONCAT(s.TABLE_NAME, '.', "
	"s.INDEX_NAME), 'definition', CONCAT(IF(MIN(s.NON_UNIQUE) = 0, "
	"'UNIQUE ', ''), MIN(s.INDEX_TYPE), ' (', GROUP_CONCAT(CONCAT("
	"s.COLUMN_NAME, IFNULL(CONCAT('(', s.SUB_PART, ')'), ''), "
	"IF(s.COLLATION = 'D', ' DESC', '')) ORDER BY s.SEQ_IN_INDEX "
	"SEPARATOR ', '), ')') FROM information_schema.STATISTICS s WHERE "
	"s.TABLE_SCHEMA = @S@" BASE_TABLE(
	        "s") " GROUP BY s.TABLE_NAME, s.INDEX_NAME",
	/* foreign keys */
	"SELECT 'constraint', r.TABLE_NAME, CONCAT(r.TABLE_NAME, '.', "
	"r.CONSTRAINT_NAME), 'definition', CONCAT('FOREIGN KEY (', "
	"(SELECT GROUP_CONCAT(k.COLUMN_NAME ORDER BY k.ORDINAL_POSITION "
	"SEPARATOR ', ') FROM information_schema.KEY_COLUMN_USAGE k WHERE "
	"k.CONSTRAINT_SCHEMA = r.CONSTRAINT_SCHEMA AND k.TABLE_NAME = "
	"r.TABLE_NAME AND k.CONSTRAINT_NAME = r.CONSTRAINT_NAME), ') "
	"REFERENCES ', r.REFERENCED_TABLE_NAME, ' (', (SELECT "
	"GROUP_CONCAT(k.REFERENCED_COLUMN_NAME ORDER BY k.ORDINAL_POSITION "
	"SEPARATOR ', ') FROM information_schema.KEY_COLUMN_USAGE k WHERE "
	"k.CONSTRAINT_SCHEMA = r.CONSTRAINT_SCHEMA AND k.TABLE_NAME = "
	"r.TABLE_NAME AND k.CONSTRAINT_NAME = r.CONSTRAINT_NAME), ') ON "
	"UPDATE ', r.UPDATE_RULE, ' ON DELETE ', r.DELETE_RULE) FROM "
	"information_schema.REFERENTIAL_CONSTRAINTS r WHERE "
	"r.CONSTRAINT_SCHEMA = @S@",
	/* views, their names unqualified */
	"SELECT 'view', '', v.TABLE_NAME, 'definition', "
	"REPLACE(v.VIEW_DEFINITION, CONCAT('`', v.TABLE_SCHEMA, '`.'), '') "
	"FROM information_schema.VIEWS v WHERE v.TABLE_SCHEMA = @S@",
	ROUTINE("definition", "r.ROUTINE_DEFINITION"),
	ROUTINE("returns", "NULLIF(r.DTD_IDENTIFIER, '')"),
	ROUTINE("parameters",
	        "(SELECT GROUP_CONCAT(CONCAT_WS(' ', p.PARAMETER_MODE, "
	        "p.PARAMETER_NAME, p.DTD_IDENTIFIER) ORDER BY "
	        "p.ORDINAL_POSITION SEPARATOR ', ') FROM "
	        "information_schema.PARAMETERS p WHERE p.SPECIFIC_SCHEMA = "
	        "r.ROUTINE_SCHEMA AND p.SPECIFIC_NAME = r.SPECIFIC_NAME AND "
	        "p.ROUTINE_TYPE = r.ROUTINE_TYPE AND p.ORDINAL_POSITION > 0)"),
	"SELECT 'trigger', g.EVENT_OBJECT_TABLE, CONCAT(g.EVENT_OBJECT_TABLE, "
	"'.', g.TRIGGER_NAME), 'definition', CONCAT(g.ACTION_TIMING, ' ', "
	"g.EVENT_MANIPULATION, ' FOR EACH ', g.ACTION_ORIENTATION, ' ', "
	"g.ACTION_STATEMENT) FROM information_schema.TRIGGERS g WHERE "
	"g.TRIGGER_SCHEMA = @S@",
	NULL
};

/* CHECK constraints: MariaDB names them per table (and a column's after
 * the column), MySQL per database, without the table in the view */
static const char *const mariadb_checks[] = {
	"SELECT 'constraint', k.TABLE_NAME, CONCAT(k.TABLE_NAME, '.', "
	"k.CONSTRAINT_NAME), 'definition', CONCAT('CHECK (', k.CHECK_CLAUSE, "
	"')') FROM information_schema.CHECK_CONSTRAINTS k WHERE "
	"k.CONSTRAINT_SCHEMA = @S@",
	NULL
};
static const char *const mysql_checks[] = {
	"SELECT 'constraint', t.TABLE_NAME, CONCAT(t.TABLE_NAME, '.', "
	"t.CONSTRAINT_NAME), 'definition', CONCAT('CHECK (', k.CHECK_CLAUSE, "
	"')') FROM information_schema.TABLE_CONSTRAINTS t JOIN "
	"information_schema.CHECK_CONSTRAINTS k ON k.CONSTRAINT_SCHEMA = "
	"t.CONSTRAINT_SCHEMA AND k.CONSTRAINT_NAME = t.CONSTRAINT_NAME WHERE "
	"t.CONSTRAINT_TYPE = 'CHECK' AND t.TABLE_SCHEMA = @S@",
	NULL
};

static int is_mariadb(void *payload, int ncols, const char *const *values)
{
	*(int *)payload = ncols > 0 && values[0] && values[0][0] == '1';
	return 0;
}

struct skip_lock {
	strata_row_cb cb;
	void *payload;
};

/* The cluster lock's table (mysql_galera.c) is strata's, as the history
 * is: no object of the schema. */
static int skip_lock_table(void *payload, int ncols, const char *const *v)
{
	const struct skip_lock *s = payload;

	if (ncols > 2 && v[1] && v[2] &&
	    (strcmp(v[1], STRATA_MY_LOCK_TABLE) == 0 ||
	     (v[1][0] == '\0' && strcmp(v[2], STRATA_MY_LOCK_TABLE) == 0)))
		return 0;
	return s->cb(s->payload, ncols, v);
}

int strata__my_catalog(struct strata_driver_conn *c, const char *schema,
                       strata_row_cb cb, void *payload)
{
	struct skip_lock skip = { cb, payload };
	int mariadb = 0;
	int rc;

	cb = skip_lock_table;
	payload = &skip;
	rc = strata__catalog_run(c, schema, "DATABASE()", queries, cb, payload);

	if (rc == 0)
		rc = strata__my_query(c,
		                      "SELECT VERSION() LIKE '%MariaDB%' AS m",
		                      is_mariadb, &mariadb);
	if (rc == 0)
		rc = strata__catalog_run(
		        c, schema, "DATABASE()",
		        mariadb ? mariadb_checks : mysql_checks, cb, payload);
	return rc;
}
