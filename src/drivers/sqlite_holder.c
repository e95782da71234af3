/*
 * The process that holds a SQLite database's write lock, for a runner
 * that waits for it. SQLite locks with POSIX advisory locks: a writer
 * holds RESERVED_BYTE of the database file (rollback journal) or
 * WAL_WRITE_LOCK of its -shm file (write-ahead log), and Linux lists
 * every such lock, with its process, in /proc/locks. The file is only
 * stat()ed, never opened: a close() of any descriptor of it would release
 * the locks this process's own SQLite holds on it.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "sqlite_holder.h"

/* SQLite's lock bytes (os_unix.c, wal.c) */
#define RESERVED_BYTE  0x40000001LL
#define WAL_WRITE_LOCK 120LL

struct lock_target {
	int have;
	unsigned maj, min;
	unsigned long ino;
	long long byte;
};

static void target_of(struct lock_target *t, const char *path, long long byte)
{
	struct stat st;

	t->have = stat(path, &st) == 0;
	if (!t->have)
		return;
	t->maj = major(st.st_dev);
	t->min = minor(st.st_dev);
	t->ino = (unsigned long)st.st_ino;
	t->byte = byte;
}

/* Does a /proc/locks range [start, end] ("EOF": no end) cover t? */
static int covers(const struct lock_target *t, unsigned maj, unsigned min,
                  unsigned long ino, long long start, const char *end)
{
	long long last;

	if (!t->have || maj != t->maj || min != t->min || ino != t->ino ||
	    start > t->byte)
		return 0;
	if (strcmp(end, "EOF") == 0)
		return 1;
	return sscanf(end, "%lld", &last) == 1 && last >= t->byte;
}

/* The holder's program name, from /proc/PID/comm */
static void program_of(int pid, char *name, size_t n)
{
	char path[64];
	FILE *f;

	snprintf(name, n, "?");
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(name, (int)n, f))
		name[strcspn(name, "\n")] = '\0';
	fclose(f);
}

int strata__sqlite_lock_holder(const char *path, strata_buf *out)
{
	struct lock_target db, wal;
	strata_buf shm = STRATA_BUF_INIT;
	char line[256], type[16], end[32], name[64];
	unsigned maj, min;
	unsigned long ino;
	long long start;
	int pid, found = 0;
	FILE *f;

	target_of(&db, path, RESERVED_BYTE);
	if (strata__buf_printf(&shm, "%s-shm", path) < 0)
		return -1;
	target_of(&wal, shm.ptr, WAL_WRITE_LOCK);
	strata_buf_release(&shm);
	f = fopen("/proc/locks", "r");
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		/* "1: POSIX  ADVISORY  WRITE 1234 fd:00:5678 0 EOF"; a
		 * waiter's line has "->" after the number: skipped */
		if (sscanf(line, "%*d: POSIX %*s %15s %d %x:%x:%lu %lld %31s",
		           type, &pid, &maj, &min, &ino, &start, end) != 7 ||
		    strcmp(type, "WRITE") != 0 || pid == (int)getpid())
			continue;
		found = covers(&db, maj, min, ino, start, end) ||
		        covers(&wal, maj, min, ino, start, end);
	}
	fclose(f);
	if (!found)
		return 0;
	program_of(pid, name, sizeof(name));
	return strata__buf_printf(out, "process %d (%s)", pid, name) < 0 ? -1 :
	                                                                   1;
}
