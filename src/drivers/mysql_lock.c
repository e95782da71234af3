/*
 * The MySQL runner lock: GET_LOCK named after the lock key and the
 * database (a digest when longer than MySQL allows), with the holder
 * named when it is not had in time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mysql_int.h"
#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/crypto_load.h"
#include "../util/testpoint.h"

/* ---- runner lock ---------------------------------------------------- */

/* key@database, or a digest of it when longer than MySQL allows. */
static int lock_name(struct my_conn *m, strata_buf *out, const char *key)
{
	unsigned char md[32];
	unsigned int i;
	const char *no_lib = NULL;
	int rc;

	rc = strata__buf_printf(out, "%s@%s", key, m->db ? m->db : "");
	if (rc < 0 || strata__my_utf8_chars(out->ptr) <= MY_NAME_MAX)
		return rc;
	if (strata__crypto_load(&no_lib) < 0)
		return strata_driver_set_error(&m->base, STRATA_ENOTSUPP, NULL,
		                               0, -1, "%s", no_lib);
	if (strata__sha256(out->ptr, out->len, md) < 0)
		return STRATA_EINTERNAL;
	strata__buf_clear(out);
	rc = strata__buf_puts(out, "strata:");
	for (i = 0; rc == 0 && i < 20; i++)
		rc = strata__buf_printf(out, "%02x", md[i]);
	return rc;
}

struct value {
	int rows, is_null;
	char text[256];
};

static int value_cb(void *payload, int ncols, const char *const *v)
{
	struct value *val = payload;

	if (val->rows++ == 0 && ncols > 0) {
		val->is_null = v[0] == NULL;
		snprintf(val->text, sizeof(val->text), "%s", v[0] ? v[0] : "");
	}
	return 0;
}

/* SELECT fn('name'args): one value */
static int lock_call(struct strata_driver_conn *c, const char *fn,
                     const char *name, const char *args, struct value *val)
{
	strata_buf sql = STRATA_BUF_INIT;
	int rc;

	memset(val, 0, sizeof(*val));
	rc = strata__buf_printf(&sql, "SELECT %s(", fn);
	if (rc == 0)
		rc = c->driver->quote_literal(c, &sql, name);
	if (rc == 0)
		rc = strata__buf_printf(&sql, "%s)", args);
	if (rc < 0)
		rc = strata__my_oom(c);
	else
		rc = c->driver->query(c, sql.ptr, value_cb, val);
	strata_buf_release(&sql);
	return rc;
}

struct holder {
	int found;
	char who[200];
};

static int holder_cb(void *payload, int ncols, const char *const *v)
{
	struct holder *h = payload;

	if (ncols >= 4 && !h->found++)
		snprintf(h->who, sizeof(h->who), "%s@%s, %s for %s s",
		         v[0] ? v[0] : "?", v[1] ? v[1] : "?",
		         v[2] ? v[2] : "?", v[3] ? v[3] : "?");
	return 0;
}

/* The connection holding the lock name (0: none now, or unknown), and
 * what the process list says of it in h, as far as we may see. */
static unsigned long long find_holder(struct strata_driver_conn *c,
                                      const char *name, struct holder *h)
{
	struct value id;
	strata_buf sql = STRATA_BUF_INIT;
	unsigned long long conn_id = 0;
	char *end;

	memset(h, 0, sizeof(*h));
	if (lock_call(c, "IS_USED_LOCK", name, "", &id) == 0 && !id.is_null &&
	    id.rows) {
		conn_id = strtoull(id.text, &end, 10);
		if (*end)
			conn_id = 0;
	}
	if (conn_id &&
	    strata__buf_printf(&sql,
	                       "SELECT USER, HOST, COMMAND, TIME FROM "
	                       "information_schema.PROCESSLIST WHERE ID = %llu",
	                       conn_id) == 0)
		c->driver->query(c, sql.ptr, holder_cb, h);
	strata_buf_release(&sql);
	return conn_id;
}

/* A runner that has waited a while says whose lock it waits for. */
static void say_who(struct strata_driver_conn *c, const char *name, long secs)
{
	struct holder h;
	unsigned long long conn_id = find_holder(c, name, &h);
	char msg[512];

	if (!conn_id)
		return;
	snprintf(msg, sizeof(msg),
	         "waiting for the migration lock '%s', held by connection "
	         "%llu%s%s%s (up to %ld s)",
	         name, conn_id, h.found ? " (" : "", h.found ? h.who : "",
	         h.found ? ")" : "", secs);
	strata_driver_info(c, msg);
}

/* GET_LOCK timed out: say who holds the lock, as far as we may see. */
static int lock_busy(struct strata_driver_conn *c, const char *name, long secs)
{
	char hint[256];
	struct holder h;
	unsigned long long conn_id = find_holder(c, name, &h);

	if (!conn_id)
		return strata_driver_set_error(
		        c, STRATA_ELOCKED, NULL, 0, -1,
		        "cannot take the lock '%s' within %ld s: another "
		        "runner held it",
		        name, secs);
	strata_driver_set_error(c, STRATA_ELOCKED, NULL, 0, -1,
	                        "cannot take the lock '%s' within %ld s: held "
	                        "by connection %llu%s%s%s",
	                        name, secs, conn_id, h.found ? " (" : "",
	                        h.found ? h.who : "", h.found ? ")" : "");
	snprintf(hint, sizeof(hint),
	         "another strata run (or a session that called GET_LOCK) "
	         "holds it; wait for it, or raise %s",
	         strata_driver_setting(c, STRATA_SETTING_LOCK_TIMEOUT));
	strata_driver_add_detail(c, hint);
	return STRATA_ELOCKED;
}

/* GET_LOCK answered 0: another session holds it (and no interrupt) */
static int busy(struct strata_driver_conn *c, int rc, const struct value *val)
{
	return rc == 0 && !val->is_null && strcmp(val->text, "0") == 0 &&
	       !strata_driver_interrupted(c);
}

int strata__my_lock(struct strata_driver_conn *c, const char *key,
                    int timeout_ms)
{
	strata_buf name = STRATA_BUF_INIT;
	long secs = timeout_ms <= 0 ? 0 : (timeout_ms + 999L) / 1000;
	struct value val;
	char args[32];
	int rc;

	rc = lock_name(my_conn(c), &name, key);
	if (rc < 0) {
		strata_buf_release(&name);
		if (rc == STRATA_ENOTSUPP) /* libcrypto: error set */
			return rc;
		return rc == STRATA_ENOMEM ?
		               strata__my_oom(c) :
		               strata_driver_set_error(
		                       c, rc, NULL, 0, -1,
		                       "cannot derive the lock name");
	}
	/* GET_LOCK is one node's: a cluster needs its lock row */
	rc = strata__my_galera_on(c);
	if (rc != 0) {
		if (rc > 0)
			rc = strata__my_galera_lock(c, name.ptr, secs);
		strata_buf_release(&name);
		return rc;
	}
	/* a free lock is taken at once; a busy one is waited for (up to
	 * secs) in a second call, the wait the test build's lock_wait point
	 * lets a test see begin */
	rc = lock_call(c, "GET_LOCK", name.ptr, ", 0", &val);
	if (busy(c, rc, &val) && secs > 0) {
		strata__testpoint("lock_wait");
		/* a second first; then the holder is named, and the rest */
		rc = lock_call(c, "GET_LOCK", name.ptr, ", 1", &val);
		if (busy(c, rc, &val) && secs > 1) {
			say_who(c, name.ptr, secs);
			strata__testpoint("lock_told");
			snprintf(args, sizeof(args), ", %ld", secs - 1);
			rc = lock_call(c, "GET_LOCK", name.ptr, args, &val);
		}
	}
	if (rc == 0 && !val.is_null && strcmp(val.text, "1") == 0)
		rc = 0;
	else if (rc == STRATA_EINTERRUPTED ||
	         (rc == 0 && strata_driver_interrupted(c)))
		/* Ctrl-C (or SIGTERM) ended the wait: nothing has changed */
		rc = strata_driver_set_error(
		        c, STRATA_EINTERRUPTED, NULL, 0, -1,
		        "interrupted while waiting for the "
		        "migration lock '%s': nothing was "
		        "changed",
		        name.ptr);
	else if (rc == 0 && !val.is_null && strcmp(val.text, "0") == 0)
		rc = lock_busy(c, name.ptr, secs);
	else if (rc == 0)
		rc = strata_driver_set_error(c, STRATA_EDB, NULL, 0, -1,
		                             "GET_LOCK('%s') failed (the wait "
		                             "was killed, or the server is "
		                             "out of memory)",
		                             name.ptr);
	strata_buf_release(&name);
	return rc;
}

int strata__my_unlock(struct strata_driver_conn *c, const char *key)
{
	strata_buf name = STRATA_BUF_INIT;
	struct value val;
	int rc;

	if (strata__my_galera_on(c) > 0)
		return strata__my_galera_unlock(c);
	rc = lock_name(my_conn(c), &name, key);
	if (rc == 0)
		rc = lock_call(c, "RELEASE_LOCK", name.ptr, "", &val);
	else if (rc != STRATA_ENOTSUPP)
		rc = strata__my_oom(c);
	strata_buf_release(&name);
	return rc;
}
