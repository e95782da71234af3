# shellcheck shell=bash
# python-path.sh: the tests call python3 straight, never through a version
# manager's shim (pyenv's is a shell script that costs a tenth of a second
# of CPU a call, and the suites call python3 thousands of times). Sourced
# by tests/run.sh and tests/lib/run-suite.sh; python_direct DIR puts a
# link to the interpreter that `python3` resolves to (whatever PATH
# chooses, the shim's choice included) in DIR/bin and DIR/bin first in
# PATH, once: STRATA_TEST_PYTHON_DIR says it is done.
python_direct() {
	local exe
	[ -z "${STRATA_TEST_PYTHON_DIR:-}" ] || return 0
	command -v python3 >/dev/null 2>&1 || return 0
	exe=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || return 0
	[ -x "$exe" ] || return 0
	mkdir -p "$1/bin" && ln -sf "$exe" "$1/bin/python3" || return 0
	export STRATA_TEST_PYTHON_DIR=$1/bin PATH=$1/bin:$PATH
}
