"""``Word2Vec``: parameters, vocabulary building, epochs, callbacks, saving; training is orchestrated here.

This module only orchestrates. Counting and tables live in :mod:`cw2v.vocab`, the inner loops in
:mod:`cw2v._kernels` (run with the GIL released), the vectors and their queries in
:mod:`cw2v.keyedvectors`; corpus files (blocks of whole lines, their size, counting in C) in
:mod:`cw2v._corpus_file`, the jobs of an epoch and the one learning-rate schedule they carry in
:mod:`cw2v._jobs`, the thread pool in :mod:`cw2v._threads`, the checks of arguments in
:mod:`cw2v._validation`.

Threads: the calling thread reads the corpus and cuts it into jobs of about ``batch_words`` tokens
(list operations per sentence, nothing per token); each of the ``workers`` threads maps a job's tokens
to indices in C (one dict look-up per token) and trains it without the GIL and without locks on the
weights (Hogwild, as in word2vec.c and gensim). Each job draws its random numbers from its own stream seeded by
``(seed, epoch, job number)`` and its learning rate from its position in the corpus, so ``workers=1``
with a fixed ``seed`` is bit-for-bit reproducible and does not depend on ``PYTHONHASHSEED``.
"""
from __future__ import annotations

import inspect
import logging
import math
import re
import threading
import time
import types
from numbers import Integral

import numpy as np
from threadpoolctl import threadpool_limits

from cw2v import persist, scoring as _scoring, vocab as _vocab
from cw2v._corpus import StringTable, encode_block, encode_sentences, int_key_index
from cw2v._corpus_file import CorpusFile, training_corpus
from cw2v._jobs import LearningRateSchedule, block_jobs, sentence_jobs, stream_base
from cw2v._kernels import HOT_ROWS, Trainer, _aligned_rows
from cw2v._lifecycle import LifecycleEvents
from cw2v._threads import pipeline
from cw2v._validation import check_flag, check_float, check_int, check_utf8, is_integer, refuse_unknown_keywords

# the corpus readers are importable from here too, as from gensim.models.word2vec
from cw2v.corpora import BrownCorpus, LineSentence, PathLineSentences, Text8Corpus  # noqa: F401
from cw2v.keyedvectors import KeyedVectors
from cw2v.persist import ClassOnlyMethod as persist_class_only

logger = logging.getLogger(__name__)

#: Default number of tokens per job (gensim's ``MAX_WORDS_IN_BATCH``; here a job size, never a truncation).
MAX_WORDS_IN_BATCH = 10000

#: gensim's flags for its compiled routines: code that checks ``FAST_VERSION > -1`` (compiled training
#: available) or ``CORPUSFILE_VERSION > -1`` (corpus_file mode available) finds both in cw2v.
FAST_VERSION = 1
CORPUSFILE_VERSION = 1

#: Keywords of gensim 3's ``Word2Vec`` that ``train()`` is sometimes still given, and what replaced them.
_GENSIM3_TRAIN_NAMES = {"sentences": "corpus_iterable", "iter": "epochs"}


#: What ``Word2Vec(batched=None)`` means (see :func:`set_default_batched`).
_default_batched = [True]


def set_default_batched(batched: bool) -> bool:
    """Set what ``Word2Vec(batched=None)``, the default, means; returns the previous value.

    :func:`cw2v.patch_gensim` sets it (``batched=False``: word2vec.c's and gensim's per-pair updates for
    every model that code written for gensim creates, which cannot pass ``batched`` itself) and
    :func:`cw2v.unpatch_gensim` restores it.

    Parameters
    ----------
    batched : bool
        The new default (initially True).

    Returns
    -------
    bool
        The previous default.

    Raises
    ------
    TypeError
        `batched` is not a bool.
    """
    if not isinstance(batched, (bool, np.bool_)):
        raise TypeError("batched must be True or False, got %r" % (batched,))
    previous, _default_batched[0] = _default_batched[0], bool(batched)
    return previous


def _progress_bar(enabled, total, unit):
    """A tqdm progress bar, or None when not asked for or tqdm is not installed."""
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        logger.warning("progress=True needs tqdm (pip install tqdm); training without a progress bar")
        return None
    return tqdm(total=total, unit=unit, unit_scale=True, desc="cw2v")


#: The weight matrices start on this many bytes (a cache line), so vector loads of the first rows do not
#: straddle lines. Rows themselves are packed: ``wv.vectors`` is a plain C-contiguous array that other
#: libraries (faiss, ``np.frombuffer``, ``memoryview.cast``) take as it is; what padding rows to whole
#: cache lines was worth is in docs/benchmarks.md.
ROW_ALIGN = 64


def _weight_matrix(n, d):
    """A zeroed C-contiguous ``(n, d)`` float32 matrix starting on a :data:`ROW_ALIGN`-byte boundary."""
    return _aligned_rows(n, d, ROW_ALIGN)


class _Expandos(dict):
    """``wv.expandos`` of a model: with hierarchical softmax, ``'code'`` and ``'point'`` come from its tables.

    gensim keeps each word's Huffman code (uint8 0/1 per level, root first) and path of inner nodes (int32
    rows of ``syn1``) in ``wv.expandos``, so ``wv.get_vecattr(word, 'code')`` works there. Here they are
    formed from the model's Huffman tables when first asked for (object arrays of per-word views, as gensim
    holds them) instead of for every model, and are not items of the dict, so saves hold only the counts.
    """

    def __init__(self, values, tables=None):
        super().__init__(values)
        self._tables = tables
        self._huffman = {}

    def __missing__(self, attr):
        t = self._tables
        if t is None or attr not in ("code", "point"):
            raise KeyError(attr)
        if attr not in self._huffman:
            table = t.codes if attr == "code" else t.points
            per_word = np.empty(len(t.code_lens), dtype=object)
            for i, n in enumerate(t.code_lens.tolist()):
                per_word[i] = table[i, :n]
            self._huffman[attr] = per_word
        return self._huffman[attr]


class EmptyVocabularyError(ValueError, RuntimeError):
    """The corpus has no token, or ``min_count`` (or ``trim_rule``) leaves no word.

    Both a ``ValueError`` and a ``RuntimeError``: gensim reports this case as the ``RuntimeError`` "you must
    first build vocabulary before training the model", so code written for gensim catches that.
    """


class Word2Vec(LifecycleEvents):
    """Train word vectors with skip-gram or CBOW, negative sampling and/or hierarchical softmax.

    A drop-in for ``gensim.models.Word2Vec`` (gensim 4): same parameters, defaults, methods and
    attributes. Passing a corpus builds the vocabulary and trains at once.

    Parameters
    ----------
    sentences : iterable of list of str, optional
        The corpus (e.g. :class:`cw2v.LineSentence`); must be re-iterable (not a generator) since it is
        read once for the vocabulary and once per epoch. Sentences of any length are trained in full.
        A :class:`cw2v.LineSentence` over a local UTF-8 file (no ``limit``, ``unicode_errors='strict'``,
        not a subclass) is read as ``corpus_file`` is: tokenized in C, no Python per token, the same
        sentences.
    corpus_file : str or os.PathLike, optional
        A file in :class:`cw2v.LineSentence` format, instead of ``sentences``.
    vector_size : int, optional
        Dimensionality of the vectors (default 100).
    alpha : float, optional
        Initial learning rate (default 0.025); decays linearly to ``min_alpha`` over all epochs.
    window : int, optional
        Maximum distance, in tokens each side, between the current and a context word (default 5).
    min_count : int, optional
        Words with a lower total count are ignored (default 5).
    max_vocab_size : int, optional
        Bound on distinct words held while counting; rarer words are pruned as in word2vec.c.
    sample : float, optional
        Subsampling threshold as a fraction of corpus tokens (default 1e-3; 0 disables) — Mikolov et
        al. 2013b, with word2vec.c's keep probability ``(sqrt(c / t) + 1) * t / c``.
    seed : int or None, optional
        Seed for the initial vectors and every random draw (default 1). None, as in gensim, draws a fresh
        seed from the operating system's entropy, so every run differs; the seed drawn is kept in
        ``model.random_seed`` (``model.seed`` stays None).
    workers : int, optional
        Training threads (default 3). They update the shared weights without locks (Hogwild, as
        word2vec.c and gensim do); with ``hs=1`` and more than one worker, each thread also keeps a replica
        of the 4096 busiest ``syn1`` rows (the top of the Huffman tree, which every prediction updates),
        exchanged with ``syn1`` every 500 to 32,000 words and at the end of each epoch (two float32
        arrays of 4096 rows per thread; see :class:`cw2v._kernels.Worker`).
    min_alpha : float, optional
        Final learning rate (default 0.0001).
    sg : {0, 1}, optional
        1 for skip-gram, 0 for CBOW (default).
    hs : {0, 1}, optional
        1 for hierarchical softmax over a Huffman tree (default 0).
    negative : int, optional
        Noise words per positive example for negative sampling (default 5; 0 disables).
    ns_exponent : float, optional
        Exponent of the noise distribution ``count ** ns_exponent`` (default 0.75).
    cbow_mean : {0, 1}, optional
        CBOW hidden vector is the mean (1, default) or the sum (0) of the context vectors.
    hashfxn : callable, optional
        Accepted for compatibility with gensim; unused (initial vectors come from ``seed`` alone).
    epochs : int, optional
        Passes over the corpus (default 5).
    null_word : {0, 1}, optional
        Add a ``'\\0'`` token to the vocabulary, as gensim does.
    trim_rule : callable, optional
        ``trim_rule(word, count, min_count)`` returning a :mod:`cw2v.vocab` ``RULE_*`` value.
    sorted_vocab : {0, 1}, optional
        Sort the vocabulary by decreasing count (default 1).
    batch_words : int, optional
        Tokens per job handed to a thread (default 10000): sentences are grouped into jobs of at most this
        many tokens, as in gensim; a longer sentence is a job of its own, trained whole (its windows span
        all of it; gensim would drop its tokens past 10,000).
    compute_loss : bool, optional
        Accumulate the training loss (see :meth:`get_latest_training_loss`).
    callbacks : sequence, optional
        Objects with ``on_train_begin/on_epoch_begin/on_epoch_end/on_train_end(model)`` methods.
    comment : str, optional
        Free text kept with the model.
    max_final_vocab : int, optional
        Raise the effective ``min_count`` so that at most this many words are kept.
    shrink_windows : bool, optional
        Draw the effective window uniformly from ``[1, window]`` for each word (default True), as
        word2vec.c does.
    batched : bool or None, optional, keyword-only (cw2v extension)
        None (default): True, or the value :func:`cw2v.patch_gensim` was given as ``batched`` while it is in
        effect (``python -m cw2v.patch --per-pair``: False).
        True: each window is one block update with level-3 BLAS — skip-gram scores every
        context word of a window against the same output rows (the target's Huffman path and/or the
        target plus one set of noise words shared by the window), as in HogBatch (Ji et al. 2016,
        arXiv:1604.04661); with negative sampling alone, two consecutive center words form one block
        and share one set of noise words (each context word is still scored only against its own center
        word's row); CBOW with hierarchical softmax scores its hidden vector against the whole Huffman
        path at once. CBOW with negative sampling alone keeps word2vec.c's updates either way.
        False: word2vec.c's per-pair updates with fresh noise words per pair everywhere.
        On text the two are equally good and True is 1.6-3x faster (by CPU); on random walks over graphs
        (node2vec, DeepWalk) True places the nodes of one community less tightly than gensim does
        (``bench/walk_quality.py``), and False matches gensim there.

    Attributes
    ----------
    wv : KeyedVectors
        The trained input vectors (``wv.vectors``, float32, shape (len(vocab), vector_size)).
    syn1neg : ndarray of shape (len(vocab), vector_size), float32
        Output vectors for negative sampling (if ``negative > 0``).
    syn1 : ndarray of shape (len(vocab), vector_size), float32
        Inner-node vectors of the Huffman tree (if ``hs``); row ``len(vocab) - 2`` is the root.
    cum_table : ndarray of uint32
        gensim's cumulative noise table (kept for compatibility; the kernels draw from an alias table).
    corpus_count, corpus_total_words : int
        Sentences and raw tokens seen by the last vocabulary scan.

    Raises
    ------
    ValueError
        If a parameter is out of range (the message names it and the allowed range).
    TypeError
        If ``sentences`` is a generator or a string.

    Notes
    -----
    ``wv.vectors``, ``syn1neg`` and ``syn1`` are C-contiguous float32 arrays starting on a 64-byte
    boundary. Training also accepts arrays assigned by the user whose rows are contiguous but further
    apart (a view of a wider array).
    """

    def __init__(self, sentences=None, corpus_file=None, vector_size=100, alpha=0.025, window=5, min_count=5,
                 max_vocab_size=None, sample=1e-3, seed=1, workers=3, min_alpha=0.0001, sg=0, hs=0, negative=5,
                 ns_exponent=0.75, cbow_mean=1, hashfxn=hash, epochs=5, null_word=0, trim_rule=None,
                 sorted_vocab=1, batch_words=MAX_WORDS_IN_BATCH, compute_loss=False, callbacks=(), comment=None,
                 max_final_vocab=None, shrink_windows=True, *, batched=None):
        self.vector_size = check_int("vector_size", vector_size, 1)
        self.alpha = check_float("alpha", alpha, 0.0, low_inclusive=False)
        self.min_alpha = check_float("min_alpha", min_alpha, 0.0)
        self.window = check_int("window", window, 1)
        self.min_count = check_int("min_count", min_count, 0)
        self.max_vocab_size = None if max_vocab_size is None else check_int("max_vocab_size", max_vocab_size, 1)
        self.sample = check_float("sample", sample, 0.0)
        self.seed = None if seed is None else check_int("seed", seed, -(2 ** 63), 2 ** 64 - 1)
        #: With ``seed=None``: the seed drawn from OS entropy that the random streams use (None otherwise).
        self.random_seed = None
        self._stream_seed()
        self.workers = check_int("workers", workers, 1)
        self.sg = check_flag("sg", sg)
        self.hs = check_flag("hs", hs)
        self.negative = check_int("negative", negative, 0)
        if not self.hs and not self.negative:
            raise ValueError("hs=0 and negative=0 leave no training objective: set hs=1 or negative > 0")
        self.ns_exponent = float(ns_exponent)
        if not math.isfinite(self.ns_exponent):
            raise ValueError("ns_exponent must be finite, got %r" % (ns_exponent,))
        self.cbow_mean = check_flag("cbow_mean", cbow_mean)
        self.hashfxn = hashfxn
        self.epochs = check_int("epochs", epochs, 0)
        self.null_word = check_int("null_word", int(null_word), 0, 1)
        self.sorted_vocab = bool(sorted_vocab)
        self.batch_words = check_int("batch_words", batch_words, 1)
        self.compute_loss = bool(compute_loss)
        self.callbacks = tuple(callbacks)
        self.comment = comment
        self.max_final_vocab = (None if max_final_vocab is None
                                else check_int("max_final_vocab", max_final_vocab, 1))
        self.shrink_windows = bool(shrink_windows)
        self.batched = _default_batched[0] if batched is None else bool(batched)
        self.trim_rule = trim_rule  # not stored by gensim either; kept only for the constructor's build_vocab

        self.wv = KeyedVectors(self.vector_size)
        self.syn1neg = np.zeros((0, self.vector_size), dtype=np.float32)
        self.syn1 = np.zeros((0, self.vector_size), dtype=np.float32)
        self.cum_table = np.zeros(0, dtype=np.uint32)
        self.raw_vocab = {}
        self.corpus_count = 0
        self.corpus_total_words = 0
        self.effective_min_count = self.min_count
        self.running_training_loss = 0.0
        self.epoch_losses = []
        self.stop_training = False
        self.train_count = 0
        self.total_train_time = 0.0
        self.min_alpha_yet_reached = self.alpha
        self.lifecycle_events = []
        self._tables = None
        self._epochs_done = 0

        if sentences is not None or corpus_file is not None:
            if isinstance(sentences, types.GeneratorType):
                raise TypeError("sentences is a generator, which can be read only once, but training reads the "
                                "corpus %d+1 times: pass a re-iterable sequence or a cw2v.LineSentence" % self.epochs)
            self.build_vocab(corpus_iterable=sentences, corpus_file=corpus_file, trim_rule=trim_rule)
            self.train(corpus_iterable=sentences, corpus_file=corpus_file, total_examples=self.corpus_count,
                       total_words=self.corpus_total_words, epochs=self.epochs, start_alpha=self.alpha,
                       end_alpha=self.min_alpha, compute_loss=self.compute_loss, callbacks=self.callbacks)
        else:
            if trim_rule is not None:
                logger.warning("trim_rule is used only while build_vocab() prunes the vocabulary and is not kept "
                               "with the model: pass it to build_vocab(); without a corpus here it is ignored")
            if self.callbacks:
                logger.warning("callbacks given without a corpus are not kept for later: pass them to train()")
        self.add_lifecycle_event("created", params=str(self))

    @property
    def layer1_size(self):
        """Width of the output layers (``syn1neg``, ``syn1``): ``vector_size``, as gensim names it."""
        return self.vector_size

    def estimate_memory(self, vocab_size=None, report=None):
        """Bytes the model's arrays and vocabulary take for ``vocab_size`` words (default: the current vocabulary).

        Parameters
        ----------
        vocab_size : int, optional
        report : dict, optional
            Filled in and returned (a new dict by default).

        Returns
        -------
        dict of str -> int
            ``'vocab'`` (the key dict and list, counts, subsampling and noise tables, Huffman codes with
            ``hs``: an estimate of about 200 bytes per word, 400 with ``hs``), ``'vectors'``, ``'syn1'``
            (with ``hs``), ``'syn1neg'`` (with ``negative``), and their ``'total'``, as gensim reports them.
        """
        vocab_size = len(self.wv) if vocab_size is None else int(vocab_size)
        report = {} if report is None else report
        row_bytes = self.vector_size * np.dtype(np.float32).itemsize
        report["vocab"] = vocab_size * (400 if self.hs else 200)
        report["vectors"] = vocab_size * row_bytes
        if self.hs:
            report["syn1"] = vocab_size * row_bytes
        if self.negative:
            report["syn1neg"] = vocab_size * row_bytes
        report["total"] = sum(v for k, v in report.items() if k != "total")
        logger.info("estimated memory for %d words and %d dimensions: %d bytes", vocab_size, self.vector_size,
                    report["total"])
        return report

    def reset_from(self, other_model):
        """Take ``other_model``'s vocabulary (and its tables) and start from fresh weights, as gensim's method.

        The key list, key dict, per-key attributes, noise and Huffman tables and corpus sizes are shared with
        ``other_model`` (not copied): neither model should then grow its vocabulary. The weights are new
        (drawn from this model's ``seed``).

        Parameters
        ----------
        other_model : Word2Vec
            A model whose vocabulary has been built.
        """
        other_wv = other_model.wv
        self.corpus_count = other_model.corpus_count
        self.corpus_total_words = other_model.corpus_total_words
        self.cum_table = other_model.cum_table
        counts = np.asarray(other_wv.expandos["count"], dtype=np.int64)
        if (self.sample, self.ns_exponent, self.negative, self.hs) == (other_model.sample, other_model.ns_exponent,
                                                                        other_model.negative, other_model.hs):
            self._tables = other_model._tables
        else:
            self._tables = _vocab.build_tables(counts, self.sample, self.ns_exponent, self.negative, self.hs)
            self.cum_table = (_vocab.cum_table(counts, self.ns_exponent) if self.negative
                              else np.zeros(0, np.uint32))
        self._pending_vocab = (other_wv.index_to_key, counts)
        self.prepare_weights()
        self.wv.index_to_key = other_wv.index_to_key
        self.wv.key_to_index = other_wv.key_to_index
        self.wv.expandos = other_wv.expandos

    # ------------------------------------------------------------------ vocabulary
    def scan_vocab(self, corpus_iterable=None, corpus_file=None, progress_per=10000, trim_rule=None):
        """Count words in one pass; sets ``raw_vocab``, ``corpus_count`` and ``corpus_total_words``.

        A corpus file (or a plain :class:`cw2v.LineSentence` over a local UTF-8 file) is counted in C by
        ``workers`` threads; with both `trim_rule` and ``max_vocab_size``, and for any other iterable, the counting
        runs in Python (:func:`cw2v.vocab.scan_vocab`).

        Parameters
        ----------
        corpus_iterable : iterable of list of str, optional
        corpus_file : str or os.PathLike, optional
            Exactly one of the two must be given.
        progress_per : int, optional
            Sentences between progress checks of the Python scan (default 10000; logged about once a second).
        trim_rule : callable, optional
            Applied when ``max_vocab_size`` prunes the counts (see the class parameters).

        Returns
        -------
        (total_words, corpus_count) : tuple of int
            Raw tokens and sentences read.

        Raises
        ------
        TypeError
            Both or neither corpus given, or a string or generator misused as `corpus_iterable`.
        FileNotFoundError
            `corpus_file` does not exist.
        """
        corpus = training_corpus(corpus_iterable, corpus_file, 1)
        if isinstance(corpus, CorpusFile) and not (trim_rule is not None and self.max_vocab_size):
            counts, total_words, corpus_count = corpus.count_words(self.max_vocab_size, self.workers)
        else:  # a trim_rule applied while pruning is Python code: use the Python scan
            if isinstance(corpus, CorpusFile):
                corpus = LineSentence(corpus.path, corpus.max_sentence_length)
            counts, total_words, corpus_count = _vocab.scan_vocab(corpus, self.max_vocab_size, trim_rule,
                                                                  progress_per)
        self.raw_vocab = counts
        self.corpus_count = corpus_count
        self.corpus_total_words = total_words
        return total_words, corpus_count

    def build_vocab(self, corpus_iterable=None, corpus_file=None, update=False, progress_per=10000,
                    keep_raw_vocab=False, trim_rule=None, **kwargs):
        """Scan the corpus, apply ``min_count``/``max_final_vocab``/``trim_rule``, build tables and weights.

        Parameters
        ----------
        corpus_iterable : iterable of list of str, optional
        corpus_file : str or os.PathLike, optional
            Exactly one of the two must be given.
        update : bool, optional
            Add the new words to an existing vocabulary (old vectors are kept, counts are added).
        progress_per : int, optional
            Sentences between progress checks (logged about once a second).
        keep_raw_vocab : bool, optional
            Keep ``raw_vocab`` (the unpruned counts) after building.
        trim_rule : callable, optional
            See the class parameters.
        **kwargs
            Passed to :meth:`prepare_vocab`: ``min_count``, ``sample``, ``dry_run``.

        Raises
        ------
        TypeError
            Both or neither corpus given, a string or generator misused as `corpus_iterable`, or an unknown
            keyword.
        RuntimeError
            `update` without an existing vocabulary.

        Notes
        -----
        A corpus without tokens, or one of which ``min_count`` leaves no word, leaves the vocabulary empty with a
        warning (as gensim does); :meth:`train` then raises :class:`EmptyVocabularyError` saying why.
        """
        self.scan_vocab(corpus_iterable, corpus_file, progress_per, trim_rule)
        self.prepare_vocab(update=update, keep_raw_vocab=keep_raw_vocab, trim_rule=trim_rule, **kwargs)
        self.prepare_weights(update=update)
        self.add_lifecycle_event("build_vocab", update=update, trim_rule=str(trim_rule))

    def build_vocab_from_freq(self, word_freq, keep_raw_vocab=False, corpus_count=None, trim_rule=None,
                              update=False):
        """Build the vocabulary from a ``{word: count}`` mapping instead of a corpus.

        Parameters
        ----------
        word_freq : mapping or iterable of (word, count) pairs
            Keys are any hashable tokens, as in training (NumPy integers become the equal ``int``; counts of
            keys that become equal are added).
        keep_raw_vocab : bool, optional
            Keep ``raw_vocab`` after building (default False).
        corpus_count : int, optional
            Number of sentences to record in ``corpus_count`` (default: 0).
        trim_rule : callable, optional
            See the class parameters.
        update : bool, optional
            Add the words to an existing vocabulary (default False), as :meth:`build_vocab` does.

        Raises
        ------
        ValueError
            If a count is not a non-negative integer.
        RuntimeError
            `update` without an existing vocabulary.

        Notes
        -----
        ``corpus_total_words`` becomes the sum of the counts.
        """
        counts = {}
        for word, c in dict(word_freq).items():
            if isinstance(word, np.integer):
                word = int(word)
            counts[word] = counts.get(word, 0) + check_int("count of %r" % (word,), c, 0)
        self.raw_vocab = counts
        self.corpus_count = int(corpus_count) if corpus_count else 0
        self.corpus_total_words = sum(counts.values())
        self.prepare_vocab(update=update, keep_raw_vocab=keep_raw_vocab, trim_rule=trim_rule)
        self.prepare_weights(update=update)

    def prepare_vocab(self, update=False, keep_raw_vocab=False, trim_rule=None, min_count=None, sample=None,
                      dry_run=False):
        """Apply the vocabulary settings to ``raw_vocab`` and compute the sampling tables.

        Parameters
        ----------
        update : bool, optional
            Add the retained words to the existing vocabulary instead of replacing it (default False).
        keep_raw_vocab : bool, optional
            Keep ``raw_vocab`` afterwards (default False: it is emptied).
        trim_rule : callable, optional
            See the class parameters.
        min_count : int, optional
            Replaces the model's ``min_count`` first (default: keep it).
        sample : float, optional
            Replaces the model's ``sample`` first (default: keep it).
        dry_run : bool, optional
            Only compute the report: the vocabulary, its tables and ``raw_vocab`` are left as they are
            (default False; a `min_count` or `sample` given is kept).

        Returns
        -------
        dict
            ``drop_unique``, ``retain_total``, ``downsample_unique``, ``downsample_total``,
            ``num_retained_words`` (ints, as gensim reports them).

        Raises
        ------
        ValueError
            If `min_count` or `sample` is out of range.
        RuntimeError
            `update` without an existing vocabulary.
        """
        if min_count is not None:
            self.min_count = check_int("min_count", min_count, 0)
        if sample is not None:
            self.sample = check_float("sample", sample, 0.0)
        raw = self.raw_vocab
        self.effective_min_count = _vocab.effective_min_count(raw, self.min_count, self.max_final_vocab)
        kept = [w for w, c in raw.items() if _vocab.keep_vocab_item(w, c, self.effective_min_count, trim_rule)]
        retain_total = sum(raw[w] for w in kept)
        report = {"drop_unique": len(raw) - len(kept), "retain_total": retain_total, "num_retained_words": len(kept)}
        if update:
            if not len(self.wv):
                raise RuntimeError("build_vocab(update=True) needs an existing vocabulary: call build_vocab first")
            keys = list(self.wv.index_to_key)
            counts = np.asarray(self.wv.expandos["count"], dtype=np.int64).copy()
            index = dict(self.wv.key_to_index)
            new = [w for w in kept if w not in index]
            for w in kept:
                if w in index:
                    counts[index[w]] += raw[w]
            keys += new
            counts = np.concatenate([counts, np.array([raw[w] for w in new], dtype=np.int64)])
            # subsampling as gensim updates it: the words of the new corpus get keep-probabilities from their
            # counts in it (threshold: sample x its retained tokens); the others keep theirs
            new_index = {w: i for i, w in enumerate(new, start=len(index))}
            where = np.array([index[w] if w in index else new_index[w] for w in kept], dtype=np.int64)
            kept_counts = np.array([raw[w] for w in kept], dtype=np.int64)
            kept_prob = _vocab.keep_probabilities(kept_counts, self.sample)
            keep_prob = np.ones(len(keys))
            if self._tables is not None and len(self._tables.keep_threshold) == len(index):
                keep_prob[:len(index)] = self._tables.keep_threshold / _vocab.KEEP_SCALE
            keep_prob[where] = kept_prob
            report_counts, report_prob = kept_counts, kept_prob
        else:
            keys = kept
            counts = np.array([raw[w] for w in kept], dtype=np.int64)
            if self.null_word and "\0" not in raw:
                keys = keys + ["\0"]
                counts = np.append(counts, 1)
            if self.sorted_vocab:
                order = _vocab.sort_order(counts)
                keys = [keys[i] for i in order]
                counts = counts[order]
        if len(keys) == 0:
            # as gensim: the vocabulary is left empty here, and train() refuses to run on it
            if self.corpus_total_words == 0:
                self._empty_vocab = "the corpus is empty: %d sentences, no tokens" % self.corpus_count
            else:
                self._empty_vocab = ("no word is left in the vocabulary: %d distinct words, none seen at least "
                                     "min_count=%d times; lower min_count" % (len(raw), self.effective_min_count))
            logger.warning("%s", self._empty_vocab)
            report.update(downsample_unique=0, downsample_total=0)
            if not dry_run:
                self._pending_vocab = (keys, counts)
                self._tables = None
                self.cum_table = np.zeros(0, np.uint32)
                if not keep_raw_vocab:
                    self.raw_vocab = {}
            return report
        self._empty_vocab = None
        if not update:
            keep_prob = _vocab.keep_probabilities(counts, self.sample)
            report_counts, report_prob = counts, keep_prob
        report["downsample_unique"] = int(np.sum(report_prob < 1.0))
        report["downsample_total"] = int(np.sum(report_prob * report_counts))
        if dry_run:
            return report
        self._pending_vocab = (keys, counts)
        self._tables = _vocab.build_tables(counts, self.sample, self.ns_exponent, self.negative, self.hs,
                                           keep_prob=keep_prob)
        self.cum_table = _vocab.cum_table(counts, self.ns_exponent) if self.negative else np.zeros(0, np.uint32)
        if not keep_raw_vocab:
            self.raw_vocab = {}
        logger.info("vocabulary: %d words (min_count=%d), %d retained tokens, subsampling leaves about %d",
                    len(keys), self.effective_min_count, int(counts.sum()), report["downsample_total"])
        return report

    def _stream_seed(self):
        """The unsigned 64-bit seed of every random stream: ``seed``, or with ``seed=None`` ``random_seed``
        (drawn from OS entropy once, then kept and saved with the model)."""
        if self.seed is not None:
            return self.seed & (2 ** 64 - 1)
        if getattr(self, "random_seed", None) is None:
            self.random_seed = int(np.random.SeedSequence().generate_state(1, np.uint64)[0])
        return self.random_seed

    def _random_rows(self, n, first_row):
        """Initial input rows ``first_row .. first_row + n - 1``, as gensim 4 draws them.

        gensim draws the whole ``(first_row + n, vector_size)`` matrix from ``default_rng(seed)``, uniform in
        ``[-1/vector_size, 1/vector_size)`` (twice word2vec.c's range) in float32, and keeps the rows it
        already has: the same arithmetic here gives the very initial vectors gensim starts from for the same
        seed and vocabulary order (which cw2v's sort shares).
        """
        rng = np.random.default_rng(self._stream_seed())
        rows = rng.random((first_row + n, self.vector_size), dtype=np.float32)[first_row:]
        rows *= np.float32(2.0)
        rows -= np.float32(1.0)
        rows /= np.float32(self.vector_size)
        return rows

    def prepare_weights(self, update=False):
        """Allocate (or, with `update`, extend) ``wv.vectors``, ``syn1neg`` and ``syn1``.

        New input rows are uniform in [-1/vector_size, 1/vector_size), drawn from ``seed`` exactly as gensim
        4 draws them (see :meth:`_random_rows`); output rows start at zero.

        Parameters
        ----------
        update : bool, optional
            Keep the rows of the words already there and add rows for the new ones (default False: new arrays
            for the whole vocabulary).

        Notes
        -----
        Reads the vocabulary :meth:`prepare_vocab` (or :meth:`reset_from`) left pending; call it after one of
        them. The arrays are C-contiguous float32, starting on a 64-byte boundary.
        """
        keys, counts = self._pending_vocab
        del self._pending_vocab
        n = len(keys)
        old = len(self.wv) if update else 0
        vectors = _weight_matrix(n, self.vector_size)
        if old:
            vectors[:old] = self.wv.vectors[:old]
        vectors[old:] = self._random_rows(n - old, old)
        wv = self.wv if update else KeyedVectors(self.vector_size)
        wv.index_to_key = list(keys)
        wv.key_to_index = {k: i for i, k in enumerate(keys)}
        wv.vectors = vectors
        wv.expandos = {"count": counts.astype(np.int64)}
        wv.norms = None
        lockf = getattr(wv, "vectors_lockf", None)
        if lockf is None or len(np.ravel(lockf)) not in (1, n):
            old_lockf = np.ravel(lockf) if lockf is not None else np.ones(1, np.float32)
            if len(old_lockf) == 1:
                wv.vectors_lockf = old_lockf.astype(np.float32)
            else:  # per-word factors kept for the old words, 1.0 for the new ones
                wv.vectors_lockf = np.ones(n, dtype=np.float32)
                wv.vectors_lockf[:min(len(old_lockf), n)] = old_lockf[:n]
        self.wv = wv

        def grow(arr):
            out = _weight_matrix(n, self.vector_size)
            if update and len(arr):
                out[:min(len(arr), n)] = arr[:n]
            return out
        self.syn1neg = grow(self.syn1neg) if self.negative else np.zeros((0, self.vector_size), np.float32)
        self.syn1 = grow(self.syn1) if self.hs else np.zeros((0, self.vector_size), np.float32)
        self._attach_vecattrs()

    def _attach_vecattrs(self):
        """Let ``wv.get_vecattr(key, 'code' / 'point')`` read this model's Huffman tables (see _Expandos).

        Runs after the vocabulary or its tables change: when the weights are prepared, and after a load.
        """
        self.wv.expandos = _Expandos(self.wv.expandos, self._tables if self.hs else None)

    # ------------------------------------------------------------------ training
    def _make_trainer(self):
        t = self._tables
        if t is None or len(self.wv) == 0:
            reason = getattr(self, "_empty_vocab", None)
            if reason:
                raise EmptyVocabularyError("you must first build vocabulary before training the model: " + reason)
            raise RuntimeError("you must first build vocabulary before training the model (call build_vocab)")
        return Trainer(self.wv.vectors, self.syn1neg if self.negative else None, self.syn1 if self.hs else None,
                       t, sg=self.sg, hs=self.hs, negative=self.negative, window=self.window,
                       cbow_mean=self.cbow_mean, shrink_windows=self.shrink_windows, batched=self.batched,
                       lockf=self._lockf())

    def _lockf(self):
        """``wv.vectors_lockf`` as float32 for the kernels (1 or len(wv) entries), or None."""
        lockf = getattr(self.wv, "vectors_lockf", None)
        if lockf is None:
            return None
        lockf = np.ascontiguousarray(lockf, dtype=np.float32).reshape(-1)
        if len(lockf) not in (1, len(self.wv)):
            raise ValueError("wv.vectors_lockf has %d entries; it needs 1 (all words) or %d (one per word)"
                             % (len(lockf), len(self.wv)))
        return lockf

    def train(self, corpus_iterable=None, corpus_file=None, total_examples=None, total_words=None, epochs=None,
              start_alpha=None, end_alpha=None, word_count=0, queue_factor=2, report_delay=1.0,
              compute_loss=False, callbacks=(), progress=False, **kwargs):
        """Train the model; ``wv.vectors``, ``syn1neg`` and ``syn1`` are updated in place.

        Parameters
        ----------
        corpus_iterable : iterable of list of str, optional
        corpus_file : str, optional
            Exactly one of the two must be given.
        total_examples : int, optional
            Number of sentences per epoch (e.g. ``model.corpus_count``).
        total_words : int, optional
            Number of raw tokens per epoch (e.g. ``model.corpus_total_words``). One of ``total_examples``
            and ``total_words`` is required: it drives the linear learning-rate decay and progress.
        epochs : int
            Passes over the corpus (required, as in gensim).
        start_alpha, end_alpha : float, optional
            Learning-rate range for this call (defaults ``alpha`` and ``min_alpha``).
        word_count : int, optional
            Accepted for compatibility (ignored).
        queue_factor : int, optional
            Jobs queued per worker (default 2).
        report_delay : float, optional
            Seconds between progress log lines (default 1.0).
        compute_loss : bool, optional
            Accumulate the loss; :meth:`get_latest_training_loss` returns this call's total.
        callbacks : sequence, optional
            Called at train/epoch begin/end with the model (see :class:`cw2v.callbacks.CallbackAny2Vec`).
            A callback setting ``model.stop_training = True`` ends training after the current epoch.
        progress : bool, optional
            Show a progress bar (needs ``tqdm``; ignored with a warning if it is not installed).
        **kwargs
            No other keyword is accepted: any raises TypeError naming it (cw2v 0.1 ignored them silently).

        Returns
        -------
        (effective_words, raw_words) : tuple of int
            Tokens trained after subsampling, and tokens read, over all epochs.

        Raises
        ------
        TypeError
            An unknown keyword argument (the message names every one, and what replaced gensim 3's
            ``sentences=`` and ``iter=``); both or neither of `corpus_iterable` and `corpus_file`; a string
            or a generator as `corpus_iterable` (see the class).
        RuntimeError
            If the vocabulary has not been built.
        ValueError
            If ``epochs`` or the corpus size are missing or invalid.

        Notes
        -----
        ``model.epoch_losses`` lists the loss of each epoch of this call (float64, with ``compute_loss``);
        they sum to :meth:`get_latest_training_loss`.

        The learning rate falls linearly from `start_alpha` to `end_alpha` over all epochs of the call
        (:class:`cw2v._jobs.LearningRateSchedule`): from an iterable, each job of about ``batch_words``
        tokens trains at the rate of its start, progress counted in sentences when `total_examples` is given
        and in raw words otherwise (gensim's schedule); from a file, the rate moves smoothly across each
        block, progress counted in bytes.
        """
        refuse_unknown_keywords("Word2Vec.train()", kwargs, _GENSIM3_TRAIN_NAMES)
        if not len(self.wv):  # gensim's RuntimeError comes before the checks of the arguments
            self._make_trainer()
        if epochs is None or not is_integer(epochs) or epochs < 1:
            raise ValueError("train() needs an explicit epochs >= 1 (e.g. epochs=model.epochs), got %r" % (epochs,))
        if total_examples is None and total_words is None:
            raise ValueError("train() needs total_examples (e.g. model.corpus_count) or total_words "
                             "(e.g. model.corpus_total_words) to schedule the learning rate")
        if total_words is not None:
            total_words = check_int("total_words", total_words, 1)
        if total_examples is not None:
            total_examples = check_int("total_examples", total_examples, 1)
        start_alpha = self.alpha if start_alpha is None else check_float("start_alpha", start_alpha, 0.0, False)
        end_alpha = self.min_alpha if end_alpha is None else check_float("end_alpha", end_alpha, 0.0)
        queue_factor = check_int("queue_factor", queue_factor, 1)
        corpus = training_corpus(corpus_iterable, corpus_file, epochs)
        trainer = self._make_trainer()
        schedule = self._schedule(corpus, epochs, total_examples, total_words, start_alpha, end_alpha)
        if self.hs and self.negative:
            logger.warning("Both hierarchical softmax and negative sampling are activated. Each prediction then "
                           "trains both output layers (syn1 and syn1neg); set hs=0 or negative=0 unless that is "
                           "intended.")
        if self.alpha > getattr(self, "min_alpha_yet_reached", self.alpha):
            logger.warning("Effective 'alpha' higher than previous training cycles (alpha=%s, lowest reached "
                           "so far %s): the learning rate rises again", self.alpha, self.min_alpha_yet_reached)
        self.compute_loss = bool(compute_loss)
        self.running_training_loss = 0.0
        self.epoch_losses = []
        self.stop_training = False
        callbacks = tuple(callbacks)
        self.epochs = int(epochs)
        for cb in callbacks:
            if hasattr(cb, "on_train_begin"):
                cb.on_train_begin(self)
        effective_total = raw_total = epochs_run = 0
        t0 = time.perf_counter()
        # each worker calls BLAS on tiny blocks: keep BLAS itself single-threaded so threads never oversubscribe
        blas_limit = threadpool_limits(limits=1, user_api="blas")
        bar = _progress_bar(progress, epochs * (total_words or total_examples), "words" if total_words else "sentences")
        try:
            for epoch in range(epochs):
                for cb in callbacks:
                    if hasattr(cb, "on_epoch_begin"):
                        cb.on_epoch_begin(self)
                eff, raw, loss = self._train_epoch(corpus, trainer, schedule, epoch, total_examples, total_words,
                                                   queue_factor, report_delay, bar)
                effective_total += eff
                raw_total += raw
                epochs_run += 1
                self._epochs_done += 1
                self.running_training_loss += loss
                self.epoch_losses.append(loss)
                for cb in callbacks:
                    if hasattr(cb, "on_epoch_end"):
                        cb.on_epoch_end(self)
                if self.stop_training:
                    logger.info("stop_training set after epoch %d/%d: stopping", epoch + 1, epochs)
                    break
        finally:
            if bar is not None:
                bar.close()
            blas_limit.restore_original_limits()
            self.wv.norms = None
            self.total_train_time += time.perf_counter() - t0
        self.train_count += 1
        self.min_alpha_yet_reached = start_alpha - (start_alpha - end_alpha) * epochs_run / epochs
        for cb in callbacks:
            if hasattr(cb, "on_train_end"):
                cb.on_train_end(self)
        elapsed = time.perf_counter() - t0
        self.add_lifecycle_event("train", msg="training on %d raw words (%d effective words) took %.1fs, %.0f "
                                 "effective words/s" % (raw_total, effective_total, elapsed,
                                                        effective_total / max(elapsed, 1e-9)))
        return effective_total, raw_total

    @staticmethod
    def _schedule(corpus, epochs, total_examples, total_words, start_alpha, end_alpha):
        """The learning-rate schedule of one train() call (see :mod:`cw2v._jobs`).

        Progress is counted in bytes of a corpus file (its uncompressed size, read once per file version),
        else in sentences if `total_examples` is given, else in raw words.

        Returns
        -------
        cw2v._jobs.LearningRateSchedule
        """
        if isinstance(corpus, CorpusFile):
            return LearningRateSchedule(start_alpha, end_alpha, epochs, max(corpus.size(), 1), "bytes")
        if total_examples:
            return LearningRateSchedule(start_alpha, end_alpha, epochs, total_examples, "sentences")
        return LearningRateSchedule(start_alpha, end_alpha, epochs, total_words, "words")

    def _train_epoch(self, corpus, trainer, schedule, epoch, total_examples, total_words, queue_factor,
                     report_delay, bar=None):
        """Train one epoch: the calling thread produces the jobs, ``workers`` threads train them.

        Returns
        -------
        (effective_words, raw_words, loss) : tuple of (int, int, float)
        """
        lock = threading.Lock()
        state = {"effective": 0, "raw": 0, "sentences": 0, "loss": 0.0}
        compute_loss = self.compute_loss
        seed = self._stream_seed()
        key_to_index = self.wv.key_to_index
        is_file = isinstance(corpus, CorpusFile)
        table = StringTable.from_keys(self.wv.index_to_key) if is_file else None
        # integer tokens (graph walks of node ids) are looked up in a table rather than the dict when the
        # integer keys are few and small enough: at most 8 entries per word or 1M entries (4 bytes each)
        int_index = None if is_file else int_key_index(self.wv.index_to_key, max(8 * len(self.wv), 1 << 20))
        max_sentence_length = corpus.max_sentence_length if is_file else 0
        first_stream = stream_base(self._epochs_done)
        if is_file:
            job_stream = block_jobs(corpus.blocks(), schedule, epoch, first_stream)
        else:
            job_stream = sentence_jobs(corpus, self.batch_words, schedule, epoch, first_stream)

        # one Worker (scratch memory, random stream; with hierarchical softmax and several threads a replica
        # of the busiest syn1 rows) per thread for the epoch
        workers = [trainer.worker(HOT_ROWS if self.hs and self.workers > 1 else 0) for _ in range(self.workers)]

        def make_worker(i):
            return lambda job: train(job, workers[i])

        def train(job, worker):
            if job.data is not None:
                check_utf8(job.data, corpus.path)
                ids, ends, raw = encode_block(table, job.data, max_sentence_length)
            else:
                ids, ends, raw = encode_sentences(job.sentences, key_to_index, int_index)
            eff, loss = worker.train_job(ids, ends, job.alpha_start, job.alpha_end, seed, job.stream, compute_loss)
            with lock:
                state["effective"] += eff
                state["raw"] += raw
                state["sentences"] += len(ends)
                state["loss"] += loss

        t0 = time.perf_counter()
        report = {"last": t0}

        def update_bar():
            """Advance the bar to the raw words (or sentences, without ``total_words``) trained so far."""
            done = state["raw"] if total_words else state["sentences"]
            bar.update(done - report.get("shown", 0))
            report["shown"] = done

        def progress(job):
            now = time.perf_counter()
            if bar is not None:
                update_bar()
            if now - report["last"] >= report_delay:
                report["last"] = now
                self._log_progress(epoch, schedule.epochs, state, now - t0, total_words, job.alpha_end)

        try:
            pipeline(job_stream, make_worker, self.workers, queue_factor * self.workers, progress)
        finally:
            for worker in workers:  # the threads have ended: syn1 receives what the replicas hold
                worker.flush()
        if bar is not None:
            update_bar()
        if not is_file:
            if state["sentences"] == 0 and self.train_count == 0:
                logger.warning("train() called with an empty iterator: the corpus yielded no sentence (is it a "
                               "generator that was already consumed? pass a re-iterable sequence)")
            elif total_examples and total_examples != state["sentences"]:
                logger.warning("EPOCH %d: supplied example count (%d) did not equal expected count (%d)",
                               epoch, state["sentences"], total_examples)
            elif total_words and total_words != state["raw"]:
                logger.warning("EPOCH %d: supplied raw word count (%d) did not equal expected count (%d)",
                               epoch, state["raw"], total_words)
        elapsed = time.perf_counter() - t0
        logger.info("epoch %d/%d: %d raw words (%d effective) in %.1fs, %.0f effective words/s",
                    epoch + 1, schedule.epochs, state["raw"], state["effective"], elapsed,
                    state["effective"] / max(elapsed, 1e-9))
        return state["effective"], state["raw"], state["loss"]

    @staticmethod
    def _log_progress(epoch, epochs, state, elapsed, expected, alpha):
        raw = state["raw"]
        rate = raw / max(elapsed, 1e-9)
        if expected:
            pct = 100.0 * (epoch + min(1.0, raw / expected)) / epochs
            eta = (expected * (epochs - epoch) - raw) / max(rate, 1e-9)
            logger.info("epoch %d/%d: %.1f%% done, %.0f words/s, alpha %.6f, ETA %.0fs",
                        epoch + 1, epochs, pct, rate, alpha, eta)
        else:
            logger.info("epoch %d/%d: %d words, %.0f words/s, alpha %.6f", epoch + 1, epochs, raw, rate, alpha)

    def predict_output_word(self, context_words_list, topn=10):
        """The most probable center words given context words (negative-sampling weights).

        Parameters
        ----------
        context_words_list : list of str or int
            Context words (unknown ones are ignored).
        topn : int, optional
            How many words to return (default 10).

        Returns
        -------
        list of (str, float) or None
            Words with their probabilities (softmax of ``h . syn1neg`` over the vocabulary, ``h`` the mean
            or sum of the context vectors as in CBOW), most probable first; None if no context word is known.

        Raises
        ------
        RuntimeError
            If the model has no negative-sampling weights (``negative=0``), as in gensim.
        """
        if not self.negative or len(self.syn1neg) != len(self.wv):
            raise RuntimeError("predict_output_word needs negative-sampling weights (syn1neg): train with negative > 0")
        return _scoring.predict_output_word(self.wv.vectors, self.syn1neg, self.wv.key_to_index, self.wv.index_to_key,
                                            context_words_list, topn, bool(self.cbow_mean))

    def score(self, sentences, total_sentences=int(1e6), chunksize=100, queue_factor=2, report_delay=1,
              objective=None, seed=1):
        """Log-likelihood of each sentence under the trained model (gensim's ``score``, plus negative sampling).

        Parameters
        ----------
        sentences : iterable of list of str
            Sentences to score (out-of-vocabulary words are skipped, as in training).
        total_sentences : int, optional
            At most this many sentences are scored (default 1,000,000).
        chunksize, queue_factor, report_delay
            Accepted for compatibility with gensim (scoring runs in the calling thread).
        objective : {'hs', 'ns', None}, optional
            ``'hs'``: hierarchical softmax (gensim's score; needs ``hs=1``). ``'ns'``: negative sampling
            with ``negative`` noise words drawn once (from ``seed``) from the unigram^ns_exponent
            distribution and reused for every prediction, so held-out scores are comparable between epochs
            (a cw2v extension). Default: ``'hs'`` if the model has hierarchical-softmax weights, else ``'ns'``.
        seed : int, optional
            Seed of the fixed noise words for ``'ns'``.

        Returns
        -------
        ndarray of shape (n_sentences,), dtype=float32
            Sum of log-probabilities per sentence (0.0 for sentences with fewer than two known words).

        Raises
        ------
        RuntimeError
            If the weights for the objective are missing (e.g. ``'hs'`` on a model trained with ``hs=0``).
        """
        objective = objective or ("hs" if self.hs else "ns")
        if objective not in ("hs", "ns"):
            raise ValueError("objective must be 'hs' or 'ns', got %r" % (objective,))
        if objective == "hs" and (not self.hs or len(self.syn1) != len(self.wv) or self._tables is None):
            raise RuntimeError("score(objective='hs') needs hierarchical-softmax weights: train with hs=1")
        if objective == "ns" and (not self.negative or len(self.syn1neg) != len(self.wv)):
            raise RuntimeError("score(objective='ns') needs negative-sampling weights: train with negative > 0")
        if objective == "ns":
            counts = np.asarray(self.wv.expandos["count"], dtype=np.float64) ** self.ns_exponent
            noise = np.random.default_rng(seed).choice(len(counts), size=self.negative, p=counts / counts.sum())
        lookup = self.wv.key_to_index.get
        scores = []
        for sentence in sentences:
            if len(scores) >= total_sentences:
                break
            ids = [i for i in map(lookup, sentence) if i is not None]
            if objective == "hs":
                t = self._tables
                scores.append(_scoring.score_sentence_hs(ids, self.wv.vectors, self.syn1, t.codes, t.points,
                                                         t.code_lens, self.window, self.sg, self.cbow_mean))
            else:
                scores.append(_scoring.score_sentence_ns(ids, self.wv.vectors, self.syn1neg, noise, self.window,
                                                         self.sg, self.cbow_mean))
        return np.array(scores, dtype=np.float32)

    def get_latest_training_loss(self):
        """Total loss of the latest :meth:`train` call (float64, summed over all threads and epochs).

        The loss is ``sum(-log sigmoid(+/- h . v))`` over every binary-logistic update made (one per
        positive and noise word for negative sampling, one per Huffman node for hierarchical softmax).
        It is 0.0 unless ``compute_loss=True``.
        """
        return float(self.running_training_loss)

    def __str__(self):
        return "Word2Vec<vocab=%d, vector_size=%d, alpha=%s>" % (len(self.wv), self.vector_size, self.alpha)

    __repr__ = __str__

    # ------------------------------------------------------------------ persistent state (read by every format)
    #: Constructor parameters that are data or code, never saved.
    _UNSAVED_PARAMS = frozenset({"sentences", "corpus_file", "hashfxn", "callbacks", "trim_rule"})
    #: Attributes never saved: code (a loaded model has the constructor's defaults) and a vocabulary scan in
    #: progress. ``wv`` and ``_tables`` are saved, each in its own part of the state.
    _UNSAVED_ATTRS = frozenset({"hashfxn", "callbacks", "trim_rule", "_pending_vocab"})
    #: dtype and number of dimensions of each array of the vocabulary tables, as ``cw2v.vocab.build_tables``
    #: makes them (the kernels index weights with them): stored tables of another layout are recomputed.
    _TABLE_LAYOUT = {"keep_threshold": (np.uint64, 1), "alias_threshold": (np.uint64, 1),
                     "alias_index": (np.uint32, 1), "codes": (np.uint8, 2), "points": (np.int32, 2),
                     "code_lens": (np.int32, 1)}

    @classmethod
    def _saved_params(cls):
        """Names of the constructor parameters a saved model holds (the settings, not data or code), in order.

        Returns
        -------
        list of str
        """
        try:
            sig = inspect.signature(cls.__init__)
        except (TypeError, ValueError):  # pragma: no cover
            return []
        return [name for name, p in sig.parameters.items()
                if name != "self" and name not in cls._UNSAVED_PARAMS
                and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]

    def _persistent_state(self):
        """What a saved file holds of this model: plain values and the arrays themselves (not copies).

        Every format reads this (:mod:`cw2v._native`, the gensim conversions of :mod:`cw2v._gensim_io`); a
        loaded model is built from ``params`` and given the rest by :meth:`_restore_state`.

        Returns
        -------
        dict
            ``params``: the constructor parameters (:meth:`_saved_params`) and their values; ``attributes``:
            every other attribute of the instance, in the order they were set (arrays such as ``syn1neg``,
            ``syn1``, ``cum_table``; ``raw_vocab``; the training state; anything a caller stored on the
            model), but ``wv``, ``_tables`` and :attr:`_UNSAVED_ATTRS` (a format keeps those it can hold);
            ``tables``: the vocabulary tables' arrays by field, or None; ``wv``: the vectors'
            ``KeyedVectors._persistent_state()``.
        """
        params = {name: getattr(self, name) for name in self._saved_params() if hasattr(self, name)}
        skip = set(params) | self._UNSAVED_ATTRS | {"wv", "_tables"}
        tables = getattr(self, "_tables", None)
        if tables is not None and hasattr(tables, "__dataclass_fields__"):
            tables = {field: getattr(tables, field) for field in tables.__dataclass_fields__}
        else:
            tables = None
        return {"params": params, "attributes": {name: value for name, value in vars(self).items() if name not in skip},
                "tables": tables, "wv": self.wv._persistent_state()}

    def _restore_state(self, state, where):
        """Give this model, just created from saved parameters, the rest of a saved state.

        Parameters
        ----------
        state : dict
            ``attributes`` (dict): set on the model, but names that would shadow a method or property, dunder
            names, parameters and :attr:`_UNSAVED_ATTRS` are ignored with a warning; ``raw_vocab`` (dict,
            optional); ``arrays`` (dict of ndarrays, the same rule for names); ``wv``: a KeyedVectors state
            (see ``KeyedVectors._from_persistent_state``); ``tables`` (dict of arrays by field, or None):
            kept if they fit the vocabulary, else recomputed from the counts.
        where : str
            How messages name the source (a path).

        Raises
        ------
        cw2v.persist.PersistFormatError
            An attribute of another kind than the constructor gives it (an int where a float is expected is
            fine), arrays that do not fit the vocabulary, or tables whose values point outside it.
        """
        accepted = set(self._saved_params())
        for name, value in state.get("attributes", {}).items():
            if not self._restorable(name) or name in accepted:
                logger.warning("%s: ignoring stored attribute %r", where, name)
                continue
            default = getattr(self, name, None)
            if not _same_kind(value, default) and not (value is None and name in _NULLABLE_ATTRS):
                raise persist.PersistFormatError(f"{where}: stored attribute {name!r} is a {type(value).__name__}, "
                                                 f"expected a {type(default).__name__}")
            setattr(self, name, value)
        if "raw_vocab" in state:
            self.raw_vocab = state["raw_vocab"]
        for name, arr in state.get("arrays", {}).items():
            if not self._restorable(name):
                logger.warning("%s: ignoring stored array %r", where, name)
                continue
            setattr(self, name, arr)
        kv_cls = type(self.wv) if isinstance(getattr(self, "wv", None), KeyedVectors) else KeyedVectors
        self.wv = kv_cls._from_persistent_state(state["wv"])
        n, size = len(self.wv), self.vector_size
        if self.wv.vector_size != size:
            raise persist.PersistFormatError(f"{where}: vectors have size {self.wv.vector_size}, the model says {size}")
        for name, needed in (("syn1neg", self.negative), ("syn1", self.hs)):
            arr = getattr(self, name, None)
            if not isinstance(arr, np.ndarray):
                raise persist.PersistFormatError(f"{where}: {name} is missing")
            if needed and n and arr.shape != (n, size):
                raise persist.PersistFormatError(f"{where}: {name} has shape {arr.shape}, expected {(n, size)}")
        tables = self._stored_tables(state.get("tables"), where)
        if tables is not None:
            self._tables = tables
        elif n:
            logger.info("%s: recomputing the vocabulary tables from the counts", where)
            counts = np.asarray(self.wv.expandos.get("count", np.ones(n, dtype=np.int64)), dtype=np.int64)
            self._tables = _vocab.build_tables(counts, self.sample, self.ns_exponent, self.negative, self.hs)
        else:
            self._tables = None
        self._attach_vecattrs()

    @classmethod
    def _restorable(cls, name):
        """Whether a stored attribute `name` may be set on an instance (never shadowing methods or properties)."""
        if not _ATTR_NAME.match(name) or name.startswith("__") or name in cls._UNSAVED_ATTRS \
                or name in ("wv", "_tables"):
            return False
        class_attr = inspect.getattr_static(cls, name, None)
        return not (callable(class_attr) or isinstance(class_attr, (property, staticmethod, classmethod)))

    def _stored_tables(self, arrays, where):
        """:class:`cw2v.vocab.VocabTables` of stored arrays if they fit this model's vocabulary, else None.

        Raises
        ------
        cw2v.persist.PersistFormatError
            The arrays have the right layout but point outside the vocabulary.
        """
        fields = list(getattr(_vocab.VocabTables, "__dataclass_fields__", {}))
        if not isinstance(arrays, dict) or sorted(arrays) != sorted(fields):
            return None
        n = len(self.wv)
        try:
            tables = _vocab.VocabTables(**arrays)
        except TypeError:
            return None
        if tables.keep_threshold.shape != (n,):
            return None
        if self.negative and tables.alias_threshold.shape != (n,):
            return None
        if self.hs and (tables.codes.shape[0] != n or tables.points.shape != tables.codes.shape
                        or tables.code_lens.shape != (n,)):
            return None
        for field in fields:
            got = getattr(tables, field)
            dtype, ndim = self._TABLE_LAYOUT.get(field, (None, None))
            if not isinstance(got, np.ndarray) or got.dtype != dtype or got.ndim != ndim:
                return None
        if self.negative and n and int(tables.alias_index.max()) >= n:
            raise persist.PersistFormatError(f"{where}: the noise table is inconsistent with the vocabulary")
        if self.hs and n and (tables.points.min() < 0 or tables.points.max() > max(n - 2, 0)
                              or tables.code_lens.min() < 0 or tables.code_lens.max() > tables.codes.shape[1]):
            raise persist.PersistFormatError(f"{where}: Huffman tables are inconsistent with the vocabulary")
        return tables

    # ------------------------------------------------------------------ save/load (cw2v.persist)
    def save(self, fname_or_handle, separately=None, sep_limit=10 * 1024 ** 2, ignore=frozenset(),
             pickle_protocol=None, format=None):
        """Save the full model to one file: cw2v's native format (no pickle), or gensim's.

        Everything training needs is stored: :meth:`load` returns a model that continues training exactly
        where this one stopped. The file is written to a temporary file in the same folder, fsynced and
        renamed into place, so an interrupted save leaves the previous file loadable. See :mod:`cw2v.persist`
        for the layout (a safetensors file: JSON header, then every array at a 64-byte offset).

        Parameters
        ----------
        fname_or_handle : str or os.PathLike
            Destination file.
        separately, sep_limit, pickle_protocol : optional
            Accepted for compatibility with gensim and ignored: arrays always go into the one file.
        ignore : collection of str, optional
            Must be empty.
        format : {'cw2v', 'gensim', None}, optional
            None (default): ``'cw2v'``, or ``'gensim'`` while :func:`cw2v.patch_gensim` is active (see
            :func:`cw2v.persist.default_save_format`). ``'cw2v'``: the native format, which stores str and
            int keys. ``'gensim'``: a pickle that gensim 4.4.0's ``Word2Vec.load`` reads (and cw2v's
            :meth:`load`); needs gensim installed (the model is converted with :meth:`to_gensim`), stores any
            picklable key.

        Raises
        ------
        TypeError
            A file object was given.
        ValueError
            `ignore` is not empty, `format` is unknown, or (native format) a key is neither str nor int (the
            message names it).
        ImportError
            ``format='gensim'`` without gensim installed.
        OSError
            If writing fails (the previous file is left intact).
        """
        if ignore:
            raise ValueError("ignore= is not supported by cw2v's save (every attribute is stored)")
        if format is None:
            format = persist.default_save_format()
        if format == "gensim":
            persist.save_gensim(self, fname_or_handle)
        elif format == "cw2v":
            persist.save_word2vec_model(self, fname_or_handle)
        else:
            raise ValueError(f"format must be 'cw2v' or 'gensim', got {format!r}")

    @persist_class_only
    def load(cls, fname, mmap=None, **kwargs):
        """Load a model saved by :meth:`save` or by gensim (1.x to 4.x, through a restricted unpickler).

        A class method only: ``model.load(fname)`` raises AttributeError, as in gensim.

        Parameters
        ----------
        fname : str or os.PathLike
        mmap : {None, 'r', 'r+', 'c'}, optional
            Memory-map the arrays (``'r'``: read-only ``np.memmap`` views into the file, for queries; ``'c'``:
            copy-on-write, trainable). Default None reads them into memory.
        **kwargs
            Accepted for compatibility with gensim (``rethrow``) and ignored.

        Returns
        -------
        Word2Vec

        Raises
        ------
        cw2v.persist.WrongClassError (an AttributeError, as gensim raises, and a TypeError)
            The file holds only KeyedVectors.
        cw2v.persist.PersistFormatError (a ValueError)
            Malformed, inconsistent or unsupported file.
        cw2v.persist.UnsafePickleError (a pickle.UnpicklingError)
            A pickle referencing a class that gensim Word2Vec files do not need.
        """
        return persist.load_word2vec_model(fname, mmap=mmap, cls=cls)

    def to_gensim(self):
        """A gensim ``Word2Vec`` with a copy of this model: it trains on in gensim from where this one stopped.

        Returns
        -------
        gensim.models.word2vec.Word2Vec
            Same vocabulary order, vectors, output weights (``syn1neg``/``syn1``), Huffman tree, counts and
            training settings; nothing is shared with this model, which is not modified.

        Raises
        ------
        ImportError
            gensim is not installed (``pip install gensim``).
        """
        return persist.word2vec_to_gensim(self)

    @classmethod
    def from_gensim(cls, model):
        """A cw2v model with a copy of a gensim ``Word2Vec``; it keeps training in cw2v.

        Parameters
        ----------
        model : gensim.models.word2vec.Word2Vec
            Not modified.

        Returns
        -------
        Word2Vec

        Raises
        ------
        ImportError
            gensim is not installed (``pip install gensim``).
        TypeError
            `model` is not a gensim Word2Vec.
        cw2v.persist.PersistFormatError (a ValueError)
            The model is inconsistent, or has parameters cw2v does not accept.
        """
        return persist.word2vec_from_gensim(cls, model)


persist.register_class("Word2Vec", Word2Vec)  # files holding a model load into it by default


#: Names a stored attribute may have (identifiers).
_ATTR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
#: Attributes a saved state may give as None whatever their default: None means unknown (gensim < 3 files
#: do not record ``corpus_total_words``, and a model imported from one keeps None, as gensim does).
_NULLABLE_ATTRS = frozenset({"corpus_total_words"})


def _same_kind(value, default):
    """Whether a stored `value` may replace an attribute whose constructor default is `default`."""
    if default is None or isinstance(default, np.ndarray):
        return True
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, Integral):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(default, str):
        return isinstance(value, str) or value is None
    if isinstance(default, dict):
        return isinstance(value, dict)
    if isinstance(default, (list, tuple)):
        return isinstance(value, (list, tuple))
    return True
