"""Per-thread replicas of the busiest hierarchical-softmax rows (cw2v._kernels.HotNodes)."""
import threading

import numpy as np
import pytest

from cw2v import Word2Vec, vocab
from cw2v._kernels import HotNodes, Trainer

V, D = 300, 8


def make_trainer(sg, negative=0, seed=0):
    rng = np.random.default_rng(seed)
    counts = (100000 / np.arange(1, V + 1)).astype(np.int64) + 1  # Zipf: a deep, lopsided Huffman tree
    w_in = ((rng.random((V, D)) - 0.5) / D).astype(np.float32)
    w_ns = np.zeros((V, D), np.float32) if negative else None
    w_hs = (rng.standard_normal((V, D)) * 0.1).astype(np.float32)
    t = vocab.build_tables(counts, 0.0, 0.75, negative, 1)
    trainer = Trainer(w_in, w_ns, w_hs, t.keep_threshold, t.alias_threshold, t.alias_index, t.codes, t.points,
                      t.code_lens, sg, 1, negative, 3, 1, 1, True)
    return trainer, w_in, w_hs


def make_job(seed, n_sentences, length=12):
    rng = np.random.default_rng(seed)
    ranks = np.minimum(rng.zipf(1.3, size=n_sentences * length), V) - 1
    ids = ranks.astype(np.int32)
    ends = np.arange(1, n_sentences + 1, dtype=np.int64) * length
    return ids, ends


def train(trainer, job, stream, hot=None):
    ids, ends = job
    return trainer.train_job(ids, ends, 0.05, 0.05, 7, stream, False, hot)


@pytest.mark.parametrize("sg,negative", [(0, 0), (1, 0), (0, 3)])
@pytest.mark.parametrize("n_rows,period", [(3, 10 ** 9), (100, 1), (299, 37), (10 ** 6, 5)])
def test_one_thread_with_a_replica_trains_as_without(sg, negative, n_rows, period):
    plain, in_a, hs_a = make_trainer(sg, negative)
    replicated, in_b, hs_b = make_trainer(sg, negative)
    hot = HotNodes(replicated, n_rows, period)
    job = make_job(1, 40)
    train(plain, job, 0)
    train(replicated, job, 0, hot)
    hot.flush()
    assert hot.n_rows == min(n_rows, V - 1) and hot.first == V - 1 - hot.n_rows
    # the same arithmetic, except that each exchange rounds shared + (replica - snapshot)
    np.testing.assert_allclose(in_b, in_a, atol=2e-5, rtol=0)
    np.testing.assert_allclose(hs_b, hs_a, atol=2e-5, rtol=0)


def test_rows_stay_in_the_replica_until_exchanged():
    trainer, _, w_hs = make_trainer(0)
    before = w_hs.copy()
    hot = HotNodes(trainer, 50, 10 ** 9)
    train(trainer, make_job(2, 30), 0, hot)
    assert hot.exchanges == 0
    np.testing.assert_array_equal(w_hs[V - 51:V - 1], before[V - 51:V - 1])  # syn1's hot rows untouched...
    assert not np.allclose(hot.replica(), before[V - 51:V - 1])  # ...the replica took the updates
    assert not np.allclose(w_hs[:V - 51], before[:V - 51])  # the other rows are trained in place
    hot.flush()
    np.testing.assert_array_equal(w_hs[V - 51:V - 1], hot.replica())


def test_two_replicas_add_their_updates():
    """Replicas made from the same state, used one after the other, then flushed: syn1's hot rows get
    the sum of both threads' updates, as two threads updating shared rows would give."""
    job1, job2 = make_job(3, 25), make_job(4, 25)
    hot_range = slice(V - 1 - 40, V - 1)
    trainer, w_in, w_hs = make_trainer(0)
    init = w_hs.copy()
    a, b = HotNodes(trainer, 40, 10 ** 9), HotNodes(trainer, 40, 10 ** 9)
    train(trainer, job1, 0, a)
    train(trainer, job2, 1, b)
    a.flush()
    b.flush()
    # expected: job1 alone; then job2 from that state but with syn1's hot rows as they were at the start
    ref, ref_in, ref_hs = make_trainer(0)
    train(ref, job1, 0)
    delta_a = ref_hs[hot_range] - init[hot_range]
    ref_hs[hot_range] = init[hot_range]
    train(ref, job2, 1)
    delta_b = ref_hs[hot_range] - init[hot_range]
    np.testing.assert_allclose(w_in, ref_in, atol=1e-6, rtol=0)
    np.testing.assert_allclose(w_hs[:hot_range.start], ref_hs[:hot_range.start], atol=1e-6, rtol=0)
    np.testing.assert_allclose(w_hs[hot_range], init[hot_range] + delta_a + delta_b, atol=1e-5, rtol=0)


@pytest.mark.parametrize("n_sentences,tier1_exchanged", [(9, True), (10, False)])
def test_exchange_tiers(n_sentences, tier1_exchanged):
    """Period 1 word: one exchange per sentence. The 64 busiest rows go at every exchange, the next 192 at
    every 4th, the rest (ranks 256-298) at every 16th; the i-th exchange is number i - 1."""
    trainer, _, w_hs = make_trainer(0)
    hot = HotNodes(trainer, V, 1)
    train(trainer, make_job(5, n_sentences, length=40), 0, hot)
    assert hot.exchanges == n_sentences
    rep = hot.replica()  # row r holds syn1 row r (first == 0); rank 0, the root, is the last row
    shared = w_hs[:V - 1]
    tier0, tier1, tier2 = slice(V - 1 - 64, V - 1), slice(V - 1 - 256, V - 1 - 64), slice(0, V - 1 - 256)
    np.testing.assert_array_equal(shared[tier0], rep[tier0])
    assert np.array_equal(shared[tier1], rep[tier1]) == tier1_exchanged
    assert not np.array_equal(shared[tier2], rep[tier2])  # last exchanged at exchange 0


def test_hot_nodes_checks_its_arguments():
    ns_only = Trainer(np.zeros((5, 4), np.float32), np.zeros((5, 4), np.float32), None,
                      np.full(5, 2 ** 32, np.uint64), np.full(5, 2 ** 32, np.uint64), np.zeros(5, np.uint32),
                      None, None, None, 1, 0, 2, 2, 1, 1, True)
    with pytest.raises(ValueError, match="hierarchical softmax"):
        HotNodes(ns_only)
    trainer, _, _ = make_trainer(0)
    with pytest.raises(ValueError, match="n_rows and period"):
        HotNodes(trainer, 0, 5)
    with pytest.raises(ValueError, match="n_rows and period"):
        HotNodes(trainer, 5, 0)
    other, _, _ = make_trainer(1)
    with pytest.raises(ValueError, match="another Trainer"):
        train(trainer, make_job(6, 2), 0, HotNodes(other))


def test_two_threads_with_replicas_train_finite_vectors():
    trainer, w_in, w_hs = make_trainer(1)
    before = w_hs.copy()
    hots = [HotNodes(trainer, 128, 20), HotNodes(trainer, 128, 20)]
    jobs = [make_job(10 + k, 200) for k in range(8)]

    def work(t):
        for k in range(t, len(jobs), 2):
            train(trainer, jobs[k], k, hots[t])

    threads = [threading.Thread(target=work, args=(t,)) for t in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for h in hots:
        h.flush()
    assert np.isfinite(w_in).all() and np.isfinite(w_hs).all()
    assert not np.allclose(w_hs[-2], before[-2])  # the root moved
    assert all(h.exchanges > 0 for h in hots)


@pytest.mark.parametrize("sg", [0, 1])
def test_word2vec_flushes_the_replicas(sg):
    """With hs and two workers, a corpus shorter than one exchange period reaches syn1 only through the
    flush after the epoch: the root row (zeros at the start) must have moved."""
    sentences = [["w%d" % (i % 17), "w%d" % (i % 5), "w%d" % (i % 3), "w%d" % (i % 11)] for i in range(60)]
    model = Word2Vec(sentences, vector_size=8, min_count=1, hs=1, negative=0, sg=sg, workers=2, epochs=1,
                     seed=3, sample=0)
    assert np.abs(model.syn1[len(model.wv) - 2]).sum() > 0
    assert np.isfinite(model.wv.vectors).all()
