"""Fuzzing the loaders with hypothesis: corrupted word2vec files, native saves and pickles must raise a
clear error (ValueError/EOFError/TypeError/OSError/UnpicklingError) — never crash, hang or return garbage
silently."""
import os
import pickle
import tempfile

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis", reason="hypothesis drives the fuzzing (pip install .[test])")
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from cw2v import KeyedVectors  # noqa: E402

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
        out["manifest"] = open(native, "rb").read()
    return out


def _load_or_clear_error(load, path):
    try:
        result = load(path)
    except CLEAR_ERRORS:
        return None
    return result


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=EDITS, binary=st.booleans())
def test_corrupted_word2vec_files(originals, edits, binary):
    data = _mutate(originals["w2v", binary], edits)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "v")
        with open(path, "wb") as f:
            f.write(data)
        kv = _load_or_clear_error(lambda p: KeyedVectors.load_word2vec_format(p, binary=binary), path)
        if kv is not None:  # what loads must be consistent
            assert kv.vectors.shape == (len(kv.index_to_key), kv.vector_size)
            assert len(kv.key_to_index) == len(kv.index_to_key)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=EDITS)
def test_corrupted_native_manifest(originals, edits):
    kv = _sample_kv()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "kv.cw2v")
        kv.save(path)
        with open(path, "rb") as f:
            manifest = f.read()
        with open(path, "wb") as f:
            f.write(_mutate(manifest, edits))
        loaded = _load_or_clear_error(KeyedVectors.load, path)
        if loaded is not None:
            assert loaded.vectors.shape == (len(loaded.index_to_key), loaded.vector_size)


@settings(max_examples=100, deadline=None)
@given(edits=EDITS)
def test_corrupted_native_arrays(edits):
    from cw2v import persist
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
        loaded = _load_or_clear_error(KeyedVectors.load, path)
        if loaded is not None:
            assert loaded.vectors.shape == (len(loaded.index_to_key), loaded.vector_size)


@settings(max_examples=150, deadline=None)
@given(payload=st.binary(min_size=1, max_size=300))
def test_random_pickles_are_refused_cleanly(payload):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model")
        with open(path, "wb") as f:
            f.write(b"\x80\x04" + payload)
        assert _load_or_clear_error(KeyedVectors.load, path) is None
