/*
 * Stopping a statement after SIGINT/SIGTERM (postgres_wait.c,
 * mysql_wait.c): the same schedule on every server. A second connection
 * asks the server to cancel the statement, then to end the session, and
 * strata gives up waiting a second after the interrupt.
 */
#ifndef STRATA_DRIVERS_STOP_H
#define STRATA_DRIVERS_STOP_H

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

#endif
