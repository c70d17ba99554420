"""Hierarchical softmax with two threads: speed of hot-node replica settings, measured against each other.

Every configuration ``n_rows:period`` (``0:0``: no replica, the shared ``syn1`` rows as they are) trains
the same kind of slice of the corpus with two threads sharing one cw2v ``Trainer``, in one process.
Configurations take turns within each trial, so the machine's slow drifts hit them alike; the report
gives each configuration's median words/s and its median paired ratio to the first configuration
(quartiles in brackets). Speed only: quality needs full trainings (``bench/compare_gensim.py``).

    PYTHONPATH=. python bench/hot_nodes.py --sg 0 --configs 0:0,4096:500,16384:500 --trials 20

Words/s counts the slice's in-vocabulary tokens before subsampling, as ``train()`` does. The learning
rate is fixed at 0.02 and the weights keep training from trial to trial (a speed measurement, not a model).
"""
import argparse
import os
import statistics
import sys
import threading
import time

from threadpoolctl import threadpool_limits

from cw2v import Word2Vec
from cw2v._corpus import StringTable, encode_block
from cw2v._kernels import Trainer
from cw2v.corpora import iter_line_blocks

from compare_gensim import _plain_corpus  # bench/ is this script's directory, so on sys.path

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CORPUS = os.path.join(HERE, "..", "..", "shared", "data", "gutenberg-17m.txt.gz")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", default=DEFAULT_CORPUS)
    p.add_argument("--sg", type=int, choices=(0, 1), default=0)
    p.add_argument("--configs", default="0:0,4096:500", help="comma list of n_rows:period (0:0 = no replica)")
    p.add_argument("--trials", type=int, default=20)
    p.add_argument("--jobs-per-trial", type=int, default=60, help="blocks of ~128 KiB per configuration and trial")
    args = p.parse_args(argv)
    try:
        args.configs = [tuple(int(x) for x in c.split(":")) for c in args.configs.split(",")]
    except ValueError:
        p.error("--configs: expected n_rows:period pairs, got %r" % args.configs)
    if any(len(c) != 2 for c in args.configs):
        p.error("--configs: expected n_rows:period pairs")
    return args


def main(argv=None):
    args = parse_args(argv)
    threadpool_limits(limits=1, user_api="blas")
    plain, to_delete, _ = _plain_corpus(args.corpus, None)
    try:
        model = Word2Vec(workers=1, sg=args.sg, hs=1, negative=0, epochs=1)
        model.build_vocab(corpus_file=plain)
        table = StringTable.from_keys(model.wv.index_to_key)
        jobs = [(k, encode_block(table, block, 10000)) for k, block in enumerate(iter_line_blocks(plain, 1 << 17))]
    finally:
        if to_delete is not None:
            os.unlink(to_delete)
    t = model._tables
    trainer = Trainer(model.wv.vectors, None, model.syn1, t, sg=args.sg, hs=1, negative=0, window=model.window)

    def run(part, worker):
        for stream, (ids, ends, _raw) in part:
            worker.train_job(ids, ends, 0.02, 0.02, 1, stream, False)

    warm = 20
    run(jobs[:warm], trainer.worker())
    n = args.jobs_per_trial
    if len(jobs) < warm + n:
        sys.exit("the corpus has %d blocks; need at least %d" % (len(jobs), warm + n))
    results = {c: [] for c in args.configs}
    pos = warm
    for _ in range(args.trials):
        for cfg in args.configs:
            if pos + n > len(jobs):
                pos = warm
            part = jobs[pos:pos + n]
            pos += n
            words = sum(len(job[1][0]) for job in part)
            hots = [trainer.worker(cfg[0], cfg[1]) if cfg[0] else trainer.worker() for _ in range(2)]
            threads = [threading.Thread(target=run, args=(part[i::2], hots[i])) for i in range(2)]
            start = time.perf_counter()
            for th in threads:
                th.start()
            for th in threads:
                th.join()
            for hot in hots:
                hot.flush()
            results[cfg].append(words / (time.perf_counter() - start))
    base = results[args.configs[0]]
    print("# %s, sg=%d, hs=1, 2 threads, %d trials of %d blocks: python %s" % (
        os.path.basename(args.corpus), args.sg, args.trials, n, " ".join(sys.argv)))
    for cfg in args.configs:
        ratios = [a / b for a, b in zip(results[cfg], base)]
        q1, _, q3 = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else (ratios[0],) * 3
        print("n_rows:period %s  median %.0f words/s  paired ratio vs %s: %.3f [%.3f, %.3f]" % (
            "%d:%d" % cfg, statistics.median(results[cfg]), "%d:%d" % args.configs[0],
            statistics.median(ratios), q1, q3))


if __name__ == "__main__":
    main()
