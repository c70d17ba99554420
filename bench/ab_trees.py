"""Paired A/B of two cw2v source trees (e.g. two git worktrees, each built in place): in-process words/s.

Each run is a fresh ``python`` process that puts one tree first on ``sys.path``, builds the vocabulary of a
plain-text corpus (``corpus_file``) and times ``train()``; the two trees run alternately (A B A B ...) and
the ratio is taken pair by pair, so drift of a shared machine's speed cancels out. Prints, per mode, both
medians and the paired ratio's median and range.

    python bench/ab_trees.py /work/new /work/old --corpus /tmp/g2m.txt --modes cbow-hs,sg-ns --workers 1,2

A tree may carry kernel settings after a colon, to compare the run-time choices of one tree on this CPU
(``row_ops`` = avx512 | avx2 | blas, ``prefetch`` = write | read, ``block`` = gemm | rowops; see
``cw2v._kernels._row_ops``, ``_prefetch_mode`` and ``_block_products``):

    python bench/ab_trees.py /work/main:row_ops=avx512 /work/main:row_ops=avx2 --corpus /tmp/g2m.txt

(``zcat ../shared/data/gutenberg-2m.txt.gz > /tmp/g2m.txt`` gives the corpus used in docs/benchmarks.md.)
"""
import argparse
import statistics
import subprocess
import sys

MODES = {"sg-ns": (1, 0, 5), "cbow-ns": (0, 0, 5), "sg-hs": (1, 1, 0), "cbow-hs": (0, 1, 0)}

RUN = """
import sys, time
sys.path.insert(0, {tree!r})
import cw2v
from cw2v import _kernels
assert cw2v.__file__.startswith({tree!r}), cw2v.__file__
setters = {{"row_ops": _kernels._row_ops, "prefetch": _kernels._prefetch_mode, "block": _kernels._block_products}}
for name, value in {settings!r}.items():
    setters[name](value)
m = cw2v.Word2Vec(vector_size={size}, sg={sg}, hs={hs}, negative={neg}, workers={workers}, seed=1)
m.build_vocab(corpus_file={corpus!r})
t0 = time.perf_counter()
m.train(corpus_file={corpus!r}, total_words=m.corpus_total_words, epochs={epochs})
print({epochs} * m.corpus_total_words / (time.perf_counter() - t0))
"""


def parse_tree(spec):
    """``"PATH"`` or ``"PATH:name=value,name=value"`` -> (path, settings dict)."""
    path, _, rest = spec.partition(":")
    settings = dict(item.split("=", 1) for item in rest.split(",") if item)
    unknown = set(settings) - {"row_ops", "prefetch", "block"}
    if unknown:
        raise SystemExit("unknown kernel setting(s) %s in %r (row_ops, prefetch, block)" % (sorted(unknown), spec))
    return path, settings


def words_per_second(spec, mode, workers, args):
    sg, hs, neg = MODES[mode]
    tree, settings = parse_tree(spec)
    code = RUN.format(tree=tree, settings=settings, sg=sg, hs=hs, neg=neg, workers=workers, corpus=args.corpus,
                      epochs=args.epochs, size=args.vector_size)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd="/", check=True)
    return float(out.stdout.split()[-1])


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("tree_a")
    p.add_argument("tree_b")
    p.add_argument("--corpus", required=True, help="plain-text corpus (one sentence per line)")
    p.add_argument("--modes", default=",".join(MODES))
    p.add_argument("--workers", default="1,2")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--vector-size", type=int, default=100)
    args = p.parse_args()
    for workers in map(int, args.workers.split(",")):
        for mode in args.modes.split(","):
            a, b = [], []
            for _ in range(args.repeat):
                a.append(words_per_second(args.tree_a, mode, workers, args))
                b.append(words_per_second(args.tree_b, mode, workers, args))
            ratios = sorted(x / y for x, y in zip(a, b))
            print("%-8s workers=%d  A %.0f  B %.0f words/s (medians)  A/B paired median %.3f (%.3f .. %.3f)"
                  % (mode, workers, statistics.median(a), statistics.median(b), statistics.median(ratios),
                     ratios[0], ratios[-1]), flush=True)


if __name__ == "__main__":
    main()
