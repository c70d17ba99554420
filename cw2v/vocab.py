"""Vocabulary: counting, pruning, subsampling, the negative-sampling table and the Huffman tree.

Everything here is pure Python/NumPy and runs once per ``build_vocab``; the kernels only read the
arrays it produces (:class:`VocabTables`).

References
----------
Mikolov et al. 2013b, "Distributed Representations of Words and Phrases and their Compositionality"
(arXiv:1310.4546): subsampling of frequent words, the unigram^0.75 noise distribution.
Morin & Bengio 2005: hierarchical softmax over a binary tree; word2vec.c uses a Huffman tree.
Caselles-Dupré et al. 2018 (arXiv:1804.04212): other values of ``ns_exponent``.
"""
from __future__ import annotations

import itertools
import logging
import math
import time
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from cw2v._corpus import count_sentences
from cw2v._typing import Sentence, TrimRule

logger = logging.getLogger(__name__)

#: Values a ``trim_rule(word, count, min_count)`` may return (same numbers as gensim.utils).
RULE_DEFAULT = 0
RULE_DISCARD = 1
RULE_KEEP = 2

#: Scale of :attr:`VocabTables.keep_threshold`: a word is kept when a uniform 32-bit draw is below it.
KEEP_SCALE = 2 ** 32


def keep_vocab_item(word: Hashable, count: int, min_count: int, trim_rule: TrimRule | None = None) -> bool:
    """Whether ``word`` (seen ``count`` times) survives pruning.

    Parameters
    ----------
    word : str
    count : int
    min_count : int
        Words seen fewer times are dropped, unless ``trim_rule`` says otherwise.
    trim_rule : callable or None
        ``trim_rule(word, count, min_count)`` returning :data:`RULE_KEEP`, :data:`RULE_DISCARD` or
        :data:`RULE_DEFAULT` (fall back to the ``min_count`` test), as in gensim.

    Returns
    -------
    bool
    """
    default_keep = count >= min_count
    if trim_rule is None:
        return default_keep
    rule = trim_rule(word, count, min_count)
    if rule == RULE_KEEP:
        return True
    if rule == RULE_DISCARD:
        return False
    return default_keep


def prune_vocab(counts: dict[Any, int], min_reduce: int, trim_rule: TrimRule | None = None) -> int:
    """Delete, in place, every entry of ``counts`` whose count is below ``min_reduce``.

    This is the ``max_vocab_size`` safeguard of word2vec.c (``ReduceVocab``), applied during the scan.

    Returns
    -------
    int
        The number of entries removed.
    """
    doomed = [w for w, c in counts.items() if not keep_vocab_item(w, c, min_reduce, trim_rule)]
    for w in doomed:
        del counts[w]
    return len(doomed)


def scan_vocab(corpus_iterable: Iterable[Sentence], max_vocab_size: int | None = None,
               trim_rule: TrimRule | None = None, progress_per: int = 10000) -> tuple[dict[Any, int], int, int]:
    """Count word occurrences in one streaming pass over ``corpus_iterable``.

    Parameters
    ----------
    corpus_iterable : iterable of list of hashable
        The corpus; iterated once and never held in memory. Tokens are usually ``str``; any hashable
        token (``int`` node ids of graph walks, ...) is counted, and sentences may be NumPy integer
        arrays (NumPy integers count as the equal ``int``).
    max_vocab_size : int or None
        When the number of distinct words exceeds it, words rarer than a rising threshold
        (1, 2, 3, ... on successive prunings) are deleted, bounding memory as word2vec.c does.
    trim_rule : callable or None
        Passed to :func:`keep_vocab_item` during pruning.
    progress_per : int
        Log progress about once a second, checked every this many sentences.

    Returns
    -------
    counts : dict of hashable -> int
        Insertion-ordered by first occurrence.
    total_words : int
        Raw number of tokens seen (before any pruning).
    corpus_count : int
        Number of sentences.

    Raises
    ------
    TypeError
        If a sentence is not iterable or a token is not hashable.

    Notes
    -----
    A sentence that is a plain string is read letter by letter, as gensim reads it; a warning says so
    (a common mistake: a list of strings instead of a list of token lists).
    """
    counts: dict[Any, int] = {}
    total_words = 0
    corpus_count = 0
    min_reduce = 1
    last_log = time.monotonic()
    # sentences are counted in C a chunk at a time; with max_vocab_size, one at a time so pruning happens
    # exactly where word2vec.c and gensim prune (after the sentence that overflowed the vocabulary)
    chunk_size = 1 if max_vocab_size else 256
    chunk = []
    end = object()
    warned = False
    for sentence in itertools.chain(corpus_iterable, [end]):
        if sentence is not end:
            chunk.append(sentence)
            if len(chunk) < chunk_size:
                continue
        if not chunk:
            break
        n_words, n_strings = count_sentences(chunk, counts)
        if n_strings and not warned:
            warned = True
            at, first = next((i, s) for i, s in enumerate(chunk) if isinstance(s, (str, bytes)))
            logger.warning("Each 'sentences' item should be a list of words (usually unicode strings). "
                           "Sentence %d is a plain %s, read as a sequence of characters: %r",
                           corpus_count + at, type(first).__name__, first[:50])
        total_words += n_words
        corpus_count += len(chunk)
        chunk = []
        if max_vocab_size and len(counts) > max_vocab_size:
            prune_vocab(counts, min_reduce, trim_rule)
            min_reduce += 1
        if corpus_count % progress_per < chunk_size:
            now = time.monotonic()
            if now - last_log >= 1.0:
                logger.info("scanning: %i sentences, %i words, %i word types", corpus_count, total_words, len(counts))
                last_log = now
    logger.info("collected %i word types from %i words in %i sentences", len(counts), total_words, corpus_count)
    return counts, total_words, corpus_count


def effective_min_count(counts: Mapping[Any, int], min_count: int, max_final_vocab: int | None = None) -> int:
    """The ``min_count`` actually applied, raised if needed so at most ``max_final_vocab`` words remain.

    Same rule as gensim: with the counts sorted in decreasing order, the threshold becomes
    ``count[max_final_vocab] + 1`` when that is larger than ``min_count``.
    """
    if max_final_vocab is None or max_final_vocab >= len(counts):
        return min_count
    ordered = np.sort(np.fromiter(counts.values(), dtype=np.int64, count=len(counts)))[::-1]
    return max(int(ordered[max_final_vocab]) + 1, min_count)


def sort_order(counts: npt.ArrayLike) -> np.ndarray:
    """Indices that sort ``counts`` by decreasing count, ties by decreasing original index (gensim's order).

    Parameters
    ----------
    counts : ndarray of shape (n,), dtype=int64

    Returns
    -------
    ndarray of shape (n,), dtype=intp
    """
    counts = np.asarray(counts, dtype=np.int64)
    return np.lexsort((-np.arange(len(counts)), -counts))


def keep_probabilities(counts: npt.ArrayLike, sample: float) -> np.ndarray:
    """Probability of keeping each occurrence of a word under subsampling (Mikolov et al. 2013b).

    word2vec.c and gensim keep a word of count ``c`` with probability
    ``min(1, (sqrt(c / t) + 1) * t / c)`` where ``t = sample * total`` (``total`` = retained tokens);
    ``sample >= 1`` is read as an absolute count as in gensim, and ``sample = 0`` disables subsampling.

    Parameters
    ----------
    counts : ndarray of shape (n,), dtype=int64
        Counts of the retained words.
    sample : float
        Fraction of corpus tokens above which a word is downsampled (0 disables).

    Returns
    -------
    ndarray of shape (n,), dtype=float64, values in (0, 1]
    """
    counts = np.asarray(counts, dtype=np.float64)
    if len(counts) == 0:
        return counts
    total = counts.sum()
    if not sample:
        threshold = total
    elif sample < 1.0:
        threshold = sample * total
    else:
        threshold = float(int(sample * (3 + math.sqrt(5)) / 2))
    with np.errstate(divide="ignore"):
        prob = (np.sqrt(counts / threshold) + 1.0) * (threshold / counts)
    return np.minimum(prob, 1.0)


def keep_thresholds(prob: npt.ArrayLike) -> np.ndarray:
    """Integer thresholds for the kernels: keep a word when a uniform 32-bit draw is below the value.

    Returns
    -------
    ndarray of shape (n,), dtype=uint64, values in [0, 2**32]; 2**32 means always keep.
    """
    return np.round(np.asarray(prob, dtype=np.float64) * KEEP_SCALE).astype(np.uint64)


def cum_table(counts: npt.ArrayLike, ns_exponent: float = 0.75, domain: int = 2 ** 31 - 1) -> np.ndarray:
    """gensim's cumulative noise table (kept as the ``Word2Vec.cum_table`` attribute for compatibility).

    Returns
    -------
    ndarray of shape (n,), dtype=uint32
        ``round(domain * cumsum(count**ns_exponent) / sum(count**ns_exponent))``.
    """
    weights = np.asarray(counts, dtype=np.float64) ** float(ns_exponent)
    if len(weights) == 0:
        return np.zeros(0, dtype=np.uint32)
    cum = np.cumsum(weights)
    return np.round(cum / cum[-1] * domain).astype(np.uint32)


def alias_table(weights: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Walker/Vose alias table for O(1) draws from a discrete distribution.

    A draw picks a slot ``i`` uniformly, then returns ``i`` if a uniform 32-bit number is below
    ``threshold[i]`` and ``alias[i]`` otherwise.

    Parameters
    ----------
    weights : ndarray of shape (n,)
        Non-negative, not all zero (e.g. ``count ** ns_exponent``).

    Returns
    -------
    threshold : ndarray of shape (n,), dtype=uint64, values in [0, 2**32]
    alias : ndarray of shape (n,), dtype=uint32

    Raises
    ------
    ValueError
        If the weights are empty, negative, not finite, or sum to zero.
    """
    w = np.asarray(weights, dtype=np.float64)
    n = len(w)
    if n == 0 or not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise ValueError("alias_table needs finite, non-negative weights with a positive sum")
    scaled = w * (n / w.sum())
    prob = np.ones(n, dtype=np.float64)
    alias = np.arange(n, dtype=np.uint32)
    small = [int(i) for i in np.flatnonzero(scaled < 1.0)]
    large = [int(i) for i in np.flatnonzero(scaled >= 1.0)]
    scaled = scaled.tolist()
    while small and large:
        s = small.pop()
        g = large[-1]
        prob[s] = scaled[s]
        alias[s] = g
        scaled[g] = (scaled[g] + scaled[s]) - 1.0
        if scaled[g] < 1.0:
            small.append(large.pop())
    # leftovers are 1 up to rounding error
    return keep_thresholds(prob), alias


def alias_distribution(threshold: np.ndarray, alias: npt.ArrayLike) -> np.ndarray:
    """The exact distribution an alias table draws from (for tests).

    Returns
    -------
    ndarray of shape (n,), dtype=float64, summing to 1.
    """
    n = len(threshold)
    p_self = np.asarray(threshold, dtype=np.float64) / KEEP_SCALE
    dist = p_self / n
    np.add.at(dist, np.asarray(alias, dtype=np.intp), (1.0 - p_self) / n)
    return dist


def huffman_tree(counts: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Huffman codes and paths for hierarchical softmax, built as word2vec.c does (two queues, O(n)).

    Parameters
    ----------
    counts : ndarray of shape (n,), dtype=int64
        Word counts in vocabulary order (any order is accepted).

    Returns
    -------
    codes : ndarray of shape (n, max_len), dtype=uint8
        ``codes[w, :code_lens[w]]`` is the 0/1 path from the root to word ``w``; the rest is padding.
    points : ndarray of shape (n, max_len), dtype=int32
        ``points[w, j]`` is the inner node (a row of ``syn1``, in ``[0, n - 2]``) whose output is trained
        towards ``1 - codes[w, j]``; ``points[w, 0] == n - 2`` is the root.
    code_lens : ndarray of shape (n,), dtype=int32
        Path lengths (the code length of each word; 0 only when ``n == 1``).
    """
    counts = np.asarray(counts, dtype=np.int64)
    n = len(counts)
    if n == 0:
        return np.zeros((0, 1), np.uint8), np.zeros((0, 1), np.int32), np.zeros(0, np.int32)
    if n == 1:
        return np.zeros((1, 1), np.uint8), np.zeros((1, 1), np.int32), np.zeros(1, np.int32)
    order = np.argsort(counts, kind="stable")  # leaves by increasing count
    leaf_counts = counts[order].tolist()
    # nodes: 0..n-1 leaves (in sorted order), n..2n-2 inner nodes in creation order
    node_count = leaf_counts + [0] * (n - 1)
    parent = np.zeros(2 * n - 1, dtype=np.int64)
    bit = np.zeros(2 * n - 1, dtype=np.uint8)
    leaf_pos, inner_pos = 0, n
    for new in range(n, 2 * n - 1):
        picked = []
        for _ in range(2):
            if leaf_pos < n and (inner_pos >= new or node_count[leaf_pos] <= node_count[inner_pos]):
                picked.append(leaf_pos)
                leaf_pos += 1
            else:
                picked.append(inner_pos)
                inner_pos += 1
        node_count[new] = node_count[picked[0]] + node_count[picked[1]]
        parent[picked[0]] = new
        parent[picked[1]] = new
        bit[picked[1]] = 1
    root = 2 * n - 2
    # walk all leaves up at once; depth of each leaf first
    cur = np.arange(n, dtype=np.int64)
    depth = np.zeros(n, dtype=np.int32)
    active = cur != root
    path_bits, path_nodes = [], []
    while active.any():
        path_bits.append(np.where(active, bit[cur], 0))
        nxt = np.where(active, parent[cur], root)
        path_nodes.append(np.where(active, nxt - n, 0))
        depth += active
        cur = nxt
        active = cur != root
    max_len = max(len(path_bits), 1)
    bits = np.array(path_bits, dtype=np.uint8).T  # (n, max_len), leaf-to-root
    nodes = np.array(path_nodes, dtype=np.int64).T
    codes_sorted = np.zeros((n, max_len), np.uint8)
    points_sorted = np.zeros((n, max_len), np.int32)
    for length in np.unique(depth):
        rows = np.flatnonzero(depth == length)
        # reverse to root-to-leaf order; inner nodes renumbered so the root is n - 2 (word2vec.c's numbering)
        codes_sorted[rows, :length] = bits[rows, :length][:, ::-1]
        points_sorted[rows, :length] = nodes[rows, :length][:, ::-1]
    codes = np.empty_like(codes_sorted)
    points = np.empty_like(points_sorted)
    code_lens = np.empty(n, np.int32)
    codes[order] = codes_sorted
    points[order] = points_sorted
    code_lens[order] = depth
    return codes, points, code_lens


@dataclass
class VocabTables:
    """Arrays the kernels read, derived from the final vocabulary.

    Attributes
    ----------
    keep_threshold : ndarray (n,), uint64
        Subsampling thresholds (:func:`keep_thresholds`).
    alias_threshold, alias_index : ndarray (n,), uint64 and uint32
        Alias table of the ``count ** ns_exponent`` noise distribution (empty if ``negative == 0``).
    codes, points, code_lens : see :func:`huffman_tree` (empty if ``hs == 0``).
    """
    keep_threshold: np.ndarray
    alias_threshold: np.ndarray
    alias_index: np.ndarray
    codes: np.ndarray
    points: np.ndarray
    code_lens: np.ndarray


def build_tables(counts: npt.ArrayLike, sample: float, ns_exponent: float, negative: int, hs: int,
                 keep_prob: npt.ArrayLike | None = None) -> VocabTables:
    """Compute every :class:`VocabTables` array from the final counts (vocabulary order).

    ``keep_prob`` (shape (n,), float64) gives the subsampling keep-probabilities instead of
    :func:`keep_probabilities` of ``counts`` (after a vocabulary update they come from the new corpus).
    """
    counts = np.asarray(counts, dtype=np.int64)
    keep = keep_thresholds(keep_probabilities(counts, sample) if keep_prob is None else keep_prob)
    if negative and len(counts):
        a_thr, a_idx = alias_table(counts.astype(np.float64) ** float(ns_exponent))
    else:
        a_thr, a_idx = np.zeros(0, np.uint64), np.zeros(0, np.uint32)
    if hs:
        codes, points, code_lens = huffman_tree(counts)
    else:
        codes, points, code_lens = np.zeros((0, 1), np.uint8), np.zeros((0, 1), np.int32), np.zeros(0, np.int32)
    return VocabTables(keep, a_thr, a_idx, codes, points, code_lens)
