#!/usr/bin/env python
"""Throughput against the number of worker threads (speed only, no evaluation).

Each measurement is a fresh subprocess training one mode on the corpus; worker counts alternate within
each repeat so machine noise hits them alike. Reports words/s (``corpus_total_words * epochs / train
seconds``) per run, the median per worker count, and the parallel efficiency
``median(words/s at w workers) / (w * median(words/s at 1 worker))``.

    python bench/scaling.py --modes sg-ns,cbow-ns --input-mode corpus_file --workers 1,2 --repeat 3
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
    try:
        for mode in args.modes.split(","):
            results = {w: [] for w in workers}
            for r in range(args.repeat):
                for w in workers:
                    spec = dict(lib=args.lib, mode=mode, workers=w, epochs=args.epochs, corpus=corpus,
                                input_mode=args.input_mode)
                    out = subprocess.run([sys.executable, __file__, "--child", json.dumps(spec)], capture_output=True,
                                         text=True)
                    if out.returncode != 0:
                        raise SystemExit("child failed:\n" + out.stderr)
                    res = json.loads(out.stdout.strip().splitlines()[-1])
                    results[w].append(res["words_per_s"])
                    print("%s %s workers=%d run %d: %.0f words/s" % (args.lib, mode, w, r + 1, res["words_per_s"]),
                          flush=True)
            base = statistics.median(results[workers[0]]) / workers[0]
            for w in workers:
                med = statistics.median(results[w])
                rows.append((mode, w, ", ".join("%.0f" % x for x in results[w]), med, med / (w * base)))
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
    lines += ["| %s | %d | %s | %.0f | %.2f |" % row for row in rows]
    text = "\n".join(lines) + "\n"
    print(text)
    out = Path(args.output or HERE / "results" / ("scaling-%s.md" % dt.date.today().isoformat()))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
