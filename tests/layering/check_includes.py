#!/usr/bin/env python3
"""check_includes.py: the include graph of docs/architecture.md, checked.

The layers, lowest first (a file may include its own directory tree and any lower layer):

    common  <-  models  <-  allocators | workloads  <-  sim  <-  systemc

allocators and workloads are peers: neither includes the other. models includes nothing of
allocators, workloads or sim; common nothing of ours outside common.

Every `#include "..."` of every source and header file under those six directories is resolved
to the file it names (first beside the including file, then by its name anywhere in the six
trees; include directories are per target, so names are unique) and its layer compared. An
include that resolves to none of our files (a system or test header) is not ours and is skipped;
one that resolves to several files in different layers is reported as ambiguous.

Known violations are listed in an allow-list file (default: allowed.txt beside this script),
one per line as "FILE:INCLUDE REASON" (FILE relative to the root, INCLUDE as written between the
quotes, REASON required), '#' starting a comment. The check fails, naming file:line and the
include, on any violation not in the list, and also on any list entry that no longer occurs, so
that the list only ever shrinks.

usage: check_includes.py [--root DIR] [--allow FILE]     check a tree (default: this checkout)
       check_includes.py --self-test                     prove on temporary trees that it fails
Exit status: 0 clean, 1 violations or stale entries, 2 usage or allow-list errors.
"""
import os
import re
import subprocess
import sys
import tempfile

LAYERS = {"common": 0, "models": 1, "allocators": 2, "workloads": 2, "sim": 3, "systemc": 4}
SOURCE_EXT = (".c", ".h", ".cpp", ".hpp", ".cc")
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')


def rank_text():
    return "common <- models <- allocators/workloads <- sim <- systemc"


def scan(root):
    """All our source files as root-relative paths with '/' separators, sorted."""
    files = []
    for top in LAYERS:
        base = os.path.join(root, top)
        for d, subdirs, names in os.walk(base):
            subdirs.sort()
            for n in sorted(names):
                if n.endswith(SOURCE_EXT):
                    files.append(os.path.relpath(os.path.join(d, n), root).replace(os.sep, "/"))
    return files


def allowed_reason(a, b):
    """None if a file in top directory a may include one in top directory b, else why not."""
    if a == b:
        return None
    if LAYERS[b] < LAYERS[a]:
        return None
    if LAYERS[b] == LAYERS[a]:
        return "%s and %s are peers and must not include each other" % (a, b)
    return "%s is above %s (%s)" % (b, a, rank_text())


def violations(root):
    """(file, line, include, message) of every upward, peer or ambiguous include, in order."""
    files = scan(root)
    fileset = set(files)
    by_name = {}
    for f in files:
        by_name.setdefault(os.path.basename(f), []).append(f)
    out = []
    for f in files:
        top = f.split("/", 1)[0]
        with open(os.path.join(root, f), encoding="utf-8", errors="replace") as fh:
            for lineno, line in enumerate(fh, 1):
                m = INCLUDE_RE.match(line)
                if not m:
                    continue
                inc = m.group(1)
                beside = os.path.normpath(os.path.join(os.path.dirname(f), inc)).replace(os.sep, "/")
                if beside in fileset:
                    targets = [beside]
                else:
                    targets = [t for t in by_name.get(os.path.basename(inc), [])
                               if t == inc or t.endswith("/" + inc)]
                if not targets:
                    continue  # not one of our files
                tops = sorted({t.split("/", 1)[0] for t in targets})
                if len(tops) > 1:
                    out.append((f, lineno, inc, "ambiguous: names %s" % ", ".join(sorted(targets))))
                    continue
                why = allowed_reason(top, tops[0])
                if why:
                    out.append((f, lineno, inc, "includes %s: %s" % (targets[0], why)))
    return out


def read_allow(path):
    """{(file, include): allow-list line number}; exits 2 on a malformed line."""
    entries = {}
    try:
        fh = open(path, encoding="utf-8")
    except OSError as e:
        print("%s: cannot read the allow-list: %s" % (path, e.strerror), file=sys.stderr)
        sys.exit(2)
    with fh:
        for lineno, raw in enumerate(fh, 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split(None, 1)
            key = parts[0]
            if ":" not in key or len(parts) < 2:
                print("%s:%d: expected 'FILE:INCLUDE REASON', got '%s'" % (path, lineno, line),
                      file=sys.stderr)
                sys.exit(2)
            f, inc = key.rsplit(":", 1)
            if (f, inc) in entries:
                print("%s:%d: '%s' is listed twice" % (path, lineno, key), file=sys.stderr)
                sys.exit(2)
            entries[(f, inc)] = lineno
    return entries


def check(root, allow_path):
    allow = read_allow(allow_path)
    found = violations(root)
    bad = [v for v in found if (v[0], v[2]) not in allow]
    seen = {(v[0], v[2]) for v in found}
    stale = sorted((line, f, inc) for (f, inc), line in allow.items() if (f, inc) not in seen)
    for f, line, inc, msg in bad:
        print('%s:%d: #include "%s" %s' % (f, line, inc, msg))
    for line, f, inc in stale:
        print('%s:%d: allowed %s:%s no longer occurs: remove the entry' % (allow_path, line, f, inc))
    known = len(found) - len(bad)
    if bad or stale:
        print("include graph: %d new violation(s), %d stale allow-list entr%s (%d known violation(s) "
              "allowed)" % (len(bad), len(stale), "y" if len(stale) == 1 else "ies", known))
        return 1
    print("include graph: %d files, layering %s holds (%d known violation(s) allowed by %s)"
          % (len(scan(root)), rank_text(), known, os.path.basename(allow_path)))
    return 0


def self_test():
    """Temporary trees with a known set of includes: the checker must pass or fail as stated."""
    me = os.path.abspath(__file__)
    failures = []

    def run(tree, allow_text, want_rc, want_lines):
        with tempfile.TemporaryDirectory(prefix="bf-layering-") as d:
            for path, text in tree.items():
                p = os.path.join(d, path)
                os.makedirs(os.path.dirname(p), exist_ok=True)
                with open(p, "w") as fh:
                    fh.write(text)
            allow = os.path.join(d, "allowed.txt")
            with open(allow, "w") as fh:
                fh.write(allow_text)
            r = subprocess.run([sys.executable, me, "--root", d, "--allow", allow],
                               capture_output=True, text=True)
            out = r.stdout + r.stderr
            if r.returncode != want_rc or any(w not in out for w in want_lines):
                failures.append("expected exit %d with %r, got exit %d:\n%s"
                                % (want_rc, want_lines, r.returncode, out))

    good = {
        "common/bf_common.h": "#include <stdint.h>\n",
        "models/l1/bf_l1.h": '#include "bf_common.h"\n',
        "models/l1/bf_l1.c": '#include "bf_l1.h"\n#include "../l1/bf_l1.h"\n',
        "allocators/bf_alloc.h": '#include "bf_common.h"\n',
        "workloads/bf_trace.h": '#include "bf_common.h"\n#include "bf_test.h"\n',
        "sim/bf_sim.c": '#include "bf_l1.h"\n#include "bf_alloc.h"\n#include "bf_trace.h"\n',
        "systemc/bf_tlm.cpp": '#include "bf_sim.c"\n#include <systemc>\n',
    }
    # 1. a tree that keeps the layering passes with an empty list
    run(good, "# nothing known\n", 0, ["layering"])
    # 2. each kind of upward or peer include fails, naming file:line and the include
    for path, text, want in [
        ("common/bf_map.c", '#include "bf_common.h"\n#include "bf_l1.h"\n',
         'common/bf_map.c:2: #include "bf_l1.h" includes models/l1/bf_l1.h'),
        ("models/l1/bf_hazard.c", '#include "bf_trace.h"\n',
         'models/l1/bf_hazard.c:1: #include "bf_trace.h"'),
        ("allocators/bf_buddy.c", '\n\n#  include "bf_trace.h"\n',
         'allocators/bf_buddy.c:3: #include "bf_trace.h" includes workloads/bf_trace.h: '
         'allocators and workloads are peers'),
        ("workloads/bf_atrace.c", '#include "bf_alloc.h"\n', 'workloads/bf_atrace.c:1:'),
        ("sim/bf_x.c", '#include "../systemc/bf_tlm.cpp"\n', 'sim/bf_x.c:1:'),
    ]:
        tree = dict(good)
        tree[path] = text
        run(tree, "", 1, [want, "1 new violation(s)"])
    # 3. a listed violation passes; the same list on a clean tree fails as stale
    bad = dict(good)
    bad["allocators/bf_alloc.h"] = '#include "bf_common.h"\n#include "bf_trace.h"\n'
    listed = "allocators/bf_alloc.h:bf_trace.h  unused include, being removed\n"
    run(bad, listed, 0, ["1 known violation(s) allowed"])
    run(good, listed, 1, ["allowed.txt:1: allowed allocators/bf_alloc.h:bf_trace.h no longer occurs"])
    # 4. an entry without a reason is an error of the list itself
    run(bad, "allocators/bf_alloc.h:bf_trace.h\n", 2, ["expected 'FILE:INCLUDE REASON'"])
    for f in failures:
        print("self-test: " + f)
    print("self-test: %s" % ("FAILED" if failures else "the checker fails on every bad tree"))
    return 1 if failures else 0


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.normpath(os.path.join(here, "..", ".."))
    allow = os.path.join(here, "allowed.txt")
    args = list(argv)
    if args == ["--self-test"]:
        return self_test()
    while args:
        a = args.pop(0)
        if a in ("--root", "--allow") and args:
            v = args.pop(0)
            if a == "--root":
                root = v
            else:
                allow = v
        else:
            print(__doc__.split("usage:", 1)[1].split("Exit", 1)[0].strip(), file=sys.stderr)
            return 2
    return check(root, allow)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
