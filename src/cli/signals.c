/*
 * SIGINT and SIGTERM ask the running operation to stop: before the next
 * migration, or, during a statement, by cancelling it on the server (the
 * drivers watch the library's interrupt pipe). strata_ctx_interrupt() is
 * async-signal-safe. A second signal ends the process at once.
 */
#include <signal.h>
#include <string.h>

#include "cli.h"

static strata_ctx *signal_ctx;

static void on_signal(int sig)
{
	if (signal_ctx) {
		strata_ctx_interrupt(signal_ctx);
		signal_ctx = NULL;
		return;
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

void cli_catch_signals(strata_ctx *ctx)
{
	struct sigaction sa;

	signal_ctx = ctx;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

void cli_release_signals(void)
{
	signal_ctx = NULL;
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
}
