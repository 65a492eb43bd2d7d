#!/usr/bin/env python3
"""systemc.dma_trace: the SystemC platform in DMA controller mode and `bfsim run` give the same
timing, the same CPLB outcomes and the same hazards on the same trace and machine.

usage: dma_trace.py BFSIM TEST_SYSTEMC

For each trace (the suite's nine DMA traces, memcpy-sdram-dma, and a
generated one in which two DMA channels and a core that misses all the time compete for the
EBIU), each EBIU_AMGCTL.CDPRIO value and global quanta of 0 and 1000 CCLK, every statistic the
SystemC test prints (core.cycles, core.drain_cycles, every memory-system, CPLB, L1, EBIU, DMA
and hazard counter: 180 of them) must equal bfsim's on tests/systemc/dma-trace.ini, which both
load: the platform is built by the same bf_memsys as `bfsim run`, CPLB stage included. The
expectation is exact equality, not a tolerance: the same models see the same requests in the
same order.
"""
import json
import os
import subprocess
import sys
import tempfile

BFSIM, TSC = sys.argv[1], sys.argv[2]
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CFG = os.path.join(HERE, "dma-trace.ini")


def contention_trace(path):
    # 2 channels x 8 KB SDRAM -> SDRAM, started together, while the core walks 128 KB with a load
    # per line and a store per 4th line (write-backs), then a third transfer at a fixed start
    lines = ["#bfsim-trace 1", "DMA 0 0x00200000 0x00280000 8192", "DMA 3 0x00300000 0x00380000 8192"]
    for i in range(4096):
        a = 0x00100000 + i * 32
        lines.append(f"L 0x{a:08X} 4")
        if i % 4 == 0:
            lines.append(f"S 0x{a + 4:08X} 4")
        if i == 2000:
            lines.append("DMA 5 0x00400000 0x00480000 4096 250000")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def main():
    d = tempfile.mkdtemp(prefix="bfsim-sc-")
    traces = [os.path.join(ROOT, "workloads/suite", t) for t in
              ("dmaio-rx.bft.zst", "dmaio-rx-noinv.bft.zst", "dmaio-rx-dirty.bft.zst",
               "dmaio-rx-uncached.bft.zst", "dmaio-tx.bft.zst", "dmaio-tx-noflush.bft.zst",
               "dmaio-tx-uncached.bft.zst", "dmaio-overlay.bft.zst", "dmaio-overlay-noiflush.bft.zst",
               "memcpy-sdram-dma.bft.zst")]
    traces.append(contention_trace(os.path.join(d, "contention.bft")))
    env = dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1")
    bad = 0
    for t in traces:
        for amg in ("0x0009", "0x0109"):
            c = subprocess.run([BFSIM, "run", "--config", CFG, "--set", f"ebiu.amgctl={amg}", "--trace", t,
                                "--json", "--no-db", "--on-hazard=ignore"], capture_output=True, text=True)
            if c.returncode != 0:
                print(f"FAIL bfsim on {t}: {c.stderr}")
                bad += 1
                continue
            cs = json.loads(c.stdout)["stats"]
            for q in ("0", "1000"):
                p = subprocess.run([TSC, "trace", t, q, amg, CFG], capture_output=True, text=True, env=env)
                sc = dict(l.split() for l in p.stdout.splitlines() if len(l.split()) == 2)
                diff = {k: (int(v), cs.get(k)) for k, v in sc.items() if cs.get(k) != int(v)}
                ok = p.returncode == 0 and len(sc) >= 175 and not diff
                print(f"{'ok  ' if ok else 'FAIL'} {os.path.basename(t)} CDPRIO={amg} quantum={q}: "
                      f"{len(sc)} stats, core.cycles {sc.get('core.cycles')}, dma.hazards {sc.get('dma.hazards')}"
                      + ("" if ok else f", rc {p.returncode}, differences {diff} {p.stderr[-300:]}"))
                bad += not ok
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
