#!/usr/bin/env python
"""Throughput against the number of worker threads (speed only, no evaluation).

Each measurement is a fresh subprocess training one mode on the corpus; worker counts alternate within
each repeat so machine noise hits them alike. Reports words/s (``corpus_total_words * epochs / train
seconds``) per run, the median per worker count, and the parallel efficiency
``median(words/s at w workers) / (w * median(words/s at 1 worker))``.

``--pair-reference`` adds, to every repeat, two single-worker trainings run at the same time in two
processes (nothing shared: separate weights, separate interpreters). Their summed words/s is what this
machine gives two independent copies of the same single-threaded work at that moment, so
``2 workers / pair`` separates what threads sharing one model lose (Hogwild contention on shared rows,
the GIL at job boundaries) from what the machine itself loses when both cores are busy.

    python bench/scaling.py --modes sg-ns,cbow-ns --input-mode corpus_file --workers 1,2 --repeat 3
    python bench/scaling.py --modes sg-ns --input-mode corpus_file --repeat 5 --pair-reference
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE.parent.parent / "shared" / "data" / "gutenberg-17m.txt.gz"
MODES = {"sg-ns": (1, 0, 5), "cbow-ns": (0, 0, 5), "sg-hs": (1, 1, 0), "cbow-hs": (0, 1, 0)}


def child(spec):
    lib = spec["lib"]
    if lib == "cw2v":
        from cw2v import LineSentence, Word2Vec
    else:
        from gensim.models.word2vec import LineSentence, Word2Vec
    sg, hs, neg = MODES[spec["mode"]]
    model = Word2Vec(vector_size=100, window=5, min_count=5, sample=1e-3, seed=1, workers=spec["workers"], sg=sg,
                     hs=hs, negative=neg, epochs=spec["epochs"])
    t0 = time.perf_counter()
    if spec["input_mode"] == "corpus_file":
        model.build_vocab(corpus_file=spec["corpus"])
        t1 = time.perf_counter()
        model.train(corpus_file=spec["corpus"], total_words=model.corpus_total_words, epochs=model.epochs)
    else:
        corpus = LineSentence(spec["corpus"])
        model.build_vocab(corpus)
        t1 = time.perf_counter()
        model.train(corpus, total_examples=model.corpus_count, epochs=model.epochs)
    t2 = time.perf_counter()
    return {"vocab_s": t1 - t0, "train_s": t2 - t1,
            "words_per_s": model.corpus_total_words * model.epochs / (t2 - t1)}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    p.add_argument("--modes", default="sg-ns")
    p.add_argument("--input-mode", choices=["iterable", "corpus_file"], default="iterable")
    p.add_argument("--workers", default="1,2", help="comma list of worker counts")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--lib", choices=["cw2v", "gensim"], default="cw2v")
    p.add_argument("--output", default=None, help="Markdown report (default bench/results/scaling-<date>.md)")
    p.add_argument("--keep-compressed", action="store_true",
                   help="corpus_file mode, cw2v: read the .gz/.bz2 corpus itself instead of a plain copy")
    p.add_argument("--pair-reference", action="store_true",
                   help="also run two single-worker trainings at once (separate processes) in each repeat")
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return 0
    corpus = args.corpus
    tmp = None
    if args.input_mode == "corpus_file" and corpus.endswith((".gz", ".bz2")) and (
            args.lib == "gensim" or not args.keep_compressed):
        # gensim's corpus_file needs plain text; for cw2v a plain copy keeps the decompression thread
        # (which runs beside the workers) from taking a core from 2 workers but not from 1
        tmp = tempfile.NamedTemporaryFile(suffix=".txt", delete=False)
        subprocess.run(["zcat" if corpus.endswith(".gz") else "bzcat", corpus], stdout=tmp, check=True)
        tmp.close()
        corpus = tmp.name
    workers = [int(w) for w in args.workers.split(",")]
    rows = []

    def run_children(spec, n):
        """Start ``n`` identical children at once; words/s of each."""
        procs = [subprocess.Popen([sys.executable, __file__, "--child", json.dumps(spec)], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(n)]
        speeds = []
        for proc in procs:
            out, err = proc.communicate()
            if proc.returncode != 0:
                raise SystemExit("child failed:\n" + err)
            speeds.append(json.loads(out.strip().splitlines()[-1])["words_per_s"])
        return speeds

    try:
        for mode in args.modes.split(","):
            results = {w: [] for w in workers}
            pairs = []
            for r in range(args.repeat):
                spec = dict(lib=args.lib, mode=mode, epochs=args.epochs, corpus=corpus, input_mode=args.input_mode)
                for w in workers:
                    speed, = run_children(dict(spec, workers=w), 1)
                    results[w].append(speed)
                    print("%s %s workers=%d run %d: %.0f words/s" % (args.lib, mode, w, r + 1, speed), flush=True)
                if args.pair_reference:
                    pair = run_children(dict(spec, workers=1), 2)
                    pairs.append(sum(pair))
                    print("%s %s two single-worker processes, run %d: %.0f + %.0f words/s" % (
                        args.lib, mode, r + 1, pair[0], pair[1]), flush=True)
            base = statistics.median(results[workers[0]]) / workers[0]
            for w in workers:
                med = statistics.median(results[w])
                rows.append((mode, "%d" % w, ", ".join("%.0f" % x for x in results[w]), med, med / (w * base)))
            if pairs:
                med = statistics.median(pairs)
                rows.append((mode, "1 + 1 (two processes)", ", ".join("%.0f" % x for x in pairs), med,
                             med / (2 * base)))
    finally:
        if tmp is not None:
            os.unlink(tmp.name)
    lines = ["# Scaling with worker threads", "",
             "Command: `%s`" % " ".join(shlex.quote(a) for a in [sys.executable, *sys.argv]),
             "Date: %s; nproc: %d; library: %s; input mode: %s; corpus: `%s`%s; epochs: %d" % (
                 dt.datetime.now().isoformat(timespec="seconds"), os.cpu_count(), args.lib, args.input_mode,
                 args.corpus, " (read from a decompressed copy)" if tmp is not None else "", args.epochs), "",
             "| mode | workers | words/s per run | median words/s | efficiency vs 1 worker |",
             "| --- | --- | --- | --- | --- |"]
    lines += ["| %s | %s | %s | %.0f | %.2f |" % row for row in rows]
    if args.pair_reference:
        lines += ["", "`1 + 1 (two processes)`: two single-worker trainings started together in separate processes, "
                  "their words/s summed (the machine's own two-core throughput for this work at that moment); "
                  "its efficiency column is that sum over twice the 1-worker median."]
    text = "\n".join(lines) + "\n"
    print(text)
    out = Path(args.output or HERE / "results" / ("scaling-%s.md" % dt.date.today().isoformat()))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
