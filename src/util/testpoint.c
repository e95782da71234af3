/*
 * Pause points for tests (testpoint.h); empty outside test builds.
 */
#include "testpoint.h"

#ifdef STRATA_TEST_BUILD
# include <errno.h>
# include <fcntl.h>
# include <stdlib.h>
# include <string.h>
# include <unistd.h>

/* The FIFO that NAME pauses on, copied to out, or 0 when not named. */
static int fifo_for(const char *name, char *out, size_t n)
{
	const char *spec = getenv("STRATA_TEST_PAUSE"), *p, *end;
	size_t k = strlen(name);

	for (p = spec; p && *p; p = *end ? end + 1 : end) {
		end = p + strcspn(p, ",");
		if ((size_t)(end - p) > k + 1 && strncmp(p, name, k) == 0 &&
		    p[k] == ':' && (size_t)(end - p - k - 1) < n - 6) {
			memcpy(out, p + k + 1, (size_t)(end - p) - k - 1);
			out[end - p - k - 1] = '\0';
			return 1;
		}
	}
	return 0;
}

/* STRATA_TEST_TRACE: "name\n" appended in one write, so that the lines
 * of processes tracing to one file never mix. */
static void trace(const char *name)
{
	const char *file = getenv("STRATA_TEST_TRACE");
	char line[128];
	size_t k = strlen(name);
	int fd;

	if (!file || !*file || k + 1 > sizeof(line))
		return;
	memcpy(line, name, k);
	line[k] = '\n';
	fd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	if (write(fd, line, k + 1) < 0) {
		/* a test that asked for the trace sees the line missing */
	}
	close(fd);
}

void strata__testpoint(const char *name)
{
	char fifo[4096], ready[4096 + 6], buf[64];
	int fd;
	ssize_t r;

	trace(name);
	if (!fifo_for(name, fifo, sizeof(fifo)))
		return;
	memcpy(ready, fifo, strlen(fifo));
	memcpy(ready + strlen(fifo), ".ready", 7);
	fd = open(ready, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	/* a signal may interrupt the waits: that is the test's business,
	 * the pause goes on until the test writes */
	while ((fd = open(fifo, O_RDONLY | O_CLOEXEC)) < 0 && errno == EINTR)
		;
	if (fd >= 0) {
		while ((r = read(fd, buf, sizeof(buf))) != 0)
			if (r < 0 && errno != EINTR)
				break;
		close(fd);
	}
	unlink(ready);
}

int strata__test_no_backoff(void)
{
	const char *v = getenv("STRATA_TEST_NO_BACKOFF");

	return v && strcmp(v, "1") == 0;
}
#else
/* ISO C wants a translation unit to declare something */
typedef int strata__testpoint_unused;
#endif
