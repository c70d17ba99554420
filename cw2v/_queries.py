"""Similarity queries of :class:`cw2v.KeyedVectors`: the bodies of its query methods.

Private module. Each public function here is the body of the :class:`~cw2v.keyedvectors.KeyedVectors`
method of the same name, which documents it (parameters, shapes, dtypes, errors) and calls it in one
line; the first argument, `kv`, is that KeyedVectors. The functions compute the same float operations in
the same order as gensim 4.4.0's, so scores are bit-for-bit equal and rankings identical (ties included):
one matrix-vector product per :func:`most_similar` query, through BLAS.

What a query needs of its KeyedVectors it asks through the object's own methods (``kv.fill_norms()``,
``kv.get_vector``, ``kv.get_mean_vector``, ``kv.most_similar``...), never by calling a function of this
module in their place, so that a subclass overriding one of those methods sees every query go through its
override, as with gensim's class.

This module imports no other cw2v module (:mod:`cw2v.keyedvectors` imports it); log messages go to the
``cw2v.keyedvectors`` logger, where they always went.
"""
from __future__ import annotations

import logging
from numbers import Integral

import numpy as np
from scipy.linalg.blas import dnrm2 as _dnrm2

logger = logging.getLogger("cw2v.keyedvectors")

#: Types that are a key, not a sequence of keys or a vector (one key given where a list is expected).
KEY_TYPES = (str, int, np.integer)
#: Types of one item of a query: a key or a vector.
KEY_OR_VECTOR_TYPES = (str, int, np.integer, np.ndarray)


class EmptyInputError(ValueError, ZeroDivisionError):
    """Empty input where at least one key is needed (gensim raises ZeroDivisionError in that case)."""


# ------------------------------------------------------------------------------------------ helpers


def as_list(value):
    """Accept None, one key, one vector, a 2-D array of vectors, or a sequence; return a list."""
    if value is None:
        return []
    if isinstance(value, KEY_TYPES):
        return [value]
    if isinstance(value, np.ndarray):
        if value.ndim == 1:
            return [value]
        if value.ndim == 2:
            return list(value)
    return list(value)


def unit(vec):
    """Scale a 1-D vector to unit L2 length the way gensim's ``matutils.unitvec`` does.

    The length comes from BLAS ``dnrm2`` and the scaling is done in float64, then cast back to the input
    dtype; a zero (or empty) vector is returned unchanged.

    Parameters
    ----------
    vec : ndarray of shape (d,)

    Returns
    -------
    ndarray of shape (d,)
        Same dtype as `vec` (float64 scaling cast back; integer input gives float64).
    """
    if vec.size == 0:
        return vec
    length = _dnrm2(vec)
    if length > 0.0:
        if np.issubdtype(vec.dtype, np.integer):
            vec = vec.astype(float)
        return (vec.astype(np.float64) * (1.0 / length)).astype(vec.dtype)
    return vec


def top_indices(scores, k):
    """Indices of the `k` largest `scores`, largest first (partial sort, same tie order as gensim).

    Parameters
    ----------
    scores : ndarray of shape (n,)
    k : int

    Returns
    -------
    ndarray of intp, shape (min(k, n),)
    """
    neg = -scores
    if k >= neg.size:
        return np.argsort(neg)[:k]
    part = np.argpartition(neg, k)[:k]
    return part[np.argsort(neg[part])]


def _parse_query(positive, negative):
    """Keys/vectors and weights of a most_similar query (+1 for positive, -1 for negative by default)."""
    positive = as_list(positive)
    negative = as_list(negative)
    weights = np.concatenate((np.ones(len(positive)), -1.0 * np.ones(len(negative))))
    items = []
    for i, item in enumerate(positive + negative):
        if isinstance(item, KEY_OR_VECTOR_TYPES):
            items.append(item)
        else:
            items.append(item[0])
            weights[i] = item[1]
    return items, weights


# ------------------------------------------------------------------------------------------ queries


def get_mean_vector(kv, keys, weights=None, pre_normalize=True, post_normalize=False, ignore_missing=True):
    """See :meth:`cw2v.KeyedVectors.get_mean_vector`."""
    if len(keys) == 0:
        raise ValueError("cannot compute mean with no input")
    if isinstance(weights, list):
        weights = np.array(weights, dtype=kv.vectors.dtype)
    if weights is None:
        weights = np.ones(len(keys), dtype=kv.vectors.dtype)
    if len(keys) != weights.shape[0]:
        raise ValueError(f"{len(keys)} keys but {weights.shape[0]} weights")
    mean = np.zeros(kv.vector_size, kv.vectors.dtype)
    total = 0
    for key, weight in zip(keys, weights):
        if isinstance(key, np.ndarray):
            vec = key
        elif key in kv:
            vec = kv.get_vector(key, norm=pre_normalize)
        elif not ignore_missing:
            raise KeyError(f"Key '{key}' not present in vocabulary")
        else:
            continue
        mean += weight * vec
        total += abs(weight)
    if total > 0:
        mean = mean / total
    if post_normalize:
        mean = unit(mean).astype(np.float32)
    return mean


def most_similar(kv, positive=None, negative=None, topn=10, clip_start=0, clip_end=None, restrict_vocab=None,
                 indexer=None):
    """See :meth:`cw2v.KeyedVectors.most_similar`."""
    if isinstance(topn, Integral) and topn < 1:
        return []
    items, weights = _parse_query(positive, negative)
    kv.fill_norms()
    clip_end = clip_end or len(kv.vectors)
    if restrict_vocab:
        clip_start, clip_end = 0, restrict_vocab
    mean = kv.get_mean_vector(items, weights, pre_normalize=True, post_normalize=True, ignore_missing=False)
    exclude = [kv.get_index(k) for k in items if isinstance(k, KEY_TYPES) and kv.has_index_for(k)]
    if indexer is not None and isinstance(topn, int):
        return indexer.most_similar(mean, topn)
    scores = np.dot(kv.vectors[clip_start:clip_end], mean) / kv.norms[clip_start:clip_end]
    if not topn:
        return scores
    excluded = set(exclude)
    result = [
        (kv.index_to_key[i + clip_start], float(scores[i]))
        for i in top_indices(scores, topn + len(exclude))
        if i + clip_start not in excluded
    ]
    return result[:topn]


def similar_by_key(kv, key, topn=10, restrict_vocab=None):
    """See :meth:`cw2v.KeyedVectors.similar_by_key`."""
    return kv.most_similar(positive=[key], topn=topn, restrict_vocab=restrict_vocab)


def similar_by_word(kv, word, topn=10, restrict_vocab=None):
    """See :meth:`cw2v.KeyedVectors.similar_by_word`."""
    return kv.similar_by_key(word, topn, restrict_vocab)


def similar_by_vector(kv, vector, topn=10, restrict_vocab=None):
    """See :meth:`cw2v.KeyedVectors.similar_by_vector`."""
    return kv.most_similar(positive=[vector], topn=topn, restrict_vocab=restrict_vocab)


def most_similar_cosmul(kv, positive=None, negative=None, topn=10, restrict_vocab=None):
    """See :meth:`cw2v.KeyedVectors.most_similar_cosmul`."""
    if isinstance(topn, Integral) and topn < 1:
        return []
    positive = as_list(positive)
    negative = as_list(negative)
    kv.fill_norms()
    exclude = {
        kv.get_index(k) for k in positive + negative
        if not isinstance(k, np.ndarray) and k in kv.key_to_index
    }
    if not positive:
        raise ValueError("cannot compute similarity with no input")

    def shifted(term):
        vec = kv.get_vector(term, norm=True) if isinstance(term, KEY_TYPES) else term
        return (1 + np.dot(kv.vectors, vec) / kv.norms) / 2

    numerator = np.prod([shifted(term) for term in positive], axis=0)
    denominator = np.prod([shifted(term) for term in negative], axis=0)
    scores = numerator / (denominator + 0.000001)
    if not topn:
        return scores
    result = [
        (kv.index_to_key[i], float(scores[i]))
        for i in top_indices(scores, topn + len(exclude)) if i not in exclude
    ]
    return result[:topn]


def rank_by_centrality(kv, words, use_norm=True):
    """See :meth:`cw2v.KeyedVectors.rank_by_centrality`."""
    kv.fill_norms()
    used = [word for word in words if word in kv]
    if len(used) != len(words):
        logger.warning("keys %s are not in the vocabulary and are ignored", set(words) - set(used))
    if not used:
        raise ValueError("cannot select a word from an empty list")
    vectors = np.vstack([kv.get_vector(word, norm=use_norm) for word in used]).astype(np.float32)
    mean = kv.get_mean_vector(vectors, post_normalize=True)
    return sorted(zip(np.dot(vectors, mean), used), reverse=True)


def doesnt_match(kv, words):
    """See :meth:`cw2v.KeyedVectors.doesnt_match`."""
    return kv.rank_by_centrality(words)[-1][1]


def cosine_similarities(vector_1, vectors_all):
    """See :meth:`cw2v.KeyedVectors.cosine_similarities`."""
    norm = np.linalg.norm(vector_1)
    all_norms = np.linalg.norm(vectors_all, axis=1)
    return np.dot(vectors_all, vector_1) / (norm * all_norms)


def distances(kv, word_or_vector, other_words=()):
    """See :meth:`cw2v.KeyedVectors.distances`."""
    if isinstance(word_or_vector, KEY_TYPES):
        vector = kv.get_vector(word_or_vector)
    else:
        vector = word_or_vector
    if other_words is None or len(other_words) == 0:
        others = kv.vectors
    else:
        others = kv.vectors[[kv.get_index(word) for word in other_words]]
    return 1 - kv.cosine_similarities(vector, others)


def distance(kv, w1, w2):
    """See :meth:`cw2v.KeyedVectors.distance`."""
    return 1 - kv.similarity(w1, w2)


def similarity(kv, w1, w2):
    """See :meth:`cw2v.KeyedVectors.similarity`."""
    return np.dot(unit(kv[w1]), unit(kv[w2]))


def n_similarity(kv, ws1, ws2):
    """See :meth:`cw2v.KeyedVectors.n_similarity`."""
    if not (len(ws1) and len(ws2)):
        raise EmptyInputError("At least one of the passed list is empty.")
    mean1 = kv.get_mean_vector(ws1, pre_normalize=False)
    mean2 = kv.get_mean_vector(ws2, pre_normalize=False)
    return np.dot(unit(mean1), unit(mean2))


def most_similar_to_given(kv, key1, keys_list):
    """See :meth:`cw2v.KeyedVectors.most_similar_to_given`."""
    return keys_list[int(np.argmax([kv.similarity(key1, key) for key in keys_list]))]


def closer_than(kv, key1, key2):
    """See :meth:`cw2v.KeyedVectors.closer_than`."""
    dists = kv.distances(key1)
    own = kv.get_index(key1)
    limit = dists[kv.get_index(key2)]
    return [kv.index_to_key[i] for i in np.flatnonzero(dists < limit) if i != own]


def rank(kv, key1, key2):
    """See :meth:`cw2v.KeyedVectors.rank`."""
    return len(kv.closer_than(key1, key2)) + 1


def relative_cosine_similarity(kv, wa, wb, topn=10):
    """See :meth:`cw2v.KeyedVectors.relative_cosine_similarity`."""
    sims = kv.similar_by_word(wa, topn)
    if not sims:
        raise ValueError("Cannot calculate relative cosine similarity without any similar words.")
    return float(kv.similarity(wa, wb)) / sum(sim for _, sim in sims)
