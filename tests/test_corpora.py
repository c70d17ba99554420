"""Corpus readers and the C tokenizer of corpus_file mode give exactly LineSentence's sentences."""
import bz2
import gzip
import os
import tempfile

import numpy as np
import pytest
from hypothesis import example, given, settings, strategies as st

from cw2v import LineSentence
from cw2v._corpus import FileCounter, StringTable, encode_block, encode_sentences
from cw2v.corpora import iter_line_blocks
from cw2v.vocab import scan_vocab

TRICKY = ("héllo wörld  naïve\tcafé\r\n"
          "\n"
          "a\u00a0b\u3000c\u2003d\x1ce end\r"
          "x y z\n"
          "   \n"
          "last line without newline ∂ ∑")


@pytest.mark.parametrize("opener,suffix", [(open, ".txt"), (gzip.open, ".gz"), (bz2.open, ".bz2")])
def test_c_tokenizer_matches_line_sentence(tmp_path, opener, suffix):
    path = tmp_path / ("t" + suffix)
    with opener(path, "wb") as f:
        f.write((TRICKY + "\n" + " ".join("w%d" % (i % 7) for i in range(25)) + "\n").encode("utf8"))
    sentences = list(LineSentence(str(path), max_sentence_length=10))
    assert ["a", "b", "c", "d", "e", "end"] in sentences
    counter = FileCounter(None, 10)
    for block in iter_line_blocks(str(path), block_size=16):
        counter.feed(block)
    counts, total, n = scan_vocab(sentences)
    assert counter.counts() == counts and list(counter.counts()) == list(counts)
    assert (counter.total_words, counter.corpus_count) == (total, n)
    keys = list(counts)
    table = StringTable.from_keys(keys)
    key_to_index = {k: i for i, k in enumerate(keys[::2])}  # half the words out of vocabulary
    table = StringTable.from_keys(keys[::2])
    ids, ends, raw = zip(*(encode_block(table, b, 10) for b in iter_line_blocks(str(path), block_size=16)))
    want_ids, want_ends, want_raw = encode_sentences(sentences, key_to_index)
    np.testing.assert_array_equal(np.concatenate(ids), want_ids)
    assert sum(raw) == want_raw == total
    assert sum(len(e) for e in ends) == len(want_ends)


def test_line_sentence_splits_long_lines_and_skips_blank(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text("\n\n" + " ".join(str(i) for i in range(25)) + "\n\nshort line\n", encoding="utf8")
    got = list(LineSentence(str(path), max_sentence_length=10))
    assert [len(s) for s in got] == [10, 10, 5, 2]
    assert sum(got, []) == [str(i) for i in range(25)] + ["short", "line"]
    assert list(LineSentence(str(path), max_sentence_length=10, limit=3)) == got[:3]  # limit counts lines


def test_encode_sentences_takes_any_hashable_and_refuses_unhashable():
    key_to_index = {"a": 0, 3: 1, ("t", 1): 2}
    ids, ends, raw = encode_sentences([["a", 3, "zz", ("t", 1)], "ab", [np.int64(3)]], key_to_index)
    assert ids.tolist() == [0, 1, 2, 0, 1] and ends.tolist() == [3, 4, 5] and raw == 7
    with pytest.raises(TypeError, match="unhashable"):
        encode_sentences([["a", ["x"]]], key_to_index)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint16, np.uint64])
def test_encode_sentences_integer_fast_path_matches_the_dict(dtype):
    """int_index (the table for small int keys) gives what the dict gives, for lists of ints and NumPy arrays,
    with out-of-vocabulary and out-of-table ids dropped."""
    from cw2v._corpus import int_key_index
    rng = np.random.default_rng(0)
    keys = [int(k) for k in rng.permutation(50)[:30]] + ["word"]
    key_to_index = {k: i for i, k in enumerate(keys)}
    table = int_key_index(keys, 1000)
    assert table is not None and len(table) == max(k for k in keys if isinstance(k, int)) + 1
    walks = [rng.integers(0, 70, size=int(rng.integers(0, 20))).astype(dtype) for _ in range(40)]
    walks += [[int(v) for v in w] + ["word", 10 ** 30] for w in walks[:5]]
    want = encode_sentences([[int(v) if not isinstance(v, str) else v for v in w] for w in walks], key_to_index)
    got = encode_sentences(walks, key_to_index, table)
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)


def test_int_key_index_only_for_small_non_negative_int_keys():
    from cw2v._corpus import int_key_index
    assert int_key_index(["a", "b"], 100) is None                 # no int key
    assert int_key_index([1, -2], 100) is None                    # negative
    assert int_key_index([1, 100], 100) is None                   # too large a table
    assert int_key_index([1, True], 100) is None                  # True == 1: only the dict decides
    np.testing.assert_array_equal(int_key_index([3, "x", 1], 100), [-1, 2, -1, 0])


def test_string_table_lookup():
    table = StringTable.from_keys(["a", "ß", "日本"])
    assert table.get("ß") == 1 and table.get("日本") == 2 and table.get("x") is None and len(table) == 3


def test_max_vocab_size_pruning_in_c_matches_python():
    text = "\n".join(" ".join(["common"] * 5 + ["rare%d" % i]) for i in range(50)) + "\n"
    counter = FileCounter(10, 10000)
    counter.feed(text.encode())
    counts, _, _ = scan_vocab([line.split() for line in text.splitlines()], max_vocab_size=10)
    assert counter.counts() == counts


_SEPARATORS = [" ", "  ", "\t", "\u00a0", "\u3000", "\u2003", "\x1c", " \r\n", "\n", "\r", "\n\n"]


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_words=st.sampled_from([3, 40, 3000]), n_tokens=st.integers(0, 4000),
       max_sentence_length=st.integers(1, 40), max_vocab_size=st.sampled_from([None, 2, 5, 30, 700]),
       block_size=st.sampled_from([7, 13, 200, 1 << 20]))
# found by this test: a prune at a block's end and again at the next block's first sentence (one sentence end
# pruned twice), and a prune after a block of blank lines (no sentence end at all)
@example(seed=25, n_words=40, n_tokens=143, max_sentence_length=1, max_vocab_size=30, block_size=7)
@example(seed=2717608177, n_words=3, n_tokens=79, max_sentence_length=21, max_vocab_size=2, block_size=7)
def test_read_ahead_counting_and_encoding_match_python(seed, n_words, n_tokens, max_sentence_length, max_vocab_size,
                                                      block_size):
    """FileCounter.feed and encode_block read tokens ahead of their look-ups (cw2v_stream_next in
    src_c/cw2v_text.h): still LineSentence's tokens and sentences in order, while the table grows (3000 words
    pass its first sizes), is pruned (max_vocab_size) and blocks hold fewer or many more tokens than the
    read-ahead queue."""
    rng = np.random.default_rng(seed)
    words = ["w%d" % i if i % 5 else "ü%d" % i for i in range(n_words)]
    ids = rng.zipf(1.3, size=n_tokens) % n_words
    seps = rng.integers(0, len(_SEPARATORS), size=n_tokens)
    text = "".join(words[i] + _SEPARATORS[j] for i, j in zip(ids, seps)).encode("utf8")
    with tempfile.TemporaryDirectory() as tmp:  # not tmp_path: hypothesis reruns the function, not fixtures
        path = os.path.join(tmp, "c.txt")
        with open(path, "wb") as f:
            f.write(text)
        sentences = list(LineSentence(path, max_sentence_length=max_sentence_length))
        blocks = list(iter_line_blocks(path, block_size=block_size))
    counts, total, n = scan_vocab(sentences, max_vocab_size=max_vocab_size)
    counter = FileCounter(max_vocab_size, max_sentence_length)
    for block in blocks:
        counter.feed(block)
    assert list(counter.counts().items()) == list(counts.items())
    assert (counter.total_words, counter.corpus_count) == (total, n)
    vocab = list(counts)[::2]
    want_ids, want_ends, want_raw = encode_sentences(sentences, {w: i for i, w in enumerate(vocab)})
    got = [encode_block(StringTable.from_keys(vocab), b, max_sentence_length) for b in blocks]
    got_ids = np.concatenate([g[0] for g in got]) if got else np.zeros(0, np.int32)
    np.testing.assert_array_equal(got_ids, want_ids)
    assert sum(g[2] for g in got) == want_raw == total
    # sentence ends, block by block, as offsets into the concatenated ids (empty sentences kept)
    ends, base = [], 0
    for g in got:
        ends.extend(base + g[1])
        base += len(g[0])
    np.testing.assert_array_equal(ends, want_ends)



def test_counters_sharing_blocks_give_first_occurrence_order(tmp_path):
    rng = np.random.default_rng(0)
    words = ["w%d" % i for i in range(500)]
    lines = [" ".join(words[int(i)] for i in rng.zipf(1.5, size=12) % 500) for _ in range(3000)]
    path = tmp_path / "c.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf8")
    counts, total, n = scan_vocab([line.split() for line in lines])
    counters = [FileCounter(None, 10000) for _ in range(3)]
    for block_no, block in enumerate(iter_line_blocks(str(path), block_size=997)):
        counters[block_no % 3].feed(block, block_no)
    merged = counters[0]
    merged.merge(counters[2])
    merged.merge(counters[1])
    assert list(merged.counts().items()) == list(counts.items())
    assert (merged.total_words, merged.corpus_count) == (total, n)


def test_packed_counters_merge_in_block_order(tmp_path):
    """pack() + merge_packed(), the form cw2v.distributed moves counts in, give the one-counter scan."""
    rng = np.random.default_rng(1)
    words = ["w%d" % i for i in range(400)] + ["é", "日本", "naïve"]
    lines = [" ".join(words[int(i)] for i in rng.zipf(1.4, size=9) % len(words)) for _ in range(2000)]
    text = ("\n".join(lines) + "\n").encode("utf8")
    path = tmp_path / "c.txt"
    path.write_bytes(text)
    whole = FileCounter(None, 10000)
    whole.feed(text)
    merged = FileCounter(None, 10000)
    for block in iter_line_blocks(str(path), block_size=1013):
        part = FileCounter(None, 10000)
        part.feed(block)
        keys, counts = part.pack()
        assert keys.count(b"\n") == len(counts) == len(part.counts())
        merged.merge_packed(keys, counts, part.total_words, part.corpus_count)
    assert list(merged.counts().items()) == list(whole.counts().items())
    assert (merged.total_words, merged.corpus_count) == (whole.total_words, whole.corpus_count)
    keys, counts = merged.pack()  # a packed merge packs again, in the same order
    assert keys.decode("utf8").split("\n")[:-1] == list(whole.counts())
    assert counts.tolist() == list(whole.counts().values())


def test_merge_packed_rejects_malformed_input():
    for keys, counts in ((b"a\nb", [1, 1]), (b"a\n\n", [1, 1]), (b"a\n", [1, 2]), (b"a\nb\n", [1]),
                         (b"x\ny\nb", [1, 1, 1])):
        counter = FileCounter(None)
        counter.feed(b"x z x\n")
        before = (counter.pack(), counter.total_words, counter.corpus_count)
        with pytest.raises(ValueError, match="malformed"):
            counter.merge_packed(keys, np.array(counts, dtype=np.int64), 3, 1)
        after = (counter.pack(), counter.total_words, counter.corpus_count)
        assert after[0][0] == before[0][0] and after[0][1].tolist() == before[0][1].tolist()
        assert after[1:] == before[1:]  # nothing added: the input is checked before the merge
        counter.merge_packed(b"z\nw\n", np.array([1, 4], dtype=np.int64))  # and the next block still merges
        assert counter.counts() == {"x": 2, "z": 2, "w": 4}
    with pytest.raises(ValueError, match=">= 0"):
        FileCounter(None).merge_packed(b"a\n", np.ones(1, dtype=np.int64), -1, 0)
    empty = FileCounter(None)
    empty.merge_packed(b"", np.zeros(0, dtype=np.int64))
    assert empty.counts() == {} and empty.pack()[0] == b""


def test_packed_keys_keep_a_bad_word_detectable():
    """Words end with b"\\n" in pack(): a truncated UTF-8 word cannot join the next word into valid text."""
    counter = FileCounter(None)
    counter.feed(b"\xc3 \xa9t\xc3\xa9\n")  # b"\xc3" + b"\xa9t\xc3\xa9" would decode as "\xe9t\xe9"
    keys, _ = counter.pack()
    with pytest.raises(UnicodeDecodeError):
        keys.decode("utf8")
    with pytest.raises(UnicodeDecodeError):
        counter.counts()


# words of random bytes, valid UTF-8 or not, without the bytes that start a whitespace character (ASCII ones;
# 0xc2, 0xe1, 0xe2, 0xe3 lead the UTF-8 of U+0085, U+00A0, U+1680, U+2000-U+3000), so that each is one token
_NOT_IN_WORDS = b" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\xc2\xe1\xe2\xe3"
_BYTE_WORDS = st.lists(st.binary(min_size=1, max_size=4).map(
    lambda b: bytes(c for c in b if c not in _NOT_IN_WORDS) or b"x"), min_size=0, max_size=30)


@settings(max_examples=300, deadline=None)
@given(words=_BYTE_WORDS, errors=st.sampled_from(["replace", "ignore", "surrogateescape", "backslashreplace"]))
def test_counts_decode_each_word_as_alone(words, errors):
    """counts() decodes the packed buffer at once; the result is the per-word decoding, counts summed when two
    byte strings decode to one word (``b"\xff"`` and ``b"\xfe"`` both become U+FFFD with 'replace')."""
    counter = FileCounter(None)
    counter.feed(b" ".join(words) + b"\n")
    want = {}
    for w in words:  # bytes in order of first occurrence: FileCounter's order before decoding
        key = w.decode("utf8", errors)
        want[key] = want.get(key, 0) + 1
    got = counter.counts(errors)
    assert list(got.items()) == list(want.items())


# --- a plain LineSentence over a local file is read like corpus_file (C tokenizer, no Python per token)

def _tricky_file(tmp_path, suffix=".txt"):
    path = tmp_path / ("tricky" + suffix)
    opener = {".txt": open, ".gz": gzip.open, ".bz2": bz2.open}[suffix]
    body = "\n".join(TRICKY + " " + " ".join("w%d" % ((i * k) % 11) for k in range(30)) for i in range(40))
    with opener(path, "wb") as f:
        f.write(body.encode("utf8"))
    return path


@pytest.mark.parametrize("suffix", [".txt", ".gz"])
def test_line_sentence_fast_path_builds_the_same_vocabulary(tmp_path, suffix):
    from cw2v import Word2Vec
    path = _tricky_file(tmp_path, suffix)
    fast = Word2Vec(min_count=1, workers=2)
    fast.build_vocab(LineSentence(str(path), max_sentence_length=7), keep_raw_vocab=True)
    slow = Word2Vec(min_count=1, workers=2)
    slow.build_vocab(list(LineSentence(str(path), max_sentence_length=7)), keep_raw_vocab=True)
    assert list(fast.raw_vocab.items()) == list(slow.raw_vocab.items())
    assert (fast.corpus_count, fast.corpus_total_words) == (slow.corpus_count, slow.corpus_total_words)
    assert fast.wv.index_to_key == slow.wv.index_to_key


def test_line_sentence_trains_without_python_iteration(tmp_path, monkeypatch, demo_corpus_path):
    from cw2v import Word2Vec

    def refuse(self):
        raise AssertionError("LineSentence was iterated in Python")

    kwargs = dict(vector_size=16, min_count=2, workers=1, epochs=2, seed=3)
    a = Word2Vec(**kwargs)
    a.build_vocab(corpus_file=demo_corpus_path)
    a.train(corpus_file=demo_corpus_path, total_words=a.corpus_total_words, epochs=2)
    monkeypatch.setattr(LineSentence, "__iter__", refuse)
    b = Word2Vec(LineSentence(demo_corpus_path), **kwargs)  # vocabulary and training, both in C
    # one thread, same blocks and random streams as corpus_file mode: identical weights
    np.testing.assert_array_equal(a.wv.vectors, b.wv.vectors)
    np.testing.assert_array_equal(a.syn1neg, b.syn1neg)
    assert (a.corpus_count, a.corpus_total_words) == (b.corpus_count, b.corpus_total_words)


class _Lowered(LineSentence):
    def __iter__(self):
        for sentence in super().__iter__():
            yield [w.lower() for w in sentence]


@pytest.mark.parametrize("make", [
    lambda p: _Lowered(str(p)),                                  # a subclass may change the sentences
    lambda p: LineSentence(str(p), limit=5),                     # only part of the file
    lambda p: LineSentence(str(p), unicode_errors="replace"),    # a decoding policy the C reader lacks
    lambda p: LineSentence(str(p), encoding="latin-1"),
    lambda p: LineSentence(open(p, "rb")),                       # a file object
])
def test_other_line_sentences_are_iterated_in_python(tmp_path, make):
    from cw2v._corpus_file import CorpusFile
    path = _tricky_file(tmp_path)
    corpus = make(path)
    assert CorpusFile.from_line_sentence(corpus) is None
    if hasattr(corpus.source, "close"):
        corpus.source.close()
    assert CorpusFile.from_line_sentence(LineSentence(str(path))).path == str(path)
    assert CorpusFile.from_line_sentence(LineSentence(path, max_sentence_length=9)).max_sentence_length == 9


def test_subclassed_line_sentence_still_trains(tmp_path):
    from cw2v import Word2Vec
    path = tmp_path / "upper.txt"
    path.write_text("Hello World again\nHELLO there World\n" * 20, encoding="utf8")
    model = Word2Vec(_Lowered(str(path)), vector_size=8, min_count=1, workers=1, epochs=1)
    assert sorted(model.wv.index_to_key) == ["again", "hello", "there", "world"]
