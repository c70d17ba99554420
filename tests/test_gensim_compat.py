"""What code written for gensim's Word2Vec relies on: any hashable token, seed=None, batch_words as job
size only, plain C-contiguous vectors, gensim's warnings and bookkeeping attributes."""
import logging

import numpy as np
import pytest

from cw2v import Word2Vec
from cw2v._jobs import LearningRateSchedule, sentence_jobs, stream_base
from cw2v.word2vec import EmptyVocabularyError


def walks(n_walks=300, length=20, n_nodes=40, seed=0):
    """Random walks on a ring of ``n_nodes`` nodes (steps of -2..2), as lists of int node ids."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n_walks):
        pos = int(rng.integers(n_nodes))
        walk = [pos]
        for _ in range(length - 1):
            pos = (pos + int(rng.integers(-2, 3))) % n_nodes
            walk.append(pos)
        out.append(walk)
    return out


# ------------------------------------------------------------------------------------------- tokens


@pytest.mark.parametrize("sg", [0, 1])
def test_int_numpy_and_str_tokens_train_the_same_model(sg, make_model):
    """A walk of ints, the same walk as a NumPy array (the C table path) and as strings give one model."""
    ints = walks()
    as_int = make_model(ints, sg=sg)
    as_numpy = make_model([np.array(w, dtype=np.int64) for w in ints], sg=sg)
    as_str = make_model([[str(v) for v in w] for w in ints], sg=sg)
    assert as_int.wv.index_to_key == as_numpy.wv.index_to_key
    assert all(type(k) is int for k in as_numpy.wv.index_to_key)
    assert as_str.wv.index_to_key == [str(k) for k in as_int.wv.index_to_key]
    np.testing.assert_array_equal(as_int.wv.vectors, as_numpy.wv.vectors)
    np.testing.assert_array_equal(as_int.wv.vectors, as_str.wv.vectors)
    assert np.abs(as_int.wv.vectors).sum() > 0
    assert as_int.wv[5].shape == (16,) and as_int.wv.most_similar(5, topn=3)[0][0] in as_int.wv.key_to_index


def test_walk_neighbours_are_graph_neighbours(global_random_seed):
    model = Word2Vec(walks(n_walks=600, seed=global_random_seed), vector_size=16, min_count=1, workers=2, epochs=5,
                     sg=1, window=3, seed=global_random_seed)
    hits = 0
    for node in range(40):
        near = [k for k, _ in model.wv.most_similar(node, topn=4)]
        hits += sum(min((k - node) % 40, (node - k) % 40) <= 4 for k in near)
    assert hits / (40 * 4) > 0.7  # ring neighbours (within 4 steps) dominate the nearest 4


def test_tuple_tokens_and_mixed_keys_train(make_model):
    corpus = [[("a", 1), ("b", 2), "c", 7]] * 30
    model = make_model(corpus)
    assert set(model.wv.index_to_key) == {("a", 1), ("b", 2), "c", 7}
    assert model.wv.get_vector(("a", 1)).shape == (16,)  # wv[...] reads a tuple as several keys, as gensim


def test_build_vocab_from_freq_takes_int_keys():
    model = Word2Vec(vector_size=8, min_count=1)
    model.build_vocab_from_freq({3: 5, np.int64(4): 2, "x": 3})
    assert model.wv.index_to_key == [3, "x", 4]


def test_string_sentence_is_read_as_characters_as_gensim_does(caplog, make_model):
    with caplog.at_level(logging.WARNING):
        model = make_model(["human", "machine"])
    assert "Each 'sentences' item should be a list of words" in caplog.text
    assert set(model.wv.index_to_key) == set("humanmachine")


# ------------------------------------------------------------------------------------------- batch_words


def test_job_stream_groups_whole_sentences():
    """batch_words groups sentences into jobs as gensim does; no sentence is ever cut."""
    sentences = [["w"] * n for n in (3, 4, 3, 25, 1, 9, 2)]
    schedule = LearningRateSchedule(0.025, 0.0001, 1, len(sentences), "sentences")
    jobs = list(sentence_jobs(sentences, 10, schedule, 0, stream_base(0)))
    assert [[len(s) for s in job.sentences] for job in jobs] == [[3, 4, 3], [25], [1, 9], [2]]
    assert [s for job in jobs for s in job.sentences] == sentences
    # gensim's schedule: one rate per job, the linear decay's value at the job's start, progress in sentences
    alphas = [(job.alpha_start, job.alpha_end) for job in jobs]
    assert all(a == b for a, b in alphas)
    done = [0, 3, 4, 6]  # sentences before each job
    np.testing.assert_allclose([a for a, _ in alphas], [0.025 - (0.025 - 0.0001) * k / 7 for k in done])


def test_small_batch_words_does_not_cut_sentences(make_model):
    """With batch_words=4 (node2vec's setting) walks keep windows across the whole walk: the model differs
    from one trained on the walks cut into 4-token pieces (the old behaviour was bit-identical to that)."""
    ints = walks(n_walks=100)
    whole = make_model(ints, batch_words=4, sg=1, window=5)
    pieces = make_model([w[i:i + 4] for w in ints for i in range(0, len(w), 4)], batch_words=4, sg=1, window=5)
    assert whole.wv.index_to_key == pieces.wv.index_to_key
    assert not np.allclose(whole.wv.vectors, pieces.wv.vectors)


# ------------------------------------------------------------------------------------------- seed


def test_seed_none_draws_a_fresh_seed_like_gensim(make_model):
    corpus = walks(n_walks=50)
    a, b = make_model(corpus, seed=None), make_model(corpus, seed=None)
    assert a.seed is None and isinstance(a.random_seed, int) and a.random_seed != b.random_seed
    assert not np.array_equal(a.wv.vectors, b.wv.vectors)
    fixed = make_model(corpus, seed=a.random_seed)  # the drawn seed reproduces the run
    np.testing.assert_array_equal(fixed.wv.vectors, a.wv.vectors)


@pytest.mark.parametrize("vector_size", [4, 50])
def test_initial_vectors_are_uniform_in_plus_minus_one_over_the_dimension(make_model, vector_size):
    """gensim's initialisation (twice word2vec.c's range): uniform in [-1/d, 1/d), a function of the seed."""
    corpus = [[f"w{i}" for i in range(2000)]]
    a = make_model(corpus, train=False, vector_size=vector_size, seed=5).wv.vectors
    bound = 1 / vector_size
    assert a.min() >= -bound and a.max() < bound
    assert a.min() < -0.99 * bound and a.max() > 0.99 * bound  # the whole range is used
    assert abs(a.mean()) < 0.01 * bound
    np.testing.assert_array_equal(a, make_model(corpus, train=False, vector_size=vector_size, seed=5).wv.vectors)
    assert not np.array_equal(a, make_model(corpus, train=False, vector_size=vector_size, seed=6).wv.vectors)


def test_seed_must_still_be_an_integer_or_none():
    with pytest.raises(ValueError, match="seed must be an integer"):
        Word2Vec(seed="1")


# ------------------------------------------------------------------------------------------- arrays


@pytest.mark.parametrize("vector_size", [100, 300, 7])
def test_vectors_are_plain_c_contiguous_float32(vector_size, make_model):
    model = make_model(walks(n_walks=30), vector_size=vector_size, hs=1, negative=2, epochs=1)
    for arr in (model.wv.vectors, model.syn1neg, model.syn1):
        assert arr.flags.c_contiguous and arr.dtype == np.float32 and arr.shape == (len(model.wv), vector_size)
    flat = np.frombuffer(model.wv.vectors, dtype=np.float32)  # what faiss.normalize_L2 & co. need
    assert flat.size == len(model.wv) * vector_size
    assert memoryview(model.wv.vectors).cast("B").nbytes == model.wv.vectors.nbytes


# ------------------------------------------------------------------------------------------- gensim's bookkeeping


def test_warnings_gensim_users_look_for(caplog, make_model):
    corpus = walks(n_walks=30)
    with caplog.at_level(logging.WARNING):
        model = make_model(corpus, hs=1, negative=5)
    assert "Both hierarchical softmax and negative sampling are activated." in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        model.train(corpus, total_examples=model.corpus_count, epochs=1)  # alpha back up to 0.025
    assert "Effective 'alpha' higher than previous training cycles" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        model.train(corpus, total_examples=model.corpus_count + 5, epochs=1)
    assert "supplied example count (30) did not equal expected count (35)" in caplog.text


def test_empty_vocabulary_is_a_runtime_error_and_a_value_error():
    with pytest.raises(RuntimeError):
        Word2Vec([])
    with pytest.raises(ValueError):
        Word2Vec([["a", "b"]], min_count=5)
    assert issubclass(EmptyVocabularyError, RuntimeError) and issubclass(EmptyVocabularyError, ValueError)


def test_lifecycle_events_estimate_memory_and_layer1_size(make_model):
    model = make_model(walks(n_walks=30), hs=1, negative=3)
    # gensim's order: a model given a corpus records "created" after building and training
    assert [e["event"] for e in model.lifecycle_events] == ["build_vocab", "train", "created"]
    assert all({"datetime", "python", "platform", "cw2v"} <= set(e) for e in model.lifecycle_events)
    model.lifecycle_events = None  # recording off, as in gensim
    model.add_lifecycle_event("custom")
    assert model.lifecycle_events is None
    report = model.estimate_memory()
    n, d = len(model.wv), model.vector_size
    assert report["vectors"] == report["syn1"] == report["syn1neg"] == n * d * 4
    assert report["total"] == sum(v for k, v in report.items() if k != "total")
    assert model.layer1_size == d


def test_huffman_code_and_point_through_get_vecattr(tmp_path, make_model):
    model = make_model(walks(n_walks=30), hs=1, negative=0)
    t = model._tables
    for key in model.wv.index_to_key[:10]:
        i = model.wv.key_to_index[key]
        code, point = model.wv.get_vecattr(key, "code"), model.wv.get_vecattr(key, "point")
        assert len(code) == len(point) == t.code_lens[i] > 0
        np.testing.assert_array_equal(code, t.codes[i, :t.code_lens[i]])
        np.testing.assert_array_equal(point, t.points[i, :t.code_lens[i]])
        assert point[0] == len(model.wv) - 2  # every path starts at the root
    assert set(model.wv.expandos) == {"count"}  # formed on demand, not stored per word
    model.build_vocab([[200, 201, 200]], update=True)  # a new tree: the codes follow it
    assert len(model.wv.get_vecattr(200, "code")) == model._tables.code_lens[model.wv.key_to_index[200]]
    with pytest.raises(KeyError):
        make_model(walks(n_walks=30)).wv.get_vecattr(0, "code")  # no Huffman tree without hs
    model.save(tmp_path / "hs.model")
    loaded = Word2Vec.load(tmp_path / "hs.model")
    for key in model.wv.index_to_key:
        np.testing.assert_array_equal(loaded.wv.get_vecattr(key, "code"), model.wv.get_vecattr(key, "code"))


def test_reset_from_takes_the_other_vocabulary_with_fresh_weights(make_model):
    model = make_model([["a", "b", "c"]] * 10, seed=5, sample=0)  # sample=0: a 4-word corpus is not subsampled
    other = make_model([["x", "y"], ["y", "z", "w"]] * 10, seed=6)
    model.reset_from(other)
    assert model.wv.key_to_index == other.wv.key_to_index and model.corpus_count == other.corpus_count
    assert model.wv.vectors.shape == other.wv.vectors.shape
    assert not np.array_equal(model.wv.vectors, other.wv.vectors)  # drawn from seed 5, not copied
    np.testing.assert_array_equal(model.wv.vectors, model._random_rows(len(other.wv), 0))
    assert not model.syn1neg.any()  # fresh output weights too
    effective, raw = model.train([["x", "y"], ["y", "z", "w"]] * 10, total_examples=20, epochs=1)
    assert raw == effective == 50  # the borrowed vocabulary trains: every token is known
    assert model.syn1neg.any() and not np.array_equal(model.wv.vectors, model._random_rows(len(other.wv), 0))


def test_gensim_module_paths_and_flags():
    import cw2v.models.keyedvectors
    import cw2v.models.word2vec
    from cw2v.models import KeyedVectors, Word2Vec as W
    assert cw2v.models.word2vec is __import__("cw2v.word2vec").word2vec
    assert W is Word2Vec and KeyedVectors is cw2v.models.keyedvectors.KeyedVectors
    assert cw2v.models.word2vec.FAST_VERSION > -1 and cw2v.models.word2vec.CORPUSFILE_VERSION > -1
    from cw2v.similarities.annoy import AnnoyIndexer
    from cw2v.test.utils import common_texts, get_tmpfile
    assert AnnoyIndexer.__name__ == "AnnoyIndexer" and len(common_texts) == 9 and get_tmpfile("x").endswith("x")


def test_vocabulary_update_subsamples_by_the_new_corpus_as_gensim():
    """After build_vocab(update=True), the words of the new corpus are subsampled by their counts in it
    (threshold sample x its tokens) and the others keep their keep-probabilities: gensim's rule, which
    keeps a new word from moving twice as far as gensim moves it when the update corpus is small."""
    from cw2v.vocab import KEEP_SCALE, keep_probabilities
    old = [["a", "b", "c", "d"] * 50 + ["e"]] * 20
    new = [["a", "z", "z", "q"]] * 30
    model = Word2Vec(old, vector_size=8, min_count=1, sample=1e-2, epochs=1, workers=1)
    before = model._tables.keep_threshold.copy()
    model.build_vocab(new, update=True)
    keys = model.wv.index_to_key
    after = model._tables.keep_threshold
    want_new = keep_probabilities(np.array([30, 60, 30]), 1e-2)  # a, z, q as counted in the new corpus
    for word, p in zip(["a", "z", "q"], want_new):
        assert after[keys.index(word)] == np.round(p * KEEP_SCALE)
    for word in ["b", "c", "d", "e"]:
        assert after[keys.index(word)] == before[keys.index(word)]
    assert model.wv.get_vecattr("a", "count") == 1000 + 30  # counts still accumulate


def test_brown_corpus_reads_word_tag_tokens(tmp_path):
    from cw2v.models.word2vec import BrownCorpus, PathLineSentences, Text8Corpus  # gensim's module path
    assert PathLineSentences.__module__ == Text8Corpus.__module__ == "cw2v.corpora"
    (tmp_path / "ca01").write_text("The/at Fulton/np-tl said/vbd ,/, x/y/z ./.\n\n,/,\nIt/pps is/bez\n",
                                   encoding="utf8")
    (tmp_path / "sub").mkdir()  # folders are skipped
    assert list(BrownCorpus(str(tmp_path))) == [["the/at", "fulton/np", "said/vb"], ["it/pp", "is/be"]]


def test_word2vec_standalone_script_writes_vectors_and_prints_nothing(tmp_path):
    import subprocess
    import sys
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(" ".join(map(str, w)) for w in walks(n_walks=40)), encoding="utf8")
    out = tmp_path / "vec.txt"
    proc = subprocess.run([sys.executable, "-m", "cw2v.scripts.word2vec_standalone", "-train", str(corpus),
                           "-output", str(out), "-size", "12", "-iter", "2", "-min_count", "1", "-cbow", "0"],
                          capture_output=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout == b""
    from cw2v import KeyedVectors
    kv = KeyedVectors.load_word2vec_format(str(out))
    assert kv.vector_size == 12 and len(kv) == 40


@pytest.mark.parametrize("suffix", ["", ".gz", ".bz2", ".xz"])
def test_utils_open_and_save_as_line_sentence_round_trip(tmp_path, suffix):
    from cw2v import LineSentence
    from cw2v.utils import open as cw2v_open, save_as_line_sentence
    path = tmp_path / ("corpus.txt" + suffix)
    sentences = [["ein", "hübscher", "satz"], ["zwei"]]
    save_as_line_sentence(sentences, path)
    assert list(LineSentence(str(path))) == sentences
    with cw2v_open(path, "r") as f:
        assert f.read() == "ein hübscher satz\nzwei\n"
    with cw2v_open(path, "rb") as f:
        assert f.read().startswith("ein hübscher".encode())
    if __import__("importlib").util.find_spec("smart_open") is None:  # else s3:// goes through smart_open
        with pytest.raises(ValueError, match="smart_open"):
            cw2v_open("s3://bucket/key.txt")


def test_repeat_corpus_helpers():
    import sys

    from cw2v.utils import RepeatCorpus, RepeatCorpusNTimes, check_output
    assert list(RepeatCorpus([[1], [2]], 5)) == [[1], [2], [1], [2], [1]]
    assert list(RepeatCorpusNTimes([[1], [2]], 2)) == [[1], [2], [1], [2]]
    assert check_output(args=[sys.executable, "-c", "print('hi')"]).strip() == b"hi"
    with pytest.raises(__import__("subprocess").CalledProcessError):
        check_output(args=[sys.executable, "-c", "import sys; sys.exit(2)"])


def test_nothing_is_printed_without_logging_configured(tmp_path):
    """As gensim's logger, cw2v's has a NullHandler: warnings reach handlers the application sets up, and
    nothing goes to stderr otherwise (karateclub's hs=1 + negative=5 models printed on every fit).

    The children run in `tmp_path`: ``-c`` puts the working directory first on sys.path, and a clean
    clone's source tree holds a cw2v without its compiled modules."""
    import subprocess
    import sys
    code = ("import cw2v; cw2v.Word2Vec([['a', 'b', 'c']] * 20, min_count=1, hs=1, negative=5, vector_size=4)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0 and run.stderr == "", run.stderr
    shown = subprocess.run([sys.executable, "-c", "import logging; logging.basicConfig(); " + code],
                           capture_output=True, text=True, cwd=tmp_path)
    assert "Both hierarchical softmax and negative sampling are activated" in shown.stderr


def test_keyed_vectors_record_and_save_lifecycle_events(tmp_path):
    from cw2v import KeyedVectors
    kv = KeyedVectors(4)
    kv.add_vectors(["a", "b"], np.ones((2, 4), np.float32))
    kv.add_lifecycle_event("custom", note="kept", weight=np.float32(0.5))
    kv.save(tmp_path / "kv")
    events = KeyedVectors.load(tmp_path / "kv").lifecycle_events
    assert [e["event"] for e in events] == ["custom"] and events[0]["note"] == "kept" and events[0]["weight"] == 0.5
