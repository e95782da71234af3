# shellcheck shell=bash
# Hostile database names reach pg_dump and psql as one argument each
# (fork/exec, never a shell), and the password only through PGPASSWORD.

t_backup_and_restore_of_a_hostile_database_name() {
	name="t${TEST_ID}'; DROP TABLE canary; -- \$(touch pwned) -x"
	psql -X -q "$PG_ADMIN" -c "CREATE DATABASE \"$name\"" || fail "create"
	enc=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$name")
	url="postgres://postgres:NotUsedPW@127.0.0.1:$STRATA_TEST_PG_PORT/$enc?sslmode=disable"
	mig 0001 a "CREATE TABLE canary (id INTEGER PRIMARY KEY); INSERT INTO canary VALUES (1);" "DROP TABLE canary;"
	st_raw -d "$url" -m migrations up
	expect_rc 0
	st_raw -d "$url" -m migrations backup
	expect_rc 0
	refute_out "NotUsedPW"
	f=$out
	grep -q "CREATE TABLE public.canary" "$f" || fail "the dump lacks the table"
	[ ! -e pwned ] && [ ! -e "$STRATA_SRC_ROOT/pwned" ] || fail "a shell ran"
	st_raw -d "$url" -m migrations down --no-backup
	st_raw -d "$url" -m migrations restore "$f" --yes-replace-data
	expect_rc 0
	expect_eq 1 "$(psql -X -At "host=127.0.0.1 port=$STRATA_TEST_PG_PORT user=postgres dbname='t${TEST_ID}\\'; DROP TABLE canary; -- \$(touch pwned) -x'" -c 'SELECT count(*) FROM canary')" "canary after restore"
	psql -X -q "$PG_ADMIN" -c "DROP DATABASE \"$name\" WITH (FORCE)" >/dev/null
}

# Unterminated dollar quotes are refused at their file and line before
# anything runs: the migration before them stays the only one applied.
t_unterminated_dollar_quotes() {
	mig 0001 a "CREATE TABLE a (id INTEGER);" "DROP TABLE a;"
	st -q up
	expect_rc 0
	for body in 'CREATE TABLE b (id INTEGER);\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1;\n' \
		'CREATE TABLE b (id INTEGER);\nCREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $bod$;\n'; do
		printf -- "$body" >migrations/0002_bad.up.sql
		mig 0003 good "CREATE TABLE good (id INTEGER);" "DROP TABLE good;"
		st up
		expect_rc 2
		expect_err "migrations/0002_bad.up.sql:2:"
		expect_err "unterminated"
		expect_tables "a"
		expect_history "1"
		st validate
		expect_rc 2
		expect_err "0002_bad.up.sql:2:"
	done
}
