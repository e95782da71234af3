# shellcheck shell=bash
# The stat cache of checksums: status uses it for unchanged files, and an
# edit is never missed, not even one that keeps the size and restores the
# modification time, nor one made in the same instant as the cache.
# The test build keeps files at once (cache_at_once): no test waits for
# files to age; a change after a cached look comes after fs_tick_past.

. "$(dirname "${BASH_SOURCE[0]}")/../lib/exact-lib.sh"

setup_cache() {
	export XDG_CACHE_HOME="$PWD/cache"
	cache_at_once
	mig 0001 a "CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT);" "DROP TABLE a;"
	mig 0002 b "CREATE TABLE b (id INTEGER PRIMARY KEY, v TEXT);" "DROP TABLE b;"
	st up
	expect_rc 0
}

t_cache_is_written_outside_the_project_and_used() {
	setup_cache
	st status
	expect_rc 0
	f=$(find cache/strata -type f -name 'f-*')
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
	st status
	old=$(stat -c %Y migrations/0001_a.up.sql)
	fs_tick_past migrations/0001_a.up.sql
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
	st status
	fs_tick_past migrations/0002_b.up.sql
	printf -- '-- more\n' >>migrations/0002_b.up.sql
	st status
	expect_out "0002     b     modified"
	# and back: the cache does not keep the stale answer either
	fs_tick_past migrations/0002_b.up.sql
	sed -i '$d' migrations/0002_b.up.sql
	st status
	expect_out "0002     b     applied"
}

t_corrupt_or_unwritable_cache_is_harmless() {
	setup_cache
	st status
	f=$(find cache/strata -type f -name 'f-*')
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

# --- the folder's listing (src/lib/dircache.c) -------------------------------

# strata under strace: succeed when it read the migrations folder
read_folder() {
	command -v strace >/dev/null || skip "no strace"
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -qq -e trace=getdents64 -o trace.out "$STRATA_BIN" -d "$TEST_URL" -m migrations "$@" >out.trace 2>&1
	grep -q getdents64 trace.out
}

t_unchanged_folder_is_not_read_again() {
	setup_cache
	st status
	f=$(find cache/strata -type f -name 'd-*')
	[ -n "$f" ] || fail "no listing cache under \$XDG_CACHE_HOME/strata"
	expect_eq 600 "$(stat -c %a "$f")" "cache file mode"
	read_folder status && fail "status read the unchanged folder"
	read_folder up && fail "up read the unchanged folder"
	st status
	expect_out "0002     b     applied"
}

# Every change of the folder's entries is seen at once: a new file, one
# removed, one renamed, and two added within the same second.
t_folder_changes_are_seen() {
	setup_cache
	st status
	fs_tick_past migrations
	mig 0003 c "CREATE TABLE c (id INTEGER PRIMARY KEY);" "DROP TABLE c;"
	st status
	expect_out "0003     c     pending"
	fs_tick_past migrations
	rm migrations/0003_c.down.sql
	st status
	expect_out "irreversible"
	fs_tick_past migrations
	mv migrations/0003_c.up.sql migrations/0004_c.up.sql
	st status
	expect_out "0004     c     pending"
	refute_out "0003"
	# two files one after the other, the first seen by a status in between
	fs_tick_past migrations
	mig 0005 e "CREATE TABLE e (id INTEGER PRIMARY KEY);" "DROP TABLE e;"
	st status
	expect_out "0005     e     pending"
	fs_tick_past migrations
	mig 0006 f "CREATE TABLE f (id INTEGER PRIMARY KEY);" "DROP TABLE f;"
	st status
	expect_out "0006     f     pending"
	st up
	expect_rc 0
	expect_history "1 2 4 5 6"
}

t_corrupt_listing_cache_is_harmless() {
	setup_cache
	st status
	f=$(find cache/strata -type f -name 'd-*')
	for junk in "" "strata-dircache 2\n" "strata-dircache 2\ngarbage\n\n" "$(head -c 3000 /dev/urandom | tr -d '\0')"; do
		printf '%s' "$junk" >"$f"
		st status
		expect_rc 0
		expect_out "0001     a     applied"
		expect_out "0002     b     applied"
	done
}

# Files and a folder changed less than the racy window ago are not kept:
# a later change could leave them the same times. (The window is an hour
# here, so that "recent" does not depend on the machine's speed.)
t_recent_files_are_not_cached() {
	setup_cache
	rm -rf cache
	cache_never_recent
	st status
	expect_rc 0
	expect_out "0002     b     applied"
	[ -z "$(find cache -type f -name 'f-*' -size +0 -exec grep -l '0001_a' {} + 2>/dev/null)" ] ||
		fail "a checksum of a recent file was kept"
	[ -z "$(find cache -type f -name 'd-*' 2>/dev/null)" ] || fail "the listing of a recent folder was kept"
	read_folder status || fail "status did not read the recent folder"
}
