/*
 * Starting a program: fork and execvp on an argument vector (never a
 * shell), with extra environment entries (passwords go there, never in
 * argv), chosen stdin/stdout, and stderr kept for the error message.
 */
#ifndef STRATA_UTIL_SPAWN_H
#define STRATA_UTIL_SPAWN_H

#include "strata/buf.h"

struct spawn {
	const char *const *argv; /* argv[0] is looked up in PATH */
	const char *const *env;  /* "NAME=value" added, NULL-terminated */
	int stdin_fd;            /* -1: /dev/null */
	int stdout_fd;           /* -1: our stdout */
	strata_buf *err;         /* the program's stderr (capped), or NULL:
	                          * our stderr */
	int copy_stdout;         /* 1: the program writes into a pipe and we
	                          * copy it to stdout_fd, checking every write
	                          * (a tool may exit 0 when its own writes
	                          * fail: pg_dump does) */
	int copy_errno;          /* out: errno of the first failed write to
	                          * stdout_fd, or 0 */
	/*
	 * With feed, the program's stdin is a socket that feed fills
	 * (stdin_fd is not used): each call appends the next bytes to buf
	 * and returns 0, or 1 when that was the end (stdin is closed once
	 * it is written), or a negative value to stop: the program is then
	 * killed (SIGKILL) before it reads the end of its input, and that
	 * value is left in feed_rc. A program that stops reading early
	 * (it failed) ends the feeding quietly.
	 */
	int (*feed)(void *payload, strata_buf *buf);
	void *feed_payload;
	int feed_rc; /* out */
};

/*
 * Run it and wait. @return the exit status (0..255), 128 + signal when
 * it was killed, or -1 when it could not be started (errno set; 127
 * when execvp failed in the child). With copy_stdout, a failed write
 * sets copy_errno; the program then gets EPIPE and is waited for. With
 * feed, a feed failure sets feed_rc.
 */
int strata__spawn(struct spawn *s);

/*
 * Whether execvp would find name: a name with a '/' as it is, else in
 * each folder of PATH (confstr's default path when PATH is unset; an
 * empty entry is the current folder). @return 1 when an executable
 * regular file is there, 0 when none is, -1 when out of memory.
 */
int strata__spawn_find(const char *name);

#endif
