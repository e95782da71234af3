# shellcheck shell=bash
# shellcheck disable=SC2016,SC2154 # `...` is MySQL quoting; st sets out/err
# MySQL/MariaDB driver: URLs (mysql://, mariadb://, socket=, TLS
# parameters), connection errors that never show the password, statement
# splitting (DELIMITER, quotes, backticks, comments), error positions,
# GET_LOCK timeouts and --table quoting.

# shellcheck source=tests/lib/exact-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/exact-lib.sh"

# my_root SQL: run SQL as root with no database selected
my_root() {
	mariadb --no-defaults -N -B -h 127.0.0.1 -P "$STRATA_TEST_MYSQL_PORT" \
		-u root -e "$1"
}

# the runner lock of the default history table in the test database
lock_name() {
	# shellcheck disable=SC2016 # backticks are MySQL's, not the shell's
	printf 'strata:`%s`.`schema_migrations`@%s' "$TEST_DBNAME" "$TEST_DBNAME"
}

t_mysql_and_mariadb_schemes() {
	mig 0001 one "CREATE TABLE one (id INT);" "DROP TABLE one;"
	st up
	expect_rc 0
	expect_tables "one"
	st_raw --database "mariadb://root@127.0.0.1:$STRATA_TEST_MYSQL_PORT/$TEST_DBNAME" \
		--dir migrations status
	expect_rc 0
	expect_out "applied"
	# the history table's applied_at is DATETIME(3), written in UTC
	expect_eq "datetime(3)" "$(db_sql "SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'schema_migrations' AND COLUMN_NAME = 'applied_at'")"
	local skew
	skew=$(db_sql "SELECT ABS(TIMESTAMPDIFF(SECOND, applied_at, UTC_TIMESTAMP())) < 60 FROM schema_migrations")
	expect_eq 1 "$skew" "applied_at is UTC"
}

t_unix_socket_and_tls_disabled() {
	[ -S "${STRATA_TEST_MYSQL_SOCKET:-}" ] || skip "no server socket (STRATA_TEST_MYSQL_SOCKET)"
	mig 0001 one "CREATE TABLE one (id INT);"
	st_raw --database "mysql://root@/$TEST_DBNAME?socket=$STRATA_TEST_MYSQL_SOCKET" \
		--dir migrations up
	expect_rc 0
	expect_tables "one"
	st_raw --database "mysql://root@127.0.0.1:$STRATA_TEST_MYSQL_PORT/$TEST_DBNAME?ssl-mode=DISABLED&connect_timeout=5" \
		--dir migrations status
	expect_rc 0
	expect_out "applied"
	st_raw --database "mysql://root@localhost/$TEST_DBNAME?socket=$PWD/no-such.sock" \
		--dir migrations status
	expect_rc 5
	expect_err "socket $PWD/no-such.sock"
}

t_tls_required_against_a_server_without_tls() {
	mig 0001 one "CREATE TABLE one (id INT);"
	st_raw --database "$TEST_URL?ssl-mode=REQUIRED" --dir migrations up
	expect_rc 5
	expect_err "ssl-mode=REQUIRED"
	expect_err "not encrypted"
	st_raw --database "$TEST_URL?sslmode=verify_identity" --dir migrations up
	expect_rc 5
	expect_err "SSL is required"
	expect_tables ""
	# nothing is done over the plain connection, not even CREATE DATABASE
	local db="${TEST_DBNAME}_tls"
	st_raw --database "mysql://root@127.0.0.1:$STRATA_TEST_MYSQL_PORT/$db?ssl-mode=REQUIRED" \
		--dir migrations up
	expect_rc 5
	expect_eq "" "$(my_root "SHOW DATABASES LIKE '$db'")" "database $db"
}

t_url_errors_exit_2() {
	mig 0001 one "CREATE TABLE one (id INT);"
	st_raw --database "$TEST_URL?ssl-mode=SOMETIMES" --dir migrations up
	expect_rc 2
	expect_err "DISABLED, PREFERRED, REQUIRED"
	st_raw --database "$TEST_URL?sslmode=DISABLED&colour=blue" --dir migrations up
	expect_rc 2
	expect_err "unknown parameter 'colour'"
	st_raw --database "mysql://root@127.0.0.1:$STRATA_TEST_MYSQL_PORT/" --dir migrations up
	expect_rc 2
	expect_err "names no database"
	st_raw --database "mysql://root@127.0.0.1:70000/$TEST_DBNAME" --dir migrations up
	expect_rc 2
	expect_err "bad port"
	st_raw --database "mysql://root@::1:$STRATA_TEST_MYSQL_PORT/$TEST_DBNAME" --dir migrations up
	expect_rc 2
	expect_err "brackets"
	st_raw --database "mysql://root@[::1/$TEST_DBNAME" --dir migrations up
	expect_rc 2
	expect_tables ""
}

t_password_never_printed() {
	local user="strata_u$TEST_ID" good='Pw@1#x/y:z%' bad='Wr0ngHorse77'
	# the good password percent-encoded: @ # / : %
	local enc='Pw%401%23x%2Fy%3Az%25'
	trap 'my_root "DROP USER IF EXISTS '\'"$user"\''@'\''127.0.0.1'\''" 2>/dev/null; db_teardown' EXIT
	my_root "CREATE USER '$user'@'127.0.0.1' IDENTIFIED BY '$good'; GRANT ALL ON \`$TEST_DBNAME\`.* TO '$user'@'127.0.0.1'"
	mig 0001 one "CREATE TABLE one (id INT);"
	st_raw --database "mysql://$user:$enc@127.0.0.1:$STRATA_TEST_MYSQL_PORT/$TEST_DBNAME" \
		--dir migrations up
	expect_rc 0
	expect_tables "one"
	refute_out "$enc"
	refute_out "$good"
	st_raw --database "mysql://$user:$bad@127.0.0.1:$STRATA_TEST_MYSQL_PORT/$TEST_DBNAME" \
		--dir migrations status
	expect_rc 5
	expect_err "cannot connect to MySQL as $user@127.0.0.1:$STRATA_TEST_MYSQL_PORT/$TEST_DBNAME"
	expect_err "Access denied"
	refute_err "$bad"
	refute_out "$bad"
	st_raw --database "mysql://$user:$bad@no-such-host.invalid:$STRATA_TEST_MYSQL_PORT/$TEST_DBNAME" \
		--dir migrations up
	expect_rc 5
	expect_err "no-such-host.invalid"
	refute_err "$bad"
	refute_out "$bad"
	# -v and --json too
	st_raw -v --json --database "mysql://$user:$bad@127.0.0.1:$STRATA_TEST_MYSQL_PORT/$TEST_DBNAME" \
		--dir migrations status
	expect_rc 5
	refute_err "$bad"
	refute_out "$bad"
}

t_status_does_not_create_the_database() {
	local db="${TEST_DBNAME}_new"
	trap 'my_root "DROP DATABASE IF EXISTS \`'"$db"'\`" 2>/dev/null; db_teardown' EXIT
	mig 0001 one "CREATE TABLE one (id INT);"
	st_raw --database "mysql://root@127.0.0.1:$STRATA_TEST_MYSQL_PORT/$db" --dir migrations status
	expect_rc 0
	expect_out "pending"
	expect_eq "" "$(my_root "SHOW DATABASES LIKE '$db'")" "database after status"
	st_raw --database "mysql://root@127.0.0.1:$STRATA_TEST_MYSQL_PORT/$db" --dir migrations up
	expect_rc 0
	expect_eq "$db" "$(my_root "SHOW DATABASES LIKE '$db'")" "database after up"
}

t_delimiter_trigger_and_procedure() {
	mkdir -p migrations
	cat >migrations/0001_audit.up.sql <<'EOF'
CREATE TABLE entries (id INT PRIMARY KEY, n INT, note VARCHAR(60));
CREATE TABLE audit (id INT AUTO_INCREMENT PRIMARY KEY, msg VARCHAR(100));

DELIMITER $$
CREATE TRIGGER entries_ins BEFORE INSERT ON entries FOR EACH ROW
BEGIN
	SET NEW.n = COALESCE(NEW.n, 0) + 1;
	INSERT INTO audit (msg) VALUES (CONCAT('insert ', NEW.id, '; ok'));
END$$

CREATE DEFINER = CURRENT_USER PROCEDURE bump(IN k INT)
BEGIN
	DECLARE x INT DEFAULT 0;
	WHILE x < k DO
		UPDATE entries SET n = n + 1;
		SET x = x + 1;
	END WHILE;
END $$

-- a body that is an IF statement, not a BEGIN ... END block
CREATE PROCEDURE maybe(IN k INT)
IF k > 0 THEN
	UPDATE entries SET n = n + k;
END IF$$
DELIMITER ;

INSERT INTO entries (id, note) VALUES (1, 'semi; colon');
CALL bump(3);
CALL maybe(10);
CALL maybe(-1);
EOF
	cat >migrations/0001_audit.down.sql <<'EOF'
DELIMITER //
DROP PROCEDURE IF EXISTS bump //
DROP PROCEDURE IF EXISTS maybe //
DROP TRIGGER IF EXISTS entries_ins //
DELIMITER ;
DROP TABLE audit;
DROP TABLE entries;
EOF
	st up
	expect_rc 0
	expect_tables "audit entries"
	expect_eq "1|14|semi; colon" "$(db_sql "SELECT id, n, note FROM entries")"
	expect_eq "insert 1; ok" "$(db_sql "SELECT msg FROM audit")"
	expect_eq "bump maybe" "$(db_sql "SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() ORDER BY 1" | tr '\n' ' ' | sed 's/ $//')"
	expect_eq "entries_ins" "$(db_sql "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()")"
	st down
	expect_rc 0
	expect_tables ""
	expect_history ""
	expect_eq "" "$(db_sql "SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()")"
	# again, now that down has run
	st up
	expect_rc 0
	expect_history "1"
}

t_quotes_backticks_and_comments() {
	mkdir -p migrations
	cat >migrations/0001_odd.up.sql <<'EOF'
# a hash comment; with a semicolon
CREATE TABLE `semi;colon` (`we``ird` VARCHAR(50), note VARCHAR(100)); # trailing; comment
-- a dash comment; with a semicolon
/* a block; comment */
INSERT INTO `semi;colon` VALUES ('a;b', 'it''s # not a comment -- nor this');
INSERT INTO `semi;colon` VALUES ("dq;\"x", 'back\\slash; \'q\'');
/*!40101 INSERT INTO `semi;colon` VALUES ('exec', 'comment;') */;
INSERT INTO `semi;colon` VALUES ('last', 'no final semicolon')
EOF
	st up
	expect_rc 0
	expect_tables "semi;colon"
	expect_eq "a;b|it's # not a comment -- nor this
dq;\"x|back\\\\slash; 'q'
exec|comment;
last|no final semicolon" "$(db_sql 'SELECT `we``ird`, note FROM `semi;colon`')"
	expect_history "1"
}

t_error_position_is_file_line_col() {
	mig 0001 base "CREATE TABLE base (id INT);"
	mig 0002 typo "# first a good one
CREATE TABLE good (id INT);

/* then a typo on the second line of a statement */
CREATE TABLE bad (id INT,
  note VARCHAR(10) NOT NULL,, x INT);"
	st up
	expect_rc 1
	expect_err "migrations/0002_typo.up.sql:6:31: error: You have an error in your SQL syntax"
	expect_err "near ' x INT)' at line 3"
	# a server error without a position points at the statement
	mig 0002 typo "CREATE TABLE good (id INT);
   CREATE TABLE good (id INT);"
	st force 1
	expect_rc 0
	db_sql "DROP TABLE good"
	st up
	expect_rc 1
	expect_err "migrations/0002_typo.up.sql:2:4: error: Table 'good' already exists"
}

t_lock_timeout_names_the_lock_and_holder() {
	local name id
	mig 0001 one "CREATE TABLE one (id INT);"
	name=$(lock_name)
	hold_start runner "SELECT GET_LOCK('$name', 0)" "SELECT RELEASE_ALL_LOCKS()"
	id=$(my_root "SELECT IS_USED_LOCK('$name')")
	[ "$id" != NULL ] && [ -n "$id" ] || fail "the holding session did not take the lock"
	st --lock-timeout 1 up
	expect_rc 4
	expect_err "cannot take the lock '$name' within 1 s"
	expect_err "held by connection $id (root@"
	expect_err "--lock-timeout"
	expect_tables ""
	# the holder goes away: the next run gets the lock
	hold_end runner
	st --lock-timeout 5 up
	expect_rc 0
	expect_tables "one"
	expect_eq NULL "$(my_root "SELECT IS_USED_LOCK('$name')")" "lock after up"
}

t_table_name_is_quoted() {
	local tbl='hist`; DROP TABLE canary; --x'
	db_sql "CREATE TABLE canary (id INT); INSERT INTO canary VALUES (42)"
	mig 0001 one "CREATE TABLE one (id INT);" "DROP TABLE one;"
	st --table "$tbl" up
	expect_rc 0
	expect_eq 42 "$(db_sql "SELECT id FROM canary")" "canary"
	expect_eq "1|0" "$(db_sql 'SELECT version, dirty FROM `hist``; DROP TABLE canary; --x`')"
	st --table "$tbl" status
	expect_rc 0
	expect_out "applied"
	st --table "$tbl" down
	expect_rc 0
	expect_eq 42 "$(db_sql "SELECT id FROM canary")" "canary"
	# the history log's name is quoted as well
	expect_tables "canary hist\`; DROP TABLE canary; --x hist\`; DROP TABLE canary; --x_log"
	expect_eq "apply rollback" "$(db_sql 'SELECT action FROM `hist``; DROP TABLE canary; --x_log` ORDER BY id' | tr '\n' ' ' | sed 's/ $//')" "the log"
}

t_table_name_length_limit() {
	local t64 t65
	t64=$(printf 'h%.0s' $(seq 64))
	t65=${t64}h
	mig 0001 one "CREATE TABLE one (id INT);"
	st --table "$t65" up
	expect_rc 2
	expect_err "too long"
	expect_tables ""
	# 64 is allowed; the lock name is then a digest (64 characters at most)
	st --table "$t64" up
	expect_rc 0
	expect_eq "1" "$(db_sql "SELECT version FROM $t64")"
}

t_verbose_shows_server_warnings() {
	mig 0001 one "CREATE TABLE one (id INT);
CREATE TABLE IF NOT EXISTS one (id INT);"
	st -v up
	expect_rc 0
	case "$out$err" in
	*"Table 'one' already exists"*) ;;
	*) fail "the server's note is not shown with -v" ;;
	esac
}

t_quoting_follows_no_backslash_escapes() {
	# a migration switches the session to NO_BACKSLASH_ESCAPES; the
	# history SQL after it (and the lock) must still quote right
	local tbl="it's\\x"
	mig 0001 mode "SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES');
CREATE TABLE x (id INT);"
	mig 0002 y "CREATE TABLE y (id INT);"
	st --table "$tbl" up
	expect_rc 0
	expect_eq "1|0
2|0" "$(db_sql "SELECT version, dirty FROM \`it's\\x\` ORDER BY version_sort")"
	st --table "$tbl" up
	expect_rc 0
	expect_err "nothing to apply"
	st --table "$tbl" status
	expect_rc 0
	expect_out "2 applied, 0 pending"
}

# A private MariaDB with TLS (a throwaway CA and server certificate), on a
# unix socket only: the ssl-mode values against a server that has TLS.
tls_server_start() {
	local mariadbd user_opt=()
	mariadbd=$(PATH=$PATH:/usr/sbin:/usr/local/sbin command -v mariadbd) || return 1
	command -v openssl >/dev/null && command -v mariadb-install-db >/dev/null || return 1
	TLS_DIR=$(mktemp -d /tmp/strata-tls.XXXXXX) || return 1
	mkdir "$TLS_DIR/tmp"
	(
		cd "$TLS_DIR" || exit 1
		openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem \
			-days 2 -subj "/CN=strata test CA" &&
			openssl req -newkey rsa:2048 -nodes -keyout server.key \
				-out server.csr -subj "/CN=localhost" &&
			printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >ext.cnf &&
			openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key \
				-CAcreateserial -out server.pem -days 2 -extfile ext.cnf
	) >"$TLS_DIR/openssl.log" 2>&1 || return 1
	if [ "$(id -u)" = 0 ]; then
		user_opt=(--user=mysql)
		chmod 755 "$TLS_DIR"
		chown -R mysql: "$TLS_DIR"
	fi
	mariadb-install-db --no-defaults --datadir="$TLS_DIR/data" "${user_opt[@]}" \
		--auth-root-authentication-method=normal --skip-test-db \
		--skip-name-resolve --tmpdir="$TLS_DIR/tmp" \
		--innodb-log-file-size=8M --innodb-buffer-pool-size=32M \
		</dev/null >"$TLS_DIR/install.log" 2>&1 || return 1
	setsid "$mariadbd" --no-defaults "${user_opt[@]}" --datadir="$TLS_DIR/data" \
		--tmpdir="$TLS_DIR/tmp" --socket="$TLS_DIR/s.sock" \
		--pid-file="$TLS_DIR/pid" --skip-networking --log-error="$TLS_DIR/error.log" \
		--innodb-log-file-size=8M --innodb-buffer-pool-size=32M --skip-log-bin \
		--ssl-ca="$TLS_DIR/ca.pem" --ssl-cert="$TLS_DIR/server.pem" \
		--ssl-key="$TLS_DIR/server.key" </dev/null >/dev/null 2>&1 &
	# 60 s at most: only a server that never starts ends the wait
	for _ in $(seq 1200); do
		mariadb-admin --no-defaults --socket="$TLS_DIR/s.sock" -uroot ping \
			>/dev/null 2>&1 && return 0
		sleep 0.05
	done
	return 1
}

tls_server_stop() {
	local pid
	[ -n "${TLS_DIR:-}" ] || return 0
	if read -r pid <"$TLS_DIR/pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null
		for _ in $(seq 200); do
			kill -0 "$pid" 2>/dev/null || break
			[ -e "$TLS_DIR/pid" ] || break
			sleep 0.05
		done
	fi
	rm -rf "$TLS_DIR"
}

t_tls_modes_against_a_server_with_tls() {
	trap 'tls_server_stop; db_teardown' EXIT
	tls_server_start || skip "cannot start a MariaDB with TLS here (openssl, mariadbd)"
	local base="mysql://root@localhost" sock="socket=$TLS_DIR/s.sock" mode db cipher
	# the migration records the session's cipher
	mig 0001 cipher "CREATE TABLE c AS SELECT VARIABLE_VALUE AS v FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME = 'Ssl_cipher';"
	for mode in DISABLED PREFERRED REQUIRED "VERIFY_CA&ssl-ca=$TLS_DIR/ca.pem" \
		"verify-identity&ssl_ca=$TLS_DIR/ca.pem"; do
		db="m_$(printf '%s' "${mode%%&*}" | tr -c 'A-Za-z' _)"
		st_raw --database "$base/$db?$sock&ssl-mode=$mode" --dir migrations up
		expect_rc 0
		cipher=$(mariadb --no-defaults -N -B -S "$TLS_DIR/s.sock" -u root "$db" \
			-e "SELECT v FROM c")
		case "$mode" in
		DISABLED) expect_eq "" "$cipher" "cipher with $mode" ;;
		*) [ -n "$cipher" ] || fail "no TLS with ssl-mode=$mode" ;;
		esac
	done
	# verification without the CA fails before anything runs
	st_raw --database "$base/m_verify?$sock&ssl-mode=VERIFY_CA" --dir migrations up
	expect_rc 5
	expect_err "TLS/SSL error"
	expect_err "certificate"
}

# MariaDB's replicas are not waited for: refused before anything runs.
t_wait_replicas_refused_on_mariadb() {
	mig 0001 users "CREATE TABLE users (id INT PRIMARY KEY);"
	st up --wait-replicas=5
	expect_rc 2
	expect_err "--wait-replicas: strata waits for PostgreSQL's streaming standbys"
	expect_history ""
}
