"""word2vec C formats compared with gensim 4.4.0, the oracle: same bytes written, same vectors read.

The tests of cw2v's own behaviour (bad input, atomic saves, compression, file objects) are in test_formats.py
and run without gensim; this file needs it.
"""
import os
import tempfile
import warnings

import numpy as np
import pytest

from cw2v.formats import read_word2vec_format, write_word2vec_format

from test_formats import data, read_bytes  # noqa: F401 - the fixture is used by name

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
gensim_kv = pytest.importorskip("gensim.models.keyedvectors", reason="gensim is the oracle of these tests")
GensimKV = gensim_kv.KeyedVectors


def gensim_kv_from(keys, vectors, counts=None):
    kv = GensimKV(vectors.shape[1])
    kv.add_vectors(keys, vectors)
    if counts is not None:
        for key, count in zip(keys, counts):
            kv.set_vecattr(key, "count", int(count))
    return kv


def gensim_save(kv, path, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kv.save_word2vec_format(str(path), **kwargs)


# ------------------------------------------------------------------------------------ gensim compatibility


@pytest.mark.parametrize("binary", [False, True])
def test_written_files_are_byte_identical_to_gensim(tmp_path, data, binary):
    keys, vectors = data
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    write_word2vec_format(ours, keys, vectors, binary=binary)
    gensim_save(gensim_kv_from(keys, vectors), theirs, binary=binary)
    assert read_bytes(ours) == read_bytes(theirs)


@pytest.mark.parametrize("binary", [False, True])
def test_options_byte_identical_to_gensim(tmp_path, data, binary):
    keys, vectors = data
    counts = np.arange(len(keys), 0, -1) * 7
    gkv = gensim_kv_from(keys, vectors, counts)
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    write_word2vec_format(
        ours, keys, vectors, binary=binary, prefix="p_", write_header=False, fvocab=tmp_path / "ours.vocab",
        counts=counts,
    )
    gensim_save(gkv, theirs, binary=binary, prefix="p_", write_header=False, fvocab=str(tmp_path / "theirs.vocab"))
    assert read_bytes(ours) == read_bytes(theirs)
    assert read_bytes(tmp_path / "ours.vocab") == read_bytes(tmp_path / "theirs.vocab")
    # append and an explicit header count
    write_word2vec_format(ours, keys[:5], vectors[:5], binary=binary, append=True, total_vec=99)
    gensim_save(gensim_kv_from(keys[:5], vectors[:5]), theirs, binary=binary, append=True, total_vec=99)
    assert read_bytes(ours) == read_bytes(theirs)


@pytest.mark.parametrize("binary", [False, True])
def test_gensim_reads_our_files_and_we_read_gensims(tmp_path, data, binary):
    keys, vectors = data
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    write_word2vec_format(ours, keys, vectors, binary=binary)
    loaded = GensimKV.load_word2vec_format(str(ours), binary=binary)
    assert loaded.index_to_key == keys
    np.testing.assert_array_equal(loaded.vectors, vectors)

    gkv = gensim_kv_from(keys, vectors)
    gensim_save(gkv, theirs, binary=binary)
    got_keys, got_vectors, got_counts = read_word2vec_format(theirs, binary=binary)
    reference = GensimKV.load_word2vec_format(str(theirs), binary=binary)
    assert got_keys == reference.index_to_key == keys
    np.testing.assert_array_equal(got_vectors, reference.vectors)
    np.testing.assert_array_equal(got_counts, reference.expandos["count"])
    assert got_vectors.dtype == np.float32 and got_vectors.flags.c_contiguous
    assert got_counts.dtype == np.int64


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("ext", [".gz", ".bz2"])
def test_gensim_reads_our_compressed_files(tmp_path, data, binary, ext):
    keys, vectors = data
    path = tmp_path / f"vectors{ext}"
    write_word2vec_format(path, keys, vectors, binary=binary)
    loaded = GensimKV.load_word2vec_format(str(path), binary=binary)  # smart_open decompresses these
    assert loaded.index_to_key == keys
    np.testing.assert_array_equal(loaded.vectors, vectors)


@pytest.mark.parametrize("binary", [False, True])
def test_limit_and_datatype_like_gensim(tmp_path, data, binary):
    keys, vectors = data
    path = tmp_path / "v"
    write_word2vec_format(path, keys, vectors, binary=binary)
    for limit in (None, 0, 1, 10, len(keys), len(keys) + 5):
        for datatype in (np.float32, np.float64, np.float16):
            got_keys, got_vectors, got_counts = read_word2vec_format(
                path, binary=binary, limit=limit, datatype=datatype
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ref = GensimKV.load_word2vec_format(str(path), binary=binary, limit=limit, datatype=datatype)
            assert got_keys == ref.index_to_key
            assert got_vectors.dtype == ref.vectors.dtype
            np.testing.assert_array_equal(got_vectors, ref.vectors)
            np.testing.assert_array_equal(got_counts, ref.expandos["count"])


def test_word2vec_c_layouts_like_gensim(tmp_path, data):
    """word2vec.c writes a newline after each binary record and '%lf ' values in text files."""
    keys, vectors = data
    binary = tmp_path / "c.bin"
    with open(binary, "wb") as f:
        f.write(f"{len(keys)} {vectors.shape[1]}\n".encode())
        for key, row in zip(keys, vectors):
            f.write(key.encode() + b" " + row.astype("<f4").tobytes() + b"\n")
    got_keys, got_vectors, _ = read_word2vec_format(binary, binary=True)
    ref = GensimKV.load_word2vec_format(str(binary), binary=True)
    assert got_keys == ref.index_to_key == keys
    np.testing.assert_array_equal(got_vectors, ref.vectors)

    text = tmp_path / "c.txt"
    with open(text, "wb") as f:
        f.write(f"{len(keys)} {vectors.shape[1]}\n".encode())
        for key, row in zip(keys, vectors):
            f.write(key.encode() + b" " + "".join("%lf " % v for v in row.astype(float)).encode() + b"\r\n")
    got_keys, got_vectors, _ = read_word2vec_format(text)
    ref = GensimKV.load_word2vec_format(str(text))
    assert got_keys == ref.index_to_key
    np.testing.assert_array_equal(got_vectors, ref.vectors)


def test_text_parsing_rounds_like_gensim(tmp_path):
    """Decimal strings near float32 midpoints round through float64 exactly as gensim's np.float32(str)."""
    rng = np.random.default_rng(7)
    base = rng.standard_normal(200).astype(np.float32)
    nxt = np.nextafter(base, np.float32(np.inf))
    mid = (base.astype(np.float64) + nxt.astype(np.float64)) / 2
    values = [repr(float(m)) + "000000001" if "e" not in repr(float(m)) else repr(float(m)) for m in mid]
    values += ["%.6f" % v for v in rng.standard_normal(200)]
    path = tmp_path / "mid.txt"
    with open(path, "w") as f:
        f.write(f"{len(values) // 4} 4\n")
        for i in range(len(values) // 4):
            f.write(f"k{i} " + " ".join(values[4 * i: 4 * i + 4]) + "\n")
    _, got, _ = read_word2vec_format(path)
    np.testing.assert_array_equal(got, GensimKV.load_word2vec_format(str(path)).vectors)


def test_duplicates_keep_first_like_gensim(tmp_path, data):
    keys, vectors = data
    dup_keys = keys[:10] + keys[3:6] + keys[10:20]
    dup_vectors = np.concatenate([vectors[:10], vectors[30:33], vectors[10:20]])
    for binary in (False, True):
        path = tmp_path / f"dup{binary}"
        write_word2vec_format(path, dup_keys, dup_vectors, binary=binary)
        got_keys, got_vectors, got_counts = read_word2vec_format(path, binary=binary)
        ref = GensimKV.load_word2vec_format(str(path), binary=binary)
        # gensim leaves unfilled None slots at the end of index_to_key (and of its counts); we do not
        assert ref.index_to_key[20:] == [None] * 3
        assert got_keys == ref.index_to_key[:20] == keys[:20]
        np.testing.assert_array_equal(got_vectors, ref.vectors[:20])
        np.testing.assert_array_equal(got_counts, ref.expandos["count"][:20])


def test_unicode_errors_like_gensim(tmp_path):
    # a key cut inside a multi-byte character, as word2vec.c may produce
    path = tmp_path / "cut.bin"
    rows = np.arange(6, dtype=np.float32).reshape(2, 3)
    with open(path, "wb") as f:
        f.write(b"2 3\n")
        f.write("東京".encode()[:4] + b" " + rows[0].tobytes())
        f.write(b"ok " + rows[1].tobytes())
    with pytest.raises(ValueError, match="unicode_errors"):
        read_word2vec_format(path, binary=True)
    for errors in ("replace", "ignore"):
        got_keys, got_vectors, _ = read_word2vec_format(path, binary=True, unicode_errors=errors)
        ref = GensimKV.load_word2vec_format(str(path), binary=True, unicode_errors=errors)
        assert got_keys == ref.index_to_key
        np.testing.assert_array_equal(got_vectors, ref.vectors)


def test_latin1_encoding_like_gensim(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("1 2\ncafé 1.5 -2\n".encode("latin-1"))
    keys, vectors, _ = read_word2vec_format(path, encoding="latin-1")
    ref = GensimKV.load_word2vec_format(str(path), encoding="latin-1")
    assert keys == ref.index_to_key == ["café"]
    np.testing.assert_array_equal(vectors, ref.vectors)


def test_no_header_like_gensim(tmp_path, data):
    keys, vectors = data
    path = tmp_path / "glove.txt"
    write_word2vec_format(path, keys, vectors, write_header=False)
    for limit in (None, 7):
        got_keys, got_vectors, got_counts = read_word2vec_format(path, no_header=True, limit=limit)
        ref = GensimKV.load_word2vec_format(str(path), no_header=True, limit=limit)
        assert got_keys == ref.index_to_key
        np.testing.assert_array_equal(got_vectors, ref.vectors)
        np.testing.assert_array_equal(got_counts, ref.expandos["count"])


@pytest.mark.parametrize("binary", [False, True])
def test_keys_with_spaces_are_written_as_gensim_writes_them(tmp_path, data, binary):
    """node2vec's last step saves keys such as 'New York': gensim writes them as they are, and so does cw2v."""
    _, vectors = data
    keys = ["New York", "plain", 7, "x\ny" if not binary else "z"]
    ours, theirs = tmp_path / "w", tmp_path / "g"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        write_word2vec_format(ours, keys, vectors[:4], binary=binary)
    kv = GensimKV(vectors.shape[1])
    kv.add_vectors(keys, vectors[:4])
    kv.save_word2vec_format(str(theirs), binary=binary)
    assert ours.read_bytes().split(b"\n", 1)[1][:40] == theirs.read_bytes().split(b"\n", 1)[1][:40]


# --------------------------------------------------------------------------------------- property-based


def test_random_round_trip_matches_gensim():
    pytest.importorskip("hypothesis", reason="hypothesis draws the keys and values")
    _random_round_trip_matches_gensim()


def _random_round_trip_matches_gensim():
    from hypothesis import given, settings, strategies as st

    key_strategy = st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters=" \n"), min_size=1, max_size=12,
    )
    value_strategy = st.floats(width=32, allow_nan=False, allow_infinity=True)

    @settings(max_examples=40, deadline=None)
    @given(
        keys=st.lists(key_strategy, min_size=1, max_size=8, unique=True),
        dim=st.integers(1, 6),
        values=st.data(),
        binary=st.booleans(),
    )
    def check(keys, dim, values, binary):
        rows = values.draw(st.lists(st.lists(value_strategy, min_size=dim, max_size=dim), min_size=len(keys),
                                    max_size=len(keys)))
        vectors = np.array(rows, dtype=np.float32).reshape(len(keys), dim)
        with tempfile.TemporaryDirectory() as folder:
            ours, theirs = os.path.join(folder, "ours"), os.path.join(folder, "theirs")
            write_word2vec_format(ours, keys, vectors, binary=binary)
            gensim_save(gensim_kv_from(keys, vectors), theirs, binary=binary)
            assert read_bytes(ours) == read_bytes(theirs)
            got_keys, got_vectors, _ = read_word2vec_format(ours, binary=binary)
        assert got_keys == keys
        np.testing.assert_array_equal(got_vectors, vectors)

    check()
