# shellcheck shell=bash
# Crash points on PostgreSQL: the CLI is killed with SIGKILL just before
# its k-th message to the server, for every k until a run completes. After
# each kill the database is exactly before or after each migration:
# history rows and tables agree, and the next run completes. A no-
# transaction file may also be left dirty, saying which statement it
# reached, never changed but unrecorded.

check_consistent() {
	local hist tabs
	hist=$(db_sql "SELECT version FROM schema_migrations WHERE dirty = 0 ORDER BY version_sort" 2>/dev/null | tr '\n' ' ' | sed 's/ $//')
	tabs=$(db_tables | tr ' ' '\n' | grep '^c[0-9]' | sed 's/^c//' | sort -n | tr '\n' ' ' | sed 's/ $//')
	[ "$hist" = "$tabs" ] || fail "k=$1: history [$hist] but tables [$tabs]"
}

kill_at() { # k: run up, killed before the k-th sendto; prints the exit code
	(
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
			strace -f -qq -o /dev/null -e trace=sendto \
			-e inject=sendto:signal=KILL:when="$1" \
			"$STRATA_BIN" -q -d "$TEST_URL" -m migrations --lock-timeout 20 up
	) >/dev/null 2>&1
	echo $?
}

reset_db() {
	db_sql "DROP TABLE IF EXISTS c1, c2, c3, schema_migrations" >/dev/null
}

t_every_crash_point_transactional() {
	command -v strace >/dev/null || skip "no strace"
	for i in 1 2 3; do
		mig "000$i" "c$i" "CREATE TABLE c$i (id INTEGER PRIMARY KEY);
INSERT INTO c$i VALUES (1);"
	done
	k=1
	while [ $k -le 60 ]; do
		rc=$(kill_at $k)
		check_consistent $k
		expect_eq "" "$(db_sql "SELECT version FROM schema_migrations WHERE dirty <> 0" 2>/dev/null)" "dirty rows at k=$k"
		if [ "$rc" != 137 ]; then
			expect_eq 0 "$rc" "the run that was not killed (k=$k)"
			break
		fi
		# the interrupted run's lock must not stop the next one
		st --lock-timeout 20 up
		expect_rc 0
		check_consistent "$k/rerun"
		expect_history "1 2 3"
		reset_db
		k=$((k + 1))
	done
	[ $k -gt 3 ] || fail "only $k crash points: the kill did not happen"
	echo "crash points enumerated: $((k - 1))"
}

t_every_crash_point_no_transaction() {
	command -v strace >/dev/null || skip "no strace"
	mig 0001 c1 "CREATE TABLE c1 (id INTEGER PRIMARY KEY, v INTEGER);"
	mig 0002 c2 "-- strata:no-transaction
CREATE TABLE c2 (id INTEGER PRIMARY KEY);
CREATE INDEX CONCURRENTLY c2_id ON c2 (id);
INSERT INTO c2 VALUES (1);"
	k=1
	while [ $k -le 60 ]; do
		rc=$(kill_at $k)
		row=$(db_sql "SELECT dirty FROM schema_migrations WHERE version = '2'" 2>/dev/null)
		tabs=$(db_tables)
		case "$tabs" in
		*c2*) [ -n "$row" ] || fail "k=$k: c2 exists but 0002 is not recorded" ;;
		esac
		if [ "$row" = 0 ]; then
			expect_eq 1 "$(db_sql "SELECT count(*) FROM c2")" "k=$k: clean row, complete migration"
		fi
		if [ "$rc" != 137 ]; then
			expect_eq 0 "$rc" "the run that was not killed (k=$k)"
			break
		fi
		reset_db
		k=$((k + 1))
	done
	[ $k -gt 3 ] || fail "only $k crash points"
}
