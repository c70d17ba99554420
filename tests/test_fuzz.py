"""Fuzzing the loaders with hypothesis: corrupted word2vec files, native saves and pickles either load into
consistent objects or raise the error the loader documents — never another exception, a crash or a hang.

KeyedVectors.load_word2vec_format documents ValueError/EOFError/UnicodeDecodeError for malformed files, all
three as cw2v.formats.Word2VecFormatError (TruncatedFileError, KeyDecodeError); KeyedVectors.load documents
cw2v.persist.PersistFormatError for malformed files and UnsafePickleError for pickles naming other classes
(OSError only for files that cannot be read, which these are not)."""
import os
import pickle
import tempfile

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis", reason="hypothesis drives the fuzzing (pip install .[test])")
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from cw2v import KeyedVectors, persist  # noqa: E402
from cw2v.formats import Word2VecFormatError  # noqa: E402
from cw2v.persist import PersistFormatError, UnsafePickleError  # noqa: E402

#: What a corrupted word2vec file may raise (Word2VecFormatError is a ValueError; its subclasses are also an
#: EOFError or a UnicodeDecodeError, as documented).
WORD2VEC_FORMAT_ERRORS = (Word2VecFormatError,)
#: What a corrupted native save or a random pickle may raise, as KeyedVectors.load documents.
NATIVE_ERRORS = (PersistFormatError, UnsafePickleError)
#: The broad tuple test_persist_fuzz.py (another file) still imports; the tests here assert the two above.
CLEAR_ERRORS = (ValueError, EOFError, TypeError, OSError, pickle.UnpicklingError)


def _sample_kv():
    kv = KeyedVectors(4)
    kv.add_vectors(["alpha", "béta", "gamma", "δ"], np.arange(16, dtype=np.float32).reshape(4, 4) / 7)
    return kv


def _mutate(data, edits):
    data = bytearray(data)
    for pos, value, mode in edits:
        if not data:
            break
        pos %= len(data)
        if mode == 0:
            data[pos] = value
        elif mode == 1:
            del data[pos:pos + 1 + value % 8]
        else:
            data[pos:pos] = bytes([value]) * (1 + value % 5)
    return bytes(data)


EDITS = st.lists(st.tuples(st.integers(0, 10 ** 6), st.integers(0, 255), st.integers(0, 2)), min_size=1,
                 max_size=6)


@pytest.fixture(scope="module")
def originals():
    kv = _sample_kv()
    out = {}
    with tempfile.TemporaryDirectory() as folder:
        for binary in (True, False):
            path = os.path.join(folder, "v")
            kv.save_word2vec_format(path, binary=binary)
            out["w2v", binary] = open(path, "rb").read()
        native = os.path.join(folder, "kv.cw2v")
        kv.save(native)
        out["one-file"] = open(native, "rb").read()
    return out


def _load_or_documented_error(load, path, errors):
    """load(path), or None if it raised one of `errors`; any other exception fails the test."""
    try:
        result = load(path)
    except errors:
        return None
    return result


def _assert_consistent(kv):
    assert kv.vectors.shape == (len(kv.index_to_key), kv.vector_size)
    assert kv.key_to_index == {key: i for i, key in enumerate(kv.index_to_key)}
    assert all(len(values) == len(kv.index_to_key) for values in kv.expandos.values())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=EDITS, binary=st.booleans())
def test_corrupted_word2vec_files(originals, edits, binary):
    data = _mutate(originals["w2v", binary], edits)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "v")
        with open(path, "wb") as f:
            f.write(data)
        kv = _load_or_documented_error(lambda p: KeyedVectors.load_word2vec_format(p, binary=binary), path,
                                       WORD2VEC_FORMAT_ERRORS)
        if kv is not None:  # what loads must be consistent
            _assert_consistent(kv)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=EDITS, mmap=st.sampled_from([None, "r"]))
def test_corrupted_one_file_save(originals, edits, mmap):
    """save()'s one file (safetensors layout), read or memory-mapped."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "kv.cw2v")
        with open(path, "wb") as f:
            f.write(_mutate(originals["one-file"], edits))
        loaded = _load_or_documented_error(lambda p: KeyedVectors.load(p, mmap=mmap), path, NATIVE_ERRORS)
        if loaded is not None:
            _assert_consistent(loaded)
            np.testing.assert_array_equal(np.array(loaded.vectors), loaded.vectors)  # every mapped byte reads
            del loaded


@settings(max_examples=100, deadline=None)
@given(edits=EDITS)
def test_corrupted_native_manifest(edits):
    """cw2v 0.1's layout: the JSON manifest corrupted, its .npy arrays intact."""
    kv = _sample_kv()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "kv.cw2v")
        persist._save_keyed_vectors_manifest(kv, path)
        with open(path, "rb") as f:
            manifest = f.read()
        with open(path, "wb") as f:
            f.write(_mutate(manifest, edits))
        loaded = _load_or_documented_error(KeyedVectors.load, path, NATIVE_ERRORS)
        if loaded is not None:
            _assert_consistent(loaded)


@settings(max_examples=100, deadline=None)
@given(edits=EDITS)
def test_corrupted_native_arrays(edits):
    kv = _sample_kv()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "kv.cw2v")
        persist._save_keyed_vectors_manifest(kv, path)  # cw2v 0.1's layout, one .npy per array (still read)
        arrays = [os.path.join(folder, n) for n in os.listdir(folder) if n.endswith(".npy")]
        assert arrays
        for name in arrays:
            with open(name, "rb") as f:
                data = f.read()
            with open(name, "wb") as f:
                f.write(_mutate(data, edits))
        loaded = _load_or_documented_error(KeyedVectors.load, path, NATIVE_ERRORS)
        if loaded is not None:
            _assert_consistent(loaded)


@settings(max_examples=150, deadline=None)
@given(payload=st.binary(min_size=1, max_size=300))
def test_random_pickles_are_refused_cleanly(payload):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model")
        with open(path, "wb") as f:
            f.write(b"\x80\x04" + payload)
        with pytest.raises(NATIVE_ERRORS):
            KeyedVectors.load(path)
