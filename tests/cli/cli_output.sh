# shellcheck shell=bash
# Names in text output: file, folder and database names, history rows and
# server messages holding ESC, a newline followed by a forged
# "strata: ..." line, a tab or invalid UTF-8 are printed escaped (quoted
# as git quotes paths), so that none can colour the terminal or pass for
# a line of strata's; --json keeps them raw but valid; a plan's comments
# cannot be broken out of.

FORGED='strata: applied everything'

# Migration files whose names would forge output. None is a valid
# migration name: each is refused, with its name in the message.
hostile_files() {
	mkdir -p migrations
	printf 'CREATE TABLE a (x INTEGER);\n' >migrations/0001_a.up.sql
	printf 'CREATE TABLE b (x INTEGER);\n' >"migrations/0002_b"$'\033'"[31mx.up.sql"
	printf 'CREATE TABLE c (x INTEGER);\n' >"migrations/0003_c"$'\n'"$FORGED.up.sql"
	printf 'CREATE TABLE d (x INTEGER);\n' >"migrations/0004_d"$'\t'"x.up.sql"
	printf 'CREATE TABLE e (x INTEGER);\n' >"migrations/0005_e"$'\xff'".up.sql"
}

# Nothing on stdout or stderr passes for a line of strata's, reaches the
# terminal as a control character (no colours here: not a terminal) or
# is invalid UTF-8.
expect_safe() {
	local all
	all=$(printf '%s\n%s\n' "$out" "$err")
	if printf '%s\n' "$all" | LC_ALL=C grep -aq "^$FORGED"; then
		fail "a name forged a line"
	fi
	case "$all" in *$'\033'*) fail "a raw ESC reached the output" ;; esac
	case "$all" in *$'\t'x*) fail "a raw tab from a name reached the output" ;; esac
	printf '%s' "$all" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1 ||
		fail "the output is not valid UTF-8"
}

# $out is valid JSON and jq's FILTER holds for it.
expect_json() {
	printf '%s' "$out" | jq -e . >/dev/null 2>&1 || fail "not valid JSON"
	printf '%s' "$out" | jq -e "$1" >/dev/null 2>&1 || fail "JSON: $1 does not hold"
}

t_bad_file_names_escaped_in_up_validate_status() {
	hostile_files
	st up
	expect_rc 2
	expect_safe
	expect_err '"migrations/000'
	expect_err '.up.sql": error: bad migration file name'
	expect_err "more problems in the folder"
	expect_tables ""
	expect_eq "" "$(db_sql "SELECT name FROM sqlite_master WHERE name = '$TEST_TABLE'")" "history table"

	st validate
	expect_rc 2
	expect_safe
	expect_err '"migrations/0002_b\033[31mx.up.sql": error: bad migration file name: the name contains a control character (byte 0x1b)'
	expect_err '"migrations/0003_c\nstrata: applied everything.up.sql": error: bad migration file name'
	expect_err '"migrations/0004_d\tx.up.sql": error: bad migration file name'
	expect_err '"migrations/0005_e\377.up.sql": error: bad migration file name: the name contains '"'"'\377'"'"
	# a plain name is printed as it always was
	expect_err 'migrations/0001_a.up.sql: warning: no down migration'
	expect_err "strata: 4 errors, 1 warning"

	st status
	expect_rc 2
	expect_safe
	expect_err '.up.sql": error: bad migration file name'

	st plan --offline
	expect_rc 2
	expect_safe
	expect_tables ""
}

t_json_keeps_names_raw_and_valid() {
	hostile_files
	st validate --json
	expect_rc 2
	expect_json '.problems | length == 5'
	# every problem keeps its file, raw; invalid UTF-8 becomes U+FFFD
	expect_json '[.problems[] | select(has("file") and (.file | length) > 0)] | length == 5'
	expect_json '[.problems[].file] | index("migrations/0003_c\nstrata: applied everything.up.sql") != null'
	expect_json '[.problems[].file] | index("migrations/0002_b\u001b[31mx.up.sql") != null'
	expect_json '[.problems[].file] | index("migrations/0005_e\ufffd.up.sql") != null'
	# messages are text: escaped as in the terminal
	expect_json '[.problems[].message] | index("bad migration file name: the name contains '"'"'\\377'"'"'; use letters, digits, '"'"'_'"'"', '"'"'-'"'"' and '"'"'.'"'"'") != null'
}

# The folder's name is part of every path strata prints.
t_folder_name_escaped_in_every_message() {
	local m="m"$'\n'"$FORGED"$'\033'"x"$'\xff' q='"m\nstrata: applied everything\033x\377'
	mkdir "$m"
	printf 'CREATE TABLE a (x INTEGER);\n' >"$m/0001_a.up.sql"
	printf 'DROP TABLE a;\n' >"$m/0001_a.down.sql"
	printf 'CREATE TABLE b (x INTEGER);\nSELECT x FROM nosuch;\n' >"$m/0002_b.up.sql"

	st_raw --database "$TEST_URL" --dir "$m" -v up
	expect_rc 1
	expect_safe
	expect_out "applied     0001_a"
	expect_err "strata: applying 0002_b ..."
	expect_err "$q/0002_b.up.sql\":2:1: error: no such table: nosuch"
	expect_tables "a"
	expect_history "1"

	st_raw --database "$TEST_URL" --dir "$m" validate
	expect_rc 0
	expect_safe
	expect_err "$q/0002_b.up.sql\": warning: no down migration"

	st_raw --database "$TEST_URL" --dir "$m" status --json
	expect_rc 0
	expect_json '.migrations[0].file == "m\nstrata: applied everything\u001bx\ufffd/0001_a.up.sql"'
	expect_json '.migrations[0].down_file == "m\nstrata: applied everything\u001bx\ufffd/0001_a.down.sql"'

	st_raw --database "$TEST_URL" --dir "$m" config
	expect_rc 0
	expect_safe
	expect_out "dir          $q\""

	st_raw --database "$TEST_URL" --dir "$m" new --seq add_c
	expect_rc 0
	expect_safe
	expect_out "created $q/0003_add_c.up.sql\""
	[ -f "$m/0003_add_c.up.sql" ] || fail "new did not write the file"
}

t_history_rows_escaped() {
	mig 0001 a "CREATE TABLE a (x INTEGER);" "DROP TABLE a;"
	st up
	expect_rc 0
	# a row another tool (or a hand) wrote, with hostile text
	db_sql "INSERT INTO $TEST_TABLE (version, name, kind, file, checksum, checksum_algorithm, applied_at, execution_ms, applied_by, target, database_type, dirty)
		VALUES (7, 'n' || char(27) || '[31m' || char(10) || '$FORGED' || CAST(X'FF' AS TEXT), 'versioned', 'f' || char(10) || 'x',
		'abc' || char(27), 'sha256', '2020-01-01 00:00:00' || char(10) || '$FORGED', 1, 'me' || char(27) || '[2J', 'default', 'sqlite', 0)"
	local q='"n\033[31m\nstrata: applied everything\377"'

	st status
	expect_rc 0
	expect_safe
	# cut to 40 bytes, between two escapes
	expect_out '7        "n\033[31m\nstrata: applied everything    missing'
	expect_out "1 applied, 0 pending, 1 missing"

	st history
	expect_rc 0
	expect_safe
	# the whole name: history cuts none
	expect_out '"n\033[31m\nstrata: applied everything\377"  versioned'
	expect_out '"me\033[2J"'
	expect_out '"abc\033"'
	st history --json
	expect_rc 0
	expect_json '.history | length == 2'
	expect_json '.history[] | select(.version == "7") | .name == "n\u001b[31m\nstrata: applied everything\ufffd"'
	expect_json '.history[] | select(.version == "7") | .applied_by == "me\u001b[2J"'

	st validate
	expect_rc 3
	expect_safe
	expect_err 'migration 7 (n\033[31m\nstrata: applied everything\377) is applied in the database but has no file'

	st up
	expect_rc 3
	expect_safe
	expect_err 'strata: error: migration 7 (n\033[31m\nstrata: applied everything\377) is recorded as applied'

	st down
	expect_rc 3
	expect_safe
	expect_err 'strata: error: migration 7 (n\033[31m\nstrata: applied everything\377) is applied but its file is gone'
	expect_tables "a"
}

# A plan's comments name the database: a newline in its name must not
# end the comment and put SQL of its own into the script.
t_plan_comments_cannot_inject_sql() {
	local f="$PWD/x"$'\n'"DROP TABLE canary;"$'\n'"--.db"
	mig 0001 a "CREATE TABLE a (x INTEGER);" "DROP TABLE a;"
	sqlite3 "$f" "CREATE TABLE canary (id INTEGER); INSERT INTO canary VALUES (42);"

	st_raw --database "sqlite:$f" --dir migrations plan
	expect_rc 0
	printf '%s\n' "$out" >up.sql
	sqlite3 -bail "$f" <up.sql || fail "the plan did not run"
	expect_eq 42 "$(sqlite3 "$f" "SELECT id FROM canary" 2>&1)" "canary after the plan"
	expect_eq "a" "$(sqlite3 "$f" "SELECT name FROM sqlite_master WHERE name = 'a'")" "table a"
	expect_eq 1 "$(sqlite3 "$f" "SELECT version FROM $TEST_TABLE")" "history"
	expect_safe
	expect_out '-- strata plan: 1 migration to apply, for "sqlite:'
	printf '%s\n' "$out" | grep -q '^DROP TABLE canary' && fail "the plan has a line of the database's name"

	st_raw --database "sqlite:$f" --dir migrations plan --down
	expect_rc 0
	printf '%s\n' "$out" >down.sql
	sqlite3 -bail "$f" <down.sql || fail "the down plan did not run"
	expect_eq 42 "$(sqlite3 "$f" "SELECT id FROM canary")" "canary after the down plan"
	expect_eq "" "$(sqlite3 "$f" "SELECT name FROM sqlite_master WHERE name = 'a'")" "table a"

	st_raw --database "sqlite:$f" --dir migrations up --dry-run
	expect_rc 0
	expect_safe
	printf '%s\n' "$out" | grep -q '^DROP TABLE canary' && fail "the dry run has a line of the database's name"
	expect_eq 42 "$(sqlite3 "$f" "SELECT id FROM canary")" "canary after the dry run"
}

# What the database says may hold data from the migration: a table name
# with a newline, a string with ESC. The line shown under the error too.
t_server_messages_and_source_lines_escaped() {
	mkdir -p migrations
	printf 'CREATE TABLE "t\n%s" (x INTEGER);\nCREATE TABLE "t\n%s" (x INTEGER);\n' "$FORGED" "$FORGED" \
		>migrations/0001_a.up.sql
	st up
	expect_rc 1
	expect_safe
	expect_err 'migrations/0001_a.up.sql:3:14: error: table "t\nstrata: applied everything" already exists'
	expect_tables ""
	expect_history ""

	rm migrations/0001_a.up.sql
	printf 'CREATE TABLE c (x TEXT CHECK (x <> \x27\033[2J\x27));\nINSERT INTO c VALUES (\x27ok\x27),\t(\x27\033[2J\x27);\n' \
		>migrations/0001_c.up.sql
	st up
	expect_rc 1
	expect_safe
	expect_err "migrations/0001_c.up.sql:2:1: error: CHECK constraint failed: x <> '\\033[2J'"
	expect_err "     2 | INSERT INTO c VALUES ('ok'),"$'\t'"('\\033[2J');"
	expect_tables ""

	# a file that is not UTF-8: the caret under the escaped byte
	printf 'SELECT 1;\nINSERT INTO c VALUES (\x27\033\x27),\t(\x27\xff\x27);\n' >migrations/0001_c.up.sql
	st up
	expect_rc 2
	expect_safe
	expect_err "migrations/0001_c.up.sql:2:31: error: is not valid UTF-8"
	expect_err "     2 | INSERT INTO c VALUES ('\\033'),"$'\t'"('\\377');"
	expect_err "       | $(printf '%30s' '')"$'\t'"  ^"
	expect_tables ""
}

t_backup_list_names_quoted() {
	mig 0001 a "CREATE TABLE a (x INTEGER);" "DROP TABLE a;"
	st up
	st backup
	expect_rc 0
	local day
	day=$(ls backups)
	: >"backups/$day/"$'\n'"$FORGED"$'\033'".db"
	st backup --list
	expect_rc 0
	expect_safe
	expect_out "\"backups/$day/\\nstrata: applied everything\\033.db\""
}

t_usage_errors_escaped() {
	st_raw "st"$'\n'"$FORGED"
	expect_rc 2
	expect_safe
	expect_err "unknown command 'st\\nstrata: applied everything'"
	st up "1"$'\n'"$FORGED"
	expect_rc 2
	expect_safe
	expect_err "'1\\nstrata: applied everything': expected a number of migrations"
}
