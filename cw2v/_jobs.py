"""The jobs of a training epoch and the one learning-rate schedule they carry.

Private module behind :meth:`cw2v.Word2Vec.train`. It imports no other cw2v module.

One :class:`LearningRateSchedule` per ``train()`` call: the rate falls linearly from ``start_alpha`` to
``end_alpha`` over all epochs, measured in the progress units of the corpus. Two job streams read it:

- :func:`sentence_jobs` (an iterable of sentences): whole sentences grouped into jobs of at most
  ``batch_words`` tokens; each job trains at one rate, the schedule's value at the job's start, as gensim
  (and word2vec.c, every 10,000 words) does; progress counts sentences when the number of sentences is
  known, raw words otherwise (gensim's choice);
- :func:`block_jobs` (a corpus file): blocks of whole lines, tokenized by the workers; the rate moves
  linearly from its value at the block's first byte to its value after the block's last byte (progress in
  bytes of uncompressed text).

Each job also carries the number of its random stream, so that its draws do not depend on which thread
trains it: ``(epochs trained before, mod 2**32) << 32`` plus the job's number in its epoch
(:func:`stream_base`).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Job:
    """One unit of work for a training thread.

    Attributes
    ----------
    sentences : list of list, or None
        Whole sentences (token sequences), iterable mode; None in corpus_file mode.
    alpha_start, alpha_end : float
        Learning rate at the job's first and after its last progress unit (equal in iterable mode).
    stream : int
        Number of the job's random stream (unsigned 64-bit).
    data : bytes, optional
        corpus_file mode: whole lines of UTF-8 text, tokenized by the worker (None in iterable mode).
    """

    sentences: list
    alpha_start: float
    alpha_end: float
    stream: int
    data: bytes | None = None


class LearningRateSchedule:
    """Linear decay of the learning rate over the progress units of all epochs of one ``train()`` call.

    Parameters
    ----------
    start_alpha, end_alpha : float
        Rate at the start of the first epoch and at the end of the last one.
    epochs : int
        Epochs of the call (>= 1).
    units_per_epoch : int or float
        Progress units (sentences, raw words or bytes) in one epoch (> 0).
    unit : {'sentences', 'words', 'bytes'}
        What a unit is: :func:`sentence_jobs` counts a sentence as one unit or as its number of tokens,
        :func:`block_jobs` counts bytes.

    Attributes
    ----------
    start_alpha, end_alpha : float
    epochs : int
    units_per_epoch : int or float
    unit : str
    """

    UNITS = ("sentences", "words", "bytes")

    def __init__(self, start_alpha, end_alpha, epochs, units_per_epoch, unit):
        if unit not in self.UNITS:
            raise ValueError(f"unit must be one of {self.UNITS}, got {unit!r}")
        self.start_alpha = start_alpha
        self.end_alpha = end_alpha
        self.epochs = epochs
        self.units_per_epoch = units_per_epoch
        self.unit = unit

    def alpha(self, epoch, units):
        """The rate after `units` progress units of epoch `epoch` (0-based).

        Parameters
        ----------
        epoch : int
        units : int or float
            Units of that epoch done; the fraction of the call done is capped at 1 (a corpus longer than
            announced ends at ``end_alpha``).

        Returns
        -------
        float
            ``start_alpha - (start_alpha - end_alpha) * min(1, (epoch + units / units_per_epoch) / epochs)``.
        """
        progress = min(1.0, (epoch + units / self.units_per_epoch) / self.epochs)
        return self.start_alpha - (self.start_alpha - self.end_alpha) * progress

    def __repr__(self):
        return (f"LearningRateSchedule({self.start_alpha!r} -> {self.end_alpha!r} over {self.epochs} epochs of "
                f"{self.units_per_epoch} {self.unit})")


def stream_base(epochs_done):
    """Number of the first random stream of an epoch: ``(epochs_done mod 2**32) << 32``.

    Parameters
    ----------
    epochs_done : int
        Epochs the model trained before this one (over all ``train()`` calls).

    Returns
    -------
    int
    """
    return (epochs_done & 0xFFFFFFFF) << 32


def sentence_jobs(corpus, batch_words, schedule, epoch, first_stream):
    """Yield the jobs of one epoch over an iterable corpus: whole sentences, at most `batch_words` tokens a job.

    As in gensim, a sentence joins the current job if the job stays within `batch_words` tokens, and
    otherwise starts the next one; a sentence longer than `batch_words` is a job of its own. Sentences are
    never cut: `batch_words` decides how work is shared between threads (and how finely the learning rate
    steps), not what is trained. Only list operations per sentence happen here; tokens are mapped to
    indices in C by the worker (:func:`cw2v._corpus.encode_sentences`).

    Each job trains at one learning rate, the schedule's value at the job's start: on a corpus of few jobs
    gensim's rate stays higher than a rate decaying within each job would.

    Parameters
    ----------
    corpus : iterable of sequences
        The sentences (token sequences), iterated once.
    batch_words : int
        Tokens per job at most (but a longer sentence is one job).
    schedule : LearningRateSchedule
        With ``unit`` ``'sentences'`` (a sentence is one unit) or ``'words'`` (a sentence is as many units as
        it has tokens).
    epoch : int
        The epoch (0-based) of the call the jobs belong to.
    first_stream : int
        Random stream of the first job (see :func:`stream_base`); job ``k`` gets ``first_stream + k``.

    Yields
    ------
    Job
        With ``sentences`` and ``alpha_start == alpha_end``.
    """
    by_words = schedule.unit == "words"
    done = 0  # progress units (raw words or sentences) before the current job
    job_no = 0
    sentences, n_words, units = [], 0, 0
    for sentence in corpus:
        n = len(sentence)
        if sentences and n_words + n > batch_words:
            alpha = schedule.alpha(epoch, done)
            yield Job(sentences, alpha, alpha, first_stream + job_no)
            done += units
            job_no += 1
            sentences, n_words, units = [], 0, 0
        sentences.append(sentence)
        n_words += n
        units += n if by_words else 1
    if sentences:
        alpha = schedule.alpha(epoch, done)
        yield Job(sentences, alpha, alpha, first_stream + job_no)


def block_jobs(blocks, schedule, epoch, first_stream):
    """Yield the jobs of one epoch over a corpus file: one per block of whole lines, tokenized by the worker.

    Parameters
    ----------
    blocks : iterable of bytes
        The file's blocks in order (:meth:`cw2v._corpus_file.CorpusFile.blocks`).
    schedule : LearningRateSchedule
        With ``unit`` ``'bytes'`` and the file's uncompressed size as ``units_per_epoch``.
    epoch : int
        The epoch (0-based) of the call the jobs belong to.
    first_stream : int
        Random stream of the first job (see :func:`stream_base`).

    Yields
    ------
    Job
        With ``data`` (the block), ``alpha_start`` the rate at its first byte and ``alpha_end`` the rate
        after its last byte.
    """
    pos = 0
    for job_no, block in enumerate(blocks):
        yield Job(None, schedule.alpha(epoch, pos), schedule.alpha(epoch, pos + len(block)), first_stream + job_no,
                  block)
        pos += len(block)
