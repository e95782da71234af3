/*
 * PostgreSQL's lint rules, on libpg_query's parse tree of each statement
 * (pg_query_parse, as JSON read with jansson). The rules are squawk's,
 * by name and meaning; the run's set of new relations decides whether a
 * rule about an existing table fires (lint_rules.c).
 */
#include <jansson.h>
#include <strings.h>

#include "common.h"
#include "ctx.h"
#include "lint.h"
#include "source.h"
#include "../drivers/pgquery_load.h"

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int flag(json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

/* {"String": {"sval": "x"}} */
static const char *sval(json_t *node)
{
	return str(json_object_get(node, "String"), "sval");
}

/* The last name of a list of String nodes (a qualified name). */
static const char *last_name(json_t *list)
{
	size_t n = json_array_size(list);

	return n ? sval(json_array_get(list, n - 1)) : NULL;
}

static const char *relname(json_t *rangevar)
{
	return str(rangevar, "relname");
}

/* Functions whose value is fixed for a transaction (stable or
 * immutable): a default calling them is computed once, no rewrite. */
static int stable_function(const char *name)
{
	static const char *const safe[] = {
		"now",
		"transaction_timestamp",
		"current_timestamp",
		"current_date",
		"localtimestamp",
		"current_time",
		"localtime",
		"current_user",
		"current_setting",
		"lower",
		"upper",
		"to_jsonb",
		"jsonb_build_object",
		"json_build_object",
		"jsonb_build_array",
		"array_fill",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(safe); i++)
		if (strcasecmp(name, safe[i]) == 0)
			return 1;
	return 0;
}

/* Does the expression call a function that may give each row another
 * value (a volatile one, or one lint does not know)? */
static int volatile_expr(json_t *e)
{
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_array(e)) {
		json_array_foreach(e, i, v) if (volatile_expr(v)) return 1;
		return 0;
	}
	if (!json_is_object(e))
		return 0;
	json_object_foreach(e, k, v)
	{
		if (strcmp(k, "FuncCall") == 0) {
			const char *f =
			        last_name(json_object_get(v, "funcname"));

			if (!f || !stable_function(f))
				return 1;
		}
		if (volatile_expr(v))
			return 1;
	}
	return 0;
}

/* The rules on a column's type, for every table. */
static int type_rules(struct lint_run *r, json_t *coldef, const char *table)
{
	json_t *tn = json_object_get(coldef, "typeName");
	const char *col = str(coldef, "colname");
	const char *t = last_name(json_object_get(tn, "names"));
	int rc = 0;

	if (!t)
		return 0;
	if (!col)
		col = "?";
	if (strcmp(t, "bpchar") == 0)
		rc = strata__lint_report(
		        r, LINT_BAN_CHAR_FIELD, table,
		        "column %s is char(n), which pads with "
		        "blanks: use text or varchar",
		        col);
	else if (strcmp(t, "int4") == 0 || strcmp(t, "serial") == 0 ||
	         strcmp(t, "serial4") == 0)
		rc = strata__lint_report(r, LINT_PREFER_BIGINT_OVER_INT, table,
		                         "column %s is a 32-bit integer, which "
		                         "can run out: use bigint",
		                         col);
	else if (strcmp(t, "timestamp") == 0)
		rc = strata__lint_report(r, LINT_PREFER_TIMESTAMPTZ, table,
		                         "column %s is timestamp without time "
		                         "zone: use timestamptz",
		                         col);
	else if (strcmp(t, "varchar") == 0 &&
	         json_array_size(json_object_get(tn, "typmods")))
		rc = strata__lint_report(r, LINT_PREFER_TEXT_FIELD, table,
		                         "column %s is varchar(n): changing n "
		                         "later locks the table; use text with "
		                         "a CHECK on its length",
		                         col);
	return rc;
}

static int serial_type(json_t *coldef)
{
	const char *t = last_name(
	        json_object_get(json_object_get(coldef, "typeName"), "names"));

	return t &&
	       (strcmp(t, "serial") == 0 || strcmp(t, "serial4") == 0 ||
	        strcmp(t, "bigserial") == 0 || strcmp(t, "serial8") == 0 ||
	        strcmp(t, "smallserial") == 0 || strcmp(t, "serial2") == 0);
}

/* ALTER TABLE t ADD COLUMN */
static int add_column(struct lint_run *r, json_t *cd, const char *table)
{
	const char *col = str(cd, "colname");
	json_t *c, *cons = json_object_get(cd, "constraints");
	int not_null = 0, has_default = 0, rc;
	size_t i;

	if (!col)
		col = "?";
	rc = type_rules(r, cd, table);
	json_array_foreach(cons, i, c)
	{
		json_t *k = json_object_get(c, "Constraint");
		const char *ct = str(k, "contype");

		if (rc < 0 || !ct)
			break;
		if (strcmp(ct, "CONSTR_NOTNULL") == 0 ||
		    strcmp(ct, "CONSTR_PRIMARY") == 0)
			not_null = 1;
		if (strcmp(ct, "CONSTR_DEFAULT") == 0) {
			has_default = 1;
			if (volatile_expr(json_object_get(k, "raw_expr")))
				rc = strata__lint_report(
				        r, LINT_ADDING_FIELD_WITH_DEFAULT,
				        table,
				        "column %s has a volatile default: "
				        "adding it rewrites table %s",
				        col, table);
		}
		if (strcmp(ct, "CONSTR_GENERATED") == 0 ||
		    strcmp(ct, "CONSTR_IDENTITY") == 0) {
			has_default = 1;
			rc = strata__lint_report(
			        r, LINT_ADDING_FIELD_WITH_DEFAULT, table,
			        "column %s is computed for every row: adding "
			        "it rewrites table %s",
			        col, table);
		}
		if (strcmp(ct, "CONSTR_FOREIGN") == 0)
			rc = strata__lint_report(
			        r, LINT_ADDING_FOREIGN_KEY_CONSTRAINT, table,
			        "column %s references another table: adding "
			        "it locks both while every row is checked",
			        col);
		if (strcmp(ct, "CONSTR_UNIQUE") == 0 ||
		    strcmp(ct, "CONSTR_PRIMARY") == 0)
			rc = strata__lint_report(
			        r, LINT_DISALLOWED_UNIQUE_CONSTRAINT, table,
			        "column %s is UNIQUE: its index is built "
			        "under an exclusive lock on %s",
			        col, table);
	}
	if (rc >= 0 && serial_type(cd)) {
		has_default = 1;
		rc = strata__lint_report(r, LINT_ADDING_FIELD_WITH_DEFAULT,
		                         table,
		                         "column %s is serial (nextval() for "
		                         "each row): adding it rewrites table "
		                         "%s",
		                         col, table);
	}
	if (rc >= 0 && not_null && !has_default)
		rc = strata__lint_report(r, LINT_ADDING_REQUIRED_FIELD, table,
		                         "column %s is NOT NULL without a "
		                         "default: adding it fails when %s has "
		                         "rows",
		                         col, table);
	return rc;
}

static int add_constraint(struct lint_run *r, json_t *k, const char *table)
{
	const char *ct = str(k, "contype");
	const char *name = str(k, "conname");
	int rc = 0;

	if (!ct)
		return 0;
	if (!name)
		name = "";
	if (strcmp(ct, "CONSTR_FOREIGN") == 0 && !flag(k, "skip_validation")) {
		rc = strata__lint_report(
		        r, LINT_ADDING_FOREIGN_KEY_CONSTRAINT, table,
		        "foreign key %s is checked row by row while %s and "
		        "%s are locked: add it NOT VALID, then VALIDATE "
		        "CONSTRAINT",
		        name, table, relname(json_object_get(k, "pktable")));
		if (rc >= 0)
			rc = strata__lint_report(
			        r, LINT_CONSTRAINT_MISSING_NOT_VALID, table,
			        "constraint %s is validated under lock: add it "
			        "NOT VALID, then VALIDATE CONSTRAINT",
			        name);
	} else if (strcmp(ct, "CONSTR_CHECK") == 0 &&
	           !flag(k, "skip_validation")) {
		rc = strata__lint_report(r, LINT_CONSTRAINT_MISSING_NOT_VALID,
		                         table,
		                         "constraint %s scans %s under an "
		                         "exclusive lock: add it NOT VALID, "
		                         "then VALIDATE CONSTRAINT",
		                         name, table);
	} else if ((strcmp(ct, "CONSTR_UNIQUE") == 0 ||
	            strcmp(ct, "CONSTR_PRIMARY") == 0) &&
	           !str(k, "indexname")) {
		int unique = strcmp(ct, "CONSTR_UNIQUE") == 0;

		rc = strata__lint_report(
		        r, LINT_CONSTRAINT_MISSING_NOT_VALID, table,
		        "%s %s builds its index over every row "
		        "of %s under an exclusive lock: CREATE "
		        "UNIQUE INDEX CONCURRENTLY, then ADD "
		        "CONSTRAINT ... USING INDEX",
		        unique ? "UNIQUE constraint" : "primary key", name,
		        table);
		if (rc >= 0 && unique)
			rc = strata__lint_report(
			        r, LINT_DISALLOWED_UNIQUE_CONSTRAINT, table,
			        "UNIQUE constraint %s builds its index under an "
			        "exclusive lock: CREATE UNIQUE INDEX "
			        "CONCURRENTLY, then ADD CONSTRAINT ... USING "
			        "INDEX",
			        name);
	}
	return rc;
}

static int need_lock_timeout(struct lint_run *r, const char *table)
{
	return strata__lint_need_lock_timeout(r, table, "a lock");
}

static int alter_table(struct lint_run *r, json_t *s)
{
	const char *table = relname(json_object_get(s, "relation"));
	const char *objtype = str(s, "objtype");
	json_t *c;
	size_t i;
	int rc = 0;

	if (!table || (objtype && strcmp(objtype, "OBJECT_TABLE") != 0))
		return 0;
	json_array_foreach(json_object_get(s, "cmds"), i, c)
	{
		json_t *cmd = json_object_get(c, "AlterTableCmd");
		json_t *def = json_object_get(cmd, "def");
		const char *sub = str(cmd, "subtype");
		const char *col = str(cmd, "name");

		if (rc < 0 || !sub)
			break;
		if (!col)
			col = "?";
		if (strcmp(sub, "AT_AddColumn") == 0)
			rc = add_column(r, json_object_get(def, "ColumnDef"),
			                table);
		else if (strcmp(sub, "AT_DropColumn") == 0)
			rc = strata__lint_report(r, LINT_BAN_DROP_COLUMN, table,
			                         "dropping column %s of %s "
			                         "loses its data",
			                         col, table);
		else if (strcmp(sub, "AT_AlterColumnType") == 0) {
			rc = strata__lint_report(
			        r, LINT_CHANGING_COLUMN_TYPE, table,
			        "changing the type of %s.%s rewrites the table "
			        "under an exclusive lock",
			        table, col);
			if (rc >= 0)
				rc = type_rules(
				        r, json_object_get(def, "ColumnDef"),
				        table);
		} else if (strcmp(sub, "AT_SetNotNull") == 0)
			rc = strata__lint_report(
			        r, LINT_ADDING_NOT_NULLABLE_FIELD, table,
			        "SET NOT NULL on %s.%s scans the table under an "
			        "exclusive lock: add a CHECK (%s IS NOT NULL) "
			        "NOT VALID and validate it first",
			        table, col, col);
		else if (strcmp(sub, "AT_AddConstraint") == 0)
			rc = add_constraint(
			        r, json_object_get(def, "Constraint"), table);
	}
	if (rc >= 0)
		rc = need_lock_timeout(r, table);
	return rc;
}

static int create_index(struct lint_run *r, json_t *s)
{
	const char *table = relname(json_object_get(s, "relation"));
	const char *idx = str(s, "idxname");
	int rc = 0;

	if (!table)
		return 0;
	if (idx && strata__lint_names_has(&r->new_tables, table, strlen(table)))
		rc = strata__lint_names_add(&r->new_tables, idx, strlen(idx));
	if (rc >= 0 && !flag(s, "concurrent")) {
		rc = strata__lint_report(
		        r, LINT_REQUIRE_CONCURRENT_INDEX_CREATION, table,
		        "CREATE INDEX%s%s blocks writes to %s while it "
		        "builds: CREATE INDEX CONCURRENTLY (with "
		        "-- strata:no-transaction)",
		        idx ? " " : "", idx ? idx : "", table);
		if (rc >= 0)
			rc = need_lock_timeout(r, table);
	}
	return rc;
}

static int drop(struct lint_run *r, json_t *s)
{
	const char *type = str(s, "removeType");
	json_t *o;
	size_t i;
	int rc = 0;

	if (!type)
		return 0;
	json_array_foreach(json_object_get(s, "objects"), i, o)
	{
		const char *name = last_name(
		        json_object_get(json_object_get(o, "List"), "items"));

		if (rc < 0 || !name)
			break;
		if (strcmp(type, "OBJECT_TABLE") == 0) {
			rc = strata__lint_report(r, LINT_BAN_DROP_TABLE, name,
			                         "dropping table %s loses its "
			                         "data",
			                         name);
			if (rc >= 0)
				rc = need_lock_timeout(r, name);
			if (rc >= 0 &&
			    !strata__lint_names_has(&r->new_tables, name,
			                            strlen(name)))
				rc = strata__lint_names_add(&r->old_dropped,
				                            name, strlen(name));
			strata__lint_names_remove(&r->new_tables, name,
			                          strlen(name));
		} else if (strcmp(type, "OBJECT_INDEX") == 0 &&
		           !flag(s, "concurrent")) {
			rc = strata__lint_report(
			        r, LINT_REQUIRE_CONCURRENT_INDEX_DELETION, name,
			        "DROP INDEX %s locks its table against reads "
			        "and writes: DROP INDEX CONCURRENTLY (with "
			        "-- strata:no-transaction)",
			        name);
			if (rc >= 0)
				rc = need_lock_timeout(r, name);
		} else if (strcmp(type, "OBJECT_TRIGGER") == 0 ||
		           strcmp(type, "OBJECT_RULE") == 0 ||
		           strcmp(type, "OBJECT_POLICY") == 0) {
			/* [schema.]table.name: the table is locked */
			json_t *items = json_object_get(
			        json_object_get(o, "List"), "items");
			size_t k = json_array_size(items);
			const char *t =
			        k >= 2 ? sval(json_array_get(items, k - 2)) :
			                 NULL;

			if (t)
				rc = need_lock_timeout(r, t);
		} else if (strcmp(type, "OBJECT_TYPE") == 0 ||
		           strcmp(type, "OBJECT_DOMAIN") == 0) {
			strata__lint_names_remove(&r->new_tables, name,
			                          strlen(name));
		}
	}
	return rc;
}

/* CREATE TYPE ... AS ENUM, CREATE TYPE ... AS (...), CREATE DOMAIN */
static int new_type(struct lint_run *r, json_t *names)
{
	const char *t = last_name(names);

	return t ? strata__lint_names_add(&r->new_tables, t, strlen(t)) : 0;
}

static int rename_stmt(struct lint_run *r, json_t *s)
{
	const char *type = str(s, "renameType");
	const char *table = relname(json_object_get(s, "relation"));
	const char *to = str(s, "newname");
	const char *col = str(s, "subname");
	int rc = 0;

	if (!type || !table || !to)
		return 0;
	if (strcmp(type, "OBJECT_COLUMN") == 0) {
		rc = strata__lint_report(r, LINT_RENAMING_COLUMN, table,
		                         "renaming %s.%s to %s breaks the "
		                         "queries of the running application",
		                         table, col ? col : "?", to);
	} else if (strcmp(type, "OBJECT_TABLE") == 0) {
		int was_new = strata__lint_names_has(&r->new_tables, table,
		                                     strlen(table));

		rc = strata__lint_report(r, LINT_RENAMING_TABLE, table,
		                         "renaming table %s to %s breaks the "
		                         "queries of the running application",
		                         table, to);
		strata__lint_names_remove(&r->new_tables, table, strlen(table));
		if (rc >= 0 && was_new)
			rc = strata__lint_names_add(&r->new_tables, to,
			                            strlen(to));
	} else {
		return 0;
	}
	if (rc >= 0)
		rc = need_lock_timeout(r, table);
	return rc;
}

/* A foreign key of a new table locks the table it references (SHARE ROW
 * EXCLUSIVE) while the new table is made: c is a {"Constraint": ...}. */
static int references(struct lint_run *r, json_t *c)
{
	json_t *k = json_object_get(c, "Constraint");
	const char *ct = str(k, "contype");
	const char *pk = relname(json_object_get(k, "pktable"));

	if (!ct || !pk || strcmp(ct, "CONSTR_FOREIGN") != 0)
		return 0;
	return need_lock_timeout(r, pk);
}

static int create_table(struct lint_run *r, json_t *s)
{
	const char *table = relname(json_object_get(s, "relation"));
	json_t *e;
	size_t i;
	int rc;

	if (!table)
		return 0;
	rc = strata__lint_names_add(&r->new_tables, table, strlen(table));
	json_array_foreach(json_object_get(s, "tableElts"), i, e)
	{
		json_t *cd = json_object_get(e, "ColumnDef"), *c;
		size_t k;

		if (rc < 0)
			break;
		if (cd)
			rc = type_rules(r, cd, table);
		json_array_foreach(json_object_get(cd, "constraints"), k, c)
		{
			if (rc >= 0)
				rc = references(r, c);
		}
		if (rc >= 0)
			rc = references(r, e);
	}
	return rc;
}

/* SET lock_timeout = ... (0 turns it off), RESET lock_timeout */
static void set_stmt(struct lint_run *r, json_t *s)
{
	const char *name = str(s, "name");
	const char *kind = str(s, "kind");
	json_t *a = json_object_get(
	        json_array_get(json_object_get(s, "args"), 0), "A_Const");
	const char *sv = str(json_object_get(a, "sval"), "sval");
	json_t *iv = json_object_get(json_object_get(a, "ival"), "ival");

	if (!name || !kind || strcasecmp(name, "lock_timeout") != 0)
		return;
	if (strcmp(kind, "VAR_SET_VALUE") != 0) {
		r->lock_timeout = 0; /* RESET, SET ... TO DEFAULT */
		return;
	}
	if (a && !sv && (!iv || json_integer_value(iv) == 0))
		r->lock_timeout = 0; /* 0 (ival absent when 0) */
	else if (sv && (strcmp(sv, "0") == 0 || sv[0] == '\0'))
		r->lock_timeout = 0;
	else
		r->lock_timeout = 1;
}

static int one_stmt(struct lint_run *r, json_t *stmt)
{
	const char *type;
	json_t *s;
	int rc = 0;

	json_object_foreach(stmt, type, s)
	{
		if (strcmp(type, "CreateStmt") == 0)
			rc = create_table(r, s);
		else if (strcmp(type, "CreateTableAsStmt") == 0) {
			const char *t = relname(json_object_get(
			        json_object_get(s, "into"), "rel"));

			if (t)
				rc = strata__lint_names_add(&r->new_tables, t,
				                            strlen(t));
		} else if (strcmp(type, "AlterTableStmt") == 0)
			rc = alter_table(r, s);
		else if (strcmp(type, "IndexStmt") == 0)
			rc = create_index(r, s);
		else if (strcmp(type, "DropStmt") == 0)
			rc = drop(r, s);
		else if (strcmp(type, "DropdbStmt") == 0)
			rc = strata__lint_report(r, LINT_BAN_DROP_DATABASE,
			                         NULL,
			                         "dropping database %s loses "
			                         "everything in it",
			                         str(s, "dbname"));
		else if (strcmp(type, "RenameStmt") == 0)
			rc = rename_stmt(r, s);
		else if (strcmp(type, "VariableSetStmt") == 0)
			set_stmt(r, s);
		else if (strcmp(type, "CreateEnumStmt") == 0)
			rc = new_type(r, json_object_get(s, "typeName"));
		else if (strcmp(type, "CreateDomainStmt") == 0)
			rc = new_type(r, json_object_get(s, "domainname"));
		else if (strcmp(type, "CompositeTypeStmt") == 0) {
			const char *t = relname(json_object_get(s, "typevar"));

			if (t)
				rc = strata__lint_names_add(&r->new_tables, t,
				                            strlen(t));
		} else if (strcmp(type, "AlterEnumStmt") == 0) {
			const char *t =
			        last_name(json_object_get(s, "typeName"));

			if (t)
				rc = need_lock_timeout(r, t);
		} else if (strcmp(type, "CreateTrigStmt") == 0) {
			const char *t = relname(json_object_get(s, "relation"));

			if (t)
				rc = need_lock_timeout(r, t);
		} else if (strcmp(type, "TruncateStmt") == 0) {
			json_t *rv;
			size_t i;

			json_array_foreach(json_object_get(s, "relations"), i,
			                   rv)
			{
				const char *t = relname(
				        json_object_get(rv, "RangeVar"));

				if (rc >= 0 && t)
					rc = strata__lint_report(
					        r, LINT_BAN_TRUNCATE, t,
					        "TRUNCATE deletes every row of %s",
					        t);
				if (rc >= 0 && t)
					rc = need_lock_timeout(r, t);
			}
		} else if (strcmp(type, "CopyStmt") == 0 &&
		           flag(s, "is_from") && !str(s, "filename") &&
		           !flag(s, "is_program"))
			rc = strata__lint_report(
			        r, LINT_COPY_FROM_STDIN, NULL,
			        "COPY ... FROM STDIN reads data "
			        "that psql sends after the "
			        "statement; strata sends none: "
			        "write INSERT statements");
		if (rc < 0)
			break;
	}
	return rc;
}

int strata__lint_pg(struct lint_run *r)
{
	const struct lint_stmt *st = r->st;
	PgQueryParseResult res;
	const char *why = NULL;
	json_t *root, *v;
	char *sql;
	size_t i;
	int rc = 0;

	if (strata__pgq_load(&why) < 0)
		return strata__error_set(r->ctx, STRATA_ENOTSUPP,
		                         "lint cannot read PostgreSQL: %s",
		                         why ? why : "no libpg_query");
	sql = strata__strndup(st->sql, st->len);
	if (!sql)
		return STRATA_ENOMEM;
	res = strata__pgq.pg_query_parse(sql);
	strata__free(sql);
	if (res.error) {
		rc = strata__lint_input(r, 0, 0,
		                        "the statement does not parse as "
		                        "PostgreSQL: %s",
		                        res.error->message);
		strata__pgq.pg_query_free_parse_result(res);
		return rc;
	}
	root = json_loads(res.parse_tree, 0, NULL);
	strata__pgq.pg_query_free_parse_result(res);
	if (!root)
		return STRATA_ENOMEM;
	json_array_foreach(json_object_get(root, "stmts"), i, v)
	{
		rc = one_stmt(r, json_object_get(v, "stmt"));
		if (rc < 0)
			break;
	}
	json_decref(root);
	return rc;
}
