"""The word2vec C formats: read and write word vectors as word2vec.c and gensim do.

Two layouts exist, both starting (unless ``no_header``/``write_header=False``) with an ASCII header line
``"<count> <dim>\\n"``:

* **text**: one record per line, ``key v1 v2 ... vdim\\n``, values as decimal numbers separated by single
  spaces (word2vec.c also leaves a space before the newline; it is ignored on reading);
* **binary**: per record, the UTF-8 key bytes, one space, then ``dim`` little-endian float32 values
  (``4 * dim`` bytes). word2vec.c follows each record with ``"\\n"``, gensim does not; the reader accepts both
  (a newline left at the start of a key is dropped).

A *vocabulary file* (word2vec.c's ``-save-vocab``, gensim's ``fvocab``) has one ``key count`` line per key.

Paths ending in ``.gz``, ``.bz2``, ``.xz`` or ``.lzma`` are (de)compressed transparently. Every write to a path
goes to a temporary file in the destination folder, is flushed and fsync'ed, then renamed over the destination
(:class:`cw2v._fileio.AtomicFile`), so an interrupted save leaves any previous file untouched.

This module depends on NumPy, the standard library and :mod:`cw2v._fileio` only.
"""
from __future__ import annotations

import codecs
import contextlib
import io
import logging
import mmap
import os
import warnings
from collections.abc import Hashable, Sequence
from typing import IO, Any, Literal

import numpy as np
import numpy.typing as npt

from cw2v import _fileio
from cw2v._typing import StrPath

__all__ = [
    "Word2VecFormatError",
    "TruncatedFileError",
    "KeyDecodeError",
    "open_file",
    "read_word2vec_format",
    "read_word2vec_vocab",
    "write_word2vec_format",
]

logger = logging.getLogger(__name__)

#: Bytes requested from the file per read while parsing.
_READ_CHUNK = 1 << 22
#: Longest header line accepted, in bytes.
_MAX_HEADER_BYTES = 4096
#: Longest key accepted in a binary file, in bytes (a record without a space this early is corrupt).
_MAX_KEY_BYTES = 1 << 20
#: Largest vector dimensionality accepted in a header.
_MAX_DIM = (1 << 31) - 1
#: Rows are allocated in steps of at least this many bytes when the final count is not known up front
#: (then doubling), so memory stays proportional to the data actually read.
_GROW_BYTES = 1 << 22
#: Number of vector values converted and written per chunk by the writers.
_WRITE_CHUNK_VALUES = 1 << 20


class Word2VecFormatError(ValueError):
    """A word2vec file (or vocabulary file) is malformed: bad header, short row, unparsable value, ..."""


class TruncatedFileError(Word2VecFormatError, EOFError):
    """A word2vec file ends before the records its header declares (also an :class:`EOFError`)."""


class KeyDecodeError(Word2VecFormatError, UnicodeDecodeError):
    """A key (or vocabulary line) is not valid in the file's encoding with ``unicode_errors='strict'``.

    Both a :class:`Word2VecFormatError` and a :class:`UnicodeDecodeError` (gensim raises the latter), with
    the usual ``encoding``, ``object``, ``start``, ``end`` and ``reason`` attributes of the decoding failure
    and a message naming the file and the record.

    Parameters
    ----------
    encoding, obj, start, end, reason
        As for :class:`UnicodeDecodeError`: the codec, the bytes, the range that failed, and why.
    message : str, optional
        What ``str(error)`` says; default: :class:`UnicodeDecodeError`'s own message.
    """

    def __init__(self, encoding: str, obj: bytes, start: int, end: int, reason: str,
                 message: str | None = None) -> None:
        UnicodeDecodeError.__init__(self, encoding, obj, start, end, reason)
        self.message = message

    def __str__(self) -> str:
        return self.message if self.message is not None else UnicodeDecodeError.__str__(self)

    def __reduce__(self):
        return type(self), (self.encoding, self.object, self.start, self.end, self.reason, self.message)

    @classmethod
    def from_error(cls, err: UnicodeDecodeError, message: str | None) -> KeyDecodeError:
        """The KeyDecodeError carrying `err`'s details and `message`.

        Parameters
        ----------
        err : UnicodeDecodeError
            The decoding failure.
        message : str or None
            What ``str()`` of the result says (None: `err`'s own message).

        Returns
        -------
        KeyDecodeError
        """
        return cls(err.encoding, err.object, err.start, err.end, err.reason, message)


class _NoHeaderBinaryError(ValueError, NotImplementedError):
    """``no_header=True`` with ``binary=True``: the dimensionality of a binary file cannot be guessed."""


# --------------------------------------------------------------------------------------------------- files


def open_file(fname: StrPath | IO[bytes], mode: Literal["rb", "r"] = "rb", encoding: str = "utf8",
              errors: str = "strict") -> IO[Any]:
    """Open a path for reading, decompressing ``.gz``, ``.bz2``, ``.xz`` and ``.lzma`` files by extension.

    Parameters
    ----------
    fname : str, os.PathLike or binary file object
        What to read. A file object is used as is (and is not closed by the returned context manager).
    mode : {'rb', 'r'}, optional
        ``'rb'`` (default) for bytes, ``'r'`` for text decoded with `encoding` and universal newlines.
    encoding : str, optional
        Text encoding for ``mode='r'``. Default ``'utf8'``.
    errors : str, optional
        Decoding error handler for ``mode='r'`` (``'strict'``, ``'ignore'``, ``'replace'``, ...).

    Returns
    -------
    file object
        A readable file object, usable as a context manager.

    Raises
    ------
    ValueError
        If `mode` is not ``'rb'`` or ``'r'``.
    OSError
        If the file cannot be opened.
    """
    if mode not in ("rb", "r"):
        raise ValueError(f"open_file: mode must be 'rb' or 'r', got {mode!r}")
    if hasattr(fname, "read"):
        raw = io.BufferedReader(_NonClosing(fname))
    else:
        raw = _fileio.open_read(os.fspath(fname))
    if mode == "r":
        return io.TextIOWrapper(raw, encoding=encoding, errors=errors)
    return raw


class _NonClosing(io.RawIOBase):
    """Read-only proxy around a caller's binary file object that leaves it open on close()."""

    def __init__(self, f):
        super().__init__()
        self._f = f

    def readable(self):
        return True

    def readinto(self, b):
        data = self._f.read(len(b))
        if isinstance(data, str):
            raise TypeError("word2vec files must be opened in binary mode ('rb'), got a text file object")
        n = len(data)
        b[:n] = data
        return n


def _remaining_bytes(fin, fname):
    """Bytes left after the current position of an uncompressed file on disk, or None when unknown."""
    if hasattr(fname, "read") or _fileio.compression_of(fname) is not None:
        return None
    try:
        return os.fstat(fin.fileno()).st_size - fin.tell()
    except (OSError, AttributeError, ValueError, io.UnsupportedOperation):
        return None


def _display_name(fname):
    if hasattr(fname, "read"):
        return getattr(fname, "name", "<file object>")
    return os.fspath(fname)


# --------------------------------------------------------------------------------------------------- reading


class _RowStore:
    """Growable (rows, dim) array: rows are only allocated for records whose bytes were actually read."""

    def __init__(self, max_rows, dim, dtype, first_rows=None):
        self.max_rows = max_rows
        self.dim = dim
        self.dtype = dtype
        self.n = 0
        first = 0 if first_rows is None else min(first_rows, max_rows)
        self.arr = np.empty((first, dim), dtype=dtype)

    def append(self, block):
        need = self.n + len(block)
        if need > len(self.arr):
            step = max(1, _GROW_BYTES // max(1, self.dim * self.dtype.itemsize))
            new_rows = min(self.max_rows, max(need, 2 * len(self.arr), step))
            grown = np.empty((new_rows, self.dim), dtype=self.dtype)
            grown[: self.n] = self.arr[: self.n]
            self.arr = grown
        with np.errstate(over="ignore"):  # values beyond a small datatype's range become inf, as in gensim
            self.arr[self.n: need] = block
        self.n = need

    def result(self):
        if self.n == len(self.arr):
            return self.arr
        return self.arr[: self.n].copy()


def _check_ascii_compatible(encoding):
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ValueError(f"unknown encoding {encoding!r}") from None
    if " 0\n".encode(encoding) != b" 0\n":
        raise ValueError(
            f"encoding {encoding!r} is not ASCII-compatible; word2vec files need one (utf8, latin-1, cp1252, ...)"
        )


def _decode_key(raw, encoding, unicode_errors, where):
    try:
        return raw.decode(encoding, unicode_errors)
    except UnicodeDecodeError as err:
        raise KeyDecodeError.from_error(
            err,
            f"{where}: key {bytes(raw[:60])!r} is not valid {encoding} ({err.reason}); "
            "pass unicode_errors='replace' or 'ignore' to load it anyway",
        ) from err


def _parse_header(line, encoding, name):
    if not line:
        raise TruncatedFileError(f"{name}: file is empty (expected a '<count> <dim>' header line)")
    if len(line) >= _MAX_HEADER_BYTES and not line.endswith(b"\n"):
        raise Word2VecFormatError(
            f"{name}: first line is longer than {_MAX_HEADER_BYTES} bytes; not a word2vec header "
            "(pass no_header=True for a text file without a header)"
        )
    try:
        parts = line.decode(encoding).split()
        if len(parts) != 2:
            raise ValueError
        count, dim = int(parts[0]), int(parts[1])
    except (ValueError, UnicodeDecodeError):
        raise Word2VecFormatError(
            f"{name}: invalid header {line[:80]!r}: expected two integers '<count> <dim>' "
            "(pass no_header=True for a text file without a header)"
        ) from None
    if count < 0 or dim < 0:
        raise Word2VecFormatError(f"{name}: invalid header {line[:80]!r}: negative count or dimensionality")
    if dim == 0:
        raise Word2VecFormatError(f"{name}: invalid header {line[:80]!r}: vector dimensionality is 0")
    if dim > _MAX_DIM:
        raise Word2VecFormatError(f"{name}: invalid header {line[:80]!r}: dimensionality {dim} is absurd")
    return count, dim


def _bulk_decodable(encoding):
    """Whether keys can be decoded all at once, joined by spaces (stateless codecs where a space byte is
    always a whole character): UTF-8, ASCII and the single-byte Latin/Windows code pages."""
    codec = codecs.lookup(encoding).name
    return codec in ("utf-8", "ascii", "latin-1") or codec.startswith(("iso8859", "cp125"))


def _decode_keys(buf, starts, spaces, encoding, unicode_errors, name, first_record, bulk):
    """Decode the keys ``buf[starts[i]:spaces[i]]`` (each followed by a space in `buf`).

    With `bulk`, all key bytes are gathered with NumPy (each with its terminating space), decoded once and
    split on spaces; keys contain no spaces, and for the codecs :func:`_bulk_decodable` admits decoding the
    concatenation gives the same strings as decoding each key (error handlers included). A leading newline
    (word2vec.c writes one after each record) is dropped from every key.
    """
    keys = None
    if bulk:
        starts_arr = np.asarray(starts, dtype=np.intp)
        lengths = np.asarray(spaces, dtype=np.intp) - starts_arr + 1
        total = int(lengths.sum())
        data = np.frombuffer(buf, dtype=np.uint8)
        shift = np.repeat(starts_arr - (np.cumsum(lengths) - lengths), lengths)
        gathered = data[np.arange(total, dtype=np.intp) + shift].tobytes()
        del data
        try:
            text = gathered.decode(encoding, unicode_errors)
        except UnicodeDecodeError:
            text = None  # decode key by key below to report the record
        if text is not None:
            keys = text.split(" ")
            keys.pop()
            if len(keys) != len(starts):
                keys = None
            elif "\n" in text:
                keys = [key.lstrip("\n") for key in keys]
    if keys is None:
        keys = [
            _decode_key(buf[a:b], encoding, unicode_errors, f"{name}: record {first_record + i}").lstrip("\n")
            for i, (a, b) in enumerate(zip(starts, spaces))
        ]
    return keys


def _read_binary(fin, n, dim, dtype, encoding, unicode_errors, first_rows, name):
    """Read `n` binary records of `dim` float32 values. Returns (list of str, ndarray (n, dim)).

    The file is read in fixed-size chunks. In each chunk, a short Python loop finds the space ending each
    key (one ``bytearray.find`` per record); the keys are then decoded in bulk (:func:`_decode_keys`) and the
    vectors copied out with one NumPy fancy-indexing operation over a view whose items are whole records of
    ``4 * dim`` bytes starting at every byte offset (so each row is one memcpy).
    """
    rowbytes = 4 * dim
    store = _RowStore(n, dim, dtype, first_rows)
    row_dtype = np.dtype((np.void, rowbytes))
    bulk = _bulk_decodable(encoding)
    keys = []
    buf = bytearray()
    pos = 0
    max_key = _MAX_KEY_BYTES + 2
    while len(keys) < n:
        find = buf.find
        last_start = len(buf) - rowbytes - 1  # a record starting later cannot be complete
        starts, spaces, pos = _scan_records(find, pos, last_start, n - len(keys), rowbytes, max_key)
        if starts:
            keys.extend(_decode_keys(buf, starts, spaces, encoding, unicode_errors, name, len(keys), bulk))
            records = np.ndarray(shape=(len(buf) - rowbytes + 1,), dtype=row_dtype, buffer=buf, strides=(1,))
            block = records[np.asarray(spaces, dtype=np.intp) + 1]
            del records
            store.append(block.view("<f4").reshape(len(starts), dim))
            del block
        if len(keys) == n:
            break
        # Need more bytes for the record starting at `pos`.
        if find(b" ", pos, pos + max_key) < 0 and len(buf) - pos > _MAX_KEY_BYTES:
            raise Word2VecFormatError(
                f"{name}: record {len(keys)} has no space-terminated key within {_MAX_KEY_BYTES} bytes; "
                "the file is corrupt or not in binary word2vec format"
            )
        del buf[:pos]
        pos = 0
        # Fixed-size reads: a huge declared dimensionality never turns into a huge read request.
        chunk = fin.read(_READ_CHUNK)
        if not chunk:
            raise TruncatedFileError(
                f"{name}: unexpected end of file after {len(keys)} of {n} binary records "
                f"({len(buf)} stray bytes left); is the header count wrong or the file truncated?"
            )
        buf += chunk
    return keys, store.result()


def _scan_records(find, pos, last_start, todo, rowbytes, max_key):
    """Locate up to ``todo`` binary records from offset ``pos``.

    ``find`` is the ``find`` method of the bytes-like being scanned. A record is a key ended by a space
    (searched within ``max_key`` bytes) followed by ``rowbytes`` bytes of floats; scanning stops at the
    first record that could not be complete (one starting after ``last_start``).

    Returns
    -------
    starts, spaces : list of int
        Offset of each record's key and of the space after it.
    pos : int
        Offset just after the last record found.
    """
    starts, spaces = [], []
    append_start, append_space = starts.append, spaces.append
    while todo and pos <= last_start:
        space = find(b" ", pos, pos + max_key)
        if space < 0 or space > last_start:
            break
        append_start(pos)
        append_space(space)
        pos = space + 1 + rowbytes
        todo -= 1
    return starts, spaces, pos


#: Records located per pass of the Python loop in :func:`_read_binary_mapped` (bounds its temporary lists).
_MAPPED_BATCH = 1 << 16


def _read_binary_mapped(fin, n, dim, dtype, encoding, unicode_errors, name):
    """Read `n` binary records from an uncompressed file on disk through a read-only memory map.

    Same result as :func:`_read_binary`, with fewer passes over the data: nothing is copied into Python
    buffers; a short Python loop finds the space ending each key (``mmap.find``), keys are decoded in bulk,
    and the vectors are gathered from the mapped file straight into the result with one NumPy fancy-indexing
    operation (one memcpy per record). Returns (list of str, ndarray (n, dim)), or None if the file cannot
    be memory-mapped (the caller then reads it in chunks).
    """
    rowbytes = 4 * dim
    try:
        start = fin.tell()
        mm = mmap.mmap(fin.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return None
    try:
        size = len(mm)
        bulk = _bulk_decodable(encoding)
        find = mm.find
        max_key = _MAX_KEY_BYTES + 2
        last_start = size - rowbytes - 1  # a record starting later cannot be complete
        keys, offsets = [], []
        pos = start
        while len(keys) < n:
            todo = min(n - len(keys), _MAPPED_BATCH)
            starts, spaces, pos = _scan_records(find, pos, last_start, todo, rowbytes, max_key)
            todo -= len(starts)
            if starts:
                keys.extend(_decode_keys(mm, starts, spaces, encoding, unicode_errors, name, len(keys), bulk))
                offsets.append(np.asarray(spaces, dtype=np.intp) + 1)
            if todo and len(keys) < n:
                if find(b" ", pos, pos + max_key) < 0 and size - pos > _MAX_KEY_BYTES:
                    raise Word2VecFormatError(
                        f"{name}: record {len(keys)} has no space-terminated key within {_MAX_KEY_BYTES} bytes; "
                        "the file is corrupt or not in binary word2vec format"
                    )
                raise TruncatedFileError(
                    f"{name}: unexpected end of file after {len(keys)} of {n} binary records "
                    f"({size - pos} stray bytes left); is the header count wrong or the file truncated?"
                )
        records = np.ndarray(shape=(size - rowbytes + 1,), dtype=np.dtype((np.void, rowbytes)), buffer=mm,
                             strides=(1,))
        raw = records[np.concatenate(offsets)]  # a new array: no view of the map survives
        del records
    finally:
        try:
            mm.close()
        except BufferError:  # pragma: no cover - a view still alive while an error propagates
            pass
    vectors = raw.view("<f4").reshape(len(keys), dim)
    if vectors.dtype != dtype:
        with np.errstate(over="ignore"):  # values beyond a small datatype's range become inf, as in gensim
            vectors = vectors.astype(dtype)
    return keys, vectors


def _line_no(numbers, j):
    """Line number of the j-th line of a block: `numbers` is the first line's number or a list of them."""
    return numbers + j if isinstance(numbers, int) else numbers[j]


def _split_text_lines(lines, dim, numbers, name):
    """Split raw text lines into (key bytes list, list of value bytes), checking each has `dim` values.

    `numbers` gives the line numbers for error messages (see :func:`_line_no`).
    """
    key_bytes, rests = [], []
    for j, line in enumerate(lines):
        key, _, rest = line.rstrip().partition(b" ")
        if rest.count(b" ") != dim - 1 or not rest:
            got = len(rest.split(b" ")) if rest else 0
            if got < dim and not line.endswith(b"\n"):
                raise TruncatedFileError(
                    f"{name}: the file ends in the middle of line {_line_no(numbers, j)} "
                    f"(key {key[:60]!r}, {got} of {dim} values); is it truncated?"
                )
            raise Word2VecFormatError(
                f"{name}: line {_line_no(numbers, j)} (key {key[:60]!r}) has {got} values separated by "
                f"single spaces, expected {dim}"
            )
        key_bytes.append(key)
        rests.append(rest)
    return key_bytes, rests


def _parse_text_values(rests, dim, numbers, name):
    """Parse space-separated decimal values (list of bytes) into a float64 array (len(rests), dim).

    Values are parsed as Python floats (correctly rounded doubles), as ``np.float32(text)`` does in gensim,
    so that the later conversion to float32 rounds exactly like gensim's loader.
    """
    try:
        values = np.array(list(map(float, b" ".join(rests).split(b" "))), dtype=np.float64)
    except ValueError:
        for j, rest in enumerate(rests):
            for tok in rest.split(b" "):
                try:
                    float(tok)
                except ValueError:
                    raise Word2VecFormatError(
                        f"{name}: line {_line_no(numbers, j)}: cannot parse {tok[:40]!r} as a number"
                    ) from None
        raise
    return values.reshape(len(rests), dim)


def _read_text(fin, n, dim, dtype, encoding, unicode_errors, first_rows, name, first_line_no):
    """Read `n` text records of `dim` values. Returns (list of str, ndarray (n, dim))."""
    store = _RowStore(n, dim, dtype, first_rows)
    keys = []
    line_no = first_line_no
    while len(keys) < n:
        lines = fin.readlines(_READ_CHUNK)
        if not lines:
            raise TruncatedFileError(
                f"{name}: unexpected end of file after {len(keys)} of {n} text records; "
                "is the header count wrong or the file truncated?"
            )
        del lines[n - len(keys):]
        key_bytes, rests = _split_text_lines(lines, dim, line_no, name)
        block = _parse_text_values(rests, dim, line_no, name)
        for j, raw in enumerate(key_bytes):
            keys.append(_decode_key(raw, encoding, unicode_errors, f"{name}: line {line_no + j}"))
        store.append(block)
        line_no += len(lines)
    return keys, store.result()


def _read_text_no_header(fin, limit, dtype, encoding, unicode_errors, name):
    """Read a text file without header: the dimensionality comes from the first non-blank line.

    Blank lines are skipped. Returns (list of str, ndarray (n, dim)).
    """
    keys = []
    store = None
    dim = None
    line_no = 1
    while limit is None or len(keys) < limit:
        lines = fin.readlines(_READ_CHUNK)
        if not lines:
            break
        numbers = [line_no + j for j, line in enumerate(lines) if line.strip()]
        line_no += len(lines)
        lines = [line for line in lines if line.strip()]
        if not lines:
            continue
        if limit is not None:
            del lines[limit - len(keys):]
            del numbers[len(lines):]
        if dim is None:
            first = lines[0].rstrip().partition(b" ")[2]
            dim = len(first.split(b" ")) if first else 0
            if dim == 0:
                raise Word2VecFormatError(f"{name}: line {numbers[0]} has a key but no vector values")
            store = _RowStore(limit if limit is not None else 1 << 62, dim, dtype)
        key_bytes, rests = _split_text_lines(lines, dim, numbers, name)
        block = _parse_text_values(rests, dim, numbers, name)
        for j, raw in enumerate(key_bytes):
            keys.append(_decode_key(raw, encoding, unicode_errors, f"{name}: line {numbers[j]}"))
        store.append(block)
    if dim is None:
        raise Word2VecFormatError(f"{name}: no vectors found (the file is empty or blank)")
    return keys, store.result()


def _drop_duplicates(keys, vectors, name):
    """Keep the first occurrence of each key (gensim's rule), warning about the others."""
    if len(dict.fromkeys(keys)) == len(keys):  # the common case, checked at C speed
        return keys, vectors
    first = {}
    for i, key in enumerate(keys):
        first.setdefault(key, i)
    keep = np.fromiter(first.values(), dtype=np.intp, count=len(first))
    dropped = len(keys) - len(first)
    logger.warning("%s: %d duplicate keys ignored (the first occurrence of each key is kept)", name, dropped)
    return [keys[i] for i in keep], np.ascontiguousarray(vectors[keep])


def read_word2vec_format(
    fname: StrPath | IO[bytes], binary: bool = False, limit: int | None = None, unicode_errors: str = "strict",
    datatype: npt.DTypeLike = np.float32, no_header: bool = False, encoding: str = "utf8", *,
    _keep_duplicates: bool = False,
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Read word vectors stored in word2vec.c's text or binary format.

    Parameters
    ----------
    fname : str, os.PathLike or binary file object
        File to read; ``.gz``, ``.bz2`` and ``.xz`` paths are decompressed.
    binary : bool, optional
        True for the binary layout, False (default) for text.
    limit : int or None, optional
        Read at most this many records (the first ones). None or 0 (default None) reads all.
    unicode_errors : str, optional
        Error handler for decoding keys (default ``'strict'``). word2vec.c may cut multi-byte characters;
        ``'replace'`` or ``'ignore'`` load such files.
    datatype : numpy floating dtype, optional
        dtype of the returned vectors (default float32). Binary values are read as float32 and converted;
        text values are parsed as float64 and rounded once to `datatype` (as gensim does).
    no_header : bool, optional
        True for a text file without the ``count dim`` header line (e.g. GloVe); the dimensionality is that of
        the first line and blank lines are skipped. Not possible with ``binary=True``.
    encoding : str, optional
        Encoding of the keys (default ``'utf8'``); must be ASCII-compatible.
    _keep_duplicates : bool, optional, keyword-only (private)
        Return every record, duplicated keys included (used by ``intersect_word2vec_format``).

    Returns
    -------
    keys : list of str
        The keys in file order, duplicates removed (the first occurrence of a key wins, as in gensim).
    vectors : ndarray of shape (len(keys), dim), dtype `datatype`, C-contiguous
        One row per key.
    counts : ndarray of shape (len(keys),), dtype int64
        gensim's stand-in frequencies for files without a vocabulary: ``total - i`` for row ``i``, where
        ``total`` is the number of records read (the header count capped by `limit`), so that sorting by
        descending count keeps file order.

    Raises
    ------
    Word2VecFormatError (a ValueError)
        Invalid header (not two integers, negative, zero dimensionality), a text row with the wrong number of
        values, an unparsable number, a binary record without a key.
    KeyDecodeError (both a Word2VecFormatError and a UnicodeDecodeError)
        An undecodable key with ``unicode_errors='strict'``.
    TruncatedFileError (both a Word2VecFormatError and an EOFError)
        The file ends before the declared records, or (for uncompressed files) is too small to hold what the
        header declares; nothing large is allocated in that case.
    ValueError
        Bad arguments: negative `limit`, non-floating `datatype`, non ASCII-compatible `encoding`, or
        ``no_header=True`` with ``binary=True`` (this error is also a NotImplementedError, like gensim's).
    OSError
        If the file cannot be opened or read.
    """
    if limit is not None:
        if isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit < 0:
            raise ValueError(f"limit must be None or a non-negative integer, got {limit!r}")
        limit = int(limit) or None
    dtype = np.dtype(datatype)
    if dtype.kind != "f":
        raise ValueError(f"datatype must be a floating-point dtype, got {dtype}")
    _check_ascii_compatible(encoding)
    try:
        codecs.lookup_error(unicode_errors)
    except LookupError:
        raise ValueError(f"unknown unicode_errors handler {unicode_errors!r}") from None
    if no_header and binary:
        raise _NoHeaderBinaryError("no_header=True is only possible for text files (binary=False)")
    name = _display_name(fname)

    with open_file(fname, "rb") as fin:
        if no_header:
            keys, vectors = _read_text_no_header(fin, limit, dtype, encoding, unicode_errors, name)
            total = len(keys)
        else:
            count, dim = _parse_header(fin.readline(_MAX_HEADER_BYTES), encoding, name)
            total = count if limit is None else min(count, limit)
            remaining = _remaining_bytes(fin, fname)
            first_rows = None
            if remaining is not None and total:
                min_record = 4 * dim + 1 if binary else 2 * dim
                if remaining + 1 < total * min_record:
                    raise TruncatedFileError(
                        f"{name}: header declares {count} vectors of dimension {dim}; reading {total} of them "
                        f"needs at least {total * min_record} bytes but only {remaining} follow the header "
                        "(truncated file or wrong header)"
                    )
                first_rows = total
            if total == 0:
                keys, vectors = [], np.empty((0, dim), dtype=dtype)
            elif binary:
                mapped = None
                if remaining is not None:  # an uncompressed file on disk: parse it memory-mapped
                    mapped = _read_binary_mapped(fin, total, dim, dtype, encoding, unicode_errors, name)
                if mapped is not None:
                    keys, vectors = mapped
                else:
                    keys, vectors = _read_binary(
                        fin, total, dim, dtype, encoding, unicode_errors, first_rows, name
                    )
            else:
                keys, vectors = _read_text(
                    fin, total, dim, dtype, encoding, unicode_errors, first_rows, name, first_line_no=2
                )
    if not _keep_duplicates:
        keys, vectors = _drop_duplicates(keys, vectors, name)
    counts = total - np.arange(len(keys), dtype=np.int64)
    return keys, vectors, counts


def read_word2vec_vocab(fname: StrPath | IO[bytes], unicode_errors: str = "strict",
                        encoding: str = "utf8") -> dict[str, int]:
    """Read a vocabulary file of ``key count`` lines (word2vec.c's ``-save-vocab`` output).

    Parameters
    ----------
    fname : str, os.PathLike or binary file object
        The vocabulary file (``.gz``/``.bz2``/``.xz`` decompressed).
    unicode_errors : str, optional
        Error handler for decoding (default ``'strict'``).
    encoding : str, optional
        Encoding of the file (default ``'utf8'``).

    Returns
    -------
    dict of str to int
        Count per key; a key listed twice keeps its last count. Blank lines are skipped.

    Raises
    ------
    Word2VecFormatError (a ValueError)
        A line that is not exactly a key and an integer, or a negative count.
    KeyDecodeError (both a Word2VecFormatError and a UnicodeDecodeError)
        A line that is not valid in `encoding` with ``unicode_errors='strict'``.
    """
    counts = {}
    name = _display_name(fname)
    with open_file(fname, "rb") as fin:
        for line_no, line in enumerate(fin, 1):
            try:
                parts = line.decode(encoding, unicode_errors).split()
            except UnicodeDecodeError as err:
                raise KeyDecodeError.from_error(
                    err, f"{name}: line {line_no}: invalid {encoding} ({err.reason})"
                ) from err
            if not parts:
                continue
            try:
                if len(parts) != 2:
                    raise ValueError
                count = int(parts[1])
            except ValueError:
                raise Word2VecFormatError(
                    f"{name}: line {line_no}: expected '<key> <count>', got {line[:80]!r}"
                ) from None
            if count < 0:
                raise Word2VecFormatError(f"{name}: line {line_no}: negative count {count}")
            counts[parts[0]] = count
    return counts


# --------------------------------------------------------------------------------------------------- writing


class _PlainWriter:
    """Writer over a caller-supplied file object (no atomic replacement possible)."""

    def __init__(self, f):
        self.f = f

    def write(self, data):
        self.f.write(data)

    def finish(self):
        with contextlib.suppress(AttributeError, io.UnsupportedOperation):
            self.f.flush()

    def commit(self):
        pass

    def abort(self):
        pass


def _writer(fname, append):
    """A writer with ``write``/``finish``/``commit``/``abort``: atomic and compressing by extension for a path
    (a temporary file that starts as a copy of `fname` when `append` is set), plain for a file object."""
    if hasattr(fname, "write"):
        return _PlainWriter(fname)
    return _fileio.AtomicFile(fname, append=append, compress=True)


def _key_strings(keys, order, prefix, binary):
    """Output keys (with prefix) as str, as gensim writes them (``f"{prefix}{key}"`` for any key).

    A key with a space (or, in a text file, a newline) is written as it is, like gensim does, with a warning
    naming such keys: word2vec readers (cw2v's, gensim's, word2vec.c's) split records at the first space, so
    those records will not read back as they were written.
    """
    out = [f"{prefix}{keys[i]}" for i in order]
    bad = [t for t in out if " " in t or (not binary and "\n" in t) or (binary and t.startswith("\n"))]
    if bad:
        shown = ", ".join(repr(t) for t in bad[:5]) + (", ..." if len(bad) > 5 else "")
        message = ("%d key(s) contain a space or a newline and are written as they are, as gensim writes them; "
                   "word2vec readers split a record at its first space, so these %d records will not read back "
                   "correctly: %s. Replace the spaces (e.g. with '_') before saving to keep them."
                   % (len(bad), len(bad), shown))
        logger.warning("%s", message)
        # also a Python warning: shown even where logging is not configured (the file will not read back)
        warnings.warn(message, UserWarning, stacklevel=4)
    return out


def _text_chunk_bytes(keys, block):
    """Encode one block of text records: ``key v1 ... vd\\n`` with numpy's shortest round-trip repr."""
    dim = block.shape[1]
    values = list(map(str, block.ravel()))
    lines = [f"{key} {' '.join(values[j * dim:(j + 1) * dim])}\n" for j, key in enumerate(keys)]
    return "".join(lines).encode("utf8")


def _binary_chunk_bytes(keys, block):
    """Encode one block of binary records: key bytes, a space, ``4 * dim`` little-endian float32 bytes."""
    rowbytes = 4 * block.shape[1]
    raw = memoryview(np.ascontiguousarray(block, dtype="<f4").tobytes())
    parts = []
    for j, key in enumerate(keys):
        parts.append(f"{key} ".encode())
        parts.append(raw[j * rowbytes:(j + 1) * rowbytes])
    return b"".join(parts)


def _write_word2vec(
    fname, keys, vectors, order=None, binary=False, write_header=True, prefix="", append=False, fvocab=None,
    counts=None, total_vec=None,
):
    """Shared writer: records ``order[0], order[1], ...`` of (keys, vectors, counts)."""
    if not isinstance(vectors, np.ndarray):
        vectors = np.asarray(vectors)
    if vectors.ndim != 2:
        raise ValueError(f"vectors must be a 2-D array (n, dim), got shape {vectors.shape}")
    if vectors.dtype.kind != "f":
        vectors = vectors.astype(np.float32)
    n_all, dim = vectors.shape
    if len(keys) != n_all:
        raise ValueError(f"{len(keys)} keys but {n_all} vectors")
    if dim == 0:
        raise ValueError("vectors have dimensionality 0; word2vec files need at least one value per key")
    if order is None:
        order = np.arange(n_all, dtype=np.intp)
    else:
        order = np.asarray(order, dtype=np.intp)
    if fvocab is not None:
        if counts is None:
            raise ValueError("fvocab was given but counts is None: nothing to write in the vocabulary file")
        counts = np.asarray(counts) if not isinstance(counts, np.ndarray) else counts
        if len(counts) != n_all:
            raise ValueError(f"{len(counts)} counts but {n_all} keys")
    if total_vec is None:
        total_vec = len(order)
    out_keys = _key_strings(keys, order, prefix, binary)
    rows = max(1, _WRITE_CHUNK_VALUES // dim)
    encode = _binary_chunk_bytes if binary else _text_chunk_bytes

    writers = []
    try:
        if fvocab is not None:
            vocab_writer = _writer(fvocab, append)
            writers.append(vocab_writer)
            for start in range(0, len(order), rows):
                idx = order[start:start + rows]
                lines = [f"{key} {counts[i]}\n" for key, i in zip(out_keys[start:start + rows], idx)]
                vocab_writer.write("".join(lines).encode("utf8"))
        vec_writer = _writer(fname, append)
        writers.append(vec_writer)
        if write_header:
            vec_writer.write(f"{total_vec} {dim}\n".encode())
        contiguous = bool(len(order)) and np.array_equal(order, np.arange(len(order)))
        for start in range(0, len(order), rows):
            if contiguous:
                block = vectors[start:start + rows]
            else:
                block = vectors[order[start:start + rows]]
            vec_writer.write(encode(out_keys[start:start + rows], block))
        for w in writers:
            w.finish()
    except BaseException:
        for w in writers:
            w.abort()
        raise
    committed = 0
    try:
        for w in writers:
            w.commit()
            committed += 1
    except BaseException:  # a failed rename: remove the temporary files that were not renamed
        for w in writers[committed:]:
            w.abort()
        raise


def write_word2vec_format(
    fname: StrPath | IO[bytes], keys: Sequence[Hashable], vectors: npt.ArrayLike, binary: bool = False,
    write_header: bool = True, prefix: str = "", append: bool = False, fvocab: StrPath | IO[bytes] | None = None,
    counts: npt.ArrayLike | None = None, total_vec: int | None = None,
) -> None:
    """Write word vectors in word2vec.c's text or binary format, byte for byte as gensim 4 does.

    Text values are written with NumPy's shortest round-trip representation of each value in the dtype of
    `vectors` (``str(np.float32(x))``, e.g. ``0.14285715``), exactly like gensim's
    ``save_word2vec_format``; binary values as little-endian float32. Like gensim, binary records are not
    followed by a newline (word2vec.c writes one; both readers accept either).

    Parameters
    ----------
    fname : str, os.PathLike or binary file object
        Destination. A path is written atomically (temporary file in the same folder, fsync, rename); a
        ``.gz``/``.bz2``/``.xz``/``.lzma`` path is compressed. A file object is written in place.
    keys : sequence of str or int, length n
        Keys in output order; they must not contain spaces (nor newlines in text files).
    vectors : array_like of shape (n, dim)
        One row per key; floating dtypes are written as they are, others as float32. Not modified.
    binary : bool, optional
        Binary (True) or text (False, default) layout.
    write_header : bool, optional
        Write the ``"<count> <dim>\\n"`` line first (default True).
    prefix : str, optional
        String prepended to every key (default ``''``), also in the vocabulary file.
    append : bool, optional
        Append to an existing file (and vocabulary file) instead of replacing it. Default False.
    fvocab : str, os.PathLike, file object or None, optional
        Also write a vocabulary file of ``key count`` lines, in the same order. Needs `counts`.
    counts : array_like of shape (n,), optional
        Counts written to `fvocab`, formatted with ``str()`` of each element.
    total_vec : int, optional
        Count written in the header (default: ``len(keys)``), for files that will be appended to.

    Raises
    ------
    ValueError
        `vectors` not 2-D or with 0 columns, `keys`/`counts` of the wrong length, a key containing a space (or
        a newline), or `fvocab` without `counts`.
    TypeError
        A key that is neither str nor int.
    OSError
        If the file cannot be written; any previous file at `fname` is then left unchanged.
    """
    _write_word2vec(
        fname, keys, vectors, None, binary=binary, write_header=write_header, prefix=prefix, append=append,
        fvocab=fvocab, counts=counts, total_vec=total_vec,
    )
