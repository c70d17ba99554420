"""Collocation (phrase) detection: glue frequent word pairs such as ``new york`` into ``new_york``.

The detector follows Mikolov et al. 2013b, "Distributed Representations of Words and Phrases and
their Compositionality", with the API and the exact semantics of gensim 4's ``Phrases``: the same
scoring functions, the same handling of connector words (``bank_of_america``), the same counts and
the same pruning of the counts when the vocabulary outgrows ``max_vocab_size``.

>>> from cw2v.phrases import Phrases, ENGLISH_CONNECTOR_WORDS
>>> corpus = [["new", "york", "is", "big"], ["i", "love", "new", "york"]] * 10
>>> bigram = Phrases(corpus, min_count=1, threshold=0.5)
>>> bigram[["i", "saw", "new", "york"]]
['i', 'saw', 'new_york']

Models are saved as JSON (no pickle), through a temporary file renamed into place:

>>> bigram.save("bigram.json")                       # doctest: +SKIP
>>> bigram = Phrases.load("bigram.json")             # doctest: +SKIP

A custom scoring function is saved by name (its module and qualified name), as pickle would refer to
it; loading finds it again only in a module the program has already imported, so loading a file never
imports or runs code that the file names.
"""
from __future__ import annotations

import abc
import inspect
import io
import json
import logging
import math
import os
import sys
import time
import types
from collections.abc import Callable, Collection, Iterable, Iterator
from itertools import chain, islice
from typing import IO, Any, Literal, TypeAlias, overload

from cw2v import _fileio, persist
from cw2v._lifecycle import LifecycleEvents
from cw2v._typing import StrPath

#: A phrase scorer: called with the keyword arguments ``worda_count, wordb_count, bigram_count, len_vocab,
#: min_count, corpus_word_count``, returns the score.
Scorer: TypeAlias = Callable[..., float]

try:  # the C helper behind ``collections.Counter.update``; plain dicts work with it
    from collections import _count_elements  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - other Python implementations
    def _count_elements(mapping, iterable):
        get = mapping.get
        for item in iterable:
            mapping[item] = get(item, 0) + 1

logger = logging.getLogger(__name__)

__all__ = [
    "Phrases", "FrozenPhrases", "Phraser", "ENGLISH_CONNECTOR_WORDS", "original_scorer", "npmi_scorer",
]

NEGATIVE_INFINITY = float("-inf")

#: English articles, prepositions and conjunctions allowed inside a phrase but never at its ends
#: (the same set as gensim's ``ENGLISH_CONNECTOR_WORDS``).
ENGLISH_CONNECTOR_WORDS = frozenset((
    "a", "an", "the",
    "for", "of", "with", "without", "at", "from", "to", "in", "on", "by",
    "and", "or",
))

_SCORER_PARAMS = ("worda_count", "wordb_count", "bigram_count", "len_vocab", "min_count", "corpus_word_count")

_FORMAT = "cw2v-phrases"
_FORMAT_VERSION = 1


def original_scorer(worda_count: int, wordb_count: int, bigram_count: int, len_vocab: int, min_count: float,
                    corpus_word_count: int) -> float:
    """Score a bigram with the formula of Mikolov et al. 2013b.

    Parameters
    ----------
    worda_count : int
        Count of the first word.
    wordb_count : int
        Count of the last word.
    bigram_count : int
        Count of the phrase (the two words with any connector words between them).
    len_vocab : int
        Number of entries (words and phrases) in the vocabulary.
    min_count : int
        The model's ``min_count``; subtracted from ``bigram_count`` as a discount.
    corpus_word_count : int
        Ignored (part of the common scorer signature).

    Returns
    -------
    float
        ``(bigram_count - min_count) / (worda_count * wordb_count) * len_vocab``, which is negative
        for phrases seen fewer than ``min_count`` times, or ``-inf`` if a word count is zero.
    """
    product = worda_count * wordb_count
    if product == 0:
        return NEGATIVE_INFINITY
    return (bigram_count - min_count) / float(product) * len_vocab


def npmi_scorer(worda_count: int, wordb_count: int, bigram_count: int, len_vocab: int, min_count: float,
                corpus_word_count: int) -> float:
    """Score a bigram by its normalized pointwise mutual information (Bouma 2009).

    Parameters
    ----------
    worda_count : int
        Count of the first word.
    wordb_count : int
        Count of the last word.
    bigram_count : int
        Count of the phrase.
    len_vocab : int
        Ignored (part of the common scorer signature).
    min_count : int
        Phrases seen fewer times than this score ``-inf``.
    corpus_word_count : int
        Number of tokens in the corpus, the denominator of every probability.

    Returns
    -------
    float
        ``log(p(a,b) / (p(a) p(b))) / -log(p(a,b))``, in [-1, 1]; ``-inf`` if ``bigram_count <
        min_count`` or a count is zero.
    """
    if bigram_count < min_count:
        return NEGATIVE_INFINITY
    total = float(corpus_word_count)
    p_a = worda_count / total
    p_b = wordb_count / total
    p_ab = bigram_count / total
    try:
        return math.log(p_ab / (p_a * p_b)) / -math.log(p_ab)
    except (ValueError, ZeroDivisionError):
        return NEGATIVE_INFINITY


_BUILTIN_SCORERS = {"default": original_scorer, "npmi": npmi_scorer}


def _scorer_name(scoring):
    """Name of a built-in scorer (``'default'`` / ``'npmi'``; gensim's count too), or None for a custom callable."""
    for name, func in _BUILTIN_SCORERS.items():
        if scoring is func:
            return name
    if getattr(scoring, "__module__", None) == "gensim.models.phrases":
        return {"original_scorer": "default", "npmi_scorer": "npmi"}.get(getattr(scoring, "__qualname__", None))
    return None


def _find_function(module_name, qualname):
    """The plain Python function at ``module_name``/``qualname``, looked up without importing or running code.

    Only a module already in ``sys.modules`` is searched, attributes are read with
    :func:`inspect.getattr_static` (no properties or ``__getattr__`` hooks run), and the result must be a
    function whose own ``__module__`` and ``__qualname__`` are the ones asked for. Returns None otherwise.
    """
    if not isinstance(module_name, str) or not isinstance(qualname, str) or not qualname or "<" in qualname:
        return None
    obj = sys.modules.get(module_name)
    if obj is None:
        return None
    for part in qualname.split("."):
        try:
            obj = inspect.getattr_static(obj, part)
        except AttributeError:
            return None
        if isinstance(obj, staticmethod):
            obj = obj.__func__
    if (isinstance(obj, types.FunctionType) and obj.__module__ == module_name
            and obj.__qualname__ == qualname and _names_scorer_parameters(obj)):
        return obj
    return None


def _names_scorer_parameters(func):
    """Whether ``func`` names each scorer parameter (a keyword it can take) and needs no other argument.

    Functions found by a name read from a file must pass this, so a file can only pick functions written
    to score phrases, not any function that happens to take ``**kwargs``.
    """
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False
    keyword_kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    if any(name not in params or params[name].kind not in keyword_kinds for name in _SCORER_PARAMS):
        return False
    return all(p.name in _SCORER_PARAMS or p.default is not inspect.Parameter.empty
               or p.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
               for p in params.values())


def _scoring_to_json(scoring):
    """How ``scoring`` is saved: ``'default'``, ``'npmi'``, ``{"module": ..., "qualname": ...}``, or None
    if it is a callable that cannot be found again by name (a lambda, a nested function, an object)."""
    name = _scorer_name(scoring)
    if name is not None:
        return name
    module, qualname = getattr(scoring, "__module__", None), getattr(scoring, "__qualname__", None)
    if _find_function(module, qualname) is scoring:
        return {"module": module, "qualname": qualname}
    return None


def _scoring_from_json(value, path):
    """The scorer saved as ``value``: ``(callable, None)``, or ``(None, reference)`` for a custom function
    that cannot be found in the modules imported so far (None, None when none was saved)."""
    if value is None:
        return None, None
    if isinstance(value, str):
        if value not in _BUILTIN_SCORERS:
            raise ValueError("%s: unknown scoring %r" % (path, value))
        return _BUILTIN_SCORERS[value], None
    if not (isinstance(value, dict) and set(value) == {"module", "qualname"}
            and all(isinstance(v, str) for v in value.values())):
        raise ValueError("%s: bad scoring %r" % (path, value))
    func = _find_function(value["module"], value["qualname"])
    if func is None:
        return None, value
    try:
        return _resolve_scoring(func), None
    except ValueError as err:
        raise ValueError("%s: the saved scoring function %s.%s does not fit: %s"
                         % (path, value["module"], value["qualname"], err)) from None


def _resolve_scoring(scoring):
    """Turn the ``scoring`` argument into a callable, checking a custom one's parameter names."""
    if isinstance(scoring, str):
        try:
            return _BUILTIN_SCORERS[scoring]
        except KeyError:
            raise ValueError("scoring must be 'default', 'npmi' or a callable, got %r" % (scoring,)) from None
    if not callable(scoring):
        raise ValueError("scoring must be 'default', 'npmi' or a callable, got %r" % (scoring,))
    try:
        params = inspect.signature(scoring).parameters
    except (TypeError, ValueError):  # some builtins have no signature: trust them
        return scoring
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return scoring
    missing = [name for name in _SCORER_PARAMS if name not in params
               or params[name].kind is inspect.Parameter.POSITIONAL_ONLY]
    if missing:
        raise ValueError("scoring function must accept the keyword arguments %s; missing %s"
                         % (", ".join(_SCORER_PARAMS), missing))
    return scoring


class _WrongTypeError(ValueError, TypeError):
    """A value of the wrong type: a ``ValueError`` as cw2v documents, and the ``TypeError`` gensim raises."""


class _MissingAttributeError(ValueError, AttributeError):
    """Not a Phrases model: a ``ValueError``, and the ``AttributeError`` gensim raises."""


def _check_connector_words(connector_words):
    if isinstance(connector_words, (str, bytes)):
        raise ValueError("connector_words must be a collection of words (e.g. a frozenset), not a string: %r"
                         % (connector_words,))
    try:
        words = frozenset(connector_words)
    except TypeError:
        raise _WrongTypeError("connector_words must be an iterable of str, got %r" % (connector_words,)) from None
    bad = [w for w in words if not isinstance(w, str)]
    if bad:
        raise _WrongTypeError("connector_words must contain only str, got %r" % (bad[:5],))
    return words


def _check_delimiter(delimiter):
    if not isinstance(delimiter, str):
        raise _WrongTypeError("delimiter must be a non-empty str, got %r" % (delimiter,))
    if not delimiter:
        raise ValueError("delimiter must be a non-empty str, got %r" % (delimiter,))
    return delimiter


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_threshold(threshold, scoring):
    """Check ``threshold``; its range only for ``scoring`` given by name, as gensim does (a scorer passed as a
    function, built-in or not, takes any number, and so does a loaded model)."""
    if not _is_number(threshold):
        raise _WrongTypeError("threshold must be a number, got %r" % (threshold,))
    if math.isnan(threshold):
        raise ValueError("threshold must be a number, got %r" % (threshold,))
    if scoring == "default" and threshold <= 0:
        raise ValueError("threshold must be > 0 for scoring='default', got %r" % (threshold,))
    if scoring == "npmi" and not -1 <= threshold <= 1:
        raise ValueError("threshold must be in [-1, 1] for scoring='npmi', got %r" % (threshold,))
    return threshold


def _is_single(obj):
    """Tell a single sentence from a corpus: returns ``(is_single, equivalent_obj)``.

    An empty iterable or one whose first item is a str is one sentence; anything else is a corpus.
    Iterators are peeked at and re-chained, so no item is lost.
    """
    if isinstance(obj, str):
        raise ValueError("expected a list of str tokens (or a corpus of them), got a str: %r" % (obj[:50],))
    try:
        it = iter(obj)
    except TypeError:
        raise _WrongTypeError("expected a list of str tokens or an iterable of them, got %r"
                              % (type(obj).__name__,)) from None
    try:
        first = next(it)
    except StopIteration:
        return True, obj
    is_iterator = it is obj
    rest = chain((first,), it) if is_iterator else obj
    if isinstance(first, str):
        return True, rest
    return False, rest


class _NotIndexableError(TypeError, RuntimeError):
    """Indexing a phrased corpus whose underlying corpus cannot be indexed (gensim raises RuntimeError)."""


class _PhrasedCorpus:
    """Lazy view of a corpus with phrases glued; re-iterable when the underlying corpus is.

    What ``model[corpus]`` returns, the counterpart of gensim's ``TransformedCorpus``: iterating it
    yields each sentence of ``corpus`` with its phrases glued, ``len()`` is the corpus's length, and
    indexing works when the corpus can be indexed (an int gives one phrased sentence, a slice another
    lazy view).

    Attributes
    ----------
    obj : _PhrasesTransformation
        The model applied.
    corpus : iterable of list of str
        The underlying corpus.
    """

    def __init__(self, model: _PhrasesTransformation, corpus: Iterable[Any]) -> None:
        self.obj = model
        self.corpus = corpus

    def __iter__(self) -> Iterator[list[str]]:
        glue = self.obj._glue
        for sentence in self.corpus:
            yield glue(sentence)

    def __len__(self):
        return len(self.corpus)

    def __getitem__(self, index):
        """Phrased sentence at ``index`` of the corpus (or a lazy view of a slice of it).

        Raises
        ------
        TypeError
            If the corpus cannot be indexed (a generator, for one); the exception is also a
            ``RuntimeError``, as gensim raises.
        """
        if not hasattr(self.corpus, "__getitem__"):
            raise _NotIndexableError("cannot index a phrased corpus built on a %s, which does not support "
                                     "indexing; iterate it instead, or build it on a list"
                                     % (type(self.corpus).__name__,))
        return self.obj[self.corpus[index]]


def _write_document(fname_or_handle, doc):
    """Write a phrases document as JSON to a path or to an open file (text or binary).

    A path is written atomically (:func:`cw2v._fileio.atomic_write`: a temporary file in the same folder,
    fsynced and renamed into place; a replaced file keeps its permission bits).
    """
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    if hasattr(fname_or_handle, "write"):
        if isinstance(fname_or_handle, io.TextIOBase):
            fname_or_handle.write(text)
        else:
            fname_or_handle.write(text.encode("utf-8"))
        return
    data = text.encode("utf-8")
    _fileio.atomic_write(fname_or_handle, lambda fout: fout.write(data))


def _check_save_args(ignore):
    if ignore:
        raise ValueError("ignore must be empty: a phrases model is saved whole, got %r" % (ignore,))


def _read_document(path, cls_name):
    """Read and check a saved phrases file; returns its JSON object.

    ``cls_name`` is the class whose ``load`` was called; the document may hold either class (as in
    gensim, ``Phrases.load`` of a saved ``FrozenPhrases`` returns that ``FrozenPhrases``).
    A gensim pickle (``Phrases``, ``Phraser`` or ``FrozenPhrases`` of gensim 3.x or 4.x) is read through
    :func:`cw2v.persist.gensim_phrases_document` (restricted unpickler, gensim never imported) into the same
    document; one referencing anything else, e.g. a custom scorer, raises ``cw2v.persist.UnsafePickleError``.
    """
    path = os.fspath(path)
    if persist.is_pickle_file(path):
        return persist.gensim_phrases_document(path, None)
    try:
        with open(path, encoding="utf-8") as fin:
            doc = json.load(fin)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError("%s is not a cw2v phrases file (invalid JSON: %s)" % (path, err)) from None
    if not isinstance(doc, dict) or doc.get("format") != _FORMAT:
        raise ValueError("%s is not a cw2v phrases file" % (path,))
    if doc.get("version") != _FORMAT_VERSION:
        raise ValueError("%s: unsupported cw2v phrases format version %r" % (path, doc.get("version")))
    if doc.get("class") not in ("Phrases", "FrozenPhrases"):
        raise ValueError("%s: unknown class %r in a cw2v phrases file" % (path, doc.get("class")))
    return doc


def _from_document(cls, doc, fname, scoring):
    """Build the model a phrases document holds: an instance of ``cls`` if it is (a subclass of) the
    document's class, else of the document's class (``Phrases`` or ``FrozenPhrases``)."""
    saved_cls = Phrases if doc["class"] == "Phrases" else FrozenPhrases
    if not (isinstance(cls, type) and issubclass(cls, saved_cls)):
        if cls is not _PhrasesTransformation:
            logger.info("%s holds a %s: loading it as such", fname, saved_cls.__name__)
        cls = saved_cls
    try:
        if saved_cls is Phrases:
            model = cls._from_phrases_document(doc, fname, scoring)
        else:
            model = cls._from_frozen_document(doc, fname, scoring)
    except (KeyError, TypeError) as err:
        raise ValueError("%s: corrupted cw2v phrases file (%s: %s)" % (fname, type(err).__name__, err)) from None
    events = doc.get("lifecycle_events", [])  # files written before cw2v recorded them have none
    if events is not None and not (isinstance(events, list) and all(isinstance(e, dict) for e in events)):
        raise ValueError("%s: lifecycle_events must be a list of JSON objects or null" % (fname,))
    model.lifecycle_events = events
    model.add_lifecycle_event("loaded", fname=str(fname))
    return model


def _check_table(table, what, path, value_ok):
    if not isinstance(table, dict):
        raise ValueError("%s: %s must be a JSON object" % (path, what))
    for key, value in table.items():
        if not value_ok(value):
            raise ValueError("%s: bad %s entry %r: %r" % (path, what, key, value))
    return table


class _PhrasesTransformation(LifecycleEvents, abc.ABC):
    """The common base of :class:`Phrases` and :class:`FrozenPhrases`: applying a model to text.

    Subclasses define :meth:`score_candidate`; everything else (``model[sentence]``,
    :meth:`analyze_sentence`, :meth:`find_phrases`) is built on it. The name is gensim's, so code that
    subclasses or type-checks ``gensim.models.phrases._PhrasesTransformation`` works unchanged.

    Parameters
    ----------
    connector_words : collection of str, optional
        Words that may appear inside a phrase but never start or end one.

    Raises
    ------
    ValueError
        If `connector_words` is a str or holds anything but str.
    """

    delimiter = "_"
    connector_words: frozenset[str] = frozenset()

    def __init__(self, connector_words: Collection[str] = frozenset()) -> None:
        self.connector_words = _check_connector_words(connector_words)
        self.lifecycle_events = []

    def _saved_events(self, fname_or_handle):
        """Record the "saving" event and return ``lifecycle_events`` as JSON can hold them."""
        self.add_lifecycle_event("saving", fname_or_handle=str(fname_or_handle))
        events = getattr(self, "lifecycle_events", None)
        if events is None:
            return None
        return json.loads(json.dumps(list(events), ensure_ascii=False, default=repr))

    @classmethod
    def load(cls, fname: StrPath, mmap: None = None, scoring: str | Scorer | None = None) -> Phrases | FrozenPhrases:
        """Load a :class:`Phrases` or :class:`FrozenPhrases`, whichever the file holds.

        See :meth:`Phrases.load` for the parameters.

        Returns
        -------
        Phrases or FrozenPhrases
        """
        doc = _read_document(fname, None)
        return _from_document(cls, doc, fname, scoring)

    @abc.abstractmethod
    def score_candidate(self, word_a: str, word_b: str,
                        in_between: list[str]) -> tuple[str, float] | tuple[None, None]:
        """Score the phrase ``word_a + in_between + word_b``.

        Parameters
        ----------
        word_a : str
            First word (not a connector word).
        word_b : str
            Last word (not a connector word).
        in_between : list of str
            Connector words between them (often empty).

        Returns
        -------
        (str, float) or (None, None)
            The delimiter-joined phrase and its score if the score exceeds ``threshold``,
            else ``(None, None)``.
        """

    def analyze_sentence(self, sentence: Iterable[str]) -> Iterator[tuple[str, float | None]]:
        """Walk a sentence and yield its tokens, joining detected phrases.

        Phrases are found greedily from left to right: a phrase never starts or ends with a connector
        word, may contain any number of them inside, and a word that ends a phrase cannot start
        another one.

        Parameters
        ----------
        sentence : iterable of str
            The tokens.

        Yields
        ------
        (str, float or None)
            ``(phrase, score)`` for a detected phrase, ``(token, None)`` for any other token.
        """
        connectors = self.connector_words
        score_candidate = self.score_candidate
        start, between = None, []
        for word in sentence:
            if word in connectors:
                if start is None:
                    yield word, None
                else:
                    between.append(word)
                continue
            if start is None:
                start = word
                continue
            phrase, score = score_candidate(start, word, between)
            if score is not None:
                yield phrase, score  # type: ignore[misc]  # a score comes with its phrase
                start, between = None, []
            else:
                yield start, None
                for w in between:
                    yield w, None
                start, between = word, []
        if start is not None:
            yield start, None
            for w in between:
                yield w, None

    def _glue(self, sentence):
        """:meth:`analyze_sentence` without the scores, as a list (no generator overhead)."""
        connectors = self.connector_words
        score_candidate = self.score_candidate
        out = []
        append = out.append
        start, between = None, []
        for word in sentence:
            if word in connectors:
                if start is None:
                    append(word)
                else:
                    between.append(word)
                continue
            if start is not None:
                phrase, score = score_candidate(start, word, between)
                if score is not None:
                    append(phrase)
                    start, between = None, []
                    continue
                append(start)
                if between:
                    out.extend(between)
                    between = []
            start = word
        if start is not None:
            append(start)
            out.extend(between)
        return out

    @overload
    def __getitem__(self, sentence: list[str] | tuple[str, ...]) -> list[str]:  # type: ignore[overload-overlap]
        ...

    @overload
    def __getitem__(self, sentence: Iterable[Iterable[str]]) -> Iterable[list[str]]:
        ...

    def __getitem__(self, sentence: Any) -> list[str] | Iterable[list[str]]:
        """Glue the detected phrases of a sentence, or of every sentence of a corpus.

        Parameters
        ----------
        sentence : list of str or iterable of list of str
            One sentence, or a corpus (an iterable of sentences).

        Returns
        -------
        list of str or iterable of list of str
            For one sentence, its tokens with each phrase joined by ``delimiter``; for a corpus, a lazy
            iterable of such sentences (re-iterable if the corpus is).

        Raises
        ------
        ValueError
            If ``sentence`` is a str or not iterable.
        """
        single, sentence = _is_single(sentence)
        if not single:
            return _PhrasedCorpus(self, sentence)
        return self._glue(sentence)

    def find_phrases(self, sentences: Iterable[Iterable[str]]) -> dict[str, float]:
        """Phrases detected in ``sentences``, with their scores.

        Parameters
        ----------
        sentences : iterable of list of str
            The corpus.

        Returns
        -------
        dict of str to float
            Each distinct phrase found, mapped to its score.
        """
        found = {}
        for sentence in _iter_sentences(sentences):
            for phrase, score in self.analyze_sentence(sentence):
                if score is not None:
                    found[phrase] = score
        return found

    def _params(self):
        return {
            "min_count": self.min_count,
            "threshold": self.threshold,
            "delimiter": self.delimiter,
            "connector_words": sorted(self.connector_words),
        }


def _iter_sentences(sentences):
    """Iterate a corpus, rejecting a str (corpus) or a str item (a sentence passed as a corpus)."""
    if isinstance(sentences, (str, bytes)):
        raise ValueError("sentences must be an iterable of lists of str tokens, got %r" % (type(sentences).__name__,))
    try:
        it = iter(sentences)
    except TypeError:
        raise _WrongTypeError("sentences must be an iterable of lists of str tokens, got %r"
                              % (type(sentences).__name__,)) from None
    for sentence in it:
        if isinstance(sentence, (str, bytes)):
            raise ValueError("sentences must be an iterable of lists of str tokens, but an item is a %s (%r); "
                             "wrap a single sentence in a list" % (type(sentence).__name__, sentence[:50]))
        yield sentence


def _prune(vocab, min_reduce):
    """Drop the entries of ``vocab`` counted fewer than ``min_reduce`` times (in place)."""
    for key in [k for k, c in vocab.items() if c < min_reduce]:
        del vocab[key]


class Phrases(_PhrasesTransformation):
    """Detect phrases (collocations) from unigram and bigram counts.

    Parameters
    ----------
    sentences : iterable of list of str, optional
        Corpus to count; may be a one-pass iterator. Call :meth:`add_vocab` to count more later.
    min_count : int or float, optional
        Discount subtracted from the phrase count by the default scorer; phrases seen fewer times
        than this never score above ``-inf`` with ``'npmi'``.
    threshold : float, optional
        A phrase is accepted if its score is strictly greater than this. Must be > 0 for
        ``scoring='default'`` and in [-1, 1] for ``scoring='npmi'`` (as in gensim, a scorer passed as a
        function, :func:`original_scorer` included, takes any number).
    max_vocab_size : int, optional
        When the count table (words and phrases) grows past this many entries, the entries counted
        fewer than ``n`` times are dropped, ``n`` growing by one at each such pruning (as in gensim).
    delimiter : str, optional
        Glue between the words of a phrase; also the separator in the count table's phrase keys.
    progress_per : int, optional
        Log progress every this many sentences.
    scoring : {'default', 'npmi'} or callable, optional
        ``'default'``: :func:`original_scorer`; ``'npmi'``: :func:`npmi_scorer`; or a function taking
        the keyword arguments ``worda_count, wordb_count, bigram_count, len_vocab, min_count,
        corpus_word_count`` and returning a float. :meth:`save` stores a custom function by name, so it must
        be defined at the top level of a module (or in a class) to be saved.
    connector_words : collection of str, optional
        Words that may appear inside a phrase but never start or end one, such as
        :data:`ENGLISH_CONNECTOR_WORDS` (giving ``bank_of_america``).

    Attributes
    ----------
    vocab : dict of str to int
        Counts of words and of phrases (phrase keys are delimiter-joined, connector words included).
    corpus_word_count : int
        Tokens counted so far, connector words included.
    min_reduce : int
        Count below which the next pruning drops entries.
    scoring : callable
        The scoring function.

    Raises
    ------
    ValueError
        On a bad parameter value, naming the parameter.

    Notes
    -----
    As in gensim 4, phrase keys in :attr:`vocab` are plain delimiter-joined strings, so
    :meth:`export_phrases` (and hence :meth:`freeze`) splits them back on the delimiter: a phrase
    whose words themselves contain the delimiter may be scored by the model but be missing from
    its frozen table. Choose a delimiter that does not occur in your tokens.
    """

    def __init__(self, sentences: Iterable[Iterable[str]] | None = None, min_count: float = 5,
                 threshold: float = 10.0, max_vocab_size: int = 40000000, delimiter: str = "_",
                 progress_per: int = 10000, scoring: Literal["default", "npmi"] | Scorer = "default",
                 connector_words: Collection[str] = frozenset()) -> None:
        for name, value, integral in (("min_count", min_count, False), ("max_vocab_size", max_vocab_size, True),
                                      ("progress_per", progress_per, True)):
            kind = "an int >= 1" if integral else "a number > 0"
            if not _is_number(value) or (integral and not isinstance(value, int)):
                raise _WrongTypeError("%s must be %s, got %r" % (name, kind, value))
            if not value > 0:  # also refuses NaN
                raise ValueError("%s must be %s, got %r" % (name, kind, value))
        self.scoring = _resolve_scoring(scoring)
        self.threshold = _check_threshold(threshold, scoring if isinstance(scoring, str) else None)
        self.min_count = min_count
        self.max_vocab_size = max_vocab_size
        self.delimiter = _check_delimiter(delimiter)
        self.progress_per = progress_per
        super().__init__(connector_words=connector_words)
        self.vocab: dict[str, int] = {}
        self.min_reduce = 1
        self.corpus_word_count = 0
        if sentences is not None:
            start = time.time()
            self.add_vocab(sentences)
            self.add_lifecycle_event("created", msg="built %s in %.2fs" % (self, time.time() - start))

    def __str__(self):
        return "%s<%i vocab, min_count=%s, threshold=%s, max_vocab_size=%s>" % (
            type(self).__name__, len(self.vocab), self.min_count, self.threshold, self.max_vocab_size)

    __repr__ = __str__

    def _count(self, sentences):
        """Count words and phrases of ``sentences`` into a new table: ``(vocab, min_reduce, total_words)``."""
        vocab = {}
        min_reduce = 1
        total_words = 0
        max_size = self.max_vocab_size
        join = self.delimiter.join
        connectors = self.connector_words
        progress_per = self.progress_per
        sentence_no = -1
        logger.info("collecting all words and their counts")
        for sentence_no, sentence in enumerate(_iter_sentences(sentences)):
            if sentence_no % progress_per == 0:
                logger.info("PROGRESS: at sentence #%i, processed %i words and %i word types",
                            sentence_no, total_words, len(vocab))
            if not isinstance(sentence, list):
                sentence = list(sentence)
            total_words += len(sentence)
            try:
                if not connectors or connectors.isdisjoint(sentence):
                    _count_elements(vocab, sentence)
                    _count_elements(vocab, map(join, zip(sentence, islice(sentence, 1, None))))
                else:
                    self._count_with_connectors(vocab, sentence)
            except TypeError:
                bad = [w for w in sentence if not isinstance(w, str)]
                if bad:
                    raise _WrongTypeError("sentences must hold str tokens, got %r" % (bad[0],)) from None
                raise
            if len(vocab) > max_size:
                _prune(vocab, min_reduce)
                min_reduce += 1
        logger.info("collected %i token types (unigram + bigrams) from a corpus of %i words and %i sentences",
                    len(vocab), total_words, sentence_no + 1)
        return vocab, min_reduce, total_words

    def _count_with_connectors(self, vocab, sentence):
        """Count a sentence holding connector words: they are not counted alone, and a phrase key
        runs from one non-connector word to the next, taking the connectors between them along."""
        connectors = self.connector_words
        join = self.delimiter.join
        positions = [i for i, word in enumerate(sentence) if word not in connectors]
        _count_elements(vocab, [sentence[i] for i in positions])
        _count_elements(vocab, [join(sentence[i:j + 1]) for i, j in zip(positions, islice(positions, 1, None))])

    def add_vocab(self, sentences: Iterable[Iterable[str]]) -> None:
        """Count the words and phrases of more sentences.

        The new sentences are counted in a table of their own (pruned by ``max_vocab_size`` as they
        are read), which is then added to :attr:`vocab` and the result pruned if it is too large.

        Parameters
        ----------
        sentences : iterable of list of str
            Corpus to count.

        Raises
        ------
        ValueError
            If ``sentences`` is a str, holds str items instead of lists, or holds non-str tokens.
        """
        vocab, min_reduce, total_words = self._count(sentences)
        self.corpus_word_count += total_words
        if not self.vocab:
            # As gensim 4 does, the first table is taken as is and its pruning level is not carried
            # over to ``min_reduce`` (so the counts and later prunings stay identical to gensim's).
            self.vocab = vocab
        else:
            logger.info("merging %i counts into %s", len(vocab), self)
            self.min_reduce = max(self.min_reduce, min_reduce)
            own = self.vocab
            get = own.get
            for key, count in vocab.items():
                own[key] = get(key, 0) + count
            if len(own) > self.max_vocab_size:
                _prune(own, self.min_reduce)
                self.min_reduce += 1
        logger.info("merged %s", self)

    def score_candidate(self, word_a: str, word_b: str,
                        in_between: list[str]) -> tuple[str, float] | tuple[None, None]:
        """Score the phrase ``word_a + in_between + word_b`` from the counts.

        Parameters
        ----------
        word_a : str
            First word.
        word_b : str
            Last word.
        in_between : list of str
            Connector words between them.

        Returns
        -------
        (str, float) or (None, None)
            The joined phrase and its score if all three counts are positive and the score is
            greater than ``threshold``, else ``(None, None)``.
        """
        vocab = self.vocab
        count_a = vocab.get(word_a, 0)
        if count_a <= 0:
            return None, None
        count_b = vocab.get(word_b, 0)
        if count_b <= 0:
            return None, None
        if in_between:
            phrase = self.delimiter.join(chain((word_a,), in_between, (word_b,)))
        else:
            phrase = word_a + self.delimiter + word_b
        count_ab = vocab.get(phrase, 0)
        if count_ab <= 0:
            return None, None
        scoring = self.scoring
        if scoring is original_scorer:  # inlined: the same arithmetic, in the same order
            score = (count_ab - self.min_count) / float(count_a * count_b) * len(vocab)
        else:
            score = scoring(worda_count=count_a, wordb_count=count_b, bigram_count=count_ab,
                            len_vocab=len(vocab), min_count=self.min_count,
                            corpus_word_count=self.corpus_word_count)
        if score <= self.threshold:
            return None, None
        return phrase, score

    def export_phrases(self) -> dict[str, float]:
        """Every phrase in the count table that scores above ``threshold``.

        Returns
        -------
        dict of str to float
            Phrase (delimiter-joined) to score.
        """
        delimiter = self.delimiter
        score_candidate = self.score_candidate
        found: dict[str, float] = {}
        for key in self.vocab:
            if delimiter not in key:
                continue
            parts = key.split(delimiter)
            phrase, score = score_candidate(parts[0], parts[-1], parts[1:-1])
            if score is not None:
                found[phrase] = score  # type: ignore[index]  # a score comes with its phrase
        return found

    def freeze(self) -> FrozenPhrases:
        """A :class:`FrozenPhrases` holding only the phrase table: smaller and faster, not updatable.

        Returns
        -------
        FrozenPhrases
        """
        return FrozenPhrases(self)

    def save(self, fname_or_handle: StrPath | IO[Any], separately: Any = None, sep_limit: int = 10 * 1024 ** 2,
             ignore: Collection[str] = frozenset(), pickle_protocol: int | None = None) -> None:
        """Save the model as JSON: parameters and count table (no pickle).

        A custom scoring function is saved by name; see :meth:`load` for how it is found again.

        Parameters
        ----------
        fname_or_handle : str, os.PathLike or file object
            Destination path (written to a temporary file in the same folder, then renamed into place),
            or a file opened for writing, text or binary (written as is).
        separately, sep_limit, pickle_protocol : optional
            Accepted for compatibility with gensim's ``save`` and ignored (nothing is pickled).
        ignore : collection of str, optional
            Must be empty: the model is saved whole.

        Raises
        ------
        ValueError
            If the scoring function cannot be saved by name (a lambda, a function defined inside
            another function, a callable object, a function taking ``**kwargs`` instead of naming the
            six scorer parameters): define it at the top level of a module, or
            :meth:`freeze` the model and save the :class:`FrozenPhrases`, which does not need it.
            Also if `ignore` is not empty.
        """
        _check_save_args(ignore)
        scoring = _scoring_to_json(self.scoring)
        if scoring is None:
            raise ValueError("cannot save a Phrases model with the custom scoring function %r: it cannot be "
                             "found again by name (only functions defined at the top level of a module, or in "
                             "a class, and naming the parameters %s can be saved); define it so, or use "
                             "freeze() and save the FrozenPhrases instead" % (self.scoring, ", ".join(_SCORER_PARAMS)))
        params = self._params()
        params.update(scoring=scoring, max_vocab_size=self.max_vocab_size, progress_per=self.progress_per)
        doc = {
            "format": _FORMAT, "version": _FORMAT_VERSION, "class": "Phrases", "params": params,
            "corpus_word_count": self.corpus_word_count, "min_reduce": self.min_reduce, "vocab": self.vocab,
            "lifecycle_events": self._saved_events(fname_or_handle),
        }
        _write_document(fname_or_handle, doc)

    @classmethod
    def load(cls, fname: StrPath, mmap: None = None, scoring: str | Scorer | None = None) -> Phrases | FrozenPhrases:
        """Load a model written by :meth:`save`.

        As in gensim, the file decides the class: a saved :class:`FrozenPhrases` loads as a
        ``FrozenPhrases``, whichever class's ``load`` reads it.

        Parameters
        ----------
        fname : str or os.PathLike
            Path of the saved model.
        mmap : None, optional
            Accepted for compatibility with gensim and ignored (there are no arrays to map).
        scoring : {'default', 'npmi'} or callable, optional
            Scoring function to use instead of the saved one. Needed when the model was saved with a
            custom scoring function whose module this program has not imported: the file names the
            function (module and qualified name) and it is looked up in ``sys.modules`` only, so a
            file never makes cw2v import or run anything.

        Returns
        -------
        Phrases or FrozenPhrases

        Raises
        ------
        ValueError
            If the file is not a saved cw2v phrases model or is corrupted, or if its custom scoring
            function is not found and `scoring` is not given.
        """
        doc = _read_document(fname, "Phrases")
        return _from_document(cls, doc, fname, scoring)

    @classmethod
    def _from_phrases_document(cls, doc, fname, scoring):
        params = doc["params"]
        if scoring is None:
            scoring, reference = _scoring_from_json(params["scoring"], fname)
            if scoring is None:
                if reference is None:
                    raise ValueError("%s: the model has no scoring function" % (fname,))
                raise ValueError(
                    "%s was saved with the custom scoring function %s.%s, which is not among the modules "
                    "imported so far: import %s before loading (cw2v never imports a module a file names), "
                    "or pass scoring=<the function> to load()"
                    % (fname, reference["module"], reference["qualname"], reference["module"]))
        model = cls(
            min_count=params["min_count"], threshold=params["threshold"],
            max_vocab_size=params["max_vocab_size"], delimiter=params["delimiter"],
            progress_per=params["progress_per"], scoring=scoring,
            connector_words=params["connector_words"],
        )
        count_ok = lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0  # noqa: E731
        model.vocab = _check_table(doc["vocab"], "vocab", fname, count_ok)
        if not count_ok(doc["corpus_word_count"]) or not count_ok(doc["min_reduce"]):
            raise ValueError("%s: bad corpus_word_count or min_reduce" % (fname,))
        model.corpus_word_count = doc["corpus_word_count"]
        model.min_reduce = doc["min_reduce"]
        return model


class FrozenPhrases(_PhrasesTransformation):
    """The phrase table of a :class:`Phrases` model, enough to detect phrases with less memory.

    Parameters
    ----------
    phrases_model : Phrases
        Model whose :meth:`Phrases.export_phrases` becomes the table. Any object with the attributes
        ``threshold``, ``min_count``, ``delimiter``, ``scoring``, ``connector_words`` and an
        ``export_phrases()`` method will do, a gensim ``Phrases`` model among them.

    Attributes
    ----------
    phrasegrams : dict of str to float
        Phrase (delimiter-joined) to score.
    threshold, min_count, delimiter, scoring, connector_words
        Copied from the source model (``scoring`` is None after loading a table saved with a custom
        scoring function that cannot be found, see :meth:`load`).

    Raises
    ------
    ValueError
        If `phrases_model` lacks one of those attributes (the exception is also an ``AttributeError``,
        as gensim raises), or its ``export_phrases()`` does not return a dict of str to numbers.
    """

    def __init__(self, phrases_model: Phrases) -> None:
        missing = [name for name in ("threshold", "min_count", "delimiter", "scoring", "connector_words",
                                     "export_phrases") if not hasattr(phrases_model, name)]
        if missing:
            raise _MissingAttributeError("FrozenPhrases needs a Phrases model, got a %s (no %s)"
                                         % (type(phrases_model).__name__, ", ".join(missing)))
        self.threshold = phrases_model.threshold
        self.min_count = phrases_model.min_count
        self.delimiter = _check_delimiter(phrases_model.delimiter)
        self.scoring = phrases_model.scoring
        super().__init__(connector_words=phrases_model.connector_words)
        start = time.time()
        phrasegrams = phrases_model.export_phrases()
        if not isinstance(phrasegrams, dict) or not all(
                isinstance(k, str) and _is_number(v) for k, v in phrasegrams.items()):
            raise ValueError("%s.export_phrases() must return a dict of str phrases to number scores"
                             % (type(phrases_model).__name__,))
        self.phrasegrams = phrasegrams
        self.add_lifecycle_event("created", msg="exported %s from %s in %.2fs" % (self, phrases_model,
                                                                              time.time() - start))

    def __str__(self):
        return "%s<%i phrases, min_count=%s, threshold=%s>" % (
            type(self).__name__, len(self.phrasegrams), self.min_count, self.threshold)

    __repr__ = __str__

    def score_candidate(self, word_a: str, word_b: str,
                        in_between: list[str]) -> tuple[str, float] | tuple[None, None]:
        """Look the phrase ``word_a + in_between + word_b`` up in the phrase table.

        Parameters
        ----------
        word_a : str
            First word.
        word_b : str
            Last word.
        in_between : list of str
            Connector words between them.

        Returns
        -------
        (str, float) or (None, None)
            The joined phrase and its score if it is in the table with a score above ``threshold``.
        """
        if in_between:
            phrase = self.delimiter.join(chain((word_a,), in_between, (word_b,)))
        else:
            phrase = word_a + self.delimiter + word_b
        score = self.phrasegrams.get(phrase, NEGATIVE_INFINITY)
        if score > self.threshold:
            return phrase, score
        return None, None

    def export_phrases(self) -> dict[str, float]:
        """The phrase table (a copy).

        Returns
        -------
        dict of str to float
        """
        return dict(self.phrasegrams)

    def save(self, fname_or_handle: StrPath | IO[Any], separately: Any = None, sep_limit: int = 10 * 1024 ** 2,
             ignore: Collection[str] = frozenset(), pickle_protocol: int | None = None) -> None:
        """Save the phrase table and parameters as JSON (no pickle).

        A custom scoring function is saved by name if it can be found again by name; otherwise it is
        left out (with a warning), since the table alone detects the phrases.

        Parameters
        ----------
        fname_or_handle : str, os.PathLike or file object
            Destination path (written to a temporary file in the same folder, then renamed into place),
            or a file opened for writing, text or binary (written as is).
        separately, sep_limit, pickle_protocol : optional
            Accepted for compatibility with gensim's ``save`` and ignored (nothing is pickled).
        ignore : collection of str, optional
            Must be empty: the model is saved whole.

        Raises
        ------
        ValueError
            If `ignore` is not empty.
        """
        _check_save_args(ignore)
        params = self._params()
        if self.scoring is None:
            params["scoring"] = getattr(self, "_scoring_reference", None)
        else:
            params["scoring"] = _scoring_to_json(self.scoring)
            if params["scoring"] is None:
                logger.warning("saving %s without its scoring function %r, which cannot be saved by name "
                               "(phrase detection does not need it)", self, self.scoring)
        doc = {"format": _FORMAT, "version": _FORMAT_VERSION, "class": "FrozenPhrases", "params": params,
               "phrasegrams": self.phrasegrams, "lifecycle_events": self._saved_events(fname_or_handle)}
        _write_document(fname_or_handle, doc)

    @classmethod
    def load(cls, fname: StrPath, mmap: None = None, scoring: str | Scorer | None = None) -> Phrases | FrozenPhrases:
        """Load a table written by :meth:`save`.

        As in gensim, the file decides the class: a saved :class:`Phrases` loads as a ``Phrases``,
        whichever class's ``load`` reads it.

        Parameters
        ----------
        fname : str or os.PathLike
            Path of the saved table.
        mmap : None, optional
            Accepted for compatibility with gensim and ignored.
        scoring : {'default', 'npmi'} or callable, optional
            Scoring function to set instead of the saved one. A saved custom function is looked up by
            name among the modules already imported (see :meth:`Phrases.load`); if it is not found,
            ``scoring`` is None (with a warning): the table does not need it, and saving the table again
            keeps the saved name.

        Returns
        -------
        FrozenPhrases or Phrases

        Raises
        ------
        ValueError
            If the file is not a saved cw2v phrases model or is corrupted.
        """
        doc = _read_document(fname, "FrozenPhrases")
        return _from_document(cls, doc, fname, scoring)

    @classmethod
    def _from_frozen_document(cls, doc, fname, scoring):
        self = cls.__new__(cls)
        params = doc["params"]
        if scoring is not None:
            self.scoring = _resolve_scoring(scoring)
        else:
            self.scoring, reference = _scoring_from_json(params["scoring"], fname)
            if reference is not None:
                logger.warning("%s was saved with the custom scoring function %s.%s, which is not among the "
                               "modules imported so far: scoring is None (phrase detection does not need it)",
                               fname, reference["module"], reference["qualname"])
                self._scoring_reference = reference
        threshold = params["threshold"]
        if not _is_number(threshold):
            raise ValueError("%s: bad threshold %r" % (fname, threshold))
        self.threshold = threshold
        self.min_count = params["min_count"]
        self.delimiter = _check_delimiter(params["delimiter"])
        self.connector_words = _check_connector_words(params["connector_words"])
        self.phrasegrams = _check_table(doc["phrasegrams"], "phrasegrams", fname, _is_number)
        return self


#: gensim 3's name for :class:`FrozenPhrases`.
Phraser = FrozenPhrases
