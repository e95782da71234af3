# shellcheck shell=bash
# libpq, libmariadb, libpg_query and libcrypto are opened at run time, on
# first use: a command that does not need one does not map it (the dynamic
# loader's LD_DEBUG=files log says which libraries a run loaded), and a
# library that cannot be loaded is a clear error naming it, its Debian
# package and the STRATA_LIB* variable (exit code 1, STRATA_ENOTSUPP).
# No server is needed: a driver loads its library before it connects.

# Run strata with LD_DEBUG=files; $loaded: the libraries it loaded.
st_loaded() {
	local log
	log=$(mktemp)
	LD_DEBUG=files LD_DEBUG_OUTPUT="$log" st_raw "$@"
	loaded=$(cat "$log".* 2>/dev/null | sed -n 's/.*file=\(lib[^ ]*\) .*/\1/p' | sort -u | tr '\n' ' ')
	rm -f "$log" "$log".*
	[ -n "$loaded" ] || fail "LD_DEBUG=files logged nothing"
}

expect_loaded() {
	case " $loaded" in
	*" $1".so*) ;;
	*) fail "$1 was not loaded (loaded: $loaded)" ;;
	esac
}

refute_loaded() {
	local l
	for l in "$@"; do
		case " $loaded" in
		*" $l".so*) fail "$l was loaded (loaded: $loaded)" ;;
		esac
	done
}

# Not reachable: nothing listens on port 1.
PG_NOWHERE="postgres://strata@127.0.0.1:1/nowhere?connect_timeout=2"
MY_NOWHERE="mysql://strata@127.0.0.1:1/nowhere?connect_timeout=2"

t_version_loads_no_client_library() {
	st_loaded --version
	expect_rc 0
	expect_out "strata 0."
	expect_loaded libsqlite3
	refute_loaded libpq libmariadb libpg_query libcrypto
}

t_cached_sqlite_status_loads_no_database_client() {
	mig 1 one "CREATE TABLE one (id INTEGER);"
	mig 2 two "CREATE TABLE two (id INTEGER);"
	st up
	expect_rc 0
	# files younger than 2 s are hashed every time (the stat cache's
	# racy window); the test build keeps them at once: a status caches them
	export STRATA_TEST_CACHE_MIN_AGE_MS=0
	st status
	expect_rc 0
	st_loaded --database "$TEST_URL" --dir migrations status
	expect_rc 0
	expect_out "2 applied, 0 pending"
	# nothing to hash: not even libcrypto is loaded
	refute_loaded libpq libmariadb libpg_query libcrypto
}

t_postgres_command_loads_libpq_only() {
	mig 1 one "CREATE TABLE one (id INTEGER);"
	st_loaded --database "$PG_NOWHERE" --dir migrations status
	expect_rc 5
	expect_err "cannot connect to PostgreSQL"
	expect_loaded libpq
	refute_loaded libmariadb libpg_query
}

t_mysql_command_loads_libmariadb_only() {
	mig 1 one "CREATE TABLE one (id INTEGER);"
	st_loaded --database "$MY_NOWHERE" --dir migrations status
	expect_rc 5
	expect_loaded libmariadb
	refute_loaded libpq libpg_query
}

t_postgres_split_loads_libpg_query() {
	mig 1 one "CREATE TABLE one (id INTEGER); CREATE INDEX one_id ON one (id);"
	st_loaded --database "$PG_NOWHERE" --dir migrations --offline validate
	expect_rc 0
	expect_loaded libpg_query
	expect_loaded libcrypto
	refute_loaded libpq libmariadb
}

t_missing_library_is_a_clear_error() {
	mig 1 one "CREATE TABLE one (id INTEGER);"
	STRATA_LIBPQ=libpq-missing.so.5 st_raw --database "$PG_NOWHERE" --dir migrations status
	expect_rc 1
	expect_err "cannot load libpq-missing.so.5 (PostgreSQL client library, named by STRATA_LIBPQ)"
	expect_err "cannot open shared object file"
	expect_err "install the Debian package libpq"
	refute_err "cannot connect"

	STRATA_LIBMARIADB=libmariadb-missing.so.3 st_raw --database "$MY_NOWHERE" --dir migrations status
	expect_rc 1
	expect_err "cannot load libmariadb-missing.so.3 (MySQL/MariaDB client library, named by STRATA_LIBMARIADB)"

	STRATA_LIBPG_QUERY=libpg_query-missing.so st_raw --database "$PG_NOWHERE" --dir migrations --offline validate
	expect_rc 1
	expect_err "cannot load libpg_query-missing.so (PostgreSQL parser library, named by STRATA_LIBPG_QUERY)"

	STRATA_LIBCRYPTO=libcrypto-missing.so.3 st up
	expect_rc 1
	expect_err "cannot load libcrypto-missing.so.3 (OpenSSL's libcrypto, named by STRATA_LIBCRYPTO)"
	expect_err "install the Debian package libssl"
	expect_tables ""
}

t_library_without_a_function_is_a_clear_error() {
	mig 1 one "CREATE TABLE one (id INTEGER);"
	# a library that loads but is not libpq
	STRATA_LIBPQ=libsqlite3.so.0 st_raw --database "$PG_NOWHERE" --dir migrations status
	expect_rc 1
	expect_err "cannot load libsqlite3.so.0 (PostgreSQL client library, named by STRATA_LIBPQ)"
	expect_err "undefined symbol: PQ"
	expect_err "not the version strata was built with"
}
