"""Evaluations of :class:`cw2v.KeyedVectors`: analogy questions and word-pair similarities.

Private module. :func:`evaluate_word_analogies` and :func:`evaluate_word_pairs` are the bodies of the
:class:`~cw2v.keyedvectors.KeyedVectors` methods of the same names, which document them and call them in one
line; the first argument, `kv`, is that KeyedVectors. Results are identical to gensim 4.4.0's.

The analogy solver scores questions in batches, one matrix product (level-3 BLAS) per batch of questions
against the candidate vectors, and reads each answer from the two best candidates; the few questions whose
outcome is decided by a margin within the floating-point error bound of that product are recomputed alone,
exactly as gensim's ``most_similar`` computes them (:func:`_analogy_exact`).

Imports: :mod:`cw2v._queries` (unit vectors, partial sorts) and :mod:`cw2v.formats` (opening files); no
model module. Log messages go to the ``cw2v.keyedvectors`` logger, where they always went.
"""
from __future__ import annotations

import itertools
import logging

import numpy as np
from scipy.linalg.blas import dnrm2 as _dnrm2

from cw2v._queries import EmptyInputError, top_indices, unit
from cw2v.formats import open_file

logger = logging.getLogger("cw2v.keyedvectors")

#: Number of score matrix entries (questions x vocabulary) computed per batch in evaluate_word_analogies.
_ANALOGY_BATCH_ENTRIES = 1 << 23


# ------------------------------------------------------------------------------------------ logging


def log_section(section):
    """Log the accuracy of one section of analogy results (INFO level) and return it.

    Parameters
    ----------
    section : dict
        With keys ``'section'`` (str), ``'correct'`` and ``'incorrect'`` (lists).

    Returns
    -------
    float
        ``correct / (correct + incorrect)``; 0.0 (and nothing logged) for a section without questions.
    """
    correct, incorrect = len(section["correct"]), len(section["incorrect"])
    if correct + incorrect == 0:
        return 0.0
    score = correct / (correct + incorrect)
    logger.info("%s: %.1f%% (%i/%i)", section["section"], 100.0 * score, correct, correct + incorrect)
    return score


def log_evaluate_word_pairs(pearson, spearman, oov, pairs):
    """See :meth:`cw2v.KeyedVectors.log_evaluate_word_pairs`."""
    logger.info("Pearson correlation coefficient against %s: %.4f", pairs, pearson[0])
    logger.info("Spearman rank-order correlation coefficient against %s: %.4f", pairs, spearman[0])
    logger.info("Pairs with unknown words ratio: %.1f%%", oov)


# ------------------------------------------------------------------------------------------ vocabulary


def _ok_vocab(kv, restrict_vocab, case_insensitive):
    """Map (upper-cased) key -> row over the first `restrict_vocab` keys; the first spelling wins."""
    ok_keys = kv.index_to_key[:restrict_vocab]
    if case_insensitive:
        return {key.upper(): kv.get_index(key) for key in reversed(ok_keys)}
    return {key: kv.get_index(key) for key in reversed(ok_keys)}


# ------------------------------------------------------------------------------------------ analogies


def evaluate_word_analogies(kv, analogies, restrict_vocab=300000, case_insensitive=True, dummy4unknown=False,
                            similarity_function="most_similar"):
    """See :meth:`cw2v.KeyedVectors.evaluate_word_analogies`."""
    if similarity_function != "most_similar":
        logger.warning(
            "similarity_function=%r is ignored: analogies are answered with 'most_similar' (3CosAdd), "
            "as in gensim 4.4.0", similarity_function,
        )
    ok_vocab = _ok_vocab(kv, restrict_vocab, case_insensitive)
    logger.info("Evaluating word analogies for top %s words in the model on %s", restrict_vocab, analogies)
    sections, section = [], None
    records = []      # (section, quadruplet, question number or -1 for an unknown-word question)
    questions = []    # (row a, row b, row c, upper-case a, b, c, expected)
    total_questions = oov = 0
    with open_file(analogies, "rb") as fin:
        for line_no, raw in enumerate(fin):
            line = raw.decode("utf8")
            if line.startswith(": "):
                section = {"section": line.lstrip(": ").strip(), "correct": [], "incorrect": []}
                sections.append(section)
                continue
            if not section:
                raise ValueError(f"Missing section header before line #{line_no} in {analogies}")
            words = line.split()
            if len(words) != 4:
                logger.info("Skipping invalid line #%i in %s", line_no, analogies)
                continue
            if case_insensitive:
                words = [word.upper() for word in words]
            quad = tuple(words)
            total_questions += 1
            if any(word not in ok_vocab for word in quad):
                oov += 1
                if dummy4unknown:
                    records.append((section, quad, -1))
                continue
            a, b, c, expected = quad
            records.append((section, quad, len(questions)))
            questions.append((ok_vocab[a], ok_vocab[b], ok_vocab[c], a, b, c, expected))
    if total_questions == 0:
        raise EmptyInputError(f"no analogy questions found in {analogies}")

    correct = _solve_analogies(kv, questions, restrict_vocab, case_insensitive)
    for sec, quad, q in records:
        sec["correct" if q >= 0 and correct[q] else "incorrect"].append(quad)
    for sec in sections:
        log_section(sec)
    total = {
        "section": "Total accuracy",
        "correct": list(itertools.chain.from_iterable(s["correct"] for s in sections)),
        "incorrect": list(itertools.chain.from_iterable(s["incorrect"] for s in sections)),
    }
    logger.info("Quadruplets with out-of-vocabulary words: %.1f%%", 100.0 * oov / total_questions)
    if not dummy4unknown:
        logger.info("Analogies with out-of-vocabulary words were skipped (use dummy4unknown=True to count them)")
    score = log_section(total)
    sections.append(total)
    return score, sections


def _analogy_means(kv, rows_a, rows_b, rows_c):
    """Unit query vectors ``b + c - a`` for many questions, bit-identical to ``kv.most_similar``'s.

    Returns an ndarray of shape (len(rows_a), vector_size), float32.
    """
    kv.fill_norms()

    def unit_rows(rows):
        return (kv.vectors[rows] / kv.norms[rows][:, None]).astype(np.float64)

    # Same operations, in the same order and precision, as get_mean_vector(..., weights=[1, 1, -1]).
    mean = np.zeros((len(rows_a), kv.vector_size), dtype=kv.vectors.dtype)
    for rows, weight in ((rows_b, 1.0), (rows_c, 1.0), (rows_a, -1.0)):
        mean = (mean.astype(np.float64) + weight * unit_rows(rows)).astype(kv.vectors.dtype)
    # a float64 total weight, as in get_mean_vector: a float64 result under NumPy 2 (NEP 50), float32 under
    # NumPy 1's value-based casting; either way unitvec then scales in float64 (dnrm2, dscal)
    mean = mean / np.float64(3.0)
    for row in mean:
        length = _dnrm2(row)
        if length > 0.0:
            row[:] = (row.astype(np.float64) * (1.0 / length)).astype(row.dtype)
    return mean.astype(np.float32)


def _analogy_exact(kv, mean, exclude, rv):
    """Top-5 candidate rows for one query exactly as gensim's most_similar(topn=5) ranks them."""
    scores = np.dot(kv.vectors[:rv], mean.copy()) / kv.norms[:rv]
    excluded = set(exclude)
    return [i for i in top_indices(scores, 5 + len(exclude)) if i not in excluded][:5]


def _solve_analogies(kv, questions, restrict_vocab, case_insensitive):
    """Whether each question's predicted answer equals its expected word (list of bool).

    Scores come from one matrix product per batch of questions; the answer is read from the two best
    candidates (argmax twice). A question whose decisive margin is below the floating-point error bound
    of that product, or whose best candidates are case variants of its own words, is decided by
    reproducing gensim's exact computation for it alone (:func:`_analogy_exact`).
    """
    if not questions:
        return []
    rv = min(restrict_vocab, len(kv.vectors)) if restrict_vocab else len(kv.vectors)
    cand_keys = kv.index_to_key[:rv]
    if case_insensitive:
        cand_keys = [key.upper() for key in cand_keys]
    rows = np.array([q[:3] for q in questions], dtype=np.intp)
    means = _analogy_means(kv, rows[:, 0], rows[:, 1], rows[:, 2])
    vectors, norms = kv.vectors[:rv], kv.norms[:rv]
    # A score from the matrix product and the same score from gensim's matrix-vector product are each
    # within d*u*|v|*|m| of the exact dot product (any summation order), plus two roundings: with unit
    # vectors m and |v|/norm = 1, they differ by at most about 4*(d+1)*u. A decision whose margin
    # exceeds twice that (with a safety factor of 2) is the same as gensim's.
    batched = rv >= 16 and vectors.dtype in (np.float32, np.float64)
    tolerance = 8.0 * (kv.vector_size + 2) * (np.finfo(vectors.dtype).eps / 2) if batched else np.inf
    batch = max(1, _ANALOGY_BATCH_ENTRIES // max(1, rv))

    def first_valid(ranked, ignore):
        # gensim's rule: the first candidate that is none of the question words (or the last one).
        predicted = None
        for i in ranked:
            predicted = cand_keys[i]
            if predicted not in ignore:
                break
        return predicted

    def from_row(scores, ignore):
        # Walk the best 6 of one row of batched scores; None when the margin is too small.
        top = top_indices(scores, 6)
        for pos in range(5):
            if cand_keys[top[pos]] not in ignore:
                margin = scores[top[pos]] - scores[top[pos + 1]]
                if np.isfinite(scores[top[pos]]) and margin > tolerance:
                    return cand_keys[top[pos]]
                return None
        return None

    results = []
    for start in range(0, len(questions), batch):
        stop = min(start + batch, len(questions))
        here = np.arange(stop - start)
        if batched:
            scores = np.dot(means[start:stop].astype(vectors.dtype), vectors.T)
            scores /= norms
            for col in range(3):
                scores[here, rows[start:stop, col]] = -np.inf
            best = scores.argmax(axis=1)
            best_score = scores[here, best]
            scores[here, best] = -np.inf
            second_score = scores[here, scores.argmax(axis=1)]
            scores[here, best] = best_score
            with np.errstate(invalid="ignore"):
                sure = np.isfinite(best_score) & np.isfinite(second_score) & (best_score - second_score > tolerance)
            best, sure = best.tolist(), sure.tolist()
        for j in range(stop - start):
            ia, ib, ic, a, b, c, expected = questions[start + j]
            ignore = {a, b, c}
            predicted = None
            if batched:
                if cand_keys[best[j]] not in ignore:
                    predicted = cand_keys[best[j]] if sure[j] else None
                else:
                    predicted = from_row(scores[j], ignore)
            if predicted is None:
                predicted = first_valid(_analogy_exact(kv, means[start + j], (ib, ic, ia), rv), ignore)
            results.append(predicted == expected)
    return results


# ------------------------------------------------------------------------------------------ word pairs


def evaluate_word_pairs(kv, pairs, delimiter="\t", encoding="utf8", restrict_vocab=300000, case_insensitive=True,
                        dummy4unknown=False):
    """See :meth:`cw2v.KeyedVectors.evaluate_word_pairs`."""
    ok_vocab = _ok_vocab(kv, restrict_vocab, case_insensitive)
    gold, model = [], []
    oov = 0
    with open_file(pairs, "r", encoding=encoding) as fin:
        for line_no, line in enumerate(fin):
            if not line or line.startswith("#"):
                continue
            try:
                fields = line.split(delimiter)
                if case_insensitive:
                    fields = [field.upper() for field in fields]
                a, b, sim = fields
                sim = float(sim)
            except (ValueError, TypeError):
                logger.info("Skipping invalid line #%d in %s", line_no, pairs)
                continue
            if a not in ok_vocab or b not in ok_vocab:
                oov += 1
                if dummy4unknown:
                    gold.append(sim)
                    model.append(0.0)
                else:
                    logger.info("Skipping line #%d with OOV words: %s", line_no, line.strip())
                continue
            gold.append(sim)
            model.append(np.dot(unit(kv.vectors[ok_vocab[a]]), unit(kv.vectors[ok_vocab[b]])))
    if not gold:
        raise ValueError(
            f"No valid similarity judgements found in {pairs}: either invalid format or "
            f"all are out-of-vocabulary in {kv}"
        )
    from scipy import stats  # imported here: scipy.stats costs ~0.5 s and ~40 MB at import time

    spearman = stats.spearmanr(gold, model)
    pearson = stats.pearsonr(gold, model)
    if dummy4unknown:
        oov_ratio = float(oov) / len(gold) * 100
    else:
        oov_ratio = float(oov) / (len(gold) + oov) * 100
    log_evaluate_word_pairs(pearson, spearman, oov_ratio, pairs)
    return pearson, spearman, oov_ratio
