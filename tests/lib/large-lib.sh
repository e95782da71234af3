# shellcheck shell=bash
# Helpers of the large seed file suites (shared_large.sh, sqlite_large.sh,
# pg_large.sh).

# The seed table, and one for a statement longer than any window.
seed_tables() {
	local body
	body=$(db_long_text_type)
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

large_large_seed_single_transaction() {
	local msg len
	len=$(db_statement_length_sql)
	msg=${len:-NULL}
	seed_tables
	seed_file migrations/0002_seed.up.sql 30000 0 "$msg"
	mig 0003 after "INSERT INTO seed (id, note) VALUES (0, 'after');"
	st up --single-transaction
	expect_rc 0
	expect_history "1 2 3"
	expect_eq "30001" "$(db_sql "SELECT count(*) FROM seed")"
	# where the server tells each statement's length (PostgreSQL): not
	# copied into one message with the others
	[ -n "$len" ] || return 0
	local most
	most=$(db_sql "SELECT max(msg) FROM seed")
	[ "$most" -le 1100000 ] || fail "a message of $most bytes"
}

# An error after the seed takes the seed back with it.
large_large_seed_single_transaction_error() {
	seed_tables
	seed_file migrations/0002_seed.up.sql 30000
	mig 0003 after "INSERT INTO seed (id, nope) VALUES (0, 'after');"
	st up --single-transaction
	expect_rc 1
	expect_err "migrations/0003_after.up.sql:1:"
	expect_history ""
	expect_tables ""
}
