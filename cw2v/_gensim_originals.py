"""gensim's own classes, also while :func:`cw2v.patch_gensim` has switched gensim's names to cw2v's.

Converting to gensim (``to_gensim``, ``save(format="gensim")``) must build gensim's real objects; under the
patch ``gensim.models.word2vec.Word2Vec`` is cw2v's class, so the patch records what it replaced here and
the conversion asks for it. A leaf module: it imports nothing from cw2v.
"""
import contextlib
import sys
from typing import Any

_ORIGINALS: dict[tuple[str, str], Any] = {}  # (module name, attribute) -> the gensim object the patch replaced


def remember(module_name, attr, value):
    """Record that the patch replaced ``module_name.attr``, which was ``value``."""
    _ORIGINALS.setdefault((module_name, attr), value)


def forget():
    """The patch is undone: gensim's names are gensim's again."""
    _ORIGINALS.clear()


def original(module, attr):
    """``module.attr`` as gensim defines it, whether or not the patch is active."""
    return _ORIGINALS.get((module.__name__, attr), getattr(module, attr))


@contextlib.contextmanager
def gensim_names():
    """While the block runs, gensim's switched names are gensim's own again (pickle finds a class by its
    module and name, so pickling a gensim object under the patch needs them); then switched back.

    Other threads see gensim's names during the block.
    """
    switched = []
    for (module_name, attr), value in _ORIGINALS.items():
        module = sys.modules.get(module_name)
        if module is not None:
            switched.append((module, attr, getattr(module, attr)))
            setattr(module, attr, value)
    try:
        yield
    finally:
        for module, attr, value in switched:
            setattr(module, attr, value)
