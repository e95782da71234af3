/*
 * A growable, always NUL-terminated byte buffer used to hand strings
 * across the library boundary without mixing allocators.
 */
#ifndef STRATA_BUF_H
#define STRATA_BUF_H

#include "common.h"

typedef struct strata_buf {
	char *ptr;    /* never NULL; points at a shared "" until grown */
	size_t len;   /* bytes used, not counting the final NUL */
	size_t alloc; /* bytes allocated; 0 while ptr is the shared "" */
} strata_buf;

STRATA_EXTERN(char) strata__buf_empty[1];

#define STRATA_BUF_INIT   \
 {                        \
  strata__buf_empty, 0, 0 \
 }

/** Free the buffer's memory and reset it to STRATA_BUF_INIT. */
STRATA_EXTERN(void) strata_buf_release(strata_buf *buf);

#endif
