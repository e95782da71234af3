/*
 * A lock-timeout setting, as a migration file's directive
 * (-- strata:lock-timeout 2s retries=5) and strata.conf's
 * ddl_lock_timeout write it: how long one statement of a migration may
 * wait for a table lock, and how many times the migration is tried again
 * after such a wait gave up. Shared by the library and the CLI.
 */
#ifndef STRATA_UTIL_LOCKSPEC_H
#define STRATA_UTIL_LOCKSPEC_H

#include <stddef.h>

/* The longest wait and the most retries accepted. */
#define STRATA_LOCKSPEC_MAX_MS      (24 * 3600 * 1000)
#define STRATA_LOCKSPEC_MAX_RETRIES 100

struct strata__lockspec {
	int timeout_ms; /* > 0 when set */
	int retries;    /* 0: fail at the first lock timeout */
};

/*
 * Parse "DURATION [retries=N]" (s[0..n)): a duration is a whole number
 * with a unit, ms, s, min or h ("100ms", "2s"). @return 0, or -1 with why
 * (a one-line message) filled in.
 */
int strata__lockspec_parse(struct strata__lockspec *out, const char *s,
                           size_t n, char *why, size_t why_size);

/* The timeout as written back in messages: "100ms", "2s", "1min", "1h". */
void strata__lockspec_format(char *out, size_t n, int timeout_ms);

#endif
