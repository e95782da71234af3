#!/usr/bin/env python3
"""file_cycles.py BUILD_DIR: no two source files call each other in a loop.

Reads the symbols every object file under BUILD_DIR defines and uses (nm),
draws an edge from a file to each file whose function or data it uses, and
prints every strongly connected group of two or more files with the symbols
that tie them. Exit 0 when there is none, 1 when there is, 2 on an error.
"""
import collections
import glob
import os
import subprocess
import sys


def symbols(obj):
    out = subprocess.run(["nm", obj], capture_output=True, text=True,
                         check=True).stdout
    defined, used = set(), set()
    for line in out.splitlines():
        p = line.split()
        if len(p) == 3 and p[1] in "TDBR":
            defined.add(p[2])
        elif len(p) == 2 and p[0] == "U":
            used.add(p[1])
    return defined, used


def groups(graph, nodes):
    """Tarjan's strongly connected components, iteratively."""
    index, low, on, stack, found, n = {}, {}, set(), [], [], 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = n
        n += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = n
                    n += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                c = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    c.append(w)
                    if w == v:
                        break
                if len(c) > 1:
                    found.append(sorted(c))
    return found


def main():
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        print("usage: file_cycles.py BUILD_DIR", file=sys.stderr)
        return 2
    objs = sorted(glob.glob(os.path.join(sys.argv[1], "**", "*.o"),
                            recursive=True))
    objs = [o for o in objs if "/tests/" not in o]
    if not objs:
        print("file_cycles.py: no object files in " + sys.argv[1],
              file=sys.stderr)
        return 2
    owner, uses = {}, {}
    for o in objs:
        defined, used = symbols(o)
        uses[o] = used
        for s in defined:
            owner[s] = o
    graph = collections.defaultdict(set)
    for o in objs:
        for s in uses[o]:
            t = owner.get(s)
            if t and t != o:
                graph[o].add(t)
    found = groups(graph, objs)
    name = lambda o: os.path.relpath(o, sys.argv[1])
    for c in found:
        print("files calling each other in a loop: " +
              " ".join(name(o) for o in c))
        for a in c:
            for b in sorted(graph[a] & set(c)):
                tied = sorted(s for s in uses[a] if owner.get(s) == b)
                print("  %s -> %s: %s" % (name(a), name(b), " ".join(tied)))
    print("%d objects, %d loops" % (len(objs), len(found)))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
