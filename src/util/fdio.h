/*
 * Whole writes to a file descriptor: write(2) may write less than asked,
 * or be interrupted by a signal.
 */
#ifndef STRATA_UTIL_FDIO_H
#define STRATA_UTIL_FDIO_H

#include <stddef.h>

/* Write all n bytes of p to fd; 0, or the errno of the failure (EIO
 * when write wrote nothing), left in errno as well. */
int strata__write_all(int fd, const char *p, size_t n);

#endif
