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

# dbmate's URL for the test database: strata's URL, whose schemes
# (sqlite:PATH, postgres://, mysql://) dbmate reads alike
peer_url() {
	echo "$TEST_URL"
}

# sql-migrate's dbconfig.yml for the test database, folder $1 (the
# database as Go's database/sql names it: tests/lib/db/)
peer_sql_migrate_config() {
	printf 'test:\n  dialect: %s\n  datasource: %s\n  dir: %s\n' \
		"$(db_go_dialect)" "$(db_go_datasource)" "$1" >dbconfig.yml
}
