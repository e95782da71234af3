# shellcheck shell=bash
# shellcheck disable=SC2154 # st sets rc, out and err
# mysqldump and mysql (backup, restore) get the URL's user and password
# whole, however long: they used to be cut to fixed buffers in silence, so
# a long password reached the driver but not the tools.

my_root() {
	mariadb --no-defaults -N -B -h 127.0.0.1 -P "$STRATA_TEST_MYSQL_PORT" \
		-u root -e "$1"
}

# A user of the shared server of its own, dropped when the test ends.
long_user=
drop_long_user() {
	[ -n "$long_user" ] && my_root "DROP USER IF EXISTS '$long_user'@'%'" >/dev/null 2>&1
	db_teardown
}

t_long_password_backup_and_restore() {
	local pw url f
	# MariaDB names are at most 80 characters; this one is unique per test
	long_user=strata_admin_long_user_${TEST_ID}
	long_user=${long_user:0:80}
	# 700 characters: longer than any buffer the tools' arguments had
	pw=$(printf 'Pw%.0s0123456789' $(seq 1 60))
	[ ${#pw} -ge 700 ] || fail "password of ${#pw} characters"
	trap drop_long_user EXIT
	my_root "CREATE USER '$long_user'@'%' IDENTIFIED BY '$pw';
		GRANT ALL ON \`$TEST_DBNAME\`.* TO '$long_user'@'%'" || fail "cannot create the user"
	url="mysql://$long_user:$pw@127.0.0.1:$STRATA_TEST_MYSQL_PORT/$TEST_DBNAME"

	mig 0001 one "CREATE TABLE one (id INT);" "DROP TABLE one;"
	st_raw -d "$url" -m migrations up
	expect_rc 0
	db_sql "INSERT INTO one VALUES (42)"
	st_raw -d "$url" -m migrations backup
	expect_rc 0
	refute_err "$pw"
	refute_out "$pw"
	f=$(printf '%s\n' "$out" | grep '^backups/' | head -1)
	[ -f "$f" ] || fail "no backup file: $out"
	grep -q "CREATE TABLE \`one\`" "$f" || fail "the backup lacks table one"
	grep -q "$pw" "$f" && fail "the backup holds the password"
	db_sql "DELETE FROM one"
	st_raw -d "$url" -m migrations restore --yes-replace-data "$f"
	expect_rc 0
	refute_err "$pw"
	expect_eq 42 "$(db_sql "SELECT id FROM one")" "restored row"
	expect_tables "one"
	expect_history "1"
}
