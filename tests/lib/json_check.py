#!/usr/bin/env python3
"""Check strata's --json output against docs/JSON.md.

docs/JSON.md describes each object under a heading "### Object `NAME`"
with a table of rows "| `field` | `type` | meaning |"; a line
"Result of: `cmd`, `cmd2`." makes it the fields a command adds to the
common object `result`. Types: string, integer, boolean, enum(a,b),
array<T>, object<NAME>, each optionally followed by "?" (or null).

  json_check.py DOC --commands        the commands DOC describes
  json_check.py DOC --self            DOC is well-formed, its examples valid
  json_check.py DOC [--command CMD] [--lines N] < OUTPUT
                                      every line of OUTPUT is a result as
                                      DOC describes it (of CMD; N lines)

Exits 0 when all holds, 1 with one message per fault otherwise.
"""
import json
import re
import sys

HEAD = re.compile(r"^### Object `(\w+)`\s*$")
ROW = re.compile(r"^\| `(\w+)` \| `([^`]+)` \|.*\|\s*$")
RESULT_OF = re.compile(r"^Result of: (.*)\.\s*$")
INLINE_EXAMPLE = re.compile(r"^Example: `(\{.*\})`\s*$")


class Doc:
    def __init__(self, path):
        self.objects = {}  # name -> {field: type}
        self.commands = {}  # command -> object name
        self.examples = []  # (object name, text, line number)
        self.faults = []
        name, fence, fence_line, buf, refs = None, False, 0, [], []
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        for no, line in enumerate(lines, 1):
            if fence:
                if line.startswith("```"):
                    fence = False
                    if name:
                        self.examples.append((name, "\n".join(buf), fence_line))
                else:
                    buf.append(line)
                continue
            if line.startswith("```json"):
                fence, fence_line, buf = True, no, []
                continue
            m = HEAD.match(line)
            if m:
                name = m.group(1)
                if name in self.objects:
                    self.faults.append(f"{path}:{no}: object {name} described twice")
                self.objects[name] = {}
                continue
            if line.startswith("## "):
                name = None
                continue
            if not name:
                continue
            m = RESULT_OF.match(line)
            if m:
                for cmd in re.findall(r"`([\w-]+)`", m.group(1)):
                    if cmd in self.commands:
                        self.faults.append(f"{path}:{no}: command {cmd} described twice")
                    self.commands[cmd] = name
                continue
            m = INLINE_EXAMPLE.match(line)
            if m:
                self.examples.append((name, m.group(1), no))
                continue
            m = ROW.match(line)
            if m:
                field, typ = m.groups()
                if field in self.objects[name]:
                    self.faults.append(f"{path}:{no}: {name}.{field} described twice")
                self.objects[name][field] = typ
                for ref in re.findall(r"object<(\w+)>|array<(\w+)>", typ):
                    refs.append((ref[0] or ref[1], no))
        for ref, no in refs:
            if ref not in self.objects and ref not in ("string", "integer", "boolean"):
                self.faults.append(f"{path}:{no}: type names object {ref}, which is not described")
        if "result" not in self.objects or "error" not in self.objects:
            self.faults.append(f"{path}: objects result and error must be described")


def check_type(doc, typ, value, where, faults):
    if typ.endswith("?"):
        if value is None:
            return
        typ = typ[:-1]
    if typ == "string":
        ok = isinstance(value, str)
    elif typ == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif typ == "boolean":
        ok = isinstance(value, bool)
    elif typ.startswith("enum("):
        ok = isinstance(value, str) and value in typ[5:-1].split(",")
    elif typ.startswith("array<"):
        ok = isinstance(value, list)
        if ok:
            inner = typ[6:-1]
            for i, v in enumerate(value):
                check_type(doc, inner, v, f"{where}[{i}]", faults)
    elif typ.startswith("object<") or typ in doc.objects:
        name = typ[7:-1] if typ.startswith("object<") else typ
        ok = isinstance(value, dict)
        if ok:
            check_object(doc, name, value, where, faults, set())
    else:
        faults.append(f"{where}: unknown type {typ} in the description")
        return
    if not ok:
        faults.append(f"{where}: {json.dumps(value)[:80]} is not {typ}")


def check_object(doc, name, obj, where, faults, optional):
    """Every field of name present and typed (those in optional may be
    missing), and no other field."""
    fields = doc.objects[name]
    for field, typ in fields.items():
        if field not in obj:
            if field not in optional:
                faults.append(f"{where}: field {field} ({name}) is missing")
            continue
        check_type(doc, typ, obj[field], f"{where}.{field}", faults)
    for field in obj:
        if field not in fields:
            faults.append(f"{where}: field {field} is not described for {name}")


def check_result(doc, obj, where, faults, want_command=None):
    if not isinstance(obj, dict):
        faults.append(f"{where}: not a JSON object")
        return
    cmd = obj.get("command")
    if want_command is not None and cmd != want_command:
        faults.append(f"{where}: command is {cmd!r}, expected {want_command!r}")
    own = {}
    if "members" in obj and "fleet" in doc.objects:
        # a fleet's summary: the fleet's fields in place of the command's
        own = doc.objects["fleet"]
    elif cmd is not None:
        if cmd not in doc.commands:
            faults.append(f"{where}: command {cmd!r} is not described")
            return
        own = doc.objects[doc.commands[cmd]]
    fields = dict(doc.objects["result"])
    clash = set(fields) & set(own)
    if clash:
        faults.append(f"{where}: {doc.commands[cmd]} repeats result's {sorted(clash)}")
    fields.update(own)
    ok = obj.get("ok")
    merged = Doc.__new__(Doc)
    merged.objects = dict(doc.objects)
    key = "result" if cmd is None else f"result of {cmd}"
    merged.objects[key] = fields
    # a failure carries the command's fields as far as it got
    check_object(merged, key, obj, where, faults, set(own) if ok is False else set())
    if ok is True and obj.get("error") is not None:
        faults.append(f"{where}: ok is true but error is set")
    if ok is False and not isinstance(obj.get("error"), dict):
        faults.append(f"{where}: ok is false but error is not an object")


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    doc = Doc(argv[1])
    args = argv[2:]
    faults = list(doc.faults)
    if args == ["--commands"]:
        for cmd in sorted(doc.commands):
            print(cmd)
        return 1 if faults else 0
    if args == ["--self"]:
        for name, text, no in doc.examples:
            where = f"{argv[1]}:{no}: example of {name}"
            try:
                obj = json.loads(text)
            except ValueError as e:
                faults.append(f"{where}: not JSON: {e}")
                continue
            if name in doc.commands.values() or name in ("result", "fleet"):
                want = None
                if name not in ("result", "fleet"):
                    want = [c for c, o in doc.commands.items() if o == name]
                    if obj.get("command") not in want:
                        faults.append(f"{where}: command {obj.get('command')!r} is not one of {want}")
                check_result(doc, obj, where, faults)
            else:
                check_object(doc, name, obj, where, faults, set())
        for name in doc.commands.values():
            if not any(n == name for n, _, _ in doc.examples):
                faults.append(f"{argv[1]}: object {name} has no example")
    else:
        want_command, want_lines = None, None
        while args:
            if args[0] == "--command" and len(args) > 1:
                want_command, args = args[1], args[2:]
            elif args[0] == "--lines" and len(args) > 1:
                want_lines, args = int(args[1]), args[2:]
            else:
                print(f"json_check.py: unknown argument {args[0]}", file=sys.stderr)
                return 2
        text = sys.stdin.read()
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        if not lines:
            faults.append("no output: expected one JSON object per line")
        if want_lines is not None and len(lines) != want_lines:
            faults.append(f"{len(lines)} lines of output, expected {want_lines}")
        for i, line in enumerate(lines, 1):
            try:
                obj = json.loads(line)
            except ValueError as e:
                faults.append(f"line {i}: not JSON ({e}): {line[:80]}")
                continue
            check_result(doc, obj, f"line {i}", faults, want_command)
    for f in faults:
        print(f, file=sys.stderr)
    return 1 if faults else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
