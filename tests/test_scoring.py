"""predict_output_word and score: the softmax computed by hand, and scores as a language model. The
comparisons with gensim on identical weights are in test_word2vec_gensim.py."""
import numpy as np
import pytest

from cw2v import LineSentence, Word2Vec


@pytest.mark.parametrize("cbow_mean", [0, 1])
def test_predict_output_word_is_the_softmax_of_the_context(small_corpus, make_model, cbow_mean):
    model = make_model(small_corpus, vector_size=20, negative=5, min_count=3, epochs=1, cbow_mean=cbow_mean)
    context = [model.wv.index_to_key[i] for i in (0, 25, 300)] + ["nosuchword"]
    got = model.predict_output_word(context, topn=5)
    ids = [model.wv.key_to_index[w] for w in context[:3]]
    hidden = model.wv.vectors[ids].astype(np.float64).sum(axis=0) / (len(ids) if cbow_mean else 1)
    scores = model.syn1neg.astype(np.float64) @ hidden
    probs = np.exp(scores - scores.max())
    probs /= probs.sum()
    top = np.argsort(-probs, kind="stable")[:5]
    assert [w for w, _ in got] == [model.wv.index_to_key[i] for i in top]
    np.testing.assert_allclose([p for _, p in got], probs[top], rtol=1e-6)
    assert model.predict_output_word(["nosuchword"]) is None
    assert len(model.predict_output_word(["the"], topn=len(model.wv) + 5)) == len(model.wv)


@pytest.mark.slow
def test_scores_prefer_real_sentences_and_track_training(demo_corpus_path, global_random_seed):
    everything = list(LineSentence(demo_corpus_path))
    train, held_out = everything[:-300], [s for s in everything[-300:] if len(s) > 5][:100]
    rng = np.random.default_rng(global_random_seed)
    shuffled = [list(rng.permutation(s)) for s in held_out]
    for hs, negative in ((1, 0), (0, 5)):
        model = Word2Vec(vector_size=24, hs=hs, negative=negative, sg=1, min_count=3, workers=2,
                         seed=global_random_seed)
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


def test_missing_weights_are_reported(small_corpus):
    ns_only = Word2Vec(small_corpus[:200], vector_size=8, min_count=2, epochs=1)
    with pytest.raises(RuntimeError, match="hs=1"):
        ns_only.score(small_corpus[:5], objective="hs")
    hs_only = Word2Vec(small_corpus[:200], vector_size=8, min_count=2, epochs=1, hs=1, negative=0)
    with pytest.raises(RuntimeError, match="negative"):
        hs_only.predict_output_word(["the"])
