#!/usr/bin/env python3
"""End-to-end timing and CPLB tests through the bfsim command line (issues 4 and 5).

`e2e_test.py NAME` runs test_NAME (CTest registers each as e2e.NAME). Every expected number is
worked by hand in the comments from the closed formulas of docs/models/sdram.md, the L1 rules of
docs/models/l1.md and the replay rules of docs/architecture.md; none is read back from bfsim.

How a crafted trace turns into core.cycles (read from sim/bf_replay.c, models/l1/bf_l1.c,
models/sdram/bf_sdram.c and the docs):
  * The traces have no ifetch records, so each data record is one instruction issued at the
    current core time t (rq.now = t, not attached to an ifetch) and adds l1.hit_cycles = 1 busy
    cycle; core time becomes the access's resp.ready.
  * L1 (uncached load, or a cache miss): the external request is sent at now = t; the core waits
    until the EBIU's `ready` (l1.stall.uncached / l1.stall.fill) and then L1 adds its issue cost:
    ready = EBIU ready + hit_cycles (1). So a load costs EBIU latency + 1 CCLK.
  * An uncached store enters the write buffer (ready = t + 1, no stall). Its drain is issued
    lazily, at the time it was queued, just before the next external request (or at SSYNC / end of
    run); one drain is outstanding at a time, the next starts when the previous is done.
  * SSYNC waits until both buffers are drained (l1.stall.ssync_drain), then costs l1.ssync_cycles
    = 10 (busy). G n adds n busy cycles.
  * EBIU (docs/models/sdram.md section 3): a request at core time `now` is seen at its arrival
    edge a (first SCLK edge at CCLK >= now); commands start at s = max(a + O, bus_free), O = 4;
    hit c = s, miss c = s + tRCD, conflict c = p + tRP + tRCD with p = max(s, ACT + tRAS, write end
    + tWR); read data [c + CL, c + CL + beats), write data [c, c + beats); the answer is the CCLK of
    the last data edge (fills: ready after fill_critical_bytes/2 = 2 beats, done after 16).
    An SDRAM write right after an SDRAM read starts no earlier than bus_free + 1
    (rw_turn_sclk = 1, SDGCTL.FBBRW = 0 on both boards).
  * EZ-KIT: edge n = CCLK 5n. Board B (400 MHz / 133 333 333 Hz): edge 0 = CCLK 0, edge n >= 1 =
    CCLK 3n + 1, so a request at CCLK t > 0 arrives at edge ceil((t - 1) / 3).
"""
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile

BFSIM = os.environ.get("BFSIM", "build/sim/bfsim")
HERE = os.path.dirname(os.path.abspath(__file__))
EZ = os.path.join(HERE, "ezkit-uncached.ini")
BB = os.path.join(HERE, "boardb-uncached.ini")
DC = os.path.join(HERE, "ezkit-dcache.ini")
LX = os.path.join(HERE, "ezkit64-linux.ini")
EZKIT_CONFIGS = ["configs/ezkit-nocache.ini", "configs/ezkit-icache.ini",
                 "configs/ezkit-icache-dcacheA-wb.ini", "configs/ezkit-icache-dcacheAB-wb.ini",
                 "configs/ezkit-icache-dcacheAB-wt.ini"]
L1_STALLS = ["l1.stall.fill", "l1.stall.fill_busy", "l1.stall.wbuf_full", "l1.stall.victim_full",
             "l1.stall.uncached", "l1.stall.ssync_drain"]

failures = []
_tmp = tempfile.mkdtemp(prefix="bfsim-e2e-")
_n = [0]


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def trace(body):
    """Write a native text trace (records one per line) and return its path."""
    _n[0] += 1
    p = os.path.join(_tmp, f"t{_n[0]}.bft")
    with open(p, "w") as f:
        f.write("#bfsim-trace 1\n" + "\n".join(x.strip() for x in body.strip().splitlines()) + "\n")
    return p


def bfsim(*args):
    p = subprocess.run([BFSIM, *args], capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def run(config, body, *sets, extra=(), expect_rc=0, what=""):
    """Run one trace; returns (stats dict or None, rc, stderr)."""
    args = ["run", "--config", config, "--trace", trace(body), "--json", "--no-db", *extra]
    for s in sets:
        args += ["--set", s]
    rc, out, err = bfsim(*args)
    check("runtime error" not in err and "Sanitizer" not in err,
          f"{what}: no sanitizer report ({err.strip()[:300]})")
    check(rc == expect_rc, f"{what}: exit {expect_rc} expected, got {rc} ({err.strip()[:300]})")
    try:
        return json.loads(out)["stats"], rc, err
    except (ValueError, KeyError):
        return None, rc, err


def expect(stats, what, **want):
    """want: stat name with '.' written as '__' -> expected value."""
    if stats is None:
        check(False, f"{what}: no JSON statistics")
        return
    for k, v in want.items():
        name = k.replace("__", ".")
        got = stats.get(name)
        check(got == v, f"{what}: {name} = {v} expected, got {got}")


# ------------------------------------------------------------------------------------------------
# 1. SDRAM timing, EZ-KIT (O 4, CL 3, tRCD 3, tRP 3, tRAS 6, tWR 2; 1 KB rows, bank = A[24:23])

def test_sdram_ezkit():
    # One 32-bit read to an idle bank at CCLK 0: edge 0; ACT at 4, READ at 7, data [10, 12):
    # O + tRCD + CL + 2 = 12 SCLK = 60 CCLK, + 1 L1 issue cycle = 61.
    s, _, _ = run(EZ, "L 0x00001000 4", what="ezkit read miss")
    expect(s, "ezkit read miss", core__cycles=61, core__busy_cycles=1, core__stall__total=60,
           l1__stall__uncached=60, l1__uncached__reads=1, sdram__reads__core=1,
           sdram__row_misses=1, sdram__row_hits=0, sdram__row_conflicts=0)
    # 16-bit read miss: O + tRCD + CL + 1 = 11 SCLK = 55 CCLK, + 1 = 56.
    s, _, _ = run(EZ, "L 0x00001000 2", what="ezkit 16-bit read miss")
    expect(s, "ezkit 16-bit read miss", core__cycles=56, sdram__row_misses=1)
    # Second read, same row (0x1004 is in 1 KB row 4 of bank 0): issued at CCLK 61, arrival edge
    # ceil(61/5) = 13 (CCLK 65); hit: O + CL + 2 = 9 SCLK -> edge 22 = CCLK 110, + 1 = 111.
    hit, _, _ = run(EZ, "L 0x00001000 4\nL 0x00001004 4", what="ezkit row hit")
    expect(hit, "ezkit row hit", core__cycles=111, sdram__row_misses=1, sdram__row_hits=1,
           sdram__row_conflicts=0, l1__stall__uncached=60 + 49)
    # Another row of the same bank (0x1400: row 5, bank 0), same issue time: conflict; the first
    # row's ACT was at 4 so tRAS (10) is long past: PRE at 17, ACT 20, READ 23, data [26, 28):
    # O + tRP + tRCD + CL + 2 = 15 SCLK -> CCLK 140, + 1 = 141.
    conf, _, _ = run(EZ, "L 0x00001000 4\nL 0x00001400 4", what="ezkit row conflict")
    expect(conf, "ezkit row conflict", core__cycles=141, sdram__row_misses=1, sdram__row_hits=0,
           sdram__row_conflicts=1)
    # An idle bank (0x00801000: A[24:23] = 1): miss, O + tRCD + CL + 2 = 12 SCLK from edge 13:
    # edge 25 = CCLK 125, + 1 = 126.
    miss, _, _ = run(EZ, "L 0x00001000 4\nL 0x00801000 4", what="ezkit second miss")
    expect(miss, "ezkit second miss", core__cycles=126, sdram__row_misses=2, sdram__row_hits=0,
           sdram__row_conflicts=0, sdram__bank1__row_misses=1)
    if hit and conf and miss:
        # miss - hit = tRCD = 3 SCLK = 15 CCLK; conflict - hit = tRP + tRCD = 6 SCLK = 30 CCLK
        check(miss["core.cycles"] - hit["core.cycles"] == 15, "ezkit miss - hit = 15 CCLK")
        check(conf["core.cycles"] - hit["core.cycles"] == 30, "ezkit conflict - hit = 30 CCLK")


def test_sdram_ezkit_write():
    # A store alone, then SSYNC: the store queues at 0 (ready 1); SSYNC at 1 issues its drain at
    # 0: write miss O + tRCD + 2 = 9 SCLK -> CCLK 45; SSYNC waits 44 then costs 10: 55.
    s, _, _ = run(EZ, "S 0x00001000 4\nSSYNC", what="ezkit write drain")
    expect(s, "ezkit write drain", core__cycles=55, core__busy_cycles=11, l1__stall__ssync_drain=44,
           sdram__writes__wbuf=1, sdram__row_misses=1)
    # tWR: a store to row 4 of bank 0, then a load of row 5 of bank 0 at CCLK 1. The store's
    # drain goes first (queued at 0): ACT 4, WRITE 7, data [7, 9), so PRECHARGE is allowed at
    # max(ACT + tRAS = 10, 9 + tWR = 11) = 11. The load arrives at edge 1, s = max(1 + 4, 9) = 9;
    # PRE waits for tRAS to 10 (1 SCLK) and for tWR to 11 (1 SCLK more); ACT 14, READ 17,
    # data [20, 22) -> CCLK 110, + 1 = 111.
    s, _, _ = run(EZ, "S 0x00001000 4\nL 0x00001400 4", what="ezkit tWR")
    expect(s, "ezkit tWR", core__cycles=111, sdram__row_misses=1, sdram__row_conflicts=1,
           sdram__twr_wait_sclk=1, sdram__tras_wait_sclk=1, sdram__writes__wbuf=1,
           sdram__reads__core=1, l1__stall__uncached=109)
    # The same with tWR = 3 (SDGCTL bits 20:19 = 11: 0x0099998D): PRE at max(10, 9 + 3) = 12,
    # ACT 15, READ 18, data [21, 23) -> CCLK 115, + 1 = 116: one SCLK (5 CCLK) per tWR step.
    s, _, _ = run(EZ, "S 0x00001000 4\nL 0x00001400 4", "ebiu.sdgctl=0x0099998D", what="ezkit tWR3")
    expect(s, "ezkit tWR3", core__cycles=116, sdram__twr_wait_sclk=2, sdram__tras_wait_sclk=1)


def test_sdram_ezkit_refresh():
    # Refresh 1 is due at SCLK RDIV = 919 (CCLK 4595): the counter times out every RDIV SCLK, the
    # (tRAS + tRP) of the RDIV equation is only a margin; R_busy = tRP + tRAS + tRP = 12.
    # First read: ready at 61 (row 4 of bank 0 open). G 4514 brings t to 4575 = edge 915, so the
    # second read would start its commands at 915 + 4 = 919, exactly when the refresh falls due:
    # the refresh goes first (PRE-all at 919, bus busy to 931, all rows closed), then the read
    # is a miss: ACT 931, READ 934, data [937, 939) -> CCLK 4695, + 1 = 4696. Latency from the
    # arrival edge: O + R_busy + tRCD + CL + 2 = 24 SCLK = 120 CCLK.
    col, _, _ = run(EZ, "L 0x00001000 4\nG 4514\nL 0x00001004 4", what="ezkit refresh collision")
    expect(col, "ezkit refresh collision", core__cycles=4696, sdram__refreshes=1,
           sdram__refresh_collisions=1, sdram__refresh_wait_sclk=12, sdram__row_misses=2,
           sdram__row_hits=0)
    # One edge earlier (G 4509: t = 4570 = edge 914) the read starts at 918 < 919: it is served
    # first as a row hit, 9 SCLK -> edge 923 = CCLK 4615, + 1 = 4616; the refresh waits for it
    # (counted at the end of the run).
    base, _, _ = run(EZ, "L 0x00001000 4\nG 4509\nL 0x00001004 4", what="ezkit refresh baseline")
    expect(base, "ezkit refresh baseline", core__cycles=4616, sdram__refreshes=1,
           sdram__refresh_collisions=0, sdram__row_hits=1)
    if col and base:
        # refresh cost vs a hit: (4696 - 4575) - (4616 - 4570) = 121 - 46 = 75 CCLK
        # = (R_busy + tRCD) x 5 = 15 SCLK
        check((col["core.cycles"] - 4575) - (base["core.cycles"] - 4570) == 75,
              "ezkit refresh cost = R_busy + tRCD = 15 SCLK = 75 CCLK")
    # A long idle gap: G 100000 -> t 100061 = arrival edge 20013 (CCLK 100065), s = 20017. The
    # refreshes due at 919 x k for k = 1..21 (19299 <= 20017 < 20218) all run before it; the
    # first closes row 4, so the read is a miss: ACT 20017, READ 20020, data [20023, 20025) ->
    # CCLK 100125, + 1 = 100126. The run ends before refresh 22 (20218): sdram.refreshes = 21
    # (10 with the old 4K-row RDIV + tRAS + tRP period of 1856).
    s, _, _ = run(EZ, "L 0x00001000 4\nG 100000\nL 0x00001004 4", what="ezkit idle refreshes")
    expect(s, "ezkit idle refreshes", core__cycles=100126, sdram__refreshes=21,
           sdram__refresh_collisions=0, sdram__row_misses=2, sdram__row_hits=0)
    # ebiu.refresh_sclk = 20: R_busy = tRP + 20 = 23, latency 4 + 23 + 3 + 3 + 2 = 35 SCLK from
    # edge 915: edge 950 = CCLK 4750, + 1 = 4751.
    s, _, _ = run(EZ, "L 0x00001000 4\nG 4514\nL 0x00001004 4", "ebiu.refresh_sclk=20",
                  what="ezkit refresh_sclk=20")
    expect(s, "ezkit refresh_sclk=20", core__cycles=4751, sdram__refresh_wait_sclk=23)


def test_ufetch_block():
    # Uncached instruction fetches read aligned 64-bit blocks. EZ machine (no
    # I-cache): I 0x1000 2 reads block 0x1000 (8 bytes = 4 beats) from an idle bank: ACT 4,
    # READ 7, data [10, 14) -> CCLK 70, + 1 = 71. I 0x1002/0x1004/0x1006 are in that block: no
    # external read, 1 cycle each -> 74. I 0x1008 4 at 74 (arrival edge 15) reads block 0x1008,
    # a row hit: O + CL + 4 = 11 SCLK -> edge 26 = CCLK 130, + 1 = 131. Two SDRAM reads, not 5.
    s, _, _ = run(EZ, "I 0x1000 2\nI 0x1002 2\nI 0x1004 2\nI 0x1006 2\nI 0x1008 4",
                  what="uncached fetch blocks")
    expect(s, "uncached fetch blocks", core__cycles=131, sdram__reads__core=2,
           l1__uncached__fetches=5, l1__uncached__fetch_blocks=2, l1__uncached__fetch_reused=3,
           l1__stall__uncached=126, sdram__row_misses=1, sdram__row_hits=1)


def test_async_bank():
    # Async bank 0 (0x20000000), AMBCTL0[15:0] = 0x7BB0: TT code 0 = 4, ST 3, HT 2, RAT 11, WAT 7;
    # 16-bit bus. A 32-bit read at 0: 2 beats x (3 + 11 + 2) + O = 36 SCLK -> CCLK 180, + 1 = 181.
    # A 16-bit store at 181 (t 182), SSYNC at 182 drains it at 181: edge 37, s = max(37 + 4,
    # 36 + TT 4) = 41, one beat of 3 + 7 + 2 = 12 -> 53 = CCLK 265; SSYNC stalls 83, + 10: 275.
    s, _, _ = run(EZ, "L 0x20000000 4\nS 0x20000000 2\nSSYNC", what="async bank 0")
    expect(s, "async bank 0", core__cycles=275, l1__stall__uncached=180,
           l1__stall__ssync_drain=83, sdram__async__bank0__reads=1, sdram__async__bank0__writes=1,
           sdram__row_hits=0, sdram__row_misses=0)


def test_mmr_bootrom():
    # System MMR read (PAB, no core-to-EBIU overhead): mmr_read_sclk 3 -> CCLK 15, + 1 = 16.
    s, _, _ = run(EZ, "L 0xffc00000 4", what="system MMR read")
    expect(s, "system MMR read", core__cycles=16, l1__stall__uncached=15, sdram__mmr__reads=1)
    # Two reads: the second at 16 arrives at edge 4 (CCLK 20), PAB free at 3: done 7 -> CCLK 35,
    # + 1 = 36.
    s, _, _ = run(EZ, "L 0xffc00000 4\nL 0xffc00004 4", what="two system MMR reads")
    expect(s, "two system MMR reads", core__cycles=36, sdram__mmr__reads=2)
    # A system MMR store is posted through the write buffer; SSYNC at 1 drains it: issued at 0,
    # the PAB is busy mmr_write_sclk 2 -> CCLK 10: SSYNC stalls 9, + 10: 20.
    s, _, _ = run(EZ, "S 0xffc00000 4\nSSYNC", what="system MMR write")
    expect(s, "system MMR write", core__cycles=20, l1__stall__ssync_drain=9, sdram__mmr__writes=1)
    # Boot ROM 32-bit read: O + 1 word x bootrom_word_sclk 1 = 5 SCLK -> CCLK 25, + 1 = 26.
    s, _, _ = run(EZ, "L 0xef000000 4", what="boot ROM read")
    expect(s, "boot ROM read", core__cycles=26, sdram__bootrom__reads=1)


# ------------------------------------------------------------------------------------------------
# 1b. SDRAM timing, board B (O 4, CL 2, tRCD 2, tRP 2, tRAS 5, tWR 2; 4 KB rows, bank = A[26:25])

def test_sdram_boardb():
    # 32-bit read miss at CCLK 0: edge 0; ACT 4, READ 6, data [8, 10): 10 SCLK; edge 10 is CCLK
    # 3 x 10 + 1 = 31, + 1 = 32.
    s, _, _ = run(BB, "L 0x00001000 4", what="board B read miss")
    expect(s, "board B read miss", core__cycles=32, l1__stall__uncached=31, sdram__row_misses=1)
    # 16-bit: data [8, 9): edge 9 = CCLK 28, + 1 = 29.
    s, _, _ = run(BB, "L 0x00001000 2", what="board B 16-bit read miss")
    expect(s, "board B 16-bit read miss", core__cycles=29)
    # Second read issued at 32: arrival edge ceil(31/3) = 11 (CCLK 34), s = 15.
    #  hit (0x1004, row 1):   data [17, 19) -> edge 19 = CCLK 58, + 1 = 59
    #  conflict (0x2000, row 2 of bank 0; tRAS ended at 4 + 5 = 9): PRE 15, ACT 17, READ 19,
    #                         data [21, 23) -> CCLK 70, + 1 = 71
    #  miss (0x02000000, bank 1): ACT 15, READ 17, data [19, 21) -> CCLK 64, + 1 = 65
    hit, _, _ = run(BB, "L 0x00001000 4\nL 0x00001004 4", what="board B hit")
    expect(hit, "board B hit", core__cycles=59, sdram__row_hits=1, sdram__row_misses=1)
    conf, _, _ = run(BB, "L 0x00001000 4\nL 0x00002000 4", what="board B conflict")
    expect(conf, "board B conflict", core__cycles=71, sdram__row_conflicts=1, sdram__row_misses=1,
           sdram__row_hits=0)
    miss, _, _ = run(BB, "L 0x00001000 4\nL 0x02000000 4", what="board B miss")
    expect(miss, "board B miss", core__cycles=65, sdram__row_misses=2, sdram__bank1__row_misses=1)
    if hit and conf and miss:
        # miss - hit = tRCD = 2 SCLK = 6 CCLK; conflict - hit = tRP + tRCD = 4 SCLK = 12 CCLK
        check(miss["core.cycles"] - hit["core.cycles"] == 6, "board B miss - hit = 6 CCLK")
        check(conf["core.cycles"] - hit["core.cycles"] == 12, "board B conflict - hit = 12 CCLK")
    # tWR: store to 0x1000 drained at 0: ACT 4, WRITE 6, data [6, 8); PRE allowed at
    # max(4 + tRAS = 9, 8 + tWR = 10) = 10. Load of 0x2000 at CCLK 1: edge 1, s = max(5, 8) = 8;
    # PRE waits to 9 (tRAS) and 10 (tWR), ACT 12, READ 14, data [16, 18) -> edge 18 = CCLK 55,
    # + 1 = 56.
    s, _, _ = run(BB, "S 0x00001000 4\nL 0x00002000 4", what="board B tWR")
    expect(s, "board B tWR", core__cycles=56, sdram__twr_wait_sclk=1, sdram__tras_wait_sclk=1,
           sdram__row_conflicts=1)


def test_sdram_boardb_refresh():
    # Refresh 1 due at SCLK RDIV = 1034 (0x040A); R_busy = tRP + tRAS + tRP = 9.
    # First read ready at 32. G 3059 -> t = 3091 = edge 1030 (3 x 1030 + 1); s = 1034 = due:
    # refresh to 1043, then a miss: ACT 1043, READ 1045, data [1047, 1049) -> CCLK 3148, + 1 =
    # 3149. Latency O + R_busy + tRCD + CL + 2 = 19 SCLK = 57 CCLK from the arrival edge.
    col, _, _ = run(BB, "L 0x00001000 4\nG 3059\nL 0x00001004 4", what="board B refresh collision")
    expect(col, "board B refresh collision", core__cycles=3149, sdram__refreshes=1,
           sdram__refresh_collisions=1, sdram__refresh_wait_sclk=9, sdram__row_misses=2)
    # One edge earlier (G 3056: t = 3088 = edge 1029): s = 1033, served first as a hit,
    # data [1035, 1037) -> CCLK 3112, + 1 = 3113 (8 SCLK = 24 CCLK).
    base, _, _ = run(BB, "L 0x00001000 4\nG 3056\nL 0x00001004 4", what="board B refresh baseline")
    expect(base, "board B refresh baseline", core__cycles=3113, sdram__refresh_collisions=0,
           sdram__row_hits=1, sdram__refreshes=1)
    if col and base:
        # refresh cost vs a hit: (3149 - 3091) - (3113 - 3088) = 58 - 25 = 33 CCLK = 11 SCLK
        check((col["core.cycles"] - 3091) - (base["core.cycles"] - 3088) == 33,
              "board B refresh cost = R_busy + tRCD = 11 SCLK = 33 CCLK")


# ------------------------------------------------------------------------------------------------
# 1c. Line fills and write-backs on the D-cache machine (tests/e2e/ezkit-dcache.ini)

def test_sdram_fill():
    # Load miss at 0x1008 (64-bit word 1 of line 0x1000) at CCLK 0: fill of row 4, bank 0 idle:
    # ACT 4, READ 7, data [10, 26); critical word (2 beats) at 12 -> ready CCLK 60, done CCLK 130.
    # Core: ready 60 + 1 = 61 (l1.stall.fill 60).
    s, _, _ = run(DC, "L 0x00001008 4", what="fill")
    expect(s, "fill", core__cycles=61, l1__stall__fill=60, l1__dcache__fills=1,
           sdram__reads__fill=1, sdram__row_misses=1, l1__uncached__reads=0)
    # Without critical word first the core waits for the whole line: 130 + 1 = 131.
    s, _, _ = run(DC, "L 0x00001008 4", "l1.critical_word_first=0", what="fill no cwf")
    expect(s, "fill no cwf", core__cycles=131, l1__stall__fill=130)
    # Next access to word 2 of the line in flight at 61: word k = 1 after the critical one arrives
    # at ready + (done - ready) x 1/3 = 60 + 70/3 = 83 (integer); 83 + 1 = 84.
    s, _, _ = run(DC, "L 0x00001008 4\nL 0x00001010 4", what="fill word 2")
    expect(s, "fill word 2", core__cycles=84, l1__stall__fill=60 + 22, l1__dcache__fills=1)
    # Word 0 is the last of the wrap (k = 3): it arrives at done = 130; 130 + 1 = 131.
    s, _, _ = run(DC, "L 0x00001008 4\nL 0x00001000 4", what="fill word 0")
    expect(s, "fill word 0", core__cycles=131, l1__stall__fill=60 + 69)
    # Another line (0x1040, same SDRAM row) at 61: waits for the fill buffer until 130
    # (fill_busy 69), then its own fill at edge 26: s = 30, row hit: READ 30, data [33, 49),
    # critical word at 35 -> CCLK 175 (fill hit ready = O + CL + 2 = 9 SCLK), + 1 = 176.
    s, _, _ = run(DC, "L 0x00001008 4\nL 0x00001040 4", what="fill behind fill")
    expect(s, "fill behind fill", core__cycles=176, l1__stall__fill_busy=69,
           l1__stall__fill=60 + 45, l1__dcache__fills=2, sdram__row_misses=1, sdram__row_hits=1)


def test_sdram_writeback():
    # Dirty line write-back in isolation: S 0x1000 allocates (fill ready 60, done 130; ready 61)
    # and dirties the line; G 100 -> 161; FLUSH puts the line into the victim buffer at 161
    # (cacheop 1 -> 162); SSYNC at 162 issues the write-back at 161: edge 33 (CCLK 165), row 4
    # still open: s = 37, data [37, 53) = O + 16 = 20 SCLK -> CCLK 265; SSYNC stalls 103, + 10.
    # Total 275.
    s, _, _ = run(DC, "S 0x00001000 4\nG 100\nFLUSH 0x00001000\nSSYNC", what="write-back hit")
    expect(s, "write-back hit", core__cycles=275, l1__stall__ssync_drain=103,
           sdram__writes__victim=1, sdram__writes__wbuf=0, l1__dcache__writebacks=1,
           sdram__row_misses=1, sdram__row_hits=1)
    # The same after a fill of another row of bank 0 (0x1400, other cache set): at 61 it waits
    # for the fill buffer to 130 (fill_busy 69), then fills at edge 26 as a conflict (PRE 30,
    # ACT 33, READ 36, data [39, 55), critical word at 41 -> CCLK 205; ready 206). G 200 -> 406,
    # FLUSH -> 407, SSYNC at 407 issues the write-back at 406: edge 82, s = 86, conflict with
    # row 5 (tRAS ended at 39): PRE 86, ACT 89, WRITE 92, data [92, 108) -> CCLK 540:
    # O + tRP + tRCD + 16 = 26 SCLK. SSYNC stalls 133, + 10: 550.
    s, _, _ = run(DC, "S 0x00001000 4\nL 0x00001400 4\nG 200\nFLUSH 0x00001000\nSSYNC",
                  what="write-back conflict")
    expect(s, "write-back conflict", core__cycles=550, l1__stall__ssync_drain=133,
           l1__stall__fill_busy=69, sdram__row_conflicts=2, sdram__writes__victim=1)
    # Eviction: three lines of one cache set (0x1000, 0x00801000, 0x01001000: same A[13:5], SDRAM
    # banks 0, 1, 2). S 0x1000: ready 61. L 0x00801000 at 61: fill busy to 130, fill at edge 26:
    # bank 1 miss, s 30, ACT 30, READ 33, data [36, 52) -> ready 190, done 260; ready 191.
    # L 0x01001000 at 191: LRU victim = the dirty 0x1000; fill busy to 260 (69); victim queued at
    # 260; the fill goes first (reads before write-backs): edge 52, s 56, bank 2 miss, data
    # [62, 78) -> ready 320; core ready 321. SSYNC at 321 issues the write-back at 260: edge 52,
    # after a read so s = max(56, 78 + 1) = 79, row hit, data [79, 95) -> CCLK 475;
    # SSYNC stalls 154, + 10: 485.
    s, _, _ = run(DC, "S 0x00001000 4\nL 0x00801000 4\nL 0x01001000 4\nSSYNC", what="eviction")
    expect(s, "eviction", core__cycles=485, l1__stall__fill=180, l1__stall__fill_busy=138,
           l1__stall__ssync_drain=154, sdram__writes__victim=1, sdram__reads__fill=3,
           sdram__rw_turn_sclk=1, l1__dcache__writebacks=1, l1__dcache__evictions=1)
    # Write-back then a conflicting read (tWR): S 0x1000 (ready 61, row 4 of bank 0 open, fill
    # data ended at 26), G 100 -> 161, FLUSH -> victim queued at 161, t 162; an uncached load of
    # 0x00400000 (row 4096 of bank 0) at 162 first issues the write-back at 161: edge 33, s 37,
    # row hit, data [37, 53) (O + 16 = 20 SCLK); PRECHARGE allowed at 53 + tWR = 55. The load
    # (edge 33) starts at 53, waits tWR to 55 (2 SCLK = 10 CCLK), ACT 58, READ 61, data [64, 66)
    # -> CCLK 330, + 1 = 331. From the arrival edge: 20 + tWR + tRP + tRCD + CL + 2 = 33 SCLK.
    s, _, _ = run(DC, "S 0x00001000 4\nG 100\nFLUSH 0x00001000\nL 0x00400000 4",
                  what="write-back then read")
    expect(s, "write-back then read", core__cycles=331, sdram__twr_wait_sclk=2,
           sdram__tras_wait_sclk=0, sdram__row_conflicts=1, sdram__writes__victim=1,
           l1__stall__uncached=168, l1__uncached__reads=1)


def test_ssync_fill():
    # SSYNC completes only when every outstanding system access has, fills
    # included. PREFETCH 0x1000 at 0 (1 cycle) starts the fill of row 4, bank 0 (idle): ACT 4,
    # READ 7, data [10, 26) -> done CCLK 130. SSYNC at 1 waits to 130 (l1.stall.ssync_drain 129),
    # then 10: core.cycles 140 (was 11).
    s, _, _ = run(DC, "PREFETCH 0x00001000\nSSYNC", what="prefetch then ssync")
    expect(s, "prefetch then ssync", core__cycles=140, l1__stall__ssync_drain=129,
           l1__dcache__prefetch_fills=1)
    check_breakdown(s, "prefetch then ssync")
    # A load miss at 0x1008: ready at its critical word, CCLK 60 (core 61); SSYNC at 61 waits
    # for the rest of the fill to 130 (stall 69), then 10: 140 (was 71).
    s, _, _ = run(DC, "L 0x00001008 4\nSSYNC", what="miss then ssync")
    expect(s, "miss then ssync", core__cycles=140, l1__stall__fill=60, l1__stall__ssync_drain=69)
    check_breakdown(s, "miss then ssync")


# Board B on the D-cache machine: the same DCPLBs, board B clocks and EBIU registers.
BB_DC = ("clock.cclk=400000000", "clock.sclk=133333333", "ebiu.sdgctl=0x00911149",
         "ebiu.sdbctl=0x0037", "ebiu.sdrrc=0x040A")


def test_sdram_boardb_fill():
    # Fill of line 0x1000 (word 1 critical) at 0: ACT 4, READ 6, data [8, 24), critical word at
    # 10 -> ready CCLK 31 (3 x 10 + 1), done CCLK 73 (3 x 24 + 1); core ready 32.
    s, _, _ = run(DC, "L 0x00001008 4", *BB_DC, what="board B fill")
    expect(s, "board B fill", core__cycles=32, l1__stall__fill=31, sdram__row_misses=1)
    # Word 2 (k = 1) at 32: 31 + (73 - 31) / 3 = 45; + 1 = 46.
    s, _, _ = run(DC, "L 0x00001008 4\nL 0x00001010 4", *BB_DC, what="board B fill word 2")
    expect(s, "board B fill word 2", core__cycles=46, l1__stall__fill=31 + 13)
    # Another line of the same row at 32: fill busy until 73 (41), own fill at edge 24 (CCLK 73),
    # row hit: READ 28, data [30, 46), critical word at 32 -> CCLK 97 (8 SCLK = 24 CCLK); 98.
    s, _, _ = run(DC, "L 0x00001008 4\nL 0x00001040 4", *BB_DC, what="board B fill behind fill")
    expect(s, "board B fill behind fill", core__cycles=98, l1__stall__fill_busy=41,
           l1__stall__fill=31 + 24, sdram__row_hits=1)
    # Dirty write-back, row hit: S 0x1000 (ready 32, fill data ended at 24), G 100 -> 132,
    # FLUSH -> 133; SSYNC issues it at 132: edge 44 (CCLK 133), s 48, data [48, 64) -> CCLK 193
    # (O + 16 = 20 SCLK = 60 CCLK); SSYNC stalls 60, + 10: 203.
    s, _, _ = run(DC, "S 0x00001000 4\nG 100\nFLUSH 0x00001000\nSSYNC", *BB_DC,
                  what="board B write-back hit")
    expect(s, "board B write-back hit", core__cycles=203, l1__stall__ssync_drain=60,
           sdram__writes__victim=1, sdram__row_hits=1)
    # Dirty write-back, row conflict: after S 0x1000, L 0x2000 (row 2 of bank 0, another cache
    # set) waits for the fill buffer to 73 (41) and fills at edge 24 as a conflict (PRE 28,
    # ACT 30, READ 32, data [34, 50), critical word at 36 -> CCLK 109; ready 110); G 200 -> 310;
    # FLUSH -> 311; SSYNC issues the write-back at 310 (edge 103): s 107, PRE 107, ACT 109,
    # WRITE 111, data [111, 127) -> CCLK 382 (O + tRP + tRCD + 16 = 24 SCLK); stall 71, + 10: 392.
    s, _, _ = run(DC, "S 0x00001000 4\nL 0x00002000 4\nG 200\nFLUSH 0x00001000\nSSYNC", *BB_DC,
                  what="board B write-back conflict")
    expect(s, "board B write-back conflict", core__cycles=392, l1__stall__ssync_drain=71,
           sdram__row_conflicts=2, sdram__writes__victim=1)
    # Write-back then a conflicting read: as on the EZ-KIT; the write-back issued at 132 (edge 44)
    # occupies [48, 64), PRECHARGE allowed at 66; the load of 0x00400000 (row 1024 of bank 0) at
    # 133 (edge 44) starts at 64, waits tWR to 66, ACT 68, READ 70, data [72, 74) -> CCLK 223,
    # + 1 = 224 (20 + 2 + 2 + 2 + 2 + 2 = 30 SCLK from the arrival edge).
    s, _, _ = run(DC, "S 0x00001000 4\nG 100\nFLUSH 0x00001000\nL 0x00400000 4", *BB_DC,
                  what="board B write-back then read")
    expect(s, "board B write-back then read", core__cycles=224, sdram__twr_wait_sclk=2,
           sdram__row_conflicts=1)


# ------------------------------------------------------------------------------------------------
# 2. Stall breakdown

def mixed_trace(seed):
    """Loads, stores, fetches with attached data, SSYNC/CSYNC, cache ops, store bursts (write-
    buffer pressure), L1 SRAM and core MMR reads: all inside what mem=32M maps (data < 31 MB,
    fetches < 31 MB), aligned, so no record faults."""
    r = random.Random(seed)
    out = []
    hot = [0x00010000 + 32 * i for i in range(64)]
    for i in range(2500):
        k = r.random()
        if k < 0.25:
            out.append(f"I 0x{0x00100000 + 4 * r.randrange(4096):08x} 4")
            if r.random() < 0.5:
                out.append(f"L 0x{r.choice(hot) + 4 * r.randrange(8):08x} 4")
        elif k < 0.45:
            out.append(f"L 0x{4 * r.randrange(0x01F00000 // 4):08x} 4")
        elif k < 0.55:
            out.append(f"S 0x{4 * r.randrange(0x01F00000 // 4):08x} 4")
        elif k < 0.60:
            base = 0x00200000 + 32 * r.randrange(1000)
            out += [f"S 0x{base + 4 * j:08x} 4" for j in range(8)]
        elif k < 0.70:
            out.append(f"L 0x{r.choice(hot):08x} 2")
        elif k < 0.72:
            out.append("SSYNC")
        elif k < 0.73:
            out.append("CSYNC")
        elif k < 0.75:
            out.append(f"FLUSH 0x{r.choice(hot):08x}")
        elif k < 0.76:
            out.append(f"PREFETCH 0x{0x00300000 + 32 * r.randrange(512):08x}")
        elif k < 0.78:
            out.append(f"L 0x{0xFF800000 + 4 * r.randrange(1024):08x} 4")
        elif k < 0.79:
            out.append("L 0xffe00004 4")
        elif k < 0.82:
            out.append(f"G {r.randrange(1, 40)}")
        else:
            out.append(f"M 0x{r.choice(hot) + 4 * r.randrange(8):08x} 4")
    return "\n".join(out)


def check_breakdown(s, what):
    if s is None:
        check(False, f"{what}: no statistics")
        return
    total = s["core.stall.total"]
    parts = sum(s[k] for k in L1_STALLS) + s["core.stall.cplb"] + s["core.stall.mmr"]
    check(s["core.cycles"] == s["core.busy_cycles"] + total,
          f"{what}: core.cycles {s['core.cycles']} == busy {s['core.busy_cycles']} + stall {total}")
    check(total == parts, f"{what}: core.stall.total {total} == sum of the parts {parts}")


def test_stall_breakdown():
    body = mixed_trace(4)
    for cfg in EZKIT_CONFIGS:
        # core.mmr_cycles = 3 so core.stall.mmr is not zero (2 per core MMR read)
        s, _, _ = run(cfg, body, "core.mmr_cycles=3", what=f"breakdown {cfg}")
        check_breakdown(s, cfg)
        if s:
            # each part the trace must exercise on every config
            check(s["core.stall.mmr"] > 0 and s["core.stall.cplb"] > 0 and
                  s["l1.stall.ssync_drain"] > 0, f"{cfg}: mmr, cplb and ssync stalls all non-zero")
            check(s["core.stall.mmr"] == 2 * s["core.mmr_accesses"],
                  f"{cfg}: core.stall.mmr = 2 x core MMR reads")
            check(s["core.stall.cplb"] == 100 * (s["cplb.dcplb_misses"] + s["cplb.icplb_misses"]),
                  f"{cfg}: core.stall.cplb = 100 x CPLB misses")
            check(s["core.faults"] == 0, f"{cfg}: the mixed trace does not fault")
    # The sum must hold whatever the costs and buffer sizes: variants on the uClinux default.
    cfg = "configs/ezkit-icache-dcacheAB-wb.ini"
    for sets, extra in ((["l1.hit_cycles=2"], []),
                        (["l1.wbuf_depth=1", "l1.victim_depth=2"], []),
                        (["l1.critical_word_first=0", "core.mmr_cycles=5"], []),
                        (["l1.ssync_cycles=0", "l1.cacheop_cycles=0", "l1.index=bitsel"], []),
                        ([], ["--compat=cachegrind"])):
        s, _, _ = run(cfg, body, *sets, extra=extra, what=f"breakdown {sets} {extra}")
        check_breakdown(s, f"{cfg} {sets} {extra}")


def test_stall_kinds():
    # Every stall kind on the D-cache machine, each worked by hand (core.mmr_cycles = 3).
    #  1 S 0x00001000 at 0: WB allocate, bank 0 miss fill: ready 60, done 130 -> fill 60; t 61
    #  2 S 0x00801000 at 61: same cache set, way 1: fill_busy to 130 (69); bank 1 miss fill at
    #    edge 26: s 30, data [36, 52): ready 190, done 260 -> fill 60; t 191
    #  3 S 0x01001000 at 191: victim = 0x1000 (dirty, LRU): fill_busy to 260 (69); queued in the
    #    victim buffer at 260; fill at edge 52, bank 2 miss: s 56, data [62, 78): ready 320,
    #    done 390 -> fill 60; t 321
    #  4 S 0x01801000 at 321: victim = 0x00801000 (dirty): fill_busy to 390 (69); the victim
    #    buffer (depth 1) still holds 0x1000: its write-back is issued at 260 behind fill 3 and
    #    after a read: s = 78 + 1 = 79, row hit, data [79, 95) -> CCLK 475: victim_full 475 - 390
    #    = 85; the new victim queued at 475; fill at edge 95, bank 3 miss: s 99, data [105, 121):
    #    ready 535, done 605 -> fill 60; t 536
    #  5 SSYNC at 536: write-back of 0x00801000 at 475 (edge 95): s = 121 + 1 = 122, hit,
    #    data [122, 138) -> CCLK 690: ssync_drain 154; t 700
    #  6 seven stores to the uncached page 0x00400000 at 700..706: the first drains at 700
    #    (edge 140, s 144, bank 0 conflict with row 4, PRE 144, ACT 147, WRITE 150, data
    #    [150, 152) -> CCLK 760); the 7th (at 706) finds six entries: wbuf_full 760 - 706 = 54;
    #    t 761
    #  7 SSYNC at 761: the other six drain one after the other, row hits of O + 2 = 6 SCLK =
    #    30 CCLK each: 790, 820, 850, 880, 910, 940: ssync_drain 179; t 950
    #  8 L 0x00400100 at 950 (uncached): edge 190, s 194, row hit, data [197, 199) -> CCLK 995:
    #    uncached 45; t 996
    #  9 L 0xFFE00004 (core MMR, 3 cycles) at 996: mmr 2; t 999
    # SDRAM rows: misses = the 4 fills; conflicts = the first uncached store; hits = the 2
    # write-backs + 6 store drains + the uncached load = 9.
    # busy: 4 + 10 + 7 + 10 + 1 + 1 = 33; stalls: fill 240, fill_busy 207, victim_full 85,
    # ssync_drain 154 + 179 = 333, wbuf_full 54, uncached 45, mmr 2 (total 966); 33 + 966 = 999.
    body = """S 0x00001000 4
              S 0x00801000 4
              S 0x01001000 4
              S 0x01801000 4
              SSYNC
              S 0x00400000 4
              S 0x00400004 4
              S 0x00400008 4
              S 0x0040000c 4
              S 0x00400010 4
              S 0x00400014 4
              S 0x00400018 4
              SSYNC
              L 0x00400100 4
              L 0xffe00004 4"""
    s, _, _ = run(DC, body, "core.mmr_cycles=3", what="stall kinds")
    expect(s, "stall kinds", core__cycles=999, core__busy_cycles=33, core__stall__total=966,
           l1__stall__fill=240, l1__stall__fill_busy=207, l1__stall__victim_full=85,
           l1__stall__ssync_drain=333, l1__stall__wbuf_full=54, l1__stall__uncached=45,
           core__stall__mmr=2, core__stall__cplb=0,
           sdram__writes__victim=2, sdram__writes__wbuf=7, sdram__reads__fill=4,
           sdram__reads__core=1, sdram__row_misses=4, sdram__row_conflicts=1, sdram__row_hits=9,
           sdram__rw_turn_sclk=2, l1__wbuf__full_events=1, l1__victim__full_events=1)
    check_breakdown(s, "stall kinds")
    # Write-buffer pressure on the caches-off machine: 7 stores to one row at 0..6; the first
    # drains at 0 (miss, 9 SCLK -> CCLK 45); the 7th (at 6) waits for it: wbuf_full 39, t 46;
    # SSYNC at 46 drains the other six as hits of 30 CCLK each, the first starting at 45:
    # 75, 105, 135, 165, 195, 225: ssync_drain 179; + 10 = 235.
    body = "\n".join(f"S 0x{0x1000 + 4 * i:08x} 4" for i in range(7)) + "\nSSYNC"
    s, _, _ = run(EZ, body, what="write buffer full")
    expect(s, "write buffer full", core__cycles=235, core__busy_cycles=17,
           l1__stall__wbuf_full=39, l1__stall__ssync_drain=179, sdram__writes__wbuf=7,
           sdram__row_misses=1, sdram__row_hits=6)
    # A deeper write buffer (l1.wbuf_depth = 7) removes the full stall: the 7th store goes in at
    # 6 (t 7); SSYNC at 7 drains the same six hits after the first: 225; + 10 = 235, with
    # wbuf_full 0 and ssync_drain 218.
    s, _, _ = run(EZ, body, "l1.wbuf_depth=7", what="write buffer depth 7")
    expect(s, "write buffer depth 7", core__cycles=235, l1__stall__wbuf_full=0,
           l1__stall__ssync_drain=218)


# ------------------------------------------------------------------------------------------------
# 3. Write-back vs write-through (configs/ezkit-icache-dcacheAB-{wb,wt}.ini, mem=32M: addresses
#    below 4 MB are in the fixed kernel DCPLB, so no CPLB miss)

WB_WT_TRACE = """S 0x00010000 4
                 S 0x00010004 4
                 S 0x00010800 4
                 S 0x00018000 4
                 S 0x00018800 4
                 L 0x00020000 4
                 L 0x00020800 4
                 S 0x00010020 4"""


def test_wb_vs_wt():
    # DMC=11, DCBS=0: bank = A[14] (0 for all lines here), set = {A[13:12], A[10:5]}; the lines
    # 0x10000, 0x10800, 0x18000, 0x18800, 0x20000, 0x20800 share one 2-way set; 0x10020 is in
    # another set. 6 stores, 2 loads, 7 distinct lines -> 7 fills in both policies.
    # WB: stores allocate and dirty the line. 0x18000 evicts 0x10000 (LRU, dirty), 0x18800
    # evicts 0x10800 (dirty), 0x20000 evicts 0x18000 (dirty), 0x20800 evicts 0x18800 (dirty):
    # 4 dirty evictions -> sdram.writes.victim 4; no store leaves L1 otherwise (wbuf 0). The
    # loaded lines 0x20000/0x20800 are clean and 0x10020 stays dirty in the cache at the end
    # (dirty lines are not written back at the end of a run, docs/models/l1.md item 18).
    wb, _, _ = run("configs/ezkit-icache-dcacheAB-wb.ini", WB_WT_TRACE, what="WB")
    expect(wb, "WB", core__stores=6, l1__dcache__fills=7, l1__dcache__evictions=4,
           l1__dcache__writebacks=4, sdram__writes__victim=4, sdram__writes__wbuf=0,
           l1__dcache__wt_stores=0, cplb__dcplb_misses=0)
    # WT (with AOW, SDRAM_DGENERIC for write-through): every store also goes through the write
    # buffer -> sdram.writes.wbuf 6; lines stay clean -> no write-back (victim 0); the same 7
    # fills and 4 evictions (write misses allocate with AOW).
    wt, _, _ = run("configs/ezkit-icache-dcacheAB-wt.ini", WB_WT_TRACE, what="WT")
    expect(wt, "WT", core__stores=6, l1__dcache__fills=7, l1__dcache__evictions=4,
           l1__dcache__writebacks=0, sdram__writes__victim=0, sdram__writes__wbuf=6,
           l1__dcache__wt_stores=6, cplb__dcplb_misses=0)
    for s, n in ((wb, "WB"), (wt, "WT")):
        check_breakdown(s, n)


# ------------------------------------------------------------------------------------------------
# 4. CPLBs: the Linux manager on a 64 MB board (tests/e2e/ezkit64-linux.ini)

CMD_DI = "linux.cmdline=mem=50M max_mem=64M$#"
CMD_I = "linux.cmdline=mem=50M max_mem=64M#"


def test_cacheop_checks():
    # Cache instructions go through the cache-op rule (GDB sim
    # mmu_check_cache_addr; docs/models/cplb.md): the line address is checked, a CPLB miss still
    # raises its exception, protection and the ordinary accesses' hardware errors do not.
    # EZ machine (both CPLB groups off): FLUSH of reserved space 0x30000000 (an ordinary access
    # there is hardware error 0x03), a user-mode FLUSH and PREFETCH of the system MMR 0xFFC00A00
    # (an ordinary user access there is EXCAUSE 0x23) and an IFLUSH of 0x30000000: no fault, each
    # is a no-op costing l1.cacheop_cycles = 1, so core.cycles = 4 (the MODE record is free).
    s, _, err = run(EZ, "FLUSH 0x30000000\nMODE user\nFLUSH 0xffc00a00\nPREFETCH 0xffc00a00\n"
                    "IFLUSH 0x30000000", what="cache ops off-map")
    expect(s, "cache ops off-map", core__faults=0, core__cycles=4, core__ops=4,
           cplb__faults__protection=0, l1__dcache__fills=0)
    # The ordinary accesses still fault: a user load of 0xFFC00A00 is EXCAUSE 0x23 (exit 3) and a
    # load of 0x30000000 hardware error 0x03.
    _, _, err = run(EZ, "MODE user\nL 0xffc00a00 4", expect_rc=3, what="user MMR load")
    check("0x23" in err, f"user MMR load: EXCAUSE 0x23 ({err!r})")
    _, _, err = run(EZ, "L 0x30000000 4", expect_rc=3, what="reserved load")
    check("0x03" in err, f"reserved load: hardware error 0x03 ({err!r})")
    # DC machine (DCPLBs on, 8 x 4 MB over 0..32 MB): FLUSH 0x02000000 matches no entry: DCPLB
    # miss, EXCAUSE 0x26, reported for the line address.
    _, _, err = run(DC, "FLUSH 0x02000010", expect_rc=3, what="flush miss")
    check("0x26" in err and "0x02000000" in err, f"flush miss: EXCAUSE 0x26 at the line ({err!r})")


def test_core_mmr_width():
    # Core MMRs are 32-bit only; a 16-bit supervisor read of DMEM_CONTROL
    # (0xFFE00004) is EXCAUSE 0x2E (illegal use of a supervisor resource), not hardware error
    # 0x02. The exception writes DCPLB_STATUS = supervisor (bit 17) = 0x00020000 (no entry
    # matched: both CPLB groups are off; read; ILLADDR clear) and DCPLB_FAULT_ADDR = 0xffe00004.
    _, _, err = run(EZ, "L 0xffe00004 2", expect_rc=3, what="16-bit core MMR read")
    check("EXCAUSE 0x2E" in err and "Hardware error" not in err,
          f"16-bit core MMR read: EXCAUSE 0x2E ({err!r})")
    check("DCPLB_STATUS 0x00020000" in err and "DCPLB_FAULT_ADDR 0xffe00004" in err,
          f"16-bit core MMR read: status and fault address ({err!r})")
    # A 32-bit read is served (core.mmr_cycles), no fault.
    s, _, _ = run(EZ, "L 0xffe00004 4", what="32-bit core MMR read")
    expect(s, "32-bit core MMR read", core__faults=0)


def test_mmr_cplb_writes():
    # MMR records that write xCPLB_ADDRn/DATAn are applied (explicit policy);
    # writes to other CPLB, cache-control and EBIU registers are input errors naming the register.
    # DC machine: DCPLB1 = 0x00400000 4 MB uncached (0x3009D). A load there is uncached; then,
    # as the PRM requires, the group is disabled (DMEM_CONTROL 0x1009: ENDM | DMC=10 | PORT_PREF0,
    # ENDCPLB clear; DMC unchanged, so no invalidation), DCPLB_DATA1 (0xFFE00204) = 0x3109D
    # (write-back cacheable) and DCPLB_ADDR1 (0xFFE00104) = 0x00400000 are written, and the group
    # re-enabled (0x100B): the pair takes effect then, and the same load is a D-cache miss (fill).
    body = """L 0x00400000 4
              MMR 0xffe00004 0x00001009
              MMR 0xffe00204 0x0003109d
              MMR 0xffe00104 0x00400000
              MMR 0xffe00004 0x0000100b
              L 0x00400010 4
              L 0x00400014 4"""
    s, _, _ = run(DC, body, what="rewrite DCPLB1")
    expect(s, "rewrite DCPLB1", l1__uncached__reads=1, l1__dcache__fills=1, l1__dcache__reads=2,
           l1__dcache__read_misses=1,
           core__faults=0)
    # With the group still enabled a pair takes effect at each write: DCPLB_ADDR2 = 0x00100000
    # against DCPLB_DATA2 = 0x3109D (4 MB page) is misaligned: exit 2, naming both registers.
    _, _, err = run(DC, "MMR 0xffe00108 0x00100000", expect_rc=2, what="misaligned ADDR2")
    check("DCPLB_ADDR2 0x00100000 is not aligned" in err and "DCPLB_DATA2 0x0003109d" in err
          and ":2:" in err, f"misaligned ADDR2: message ({err!r})")
    # Written while disabled, the misaligned pair is refused when the group is enabled (line 4).
    _, _, err = run(DC, "MMR 0xffe00004 0x00001009\nMMR 0xffe00108 0x00100000\n"
                    "MMR 0xffe00004 0x0000100b", expect_rc=2, what="misaligned at enable")
    check("DCPLB_ADDR2" in err and ":4:" in err, f"misaligned at enable: line 4 ({err!r})")
    # EBIU, cache-test and status registers are refused, named.
    for rec, name in (("MMR 0xffc00a18 0x00000397", "EBIU_SDRRC"),
                      ("MMR 0xffc00a10 0x0091998d", "EBIU_SDGCTL"),
                      ("MMR 0xffc00a04 0x7bb07bb0", "EBIU_AMBCTL0"),
                      ("MMR 0xffe00300 0x00000000", "DTEST_COMMAND"),
                      ("MMR 0xffe01008 0x00000000", "ICPLB_STATUS")):
        _, _, err = run(DC, rec, expect_rc=2, what=name)
        check(name in err, f"{name}: named in the error ({err!r})")
    # Under the Linux policy the manager owns the tables: a CPLB write is refused.
    _, _, err = run(LX, "MMR 0xffe00204 0x0003109d", expect_rc=2, what="linux CPLB write")
    check("DCPLB_DATA1" in err and "cplb.policy" in err, f"linux CPLB write ({err!r})")
    # An MMR without memory-system effect (UART0_THR 0xFFC00400) is still accepted.
    s, _, _ = run(DC, "MMR 0xffc00400 0x00000041", what="other MMR")
    expect(s, "other MMR", core__faults=0)


def test_cplb_layout():
    # mem=50M max_mem=64M$#: _ramend 50 MB, memory_end 49 MB, reserved [50 MB, 64 MB) data-
    # cacheable. A read at 55 MB (0x03700000) misses (handler 100 CCLK), loads the 4 MB page
    # 0x03400000 (52..56 MB lies inside [50, 64) MB) as SDRAM_DGENERIC (write-back) and is retried:
    # a D-cache fill at CCLK 100 (edge 20; bank A[25:24] = 3 idle: s 24, ACT 24, READ 27, data
    # [30, 46), critical word at 32 -> CCLK 160); core ready 161.
    s, _, _ = run(LX, "L 0x03700000 4", CMD_DI, what="55 MB with $")
    expect(s, "55 MB with $", core__cycles=161, core__stall__cplb=100, l1__stall__fill=60,
           l1__dcache__fills=1, l1__uncached__reads=0, cplb__dcplb_misses=1,
           cplb__dcplb_reloads=1, cplb__handler_cycles=100)
    # Without $ the reserved region is SDRAM_DNON_CHBL: the same miss and handler, then an
    # uncached read (60 CCLK); no fill.
    s, _, _ = run(LX, "L 0x03700000 4", CMD_I, what="55 MB without $")
    expect(s, "55 MB without $", core__cycles=161, core__stall__cplb=100, l1__stall__uncached=60,
           l1__dcache__fills=0, l1__uncached__reads=1, cplb__dcplb_misses=1)
    # 70 MB (0x04600000) is past max_mem: the bound is a hole, the miss is a real fault:
    # exit 3, a report naming the cause, EXCAUSE 0x26, the address and record 2.
    s, rc, err = run(LX, "L 0x03700000 4\nL 0x04600000 4", CMD_DI, expect_rc=3, what="70 MB")
    check("0x04600000" in err, f"70 MB: the report names the address ({err!r})")
    check("CPLB miss" in err and "0x26" in err, f"70 MB: the report names the cause ({err!r})")
    check("record:  2" in err or "record 2" in err, f"70 MB: the report names record 2 ({err!r})")


def test_cplb_handler_cost():
    # Four 4 MB pages above the fixed kernel entry (4, 8, 12 MB and 55 MB), each touched twice:
    # 4 misses, the second touch hits the reloaded entry. core.stall.cplb = cplb.handler_cycles =
    # 4 x 100; with cplb.miss_handler_cycles = 37: 4 x 37 = 148.
    body = """L 0x00400000 4
              L 0x00800000 4
              L 0x00c00000 4
              L 0x03700000 4
              L 0x00400004 4
              L 0x00800004 4
              L 0x00c00004 4
              L 0x03700004 4"""
    for h in (100, 37):
        s, _, _ = run(LX, body, CMD_DI, f"cplb.miss_handler_cycles={h}", what=f"handler {h}")
        expect(s, f"handler {h}", cplb__dcplb_misses=4, cplb__handler_cycles=4 * h,
               core__stall__cplb=4 * h)
        check_breakdown(s, f"handler {h}")
    # The text report's stall breakdown lists the handler time (a line `core.stall.cplb  400 ...`)
    # and its sum matches core.cycles (no MISMATCH).
    rc, out, err = bfsim("run", "--config", LX, "--set", CMD_DI, "--trace", trace(body), "--no-db")
    check(rc == 0 and re.search(r"^core\.stall\.cplb\s+400\s", out, re.M) is not None
          and "MISMATCH" not in out, f"text report shows the CPLB stall ({out[-600:]!r})")


def test_cplb_null_guard():
    # linux.null_guard = 1 with the kernel's first 4 MB page: both cover 0..0x3FF, so a user-mode
    # read of 0x100 is a multiple-hit exception (EXCAUSE 0x27, "Linux Trap Zero").
    s, rc, err = run(LX, "MODE user\nL 0x00000100 4", CMD_DI, "linux.null_guard=1",
                     expect_rc=3, what="null guard user read")
    check("0x00000100" in err and "0x27" in err and "multiple CPLB hits" in err,
          f"null guard: report names address, EXCAUSE 0x27 and the cause ({err!r})")
    check("NULL pointer" in err, f"null guard: report says it is a NULL pointer access ({err!r})")
    check("user mode" in err and "record 2" in err, f"null guard: user mode, record 2 ({err!r})")
    # A supervisor write of 0x100 traps the same way.
    s, rc, err = run(LX, "S 0x00000100 4", CMD_DI, "linux.null_guard=1", expect_rc=3,
                     what="null guard supervisor write")
    check("0x27" in err and "write" in err, f"null guard supervisor write ({err!r})")
    # With linux.kernel_end = 0 the guard stands alone (VALID|LOCK|DIRTY, no user read, no
    # write): a user read of 0x100 is a protection violation 0x23; a supervisor read is allowed.
    s, rc, err = run(LX, "MODE user\nL 0x00000100 4", CMD_DI, "linux.null_guard=1",
                     "linux.kernel_end=0", expect_rc=3, what="guard alone user read")
    check("0x23" in err and "protection violation" in err and "0x00000100" in err,
          f"guard alone: protection violation at 0x100 ({err!r})")
    s, rc, err = run(LX, "L 0x00000100 4", CMD_DI, "linux.null_guard=1", "linux.kernel_end=0",
                     what="guard alone supervisor read")
    expect(s, "guard alone supervisor read", core__faults=0)


def test_cplb_on_fault_report():
    # --on-fault=report: both faulting records (null guard at record 2, 70 MB at record 4) are
    # reported and skipped, the run goes on (exit 0) and the faults are counted.
    body = """L 0x00010000 4
              L 0x00000100 4
              L 0x03700000 4
              L 0x04600000 4
              L 0x00010004 4"""
    s, rc, err = run(LX, body, CMD_DI, "linux.null_guard=1", extra=["--on-fault=report"],
                     what="on-fault=report")
    expect(s, "on-fault=report", core__faults_skipped=2, core__faults=2, core__loads=5,
           cplb__faults__miss=1, cplb__faults__multiple_hits=1)
    check(err.count("EXCAUSE") == 2, f"on-fault=report: two reports on stderr ({err!r})")
    check("0x00000100" in err and "0x04600000" in err, f"on-fault=report: both addresses ({err!r})")
    check_breakdown(s, "on-fault=report")
    # --on-fault=continue counts the same faults without printing the reports.
    s, rc, err = run(LX, body, CMD_DI, "linux.null_guard=1", extra=["--on-fault=continue"],
                     what="on-fault=continue")
    expect(s, "on-fault=continue", core__faults_skipped=2, core__faults=2)


def test_cplb_fault_handler_cost():
    # --on-fault=report over: a kernel-page load (no miss), a load at 55 MB (miss, reload, then a
    # D-cache fill), a load at 70 MB (miss in a hole: the handler runs and finds no bound, fault,
    # skipped), a load back in the kernel page. The handler ran twice: the CPLB model charges both
    # runs (docs/models/cplb.md: "The handler cost is charged for failed lookups too (the handler
    # ran before the fault)"), and the handler cost is in the stall breakdown:
    # core.stall.cplb == cplb.handler_cycles == cplb.dcplb_misses x 100 = 200.
    body = """L 0x00010000 4
              L 0x03700000 4
              L 0x04600000 4
              L 0x00010004 4"""
    s, rc, err = run(LX, body, CMD_DI, extra=["--on-fault=report"], what="handler on fault")
    expect(s, "handler on fault", core__faults_skipped=1, cplb__dcplb_misses=2,
           cplb__handler_cycles=200, core__stall__cplb=200)
    check_breakdown(s, "handler on fault")


def test_replay_fault_attached():
    # --on-fault=report, first record an instruction fetch that faults (70 MB is a hole for the
    # ICPLB bounds of mem=32M: EXCAUSE 0x2C), then a data load that belongs to that instruction.
    # The fetch is skipped, but the exception still spends its issue cycle and the ICPLB miss
    # handler (1 + 100: t = 101). The load is then an instruction of its own, issued at 101: the
    # next SCLK edge is at 105 (CCLK:SCLK = 5), and the critical word of a fill to an idle bank
    # arrives 60 CCLK after the edge, plus the hit cycle: 105 + 61 = 166. The buffers are idle a
    # few hundred cycles after it (core.drain_cycles), the breakdown sums.
    body = """I 0x04600000 4
              L 0x00010000 4"""
    s, rc, err = run("configs/ezkit-icache-dcacheAB-wb.ini", body, extra=["--on-fault=report"],
                     what="fault on the first ifetch")
    expect(s, "fault on the first ifetch", core__faults_skipped=1)
    if s:
        check(s["core.cycles"] == 166, f"fault on the first ifetch: core.cycles {s['core.cycles']}"
              " == 166")
        check(s["core.drain_cycles"] < 1000, "fault on the first ifetch: core.drain_cycles "
              f"{s['core.drain_cycles']} < 1000 (no time before 0)")
        check_breakdown(s, "fault on the first ifetch")


def test_cplb_walk_off_end():
    # configs/ezkit-icache-dcacheAB-wb.ini: 32 MB board, mem=32M. [31 MB, 32 MB) is the uncached
    # DMA zone; 0x02000000 is past the end of managed memory (a hole): the 3rd record faults with a
    # CPLB miss (EXCAUSE 0x26). The run stops (exit 3) and is stored with status `fault` and one
    # row in `faults` (record 3, address 0x02000000, excause 0x26).
    body = """L 0x01fffff8 4
              L 0x01fffffc 4
              L 0x02000000 4
              L 0x02000004 4"""
    db = os.path.join(_tmp, "walk.db")
    rc, out, err = bfsim("run", "--config", "configs/ezkit-icache-dcacheAB-wb.ini",
                         "--trace", trace(body), "--db", db)
    check(rc == 3, f"walk off the end: exit 3 (got {rc}: {err!r})")
    check("0x02000000" in err and "CPLB miss" in err and "0x26" in err,
          f"walk off the end: readable report ({err!r})")
    check("record:  3" in err or "record 3" in err, f"walk off the end: record 3 named ({err!r})")
    try:
        con = sqlite3.connect(db)
        runs = con.execute("SELECT id, status FROM runs").fetchall()
        check(len(runs) == 1 and runs[0][1] == "fault", f"walk off the end: run status fault ({runs})")
        rows = con.execute("SELECT record, cause, excause, addr FROM faults").fetchall()
        check(len(rows) == 1, f"walk off the end: one row in faults ({rows})")
        if rows:
            rec, cause, exc, addr = rows[0]
            check(rec == 3 and exc == 0x26 and addr == 0x02000000 and "miss" in (cause or "").lower(),
                  f"walk off the end: faults row (3, CPLB miss, 0x26, 0x02000000) ({rows[0]})")
        con.close()
    except sqlite3.Error as e:
        check(False, f"walk off the end: database readable ({e})")


# ------------------------------------------------------------------------------------------------

def main():
    if len(sys.argv) != 2 or not callable(globals().get("test_" + sys.argv[1])):
        names = sorted(n[5:] for n in globals() if n.startswith("test_"))
        print("usage: e2e_test.py NAME  (" + " ".join(names) + ")", file=sys.stderr)
        return 2
    try:
        globals()["test_" + sys.argv[1]]()
    finally:
        shutil.rmtree(_tmp, ignore_errors=True)
    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
