/*
 * Waiting for PostgreSQL, interruptibly. Statements go out with libpq's
 * non-blocking calls, and strata waits for their results with poll() on
 * the connection's socket and on the interrupt pipe (driver.h), never
 * inside libpq, which would wait through any signal.
 *
 * When the user asks to stop while a statement runs, a second connection
 * asks the server to cancel it (pg_cancel_backend), and half a second
 * later, if it still runs, to end its session (pg_terminate_backend): a
 * server process that had not read the statement yet ignores a cancel,
 * and one that is stopped (SIGSTOP, a frozen host) acts on neither until
 * it runs again, when the session's end rolls its transaction back before
 * it reads anything more. A second after the interrupt strata stops
 * waiting: it closes the connection with a reset, so that what the server
 * has not received yet never reaches it, and reports that the statement's
 * outcome is unknown. Both requests are plain SQL over a connection made
 * without blocking (PQcancel() would block in connect() for minutes when
 * the network is down) to the address the first one reached.
 */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "postgres.h"
#include "stop.h"
#include "../util/clock.h"
#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/secret.h"

/* ------------------------------------------------------------------ */
/* The second connection, which asks the server to stop a statement   */

static void ctl_close(struct pg_stop *s)
{
	if (s->ctl)
		strata__pq.PQfinish(s->ctl);
	s->ctl = NULL;
}

static void ctl_failed(struct pg_stop *s, const char *why)
{
	size_t n;

	if (why && !s->why[0]) {
		n = strcspn(why, "\n");
		if (n >= sizeof(s->why))
			n = sizeof(s->why) - 1;
		memcpy(s->why, why, n);
		s->why[n] = '\0';
	}
	ctl_close(s);
	s->ctl_state = CTL_FAILED;
}

/* The server process running the first session's statement, or 0 when
 * not known: behind a pooler, the one of the current transaction. */
static int session_pid(struct strata_driver_conn *c)
{
	return c->pooled ? pc(c)->txn_pid : strata__pq.PQbackendPID(pc(c)->pg);
}

/* Send pg_cancel_backend or pg_terminate_backend for the first session. */
static void ctl_ask(struct strata_driver_conn *c, int what)
{
	struct pg_stop *s = &pc(c)->stop;
	int pid = session_pid(c);
	char sql[96];

	if (!pid) {
		ctl_failed(s, "through a transaction pooler, outside a "
		              "transaction, the server process is not known");
		return;
	}
	snprintf(sql, sizeof(sql), "SELECT pg_catalog.%s(%d)",
	         what == PG_STOP_CANCEL ? "pg_cancel_backend" :
	                                  "pg_terminate_backend",
	         pid);
	if (!strata__pq.PQsendQuery(s->ctl, sql)) {
		ctl_failed(s, strata__pq.PQerrorMessage(s->ctl));
		return;
	}
	s->asked |= what;
	s->ctl_state = CTL_BUSY;
}

/* The request due now: the session's end once its time has come. */
static int ctl_due(const struct pg_stop *s, long long now)
{
	if (now >= s->t0 + STOP_END_SESSION_MS)
		return (s->asked & PG_STOP_TERMINATE) ? 0 : PG_STOP_TERMINATE;
	return (s->asked & PG_STOP_CANCEL) ? 0 : PG_STOP_CANCEL;
}

static void ctl_start(struct strata_driver_conn *c)
{
	struct pg_stop *s = &pc(c)->stop;
	PGconn *pg = pc(c)->pg;
	const char *keys[8], *vals[8];
	const char *host = strata__pq.PQhost(pg);
	const char *addr = strata__pq.PQhostaddr(pg);
	const char *port = strata__pq.PQport(pg);
	int n = 0;

	/*
	 * The URL as the first connection had it (password, TLS, options),
	 * pinned to the server it reached: the address it connected to,
	 * so that no name is looked up while the network may be down.
	 */
	keys[n] = "dbname";
	vals[n++] = pc(c)->url;
	if (host && host[0]) {
		keys[n] = "host";
		vals[n++] = host;
	}
	if (addr && addr[0]) {
		keys[n] = "hostaddr";
		vals[n++] = addr;
	}
	if (port && port[0]) {
		keys[n] = "port";
		vals[n++] = port;
	}
	keys[n] = "target_session_attrs";
	vals[n++] = "any";
	keys[n] = "application_name";
	vals[n++] = "strata (stopping a statement)";
	keys[n] = NULL;
	vals[n] = NULL;
	s->ctl = strata__pq.PQconnectStartParams(keys, vals, 1);
	if (!s->ctl) {
		ctl_failed(s, "out of memory");
		return;
	}
	if (strata__pq.PQstatus(s->ctl) == CONNECTION_BAD) {
		ctl_failed(s, strata__pq.PQerrorMessage(s->ctl));
		return;
	}
	s->ctl_state = CTL_CONNECTING;
	s->ctl_poll = PGRES_POLLING_WRITING;
}

/* What to poll the second connection's socket for (0: nothing). */
static short ctl_events(const struct pg_stop *s)
{
	if (s->ctl_state == CTL_CONNECTING)
		return s->ctl_poll == PGRES_POLLING_READING ? POLLIN : POLLOUT;
	if (s->ctl_state == CTL_BUSY)
		return (short)(POLLIN |
		               (strata__pq.PQflush(s->ctl) == 1 ? POLLOUT : 0));
	return 0;
}

/* The second connection's socket is ready: move it on. */
static void ctl_io(struct strata_driver_conn *c, long long now)
{
	struct pg_stop *s = &pc(c)->stop;
	PGresult *res;

	if (s->ctl_state == CTL_CONNECTING) {
		s->ctl_poll = strata__pq.PQconnectPoll(s->ctl);
		if (s->ctl_poll == PGRES_POLLING_FAILED) {
			ctl_failed(s, strata__pq.PQerrorMessage(s->ctl));
		} else if (s->ctl_poll == PGRES_POLLING_OK) {
			strata__pq.PQsetnonblocking(s->ctl, 1);
			s->ctl_state = CTL_IDLE;
		}
	} else if (s->ctl_state == CTL_BUSY) {
		if (strata__pq.PQflush(s->ctl) < 0 ||
		    !strata__pq.PQconsumeInput(s->ctl)) {
			ctl_failed(s, strata__pq.PQerrorMessage(s->ctl));
			return;
		}
		while (!strata__pq.PQisBusy(s->ctl)) {
			res = strata__pq.PQgetResult(s->ctl);
			if (!res) {
				s->ctl_state = CTL_IDLE;
				break;
			}
			/* true: the server signalled the process */
			if (strata__pq.PQresultStatus(res) == PGRES_TUPLES_OK &&
			    strata__pq.PQntuples(res) == 1 &&
			    strata__pq.PQgetvalue(res, 0, 0)[0] == 't')
				s->done |= (s->asked & PG_STOP_TERMINATE) ?
				                   PG_STOP_TERMINATE :
				                   PG_STOP_CANCEL;
			else if (strata__pq.PQresultStatus(res) ==
			         PGRES_FATAL_ERROR)
				ctl_failed(s, strata__pq.PQresultErrorMessage(
				                      res));
			strata__pq.PQclear(res);
			if (!s->ctl)
				return;
		}
	}
	if (s->ctl_state == CTL_IDLE && ctl_due(s, now))
		ctl_ask(c, ctl_due(s, now));
}

/* ------------------------------------------------------------------ */
/* Giving up                                                          */

/* What the second connection did, for the error's detail. */
static void stop_detail(struct strata_driver_conn *c, int pid)
{
	struct pg_stop *s = &pc(c)->stop;
	strata_buf b = STRATA_BUF_INIT;
	int rc;

	if (s->done & PG_STOP_TERMINATE)
		rc = strata__buf_printf(
		        &b,
		        "strata asked the server to end the session of server "
		        "process %d (pg_terminate_backend): that process rolls "
		        "its transaction back when it runs again, before it "
		        "reads anything more, unless it had committed already",
		        pid);
	else if (s->done & PG_STOP_CANCEL)
		rc = strata__buf_printf(&b,
		                        "strata asked server process %d to "
		                        "cancel the statement, but could not "
		                        "end its session",
		                        pid);
	else
		rc = strata__buf_printf(&b,
		                        "strata could not reach the server "
		                        "to cancel the statement of server "
		                        "process %d%s%s",
		                        pid, s->why[0] ? ": " : "", s->why);
	if (rc == 0) {
		strata__mask_secret(&b, strata__pq.PQpass(pc(c)->pg));
		strata_driver_add_detail(c, b.ptr);
	}
	strata_buf_release(&b);
}

/*
 * A second has passed since the interrupt: close the connection with a
 * reset (SO_LINGER 0), so that the server never receives what it has not
 * received yet, and say that the statement's outcome is unknown.
 */
static int give_up(struct strata_driver_conn *c)
{
	struct pg_stop *s = &pc(c)->stop;
	PGconn *pg = pc(c)->pg;
	int fd = strata__pq.PQsocket(pg), pid = session_pid(c);
	struct linger l;
	int rc;

	ctl_close(s);
	rc = strata_driver_set_error(
	        c, STRATA_EINTERRUPTED, "08007", 0, -1,
	        "interrupted: the server did not answer within %d s, so "
	        "strata closed the connection; whether the statement took "
	        "effect is unknown",
	        STOP_GIVE_UP_MS / 1000);
	stop_detail(c, pid);
	if (fd >= 0) {
		l.l_onoff = 1;
		l.l_linger = 0;
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
		shutdown(fd, SHUT_RDWR);
	}
	strata__pq.PQfinish(pg);
	pc(c)->pg = NULL;
	s->t0 = 0;
	return rc;
}

/* ------------------------------------------------------------------ */
/* Waiting                                                            */

/*
 * Wait until PQgetResult() will not block: every byte sent and a result
 * there (or the connection broken, which PQgetResult reports). 0, or <0
 * when strata gave up after an interrupt (error set, connection closed).
 */
static int wait_ready(struct strata_driver_conn *c)
{
	struct pg_stop *s = &pc(c)->stop;
	int wake = -1;

	for (;;) {
		PGconn *pg = pc(c)->pg;
		struct pollfd fds[3];
		int nfds = 0, flush, timeout = -1, ctl_at = -1;
		long long now;
		short ev;

		flush = strata__pq.PQflush(pg);
		if (flush < 0 || !strata__pq.PQconsumeInput(pg) ||
		    strata__pq.PQstatus(pg) == CONNECTION_BAD)
			return 0;
		if (flush == 0 && !strata__pq.PQisBusy(pg))
			return 0;
		now = strata__now_ms();
		/* in flight when the interrupt came: stop it */
		if (!s->t0 && strata_driver_interrupted(c))
			s->t0 = now;
		if (s->t0 && now < s->t0) {
			/* a late statement's grace */
			timeout = (int)(s->t0 - now);
		} else if (s->t0) {
			if (now >= s->t0 + STOP_GIVE_UP_MS)
				return give_up(c);
			if (s->ctl_state == CTL_NONE)
				ctl_start(c);
			timeout = (int)(s->t0 + STOP_GIVE_UP_MS - now);
			if (!(s->asked & PG_STOP_TERMINATE) &&
			    now < s->t0 + STOP_END_SESSION_MS)
				timeout = (int)(s->t0 + STOP_END_SESSION_MS -
				                now);
			if (s->ctl_state == CTL_IDLE && ctl_due(s, now))
				ctl_ask(c, ctl_due(s, now));
			ev = s->ctl ? ctl_events(s) : 0;
			if (ev) {
				fds[nfds].fd = strata__pq.PQsocket(s->ctl);
				fds[nfds].events = ev;
				ctl_at = nfds++;
			}
		} else {
			stop_watch_interrupt(c, &wake, fds, &nfds, &timeout);
		}
		fds[nfds].fd = strata__pq.PQsocket(pg);
		fds[nfds++].events = (short)(POLLIN | (flush ? POLLOUT : 0));
		/* a time limit, or a signal: look again */
		if (poll(fds, (nfds_t)nfds, timeout) <= 0)
			continue;
		if (ctl_at >= 0 && fds[ctl_at].revents)
			ctl_io(c, strata__now_ms());
	}
}

int strata__pg_send(struct strata_driver_conn *c, const char *sql, int n,
                    const char *const *values)
{
	PGconn *pg = pc(c)->pg;
	struct pg_stop *s = &pc(c)->stop;
	int ok;

	ctl_close(s);
	memset(s, 0, sizeof(*s));
	/* after an interrupt: the run's clean-up, as a rule */
	if (strata_driver_interrupted(c)) {
		s->t0 = strata__now_ms() + STOP_LATE_MS;
	}
	if (n >= 0)
		ok = strata__pq.PQsendQueryParams(pg, sql, n, NULL, values,
		                                  NULL, NULL, 0);
	else
		ok = strata__pq.PQsendQuery(pg, sql);
	return ok ? 0 : STRATA_EDB;
}

PGresult *strata__pg_result(struct strata_driver_conn *c, int *rc)
{
	PGresult *res;

	*rc = wait_ready(c);
	if (*rc < 0)
		return NULL;
	res = strata__pq.PQgetResult(pc(c)->pg);
	if (!res) {
		/* the statement is over; what was asked stays known */
		ctl_close(&pc(c)->stop);
		pc(c)->stop.t0 = 0;
	}
	return res;
}

PGresult *strata__pg_exec_wait(struct strata_driver_conn *c, const char *sql,
                               int n, const char *const *values, int *rc)
{
	PGresult *res, *keep = NULL;

	*rc = strata__pg_send(c, sql, n, values);
	if (*rc < 0)
		return NULL;
	while ((res = strata__pg_result(c, rc)) != NULL) {
		ExecStatusType st = strata__pq.PQresultStatus(res);

		/* COPY is not waited for here: what runs through this
		 * helper never starts one */
		if (keep &&
		    strata__pq.PQresultStatus(keep) == PGRES_FATAL_ERROR) {
			strata__pq.PQclear(res);
		} else {
			strata__pq.PQclear(keep);
			keep = res;
		}
		if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT ||
		    strata__pq.PQstatus(pc(c)->pg) == CONNECTION_BAD)
			break;
	}
	if (*rc < 0) {
		strata__pq.PQclear(keep);
		return NULL;
	}
	return keep;
}

int strata__pg_nap(struct strata_driver_conn *c, long ms)
{
	long long end = strata__now_ms() + ms, now;
	int wake = strata_driver_interrupt_fd(c);
	struct pollfd p;

	while (!strata_driver_interrupted(c) &&
	       (now = strata__now_ms()) < end) {
		p.fd = wake;
		p.events = POLLIN;
		/* no pipe: short naps, looking at the flag between them */
		poll(&p, wake >= 0 ? 1 : 0,
		     (int)(wake >= 0 || end - now < 50 ? end - now : 50));
	}
	return strata_driver_interrupted(c) != 0;
}

int strata__pg_stop_error(struct strata_driver_conn *c, const char *sqlstate,
                          long offset)
{
	const struct pg_stop *s = &pc(c)->stop;

	if (!s->asked)
		return 0;
	if (sqlstate && strcmp(sqlstate, "57014") == 0)
		return strata_driver_set_error(
		        c, STRATA_EINTERRUPTED, "57014", 0, offset,
		        "interrupted: the server cancelled the statement at "
		        "strata's request");
	if ((s->asked & PG_STOP_TERMINATE) &&
	    (!sqlstate || strcmp(sqlstate, "57P01") == 0))
		return strata_driver_set_error(
		        c, STRATA_EINTERRUPTED, "57P01", 0, offset,
		        "interrupted: the server ended strata's session at its "
		        "request, rolling back the statement's transaction");
	return 0;
}
