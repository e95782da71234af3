#include "fdio.h"

#include <errno.h>
#include <unistd.h>

int strata__write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno;
		if (w == 0)
			return errno = EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}
