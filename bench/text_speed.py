#!/usr/bin/env python
"""Speed of cw2v's C text path (corpus_file mode): counting the vocabulary and encoding text to word indices.

Measures, on a plain-text copy of the corpus, in interleaved rounds (each library in a fresh subprocess,
never two at once):

- ``scan``: ``Word2Vec(workers=1).scan_vocab(corpus_file=...)`` (the C tokenizer and counter, then the dict);
- ``scan2``: the same with ``workers=2`` (two counting threads, merged);
- ``merge``: merging the packed counts of the corpus' two halves (``FileCounter.merge_packed``, as
  :func:`cw2v.distributed.count_words` does on the client) and ``counts``: turning them into the dict;
- ``encode``: :func:`cw2v._corpus.encode_block` over the corpus in 4 MiB blocks with the ``min_count=5``
  vocabulary (what corpus_file training reads);
- gensim 4.4.0's ``scan_vocab(corpus_file=...)`` (Python, ``LineSentence``), the reference.

``--baseline DIR`` times another cw2v checkout too (built in place: ``python setup.py build_ext --inplace``),
e.g. ``git worktree add /tmp/old HEAD~1``: a before/after comparison on the same machine in the same run.

    python bench/text_speed.py --baseline /tmp/old --output bench/results/text-speed.md

Each child times every step ``--inner`` times and reports the minimum and the median; the report gives, per
step, the median over rounds of those minima and the ratio against the baseline within each round.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _machine import cpu_model, git_commit, plain_copy

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = REPO.parent / "shared" / "data"

CHILD = r"""
import json, os, statistics, sys, time
path, inner, which = sys.argv[1], int(sys.argv[2]), sys.argv[3]
out = {}

def timed(name, fn):
    ts = []
    for _ in range(inner):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    out[name] = {"min": min(ts), "median": statistics.median(ts)}

if which == "gensim":
    from gensim.models import Word2Vec
    timed("scan", lambda: Word2Vec(workers=1).scan_vocab(corpus_file=path))
else:
    import cw2v
    from cw2v import Word2Vec
    from cw2v._corpus import FileCounter, StringTable, encode_block
    from cw2v.corpora import iter_line_blocks
    timed("scan", lambda: Word2Vec(workers=1).scan_vocab(corpus_file=path))
    timed("scan2", lambda: Word2Vec(workers=2).scan_vocab(corpus_file=path))
    blocks = list(iter_line_blocks(path, 4 << 20))
    parts = []
    for half in (blocks[:len(blocks) // 2], blocks[len(blocks) // 2:]):
        c = FileCounter(None)
        for b in half:
            c.feed(b)
        parts.append(c.pack())
    def merge():
        c = FileCounter(None)
        for keys, counts in parts:
            c.merge_packed(keys, counts)
        return c
    timed("merge", merge)
    merged = merge()
    timed("counts", merged.counts)
    m = Word2Vec(min_count=5)
    m.build_vocab(corpus_file=path)
    table = StringTable.from_keys(m.wv.index_to_key)
    timed("encode", lambda: [encode_block(table, b, 10000) for b in blocks])
    out["cw2v"] = os.path.dirname(cw2v.__file__)
print(json.dumps(out))
"""

STEPS = ["scan", "scan2", "merge", "counts", "encode"]


def _child(path, inner, which, pythonpath=None):
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = str(pythonpath)
    cwd = str(pythonpath) if pythonpath else tempfile.gettempdir()  # never the repo for the baseline's imports
    res = subprocess.run([sys.executable, "-c", CHILD, str(path), str(inner), which], env=env, cwd=cwd,
                         capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--corpus", default=str(DATA / "gutenberg-17m.txt.gz"))
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--inner", type=int, default=5, help="timings of each step per child (min and median kept)")
    p.add_argument("--baseline", help="another cw2v checkout, built in place, timed in the same rounds")
    p.add_argument("--skip-gensim", action="store_true")
    p.add_argument("--output", help="Markdown report")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = plain_copy(args.corpus, tmp)
        size = path.stat().st_size
        load = os.getloadavg()
        runs = {"cw2v": [], "baseline": [], "gensim": []}
        for r in range(args.rounds):
            runs["cw2v"].append(_child(path, args.inner, "cw2v", REPO))
            if args.baseline:
                runs["baseline"].append(_child(path, args.inner, "cw2v", Path(args.baseline).resolve()))
            if not args.skip_gensim:
                runs["gensim"].append(_child(path, 1, "gensim"))
            print("round %d:" % (r + 1), json.dumps({k: v[-1] for k, v in runs.items() if v}), flush=True)
        load_end = os.getloadavg()
    med = statistics.median
    lines = ["# cw2v's C text path: counting and encoding (corpus_file mode)", "",
             "Command: `python bench/%s`" % " ".join([Path(__file__).name] + (argv or sys.argv[1:])), "",
             "- Date: %s" % _dt.datetime.now().isoformat(timespec="seconds"),
             "- CPU: %s, %d cores (`nproc`); shared, noisy machine" % (cpu_model(), os.cpu_count()),
             "- Load average at start / end: %.2f %.2f %.2f / %.2f %.2f %.2f" % (*load, *load_end),
             "- Corpus: `%s` (plain-text copy, %d bytes)" % (args.corpus, size),
             "- cw2v: this checkout (commit %s)%s" % (git_commit(REPO), "; baseline: `%s` (commit %s)"
                                                     % (args.baseline, git_commit(args.baseline))
                                                     if args.baseline else ""),
             "- %d rounds; in each, every step timed %d times in one child (the minimum kept)" % (
                 args.rounds, args.inner), "",
             "| step | cw2v (s) |" + (" baseline (s) | cw2v / baseline, per round |" if args.baseline else "")
             + (" gensim (s) | gensim / cw2v |" if runs["gensim"] else ""),
             "| --- | --- |" + (" --- | --- |" if args.baseline else "") + (" --- | --- |" if runs["gensim"] else "")]
    for step in STEPS:
        cur = [r[step]["min"] for r in runs["cw2v"]]
        row = "| %s | %.3f |" % (step, med(cur))
        if args.baseline:
            base = [r[step]["min"] for r in runs["baseline"]]
            ratios = [c / b for c, b in zip(cur, base)]
            row += " %.3f | %.2f (%s) |" % (med(base), med(ratios), ", ".join("%.2f" % x for x in ratios))
        if runs["gensim"]:
            if step == "scan":
                g = [r["scan"]["min"] for r in runs["gensim"]]
                row += " %.2f | %.1fx |" % (med(g), med(g) / med(cur))
            else:
                row += " | |"
        lines.append(row)
    text = "\n".join(lines) + "\n"
    print(text)
    if args.output:
        Path(args.output).write_text(text, encoding="utf8")


if __name__ == "__main__":
    main()
