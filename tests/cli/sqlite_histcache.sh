# shellcheck shell=bash
# The history cache (src/lib/histcache.c): status, validate and a no-op up
# answer from the history kept for an unchanged SQLite file without opening
# it, and any change to the database, however it is made, is seen.
# The test build keeps the file's state at once (cache_at_once): no test
# waits for the file to settle.

. "$(dirname "${BASH_SOURCE[0]}")/../lib/exact-lib.sh"

setup_hc() {
	export XDG_CACHE_HOME="$PWD/cache"
	cache_at_once
	mig 0001 a "CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT);" "DROP TABLE a;"
	mig 0002 b "CREATE TABLE b (id INTEGER PRIMARY KEY, v TEXT);" "DROP TABLE b;"
	mig 0003 c "CREATE TABLE c (id INTEGER PRIMARY KEY, v TEXT);" "DROP TABLE c;"
	st up
	expect_rc 0
}

db_file() { printf '%s' "${TEST_URL#sqlite:}"; }

# Run strata under strace; succeed when SQLite opened the database (it
# opens it read-write; the cache's own look at the header is read-only).
opened_db() {
	command -v strace >/dev/null || skip "no strace"
	# LeakSanitizer cannot run under ptrace
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -qq -e trace=openat -o trace.out "$STRATA_BIN" -d "$TEST_URL" -m migrations "$@" >out.trace 2>&1
	grep -q "$(basename "$(db_file)")\", O_RDWR" trace.out
}

# status: it writes the cache
settle() {
	st status
	expect_rc 0
}

t_unchanged_database_is_not_opened() {
	setup_hc
	settle
	f=$(find cache/strata -name 'h-*' -type f)
	[ -n "$f" ] || fail "no history cache under \$XDG_CACHE_HOME/strata"
	expect_eq 600 "$(stat -c %a "$f")" "cache file mode"
	for cmd in status validate up; do
		opened_db $cmd && fail "$cmd opened the unchanged database"
	done
	st status
	expect_out "0003     c     applied"
	st up
	expect_rc 0
	expect_history "1 2 3"
}

t_status_right_after_up_reads_the_database() {
	setup_hc
	# the file changed less than the racy window ago (an hour here, so
	# that "a moment ago" does not depend on the machine's speed): too
	# recent to be told apart
	cache_never_recent
	opened_db status || fail "status right after up used a cache"
}

t_change_by_another_client_is_seen() {
	setup_hc
	settle
	db_sql "DELETE FROM $TEST_TABLE WHERE version = '3'; DROP TABLE c;"
	st status
	expect_out "0003     c     pending"
	settle
	st up
	expect_rc 0
	expect_history "1 2 3"
}

# A same-size change with the modification time put back: the change time
# and the header's change counter still move.
t_same_size_change_with_restored_mtime_is_seen() {
	setup_hc
	settle
	old=$(stat -c %Y "$(db_file)")
	size=$(stat -c %s "$(db_file)")
	db_sql "UPDATE $TEST_TABLE SET dirty = 1 WHERE version = '3'"
	touch -d "@$old" "$(db_file)"
	expect_eq "$size" "$(stat -c %s "$(db_file)")" "file size"
	st status
	expect_out "dirty"
	st up
	expect_rc 3
}

# An older copy put back over the file in place (same inode), its times
# kept: the header differs.
t_older_copy_restored_in_place_is_seen() {
	setup_hc
	st down --no-backup
	expect_rc 0
	cp -p "$(db_file)" old.db
	st up
	expect_rc 0
	settle
	ino=$(stat -c %i "$(db_file)")
	cp -p old.db "$(db_file)"
	expect_eq "$ino" "$(stat -c %i "$(db_file)")" "inode"
	st status
	expect_out "0003     c     pending"
}

t_wal_mode_database_is_always_read() {
	setup_hc
	db_sql "PRAGMA journal_mode = WAL" >/dev/null
	settle
	opened_db status || fail "status used a cache for a database in WAL mode"
	expect_history "1 2 3"
}

t_a_journal_left_behind_means_reading() {
	setup_hc
	settle
	: >"$(db_file)-journal"
	opened_db status || fail "status used a cache while a journal exists"
	rm -f "$(db_file)-journal"
}

t_corrupt_cache_is_harmless() {
	setup_hc
	settle
	f=$(find cache/strata -name 'h-*' -type f)
	for junk in "" "strata-histcache 1" "garbage\n\n\t" ; do
		printf "$junk" >"$f"
		st status
		expect_rc 0
		expect_out "0003     c     applied"
	done
	# a cache with a row too many for the same key: any doubt, the database
	head -c 20000 /dev/urandom >"$f"
	st status
	expect_rc 0
	expect_out "0002     b     applied"
}

t_another_table_or_target_has_its_own_cache() {
	setup_hc
	settle
	st --table other_history status
	expect_rc 0
	expect_out "0001     a     pending"
	st --table other_history status
	expect_out "0001     a     pending"
	st status
	expect_out "0001     a     applied"
}

t_new_file_is_applied_after_a_cached_look() {
	setup_hc
	settle
	mig 0004 d "CREATE TABLE d (id INTEGER PRIMARY KEY);" "DROP TABLE d;"
	st up
	expect_rc 0
	expect_history "1 2 3 4"
	settle
	st status
	expect_out "0004     d     applied"
}

t_strata_no_cache_turns_it_off() {
	setup_hc
	export STRATA_NO_CACHE=1
	rm -rf cache
	settle
	[ -z "$(find cache -type f 2>/dev/null)" ] || fail "a cache was written with STRATA_NO_CACHE=1"
	opened_db status || fail "status did not open the database with STRATA_NO_CACHE=1"
	unset STRATA_NO_CACHE
}

# Every field comes back from the cache exactly as the database holds it:
# tabs, newlines, backslashes and a literal \N in text, a NULL checksum,
# numbers.
t_rows_round_trip_through_the_cache() {
	setup_hc
	db_sql "UPDATE $TEST_TABLE SET applied_by = 'DOMAIN\\user' || char(9) || 'x' || char(10) || '\\N\\t', execution_ms = 123456, dirty = 0 WHERE version = '2'" ||
		fail "update"
	db_sql "UPDATE $TEST_TABLE SET applied_by = '\\N', checksum = NULL WHERE version = '3'" || fail "update"
	expect_eq 1 "$(db_sql "SELECT count(*) FROM $TEST_TABLE WHERE checksum IS NULL")" "rows without checksum"
	opened_db status --json || fail "the first status after the change used a cache"
	cp out.trace direct.json
	opened_db status --json && fail "the second status did not use the cache"
	cmp -s direct.json out.trace || fail "status from the cache differs: $(diff direct.json out.trace)"
	grep -q 'DOMAIN\\\\user\\tx\\n\\\\N\\\\t' out.trace || fail "applied_by not shown whole: $(grep applied_by out.trace)"
	grep -q '"execution_ms": 123456' out.trace || fail "execution_ms lost"
}
