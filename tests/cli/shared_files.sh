# shellcheck shell=bash
# How the migrations folder is read, on every database: markers of the
# formats strata reads (exact, misspelt, or where they are not read),
# the case of file names, parts without a statement, and files that look
# like migrations but are not read. Each refusal is checked on the
# database: nothing ran, the history is unchanged.

# users applied, with its down
users_applied() {
	mig 0001 users "CREATE TABLE users (id INTEGER PRIMARY KEY);" "DROP TABLE users;"
	st up
	expect_rc 0
	expect_tables "users"
	expect_history "1"
}

# A pair file holding dbmate sections: its down section ran during up.
t_pair_file_with_sections_refused() {
	users_applied
	cat >migrations/0002_posts.up.sql <<'SQL'
-- migrate:up
CREATE TABLE posts (id INTEGER PRIMARY KEY);

-- migrate:down
DROP TABLE users;
SQL
	st up
	expect_rc 2
	expect_err "0002_posts.up.sql:1:"
	expect_err "in a file of an up/down pair"
	expect_tables "users"
	expect_history "1"
	st validate
	expect_rc 2
	expect_err "0002_posts.up.sql:1:"
	# the same sections in a single file are read as dbmate's
	mv migrations/0002_posts.up.sql migrations/0002_posts.sql
	st up
	expect_rc 0
	expect_tables "posts users"
	expect_history "1 2"
}

# A misspelt dbmate down marker: the down SQL ran as part of the up and
# the migration was recorded as applied.
t_misspelt_dbmate_marker_refused() {
	users_applied
	cat >migrations/0002_posts.sql <<'SQL'
-- migrate:up
CREATE TABLE posts (id INTEGER PRIMARY KEY);

-- migrate:dwon
DROP TABLE users;
SQL
	st validate
	expect_rc 2
	expect_err "0002_posts.sql:4:"
	expect_err "unknown dbmate marker '-- migrate:dwon'"
	st plan
	expect_rc 2
	refute_out "DROP TABLE users"
	st up
	expect_rc 2
	expect_err "0002_posts.sql:4:"
	expect_err "unknown dbmate marker"
	expect_tables "users"
	expect_history "1"
	# an option strata does not know (here a typo of transaction:false)
	printf -- '-- migrate:up transacton:false\nCREATE TABLE posts (id INTEGER PRIMARY KEY);\n-- migrate:down\nDROP TABLE posts;\n' \
		>migrations/0002_posts.sql
	st up
	expect_rc 2
	expect_err "0002_posts.sql:1:"
	expect_err "unknown dbmate option 'transacton:false'"
	expect_tables "users"
	expect_history "1"
}

t_misspelt_goose_marker_refused() {
	users_applied
	cat >migrations/0002_posts.sql <<'SQL'
-- +goose Up
CREATE TABLE posts (id INTEGER PRIMARY KEY);

-- +goose Dwon
DROP TABLE users;
SQL
	st validate
	expect_rc 2
	expect_err "0002_posts.sql:4:"
	expect_err "unknown goose marker '-- +goose Dwon'"
	st up
	expect_rc 2
	expect_err "0002_posts.sql:4:"
	expect_tables "users"
	expect_history "1"
	# goose reads its markers in any case, so strata does too
	sed -i 's/-- +goose Dwon/-- +goose down/; s/-- +goose Up/-- +goose up/' migrations/0002_posts.sql
	sed -i 's/DROP TABLE users/DROP TABLE posts/' migrations/0002_posts.sql
	st up
	expect_rc 0
	expect_tables "posts users"
	st down --no-backup
	expect_rc 0
	expect_tables "users"
}

# Near misses of the markers strata reads (sql-migrate's are read in the
# case sql-migrate reads them) and of its own directives ran as plain SQL.
t_foreign_and_near_miss_markers_refused() {
	users_applied
	cat >migrations/0002_posts.sql <<'SQL'
-- +migrate Up
CREATE TABLE posts (id INTEGER PRIMARY KEY);
-- +migrate down
DROP TABLE users;
SQL
	st up
	expect_rc 2
	expect_err "0002_posts.sql:3:"
	expect_err "sql-migrate reads its command in this case only"
	expect_tables "users"
	rm migrations/0002_posts.sql
	printf -- '-- strata-no-transaction\nCREATE TABLE posts (id INTEGER PRIMARY KEY);\n' >migrations/0002_posts.up.sql
	st up
	expect_rc 2
	expect_err "0002_posts.up.sql:1:"
	expect_err "unknown directive 'strata-no-transaction'"
	expect_tables "users"
	expect_history "1"
	# a down marker without its up marker
	printf 'CREATE TABLE posts (id INTEGER PRIMARY KEY);\n-- migrate:down\nDROP TABLE users;\n' >migrations/0002_posts.up.sql
	mv migrations/0002_posts.up.sql migrations/0002_posts.sql
	st up
	expect_rc 2
	expect_err "0002_posts.sql:2:"
	expect_tables "users"
	expect_history "1"
}

# A statement before the first section belongs to no section: it never ran.
t_statement_outside_sections_refused() {
	users_applied
	cat >migrations/0002_posts.sql <<'SQL'
CREATE TABLE lost (id INTEGER PRIMARY KEY);
-- migrate:up
CREATE TABLE posts (id INTEGER PRIMARY KEY);
-- migrate:down
DROP TABLE posts;
SQL
	st up
	expect_rc 2
	expect_err "0002_posts.sql:1:"
	expect_err "belongs to no section"
	expect_tables "users"
	expect_history "1"
}

# A down file in capitals on its own ran as an up migration.
t_capital_down_file_is_never_an_up() {
	users_applied
	echo "DROP TABLE users;" >migrations/0002_x.DOWN.sql
	st up
	expect_rc 2
	expect_err "0002_x.DOWN.sql"
	expect_err "down migration without an up migration"
	expect_tables "users"
	expect_history "1"
	st validate
	expect_rc 2
	expect_err "0002_x.DOWN.sql"
}

# .UP.sql and .DOWN.sql were refused as a duplicate: they are a pair.
t_capital_pair_read_as_a_pair() {
	users_applied
	echo "CREATE TABLE posts (id INTEGER PRIMARY KEY);" >migrations/0002_posts.UP.sql
	echo "DROP TABLE posts;" >migrations/0002_posts.DOWN.sql
	echo "CREATE TABLE tags (id INTEGER PRIMARY KEY);" >migrations/0003_tags.SQL
	st up
	expect_rc 0
	expect_tables "posts tags users"
	expect_history "1 2 3"
	st down --no-backup --to 1
	expect_rc 3 # 0003_tags.SQL has no down
	st status --json
	expect_eq "migrations/0002_posts.DOWN.sql" \
		"$(printf '%s' "$out" | python3 -c 'import json,sys; print([m["down_file"] for m in json.load(sys.stdin)["migrations"] if m["version"] == "0002"][0])')"
	rm migrations/0003_tags.SQL
	st force 2
	expect_rc 0
	st down --no-backup
	expect_rc 0
	expect_tables "tags users"
	expect_history "1"
}

# A down file left as `strata new` wrote it: down said "rolled back", the
# table stayed and the next up failed.
t_template_only_down_refused() {
	mkdir -p migrations
	st new create_posts --seq
	expect_rc 0
	echo "CREATE TABLE posts (id INTEGER PRIMARY KEY);" >>migrations/0001_create_posts.up.sql
	st up
	expect_rc 0
	expect_tables "posts"
	st down --no-backup
	expect_rc 2
	expect_err "0001_create_posts.down.sql"
	expect_err "no statement"
	refute_out "rolled back"
	expect_tables "posts"
	expect_history "1"
	st validate
	expect_rc 2
	expect_err "0001_create_posts.down.sql"
	# a down that says it is empty on purpose is one
	printf -- '-- strata:empty\n' >>migrations/0001_create_posts.down.sql
	st validate
	expect_rc 0
	st down --no-backup
	expect_rc 0
	expect_history ""
}

# dbmate's own template has an empty down section.
t_empty_dbmate_down_section_refused() {
	mkdir -p migrations
	printf -- '-- migrate:up\nCREATE TABLE posts (id INTEGER PRIMARY KEY);\n\n-- migrate:down\n\n' >migrations/0001_posts.sql
	st up
	expect_rc 0
	st down --no-backup
	expect_rc 2
	expect_err "0001_posts.sql:4:"
	expect_err "the down section has no statement"
	expect_tables "posts"
	expect_history "1"
}

# Empty and comment-only up files were applied in silence.
t_empty_up_files_refused() {
	users_applied
	: >migrations/0002_empty.up.sql
	printf -- '-- TODO\n/* later */\n' >migrations/0003_comments.up.sql
	st validate
	expect_rc 2
	expect_err "0002_empty.up.sql"
	expect_err "0003_comments.up.sql"
	st up
	expect_rc 2
	expect_err "0002_empty.up.sql"
	expect_err "no statement"
	expect_history "1"
	st up --dry-run
	expect_rc 2
	printf -- '-- strata:empty\n' >migrations/0002_empty.up.sql
	printf -- '-- strata:empty\n-- TODO\n/* later */\n' >migrations/0003_comments.up.sql
	st up
	expect_rc 0
	expect_history "1 2 3"
	expect_tables "users"
}

# Files that look like migrations but are not read: named, never fatal.
t_lookalike_files_warned() {
	users_applied
	for f in abc_x.up.sql -1_x.up.sql v2__x.sql r__x.sql; do
		echo "DROP TABLE users;" >"migrations/$f"
	done
	echo "CREATE TABLE flyway_two (id INTEGER PRIMARY KEY);" >migrations/V2__x.SQL
	echo "notes" >migrations/README.md
	st validate
	expect_rc 0
	for f in abc_x.up.sql -1_x.up.sql v2__x.sql r__x.sql; do
		expect_err "migrations/$f: warning: not read as a migration"
	done
	refute_err "README.md"
	st validate --json
	expect_rc 0
	expect_eq 4 "$(printf '%s' "$out" | python3 -c 'import json,sys; print(sum("not read as a migration" in p["message"] for p in json.load(sys.stdin)["problems"]))')"
	st status
	expect_rc 0
	for f in abc_x.up.sql -1_x.up.sql v2__x.sql r__x.sql; do
		expect_err "strata: warning: migrations/$f: not read as a migration"
	done
	expect_err "name it V2__x.sql"
	refute_err "README.md"
	expect_out "pending"
	st status --json
	expect_rc 0
	printf '%s' "$out" | python3 -c 'import json,sys; json.load(sys.stdin)' || fail "status --json is not JSON"
	# V2__x.SQL is a Flyway migration (suffixes are read in any case)
	st up
	expect_rc 0
	expect_tables "flyway_two users"
	expect_history "1 2"
}
