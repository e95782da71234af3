# shellcheck shell=bash
# shellcheck disable=SC2154,SC2016 # st sets rc, out, err; $1 is the inner shell's
# Shell completion: the hidden `strata __complete WORD...` prints the
# candidates for the last word from strata's own tables (commands, each
# command's options), strata.conf (targets) and the migrations folder
# (versions, read without connecting); completions/strata.bash runs it
# as bash runs a completion function, with COMP_WORDS, COMP_CWORD,
# COMP_LINE and COMP_POINT set. zsh and fish load their files when the
# shell is installed (the suite does not install them).

# comp LINE: complete the end of "strata LINE" as bash does, the words
# split on blanks and on the '=' and ':' of COMP_WORDBREAKS; sets $reply,
# COMPREPLY on one line, sorted
comp() {
	local line="$STRATA_BIN $1" rest
	local -a words=()
	rest=$line
	while :; do
		rest=${rest#"${rest%%[![:space:]]*}"}
		[[ -n $rest ]] || break
		[[ $rest =~ ^[=:]+ ]] || [[ $rest =~ ^[^=:[:space:]]+ ]] || fail "cannot split: $rest"
		words+=("${BASH_REMATCH[0]}")
		rest=${rest:${#BASH_REMATCH[0]}}
	done
	[[ $line == *[[:space:]] ]] && words+=("")
	reply=$(
		# shellcheck source=completions/strata.bash
		. "$STRATA_SRC_ROOT/completions/strata.bash"
		COMP_WORDS=("${words[@]}")
		COMP_CWORD=$((${#words[@]} - 1))
		COMP_LINE=$line
		COMP_POINT=${#line}
		_strata strata "${words[COMP_CWORD]}" "${words[COMP_CWORD - 1]}"
		printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
	)
}

# expect_comp LINE WANT
expect_comp() {
	comp "$1"
	[ "$reply" = "$2" ] || fail "completing 'strata $1': want '$2', got '$reply'"
}

# cands WORD...: the binary's candidates, one line, in its order
cands() {
	"$STRATA_BIN" __complete "$@" >cands.out 2>cands.err || fail "__complete $*: exit code $?"
	[ ! -s cands.err ] || fail "__complete $*: stderr: $(cat cands.err)"
	tr '\n' ' ' <cands.out | sed 's/ $//'
}

two_targets() {
	mig 0001 a "CREATE TABLE a (id INTEGER);" "DROP TABLE a;"
	mig 0002 b "CREATE TABLE b (id INTEGER);" "DROP TABLE b;"
	mkdir -p other
	printf 'SELECT 1;\n' >other/0007_x.up.sql
	printf 'SELECT 1;\n' >other/20260101120000_y.up.sql
	cat >strata.conf <<'CONF'
[target "dev"]
type = sqlite
url = sqlite:dev.db

[target "prod"]
type = sqlite
url = sqlite:prod.db
dir = other
CONF
}

t_bash_file_registers_the_function() {
	out=$(bash -c '. "$1/completions/strata.bash" && complete -p strata' _ "$STRATA_SRC_ROOT" 2>&1) ||
		fail "complete -p strata: $out"
	expect_eq "complete -F _strata strata" "$out" "complete -p strata"
	bash -n "$STRATA_SRC_ROOT/completions/strata.bash" || fail "bash -n"
}

t_bash_shellcheck() {
	if ! command -v shellcheck >/dev/null; then
		# make check installs it (scripts/install-deps.sh test)
		[ "${CI:-false}" = true ] && fail "shellcheck is not installed under CI"
		skip "shellcheck not installed"
	fi
	shellcheck -s bash "$STRATA_SRC_ROOT/completions/strata.bash" || fail "shellcheck"
}

t_bash_commands() {
	expect_comp "sta" "stamp status"
	expect_comp "ver" "version"
	expect_comp "-q ch" "check"
	expect_comp "--dir migrations hi" "history"
	expect_comp "help red" "redo"
	expect_comp "nosuchcommand " ""
}

t_bash_options() {
	expect_comp "up --dr" "--dry-run"
	expect_comp "up --all" "--allow-out-of-order"
	expect_comp "down --a" "--all"
	expect_comp "fresh --yes" "--yes-delete-all-data"
	# a global option, before or after the command
	expect_comp "--conf" "--config"
	expect_comp "status --js" "--json"
	# another command's option is not offered
	expect_comp "status --dr" ""
	expect_comp "--color " "always auto never"
	expect_comp "--color=n" "never"
}

t_bash_targets() {
	two_targets
	expect_comp "--target " "dev prod"
	expect_comp "up --target p" "prod"
	expect_comp "up --target=d" "dev"
	# another configuration file
	mkdir sub
	printf '[target "staging"]\ntype = sqlite\nurl = sqlite:s.db\n' >sub/other.conf
	expect_comp "--config sub/other.conf status --target " "staging"
}

t_bash_versions() {
	two_targets
	# the versions of the folder, as the file names write them
	expect_comp "down --to " "0001 0002"
	expect_comp "up --to=000" "0001 0002"
	expect_comp "plan --to 0002" "0002"
	expect_comp "force " "0001 0002 none"
	expect_comp "baseline " "0001 0002"
	expect_comp "stamp 0" "0001 0002"
	# down's argument is a count, not a version: nothing offered
	expect_comp "down " ""
	expect_comp "force 0001 " ""
	# the folder the line names: --dir, or the target's dir
	expect_comp "--dir other force 0" "0007"
	expect_comp "--dir other force n" "none"
	expect_comp "-m other baseline " "0007 20260101120000"
	expect_comp "--target prod down --to " "0007 20260101120000"
	expect_comp "down --target=prod --to 2" "20260101120000"
	# STRATA_DIR, as strata reads it
	rm strata.conf
	STRATA_DIR=other expect_comp "force 2" "20260101120000"
	# no folder: nothing, and no error on the terminal
	expect_comp "--dir nowhere force " "none"
	# nothing was connected to or created
	for f in dev.db prod.db strata.db; do
		[ ! -e "$f" ] || fail "completion created $f"
	done
}

t_bash_file_names() {
	mkdir -p migrations other
	: >backup.sql
	expect_comp "up --dir oth" "other"
	expect_comp "up --dir=oth" "other"
	expect_comp "restore back" "backup.sql"
	expect_comp "--config back" "backup.sql"
}

t_complete_lists_every_command_of_the_help() {
	"$STRATA_BIN" help >help.out || fail "strata help"
	want=$(sed -n '/^commands:/,/^$/p' help.out | awk 'NF > 1 { print $1 }' | tr '\n' ' ' | sed 's/ $//')
	[ -n "$want" ] || fail "no commands in the help: $(cat help.out)"
	expect_eq "$want" "$(cands '')" "commands"
	# hidden: neither in the help nor offered
	! grep -q __complete help.out || fail "the help shows __complete"
	expect_eq "" "$(cands __)" "candidates for __"
}

t_complete_lists_every_option_of_each_command() {
	cmds=$(cands '')
	[ "$(echo "$cmds" | wc -w)" -ge 20 ] || fail "too few commands: '$cmds'"
	for c in $cmds; do
		"$STRATA_BIN" help "$c" >help.out || fail "strata help $c"
		# the option lines: "  -d, --database URL  ..." or "      --json  ..."
		want=$(sed -n 's/^  \(-[a-zA-Z], \)\{0,1\} *\(--[a-z][a-z-]*\).*/\2/p' help.out | sort -u)
		got=$("$STRATA_BIN" __complete "$c" -- | sort -u)
		expect_eq "$want" "$got" "options of $c"
		got=$("$STRATA_BIN" __complete "$c" - | sort -u)
		expect_eq "$want" "$got" "options of $c (after -)"
	done
}

t_complete_values_and_descriptions() {
	two_targets
	expect_eq "--to=0001 --to=0002" "$(cands up --to=0)" "--to=VALUE"
	expect_eq ":dirs" "$(cands --dir '')" "--dir"
	expect_eq ":dirs" "$(cands -m '')" "-m"
	expect_eq ":files" "$(cands restore '')" "restore FILE"
	expect_eq "" "$(cands restore x.sql '')" "restore's second argument"
	expect_eq "" "$(cands new '')" "new NAME"
	expect_eq "" "$(cands --table '')" "--table NAME"
	# the value of an option is not taken for the command
	expect_eq "dev prod" "$(cands --target '')" "--target"
	expect_eq "0007 20260101120000" "$(cands --target prod force '' | sed 's/ none$//')" "force on prod"
	expect_eq "0007 20260101120000" "$(cands --target=prod baseline '')" "baseline on prod"
	expect_eq "" "$(cands --target nosuch baseline '')" "an unknown target"
	# descriptions: the command's summary, the option's help, the
	# migration's name, the target's type, after a tab
	"$STRATA_BIN" __complete-describe stat >d.out || fail "__complete-describe"
	expect_eq "$(printf 'status\tshow every migration: applied, pending, modified, missing, dirty, renamed')" \
		"$(cat d.out)" "status described"
	"$STRATA_BIN" __complete-describe up --dry >d.out || fail "__complete-describe"
	expect_eq "$(printf -- '--dry-run\tprint the SQL that would run, change nothing')" "$(cat d.out)" "--dry-run described"
	"$STRATA_BIN" __complete-describe down --to '' >d.out || fail "__complete-describe"
	expect_eq "$(printf '0001\ta\n0002\tb')" "$(cat d.out)" "versions described"
	"$STRATA_BIN" __complete-describe --target d >d.out || fail "__complete-describe"
	expect_eq "$(printf 'dev\tsqlite')" "$(cat d.out)" "target described"
}

t_complete_is_quiet_and_never_connects() {
	mig 0001 a "CREATE TABLE a (id INTEGER);"
	# a broken strata.conf: no candidates, no message, exit 0
	printf '[target "x"\n' >strata.conf
	st_raw __complete --target ''
	expect_rc 0
	expect_eq "" "$out" "stdout"
	expect_eq "" "$err" "stderr"
	rm strata.conf
	# a server that is not there is never tried
	st_raw __complete -d postgres://nobody@192.0.2.1:1/x down --to ''
	expect_rc 0
	expect_eq "0001" "$out" "versions"
	expect_eq "" "$err" "stderr"
	st_raw __complete -d sqlite:made.db force ''
	expect_eq "$(printf '0001\nnone')" "$out" "versions"
	[ ! -e made.db ] || fail "completion created the database"
	# no words at all: the commands
	st_raw __complete
	expect_rc 0
	expect_out "status"
}

t_zsh_loads_the_file() {
	if ! command -v zsh >/dev/null; then
		# make check installs it (scripts/install-deps.sh test)
		[ "${CI:-false}" = true ] && fail "zsh is not installed under CI"
		skip "zsh not installed"
	fi
	zsh -n "$STRATA_SRC_ROOT/completions/_strata" || fail "zsh -n"
	out=$(zsh -fc 'fpath=($1/completions $fpath); autoload -Uz compinit && compinit -u -D && print -r -- $_comps[strata]' _ "$STRATA_SRC_ROOT" 2>&1) ||
		fail "zsh: $out"
	expect_eq "_strata" "$out" "zsh compdef"
	# _strata itself, outside a completion widget: compset, _describe and
	# _files stand in for zsh's (functions come before builtins)
	two_targets
	mkdir -p bin
	ln -s "$STRATA_BIN" bin/strata
	out=$(PATH="$PWD/bin:$PATH" zsh -fc '
		compset() { [[ $1 == -P && $PREFIX == *=* ]] || return 1; IPREFIX=${PREFIX%%=*}=; PREFIX=${PREFIX#*=}; }
		_describe() { print -rl -- "${(@P)4}"; }
		_files() { print -r -- "_files $*"; }
		t() { words=("$@"); CURRENT=$#words; PREFIX=$words[-1]; IPREFIX=; _strata; }
		fpath=($1/completions $fpath); autoload -Uz _strata
		t strata sta; t strata up --dr; t strata --target ""
		t strata down --to=00; t strata --dir ""; t strata force 0001 ""; true' _ "$STRATA_SRC_ROOT" 2>&1) ||
		fail "zsh _strata: $out"
	want="status:show every migration: applied, pending, modified, missing, dirty, renamed
stamp:the same as baseline
--dry-run:print the SQL that would run, change nothing
dev:sqlite
prod:sqlite
0001:a
0002:b
_files -/"
	expect_eq "$want" "$out" "zsh _strata"
}

t_fish_loads_the_file() {
	if ! command -v fish >/dev/null; then
		# make check installs it (scripts/install-deps.sh test)
		[ "${CI:-false}" = true ] && fail "fish is not installed under CI"
		skip "fish not installed"
	fi
	fish -n "$STRATA_SRC_ROOT/completions/strata.fish" || fail "fish -n"
	mkdir -p bin
	ln -s "$STRATA_BIN" bin/strata
	out=$(PATH="$PWD/bin:$PATH" fish --no-config -c 'source $argv[1]/completions/strata.fish; complete -C"strata sta"' "$STRATA_SRC_ROOT" 2>&1) ||
		fail "fish: $out"
	case $out in *status*) ;; *) fail "fish: no status in: $out" ;; esac
}
