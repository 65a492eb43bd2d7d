#!/usr/bin/env python3
"""Reproductions of the defects of issue 14 (hardening), one test per defect group.

`harden_test.py NAME` runs test_NAME (CTest registers each). Every expectation is the rule the
issue states (exit code, what must stay unchanged), written out by hand, never read back from
bfsim's own output.
"""
import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

BFSIM = os.environ.get("BFSIM", "build/sim/bfsim")
TRACE = "workloads/suite/memcpy-sdram-dma.bft.zst"   # 514 records
WORKLOAD = "workloads/suite/launch.bfa.zst"
CFG = "configs/ezkit-icache.ini"

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def bfsim(*args, timeout=300, **kw):
    p = subprocess.run([BFSIM, *args], capture_output=True, timeout=timeout, **kw)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def tmpdir():
    return tempfile.mkdtemp(prefix="bfsim-harden-")


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def text_trace(d):
    """The suite's memcpy trace as native text (514 records), plus a copy with a bad last line."""
    good = os.path.join(d, "good.bft")
    rc, _, err = bfsim("trace", "convert", "--in", TRACE, "--out", good, "--to", "text")
    check(rc == 0, f"convert to text exits 0 ({err})")
    bad = os.path.join(d, "bad.bft")
    with open(good) as f, open(bad, "w") as g:
        g.write(f.read() + "R 0xZZZ 4\n")
    return good, bad


# ------------------------------------------------------------------------------------------------

def test_same_file():
    # 1 and 3: an output that is an input (same inode, also through a symlink) is refused, exit 2,
    # and the input keeps every byte
    d = tmpdir()
    good, _ = text_trace(d)
    before = digest(good)
    rc, _, err = bfsim("trace", "convert", "--in", good, "--out", good)
    check(rc == 2 and "is the input" in err, f"convert --in F --out F: exit 2 (got {rc}: {err})")
    link = os.path.join(d, "link.bft")
    os.symlink(good, link)
    rc, _, err = bfsim("trace", "convert", "--in", link, "--out", good)
    check(rc == 2, f"convert through a symlink: exit 2 (got {rc})")
    check(digest(good) == before, "the input is unchanged")
    w = os.path.join(d, "w.bfa.zst")
    with open(WORKLOAD, "rb") as f, open(w, "wb") as g:
        g.write(f.read())
    wbefore = digest(w)
    rc, _, err = bfsim("alloc", "--allocator", "buddy", "--workload", w, "--dump-events", w, "--no-db")
    check(rc == 2 and "refusing" in err, f"alloc --dump-events = workload: exit 2 (got {rc}: {err})")
    check(digest(w) == wbefore, "the workload is unchanged")


def test_atomic_outputs():
    # 2: a failed convert leaves an existing output exactly as it was, and no temporary file
    d = tmpdir()
    good, bad = text_trace(d)
    out = os.path.join(d, "out.bfb")
    with open(out, "wb") as f:
        f.write(b"precious")
    rc, _, err = bfsim("trace", "convert", "--in", bad, "--out", out)
    check(rc == 2 and "bad.bft:" in err, f"convert of a bad trace: exit 2 naming the line (got {rc}: {err})")
    check(open(out, "rb").read() == b"precious", "the existing output is untouched")
    check(sorted(os.listdir(d)) == ["bad.bft", "good.bft", "out.bfb"], f"no temporary left: {os.listdir(d)}")
    # a good convert replaces it whole
    rc, _, err = bfsim("trace", "convert", "--in", good, "--out", out)
    check(rc == 0 and open(out, "rb").read(4) != b"prec", "a good convert replaces the output")
    # alloc --dump-events: a failing run (bad workload) keeps the old file
    ev = os.path.join(d, "ev.txt")
    with open(ev, "w") as f:
        f.write("old events\n")
    badw = os.path.join(d, "bad.bfa")
    with open(badw, "w") as f:
        f.write("#bfsim-alloc 1\nA 1 64\nF 7\n")
    rc, _, err = bfsim("alloc", "--allocator", "buddy", "--workload", badw, "--dump-events", ev, "--no-db")
    check(rc == 2, f"alloc on a bad workload exits 2 (got {rc}: {err})")
    check(open(ev).read() == "old events\n", "--dump-events file untouched by a failed run")
    check(not [n for n in os.listdir(d) if ".tmp-" in n], f"no temporary left: {os.listdir(d)}")


if __name__ == "__main__":
    name = sys.argv[1]
    globals()["test_" + name]()
    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        sys.exit(1)
    print("ok")
