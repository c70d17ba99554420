"""Word Mover's Distance between two documents (Kusner et al. 2015), solved by POT's exact EMD.

Private module behind :meth:`cw2v.KeyedVectors.wmdistance`; POT (``pip install POT``) is imported only when
a distance is computed, so cw2v itself does not depend on it.

The problem: each document is a normalized bag of words (the weight of a distinct word is its number of
occurrences divided by the document length), and moving weight from word ``i`` of the first document to
word ``j`` of the second costs the Euclidean distance between their vectors. The distance is the cost of the
cheapest transport plan (Earth Mover's Distance), ``ot.emd2(a, b, M)``.

Only the block of the cost matrix between the words of document 1 (rows) and those of document 2 (columns)
can ever carry weight, so the problem is posed on that block directly (gensim poses it on the square matrix
of the union of both vocabularies, zeros elsewhere: the optimum is the same).
"""
from __future__ import annotations

import logging

import numpy as np

logger = logging.getLogger("cw2v.keyedvectors")

_POT_MISSING = (
    "KeyedVectors.wmdistance needs POT, the Python Optimal Transport library: pip install POT "
    "(or pip install 'cw2v[wmd]')"
)


def _import_emd2():
    try:
        from ot import emd2
    except ImportError as err:
        raise ImportError(_POT_MISSING) from err
    return emd2


def _known_tokens(kv, document, which):
    if isinstance(document, (str, bytes)):
        raise TypeError(
            f"document{which} must be a sequence of tokens (e.g. 'a b'.split()), not a {type(document).__name__}"
        )
    try:
        tokens = list(document)
    except TypeError:
        raise TypeError(f"document{which} must be an iterable of tokens, got {type(document).__name__}") from None
    known = [token for token in tokens if token in kv]
    return known, len(tokens) - len(known)


def _bag(tokens):
    """Distinct tokens in first-occurrence order and their normalized frequencies (float64, sum 1)."""
    counts = {}
    for token in tokens:
        counts[token] = counts.get(token, 0) + 1
    weights = np.fromiter(counts.values(), dtype=np.float64, count=len(counts)) / len(tokens)
    return list(counts), weights


def _rows(kv, words, norm):
    rows = np.array([kv.get_index(word) for word in words], dtype=np.intp)
    vectors = np.asarray(kv.vectors[rows], dtype=np.float64)
    if norm:
        kv.fill_norms()
        norms = np.asarray(kv.norms[rows], dtype=np.float64)
        zero = [words[i] for i in np.flatnonzero(~(norms > 0))]
        if zero:
            raise ValueError(
                f"cannot normalize the zero (or NaN) vectors of {zero[:5]!r}{' ...' if len(zero) > 5 else ''}; "
                "drop those tokens or pass norm=False"
            )
        # Same values as get_vector(word, norm=True): the division happens in the vectors' own dtype.
        vectors = np.asarray(kv.vectors[rows] / kv.norms[rows][:, None], dtype=np.float64)
    return vectors


def wmdistance(kv, document1, document2, norm=True):
    """See :meth:`cw2v.KeyedVectors.wmdistance`."""
    emd2 = _import_emd2()
    doc1, dropped1 = _known_tokens(kv, document1, 1)
    doc2, dropped2 = _known_tokens(kv, document2, 2)
    if dropped1 or dropped2:
        logger.info("Removed %d and %d OOV words from document 1 and 2 (respectively).", dropped1, dropped2)
    if not doc1 or not doc2:
        logger.warning("At least one of the documents had no words that were in the vocabulary.")
        return float("inf")
    words1, weights1 = _bag(doc1)
    words2, weights2 = _bag(doc2)
    if len(words1) == 1 and words1 == words2:
        return 0.0  # the same single word on both sides: nothing moves
    from scipy.spatial.distance import cdist

    cost = cdist(_rows(kv, words1, norm), _rows(kv, words2, norm))
    return float(emd2(weights1, weights2, cost))
