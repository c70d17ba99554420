"""gensim 4.4.0 KeyedVectors API beyond the queries: module names, Word Mover's Distance, analogy options,
gensim 3.x attribute names, strict decoding errors. None needs gensim (the comparisons with it are in
test_keyedvectors_gensim.py); the Word Mover's Distance tests need POT."""
import logging
import math
import pickle
import sys
from pathlib import Path

import numpy as np
import pytest

import cw2v.keyedvectors as kv_module
from cw2v.formats import KeyDecodeError, Word2VecFormatError
from cw2v.keyedvectors import KeyedVectors

REPO = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------------------- module names


def test_module_names_gensim_imports():
    from cw2v.models.keyedvectors import REAL, KeyedVectors as FromModels, pseudorandom_weak_vector  # noqa: F401

    assert FromModels is KeyedVectors
    assert REAL is np.float32
    assert KeyedVectors(2).vectors.dtype == REAL
    for alias in ("Word2VecKeyedVectors", "Doc2VecKeyedVectors", "EuclideanKeyedVectors"):
        assert getattr(kv_module, alias) is KeyedVectors


def test_pseudorandom_weak_vector():
    vec = kv_module.pseudorandom_weak_vector(50)
    assert vec.shape == (50,) and vec.dtype == np.float32
    assert np.all(vec >= -0.5 / 50) and np.all(vec < 0.5 / 50)
    assert not np.array_equal(vec, kv_module.pseudorandom_weak_vector(50))  # fresh draws without a seed
    stable = lambda s: sum(map(ord, s))  # noqa: E731  (a hash independent of PYTHONHASHSEED)
    a = kv_module.pseudorandom_weak_vector(8, seed_string="king", hashfxn=stable)
    b = kv_module.pseudorandom_weak_vector(8, seed_string="king", hashfxn=stable)
    np.testing.assert_array_equal(a, b)
    expected = (np.random.Generator(np.random.SFC64(stable("king"))).random(8).astype(np.float32) - 0.5) / 8
    np.testing.assert_array_equal(a, expected)
    for bad in (0, -3, 2.5, True, "8"):
        with pytest.raises(ValueError, match="size"):
            kv_module.pseudorandom_weak_vector(bad)


def test_prep_vectors():
    prior = np.arange(6, dtype=np.float32).reshape(2, 3)
    assert kv_module.prep_vectors((2, 3), prior) is prior
    grown = kv_module.prep_vectors((4, 5), prior, seed=3)
    assert grown.shape == (4, 5) and grown.dtype == np.float32
    np.testing.assert_array_equal(grown[:2, :3], prior)
    fresh = np.concatenate((grown[2:].ravel(), grown[:2, 3:].ravel()))
    assert np.all(np.abs(fresh) <= 1 / 5) and np.unique(fresh).size == fresh.size
    np.testing.assert_array_equal(kv_module.prep_vectors((1, 2), prior), prior[:1, :2])
    assert kv_module.prep_vectors((3, 2), dtype=np.float64).dtype == np.float64
    with pytest.raises(ValueError, match="target_shape"):
        kv_module.prep_vectors((3,))
    with pytest.raises(ValueError, match="non-negative"):
        kv_module.prep_vectors((-1, 2))


def test_module_level_loaders(tmp_path, make_kv):
    kv = make_kv(["a", "b", "c"], np.arange(9).reshape(3, 3) / 7)
    path = tmp_path / "v.bin"
    kv.save_word2vec_format(path, binary=True)
    loaded = kv_module.load_word2vec_format(path, binary=True)
    assert type(loaded) is KeyedVectors and loaded.index_to_key == ["a", "b", "c"]
    for chunk in (1, 5, 16, 100 * 1024):
        part = kv_module._load_word2vec_format(KeyedVectors, path, binary=True, limit=2, binary_chunk_size=chunk)
        assert part.index_to_key == ["a", "b"]
        np.testing.assert_array_equal(part.vectors, kv.vectors[:2])
    with pytest.raises(ValueError, match="binary_chunk_size"):
        kv_module._load_word2vec_format(KeyedVectors, path, binary=True, binary_chunk_size=0)


# ------------------------------------------------------------------------------------ strict decoding


def test_strict_decoding_raises_unicode_decode_error(tmp_path):
    path = tmp_path / "v.txt"
    path.write_bytes(b"2 2\n\xe3\x81\x82\xe3 1.0 2.0\nok 3.0 4.0\n")
    with pytest.raises(UnicodeDecodeError) as info:
        KeyedVectors.load_word2vec_format(path)
    err = info.value
    assert isinstance(err, Word2VecFormatError) and isinstance(err, KeyDecodeError)
    assert "line 2" in str(err) and "unicode_errors" in str(err)
    assert err.encoding == "utf-8" and err.reason == "unexpected end of data"
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is KeyDecodeError and str(again) == str(err)
    kv = KeyedVectors.load_word2vec_format(path, unicode_errors="ignore")
    assert kv.index_to_key == ["あ", "ok"]


def test_strict_decoding_of_vocab_file(tmp_path):
    (tmp_path / "v.txt").write_text("1 2\nok 3.0 4.0\n", encoding="utf8")
    (tmp_path / "vocab.txt").write_bytes(b"ok 3\n\xff 2\n")
    with pytest.raises(UnicodeDecodeError, match="vocab.txt: line 2"):
        KeyedVectors.load_word2vec_format(tmp_path / "v.txt", fvocab=tmp_path / "vocab.txt")


# ---------------------------------------------------------------------------------- Word Mover's Distance


@pytest.fixture
def plane(make_kv):
    """a, c point the same way (c twice as long), b is orthogonal, z is the zero vector."""
    return make_kv(["a", "b", "c", "z"], [[1, 0], [0, 1], [2, 0], [0, 0]])


def test_wmdistance_hand_computed(plane):
    pytest.importorskip("ot", reason="Word Mover's Distance needs POT (pip install POT)")
    assert plane.wmdistance(["a"], ["b"]) == pytest.approx(math.sqrt(2))
    assert plane.wmdistance(["a"], ["c"], norm=False) == pytest.approx(1.0)
    # half of the weight stays in place (a -> a), the other half moves b -> c
    assert plane.wmdistance(["a", "b"], ["a", "c"], norm=False) == pytest.approx(0.5 * math.sqrt(5))
    # a (weight 2/3) and b (1/3) all move onto c: 2/3 * 1 + 1/3 * sqrt(5)
    got = plane.wmdistance(["a", "b", "a"], ["c"], norm=False)
    assert got == pytest.approx(2 / 3 + math.sqrt(5) / 3)
    assert type(got) is float
    assert plane.wmdistance(["a", "b", "a"], ["c"], norm=False) == plane.wmdistance(["c"], ["a", "b", "a"], norm=False)


def test_wmdistance_edge_cases(plane, caplog):
    pytest.importorskip("ot", reason="Word Mover's Distance needs POT (pip install POT)")
    caplog.set_level(logging.INFO, logger="cw2v.keyedvectors")
    assert plane.wmdistance([], ["a"]) == float("inf")
    assert plane.wmdistance(["a"], ["unknown"]) == float("inf")
    assert "no words that were in the vocabulary" in caplog.text
    caplog.clear()
    assert plane.wmdistance(["a", "nope", "b"], ["b", "a", "zilch", "nada"]) == 0.0  # same bag once OOV is gone
    assert "Removed 1 and 2 OOV words" in caplog.text
    assert plane.wmdistance(["b", "a", "b"], ["a", "b", "b"]) == 0.0
    assert plane.wmdistance(["z"], ["z"]) == 0.0
    # parallel vectors have distance 0 once normalized (gensim returns inf for an all-zero cost matrix)
    assert plane.wmdistance(["a"], ["c"]) == 0.0
    with pytest.raises(ValueError, match=r"zero .*'z'.*norm=False"):
        plane.wmdistance(["z", "a"], ["b"])
    assert plane.wmdistance(["z"], ["b"], norm=False) == pytest.approx(1.0)
    assert plane.wmdistance(iter(["a"]), ("b",)) == pytest.approx(math.sqrt(2))
    with pytest.raises(TypeError, match="document1 must be a sequence of tokens"):
        plane.wmdistance("a b", ["b"])
    with pytest.raises(TypeError, match="document2 must be an iterable"):
        plane.wmdistance(["a"], 3)


def test_wmdistance_without_pot(plane, monkeypatch):
    monkeypatch.setitem(sys.modules, "ot", None)  # makes `import ot` fail
    with pytest.raises(ImportError, match="pip install POT"):
        plane.wmdistance(["a"], ["b"])


def test_pot_is_an_optional_and_a_test_dependency():
    tomllib = pytest.importorskip("tomllib", reason="tomllib is in the standard library from Python 3.11")
    extras = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf8"))["project"]["optional-dependencies"]
    assert extras["wmd"] == ["POT"]
    assert "POT" in extras["test"]


# ---------------------------------------------------------------------------------------- analogies


def write_analogy_case(folder):
    """Planted gender offsets and an analogy file over them in `folder`: (keys, vectors, path)."""
    rng = np.random.default_rng(2)
    keys = ["man", "woman", "king", "queen", "boy", "girl"] + [f"n{i}" for i in range(30)]
    vectors = rng.standard_normal((len(keys), 20))
    offset = 3 * rng.standard_normal(20)
    for male, female in (("man", "woman"), ("king", "queen"), ("boy", "girl")):
        vectors[keys.index(female)] = vectors[keys.index(male)] + offset
    path = folder / "q.txt"
    path.write_text(
        ": gender\nman woman king queen\nking queen boy girl\nman woman boy n3\n: other\nman king woman x\n",
        encoding="utf8",
    )
    return keys, vectors.astype(np.float32), path


@pytest.fixture
def analogy_case(tmp_path):
    return write_analogy_case(tmp_path)


@pytest.mark.parametrize("function", ["most_similar_cosmul", "similar_by_word", "anything"])
def test_evaluate_word_analogies_accepts_any_similarity_function(analogy_case, function, caplog, make_kv):
    keys, vectors, path = analogy_case
    kv = make_kv(keys, vectors)
    default = kv.evaluate_word_analogies(path)
    assert default[0] == pytest.approx(2 / 3)
    assert [s["section"] for s in default[1]] == ["gender", "other", "Total accuracy"]
    caplog.set_level(logging.WARNING, logger="cw2v.keyedvectors")
    assert kv.evaluate_word_analogies(path, similarity_function=function) == default
    assert f"similarity_function={function!r} is ignored" in caplog.text


def test_log_helpers(caplog):
    caplog.set_level(logging.INFO, logger="cw2v.keyedvectors")
    KeyedVectors.log_accuracy({"section": "capitals", "correct": [1, 2, 3], "incorrect": [4]})
    assert "capitals: 75.0% (3/4)" in caplog.text
    caplog.clear()
    KeyedVectors.log_accuracy({"section": "empty", "correct": [], "incorrect": []})
    assert caplog.text == ""
    assert KeyedVectors._log_evaluate_word_analogies({"section": "s", "correct": [1], "incorrect": [2]}) == 0.5
    KeyedVectors.log_evaluate_word_pairs((0.5, 0.01), (0.25, 0.02), 12.5, "pairs.tsv")
    assert "Pearson correlation coefficient against pairs.tsv: 0.5000" in caplog.text
    assert "Spearman rank-order correlation coefficient against pairs.tsv: 0.2500" in caplog.text
    assert "Pairs with unknown words ratio: 12.5%" in caplog.text


# ------------------------------------------------------------------------------ gensim 3.x attribute names


def test_removed_attributes_explain_their_replacement(make_kv):
    kv = make_kv(["a", "b"], np.eye(2))
    with pytest.raises(AttributeError, match="get_normed_vectors"):
        kv.vectors_norm
    with pytest.raises(AttributeError, match="index_to_key"):
        kv.index2word
    with pytest.raises(AttributeError, match="index_to_key"):
        kv.index2entity
    with pytest.raises(AttributeError, match="key_to_index"):
        kv.vocab
    with pytest.raises(AttributeError, match="key_to_index"):
        kv.vocab = {}
    assert not hasattr(kv, "vocab")
    kv.vectors_norm = np.zeros((2, 2))  # accepted and ignored
    assert kv.norms is None
    kv.index2word = ["x", "y"]
    assert kv.index_to_key == ["x", "y"]
    kv.index2entity = ["p", "q"]
    assert kv.index_to_key == ["p", "q"]


def test_similarity_unseen_docs_is_not_for_word_vectors(make_kv):
    with pytest.raises(NotImplementedError, match="Doc2Vec"):
        make_kv(["a"], [[1.0]]).similarity_unseen_docs(["a"], ["a"])
