"""Per-thread replicas of the busiest hierarchical-softmax rows (``cw2v._kernels.Worker(hot_rows=...)``)."""
import threading

import numpy as np
import pytest

from cw2v import Word2Vec, vocab
from cw2v._kernels import Trainer

V, D = 300, 8


def make_trainer(sg, negative=0, seed=0):
    rng = np.random.default_rng(seed)
    counts = (100000 / np.arange(1, V + 1)).astype(np.int64) + 1  # Zipf: a deep, lopsided Huffman tree
    w_in = ((rng.random((V, D)) - 0.5) / D).astype(np.float32)
    w_ns = np.zeros((V, D), np.float32) if negative else None
    w_hs = (rng.standard_normal((V, D)) * 0.1).astype(np.float32)
    t = vocab.build_tables(counts, 0.0, 0.75, negative, 1)
    trainer = Trainer(w_in, w_ns, w_hs, t, sg=sg, hs=1, negative=negative, window=3)
    return trainer, w_in, w_hs


def make_job(seed, n_sentences, length=12):
    rng = np.random.default_rng(seed)
    ranks = np.minimum(rng.zipf(1.3, size=n_sentences * length), V) - 1
    ids = ranks.astype(np.int32)
    ends = np.arange(1, n_sentences + 1, dtype=np.int64) * length
    return ids, ends


def train(worker, job, stream):
    ids, ends = job
    return worker.train_job(ids, ends, 0.05, 0.05, 7, stream, False)


@pytest.mark.parametrize("sg,negative", [(0, 0), (1, 0), (0, 3)])
@pytest.mark.parametrize("n_rows,period", [(3, 10 ** 9), (100, 1), (299, 37), (10 ** 6, 5)])
def test_one_thread_with_a_replica_trains_as_without(sg, negative, n_rows, period):
    plain, in_a, hs_a = make_trainer(sg, negative)
    replicated, in_b, hs_b = make_trainer(sg, negative)
    hot = replicated.worker(n_rows, period)
    job = make_job(1, 40)
    train(plain.worker(), job, 0)
    train(hot, job, 0)
    hot.flush()
    assert hot.hot_rows == min(n_rows, V - 1)
    # the same arithmetic, except that each exchange rounds shared + (replica - snapshot)
    np.testing.assert_allclose(in_b, in_a, atol=2e-5, rtol=0)
    np.testing.assert_allclose(hs_b, hs_a, atol=2e-5, rtol=0)


def test_rows_stay_in_the_replica_until_exchanged():
    trainer, _, w_hs = make_trainer(0)
    before = w_hs.copy()
    hot = trainer.worker(50, 10 ** 9)
    train(hot, make_job(2, 30), 0)
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
    a, b = trainer.worker(40, 10 ** 9), trainer.worker(40, 10 ** 9)
    train(a, job1, 0)
    train(b, job2, 1)
    a.flush()
    b.flush()
    # expected: job1 alone; then job2 from that state but with syn1's hot rows as they were at the start
    ref, ref_in, ref_hs = make_trainer(0)
    train(ref.worker(), job1, 0)
    delta_a = ref_hs[hot_range] - init[hot_range]
    ref_hs[hot_range] = init[hot_range]
    train(ref.worker(), job2, 1)
    delta_b = ref_hs[hot_range] - init[hot_range]
    np.testing.assert_allclose(w_in, ref_in, atol=1e-6, rtol=0)
    np.testing.assert_allclose(w_hs[:hot_range.start], ref_hs[:hot_range.start], atol=1e-6, rtol=0)
    np.testing.assert_allclose(w_hs[hot_range], init[hot_range] + delta_a + delta_b, atol=1e-5, rtol=0)


@pytest.mark.parametrize("n_sentences,tier1_exchanged", [(9, True), (10, False)])
def test_exchange_tiers(n_sentences, tier1_exchanged):
    """Period 1 word: one exchange per sentence. The 64 busiest rows go at every exchange, the next 192 at
    every 4th, the rest (ranks 256-298) at every 16th; the i-th exchange is number i - 1."""
    trainer, _, w_hs = make_trainer(0)
    hot = trainer.worker(V, 1)
    train(hot, make_job(5, n_sentences, length=40), 0)
    assert hot.exchanges == n_sentences
    rep = hot.replica()  # row r holds syn1 row r (first == 0); rank 0, the root, is the last row
    shared = w_hs[:V - 1]
    tier0, tier1, tier2 = slice(V - 1 - 64, V - 1), slice(V - 1 - 256, V - 1 - 64), slice(0, V - 1 - 256)
    np.testing.assert_array_equal(shared[tier0], rep[tier0])
    assert np.array_equal(shared[tier1], rep[tier1]) == tier1_exchanged
    assert not np.array_equal(shared[tier2], rep[tier2])  # last exchanged at exchange 0


def test_worker_checks_its_replica_arguments():
    ns_only = Trainer(np.zeros((5, 4), np.float32), np.zeros((5, 4), np.float32), None,
                      vocab.build_tables(np.arange(1, 6), 0.0, 0.75, 2, 0), sg=1, hs=0, negative=2, window=2)
    with pytest.raises(ValueError, match="hierarchical softmax"):
        ns_only.worker(8)
    assert ns_only.worker().hot_rows == 0 and ns_only.worker().exchanges == 0
    trainer, _, _ = make_trainer(0)
    with pytest.raises(ValueError, match="hot_rows must be >= 0 and hot_period >= 1"):
        trainer.worker(-1, 5)
    with pytest.raises(ValueError, match="hot_rows must be >= 0 and hot_period >= 1"):
        trainer.worker(5, 0)


def test_two_threads_with_replicas_train_finite_vectors():
    trainer, w_in, w_hs = make_trainer(1)
    before = w_hs.copy()
    hots = [trainer.worker(128, 20), trainer.worker(128, 20)]
    jobs = [make_job(10 + k, 200) for k in range(8)]

    def work(t):
        for k in range(t, len(jobs), 2):
            train(hots[t], jobs[k], k)

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


def test_a_worker_refuses_a_second_thread():
    """Two threads sharing one Worker would share its scratch memory: the second is refused."""
    trainer, _, _ = make_trainer(0)
    worker = trainer.worker()
    big = make_job(20, 4000, length=50)
    errors, started = [], threading.Event()

    def first():
        started.set()
        train(worker, big, 0)

    t = threading.Thread(target=first)
    t.start()
    started.wait()
    for _ in range(2000):  # retry until the first job is inside the kernel
        try:
            train(worker, make_job(21, 1), 1)
        except RuntimeError as exc:
            errors.append(exc)
            break
    t.join()
    assert errors and "another thread" in str(errors[0])
