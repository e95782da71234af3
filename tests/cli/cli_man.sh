# shellcheck shell=bash
# The usage lines name every option: for each command in `strata help`,
# each option its --help lists is in the usage line of its --help and in
# its entry in the man page (docs/strata.1), which also has the sections
# a user looks for. The man page renders without a warning.

MAN="$STRATA_SRC_ROOT/docs/strata.1"

# commands: the names `strata help` lists
commands() {
	"$STRATA_BIN" help 2>&1 | awk '/^commands:/ { on = 1; next } on && /^$/ { exit } on { print $1 }'
}

# options CMD: the long options of CMD's own (not global) options
options() {
	"$STRATA_BIN" "$1" --help 2>&1 |
		awk '/^options:/ { on = 1; next } /^global options:/ { exit } on' |
		grep -o -- '--[a-z][a-z-]*' | sort -u
}

# man_entry CMD: the man page's heading line of CMD in COMMANDS (the
# line after a .TP whose first word is CMD), with \- made -
man_entry() {
	awk -v c="$1" '
	/^\.SH COMMANDS/ { on = 1; next } /^\.SH / { on = 0 }
	on && tp { line = $0; gsub(/\\-/, "-", line); gsub(/\\f[BIRP]/, "", line); gsub(/"/, "", line)
	           split(line, w, /[ ,]+/); for (i = 2; i <= length(w); i++) if (w[i] == c) { print line; exit } }
	{ tp = ($0 == ".TP") }' "$MAN"
}

t_every_option_is_in_the_usage_lines() {
	local c o usage entry missing=""
	for c in $(commands); do
		usage=$("$STRATA_BIN" "$c" --help 2>&1 | head -1)
		entry=$(man_entry "$c")
		[ -n "$entry" ] || {
			missing="$missing
$c: no entry in the man page's COMMANDS"
			continue
		}
		for o in $(options "$c"); do
			case $usage in *"$o"*) ;; *) missing="$missing
$c: $o not in the usage line: $usage" ;; esac
			case $entry in *"$o"*) ;; *) missing="$missing
$c: $o not in the man page: $entry" ;; esac
		done
	done
	[ -z "$missing" ] || fail "options not named:$missing"
}

t_the_man_page_has_the_sections_users_look_for() {
	local s
	for s in NAME SYNOPSIS DESCRIPTION COMMANDS "MIGRATION FILES" DIRECTIVES \
		"REPEATABLE MIGRATIONS" "EXEC TARGETS" OPTIONS ENVIRONMENT "EXIT STATUS" \
		VERSIONS "HISTORY TABLE" FILES EXAMPLES "SEE ALSO"; do
		grep -qx "\.SH \"*$s\"*" "$MAN" || fail "no section $s in docs/strata.1"
	done
	command -v man >/dev/null 2>&1 || return 0
	out=$(MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -l "$MAN" 2>&1 >/dev/null)
	[ -z "$out" ] || fail "man warns: $out"
}
