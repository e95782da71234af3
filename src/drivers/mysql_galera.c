/*
 * MariaDB Galera clusters (mysql_int.h). GET_LOCK is local to one node,
 * so two runners on two nodes would both get it. On a cluster the runner
 * lock is a row of the table strata_lock instead, written through the
 * certification path: of two runners that insert the same row on two
 * nodes, the cluster lets one commit and aborts the other. The row has
 * a lease that a thread of the holder renews on a connection of its own;
 * the row of a runner that died (or whose node did) expires with it.
 *
 * A schema change on a node in wsrep_OSU_method RSU stays on that node:
 * strata refuses to migrate there.
 */
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <mysqld_error.h>

#include "mysql_int.h"
#include "mysql_load.h"
#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/clock.h"
#include "../util/testpoint.h"

#define LOCK_TABLE "strata_lock"
/* How long a runner polls between two tries for a busy cluster lock. */
#define POLL_MS 100

struct my_galera {
	int on;           /* wsrep_on: a node of a cluster */
	char osu[16];     /* wsrep_OSU_method */
	char cluster[64]; /* wsrep_cluster_name */
	char node[64];    /* wsrep_node_name */
	/* the cluster lock, while held */
	int held;
	strata_buf name, holder;
	/* the lease's renewal: a thread on a connection of its own */
	struct st_mysql *beat_conn;
	pthread_t beat;
	int beating;
	pthread_mutex_t mu;
	pthread_cond_t wake;
	int stop;            /* under mu: the thread ends */
	atomic_int lost;     /* the row was gone at a renewal */
	strata_buf beat_sql; /* the renewal's UPDATE */
	unsigned every_ms;   /* how often it runs: a third of the lease */
};

/* ---- detection ------------------------------------------------------ */

static int variable_cb(void *payload, int ncols, const char *const *v)
{
	struct my_galera *g = payload;

	if (ncols < 2 || !v[0] || !v[1])
		return 0;
	if (strcasecmp(v[0], "wsrep_on") == 0)
		g->on = strcasecmp(v[1], "ON") == 0;
	else if (strcasecmp(v[0], "wsrep_osu_method") == 0)
		snprintf(g->osu, sizeof(g->osu), "%s", v[1]);
	else if (strcasecmp(v[0], "wsrep_cluster_name") == 0)
		snprintf(g->cluster, sizeof(g->cluster), "%s", v[1]);
	else if (strcasecmp(v[0], "wsrep_node_name") == 0)
		snprintf(g->node, sizeof(g->node), "%s", v[1]);
	return 0;
}

/* One round trip, on every MySQL: SHOW answers no rows for variables a
 * server does not have (MySQL without wsrep), where SELECT @@x fails. */
static int detect(struct strata_driver_conn *c, struct my_galera *g)
{
	return strata__my_query(c,
	                        "SHOW GLOBAL VARIABLES WHERE Variable_name IN "
	                        "('wsrep_on', 'wsrep_OSU_method', "
	                        "'wsrep_cluster_name', 'wsrep_node_name')",
	                        variable_cb, g);
}

/* The connection's cluster facts, read once. @return 0, or an error */
static int galera(struct strata_driver_conn *c, struct my_galera **out)
{
	struct my_conn *m = my_conn(c);
	int rc;

	if (!m->galera) {
		m->galera = strata__calloc(1, sizeof(*m->galera));
		if (!m->galera)
			return strata__my_oom(c);
		rc = detect(c, m->galera);
		if (rc < 0) {
			strata__free(m->galera);
			m->galera = NULL;
			return rc;
		}
	}
	*out = m->galera;
	return 0;
}

int strata__my_galera_describe(struct strata_driver_conn *c)
{
	struct my_galera *g = NULL;
	char msg[300];
	int rc = galera(c, &g);

	if (rc < 0 || !g->on)
		return rc;
	snprintf(msg, sizeof(msg),
	         "Galera cluster '%s', node '%s': wsrep_OSU_method %s; the "
	         "runner lock is the table " LOCK_TABLE,
	         g->cluster, g->node, g->osu);
	strata_driver_notice(c, msg);
	return 0;
}

int strata__my_galera_on(struct strata_driver_conn *c)
{
	struct my_galera *g = NULL;
	int rc = galera(c, &g);

	return rc < 0 ? rc : g->on;
}

/* ---- the lease's renewal -------------------------------------------- */

static unsigned lease_s(const struct my_conn *m)
{
	return m->url.lock_lease ? m->url.lock_lease : MY_LOCK_LEASE;
}

static void *beat_main(void *arg)
{
	struct my_galera *g = arg;
	unsigned every_ms = g->every_ms;
	struct timespec at;

	pthread_mutex_lock(&g->mu);
	while (!g->stop) {
		clock_gettime(CLOCK_REALTIME, &at);
		at.tv_sec += every_ms / 1000;
		at.tv_nsec += (long)(every_ms % 1000) * 1000000L;
		if (at.tv_nsec >= 1000000000L) {
			at.tv_sec++;
			at.tv_nsec -= 1000000000L;
		}
		while (!g->stop &&
		       pthread_cond_timedwait(&g->wake, &g->mu, &at) == 0)
			;
		if (g->stop)
			break;
		pthread_mutex_unlock(&g->mu);
		/* a failed renewal (the node is busy, the connection broke)
		 * is tried again at the next beat; a row that is no longer
		 * ours is lost for good (CLIENT_FOUND_ROWS: the rows found,
		 * even one whose lease the update left as it was) */
		if (strata__my.mysql_real_query(g->beat_conn, g->beat_sql.ptr,
		                                g->beat_sql.len) == 0 &&
		    strata__my.mysql_affected_rows(g->beat_conn) == 0) {
			atomic_store(&g->lost, 1);
			strata__testpoint("lease_lost");
		}
		pthread_mutex_lock(&g->mu);
	}
	pthread_mutex_unlock(&g->mu);
	return NULL;
}

/* Connect the renewal's connection to the node the runner is on. */
static int beat_connect(struct strata_driver_conn *c, struct my_galera *g)
{
	struct my_conn *m = my_conn(c);
	char host[64], path[112];
	unsigned int port = 0;

	if (strata__my_peer(strata__my.mysql_get_socket(m->my), host,
	                    sizeof(host), &port, path, sizeof(path)) < 0)
		return strata_driver_set_error(
		        c, STRATA_EDB, NULL, 0, -1,
		        "cannot renew the cluster lock's lease: the node's "
		        "address is not known");
	g->beat_conn = strata__my.mysql_init(NULL);
	if (!g->beat_conn)
		return strata__my_oom(c);
	if (strata__my_set_options(c, g->beat_conn, &m->url,
	                           "strata (cluster lock lease)") < 0)
		return STRATA_EDB;
	if (!strata__my.mysql_real_connect(
	            g->beat_conn, host, m->url.user, m->url.password, m->url.db,
	            port, path[0] ? path : NULL, CLIENT_FOUND_ROWS))
		return strata_driver_set_error(
		        c, STRATA_EDB, NULL, 0, -1,
		        "cannot open the connection that renews the cluster "
		        "lock's lease: %s",
		        strata__my.mysql_error(g->beat_conn));
	return 0;
}

static int beat_start(struct strata_driver_conn *c, struct my_galera *g)
{
	int rc;

	strata__buf_clear(&g->beat_sql);
	rc = strata__buf_printf(&g->beat_sql,
	                        "UPDATE " LOCK_TABLE " SET lease_until = "
	                        "UTC_TIMESTAMP(6) + INTERVAL %u SECOND WHERE "
	                        "name = ",
	                        lease_s(my_conn(c)));
	if (rc == 0)
		rc = strata__my_quote_literal(c, &g->beat_sql, g->name.ptr);
	if (rc == 0)
		rc = strata__buf_puts(&g->beat_sql, " AND holder = ");
	if (rc == 0)
		rc = strata__my_quote_literal(c, &g->beat_sql, g->holder.ptr);
	if (rc < 0)
		return strata__my_oom(c);
	g->every_ms = lease_s(my_conn(c)) * 1000 / 3;
	rc = beat_connect(c, g);
	if (rc < 0)
		return rc;
	g->stop = 0;
	atomic_store(&g->lost, 0);
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->wake, NULL);
	if (pthread_create(&g->beat, NULL, beat_main, g) != 0) {
		pthread_cond_destroy(&g->wake);
		pthread_mutex_destroy(&g->mu);
		return strata_driver_set_error(
		        c, STRATA_EDB, NULL, 0, -1,
		        "cannot start the thread that "
		        "renews the cluster lock's lease");
	}
	g->beating = 1;
	return 0;
}

static void beat_stop(struct my_galera *g)
{
	if (g->beating) {
		pthread_mutex_lock(&g->mu);
		g->stop = 1;
		pthread_cond_signal(&g->wake);
		pthread_mutex_unlock(&g->mu);
		pthread_join(g->beat, NULL);
		pthread_cond_destroy(&g->wake);
		pthread_mutex_destroy(&g->mu);
		g->beating = 0;
	}
	if (g->beat_conn)
		strata__my.mysql_close(g->beat_conn);
	g->beat_conn = NULL;
}

/* ---- the cluster lock ----------------------------------------------- */

static int table_sql(struct strata_driver_conn *c)
{
	return strata__my_simple(c,
	                         "CREATE TABLE IF NOT EXISTS " LOCK_TABLE " (\n"
	                         "    name VARCHAR(191) NOT NULL PRIMARY KEY,\n"
	                         "    holder VARCHAR(255) NOT NULL,\n"
	                         "    node VARCHAR(64) NOT NULL,\n"
	                         "    taken_at DATETIME(6) NOT NULL,\n"
	                         "    lease_until DATETIME(6) NOT NULL\n"
	                         ") ENGINE=InnoDB");
}

/* "pid N on HOST, connection M": who a row belongs to */
static int make_holder(struct strata_driver_conn *c, struct my_galera *g)
{
	char host[128] = "?";

	gethostname(host, sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	strata__buf_clear(&g->holder);
	if (strata__buf_printf(&g->holder,
	                       "strata pid %ld on %s, connection %lu",
	                       (long)getpid(), host,
	                       strata__my.mysql_thread_id(my_conn(c)->my)) < 0)
		return strata__my_oom(c);
	return 0;
}

/* One try: an expired row goes, then ours goes in. @return 1 taken, 0
 * busy (another runner's row, or a write that lost to another node's in
 * certification), or an error */
static int try_take(struct strata_driver_conn *c, struct my_galera *g)
{
	strata_buf sql = STRATA_BUF_INIT;
	unsigned int err;
	int rc;

	rc = strata__buf_puts(&sql, "DELETE FROM " LOCK_TABLE " WHERE name = ");
	if (rc == 0)
		rc = strata__my_quote_literal(c, &sql, g->name.ptr);
	if (rc == 0)
		rc = strata__buf_puts(&sql,
		                      " AND lease_until < UTC_TIMESTAMP(6)");
	if (rc < 0) {
		strata_buf_release(&sql);
		return strata__my_oom(c);
	}
	rc = strata__my_simple(c, sql.ptr);
	strata__buf_clear(&sql);
	if (rc == 0)
		rc = strata__buf_puts(&sql, "INSERT INTO " LOCK_TABLE
		                            " (name, holder, node, taken_at, "
		                            "lease_until) VALUES (");
	if (rc == 0)
		rc = strata__my_quote_literal(c, &sql, g->name.ptr);
	if (rc == 0)
		rc = strata__buf_puts(&sql, ", ");
	if (rc == 0)
		rc = strata__my_quote_literal(c, &sql, g->holder.ptr);
	if (rc == 0)
		rc = strata__buf_printf(
		        &sql,
		        ", @@wsrep_node_name, UTC_TIMESTAMP(6), "
		        "UTC_TIMESTAMP(6) + INTERVAL %u SECOND)",
		        lease_s(my_conn(c)));
	if (rc == 0)
		rc = strata__my_simple(c, sql.ptr);
	strata_buf_release(&sql);
	if (rc == 0)
		return 1;
	err = strata__my.mysql_errno(my_conn(c)->my);
	if (rc == STRATA_EDB && err == ER_NO_SUCH_TABLE) {
		rc = table_sql(c);
		return rc < 0 ? rc : try_take(c, g);
	}
	/* a duplicate: held; a deadlock: lost to another node's write in
	 * certification (or a row lock): both are a busy lock */
	if (rc == STRATA_EDB &&
	    (err == ER_DUP_ENTRY || err == ER_LOCK_DEADLOCK ||
	     err == ER_LOCK_WAIT_TIMEOUT))
		return 0;
	return rc;
}

struct row {
	int found;
	char text[512];
};

static int row_cb(void *payload, int ncols, const char *const *v)
{
	struct row *r = payload;

	if (ncols >= 4 && !r->found++)
		snprintf(r->text, sizeof(r->text),
		         "%s, on node %s since %s UTC (lease until %s UTC)",
		         v[0] ? v[0] : "?", v[1] ? v[1] : "?",
		         v[2] ? v[2] : "?", v[3] ? v[3] : "?");
	return 0;
}

/* Who holds the row, as the node sees it now. */
static void find_holder(struct strata_driver_conn *c, struct my_galera *g,
                        struct row *r)
{
	strata_buf sql = STRATA_BUF_INIT;

	memset(r, 0, sizeof(*r));
	if (strata__buf_puts(
	            &sql,
	            "SELECT holder, node, taken_at, lease_until FROM " LOCK_TABLE
	            " WHERE name = ") == 0 &&
	    strata__my_quote_literal(c, &sql, g->name.ptr) == 0)
		strata__my_query(c, sql.ptr, row_cb, r);
	strata_buf_release(&sql);
}

static int lock_busy(struct strata_driver_conn *c, struct my_galera *g,
                     long secs)
{
	struct row r;

	find_holder(c, g, &r);
	strata_driver_set_error(c, STRATA_ELOCKED, NULL, 0, -1,
	                        "cannot take the cluster lock '%s' within %ld "
	                        "s: held by %s",
	                        g->name.ptr, secs,
	                        r.found ? r.text : "another runner");
	strata_driver_add_detail(
	        c, "another strata run on a node of the cluster holds it; "
	           "wait for it (a runner that died frees it when its lease "
	           "ends), or raise the lock timeout");
	return STRATA_ELOCKED;
}

/* Wait up to ms, or less when the user interrupts. */
static void pause_ms(struct strata_driver_conn *c, int ms)
{
	struct pollfd p = { strata_driver_interrupt_fd(c), POLLIN, 0 };

	if (p.fd >= 0)
		poll(&p, 1, ms);
	else
		poll(NULL, 0, ms);
}

static int refuse_rsu(struct strata_driver_conn *c, const struct my_galera *g)
{
	if (strcasecmp(g->osu, "RSU") != 0)
		return 0;
	strata_driver_set_error(
	        c, STRATA_ESTATE, NULL, 0, -1,
	        "node '%s' of the Galera cluster '%s' runs "
	        "schema changes with wsrep_OSU_method RSU: they "
	        "would stay on this node",
	        g->node, g->cluster);
	strata_driver_add_detail(c, "migrate with wsrep_OSU_method TOI (SET "
	                            "GLOBAL wsrep_OSU_method = 'TOI')");
	return STRATA_ESTATE;
}

static int take(struct strata_driver_conn *c, struct my_galera *g, long secs)
{
	int64_t deadline = strata__now_ms() + secs * 1000;
	int rc, told = 0, waited = 0;
	struct row r;
	char msg[700];

	while ((rc = try_take(c, g)) == 0) {
		if (strata_driver_interrupted(c))
			return strata_driver_set_error(
			        c, STRATA_EINTERRUPTED, NULL, 0, -1,
			        "interrupted while waiting for the cluster lock "
			        "'%s': nothing was changed",
			        g->name.ptr);
		if (strata__now_ms() >= deadline)
			return lock_busy(c, g, secs);
		if (!waited++)
			strata__testpoint("lock_wait");
		else if (!told && secs > 1 &&
		         strata__now_ms() >= deadline - (secs - 1) * 1000) {
			told = 1;
			find_holder(c, g, &r);
			snprintf(msg, sizeof(msg),
			         "waiting for the cluster lock '%s', held by "
			         "%s (up to %ld s)",
			         g->name.ptr,
			         r.found ? r.text : "another runner", secs);
			strata_driver_info(c, msg);
			strata__testpoint("lock_told");
		}
		pause_ms(c, POLL_MS);
	}
	return rc;
}

int strata__my_galera_lock(struct strata_driver_conn *c, const char *name,
                           long secs)
{
	struct my_galera *g = my_conn(c)->galera;
	int rc = refuse_rsu(c, g);

	strata__buf_clear(&g->name);
	if (rc == 0 && strata__buf_puts(&g->name, name) < 0)
		rc = strata__my_oom(c);
	if (rc == 0)
		rc = make_holder(c, g);
	/* reads see every write the cluster ordered before them: the lock
	 * row of a runner on another node, the history it wrote */
	if (rc == 0)
		rc = strata__my_simple(c, "SET SESSION wsrep_sync_wait = 1");
	if (rc == 0)
		rc = take(c, g, secs);
	if (rc < 0)
		return rc;
	g->held = 1;
	rc = beat_start(c, g);
	if (rc < 0)
		strata__my_galera_unlock(c);
	return rc;
}

int strata__my_galera_lost(struct strata_driver_conn *c)
{
	struct my_galera *g = my_conn(c)->galera;

	if (!g || !g->held || !atomic_load(&g->lost))
		return 0;
	return strata_driver_set_error(
	        c, STRATA_ELOCKED, NULL, 0, -1,
	        "the cluster lock '%s' is no longer this runner's: its lease "
	        "ran out (the node was unreachable too long); stopping",
	        g->name.ptr);
}

int strata__my_galera_unlock(struct strata_driver_conn *c)
{
	struct my_galera *g = my_conn(c)->galera;
	strata_buf sql = STRATA_BUF_INIT;
	int rc;

	if (!g || !g->held)
		return 0;
	beat_stop(g);
	g->held = 0;
	rc = strata__buf_puts(&sql, "DELETE FROM " LOCK_TABLE " WHERE name = ");
	if (rc == 0)
		rc = strata__my_quote_literal(c, &sql, g->name.ptr);
	if (rc == 0)
		rc = strata__buf_puts(&sql, " AND holder = ");
	if (rc == 0)
		rc = strata__my_quote_literal(c, &sql, g->holder.ptr);
	rc = rc < 0 ? strata__my_oom(c) : strata__my_simple(c, sql.ptr);
	strata_buf_release(&sql);
	return rc;
}

void strata__my_galera_free(struct strata_driver_conn *c)
{
	struct my_galera *g = my_conn(c)->galera;

	if (!g)
		return;
	beat_stop(g);
	strata_buf_release(&g->name);
	strata_buf_release(&g->holder);
	strata_buf_release(&g->beat_sql);
	strata__free(g);
	my_conn(c)->galera = NULL;
}
