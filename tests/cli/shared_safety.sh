# shellcheck shell=bash
# Safety and recovery, against every database: offline plans run by the
# native client, baseline, repair --prune, dry runs of redo.

four() {
	mig 0001 create_users "CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(100) NOT NULL);" \
		"DROP TABLE users;"
	mig 0002 create_days "CREATE TABLE days (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, day VARCHAR(10));
CREATE INDEX days_user ON days (user_id);" "DROP TABLE days;"
	mig 0003 seed "INSERT INTO users (id, email) VALUES (1, 'a@example.org');
INSERT INTO users (id, email) VALUES (2, 'it''s@example.org');" "DELETE FROM users;"
	mig 0004 create_moods "CREATE TABLE moods (id INTEGER PRIMARY KEY, mood VARCHAR(20));" "DROP TABLE moods;"
}

t_plan_script_run_by_native_client_equals_up() {
	four
	st plan
	expect_rc 0
	expect_out "-- strata plan: 4 migrations to apply"
	printf '%s\n' "$out" >release.sql
	expect_tables ""
	db_run_script release.sql || fail "the native client rejected the script"
	second=$(db_second) || fail "no second database"
	st_raw -d "$second" -m migrations up
	expect_rc 0
	expect_eq "$(db_schema second)" "$(db_schema)" "schema of plan vs up"
	expect_eq "$(db_history_text second)" "$(db_history_text)" "history of plan vs up"
	expect_eq 2 "$(db_sql "SELECT count(*) FROM users")" "seeded rows"
	st status
	expect_rc 0
	expect_out "4 applied, 0 pending"
	refute_out "modified"
	st up
	expect_err "nothing to apply"
}

t_plan_partial_down_and_offline() {
	four
	st up 2
	st plan --to 3
	expect_rc 0
	expect_out "-- strata plan: 1 migration to apply"
	expect_out "0003_seed.up.sql"
	refute_out "CREATE TABLE IF NOT EXISTS"
	st plan --down
	expect_rc 0
	expect_out "DROP TABLE days"
	expect_out "DELETE FROM"
	printf '%s\n' "$out" >down.sql
	db_run_script down.sql || fail "down script rejected"
	expect_history "1"
	expect_tables "users"
	st plan --offline
	expect_rc 0
	expect_out "-- strata plan: 4 migrations to apply"
	expect_out "nothing assumed applied"
	expect_history "1"
}

t_baseline_marks_an_existing_database() {
	four
	db_sql "CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(100) NOT NULL)"
	db_sql "CREATE TABLE days (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, day VARCHAR(10))"
	st baseline 2
	expect_rc 0
	expect_err "2 migrations recorded"
	expect_history "1 2"
	expect_eq "baseline baseline" "$(db_sql "SELECT kind FROM schema_migrations ORDER BY version_sort" | tr '\n' ' ' | sed 's/ $//')"
	st up
	expect_rc 0
	expect_history "1 2 3 4"
	st stamp 1
	expect_rc 3
	expect_err "already has a history"
}

t_repair_prune_forgets_missing_files() {
	four
	st up
	rm migrations/0004_create_moods.*
	st up
	expect_rc 3
	expect_err "recorded as applied but its file is gone"
	expect_err "strata repair --prune"
	st repair --prune
	expect_rc 0
	expect_err "forgetting migration 4 (create_moods)"
	expect_history "1 2 3"
	st validate
	expect_rc 0
}

t_redo_dry_run_changes_nothing() {
	four
	st up
	st redo --dry-run
	expect_rc 0
	expect_out "-- roll back 0004_create_moods.down.sql"
	expect_out "-- apply 0004_create_moods.up.sql"
	expect_history "1 2 3 4"
}

t_backup_list_and_restore() {
	four
	st up
	st backup --suffix before_change
	expect_rc 0
	f=$out
	case "$f" in backups/[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]/*-[0-9][0-9][0-9][0-9][0-9][0-9]-before_change.*) ;;
	*) fail "backup path: $f" ;; esac
	[ -s "$f" ] || fail "empty backup"
	expect_eq 600 "$(stat -c %a "$f")" "file mode"
	expect_eq 700 "$(stat -c %a "$(dirname "$f")")" "folder mode"
	expect_eq 700 "$(stat -c %a backups)" "backups mode"
	st backup --list
	expect_out "$f"
	db_sql "DELETE FROM users"
	st down --all --no-backup
	expect_tables ""
	st restore "$f" --yes-replace-data
	expect_rc 0
	expect_eq 2 "$(db_sql "SELECT count(*) FROM users")" "rows after restore"
	expect_history "1 2 3 4"
	st status
	expect_out "4 applied, 0 pending"
	st backup --suffix 'bad/name'
	expect_rc 2
}

t_down_takes_a_backup_first() {
	four
	st up
	st down
	expect_rc 0
	expect_err "backup written to backups/"
	[ "$(find backups -type f | wc -l)" = 1 ] || fail "expected one backup"
	st down --no-backup
	expect_rc 0
	refute_err "backup written"
	[ "$(find backups -type f | wc -l)" = 1 ] || fail "--no-backup wrote one"
}

# backups: how many backup files there are
backups() {
	find backups -type f 2>/dev/null | wc -l
}

# backup = off in strata.conf: no automatic backup before down, redo or
# fresh (said in a note); an explicit backup still writes one.
t_backup_off_in_strata_conf() {
	four
	printf '[strata]\nbackup = off\n' >strata.conf
	st up
	expect_rc 0
	st down
	expect_rc 0
	refute_err "backup written"
	expect_err "no backup first: backup = off (strata.conf:2)"
	expect_eq 0 "$(backups)" "backups after down"
	st redo
	expect_rc 0
	expect_eq 0 "$(backups)" "backups after redo"
	st fresh --yes-delete-all-data
	expect_rc 0
	expect_eq 0 "$(backups)" "backups after fresh"
	expect_history "1 2 3 4"
	st backup
	expect_rc 0
	expect_eq 1 "$(backups)" "an explicit backup"
	printf '[strata]\nbackup = on\n' >strata.conf
	st down
	expect_rc 0
	expect_err "backup written to backups/"
	expect_eq 2 "$(backups)" "backups with backup = on"
	# a value strata does not know: nothing runs
	printf '[strata]\nbackup = maybe\n' >strata.conf
	st down
	expect_rc 2
	expect_err "strata.conf:2: error: backup = 'maybe': expected on or off"
	expect_history "1 2 3"
	expect_eq 2 "$(backups)" "backups after the refused down"
}

# A target's backup setting wins over [strata]'s: backups for one target
# only.
t_backup_setting_per_target() {
	four
	cat >strata.conf <<CONF
[strata]
backup = off

[target "app"]
type = $STRATA_TEST_DB
url = \${TEST_URL}
dir = migrations
backup = on

[target "side"]
type = sqlite
url = sqlite:side.db
dir = migrations
CONF
	st_raw up
	expect_rc 0
	st_raw --target side config
	expect_out "backup       off (from strata.conf:2)"
	st_raw --target app config
	expect_out "backup       on"
	st_raw --target side down
	expect_rc 0
	expect_err "no backup first: backup = off (strata.conf:2)"
	expect_eq 0 "$(backups)" "backups of side"
	st_raw --target app down
	expect_rc 0
	expect_err "backup written to backups/"
	expect_eq 1 "$(backups)" "backups of app"
	expect_history "1 2 3"
	sed -i 's/^backup = on$/backup = off/' strata.conf
	st_raw --target app down
	expect_rc 0
	expect_err "no backup first: backup = off (strata.conf:8)"
	expect_eq 1 "$(backups)" "backups of app with backup = off"
	expect_history "1 2"
}

t_backups_folder_symlink_refused() {
	four
	st up
	mkdir elsewhere
	ln -s elsewhere backups
	st backup
	expect_rc 2
	expect_err "not a folder"
	[ -z "$(ls elsewhere)" ] || fail "wrote through the link"
	st down
	expect_rc 2
	expect_history "1 2 3 4"
}

t_fresh_asks_then_drops_and_reapplies() {
	four
	st up
	db_sql "CREATE TABLE scratch (id INTEGER PRIMARY KEY)"
	db_sql "INSERT INTO users (id, email) VALUES (3, 'x@example.org')"
	st fresh </dev/null
	expect_rc 2
	expect_err "DELETE ALL DATA"
	expect_err "--yes-delete-all-data"
	expect_tables "days moods scratch users"
	st fresh --dry-run
	expect_rc 0
	expect_out "DROP TABLE IF EXISTS"
	expect_out "scratch"
	expect_tables "days moods scratch users"
	st fresh --yes-delete-all-data
	expect_rc 0
	expect_err "backup written to backups/"
	expect_tables "days moods users"
	expect_eq 2 "$(db_sql "SELECT count(*) FROM users")" "rows after fresh (the seed only)"
	expect_history "1 2 3 4"
}

t_fresh_checks_files_before_dropping() {
	four
	st up
	printf 'INSERT INTO users VALUES (\047unterminated);\n' >migrations/0005_broken.up.sql
	st fresh --yes-delete-all-data
	expect_rc 2
	expect_err "0005_broken.up.sql"
	expect_tables "days moods users"
	expect_history "1 2 3 4"
}

t_fresh_typed_confirmation_on_a_terminal() {
	command -v script >/dev/null || skip "no script(1) for a terminal"
	four
	st up
	db_sql "INSERT INTO users (id, email) VALUES (3, 'x@example.org')"
	# a wrong answer changes nothing
	printf 'delete all data\n' | script -qec "\"$STRATA_BIN\" -d '$TEST_URL' -m migrations fresh --no-backup" /dev/null >tty.out 2>&1
	grep -q "Type DELETE ALL DATA" tty.out || fail "no prompt: $(cat tty.out)"
	grep -q "not confirmed" tty.out || fail "wrong answer accepted: $(cat tty.out)"
	expect_eq 3 "$(db_sql "SELECT count(*) FROM users")" "rows after a refused fresh"
	printf 'DELETE ALL DATA\n' | script -qec "\"$STRATA_BIN\" -d '$TEST_URL' -m migrations fresh --no-backup" /dev/null >tty.out 2>&1
	grep -q "everything dropped" tty.out || fail "not run: $(cat tty.out)"
	expect_eq 2 "$(db_sql "SELECT count(*) FROM users")" "rows after fresh"
}

t_repeatable_suffix_files() {
	four
	echo "CREATE VIEW user_emails AS SELECT email FROM users;" >migrations/user_emails.repeatable.sql
	st up
	expect_rc 0
	expect_eq 2 "$(db_sql "SELECT count(*) FROM user_emails")" "view rows"
	st status
	expect_out "repeatable"
}
