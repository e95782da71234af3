# shellcheck shell=bash
# Folders written for other tools, read as they are, on every database:
# Prisma's and Diesel's migration folders, sqlx's files, sql-migrate's
# markers, goose's ENVSUB, Flyway's placeholders and callbacks; one
# layout per folder; files that look like migrations and are not read;
# `new` in the folder's own format. Each run is checked on the database
# (tables and history rows); each refusal names file:line, exits with its
# documented code and leaves the database as it was.

# A file whose text is the arguments, one line each.
put() {
	local f=$1
	shift
	mkdir -p "$(dirname "$f")"
	printf '%s\n' "$@" >"$f"
}

# The history's file column for a version.
history_file() {
	db_sql "SELECT file FROM $TEST_TABLE WHERE version = '$1'"
}

t_prisma_folder_applies_and_rolls_back() {
	put migrations/migration_lock.toml 'provider = "postgresql"'
	put migrations/20240101120000_init/migration.sql \
		'-- CreateTable' 'CREATE TABLE users (id INTEGER PRIMARY KEY);'
	put migrations/20240102120000_add_posts/migration.sql \
		'-- CreateTable' 'CREATE TABLE posts (id INTEGER PRIMARY KEY);'
	# the down migration Prisma's documentation has `migrate diff` write
	put migrations/20240102120000_add_posts/down.sql 'DROP TABLE posts;'
	st up
	expect_rc 0
	expect_tables "posts users"
	expect_history "20240101120000 20240102120000"
	expect_eq "20240102120000_add_posts/migration.sql" "$(history_file 20240102120000)" "history file"
	st status
	expect_rc 0
	expect_out "add_posts"
	expect_out "prisma format"
	refute_err "migration_lock.toml"
	st down --no-backup
	expect_rc 0
	expect_tables "users"
	expect_history "20240101120000"
	# Prisma has no down of its own: a rollback is refused, naming the file
	st down --no-backup
	expect_rc 3
	expect_err "migrations/20240101120000_init/migration.sql is irreversible: it has no down migration"
	expect_err "migrations/20240101120000_init/down.sql"
	expect_tables "users"
	expect_history "20240101120000"
	st up
	expect_rc 0
	expect_history "20240101120000 20240102120000"
}

t_diesel_folder_applies_and_rolls_back() {
	mkdir -p migrations
	touch migrations/.keep # as `diesel setup` leaves it
	put migrations/2017-12-05-004412_create_users/up.sql 'CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(100));'
	put migrations/2017-12-05-004412_create_users/down.sql 'DROP TABLE users;'
	put migrations/2018-01-02-000000_users_email/up.sql 'CREATE INDEX users_email ON users (email);'
	put migrations/2018-01-02-000000_users_email/down.sql "$(db_drop_index_sql users_email users)"
	put migrations/2018-01-02-000000_users_email/metadata.toml \
		'# as Diesel reads it' 'run_in_transaction = false'
	st plan --offline
	expect_rc 0
	case "$out" in
	*"(users_email), outside a transaction"*) ;;
	*) fail "run_in_transaction = false was not read" ;;
	esac
	if db_ddl_rolls_back; then
		case "$out" in
		*"(create_users), outside"*) fail "create_users outside a transaction" ;;
		esac
	fi
	st up
	expect_rc 0
	expect_tables "users"
	# Diesel's version: the digits before the first '_', dashes dropped
	expect_history "20171205004412 20180102000000"
	expect_eq "2017-12-05-004412_create_users/up.sql" "$(history_file 20171205004412)" "history file"
	st status
	expect_rc 0
	expect_out "diesel format"
	expect_out "users_email"
	st down --all --no-backup
	expect_rc 0
	expect_tables ""
	expect_history ""
}

t_diesel_metadata_refused() {
	put migrations/2017-12-05-004412_create_users/up.sql 'CREATE TABLE users (id INTEGER PRIMARY KEY);'
	put migrations/2017-12-05-004412_create_users/down.sql 'DROP TABLE users;'
	put migrations/2017-12-05-004412_create_users/metadata.toml 'run_in_transaction = "false"'
	st up
	expect_rc 2
	expect_err "2017-12-05-004412_create_users/metadata.toml:1:"
	expect_err "TOML boolean"
	expect_tables ""
	expect_history ""
	st validate
	expect_rc 2
	expect_err "metadata.toml"
	# a down.sql without its up, and a folder with both tools' files
	rm migrations/2017-12-05-004412_create_users/metadata.toml
	put migrations/2018-01-01-000000_x/down.sql 'DROP TABLE users;'
	put migrations/2019-01-01-000000_y/up.sql 'SELECT 1;'
	put migrations/2019-01-01-000000_y/migration.sql 'SELECT 1;'
	st up
	expect_rc 2
	expect_err "2018-01-01-000000_x/down.sql"
	st validate
	expect_rc 2
	expect_err "2018-01-01-000000_x/down.sql: error: down migration without an up migration"
	expect_err "2019-01-01-000000_y: error: both migration.sql"
	expect_tables ""
	expect_history ""
}

t_sqlx_files_apply_and_roll_back() {
	# simple (irreversible) and reversible migrations in one folder
	put migrations/20200718111257_users.sql 'CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(50));'
	put migrations/20200719000000_posts.up.sql 'CREATE TABLE posts (id INTEGER PRIMARY KEY);'
	put migrations/20200719000000_posts.down.sql 'DROP TABLE posts;'
	put migrations/20200720000000_users_name.sql '-- no-transaction' 'CREATE INDEX users_name ON users (name);'
	st plan --offline
	expect_rc 0
	case "$out" in
	*"(users_name), outside a transaction"*) ;;
	*) fail "sqlx's -- no-transaction was not read" ;;
	esac
	st up
	expect_rc 0
	expect_tables "posts users"
	expect_history "20200718111257 20200719000000 20200720000000"
	# the simple one is irreversible: the hint names the pair sqlx reads
	st down --no-backup
	expect_rc 3
	expect_err "20200720000000_users_name.sql is irreversible"
	expect_err "rename it migrations/20200720000000_users_name.up.sql and write its down part (migrations/20200720000000_users_name.down.sql)"
	expect_history "20200718111257 20200719000000 20200720000000"
	# sqlx reads -- no-transaction only as the file's start
	put migrations/20200721000000_late.sql '-- late' '-- no-transaction' 'CREATE TABLE late (id INTEGER PRIMARY KEY);'
	st up
	expect_rc 2
	expect_err "20200721000000_late.sql:2:"
	expect_err "only as the very start of the file"
	expect_tables "posts users"
	expect_history "20200718111257 20200719000000 20200720000000"
}

t_sqlmigrate_file_applies_and_rolls_back() {
	put migrations/20160101120000-create_people.sql \
		'-- +migrate Up' \
		'-- SQL in section Up is executed when this migration is applied' \
		'CREATE TABLE people (id INTEGER PRIMARY KEY);' \
		'-- +migrate StatementBegin' \
		'CREATE TABLE pets (id INTEGER PRIMARY KEY);' \
		'-- +migrate StatementEnd' \
		'' \
		'-- +migrate Down' \
		'DROP TABLE pets;' \
		'DROP TABLE people;'
	put migrations/20160102120000-toys.sql \
		'-- +migrate Up notransaction' \
		'CREATE TABLE toys (id INTEGER PRIMARY KEY);' \
		'-- +migrate Down' \
		'DROP TABLE toys;'
	st plan --offline
	expect_rc 0
	case "$out" in
	*"(toys), outside a transaction"*) ;;
	*) fail "-- +migrate Up notransaction was not read" ;;
	esac
	if db_ddl_rolls_back; then
		case "$out" in
		*"(create_people), outside"*) fail "create_people outside a transaction" ;;
		esac
	fi
	st up
	expect_rc 0
	expect_tables "people pets toys"
	expect_history "20160101120000 20160102120000"
	st status
	expect_rc 0
	expect_out "sql-migrate format"
	st down --no-backup
	expect_rc 0
	expect_tables "people pets"
	st down --no-backup
	expect_rc 0
	expect_tables ""
	expect_history ""
}

t_sqlmigrate_near_miss_refused() {
	put migrations/20160101120000-create_people.sql \
		'-- +migrate Up' 'CREATE TABLE people (id INTEGER PRIMARY KEY);' \
		'-- +migrate down' 'DROP TABLE people;'
	st up
	expect_rc 2
	expect_err "20160101120000-create_people.sql:3:"
	expect_err "sql-migrate reads its command in this case only: '-- +migrate Down'"
	expect_tables ""
	expect_history ""
	put migrations/20160101120000-create_people.sql \
		'-- +migrate Up' 'CREATE TABLE people (id INTEGER PRIMARY KEY);' \
		'-- +migrate Down notransactoin' 'DROP TABLE people;'
	st validate
	expect_rc 2
	expect_err "20160101120000-create_people.sql:3: error: unknown sql-migrate option 'notransactoin'"
	put migrations/20160101120000-create_people.sql \
		'-- +migrate Up' '-- +migrate StatementBegin' 'CREATE TABLE people (id INTEGER PRIMARY KEY);'
	st up
	expect_rc 2
	expect_err "20160101120000-create_people.sql:2:"
	expect_err "StatementBegin without a StatementEnd"
	expect_tables ""
	expect_history ""
}

t_goose_envsub_substitutes() {
	put migrations/00001_people.sql \
		'-- +goose ENVSUB ON' \
		'-- +goose Up' \
		'CREATE TABLE ${STRATA_T_TBL} (id INTEGER PRIMARY KEY, kind VARCHAR(20) DEFAULT '"'"'${STRATA_T_KIND:-plain}'"'"');' \
		'-- +goose Down' \
		'DROP TABLE ${STRATA_T_TBL};'
	STRATA_T_TBL=people st up
	expect_rc 0
	expect_tables "people"
	expect_history "1"
	db_sql "INSERT INTO people (id) VALUES (1)"
	expect_eq "plain" "$(db_sql "SELECT kind FROM people")" "default from \${STRATA_T_KIND:-plain}"
	# the checksum is the file's: another environment is no edit
	STRATA_T_TBL=other st status
	expect_rc 0
	expect_out "applied"
	refute_out "modified"
	STRATA_T_TBL=people st down --no-backup
	expect_rc 0
	expect_tables ""
	expect_history ""
	# a required variable that is not set stops it before anything runs
	put migrations/00001_people.sql \
		'-- +goose Up' \
		'-- +goose ENVSUB ON' \
		'CREATE TABLE people (id INTEGER PRIMARY KEY);' \
		'CREATE TABLE ${STRATA_T_UNSET?the second table} (id INTEGER PRIMARY KEY);'
	st up
	expect_rc 2
	expect_err "00001_people.sql:4:"
	expect_err "\$STRATA_T_UNSET: the second table"
	expect_tables ""
	expect_history ""
	# an annotation goose does not know is an error, not a comment
	put migrations/00001_people.sql \
		'-- +goose Up' '-- +goose ENVSUB ONN' 'CREATE TABLE people (id INTEGER PRIMARY KEY);'
	st up
	expect_rc 2
	expect_err "00001_people.sql:2:"
	expect_err "unknown goose marker '-- +goose ENVSUB ONN'"
	expect_tables ""
}

t_flyway_placeholders_and_callbacks() {
	cat >strata.conf <<'EOF'
[placeholders]
tableName = people
EOF
	put migrations/V1__people.sql \
		'-- ${flyway:filename}' 'CREATE TABLE ${tablename} (id INTEGER PRIMARY KEY);'
	st up
	expect_rc 0
	expect_tables "people"
	expect_history "1"
	# a placeholder without a value
	put migrations/V2__pets.sql 'CREATE TABLE ${petTable} (id INTEGER PRIMARY KEY);'
	st up
	expect_rc 2
	expect_err "V2__pets.sql:1:"
	expect_err "no value for the Flyway placeholder '\${petTable}'"
	expect_tables "people"
	expect_history "1"
	printf 'petTable = pets\n' >>strata.conf
	# a callback strata does not run is refused by name, by every command
	put migrations/afterMigrate.sql 'DROP TABLE people;'
	st up
	expect_rc 2
	expect_err "migrations/afterMigrate.sql"
	expect_err "strata does not run Flyway callbacks"
	expect_tables "people"
	expect_history "1"
	st status
	expect_rc 2
	expect_err "Flyway callback afterMigrate.sql"
	rm migrations/afterMigrate.sql
	st up
	expect_rc 0
	expect_tables "people pets"
	expect_history "1 2"
	# the rollback's hint names Flyway's undo file
	st down --no-backup
	expect_rc 3
	expect_err "write its down part (migrations/U2__pets.sql)"
	expect_history "1 2"
	put migrations/U2__pets.sql 'DROP TABLE ${petTable};'
	st down --no-backup
	expect_rc 0
	expect_tables "people"
	expect_history "1"
}

t_unread_files_warned() {
	mig 0001 users "CREATE TABLE users (id INTEGER PRIMARY KEY);" "DROP TABLE users;"
	put migrations/add_users.sql 'DROP TABLE users;'
	put migrations/README.md 'notes'
	mkdir -p migrations/0002_later
	put migrations/seeds/data.sql 'INSERT INTO users VALUES (1);'
	st validate
	expect_rc 0
	expect_err "migrations/add_users.sql: warning: not read as a migration: its name does not start with a version"
	expect_err "migrations/0002_later: warning: not read as a migration"
	refute_err "README.md"
	refute_err "seeds"
	st up
	expect_rc 0
	expect_tables "users"
	expect_history "1"
	st status
	expect_rc 0
	expect_err "strata: warning: migrations/add_users.sql: not read as a migration"
	expect_err "strata: warning: migrations/0002_later: not read as a migration"
}

t_mixed_layouts_refused() {
	put migrations/20240101120000_init/migration.sql 'CREATE TABLE users (id INTEGER PRIMARY KEY);'
	mig 20240102000000 posts "CREATE TABLE posts (id INTEGER PRIMARY KEY);" "DROP TABLE posts;"
	st up
	expect_rc 2
	expect_err "mixed layouts in one folder"
	expect_err "20240101120000_init/migration.sql"
	expect_err "20240102000000_posts.up.sql"
	expect_tables ""
	[ -z "$(db_sql "SELECT 1 FROM $TEST_TABLE" 2>/dev/null)" ] || fail "a history table was written"
	st status
	expect_rc 2
	expect_err "mixed layouts"
}

# new NAME, then the file filled in and applied: each format's own file.
new_and_apply() {
	local file=$1 table=$2
	[ -f "$file" ] || fail "new did not write $file"
	printf 'CREATE TABLE %s (id INTEGER PRIMARY KEY);\n' "$table" >"$file.tmp"
	cat "$file" >>"$file.tmp"
	mv "$file.tmp" "$file"
}

t_new_writes_the_folders_format() {
	# Flyway: V<n>__NAME.sql after the newest version
	put flyway/V1__a.sql 'CREATE TABLE a (id INTEGER PRIMARY KEY);'
	st_raw --database "$TEST_URL" --dir flyway new add_b
	expect_rc 0
	expect_out "created flyway/V2__add_b.sql"
	refute_out "down"
	printf 'CREATE TABLE b (id INTEGER PRIMARY KEY);\n' >>flyway/V2__add_b.sql
	st_raw --database "$TEST_URL" --dir flyway up
	expect_rc 0
	expect_tables "a b"
	expect_history "1 2"
	db_sql "DROP TABLE a" && db_sql "DROP TABLE b" && db_sql "DELETE FROM $TEST_TABLE"

	# Prisma: a new <timestamp>_NAME/migration.sql
	put prisma/20240101120000_init/migration.sql 'CREATE TABLE c (id INTEGER PRIMARY KEY);'
	st_raw --database "$TEST_URL" --dir prisma new add_d
	expect_rc 0
	f=$(ls prisma/*_add_d/migration.sql)
	expect_out "created $f"
	[ ! -e "$(dirname "$f")/down.sql" ] || fail "a down.sql for Prisma"
	new_and_apply "$f" d
	st_raw --database "$TEST_URL" --dir prisma up
	expect_rc 0
	expect_tables "c d"
	db_sql "DROP TABLE c" && db_sql "DROP TABLE d" && db_sql "DELETE FROM $TEST_TABLE"

	# Diesel: a folder with up.sql and down.sql, dashes as the folder has
	put diesel/2017-12-05-004412_init/up.sql 'CREATE TABLE e (id INTEGER PRIMARY KEY);'
	put diesel/2017-12-05-004412_init/down.sql 'DROP TABLE e;'
	st_raw --database "$TEST_URL" --dir diesel new add_f
	expect_rc 0
	f=$(ls diesel/*_add_f/up.sql)
	case "$f" in
	diesel/[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]-[0-9][0-9][0-9][0-9][0-9][0-9]_add_f/up.sql) ;;
	*) fail "Diesel's folder name: $f" ;;
	esac
	new_and_apply "$f" f
	printf 'DROP TABLE f;\n' >"$(dirname "$f")/down.sql"
	st_raw --database "$TEST_URL" --dir diesel up
	expect_rc 0
	expect_tables "e f"
	st_raw --database "$TEST_URL" --dir diesel down --no-backup
	expect_rc 0
	expect_tables "e"
	db_sql "DROP TABLE e" && db_sql "DELETE FROM $TEST_TABLE"

	# sql-migrate: its own <timestamp>-NAME.sql, with its sections
	put sqlm/20160101120000-init.sql '-- +migrate Up' 'CREATE TABLE g (id INTEGER PRIMARY KEY);' '-- +migrate Down' 'DROP TABLE g;'
	st_raw --database "$TEST_URL" --dir sqlm new add_h
	expect_rc 0
	f=$(ls sqlm/*-add_h.sql)
	grep -q -- '^-- +migrate Up$' "$f" || fail "no -- +migrate Up in $f"
	grep -q -- '^-- +migrate Down$' "$f" || fail "no -- +migrate Down in $f"
	sed -i 's/^-- +migrate Up$/-- +migrate Up\nCREATE TABLE h (id INTEGER PRIMARY KEY);/; s/^-- +migrate Down$/-- +migrate Down\nDROP TABLE h;/' "$f"
	st_raw --database "$TEST_URL" --dir sqlm up
	expect_rc 0
	expect_tables "g h"
	st_raw --database "$TEST_URL" --dir sqlm down --no-backup
	expect_rc 0
	expect_tables "g"
	db_sql "DROP TABLE g" && db_sql "DELETE FROM $TEST_TABLE"

	# goose and dbmate: their sections; sqlx: an up-only file
	put goose/00001_init.sql '-- +goose Up' 'SELECT 1;'
	st_raw --database "$TEST_URL" --dir goose new add_i
	expect_rc 0
	f=$(ls goose/*_add_i.sql)
	grep -q -- '^-- +goose Down$' "$f" || fail "no -- +goose Down in $f"
	put dbmate/20200101000000_init.sql '-- migrate:up' 'SELECT 1;' '-- migrate:down' 'SELECT 1;'
	st_raw --database "$TEST_URL" --dir dbmate new add_j
	expect_rc 0
	grep -q -- '^-- migrate:down$' dbmate/*_add_j.sql || fail "no -- migrate:down"
	put sqlx/20200101000000_init.sql 'CREATE TABLE k (id INTEGER PRIMARY KEY);'
	st_raw --database "$TEST_URL" --dir sqlx new add_l
	expect_rc 0
	f=$(ls sqlx/*_add_l.sql)
	refute_out ".down.sql"
	new_and_apply "$f" l
	st_raw --database "$TEST_URL" --dir sqlx up
	expect_rc 0
	expect_tables "k l"
}
