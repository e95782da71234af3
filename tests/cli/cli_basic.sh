# shellcheck shell=bash
# The command line itself and the migrations folder: help, init, new,
# bad options and every kind of bad input file. Each bad input: a clear
# message naming the file (and line), exit code 2, nothing changed.

t_help_and_version() {
	st_raw --help
	expect_rc 0
	expect_out "usage: strata"
	expect_out "exit codes"
	for c in init new up down redo status history validate force repair plan baseline stamp config version help; do
		st_raw "$c" --help
		expect_rc 0
		expect_out "usage: strata $c"
	done
	st_raw --version
	expect_rc 0
	expect_out "strata 0."
	st_raw version
	expect_out "strata 0."
}

t_unknown_command_and_option() {
	st_raw stauts
	expect_rc 2
	expect_err "unknown command 'stauts'"
	expect_err "did you mean 'status'"
	st_raw up --bogus
	expect_rc 2
	expect_err "unknown option '--bogus'"
	st_raw up --to
	expect_rc 2
	expect_err "needs a value"
	st_raw up --to abc
	expect_rc 2
	st_raw up 0
	expect_rc 2
	st_raw --lock-timeout -3 up
	expect_rc 2
	expect_err "--lock-timeout"
	st_raw
	expect_rc 2
}

t_init_creates_folder_and_config() {
	st_raw init
	expect_rc 0
	[ -d migrations ] || fail "no migrations folder"
	grep -q '^\[strata\]' strata.conf || fail "no [strata] section"
	grep -q 'lock_timeout' strata.conf || fail "settings not documented"
	echo "# mine" >>strata.conf
	st_raw init
	expect_rc 0
	expect_out "left as it is"
	grep -q '# mine' strata.conf || fail "init overwrote strata.conf"
}

# init puts backups/ in .gitignore: the file made when missing, the line
# added after what is there, never twice.
t_init_ignores_backups_in_gitignore() {
	st_raw init
	expect_rc 0
	expect_out "created .gitignore (backups/)"
	expect_eq "backups/" "$(cat .gitignore)" ".gitignore made by init"
	st_raw init
	expect_rc 0
	expect_out ".gitignore ignores backups/ already"
	expect_eq "backups/" "$(cat .gitignore)" ".gitignore after a second init"
	# kept as it is, a last line without its newline included
	printf 'node_modules/\r\n*.log' >.gitignore
	st_raw init
	expect_rc 0
	expect_out "added backups/ to .gitignore"
	expect_eq "$(printf 'node_modules/\r\n*.log\nbackups/\n' | od -c)" "$(od -c <.gitignore)" ".gitignore after init"
	# git's other ways of writing it count
	printf '/backups  \n' >.gitignore
	st_raw init
	expect_out "ignores backups/ already"
	expect_eq "/backups  " "$(cat .gitignore)" "a /backups line"
	# one init cannot update: nothing is made
	rm -rf .gitignore migrations strata.conf
	mkdir .gitignore
	st_raw init
	expect_rc 2
	expect_err "cannot add backups/ to .gitignore: it is a folder"
	if [ -e migrations ] || [ -e strata.conf ]; then
		fail "init made files before refusing"
	fi
}

t_new_timestamp_and_sequential() {
	st new add_moods
	expect_rc 0
	f=$(ls migrations/*_add_moods.up.sql)
	case "$(basename "$f")" in
	[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]_add_moods.up.sql) ;;
	*) fail "not a 14-digit timestamp: $f" ;;
	esac
	ls migrations/*_add_moods.down.sql >/dev/null || fail "no down file"
	grep -q "strata:no-transaction" "$f" || fail "template lacks the helpful comment"
	rm -rf migrations
	mig 001 first "SELECT 1;"
	st new --seq "second one"
	expect_rc 0
	[ -f migrations/002_second_one.up.sql ] || fail "expected 002_second_one.up.sql: $(ls migrations)"
	st new --seq 'bad/name'
	expect_rc 2
	expect_err "contains '/'"
}

bad_name() {
	rm -rf migrations
	mkdir migrations
	: >"migrations/$1"
	st up
	expect_rc 2
	expect_err "${2:-$1}" # $2: the name as printed, when it is quoted
	[ ! -e test.db ] || fail "the database was touched"
}

t_bad_file_names() {
	bad_name "0001_x.up.sq"
	bad_name "0001x.up.sql"
	bad_name "12345678901234567890123456789012345678901234567890123456789012345_big.up.sql"
	expect_err "is too long (at most 64 characters without leading zeros)"
	bad_name "0001_has space.up.sql"
	bad_name "$(printf '0001_ctl\001x.up.sql')" '"migrations/0001_ctl\001x.up.sql": error'
	expect_err "control character"
	bad_name "0001_.up.sql"
	bad_name "V1..2__dotted.sql"
	expect_err "the version must be digits, in parts separated by '.' or '_'"
	bad_name "1.2_dotted.up.sql"
	expect_err "a dotted version is read in Flyway's names only"
}

t_duplicate_versions_and_orphan_down() {
	mig 0001 a "SELECT 1;"
	mig 1 b "SELECT 1;"
	st up
	expect_rc 2
	expect_err "version"
	expect_err "also used by"
	rm -rf migrations
	mkdir migrations
	echo "SELECT 1;" >migrations/0003_x.down.sql
	st validate
	expect_rc 2
	expect_err "down migration without an up migration"
}

t_unreadable_and_special_files() {
	mkdir -p migrations/0001_dir.up.sql
	st up
	expect_rc 2
	expect_err "0001_dir.up.sql: error: not a regular file"
	rm -rf migrations
	mkdir migrations
	mkfifo migrations/0001_fifo.up.sql
	timeout 10 "$STRATA_BIN" -d "$TEST_URL" -m migrations up >o 2>e
	expect_eq 2 $? "exit code for a FIFO"
	grep -q "not a regular file" e || fail "fifo: $(cat e)"
	rm -rf migrations
	mkdir migrations
	ln -s /nonexistent/file.sql migrations/0001_dangling.up.sql
	st up
	expect_rc 2
	expect_err "0001_dangling.up.sql"
	rm -rf migrations outside
	mkdir migrations outside
	echo "CREATE TABLE x (id INTEGER);" >outside/evil.sql
	ln -s ../outside/evil.sql migrations/0001_link.up.sql
	st up
	expect_rc 2
	expect_err "outside the migrations folder"
	[ ! -e test.db ] || fail "database touched"
}

t_file_contents_refused() {
	mkdir -p migrations
	printf 'CREATE TABLE a (id INTEGER);\nSELECT 1;\0\n' >migrations/0001_nul.up.sql
	st up
	expect_rc 2
	expect_err "0001_nul.up.sql:2:"
	expect_err "NUL byte"
	rm migrations/*
	printf 'SELECT 1;\n-- caf\xe9\n' >migrations/0001_latin1.up.sql
	st up
	expect_rc 2
	expect_err "0001_latin1.up.sql:2:"
	expect_err "not valid UTF-8"
	rm migrations/*
	printf -- '-- strata:no-transction\nCREATE TABLE a (id INTEGER);\n' >migrations/0001_typo.up.sql
	st up
	expect_rc 2
	expect_err "0001_typo.up.sql:1:"
	expect_err "unknown directive"
	rm migrations/*
	printf 'CREATE TABLE a (id INTEGER);\n-- strata:no-transaction\n' >migrations/0001_late.up.sql
	st up
	expect_rc 2
	expect_err "before the first statement"
	rm migrations/*
	printf 'BEGIN;\nCREATE TABLE a (id INTEGER);\nCOMMIT;\n' >migrations/0001_txn.up.sql
	st up
	expect_rc 2
	expect_err "0001_txn.up.sql:1:"
	expect_err "explicit transaction control"
	rm migrations/*
	printf "CREATE TABLE a (id INTEGER);\nINSERT INTO a VALUES ('unterminated);\n" >migrations/0001_open.up.sql
	st up
	expect_rc 2
	expect_err "unterminated"
	rm migrations/*
	printf 'VACUUM;\n' >migrations/0001_vacuum.up.sql
	st up
	expect_rc 2
	expect_err "cannot run inside a transaction"
	expect_err "strata:no-transaction"
	[ ! -e test.db ] || [ -z "$(db_tables)" ] || fail "something ran"
}

t_empty_and_comment_only_files() {
	mkdir -p migrations
	: >migrations/0001_empty.up.sql
	printf -- '-- nothing yet\n/* still nothing */\n' >migrations/0002_comments.up.sql
	# refused: applying them would record a change that never happened
	st up
	expect_rc 2
	expect_err "0001_empty.up.sql"
	expect_err "no statement"
	[ ! -e test.db ] || expect_history ""
	# unless they say they are empty on purpose
	printf -- '-- strata:empty\n' >migrations/0001_empty.up.sql
	printf -- '-- strata:empty\n-- nothing yet\n/* still nothing */\n' >migrations/0002_comments.up.sql
	st up
	expect_rc 0
	expect_history "1 2"
}

t_large_file_and_deep_nesting() {
	mkdir -p migrations
	{
		echo "CREATE TABLE big (id INTEGER PRIMARY KEY, v TEXT);"
		for i in $(seq 1 20000); do echo "INSERT INTO big (id, v) VALUES ($i, 'row $i');"; done
	} >migrations/0001_big.up.sql
	p=$(printf '(%.0s' $(seq 1 500))
	q=$(printf ')%.0s' $(seq 1 500))
	echo "SELECT ${p}1${q};" >migrations/0002_nested.up.sql
	st up
	expect_eq 20000 "$(db_sql "SELECT count(*) FROM big")" "rows"
	expect_history "1"
	expect_rc 1
	expect_err "0002_nested.up.sql:1:"
}

t_validate_offline_lists_every_problem() {
	mkdir -p migrations
	echo "SELECT 1;" >migrations/0001_a.up.sql
	echo "SELECT 1;" >migrations/0001_b.up.sql
	: >migrations/0002_bad.sq
	echo "SELECT 1;" >migrations/0003_nodown.up.sql
	st validate --offline
	expect_rc 2
	expect_err "also used by"
	expect_err "0002_bad.sq"
	st validate --offline --json
	expect_rc 2
	expect_eq 2 "$(printf '%s' "$out" | python3 -c 'import json,sys; print(sum(p["severity"]=="error" for p in json.load(sys.stdin)["problems"]))')"
}

t_missing_folder() {
	st up
	expect_rc 2
	expect_err "migrations folder 'migrations' does not exist"
}

t_no_color_and_quiet() {
	mig 0001 a "CREATE TABLE a (id INTEGER PRIMARY KEY);"
	st -q up
	expect_rc 0
	expect_eq "" "$err"
	expect_eq "" "$out"
	NO_COLOR=1 st status
	refute_out $'\033['
}

t_docs_cover_every_error_code_and_command() {
	for code in $(grep -o 'X(STRATA_E[A-Z]*' "$STRATA_SRC_ROOT/include/strata/errors.h" | cut -c3-) STRATA_ERROR; do
		grep -q "\`$code\`" "$STRATA_SRC_ROOT/docs/ERRORS.md" || fail "$code is not in docs/ERRORS.md"
	done
	st_raw help
	for c in $(printf '%s\n' "$out" | sed -n 's/^  \([a-z]*\)  .*/\1/p'); do
		grep -q "^\.B.* $c\|^\.BR $c\|^\.BI $c\|^\.B $c" "$STRATA_SRC_ROOT/docs/strata.1" ||
			grep -q "$c" "$STRATA_SRC_ROOT/docs/strata.1" || fail "command $c is not in docs/strata.1"
		grep -q "\`$c" "$STRATA_SRC_ROOT/README.md" || fail "command $c is not in README.md"
	done
}
