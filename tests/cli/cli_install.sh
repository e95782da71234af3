# shellcheck shell=bash
# make install puts the binary, the headers, libstrata.a, strata.pc and
# the man page under PREFIX in DESTDIR, and an application built with
# pkg-config against them migrates its database (examples/embed).

t_install_and_embed() {
	command -v cc >/dev/null || skip "no C compiler"
	make -s -C "$STRATA_SRC_ROOT" install PREFIX=/usr/local DESTDIR="$PWD/root" >make.log 2>&1 ||
		fail "make install: $(tail -20 make.log)"
	for f in bin/strata lib/libstrata.a lib/pkgconfig/strata.pc include/strata/strata.h \
		include/strata/sys/driver.h share/man/man1/strata.1; do
		[ -f "root/usr/local/$f" ] || fail "not installed: $f"
	done
	pc="pkg-config --define-variable=prefix=$PWD/root/usr/local"
	# shellcheck disable=SC2046
	PKG_CONFIG_PATH=$PWD/root/usr/local/lib/pkgconfig cc -std=c11 -Wall -Wextra -Werror \
		"$STRATA_SRC_ROOT/examples/embed/main.c" -o app \
		$(PKG_CONFIG_PATH=$PWD/root/usr/local/lib/pkgconfig $pc --cflags --libs strata) ||
		fail "the example did not build"
	./app "sqlite:$PWD/app.db" "$STRATA_SRC_ROOT/examples/journal" >app.out 2>&1 || fail "app: $(cat app.out)"
	grep -q "applied 0012_add_indexes" app.out || fail "no progress: $(cat app.out)"
	grep -q "^0012 applied" app.out || fail "no status: $(cat app.out)"
	"root/usr/local/bin/strata" -d "sqlite:$PWD/app.db" -m "$STRATA_SRC_ROOT/examples/journal" status >st.out ||
		fail "installed binary"
	grep -q "12 applied, 0 pending" st.out || fail "status: $(cat st.out)"
}
