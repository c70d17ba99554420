#!/usr/bin/env python
"""Loading speed of word2vec C files: ``cw2v.KeyedVectors.load_word2vec_format`` vs gensim 4.4.0's.

The parent generates two files with gensim's own writer (``KeyedVectors.save_word2vec_format``) in a
temporary folder: a binary file (default 300,000 keys x 300 dimensions) and a text file (default 100,000 x 100),
keys ``w0, w1, ...`` and standard-normal float32 values. Then, for each file, library and repeat, a fresh
Python subprocess imports the library (not timed), times one ``load_word2vec_format(path, binary=...)`` call
with ``time.perf_counter()`` and prints its seconds and a SHA-256 of the loaded keys and vectors, so that
the two libraries are checked to load identical data. Runs are sequential; the libraries alternate in each
repeat; every file is read once before the first run so that both libraries read it from the page cache.

The report (Markdown, also printed) gives each run, the median seconds per library and the speed-up
``gensim seconds / cw2v seconds`` of the medians, with the targets (>= 3x binary, >= 2x text).

    python bench/load_speed.py                                   # the default sizes (a minute or so)
    python bench/load_speed.py --binary-shape 100000x300 --text-shape 30000x100 --repeat 3

Run it from the repository root with ``PYTHONPATH=.`` to measure an in-place build.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGETS = {"binary": 3.0, "text": 2.0}
LIBS = ("cw2v", "gensim")


def _child(spec):
    """Time one load in this (fresh) process and print a JSON line."""
    import hashlib
    import time

    if spec["lib"] == "cw2v":
        from cw2v import KeyedVectors
    else:
        from gensim.models import KeyedVectors
    t0 = time.perf_counter()
    kv = KeyedVectors.load_word2vec_format(spec["path"], binary=spec["binary"])
    seconds = time.perf_counter() - t0
    digest = hashlib.sha256()
    digest.update("\n".join(kv.index_to_key).encode("utf8"))
    digest.update(kv.vectors.tobytes())
    print(json.dumps({"seconds": seconds, "shape": list(kv.vectors.shape), "sha256": digest.hexdigest()[:16]}))


def _shape(text):
    try:
        rows, dim = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected ROWSxDIM, e.g. 300000x300, got {text!r}") from None
    if rows < 1 or dim < 1:
        raise argparse.ArgumentTypeError("rows and dim must be positive")
    return rows, dim


def _generate(path, rows, dim, binary, seed):
    import numpy as np
    from gensim.models import KeyedVectors

    rng = np.random.default_rng(seed)
    kv = KeyedVectors(dim, count=0)
    kv.add_vectors([f"w{i}" for i in range(rows)], rng.standard_normal((rows, dim), dtype=np.float32))
    kv.save_word2vec_format(str(path), binary=binary)


def _run_child(lib, path, binary, timeout):
    spec = json.dumps({"lib": lib, "path": str(path), "binary": binary})
    env = dict(os.environ)
    env.setdefault("PYTHONHASHSEED", "0")
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", spec], capture_output=True,
                          text=True, timeout=timeout, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"{lib} child failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _versions():
    out = {"python": platform.python_version()}
    for mod in ("cw2v", "gensim", "numpy"):
        code = f"import {mod}; print({mod}.__version__, {mod}.__file__)"
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        out[mod] = proc.stdout.strip() if proc.returncode == 0 else "not importable"
    return out


def _machine():
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else ("?",)
    return f"nproc={os.cpu_count()}, CPU: {cpu}, {platform.platform()}", " ".join(f"{x:.2f}" for x in load)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary-shape", type=_shape, default=(300_000, 300), help="ROWSxDIM [300000x300]")
    parser.add_argument("--text-shape", type=_shape, default=(100_000, 100), help="ROWSxDIM [100000x100]")
    parser.add_argument("--repeat", type=int, default=1, help="runs per library and file [1]")
    parser.add_argument("--libs", default=",".join(LIBS), help="comma-separated [cw2v,gensim]")
    parser.add_argument("--tmp-dir", default=None, help="where the generated files go (deleted at the end)")
    parser.add_argument("--output", default=str(HERE / "results" / "load-speed.md"),
                        help="Markdown report [bench/results/load-speed.md]")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds before a child is killed [900]")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(json.loads(args.child))
        return 0
    if args.repeat < 1:
        parser.error("--repeat must be >= 1")
    libs = [lib.strip() for lib in args.libs.split(",") if lib.strip()]

    cli_args = list(argv) if argv is not None else sys.argv[1:]
    command = " ".join(shlex.quote(a) for a in [sys.executable, "bench/load_speed.py", *cli_args])
    if os.environ.get("PYTHONPATH"):
        command = f"PYTHONPATH={shlex.quote(os.environ['PYTHONPATH'])} {command}"
    started = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    machine, load_start = _machine()
    versions = _versions()
    tmp = tempfile.mkdtemp(prefix="cw2v-load-speed-", dir=args.tmp_dir)
    rows_out, medians, failures = [], {}, 0
    try:
        files = [("binary", True, args.binary_shape, Path(tmp) / "vectors.bin"),
                 ("text", False, args.text_shape, Path(tmp) / "vectors.txt")]
        for kind, binary, (rows, dim), path in files:
            print(f"generating {kind} file {rows}x{dim} with gensim's writer ...", flush=True)
            _generate(path, rows, dim, binary, args.seed)
            with open(path, "rb") as f:  # into the page cache
                while f.read(1 << 24):
                    pass
            size_mb = path.stat().st_size / 1e6
            times = {lib: [] for lib in libs}
            digests = set()
            for run in range(args.repeat):
                order = libs if run % 2 == 0 else libs[::-1]
                for lib in order:
                    try:
                        result = _run_child(lib, path, binary, args.timeout)
                    except (RuntimeError, subprocess.TimeoutExpired) as err:
                        failures += 1
                        rows_out.append((kind, f"{rows}x{dim}", f"{size_mb:.0f}", lib, run + 1, f"ERROR: {err}"[:200],
                                         ""))
                        continue
                    times[lib].append(result["seconds"])
                    digests.add(result["sha256"])
                    rows_out.append((kind, f"{rows}x{dim}", f"{size_mb:.0f}", lib, run + 1,
                                     f"{result['seconds']:.3f}", result["sha256"]))
                    print(f"  {kind} {lib} run {run + 1}: {result['seconds']:.3f} s", flush=True)
            medians[kind] = {lib: statistics.median(t) for lib, t in times.items() if t}
            medians[kind]["same_data"] = len(digests) == 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _, load_end = _machine()

    lines = [
        "# Loading word2vec C files: cw2v vs gensim",
        "",
        f"- Command: `{command}` (from the repository root)",
        f"- Date: {started}",
        f"- Machine: {machine}",
        f"- Load average at start / end: {load_start} / {load_end}",
        "- Versions: " + ", ".join(f"{k} {v.split(' ')[0]}" for k, v in versions.items()),
        f"- cw2v imported from `{versions.get('cw2v', '').partition(' ')[2]}`",
        f"- Files: written by gensim's `save_word2vec_format` (keys `w0..`, standard-normal float32): binary "
        f"{args.binary_shape[0]:,} x {args.binary_shape[1]}, text {args.text_shape[0]:,} x {args.text_shape[1]}",
        "",
        "Each run is a fresh subprocess timing one `KeyedVectors.load_word2vec_format(path, binary=...)` call "
        "(imports not timed; the file is in the page cache). `sha256` digests the loaded keys and vectors: equal "
        "digests mean both libraries loaded identical data.",
        "",
        "| file | shape | MB | library | run | seconds | sha256 |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows_out]
    lines += ["", "| file | cw2v median (s) | gensim median (s) | speed-up gensim/cw2v | target | met | same data |",
              "| --- | --- | --- | --- | --- | --- | --- |"]
    summary = []
    for kind, m in medians.items():
        if "cw2v" in m and "gensim" in m:
            ratio = m["gensim"] / m["cw2v"]
            met = "yes" if ratio >= TARGETS[kind] else "no"
            lines.append(f"| {kind} | {m['cw2v']:.3f} | {m['gensim']:.3f} | {ratio:.2f}x | >= {TARGETS[kind]:.0f}x "
                         f"| {met} | {'yes' if m['same_data'] else 'NO'} |")
            summary.append(f"{kind}: {ratio:.2f}x (target {TARGETS[kind]:.0f}x, {met})")
    report = "\n".join(lines) + "\n"
    print()
    print(report)
    if args.output:
        out = Path(args.output)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(report, encoding="utf8")
        print(f"report written to {out}")
    print("; ".join(summary))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
