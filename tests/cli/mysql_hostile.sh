# shellcheck shell=bash
# Hostile database names reach mysqldump and mysql as one argument each
# (fork/exec, never a shell), and the password only through MYSQL_PWD.

t_backup_and_restore_of_a_hostile_database_name() {
	name="t${TEST_ID}-x; \$(touch pwned)"
	mariadb --no-defaults -h 127.0.0.1 -P "$STRATA_TEST_MYSQL_PORT" -u root -e "CREATE DATABASE \`$name\`" || fail "create"
	enc=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$name")
	url="mysql://root@127.0.0.1:$STRATA_TEST_MYSQL_PORT/$enc"
	mig 0001 a "CREATE TABLE canary (id INTEGER PRIMARY KEY); INSERT INTO canary VALUES (1);" "DROP TABLE canary;"
	st_raw -d "$url" -m migrations up
	expect_rc 0
	st_raw -d "$url" -m migrations backup
	expect_rc 0
	f=$out
	grep -q "CREATE TABLE \`canary\`" "$f" || fail "the dump lacks the table: $(head -c 300 "$f")"
	[ ! -e pwned ] || fail "a shell ran"
	st_raw -d "$url" -m migrations down --no-backup
	expect_rc 0
	st_raw -d "$url" -m migrations restore "$f" --yes-replace-data
	expect_rc 0
	expect_eq 1 "$(mariadb --no-defaults -N -B -h 127.0.0.1 -P "$STRATA_TEST_MYSQL_PORT" -u root "$name" -e 'SELECT count(*) FROM canary')" "canary after restore"
	mariadb --no-defaults -h 127.0.0.1 -P "$STRATA_TEST_MYSQL_PORT" -u root -e "DROP DATABASE \`$name\`"
}
