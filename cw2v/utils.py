"""Text helpers with gensim's semantics: :func:`simple_preprocess`, :func:`tokenize`, :func:`deaccent`.

Also re-exports the ``trim_rule`` constants :data:`RULE_DEFAULT`, :data:`RULE_DISCARD` and
:data:`RULE_KEEP` from :mod:`cw2v.vocab`, so ``from cw2v.utils import RULE_KEEP`` works as
``from gensim.utils import RULE_KEEP`` does.
"""
from __future__ import annotations

import re
import unicodedata

from cw2v.vocab import RULE_DEFAULT, RULE_DISCARD, RULE_KEEP

__all__ = ["simple_preprocess", "tokenize", "simple_tokenize", "deaccent", "to_unicode",
           "RULE_DEFAULT", "RULE_DISCARD", "RULE_KEEP"]

#: A token: a maximal run of word characters that are not decimal digits (Unicode-aware).
_TOKEN = re.compile(r"[^\W\d]+")


def to_unicode(text, encoding="utf8", errors="strict"):
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


def deaccent(text):
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


def simple_tokenize(text):
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


def tokenize(text, lowercase=False, deacc=False, encoding="utf8", errors="strict", to_lower=False, lower=False):
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


def simple_preprocess(doc, deacc=False, min_len=2, max_len=15):
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
