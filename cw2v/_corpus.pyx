# cython: language_level=3
"""Turning sentences into word indices at C speed (the only per-token work done under the GIL).

:func:`encode_sentences` maps a list of token lists to one int32 array of in-vocabulary word indices
plus sentence end offsets, with one C-level dict look-up per token (``PyDict_GetItem`` reuses the hash
cached in each ``str``). Out-of-vocabulary tokens are dropped, as in word2vec.c and gensim.
"""
from cpython.dict cimport PyDict_GetItem
from cpython.list cimport PyList_GET_SIZE, PyList_GET_ITEM
from cpython.object cimport PyObject
from cpython.unicode cimport PyUnicode_Check
from libc.stdint cimport int32_t, int64_t

import numpy as np


def encode_sentences(list sentences not None, dict key_to_index not None):
    """Map sentences to word indices.

    Parameters
    ----------
    sentences : list of list of str
        Token lists (tuples are accepted too).
    key_to_index : dict of str -> int
        The vocabulary (``wv.key_to_index``).

    Returns
    -------
    ids : ndarray of shape (n_in_vocab_tokens,), dtype=int32
    ends : ndarray of shape (len(sentences),), dtype=int64
        Exclusive end offset of each sentence in ``ids``.
    raw_words : int
        Number of tokens read, in the vocabulary or not.

    Raises
    ------
    TypeError
        If a sentence is a string (it would be read letter by letter) or a token is not a ``str``.
    """
    cdef Py_ssize_t i, j, n_sent = len(sentences), total = 0, n, k = 0
    cdef object sent
    cdef PyObject *tok
    cdef PyObject *val
    seqs = []
    for i in range(n_sent):
        sent = sentences[i]
        if isinstance(sent, (str, bytes)):
            raise TypeError("each sentence must be a list of str tokens, got a %s" % type(sent).__name__)
        if not isinstance(sent, list):
            sent = list(sent)
        seqs.append(sent)
        total += PyList_GET_SIZE(sent)
    ids = np.empty(total, dtype=np.int32)
    ends = np.empty(n_sent, dtype=np.int64)
    cdef int32_t[::1] ids_v = ids
    cdef int64_t[::1] ends_v = ends
    cdef list s
    for i in range(n_sent):
        s = <list>seqs[i]
        n = PyList_GET_SIZE(s)
        for j in range(n):
            tok = PyList_GET_ITEM(s, j)
            if not PyUnicode_Check(<object>tok):
                raise TypeError("tokens must be str, got %r of type %s" % (<object>tok, type(<object>tok).__name__))
            val = PyDict_GetItem(key_to_index, <object>tok)
            if val != NULL:
                ids_v[k] = <int32_t><object>val
                k += 1
        ends_v[i] = k
    return ids[:k], ends, total
