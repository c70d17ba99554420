"""Checks of arguments, in one place: every bad value raises an error naming the parameter.

Private module used by :mod:`cw2v.word2vec`, :mod:`cw2v.keyedvectors` and :mod:`cw2v.distributed`. It imports
no other cw2v module.

- :func:`check_int`, :func:`check_float`, :func:`check_flag`: numbers in a range (``ValueError``);
- :func:`check_utf8`: a block of corpus text is valid UTF-8 (``UnicodeDecodeError`` naming the file);
- :func:`refuse_unknown_keywords`: keyword arguments a function does not take (``TypeError`` naming them,
  and what replaced those that gensim 3 took).
"""
from __future__ import annotations

import math
from numbers import Integral


def is_integer(value):
    """Whether `value` is an integer (Python ``int``, NumPy integer or another :class:`numbers.Integral`), not a bool.

    Returns
    -------
    bool
    """
    return isinstance(value, Integral) and not isinstance(value, bool)


def check_int(name, value, low, high=None, *, expected=None):
    """`value` as an ``int`` if it is an integer in ``[low, high]``; otherwise a ValueError naming `name`.

    Parameters
    ----------
    name : str
        The parameter, as messages name it.
    value : object
        Any integer but a bool (``True`` is refused, as is ``1.0``).
    low : int
        Smallest value allowed.
    high : int, optional
        Largest value allowed (default: no bound).
    expected : str, optional
        What the message says the value must be, e.g. ``'a positive integer'``: the error is then
        ``"<name> must be <expected>, got <value!r>"`` whatever failed. Default: ``"<name> must be an integer,
        got ..."`` for a non-integer, ``"<name> must be >= <low>, got ..."`` (or ``[<low>, <high>]``) for one
        out of range.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        If `value` is not an integer or lies outside the range.
    """
    in_range = is_integer(value) and not (value < low or (high is not None and value > high))
    if in_range:
        return int(value)
    if expected is not None:
        raise ValueError(f"{name} must be {expected}, got {value!r}")
    if not is_integer(value):
        raise ValueError("%s must be an integer, got %r" % (name, value))
    rng = "[%s, %s]" % (low, high) if high is not None else ">= %s" % low
    raise ValueError("%s must be %s, got %r" % (name, rng, value))


def check_flag(name, value):
    """`value` as 0 or 1: a bool, or the integer 0 or 1 (a 0/1 switch such as ``sg`` or ``hs``).

    Returns
    -------
    int
        0 or 1.

    Raises
    ------
    ValueError
        For any other value (``"<name> must be [0, 1], got ..."``).
    """
    return check_int(name, int(value) if isinstance(value, bool) else value, 0, 1)


def check_float(name, value, low, low_inclusive=True):
    """`value` as a ``float`` if it is a finite number at least (or, not `low_inclusive`, above) `low`.

    Parameters
    ----------
    name : str
        The parameter, as messages name it.
    value : object
        Anything ``float()`` accepts (an int, a NumPy number, a numeric string).
    low : float
        Lower bound.
    low_inclusive : bool, optional
        Whether `low` itself is allowed (default True).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If `value` is not a number, is NaN or infinite, or is below (or, exclusive, at) `low`.
    """
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError("%s must be a number, got %r" % (name, value)) from None
    if not math.isfinite(v) or v < low or (v == low and not low_inclusive):
        raise ValueError("%s must be a finite number %s %s, got %r"
                         % (name, ">=" if low_inclusive else ">", low, value))
    return v


def check_utf8(data, path):
    """Raise ``UnicodeDecodeError`` (naming `path`) unless the block `data` is valid UTF-8.

    Training from a file is strict, like ``LineSentence``'s default: a token with invalid bytes is an
    error, not an out-of-vocabulary word. CPython validates mostly-ASCII text at several GB/s.

    Parameters
    ----------
    data : bytes
        A block of whole lines of the corpus.
    path : str
        The file it comes from (for the message).

    Raises
    ------
    UnicodeDecodeError
        Its reason ends with ``"(in a block of <path>)"``; offsets are within `data`.
    """
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnicodeDecodeError(exc.encoding, exc.object, exc.start, exc.end,
                                 "%s (in a block of %s)" % (exc.reason, path)) from None


def refuse_unknown_keywords(function, kwargs, renamed=None):
    """Raise TypeError if `kwargs` is not empty: a function taking ``**kwargs`` for nothing refuses them.

    Parameters
    ----------
    function : str
        The function, as the message names it (e.g. ``'Word2Vec.train()'``).
    kwargs : dict
        The keyword arguments it was given beyond those it takes.
    renamed : dict of str to str, optional
        Old names (gensim 3's) and what replaced them; the message says so for those given.

    Raises
    ------
    TypeError
        Naming every unknown keyword, in the order given, e.g. ``"Word2Vec.train() got unexpected keyword
        arguments 'sentences', 'iter' (gensim 4 renamed sentences= to corpus_iterable=, iter= to epochs=)"``.
    """
    if not kwargs:
        return
    names = list(kwargs)
    what = "an unexpected keyword argument" if len(names) == 1 else "unexpected keyword arguments"
    message = "%s got %s %s" % (function, what, ", ".join(repr(name) for name in names))
    hints = ["%s= to %s=" % (name, (renamed or {})[name]) for name in names if name in (renamed or {})]
    if hints:
        message += " (gensim 4 renamed %s)" % ", ".join(hints)
    raise TypeError(message)
