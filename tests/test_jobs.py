"""The jobs of an epoch, their learning-rate schedule and the thread pool that trains them (cw2v._jobs,
cw2v._threads), and how train() picks the schedule for each kind of corpus."""
import threading

import pytest

from cw2v import LineSentence, Word2Vec
from cw2v._corpus_file import CorpusFile
from cw2v._jobs import LearningRateSchedule, block_jobs, sentence_jobs, stream_base
from cw2v._threads import pipeline


def test_schedule_is_linear_over_all_epochs_and_capped():
    schedule = LearningRateSchedule(0.5, 0.1, 2, 100, "words")
    assert schedule.alpha(0, 0) == 0.5
    assert schedule.alpha(0, 50) == pytest.approx(0.4)
    assert schedule.alpha(1, 0) == pytest.approx(0.3)
    assert schedule.alpha(1, 100) == pytest.approx(0.1)
    assert schedule.alpha(1, 250) == pytest.approx(0.1)  # a corpus longer than announced ends at end_alpha
    with pytest.raises(ValueError, match="unit"):
        LearningRateSchedule(0.5, 0.1, 2, 100, "lines")


def test_sentence_jobs_count_words_without_the_number_of_sentences():
    sentences = [["w"] * n for n in (3, 4, 3, 25, 1)]
    schedule = LearningRateSchedule(0.025, 0.0001, 2, 36, "words")
    jobs = list(sentence_jobs(sentences, 10, schedule, 1, stream_base(3)))
    assert [[len(s) for s in job.sentences] for job in jobs] == [[3, 4, 3], [25], [1]]
    assert [job.alpha_start for job in jobs] == [schedule.alpha(1, done) for done in (0, 10, 35)]
    assert all(job.alpha_start == job.alpha_end and job.data is None for job in jobs)
    assert [job.stream for job in jobs] == [(3 << 32) + k for k in range(3)]


def test_block_jobs_move_the_rate_across_each_block():
    blocks = [b"a b\n", b"c d e\n", b"f\n"]
    schedule = LearningRateSchedule(0.025, 0.0001, 3, 12, "bytes")
    jobs = list(block_jobs(iter(blocks), schedule, 2, stream_base(2 ** 32 + 1)))
    assert [job.data for job in jobs] == blocks and all(job.sentences is None for job in jobs)
    edges = [0, 4, 10, 12]
    assert [(job.alpha_start, job.alpha_end) for job in jobs] == \
        [(schedule.alpha(2, a), schedule.alpha(2, b)) for a, b in zip(edges, edges[1:])]
    assert jobs[-1].alpha_end == pytest.approx(0.0001)
    assert [job.stream for job in jobs] == [(1 << 32) + k for k in range(3)]


def test_train_schedules_in_sentences_words_or_bytes(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("a b c\nb c d e\n" * 5, encoding="utf8")
    as_file = CorpusFile(str(path))
    by_file = Word2Vec._schedule(as_file, 2, 10, 45, 0.025, 0.0001)
    assert (by_file.unit, by_file.units_per_epoch, by_file.epochs) == ("bytes", path.stat().st_size, 2)
    sentences = list(LineSentence(str(path)))
    assert Word2Vec._schedule(sentences, 2, 10, 45, 0.025, 0.0001).unit == "sentences"
    by_words = Word2Vec._schedule(sentences, 2, None, 45, 0.025, 0.0001)
    assert (by_words.unit, by_words.units_per_epoch) == ("words", 45)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert Word2Vec._schedule(CorpusFile(str(empty)), 1, None, 1, 0.025, 0.0001).units_per_epoch == 1


def test_pipeline_runs_every_item_once_on_its_threads():
    seen, names, lock = [], set(), threading.Lock()

    def make_worker(i):
        def work(item):
            with lock:
                seen.append((i, item))
                names.add(threading.current_thread().name)
        return work

    queued = []
    pipeline(range(50), make_worker, 3, 2, queued.append)
    assert sorted(item for _, item in seen) == list(range(50)) == queued
    assert names <= {"cw2v-worker-0", "cw2v-worker-1", "cw2v-worker-2"}


def test_pipeline_reraises_the_first_worker_error_and_stops_feeding():
    produced = []

    def items():
        for i in range(10_000):
            produced.append(i)
            yield i

    def make_worker(_):
        def work(item):
            if item == 3:
                raise KeyError("item 3")
        return work

    with pytest.raises(KeyError, match="item 3"):
        pipeline(items(), make_worker, 2, 2)
    assert len(produced) < 10_000
    assert not [t for t in threading.enumerate() if t.name.startswith("cw2v-worker-")]


def test_pipeline_stops_its_threads_when_the_producer_fails():
    def items():
        yield 1
        raise RuntimeError("corpus broke")

    with pytest.raises(RuntimeError, match="corpus broke"):
        pipeline(items(), lambda i: lambda item: None, 2, 1)
    assert not [t for t in threading.enumerate() if t.name.startswith("cw2v-worker-")]
