"""gensim both ways: files gensim 4 saves, files of old gensim versions, live conversions, ``save(format="gensim")``.

Old files come from gensim's own test data (``cw2v.test.utils.datapath``), so those tests need gensim
installed; the others need gensim itself to write or read. Each test asks for gensim inside itself (the test
of the ImportError without gensim runs anyway); the native format's tests are in test_persist.py.
"""
import os
import sys

import numpy as np
import pytest

from cw2v import FrozenPhrases, KeyedVectors, Phrases, Word2Vec, persist
from cw2v.persist import UnsafePickleError
from cw2v.test.utils import common_texts, test_data_dir

from test_persist import SENTENCES, _Evil, new_model


def old_file(name):
    folder = test_data_dir()
    if folder is None or not os.path.exists(os.path.join(folder, name)):
        pytest.skip(f"gensim's test data ({name}) is not installed: pip install gensim")
    return os.path.join(folder, name)


OLD_MODELS = (["word2vec_old", "word2vec_old_sep", "word2vec_3.3", "model-from-gensim-3.8.0.w2v",
               "word2vec_pre_kv_py2", "word2vec_pre_kv_py3", "word2vec_pre_kv_py3_4", "word2vec_pre_kv_sep_py2",
               "word2vec_pre_kv_sep_py3", "word2vec_pre_kv_sep_py3_4"]
              + [f"old_w2v_models/w2v_{v}.mdl" for v in ("0.12.0", "0.13.4", "1.0.0", "1.0.1", "2.0.0", "2.1.0",
                                                           "2.2.0", "2.3.0", "3.0.0", "3.1.0", "3.2.0", "3.3.0",
                                                           "3.4.0")])


# ------------------------------------------------------------------------------------ files saved by gensim 4

@pytest.fixture(scope="module")
def gensim_model():
    gensim_w2v = pytest.importorskip("gensim.models.word2vec")
    return gensim_w2v.Word2Vec(SENTENCES, vector_size=12, window=3, min_count=2, sg=1, hs=1, negative=3,
                               workers=1, seed=3, epochs=2)


@pytest.mark.parametrize("how", ["inline", "separate", "gzip"])
def test_gensim_model_loads_and_keeps_training(tmp_path, gensim_model, how):
    name = "g.model.gz" if how == "gzip" else "g.model"
    path = str(tmp_path / name)
    if how == "inline":
        gensim_model.save(path)
    else:
        gensim_model.save(path, sep_limit=1)  # every array in its own .npy/.npz file
    assert any(f.endswith((".npy", ".npz")) for f in os.listdir(tmp_path)) == (how != "inline")

    model = Word2Vec.load(path)
    g = gensim_model
    assert model.wv.index_to_key == g.wv.index_to_key
    np.testing.assert_array_equal(model.wv.vectors, g.wv.vectors)
    np.testing.assert_array_equal(model.syn1neg, g.syn1neg)
    np.testing.assert_array_equal(model.syn1, g.syn1)
    np.testing.assert_array_equal(model.wv.expandos["count"], g.wv.expandos["count"])
    for attr in ("vector_size", "window", "sg", "hs", "negative", "sample", "min_count", "alpha", "min_alpha",
                 "epochs", "corpus_count", "corpus_total_words", "seed"):
        assert getattr(model, attr) == getattr(g, attr), attr
    np.testing.assert_array_equal(model.cum_table, g.cum_table)
    # gensim's Huffman tree is kept, so that its syn1 rows stay meaningful
    for i, key in enumerate(g.wv.index_to_key):
        n = model._tables.code_lens[i]
        np.testing.assert_array_equal(model._tables.codes[i, :n], g.wv.get_vecattr(key, "code"))
        np.testing.assert_array_equal(model._tables.points[i, :n], g.wv.get_vecattr(key, "point"))
    assert model.wv.most_similar("w3", topn=5) == g.wv.most_similar("w3", topn=5)

    before = model.wv.vectors.copy()
    model.train(SENTENCES, total_examples=model.corpus_count, epochs=1)
    assert np.isfinite(model.wv.vectors).all() and not np.array_equal(model.wv.vectors, before)
    model.save(tmp_path / "native")  # and it can be re-saved natively
    assert Word2Vec.load(tmp_path / "native").wv.index_to_key == g.wv.index_to_key


def test_gensim_mmap_and_keyed_vectors(tmp_path, gensim_model):
    path = str(tmp_path / "g.model")
    gensim_model.save(path, sep_limit=1)
    model = Word2Vec.load(path, mmap="r")
    assert isinstance(model.wv.vectors, np.memmap) and isinstance(model.syn1neg, np.memmap)
    np.testing.assert_array_equal(model.wv.vectors, gensim_model.wv.vectors)

    kv_path = str(tmp_path / "g.kv")
    gensim_model.wv.save(kv_path)
    kv = KeyedVectors.load(kv_path)
    assert type(kv) is KeyedVectors and kv.index_to_key == gensim_model.wv.index_to_key
    np.testing.assert_array_equal(kv.vectors, gensim_model.wv.vectors)
    assert kv.most_similar("w2", topn=3) == gensim_model.wv.most_similar("w2", topn=3)
    gensim_model.wv.save(kv_path + "2", sep_limit=1)
    assert isinstance(KeyedVectors.load(kv_path + "2", mmap="r").vectors, np.memmap)
    assert type(KeyedVectors.load(path)) is Word2Vec  # as gensim's KeyedVectors.load returns the model
    with pytest.raises(AttributeError):
        Word2Vec.load(kv_path)
    gz = str(tmp_path / "c.model.gz")
    gensim_model.save(gz, sep_limit=1)
    with pytest.raises(ValueError, match="compressed"):
        Word2Vec.load(gz, mmap="r")


def test_gensim_is_not_imported_when_loading(tmp_path, gensim_model):
    path = str(tmp_path / "g.model")
    gensim_model.save(path)
    code = (
        "import sys; sys.modules['gensim'] = None\n"  # any import of gensim would fail
        "from cw2v import Word2Vec\n"
        f"m = Word2Vec.load({path!r}); print(len(m.wv))\n"
    )
    import subprocess
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    # from outside the source tree, so the installed package (with its compiled modules) is imported
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60,
                         cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout) == len(gensim_model.wv)


def test_poisoned_gensim_model_is_refused_before_running(tmp_path, gensim_model):
    """A genuine gensim save with one attribute that would run code when unpickled."""
    marker = tmp_path / "pwned"
    path = tmp_path / "evil"
    old = gensim_model.comment
    gensim_model.comment = _Evil(marker)
    try:
        gensim_model.save(str(path))
    finally:
        gensim_model.comment = old
    for loader in (Word2Vec.load, KeyedVectors.load):
        with pytest.raises(UnsafePickleError, match=r"(posix|nt|os)\.system"):
            loader(path)
    assert not marker.exists()


# ------------------------------------------------------------------------------------ old gensim files


@pytest.mark.parametrize("name", OLD_MODELS)
def test_old_gensim_model_loads_and_keeps_training(tmp_path, name):
    path = old_file(name)
    model = Word2Vec.load(path)
    n = len(model.wv)
    assert n > 0 and model.wv.vectors.shape == (n, model.vector_size)
    if model.negative:
        assert model.syn1neg.shape == (n, model.vector_size) and model.cum_table.shape == (n,)
    if model.hs:
        assert model.syn1.shape == (n, model.vector_size) and model._tables.code_lens.shape == (n,)
    assert len(model.wv.vectors_lockf) in (1, n)
    assert len(model.wv.most_similar(model.wv.index_to_key[0], topn=2)) == 2
    sentences = SENTENCES[:50] + [model.wv.index_to_key * 2]
    model.build_vocab(sentences, update=True)
    model.train(sentences, total_examples=len(sentences), epochs=1)
    assert len(model.wv) > n and np.isfinite(model.wv.vectors).all()
    model.save(tmp_path / "m")
    assert Word2Vec.load(tmp_path / "m").wv.index_to_key == model.wv.index_to_key


@pytest.mark.parametrize("name", ["word2vec_old", "word2vec_3.3", "model-from-gensim-3.8.0.w2v",
                                  "old_w2v_models/w2v_1.0.0.mdl", "old_w2v_models/w2v_2.3.0.mdl",
                                  "old_w2v_models/w2v_3.4.0.mdl"])
def test_old_gensim_model_matches_gensims_own_reading(name):
    gensim_w2v = pytest.importorskip("gensim.models.word2vec")
    path = old_file(name)
    theirs = gensim_w2v.Word2Vec.load(path)
    ours = Word2Vec.load(path)
    assert ours.wv.index_to_key == theirs.wv.index_to_key
    np.testing.assert_array_equal(ours.wv.vectors, theirs.wv.vectors)
    np.testing.assert_array_equal(ours.syn1neg, theirs.syn1neg)
    np.testing.assert_array_equal(ours.wv.expandos["count"], theirs.wv.expandos["count"])
    np.testing.assert_array_equal(ours.cum_table, theirs.cum_table)
    for attr in ("vector_size", "window", "sg", "hs", "negative", "epochs", "corpus_count", "corpus_total_words",
                 "max_final_vocab", "sample", "alpha", "min_count"):
        assert getattr(ours, attr) == getattr(theirs, attr), attr


def test_old_keyed_vectors_file():
    path = old_file("old_keyedvectors_320.dat")
    kv = KeyedVectors.load(path)
    assert kv.vectors.shape == (12, 100) and kv.get_vector("computer").shape == (100,)
    assert kv.get_vecattr("computer", "count") >= 1 and kv.expandos["sample_int"].dtype == np.uint32
    gensim_kv = pytest.importorskip("gensim.models.keyedvectors")
    theirs = gensim_kv.KeyedVectors.load(path)
    assert kv.index_to_key == theirs.index_to_key
    np.testing.assert_array_equal(kv.vectors, theirs.vectors)
    np.testing.assert_array_equal(kv.expandos["count"], theirs.expandos["count"])


@pytest.mark.parametrize("name", ["phrases-3.6.0.model", "phrases-no-common-terms.pkl", "phrases-no-scoring.pkl",
                                  "phrases-scoring-str.pkl", "phraser-3.6.0.model", "phraser-no-common-terms.pkl",
                                  "phraser-no-scoring.pkl", "phraser-scoring-str.pkl"])
def test_old_gensim_phrases_load(name):
    path = old_file(name)
    cls = Phrases if name.startswith("phrases") else FrozenPhrases
    model = cls.load(path)
    assert type(model) is cls and model.connector_words == frozenset() and model.delimiter == "_"
    sentence = ["graph", "minors", "survey", "human", "interface", "system"]
    assert model[sentence] == ["graph_minors", "survey", "human_interface", "system"]
    gensim_phrases = pytest.importorskip("gensim.models.phrases")
    theirs = getattr(gensim_phrases, cls.__name__).load(path)
    assert model[sentence] == theirs[sentence]
    if cls is Phrases:
        assert model.vocab == theirs.vocab and model.corpus_word_count == theirs.corpus_word_count
        assert model.export_phrases() == pytest.approx(theirs.export_phrases())
    else:
        assert model.phrasegrams == pytest.approx(theirs.phrasegrams)


def test_gensim_4_phrases_pickles_load(tmp_path):
    gensim_phrases = pytest.importorskip("gensim.models.phrases")
    theirs = gensim_phrases.Phrases(common_texts * 3, min_count=1, threshold=0.1, scoring="npmi",
                                    connector_words=frozenset({"of"}))
    theirs.save(str(tmp_path / "p.pkl"))
    theirs.freeze().save(str(tmp_path / "f.pkl"))
    ours = Phrases.load(tmp_path / "p.pkl")
    assert ours.vocab == theirs.vocab and ours.connector_words == frozenset({"of"})
    assert ours.export_phrases() == pytest.approx(theirs.export_phrases())
    frozen = FrozenPhrases.load(tmp_path / "f.pkl")
    assert frozen.phrasegrams == pytest.approx(theirs.freeze().phrasegrams)
    # a gensim model with a custom scorer names a function of another module: refused before anything runs
    custom = gensim_phrases.Phrases(common_texts, min_count=1, threshold=0.1, scoring=_custom_scorer)
    custom.save(str(tmp_path / "custom.pkl"))
    with pytest.raises(UnsafePickleError, match="_custom_scorer"):
        Phrases.load(tmp_path / "custom.pkl")


def _custom_scorer(worda_count, wordb_count, bigram_count, len_vocab, min_count, corpus_word_count):
    return 1.0


# ------------------------------------------------------------------------------------ live conversions


@pytest.mark.parametrize("params", [dict(sg=1, negative=5), dict(sg=0, hs=1, negative=0),
                                    dict(sg=1, hs=1, negative=3)])
def test_to_gensim_gives_the_same_model_and_gensim_trains_it(params):
    pytest.importorskip("gensim")
    model = new_model(**params)
    model.train(SENTENCES, total_examples=model.corpus_count, epochs=2)
    g = model.to_gensim()
    assert g.wv.index_to_key == model.wv.index_to_key
    np.testing.assert_array_equal(g.wv.vectors, model.wv.vectors)
    assert not np.shares_memory(g.wv.vectors, model.wv.vectors)
    if model.negative:
        np.testing.assert_array_equal(g.syn1neg, model.syn1neg)
    if model.hs:
        np.testing.assert_array_equal(g.syn1, model.syn1)
        for i in (0, len(model.wv) // 2, len(model.wv) - 1):  # cw2v's Huffman tree, which syn1 was trained with
            n = model._tables.code_lens[i]
            np.testing.assert_array_equal(g.wv.expandos["code"][i], model._tables.codes[i, :n])
            np.testing.assert_array_equal(g.wv.expandos["point"][i], model._tables.points[i, :n])
    assert g.wv.most_similar("w1", topn=5) == model.wv.most_similar("w1", topn=5)
    for attr in ("vector_size", "window", "sg", "hs", "negative", "sample", "min_count", "alpha", "min_alpha",
                 "epochs", "corpus_count", "corpus_total_words", "ns_exponent", "cbow_mean"):
        assert getattr(g, attr) == getattr(model, attr), attr

    # the subsampling thresholds and noise table are those gensim computes itself for the same corpus
    from gensim.models.word2vec import Word2Vec as GensimWord2Vec
    ref = GensimWord2Vec(vector_size=16, window=3, min_count=2, workers=1, sample=1e-2, **params)
    ref.build_vocab(SENTENCES)
    ref_sample = dict(zip(ref.wv.index_to_key, ref.wv.expandos["sample_int"]))
    assert dict(zip(g.wv.index_to_key, g.wv.expandos["sample_int"])) == ref_sample
    if model.negative:
        assert set(g.wv.index_to_key) == set(ref.wv.index_to_key)
        np.testing.assert_array_equal(g.cum_table, ref.cum_table)

    before = g.wv.vectors.copy()
    g.train(SENTENCES, total_examples=len(SENTENCES), epochs=1)
    assert np.isfinite(g.wv.vectors).all() and not np.array_equal(g.wv.vectors, before)
    np.testing.assert_array_equal(model.wv.vectors, before)  # the cw2v model was not touched


def test_from_gensim_gives_the_same_model_and_cw2v_trains_it():
    gensim_w2v = pytest.importorskip("gensim.models.word2vec")
    g = gensim_w2v.Word2Vec(SENTENCES, vector_size=12, window=3, min_count=2, sg=1, hs=1, negative=3, workers=1,
                            seed=3, epochs=2)
    model = Word2Vec.from_gensim(g)
    assert model.wv.index_to_key == g.wv.index_to_key
    np.testing.assert_array_equal(model.wv.vectors, g.wv.vectors)
    np.testing.assert_array_equal(model.syn1, g.syn1)
    np.testing.assert_array_equal(model.syn1neg, g.syn1neg)
    assert model.wv.most_similar("w2", topn=4) == g.wv.most_similar("w2", topn=4)
    before = g.wv.vectors.copy()
    model.train(SENTENCES, total_examples=model.corpus_count, epochs=1)
    assert np.isfinite(model.wv.vectors).all() and not np.array_equal(model.wv.vectors, before)
    np.testing.assert_array_equal(g.wv.vectors, before)  # nothing shared with the gensim model
    # and back: gensim trains the cw2v-trained model on
    back = model.to_gensim()
    back.train(SENTENCES, total_examples=len(SENTENCES), epochs=1)
    assert np.isfinite(back.wv.vectors).all()
    with pytest.raises(TypeError, match="gensim Word2Vec"):
        Word2Vec.from_gensim(model)


def test_keyed_vectors_both_ways():
    pytest.importorskip("gensim")
    kv = KeyedVectors(4)
    kv.add_vectors(["a", 7, "b\u00e9"], np.arange(12, dtype=np.float32).reshape(3, 4))
    kv.expandos["count"] = np.array([3, 2, 1], dtype=np.int64)
    g = kv.to_gensim()
    assert g.index_to_key == ["a", 7, "b\u00e9"] and g.get_vecattr(7, "count") == 2
    np.testing.assert_array_equal(g[7], kv[7])
    assert g.most_similar("a", topn=2) == kv.most_similar("a", topn=2)
    back = KeyedVectors.from_gensim(g)
    assert type(back) is KeyedVectors and back.index_to_key == kv.index_to_key
    np.testing.assert_array_equal(back.vectors, kv.vectors)
    np.testing.assert_array_equal(back.expandos["count"], kv.expandos["count"])
    with pytest.raises(TypeError, match="gensim KeyedVectors"):
        KeyedVectors.from_gensim(kv)


def test_conversions_without_gensim_name_pip_install(monkeypatch):
    for name in ("gensim", "gensim.models", "gensim.models.word2vec", "gensim.models.keyedvectors"):
        monkeypatch.setitem(sys.modules, name, None)
    model = new_model()
    for call in (model.to_gensim, model.wv.to_gensim, lambda: Word2Vec.from_gensim(object()),
                 lambda: KeyedVectors.from_gensim(object()), lambda: model.save("never", format="gensim")):
        with pytest.raises(ImportError, match="pip install gensim"):
            call()
    assert not os.path.exists("never")


# ------------------------------------------------------------------------------------ save(format="gensim")


def test_gensim_format_model_loads_in_gensim_and_keeps_training(tmp_path):
    gensim_w2v = pytest.importorskip("gensim.models.word2vec")
    model = new_model(sg=1, hs=1, negative=3)
    model.train(SENTENCES, total_examples=model.corpus_count, epochs=2)
    path = tmp_path / "g.model"
    model.save(path, format="gensim")
    assert os.listdir(tmp_path) == ["g.model"] and persist.file_kind(path) == "pickle"
    theirs = gensim_w2v.Word2Vec.load(str(path))
    np.testing.assert_array_equal(theirs.wv.vectors, model.wv.vectors)
    np.testing.assert_array_equal(theirs.syn1, model.syn1)
    assert theirs.wv.most_similar("w3", topn=5) == model.wv.most_similar("w3", topn=5)
    theirs.train(SENTENCES, total_examples=len(SENTENCES), epochs=1)
    assert np.isfinite(theirs.wv.vectors).all()
    ours = Word2Vec.load(path)  # cw2v reads it back through the restricted unpickler
    np.testing.assert_array_equal(ours.wv.vectors, model.wv.vectors)
    np.testing.assert_array_equal(ours._tables.points, model._tables.points)
    ours.train(SENTENCES, total_examples=ours.corpus_count, epochs=1)


def test_gensim_format_keyed_vectors_and_keys_json_cannot_hold(tmp_path):
    gensim_kv = pytest.importorskip("gensim.models.keyedvectors")
    kv = KeyedVectors(3)
    kv.add_vectors([("new", "york"), 5, "x"], np.arange(9, dtype=np.float32).reshape(3, 3))
    with pytest.raises(ValueError, match="format='gensim'"):
        kv.save(tmp_path / "v")
    kv.save(tmp_path / "v", format="gensim")
    theirs = gensim_kv.KeyedVectors.load(str(tmp_path / "v"))
    assert theirs.index_to_key == [("new", "york"), 5, "x"]
    ours = KeyedVectors.load(tmp_path / "v")
    assert ours.index_to_key == [("new", "york"), 5, "x"]
    np.testing.assert_array_equal(ours.get_vector(("new", "york")), kv.get_vector(("new", "york")))


def test_gensim_format_save_is_atomic(tmp_path, monkeypatch):
    pytest.importorskip("gensim")
    model = new_model()
    path = tmp_path / "g.model"
    model.save(path, format="gensim")
    before = path.read_bytes()
    model.wv.vectors[0] += 1

    def failing_replace(src, dst):
        raise OSError("cannot rename")
    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="cannot rename"):
        model.save(path, format="gensim")
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["g.model"] and path.read_bytes() == before
