/*
 * The MySQL and MariaDB driver, over libmariadb (MariaDB Connector/C),
 * loaded at run time by connect() (mysql_load.h): its vtable and the thin
 * methods it holds itself (transactions, a table's columns).
 * DDL commits implicitly here, so the driver does not claim TXN_DDL: the
 * engine runs parts with DDL under its dirty protocol, one statement per
 * exec() call, and data-only parts in a transaction. The runner lock is
 * GET_LOCK, named after the lock key and the database.
 *
 * The top of the driver's files (mysql_int.h): it calls the others, which
 * call only further down: connect > exec > wait > options, with lock,
 * admin, quote and url beside them.
 */
#include <string.h>

#include "strata/sys/driver.h"
#include "../util/buf.h"
#include "split.h"

#include "mysql_int.h"

/* On a Galera cluster, a runner whose lock row is gone changes nothing
 * more (mysql_galera.c). */
static int my_exec(struct strata_driver_conn *c, const char *sql, size_t len)
{
	int rc = strata__my_galera_lost(c);

	return rc < 0 ? rc : strata__my_exec(c, sql, len);
}

static int my_begin(struct strata_driver_conn *c)
{
	return strata__my_simple(c, "START TRANSACTION");
}

static int my_commit(struct strata_driver_conn *c)
{
	return strata__my_simple(c, "COMMIT");
}

static int my_rollback(struct strata_driver_conn *c)
{
	return strata__my_simple(c, "ROLLBACK");
}

/* ---- catalog -------------------------------------------------------- */

struct columns {
	strata_row_cb cb;
	void *payload;
	int found;
};

static int columns_cb(void *payload, int ncols, const char *const *v)
{
	struct columns *cols = payload;

	cols->found = 1;
	return cols->cb(cols->payload, ncols, v);
}

static int64_t my_changes(struct strata_driver_conn *c)
{
	return my_conn(c)->changes;
}

static int my_table_columns(struct strata_driver_conn *c, const char *schema,
                            const char *table, strata_row_cb cb, void *payload)
{
	strata_buf sql = STRATA_BUF_INIT;
	struct columns cols;
	int rc;

	cols.cb = cb;
	cols.payload = payload;
	cols.found = 0;
	rc = strata__buf_puts(&sql, "SELECT COLUMN_NAME, DATA_TYPE FROM "
	                            "information_schema.COLUMNS WHERE "
	                            "TABLE_SCHEMA = ");
	if (rc == 0 && schema && schema[0])
		rc = strata__my_quote_literal_on(my_conn(c)->my, &sql, schema);
	else if (rc == 0)
		rc = strata__buf_puts(&sql, "DATABASE()");
	if (rc == 0)
		rc = strata__buf_puts(&sql, " AND TABLE_NAME = ");
	if (rc == 0)
		rc = strata__my_quote_literal_on(my_conn(c)->my, &sql, table);
	if (rc == 0)
		rc = strata__buf_puts(&sql, " ORDER BY ORDINAL_POSITION");
	if (rc < 0)
		rc = strata__my_oom(c);
	else
		rc = strata__my_query(c, sql.ptr, columns_cb, &cols);
	strata_buf_release(&sql);
	if (rc == 0 && !cols.found)
		return STRATA_ENOTFOUND;
	return rc;
}

static const char *const mysql_schemes[] = { "mysql", "mariadb", NULL };

const struct strata_driver strata__driver_mysql = {
	.version = STRATA_DRIVER_VERSION,
	.name = "mysql",
	.schemes = mysql_schemes,
	.caps = STRATA_DRIVER_CAP_LOCK,
	.dialect = STRATA_DIALECT_HASH_COMMENT | STRATA_DIALECT_EXEC_COMMENT,
	.conn_size = sizeof(struct my_conn),
	/* required */
	.timestamp_type = "DATETIME(3)",
	.connect = strata__my_connect,
	.disconnect = strata__my_disconnect,
	.exec = my_exec,
	.query = strata__my_query,
	.begin = my_begin,
	.commit = my_commit,
	.rollback = my_rollback,
	.quote_ident = strata__my_quote_ident,
	.quote_literal = strata__my_quote_literal,
	.split = strata__split_mysql,
	.table_columns = my_table_columns,
	/* tuning */
	.script_client = "mysql DATABASE < FILE",
	.now_sql = "UTC_TIMESTAMP(3)",
	.current_schema_sql = "SELECT DATABASE()",
	.widen_dirty_sql = "MODIFY dirty BIGINT NOT NULL",
	/* optional */
	.lock = strata__my_lock,
	.unlock = strata__my_unlock,
	.ensure_schema = NULL,
	.changes = my_changes,
	.drop_all_sql = strata__my_drop_all_sql,
	.backup = strata__my_backup,
	.restore = strata__my_restore,
	.backup_extension = ".sql",
	.restore_check = strata__my_restore_check,
	.delimiters = strata__split_mysql_delimiters,
	.delimiter_reset = "DELIMITER ;\n",
	.database = strata__my_database,
	.dump = strata__my_dump,
	.catalog = strata__my_catalog,
	.reuse = strata__my_reuse,
	.lock_wait_sql = strata__my_lock_wait_sql,
	.lock_wait_gave_up = strata__my_lock_wait_gave_up,
};
