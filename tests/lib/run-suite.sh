#!/usr/bin/env bash
# run-suite.sh SUITE DB: run every t_ function of SUITE against DB
# (sqlite, postgres, mysql), each in a subshell in a fresh folder with a
# fresh database. Prints "ok"/"not ok" per test and, last, a line
# "RESULT passed failed skipped".
set -u
suite=$1
export STRATA_TEST_DB=$2
here=$(cd "$(dirname "$0")" && pwd)
suite_path=$(cd "$(dirname "$suite")" && pwd)/$(basename "$suite")
name=$(basename "$suite" .sh)
STRATA_SRC_ROOT=$(cd "$here/../.." && pwd)
export STRATA_SRC_ROOT
passed=0 failed=0 skipped=0
root=$(mktemp -d "${TMPDIR:-/tmp}/strata-t.XXXXXX")
# shellcheck source=tests/lib/python-path.sh
. "$here/python-path.sh"
python_direct "$root"

# shellcheck source=tests/lib/test-lib.sh
. "$here/test-lib.sh"
# shellcheck disable=SC1090
. "$suite_path"

n=0
for t in $(declare -F | awk '{print $3}' | grep '^t_'); do
	n=$((n + 1))
	dir="$root/$n"
	mkdir -p "$dir"
	skipf="$dir.skip"
	start=$(date +%s%N)
	(
		cd "$dir" || exit 1
		export TEST_ID="$$_${n}" TEST_SKIP_FILE="$skipf"
		# the stat cache of each test stays in its folder
		export XDG_CACHE_HOME="$dir/.cache"
		# st's output files (test-lib.sh), out of the test's folder
		export TEST_OUT_DIR="$dir.out"
		mkdir -p "$TEST_OUT_DIR"
		db_setup || { echo "    database set-up failed" >&2; exit 1; }
		# fail and skip exit: the database is dropped on every way out
		trap db_teardown EXIT
		# STRATA_TEST_XTRACE=FILE: a timed trace of each test, appended to FILE
		# (to see where a slow test spends its time)
		if [ -n "${STRATA_TEST_XTRACE:-}" ]; then
			exec {xtrace_fd}>>"$STRATA_TEST_XTRACE"
			BASH_XTRACEFD=$xtrace_fd PS4='+ $EPOCHREALTIME '
			set -x
		fi
		"$t"
	) >"$dir.log" 2>&1
	r=$?
	# how long it took, reported only (make check lists the slowest)
	ms=$((($(date +%s%N) - start) / 1000000))
	if [ -s "$skipf" ]; then
		skipped=$((skipped + 1))
		echo "skip $name.$t [$STRATA_TEST_DB]: $(cat "$skipf")"
	elif [ $r -eq 0 ]; then
		passed=$((passed + 1))
		echo "ok   $name.$t [$STRATA_TEST_DB] ($ms ms)"
	else
		failed=$((failed + 1))
		echo "FAIL $name.$t [$STRATA_TEST_DB] ($ms ms)"
		sed 's/^/  /' "$dir.log"
	fi
done
rm -rf "$root"
echo "RESULT $passed $failed $skipped"
