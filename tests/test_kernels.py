"""Each mode's single update against the NumPy reference (tests/_reference.py), with fixed noise words."""
import numpy as np
import pytest

from cw2v import vocab
from cw2v._kernels import Trainer, draw_noise, rng_stream

import _reference as ref

V, D = 12, 16


def make_model(seed, sg, hs, negative, cbow_mean=1, scale=0.5, batched=False):
    rng = np.random.default_rng(seed)
    counts = rng.integers(1, 1000, size=V)
    w_in = (rng.standard_normal((V, D)) * scale).astype(np.float32)
    w_ns = (rng.standard_normal((V, D)) * scale).astype(np.float32) if negative else None
    w_hs = (rng.standard_normal((V, D)) * scale).astype(np.float32) if hs else None
    tables = vocab.build_tables(counts, 0.0, 0.75, negative, hs)
    trainer = Trainer(w_in, w_ns, w_hs, tables.keep_threshold, tables.alias_threshold, tables.alias_index,
                      tables.codes, tables.points, tables.code_lens, sg, hs, negative, 5, cbow_mean, 1, batched)
    return trainer, w_in, w_ns, w_hs, tables


MODES = [(sg, hs, neg, mean) for sg in (1, 0) for hs, neg in ((0, 3), (1, 0), (1, 2)) for mean in (0, 1)
         if not (sg and mean == 0)]


REFERENCES = {(1, False): ref.sg_update, (0, False): ref.cbow_update,
              (1, True): ref.sg_block_update, (0, True): ref.cbow_block_update}


def assert_update_matches_reference(model, sg, negative, cbow_mean, batched, rng, atol=1e-5):
    """One ``debug_update`` of ``model`` (as made by make_model) against tests/_reference.py: four random
    context words, a random target, random noise words the first of which is the target (skipped)."""
    trainer, w_in, w_ns, w_hs, t = model
    n_words = w_in.shape[0]
    context = rng.choice(n_words, size=4, replace=False).astype(np.int32)
    target = int(rng.integers(n_words))
    negatives = rng.integers(0, n_words, size=negative).astype(np.uint32)
    if negative:
        negatives[0] = target  # a noise word equal to the target must be skipped
    ref_in, ref_ns = w_in.copy(), None if w_ns is None else w_ns.copy()
    ref_hs = None if w_hs is None else w_hs.copy()
    before = w_in.copy()
    loss = trainer.debug_update(context, target, negatives if negative else None, 0.3, True)
    kw = dict(w_out_ns=ref_ns, w_out_hs=ref_hs, negatives=[int(n) for n in negatives], codes=t.codes,
              points=t.points, code_lens=t.code_lens)
    if not sg:
        kw["cbow_mean"] = cbow_mean
    ref_loss = REFERENCES[sg, batched](ref_in, context, target, np.float32(0.3), **kw)
    assert not np.allclose(w_in, before)  # the update did something
    np.testing.assert_allclose(w_in, ref_in, atol=atol, rtol=0)
    if w_ns is not None:
        np.testing.assert_allclose(w_ns, ref_ns, atol=atol, rtol=0)
    if w_hs is not None:
        np.testing.assert_allclose(w_hs, ref_hs, atol=atol, rtol=0)
    assert loss == pytest.approx(ref_loss, rel=1e-3)


@pytest.mark.parametrize("batched", [False, True], ids=["per-pair", "batched"])
@pytest.mark.parametrize("sg,hs,negative,cbow_mean", MODES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_single_update_matches_reference(sg, hs, negative, cbow_mean, seed, batched):
    model = make_model(seed, sg, hs, negative, cbow_mean, batched=batched)
    assert_update_matches_reference(model, sg, negative, cbow_mean, batched, np.random.default_rng(100 + seed))


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_grouped_skipgram_block_matches_reference(seed):
    # the batched skip-gram + NS path trains consecutive center words as one block sharing noise words
    trainer, w_in, w_ns, _, _ = make_model(seed, 1, 0, 3, batched=True)
    rng = np.random.default_rng(200 + seed)
    sentence = rng.integers(0, V, size=9).astype(np.int32)
    sentence[5] = sentence[2]  # a word that is context in both windows (and repeats)
    first = 3
    windows = [(1, 7), (2, 9)] if seed % 2 else [(3, 5), (0, 6)]
    negatives = rng.integers(0, V, size=3).astype(np.uint32)
    negatives[0] = sentence[first]      # equal to the first center word: left out for its window only
    negatives[1] = sentence[first + 1]  # equal to the second
    ref_in, ref_ns = w_in.copy(), w_ns.copy()
    before = w_in.copy()
    lo = np.array([a for a, _ in windows], np.int64)
    hi = np.array([b for _, b in windows], np.int64)
    loss = trainer.debug_sg_group(sentence, first, lo, hi, negatives, 0.3)
    ref_loss = ref.sg_group_update(ref_in, ref_ns, sentence, first, windows, [int(n) for n in negatives],
                                   np.float32(0.3))
    assert not np.allclose(w_in, before)
    np.testing.assert_allclose(w_in, ref_in, atol=1e-5, rtol=0)
    np.testing.assert_allclose(w_ns, ref_ns, atol=1e-5, rtol=0)
    assert loss == pytest.approx(ref_loss, rel=1e-3)


def test_grouped_block_sizes_its_buffers_from_the_windows():
    # windows wider than the trainer's window setting (5) must not overrun the scratch buffers
    a, a_in, a_ns, _, _ = make_model(6, 1, 0, 3, batched=True)
    sentence = np.random.default_rng(6).integers(0, V, size=40).astype(np.int32)
    loss = a.debug_sg_group(sentence, 20, np.array([0, 0], np.int64), np.array([40, 40], np.int64),
                            np.array([1, 2, 3], np.uint32), 0.01)
    assert np.isfinite(loss) and loss > 0
    assert np.all(np.isfinite(a_in)) and np.all(np.isfinite(a_ns))
    with pytest.raises(ValueError, match="center word"):
        a.debug_sg_group(sentence, 20, np.array([21, 0], np.int64), np.array([30, 40], np.int64),
                         np.array([1, 2, 3], np.uint32), 0.01)


def test_grouped_block_of_one_window_is_the_window_block():
    # a group of one center word is exactly the single-window block update (same rows, same labels)
    a, a_in, a_ns, _, _ = make_model(4, 1, 0, 3, batched=True)
    b, b_in, b_ns, _, _ = make_model(4, 1, 0, 3, batched=True)
    sentence = np.array([1, 4, 7, 4, 9, 2], np.int32)
    negatives = np.array([7, 3, 11], np.uint32)
    la = a.debug_sg_group(sentence, 2, np.array([0], np.int64), np.array([6], np.int64), negatives, 0.2)
    context = np.array([1, 4, 4, 9, 2], np.int32)
    lb = b.debug_update(context, 7, negatives, 0.2, True)
    np.testing.assert_allclose(a_in, b_in, atol=1e-6, rtol=0)
    np.testing.assert_allclose(a_ns, b_ns, atol=1e-6, rtol=0)
    assert la == pytest.approx(lb, rel=1e-5)


def test_saturated_scores_are_clipped_not_skipped():
    # huge weights push every score past the table edge: the clipped sigmoid still gives a gradient
    trainer, w_in, w_ns, _, _ = make_model(3, 1, 0, 1, scale=10.0)
    w_ns[:] = -w_in[0] * 10  # target's score is hugely negative, so sigmoid clips to 0 and g = alpha
    before, hidden, noise_before = w_ns[5].copy(), w_in[0].copy(), w_ns[7].copy()
    loss = trainer.debug_update(np.array([0], np.int32), 5, np.array([7], np.uint32), 0.1, True)
    # positive: sigmoid clipped to 0, so g = (1 - 0) * alpha; noise word: sigmoid 0, label 0, so g = 0
    np.testing.assert_allclose(w_ns[5], before + np.float32(0.1) * hidden, rtol=1e-6)
    np.testing.assert_array_equal(w_ns[7], noise_before)
    assert loss > 100  # -log sigmoid(score) with score << -6 is computed exactly, not from the table


def test_train_job_rejects_bad_indices_and_offsets():
    trainer, *_ = make_model(0, 1, 0, 3)
    with pytest.raises(ValueError, match="outside"):
        trainer.train_job(np.array([0, V], np.int32), np.array([2], np.int64), 0.025, 0.025, 1, 0)
    with pytest.raises(ValueError, match="sentence_ends"):
        trainer.train_job(np.array([0, 1], np.int32), np.array([3], np.int64), 0.025, 0.025, 1, 0)
    with pytest.raises(ValueError, match="last sentence end"):
        trainer.train_job(np.array([0, 1], np.int32), np.array([1], np.int64), 0.025, 0.025, 1, 0)


def test_train_job_is_deterministic_per_stream():
    results = []
    for _ in range(2):
        trainer, w_in, w_ns, _, _ = make_model(5, 0, 0, 3)
        ids = np.random.default_rng(0).integers(0, V, size=300).astype(np.int32)
        eff, loss = trainer.train_job(ids, np.array([100, 250, 300], np.int64), 0.05, 0.01, 7, 3, True)
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
    trainer = Trainer(w_in, w_ns, None, t.keep_threshold, t.alias_threshold, t.alias_index, t.codes, t.points,
                      t.code_lens, 1, 0, 2, 2, 1, 1)
    ids = np.zeros(100000, np.int32)  # all the frequent word
    eff, _ = trainer.train_job(ids, np.array([100000], np.int64), 0.0, 0.0, 1, 0)
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


def _padded_copy(a, pad):
    """``a`` copied into a buffer whose rows are ``pad`` floats apart (a non-contiguous view)."""
    out = np.full((a.shape[0], a.shape[1] + pad), np.nan, dtype=np.float32)[:, :a.shape[1]]
    out[...] = a
    return out


@pytest.mark.parametrize("batched", [False, True], ids=["per-pair", "batched"])
@pytest.mark.parametrize("sg,hs,negative,cbow_mean", MODES)
def test_padded_rows_train_like_contiguous_rows(sg, hs, negative, cbow_mean, batched):
    """Every row address honours the row stride: padded and contiguous weights give identical results,
    and the padding (NaN here) is never read into the vectors nor written."""
    _, w_in, w_ns, w_hs, t = make_model(3, sg, hs, negative, cbow_mean)
    ids = np.random.default_rng(1).integers(0, V, size=400).astype(np.int32)
    ends = np.array([150, 151, 400], np.int64)
    results = []
    for pad in (0, 4, 16):
        arrays = [None if a is None else (_padded_copy(a, pad) if pad else a.copy()) for a in (w_in, w_ns, w_hs)]
        trainer = Trainer(*arrays, t.keep_threshold, t.alias_threshold, t.alias_index, t.codes, t.points,
                          t.code_lens, sg, hs, negative, 5, cbow_mean, 1, batched)
        eff, loss = trainer.train_job(ids, ends, 0.05, 0.01, 7, 3, True)
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


def test_weight_matrices_are_packed_and_aligned():
    """wv.vectors & co. are plain C-contiguous arrays (other libraries take them as they are), starting on a
    cache line."""
    from cw2v.word2vec import ROW_ALIGN, _weight_matrix
    for d in (100, 300, 16, 50, 8, 1):
        w = _weight_matrix(7, d)
        assert w.shape == (7, d) and w.dtype == np.float32 and not w.any()
        assert w.flags.c_contiguous and w.strides == (4 * d, 4) and w.ctypes.data % ROW_ALIGN == 0


def test_trainer_refuses_non_row_contiguous_weights():
    _, w_in, w_ns, _, t = make_model(0, 1, 0, 3)
    with pytest.raises(TypeError, match="w_in must be a C-contiguous"):
        Trainer(np.asfortranarray(w_in), w_ns, None, t.keep_threshold, t.alias_threshold, t.alias_index,
                t.codes, t.points, t.code_lens, 1, 0, 3, 5, 1, 1, True)
    with pytest.raises(TypeError, match="w_out_ns must be a C-contiguous"):
        Trainer(w_in, w_ns[:, ::2], None, t.keep_threshold, t.alias_threshold, t.alias_index,
                t.codes, t.points, t.code_lens, 1, 0, 3, 5, 1, 1, True)
