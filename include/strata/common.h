/*
 * Common definitions for the strata public API: export macro, version.
 */
#ifndef STRATA_COMMON_H
#define STRATA_COMMON_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
# define STRATA_EXTERN(type) extern __attribute__((visibility("default"))) type
#else
# define STRATA_EXTERN(type) extern type
#endif

#define STRATA_VERSION       "0.1.0"
#define STRATA_VERSION_MAJOR 0
#define STRATA_VERSION_MINOR 1
#define STRATA_VERSION_PATCH 0

/** @return the library's version string, e.g. "0.1.0" */
STRATA_EXTERN(const char *) strata_version(void);

#endif
