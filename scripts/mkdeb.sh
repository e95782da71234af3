#!/bin/sh
# mkdeb.sh ROOT VERSION OUTDIR DLOPEN_PACKAGES...: make strata's .deb with
# dpkg-deb from a staged `make install` (PREFIX=/usr) in ROOT.
#
# Depends: the packages of the libraries the binary and libstrata.so are
# linked with (their NEEDED entries, found with dpkg -S), and those strata
# opens with dlopen on first use (the Makefile's *_PACKAGE names: libpq5,
# libmariadb3, libpg-query, libssl3): a package is one install for every
# database, so nothing fails later for want of a client library.
# dpkg-shlibdeps is not used: it wants a debian/ source tree.
set -eu
root=$1 version=$2 outdir=$3
shift 3
arch=$(dpkg --print-architecture)
maint=${DEB_MAINTAINER:-strata maintainers <strata@localhost>}

[ -x "$root/usr/bin/strata" ] || {
	echo "mkdeb: $root/usr/bin/strata missing (make install first)" >&2
	exit 1
}

# no debugging symbols in the package (the build keeps them)
if command -v strip >/dev/null; then
	strip --strip-unneeded "$root/usr/bin/strata" "$root"/usr/lib/*/libstrata.so.*.*.*
	strip --strip-debug "$root"/usr/lib/*/libstrata.a
fi
# Debian keeps manual pages compressed, without a time stamp
find "$root/usr/share/man" -type f -name '*.[1-9]' -exec gzip -9nf {} + 2>/dev/null || true

# the package of each linked library, through the path the loader picks
linked() {
	for f in "$root/usr/bin/strata" "$root"/usr/lib/*/libstrata.so.*.*.* "$root"/usr/lib/libstrata.so.*.*.*; do
		if [ -f "$f" ] && [ ! -L "$f" ]; then
			LD_LIBRARY_PATH='' ldd "$f" | sed -n 's/^[[:space:]]*lib[^ ]* => \(\/[^ ]*\) .*/\1/p'
		fi
	done | grep -v 'libstrata' | sort -u | while read -r lib; do
		# /lib is /usr/lib on Debian 12 (merged /usr); dpkg knows one
		dpkg -S "$lib" 2>/dev/null || dpkg -S "$(readlink -f "$lib")" 2>/dev/null ||
			dpkg -S "/usr$lib" 2>/dev/null || {
			echo "mkdeb: no package has $lib" >&2
			echo '!missing'
		}
	done | sed 's/:.*//' | sed 's/^libc6$/libc6 (>= 2.34)/'
}
deps=$({ linked; for p in "$@"; do echo "$p"; done; } | sort -u | paste -sd, - | sed 's/,/, /g')
case $deps in *'!missing'*) exit 1 ;; esac

mkdir -p "$root/DEBIAN"
cat >"$root/DEBIAN/control" <<CONTROL
Package: strata
Version: $version
Architecture: $arch
Maintainer: $maint
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: $deps
Suggests: postgresql-client, mariadb-client
Section: database
Priority: optional
Description: versioned schema migrations for SQLite, PostgreSQL and MariaDB
 strata applies plain SQL migration files in order, keeps an auditable
 history of what ran where, and makes the dangerous parts safe by default.
 It reads folders written for golang-migrate, dbmate, goose, Flyway,
 sql-migrate, sqlx, Prisma and Diesel as they are.
 .
 This package holds the strata command, its manual page, its bash, zsh
 and fish completions, and libstrata (shared and static) with its headers
 and pkg-config file. Backups and
 restores run pg_dump/psql (postgresql-client) or mariadb-dump/mariadb
 (mariadb-client).
CONTROL
# ldconfig runs after the package's libraries are installed or removed
echo 'activate-noawait ldconfig' >"$root/DEBIAN/triggers"
mkdir -p "$outdir"
dpkg-deb --build --root-owner-group "$root" "$outdir/strata_${version}_${arch}.deb"
