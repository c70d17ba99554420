"""``python -m cw2v.scripts.word2vec_standalone``: gensim's word2vec.c-style script, run by cw2v.

Takes the options of ``python -m gensim.scripts.word2vec_standalone`` (single-dash, word2vec.c's names and
defaults: ``-train FILE -output FILE -size 100 -window 5 -sample 1e-3 -hs 0 -negative 5 -threads 3 -iter 5
-min_count 5 -alpha A -cbow 1 -binary 0 -accuracy QUESTIONS``). With ``-output`` the vectors are written in
word2vec C format there; without it, the model is saved natively to ``<train stem>.model`` with the vectors
beside it (``.model.bin`` or ``.model.txt``), as gensim's script does. Progress goes to stderr, nothing to
stdout; ``cw2v train`` is the fuller command line.
"""
import argparse
import logging
import os
import sys

logger = logging.getLogger(__name__)


def build_parser():
    p = argparse.ArgumentParser(prog="python -m cw2v.scripts.word2vec_standalone", description=__doc__.split("\n")[0])
    p.add_argument("-train", required=True, help="training text, one sentence per line")
    p.add_argument("-output", help="where to write the vectors (word2vec C format)")
    p.add_argument("-window", type=int, default=5, help="max distance between words (default 5)")
    p.add_argument("-size", type=int, default=100, help="vector size (default 100)")
    p.add_argument("-sample", type=float, default=1e-3, help="subsampling threshold (default 1e-3)")
    p.add_argument("-hs", type=int, default=0, choices=[0, 1], help="hierarchical softmax (default 0)")
    p.add_argument("-negative", type=int, default=5, help="noise words per example (default 5; 0 = off)")
    p.add_argument("-threads", type=int, default=3, help="worker threads (default 3)")
    p.add_argument("-iter", type=int, default=5, help="epochs (default 5)")
    p.add_argument("-min_count", type=int, default=5, help="discard words seen fewer times (default 5)")
    p.add_argument("-alpha", type=float, help="initial learning rate (default 0.05 for CBOW, 0.025 skip-gram)")
    p.add_argument("-cbow", type=int, default=1, choices=[0, 1], help="1 for CBOW (default), 0 for skip-gram")
    p.add_argument("-binary", type=int, default=0, choices=[0, 1], help="1 for the binary format (default 0)")
    p.add_argument("-accuracy", help="analogy questions to evaluate the vectors on (logged)")
    return p


def main(argv=None):
    from cw2v.corpora import LineSentence
    from cw2v.word2vec import Word2Vec

    args = build_parser().parse_args(argv)
    logging.basicConfig(format="%(asctime)s : %(threadName)s : %(levelname)s : %(message)s", level=logging.INFO)
    if not os.path.isfile(args.train):
        raise SystemExit("word2vec_standalone: -train file %r does not exist" % args.train)
    alpha = args.alpha or (0.05 if args.cbow else 0.025)
    model = Word2Vec(LineSentence(args.train), vector_size=args.size, min_count=args.min_count,
                     workers=args.threads, window=args.window, sample=args.sample, alpha=alpha,
                     sg=0 if args.cbow else 1, hs=args.hs, negative=args.negative, cbow_mean=1, epochs=args.iter)
    if args.output:
        model.wv.save_word2vec_format(args.output, binary=bool(args.binary))
    else:
        stem = os.path.splitext(args.train)[0]
        model.save(stem + ".model")
        model.wv.save_word2vec_format(stem + (".model.bin" if args.binary else ".model.txt"), binary=bool(args.binary))
    if args.accuracy:
        score, _ = model.wv.evaluate_word_analogies(args.accuracy)
        logger.info("analogy accuracy on %s: %.4f", args.accuracy, score)
    return 0


if __name__ == "__main__":
    sys.exit(main())
