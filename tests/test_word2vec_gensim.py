"""Word2Vec against gensim 4.4's (the oracle): vocabulary and tables, initial vectors, and scores and
predictions computed on identical weights. What needs no gensim is in test_word2vec.py, test_vocab.py,
test_scoring.py and test_gensim_compat.py."""
import numpy as np
import pytest

from cw2v import Word2Vec

pytest.importorskip("gensim", reason="gensim 4.4.0 is the oracle of every test here (pip install .[test])")
import gensim

# ------------------------------------------------------------------------------------------- vocabulary


def test_vocabulary_order_and_counts_match_gensim():
    rng = np.random.default_rng(0)
    words = ["w%d" % i for i in range(300)]
    sents = [[words[int(i)] for i in rng.zipf(1.3, size=20) % 300] for _ in range(500)]
    ours = Word2Vec(min_count=2, vector_size=4, sample=1e-3)
    ours.build_vocab(sents)
    theirs = gensim.models.Word2Vec(min_count=2, vector_size=4, sample=1e-3)
    theirs.build_vocab(sents)
    assert ours.wv.index_to_key == theirs.wv.index_to_key
    np.testing.assert_array_equal(ours.wv.expandos["count"], theirs.wv.expandos["count"])
    assert (ours.corpus_count, ours.corpus_total_words) == (theirs.corpus_count, theirs.corpus_total_words)
    np.testing.assert_array_equal(ours.cum_table, theirs.cum_table)
    # gensim keeps a word when a 32-bit draw is <= p * (2**32 - 1); ours when it is < p * 2**32
    ours_p = ours._tables.keep_threshold / 2.0 ** 32
    theirs_p = theirs.wv.expandos["sample_int"] / (2.0 ** 32 - 1)
    np.testing.assert_allclose(ours_p, theirs_p, atol=1e-9)


def test_initial_vectors_are_gensims_for_the_same_seed():
    from cw2v.test.utils import common_texts
    for seed in (1, 12345):
        ours = Word2Vec(vector_size=16, min_count=1, seed=seed)
        ours.build_vocab(common_texts)
        theirs = gensim.models.Word2Vec(vector_size=16, min_count=1, seed=seed)
        theirs.build_vocab(common_texts)
        assert ours.wv.index_to_key == theirs.wv.index_to_key
        np.testing.assert_array_equal(ours.wv.vectors, theirs.wv.vectors)
        ours.build_vocab([["new", "words", "human"]], update=True)
        theirs.build_vocab([["new", "words", "human"]], update=True)
        np.testing.assert_array_equal(ours.wv.vectors, theirs.wv.vectors)


# ---------------------------------------------------------------------------- scores on identical weights


@pytest.mark.parametrize("sg", [0, 1])
def test_hs_score_matches_gensim_on_identical_weights(tmp_path, small_corpus, sg):
    theirs = gensim.models.Word2Vec(small_corpus, vector_size=20, hs=1, negative=0, sg=sg, min_count=3, epochs=1,
                                    workers=1, seed=1)
    path = str(tmp_path / "g.model")
    theirs.save(path)
    ours = Word2Vec.load(path)  # same vectors, syn1 and Huffman codes
    test = small_corpus[:60]
    want = theirs.score(test, total_sentences=len(test))
    got = ours.score(test, total_sentences=len(test))
    assert got.shape == want.shape == (60,)
    # gensim reads log-sigmoid from a 1000-entry table and drops terms past |6|; cw2v computes them exactly
    np.testing.assert_allclose(got, want, rtol=0.05, atol=0.5)
    assert np.corrcoef(got, want)[0, 1] > 0.999


def test_predict_output_word_matches_gensim(tmp_path, small_corpus):
    theirs = gensim.models.Word2Vec(small_corpus, vector_size=20, negative=5, min_count=3, epochs=1, workers=1)
    path = str(tmp_path / "g.model")
    theirs.save(path)
    ours = Word2Vec.load(path)
    context = ["the", "man", "of", "nosuchword"]
    want = theirs.predict_output_word(context, topn=5)
    got = ours.predict_output_word(context, topn=5)
    assert [w for w, _ in got] == [w for w, _ in want]
    np.testing.assert_allclose([p for _, p in got], [p for _, p in want], rtol=1e-4)


# ------------------------------------------------------------------------------------------- train()


def test_train_takes_every_keyword_gensims_train_names():
    """train() refuses unknown keywords, so it must name each of gensim 4.4.0's explicit parameters itself."""
    import inspect

    from cw2v.test.utils import common_texts

    def named(function):
        return {name for name, p in inspect.signature(function).parameters.items()
                if name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)}

    theirs, ours = named(gensim.models.Word2Vec.train), named(Word2Vec.train)
    assert theirs and theirs <= ours, sorted(theirs - ours)
    assert ours - theirs == {"progress"}
    model = Word2Vec(common_texts, vector_size=4, min_count=1, workers=1, epochs=1)
    defaults = {name: p.default for name, p in inspect.signature(gensim.models.Word2Vec.train).parameters.items()
                if name in theirs and p.default is not inspect.Parameter.empty}
    defaults.update(corpus_iterable=common_texts, total_examples=model.corpus_count, epochs=1)
    model.train(**defaults)
