/*
 * Elapsed time for the engine and the drivers: milliseconds on the
 * monotonic clock, which no change of the wall clock moves.
 */
#ifndef STRATA_UTIL_CLOCK_H
#define STRATA_UTIL_CLOCK_H

#include <stdint.h>

/* Milliseconds since an arbitrary fixed point (CLOCK_MONOTONIC). */
int64_t strata__now_ms(void);

#endif
