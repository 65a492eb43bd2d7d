#!/usr/bin/env python3
"""End-to-end tests of the bfsim command line.

Each test is a function named test_<name>; `cli_test.py NAME` runs one (CTest registers each).
Every test asserts exit codes and message texts; the expectations are written out by hand in the
comments (from the issue's rules and the reference's register values), never read back from
bfsim's own output.
"""
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

BFSIM = os.environ.get("BFSIM", "build/sim/bfsim")
GEN = os.environ.get("GEN_TRACE", "build/bench/gen_trace")
DEFAULT_TRACE = "workloads/suite/default.lackey.zst"
CFG = "configs/ezkit-icache-dcacheAB-wb.ini"
ALL_CONFIGS = ["configs/ezkit-nocache.ini", "configs/ezkit-icache.ini",
               "configs/ezkit-icache-dcacheA-wb.ini", "configs/ezkit-icache-dcacheAB-wb.ini",
               "configs/ezkit-icache-dcacheAB-wt.ini"]
REQUIRED_STATS = ["core.cycles", "core.records", "l1.dcache.reads", "l1.dcache.writes",
                  "l1.dcache.read_misses", "l1.dcache.write_misses", "l1.icache.fetches",
                  "l1.icache.misses", "cplb.dcplb_misses", "cplb.icplb_misses", "sdram.row_hits",
                  "sdram.row_misses", "sdram.row_conflicts"]

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def bfsim(*args, timeout=300, **kw):
    p = subprocess.run([BFSIM, *args], capture_output=True, text=True, timeout=timeout, **kw)
    return p.returncode, p.stdout, p.stderr


def tmpdir():
    return tempfile.mkdtemp(prefix="bfsim-cli-")


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def small_trace(d, body, name="t.bft"):
    return write(os.path.join(d, name), "#bfsim-trace 1\n" + body)


def run_json(*args):
    rc, out, err = bfsim("run", *args, "--json", "--no-db")
    check(rc == 0, f"run {args} exits 0 (got {rc}: {err.strip()})")
    return json.loads(out) if rc == 0 else None


# ------------------------------------------------------------------------------------------------

def test_help():
    # every command answers --help with exit 0, a usage line and examples
    for cmd in (["run"], ["compare"], ["config", "show"], ["config", "check"], ["config", "keys"],
                ["results", "list"], ["stats"], ["trace", "convert"], ["trace", "stats"],
                ["trace", "head"], ["alloc"]):
        rc, out, err = bfsim(*cmd, "--help")
        check(rc == 0, f"{cmd} --help exits 0")
        check("usage" in out.lower() or "bfsim" in out, f"{cmd} --help prints usage")
        check("bfsim " + cmd[0] in out and "example" in out.lower(), f"{cmd} --help has examples")
    rc, out, err = bfsim("--help")
    check(rc == 0 and "commands:" in out, "bfsim --help lists the commands")


def test_bad_usage():
    rc, out, err = bfsim()
    check(rc == 2, "no command exits 2")
    rc, out, err = bfsim("frobnicate")
    check(rc == 2 and "unknown command 'frobnicate'" in err, "unknown command named")
    rc, out, err = bfsim("run", "--bogus-option")
    check(rc == 2 and "bogus-option" in err, f"unknown option named (got {rc}: {err})")
    rc, out, err = bfsim("run", "--trace", DEFAULT_TRACE)
    check(rc == 2 and "--config" in err, "run without --config exits 2 naming --config")
    rc, out, err = bfsim("run", "--config", CFG, "--trace", DEFAULT_TRACE, "--on-fault", "maybe", "--no-db")
    check(rc == 2 and "--on-fault" in err and "maybe" in err, "bad --on-fault value named")
    rc, out, err = bfsim("compare", "--configs", CFG, "--trace", DEFAULT_TRACE, "--format", "xml")
    check(rc == 2 and "xml" in err, "bad compare --format named")


def test_missing_files():
    d = tmpdir()
    rc, out, err = bfsim("run", "--config", CFG, "--trace", os.path.join(d, "nope.bft"), "--no-db")
    check(rc == 2 and "nope.bft" in err, f"missing trace: exit 2 naming the file ({rc}: {err})")
    rc, out, err = bfsim("run", "--config", os.path.join(d, "nope.ini"), "--trace", DEFAULT_TRACE, "--no-db")
    check(rc == 2 and "nope.ini" in err, f"missing config: exit 2 naming the file ({rc}: {err})")
    t = small_trace(d, "L 0x1000 4\nQ 0x1000 4\n")
    rc, out, err = bfsim("run", "--config", CFG, "--trace", t, "--no-db")
    check(rc == 2 and "t.bft:3" in err, f"malformed record: exit 2 with file:line ({rc}: {err})")


def test_config_errors():
    d = tmpdir()
    cases = [
        # (file text, expected fragments): each a rule of the issue or of the reference
        ("[l1]\nwbuf_dept = 6\n", ["bad.ini:2", "l1.wbuf_dept", "unknown key"]),
        ("# comment\n\n[l1]\nwbuf_depth = six\n", ["bad.ini:4", "l1.wbuf_depth", "six"]),
        ("[l1]\ndmc = 01\n", ["bad.ini:2", "l1.dmc", "reserved"]),                 # DMC=01 reserved
        ("[clock]\nsclk = 150MHz\n", ["bad.ini:2", "clock.sclk", "133"]),           # SCLK max 133.33 MHz
        ("[machine]\npart = bf531\n[l1]\ndmc = 11\n", ["l1.dmc", "bank B"]),        # BF531 has no bank B
        ("[l1]\nindex = sideways\n", ["bad.ini:2", "l1.index", "blackfin|bitsel"]),
    ]
    for text, frags in cases:
        p = write(os.path.join(d, "bad.ini"), text)
        rc, out, err = bfsim("config", "check", "--config", p)
        check(rc == 2, f"config {text!r} rejected with exit 2 (got {rc})")
        for f in frags:
            check(f in err, f"config {text!r}: message has {f!r}: {err.strip()}")
    # --set errors name the override
    rc, out, err = bfsim("config", "check", "--config", CFG, "--set", "l1.victim_depth=0")
    check(rc == 2 and "--set" in err and "l1.victim_depth" in err, f"--set out of range named: {err}")
    rc, out, err = bfsim("config", "check", "--config", CFG, "--set", "nonsense")
    check(rc == 2 and "nonsense" in err, "--set without = rejected")
    # errata only warn: CCLK 200 MHz < 2 x SCLK 118.8 MHz (anomaly 05000273)
    rc, out, err = bfsim("config", "check", "--config", CFG, "--set", "clock.cclk=200MHz")
    check(rc == 0 and "05000273" in err, f"CCLK < 2xSCLK warns but passes ({rc}: {err})")
    # clocks from the PLL registers: CLKIN 27 MHz x MSEL 22 (PLL_CTL 0x2C00) = 594 MHz, SSEL 5 ->
    # 118.8 MHz (the EZ-KIT values); MSEL 30 (0x3C00) gives VCO 810 MHz, above the 750 MHz maximum
    rc, out, err = bfsim("config", "show", "--set", "clock.clkin=27MHz")
    check(rc == 0 and "CCLK 594000000 Hz, SCLK 118800000 Hz" in out, f"PLL-derived clocks: {err}")
    rc, out, err = bfsim("config", "check", "--set", "clock.clkin=27MHz", "--set", "clock.pll_ctl=0x3C00")
    check(rc == 2 and "clock.clkin" in err and "750" in err, f"VCO above 750 MHz rejected: {err}")
    rc, out, err = bfsim("config", "check", "--config", CFG, "--set", "clock.clkin=27MHz")
    check(rc == 2 and "not both" in err, "clkin and cclk together rejected")
    for c in ALL_CONFIGS + ["configs/compat-cachegrind.ini"]:
        rc, out, err = bfsim("config", "check", "--config", c)
        check(rc == 0, f"{c} is valid ({err.strip()})")


def test_config_show():
    rc, out, err = bfsim("config", "show", "--config", CFG, "--set", "l1.wbuf_depth=8")
    check(rc == 0, "config show exits 0")
    lines = {l.split("=")[0].strip(): l for l in out.splitlines() if "=" in l}
    check("--set" in lines.get("l1.wbuf_depth", ""), "override origin is --set")
    check("ezkit-board.ini:" in lines.get("ebiu.sdgctl", ""), "board value origin is ezkit-board.ini:LINE")
    check("ezkit-icache-dcacheAB-wb.ini:" in lines.get("l1.dmc", ""), "layout value origin is its file")
    check("default" in lines.get("l1.victim_depth", ""), "unset key origin is default")
    # DMEM_CONTROL for DMC=11, ENDCPLB=1, DCBS=0, PORT_PREF0: 0x0000100F (ENDM|ENDCPLB|DMC=11|PORT_PREF0)
    check("DMEM_CONTROL = 0x0000100F" in out, "derived DMEM_CONTROL printed")
    # EZ-KIT SDGCTL 0x0091998D decodes to CL3 tRAS6 tRP3 tRCD3 tWR2 (reference section 5)
    check("CL=3 tRAS=6 tRP=3 tRCD=3 tWR=2" in out, "SDGCTL fields decoded")


def test_silicon_rev():
    # machine.silicon_rev drives the anomaly switches (Linux mach-bf533
    # anomaly.h, list rev F): 05000158 and 05000263 are "__SILICON_REVISION__ < 5", 05000273
    # "< 6". Machine: Linux policy, 64 MB (SDBCTL 0x0025), I-cache on, no null guard, no mem=.
    d = tmpdir()
    ini = write(os.path.join(d, "lx.ini"), "[cplb]\npolicy = linux\ndcplb_enable = 1\n"
                "icplb_enable = 1\n[linux]\nicache = 1\nnull_guard = 0\n[ebiu]\nsdbctl = 0x0025\n")
    # rev 0.3 (default): 64M - 1M DMA = 63 MB capped at 60 MB (0x03c00000) by 05000263; the
    # kernel DCPLB is DGENERIC with bit 9: 0x1000 L1_CHBL | 0x29D COMMON | 4M = 0x0003129d.
    rc, out, err = bfsim("config", "show", "--config", ini)
    check(rc == 0 and "memory_end     0x03c00000" in out and "data 0x0003129d" in out,
          f"rev 0.3: capped at 60 MB, bit 9 set ({err})")
    check(re.search(r"linux.anomaly_05000263\s+= 1\s+; derived from machine.silicon_rev", out)
          is not None, "rev 0.3: 05000263 derived on")
    # rev 0.5: no cap (memory_end = 63 MB = 0x03f00000), no bit 9: 0x0003109d.
    rc, out, err = bfsim("config", "show", "--config", ini, "--set", "machine.silicon_rev=0.5")
    check(rc == 0 and "memory_end     0x03f00000" in out and "data 0x0003109d" in out,
          f"rev 0.5: no cap, no bit 9 ({err})")
    # an explicit key overrides its switch: rev 0.5 with linux.anomaly_05000263=1 is capped again
    rc, out, err = bfsim("config", "show", "--config", ini, "--set", "machine.silicon_rev=0.5",
                         "--set", "linux.anomaly_05000263=1")
    check(rc == 0 and "memory_end     0x03c00000" in out and "data 0x0003109d" in out,
          f"rev 0.5 + override: capped, no bit 9 ({err})")
    # 05000273 (CCLK < 2 x SCLK) warns before 0.6 only: CCLK 200 MHz, SCLK 118.8 MHz
    rc, out, err = bfsim("config", "check", "--config", CFG, "--set", "clock.cclk=200MHz",
                         "--set", "machine.silicon_rev=0.5")
    check(rc == 0 and "05000273" in err, f"rev 0.5 warns for 05000273 ({err})")
    rc, out, err = bfsim("config", "check", "--config", CFG, "--set", "clock.cclk=200MHz",
                         "--set", "machine.silicon_rev=0.6")
    check(rc == 0 and "05000273" not in err, f"rev 0.6 does not warn ({err})")
    rc, out, err = bfsim("config", "check", "--config", CFG, "--set", "machine.silicon_rev=0.2")
    check(rc == 2 and "machine.silicon_rev" in err, f"rev 0.2 refused ({err})")
    shutil.rmtree(d, ignore_errors=True)


def test_alloc_compare():
    # --compare shows the internal fragmentation at the end beside its peak,
    # and splits failures with usable free memory from failures inside the watermark reserve.
    # tests/workloads/data/native_sample.bfa frees everything, so internal_bytes at the end is 0
    # for both. Buddy rounds every byte request up to pages: kmalloc 100 -> 4096 (3996 lost),
    # cache_alloc 192 -> 4096 (3904), mmap 12288 -> order 2 = 16384 (4096), malloc 24 -> 4096
    # (4072); pages_alloc order 3 and vmalloc 65536 fit exactly: peak 3996 + 3904 + 4096 + 4072 =
    # 16068 B, with all six live at once. TLSF keeps 4-byte multiples as asked: peak 0.
    rc, out, err = bfsim("alloc", "--compare", "buddy,tlsf", "--workload",
                         "tests/workloads/data/native_sample.bfa", "--no-db")
    check(rc == 0, f"alloc --compare exits 0 ({err})")
    rows = {ln.split()[0]: ln.split()[1:] for ln in out.splitlines() if ln.startswith("alloc.")}
    names = [ln.split()[0] for ln in out.splitlines() if ln.startswith("alloc.")]
    check(rows.get("alloc.frag.internal_bytes") == ["0", "0"], f"internal at the end ({out})")
    check(rows.get("alloc.frag.internal_peak_bytes") == ["16068", "0"], f"internal peak ({out})")
    check("alloc.failures_in_reserve" in rows, f"failures in the reserve row ({out})")
    if all(n in names for n in ("alloc.frag.internal_pct", "alloc.frag.internal_peak_bytes")):
        check(names.index("alloc.frag.internal_peak_bytes") - names.index("alloc.frag.internal_pct")
              == 2, "the peak is shown beside the end value")
    # Without --config the machine is the uClinux default on an EZ-KIT (I-cache,
    # 32 KB write-back D-cache, Linux CPLB manager), and every report names the machine.
    check("latencies from machine uclinux-default" in out and "I-cache on" in out
          and "D-cache 32 KB (banks A+B) write-back" in out, f"compare names the machine ({out})")
    s = "tests/workloads/data/native_sample.bfa"
    rc, out, err = bfsim("alloc", "--allocator", "buddy", "--workload", s, "--no-db")
    check(rc == 0 and "# latencies from machine uclinux-default" in out, f"report names it ({err})")
    mean = lambda text: float(re.search(r"^alloc.latency.mean_cycles\s+(\S+)", text, re.M).group(1))
    rc2, out2, err2 = bfsim("alloc", "--allocator", "buddy", "--workload", s, "--no-db",
                            "--config", "configs/ezkit-nocache.ini")
    check(rc2 == 0 and "D-cache off" in out2, f"nocache report names its machine ({err2})")
    if rc == 0 and rc2 == 0:
        # the same metadata accesses (1406 reads, 1600 writes), cached vs uncached SDRAM
        check(mean(out) < mean(out2), f"D-cache default is faster ({mean(out)} vs {mean(out2)})")
    rc, out, err = bfsim("alloc", "--allocator", "buddy", "--workload", s, "--no-db", "--json")
    check(rc == 0 and "uclinux-default" in json.loads(out)["run"].get("machine", ""), f"json machine ({err})")
    # There is no --peak-every (the footprint peak comes from the allocators' counters after
    # every operation, exact and cheap): an unknown option is a usage error
    rc, out, err = bfsim("alloc", "--allocator", "buddy", "--workload", s, "--no-db",
                         "--peak-every", "1")
    check(rc == 2 and "peak-every" in err, f"--peak-every refused ({err})")
    # --set overrides the default: D-cache off
    rc, out, err = bfsim("alloc", "--allocator", "buddy", "--workload", s, "--no-db",
                         "--set", "l1.dmc=00")
    check(rc == 0 and "D-cache off" in out, f"--set overrides the default machine ({err})")


def test_config_include():
    d = tmpdir()
    write(os.path.join(d, "board.ini"), "[l1]\nwbuf_depth = 4\nvictim_depth = 2\n")
    p = write(os.path.join(d, "top.ini"), "include = board.ini\n[l1]\nwbuf_depth = 7\n")
    rc, out, err = bfsim("config", "show", "--config", p)
    check(rc == 0, "include loads")
    check("l1.wbuf_depth" in out and "= 7" in [l for l in out.splitlines() if l.startswith("l1.wbuf_depth")][0],
          "later value overrides the included one")
    check("board.ini:3" in [l for l in out.splitlines() if l.startswith("l1.victim_depth")][0],
          "included value keeps its file:line")
    p2 = write(os.path.join(d, "loop.ini"), "include = loop.ini\n")
    rc, out, err = bfsim("config", "check", "--config", p2)
    check(rc == 2 and "include" in err, "recursive include rejected")


def test_json_stats():
    j = run_json("--config", CFG, "--trace", DEFAULT_TRACE)
    if not j:
        return
    check({"run", "config", "stats", "hot_pages"} <= set(j) <= {"run", "config", "stats", "phases", "hot_pages"},
          "JSON has run, config, stats, hot_pages (and phases when the trace has markers)")
    check(all(p["hits"] >= 0 and p["side"] in ("dcplb", "icplb") for p in j["hot_pages"]),
          "hot pages list CPLB pages with their hits")
    # the default workload is a Lackey trace of a real program: code and data in (mapped) SDRAM
    check(j["run"]["format"] == "lackey", "default workload detected as Lackey")
    check(j["stats"]["l1.icache.fetches"] > 0 and j["stats"]["l1.dcache.reads"] > 0,
          "both caches are exercised by the default workload")
    # fir-sdram.bft.zst has one `PHASE fir` marker as its first record: one phase holding every
    # other record
    k = run_json("--config", CFG, "--trace", "workloads/suite/fir-sdram.bft.zst")
    if k:
        ph = k.get("phases", [])
        check(len(ph) == 1 and ph[0]["name"] == "fir", f"the trace's phase is reported: {ph[:1]}")
        if ph:
            check(ph[0]["stats"]["core.records"] == k["stats"]["core.records"] - 1,
                  "the phase holds every record after its marker")
            check(ph[0]["stats"]["core.cycles"] == k["stats"]["core.cycles"],
                  "the phase holds every cycle (the marker is the first record)")


def test_stats_documented():
    rc, out, err = bfsim("stats", "list")
    check(rc == 0, "stats list exits 0")
    names = [l.split()[0] for l in out.splitlines() if l.strip()]
    with open("docs/stats.md") as f:
        doc = f.read()
    for n in names:
        check(f"`{n}`" in doc, f"stat {n} documented in docs/stats.md")
    # and the JSON of a real run has no stat the list does not know
    j = run_json("--config", CFG, "--trace", DEFAULT_TRACE)
    if j:
        for n in j["stats"]:
            check(n in names, f"run stat {n} is listed by `bfsim stats list`")


def test_determinism():
    a = run_json("--config", CFG, "--trace", DEFAULT_TRACE)
    b = run_json("--config", CFG, "--trace", DEFAULT_TRACE)
    check(a is not None and a["stats"] == b["stats"], "two runs give identical stats")


def stall_sum(stats):
    return sum(v for k, v in stats.items() if k.startswith("l1.stall.")) + \
        stats["core.stall.cplb"] + stats["core.stall.mmr"]


def test_stall_breakdown():
    for c in ALL_CONFIGS:
        j = run_json("--config", c, "--trace", DEFAULT_TRACE)
        if not j:
            continue
        s = j["stats"]
        check(s["core.cycles"] == s["core.busy_cycles"] + s["core.stall.total"],
              f"{c}: cycles = busy + stalls")
        check(s["core.stall.total"] == stall_sum(s),
              f"{c}: stall breakdown {stall_sum(s)} sums to core.stall.total {s['core.stall.total']}")


def test_database():
    d = tmpdir()
    db = os.path.join(d, "r.db")
    rc, out, err = bfsim("run", "--config", CFG, "--trace", DEFAULT_TRACE, "--db", db)
    check(rc == 0, f"run with --db exits 0 ({err})")
    con = sqlite3.connect(db)
    rows = con.execute("select id, status, config_hash, workload_hash, config_text, command_line, git_rev from runs").fetchall()
    check(len(rows) == 1 and rows[0][1] == "ok", "one run, status ok")
    rid, st, ch, wh, ct, cl, gr = rows[0]
    check(len(ch) == 64 and len(wh) == 64, "config and workload SHA-256 hashes stored")
    check("l1.dmc = 11" in ct, "resolved config text stored")
    import hashlib
    with open(DEFAULT_TRACE, "rb") as f:
        check(hashlib.sha256(f.read()).hexdigest() == wh, "workload hash is the file's SHA-256")
    check(hashlib.sha256(ct.encode()).hexdigest() == ch, "config hash is the config text's SHA-256")
    m = dict(con.execute("select name, value from metrics where run_id=?", (rid,)).fetchall())
    for s in REQUIRED_STATS:
        check(s in m, f"metric {s} stored")
    check(con.execute("pragma journal_mode").fetchone()[0] == "wal", "database in WAL mode")
    con.close()
    rc, out, err = bfsim("results", "list", "--db", db)
    check(rc == 0 and "ezkit-icache-dcacheAB-wb" in out, "results list shows the run")
    rc, out, err = bfsim("results", "show", str(rid), "--db", db)
    check(rc == 0 and "core.cycles" in out, "results show prints metrics")
    rc, out, err = bfsim("results", "export", "--format", "json", "--db", db)
    check(rc == 0, "results export json exits 0")
    try:
        json.loads(out)
    except ValueError as e:
        check(False, f"export is valid JSON: {e}")
    rc, out, err = bfsim("results", "export", "--format", "csv", "--db", db)
    check(rc == 0 and "core.cycles" in out, "results export csv")
    rc, out, err = bfsim("results", "show", "999", "--db", db)
    check(rc == 2, "show of a missing run exits 2")


def db_rows(db):
    con = sqlite3.connect(db)
    r = (con.execute("select count(*) from runs").fetchone()[0],
         con.execute("select count(*) from metrics").fetchone()[0])
    con.close()
    return r


def test_db_errors():
    d = tmpdir()
    # a file that is not a database
    bad = write(os.path.join(d, "notadb.db"), "this is not sqlite\n" * 100)
    rc, out, err = bfsim("run", "--config", CFG, "--trace", DEFAULT_TRACE, "--db", bad)
    check(rc == 2 and "notadb.db" in err, f"non-database file: exit 2 naming it ({rc}: {err})")
    with open(bad) as f:
        check(f.read() == "this is not sqlite\n" * 100, "non-database file left untouched")
    # a database locked by another process
    db = os.path.join(d, "locked.db")
    rc, out, err = bfsim("run", "--config", CFG, "--trace", DEFAULT_TRACE, "--db", db)
    check(rc == 0, "first run stores")
    before = db_rows(db)
    locker = subprocess.Popen([sys.executable, "-c",
                               "import sqlite3,sys,time\n"
                               "c=sqlite3.connect(sys.argv[1], isolation_level=None)\n"
                               "c.execute('begin exclusive')\nprint('locked', flush=True)\ntime.sleep(60)\n", db],
                              stdout=subprocess.PIPE, text=True)
    locker.stdout.readline()
    try:
        rc, out, err = bfsim("run", "--config", CFG, "--trace", DEFAULT_TRACE, "--db", db,
                             env=dict(os.environ, BFSIM_DB_BUSY_MS="200"))
        check(rc == 2 and "locked" in err, f"locked database: exit 2, 'locked' ({rc}: {err})")
    finally:
        locker.kill()
        locker.wait()
    check(db_rows(db) == before, "locked database left intact")
    # a results directory that cannot be written (a path under a regular file)
    rc, out, err = bfsim("run", "--config", CFG, "--trace", DEFAULT_TRACE, "--db", os.path.join(bad, "x.db"))
    check(rc == 2 and "x.db" in err, f"unwritable database path: exit 2 ({rc}: {err})")
    # a read-only directory: as root, permission bits do not stop writes, so use a read-only
    # bind of a tmpfs when possible; otherwise a directory whose mode is 0555 for non-root
    ro = os.path.join(d, "ro")
    os.mkdir(ro)
    os.chmod(ro, 0o555)
    if os.geteuid() != 0:
        rc, out, err = bfsim("run", "--config", CFG, "--trace", DEFAULT_TRACE, "--db", os.path.join(ro, "r.db"))
        check(rc == 2 and "r.db" in err, f"read-only directory: exit 2 ({rc}: {err})")
    else:
        rc = subprocess.run(["unshare", "-m", "sh", "-c",
                             f"mount -o bind,ro {ro} {ro} && exec {BFSIM} run --config {CFG} --trace {DEFAULT_TRACE} --db {ro}/r.db"],
                            capture_output=True, text=True)
        if "mount" in rc.stderr and rc.returncode != 2:
            print("note: cannot make a read-only mount here; read-only directory case skipped", file=sys.stderr)
        else:
            check(rc.returncode == 2 and "r.db" in rc.stderr, f"read-only directory: exit 2 ({rc.returncode}: {rc.stderr})")


def test_interrupt():
    d = tmpdir()
    t = os.path.join(d, "big.bfb")
    subprocess.run([GEN, "20000000", t, "binary"], check=True)
    db = os.path.join(d, "r.db")
    p = subprocess.Popen([BFSIM, "run", "--config", CFG, "--trace", t, "--db", db],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=120)
    check(p.returncode == 130 and "interrupted" in err, f"SIGINT: exit 130 ({p.returncode}: {err})")
    con = sqlite3.connect(db)
    rows = con.execute("select id, status from runs").fetchall()
    check(rows and rows[0][1] == "interrupted", f"run recorded as interrupted: {rows}")
    n = con.execute("select count(*) from metrics").fetchone()[0]
    check(n == 0, "no metrics stored for an interrupted run")


def test_compare():
    rc, out, err = bfsim("compare", "--configs", *ALL_CONFIGS, "--trace", DEFAULT_TRACE, "--no-db")
    check(rc == 0, f"compare exits 0 ({err})")
    rows = {l.split()[0]: l.split()[1:] for l in out.splitlines() if l.strip()}
    check(len(rows.get("stat", [])) == 5, "one column per config")
    cyc = [int(x) for x in rows.get("core.cycles", [])]
    check(len(set(cyc)) == 5, f"the five configs give five different cycle counts: {cyc}")
    # caches off must be the slowest configuration
    check(cyc and cyc[0] == max(cyc), "no-cache config is the slowest")
    rc, out, err = bfsim("compare", "--configs", *ALL_CONFIGS[:2], "--trace", DEFAULT_TRACE, "--no-db", "--format", "json")
    j = json.loads(out)
    check(j["rows"]["speedup"][0] == 1.0, "speed-up of the first config is 1")
    rc, out, err = bfsim("compare", "--configs", *ALL_CONFIGS[:2], "--trace", DEFAULT_TRACE, "--no-db", "--format", "markdown")
    check(out.startswith("| stat |") and "|---|" in out, "markdown table")
    rc, out, err = bfsim("compare", "--configs", *ALL_CONFIGS[:2], "--trace", DEFAULT_TRACE, "--no-db", "--format", "csv")
    check(out.splitlines()[0].startswith("stat,"), "csv table")


def test_compare_one_pass():
    """compare reads the trace once for all the machines of a pass (one SDRAM size) and replays
    each batch of records on each of them: every run it stores must have the metrics, the faults,
    the hazards, the status and the workload hash of the same machine run alone by `bfsim run`,
    while machines of the same pass stop at different records (a fault) or not at all."""
    cfgs = ALL_CONFIGS + ["configs/compat-cachegrind.ini"]  # 64 MB: a second pass
    names = [os.path.basename(c)[:-4] for c in cfgs]
    # a Lackey trace; a native one on which compat-cachegrind faults and stops while the others
    # run on; DMA with coherency hazards; DMA without
    for trace, want_rc in [(DEFAULT_TRACE, 0), ("workloads/suite/fft-sdram.bft.zst", 3),
                           ("workloads/suite/dmaio-rx-noinv.bft.zst", 3),
                           ("workloads/suite/memcpy-sdram-dma.bft.zst", 0)]:
        d = tmpdir()
        cdb, sdb = os.path.join(d, "c.db"), os.path.join(d, "s.db")
        rc, out, err = bfsim("compare", "--configs", *cfgs, "--trace", trace, "--db", cdb)
        check(rc == want_rc, f"compare on {trace}: exit {want_rc} ({rc}: {err[-300:]})")
        for c in cfgs:
            rc, _, err = bfsim("run", "--config", c, "--trace", trace, "--db", sdb)
            check(rc in (0, 3), f"run {c} on {trace} ({rc}: {err[-300:]})")

        def runs(db):
            con = sqlite3.connect(db)
            got = {}
            for rid, name, status, whash in con.execute(
                    "select id, config_name, status, workload_hash from runs order by id"):
                got[name] = (rid, status, whash,
                             con.execute("select name, value from metrics where run_id = ? "
                                         "order by name", (rid,)).fetchall(),
                             con.execute("select seq, record, cause, excause, addr, access, mode, "
                                         "text from faults where run_id = ? order by seq",
                                         (rid,)).fetchall(),
                             con.execute("select seq, kind, addr, line, chan, transfer, dma_record, "
                                         "dma_line, core_record, core_line, text from hazards "
                                         "where run_id = ? order by seq", (rid,)).fetchall())
            con.close()
            return got

        c, s = runs(cdb), runs(sdb)
        check(sorted(c) == sorted(names) and sorted(s) == sorted(names), f"{trace}: one run per config")
        check([c[n][0] for n in names] == list(range(1, len(names) + 1)),
              f"{trace}: compare's runs are stored in config order")
        for n in names:
            if n not in c or n not in s:
                continue
            for i, what in [(1, "status"), (2, "workload hash"), (3, "metrics"), (4, "faults"),
                            (5, "hazards")]:
                check(c[n][i] == s[n][i], f"{trace}, {n}: the same {what} in compare as alone "
                      f"({str(c[n][i])[:200]} / {str(s[n][i])[:200]})")
            check(len(c[n][3]) > 100, f"{trace}, {n}: the metrics are there ({len(c[n][3])})")
        statuses = {c[n][1] for n in names if n in c}
        check(want_rc == 0 or len(statuses) > 1 or "fault" in statuses,
              f"{trace}: the runs of a pass end differently ({statuses})")


def test_fault_report():
    d = tmpdir()
    # mem=32M: the Linux bounds end at 32 MB (31 MB cacheable + 1 MB uncached DMA); 0x02100000
    # (33 MB) is past the SDRAM of the EZ-KIT (32 MB): the access must fault, at record 3
    t = small_trace(d, "L 0x00001000 4\nL 0x01F00000 4\nL 0x02100000 4\nL 0x00001000 4\n")
    db = os.path.join(d, "r.db")
    rc, out, err = bfsim("run", "--config", CFG, "--trace", t, "--db", db)
    check(rc == 3, f"fault stops the run with exit 3 ({rc}: {err})")
    check("0x02100000" in err and "record" in err and "t.bft:4" in err, f"fault report names address and record: {err}")
    con = sqlite3.connect(db)
    st = con.execute("select status from runs").fetchone()[0]
    check(st == "fault", f"run stored with status fault ({st})")
    nf = con.execute("select count(*) from faults").fetchone()[0]
    check(nf == 1, "one fault stored")
    rc, out, err = bfsim("run", "--config", CFG, "--trace", t, "--no-db", "--on-fault", "continue", "--json")
    j = json.loads(out)
    check(rc == 0 and j["stats"]["core.faults_skipped"] == 1, "--on-fault=continue skips the access")


def test_trace_tools():
    d = tmpdir()
    t = small_trace(d, "#program: test\nI 0xFFA00000 4\nL 0x00001000 4\nS 0x00001004 2\nG 10\nSSYNC\n"
                       "FLUSH 0x1000 2\nMODE user\nMMR 0xFFE00004 0x0000100F\nPHASE init\n")
    b = os.path.join(d, "t.bfb")
    rc, out, err = bfsim("trace", "convert", "--in", t, "--out", b, "--to", "binary")
    check(rc == 0, f"convert to binary ({err})")
    rc, out, err = bfsim("trace", "head", "--trace", b, "-n", "100")
    recs = [l.upper() for l in out.splitlines() if l and not l.startswith("#")]
    check(recs == ["I 0XFFA00000 4", "L 0X00001000 4", "S 0X00001004 2", "G 10", "SSYNC",
                   "FLUSH 0X00001000 2", "MODE USER", "MMR 0XFFE00004 0X0000100F", "PHASE INIT"],
          f"round trip text -> binary -> text keeps every record: {recs}")
    rc, out, err = bfsim("trace", "stats", "--trace", t, "--json")
    j = json.loads(out)
    check(j["stats"]["trace.ifetch"] == 1 and j["stats"]["trace.load"] == 1 and j["stats"]["trace.store"] == 1,
          "trace stats counts records by kind")
    check(j["regions"]["l1_inst"]["accesses"] == 1 and j["regions"]["sdram"]["lines"] == 1,
          "per-region accesses and footprint (0x1000 and 0x1004 share one 32-byte line)")


def test_dma():
    d = tmpdir()
    # 4096 bytes SDRAM -> SDRAM in 32-byte chunks: 128 EBIU reads and 128 writes from DMA, none
    # through the caches; the core does not wait (core.cycles stays 0 for a DMA-only trace) and the
    # transfer shows in core.dma_busy_cycles and in the drain time
    t = small_trace(d, "DMA 0 0x00100000 0x00140000 4096\n", "dma.bft")
    j = run_json("--config", CFG, "--trace", t)
    if j:
        s = j["stats"]
        check(s["sdram.reads.dma"] == 128 and s["sdram.writes.dma"] == 128, "DMA traffic in 32-byte chunks")
        check(s["core.dma_bytes"] == 4096 and s["core.cycles"] == 0, "DMA bytes counted, the core does not wait")
        check(s["core.dma_busy_cycles"] > 0 and s["core.drain_cycles"] == s["core.dma_busy_cycles"],
              "the transfer's duration is the time until the EBIU is idle")
        busy = s["core.dma_busy_cycles"]
        # a load miss issued together with the DMA's first request: the EBIU arbitrates per
        # request by AMGCTL.CDPRIO. EZ-KIT AMGCTL = 0x0009, CDPRIO = 0: at the shared SCLK edge the
        # core's fill goes first, so the load costs what it costs alone and the DMA's first read
        # waits behind it (core.dma_wait_cycles > 0). With CDPRIO = 1 (AMGCTL 0x0109) the first
        # 32-byte DMA read goes first and the load waits for that one request only: more than
        # alone, less than two average DMA requests (busy / 256: 128 reads and 128 writes), far
        # less than the whole transfer (the old whole-transfer-first model gave >= busy)
        alone = run_json("--config", CFG, "--trace", small_trace(d, "L 0x00300000 4\n", "l.bft"))
        dl = small_trace(d, "DMA 0 0x00100000 0x00140000 4096\nL 0x00300000 4\n", "dl.bft")
        after = run_json("--config", CFG, "--trace", dl)
        prio = run_json("--config", CFG, "--set", "ebiu.amgctl=0x0109", "--trace", dl)
        if alone and after and prio:
            a0, a1, a = after["stats"]["core.cycles"], prio["stats"]["core.cycles"], alone["stats"]["core.cycles"]
            check(a0 == a, f"CDPRIO=0: the core's fill goes first: {a0} == {a}")
            check(after["stats"]["core.dma_wait_cycles"] > 0 and after["stats"]["core.dma_core_wait_cycles"] == 0,
                  "CDPRIO=0: DMA waited for the core, the core not for DMA")
            check(a < a1 < a + 2 * busy / 256, f"CDPRIO=1: the load waits for one DMA request: {a} < {a1} < {a + 2 * busy / 256}")
            check(prio["stats"]["core.dma_core_wait_cycles"] > 0, "CDPRIO=1: core.dma_core_wait_cycles counts the wait")
        # two channels started together share the EBIU request by request (round-robin): each
        # transfer then takes about twice as long as alone, so the sum of their durations is at
        # least 3x one alone; on one channel they run one after the other (sum = 2x)
        both = run_json("--config", CFG, "--trace",
                        small_trace(d, "DMA 0 0x00100000 0x00140000 4096\nDMA 1 0x00180000 0x001C0000 4096\n", "d01.bft"))
        if both:
            check(both["stats"]["core.dma_busy_cycles"] >= 3 * busy, "two channels interleave")
            check(both["stats"]["core.drain_cycles"] < 2 * busy + 200, "two channels take no longer than the serial pair")
        # one channel runs one transfer at a time: two transfers take at least twice as long as one
        two = run_json("--config", CFG, "--trace",
                       small_trace(d, "DMA 0 0x00100000 0x00140000 4096\nDMA 0 0x00180000 0x001C0000 4096\n", "d2.bft"))
        if two:
            check(two["stats"]["core.drain_cycles"] >= 2 * busy - 100, "a channel's transfers are serialised")
    # DMA may not reach the scratchpad (reference section 1): a fault, exit 3
    t = small_trace(d, "DMA 1 0x00100000 0xFFB00000 64\n", "dmas.bft")
    rc, out, err = bfsim("run", "--config", CFG, "--trace", t, "--no-db")
    check(rc == 3 and "DMA" in err and "0xFFB00000" in err, f"DMA to the scratchpad faults: {rc} {err}")


# A hand-made trace with each hazard kind (ezkit-icache-dcacheAB-wb: SDRAM below 0x01F00000 is
# cacheable write-back in both caches). Record numbers count records; trace lines are one more
# (line 1 is the header). Worked out by hand:
#   rec 1  L 0x100000        miss: line 0x100000 filled, clean
#   rec 2  DMA 0 -> 0x100000 writes the valid line's memory: the line is stale
#   rec 4  L 0x100004        hit on the stale line: stale_read 1 (DMA record 2, core record 4)
#   rec 5  L 0x100008        stale_read 2 (one per access)
#   rec 6  FLUSHINV          invalidates it; rec 7's load misses and refills: nothing
#   rec 8  S 0x300000        dirties line 0x300000
#   rec 9  DMA 1 reads 0x300000..0x30003F: line 0x300000 is dirty: dirty_read 1 (0x300020 uncached)
#   rec 11 DMA 1 writes 0x300000 while the line is dirty; rec 13 FLUSH writes it back: lost_write 1
#   rec 14 I 0x600000 fills an I-cache line; rec 15 DMA writes it; rec 17 fetch: stale_ifetch 1;
#          rec 18 IFLUSH, rec 19 refetch: nothing
#   rec 20 I 0x700000; rec 21 S 0x700004 (write-back: not in memory yet); rec 22 fetch: nothing;
#          rec 23 FLUSH writes the store to memory; rec 24 fetch: stale_ifetch 2 (writer record 21)
# Total 6 = 1 + 2 + 1 + 2. With write-through pages (ezkit-icache-dcacheAB-wt) stores never make a
# line dirty and do not allocate: dirty_read 0, lost_write 0, stale_read 2; the store of rec 21
# reaches memory through the write buffer at once, so the fetches of rec 22 and 24 are both stale:
# stale_ifetch 3, total 5.
HAZARD_TRACE = """L 0x00100000 4
DMA 0 0x00200000 0x00100000 32
G 10000
L 0x00100004 4
L 0x00100008 4
FLUSHINV 0x00100000
L 0x0010000C 4
S 0x00300000 4
DMA 1 0x00300000 0x00400000 64
G 10000
DMA 1 0x00500000 0x00300000 32
G 10000
FLUSH 0x00300000
I 0x00600000 8
DMA 2 0x00200000 0x00600000 32
G 10000
I 0x00600000 8
IFLUSH 0x00600000
I 0x00600000 8
I 0x00700000 8
S 0x00700004 4
I 0x00700000 8
FLUSH 0x00700000
I 0x00700000 8
"""
HAZ = ["dma.hazards", "dma.hazards.dirty_read", "dma.hazards.stale_read", "dma.hazards.lost_write",
       "dma.hazards.stale_ifetch"]


def test_dma_hazards():
    d = tmpdir()
    t = small_trace(d, HAZARD_TRACE, "h.bft")
    rc, out, err = bfsim("run", "--config", CFG, "--trace", t, "--json", "--no-db")
    check(rc == 0, f"hazards are reported, not fatal, by default: {rc}")
    s = json.loads(out)["stats"] if rc == 0 else {}
    check([s.get(k) for k in HAZ] == [6, 1, 2, 1, 2], f"hazard counts (write-back): {[s.get(k) for k in HAZ]}")
    check(err.count("DMA coherency hazard:") == 6, "each hazard printed on stderr")
    check(f"stale_read at 0x00100004 (line 0x00100000)" in err and
          "DMA side: channel 0 transfer 1 (0x00200000 -> 0x00100000, 32 bytes), record 2, trace: " + t + ":3" in err and
          "core side: the load: record 4, trace: " + t + ":5" in err, "stale_read names both sides")
    check("dirty_read at 0x00300000" in err and "the store that dirtied the line: record 8, trace: " + t + ":9" in err,
          "dirty_read names the store that dirtied the line")
    check("lost_write at 0x00300000" in err and "channel 1 transfer 3" in err and
          "the write-back (eviction or FLUSH): record 13, trace: " + t + ":14" in err, "lost_write names the write-back")
    check("writer: the core store that reached memory: record 21, trace: " + t + ":22" in err,
          "stale_ifetch by core stores names the store")
    j = run_json("--config", "configs/ezkit-icache-dcacheAB-wt.ini", "--trace", t)
    if j:
        v = [j["stats"][k] for k in HAZ]
        check(v == [5, 0, 2, 0, 3], f"write-through pages: no dirty_read, no lost_write: {v}")
    # the Linux uncached DMA region (0x01F00000 with mem=32M): nothing is cached, nothing raised
    u = small_trace(d, "L 0x01F00000 4\nDMA 0 0x00200000 0x01F00000 32\nG 10000\nL 0x01F00004 4\n"
                       "S 0x01F00100 4\nDMA 0 0x01F00100 0x00400000 32\nG 10000\n", "u.bft")
    rc, out, err = bfsim("run", "--config", CFG, "--trace", u, "--json", "--no-db")
    check(rc == 0 and json.loads(out)["stats"]["dma.hazards"] == 0 and "hazard" not in err,
          "uncached DMA buffers raise nothing")
    # --on-hazard=ignore: counted, not printed; stop: exit 3 after the record that raised the
    # first hazard (record 4), run stored with status fault
    rc, out, err = bfsim("run", "--config", CFG, "--trace", t, "--json", "--no-db", "--on-hazard=ignore")
    check(rc == 0 and json.loads(out)["stats"]["dma.hazards"] == 6 and "hazard" not in err,
          "--on-hazard=ignore counts silently")
    db = os.path.join(d, "r.db")
    rc, out, err = bfsim("run", "--config", CFG, "--trace", t, "--json", "--db", db, "--on-hazard=stop")
    check(rc == 3 and "stopped at the first coherency hazard (--on-hazard=stop)" in err,
          f"--on-hazard=stop exits 3: {rc} {err}")
    if rc == 3:
        s = json.loads(out)["stats"]
        check(s["core.records"] == 4 and s["dma.hazards"] == 1, "stop ends after the record that raised it")
    c = sqlite3.connect(db)
    check(c.execute("SELECT status FROM runs").fetchall() == [("fault",)], "stopped run stored as fault")
    rc, out, err = bfsim("run", "--config", CFG, "--trace", t, "--no-db", "--on-hazard=maybe")
    check(rc == 2 and "--on-hazard: 'maybe' is not report, stop or ignore" in err, "bad --on-hazard")
    # report: every hazard stored with both sides' records and trace lines
    rc, out, err = bfsim("run", "--config", CFG, "--trace", t, "--db", db)
    check(rc == 0, "report run stored")
    rows = c.execute("SELECT kind, addr, line, chan, transfer, dma_record, dma_line, core_record,"
                     " core_line FROM hazards WHERE run_id = 2 ORDER BY seq").fetchall()
    want = [("stale_read", 0x100004, 0x100000, 0, 1, 2, 3, 4, 5),
            ("stale_read", 0x100008, 0x100000, 0, 1, 2, 3, 5, 6),
            ("dirty_read", 0x300000, 0x300000, 1, 2, 9, 10, 8, 9),
            ("lost_write", 0x300000, 0x300000, 1, 3, 11, 12, 13, 14),
            ("stale_ifetch", 0x600000, 0x600000, 2, 4, 15, 16, 17, 18),
            ("stale_ifetch", 0x700000, 0x700000, None, None, None, None, 24, 25)]
    check(rows == want, f"hazards table: {rows}")
    rc, out, err = bfsim("results", "show", "2", "--db", db)
    check(rc == 0 and "hazards:" in out and "lost_write at 0x00300000" in out, "results show lists the hazards")
    c.close()


def test_dma_bad_input():
    d = tmpdir()
    # overlapping source and destination: an input error naming the trace line, exit 2
    t = small_trace(d, "L 0x00100000 4\nDMA 0 0x00100000 0x00100010 64\n", "ov.bft")
    rc, out, err = bfsim("run", "--config", CFG, "--trace", t, "--no-db")
    check(rc == 2 and f"{t}:3: DMA source 0x00100000..0x0010003F and destination 0x00100010..0x0010004F overlap" in err,
          f"overlapping DMA is an input error: {rc} {err}")
    # dma.channels = 12 by default (8 peripheral channels, 2 memory DMA streams of 2): channel 12
    # is an input error, accepted once the machine has 16
    t = small_trace(d, "DMA 12 0x00100000 0x00200000 64\n", "ch.bft")
    rc, out, err = bfsim("run", "--config", CFG, "--trace", t, "--no-db")
    check(rc == 2 and f"{t}:2: DMA channel 12: the machine has 12 channels (dma.channels)" in err,
          f"channel beyond dma.channels: {rc} {err}")
    rc, out, err = bfsim("run", "--config", CFG, "--set", "dma.channels=16", "--trace", t, "--no-db")
    check(rc == 0, "dma.channels=16 accepts channel 12")
    # the upper half of data bank A is cache with DMC=11: DMA there is a fault of the record
    t = small_trace(d, "DMA 0 0x00100000 0xFF804000 64\n", "l1c.bft")
    rc, out, err = bfsim("run", "--config", CFG, "--trace", t, "--no-db")
    check(rc == 3 and "0xFF804000" in err and f"trace: {t}:2" in err, f"DMA to a cache half faults: {rc} {err}")
    j = run_json("--config", CFG, "--trace", t, "--on-fault=report")
    if j:
        check(j["stats"]["core.dma_faults"] == 1 and j["stats"]["core.dma_bytes"] == 0,
              "the refused transfer moves nothing")
    # the same address is SRAM with DMC=00 (configs/ezkit-icache.ini): allowed
    j = run_json("--config", "configs/ezkit-icache.ini", "--trace", t)
    if j:
        check(j["stats"]["core.dma_faults"] == 0 and j["stats"]["core.dma_bytes"] == 64, "DMA to L1 SRAM")


# The suite's DMA traces (workloads/kernels/dmaio.c, 4 packets of 1024 bytes = 32 lines, read as
# 256 words; overlays of 256 bytes = 8 lines fetched as 32 8-byte units, 4 passes per load, 4
# loads). The core waits 64 CCLK per byte after each DMA, longer than any transfer takes (checked
# below), so every DMA has completed before the core touches its buffer. Worked out by hand:
#   rx, rx-uncached, tx, tx-uncached, overlay   0 (correct, or uncached)
#   rx-noinv   packet 1's buffer is not cached when DMA writes it; packets 2..4 find the 32 lines
#              cached by the previous checksum: 3 x 256 loads = 768 stale_read
#   rx-dirty   the core clears the buffer (32 dirty lines) before each DMA, the FLUSHINV after it
#              writes them back: 4 x 32 = 128 lost_write
#   tx-noflush the core writes the 32 lines before each DMA, which reads them dirty: 4 x 32 = 128
#              dirty_read
#   overlay-noiflush  loads 2..4 overwrite the 8 lines cached by the previous run:
#              3 x 4 passes x 32 fetches = 384 stale_ifetch
SUITE_DMA = {"rx": [0, 0, 0, 0, 0], "rx-noinv": [768, 0, 768, 0, 0], "rx-dirty": [128, 0, 0, 128, 0],
             "rx-uncached": [0] * 5, "tx": [0] * 5, "tx-noflush": [128, 128, 0, 0, 0],
             "tx-uncached": [0] * 5, "overlay": [0] * 5, "overlay-noiflush": [384, 0, 0, 0, 384]}


def test_dma_suite():
    for m, want in SUITE_DMA.items():
        t = f"workloads/suite/dmaio-{m}.bft.zst"
        j = run_json("--config", CFG, "--trace", t, "--on-hazard=ignore")
        if not j:
            continue
        s = j["stats"]
        check([s[k] for k in HAZ] == want, f"{m}: hazards {[s[k] for k in HAZ]} == {want}")
        nbytes = 256 if m.startswith("overlay") else 1024
        check(s["core.dma_records"] == 4 and s["core.dma_busy_cycles"] / 4 < 64 * nbytes,
              f"{m}: each DMA completes within the core's wait")
    # write-through pages: the transmit without FLUSH raises nothing (the stores went through)
    j = run_json("--config", "configs/ezkit-icache-dcacheAB-wt.ini", "--trace",
                 "workloads/suite/dmaio-tx-noflush.bft.zst")
    if j:
        check(j["stats"]["dma.hazards"] == 0, "write-through transmit without FLUSH is coherent")


def test_constant_memory():
    # peak RSS of `bfsim run` must not grow with trace length: 1M and 10M records
    d = tmpdir()
    rss = {}
    for n in (1000000, 10000000):
        t = os.path.join(d, f"t{n}.bfb")
        subprocess.run([GEN, str(n), t, "binary"], check=True)
        p = subprocess.run(["/usr/bin/time", "-f", "%M", BFSIM, "run", "--config", CFG, "--trace", t, "--no-db"],
                           capture_output=True, text=True)
        check(p.returncode == 0, f"run of {n} records")
        rss[n] = int(p.stderr.strip().splitlines()[-1])
        os.remove(t)
    print("peak RSS (KB):", rss, file=sys.stderr)
    check(rss[10000000] <= rss[1000000] * 1.05 + 1024, f"RSS flat from 1M to 10M records: {rss}")


def main_one(tests):
    """Run tests["test_" + argv[1]] and exit 1 if any check failed."""
    tests["test_" + sys.argv[1]]()
    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main_one(globals())
