"""Using a trained model as a language model: predicting a center word, scoring held-out sentences.

Pure NumPy over the trained weights (read only). Windows are the full ``window`` on each side, without
subsampling or window shrinking, so scores are deterministic.

References
----------
Taddy 2015, "Document Classification by Inversion of Distributed Language Representations"
(arXiv:1504.07295): sentence likelihoods under hierarchical softmax, as gensim's ``score``.
"""
from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np
import numpy.typing as npt


def _log_sigmoid(x):
    """log(sigmoid(x)) computed stably, float64."""
    x = np.asarray(x, dtype=np.float64)
    return -np.logaddexp(0.0, -x)


def predict_output_word(wv_vectors: np.ndarray, syn1neg: np.ndarray, key_to_index: Mapping[Hashable, int],
                        index_to_key: Sequence[Hashable], context_words: Sequence[Hashable], topn: int = 10,
                        cbow_mean: bool = True) -> list[tuple[Hashable, float]] | None:
    """Probability distribution of the center word given context words (negative-sampling weights).

    Parameters
    ----------
    wv_vectors, syn1neg : ndarray of shape (n, d), float32
    key_to_index : dict, index_to_key : list
    context_words : list of str or int
        Words (or indices) around the missing word; unknown words are ignored.
    topn : int
    cbow_mean : bool
        Average (True) or sum (False) the context vectors, as the model was trained.

    Returns
    -------
    list of (str, float) or None
        The ``topn`` most probable words with their softmax probabilities over the whole vocabulary
        (``exp(h . syn1neg[w]) / sum``), or None if no context word is known.
    """
    ids = []
    for w in context_words:
        if isinstance(w, (int, np.integer)) and 0 <= int(w) < len(index_to_key):
            ids.append(int(w))
        elif w in key_to_index:
            ids.append(key_to_index[w])
    if not ids:
        return None
    hidden = wv_vectors[ids].sum(axis=0, dtype=np.float64)
    if cbow_mean:
        hidden /= len(ids)
    scores = syn1neg.astype(np.float64, copy=False) @ hidden
    scores -= scores.max()
    probs = np.exp(scores)
    probs /= probs.sum()
    k = min(int(topn), len(probs))
    top = np.argpartition(-probs, k - 1)[:k] if k < len(probs) else np.arange(len(probs))
    top = top[np.argsort(-probs[top], kind="stable")]
    return [(index_to_key[i], float(probs[i])) for i in top]


def _contexts(n, window):
    """(center, context) position pairs of a sentence of length n with a full window."""
    pairs = [(i, j) for i in range(n) for j in range(max(0, i - window), min(n, i + window + 1)) if j != i]
    if not pairs:
        return np.zeros(0, np.intp), np.zeros(0, np.intp)
    centers, contexts = zip(*pairs)
    return np.asarray(centers, np.intp), np.asarray(contexts, np.intp)


def _predictions(ids, wv_vectors, window, sg, cbow_mean):
    """Hidden vectors (float64) and the word each predicts, for every prediction of a sentence.

    Skip-gram: one per (word, context word) pair, the context word's vector predicting the word; CBOW: one
    per word, the mean (or sum) of its context vectors predicting it. Empty for fewer than two words.
    """
    ids = np.asarray(ids, dtype=np.intp)
    n = len(ids)
    if n < 2:
        return np.zeros((0, wv_vectors.shape[1])), np.zeros(0, np.intp)
    centers, contexts = _contexts(n, window)
    if sg:
        return wv_vectors[ids[contexts]].astype(np.float64), ids[centers]
    hidden = np.zeros((n, wv_vectors.shape[1]), dtype=np.float64)
    np.add.at(hidden, centers, wv_vectors[ids[contexts]])
    if cbow_mean:
        hidden /= np.bincount(centers, minlength=n)[:, None]
    return hidden, ids


def score_sentence_hs(ids: npt.ArrayLike, wv_vectors: np.ndarray, syn1: np.ndarray, codes: np.ndarray,
                      points: np.ndarray, code_lens: np.ndarray, window: int, sg: bool, cbow_mean: bool) -> float:
    """Log-likelihood of a sentence under hierarchical softmax (gensim's ``score`` semantics).

    Skip-gram: sum over (word, context) pairs of ``log p(word | context)``; CBOW: sum over words of
    ``log p(word | mean or sum of its context)``; each ``log p`` walks the word's Huffman path.
    """
    hidden, targets = _predictions(ids, wv_vectors, window, sg, cbow_mean)
    total = 0.0
    for h, t in zip(hidden, targets):
        length = code_lens[t]
        nodes = syn1[points[t, :length]].astype(np.float64)
        signs = 1.0 - 2.0 * codes[t, :length]  # code 0 -> predict 1, code 1 -> predict 0
        total += float(_log_sigmoid(signs * (nodes @ h)).sum())
    return total


def score_sentence_ns(ids: npt.ArrayLike, wv_vectors: np.ndarray, syn1neg: np.ndarray, noise: np.ndarray,
                      window: int, sg: bool, cbow_mean: bool) -> float:
    """Negative-sampling log-likelihood of a sentence with fixed noise words.

    For each prediction (as in :func:`score_sentence_hs`): ``log sigmoid(h . v_word) +
    sum_k log sigmoid(-h . v_noise_k)``, with the same ``noise`` words (indices) for every prediction,
    so the score of a held-out set can be compared from epoch to epoch.
    """
    hidden, targets = _predictions(ids, wv_vectors, window, sg, cbow_mean)
    if len(targets) == 0:
        return 0.0
    positive = np.einsum("ij,ij->i", hidden, syn1neg[targets].astype(np.float64))
    negative = hidden @ syn1neg[noise].astype(np.float64).T
    return float(_log_sigmoid(positive).sum() + _log_sigmoid(-negative).sum())
