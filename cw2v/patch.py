"""Make code written for gensim train with cw2v, unedited: :func:`patch_gensim` / :func:`unpatch_gensim`.

Packages such as node2vec, karateclub or pecanpy call ``gensim.models.Word2Vec`` themselves, so there is no
import line of yours to change. After ``cw2v.patch_gensim()`` these gensim names are cw2v's classes:

============================================  ====================================
gensim name                                   becomes
============================================  ====================================
``gensim.models.Word2Vec``                    :class:`cw2v.Word2Vec`
``gensim.models.word2vec.Word2Vec``           :class:`cw2v.Word2Vec`
``gensim.models.KeyedVectors``                :class:`cw2v.KeyedVectors`
``gensim.models.keyedvectors.KeyedVectors``   :class:`cw2v.KeyedVectors` (and ``Word2VecKeyedVectors``)
``gensim.models.word2vec.LineSentence``       :class:`cw2v.LineSentence` (also ``PathLineSentences``,
                                              ``Text8Corpus``, ``BrownCorpus``)
``gensim.models.Phrases``                     :class:`cw2v.Phrases` (with ``phrases=True``, the default;
``gensim.models.phrases.Phrases``             also ``FrozenPhrases``, ``Phraser``, their base
                                              ``_PhrasesTransformation`` and the scorers
                                              ``original_scorer`` / ``npmi_scorer``)
============================================  ====================================

Modules that had already imported one of those gensim classes (``from gensim.models import Word2Vec`` at
the top of a package imported before the patch) get cw2v's class too: every loaded module outside gensim
whose attribute *is* the gensim class is switched, so the order of imports does not matter.

gensim's own models keep gensim's classes: ``Doc2Vec`` and ``FastText`` subclass gensim's ``Word2Vec``
(the patch imports ``gensim.models`` first, so they are created from the original class), and the code of
gensim's patched modules keeps seeing gensim's classes (``super(Word2Vec, self).save(...)``, which
``FastText.save`` reaches, and ``KeyedVectors.vectors_for_all`` keep working on gensim objects). Files: a
model saved by gensim loads through the patched ``Word2Vec.load`` (cw2v reads gensim's files); while
patched, ``model.save(path)`` and
``wv.save(path)`` write gensim's format by default (``save_format="gensim"``), so a program that saves under
the patch and loads later with plain gensim keeps working; ``save(path, format="cw2v")`` still writes cw2v's
pickle-free file. ``pickle.load`` of a gensim pickle, bypassing ``load``, would build a cw2v object from
gensim's state: load gensim files with ``load``.

From the shell, ``python -m cw2v.patch script.py args...`` (or ``python -m cw2v.patch -m module args...``)
runs a script or module with gensim patched, as ``python script.py args...`` would; ``--per-pair``
(``patch_gensim(batched=False)``) trains its models with gensim's per-pair updates, for graph embeddings.
"""
from __future__ import annotations

import importlib
import os
import runpy
import sys
import types
from collections.abc import Sequence
from typing import Any, Literal

from cw2v import _gensim_originals

__all__ = ["patch_gensim", "unpatch_gensim", "is_patched", "main"]

#: (gensim module, attribute, cw2v object path) for every name the patch switches.
_TARGETS = (
    ("gensim.models", "Word2Vec", "cw2v.word2vec:Word2Vec"),
    ("gensim.models.word2vec", "Word2Vec", "cw2v.word2vec:Word2Vec"),
    ("gensim.models.word2vec", "LineSentence", "cw2v.corpora:LineSentence"),
    ("gensim.models.word2vec", "PathLineSentences", "cw2v.corpora:PathLineSentences"),
    ("gensim.models.word2vec", "Text8Corpus", "cw2v.corpora:Text8Corpus"),
    ("gensim.models.word2vec", "BrownCorpus", "cw2v.corpora:BrownCorpus"),
    ("gensim.models", "KeyedVectors", "cw2v.keyedvectors:KeyedVectors"),
    ("gensim.models.keyedvectors", "KeyedVectors", "cw2v.keyedvectors:KeyedVectors"),
    ("gensim.models.keyedvectors", "Word2VecKeyedVectors", "cw2v.keyedvectors:KeyedVectors"),
)
_PHRASES_TARGETS = (
    ("gensim.models", "Phrases", "cw2v.phrases:Phrases"),
    ("gensim.models.phrases", "Phrases", "cw2v.phrases:Phrases"),
    ("gensim.models.phrases", "FrozenPhrases", "cw2v.phrases:FrozenPhrases"),
    ("gensim.models.phrases", "Phraser", "cw2v.phrases:FrozenPhrases"),
    ("gensim.models.phrases", "_PhrasesTransformation", "cw2v.phrases:_PhrasesTransformation"),
    ("gensim.models.phrases", "original_scorer", "cw2v.phrases:original_scorer"),
    ("gensim.models.phrases", "npmi_scorer", "cw2v.phrases:npmi_scorer"),
)

# what patch_gensim changed, to be put back by unpatch_gensim: [(object, attribute, original value)]
_undo: list[tuple[Any, str, Any]] = []
# the default save format before the patch (None: the patch did not change it)
_saved_format: list[Literal["cw2v", "gensim"] | None] = [None]
#: Word2Vec's batched default before patch_gensim(batched=...) (None: not changed)
_saved_batched: list[bool | None] = [None]


def _resolve(path):
    module, name = path.split(":")
    return getattr(importlib.import_module(module), name)


def is_patched() -> bool:
    """True while gensim's names point at cw2v (between :func:`patch_gensim` and :func:`unpatch_gensim`)."""
    return bool(_undo)


def patch_gensim(phrases: bool = True, verbose: bool = False,
                 save_format: Literal["gensim", "cw2v"] = "gensim", batched: bool | None = None) -> list[str]:
    """Switch gensim's ``Word2Vec``, ``KeyedVectors`` and corpus readers (and ``Phrases``) to cw2v's.

    Calling it again while patched does nothing. See the module docstring for the full list and what stays
    gensim's.

    Parameters
    ----------
    phrases : bool, optional
        Also switch ``Phrases``, ``FrozenPhrases`` and ``Phraser`` (default True).
    verbose : bool, optional
        Print each switched name to stderr.
    save_format : {'gensim', 'cw2v'}, optional
        What ``save(path)`` writes while patched, unless given ``format=`` (default ``'gensim'``: files that
        plain gensim loads; ``'cw2v'``: cw2v's one-file, pickle-free format).
    batched : bool or None, optional
        The skip-gram updates of models created while patched without a ``batched`` argument (code written
        for gensim never passes one): None (default) keeps cw2v's block updates (``batched=True``), False
        gives word2vec.c's and gensim's per-pair updates, which match gensim's embeddings of graph random
        walks (node2vec, DeepWalk) where the block updates place a community's nodes less tightly
        (``bench/results/walk_quality.md``; see ``Word2Vec``'s ``batched``).

    Returns
    -------
    list of str
        The names switched, e.g. ``'gensim.models.word2vec.Word2Vec'``, and the ``module.attribute`` of each
        already-loaded module outside gensim that held one of gensim's classes.

    Raises
    ------
    ImportError
        If gensim is not installed (code that imports gensim needs it; cw2v does not).
    ValueError
        If `save_format` is neither ``'gensim'`` nor ``'cw2v'``.
    TypeError
        If `batched` is not None, True or False.

    Examples
    --------
    >>> import cw2v
    >>> cw2v.patch_gensim()                              # doctest: +SKIP
    >>> from node2vec import Node2Vec                    # doctest: +SKIP
    >>> Node2Vec(graph, dimensions=64).fit(window=10)    # doctest: +SKIP  (a cw2v.Word2Vec)
    >>> cw2v.unpatch_gensim()                            # doctest: +SKIP
    """
    if _undo:
        return []
    from cw2v import persist
    if save_format not in ("gensim", "cw2v"):
        raise ValueError("save_format must be 'gensim' or 'cw2v', got %r" % (save_format,))
    if batched is not None and not isinstance(batched, bool):
        raise TypeError("batched must be None, True or False, got %r" % (batched,))
    try:
        importlib.import_module("gensim.models")  # all of gensim.models first: its subclasses keep gensim's base
    except ImportError as exc:
        raise ImportError("cw2v.patch_gensim() switches gensim's classes to cw2v's, so gensim must be installed "
                          "(pip install gensim); code that does not import gensim needs no patch: use cw2v "
                          "directly") from exc
    targets = _TARGETS + (_PHRASES_TARGETS if phrases else ())
    switched = []
    replacement = {}  # id(gensim object) -> cw2v object
    # gensim's own code keeps seeing gensim's classes: its functions and methods in the modules whose names
    # are switched read their globals from a copy of the module's namespace taken before the switch
    for module_name in sorted({m for m, _, _ in targets if m != "gensim.models"}):
        _keep_gensim_code_on_gensim_names(importlib.import_module(module_name))
    for module_name, attr, path in targets:
        module = importlib.import_module(module_name)
        original = getattr(module, attr, None)
        if original is None:
            continue
        ours = _resolve(path)
        if original is ours:
            continue
        replacement[id(original)] = ours
        _gensim_originals.remember(module_name, attr, original)
        _undo.append((module, attr, original))
        setattr(module, attr, ours)
        switched.append("%s.%s" % (module_name, attr))
    _pickle_with_gensim_names()
    # modules that imported a gensim class before the patch
    for name, module in list(sys.modules.items()):
        if module is None or name == "gensim" or name.startswith(("gensim.", "cw2v.")) or name == "cw2v":
            continue
        namespace = getattr(module, "__dict__", None)
        if not isinstance(namespace, dict):
            continue
        for attr, value in list(namespace.items()):
            ours = replacement.get(id(value))  # ids are stable: the originals are kept alive in _undo
            if ours is not None:
                _undo.append((module, attr, value))
                setattr(module, attr, ours)
                switched.append("%s.%s" % (name, attr))
    _saved_format[0] = persist.set_default_save_format(save_format)
    if batched is not None:
        from cw2v import word2vec
        _saved_batched[0] = word2vec.set_default_batched(batched)
    if verbose:
        for item in switched:
            print("cw2v.patch_gensim: %s -> cw2v" % item, file=sys.stderr)
    return switched


def _rebound(fn, namespace):
    """A copy of function `fn` that reads its globals from `namespace` (everything else as `fn`)."""
    new = types.FunctionType(fn.__code__, namespace, fn.__name__, fn.__defaults__, fn.__closure__)
    new.__kwdefaults__ = fn.__kwdefaults__
    new.__dict__.update(fn.__dict__)
    new.__doc__, new.__qualname__, new.__module__ = fn.__doc__, fn.__qualname__, fn.__module__
    new.__annotations__ = dict(getattr(fn, "__annotations__", {}))
    return new


def _keep_gensim_code_on_gensim_names(module):
    """Point the functions and methods defined in gensim `module` at a snapshot of its namespace.

    gensim's methods name their own classes at run time (``super(Word2Vec, self).save(...)`` in
    ``Word2Vec.save``, which ``FastText.save`` reaches; ``KeyedVectors(...)`` in ``vectors_for_all``): with
    the module's names switched to cw2v's they would fail or build cw2v objects inside gensim's models. The
    snapshot keeps gensim's classes for gensim's code; what ``module.Word2Vec`` gives to everyone else is
    switched afterwards. Every replaced function is put back by :func:`unpatch_gensim`.
    """
    namespace = dict(module.__dict__)  # gensim's names, taken before any is switched

    def own(fn):
        return isinstance(fn, types.FunctionType) and fn.__globals__ is module.__dict__

    for name, value in list(module.__dict__.items()):
        if own(value):
            namespace[name] = _rebound(value, namespace)
            _undo.append((module, name, value))
            setattr(module, name, namespace[name])
        elif isinstance(value, type) and value.__module__ == module.__name__:
            for attr, member in list(vars(value).items()):
                if own(member):
                    new = _rebound(member, namespace)
                elif isinstance(member, (classmethod, staticmethod)) and own(member.__func__):
                    new = type(member)(_rebound(member.__func__, namespace))
                elif isinstance(member, property) and any(own(f) for f in (member.fget, member.fset, member.fdel)):
                    new = property(*(_rebound(f, namespace) if own(f) else f
                                     for f in (member.fget, member.fset, member.fdel)), member.__doc__)
                else:
                    continue
                _undo.append((value, attr, member))
                setattr(value, attr, new)


def _pickle_with_gensim_names():
    """gensim's models save and load (pickle) with gensim's names in place.

    pickle finds a class by module and name: a ``Doc2Vec`` holding a gensim ``KeyedVectors`` could not be
    pickled while ``gensim.models.keyedvectors.KeyedVectors`` is cw2v's, and unpickling would build cw2v
    objects inside gensim's. ``gensim.utils.SaveLoad.save`` / ``.load``, which every gensim model's save and
    load go through, run with gensim's names for their duration (:func:`cw2v._gensim_originals.gensim_names`).
    """
    import functools

    from gensim import utils as gensim_utils

    base = gensim_utils.SaveLoad
    save, load = vars(base)["save"], vars(base)["load"]

    @functools.wraps(save)
    def save_with_gensim_names(*args, **kwargs):
        with _gensim_originals.gensim_names():
            return save(*args, **kwargs)

    @functools.wraps(load.__func__)
    def load_with_gensim_names(*args, **kwargs):
        with _gensim_originals.gensim_names():
            return load.__func__(*args, **kwargs)

    _undo.append((base, "save", save))
    _undo.append((base, "load", load))
    base.save = save_with_gensim_names
    base.load = classmethod(load_with_gensim_names)


def unpatch_gensim() -> int:
    """Put back every name :func:`patch_gensim` switched (no-op when not patched).

    Returns
    -------
    int
        How many names were restored.
    """
    n = len(_undo)
    while _undo:
        obj, attr, original = _undo.pop()
        setattr(obj, attr, original)
    _gensim_originals.forget()
    if _saved_format[0] is not None:
        from cw2v import persist
        persist.set_default_save_format(_saved_format[0])
        _saved_format[0] = None
    if _saved_batched[0] is not None:
        from cw2v import word2vec
        word2vec.set_default_batched(_saved_batched[0])
        _saved_batched[0] = None
    return n


_USAGE = "usage: python -m cw2v.patch [--no-phrases] [--per-pair] [-v] (script.py | -m module) [args...]"


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m cw2v.patch script.py args...``: run a script (or ``-m module``) with gensim patched.

    ``sys.argv`` is what the script would see run directly (``[script.py, args...]``); its exit status is
    this command's.

    Parameters
    ----------
    argv : sequence of str, optional
        The command line after ``python -m cw2v.patch`` (default ``sys.argv[1:]``): ``[--no-phrases]
        [--per-pair] [-v]``, then ``script.py args...`` or ``-m module args...``; ``--per-pair`` is
        ``patch_gensim(batched=False)``.

    Returns
    -------
    int
        0 after the script ran (or for ``--help``), 2 for a command line without a script.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    phrases, verbose, batched = True, False, None
    while argv and argv[0] in ("--no-phrases", "--per-pair", "-v", "--verbose", "-h", "--help"):
        flag = argv.pop(0)
        if flag in ("-h", "--help"):
            print(_USAGE + "\n\n" + __doc__.split("\n\n")[0])
            return 0
        if flag == "--no-phrases":
            phrases = False
        elif flag == "--per-pair":
            batched = False
        else:
            verbose = True
    if not argv or (argv[0] == "-m" and len(argv) < 2):
        print(_USAGE, file=sys.stderr)
        return 2
    patch_gensim(phrases=phrases, verbose=verbose, batched=batched)
    if argv[0] == "-m":
        module = argv[1]
        sys.argv = [module] + argv[2:]
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    else:
        sys.argv = argv
        sys.path.insert(0, os.path.dirname(os.path.abspath(argv[0])))
        runpy.run_path(argv[0], run_name="__main__")
    return 0


if __name__ == "__main__":
    # run as ``python -m cw2v.patch``: use the importable module's state, not this __main__ copy's
    from cw2v.patch import main as _main
    sys.exit(_main())
