# shellcheck shell=bash
# shellcheck disable=SC2016,SC2154 # ${VAR} is strata's; st sets rc, out, err
# Where the database and the migrations folder come from, and that a
# setting lost on the way is an error, never sqlite:strata.db: .env read
# as dotenv reads it, empty settings, configuration that names no
# database, `strata config` naming each source, and `init` honouring
# --dir, STRATA_DIR, .env and strata.conf. Each test checks which
# database files exist afterwards.

one_migration() {
	mig 0001 a "CREATE TABLE a (id INTEGER PRIMARY KEY);" "DROP TABLE a;"
}

# the .db files in the folder, sorted, on one line
db_files() {
	find . -maxdepth 1 -name '*.db' | sed 's|^\./||' | sort | tr '\n' ' ' | sed 's/ $//'
}

# FILE holds table a
expect_table_a_in() {
	[ -f "$1" ] || fail "no database file '$1' (have: $(db_files))"
	expect_eq a "$(sqlite3 "$1" "SELECT name FROM sqlite_master WHERE name = 'a'")" "table a in $1"
}

# .env text, then `up`: the database named by the .env line is migrated
# and no other file is made
dotenv_up() {
	local text=$1 want=$2
	rm -f ./*.db
	printf '%b' "$text" >.env
	st_raw up
	[ "$rc" = 0 ] || fail ".env '$text': exit code $rc: $err"
	expect_table_a_in "$want"
	expect_eq "$want" "$(db_files)" ".env '$text': database files"
}

t_dotenv_forms() {
	one_migration
	dotenv_up 'DATABASE_URL = sqlite:spaced.db\n' spaced.db
	dotenv_up 'DATABASE_URL = "sqlite:quoted.db"  # the database\n' quoted.db
	dotenv_up "DATABASE_URL='sqlite:single.db' # c\n" single.db
	dotenv_up 'DATABASE_URL=sqlite:unquoted.db # comment\n' unquoted.db
	dotenv_up 'export DATABASE_URL=sqlite:exported.db\n' exported.db
	dotenv_up '# comment\n\n   # indented comment\nDATABASE_URL=sqlite:crlf.db\r\n' crlf.db
	dotenv_up 'NAME=expanded\nDATABASE_URL="sqlite:${NAME}_dq.db"\n' expanded_dq.db
	dotenv_up 'NAME=plain\nDATABASE_URL=sqlite:$NAME.db\n' plain.db
	dotenv_up "DATABASE_URL='sqlite:\${NAME}.db'\n" '${NAME}.db'
	dotenv_up 'DATABASE_URL="sqlite:q\\"uote.db"\n' 'q"uote.db'
	dotenv_up 'DATABASE_URL=sqlite:first.db\nDATABASE_URL=sqlite:second.db\n' second.db
	dotenv_up 'DATABASE_URL=sqlite:hash#1.db\n' 'hash#1.db'
	dotenv_up 'OTHER="a\nmulti-line value"\nDATABASE_URL=sqlite:after.db\n' after.db
	[ ! -e strata.db ] || fail "strata.db was used"
}

# The process environment wins over .env, for DATABASE_URL and for the
# variables a .env value uses.
t_environment_wins_over_dotenv() {
	one_migration
	printf 'NAME=file\nDATABASE_URL=sqlite:${NAME}.db\n' >.env
	NAME=env st_raw up
	expect_rc 0
	expect_table_a_in env.db
	DATABASE_URL=sqlite:direct.db st_raw up
	expect_rc 0
	expect_table_a_in direct.db
	expect_eq "direct.db env.db" "$(db_files)"
}

t_dotenv_variables_reach_strata_conf() {
	one_migration
	printf 'DB_FILE=from_dotenv.db\n' >.env
	printf '[strata]\ndatabase = sqlite:${DB_FILE}\n' >strata.conf
	st_raw up
	expect_rc 0
	expect_table_a_in from_dotenv.db
	DB_FILE=from_env.db st_raw up
	expect_rc 0
	expect_table_a_in from_env.db
	printf 'DB_FILE=${NOWHERE}.db\n' >.env
	st_raw up
	expect_rc 2
	expect_err 'NOWHERE'
	expect_err '.env:1'
	expect_eq "from_dotenv.db from_env.db" "$(db_files)"
}

t_malformed_dotenv_names_the_line() {
	one_migration
	printf 'DATABASE_URL=sqlite:x.db\nthis is not a setting\n' >.env
	st_raw up
	expect_rc 2
	expect_err ".env:2: error: expected '=' after this"
	printf 'A=1\n\nDATABASE_URL="sqlite:x.db\n' >.env
	st_raw up
	expect_rc 2
	expect_err ".env:3: error: the double-quoted value of DATABASE_URL has no closing quote"
	printf "DATABASE_URL='sqlite:x.db' trailing\n" >.env
	st_raw status
	expect_rc 2
	expect_err ".env:1: error: unexpected text after the value of DATABASE_URL"
	printf 'DATABASE_URL=sqlite:${BAD-REF}.db\n' >.env
	st_raw up
	expect_rc 2
	expect_err ".env:1: error: bad variable reference"
	expect_eq "" "$(db_files)"
	rm .env
	mkdir .env
	st_raw up
	expect_rc 2
	expect_err "cannot read .env"
	expect_eq "" "$(db_files)"
}

t_variable_set_nowhere_in_dotenv() {
	one_migration
	printf 'DATABASE_URL=sqlite:${NOT_SET_ANYWHERE}.db\n' >.env
	st_raw up
	expect_rc 2
	expect_err ".env:1: error: DATABASE_URL uses \${NOT_SET_ANYWHERE}, which is not set"
	expect_eq "" "$(db_files)"
	[ ! -e sqlite:.db ] || fail "used the URL with the variable left out"
}

t_empty_settings_are_errors() {
	one_migration
	DATABASE_URL= st_raw up
	expect_rc 2
	expect_err "DATABASE_URL is set but empty in the environment"
	printf '# the database\nDATABASE_URL=\n' >.env
	st_raw up
	expect_rc 2
	expect_err ".env:2: error: DATABASE_URL is empty"
	printf 'DATABASE_URL=""\n' >.env
	st_raw status
	expect_rc 2
	expect_err ".env:1: error: DATABASE_URL is empty"
	rm .env
	printf '[strata]\ndir = migrations\ndatabase =\n' >strata.conf
	st_raw up
	expect_rc 2
	expect_err "strata.conf:3: error: database is empty"
	printf '[strata]\ndatabase = ${EMPTY}\n' >strata.conf
	EMPTY= st_raw up
	expect_rc 2
	expect_err "strata.conf:2: error: database is empty"
	printf '[strata]\ndatabase = sqlite:conf.db\ndir =\n' >strata.conf
	st_raw up
	expect_rc 2
	expect_err "strata.conf:3: error: dir is empty"
	rm strata.conf
	st_raw --database "" up
	expect_rc 2
	expect_err "--database is empty"
	STRATA_DIR= st_raw -d sqlite:flag.db up
	expect_rc 2
	expect_err "STRATA_DIR is set but empty"
	expect_eq "" "$(db_files)"
}

# Some configuration, none of it naming a database: commands that write
# stop and say how to name one; reading ones use the default and say so.
t_configuration_without_a_database() {
	one_migration
	printf '[strata]\ndir = migrations\n' >strata.conf
	st_raw up
	expect_rc 2
	expect_err "'up' needs a database, and no setting names one (configuration found: strata.conf)"
	expect_err "--database URL, DATABASE_URL in the environment or .env, or database = URL in strata.conf"
	for cmd in down "force 1" "baseline 1" redo "repair" "fresh --yes-delete-all-data"; do
		# shellcheck disable=SC2086 # the command's words
		st_raw $cmd
		expect_rc 2
		expect_err "needs a database"
	done
	st_raw status
	expect_rc 0
	expect_out "pending"
	expect_err "using the default database sqlite:strata.db"
	rm strata.conf
	printf 'OTHER=1\n' >.env
	st_raw up
	expect_rc 2
	expect_err "(configuration found: .env)"
	rm .env
	STRATA_DIR=migrations st_raw up
	expect_rc 2
	expect_err "(configuration found: STRATA_DIR)"
	st_raw -m migrations up
	expect_rc 2
	expect_err "(configuration found: --dir)"
	expect_eq "" "$(db_files)"
}

# The README's quick start: no configuration at all.
t_quick_start_keeps_the_default() {
	one_migration
	st_raw up
	expect_rc 0
	expect_err "using the default database sqlite:strata.db"
	expect_table_a_in strata.db
}

t_config_names_each_source() {
	one_migration
	printf '[strata]\n; the database\ndatabase = sqlite:conf.db\ndir = migrations\n' >strata.conf
	st_raw config
	expect_rc 0
	expect_out "sqlite:conf.db (from strata.conf:3)"
	expect_out "migrations (from strata.conf:4)"
	printf '\n\nDATABASE_URL = sqlite:dotenv.db\nSTRATA_DIR=migrations\n' >.env
	st_raw config
	expect_out "sqlite:dotenv.db (from .env:3)"
	expect_out "migrations (from .env:4)"
	DATABASE_URL=sqlite:env.db STRATA_DIR=migrations st_raw config --json
	expect_rc 0
	expect_eq "DATABASE_URL STRATA_DIR" \
		"$(printf '%s' "$out" | python3 -c 'import json,sys; o=json.load(sys.stdin); print(o["database_from"], o["dir_from"])')"
	st_raw -d sqlite:flag.db -m migrations config
	expect_out "sqlite:flag.db (from --database)"
	expect_out "migrations (from --dir)"
	rm .env strata.conf
	st_raw config
	expect_out "sqlite:strata.db (from default)"
	expect_out "migrations (from default)"
	printf '[strata]\ndatabase = sqlite:other.db\n' >other.conf
	st_raw --config other.conf config
	expect_out "sqlite:other.db (from other.conf:2)"
	expect_eq "" "$(db_files)"
}

# init creates the folder every other command uses, and writes it down.
t_init_honours_the_folder_settings() {
	st_raw init -m db/migrations
	expect_rc 0
	[ -d db/migrations ] || fail "no db/migrations"
	[ ! -e migrations ] || fail "created ./migrations"
	grep -qx 'dir = db/migrations' strata.conf || fail "strata.conf: $(grep '^dir' strata.conf)"
	st_raw new first --seq
	expect_rc 0
	[ -f db/migrations/0001_first.up.sql ] || fail "new did not use db/migrations"
	rm -r strata.conf db
	STRATA_DIR=sql st_raw init
	expect_rc 0
	[ -d sql ] || fail "STRATA_DIR: no sql/"
	grep -qx 'dir = sql' strata.conf || fail "STRATA_DIR: $(grep '^dir' strata.conf)"
	rm -r strata.conf sql
	printf 'STRATA_DIR=from_dotenv\n' >.env
	st_raw init
	expect_rc 0
	[ -d from_dotenv ] || fail ".env: no from_dotenv/"
	grep -qx 'dir = from_dotenv' strata.conf || fail ".env: $(grep '^dir' strata.conf)"
	rm -r .env from_dotenv
	printf '[strata]\ndir = from_conf\n' >strata.conf
	st_raw init
	expect_rc 0
	expect_out "left as it is"
	[ -d from_conf ] || fail "strata.conf: no from_conf/"
	[ ! -e migrations ] || fail "created ./migrations"
	rm -r strata.conf from_conf
	st_raw --config app.conf init -m app
	expect_rc 0
	[ -d app ] && grep -qx 'dir = app' app.conf || fail "--config app.conf: $(ls)"
	[ ! -e strata.conf ] || fail "wrote strata.conf instead of app.conf"
}

t_init_refuses_a_folder_it_cannot_write_down() {
	st_raw init -m "$(printf 'x\ndatabase = sqlite:evil.db')"
	expect_rc 2
	expect_err "it has a control character"
	[ ! -e strata.conf ] || fail "wrote strata.conf"
	st_raw init -m ""
	expect_rc 2
	expect_err "--dir is empty"
	[ ! -e migrations ] || fail "created ./migrations"
}
