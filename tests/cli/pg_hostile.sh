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
