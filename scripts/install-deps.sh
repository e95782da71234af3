#!/bin/sh
# Install the Debian 12 packages strata needs, but only those that are missing.
#
#   scripts/install-deps.sh [build|test|bench]        (default: build)
#
#   build  compiler, pkg-config, binutils (objdump reads the SONAMEs) and the
#          client/parser libraries: the -dev packages for headers, which pull in
#          the libraries strata loads at run time (libpq5, libmariadb3,
#          libpg-query1504.0, libssl3)
#   test   build + sanitizers/fuzzing, cmocka, the database servers the integration
#          tests start (PostgreSQL 15, MariaDB, Redis, and PgBouncer in front of
#          PostgreSQL for tests/cli/pg_pooler.sh), valgrind, strace, gcovr,
#          cppcheck (gcc's -fanalyzer needs nothing more), and sql-migrate, a peer
#          `adopt` is tested against (tests/lib/peers.sh installs dbmate with the
#          machine's npm)
#   bench  test + hyperfine and time (the npm side of the benchmark is installed elsewhere)
#
# A machine that already has everything does no apt work and needs no root: the check is
# a single dpkg-query. When something is missing:
#   - as root: apt-get install it (apt-get update first only when the package lists are
#     empty, or once after a failed install, since stale lists are the usual cause);
#   - otherwise: print the missing packages and the command to run, and exit 2.
#
# Exit codes: 0 all present (or installed), 1 apt failed, 2 missing and not root,
#             64 usage error.
set -eu

BUILD_PKGS="gcc make pkgconf binutils libsqlite3-dev libpq-dev libmariadb-dev libpg-query-dev
libssl-dev libjansson-dev libinih-dev zlib1g-dev sqlite3"
TEST_PKGS="$BUILD_PKGS clang libclang-rt-14-dev libcmocka-dev postgresql-15
postgresql-client-15 mariadb-server mariadb-client redis-server redis-tools pgbouncer python3
valgrind strace gcovr procps cppcheck sql-migrate zsh fish shellcheck man-db
galera-4 rsync"
BENCH_PKGS="$TEST_PKGS hyperfine time"

usage() {
    echo "usage: $0 [build|test|bench]" >&2
    exit 64
}

[ $# -le 1 ] || usage
case "${1:-build}" in
    build) wanted=$BUILD_PKGS ;;
    test) wanted=$TEST_PKGS ;;
    bench) wanted=$BENCH_PKGS ;;
    -h | --help) echo "usage: $0 [build|test|bench]"; exit 0 ;;
    *) usage ;;
esac
# Newlines above are only for line length; make it one space-separated list.
# shellcheck disable=SC2086   # word splitting of the package list is intended
set -- $wanted
wanted="$*"

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "strata: this is not a Debian-based system (no dpkg-query)." >&2
    echo "strata: install the equivalents of: $wanted" >&2
    exit 2
fi

# Print the packages of "$@" that are not fully installed. One dpkg-query call for all
# of them (fast); a package dpkg has never heard of prints nothing, and a removed one
# that kept its config files reports "config-files": both count as missing.
missing_of() {
    # shellcheck disable=SC2016   # ${...} here is dpkg-query's format syntax, not the shell's
    installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "$@" 2>/dev/null |
        awk '$2 == "installed" { printf " %s", $1 }') || true
    out=""
    for p in "$@"; do
        case "$installed " in
            *" $p "*) ;;
            *) out="$out $p" ;;
        esac
    done
    echo "${out# }"
}

# shellcheck disable=SC2086
missing=$(missing_of $wanted)
[ -n "$missing" ] || exit 0

if [ "$(id -u)" -ne 0 ]; then
    {
        echo "strata: these Debian packages are missing: $missing"
        echo "strata: install them with:"
        echo "    sudo apt-get install -y $missing"
        echo "strata: (run 'sudo apt-get update' first if apt cannot find them)"
    } >&2
    exit 2
fi

export DEBIAN_FRONTEND=noninteractive
log=$(mktemp /tmp/strata-apt.XXXXXX)
trap 'rm -f "$log"' EXIT

apt_update() {
    apt-get -o DPkg::Lock::Timeout=120 update >>"$log" 2>&1
}
apt_install() {
    # shellcheck disable=SC2086
    apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=120 $missing >>"$log" 2>&1
}
fail() {
    echo "strata: $1; last lines of the apt output:" >&2
    tail -n 25 "$log" >&2
    exit 1
}

# A fresh container image often ships with empty lists: nothing could be found at all.
updated=no
if ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1; then
    apt_update || fail "apt-get update failed"
    updated=yes
fi
if ! apt_install; then
    # Old lists point at package versions the mirror no longer has: refresh once, retry.
    [ "$updated" = no ] || fail "apt-get install failed"
    apt_update || fail "apt-get update failed"
    apt_install || fail "apt-get install failed"
fi

# Trust but verify: apt can succeed while a package ends up half-configured.
# shellcheck disable=SC2086
still=$(missing_of $missing)
[ -z "$still" ] || fail "still not installed after apt-get: $still"
echo "strata: installed: $missing"
