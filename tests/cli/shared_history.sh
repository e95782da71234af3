# shellcheck shell=bash
# Matching the history table with the files, on every database: rows and
# files are matched by version (a renamed file keeps its row), a row that
# cannot be read exactly or two rows of one version stop every command
# before anything runs, a rollback never commits while its row stays, an
# applied migration whose file is gone stops `up`, and the dirty column
# holds any statement number (tables of the previous release, where it
# was SMALLINT, are widened on the first write).

# rows VERSION: how many history rows VERSION has
rows() {
	db_sql "SELECT count(*) FROM $TEST_TABLE WHERE version = $1"
}

# count TABLE: rows in a user table
count() {
	db_sql "SELECT count(*) FROM $1"
}

# Let the version column hold what strata never writes (NULL, text), as a
# hand-edited or foreign-made table can.
loosen_version_column() {
	case "$STRATA_TEST_DB" in
	sqlite) db_sql "CREATE TABLE h2 AS SELECT CAST(version AS TEXT) AS version, name, kind, file, checksum, checksum_algorithm, applied_at, execution_ms, applied_by, target, database_type, dirty FROM $TEST_TABLE; DROP TABLE $TEST_TABLE; ALTER TABLE h2 RENAME TO $TEST_TABLE" ;;
	postgres) db_sql "ALTER TABLE $TEST_TABLE DROP CONSTRAINT ${TEST_TABLE}_pkey, ALTER COLUMN version DROP NOT NULL, ALTER COLUMN version TYPE VARCHAR(40)" ;;
	mysql) db_sql "ALTER TABLE $TEST_TABLE DROP PRIMARY KEY, MODIFY version VARCHAR(40) NULL" ;;
	esac
}

two() {
	mig 0001 a "CREATE TABLE a (id INT);" "DROP TABLE a;"
	mig 0002 k "CREATE TABLE k (id INT);" "DROP TABLE k;"
}

t_duplicate_rows_of_one_version_stop_every_command() {
	two
	st up
	mig 0003 later "CREATE TABLE later (id INT);" "DROP TABLE later;"
	db_sql "INSERT INTO $TEST_TABLE (version, name, kind, file, checksum, checksum_algorithm, applied_at, execution_ms, applied_by, target, database_type, dirty) SELECT version, 'keep', kind, '0002_keep.up.sql', checksum, checksum_algorithm, applied_at, execution_ms, applied_by, target, database_type, dirty FROM $TEST_TABLE WHERE version = 2"
	for cmd in up status validate "down --no-backup" history; do
		# shellcheck disable=SC2086 # the command's words
		st $cmd
		expect_rc 3
		expect_err "history table '$TEST_TABLE' has 2 rows for version 2: 'k' and 'keep'"
		[ "$cmd" = validate ] || expect_err "DELETE FROM $TEST_TABLE WHERE version = 2 AND name ="
	done
	# nothing ran: both rows, both tables, no new one
	expect_tables "a k"
	expect_eq 2 "$(rows 2)" "rows of version 2"
	expect_history "1 2 2"
	# the recovery the hint gives
	db_sql "DELETE FROM $TEST_TABLE WHERE version = 2 AND name = 'keep'"
	st down --no-backup
	expect_rc 0
	expect_tables "a"
	expect_history "1"
}

# --- rows that cannot be read exactly -----------------------------------

t_unreadable_history_rows_never_cause_a_rerun() {
	mig 0001 t1 "CREATE TABLE t1 (id INT);" "DROP TABLE t1;"
	mig 0002 t2 "CREATE TABLE IF NOT EXISTS t2 (id INT);
INSERT INTO t2 VALUES (2);" "DROP TABLE t2;"
	st up
	expect_rc 0
	loosen_version_column
	local bad cmd
	for bad in "NULL|version NULL, name 't2'): the version is NULL" \
		"'abc'|version 'abc', name 't2'): the version is not a whole number" \
		"'-1'|version '-1', name 't2'): the version is negative" \
		"'18446744073709551616'|version '18446744073709551616', name 't2'): the version is too large" \
		"'2.5'|version '2.5', name 't2'): the version is not a whole number"; do
		db_sql "UPDATE $TEST_TABLE SET version = ${bad%%|*} WHERE name = 't2'"
		for cmd in up status validate "down --no-backup" history; do
			# shellcheck disable=SC2086 # the command's words
			st $cmd
			expect_rc 3
			expect_err "history table '$TEST_TABLE': row "
			expect_err "(${bad#*|}"
		done
		# 0002 did not run again, and nothing was rolled back
		expect_eq 1 "$(count t2)" "rows of t2 with version ${bad%%|*}"
		expect_tables "t1 t2"
	done
	# a kind strata does not know is not guessed either
	db_sql "UPDATE $TEST_TABLE SET version = '2', kind = 'other' WHERE name = 't2'"
	st up
	expect_rc 3
	expect_err "(version '2', name 't2'): the kind is not versioned, repeatable or baseline"
	# put right, everything works again
	db_sql "UPDATE $TEST_TABLE SET kind = 'versioned' WHERE name = 't2'"
	[ "$STRATA_TEST_DB" = postgres ] &&
		db_sql "ALTER TABLE $TEST_TABLE ALTER COLUMN version TYPE BIGINT USING version::bigint"
	st up
	expect_rc 0
	expect_err "nothing to apply"
	expect_eq 1 "$(count t2)" "rows of t2"
	st down --no-backup
	expect_rc 0
	expect_tables "t1"
}

# --- an applied migration whose file is gone -----------------------------

t_up_refuses_when_an_applied_file_is_gone() {
	two
	st up
	rm migrations/0001_a.up.sql migrations/0001_a.down.sql
	mig 0003 later "CREATE TABLE later (id INT);" "DROP TABLE later;"
	st up
	expect_rc 3
	expect_err "migration 1 (a) is recorded as applied but its file is gone"
	expect_err "restore the file, or run 'strata repair --prune' to forget it"
	expect_eq 1 "$(printf '%s\n' "$err" | grep -c 'file is gone')" "times the file is named"
	expect_tables "a k"
	expect_history "1 2"
	st status
	expect_rc 0
	expect_out "missing"
	st repair --prune
	expect_rc 0
	st up
	expect_rc 0
	expect_tables "a k later"
	expect_history "2 3"
}
