# shellcheck shell=bash
# shellcheck disable=SC2154 # st sets rc, out and err
# mysql:// URLs reach the server they name: a port with the host
# localhost (or no host) means that port over TCP, not libmariadb's
# default Unix socket; ?socket= still selects a socket. The backup and
# restore tools go to the same server as the driver.
#
# MYSQL_UNIX_PORT moves libmariadb's default socket: pointing it at a
# file that does not exist (or at the shared server) shows which way a
# connection went, whatever the machine has at /run/mysqld.

my_root() {
	mariadb --no-defaults -N -B -h 127.0.0.1 -P "$STRATA_TEST_MYSQL_PORT" \
		-u root -e "$1"
}

t_localhost_with_port_reaches_that_port() {
	mig 0001 one "CREATE TABLE one (id INT);" "DROP TABLE one;"
	MYSQL_UNIX_PORT=$PWD/no-such.sock \
		st_raw -d "mysql://root@localhost:$STRATA_TEST_MYSQL_PORT/$TEST_DBNAME" -m migrations up
	expect_rc 0
	refute_err "no-such.sock"
	expect_tables "one"
	expect_history "1"
	expect_err "root@localhost:$STRATA_TEST_MYSQL_PORT/$TEST_DBNAME"
}

t_no_host_with_port_reaches_that_port() {
	mig 0001 one "CREATE TABLE one (id INT);"
	MYSQL_UNIX_PORT=$PWD/no-such.sock \
		st_raw -d "mariadb://root@:$STRATA_TEST_MYSQL_PORT/$TEST_DBNAME" -m migrations up
	expect_rc 0
	expect_tables "one"
}

# The server on the default socket is not the one the URL names: before
# the fix it was migrated although the URL said port 1.
t_port_is_not_replaced_by_the_default_socket() {
	[ -S "${STRATA_TEST_MYSQL_SOCKET:-}" ] || skip "no server socket (STRATA_TEST_MYSQL_SOCKET)"
	mig 0001 one "CREATE TABLE one (id INT);"
	MYSQL_UNIX_PORT=$STRATA_TEST_MYSQL_SOCKET \
		st_raw -d "mysql://root@localhost:1/$TEST_DBNAME?connect_timeout=5" -m migrations up
	expect_rc 5
	expect_err "root@localhost:1/$TEST_DBNAME"
	expect_tables ""
	expect_eq 0 "$(my_root "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '$TEST_DBNAME'")" \
		"tables in $TEST_DBNAME"
}

t_socket_parameter_still_selects_the_socket() {
	[ -S "${STRATA_TEST_MYSQL_SOCKET:-}" ] || skip "no server socket (STRATA_TEST_MYSQL_SOCKET)"
	mig 0001 one "CREATE TABLE one (id INT);"
	st_raw -d "mysql://root@localhost:1/$TEST_DBNAME?socket=$STRATA_TEST_MYSQL_SOCKET" -m migrations up
	expect_rc 0
	expect_tables "one"
}

# Without a port, localhost is the default socket, and messages say so.
t_localhost_without_port_is_the_default_socket() {
	[ -S "${STRATA_TEST_MYSQL_SOCKET:-}" ] || skip "no server socket (STRATA_TEST_MYSQL_SOCKET)"
	mig 0001 one "CREATE TABLE one (id INT);"
	MYSQL_UNIX_PORT=$STRATA_TEST_MYSQL_SOCKET \
		st_raw -d "mysql://root@localhost/$TEST_DBNAME" -m migrations up
	expect_rc 0
	expect_tables "one"
	MYSQL_UNIX_PORT=$PWD/no-such.sock \
		st_raw -d "mysql://root@localhost/$TEST_DBNAME" -m migrations status
	expect_rc 5
	expect_err "root@localhost (default socket)/$TEST_DBNAME"
}

# mysqldump and mysql get the port and TCP too: the backup is of the
# database that was migrated, and restore writes into it.
t_backup_and_restore_follow_the_port() {
	mig 0001 one "CREATE TABLE one (id INT);" "DROP TABLE one;"
	local url="mysql://root@localhost:$STRATA_TEST_MYSQL_PORT/$TEST_DBNAME" f
	export MYSQL_UNIX_PORT=$PWD/no-such.sock
	st_raw -d "$url" -m migrations up
	expect_rc 0
	db_sql "INSERT INTO one VALUES (42)"
	st_raw -d "$url" -m migrations backup
	expect_rc 0
	f=$(printf '%s\n' "$out" | grep '^backups/' | head -1)
	[ -f "$f" ] || fail "no backup file: $out"
	grep -q "CREATE TABLE \`one\`" "$f" || fail "the backup lacks table one"
	db_sql "DELETE FROM one"
	st_raw -d "$url" -m migrations restore "$f" --yes-replace-data
	expect_rc 0
	expect_eq 42 "$(db_sql "SELECT id FROM one")" "restored row"
}

# The user info ends at the last '@' before the '?', as strata reads every
# URL: a password may hold '@', '/' and ':' as they are. Before, the MySQL
# driver ended it at the first '/', read "pa" as a port and refused the URL.
t_raw_delimiters_in_the_password() {
	local user="strata_r$TEST_ID" pw='pa/ss@w:rd'
	trap 'my_root "DROP USER IF EXISTS '\'"$user"\''@'\''127.0.0.1'\''" 2>/dev/null; db_teardown' EXIT
	my_root "CREATE USER '$user'@'127.0.0.1' IDENTIFIED BY '$pw'; GRANT ALL ON \`$TEST_DBNAME\`.* TO '$user'@'127.0.0.1'"
	mig 0001 one "CREATE TABLE one (id INT);"
	st_raw -d "mysql://$user:$pw@127.0.0.1:$STRATA_TEST_MYSQL_PORT/$TEST_DBNAME" -m migrations up
	expect_rc 0
	expect_tables "one"
	expect_history "1"
	refute_out "$pw"
	refute_err "$pw"
	refute_err "pa/ss"
	# a wrong one is refused by the server, and not printed either
	st_raw -d "mysql://$user:pa/ss@x:y@127.0.0.1:$STRATA_TEST_MYSQL_PORT/$TEST_DBNAME" -m migrations status
	expect_rc 5
	expect_err "Access denied"
	refute_err "pa/ss@x:y"
	refute_err "ss@x"
}

# A password in the URL wins over MYSQL_PWD, for strata's connection and
# for mysqldump's (strata hands the URL's password to it in MYSQL_PWD);
# without one in the URL, MYSQL_PWD is used, as libmariadb and the mysql
# client use it.
t_url_password_beats_mysql_pwd() {
	local user="strata_p$TEST_ID"
	trap 'my_root "DROP USER IF EXISTS '\'"$user"\''@'\''127.0.0.1'\''" 2>/dev/null; db_teardown' EXIT
	my_root "CREATE USER '$user'@'127.0.0.1' IDENTIFIED BY 'R1ght-Pw'; GRANT ALL ON \`$TEST_DBNAME\`.* TO '$user'@'127.0.0.1'"
	mig 0001 one "CREATE TABLE one (id INT);"
	local base="127.0.0.1:$STRATA_TEST_MYSQL_PORT/$TEST_DBNAME"
	MYSQL_PWD=Wr0ng-Pw st_raw -d "mysql://$user:R1ght-Pw@$base" -m migrations up
	expect_rc 0
	expect_history "1"
	MYSQL_PWD=Wr0ng-Pw st_raw -d "mysql://$user:R1ght-Pw@$base" -m migrations backup
	expect_rc 0
	[ -s "$out" ] || fail "no backup written: $out"
	MYSQL_PWD=R1ght-Pw st_raw -d "mysql://$user@$base" -m migrations status
	expect_rc 0
	expect_out "1 applied, 0 pending"
	MYSQL_PWD=R1ght-Pw st_raw -d "mysql://$user@$base" -m migrations backup
	expect_rc 0
	MYSQL_PWD=Wr0ng-Pw st_raw -d "mysql://$user@$base" -m migrations status
	expect_rc 5
	expect_err "Access denied for user '$user'@'127.0.0.1' (using password: YES)"
}

# MariaDB: no read timeout unless the URL sets one (a migration statement
# may keep the server silent for long); read_timeout=N ends a statement
# the server has not answered in N s; bad values are refused.
t_mysql_timeouts_from_the_url() {
	local id
	mig 0001 slow "SELECT SLEEP(2);"
	st up
	expect_rc 0
	mig 0002 slower "SELECT SLEEP(30);"
	st_raw -d "$TEST_URL?read_timeout=1" -m migrations up
	expect_rc 1
	expect_err "lost the connection"
	expect_err "read_timeout=1"
	expect_history "1"
	# the server still runs it: end it here
	id=$(db_sql "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND INFO LIKE 'SELECT SLEEP(30)%'")
	[ -n "$id" ] && db_sql "KILL $id"
	for v in "read_timeout=x" "write_timeout=-1" "read_timeout="; do
		st_raw -d "$TEST_URL?$v" -m migrations status
		expect_rc 2
		expect_err "mysql URL parameter ${v%%=*}="
		expect_err "expected a number of seconds"
	done
	st_raw -d "$TEST_URL?read_timeout=0&write_timeout=0" -m migrations status
	expect_rc 0
}

# lock_lease=N: the lease of a Galera cluster's lock row (tests/cli/mysql_galera.sh);
# accepted on any server, bad values refused before connecting.
t_lock_lease_from_the_url() {
	mig 0001 a "CREATE TABLE a (id int);"
	st_raw -d "$TEST_URL?lock_lease=30" -m migrations up
	expect_rc 0
	for v in 0 x 86401 ""; do
		st_raw -d "$TEST_URL?lock_lease=$v" -m migrations status
		expect_rc 2
		expect_err "mysql URL parameter lock_lease='$v': expected a number of seconds from 1 to 86400"
	done
}
