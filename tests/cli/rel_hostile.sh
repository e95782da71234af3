# shellcheck shell=bash
# Hostile and malformed input (issue 7), the cases cli_basic.sh does not
# already cover: client meta-commands, explicit transaction control in its
# variants, unterminated quotes, comments and bodies, a history table of
# an unexpected shape, malformed URLs, --table/--schema names that are too
# long or try SQL injection, a symbolic link as the migrations folder, a
# folder that is a file, and duplicate versions after padding. Each: a
# clear message naming the file and line (or the option), the documented
# exit code, and nothing changed in the database (compared before/after).
# What only SQLite meets (its own quotes, PRAGMA journal_mode, --schema):
# sqlite_hostile.sh.

. "$(dirname "${BASH_SOURCE[0]}")/../lib/rel-lib.sh"

t_client_meta_commands() {
	base_state
	refused 'CREATE TABLE b (id INTEGER);\n.read other.sql\n' 2 "2:1" "client meta-command"
	refused '.timeout 1000\nCREATE TABLE b (id INTEGER);\n' 2 "1:1" "client meta-command"
	refused '-- a comment\n  .headers on\n' 2 "2:3" "client meta-command"
}

t_explicit_transaction_control() {
	base_state
	refused 'CREATE TABLE b (id INTEGER);\nCOMMIT;\nCREATE TABLE c (id INTEGER);\n' 2 "2:1" "explicit transaction control"
	refused 'CREATE TABLE b (id INTEGER);\nEND TRANSACTION;\n' 2 "2:1" "explicit transaction control"
	refused 'ROLLBACK;\n' 2 "1:1" "explicit transaction control"
	refused '/* lead */ BEGIN IMMEDIATE;\nCREATE TABLE b (id INTEGER);\n' 2 "1:" "explicit transaction control"
	refused 'CREATE TABLE b (id INTEGER);\n  begin exclusive transaction;\n' 2 "2:3" "explicit transaction control"
	expect_err "strata:no-transaction"
}

# The same statements are allowed in a no-transaction file.
t_transaction_control_in_a_no_transaction_file() {
	base_state
	printf -- '-- strata:no-transaction\nBEGIN;\nCREATE TABLE b (id INTEGER);\nCOMMIT;\n' >migrations/0002_b.up.sql
	st up
	expect_rc 0
	expect_history "1 2"
	db_has_table b || fail "table b was not created"
}

t_unterminated_quotes_comments_and_bodies() {
	base_state
	refused 'CREATE TABLE b (id INTEGER);\n/* never closed\nCREATE TABLE c (id INTEGER);\n' 2 "2:1" "unterminated"
	refused 'CREATE TABLE b (id INTEGER);\nCREATE TABLE "c (id INTEGER);\n' 2 "2:1" "unterminated"
	refused "INSERT INTO canary (id) VALUES (1);\nINSERT INTO canary (id) VALUES ('1);\n" 2 "2:1" "unterminated"
}

# --- the history table -----------------------------------------------------

history_columns="version VARCHAR(64) NOT NULL, version_sort VARCHAR(128) NOT NULL DEFAULT '', name VARCHAR(255) NOT NULL, kind VARCHAR(16) NOT NULL, file VARCHAR(1024) NOT NULL, checksum VARCHAR(128), checksum_algorithm VARCHAR(16) NOT NULL, applied_at TEXT NOT NULL, execution_ms BIGINT NOT NULL, applied_by VARCHAR(255) NOT NULL, target VARCHAR(64) NOT NULL, database_type VARCHAR(32) NOT NULL"

t_history_table_missing_a_column() {
	rel_migrations 2
	db_sql "CREATE TABLE $TEST_TABLE ($history_columns)"
	before=$(rel_snapshot)
	for cmd in up status validate down; do
		st $cmd
		rel_no_crash
		expect_rc 3
		expect_err "table '$TEST_TABLE' exists but is not a strata history table"
		expect_err "column 'dirty' is missing"
		[ "$cmd" = validate ] || expect_err "--table"
		expect_eq "$before" "$(rel_snapshot)" "database after $cmd"
	done
	expect_tables ""
}

t_history_table_with_a_foreign_column() {
	rel_migrations 2
	db_sql "CREATE TABLE $TEST_TABLE (version BIGINT, owner TEXT, note TEXT)"
	before=$(rel_snapshot)
	st up
	expect_rc 3
	expect_err "unexpected column 'owner'"
	expect_eq "$before" "$(rel_snapshot)" "database after up"
}

# strata's columns plus one of the user's own: strata's rows still go in.
t_history_table_with_an_extra_column() {
	rel_migrations 2
	db_sql "CREATE TABLE $TEST_TABLE ($history_columns, dirty SMALLINT NOT NULL, ticket TEXT, PRIMARY KEY (target, version, name))"
	st up
	expect_rc 0
	expect_history "1 2"
	st down
	expect_rc 0
	expect_history "1"
}

# An extra NOT NULL column strata cannot fill: the recording fails, the
# migration is rolled back with it, and the message says why.
t_history_table_with_an_extra_required_column() {
	rel_migrations 2
	db_sql "CREATE TABLE $TEST_TABLE ($history_columns, dirty SMALLINT NOT NULL, ticket TEXT NOT NULL)"
	before=$(rel_snapshot)
	st up
	rel_no_crash
	expect_rc 1
	expect_err "cannot record 0001_t1.up.sql in '$TEST_TABLE'"
	expect_err "ticket"
	# the one change: a history from before the log gets its (empty)
	# log on the first writing command, as an old history table is
	# upgraded then, whatever the migrations do next
	expect_eq "$before" "$(rel_snapshot | grep -v "^table ${TEST_TABLE}_log ")" "database after up"
	expect_eq 0 "$(db_sql "SELECT count(*) FROM ${TEST_TABLE}_log")" "rows of the log"
}

# --- URLs ------------------------------------------------------------------------

# bad_url URL WANT_RC MESSAGE [COMMANDS]: each command (status and up)
# refuses it the same way.
bad_url() {
	local cmd
	for cmd in ${4:-status up}; do
		st_raw --database "$1" --dir migrations $cmd
		rel_no_crash
		expect_rc "$2"
		expect_err "$3"
	done
}

t_malformed_urls() {
	base_state
	# an empty URL (an unset variable in -d "$URL") is not the default
	bad_url "" 2 "--database is empty"
	[ -e strata.db ] && fail "an empty URL used ./strata.db"
	bad_url "sqlite:" 2 "sqlite URL names no file"
	bad_url "sqlite" 2 "has no scheme"
	bad_url ":memory:" 2 "has no scheme"
	bad_url "test.db" 2 "has no scheme"
	bad_url "nosuch://host/db" 2 "unknown database URL scheme 'nosuch:'"
	bad_url " sqlite:test.db" 2 "has no scheme"
	# (status reads a database that does not exist as empty: only up)
	bad_url "sqlite:/nonexistent/dir/x.db" 5 "cannot open SQLite database '/nonexistent/dir/x.db'" up
	bad_url "sqlite:$PWD/migrations" 5 "cannot open SQLite database"
	# very long, and with control characters: no crash, a clear refusal
	bad_url "$(head -c 100000 /dev/zero | tr '\0' 'x'):" 2 "has no scheme"
	bad_url "$(printf 'sql\001ite:x.db')" 2 "has no scheme"
	unchanged "malformed URLs"
}

# --- identifiers ------------------------------------------------------------------

t_table_name_too_long() {
	base_state
	long=$(head -c 2000 /dev/zero | tr '\0' 't')
	st --table "$long" up
	rel_no_crash
	expect_rc 2
	expect_err "--table/--schema name"
	expect_err "too long"
	unchanged "--table of 2000 bytes"
}

t_table_name_injection() {
	rel_migrations 1
	db_sql "CREATE TABLE canary (id INTEGER)"
	db_sql "INSERT INTO canary (id) VALUES (42)"
	for name in 'x"; DROP TABLE canary; --' "x'; DROP TABLE canary; --" 'x]; DROP TABLE canary; --' \
		'x`; DROP TABLE canary; --' 'schema_migrations" (a); DROP TABLE canary; --'; do
		st --table "$name" up
		expect_rc 0
		expect_eq 42 "$(db_sql "SELECT id FROM canary")" "canary after --table '$name'"
		# the history table has exactly that name
		expect_eq 1 "$(db_sql "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '$(printf '%s' "$name" | sed "s/'/''/g")'")" "table named '$name'"
		st --table "$name" status
		expect_rc 0
		expect_out "applied"
		st --table "$name" down
		expect_rc 0
		expect_eq 42 "$(db_sql "SELECT id FROM canary")" "canary after down"
		db_has_table t1 && fail "down with --table '$name' left t1"
	done
	# the default history table was never made
	db_has_table "$TEST_TABLE" && fail "the default history table was created"
	return 0
}

# --- the folder -------------------------------------------------------------------

# A symbolic link as the migrations folder itself is followed (monorepos
# link folders); links inside it must still stay inside the real folder.
t_symlinked_migrations_folder() {
	mkdir -p real other
	mig 0001 a "CREATE TABLE a (id INTEGER);" "DROP TABLE a;"
	mv migrations/* real/
	rmdir migrations
	ln -s real migrations
	ln -s 0001_a.up.sql real/0002_b.up.sql
	st up
	expect_rc 1 # 0002 runs 0001's text again: table a exists
	expect_err "0002_b.up.sql"
	expect_history "1"
	rm real/0002_b.up.sql
	echo "CREATE TABLE evil (id INTEGER);" >other/evil.sql
	ln -s ../other/evil.sql real/0002_evil.up.sql
	st up
	expect_rc 2
	expect_err "outside the migrations folder"
	expect_history "1"
	db_has_table evil && fail "the outside file ran"
	rm real/0002_evil.up.sql
	mig 0002 b "CREATE TABLE b (id INTEGER);"
	st up
	expect_rc 0
	expect_history "1 2"
}

t_migrations_folder_is_a_file() {
	base_state
	rm -rf mfile
	echo "CREATE TABLE x (id INTEGER);" >mfile
	for cmd in up status validate down; do
		st_raw --database "$TEST_URL" --dir mfile $cmd
		rel_no_crash
		expect_rc 2
		expect_err "cannot read migrations folder 'mfile': Not a directory"
	done
	unchanged "a folder that is a file"
}

t_duplicate_versions_after_padding() {
	base_state
	for pair in "0002_b.up.sql 2_c.up.sql" "002_b.up.sql 0002_c.sql" "0002_b.sql 00002_b.up.sql" "V2__b.sql 0002_c.up.sql"; do
		rm -f migrations/*2*
		for f in $pair; do echo "CREATE TABLE b (id INTEGER);" >"migrations/$f"; done
		st up
		rel_no_crash
		expect_rc 2
		expect_err "version"
		expect_err "also used by"
		unchanged "duplicate version: $pair"
	done
	# the versions are numbers: 0010 sorts after 9
	rm -f migrations/*2*
	mig 9 nine "CREATE TABLE nine (id INTEGER);"
	mig 0010 ten "CREATE TABLE ten (id INTEGER);"
	st up
	expect_rc 0
	expect_history "1 9 10"
}
