"""Fixtures shared by the test files.

``small_corpus``
    The first 1500 lines of the bundled corpus as a list of sentences (session-wide: do not modify it).
``small_corpus_file``
    The same sentences as a plain text file, one sentence per line.
``make_model``
    A factory of small Word2Vec models (16 dimensions, min_count=1, one worker, 2 epochs, seed 3 unless
    told otherwise): ``make_model(corpus, **params)`` trains, ``make_model(corpus, train=False)`` only
    builds the vocabulary, ``make_model()`` builds nothing.
``make_kv``
    A factory of KeyedVectors: ``make_kv(keys, vectors)``, or ``make_kv(keys, dim=8, seed=0)`` for
    standard-normal vectors.
``global_random_seed``
    scikit-learn's idea: a test taking it must pass whatever the seed, so it runs once per seed of the set
    chosen by the environment variable ``CW2V_TEST_SEEDS``:

    ====================  ========================================================
    unset (the default)   0, 1, 2
    ``7``                 one seed
    ``0-9``               a range (both ends included)
    ``1,5,40-42``         a list of seeds and ranges
    ``all``               0-19
    ``any``               one seed drawn at random (shown in the test ids)
    ====================  ========================================================

    Use it where a statistical property (quality, loss curves, agreement) would otherwise be checked on one
    hard-coded, possibly lucky seed.
"""
import os
import random

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED_DATA = os.path.join(os.path.dirname(REPO), "shared", "data")

SEEDS_VARIABLE = "CW2V_TEST_SEEDS"
DEFAULT_SEEDS = (0, 1, 2)
ALL_SEEDS = tuple(range(20))


def parse_seeds(text):
    """The seeds named by a ``CW2V_TEST_SEEDS`` value (see the module docstring); ValueError if malformed."""
    text = (text or "").strip().lower()
    if not text:
        return DEFAULT_SEEDS
    if text == "all":
        return ALL_SEEDS
    if text == "any":
        return (random.SystemRandom().randrange(2 ** 31),)
    seeds = []
    for part in text.split(","):
        first, dash, last = part.strip().partition("-")
        if not first.isdigit() or (dash and not last.isdigit()):
            raise ValueError(f"{SEEDS_VARIABLE}={text!r}: expected seeds like '7', '0-9', '1,5,40-42', 'all' or 'any'")
        lo, hi = int(first), int(last) if dash else int(first)
        if hi < lo:
            raise ValueError(f"{SEEDS_VARIABLE}={text!r}: empty range {part!r}")
        seeds.extend(s for s in range(lo, hi + 1) if s not in seeds)
    return tuple(seeds)


def pytest_configure(config):
    try:
        config._cw2v_seeds = parse_seeds(os.environ.get(SEEDS_VARIABLE))
    except ValueError as err:
        raise pytest.UsageError(str(err)) from None


def pytest_report_header(config):
    return f"global_random_seed: {', '.join(map(str, config._cw2v_seeds))} (set {SEEDS_VARIABLE} to change)"


def pytest_generate_tests(metafunc):
    if "global_random_seed" in metafunc.fixturenames:
        seeds = metafunc.config._cw2v_seeds
        metafunc.parametrize("global_random_seed", seeds, ids=[f"seed{s}" for s in seeds])


# ------------------------------------------------------------------------------------------------ data


@pytest.fixture(scope="session")
def demo_corpus_path():
    from cw2v.cli import demo_corpus_path
    return demo_corpus_path()


@pytest.fixture(scope="session")
def small_corpus(demo_corpus_path):
    """The first 1500 lines of the bundled corpus, as a list of token lists. Shared: do not modify it."""
    from cw2v import LineSentence
    return list(LineSentence(demo_corpus_path, limit=1500))


@pytest.fixture(scope="session")
def small_corpus_file(tmp_path_factory, small_corpus):
    """``small_corpus`` as a UTF-8 text file, one sentence per line."""
    path = tmp_path_factory.mktemp("small_corpus") / "small.txt"
    path.write_text("".join(" ".join(s) + "\n" for s in small_corpus), encoding="utf8")
    return path


@pytest.fixture(scope="session")
def shared_data():
    """The project's shared evaluation data (questions-words.txt, wordsim353.tsv), if present."""
    if not os.path.isdir(SHARED_DATA):
        pytest.skip("../shared/data is not beside the repository (evaluation sets live there)")
    return SHARED_DATA


# ------------------------------------------------------------------------------------------- factories

#: make_model's defaults: small and quick, one worker (bit-for-bit reproducible), a fixed seed.
SMALL_MODEL = dict(vector_size=16, min_count=1, workers=1, epochs=2, seed=3)


@pytest.fixture(scope="session")
def make_model():
    """``make_model(corpus=None, train=True, **params)``: a Word2Vec with SMALL_MODEL's defaults.

    With a corpus it builds the vocabulary and (unless ``train=False``) trains ``epochs`` epochs on it, as
    ``Word2Vec(corpus, ...)`` does; without one it returns the untrained, vocabulary-less model.
    """
    from cw2v import Word2Vec

    def make(corpus=None, train=True, **params):
        params = {**SMALL_MODEL, **params}
        if corpus is None or train:
            return Word2Vec(corpus, **params)
        model = Word2Vec(**params)
        model.build_vocab(corpus)
        return model

    return make


@pytest.fixture(scope="session")
def make_kv():
    """``make_kv(keys, vectors=None, dim=8, seed=0, dtype=float32)``: KeyedVectors holding `keys`.

    Without `vectors`, the vectors are standard-normal draws from ``numpy.random.default_rng(seed)``.
    """
    import numpy as np

    from cw2v import KeyedVectors

    def make(keys, vectors=None, dim=8, seed=0, dtype=np.float32):
        keys = list(keys)
        if vectors is None:
            vectors = np.random.default_rng(seed).standard_normal((len(keys), dim))
        vectors = np.asarray(vectors, dtype=np.float64)
        kv = KeyedVectors(vectors.shape[1], dtype=dtype)
        kv.add_vectors(keys, vectors)
        return kv

    return make
