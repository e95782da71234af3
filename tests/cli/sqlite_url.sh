# shellcheck shell=bash
# shellcheck disable=SC2154 # st sets rc, out and err
# sqlite: URLs with parameters are SQLite URI parameters (mode=ro ...),
# never part of a file name; sqlite:file: URIs are read as SQLite reads
# them. Each test checks which files exist afterwards.

# no file in the folder has a '?' in its name
no_query_files() {
	local f
	f=$(find . -name '*\?*' | head -1)
	[ -z "$f" ] || fail "a file named with the URL's parameters: $f"
}

t_mode_ro_is_read_only() {
	mig 0001 a "CREATE TABLE a (id INTEGER PRIMARY KEY);" "DROP TABLE a;"
	st up
	expect_rc 0
	mig 0002 b "CREATE TABLE b (id INTEGER PRIMARY KEY);" "DROP TABLE b;"
	st_raw -d "sqlite:$PWD/test.db?mode=ro" -m migrations status
	expect_rc 0
	expect_out "pending"
	st_raw -d "sqlite:$PWD/test.db?mode=ro" -m migrations up
	expect_rc 1
	expect_err "read-only (mode=ro)"
	expect_tables "a"
	expect_history "1"
	no_query_files
	st_raw -d "sqlite:$PWD/test.db?mode=rw" -m migrations up
	expect_rc 0
	expect_tables "a b"
	no_query_files
}

t_mode_ro_and_rw_never_create_the_file() {
	mig 0001 a "CREATE TABLE a (id INTEGER PRIMARY KEY);"
	st_raw -d "sqlite:$PWD/test.db?mode=ro" -m migrations up
	expect_rc 1
	expect_err "database file '$PWD/test.db' does not exist (mode=ro"
	st_raw -d "sqlite:test.db?mode=rw" -m migrations up
	expect_rc 1
	expect_err "mode=rw in the URL"
	[ ! -e test.db ] || fail "created test.db"
	no_query_files
	st_raw -d "sqlite:test.db?mode=rwc" -m migrations up
	expect_rc 0
	expect_tables "a"
	no_query_files
}

t_unknown_or_repeated_parameters_are_refused() {
	mig 0001 a "CREATE TABLE a (id INTEGER PRIMARY KEY);"
	st_raw -d "sqlite:test.db?mdoe=ro" -m migrations up
	expect_rc 2
	expect_err "unknown parameter 'mdoe' in the sqlite URL"
	st_raw -d "sqlite:test.db?mode=ro&mode=rwc" -m migrations up
	expect_rc 2
	expect_err "parameter 'mode' given twice"
	st_raw -d "sqlite:test.db?mode=readonly" -m migrations up
	expect_rc 2
	expect_err "mode='readonly': use ro, rw, rwc or memory"
	st_raw -d "sqlite:test.db?immutable=maybe" -m migrations up
	expect_rc 2
	expect_err "'immutable' takes 1 or 0"
	[ ! -e test.db ] || fail "created test.db"
	no_query_files
}

t_file_uri_is_decoded_as_sqlite_does() {
	mig 0001 a "CREATE TABLE a (id INTEGER PRIMARY KEY);"
	st_raw -d "sqlite:file:my%20app.db?mode=rwc" -m migrations up
	expect_rc 0
	[ -f "my app.db" ] || fail "no 'my app.db': $(ls)"
	expect_eq a "$(sqlite3 "my app.db" "SELECT name FROM sqlite_master WHERE name = 'a'")"
	st_raw -d "sqlite:file://localhost$PWD/my%20app.db" -m migrations status
	expect_rc 0
	expect_out "applied"
	st_raw -d "sqlite:file://elsewhere$PWD/x.db" -m migrations up
	expect_rc 2
	expect_err "names a host"
	st_raw -d "sqlite:file:bad%zz.db" -m migrations up
	expect_rc 2
	expect_err "invalid percent-encoding"
	[ ! -e "file:my%20app.db" ] && [ ! -e file: ] || fail "a file named after the URI"
	no_query_files
}

# A file name is taken as written, '%' and '#' included, up to the '?'.
t_plain_names_are_not_decoded() {
	mig 0001 a "CREATE TABLE a (id INTEGER PRIMARY KEY);"
	st_raw -d "sqlite:a%41#1.db?cache=private" -m migrations up
	expect_rc 0
	[ -f "a%41#1.db" ] || fail "no 'a%41#1.db': $(ls)"
}

t_mode_memory_writes_no_file() {
	mig 0001 a "CREATE TABLE a (id INTEGER PRIMARY KEY);"
	st_raw -d "sqlite:test.db?mode=memory" -m migrations up
	expect_rc 0
	expect_out "applied"
	[ ! -e test.db ] || fail "created test.db"
	no_query_files
}

# Backups name and copy the real file, not the parameter string.
t_backup_of_a_url_with_parameters() {
	mig 0001 a "CREATE TABLE a (id INTEGER PRIMARY KEY);" "DROP TABLE a;"
	st up
	expect_rc 0
	st_raw -d "sqlite:file:$PWD/test.db?mode=rw" -m migrations backup
	expect_rc 0
	local f
	f=$(find backups -type f -name 'test-*.db' | head -1)
	[ -n "$f" ] || fail "no backups/*/test-*.db: $(find backups -type f)"
	expect_eq a "$(sqlite3 "$f" "SELECT name FROM sqlite_master WHERE name = 'a'")"
	no_query_files
}

# A '#' after the '?' would silently cut a parameter's value short: it is
# refused, and nothing is created. Before, "vfs=unix#x" reached SQLite as
# the VFS "unix#x".
t_hash_in_the_parameters_is_refused() {
	mig 0001 a "CREATE TABLE a (id INTEGER PRIMARY KEY);"
	st_raw -d "sqlite:test.db?vfs=unix#x" -m migrations up
	expect_rc 2
	expect_err "a '#' in the parameters of the sqlite URL: percent-encode it as %23"
	[ ! -e test.db ] || fail "created test.db"
	no_query_files
	st_raw -d "sqlite:test.db?vfs=unix" -m migrations up
	expect_rc 0
	expect_tables "a"
}

# The scheme picks the driver in any case, and the messages list the
# schemes every driver serves, from the drivers themselves.
t_schemes_come_from_the_drivers() {
	mig 0001 a "CREATE TABLE a (id INTEGER PRIMARY KEY);"
	st_raw -d "SQLite3:test.db" -m migrations up
	expect_rc 0
	expect_tables "a"
	expect_history "1"
	st_raw -d "nosuch:test.db" -m migrations status
	expect_rc 2
	expect_err "unknown database URL scheme 'nosuch:' (known: sqlite:, sqlite3:, postgres:, postgresql:, mysql: or mariadb:)"
	st_raw -d "other.db" -m migrations up
	expect_rc 2
	expect_err "database URL 'other.db' has no scheme: start it with sqlite:, postgres: or mysql:"
	[ ! -e other.db ] || fail "created other.db"
}
