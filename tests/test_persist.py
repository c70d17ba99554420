"""Native save/load (no pickle, atomic, resumable) and import of gensim-saved files (restricted unpickler).

The native format is one file (safetensors layout); files of cw2v 0.1 (a JSON manifest plus one ``.npy`` per
array) still load: the tests marked ``layout="manifest"`` write them with cw2v 0.1's writer, which persist keeps
as ``_save_keyed_vectors_manifest`` / ``_save_word2vec_model_manifest``.

None of these tests needs gensim (the restricted unpickler is tested on pickles made here); those that read
files gensim writes, or compare with gensim, are in test_persist_gensim.py.
"""
import gzip
import hashlib
import json
import os
import pickle
import shutil
import struct

import numpy as np
import pytest

from cw2v import KeyedVectors, Word2Vec, _gensim_io, _native, persist
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


LAYOUTS = ["one-file", "manifest"]


def save(obj, path, layout="one-file"):
    """Save `obj` (KeyedVectors or Word2Vec) in one of the two native layouts."""
    if layout == "one-file":
        obj.save(path)
    elif isinstance(obj, Word2Vec):
        persist._save_word2vec_model_manifest(obj, path)
    else:
        persist._save_keyed_vectors_manifest(obj, path)


def read_header(path):
    """The JSON header of a one-file save and the offset where its data starts."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        return json.loads(f.read(n)), 8 + n


def read_manifest(path):
    header, start = read_header(path)
    begin, end = header["__cw2v_manifest__"]["data_offsets"]
    with open(path, "rb") as f:
        f.seek(start + begin)
        return json.loads(f.read(end - begin))


# ------------------------------------------------------------------------------------ native KeyedVectors


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_keyed_vectors_round_trip(tmp_path, dtype, layout):
    kv = sample_kv(dtype)
    path = tmp_path / "vectors.kv"
    save(kv, path, layout)
    assert persist.file_kind(path) == "native"
    if layout == "manifest":
        manifest = json.loads(path.read_text())
        assert manifest["version"] == 1 and len(os.listdir(tmp_path)) == 3
    else:
        manifest = read_manifest(path)
        assert manifest["version"] == 2 and os.listdir(tmp_path) == ["vectors.kv"]
    assert manifest["format"] == "cw2v" and manifest["class"] == "KeyedVectors"
    assert manifest["kv"]["keys"] == ["apple", "b\u00e9\u00e9r", 7, "\u732b"]

    loaded = KeyedVectors.load(path)
    assert loaded.index_to_key == kv.index_to_key and loaded.key_to_index == kv.key_to_index
    assert loaded.vectors.dtype == dtype
    np.testing.assert_array_equal(loaded.vectors, kv.vectors)
    np.testing.assert_array_equal(loaded.expandos["count"], kv.expandos["count"])
    assert loaded.get_vecattr("apple", "tag") == "fruit" and loaded.get_vecattr(7, "tag") == 0
    assert loaded.most_similar("apple", topn=2) == kv.most_similar("apple", topn=2)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_mmap_gives_read_only_memmap(tmp_path, layout):
    kv = sample_kv()
    save(kv, tmp_path / "v", layout)
    loaded = KeyedVectors.load(str(tmp_path / "v"), mmap="r")
    assert isinstance(loaded.vectors, np.memmap)
    if layout == "one-file":  # a view of the file itself at the array's offset, not a copy
        header, start = read_header(tmp_path / "v")
        assert loaded.vectors.filename == str(tmp_path / "v")
        assert loaded.vectors.offset == start + header["vectors"]["data_offsets"][0]
        assert loaded.vectors.offset % 64 == 0 and loaded.vectors.ctypes.data % 64 == 0
    np.testing.assert_array_equal(loaded.vectors, kv.vectors)
    with pytest.raises(ValueError):
        loaded.vectors[0, 0] = 1.0
    assert loaded.similarity("apple", 7) == pytest.approx(kv.similarity("apple", 7))
    with pytest.raises(ValueError, match="mmap"):
        KeyedVectors.load(tmp_path / "v", mmap="w+")


def test_resave_replaces_arrays_and_deletes_old_ones(tmp_path):
    kv = sample_kv()
    path = tmp_path / "v"
    save(kv, path, "manifest")
    first = own_files(tmp_path, "v")
    kv.vectors[0] += 1.0
    save(kv, path, "manifest")
    second = own_files(tmp_path, "v")
    assert len(first) == len(second) == 2 and not set(first) & set(second)
    np.testing.assert_array_equal(KeyedVectors.load(path).vectors, kv.vectors)
    assert sorted(os.listdir(tmp_path)) == sorted(["v"] + second)


@pytest.mark.parametrize("stage", ["array", "manifest"])
def test_interrupted_save_keeps_previous_save(tmp_path, monkeypatch, stage):
    kv = sample_kv()
    path = tmp_path / "v"
    save(kv, path, "manifest")
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
        monkeypatch.setattr(os, "replace", failing_replace)

    with pytest.raises((KeyboardInterrupt, OSError)):
        save(changed, path, "manifest")
    monkeypatch.undo()
    assert sorted(os.listdir(tmp_path)) == before  # partial files of the failed save were removed
    np.testing.assert_array_equal(KeyedVectors.load(path).vectors, kv.vectors)


def test_save_errors(tmp_path):
    kv = sample_kv()
    with open(tmp_path / "f", "wb") as f, pytest.raises(TypeError, match="file name"):
        kv.save(f)
    with pytest.raises(ValueError, match="ignore"):
        kv.save(tmp_path / "v", ignore=["vectors"])
    with pytest.raises(ValueError, match="format must be"):
        kv.save(tmp_path / "v", format="npz")
    for bad_key in [("tuple", "key"), 1.5, True, b"bytes"]:
        bad = KeyedVectors(2)
        bad.add_vectors(["fine", bad_key], np.zeros((2, 2)))
        with pytest.raises(ValueError, match=r"key .*format='gensim'") as info:
            bad.save(tmp_path / "bad")
        assert repr(bad_key)[:20] in str(info.value)
        assert os.listdir(tmp_path) == ["f"]  # nothing written, no temporary file left
    with pytest.raises(ValueError, match=r"key .*format='gensim'"):
        persist._save_keyed_vectors_manifest(bad, tmp_path / "bad")
    assert os.listdir(tmp_path) == ["f"]


# ------------------------------------------------------------------------------------ corrupt native files


def test_corrupt_native_files_are_refused(tmp_path):
    kv = sample_kv()
    path = tmp_path / "v"
    save(kv, path, "manifest")
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


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("params", [dict(sg=1, negative=5), dict(sg=0, hs=1, negative=0),
                                    dict(sg=1, hs=1, negative=2, batched=False)])
def test_resumed_training_is_identical(tmp_path, params, layout):
    a, b, c = 0.03, 0.02, 0.005
    straight = new_model(**params)
    straight.train(SENTENCES, total_examples=straight.corpus_count, epochs=2, start_alpha=a, end_alpha=b)
    straight.train(SENTENCES, total_examples=straight.corpus_count, epochs=1, start_alpha=b, end_alpha=c)

    resumed = new_model(**params)
    resumed.train(SENTENCES, total_examples=resumed.corpus_count, epochs=2, start_alpha=a, end_alpha=b)
    save(resumed, tmp_path / "model", layout)
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


@pytest.mark.parametrize("layout", LAYOUTS)
def test_model_state_round_trip(tmp_path, layout):
    model = new_model(sg=1, hs=1, negative=3, comment="hello", batched=False, compute_loss=True, epochs=2)
    model.train(SENTENCES, total_examples=model.corpus_count, epochs=2, compute_loss=True)
    save(model, str(tmp_path / "m"), layout)
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
    save(model, tmp_path / "m", "manifest")
    manifest = json.loads((tmp_path / "m").read_text())
    manifest["tables"] = None
    (tmp_path / "m").write_text(json.dumps(manifest))
    loaded = Word2Vec.load(tmp_path / "m")
    np.testing.assert_array_equal(loaded._tables.points, model._tables.points)
    np.testing.assert_array_equal(loaded._tables.alias_index, model._tables.alias_index)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_other_class_loads_as_gensim_does(tmp_path, layout, caplog):
    """Word2Vec.load of vectors raises AttributeError; KeyedVectors.load of a model returns the model."""
    model = new_model()
    save(model, tmp_path / "m", layout)
    save(model.wv, tmp_path / "kv", layout)
    with pytest.raises(AttributeError, match="KeyedVectors.load") as info:
        Word2Vec.load(tmp_path / "kv")
    assert isinstance(info.value, TypeError)  # what cw2v 0.1 raised
    loaded = KeyedVectors.load(tmp_path / "m")
    assert type(loaded) is Word2Vec and loaded.wv.index_to_key == model.wv.index_to_key
    assert "Word2Vec.load(fname).wv" in caplog.text
    assert len(KeyedVectors.load(tmp_path / "kv")) == len(model.wv)


def test_load_on_an_instance_raises_attribute_error(tmp_path):
    model = new_model()
    model.save(tmp_path / "m")
    with pytest.raises(AttributeError, match="on the class"):
        model.load(tmp_path / "m")
    assert len(Word2Vec.load(tmp_path / "m").wv) == len(model.wv)  # on the class it works
    assert "load" not in vars(model)  # nothing stored on instances: the class attribute does it


# ------------------------------------------------------------------------------------ malicious pickles


class _Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@pytest.mark.parametrize("loader", [Word2Vec.load, KeyedVectors.load])
@pytest.mark.parametrize("wrapping", ["bare", "gzip"])
def test_malicious_pickle_is_refused_before_running(tmp_path, loader, wrapping):
    marker = tmp_path / "pwned"
    path = tmp_path / ("evil.gz" if wrapping == "gzip" else "evil")
    payload = pickle.dumps(_Evil(marker), protocol=4)
    path.write_bytes(payload if wrapping == "bare" else gzip.compress(payload))
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
    monkeypatch.setattr(_gensim_io, "_MIN_EXPANSION_BYTES", 1 << 20)
    with pytest.raises(PersistFormatError, match="decompresses to more than"):
        Word2Vec.load(path)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_lock_factors_survive_save_and_load(tmp_path, layout):
    model = new_model()
    model.wv.vectors_lockf = np.ones(len(model.wv), dtype=np.float32)
    model.wv.vectors_lockf[[1, 4]] = 0.0
    save(model, str(tmp_path / "m"), layout)
    loaded = Word2Vec.load(str(tmp_path / "m"))
    np.testing.assert_array_equal(loaded.wv.vectors_lockf, model.wv.vectors_lockf)
    save(model.wv, str(tmp_path / "kv"), layout)
    np.testing.assert_array_equal(KeyedVectors.load(str(tmp_path / "kv")).vectors_lockf, model.wv.vectors_lockf)


# ------------------------------------------------------------------------------------ one-file layout


def test_one_file_is_an_aligned_safetensors_file(tmp_path):
    model = new_model(sg=1, hs=1, negative=3)
    model.save(tmp_path / "m")
    assert os.listdir(tmp_path) == ["m"]
    size = os.path.getsize(tmp_path / "m")
    header, start = read_header(tmp_path / "m")
    assert start % 64 == 0 and header["__metadata__"]["format"] == "cw2v"
    spans = sorted(tuple(v["data_offsets"]) + (k,) for k, v in header.items() if k != "__metadata__")
    assert spans[0][0] == 0 and spans[-1][1] == size - start  # the data is covered without holes...
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
    data = (tmp_path / "m").read_bytes()
    for begin, end, name in spans:
        if name.startswith("__cw2v_pad_"):  # ...the gaps are declared padding, zero-filled
            assert end - begin < 64 and data[start + begin:start + end] == b"\0" * (end - begin)
        else:
            assert (start + begin) % 64 == 0, name  # every array starts at a 64-byte offset
    assert {"wv.vectors", "syn1neg", "syn1", "cum_table", "tables.points"} <= set(header)
    np.testing.assert_array_equal(
        np.frombuffer(data, "<f4", model.wv.vectors.size, start + header["wv.vectors"]["data_offsets"][0]),
        model.wv.vectors.ravel())


def test_one_file_reads_with_the_safetensors_package(tmp_path):
    safetensors_numpy = pytest.importorskip("safetensors.numpy")
    kv = sample_kv()
    kv.save(tmp_path / "v")
    arrays = safetensors_numpy.load_file(str(tmp_path / "v"))
    np.testing.assert_array_equal(arrays["vectors"], kv.vectors)
    np.testing.assert_array_equal(arrays["expando.count"], kv.expandos["count"])


def test_the_file_alone_is_the_whole_model(tmp_path):
    model = new_model()
    model.train(SENTENCES, total_examples=model.corpus_count, epochs=1)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    model.save(tmp_path / "a" / "m")
    shutil.copy(tmp_path / "a" / "m", tmp_path / "b" / "m")
    shutil.rmtree(tmp_path / "a")
    loaded = Word2Vec.load(tmp_path / "b" / "m")
    np.testing.assert_array_equal(loaded.wv.vectors, model.wv.vectors)
    np.testing.assert_array_equal(loaded.syn1neg, model.syn1neg)


def test_saving_over_a_manifest_save_removes_its_arrays(tmp_path):
    kv = sample_kv()
    save(kv, tmp_path / "v", "manifest")
    assert len(os.listdir(tmp_path)) == 3
    kv.vectors[0] += 1
    kv.save(tmp_path / "v")
    assert os.listdir(tmp_path) == ["v"]
    np.testing.assert_array_equal(KeyedVectors.load(tmp_path / "v").vectors, kv.vectors)


def test_mmap_modes_of_a_model(tmp_path):
    model = new_model()
    model.save(tmp_path / "m")
    before = (tmp_path / "m").read_bytes()
    mapped = Word2Vec.load(tmp_path / "m", mmap="c")  # copy-on-write: trainable, the file is not changed
    assert isinstance(mapped.wv.vectors, np.memmap) and isinstance(mapped.syn1neg, np.memmap)
    mapped.train(SENTENCES, total_examples=mapped.corpus_count, epochs=1)
    assert not np.array_equal(np.asarray(mapped.wv.vectors), model.wv.vectors)
    assert (tmp_path / "m").read_bytes() == before
    # saving over a file that is memory-mapped leaves the mapping valid (a new file is renamed into place)
    reader = Word2Vec.load(tmp_path / "m", mmap="r")
    mapped.save(tmp_path / "m")
    np.testing.assert_array_equal(reader.wv.vectors, model.wv.vectors)
    np.testing.assert_array_equal(Word2Vec.load(tmp_path / "m").wv.vectors, mapped.wv.vectors)


@pytest.mark.parametrize("stage", ["write", "fsync", "rename"])
def test_interrupted_one_file_save_keeps_previous_file(tmp_path, monkeypatch, stage):
    kv = sample_kv()
    path = tmp_path / "v"
    kv.save(path)
    before = path.read_bytes()
    changed = sample_kv()
    changed.vectors *= 2
    if stage == "write":
        calls = []

        def failing_memoryview(obj):
            calls.append(1)
            if len(calls) == 2:
                raise KeyboardInterrupt("interrupted while writing the second array")
            return memoryview(obj)
        monkeypatch.setattr(_native, "memoryview", failing_memoryview, raising=False)
    elif stage == "fsync":
        def failing_fsync(fd):
            raise OSError("disk full")
        monkeypatch.setattr(os, "fsync", failing_fsync)
    else:
        def failing_replace(src, dst):
            raise OSError("cannot rename")
        monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises((KeyboardInterrupt, OSError)):
        changed.save(path)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["v"] and path.read_bytes() == before
    np.testing.assert_array_equal(KeyedVectors.load(path).vectors, kv.vectors)


def test_file_permissions_are_kept(tmp_path):
    kv = sample_kv()
    kv.save(tmp_path / "v")
    os.chmod(tmp_path / "v", 0o600)
    kv.save(tmp_path / "v")
    assert os.stat(tmp_path / "v").st_mode & 0o777 == 0o600


def test_corrupt_one_file_is_refused(tmp_path):
    kv = sample_kv()
    path = tmp_path / "v"
    kv.save(path)
    good = path.read_bytes()
    header, start = read_header(path)

    def write_header(h):
        raw = json.dumps(h, separators=(",", ":")).encode()
        raw += b" " * (start - 8 - len(raw))
        assert len(raw) == start - 8
        path.write_bytes(good[:8] + raw + good[start:])

    path.write_bytes(good[:len(good) - 100])  # truncated: the arrays no longer fit
    with pytest.raises(PersistFormatError, match="does not fit"):
        KeyedVectors.load(path)
    path.write_bytes(struct.pack("<Q", 10 ** 12) + good[8:])  # header length beyond the file
    with pytest.raises(PersistFormatError, match="header length"):
        KeyedVectors.load(path)
    h = json.loads(json.dumps(header))
    h["__metadata__"]["version"] = "99"
    write_header(h)
    with pytest.raises(PersistFormatError, match="newer"):
        KeyedVectors.load(path)
    h = json.loads(json.dumps(header))
    h["vectors"]["shape"] = [10 ** 6, 4]  # declares more data than its span holds
    write_header(h)
    with pytest.raises(PersistFormatError, match="does not fit"):
        KeyedVectors.load(path)
    h = json.loads(json.dumps(header))
    h["vectors"]["dtype"] = "O"
    write_header(h)
    with pytest.raises(PersistFormatError, match="bad header entry"):
        KeyedVectors.load(path)
    h = json.loads(json.dumps(header))
    h["renamed"] = h.pop("vectors")  # the manifest names an array the file does not hold
    write_header(h)
    with pytest.raises(PersistFormatError, match="does not hold"):
        KeyedVectors.load(path)
    end = len(good[:start].rstrip()) - 1  # the header's closing brace
    path.write_bytes(good[:end] + b"x" + good[end + 1:])  # invalid JSON behind a valid signature
    assert persist.file_kind(path) == "native"
    with pytest.raises(PersistFormatError, match="not valid JSON"):
        KeyedVectors.load(path)


# ------------------------------------------------------------------------------------ keys


def test_int_and_str_keys_keep_their_type(tmp_path):
    kv = KeyedVectors(3)
    keys = ["7", 7, np.int64(8), -3, 2 ** 70, np.str_("np"), "\u732b"]
    kv.add_vectors(keys, np.arange(21, dtype=np.float32).reshape(7, 3))
    kv.save(tmp_path / "v")
    loaded = KeyedVectors.load(tmp_path / "v")
    assert loaded.index_to_key == ["7", 7, 8, -3, 2 ** 70, "np", "\u732b"]
    assert [type(k) for k in loaded.index_to_key] == [str, int, int, int, int, str, str]
    np.testing.assert_array_equal(loaded["7"], kv["7"])
    np.testing.assert_array_equal(loaded[7], kv[7])
    assert not np.array_equal(loaded["7"], loaded[7])


def test_model_with_int_tokens_round_trips(tmp_path):
    sentences = [[int(w[1:]) if i % 2 else w for i, w in enumerate(s)] for s in SENTENCES]
    model = Word2Vec(sentences, vector_size=8, min_count=2, workers=1, seed=2, epochs=1)
    assert any(isinstance(k, int) for k in model.wv.index_to_key)
    model.raw_vocab = {1: 3, "1": 4}  # a raw_vocab kept with int and str keys
    model.save(tmp_path / "m")
    loaded = Word2Vec.load(tmp_path / "m")
    assert loaded.wv.index_to_key == model.wv.index_to_key
    assert loaded.raw_vocab == {1: 3, "1": 4}
    loaded.train(sentences, total_examples=loaded.corpus_count, epochs=1)


# ------------------------------------------------------------------------------------ Python 2 / gensim 3 names


@pytest.mark.parametrize("payload, refused", [
    # _codecs.encode is admitted only as encode(str, 'latin1'): another codec could decompress or transform
    (b"\x80\x02c_codecs\nencode\nX\x03\x00\x00\x00abcX\x06\x00\x00\x00base64\x86R.", "_codecs.encode"),
    (b"\x80\x02c_codecs\nencode\nX\x03\x00\x00\x00abcX\x06\x00\x00\x00latin1X\x06\x00\x00\x00ignore\x87R.",
     "_codecs.encode"),
    (b"\x80\x02c_codecs\nencode\nK\x05X\x06\x00\x00\x00latin1\x86R.", "_codecs.encode"),
    (b"\x80\x02c_codecs\ndecode\n.", "_codecs.decode"),
    (b"\x80\x02c__builtin__\neval\n.", "__builtin__.eval"),
    (b"\x80\x02c__builtin__\ngetattr\n.", "__builtin__.getattr"),
    (b"\x80\x02c__builtin__\n__import__\n.", "__builtin__.__import__"),
    (b"\x80\x02ccopy_reg\n__newobj__\n.", "copy_reg.__newobj__"),
    # copy_reg._reconstructor only rebuilds a gensim stand-in on object, never another class
    (b"\x80\x02ccopy_reg\n_reconstructor\nc__builtin__\nobject\nc__builtin__\nobject\nN\x87R.",
     "_reconstructor"),
    (b"\x80\x02ccopy_reg\n_reconstructor\ncgensim.models.word2vec\nWord2Vec\nc__builtin__\nobject\n"
     b"X\x01\x00\x00\x00x\x87R.", "_reconstructor"),
    (b"\x80\x02ccopy_reg\n_reconstructor\ncgensim.models.word2vec\nWord2Vec\nccollections\ndefaultdict\n"
     b"N\x87R.", "_reconstructor"),
    (b"\x80\x02cUserString\nUserString\n.", "UserString.UserString"),
    # gensim's scorers are admitted as names only: calling one is refused
    (b"\x80\x02cgensim.models.phrases\noriginal_scorer\n)R.", "original_scorer"),
    (b"\x80\x02cgensim.models.phrases\nsome_custom_scorer\n.", "gensim.models.phrases.some_custom_scorer"),
])
def test_python2_and_old_gensim_names_admit_nothing_else(payload, refused):
    with pytest.raises(UnsafePickleError, match=refused.replace(".", r"\.")):
        persist.restricted_loads(payload)


def test_python2_names_that_are_admitted_do_what_they_should():
    latin = persist.restricted_loads(b"\x80\x02c_codecs\nencode\nX\x04\x00\x00\x00\xc3\xbf\x00aX\x06\x00\x00\x00latin1"
                                     b"\x86R.")
    assert latin == b"\xff\x00a"
    assert persist.restricted_loads(b"\x80\x02c__builtin__\nlong\nX\x02\x00\x00\x0042\x85R.") == 42
    obj = persist.restricted_loads(b"\x80\x02ccopy_reg\n_reconstructor\ncgensim.models.word2vec\nWord2Vec\n"
                                   b"c__builtin__\nobject\nN\x87R}X\x01\x00\x00\x00aK\x01sb.")
    assert isinstance(obj, _gensim_io._GensimWord2Vec) and obj.state == {"a": 1}
    # a Python 2 byte string (read as latin-1) is taken as the array's raw bytes
    arr = _gensim_io._build_array((2,), np.dtype("<u2"), False, "\x01\x00\xff\x00")
    np.testing.assert_array_equal(arr, [1, 255])


def test_pickle_loading_never_imports_modules(tmp_path, monkeypatch):
    imported = []
    import builtins
    real_import = builtins.__import__

    def spy(name, *args, **kwargs):
        imported.append(name)
        return real_import(name, *args, **kwargs)
    payload = b"\x80\x02cUserString\ndefaultdict\nc__builtin__\nlong\n\x85R."
    monkeypatch.setattr("builtins.__import__", spy)
    out = persist.restricted_loads(payload)
    monkeypatch.undo()
    assert out == {} and not [m for m in imported if m.startswith(("UserString", "gensim", "copy_reg"))]


def test_command_line_tools_read_a_model_file(tmp_path):
    from cw2v.cli import _load_vectors
    model = new_model()
    model.save(tmp_path / "m")
    kv = _load_vectors(str(tmp_path / "m"))
    assert isinstance(kv, KeyedVectors) and kv.index_to_key == model.wv.index_to_key


# ------------------------------------------------------------------------------------ the bytes of a save


def _fixed_kv():
    rng = np.random.default_rng(5)
    kv = KeyedVectors(4)
    kv.add_vectors(["apple", "b\u00e9\u00e9r", 7, "\u732b", "x"], rng.standard_normal((5, 4)).astype(np.float32))
    kv.expandos["count"] = np.array([10, 7, 3, 1, 1], dtype=np.int64)
    kv.set_vecattr("apple", "tag", "fruit")
    kv.vectors_lockf = np.array([1, 0, 1, 1, 0.5], dtype=np.float32)
    return kv


def _fixed_model(**params):
    """A model whose every saved value is fixed (no clock, no platform string, arrays set explicitly)."""
    settings = dict(vector_size=6, window=3, min_count=2, workers=1, seed=11, sample=1e-2)
    settings.update(params)
    model = Word2Vec(**settings)
    model.build_vocab(SENTENCES)
    rng = np.random.default_rng(9)
    model.wv.vectors[:] = rng.standard_normal(model.wv.vectors.shape).astype(np.float32)
    if model.negative:
        model.syn1neg[:] = rng.standard_normal(model.syn1neg.shape).astype(np.float32)
    if model.hs:
        model.syn1[:] = rng.standard_normal(model.syn1.shape).astype(np.float32)
    model.lifecycle_events = [{"event": "created", "datetime": "2020-01-01T00:00:00"}]
    model._epochs_done, model.epoch_losses, model.running_training_loss = 2, [3.5, 1.25], 4.75
    model.total_train_time, model.train_count, model.min_alpha_yet_reached = 1.5, 1, 0.01
    model.note = {"a": [1, 2], "b": None}  # attributes a caller stored on the model are saved too
    model.pair = (1, "x")
    model.raw_vocab = {"w1": 5, 3: 2, "w0": 9}
    return model


def _manifest_layout_digest(folder, base):
    """sha256 of a cw2v 0.1 layout save: the manifest and its .npy files, the save's random token masked."""
    with open(os.path.join(folder, base), "rb") as f:
        manifest = f.read()
    token = json.loads(manifest)["token"]
    parts = [manifest.replace(token.encode(), b"TOKEN")]
    for name in sorted(os.listdir(folder)):
        if name != base and name.startswith(base + "."):
            with open(os.path.join(folder, name), "rb") as f:
                digest = hashlib.sha256(f.read()).hexdigest()
            parts.append(name.replace(token, "TOKEN").encode() + b"=" + digest.encode())
    return hashlib.sha256(b"\n".join(parts)).hexdigest()


def test_saved_bytes_are_unchanged(tmp_path, monkeypatch):
    """Both native layouts write the bytes cw2v wrote before the models owned their persistent state."""
    monkeypatch.setattr(_native, "__version__", "0.0.0-test")  # the header and the manifest name the version
    objects = {"kv": _fixed_kv(), "sg_hs_ns": _fixed_model(sg=1, hs=1, negative=3),
               "cbow_ns": _fixed_model(sg=0, negative=5),
               "hs_only": _fixed_model(sg=0, hs=1, negative=0, batched=False, comment="c")}
    one_file, manifest = {}, {}
    for name, obj in objects.items():
        obj.save(tmp_path / name)
        one_file[name] = hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()
        (tmp_path / f"{name}.old").mkdir()
        save(obj, tmp_path / f"{name}.old" / "f", "manifest")
        manifest[name] = _manifest_layout_digest(tmp_path / f"{name}.old", "f")
    assert one_file == ONE_FILE_DIGESTS
    assert manifest == MANIFEST_LAYOUT_DIGESTS
    for name, obj in objects.items():  # and they load back as they were
        loaded = (KeyedVectors if name == "kv" else Word2Vec).load(tmp_path / name)
        kv, loaded_kv = (obj, loaded) if name == "kv" else (obj.wv, loaded.wv)
        np.testing.assert_array_equal(loaded_kv.vectors, kv.vectors)
        if name != "kv":
            assert loaded.note == obj.note and loaded.pair == obj.pair and loaded.raw_vocab == obj.raw_vocab


#: sha256 of the one-file saves of test_saved_bytes_are_unchanged, computed before the refactoring of issue 18.
ONE_FILE_DIGESTS = {
    "cbow_ns": "de4244d1b60d88d3e62dbe35e3b6294f650148a0fc1d0a9405f7dc4bb5127df9",
    "hs_only": "bf02e686e49cb5c85ca8b2d24dcdd527f169123f46d9581091154c9dc9b2f2ae",
    "kv": "199a2e47a493488266f211233e3fa583e337b2ed7374cffdccf38c7cbce8d552",
    "sg_hs_ns": "65417597e7bfd6cac4e4b25f685d4a12224b609707ea8853b035d5ff5a5a8174",
}
#: The same for cw2v 0.1's manifest-and-.npy layout.
MANIFEST_LAYOUT_DIGESTS = {
    "cbow_ns": "e066d7d9e245c88ebed930665fb9599f3017190b72ffa95afd05c6a0197bcdb4",
    "hs_only": "b4bce0afd7dee2768cf8207c33df456bd6e42b032c19f04cab171cf0b4be9e99",
    "kv": "b2e967eb3b97c71bbeeec02a84b9c39ec02f0d2f222be43985a58864f073c354",
    "sg_hs_ns": "710528e0f44cb7745d454afee3e5aa42fce2fdc8241e320d429f7e7082a74092",
}


# ------------------------------------------------------------------------------------ the state the classes own


def test_persistent_state_round_trips_without_a_file():
    kv = _fixed_kv()
    back = KeyedVectors._from_persistent_state(kv._persistent_state())
    assert back.index_to_key == kv.index_to_key and back.key_to_index == kv.key_to_index
    np.testing.assert_array_equal(back.vectors, kv.vectors)
    assert back.get_vecattr("apple", "tag") == "fruit" and back.vectors_lockf.dtype == np.float32
    state = kv._persistent_state()
    state["keys"], state["key_to_index"] = ["a", "b", "a", None, "c"], None  # the inverse: first of equal keys
    assert KeyedVectors._from_persistent_state(state).key_to_index == {"a": 0, "b": 1, "c": 4}

    model = _fixed_model(sg=1, hs=1, negative=3)
    state = model._persistent_state()
    assert set(state) == {"params", "attributes", "tables", "wv"}
    assert list(state["params"]) == Word2Vec._saved_params() and "hashfxn" not in state["params"]
    assert not {"wv", "_tables", "hashfxn", "callbacks", "trim_rule"} & set(state["attributes"])
    assert state["attributes"]["note"] is model.note and state["attributes"]["syn1neg"] is model.syn1neg
    restored = Word2Vec(**state["params"])
    restored._restore_state({"attributes": {k: v for k, v in state["attributes"].items()
                                            if not isinstance(v, np.ndarray)},
                             "arrays": {k: v for k, v in state["attributes"].items() if isinstance(v, np.ndarray)},
                             "wv": state["wv"], "tables": state["tables"]}, "memory")
    np.testing.assert_array_equal(restored.syn1, model.syn1)
    np.testing.assert_array_equal(restored._tables.points, model._tables.points)
    assert restored.note == model.note and restored._epochs_done == 2


def test_table_layout_is_the_one_vocab_builds():
    """Word2Vec._TABLE_LAYOUT (which stored tables must match) follows cw2v.vocab.build_tables."""
    from cw2v import vocab
    for negative, hs in ((0, 1), (5, 0), (5, 1)):
        tables = vocab.build_tables(np.array([5, 3, 1], dtype=np.int64), 1e-3, 0.75, negative, hs)
        assert set(Word2Vec._TABLE_LAYOUT) == set(tables.__dataclass_fields__)
        for field, (dtype, ndim) in Word2Vec._TABLE_LAYOUT.items():
            arr = getattr(tables, field)
            assert (arr.dtype, arr.ndim) == (np.dtype(dtype), ndim), field


def test_unknown_corpus_total_words_survives_a_native_save(tmp_path):
    """gensim < 3 files do not record corpus_total_words: an imported model keeps None, and a native save of
    it loads again (it raised PersistFormatError before)."""
    model = new_model()
    model.corpus_total_words = None
    model.save(tmp_path / "m")
    assert Word2Vec.load(tmp_path / "m").corpus_total_words is None
    model.corpus_count = None  # other attributes still have to be of their kind
    model.save(tmp_path / "m")
    with pytest.raises(PersistFormatError, match="corpus_count"):
        Word2Vec.load(tmp_path / "m")


def test_files_load_into_the_registered_classes(tmp_path):
    model = new_model()
    model.save(tmp_path / "m")
    model.wv.save(tmp_path / "kv")
    assert type(persist.load_word2vec_model(tmp_path / "m")) is Word2Vec
    assert type(persist.load_keyed_vectors(tmp_path / "kv")) is KeyedVectors
    assert type(persist.load_keyed_vectors(tmp_path / "m")) is Word2Vec  # a model file gives the model

    class MyVectors(KeyedVectors):
        pass
    assert type(MyVectors.load(tmp_path / "kv")) is MyVectors
