# fish completion for strata.
#
# The candidates come from the binary itself (`strata __complete-describe
# WORD...`): commands, each command's options, the targets of strata.conf
# and the versions of the migrations folder (the one --dir, --target,
# STRATA_DIR, .env or strata.conf name), each with its description.
# Installed as share/fish/vendor_completions.d/strata.fish.

function __strata_complete
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    set -l cmd $tokens[1]
    set -e tokens[1]
    # quoted: exactly one word, "" after a blank
    set -l out ($cmd __complete-describe $tokens "$cur" 2>/dev/null)
    # --dir=VALUE: file names after the '='
    set -l prefix (string match -r -- '^--[^=]*=' "$cur")
    set -l value (string replace -r -- '^--[^=]*=' '' "$cur")
    switch "$out[1]"
        case :dirs
            for p in (__fish_complete_directories "$value")
                echo "$prefix$p"
            end
        case :files
            for p in (__fish_complete_path "$value")
                echo "$prefix$p"
            end
        case '*'
            for l in $out
                echo $l
            end
    end
end

complete -c strata -f -a '(__strata_complete)'
