/*
 * Included first by every file of the library: feature macros, the
 * public API and the internal helpers.
 */
#ifndef STRATA_LIB_COMMON_H
#define STRATA_LIB_COMMON_H

#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strata/strata.h"
#include "strata/buf.h"
#include "strata/sys/driver.h"
#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/quote.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
