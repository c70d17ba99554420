#!/usr/bin/env python
"""Skip-gram on graph random walks: community quality of gensim, cw2v (batched, the default) and cw2v with
``batched=False``, on planted-partition graphs.

Why: on walks, cw2v's block updates (``batched=True``) place nodes of one community less tightly than gensim;
``batched=False`` (word2vec.c's per-pair updates) matches gensim with negative sampling, and with hierarchical
softmax at one worker (at several, cw2v's per-thread replica of the busiest inner nodes holds the whole tree
of a small graph).

Each graph has ``--blocks`` communities of each of ``--block-sizes`` nodes; uniform random walks (``--walks`` per
node, ``--walk-length`` nodes each, DeepWalk's) are the sentences, node ids as strings. Every library trains on
the same walks with the same seeds (``--repeats`` of them, 1000 + repeat) and the same settings: skip-gram, 64
dimensions, 5 epochs, ``min_count=1``, for each loss of ``--modes``, thread count of ``--workers`` and window
of ``--windows``. Reported: ``comm@10``, the fraction of each node's 10 nearest neighbours by cosine in its own
community, mean and sd over the seeds.

Needs networkx and gensim (not cw2v dependencies)::

    python bench/walk_quality.py --output bench/results/walk_quality.md
"""
from __future__ import annotations

import argparse
import datetime as _dt
import os
import platform
import random
import subprocess
import sys
import time

import numpy as np


def walks(graph, n_walks, length, seed):
    rng = random.Random(seed)
    nodes = list(graph.nodes())
    neighbours = {n: list(graph.neighbors(n)) for n in nodes}
    out = []
    for _ in range(n_walks):
        rng.shuffle(nodes)
        for start in nodes:
            walk = [start]
            while len(walk) < length and neighbours[walk[-1]]:
                walk.append(rng.choice(neighbours[walk[-1]]))
            out.append([str(x) for x in walk])
    return out


def comm_at_10(model, graph, labels):
    vectors = np.array([model.wv[str(n)] for n in graph.nodes()], dtype=np.float64)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    cos = vectors @ vectors.T
    np.fill_diagonal(cos, -2.0)
    nearest = np.argsort(-cos, axis=1)[:, :10]
    return float((labels[nearest] == labels[:, None]).mean())


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--blocks", type=int, default=8)
    p.add_argument("--block-sizes", default="50,250", help="nodes per community, one graph each")
    p.add_argument("--degree-in", type=float, default=8.0, help="expected neighbours inside the community")
    p.add_argument("--degree-out", type=float, default=4.2, help="expected neighbours outside it")
    p.add_argument("--walks", type=int, default=10)
    p.add_argument("--walk-length", type=int, default=40)
    p.add_argument("--windows", default="5,10")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--modes", default="ns,hs", help="ns: negative=5; hs: hs=1, negative=0")
    p.add_argument("--workers", default="2", help="worker threads, one run each (as comma list)")
    p.add_argument("--output", default=None)
    args = p.parse_args(argv)

    import gensim
    import networkx as nx
    from gensim.models import Word2Vec as GensimWord2Vec

    import cw2v
    from cw2v import Word2Vec

    libs = [("gensim", GensimWord2Vec, {}), ("cw2v", Word2Vec, {}),
            ("cw2v batched=False", Word2Vec, {"batched": False})]
    rows = []
    start = time.time()
    for size in [int(s) for s in args.block_sizes.split(",")]:
        n = args.blocks * size
        p_in = args.degree_in / (size - 1)
        p_out = args.degree_out / (n - size)
        graph = nx.planted_partition_graph(args.blocks, size, p_in, p_out, seed=7)
        labels = np.array([node // size for node in graph.nodes()])
        corpora = [walks(graph, args.walks, args.walk_length, 1000 + r) for r in range(args.repeats)]
        for mode in args.modes.split(","):
            loss = {"ns": {"hs": 0, "negative": 5}, "hs": {"hs": 1, "negative": 0}}[mode]
            for workers in [int(w) for w in args.workers.split(",")]:
                for window in [int(w) for w in args.windows.split(",")]:
                    for name, cls, extra in libs:
                        scores = []
                        for r, corpus in enumerate(corpora):
                            model = cls(corpus, vector_size=64, window=window, min_count=1, sg=1, epochs=5,
                                        workers=workers, seed=1000 + r, **loss, **extra)
                            scores.append(comm_at_10(model, graph, labels))
                        rows.append((n, mode.upper(), workers, window, name, float(np.mean(scores)),
                                     float(np.std(scores))))
                        print("%5d nodes, %s, %d workers, window %2d, %-20s comm@10 %.3f +- %.3f" % rows[-1],
                              flush=True)
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in subprocess.run(
            ["lscpu"], capture_output=True, text=True).stdout.splitlines() if line.startswith("Model name"))
    except (OSError, StopIteration):
        cpu = platform.processor() or "unknown"
    lines = ["# Skip-gram on graph random walks: community quality (comm@10)", "",
             "Command: `python bench/walk_quality.py%s`"
             % "".join(" " + a for a in (sys.argv[1:] if argv is None else argv)),
             "",
             "- Date: %s; CPU: %s, %d cores; %.0f s in all" % (_dt.datetime.now().isoformat(timespec="seconds"), cpu,
                                                             os.cpu_count(), time.time() - start),
             "- Versions: Python %s, gensim %s, cw2v %s, networkx %s" % (platform.python_version(), gensim.__version__,
                                                                        cw2v.__version__, nx.__version__),
             "- Graphs: %d planted communities, expected degree %.1f inside + %.1f outside (networkx "
             "planted_partition_graph, seed 7); %d uniform walks per node of %d nodes; skip-gram with negative "
             "sampling (NS: negative 5) or hierarchical softmax (HS: hs 1, negative 0), 64 dimensions, 5 epochs, "
             "min_count 1; mean +- sd over %d seeds (1000 + repeat)"
             % (args.blocks, args.degree_in, args.degree_out, args.walks, args.walk_length, args.repeats), "",
             "| nodes | loss | workers | window | library | comm@10 |", "| --- | --- | --- | --- | --- | --- |"]
    lines += ["| %d | %s | %d | %d | %s | %.3f +- %.3f |" % row for row in rows]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
