# shellcheck shell=bash
# Versions as real projects write them, on every database: version 0
# (golang-migrate), digit strings of any length (pop's 20 digits, values
# past 2^63 and 2^64), Flyway's dotted versions (1.2.3 < 1.10, '_' for
# '.', 1.0 is 1), leading zeros that do not make a new version; the
# history keeps each version as its canonical text, with version_sort
# ordering the rows in SQL as the files are ordered. A history table
# written before versions were text is read as it is by reading commands
# and upgraded in place by the first command that writes, keeping every
# row; a stop in the middle leaves a table strata (and the previous
# release) can use.

. "$(dirname "${BASH_SOURCE[0]}")/../lib/exact-lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/../lib/versions-lib.sh"

# pair VERSION NAME: a table NAME and its down
pair() {
	mig "$1" "$2" "CREATE TABLE $2 (id INT);" "DROP TABLE $2;"
}

# rows_in_sql_order: the history's versions as SQL orders them
rows_in_sql_order() {
	db_sql "SELECT version FROM $TEST_TABLE WHERE kind <> 'repeatable' ORDER BY version_sort" | tr '\n' ' ' | sed 's/ $//'
}

# status_versions: the VERSION column of `strata status`, in its order
status_versions() {
	st status
	expect_rc 0
	printf '%s\n' "$out" | sed -n '2,/^$/p' | sed '/^$/d' | awk '{print $1}' | tr '\n' ' ' | sed 's/ $//'
}

# --- version 0 -----------------------------------------------------------

t_version_zero_is_a_version() {
	pair 0 initial
	pair 1 users
	st up
	expect_rc 0
	expect_out "applied     0_initial"
	expect_tables "initial users"
	expect_history "0 1"
	expect_eq 1 "$(db_sql "SELECT count(*) FROM $TEST_TABLE WHERE version = '0' AND kind = 'versioned'")" "row of version 0"
	expect_eq "0 1" "$(status_versions)" "status"
	st down --no-backup
	expect_rc 0
	expect_tables "initial"
	st down --no-backup
	expect_rc 0
	expect_out "rolled back 0_initial"
	expect_tables ""
	expect_history ""
	st up --to 0
	expect_rc 0
	expect_tables "initial"
	expect_history "0"
	# force 0 keeps 0; none declares that nothing is applied
	st force 1
	expect_rc 0
	expect_history "0 1"
	st force 0
	expect_rc 0
	expect_history "0"
	# down --to 0 keeps version 0
	st up
	expect_rc 0
	expect_tables "initial users"
	expect_history "0 1"
	st down --to 0 --no-backup
	expect_rc 0
	expect_tables "initial"
	expect_history "0"
	st force none
	expect_rc 0
	expect_history ""
	expect_tables "initial"
}

# --- versions of any length ---------------------------------------------

# Past 2^63 (PostgreSQL's bigint, MariaDB's signed BIGINT) and 2^64: text
# in the history, never a number that overflows or rounds.
t_versions_past_2_63_apply_show_and_roll_back() {
	mig 1 first "CREATE TABLE log (v VARCHAR(30));" "DROP TABLE log;"
	mig 9300000000000000000 x "INSERT INTO log VALUES ('big');" "DELETE FROM log WHERE v = 'big';"
	mig 20210913095309000007 x "INSERT INTO log VALUES ('pop');" "DELETE FROM log WHERE v = 'pop';"
	st up
	expect_rc 0
	expect_out "applied     9300000000000000000_x"
	expect_out "applied     20210913095309000007_x"
	expect_history "1 9300000000000000000 20210913095309000007"
	expect_eq 1 "$(db_sql "SELECT count(*) FROM $TEST_TABLE WHERE version = '9300000000000000000' AND dirty = 0")" "row of 2^63+"
	expect_eq "199300000000000000000" "$(db_sql "SELECT version_sort FROM $TEST_TABLE WHERE version = '9300000000000000000'")" "its sort key"
	expect_eq 2 "$(db_sql "SELECT count(*) FROM log")" "rows of log"
	st status
	expect_rc 0
	expect_out "9300000000000000000   x      applied"
	expect_out "20210913095309000007  x      applied"
	expect_out "3 applied, 0 pending"
	st status --json
	expect_rc 0
	expect_eq "1 9300000000000000000 20210913095309000007" "$(printf '%s' "$out" | python3 -c '
import json, sys
print(" ".join(m["version"] for m in json.load(sys.stdin)["migrations"]))')" "versions in JSON (text)"
	st validate
	expect_rc 0
	# nothing runs twice
	st up
	expect_rc 0
	expect_err "nothing to apply"
	expect_eq 2 "$(db_sql "SELECT count(*) FROM log")" "rows of log after a second up"
	# the newest is the 20-digit one
	st down --no-backup
	expect_rc 0
	expect_out "rolled back 20210913095309000007_x"
	expect_eq "big" "$(db_sql "SELECT v FROM log")" "log after one down"
	st down --no-backup
	expect_rc 0
	expect_out "rolled back 9300000000000000000_x"
	expect_history "1"
	st status
	expect_out "9300000000000000000   x      pending"
	expect_out "1 applied, 2 pending"
	st up --to 9300000000000000000
	expect_rc 0
	expect_history "1 9300000000000000000"
	st up
	expect_rc 0
	expect_history "1 9300000000000000000 20210913095309000007"
	st history --json
	expect_rc 0
	expect_eq "1 9300000000000000000 20210913095309000007" "$(printf '%s' "$out" | python3 -c '
import json, sys
print(" ".join(sorted((e["version"] for e in json.load(sys.stdin)["history"]), key=lambda v: (len(v), v))))')" "history JSON"
}

# 64 characters is the longest version; one more is refused by name with
# nothing written.
t_version_length_limit() {
	local v64=1234567890123456789012345678901234567890123456789012345678901234
	pair "000$v64" longest
	st up
	expect_rc 0
	expect_history "$v64"
	mig "${v64}5" longer "CREATE TABLE longer (id INT);"
	st up
	expect_rc 2
	expect_err "migrations/${v64}5_longer.up.sql"
	expect_err "is too long (at most 64 characters without leading zeros)"
	expect_tables "longest"
	expect_history "$v64"
	st up --to "${v64}5"
	expect_rc 2
	expect_err "--to '${v64}5': expected a version"
}

# 0001 and 1 are one version, and so are Flyway's 1 and 1.0.
t_leading_zeros_and_trailing_zero_parts_make_no_new_version() {
	pair 0001 a
	pair 1 b
	st up
	expect_rc 2
	expect_err "also used by"
	rm migrations/1_b.*
	echo "CREATE TABLE c (id INT);" >migrations/V2__c.sql
	echo "CREATE TABLE d (id INT);" >migrations/V2.0__d.sql
	st up
	expect_rc 2
	expect_err "V2.0__d.sql"
	expect_err "also used by"
	expect_tables ""
	rm migrations/V2.0__d.sql
	echo "CREATE TABLE d (id INT);" >migrations/V02.0.1__d.sql
	st up
	expect_rc 0
	expect_history "1 2 2.0.1"
	expect_tables "a c d"
	# --to as written or canonical
	st down --to 2.0 --no-backup
	expect_rc 3 # Flyway files without an undo file cannot roll back
	expect_err "irreversible"
	expect_history "1 2 2.0.1"
}

# --- Flyway's dotted versions -------------------------------------------

# Each migration reads the table the one before made: a wrong order fails.
t_dotted_versions_run_part_by_part() {
	mkdir -p migrations
	echo "CREATE TABLE t1 (id INT);" >migrations/V1.2.3__first.sql
	echo "CREATE TABLE t2 AS SELECT id FROM t1;" >migrations/V1.2.10__second.sql
	echo "CREATE TABLE t3 AS SELECT id FROM t2;" >migrations/V1.10__third.sql
	mig 2 fourth "CREATE TABLE t4 AS SELECT id FROM t3;" "DROP TABLE t4;"
	echo "CREATE TABLE t5 AS SELECT id FROM t4;" >migrations/V3_1__fifth.sql
	echo "DROP TABLE t1;" >migrations/U1.2.3__first.sql
	echo "DROP TABLE t2;" >migrations/U1.2.10__second.sql
	echo "DROP TABLE t3;" >migrations/U1.10__third.sql
	echo "DROP TABLE t5;" >migrations/U3_1__fifth.sql
	st status
	expect_rc 0
	expect_eq "1.2.3 1.2.10 1.10 2 3_1" "$(status_versions)" "status order"
	st up --to 1.10
	expect_rc 0
	expect_tables "t1 t2 t3"
	expect_history "1.2.3 1.2.10 1.10"
	st up
	expect_rc 0
	expect_tables "t1 t2 t3 t4 t5"
	# canonical text ('.' for '_'), and SQL's order is the files'
	expect_history "1.2.3 1.2.10 1.10 2 3.1"
	expect_eq "1.2.3 1.2.10 1.10 2 3.1" "$(rows_in_sql_order)" "ORDER BY version_sort"
	expect_eq "011.0210" "$(db_sql "SELECT version_sort FROM $TEST_TABLE WHERE version = '1.10'")" "sort key of 1.10"
	st status --json
	# as the files write them (the history keeps 3.1)
	expect_eq "1.2.3 1.2.10 1.10 2 3_1" "$(printf '%s' "$out" | python3 -c '
import json, sys
print(" ".join(m["version"] for m in json.load(sys.stdin)["migrations"]))')" "versions in JSON"
	# back to 1.2.10, as written with '_' or not
	st down --to 1_2_10 --no-backup
	expect_rc 0
	expect_tables "t1 t2"
	expect_history "1.2.3 1.2.10"
	st force 3_1
	expect_rc 0
	expect_history "1.2.3 1.2.10 1.10 2 3.1"
	expect_eq baseline "$(db_sql "SELECT kind FROM $TEST_TABLE WHERE version = '3.1'")" "kind of a forced row"
}

# Versions as SQL sorts them: the files' order, whatever their lengths.
t_sql_order_is_the_files_order() {
	mkdir -p migrations
	for v in 0 9 10 100 20210913095309000007 9300000000000000000; do
		mig "$v" "m" "SELECT 1;"
	done
	echo "SELECT 1;" >migrations/V1.10__f.sql
	echo "SELECT 1;" >migrations/V1.9.9__g.sql
	echo "SELECT 1;" >migrations/V9.1__h.sql
	st up
	expect_rc 0
	expect_eq "0 1.9.9 1.10 9 9.1 10 100 9300000000000000000 20210913095309000007" "$(rows_in_sql_order)" "ORDER BY version_sort"
	expect_eq "0 1.9.9 1.10 9 9.1 10 100 9300000000000000000 20210913095309000007" "$(status_versions)" "status"
}

# --- versions on the command line ----------------------------------------

t_command_line_versions() {
	pair 1 a
	pair 20210913095309000007 b
	st up --to 1.x
	expect_rc 2
	expect_err "--to '1.x': expected a version (digits, in parts separated by '.'"
	st force 1.
	expect_rc 2
	expect_tables ""
	st baseline 20210913095309000007
	expect_rc 0
	expect_history "1 20210913095309000007"
	expect_eq "baseline baseline" "$(db_sql "SELECT kind FROM $TEST_TABLE ORDER BY version_sort" | tr '\n' ' ' | sed 's/ $//')" "kinds"
	st force 00001
	expect_rc 0
	expect_history "1"
	st force 2
	expect_rc 2
	expect_err "no migration has version 2"
	expect_history "1"
}

# --- the history table of the previous release ---------------------------

# Read as it is by reading commands; upgraded on the first write, every
# row kept; nothing runs again, and down works on the rows it kept.
t_previous_release_table_is_upgraded_on_first_write() {
	local before
	prev_up
	expect_old_format "as made"
	expect_eq "1 2 10" "$(runs)" "runs"
	before=$(rows_snapshot)
	for cmd in status validate history "up --dry-run" plan "down --dry-run"; do
		# shellcheck disable=SC2086 # the command's words
		st $cmd
		expect_rc 0
		expect_old_format "after $cmd"
	done
	st status
	expect_out "0010     ten   applied"
	expect_out "4 applied, 0 pending"
	# nothing to do: nothing is written
	st up
	expect_rc 0
	expect_err "nothing to apply"
	expect_old_format "after a no-op up"
	mig 0011 eleven "INSERT INTO runs VALUES (11);" "DELETE FROM runs WHERE n = 11;"
	st up
	expect_rc 0
	expect_err "history table '$TEST_TABLE' upgraded in place"
	expect_out "applied     0011_eleven"
	refute_out "0010"
	expect_new_format "after up"
	expect_eq "1 2 10 11" "$(runs)" "runs: nothing ran again"
	expect_eq 1 "$(rep_runs)" "runs of the repeatable"
	expect_history "R 1 2 10 11"
	expect_eq "$before" "$(rows_snapshot | grep -v '^11|')" "rows kept"
	expect_eq "" "$(db_sql "SELECT version FROM $TEST_TABLE WHERE kind = 'repeatable'")" "a repeatable's version"
	expect_eq "0210" "$(db_sql "SELECT version_sort FROM $TEST_TABLE WHERE version = '10'")" "sort key of 10"
	expect_tables "rep_runs runs"
	st down 2 --no-backup
	expect_rc 0
	expect_out "rolled back 0010_ten"
	expect_eq "1 2" "$(runs)" "runs after down"
	expect_history "R 1 2"
	st status
	expect_rc 0
	expect_out "0010     ten     pending"
	st up
	expect_rc 0
	refute_err "upgraded"
	expect_eq "1 2 10 11" "$(runs)" "runs after up"
	expect_eq 1 "$(rep_runs)" "runs of the repeatable"
}

# force, repair and baseline write too: they upgrade the table first.
t_force_upgrades_the_previous_release_table() {
	prev_up
	st force 2
	expect_rc 0
	expect_err "upgraded in place"
	expect_new_format
	expect_history "R 1 2"
	expect_eq "1 2 10" "$(runs)" "runs (force runs nothing)"
}

# The script `plan` writes for a table of the previous release upgrades
# it first, as a run would, and applies what is pending.
t_plan_script_upgrades_the_previous_release_table() {
	prev_up
	mig 0011 eleven "INSERT INTO runs VALUES (11);" "DELETE FROM runs WHERE n = 11;"
	st plan
	expect_rc 0
	expect_out "upgrade history table $TEST_TABLE"
	printf '%s\n' "$out" >plan.sql
	expect_old_format "after plan"
	db_run_script plan.sql || fail "the script failed"
	expect_new_format "after the script"
	expect_eq "1 2 10 11" "$(runs)" "runs"
	expect_history "R 1 2 10 11"
	expect_eq "" "$(db_tables | tr ' ' '\n' | grep strata_)" "tables left"
	st status
	expect_rc 0
	expect_out "5 applied, 0 pending"
	st up
	expect_rc 0
	expect_err "nothing to apply"
}

# A stop in the middle of the upgrade (the new table complete, not in
# place yet) leaves a table strata reads, and the previous release too;
# the next write upgrades it.
t_upgrade_stopped_midway_leaves_a_usable_table() {
	local before
	prev_up
	before=$(rows_snapshot)
	mig 0011 eleven "INSERT INTO runs VALUES (11);" "DELETE FROM runs WHERE n = 11;"
	tp_start history_upgrade up.out up
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	expect_old_format "after the stop"
	expect_eq "$before" "$(rows_snapshot)" "rows after the stop"
	expect_eq "1 2 10" "$(runs)" "runs after the stop"
	st status
	expect_rc 0
	expect_out "0011     eleven  pending"
	expect_out "4 applied, 1 pending"
	if [ -n "${STRATA_PREV_BIN:-}" ]; then
		"$STRATA_PREV_BIN" --database "$TEST_URL" --dir migrations status >prev.out 2>&1 ||
			fail "the previous release cannot read the table: $(cat prev.out)"
	fi
	st up
	expect_rc 0
	expect_err "upgraded in place"
	expect_new_format "after up"
	expect_eq "1 2 10 11" "$(runs)" "runs"
	expect_eq "$before" "$(rows_snapshot | grep -v '^11|')" "rows kept"
	expect_eq "" "$(db_tables | tr ' ' '\n' | grep strata_)" "tables left"
}

# The upgrade needs the name <table>_strata_old: taken, nothing changes.
t_upgrade_refused_while_its_name_is_taken() {
	local before
	prev_up
	before=$(rows_snapshot)
	db_sql "CREATE TABLE ${TEST_TABLE}_strata_old (mine INT)"
	mig 0011 eleven "INSERT INTO runs VALUES (11);" "DELETE FROM runs WHERE n = 11;"
	st up
	expect_rc 3
	expect_err "cannot upgrade history table '$TEST_TABLE' to the format where versions are text: table '${TEST_TABLE}_strata_old' exists, and the upgrade needs that name"
	expect_err "rename or drop '${TEST_TABLE}_strata_old'"
	expect_old_format "after the refusal"
	expect_eq "$before" "$(rows_snapshot)" "rows"
	expect_eq "1 2 10" "$(runs)" "runs"
	db_sql "DROP TABLE ${TEST_TABLE}_strata_old"
	st up
	expect_rc 0
	expect_new_format
	expect_eq "1 2 10 11" "$(runs)" "runs"
}

# A column of the user's own in the previous release's table: read as it
# is, but not upgraded, since the upgrade would lose it.
t_previous_release_table_with_a_column_of_its_own() {
	local before
	prev_up
	db_sql "ALTER TABLE $TEST_TABLE ADD COLUMN ticket VARCHAR(20)"
	db_sql "UPDATE $TEST_TABLE SET ticket = 'T-1'"
	before=$(db_sql "SELECT version, name, ticket FROM $TEST_TABLE ORDER BY name")
	st status
	expect_rc 0
	expect_out "4 applied, 0 pending"
	mig 0011 eleven "INSERT INTO runs VALUES (11);" "DELETE FROM runs WHERE n = 11;"
	st up
	expect_rc 3
	expect_err "cannot upgrade history table '$TEST_TABLE' to the format where versions are text: it has a column strata did not make ('ticket'), which the upgrade would lose"
	expect_old_format "after the refusal"
	expect_eq "$before" "$(db_sql "SELECT version, name, ticket FROM $TEST_TABLE ORDER BY name")" "rows"
	expect_eq "1 2 10" "$(runs)" "runs"
	db_sql "ALTER TABLE $TEST_TABLE DROP COLUMN ticket"
	st up
	expect_rc 0
	expect_new_format
	expect_eq "1 2 10 11" "$(runs)" "runs"
}
