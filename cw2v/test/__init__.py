"""Helpers for tests of code written against gensim (``gensim.test`` is at ``cw2v.test``)."""
