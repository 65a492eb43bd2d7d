#!/usr/bin/env python3
"""The bad-input catalog: one row per hostile input, read from catalog.txt.

Row format (fields separated by " | "; lines starting with # and blank lines are skipped):

    ID | SETUP | COMMAND | EXIT | REGEX | UNCHANGED

SETUP   ";"-separated steps that make the inputs in a fresh directory $D ("-": none):
          text:NAME=CONTENT      a file with CONTENT (Python escapes: \\n, \\xff, \\t)
          copy:NAME=PATH         a copy of a repository file
          trunc:NAME=PATH:N      the first N bytes of a repository file
          gzip:NAME=CONTENT      CONTENT, gzip-compressed
          big:NAME=N             N bytes of "x" (no newline) appended to $D/NAME
          db:NAME                a results database holding one finished run
          foreigndb:NAME         an SQLite file of another application
          corruptdb:NAME         a results database with a damaged b-tree page
          fifo:NAME              a FIFO nobody writes (the command blocks on it)
          mkdir:NAME             a directory
          symlink:NAME=TARGET    a symbolic link to $D/TARGET
          append:NAME=CONTENT    CONTENT appended to $D/NAME
          binary:NAME=PATH       PATH (a repository trace or $D/...) converted to native binary
          chmod:NAME=MODE        chmod (octal); for a read-only file or folder the command runs
                                 as user "nobody" when the test runs as root (root ignores modes)
          lockdb:NAME            a results database on which another process holds an
                                 exclusive lock for the whole command
          feed:NAME=PATH         a FIFO that a writer fills with PATH's bytes, then closes
          repeat:NAME=PATH*N     PATH decompressed (zstd -dcf), N times over: an input long enough
                                 that a signal surely arrives while it is being read
COMMAND the bfsim arguments, split on blanks; $D is the directory, $T a small suite trace,
        $W a suite allocation workload, $C a machine config. "<FILE" feeds FILE on stdin;
        "!SIG@S" sends signal SIG after S seconds (the command must end within 1 s of it).
EXIT    the expected exit code.
REGEX   a Python regular expression that stderr must match (re.search). With --json and
        exit 0, stdout must also be valid UTF-8 JSON.
UNCHANGED ","-separated files (under $D) that must keep every byte ("-": none). In every
        row, every database in $D must pass PRAGMA integrity_check afterwards, and no
        temporary output (".tmp-") may be left in $D.

The expectations are the project's rules for bad input (exit 2 for bad input, 130 for a signal, 3 for a
simulated fault; a message naming the file, line or option), written by hand per row.
"""
import gzip
import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import tempfile
import threading
import time

BFSIM = os.environ.get("BFSIM", "build/sim/bfsim")
SUBST = {"$T": "workloads/suite/memcpy-sdram-dma.bft.zst", "$W": "workloads/suite/launch.bfa.zst",
         "$C": "configs/ezkit-icache.ini"}


def unescape(s):
    return s.encode("latin-1").decode("unicode_escape").encode("latin-1")


def make_db(path, trace=SUBST["$T"]):
    subprocess.run([BFSIM, "run", "--config", SUBST["$C"], "--trace", trace, "--db", path],
                   capture_output=True, check=True)
    c = sqlite3.connect(path)
    c.execute("pragma wal_checkpoint(truncate)")
    c.close()


def setup(d, steps, held):
    for step in [s.strip() for s in steps.split(";") if s.strip() and s.strip() != "-"]:
        kind, _, arg = step.partition(":")
        name, _, val = arg.partition("=")
        val = val.replace("$D", d)
        for k, v in SUBST.items():
            val = val.replace(k, v)
        path = os.path.join(d, os.fsdecode(unescape(name)))
        if kind == "text":
            with open(path, "wb") as f:
                f.write(unescape(val))
        elif kind == "gzip":
            with open(path, "wb") as f:
                f.write(gzip.compress(unescape(val)))
        elif kind == "copy":
            shutil.copyfile(val, path)
        elif kind == "trunc":
            src, _, n = val.rpartition(":")
            with open(src, "rb") as f, open(path, "wb") as g:
                g.write(f.read()[: int(n)])
        elif kind == "big":
            with open(path, "ab") as f:
                f.write(b"x" * int(val))
        elif kind == "repeat":  # NAME=SRC*N: SRC decompressed, N times over (a long input)
            src, _, n = val.rpartition("*")
            data = subprocess.run(["zstd", "-dcf", src], capture_output=True, check=True).stdout
            with open(path, "wb") as f:
                for _ in range(int(n)):
                    f.write(data)
        elif kind == "db":
            make_db(path)
        elif kind == "foreigndb":
            c = sqlite3.connect(path)
            c.execute("create table t(x)")
            c.commit()
            c.close()
        elif kind == "corruptdb":
            make_db(path)
            make_db(path)
            with open(path, "r+b") as f:
                f.seek(4096 + 8)
                f.write(b"\xff" * 64)
        elif kind == "fifo":
            os.mkfifo(path)
        elif kind == "mkdir":
            os.mkdir(path)
        elif kind == "symlink":
            os.symlink(os.path.join(d, val), path)
        elif kind == "append":
            with open(path, "ab") as f:
                f.write(unescape(val))
        elif kind == "binary":
            subprocess.run([BFSIM, "trace", "convert", "--in", val, "--out", path, "--to", "binary"],
                           capture_output=True, check=True)
        elif kind == "chmod":
            os.chmod(path, int(val, 8))
            held["drop"] = os.getuid() == 0
        elif kind == "lockdb":
            make_db(path)
            c = sqlite3.connect(path, isolation_level=None)
            c.execute("begin exclusive")
            held.setdefault("conns", []).append(c)
        elif kind == "feed":
            os.mkfifo(path)
            def writer(fifo=path, src=val):
                try:
                    with open(fifo, "wb") as w, open(src, "rb") as r:
                        shutil.copyfileobj(r, w)
                except OSError:
                    pass
            t = threading.Thread(target=writer, daemon=True)
            t.start()
        else:
            raise SystemExit(f"unknown setup step {step!r}")


def digest(path):
    if not os.path.exists(path):
        return None
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def stage_for_nobody(d, args):
    """Copies what a command run as nobody reads (bfsim, the configs, input files named by
    relative paths) into d/inputs, readable by all: the checkout may sit below a folder only its
    owner can enter (a mktemp -d clone). Returns the staged executable and the rewritten args."""
    s = os.path.join(d, "inputs")
    shutil.copytree("configs", os.path.join(s, "configs"))
    exe = os.path.join(s, "bfsim")
    shutil.copy2(BFSIM, exe)
    out = []
    for a in args:
        if isinstance(a, str) and not os.path.isabs(a) and os.path.isfile(a):
            dst = os.path.join(s, a)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy2(a, dst)
            a = dst
        out.append(a)
    for root, dirs, files in os.walk(s):
        os.chmod(root, 0o755)
        for f in files:
            os.chmod(os.path.join(root, f), 0o755 if f == "bfsim" else 0o644)
    return exe, out


def run_row(row):
    rid, steps, command, code, regex, unchanged = row
    d = tempfile.mkdtemp(prefix=f"bfsim-bad-{rid}-")
    problems = []
    held = {}
    try:
        setup(d, steps, held)
        keep = [] if unchanged.strip() == "-" else [os.path.join(d, u.strip()) for u in unchanged.split(",")]
        before = {p: digest(p) for p in keep}
        args, stdin_path, sig = [], None, None
        for tok in shlex.split(command):
            for k, v in SUBST.items():
                tok = tok.replace(k, v)
            tok = tok.replace("$D", d)
            if tok.startswith("<"):
                stdin_path = tok[1:]
            elif tok.startswith("!"):
                name, _, after = tok[1:].partition("@")
                sig = (getattr(signal, "SIG" + name), float(after))
            else:
                args.append(unescape(tok) if "\\x" in tok else tok)
        stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
        cmd = [BFSIM, *args]
        if held.get("drop"):  # root ignores file modes: run as nobody
            os.chmod(d, 0o777)
            exe, args = stage_for_nobody(d, args)
            cmd = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", exe, *args]
        p = subprocess.Popen(cmd, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if sig:
            time.sleep(sig[1])
            t0 = time.time()
            p.send_signal(sig[0])
            try:
                out, err = p.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                out, err = p.communicate()
            if time.time() - t0 > 1.0:
                problems.append(f"took {time.time() - t0:.2f} s after the signal")
        else:
            try:
                out, err = p.communicate(timeout=120)
            except subprocess.TimeoutExpired:
                p.kill()
                out, err = p.communicate()
                problems.append("timed out")
        if stdin_path:
            stdin.close()
        for c in held.get("conns", []):
            c.execute("commit")
            c.close()
        held["conns"] = []
        err = err.decode("utf-8", "replace")
        if "--json" in args and p.returncode == 0:
            try:
                json.loads(out.decode("utf-8", "strict"))
            except ValueError as e:
                problems.append(f"--json output is not valid UTF-8 JSON: {e}")
        if p.returncode != int(code):
            problems.append(f"exit {p.returncode}, expected {code}")
        if not re.search(regex.replace("$D", re.escape(d)), err):
            problems.append(f"stderr does not match /{regex}/")
        for path, h in before.items():
            if digest(path) != h:
                problems.append(f"{os.path.basename(path)} changed")
        if not stat.S_ISCHR(os.stat("/dev/null").st_mode):
            problems.append("/dev/null is no longer a device (an output was renamed over it)")
        for name in os.listdir(d):
            if ".tmp-" in name:
                problems.append(f"temporary {name} left behind")
            if (name.endswith(".db") and not name.startswith(("foreign", "corrupt", "junk"))
                    and os.path.isfile(os.path.join(d, name))):
                c = sqlite3.connect(os.path.join(d, name))
                ok = c.execute("pragma integrity_check").fetchone()[0]
                running = c.execute("select count(*) from runs where status = 'running'").fetchone()[0]
                c.close()
                if ok != "ok":
                    problems.append(f"{name}: integrity_check {ok}")
                if running:
                    problems.append(f"{name}: {running} run(s) left 'running'")
        if problems:
            problems.append("stderr: " + err.strip()[:400])
    finally:
        for c in held.get("conns", []):
            c.close()
        shutil.rmtree(d, ignore_errors=True)
    return problems


def main():
    table = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "catalog.txt")
    only = sys.argv[2] if len(sys.argv) > 2 else None
    rows = []
    with open(table, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            fields = [x.strip() for x in line.split(" | ")]
            if len(fields) != 6:
                raise SystemExit(f"{table}:{n}: expected 6 fields, got {len(fields)}")
            rows.append(fields)
    ids = [r[0] for r in rows]
    if len(set(ids)) != len(ids):
        raise SystemExit("duplicate row ids")
    failed = 0
    for row in rows:
        if only and not re.search(only, row[0]):
            continue
        try:
            problems = run_row(row)
        except Exception as e:  # a broken row is a failure of that row, not of the runner
            problems = [f"{type(e).__name__}: {e}"]
        if problems:
            failed += 1
            print(f"FAIL {row[0]}: {row[2]}\n  " + "\n  ".join(problems), file=sys.stderr)
    print(f"{len(rows)} rows, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
