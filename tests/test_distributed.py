"""cw2v.distributed on a real Dask cluster (LocalCluster, 2 worker processes): vocabulary equal to one machine's,
determinism whatever the placement, a worker killed mid-round, checkpoints and resume, errors."""
import gzip
import os
import warnings

import numpy as np
import pytest

distributed = pytest.importorskip("distributed", reason="cw2v.distributed needs Dask: pip install 'cw2v[dask]'")

import cw2v.distributed as cd  # noqa: E402
from cw2v import Word2Vec  # noqa: E402

PARAMS = dict(vector_size=24, window=4, min_count=3, sg=1, negative=4, epochs=2, seed=5, workers=1)


@pytest.fixture(scope="module")
def cluster():
    cl = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
    client = distributed.Client(cl)
    yield cl, client
    # Teardown only: LocalCluster.close() has raised KeyError from a worker-status race inside distributed
    # while its workers shut down (seen once); every test has run by then, so such an error would only make
    # CI flaky without saying anything about cw2v.
    for close in (client.close, cl.close):
        try:
            close()
        except Exception as exc:  # noqa: BLE001 -- see above
            warnings.warn("closing the test cluster: %r" % (exc,), RuntimeWarning, stacklevel=1)


@pytest.fixture(scope="module")
def client(cluster):
    return cluster[1]


@pytest.fixture(scope="module")
def lines(demo_corpus_path):
    with gzip.open(demo_corpus_path, "rt", encoding="utf-8") as f:
        return [next(f) for _ in range(1800)]


@pytest.fixture(scope="module")
def corpus_file(tmp_path_factory, lines):
    """About 600 KB of text in one file."""
    path = tmp_path_factory.mktemp("corpus") / "corpus.txt"
    path.write_text("".join(lines), encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def corpus_parts(tmp_path_factory, lines):
    """The same lines in three files (the second gzipped, the third without a final newline), and their
    concatenation with a newline after each file."""
    folder = tmp_path_factory.mktemp("parts")
    a, b, c = lines[:700], lines[700:1100], lines[1100:]
    (folder / "part-0.txt").write_text("".join(a), encoding="utf-8")
    with gzip.open(folder / "part-1.txt.gz", "wt", encoding="utf-8") as f:
        f.write("".join(b))
    (folder / "part-2.txt").write_text("".join(c).rstrip("\n"), encoding="utf-8")
    concat = folder / "concat.txt"
    concat.write_text("".join(lines), encoding="utf-8")
    return str(folder / "part-*"), str(concat)


def _digest(model):
    return [model.wv.vectors.copy(), model.syn1neg.copy(), model.syn1.copy()]


def _same(a, b):
    return all(np.array_equal(x, y) for x, y in zip(_digest(a), _digest(b)))


def _train(client, path, blocksize=150_000, n_workers=2, syncs=3, job_bytes=16_384, **kwargs):
    params = dict(PARAMS)
    params.update({k: kwargs.pop(k) for k in list(kwargs) if k in ("sg", "hs", "negative", "epochs", "seed")})
    model = Word2Vec(**params)
    cd.build_vocab(model, path, client, blocksize=blocksize, timeout=60)
    stats = cd.train(model, path, client, blocksize=blocksize, n_workers=n_workers, syncs_per_epoch=syncs,
                     job_bytes=job_bytes, timeout=60, **kwargs)
    return model, stats


# ------------------------------------------------------------------------------------------- vocabulary

@pytest.mark.parametrize("n_workers", [1, 2, 3])
def test_vocabulary_equals_single_machine(cluster, corpus_parts, n_workers):
    cl, client = cluster
    pattern, concat = corpus_parts
    ref = Word2Vec(min_count=1, workers=1)
    ref.build_vocab(corpus_file=concat, keep_raw_vocab=True)
    try:
        cl.scale(n_workers)
        client.wait_for_workers(n_workers, timeout=30)
        for blocksize in (2_000, 50_000, "64 MiB"):
            model = Word2Vec(min_count=1, workers=1)
            cd.build_vocab(model, pattern, client, blocksize=blocksize, keep_raw_vocab=True, timeout=60)
            # every word and count, in order of first occurrence (which orders ties in index_to_key)
            assert list(model.raw_vocab.items()) == list(ref.raw_vocab.items()), blocksize
            assert model.wv.index_to_key == ref.wv.index_to_key
            assert np.array_equal(model.wv.expandos["count"], ref.wv.expandos["count"])
            assert (model.corpus_count, model.corpus_total_words) == (ref.corpus_count, ref.corpus_total_words)
    finally:
        cl.scale(2)
        client.wait_for_workers(2, timeout=30)
    # ties exist, so the first-occurrence order is really checked
    counts = list(ref.wv.expandos["count"])
    assert len(counts) - len(set(counts)) > 1000


def test_count_ranges_cut_lines_as_dask_read_bytes(tmp_path):
    """A vocabulary task's range holds the lines Dask's read_block gives for it: each line once, none cut."""
    import io

    from fsspec.utils import read_block
    from hypothesis import given, settings, strategies as st

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.sampled_from([b"a", b"bb", b" ", b"\n", b"\r", b"\r\n", b"\xc3\xa9"]), max_size=60),
           st.lists(st.integers(0, 200), max_size=6), st.integers(1, 9))
    def check(parts, cuts, chunk):
        data = b"".join(parts)
        bounds = sorted({c for c in cuts if 0 < c < len(data)})
        starts, ends = [0] + bounds, bounds + [None]
        pieces = []
        for start, end in zip(starts, ends):
            got = [bytes(p) for p in cd._line_range(io.BytesIO(data), start, end, chunk)]  # views of one buffer
            length = (len(data) if end is None else end) - start
            assert b"".join(got) == read_block(io.BytesIO(data), start, length, delimiter=b"\n")
            # pieces end at a line end, except the file's last line
            assert all(p.endswith((b"\n", b"\r")) for p in got[:-1])
            pieces.extend(got)
        assert b"".join(pieces) == data

    check()
    big = tmp_path / "big.txt"
    big.write_bytes(b"".join(b"line %d of words\n" % i for i in range(20_000)))
    corpus = cd.Corpus(str(big), blocksize=50_000)
    assert len(corpus._count_ranges) == corpus.n_blocks == big.stat().st_size // 50_000
    with open(big, "rb") as f:
        assert b"".join(b"".join(bytes(p) for p in cd._line_range(f, s, e, 4096)) for _, s, e in corpus._count_ranges) \
            == big.read_bytes()


def test_split_ranges_cuts_evenly_and_keeps_every_byte():
    from hypothesis import given, settings, strategies as st

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.one_of(st.none(), st.integers(1, 10_000)), min_size=1, max_size=4), st.integers(1, 9),
           st.integers(1, 3000), st.integers(1, 3))
    def check(sizes, n_tasks, min_bytes, per_file):
        ranges = []
        for i, size in enumerate(sizes):  # as Corpus builds them: a compressed file is one range
            k = 1 if size is None else min(per_file, size)
            starts = [size * m // k for m in range(k)] if k > 1 else [0]
            ranges.extend((i, a, b) for a, b in zip(starts, starts[1:] + [None]))
        out = cd._split_ranges(ranges, sizes, n_tasks, min_bytes)
        assert len(ranges) <= len(out) <= max(n_tasks, len(ranges))
        for i, size in enumerate(sizes):  # each file still covered once, in order, from 0 to its end
            mine = [(a, b) for j, a, b in out if j == i]
            if size is None:
                assert mine == [(0, None)]
                continue
            bounds = [a for a, _ in mine] + [size]
            assert bounds[0] == 0 and all(x < y for x, y in zip(bounds, bounds[1:]))
            assert mine[-1][1] is None and all(b == a2 for (_, b), (a2, _) in zip(mine, mine[1:]))
            if len(mine) > len([r for r in ranges if r[0] == i]):  # cut further: no part below min_bytes
                assert min(y - x for x, y in zip(bounds, bounds[1:])) >= min_bytes
        if len(out) < n_tasks:  # stopped early: one more cut would give a part below min_bytes somewhere
            assert all(((sizes[i] if b is None else b) - a) // 2 < min_bytes
                       for i, a, b in out if sizes[i] is not None)

    check()


def test_vocabulary_of_a_small_file_is_cut_for_every_thread(client, corpus_file, monkeypatch):
    """A file smaller than blocksize is one block; it is cut in two for the cluster's 2 threads, same counts."""
    ref = Word2Vec(min_count=1, workers=1)
    ref.build_vocab(corpus_file=corpus_file, keep_raw_vocab=True)
    corpus = cd.Corpus(corpus_file, blocksize="64 MiB")
    monkeypatch.setattr(cd, "COUNT_MIN_SPLIT_BYTES", 100_000)
    assert corpus.n_blocks == 1 and len(cd._split_ranges(corpus._count_ranges, corpus._sizes, 2, 100_000)) == 2
    counts, total, sentences = cd.count_words(corpus, client, timeout=60)
    assert list(counts.items()) == list(ref.raw_vocab.items())
    assert (total, sentences) == (ref.corpus_total_words, ref.corpus_count)


def test_vocabulary_with_min_count_and_max_final_vocab(client, corpus_file):
    ref = Word2Vec(min_count=2, max_final_vocab=500, workers=1)
    ref.build_vocab(corpus_file=corpus_file)
    model = Word2Vec(min_count=2, max_final_vocab=500, workers=1)
    cd.build_vocab(model, corpus_file, client, blocksize=10_000, timeout=60)
    assert model.wv.index_to_key == ref.wv.index_to_key and len(model.wv) <= 500
    assert np.array_equal(model.wv.vectors, ref.wv.vectors)  # same initial weights too
    assert cd.Corpus(corpus_file, blocksize=10_000).n_blocks > 50


# ------------------------------------------------------------------------------------------- training

@pytest.mark.parametrize("mode", [dict(sg=1, hs=0, negative=4), dict(sg=0, hs=1, negative=0)])
def test_one_replica_equals_single_machine_training(client, corpus_file, mode):
    """N=1 over a file read as one block: the jobs, random streams and learning rates of plain cw2v."""
    params = dict(PARAMS, **mode)
    ref = Word2Vec(corpus_file=corpus_file, compute_loss=True, **params)
    model, stats = _train(client, corpus_file, blocksize="64 MiB", n_workers=1, syncs=3, job_bytes=None,
                          compute_loss=True, **mode)
    assert _same(model, ref)
    assert model.epoch_losses == pytest.approx(ref.epoch_losses, rel=1e-9)
    assert stats.raw_words == 2 * ref.corpus_total_words
    assert model._epochs_done == ref._epochs_done == 2


def test_same_seed_same_model_whatever_the_placement(client, corpus_parts):
    pattern, _ = corpus_parts
    a, stats_a = _train(client, pattern, n_workers=2)
    b, _ = _train(client, pattern, n_workers=2)
    assert _same(a, b)
    # the same replicas on a cluster of one in-process worker: other placement, same model
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=":0") as cl, distributed.Client(cl) as other:
        c, _ = _train(other, pattern, n_workers=2)
    assert _same(a, c)
    # averaging happened: another number of replicas or seed gives another model
    d, _ = _train(client, pattern, n_workers=3)
    e, _ = _train(client, pattern, n_workers=2, seed=6)
    assert not np.array_equal(a.wv.vectors, d.wv.vectors) and not np.array_equal(a.wv.vectors, e.wv.vectors)
    # what moved per round: the weights once, and at most the dense changed matrices per replica
    assert stats_a.rounds == 6 and stats_a.bytes_down == 6 * stats_a.dense_bytes
    assert 0.3 < stats_a.max_up_ratio <= 1 + 1 / (32 * PARAMS["vector_size"])
    assert stats_a.bytes_up <= 2 * 6 * stats_a.dense_bytes * stats_a.max_up_ratio


def test_quality_close_to_single_machine(client, corpus_file):
    """Two replicas learn what one machine learns: their neighbours of frequent words overlap one machine's about
    as much as another seed's do, far more than chance."""
    params = dict(PARAMS, epochs=3, min_count=5)
    ref = Word2Vec(corpus_file=corpus_file, **params)
    other_seed = Word2Vec(corpus_file=corpus_file, **dict(params, seed=9))
    model = Word2Vec(**params)
    cd.build_vocab(model, corpus_file, client, blocksize=200_000, timeout=60)
    cd.train(model, corpus_file, client, blocksize=200_000, n_workers=2, syncs_per_epoch=4, job_bytes=16_384,
             timeout=60)
    untrained = Word2Vec(**params)
    untrained.build_vocab(corpus_file=corpus_file)
    words = ref.wv.index_to_key[20:60]

    def overlap(a):
        return np.mean([len({w for w, _ in a.wv.most_similar(x, topn=10)}
                            & {w for w, _ in ref.wv.most_similar(x, topn=10)}) / 10 for x in words])
    seeds, distributed_, chance = overlap(other_seed), overlap(model), overlap(untrained)
    assert distributed_ >= 0.5 * seeds and distributed_ > chance + 0.1, (distributed_, seeds, chance)


def test_hot_rows_are_synced_more_often(client, corpus_file):
    a, stats = _train(client, corpus_file, hot_rows=64, hot_syncs=3)
    b, _ = _train(client, corpus_file, hot_rows=64, hot_syncs=3)
    plain, _ = _train(client, corpus_file)
    assert _same(a, b)
    assert stats.bytes_hot > 0
    assert not np.array_equal(a.wv.vectors[:64], plain.wv.vectors[:64])


def test_learning_rate_scale(client, corpus_file):
    """Replicas train at alpha_scale x the single-machine rate: 'auto' is N (capped at a starting rate of 0.1), and
    an explicit scale changes the model."""
    assert cd.auto_alpha_scale(1, 0.025) == 1 and cd.auto_alpha_scale(2, 0.025) == 2
    assert cd.auto_alpha_scale(8, 0.025) == 4 and cd.auto_alpha_scale(8, 0.2) == 1
    assert [cd.auto_syncs_per_epoch(n) for n in (1, 2, 3, 8, 64)] == [4, 8, 12, 16, 16]
    auto, stats = _train(client, corpus_file, epochs=1)
    two, _ = _train(client, corpus_file, epochs=1, alpha_scale=2.0)
    one, stats_one = _train(client, corpus_file, epochs=1, alpha_scale=1)
    assert stats.alpha_scale == 2.0 and stats_one.alpha_scale == 1.0
    assert _same(auto, two) and not np.array_equal(auto.wv.vectors, one.wv.vectors)
    # the replicas moved further at the higher rate
    start = Word2Vec(**dict(PARAMS, epochs=1))
    cd.build_vocab(start, corpus_file, client, timeout=60)
    assert np.linalg.norm(auto.syn1neg) > 1.2 * np.linalg.norm(one.syn1neg) > 0 == np.linalg.norm(start.syn1neg)
    with pytest.raises(ValueError, match="alpha_scale"):
        _train(client, corpus_file, alpha_scale=0)


def _kill_once(marker, epoch, rnd):
    """Runs in a worker: its next task of (epoch, round) kills the worker's process, once across the cluster."""
    def install():
        import cw2v.distributed as mod
        original = mod._train_step

        def killer(start, hot_avg, static, jobs, info, part, parts, base):
            first = jobs[0] if jobs else None  # (number, position, length, ...); 3 rounds per epoch
            if info["epoch"] == epoch and first and (first[1] + first[2] // 2) * 3 // info["total_bytes"] == rnd:
                try:
                    fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
                except FileExistsError:
                    pass
                else:
                    os.close(fd)
                    os._exit(1)  # the worker process dies mid-round; the nanny starts a new one
            return original(start, hot_avg, static, jobs, info, part, parts, base)
        mod._train_step = killer
    return install


def test_worker_killed_mid_round_gives_the_same_model(client, corpus_file, tmp_path):
    reference, _ = _train(client, corpus_file, n_workers=2)
    marker = str(tmp_path / "killed")
    client.run(_kill_once(marker, epoch=1, rnd=1))
    before = set(client.nthreads())
    model, stats = _train(client, corpus_file, n_workers=2)
    assert os.path.exists(marker), "no worker was killed"
    assert set(client.nthreads()) != before  # a new worker process replaced the killed one
    assert _same(model, reference)
    # the cluster back to 2 workers for the tests after this one (the surviving worker's hook is inert: the
    # marker exists); the nanny's new process imports numpy, scipy and cw2v, which took over 30 s when the
    # whole suite ran in one pytest call on 2 busy cores
    client.wait_for_workers(2, timeout=180)


def test_round_resubmitted_after_killed_worker(tmp_path, corpus_file):
    """With no failure allowed by the scheduler, Dask gives up on the task (KilledWorker): the round is
    resubmitted from the client's weights, and the model is still the fault-free one."""
    import dask
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                      dashboard_address=":0") as cl, distributed.Client(cl) as client:
            reference, _ = _train(client, corpus_file, n_workers=2, epochs=1)
            marker = str(tmp_path / "killed")
            client.run(_kill_once(marker, epoch=0, rnd=2))
            model, stats = _train(client, corpus_file, n_workers=2, epochs=1)
    assert os.path.exists(marker)
    assert stats.retries == 1
    assert _same(model, reference)


# ------------------------------------------------------------------------------------------- checkpoints

class _StopAfter:
    def __init__(self, epochs):
        self.epochs, self.seen = epochs, 0

    def on_epoch_end(self, model):
        self.seen += 1
        if self.seen == self.epochs:
            model.stop_training = True


def test_checkpoint_and_resume_give_the_uninterrupted_model(client, corpus_file, tmp_path):
    full, full_stats = _train(client, corpus_file, epochs=3, compute_loss=True)
    ckpt = tmp_path / "ckpt.cw2v"
    part, _ = _train(client, corpus_file, epochs=3, compute_loss=True, checkpoint=ckpt,
                     callbacks=[_StopAfter(2)])
    assert part._epochs_done == 2 and not _same(part, full)
    assert os.listdir(tmp_path) == ["ckpt.cw2v"]  # no temporary file left beside it
    saved = Word2Vec.load(ckpt)  # a checkpoint is a plain model file
    assert np.array_equal(saved.wv.vectors, part.wv.vectors)
    model, stats = cd.resume(ckpt, corpus_file, client, blocksize=150_000)
    assert _same(model, full)
    assert model.epoch_losses == pytest.approx(full.epoch_losses, rel=1e-12)
    assert (stats.epochs, stats.raw_words) == (3, full_stats.raw_words)
    assert not hasattr(model, cd.CHECKPOINT_ATTR)
    # the last checkpoint holds the finished model; resuming it trains nothing more
    done, done_stats = cd.resume(ckpt, corpus_file, client, blocksize=150_000)
    assert _same(done, full) and done_stats.rounds == 3 * 3
    with pytest.raises(ValueError, match="corpus differs"):
        cd.resume(ckpt, corpus_file, client, blocksize=100_000)
    plain = tmp_path / "plain.cw2v"
    full.save(plain)
    with pytest.raises(ValueError, match="not a cw2v.distributed checkpoint"):
        cd.resume(plain, corpus_file, client)


def test_result_is_a_plain_model(client, corpus_file, tmp_path):
    model, _ = _train(client, corpus_file)
    assert type(model) is Word2Vec
    model.save(tmp_path / "m.cw2v")
    loaded = Word2Vec.load(tmp_path / "m.cw2v")
    assert _same(loaded, model)
    word = model.wv.index_to_key[10]
    assert loaded.wv.most_similar(word, topn=3) == model.wv.most_similar(word, topn=3)
    before = loaded.wv.vectors.copy()
    loaded.train(corpus_file=corpus_file, total_words=loaded.corpus_total_words, epochs=1)  # on one machine
    assert not np.array_equal(before, loaded.wv.vectors)
    # and it keeps training on the cluster
    cd.train(model, corpus_file, client, epochs=1, blocksize=150_000, n_workers=2, job_bytes=16_384, timeout=60)
    assert model._epochs_done == 3


# ------------------------------------------------------------------------------------------- errors

def test_missing_files_fail_before_any_work(tmp_path, corpus_file):
    with pytest.raises(FileNotFoundError, match="nope.txt"):
        cd.Corpus([corpus_file, str(tmp_path / "nope.txt")])
    with pytest.raises(FileNotFoundError, match="glob matching no file"):
        cd.Corpus(str(tmp_path / "none-*.txt"))
    with pytest.raises(IsADirectoryError, match="glob"):
        cd.Corpus(str(tmp_path))
    with pytest.raises(ValueError, match="empty list"):
        cd.Corpus([])
    with pytest.raises(TypeError):
        cd.Corpus(42)
    with pytest.raises(ValueError, match="blocksize"):
        cd.Corpus(corpus_file, blocksize=0)
    # no client is needed to find out
    with pytest.raises(FileNotFoundError):
        cd.build_vocab(Word2Vec(), str(tmp_path / "nope.txt"), client=None)


def test_bad_settings_raise_clear_errors(client, corpus_file, tmp_path):
    with pytest.raises(RuntimeError, match="build vocabulary"):
        cd.train(Word2Vec(), corpus_file, client)
    model = Word2Vec(min_count=1)
    cd.build_vocab(model, corpus_file, client, timeout=60)
    for kwargs, name in ((dict(syncs_per_epoch=0), "syncs_per_epoch"), (dict(n_workers=0), "n_workers"),
                         (dict(epochs=0), "epochs"), (dict(timeout=-1), "timeout"), (dict(hot_rows=-1), "hot_rows")):
        with pytest.raises(ValueError, match=name):
            cd.train(model, corpus_file, client, **kwargs)
    with pytest.raises(ValueError, match="max_final_vocab"):
        cd.build_vocab(Word2Vec(max_vocab_size=100), corpus_file, client)
    with pytest.raises(TypeError, match="distributed.Client"):
        cd.build_vocab(Word2Vec(), corpus_file, client="tcp://nowhere:8786")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"good words here\nbad \xff\xfe word\n")
    with pytest.raises(UnicodeDecodeError, match="bad.txt"):
        cd.build_vocab(Word2Vec(min_count=1), str(bad), client, timeout=60)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match="empty"):
        cd.train(model, str(empty), client, timeout=60)
