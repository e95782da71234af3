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
	expect_eq "baseline baseline" "$(db_sql "SELECT kind FROM schema_migrations ORDER BY version" | tr '\n' ' ' | sed 's/ $//')"
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
	expect_rc 0
	expect_err "recorded as applied but its file is gone"
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
