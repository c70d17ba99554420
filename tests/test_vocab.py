"""Vocabulary counts, pruning, keep-probabilities, noise table and Huffman tree against closed forms."""
import heapq
from collections import Counter

import numpy as np
import pytest

from cw2v import Word2Vec, vocab

SENTENCES = [["the", "cat", "sat", "on", "the", "mat"], ["the", "dog", "sat"], ["a", "cat", "and", "a", "dog"],
             ["the", "end"]] * 3


def test_scan_counts_match_counter():
    counts, total, n = vocab.scan_vocab(SENTENCES)
    assert counts == dict(Counter(w for s in SENTENCES for w in s))
    assert total == sum(map(len, SENTENCES)) and n == len(SENTENCES)
    assert list(counts) == ["the", "cat", "sat", "on", "mat", "dog", "a", "and", "end"]  # first-seen order


def test_max_vocab_size_prunes_rare_words_during_scan():
    sents = [["common"] * 5 + ["rare%d" % i] for i in range(50)]
    counts, total, _ = vocab.scan_vocab(sents, max_vocab_size=10)
    assert len(counts) <= 10 and counts["common"] == 250 and total == 300


def test_scan_counts_any_hashable_token_and_numpy_ints_as_int():
    sents = [[1, 2, 3], np.array([3, 4], dtype=np.int32), [np.int64(4), "a", ("t", 1)], np.array([5], np.uint8)]
    counts, total, n = vocab.scan_vocab(sents)
    assert counts == {1: 1, 2: 1, 3: 2, 4: 2, "a": 1, ("t", 1): 1, 5: 1} and (total, n) == (9, 4)
    assert all(type(k) is int for k in counts if not isinstance(k, (str, tuple)))  # no NumPy scalars as keys
    assert list(counts) == [1, 2, 3, 4, "a", ("t", 1), 5]


def test_scan_reads_a_string_sentence_as_characters_with_a_warning(caplog):
    """gensim's behaviour: each character is a token, and a warning names the mistake."""
    with caplog.at_level("WARNING", logger="cw2v.vocab"):
        counts, total, n = vocab.scan_vocab([["ok"], "abca"])
    assert counts == {"ok": 1, "a": 2, "b": 1, "c": 1} and (total, n) == (5, 2)
    assert "Each 'sentences' item should be a list of words" in caplog.text
    assert "Sentence 1 is a plain str" in caplog.text


def test_scan_refuses_unhashable_tokens_and_non_iterable_sentences():
    with pytest.raises(TypeError, match="unhashable"):
        vocab.scan_vocab([["a", ["nested"]]])
    with pytest.raises(TypeError, match="None"):
        vocab.scan_vocab([["a"], None])
    with pytest.raises(TypeError, match="iterable of tokens"):
        vocab.scan_vocab([["a"], 7])


def test_min_count_max_final_vocab_and_trim_rule():
    m = Word2Vec(min_count=3, vector_size=4)
    m.build_vocab(SENTENCES)
    assert set(m.wv.index_to_key) == {w for w, c in Counter(w for s in SENTENCES for w in s).items() if c >= 3}
    m = Word2Vec(min_count=1, max_final_vocab=3, vector_size=4)
    m.build_vocab(SENTENCES)
    assert len(m.wv) <= 3 and m.wv.index_to_key[0] == "the"

    def rule(w, c, mc):
        return vocab.RULE_DISCARD if w == "the" else (vocab.RULE_KEEP if w == "end" else vocab.RULE_DEFAULT)

    m = Word2Vec(min_count=6, vector_size=4)
    m.build_vocab(SENTENCES, trim_rule=rule)
    assert "the" not in m.wv.key_to_index and "end" in m.wv.key_to_index and "cat" in m.wv.key_to_index


@pytest.mark.parametrize("sample", [0.0, 1e-3, 1e-5, 5.0])
def test_keep_probabilities_closed_form(sample):
    counts = np.array([100000, 5000, 300, 20, 1])
    p = vocab.keep_probabilities(counts, sample)
    total = counts.sum()
    t = total if not sample else (sample * total if sample < 1 else int(sample * (3 + 5 ** 0.5) / 2))
    want = np.minimum(1.0, (np.sqrt(counts / t) + 1) * t / counts)
    np.testing.assert_allclose(p, want)
    assert np.all(np.diff(p) >= 0)  # rarer words are kept at least as often
    if not sample:
        assert np.all(p == 1.0)


def test_huffman_tree_is_optimal_and_prefix_free(global_random_seed):
    rng = np.random.default_rng(global_random_seed)
    counts = rng.integers(1, 10000, size=257)
    codes, points, lens = vocab.huffman_tree(counts)
    n = len(counts)
    # Kraft equality: a full binary tree
    assert np.isclose(np.sum(2.0 ** -lens.astype(float)), 1.0)
    # optimal: weighted path length equals the sum of all merge weights of the heap construction
    heap = [int(c) for c in counts]
    heapq.heapify(heap)
    cost = 0
    while len(heap) > 1:
        a, b = heapq.heappop(heap), heapq.heappop(heap)
        cost += a + b
        heapq.heappush(heap, a + b)
    assert int(np.sum(counts * lens)) == cost
    # prefix-free and consistent paths: identical code prefixes share the same inner nodes
    strings = ["".join(map(str, codes[w, :lens[w]])) for w in range(n)]
    assert len(set(strings)) == n
    for a in range(0, n, 7):
        for b in range(n):
            if a != b:
                assert not strings[b].startswith(strings[a])
    node_of_prefix = {}
    for w in range(n):
        assert points[w, 0] == n - 2  # root
        for j in range(lens[w]):
            prefix = strings[w][:j]
            assert node_of_prefix.setdefault(prefix, points[w, j]) == points[w, j]
    assert set(node_of_prefix.values()) == set(range(n - 1))  # every inner node used


def test_huffman_small_cases():
    codes, points, lens = vocab.huffman_tree(np.array([5]))
    assert lens.tolist() == [0]
    codes, points, lens = vocab.huffman_tree(np.array([5, 3]))
    assert lens.tolist() == [1, 1] and sorted(codes[:, 0].tolist()) == [0, 1] and points[:, 0].tolist() == [0, 0]
    codes, points, lens = vocab.huffman_tree(np.array([8, 4, 2, 1, 1]))
    assert lens.tolist() == [1, 2, 3, 4, 4]


def test_build_vocab_from_freq():
    m = Word2Vec(min_count=2, vector_size=4)
    m.build_vocab_from_freq({"a": 10, "b": 3, "c": 1, "d": 7}, corpus_count=5)
    assert m.wv.index_to_key == ["a", "d", "b"]
    assert m.corpus_total_words == 21 and m.corpus_count == 5
    assert m.wv.vectors.shape == (3, 4) and m.syn1neg.shape == (3, 4)


def test_empty_and_emptied_corpus_warn_then_train_raises(caplog):
    """As gensim: build_vocab leaves an empty vocabulary (with a warning saying why); train() refuses it with
    gensim's RuntimeError (also a ValueError), naming the reason."""
    for model, corpus, reason in ((Word2Vec(vector_size=4), [[], []], "the corpus is empty"),
                                  (Word2Vec(vector_size=4, min_count=100), SENTENCES, "lower min_count")):
        with caplog.at_level("WARNING"):
            model.build_vocab(corpus)
        assert reason in caplog.text and len(model.wv) == 0 and model.wv.vectors.shape == (0, 4)
        with pytest.raises(RuntimeError, match="you must first build vocabulary.*" + reason) as err:
            model.train(corpus, total_examples=2, epochs=1)
        assert isinstance(err.value, ValueError)
        caplog.clear()
    with pytest.raises(ValueError, match="lower min_count"):
        Word2Vec(SENTENCES, vector_size=4, min_count=100)
