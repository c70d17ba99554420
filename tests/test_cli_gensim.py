"""gensim 4.4 (the oracle) reads the word2vec files `cw2v train` writes: same keys, same vectors."""
import numpy as np
import pytest

from cw2v import KeyedVectors

pytest.importorskip("gensim", reason="gensim 4.4.0 is the oracle of every test here (pip install .[test])")
from gensim.models.keyedvectors import KeyedVectors as GensimKV

from test_cli import train_to


@pytest.mark.parametrize("binary", [0, 1])
def test_train_writes_vectors_gensim_reads(small_corpus_file, tmp_path, binary):
    out = tmp_path / ("v.bin" if binary else "v.txt")
    assert train_to(small_corpus_file, out, binary) == 0
    ours = KeyedVectors.load_word2vec_format(str(out), binary=bool(binary))
    theirs = GensimKV.load_word2vec_format(str(out), binary=bool(binary))
    assert theirs.index_to_key == ours.index_to_key and len(ours) > 500
    np.testing.assert_array_equal(theirs.vectors, ours.vectors)
