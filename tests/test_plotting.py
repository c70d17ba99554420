"""cw2v.plotting: PNG output, one label per word, errors. matplotlib is optional: these tests skip
without it."""
import importlib.util
import sys

import numpy as np
import pytest

from cw2v.plotting import plot_losses, plot_words, project_2d

HAVE_MPL = importlib.util.find_spec("matplotlib") is not None
HAVE_SKLEARN = importlib.util.find_spec("sklearn") is not None
needs_mpl = pytest.mark.skipif(
    not HAVE_MPL, reason="optional package 'matplotlib' not installed (pip install matplotlib)"
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WORDS = ["king", "queen", "man", "woman", "paris", "london", "dog", "cat"]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


@pytest.fixture(scope="module")
def kv(make_kv):
    return make_kv(WORDS + ["the", "a"], dim=16, seed=1)


def _check_png(path):
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    assert len(data) > 2000          # a real picture, not an empty canvas


def _labels(fig):
    return [text.get_text() for text in fig.axes[0].texts]


@needs_mpl
def test_plot_words_pca_png_and_labels(kv, tmp_path):
    path = tmp_path / "words.png"
    fig = plot_words(kv, WORDS, path=path)
    _check_png(path)
    assert sorted(_labels(fig)) == sorted(WORDS)           # one text label per word
    offsets = fig.axes[0].collections[0].get_offsets()
    assert len(offsets) == len(WORDS)


@needs_mpl
def test_plot_words_model_and_given_axes(kv, tmp_path):
    import matplotlib.pyplot as plt

    class Model:
        wv = kv

    model = Model()
    words = kv.index_to_key[:6]
    fig, ax = plt.subplots()
    out = plot_words(model, words, ax=ax)                  # a model: its .wv is used
    assert out is fig
    assert len(ax.texts) == len(words)
    assert not list(tmp_path.iterdir())                    # no path: nothing saved


@needs_mpl
@pytest.mark.skipif(not HAVE_SKLEARN, reason="optional package 'scikit-learn' not installed (t-SNE)")
def test_plot_words_tsne(kv, tmp_path):
    path = tmp_path / "tsne.png"
    fig = plot_words(kv, WORDS, method="tsne", path=path)
    _check_png(path)
    assert len(_labels(fig)) == len(WORDS)


def test_tsne_missing_sklearn_simulated(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.manifold", None)
    with pytest.raises(ImportError, match="pip install scikit-learn"):
        project_2d(np.eye(5), method="tsne")


def test_project_2d_pca_matches_svd():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((30, 5)) * np.array([5.0, 3.0, 1.0, 0.5, 0.1])
    coords = project_2d(x)
    assert coords.shape == (30, 2)
    # the PCA scores keep the variance of the top two components
    centred = x - x.mean(axis=0)
    s = np.linalg.svd(centred, compute_uv=False)
    assert np.allclose(np.sort(np.linalg.norm(coords, axis=0))[::-1], s[:2])
    assert np.allclose(coords.mean(axis=0), 0, atol=1e-9)


def test_plot_words_bad_input(kv):
    # these checks come before matplotlib is needed
    with pytest.raises(KeyError, match="nosuchword"):
        plot_words(kv, ["king", "nosuchword"])
    with pytest.raises(ValueError, match="at least 2"):
        plot_words(kv, ["king"])
    with pytest.raises(ValueError, match="duplicates"):
        plot_words(kv, ["king", "king"])
    with pytest.raises(ValueError, match="single string"):
        plot_words(kv, "king")
    with pytest.raises(ValueError, match="method"):
        plot_words(kv, ["king", "queen"], method="umap")


class _Trained:
    def __init__(self, losses):
        self.epoch_losses = losses


@needs_mpl
def test_plot_losses_png(tmp_path):
    path = tmp_path / "loss.png"
    fig = plot_losses(_Trained([120.5, 80.25, 60.0, 55.5]), path=path)
    _check_png(path)
    line = fig.axes[0].lines[0]
    assert list(line.get_ydata()) == [120.5, 80.25, 60.0, 55.5]
    assert list(line.get_xdata()) == [1, 2, 3, 4]


@needs_mpl
def test_plot_losses_of_a_trained_model(small_corpus, make_model, tmp_path):
    model = make_model(small_corpus[:500], vector_size=20, epochs=3, min_count=5, compute_loss=True)
    assert len(model.epoch_losses) == 3 and all(loss > 0 for loss in model.epoch_losses)
    path = tmp_path / "loss.png"
    fig = plot_losses(model, path=path)
    _check_png(path)
    assert list(fig.axes[0].lines[0].get_ydata()) == model.epoch_losses


def test_plot_losses_without_losses_says_compute_loss():
    with pytest.raises(ValueError, match="compute_loss=True"):
        plot_losses(object())
    with pytest.raises(ValueError, match="compute_loss=True"):
        plot_losses(_Trained([]))
    with pytest.raises(ValueError, match="numbers"):
        plot_losses(_Trained(["a", "b"]))


def test_missing_matplotlib_names_it(kv, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        plot_words(kv, WORDS[:3])
    with pytest.raises(ImportError, match="pip install matplotlib"):
        plot_losses(_Trained([1.0, 0.5]))
