# shellcheck shell=bash
# make deb builds strata_VERSION_ARCH.deb with dpkg-deb: its control
# fields name the run-time libraries strata links and loads, its files are
# the binary, the man page, libstrata (shared, with its links, and static),
# the headers and strata.pc. As root (CI), it is really installed with
# dpkg -i, used on SQLite, and removed again.

# build the package into $PWD; sets deb, version, arch
build_deb() {
	command -v dpkg-deb >/dev/null || skip "no dpkg-deb (not a Debian system)"
	src_make deb DEB_DIR="$PWD" >make.log 2>&1 || fail "make deb: $(tail -20 make.log)"
	version=$(sed -n 's/^#define STRATA_VERSION *"\(.*\)"/\1/p' "$STRATA_SRC_ROOT/include/strata/common.h")
	arch=$(dpkg --print-architecture)
	deb=$PWD/strata_${version}_${arch}.deb
	[ -f "$deb" ] || fail "no $deb: $(ls)"
}

field() {
	dpkg-deb -f "$deb" "$1"
}

# the NAME in a Depends list "a, b (>= 1), c"
depends_on() {
	field Depends | tr ',' '\n' | sed 's/^ *//; s/ .*//' | grep -qx "$1" ||
		fail "Depends lacks $1: $(field Depends)"
}

t_deb_control() {
	build_deb
	expect_eq strata "$(field Package)" Package
	expect_eq "$version" "$(field Version)" Version
	expect_eq "$arch" "$(field Architecture)" Architecture
	expect_eq "postgresql-client, mariadb-client" "$(field Suggests)" Suggests
	[ -n "$(field Maintainer)" ] || fail "no Maintainer"
	[ -n "$(field Description)" ] || fail "no Description"
	# linked by the binary or libstrata.so, and loaded with dlopen
	for p in libc6 libsqlite3-0 zlib1g libpq5 libmariadb3 libssl3; do
		depends_on "$p"
	done
	field Depends | grep -q 'libc6 (>= 2.34)' || fail "libc6 without >= 2.34 (dlopen in libc): $(field Depends)"
	# libpg_query: when this system has the library strata loads
	pgq=$(sed -n 's/.*STRATA_LIBPG_QUERY_PACKAGE=\\"\([^\\]*\)\\".*/\1/p' "$STRATA_SRC_ROOT/build/rel/.flags")
	if [ -n "$pgq" ] && dpkg -s "$pgq" >/dev/null 2>&1; then
		depends_on "$pgq"
	fi
	# every package named exists here (the build resolved them with dpkg)
	for p in $(field Depends | tr ',' '\n' | sed 's/^ *//; s/ .*//'); do
		dpkg -s "$p" >/dev/null 2>&1 || fail "Depends names $p, which is not installed here"
	done
	# ldconfig after install and removal
	dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./triggers | grep -qx 'activate-noawait ldconfig' ||
		fail "no ldconfig trigger"
}

t_deb_files() {
	build_deb
	dpkg -x "$deb" root || fail "dpkg -x"
	ma=$(cc -print-multiarch)
	lib=root/usr/lib/$ma
	for f in usr/bin/strata usr/share/man/man1/strata.1.gz usr/include/strata/strata.h \
		usr/include/strata/common.h usr/include/strata/errors.h usr/include/strata/buf.h \
		usr/include/strata/lint.h usr/include/strata/schema.h usr/include/strata/adopt.h \
		usr/include/strata/sys/driver.h "usr/lib/$ma/libstrata.so.$version" \
		"usr/lib/$ma/libstrata.a" "usr/lib/$ma/pkgconfig/strata.pc" \
		usr/share/bash-completion/completions/strata usr/share/zsh/vendor-completions/_strata \
		usr/share/fish/vendor_completions.d/strata.fish; do
		[ -f "root/$f" ] || fail "not in the package: /$f"
	done
	[ "$(readlink "$lib/libstrata.so.${version%%.*}")" = "libstrata.so.$version" ] || fail "no SONAME link"
	[ "$(readlink "$lib/libstrata.so")" = "libstrata.so.${version%%.*}" ] || fail "no libstrata.so link"
	# nothing outside /usr, nothing owned by the builder
	dpkg-deb -c "$deb" | awk '{ print $6 }' | grep -v '^\./$' | grep -v '^\./usr/' >outside.txt
	[ ! -s outside.txt ] || fail "outside /usr: $(cat outside.txt)"
	dpkg-deb -c "$deb" | awk '$2 != "root/root"' >owners.txt
	[ ! -s owners.txt ] || fail "not root/root: $(cat owners.txt)"
	# strata.pc points at the system's folders
	grep -qx 'prefix=/usr' "$lib/pkgconfig/strata.pc" || fail "strata.pc: $(cat "$lib/pkgconfig/strata.pc")"
	grep -qx "libdir=\${exec_prefix}/lib/$ma" "$lib/pkgconfig/strata.pc" ||
		fail "strata.pc libdir: $(grep libdir "$lib/pkgconfig/strata.pc")"
	# the binary from the package runs
	root/usr/bin/strata version >v.out 2>&1 || fail "strata version: $(cat v.out)"
	grep -qx "strata $version" v.out || fail "version: $(cat v.out)"
}

t_deb_install() {
	if [ "$(id -u)" != 0 ]; then
		[ "${CI:-false}" = true ] && fail "CI runs as root: dpkg -i must run"
		skip "not root: dpkg -i needs root"
	fi
	# one install at a time on this machine: another make check beside
	# this one installs and removes the same package (the lock goes
	# with this test's subshell, after its EXIT trap removed the package)
	exec 9>/tmp/strata-dpkg-test.lock
	flock 9
	if dpkg -s strata >/dev/null 2>&1; then
		# a strata package this test did not install is not ours to remove
		[ "${CI:-false}" = true ] && fail "a strata package is installed already"
		skip "a strata package is installed already"
	fi
	build_deb
	dpkg -i "$deb" >dpkg.log 2>&1 || {
		dpkg -r strata >/dev/null 2>&1
		fail "dpkg -i: $(cat dpkg.log)"
	}
	# removed however the test ends
	trap 'dpkg -r strata >/dev/null 2>&1; db_teardown' EXIT
	dpkg -s strata | grep -qx 'Status: install ok installed' || fail "not installed: $(dpkg -s strata)"
	/usr/bin/strata version >v.out 2>&1 || fail "strata version: $(cat v.out)"
	grep -qx "strata $version" v.out || fail "version: $(cat v.out)"
	mig 1 create_t "CREATE TABLE t (id INTEGER PRIMARY KEY);"
	mig 2 add_u "CREATE TABLE u (id INTEGER PRIMARY KEY);"
	# shellcheck disable=SC2034 # st runs it
	STRATA_BIN=/usr/bin/strata
	st up
	expect_rc 0
	st status
	expect_rc 0
	expect_out "2 applied, 0 pending"
	expect_tables "t u"
	# the shared library is where ldconfig finds it
	ldconfig -p | grep -q "libstrata.so.${version%%.*} " || fail "ldconfig does not know libstrata: $(ldconfig -p | grep strata)"
	# and a program built with the installed strata.pc runs without LD_LIBRARY_PATH
	cat >v.c <<'C'
#include <stdio.h>
#include <strata/strata.h>
int main(void)
{
	puts(strata_version());
	return 0;
}
C
	# shellcheck disable=SC2046
	cc -std=c11 -Wall -Werror v.c -o v $(pkg-config --cflags --libs strata) || fail "v.c did not build"
	expect_eq "$version" "$(./v)" "the program's strata_version()"
	dpkg -r strata >dpkg.log 2>&1 || fail "dpkg -r: $(cat dpkg.log)"
	trap db_teardown EXIT
	[ ! -e /usr/bin/strata ] || fail "/usr/bin/strata left after dpkg -r"
	! dpkg -s strata 2>/dev/null | grep -q 'Status: install ok installed' || fail "still installed"
}
