"""Command-line entry points under gensim's module paths (``python -m cw2v.scripts.word2vec_standalone``)."""
