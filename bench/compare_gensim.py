#!/usr/bin/env python
"""Side-by-side benchmark of cw2v against gensim 4.4.0.

Each (mode, input mode, library, repeat) is trained in its own fresh Python
subprocess, one after another (never concurrently), so that peak RSS is
per-library and the two libraries never compete for the CPU.  The child is this
same script run with the hidden ``--child SPEC_JSON`` argument; it prints a
single JSON line with its measurements, which the parent collects into a
Markdown report (also echoed to stdout) and, optionally, a raw JSON dump.

Run ``python bench/compare_gensim.py --help`` for the options, and see
``bench/README.md``.
"""

from __future__ import annotations

import argparse
import bz2
import datetime as _dt
import gzip
import json
import math
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_DATA_DIR = REPO.parent / "shared" / "data"
DEFAULT_CORPUS = DEFAULT_DATA_DIR / "gutenberg-17m.txt.gz"

ANALOGY_FILE = "questions-words.txt"
WORDSIM_FILE = "wordsim353.tsv"
ANALOGY_RESTRICT_VOCAB = 30000

# name -> (sg, hs, negative, default epochs)
MODES = {
    "sg-ns": (1, 0, 5, 1),
    "cbow-ns": (0, 0, 5, 3),
    "sg-hs": (1, 1, 0, 1),
    "cbow-hs": (0, 1, 0, 3),
}
INPUT_MODES = ("iterable", "corpus_file")
EXTRA_INPUT_MODES = ("generic",)
LIBS = ("cw2v", "gensim")


# --------------------------------------------------------------------------
# child side
# --------------------------------------------------------------------------

def _peak_rss_mib() -> float:
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS reports bytes.
    if sys.platform == "darwin":
        return peak / (1024.0 * 1024.0)
    return peak / 1024.0


def _finite_or_none(x):
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _import_lib(lib: str, gensim_stand_in: bool = False):
    """Return (Word2Vec class, LineSentence class, version, module file)."""
    if lib == "cw2v" and gensim_stand_in:
        # Debugging aid only: exercise the whole pipeline with gensim on both sides.
        w2v, ls, version, modfile = _import_lib("gensim")
        return w2v, ls, f"STAND-IN gensim {version}", modfile
    if lib == "gensim":
        import gensim
        from gensim.models import Word2Vec
        from gensim.models.word2vec import LineSentence

        return Word2Vec, LineSentence, gensim.__version__, getattr(gensim, "__file__", None)
    if lib == "cw2v":
        import cw2v

        version = getattr(cw2v, "__version__", None)
        if version is None:
            try:
                from importlib.metadata import version as _v

                version = _v("cw2v")
            except Exception:  # noqa: BLE001 - best effort only
                version = "unknown"
        return cw2v.Word2Vec, cw2v.LineSentence, version, getattr(cw2v, "__file__", None)
    raise ValueError(f"unknown library {lib!r}")


def _analogy_counts(sections):
    """Number of correct / evaluated questions from gensim-style sections."""
    try:
        total = [s for s in sections if s.get("section") == "Total accuracy"]
        if total:
            s = total[0]
            return len(s["correct"]), len(s["correct"]) + len(s["incorrect"])
        correct = sum(len(s["correct"]) for s in sections)
        wrong = sum(len(s["incorrect"]) for s in sections)
        return correct, correct + wrong
    except Exception:  # noqa: BLE001 - only informational
        return None, None


class _PlainIterable:
    """A re-iterable corpus that is not the library's LineSentence (cw2v reads a plain LineSentence over a
    local file in C, like corpus_file): the "generic" input mode measures the Python iterable path."""

    def __init__(self, inner):
        self.inner = inner

    def __iter__(self):
        return iter(self.inner)


def run_child(spec: dict) -> dict:
    res = {"lib": spec["lib"], "mode": spec["mode"], "input_mode": spec["input_mode"],
           "run": spec["run"], "ok": False}
    try:
        t0 = time.perf_counter()
        Word2Vec, LineSentence, version, modfile = _import_lib(spec["lib"], spec.get("gensim_stand_in", False))
        res["import_seconds"] = time.perf_counter() - t0
        res["version"] = version
        res["module_file"] = modfile

        model = Word2Vec(
            vector_size=spec["vector_size"],
            window=spec["window"],
            min_count=spec["min_count"],
            sample=spec["sample"],
            seed=spec["seed"],
            workers=spec["workers"],
            sg=spec["sg"],
            hs=spec["hs"],
            negative=spec["negative"],
            epochs=spec["epochs"],
        )

        if spec["input_mode"] in ("iterable", "generic"):
            corpus = LineSentence(spec["corpus"])
            if spec["input_mode"] == "generic":
                corpus = _PlainIterable(corpus)
            t0 = time.perf_counter()
            model.build_vocab(corpus_iterable=corpus)
            res["build_vocab_seconds"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            trained = model.train(corpus_iterable=corpus, total_examples=model.corpus_count,
                                  epochs=model.epochs)
            res["train_seconds"] = time.perf_counter() - t0
        elif spec["input_mode"] == "corpus_file":
            t0 = time.perf_counter()
            model.build_vocab(corpus_file=spec["corpus"])
            res["build_vocab_seconds"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            trained = model.train(corpus_file=spec["corpus"], total_words=model.corpus_total_words,
                                  epochs=model.epochs)
            res["train_seconds"] = time.perf_counter() - t0
        else:
            raise ValueError(f"unknown input mode {spec['input_mode']!r}")

        res["peak_rss_mib"] = _peak_rss_mib()  # build_vocab + train (before evaluation)
        res["corpus_total_words"] = int(model.corpus_total_words)
        res["corpus_count"] = int(model.corpus_count)
        res["epochs"] = int(model.epochs)
        res["vocab_size"] = len(model.wv)
        try:
            res["train_return"] = [int(x) for x in trained]
        except Exception:  # noqa: BLE001 - informational only
            res["train_return"] = repr(trained)
        res["words_per_sec"] = (res["corpus_total_words"] * res["epochs"] / res["train_seconds"]
                                if res["train_seconds"] > 0 else None)

        # Evaluations: a failure here is reported but keeps the timings.
        try:
            score, sections = model.wv.evaluate_word_analogies(
                spec["analogy_path"], restrict_vocab=ANALOGY_RESTRICT_VOCAB)
            res["analogy_pct"] = _finite_or_none(100.0 * float(score))
            res["analogy_correct"], res["analogy_evaluated"] = _analogy_counts(sections)
        except Exception as exc:  # noqa: BLE001
            res["analogy_error"] = f"{type(exc).__name__}: {exc}"
        try:
            pearson, spearman, oov = model.wv.evaluate_word_pairs(spec["wordsim_path"])
            rho = getattr(spearman, "statistic", None)
            if rho is None:
                rho = spearman[0]
            res["wordsim_spearman"] = _finite_or_none(rho)
            pr = getattr(pearson, "statistic", None)
            res["wordsim_pearson"] = _finite_or_none(pearson[0] if pr is None else pr)
            res["wordsim_oov_pct"] = _finite_or_none(oov)
        except Exception as exc:  # noqa: BLE001
            res["wordsim_error"] = f"{type(exc).__name__}: {exc}"
        res["peak_rss_after_eval_mib"] = _peak_rss_mib()
        res["ok"] = True
    except BaseException as exc:  # noqa: BLE001 - report everything to the parent
        res["error"] = f"{type(exc).__name__}: {exc}"
        res["traceback"] = traceback.format_exc()
    return res


# --------------------------------------------------------------------------
# parent side
# --------------------------------------------------------------------------

def _parse_args(argv=None):
    p = argparse.ArgumentParser(
        description="Train cw2v and gensim with identical settings, each in a fresh "
                    "subprocess, and report speed, memory and quality side by side.")
    p.add_argument("--corpus", default=str(DEFAULT_CORPUS),
                   help="training corpus, one sentence per line, plain or .gz/.bz2 "
                        "(default: %(default)s)")
    p.add_argument("--data-dir", default=str(DEFAULT_DATA_DIR),
                   help=f"directory holding {ANALOGY_FILE} and {WORDSIM_FILE} (default: %(default)s)")
    p.add_argument("--modes", default=",".join(MODES),
                   help="comma list of " + ", ".join(MODES) + " (default: all)")
    p.add_argument("--epochs", type=int, default=None,
                   help="epochs for every mode (default: 1 for sg modes, 3 for cbow modes)")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--vector-size", type=int, default=100)
    p.add_argument("--window", type=int, default=5)
    p.add_argument("--min-count", type=int, default=5)
    p.add_argument("--sample", type=float, default=1e-3)
    p.add_argument("--negative", type=int, default=None,
                   help="noise words for the negative-sampling modes (default: 5)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--input-mode", choices=("iterable", "corpus_file", "generic", "both", "all"),
                   default="iterable",
                   help="iterable: LineSentence(corpus); corpus_file: corpus_file=<plain copy>; generic: "
                        "LineSentence(corpus) wrapped in a plain Python iterable; both: iterable and "
                        "corpus_file; all: the three (default: %(default)s)")
    p.add_argument("--libs", default="cw2v,gensim",
                   help="comma list of libraries to run, in this order (default: %(default)s)")
    p.add_argument("--repeat", type=int, default=1, help="run each library N times (default: 1)")
    p.add_argument("--output", default=None,
                   help="Markdown report path (default: bench/results/compare-<date>.md)")
    p.add_argument("--json", default=None, help="also write the raw results as JSON to this path")
    p.add_argument("--timeout", type=float, default=None,
                   help="kill a child after this many seconds and report it as failed")
    p.add_argument("--tmp-dir", default=None,
                   help="where to put the decompressed corpus for corpus_file mode "
                        "(default: system temp dir)")
    p.add_argument("--child", default=None, help=argparse.SUPPRESS)
    # Debugging aid: run gensim in place of cw2v, to test this script before cw2v exists.
    p.add_argument("--debug-gensim-as-cw2v", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.child is not None:
        return args
    args.modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    bad = [m for m in args.modes if m not in MODES]
    if bad or not args.modes:
        p.error(f"--modes: unknown mode(s) {bad}; choose from {', '.join(MODES)}")
    args.libs = [x.strip() for x in args.libs.split(",") if x.strip()]
    bad = [x for x in args.libs if x not in LIBS]
    if bad or not args.libs:
        p.error(f"--libs: unknown library(ies) {bad}; choose from {', '.join(LIBS)}")
    if args.repeat < 1:
        p.error("--repeat must be >= 1")
    if args.epochs is not None and args.epochs < 1:
        p.error("--epochs must be >= 1")
    args.input_modes = {"both": list(INPUT_MODES), "all": list(INPUT_MODES + EXTRA_INPUT_MODES)}.get(
        args.input_mode, [args.input_mode])
    return args


def _cw2v_kernel_choices() -> str:
    """The row operations, prefetch mode and block products cw2v picks on this CPU (asked in a child, as the
    runs are)."""
    code = ("from cw2v import _kernels; print(_kernels._row_ops(), _kernels._prefetch_mode(), "
            "_kernels._block_products())")
    try:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
        row_ops, prefetch, block = out.stdout.split()
        return f"row operations {row_ops}, prefetch {prefetch}, skip-gram block products {block}"
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return "unknown (cw2v not importable)"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _nproc() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 0


def _mem_total_gib():
    try:
        with open("/proc/meminfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / (1024.0 * 1024.0)
    except (OSError, ValueError, IndexError):
        pass
    return None


def _loadavg():
    try:
        return os.getloadavg()
    except (AttributeError, OSError):
        return None


def _dist_version(name: str):
    try:
        from importlib.metadata import version

        return version(name)
    except Exception:  # noqa: BLE001
        return None


def _compression(path: str):
    with open(path, "rb") as fh:
        head = fh.read(3)
    if head[:2] == b"\x1f\x8b":
        return "gzip"
    if head == b"BZh":
        return "bz2"
    return None


def _plain_corpus(path: str, tmp_dir):
    """Return (plain path, temp path to delete or None, seconds spent)."""
    kind = _compression(path)
    if kind is None:
        return path, None, 0.0
    opener = gzip.open if kind == "gzip" else bz2.open
    t0 = time.perf_counter()
    fd, tmp = tempfile.mkstemp(prefix="cw2v-bench-", suffix=".txt", dir=tmp_dir)
    try:
        with os.fdopen(fd, "wb") as out, opener(path, "rb") as src:
            shutil.copyfileobj(src, out, 1 << 20)
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp, tmp, time.perf_counter() - t0


def _run_one(spec: dict, timeout):
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(spec)]
    env = dict(os.environ)
    env.setdefault("PYTHONHASHSEED", "0")
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        err = exc.stderr or ""
        if isinstance(err, bytes):
            err = err.decode("utf-8", "replace")
        res = {"ok": False, "error": f"timed out after {timeout:g} s", "stderr_tail": err[-2000:]}
    else:
        res = None
        for line in reversed(proc.stdout.splitlines()):
            line = line.strip()
            if line.startswith("{"):
                try:
                    res = json.loads(line)
                    break
                except ValueError:
                    continue
        if res is None:
            tail = proc.stderr.strip().splitlines()
            last = tail[-1] if tail else "no output"
            res = {"ok": False, "error": f"child exited with code {proc.returncode}: {last}"}
        if proc.returncode != 0 and res.get("ok"):
            res["ok"] = False
            res["error"] = f"child exited with code {proc.returncode}"
        if proc.stderr:
            res["stderr_tail"] = proc.stderr[-2000:]
    res["wall_seconds"] = time.perf_counter() - t0
    for k in ("lib", "mode", "input_mode", "run", "epochs"):
        res.setdefault(k, spec[k])
    return res


def _fmt(x, spec, missing="—"):
    if x is None:
        return missing
    try:
        return format(x, spec)
    except (TypeError, ValueError):
        return str(x)


def _md_cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


TABLE_HEADER = ["mode", "input", "library", "run", "epochs", "vocab", "build_vocab (s)",
                "train (s)", "train words/s", "words/s ratio cw2v/gensim", "peak RSS (MiB)",
                "RSS ratio cw2v/gensim", "analogy % (30k)", "WS-353 Spearman", "note"]


def _rows(results):
    by_key = {(r["mode"], r["input_mode"], r["run"], r["lib"]): r for r in results}
    rows = []
    for r in results:
        ref = by_key.get((r["mode"], r["input_mode"], r["run"], "gensim"))
        ok = r.get("ok")
        speed_ratio = rss_ratio = None
        if r["lib"] == "cw2v" and ok and ref is not None and ref.get("ok"):
            speed_ratio = _ratio(r.get("words_per_sec"), ref.get("words_per_sec"))
            rss_ratio = _ratio(r.get("peak_rss_mib"), ref.get("peak_rss_mib"))
        notes = []
        if not ok:
            notes.append("ERROR: " + r.get("error", "unknown"))
        for k in ("analogy_error", "wordsim_error"):
            if r.get(k):
                notes.append(f"{k.split('_')[0]}: {r[k]}")
        rows.append([
            r["mode"], r["input_mode"], r["lib"] + (f" {r['version']}" if r.get("version") else ""),
            str(r["run"]), _fmt(r.get("epochs"), "d"), _fmt(r.get("vocab_size"), ","),
            _fmt(r.get("build_vocab_seconds"), ".2f"), _fmt(r.get("train_seconds"), ".2f"),
            _fmt(r.get("words_per_sec"), ",.0f"), _fmt(speed_ratio, ".2f"),
            _fmt(r.get("peak_rss_mib"), ".0f"), _fmt(rss_ratio, ".2f"),
            _fmt(r.get("analogy_pct"), ".2f"), _fmt(r.get("wordsim_spearman"), ".3f"),
            "; ".join(notes),
        ])
    return rows


def _summary_rows(results, libs, modes, input_modes):
    """Medians over repeats, one row per (mode, input, library)."""
    rows = []
    for mode in modes:
        for im in input_modes:
            med = {}
            for lib in libs:
                good = [r for r in results if r["mode"] == mode and r["input_mode"] == im
                        and r["lib"] == lib and r.get("ok")]

                def m(key, good=good):
                    vals = [r[key] for r in good if r.get(key) is not None]
                    return statistics.median(vals) if vals else None

                med[lib] = {k: m(k) for k in ("build_vocab_seconds", "train_seconds",
                                              "words_per_sec", "peak_rss_mib", "analogy_pct",
                                              "wordsim_spearman")}
                med[lib]["n"] = len(good)
            for lib in libs:
                d = med[lib]
                sr = rr = None
                if lib == "cw2v" and "gensim" in med:
                    sr = _ratio(d["words_per_sec"], med["gensim"]["words_per_sec"])
                    rr = _ratio(d["peak_rss_mib"], med["gensim"]["peak_rss_mib"])
                rows.append([mode, im, lib, str(d["n"]), _fmt(d["build_vocab_seconds"], ".2f"),
                             _fmt(d["train_seconds"], ".2f"), _fmt(d["words_per_sec"], ",.0f"),
                             _fmt(sr, ".2f"), _fmt(d["peak_rss_mib"], ".0f"), _fmt(rr, ".2f"),
                             _fmt(d["analogy_pct"], ".2f"), _fmt(d["wordsim_spearman"], ".3f")])
    return rows


SUMMARY_HEADER = ["mode", "input", "library", "ok runs", "build_vocab (s)", "train (s)",
                  "train words/s", "words/s ratio cw2v/gensim", "peak RSS (MiB)",
                  "RSS ratio cw2v/gensim", "analogy % (30k)", "WS-353 Spearman"]


def _md_table(header, rows):
    out = ["| " + " | ".join(header) + " |",
           "| " + " | ".join("---" for _ in header) + " |"]
    for row in rows:
        out.append("| " + " | ".join(_md_cell(c) for c in row) + " |")
    return "\n".join(out)


def _default_output() -> Path:
    base = HERE / "results" / f"compare-{_dt.date.today().isoformat()}"
    path = base.with_suffix(".md")
    n = 2
    while path.exists():  # never overwrite an earlier report
        path = Path(f"{base}-{n}.md")
        n += 1
    return path


def _sanitize(obj):
    """Make obj strict-JSON serialisable (NaN/inf -> null)."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _sanitize(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_sanitize(v) for v in obj]
    return obj


def main(argv=None) -> int:
    args = _parse_args(argv)
    if args.child is not None:
        res = run_child(json.loads(args.child))
        sys.stdout.flush()
        print(json.dumps(_sanitize(res)), flush=True)
        return 0

    command = shlex.join([sys.executable] + sys.argv)
    cwd = os.getcwd()
    started = _dt.datetime.now().astimezone()
    corpus = str(Path(args.corpus).resolve())
    data_dir = Path(args.data_dir).resolve()
    analogy_path = data_dir / ANALOGY_FILE
    wordsim_path = data_dir / WORDSIM_FILE
    for pth in (Path(corpus), analogy_path, wordsim_path):
        if not pth.is_file():
            print(f"error: {pth} not found", file=sys.stderr)
            return 2
    output = Path(args.output) if args.output else _default_output()

    machine = {
        "nproc": _nproc(),
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "mem_total_gib": _mem_total_gib(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "loadavg_start": _loadavg(),
        "cw2v_kernels": _cw2v_kernel_choices(),
    }

    plain_corpus, tmp_to_delete, decompress_s = None, None, 0.0
    results = []
    try:
        if "corpus_file" in args.input_modes:
            plain_corpus, tmp_to_delete, decompress_s = _plain_corpus(corpus, args.tmp_dir)
            if tmp_to_delete:
                print(f"corpus_file mode: decompressed {corpus} to {plain_corpus} "
                      f"in {decompress_s:.1f} s", flush=True)

        jobs = []
        for mode in args.modes:
            sg, hs, negative, default_epochs = MODES[mode]
            if negative and args.negative is not None:
                negative = args.negative
            epochs = args.epochs if args.epochs is not None else default_epochs
            for im in args.input_modes:
                for run in range(1, args.repeat + 1):
                    for lib in args.libs:  # libraries alternate within each repeat
                        jobs.append({
                            "lib": lib, "mode": mode, "input_mode": im, "run": run,
                            "corpus": plain_corpus if im == "corpus_file" else corpus,
                            "vector_size": args.vector_size, "window": args.window,
                            "min_count": args.min_count, "sample": args.sample,
                            "seed": args.seed, "workers": args.workers, "sg": sg, "hs": hs,
                            "negative": negative, "epochs": epochs,
                            "analogy_path": str(analogy_path),
                            "wordsim_path": str(wordsim_path),
                            "gensim_stand_in": args.debug_gensim_as_cw2v,
                        })

        for i, spec in enumerate(jobs, 1):
            print(f"[{i}/{len(jobs)}] {spec['mode']} {spec['input_mode']} {spec['lib']} "
                  f"run {spec['run']} (epochs={spec['epochs']}) ...", end=" ", flush=True)
            res = _run_one(spec, args.timeout)
            results.append(res)
            if res.get("ok"):
                print(f"train {res['train_seconds']:.2f} s, "
                      f"{_fmt(res.get('words_per_sec'), ',.0f')} words/s, "
                      f"{res['peak_rss_mib']:.0f} MiB", flush=True)
            else:
                print("FAILED: " + res.get("error", "unknown"), flush=True)
    finally:
        if tmp_to_delete:
            try:
                os.unlink(tmp_to_delete)
            except OSError:
                pass

    machine["loadavg_end"] = _loadavg()
    finished = _dt.datetime.now().astimezone()

    versions = {"python": platform.python_version()}
    for lib in ("cw2v", "gensim", "numpy", "scipy"):
        versions[lib] = _dist_version(lib)
    for r in results:  # prefer what the children actually imported
        if r.get("version"):
            versions[r["lib"]] = r["version"]
    module_files = {r["lib"]: r["module_file"] for r in results if r.get("module_file")}

    table = _md_table(TABLE_HEADER, _rows(results))
    summary = (_md_table(SUMMARY_HEADER, _summary_rows(results, args.libs, args.modes,
                                                      args.input_modes))
               if args.repeat > 1 else None)

    def la(x):
        return " ".join(f"{v:.2f}" for v in x) if x else "n/a"

    lines = [
        "# cw2v vs gensim",
        "",
    ]
    if args.debug_gensim_as_cw2v:
        lines += ["**DEBUG RUN: the rows labelled cw2v were trained by gensim "
                  "(--debug-gensim-as-cw2v); these numbers say nothing about cw2v.**", ""]
    lines += [
        f"- Command: `{command}`",
        f"- Working directory: `{cwd}`",
        f"- Date: {started.isoformat(timespec='seconds')} (finished "
        f"{finished.isoformat(timespec='seconds')})",
        f"- Machine: nproc={machine['nproc']}, CPU: {machine['cpu_model']}, "
        f"RAM: {_fmt(machine['mem_total_gib'], '.1f', 'n/a')} GiB, {machine['platform']}",
        f"- cw2v kernels on this CPU: {machine.get('cw2v_kernels', 'unknown')}",
        f"- Load average at start / end: {la(machine['loadavg_start'])} / "
        f"{la(machine['loadavg_end'])}",
        "- Versions: " + ", ".join(f"{k} {v or 'not installed'}" for k, v in versions.items()),
    ]
    for lib, f in module_files.items():
        lines.append(f"- {lib} imported from `{f}`")
    lines += [
        f"- Corpus: `{corpus}`"
        + (f" (corpus_file mode used a decompressed temporary copy, made in {decompress_s:.1f} s)"
           if tmp_to_delete else ""),
        f"- Evaluation data: `{analogy_path}`, `{wordsim_path}`",
        f"- Settings: vector_size={args.vector_size}, window={args.window}, "
        f"min_count={args.min_count}, sample={args.sample:g}, seed={args.seed}, "
        f"workers={args.workers}, epochs="
        + (str(args.epochs) if args.epochs is not None else "1 (sg) / 3 (cbow)")
        + f"; ns: hs=0, negative={args.negative or 5}; hs: hs=1, negative=0",
        "",
        "Each row is one fresh subprocess (runs are sequential, never concurrent). "
        "`build_vocab` and `train` are timed separately with `time.perf_counter()`; "
        "train words/s = `corpus_total_words * epochs / train seconds` for both libraries; "
        "peak RSS is the child's `ru_maxrss` after training (before evaluation); "
        f"analogy accuracy is `evaluate_word_analogies(..., restrict_vocab={ANALOGY_RESTRICT_VOCAB})`; "
        "ratios compare cw2v with the gensim run of the same mode, input and run number.",
        "",
        table,
        "",
    ]
    if summary:
        lines += ["## Medians over repeats", "", summary, ""]
    report = "\n".join(lines)

    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(report, encoding="utf-8")
    print()
    print(table)
    if summary:
        print()
        print(summary)
    print(f"\nreport written to {output}")

    if args.json:
        payload = {"command": command, "cwd": cwd,
                   "started": started.isoformat(), "finished": finished.isoformat(),
                   "machine": machine, "versions": versions, "corpus": corpus,
                   "settings": {k: v for k, v in vars(args).items() if k != "child"},
                   "results": results}
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(_sanitize(payload), indent=2), encoding="utf-8")
        print(f"raw results written to {args.json}")

    return 0 if all(r.get("ok") for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
