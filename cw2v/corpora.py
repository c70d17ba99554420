"""Corpus readers: iterables of sentences (lists of str tokens) over files.

``LineSentence`` has gensim's semantics: one sentence per line, tokens separated by whitespace, lines
longer than ``max_sentence_length`` tokens split into consecutive pieces (never dropped).
"""
from __future__ import annotations

import bz2
import gzip
import io
import itertools
import lzma
import os

__all__ = ["LineSentence", "open_text"]

_OPENERS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}


def open_binary(path):
    """Open ``path`` for reading bytes, decompressing ``.gz``, ``.bz2`` and ``.xz`` by extension."""
    path = os.fspath(path)
    opener = _OPENERS.get(os.path.splitext(path)[1].lower(), open)
    return opener(path, "rb")


def open_text(path, encoding="utf8", errors="strict"):
    """Open ``path`` for reading text (see :func:`open_binary` for compression)."""
    return io.TextIOWrapper(open_binary(path), encoding=encoding, errors=errors)


class LineSentence:
    """Iterate over a text file (or file object) yielding one list of tokens per non-blank line.

    Parameters
    ----------
    source : str, os.PathLike or file object
        A path (``.gz``, ``.bz2`` and ``.xz`` are decompressed transparently) or an open file
        (binary or text); a file object is rewound with ``seek(0)`` at the start of each iteration.
    max_sentence_length : int, optional
        Lines with more tokens are split into pieces of at most this many tokens (default 10000).
    limit : int or None, optional
        Read only the first ``limit`` lines.
    encoding : str, optional
        Text encoding (default UTF-8).
    unicode_errors : str, optional
        How undecodable bytes are handled: ``'strict'`` (default, raise ``UnicodeDecodeError``),
        ``'replace'`` or ``'ignore'``.

    Raises
    ------
    ValueError
        If ``max_sentence_length`` < 1 or ``limit`` < 0.
    """

    def __init__(self, source, max_sentence_length=10000, limit=None, encoding="utf8", unicode_errors="strict"):
        if max_sentence_length < 1:
            raise ValueError("max_sentence_length must be >= 1, got %r" % (max_sentence_length,))
        if limit is not None and limit < 0:
            raise ValueError("limit must be None or >= 0, got %r" % (limit,))
        self.source = source
        self.max_sentence_length = int(max_sentence_length)
        self.limit = limit
        self.encoding = encoding
        self.unicode_errors = unicode_errors

    def _lines(self):
        if hasattr(self.source, "read"):
            self.source.seek(0)
            for line in itertools.islice(self.source, self.limit):
                if isinstance(line, bytes):
                    line = line.decode(self.encoding, self.unicode_errors)
                yield line
        else:
            with open_text(self.source, self.encoding, self.unicode_errors) as fin:
                yield from itertools.islice(fin, self.limit)

    def __iter__(self):
        n = self.max_sentence_length
        for line in self._lines():
            tokens = line.split()
            if not tokens:
                continue  # blank lines are not sentences (as in gensim)
            if len(tokens) <= n:
                yield tokens
            else:
                for i in range(0, len(tokens), n):
                    yield tokens[i:i + n]


def iter_line_blocks(path, block_size=1 << 19):
    """Yield the bytes of ``path`` (decompressed) in blocks of whole lines of about ``block_size`` bytes.

    A block ends just after a ``'\\n'`` or ``'\\r'`` (or at the end of the file); a line longer than
    ``block_size`` makes its block longer, it is never cut.
    """
    carry = b""
    with open_binary(path) as fin:
        while True:
            chunk = fin.read(block_size)
            if not chunk:
                break
            data = carry + chunk if carry else chunk
            cut = max(data.rfind(b"\n"), data.rfind(b"\r")) + 1
            if cut == 0:
                carry = data
                continue
            carry = data[cut:]
            yield data[:cut]
    if carry:
        yield carry


def uncompressed_size(path):
    """Size in bytes of the (decompressed) contents of ``path``; reads compressed files once."""
    path = os.fspath(path)
    if os.path.splitext(path)[1].lower() not in _OPENERS:
        return os.path.getsize(path)
    total = 0
    with open_binary(path) as fin:
        while True:
            chunk = fin.read(1 << 20)
            if not chunk:
                return total
            total += len(chunk)
