"""word2vec C formats: compatibility with gensim (the oracle), robustness against bad files, atomic saves."""
import bz2
import gzip
import io
import os
import struct
import tempfile
import tracemalloc
import warnings

import numpy as np
import pytest

from cw2v import formats
from cw2v.formats import (
    TruncatedFileError,
    Word2VecFormatError,
    read_word2vec_format,
    read_word2vec_vocab,
    write_word2vec_format,
)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
gensim_kv = pytest.importorskip("gensim.models.keyedvectors")
GensimKV = gensim_kv.KeyedVectors


# ------------------------------------------------------------------------------------------------ fixtures


def make_keys(n, rng):
    """Word-like keys, some of them non-ASCII (2-, 3- and 4-byte UTF-8), all distinct."""
    stems = ["the", "of", "Paris", "naïve", "Ärger", "straße", "東京", "кошка", "😀ok", "ﬁn", "don't", "e.g."]
    keys = []
    for i in range(n):
        if i < len(stems):
            keys.append(stems[i])
        else:
            keys.append(f"{stems[int(rng.integers(len(stems)))]}{i}")
    return keys


@pytest.fixture
def data():
    rng = np.random.default_rng(12345)
    n, d = 257, 23
    keys = make_keys(n, rng)
    vectors = rng.standard_normal((n, d)).astype(np.float32)
    vectors[0, :5] = [0.0, -0.0, 1e-5, 1e16, 123456789.0]
    vectors[1, :3] = [np.float32(1e-45), np.float32(3.4e38), np.float32(-2.5e-38)]
    return keys, vectors


def gensim_kv_from(keys, vectors, counts=None):
    kv = GensimKV(vectors.shape[1])
    kv.add_vectors(keys, vectors)
    if counts is not None:
        for key, count in zip(keys, counts):
            kv.set_vecattr(key, "count", int(count))
    return kv


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


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
@pytest.mark.parametrize("ext", [".gz", ".bz2", ".xz"])
def test_compressed_round_trip(tmp_path, data, binary, ext):
    keys, vectors = data
    path = tmp_path / f"vectors{ext}"
    write_word2vec_format(path, keys, vectors, binary=binary)
    got_keys, got_vectors, _ = read_word2vec_format(path, binary=binary)
    assert got_keys == keys
    np.testing.assert_array_equal(got_vectors, vectors)
    if ext != ".xz":  # gensim (smart_open) reads these too
        loaded = GensimKV.load_word2vec_format(str(path), binary=binary)
        np.testing.assert_array_equal(loaded.vectors, vectors)
    # appending to a compressed file adds a member/stream: both parts read back
    write_word2vec_format(path, ["extra"], vectors[:1], binary=binary, append=True, write_header=False)
    opener = {".gz": gzip.open, ".bz2": bz2.open}.get(ext)
    if opener is not None:
        with opener(path, "rb") as f:
            assert f.read().count(b"extra ") == 1


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


def test_word2vec_c_layouts(tmp_path, data):
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
    np.testing.assert_array_equal(got_vectors, vectors)

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


@pytest.mark.parametrize("errors", ["replace", "ignore", "backslashreplace", "surrogateescape"])
def test_bulk_key_decoding_equals_key_by_key(tmp_path, monkeypatch, errors):
    """Keys decoded all at once give exactly the strings decoding each key alone gives."""
    rng = np.random.default_rng(4)
    pieces = ["東京".encode()[:4], "é".encode()[:1], b"\xff\xfe", "naïve".encode(), b"plain", b"\n\xc3"]
    keys = [pieces[i % len(pieces)] + str(i).encode() + pieces[(i * 7) % len(pieces)][:2] for i in range(300)]
    rows = rng.standard_normal((len(keys), 5)).astype(np.float32)
    path = tmp_path / "mixed.bin"
    with open(path, "wb") as f:
        f.write(f"{len(keys)} 5\n".encode())
        for key, row in zip(keys, rows):
            f.write(key + b" " + row.tobytes())
    bulk_keys, bulk_vectors, _ = read_word2vec_format(path, binary=True, unicode_errors=errors)
    monkeypatch.setattr(formats, "_bulk_decodable", lambda encoding: False)
    one_keys, one_vectors, _ = read_word2vec_format(path, binary=True, unicode_errors=errors)
    assert bulk_keys == one_keys
    assert one_keys[3] == key_text(keys[3], errors)
    np.testing.assert_array_equal(bulk_vectors, one_vectors)
    monkeypatch.undo()
    with pytest.raises(ValueError, match="record 0"):
        read_word2vec_format(path, binary=True)


def key_text(raw, errors):
    return raw.decode("utf8", errors).lstrip("\n")


def test_latin1_encoding(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("1 2\ncafé 1.5 -2\n".encode("latin-1"))
    keys, vectors, _ = read_word2vec_format(path, encoding="latin-1")
    ref = GensimKV.load_word2vec_format(str(path), encoding="latin-1")
    assert keys == ref.index_to_key == ["café"]
    np.testing.assert_array_equal(vectors, ref.vectors)
    with pytest.raises(ValueError, match="ASCII"):
        read_word2vec_format(path, encoding="utf-16")


def test_no_header(tmp_path, data):
    keys, vectors = data
    path = tmp_path / "glove.txt"
    write_word2vec_format(path, keys, vectors, write_header=False)
    for limit in (None, 7):
        got_keys, got_vectors, got_counts = read_word2vec_format(path, no_header=True, limit=limit)
        ref = GensimKV.load_word2vec_format(str(path), no_header=True, limit=limit)
        assert got_keys == ref.index_to_key
        np.testing.assert_array_equal(got_vectors, ref.vectors)
        np.testing.assert_array_equal(got_counts, ref.expandos["count"])
    with open(path, "ab") as f:  # trailing blank lines are tolerated
        f.write(b"\n\n")
    assert read_word2vec_format(path, no_header=True)[0] == keys
    with pytest.raises(NotImplementedError):
        read_word2vec_format(path, no_header=True, binary=True)
    with pytest.raises(ValueError):
        read_word2vec_format(path, no_header=True, binary=True)


def test_file_objects(tmp_path, data):
    keys, vectors = data
    for binary in (False, True):
        buf = io.BytesIO()
        write_word2vec_format(buf, keys, vectors, binary=binary)
        buf.seek(0)
        got_keys, got_vectors, _ = read_word2vec_format(buf, binary=binary)
        assert not buf.closed
        assert got_keys == keys
        np.testing.assert_array_equal(got_vectors, vectors)


def test_vocab_file(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("a 5\nb 3\n\nc 2\n", encoding="utf8")
    assert read_word2vec_vocab(path) == {"a": 5, "b": 3, "c": 2}
    path.write_text("a 5\nb three\n", encoding="utf8")
    with pytest.raises(ValueError, match="line 2"):
        read_word2vec_vocab(path)


@pytest.mark.parametrize("source", ["path", "file object", "gzip"])
def test_big_binary_file_bulk_parse(tmp_path, monkeypatch, source):
    """Several read chunks (or mapped batches), keys of many lengths, word2vec.c-style newlines."""
    rng = np.random.default_rng(3)
    n, d = 3000, 64
    keys = ["k" * int(rng.integers(1, 40)) + str(i) for i in range(n)]
    vectors = rng.standard_normal((n, d)).astype(np.float32)
    path = tmp_path / "big.bin"
    with open(path, "wb") as f:
        f.write(f"{n} {d}\n".encode())
        for i, (key, row) in enumerate(zip(keys, vectors)):
            f.write(key.encode() + b" " + row.tobytes() + (b"\n" if i % 2 else b""))
    monkeypatch.setattr(formats, "_READ_CHUNK", 4096)  # many refills, records straddling chunk boundaries
    monkeypatch.setattr(formats, "_MAPPED_BATCH", 97)  # many batches in the memory-mapped reader
    if source == "path":
        got_keys, got_vectors, _ = read_word2vec_format(path, binary=True, datatype=np.float64)
    elif source == "gzip":
        gz = tmp_path / "big.bin.gz"
        gz.write_bytes(gzip.compress(path.read_bytes()))
        got_keys, got_vectors, _ = read_word2vec_format(gz, binary=True, datatype=np.float64)
    else:
        with open(path, "rb") as f:
            got_keys, got_vectors, _ = read_word2vec_format(f, binary=True, datatype=np.float64)
    assert got_keys == keys
    assert got_vectors.dtype == np.float64 and got_vectors.flags.c_contiguous
    np.testing.assert_array_equal(got_vectors, vectors)
    # a limit stops early in both readers
    keys5, vectors5, _ = read_word2vec_format(path, binary=True, limit=5)
    assert keys5 == keys[:5]
    np.testing.assert_array_equal(vectors5, vectors[:5])


# ------------------------------------------------------------------------------------------- bad input


def write(path, content):
    path.write_bytes(content)
    return path


@pytest.mark.parametrize("binary", [False, True])
def test_truncated_files(tmp_path, data, binary):
    keys, vectors = data
    path = tmp_path / "full"
    write_word2vec_format(path, keys, vectors, binary=binary)
    raw = read_bytes(path)
    if not binary:  # only the final newline missing: still a complete text file
        assert read_word2vec_format(write(tmp_path / "cut", raw[:-1]))[0] == keys
    for cut in (len(raw) - 1, len(raw) - 50, len(raw) // 2, 12):
        if cut == len(raw) - 1 and not binary:
            continue
        bad = write(tmp_path / "cut", raw[:cut])
        with pytest.raises(EOFError) as info:
            read_word2vec_format(bad, binary=binary)
        assert isinstance(info.value, TruncatedFileError) and isinstance(info.value, ValueError)
        # compressed: size unknown up front, same error at the end of the stream
        gz = tmp_path / "cut.gz"
        gz.write_bytes(gzip.compress(raw[:cut]))
        with pytest.raises(EOFError):
            read_word2vec_format(gz, binary=binary)


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize(
    "header, match",
    [
        (b"", "empty"),
        (b"abc def\n", "header"),
        (b"3\n", "header"),
        (b"3 4 5\n", "header"),
        (b"-3 4\n", "negative"),
        (b"3 -4\n", "negative"),
        (b"3 0\n", "dimensionality is 0"),
        (b"3 4.5\n", "header"),
        (b"1 99999999999999999999\n", "absurd"),
        (b"x" * 5000, "longer"),
    ],
)
def test_bad_headers(tmp_path, binary, header, match):
    path = write(tmp_path / "bad", header + b"a 1 2 3 4\n")
    with pytest.raises(Word2VecFormatError, match=match):
        read_word2vec_format(path, binary=binary)


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_absurd_sizes_do_not_allocate(tmp_path, binary, suffix):
    """A header claiming far more than the file holds fails fast without a big allocation."""
    body = b"a " + struct.pack("<4f", 1, 2, 3, 4) if binary else b"a 1 2 3 4\n"
    for header in (b"1000000000000 4\n", b"2 1000000000\n", b"100000000 100000000\n"):
        raw = header + body
        path = tmp_path / f"absurd{suffix}"
        path.write_bytes(gzip.compress(raw) if suffix else raw)
        tracemalloc.start()
        try:
            with pytest.raises((ValueError, EOFError)):
                read_word2vec_format(path, binary=binary)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 64 << 20


def test_bad_text_rows(tmp_path):
    cases = {
        b"2 3\na 1 2 3\nb 1 2\n": "line 3.*2 values",
        b"2 3\na 1 2 3\nb 1 2 3 4\n": "line 3.*4 values",
        b"2 3\na 1 2 3\nbbbbbbbbbbbbbbbbbbbbbbbbbbb\n": "line 3.*0 values",
        b"2 3\na 1 2 3\n\nb 1 2 3\n": "line 3",
        b"2 3\na 1 2 3\nb 1 x 3\n": "line 3.*b'x'",
        b"2 3\na 1 2 3\nb 1  3\n": "line 3",
        b"1 3\na 1\t2 3\n": "line 2",
    }
    for content, match in cases.items():
        path = write(tmp_path / "rows.txt", content)
        with pytest.raises(ValueError, match=match):
            read_word2vec_format(path)
        if b"\n\n" not in content:
            no_header = write(tmp_path / "rows_nh.txt", content.split(b"\n", 1)[1])
            with pytest.raises(ValueError):
                read_word2vec_format(no_header, no_header=True)
    # trailing space and CRLF are fine (word2vec.c / Windows)
    path = write(tmp_path / "ok.txt", b"1 3\na 1 2 3 \r\n")
    np.testing.assert_array_equal(read_word2vec_format(path)[1], [[1, 2, 3]])


def test_binary_without_keys(tmp_path):
    path = write(tmp_path / "nokey.bin", b"1 2\n" + b"x" * (2 << 20))
    with pytest.raises(ValueError, match="no space-terminated key"):
        read_word2vec_format(path, binary=True)


def test_bad_arguments(tmp_path, data):
    keys, vectors = data
    path = tmp_path / "v"
    write_word2vec_format(path, keys, vectors)
    with pytest.raises(ValueError, match="limit"):
        read_word2vec_format(path, limit=-1)
    with pytest.raises(ValueError, match="datatype"):
        read_word2vec_format(path, datatype=np.int32)
    with pytest.raises(ValueError, match="unicode_errors"):
        read_word2vec_format(path, unicode_errors="nonsense")
    with pytest.raises(ValueError, match="keys but"):
        write_word2vec_format(tmp_path / "w", keys[:3], vectors[:2])
    with pytest.raises(ValueError, match="2-D"):
        write_word2vec_format(tmp_path / "w", keys[:1], vectors[0])
    with pytest.raises(ValueError, match="counts"):
        write_word2vec_format(tmp_path / "w", keys, vectors, fvocab=tmp_path / "voc")
    assert not (tmp_path / "w").exists()


# ------------------------------------------------------------------------------------------- atomic saves


def leftover_temp_files(folder):
    return [name for name in os.listdir(folder) if name.endswith(".tmp")]


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("append", [False, True])
@pytest.mark.parametrize("exc", [OSError("disk full"), KeyboardInterrupt()])
def test_interrupted_save_keeps_previous_file(tmp_path, data, monkeypatch, binary, append, exc):
    keys, vectors = data
    path, vocab = tmp_path / "vectors", tmp_path / "vocab"
    counts = np.arange(len(keys))
    write_word2vec_format(path, keys, vectors, binary=binary, fvocab=vocab, counts=counts)
    before, vocab_before = read_bytes(path), read_bytes(vocab)
    os.chmod(path, 0o640)

    encoder = formats._binary_chunk_bytes if binary else formats._text_chunk_bytes
    calls = []

    def failing(*args):
        calls.append(1)
        if len(calls) == 3:
            raise exc
        return encoder(*args)

    monkeypatch.setattr(formats, "_WRITE_CHUNK_VALUES", 10 * vectors.shape[1])
    monkeypatch.setattr(formats, "_binary_chunk_bytes" if binary else "_text_chunk_bytes", failing)
    with pytest.raises(type(exc)):
        write_word2vec_format(path, keys, vectors[::-1], binary=binary, append=append, fvocab=vocab, counts=counts)
    assert len(calls) == 3
    assert read_bytes(path) == before
    assert read_bytes(vocab) == vocab_before
    assert leftover_temp_files(tmp_path) == []

    monkeypatch.undo()
    write_word2vec_format(path, keys, vectors[::-1], binary=binary)
    assert read_word2vec_format(path, binary=binary)[0] == keys
    np.testing.assert_array_equal(read_word2vec_format(path, binary=binary)[1], vectors[::-1])
    assert os.stat(path).st_mode & 0o777 == 0o640  # the replaced file keeps its permissions
    assert leftover_temp_files(tmp_path) == []


def test_failed_save_to_missing_folder(tmp_path, data):
    keys, vectors = data
    with pytest.raises(OSError):
        write_word2vec_format(tmp_path / "missing" / "v.txt", keys, vectors)


# --------------------------------------------------------------------------------------- property-based

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings, strategies as st  # noqa: E402

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
def test_random_round_trip_matches_gensim(keys, dim, values, binary):
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


@pytest.mark.parametrize("binary", [False, True])
def test_keys_with_spaces_are_written_as_gensim_writes_them_with_a_warning(tmp_path, data, binary, caplog):
    """node2vec's last step saves keys such as 'New York': gensim writes them as they are; so does cw2v, and
    a warning names them (they will not read back as they were written)."""
    _, vectors = data
    keys = ["New York", "plain", 7, "x\ny" if not binary else "z"]
    path = tmp_path / "w"
    with caplog.at_level("WARNING", logger="cw2v.formats"):
        write_word2vec_format(path, keys, vectors[:4], binary=binary)
    n_bad = 2 if not binary else 1
    assert f"{n_bad} key(s) contain a space" in caplog.text and "'New York'" in caplog.text
    assert "'plain'" not in caplog.text
    raw = path.read_bytes()
    assert b"New York " in raw and (b"7 " in raw if binary else b"\n7 " in raw)
    gensim = pytest.importorskip("gensim", reason="gensim writes the same bytes")
    theirs = tmp_path / "g"
    kv = gensim.models.KeyedVectors(vectors.shape[1])
    kv.add_vectors(keys, vectors[:4])
    kv.save_word2vec_format(str(theirs), binary=binary)
    assert raw.split(b"\n", 1)[1][:40] == theirs.read_bytes().split(b"\n", 1)[1][:40]
