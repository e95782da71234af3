/*
 * Stopping a statement after SIGINT/SIGTERM (postgres_wait.c,
 * mysql_wait.c): the same schedule on every server. A second connection
 * asks the server to cancel the statement, then to end the session, and
 * strata gives up waiting a second after the interrupt.
 */
#ifndef STRATA_DRIVERS_STOP_H
#define STRATA_DRIVERS_STOP_H

#include <poll.h>

#include "strata/sys/driver.h"

/* After an interrupt: end the session, then give up (ms). */
#define STOP_END_SESSION_MS 500
#define STOP_GIVE_UP_MS     1000
/* A statement sent after the interrupt (the run's clean-up: ROLLBACK,
 * the unlock) has this long before the same begins for it. */
#define STOP_LATE_MS 250

/* The second connection's state. */
enum ctl_state {
	CTL_NONE = 0,
	CTL_CONNECTING,
	CTL_BUSY,
	CTL_IDLE,
	CTL_FAILED
};

/*
 * Before an interrupt: watch the interrupt pipe (opened on first use,
 * kept in *wake) as fds[*nfds]; without a pipe, look at the flag every
 * 100 ms instead.
 */
static inline void stop_watch_interrupt(struct strata_driver_conn *c, int *wake,
                                        struct pollfd *fds, int *nfds,
                                        int *timeout)
{
	if (*wake < 0)
		*wake = strata_driver_interrupt_fd(c);
	if (*wake < 0) {
		*timeout = 100;
		return;
	}
	fds[*nfds].fd = *wake;
	fds[(*nfds)++].events = POLLIN;
}

#endif
