"""Command line: ``cw2v train`` (word2vec.c's options), ``cw2v demo`` and tools for trained vectors.

- ``cw2v similar VECTORS WORD [--topn N]``: nearest neighbours of a word.
- ``cw2v analogy VECTORS A B C [--topn N]``: "A is to B as C is to ?", i.e. the words nearest to
  ``B - A + C`` (``most_similar(positive=[B, C], negative=[A])``); ``cw2v analogy v.bin man king woman``
  asks for the female king.
- ``cw2v evaluate VECTORS [--analogies FILE] [--pairs FILE]``: analogy accuracy per section and overall
  (``questions-words.txt`` format) and Pearson/Spearman correlations with word-pair judgements
  (``wordsim353.tsv`` format).
- ``cw2v phrases --input IN --output OUT``: learn bigram phrases and write the corpus with them glued
  (``new york`` -> ``new_york``).

``VECTORS`` is a cw2v or gensim ``KeyedVectors``/``Word2Vec`` save, or a word2vec C file, binary or text
(detected). Run ``cw2v --help``, ``cw2v <command> --help``; ``python -m cw2v`` is the same program.
Errors (missing file, unknown word, malformed input) print one line to stderr and exit with status 1.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import logging
import os
import sys
import time
from collections.abc import Sequence

from cw2v import _fileio

#: Words the demo asks about; each is frequent in the bundled corpus.
DEMO_WORDS = ("king", "london", "money", "horse", "tuesday")
DEMO_ANALOGY = ("king", "man", "woman")  # king - man + woman


def demo_corpus_path() -> str:
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


def cmd_train(args: argparse.Namespace) -> int:
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


def cmd_demo(args: argparse.Namespace) -> int:
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


class CLIError(Exception):
    """An error to report on one line of stderr (exit status 1), without a traceback."""


def _sniff_word2vec(path):
    """Guess the layout of a word2vec C file: ``'binary'``, ``'text'`` or None (no ``"N D"`` header).

    The first line must be ``"<count> <dim>"``. If the line after it decodes as UTF-8 into a key and
    ``dim`` numbers, the file is text; otherwise (raw float bytes after the key) it is binary.
    """
    from cw2v.corpora import open_binary

    with open_binary(path) as fin:
        header = fin.readline(4096)
        row = fin.readline(1 << 20)
    try:
        count, dim = (int(x) for x in header.decode("ascii").split())
    except (UnicodeDecodeError, ValueError):
        return None
    if count < 0 or dim < 1:
        return None
    try:
        fields = row.decode("utf8").split()
        if len(fields) == dim + 1:
            [float(x) for x in fields[1:]]
            return "text"
    except (UnicodeDecodeError, ValueError):
        pass
    return "binary" if count else "text"


def _load_vectors(path):
    """Load word vectors from ``path`` in whichever format it holds.

    Tries, in order: the native cw2v format and gensim saves (:meth:`cw2v.KeyedVectors.load`, which
    recognises its own files; a full ``Word2Vec`` model gives its ``.wv``), then word2vec C binary,
    then word2vec C text (the layout suggested by the file's first rows is tried first).

    Parameters
    ----------
    path : str
        The file.

    Returns
    -------
    cw2v.KeyedVectors

    Raises
    ------
    CLIError
        If the file does not exist or is in none of these formats (the message says why each failed).
    """
    import pickle

    from cw2v.keyedvectors import KeyedVectors

    if not os.path.exists(path):
        raise CLIError("vectors file %r does not exist" % path)
    if os.path.isdir(path):
        raise CLIError("%r is a directory, not a vectors file" % path)
    reasons = []
    try:
        loaded = KeyedVectors.load(path)
        # a full model file gives the model, as gensim's KeyedVectors.load does: its vectors are .wv
        return loaded if isinstance(loaded, KeyedVectors) else loaded.wv
    except TypeError:  # a full Word2Vec model (cw2v 0.1 raised TypeError)
        from cw2v.word2vec import Word2Vec
        try:
            return Word2Vec.load(path).wv
        except (ValueError, TypeError, pickle.UnpicklingError, EOFError) as exc:
            reasons.append("model: %s" % exc)
    except (ValueError, pickle.UnpicklingError, EOFError) as exc:
        reasons.append("native: %s" % exc)
    try:
        layout = _sniff_word2vec(path)
    except (OSError, EOFError, ValueError) as exc:  # e.g. a corrupt .gz
        raise CLIError("cannot read %r: %s" % (path, exc)) from None
    if layout is None:
        reasons.append("word2vec: first line is not '<count> <dimension>'")
    else:
        for binary in ((True, False) if layout == "binary" else (False, True)):
            try:
                return KeyedVectors.load_word2vec_format(path, binary=binary)
            except (ValueError, EOFError, IndexError) as exc:
                reasons.append("word2vec %s: %s" % ("binary" if binary else "text", exc))
    raise CLIError("cannot load vectors from %r: not a cw2v/gensim save nor a word2vec binary or text file (%s)"
                   % (path, "; ".join(reasons)))


def _require_words(kv, words):
    missing = [w for w in words if w not in kv]
    if missing:
        hints = ["%r (did you mean %r?)" % (w, w.lower()) if w.lower() != w and w.lower() in kv else repr(w)
                 for w in missing]
        raise CLIError("word%s not in the vocabulary (%d words): %s"
                       % ("s" if len(missing) > 1 else "", len(kv), ", ".join(hints)))


def _print_ranked(pairs):
    for word, score in pairs:
        print("%s\t%.4f" % (word, score))


def cmd_similar(args: argparse.Namespace) -> int:
    """Print the ``--topn`` nearest neighbours of WORD, one ``word<TAB>cosine`` per line."""
    kv = _load_vectors(args.vectors)
    _require_words(kv, [args.word])
    _print_ranked(kv.most_similar(args.word, topn=args.topn))
    return 0


def cmd_analogy(args: argparse.Namespace) -> int:
    """A is to B as C is to ?: print the words nearest to ``B - A + C`` (A, B, C excluded)."""
    kv = _load_vectors(args.vectors)
    _require_words(kv, [args.a, args.b, args.c])
    _print_ranked(kv.most_similar(positive=[args.b, args.c], negative=[args.a], topn=args.topn))
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Print analogy accuracy (per section, overall) and word-pair correlations."""
    if not args.analogies and not args.pairs:
        raise CLIError("nothing to evaluate: give --analogies FILE and/or --pairs FILE")
    for name in (args.analogies, args.pairs):
        if name and not os.path.isfile(name):
            raise CLIError("evaluation file %r does not exist" % name)
    kv = _load_vectors(args.vectors)
    restrict = args.restrict_vocab or None
    case_insensitive = not args.case_sensitive
    if args.analogies:
        score, sections = kv.evaluate_word_analogies(args.analogies, restrict_vocab=restrict,
                                                     case_insensitive=case_insensitive)
        print("analogies: %s" % args.analogies)
        for section in sections:
            right, wrong = len(section["correct"]), len(section["incorrect"])
            total = right + wrong
            print("  %-40s %6.2f%%  (%d/%d)" % (section["section"] + ":", 100.0 * right / total if total else 0.0,
                                              right, total))
    if args.pairs:
        pearson, spearman, oov = kv.evaluate_word_pairs(args.pairs, restrict_vocab=restrict,
                                                        case_insensitive=case_insensitive,
                                                        delimiter=args.delimiter)
        print("pairs: %s" % args.pairs)
        print("  Pearson:  %.4f  (p=%.3g)" % (pearson[0], pearson[1]))
        print("  Spearman: %.4f  (p=%.3g)" % (spearman[0], spearman[1]))
        print("  OOV:      %.2f%%" % oov)
    return 0


@contextlib.contextmanager
def _atomic_text_output(path):
    """A UTF-8 text file (``'\\n'`` line ends) that replaces ``path`` atomically when the block ends normally.

    Compressed by the extension of ``path`` (``.gz``/``.bz2``/``.xz``/``.lzma``); written to a temporary
    file in the same folder, fsynced and renamed into place (:class:`cw2v._fileio.AtomicFile`), so an
    interrupted run leaves any previous output as it was.
    """
    with _fileio.AtomicFile(path, compress=True) as out:
        text = io.TextIOWrapper(out.file, encoding="utf8", newline="\n")
        try:
            yield text
            text.flush()
        finally:
            with contextlib.suppress(ValueError, OSError):
                text.detach()  # the atomic file closes (and fsyncs) the stream itself


def cmd_phrases(args: argparse.Namespace) -> int:
    """Learn bigrams on ``--input`` and write it to ``--output`` with detected phrases glued."""
    from cw2v.corpora import LineSentence
    from cw2v.phrases import Phrases

    if not os.path.isfile(args.input):
        raise CLIError("input file %r does not exist" % args.input)
    if os.path.abspath(args.input) == os.path.abspath(args.output):
        raise CLIError("--output must differ from --input")
    corpus = LineSentence(args.input)
    t0 = time.perf_counter()
    model = Phrases(corpus, min_count=args.min_count, threshold=args.threshold, scoring=args.scoring,
                    delimiter=args.delimiter)
    frozen = model.freeze()
    if args.save_model:
        frozen.save(args.save_model)
    sentences = glued = 0
    with _atomic_text_output(args.output) as fout:
        for sentence in corpus:
            phrased = frozen[sentence]
            glued += len(sentence) - len(phrased)
            fout.write(" ".join(phrased))
            fout.write("\n")
            sentences += 1
    n_phrases = len(getattr(frozen, "phrasegrams", ()) or ())
    print("wrote %d sentences to %s: %d bigram phrases known, %d occurrences glued (%.1fs)"
          % (sentences, args.output, n_phrases, glued, time.perf_counter() - t0))
    return 0


def build_parser() -> argparse.ArgumentParser:
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

    vectors_help = "vectors file: cw2v/gensim save, or word2vec C binary or text (detected)"
    similar = sub.add_parser("similar", help="nearest neighbours of a word",
                             description="Print the words most similar (cosine) to WORD, one 'word<TAB>cosine' "
                                         "per line.")
    similar.add_argument("vectors", help=vectors_help)
    similar.add_argument("word")
    similar.add_argument("--topn", type=_positive_int, default=10, help="how many neighbours (default 10)")
    similar.add_argument("--verbose", action="store_true", help="show log lines")
    similar.set_defaults(func=cmd_similar)

    analogy = sub.add_parser("analogy", help="A is to B as C is to ? (words nearest to B - A + C)",
                             description="A is to B as C is to ?: print the words nearest to B - A + C "
                                         "(most_similar(positive=[B, C], negative=[A])), one 'word<TAB>cosine' "
                                         "per line. Example: cw2v analogy vectors.bin man king woman -> queen.")
    analogy.add_argument("vectors", help=vectors_help)
    analogy.add_argument("a", metavar="A")
    analogy.add_argument("b", metavar="B")
    analogy.add_argument("c", metavar="C")
    analogy.add_argument("--topn", type=_positive_int, default=10, help="how many answers (default 10)")
    analogy.add_argument("--verbose", action="store_true", help="show log lines")
    analogy.set_defaults(func=cmd_analogy)

    evaluate = sub.add_parser("evaluate", help="analogy accuracy and word-pair correlations",
                              description="Evaluate vectors on analogy questions (questions-words.txt format: "
                                          "': section' lines, then 'a b c d' lines) and/or word pairs with human "
                                          "scores (wordsim353.tsv format: 'w1<TAB>w2<TAB>score'). Prints both "
                                          "when both are given.")
    evaluate.add_argument("vectors", help=vectors_help)
    evaluate.add_argument("--analogies", default=None, help="analogy questions file")
    evaluate.add_argument("--pairs", default=None, help="word-pair similarity file")
    evaluate.add_argument("--delimiter", default="\t", help="field separator of --pairs (default tab)")
    evaluate.add_argument("--restrict-vocab", type=int, default=300000,
                          help="use only the first N words (default 300000; 0 = all)")
    evaluate.add_argument("--case-sensitive", action="store_true", help="do not upper-case words before lookup")
    evaluate.add_argument("--verbose", action="store_true", help="show log lines")
    evaluate.set_defaults(func=cmd_evaluate)

    phrases = sub.add_parser("phrases", help="glue frequent bigrams (new york -> new_york) in a corpus",
                             description="Learn bigram phrases on a corpus (one sentence per line) and write it "
                                         "again with each detected phrase joined by the delimiter.")
    phrases.add_argument("--input", required=True, help="corpus (.gz/.bz2/.xz read transparently)")
    phrases.add_argument("--output", required=True, help="where to write the phrased corpus (.gz etc. compressed)")
    phrases.add_argument("--min-count", type=_positive_int, default=5,
                         help="ignore words and bigrams seen fewer times (default 5)")
    phrases.add_argument("--threshold", type=float, default=10.0,
                         help="score a bigram needs (default 10.0; use a value in (-1, 1] for npmi)")
    phrases.add_argument("--scoring", choices=("default", "npmi"), default="default",
                         help="scoring function (default: Mikolov et al.'s)")
    phrases.add_argument("--delimiter", default="_", help="glue between the words of a phrase (default '_')")
    phrases.add_argument("--save-model", default=None, help="also save the (frozen) phrase model here")
    phrases.add_argument("--verbose", action="store_true", help="show progress lines")
    phrases.set_defaults(func=cmd_phrases)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
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
    except CLIError as exc:
        print("cw2v %s: error: %s" % (args.command, exc), file=sys.stderr)
        return 1
    except KeyError as exc:  # an unknown key that slipped past the checks
        print("cw2v %s: error: %s" % (args.command, exc.args[0] if exc.args else exc), file=sys.stderr)
        return 1
    except (ValueError, TypeError, OSError, EOFError) as exc:
        print("cw2v %s: error: %s" % (args.command, exc), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
