"""Faults and hostile input during training: interrupts, failing callbacks, huge sentences, bad bytes,
concurrent queries."""
import queue
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

from cw2v import LineSentence, Word2Vec


@pytest.mark.parametrize("input_mode", ["iterable", "corpus_file"])
def test_ctrl_c_stops_training_within_a_second_and_model_stays_usable(tmp_path, demo_corpus_path, input_mode):
    script = textwrap.dedent("""
        import sys, time, signal, cw2v
        corpus_path = sys.argv[1]
        corpus = cw2v.LineSentence(corpus_path)
        model = cw2v.Word2Vec(vector_size=50, sg=1, workers=2, epochs=50)
        if sys.argv[2] == "corpus_file":
            model.build_vocab(corpus_file=corpus_path)
        else:
            model.build_vocab(corpus)

        class Ready:
            # Said once: an epoch of the demo corpus can take less than the parent's pause before SIGINT, and
            # a second print could be cut between "training" and its newline by the KeyboardInterrupt.
            said = False

            def on_epoch_begin(self, m):
                if not self.said:
                    self.said = True
                    print("training", flush=True)

        try:
            if sys.argv[2] == "corpus_file":
                model.train(corpus_file=corpus_path, total_words=model.corpus_total_words, epochs=50,
                            callbacks=[Ready()])
            else:
                model.train(corpus, total_examples=model.corpus_count, epochs=50, callbacks=[Ready()])
            print("finished without interrupt")
        except KeyboardInterrupt:
            print("interrupted", flush=True)
        assert len(model.wv.most_similar("king", topn=5)) == 5
        import numpy as np
        assert np.isfinite(model.wv.vectors).all()
        print("usable", flush=True)
    """)
    path = tmp_path / "interrupt.py"
    path.write_text(script)
    err_path = tmp_path / "stderr.txt"
    with open(err_path, "w") as err_file:
        proc = subprocess.Popen([sys.executable, str(path), demo_corpus_path, input_mode], stdout=subprocess.PIPE,
                                stderr=err_file, text=True, cwd=tmp_path)
    # One reader owns the pipe: every line the child prints reaches this queue, whatever the reader's
    # buffering (reading the rest with communicate() would bypass what readline() had buffered).
    lines = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(x.strip()) for x in proc.stdout] + [lines.put(None)],
                              daemon=True)
    reader.start()
    try:
        assert lines.get(timeout=60) == "training", err_path.read_text()
        time.sleep(0.5)
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        line = lines.get(timeout=30)
        latency = time.monotonic() - sent
        assert line == "interrupted", err_path.read_text()
        assert latency < 1.0
        rest = []
        while (item := lines.get(timeout=30)) is not None:
            rest.append(item)
        assert proc.wait(timeout=30) == 0, err_path.read_text()
        assert rest == ["usable"], err_path.read_text()
    finally:
        proc.kill()
        proc.wait()


def test_failing_callback_reaches_caller_and_threads_end(small_corpus):
    class Boom:
        def on_epoch_end(self, model):
            raise RuntimeError("callback failed")

    before = threading.active_count()
    with pytest.raises(RuntimeError, match="callback failed"):
        Word2Vec(small_corpus, vector_size=8, epochs=3, workers=2, callbacks=[Boom()])
    assert threading.active_count() == before


def test_a_million_token_sentence_is_trained_in_full():
    rng = np.random.default_rng(0)
    words = np.array(["w%d" % i for i in range(30)] + ["tail%d" % i for i in range(5)])
    ids = np.concatenate([rng.integers(0, 30, size=990_000), rng.integers(30, 35, size=10_000)])
    sentence = words[ids].tolist()
    model = Word2Vec(vector_size=8, min_count=1, sample=0, workers=2, window=2, negative=2)
    model.build_vocab([sentence])
    before = model.wv.vectors.copy()
    effective, raw = model.train([sentence], total_examples=1, epochs=1)
    assert raw == 1_000_000 and effective == 1_000_000
    moved = np.abs(model.wv.vectors - before).max(axis=1)
    assert all(moved[model.wv.key_to_index["tail%d" % i]] > 1e-4 for i in range(5))


def test_invalid_utf8_follows_the_policy(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"good words here\nbad \xff\xfe bytes here\n" * 10)
    with pytest.raises(UnicodeDecodeError):
        list(LineSentence(str(path)))
    replaced = list(LineSentence(str(path), unicode_errors="replace"))
    assert replaced[1] == ["bad", "\ufffd\ufffd", "bytes", "here"]
    with pytest.raises(UnicodeDecodeError):
        Word2Vec(corpus_file=str(path), min_count=1, vector_size=4)
    with pytest.raises(UnicodeDecodeError):
        Word2Vec(LineSentence(str(path)), min_count=1, vector_size=4)  # read in C, same policy
    # a vocabulary built elsewhere: training on the file is still strict, not "unknown words"
    model = Word2Vec([["good", "words", "here"]] * 10, min_count=1, vector_size=4, workers=1)
    for corpus in ({"corpus_file": str(path)}, {"corpus_iterable": LineSentence(str(path))}):
        with pytest.raises(UnicodeDecodeError, match="bad.txt"):
            model.train(**corpus, total_words=100, epochs=1)


def test_concurrent_queries_agree_with_sequential(small_corpus):
    model = Word2Vec(small_corpus, vector_size=16, epochs=1, workers=2, min_count=3)
    words = model.wv.index_to_key[:40]
    model.wv.norms = None  # force the first queries to race on filling the norms
    expected = {}
    results = {}
    errors = []

    def query(k):
        try:
            for w in words[k::4]:
                results[w] = (model.wv.most_similar(w, topn=5), model.wv.similarity(w, words[0]))
        except BaseException as exc:  # noqa: BLE001 - every error of the threads is asserted on below
            errors.append(exc)

    threads = [threading.Thread(target=query, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for w in words:
        expected[w] = (model.wv.most_similar(w, topn=5), model.wv.similarity(w, words[0]))
    assert results == expected
