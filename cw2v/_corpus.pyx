# cython: language_level=3
"""Turning sentences into word indices at C speed (the only per-token work done under the GIL).

:func:`encode_sentences` maps a list of token lists to one int32 array of in-vocabulary word indices
plus sentence end offsets, with one C-level dict look-up per token (``PyDict_GetItem`` reuses the hash
cached in each ``str``). Out-of-vocabulary tokens are dropped, as in word2vec.c and gensim.

Tokens are any hashable objects, as in gensim: ``str`` usually, but also ``int`` (graph walks of node ids)
or anything else a dict accepts. NumPy integer tokens count as the equal Python ``int`` (so a vocabulary
built from NumPy walks has ``int`` keys, which JSON and every look-up accept). Integer tokens take a fast
path when the vocabulary gives one (see ``int_index`` in :func:`encode_sentences`): no dict look-up, and a
sentence given as a NumPy integer array is read without creating one Python object per token.
"""
from cpython.dict cimport PyDict_GetItemWithError, PyDict_SetItem
from cpython.list cimport PyList_GET_SIZE, PyList_GET_ITEM
from cpython.long cimport PyLong_AsLongLongAndOverflow, PyLong_FromLongLong
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize
from cpython.object cimport PyObject
from libc.stdint cimport int32_t, int64_t, uint64_t
from libc.string cimport memchr, memcpy

import numpy as np

cdef extern from "Python.h":
    bint PyUnicode_CheckExact(object o)
    bint PyLong_CheckExact(object o)
    object PyUnicode_DecodeUTF8(const char *s, Py_ssize_t size, const char *errors)

_INTEGER = np.integer


cdef inline object _key(object tok):
    """The vocabulary key for a token: the token itself, except a NumPy integer becomes the equal int."""
    if PyUnicode_CheckExact(tok) or PyLong_CheckExact(tok):
        return tok
    if isinstance(tok, _INTEGER):
        return int(tok)
    return tok


cdef inline bint _int_array(object sent):
    """True for a 1-D NumPy array of signed integers or of unsigned integers below 2**63 (read as int64)."""
    if not isinstance(sent, np.ndarray) or sent.ndim != 1:
        return False
    kind = sent.dtype.kind
    if kind == "i":
        return True
    return kind == "u" and (sent.dtype.itemsize < 8 or sent.size == 0 or int(sent.max()) < 2 ** 63)


cdef object _token_list(object sent):
    """A sentence as a list of tokens (a string is a sequence of characters, as in gensim)."""
    if type(sent) is list:
        return sent
    if sent is None:
        raise TypeError("a sentence is None, not a list of tokens")
    try:
        return list(sent)
    except TypeError:
        raise TypeError("each sentence must be an iterable of tokens, got %r of type %s"
                        % (sent, type(sent).__name__)) from None


def encode_sentences(list sentences not None, dict key_to_index not None, const int32_t[::1] int_index=None):
    """Map sentences to word indices.

    Parameters
    ----------
    sentences : list of iterable of hashable
        Token lists (tuples, NumPy arrays and other iterables are accepted too; a string is read as a
        sequence of characters, as gensim does).
    key_to_index : dict
        The vocabulary (``wv.key_to_index``).
    int_index : ndarray of shape (n,), dtype=int32, optional
        Fast path for integer tokens: ``int_index[t]`` is the index of the key ``t`` (-1 when ``t`` is not in
        the vocabulary), and no integer key lies outside ``[0, n)``. Integer tokens (``int``, and the values
        of NumPy integer arrays) are then looked up here instead of in ``key_to_index``.

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
        If a sentence is not iterable or a token is not hashable.
    """
    cdef Py_ssize_t i, j, n_sent = len(sentences), total = 0, n, k = 0
    cdef int64_t n_int = int_index.shape[0] if int_index is not None else -1
    cdef long long v
    cdef int overflow
    cdef int32_t found
    cdef object sent, tok
    cdef PyObject *val
    cdef const int64_t[::1] arr
    seqs = []
    for i in range(n_sent):
        sent = sentences[i]
        if n_int >= 0 and _int_array(sent):
            sent = np.ascontiguousarray(sent, dtype=np.int64)
            total += sent.shape[0]
        else:
            sent = _token_list(sent)
            total += PyList_GET_SIZE(sent)
        seqs.append(sent)
    ids = np.empty(total, dtype=np.int32)
    ends = np.empty(n_sent, dtype=np.int64)
    cdef int32_t[::1] ids_v = ids
    cdef int64_t[::1] ends_v = ends
    for i in range(n_sent):
        sent = seqs[i]
        if type(sent) is not list:  # an int64 array, with int_index
            arr = sent
            for j in range(arr.shape[0]):
                if 0 <= arr[j] < n_int:
                    found = int_index[arr[j]]
                    if found >= 0:
                        ids_v[k] = found
                        k += 1
            ends_v[i] = k
            continue
        n = PyList_GET_SIZE(sent)
        for j in range(n):
            tok = <object>PyList_GET_ITEM(sent, j)
            if n_int >= 0 and PyLong_CheckExact(tok):
                v = PyLong_AsLongLongAndOverflow(tok, &overflow)
                if not overflow and 0 <= v < n_int:
                    found = int_index[v]
                    if found >= 0:
                        ids_v[k] = found
                        k += 1
                continue
            val = PyDict_GetItemWithError(key_to_index, tok)
            if val != NULL:
                ids_v[k] = <int32_t><object>val
                k += 1
        ends_v[i] = k
    return ids[:k], ends, total


def int_key_index(keys, int64_t max_entries):
    """The ``int_index`` fast path of :func:`encode_sentences` for a vocabulary, or None.

    Parameters
    ----------
    keys : list
        ``index_to_key``.
    max_entries : int
        Largest table accepted (the table has ``1 + max(int key)`` entries of 4 bytes).

    Returns
    -------
    ndarray of shape (1 + max int key,), dtype=int32, or None
        None when the vocabulary has no ``int`` key, a negative one, one at ``max_entries`` or beyond, or a
        key that is neither ``str`` nor ``int`` (``True`` or ``2.0`` equal an int: only the dict matches them).
    """
    cdef int64_t i, top = -1, v
    for key in keys:
        if PyLong_CheckExact(key):
            if key < 0 or key >= max_entries:
                return None
            if key > top:
                top = key
        elif not PyUnicode_CheckExact(key):
            return None  # a key equal to some int without being one (True, 2.0): only the dict knows
    if top < 0:
        return None
    table = np.full(top + 1, -1, dtype=np.int32)
    cdef int32_t[::1] t = table
    for i in range(len(keys)):
        key = keys[i]
        if PyLong_CheckExact(key):
            v = key
            t[v] = <int32_t>i
    return table


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
    int cw2v_strtab_init(cw2v_strtab *t)
    void cw2v_strtab_free(cw2v_strtab *t)
    int64_t cw2v_strtab_find(const cw2v_strtab *t, const char *s, size_t n)
    int64_t cw2v_strtab_intern(cw2v_strtab *t, const char *s, size_t n)
    int cw2v_strtab_prune(cw2v_strtab *t, int64_t min_value)
    int64_t cw2v_strtab_find_h(const cw2v_strtab *t, const char *s, size_t n, uint64_t h)
    int64_t cw2v_strtab_intern_h(cw2v_strtab *t, const char *s, size_t n, uint64_t h)
    uint64_t cw2v_hash_bytes(const char *s, size_t n)
    void cw2v_strtab_prefetch_slot(const cw2v_strtab *t, uint64_t h)
    void cw2v_strtab_prefetch_entry(const cw2v_strtab *t, uint64_t h)
    int CW2V_LOOKAHEAD
    ctypedef struct cw2v_token:
        size_t start
        size_t len
        uint64_t hash
        int new_sentence
    ctypedef struct cw2v_token_stream:
        pass
    void cw2v_stream_init(cw2v_token_stream *s, const unsigned char *buf, size_t len,
                          int64_t max_sentence_length)
    const cw2v_token *cw2v_stream_next(cw2v_token_stream *s, const cw2v_strtab *t)


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
        """Table mapping each ``str`` key's UTF-8 bytes to its position in ``keys``.

        Other keys (``int`` node ids, ...) are left out: a token read from a text file is a string and
        never equals them, as in gensim's corpus_file mode.
        """
        cdef StringTable table = StringTable()
        cdef bytes b
        cdef int64_t e, i = -1
        for key in keys:
            i += 1
            if not isinstance(key, str):
                continue
            b = key.encode("utf8")
            e = cw2v_strtab_intern(&table.t, b, len(b))
            if e < 0:
                raise MemoryError("cannot grow the string table")
            table.t.entries[e].value = i
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
    cdef cw2v_token_stream stream
    cdef const cw2v_token *tok
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
    cw2v_stream_init(&stream, &data[0], n, max_sentence_length)
    with nogil:
        while True:
            tok = cw2v_stream_next(&stream, &table.t)
            if tok == NULL:
                break
            if tok.new_sentence and raw > 0:
                ends_v[s] = k
                s += 1
            raw += 1
            e = cw2v_strtab_find_h(&table.t, <const char *>&data[tok.start], tok.len, tok.hash)
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
                if i + CW2V_LOOKAHEAD < b.n_entries:
                    cw2v_strtab_prefetch_slot(a, b.entries[i + CW2V_LOOKAHEAD].hash)
                if i + CW2V_LOOKAHEAD // 2 < b.n_entries:
                    cw2v_strtab_prefetch_entry(a, b.entries[i + CW2V_LOOKAHEAD // 2].hash)
                e = cw2v_strtab_intern_h(a, b.arena + b.entries[i].offset, b.entries[i].len, b.entries[i].hash)
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

    def pack(self):
        """This counter's words and counts in a compact form that pickles as two buffers (see :meth:`merge_packed`).

        Returns
        -------
        keys : bytes
            Every word's bytes, each followed by ``b"\\n"`` (a byte no token holds), in order of first occurrence.
        counts : numpy.ndarray of int64, shape (n_words,)
            ``counts[i]`` is the count of the i-th word of `keys`.

        Notes
        -----
        The totals (:attr:`total_words`, :attr:`corpus_count`) are not included.
        """
        cdef cw2v_strtab *t = &self.table.t
        cdef int64_t e, i, n = t.n_entries, size = 0
        first = np.empty(n, dtype=np.int64)
        cdef int64_t[::1] first_v = first
        for e in range(n):
            first_v[e] = t.entries[e].aux
            size += t.entries[e].len + 1
        order = np.argsort(first, kind="stable").astype(np.int64, copy=False)
        cdef const int64_t[::1] order_v = order
        counts = np.empty(n, dtype=np.int64)
        cdef int64_t[::1] counts_v = counts
        keys = PyBytes_FromStringAndSize(NULL, size)
        cdef char *out = PyBytes_AS_STRING(keys)
        with nogil:
            for i in range(n):
                e = order_v[i]
                memcpy(out, t.arena + t.entries[e].offset, t.entries[e].len)
                out += t.entries[e].len
                out[0] = 10  # b"\n"
                out += 1
                counts_v[i] = t.entries[e].value
        return keys, counts

    def merge_packed(self, const unsigned char[::1] keys not None, const int64_t[::1] counts not None,
                     int64_t total_words=0, int64_t corpus_count=0):
        """Add a :meth:`pack`-ed counter as the block after this counter's last one, in C.

        Its words that are new here come after this counter's words in order of first occurrence, in their
        packed order. The totals are added to :attr:`total_words` and :attr:`corpus_count`. The words are
        first all checked and hashed, then looked up a few ahead of their insertion (as
        :meth:`feed` does).

        Raises
        ------
        ValueError
            If `keys` is not one non-empty word per count, each ending with ``b"\\n"`` (this counter is then
            unchanged).
        MemoryError
            If the table cannot grow (this counter then holds some of the words).
        """
        cdef size_t n = keys.shape[0], pos = 0, length
        cdef int64_t i = 0, e, base, n_counts = counts.shape[0]
        cdef const unsigned char *buf = &keys[0] if n else NULL
        cdef const unsigned char *end
        cdef cw2v_strtab *t = &self.table.t
        cdef int status = 0
        if total_words < 0 or corpus_count < 0:
            raise ValueError("total_words and corpus_count must be >= 0")
        starts_a = np.empty(n_counts, dtype=np.int64)
        hashes_a = np.empty(n_counts, dtype=np.uint64)
        cdef int64_t[::1] starts = starts_a
        cdef uint64_t[::1] hashes = hashes_a
        with nogil:
            while pos < n:
                end = <const unsigned char *>memchr(buf + pos, 10, n - pos)
                if end == NULL or i >= n_counts or end == buf + pos:
                    status = 1
                    break
                length = <size_t>(end - (buf + pos))
                starts[i] = <int64_t>pos
                hashes[i] = cw2v_hash_bytes(<const char *>(buf + pos), length)
                i += 1
                pos += length + 1
        if status == 1 or i != n_counts:
            raise ValueError("packed counts are malformed: %d counts for keys that do not hold as many words, each "
                             "non-empty and ending with b'\\n' (word %d is bad)" % (n_counts, i))
        base = self.blocks_fed << 32
        self.blocks_fed += 1
        with nogil:
            for i in range(n_counts):
                if i + CW2V_LOOKAHEAD < n_counts:
                    cw2v_strtab_prefetch_slot(t, hashes[i + CW2V_LOOKAHEAD])
                if i + CW2V_LOOKAHEAD // 2 < n_counts:
                    cw2v_strtab_prefetch_entry(t, hashes[i + CW2V_LOOKAHEAD // 2])
                pos = <size_t>starts[i]
                length = (<size_t>starts[i + 1] if i + 1 < n_counts else n) - pos - 1
                e = cw2v_strtab_intern_h(t, <const char *>(buf + pos), length, hashes[i])
                if e < 0:
                    status = 2
                    break
                if t.entries[e].aux < 0:
                    t.entries[e].aux = base + i
                t.entries[e].value += counts[i]
        if status == 2:
            raise MemoryError("out of memory while merging word counts")
        self.total_words += total_words
        self.corpus_count += corpus_count

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
        cdef cw2v_token_stream stream
        cdef const cw2v_token *tok
        cdef int failed = 0
        cdef int64_t e, pos = 0, base
        cdef cw2v_strtab *t = &self.table.t
        if block_no < 0:
            block_no = self.blocks_fed
        self.blocks_fed = max(self.blocks_fed, block_no + 1)
        base = block_no << 32
        if n == 0:
            return
        cw2v_stream_init(&stream, &data[0], n, self.max_sentence_length)
        with nogil:
            while True:
                tok = cw2v_stream_next(&stream, t)
                if tok == NULL:
                    break
                if tok.new_sentence:
                    # pruned after each sentence but the block's last, which the check after the loop covers
                    # (a block is whole lines: checking again at the next block's first sentence would prune
                    # twice at one sentence end)
                    if pos > 0 and self.max_vocab_size and t.n_entries > self.max_vocab_size:
                        if cw2v_strtab_prune(t, self.min_reduce) != 0:
                            failed = 1
                            break
                        self.min_reduce += 1
                    self.corpus_count += 1
                e = cw2v_strtab_intern_h(t, <const char *>&data[tok.start], tok.len, tok.hash)
                if e < 0:
                    failed = 1
                    break
                if t.entries[e].aux < 0:
                    t.entries[e].aux = base + pos
                t.entries[e].value += 1
                self.total_words += 1
                pos += 1
            # after the block's last sentence (none in a block of blank lines: nothing to check then)
            if not failed and pos > 0 and self.max_vocab_size and t.n_entries > self.max_vocab_size:
                if cw2v_strtab_prune(t, self.min_reduce) != 0:
                    failed = 1
                self.min_reduce += 1
        if failed:
            raise MemoryError("out of memory while counting words")

    def counts(self, unicode_errors="strict"):
        """The counts as a dict of str -> int in order of first occurrence.

        Words are decoded from UTF-8 with the error handler `unicode_errors` (as :meth:`bytes.decode`);
        words that decode to the same string (possible only with a handler other than ``'strict'``) have
        their counts summed.

        Raises
        ------
        UnicodeDecodeError
            If a word is not valid UTF-8 and ``unicode_errors`` is ``'strict'`` (the error's ``object`` is
            that word's bytes).
        """
        keys, counts = self.pack()
        cdef bytes errors = unicode_errors.encode("ascii")
        out = _decode_packed(keys, counts, errors, False)
        if len(out) < counts.shape[0]:  # two words decoded to one string (not with 'strict'): sum them
            out = _decode_packed(keys, counts, errors, True)
        return out


cdef dict _decode_packed(bytes keys, const int64_t[::1] counts, bytes errors, bint add):
    """dict of each packed word (decoded with the handler `errors`) -> its count; with `add`, words that
    decode to the same string have their counts summed, else the last one's count is kept. Each word is
    decoded alone (``PyUnicode_DecodeUTF8``), so a UnicodeDecodeError's ``object`` is that word's bytes."""
    cdef Py_ssize_t i, n = counts.shape[0], pos = 0, length
    cdef const char *buf = PyBytes_AS_STRING(keys)
    cdef const char *end
    cdef const char *handler = errors
    cdef object word
    cdef PyObject *val
    cdef dict out = {}
    for i in range(n):
        end = <const char *>memchr(buf + pos, 10, <size_t>(len(keys) - pos))
        length = end - (buf + pos)
        word = PyUnicode_DecodeUTF8(buf + pos, length, handler)
        val = PyDict_GetItemWithError(out, word) if add else NULL
        PyDict_SetItem(out, word, PyLong_FromLongLong(counts[i]) if val == NULL else <object>val + counts[i])
        pos += length + 1
    return out


def count_sentences(list sentences not None, dict counts not None):
    """Add every token of ``sentences`` to ``counts`` (``counts[key] += 1``), in C.

    New words are inserted in order of first occurrence, as the Python loop ``for w in s: counts[w] += 1``
    would. Tokens are any hashable objects; a NumPy integer counts as the equal ``int``. A sentence that is
    a string is read as a sequence of characters (gensim's behaviour; the caller warns about it).

    Returns
    -------
    (n_tokens, n_string_sentences) : tuple of int
        Tokens counted, and how many sentences were ``str`` or ``bytes``.

    Raises
    ------
    TypeError
        If a sentence is not iterable or a token is not hashable (``counts`` then holds the tokens counted
        before the bad one).
    """
    cdef Py_ssize_t i, j, n, total = 0, strings = 0
    cdef object s, key
    cdef PyObject *val
    cdef const int64_t[::1] arr
    for i in range(len(sentences)):
        s = sentences[i]
        if _int_array(s):
            arr = np.ascontiguousarray(s, dtype=np.int64)
            for j in range(arr.shape[0]):
                key = PyLong_FromLongLong(arr[j])
                val = PyDict_GetItemWithError(counts, key)
                PyDict_SetItem(counts, key, 1 if val == NULL else <object>val + 1)
            total += arr.shape[0]
            continue
        if isinstance(s, (str, bytes)):
            strings += 1
        s = _token_list(s)
        n = PyList_GET_SIZE(s)
        for j in range(n):
            key = _key(<object>PyList_GET_ITEM(s, j))
            val = PyDict_GetItemWithError(counts, key)
            PyDict_SetItem(counts, key, 1 if val == NULL else <object>val + 1)
        total += n
    return total, strings
