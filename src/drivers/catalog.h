/*
 * The catalogue `strata drift` compares (driver.h, catalog): each driver
 * describes its schema with a few queries of five columns (kind, table,
 * name, attribute, value); this runs them with the schema filled in.
 */
#ifndef STRATA_DRIVERS_CATALOG_H
#define STRATA_DRIVERS_CATALOG_H

#include "strata/sys/driver.h"

/*
 * Run each query of queries (NULL-terminated) through the driver's
 * query(), every "@S@" in it replaced by schema as a string literal, or,
 * when schema is NULL, by current (SQL for the schema names resolve to,
 * such as "current_schema()"). Rows go to cb. 0, or the first error.
 */
int strata__catalog_run(struct strata_driver_conn *c, const char *schema,
                        const char *current, const char *const *queries,
                        strata_row_cb cb, void *payload);

/* sqlite_catalog.c: the SQLite driver's catalog() (sqlite.c has no
 * header of its own) */
int strata__sq_catalog(struct strata_driver_conn *c, const char *schema,
                       strata_row_cb cb, void *payload);
/*
 * The CHECK constraints of one table, from its CREATE TABLE text sql (as
 * sqlite_master keeps it), each to cb as a catalogue row: "constraint",
 * table, "table.NAME" for a named one (CONSTRAINT NAME, unquoted) or
 * "table.check (EXPR)", "definition", "CHECK (EXPR)" as written. Quoted
 * names and strings, comments and nested parentheses are skipped over
 * whole. 0, STRATA_ENOMEM, or what cb returned.
 */
int strata__sq_checks(const char *table, const char *sql, strata_row_cb cb,
                      void *payload);

#endif
