/*
 * PostgreSQL's catalogue for `strata drift`: the objects of one schema
 * from pg_catalog, in the five columns catalog.h describes, each
 * definition as the server's own pg_get_*def() functions print it, so
 * that two databases built alike give the same text.
 */
#include "postgres.h"
#include "catalog.h"

/* not an object an extension made (pg_depend's 'e' entries) */
#define NOT_EXT(cls, oid)                                             \
 " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE "       \
 "d.classid = 'pg_catalog." cls "'::pg_catalog.regclass AND d.objid " \
 "= " oid " AND d.deptype = 'e')"

/* the relations c of the schema n */
#define REL                                                    \
 " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n " \
 "ON n.oid = c.relnamespace"
#define IN_SCHEMA " WHERE n.nspname = @S@"

static const char *const queries[] = {
	/* tables */
	"SELECT 'table', '', c.relname, 'kind', CASE c.relkind WHEN 'p' THEN "
	"'partitioned table' ELSE 'table' END" REL IN_SCHEMA
	" AND c.relkind IN ('r', 'p')" NOT_EXT("pg_class", "c.oid"),
	/* their columns */
	"SELECT 'column', c.relname, c.relname || '.' || a.attname, v.k, v.v" REL
	" JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0"
	" AND NOT a.attisdropped LEFT JOIN pg_catalog.pg_attrdef ad ON "
	"ad.adrelid = c.oid AND ad.adnum = a.attnum CROSS JOIN LATERAL "
	"(VALUES ('type', pg_catalog.format_type(a.atttypid, a.atttypmod)), "
	"('default', pg_catalog.pg_get_expr(ad.adbin, ad.adrelid)), "
	"('not null', CASE WHEN a.attnotnull THEN 'yes' ELSE 'no' END), "
	"('identity', NULLIF(a.attidentity::text, '')), "
	"('generated', NULLIF(a.attgenerated::text, ''))) v(k, v)" IN_SCHEMA
	" AND c.relkind IN ('r', 'p')" NOT_EXT("pg_class", "c.oid"),
	/* indexes, but those of constraints (the constraint says it) */
	"SELECT 'index', t.relname, t.relname || '.' || c.relname, "
	"'definition', pg_catalog.pg_get_indexdef(c.oid)" REL
	" JOIN pg_catalog.pg_index x ON x.indexrelid = c.oid JOIN "
	"pg_catalog.pg_class t ON t.oid = x.indrelid" IN_SCHEMA
	" AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE "
	"k.conindid = c.oid AND k.contype IN ('p', 'u', 'x'))" NOT_EXT(
	        "pg_class", "t.oid"),
	/* constraints of tables */
	"SELECT 'constraint', c.relname, c.relname || '.' || k.conname, "
	"'definition', pg_catalog.pg_get_constraintdef(k.oid)" REL
	" JOIN pg_catalog.pg_constraint k ON k.conrelid = c.oid" IN_SCHEMA
	/* PostgreSQL 18's NOT NULL constraints: the column's "not null" */
	" AND k.contype <> 'n'" NOT_EXT("pg_class", "c.oid"),
	/* views */
	"SELECT CASE c.relkind WHEN 'm' THEN 'materialized view' ELSE 'view' "
	"END, '', c.relname, 'definition', pg_catalog.pg_get_viewdef(c.oid)" REL
	        IN_SCHEMA
	" AND c.relkind IN ('v', 'm')" NOT_EXT("pg_class", "c.oid"),
	/* sequences */
	"SELECT 'sequence', '', c.relname, v.k, v.v" REL
	" JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid CROSS JOIN "
	"LATERAL (VALUES ('type', pg_catalog.format_type(s.seqtypid, NULL)), "
	"('start', s.seqstart::text), ('increment', s.seqincrement::text), "
	"('minimum', s.seqmin::text), ('maximum', s.seqmax::text), "
	"('cycle', CASE WHEN s.seqcycle THEN 'yes' ELSE 'no' END)) v(k, v)" IN_SCHEMA
	        NOT_EXT("pg_class", "c.oid"),
	/* functions, procedures, aggregates */
	"SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN "
	"'aggregate' WHEN 'w' THEN 'window function' ELSE 'function' END, "
	"'', p.proname || '(' || "
	"pg_catalog.pg_get_function_identity_arguments(p.oid) || ')', "
	"'definition', CASE WHEN p.prokind = 'a' THEN "
	"pg_catalog.pg_get_function_result(p.oid) ELSE "
	"pg_catalog.pg_get_functiondef(p.oid) END FROM pg_catalog.pg_proc p "
	"JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace" IN_SCHEMA
	        NOT_EXT("pg_proc", "p.oid"),
	/* triggers on tables */
	"SELECT 'trigger', c.relname, c.relname || '.' || g.tgname, "
	"'definition', pg_catalog.pg_get_triggerdef(g.oid)" REL
	" JOIN pg_catalog.pg_trigger g ON g.tgrelid = c.oid" IN_SCHEMA
	" AND NOT g.tgisinternal" NOT_EXT("pg_class", "c.oid"),
	/* enumerated types */
	"SELECT 'type', '', t.typname, 'values', (SELECT "
	"pg_catalog.string_agg(e.enumlabel, ', ' ORDER BY e.enumsortorder) "
	"FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid) FROM "
	"pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = "
	"t.typnamespace" IN_SCHEMA
	" AND t.typtype = 'e'" NOT_EXT("pg_type", "t.oid"),
	/* extensions: the database's, whatever their schema */
	"SELECT 'extension', '', x.extname, 'version', x.extversion FROM "
	"pg_catalog.pg_extension x",
	NULL
};

int strata__pg_catalog(struct strata_driver_conn *c, const char *schema,
                       strata_row_cb cb, void *payload)
{
	return strata__catalog_run(c, schema, "pg_catalog.current_schema()",
	                           queries, cb, payload);
}
