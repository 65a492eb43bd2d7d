#!/usr/bin/env python3
"""End-to-end tests of `bfsim report`, `compare/alloc --html`, --set-stats and the progress line.

`report_test.py NAME` runs test_NAME (CTest registers each). The browser tests render the page in
headless Chromium as a person would open it: a screenshot that must not be blank, the DOM after
rendering (--dump-dom) whose numbers must equal the database's, and every SVG parsed as XML with
a title, axis labels and data elements. The expectations come from the database (the stored
values the page claims to show) and from rules written out in the comments, never from the page.
"""
import glob
import html
import html.parser
import json
import os
import pty
import re
import select
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pngutil  # noqa: E402

BFSIM = os.environ.get("BFSIM", "build/sim/bfsim")
DEFAULT_TRACE = "workloads/suite/default.lackey.zst"
ALLOC_WORKLOAD = "workloads/suite/launch.bfa.zst"
# about 1 M records in 237 KB (zstd): several progress updates, a percent that rises
PROGRESS_TRACE = "workloads/suite/fft-sdram.bft.zst"
EZKIT = ["configs/ezkit-nocache.ini", "configs/ezkit-icache.ini",
         "configs/ezkit-icache-dcacheA-wb.ini", "configs/ezkit-icache-dcacheAB-wb.ini",
         "configs/ezkit-icache-dcacheAB-wt.ini"]
SVG_NS = "{http://www.w3.org/2000/svg}"

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def bfsim(*args, timeout=300):
    p = subprocess.run([BFSIM, *args], capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


DIRS = []


def tmpdir():
    DIRS.append(tempfile.mkdtemp(prefix="bfsim-report-"))
    return DIRS[-1]


def under_pty(args, timeout=120):
    """Run bfsim with stdin/stdout/stderr on a pseudo-terminal; return (exit code, bytes seen)."""
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execv(BFSIM, [BFSIM, *args])
        finally:
            os._exit(127)
    out, end = b"", time.time() + timeout
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 1)
        if not r:
            continue
        try:
            d = os.read(fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not d:
            break
        out += d
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), out


# ------------------------------------------------------------------------------------------------
# progress

PROGRESS = re.compile(rb"\r([^\r\n]*): ([0-9.]+ ?[kMG]?) (records|operations), [0-9.]+ ?[kMG]? "
                      rb"(records|operations)/s(, (\d+)%)?(, ETA [^\x1b]*)?\x1b\[K")
CLEAR = b"\r\x1b[K"


def test_progress():
    d = tmpdir()
    db = os.path.join(d, "p.db")
    cases = [
        ("trace stats", ["trace", "stats", "--trace", PROGRESS_TRACE], "records"),
        ("trace convert", ["trace", "convert", "--in", PROGRESS_TRACE, "--out", os.path.join(d, "c.bfb")],
         "records"),
        ("run", ["run", "--config", EZKIT[3], "--trace", PROGRESS_TRACE, "--no-db"], "records"),
        ("compare", ["compare", "--configs", EZKIT[1], EZKIT[3], "--trace", PROGRESS_TRACE, "--db", db],
         "records"),
        ("alloc", ["alloc", "--compare", "buddy,slab", "--workload", ALLOC_WORKLOAD,
                   "--sample-every", "100", "--no-db"], "operations"),
    ]
    for name, args, unit in cases:
        rc, out = under_pty(args)
        check(rc == 0, f"{name} under a pty exits 0 (got {rc})")
        lines = PROGRESS.findall(out)
        check(len(lines) >= 1, f"{name}: a progress line on the terminal (saw {out[:200]!r})")
        # the label names the command; the unit is records or operations
        check(all(l[0].startswith(name.encode()) for l in lines), f"{name}: progress labelled '{name}'")
        check(all(l[2] == unit.encode() for l in lines), f"{name}: progress counts {unit}")
        # the size of the (compressed) input is known: a percent and an ETA
        check(any(l[5] for l in lines), f"{name}: progress shows a percent of the input read")
        check(any(l[6] for l in lines), f"{name}: progress shows an ETA")
        for label in {l[0] for l in lines}:  # one label per input (compare: per config)
            pct = [int(l[5]) for l in lines if l[5] and l[0] == label]
            check(pct == sorted(pct) and all(0 <= p <= 100 for p in pct),
                  f"{name}: percent rises, 0..100: {label!r} {pct}")
        # cleared when done: the last progress line is followed by the clear sequence
        # before anything else is printed on that line
        ends = [m.end() for m in PROGRESS.finditer(out)]
        if ends:
            c = out.find(CLEAR, ends[-1])
            check(c == ends[-1], f"{name}: the line is cleared when done ({out[ends[-1]:ends[-1] + 40]!r})")
        # --quiet turns it off on a terminal too
        rc, out = under_pty(args + ["--quiet"])
        check(rc == 0 and not PROGRESS.search(out) and b"\r\x1b" not in out,
              f"{name} --quiet: no progress line (got {out[:120]!r})")
        # never on a pipe
        p = subprocess.run([BFSIM, *args], capture_output=True, timeout=300)
        check(p.returncode == 0 and b"\r" not in p.stderr and b"\x1b[" not in p.stderr
              and b"\x1b[" not in p.stdout, f"{name} on a pipe: no progress ({p.stderr[:120]!r})")
    # never in --json mode, even on a terminal
    for args in (["run", "--config", EZKIT[3], "--trace", PROGRESS_TRACE, "--no-db", "--json"],
                 ["trace", "stats", "--trace", PROGRESS_TRACE, "--json"],
                 ["compare", "--configs", EZKIT[1], "--trace", PROGRESS_TRACE, "--no-db", "--format", "json"]):
        rc, out = under_pty(args)
        check(rc == 0 and not PROGRESS.search(out), f"{args[0]} json mode on a pty: no progress")


# regress counts jobs: "regress NAME: done/total jobs, N failed, rate jobs/s, P%, ETA ..."
REGRESS_PROGRESS = re.compile(rb"\r(regress [^:\r\n]*): (\d+)/(\d+) jobs, (\d+) failed, [0-9.]+ ?[kMG]? "
                              rb"jobs/s, (\d+)%(, ETA [^\x1b]*)?\x1b\[K")


def regress_suite(d, name, traces, sets=()):
    """Two EZ-KIT configs on the given traces (paths), with --set lines for every job."""
    ini = os.path.join(d, name + "-" + str(len(os.listdir(d))) + ".ini")
    with open(ini, "w") as f:
        f.write(f"[suite]\nname = {name}\nconfigs = {os.path.abspath(EZKIT[1])} {os.path.abspath(EZKIT[3])}\n"
                f"traces = {' '.join(os.path.abspath(t) for t in traces)}\n")
        for s in sets:
            f.write(f"set = {s}\n")
        # the SDRAM statistics may move by 1 %; everything else is exact, core.cycles 0.2 %
        f.write("[tolerance]\ndefault = 0\ncore.cycles = 0.002\nsdram.* = 0.01\n")
    return ini


def test_regress_progress():
    d = tmpdir()
    # 3 traces x 2 configs, one trace corrupt: 6 jobs, 2 of them fail; -j1 so that the line is
    # redrawn while the jobs run
    bad = os.path.join(d, "corrupt.bft")
    with open(bad, "w") as f:
        f.write("#bfsim-trace 1\nL 0x00001000 4\nQ nonsense\n")
    suite = regress_suite(d, "progress", ["workloads/suite/memcpy-sdram-dma.bft.zst", PROGRESS_TRACE, bad])
    args = ["regress", "--suite", suite, "--no-db", "-j1"]
    rc, out = under_pty(args)
    check(rc == 1, f"regress with 2 failing jobs under a pty exits 1 (got {rc})")
    lines = REGRESS_PROGRESS.findall(out)
    check(len(lines) >= 2, f"regress: progress lines on the terminal (saw {out[:300]!r})")
    check(all(l[0] == b"regress progress" for l in lines), "regress: progress labelled with the suite")
    check(all(int(l[2]) == 6 for l in lines), "regress: the total is the 6 jobs")
    done = [int(l[1]) for l in lines]
    fails = [int(l[3]) for l in lines]
    check(done == sorted(done) and fails == sorted(fails) and all(f <= n for f, n in zip(fails, done)),
          f"regress: jobs done and failures rise, failures <= done ({done} {fails})")
    check(all(int(l[4]) == int(l[1]) * 100 // 6 or abs(int(l[4]) - int(l[1]) * 100 / 6) <= 0.5 for l in lines),
          f"regress: percent = done / total ({[(l[1], l[4]) for l in lines]})")
    check(any(l[5] for l in lines), "regress: an ETA once a job has finished")
    check(any(int(l[3]) >= 1 for l in lines), f"regress: failures so far are counted ({fails})")
    ends = [m.end() for m in REGRESS_PROGRESS.finditer(out)]
    if ends:
        check(out.find(CLEAR, ends[-1]) == ends[-1], "regress: the line is cleared before the report")
    check(b"FAIL: 6 jobs, 4 ran, 2 failed" in out, "regress: the report follows on the terminal")
    # one mechanism: no other live line (the old "jobs done" format) is drawn
    check(b"jobs done" not in out, "regress: only the bf_progress line")
    for extra, what in ((["--quiet"], "--quiet"), (["--format", "json"], "--format json")):
        rc, out = under_pty(args + extra)
        check(rc == 1 and not REGRESS_PROGRESS.search(out) and b"\r\x1b" not in out,
              f"regress {what} on a pty: no progress line ({out[:160]!r})")
    p = subprocess.run([BFSIM, *args], capture_output=True, timeout=300)
    check(p.returncode == 1 and b"\r" not in p.stderr and b"\x1b[" not in p.stderr + p.stdout,
          f"regress on a pipe: no progress ({p.stderr[:160]!r})")


# ------------------------------------------------------------------------------------------------
# per-set statistics

def test_set_stats():
    d = tmpdir()
    db = os.path.join(d, "s.db")
    for cfg in (EZKIT[3], EZKIT[2]):
        rc, _, err = bfsim("run", "--config", cfg, "--trace", DEFAULT_TRACE, "--db", db, "--set-stats")
        check(rc == 0, f"run --set-stats {cfg} exits 0 ({err.strip()})")
        rc, _, err = bfsim("run", "--config", cfg, "--trace", DEFAULT_TRACE, "--db", db)
        check(rc == 0, f"run {cfg} exits 0 ({err.strip()})")
    con = sqlite3.connect(db)
    runs = [r[0] for r in con.execute("SELECT id FROM runs ORDER BY id")]
    check(len(runs) == 4, "four runs stored")

    def metrics(run):
        return dict(con.execute("SELECT name, value FROM metrics WHERE run_id = ?", (run,)))

    def series_sum(run, series, prefix):
        return con.execute("SELECT COALESCE(SUM(value), 0) FROM series WHERE run_id = ? AND series = ? "
                           "AND name LIKE ?", (run, series, prefix + "%")).fetchone()[0]

    for with_sets, without in ((runs[0], runs[1]), (runs[2], runs[3])):
        m = metrics(with_sets)
        # counting per set changes no statistic
        check(m == metrics(without), f"run {with_sets}: --set-stats leaves every statistic unchanged")
        # every fill and eviction lands in exactly one set and way
        for cache in ("dcache", "icache"):
            check(series_sum(with_sets, "sets." + cache, "fills.") == m[f"l1.{cache}.fills"],
                  f"run {with_sets}: sets.{cache} fills sum to l1.{cache}.fills ({m[f'l1.{cache}.fills']})")
            check(series_sum(with_sets, "sets." + cache, "evictions.") == m[f"l1.{cache}.evictions"],
                  f"run {with_sets}: sets.{cache} evictions sum to l1.{cache}.evictions")
        # the geometry of the BF533: 2 banks x 256 sets x 2 ways, I-cache 128 sets x 4 ways
        geo = dict(con.execute("SELECT name, value FROM series WHERE run_id = ? AND series = 'sets.geometry'",
                               (with_sets,)))
        check(geo == {"dbanks": 2, "dsets": 256, "dways": 2, "isets": 128, "iways": 4},
              f"run {with_sets}: set geometry stored ({geo})")
        mx = con.execute("SELECT MAX(idx) FROM series WHERE run_id = ? AND series = 'sets.dcache'",
                         (with_sets,)).fetchone()[0]
        check(mx is not None and mx < 512, f"run {with_sets}: D set index below 2 * 256 ({mx})")
        # without --set-stats nothing is stored
        n = con.execute("SELECT COUNT(*) FROM series WHERE run_id = ? AND series LIKE 'sets.%'",
                        (without,)).fetchone()[0]
        check(n == 0, f"run {without}: no set statistics without --set-stats")
    # with only bank A as cache (dcacheA), no fill is counted in bank B's sets (index >= 256)
    nb = con.execute("SELECT COUNT(*) FROM series WHERE run_id = ? AND series = 'sets.dcache' AND idx >= 256",
                     (runs[2],)).fetchone()[0]
    check(nb == 0, "dcacheA config: no fills in bank B")
    con.close()


# ------------------------------------------------------------------------------------------------
# report command: usage, errors, atomic output

def test_report_cli():
    d = tmpdir()
    db = os.path.join(d, "r.db")
    rc, _, err = bfsim("run", "--config", EZKIT[3], "--trace", "workloads/suite/fft-l1.bft.zst", "--db", db)
    check(rc == 0, f"a run to report ({err.strip()})")
    out = os.path.join(d, "out", "nested")
    rc, so, err = bfsim("report", "--db", db, "--last", "1", "--out", out)
    check(rc == 0 and so.strip() == out + "/index.html", f"report --last 1 prints the page path ({rc} {so!r} {err})")
    page = open(os.path.join(out, "index.html")).read()
    check(page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>"), "a whole HTML page")
    # self-contained: no script, no external resources
    check("<script" not in page and "http://" not in page.replace("http://www.w3.org/2000/svg", "")
          and "https://" not in page and "<link" not in page, "no script and no network resource")
    before = open(os.path.join(out, "index.html"), "rb").read()
    cases = [
        (["report", "--db", db, "--runs", "99", "--out", out], "run 99: no such run"),
        (["report", "--db", db, "--runs", "1,x", "--out", out], "--runs: '1,x' is not a list"),
        (["report", "--db", db, "--out", out], "give exactly one of --runs"),
        (["report", "--db", db, "--runs", "1", "--last", "2", "--out", out], "give exactly one of --runs"),
        (["report", "--db", db, "--runs", "1"], "--out DIR is required"),
        (["report", "--db", os.path.join(d, "missing.db"), "--runs", "1", "--out", out], "does not exist"),
        (["report", "--db", db, "--last", "0", "--out", out], "--last: '0' is not a number"),
        (["report", "--db", db, "--runs", "1", "--regression", "1", "--out", out], "give exactly one of --runs"),
        (["report", "--db", db, "--regression", "x", "--out", out], "--regression: 'x' is not a regression id"),
        (["report", "--db", db, "--regression", "1", "--out", out], "no regression 1"),
        (["compare", "--configs", EZKIT[1], "--trace", DEFAULT_TRACE, "--no-db", "--html", out],
         "cannot go with --no-db"),
    ]
    for args, msg in cases:
        rc, _, err = bfsim(*args)
        check(rc == 2 and msg in err, f"{' '.join(args[:4])}...: exit 2 with '{msg}' (got {rc}: {err.strip()})")
    # a failed report leaves the previous page as it was and no temporary file behind
    check(open(os.path.join(out, "index.html"), "rb").read() == before, "failed reports keep the old page")
    check(os.listdir(out) == ["index.html"], f"no temporary files left ({os.listdir(out)})")
    # a run that failed has no metrics to show
    con = sqlite3.connect(db)
    con.execute("INSERT INTO runs (start_time, status, config_name, command) "
                "VALUES ('2026-01-01T00:00:00Z', 'failed', 'x', 'run')")
    con.commit()
    con.close()
    rc, _, err = bfsim("report", "--db", db, "--runs", "2", "--out", out)
    check(rc == 2 and "has no metrics" in err, f"a failed run is refused ({err.strip()})")
    # the output path is a file, not a directory
    f = os.path.join(d, "file")
    open(f, "w").close()
    rc, _, err = bfsim("report", "--db", db, "--runs", "1", "--out", f)
    check(rc == 2 and "not a directory" in err, f"--out on a file: exit 2 ({err.strip()})")


# ------------------------------------------------------------------------------------------------
# the browser

def chromium():
    for name in ("chromium-headless-shell", "chromium", "chromium-browser"):
        p = shutil.which(name)
        if p:
            return p
    return None


def have_chromium():
    check(chromium() is not None, "chromium is installed (scripts/install-deps)")
    return chromium() is not None


def chrome(page, *mode, height=1600):
    exe = chromium()
    profile = tempfile.mkdtemp(prefix="bfsim-chromium-")
    try:
        p = subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                            "--no-first-run", "--disable-background-networking",
                            "--disable-component-update", "--disable-sync",
                            f"--user-data-dir={profile}", f"--window-size=1280,{height}", *mode,
                            "file://" + os.path.abspath(page)],
                           capture_output=True, timeout=120, cwd=profile)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return p


class Cells(html.parser.HTMLParser):
    """Elements carrying data-run/data-stat, with their text; the number of svg elements."""

    def __init__(self):
        super().__init__()
        self.cells, self.cur, self.svgs, self.text = [], None, 0, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg":
            self.svgs += 1
        if "data-run" in a and "data-stat" in a:
            self.cur = [int(a["data-run"]), a["data-stat"], a.get("data-phase"), ""]

    def handle_endtag(self, tag):
        if self.cur and tag in ("td", "span"):
            self.cells.append(tuple(self.cur))
            self.cur = None

    def handle_data(self, data):
        if self.cur is not None:
            self.cur[3] += data
        self.text.append(data)


def same_number(shown, stored):
    """The page shows integers in full (with thousands commas) and others to 6 digits."""
    if stored is None:
        return shown == "n/a"
    s = shown.replace(",", "")
    try:
        v = float(s)
    except ValueError:
        return False
    if stored == int(stored) and abs(stored) < 2 ** 53:
        return "." not in s and "e" not in s and int(s) == int(stored)
    return abs(v - stored) <= 5e-6 * abs(stored)


def check_svgs(page, name):
    text = open(page).read()
    svgs = re.findall(r"<svg\b.*?</svg>", text, re.S)
    check(len(svgs) >= 1, f"{name}: the page has charts")
    for i, s in enumerate(svgs):
        try:
            root = ET.fromstring(s)
        except ET.ParseError as e:
            check(False, f"{name}: svg {i} parses as XML ({e})")
            continue
        title = root.find(SVG_NS + "title")
        t = title.text if title is not None else ""
        check(bool(t and t.strip()), f"{name}: svg {i} has a title")
        labels = [e for e in root.iter(SVG_NS + "text") if e.get("class") == "axis-label"]
        check(len(labels) >= 2 and all((e.text or "").strip() for e in labels),
              f"{name}: svg {i} ({t}) has axis labels ({len(labels)})")
        data = [e for e in root.iter() if e.get("class") == "data"]
        check(len(data) >= 1, f"{name}: svg {i} ({t}) has data elements")
        # axis labels of quantities say their unit: (CCLK), (%), (MB), (index), ...
        units = [e.text for e in labels if "(" in (e.text or "")]
        check(len(units) >= 1, f"{name}: svg {i} ({t}) names a unit on an axis")
    return len(svgs)


def check_rendered(page, db, name, expect_cells, expect_svgs_min):
    # the screenshot: a real page has many colours and is mostly not background
    shot = os.path.join(os.path.dirname(page), "shot.png")
    p = chrome(page, f"--screenshot={shot}")
    check(p.returncode == 0 and os.path.exists(shot), f"{name}: chromium screenshot ({p.stderr[-300:]!r})")
    if os.path.exists(shot):
        png = pngutil.decode(shot)
        check(png[0] == 1280, f"{name}: screenshot 1280 px wide")
        colours = pngutil.distinct_colours(png)
        check(len(colours) >= 20, f"{name}: screenshot is not blank ({len(colours)} colours)")
        w, h, ch, rows = png
        ink = sum(1 for y in range(0, h, 9) for x in range(0, w, 9)
                  if sum(rows[y][x * ch:x * ch + 3]) < 600)
        check(ink >= 200, f"{name}: screenshot has text and charts ({ink} dark samples)")
    # the DOM after rendering: every number shown equals the database's
    p = chrome(page, "--dump-dom")
    dom = p.stdout.decode("utf-8", "replace")
    check(p.returncode == 0 and "</html>" in dom, f"{name}: chromium --dump-dom")
    cells = Cells()
    cells.feed(dom)
    con = sqlite3.connect(db)
    bad = []
    for run, stat, phase, shown in cells.cells:
        if phase is not None:
            row = con.execute("SELECT value FROM series WHERE run_id = ? AND series LIKE 'phase.%' AND idx = ? "
                              "AND name = ?", (run, int(phase), stat)).fetchone()
            stored = row[0] if row else 0.0
        else:
            row = con.execute("SELECT value FROM metrics WHERE run_id = ? AND name = ?", (run, stat)).fetchone()
            stored = row[0] if row else None
        if not same_number(shown.strip(), stored):
            bad.append((run, stat, shown, stored))
    con.close()
    check(not bad, f"{name}: numbers shown equal the database ({bad[:5]})")
    check(len(cells.cells) >= expect_cells, f"{name}: {len(cells.cells)} numbers checked (>= {expect_cells})")
    check(cells.svgs >= expect_svgs_min, f"{name}: {cells.svgs} charts rendered in the DOM")
    check(check_svgs(page, name) == cells.svgs, f"{name}: every chart of the file is in the DOM")
    return "".join(cells.text)


def test_browser_compare():
    if not have_chromium():
        return
    d = tmpdir()
    db = os.path.join(d, "c.db")
    out = os.path.join(d, "html")
    rc, so, err = bfsim("compare", "--configs", *EZKIT, "--trace", DEFAULT_TRACE, "--db", db, "--set-stats",
                        "--html", out)
    check(rc == 0 and f"report written to {out}/index.html" in err, f"compare --html ({rc}: {err.strip()})")
    page = os.path.join(out, "index.html")
    # 5 runs x 31 comparison rows + 5 core.cycles totals under the stall chart
    text = check_rendered(page, db, "compare", 5 * 31 + 5, 6)
    for cfg in EZKIT:
        check(os.path.basename(cfg)[:-4] in text, f"compare page names {cfg}")
    # set heatmaps: nocache has none; icache 1 (I); dcacheA 2 (A, I); dcacheAB 3 (A, B, I) x 2
    heat = re.findall(r"<title>(D-cache bank [AB]|I-cache), ", open(page).read())
    check(len(heat) == 0 + 1 + 2 + 3 + 3, f"compare: 9 set heatmaps ({len(heat)})")
    check("No cache is enabled in this config" in text, "compare: nocache says it has no cache")
    # the stall stack of each run sums to core.cycles (the chart's premise)
    con = sqlite3.connect(db)
    for (run,) in con.execute("SELECT id FROM runs"):
        m = dict(con.execute("SELECT name, value FROM metrics WHERE run_id = ?", (run,)))
        parts = m["core.busy_cycles"] + sum(v for k, v in m.items() if (k.startswith("core.stall.") and
                                            k != "core.stall.total") or k.startswith("l1.stall."))
        check(parts == m["core.cycles"], f"run {run}: stall stack sums to core.cycles")
    con.close()
    # the same page again from `bfsim report` of the same runs
    out2 = os.path.join(d, "again")
    rc, so, err = bfsim("report", "--db", db, "--runs", "1-5", "--out", out2,
                        "--title", f"bfsim compare: 5 configs on {DEFAULT_TRACE}")
    check(rc == 0, f"report --runs 1-5 ({err.strip()})")
    check(open(page).read() == open(os.path.join(out2, "index.html")).read(),
          "report of the same runs writes the same page as compare --html")


def test_browser_alloc():
    if not have_chromium():
        return
    d = tmpdir()
    db = os.path.join(d, "a.db")
    out = os.path.join(d, "html")
    rc, so, err = bfsim("alloc", "--compare", "buddy,slab,slob,tlsf", "--workload", ALLOC_WORKLOAD,
                        "--sample-every", "100", "--db", db, "--html", out)
    check(rc == 0, f"alloc --compare --html ({rc}: {err.strip()})")
    page = os.path.join(out, "index.html")
    # 4 allocators x 17 rows; 3 series charts + fragmentation + latency
    text = check_rendered(page, db, "alloc", 4 * 17, 5)
    for a in ("buddy", "slab", "slob", "tlsf"):
        check(f"default/{a}" in text, f"alloc page names {a}")
    src = open(page).read()
    for t in ("Free memory over the workload", "Largest free block over the workload",
              "Unusable free space index", "Internal fragmentation per allocator", "Latency of an allocation"):
        check(f"<title>{t}" in src, f"alloc page has the chart '{t}'")
    # one line per allocator in each series chart, one point per stored sample
    con = sqlite3.connect(db)
    nsamples = [con.execute("SELECT COUNT(*) FROM series WHERE run_id = ? AND series = 'alloc' AND name = 'op'",
                            (r,)).fetchone()[0] for r in (1, 2, 3, 4)]
    con.close()
    polys = re.findall(r'<polyline class="data"[^>]*points="([^"]*)"', src)
    check(len(polys) == 3 * 4, f"alloc: 3 charts x 4 allocators lines ({len(polys)})")
    check([len(p.split()) for p in polys[:4]] == nsamples, f"alloc: a point per sample ({nsamples})")
    # phases: a trace with 16 phase markers (fft-sdram), each phase a row and a bar
    out = os.path.join(d, "phases")
    rc, _, err = bfsim("compare", "--configs", EZKIT[3], EZKIT[4], "--trace", "workloads/suite/fft-sdram.bft.zst",
                       "--db", db, "--html", out, "--format", "csv")
    check(rc == 0, f"compare with phases ({err.strip()})")
    text = check_rendered(os.path.join(out, "index.html"), db, "phases", 2 * 16, 2 * 2)
    check("Cycles per phase" in text or "Cycles per phase" in open(os.path.join(out, "index.html")).read(),
          "phases chart present")


def test_browser_regress():
    if not have_chromium():
        return
    d = tmpdir()
    db = os.path.join(d, "r.db")
    base = os.path.join(d, "base.jsonl")
    traces = ["workloads/suite/memcpy-sdram-dma.bft.zst", "workloads/suite/fft-l1.bft.zst"]
    # 1: the baseline; 2, 3: the core-to-EBIU overhead raised twice (4 -> 6 -> 8 SCLK), which moves
    # the SDRAM-bound job's cycles and SDRAM statistics out of tolerance (the L1-bound fft-l1 job
    # moves less or not at all): a trend of three points per moved statistic
    rc, out, err = bfsim("regress", "--suite", regress_suite(d, "small", traces), "--baseline", base,
                         "--update-baseline", "--db", db, "-j2")
    check(rc == 0, f"regress --update-baseline ({rc}: {err})")
    pages = []
    for i, sclk in enumerate((6, 8)):
        out_dir = os.path.join(d, f"html{i}")
        rc, out, err = bfsim("regress", "--suite", regress_suite(d, "small", traces, [f"ebiu.core_overhead_sclk={sclk}"]),
                             "--baseline", base, "--db", db, "-j2", "--html", out_dir)
        check(rc == 1 and "stats moved" in out, f"regress with a moved stat exits 1 ({rc}: {out[-300:]} {err})")
        check(f"report written to {out_dir}/index.html" in err, f"regress --html writes the page ({err})")
        pages.append(os.path.join(out_dir, "index.html"))
    con = sqlite3.connect(db)
    regs = [r[0] for r in con.execute("SELECT id FROM regressions ORDER BY start_time, id")]
    check(len(regs) == 3, f"3 regressions stored ({regs})")
    reg = regs[-1]
    moves = con.execute("SELECT job, stat, baseline, baseline_text, now, now_text, change, tolerance "
                        "FROM regression_moves WHERE regression_id = ? ORDER BY seq", (reg,)).fetchall()
    # the stored comparison equals the baseline file and the runs' metrics
    bl = {}
    with open(base) as f:
        for line in f.read().splitlines()[1:]:
            o = json.loads(line)
            bl[(o["job"], o["stat"])] = o["value"]
    runs = dict(con.execute("SELECT job, run_id FROM regression_jobs WHERE regression_id = ?", (reg,)))
    check(len(moves) >= 3, f"regression {reg} stored its moved statistics ({len(moves)})")
    check(any(m[7] > 0 for m in moves) and any(m[7] == 0 for m in moves),
          "moved statistics with a tolerance (sdram.*) and exact ones")
    for job, stat, b, bt, now, nt, change, tol in moves:
        stored = con.execute("SELECT value FROM metrics WHERE run_id = ? AND name = ?", (runs[job], stat)).fetchone()
        check(bt is None and b == bl[(job, stat)], f"stored baseline of {job} {stat} = the file's ({b}, {bl.get((job, stat))})")
        check(nt is None and stored and now == stored[0], f"stored now of {job} {stat} = the run's metric")
        check(abs(change - (now - b) / abs(b)) < 1e-12 and abs(change) > tol,
              f"{job} {stat}: change {change} = (now - baseline) / |baseline|, beyond tolerance {tol}")
    check([abs(m[6]) for m in moves] == sorted((abs(m[6]) for m in moves), reverse=True), "moves worst first")
    # report --regression draws the same page later, from the database alone (no baseline file)
    os.rename(base, base + ".away")
    out2 = os.path.join(d, "again")
    rc, so, err = bfsim("report", "--db", db, "--regression", str(reg), "--out", out2)
    check(rc == 0, f"report --regression {reg} ({rc}: {err})")
    page = os.path.join(out2, "index.html")
    check(os.path.exists(page) and open(page).read() == open(pages[-1]).read(),
          "report --regression writes the page regress --html wrote")
    rc, so, err = bfsim("report", "--db", db, "--regression", "99", "--out", out2)
    check(rc == 2 and "no regression 99" in err, f"report --regression of an unknown id: exit 2 ({rc}: {err})")
    # in the browser: the runs' numbers (and the moved stats' now) equal the database
    njobs = len(runs)
    text = check_rendered(page, db, "regress", njobs * 31 + len(moves), 4)
    check("Regression" in text and "Moved statistics" in text, "regress page has the Regression section")
    # the DOM's baseline cells equal the baseline file; changes as (now - baseline) / |baseline|
    dom = chrome(page, "--dump-dom").stdout.decode()
    cells = re.findall(r'<td data-job="([^"]+)" data-bstat="([^"]+)">([^<]*)</td><td data-run="(\d+)" '
                       r'data-stat="[^"]+">([^<]*)</td><td class="change">([^<]*)</td>', dom)
    check(len(cells) == len(moves), f"one row per moved statistic in the DOM ({len(cells)} of {len(moves)})")
    for (job, stat, shown_b, run, shown_n, shown_c), m in zip(cells, moves):
        check((job, stat) == (html.unescape(m[0]), m[1]), f"row order = stored order ({job} {stat})")
        check(same_number(shown_b, bl[(m[0], m[1])]), f"{job} {stat}: baseline shown {shown_b} = file {bl[(m[0], m[1])]}")
        check(int(run) == runs[m[0]], f"{job}: now cell names the job's run")
        want = f"{m[6] * 100:+.4f} %"
        check(shown_c == want, f"{job} {stat}: change shown {shown_c!r} = {want!r}")
    # one trend chart per moved (numeric) statistic: a point per regression of the suite, the
    # values equal to the job's metric in that regression, oldest first, this one marked
    src = open(page).read()
    trends = re.findall(r"<svg\b.*?</svg>", src, re.S)
    trends = [t for t in trends if "over the regressions of suite small" in t]
    check(len(trends) == min(len(moves), 24), f"a trend chart per moved statistic ({len(trends)})")
    for t, m in zip(trends, moves):
        root = ET.fromstring(t)
        title = root.find(SVG_NS + "title").text
        check(title.startswith(f"{m[1]} of {m[0]} "), f"trend {title!r} is of {m[0]} {m[1]}")
        pts = [(int(e.get("data-regression")), float(e.get("data-value"))) for e in root.iter(SVG_NS + "circle")
               if e.get("class") == "data"]
        want = []
        for g in regs:
            rid = con.execute("SELECT run_id FROM regression_jobs WHERE regression_id = ? AND job = ?", (g, m[0])).fetchone()
            v = con.execute("SELECT value FROM metrics WHERE run_id = ? AND name = ?", (rid[0], m[1])).fetchone()
            want.append((g, v[0]))
        check(pts == want, f"trend of {m[0]} {m[1]}: {pts} = the database's {want}")
        check(pts[0][1] == m[2], f"trend of {m[1]}: the baseline regression's value is the baseline")
        base_lines = [e for e in root.iter(SVG_NS + "line") if e.get("class") == "baseline"]
        check(len(base_lines) == 1, f"trend of {m[1]}: a baseline line")
        labels = [e.text for e in root.iter(SVG_NS + "text") if e.get("class") == "axis-label"]
        check(any(l.startswith(m[1] + " (") for l in labels), f"trend of {m[1]}: y axis names the stat and unit ({labels})")
        check(len([e for e in root.iter(SVG_NS + "text") if e.get("class") == "legend"]) >= 2,
              f"trend of {m[1]}: a legend")
    con.close()
    # --from-db: the comparison of what the database holds, with the same section
    os.rename(base + ".away", base)
    out3 = os.path.join(d, "fromdb")
    rc, so, err = bfsim("regress", "--suite", regress_suite(d, "small", traces), "--from-db", db, "--baseline", base,
                        "--html", out3)
    check(rc == 1 and os.path.exists(os.path.join(out3, "index.html")), f"regress --from-db --html ({rc}: {err})")
    if rc == 1:
        check_rendered(os.path.join(out3, "index.html"), db, "regress --from-db", njobs * 31, 4)


def main():
    name = sys.argv[1]
    globals()["test_" + name]()
    if failures:
        print(f"{len(failures)} check(s) failed; files kept in {' '.join(DIRS)}", file=sys.stderr)
        sys.exit(1)
    for d in DIRS:
        shutil.rmtree(d, ignore_errors=True)
    print("ok")


if __name__ == "__main__":
    main()
