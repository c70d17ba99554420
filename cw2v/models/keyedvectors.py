"""gensim's path ``gensim.models.keyedvectors``: this name is the module :mod:`cw2v.keyedvectors` itself."""
import sys

from cw2v import keyedvectors as _module

sys.modules[__name__] = _module
