# shellcheck shell=bash
# The stat cache of checksums: status uses it for unchanged files, and an
# edit is never missed, not even one that keeps the size and restores the
# modification time, nor one made in the same instant as the cache.

setup_cache() {
	export XDG_CACHE_HOME="$PWD/cache"
	mig 0001 a "CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT);" "DROP TABLE a;"
	mig 0002 b "CREATE TABLE b (id INTEGER PRIMARY KEY, v TEXT);" "DROP TABLE b;"
	st up
	expect_rc 0
}

t_cache_is_written_outside_the_project_and_used() {
	setup_cache
	sleep 2.2 # files younger than 2 s are never cached (racy)
	st status
	expect_rc 0
	f=$(find cache/strata -type f ! -name 'h-*')
	[ -n "$f" ] || fail "no cache file under \$XDG_CACHE_HOME/strata"
	expect_eq 600 "$(stat -c %a "$f")" "cache file mode"
	grep -q "0001_a.up.sql" "$f" || fail "no entry: $(cat "$f")"
	[ -z "$(find migrations -name '.*')" ] || fail "the project got a file"
	# unchanged files: the cache answers, the files are not read
	command -v strace >/dev/null || skip "no strace"
	# LeakSanitizer cannot run under ptrace
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -qq -e trace=openat -o trace.out "$STRATA_BIN" -d "$TEST_URL" -m migrations status >/dev/null 2>&1 ||
		fail "status under strace"
	! grep -q "0001_a.up.sql" trace.out || fail "an unchanged file was read"
}

t_same_size_edit_with_restored_mtime_is_seen() {
	setup_cache
	sleep 2.2
	st status
	old=$(stat -c %Y migrations/0001_a.up.sql)
	sed -i 's/TEXT/BLOB/' migrations/0001_a.up.sql
	touch -d "@$old" migrations/0001_a.up.sql
	expect_eq "$old" "$(stat -c %Y migrations/0001_a.up.sql)" "mtime restored"
	st status
	expect_out "0001     a     modified"
	st validate
	expect_rc 3
}

t_edit_right_after_status_is_seen() {
	setup_cache
	sleep 2.2
	st status
	printf -- '-- more\n' >>migrations/0002_b.up.sql
	st status
	expect_out "0002     b     modified"
	# and back: the cache does not keep the stale answer either
	sed -i '$d' migrations/0002_b.up.sql
	st status
	expect_out "0002     b     applied"
}

t_corrupt_or_unwritable_cache_is_harmless() {
	setup_cache
	sleep 2.2
	st status
	f=$(find cache/strata -type f ! -name 'h-*')
	printf 'garbage\n' >"$f"
	st status
	expect_rc 0
	expect_out "0001     a     applied"
	rm -rf cache
	printf 'not a folder\n' >cache
	st status
	expect_rc 0
	expect_out "0002     b     applied"
}
