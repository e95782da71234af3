#!/usr/bin/env bash
# analyze.sh: the static analysis of make check, as two checks: gcc
# -fanalyzer (make analyze-gcc: src/, tests/unit, tests/fuzz) and cppcheck
# (make analyze-cppcheck: src/), and a third: no two source files call each
# other in a loop (tests/lib/file_cycles.py, on the objects of the test
# build, $STRATA_BUILD, or build/rel). Prints "analysis NAME: ok", or FAILED and
# the findings, and, last, "RESULT passed failed skipped" as a suite does.
# Objects are kept in build/analyze: only what changed is analysed again.
set -u
cd "$(dirname "$0")/../.." || exit 2
jobs=${STRATA_TEST_JOBS:-$(nproc 2>/dev/null || echo 2)}
log=$(mktemp "${TMPDIR:-/tmp}/strata-analyze.XXXXXX")
trap 'rm -f "$log"' EXIT
passed=0 failed=0

for check in gcc-fanalyzer:analyze-gcc cppcheck:analyze-cppcheck; do
	name=${check%%:*} target=${check#*:}
	t0=$(date +%s)
	# -k: every file's findings, not only the first file's
	if make --no-print-directory -k -j"$jobs" ANALYZE_JOBS="$jobs" \
		"$target" >"$log" 2>&1; then
		echo "analysis $name: ok ($(($(date +%s) - t0)) s)"
		passed=$((passed + 1))
	else
		echo "analysis $name: FAILED"
		grep -v -e '^  ANALYZE ' -e '^  CPPCHECK ' "$log"
		failed=$((failed + 1))
	fi
done

objs=${STRATA_BUILD:-build/rel}
if python3 tests/lib/file_cycles.py "$objs" >"$log" 2>&1; then
	echo "analysis file-loops: ok ($(tail -1 "$log"))"
	passed=$((passed + 1))
else
	echo "analysis file-loops: FAILED"
	cat "$log"
	failed=$((failed + 1))
fi
echo "RESULT $passed $failed 0"
