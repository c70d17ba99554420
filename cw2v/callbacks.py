"""Training callbacks with gensim's interface (:class:`CallbackAny2Vec`).

:class:`~cw2v.word2vec.Word2Vec` calls ``on_train_begin``, ``on_epoch_begin``, ``on_epoch_end`` and
``on_train_end`` with the model on every object passed as ``callbacks=``; subclass
:class:`CallbackAny2Vec` and override the ones you need.

Examples
--------
>>> class EpochLogger(CallbackAny2Vec):
...     def __init__(self):
...         self.epoch = 0
...     def on_epoch_end(self, model: Word2Vec) -> None:
...         self.epoch += 1
...         print("epoch", self.epoch, "loss", model.get_latest_training_loss())
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cw2v.word2vec import Word2Vec

__all__ = ["CallbackAny2Vec"]


class CallbackAny2Vec:
    """Base class for training callbacks: every hook does nothing until overridden."""

    def on_epoch_begin(self, model: Word2Vec) -> None:
        """Called at the start of each epoch.

        Parameters
        ----------
        model : cw2v.word2vec.Word2Vec
            The model being trained.
        """

    def on_epoch_end(self, model: Word2Vec) -> None:
        """Called at the end of each epoch.

        Parameters
        ----------
        model : cw2v.word2vec.Word2Vec
            The model being trained.
        """

    def on_train_begin(self, model: Word2Vec) -> None:
        """Called once at the start of :meth:`~cw2v.word2vec.Word2Vec.train`.

        Parameters
        ----------
        model : cw2v.word2vec.Word2Vec
            The model being trained.
        """

    def on_train_end(self, model: Word2Vec) -> None:
        """Called once at the end of :meth:`~cw2v.word2vec.Word2Vec.train`.

        Parameters
        ----------
        model : cw2v.word2vec.Word2Vec
            The model being trained.
        """
