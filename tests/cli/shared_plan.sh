# shellcheck shell=bash
# Scripts (`strata plan`, `up --dry-run`), against every database: the
# script, run by the database's own client, must leave the database as
# `strata up` (or `down`) leaves another one, also when the files lack a
# final ';', and when it stops partway through a part that runs outside a
# transaction (the history row must then be dirty, as after a failed run).

# raw FILE TEXT: migrations/FILE holding TEXT, without a final newline
raw() {
	mkdir -p migrations
	printf '%s' "$2" >"migrations/$1"
}

# dirty_of VERSION: the dirty column of VERSION's history row, or nothing
dirty_of() {
	db_sql "SELECT dirty FROM $TEST_TABLE WHERE version = '$1'"
}

# same_as_second WHAT: the schema and the history (dirty marks included)
# of the test database and of the second one are the same
same_as_second() {
	expect_eq "$(db_schema second)" "$(db_schema)" "schema after $1: script vs strata"
	expect_eq "$(db_history_text second)" "$(db_history_text)" "history after $1: script vs strata"
}

# script FILE ARGS...: strata plan ARGS into FILE, which must succeed
script() {
	local f=$1
	shift
	st plan "$@"
	expect_rc 0
	printf '%s\n' "$out" >"$f"
}

t_files_without_a_final_semicolon() {
	raw 0001_a.up.sql "CREATE TABLE a (id INTEGER PRIMARY KEY)"
	raw 0001_a.down.sql "DROP TABLE a"
	raw 0002_b.up.sql "CREATE TABLE b (id INTEGER);
CREATE TABLE c (id INTEGER) -- the end, and no newline"
	raw 0002_b.down.sql "DROP TABLE c;
DROP TABLE b -- the end"
	# a comment that holds a ';' does not end the statement before it
	raw 0003_seed.up.sql "INSERT INTO a (id) VALUES (1);
INSERT INTO a (id) VALUES (2) -- two rows; no more"
	raw 0003_seed.down.sql "DELETE FROM a"
	raw 0004_d.up.sql "CREATE TABLE d (id INTEGER); -- terminated, then a comment"
	raw 0004_d.down.sql "DROP TABLE d; -- likewise"
	script up.sql
	expect_out "-- strata plan: 4 migrations to apply"
	db_run_script up.sql || fail "the database's client rejected the plan: $(cat up.sql)"
	second=$(db_second) || fail "no second database"
	st_raw -d "$second" -m migrations up
	expect_rc 0
	same_as_second up
	expect_tables "a b c d"
	expect_eq 2 "$(db_sql "SELECT count(*) FROM a")" "rows of a"
	expect_history "1 2 3 4"
	st status
	expect_rc 0
	expect_out "4 applied, 0 pending"
	refute_out "modified"
	st up
	expect_rc 0
	expect_err "nothing to apply"
	# the down files lack their final ';' as well
	script down.sql --down --all
	expect_out "-- strata plan: 4 migrations to roll back"
	db_run_script down.sql || fail "the database's client rejected the down plan: $(cat down.sql)"
	st_raw -d "$second" -m migrations down --all --no-backup
	expect_rc 0
	same_as_second down
	expect_tables ""
	expect_history ""
}

# A part that runs outside a transaction (the directive; on MySQL also
# any part with DDL) and stops at its third statement: the script leaves
# the row dirty at that statement, as up does.
t_no_transaction_script_stopped_partway_is_dirty() {
	mig 0001 base "CREATE TABLE base (id INTEGER);" "DROP TABLE base;"
	mkdir -p migrations
	cat >migrations/0002_three.up.sql <<'EOF'
-- strata:no-transaction
CREATE TABLE one (id INTEGER);
CREATE TABLE two (id INTEGER);
-- fails: one exists
CREATE TABLE one (id INTEGER);
CREATE TABLE four (id INTEGER);
EOF
	printf 'DROP TABLE IF EXISTS four;\nDROP TABLE two;\nDROP TABLE one;\n' >migrations/0002_three.down.sql
	st up 1
	expect_rc 0
	script up.sql
	expect_out "0002_three.up.sql (three), outside a transaction"
	db_run_script up.sql 2>/dev/null && fail "the script did not stop at the failing statement"
	second=$(db_second) || fail "no second database"
	st_raw -d "$second" -m migrations up
	expect_rc 1
	same_as_second "a stop at statement 3"
	expect_tables "base one two"
	expect_eq 3 "$(dirty_of 2)" "dirty mark of 0002"
	st status
	expect_out "dirty"
	expect_out "stopped at statement 3"
	st up
	expect_rc 3
	expect_err "is dirty"
	expect_tables "base one two"
	st down
	expect_rc 3
	expect_err "is dirty"
	# recovery as after a failed up
	db_sql "CREATE TABLE four (id INTEGER)"
	st force 2
	expect_rc 0
	expect_eq 0 "$(dirty_of 2)" "0002 after force"
}

# The same without the directive: on MySQL the DDL runs outside a
# transaction, elsewhere the part is rolled back whole; either way the
# script leaves what up leaves.
t_ddl_script_stopped_partway_matches_up() {
	mkdir -p migrations
	cat >migrations/0001_three.up.sql <<'EOF'
CREATE TABLE one (id INTEGER);
CREATE TABLE two (id INTEGER);
CREATE TABLE one (id INTEGER);
CREATE TABLE four (id INTEGER);
EOF
	script up.sql
	db_run_script up.sql 2>/dev/null && fail "the script did not stop at the failing statement"
	second=$(db_second) || fail "no second database"
	st_raw -d "$second" -m migrations up
	expect_rc 1
	same_as_second "a failed part"
	# DDL that commits by itself runs outside a transaction (MySQL)
	if ! db_ddl_rolls_back; then
		grep -q "outside a transaction" up.sql || fail "not a no-transaction part: $(cat up.sql)"
		expect_tables "one two"
		expect_eq 3 "$(dirty_of 1)" "dirty mark of 0001"
		st up
		expect_rc 3
		expect_err "is dirty"
	else
		expect_tables ""
		expect_history ""
		st status
		expect_out "0 applied, 1 pending"
	fi
}

t_no_transaction_down_script_stopped_partway_is_dirty() {
	mig 0001 base "CREATE TABLE base (id INTEGER);" "DROP TABLE base;"
	mig 0002 pair "-- strata:no-transaction
CREATE TABLE one (id INTEGER);
CREATE TABLE two (id INTEGER);" "-- strata:no-transaction
DROP TABLE two;
DROP TABLE no_such_table;
DROP TABLE one;"
	st up
	expect_rc 0
	second=$(db_second) || fail "no second database"
	st_raw -d "$second" -m migrations up
	expect_rc 0
	script down.sql --down
	expect_out "0002_pair.down.sql (pair), outside a transaction"
	db_run_script down.sql 2>/dev/null && fail "the script did not stop at the failing statement"
	st_raw -d "$second" -m migrations down --no-backup
	expect_rc 1
	same_as_second "a stopped rollback"
	expect_tables "base one"
	expect_eq 2 "$(dirty_of 2)" "dirty mark of 0002"
	st status
	expect_out "stopped at statement 2"
	st up
	expect_rc 3
	st down
	expect_rc 3
	expect_tables "base one"
	# and a down script that runs through forgets the row
	st force 2
	db_sql "CREATE TABLE two (id INTEGER)"
	printf -- '-- strata:no-transaction\nDROP TABLE two;\nDROP TABLE one;' >migrations/0002_pair.down.sql
	script down2.sql --down
	db_run_script down2.sql || fail "the down plan failed: $(cat down2.sql)"
	expect_tables "base"
	expect_history "1"
	expect_eq "" "$(dirty_of 2)" "row of 0002 after the down plan"
}

# Bodies with ';' inside, in a part run outside a transaction: the
# script marks each statement between statements, never inside one, and
# leaves the client's delimiter as it found it (MySQL's DELIMITER).
t_no_transaction_bodies_and_delimiters() {
	db_trigger_migration
	mig 0002 after "CREATE TABLE after_it (id INTEGER);"
	script up.sql
	db_run_script up.sql || fail "the database's client rejected the plan: $(cat up.sql)"
	second=$(db_second) || fail "no second database"
	st_raw -d "$second" -m migrations up
	expect_rc 0
	same_as_second up
	expect_eq "1|1" "$(db_sql "SELECT id, n FROM t")" "row of t, set by the trigger"
	expect_eq "a;b" "$(db_sql "SELECT msg FROM log")" "row the trigger wrote"
	st status
	expect_rc 0
	refute_out "dirty"
	expect_out "applied, 0 pending"
}

# A dry run prints the script plan writes (but for the clock of the
# history rows: strata's own for a run, the database's for a script).
t_dry_run_prints_the_plan() {
	raw 0001_a.up.sql "CREATE TABLE a (id INTEGER) -- no ';'"
	mig 0002 b "-- strata:no-transaction
CREATE TABLE b (id INTEGER);
CREATE TABLE c (id INTEGER);" "DROP TABLE c;
DROP TABLE b"
	st plan
	expect_rc 0
	plan=$(printf '%s\n' "$out" | sed '1,4d' | normalise_clock)
	st up --dry-run
	expect_rc 0
	expect_eq "$plan" "$(printf '%s\n' "$out" | normalise_clock)" "up --dry-run vs plan"
	expect_tables ""
	st up
	expect_rc 0
	st plan --down
	expect_rc 0
	plan=$(printf '%s\n' "$out" | sed '1,4d' | normalise_clock)
	st down --dry-run
	expect_rc 0
	expect_eq "$plan" "$(printf '%s\n' "$out" | normalise_clock)" "down --dry-run vs plan --down"
	expect_history "1 2"
}

normalise_clock() {
	sed -E "s/'[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}'/NOW/g; s/strftime\('%Y-%m-%d %H:%M:%f', 'now'\)|CURRENT_TIMESTAMP|UTC_TIMESTAMP\(3\)/NOW/g"
}

# --schema on a database without schemas is refused offline too, before
# anything is written.
t_offline_plan_with_schema() {
	mig 0001 a "CREATE TABLE a (id INTEGER);"
	st --schema app plan --offline
	if db_has_schemas; then
		expect_rc 0
		expect_out 'SET search_path TO "app";'
		return
	fi
	expect_rc 2
	expect_err "has no schemas: --schema cannot be used"
	expect_eq "" "$out" "script written"
}
