"""End-to-end training: quality on the bundled corpus, determinism, long sentences, errors, threads."""
import hashlib
import itertools
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import cw2v
from cw2v import LineSentence, Word2Vec

# (word, known neighbour) pairs, all frequent in the bundled corpus
PAIRS = [("king", "queen"), ("london", "paris"), ("monday", "tuesday"), ("father", "mother"),
         ("brother", "sister"), ("gold", "silver"), ("north", "south"), ("january", "february"), ("red", "blue")]


@pytest.fixture(scope="module")
def corpus(demo_corpus_path):
    return LineSentence(demo_corpus_path)


def neighbour_hits(model, topn=50):
    return sum(b in [w for w, _ in model.wv.most_similar(a, topn=topn)] for a, b in PAIRS)


@pytest.mark.slow
@pytest.mark.parametrize("sg,hs,negative,epochs,need", [
    (1, 0, 5, 3, 8), (0, 0, 5, 5, 8), (1, 1, 0, 1, 6), (0, 1, 0, 3, 6)])
def test_related_words_are_neighbours_after_training(corpus, sg, hs, negative, epochs, need, global_random_seed):
    model = Word2Vec(corpus, vector_size=50, sg=sg, hs=hs, negative=negative, epochs=epochs, workers=2,
                     seed=global_random_seed)
    assert neighbour_hits(model) >= need
    # related pairs are more similar than the same words paired at random
    related = np.mean([model.wv.similarity(a, b) for a, b in PAIRS])
    shuffled = np.mean([model.wv.similarity(a, PAIRS[(i + 3) % len(PAIRS)][1]) for i, (a, _) in enumerate(PAIRS)])
    assert related > shuffled + 0.15


def _digest(model):
    h = hashlib.sha256(model.wv.vectors.tobytes())
    for arr in (model.syn1neg, model.syn1):
        h.update(arr.tobytes())
    return h.hexdigest()


@pytest.mark.parametrize("sg,hs,negative", [(1, 0, 5), (0, 1, 3)])
def test_one_worker_is_bit_for_bit_reproducible(small_corpus, sg, hs, negative):
    runs = [Word2Vec(small_corpus, vector_size=20, sg=sg, hs=hs, negative=negative, epochs=2, workers=1, seed=7)
            for _ in range(2)]
    assert _digest(runs[0]) == _digest(runs[1])
    other_seed = Word2Vec(small_corpus, vector_size=20, sg=sg, hs=hs, negative=negative, epochs=2, workers=1, seed=8)
    assert _digest(other_seed) != _digest(runs[0])


def test_reproducible_across_hash_seeds(demo_corpus_path, tmp_path):
    code = ("import hashlib, cw2v;"
            "m = cw2v.Word2Vec(cw2v.LineSentence(%r, limit=800), vector_size=16, epochs=1, workers=1, seed=5);"
            "print(hashlib.sha256(m.wv.vectors.tobytes()).hexdigest())" % demo_corpus_path)
    out = set()
    for hashseed in ("0", "123"):
        env = dict(os.environ, PYTHONHASHSEED=hashseed)
        # run outside the source tree so the installed package (with its compiled modules) is imported
        proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        out.add(proc.stdout.strip())
    assert len(out) == 1


@pytest.mark.parametrize("suffix", [".txt", ".txt.gz"])
def test_corpus_file_mode(tmp_path, small_corpus, suffix):
    import gzip
    path = tmp_path / ("c" + suffix)
    text = "\n".join(" ".join(s) for s in small_corpus) + "\n"
    (gzip.open if suffix.endswith(".gz") else open)(path, "wt", encoding="utf8").write(text)
    a = Word2Vec(corpus_file=str(path), vector_size=16, epochs=2, workers=1, seed=2)
    b = Word2Vec(small_corpus, vector_size=16, epochs=2, workers=1, seed=2)
    assert a.wv.index_to_key == b.wv.index_to_key
    assert (a.corpus_count, a.corpus_total_words) == (b.corpus_count, b.corpus_total_words)
    c = Word2Vec(corpus_file=str(path), vector_size=16, epochs=2, workers=1, seed=2)
    np.testing.assert_array_equal(a.wv.vectors, c.wv.vectors)  # reproducible
    assert not np.array_equal(a.wv.vectors, a._random_rows(len(a.wv), 0))  # trained
    effective, raw = a.train(corpus_file=str(path), total_words=a.corpus_total_words, epochs=1)
    assert raw == a.corpus_total_words and 0 < effective < raw


def test_long_sentence_is_trained_to_the_end(global_random_seed):
    rng = np.random.default_rng(global_random_seed)
    filler = ["f%d" % i for i in range(50)]
    late = ["late%d" % i for i in range(10)]
    sentence = [filler[i] for i in rng.integers(0, 50, size=25000)] + [late[i] for i in rng.integers(0, 10, 5000)]
    model = Word2Vec(vector_size=8, min_count=1, sample=0, workers=2, seed=global_random_seed)
    model.build_vocab([sentence])
    before = model.wv.vectors.copy()
    model.train([sentence], total_examples=1, epochs=1)
    moved = np.abs(model.wv.vectors - before).max(axis=1)
    for w in late:
        assert moved[model.wv.key_to_index[w]] > 1e-4, w
    assert model.corpus_total_words == 30000


def test_loss_is_reported_and_consistent_across_workers(small_corpus, global_random_seed):
    losses = []
    for workers in (1, 2):
        m = Word2Vec(small_corpus, vector_size=16, epochs=1, workers=workers, seed=global_random_seed,
                     compute_loss=True)
        losses.append(m.get_latest_training_loss())
    assert isinstance(losses[0], float) and losses[0] > 0
    assert losses[1] == pytest.approx(losses[0], rel=0.05)
    m = Word2Vec(small_corpus, vector_size=16, epochs=1, workers=1, seed=1)
    assert m.get_latest_training_loss() == 0.0


def test_iterator_exception_reaches_caller_and_threads_end(small_corpus):
    class Broken:
        def __iter__(self):
            for i, s in enumerate(itertools.cycle(small_corpus)):
                if i == 900:
                    raise RuntimeError("disk on fire")
                yield s

    model = Word2Vec(vector_size=8, workers=2)
    model.build_vocab(small_corpus)
    before = threading.active_count()
    with pytest.raises(RuntimeError, match="disk on fire"):
        model.train(Broken(), total_examples=len(small_corpus), epochs=1)
    assert threading.active_count() == before
    assert np.all(np.isfinite(model.wv.vectors))


def test_callbacks_fire_per_epoch(small_corpus):
    events = []

    class Recorder:
        def on_train_begin(self, m): events.append("train_begin")
        def on_epoch_begin(self, m): events.append("epoch_begin")
        def on_epoch_end(self, m): events.append("epoch_end")
        def on_train_end(self, m): events.append("train_end")

    Word2Vec(small_corpus, vector_size=8, epochs=2, workers=1, callbacks=[Recorder()])
    assert events == ["train_begin"] + ["epoch_begin", "epoch_end"] * 2 + ["train_end"]


def test_train_return_value_and_attributes(small_corpus):
    model = Word2Vec(vector_size=12, workers=2, hs=1, negative=3)
    model.build_vocab(small_corpus)
    effective, raw = model.train(small_corpus, total_examples=model.corpus_count, epochs=2)
    assert raw == 2 * model.corpus_total_words
    assert 0 < effective < raw
    n = len(model.wv)
    assert model.wv.vectors.shape == model.syn1neg.shape == model.syn1.shape == (n, 12)
    assert model.wv.vectors.dtype == np.float32 and model.wv.vectors.flags.c_contiguous
    assert model.corpus_count == len(small_corpus)


def test_build_vocab_update_keeps_old_vectors(small_corpus):
    model = Word2Vec(small_corpus, vector_size=8, epochs=1, workers=1, min_count=1)
    old = {w: model.wv[w].copy() for w in model.wv.index_to_key[:20]}
    new_sents = [["zyzzyva", "quokka"] + s[:5] for s in small_corpus[:30]]
    model.build_vocab(new_sents, update=True)
    assert "zyzzyva" in model.wv.key_to_index and "quokka" in model.wv.key_to_index
    for w, v in old.items():
        np.testing.assert_array_equal(model.wv[w], v)
    new_rows = [model.wv.key_to_index[w] for w in ("zyzzyva", "quokka")]
    before = model.wv.vectors.copy()
    effective, raw = model.train(new_sents, total_examples=len(new_sents), epochs=1)
    # the update trains: every word of the new sentences is counted, and the new words' rows move
    assert raw == sum(map(len, new_sents)) and 0 < effective <= raw
    assert (np.abs(model.wv.vectors[new_rows] - before[new_rows]).max(axis=1) > 1e-4).all()


@pytest.mark.parametrize("kwargs,name", [
    ({"vector_size": 0}, "vector_size"), ({"window": 0}, "window"), ({"negative": -1}, "negative"),
    ({"sg": 2}, "sg"), ({"hs": 5}, "hs"), ({"hs": 0, "negative": 0}, "negative"), ({"workers": 0}, "workers"),
    ({"alpha": 0}, "alpha"), ({"min_alpha": -1}, "min_alpha"), ({"sample": -0.1}, "sample"),
    ({"epochs": -1}, "epochs"), ({"min_count": -2}, "min_count"), ({"ns_exponent": float("nan")}, "ns_exponent"),
    ({"cbow_mean": 3}, "cbow_mean"), ({"batch_words": 0}, "batch_words")])
def test_bad_parameters_name_the_parameter(kwargs, name):
    with pytest.raises(ValueError, match=name):
        Word2Vec(**kwargs)


def test_corpus_misuse_is_refused(small_corpus):
    with pytest.raises(TypeError, match="generator"):
        Word2Vec((s for s in small_corpus), vector_size=8)
    model = Word2Vec(vector_size=8)
    with pytest.raises(RuntimeError, match="build vocabulary"):
        model.train(small_corpus, total_examples=10, epochs=1)
    model.build_vocab(small_corpus)
    with pytest.raises(ValueError, match="epochs"):
        model.train(small_corpus, total_examples=10)
    with pytest.raises(ValueError, match="total_examples"):
        model.train(small_corpus, epochs=1)
    with pytest.raises(TypeError, match="not a string"):
        model.train("some/path.txt", total_examples=10, epochs=1)


def test_train_refuses_unknown_keywords(small_corpus):
    """A misspelled or gensim 3 keyword is an error naming it (it was silently ignored), before any training."""
    model = Word2Vec(vector_size=8, min_count=1, workers=1)
    model.build_vocab(small_corpus)
    before = model.wv.vectors.copy()
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'total_example'$"):
        model.train(small_corpus, total_example=len(small_corpus), epochs=1)
    with pytest.raises(TypeError) as info:
        model.train(sentences=small_corpus, iter=2, total_examples=len(small_corpus), epochs=1, alpah=0.1)
    message = str(info.value)
    assert "Word2Vec.train() got unexpected keyword arguments 'sentences', 'iter', 'alpah'" in message
    assert "sentences= to corpus_iterable=" in message and "iter= to epochs=" in message
    with pytest.raises(TypeError, match="unexpected keyword"):  # refused before the vocabulary check, too
        Word2Vec(vector_size=8).train(small_corpus, total_examples=1, epochs=1, workers=2)
    np.testing.assert_array_equal(model.wv.vectors, before)
    assert model.train_count == 0
    # every keyword train() documents is accepted, cw2v's progress= included
    model.train(corpus_iterable=small_corpus, corpus_file=None, total_examples=len(small_corpus), total_words=None,
                epochs=1, start_alpha=0.025, end_alpha=0.0001, word_count=0, queue_factor=2, report_delay=1.0,
                compute_loss=False, callbacks=(), progress=False)
    assert model.train_count == 1


def test_package_exports():
    assert cw2v.__version__
    assert {"Word2Vec", "KeyedVectors", "LineSentence"} <= set(cw2v.__all__)


@pytest.mark.slow
def test_epoch_losses_decrease_and_sum_to_latest_loss(corpus, global_random_seed):
    # CBOW's online loss falls epoch after epoch; skip-gram's rises again as alpha nears 0 (the output rows
    # stop tracking recent text), in word2vec.c's per-pair updates as much as in the batched ones
    model = Word2Vec(vector_size=30, sg=0, workers=2, seed=global_random_seed, compute_loss=True)
    model.build_vocab(corpus)
    model.train(corpus, total_examples=model.corpus_count, epochs=3, compute_loss=True)
    losses = model.epoch_losses
    assert len(losses) == 3 and all(isinstance(x, float) for x in losses)
    assert losses[0] > losses[1] > losses[2] > 0
    assert sum(losses) == pytest.approx(model.get_latest_training_loss(), rel=1e-12)


def test_stop_training_from_a_callback_ends_after_the_epoch(small_corpus):
    seen = []

    class StopAfterTwo:
        def on_epoch_end(self, model):
            seen.append(len(seen))
            if len(seen) == 2:
                model.stop_training = True

    model = Word2Vec(vector_size=8, workers=1, compute_loss=True)
    model.build_vocab(small_corpus)
    effective, raw = model.train(small_corpus, total_examples=model.corpus_count, epochs=5,
                                 callbacks=[StopAfterTwo()], compute_loss=True)
    assert seen == [0, 1] and len(model.epoch_losses) == 2
    assert raw == 2 * model.corpus_total_words


def test_progress_bar_optional(small_corpus, capsys):
    pytest.importorskip("tqdm", reason="the progress bar uses tqdm, an optional dependency")
    model = Word2Vec(vector_size=8, workers=1)
    model.build_vocab(small_corpus)
    model.train(small_corpus, total_words=model.corpus_total_words, epochs=1, progress=True)
    assert "cw2v" in capsys.readouterr().err


@pytest.mark.parametrize("sg,hs,negative,batched", [(1, 0, 5, True), (0, 0, 5, True), (1, 1, 0, True),
                                                    (0, 1, 0, True), (1, 0, 5, False)])
def test_locked_words_do_not_move(small_corpus, sg, hs, negative, batched):
    model = Word2Vec(vector_size=10, workers=2, sg=sg, hs=hs, negative=negative, batched=batched, seed=3)
    model.build_vocab(small_corpus)
    assert model.wv.vectors_lockf.shape == (1,)
    locked = [model.wv.key_to_index[w] for w in ("the", "of", "king") if w in model.wv.key_to_index]
    model.wv.vectors_lockf = np.ones(len(model.wv), dtype=np.float32)
    model.wv.vectors_lockf[locked] = 0.0
    before = model.wv.vectors.copy()
    model.train(small_corpus, total_examples=model.corpus_count, epochs=1)
    np.testing.assert_array_equal(model.wv.vectors[locked], before[locked])
    free = np.setdiff1d(np.arange(50), locked)
    assert np.abs(model.wv.vectors[free] - before[free]).max() > 1e-4


def test_incremental_training_adds_words_and_keeps_lock_factors(small_corpus):
    model = Word2Vec(small_corpus, vector_size=8, epochs=1, workers=1, min_count=2)
    n_old = len(model.wv)
    model.wv.vectors_lockf = np.ones(n_old, dtype=np.float32)
    model.wv.vectors_lockf[0] = 0.0
    frozen = model.wv.vectors[0].copy()
    new_sents = [["zyzzyva", "quokka"] + s[:6] for s in small_corpus[:40]]
    model.build_vocab(new_sents, update=True)
    assert len(model.wv) == n_old + 2 and model.wv.vectors_lockf.shape == (n_old + 2,)
    new_rows = [model.wv.key_to_index[w] for w in ("zyzzyva", "quokka")]
    before = model.wv.vectors[new_rows].copy()
    model.train(new_sents, total_examples=len(new_sents), epochs=2)
    np.testing.assert_array_equal(model.wv.vectors[0], frozen)
    assert (np.abs(model.wv.vectors[new_rows] - before).max(axis=1) > 1e-4).all()  # the new words train


def test_bad_lock_factors_are_refused(small_corpus):
    model = Word2Vec(vector_size=8, workers=1)
    model.build_vocab(small_corpus)
    model.wv.vectors_lockf = np.ones(3, dtype=np.float32)
    with pytest.raises(ValueError, match="vectors_lockf"):
        model.train(small_corpus, total_examples=model.corpus_count, epochs=1)
