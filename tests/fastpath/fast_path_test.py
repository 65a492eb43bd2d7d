#!/usr/bin/env python3
"""The replay fast path gives bit-identical results to the full path.

`fast_path_test.py SET` runs every trace of workloads/suite (native and Lackey) under the configs
of SET, once with sim.fast_path = 1 (the default) and once with sim.fast_path = 0, and compares the
whole JSON output except the run's own identity (host times, paths, config hash): every
statistic (name, value and JSON type), the phases, the hottest CPLB pages and every config value
other than sim.fast_path, which must read 1 and 0. A statistic that differs, is missing on one
side, or a run that fails is a failure.

SET is `main` (the EZ-KIT write-back config, the compat-cachegrind config with --compat=cachegrind,
and the Linux-policy CPLB machine of tests/e2e, whose CPLB misses invalidate the fast path's memo)
or `all` (every config in configs/ plus the crafted machines of tests/e2e; labelled slow).
"""
import concurrent.futures
import glob
import json
import os
import subprocess
import sys

BFSIM = os.environ.get("BFSIM", "build/sim/bfsim")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
E2E = os.path.join(ROOT, "tests", "e2e")

MAIN = [("configs/ezkit-icache-dcacheAB-wb.ini", []),
        ("configs/compat-cachegrind.ini", ["--compat=cachegrind"]),
        ("tests/e2e/ezkit64-linux.ini", [])]
# variants that take other branches of the fast path: user mode, write-through, count-once
# (BF_REQ_NOALIGNCHK), first-touch windows that cut references (BF_REQ_CONT)
EXTRA = [("configs/ezkit-icache-dcacheAB-wt.ini", []),
         ("configs/ezkit-icache-dcacheAB-wb.ini", ["--set", "core.mode=user"]),
         ("configs/compat-cachegrind.ini", ["--compat=cachegrind", "--misaligned", "count-once"]),
         ("configs/ezkit-icache-dcacheAB-wb.ini", ["--map-window", "65536", "--misaligned", "split"])]


def traces():
    t = sorted(glob.glob(os.path.join(ROOT, "workloads/suite/*.lackey.zst")) +
               glob.glob(os.path.join(ROOT, "workloads/suite/*.bft.zst")))
    return [x for x in t if os.path.getsize(x) > 0]


def run(cfg, extra, trace, fast):
    cmd = [BFSIM, "run", "--config", os.path.join(ROOT, cfg), "--trace", trace, "--json", "--no-db",
           "--on-fault=continue", "--set", "sim.fast_path=%d" % fast] + extra
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode not in (0, 3):
        return None, "exit %d: %s" % (p.returncode, p.stderr.strip()[:300])
    return json.loads(p.stdout), None


def compare(job):
    cfg, extra, trace = job
    what = "%s %s %s" % (os.path.basename(trace), cfg, " ".join(extra))
    a, ea = run(cfg, extra, trace, 1)
    b, eb = run(cfg, extra, trace, 0)
    if ea or eb:
        return [what + ": " + (ea or eb)]
    errs = []
    if a["config"].get("sim.fast_path") in (None, 0, "0", False) or \
            b["config"].get("sim.fast_path") not in (0, "0", False):
        errs.append(what + ": sim.fast_path not as set: %r / %r" %
                    (a["config"].get("sim.fast_path"), b["config"].get("sim.fast_path")))
    sa, sb = a["stats"], b["stats"]
    if not sa or set(sa) != set(sb):
        errs.append(what + ": statistic names differ: %s" % sorted(set(sa) ^ set(sb))[:5])
    for k in sorted(set(sa) & set(sb)):
        if sa[k] != sb[k] or type(sa[k]) is not type(sb[k]):
            errs.append("%s: %s fast %r full %r" % (what, k, sa[k], sb[k]))
    for part in ("phases", "hot_pages"):
        if a.get(part) != b.get(part):
            errs.append("%s: %s differ" % (what, part))
    ca = {k: v for k, v in a["config"].items() if k != "sim.fast_path"}
    cb = {k: v for k, v in b["config"].items() if k != "sim.fast_path"}
    if ca != cb:
        errs.append(what + ": config differs beyond sim.fast_path")
    return errs


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in ("main", "all"):
        print("usage: fast_path_test.py main|all", file=sys.stderr)
        return 2
    if sys.argv[1] == "main":
        sets = MAIN
    else:
        sets = [(os.path.relpath(c, ROOT), []) for c in sorted(glob.glob(os.path.join(ROOT, "configs/*.ini")))
                if not c.endswith("compat-cachegrind.ini")]
        sets += [(os.path.relpath(c, ROOT), []) for c in sorted(glob.glob(os.path.join(E2E, "*.ini")))]
        sets += EXTRA
    jobs = [(c, e, t) for c, e in sets for t in traces()]
    if len(jobs) < 10:
        print("FAIL: too few suite traces found (%d jobs)" % len(jobs))
        return 1
    failures = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
        for errs in ex.map(compare, jobs):
            failures += errs
    for f in failures[:40]:
        print("FAIL:", f)
    print("%d trace x config pairs compared both ways, %d differences" % (len(jobs), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
