# shellcheck shell=bash
# exact-lib.sh: helpers that let a test control when things happen, instead
# of sleeping and hoping the machine was fast (or slow) enough. Not a suite
# (it defines no t_ function). A suite loads it with
#
#	. "$(dirname "${BASH_SOURCE[0]}")/../lib/exact-lib.sh"
#
# They rely on the test build (build/san, -DSTRATA_TEST_BUILD=1):
#
#   STRATA_TEST_CACHE_MIN_AGE_MS=MS  the caches (stat, folder listing, SQLite
#       history) keep what they learn about a file once it has been left
#       unchanged MS ms (default: 2 s, 100 ms for the SQLite file). 0: at
#       once, so a test need not wait for files to age; a large value:
#       never, to check that recent files are not kept.
#   STRATA_TEST_PAUSE=POINT:FIFO  strata stops at POINT (src/util/testpoint.h)
#       until the test lets it go on (the tp_* helpers below).

# cache_at_once: the caches keep files however recently they changed. A
# change the test makes after a cache was written must then come after
# fs_tick_past, or it could leave the times the cache kept.
cache_at_once() {
	export STRATA_TEST_CACHE_MIN_AGE_MS=0
}

# cache_never_recent: files changed within the last hour are never kept.
cache_never_recent() {
	export STRATA_TEST_CACHE_MIN_AGE_MS=3600000
}

# fs_tick_past PATH...: wait until the file system's clock has moved past
# the modification and change times of every PATH: whatever changes them
# from now on gives them other times. Polls a fresh file's change time
# (the clock ticks every few milliseconds), 10 s at most.
fs_tick_past() {
	local newest=0 t
	for t in $(stat -c '%.9Y %.9Z' "$@"); do
		t=${t/./}
		[ "$((10#$t))" -le "$newest" ] || newest=$((10#$t))
	done
	for _ in $(seq 1 1000); do
		: >.fs-tick
		t=$(stat -c '%.9Z' .fs-tick)
		rm -f .fs-tick
		t=${t/./}
		[ "$((10#$t))" -gt "$newest" ] && return 0
		sleep 0.01
	done
	fail "the file system's clock did not move past the times of $*"
}
