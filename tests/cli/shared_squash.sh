# shellcheck shell=bash
# shellcheck disable=SC2154 # st sets rc, out, err
# strata squash --to V, against every database: the migrations up to V
# become one squash file holding the schema they make (no history table,
# no log, no rows); a database where they ran runs nothing again, says
# it is up to date and records the squash; an empty database migrated
# from the squashed folder has the same schema as one migrated from the
# original; --dry-run and every refused input leave files and database
# as they were.

# Four migrations: a table with an index, a view, a column added, and a
# later table squash --to 3 leaves alone.
folder() {
	mig 1 users "CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(100) NOT NULL);
CREATE INDEX users_email ON users (email);" "DROP TABLE users;"
	mig 2 names "CREATE VIEW user_emails AS SELECT email FROM users;"
	mig 3 users_n "ALTER TABLE users ADD COLUMN n INT DEFAULT 1;"
	mig 4 notes "CREATE TABLE notes (id INT PRIMARY KEY, user_id INT REFERENCES users (id));"
}

# The folder's files with their checksums: equal text, equal folder.
folder_state() {
	find migrations -type f | sort | xargs sha256sum
}

# A database's schema as strata dump writes it, without the history rows.
schema_of() {
	st --database "$1" dump
	[ "$rc" = 0 ] || fail "dump of $1 failed: $err"
	printf '%s\n' "$out" | sed '/^-- strata history/,$d'
}

# status on $1 (or the test's database): every migration applied
expect_all_applied() {
	if [ -n "${1:-}" ]; then st --database "$1" status; else st status; fi
	expect_rc 0
	expect_eq "applied" "$(printf '%s\n' "$out" | awk 'NR > 1 && $1 ~ /^[0-9]/ { print $3 }' | sort -u)" "the states in status"
}

expect_line() {
	printf '%s\n' "$out" | grep -qxF -- "$1" || fail "no line '$1' in the output"
}

t_squash_file_holds_the_schema_and_replaces_the_files() {
	folder
	st up
	expect_rc 0
	st squash --to 3
	expect_rc 0
	expect_line "wrote migrations/3_squashed.up.sql"
	expect_line "removed migrations/1_users.up.sql"
	expect_line "removed migrations/1_users.down.sql"
	expect_err "3 migrations squashed into migrations/3_squashed.up.sql"
	expect_eq "migrations/3_squashed.up.sql
migrations/4_notes.up.sql" "$(find migrations -type f | sort)" "files after the squash"
	text=$(cat migrations/3_squashed.up.sql)
	for v in 1 2 3; do
		printf '%s\n' "$text" | grep -q "^-- strata:squash $v [0-9a-f]\{64\} " ||
			fail "no squash line for $v"
	done
	case $text in *users_email*) ;; *) fail "no index in the squash file" ;; esac
	case $text in *user_emails*) ;; *) fail "no view in the squash file" ;; esac
	# strata's own tables and rows are not the schema
	case $text in *"$TEST_TABLE"*) fail "the history table is in the squash file" ;; esac
	case $text in *_log*) fail "the history log is in the squash file" ;; esac
	case $text in *"INSERT INTO"*) fail "rows in the squash file" ;; esac
	# nor the notes table of migration 4
	case $text in *notes*) fail "a later migration's table in the squash file" ;; esac
}

t_migrated_database_runs_nothing_and_records_the_squash() {
	folder
	st up
	before=$(db_history_text)
	st squash --to 3
	expect_rc 0
	# as it was: every migration applied, nothing pending or missing
	expect_all_applied
	st validate
	expect_rc 0
	expect_eq "$before" "$(db_history_text)" "history before the next up"
	st up
	expect_rc 0
	expect_err "recorded the squash of migrations/3_squashed.up.sql (3 migrations replaced)"
	expect_err "nothing to apply"
	# the row of 3 is now the squash file's; 1 and 2 stay in the history
	expect_eq "3_squashed.up.sql" "$(db_sql "SELECT file FROM $TEST_TABLE WHERE version = '3'")" "file of row 3"
	expect_history "1 2 3 4"
	expect_eq 1 "$(db_sql "SELECT count(*) FROM ${TEST_TABLE}_log WHERE action = 'squash' AND version = '3'")" "squash rows in the log"
	expect_eq "replaces 1, 2, 3" "$(db_sql "SELECT detail FROM ${TEST_TABLE}_log WHERE action = 'squash'" | sed 's/ (.*//')" "the squash's log detail"
	# recorded once
	st up
	expect_rc 0
	refute_err "recorded the squash"
	st status
	expect_rc 0
	refute_out "applied as"
}

t_empty_database_from_the_squashed_folder_has_the_same_schema() {
	folder
	st up
	expect_rc 0
	want=$(schema_of "$TEST_URL")
	st squash --to 3
	expect_rc 0
	second=$(db_second) || fail "no second database"
	st --database "$second" up
	expect_rc 0
	expect_out "3_squashed"
	expect_out "4_notes"
	got=$(schema_of "$second")
	[ "$want" = "$got" ] ||
		fail "schemas differ: $(diff <(printf '%s\n' "$want") <(printf '%s\n' "$got"))"
	expect_all_applied "$second"
}

t_dry_run_changes_nothing() {
	folder
	st up
	files=$(folder_state)
	hist=$(db_history_text)
	st squash --to 2 --dry-run
	expect_rc 0
	expect_line "would write migrations/2_squashed.up.sql"
	expect_line "would remove migrations/1_users.up.sql"
	expect_line "would remove migrations/2_names.up.sql"
	expect_err "dry run: nothing was changed"
	expect_eq "$files" "$(folder_state)" "the folder after a dry run"
	expect_eq "$hist" "$(db_history_text)" "the history after a dry run"
	st --json squash --to 2 --dry-run
	expect_rc 0
	printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["ok"] and d["dry_run"] is True, d
assert d["file"] == "migrations/2_squashed.up.sql", d
assert d["version"] == "2" and d["replaced"] == ["1", "2"], d
assert d["files"] == ["migrations/1_users.up.sql", "migrations/1_users.down.sql", "migrations/2_names.up.sql"], d
assert d["kept_in"] is None and d["data_files"] == [], d
assert "-- strata:squash 1 " in d["sql"], d
' || fail "JSON of a dry run"
	printf '%s\n' "$out" | python3 "$STRATA_SRC_ROOT/tests/lib/json_check.py" \
		"$STRATA_SRC_ROOT/docs/JSON.md" --command squash --lines 1 ||
		fail "the JSON of squash is not as docs/JSON.md describes it"
	expect_eq "$files" "$(folder_state)" "the folder after a JSON dry run"
}

# Each refusal: a message naming what is wrong, its exit code, and the
# folder and the database as they were.
expect_refused() { # rc message
	expect_rc "$1"
	expect_err "$2"
	expect_eq "$files" "$(folder_state)" "the folder after a refused squash"
	expect_eq "$hist" "$(db_history_text)" "the history after a refused squash"
}

t_bad_versions_are_refused() {
	folder
	st up
	files=$(folder_state) hist=$(db_history_text)
	st squash --to 9
	expect_refused 2 "squash --to 9: no migration of migrations has that version"
	st squash --to x1
	expect_refused 2 "--to"
	st squash
	expect_refused 2 "--to V"
}

t_pending_migration_is_refused() {
	folder
	st up --to 1
	files=$(folder_state) hist=$(db_history_text)
	st squash --to 3
	expect_refused 3 "squash: migrations/2_names.up.sql is pending on this database"
	expect_err "strata up --to 3"
}

t_changed_file_is_refused() {
	folder
	st up
	printf '%s\n' "-- edited" >>migrations/2_names.up.sql
	files=$(folder_state) hist=$(db_history_text)
	st squash --to 3
	expect_refused 3 "squash: migrations/2_names.up.sql was changed after it was applied"
}

t_gap_in_the_folder_is_refused() {
	folder
	st up
	rm migrations/2_names.up.sql
	files=$(folder_state) hist=$(db_history_text)
	st squash --to 3
	expect_refused 3 "squash: migration 2 (names) is applied but its file is gone: the folder has a gap below 3"
}

t_data_statements_are_refused_without_force() {
	folder
	mig 2 names "CREATE VIEW user_emails AS SELECT email FROM users;
INSERT INTO users (id, email) VALUES (1, 'a@b');"
	st up
	files=$(folder_state) hist=$(db_history_text)
	st squash --to 3
	expect_refused 2 "1 replaced file holds data statements (INSERT, UPDATE, DELETE ...) that a schema dump does not keep: migrations/2_names.up.sql"
	expect_err "--force"
	st squash --to 3 --force
	expect_rc 0
	expect_err "warning: migrations/2_names.up.sql holds data statements"
	[ -f migrations/3_squashed.up.sql ] || fail "no squash file with --force"
}

t_keep_moves_the_replaced_files() {
	folder
	st up
	files=$(folder_state) hist=$(db_history_text)
	st squash --to 2 --keep migrations/old
	expect_refused 2 "squash --keep migrations/old: the folder is inside the migrations folder"
	mkdir squashed
	printf '%s\n' "-- another" >squashed/2_names.up.sql
	st squash --to 2 --keep squashed
	expect_refused 2 "squash --keep: squashed/2_names.up.sql exists already"
	rm squashed/2_names.up.sql
	st squash --to 2 --keep squashed
	expect_rc 0
	expect_line "moved migrations/1_users.up.sql -> squashed/1_users.up.sql"
	expect_eq "squashed/1_users.down.sql
squashed/1_users.up.sql
squashed/2_names.up.sql" "$(find squashed -type f | sort)" "kept files"
	# kept files are what they were
	expect_eq "$(printf '%s\n' "$files" | grep -c ' migrations/[12]_')" \
		"$(cd squashed && sha256sum ./* | wc -l)" "number of kept files"
}

t_name_taken_is_refused() {
	folder
	st up
	printf '%s\n' "-- not a migration" >migrations/2_squashed.up.sql
	files=$(folder_state) hist=$(db_history_text)
	# the file is a second migration of version 2: the folder says so
	st squash --to 2
	expect_refused 2 "migrations/2_squashed.up.sql: error: version 2 is also used by migrations/2_names.up.sql"
}

t_partly_migrated_database_is_told_what_to_do() {
	folder
	st up
	second=$(db_second) || fail "no second database"
	st --database "$second" up --to 1
	expect_rc 0
	st squash --to 3
	expect_rc 0
	st --database "$second" up
	expect_rc 3
	expect_err "migrations/3_squashed.up.sql replaces migrations this database has only partly applied (1 'users' is, 3 is not)"
	expect_eq "1" "$(db_sql_on second "SELECT version FROM $TEST_TABLE WHERE dirty = 0")" "the second database's history"
}

t_down_past_the_squash_is_refused() {
	folder
	rm migrations/4_notes.up.sql
	st up
	st squash --to 3
	expect_rc 0
	st down --no-backup
	expect_rc 3
	expect_err "migrations/3_squashed.up.sql is a squash file without a down part: the 3 migrations it replaced cannot be rolled back"
	st down --to 1 --no-backup
	expect_rc 3
	expect_err "--to 1: that migration is squashed into migrations/3_squashed.up.sql"
	expect_history "1 2 3"
}

t_a_squash_file_can_be_squashed_again() {
	folder
	st up
	st squash --to 2
	expect_rc 0
	st squash --to 3
	expect_rc 0
	expect_eq "migrations/3_squashed.up.sql
migrations/4_notes.up.sql" "$(find migrations -type f | sort)" "files after two squashes"
	expect_all_applied
	st up
	expect_rc 0
	expect_err "recorded the squash of migrations/3_squashed.up.sql"
	second=$(db_second) || fail "no second database"
	st --database "$second" up
	expect_rc 0
	[ "$(schema_of "$TEST_URL")" = "$(schema_of "$second")" ] || fail "schemas differ after two squashes"
}
