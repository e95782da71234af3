# shellcheck shell=bash
# Matching the history table with the files, on every database: rows and
# files are matched by version (a renamed file keeps its row), a row that
# cannot be read exactly or two rows of one version stop every command
# before anything runs, a rollback never commits while its row stays, an
# applied migration whose file is gone stops `up`, and the dirty column
# holds any statement number (tables of earlier releases, where it was
# SMALLINT and the version BIGINT, are upgraded on the first write).

# rows VERSION: how many history rows VERSION has
rows() {
	db_sql "SELECT count(*) FROM $TEST_TABLE WHERE version = '$1'"
}

# count TABLE: rows in a user table
count() {
	db_sql "SELECT count(*) FROM $1"
}

# dirty_type: the type of the history table's dirty column, lower case
dirty_type() {
	db_column_type "$TEST_TABLE" dirty
}

# A history table as the previous release made it: its dirty column was
# SMALLINT. With STRATA_PREV_BIN naming that release's binary (e.g.
# /work/baseline-strata-san), the binary makes it ('force 0' creates the
# table and records nothing); else the same statement is run here.
previous_release_table() {
	if [ -n "${STRATA_PREV_BIN:-}" ]; then
		"$STRATA_PREV_BIN" --database "$TEST_URL" --dir migrations force 0 >/dev/null 2>&1 ||
			fail "$STRATA_PREV_BIN could not create the history table"
		return
	fi
	db_sql "CREATE TABLE $TEST_TABLE (
    version            BIGINT       NOT NULL,
    name               VARCHAR(255) NOT NULL,
    kind               VARCHAR(16)  NOT NULL,
    file               VARCHAR(1024) NOT NULL,
    checksum           VARCHAR(128),
    checksum_algorithm VARCHAR(16)  NOT NULL,
    applied_at         $(db_time_type) NOT NULL,
    execution_ms       BIGINT       NOT NULL,
    applied_by         VARCHAR(255) NOT NULL,
    target             VARCHAR(64)  NOT NULL,
    database_type      VARCHAR(32)  NOT NULL,
    dirty              SMALLINT     NOT NULL,
    PRIMARY KEY (target, version, name)
)"
}

# Let the version column hold what strata never writes (NULL, too long a
# text), as a hand-edited or foreign-made table can.
loosen_version_column() {
	db_loosen_version_column
}

two() {
	mig 0001 a "CREATE TABLE a (id INT);" "DROP TABLE a;"
	mig 0002 k "CREATE TABLE k (id INT);" "DROP TABLE k;"
}

# --- renamed files -------------------------------------------------------

rename_k() {
	mv migrations/0002_k.up.sql migrations/0002_keep.up.sql
	mv migrations/0002_k.down.sql migrations/0002_keep.down.sql
}

# The down of version 2 removes version 2's row, whatever its name.
t_renamed_files_roll_back_by_version() {
	two
	st up
	expect_rc 0
	rename_k
	st down --no-backup
	expect_rc 0
	expect_out "rolled back 0002_keep"
	expect_tables "a"
	expect_history "1"
	st down --no-backup
	expect_rc 0
	expect_out "rolled back 0001_a"
	expect_tables ""
	expect_history ""
	# and it applies again under its new name
	st up
	expect_rc 0
	expect_eq "a keep" "$(db_sql "SELECT name FROM $TEST_TABLE ORDER BY version_sort" | tr '\n' ' ' | sed 's/ $//')"
}

# Visible, but no reason to refuse anything.
t_renamed_files_are_reported() {
	two
	st up
	expect_rc 0
	rename_k
	st status
	expect_rc 0
	expect_out "0002     keep  renamed"
	expect_out "applied as 'k'"
	expect_out "1 applied, 0 pending, 1 renamed"
	st status --json
	expect_rc 0
	expect_eq "applied:a renamed:k" "$(printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(" ".join(m["state"] + ":" + m["applied_name"] for m in d["migrations"]))')"
	expect_eq 1 "$(printf '%s' "$out" | python3 -c '
import json, sys
print(json.load(sys.stdin)["counts"]["renamed"])')" "renamed count"
	st validate
	expect_rc 0
	expect_err "0002_keep.up.sql: warning: migration 0002 was applied as 'k' and is now named 'keep'"
	st up
	expect_rc 0
	expect_err "nothing to apply"
	expect_history "1 2"
}

t_repair_records_the_new_name() {
	two
	st up
	rename_k
	st repair
	expect_rc 0
	expect_err "recorded the new name of migrations/0002_keep.up.sql (applied as 'k')"
	expect_eq "keep|0002_keep.up.sql" "$(db_sql "SELECT name, file FROM $TEST_TABLE WHERE version = '2'")"
	st status
	expect_rc 0
	expect_out "0002     keep  applied"
	st validate
	expect_rc 0
	refute_err "warning"
}

t_duplicate_rows_of_one_version_stop_every_command() {
	two
	st up
	mig 0003 later "CREATE TABLE later (id INT);" "DROP TABLE later;"
	db_sql "INSERT INTO $TEST_TABLE (version, name, kind, file, checksum, checksum_algorithm, applied_at, execution_ms, applied_by, target, database_type, dirty, version_sort) SELECT version, 'keep', kind, '0002_keep.up.sql', checksum, checksum_algorithm, applied_at, execution_ms, applied_by, target, database_type, dirty, version_sort FROM $TEST_TABLE WHERE version = '2'"
	for cmd in up status validate "down --no-backup" history; do
		# shellcheck disable=SC2086 # the command's words
		st $cmd
		expect_rc 3
		expect_err "history table '$TEST_TABLE' has 2 rows for version 2: 'k' and 'keep'"
		[ "$cmd" = validate ] || expect_err "DELETE FROM $TEST_TABLE WHERE version = '2' AND name ="
	done
	# nothing ran: both rows, both tables, no new one
	expect_tables "a k"
	expect_eq 2 "$(rows 2)" "rows of version 2"
	expect_history "1 2 2"
	# the recovery the hint gives
	db_sql "DELETE FROM $TEST_TABLE WHERE version = '2' AND name = 'keep'"
	st down --no-backup
	expect_rc 0
	expect_tables "a"
	expect_history "1"
}

# --- a rollback never commits while its row stays -----------------------

# The down removes its own history row (a mistake in the file): strata's
# DELETE then finds nothing, and the rollback is undone with it.
t_down_whose_row_is_not_removed_is_rolled_back() {
	mig 0001 k "CREATE TABLE k (id INT);
INSERT INTO k VALUES (1);" "DELETE FROM k;
DELETE FROM $TEST_TABLE WHERE version = '1';"
	st up
	expect_rc 0
	st down --no-backup
	expect_rc 3
	expect_err "the history row of migration 0001 (k) in '$TEST_TABLE' was not removed: 0 rows matched; nothing was rolled back"
	refute_out "rolled back"
	expect_eq 1 "$(count k)" "rows of k"
	expect_history "1"
}

# Outside a transaction the statements cannot be undone, but the run does
# not say "rolled back" over a history that did not go with it.
t_no_transaction_down_whose_row_is_not_removed_fails() {
	mig 0001 k "CREATE TABLE k (id INT);" "-- strata:no-transaction
DROP TABLE k;
DELETE FROM $TEST_TABLE WHERE version = '1';"
	st up
	expect_rc 0
	st down --no-backup
	expect_rc 3
	expect_err "the history row of migration 0001 (k) in '$TEST_TABLE' was not removed: 0 rows matched; the rollback's statements took effect all the same"
	refute_out "rolled back"
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
		"'abc'|version 'abc', name 't2'): the version is not digits, in parts separated by '.'" \
		"'2.'|version '2.', name 't2'): the version is not digits, in parts separated by '.'" \
		"'-1'|version '-1', name 't2'): the version is negative" \
		"''|version '', name 't2'): the version is empty" \
		"'0002'|version '0002', name 't2'): the version is not written as strata writes it" \
		"'2.0'|version '2.0', name 't2'): the version is not written as strata writes it" \
		"'12345678901234567890123456789012345678901234567890123456789012345'|version '123456789012345678901234567890123456789012345678901234567890...', name 't2'): the version is too long (at most 64 characters)"; do
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

# Several files gone: one message for the run, naming each of them.
t_every_gone_file_named_in_one_message() {
	two
	mig 0003 c "CREATE TABLE c (id INT);" "DROP TABLE c;"
	st up
	expect_rc 0
	rm migrations/0001_a.* migrations/0002_k.*
	mig 0004 d "CREATE TABLE d (id INT);" "DROP TABLE d;"
	st up
	expect_rc 3
	expect_eq 1 "$(printf '%s\n' "$err" | grep -c 'is gone')" "times the message is printed"
	expect_err "migration 1 (a) is recorded as applied but its file is gone"
	expect_err "the files of 2 (k) are gone too"
	expect_err "restore the files, or run 'strata repair --prune' to forget them"
	expect_tables "a c k"
	expect_history "1 2 3"
}

# --- history as people read it -------------------------------------------

# history writes versions as status does (as the file names them; the
# canonical version once the file is gone) and never cuts a name.
t_history_versions_and_whole_names() {
	local long=a_name_longer_than_any_column_used_to_be_for_the_history_table
	mig 0001 a "CREATE TABLE a (id INT);" "DROP TABLE a;"
	mig 0002 "$long" "CREATE TABLE k (id INT);" "DROP TABLE k;"
	st up
	expect_rc 0
	st history
	expect_rc 0
	expect_out " 0001     a  "
	expect_out " 0002     $long  versioned"
	# status prints it whole too
	st status
	expect_out "0002     $long  applied"
	rm migrations/0001_a.*
	st history
	expect_rc 0
	expect_out " 1        a  "
	st status
	expect_out "1        a "
}

# Times say their zone: UTC by default; the local zone with --local-time
# or time = local (TZ set here, so the clock does not matter: the local
# time is computed from the UTC one strata printed).
t_times_carry_their_zone() {
	mig 0001 a "CREATE TABLE a (id INT);" "DROP TABLE a;"
	st up
	expect_rc 0
	st history
	expect_rc 0
	local utc loc
	utc=$(printf '%s\n' "$out" | sed -n 2p | grep -oE '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} UTC  ')
	[ -n "$utc" ] || fail "history's time has no zone: $out"
	utc=${utc% UTC  }
	st status
	expect_out "applied       $utc UTC  "
	# a zone without daylight saving, given as a POSIX TZ string
	loc=$(TZ=XST-5:30 date -d "$utc UTC" '+%Y-%m-%d %H:%M:%S XST')
	TZ=XST-5:30 st --local-time history
	expect_rc 0
	expect_out "$loc  0001"
	TZ=XST-5:30 st --local-time status
	expect_out "applied       $loc  "
	printf '[strata]\ntime = local\n' >strata.conf
	TZ=XST-5:30 st history
	expect_out "$loc  0001"
	st config
	expect_out "time         local"
	TZ=XST-5:30 st --utc history
	expect_out "$utc UTC  0001"
	printf '[strata]\ntime = zulu\n' >strata.conf
	st history
	expect_rc 2
	expect_err "strata.conf:2: error: time = 'zulu': expected utc or local"
}

# --- the dirty column holds any statement number ------------------------

t_new_history_table_counts_any_statement() {
	mig 0001 a "CREATE TABLE a (id INT);"
	st up
	expect_rc 0
	expect_eq bigint "$(dirty_type)" "type of dirty"
	# a mark past SMALLINT's range is stored and read back
	db_sql "UPDATE $TEST_TABLE SET dirty = 40000 WHERE version = '1'"
	st status
	expect_rc 0
	expect_out "stopped at statement 40000"
}

# The table is made again in the new format, whose dirty column is BIGINT.
t_previous_release_table_is_widened_on_first_write() {
	mig 0001 a "CREATE TABLE a (id INT);"
	previous_release_table
	expect_eq smallint "$(dirty_type)" "type of dirty as made"
	# reading changes nothing
	st status
	expect_rc 0
	expect_eq smallint "$(dirty_type)" "type of dirty after status"
	st up
	expect_rc 0
	expect_err "history table '$TEST_TABLE' upgraded in place"
	expect_eq bigint "$(dirty_type)" "type of dirty"
	expect_history "1"
	db_sql "UPDATE $TEST_TABLE SET dirty = 40000 WHERE version = '1'"
	st status
	expect_rc 0
	expect_out "stopped at statement 40000"
	db_sql "UPDATE $TEST_TABLE SET dirty = 0 WHERE version = '1'"
	mig 0002 b "CREATE TABLE b (id INT);"
	st up
	expect_rc 0
	refute_err "upgraded"
	expect_history "1 2"
}

# A no-transaction file of 32770 statements whose statement 32769 fails,
# in a history table of the previous release: the row says 32769, and
# after the recovery the whole file runs. SQLite syncs every statement's
# commit: its database goes to /dev/shm to keep the test fast.
t_statement_numbers_past_32767_in_a_previous_release_table() {
	db_for_many_commits
	mig 0001 base "CREATE TABLE big_rows (i INT);"
	{
		echo "-- strata:no-transaction"
		seq 1 32768 | sed 's/.*/INSERT INTO big_rows VALUES (&);/'
		echo "INSERT INTO gate VALUES (1);"
		echo "INSERT INTO big_rows VALUES (0);"
	} >migrations/0002_many.up.sql
	previous_release_table
	st up
	expect_rc 1
	expect_err "migrations/0002_many.up.sql:32770:"
	expect_err "statements 1 to 32768 of 32770"
	expect_eq 32769 "$(db_sql "SELECT dirty FROM $TEST_TABLE WHERE version = '2'")" "dirty mark of 0002"
	expect_eq 32768 "$(count big_rows)" "rows inserted"
	st status
	expect_rc 0
	expect_out "stopped at statement 32769"
	# the recovery the message gives: undo what ran, go back to 1
	db_sql "DELETE FROM big_rows"
	db_sql "CREATE TABLE gate (i INT)"
	st force 1
	expect_rc 0
	expect_history "1"
	st up
	expect_rc 0
	expect_out "applied     0002_many"
	expect_eq "1|0 2|0" "$(db_sql "SELECT version, dirty FROM $TEST_TABLE ORDER BY version_sort" | tr '\n' ' ' | sed 's/ $//')" "history rows"
	expect_eq 32769 "$(count big_rows)" "rows inserted"
	expect_eq 1 "$(count gate)" "rows of gate"
}
