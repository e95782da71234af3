# shellcheck shell=bash
# MySQL/MariaDB: DDL commits implicitly, so a migration with DDL runs
# under the dirty protocol (history row dirty first, statements one by
# one, row clean last) and data-only migrations run in a transaction.
# Failures, SIGKILL at any point and racing runners must never leave a
# change that the history does not show.

. "$(dirname "${BASH_SOURCE[0]}")/../lib/exact-lib.sh"

# dirty_of VERSION: the dirty column of VERSION's history row, or nothing
dirty_of() {
	db_sql "SELECT dirty FROM schema_migrations WHERE version = '$1'"
}

t_third_statement_fails_dirty_then_force() {
	mig 0001 base "CREATE TABLE base (id INT);" "DROP TABLE base;"
	mkdir -p migrations
	cat >migrations/0002_three.up.sql <<'EOF'
-- the third statement fails
CREATE TABLE one (id INT);
CREATE TABLE two (id INT);
CREATE TABLE three (id INT, x NO_SUCH_TYPE);
CREATE TABLE four (id INT);
EOF
	cat >migrations/0002_three.down.sql <<'EOF'
DROP TABLE IF EXISTS four;
DROP TABLE IF EXISTS three;
DROP TABLE two;
DROP TABLE one;
EOF
	st up
	expect_rc 1
	expect_out "applied     0001_base"
	expect_err "migrations/0002_three.up.sql:4:1: error: Unknown data type: 'NO_SUCH_TYPE'"
	expect_err "statements 1 to 2 of 4"
	expect_err "took effect and were not rolled back"
	expect_err "strata force 0002"
	expect_tables "base one two"
	# the row says which statement the run reached: the third
	expect_eq 3 "$(dirty_of 2)" "dirty row of 0002"
	st status
	expect_out "stopped at statement 3"
	expect_history "1"
	st status
	expect_rc 0
	expect_out "dirty"
	# a dirty database blocks up and down, saying what to do
	mig 0003 later "CREATE TABLE later (id INT);" "DROP TABLE later;"
	st up
	expect_rc 3
	expect_err "dirty"
	expect_err "strata force"
	st down
	expect_rc 3
	expect_err "dirty"
	expect_tables "base one two"
	# finish it by hand, declare it done; then the next up works
	db_sql "CREATE TABLE three (id INT); CREATE TABLE four (id INT)"
	st force 0002
	expect_rc 0
	expect_eq 0 "$(dirty_of 2)" "row of 0002 after force"
	st up
	expect_rc 0
	expect_tables "base four later one three two"
	expect_history "1 2 3"
	st down 2
	expect_rc 0
	expect_tables "base"
	expect_history "1"
}

t_dirty_then_undo_by_hand_and_force_back() {
	mig 0001 base "CREATE TABLE base (id INT);"
	mig 0002 pair "CREATE TABLE one (id INT);
ALTER TABLE base ADD COLUMN c NO_SUCH_TYPE;"
	st up
	expect_rc 1
	expect_err "0002_pair.up.sql:2:1: error:"
	expect_err "statements 1 to 1 of 2"
	expect_err "strata force 1"
	expect_eq 2 "$(dirty_of 2)" "statement reached"
	# undo what ran, fix the file, go back to 1 and apply it again
	db_sql "DROP TABLE one"
	mig 0002 pair "CREATE TABLE one (id INT);
ALTER TABLE base ADD COLUMN c INT;"
	st force 1
	expect_rc 0
	expect_eq "" "$(dirty_of 2)" "row of 0002 after force 1"
	st up
	expect_rc 0
	expect_history "1 2"
	expect_eq c "$(db_sql "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'base' AND COLUMN_NAME = 'c'")"
}

t_data_only_failure_is_rolled_back_whole() {
	mig 0001 k "CREATE TABLE k (id INT PRIMARY KEY, v INT) ENGINE=InnoDB;"
	mig 0002 data "INSERT INTO k VALUES (1, 1);
UPDATE k SET v = 2 WHERE id = 1;
INSERT INTO k VALUES (2, 1);
INSERT INTO k VALUES
  (3, 1),
  (1, 9);"
	st up
	expect_rc 1
	expect_err "0002_data.up.sql:4:1: error: Duplicate entry '1' for key 'PRIMARY'"
	refute_err "dirty"
	expect_eq 0 "$(db_sql "SELECT COUNT(*) FROM k")" "rows of k"
	expect_history "1"
	expect_eq "" "$(dirty_of 2)" "no history row for 0002"
	st status
	expect_out "pending"
	refute_out "dirty"
	mig 0002 data "INSERT INTO k VALUES (1, 1);
UPDATE k SET v = 2 WHERE id = 1;
INSERT INTO k VALUES (2, 1);"
	st up
	expect_rc 0
	expect_eq "1|2
2|1" "$(db_sql "SELECT id, v FROM k ORDER BY id")"
	expect_history "1 2"
}

t_sixteen_racing_runners() {
	local i ok=0
	mig 0001 counter "CREATE TABLE counter (n INT);"
	mig 0002 ddl_and_data "CREATE TABLE t2 (id INT);
INSERT INTO counter VALUES (2);"
	mig 0003 data_only "INSERT INTO counter VALUES (3);"
	mig 0004 alter "ALTER TABLE counter ADD COLUMN note VARCHAR(20);
INSERT INTO counter VALUES (4, 'four');"
	mig 0005 data_only_too "UPDATE counter SET note = 'set' WHERE note IS NULL;
INSERT INTO counter VALUES (5, 'five');"
	# all released at once (race_each)
	race_n 16 up
	for i in $(seq 16); do
		if [ "$(cat "rc.$i")" = 0 ]; then
			ok=$((ok + 1))
		else
			echo "runner $i: exit $(cat "rc.$i")" >&2
			cat "out.$i" >&2
		fi
	done
	expect_eq 16 "$ok" "runners that exited 0"
	expect_history "1 2 3 4 5"
	expect_eq "5|0" "$(db_sql "SELECT COUNT(*), SUM(dirty) FROM schema_migrations")"
	expect_eq "2|set
3|set
4|four
5|five" "$(db_sql "SELECT n, note FROM counter ORDER BY n")"
	expect_eq 5 "$(cat out.* | grep -c '^applied ')" "applied lines"
}

# SIGKILL while the second statement runs in the server: a statement that
# waits at a gate the test keeps shut, so that the kill lands inside it
# however slow the machine. The row says statement 2; nothing after the
# kill changes the database, even once the statement could go on (the
# gate opened, the killed session gone with its lock).
t_sigkill_mid_migration() {
	local pid
	mig 0001 slow "CREATE TABLE before_gate (id INT);
$(db_gate_pass_sql slow);
CREATE TABLE after_gate (id INT);"
	gate_shut slow
	"$STRATA_BIN" --database "$TEST_URL" --dir migrations up >/dev/null 2>&1 &
	pid=$!
	gate_wait_for slow "$pid"
	expect_tables "before_gate"
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	# the first statement took effect and the second was running: the row
	# says so
	expect_eq 2 "$(dirty_of 1)" "row of 0001"
	st status
	expect_rc 0
	expect_out "dirty"
	gate_open slow
	# once the killed session has ended, its lock is gone (a wait for
	# that, not a measure); the dirty row still blocks
	st --lock-timeout 120 up
	expect_rc 3
	expect_err "dirty"
	expect_tables "before_gate"
	db_sql "CREATE TABLE after_gate (id INT)"
	st force 1
	expect_rc 0
	expect_history "1"
}

# SIGKILL the client just before its k-th message to the server, for
# every k: whatever the migration changed, the history shows (dirty or
# clean), and a clean row means all of it took effect.
t_sigkill_at_every_message() {
	command -v strace >/dev/null || skip "strace not installed"
	strace -f -qq -o /dev/null true 2>/dev/null || skip "strace cannot trace here"
	local k rc tables row done=0
	mig 0001 base "CREATE TABLE base (id INT);"
	mig 0002 three "CREATE TABLE a (id INT);
CREATE TABLE b (id INT);
INSERT INTO base VALUES (1);
CREATE TABLE c (id INT);"
	st up 1
	expect_rc 0
	for k in $(seq 1 60); do
		# (LeakSanitizer cannot run under ptrace; the subshell keeps
		# bash's "Killed" notice off the log)
		(
			ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
				strace -f -qq -o /dev/null -e trace=sendto \
				-e inject=sendto:signal=KILL:when="$k" \
				"$STRATA_BIN" --database "$TEST_URL" \
				--dir migrations --lock-timeout 10 up
		) >/dev/null 2>&1
		rc=$?
		tables=$(db_tables)
		row=$(dirty_of 2)
		case "$tables" in
		"base") ;;
		*)
			[ -n "$row" ] || fail "k=$k: tables '$tables' changed but 0002 is not recorded"
			;;
		esac
		if [ "$row" = 0 ] && [ "$tables" != "a b base c" ]; then
			fail "k=$k: 0002 recorded clean with tables '$tables'"
		fi
		if [ "$rc" != 137 ]; then
			expect_eq 0 "$rc" "k=$k: exit code of the run that was not killed"
			done=1
			break
		fi
		# back to the state before 0002, for the next crash point
		db_sql "DROP TABLE IF EXISTS a, b, c; DELETE FROM base; DELETE FROM schema_migrations WHERE version = '2'"
	done
	[ "$done" = 1 ] || fail "the run was still being killed at k=60"
	expect_history "1 2"
	expect_tables "a b base c"
}
