"""Command line: ``cw2v train`` (word2vec.c's options) and ``cw2v demo``.

Run ``cw2v --help``, ``cw2v train --help``; ``python -m cw2v`` is the same program.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import time

#: Words the demo asks about; each is frequent in the bundled corpus.
DEMO_WORDS = ("king", "london", "money", "horse", "tuesday")
DEMO_ANALOGY = ("king", "man", "woman")  # king - man + woman


def demo_corpus_path():
    """Path of the bundled demo corpus (2.0M tokens of public-domain English prose, gzip)."""
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "demo-corpus.txt.gz")


def _bool01(text):
    if text not in ("0", "1"):
        raise argparse.ArgumentTypeError("expected 0 or 1, got %r" % text)
    return int(text)


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("expected a positive integer, got %r" % text)
    return value


def _setup_logging(quiet=False):
    logging.basicConfig(format="%(asctime)s %(levelname)s %(message)s",
                        level=logging.WARNING if quiet else logging.INFO)


def cmd_train(args):
    """Train on ``--input`` and write the vectors in word2vec C format to ``--output``."""
    from cw2v.corpora import LineSentence
    from cw2v.word2vec import Word2Vec

    if not os.path.isfile(args.input):
        raise SystemExit("cw2v train: input file %r does not exist" % args.input)
    alpha = args.alpha if args.alpha is not None else (0.05 if args.cbow else 0.025)
    model = Word2Vec(vector_size=args.size, window=args.window, min_count=args.min_count, sample=args.sample,
                     sg=0 if args.cbow else 1, hs=args.hs, negative=args.negative, workers=args.threads,
                     epochs=args.epochs, alpha=alpha, seed=args.seed, max_vocab_size=args.max_vocab_size)
    corpus = LineSentence(args.input)
    t0 = time.perf_counter()
    model.build_vocab(corpus_iterable=corpus)
    model.train(corpus_iterable=corpus, total_words=model.corpus_total_words, epochs=model.epochs)
    model.wv.save_word2vec_format(args.output, binary=bool(args.binary),
                                  fvocab=args.save_vocab if args.save_vocab else None)
    logging.info("wrote %d vectors of size %d to %s in %.1fs", len(model.wv), model.vector_size, args.output,
                 time.perf_counter() - t0)
    return 0


def cmd_demo(args):
    """Train skip-gram on the bundled corpus and print what the vectors know."""
    from cw2v.corpora import LineSentence
    from cw2v.word2vec import Word2Vec

    path = demo_corpus_path()
    corpus = LineSentence(path)
    print("cw2v demo: skip-gram, negative sampling, %d epochs on %s (%d threads)"
          % (args.epochs, os.path.basename(path), args.threads))
    t0 = time.perf_counter()
    model = Word2Vec(corpus, vector_size=100, window=5, min_count=5, sg=1, negative=5, epochs=args.epochs,
                     workers=args.threads, seed=args.seed)
    elapsed = time.perf_counter() - t0
    print("trained %d word vectors on %d tokens in %.1fs (%.0f tokens/s)\n"
          % (len(model.wv), model.corpus_total_words, elapsed, model.corpus_total_words * args.epochs / elapsed))
    for word in DEMO_WORDS:
        if word in model.wv:
            neighbours = ", ".join("%s (%.2f)" % (w, s) for w, s in model.wv.most_similar(word, topn=8))
            print("%-8s -> %s" % (word, neighbours))
    a, b, c = DEMO_ANALOGY
    if all(w in model.wv for w in DEMO_ANALOGY):
        answers = model.wv.most_similar(positive=[a, c], negative=[b], topn=5)
        print("\n%s - %s + %s = %s" % (a, b, c, ", ".join("%s (%.2f)" % (w, s) for w, s in answers)))
    return 0


def build_parser():
    parser = argparse.ArgumentParser(prog="cw2v", description="Fast word2vec with gensim's API.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command")

    train = sub.add_parser("train", help="train vectors on a text file (word2vec.c's options)",
                           description="Train word vectors on a text file (one sentence per line, tokens "
                                       "separated by white space; .gz/.bz2/.xz read transparently) and save them "
                                       "in word2vec C format. Defaults are word2vec.c's.")
    train.add_argument("--input", "-train", required=True, help="training text file")
    train.add_argument("--output", required=True, help="where to write the vectors")
    train.add_argument("--cbow", type=_bool01, default=1, help="1 for CBOW (default), 0 for skip-gram")
    train.add_argument("--size", type=_positive_int, default=100, help="vector size (default 100)")
    train.add_argument("--window", type=_positive_int, default=5, help="max context distance (default 5)")
    train.add_argument("--negative", type=int, default=5, help="noise words per example (default 5; 0 = off)")
    train.add_argument("--hs", type=_bool01, default=0, help="1 for hierarchical softmax (default 0)")
    train.add_argument("--sample", type=float, default=1e-3, help="subsampling threshold (default 1e-3)")
    train.add_argument("--min-count", type=int, default=5, help="discard words seen fewer times (default 5)")
    train.add_argument("--threads", type=_positive_int, default=os.cpu_count() or 1,
                       help="worker threads (default: all cores)")
    train.add_argument("--epochs", "--iter", type=_positive_int, default=5, help="passes (default 5)")
    train.add_argument("--alpha", type=float, default=None,
                       help="initial learning rate (default 0.025 for skip-gram, 0.05 for CBOW)")
    train.add_argument("--binary", type=_bool01, default=0, help="1 to write the binary format (default 0)")
    train.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    train.add_argument("--max-vocab-size", type=_positive_int, default=None, help="bound on words held while counting")
    train.add_argument("--save-vocab", default=None, help="also write 'word count' lines to this file")
    train.add_argument("--quiet", action="store_true", help="no progress lines")
    train.set_defaults(func=cmd_train)

    demo = sub.add_parser("demo", help="train on the bundled corpus and show neighbours and an analogy")
    demo.add_argument("--epochs", type=_positive_int, default=5, help="passes (default 5)")
    demo.add_argument("--threads", type=_positive_int, default=os.cpu_count() or 1, help="worker threads")
    demo.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    demo.add_argument("--verbose", action="store_true", help="show progress lines")
    demo.set_defaults(func=cmd_demo)
    return parser


def main(argv=None):
    """Entry point of the ``cw2v`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from cw2v._version import __version__
        print(__version__)
        return 0
    if not args.command:
        parser.print_help()
        return 2
    if args.command == "train":
        _setup_logging(args.quiet)
    else:
        _setup_logging(not args.verbose)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (ValueError, TypeError, OSError) as exc:
        print("cw2v %s: error: %s" % (args.command, exc), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
