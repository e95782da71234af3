/*
 * MySQL's and MariaDB's lock-safe DDL: lock_wait_timeout bounds the wait
 * for metadata locks, in whole seconds, for the session (a DDL statement
 * commits as it goes, so there is no transaction to bound it to); the
 * session's own value is kept in a user variable and given back after
 * the part. A statement that gave up fails with error 1205.
 */
#include "mysql_int.h"
#include "../util/buf.h"

#define ER_LOCK_WAIT_TIMEOUT 1205

int strata__my_lock_wait_sql(struct strata_driver_conn *c, strata_buf *out,
                             int timeout_ms, int local)
{
	int rc;

	(void)c;
	(void)local;
	if (timeout_ms > 0)
		rc = strata__buf_printf(
		        out,
		        "SET @strata_lock_wait = @@SESSION.lock_wait_timeout, "
		        "SESSION lock_wait_timeout = %d",
		        (timeout_ms + 999) / 1000);
	else
		rc = strata__buf_puts(out, "SET SESSION lock_wait_timeout = "
		                           "@strata_lock_wait");
	return rc < 0 ? STRATA_ENOMEM : 0;
}

int strata__my_lock_wait_gave_up(const char *sqlstate, int native_code)
{
	(void)sqlstate;
	return native_code == ER_LOCK_WAIT_TIMEOUT;
}
