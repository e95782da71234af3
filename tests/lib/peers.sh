# shellcheck shell=bash
# peers.sh: the other migration tools, for tests that apply a folder with
# the real tool before strata takes over (shared_adopt.sh).
#
#   peer_dbmate        prints the dbmate binary (npm package "dbmate", which
#                      ships the Go binary; installed into $STRATA_PEERS_DIR,
#                      default /tmp/dbmate-npm, once, under a lock)
#   peer_sql_migrate   prints the sql-migrate binary (Debian package
#                      sql-migrate: scripts/install-deps.sh test installs it)
#   peer_need NAME     sets PEER_BIN to the tool, or: under CI=true a
#                      failure, else a skip (call it directly, not in $())
#   peer_url           the test database's URL as the tools write it

: "${STRATA_PEERS_DIR:=/tmp/dbmate-npm}"

peer_dbmate() {
	local bin
	bin=$(find "$STRATA_PEERS_DIR/node_modules" -path '*dbmate*/bin/dbmate' -type f -perm -u+x 2>/dev/null | head -n 1)
	if [ -z "$bin" ] && command -v npm >/dev/null 2>&1; then
		mkdir -p "$STRATA_PEERS_DIR"
		(
			flock 9
			find "$STRATA_PEERS_DIR/node_modules" -path '*dbmate*/bin/dbmate' -type f 2>/dev/null | grep -q . ||
				npm install --silent --no-audit --no-fund --prefix "$STRATA_PEERS_DIR" dbmate >/dev/null 2>&1
		) 9>"$STRATA_PEERS_DIR.lock"
		bin=$(find "$STRATA_PEERS_DIR/node_modules" -path '*dbmate*/bin/dbmate' -type f -perm -u+x 2>/dev/null | head -n 1)
	fi
	[ -n "$bin" ] && echo "$bin"
}

peer_sql_migrate() {
	command -v sql-migrate
}

peer_need() {
	PEER_BIN=$("peer_$1" 2>/dev/null) || PEER_BIN=
	if [ -z "$PEER_BIN" ]; then
		[ "${CI:-false}" = true ] && fail "$1 is not installed (scripts/install-deps.sh test; npm for dbmate)"
		skip "$1 is not installed"
	fi
}

# dbmate's URL for the test database (its own scheme names)
peer_url() {
	case "$STRATA_TEST_DB" in
	sqlite) echo "sqlite:test.db" ;;
	postgres) echo "postgres://postgres@127.0.0.1:$STRATA_TEST_PG_PORT/$TEST_DBNAME?sslmode=disable" ;;
	mysql) echo "mysql://root@127.0.0.1:$STRATA_TEST_MYSQL_PORT/$TEST_DBNAME" ;;
	esac
}

# sql-migrate's dbconfig.yml for the test database, folder $1
peer_sql_migrate_config() {
	case "$STRATA_TEST_DB" in
	sqlite) printf 'test:\n  dialect: sqlite3\n  datasource: %s\n  dir: %s\n' "$PWD/test.db" "$1" ;;
	postgres) printf 'test:\n  dialect: postgres\n  datasource: host=127.0.0.1 port=%s user=postgres dbname=%s sslmode=disable\n  dir: %s\n' "$STRATA_TEST_PG_PORT" "$TEST_DBNAME" "$1" ;;
	mysql) printf 'test:\n  dialect: mysql\n  datasource: root@tcp(127.0.0.1:%s)/%s?parseTime=true\n  dir: %s\n' "$STRATA_TEST_MYSQL_PORT" "$TEST_DBNAME" "$1" ;;
	esac >dbconfig.yml
}
