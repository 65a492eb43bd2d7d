#!/usr/bin/env python3
"""End-to-end tests of `bfsim regress` and `bfsim results merge`.

Each test is a function test_<name>; `regress_test.py NAME` runs one (CTest registers each).
Expectations are written out from the rules of docs/regress.md (exit codes 0/1/2/130, job ids, the baseline
line format), and statistics are checked against separate `bfsim run` / `bfsim alloc` processes,
never against regress's own output.
"""
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "cli"))
import cli_test  # noqa: E402  (check, bfsim, write, failures: the CLI tests' helpers)
from cli_test import bfsim, check, failures, write  # noqa: E402

BFSIM = cli_test.BFSIM = os.path.abspath(cli_test.BFSIM)
SUITE_DIR = os.path.join(ROOT, "workloads", "suite")
CONFIGS = os.path.join(ROOT, "configs")
BUNDLED = os.path.join(SUITE_DIR, "regress.ini")
BUNDLED_BASELINE = os.path.join(ROOT, "results", "baseline", "bf533-default.jsonl")
# the quick part of the bundled suite: the native kernel traces on the five configs, one Lackey
# trace on one config and the process-launch workload on every allocator (about 15 s at -j2)
QUICK = ["--only", "*/*.bft.zst", "--only", "ezkit-icache-dcacheAB-wb/default.lackey.zst",
         "--only", "alloc:*/launch.bfa.zst"]


def tmpdir():
    return tempfile.mkdtemp(prefix="bfsim-regress-test-")


def small_suite(d, name="small", extra="", tol="default = 0\n", file="s.ini",
                traces=("fft-l1.bft.zst", "memcpy-sdram-dma.bft.zst")):
    """Two configs x two small kernel traces, and the launch workload on two allocators:
    6 jobs, a couple of seconds."""
    tr = " ".join(f"{SUITE_DIR}/{t}" for t in traces)
    return write(os.path.join(d, file),
                 f"[suite]\nname = {name}\n"
                 f"configs = {CONFIGS}/ezkit-icache.ini {CONFIGS}/ezkit-icache-dcacheAB-wb.ini\n"
                 f"traces = {tr}\n"
                 f"{extra}"
                 f"[alloc]\nallocators = buddy tlsf\nworkloads = {SUITE_DIR}/launch.bfa.zst\nmem = 32M\n"
                 f"[tolerance]\n{tol}")


SMALL_JOBS = sorted(["ezkit-icache/fft-l1.bft.zst", "ezkit-icache/memcpy-sdram-dma.bft.zst",
                     "ezkit-icache-dcacheAB-wb/fft-l1.bft.zst",
                     "ezkit-icache-dcacheAB-wb/memcpy-sdram-dma.bft.zst",
                     "alloc:buddy/launch.bfa.zst", "alloc:tlsf/launch.bfa.zst"])


def read_baseline(path):
    with open(path) as f:
        lines = f.read().splitlines()
    head = json.loads(lines[0])
    rows = [json.loads(l) for l in lines[1:]]
    return head, rows


def baseline_map(rows):
    m = {}
    for r in rows:
        m.setdefault(r["job"], {})[r["stat"]] = r["value"]
    return m


def regression_jobs(db, reg=None):
    con = sqlite3.connect(db)
    q = "select job, status, run_id from regression_jobs"
    rows = con.execute(q + (" where regression_id = ?" if reg else ""), (reg,) if reg else ()).fetchall()
    con.close()
    return rows


def check_same_stats(a, m, jobs=None):
    """a and m (job -> stats) hold the same jobs with identical statistics, host time aside."""
    strip = lambda x: {k: v for k, v in x.items() if not k.startswith("alloc.host.")}
    check(sorted(a) == sorted(m) and (jobs is None or sorted(a) == jobs),
          f"same job ids ({len(a)}, {len(m)})")
    diff = [j for j in a if strip(a[j]) != strip(m.get(j, {}))]
    check(not diff, f"identical statistics (differ: {diff[:5]})")


def db_stats(db):
    """job -> {stat: value} for every job run of every regression in db (newest wins)."""
    con = sqlite3.connect(db)
    out = {}
    for job, rid in con.execute("select j.job, j.run_id from regression_jobs j join regressions g"
                                " on g.id = j.regression_id order by g.start_time, g.id"):
        out[job] = dict(con.execute("select name, value from metrics where run_id = ?", (rid,)).fetchall())
    con.close()
    return out


# ------------------------------------------------------------------------------------------------

def test_baseline_cycle():
    d = tmpdir()
    s = small_suite(d)
    b = os.path.join(d, "base.jsonl")
    db = os.path.join(d, "r.db")
    # no baseline yet and no --update-baseline: usage/input error
    rc, out, err = bfsim("regress", "--suite", s, "--baseline", b, "--db", db, "-j2")
    check(rc == 2 and "base.jsonl" in err and "update-baseline" in err, f"missing baseline: exit 2 ({rc}: {err})")
    rc, out, err = bfsim("regress", "--suite", s, "--baseline", b, "--update-baseline", "--db", db, "-j2")
    check(rc == 0, f"--update-baseline exits 0 ({rc}: {err})")
    head, rows = read_baseline(b)
    check(head == {"suite": "small", "format": "bfsim-baseline 1"}, f"header names the suite: {head}")
    keys = [(r["job"], r["stat"]) for r in rows]
    check(keys == sorted(keys), "baseline lines sorted by job then stat")
    check(all(set(r.keys()) == {"job", "stat", "value"} for r in rows), "every line is {job, stat, value}")
    bm = baseline_map(rows)
    check(sorted(bm) == SMALL_JOBS, f"job ids CONFIGSTEM/TRACE and alloc:ALLOCATOR/WORKLOAD: {sorted(bm)}")
    check(all(bm[j]["status"] == "ok" for j in bm), "every job ok")
    check(not any(k.startswith("alloc.host.") for j in bm for k in bm[j]), "host-time stats not in the baseline")
    # every job gives exactly the statistics of bfsim run / bfsim alloc
    rc, out, err = bfsim("run", "--config", f"{CONFIGS}/ezkit-icache-dcacheAB-wb.ini",
                         "--trace", f"{SUITE_DIR}/fft-l1.bft.zst", "--json", "--no-db")
    st = json.loads(out)["stats"]
    job = bm["ezkit-icache-dcacheAB-wb/fft-l1.bft.zst"]
    check(all(job[k] == v for k, v in st.items()) and len(job) == len(st) + 1,
          "run job == bfsim run --json, stat for stat")
    rc, out, err = bfsim("alloc", "--allocator", "tlsf", "--workload", f"{SUITE_DIR}/launch.bfa.zst",
                         "--mem", "32M", "--json", "--no-db")
    st = json.loads(out)["stats"]
    job = bm["alloc:tlsf/launch.bfa.zst"]
    st = {k: v for k, v in st.items() if not k.startswith("alloc.host.")}
    check(all(job[k] == v for k, v in st.items()) and len(job) == len(st) + 1,
          "alloc job == bfsim alloc --json, stat for stat (host time aside)")
    # the same code again: exit 0, nothing moved
    rc, out, err = bfsim("regress", "--suite", s, "--baseline", b, "--db", db, "-j2")
    check(rc == 0 and "PASS" in out and "0 stats moved" in out, f"unchanged: exit 0 ({rc}: {out}{err})")
    # results list --regression lists the runs of that regression, one per job
    rc, out, err = bfsim("results", "list", "--db", db, "--regression", "2")
    check(rc == 0 and all(j in out for j in SMALL_JOBS) and len(out.splitlines()) == 7,
          f"results list --regression 2: one line per job ({out})")
    rc, out, err = bfsim("results", "list", "--db", db, "--regression", "9")
    check(rc == 2 and "no regression 9" in err, f"unknown regression: exit 2 ({rc}: {err})")
    con = sqlite3.connect(db)
    g = con.execute("select suite_name, suite_hash, git_rev, status, jobs, ran, failed, moved, start_time,"
                    " end_time from regressions where id = 2").fetchone()
    con.close()
    import hashlib
    with open(s, "rb") as f:
        check(g[1] == hashlib.sha256(f.read()).hexdigest(), "regression row holds the suite file's SHA-256")
    check(g[0] == "small" and g[2] and g[3] == "passed" and g[4:8] == (6, 6, 0, 0) and g[8] and g[9],
          f"regression row: name, git rev, status, counts, times: {g}")

    # move two stats in the baseline by hand: exit 1, both named, worst first
    with open(b) as f:
        lines = f.read().splitlines()
    out_lines = []
    for l in lines:
        o = json.loads(l)
        if o.get("job") == "ezkit-icache/fft-l1.bft.zst" and o.get("stat") == "core.cycles":
            o["value"] = o["value"] * 1.001        # now is 0.1 % below: change -0.0999 %
        if o.get("job") == "alloc:buddy/launch.bfa.zst" and o.get("stat") == "alloc.allocs":
            o["value"] = o["value"] * 2            # now is half: change -50 %
        out_lines.append(json.dumps(o))
    write(b, "\n".join(out_lines) + "\n")
    junit = os.path.join(d, "j.xml")
    rc, out, err = bfsim("regress", "--suite", s, "--baseline", b, "--db", db, "-j2", "--junit", junit)
    check(rc == 1, f"moved stats: exit 1 ({rc}: {err})")
    body = [l for l in out.splitlines() if "core.cycles" in l or "alloc.allocs" in l]
    check(len(body) == 2 and "alloc.allocs" in body[0] and "-50.0000%" in body[0] and "core.cycles" in body[1],
          f"one line per moved stat, worst first: {body}")
    check("2 stats moved in 2 jobs" in out.splitlines()[-1], f"summary line: {out.splitlines()[-1]}")
    tree = ET.parse(junit).getroot()
    check(tree.tag == "testsuite" and tree.get("tests") == "6" and tree.get("failures") == "2",
          f"JUnit: one testsuite, 6 testcases, 2 failures ({tree.attrib})")
    cases = {c.get("name"): c for c in tree.findall("testcase")}
    check(sorted(cases) == SMALL_JOBS, "JUnit testcase names are the job ids")
    f1 = cases["alloc:buddy/launch.bfa.zst"].find("failure")
    check(f1 is not None and "alloc.allocs" in f1.get("message"), "JUnit failure names the moved stat")
    check(cases["ezkit-icache/memcpy-sdram-dma.bft.zst"].find("failure") is None, "unmoved job passes")
    # the comparison is stored with the regression (schema 4), worst first, so that `bfsim report
    # --regression ID` can draw it without the baseline file; merging carries it along
    con = sqlite3.connect(db)
    reg, bpath = con.execute("select id, baseline from regressions order by id desc limit 1").fetchone()
    mv = con.execute("select job, stat, baseline, now, change, tolerance from regression_moves"
                     " where regression_id = ? order by seq", (reg,)).fetchall()
    con.close()
    check(bpath == b, f"the regression records its baseline file ({bpath})")
    check([(m[0], m[1]) for m in mv] == [("alloc:buddy/launch.bfa.zst", "alloc.allocs"),
                                         ("ezkit-icache/fft-l1.bft.zst", "core.cycles")],
          f"the moved stats stored worst first ({mv})")
    if len(mv) == 2:
        bm2 = baseline_map([json.loads(l) for l in out_lines[1:]])
        check(mv[0][2] == bm2["alloc:buddy/launch.bfa.zst"]["alloc.allocs"] and mv[0][3] * 2 == mv[0][2]
              and mv[0][4] == -0.5 and mv[0][5] == 0, f"stored baseline, now, change -50 %, tolerance 0: {mv[0]}")
        check(abs(mv[1][4] - (mv[1][3] - mv[1][2]) / mv[1][2]) < 1e-15, f"stored change of core.cycles: {mv[1]}")
    merged = os.path.join(d, "m.db")
    for _ in range(2):
        rc, _, err = bfsim("results", "merge", "--into", merged, db)
        check(rc == 0, f"merge ({err})")
        con = sqlite3.connect(merged)
        got = con.execute("select m.job, m.stat, m.baseline, m.now, m.change, m.tolerance from regression_moves m"
                          " join regressions g on g.id = m.regression_id where g.baseline = ? order by g.id, m.seq",
                          (b,)).fetchall()
        con.close()
        check(got == mv, f"merge copies the stored comparison once ({len(got)} rows)")
    # tolerance: 0.2 % on core.cycles lets the 0.1 % move pass; the other still fails
    s2 = small_suite(d, tol="default = 0\ncore.cycles = 0.002 ; relative\nalloc.allocs = ignore\n", file="s2.ini")
    rc, out, err = bfsim("regress", "--suite", s2, "--baseline", b, "--no-db", "-j2")
    check(rc == 0, f"moves within tolerance or ignored: exit 0 ({rc}: {out}{err})")
    s3 = small_suite(d, tol="core.* = 0.0001\n", file="s3.ini")
    rc, out, err = bfsim("regress", "--suite", s3, "--baseline", b, "--no-db", "-j2", "--only", "ezkit-icache/*")
    check(rc == 1 and "core.cycles" in out, f"glob tolerance 0.01 % < 0.1 %: exit 1 ({rc}: {out})")
    # markdown and json reports
    rc, out, err = bfsim("regress", "--suite", s, "--baseline", b, "--no-db", "-j2", "--format", "markdown")
    check(rc == 1 and "| job | stat | baseline | now | change |" in out and "`alloc.allocs`" in out,
          f"markdown table ({out})")
    rc, out, err = bfsim("regress", "--suite", s, "--baseline", b, "--no-db", "-j2", "--format", "json")
    j = json.loads(out)
    check(rc == 1 and j["exit"] == 1 and len(j["moved"]) == 2 and j["moved"][0]["stat"] == "alloc.allocs"
          and abs(j["moved"][0]["change"] + 0.5) < 1e-12, f"json report ({j.get('moved')})")
    # a job new to the suite and one gone from it: exit 1, named
    s4 = small_suite(d, file="s4.ini", traces=("fft-l1.bft.zst", "fir-l1-ifetch.bft.zst"))
    rc, out, err = bfsim("regress", "--suite", s4, "--baseline", b, "--no-db", "-j2", "--only", "ezkit-*")
    check(rc == 1 and "ezkit-icache/fir-l1-ifetch.bft.zst  NEW" in out, f"new job reported ({out})")
    rc, out, err = bfsim("regress", "--suite", s4, "--baseline", b, "--no-db", "-j2")
    check(rc == 1 and "ezkit-icache/memcpy-sdram-dma.bft.zst  MISSING" in out, f"missing job reported ({out})")
    # --update-baseline writes this run, exit 0
    rc, out, err = bfsim("regress", "--suite", s, "--baseline", b, "--no-db", "-j2", "--update-baseline")
    check(rc == 0, f"--update-baseline after moves: exit 0 ({rc})")
    rc, out, err = bfsim("regress", "--suite", s, "--baseline", b, "--no-db", "-j1")
    check(rc == 0, f"after the update: exit 0 ({rc}: {out})")


def test_bad_input():
    d = tmpdir()
    s = small_suite(d)
    b = os.path.join(d, "b.jsonl")

    def bad(text, expect, name="bad.ini"):
        p = write(os.path.join(d, name), text)
        rc, out, err = bfsim("regress", "--suite", p, "--no-db")
        check(rc == 2 and all(e in err for e in expect), f"{expect}: exit 2 ({rc}: {err})")
        check(out == "", "nothing on stdout for a bad suite")

    bad("[suite]\nname = x\ncolour = red\n", ["bad.ini:3", "colour", "unknown key"])
    bad("[suite]\nname = x\n[extra]\nfoo = 1\n", ["bad.ini:4", "extra", "unknown section"])
    bad(f"[suite]\nname = x\nconfigs = {CONFIGS}/ezkit-icache.ini\ntraces = {SUITE_DIR}/fft-l1.bft.zst\n[empty]\n",
        ["bad.ini:5", "[empty]", "unknown section"])
    bad(f"[suite]\nname = x\nconfigs = {CONFIGS}/ezkit-icache.ini\ntraces = *.nothing\n",
        ["bad.ini:4", "traces", "'*.nothing' matches no file"])
    bad(f"[suite]\nname = x\n[alloc]\nallocators = buddy\nworkloads = none-*.bfa\n",
        ["bad.ini:5", "workloads", "matches no file"])
    bad("[alloc]\nallocators = nosuch\nworkloads = ../../x\n", ["bad.ini"])
    bad(f"[suite]\nname = x\n[alloc]\nallocators = nosuch\nworkloads = {SUITE_DIR}/launch.bfa.zst\n",
        ["bad.ini:4", "allocators", "nosuch"])
    bad("[suite]\nname = x\n[tolerance]\ncore.cycles = lots\n", ["bad.ini:4", "core.cycles", "lots"])
    bad("[suite]\nname = x\n", ["bad.ini", "no jobs"])
    bad("[suite]\nname = x\nthis line is wrong\n", ["bad.ini:3"])
    rc, out, err = bfsim("regress", "--suite", os.path.join(d, "none.ini"), "--no-db")
    check(rc == 2 and "none.ini" in err, f"missing suite: exit 2 ({err})")
    # shard specs
    for spec in ("0/2", "3/2", "1/0", "x", "1/2/3", "-1/2"):
        rc, out, err = bfsim("regress", "--suite", s, "--shard", spec, "--no-db")
        check(rc == 2 and spec in err and "K/N" in err, f"--shard {spec}: exit 2 ({rc}: {err})")
    # a baseline of another suite
    rc, out, err = bfsim("regress", "--suite", s, "--baseline", b, "--update-baseline", "--no-db", "--only", "alloc:*")
    check(rc == 0, "baseline written")
    other = small_suite(d, name="other", file="other.ini")
    rc, out, err = bfsim("regress", "--suite", other, "--baseline", b, "--no-db")
    check(rc == 2 and "b.jsonl:1" in err and "'small'" in err and "'other'" in err,
          f"baseline of another suite: exit 2 naming both ({rc}: {err})")
    # a baseline that is not one
    write(os.path.join(d, "junk.jsonl"), "{\"suite\": \"small\", \"format\": \"bfsim-baseline 1\"}\n{\"job\": 1}\n")
    rc, out, err = bfsim("regress", "--suite", s, "--baseline", os.path.join(d, "junk.jsonl"), "--no-db")
    check(rc == 2 and "junk.jsonl:2" in err, f"bad baseline line: exit 2 with file:line ({err})")
    # usage
    for args in (["--format", "xml"], ["-j", "0"], ["--update-baseline"], ["--db", "x.db", "--no-db"]):
        rc, out, err = bfsim("regress", "--suite", s, *args)
        check(rc == 2, f"{args}: exit 2 ({rc}: {err})")
    rc, out, err = bfsim("regress")
    check(rc == 2 and "--suite" in err, "no --suite: exit 2")
    # merging a file that is not a bfsim database
    notdb = write(os.path.join(d, "notdb.db"), "hello\n" * 50)
    into = os.path.join(d, "into.db")
    rc, out, err = bfsim("results", "merge", "--into", into, notdb)
    check(rc == 2 and "notdb.db" in err, f"merge of a non-database: exit 2 ({rc}: {err})")
    check(not os.path.exists(into), "nothing created when a source is refused")
    other_app = os.path.join(d, "other.db")
    con = sqlite3.connect(other_app)
    con.execute("create table t (x)")
    con.commit()
    con.close()
    rc, out, err = bfsim("results", "merge", "--into", into, other_app)
    check(rc == 2 and "not a bfsim results database" in err, f"merge of another application's SQLite: exit 2 ({err})")


def test_failed_job():
    d = tmpdir()
    # a corrupt trace (a job that fails), a faulting trace (status fault) and a good one
    write(os.path.join(d, "corrupt.bft"), "#bfsim-trace 1\nL 0x00001000 4\nQ nonsense\n")
    write(os.path.join(d, "fault.bft"), "#bfsim-trace 1\nL 0x00001000 4\nL 0x02100000 4\n")
    write(os.path.join(d, "good.bft"), "#bfsim-trace 1\nL 0x00001000 4\nS 0x00001004 4\n")
    s = write(os.path.join(d, "s.ini"), f"[suite]\nname = f\nconfigs = {CONFIGS}/ezkit-icache-dcacheAB-wb.ini\n"
                                        "traces = *.bft\n")
    b = os.path.join(d, "b.jsonl")
    junit = os.path.join(d, "j.xml")
    rc, out, err = bfsim("regress", "--suite", s, "--baseline", b, "--update-baseline", "--no-db", "--junit", junit)
    check(rc == 1, f"a failed job: --update-baseline exits 1 ({rc}: {out}{err})")
    check("ezkit-icache-dcacheAB-wb/corrupt.bft  FAILED" in out and "corrupt.bft:3" in out,
          f"failed job with its message in the report ({out})")
    check("ezkit-icache-dcacheAB-wb/fault.bft  FAULT: Data access CPLB miss" in out and "fault.bft:3" in out,
          f"faulted job reported with its fault and record ({out})")
    check(not os.path.exists(b), "no baseline written when a job did not run")
    cases = {c.get("name"): c for c in ET.parse(junit).getroot().findall("testcase")}
    f = cases["ezkit-icache-dcacheAB-wb/corrupt.bft"].find("failure")
    check(f is not None and "corrupt.bft:3" in f.get("message"), "JUnit failure carries the job's message")
    check(cases["ezkit-icache-dcacheAB-wb/good.bft"].find("failure") is None, "the other jobs ran")
    # baseline taken with the corrupt trace fixed; then break it again: failed where the baseline
    # has it succeed -> exit 1
    write(os.path.join(d, "corrupt.bft"), "#bfsim-trace 1\nL 0x00001000 4\n")
    rc, out, err = bfsim("regress", "--suite", s, "--baseline", b, "--update-baseline", "--no-db")
    check(rc == 0, f"baseline with a faulting job: exit 0 ({rc}: {err})")
    bm = baseline_map(read_baseline(b)[1])
    check(bm["ezkit-icache-dcacheAB-wb/fault.bft"]["status"] == "fault", "fault status in the baseline")
    rc, out, err = bfsim("regress", "--suite", s, "--baseline", b, "--no-db")
    check(rc == 0, f"the same faults again: exit 0 ({rc}: {out})")
    write(os.path.join(d, "corrupt.bft"), "#bfsim-trace 1\nL 0x00001000 4\nQ nonsense\n")
    rc, out, err = bfsim("regress", "--suite", s, "--baseline", b, "--no-db")
    check(rc == 1 and "FAILED" in out and "status" in out, f"failed where the baseline succeeded: exit 1 ({out})")
    # a job that crashes: a bfsim that is killed by a signal (an allocator workload cut off by
    # SIGKILL from outside is the same to regress: a dead process, no stats)
    write(os.path.join(d, "fault.bft"), "#bfsim-trace 1\nL 0x02100000 4\n")
    rc, out, err = bfsim("regress", "--suite", s, "--baseline", b, "--no-db", "--format", "json")
    j = json.loads(out)
    st = {x["job"]: x["status"] for x in j["job_results"]}
    check(rc == 1 and st["ezkit-icache-dcacheAB-wb/good.bft"] == "ok", f"other jobs unaffected ({st})")


def crash_attempt(nrec):
    """One regression whose worker on big.bft (nrec records) is killed: True when the kill landed
    and the checks ran, False when that worker had already finished (the engine outran the
    poll), so the caller tries again with a longer trace."""
    d = tmpdir()
    big = os.path.join(d, "big.bft")
    period = 0x100000 // 32  # the addresses repeat after this many records
    block = "".join(f"L 0x{(i * 32) % 0x100000 + 0x1000:08X} 4\n" for i in range(period))
    with open(big, "w") as f:
        f.write("#bfsim-trace 1\n")
        for _ in range(nrec // period):
            f.write(block)
    write(os.path.join(d, "small.bft"), "#bfsim-trace 1\nL 0x00001000 4\n")
    s = write(os.path.join(d, "s.ini"), f"[suite]\nname = c\nconfigs = {CONFIGS}/ezkit-icache.ini\ntraces = *.bft\n")
    junit = os.path.join(d, "j.xml")
    p = subprocess.Popen([BFSIM, "regress", "--suite", s, "--no-db", "-j2", "--junit", junit],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # find the worker replaying big.bft and kill it
    victim = None
    for _ in range(200):
        time.sleep(0.01)
        out = subprocess.run(["pgrep", "-P", str(p.pid), "-a"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if "big.bft" in line:
                victim = int(line.split()[0])
        if victim:
            break
    killed = False
    if victim:
        try:
            os.kill(victim, signal.SIGKILL)
            killed = True
        except ProcessLookupError:
            pass
    out, err = p.communicate(timeout=120)
    if not killed and p.returncode == 0:
        return False  # big.bft was replayed to its end before the kill: inconclusive
    check(victim is not None, "found the worker process")
    check(p.returncode == 1, f"crashed job: exit 1 ({p.returncode}: {err})")
    check("ezkit-icache/big.bft  FAILED: killed by signal 9 (Killed)" in out, f"crash named in the report ({out})")
    cases = {c.get("name"): c for c in ET.parse(junit).getroot().findall("testcase")}
    f = cases["ezkit-icache/big.bft"].find("failure")
    check(f is not None and "signal 9" in f.get("message"), "crash in the JUnit file")
    check(cases["ezkit-icache/small.bft"].find("failure") is None, "the other job ran")
    return True


def test_crash():
    # A worker killed by a signal is a failed job named in the report; the regression goes on.
    # (SIGKILL: under ASan a SIGSEGV would be turned into an abort by the sanitizer's handler)
    # The kill races the worker: a trace replayed to its end first makes the attempt
    # inconclusive, and the next one is four times longer.
    for nrec in (1 << 19, 1 << 21, 1 << 23):
        if crash_attempt(nrec):
            return
    check(False, "the worker on big.bft finished before every kill (8 M records)")


def reference_run():
    """The small suite run by one process into one.db, with its baseline b.jsonl written."""
    d = tmpdir()
    s = small_suite(d)
    b = os.path.join(d, "b.jsonl")
    one = os.path.join(d, "one.db")
    rc, out, err = bfsim("regress", "--suite", s, "--db", one, "--baseline", b, "--update-baseline", "-j2")
    check(rc == 0, f"single-process regression ({rc}: {err})")
    return d, s, b, one


def test_shards_merge():
    d, s, b, one = reference_run()
    shards = []
    for k in (1, 2, 3):
        sd = os.path.join(d, f"shard-{k}.db")
        rc, out, err = bfsim("regress", "--suite", s, "--shard", f"{k}/3", "--db", sd, "--baseline", b, "-j1")
        check(rc == 0, f"shard {k}/3 passes against the full baseline ({rc}: {out}{err})")
        # jobs whose index in id order, modulo 3, is k-1
        want = [j for i, j in enumerate(SMALL_JOBS) if i % 3 == k - 1]
        got = sorted(r[0] for r in regression_jobs(sd))
        check(got == want, f"shard {k}/3 runs jobs {want} (got {got})")
        shards.append(sd)
    merged = os.path.join(d, "merged.db")
    rc, out, err = bfsim("results", "merge", "--into", merged, *shards)
    check(rc == 0, f"merge: exit 0 ({err})")
    con = sqlite3.connect(merged)
    n1 = (con.execute("select count(*) from runs").fetchone()[0],
          con.execute("select count(*) from metrics").fetchone()[0],
          con.execute("select count(*) from regressions").fetchone()[0],
          con.execute("select count(*) from regression_jobs").fetchone()[0])
    keys = [r[0] for r in con.execute("select run_key from runs")]
    con.close()
    check(n1[0] == 6 and n1[2] == 3 and n1[3] == 6, f"6 runs, 3 regressions, 6 jobs merged: {n1}")
    check(len(set(keys)) == len(keys) == 6 and all(len(k) == 32 for k in keys), "every run has its own 128-bit key")
    rc, out, err = bfsim("results", "merge", "--into", merged, *shards, shards[0])
    con = sqlite3.connect(merged)
    n2 = (con.execute("select count(*) from runs").fetchone()[0],
          con.execute("select count(*) from metrics").fetchone()[0],
          con.execute("select count(*) from regressions").fetchone()[0],
          con.execute("select count(*) from regression_jobs").fetchone()[0])
    con.close()
    check(rc == 0 and n2 == n1 and "0 runs, 0 regressions added" in out, f"merging again adds nothing: {n1} -> {n2}")
    # the merged shards equal the single-process run: same job ids, identical statistics
    check_same_stats(db_stats(one), db_stats(merged), SMALL_JOBS)
    # --from-db compares what the merged database holds, running nothing
    rc, out, err = bfsim("regress", "--suite", s, "--from-db", merged, "--baseline", b)
    check(rc == 0 and "6 ran" in out, f"--from-db of the merge: exit 0 ({rc}: {out}{err})")
    rc, out, err = bfsim("regress", "--suite", s, "--from-db", shards[0], "--baseline", b)
    check(rc == 1 and out.count("MISSING") == 4, f"--from-db of one shard: the others' jobs are missing ({out})")
    # merging into a database that already has runs of its own keeps them
    rc, out, err = bfsim("results", "merge", "--into", one, merged)
    con = sqlite3.connect(one)
    check(con.execute("select count(*) from runs").fetchone()[0] == 12, "12 runs after merging 6 new ones")
    con.close()


def test_interrupt():
    d = tmpdir()
    tr = []
    for k in range(4):
        t = os.path.join(d, f"t{k}.bft")
        with open(t, "w") as f:
            f.write("#bfsim-trace 1\n")
            n = 300 if k == 0 else 1500000
            for i in range(n):
                f.write(f"L 0x{(i * 32) % 0x100000 + 0x1000:08X} 4\n")
        tr.append(t)
    s = write(os.path.join(d, "s.ini"), f"[suite]\nname = i\nconfigs = {CONFIGS}/ezkit-icache.ini\ntraces = *.bft\n")
    db = os.path.join(d, "r.db")
    p = subprocess.Popen([BFSIM, "regress", "--suite", s, "--db", db, "-j2"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # wait for the small job to be stored, then interrupt
    for _ in range(200):
        time.sleep(0.05)
        try:
            if any(r[1] == "ok" for r in regression_jobs(db)):
                break
        except sqlite3.Error:
            pass
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=120)
    check(p.returncode == 130, f"SIGINT: exit 130 ({p.returncode}: {err})")
    con = sqlite3.connect(db)
    st = con.execute("select status from regressions").fetchone()[0]
    jobs = dict(con.execute("select job, status from regression_jobs").fetchall())
    check(st == "interrupted", f"regression marked interrupted ({st})")
    check(jobs.get("ezkit-icache/t0.bft") == "ok", f"the finished job is kept ({jobs})")
    check(any(v == "interrupted" for v in jobs.values()), f"running jobs recorded as interrupted ({jobs})")
    check(len(jobs) < 4, f"no job started after the interrupt ({jobs})")
    n = con.execute("select count(*) from runs where status = 'running'").fetchone()[0]
    check(n == 0, "no run left running")
    con.close()


def test_concurrent_db():
    d = tmpdir()
    s = small_suite(d)
    db = os.path.join(d, "r.db")
    ps = [subprocess.Popen([BFSIM, "regress", "--suite", s, "--db", db, "-j1"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for p in ps:
        out, err = p.communicate(timeout=300)
        check(p.returncode == 0, f"both regressions complete ({p.returncode}: {err})")
    con = sqlite3.connect(db)
    regs = con.execute("select id, status, ran from regressions").fetchall()
    check(len(regs) == 2 and all(r[1] == "passed" and r[2] == 6 for r in regs), f"two regressions: {regs}")
    rows = con.execute("select regression_id, job, run_id from regression_jobs").fetchall()
    check(len(rows) == 12 and len({r[2] for r in rows}) == 12, "every run recorded once")
    check(con.execute("select count(*) from runs").fetchone()[0] == 12, "12 runs")
    con.close()


def test_gnu_parallel():
    if not shutil.which("parallel"):
        print("SKIP: GNU parallel is not installed (scripts/install-deps installs it)")
        return
    d, s, b, one = reference_run()
    # the recipe of docs/regress.md, with 2 shards on this machine
    p = subprocess.run(["parallel", "--will-cite", "--halt", "now,fail=1", BFSIM, "regress", "--suite", s,
                        "--shard", "{}/2", "--db", os.path.join(d, "shard-{}.db"), "--baseline", b, "-j1",
                        ":::", "1", "2"], capture_output=True, text=True, timeout=600)
    check(p.returncode == 0, f"parallel: every shard passes ({p.returncode}: {p.stdout}{p.stderr})")
    merged = os.path.join(d, "all.db")
    rc, out, err = bfsim("results", "merge", "--into", merged, os.path.join(d, "shard-1.db"), os.path.join(d, "shard-2.db"))
    check(rc == 0, f"merge ({err})")
    check_same_stats(db_stats(one), db_stats(merged), SMALL_JOBS)
    rc, out, err = bfsim("regress", "--suite", s, "--from-db", merged, "--baseline", b)
    check(rc == 0, f"--from-db of the merge passes ({out})")


def free_port():
    import socket
    with socket.socket() as so:
        so.bind(("127.0.0.1", 0))
        return so.getsockname()[1]


def wait_for(cond, seconds, step=0.5):
    end = time.time() + seconds
    while time.time() < end:
        if cond():
            return True
        time.sleep(step)
    return False


def test_slurm():
    # A real single-node Slurm (Debian's slurm-wlm and munge): a generated munge key, munged as
    # the munge user, slurmctld and slurmd from a slurm.conf in a temporary folder. The quick part
    # of the bundled suite is submitted as 3 shards with scripts/slurm/submit; the merged result
    # must equal a single-process regress (same job ids, identical statistics) and pass the
    # committed baseline. Every daemon started here is stopped here, by pid.
    need = ["munged", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo"]
    missing = [n for n in need if not shutil.which(n) and not os.path.exists("/usr/sbin/" + n)]
    if missing or os.geteuid() != 0:
        print(f"SKIP: Slurm test needs root and slurm-wlm + munge (scripts/install-deps installs them); "
              f"missing: {missing or 'root'}")
        return
    import grp
    import pwd
    import socket
    try:
        mu = pwd.getpwnam("munge")
    except KeyError:
        print("SKIP: no munge user (the munge package did not install completely)")
        return
    d = tempfile.mkdtemp(prefix="bfsim-slurm-")
    os.chmod(d, 0o755)
    md = os.path.join(d, "munge")
    os.mkdir(md, 0o700)
    key = os.path.join(md, "munge.key")
    with open(key, "wb") as f:
        f.write(os.urandom(1024))
    os.chmod(key, 0o600)
    for p in (md, key):
        os.chown(p, mu.pw_uid, mu.pw_gid)
    sock = os.path.join(md, "munge.socket")
    host = socket.gethostname().split(".")[0]
    cpus = os.cpu_count() or 1
    for sub in ("state", "spool", "out"):
        os.mkdir(os.path.join(d, sub))
    conf = write(os.path.join(d, "slurm.conf"), f"""ClusterName=bfsimtest
SlurmctldHost={host}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort={free_port()}
SlurmdPort={free_port()}
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={sock}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
StateSaveLocation={d}/state
SlurmdSpoolDir={d}/spool
SlurmctldPidFile={d}/slurmctld.pid
SlurmdPidFile={d}/slurmd.pid
SlurmctldLogFile={d}/slurmctld.log
SlurmdLogFile={d}/slurmd.log
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
NodeName={host} NodeAddr=127.0.0.1 CPUs={cpus} State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
""")
    env = dict(os.environ, SLURM_CONF=conf, BFSIM=BFSIM)
    procs = []
    logs = []

    def start(argv, **kw):
        log = open(os.path.join(d, os.path.basename(argv[0]) + ".stderr"), "w")
        logs.append(log)
        p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env, **kw)
        procs.append(p)
        return p

    def daemon_log():
        out = ""
        for n in ("munged.stderr", "slurmctld.stderr", "slurmd.stderr", "slurmctld.log", "slurmd.log"):
            try:
                with open(os.path.join(d, n)) as f:
                    out += f"--- {n}\n" + f.read()[-3000:]
            except OSError:
                pass
        return out

    try:
        munged = start(["/usr/sbin/munged", "-F", "--force", f"--key-file={key}", f"--socket={sock}",
                        f"--pid-file={md}/munged.pid", f"--log-file={md}/munged.log",
                        f"--seed-file={md}/munged.seed"],
                       user=mu.pw_uid, group=grp.getgrgid(mu.pw_gid).gr_gid)
        check(wait_for(lambda: os.path.exists(sock) or munged.poll() is not None, 20) and munged.poll() is None,
              "munged runs")
        start(["/usr/sbin/slurmctld", "-D", "-f", conf])
        start(["/usr/sbin/slurmd", "-D", "-f", conf, "-N", host])
        up = wait_for(lambda: subprocess.run(["sinfo", "-h", "-o", "%T"], env=env, capture_output=True,
                                             text=True).stdout.strip() in ("idle", "mixed", "allocated"), 60)
        check(up, "the Slurm node comes up idle")
        if not up:
            print(daemon_log(), file=sys.stderr)
            return
        out = os.path.join(d, "out")
        p = subprocess.run([os.path.join(ROOT, "scripts", "slurm", "submit"), BUNDLED, "3", "--baseline",
                            BUNDLED_BASELINE, "--out", out, "--", *QUICK],
                           env=env, capture_output=True, text=True, cwd=d)
        check(p.returncode == 0 and "shards" in p.stdout, f"submit ({p.returncode}: {p.stdout}{p.stderr})")
        ids = p.stdout.split()
        merge_id = ids[3] if len(ids) > 3 else "0"
        done = wait_for(lambda: os.path.exists(os.path.join(out, "exit")) and
                        not subprocess.run(["squeue", "-h", "-j", merge_id], env=env, capture_output=True,
                                           text=True).stdout.strip(), 280, step=1)
        check(done, "the shards and the merge-and-compare job finish")
        if not done:
            print(daemon_log(), file=sys.stderr)
            return
        with open(os.path.join(out, "exit")) as f:
            code = f.read().strip()
        with open(os.path.join(out, "report.txt")) as f:
            report = f.read()
        check(code == "0", f"merged shards pass the committed baseline (exit {code}: {report})")
        shard_dbs = sorted(x for x in os.listdir(out) if x.startswith("shard-") and x.endswith(".db"))
        check(shard_dbs == ["shard-1.db", "shard-2.db", "shard-3.db"], f"3 shard databases ({shard_dbs})")
        one = os.path.join(d, "one.db")
        rc, o, e = bfsim("regress", "--suite", BUNDLED, "--db", one, "-j2", *QUICK)
        check(rc == 0, f"single-process regress ({e})")
        a = db_stats(one)
        check(len(a) == 114, f"114 jobs in the quick part ({len(a)})")
        check_same_stats(a, db_stats(os.path.join(out, "merged.db")))
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.terminate()
        for p in reversed(procs):
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        for log in logs:
            log.close()


def test_bundled_quick():
    # The quick part of the bundled suite against the committed baseline (--only limits both the
    # jobs and the comparison to that part). A model change that moves any of these numbers fails
    # here, naming the moved stats; regenerate with --update-baseline in the same commit.
    junit = os.path.join(tmpdir(), "j.xml")
    rc, out, err = bfsim("regress", "--suite", BUNDLED, "--baseline", BUNDLED_BASELINE, "--no-db", "-j2",
                         "--junit", junit, *QUICK)
    print(out)
    check(rc == 0, f"bundled suite (quick part) matches results/baseline/bf533-default.jsonl ({rc}: {err})")
    n = len(ET.parse(junit).getroot().findall("testcase"))
    # 21 kernel traces: the 12 DSP kernel traces and the 9 DMA traces (dmaio-*)
    check(n == 5 * 21 + 1 + 8, f"quick part: 5 configs x 21 kernel traces + 1 Lackey trace + 8 allocators ({n})")


def test_bundled_full():
    d = tempfile.mkdtemp(prefix="bfsim-regress-full-")
    junit = os.path.join(d, "full.xml")
    rc, out, err = bfsim("regress", "--suite", BUNDLED, "--baseline", BUNDLED_BASELINE, "--no-db", "-j2",
                         "--junit", junit, timeout=1800)
    print(out)
    check(rc == 0, f"bundled suite matches results/baseline/bf533-default.jsonl ({rc}: {err})")
    # every job of the suite ran and was compared: 5 configs x 27 traces, 8 allocators x 5 workloads
    n = len(ET.parse(junit).getroot().findall("testcase")) if os.path.exists(junit) else 0
    check(n == 5 * 27 + 8 * 5, f"the whole suite: 135 run jobs and 40 allocator jobs ({n})")
    if not failures:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    name = sys.argv[1]
    globals()["test_" + name]()
    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        sys.exit(1)
    print("ok")
