"""gensim's path ``gensim.similarities.annoy``: :class:`~cw2v.similarities.AnnoyIndexer` from here too."""
from cw2v.similarities import AnnoyIndexer

__all__ = ["AnnoyIndexer"]
