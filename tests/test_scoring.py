"""predict_output_word and score: against gensim on identical weights, and as a language model."""
import numpy as np
import pytest

from cw2v import LineSentence, Word2Vec


@pytest.fixture(scope="module")
def sentences(demo_corpus_path):
    return list(LineSentence(demo_corpus_path, limit=3000))


@pytest.mark.parametrize("sg", [0, 1])
def test_hs_score_matches_gensim_on_identical_weights(tmp_path, sentences, sg):
    gensim = pytest.importorskip("gensim", reason="gensim is the test oracle")
    theirs = gensim.models.Word2Vec(sentences, vector_size=20, hs=1, negative=0, sg=sg, min_count=3, epochs=1,
                                    workers=1, seed=1)
    path = str(tmp_path / "g.model")
    theirs.save(path)
    ours = Word2Vec.load(path)  # same vectors, syn1 and Huffman codes
    test = sentences[:60]
    want = theirs.score(test, total_sentences=len(test))
    got = ours.score(test, total_sentences=len(test))
    assert got.shape == want.shape == (60,)
    # gensim reads log-sigmoid from a 1000-entry table and drops terms past |6|; cw2v computes them exactly
    np.testing.assert_allclose(got, want, rtol=0.05, atol=0.5)
    assert np.corrcoef(got, want)[0, 1] > 0.999


def test_predict_output_word_matches_gensim(tmp_path, sentences):
    gensim = pytest.importorskip("gensim", reason="gensim is the test oracle")
    theirs = gensim.models.Word2Vec(sentences, vector_size=20, negative=5, min_count=3, epochs=1, workers=1)
    path = str(tmp_path / "g.model")
    theirs.save(path)
    ours = Word2Vec.load(path)
    context = ["the", "king", "of", "nosuchword"]
    want = theirs.predict_output_word(context, topn=5)
    got = ours.predict_output_word(context, topn=5)
    assert [w for w, _ in got] == [w for w, _ in want]
    np.testing.assert_allclose([p for _, p in got], [p for _, p in want], rtol=1e-4)
    assert ours.predict_output_word(["nosuchword"]) is None


def test_scores_prefer_real_sentences_and_track_training(demo_corpus_path):
    everything = list(LineSentence(demo_corpus_path))
    train, held_out = everything[:-300], [s for s in everything[-300:] if len(s) > 5][:100]
    rng = np.random.default_rng(0)
    shuffled = [list(rng.permutation(s)) for s in held_out]
    for hs, negative in ((1, 0), (0, 5)):
        model = Word2Vec(vector_size=24, hs=hs, negative=negative, sg=1, min_count=3, workers=2, seed=1)
        model.build_vocab(train)
        before = model.score(held_out).sum()
        model.train(train, total_examples=len(train), epochs=1)
        after = model.score(held_out)
        assert after.dtype == np.float32 and np.all(after <= 0)
        if negative:
            # the held-out negative-sampling likelihood improves with training (a validation curve); under
            # HS the untrained tree already is a unigram model (p = 2**-code length), which one epoch of
            # full-window pairs does not beat by much, so only the ordering test below applies to it
            assert after.sum() > 0.8 * before
        assert after.sum() > model.score(shuffled).sum()  # word order matters


def test_missing_weights_are_reported(sentences):
    ns_only = Word2Vec(sentences[:200], vector_size=8, min_count=2, epochs=1)
    with pytest.raises(RuntimeError, match="hs=1"):
        ns_only.score(sentences[:5], objective="hs")
    hs_only = Word2Vec(sentences[:200], vector_size=8, min_count=2, epochs=1, hs=1, negative=0)
    with pytest.raises(RuntimeError, match="negative"):
        hs_only.predict_output_word(["the"])
