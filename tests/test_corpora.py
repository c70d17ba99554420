"""Corpus readers and the C tokenizer of corpus_file mode give exactly LineSentence's sentences."""
import bz2
import gzip

import numpy as np
import pytest

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


def test_line_sentence_matches_gensim(demo_corpus_path):
    gensim_ls = pytest.importorskip("gensim.models.word2vec", reason="gensim is the test oracle").LineSentence
    ours = LineSentence(demo_corpus_path, limit=3000)
    theirs = gensim_ls(demo_corpus_path, limit=3000)
    assert list(ours) == list(theirs)


def test_encode_sentences_refuses_non_str():
    with pytest.raises(TypeError, match="tokens must be str"):
        encode_sentences([["a", 3]], {"a": 0})
    with pytest.raises(TypeError, match="list of str"):
        encode_sentences(["abc"], {"a": 0})


def test_string_table_lookup():
    table = StringTable.from_keys(["a", "ß", "日本"])
    assert table.get("ß") == 1 and table.get("日本") == 2 and table.get("x") is None and len(table) == 3


def test_max_vocab_size_pruning_in_c_matches_python():
    text = "\n".join(" ".join(["common"] * 5 + ["rare%d" % i]) for i in range(50)) + "\n"
    counter = FileCounter(10, 10000)
    counter.feed(text.encode())
    counts, _, _ = scan_vocab([line.split() for line in text.splitlines()], max_vocab_size=10)
    assert counter.counts() == counts


def test_counters_sharing_blocks_give_first_occurrence_order(tmp_path):
    rng = np.random.default_rng(0)
    words = ["w%d" % i for i in range(500)]
    lines = [" ".join(words[int(i)] for i in rng.zipf(1.5, size=12) % 500) for _ in range(3000)]
    path = tmp_path / "c.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf8")
    counts, total, n = scan_vocab([l.split() for l in lines])
    counters = [FileCounter(None, 10000) for _ in range(3)]
    for block_no, block in enumerate(iter_line_blocks(str(path), block_size=997)):
        counters[block_no % 3].feed(block, block_no)
    merged = counters[0]
    merged.merge(counters[2])
    merged.merge(counters[1])
    assert list(merged.counts().items()) == list(counts.items())
    assert (merged.total_words, merged.corpus_count) == (total, n)
