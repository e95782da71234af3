# shellcheck shell=bash
# Large seed files on SQLite: prepare work linear in the file, triggers
# across the splitter's windows, and --single-transaction.

# shellcheck source=tests/lib/large-lib.sh
. "$STRATA_SRC_ROOT/tests/lib/large-lib.sh"

# --single-transaction: see large-lib.sh
t_large_seed_single_transaction() {
	large_large_seed_single_transaction
}

# --single-transaction: see large-lib.sh
t_large_seed_single_transaction_error() {
	large_large_seed_single_transaction_error
}

# SQLite: the work of preparing every statement grows with the file, not
# with its square. A library preloaded in front of libsqlite3 counts what
# sqlite3_prepare_v2 is made to read: a text not ending with its NUL is
# copied whole (nByte bytes), else it is read up to the statement's end.
# shellcheck disable=SC2034 # last_cmd, rc and err: the harness's fail() shows them
t_large_seed_sqlite_prepare_work_is_linear() {
	command -v cc >/dev/null || skip "no C compiler"
	cat >count.c <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

typedef int prepare_fn(void *, const char *, int, void **, const char **);
static unsigned long long work;

int sqlite3_prepare_v2(void *db, const char *sql, int n, void **st,
                       const char **tail)
{
	static prepare_fn *real;
	const char *t = NULL;
	int rc;

	if (!real)
		real = (prepare_fn *)dlsym(RTLD_NEXT, "sqlite3_prepare_v2");
	rc = real(db, sql, n, st, &t);
	if (n > 0 && sql[n - 1] != '\0')
		work += (unsigned long long)n;
	else if (t)
		work += (unsigned long long)(t - sql);
	if (tail)
		*tail = t;
	return rc;
}

__attribute__((destructor)) static void report(void)
{
	FILE *f = fopen(getenv("PREPARE_WORK"), "w");

	if (f) {
		fprintf(f, "%llu\n", work);
		fclose(f);
	}
}
EOF
	cc -shared -fPIC -o count.so count.c -ldl || fail "cannot build the counter"
	seed_tables
	seed_file migrations/0002_seed.up.sql 40000
	st up --to 1
	expect_rc 0
	last_cmd="strata up (counting)"
	PREPARE_WORK=$PWD/work LD_PRELOAD=$PWD/count.so \
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
		"$STRATA_BIN" --database "$TEST_URL" --dir migrations up >out.txt 2>&1
	rc=$?
	err=$(cat out.txt)
	expect_rc 0
	expect_seed 40000
	local size work
	size=$(wc -c <migrations/0002_seed.up.sql)
	work=$(cat work)
	# every byte about once (a statement cut by a window's end twice,
	# comment lines between statements not at all), plus strata's own
	# small statements; the square would be ~10^11
	[ "$work" -gt $((size / 2)) ] || fail "the counter saw $work bytes: was it preloaded?"
	[ "$work" -le $((2 * size)) ] || fail "prepare read $work bytes of a $size-byte file"
}

# SQLite: triggers (their bodies hold ';') and long statements wherever
# a window ends.
t_large_seed_sqlite_triggers() {
	seed_tables
	awk 'BEGIN {
		for (i = 1; i <= 3000; i++) {
			print "CREATE TABLE log" i " (id INTEGER);"
			print "CREATE TRIGGER trg" i " AFTER INSERT ON seed WHEN new.id = " i " BEGIN"
			print "  INSERT INTO log" i " (id) VALUES (new.id);"
			print "  UPDATE seed SET note = " sprintf("%c", 39) "x;y" sprintf("%c", 39) " WHERE id = new.id;"
			print "END;"
		}
		print "INSERT INTO seed (id) VALUES (1500);"
	}' >migrations/0002_triggers.up.sql
	st up
	expect_rc 0
	expect_eq "3000" "$(db_sql "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'")"
	expect_eq "1500|x;y" "$(db_sql "SELECT id, note FROM seed")"
	expect_eq "1" "$(db_sql "SELECT count(*) FROM log1500")"
}
