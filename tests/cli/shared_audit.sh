# shellcheck shell=bash
# shellcheck disable=SC2154 # st sets rc, out, err
# The history log (<table>_log), against every database: up, down, redo,
# force, repair, baseline and fresh each leave the rows that say who did
# what and when; a migration whose transaction rolls back leaves none;
# `history --log` shows it as text and JSON; drift ignores it; a
# database from before the log gets it on its next write, while reading
# commands never make it (and run on a read-only database).

. "$(dirname "${BASH_SOURCE[0]}")/../lib/exact-lib.sh"

JSON_DOC="$STRATA_SRC_ROOT/docs/JSON.md"
JSON_CHECK="$STRATA_SRC_ROOT/tests/lib/json_check.py"
LOG_TABLE=${TEST_TABLE}_log

# The log as "action|version|kind|detail" lines, oldest first.
log_rows() {
	db_sql "SELECT action, version, kind, detail FROM $LOG_TABLE ORDER BY id" | tr '\n' ';'
}

# The users and targets the log names, one line each.
log_who() {
	db_sql "SELECT DISTINCT logged_by, target FROM $LOG_TABLE"
}

two() {
	mig 0001 a "CREATE TABLE a (id INT);" "DROP TABLE a;"
	mig 0002 b "CREATE TABLE b (id INT);" "DROP TABLE b;"
}

jqr() {
	printf '%s\n' "$out" | jq -r "$1"
}

t_up_down_and_redo_log_who_did_what() {
	two
	st up
	expect_rc 0
	st down --no-backup
	expect_rc 0
	st redo --no-backup
	expect_rc 0
	expect_eq "apply|1|versioned|;apply|2|versioned|;rollback|2|versioned|;rollback|1|versioned|;apply|1|versioned|;" \
		"$(log_rows)" "the log"
	# who: as the history's applied_by; where: the target
	expect_eq "$(db_sql "SELECT DISTINCT applied_by FROM $TEST_TABLE")|default" \
		"$(log_who)" "the log's user and target"
	# when: every row has its time, in order
	expect_eq 0 "$(db_sql "SELECT count(*) FROM $LOG_TABLE WHERE logged_at IS NULL")" "rows without a time"
	expect_eq "1 2 3 4 5" "$(db_sql "SELECT id FROM $LOG_TABLE ORDER BY id" | tr '\n' ' ' | sed 's/ $//')" "ids"
	# the checksum of the file the row was about
	expect_eq "$(db_sql "SELECT checksum FROM $TEST_TABLE WHERE version = '1'")" \
		"$(db_sql "SELECT checksum FROM $LOG_TABLE WHERE id = 5")" "the logged checksum"
}

t_force_logs_what_it_set() {
	two
	mig 0003 c "-- strata:no-transaction
CREATE TABLE c (id INT);
INSERT INTO no_such_table VALUES (1);" "DROP TABLE c;"
	st up 1
	expect_rc 0
	st force 2
	expect_rc 0
	st up
	expect_rc 1
	st force 3
	expect_rc 0
	st force 1
	expect_rc 0
	expect_eq "apply|1|versioned|;force|2|baseline|marked applied;force|3|versioned|dirty cleared;force|2|versioned|row deleted;force|3|versioned|row deleted;" \
		"$(log_rows)" "the log"
	expect_history "1"
}

t_baseline_logs_as_baseline() {
	two
	st baseline 2
	expect_rc 0
	expect_eq "baseline|1|baseline|marked applied;baseline|2|baseline|marked applied;" \
		"$(log_rows)" "the log"
}

t_repair_logs_new_checksums_and_pruned_rows() {
	two
	st up
	expect_rc 0
	echo "-- edited" >>migrations/0001_a.up.sql
	rm migrations/0002_b.up.sql migrations/0002_b.down.sql
	st repair
	expect_rc 0
	st repair --prune
	expect_rc 0
	local old
	old=$(db_sql "SELECT checksum FROM $LOG_TABLE WHERE id = 1" | cut -c1-12)
	expect_eq "apply|1|versioned|;apply|2|versioned|;repair|1|versioned|new checksum recorded (was $old);repair|2|versioned|row deleted: its file is gone;" \
		"$(log_rows)" "the log"
	expect_eq "$(db_sql "SELECT checksum FROM $TEST_TABLE WHERE version = '1'")" \
		"$(db_sql "SELECT checksum FROM $LOG_TABLE WHERE id = 3")" "the new checksum, logged"
}

# Its transaction rolled back: no history row, and no log row either.
t_a_failed_migration_leaves_no_log_row() {
	mig 0001 a "CREATE TABLE a (id INT);" "DROP TABLE a;"
	mig 0002 fill "INSERT INTO a VALUES (1);
INSERT INTO no_such_table VALUES (1);"
	st up
	expect_rc 1
	expect_history "1"
	expect_eq 0 "$(db_sql "SELECT count(*) FROM a")" "rows the failed migration left"
	expect_eq "apply|1|versioned|;" "$(log_rows)" "the log"
}

# Outside a transaction: one row when the part ends, as in one.
t_outside_a_transaction_the_end_is_logged() {
	mig 0001 a "-- strata:no-transaction
CREATE TABLE a (id INT);" "-- strata:no-transaction
DROP TABLE a;"
	st up
	expect_rc 0
	st down --no-backup
	expect_rc 0
	expect_eq "apply|1|versioned|;rollback|1|versioned|;" "$(log_rows)" "the log"
}

t_history_log_as_text_and_json() {
	two
	st history --log
	expect_rc 0
	expect_err "the history log of"
	st up
	st down --no-backup
	st history --log
	expect_rc 0
	expect_eq "AT ACTION VERSION NAME BY DETAIL" \
		"$(printf '%s\n' "$out" | sed -n 1p | tr -s ' ')" "the heading"
	expect_eq 4 "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" "lines"
	printf '%s\n' "$out" | sed -n 4p | grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} UTC  rollback  0002     b     ' ||
		fail "the rollback's line: $out"
	st --local-time history --log
	expect_rc 0
	st history --log --json
	expect_rc 0
	printf '%s\n' "$out" | python3 "$JSON_CHECK" "$JSON_DOC" --command history 2>json.faults ||
		fail "history --log --json does not match docs/JSON.md: $(cat json.faults)"
	expect_eq "1 apply 0001 a|2 apply 0002 b|3 rollback 0002 b|" \
		"$(jqr '.log[] | "\(.id) \(.action) \(.version) \(.name)"' | tr '\n' '|')" "the log in JSON"
	expect_eq null "$(jqr '.history')" "history with --log"
	[[ "$(jqr '.log[0].at')" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$ ]] ||
		fail "at is not ISO 8601 UTC: $(jqr '.log[0].at')"
	st history --json
	expect_eq null "$(jqr '.log')" "log without --log"
}

t_down_names_its_backup_in_json() {
	two
	st up
	st down --json
	expect_rc 0
	local b
	b=$(jqr '.migrations[0].backup')
	if [ -z "$b" ] || [ "$b" = null ] || [ ! -e "$b" ]; then
		fail "no backup named: $out"
	fi
	st redo --no-backup --json
	expect_eq "null null" "$(jqr '[.migrations[].backup] | map(tostring) | join(" ")')" "backups of a run without one"
	st status --json
	expect_rc 0
	[ "$(jqr '.migrations[1].checksum')" != null ] || fail "a pending file's checksum is null"
}

t_drift_ignores_the_log() {
	two
	st up
	expect_rc 0
	st down --no-backup
	st up
	st drift
	expect_rc 0
	expect_err "no drift"
}

t_fresh_starts_the_log_with_itself() {
	two
	st up
	st down --no-backup
	st fresh --yes-delete-all-data --no-backup
	expect_rc 0
	expect_eq "fresh||versioned|every object was dropped, the log before it too (no backup);apply|1|versioned|;apply|2|versioned|;" \
		"$(log_rows)" "the log"
}

# A history from before the log: reading commands leave it so; the next
# write makes the log, and logs itself.
t_an_older_history_gets_its_log_on_the_next_write() {
	two
	st up 1
	expect_rc 0
	db_sql "DROP TABLE $LOG_TABLE"
	st status
	expect_rc 0
	st history
	expect_rc 0
	st history --log
	expect_rc 0
	expect_err "is empty"
	st dump
	# a script makes the log as the run would
	st plan
	expect_rc 0
	printf '%s\n' "$out" | grep -q "^CREATE TABLE IF NOT EXISTS .*$LOG_TABLE" ||
		fail "the script does not make the log: $out"
	db_has_table "$LOG_TABLE" && fail "a reading command made the log"
	st up
	expect_rc 0
	db_has_table "$LOG_TABLE" || fail "up did not make the log"
	expect_eq "apply|2|versioned|;" "$(log_rows)" "the log"
}

# A database that takes no writes: status and history run all the same.
t_reading_commands_run_on_a_read_only_database() {
	two
	st up 1
	db_sql "DROP TABLE $LOG_TABLE"
	case $STRATA_TEST_DB in
	sqlite) chmod a-w test.db ;;
	postgres) db_sql "ALTER DATABASE \"$TEST_DBNAME\" SET default_transaction_read_only = on" ;;
	*)
		# an account that may only read the database
		db_sql "CREATE USER 'ro_$TEST_ID'@'%' IDENTIFIED BY 'ro'; GRANT SELECT ON \`$TEST_DBNAME\`.* TO 'ro_$TEST_ID'@'%'" >/dev/null
		# shellcheck disable=SC2064 # the names now
		trap "db_sql \"DROP USER IF EXISTS 'ro_$TEST_ID'@'%'\" >/dev/null 2>&1; db_teardown" EXIT
		TEST_URL="mysql://ro_$TEST_ID:ro@127.0.0.1:$STRATA_TEST_MYSQL_PORT/$TEST_DBNAME"
		;;
	esac
	st status
	expect_rc 0
	st history --log
	expect_rc 0
	st history
	expect_rc 0
	expect_out "0001"
	[ "$STRATA_TEST_DB" = sqlite ] && chmod u+w test.db
	[ "$STRATA_TEST_DB" = postgres ] &&
		db_sql "ALTER DATABASE \"$TEST_DBNAME\" SET default_transaction_read_only = off"
	db_has_table "$LOG_TABLE" && fail "a reading command made the log"
	return 0
}

t_another_table_under_the_logs_name_is_refused() {
	two
	db_sql "CREATE TABLE $LOG_TABLE (id INT, note VARCHAR(20))"
	st up
	expect_rc 3
	expect_err "table '$LOG_TABLE' exists but is not strata's history log"
	expect_tables ""
	db_has_table "$TEST_TABLE" && fail "up made the history table all the same"
	st status
	expect_rc 0
}

# dump leaves the log's rows out (the same bytes for the same schema);
# dump --log keeps them, every value, and a restore brings them back.
t_dump_log_keeps_the_log_through_a_restore() {
	two
	st up
	st down --no-backup
	st dump
	expect_rc 0
	printf '%s\n' "$out" | grep -q "^INSERT INTO.*$LOG_TABLE" &&
		fail "log rows in a dump without --log"
	st dump --log -o full.sql
	expect_rc 0
	expect_eq 3 "$(grep -c "^INSERT INTO.*$LOG_TABLE" full.sql)" "log rows in the dump"
	second=$(db_second) || fail "no second database"
	st --database "$second" restore full.sql --yes-replace-data --no-backup </dev/null
	expect_rc 0
	local want
	want=$(db_sql "SELECT id, action, version, logged_by, target, detail FROM $LOG_TABLE ORDER BY id")
	expect_eq "$want" \
		"$(db_sql_on second "SELECT id, action, version, logged_by, target, detail FROM $LOG_TABLE ORDER BY id")" \
		"the restored log"
	st history --log --json
	local a=$out
	st --database "$second" history --log --json
	expect_eq "$(printf '%s\n' "$a" | jq -c .log)" "$(printf '%s\n' "$out" | jq -c .log)" "history --log of the restored database"
	# and the next change goes on after the restored rows
	st --database "$second" up
	expect_rc 0
	expect_eq "4|apply" "$(db_sql_on second "SELECT id, action FROM $LOG_TABLE WHERE id = 4")" "the next row"
}

# adopt logs each row it records, also where strata's table is built
# under a scratch name and swapped in (MySQL); --undo drops the log with
# strata's table.
t_adopt_logs_what_it_recorded() {
	db_sql "CREATE TABLE $TEST_TABLE (version BIGINT NOT NULL PRIMARY KEY, dirty BOOLEAN NOT NULL)"
	db_sql "INSERT INTO $TEST_TABLE (version, dirty) VALUES (2, false)"
	two
	mv migrations/0001_a.up.sql migrations/1_a.up.sql
	mv migrations/0001_a.down.sql migrations/1_a.down.sql
	mv migrations/0002_b.up.sql migrations/2_b.up.sql
	mv migrations/0002_b.down.sql migrations/2_b.down.sql
	db_sql "CREATE TABLE a (id INT)"
	db_sql "CREATE TABLE b (id INT)"
	st adopt
	expect_rc 0
	expect_eq "adopt|1|versioned|recorded as applied;adopt|2|versioned|recorded as applied;" \
		"$(log_rows)" "the log"
	db_has_table "${TEST_TABLE}_strata_adopt_log" && fail "a log for the scratch table"
	st adopt --undo
	expect_rc 0
	db_has_table "$LOG_TABLE" && fail "adopt --undo left the log"
	return 0
}

# Killed after its history and log rows were written, before its COMMIT:
# neither row is there, and the next run writes both.
# PostgreSQL gets a migration, its rows and its COMMIT in one message:
# there a trigger on the history table holds the transaction at a gate
# once both rows are in, and the server process ends it there.
t_a_crash_before_the_commit_leaves_neither_row() {
	mig 0001 a "CREATE TABLE a (id INT);" "DROP TABLE a;"
	mig 0002 fill "INSERT INTO a VALUES (1);"
	st up 1
	expect_rc 0
	if [ "$STRATA_TEST_DB" = postgres ]; then
		db_sql "CREATE FUNCTION gate_wait() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN PERFORM $(db_gate_pass_sql crash | sed 's/^SELECT //'); RETURN NULL; END \$\$; CREATE TRIGGER gate AFTER INSERT OR UPDATE ON $TEST_TABLE FOR EACH ROW EXECUTE FUNCTION gate_wait()" >/dev/null
		gate_shut crash
		"$STRATA_BIN" -d "$TEST_URL" -m migrations up >o 2>&1 &
		pid=$!
		gate_wait_for crash "$pid"
		db_sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'strata'" >/dev/null
		wait "$pid" && fail "the run whose server process ended succeeded: $(cat o)"
		gate_open crash
		db_sql "DROP TRIGGER gate ON $TEST_TABLE" >/dev/null
	else
		tp_start before_commit o up
		kill -KILL "$pid"
		wait "$pid" 2>/dev/null
		# shellcheck disable=SC2154 # set by tp_start (exact-lib.sh)
		rm -f "$tp_fifo" "$tp_fifo.ready"
	fi
	expect_history "1"
	expect_eq "apply|1|versioned|;" "$(log_rows)" "the log after the crash"
	st up
	expect_rc 0
	expect_history "1 2"
	expect_eq "apply|1|versioned|;apply|2|versioned|;" "$(log_rows)" "the log"
}
