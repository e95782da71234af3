# shellcheck shell=bash
# restore, against every database: only strata's own backups (or another
# file when the user says so, after seeing what it is), never a file with
# commands the client tool would run itself (psql's \!, the mysql
# client's system), confirmed as fresh is, and a backup first.

# shellcheck source=tests/lib/restore-lib.sh
. "$STRATA_SRC_ROOT/tests/lib/restore-lib.sh"

# Backups on disk, whatever their names (they hold the time).
backup_files() {
	[ -d backups ] || return 0
	find backups -type f ! -name '*.partial' | sort
}

# A file that is not strata's backup: SQL for the servers, a database
# file for SQLite. Prints its name.
other_file() {
	db_foreign_file
}

t_backup_restores_after_confirmation_and_a_backup() {
	seed
	st backup
	expect_rc 0
	f=$out
	db_sql "DELETE FROM notes WHERE id = 1"
	db_sql "INSERT INTO notes (id, body) VALUES (3, 'after the backup')"
	# no terminal and no --yes-replace-data: nothing happens
	st restore "$f" </dev/null
	expect_rc 2
	expect_err "REPLACE DATA"
	expect_err "--yes-replace-data"
	expect_eq "2 3" "$(note_ids)" "rows after a refused restore"
	expect_eq 1 "$(backup_files | wc -l)" "backups after a refused restore"
	st restore "$f" --yes-replace-data </dev/null
	expect_rc 0
	expect_err "backup written to backups/"
	expect_err "restored $f"
	expect_eq "1 2" "$(note_ids)" "rows after the restore"
	expect_eq 1 "$(db_sql "SELECT count(*) FROM notes WHERE id = 2 AND body = $(literal "\\! touch $PWD/pwned")")" \
		"data with a backslash"
	[ ! -e pwned ] || fail "a shell command ran"
	expect_history "1 2"
	# the backup written first holds the database as it was
	expect_eq 2 "$(backup_files | wc -l)" "backups after the restore"
	pre=$(backup_files | grep -v -x -F "$f")
	[ -n "$pre" ] || fail "no backup of its own: $(backup_files)"
	db_backup_text "$pre" | grep -q "after the backup" ||
		fail "the first backup lacks the newer row: $(db_backup_text "$pre")"
	# which restores in turn; --no-backup writes none
	st restore "$pre" --yes-replace-data --no-backup </dev/null
	expect_rc 0
	refute_err "backup written"
	expect_eq "2 3" "$(note_ids)" "rows after restoring the first backup"
	expect_eq 2 "$(backup_files | wc -l)" "backups after --no-backup"
}

# Files with the commands each client runs itself, each made to look
# like a strata backup: refused at their line, nothing run, nothing
# changed, no backup written; --any-file and --yes-replace-data do not
# change that.
t_client_commands_are_refused_and_never_run() {
	seed
	head=$(db_backup_head)
	mapfile -t cmds < <(db_client_escapes "$PWD/pwned")
	for cmd in "${cmds[@]}"; do
		if [ -n "$head" ]; then
			printf '%s\nDELETE FROM notes;\n%s\nSELECT 2;\n' "$head" "$cmd" >evil.sql
			where="evil.sql:3:"
		else
			printf 'DELETE FROM notes;\n%s\n' "$cmd" >evil.sql
			where="evil.sql:"
		fi
		st restore evil.sql </dev/null
		expect_rc 2
		expect_err "$where"
		expect_err "not restored"
		[ ! -e pwned ] || fail "the client ran: $cmd"
		expect_eq "1 2" "$(note_ids)" "rows after refusing: $cmd"
		st restore evil.sql --any-file --yes-replace-data </dev/null
		expect_rc 2
		expect_err "$where"
		[ ! -e pwned ] || fail "the client ran: $cmd"
		expect_eq "1 2" "$(note_ids)" "rows after refusing: $cmd"
	done
	expect_err "$(db_client_escape_refusal)"
	expect_tables "notes"
	expect_history "1 2"
	expect_eq 0 "$(backup_files | wc -l)" "backups of refused restores"
}

t_other_file_refused_without_a_terminal_unless_any_file() {
	seed
	file=$(other_file)
	st restore "$file" </dev/null
	expect_rc 2
	expect_err "$file is not a strata backup"
	expect_err "bytes"
	expect_err "--any-file"
	expect_tables "notes"
	st restore "$file" --yes-replace-data </dev/null
	expect_rc 2
	expect_err "--any-file"
	st restore "$file" --any-file </dev/null
	expect_rc 2
	expect_err "--yes-replace-data"
	expect_tables "notes"
	expect_eq 0 "$(backup_files | wc -l)" "backups of refused restores"
	if db_backups_are_sql; then
		# the dump tool's own output, without strata's first line
		st backup
		expect_rc 0
		sed 1d "$out" >plain.sql
		rm -r backups
		st restore plain.sql --yes-replace-data </dev/null
		expect_rc 2
		expect_err "dump"
		expect_err "that strata's backup did not write"
	fi
	st restore "$file" --any-file --yes-replace-data </dev/null
	expect_rc 0
	expect_eq 7 "$(db_sql "SELECT id FROM intruder")" "the other file's row"
	# SQL adds to the database; a database file replaces it
	if db_backups_are_sql; then
		expect_tables "intruder notes"
	else
		expect_tables "intruder"
	fi
	expect_eq 1 "$(backup_files | wc -l)" "the backup written first"
}

t_terminal_shows_the_file_and_asks() {
	command -v script >/dev/null || skip "no script(1) for a terminal"
	seed
	file=$(other_file)
	run="\"$STRATA_BIN\" -d '$TEST_URL' -m migrations restore $file --no-backup"
	# a wrong answer changes nothing
	printf 'replace data\n' | script -qec "$run" /dev/null >tty.out 2>&1
	grep -q "$file is not a strata backup" tty.out || fail "not shown: $(cat tty.out)"
	grep -q "bytes" tty.out || fail "no size: $(cat tty.out)"
	if db_backups_are_sql; then
		grep -q "| CREATE TABLE intruder" tty.out || fail "no first lines: $(cat tty.out)"
	fi
	grep -q "Type REPLACE DATA" tty.out || fail "no prompt: $(cat tty.out)"
	grep -q "not confirmed" tty.out || fail "wrong answer accepted: $(cat tty.out)"
	expect_tables "notes"
	printf 'REPLACE DATA\n' | script -qec "$run" /dev/null >tty.out 2>&1
	grep -q "restored $file" tty.out || fail "not restored: $(cat tty.out)"
	expect_eq 7 "$(db_sql "SELECT id FROM intruder")" "the other file's row"
}
