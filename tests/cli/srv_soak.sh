# shellcheck shell=bash
# Random kill soak on PostgreSQL and MariaDB, fast tier: 10 runs of a
# random command from a random state, killed with SIGKILL mid-run, each
# checked (lock released, every migration whole or marked dirty, then a
# normal run completes). long_srv_soak.sh does 200 (STRATA_LONG=1).
# REL_SOAK_RUNS=N changes the count.

. "$(dirname "${BASH_SOURCE[0]}")/../lib/rel-lib.sh"

t_srv_random_kill_soak() {
	rel_srv_soak "${REL_SOAK_RUNS:-10}"
}
