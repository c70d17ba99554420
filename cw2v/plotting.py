"""Pictures of word vectors and training losses (needs matplotlib: ``pip install "cw2v[plot]"``).

matplotlib is imported inside the functions, so ``import cw2v`` never needs it. Without a display (no
``DISPLAY`` / ``WAYLAND_DISPLAY`` on Linux) and with no backend chosen yet, the non-interactive ``Agg``
backend is selected, so the functions work on servers and in CI.

>>> from cw2v.plotting import plot_words, plot_losses                      # doctest: +SKIP
>>> plot_words(model.wv, ["king", "queen", "man", "woman"], path="words.png")  # doctest: +SKIP
>>> plot_losses(model, path="loss.png")                                    # doctest: +SKIP
"""
from __future__ import annotations

import os
import sys
from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, Literal, cast

import numpy as np
import numpy.typing as npt

from cw2v._typing import StrPath

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from cw2v.keyedvectors import KeyedVectors
    from cw2v.word2vec import Word2Vec

__all__ = ["plot_words", "plot_losses", "project_2d"]


def _pyplot():
    try:
        import matplotlib
    except ImportError as exc:
        raise ImportError(
            "cw2v.plotting needs the 'matplotlib' package: pip install matplotlib  (or pip install \"cw2v[plot]\")"
        ) from exc
    headless = sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )
    if headless and "matplotlib.pyplot" not in sys.modules and "MPLBACKEND" not in os.environ:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _new_axes(ax, plt, figsize):
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
        return fig, ax
    return ax.figure, ax


def _save(fig, path):
    if path is not None:
        fig.savefig(os.fspath(path), format="png", dpi=100, bbox_inches="tight")


def project_2d(vectors: npt.ArrayLike, method: Literal["pca", "tsne"] = "pca", random_state: int = 0,
               perplexity: float | None = None) -> np.ndarray:
    """Project row vectors to two dimensions.

    Parameters
    ----------
    vectors : array_like of shape (n, d)
        The vectors (at least 2 rows).
    method : {'pca', 'tsne'}, optional
        ``'pca'``: the first two principal components (numpy SVD of the centred rows). ``'tsne'``:
        t-SNE from scikit-learn (needs ``pip install scikit-learn``).
    random_state : int, optional
        Seed of t-SNE (PCA is deterministic up to the sign of each axis, which is fixed here).
    perplexity : float, optional
        t-SNE perplexity; default ``min(30, (n - 1) / 3)`` (it must be below n).

    Returns
    -------
    ndarray of shape (n, 2)

    Raises
    ------
    ValueError
        If `method` is unknown or there are fewer than 2 vectors.
    ImportError
        If `method` is ``'tsne'`` and scikit-learn is not installed.
    """
    vectors = np.asarray(vectors, dtype=np.float64)
    if vectors.ndim != 2 or vectors.shape[0] < 2:
        raise ValueError(f"need a 2-D array of at least 2 vectors, got shape {vectors.shape}")
    if method == "pca":
        centred = vectors - vectors.mean(axis=0)
        u, s, _ = np.linalg.svd(centred, full_matrices=False)
        coords = u[:, :2] * s[:2]
        if coords.shape[1] < 2:                                     # 1-D vectors
            coords = np.hstack([coords, np.zeros((len(coords), 1))])
        # fix each axis' sign: its largest-magnitude coordinate is positive
        signs = np.sign(coords[np.abs(coords).argmax(axis=0), np.arange(2)])
        signs[signs == 0] = 1
        return coords * signs
    if method == "tsne":
        try:
            from sklearn.manifold import TSNE
        except ImportError as exc:
            raise ImportError(
                "method='tsne' needs the 'scikit-learn' package: pip install scikit-learn "
                "(or use method='pca')"
            ) from exc
        n = vectors.shape[0]
        if perplexity is None:
            perplexity = max(1.0, min(30.0, (n - 1) / 3.0))
        tsne = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=random_state)
        return tsne.fit_transform(vectors)
    raise ValueError(f"method must be 'pca' or 'tsne', got {method!r}")


def plot_words(kv: KeyedVectors | Word2Vec, words: Sequence[Hashable], method: Literal["pca", "tsne"] = "pca",
               path: StrPath | None = None, ax: Axes | None = None) -> Figure:
    """Scatter plot of word vectors projected to 2-D, each point labelled with its word.

    Parameters
    ----------
    kv : cw2v.KeyedVectors or cw2v.Word2Vec
        The vectors (``model.wv`` is used for a model).
    words : list of str
        Words to plot (at least 2, no duplicates); each must be in the vocabulary. The unit-length vectors
        are projected, so the picture reflects cosine similarity.
    method : {'pca', 'tsne'}, optional
        Projection (see :func:`project_2d`); ``'tsne'`` needs scikit-learn.
    path : str or path-like, optional
        Save the figure there as PNG.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    KeyError
        If a word is not in the vocabulary.
    ValueError
        If fewer than 2 words are given, a word is repeated, or `method` is unknown.
    ImportError
        If matplotlib (or, for t-SNE, scikit-learn) is not installed.
    """
    vocab = cast("KeyedVectors", getattr(kv, "wv", kv))   # a model: its vectors
    if isinstance(words, str):
        raise ValueError("words must be a list of words, not a single string")
    words = list(words)
    if len(words) < 2:
        raise ValueError(f"need at least 2 words to plot, got {len(words)}")
    if len(set(words)) != len(words):
        raise ValueError("words contains duplicates")
    if method not in ("pca", "tsne"):
        raise ValueError(f"method must be 'pca' or 'tsne', got {method!r}")
    missing = [word for word in words if word not in vocab]
    if missing:
        raise KeyError(f"words not in the vocabulary: {missing[:10]}")
    vectors = np.vstack([vocab.get_vector(word, norm=True) for word in words])
    coords = project_2d(vectors, method=method)

    plt = _pyplot()
    fig, ax = _new_axes(ax, plt, figsize=(8, 6))
    ax.scatter(coords[:, 0], coords[:, 1], s=18, color="tab:blue")
    for word, (x, y) in zip(words, coords):
        ax.annotate(str(word), (x, y), xytext=(3, 3), textcoords="offset points", fontsize=9)
    label = "PC" if method == "pca" else "t-SNE "
    ax.set_xlabel(f"{label}1")
    ax.set_ylabel(f"{label}2")
    ax.set_title(f"{len(words)} word vectors ({method.upper() if method == 'pca' else 't-SNE'})")
    _save(fig, path)
    return fig


def plot_losses(model: Word2Vec, path: StrPath | None = None, ax: Axes | None = None) -> Figure:
    """Line plot of the training loss of each epoch (``model.epoch_losses``).

    Parameters
    ----------
    model : cw2v.Word2Vec
        A model trained with ``compute_loss=True``.
    path : str or path-like, optional
        Save the figure there as PNG.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If the model has no per-epoch losses (train with ``compute_loss=True``) or they are not numbers.
    ImportError
        If matplotlib is not installed.
    """
    losses = getattr(model, "epoch_losses", None)
    if losses is None or len(losses) == 0:
        raise ValueError(
            "the model has no per-epoch losses (model.epoch_losses): train it with compute_loss=True"
        )
    try:
        losses = np.asarray(losses, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"model.epoch_losses must be a list of numbers: {exc}") from exc
    if losses.ndim != 1:
        raise ValueError(f"model.epoch_losses must be a flat list of numbers, got shape {losses.shape}")

    plt = _pyplot()
    fig, ax = _new_axes(ax, plt, figsize=(6, 4))
    epochs = np.arange(1, len(losses) + 1)
    ax.plot(epochs, losses, marker="o")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss")
    if len(epochs) <= 20:
        ax.set_xticks(epochs)
    ax.set_title("Training loss per epoch")
    ax.grid(True, alpha=0.3)
    _save(fig, path)
    return fig
