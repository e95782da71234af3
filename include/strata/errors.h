/*
 * Error codes and the error detail kept on a context.
 */
#ifndef STRATA_ERRORS_H
#define STRATA_ERRORS_H

#include "common.h"

/*
 * Every fallible function returns 0 or one of these negative codes. The
 * list is an X-macro so that the enum and strata_strerror() never drift.
 * Columns: name, value, text.
 */
#define STRATA_ERROR_CODES(X)                             \
 X(STRATA_ERROR, -1, "error")                             \
 X(STRATA_ENOTFOUND, -2, "not found")                     \
 X(STRATA_EEXISTS, -3, "already exists")                  \
 X(STRATA_EPARSE, -4, "invalid input file")               \
 X(STRATA_EINVALID, -5, "invalid argument")               \
 X(STRATA_EIO, -6, "input/output error")                  \
 X(STRATA_ESTATE, -7, "the database state forbids it")    \
 X(STRATA_ELOCKED, -8, "lock not acquired in time")       \
 X(STRATA_ECONNECT, -9, "cannot connect to the database") \
 X(STRATA_EDB, -10, "database statement failed")          \
 X(STRATA_ENOTSUPP, -11, "not supported")                 \
 X(STRATA_ENOMEM, -12, "out of memory")                   \
 X(STRATA_EINTERRUPTED, -13, "interrupted")               \
 X(STRATA_EINTERNAL, -14, "internal error")               \
 X(STRATA_ETIMEOUT, -15, "timed out")

enum strata_error_code {
	STRATA_OK = 0,
#define STRATA__X(name, value, text) name = value,
	STRATA_ERROR_CODES(STRATA__X)
#undef STRATA__X
};

/**
 * Detail of the last error on a context. The message and each line of
 * the detail are safe to print: a control character or invalid UTF-8
 * from a name or the server is written as a C escape (\033, \n, \377).
 * file is the path as it is, for opening; quote it to print it.
 */
typedef struct strata_error {
	int code;            /* one of enum strata_error_code */
	char sqlstate[6];    /* SQLSTATE when the database gave one, else "" */
	int native_code;     /* the driver's own error number, or 0 */
	const char *message; /* one line, lower case, no final full stop */
	const char *detail;  /* further lines (DETAIL, HINT, context), or "" */
	const char *file;    /* migration file the error is in, or "" */
	int line, column;    /* 1-based position in file, 0 when unknown */
} strata_error;

/** @return a short static text for an error code; never NULL */
STRATA_EXTERN(const char *) strata_strerror(int code);

#endif
