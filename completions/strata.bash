# bash completion for strata                              -*- shell-script -*-
#
# The candidates come from the binary itself (`strata __complete WORD...`):
# commands, each command's options, the targets of strata.conf and the
# versions of the migrations folder (the one --dir, --target, STRATA_DIR,
# .env or strata.conf name). Needs nothing from the bash-completion
# package; installed as share/bash-completion/completions/strata.

# _strata_words: the words of the line up to the cursor into _strata_w,
# joining what COMP_WORDBREAKS split ("--to=5", "sqlite:app.db").
_strata_words() {
	local line=${COMP_LINE:0:COMP_POINT} rest w i
	_strata_w=()
	for ((i = 0; i <= COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]-}
		rest=${line#"${line%%[![:space:]]*}"}
		if ((i > 0)) && [[ $rest == "$line" ]]; then
			# no blank before it: the rest of the previous word
			_strata_w[${#_strata_w[@]} - 1]+=$w
		else
			_strata_w+=("$w")
		fi
		line=${rest#"$w"}
	done
}

_strata() {
	local cur prefix c
	local -a _strata_w cands
	_strata_words
	cur=${_strata_w[${#_strata_w[@]} - 1]}
	mapfile -t cands < <("${_strata_w[0]:-strata}" __complete "${_strata_w[@]:1}" 2>/dev/null)
	COMPREPLY=()
	# bash replaces only what follows the last break character of cur
	prefix=${cur%"${cur##*["$COMP_WORDBREAKS"]}"}
	case ${cands[0]-} in
	:dirs | :files)
		local what=-f
		[[ ${cands[0]} == :dirs ]] && what=-d
		cur=${cur#*=}
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen "$what" -- "$cur")
		return 0
		;;
	esac
	for c in "${cands[@]}"; do
		COMPREPLY+=("${c#"$prefix"}")
	done
	return 0
}

complete -F _strata strata
