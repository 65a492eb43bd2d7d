#!/usr/bin/env python3
"""Reproductions of hardening defects (lost files or runs, signals, host failures), one test
per defect group.

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

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
from cli_test import check, failures  # noqa: E402  (the CLI tests' checker, shared)


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


def spawn(*args, stdin=None):
    return subprocess.Popen([BFSIM, *args], stdin=stdin, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def feed_fifo(path, src, delay=0.0):
    """Write src's bytes into the FIFO path (in a thread: open blocks until a reader comes)."""
    def run():
        time.sleep(delay)
        with open(path, "wb") as f, open(src, "rb") as g:
            f.write(g.read())
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def wait_running(db, n=1, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        try:
            c = sqlite3.connect(db, timeout=0.1)
            k = c.execute("select count(*) from runs where status = 'running'").fetchone()[0]
            c.close()
            if k >= n:
                return True
        except sqlite3.Error:
            pass
        time.sleep(0.05)
    return False


def statuses(db):
    c = sqlite3.connect(db)
    v = [r[0] for r in c.execute("select status from runs order by id")]
    c.close()
    return v


def test_concurrent_create():
    # 4: 8 processes creating the same new database at once all store their run
    d = tmpdir()
    db = os.path.join(d, "p.db")
    for rnd in range(4):
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
        ps = [spawn("run", "--config", CFG, "--trace", TRACE, "--db", db) for _ in range(8)]
        errs = [p.communicate()[1].decode() for p in ps]
        codes = [p.returncode for p in ps]
        check(codes == [0] * 8, f"round {rnd}: every run exits 0 (got {codes}: {set(errs)})")
        check(statuses(db) == ["ok"] * 8, f"round {rnd}: 8 runs stored ok (got {statuses(db)})")


def test_lock_at_end():
    # 5: another process holds the lock when the run finishes (7 s, more than the 5 s open
    # timeout): the run waits with a message, prints its report, stores the run, exits 0
    d = tmpdir()
    db = os.path.join(d, "l.db")
    fifo = os.path.join(d, "t.fifo")
    os.mkfifo(fifo)
    p = spawn("run", "--config", CFG, "--trace", fifo, "--db", db)
    check(wait_running(db), "the run row is inserted before the trace is read")
    c = sqlite3.connect(db, isolation_level=None)
    c.execute("begin exclusive")
    feed_fifo(fifo, TRACE)
    time.sleep(7)
    c.execute("commit")
    c.close()
    out, err = p.communicate(timeout=120)
    check(p.returncode == 0, f"run exits 0 after the wait (got {p.returncode}: {err.decode()})")
    check(b"is locked by another process; waiting" in err, f"a message says it waits: {err.decode()}")
    check(b"# stored as run 1" in out and b"core.cycles" in out, "the report is printed")
    check(statuses(db) == ["ok"], f"the run is stored ok (got {statuses(db)})")


def test_abandoned():
    # 5: a run whose process is gone (kill -9) is listed as abandoned, never 'running' forever;
    # SIGHUP ends a run as interrupted
    d = tmpdir()
    db = os.path.join(d, "a.db")
    for sig, want in ((signal.SIGKILL, "abandoned"), (signal.SIGHUP, "interrupted")):
        fifo = os.path.join(d, f"t{int(sig)}.fifo")
        os.mkfifo(fifo)
        p = spawn("run", "--config", CFG, "--trace", fifo, "--db", db)
        check(wait_running(db, 1 if sig == signal.SIGKILL else 2), "run row inserted")
        p.send_signal(sig)
        p.wait(timeout=10)
        try:  # unblock nothing: the reader is gone; open the FIFO non-blocking to be safe
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass
        rc, out, err = bfsim("results", "list", "--db", db, "--format", "json")
        rows = json.loads(out) if rc == 0 else []
        check(rows and rows[-1]["status"] == want, f"after signal {sig}: listed as {want} (got {rows})")
    rc, out, _ = bfsim("results", "show", "1", "--db", db)
    check(rc == 0 and "abandoned" in out, "results show says abandoned")


def test_fifo_stdin():
    # 6 and 7: a FIFO or stdin trace with the database and --json: one pass, the hash is the
    # file's SHA-256 (sha256sum), for run and for alloc
    d = tmpdir()
    db = os.path.join(d, "f.db")
    want = digest(TRACE)
    fifo = os.path.join(d, "t.fifo")
    os.mkfifo(fifo)
    feed_fifo(fifo, TRACE)
    rc, out, err = bfsim("run", "--config", CFG, "--trace", fifo, "--db", db, "--json", timeout=60)
    check(rc == 0, f"run on a FIFO with --db --json exits 0 (got {rc}: {err})")
    check(rc == 0 and json.loads(out)["run"]["workload_hash"] == want, "JSON hash = sha256sum")
    with open(TRACE, "rb") as f:
        rc, out, err = bfsim("run", "--config", CFG, "--trace", "-", "--db", db, stdin=f, timeout=60)
    check(rc == 0, f"run --trace - with --db exits 0 (got {rc}: {err})")
    with open(WORKLOAD, "rb") as f:
        rc, out, err = bfsim("alloc", "--allocator", "buddy", "--workload", "-", "--db", db, stdin=f,
                             timeout=120)
    check(rc == 0, f"alloc --workload - exits 0 (got {rc}: {err})")
    c = sqlite3.connect(db)
    hashes = [r[0] for r in c.execute("select workload_hash from runs order by id")]
    c.close()
    check(hashes == [want, want, digest(WORKLOAD)], f"stored hashes are the files' SHA-256: {hashes}")
    # a run that stops at a fault still hashes the whole file
    t = os.path.join(d, "fault.bft")
    with open(t, "w") as f:
        # 0x02100000 is past the EZ-KIT's 32 MB of SDRAM: the first record faults (exit 3)
        f.write("#bfsim-trace 1\nL 0x02100000 4\n" + "".join(f"L 0x{0x1000 + 4 * i:08X} 4\n" for i in range(20000)))
    rc, out, err = bfsim("run", "--config", CFG, "--trace", t, "--no-db", "--json")
    check(rc == 3 and json.loads(out)["run"]["workload_hash"] == digest(t), f"fault run hashes the whole file ({rc}: {err})")
    # compare reads the trace once per SDRAM size: machines of two sizes need a file it can read
    # twice; machines of one size read stdin once (and hash it once)
    rc, _, err = bfsim("compare", "--configs", CFG, "configs/compat-cachegrind.ini", "--trace", "-",
                       "--no-db", stdin=subprocess.DEVNULL)
    check(rc == 2 and "regular file" in err and "2 times" in err,
          f"compare --trace - with two SDRAM sizes: exit 2 ({rc}: {err})")
    with open(TRACE, "rb") as f:
        rc, out, err = bfsim("compare", "--configs", CFG, "configs/ezkit-icache.ini", "--trace", "-",
                             "--no-db", "--format", "json", stdin=f)
    j = json.loads(out) if rc == 0 else {}
    check(rc == 0 and len(j.get("configs", [])) == 2, f"compare of one SDRAM size reads stdin ({rc}: {err})")
    rc, alone, err = bfsim("compare", "--configs", CFG, "configs/ezkit-icache.ini", "--trace", TRACE,
                           "--no-db", "--format", "json")
    check(rc == 0 and json.loads(alone) == j, "the same table from stdin as from the file")


def interrupt_after(p, delay, sig=signal.SIGINT):
    time.sleep(delay)
    t0 = time.time()
    p.send_signal(sig)
    try:
        out, err = p.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
    return p.returncode, time.time() - t0, err.decode()


def test_signals():
    # 8: every command stops within a second of SIGINT/SIGTERM with exit 130, nothing written
    d = tmpdir()
    # (a) trace convert / stats / head blocked on a FIFO
    for sub in (["convert", "--out", os.path.join(d, "o.bfb")], ["stats"], ["head"]):
        fifo = os.path.join(d, f"{sub[0]}.fifo")
        os.mkfifo(fifo)
        arg = ["--in", fifo] if sub[0] == "convert" else ["--trace", fifo]
        p = spawn("trace", sub[0], *arg, *sub[1:])
        w = open(fifo, "wb")  # the reader is open, and waits for bytes that never come
        w.write(b"#bfsim-trace 1\n")
        w.flush()
        rc, dt, err = interrupt_after(p, 0.5)
        w.close()
        check(rc == 130 and dt < 1.0, f"trace {sub[0]}: SIGINT -> 130 in {dt:.2f}s (got {rc}: {err})")
    check(not os.path.exists(os.path.join(d, "o.bfb")), "no output from an interrupted convert")
    check(not [n for n in os.listdir(d) if ".tmp-" in n], "no temporary left")
    # (b) alloc in the middle of a long replay with --check (minutes without the fix)
    ev = os.path.join(d, "ev.txt")
    for sig in (signal.SIGINT, signal.SIGTERM):
        p = spawn("alloc", "--allocator", "slab", "--workload", "workloads/suite/cc1.bfa.zst", "--check",
                  "--no-db", "--dump-events", ev)
        rc, dt, err = interrupt_after(p, 1.5, sig)
        check(rc == 130 and dt < 1.0, f"alloc --check: signal {sig} -> 130 in {dt:.2f}s (got {rc}: {err})")
    check(not os.path.exists(ev), "no --dump-events file from an interrupted alloc")
    # (c) run waiting for a database another process has locked
    db = os.path.join(d, "l.db")
    rc, _, err = bfsim("run", "--config", CFG, "--trace", TRACE, "--db", db)
    c = sqlite3.connect(db, isolation_level=None)
    c.execute("begin exclusive")
    p = spawn("run", "--config", CFG, "--trace", TRACE, "--db", db)
    rc, dt, err = interrupt_after(p, 1.5)
    c.execute("commit")
    c.close()
    check(rc == 130 and dt < 1.0, f"run waiting for a lock: SIGINT -> 130 in {dt:.2f}s (got {rc}: {err})")
    # (d) results list and config keys: the default handler exits 130 too
    fifo = os.path.join(d, "cfg.fifo")
    os.mkfifo(fifo)
    p = spawn("config", "check", "--config", fifo)
    rc, dt, err = interrupt_after(p, 0.5, signal.SIGTERM)
    check(rc == 130 and dt < 1.0, f"config check blocked on a FIFO: SIGTERM -> 130 (got {rc})")


def test_access_rules():
    # 9: native data accesses of 3 or 6 bytes are input errors naming the line, in every command
    d = tmpdir()
    for size in (3, 6):
        t = os.path.join(d, f"s{size}.bft")
        with open(t, "w") as f:
            f.write(f"#bfsim-trace 1\nL 0x00001000 4\nS 0x00001000 {size}\n")
        for args in (["run", "--config", CFG, "--trace", t, "--no-db"], ["trace", "stats", "--trace", t],
                     ["trace", "convert", "--in", t, "--out", os.path.join(d, "o.bfb")],
                     ["trace", "head", "--trace", t]):
            rc, out, err = bfsim(*args)
            check(rc == 2 and f"s{size}.bft:3: size {size} is not a Blackfin data access" in err,
                  f"{args[0]} {args[1]}: size {size} -> exit 2 naming line 3 (got {rc}: {err})")
    check(not os.path.exists(os.path.join(d, "o.bfb")), "no output from a refused trace")
    # 10: a user-mode MMR record faults like a user-mode load of that address (EXCAUSE 0x23)
    t = os.path.join(d, "mmr.bft")
    with open(t, "w") as f:
        f.write("#bfsim-trace 1\nMODE user\nMMR 0xFFE00004 0x0000100F\n")
    rc, out, err = bfsim("run", "--config", CFG, "--trace", t, "--no-db")
    check(rc == 3 and "EXCAUSE 0x23" in err and "user mode" in err, f"user MMR write faults ({rc}: {err})")
    t2 = os.path.join(d, "mmr-supv.bft")
    with open(t2, "w") as f:
        f.write("#bfsim-trace 1\nMMR 0xFFE00004 0x0000100F\n")
    rc, out, err = bfsim("run", "--config", CFG, "--trace", t2, "--no-db")
    check(rc == 0, f"a supervisor MMR write does not fault ({rc}: {err})")


def test_host_oom():
    # 11: host out of memory is exit 2 with "out of host memory" and what was being allocated;
    # the simulated SDRAM never silently reads as zero
    for kb in (30000, 20000):
        p = subprocess.run(["bash", "-c", f'ulimit -v {kb}; exec "$0" "$@"', BFSIM, "alloc", "--allocator",
                            "buddy", "--workload", WORKLOAD, "--no-db"], capture_output=True, timeout=120)
        err = p.stderr.decode()
        check(p.returncode == 2 and "out of host memory (" in err, f"ulimit -v {kb}: exit 2, message ({p.returncode}: {err})")


def test_config_rules():
    # 12: a config file's size and line length are capped (/dev/zero would eat the memory)
    d = tmpdir()
    rc, _, err = bfsim("config", "check", "--config", "/dev/zero", timeout=20)
    check(rc == 2 and "larger than 1048576 bytes" in err, f"/dev/zero as config: exit 2 ({rc}: {err})")
    long_ini = os.path.join(d, "long.ini")
    with open(long_ini, "w") as f:
        f.write("l1.wbuf_depth = " + "4" * 5000 + "\n")
    rc, _, err = bfsim("config", "check", "--config", long_ini)
    check(rc == 2 and "long.ini:1: line longer than 4096" in err, f"long line: exit 2 ({rc}: {err})")
    # 13: a key set twice in one file names both lines; two files may override each other
    dup = os.path.join(d, "dup.ini")
    with open(dup, "w") as f:
        f.write("l1.wbuf_depth = 4\n# comment\nl1.wbuf_depth = 5\n")
    rc, _, err = bfsim("config", "check", "--config", dup)
    check(rc == 2 and "dup.ini:3: l1.wbuf_depth: set twice in this file (first at line 1)" in err,
          f"duplicate key: both lines named ({rc}: {err})")
    rc, _, err = bfsim("config", "check", "--config", CFG, "--config", CFG)
    check(rc == 0, f"the same key in two files is an override ({rc}: {err})")
    # 15: an include loop is named
    a, b = os.path.join(d, "a.ini"), os.path.join(d, "b.ini")
    with open(a, "w") as f:
        f.write("include = b.ini\n")
    with open(b, "w") as f:
        f.write("include = a.ini\n")
    rc, _, err = bfsim("config", "check", "--config", a)
    check(rc == 2 and "include: loop: " in err and "a.ini -> " in err and "b.ini -> " in err,
          f"include loop named ({rc}: {err})")
    # 15: a model's own check names file:line and key; config check refuses what run would
    bad = os.path.join(d, "sdrrc.ini")
    with open(bad, "w") as f:
        f.write("# refresh\nebiu.sdrrc = 0\n")
    rc, _, err = bfsim("config", "check", "--config", CFG, "--config", bad)
    check(rc == 2 and "sdrrc.ini:2: ebiu.sdrrc: " in err, f"model check names file:line and key ({rc}: {err})")
    for extra in ([], ["--set", "cplb.policy=explicit"]):
        rc, _, err = bfsim("config", "check", "--config", CFG, "--set", "ebiu.sdbctl=0", *extra)
        check(rc == 2 and "ebiu.sdbctl" in err, f"sdbctl=0 {extra}: config check refuses it ({rc}: {err})")
        rc, _, err = bfsim("run", "--config", CFG, "--set", "ebiu.sdbctl=0", *extra, "--trace", TRACE, "--no-db")
        check(rc == 2 and "ebiu.sdbctl" in err and "map_limit" not in err, f"run names the key too ({err})")


def test_option_rules():
    # 13: options accepted silently before
    W = WORKLOAD
    for v in ("-5", "0", "99999999999999999999999"):
        rc, _, err = bfsim("alloc", "--allocator", "buddy", "--workload", W, "--no-db", "--sample-every=" + v)
        check(rc == 2 and "--sample-every" in err, f"--sample-every {v}: exit 2 ({rc}: {err})")
    rc, out, err = bfsim("trace", "head", "--trace", TRACE, "-n", "-5")
    check(rc == 2 and "-n" in err and out == "", f"trace head -n -5: exit 2 ({rc})")
    rc, _, err = bfsim("config", "keys", "--format", "json")
    check(rc == 2 and "json" in err, "config keys --format json: exit 2")
    rc, _, err = bfsim("stats", "list", "--format", "csv")
    check(rc == 2 and "csv" in err, "stats list --format csv: exit 2")
    rc, _, err = bfsim("alloc", "--allocator", "buddy", "--workload", W, "--json", "--format", "markdown", "--no-db")
    check(rc == 2 and "contradict" in err, f"alloc --json --format markdown: exit 2 ({err})")
    d = tmpdir()
    db = os.path.join(d, "x.db")
    rc, _, err = bfsim("run", "--config", CFG, "--trace", TRACE, "--db", db, "--no-db")
    check(rc == 2 and not os.path.exists(db), f"--db with --no-db: exit 2, nothing created ({err})")
    rc, _, err = bfsim("compare", "--configs", CFG, "--trace", TRACE, "--no-db", "--stat", "core.nope")
    check(rc == 2 and "core.nope" in err, f"unknown --stat: exit 2 ({err})")
    rc, out, err = bfsim("compare", "--configs", CFG, "--trace", TRACE, "--no-db", "--stat", "core.cpi")
    check(rc == 0, f"a known --stat is accepted ({err})")
    # 15: messages that name the place
    rc, _, err = bfsim("run", "--config", CFG, "--trace", TRACE, "--no-db", "--map-window", "0x100000000")
    check(rc == 2 and "2 GB" in err, f"--map-window 2^32: the real reason ({err})")
    rc, _, err = bfsim("run", "--config", CFG, "--trace", TRACE, "--no-db", "--map-window", "0x80000000")
    check(rc == 2 and "more than the machine's SDRAM" in err, f"--map-window > SDRAM ({err})")
    bfsim("run", "--config", CFG, "--trace", TRACE, "--db", db)
    rc, _, err = bfsim("results", "show", "99999999999999999999999", "--db", db)
    check(rc == 2 and "too large" in err and "9223372036854775807" not in err, f"huge run id ({err})")
    w = os.path.join(d, "long.bfa")
    with open(w, "w") as f:
        f.write("#bfsim-alloc 1\ncache_alloc " + "c" * 100 + " 1 64\n")
    rc, _, err = bfsim("alloc", "--allocator", "slab", "--workload", w, "--no-db")
    check(rc == 2 and "long.bfa:2:" in err and "100 characters long (at most 63)" in err, f"long cache name ({err})")
    pd = os.path.join(d, "plots")
    rc, _, err = bfsim("alloc", "--allocator", "buddy", "--workload", W, "--plot", pd, "--db", db,
                       "--sample-every", "1000000")
    check(rc == 2 and "fewer than 2 samples" in err, f"--plot on a short workload ({err})")
    check(statuses(db)[-1] == "failed", f"and the run is not stored as ok ({statuses(db)})")


def test_json_and_db_messages():
    # 14: a trace path with raw 0xFF bytes gives valid JSON (U+FFFD), as results export does
    d = tmpdir()
    bad = os.path.join(d.encode(), b"a\xff.bft.zst")
    with open(TRACE, "rb") as f, open(bad, "wb") as g:
        g.write(f.read())
    p = subprocess.run([BFSIM, "run", "--config", CFG, "--trace", bad, "--no-db", "--json"], capture_output=True)
    check(p.returncode == 0, "run on a non-UTF-8 path exits 0")
    try:
        j = json.loads(p.stdout.decode("utf-8"))
        check(j["run"]["workload"].endswith("a\ufffd.bft.zst"), "the path is escaped as results export does")
    except (UnicodeDecodeError, ValueError) as e:
        check(False, f"run --json output is valid UTF-8 JSON ({e})")
    # 15: a page-corrupted database is refused at open, naming the path and SQLite's reason,
    # before anything is simulated; it is left as it was
    db = os.path.join(d, "c.db")
    for _ in range(3):
        bfsim("run", "--config", CFG, "--trace", TRACE, "--db", db)
    c = sqlite3.connect(db)
    c.execute("pragma wal_checkpoint(truncate)")
    c.close()
    with open(db, "r+b") as f:
        f.seek(4096 + 8)          # inside page 2 (a b-tree page), past its header start
        f.write(b"\xff" * 64)
    before = digest(db)
    rc, out, err = bfsim("run", "--config", CFG, "--trace", TRACE, "--db", db)
    check(rc == 2 and db in err and ("corrupt" in err or "malformed" in err), f"corrupt db refused ({rc}: {err})")
    check("core.cycles" not in out, "nothing simulated into it")
    check(digest(db) == before, "the corrupt database is left as it was")


if __name__ == "__main__":
    from cli_test import main_one  # noqa: E402
    main_one(globals())
