"""gensim's module paths: ``cw2v.models`` stands where ``gensim.models`` does.

``cw2v.models.word2vec``, ``cw2v.models.keyedvectors`` and ``cw2v.models.phrases`` are the very modules
:mod:`cw2v.word2vec`, :mod:`cw2v.keyedvectors` and :mod:`cw2v.phrases` (not copies), so code written as
``from gensim.models import word2vec`` runs after switching ``gensim`` to ``cw2v``, and anything it
patches on those modules reaches cw2v's own code.
"""
from cw2v.keyedvectors import KeyedVectors
from cw2v.models import keyedvectors, phrases, word2vec
from cw2v.phrases import FrozenPhrases, Phrases
from cw2v.word2vec import Word2Vec

__all__ = ["Word2Vec", "KeyedVectors", "Phrases", "FrozenPhrases", "word2vec", "keyedvectors", "phrases"]
