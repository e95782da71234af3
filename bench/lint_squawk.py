#!/usr/bin/env python3
"""strata lint against squawk on PostgreSQL migration folders.

  lint_squawk.py STRATA SQUAWK DIR...

For each folder, the migrations (in strata's order) are grouped into
runs, the migrations one deployment applies together: in a git checkout,
those its history added in one commit; otherwise each migration alone.
Each run is linted by both tools (strata as `strata lint FILE...`, its
earlier migrations taken as applied; squawk file by file), and a fresh
install (every migration in one run, `strata lint --all`) is linted too.

A statement counts once per rule. Of the statements squawk flags with a
rule strata has:
  both      strata reports the same rule on it (a table that existed
            before the run);
  new-only  strata does not report it because the run creates the table
            first (squawk does not know that);
  missed    strata has nothing for it (must be 0);
  squawk-wrong  a statement bench/lint_squawk.known lists: squawk is
            wrong to flag it;
  no-lock   require-lock-timeout (compared per file) on a file in which
            no statement waits for a lock on a table that exists before
            the run (squawk says it at any first DDL statement).
strata-only: statements strata reports with such a rule and squawk does
not. Prints a Markdown table; exits 1 when anything is missed.
"""
import json
import os
import subprocess
import sys
from collections import Counter, OrderedDict

ALIASES = {"prefer-timestamp-tz": "prefer-timestamptz"}
KNOWN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lint_squawk.known")
# Said once per file by squawk (at its first DDL statement) and once per
# migration by strata (at its first statement that waits for a lock on a
# table that exists before the run): compared file by file.
FILE_RULES = {"require-lock-timeout"}


def last_json(text):
    lines = [l for l in text.splitlines() if l.strip().startswith("{")]
    return json.loads(lines[-1]) if lines else {}


def strata_rules(strata):
    out = subprocess.run([strata, "lint", "--rules", "--json"],
                         capture_output=True, text=True).stdout
    return {r["name"] for r in last_json(out).get("rules", [])
            if "postgres" in r["dialects"]}


def migrations(strata, d):
    out = subprocess.run([strata, "-m", d, "status", "--offline", "--json"],
                         capture_output=True, text=True).stdout
    return [os.path.realpath(m["file"]) for m in last_json(out).get("migrations", [])
            if m.get("file")]


def git_runs(d, files):
    """Files grouped by the commit that added them, oldest first; None
    when d is not in a git checkout."""
    top = subprocess.run(["git", "-C", d, "rev-parse", "--show-toplevel"],
                         capture_output=True, text=True)
    if top.returncode != 0:
        return None
    log = subprocess.run(["git", "-C", d, "log", "--reverse", "--diff-filter=A",
                          "--format=@%H", "--name-only", "--", "."],
                         capture_output=True, text=True).stdout
    root = top.stdout.strip()
    commit_of, order, cur = {}, [], None
    for line in log.splitlines():
        if line.startswith("@"):
            cur = line[1:]
            order.append(cur)
        elif line.strip():
            p = os.path.realpath(os.path.join(root, line.strip()))
            commit_of.setdefault(p, cur)
    runs = OrderedDict((c, []) for c in order)
    for f in files:
        runs.setdefault(commit_of.get(f, f), []).append(f)
    return [r for r in runs.values() if r]


def lint_strata(strata, d, files, all_):
    args = [strata, "-m", d, "lint", "--offline", "--dialect", "postgres", "--json"]
    args += ["--all"] if all_ else files
    out = subprocess.run(args, capture_output=True, text=True).stdout
    res = last_json(out)
    if res.get("error") and res["error"].get("exit_code") == 2:
        sys.stderr.write("strata: %s\n" % res["error"]["message"])
    return res.get("findings", [])


def lint_squawk(squawk, files):
    out = subprocess.run([squawk, "--reporter", "json"] + files,
                         capture_output=True, text=True).stdout
    try:
        return json.loads(out or "[]")
    except ValueError:
        return []


def known_false_positives():
    """(rule, text) pairs of bench/lint_squawk.known"""
    out = []
    with open(KNOWN, encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                rule, text, _ = line.rstrip("\n").split("\t", 2)
                out.append((rule, text))
    return out


def line_of(path, line):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for no, text in enumerate(f, 1):
                if no == line:
                    return text
    except OSError:
        pass
    return ""


BY_RULE = Counter()  # (rule, category) over every folder's runs


def compare(strata_f, squawk_f, shared, tally, missed, by_rule_tally=None):
    by_rule = {}
    for f in strata_f:
        if f["rule"] in shared:
            by_rule.setdefault((os.path.realpath(f["file"]), f["rule"]), []).append(f)
    seen = set()
    for s in squawk_f:
        rule = ALIASES.get(s["rule_name"], s["rule_name"])
        if rule not in shared:
            continue
        path = os.path.realpath(s["file"])
        line = s["line"] + 1  # squawk counts lines from 0
        if rule in FILE_RULES:
            cands = by_rule.get((path, rule), [])
            key = (path, rule, "file")
        else:
            cands = [f for f in by_rule.get((path, rule), [])
                     if f["line"] <= line <= f["end_line"]]
            key = (path, rule, cands[0]["line"] if cands else -line)
        if key in seen:
            continue
        seen.add(key)
        if not cands and rule in FILE_RULES:
            cat = "no-lock"
        elif not cands and any(r == rule and t in line_of(path, line)
                               for r, t in known_false_positives()):
            cat = "squawk-wrong"
        elif not cands:
            cat = "missed"
            missed.append("%s:%d: %s" % (path, line, rule))
        elif any(f["suppressed"] is None for f in cands):
            cat = "both"
        elif any(f["suppressed"] == "new-table" for f in cands):
            cat = "new-only"
        else:
            cat = "ignored"
        tally[cat] += 1
        if by_rule_tally is not None:
            by_rule_tally[(rule, cat)] += 1
    for (path, rule), fs in by_rule.items():
        for f in fs:
            key = (path, rule, "file" if rule in FILE_RULES else f["line"])
            if f["suppressed"] is None and key not in seen:
                seen.add(key)
                tally["strata-only"] += 1


def main():
    strata, squawk, dirs = sys.argv[1], sys.argv[2], sys.argv[3:]
    shared = strata_rules(strata)
    rows, any_missed = [], False
    for d in dirs:
        files = migrations(strata, d)
        runs = git_runs(d, files)
        how = "commits" if runs else "migrations"
        runs = runs or [[f] for f in files]
        for scenario, plan in (("runs (%d %s)" % (len(runs), how), runs),
                               ("fresh install", None)):
            tally, missed = Counter(), []
            if plan is None:
                compare(lint_strata(strata, d, files, True),
                        lint_squawk(squawk, files), shared, tally, missed)
            else:
                for run in plan:
                    compare(lint_strata(strata, d, run, False),
                            lint_squawk(squawk, run), shared, tally, missed,
                            BY_RULE)
            rows.append((d, len(files),
                         scenario, tally))
            for m in missed:
                sys.stderr.write("missed: %s\n" % m)
            any_missed = any_missed or bool(missed)
    print("| folder | migrations | scenario | squawk and strata (existing table) "
          "| squawk only: table new in the run | squawk only: no existing table "
          "locked | squawk only: squawk wrong | missed by strata | strata only |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|")
    tot = Counter()
    for name, n, scen, t in rows:
        print("| %s | %d | %s | %d | %d | %d | %d | %d | %d |" % (
            name, n, scen, t["both"], t["new-only"], t["no-lock"],
            t["squawk-wrong"], t["missed"], t["strata-only"]))
        if scen.startswith("runs"):
            tot.update(t)
    print("| all folders | %d | runs | %d | %d | %d | %d | %d | %d |" % (
        sum(n for _, n, scen, _ in rows if scen.startswith("runs")),
        tot["both"], tot["new-only"], tot["no-lock"], tot["squawk-wrong"],
        tot["missed"], tot["strata-only"]))
    print()
    print("| rule (runs, all folders) | squawk and strata | squawk only: table new "
          "in the run | other squawk only |")
    print("|---|---:|---:|---:|")
    for rule in sorted({r for r, _ in BY_RULE}):
        print("| `%s` | %d | %d | %d |" % (
            rule, BY_RULE[(rule, "both")], BY_RULE[(rule, "new-only")],
            sum(BY_RULE[(rule, c)] for c in ("no-lock", "squawk-wrong", "missed"))))
    return 1 if any_missed else 0


if __name__ == "__main__":
    sys.exit(main())
