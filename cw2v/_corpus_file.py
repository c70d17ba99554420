"""Corpus files read without Python per token: blocks of whole lines, tokenized and counted in C.

Private module beside :mod:`cw2v.corpora` (the readers that yield sentences to Python), behind
``Word2Vec(corpus_file=...)``, a :class:`cw2v.LineSentence` over a local UTF-8 file (read the same way) and
:mod:`cw2v.distributed` (which reads the same block size).

- :class:`CorpusFile`: the file, its blocks, its uncompressed size (cached per file version: it drives the
  learning-rate schedule) and its word counts (:class:`cw2v._corpus.FileCounter` in several threads);
- :func:`training_corpus`: what ``build_vocab()`` and ``train()`` read, from their ``corpus_iterable`` and
  ``corpus_file`` arguments, with the checks of those arguments.
"""
from __future__ import annotations

import codecs
import logging
import os
import time
import types

from cw2v._corpus import FileCounter
from cw2v._threads import pipeline
from cw2v.corpora import LineSentence, iter_line_blocks, local_path, uncompressed_size

logger = logging.getLogger("cw2v.word2vec")  # training and counting log under the name they always had

_SIZE_CACHE: dict[tuple[str, int, int], int] = {}  # (path, mtime_ns, size) -> uncompressed size


class CorpusFile:
    """A corpus_file: read in blocks of whole lines, tokenized and looked up in C (no Python per token).

    Parameters
    ----------
    path : str
        A local file in :class:`cw2v.LineSentence` format (``.gz``/``.bz2``/``.xz`` decompressed).
    max_sentence_length : int, optional
        Lines longer than this many tokens are split into consecutive sentences (default 10000), as
        ``LineSentence`` splits them.

    Attributes
    ----------
    path : str
    max_sentence_length : int
    block_size : int
        Bytes of whole lines per training job (class attribute, 128 KiB).
    count_block_size : int
        Bytes per block when counting words (class attribute, 512 KiB).
    """

    def __init__(self, path, max_sentence_length=10000):
        self.path = path
        self.max_sentence_length = max_sentence_length

    @classmethod
    def from_line_sentence(cls, corpus):
        """The file behind a plain :class:`cw2v.LineSentence`, to be read like ``corpus_file``, or None.

        The C tokenizer yields exactly the sentences ``LineSentence`` yields (``src_c/cw2v_text.h``), so a
        ``LineSentence`` over a local UTF-8 file, read whole with ``unicode_errors='strict'``, trains
        without Python per token. Anything else (a subclass, a file object, a URI, ``limit``, another
        encoding or error policy) is iterated in Python.

        Parameters
        ----------
        corpus : object
            Any corpus given as ``corpus_iterable``.

        Returns
        -------
        CorpusFile or None
        """
        if type(corpus) is not LineSentence or corpus.limit is not None or corpus.unicode_errors != "strict":
            return None
        try:
            if codecs.lookup(corpus.encoding).name != "utf-8":
                return None
        except (LookupError, TypeError):
            return None
        if not isinstance(corpus.source, (str, os.PathLike)):
            return None
        source = local_path(corpus.source)
        if source is None or not os.path.isfile(source):
            return None  # let LineSentence report the problem
        return cls(source, corpus.max_sentence_length)

    #: Bytes of whole lines per job (about 25,000 words of English): small enough that the blocks in flight
    #: (queued, being tokenized, being trained) cost little memory, large enough that per-job overhead
    #: does not show.
    block_size = 1 << 17
    #: Bytes per block when counting words: larger blocks counted faster (docs/benchmarks.md), and
    #: build_vocab holds them only briefly.
    count_block_size = 1 << 19

    def blocks(self, block_size=None):
        """The file's (decompressed) bytes in blocks of whole lines (:func:`cw2v.corpora.iter_line_blocks`).

        Parameters
        ----------
        block_size : int, optional
            About this many bytes a block (default :attr:`block_size`); a longer line makes its block longer.

        Returns
        -------
        iterator of bytes
        """
        return iter_line_blocks(self.path, block_size or self.block_size)

    def _key(self):
        st = os.stat(self.path)
        return os.path.abspath(self.path), st.st_mtime_ns, st.st_size

    def size(self):
        """Uncompressed size in bytes (drives the learning-rate schedule); cached per file version.

        Returns
        -------
        int
            Computed once per (path, modification time, size): a compressed file is read whole the first
            time (unless :meth:`count_words` already measured it).

        Raises
        ------
        OSError
            If the file cannot be read.
        """
        key = self._key()
        if key not in _SIZE_CACHE:
            _SIZE_CACHE[key] = uncompressed_size(self.path)
        return _SIZE_CACHE[key]

    def count_words(self, max_vocab_size, threads=1):
        """Count words in C; blocks are shared among `threads` counters (one if `max_vocab_size`).

        Parameters
        ----------
        max_vocab_size : int or None
            Bound on distinct words held while counting (word2vec.c's pruning; forces one counter, so that
            pruning sees the words in file order).
        threads : int, optional
            Counting threads (default 1).

        Returns
        -------
        counts : dict of str to int
        total_words : int
            Raw tokens.
        corpus_count : int
            Sentences (lines, split past ``max_sentence_length`` tokens).

        Raises
        ------
        OSError
            If the file cannot be read.
        UnicodeDecodeError
            If the text is not valid UTF-8.
        """
        threads = 1 if max_vocab_size else max(1, threads)
        counters = [FileCounter(max_vocab_size, self.max_sentence_length) for _ in range(threads)]
        scanned = {"bytes": 0, "last": time.monotonic()}

        def progress(item):
            scanned["bytes"] += len(item[1])
            if time.monotonic() - scanned["last"] >= 1.0:
                scanned["last"] = time.monotonic()
                logger.info("scanning %s: %d MB", self.path, scanned["bytes"] >> 20)

        pipeline(enumerate(self.blocks(self.count_block_size)),
                 lambda i: lambda item: counters[i].feed(item[1], item[0]), threads, 2 * threads, progress)
        size = scanned["bytes"]
        counter = counters[0]
        for other in counters[1:]:
            counter.merge(other)
        _SIZE_CACHE[self._key()] = size
        counts = counter.counts()
        logger.info("collected %i word types from %i words in %i sentences", len(counts), counter.total_words,
                    counter.corpus_count)
        return counts, counter.total_words, counter.corpus_count


def training_corpus(corpus_iterable, corpus_file, passes):
    """What to read for ``build_vocab()`` or ``train()``: a :class:`CorpusFile`, or the iterable itself.

    Parameters
    ----------
    corpus_iterable : iterable of sequences, or None
        Sentences; a plain :class:`cw2v.LineSentence` over a local UTF-8 file becomes a :class:`CorpusFile`
        (see :meth:`CorpusFile.from_line_sentence`).
    corpus_file : str, bytes, os.PathLike or None
        A file in LineSentence format. Exactly one of the two must be given.
    passes : int
        How many times the corpus will be read (a generator can be read once).

    Returns
    -------
    CorpusFile or iterable

    Raises
    ------
    TypeError
        Both or neither given; `corpus_file` not a path; `corpus_iterable` a string, not iterable, or a
        generator read more than once.
    FileNotFoundError
        `corpus_file` does not exist.
    """
    if corpus_iterable is not None and corpus_file is not None:
        raise TypeError("give either corpus_iterable or corpus_file, not both")
    if corpus_iterable is None and corpus_file is None:
        raise TypeError("give one of corpus_iterable or corpus_file")
    if corpus_file is not None:
        if not isinstance(corpus_file, (str, bytes, os.PathLike)):
            raise TypeError("corpus_file must be a path, got %s" % type(corpus_file).__name__)
        if not os.path.isfile(corpus_file):
            raise FileNotFoundError("corpus_file %r does not exist" % (corpus_file,))
        return CorpusFile(os.fspath(corpus_file))
    as_file = CorpusFile.from_line_sentence(corpus_iterable)
    if as_file is not None:
        return as_file
    if isinstance(corpus_iterable, (str, bytes)):
        raise TypeError("corpus_iterable must be an iterable of token lists, not a string; "
                        "use corpus_file= or cw2v.LineSentence(path) for a file")
    if not hasattr(corpus_iterable, "__iter__"):
        raise TypeError("corpus_iterable must be iterable, got %s" % type(corpus_iterable).__name__)
    if passes > 1 and isinstance(corpus_iterable, types.GeneratorType):
        raise TypeError("corpus_iterable is a generator, which can be read only once, but %d passes were "
                        "asked for: pass a re-iterable sequence or a cw2v.LineSentence" % passes)
    return corpus_iterable
