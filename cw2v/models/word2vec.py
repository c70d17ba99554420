"""gensim's path ``gensim.models.word2vec``: this name is the module :mod:`cw2v.word2vec` itself."""
import sys

from cw2v import word2vec as _module

sys.modules[__name__] = _module
