"""Corpus readers: iterables of sentences (lists of str tokens) over files, with gensim's semantics.

- :class:`LineSentence`: one sentence per line, tokens separated by whitespace, lines longer than
  ``max_sentence_length`` tokens split into consecutive pieces (never dropped).
- :class:`PathLineSentences`: the same over every file of a directory, in sorted file-name order.
- :class:`Text8Corpus`: one huge line of space-separated tokens (like ``text8``) cut into sentences of
  ``max_sentence_length`` tokens.

Files ending in ``.gz``, ``.bz2``, ``.xz`` and ``.lzma`` are decompressed transparently (:mod:`cw2v._fileio`).
Sources written as URIs (``s3://...``, ``https://...``, ...) are opened with `smart_open
<https://github.com/piskvorky/smart_open>`_ when it is installed; plain paths never need it.
"""
from __future__ import annotations

import io
import itertools
import logging
import os
import re

from cw2v import _fileio

__all__ = ["LineSentence", "PathLineSentences", "Text8Corpus", "BrownCorpus", "open_text"]

logger = logging.getLogger(__name__)

#: ``scheme://`` at the start of a source: a URI for smart_open (a Windows drive ``C:\\`` is not one).
_URI = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+)://")

#: Bytes read at a time by :class:`Text8Corpus` (gensim's block size; it decides where tokens are cut).
TEXT8_BLOCK = 8192


def is_uri(path):
    """True if ``path`` is a string of the form ``scheme://...`` (other than ``file://``)."""
    if not isinstance(path, str):
        return False
    match = _URI.match(path)
    return bool(match) and match.group(1).lower() != "file"


def open_uri(uri, mode="rb", **kwargs):
    """Open a URI with smart_open (which compresses and decompresses by extension, like :func:`open_binary`).

    Raises
    ------
    ValueError
        If smart_open is not installed.
    """
    try:
        import smart_open
    except ImportError:
        raise ValueError("%r is a URI; opening URIs needs the optional package smart_open "
                         "(pip install smart_open)" % (uri,)) from None
    return smart_open.open(uri, mode, **kwargs)


def local_path(source):
    """The local file-system path named by ``source`` (a path, or a ``file://`` URI), or None for a URI."""
    path = os.fspath(source)
    if isinstance(path, str) and path[:7].lower() == "file://":
        return path[7:]
    return None if is_uri(path) else path


def open_binary(path):
    """Open ``path`` for reading bytes, decompressing ``.gz``, ``.bz2``, ``.xz`` and ``.lzma`` by extension.

    Parameters
    ----------
    path : str or os.PathLike
        A local path, a ``file://`` URI, or any URI smart_open supports (needs smart_open).

    Returns
    -------
    binary file object

    Raises
    ------
    OSError
        If the file cannot be opened.
    ValueError
        A URI when smart_open is not installed.
    """
    local = local_path(path)
    if local is None:
        return open_uri(os.fspath(path))
    return _fileio.open_read(local)


def open_text(path, encoding="utf8", errors="strict"):
    """Open ``path`` for reading text (see :func:`open_binary` for compression).

    Parameters
    ----------
    path : str or os.PathLike
        A local path, a ``file://`` URI, or any URI smart_open supports (needs smart_open).
    encoding : str, optional
        Text encoding (default ``'utf8'``).
    errors : str, optional
        Decoding error handler (default ``'strict'``).

    Returns
    -------
    io.TextIOWrapper

    Raises
    ------
    OSError
        If the file cannot be opened.
    ValueError
        For a URI without smart_open installed.
    """
    return io.TextIOWrapper(open_binary(path), encoding=encoding, errors=errors)


class LineSentence:
    """Iterate over a text file (or file object) yielding one list of tokens per non-blank line.

    Parameters
    ----------
    source : str, os.PathLike or file object
        A path (``.gz``, ``.bz2``, ``.xz`` and ``.lzma`` are decompressed transparently) or an open file
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


class _NoSuchSource(ValueError, FileNotFoundError):
    """A corpus source that is neither a file nor a directory (a ValueError, as in gensim)."""


class PathLineSentences:
    """Like :class:`LineSentence`, over all the files of a directory in sorted file-name order.

    Every file is read as by :class:`LineSentence` (``.gz``, ``.bz2``, ``.xz``, ``.lzma`` decompressed by extension,
    anything else read as UTF-8 text). Subdirectories are not entered (and are skipped). The file list is
    taken when the object is created (attribute ``input_files``), as in gensim.

    Parameters
    ----------
    source : str or os.PathLike
        A directory, or a single file (or a URI, read as one file; needs smart_open).
    max_sentence_length : int, optional
        Lines with more tokens are split into pieces of at most this many tokens (default 10000).
    limit : int or None, optional
        Read only the first ``limit`` lines of *each* file (default: all).
    encoding : str, optional
        Text encoding (default UTF-8).
    unicode_errors : str, optional
        ``'strict'`` (default), ``'replace'`` or ``'ignore'``.

    Raises
    ------
    ValueError
        If ``source`` is neither a file nor a directory (also a ``FileNotFoundError``), or
        ``max_sentence_length`` < 1, or ``limit`` < 0.

    Examples
    --------
    >>> sentences = PathLineSentences("corpus_dir/")     # doctest: +SKIP
    >>> model = Word2Vec(sentences)                       # doctest: +SKIP
    """

    def __init__(self, source, max_sentence_length=10000, limit=None, encoding="utf8", unicode_errors="strict"):
        LineSentence(None, max_sentence_length, limit)  # validates the numbers
        self.source = source
        self.max_sentence_length = int(max_sentence_length)
        self.limit = limit
        self.encoding = encoding
        self.unicode_errors = unicode_errors
        if is_uri(source):
            self.input_files = [source]
            return
        path = os.fspath(source)
        if os.path.isfile(path):
            self.input_files = [path]
        elif os.path.isdir(path):
            names = sorted(os.listdir(path))
            self.input_files = [os.path.join(path, name) for name in names
                                if os.path.isfile(os.path.join(path, name))]
            skipped = len(names) - len(self.input_files)
            if skipped:
                logger.warning("PathLineSentences: skipping %d subdirectories of %s (no recursion)", skipped, path)
            logger.info("PathLineSentences: %d files in %s", len(self.input_files), path)
        else:
            raise _NoSuchSource("PathLineSentences: %r is neither a file nor a directory" % (path,))

    def __iter__(self):
        for name in self.input_files:
            logger.info("reading file %s", name)
            yield from LineSentence(name, self.max_sentence_length, self.limit, self.encoding, self.unicode_errors)


def _read_full(fin, size):
    """Read ``size`` bytes (fewer only at the end of the file), looping over short reads."""
    data = fin.read(size)
    if data is None:
        data = b""
    while 0 < len(data) < size:
        more = fin.read(size - len(data))
        if not more:
            break
        data += more
    return bytes(data)


class Text8Corpus:
    """Sentences of ``max_sentence_length`` tokens from a file that is one huge line, like ``text8``.

    Gives exactly gensim's sentences: the file is read in blocks of 8192 bytes; each block (after the
    bytes carried over from the previous one) is split at its last space byte, the part before it is
    tokenized on whitespace and the part after it, stripped of surrounding ASCII whitespace, is carried
    over to the next block. Consequently a newline that falls at the very end of a block does not
    separate the tokens around it (gensim's behaviour, kept for identical results). Full sentences of
    ``max_sentence_length`` tokens are yielded as soon as they are complete; the last sentence holds
    the remaining tokens (fewer, or a few more when the text after the last space holds several
    tokens separated by other whitespace).

    Parameters
    ----------
    fname : str, os.PathLike or binary file object
        The file (``.gz``, ``.bz2``, ``.xz``, ``.lzma`` decompressed; URIs need smart_open). A file object is
        rewound with ``seek(0)`` at each iteration.
    max_sentence_length : int, optional
        Tokens per sentence (default 10000).

    Raises
    ------
    ValueError
        If ``max_sentence_length`` < 1.
    UnicodeDecodeError
        If the text is not valid UTF-8 (when iterating).
    """

    def __init__(self, fname, max_sentence_length=10000):
        if isinstance(max_sentence_length, bool) or int(max_sentence_length) != max_sentence_length \
                or max_sentence_length < 1:
            raise ValueError("max_sentence_length must be an integer >= 1, got %r" % (max_sentence_length,))
        self.fname = fname
        self.max_sentence_length = int(max_sentence_length)

    def _open(self):
        if hasattr(self.fname, "read"):
            self.fname.seek(0)
            return _Unclosed(self.fname)
        return open_binary(self.fname)

    def __iter__(self):
        n = self.max_sentence_length
        sentence = []
        carry = b""
        with self._open() as fin:
            while True:
                block = _read_full(fin, TEXT8_BLOCK)
                if not block:  # end of file: whatever was carried over ends the last sentence
                    sentence.extend(carry.decode("utf8").split())
                    if sentence:
                        yield sentence
                    return
                data = carry + block
                cut = data.rfind(b" ")
                if cut < 0:
                    carry = data  # no space yet: the token may go on in the next block
                    continue
                sentence.extend(data[:cut].decode("utf8").split())
                carry = data[cut:].strip()
                while len(sentence) >= n:
                    yield sentence[:n]
                    sentence = sentence[n:]


class BrownCorpus:
    """Sentences of the Brown corpus as NLTK ships it: one file per text, one sentence per line of ``word/TAG``.

    Each token becomes ``word.lower() + '/' + TAG[:2]``; tokens that are not exactly ``word/TAG`` or whose
    tag does not start with two letters (punctuation tags) are dropped, and so are lines left empty, as in
    gensim. Every regular file of ``dirname`` is read, in the order ``os.listdir`` gives.

    Parameters
    ----------
    dirname : str or os.PathLike
        The folder of the corpus files.

    Raises
    ------
    FileNotFoundError
        If ``dirname`` is not a folder (when iterating).
    UnicodeDecodeError
        If a file is not valid UTF-8 (when iterating).
    """

    def __init__(self, dirname):
        self.dirname = dirname

    def __iter__(self):
        for name in os.listdir(self.dirname):
            path = os.path.join(self.dirname, name)
            if not os.path.isfile(path):
                continue
            with open_binary(path) as fin:
                for line in fin:
                    words = []
                    for token in line.decode("utf8").split():
                        parts = token.split("/")
                        if len(parts) == 2 and parts[1][:2].isalpha():
                            words.append("%s/%s" % (parts[0].lower(), parts[1][:2]))
                    if words:
                        yield words


class _Unclosed:
    """Context manager giving a caller's file object without closing it."""

    def __init__(self, fobj):
        self.fobj = fobj

    def __enter__(self):
        return self.fobj

    def __exit__(self, *exc):
        return False


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
    if _fileio.compression_of(path) is None:
        return os.path.getsize(path)
    total = 0
    with open_binary(path) as fin:
        while True:
            chunk = fin.read(1 << 20)
            if not chunk:
                return total
            total += len(chunk)
