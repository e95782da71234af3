# shellcheck shell=bash
# shellcheck disable=SC2154 # st sets rc, out, err; tp_start sets pid
# PostgreSQL: lock-safe DDL. A migration's statements wait for table
# locks at most as long as -- strata:lock-timeout (or strata.conf's
# ddl_lock_timeout) says; a migration that gave up is rolled back and
# tried again. Another session holds the lock in an open transaction,
# fed from a FIFO: no sleeps, no timing. And `strata repair` drops the
# INVALID index a failed CREATE INDEX CONCURRENTLY leaves.

# shellcheck source=tests/lib/exact-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/exact-lib.sh"

export STRATA_TEST_NO_BACKOFF=1

pg_conn() {
	echo "host=127.0.0.1 port=$STRATA_TEST_PG_PORT user=postgres dbname=$TEST_DBNAME"
}

# holder_start SQL: a session of its own (exact-lib.sh hold_start) that
# runs SQL in an open transaction; returns once SQL has run.
holder_start() {
	hold_start holder "BEGIN; ${1%;}" "COMMIT"
}

# holder_end: commit the holder's transaction and end its session.
holder_end() {
	hold_end holder
}

# a query from a third session that may not wait for a lock either
quick_select() {
	psql -X -q -At -v ON_ERROR_STOP=1 "$(pg_conn)" \
		-c "SET lock_timeout = '100ms'" -c "SELECT count(*) FROM $1"
}

dirty_rows() {
	db_sql "SELECT count(*) FROM $TEST_TABLE WHERE dirty <> 0"
}

t_lock_timeout_gives_up_and_leaves_nothing() {
	mig 0001 users "CREATE TABLE users (id int);"
	st up
	expect_rc 0
	mig 0002 users_email "-- strata:lock-timeout 100ms retries=1
CREATE TABLE audit (id int);
ALTER TABLE users ADD COLUMN email text;"
	holder_start "SELECT count(*) FROM users;"
	st up
	holder_end
	expect_rc 1
	expect_err "0002_users_email.up.sql:3"
	expect_err "lock timeout (100ms) after 2 attempts, giving up"
	expect_err "the migration was rolled back: nothing of it is applied or recorded"
	[ "$(grep -c "rolled back, retry" <<<"$err")" = 1 ] || fail "not one retry line: $err"
	expect_err "0002_users_email.up.sql:3: lock timeout (100ms): canceling statement due to lock timeout; rolled back, retry 1 of 1"
	expect_history "1"
	expect_tables "users"
	expect_eq 0 "$(dirty_rows)" "dirty rows"
}

t_retry_does_not_queue_others_and_succeeds() {
	mig 0001 users "CREATE TABLE users (id int);
INSERT INTO users VALUES (1);"
	st up
	expect_rc 0
	mig 0002 users_email "-- strata:lock-timeout 100ms retries=3
ALTER TABLE users ADD COLUMN email text;"
	holder_start "SELECT count(*) FROM users;"
	tp_start lock_retry o.up up
	grep -q "0002_users_email.up.sql:2: .*retry 1 of 3" o.up ||
		fail "no retry line: $(cat o.up)"
	# strata waits between tries without a lock queued on users: a
	# query that may not wait gets through
	expect_eq 1 "$(quick_select users)" "rows seen by a third session"
	holder_end
	tp_release "$tp_fifo"
	wait "$pid" || fail "the retry failed: $(cat o.up)"
	expect_history "1 2"
	expect_eq 0 "$(dirty_rows)" "dirty rows"
	expect_eq 1 "$(db_sql "SELECT count(*) FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'email'")" "email column"
}

t_retry_json_event() {
	mig 0001 users "CREATE TABLE users (id int);"
	st up
	mig 0002 users_email "-- strata:lock-timeout 100ms retries=2
ALTER TABLE users ADD COLUMN email text;"
	holder_start "SELECT count(*) FROM users;"
	tp_start lock_retry o.up --json up
	holder_end
	tp_release "$tp_fifo"
	wait "$pid" || fail "the retry failed: $(cat o.up)"
	python3 - o.up <<'PY' || fail "no retries in the JSON: $(cat o.up)"
import json, sys
doc = json.loads([l for l in open(sys.argv[1]) if l.startswith("{")][-1])
r = doc["retries"]
assert len(r) == 1, r
assert r[0]["file"].endswith("0002_users_email.up.sql"), r
assert r[0]["line"] == 2 and r[0]["retry"] == 1 and r[0]["retries"] == 2, r
assert [m["version"] for m in doc["migrations"]] == ["0002"], doc
PY
}

t_project_setting_applies_and_file_wins() {
	mig 0001 users "CREATE TABLE users (id int);"
	st up
	mig 0002 users_email "ALTER TABLE users ADD COLUMN email text;"
	printf '[strata]\ndatabase = %s\ndir = migrations\nddl_lock_timeout = 100ms\n' \
		"$TEST_URL" >strata.conf
	holder_start "SELECT count(*) FROM users;"
	st_raw up
	expect_rc 1
	expect_err "0002_users_email.up.sql:1"
	expect_err "lock timeout (100ms) after 1 attempt, giving up"
	refute_err "retry"
	# the file's directive wins over the project's setting
	mig 0002 users_email "-- strata:lock-timeout 200ms
ALTER TABLE users ADD COLUMN email text;"
	st_raw up
	expect_rc 1
	expect_err "lock timeout (200ms) after 1 attempt"
	holder_end
	st_raw up
	expect_rc 0
	expect_history "1 2"
}

t_lock_timeout_is_local_to_the_migration() {
	mig 0001 a "-- strata:lock-timeout 1234ms
CREATE TABLE a (t text);
INSERT INTO a SELECT current_setting('lock_timeout');"
	mig 0002 b "CREATE TABLE b (t text);
INSERT INTO b SELECT current_setting('lock_timeout');"
	mig 0003 c "-- strata:no-transaction
-- strata:lock-timeout 2s
CREATE TABLE c (t text);
INSERT INTO c SELECT current_setting('lock_timeout');"
	mig 0004 d "CREATE TABLE d (t text);
INSERT INTO d SELECT current_setting('lock_timeout');"
	st up
	expect_rc 0
	expect_eq "1234ms" "$(db_sql "SELECT t FROM a")" "lock_timeout in 0001"
	expect_eq "0" "$(db_sql "SELECT t FROM b")" "lock_timeout in 0002"
	expect_eq "2s" "$(db_sql "SELECT t FROM c")" "lock_timeout in 0003"
	expect_eq "0" "$(db_sql "SELECT t FROM d")" "lock_timeout in 0004"
}

t_no_transaction_retries_only_a_first_statement() {
	mig 0001 users "CREATE TABLE users (id int);"
	st up
	mig 0002 users_email "-- strata:no-transaction
-- strata:lock-timeout 100ms retries=1
ALTER TABLE users ADD COLUMN email text;"
	holder_start "SELECT count(*) FROM users;"
	tp_start lock_retry o.up up
	expect_eq 0 "$(dirty_rows)" "dirty rows while waiting to retry"
	holder_end
	tp_release "$tp_fifo"
	wait "$pid" || fail "the retry failed: $(cat o.up)"
	expect_history "1 2"
	# a lock timeout after a statement took effect: dirty, no retry
	mig 0003 more "-- strata:no-transaction
-- strata:lock-timeout 100ms retries=3
CREATE TABLE more (id int);
ALTER TABLE users ADD COLUMN phone text;"
	holder_start "SELECT count(*) FROM users;"
	st up
	holder_end
	expect_rc 1
	expect_err "0003_more.up.sql:4"
	expect_err "lock timeout (100ms) after 1 attempt, giving up"
	expect_err "marked dirty"
	refute_err "retry 1"
	expect_eq 1 "$(dirty_rows)" "dirty rows"
}

t_directive_errors_name_file_and_line() {
	mig 0001 a "-- strata:lock-timeout 2 retries=5
CREATE TABLE a (id int);"
	st up
	expect_rc 2
	expect_err "0001_a.up.sql:1"
	expect_err "bad lock timeout '2'"
	mig 0001 a "-- a comment
-- strata:lock-timeout 2s retries=many
CREATE TABLE a (id int);"
	st up
	expect_rc 2
	expect_err "0001_a.up.sql:2"
	expect_err "bad 'retries=many' after the lock timeout"
	mig 0001 a "-- strata:lock-timeout 2s retries=101
CREATE TABLE a (id int);"
	st up
	expect_rc 2
	expect_err "0001_a.up.sql:1"
	mig 0001 a "-- strata:lock-timeout
CREATE TABLE a (id int);"
	st validate
	expect_rc 2
	expect_err "0001_a.up.sql:1"
	expect_err "lock timeout missing"
	expect_tables ""
	printf '[strata]\ndatabase = %s\ndir = migrations\nddl_lock_timeout = soon\n' \
		"$TEST_URL" >strata.conf
	st_raw up
	expect_rc 2
	expect_err "strata.conf:4"
	expect_err "ddl_lock_timeout: bad lock timeout 'soon'"
}

t_single_transaction_sets_each_part() {
	mig 0001 a "CREATE TABLE a (t text);
INSERT INTO a SELECT current_setting('lock_timeout');"
	mig 0002 b "-- strata:lock-timeout 1234ms retries=2
CREATE TABLE b (t text);
INSERT INTO b SELECT current_setting('lock_timeout');"
	mig 0003 c "CREATE TABLE c (t text);
INSERT INTO c SELECT current_setting('lock_timeout');"
	printf '[strata]\ndatabase = %s\ndir = migrations\nddl_lock_timeout = 500ms\n' \
		"$TEST_URL" >strata.conf
	st_raw up --single-transaction
	expect_rc 0
	expect_eq "500ms 1234ms 500ms" \
		"$(db_sql "SELECT (SELECT t FROM a) || ' ' || (SELECT t FROM b) || ' ' || (SELECT t FROM c)")" \
		"lock_timeout in each migration"
	# no project setting: the server's own around the file's
	rm strata.conf
	db_sql "DROP TABLE a, b, c; DELETE FROM $TEST_TABLE"
	st up --single-transaction
	expect_rc 0
	expect_eq "0 1234ms 0" \
		"$(db_sql "SELECT (SELECT t FROM a) || ' ' || (SELECT t FROM b) || ' ' || (SELECT t FROM c)")" \
		"lock_timeout in each migration"
}

# --single-transaction: a statement that gave up rolls the whole
# transaction back, and the whole transaction is tried again, under the
# file's retries=; while strata waits it holds no lock on the table.
t_single_transaction_retries_whole() {
	mig 0001 users "CREATE TABLE users (id int);
INSERT INTO users VALUES (1);"
	st up
	expect_rc 0
	mig 0002 audit "CREATE TABLE audit (id int);"
	mig 0003 users_email "-- strata:lock-timeout 100ms retries=3
ALTER TABLE users ADD COLUMN email text;"
	holder_start "SELECT count(*) FROM users;"
	tp_start lock_retry o.up up --single-transaction
	grep -q "0003_users_email.up.sql:2: lock timeout (100ms): .*; rolled back, retry 1 of 3" o.up ||
		fail "no retry line: $(cat o.up)"
	# rolled back whole: 0002 is not there, nothing is dirty, and
	# nothing waits on users
	expect_history "1"
	expect_eq 0 "$(db_sql "SELECT count(*) FROM pg_tables WHERE tablename = 'audit'")" "audit while waiting"
	expect_eq 1 "$(quick_select users)" "rows seen by a third session"
	holder_end
	tp_release "$tp_fifo"
	wait "$pid" || fail "the retry failed: $(cat o.up)"
	expect_history "1 2 3"
	expect_eq 0 "$(dirty_rows)" "dirty rows"
	# each migration said applied once, after the commit
	expect_eq 1 "$(grep -c "^applied .*0002_audit" o.up)" "lines for 0002"
	expect_eq 1 "$(grep -c "^applied .*0003_users_email" o.up)" "lines for 0003"
}

# --single-transaction under the project's setting: its retries=, and the
# message says the single transaction was rolled back.
t_single_transaction_gives_up_after_the_retries() {
	mig 0001 users "CREATE TABLE users (id int);"
	st up
	expect_rc 0
	mig 0002 audit "CREATE TABLE audit (id int);"
	mig 0003 users_email "ALTER TABLE users ADD COLUMN email text;"
	printf '[strata]\ndatabase = %s\ndir = migrations\nddl_lock_timeout = 100ms retries=1\n' \
		"$TEST_URL" >strata.conf
	holder_start "SELECT count(*) FROM users;"
	st_raw up --single-transaction
	holder_end
	expect_rc 1
	expect_err "0003_users_email.up.sql:1"
	expect_err "lock timeout (100ms) after 2 attempts, giving up"
	expect_err "the single transaction was rolled back: no migration was applied"
	refute_err "the migration was rolled back"
	expect_eq 1 "$(grep -c "rolled back, retry" <<<"$err")" "retry lines"
	expect_err "0003_users_email.up.sql:1: lock timeout (100ms): canceling statement due to lock timeout; rolled back, retry 1 of 1"
	expect_history "1"
	expect_eq 0 "$(db_sql "SELECT count(*) FROM pg_tables WHERE tablename = 'audit'")" "audit"
	expect_eq 0 "$(dirty_rows)" "dirty rows"
}

# --single-transaction --json: the retry in "retries", each migration once
# in "migrations".
t_single_transaction_retry_json() {
	mig 0001 users "CREATE TABLE users (id int);"
	st up
	mig 0002 audit "CREATE TABLE audit (id int);"
	mig 0003 users_email "-- strata:lock-timeout 100ms retries=2
ALTER TABLE users ADD COLUMN email text;"
	holder_start "SELECT count(*) FROM users;"
	tp_start lock_retry o.up --json up --single-transaction
	holder_end
	tp_release "$tp_fifo"
	wait "$pid" || fail "the retry failed: $(cat o.up)"
	python3 - o.up <<'PY' || fail "not the JSON expected: $(cat o.up)"
import json, sys
doc = json.loads([l for l in open(sys.argv[1]) if l.startswith("{")][-1])
r = doc["retries"]
assert len(r) == 1, r
assert r[0]["version"] == "0003", r
assert r[0]["file"].endswith("0003_users_email.up.sql"), r
assert r[0]["line"] == 2 and r[0]["retry"] == 1 and r[0]["retries"] == 2, r
assert [m["version"] for m in doc["migrations"]] == ["0002", "0003"], doc
PY
	expect_history "1 2 3"
}

# --- repair and INVALID indexes ------------------------------------------

t_repair_drops_an_invalid_index_and_up_builds_it() {
	mig 0001 users "CREATE TABLE users (id int, email text);
INSERT INTO users VALUES (1, 'a'), (2, 'a');"
	mig 0002 users_email "-- strata:no-transaction
CREATE UNIQUE INDEX CONCURRENTLY users_email ON users (email);"
	st up
	expect_rc 1
	expect_err "left the INVALID index public.users_email behind"
	expect_eq "f" "$(db_sql "SELECT indisvalid FROM pg_index WHERE indexrelid = 'users_email'::regclass")" "the index is INVALID"
	# the failed migration is dirty: force it back, as its message says
	st force 1
	expect_rc 0
	# without a terminal, repair asks for --yes and does nothing
	st repair </dev/null
	expect_rc 2
	expect_err "repair drops 1 INVALID index: it asks you to type 'DROP' on a terminal; without one, pass --yes"
	expect_eq 1 "$(db_sql "SELECT count(*) FROM pg_class WHERE relname = 'users_email'")" "the index is kept"
	st repair --yes
	expect_rc 0
	expect_err "dropped the INVALID index public.users_email"
	expect_err "1 INVALID index dropped"
	expect_eq 0 "$(db_sql "SELECT count(*) FROM pg_class WHERE relname = 'users_email'")" "the index is gone"
	# fix the data; the next up builds it again, valid
	db_sql "UPDATE users SET email = 'b' WHERE id = 2"
	st up
	expect_rc 0
	expect_history "1 2"
	expect_eq "t" "$(db_sql "SELECT indisvalid FROM pg_index WHERE indexrelid = 'users_email'::regclass")" "the index is valid"
	# nothing INVALID: repair asks nothing
	st repair --json </dev/null
	expect_rc 0
	expect_out '"invalid_indexes": []'
}

t_plan_shows_the_lock_timeout() {
	mig 0001 a "-- strata:lock-timeout 1234ms retries=2
CREATE TABLE a (id int);"
	mig 0002 b "-- strata:no-transaction
-- strata:lock-timeout 2s
CREATE INDEX CONCURRENTLY a_id ON a (id);"
	st plan
	expect_rc 0
	grep -A1 '^BEGIN;$' <<<"$out" | grep -qx "SET LOCAL lock_timeout = '1234ms';" ||
		fail "no SET LOCAL after BEGIN: $out"
	expect_out "SET lock_timeout = '2000ms';"
	expect_out "RESET lock_timeout;"
	# the script does what the run does
	printf '%s\n' "$out" >plan.sql
	db_run_script plan.sql || fail "the plan does not run"
	expect_history "1 2"
}

t_config_shows_the_setting() {
	printf '[strata]\ndatabase = %s\ndir = migrations\nddl_lock_timeout = 2s retries=3\n' \
		"$TEST_URL" >strata.conf
	st_raw config
	expect_rc 0
	expect_out "ddl_lock_timeout 2s retries=3"
	st_raw config --json
	expect_rc 0
	expect_out '"ddl_lock_timeout_ms": 2000, "ddl_lock_retries": 3'
}

t_interrupt_before_a_retry_stops_cleanly() {
	mig 0001 users "CREATE TABLE users (id int);"
	st up
	mig 0002 users_email "-- strata:lock-timeout 100ms retries=5
ALTER TABLE users ADD COLUMN email text;"
	holder_start "SELECT count(*) FROM users;"
	tp_start lock_retry o.up up
	tp_signal "$pid" INT
	tp_release "$tp_fifo"
	wait "$pid"
	rc=$?
	holder_end
	expect_eq 130 "$rc" "exit code"
	grep -q "interrupted while waiting to try a migration again after a lock timeout" o.up ||
		fail "not said: $(cat o.up)"
	expect_history "1"
	expect_eq 0 "$(dirty_rows)" "dirty rows"
}
