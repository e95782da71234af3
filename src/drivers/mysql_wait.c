/*
 * Waiting for MySQL, interruptibly. Every libmariadb call that waits for
 * the server goes through its non-blocking API (MYSQL_OPT_NONBLOCK): the
 * call is started, and continued whenever poll() finds the connection's
 * socket ready, while the same poll() watches the interrupt pipe
 * (driver.h); libmariadb's own waits go on through any signal.
 *
 * When the user asks to stop while a statement runs, a second connection
 * (made without blocking, to the address the first one reached) sends
 * KILL QUERY for it, and half a second later, if it still runs, KILL
 * CONNECTION: a server thread that has not read the statement yet (the
 * network or the server stalled) is idle, and only ending its connection
 * keeps the statement from running when it arrives. A second after the
 * interrupt strata stops waiting: it closes the connection with a reset
 * and reports that the statement's outcome is unknown.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include <errmsg.h>
#include <mysqld_error.h>

#include "mysql_int.h"
#include "mysql_load.h"
#include "stop.h"
#include "../util/clock.h"
#include "../util/buf.h"

/* poll() events for libmariadb's MYSQL_WAIT_* bits, and back. */
static short events_of(int st)
{
	return (short)(((st & MYSQL_WAIT_READ) ? POLLIN : 0) |
	               ((st & MYSQL_WAIT_WRITE) ? POLLOUT : 0) |
	               ((st & MYSQL_WAIT_EXCEPT) ? POLLPRI : 0));
}

static int status_of(short revents, int wanted)
{
	int st = 0;

	if (revents & POLLIN)
		st |= MYSQL_WAIT_READ;
	if (revents & POLLOUT)
		st |= MYSQL_WAIT_WRITE;
	if (revents & POLLPRI)
		st |= MYSQL_WAIT_EXCEPT;
	/* an error or hang-up: let libmariadb find it out */
	if (revents & (POLLERR | POLLHUP | POLLNVAL))
		st |= wanted & (MYSQL_WAIT_READ | MYSQL_WAIT_WRITE);
	return st;
}

/* ------------------------------------------------------------------ */
/* The second connection, which asks the server to stop a statement   */

void strata__my_stop_close(struct strata_driver_conn *c)
{
	struct my_stop *s = &my_conn(c)->stop;

	/* also in the middle of a call: its state goes with the handle */
	if (s->ctl)
		strata__my.mysql_close(s->ctl);
	s->ctl = NULL;
}

static void ctl_failed(struct strata_driver_conn *c, const char *why)
{
	struct my_stop *s = &my_conn(c)->stop;
	size_t n;

	if (why && why[0] && !s->why[0]) {
		n = strcspn(why, "\n");
		if (n >= sizeof(s->why))
			n = sizeof(s->why) - 1;
		memcpy(s->why, why, n);
		s->why[n] = '\0';
	}
	strata__my_stop_close(c);
	s->ctl_state = CTL_FAILED;
}

/* The request due now: the connection's end once its time has come. */
static int ctl_due(const struct my_stop *s, long long now)
{
	if (now >= s->t0 + STOP_END_SESSION_MS)
		return (s->asked & MY_STOP_CONNECTION) ? 0 : MY_STOP_CONNECTION;
	return (s->asked & MY_STOP_QUERY) ? 0 : MY_STOP_QUERY;
}

/* The KILL just sent was answered (err: its result). */
static void ctl_answered(struct strata_driver_conn *c, int err)
{
	struct my_stop *s = &my_conn(c)->stop;
	int what = (s->asked & MY_STOP_CONNECTION) ? MY_STOP_CONNECTION :
	                                             MY_STOP_QUERY;

	/* "unknown thread": the connection is gone already */
	if (!err || strata__my.mysql_errno(s->ctl) == ER_NO_SUCH_THREAD) {
		s->done |= what;
		s->ctl_state = CTL_IDLE;
	} else {
		ctl_failed(c, strata__my.mysql_error(s->ctl));
	}
}

static void ctl_ask(struct strata_driver_conn *c, int what)
{
	struct my_conn *m = my_conn(c);
	struct my_stop *s = &m->stop;
	char sql[64];
	int err = 0, st;

	snprintf(sql, sizeof(sql), "KILL %s %lu",
	         what == MY_STOP_QUERY ? "QUERY" : "CONNECTION", m->thread);
	s->asked |= what;
	st = strata__my.mysql_real_query_start(&err, s->ctl, sql,
	                                       (unsigned long)strlen(sql));
	if (st) {
		s->ctl_state = CTL_BUSY;
		s->ctl_wait = st;
	} else {
		ctl_answered(c, err);
	}
}

int strata__my_peer(int fd, char *host, size_t n, unsigned int *port,
                    char *path, size_t pn)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	host[0] = path[0] = '\0';
	if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;

		*port = ntohs(a->sin_port);
		return inet_ntop(AF_INET, &a->sin_addr, host, (socklen_t)n) ?
		               0 :
		               -1;
	}
	if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&ss;

		*port = ntohs(a->sin6_port);
		return inet_ntop(AF_INET6, &a->sin6_addr, host, (socklen_t)n) ?
		               0 :
		               -1;
	}
	if (ss.ss_family == AF_UNIX) {
		const struct sockaddr_un *a = (const struct sockaddr_un *)&ss;

		snprintf(path, pn, "%.*s", (int)sizeof(a->sun_path),
		         a->sun_path);
		snprintf(host, n, "localhost");
		return path[0] ? 0 : -1;
	}
	return -1;
}

static void ctl_start(struct strata_driver_conn *c)
{
	struct my_conn *m = my_conn(c);
	struct my_stop *s = &m->stop;
	unsigned int port = 0;
	MYSQL *ret = NULL;
	int st;

	if (strata__my_peer(strata__my.mysql_get_socket(m->my), s->host,
	                    sizeof(s->host), &port, s->path,
	                    sizeof(s->path)) < 0) {
		ctl_failed(c, "the server's address is not known");
		return;
	}
	s->ctl = strata__my.mysql_init(NULL);
	if (!s->ctl) {
		ctl_failed(c, "out of memory");
		return;
	}
	if (strata__my.mysql_optionsv(s->ctl, MYSQL_OPT_NONBLOCK, 0) != 0 ||
	    strata__my_set_options(c, s->ctl, &m->url,
	                           "strata (stopping a statement)") < 0) {
		ctl_failed(c, strata__my.mysql_error(s->ctl));
		return;
	}
	st = strata__my.mysql_real_connect_start(
	        &ret, s->ctl, s->host, m->url.user, m->url.password, NULL, port,
	        s->path[0] ? s->path : NULL, 0);
	if (st) {
		s->ctl_state = CTL_CONNECTING;
		s->ctl_wait = st;
	} else if (ret) {
		s->ctl_state = CTL_IDLE;
	} else {
		ctl_failed(c, strata__my.mysql_error(s->ctl));
	}
}

/* The second connection's socket is ready (ready: MYSQL_WAIT_*). */
static void ctl_io(struct strata_driver_conn *c, int ready, long long now)
{
	struct my_stop *s = &my_conn(c)->stop;
	MYSQL *ret = NULL;
	int err = 0, st;

	if (s->ctl_state == CTL_CONNECTING) {
		st = strata__my.mysql_real_connect_cont(&ret, s->ctl, ready);
		if (st)
			s->ctl_wait = st;
		else if (ret)
			s->ctl_state = CTL_IDLE;
		else
			ctl_failed(c, strata__my.mysql_error(s->ctl));
	} else if (s->ctl_state == CTL_BUSY) {
		st = strata__my.mysql_real_query_cont(&err, s->ctl, ready);
		if (st)
			s->ctl_wait = st;
		else
			ctl_answered(c, err);
	}
	if (s->ctl_state == CTL_IDLE && ctl_due(s, now))
		ctl_ask(c, ctl_due(s, now));
}

/* ------------------------------------------------------------------ */
/* Giving up                                                          */

static void stop_detail(struct strata_driver_conn *c)
{
	struct my_conn *m = my_conn(c);
	struct my_stop *s = &m->stop;
	strata_buf b = STRATA_BUF_INIT;
	int rc;

	if (s->done & MY_STOP_CONNECTION)
		rc = strata__buf_printf(
		        &b,
		        "strata had the server end connection %lu (KILL "
		        "CONNECTION): the server rolls back its open "
		        "transaction, and a statement it had not received yet "
		        "never runs",
		        m->thread);
	else if (s->done & MY_STOP_QUERY)
		rc = strata__buf_printf(&b,
		                        "strata asked the server to stop the "
		                        "statement of connection %lu (KILL "
		                        "QUERY), but could not end the "
		                        "connection",
		                        m->thread);
	else
		rc = strata__buf_printf(&b,
		                        "strata could not reach the server to "
		                        "stop the statement of connection "
		                        "%lu%s%s",
		                        m->thread, s->why[0] ? ": " : "",
		                        s->why);
	if (rc == 0)
		strata_driver_add_detail(c, b.ptr);
	strata_buf_release(&b);
}

/*
 * Stop waiting: close the connection with a reset (SO_LINGER 0), so that
 * the server never receives what it has not received yet.
 */
static int give_up(struct strata_driver_conn *c, int connecting)
{
	struct my_conn *m = my_conn(c);
	int fd = strata__my.mysql_get_socket(m->my);
	struct linger l;

	if (connecting)
		strata_driver_set_error(c, STRATA_EINTERRUPTED, NULL, 0, -1,
		                        "interrupted while connecting to MySQL "
		                        "as %s",
		                        m->where);
	else
		strata_driver_set_error(
		        c, STRATA_EINTERRUPTED, "08007", 0, -1,
		        "interrupted: the server did not answer within %d s, "
		        "so strata closed the connection; whether the "
		        "statement took effect is unknown",
		        STOP_GIVE_UP_MS / 1000);
	if (!connecting)
		stop_detail(c);
	strata__my_stop_close(c);
	if (fd >= 0) {
		l.l_onoff = 1;
		l.l_linger = 0;
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
		shutdown(fd, SHUT_RDWR);
	}
	strata__my.mysql_close(m->my);
	m->my = NULL;
	m->stop.t0 = 0;
	return -1;
}

/* ------------------------------------------------------------------ */
/* Waiting                                                            */

/*
 * Wait for what status asks (MYSQL_WAIT_*) and return what happened, for
 * the call's _cont; -1 when strata gave up after an interrupt. While
 * connecting, an interrupt gives up at once.
 */
static int wait_for(struct strata_driver_conn *c, int status, int connecting)
{
	struct my_conn *m = my_conn(c);
	struct my_stop *s = &m->stop;
	long long lib_end = 0, now = strata__now_ms();
	int wake = -1;

	/* libmariadb's own limit: connect, read and write timeouts */
	if (status & MYSQL_WAIT_TIMEOUT)
		lib_end = now + strata__my.mysql_get_timeout_value_ms(m->my);
	for (;;) {
		struct pollfd fds[3];
		int nfds = 0, timeout = -1, ctl_at = -1, main_at;

		now = strata__now_ms();
		if (!s->t0 && strata_driver_interrupted(c)) {
			if (connecting)
				return give_up(c, 1);
			/* in flight when the interrupt came: stop it */
			s->t0 = now;
		}
		if (s->t0 && now < s->t0) {
			/* a late statement's grace */
			timeout = (int)(s->t0 - now);
		} else if (s->t0) {
			if (now >= s->t0 + STOP_GIVE_UP_MS)
				return give_up(c, connecting);
			if (s->ctl_state == CTL_NONE)
				ctl_start(c);
			timeout = (int)(s->t0 + STOP_GIVE_UP_MS - now);
			if (!(s->asked & MY_STOP_CONNECTION) &&
			    now < s->t0 + STOP_END_SESSION_MS)
				timeout = (int)(s->t0 + STOP_END_SESSION_MS -
				                now);
			if (s->ctl_state == CTL_IDLE && ctl_due(s, now))
				ctl_ask(c, ctl_due(s, now));
			if (s->ctl && (s->ctl_state == CTL_CONNECTING ||
			               s->ctl_state == CTL_BUSY)) {
				fds[nfds].fd =
				        strata__my.mysql_get_socket(s->ctl);
				fds[nfds].events = events_of(s->ctl_wait);
				ctl_at = nfds++;
			}
		} else {
			stop_watch_interrupt(c, &wake, fds, &nfds, &timeout);
		}
		if (lib_end) {
			if (now >= lib_end)
				return MYSQL_WAIT_TIMEOUT;
			if (timeout < 0 || lib_end - now < timeout)
				timeout = (int)(lib_end - now);
		}
		fds[nfds].fd = strata__my.mysql_get_socket(m->my);
		fds[nfds].events = events_of(status);
		main_at = nfds++;
		/* a time limit, or a signal: look again */
		if (poll(fds, (nfds_t)nfds, timeout) <= 0)
			continue;
		if (ctl_at >= 0 && fds[ctl_at].revents)
			ctl_io(c, status_of(fds[ctl_at].revents, s->ctl_wait),
			       strata__now_ms());
		if (fds[main_at].revents)
			return status_of(fds[main_at].revents, status);
	}
}

/* A new statement: what a stop did to the last one is forgotten. */
static void stop_begin(struct strata_driver_conn *c)
{
	struct my_stop *s = &my_conn(c)->stop;

	strata__my_stop_close(c);
	memset(s, 0, sizeof(*s));
	/* after an interrupt: the run's clean-up, as a rule */
	if (strata_driver_interrupted(c))
		s->t0 = strata__now_ms() + STOP_LATE_MS;
}

int strata__my_real_query(struct strata_driver_conn *c, const char *q,
                          unsigned long n)
{
	int err = 0, st;

	stop_begin(c);
	st = strata__my.mysql_real_query_start(&err, my_conn(c)->my, q, n);
	while (st) {
		st = wait_for(c, st, 0);
		if (st < 0)
			return STRATA_EINTERRUPTED;
		st = strata__my.mysql_real_query_cont(&err, my_conn(c)->my, st);
	}
	return err;
}

MYSQL_RES *strata__my_store_result(struct strata_driver_conn *c, int *rc)
{
	MYSQL_RES *res = NULL;
	int st;

	*rc = 0;
	st = strata__my.mysql_store_result_start(&res, my_conn(c)->my);
	while (st) {
		st = wait_for(c, st, 0);
		if (st < 0) {
			*rc = STRATA_EINTERRUPTED;
			return NULL;
		}
		st = strata__my.mysql_store_result_cont(&res, my_conn(c)->my,
		                                        st);
	}
	return res;
}

int strata__my_next_result(struct strata_driver_conn *c)
{
	int ret = 0, st;

	st = strata__my.mysql_next_result_start(&ret, my_conn(c)->my);
	while (st) {
		st = wait_for(c, st, 0);
		if (st < 0)
			return STRATA_EINTERRUPTED;
		st = strata__my.mysql_next_result_cont(&ret, my_conn(c)->my,
		                                       st);
	}
	return ret;
}

int strata__my_real_connect(struct strata_driver_conn *c, const char *host,
                            const char *db)
{
	struct my_conn *m = my_conn(c);
	const struct my_url *u = &m->url;
	MYSQL *ret = NULL;
	int st;

	strata__my_stop_close(c);
	memset(&m->stop, 0, sizeof(m->stop));
	st = strata__my.mysql_real_connect_start(&ret, m->my, host, u->user,
	                                         u->password, db, u->port,
	                                         u->socket, 0);
	while (st) {
		st = wait_for(c, st, 1);
		if (st < 0)
			return STRATA_EINTERRUPTED;
		st = strata__my.mysql_real_connect_cont(&ret, m->my, st);
	}
	if (!ret)
		return -1;
	m->thread = strata__my.mysql_thread_id(m->my);
	return 0;
}

int strata__my_stop_error(struct strata_driver_conn *c, unsigned int err,
                          long offset)
{
	const struct my_stop *s = &my_conn(c)->stop;

	if (!s->asked)
		return 0;
	if ((s->asked & MY_STOP_CONNECTION) &&
	    (err == ER_CONNECTION_KILLED || err == CR_SERVER_LOST ||
	     err == CR_SERVER_GONE_ERROR || err == ER_QUERY_INTERRUPTED))
		return strata_driver_set_error(
		        c, STRATA_EINTERRUPTED, "57P01", (int)err, offset,
		        "interrupted: the server ended strata's connection at "
		        "its request, rolling back its open transaction");
	if (err == ER_QUERY_INTERRUPTED)
		return strata_driver_set_error(
		        c, STRATA_EINTERRUPTED, "57014", (int)err, offset,
		        "interrupted: the server stopped the statement at "
		        "strata's request");
	return 0;
}
