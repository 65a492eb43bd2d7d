#!/usr/bin/env python3
"""Host allocation failures: fail the Nth host allocation along a short run of each
command and check that bfsim ends with exit 2 and "out of host memory", leaving the results
database intact and no output half-written.

bf_hmem.h (test builds) fails bfsim's Nth allocation with BF_FAIL_ALLOC=N and SQLite's Nth with
BF_FAIL_LIB_ALLOC=N (SQLite's memory comes through bf_hmem). Every N of bfsim's own allocations
is tried; SQLite makes thousands per command, so its first 40 and then 40 more spread evenly over
the rest are tried (SQLite's own OOM paths are SQLite's test suite's business; ours is that its
SQLITE_NOMEM becomes exit 2 with the message and a database left as it was).

A failure SQLite absorbs (a "benign" one: it retries or does without a cache) may end with exit
0; then the command's result must be complete (checked below). bfsim's own allocations have no
such excuse: each failure must be exit 2.

Usage: hostmem_test.py [COMMAND-NAME-REGEX]
"""
import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile

BFSIM = os.environ.get("BFSIM", "build/sim/bfsim")
TRACE = os.path.abspath("workloads/suite/memcpy-sdram-dma.bft.zst")
CFG = os.path.abspath("configs/ezkit-icache.ini")
CFG2 = os.path.abspath("configs/ezkit-nocache.ini")
LIB_FIRST, LIB_SPREAD = 40, 40

# name, arguments ({d}: the directory), the output file it writes (or None), whether it stores a run
COMMANDS = [
    ("run", ["run", "--config", CFG, "--trace", TRACE, "--db", "{d}/r.db"], None, True),
    ("compare", ["compare", "--configs", CFG, CFG2, "--trace", TRACE, "--db", "{d}/r.db"], None, True),
    ("alloc", ["alloc", "--allocator", "buddy", "--workload", "{d}/w.bfa", "--db", "{d}/r.db"], None, True),
    ("trace-convert", ["trace", "convert", "--in", TRACE, "--out", "{d}/o.bftb"], "o.bftb", False),
    ("trace-stats", ["trace", "stats", "--trace", TRACE], None, False),
    ("results-list", ["results", "list", "--db", "{d}/r.db"], None, False),
    ("results-show", ["results", "show", "1", "--db", "{d}/r.db", "--format", "json"], None, False),
    ("results-export", ["results", "export", "--format", "csv", "--db", "{d}/r.db"], None, False),
    ("config-check", ["config", "check", "--config", CFG], None, False),
]


def sh(args, env=None):
    e = dict(os.environ)
    e.pop("BF_FAIL_ALLOC", None)
    e.pop("BF_FAIL_LIB_ALLOC", None)
    e.update(env or {})
    p = subprocess.run([BFSIM, *args], capture_output=True, env=e, timeout=60)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def db_state(path):
    """(integrity, runs as (id, status, metric count))."""
    c = sqlite3.connect(path)
    ok = c.execute("pragma integrity_check").fetchone()[0]
    runs = c.execute("select r.id, r.status, (select count(*) from metrics m where m.run_id = r.id)"
                     " from runs r order by r.id").fetchall()
    c.close()
    return ok, runs


def fresh(base, d):
    if os.path.exists(d):
        shutil.rmtree(d)
    shutil.copytree(base, d)


def main():
    only = sys.argv[1] if len(sys.argv) > 1 else None
    top = tempfile.mkdtemp(prefix="bfsim-hostmem-")
    base = os.path.join(top, "base")
    os.mkdir(base)
    wl = subprocess.run(["zstd", "-dc", "workloads/suite/launch.bfa.zst"], capture_output=True,
                        check=True).stdout
    with open(os.path.join(base, "w.bfa"), "wb") as f:
        f.write(b"\n".join(wl.split(b"\n")[:80]) + b"\n")
    rc, _, err = sh(["run", "--config", CFG, "--trace", TRACE, "--db", os.path.join(base, "r.db")])
    assert rc == 0, err
    c = sqlite3.connect(os.path.join(base, "r.db"))
    c.execute("pragma wal_checkpoint(truncate)")
    c.close()
    failures, tried = [], 0
    d = os.path.join(top, "w")
    for name, args, out, stores in COMMANDS:
        if only and not re.search(only, name):
            continue
        fresh(base, d)
        argv = [a.replace("{d}", d) for a in args]
        # the reference run: how many allocations, how many metrics a stored run has
        rc, ref_out, err = sh(argv, {"BF_ALLOC_COUNT": "1"})
        m = re.search(r"bf_hmem: (\d+) host allocations, (\d+) by libraries", err)
        if rc != 0 or not m:
            failures.append(f"{name}: reference run failed ({rc}): {err}")
            continue
        own, lib = int(m.group(1)), int(m.group(2))
        ref_runs = db_state(os.path.join(d, "r.db"))[1]
        ref_metrics = {st: n for _, st, n in ref_runs[1:]}
        points = [("BF_FAIL_ALLOC", n) for n in range(1, own + 1)]
        lib_points = set(range(1, min(lib, LIB_FIRST) + 1))
        if lib > LIB_FIRST:
            step = max(1, (lib - LIB_FIRST) // LIB_SPREAD)
            lib_points |= set(range(LIB_FIRST + 1, lib + 1, step)) | {lib}
        points += [("BF_FAIL_LIB_ALLOC", n) for n in sorted(lib_points)]
        print(f"{name}: {own} own allocations (all tried), {lib} by SQLite ({len(lib_points)} tried)")
        for var, n in points:
            tried += 1
            fresh(base, d)
            db = os.path.join(d, "r.db")
            before = digest(db)
            rc, stdout, err = sh(argv, {var: str(n)})
            where = f"{name} {var}={n}"
            if rc == 2:
                if "out of host memory" not in err:
                    failures.append(f"{where}: exit 2 without 'out of host memory': {err.strip()[:300]}")
            elif not (rc == 0 and var == "BF_FAIL_LIB_ALLOC"):
                failures.append(f"{where}: exit {rc} (expected 2): {err.strip()[:300]}")
            if rc == 0 and stdout != ref_out and not stores:
                failures.append(f"{where}: exit 0 with an output that differs from the reference run")
            ok, runs = db_state(db)
            if ok != "ok":
                failures.append(f"{where}: integrity_check: {ok}")
            for rid, status, metrics in runs:
                if status == "running":
                    failures.append(f"{where}: run {rid} left 'running'")
                if status == "ok" and rid > 1 and metrics != ref_metrics.get("ok", metrics):
                    failures.append(f"{where}: run {rid} is 'ok' with {metrics} metrics "
                                    f"(a complete run has {ref_metrics.get('ok')})")
            if not stores and digest(db) != before:
                failures.append(f"{where}: the database changed")
            if stores and rc == 2 and any(s == "ok" for _, s, _ in runs[1:]) and "stored" not in err:
                pass  # a run stored whole before a later failure (printing) is complete, not half-written
            if out and rc != 0 and os.path.exists(os.path.join(d, out)):
                failures.append(f"{where}: {out} written by a failed command")
            left = [x for x in os.listdir(d) if ".tmp-" in x]
            if left:
                failures.append(f"{where}: temporary files left: {left}")
    shutil.rmtree(top, ignore_errors=True)
    for f in failures:
        print("FAIL", f, file=sys.stderr)
    print(f"{tried} allocation failures injected, {len(failures)} problems")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
