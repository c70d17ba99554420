"""Helpers with gensim's semantics: text (:func:`simple_preprocess`, :func:`tokenize`, :func:`deaccent`),
files (:func:`open`, :func:`save_as_line_sentence`) and corpora (:class:`RepeatCorpus`,
:class:`RepeatCorpusNTimes`), as ``gensim.utils`` offers them.

Also re-exports the ``trim_rule`` constants :data:`RULE_DEFAULT`, :data:`RULE_DISCARD` and
:data:`RULE_KEEP` from :mod:`cw2v.vocab`, so ``from cw2v.utils import RULE_KEEP`` works as
``from gensim.utils import RULE_KEEP`` does.
"""
from __future__ import annotations

import builtins
import io
import itertools
import re
import subprocess
import unicodedata
from collections.abc import Iterable, Iterator
from typing import IO, Any, cast

from cw2v import _fileio
from cw2v._typing import StrPath
from cw2v.corpora import local_path, open_binary, open_uri
from cw2v.vocab import RULE_DEFAULT, RULE_DISCARD, RULE_KEEP

__all__ = ["simple_preprocess", "tokenize", "simple_tokenize", "deaccent", "to_unicode", "any2unicode",
           "open", "save_as_line_sentence", "RepeatCorpus", "RepeatCorpusNTimes", "check_output",
           "RULE_DEFAULT", "RULE_DISCARD", "RULE_KEEP"]

#: A token: a maximal run of word characters that are not decimal digits (Unicode-aware).
_TOKEN = re.compile(r"[^\W\d]+")


def to_unicode(text: str | bytes | bytearray | memoryview, encoding: str = "utf8", errors: str = "strict") -> str:
    """Return `text` as ``str``, decoding ``bytes``/``bytearray`` with `encoding`.

    Parameters
    ----------
    text : str, bytes or bytearray
    encoding : str, optional
        Codec for byte strings (default UTF-8).
    errors : str, optional
        Decoding error handler (``'strict'``, ``'ignore'``, ``'replace'``, ...).

    Returns
    -------
    str

    Raises
    ------
    TypeError
        If `text` is neither a string nor bytes.
    """
    if isinstance(text, str):
        return text
    if isinstance(text, (bytes, bytearray, memoryview)):
        return bytes(text).decode(encoding, errors)
    raise TypeError("expected str or bytes, got %s" % type(text).__name__)


any2unicode = to_unicode  # gensim's other name for it


def deaccent(text: str | bytes) -> str:
    """Strip accents (combining marks) from the letters of `text`.

    The text is decomposed (NFD), nonspacing marks (category ``Mn``) are dropped and the rest is
    recomposed (NFC), exactly as gensim does. Byte strings are decoded as UTF-8.

    Parameters
    ----------
    text : str or bytes

    Returns
    -------
    str

    Examples
    --------
    >>> deaccent("Šéf chomutovských komunistů")
    'Sef chomutovskych komunistu'
    """
    text = to_unicode(text)
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", kept)


def simple_tokenize(text: str) -> Iterator[str]:
    """Yield the maximal runs of alphabetic word characters of `text` (digits and punctuation split).

    Parameters
    ----------
    text : str

    Yields
    ------
    str
    """
    for match in _TOKEN.finditer(text):
        yield match.group(0)


def tokenize(text: str | bytes, lowercase: bool = False, deacc: bool = False, encoding: str = "utf8",
             errors: str = "strict", to_lower: bool = False, lower: bool = False) -> Iterator[str]:
    """Yield the alphabetic tokens of `text`, optionally lower-cased and without accents (gensim's API).

    A token is a maximal run of Unicode word characters other than decimal digits: ``"don't"`` gives
    ``don`` and ``t``, ``"abc123def"`` gives ``abc`` and ``def``; underscores are word characters.

    Parameters
    ----------
    text : str or bytes
        The text; bytes are decoded with `encoding` and `errors`.
    lowercase, to_lower, lower : bool, optional
        Lower-case the text first (the three names are aliases, as in gensim).
    deacc : bool, optional
        Remove accents first (:func:`deaccent`; applied after lower-casing).
    encoding : str, optional
        Codec for byte strings (default UTF-8).
    errors : str, optional
        Decoding error handler for byte strings (default ``'strict'``).

    Returns
    -------
    iterator of str

    Examples
    --------
    >>> list(tokenize("Nic nemůže letět rychlostí 300 km!", deacc=True))
    ['Nic', 'nemuze', 'letet', 'rychlosti', 'km']
    """
    text = to_unicode(text, encoding, errors)
    if lowercase or to_lower or lower:
        text = text.lower()
    if deacc:
        text = deaccent(text)
    return simple_tokenize(text)


def simple_preprocess(doc: str | bytes, deacc: bool = False, min_len: int = 2, max_len: int = 15) -> list[str]:
    """Lower-cased tokens of `doc` with ``min_len <= len(token) <= max_len``, as gensim's function.

    Tokens come from :func:`tokenize` (lower-cased, accents removed when `deacc`); tokens starting
    with ``'_'`` are dropped. Byte strings are decoded as UTF-8, ignoring undecodable bytes.

    Parameters
    ----------
    doc : str or bytes
        The document.
    deacc : bool, optional
        Remove accents (default False).
    min_len : int, optional
        Shortest token kept, inclusive (default 2).
    max_len : int, optional
        Longest token kept, inclusive (default 15).

    Returns
    -------
    list of str

    Raises
    ------
    TypeError
        If `doc` is not a string or bytes.

    Examples
    --------
    >>> simple_preprocess("Hello, World! It's 2024 -- naïve café.", deacc=True)
    ['hello', 'world', 'it', 'naive', 'cafe']
    """
    return [tok for tok in tokenize(doc, lower=True, deacc=deacc, errors="ignore")
            if min_len <= len(tok) <= max_len and not tok.startswith("_")]


def open(uri: StrPath | IO[Any], mode: str = "r", buffering: int = -1, encoding: str | None = None,
         errors: str | None = None, newline: str | None = None, **kwargs: Any) -> IO[Any]:
    """Open a path (or, with smart_open installed, a URI) compressing or decompressing by extension.

    What ``gensim.utils.open`` (smart_open's ``open``) does for local files: ``.gz``, ``.bz2``, ``.xz``
    and ``.lzma`` files are read and written through their codec (:data:`cw2v._fileio.COMPRESSIONS`);
    ``'r'``/``'w'``/``'a'`` modes give text (`encoding` default UTF-8), ``'rb'``/``'wb'``/``'ab'`` bytes.

    Parameters
    ----------
    uri : str, os.PathLike or file object
        A file object is returned as is.
    mode : str, optional
        As for the built-in :func:`open` (default ``'r'``).
    buffering, encoding, errors, newline : optional
        As for the built-in :func:`open`; `encoding` defaults to UTF-8 in text modes.
    **kwargs
        Passed to ``smart_open.open`` for URIs (e.g. ``transport_params``); ignored for local files.

    Returns
    -------
    file object

    Raises
    ------
    OSError
        If the file cannot be opened.
    ValueError
        A URI when smart_open is not installed.
    """
    if hasattr(uri, "read") or hasattr(uri, "write"):
        return cast("IO[Any]", uri)
    text = "b" not in mode
    enc = (encoding or "utf8") if text else None
    path = local_path(uri)
    if path is None:
        return open_uri(uri, mode, buffering=buffering, encoding=enc, errors=errors, newline=newline, **kwargs)
    if _fileio.compression_of(path) is not None:
        if mode.startswith("r"):
            raw = open_binary(path)
        else:
            raw = _fileio.open_compressed(path, mode.replace("t", "").replace("b", "") + "b")
        return io.TextIOWrapper(raw, encoding=enc, errors=errors, newline=newline) if text else raw
    return builtins.open(path, mode, buffering=buffering, encoding=enc, errors=errors, newline=newline)


def save_as_line_sentence(corpus: Iterable[Iterable[str]], filename: StrPath) -> None:
    """Write `corpus` in :class:`cw2v.LineSentence` format: one sentence per line, tokens joined by spaces.

    Parameters
    ----------
    corpus : iterable of list of str
    filename : str or os.PathLike
        Written as UTF-8; ``.gz``/``.bz2``/``.xz``/``.lzma`` are compressed (see :func:`open`).
    """
    with open(filename, "wb") as fout:
        for sentence in corpus:
            fout.write((" ".join(to_unicode(tok) for tok in sentence) + "\n").encode("utf8"))


class RepeatCorpus:
    """The documents of `corpus` repeated in order until there are `reps` of them (gensim's class).

    Parameters
    ----------
    corpus : iterable
        Must be re-iterable.
    reps : int
        Number of documents yielded.
    """

    def __init__(self, corpus: Iterable[Any], reps: int) -> None:
        self.corpus = corpus
        self.reps = reps

    def __iter__(self) -> Iterator[Any]:
        return itertools.islice(itertools.cycle(self.corpus), self.reps)


class RepeatCorpusNTimes:
    """The documents of `corpus`, `n` times over (gensim's class).

    Parameters
    ----------
    corpus : iterable
        Must be re-iterable.
    n : int
    """

    def __init__(self, corpus: Iterable[Any], n: int) -> None:
        self.corpus = corpus
        self.n = n

    def __iter__(self) -> Iterator[Any]:
        for _ in range(self.n):
            yield from self.corpus


def check_output(stdout: Any = subprocess.PIPE, *popenargs: Any, **kwargs: Any) -> bytes | str:
    """Run a command and return what it printed (bytes), as ``gensim.utils.check_output``.

    Parameters
    ----------
    stdout : optional
        Where the command's standard output goes (default ``subprocess.PIPE``, so that it is returned).
    *popenargs, **kwargs
        Passed to :class:`subprocess.Popen` (``args=[...]`` names the command).

    Returns
    -------
    bytes or str
        The command's standard output (``str`` if ``text=True`` or an `encoding` is passed on to
        :class:`subprocess.Popen`).

    Raises
    ------
    subprocess.CalledProcessError
        If the command exits with a non-zero status (the output is attached).
    """
    process = subprocess.Popen(*popenargs, stdout=stdout, **kwargs)  # type: ignore[call-overload]
    output, _ = process.communicate()
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, kwargs.get("args", popenargs), output=output)
    return output
