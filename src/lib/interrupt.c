/*
 * Interrupts: strata_ctx_interrupt(), safe in a signal handler, asks the
 * running operation to stop. The engine looks at the flag between
 * migrations; a driver waiting for the server polls the read end of a
 * pipe that the interrupt writes to, so that it can cancel the statement
 * in flight at once instead of waiting for it (see driver.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "common.h"
#include "ctx.h"

void strata_ctx_interrupt(strata_ctx *ctx)
{
	int saved = errno, fd;
	strata_ctx *child = ctx->child;

	ctx->interrupted = 1;
	if (child)
		strata_ctx_interrupt(child);
	fd = ctx->wake_w;
	/* non-blocking: a full pipe is as good as one more byte */
	if (fd >= 0 && write(fd, "!", 1) < 0)
		errno = saved;
	errno = saved;
}

static int set_flags(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	                       fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 ?
	               -1 :
	               0;
}

int strata_driver_interrupt_fd(struct strata_driver_conn *c)
{
	strata_ctx *ctx = c->ctx;
	int p[2];

	if (ctx->wake_r >= 0)
		return ctx->wake_r;
	if (pipe(p) < 0)
		return -1;
	if (set_flags(p[0]) < 0 || set_flags(p[1]) < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	ctx->wake_r = p[0];
	/* last: from now on a signal handler writes to it */
	ctx->wake_w = p[1];
	/* an interrupt that came before the pipe existed */
	if (ctx->interrupted)
		strata_ctx_interrupt(ctx);
	return ctx->wake_r;
}

void strata__interrupt_release(strata_ctx *ctx)
{
	int w = ctx->wake_w;

	ctx->wake_w = -1;
	if (w >= 0)
		close(w);
	if (ctx->wake_r >= 0)
		close(ctx->wake_r);
	ctx->wake_r = -1;
}
