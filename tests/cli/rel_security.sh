# shellcheck shell=bash
# Security (issue 7): passwords never appear in stdout, stderr or JSON,
# whatever the command, the form of the URL (user:pass@, percent-encoded,
# password= parameters, conninfo), malformed URLs that libpq would echo
# whole, and where the URL comes from (--database, DATABASE_URL, .env,
# strata.conf). The servers are unreachable (127.0.0.1 port 1): connecting
# fails (exit 5) or the URL is refused (exit 2); a strata built without
# the driver says so (exit 1). A password that looks like the mask itself
# must not hang the masking. (Backups' modes and links: sqlite_backups.sh.)

. "$(dirname "${BASH_SOURCE[0]}")/../lib/rel-lib.sh"

SECRET=S3cretPw

# every command that opens the database, and the ones that print settings
COMMANDS=("status" "status --json" "up" "up --dry-run" "down" "redo" "validate"
	"validate --json" "history" "history --json" "force 1" "repair" "plan"
	"config" "backup" "-v up" "baseline 1")

# the commands that show a URL each in their own way: an error, JSON,
# verbose progress, settings, and a tool given the URL (backup); every
# URL form goes through these, and the first of each family through all
FEW=("status" "status --json" "-v up" "config" "backup" "force 1")

# no_leak URL [SECRET...]: run the commands above with URL; none prints a
# secret. Exit codes: 0 (offline commands), 2, 5, or 1 with "built
# without". no_leak_all: the same with every command.
no_leak_all() {
	local cmds=("${COMMANDS[@]}")
	leak_check "$@"
}
no_leak() {
	local cmds=("${FEW[@]}")
	leak_check "$@"
}
leak_check() {
	local url=$1 cmd s
	shift
	[ $# -gt 0 ] || set -- "$SECRET"
	for cmd in "${cmds[@]}"; do
		# shellcheck disable=SC2086
		timeout -s KILL 30 "$STRATA_BIN" --database "$url" --dir migrations $cmd >o 2>e
		rc=$?
		out=$(cat o) err=$(cat e)
		last_cmd="strata --database '$url' $cmd"
		rel_no_crash
		case "$rc" in
		0 | 2 | 5) ;;
		1) case "$err" in *"built without"*) ;; *) fail "exit 1" ;; esac ;;
		esac
		for s in "$@"; do
			case "$out$err" in *"$s"*) fail "'$cmd' printed the password '$s'" ;; esac
		done
	done
}

setup_folder() {
	mig 0001 a "CREATE TABLE a (id INTEGER);" "DROP TABLE a;"
}

t_postgres_url_forms() {
	setup_folder
	no_leak_all "postgres://app:$SECRET@127.0.0.1:1/db?sslmode=disable&connect_timeout=2"
	no_leak "postgresql://app:$SECRET@127.0.0.1:1/db"
	no_leak "postgres://app@127.0.0.1:1/db?password=$SECRET"
	no_leak "postgres://app:S3cret%50w@127.0.0.1:1/db" S3cretPw S3cret%50w
	no_leak "host=127.0.0.1 port=1 user=app password=$SECRET dbname=db"
	# passwords with the URL's own delimiters
	no_leak "postgres://app:p%40ss%2Fw%3Frd$SECRET@127.0.0.1:1/db" "$SECRET" "p@ss/w?rd$SECRET"
	no_leak "postgres://app:a@b$SECRET@127.0.0.1:1/db" "b$SECRET"
	no_leak "postgres://app:p@ss/w$SECRET@127.0.0.1:1/db" "$SECRET"
	no_leak "postgres://app:pa/ss$SECRET@127.0.0.1:1/db" "$SECRET"
	no_leak "mysql://app:p@ss/w$SECRET@127.0.0.1:1/db" "$SECRET"
}

# libpq repeats a malformed URL whole in its error: it must come out masked.
t_malformed_postgres_urls() {
	setup_folder
	no_leak_all "postgres://u:$SECRET@[::1:5432/db"
	no_leak "postgres://u:$SECRET@127.0.0.1:notaport/db"
	no_leak "postgres://u:$SECRET@127.0.0.1:1/db?sslmode=nonsense"
	no_leak "postgres://u:$SECRET@127.0.0.1:1/db?bogus_option=1"
	no_leak "postgres://u:$SECRET@/db?host=/nonexistent"
	no_leak "postgres://u:$SECRET@127.0.0.1:1:2:3/db"
	no_leak "postgres://u:$SECRET@"
	no_leak "postgres://:$SECRET@127.0.0.1:1"
}

t_mysql_url_forms() {
	setup_folder
	no_leak_all "mysql://app:$SECRET@127.0.0.1:1/db"
	no_leak "mariadb://app:$SECRET@127.0.0.1:1/db"
	no_leak "mysql://app:$SECRET@[::1/db"
	no_leak "mysql://app:$SECRET@127.0.0.1:99999/db"
}

# The URL from the environment, .env and strata.conf.
t_url_from_environment_and_files() {
	setup_folder
	url="postgres://app:$SECRET@127.0.0.1:1/db?connect_timeout=2"
	for cmd in status up config; do
		DATABASE_URL=$url st_raw --dir migrations $cmd
		case "$out$err" in *"$SECRET"*) fail "DATABASE_URL: '$cmd' printed the password" ;; esac
	done
	printf 'DATABASE_URL="%s"\n' "$url" >.env
	for cmd in status up config; do
		st_raw --dir migrations $cmd
		case "$out$err" in *"$SECRET"*) fail ".env: '$cmd' printed the password" ;; esac
	done
	rm .env
	printf '[strata]\ndatabase = %s\n' "$url" >strata.conf
	for cmd in status up config; do
		st_raw --dir migrations $cmd
		case "$out$err" in *"$SECRET"*) fail "strata.conf: '$cmd' printed the password" ;; esac
	done
	printf '[strata]\ndatabase = postgres://app:${PW}@127.0.0.1:1/db\n' >strata.conf
	for cmd in status up config; do
		PW=$SECRET st_raw --dir migrations $cmd
		case "$out$err" in *"$SECRET"*) fail "strata.conf \${PW}: '$cmd' printed the password" ;; esac
	done
}

# A password made of the mask's own characters made the masking loop
# forever (every message that held "***" was masked again and again).
t_password_that_looks_like_the_mask() {
	setup_folder
	for pw in '***' '**' '****' 'a***' '*'; do
		for url in "postgres://u:$pw@127.0.0.1:1/db" "sqlite:/nonexistent/x.db?password=$pw" \
			"x y password=$pw"; do
			timeout -s KILL 20 "$STRATA_BIN" --database "$url" --dir migrations up >o 2>e
			rc=$?
			[ "$rc" != 137 ] || fail "'$url' hung"
			out=$(cat o) err=$(cat e)
			rel_no_crash
		done
	done
}

# SQLite has no password parameter: refused, naming the parameter and
# never its value.
t_sqlite_url_with_a_password_parameter() {
	setup_folder
	st_raw --database "sqlite:/nonexistent/x.db?password=$SECRET" --dir migrations up
	expect_rc 2
	refute_err "$SECRET"
	expect_err "unknown parameter 'password'"
}
