"""KeyedVectors on hand-made vectors: queries against closed forms, editing, word2vec files, evaluation errors.

The comparisons with gensim's KeyedVectors on the same vectors are in test_keyedvectors_gensim.py."""
import os

import numpy as np
import pytest

from cw2v.keyedvectors import KeyedVectors

# ------------------------------------------------------------------------------------------- queries


@pytest.fixture
def compass(make_kv):
    """Unit and non-unit vectors at known angles: e at 0 degrees, ne at 45, n at 90, w at 180, and e2 = 3 e."""
    s = np.sqrt(0.5)
    return make_kv(["e", "ne", "n", "w", "e2"], [[1, 0], [s, s], [0, 1], [-1, 0], [3, 0]])


def test_similarities_and_distances_are_cosines(compass):
    s = np.sqrt(0.5)
    assert compass.similarity("e", "ne") == pytest.approx(s)
    assert compass.similarity("e", "n") == pytest.approx(0.0, abs=1e-7)
    assert compass.similarity("e", "w") == pytest.approx(-1.0)
    assert compass.similarity("e", "e2") == pytest.approx(1.0)  # length does not count
    assert compass.distance("e", "w") == pytest.approx(2.0)
    np.testing.assert_allclose(compass.distances("e", ["ne", "n", "w"]), [1 - s, 1, 2], atol=1e-6)
    assert compass.n_similarity(["e", "n"], ["ne"]) == pytest.approx(1.0)  # the mean of e and n points at ne
    with pytest.raises(ZeroDivisionError):
        compass.n_similarity([], ["e"])
    with pytest.raises(ValueError):
        compass.n_similarity(["e"], [])


def test_most_similar_ranks_by_cosine_and_excludes_the_query(compass):
    ranked = compass.most_similar("e", topn=None)
    assert ranked.shape == (5,)  # topn=None: every similarity, the query's own included, in index order
    got = compass.most_similar("e", topn=4)
    assert [w for w, _ in got] == ["e2", "ne", "n", "w"]
    np.testing.assert_allclose([s for _, s in got], [1, np.sqrt(0.5), 0, -1], atol=1e-6)
    assert [w for w, _ in compass.most_similar(positive=["ne", "w"], negative=["e"], topn=1)] == ["n"]
    assert compass.most_similar(np.array([0.0, 2.0], dtype=np.float32), topn=1)[0][0] == "n"
    assert compass.doesnt_match(["e", "ne", "e2", "w"]) == "w"
    assert compass.rank("e", "ne") == 2 and compass.closer_than("e", "n") == ["ne", "e2"]
    with pytest.raises(KeyError, match="nope"):
        compass.most_similar("nope")


def test_lookups_are_read_only_views(compass):
    np.testing.assert_array_equal(compass["e2"], [3, 0])
    np.testing.assert_allclose(compass.get_vector("e2", norm=True), [1, 0])
    with pytest.raises(ValueError):
        compass["e"][0] = 1.0  # read-only view: the cached norms cannot silently go stale
    assert compass[[]].shape == (0, 2)
    assert compass[["n", "w"]].tolist() == [[0, 1], [-1, 0]]
    assert compass.get_index("n") == 2 and compass.get_index("nope", default=-1) == -1
    assert "n" in compass and "nope" not in compass and 4 in compass and 5 not in compass


def test_adding_resets_norms():
    ours = KeyedVectors(3)
    ours.add_vectors(["a", "b"], np.eye(3, dtype=np.float32)[:2])
    assert ours.most_similar("a", topn=1)[0][0] == "b"
    ours.add_vectors(["c"], np.array([[0.9, 0.1, 0.0]], dtype=np.float32))
    assert ours.norms is None
    assert ours.most_similar("a", topn=1)[0][0] == "c"
    ours["c"] = np.array([0.0, 0.0, 1.0], dtype=np.float32)
    assert ours.most_similar("a", topn=1)[0][0] == "b"
    with pytest.raises(ValueError, match="shape"):
        ours.add_vectors(["d", "e"], np.ones((3, 3)))


def test_add_vectors_extras_and_batch_duplicates():
    ours = KeyedVectors(2)
    ours.add_vectors(["a", "b"], np.ones((2, 2)), extras={"count": np.array([5, 3])})
    ours.add_vectors(["c", "a", "c"], np.arange(6.0).reshape(3, 2), extras={"count": np.array([7, 9, 8])}, replace=True)
    assert ours.index_to_key == ["a", "b", "c"]
    assert ours.expandos["count"].tolist() == [9, 3, 8]
    assert ours.vectors.tolist() == [[2, 3], [1, 1], [4, 5]]
    ours.add_vectors(["d"], np.zeros((1, 2)))
    assert ours.expandos["count"].tolist() == [9, 3, 8, 0]


def test_load_with_incomplete_vocab_file(tmp_path, make_kv):
    ours = make_kv(["a", "b", "c"], np.eye(3))
    ours.save_word2vec_format(tmp_path / "v.txt")
    (tmp_path / "vocab.txt").write_text("a 10\nc 4\n", encoding="utf8")
    loaded = KeyedVectors.load_word2vec_format(tmp_path / "v.txt", fvocab=tmp_path / "vocab.txt")
    assert loaded.expandos["count"].tolist() == [10, 0, 4]  # gensim raises TypeError here


def test_atomic_save(tmp_path, monkeypatch, make_kv):
    from cw2v import formats

    ours = make_kv(["a", "b", "c"], np.eye(3))
    path = tmp_path / "v.bin"
    ours.save_word2vec_format(path, binary=True)
    before = path.read_bytes()

    def boom(*args):
        raise OSError("no space left on device")

    monkeypatch.setattr(formats, "_binary_chunk_bytes", boom)
    ours["a"] = np.ones(3, dtype=np.float32)
    with pytest.raises(OSError):
        ours.save_word2vec_format(path, binary=True)
    assert path.read_bytes() == before
    assert [name for name in os.listdir(tmp_path) if name != "v.bin"] == []


def test_evaluate_word_analogies_errors(tmp_path, make_kv):
    ours = make_kv(["a", "b", "c", "d", "e"])
    (tmp_path / "nohead.txt").write_text("a b c d\n", encoding="utf8")
    with pytest.raises(ValueError, match="Missing section header"):
        ours.evaluate_word_analogies(tmp_path / "nohead.txt")
    (tmp_path / "empty.txt").write_text(": only a header\n", encoding="utf8")
    with pytest.raises(ValueError, match="no analogy questions"):
        ours.evaluate_word_analogies(tmp_path / "empty.txt")
    with pytest.raises(ZeroDivisionError, match="no analogy questions"):  # gensim's exception type there
        ours.evaluate_word_analogies(tmp_path / "empty.txt", similarity_function="most_similar_cosmul")


def test_evaluate_word_pairs_nothing_usable(tmp_path, make_kv):
    ours = make_kv(["a", "b", "c", "d", "e"])
    path = tmp_path / "pairs.tsv"
    path.write_text("# nothing\nfoo\tbar\t1.0\n", encoding="utf8")
    with pytest.raises(ValueError, match="No valid similarity judgements"):
        ours.evaluate_word_pairs(path)


def test_intersect_word2vec_format_binary_equals_text(tmp_path, make_kv):
    rng = np.random.default_rng(12)
    src = KeyedVectors(6)
    src.add_vectors(["b", "zz", "d", "b"][:3], rng.standard_normal((3, 6)).astype(np.float32))
    src.save_word2vec_format(tmp_path / "s.bin", binary=True)
    src.save_word2vec_format(tmp_path / "s.txt", binary=False)
    results = []
    for name, binary in (("s.bin", True), ("s.txt", False)):
        kv = make_kv(["a", "b", "c", "d"], np.zeros((4, 6)))
        kv.intersect_word2vec_format(tmp_path / name, binary=binary, lockf=0.0)
        results.append(kv)
    np.testing.assert_array_equal(results[0].vectors, results[1].vectors)
    np.testing.assert_array_equal(results[0].vectors[[1, 3]], src.vectors[[0, 2]])
    assert not results[0].vectors[[0, 2]].any()
    np.testing.assert_array_equal(results[0].vectors_lockf, [1.0, 0.0, 1.0, 0.0])
    with pytest.raises(ValueError, match="incompatible vector size"):
        KeyedVectors(5).intersect_word2vec_format(tmp_path / "s.txt")
