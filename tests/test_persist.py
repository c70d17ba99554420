"""Native save/load (no pickle, atomic, resumable) and import of gensim-saved files (restricted unpickler)."""
import gzip
import json
import os
import pickle
import sys

import numpy as np
import pytest

from cw2v import KeyedVectors, Word2Vec
from cw2v import persist
from cw2v.persist import PersistFormatError, UnsafePickleError


def make_sentences(n_sentences=300, length=10, vocab=60, seed=0):
    rng = np.random.default_rng(seed)
    # Zipf-like word frequencies so that subsampling and the noise table matter
    weights = 1.0 / np.arange(1, vocab + 1)
    weights /= weights.sum()
    ids = rng.choice(vocab, size=(n_sentences, length), p=weights)
    return [[f"w{i}" for i in row] for row in ids]


SENTENCES = make_sentences()


def new_model(**kwargs):
    params = dict(vector_size=16, window=3, min_count=2, workers=1, seed=11, sample=1e-2)
    params.update(kwargs)
    model = Word2Vec(**params)
    model.build_vocab(SENTENCES)
    return model


def sample_kv(dtype=np.float32):
    rng = np.random.default_rng(5)
    kv = KeyedVectors(4, dtype=dtype)
    kv.add_vectors(["apple", "b\u00e9\u00e9r", 7, "\u732b"], rng.standard_normal((4, 4)).astype(dtype))
    kv.expandos["count"] = np.array([10, 7, 3, 1], dtype=np.int64)
    kv.set_vecattr("apple", "tag", "fruit")
    return kv


def own_files(folder, base):
    return sorted(name for name in os.listdir(folder) if name.startswith(base + "."))


# ------------------------------------------------------------------------------------ native KeyedVectors


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_keyed_vectors_round_trip(tmp_path, dtype):
    kv = sample_kv(dtype)
    path = tmp_path / "vectors.kv"
    kv.save(path)
    assert persist.file_kind(path) == "native"
    manifest = json.loads(path.read_text())
    assert manifest["format"] == "cw2v" and manifest["version"] == 1 and manifest["class"] == "KeyedVectors"
    assert manifest["kv"]["keys"] == ["apple", "b\u00e9\u00e9r", 7, "\u732b"]

    loaded = KeyedVectors.load(path)
    assert loaded.index_to_key == kv.index_to_key and loaded.key_to_index == kv.key_to_index
    assert loaded.vectors.dtype == dtype
    np.testing.assert_array_equal(loaded.vectors, kv.vectors)
    np.testing.assert_array_equal(loaded.expandos["count"], kv.expandos["count"])
    assert loaded.get_vecattr("apple", "tag") == "fruit" and loaded.get_vecattr(7, "tag") == 0
    assert loaded.most_similar("apple", topn=2) == kv.most_similar("apple", topn=2)


def test_mmap_gives_read_only_memmap(tmp_path):
    kv = sample_kv()
    kv.save(tmp_path / "v")
    loaded = KeyedVectors.load(str(tmp_path / "v"), mmap="r")
    assert isinstance(loaded.vectors, np.memmap)
    np.testing.assert_array_equal(loaded.vectors, kv.vectors)
    with pytest.raises(ValueError):
        loaded.vectors[0, 0] = 1.0
    assert loaded.similarity("apple", 7) == pytest.approx(kv.similarity("apple", 7))
    with pytest.raises(ValueError, match="mmap"):
        KeyedVectors.load(tmp_path / "v", mmap="w+")


def test_resave_replaces_arrays_and_deletes_old_ones(tmp_path):
    kv = sample_kv()
    path = tmp_path / "v"
    kv.save(path)
    first = own_files(tmp_path, "v")
    kv.vectors[0] += 1.0
    kv.save(path)
    second = own_files(tmp_path, "v")
    assert len(first) == len(second) == 2 and not set(first) & set(second)
    np.testing.assert_array_equal(KeyedVectors.load(path).vectors, kv.vectors)
    assert sorted(os.listdir(tmp_path)) == sorted(["v"] + second)


@pytest.mark.parametrize("stage", ["array", "manifest"])
def test_interrupted_save_keeps_previous_save(tmp_path, monkeypatch, stage):
    kv = sample_kv()
    path = tmp_path / "v"
    kv.save(path)
    before = sorted(os.listdir(tmp_path))
    changed = sample_kv()
    changed.vectors *= 2

    if stage == "array":
        real = np.lib.format.write_array
        calls = []

        def failing(*args, **kwargs):
            calls.append(1)
            if len(calls) == 2:
                raise KeyboardInterrupt("interrupted while writing the second array")
            return real(*args, **kwargs)
        monkeypatch.setattr(np.lib.format, "write_array", failing)
    else:
        def failing_replace(src, dst):
            raise OSError("disk full while switching the manifest")
        monkeypatch.setattr(persist.os, "replace", failing_replace)

    with pytest.raises((KeyboardInterrupt, OSError)):
        changed.save(path)
    monkeypatch.undo()
    assert sorted(os.listdir(tmp_path)) == before  # partial files of the failed save were removed
    np.testing.assert_array_equal(KeyedVectors.load(path).vectors, kv.vectors)


def test_save_errors(tmp_path):
    kv = sample_kv()
    with open(tmp_path / "f", "wb") as f, pytest.raises(TypeError, match="file name"):
        kv.save(f)
    with pytest.raises(ValueError, match="ignore"):
        kv.save(tmp_path / "v", ignore=["vectors"])
    bad = KeyedVectors(2)
    bad.add_vectors([("tuple", "key")], np.zeros((1, 2)))
    with pytest.raises(TypeError, match="key"):
        bad.save(tmp_path / "bad")
    assert not os.path.exists(tmp_path / "bad")


# ------------------------------------------------------------------------------------ corrupt native files


def test_corrupt_native_files_are_refused(tmp_path):
    kv = sample_kv()
    path = tmp_path / "v"
    kv.save(path)
    manifest = json.loads(path.read_text())

    def write(m):
        path.write_text(json.dumps(m))

    vec_file = manifest["kv"]["vectors"]["file"]
    # array outside the folder
    m = json.loads(json.dumps(manifest))
    m["kv"]["vectors"]["file"] = "../" + vec_file
    write(m)
    with pytest.raises(PersistFormatError, match="plain file name"):
        KeyedVectors.load(path)
    # newer version
    m = json.loads(json.dumps(manifest))
    m["version"] = 99
    write(m)
    with pytest.raises(PersistFormatError, match="newer"):
        KeyedVectors.load(path)
    # shape mismatch with the key list
    m = json.loads(json.dumps(manifest))
    m["kv"]["keys"] = m["kv"]["keys"][:3]
    write(m)
    with pytest.raises(PersistFormatError, match="shape"):
        KeyedVectors.load(path)
    write(manifest)
    # a pickled object array in place of the vectors
    np.save(tmp_path / vec_file, np.array([object()] * 4), allow_pickle=True)
    with pytest.raises(PersistFormatError, match="objects"):
        KeyedVectors.load(path)
    # a .npy whose header declares far more data than the file holds
    with open(tmp_path / vec_file, "wb") as f:
        np.lib.format.write_array_header_1_0(
            f, {"descr": "<f4", "fortran_order": False, "shape": (10 ** 9, 10 ** 3)})
        f.write(b"\0" * 64)
    with pytest.raises(PersistFormatError, match="declares"):
        KeyedVectors.load(path)
    # broken JSON, and a file of another kind
    path.write_bytes(b"{not json")
    with pytest.raises(PersistFormatError, match="JSON"):
        KeyedVectors.load(path)
    path.write_bytes(b"3 2\nthe 0.1 0.2\n")
    with pytest.raises(PersistFormatError, match="load_word2vec_format"):
        KeyedVectors.load(path)


# ------------------------------------------------------------------------------------ native Word2Vec


@pytest.mark.parametrize("params", [dict(sg=1, negative=5), dict(sg=0, hs=1, negative=0),
                                    dict(sg=1, hs=1, negative=2, batched=False)])
def test_resumed_training_is_identical(tmp_path, params):
    a, b, c = 0.03, 0.02, 0.005
    straight = new_model(**params)
    straight.train(SENTENCES, total_examples=straight.corpus_count, epochs=2, start_alpha=a, end_alpha=b)
    straight.train(SENTENCES, total_examples=straight.corpus_count, epochs=1, start_alpha=b, end_alpha=c)

    resumed = new_model(**params)
    resumed.train(SENTENCES, total_examples=resumed.corpus_count, epochs=2, start_alpha=a, end_alpha=b)
    resumed.save(tmp_path / "model")
    del resumed
    loaded = Word2Vec.load(tmp_path / "model")
    loaded.train(SENTENCES, total_examples=loaded.corpus_count, epochs=1, start_alpha=b, end_alpha=c)

    np.testing.assert_array_equal(loaded.wv.vectors, straight.wv.vectors)
    np.testing.assert_array_equal(loaded.syn1neg, straight.syn1neg)
    np.testing.assert_array_equal(loaded.syn1, straight.syn1)
    # and the save/load really mattered: a model loaded from the same file but trained with another seed differs
    other = Word2Vec.load(tmp_path / "model")
    other.seed += 1
    other.train(SENTENCES, total_examples=other.corpus_count, epochs=1, start_alpha=b, end_alpha=c)
    assert not np.array_equal(other.wv.vectors, straight.wv.vectors)


def test_model_state_round_trip(tmp_path):
    model = new_model(sg=1, hs=1, negative=3, comment="hello", batched=False, compute_loss=True, epochs=2)
    model.train(SENTENCES, total_examples=model.corpus_count, epochs=2, compute_loss=True)
    model.save(str(tmp_path / "m"))
    loaded = Word2Vec.load(str(tmp_path / "m"))
    for name in ("vector_size", "window", "min_count", "sample", "seed", "sg", "hs", "negative", "ns_exponent",
                 "comment", "batched", "epochs", "corpus_count", "corpus_total_words", "effective_min_count",
                 "_epochs_done", "running_training_loss", "train_count", "total_train_time", "alpha", "min_alpha"):
        assert getattr(loaded, name) == getattr(model, name), name
    assert loaded.running_training_loss > 0 and loaded._epochs_done == 2
    assert loaded.wv.index_to_key == model.wv.index_to_key
    np.testing.assert_array_equal(loaded.cum_table, model.cum_table)
    for field in ("keep_threshold", "alias_threshold", "alias_index", "codes", "points", "code_lens"):
        np.testing.assert_array_equal(getattr(loaded._tables, field), getattr(model._tables, field))
    assert loaded.callbacks == () and loaded.hashfxn is hash
    # read-only mmap is enough for queries
    mapped = Word2Vec.load(tmp_path / "m", mmap="r")
    assert isinstance(mapped.wv.vectors, np.memmap)
    assert mapped.wv.most_similar("w1", topn=3) == model.wv.most_similar("w1", topn=3)


def test_tables_are_recomputed_when_missing(tmp_path):
    model = new_model(sg=0, hs=1, negative=4)
    model.save(tmp_path / "m")
    manifest = json.loads((tmp_path / "m").read_text())
    manifest["tables"] = None
    (tmp_path / "m").write_text(json.dumps(manifest))
    loaded = Word2Vec.load(tmp_path / "m")
    np.testing.assert_array_equal(loaded._tables.points, model._tables.points)
    np.testing.assert_array_equal(loaded._tables.alias_index, model._tables.alias_index)


def test_wrong_class_is_refused(tmp_path):
    model = new_model()
    model.save(tmp_path / "m")
    model.wv.save(tmp_path / "kv")
    with pytest.raises(TypeError, match="Word2Vec.load"):
        KeyedVectors.load(tmp_path / "m")
    with pytest.raises(TypeError, match="KeyedVectors"):
        Word2Vec.load(tmp_path / "kv")
    assert len(KeyedVectors.load(tmp_path / "kv")) == len(model.wv)


# ------------------------------------------------------------------------------------ gensim files

gensim_w2v = pytest.importorskip("gensim.models.word2vec")


@pytest.fixture(scope="module")
def gensim_model():
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
    with pytest.raises(TypeError, match="Word2Vec.load"):
        KeyedVectors.load(path)
    with pytest.raises(TypeError):
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


# ------------------------------------------------------------------------------------ malicious pickles


class _Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@pytest.mark.parametrize("loader", [Word2Vec.load, KeyedVectors.load])
@pytest.mark.parametrize("wrapping", ["bare", "gzip", "inside_gensim_model"])
def test_malicious_pickle_is_refused_before_running(tmp_path, loader, wrapping, gensim_model):
    marker = tmp_path / "pwned"
    path = tmp_path / ("evil.gz" if wrapping == "gzip" else "evil")
    payload = pickle.dumps(_Evil(marker), protocol=4)
    if wrapping == "bare":
        path.write_bytes(payload)
    elif wrapping == "gzip":
        path.write_bytes(gzip.compress(payload))
    else:  # a genuine gensim save with one poisoned attribute
        old = gensim_model.comment
        gensim_model.comment = _Evil(marker)
        try:
            gensim_model.save(str(path))
        finally:
            gensim_model.comment = old
    with pytest.raises(UnsafePickleError, match=r"(posix|nt|os)\.system") as info:
        loader(path)
    assert isinstance(info.value, pickle.UnpicklingError)
    assert not marker.exists()


def test_restricted_unpickler_refuses_other_globals_and_bad_arrays():
    with pytest.raises(UnsafePickleError, match="builtins.eval"):
        persist.restricted_loads(b"\x80\x04cbuiltins\neval\n.")
    with pytest.raises(UnsafePickleError, match="gensim.models.fasttext.FastText"):
        persist.restricted_loads(b"\x80\x04cgensim.models.fasttext\nFastText\n)\x81.")
    # a structured dtype holding objects
    with pytest.raises(UnsafePickleError, match="dtype"):
        persist.restricted_loads(pickle.dumps(np.zeros(2, dtype=[("a", "f4"), ("b", "O")]), protocol=4))
    good = pickle.dumps(np.arange(4, dtype=np.float32), protocol=4)
    np.testing.assert_array_equal(persist.restricted_loads(good).array, np.arange(4, dtype=np.float32))
    # an array whose declared shape is far larger than its data: refused, nothing large allocated
    with pytest.raises(UnsafePickleError, match="does not match"):
        persist.restricted_loads(pickle.dumps(_ForgedArray(), protocol=4))
    # garbage after a valid start is a format error, not a crash
    with pytest.raises(PersistFormatError):
        persist.restricted_loads(good[:-5])


class _ForgedArray:
    def __reduce__(self):
        reconstruct = type(pickle.loads(pickle.dumps(np.zeros(1)))).__reduce__(np.zeros(1))[0]
        return (reconstruct, (np.ndarray, (0,), b"b"), (1, (10 ** 12,), np.dtype("f4"), False, b"\0" * 8))


def test_decompression_bomb_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "bomb.model.gz"
    path.write_bytes(gzip.compress(b"\x80\x04" + b"\0" * (4 << 20)))
    monkeypatch.setattr(persist, "_MIN_EXPANSION_BYTES", 1 << 20)
    with pytest.raises(PersistFormatError, match="decompresses to more than"):
        Word2Vec.load(path)


def test_lock_factors_survive_save_and_load(tmp_path):
    model = new_model()
    model.wv.vectors_lockf = np.ones(len(model.wv), dtype=np.float32)
    model.wv.vectors_lockf[[1, 4]] = 0.0
    model.save(str(tmp_path / "m"))
    loaded = Word2Vec.load(str(tmp_path / "m"))
    np.testing.assert_array_equal(loaded.wv.vectors_lockf, model.wv.vectors_lockf)
    model.wv.save(str(tmp_path / "kv"))
    np.testing.assert_array_equal(KeyedVectors.load(str(tmp_path / "kv")).vectors_lockf, model.wv.vectors_lockf)
