#!/usr/bin/env bash
# run.sh: every test of strata. Unit tests (cmocka), the fuzz corpora
# replayed, static analysis (gcc -fanalyzer, cppcheck, file loops: tests/lib/analyze.sh),
# and the CLI suites against SQLite, PostgreSQL and MariaDB
# servers started here on loopback and stopped afterwards. Ends with one
# line: "N passed, N failed, N skipped".
#
# Suites in tests/cli: shared_*.sh run against every database; srv_*.sh
# against PostgreSQL and MariaDB; sqlite_*, pg_* and mysql_* against one;
# cli_* need no server. STRATA_LONG=1 also runs long_*.sh (long_srv_*.sh
# against PostgreSQL and MariaDB, the others against SQLite). Under CI=true a server that does not start is a failure,
# never a skip. A suite that needs a server of its own starts it (pg_pooler.sh: PgBouncer in
# front of PostgreSQL, `servers.sh start pgbouncer`), under the same rule.
set -u
cd "$(dirname "$0")/.." || exit 2
: "${STRATA_BIN:?set STRATA_BIN (make check does)}"
: "${STRATA_BUILD:?set STRATA_BUILD (make check does)}"
export STRATA_BIN
ci=${CI:-false}
jobs=${STRATA_TEST_JOBS:-$(nproc 2>/dev/null || echo 2)}
passed=0 failed=0 skipped=0
logs=$(mktemp -d "${TMPDIR:-/tmp}/strata-run.XXXXXX")
t0=$(date +%s)
# shellcheck source=tests/lib/python-path.sh
. tests/lib/python-path.sh
python_direct "$logs"

count() { # passed failed skipped
	passed=$((passed + $1)) failed=$((failed + $2)) skipped=$((skipped + $3))
}

# --- unit tests -----------------------------------------------------------
for b in "$STRATA_BUILD"/tests/unit/*; do
	[ -x "$b" ] || continue
	name=$(basename "$b")
	# each run has a cache of its own, never the user's ~/.cache
	XDG_CACHE_HOME="$logs/cache.unit.$name" "$b" >"$logs/unit.$name.log" 2>&1
	r=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$logs/unit.$name.log" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$logs/unit.$name.log" | tail -1)
	p=${p:-0} f=${f:-0}
	if [ $r -ne 0 ] && [ "$f" = 0 ]; then f=1; fi # crashed
	echo "unit $name: $p passed, $f failed"
	[ "$f" = 0 ] || cat "$logs/unit.$name.log"
	count "$p" "$f" 0
done

# --- fuzz corpora, replayed ---------------------------------------------
for b in "$STRATA_BUILD"/tests/fuzz/fuzz_*; do
	[ -x "$b" ] || continue
	name=$(basename "$b")
	corpus=tests/fuzz/corpus/${name#fuzz_}
	if XDG_CACHE_HOME="$logs/cache.$name" "$b" "$corpus" >"$logs/$name.log" 2>&1; then
		echo "fuzz replay $name: ok ($(find "$corpus" -type f | wc -l) inputs)"
		count 1 0 0
	else
		echo "fuzz replay $name: FAILED"
		tail -30 "$logs/$name.log"
		count 0 1 0
	fi
done

# --- static analysis: gcc -fanalyzer, cppcheck, file loops (three checks) -
# in the background, beside the servers' start and the suites (it takes a
# job's place there); its result is counted after them
tests/lib/analyze.sh >"$logs/analyze.log" 2>&1 &
analyze_pid=$!

# --- databases and servers ---------------------------------------------------
# One glue file per database in tests/lib/db says which server it needs
# (DB_SERVER, "" for none) and the prefix of its own suites.
dbs=()
declare -A db_server=() db_prefix=() have=()
for f in tests/lib/db/*.sh; do
	db=$(basename "$f" .sh)
	dbs+=("$db")
	# shellcheck disable=SC1090
	read -r db_server["$db"] db_prefix["$db"] < <(. "$f" && echo "${DB_SERVER:--} $DB_SUITE_PREFIX")
done
servers="$(printf '%s\n' "${db_server[@]}" | grep -vx -- - | sort -u | tr '\n' ' ')redis"
stop_servers() {
	[ -n "${STRATA_SRV_DIR:-}" ] && tests/lib/servers.sh stop >/dev/null 2>&1
	rm -rf "$logs"
}
trap stop_servers EXIT
start_one() { # kind -> exports its env into this shell on success
	local line
	if line=$(tests/lib/servers.sh start "$1" 2>"$logs/server-$1.log"); then
		eval "$line"
		# shellcheck disable=SC1091
		. "$STRATA_SRV_DIR/env"
		SRV_DIRS="${SRV_DIRS:-} $STRATA_SRV_DIR"
		return 0
	fi
	echo "server $1 did not start:"
	tail -20 "$logs/server-$1.log"
	return 1
}
if [ "${STRATA_TEST_NO_SERVERS:-0}" != 1 ]; then
	for kind in $servers; do
		start_one "$kind" && have[$kind]=1
	done
fi
stop_servers() {
	for d in ${SRV_DIRS:-}; do
		STRATA_SRV_DIR=$d tests/lib/servers.sh stop >/dev/null 2>&1
	done
	rm -rf "$logs"
}
for kind in $servers; do
	if [ "${have[$kind]:-0}" = 0 ] && [ "$ci" = true ]; then
		echo "FAIL server $kind: required under CI"
		count 0 1 0
	fi
done
export have_redis=${have[redis]:-0}

# --- CLI suites -------------------------------------------------------------
# shared_* runs on every database, srv_* and long_srv_* on those with a
# server, <prefix>_* on the database whose glue file names that prefix, and
# the rest (cli_*, rel_*, long_*) on those without a server.
suite_dbs() {
	local name db
	name=$(basename "$1")
	case $name in
	shared_*)
		echo "${dbs[*]}"
		return
		;;
	srv_* | long_srv_*)
		for db in "${dbs[@]}"; do
			[ "${db_server[$db]}" = - ] || echo "$db"
		done
		return
		;;
	esac
	for db in "${dbs[@]}"; do
		case $name in "${db_prefix[$db]}"_*)
			echo "$db"
			return
			;;
		esac
	done
	for db in "${dbs[@]}"; do
		[ "${db_server[$db]}" = - ] && echo "$db"
	done
}
available() {
	[ "${db_server[$1]}" = - ] || [ "${have[${db_server[$1]}]:-0}" = 1 ]
}

# --- the driver contract, once per database -----------------------------------
# tests/driver/contract.c reads the server URLs the env files exported; it
# fails by itself under CI=true when one is missing.
if [ -x "$STRATA_BUILD/tests/driver/contract" ]; then
	for db in "${dbs[@]}"; do
		log="$logs/contract.$db.log"
		XDG_CACHE_HOME="$logs/cache.contract.$db" \
			"$STRATA_BUILD/tests/driver/contract" "$db" >"$log" 2>&1
		r=$?
		p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
		f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
		s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
		p=${p:-0} f=${f:-0} s=${s:-0}
		if [ $r -ne 0 ] && [ "$f" = 0 ]; then f=1; fi # crashed
		echo "driver contract [$db]: $p passed, $f failed, $s skipped"
		[ "$f" = 0 ] || cat "$log"
		count "$p" "$f" "$s"
	done
fi

# The longest suites start first, so that none of them starts last and
# runs on alone while the other job has nothing left (the order changes
# nothing else). Measured with the "slowest tests" lines below.
first="rel_crash shared_history shared_adopt rel_faults shared_json rel_security
	rel_hostile rel_race shared_layouts pg_replicas cli_deb pg_run cli_clang"
ordered=()
for f in $first; do
	[ -f "tests/cli/$f.sh" ] && ordered+=("tests/cli/$f.sh")
done
for suite in tests/cli/*.sh; do
	case " $(echo $first) " in *" $(basename "$suite" .sh) "*) continue ;; esac
	ordered+=("$suite")
done

pids=()
n=0
for suite in "${ordered[@]}"; do
	case $(basename "$suite") in
	long_*) [ "${STRATA_LONG:-0}" = 1 ] || continue ;;
	esac
	for db in $(suite_dbs "$suite"); do
		n=$((n + 1))
		log="$logs/cli.$(printf %03d $n).$(basename "$suite" .sh).$db.log"
		if ! available "$db"; then
			k=$(grep -c '^t_[a-z0-9_]*()' "$suite")
			echo "RESULT 0 0 $k" >"$log.skip"
			echo "skip $(basename "$suite") [$db]: no server" >>"$log.skip"
			continue
		fi
		while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
			wait -n 2>/dev/null || sleep 0.1
		done
		tests/lib/run-suite.sh "$suite" "$db" >"$log" 2>&1 &
	done
done
wait
for log in "$logs"/cli.*.log "$logs"/cli.*.skip; do
	[ -f "$log" ] || continue
	grep -v '^RESULT' "$log"
	res=$(grep '^RESULT' "$log" | tail -1)
	if [ -z "$res" ]; then
		echo "FAIL $(basename "$log"): the suite did not finish"
		count 0 1 0
	else
		# shellcheck disable=SC2086
		count $(echo "$res" | cut -d' ' -f2-4)
	fi
done

wait "$analyze_pid" 2>/dev/null # reaped already by the wait above
grep -v '^RESULT' "$logs/analyze.log"
res=$(grep '^RESULT' "$logs/analyze.log" | tail -1)
if [ -z "$res" ]; then
	echo "FAIL analysis: tests/lib/analyze.sh did not finish"
	count 0 1 0
else
	read -r _ p f s <<<"$res"
	count "$p" "$f" "$s"
fi

# the slowest tests, to keep the whole run short (never a pass or fail)
echo "slowest tests:"
cat "$logs"/cli.*.log 2>/dev/null | sed -n 's/^\(ok  \|FAIL\) *\([^ ]*\) \(\[[a-z]*\]\) (\([0-9]*\) ms)$/\4 \2 \3/p' |
	sort -rn | head -12 | awk '{ printf "  %6.1f s  %s %s\n", $1 / 1000, $2, $3 }'
echo "slowest suites:"
for log in "$logs"/cli.*.log; do
	[ -f "$log" ] || continue
	sed -n 's/^\(ok  \|FAIL\) *\([^.]*\)\.[^ ]* \(\[[a-z]*\]\) (\([0-9]*\) ms)$/\4 \2 \3/p' "$log"
done | awk '{ t[$2 " " $3] += $1 } END { for (k in t) print t[k], k }' |
	sort -rn | head -12 | awk '{ printf "  %6.1f s  %s %s\n", $1 / 1000, $2, $3 }'
echo "time: $(($(date +%s) - t0)) s"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
