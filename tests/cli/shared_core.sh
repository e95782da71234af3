# shellcheck shell=bash
# The core workflows, run against every database (sqlite, postgres, mysql).
# Each test asserts the database's tables and history, exit codes and
# messages.

three() {
	mig 0001 create_users "CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(100) NOT NULL);" \
		"DROP TABLE users;"
	mig 0002 create_days "CREATE TABLE days (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, day VARCHAR(10));
CREATE INDEX days_user ON days (user_id);" "DROP TABLE days;"
	mig 0003 create_moods "CREATE TABLE moods (id INTEGER PRIMARY KEY, day_id INTEGER, mood VARCHAR(20));" \
		"DROP TABLE moods;"
}

t_up_applies_everything_in_order() {
	three
	st up
	expect_rc 0
	expect_out "applied     0001_create_users"
	expect_out "applied     0003_create_moods"
	expect_tables "days moods users"
	expect_history "1 2 3"
	expect_eq "create_users|versioned|0001_create_users.up.sql|sha256|0" \
		"$(db_sql "SELECT name, kind, file, checksum_algorithm, dirty FROM schema_migrations WHERE version = '1'")"
}

t_up_twice_is_a_no_op() {
	three
	st up
	st up
	expect_rc 0
	expect_err "nothing to apply"
	expect_history "1 2 3"
}

t_up_n_and_to() {
	three
	st up 1
	expect_rc 0
	expect_history "1"
	st up --to 2
	expect_rc 0
	expect_history "1 2"
	expect_tables "days users"
	st up --to 7
	expect_rc 2
	expect_err "no migration has that version"
}

t_down_one_n_to_all() {
	three
	st up
	st down
	expect_rc 0
	expect_out "rolled back 0003_create_moods"
	expect_history "1 2"
	expect_tables "days users"
	st up
	st down 2
	expect_history "1"
	st up
	st down --to 1
	expect_history "1"
	st down --all
	expect_rc 0
	expect_history ""
	expect_tables ""
	st down
	expect_rc 0
	expect_err "nothing to roll back"
}

t_redo_runs_down_then_up() {
	three
	st up
	db_sql "INSERT INTO moods (id, day_id, mood) VALUES (1, 1, 'calm')"
	st redo
	expect_rc 0
	expect_out "rolled back 0003_create_moods"
	expect_out "applied     0003_create_moods"
	expect_history "1 2 3"
	expect_eq 0 "$(db_sql "SELECT count(*) FROM moods")" "rows after redo"
}

t_status_shows_each_state() {
	three
	mig 0004 irreversible "CREATE TABLE logs (id INTEGER PRIMARY KEY);"
	st status
	expect_rc 0
	expect_out "pending"
	expect_out "irreversible"
	st up 2
	printf -- '-- edited\n' >>migrations/0001_create_users.up.sql
	st status
	expect_rc 0
	expect_out "0001     create_users  modified"
	expect_out "0002     create_days   applied"
	expect_out "0003     create_moods  pending"
	rm migrations/0002_create_days.up.sql migrations/0002_create_days.down.sql
	st status
	expect_out "missing"
}

t_status_json() {
	three
	st up 1
	st status --json
	expect_rc 0
	expect_eq "applied pending pending" "$(printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(" ".join(m["state"] for m in d["migrations"]))')"
	refute_out "password"
}

t_edited_applied_file_blocks_up_and_validate() {
	three
	st up 2
	printf -- '-- a later edit\n' >>migrations/0002_create_days.up.sql
	st validate
	expect_rc 3
	expect_err "0002_create_days.up.sql"
	expect_err "changed after it was applied"
	st up
	expect_rc 3
	expect_err "was changed after it was applied"
	expect_history "1 2"
	st repair
	expect_rc 0
	st up
	expect_rc 0
	expect_history "1 2 3"
}

t_crlf_checkout_is_not_modified() {
	three
	st up
	for f in migrations/*.sql; do
		sed -i 's/$/\r/' "$f"
		printf '\xef\xbb\xbf' | cat - "$f" >"$f.bom" && mv "$f.bom" "$f"
	done
	st status
	expect_rc 0
	refute_out "modified"
	st validate
	expect_rc 0
}

t_failing_migration_leaves_nothing_behind() {
	mig 0001 ok "CREATE TABLE a (id INTEGER PRIMARY KEY);" "DROP TABLE a;"
	mig 0002 broken "CREATE TABLE b (id INTEGER PRIMARY KEY);
INSERT INTO b (id) VALUES (1);
INSERT INTO no_such_table (id) VALUES (1);" "DROP TABLE b;"
	st up
	expect_rc 1
	expect_err "migrations/0002_broken.up.sql:3"
	expect_err "no_such_table"
	expect_out "applied     0001_ok"
	expect_history "1"
	if ! db_ddl_rolls_back; then
		# DDL commits by itself (MySQL): what ran stays, and the row says so
		expect_tables "a b"
		expect_err "statements 1 to 2 of 3"
		st status
		expect_out "stopped at statement 3"
		return
	fi
	expect_tables "a"
	st status
	expect_out "0002     broken  pending"
}

t_syntax_error_position() {
	mig 0001 typo "-- a comment
CREATE TABLE a (id INTEGER PRIMARY KEY);
CREATE TABEL b (id INTEGER);" "DROP TABLE a;"
	st up
	expect_rc 1
	expect_err "migrations/0001_typo.up.sql:3:"
	expect_err "CREATE TABEL b"
	# where DDL commits by itself (MySQL), the first statement's stays;
	# elsewhere everything rolls back
	if ! db_ddl_rolls_back; then
		expect_tables "a"
	else
		expect_tables ""
	fi
}

t_force_declares_a_version() {
	three
	st force 2
	expect_rc 0
	expect_history "1 2"
	expect_tables ""
	expect_eq "baseline" "$(db_sql "SELECT kind FROM schema_migrations WHERE version = '2'")"
	st force 0
	expect_rc 0
	expect_history ""
	st force 9
	expect_rc 2
	expect_err "no migration has version 9"
}

t_irreversible_down_refused_before_anything_runs() {
	mig 0001 a "CREATE TABLE a (id INTEGER PRIMARY KEY);" "DROP TABLE a;"
	mig 0002 b "CREATE TABLE b (id INTEGER PRIMARY KEY);"
	st up
	st down 2
	expect_rc 3
	expect_err "0002_b.up.sql is irreversible"
	expect_history "1 2"
	expect_tables "a b"
}

t_dry_run_changes_nothing() {
	three
	st up --dry-run
	expect_rc 0
	expect_out "CREATE TABLE IF NOT EXISTS"
	expect_out "CREATE TABLE users"
	expect_out "INSERT INTO"
	expect_tables ""
	db_created && fail "dry run created the database"
	db_has_table "$TEST_TABLE" && fail "dry run created the history table"
	st up 1
	st down --dry-run
	expect_rc 0
	expect_out "DROP TABLE users"
	expect_out "DELETE FROM"
	expect_history "1"
	expect_tables "users"
}

t_custom_table_name() {
	three
	st --table strata_log up
	expect_rc 0
	TEST_TABLE=strata_log expect_history "1 2 3"
	TEST_TABLE=strata_log
	expect_tables "days moods users"
}

t_foreign_history_table_is_never_written() {
	db_sql "CREATE TABLE schema_migrations (version BIGINT NOT NULL PRIMARY KEY, dirty BOOLEAN NOT NULL)"
	db_sql "INSERT INTO schema_migrations VALUES (3, false)"
	three
	st up
	expect_rc 3
	expect_err "golang-migrate"
	expect_err "--table"
	expect_eq "3" "$(db_sql "SELECT version FROM schema_migrations")"
	expect_tables ""
	st status
	expect_rc 3
}

t_out_of_order_is_refused_then_allowed() {
	mig 0001 a "CREATE TABLE a (id INTEGER PRIMARY KEY);" "DROP TABLE a;"
	mig 0003 c "CREATE TABLE c (id INTEGER PRIMARY KEY);" "DROP TABLE c;"
	st up
	mig 0002 b "CREATE TABLE b (id INTEGER PRIMARY KEY);" "DROP TABLE b;"
	st status
	expect_out "out-of-order"
	st up
	expect_rc 3
	expect_err "0002_b.up.sql is pending but older"
	expect_err "--allow-out-of-order"
	expect_tables "a c"
	st up --allow-out-of-order
	expect_rc 0
	expect_history "1 2 3"
}

t_history_lists_applied_rows() {
	three
	st up
	st history
	expect_rc 0
	expect_out "create_moods"
	st history --json
	expect_eq "3" "$(printf '%s' "$out" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["history"]))')"
}

t_validate_against_database() {
	three
	st validate
	expect_rc 0
	st up
	rm migrations/0003_create_moods.*
	st validate
	expect_rc 3
	expect_err "applied in the database but has no file"
	st validate --json
	expect_rc 3
	expect_eq "False" "$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["valid"])')"
}

t_dbmate_and_goose_files() {
	mkdir -p migrations
	cat >migrations/0001_dbmate_style.sql <<'SQL'
-- migrate:up
CREATE TABLE a (id INTEGER PRIMARY KEY);

-- migrate:down
DROP TABLE a;
SQL
	cat >migrations/0002_goose_style.sql <<'SQL'
-- +goose Up
CREATE TABLE b (id INTEGER PRIMARY KEY);
-- +goose Down
DROP TABLE b;
SQL
	st up
	expect_rc 0
	expect_tables "a b"
	st status
	expect_out "goose format"
	st down --all
	expect_rc 0
	expect_tables ""
}

t_unreachable_database_exit_5() {
	TEST_URL=$(db_unreachable_url)
	three
	st up
	expect_rc 5
	refute_err "S3cretPW"
	st validate
	expect_rc 0
	# a server that cannot be reached leaves the folder to check; a
	# database file that does not exist yet is a database with no history
	[ -z "$DB_SERVER" ] || expect_err "checked the folder only"
}

t_flyway_files_and_repeatables() {
	mkdir -p migrations
	echo "CREATE TABLE items (id INTEGER PRIMARY KEY, price INTEGER);" >migrations/V1__create_items.sql
	echo "DROP TABLE items;" >migrations/U1__create_items.sql
	echo "INSERT INTO items (id, price) VALUES (1, 10);" >migrations/V2__seed.sql
	echo "CREATE VIEW cheap AS SELECT id FROM items WHERE price < 20;" >migrations/R__cheap_view.sql
	st up
	expect_rc 0
	expect_out "cheap_view"
	expect_eq 1 "$(db_sql "SELECT count(*) FROM cheap")" "rows in the view"
	st up
	expect_rc 0
	expect_err "nothing to apply"
	# a changed repeatable is applied again, after the versioned ones
	printf 'DROP VIEW IF EXISTS cheap;\nCREATE VIEW cheap AS SELECT id FROM items WHERE price < 5;\n' >migrations/R__cheap_view.sql
	echo "INSERT INTO items (id, price) VALUES (2, 3);" >migrations/V3__more.sql
	st status
	expect_out "cheap_view"
	st up
	expect_rc 0
	expect_eq 1 "$(db_sql "SELECT count(*) FROM cheap")" "rows in the changed view"
	expect_eq 1 "$(db_sql "SELECT count(*) FROM schema_migrations WHERE kind = 'repeatable'")" "repeatable rows"
	expect_history "R 1 2 3"
}

t_single_transaction_all_or_nothing() {
	three
	# DDL that commits by itself cannot be held in one transaction
	if ! db_ddl_rolls_back; then
		st up --single-transaction
		expect_rc 2
		expect_err "one transaction cannot hold them"
		expect_tables ""
		return
	fi
	mig 0004 broken "CREATE TABLE four (id INTEGER PRIMARY KEY);
INSERT INTO nowhere VALUES (1);" "DROP TABLE four;"
	st up --single-transaction
	expect_rc 1
	expect_err "0004_broken.up.sql:2"
	expect_err "no migration was applied"
	expect_tables ""
	expect_history ""
	rm migrations/0004_broken.*
	st up --single-transaction
	expect_rc 0
	expect_history "1 2 3"
	expect_tables "days moods users"
	mig 0005 cic "-- strata:no-transaction
CREATE TABLE five (id INTEGER PRIMARY KEY);"
	st up --single-transaction
	expect_rc 2
	expect_err "must run outside a transaction"
}
