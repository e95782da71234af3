#!/usr/bin/env bash
# gen_seed.sh MB DIR: a large seed file of about MB megabytes (10^6 bytes) of INSERTs,
# for strata and for the databases' own clients:
#
#   DIR/strata/00001_create_seed.up.sql   CREATE TABLE seed (id, name, amount, note)
#   DIR/strata/00002_seed.up.sql          the INSERTs, one row each, ~110 bytes a line
#   DIR/floor/create.sql                  the same CREATE TABLE
#   DIR/floor/seed.sql                    the INSERTs between BEGIN; and COMMIT;
#   DIR/rows                              how many rows the seed inserts
#
# The SQL is the same for SQLite, PostgreSQL and MariaDB. awk writes ~100 MB/s.
set -euo pipefail

if [[ $# -ne 2 || ! $1 =~ ^[0-9]+$ || $1 -lt 1 || $1 -gt 250 ]]; then
    echo "usage: gen_seed.sh MB DIR   (1 <= MB <= 250)" >&2
    exit 2
fi
mb=$1 dir=$2
rm -rf "$dir"
mkdir -p "$dir/strata" "$dir/floor"

create='CREATE TABLE seed (
    id INTEGER PRIMARY KEY,
    name VARCHAR(40) NOT NULL,
    amount NUMERIC(12, 2) NOT NULL,
    note VARCHAR(80)
);'
printf '%s\n' "$create" >"$dir/strata/00001_create_seed.up.sql"
printf '%s\n' "$create" >"$dir/floor/create.sql"

awk -v bytes=$((mb * 1000000)) -v rows="$dir/rows" 'BEGIN {
    n = 0
    for (i = 1; total < bytes; i++) {
        line = sprintf("INSERT INTO seed (id, name, amount, note) VALUES (%d, %cname %08d%c, %d.%02d, %cnote for row %d of the seed file%c);", i, 39, i, 39, i % 100000, i % 100, 39, i, 39)
        print line
        total += length(line) + 1
        n = i
    }
    print n > rows
}' >"$dir/strata/00002_seed.up.sql"
{
    printf 'BEGIN;\n'
    cat "$dir/strata/00002_seed.up.sql"
    printf 'COMMIT;\n'
} >"$dir/floor/seed.sql"
