# shellcheck shell=bash
# Large seed files, on every database: a file of tens of thousands of
# statements applies completely, in one transaction where the database has
# them, and an error near its end names its line and leaves nothing behind.
# Speed itself is the benchmark's (bench/, "large seed file"); what is
# checked here is the work and the messages that grow with a file's size.

# The seed table, and one for a statement longer than any window.
seed_tables() {
	local body=TEXT
	[ "$STRATA_TEST_DB" = mysql ] && body=LONGTEXT
	mig 0001 tables "CREATE TABLE seed (id INTEGER PRIMARY KEY, note VARCHAR(200), msg INTEGER);
CREATE TABLE big (id INTEGER PRIMARY KEY, body $body);"
}

# seed_file FILE ROWS [BAD_ROW] [MSG]: ROWS INSERTs into seed, with strings
# holding ';', quotes and new lines, comments holding ';' between the
# statements, and, at row ROWS/2, an INSERT of a 1.5 MB text into big.
# Row BAD_ROW names a column that does not exist; its line goes to
# ./bad_line. MSG: the SQL stored in seed.msg of every 1000th row (default
# NULL).
seed_file() {
	awk -v rows="$2" -v bad="${3:-0}" -v msg="${4:-NULL}" -v lines=bad_line 'BEGIN {
		q = sprintf("%c", 39)
		line = 1
		for (i = 1; i <= rows; i++) {
			if (i % 97 == 0) {
				print "-- row " i "; a comment"
				line++
			}
			if (i % 101 == 0) {
				print "/* before row " i "; a block comment */"
				line++
			}
			col = i == bad ? "nope" : "note"
			m = i % 1000 == 0 ? msg : "NULL"
			if (i == bad)
				print line > lines
			if (i % 89 == 0) {
				print "INSERT INTO seed (id, " col ", msg) VALUES (" i ", " q "semi; colon " q q " -- " i "\nsecond line" q ", " m ");"
				line += 2
			} else {
				print "INSERT INTO seed (id, " col ", msg) VALUES (" i ", " q "row " i q ", " m ");"
				line++
			}
			if (i == int(rows / 2)) {
				s = "abcdefgh"
				while (length(s) < 1500000)
					s = s s
				print "INSERT INTO big (id, body) VALUES (1, " q substr(s, 1, 1500000) q ");"
				line++
			}
		}
	}' >"$1"
}

# The seed's rows are all there: count, sum of ids, the multi-line notes,
# the long text.
expect_seed() {
	local n=$1
	expect_eq "$n|$((n * (n + 1) / 2))" "$(db_sql "SELECT count(*), sum(id) FROM seed")" "seed rows"
	expect_eq "$((n / 89))" "$(db_sql "SELECT count(*) FROM seed WHERE note LIKE 'semi; colon ''%'")" \
		"notes with ';', quotes and new lines"
	expect_eq "1500000" "$(db_sql "SELECT length(body) FROM big")" "the long text"
}

t_large_seed_applies_completely() {
	seed_tables
	seed_file migrations/0002_seed.up.sql 40000
	st up
	expect_rc 0
	expect_out "applied     0002_seed"
	expect_history "1 2"
	expect_seed 40000
	expect_eq "0002_seed.up.sql|0" \
		"$(db_sql "SELECT file, dirty FROM schema_migrations WHERE version = 2")"
}

t_large_seed_error_near_the_end() {
	seed_tables
	seed_file migrations/0002_seed.up.sql 40000 39990
	st up
	expect_rc 1
	expect_err "migrations/0002_seed.up.sql:$(cat bad_line):"
	expect_err "nope"
	expect_history "1"
	# data only: one transaction on every database, all of it rolled back
	expect_eq "0|0" "$(db_sql "SELECT count(*), (SELECT count(*) FROM big) FROM seed")"
	expect_eq "" "$(db_sql "SELECT version FROM schema_migrations WHERE version = 2")"
	st status
	expect_out "0002     seed    pending"
}

t_large_seed_single_transaction() {
	[ "$STRATA_TEST_DB" = mysql ] && skip "MySQL commits DDL: no --single-transaction"
	local msg=NULL
	[ "$STRATA_TEST_DB" = postgres ] && msg="length(current_query())"
	seed_tables
	seed_file migrations/0002_seed.up.sql 30000 0 "$msg"
	mig 0003 after "INSERT INTO seed (id, note) VALUES (0, 'after');"
	st up --single-transaction
	expect_rc 0
	expect_history "1 2 3"
	expect_eq "30001" "$(db_sql "SELECT count(*) FROM seed")"
	# PostgreSQL: not copied into one message with the others
	[ "$STRATA_TEST_DB" = postgres ] || return 0
	local most
	most=$(db_sql "SELECT max(msg) FROM seed")
	[ "$most" -le 1100000 ] || fail "a message of $most bytes"
}

# An error after the seed takes the seed back with it.
t_large_seed_single_transaction_error() {
	[ "$STRATA_TEST_DB" = mysql ] && skip "MySQL commits DDL: no --single-transaction"
	seed_tables
	seed_file migrations/0002_seed.up.sql 30000
	mig 0003 after "INSERT INTO seed (id, nope) VALUES (0, 'after');"
	st up --single-transaction
	expect_rc 1
	expect_err "migrations/0003_after.up.sql:1:"
	expect_history ""
	expect_tables ""
}

# PostgreSQL: the file reaches the server in messages of bounded size
# (current_query() is the whole message a statement came in), not as one
# message as large as the file, which libpq, strata and the server each
# held whole.
t_large_seed_postgres_bounded_messages() {
	[ "$STRATA_TEST_DB" = postgres ] || skip "PostgreSQL only"
	seed_tables
	seed_file migrations/0002_seed.up.sql 40000 0 "length(current_query())"
	[ "$(wc -c <migrations/0002_seed.up.sql)" -gt 3000000 ] || fail "the seed is too small"
	st up
	expect_rc 0
	expect_seed 40000
	# about 1 MiB each (the long text went on its own, into big)
	local most
	most=$(db_sql "SELECT max(msg) FROM seed")
	[ "$most" -le 1100000 ] || fail "a message of $most bytes"
}

# SQLite: the work of preparing every statement grows with the file, not
# with its square. A library preloaded in front of libsqlite3 counts what
# sqlite3_prepare_v2 is made to read: a text not ending with its NUL is
# copied whole (nByte bytes), else it is read up to the statement's end.
# shellcheck disable=SC2034 # last_cmd, rc and err: the harness's fail() shows them
t_large_seed_sqlite_prepare_work_is_linear() {
	[ "$STRATA_TEST_DB" = sqlite ] || skip "SQLite only"
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
	[ "$STRATA_TEST_DB" = sqlite ] || skip "SQLite only"
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

# PostgreSQL: function bodies and BEGIN ATOMIC wherever a segment or a
# message ends.
t_large_seed_postgres_bodies() {
	[ "$STRATA_TEST_DB" = postgres ] || skip "PostgreSQL only"
	seed_tables
	awk 'BEGIN {
		for (i = 1; i <= 6000; i++) {
			print "CREATE FUNCTION f" i "() RETURNS int LANGUAGE sql"
			print "BEGIN ATOMIC"
			print "  SELECT " i ";"
			print "  SELECT " i " + 1;"
			print "END;"
			print "CREATE FUNCTION g" i "() RETURNS int AS $$ BEGIN RETURN " i "; END; $$ LANGUAGE plpgsql;"
			print "INSERT INTO seed (id, note) VALUES (" i ", $x$;" i ";$x$);"
		}
	}' >migrations/0002_bodies.up.sql
	[ "$(wc -c <migrations/0002_bodies.up.sql)" -gt 1100000 ] || fail "the file is too small"
	st up
	expect_rc 0
	expect_eq "6000|6001|4321|;77;" "$(db_sql "SELECT count(*), f6000(), g4321(), (SELECT note FROM seed WHERE id = 77) FROM seed")"
}
