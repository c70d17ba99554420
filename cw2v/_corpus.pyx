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
from libc.stdint cimport int32_t, int64_t, uint64_t

import numpy as np


cdef list _token_list(object sent):
    """A sentence as a list of tokens; a string is refused (it would be read letter by letter)."""
    if isinstance(sent, (str, bytes)):
        raise TypeError("each sentence must be a list of str tokens, got a %s; wrap a file in cw2v.LineSentence"
                        % type(sent).__name__)
    return sent if type(sent) is list else list(sent)


cdef int _check_token(PyObject *tok) except -1:
    if not PyUnicode_Check(<object>tok):
        raise TypeError("tokens must be str, got %r of type %s" % (<object>tok, type(<object>tok).__name__))
    return 0


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
        sent = _token_list(sentences[i])
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
            _check_token(tok)
            val = PyDict_GetItem(key_to_index, <object>tok)
            if val != NULL:
                ids_v[k] = <int32_t><object>val
                k += 1
        ends_v[i] = k
    return ids[:k], ends, total


# ------------------------------------------------------------------------------------------------
# corpus_file mode: tokenizing and looking up in C, without the GIL

cdef extern from "cw2v_text.h" nogil:
    ctypedef struct cw2v_entry:
        int64_t offset
        int32_t len
        int64_t value
        int64_t aux
        uint64_t hash
    ctypedef struct cw2v_strtab:
        char *arena
        cw2v_entry *entries
        int64_t n_entries
    ctypedef struct cw2v_tokenizer:
        const unsigned char *buf
        size_t len
        size_t pos
        int64_t max_sentence_length
        int64_t in_sentence
    int cw2v_strtab_init(cw2v_strtab *t)
    void cw2v_strtab_free(cw2v_strtab *t)
    int64_t cw2v_strtab_find(const cw2v_strtab *t, const char *s, size_t n)
    int64_t cw2v_strtab_intern(cw2v_strtab *t, const char *s, size_t n)
    int cw2v_strtab_prune(cw2v_strtab *t, int64_t min_value)
    int cw2v_next_token(cw2v_tokenizer *tk, size_t *start, size_t *n, int *new_sentence)



cdef class StringTable:
    """A byte-string -> int64 hash table in C (insertion-ordered).

    Built from a vocabulary with :meth:`from_keys` (value = word index) for training in corpus_file
    mode, or filled with counts by :class:`FileCounter`.
    """
    cdef cw2v_strtab t

    def __cinit__(self):
        if cw2v_strtab_init(&self.t) != 0:
            raise MemoryError("cannot allocate a string table")

    def __dealloc__(self):
        cw2v_strtab_free(&self.t)

    def __len__(self):
        return self.t.n_entries

    @staticmethod
    def from_keys(keys):
        """Table mapping each key's UTF-8 bytes to its position in ``keys``."""
        cdef StringTable table = StringTable()
        cdef bytes b
        cdef int64_t e, i = 0
        for key in keys:
            b = key.encode("utf8")
            e = cw2v_strtab_intern(&table.t, b, len(b))
            if e < 0:
                raise MemoryError("cannot grow the string table")
            table.t.entries[e].value = i
            i += 1
        return table

    def get(self, key, default=None):
        """Value stored for ``key`` (str or bytes), or ``default``."""
        cdef bytes b = key.encode("utf8") if isinstance(key, str) else bytes(key)
        cdef int64_t e = cw2v_strtab_find(&self.t, b, len(b))
        return default if e < 0 else self.t.entries[e].value


def encode_block(StringTable table not None, const unsigned char[::1] data, int64_t max_sentence_length):
    """Tokenize a block of complete lines and map tokens to word indices, with the GIL released.

    Parameters
    ----------
    table : StringTable
        Vocabulary (from :meth:`StringTable.from_keys`).
    data : bytes-like
        UTF-8 text made of whole lines (see ``src_c/cw2v_text.h`` for the exact rules, which match
        ``str.split()`` on each line as :class:`cw2v.LineSentence` does).
    max_sentence_length : int
        Longer lines are split into sentences of at most this many tokens.

    Returns
    -------
    ids : ndarray (n,), int32
        In-vocabulary word indices.
    ends : ndarray (n_sentences,), int64
        Exclusive sentence ends in ``ids``.
    raw_words : int
        Tokens read, in the vocabulary or not.
    """
    cdef size_t n = data.shape[0]
    cdef cw2v_tokenizer tk
    cdef size_t start, length
    cdef int new_sentence
    cdef int64_t e, k = 0, s = 0, raw = 0
    if max_sentence_length < 1:
        raise ValueError("max_sentence_length must be >= 1")
    # a token takes at least 2 bytes with its separator, except possibly the last
    ids = np.empty(n // 2 + 1, dtype=np.int32)
    ends = np.empty(n // 2 + 1, dtype=np.int64)
    if n == 0:
        return ids[:0], ends[:0], 0
    cdef int32_t[::1] ids_v = ids
    cdef int64_t[::1] ends_v = ends
    tk.buf = &data[0]
    tk.len = n
    tk.pos = 0
    tk.max_sentence_length = max_sentence_length
    tk.in_sentence = 0
    with nogil:
        while cw2v_next_token(&tk, &start, &length, &new_sentence):
            if new_sentence and raw > 0:
                ends_v[s] = k
                s += 1
            raw += 1
            e = cw2v_strtab_find(&table.t, <const char *>&data[start], length)
            if e >= 0:
                ids_v[k] = <int32_t>table.t.entries[e].value
                k += 1
        if raw > 0:
            ends_v[s] = k
            s += 1
    return ids[:k], ends[:s], raw


cdef class FileCounter:
    """Counts words of a text file fed block by block (C hash table, GIL released).

    Parameters
    ----------
    max_vocab_size : int or None
        Prune words below a rising count threshold whenever more distinct words are held (as
        :func:`cw2v.vocab.scan_vocab`).
    max_sentence_length : int
        As in :class:`cw2v.LineSentence` (sentences are counted after splitting).
    """
    cdef StringTable table
    cdef readonly int64_t total_words
    cdef readonly int64_t corpus_count
    cdef int64_t min_reduce
    cdef int64_t max_vocab_size
    cdef int64_t max_sentence_length
    cdef int64_t blocks_fed

    def __init__(self, max_vocab_size=None, int64_t max_sentence_length=10000):
        if max_sentence_length < 1:
            raise ValueError("max_sentence_length must be >= 1")
        self.table = StringTable()
        self.total_words = 0
        self.corpus_count = 0
        self.min_reduce = 1
        self.max_vocab_size = max_vocab_size if max_vocab_size else 0
        self.max_sentence_length = max_sentence_length
        self.blocks_fed = 0

    def merge(self, FileCounter other not None):
        """Add ``other``'s counts into this counter (first occurrences: the earlier of the two)."""
        cdef cw2v_strtab *a = &self.table.t
        cdef cw2v_strtab *b = &other.table.t
        cdef int64_t i, e
        cdef int failed = 0
        with nogil:
            for i in range(b.n_entries):
                e = cw2v_strtab_intern(a, b.arena + b.entries[i].offset, b.entries[i].len)
                if e < 0:
                    failed = 1
                    break
                a.entries[e].value += b.entries[i].value
                if a.entries[e].aux < 0 or b.entries[i].aux < a.entries[e].aux:
                    a.entries[e].aux = b.entries[i].aux
        if failed:
            raise MemoryError("out of memory while merging word counts")
        self.total_words += other.total_words
        self.corpus_count += other.corpus_count
        self.blocks_fed = max(self.blocks_fed, other.blocks_fed)

    def feed(self, const unsigned char[::1] data, int64_t block_no=-1):
        """Count the tokens of ``data`` (whole lines), with the GIL released.

        Parameters
        ----------
        data : bytes-like
            Whole lines of UTF-8 text.
        block_no : int, optional
            Position of this block in the file when several counters share the blocks of one file
            (first occurrences are then ordered by block); default: the next block of this counter.
        """
        cdef size_t n = data.shape[0]
        cdef cw2v_tokenizer tk
        cdef size_t start, length
        cdef int new_sentence, failed = 0
        cdef int64_t e, pos = 0, base
        cdef cw2v_strtab *t = &self.table.t
        if block_no < 0:
            block_no = self.blocks_fed
        self.blocks_fed = max(self.blocks_fed, block_no + 1)
        base = block_no << 32
        if n == 0:
            return
        tk.buf = &data[0]
        tk.len = n
        tk.pos = 0
        tk.max_sentence_length = self.max_sentence_length
        tk.in_sentence = 0
        with nogil:
            while cw2v_next_token(&tk, &start, &length, &new_sentence):
                if new_sentence:
                    if self.max_vocab_size and t.n_entries > self.max_vocab_size:
                        if cw2v_strtab_prune(t, self.min_reduce) != 0:
                            failed = 1
                            break
                        self.min_reduce += 1
                    self.corpus_count += 1
                e = cw2v_strtab_intern(t, <const char *>&data[start], length)
                if e < 0:
                    failed = 1
                    break
                if t.entries[e].aux < 0:
                    t.entries[e].aux = base + pos
                t.entries[e].value += 1
                self.total_words += 1
                pos += 1
            if not failed and self.max_vocab_size and t.n_entries > self.max_vocab_size:
                if cw2v_strtab_prune(t, self.min_reduce) != 0:
                    failed = 1
                self.min_reduce += 1
        if failed:
            raise MemoryError("out of memory while counting words")

    def counts(self, unicode_errors="strict"):
        """The counts as a dict of str -> int in order of first occurrence.

        Raises
        ------
        UnicodeDecodeError
            If a word is not valid UTF-8 and ``unicode_errors`` is ``'strict'``.
        """
        cdef cw2v_strtab *t = &self.table.t
        cdef int64_t e
        first = np.empty(t.n_entries, dtype=np.int64)
        cdef int64_t[::1] first_v = first
        for e in range(t.n_entries):
            first_v[e] = t.entries[e].aux
        out = {}
        for e in np.argsort(first, kind="stable"):
            key = (<bytes>(t.arena + t.entries[e].offset)[:t.entries[e].len]).decode("utf8", unicode_errors)
            out[key] = out.get(key, 0) + t.entries[e].value
        return out


def count_sentences(list sentences not None, dict counts not None):
    """Add every token of ``sentences`` to ``counts`` (``counts[token] += 1``), in C.

    New words are inserted in order of first occurrence, as the Python loop ``for w in s: counts[w] += 1``
    would. Returns the number of tokens counted.

    Raises
    ------
    TypeError
        If a sentence is a string or a token is not a ``str`` (``counts`` then holds the tokens counted
        before the bad one).
    """
    cdef Py_ssize_t i, j, n, total = 0
    cdef list s
    cdef PyObject *tok
    cdef PyObject *val
    for i in range(len(sentences)):
        s = _token_list(sentences[i])
        n = PyList_GET_SIZE(s)
        for j in range(n):
            tok = PyList_GET_ITEM(s, j)
            _check_token(tok)
            val = PyDict_GetItem(counts, <object>tok)
            if val == NULL:
                counts[<object>tok] = 1
            else:
                counts[<object>tok] = <object>val + 1
        total += n
    return total
