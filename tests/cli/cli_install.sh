# shellcheck shell=bash
# make install puts the binary, the headers, libstrata.a, the shared
# library with its two symbolic links, strata.pc and the man page under
# PREFIX in DESTDIR, and an application built with pkg-config against them
# migrates its database (examples/embed), linked statically or not.

# install into $PWD/root/usr/local; sets pc (pkg-config with the prefix)
install_root() {
	command -v cc >/dev/null || skip "no C compiler"
	src_make install PREFIX=/usr/local DESTDIR="$PWD/root" >make.log 2>&1 ||
		fail "make install: $(tail -20 make.log)"
	export PKG_CONFIG_PATH=$PWD/root/usr/local/lib/pkgconfig
	pc="pkg-config --define-variable=prefix=$PWD/root/usr/local"
	version=$(sed -n 's/^#define STRATA_VERSION *"\(.*\)"/\1/p' "$STRATA_SRC_ROOT/include/strata/common.h")
	[ -n "$version" ] || fail "no STRATA_VERSION in common.h"
	major=${version%%.*}
}

# the example migrates examples/journal and shows its status
run_app() {
	"$@" "sqlite:$PWD/app.db" "$STRATA_SRC_ROOT/examples/journal" >app.out 2>&1 || fail "app: $(cat app.out)"
	grep -q "applied 0012_add_indexes" app.out || fail "no progress: $(cat app.out)"
	grep -q "^0012 applied" app.out || fail "no status: $(cat app.out)"
}

t_install_and_embed_static() {
	install_root
	for f in bin/strata lib/libstrata.a lib/pkgconfig/strata.pc include/strata/strata.h \
		include/strata/lint.h include/strata/schema.h include/strata/adopt.h \
		include/strata/sys/driver.h share/man/man1/strata.1 \
		share/bash-completion/completions/strata share/zsh/vendor-completions/_strata \
		share/fish/vendor_completions.d/strata.fish; do
		[ -f "root/usr/local/$f" ] || fail "not installed: $f"
	done
	# --static adds libstrata's own dependencies (Requires.private)
	libs=$($pc --static --libs strata) || fail "pkg-config --static --libs"
	case " $libs " in *" -lsqlite3 "*) ;; *) fail "no -lsqlite3 in --static --libs: $libs" ;; esac
	libs=${libs/-lstrata/-Wl,-Bstatic -lstrata -Wl,-Bdynamic}
	# shellcheck disable=SC2046,SC2086
	cc -std=c11 -Wall -Wextra -Werror "$STRATA_SRC_ROOT/examples/embed/main.c" -o app \
		$($pc --cflags strata) $libs || fail "the example did not build"
	readelf -d app >dyn.out || fail "readelf"
	! grep -q 'libstrata' dyn.out || fail "linked against the shared library: $(grep NEEDED dyn.out)"
	run_app ./app
	"root/usr/local/bin/strata" -d "sqlite:$PWD/app.db" -m "$STRATA_SRC_ROOT/examples/journal" status >st.out ||
		fail "installed binary"
	grep -q "12 applied, 0 pending" st.out || fail "status: $(cat st.out)"
}

t_install_shared_library() {
	install_root
	lib=root/usr/local/lib
	[ -f "$lib/libstrata.so.$version" ] || fail "not installed: libstrata.so.$version"
	[ "$(readlink "$lib/libstrata.so.$major")" = "libstrata.so.$version" ] ||
		fail "libstrata.so.$major -> $(readlink "$lib/libstrata.so.$major")"
	[ "$(readlink "$lib/libstrata.so")" = "libstrata.so.$major" ] ||
		fail "libstrata.so -> $(readlink "$lib/libstrata.so")"
	readelf -d "$lib/libstrata.so.$version" >dyn.out || fail "readelf"
	grep -q "Library soname: \[libstrata.so.$major\]" dyn.out || fail "SONAME: $(grep SONAME dyn.out)"
	! grep -q 'RPATH\|RUNPATH' dyn.out || fail "has a run path: $(grep PATH dyn.out)"
	# the public API, from the headers, and what the library exports
	cat root/usr/local/include/strata/*.h root/usr/local/include/strata/sys/*.h | tr '\n' ' ' |
		grep -o 'STRATA_EXTERN([^)]*) *strata_[a-z0-9_]*' | sed 's/.* //' | sort -u >api.txt
	[ "$(wc -l <api.txt)" -ge 30 ] || fail "too few public calls found: $(cat api.txt)"
	nm -D --defined-only "$lib/libstrata.so.$version" | awk '{ print $NF }' | sed 's/@.*//' | sort -u >exported.txt
	grep -vx "STRATA_$major" exported.txt | grep -v '^strata_' >other.txt
	[ ! -s other.txt ] || fail "exports other symbols: $(tr '\n' ' ' <other.txt)"
	grep -qx "STRATA_$major" exported.txt || fail "no version node STRATA_$major"
	grep -vx "STRATA_$major" exported.txt | diff api.txt - >diff.out ||
		fail "exports differ from the headers' STRATA_EXTERN set: $(cat diff.out)"
	# every export carries the version node
	objdump -T "$lib/libstrata.so.$version" | awk '$NF ~ /^strata_/ && $(NF-1) !~ /STRATA_/' >unversioned.txt
	[ ! -s unversioned.txt ] || fail "unversioned: $(cat unversioned.txt)"

	# a small program of our own, against the installed header only
	cat >ver.c <<'C'
#include <stdio.h>
#include <string.h>
#include <strata/strata.h>

int main(void)
{
	strata_buf b = STRATA_BUF_INIT;
	int rc = strata_version_parse(&b, "0004.0");

	if (rc < 0 || strcmp(b.ptr, "4") != 0)
		return 1;
	printf("%s %s %s\n", strata_version(), b.ptr, strata_strerror(STRATA_ENOTFOUND));
	strata_buf_release(&b);
	return strcmp(strata_version(), STRATA_VERSION) != 0;
}
C
	# shellcheck disable=SC2046
	cc -std=c11 -Wall -Wextra -Werror ver.c -o ver $($pc --cflags --libs strata) ||
		fail "ver.c did not build"
	readelf -d ver | grep -q "NEEDED.*\[libstrata.so.$major\]" || fail "ver: not linked to libstrata.so.$major"
	LD_LIBRARY_PATH=$PWD/$lib ./ver >ver.out 2>&1 || fail "ver: $(cat ver.out)"
	grep -q "^$version 4 " ver.out || fail "ver: $(cat ver.out)"
	LD_LIBRARY_PATH=$PWD/$lib ldd ./ver | grep -q "libstrata.so.$major => $PWD/$lib/" ||
		fail "ver does not load the installed library: $(LD_LIBRARY_PATH=$PWD/$lib ldd ./ver)"

	# and the example, the whole API path (connect, up, status)
	# shellcheck disable=SC2046
	cc -std=c11 -Wall -Wextra -Werror "$STRATA_SRC_ROOT/examples/embed/main.c" -o app \
		$($pc --cflags --libs strata) || fail "the example did not build"
	run_app env LD_LIBRARY_PATH="$PWD/$lib" ./app
}
