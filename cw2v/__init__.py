"""cw2v: fast word2vec with compiled, multithreaded kernels behind gensim 4's API.

>>> from cw2v import Word2Vec, LineSentence          # doctest: +SKIP
>>> model = Word2Vec(LineSentence("corpus.txt"), vector_size=100, workers=4)   # doctest: +SKIP
>>> model.wv.most_similar("king")                    # doctest: +SKIP

Logging: as gensim's logger does, the ``cw2v`` logger has a ``NullHandler``, so cw2v prints nothing
unless the application configures logging (``logging.basicConfig(level=logging.INFO)`` shows progress and
warnings). A problem that would lose data is raised, never only logged.
"""
import importlib
import logging

from cw2v._version import __version__
from cw2v.corpora import LineSentence, PathLineSentences, Text8Corpus
from cw2v.keyedvectors import KeyedVectors
from cw2v.phrases import FrozenPhrases, Phrases
from cw2v.word2vec import Word2Vec

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = ["Word2Vec", "KeyedVectors", "LineSentence", "PathLineSentences", "Text8Corpus", "Phrases", "FrozenPhrases",
           "patch_gensim", "unpatch_gensim", "__version__"]


def __getattr__(name):
    # cw2v.patch is imported on first use, so ``python -m cw2v.patch`` does not find it imported already
    if name in ("patch_gensim", "unpatch_gensim", "patch"):
        patch = importlib.import_module("cw2v.patch")
        return patch if name == "patch" else getattr(patch, name)
    raise AttributeError("module 'cw2v' has no attribute %r" % (name,))
