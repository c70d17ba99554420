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
``gensim.models.phrases.Phrases``             also ``FrozenPhrases`` and ``Phraser``)
============================================  ====================================

Modules that had already imported one of those gensim classes (``from gensim.models import Word2Vec`` at
the top of a package imported before the patch) get cw2v's class too: every loaded module outside gensim
whose attribute *is* the gensim class is switched, so the order of imports does not matter.

gensim's own models keep gensim's classes: ``Doc2Vec`` and ``FastText`` subclass gensim's ``Word2Vec``
(the patch imports ``gensim.models`` first, so they are created from the original class), and gensim's
``KeyedVectors.vectors_for_all`` keeps building gensim vectors. Files: a model saved by gensim loads
through the patched ``Word2Vec.load`` (cw2v reads gensim's files); a patched model's ``save`` writes cw2v's
format, and ``save(path, format="gensim")`` writes one gensim loads. ``pickle.load`` of a gensim pickle,
bypassing ``load``, would build a cw2v object from gensim's state: load gensim files with ``load``.

From the shell, ``python -m cw2v.patch script.py args...`` (or ``python -m cw2v.patch -m module args...``)
runs a script or module with gensim patched, as ``python script.py args...`` would.
"""
from __future__ import annotations

import importlib
import os
import runpy
import sys
import types

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
)

# what patch_gensim changed, to be put back by unpatch_gensim: [(object, attribute, original value)]
_undo = []


def _resolve(path):
    module, name = path.split(":")
    return getattr(importlib.import_module(module), name)


def is_patched():
    """True while gensim's names point at cw2v (between :func:`patch_gensim` and :func:`unpatch_gensim`)."""
    return bool(_undo)


def patch_gensim(phrases=True, verbose=False):
    """Switch gensim's ``Word2Vec``, ``KeyedVectors`` and corpus readers (and ``Phrases``) to cw2v's.

    Calling it again while patched does nothing. See the module docstring for the full list and what stays
    gensim's.

    Parameters
    ----------
    phrases : bool, optional
        Also switch ``Phrases``, ``FrozenPhrases`` and ``Phraser`` (default True).
    verbose : bool, optional
        Print each switched name to stderr.

    Returns
    -------
    list of str
        The names switched, e.g. ``'gensim.models.word2vec.Word2Vec'``, and the ``module.attribute`` of each
        already-loaded module outside gensim that held one of gensim's classes.

    Raises
    ------
    ImportError
        If gensim is not installed (code that imports gensim needs it; cw2v does not).

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
    try:
        importlib.import_module("gensim.models")  # all of gensim.models first: its subclasses keep gensim's base
    except ImportError as exc:
        raise ImportError("cw2v.patch_gensim() switches gensim's classes to cw2v's, so gensim must be installed "
                          "(pip install gensim); code that does not import gensim needs no patch: use cw2v "
                          "directly") from exc
    targets = _TARGETS + (_PHRASES_TARGETS if phrases else ())
    switched = []
    replacement = {}  # id(gensim object) -> cw2v object
    for module_name, attr, path in targets:
        module = importlib.import_module(module_name)
        original = getattr(module, attr, None)
        if original is None:
            continue
        ours = _resolve(path)
        if original is ours:
            continue
        replacement[id(original)] = ours
        _undo.append((module, attr, original))
        setattr(module, attr, ours)
        switched.append("%s.%s" % (module_name, attr))
    # gensim's KeyedVectors.vectors_for_all builds ``KeyedVectors(...)`` by its module's global name: keep it
    # building gensim's vectors (FastText's vectors go through it)
    gensim_kv = next((orig for mod, attr, orig in _undo if mod.__name__ == "gensim.models.keyedvectors"
                      and attr == "KeyedVectors"), None)
    if gensim_kv is not None and isinstance(gensim_kv.__dict__.get("vectors_for_all"), types.FunctionType):
        fn = gensim_kv.__dict__["vectors_for_all"]
        frozen_globals = dict(fn.__globals__)
        frozen_globals["KeyedVectors"] = gensim_kv
        kept = types.FunctionType(fn.__code__, frozen_globals, fn.__name__, fn.__defaults__, fn.__closure__)
        kept.__kwdefaults__, kept.__doc__, kept.__qualname__ = fn.__kwdefaults__, fn.__doc__, fn.__qualname__
        _undo.append((gensim_kv, "vectors_for_all", fn))
        setattr(gensim_kv, "vectors_for_all", kept)
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
    if verbose:
        for item in switched:
            print("cw2v.patch_gensim: %s -> cw2v" % item, file=sys.stderr)
    return switched


def unpatch_gensim():
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
    return n


_USAGE = "usage: python -m cw2v.patch [--no-phrases] [-v] (script.py | -m module) [args...]"


def main(argv=None):
    """``python -m cw2v.patch script.py args...``: run a script (or ``-m module``) with gensim patched.

    ``sys.argv`` is what the script would see run directly (``[script.py, args...]``); its exit status is
    this command's.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    phrases, verbose = True, False
    while argv and argv[0] in ("--no-phrases", "-v", "--verbose", "-h", "--help"):
        flag = argv.pop(0)
        if flag in ("-h", "--help"):
            print(_USAGE + "\n\n" + __doc__.split("\n\n")[0])
            return 0
        if flag == "--no-phrases":
            phrases = False
        else:
            verbose = True
    if not argv or (argv[0] == "-m" and len(argv) < 2):
        print(_USAGE, file=sys.stderr)
        return 2
    patch_gensim(phrases=phrases, verbose=verbose)
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
