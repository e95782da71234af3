# shellcheck shell=bash
# shellcheck disable=SC2154 # st sets rc, out, err
# strata drift, against every database: the live schema against the one
# the folder's applied migrations make in a scratch database (SQLite in
# memory, a temporary database on the server, or the shadow database of
# strata.conf), object by object: each change made by hand is reported
# naming the object, exit 3; pending migrations are not drift; --all,
# --from a dump file; JSON output; no temporary database is left, also
# when a migration fails to apply.

# Two migrations: a table with an index and a default, then another table.
folder() {
	mig 1 users "CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(100) NOT NULL, n INT DEFAULT 1);
CREATE INDEX users_email ON users (email);"
	mig 2 notes "CREATE TABLE notes (id INT PRIMARY KEY, body VARCHAR(200));"
}

# The temporary databases strata drift made on the server and left
# (SQLite's scratch database is in memory: never any).
drift_temp_dbs() {
	case $STRATA_TEST_DB in
	postgres) db_sql "SELECT datname FROM pg_database WHERE datname LIKE 'strata\\_drift\\_%'" ;;
	mysql) db_sql "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE 'strata\\_drift\\_%'" ;;
	*) find . -maxdepth 1 -iname '*drift*' ;;
	esac
}

expect_no_temp_db() {
	local left
	left=$(drift_temp_dbs)
	[ -z "$left" ] || fail "temporary databases left: $left"
}

# users rebuilt with another email type ($1) and n default ($2): SQLite
# cannot alter a column, so it rebuilds the table
rebuild_users() {
	db_sql "CREATE TABLE users_new (id INT PRIMARY KEY, email $1 NOT NULL, n INT DEFAULT $2);
INSERT INTO users_new SELECT * FROM users; DROP TABLE users;
ALTER TABLE users_new RENAME TO users; CREATE INDEX users_email ON users (email);"
}

change_email_type() {
	case $STRATA_TEST_DB in
	postgres) db_sql "ALTER TABLE users ALTER COLUMN email TYPE text" ;;
	mysql) db_sql "ALTER TABLE users MODIFY email VARCHAR(200) NOT NULL" ;;
	*) rebuild_users TEXT 1 ;;
	esac
}

email_type_change() {
	case $STRATA_TEST_DB in
	postgres) echo "changed column users.email: type character varying(100) -> text" ;;
	mysql) echo "changed column users.email: type varchar(100) -> varchar(200)" ;;
	*) echo "changed column users.email: type VARCHAR(100) -> TEXT" ;;
	esac
}

change_n_default() {
	case $STRATA_TEST_DB in
	postgres | mysql) db_sql "ALTER TABLE users ALTER COLUMN n SET DEFAULT 2" ;;
	*) rebuild_users "VARCHAR(100)" 2 ;;
	esac
}

create_trigger() {
	case $STRATA_TEST_DB in
	postgres) db_sql "CREATE FUNCTION users_tr() RETURNS trigger LANGUAGE plpgsql AS \$\$BEGIN NEW.n := 1; RETURN NEW; END\$\$;
CREATE TRIGGER tr BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION users_tr();" ;;
	mysql) db_sql "CREATE TRIGGER tr BEFORE INSERT ON users FOR EACH ROW SET NEW.n = 1" ;;
	*) db_sql "CREATE TRIGGER tr AFTER INSERT ON users BEGIN SELECT 1; END" ;;
	esac
}

drop_index() {
	case $STRATA_TEST_DB in
	mysql) db_sql "DROP INDEX users_email ON users" ;;
	*) db_sql "DROP INDEX users_email" ;;
	esac
}

# out holds line $1
expect_line() {
	printf '%s\n' "$out" | grep -qxF -- "$1" || fail "no line '$1' in the output"
}

t_no_drift_after_up() {
	folder
	st up
	expect_rc 0
	st drift
	expect_rc 0
	expect_eq "" "$out" "drift's output without drift"
	expect_err "no drift"
	# the history table is strata's: what is done to it is not drift
	db_sql "CREATE INDEX hist_extra ON $TEST_TABLE (name)"
	st drift
	expect_rc 0
	expect_no_temp_db
}

t_column_added_by_hand() {
	folder
	st up
	db_sql "ALTER TABLE users ADD COLUMN extra VARCHAR(10)"
	st drift
	expect_rc 3
	expect_line "added column users.extra"
	expect_err "drift: 1 added, 0 removed, 0 changed"
	expect_no_temp_db
}

t_index_dropped_by_hand() {
	folder
	st up
	drop_index
	st drift
	expect_rc 3
	expect_line "removed index users.users_email"
}

t_trigger_created_by_hand() {
	folder
	st up
	create_trigger
	st drift
	expect_rc 3
	expect_line "added trigger users.tr"
}

t_column_type_changed_by_hand() {
	folder
	st up
	change_email_type
	st drift
	expect_rc 3
	expect_line "$(email_type_change)"
	# nothing else changed
	expect_eq 1 "$(printf '%s\n' "$out" | grep -c .)" "lines of drift"
}

t_default_changed_by_hand() {
	folder
	st up
	change_n_default
	st drift
	expect_rc 3
	expect_line "changed column users.n: default 1 -> 2"
	expect_eq 1 "$(printf '%s\n' "$out" | grep -c .)" "lines of drift"
}

t_json_field_by_field() {
	folder
	st up
	st --json drift
	expect_rc 0
	printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["target"] is None and d["ok"] and d["error"] is None, d
assert d["drift"] is False, d
assert d["added"] == [] and d["removed"] == [] and d["changed"] == [], d
' || fail "JSON without drift"
	# SQLite rebuilds the table (with its index) to change the default
	change_n_default
	db_sql "ALTER TABLE users ADD COLUMN extra VARCHAR(10)"
	drop_index
	st --json drift
	expect_rc 3
	printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert sorted(d) == ["added", "changed", "command", "database", "drift", "error", "member", "ok", "removed", "target"], d
assert d["target"] is None, d
# drift found: exit 3, and still ok (docs/JSON.md)
assert d["drift"] is True and d["ok"] is True, d
assert d["added"] == [{"kind": "column", "name": "users.extra"}], d["added"]
assert d["removed"] == [{"kind": "index", "name": "users.users_email"}], d["removed"]
assert d["changed"] == [{"kind": "column", "name": "users.n",
                         "attribute": "default", "expected": "1",
                         "actual": "2"}], d["changed"]
' || fail "JSON with drift"
}

t_pending_migrations_are_not_drift() {
	folder
	st up --to 1
	expect_rc 0
	st drift
	expect_rc 0
	# --all: the folder's every migration, the pending one too
	st drift --all
	expect_rc 3
	expect_line "removed table notes"
	# the parts of a table removed whole are not listed apart
	case $out in *"column notes."*) fail "columns of a removed table listed" ;; esac
	st up
	expect_rc 0
	# a pending migration older than the applied ones (out of order)
	# is not drift either: exactly the applied ones are built
	mig 0 early "CREATE TABLE early (id INT);"
	st drift
	expect_rc 0
	st drift --all
	expect_rc 3
	expect_line "removed table early"
}

t_from_dump_file() {
	folder
	st up
	st dump -o schema.sql
	expect_rc 0
	st drift --from schema.sql
	expect_rc 0
	expect_err "the dump file"
	db_sql "ALTER TABLE users ADD COLUMN extra VARCHAR(10)"
	st drift --from schema.sql
	expect_rc 3
	expect_line "added column users.extra"
	st drift --from nowhere.sql
	expect_rc 2
	expect_err "nowhere.sql"
	expect_no_temp_db
}

t_failing_migration_names_its_file() {
	folder
	st up
	mig 3 broken "CREATE TABLE fine (id INT);
SELECT no_such_column FROM no_such_table;"
	st drift --all
	expect_rc 1
	expect_err "3_broken.up.sql:2"
	expect_err "scratch database"
	expect_eq "" "$out" "stdout of a failed drift"
	expect_no_temp_db
	# the pending broken one does not count without --all
	st drift
	expect_rc 0
}

t_shadow_database() {
	folder
	st up
	shadow=$(db_second) || fail "no second database"
	# what a shadow database holds is strata's to drop
	db_sql_on second "CREATE TABLE leftover (id INT)"
	printf '[strata]\nshadow = %s\n' "$shadow" >strata.conf
	st drift
	expect_rc 0
	expect_no_temp_db
	db_sql "ALTER TABLE users ADD COLUMN extra VARCHAR(10)"
	st drift
	expect_rc 3
	expect_line "added column users.extra"
	# emptied afterwards too
	case $STRATA_TEST_DB in
	sqlite) n=$(db_sql_on second "SELECT count(*) FROM sqlite_master") ;;
	postgres) n=$(db_sql_on second "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") ;;
	*) n=$(db_sql_on second "SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE()") ;;
	esac
	expect_eq 0 "$n" "objects left in the shadow database"
}

t_shadow_of_a_target() {
	folder
	shadow=$(db_second) || fail "no second database"
	printf '[target "app"]\ntype = %s\nurl = %s\ndir = migrations\nshadow = %s\n' \
		"$STRATA_TEST_DB" "$TEST_URL" "$shadow" >strata.conf
	st_raw --target app up
	expect_rc 0
	db_sql "ALTER TABLE users ADD COLUMN extra VARCHAR(10)"
	st_raw --target app --json drift
	expect_rc 3
	printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["target"] == "app", d
assert d["added"] == [{"kind": "column", "name": "users.extra"}], d
' || fail "JSON of a target"
	expect_no_temp_db
}

t_shadow_must_not_be_the_database() {
	folder
	st up
	printf '[strata]\nshadow = %s\n' "$TEST_URL" >strata.conf
	st drift
	expect_rc 2
	expect_err "the shadow database is the database itself"
	expect_tables "notes users"
	# nor the database under another URL: found out, nothing dropped
	case $STRATA_TEST_DB in
	postgres) other="$TEST_URL&connect_timeout=30" ;;
	mysql) other="$TEST_URL?connect-timeout=30" ;;
	*) other="sqlite:./test.db" ;;
	esac
	printf '[strata]\nshadow = %s\n' "$other" >strata.conf
	st drift
	expect_rc 2
	expect_err "it is the database itself"
	expect_tables "notes users"
	st status
	expect_rc 0
	expect_out "applied"
}


# A CHECK constraint changed by hand (SQLite keeps it only in the
# table's text: the table is rebuilt).
t_check_constraint_changed_by_hand() {
	mig 1 stock "CREATE TABLE stock (id INT PRIMARY KEY, n INT, CONSTRAINT n_pos CHECK (n > 0));"
	st up
	expect_rc 0
	st drift
	expect_rc 0
	case $STRATA_TEST_DB in
	sqlite) db_sql "CREATE TABLE stock_new (id INT PRIMARY KEY, n INT, CONSTRAINT n_pos CHECK (n > 5));
INSERT INTO stock_new SELECT * FROM stock; DROP TABLE stock;
ALTER TABLE stock_new RENAME TO stock;" ;;
	*) db_sql "ALTER TABLE stock DROP CONSTRAINT n_pos; ALTER TABLE stock ADD CONSTRAINT n_pos CHECK (n > 5)" ;;
	esac
	st drift
	expect_rc 3
	case $STRATA_TEST_DB in
	sqlite) expect_line "changed constraint stock.n_pos: definition CHECK (n > 0) -> CHECK (n > 5)" ;;
	mysql) expect_line 'changed constraint stock.n_pos: definition CHECK (`n` > 0) -> CHECK (`n` > 5)' ;;
	*) expect_line "changed constraint stock.n_pos: definition CHECK ((n > 0)) -> CHECK ((n > 5))" ;;
	esac
	expect_eq 1 "$(printf '%s\n' "$out" | grep -c .)" "lines of drift"
}

# An unnamed CHECK is named by its expression: another one is another
# constraint.
# PostgreSQL and MariaDB name every CHECK: defined on sqlite only (not a skip on the others)
if [ "$STRATA_TEST_DB" = sqlite ]; then
t_unnamed_check_constraint_changed_by_hand() {
	mig 1 stock "CREATE TABLE stock (id INT PRIMARY KEY, n INT CHECK (n > 0));"
	st up
	db_sql "CREATE TABLE stock_new (id INT PRIMARY KEY, n INT CHECK (n <> 'a)b'));
INSERT INTO stock_new SELECT * FROM stock; DROP TABLE stock;
ALTER TABLE stock_new RENAME TO stock;"
	st drift
	expect_rc 3
	expect_line "removed constraint stock.check (n > 0)"
	expect_line "added constraint stock.check (n <> 'a)b')"
}
fi
