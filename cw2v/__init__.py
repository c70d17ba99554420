"""cw2v: fast word2vec with compiled, multithreaded kernels behind gensim 4's API.

>>> from cw2v import Word2Vec, LineSentence          # doctest: +SKIP
>>> model = Word2Vec(LineSentence("corpus.txt"), vector_size=100, workers=4)   # doctest: +SKIP
>>> model.wv.most_similar("king")                    # doctest: +SKIP
"""
from cw2v._version import __version__
from cw2v.keyedvectors import KeyedVectors
from cw2v.corpora import LineSentence, PathLineSentences, Text8Corpus
from cw2v.word2vec import Word2Vec
from cw2v.phrases import Phrases, FrozenPhrases
from cw2v.patch import patch_gensim, unpatch_gensim

__all__ = ["Word2Vec", "KeyedVectors", "LineSentence", "PathLineSentences", "Text8Corpus", "Phrases", "FrozenPhrases",
           "patch_gensim", "unpatch_gensim", "__version__"]
