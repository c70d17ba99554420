"""Corrupted one-file saves: loading either succeeds with consistent objects or raises a clear error."""
import os
import tempfile

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings, strategies as st  # noqa: E402

from cw2v import KeyedVectors, Word2Vec  # noqa: E402
from cw2v.persist import PersistFormatError  # noqa: E402

from test_fuzz import CLEAR_ERRORS, EDITS, _mutate, _sample_kv  # noqa: E402
from test_persist import SENTENCES  # noqa: E402


def _saved(obj):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "f")
        obj.save(path)
        with open(path, "rb") as f:
            return f.read()


KV_FILE = _saved(_sample_kv())
_model = Word2Vec(vector_size=8, min_count=2, workers=1, seed=1, hs=1, negative=2)
_model.build_vocab(SENTENCES[:60])
MODEL_FILE = _saved(_model)


def _load(load, data, mmap):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "f")
        with open(path, "wb") as f:
            f.write(data)
        try:
            obj = load(path, mmap=mmap)
        except CLEAR_ERRORS:
            return None
        kv = obj.wv if isinstance(obj, Word2Vec) else obj
        assert kv.vectors.shape == (len(kv.index_to_key), kv.vector_size)
        assert all(len(v) == len(kv.index_to_key) for v in kv.expandos.values())
        np.asarray(kv.vectors).sum()  # every byte of a mapped array is readable
        del obj, kv
        return True


@settings(max_examples=120, deadline=None)
@given(edits=EDITS, mmap=st.sampled_from([None, "r"]))
def test_corrupted_one_file_keyed_vectors(edits, mmap):
    _load(KeyedVectors.load, _mutate(KV_FILE, edits), mmap)


@settings(max_examples=80, deadline=None)
@given(edits=EDITS)
def test_corrupted_one_file_model(edits):
    _load(Word2Vec.load, _mutate(MODEL_FILE, edits), None)


def test_unchanged_files_load():
    assert _load(KeyedVectors.load, KV_FILE, "r") and _load(Word2Vec.load, MODEL_FILE, None)
    with pytest.raises(PersistFormatError):
        _load_strict(KV_FILE[:40])


def _load_strict(data):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "f")
        with open(path, "wb") as f:
            f.write(data)
        KeyedVectors.load(path)
