#!/usr/bin/env python3
"""Cachegrind equality test: bfsim's I1/D1 miss counts must EQUAL Valgrind Cachegrind's.

For one program: build it, record a Lackey trace and run Cachegrind under identical conditions
(setarch -R to disable address randomisation, the same argv, an empty environment, the same cwd),
then run
  bfsim run --config configs/compat-cachegrind.ini --compat=cachegrind --format lackey --trace T --json
and assert, first, that both saw the same execution (bfsim's instruction and data reference counts
equal Cachegrind's I refs and D refs, reads and writes separately), then that I1 misses and D1 read
and write misses are equal. The oracle is Cachegrind's own summary; nothing is computed by bfsim's
code on the expected side.

usage: cachegrind_oracle.py PROGRAM.c WORKDIR
"""
import json
import os
import re
import subprocess
import sys

BFSIM = os.environ.get("BFSIM", "build/sim/bfsim")
CC = os.environ.get("CC", "cc")


def num(s):
    return int(s.replace(",", ""))


def cachegrind_summary(text):
    def grab(label):
        m = re.search(r"==\d+== " + label + r":\s+([\d,]+)(?:\s+\(\s*([\d,]+) rd\s+\+\s+([\d,]+) wr\))?", text)
        if not m:
            raise SystemExit(f"cachegrind output has no '{label}' line:\n{text}")
        return [num(g) for g in m.groups() if g is not None]
    irefs = grab(r"I\s+refs")[0]
    i1 = grab(r"I1\s+misses")[0]
    d = grab(r"D\s+refs")
    d1 = grab(r"D1\s+misses")
    return {"I refs": irefs, "I1 misses": i1, "D refs": d[0], "D rd": d[1], "D wr": d[2],
            "D1 misses": d1[0], "D1 rd misses": d1[1], "D1 wr misses": d1[2]}


def main():
    src, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    name = os.path.splitext(os.path.basename(src))[0]
    exe = os.path.join(work, name)
    subprocess.run([CC, "-O1", "-g0", "-o", exe, src], check=True)
    env = {}  # identical (empty) environment for both runs
    base = ["setarch", "-R", "valgrind", "--quiet"] if False else ["setarch", os.uname().machine, "-R", "valgrind"]
    lackey = os.path.join(work, name + ".lackey")
    cg = os.path.join(work, name + ".cachegrind")
    subprocess.run(base + ["--tool=lackey", "--trace-mem=yes", "--log-file=" + lackey, exe],
                   check=True, env=env, cwd=work, stdout=subprocess.DEVNULL)
    subprocess.run(base + ["--tool=cachegrind", "--cache-sim=yes", "--I1=16384,4,32", "--D1=16384,2,32",
                           "--LL=1048576,8,64", "--cachegrind-out-file=/dev/null", "--log-file=" + cg, exe],
                   check=True, env=env, cwd=work, stdout=subprocess.DEVNULL)
    with open(cg) as f:
        ref = cachegrind_summary(f.read())
    p = subprocess.run([BFSIM, "run", "--config", "configs/compat-cachegrind.ini", "--compat=cachegrind",
                        "--format", "lackey", "--trace", lackey, "--json", "--no-db"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"bfsim failed ({p.returncode}): {p.stderr}")
    s = json.loads(p.stdout)["stats"]
    got = {"I refs": s["l1.icache.fetches"], "D rd": s["l1.dcache.reads"], "D wr": s["l1.dcache.writes"],
           "I1 misses": s["l1.icache.misses"], "D1 rd misses": s["l1.dcache.read_misses"],
           "D1 wr misses": s["l1.dcache.write_misses"]}
    print(f"{name}: cachegrind {ref}")
    print(f"{name}: bfsim      {got}")
    bad = []
    # 1. the same execution
    for k in ("I refs", "D rd", "D wr"):
        if got[k] != ref[k]:
            bad.append(f"{k}: bfsim {got[k]} != cachegrind {ref[k]} (not the same execution)")
    # 2. the same misses, exactly
    if not bad:
        for k in ("I1 misses", "D1 rd misses", "D1 wr misses"):
            if got[k] != ref[k]:
                bad.append(f"{k}: bfsim {got[k]} != cachegrind {ref[k]}")
    if bad:
        print("\n".join(bad), file=sys.stderr)
        sys.exit(1)
    print(f"{name}: equal")


if __name__ == "__main__":
    main()
