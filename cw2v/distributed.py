"""Train cw2v on a Dask distributed cluster: vocabulary counted on the workers, synchronous model averaging.

``pip install "cw2v[dask]"``. cw2v brings no cluster protocol of its own: the work runs as ordinary Dask tasks
on whatever cluster a :class:`distributed.Client` points at (a ``LocalCluster`` on a laptop, dask-jobqueue on
a batch system, dask-kubernetes, ``dask scheduler`` + ``dask worker`` by hand). Every worker needs cw2v
installed and must be able to read the corpus (a shared file system or any fsspec URL: ``s3://``, ``gs://``,
``hdfs://``...).

Corpus
    One or more text files in :class:`cw2v.LineSentence` format (a path, a glob, a list of paths; local or
    fsspec URLs), read as line-aligned blocks by :func:`dask.bytes.read_bytes` (``delimiter=b"\\n"``). A
    compressed file (``.gz``, ``.bz2``, ``.xz``...) cannot be read from the middle, so it is one block: split
    a large corpus into several files to count it in parallel. The files are read as one corpus, in the
    order given (globs sorted), each file's last line ending a sentence.

Vocabulary (:func:`build_vocab`)
    Each block is read by a worker in pieces of 4 MiB (cut at line ends exactly as :func:`dask.bytes.read_bytes`
    cuts it, so no block has to fit in memory) and counted in C (:class:`cw2v._corpus.FileCounter`); the
    per-block counts, each packed as one bytes buffer of words in order of first occurrence and one int64
    array of counts, are merged in C by a tree reduction that keeps block order (tasks of 8 consecutive
    parts, the last merge on the client as the parts arrive), so the merged dict lists words in order of
    first occurrence in the whole corpus. The result equals
    ``Word2Vec.build_vocab(corpus_file=...)`` on the concatenated files: counts, ``index_to_key`` (ties in
    count keep first-occurrence order), ``corpus_count``, ``corpus_total_words``, whatever the block size and
    the number of workers.

Training (:func:`train`): synchronous data parallelism with model averaging
    An epoch is cut into ``syncs_per_epoch`` (S) rounds of consecutive text. In a round, each of
    ``n_workers`` (N) model replicas starts from the same weights, trains its share of the round's jobs
    (blocks of about 128 KiB of whole lines, dealt in turn, so each replica sees the round's whole stretch of
    text) on the global linear learning-rate schedule (each job gets the learning rate a single-machine run
    has at that byte of the corpus, times ``alpha_scale``), and returns the rows it changed (their new values,
    with their indices, or the whole matrix and a bit mask when that is smaller). The new weights are, per
    row, the mean of the values of the replicas that changed the row (rows no replica changed are kept), and
    are sent to every worker for the next round. This is iterative parameter mixing (McDonald, Hall and Mann
    2010, "Distributed training strategies for the structured perceptron", NAACL), applied to word2vec as in
    the distributed part of Ji et al. 2016 (arXiv:1604.04661), whose per-node HogBatch updates cw2v's kernels
    already use; ``hot_rows``/``hot_syncs`` average the most frequent words' rows more often, as their paper
    does. As a row that every replica touches moves by the mean of N changes each made on 1/N of the text,
    the replicas train at ``alpha_scale`` (by default about N) times the single-machine rate: the linear
    scaling rule of large-batch SGD (Goyal et al. 2017, arXiv:1706.02677), here for local SGD.

    Every job draws its random numbers from a stream seeded by ``(seed, epoch, job number)``, never from the
    worker or the task's placement, and every task is a pure function of its inputs; the replicas' results
    are averaged in replica order (float32 sums). So the same seed, corpus, ``blocksize``, ``job_bytes``,
    ``n_workers``, ``syncs_per_epoch`` and ``alpha_scale`` give the same model bit for bit, wherever the
    tasks run, and a task rerun after a worker died returns what the lost one would have. With
    ``n_workers=1`` and a corpus read as one block (one file no larger than ``blocksize``, or a compressed
    file), training equals ``Word2Vec.train(corpus_file=..., workers=1)`` bit for bit.

Faults
    A worker that dies mid-round makes Dask rerun its tasks (and recompute any lost block from the files),
    which changes nothing in the result; a round that still fails (every copy of the round's weights lost,
    ``KilledWorker``) is resubmitted from the client's copy of the weights, up to ``retries`` times. Every
    wait has a timeout. With ``checkpoint=path``, the model is saved after every epoch through a temporary
    file renamed into place; :func:`resume` continues from it and ends with the model an uninterrupted run
    gives.

The result is a plain :class:`cw2v.Word2Vec`: save it, load it, query it, keep training it on one machine.

Data movement
    Before the first epoch the blocks are read once, cut into jobs, tokenized and mapped to word indices on
    the workers, and kept in the workers' memory (int32 word indices, about 4 bytes per token) for all
    epochs, each replica's jobs on one worker. Per round the client sends the weights that training changes
    (``wv.vectors``, plus ``syn1neg`` and/or ``syn1``) once; Dask copies them between workers; each replica
    sends back its changed rows: at most the dense size of those matrices plus one bit per row. Keep the
    client near the workers (on the cluster's network).
"""
from __future__ import annotations

import concurrent.futures
import heapq
import logging
import os
import pickle
import time
import uuid
from dataclasses import dataclass, field

import numpy as np

try:
    import dask
    import distributed
    from dask.bytes import read_bytes
    from distributed import wait as _dask_wait
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("cw2v.distributed needs Dask's distributed scheduler: pip install 'cw2v[dask]' "
                      "(or pip install 'dask[distributed]')") from exc

from threadpoolctl import threadpool_limits

from cw2v._corpus import FileCounter, StringTable, encode_block
from cw2v._corpus_file import CorpusFile as _CorpusFile
from cw2v._kernels import Trainer
from cw2v._validation import check_float as _check_float, check_int as _check_int, check_utf8 as _check_utf8
from cw2v.vocab import VocabTables
from cw2v.word2vec import Word2Vec, _weight_matrix

logger = logging.getLogger(__name__)

__all__ = ["Corpus", "TrainStats", "auto_alpha_scale", "auto_syncs_per_epoch", "build_vocab", "count_words", "fit",
           "resume", "train"]

#: Default bytes per block read by Dask (vocabulary counting and the one read before training).
DEFAULT_BLOCKSIZE = "64 MiB"
#: Default seconds to wait for one step (the vocabulary, the preparation of the data, one round).
DEFAULT_TIMEOUT = 3600.0
#: Bytes a vocabulary task reads at a time (it counts a block in pieces, never holding all of it).
COUNT_READ_BYTES = 4 << 20
#: Smallest piece of a file a vocabulary task is given when blocks are cut further to keep every thread busy.
COUNT_MIN_SPLIT_BYTES = 4 << 20
#: Blocks merged by one task of the vocabulary's tree reduction.
MERGE_FAN_IN = 8
#: Name of the model attribute that holds the training state in a checkpoint file.
CHECKPOINT_ATTR = "distributed_checkpoint"

_GLOB_CHARS = frozenset("*?[")
#: What Dask raises when a wait times out (asyncio's TimeoutError, the builtin one from Python 3.11 on).
_TIMEOUTS = tuple({TimeoutError, getattr(distributed, "TimeoutError", TimeoutError)})


def _is_retryable(exc):
    """Failures of the cluster rather than of the task's code: the round is resubmitted after them."""
    from distributed.comm.core import CommClosedError
    from distributed.scheduler import KilledWorker
    return isinstance(exc, (KilledWorker, concurrent.futures.CancelledError, CommClosedError))


# ---------------------------------------------------------------------------------------------- corpus


class Corpus:
    """Text files read as line-aligned blocks by Dask: the input of :func:`build_vocab` and :func:`train`.

    Parameters
    ----------
    urlpath : str, os.PathLike or sequence of them
        A path, a glob (``"data/part-*.txt"``), or a list of paths and globs; local or any fsspec URL
        (``"s3://bucket/corpus/*.txt.gz"``), all with the same protocol. Files are read in the order
        given, a glob's matches in sorted order. One sentence per line, tokens separated by whitespace, UTF-8
        (the :class:`cw2v.LineSentence` format).
    blocksize : int or str, optional
        Bytes per block of an uncompressed file (default ``"64 MiB"``; ``"16 MiB"``, ``2**24``...). A
        compressed file (compression inferred from the name by fsspec) is one block. The vocabulary does not
        depend on it; the model does, a little, since jobs never straddle blocks.
    storage_options : dict, optional
        Passed to fsspec (credentials, endpoint...).
    max_sentence_length : int, optional
        Longer lines are split into sentences of this many tokens (default 10000, as ``LineSentence``).

    Attributes
    ----------
    paths : list of str
        The files, fully qualified, in reading order.
    compressions : list of str or None
        Each file's compression.
    n_blocks : int

    Raises
    ------
    FileNotFoundError
        A path does not exist or a glob matches no file (before any work is sent to a cluster).
    IsADirectoryError
        A path is a directory (pass a glob such as ``"dir/*.txt"``).
    TypeError, ValueError
        `urlpath` is not a path or list of paths, the list is empty, or `blocksize` is not a positive size.
    """

    def __init__(self, urlpath, blocksize=DEFAULT_BLOCKSIZE, storage_options=None, max_sentence_length=10000):
        import fsspec
        from dask.utils import parse_bytes
        from fsspec.utils import infer_compression

        if isinstance(urlpath, (str, os.PathLike)):
            given = [urlpath]
        elif isinstance(urlpath, (list, tuple)):
            given = list(urlpath)
        else:
            raise TypeError("the corpus must be a path, a glob or a list of paths, got %s" % type(urlpath).__name__)
        if not given:
            raise ValueError("the corpus is an empty list of paths")
        for p in given:
            if not isinstance(p, (str, os.PathLike)):
                raise TypeError("corpus paths must be str or os.PathLike, got %s" % type(p).__name__)
        given = [os.fspath(p) for p in given]
        if isinstance(blocksize, str):
            blocksize = parse_bytes(blocksize)
        self.blocksize = _check_int("blocksize", blocksize, 1)
        self.max_sentence_length = _check_int("max_sentence_length", max_sentence_length, 1)
        self.storage_options = dict(storage_options or {})
        fs, _ = fsspec.core.url_to_fs(given[0], **self.storage_options)
        self._fs = fs
        paths, missing = [], []
        for p in given:
            if _GLOB_CHARS & set(p):
                matches = sorted(fs.glob(p))
                if not matches:
                    missing.append("%s (a glob matching no file)" % p)
                paths.extend(m for m in matches if not fs.isdir(m))
                continue
            stripped = fs._strip_protocol(p)
            if not fs.exists(stripped):
                missing.append(p)
            elif fs.isdir(stripped):
                raise IsADirectoryError("corpus path %r is a directory: pass a glob such as %r"
                                        % (p, p.rstrip("/") + "/*"))
            else:
                paths.append(stripped)
        if missing:
            raise FileNotFoundError("corpus file(s) not found: %s" % ", ".join(missing))
        if not paths:
            raise FileNotFoundError("the corpus %r names no file" % (urlpath,))
        self.paths = [fs.unstrip_protocol(p) for p in paths]
        self.compressions = [infer_compression(p) for p in paths]
        self._blocks = []  # (file index, delayed bytes)
        for i, (path, comp) in enumerate(zip(self.paths, self.compressions)):
            _, blocks = read_bytes(path, delimiter=b"\n", blocksize=None if comp else self.blocksize,
                                   compression=comp, sample=False, **self.storage_options)
            self._blocks.extend((i, b) for b in blocks[0])
        self.n_blocks = len(self._blocks)
        self._count_ranges = []  # (file index, start, end or None): what one vocabulary task reads
        self._sizes = []  # bytes of each file, None if compressed
        for i, (path, comp) in enumerate(zip(paths, self.compressions)):
            size = None if comp else int(fs.size(path))
            self._sizes.append(size)
            if size == 0:
                continue  # as read_bytes: no block
            n = 1 if size is None else max(1, size // self.blocksize)  # as many as read_bytes makes
            starts = [size * k // n for k in range(n)] if n > 1 else [0]
            self._count_ranges.extend((i, start, end) for start, end in zip(starts, starts[1:] + [None]))

    @classmethod
    def of(cls, corpus, **kwargs):
        """`corpus` if it is a :class:`Corpus`, else ``Corpus(corpus, **kwargs)``.

        Parameters
        ----------
        corpus : Corpus, str, os.PathLike or list
            A :class:`Corpus` (returned as it is), or the paths its constructor takes.
        **kwargs
            The constructor's other arguments (ignored when `corpus` is a :class:`Corpus`).

        Returns
        -------
        Corpus
        """
        if isinstance(corpus, cls):
            return corpus
        return cls(corpus, **kwargs)

    def fingerprint(self):
        """What a checkpoint records of the corpus: the paths, their sizes and the block size."""
        return {"paths": list(self.paths), "sizes": [int(self._fs.size(self._fs._strip_protocol(p)))
                                                     for p in self.paths],
                "blocksize": self.blocksize, "max_sentence_length": self.max_sentence_length}

    def __repr__(self):
        return "Corpus(%d file(s), %d block(s) of about %d bytes)" % (len(self.paths), self.n_blocks, self.blocksize)


# ---------------------------------------------------------------------------------------------- vocabulary


def _read_full(f, view):
    """Fill `view` from the binary file `f` (``readinto`` may give less than asked); bytes read, 0 at the end."""
    got = 0
    while got < len(view):
        n = f.readinto(view[got:])
        if not n:
            break
        got += n
    return got


def _line_range(f, start, end, chunk_bytes):
    """Yield the lines of the binary file `f` from byte `start` to byte `end` (None: the end of the file), in
    pieces of whole lines of about `chunk_bytes`, as memoryviews of one reused buffer.

    As :func:`dask.bytes.read_bytes` cuts a file with ``delimiter=b"\\n"``: the range begins just after the
    first ``b"\\n"`` at or after `start` (at 0 if `start` is 0) and ends just after the first one at or after
    `end`, so consecutive ranges hold every line once. A piece ends after a ``b"\\n"`` or ``b"\\r"`` (as
    :func:`cw2v.corpora.iter_line_blocks`), or at the end of the range; a longer line is never cut.

    Each piece is valid until the next one is asked for: the file is read into the same buffer (``readinto``),
    so that a task allocates it once. Allocating a new buffer for each piece is slow in a Dask worker, whose
    nanny sets ``MALLOC_TRIM_THRESHOLD_``: glibc then maps and unmaps every large buffer, and touching its
    fresh pages cost about 20% of the counting time (AMD EPYC, 2 workers, 4 MiB pieces).
    """
    buf = bytearray(chunk_bytes)
    view = memoryview(buf)
    have = 0  # buf[:have] is read and not yet given; pos is the file position of buf[0]
    pos = 0
    if start > 0:
        f.seek(start)
        pos = start
        while True:  # skip the end of the line that began before the range
            have = _read_full(f, view)
            if not have:
                return
            i = buf.find(b"\n", 0, have)
            if i >= 0:
                buf[:have - i - 1] = bytes(view[i + 1:have])
                pos += i + 1
                have -= i + 1
                break
            pos += have
        if end is not None and pos > end:
            return  # a line spans the whole range: it belongs to the previous one
    while True:
        if end is not None and pos + have > end:
            i = buf.find(b"\n", max(end - pos, 0), have)
            if i >= 0:  # the first b"\n" at or after `end` ends the range
                yield view[:i + 1]
                return
        cut = max(buf.rfind(b"\n", 0, have), buf.rfind(b"\r", 0, have)) + 1
        if cut:
            yield view[:cut]
            rest = bytes(view[cut:have])  # the start of a line
            buf[:len(rest)] = rest
            pos += cut
            have = len(rest)
        elif have == len(buf):  # one line fills the buffer: a larger one (the caller may still hold a view)
            buf = bytearray(2 * len(buf))
            buf[:have] = view[:have]
            view = memoryview(buf)
        n = _read_full(f, view[have:])
        if not n:
            if have:
                yield view[:have]  # the file's last line, without a newline
            return
        have += n


def _split_ranges(ranges, sizes, n_tasks, min_bytes):
    """Cut ranges of uncompressed files into equal parts so that there are about `n_tasks` of them.

    Parts go one at a time to the range whose parts are the largest, while a part stays >= `min_bytes`;
    compressed files (size None) are never cut. The ranges stay in corpus order, so the counts merged in order
    are unchanged (:func:`_line_range` gives consecutive ranges every line once, wherever they are cut).
    """
    lengths = [-1 if sizes[i] is None else (sizes[i] if end is None else end) - start for i, start, end in ranges]
    parts = [1] * len(ranges)
    largest = [(-length, j) for j, length in enumerate(lengths)]  # a heap: the largest part first
    heapq.heapify(largest)
    for _ in range(n_tasks - len(ranges)):
        j = largest[0][1]
        if lengths[j] // (parts[j] + 1) < min_bytes:
            break
        parts[j] += 1
        heapq.heapreplace(largest, (-lengths[j] / parts[j], j))
    out = []
    for (i, start, end), length, k in zip(ranges, lengths, parts):
        cuts = [start + length * m // k for m in range(1, k)]
        out.extend(zip([i] * k, [start] + cuts, cuts + [end]))
    return out


def _count_range(path, compression, start, end, storage_options, max_sentence_length):
    """Task: count the words of one range of a file (all of it if compressed) in C, reading it in pieces.

    Returns
    -------
    (keys, counts, total_words, corpus_count, n_bytes) : (bytes, numpy.ndarray of int64, int, int, int)
        The range's counts, packed (:meth:`cw2v._corpus.FileCounter.pack`: words in order of first occurrence
        in the range), so that they travel as two buffers rather than as a dict of about 10**5 objects.

    Raises
    ------
    UnicodeDecodeError
        A word is not valid UTF-8 (checked here, where the file is known).
    """
    import fsspec

    counter = FileCounter(None, max_sentence_length)
    n_bytes = 0
    with fsspec.open(path, "rb", compression=compression, **storage_options) as f:
        for piece in _line_range(f, start, end, COUNT_READ_BYTES):
            counter.feed(piece)
            n_bytes += len(piece)
    keys, counts = counter.pack()
    try:
        keys.decode("utf8")  # every word ends with b"\n", so a bad word cannot borrow bytes from the next one
    except UnicodeDecodeError:
        try:
            counter.counts()  # the error about the word itself
        except UnicodeDecodeError as exc:
            raise UnicodeDecodeError(exc.encoding, exc.object, exc.start, exc.end,
                                     "%s (a word in %s)" % (exc.reason, path)) from None
        raise  # pragma: no cover - counts() decodes the same words
    return keys, counts, int(counter.total_words), int(counter.corpus_count), n_bytes


def _merge_into(counter, part):
    """Add one packed part (as returned by :func:`_count_range`) to `counter` as its next block; its byte count."""
    keys, counts, total, sentences, n_bytes = part
    counter.merge_packed(keys, counts, total, sentences)
    return n_bytes


def _merge_counts(*parts):
    """Task: merge consecutive blocks' packed counts, in block order, in C (first occurrences stay in corpus order).

    The first part's words keep their order; each later part's new words follow in its order. As every word of
    an earlier block occurs before every word of a later one, the result lists words in order of first
    occurrence in the blocks' concatenation. Returns the merged counts packed, as :func:`_count_range`.
    """
    counter = FileCounter(None)
    n_bytes = sum(_merge_into(counter, part) for part in parts)
    keys, counts = counter.pack()
    return keys, counts, int(counter.total_words), int(counter.corpus_count), n_bytes


def _fetch(future, timeout):
    """``future.result(timeout)``; a UnicodeDecodeError is rebuilt from its arguments (once through Dask's
    serialization its message is empty)."""
    try:
        return future.result(timeout=timeout)
    except UnicodeDecodeError as exc:
        raise UnicodeDecodeError(*exc.args) from None


def _client(client):
    if client is None:
        try:
            return distributed.get_client()
        except ValueError:
            raise ValueError("no Dask client: pass client=distributed.Client(...) or create one first") from None
    if not isinstance(client, distributed.Client):
        raise TypeError("client must be a distributed.Client, got %s" % type(client).__name__)
    return client


def _timeout(timeout):
    return _check_float("timeout", timeout, 0.0, low_inclusive=False)


def count_words(corpus, client=None, *, timeout=DEFAULT_TIMEOUT, **corpus_options):
    """Count the words of a corpus on the cluster (C counters per block, merged by a tree reduction).

    Each block is counted by a task; while there are more than :data:`MERGE_FAN_IN` parts, tasks merge groups of
    that many consecutive parts; the client merges the last ones in order as they arrive. When the corpus has
    fewer blocks than the cluster has worker threads, the blocks of uncompressed files are cut into equal
    parts of at least :data:`COUNT_MIN_SPLIT_BYTES` (4 MiB), up to one per thread, so that every thread counts
    (the result does not depend on how the corpus is cut).

    Parameters
    ----------
    corpus : Corpus, str, os.PathLike or list
        A :class:`Corpus`, or what its constructor takes (`corpus_options` are its other arguments).
    client : distributed.Client, optional
        Default: the current client (:func:`distributed.get_client`).
    timeout : float, optional
        Seconds to wait for the result (default 3600).
    **corpus_options
        :class:`Corpus` arguments (``blocksize``, ``storage_options``, ``max_sentence_length``) when `corpus`
        is not a :class:`Corpus`.

    Returns
    -------
    counts : dict of str -> int
        Every word's count, in order of first occurrence in the corpus.
    total_words : int
        Tokens in the corpus.
    corpus_count : int
        Sentences (lines with at least one token; longer lines than ``max_sentence_length`` count as several).

    Raises
    ------
    FileNotFoundError
        A file is missing (before anything runs).
    UnicodeDecodeError
        A word is not valid UTF-8 (the message names the file).
    TimeoutError
        The cluster did not answer within `timeout`.
    """
    corpus = Corpus.of(corpus, **corpus_options)
    client = _client(client)
    timeout = _timeout(timeout)
    if corpus.n_blocks == 0:
        return {}, 0, 0
    token = dask.base.tokenize(corpus.paths, corpus.blocksize, corpus.max_sentence_length, uuid.uuid4().hex)
    # fewer blocks than threads (a corpus smaller than blocksize x threads): cut them further, so all count
    ranges = _split_ranges(corpus._count_ranges, corpus._sizes, sum(client.nthreads().values()),
                           COUNT_MIN_SPLIT_BYTES)
    level = [dask.delayed(_count_range, pure=True)(corpus.paths[i], corpus.compressions[i], start, end,
                                                  corpus.storage_options, corpus.max_sentence_length,
                                                  dask_key_name="cw2v-count-%s-%d" % (token, j))
             for j, (i, start, end) in enumerate(ranges)]
    depth = 0
    while len(level) > MERGE_FAN_IN:  # on the workers, down to at most MERGE_FAN_IN parts
        depth += 1
        level = [dask.delayed(_merge_counts, pure=True)(*level[k:k + MERGE_FAN_IN],
                                                       dask_key_name="cw2v-merge-%s-%d-%d" % (token, depth, k))
                 for k in range(0, len(level), MERGE_FAN_IN)]
    futures = client.compute(level)
    deadline = time.monotonic() + timeout
    counter = FileCounter(None)
    n_bytes = 0
    try:
        # the last merge on the client, in block order, each part as soon as it is in (while later ones count)
        for future in futures:
            n_bytes += _merge_into(counter, _fetch(future, max(deadline - time.monotonic(), 0.001)))
    except _TIMEOUTS:
        client.cancel(futures)
        raise TimeoutError("counting the vocabulary of %r took more than timeout=%s s" % (corpus, timeout)) from None
    counts = counter.counts()  # every word was checked to be UTF-8 on its worker
    total, sentences = int(counter.total_words), int(counter.corpus_count)
    logger.info("collected %i word types from %i words in %i sentences (%d bytes, %d blocks)", len(counts), total,
                sentences, n_bytes, len(ranges))
    return counts, total, sentences


def build_vocab(model, corpus, client=None, *, update=False, keep_raw_vocab=False, trim_rule=None,
                timeout=DEFAULT_TIMEOUT, **corpus_options):
    """Build `model`'s vocabulary from a corpus counted on the cluster, as ``model.build_vocab(corpus_file=...)``.

    Sets ``raw_vocab`` (then dropped unless `keep_raw_vocab`), ``corpus_count`` and ``corpus_total_words``, then
    applies ``min_count``, ``max_final_vocab``, `trim_rule`, ``sorted_vocab``, ``null_word`` and computes the
    sampling tables and initial weights exactly as :meth:`cw2v.Word2Vec.build_vocab` does.

    Parameters
    ----------
    model : cw2v.Word2Vec
        Modified in place.
    corpus : Corpus, str, os.PathLike or list
        See :class:`Corpus` (`corpus_options` are its other arguments).
    client : distributed.Client, optional
    update, keep_raw_vocab, trim_rule
        As in :meth:`cw2v.Word2Vec.build_vocab`.
    timeout : float, optional
        Seconds to wait for the counts (default 3600).
    **corpus_options
        :class:`Corpus` arguments when `corpus` is not a :class:`Corpus`.

    Returns
    -------
    cw2v.Word2Vec
        `model`.

    Raises
    ------
    ValueError
        ``model.max_vocab_size`` is set: pruning while counting depends on the order blocks are seen, so it
        cannot give the single-machine result; use ``max_final_vocab`` (applied after counting).
    FileNotFoundError, UnicodeDecodeError, TimeoutError
        See :func:`count_words`.
    """
    if not isinstance(model, Word2Vec):
        raise TypeError("model must be a cw2v.Word2Vec, got %s" % type(model).__name__)
    if model.max_vocab_size:
        raise ValueError("max_vocab_size=%d is not supported by cw2v.distributed (pruning during the count depends "
                         "on the order the blocks are counted in): use max_final_vocab instead"
                         % model.max_vocab_size)
    corpus = Corpus.of(corpus, **corpus_options)
    counts, total, sentences = count_words(corpus, client, timeout=timeout)
    model.raw_vocab = counts
    model.corpus_count = sentences
    model.corpus_total_words = total
    model.prepare_vocab(update=update, keep_raw_vocab=keep_raw_vocab, trim_rule=trim_rule)
    model.prepare_weights(update=update)
    model.add_lifecycle_event("build_vocab", update=update, trim_rule=str(trim_rule), distributed=True,
                              blocks=corpus.n_blocks)
    return model


# ---------------------------------------------------------------------------------------------- data layout


def _job_lengths(data, job_bytes):
    """Task: lengths of the jobs a block is cut into, as :func:`cw2v.corpora.iter_line_blocks` cuts a file.

    The block is read in chunks of `job_bytes`; each job ends just after the last ``'\\n'`` or ``'\\r'`` read
    so far (a line longer than a chunk makes its job longer), and the rest of the block is the last job.

    Returns
    -------
    ndarray of int64
        Lengths in bytes, summing to ``len(data)``.
    """
    lengths = []
    n = len(data)
    start = 0        # first byte of the current job
    read_end = 0     # bytes read so far
    while read_end < n:
        read_end = min(n, read_end + job_bytes)
        cut = max(data.rfind(b"\n", start, read_end), data.rfind(b"\r", start, read_end)) + 1
        if cut > start:
            lengths.append(cut - start)
            start = cut
    if start < n:
        lengths.append(n - start)
    return np.array(lengths, dtype=np.int64)


@dataclass(frozen=True)
class _Job:
    number: int       # job number in the epoch (its random stream)
    block: int        # index of its block in Corpus._blocks
    start: int        # offset in the block
    length: int       # bytes
    position: int     # offset in the whole corpus (drives the learning rate)


def _layout(job_lengths, syncs, n_workers):
    """Deal the jobs of an epoch into rounds and replicas.

    Returns
    -------
    plan : list (rounds) of list (replicas) of list of _Job
        Round ``r`` holds the jobs whose middle byte falls in the ``r``-th ``1/syncs`` of the corpus; its jobs
        are dealt to the replicas in turn.
    total_bytes : int
    """
    jobs = []
    position = 0
    for b, lengths in enumerate(job_lengths):
        start = 0
        for length in lengths.tolist():
            jobs.append(_Job(len(jobs), b, start, length, position))
            start += length
            position += length
    total = position
    plan = [[[] for _ in range(n_workers)] for _ in range(syncs)]
    first_in_round = {}
    for job in jobs:
        r = min(syncs - 1, (job.position + job.length // 2) * syncs // max(total, 1))
        k = job.number - first_in_round.setdefault(r, job.number)
        plan[r][k % n_workers].append(job)
    return plan, total


def _encode_jobs(keys, jobs, paths, max_sentence_length, *blocks):
    """Task: tokenize jobs and map their words to indices (in C), to be trained every epoch.

    Parameters
    ----------
    keys : bytes
        The vocabulary (``wv.index_to_key``), pickled: Dask would serialize a list item by item (seconds for
        a large vocabulary).
    jobs : list of tuple
        ``(number, block, start, length, position)``, ``block`` indexing `blocks`.
    paths : list of str
        Each block's file (for error messages).
    blocks : bytes
        The blocks the jobs come from.

    Returns
    -------
    list of (number, position, length, ids, ends, raw_words)
        ``ids`` int32 word indices and ``ends`` int64 sentence ends, as :func:`cw2v._corpus.encode_block`
        returns them (compact copies).

    Raises
    ------
    UnicodeDecodeError
        A job is not valid UTF-8 (naming the file), as single-machine training raises.
    """
    table = StringTable.from_keys(pickle.loads(keys))
    out = []
    for number, block, start, length, position in jobs:
        data = blocks[block][start:start + length]
        _check_utf8(data, paths[block])
        ids, ends, raw = encode_block(table, data, max_sentence_length)
        out.append((number, position, length, ids.copy(), ends.copy(), raw))
    return out


# ---------------------------------------------------------------------------------------------- training tasks


def _trainer(weights, static):
    """A :class:`cw2v._kernels.Trainer` over `weights` (dict of writeable arrays) with the model's tables."""
    t = static
    tables = VocabTables(t["keep_threshold"], t["alias_threshold"], t["alias_index"], t["codes"], t["points"],
                         t["code_lens"])
    return Trainer(weights["vectors"], weights.get("syn1neg"), weights.get("syn1"), tables, sg=t["sg"],
                   hs=t["hs"], negative=t["negative"], window=t["window"], cbow_mean=t["cbow_mean"],
                   shrink_windows=t["shrink_windows"], batched=t["batched"], lockf=t["lockf"])


def _copy_weights(weights):
    """Writeable, 64-byte aligned copies of the weight matrices (what arrives from the cluster is not modified)."""
    out = {}
    for name, arr in weights.items():
        copy = _weight_matrix(*arr.shape)
        copy[...] = arr
        out[name] = copy
    return out


def _encode_change(new, old):
    """The rows of `new` that differ from `old`: ``("rows", indices, values)`` or ``("dense", packed mask, new)``.

    Whichever is smaller: ``k * (4 * d + 4)`` bytes for ``k`` changed rows of ``d`` float32, or the whole
    matrix plus one bit per row. A row counts as changed if any element differs (NaN included).
    """
    changed = np.any(new != old, axis=1)
    n, d = new.shape
    idx = np.flatnonzero(changed).astype(np.int32)
    if idx.size * (4 * d + 4) <= n * 4 * d + (n + 7) // 8:
        return ("rows", idx, np.ascontiguousarray(new[idx]))
    return ("dense", np.packbits(changed), new)


def _alpha_at(info, position):
    """The learning rate a single-machine run has at byte `position` of epoch ``info['epoch']``."""
    span = info["start_alpha"] - info["end_alpha"]
    return info["start_alpha"] - span * min(1.0, (info["epoch"] + position / max(info["total_bytes"], 1))
                                            / info["epochs"])


def _hot_values(weights, hot):
    return {name: weights[name][idx] for name, idx in hot.items()}


def _train_step(start, hot_avg, static, jobs, info, part, parts, base):
    """Task: train one replica's share of a round (or its `part`-th of `parts` pieces of it).

    Parameters
    ----------
    start : dict
        Either the round's weights (``{name: (n, d) float32}`` for ``vectors``, ``syn1neg``, ``syn1``), or
        the state a previous piece returned (``{"weights": ..., "stats": ..., "hot": ...}``). Not modified.
    hot_avg : dict or None
        Averaged hot rows (``{name: (indices, values, touched)}``) installed before training, or None.
    static : dict
        Tables and settings (see :func:`_static`).
    jobs : list
        This replica's encoded jobs for the round (from :func:`_encode_jobs`).
    info : dict
        ``epoch``, ``epochs``, ``start_alpha``, ``end_alpha``, ``total_bytes``, ``seed``, ``stream_base``,
        ``compute_loss``, ``alpha_scale`` (the replicas' learning rate is ``alpha_scale`` times the
        single-machine schedule's).
    part, parts : int
        Train the `part`-th of `parts` consecutive slices of `jobs`.
    base : dict or None
        The round's weights: with the last piece, the change relative to them is returned.

    Returns
    -------
    dict
        ``stats`` (effective words, raw words, sentences, loss, seconds spent training), and either
        ``changes`` (last piece: ``{name: change}`` from :func:`_encode_change`) or ``weights`` and ``hot``
        (other pieces).
    """
    if "weights" in start:
        weights = _copy_weights(start["weights"])
        stats = dict(start["stats"])
    else:
        weights = _copy_weights(start)
        stats = {"effective": 0, "raw": 0, "sentences": 0, "loss": 0.0, "seconds": 0.0}
    if hot_avg is not None:
        for name, (idx, values, touched) in hot_avg.items():
            weights[name][idx[touched]] = values[touched]
    hot_start = _hot_values(weights, static["hot"]) if part < parts - 1 else None
    lo = len(jobs) * part // parts
    hi = len(jobs) * (part + 1) // parts
    worker = _trainer(weights, static).worker()
    scale = info["alpha_scale"]
    t0 = time.perf_counter()
    with threadpool_limits(limits=1, user_api="blas"):
        for number, position, length, ids, ends, raw in jobs[lo:hi]:
            eff, loss = worker.train_job(ids, ends, scale * _alpha_at(info, position),
                                         scale * _alpha_at(info, position + length), info["seed"],
                                         info["stream_base"] + number, info["compute_loss"])
            stats["effective"] += int(eff)
            stats["raw"] += int(raw)
            stats["sentences"] += len(ends)
            stats["loss"] += float(loss)
    stats["seconds"] += time.perf_counter() - t0
    if part < parts - 1:
        hot = {}
        for name, idx in static["hot"].items():
            values = weights[name][idx]
            hot[name] = (values, np.any(values != hot_start[name], axis=1))
        return {"weights": weights, "stats": stats, "hot": hot}
    return {"changes": {name: _encode_change(weights[name], base[name]) for name in weights}, "stats": stats}


def _hot_part(state):
    """Task (where `state` is): the hot rows of a piece's state, all that travels for a hot sync."""
    return state["hot"]


def _average_hot(static, *hots):
    """Task: per hot row, the mean of the replicas that changed it since the last hot sync (replica order)."""
    out = {}
    for name, idx in static["hot"].items():
        total = np.zeros((len(idx), static["vector_size"]), dtype=np.float64)
        count = np.zeros(len(idx), dtype=np.int64)
        for hot in hots:
            values, touched = hot[name]
            total[touched] += values[touched]
            count[touched] += 1
        touched = count > 0
        values = np.zeros((len(idx), static["vector_size"]), dtype=np.float32)
        values[touched] = total[touched] / count[touched, None]
        out[name] = (idx, values, touched)
    return out


def _hot_rows(model, hot_rows):
    """Row indices, per matrix, of the `hot_rows` most frequent words (and the top of the Huffman tree)."""
    n = len(model.wv)
    if not hot_rows:
        return {}
    counts = np.asarray(model.wv.expandos["count"], dtype=np.int64)
    top = np.sort(np.argsort(-counts, kind="stable")[:hot_rows]).astype(np.int64)
    hot = {"vectors": top}
    if model.negative:
        hot["syn1neg"] = top
    if model.hs and n > 1:
        # inner nodes are numbered in order of creation: the last ones (the root is n - 2) are on most paths
        hot["syn1"] = np.arange(max(0, n - 1 - hot_rows), n - 1, dtype=np.int64)
    return hot


def _static(model, hot):
    t = model._tables
    return {"keep_threshold": t.keep_threshold, "alias_threshold": t.alias_threshold, "alias_index": t.alias_index,
            "codes": t.codes, "points": t.points, "code_lens": t.code_lens, "sg": model.sg, "hs": model.hs,
            "negative": model.negative, "window": model.window, "cbow_mean": model.cbow_mean,
            "shrink_windows": int(model.shrink_windows), "batched": model.batched, "lockf": model._lockf(),
            "hot": hot, "vector_size": model.vector_size}


def _weights(model):
    """The matrices training changes, by name (views of the model's arrays)."""
    out = {"vectors": model.wv.vectors}
    if model.negative:
        out["syn1neg"] = model.syn1neg
    if model.hs:
        out["syn1"] = model.syn1
    return out


# ---------------------------------------------------------------------------------------------- driver


@dataclass
class TrainStats:
    """What :func:`train` did (a dataclass: its fields are its constructor's parameters).

    Parameters
    ----------
    effective_words, raw_words : int
        Tokens trained after subsampling, and tokens read, over all epochs of the call (as the tuple
        :meth:`cw2v.Word2Vec.train` returns).
    epochs, rounds : int
        Epochs and rounds run by this call (after a resume: by the whole training).
    n_workers, syncs_per_epoch, hot_rows, hot_syncs : int
        The settings.
    seconds : float
        Wall time of the call.
    prepare_seconds : float
        Of `seconds`, the time spent reading and encoding the corpus.
    dense_bytes : int
        Bytes of the matrices training changes (``wv.vectors`` and ``syn1neg`` and/or ``syn1``): one
        replica's full copy.
    bytes_down, bytes_up : int
        Payload bytes sent per round from the client (the weights, once per round) and returned by the
        replicas (changed rows), summed over rounds.
    bytes_hot : int
        Payload bytes of the hot-row syncs, summed over rounds.
    max_up_ratio : float
        Largest change one replica returned in one round, as a fraction of `dense_bytes` (at most
        ``1 + 1 / (32 * vector_size)``).
    retries : int
        Rounds resubmitted after a cluster failure.
    round_seconds : list of float
        Wall time of each round.
    replica_seconds : list of float
        Per round, the time the slowest replica spent in the training kernels: the rest of the round's wall
        time is the cost of distributing (sending, copying, comparing and averaging the weights, scheduling).
    alpha_scale : float
        The factor applied to the learning-rate schedule.
    """
    effective_words: int = 0
    raw_words: int = 0
    epochs: int = 0
    rounds: int = 0
    n_workers: int = 0
    syncs_per_epoch: int = 0
    hot_rows: int = 0
    hot_syncs: int = 1
    seconds: float = 0.0
    prepare_seconds: float = 0.0
    dense_bytes: int = 0
    bytes_down: int = 0
    bytes_up: int = 0
    bytes_hot: int = 0
    max_up_ratio: float = 0.0
    retries: int = 0
    round_seconds: list = field(default_factory=list)
    replica_seconds: list = field(default_factory=list)
    alpha_scale: float = 1.0

    def __iter__(self):
        """``effective, raw = train(...)`` unpacks like :meth:`cw2v.Word2Vec.train`'s result."""
        return iter((self.effective_words, self.raw_words))


class _Data:
    """The corpus read, cut into jobs and encoded on the workers, held there as futures for every epoch."""

    def __init__(self, client, corpus, model, n_workers, syncs, job_bytes, timeout):
        self.client, self.corpus, self.n_workers, self.syncs, self.timeout = (client, corpus, n_workers, syncs,
                                                                            timeout)
        self.job_bytes = job_bytes
        self.keys = list(model.wv.index_to_key)
        self.static = None
        self.model = model
        self.build()

    def build(self):
        client, corpus = self.client, self.corpus
        t0 = time.perf_counter()
        deadline = time.monotonic() + self.timeout
        try:
            client.wait_for_workers(1, timeout=self.timeout)
        except _TIMEOUTS:
            raise TimeoutError("the Dask cluster has had no worker for timeout=%s s" % self.timeout) from None
        if corpus.n_blocks == 0:
            raise ValueError("the corpus %r is empty" % (corpus,))
        token = uuid.uuid4().hex[:12]
        self.token = token
        raw = client.compute([b for _, b in corpus._blocks])
        lengths = [client.submit(_job_lengths, f, self.job_bytes, key="cw2v-jobs-%s-%d" % (token, j))
                   for j, f in enumerate(raw)]
        lengths = self._gather(lengths, deadline, "cutting the corpus into jobs")
        self.plan, self.total_bytes = _layout(lengths, self.syncs, self.n_workers)
        self.n_jobs = sum(len(x) for x in lengths)
        if self.total_bytes == 0:
            raise ValueError("the corpus %r is empty" % (corpus,))
        if self.n_jobs < self.syncs * self.n_workers:
            logger.warning("the corpus has %d jobs of ~%d bytes for %d rounds x %d workers per epoch: some replicas "
                           "get no job", self.n_jobs, self.job_bytes, self.syncs, self.n_workers)
        workers = sorted(client.nthreads())
        self.keys_future = client.scatter([pickle.dumps(self.keys, protocol=pickle.HIGHEST_PROTOCOL)],
                                          broadcast=True, hash=False)[0]
        paths = [corpus.paths[i] for i, _ in corpus._blocks]
        self.jobs = []
        for r, replicas in enumerate(self.plan):
            row = []
            for w, jobs in enumerate(replicas):
                used = sorted({j.block for j in jobs})
                local = {b: k for k, b in enumerate(used)}
                spec = [(j.number, local[j.block], j.start, j.length, j.position) for j in jobs]
                row.append(client.submit(_encode_jobs, self.keys_future, spec, [paths[b] for b in used],
                                         corpus.max_sentence_length, *[raw[b] for b in used],
                                         key="cw2v-encode-%s-r%d-w%d" % (token, r, w),
                                         workers=[workers[w % len(workers)]], allow_other_workers=True))
            self.jobs.append(row)
        del raw  # the blocks are dropped once encoded (Dask recomputes them from the files if needed)
        flat = [f for row in self.jobs for f in row]
        self._wait(flat, deadline, "encoding the corpus")
        for f in flat:
            if f.status == "error":
                _fetch(f, 1)  # raises the task's exception (UnicodeDecodeError...)
        self.seconds = time.perf_counter() - t0
        logger.info("corpus read and encoded on the cluster in %.1fs: %d bytes, %d jobs, %d rounds x %d replicas "
                    "per epoch", self.seconds, self.total_bytes, self.n_jobs, self.syncs, self.n_workers)

    def scatter_static(self, hot):
        self.static = self.client.scatter([_static(self.model, hot)], broadcast=True, hash=False)[0]

    def _wait(self, futures, deadline, what):
        remaining = deadline - time.monotonic()
        try:
            _dask_wait(futures, timeout=max(remaining, 0.001))
        except _TIMEOUTS:
            raise TimeoutError("%s took more than timeout=%s s" % (what, self.timeout)) from None

    def _gather(self, futures, deadline, what):
        self._wait(futures, deadline, what)
        return self.client.gather(futures)

    def healthy(self):
        return all(f.status in ("finished", "pending") for row in self.jobs for f in row) and \
            self.keys_future.status in ("finished", "pending") and \
            (self.static is None or self.static.status in ("finished", "pending"))


def _check_state(state, corpus, model, n_workers, syncs, hot_rows, hot_syncs, job_bytes, alpha_scale):
    problems = []
    for name, value in (("n_workers", n_workers), ("syncs_per_epoch", syncs), ("hot_rows", hot_rows),
                        ("hot_syncs", hot_syncs), ("job_bytes", job_bytes), ("alpha_scale", alpha_scale)):
        if state[name] != value:
            problems.append("%s=%r (the checkpoint has %r)" % (name, value, state[name]))
    if state["corpus"] != corpus.fingerprint():
        problems.append("the corpus differs from the checkpoint's (%r)" % (state["corpus"],))
    if state["vocab_size"] != len(model.wv):
        problems.append("the vocabulary differs from the checkpoint's")
    if problems:
        raise ValueError("cannot resume: " + "; ".join(problems))


def train(model, corpus, client=None, *, epochs=None, start_alpha=None, end_alpha=None, n_workers=None,
          syncs_per_epoch="auto", alpha_scale="auto", hot_rows=0, hot_syncs=1, job_bytes=None, compute_loss=False,
          callbacks=(), checkpoint=None, timeout=DEFAULT_TIMEOUT, retries=2, _state=None, **corpus_options):
    """Train `model` on a Dask cluster by synchronous model averaging (see the module's notes).

    Parameters
    ----------
    model : cw2v.Word2Vec
        With its vocabulary built (:func:`build_vocab` or ``model.build_vocab``). ``wv.vectors``,
        ``syn1neg`` and ``syn1`` are updated in place after every round; its settings (``sg``, ``hs``,
        ``negative``, ``window``, ``seed``...) apply, ``workers`` does not.
    corpus : Corpus, str, os.PathLike or list
        See :class:`Corpus` (`corpus_options` are its other arguments).
    client : distributed.Client, optional
        Default: the current client.
    epochs : int, optional
        Default ``model.epochs``.
    start_alpha, end_alpha : float, optional
        The learning rate falls linearly from `start_alpha` (default ``model.alpha``) to `end_alpha` (default
        ``model.min_alpha``) over the corpus bytes of all epochs, as single-machine training.
    n_workers : int, optional
        Model replicas trained in parallel in each round (N). Default: the cluster's workers when training
        starts. The model depends on it (not on the cluster): fix it to reproduce a run on another cluster.
        More replicas than worker threads queue.
    syncs_per_epoch : int or "auto", optional
        Rounds per epoch (S): the replicas' changes are averaged S times per epoch. More syncs stay closer to
        single-machine training and move more bytes (the changed matrices twice per round). ``"auto"``
        (default): :func:`auto_syncs_per_epoch`, ``min(16, max(4, 4 * n_workers))``.
    alpha_scale : float or "auto", optional
        The replicas train at `alpha_scale` times the single-machine learning rate at each byte. Averaging N
        replicas' changes moves a row that all of them touch by the mean of N changes, each made on 1/N of
        the text: about 1/N of what sequential training moves it, so that unscaled (``alpha_scale=1``) the
        model learns as with an N times smaller learning rate (-3.1 points of analogy accuracy at N=2 after 5
        epochs in ``bench/results/distributed.md``). ``"auto"`` (default): :func:`auto_alpha_scale`.
    hot_rows : int, optional
        Average the rows of this many most frequent words (and of as many inner Huffman nodes nearest the
        root) `hot_syncs` times per round instead of once (Ji et al. 2016). Default 0.
    hot_syncs : int, optional
        Syncs of the hot rows per round (default 1: only the round's full sync); each replica's share of a
        round is trained in `hot_syncs` consecutive pieces, with the hot rows averaged between pieces.
    job_bytes : int, optional
        Bytes of whole lines per job, the unit a replica trains with one random stream and one learning-rate
        ramp (default 131072, as single-machine ``corpus_file`` training cuts a file).
    compute_loss : bool, optional
        Accumulate the training loss (``model.get_latest_training_loss()``, ``model.epoch_losses``).
    callbacks : sequence, optional
        As :meth:`cw2v.Word2Vec.train`'s (run on the client; a callback setting ``model.stop_training`` stops
        after the epoch).
    checkpoint : str or os.PathLike, optional
        Save the model here after every epoch (a cw2v file written to a temporary file renamed into place);
        :func:`resume` continues an interrupted run from it.
    timeout : float, optional
        Seconds to wait for the data's preparation and for each round (default 3600).
    retries : int, optional
        Times a round failing for a cluster reason (``KilledWorker``, lost data) is resubmitted (default 2).
    _state : dict, optional
        Private: the training state :func:`resume` reads from a checkpoint (epochs and rounds done).
    **corpus_options
        :class:`Corpus` arguments when `corpus` is not a :class:`Corpus`.

    Returns
    -------
    TrainStats
        Unpacks as ``(effective_words, raw_words)``, like :meth:`cw2v.Word2Vec.train`.

    Raises
    ------
    RuntimeError
        The vocabulary has not been built, or a round failed ``retries + 1`` times.
    ValueError
        A setting is out of range, the corpus is empty, or (on resume) the settings or corpus differ from the
        checkpoint's.
    TimeoutError
        A step took more than `timeout` (the cluster lost all workers...).
    UnicodeDecodeError
        The corpus is not UTF-8 (the message names the file).
    FileNotFoundError
        A corpus file is missing (before anything runs).
    """
    if not isinstance(model, Word2Vec):
        raise TypeError("model must be a cw2v.Word2Vec, got %s" % type(model).__name__)
    model._make_trainer()  # raises if there is no vocabulary
    epochs = model.epochs if epochs is None else epochs
    epochs = _check_int("epochs", epochs, 1)
    start_alpha = model.alpha if start_alpha is None else _check_float("start_alpha", start_alpha, 0.0, False)
    end_alpha = model.min_alpha if end_alpha is None else _check_float("end_alpha", end_alpha, 0.0)
    hot_rows = min(_check_int("hot_rows", hot_rows, 0), len(model.wv))
    hot_syncs = _check_int("hot_syncs", hot_syncs, 1)
    if not hot_rows:
        hot_syncs = 1
    retries = _check_int("retries", retries, 0)
    job_bytes = _check_int("job_bytes", _CorpusFile.block_size if job_bytes is None else job_bytes, 1)
    timeout = _timeout(timeout)
    corpus = Corpus.of(corpus, **corpus_options)
    client = _client(client)
    if n_workers is None:
        n_workers = max(1, len(client.nthreads()))
    n_workers = _check_int("n_workers", n_workers, 1)
    if isinstance(syncs_per_epoch, str) and syncs_per_epoch == "auto":
        syncs_per_epoch = auto_syncs_per_epoch(n_workers)
    syncs = _check_int("syncs_per_epoch", syncs_per_epoch, 1)
    if isinstance(alpha_scale, str) and alpha_scale == "auto":
        alpha_scale = auto_alpha_scale(n_workers, start_alpha)
    else:
        alpha_scale = _check_float("alpha_scale", alpha_scale, 0.0, low_inclusive=False)
    if checkpoint is not None:
        checkpoint = os.fspath(checkpoint)
    if _state is not None:
        _check_state(_state, corpus, model, n_workers, syncs, hot_rows, hot_syncs, job_bytes, alpha_scale)
    callbacks = tuple(callbacks)

    t0 = time.perf_counter()
    stats = TrainStats(n_workers=n_workers, syncs_per_epoch=syncs, hot_rows=hot_rows, hot_syncs=hot_syncs,
                       alpha_scale=alpha_scale)
    first_epoch = 0
    if _state is None:
        model.compute_loss = bool(compute_loss)
        model.running_training_loss = 0.0
        model.epoch_losses = []
    else:
        first_epoch = _state["epoch"]
        stats.effective_words, stats.raw_words = _state["effective_words"], _state["raw_words"]
        stats.epochs, stats.rounds = first_epoch, first_epoch * syncs
    model.stop_training = False
    model.epochs = epochs
    weights = _weights(model)
    stats.dense_bytes = sum(a.nbytes for a in weights.values())
    hot = _hot_rows(model, hot_rows)
    for cb in callbacks:
        if hasattr(cb, "on_train_begin"):
            cb.on_train_begin(model)

    data = None
    try:
        if first_epoch < epochs:
            data = _Data(client, corpus, model, n_workers, syncs, job_bytes, timeout)
            data.scatter_static(hot)
            stats.prepare_seconds = data.seconds
        for epoch in range(first_epoch, epochs):
            for cb in callbacks:
                if hasattr(cb, "on_epoch_begin"):
                    cb.on_epoch_begin(model)
            info = {"epoch": epoch, "epochs": epochs, "start_alpha": start_alpha, "end_alpha": end_alpha,
                    "total_bytes": data.total_bytes, "seed": model._stream_seed(),
                    "stream_base": (model._epochs_done & 0xFFFFFFFF) << 32, "compute_loss": model.compute_loss,
                    "alpha_scale": alpha_scale}
            epoch_loss = 0.0
            te = time.perf_counter()
            for r in range(syncs):
                tr = time.perf_counter()
                round_stats = _run_round(data, weights, info, r, epoch, hot, hot_syncs, stats, timeout, retries)
                stats.effective_words += round_stats["effective"]
                stats.raw_words += round_stats["raw"]
                epoch_loss += round_stats["loss"]
                stats.rounds += 1
                stats.round_seconds.append(time.perf_counter() - tr)
                stats.replica_seconds.append(round_stats["slowest"])
                logger.info("epoch %d/%d round %d/%d: %d words in %.1fs, alpha %.6f", epoch + 1, epochs, r + 1,
                            syncs, round_stats["raw"], stats.round_seconds[-1],
                            _alpha_at(info, data.total_bytes * (r + 1) / syncs))
            model.wv.norms = None
            model._epochs_done += 1
            model.running_training_loss += epoch_loss
            model.epoch_losses.append(epoch_loss)
            stats.epochs += 1
            logger.info("epoch %d/%d done in %.1fs", epoch + 1, epochs, time.perf_counter() - te)
            for cb in callbacks:
                if hasattr(cb, "on_epoch_end"):
                    cb.on_epoch_end(model)
            if checkpoint is not None:
                _save_checkpoint(model, checkpoint, {
                    "epoch": epoch + 1, "epochs": epochs, "start_alpha": start_alpha, "end_alpha": end_alpha,
                    "n_workers": n_workers, "syncs_per_epoch": syncs, "hot_rows": hot_rows, "hot_syncs": hot_syncs,
                    "job_bytes": job_bytes, "alpha_scale": alpha_scale,
                    "compute_loss": model.compute_loss, "corpus": corpus.fingerprint(), "vocab_size": len(model.wv),
                    "effective_words": stats.effective_words, "raw_words": stats.raw_words,
                    "retries": retries, "timeout": timeout})
            if model.stop_training:
                logger.info("stop_training set after epoch %d/%d: stopping", epoch + 1, epochs)
                break
    finally:
        model.wv.norms = None
        if data is not None:
            del data
        stats.seconds = time.perf_counter() - t0
        model.total_train_time += stats.seconds
    model.train_count += 1
    model.min_alpha_yet_reached = start_alpha - (start_alpha - end_alpha) * stats.epochs / epochs
    for cb in callbacks:
        if hasattr(cb, "on_train_end"):
            cb.on_train_end(model)
    model.add_lifecycle_event("train", msg="distributed training on %d raw words (%d effective words) took %.1fs "
                              "(%d replicas, %d syncs per epoch)" % (stats.raw_words, stats.effective_words,
                                                                     stats.seconds, n_workers, syncs))
    return stats


def auto_syncs_per_epoch(n_workers):
    """The rounds per epoch ``syncs_per_epoch="auto"`` picks for `n_workers` replicas: ``min(16, max(4, 4 * N))``.

    Measured on 17M tokens (skip-gram, 5 epochs, ``bench/results/distributed.md``): 2 replicas at 8 syncs and
    4 at 16 were within noise of single-machine analogy accuracy, 8 at 16 within 3 points (more syncs or
    ``hot_rows`` do better there). Every sync costs the client one broadcast of the weights and one change per
    replica.

    Parameters
    ----------
    n_workers : int

    Returns
    -------
    int
    """
    return min(16, max(4, 4 * int(n_workers)))


def auto_alpha_scale(n_workers, alpha):
    """The learning-rate factor ``alpha_scale="auto"`` picks: `n_workers`, at most ``max(1, 0.1 / alpha)``.

    With N replicas averaged, a row every replica touches moves about 1/N as far as in sequential training;
    training the replicas at N times the rate restores that (the linear scaling rule of large-batch SGD,
    applied to local SGD). Skip-gram diverges at starting rates of 0.3 and more (and cw2v's batched kernel
    crashes at 0.4), and measured no better at 0.1 than at 0.05 with 4 replicas, so the replicas' starting rate
    is kept at or below 0.1 (or at `alpha` if that is higher): ``min(N, max(1, 0.1 / alpha))``.

    Parameters
    ----------
    n_workers : int
        Replicas.
    alpha : float
        The model's starting learning rate.

    Returns
    -------
    float
    """
    return float(min(n_workers, max(1.0, 0.1 / alpha)))


def _submit_round(data, weights_future, info, r, epoch, hot, hot_syncs, attempt):
    """Submit one round's tasks; returns the futures of the replicas' final results (replica order)."""
    client = data.client
    key = "cw2v-train-%s-e%d-r%d-a%d" % (data.token, epoch, r, attempt)
    states = [weights_future] * data.n_workers
    hot_avg = None
    hot_parts = []
    for part in range(hot_syncs):
        last = part == hot_syncs - 1
        states = [client.submit(_train_step, states[w], hot_avg, data.static, data.jobs[r][w], info, part,
                                hot_syncs, weights_future if last else None, key="%s-p%d-w%d" % (key, part, w))
                  for w in range(data.n_workers)]
        if not last:
            hots = [client.submit(_hot_part, states[w], key="%s-p%d-w%d-hot" % (key, part, w))
                    for w in range(data.n_workers)]
            hot_avg = client.submit(_average_hot, data.static, *hots, key="%s-hot%d" % (key, part))
            hot_parts.append(hot_avg)
    return states, hot_parts


def _run_round(data, weights, info, r, epoch, hot, hot_syncs, stats, timeout, retries):
    """Run round `r`: scatter the weights, train the replicas, average their changes into `weights` in place."""
    client = data.client
    last_error = None
    for attempt in range(retries + 1):
        if attempt:
            stats.retries += 1
            logger.warning("epoch %d round %d: %s; resubmitting the round (attempt %d of %d)", epoch + 1, r + 1,
                           last_error, attempt + 1, retries + 1)
            if not data.healthy():
                data.build()
                data.scatter_static(hot)
        deadline = time.monotonic() + timeout
        finals = hot_parts = ()
        try:
            # a copy: the arrays are updated in place once the round's results are in (a cluster running in
            # this process would otherwise see them change under its tasks)
            payload = {name: arr.copy() for name, arr in weights.items()}
            weights_future = client.scatter([payload], broadcast=True, hash=False)[0]
            del payload
            finals, hot_parts = _submit_round(data, weights_future, info, r, epoch, hot, hot_syncs, attempt)
            return _average_into(weights, finals, hot_parts, stats, deadline, timeout, epoch, r)
        except _TIMEOUTS:
            client.cancel(list(finals) + list(hot_parts))
            raise
        except Exception as exc:
            if not _is_retryable(exc):
                raise
            client.cancel(list(finals) + list(hot_parts))
            last_error = "%s: %s" % (type(exc).__name__, exc)
    raise RuntimeError("epoch %d round %d failed %d times; last error: %s" % (epoch + 1, r + 1, retries + 1,
                                                                             last_error))


def _result(future, deadline, timeout, epoch, r):
    try:
        return future.result(timeout=max(deadline - time.monotonic(), 0.001))
    except _TIMEOUTS:
        raise TimeoutError("epoch %d round %d took more than timeout=%s s (is the cluster alive? see "
                           "client.dashboard_link)" % (epoch + 1, r + 1, timeout)) from None


def _average_into(weights, finals, hot_parts, stats, deadline, timeout, epoch, r):
    """Fetch the replicas' changes in replica order and set each changed row to the mean of their values.

    Sums are float32, added in replica order (deterministic); a row that one replica changed gets exactly its
    value. `weights` (dict of (n, d) float32) is modified in place; rows no replica changed are left alone.
    """
    sums = {name: np.zeros(arr.shape, dtype=np.float32) for name, arr in weights.items()}
    counts = {name: np.zeros(len(arr), dtype=np.float32) for name, arr in weights.items()}
    first = {name: True for name in weights}
    round_stats = {"effective": 0, "raw": 0, "sentences": 0, "loss": 0.0, "slowest": 0.0}
    try:
        _dask_wait(list(finals) + list(hot_parts), timeout=max(deadline - time.monotonic(), 0.001))
    except _TIMEOUTS:
        raise TimeoutError("epoch %d round %d took more than timeout=%s s (is the cluster alive? see "
                           "client.dashboard_link)" % (epoch + 1, r + 1, timeout)) from None
    results = finals[0].client.gather(list(finals))  # fetched concurrently, averaged in replica order
    for res in results:
        for k in ("effective", "raw", "sentences", "loss"):
            round_stats[k] += res["stats"][k]
        round_stats["slowest"] = max(round_stats["slowest"], res["stats"]["seconds"])
        up = 0
        for name, (kind, a, b) in res["changes"].items():
            up += int(a.nbytes + b.nbytes)
            total, count = sums[name], counts[name]
            if kind == "rows":
                if first[name]:
                    total[a] = b
                else:
                    total[a] += b
                count[a] += 1
            else:
                mask = np.unpackbits(a, count=len(count)).astype(bool)
                np.add(total, b, out=total, where=mask[:, None])
                count[mask] += 1
            first[name] = False
        stats.bytes_up += up
        stats.max_up_ratio = max(stats.max_up_ratio, up / max(stats.dense_bytes, 1))
    del results
    for part in hot_parts:  # the averaged hot rows travelled to every replica
        res = _result(part, deadline, timeout, epoch, r)
        stats.bytes_hot += sum(v[1].nbytes for v in res.values()) * 2 * len(finals)
    stats.bytes_down += stats.dense_bytes
    for name, arr in weights.items():
        count = counts[name]
        np.divide(sums[name], count[:, None], out=arr, where=(count > 0)[:, None])
    return round_stats


def _save_checkpoint(model, path, state):
    setattr(model, CHECKPOINT_ATTR, state)
    try:
        model.save(path)
    finally:
        delattr(model, CHECKPOINT_ATTR)
    logger.info("checkpoint after epoch %d/%d saved to %s", state["epoch"], state["epochs"], path)


def resume(checkpoint, corpus, client=None, *, callbacks=(), timeout=None, retries=None, **corpus_options):
    """Continue a :func:`train` call from its last checkpoint.

    The model is loaded from `checkpoint` and trained for the epochs that remain, with the settings the
    checkpoint records (epochs, learning rates, ``n_workers``, ``syncs_per_epoch``, hot rows, loss); the
    result equals the model the uninterrupted call ends with. Later epochs are checkpointed to the same file.

    Parameters
    ----------
    checkpoint : str or os.PathLike
        A file written by ``train(..., checkpoint=...)``.
    corpus : Corpus, str, os.PathLike or list
        The same corpus (same files, sizes and block size).
    client : distributed.Client, optional
    callbacks : sequence, optional
    timeout, retries : optional
        Default: the values the checkpoint records.
    **corpus_options
        :class:`Corpus` arguments when `corpus` is not a :class:`Corpus`.

    Returns
    -------
    model : cw2v.Word2Vec
    stats : TrainStats
        Of the whole training (words and epochs before the checkpoint included).

    Raises
    ------
    ValueError
        The file is not a cw2v.distributed checkpoint, or the corpus differs from the checkpoint's.
    """
    model = Word2Vec.load(checkpoint)
    state = getattr(model, CHECKPOINT_ATTR, None)
    if not isinstance(state, dict):
        raise ValueError("%r is not a cw2v.distributed checkpoint (no %s in the model)" % (os.fspath(checkpoint),
                                                                                         CHECKPOINT_ATTR))
    delattr(model, CHECKPOINT_ATTR)
    corpus = Corpus.of(corpus, **corpus_options)
    stats = train(model, corpus, client, epochs=state["epochs"], start_alpha=state["start_alpha"],
                  end_alpha=state["end_alpha"], n_workers=state["n_workers"], syncs_per_epoch=state["syncs_per_epoch"],
                  alpha_scale=state["alpha_scale"], hot_rows=state["hot_rows"], hot_syncs=state["hot_syncs"],
                  job_bytes=state["job_bytes"],
                  compute_loss=state["compute_loss"],
                  callbacks=callbacks, checkpoint=checkpoint,
                  timeout=state["timeout"] if timeout is None else timeout,
                  retries=state["retries"] if retries is None else retries, _state=state)
    return model, stats


def fit(corpus, client=None, *, n_workers=None, syncs_per_epoch="auto", alpha_scale="auto", hot_rows=0,
        hot_syncs=1, job_bytes=None, checkpoint=None, timeout=DEFAULT_TIMEOUT, retries=2, callbacks=(),
        corpus_options=None, **params):
    """Build the vocabulary and train a new model on the cluster: ``Word2Vec(corpus_file=...)``, distributed.

    Parameters
    ----------
    corpus : Corpus, str, os.PathLike or list
    client : distributed.Client, optional
    n_workers, syncs_per_epoch, alpha_scale, hot_rows, hot_syncs, job_bytes, checkpoint, timeout, retries, callbacks
        See :func:`train`.
    corpus_options : dict, optional
        :class:`Corpus` arguments (``blocksize``, ``storage_options``, ``max_sentence_length``).
    **params
        :class:`cw2v.Word2Vec` parameters (``vector_size``, ``sg``, ``negative``, ``epochs``, ``seed``...).

    Returns
    -------
    cw2v.Word2Vec
    """
    model = Word2Vec(**params)
    corpus = Corpus.of(corpus, **(corpus_options or {}))
    build_vocab(model, corpus, client, timeout=timeout)
    train(model, corpus, client, n_workers=n_workers, syncs_per_epoch=syncs_per_epoch, alpha_scale=alpha_scale,
          hot_rows=hot_rows,
          hot_syncs=hot_syncs, job_bytes=job_bytes, compute_loss=model.compute_loss,
          callbacks=callbacks or model.callbacks,
          checkpoint=checkpoint, timeout=timeout, retries=retries)
    return model
