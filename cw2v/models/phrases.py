"""gensim's path ``gensim.models.phrases``: this name is the module :mod:`cw2v.phrases` itself."""
import sys

from cw2v import phrases as _module

sys.modules[__name__] = _module
