"""The kernels against the NumPy reference (tests/_reference.py), through the dispatch training runs.

Every mode trains whole jobs (several sentences, repeated words, windows cut by the sentence edges) with
``Worker.train_job``; only the noise words come from a fixed sequence instead of the alias table.
"""
import numpy as np
import pytest

from cw2v import vocab
from cw2v._kernels import Trainer, draw_noise, rng_stream

import _reference as ref

V, D = 12, 16

#: (sg, hs, negative, cbow_mean) for every objective and both CBOW hidden vectors
MODES = [(sg, hs, neg, mean) for sg in (1, 0) for hs, neg in ((0, 3), (1, 0), (1, 2)) for mean in (0, 1)
         if not (sg and mean == 0)]

#: the driver each setting runs (Trainer.driver)
DRIVERS = {(1, True, False): "sg-grouped", (1, True, True): "sg-window", (1, False, False): "sg-pairs",
           (1, False, True): "sg-pairs"}


def make_model(seed, sg, hs, negative, cbow_mean=1, scale=0.5, batched=True, window=3, size=D, pad=0,
               lockf=None):
    """A trainer over random weights (windows not shrunk, nothing subsampled) and its reference twin."""
    rng = np.random.default_rng(seed)
    counts = rng.integers(1, 1000, size=V)

    def matrix():
        values = (rng.standard_normal((V, size)) * scale).astype(np.float32)
        if not pad:
            return values
        out = np.full((V, size + pad), np.nan, dtype=np.float32)[:, :size]  # NaN padding must stay unread
        out[...] = values
        return out

    w_in = matrix()
    w_ns = matrix() if negative else None
    w_hs = matrix() if hs else None
    tables = vocab.build_tables(counts, 0.0, 0.75, negative, hs)
    trainer = Trainer(w_in, w_ns, w_hs, tables, sg=sg, hs=hs, negative=negative, window=window,
                      cbow_mean=cbow_mean, shrink_windows=0, batched=batched, lockf=lockf)
    twin = ref.Reference(w_in.copy(), None if w_ns is None else w_ns.copy(), None if w_hs is None else w_hs.copy(),
                         tables, sg=sg, hs=hs, negative=negative, window=window, cbow_mean=cbow_mean,
                         batched=batched, lockf=lockf)
    return trainer, twin, (w_in, w_ns, w_hs)


def random_job(rng, lengths=(9, 1, 2, 6)):
    """Sentences of the given lengths with repeated words (a word that is context and center at once)."""
    sentences = [rng.integers(0, V, size=n).astype(np.int32) for n in lengths]
    sentences[0][5] = sentences[0][2]
    ids = np.concatenate(sentences)
    ends = np.cumsum([len(s) for s in sentences]).astype(np.int64)
    return sentences, ids, ends


def assert_job_matches_reference(model, rng, negative, atol=1e-5, alpha=0.3):
    """One job through the training dispatch against the reference; noise words include the targets."""
    trainer, twin, arrays = model
    sentences, ids, ends = random_job(rng)
    noise = rng.integers(0, V, size=11).astype(np.uint32)
    noise[:3] = sentences[0][:3]  # noise words equal to center words: left out
    before = arrays[0].copy()
    eff, loss = trainer.worker().train_job(ids, ends, alpha, alpha, 7, 0, True, noise if negative else None)
    ref_eff, ref_loss = twin.train_job(sentences, alpha, noise if negative else (0,))
    assert eff == ref_eff == len(ids)
    assert not np.allclose(arrays[0], before)  # the job did something
    for got, want in zip(arrays, (twin.w_in, twin.w_ns, twin.w_hs)):
        if got is not None:
            np.testing.assert_allclose(got, want, atol=atol, rtol=0)
    assert loss == pytest.approx(ref_loss, rel=1e-4)


@pytest.mark.parametrize("batched", [False, True], ids=["per-pair", "batched"])
@pytest.mark.parametrize("sg,hs,negative,cbow_mean", MODES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_job_matches_reference(sg, hs, negative, cbow_mean, seed, batched):
    model = make_model(seed, sg, hs, negative, cbow_mean, batched=batched, window=1 + seed)
    assert model[0].driver == (DRIVERS[1, batched, bool(hs)] if sg else "cbow")
    assert_job_matches_reference(model, np.random.default_rng(100 + seed), negative)


@pytest.mark.parametrize("sg,hs,negative,cbow_mean", [m for m in MODES if m[0]] + [(0, 1, 2, 1)])
def test_lock_factors_scale_input_updates(sg, hs, negative, cbow_mean):
    lockf = np.linspace(0.0, 1.5, V).astype(np.float32)  # word 0 frozen
    model = make_model(4, sg, hs, negative, cbow_mean, lockf=lockf)
    w_in = model[2][0]
    frozen = w_in[0].copy()
    assert_job_matches_reference(model, np.random.default_rng(4), negative)
    np.testing.assert_array_equal(w_in[0], frozen)


def test_noise_sequence_is_checked():
    trainer, _, _ = make_model(0, 1, 0, 3)
    ids, ends = np.array([1, 2, 3], np.int32), np.array([3], np.int64)
    with pytest.raises(ValueError, match="outside the vocabulary"):
        trainer.worker().train_job(ids, ends, 0.1, 0.1, 1, 0, False, np.array([V], np.uint32))
    hs_only, _, _ = make_model(0, 1, 1, 0)
    with pytest.raises(ValueError, match="negative > 0"):
        hs_only.worker().train_job(ids, ends, 0.1, 0.1, 1, 0, False, np.array([1], np.uint32))


def test_saturated_scores_are_clipped_not_skipped():
    # huge weights push every score past the table edge: the clipped sigmoid still gives a gradient
    trainer, _, (w_in, w_ns, _) = make_model(3, 1, 0, 1, scale=10.0, window=1)
    w_ns[:] = -w_in[0] * 10  # the center's score is hugely negative, so sigmoid clips to 0 and g = alpha
    w_in[5] = 0  # the other prediction (word 5 predicting word 0) then moves no output row
    before, hidden, noise_before = w_ns[5].copy(), w_in[0].copy(), w_ns[7].copy()
    loss = trainer.worker().train_job(np.array([0, 5], np.int32), np.array([2], np.int64), 0.1, 0.1, 1, 0, True,
                                      np.array([7], np.uint32))[1]
    # word 0 predicting word 5: positive sigmoid clipped to 0, so g = (1 - 0) * alpha; noise word 7:
    # sigmoid 0, label 0, so g = 0
    np.testing.assert_allclose(w_ns[5], before + np.float32(0.1) * hidden, rtol=1e-6)
    np.testing.assert_array_equal(w_ns[7], noise_before)
    assert loss > 100  # -log sigmoid(score) with score << -6 is computed exactly, not from the table


def test_train_job_rejects_bad_indices_and_offsets():
    worker = make_model(0, 1, 0, 3)[0].worker()
    with pytest.raises(ValueError, match="outside"):
        worker.train_job(np.array([0, V], np.int32), np.array([2], np.int64), 0.025, 0.025, 1, 0)
    with pytest.raises(ValueError, match="sentence_ends"):
        worker.train_job(np.array([0, 1], np.int32), np.array([3], np.int64), 0.025, 0.025, 1, 0)
    with pytest.raises(ValueError, match="last sentence end"):
        worker.train_job(np.array([0, 1], np.int32), np.array([1], np.int64), 0.025, 0.025, 1, 0)


def test_train_job_is_deterministic_per_stream():
    results = []
    for _ in range(2):
        trainer, _, (w_in, w_ns, _) = make_model(5, 0, 0, 3)
        ids = np.random.default_rng(0).integers(0, V, size=300).astype(np.int32)
        worker = trainer.worker()
        eff, loss = worker.train_job(ids, np.array([100, 250, 300], np.int64), 0.05, 0.01, 7, 3, True)
        results.append((eff, loss, w_in.copy(), w_ns.copy()))
    assert results[0][0] == results[1][0] == 300  # sample=0 keeps everything
    assert results[0][1] == results[1][1] > 0
    np.testing.assert_array_equal(results[0][2], results[1][2])
    np.testing.assert_array_equal(results[0][3], results[1][3])


def test_subsampling_keeps_expected_fraction():
    counts = np.array([1000, 10, 10, 10])
    rng = np.random.default_rng(0)
    w_in = rng.standard_normal((4, 8)).astype(np.float32)
    w_ns = np.zeros((4, 8), np.float32)
    t = vocab.build_tables(counts, 1e-2, 0.75, 2, 0)
    trainer = Trainer(w_in, w_ns, None, t, sg=1, hs=0, negative=2, window=2)
    ids = np.zeros(100000, np.int32)  # all the frequent word
    eff, _ = trainer.worker().train_job(ids, np.array([100000], np.int64), 0.0, 0.0, 1, 0)
    p = vocab.keep_probabilities(counts, 1e-2)[0]
    assert abs(eff / 1e5 - p) < 5 * np.sqrt(p * (1 - p) / 1e5)


def test_alias_draws_follow_unigram_power():
    counts = np.array([500, 300, 100, 50, 25, 10, 10, 5])
    thr, idx = vocab.alias_table(counts ** 0.75)
    want = counts ** 0.75 / np.sum(counts ** 0.75)
    np.testing.assert_allclose(vocab.alias_distribution(thr, idx), want, atol=1e-9)
    draws = draw_noise(thr, idx, 3, 400000)
    freq = np.bincount(draws, minlength=len(counts)) / len(draws)
    np.testing.assert_allclose(freq, want, atol=4 * np.sqrt(want.max() / 400000))


def test_rng_streams_differ_and_repeat():
    a, b, c = rng_stream(1, 0, 1000), rng_stream(1, 0, 1000), rng_stream(1, 1, 1000)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    bits = np.unpackbits(a.view(np.uint8))
    assert abs(bits.mean() - 0.5) < 0.01


@pytest.mark.parametrize("batched", [False, True], ids=["per-pair", "batched"])
@pytest.mark.parametrize("sg,hs,negative,cbow_mean", MODES)
def test_padded_rows_train_like_contiguous_rows(sg, hs, negative, cbow_mean, batched):
    """Every row address honours the row stride: weights whose rows lie further apart (NaN between them)
    give bit-identical results, and the bytes between rows are never read nor written."""
    ids = np.random.default_rng(1).integers(0, V, size=400).astype(np.int32)
    ends = np.array([150, 151, 400], np.int64)
    results = []
    for pad in (0, 4, 16):
        trainer, _, arrays = make_model(3, sg, hs, negative, cbow_mean, batched=batched, window=5, pad=pad)
        eff, loss = trainer.worker().train_job(ids, ends, 0.05, 0.01, 7, 3, True)
        for a in arrays:
            if a is not None and pad:
                assert np.isnan(a.base[:, a.shape[1]:]).all()
        results.append((eff, loss, [None if a is None else np.ascontiguousarray(a) for a in arrays]))
    for eff, loss, arrays in results[1:]:
        assert (eff, loss) == results[0][:2]
        for a, b in zip(arrays, results[0][2]):
            if a is not None:
                assert np.isfinite(a).all()
                np.testing.assert_array_equal(a, b)


def test_a_worker_is_reused_across_jobs_and_sentence_lengths():
    """Scratch is allocated once per worker; the sentence buffer grows for a longer sentence."""
    trainer, twin, arrays = make_model(8, 1, 0, 3, window=4)
    worker = trainer.worker()
    rng = np.random.default_rng(8)
    noise = rng.integers(0, V, size=7).astype(np.uint32)
    for n in (3, 50, 7, 400):
        sent = rng.integers(0, V, size=n).astype(np.int32)
        worker.train_job(sent, np.array([n], np.int64), 0.02, 0.02, 1, n, False, noise)
        twin.train_job([sent], 0.02, noise)
    np.testing.assert_allclose(arrays[0], twin.w_in, atol=1e-4, rtol=0)
    np.testing.assert_allclose(arrays[1], twin.w_ns, atol=1e-4, rtol=0)


def test_weight_matrices_are_packed_and_aligned():
    """wv.vectors & co. are plain C-contiguous arrays (other libraries take them as they are), starting on a
    cache line."""
    from cw2v.word2vec import ROW_ALIGN, _weight_matrix
    for d in (100, 300, 16, 50, 8, 1):
        w = _weight_matrix(7, d)
        assert w.shape == (7, d) and w.dtype == np.float32 and not w.any()
        assert w.flags.c_contiguous and w.strides == (4 * d, 4) and w.ctypes.data % ROW_ALIGN == 0


def test_trainer_refuses_non_row_contiguous_weights():
    _, _, (w_in, w_ns, _) = make_model(0, 1, 0, 3)
    t = vocab.build_tables(np.arange(1, V + 1), 0.0, 0.75, 3, 0)
    with pytest.raises(TypeError, match="w_in must be a C-contiguous"):
        Trainer(np.asfortranarray(w_in), w_ns, None, t, sg=1, hs=0, negative=3, window=5)
    with pytest.raises(TypeError, match="w_out_ns must be a C-contiguous"):
        Trainer(w_in, w_ns[:, ::2], None, t, sg=1, hs=0, negative=3, window=5)
    with pytest.raises(TypeError):
        Trainer(w_in, w_ns, None, t, 1, 0, 3, 5)  # the settings are keyword-only


@pytest.mark.parametrize("sg,hs,negative,cbow_mean", MODES)
def test_nan_weights_stop_the_job_with_an_error_not_a_crash(sg, hs, negative, cbow_mean):
    """A NaN score (weights that overflowed, or set by hand) never indexes the sigmoid table (it crashed
    the process): the job stops and says training diverged."""
    trainer, _, (w_in, _, _) = make_model(2, sg, hs, negative, cbow_mean)
    w_in[:] = np.nan
    ids = np.random.default_rng(2).integers(0, V, size=50).astype(np.int32)
    with pytest.raises(FloatingPointError, match="training diverged"):
        trainer.worker().train_job(ids, np.array([50], np.int64), 0.1, 0.1, 1, 0, True)


def test_a_learning_rate_far_too_high_raises_instead_of_crashing():
    from cw2v import Word2Vec
    rng = np.random.default_rng(0)
    corpus = [[str(w) for w in rng.zipf(1.5, size=30) % 200] for _ in range(400)]
    with pytest.raises(FloatingPointError, match="lower alpha"):
        Word2Vec(corpus, vector_size=16, min_count=1, sg=1, alpha=50.0, epochs=3, workers=2)


@pytest.mark.parametrize("sg,hs,negative,cbow_mean", [(0, 0, 3, 1), (0, 1, 2, 0), (1, 0, 3, 1)])
def test_a_noise_word_drawn_twice_is_trained_twice_in_order(sg, hs, negative, cbow_mean):
    """One-row blocks take every score before any update, unless a noise word repeats: then its second
    score must read its first update (word2vec.c's order), as the reference does."""
    trainer, twin, arrays = make_model(9, sg, hs, negative, cbow_mean, batched=False)
    sentences, ids, ends = random_job(np.random.default_rng(9))
    noise = np.array([4, 4, 7, 4, 1, 1], np.uint32)  # repeats within one prediction's draw
    trainer.worker().train_job(ids, ends, 0.3, 0.3, 7, 0, True, noise)
    twin.train_job(sentences, 0.3, noise)
    for got, want in zip(arrays, (twin.w_in, twin.w_ns, twin.w_hs)):
        if got is not None:
            np.testing.assert_allclose(got, want, atol=1e-5, rtol=0)
