"""Approximate nearest-neighbour indexers (cw2v.similarities): agreement with the exact search, save/load,
errors. annoy and hnswlib are optional: the tests needing them skip when they are not installed."""
import importlib.util
import json
import os
import sys

import numpy as np
import pytest

import cw2v
from cw2v import KeyedVectors
from cw2v.similarities import AnnoyIndexer, HnswIndexer

HAVE_ANNOY = importlib.util.find_spec("annoy") is not None
HAVE_HNSWLIB = importlib.util.find_spec("hnswlib") is not None
needs_annoy = pytest.mark.skipif(not HAVE_ANNOY, reason="optional package 'annoy' not installed (pip install annoy)")
needs_hnswlib = pytest.mark.skipif(
    not HAVE_HNSWLIB, reason="optional package 'hnswlib' not installed (pip install hnswlib)"
)

# Issue 6's bar: on average over the query words, the indexer's top-10 shares >= 70% of the exact top-10.
AGREEMENT_BAR = 0.70
N_QUERIES = 50


@pytest.fixture(scope="module")
def model(demo_corpus_path, make_model):
    return make_model(cw2v.LineSentence(demo_corpus_path, limit=5000), vector_size=50, min_count=5, workers=2)


def _queries(kv):
    """N_QUERIES words spread over the 2000 most frequent."""
    step = min(2000, len(kv)) // N_QUERIES
    return kv.index_to_key[: step * N_QUERIES : step]


def agreement(kv, indexer, topn=10):
    """Mean fraction of the exact top-`topn` found in the indexer's top-`topn`, both through most_similar.

    As in gensim, the indexer's answer includes the query word itself (the exact search excludes it), so
    the best possible value is (topn - 1) / topn.
    """
    shares = []
    for word in _queries(kv):
        exact = {key for key, _ in kv.most_similar(word, topn=topn)}
        approx = kv.most_similar(word, topn=topn, indexer=indexer)
        assert len(approx) == topn
        shares.append(len(exact & {key for key, _ in approx}) / topn)
    return float(np.mean(shares))


def _check_scores(kv, indexer, word):
    result = kv.most_similar(word, topn=10, indexer=indexer)
    sims = [sim for _, sim in result]
    assert sims == sorted(sims, reverse=True)
    for key, sim in result:
        assert isinstance(sim, float)
        assert sim == pytest.approx(float(kv.similarity(word, key)), abs=1e-4)
    assert result[0][0] == word


@needs_annoy
def test_annoy_agrees_with_exact_search(model):
    # search_k: nodes inspected per query. The 2-epoch model's vectors are nearly parallel (cosines
    # > 0.99), the hard case for annoy; well-trained models need far fewer.
    indexer = AnnoyIndexer(model, num_trees=50, search_k=3000)
    share = agreement(model.wv, indexer)
    print(f"\nAnnoyIndexer top-10 agreement with exact most_similar: {share:.3f}")
    assert share >= AGREEMENT_BAR
    _check_scores(model.wv, indexer, model.wv.index_to_key[7])


@needs_hnswlib
def test_hnsw_agrees_with_exact_search(model):
    indexer = HnswIndexer(model, M=16, ef_construction=200, ef=100, num_threads=1)
    share = agreement(model.wv, indexer)
    print(f"\nHnswIndexer top-10 agreement with exact most_similar: {share:.3f}")
    assert share >= AGREEMENT_BAR
    _check_scores(model.wv, indexer, model.wv.index_to_key[7])


SMALL_KEYS = ("a", "b", "c", "d", "e", "f")


def _exact(kv, vector, n):
    unit = vector / np.linalg.norm(vector)
    sims = kv.get_normed_vectors() @ unit
    return [kv.index_to_key[i] for i in np.argsort(-sims)[:n]]


@pytest.mark.parametrize("cls", [
    pytest.param(AnnoyIndexer, marks=needs_annoy), pytest.param(HnswIndexer, marks=needs_hnswlib),
])
def test_small_index_is_exact_and_accepts_keyedvectors(cls, make_kv):
    kv = make_kv(SMALL_KEYS, seed=3)
    indexer = cls(kv)
    rng = np.random.default_rng(0)
    for _ in range(5):
        vector = rng.standard_normal(8).astype(np.float32)
        result = indexer.most_similar(vector, 3)
        assert [key for key, _ in result] == _exact(kv, vector, 3)
    # more neighbours than keys: all keys; zero: none
    assert len(indexer.most_similar(vector, 100)) == len(kv)
    assert indexer.most_similar(vector, 0) == []
    assert len(indexer) == len(kv)


@pytest.mark.parametrize("cls", [
    pytest.param(AnnoyIndexer, marks=needs_annoy), pytest.param(HnswIndexer, marks=needs_hnswlib),
])
def test_save_load_round_trip(cls, model, tmp_path):
    indexer = cls(model) if cls is HnswIndexer else cls(model, num_trees=10)
    probe = model.wv.get_vector("the")
    before = indexer.most_similar(probe, 3)
    fname = tmp_path / "index.ann"
    indexer.save(fname)
    assert fname.is_file() and fname.stat().st_size > 0
    with open(str(fname) + ".json", encoding="utf-8") as fin:
        meta = json.load(fin)                                     # plain JSON, no pickle
    assert meta["keys"] == list(model.wv.index_to_key)
    assert sorted(os.listdir(tmp_path)) == ["index.ann", "index.ann.json"]   # no temporary file left

    loaded = cls().load(fname)
    assert loaded.labels == list(model.wv.index_to_key)
    for word in _queries(model.wv)[:10]:
        vector = model.wv.get_vector(word, norm=True)
        assert loaded.most_similar(vector, 10) == indexer.most_similar(vector, 10)
        assert model.wv.most_similar(word, topn=5, indexer=loaded) == model.wv.most_similar(
            word, topn=5, indexer=indexer)
    # the saving indexer still answers after save, and can save again over the same file
    assert indexer.most_similar(probe, 3) == before
    indexer.save(fname)
    assert indexer.most_similar(probe, 3) == before
    assert cls().load(fname).most_similar(probe, 3) == before


@pytest.mark.parametrize("cls", [
    pytest.param(AnnoyIndexer, marks=needs_annoy), pytest.param(HnswIndexer, marks=needs_hnswlib),
])
def test_integer_keys_round_trip(cls, tmp_path, make_kv):
    kv = make_kv([10, 20, 30, 40], seed=3)
    fname = tmp_path / "ints.idx"
    cls(kv).save(fname)
    loaded = cls().load(fname)
    assert loaded.labels == [10, 20, 30, 40]
    assert loaded.most_similar(kv.get_vector(30), 1)[0][0] == 30


@pytest.mark.parametrize("cls", [
    pytest.param(AnnoyIndexer, marks=needs_annoy), pytest.param(HnswIndexer, marks=needs_hnswlib),
])
def test_bad_input(cls, tmp_path, make_kv):
    kv = make_kv(SMALL_KEYS, seed=3)
    with pytest.raises(ValueError, match="Word2Vec model or KeyedVectors"):
        cls(model=[[1.0, 2.0]])
    with pytest.raises(ValueError, match="empty vocabulary"):
        cls(KeyedVectors(8))
    indexer = cls(kv)
    with pytest.raises(ValueError, match="shape"):
        indexer.most_similar(np.ones(7, dtype=np.float32), 3)
    with pytest.raises(ValueError, match="NaN"):
        indexer.most_similar(np.full(8, np.nan, dtype=np.float32), 3)
    with pytest.raises(TypeError, match="num_neighbors"):
        indexer.most_similar(np.ones(8, dtype=np.float32), 2.5)
    with pytest.raises(RuntimeError, match="load"):
        cls().most_similar(np.ones(8, dtype=np.float32), 3)
    with pytest.raises(FileNotFoundError, match="index files"):
        cls().load(tmp_path / "missing")
    # a sidecar from the other indexer, or not JSON at all
    fname = tmp_path / "x.idx"
    indexer.save(fname)
    other = HnswIndexer if cls is AnnoyIndexer else AnnoyIndexer
    with pytest.raises(ValueError, match="not written by"):
        other().load(fname)
    (tmp_path / "x.idx.json").write_bytes(b"\x80garbage")
    with pytest.raises(ValueError, match="JSON sidecar"):
        cls().load(fname)
    # keys JSON cannot hold
    odd = cls(kv)
    odd.labels = [("tuple", i) for i in range(len(kv))]
    with pytest.raises(TypeError, match="str and int keys"):
        odd.save(tmp_path / "odd.idx")


@needs_annoy
def test_annoy_bad_parameters(make_kv):
    kv = make_kv(SMALL_KEYS, seed=3)
    with pytest.raises(ValueError, match="num_trees"):
        AnnoyIndexer(kv, num_trees=0)
    with pytest.raises(ValueError, match="search_k"):
        AnnoyIndexer(kv, search_k=0)


@needs_hnswlib
def test_hnsw_bad_parameters(make_kv):
    kv = make_kv(SMALL_KEYS, seed=3)
    for name in ("M", "ef_construction", "ef"):
        with pytest.raises(ValueError, match=name):
            HnswIndexer(kv, **{name: 0})
    with pytest.raises(ValueError, match="zeros"):
        HnswIndexer(kv).most_similar(np.zeros(8, dtype=np.float32), 2)


@pytest.mark.parametrize("cls, module, hint", [
    (AnnoyIndexer, "annoy", "pip install annoy"), (HnswIndexer, "hnswlib", "pip install hnswlib"),
])
def test_missing_package_names_it(cls, module, hint, monkeypatch, make_kv):
    monkeypatch.setitem(sys.modules, module, None)      # makes `import module` raise ImportError
    with pytest.raises(ImportError, match=hint):
        cls(make_kv(SMALL_KEYS, seed=3))
