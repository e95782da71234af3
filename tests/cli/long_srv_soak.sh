# shellcheck shell=bash
# Random kill soak on PostgreSQL and MariaDB, long tier (make check-long):
# 200 runs of a random command (up, up 2, down 2, down --all, redo,
# up --to 6) from a random state, killed with SIGKILL after a random
# delay; see rel_srv_soak in rel-lib.sh. REL_SOAK_RUNS=N changes the
# count, REL_REPORT=FILE collects the figures.

. "$(dirname "${BASH_SOURCE[0]}")/../lib/rel-lib.sh"

t_long_srv_random_kill_soak() {
	rel_srv_soak "${REL_SOAK_RUNS:-200}"
}
