# shellcheck shell=bash
# strata builds with clang as well as gcc, with the same -Werror flags,
# the release binary, the shared library and the sanitizer build of the
# unit tests alike.

t_clang_builds_everything() {
	command -v clang >/dev/null || skip "no clang"
	cp -r "$STRATA_SRC_ROOT/include" "$STRATA_SRC_ROOT/src" "$STRATA_SRC_ROOT/tests" "$STRATA_SRC_ROOT/docs" \
		"$STRATA_SRC_ROOT/Makefile" "$STRATA_SRC_ROOT/strata.pc.in" .
	# -O0: clang's warnings do not depend on optimisation, and the
	# release build compiles in half the time
	make -s -j2 CC=clang CFLAGS=-O0 all build/san/tests/unit/test_core >build.log 2>&1 ||
		fail "clang build: $(grep -E 'error|warning' build.log | head -20)"
	./strata version | grep -q "^strata " || fail "the clang binary does not run"
	readelf -d libstrata.so.0 | grep -q 'SONAME.*libstrata.so.0' || fail "clang's libstrata.so.0 has no SONAME"
	nm -D --defined-only libstrata.so.0 | awk '{ print $NF }' | grep -v '^STRATA_0$' | grep -v '^strata_' >other.txt
	[ ! -s other.txt ] || fail "clang's libstrata.so.0 exports: $(cat other.txt)"
	build/san/tests/unit/test_core >unit.log 2>&1 || fail "unit tests under clang: $(tail -20 unit.log)"
}
