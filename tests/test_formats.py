"""word2vec C formats: reading and writing, robustness against bad files, atomic saves, compression.

None of these tests needs gensim: those comparing with gensim (the oracle) are in test_formats_gensim.py.
The atomic writer and the compression table they use (cw2v._fileio) are tested here too.
"""
import bz2
import gzip
import hashlib
import io
import lzma
import os
import struct
import tracemalloc
import types

import numpy as np
import pytest

from cw2v import _fileio, formats
from cw2v.formats import (
    TruncatedFileError,
    Word2VecFormatError,
    read_word2vec_format,
    read_word2vec_vocab,
    write_word2vec_format,
)

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


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


# ------------------------------------------------------------------------------------ round trips


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("ext", [".gz", ".bz2", ".xz", ".lzma"])
def test_compressed_round_trip(tmp_path, data, binary, ext):
    keys, vectors = data
    path = tmp_path / f"vectors{ext}"
    write_word2vec_format(path, keys, vectors, binary=binary)
    assert path.read_bytes().startswith({".gz": b"\x1f\x8b", ".bz2": b"BZh"}.get(ext, b"\xfd7zXZ\x00"))
    got_keys, got_vectors, _ = read_word2vec_format(path, binary=binary)
    assert got_keys == keys
    np.testing.assert_array_equal(got_vectors, vectors)
    # appending to a compressed file adds a member/stream: both parts read back
    write_word2vec_format(path, ["extra"], vectors[:1], binary=binary, append=True, write_header=False)
    opener = {".gz": gzip.open, ".bz2": bz2.open}.get(ext, lzma.open)
    with opener(path, "rb") as f:
        assert f.read().count(b"extra ") == 1


@pytest.mark.parametrize("binary", [False, True])
def test_round_trips(tmp_path, data, binary):
    """Random keys and values (any float32, infinities included) read back as they were written."""
    rng = np.random.default_rng(21)
    alphabet = list("abcxyzé東😀ﬁ'.-_0123456789")
    for trial in range(20):
        n, dim = int(rng.integers(1, 9)), int(rng.integers(1, 7))
        keys = list(dict.fromkeys("".join(rng.choice(alphabet, int(rng.integers(1, 12)))) for _ in range(n)))
        bits = rng.integers(0, 2 ** 32, size=(len(keys), dim), dtype=np.uint64).astype(np.uint32)
        vectors = bits.view(np.float32)
        vectors[~np.isfinite(vectors)] = np.inf if trial % 2 else -np.inf
        path = tmp_path / f"r{trial}"
        write_word2vec_format(path, keys, vectors, binary=binary)
        got_keys, got_vectors, _ = read_word2vec_format(path, binary=binary)
        assert got_keys == keys
        np.testing.assert_array_equal(got_vectors, vectors)


def test_word2vec_c_layouts(tmp_path, data):
    """word2vec.c writes a newline after each binary record and '%lf ' values in text files."""
    keys, vectors = data
    binary = tmp_path / "c.bin"
    with open(binary, "wb") as f:
        f.write(f"{len(keys)} {vectors.shape[1]}\n".encode())
        for key, row in zip(keys, vectors):
            f.write(key.encode() + b" " + row.astype("<f4").tobytes() + b"\n")
    got_keys, got_vectors, _ = read_word2vec_format(binary, binary=True)
    assert got_keys == keys
    np.testing.assert_array_equal(got_vectors, vectors)

    text = tmp_path / "c.txt"
    with open(text, "wb") as f:
        f.write(f"{len(keys)} {vectors.shape[1]}\n".encode())
        for key, row in zip(keys, vectors):
            f.write(key.encode() + b" " + "".join("%lf " % v for v in row.astype(float)).encode() + b"\r\n")
    got_keys, got_vectors, _ = read_word2vec_format(text)
    assert got_keys == keys
    np.testing.assert_allclose(got_vectors, vectors, atol=5e-7)


def test_duplicates_keep_first(tmp_path, data):
    keys, vectors = data
    dup_keys = keys[:10] + keys[3:6] + keys[10:20]
    dup_vectors = np.concatenate([vectors[:10], vectors[30:33], vectors[10:20]])
    for binary in (False, True):
        path = tmp_path / f"dup{binary}"
        write_word2vec_format(path, dup_keys, dup_vectors, binary=binary)
        got_keys, got_vectors, got_counts = read_word2vec_format(path, binary=binary)
        assert got_keys == keys[:20]
        np.testing.assert_array_equal(got_vectors, np.concatenate([vectors[:10], vectors[10:20]]))
        assert len(got_counts) == 20


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
    assert keys == ["café"]
    np.testing.assert_array_equal(vectors, [[1.5, -2]])
    with pytest.raises(ValueError, match="ASCII"):
        read_word2vec_format(path, encoding="utf-16")


def test_no_header(tmp_path, data):
    keys, vectors = data
    path = tmp_path / "glove.txt"
    write_word2vec_format(path, keys, vectors, write_header=False)
    got_keys, got_vectors, _ = read_word2vec_format(path, no_header=True)
    assert got_keys == keys
    np.testing.assert_array_equal(got_vectors, vectors)
    assert read_word2vec_format(path, no_header=True, limit=7)[0] == keys[:7]
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


@pytest.mark.parametrize("binary", [False, True])
def test_keys_with_spaces_are_written_as_they_are_with_a_warning(tmp_path, data, binary, caplog):
    """node2vec's last step saves keys such as 'New York': gensim writes them as they are; so does cw2v, and
    a warning names them (they will not read back as they were written)."""
    _, vectors = data
    keys = ["New York", "plain", 7, "x\ny" if not binary else "z"]
    path = tmp_path / "w"
    with caplog.at_level("WARNING", logger="cw2v.formats"), pytest.warns(UserWarning, match="New York"):
        write_word2vec_format(path, keys, vectors[:4], binary=binary)
    n_bad = 2 if not binary else 1
    assert f"{n_bad} key(s) contain a space" in caplog.text and "'New York'" in caplog.text
    assert "'plain'" not in caplog.text
    raw = path.read_bytes()
    assert b"New York " in raw and (b"7 " in raw if binary else b"\n7 " in raw)


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


def test_written_bytes_are_unchanged(tmp_path, monkeypatch):
    """The bytes written for fixed inputs are those cw2v wrote before its file writing was reorganized."""
    monkeypatch.setattr(gzip, "time", types.SimpleNamespace(time=lambda: 1600000000.0))  # the gzip header's mtime
    rng = np.random.default_rng(12345)
    keys = ["the", "of", "naïve", "東京", 7, "e.g."] + [f"k{i}" for i in range(40)]
    vectors = rng.standard_normal((len(keys), 5)).astype(np.float32)
    vectors[0, :3] = [0.0, -0.0, 1e-5]
    counts = np.arange(len(keys), 0, -1) * 3
    got = {}
    for binary in (False, True):
        for ext in ("", ".gz", ".bz2", ".xz", ".lzma"):
            path = tmp_path / f"w2v_{binary}{ext}"
            write_word2vec_format(path, keys, vectors, binary=binary)
            write_word2vec_format(path, keys[:3], vectors[:3], binary=binary, append=True, write_header=False)
            got[f"{binary}{ext}"] = path
        path = tmp_path / f"opts_{binary}"
        write_word2vec_format(path, keys, vectors, binary=binary, prefix="p_", fvocab=f"{path}.vocab", counts=counts,
                              total_vec=99)
        got[f"opts_{binary}"] = path
        got[f"opts_{binary}.vocab"] = f"{path}.vocab"
    digests = {name: hashlib.sha256(read_bytes(path)).hexdigest() for name, path in got.items()}
    assert digests == WORD2VEC_DIGESTS


#: sha256 of the files test_written_bytes_are_unchanged writes, computed with cw2v before cw2v._fileio existed.
WORD2VEC_DIGESTS = {
    "False": "6ddc2558ef8189641fd8f7efd703c56bbd6b57fa83fa7aa03f3aa98de40cb9a8",
    "False.bz2": "7e11c5b9b49e42a26705b4278d1751ff08dfc5a0d0ce7f3500042d57c86543e1",
    "False.gz": "75f44825ef77a1019629a1498031734086c21495fd239751a5636b3a64641d4b",
    "False.lzma": "9b88a04d79b965b17416ea1e2c0b8f3a19d8b3e020d73474b54b72077ed4a2ac",
    "False.xz": "9b88a04d79b965b17416ea1e2c0b8f3a19d8b3e020d73474b54b72077ed4a2ac",
    "True": "b6a17193c824a983aef7bf029c78d018e8554c46192f97bf468dacf82f1e7ae1",
    "True.bz2": "ed7e4f1a9688930d5af35096384c63554218476c72b9f11db1ccd4aef2956126",
    "True.gz": "996cedf8f618fe60daaa8ba8bec28f3c76d7a7bfe60be15fb904dbd51a8d821c",
    "True.lzma": "b7387b67295cb05cab4263b85a9dc2065e0e156594bcd0c10b9da061a0b0a7f3",
    "True.xz": "b7387b67295cb05cab4263b85a9dc2065e0e156594bcd0c10b9da061a0b0a7f3",
    "opts_False": "4e91a8ad9683b0f1693e81f6780f8463ea30a276fae3ecda025ef08fdd5f3bf3",
    "opts_False.vocab": "82a4fae7df1436f21ec3ae6c93df0f07fee3e131e3f52b39973513ad41aee7e3",
    "opts_True": "f594beab8e6802cafef68262a9b4c0b3df8b307d5692327011ba898dfe05fc70",
    "opts_True.vocab": "82a4fae7df1436f21ec3ae6c93df0f07fee3e131e3f52b39973513ad41aee7e3",
}


# ------------------------------------------------------------------------------------------- cw2v._fileio


def test_atomic_file_replaces_only_on_success(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"old")
    os.chmod(path, 0o640)
    with _fileio.AtomicFile(path) as out:
        out.write(b"new")
        assert path.read_bytes() == b"old" and leftover_temp_files(tmp_path) == [os.path.basename(out.tmp)]
    assert path.read_bytes() == b"new" and os.stat(path).st_mode & 0o777 == 0o640
    for exc in (OSError("disk full"), KeyboardInterrupt()):
        with pytest.raises(type(exc)):
            with _fileio.AtomicFile(path) as out:
                out.write(b"partial")
                raise exc
        assert path.read_bytes() == b"new" and leftover_temp_files(tmp_path) == []
    _fileio.atomic_write(tmp_path / "g", lambda f: f.write(b"x"))
    assert (tmp_path / "g").read_bytes() == b"x" and sorted(os.listdir(tmp_path)) == ["f", "g"]


def test_atomic_file_errors_leave_nothing(tmp_path, monkeypatch):
    with pytest.raises(IsADirectoryError):
        _fileio.AtomicFile(tmp_path)
    with pytest.raises(FileNotFoundError):
        _fileio.AtomicFile(tmp_path / "missing" / "f")
    (tmp_path / "f").write_bytes(b"old")
    for stage in ("fsync", "replace"):
        def failing(*args, stage=stage):
            raise OSError(f"{stage} failed")
        monkeypatch.setattr(os, stage, failing)
        with pytest.raises(OSError, match=stage):
            _fileio.atomic_write(tmp_path / "f", lambda f: f.write(b"new"))
        monkeypatch.undo()
        assert os.listdir(tmp_path) == ["f"] and (tmp_path / "f").read_bytes() == b"old"


def test_atomic_file_append_compress_and_by_name(tmp_path):
    path = tmp_path / "t.txt.gz"
    for part in (b"one\n", b"two\n"):
        with _fileio.AtomicFile(path, append=True, compress=True) as out:
            out.write(part)
    with gzip.open(path, "rb") as f:
        assert f.read() == b"one\ntwo\n"
    assert path.read_bytes()[10:16] == b"t.txt\0"  # the gzip header names the destination, not the temp file
    with _fileio.AtomicFile(tmp_path / "lib", by_name=True) as out:
        assert out.file is None
        with open(out.tmp, "wb") as f:  # as a library saving an index by name does
            f.write(b"index")
    assert (tmp_path / "lib").read_bytes() == b"index" and leftover_temp_files(tmp_path) == []


@pytest.mark.parametrize("ext", ["", ".gz", ".bz2", ".xz", ".lzma", ".GZ"])
def test_one_table_of_compressions(tmp_path, ext):
    path = tmp_path / f"f.txt{ext}"
    module = _fileio.compression_of(path)
    assert module is {"": None, ".gz": gzip, ".GZ": gzip, ".bz2": bz2}.get(ext, lzma)
    if module is None:
        path.write_bytes(b"a b\n")
        with pytest.raises(ValueError, match="compression"):
            _fileio.open_compressed(path, "wb")
    else:
        with _fileio.open_compressed(path, "wb") as f:
            f.write(b"a b\n")
        assert _fileio.compression_of_head(path.read_bytes()[:8]) == {gzip: "gzip", bz2: "bz2"}.get(module, "xz")
    with _fileio.open_read(path) as f:
        assert f.read() == b"a b\n"
    from cw2v import LineSentence
    from cw2v.utils import open as cw2v_open
    assert list(LineSentence(str(path))) == [["a", "b"]]  # the corpus readers and cw2v.utils use the same table
    with cw2v_open(path, "r") as f:
        assert f.read() == "a b\n"


def test_legacy_lzma_files_are_read(tmp_path):
    path = tmp_path / "v.txt.lzma"
    path.write_bytes(lzma.compress(b"1 2\nkey 1 2\n", format=lzma.FORMAT_ALONE))
    keys, vectors, _ = read_word2vec_format(path)
    assert keys == ["key"] and vectors.tolist() == [[1.0, 2.0]]


def _raise_on_failure(status):
    if status:
        raise OSError("cannot rename (the command failed)")


def _writers():
    """``name -> write(path)`` for every kind of file cw2v writes (all through cw2v._fileio)."""
    from cw2v import KeyedVectors, Phrases, Word2Vec
    from cw2v.cli import main as cli_main

    sentences = [["new", "york", "is", "big"], ["new", "york", "city"], ["a", "new", "york", "day"]] * 20
    kv = KeyedVectors(3)
    kv.add_vectors(["a", "b"], np.eye(2, 3, dtype=np.float32))
    model = Word2Vec(sentences, vector_size=4, min_count=1, workers=1, epochs=1, seed=1)

    def corpus_file(path):
        src = os.path.join(os.path.dirname(path), "corpus.txt")
        with open(src, "w", encoding="utf8") as f:
            f.write("\n".join(" ".join(s) for s in sentences) + "\n")
        return src

    writers = {
        "word2vec text": lambda path: write_word2vec_format(path, ["a", "b"], np.eye(2, 3)),
        "word2vec gz": lambda path: write_word2vec_format(path + ".gz", ["a"], np.eye(1, 3)),
        "native KeyedVectors": lambda path: kv.save(path),
        "native Word2Vec": lambda path: model.save(path),
        "phrases": lambda path: Phrases(sentences, min_count=1, threshold=0.1).save(path),
        "cli phrases": lambda path: _raise_on_failure(cli_main(["phrases", "--input", corpus_file(path), "--output",
                                                                path, "--min-count", "1", "--threshold", "0.1"])),
    }
    try:
        import annoy  # noqa: F401

        from cw2v.similarities import AnnoyIndexer
        writers["annoy index"] = lambda path: AnnoyIndexer(model, num_trees=2).save(path)
    except ImportError:
        pass
    try:
        import hnswlib  # noqa: F401

        from cw2v.similarities import HnswIndexer
        writers["hnswlib index"] = lambda path: HnswIndexer(model).save(path)
    except ImportError:
        pass
    return writers


@pytest.mark.parametrize("kind", sorted(_writers()))
def test_every_writer_is_atomic_and_keeps_permissions(tmp_path, monkeypatch, kind, capsys):
    write = _writers()[kind]
    path = str(tmp_path / "out")
    target = path + ".gz" if kind == "word2vec gz" else path
    write(path)
    os.chmod(target, 0o600)
    write(path)
    assert os.stat(target).st_mode & 0o777 == 0o600
    assert leftover_temp_files(tmp_path) == []
    before = read_bytes(target)  # (a .gz file's header holds the time of the write)

    def failing_replace(src, dst):
        raise OSError("cannot rename")
    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="cannot rename"):
        write(path)
    monkeypatch.undo()
    assert leftover_temp_files(tmp_path) == []
    if kind not in ("native Word2Vec", "phrases", "cli phrases", "annoy index", "hnswlib index"):
        assert read_bytes(target) == before  # (the others hold times or random trees: they differ anyway)
