# shellcheck shell=bash
# shellcheck disable=SC2154 # st and tp_start set rc, out, err and pid
# SQLite backups (a copy of the database file, written by strata with
# SQLite's backup API) under faults and hostile file systems: disk full and
# I/O errors injected with strace while the copy is written, a backup
# killed halfway, `down` refused when its backup fails, and the backup's
# modes (0600 files in 0700 folders), never written through a symbolic
# link. The servers' backups (pg_dump, mysqldump): srv_faults.sh.

. "$(dirname "${BASH_SOURCE[0]}")/../lib/rel-lib.sh"

# A backup that cannot be written fails clearly and leaves no partial file.
t_faults_writing_a_backup() {
	rel_need_strace
	rel_migrations 2
	st -q up
	before=$(rel_snapshot)
	for spec in pwrite64:error=ENOSPC:when=1 pwrite64:error=ENOSPC:when=3 \
		fdatasync:error=EIO:when=1+; do
		rm -rf backups
		rel_strace_all "$spec" backup
		rel_no_crash
		[ "$rc" != 0 ] || fail "$spec: the backup reported success"
		expect_err "backup"
		expect_eq "" "$(find backups -type f 2>/dev/null)" "$spec: files left behind"
		expect_eq "$before" "$(rel_snapshot)" "$spec: database after the failed backup"
	done
}

# A backup killed halfway (SIGKILL while it syncs) leaves only a
# NAME.partial file: nothing that `backup --list` or a user would take for
# a backup. The next backup is whole and listed.
t_backup_killed_halfway_leaves_no_backup() {
	rel_need_strace
	rel_migrations 2
	st -q up
	rel_strace_all fsync:signal=KILL:when=1 backup
	[ "$rc" = 137 ] || fail "the backup was not killed in its fsync (exit $rc): $err"
	f=$(find backups -type f)
	case "$f" in
	*.db.partial) ;;
	*) fail "after the kill: '$f' (want one NAME.db.partial)" ;;
	esac
	st backup --list
	expect_rc 0
	refute_out "partial"
	refute_out ".db"
	st backup
	expect_rc 0
	st backup --list
	expect_out ".db"
	refute_out "partial"
	expect_eq 1 "$(find backups -type f -name '*.db' | wc -l)" "whole backups"
}

# `down` backs up first; when the backup fails, nothing is rolled back.
t_down_refused_when_its_backup_fails() {
	rel_need_strace
	rel_migrations 2
	st -q up
	before=$(rel_snapshot)
	rel_strace_all pwrite64:error=ENOSPC:when=1+ down
	rel_no_crash
	[ "$rc" != 0 ] || fail "down went on without its backup"
	expect_err "backup"
	expect_eq "$before" "$(rel_snapshot)" "database after the refused down"
	st -q down
	expect_rc 0
	expect_history "1"
}

t_backup_modes_and_symlinks() {
	mig 0001 a "CREATE TABLE a (id INTEGER);" "DROP TABLE a;"
	st -q up
	st backup
	expect_rc 0
	f=$(find backups -type f | head -1)
	[ -n "$f" ] || fail "no backup file: $out $err"
	expect_eq 600 "$(stat -c %a "$f")" "mode of $f"
	expect_eq 700 "$(stat -c %a backups)" "mode of backups/"
	expect_eq 700 "$(stat -c %a "$(dirname "$f")")" "mode of $(dirname "$f")"
	day=$(basename "$(dirname "$f")")
	# a symbolic link planted at backups/ or at the day's folder
	mkdir elsewhere
	rm -rf backups
	ln -s elsewhere backups
	st backup
	rel_no_crash
	expect_rc 2
	expect_err "symbolic link"
	expect_eq "" "$(ls elsewhere)" "files written through the link"
	rm backups
	mkdir -m 700 backups
	ln -s ../elsewhere "backups/$day"
	st backup
	expect_rc 2
	expect_eq "" "$(ls elsewhere)" "files written through the link"
}
